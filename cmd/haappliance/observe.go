package main

import (
	"os"
	"runtime"
	"sort"
	"strings"
	"syscall"

	"github.com/sirupsen/logrus"

	"haappliance/checks"
	"haappliance/proxy"
	"haappliance/proxy/stats"
)

// status builds the answer of `show status json` (SPEC §9.5).
func (a *appliance) status() Status {
	st := Status{Instances: []InstanceStatus{}, Backends: []BackendStatus{}}
	a.mu.Lock()
	hc := a.checks
	a.mu.Unlock()
	for _, b := range a.px.Snapshot().Backends {
		bs := BackendStatus{Name: b.Name, Servers: []ServerStatus{}}
		for _, s := range b.Servers {
			ss := ServerStatus{Name: s.Name, Status: s.Status, Weight: s.Weight, Sessions: s.SessCur}
			if sc := hc.lookup(b.Name, s.Name); sc != nil {
				snap := sc.mon.Snapshot()
				if snap.Last.Status != checks.StatusUnknown {
					ss.CheckStatus = snap.Last.Status.String()
				}
			}
			bs.Total++
			if healthUp(s.Status) {
				bs.Up++
			}
			bs.Servers = append(bs.Servers, ss)
		}
		st.Backends = append(st.Backends, bs)
	}
	sort.Slice(st.Backends, func(i, j int) bool { return st.Backends[i].Name < st.Backends[j].Name })
	st.Instances = a.vrrpStatus()
	return st
}

// healthUp reports whether a server status counts as UP in `status`:
// healthy, whether or not it takes new traffic (NOLB, DRAIN, weight 0).
func healthUp(status string) bool {
	for _, p := range []string{"UP", "NOLB", "DRAIN"} {
		if strings.HasPrefix(status, p) {
			return true
		}
	}
	return false
}

// proxyOptions are the engine's seams to the rest of the appliance: its
// log, and the sources of the stats page, `show stat` and /metrics that
// live outside the engine (health checks, process, VRRP).
func (a *appliance) proxyOptions(log *logrus.Entry) proxy.Options {
	return proxy.Options{Log: log, CheckInfo: a.checkInfo, Info: a.info, VRRP: a.vrrpMetrics}
}

// checkInfo is a server's health check for its stats row.
func (a *appliance) checkInfo(backend, server string) (proxy.ServerCheck, bool) {
	a.mu.Lock()
	hc := a.checks
	a.mu.Unlock()
	if hc == nil {
		return proxy.ServerCheck{}, false
	}
	sc := hc.lookup(backend, server)
	if sc == nil {
		return proxy.ServerCheck{}, false
	}
	s := sc.mon.Snapshot()
	c := stats.Check{Status: "INI", Rise: s.Rise, Fall: s.Fall, Health: s.Health}
	if s.Last.Status != checks.StatusUnknown {
		c.Status, c.Duration, c.Info = s.Last.Status.String(), s.Last.Duration, s.Last.Info
		if s.Last.Status.HasCode() {
			c.Code = s.Last.Code
		}
	}
	return proxy.ServerCheck{Check: c, Failed: s.Failed, Transitions: s.Transitions}, true
}

// info is the process part of `show info` (the engine adds its counts).
func (a *appliance) info() stats.Info {
	in := stats.Info{Name: "haappliance", Version: Version(), Pid: os.Getpid(),
		Nbthread: runtime.GOMAXPROCS(0), Start: a.started}
	in.Node, _ = os.Hostname()
	var lim syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim) == nil {
		in.UlimitN, in.Maxsock = int(lim.Cur), int(lim.Cur)
	}
	a.mu.Lock()
	in.HardMaxconn = a.file.Global.MaxConn
	a.mu.Unlock()
	return in
}

// vrrpMetrics are the VRRP instances for /metrics (SPEC §9.3).
func (a *appliance) vrrpMetrics() []stats.VRRPInstance {
	if a.vr == nil || a.vr.g == nil {
		return nil
	}
	var out []stats.VRRPInstance
	for _, in := range a.vr.g.Instances() {
		s, c := in.Snapshot(), in.Stats()
		vi := stats.VRRPInstance{Name: s.Name, BasePriority: s.BasePriority, EffectivePriority: s.EffectivePriority,
			Transitions: c.Transitions, AdvertsSent: c.AdvertsSent, AdvertsReceived: c.AdvertsReceived, Dropped: c.Dropped}
		switch s.State {
		case "BACKUP":
			vi.State = stats.VRRPBackup
		case "MASTER":
			vi.State = stats.VRRPMaster
		case "FAULT":
			vi.State = stats.VRRPFault
		}
		out = append(out, vi)
	}
	return out
}

// showInfo answers `show info`.
func (a *appliance) showInfo() string {
	snap := a.px.StatsSnapshot()
	var b strings.Builder
	_ = stats.WriteInfo(&b, &snap.Info)
	return b.String()
}

// showStat answers `show stat` (HAProxy's CSV, with the legends columns
// filled as on HAProxy's CLI) and `show stat json`.
func (a *appliance) showStat(asJSON bool) string {
	snap := a.px.StatsSnapshot()
	var b strings.Builder
	if asJSON {
		_ = stats.WriteJSON(&b, &snap, stats.Options{Legends: true})
	} else {
		_ = stats.WriteCSV(&b, &snap, stats.Options{Legends: true})
	}
	return b.String()
}
