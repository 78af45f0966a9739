package main

import (
	"context"
	"fmt"
	"sync"

	"github.com/sirupsen/logrus"

	"haappliance/checks"
	"haappliance/config"
	"haappliance/proxy"
)

// serverCheck is the health monitor of one server, bridged to the proxy:
// the checks package reports state changes, and this bridge applies them to
// the proxy's server and logs HAProxy's lines with the proxy's counts.
type serverCheck struct {
	backend, server string
	backup, listen  bool
	mon             *checks.Monitor
}

// healthChecks runs every server's monitor.
type healthChecks struct {
	list   []*serverCheck
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// httpCheckOf converts a backend's httpchk table to the checks package's.
func httpCheckOf(h *proxy.HTTPCheck) *checks.HTTPCheck {
	if h == nil {
		return nil
	}
	return &checks.HTTPCheck{Method: h.Method, URI: h.URI, Version: h.Version, Host: h.Host,
		ExpectStatus: checks.ExpectStatus(h.ExpectStatus), DisableOn404: h.DisableOn404}
}

// newHealthChecks builds a monitor for every server with check = true.
func newHealthChecks(m *proxy.Model, px *proxy.Proxy, log *logrus.Entry) (*healthChecks, error) {
	hc := &healthChecks{}
	for _, b := range m.Backends {
		var checked []proxy.ServerModel
		for _, s := range b.Servers {
			if s.Check {
				checked = append(checked, s)
			}
		}
		for i, s := range checked {
			sc := &serverCheck{backend: b.Name, server: s.Name, backup: s.Backup, listen: b.Listen}
			p := checks.Params{
				Inter: config.Duration(s.Inter), FastInter: config.Duration(s.FastInter),
				DownInter: config.Duration(s.DownInter), Rise: s.Rise, Fall: s.Fall,
				Timeout: b.Timeouts.Check, ConnectTimeout: b.Timeouts.Connect,
			}
			spec := checks.Spec{Addr: s.Address, HTTP: httpCheckOf(b.HTTPCheck)}
			mon, err := checks.New(spec, p, sc.notify(px, log),
				checks.WithStartDelay(checks.Spread(i, len(checked), p.InterDur())))
			if err != nil {
				return nil, fmt.Errorf("server %s/%s: %w", b.Name, s.Name, err)
			}
			sc.mon = mon
			hc.list = append(hc.list, sc)
		}
	}
	return hc, nil
}

// notify applies a state change to the proxy and logs it as HAProxy does:
// DOWN at warning, UP at notice, an emptied backend at alert.
func (sc *serverCheck) notify(px *proxy.Proxy, log *logrus.Entry) func(checks.Event) {
	return func(ev checks.Event) {
		tr, err := px.SetServerHealth(sc.backend, sc.server, ev.State != checks.StateDown)
		if err != nil {
			log.Errorf("health check of %s/%s: %v", sc.backend, sc.server, err)
			return
		}
		line := checks.ServerTransition{
			Backend: sc.backend, Server: sc.server, Backup: sc.backup, State: ev.State, Result: ev.Result,
			ActiveLeft: tr.Active, BackupLeft: tr.Backup, SessionsActive: int(tr.Sessions),
			Requeued: tr.Requeued, Queued: int(tr.Queued),
		}
		if ev.Forced {
			line.Cause = "changed from CLI"
		}
		if ev.State == checks.StateDown {
			log.Warn(line.String())
		} else {
			log.WithField(SeverityField, "notice").Info(line.String())
		}
		if tr.BackendEmpty && tr.Changed {
			log.WithField(SeverityField, "alert").Error(checks.BackendEmpty{Backend: sc.backend, Listen: sc.listen}.String())
		}
	}
}

// Start runs every monitor until Stop.
func (hc *healthChecks) Start() {
	ctx, cancel := context.WithCancel(context.Background())
	hc.cancel = cancel
	for _, sc := range hc.list {
		hc.wg.Add(1)
		go func() {
			defer hc.wg.Done()
			sc.mon.Run(ctx)
		}()
	}
}

// Stop ends every monitor and waits for them. Idempotent.
func (hc *healthChecks) Stop() {
	if hc.cancel != nil {
		hc.cancel()
	}
	hc.wg.Wait()
}

// lookup returns the monitor of backend/server, or nil.
func (hc *healthChecks) lookup(backend, server string) *serverCheck {
	for _, sc := range hc.list {
		if sc.backend == backend && sc.server == server {
			return sc
		}
	}
	return nil
}
