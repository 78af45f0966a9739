//go:build !linux

package proxy

import "net"

// socketFailed cannot inspect the socket state here: an error of a copy is
// attributed to the side the copy was reading.
func socketFailed(net.Conn) bool { return false }

// discardInput is a no-op here: closing with unread input may reset.
func discardInput(net.Conn) {}

// acceptBacklog cannot read the accept queue here.
func acceptBacklog(net.Listener) int { return 0 }
