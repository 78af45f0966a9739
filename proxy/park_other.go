//go:build !linux

package proxy

import (
	"errors"
	"time"
)

// parker is Linux-only (an epoll set); elsewhere idle connections keep
// their goroutine (but not their buffers).
type parker struct{}

func newParker() (*parker, error) { return nil, errors.ErrUnsupported }

func (pk *parker) park(*clientConn, time.Time) bool { return false }
func (pk *parker) claim(*clientConn) bool           { return false }
func (pk *parker) parkedCount() int                 { return 0 }
func (pk *parker) detachedCount() int               { return 0 }
func (pk *parker) resumingCount() int               { return 0 }
func (pk *parker) closeDetached() int               { return 0 }
func (pk *parker) run(<-chan struct{})              {}
func (pk *parker) close()                           {}
func (pk *parker) setDetachAfter(time.Duration)     {}
