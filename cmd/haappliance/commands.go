package main

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"haappliance/proxy"
)

// runtimeCommands lists the runtime API, for `help` and `unknown command`.
const runtimeCommands = `  help                                  : this list
  show info                             : process information
  show stat                             : statistics in HAProxy's CSV format
  show stat json                        : the same as HAProxy's JSON
  show status json                      : what 'haappliance status' prints
  disable server BACKEND/SERVER         : put a server in maintenance
  enable server BACKEND/SERVER          : take a server out of maintenance
  set server BACKEND/SERVER state STATE : ready, drain or maint
  set weight BACKEND/SERVER WEIGHT      : 0..256, or a percentage of the configured weight
  disable frontend FRONTEND             : stop accepting on a frontend
  enable frontend FRONTEND              : accept again
  show vrrp                             : VRRP instances, tracks and packet counters
  show vrrp json                        : the same as JSON
`

// command answers one runtime-API command (SPEC §9.4).
func (a *appliance) command(w []string) string {
	switch {
	case match(w, "help"):
		return "The following commands are valid at this level:\n" + runtimeCommands
	case match(w, "show", "info"):
		return a.showInfo()
	case match(w, "show", "stat"):
		return a.showStat(false)
	case match(w, "show", "stat", "json"):
		return a.showStat(true)
	case match(w, "show", "status", "json"):
		b, err := json.Marshal(a.status())
		if err != nil {
			return "error: " + err.Error()
		}
		return string(b)
	case match(w, "disable", "server", "*"):
		return a.setAdmin(w[2], proxy.Maint)
	case match(w, "enable", "server", "*"):
		return a.setAdmin(w[2], proxy.Ready)
	case match(w, "set", "server", "*", "state", "*"):
		st, err := proxy.ParseAdminState(w[4])
		if err != nil {
			return "'set server <srv> state' expects 'ready', 'drain' and 'maint'."
		}
		return a.setAdmin(w[2], st)
	case match(w, "set", "weight", "*", "*"):
		return a.setWeight(w[2], w[3])
	case match(w, "show", "vrrp"):
		return a.showVRRP(false)
	case match(w, "show", "vrrp", "json"):
		return a.showVRRP(true)
	case match(w, "disable", "frontend", "*"):
		return a.setFrontend(w[2], false)
	case match(w, "enable", "frontend", "*"):
		return a.setFrontend(w[2], true)
	}
	return "unknown command '" + strings.Join(w, " ") + "'; the valid commands are:\n" + runtimeCommands
}

// match reports whether words equal pattern, "*" matching any one word.
func match(words []string, pattern ...string) bool {
	if len(words) != len(pattern) {
		return false
	}
	for i, p := range pattern {
		if p != "*" && p != words[i] {
			return false
		}
	}
	return true
}

func splitServer(s string) (backend, server string, ok bool) {
	backend, server, ok = strings.Cut(s, "/")
	return backend, server, ok && backend != "" && server != ""
}

func (a *appliance) setAdmin(target string, st proxy.AdminState) string {
	b, s, ok := splitServer(target)
	if !ok {
		return "Require 'backend/server'."
	}
	if err := a.px.SetServerAdmin(b, s, st); err != nil {
		return err.Error()
	}
	return ""
}

func (a *appliance) setWeight(target, value string) string {
	b, s, ok := splitServer(target)
	if !ok {
		return "Require 'backend/server'."
	}
	w, err := a.parseWeight(b, s, value)
	if err != nil {
		return err.Error()
	}
	if err := a.px.SetServerWeight(b, s, w); err != nil {
		return err.Error()
	}
	return ""
}

// parseWeight reads "N" or "N%" (of the configured weight), as HAProxy.
func (a *appliance) parseWeight(backend, server, v string) (int, error) {
	if pct, ok := strings.CutSuffix(v, "%"); ok {
		n, err := strconv.Atoi(pct)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("Invalid weight '%s'.", v)
		}
		base := proxy.DefaultWeight
		if m, err := a.currentModel(); err == nil {
			if b := m.Backend(backend); b != nil {
				for _, s := range b.Servers {
					if s.Name == server {
						base = s.Weight
					}
				}
			}
		}
		return base * n / 100, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, fmt.Errorf("Invalid weight '%s'.", v)
	}
	return n, nil
}

func (a *appliance) currentModel() (*proxy.Model, error) {
	a.mu.Lock()
	f := a.file
	a.mu.Unlock()
	return f.Config.Resolve()
}

func (a *appliance) setFrontend(name string, on bool) string {
	if err := a.px.SetFrontendEnabled(name, on); err != nil {
		return err.Error()
	}
	return ""
}
