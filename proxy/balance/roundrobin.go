package balance

// Weighted round robin, shared by roundrobin, static-rr and the round-robin
// fallback of the hashing algorithms (one implementation, not three).
//
// Distribution: a cycle of sum(weight/g) picks (g = GCD of the pool's
// weights) in which every server appears exactly weight/g times, spread as
// evenly as possible: occurrence k (0-based) of a server of weight w is due
// at (2k+1)/(2w) of the cycle, and the cycle lists the occurrences by due
// time, the earlier-declared server first on a tie. Weights 3:1 give
// A A B A, 2:1 give A B A, 1:1:1 give A B C, 5:2:1 give A B A A C A B A —
// the smooth interleaving of HAProxy's roundrobin, never AAAB bursts.
//
// HAProxy's roundrobin (lb_fwrr.c) interleaves like this; its static-rr walks
// the map-based table instead, which groups a server's turns (3:1 gives
// A A A B). Here static-rr uses the smooth cycle too: the same counts per
// cycle, without the burst.
//
// The cycle is built by Update (O(L log n) for a cycle of length L) and
// walked by Pick with one atomic cursor, so a weight or state change takes
// effect at the very next pick, and concurrent picks take no lock. A server
// at its maxconn is skipped, the cursor moving past it as HAProxy's does.

type due struct {
	k, w int // next occurrence, weight
	pos  int // pool position, the tie-breaker
}

// before reports whether a is due before b: (2ka+1)/(2wa) < (2kb+1)/(2wb).
func (a due) before(b due) bool {
	l, r := (2*a.k+1)*b.w, (2*b.k+1)*a.w
	if l != r {
		return l < r
	}
	return a.pos < b.pos
}

// buildSchedule returns the round-robin cycle of pool, as target indices.
func buildSchedule(pool []member) []int32 {
	g, total := weightGCD(pool), 0
	h := make([]due, len(pool))
	for i, m := range pool {
		h[i] = due{w: m.weight / g, pos: i}
		total += m.weight / g
	}
	// h is sorted by pos with k = 0, so ordering by 1/(2w) needs a heapify.
	for i := len(h)/2 - 1; i >= 0; i-- {
		siftDown(h, i)
	}
	out := make([]int32, 0, total)
	for len(h) > 0 {
		top := h[0]
		out = append(out, pool[top.pos].idx)
		top.k++
		if top.k < top.w {
			h[0] = top
		} else {
			h[0] = h[len(h)-1]
			h = h[:len(h)-1]
		}
		siftDown(h, 0)
	}
	return out
}

func siftDown(h []due, i int) {
	for {
		l := 2*i + 1
		if l >= len(h) {
			return
		}
		c := l
		if r := l + 1; r < len(h) && h[r].before(h[l]) {
			c = r
		}
		if !h[c].before(h[i]) {
			return
		}
		h[i], h[c] = h[c], h[i]
		i = c
	}
}

// pickRR returns the next non-full server of the cycle.
func (b *Balancer) pickRR(s *snapshot) (int, error) {
	sched := s.sched
	n := uint64(len(sched))
	pos := b.rr.Add(1) - 1
	i := pos % n
	for j := range n {
		if j == uint64(len(s.pool)) && !b.anyFree(s.pool) {
			// Every distinct server was seen full or is full: stop early
			// rather than walk a long cycle.
			return -1, ErrAllFull
		}
		idx := sched[i]
		if !b.targets[idx].Full() {
			if j > 0 {
				// Resume after the server chosen, not on the full ones
				// just skipped; losing the race to another Pick is fine.
				b.rr.CompareAndSwap(pos+1, pos+j+1)
			}
			return int(idx), nil
		}
		if i++; i == n {
			i = 0
		}
	}
	return -1, ErrAllFull
}
