package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/sirupsen/logrus"

	"haappliance/checks"
	"haappliance/proxy"
	"haappliance/vrrp"
)

// Tracks of SPEC §4.1 evaluated in this process and fed to the VRRP group
// (interface tracks are followed by the group itself, through netlink):
//
//   - frontend: a self-probe through the frontend's own listener every
//     second — in http mode a GET of the proxy's secret probe path, which
//     the frontend answers itself (proxy/probe.go: not forwarded, logged or
//     counted), a TCP connect in tcp mode; a disabled frontend fails at
//     once;
//   - backend: at least min_up servers UP in the proxy, every 250 ms;
//   - script: the program run without a shell (keepalived's
//     track_script), exit status 0 = OK, killed after timeout, with rise
//     and fall.
//
// The weights are applied by package vrrp with keepalived's semantics.

// Fixed periods of the tracks that have no interval key.
const (
	frontendTrackInterval = time.Second
	frontendTrackTimeout  = 3 * time.Second // above the proxy's own retry time to a refusing server
	backendTrackInterval  = 250 * time.Millisecond
)

// trackRunner evaluates one track entry of one instance.
type trackRunner struct {
	instance string
	index    int
	kind     string
	target   string
	interval time.Duration
	rise     int
	fall     int
	probe    func(ctx context.Context) error
	report   func(ok bool)
}

// trackSet runs the tracks of every instance until Stop.
type trackSet struct {
	list   []*trackRunner
	log    *logrus.Entry
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// newTracks builds the runners of the frontend, backend and script tracks
// of cfg, probing px and reporting to set. It starts nothing.
func newTracks(cfg vrrp.Config, px *proxy.Proxy, set func(instance string, u vrrp.TrackUpdate) error, log *logrus.Entry) (*trackSet, error) {
	ts := &trackSet{log: log}
	for _, in := range cfg.Instances {
		for i, t := range in.Track {
			r := &trackRunner{instance: in.Name, index: i, kind: t.Kind(), target: t.Target(), rise: 1, fall: 1}
			switch r.kind {
			case "frontend":
				r.interval = frontendTrackInterval
				r.probe = frontendProbe(px, t.Frontend, frontendTrackTimeout)
			case "backend":
				r.interval = backendTrackInterval
				p := checks.BackendMinUp(backendUp(px, t.Backend), t.MinUpServers())
				r.probe = p.Check
			case "script":
				argv, err := splitArgs(t.Script)
				if err != nil {
					return nil, fmt.Errorf("vrrp instance %s track %d: %w", in.Name, i, err)
				}
				r.interval, r.rise, r.fall = t.ScriptInterval(), t.RiseCount(), t.FallCount()
				r.probe = scriptProbe(argv, t.ScriptTimeout())
			default:
				continue // interface: followed by the group
			}
			name, idx := in.Name, i
			r.report = func(ok bool) {
				if err := set(name, vrrp.TrackUpdate{Index: idx, OK: ok}); err != nil {
					log.Errorf("VRRP_Instance(%s) track %d: %v", name, idx, err)
				}
			}
			ts.list = append(ts.list, r)
		}
	}
	return ts, nil
}

// Start runs every track in its own goroutine.
func (ts *trackSet) Start() {
	ctx, cancel := context.WithCancel(context.Background())
	ts.cancel = cancel
	for _, r := range ts.list {
		ts.wg.Add(1)
		go func() {
			defer ts.wg.Done()
			r.run(ctx, ts.log)
		}()
	}
}

// Stop ends every track and waits for them. Safe without Start and more
// than once.
func (ts *trackSet) Stop() {
	if ts == nil {
		return
	}
	if ts.cancel != nil {
		ts.cancel()
	}
	ts.wg.Wait()
}

// run probes every interval and reports the state: the first result at
// once, later changes after rise successes or fall failures in a row.
func (r *trackRunner) run(ctx context.Context, log *logrus.Entry) {
	var (
		known, ok bool
		good, bad int
	)
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		err := r.probe(ctx)
		if ctx.Err() != nil {
			return
		}
		if err == nil {
			good, bad = good+1, 0
		} else {
			good, bad = 0, bad+1
		}
		next := ok
		switch {
		case !known:
			next = err == nil
		case ok && bad >= r.fall:
			next = false
		case !ok && good >= r.rise:
			next = true
		}
		if !known || next != ok {
			if next {
				log.Infof("VRRP_Instance(%s) track %s %s OK", r.instance, r.kind, r.target)
			} else {
				log.Infof("VRRP_Instance(%s) track %s %s failing: %v", r.instance, r.kind, r.target, err)
			}
			known, ok = true, next
			r.report(ok)
		}
		t.Reset(r.interval)
	}
}

// errFrontendDisabled is the probe result of a frontend disabled from the
// runtime API.
var errFrontendDisabled = errors.New("frontend disabled")

// frontendProbe checks a frontend through each address it listens on. A
// frontend that is disabled, unknown or not listening fails; an address
// that is not local (a VIP bound with ip_nonlocal_bind on the host that
// does not hold it) is not probed, as a connection to it would reach the
// other host.
func frontendProbe(px *proxy.Proxy, name string, timeout time.Duration) func(context.Context) error {
	return func(ctx context.Context) error {
		mode, status := "", ""
		for _, f := range px.Snapshot().Frontends {
			if f.Name == name {
				mode, status = f.Mode, f.Status
			}
		}
		switch {
		case mode == "":
			return fmt.Errorf("no frontend %q in the running configuration", name)
		case status == "STOP":
			return errFrontendDisabled
		}
		addrs := px.Addr(name)
		if len(addrs) == 0 {
			return fmt.Errorf("frontend %q is not listening", name)
		}
		for _, a := range addrs {
			target := checks.ProbeAddr(a.String())
			if !isLocal(target) {
				continue
			}
			p := checks.FrontendProbe{Addr: target, HTTP: mode == "http", URI: px.ProbeURI(), Timeout: timeout}
			if err := p.Check(ctx); err != nil {
				return err
			}
		}
		return nil
	}
}

// isLocal reports whether hostport's address is loopback or assigned to an
// interface of this host.
func isLocal(hostport string) bool {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		return false
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return false
	}
	if ip.IsLoopback() {
		return true
	}
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return true // cannot tell: probe
	}
	for _, a := range addrs {
		if p, err := netip.ParsePrefix(a.String()); err == nil && p.Addr().Unmap() == ip.Unmap() {
			return true
		}
	}
	return false
}

// backendUp counts the servers of a backend that are UP in the proxy
// (NOLB and DRAIN count: they are healthy), for checks.BackendMinUp.
func backendUp(px *proxy.Proxy, name string) func() int {
	return func() int {
		for _, b := range px.Snapshot().Backends {
			if b.Name != name {
				continue
			}
			n := 0
			for _, s := range b.Servers {
				if healthUp(s.Status) {
					n++
				}
			}
			return n
		}
		return 0
	}
}

// scriptProbe runs argv with a timeout; exit status 0 is OK.
func scriptProbe(argv []string, timeout time.Duration) func(context.Context) error {
	return func(ctx context.Context) error {
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
		cmd.WaitDelay = time.Second
		err := cmd.Run()
		if ctx.Err() == context.DeadlineExceeded {
			return fmt.Errorf("%s timed out after %v", argv[0], timeout)
		}
		return err
	}
}

// splitArgs splits a keepalived script line into words: blanks separate
// them, single or double quotes group them, a backslash escapes the next
// character outside single quotes. No shell is involved.
func splitArgs(s string) ([]string, error) {
	var (
		words []string
		cur   strings.Builder
		in    bool // inside a word
		quote rune
		esc   bool
	)
	for _, c := range s {
		switch {
		case esc:
			cur.WriteRune(c)
			esc = false
		case c == '\\' && quote != '\'':
			esc, in = true, true
		case quote != 0:
			if c == quote {
				quote = 0
			} else {
				cur.WriteRune(c)
			}
		case c == '\'' || c == '"':
			quote, in = c, true
		case c == ' ' || c == '\t':
			if in {
				words = append(words, cur.String())
				cur.Reset()
				in = false
			}
		default:
			cur.WriteRune(c)
			in = true
		}
	}
	if quote != 0 || esc {
		return nil, fmt.Errorf("script %q: unterminated quote or escape", s)
	}
	if in {
		words = append(words, cur.String())
	}
	if len(words) == 0 {
		return nil, fmt.Errorf("empty script")
	}
	return words, nil
}
