package balance

import "math/rand/v2"

// random (HAProxy's random(N), "power of N choices"): N servers are drawn at
// random, each with a probability proportional to its weight, and the one
// with the lowest Active/Weight wins (on a tie, the later draw, as in
// HAProxy's get_server_rnd). N defaults to 2.
//
// Differences from HAProxy 2.6, on purpose: the draw is exactly weight-
// proportional (HAProxy draws a point on the consistent-hash ring, whose arcs
// are only roughly proportional); and a full server is not a candidate — when
// no draw found a free server, a scan from a random position takes the least
// loaded free one, so ErrAllFull means that every usable server is full
// (HAProxy queues in the backend as soon as the winner is full).
//
// The generator is math/rand/v2's, per-thread and lock-free.

// cumulative returns the running weight totals of pool.
func cumulative(pool []member) []uint64 {
	out := make([]uint64, len(pool))
	var t uint64
	for i, m := range pool {
		t += uint64(m.weight)
		out[i] = t
	}
	return out
}

// draw returns the pool position of a weight-proportional random member.
func draw(cum []uint64) int {
	r := rand.Uint64N(cum[len(cum)-1])
	lo, hi := 0, len(cum)-1
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if cum[mid] <= r {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo
}

func (b *Balancer) pickRandom(s *snapshot) (int, error) {
	pool := s.pool
	best, bestActive, bestWeight := -1, 0, 1
	for range b.alg.draws() {
		i := draw(s.cum)
		m := pool[i]
		t := b.targets[m.idx]
		if i == best || t.Full() {
			continue
		}
		a := t.Active()
		// Keep the previous choice only if strictly less loaded.
		if best < 0 || a*bestWeight <= bestActive*m.weight {
			best, bestActive, bestWeight = i, a, m.weight
		}
	}
	if best >= 0 {
		return int(pool[best].idx), nil
	}
	return b.leastLoaded(pool, rand.IntN(len(pool)))
}
