package main

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/sirupsen/logrus"

	"haappliance/proxy"
)

// appliance is one running haappliance: the proxy, the health checks that
// drive it, and the control socket. It is the only place where the
// packages meet.
type appliance struct {
	log     *logrus.Entry
	started time.Time

	mu     sync.Mutex // guards file, checks across reloads
	file   *File
	px     *proxy.Proxy
	checks *healthChecks
	ctl    *controlServer
	vr     *vrrpRunner // VRRP instances (vrrp.go); kept across reloads
	vipLns *vipListeners
	tracks *trackSet // frontend/backend/script tracks (tracks.go)

	stopOnce sync.Once
	stopErr  error
}

// newAppliance builds everything from f; it starts nothing.
func newAppliance(f *File, log *logrus.Entry) (*appliance, error) {
	a := &appliance{log: log, file: f}
	popts := a.proxyOptions(log)
	if len(f.VRRP.Instances) > 0 {
		a.vipLns = &vipListeners{} // vrrp_linux.go: for a clean handover on stop
		popts.Listen = a.vipLns.Listen
	}
	px, err := proxy.New(&f.Config, popts)
	if err != nil {
		return nil, err
	}
	a.px = px
	m, err := f.Config.Resolve()
	if err != nil {
		return nil, err
	}
	if a.checks, err = newHealthChecks(m, px, log); err != nil {
		return nil, err
	}
	if a.vr, err = newVRRP(f.VRRP, log); err != nil {
		return nil, err
	}
	if a.tracks, err = newTracks(f.VRRP, px, a.vr.g.SetTrack, log); err != nil {
		return nil, err
	}
	return a, nil
}

// Start binds the listeners, starts the checks and opens the control socket.
func (a *appliance) Start() error {
	a.started = time.Now()
	if err := a.px.Start(); err != nil {
		return err
	}
	a.checks.Start()
	a.tracks.Start()
	if err := a.vr.Start(); err != nil {
		return err
	}
	ctl, err := listenControl(a.file.Global.Socket(), a.command)
	if err != nil {
		return err
	}
	a.ctl = ctl
	return nil
}

// Reload builds the new configuration, swaps it in and stops what it
// replaces; on error the running configuration stays.
func (a *appliance) Reload(f *File) error {
	m, err := f.Config.Resolve()
	if err != nil {
		return err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if f.Global.Socket() != a.file.Global.Socket() {
		return fmt.Errorf("control_socket cannot change on reload (restart instead)")
	}
	if err := a.px.Reload(&f.Config); err != nil {
		return err
	}
	hc, err := newHealthChecks(m, a.px, a.log)
	if err != nil {
		return err
	}
	a.checks.Stop()
	a.checks = hc
	hc.Start()
	if msg := a.vr.keepVRRP(f.VRRP); msg != "" {
		a.log.Error(msg)
		f.VRRP = a.file.VRRP // what runs
	}
	a.file = f
	return nil
}

// handoverDrain bounds the wait for in-flight requests before a master
// hands its VIPs over on a graceful stop.
const handoverDrain = 500 * time.Millisecond

// holdsVIP reports whether a VRRP instance of this host is master.
func (a *appliance) holdsVIP() bool {
	for _, in := range a.vrrpStatus() {
		if in.State == "MASTER" {
			return true
		}
	}
	return false
}

// Stop stops in SPEC §3's order, with one step before it: a master first
// drops new connection attempts (clients retry their SYN a second later and
// reach the next master) and finishes its in-flight requests, bounded by
// handoverDrain, since a connection still open when the VIP moves is reset
// by the other host. Then VRRP (priority 0, keep serving until the new
// master is heard, bounded by Master_Down_Interval, then remove the VIPs),
// then the proxy closes its listeners and lets what remains finish until
// ctx ends, then the tracks, checks and control socket stop. Idempotent.
func (a *appliance) Stop(ctx context.Context) error {
	a.stopOnce.Do(func() {
		var errs []error
		if a.vipLns != nil {
			if err := a.vipLns.Quiesce(); err != nil {
				a.log.Warnf("stop: new connections cannot be held off during the hand-over: %v", err)
			}
		}
		if a.px != nil && a.holdsVIP() {
			// New connections are now dropped (clients retry their SYN and
			// reach the next master); finish what is in progress before
			// the hand-over, since a connection still open when the VIP
			// moves is reset by the other host. Bounded: a long request
			// must not hold the hand-over back.
			dctx, cancel := context.WithTimeout(ctx, handoverDrain)
			if n := a.px.Drain(dctx); n > 0 {
				a.log.Warnf("handing the VIP over with %d requests still in progress", n)
			}
			cancel()
		}
		errs = append(errs, a.vr.Stop(ctx))
		a.tracks.Stop()
		if a.px != nil {
			errs = append(errs, a.px.Shutdown(ctx))
		}
		a.mu.Lock()
		if a.checks != nil {
			a.checks.Stop()
		}
		a.mu.Unlock()
		if a.ctl != nil {
			errs = append(errs, a.ctl.Close())
		}
		a.stopErr = errors.Join(errs...)
	})
	return a.stopErr
}
