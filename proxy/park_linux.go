package proxy

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
)

// parker keeps idle keep-alive client connections without a goroutine: an
// epoll set of its own watched by one goroutine (run), which starts a new
// one for a connection when bytes arrive or the peer hangs up. A parked
// connection goes through two stages (idle.go says why):
//
//   - attached: the clientConn and its net.TCPConn stay as they are (the
//     socket is in the Go runtime's epoll set too; a descriptor may be in
//     several); resuming costs a goroutine.
//   - detached, detachAfter later: the descriptor is duplicated, the
//     net.Conn closed (which frees the runtime's netFD, pollDesc and
//     deadline timer) and the clientConn dropped; the parker keeps a
//     parked record of what the next request needs, in a slice indexed by
//     descriptor. Resuming rebuilds a net.Conn on that descriptor (a
//     *tcpConn: park_detach_linux.go).
//
// Each registration is one-shot and removed as soon as someone claims the
// connection: its readiness, its keep-alive deadline, or Drain/Shutdown.
// Deadlines (detach, keep-alive) are kept in one heap and enforced by run's
// epoll_wait timeout: no runtime timer per connection.
//
// Locks: p.mu before pk.mu (closeIdle claims under p.mu; detach removes
// the clientConn from p.conns).
type parker struct {
	epfd int
	evfd int // eventfd that wakes run (new earliest deadline, or stop)

	// detachAfter is how long a connection stays parked attached before it
	// is detached; tests set it before the first park.
	detachAfter time.Duration

	// resuming counts detached connections taken by run whose clientConn
	// is not in p.conns yet (busy counts them as in a request).
	resuming atomic.Int32

	mu      sync.Mutex
	p       *Proxy   // the proxy of the connections (set by the first park)
	byFD    []parked // parked connections by descriptor
	timers  []int32  // descriptors with a deadline, a min-heap on byFD[fd].due
	n       int      // parked connections
	nDet    int      // of which detached
	stopped bool     // refuses new connections
	quit    bool     // run must return
	sleep   int64    // when run's epoll_wait times out (pk.clock), -1: never
	epoch   time.Time

	// Trimming, run's own (no lock): see trim.
	sinceTrim int   // connections detached since the last trim
	trimAt    int64 // when to trim (pk.clock), 0: not planned
	lastTrim  int64
	trimming  atomic.Bool
}

// parked is one parked connection. Deadlines are pk.clock values.
type parked struct {
	cc  *clientConn // attached: the connection; nil once detached
	due int64       // when the timer acts: detach or expire (0: no timer)
	exp int64       // the keep-alive deadline (0: none)
	hi  int32       // index in pk.timers, -1: none
	// Detached: what the clientConn carried that the next request needs.
	nreq int32
	fe   *frontend
	t0   time.Time // accept or end of the previous request (when logging)
}

func (e *parked) inUse() bool { return e.cc != nil || e.fe != nil }

// defaultDetachAfter is how long a parked connection stays attached: a
// client that comes back within about a second (a browser's next click, a
// poller) resumes for the price of a goroutine; one idle longer costs
// a few system calls more (the dup and close of the detach; getpeername,
// fcntl and epoll_ctl of the resume) and far less memory.
// Beyond maxAttached attached connections (~2.5 KB each: clientConn,
// netFD, pollDesc, addresses) a new one is detached at once, so what the
// runtime holds for parked connections stays bounded (its pollDesc cache
// never shrinks: it keeps the peak).
const (
	defaultDetachAfter = time.Second
	maxAttached        = 512
)

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
	return &parker{epfd: epfd, evfd: evfd, detachAfter: defaultDetachAfter, sleep: -1, epoch: time.Now()}, nil
}

// setDetachAfter sets how long parked connections stay attached (tests of
// either stage pin it, so that a slow machine does not switch stages).
func (pk *parker) setDetachAfter(d time.Duration) {
	pk.mu.Lock()
	pk.detachAfter = d
	pk.mu.Unlock()
}

// clock is the parker's monotonic time in nanoseconds, never 0.
func (pk *parker) clock(t time.Time) int64 { return int64(t.Sub(pk.epoch)) + 1 }

const parkEvents = unix.EPOLLIN | unix.EPOLLRDHUP | unix.EPOLLONESHOT

// park registers cc, whose goroutine is about to return, until bytes
// arrive or the keep-alive deadline dl (zero: none) passes. False when the
// parker is stopped or the registration failed (cc then stays with its
// goroutine).
func (pk *parker) park(cc *clientConn, dl time.Time) bool {
	pk.mu.Lock()
	defer pk.mu.Unlock()
	if pk.stopped {
		return false
	}
	pk.p = cc.p
	pk.grow(cc.fd)
	ev := unix.EpollEvent{Events: parkEvents, Fd: int32(cc.fd)}
	if err := unix.EpollCtl(pk.epfd, unix.EPOLL_CTL_ADD, cc.fd, &ev); err != nil {
		return false
	}
	now := time.Now()
	e := &pk.byFD[cc.fd]
	*e = parked{cc: cc, hi: -1}
	if !dl.IsZero() {
		e.exp = pk.clock(dl)
	}
	e.due = e.exp
	if cc.canDetach() {
		wait := pk.detachAfter
		if pk.n-pk.nDet >= maxAttached {
			wait = 0 // enough runtime structures kept already
		}
		if at := pk.clock(now.Add(wait)); e.due == 0 || at < e.due {
			e.due = at
		}
	}
	pk.n++
	cc.parked = true
	pk.schedule(cc.fd)
	return true
}

// grow makes room for descriptor fd; pk.mu held.
func (pk *parker) grow(fd int) {
	if fd < len(pk.byFD) {
		return
	}
	grown := make([]parked, max(fd+1, len(pk.byFD)+len(pk.byFD)/4, 1024))
	copy(grown, pk.byFD)
	pk.byFD = grown
}

// claim takes the attached cc out of the parker; false when it is not
// parked (someone else claimed it first). The caller then owns it.
func (pk *parker) claim(cc *clientConn) bool {
	if pk == nil {
		return false
	}
	pk.mu.Lock()
	defer pk.mu.Unlock()
	if !cc.parked {
		return false
	}
	pk.remove(cc.fd)
	return true
}

// remove takes fd out of the epoll set, the heap and byFD; pk.mu held.
func (pk *parker) remove(fd int) parked {
	e := pk.byFD[fd]
	if e.cc != nil {
		e.cc.parked = false
	} else {
		pk.nDet--
	}
	if e.hi >= 0 {
		pk.unschedule(int(e.hi))
	}
	_ = unix.EpollCtl(pk.epfd, unix.EPOLL_CTL_DEL, fd, nil)
	pk.byFD[fd] = parked{}
	pk.n--
	return e
}

// parkedCount is the number of parked connections; detachedCount those of
// them detached.
func (pk *parker) parkedCount() int {
	pk.mu.Lock()
	defer pk.mu.Unlock()
	return pk.n
}

// resumingCount is the number of detached connections being rebuilt.
func (pk *parker) resumingCount() int {
	if pk == nil {
		return 0
	}
	return int(pk.resuming.Load())
}

func (pk *parker) detachedCount() int {
	pk.mu.Lock()
	defer pk.mu.Unlock()
	return pk.nDet
}

// run waits for parked connections to become readable and resumes them on
// new goroutines, and acts on their deadlines, until done closes.
// Connections still parked then stay registered for Shutdown to close
// (closeIdle); the epoll set is closed by Shutdown, in close.
func (pk *parker) run(done <-chan struct{}) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		<-done
		pk.mu.Lock()
		pk.quit = true
		pk.mu.Unlock()
		pk.wake()
	}()
	defer wg.Wait()
	events := make([]unix.EpollEvent, 256)
	for pk.step(events) {
	}
	pk.mu.Lock()
	pk.stopped = true
	pk.mu.Unlock()
}

// step waits once (until the earliest deadline), resumes what became
// readable, then acts on the deadlines that passed; false when run must
// return.
func (pk *parker) step(events []unix.EpollEvent) bool {
	timeout := -1
	pk.mu.Lock()
	if pk.quit {
		pk.mu.Unlock()
		return false
	}
	pk.sleep = -1
	if len(pk.timers) > 0 {
		pk.sleep = pk.byFD[pk.timers[0]].due
	}
	if pk.trimAt != 0 && (pk.sleep < 0 || pk.trimAt < pk.sleep) {
		pk.sleep = pk.trimAt
	}
	if pk.sleep >= 0 {
		d := pk.sleep - pk.clock(time.Now())
		timeout = int(max(0, (d+int64(time.Millisecond)-1)/int64(time.Millisecond)))
	}
	pk.mu.Unlock()
	n, err := unix.EpollWait(pk.epfd, events, timeout)
	if err != nil && !errors.Is(err, unix.EINTR) {
		return false
	}
	for i := range events[:max(n, 0)] {
		fd := int(events[i].Fd)
		if fd == pk.evfd {
			var b [8]byte
			_, _ = unix.Read(pk.evfd, b[:])
			continue
		}
		pk.resume(fd)
	}
	now := time.Now()
	if nd := pk.timersDue(now); nd > 0 {
		pk.sinceTrim += nd
		pk.trimAt = pk.clock(now.Add(trimQuiet))
		if pk.lastTrim != 0 {
			pk.trimAt = max(pk.trimAt, pk.lastTrim+int64(trimEvery))
		}
	}
	if pk.trimAt != 0 && pk.clock(now) >= pk.trimAt {
		pk.trim(now)
	}
	return true
}

// resume claims the connection parked on fd and serves it on a new
// goroutine.
func (pk *parker) resume(fd int) {
	pk.mu.Lock()
	if fd >= len(pk.byFD) || !pk.byFD[fd].inUse() {
		pk.mu.Unlock()
		return
	}
	e := pk.remove(fd)
	p := pk.p
	if e.cc == nil {
		pk.resuming.Add(1)
	}
	pk.mu.Unlock()
	if e.cc != nil {
		go e.cc.resume()
		return
	}
	go p.resumeDetached(fd, e)
}

// end closes a parked connection claimed from the parker silently (an
// idle keep-alive connection closes so in HAProxy) and releases what
// serveConn took for it.
func (pk *parker) end(fd int, e *parked) {
	if e.cc != nil {
		e.cc.closeConn()
		e.cc.end()
		return
	}
	_ = unix.Close(fd)
	pk.p.connDone(e.fe)
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
