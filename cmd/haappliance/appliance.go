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

	stopOnce sync.Once
	stopErr  error
}

// newAppliance builds everything from f; it starts nothing.
func newAppliance(f *File, log *logrus.Entry) (*appliance, error) {
	a := &appliance{log: log, file: f}
	px, err := proxy.New(&f.Config, proxy.Options{Log: log})
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
	return a, nil
}

// Start binds the listeners, starts the checks and opens the control socket.
func (a *appliance) Start() error {
	a.started = time.Now()
	if err := a.px.Start(); err != nil {
		return err
	}
	a.checks.Start()
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
	a.file = f
	return nil
}

// Stop closes the listeners, lets in-flight requests finish until ctx
// ends, then stops the checks and the control socket. Idempotent.
func (a *appliance) Stop(ctx context.Context) error {
	a.stopOnce.Do(func() {
		var errs []error
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
