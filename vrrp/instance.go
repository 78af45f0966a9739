package vrrp

import (
	"context"
	"fmt"
	"net/netip"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sirupsen/logrus"
)

// Instance is one virtual router ([[vrrp.instance]]). Its Machine is owned
// by the goroutine of run; other goroutines talk to it through channels
// (adverts, track signal) and read it through Snapshot and Stats.
type Instance struct {
	cfg     InstanceConfig
	vips    []netip.Prefix
	vipAddr []netip.Addr
	peers   []netip.Addr
	v6      bool
	filter  filter
	log     *logrus.Entry
	opts    *Options
	conn    Conn // set by the Group before run

	adverts  chan advertIn
	trackSig chan struct{}

	trackMu sync.Mutex
	trackOK trackStates
	linkUp  bool
	addrErr string // no usable primary address

	counters
	lastDropLog [numDropReasons]atomic.Int64

	statusMu sync.Mutex
	status   Status

	scripts sync.WaitGroup
	buf     []byte
}

type advertIn struct {
	priority uint8
	interval time.Duration
	src      netip.Addr
}

// newInstance builds an instance from a validated configuration. It starts
// nothing.
func newInstance(cfg InstanceConfig, opts *Options) *Instance {
	in := &Instance{
		cfg:      cfg,
		vips:     cfg.VIPs(),
		peers:    cfg.Peers(),
		v6:       cfg.IsIPv6(),
		opts:     opts,
		adverts:  make(chan advertIn, 16),
		trackSig: make(chan struct{}, 1),
		trackOK:  make(trackStates, len(cfg.Track)),
		linkUp:   true,
	}
	for i := range in.trackOK {
		in.trackOK[i] = true
	}
	for _, p := range in.vips {
		in.vipAddr = append(in.vipAddr, p.Addr())
	}
	version := uint8(cfg.ProtocolVersion())
	in.filter = filter{version: version, vrid: uint8(cfg.VirtualRouterID), v6: in.v6, vips: in.vipAddr, peers: in.peers}
	in.filter.interval = in.wireInterval()
	if cfg.AuthPass != "" {
		in.filter.authType = 1
		copy(in.filter.authData[:], cfg.AuthPass)
	}
	log := opts.Log
	if log == nil {
		l := logrus.New()
		l.SetOutput(discard{})
		log = logrus.NewEntry(l)
	}
	in.log = log.WithField("instance", cfg.Name)
	in.status = Status{Name: cfg.Name, State: StateInit.String(), BasePriority: cfg.BasePriority(), EffectivePriority: cfg.BasePriority()}
	for _, p := range in.vips {
		in.status.VIPs = append(in.status.VIPs, VIPStatus{Address: p.String()})
	}
	for i := range cfg.Track {
		t := &cfg.Track[i]
		in.status.Tracks = append(in.status.Tracks, TrackStatus{Kind: t.Kind(), Target: t.Target(), Weight: t.Weight, OK: true})
	}
	return in
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// Name is the instance name.
func (in *Instance) Name() string { return in.cfg.Name }

// Config is the instance's configuration.
func (in *Instance) Config() InstanceConfig { return in.cfg }

// wireInterval is the advert interval in on-wire units.
func (in *Instance) wireInterval() uint16 {
	if in.cfg.ProtocolVersion() == 2 {
		return uint16(in.cfg.Interval() / time.Second)
	}
	return uint16(in.cfg.Interval() / (10 * time.Millisecond))
}

func (in *Instance) params() Params {
	return Params{
		Version:       in.cfg.ProtocolVersion(),
		Interval:      in.cfg.Interval(),
		Preempt:       in.cfg.PreemptMode(),
		PreemptDelay:  in.cfg.PreemptDelay.D(),
		InitialMaster: in.cfg.InitialMaster(),
		GARPDelay:     in.cfg.GARPDelay(),
		GARPRefresh:   in.cfg.GARPMasterRefresh.D(),
	}
}

// SetTrack reports the health of track index (frontend, backend or script
// tracks, evaluated outside this package). Safe for concurrent use; never
// blocks.
func (in *Instance) SetTrack(u TrackUpdate) error {
	if u.Index < 0 || u.Index >= len(in.cfg.Track) {
		return fmt.Errorf("vrrp: instance %s has no track %d", in.cfg.Name, u.Index)
	}
	in.trackMu.Lock()
	in.trackOK[u.Index] = u.OK
	in.trackMu.Unlock()
	in.signal()
	return nil
}

// linkChanged follows the instance's interface and its interface tracks.
func (in *Instance) linkChanged(ifname string, up bool) {
	changed := false
	in.trackMu.Lock()
	if ifname == in.cfg.Interface && in.linkUp != up {
		in.linkUp, changed = up, true
	}
	for i := range in.cfg.Track {
		if in.cfg.Track[i].Interface == ifname && in.trackOK[i] != up {
			in.trackOK[i], changed = up, true
		}
	}
	in.trackMu.Unlock()
	if changed {
		in.signal()
	}
}

func (in *Instance) signal() {
	select {
	case in.trackSig <- struct{}{}:
	default:
	}
}

// health computes the effective priority and fault condition now.
func (in *Instance) health() (prio int, fault bool, why string, ok trackStates) {
	in.trackMu.Lock()
	ok = append(trackStates(nil), in.trackOK...)
	linkUp, addrErr := in.linkUp, in.addrErr
	in.trackMu.Unlock()
	prio, fault, why = effective(in.cfg.BasePriority(), in.cfg.Track, ok)
	switch {
	case !linkUp:
		fault, why = true, "interface "+in.cfg.Interface+" down"
	case addrErr != "":
		fault, why = true, addrErr
	}
	return prio, fault, why, ok
}

// resolvePrimary finds the address adverts are sent from.
func (in *Instance) resolvePrimary() netip.Addr {
	if a := in.cfg.SrcIP(); a.IsValid() {
		return a
	}
	a, err := in.opts.Addresses.PrimaryAddr(in.cfg.Interface, in.v6, in.vips)
	in.trackMu.Lock()
	defer in.trackMu.Unlock()
	if err != nil {
		in.addrErr = fmt.Sprintf("no usable address on %s: %v", in.cfg.Interface, err)
		return netip.Addr{}
	}
	in.addrErr = ""
	return a
}

// label is the IPv4 address label: "IFNAME:haVRID" when it fits the
// kernel's 15 characters.
func (in *Instance) label() string {
	l := in.cfg.Interface + ":ha" + strconv.Itoa(in.cfg.VirtualRouterID)
	if len(l) > 15 {
		return ""
	}
	return l
}

// run is the instance's goroutine: it owns the Machine until the graceful
// stop that ctx's cancellation starts is complete.
func (in *Instance) run(ctx context.Context) {
	defer in.scripts.Wait()
	primary := in.resolvePrimary()
	prio, fault, why, prevOK := in.health()
	m := NewMachine(in.params(), uint8(prio), primary)
	now := time.Now()
	m.Step(now, Input{Kind: InPriority, Priority: uint8(prio), Fault: fault, Reason: why})
	in.perform(m, m.Step(now, Input{Kind: InStart}))
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	done := ctx.Done()
	for {
		if next := m.Next(); next.IsZero() {
			timer.Stop()
		} else {
			timer.Reset(time.Until(next))
		}
		var out Output
		select {
		case <-done:
			done = nil
			out = m.Step(time.Now(), Input{Kind: InStop})
		case a := <-in.adverts:
			if st := m.State(); st == StateInit || st == StateFault {
				in.counters.drop(DropState)
				continue
			}
			out = m.Step(time.Now(), Input{Kind: InAdvert, Priority: a.priority, Interval: a.interval, Src: a.src})
		case <-timer.C:
			out = m.Step(time.Now(), Input{Kind: InTimer})
		case <-in.trackSig:
			in.trackMu.Lock()
			wasDown := !in.linkUp || in.addrErr != ""
			in.trackMu.Unlock()
			if wasDown || !primary.IsValid() {
				if p := in.resolvePrimary(); p.IsValid() && p != primary {
					primary = p
					m.SetPrimary(p)
				}
			}
			var ok trackStates
			prio, fault, why, ok = in.health()
			in.logPriorityChanges(int(m.Priority()), prevOK, ok)
			prevOK = ok
			out = m.Step(time.Now(), Input{Kind: InPriority, Priority: uint8(prio), Fault: fault, Reason: why})
		}
		in.perform(m, out)
		if out.Stopped {
			return
		}
	}
}

// logPriorityChanges logs one line per track whose change moved the
// effective priority.
func (in *Instance) logPriorityChanges(from int, before, after trackStates) {
	cur := append(trackStates(nil), before...)
	for i := range after {
		if i >= len(cur) || cur[i] == after[i] {
			continue
		}
		cur[i] = after[i]
		to, _, _ := effective(in.cfg.BasePriority(), in.cfg.Track, cur)
		t := &in.cfg.Track[i]
		if to != from {
			PriorityEvent{Instance: in.cfg.Name, From: from, To: to, Kind: t.Kind(), Target: t.Target(), OK: after[i], Weight: t.Weight}.Log(in.log)
		}
		from = to
	}
	in.statusMu.Lock()
	for i := range in.status.Tracks {
		if i < len(after) {
			in.status.Tracks[i].OK = after[i]
		}
	}
	in.statusMu.Unlock()
}

// perform carries out a Step's actions, in the order Output documents.
func (in *Instance) perform(m *Machine, o Output) {
	if o.Transition {
		in.transitions.Add(1)
		TransitionEvent{Instance: in.cfg.Name, To: o.To, Priority: int(m.Priority()), Reason: o.Reason}.Log(in.log)
	}
	if o.SplitBrain {
		SplitBrainEvent{Instance: in.cfg.Name, VRID: in.cfg.VirtualRouterID, Peer: o.Peer, PeerPriority: int(o.PeerPriority), Priority: int(m.Priority()), Yield: o.To == StateBackup}.Log(in.log)
	}
	if o.SendAdvert {
		in.sendAdvert(m, o.AdvertPriority)
		if o.AdvertPriority == PriorityStop {
			in.log.Infof("VRRP_Instance(%s) sent priority 0", in.cfg.Name)
		}
	}
	if o.AddVIPs {
		for _, p := range in.vips {
			if err := in.opts.Addresses.AddVIP(in.cfg.Interface, p, in.label()); err != nil {
				in.log.WithError(err).Errorf("VRRP_Instance(%s) cannot add %s on %s", in.cfg.Name, p, in.cfg.Interface)
				continue
			}
			in.setHeld(p, true)
		}
	}
	if o.RemoveVIPs {
		for _, p := range in.vips {
			if err := in.opts.Addresses.DelVIP(in.cfg.Interface, p); err != nil {
				in.log.WithError(err).Errorf("VRRP_Instance(%s) cannot remove %s from %s", in.cfg.Name, p, in.cfg.Interface)
				continue
			}
			in.setHeld(p, false)
		}
	}
	if o.Announce {
		if err := in.opts.Addresses.Announce(in.cfg.Interface, in.vipAddr, in.cfg.GARPRepeat()); err != nil {
			in.log.WithError(err).Warnf("VRRP_Instance(%s) cannot announce its addresses on %s", in.cfg.Name, in.cfg.Interface)
		}
	}
	in.statusMu.Lock()
	in.status.State = m.State().String()
	in.status.EffectivePriority = int(m.Priority())
	if a := m.Master(); a.IsValid() {
		in.status.Master = a.String()
	}
	if o.Transition {
		in.status.Since = time.Now()
		in.status.Reason = o.Reason
	}
	in.statusMu.Unlock()
	if o.Transition {
		in.notify(o.To, int(m.Priority()))
	}
}

func (in *Instance) setHeld(p netip.Prefix, held bool) {
	in.statusMu.Lock()
	defer in.statusMu.Unlock()
	for i := range in.status.VIPs {
		if in.status.VIPs[i].Address == p.String() {
			in.status.VIPs[i].Held = held
		}
	}
}
