package vrrp

import (
	"fmt"
	"net/netip"
	"time"
)

// State is a VRRP state (RFC 5798 §6.4), plus keepalived's FAULT.
type State uint8

const (
	StateInit State = iota
	StateBackup
	StateMaster
	StateFault
)

func (s State) String() string {
	switch s {
	case StateBackup:
		return "BACKUP"
	case StateMaster:
		return "MASTER"
	case StateFault:
		return "FAULT"
	}
	return "INIT"
}

// Machine is the VRRP state machine of one virtual router. It does no I/O
// and reads no clock: Step is given the time, and Next says when it wants
// to be stepped with InTimer. One goroutine owns it.
type Machine struct {
	p        Params
	state    State
	priority uint8 // effective priority
	fault    bool
	faultWhy string
	primary  netip.Addr // local primary address, for the tie-break

	masterAdverInt time.Duration
	master         netip.Addr // last master heard
	masterPrio     uint8
	stopping       bool
	sawStop        bool // the master sent priority 0

	adverAt, downAt, garpAt, refreshAt, stopAt time.Time
	preemptAt                                  time.Time
	splitBrainAt                               time.Time
}

// NewMachine returns a machine in Initialize with the given effective
// priority and local primary address.
func NewMachine(p Params, priority uint8, primary netip.Addr) *Machine {
	return &Machine{p: p, priority: priority, primary: primary, masterAdverInt: p.Interval}
}

// State is the current state.
func (m *Machine) State() State { return m.state }

// Priority is the effective priority.
func (m *Machine) Priority() uint8 { return m.priority }

// Master is the address of the master last heard (the local primary
// address while master).
func (m *Machine) Master() netip.Addr { return m.master }

// Stopping reports whether a graceful stop is in progress.
func (m *Machine) Stopping() bool { return m.stopping }

// SetPrimary changes the local primary address (interface readdressed).
func (m *Machine) SetPrimary(a netip.Addr) {
	m.primary = a
	if m.state == StateMaster {
		m.master = a
	}
}

// SkewTime is Skew_Time for the current priority.
func (m *Machine) SkewTime() time.Duration {
	return SkewTime(m.p.Version, m.priority, m.masterAdverInt)
}

// SkewTime is Skew_Time of a backup at priority (RFC 5798 §6.1: scaled by
// Master_Adver_Interval in v3; RFC 3768: (256-Priority)/256 s in v2).
func SkewTime(version int, priority uint8, masterAdverInt time.Duration) time.Duration {
	unit := masterAdverInt
	if version == 2 {
		unit = time.Second
	}
	return time.Duration(256-int64(priority)) * unit / 256
}

// MasterDownInterval is 3 × Master_Adver_Interval + Skew_Time (v3), or
// 3 × Advertisement_Interval + Skew_Time (v2).
func (m *Machine) MasterDownInterval() time.Duration {
	iv := m.masterAdverInt
	if m.p.Version == 2 {
		iv = m.p.Interval
	}
	return 3*iv + m.SkewTime()
}

// Next is the earliest armed deadline, or the zero time when none is.
func (m *Machine) Next() time.Time {
	var n time.Time
	for _, t := range [...]time.Time{m.adverAt, m.downAt, m.garpAt, m.refreshAt, m.stopAt} {
		if !t.IsZero() && (n.IsZero() || t.Before(n)) {
			n = t
		}
	}
	return n
}

// Step applies one input at time now and returns the actions to perform.
func (m *Machine) Step(now time.Time, in Input) Output {
	var o Output
	switch in.Kind {
	case InStart:
		m.start(now, &o)
	case InAdvert:
		m.advert(now, in, &o)
	case InTimer:
		m.timer(now, &o)
	case InPriority:
		m.setPriority(now, in, &o)
	case InStop:
		m.stop(now, &o)
	}
	return o
}

func (m *Machine) start(now time.Time, o *Output) {
	if m.state != StateInit || m.stopping {
		return
	}
	switch {
	case m.fault:
		m.enterFault(o, m.faultWhy)
	case m.priority == PriorityOwner:
		m.becomeMaster(now, o, "address owner (priority 255)")
	default:
		o.RemoveVIPs = true // reconcile addresses left by an earlier run
		reason := "startup"
		if m.p.InitialMaster {
			reason = "startup, initial state MASTER"
		}
		m.becomeBackup(now, o, reason)
		if m.p.InitialMaster {
			m.downAt = now.Add(m.p.Interval)
		}
	}
}

func (m *Machine) transition(o *Output, to State, reason string) {
	o.Transition, o.From, o.To, o.Reason = true, m.state, to, reason
	m.state = to
}

func (m *Machine) becomeMaster(now time.Time, o *Output, reason string) {
	m.transition(o, StateMaster, reason)
	o.SendAdvert, o.AdvertPriority = true, m.priority
	o.AddVIPs, o.Announce = true, true
	m.master, m.masterPrio = m.primary, m.priority
	m.downAt, m.preemptAt = time.Time{}, time.Time{}
	m.adverAt = now.Add(m.p.Interval)
	// The previous master's last adverts may cross ours while it learns of
	// us (a preemption, a start next to a running master): for one
	// Master_Down_Interval another master is a hand-over, not a split
	// brain, and is resolved silently by the same rules.
	m.splitBrainAt = now.Add(m.MasterDownInterval())
	if m.p.GARPDelay > 0 {
		m.garpAt = now.Add(m.p.GARPDelay)
	}
	if m.p.GARPRefresh > 0 {
		m.refreshAt = now.Add(m.p.GARPRefresh)
	}
}

func (m *Machine) becomeBackup(now time.Time, o *Output, reason string) {
	if m.state == StateMaster {
		o.RemoveVIPs = true
	}
	m.transition(o, StateBackup, reason)
	m.adverAt, m.garpAt, m.refreshAt = time.Time{}, time.Time{}, time.Time{}
	m.sawStop = false
	m.downAt = now.Add(m.MasterDownInterval())
}

func (m *Machine) enterFault(o *Output, reason string) {
	if m.state == StateMaster {
		// As keepalived: tell the backup at once, if the link still allows.
		o.SendAdvert, o.AdvertPriority = true, PriorityStop
	}
	o.RemoveVIPs = true
	m.transition(o, StateFault, reason)
	m.adverAt, m.downAt, m.garpAt, m.refreshAt, m.preemptAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}, time.Time{}
}

func (m *Machine) advert(now time.Time, in Input, o *Output) {
	switch m.state {
	case StateBackup:
		m.backupAdvert(now, in)
	case StateMaster:
		if m.stopping {
			if in.Priority != PriorityStop {
				// The new master is heard: hand over now.
				m.master, m.masterPrio = in.Src, in.Priority
				m.finishStop(o)
			}
			return
		}
		m.masterAdvert(now, in, o)
	}
}

func (m *Machine) backupAdvert(now time.Time, in Input) {
	m.master, m.masterPrio = in.Src, in.Priority
	if in.Priority == PriorityStop {
		m.sawStop = true
		m.downAt = now.Add(m.SkewTime())
		return
	}
	m.sawStop = false
	lower := in.Priority < m.priority
	if m.p.Preempt && lower {
		if m.p.PreemptDelay <= 0 {
			return // let Master_Down_Timer expire: preemption
		}
		if m.preemptAt.IsZero() {
			m.preemptAt = now.Add(m.p.PreemptDelay)
		}
		if !now.Before(m.preemptAt) {
			return
		}
	} else if !lower {
		m.preemptAt = time.Time{}
	}
	if m.p.Version == 3 && in.Interval > 0 {
		m.masterAdverInt = in.Interval
	}
	m.downAt = now.Add(m.MasterDownInterval())
}

func (m *Machine) masterAdvert(now time.Time, in Input, o *Output) {
	if in.Priority == PriorityStop {
		o.SendAdvert, o.AdvertPriority = true, m.priority
		m.adverAt = now.Add(m.p.Interval)
		return
	}
	higher := in.Priority > m.priority || (in.Priority == m.priority && in.Src.Compare(m.primary) > 0)
	if higher {
		if in.Priority == m.priority {
			m.splitBrain(now, in, o)
		}
		if m.p.Version == 3 && in.Interval > 0 {
			m.masterAdverInt = in.Interval
		}
		reason := fmt.Sprintf("higher priority advert from %s (priority %d)", in.Src, in.Priority)
		if in.Priority == m.priority {
			reason = fmt.Sprintf("advert from %s with equal priority %d and higher address", in.Src, in.Priority)
		}
		m.becomeBackup(now, o, reason)
		m.master, m.masterPrio = in.Src, in.Priority
		return
	}
	// A lower-priority master: it did not hear us (a split brain healing).
	// Advertise and announce at once so the segment learns our MAC again.
	m.splitBrain(now, in, o)
	o.SendAdvert, o.AdvertPriority = true, m.priority
	o.Announce = true
	m.adverAt = now.Add(m.p.Interval)
}

// splitBrain reports another master, at most once per Master_Down_Interval.
func (m *Machine) splitBrain(now time.Time, in Input, o *Output) {
	if !m.splitBrainAt.IsZero() && now.Before(m.splitBrainAt) {
		return
	}
	m.splitBrainAt = now.Add(m.MasterDownInterval())
	o.SplitBrain, o.Peer, o.PeerPriority = true, in.Src, in.Priority
}

func (m *Machine) timer(now time.Time, o *Output) {
	if !m.stopAt.IsZero() && !now.Before(m.stopAt) {
		m.finishStop(o)
		return
	}
	switch m.state {
	case StateBackup:
		if !m.downAt.IsZero() && !now.Before(m.downAt) {
			reason := "master down timer expired"
			switch {
			case m.sawStop:
				reason = fmt.Sprintf("master %s sent priority 0", m.master)
			case m.master.IsValid() && m.masterPrio < m.priority && m.p.Preempt:
				reason = fmt.Sprintf("preempting lower priority master %s (priority %d)", m.master, m.masterPrio)
			case m.p.InitialMaster && !m.master.IsValid():
				reason = "initial state MASTER, no higher priority master heard"
			case !m.master.IsValid():
				reason = "no master heard"
			}
			m.becomeMaster(now, o, reason)
		}
	case StateMaster:
		if !m.adverAt.IsZero() && !now.Before(m.adverAt) {
			o.SendAdvert, o.AdvertPriority = true, m.priority
			m.adverAt = now.Add(m.p.Interval)
		}
		if !m.garpAt.IsZero() && !now.Before(m.garpAt) {
			o.Announce = true
			m.garpAt = time.Time{}
		}
		if !m.refreshAt.IsZero() && !now.Before(m.refreshAt) {
			o.Announce = true
			m.refreshAt = now.Add(m.p.GARPRefresh)
		}
	}
}

func (m *Machine) setPriority(now time.Time, in Input, o *Output) {
	m.priority = in.Priority
	m.fault, m.faultWhy = in.Fault, in.Reason
	if m.state == StateMaster {
		m.masterPrio = m.priority
	}
	if m.stopping {
		return
	}
	switch {
	case m.state == StateInit:
	case in.Fault && m.state != StateFault:
		m.enterFault(o, in.Reason)
	case !in.Fault && m.state == StateFault:
		if m.priority == PriorityOwner {
			m.becomeMaster(now, o, "fault cleared, address owner")
			return
		}
		m.master = netip.Addr{}
		m.masterAdverInt = m.p.Interval
		m.becomeBackup(now, o, "fault cleared: "+in.Reason)
	}
}

func (m *Machine) stop(now time.Time, o *Output) {
	if m.stopping {
		return
	}
	m.stopping = true
	if m.state != StateMaster {
		o.RemoveVIPs = true
		m.finishStop(o)
		return
	}
	// RFC 5798 §6.4.3: send priority 0. Keep the VIPs until the new master
	// is heard, bounded by Master_Down_Interval (SPEC §3).
	o.SendAdvert, o.AdvertPriority = true, PriorityStop
	m.adverAt, m.garpAt, m.refreshAt = time.Time{}, time.Time{}, time.Time{}
	m.stopAt = now.Add(m.MasterDownInterval())
}

func (m *Machine) finishStop(o *Output) {
	o.RemoveVIPs = true
	o.Stopped = true
	if m.state != StateInit {
		m.transition(o, StateInit, "stopped")
	}
	m.adverAt, m.downAt, m.garpAt, m.refreshAt, m.stopAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}, time.Time{}
}
