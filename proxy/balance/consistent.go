package balance

import "slices"

// HAProxy's consistent hashing (lb_chash.c): every server owns weight*16
// points on a 32-bit ring (BE_WEIGHT_SCALE = 16), point k of the server with
// id puid sitting at full_hash(puid*4096 + k) (SRV_EWGHT_RANGE = 4096). A
// hash selects the server of the closest point, before or after it (the
// earlier one on a tie). Server ids are 1-based declaration order, HAProxy's
// default when no "id" is configured, so with the same servers, weights and
// hash function a key lands on the same server as under HAProxy.
//
// Removing a server removes only its own points: the keys it owned move to
// their next-closest servers and no other key moves.

const (
	weightScale = 16                      // BE_WEIGHT_SCALE
	ewghtRange  = MaxWeight * weightScale // SRV_EWGHT_RANGE
)

type ringPoint struct {
	key uint32
	idx int32 // target index
}

// buildRing returns the sorted ring points of pool.
func buildRing(pool []member) []ringPoint {
	n := 0
	for _, m := range pool {
		n += m.weight * weightScale
	}
	pts := make([]ringPoint, 0, n)
	for _, m := range pool {
		base := (uint32(m.idx) + 1) * ewghtRange
		for k := range m.weight * weightScale {
			pts = append(pts, ringPoint{key: fullHash(base + uint32(k)), idx: m.idx})
		}
	}
	slices.SortStableFunc(pts, func(a, b ringPoint) int {
		switch {
		case a.key < b.key:
			return -1
		case a.key > b.key:
			return 1
		}
		return 0
	})
	return pts
}

// ringLookup returns the target index of the point closest to h.
func ringLookup(pts []ringPoint, h uint32) int32 {
	// First point with key >= h, wrapping to the first point.
	lo, hi := 0, len(pts)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if pts[mid].key < h {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	if lo == len(pts) {
		lo = 0
	}
	prev := lo - 1
	if prev < 0 {
		prev = len(pts) - 1
	}
	next, before := pts[lo], pts[prev]
	if next.idx == before.idx {
		return next.idx
	}
	// Distances on the ring, modulo 2^32.
	if h-before.key <= next.key-h {
		return before.idx
	}
	return next.idx
}
