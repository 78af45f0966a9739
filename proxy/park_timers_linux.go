package proxy

import (
	"container/heap"
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
	heap.Fix(pk.timerHeap(), int(e.hi))
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

// timerHeap is the parker's timer heap for container/heap: pk.timers holds
// descriptors ordered by byFD[fd].due, and byFD[fd].hi is the position of
// fd in it. pk.mu held.
type timerHeap parker

func (pk *parker) timerHeap() *timerHeap { return (*timerHeap)(pk) }

func (h *timerHeap) Len() int { return len(h.timers) }

func (h *timerHeap) Less(i, j int) bool {
	return h.byFD[h.timers[i]].due < h.byFD[h.timers[j]].due
}

func (h *timerHeap) Swap(i, j int) {
	h.timers[i], h.timers[j] = h.timers[j], h.timers[i]
	h.byFD[h.timers[i]].hi = int32(i)
	h.byFD[h.timers[j]].hi = int32(j)
}

// Push adds descriptor x (an int32). schedule appends and fixes instead,
// which does not box the descriptor.
func (h *timerHeap) Push(x any) {
	fd := x.(int32)
	h.byFD[fd].hi = int32(len(h.timers))
	h.timers = append(h.timers, fd)
}

// Pop drops the last element (heap.Remove has moved the removed one
// there); the value is not used.
func (h *timerHeap) Pop() any {
	last := len(h.timers) - 1
	h.byFD[h.timers[last]].hi = -1
	h.timers = h.timers[:last]
	return nil
}

// unschedule removes the timer at heap index i.
func (pk *parker) unschedule(i int) { heap.Remove(pk.timerHeap(), i) }
