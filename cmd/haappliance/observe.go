package main

import (
	"sort"
	"strings"

	"haappliance/checks"
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

func (a *appliance) showInfo() string { return "" }
func (a *appliance) showStat() string { return "" }
