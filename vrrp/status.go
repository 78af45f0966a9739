package vrrp

import "time"

// Status is an instance as `haappliance status` shows it (SPEC §9.5).
type Status struct {
	Name              string        `json:"name"`
	State             string        `json:"state"` // INIT, BACKUP, MASTER, FAULT
	BasePriority      int           `json:"base_priority"`
	EffectivePriority int           `json:"effective_priority"`
	VIPs              []VIPStatus   `json:"vips"`
	Master            string        `json:"master"` // the master's address as last seen on the wire ("" before any)
	Since             time.Time     `json:"since"`  // time of the last transition
	Reason            string        `json:"reason"` // why it happened
	Tracks            []TrackStatus `json:"tracks"`
}

// VIPStatus is one virtual address and whether this host holds it.
type VIPStatus struct {
	Address string `json:"address"`
	Held    bool   `json:"held"`
}

// TrackStatus is one track entry and its last known health.
type TrackStatus struct {
	Kind   string `json:"kind"`
	Target string `json:"target"`
	Weight int    `json:"weight"`
	OK     bool   `json:"ok"`
}

// StateValue is the state as the gauge haappliance_vrrp_state encodes it:
// 0 init, 1 backup, 2 master, 3 fault.
func StateValue(state string) int {
	switch state {
	case "BACKUP":
		return 1
	case "MASTER":
		return 2
	case "FAULT":
		return 3
	}
	return 0
}

// Snapshot returns the instance's status. Safe for concurrent use.
func (in *Instance) Snapshot() Status {
	in.statusMu.Lock()
	defer in.statusMu.Unlock()
	s := in.status
	s.VIPs = append([]VIPStatus(nil), s.VIPs...)
	s.Tracks = append([]TrackStatus(nil), s.Tracks...)
	return s
}
