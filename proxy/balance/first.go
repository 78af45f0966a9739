package balance

// first (HAProxy's fas): the first server in declaration order (HAProxy's
// server id order) that is below its maxconn. Weights are ignored except
// that weight 0 takes no traffic. Without maxconn the first server takes
// everything, which is the point: the others may be powered down off peak.
func (b *Balancer) pickFirst(s *snapshot) (int, error) {
	for _, m := range s.pool {
		if !b.targets[m.idx].Full() {
			return int(m.idx), nil
		}
	}
	return -1, ErrAllFull
}
