//go:build linux

package main

import (
	"context"
	"net"
	"net/netip"
	"sync"
)

// startGoroutines serves each client connection in its own goroutine with
// net.Conn's blocking reads and writes (the runtime's poller), and one
// mutex-guarded pool of server connections.
func startGoroutines(listen, backend netip.AddrPort, n *counts) error {
	var lc net.ListenConfig
	lc.SetMultipathTCP(false) // plain TCP, as the loops' listeners and haproxy's
	ln, err := lc.Listen(context.Background(), "tcp", listen.String())
	if err != nil {
		return err
	}
	pool := &netPool{addr: backend.String()}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go relay(c, pool, n, nil)
		}
	}()
	return nil
}

// netPool keeps idle server connections, most recently used first.
type netPool struct {
	addr string
	mu   sync.Mutex
	idle []stream
}

func (p *netPool) get() (stream, error) {
	p.mu.Lock()
	if k := len(p.idle); k > 0 {
		s := p.idle[k-1]
		p.idle = p.idle[:k-1]
		p.mu.Unlock()
		return s, nil
	}
	p.mu.Unlock()
	var d net.Dialer
	d.SetMultipathTCP(false)
	return d.Dial("tcp", p.addr)
}

func (p *netPool) put(s stream) {
	p.mu.Lock()
	p.idle = append(p.idle, s)
	p.mu.Unlock()
}
