package proxy

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// parker keeps idle keep-alive client connections without a goroutine: an
// epoll set of its own (the socket stays in the Go runtime's set too; a
// descriptor may be in several) watched by one goroutine, which starts a
// new one for a connection when bytes arrive or the peer hangs up. Each
// parked connection is registered one-shot and removed as soon as someone
// claims it: its readiness, its keep-alive timer, or Shutdown.
type parker struct {
	epfd int
	evfd int // eventfd that stops run

	mu      sync.Mutex
	byFD    []*clientConn // parked connections by descriptor
	n       int
	stopped bool
}

// newParker creates the epoll set; it starts nothing.
func newParker() (*parker, error) {
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("proxy: epoll_create1: %w", err)
	}
	evfd, err := unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
	if err != nil {
		_ = unix.Close(epfd)
		return nil, fmt.Errorf("proxy: eventfd: %w", err)
	}
	ev := unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(evfd)}
	if err := unix.EpollCtl(epfd, unix.EPOLL_CTL_ADD, evfd, &ev); err != nil {
		_ = unix.Close(epfd)
		_ = unix.Close(evfd)
		return nil, fmt.Errorf("proxy: epoll_ctl: %w", err)
	}
	return &parker{epfd: epfd, evfd: evfd}, nil
}

// park registers cc, whose goroutine is about to return; wait > 0 arms the
// keep-alive timer. False when the parker is stopped or the registration
// failed (cc then stays with its goroutine).
func (pk *parker) park(cc *clientConn, wait time.Duration) bool {
	pk.mu.Lock()
	defer pk.mu.Unlock()
	if pk.stopped {
		return false
	}
	if cc.fd >= len(pk.byFD) {
		grown := make([]*clientConn, max(cc.fd+1, 2*len(pk.byFD), 1024))
		copy(grown, pk.byFD)
		pk.byFD = grown
	}
	ev := unix.EpollEvent{Events: unix.EPOLLIN | unix.EPOLLRDHUP | unix.EPOLLONESHOT, Fd: int32(cc.fd)}
	if err := unix.EpollCtl(pk.epfd, unix.EPOLL_CTL_ADD, cc.fd, &ev); err != nil {
		return false
	}
	pk.byFD[cc.fd] = cc
	pk.n++
	cc.parked = true
	if wait > 0 {
		if cc.timer == nil {
			cc.timer = time.AfterFunc(wait, cc.expireFn)
		} else {
			cc.timer.Reset(wait)
		}
	}
	return true
}

// claim takes cc out of the parker; false when it is not parked (someone
// else claimed it first). The caller then owns the connection.
func (pk *parker) claim(cc *clientConn) bool {
	if pk == nil {
		return false
	}
	pk.mu.Lock()
	defer pk.mu.Unlock()
	if !cc.parked {
		return false
	}
	pk.unregister(cc)
	return true
}

// unregister removes cc from the set; pk.mu held.
func (pk *parker) unregister(cc *clientConn) {
	cc.parked = false
	if cc.timer != nil {
		cc.timer.Stop()
	}
	_ = unix.EpollCtl(pk.epfd, unix.EPOLL_CTL_DEL, cc.fd, nil)
	pk.byFD[cc.fd] = nil
	pk.n--
}

// parkedCount is the number of parked connections.
func (pk *parker) parkedCount() int {
	pk.mu.Lock()
	defer pk.mu.Unlock()
	return pk.n
}

// run waits for parked connections to become readable and resumes them on
// new goroutines, until done closes. Connections still parked then stay
// registered for Shutdown to claim and close; the epoll set is closed by
// the last of run and Shutdown's claims, in close.
func (pk *parker) run(done <-chan struct{}) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		<-done
		var one = [8]byte{1}
		_, _ = unix.Write(pk.evfd, one[:])
	}()
	defer wg.Wait()
	events := make([]unix.EpollEvent, 256)
	for {
		n, err := unix.EpollWait(pk.epfd, events, -1)
		if err != nil {
			if errors.Is(err, unix.EINTR) {
				continue
			}
			pk.stop()
			return
		}
		for i := range events[:n] {
			fd := int(events[i].Fd)
			if fd == pk.evfd {
				pk.stop()
				return
			}
			if cc := pk.take(fd); cc != nil {
				go cc.resume()
			}
		}
	}
}

// take claims the connection parked on fd.
func (pk *parker) take(fd int) *clientConn {
	pk.mu.Lock()
	defer pk.mu.Unlock()
	if fd >= len(pk.byFD) {
		return nil
	}
	cc := pk.byFD[fd]
	if cc == nil || !cc.parked {
		return nil
	}
	pk.unregister(cc)
	return cc
}

// stop refuses new connections; the ones parked stay until claimed.
func (pk *parker) stop() {
	pk.mu.Lock()
	pk.stopped = true
	pk.mu.Unlock()
}

// close releases the epoll set and the eventfd; called by Shutdown after
// run returned and every parked connection was claimed.
func (pk *parker) close() {
	if pk == nil {
		return
	}
	_ = unix.Close(pk.epfd)
	_ = unix.Close(pk.evfd)
}
