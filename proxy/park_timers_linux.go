package proxy

import (
	goruntime "runtime"
	"runtime/debug"
	"time"

	"golang.org/x/sys/unix"
)

// schedule puts fd's timer in the heap and wakes run if it is now the
// earliest; pk.mu held.
func (pk *parker) schedule(fd int) {
	e := &pk.byFD[fd]
	if e.due == 0 {
		return
	}
	e.hi = int32(len(pk.timers))
	pk.timers = append(pk.timers, int32(fd))
	pk.up(int(e.hi))
	if pk.sleep < 0 || e.due < pk.sleep {
		pk.wake()
	}
}

// wake interrupts run's epoll_wait.
func (pk *parker) wake() {
	one := [8]byte{1}
	_, _ = unix.Write(pk.evfd, one[:])
}

// Detaching frees the runtime's structures and the clientConn, but only
// for the garbage collector, which runs when the heap grows: a proxy whose
// connections went idle allocates nothing, so that memory, and the freed
// goroutine stacks and buffers of the burst before, would stay with the
// process until the runtime's forced collection two minutes later, and
// its free pages with the process (the scavenger keeps what the last heap
// goal allowed). So when a burst of detaching is over (trimQuiet without
// one) and it detached at least trimMin connections (some MB freed), run
// collects twice (the second frees the buffer pools' contents) and returns
// the free memory to the system (debug.FreeOSMemory), at most every
// trimEvery, in the background. A
// busy proxy never gets there: detaching never pauses, and its
// allocations make the collector run anyway.
const (
	trimQuiet = 250 * time.Millisecond
	trimMin   = 1024
	trimEvery = 5 * time.Second
)

// trim starts debug.FreeOSMemory in the background when enough was
// detached since the last one; run's goroutine.
func (pk *parker) trim(now time.Time) {
	pk.trimAt = 0
	if pk.sinceTrim < trimMin || !pk.trimming.CompareAndSwap(false, true) {
		return
	}
	pk.sinceTrim = 0
	pk.lastTrim = pk.clock(now)
	go func() {
		defer pk.trimming.Store(false)
		// Two collections: the first moves the buffer pools' contents
		// (sync.Pool) to their victim caches, the second frees them.
		goruntime.GC()
		debug.FreeOSMemory()
	}()
}

// timersDue detaches or expires the connections whose deadline passed and
// returns how many it detached. Detaching takes p.mu (it removes the
// clientConn from p.conns), so it is done in batches.
func (pk *parker) timersDue(now time.Time) (detached int) {
	const batch = 64
	var expired [batch]parked
	var expiredFD [batch]int
	for {
		pk.mu.Lock()
		p := pk.p
		pk.mu.Unlock()
		if p == nil {
			return 0
		}
		t := pk.clock(now)
		ne, nd := 0, 0
		p.mu.Lock()
		pk.mu.Lock()
		for len(pk.timers) > 0 && ne < batch && nd < batch {
			fd := int(pk.timers[0])
			e := &pk.byFD[fd]
			if e.due > t {
				break
			}
			if e.exp != 0 && e.exp <= t {
				expired[ne], expiredFD[ne] = pk.remove(fd), fd
				ne++
				continue
			}
			nd++
			if pk.detach(fd) {
				detached++
			} else {
				// Could not detach: keep it attached until it expires.
				pk.unschedule(int(e.hi))
				e.due = e.exp
				pk.schedule(fd)
			}
		}
		more := len(pk.timers) > 0 && pk.byFD[pk.timers[0]].due <= t
		pk.mu.Unlock()
		p.mu.Unlock()
		for i := range expired[:ne] {
			pk.end(expiredFD[i], &expired[i])
		}
		if !more {
			return detached
		}
	}
}

// The timer heap: pk.timers holds descriptors ordered by byFD[fd].due,
// and byFD[fd].hi is the position of fd in it.

func (pk *parker) less(i, j int) bool {
	return pk.byFD[pk.timers[i]].due < pk.byFD[pk.timers[j]].due
}

func (pk *parker) swap(i, j int) {
	pk.timers[i], pk.timers[j] = pk.timers[j], pk.timers[i]
	pk.byFD[pk.timers[i]].hi = int32(i)
	pk.byFD[pk.timers[j]].hi = int32(j)
}

func (pk *parker) up(j int) {
	for j > 0 {
		i := (j - 1) / 2
		if !pk.less(j, i) {
			break
		}
		pk.swap(i, j)
		j = i
	}
}

func (pk *parker) down(i int) {
	n := len(pk.timers)
	for {
		l := 2*i + 1
		if l >= n {
			return
		}
		j := l
		if r := l + 1; r < n && pk.less(r, l) {
			j = r
		}
		if !pk.less(j, i) {
			return
		}
		pk.swap(i, j)
		i = j
	}
}

// unschedule removes the timer at heap index i.
func (pk *parker) unschedule(i int) {
	last := len(pk.timers) - 1
	fd := pk.timers[i]
	if i != last {
		pk.swap(i, last)
	}
	pk.timers = pk.timers[:last]
	pk.byFD[fd].hi = -1
	if i != last {
		pk.down(i)
		pk.up(i)
	}
}
