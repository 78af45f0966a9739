package balance

// leastconn (HAProxy's fwlc): the server with the fewest current connections
// relative to its weight, Active/Weight compared by cross-multiplication so
// no division or rounding is involved. Servers with the same load take turns:
// the scan starts one server further at every pick and keeps the first of
// the least loaded, which is HAProxy's round robin among equal keys. Full
// servers are skipped. Active is read live from the targets: O(n) per pick,
// lock-free.
//
// HAProxy 2.6 orders by (inflight+1)/weight; the order differs from
// inflight/weight only on rare exact ties between different weights.
func (b *Balancer) pickLeastConn(s *snapshot) (int, error) {
	return b.leastLoaded(s.pool, int(b.rotate.Add(1)%uint64(len(s.pool))))
}

// leastLoaded scans pool once from position start and returns the member
// with room whose current connections per weight are the fewest, the first
// one met on a tie, or ErrAllFull.
func (b *Balancer) leastLoaded(pool []member, start int) (int, error) {
	n := len(pool)
	i := start
	best, bestActive, bestWeight := -1, 0, 1
	for range n {
		m := pool[i]
		if t := b.targets[m.idx]; !t.Full() {
			a := t.Active()
			if best < 0 || a*bestWeight < bestActive*m.weight {
				best, bestActive, bestWeight = i, a, m.weight
			}
		}
		if i++; i == n {
			i = 0
		}
	}
	if best < 0 {
		return -1, ErrAllFull
	}
	return int(pool[best].idx), nil
}
