package vrrp

import (
	"net/netip"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

var (
	t0     = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	self   = netip.MustParseAddr("198.18.0.11")
	peerLo = netip.MustParseAddr("198.18.0.10") // lower address than self
	peerHi = netip.MustParseAddr("198.18.0.12") // higher address than self
)

func v3params() Params {
	return Params{Version: 3, Interval: time.Second, Preempt: true, GARPDelay: 5 * time.Second}
}

// step is one input at an offset from t0, with the expected output. A
// zero-Kind "timer" step at offset -1 means "at Next()".
type step struct {
	name  string
	at    time.Duration
	in    Input
	want  Output
	state State
}

const atNext = -1

func runSteps(t *testing.T, m *Machine, steps []step) {
	t.Helper()
	for i, s := range steps {
		now := t0.Add(s.at)
		if s.at == atNext {
			now = m.Next()
			if now.IsZero() {
				t.Fatalf("step %d %s: no timer armed", i, s.name)
			}
		}
		got := m.Step(now, s.in)
		if diff := cmp.Diff(s.want, got, cmpopts.EquateComparable(netip.Addr{})); diff != "" {
			t.Fatalf("step %d %s at %v: output (-want +got):\n%s", i, s.name, now.Sub(t0), diff)
		}
		if m.State() != s.state {
			t.Fatalf("step %d %s: state %v, want %v", i, s.name, m.State(), s.state)
		}
	}
}

func adv(prio uint8, src netip.Addr) Input {
	return Input{Kind: InAdvert, Priority: prio, Interval: time.Second, Src: src}
}

var (
	start = Input{Kind: InStart}
	tick  = Input{Kind: InTimer}
	stop  = Input{Kind: InStop}
)

func toMaster(reason string, prio uint8) Output {
	return Output{Transition: true, From: StateBackup, To: StateMaster, Reason: reason, SendAdvert: true, AdvertPriority: prio, AddVIPs: true, Announce: true}
}

func TestMachineTimers(t *testing.T) {
	tests := []struct {
		version  int
		interval time.Duration
		prio     uint8
		skew     time.Duration
		down     time.Duration
	}{
		// RFC 5798: Skew_Time = ((256 - Priority) * Master_Adver_Interval) / 256.
		{3, time.Second, 100, 609375 * time.Microsecond, 3609375 * time.Microsecond},
		{3, time.Second, 101, 605468750, 3605468750},
		{3, 100 * time.Millisecond, 100, 60937500, 360937500},
		{3, 100 * time.Millisecond, 254, 781250, 300781250},
		// RFC 3768: Skew_Time = (256 - Priority) / 256 seconds, whatever the interval.
		{2, time.Second, 100, 609375 * time.Microsecond, 3609375 * time.Microsecond},
		{2, 3 * time.Second, 200, 218750 * time.Microsecond, 9218750 * time.Microsecond},
	}
	for _, tc := range tests {
		m := NewMachine(Params{Version: tc.version, Interval: tc.interval}, tc.prio, self)
		if got := m.SkewTime(); got != tc.skew {
			t.Errorf("v%d %v prio %d: skew %v, want %v", tc.version, tc.interval, tc.prio, got, tc.skew)
		}
		if got := m.MasterDownInterval(); got != tc.down {
			t.Errorf("v%d %v prio %d: down %v, want %v", tc.version, tc.interval, tc.prio, got, tc.down)
		}
	}
}

func TestMachineTransitions(t *testing.T) {
	mdi100 := 3*time.Second + 609375*time.Microsecond // priority 100, 1 s
	tests := []struct {
		name   string
		params func(*Params)
		prio   uint8
		steps  []step
	}{
		{"backup becomes master when no advert is heard", nil, 100, []step{
			{"start", 0, start, Output{Transition: true, From: StateInit, To: StateBackup, Reason: "startup", RemoveVIPs: true}, StateBackup},
			{"just before the down interval", mdi100 - 1, tick, Output{}, StateBackup},
			{"down interval", mdi100, tick, toMaster("no master heard", 100), StateMaster},
			{"advert timer", mdi100 + time.Second, tick, Output{SendAdvert: true, AdvertPriority: 100}, StateMaster},
		}},
		{"address owner is master at once", nil, 255, []step{
			{"start", 0, start, Output{Transition: true, From: StateInit, To: StateMaster, Reason: "address owner (priority 255)", SendAdvert: true, AdvertPriority: 255, AddVIPs: true, Announce: true}, StateMaster},
			{"adverts every interval", atNext, tick, Output{SendAdvert: true, AdvertPriority: 255}, StateMaster},
		}},
		{"adverts of a higher priority master keep us backup", nil, 100, []step{
			{"start", 0, start, Output{Transition: true, From: StateInit, To: StateBackup, Reason: "startup", RemoveVIPs: true}, StateBackup},
			{"advert", 3 * time.Second, adv(101, peerHi), Output{}, StateBackup},
			{"old deadline passes", mdi100, tick, Output{}, StateBackup},
			{"equal priority also resets", 6 * time.Second, adv(100, peerLo), Output{}, StateBackup},
			{"silence", 6*time.Second + mdi100, tick, toMaster("master down timer expired", 100), StateMaster},
		}},
		{"priority 0 makes the backup take over after the skew time", nil, 100, []step{
			{"start", 0, start, Output{Transition: true, From: StateInit, To: StateBackup, Reason: "startup", RemoveVIPs: true}, StateBackup},
			{"advert", time.Second, adv(101, peerHi), Output{}, StateBackup},
			{"priority 0", 2 * time.Second, adv(0, peerHi), Output{}, StateBackup},
			{"before skew", 2*time.Second + 609375*time.Microsecond - 1, tick, Output{}, StateBackup},
			{"skew", 2*time.Second + 609375*time.Microsecond, tick, toMaster("master 198.18.0.12 sent priority 0", 100), StateMaster},
		}},
		{"preempt: a lower priority master is ignored", nil, 101, []step{
			{"start", 0, start, Output{Transition: true, From: StateInit, To: StateBackup, Reason: "startup", RemoveVIPs: true}, StateBackup},
			{"lower advert", time.Second, adv(100, peerLo), Output{}, StateBackup},
			{"lower advert", 2 * time.Second, adv(100, peerLo), Output{}, StateBackup},
			{"down interval from start", atNext, tick, toMaster("preempting lower priority master 198.18.0.10 (priority 100)", 101), StateMaster},
		}},
		{"no preempt: a lower priority master is followed", func(p *Params) { p.Preempt = false }, 101, []step{
			{"start", 0, start, Output{Transition: true, From: StateInit, To: StateBackup, Reason: "startup", RemoveVIPs: true}, StateBackup},
			{"lower advert", 3 * time.Second, adv(100, peerLo), Output{}, StateBackup},
			{"old deadline", 3*time.Second + 605468750 + 1, tick, Output{}, StateBackup},
		}},
		{"preempt_delay defers preemption", func(p *Params) { p.PreemptDelay = 10 * time.Second }, 101, []step{
			{"start", 0, start, Output{Transition: true, From: StateInit, To: StateBackup, Reason: "startup", RemoveVIPs: true}, StateBackup},
			{"lower advert starts the delay", time.Second, adv(100, peerLo), Output{}, StateBackup},
			{"still followed", 9 * time.Second, adv(100, peerLo), Output{}, StateBackup},
			{"after the delay it is ignored", 11 * time.Second, adv(100, peerLo), Output{}, StateBackup},
			{"takeover one down interval after the last followed advert", 9*time.Second + 3605468750, tick, toMaster("preempting lower priority master 198.18.0.10 (priority 100)", 101), StateMaster},
		}},
		{"initial state MASTER claims after one interval", func(p *Params) { p.InitialMaster = true }, 101, []step{
			{"start", 0, start, Output{Transition: true, From: StateInit, To: StateBackup, Reason: "startup, initial state MASTER", RemoveVIPs: true}, StateBackup},
			{"one interval", time.Second, tick, toMaster("initial state MASTER, no higher priority master heard", 101), StateMaster},
		}},
		{"master yields to a higher priority", nil, 100, []step{
			{"start", 0, start, Output{Transition: true, From: StateInit, To: StateBackup, Reason: "startup", RemoveVIPs: true}, StateBackup},
			{"master", mdi100, tick, toMaster("no master heard", 100), StateMaster},
			{"higher advert", 5 * time.Second, adv(101, peerLo), Output{Transition: true, From: StateMaster, To: StateBackup, Reason: "higher priority advert from 198.18.0.10 (priority 101)", RemoveVIPs: true}, StateBackup},
		}},
		{"master answers priority 0 with an advert", nil, 255, []step{
			{"start", 0, start, Output{Transition: true, From: StateInit, To: StateMaster, Reason: "address owner (priority 255)", SendAdvert: true, AdvertPriority: 255, AddVIPs: true, Announce: true}, StateMaster},
			{"priority 0", 500 * time.Millisecond, adv(0, peerLo), Output{SendAdvert: true, AdvertPriority: 255}, StateMaster},
			{"advert timer restarted", 1499 * time.Millisecond, tick, Output{}, StateMaster},
			{"advert timer", 1500 * time.Millisecond, tick, Output{SendAdvert: true, AdvertPriority: 255}, StateMaster},
		}},
		{"split brain: equal priority, higher address wins", nil, 255, []step{
			{"start", 0, start, Output{Transition: true, From: StateInit, To: StateMaster, Reason: "address owner (priority 255)", SendAdvert: true, AdvertPriority: 255, AddVIPs: true, Announce: true}, StateMaster},
			{"equal, lower address", 4100 * time.Millisecond, adv(255, peerLo), Output{SplitBrain: true, Peer: peerLo, PeerPriority: 255, SendAdvert: true, AdvertPriority: 255, Announce: true}, StateMaster},
			{"again: not logged twice", 4200 * time.Millisecond, adv(255, peerLo), Output{SendAdvert: true, AdvertPriority: 255, Announce: true}, StateMaster},
			{"equal, higher address", 4300 * time.Millisecond, adv(255, peerHi), Output{Transition: true, From: StateMaster, To: StateBackup, Reason: "advert from 198.18.0.12 with equal priority 255 and higher address", RemoveVIPs: true}, StateBackup},
		}},
		{"preemption: the old master's advert crossing ours is a hand-over, not a split brain", nil, 101, []step{
			{"start", 0, start, Output{Transition: true, From: StateInit, To: StateBackup, Reason: "startup", RemoveVIPs: true}, StateBackup},
			{"master", atNext, tick, toMaster("no master heard", 101), StateMaster},
			{"old master's advert in flight", 3700 * time.Millisecond, adv(100, peerHi), Output{SendAdvert: true, AdvertPriority: 101, Announce: true}, StateMaster},
			{"still heard after Master_Down_Interval: split brain", 8 * time.Second, adv(100, peerHi), Output{SplitBrain: true, Peer: peerHi, PeerPriority: 100, SendAdvert: true, AdvertPriority: 101, Announce: true}, StateMaster},
		}},
		{"split brain: a lower priority master gets an advert and GARP at once", nil, 101, []step{
			{"start", 0, start, Output{Transition: true, From: StateInit, To: StateBackup, Reason: "startup", RemoveVIPs: true}, StateBackup},
			{"master", atNext, tick, toMaster("no master heard", 101), StateMaster},
			{"lower master", 8 * time.Second, adv(100, peerHi), Output{SplitBrain: true, Peer: peerHi, PeerPriority: 100, SendAdvert: true, AdvertPriority: 101, Announce: true}, StateMaster},
		}},
		{"garp_master_delay sends a second burst, refresh repeats", func(p *Params) { p.GARPRefresh = 60 * time.Second }, 255, []step{
			{"start", 0, start, Output{Transition: true, From: StateInit, To: StateMaster, Reason: "address owner (priority 255)", SendAdvert: true, AdvertPriority: 255, AddVIPs: true, Announce: true}, StateMaster},
			{"4 s", 4 * time.Second, tick, Output{SendAdvert: true, AdvertPriority: 255}, StateMaster},
			{"5 s: advert and second burst", 5 * time.Second, tick, Output{SendAdvert: true, AdvertPriority: 255, Announce: true}, StateMaster},
			{"6 s: no more bursts", 6 * time.Second, tick, Output{SendAdvert: true, AdvertPriority: 255}, StateMaster},
			{"60 s: refresh", 60 * time.Second, tick, Output{SendAdvert: true, AdvertPriority: 255, Announce: true}, StateMaster},
		}},
		{"graceful stop keeps the VIPs until the new master is heard", nil, 255, []step{
			{"start", 0, start, Output{Transition: true, From: StateInit, To: StateMaster, Reason: "address owner (priority 255)", SendAdvert: true, AdvertPriority: 255, AddVIPs: true, Announce: true}, StateMaster},
			{"stop", time.Second, stop, Output{SendAdvert: true, AdvertPriority: 0}, StateMaster},
			{"no more adverts", 2500 * time.Millisecond, tick, Output{}, StateMaster},
			{"the new master", 1700 * time.Millisecond, adv(100, peerLo), Output{Transition: true, From: StateMaster, To: StateInit, Reason: "stopped", RemoveVIPs: true, Stopped: true}, StateInit},
		}},
		{"graceful stop is bounded by the master down interval", nil, 255, []step{
			{"start", 0, start, Output{Transition: true, From: StateInit, To: StateMaster, Reason: "address owner (priority 255)", SendAdvert: true, AdvertPriority: 255, AddVIPs: true, Announce: true}, StateMaster},
			{"stop", time.Second, stop, Output{SendAdvert: true, AdvertPriority: 0}, StateMaster},
			{"another priority 0 is not a new master", 2 * time.Second, adv(0, peerLo), Output{}, StateMaster},
			{"down interval", time.Second + 3*time.Second + 3906250, tick, Output{Transition: true, From: StateMaster, To: StateInit, Reason: "stopped", RemoveVIPs: true, Stopped: true}, StateInit},
		}},
		{"stop from backup is immediate", nil, 100, []step{
			{"start", 0, start, Output{Transition: true, From: StateInit, To: StateBackup, Reason: "startup", RemoveVIPs: true}, StateBackup},
			{"stop", time.Second, stop, Output{Transition: true, From: StateBackup, To: StateInit, Reason: "stopped", RemoveVIPs: true, Stopped: true}, StateInit},
		}},
		{"fault from master sends priority 0, clearing it goes backup", nil, 100, []step{
			{"start", 0, start, Output{Transition: true, From: StateInit, To: StateBackup, Reason: "startup", RemoveVIPs: true}, StateBackup},
			{"master", mdi100, tick, toMaster("no master heard", 100), StateMaster},
			{"link down", 5 * time.Second, Input{Kind: InPriority, Priority: 100, Fault: true, Reason: "interface eth0 down"}, Output{Transition: true, From: StateMaster, To: StateFault, Reason: "interface eth0 down", SendAdvert: true, AdvertPriority: 0, RemoveVIPs: true}, StateFault},
			{"adverts ignored in fault", 6 * time.Second, adv(100, peerHi), Output{}, StateFault},
			{"link up", 7 * time.Second, Input{Kind: InPriority, Priority: 100, Reason: "interface eth0 up"}, Output{Transition: true, From: StateFault, To: StateBackup, Reason: "fault cleared: interface eth0 up"}, StateBackup},
			{"master again", 7*time.Second + mdi100, tick, toMaster("no master heard", 100), StateMaster},
		}},
		{"fault at start", nil, 100, []step{
			{"link down before start", 0, Input{Kind: InPriority, Priority: 100, Fault: true, Reason: "interface eth0 down"}, Output{}, StateInit},
			{"start", 0, start, Output{Transition: true, From: StateInit, To: StateFault, Reason: "interface eth0 down", RemoveVIPs: true}, StateFault},
		}},
		{"v3 backup adopts the master's interval", nil, 100, []step{
			{"start", 0, start, Output{Transition: true, From: StateInit, To: StateBackup, Reason: "startup", RemoveVIPs: true}, StateBackup},
			{"100 cs advert", time.Second, Input{Kind: InAdvert, Priority: 101, Interval: 100 * time.Millisecond, Src: peerHi}, Output{}, StateBackup},
			{"down after 3 × 100 ms + skew", time.Second + 360937500, tick, toMaster("master down timer expired", 100), StateMaster},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := v3params()
			if tc.params != nil {
				tc.params(&p)
			}
			runSteps(t, NewMachine(p, tc.prio, self), tc.steps)
		})
	}
}

func TestEffectivePriority(t *testing.T) {
	tracks := []TrackConfig{{Frontend: "http-in", Weight: 2}, {Backend: "ms1", Weight: -10}, {Interface: "eth1", Weight: 0}}
	tests := []struct {
		base  int
		ok    trackStates
		prio  int
		fault bool
	}{
		{101, trackStates{true, true, true}, 103, false},
		{101, trackStates{false, true, true}, 101, false},
		{101, trackStates{false, false, true}, 91, false},
		{101, trackStates{true, true, false}, 103, true},
		{5, trackStates{false, false, true}, 1, false},     // clamped to 1
		{254, trackStates{true, true, true}, 254, false},   // clamped to 254
		{255, trackStates{false, false, false}, 255, true}, // owner untouched, fault still applies
		{101, nil, 103, false},                             // unreported tracks count as OK
	}
	for _, tc := range tests {
		prio, fault, _ := effective(tc.base, tracks, tc.ok)
		if prio != tc.prio || fault != tc.fault {
			t.Errorf("effective(%d, %v) = %d, %v; want %d, %v", tc.base, tc.ok, prio, fault, tc.prio, tc.fault)
		}
	}
}
