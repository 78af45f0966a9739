package vrrp

import "fmt"

// TrackUpdate reports the health of one track entry of an instance: Index
// is its position in the instance's track list. The evaluation of frontend,
// backend and script tracks happens outside this package (the wiring in
// cmd/haappliance feeds them through [Instance.SetTrack] or
// [Group.SetTrack]); interface tracks are followed by the Group itself.
type TrackUpdate struct {
	Index int
	OK    bool
}

// trackStates is the OK flag of every track of an instance. A track not yet
// reported counts as OK, as keepalived treats a script without init_fail.
type trackStates []bool

// effective computes keepalived's effective priority from a base priority
// and the tracks: a positive weight is added while its track holds, a
// negative weight added (subtracted) while it fails, and a failing track of
// weight 0 puts the instance in FAULT. The result is clamped to 1..254; an
// address owner (255) keeps 255.
func effective(base int, tracks []TrackConfig, ok trackStates) (prio int, fault bool, why string) {
	prio = base
	for i := range tracks {
		t := &tracks[i]
		good := i >= len(ok) || ok[i]
		switch {
		case t.Weight == 0 && !good:
			if !fault {
				fault, why = true, fmt.Sprintf("track %s %s failed", t.Kind(), t.Target())
			}
		case t.Weight > 0 && good, t.Weight < 0 && !good:
			prio += t.Weight
		}
	}
	if base == PriorityOwner {
		return PriorityOwner, fault, why
	}
	return min(max(prio, 1), 254), fault, why
}
