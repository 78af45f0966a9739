package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/sirupsen/logrus"

	"haappliance/vrrp"
)

// vrrpRunner runs the [[vrrp.instance]] tables of the file: one vrrp.Group
// in a goroutine of its own, from Start until Stop. The group keeps its
// instances, and their state, across reloads: a reload that changes the
// [vrrp] section is applied to the proxy but not to VRRP, with an error
// line saying that VRRP changes need a restart (see keepVRRP).
type vrrpRunner struct {
	cfg vrrp.Config
	g   *vrrp.Group
	log *logrus.Entry

	// opened counts the sockets the group opened; ready is closed when
	// all of them are open, so Start can report a failure to open one.
	want   int
	mu     sync.Mutex
	opened int
	ready  chan struct{}

	cancel context.CancelFunc
	done   chan struct{}
	err    error
}

// newVRRP builds the group of cfg; it starts nothing and touches no kernel
// state.
func newVRRP(cfg vrrp.Config, log *logrus.Entry) (*vrrpRunner, error) {
	v := &vrrpRunner{cfg: cfg, log: log, ready: make(chan struct{}), done: make(chan struct{})}
	keys := map[string]bool{}
	for _, in := range cfg.Instances {
		keys[fmt.Sprintf("%s/%v", in.Interface, in.IsIPv6())] = true
	}
	v.want = len(keys)
	opts := vrrp.Options{Log: log}
	if v.want > 0 {
		s, err := hostSockets()
		if err != nil {
			return nil, err
		}
		opts.Sockets = &countingSockets{Sockets: s, v: v}
	}
	g, err := vrrp.NewGroup(cfg, opts)
	if err != nil {
		return nil, err
	}
	v.g = g
	return v, nil
}

// countingSockets tells the runner when the group has opened its sockets.
type countingSockets struct {
	vrrp.Sockets
	v *vrrpRunner
}

func (c *countingSockets) Listen(ifname string, v6, multicast bool) (vrrp.Conn, error) {
	conn, err := c.Sockets.Listen(ifname, v6, multicast)
	if err == nil {
		c.v.mu.Lock()
		c.v.opened++
		if c.v.opened == c.v.want {
			close(c.v.ready)
		}
		c.v.mu.Unlock()
	}
	return conn, err
}

// Start runs the group and returns once its sockets are open, or the error
// that kept it from opening them (not root, no such interface).
func (v *vrrpRunner) Start() error {
	ctx, cancel := context.WithCancel(context.Background())
	v.cancel = cancel
	go func() {
		defer close(v.done)
		v.err = v.g.Run(ctx)
		if v.err != nil && ctx.Err() == nil {
			v.log.WithField(SeverityField, "alert").Errorf("VRRP stopped: %v", v.err)
		}
	}()
	if v.want == 0 {
		return nil
	}
	select {
	case <-v.ready:
		return nil
	case <-v.done:
		if v.err == nil {
			v.err = errors.New("vrrp: stopped before opening its sockets")
		}
		return v.err
	}
}

// Stop stops the group gracefully and waits for it, or for ctx: a master
// sends priority 0 and keeps its VIPs until the new master is heard (at
// most its Master_Down_Interval), then removes them. Safe to call without
// Start and more than once.
func (v *vrrpRunner) Stop(ctx context.Context) error {
	if v == nil || v.cancel == nil {
		return nil
	}
	v.cancel()
	select {
	case <-v.done:
		return v.err
	case <-ctx.Done():
		return fmt.Errorf("vrrp: graceful stop not finished: %w", ctx.Err())
	}
}

// keepVRRP decides what a reload does with VRRP: the running group stays.
// It returns a line to log when the new file's [vrrp] differs, since those
// changes are not applied until a restart.
func (v *vrrpRunner) keepVRRP(next vrrp.Config) string {
	if reflect.DeepEqual(normalVRRP(v.cfg), normalVRRP(next)) {
		return ""
	}
	return "reload: the [vrrp] section changed; VRRP changes need a restart (systemctl restart haappliance), the running VRRP instances keep their previous settings and state"
}

// normalVRRP treats a nil and an empty instance list alike.
func normalVRRP(c vrrp.Config) vrrp.Config {
	if len(c.Instances) == 0 {
		c.Instances = nil
	}
	return c
}

// vrrpStatus converts the group's snapshot to the status JSON types.
func (a *appliance) vrrpStatus() []InstanceStatus {
	out := []InstanceStatus{}
	if a.vr == nil {
		return out
	}
	for _, s := range a.vr.g.Snapshot() {
		is := InstanceStatus{
			Name: s.Name, State: s.State, BasePriority: s.BasePriority, EffectivePriority: s.EffectivePriority,
			Master: s.Master, Since: s.Since, Reason: s.Reason, VIPs: []VIPStatus{}, Tracks: []TrackStatus{},
		}
		for _, v := range s.VIPs {
			is.VIPs = append(is.VIPs, VIPStatus{Address: v.Address, Held: v.Held})
		}
		for _, t := range s.Tracks {
			is.Tracks = append(is.Tracks, TrackStatus{Kind: t.Kind, Target: t.Target, Weight: t.Weight, OK: t.OK})
		}
		out = append(out, is)
	}
	return out
}

// vrrpShow is the answer of `show vrrp json`: every instance's status with
// its counters, and the group's totals (which include the packets no
// instance could take, such as an unknown VRID).
type vrrpShow struct {
	Instances []vrrpShowInstance `json:"instances"`
	Total     vrrp.Stats         `json:"total"`
}

type vrrpShowInstance struct {
	vrrp.Status
	Stats vrrp.Stats `json:"stats"`
}

func (a *appliance) vrrpShow() vrrpShow {
	sh := vrrpShow{Instances: []vrrpShowInstance{}, Total: vrrp.Stats{Dropped: map[string]uint64{}}}
	if a.vr == nil {
		return sh
	}
	for _, in := range a.vr.g.Instances() {
		sh.Instances = append(sh.Instances, vrrpShowInstance{Status: in.Snapshot(), Stats: in.Stats()})
	}
	sh.Total = a.vr.g.Stats()
	return sh
}

// showVRRP answers `show vrrp` (text) and `show vrrp json`.
func (a *appliance) showVRRP(asJSON bool) string {
	sh := a.vrrpShow()
	if asJSON {
		b, err := json.Marshal(sh)
		if err != nil {
			return "error: " + err.Error()
		}
		return string(b)
	}
	var b strings.Builder
	st := Status{Instances: a.vrrpStatus()}
	st.WriteText(&b, time.Now())
	for _, in := range sh.Instances {
		fmt.Fprintf(&b, "  %s counters: %s\n", in.Name, statsLine(in.Stats))
	}
	if len(sh.Instances) > 0 {
		fmt.Fprintf(&b, "all instances: %s\n", statsLine(sh.Total))
	}
	return b.String()
}

// statsLine renders counters on one line, drops by reason in a stable
// order.
func statsLine(s vrrp.Stats) string {
	line := fmt.Sprintf("transitions %d, adverts sent %d, received %d, send errors %d, dropped",
		s.Transitions, s.AdvertsSent, s.AdvertsReceived, s.SendErrors)
	n := 0
	for _, r := range vrrp.DropReasons() {
		if c := s.Dropped[r]; c > 0 {
			line += fmt.Sprintf(" %s=%d", r, c)
			n++
		}
	}
	if n == 0 {
		line += " none"
	}
	return line
}
