package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// Status is the answer of `show status json` and the output of
// `haappliance status --json` (SPEC §9.5).
type Status struct {
	Instances []InstanceStatus `json:"instances"`
	Backends  []BackendStatus  `json:"backends"`
}

// InstanceStatus is one VRRP instance.
type InstanceStatus struct {
	Name              string        `json:"name"`
	State             string        `json:"state"`
	BasePriority      int           `json:"base_priority"`
	EffectivePriority int           `json:"effective_priority"`
	VIPs              []VIPStatus   `json:"vips"`
	Master            string        `json:"master"`
	Since             time.Time     `json:"since"`
	Reason            string        `json:"reason"`
	Tracks            []TrackStatus `json:"tracks"`
}

// VIPStatus is one virtual address and whether this host holds it.
type VIPStatus struct {
	Address string `json:"address"`
	Held    bool   `json:"held"`
}

// TrackStatus is one tracked thing of an instance.
type TrackStatus struct {
	Kind   string `json:"kind"`
	Target string `json:"target"`
	Weight int    `json:"weight"`
	OK     bool   `json:"ok"`
}

// BackendStatus is one backend with its servers.
type BackendStatus struct {
	Name    string         `json:"name"`
	Up      int            `json:"up"`
	Total   int            `json:"total"`
	Servers []ServerStatus `json:"servers"`
}

// ServerStatus is one server of a backend.
type ServerStatus struct {
	Name        string `json:"name"`
	Status      string `json:"status"`
	CheckStatus string `json:"check_status"`
	Weight      int    `json:"weight"`
	Sessions    int64  `json:"sessions"`
}

// WriteText renders the status for a person.
func (s *Status) WriteText(w io.Writer, now time.Time) {
	if len(s.Instances) == 0 {
		fmt.Fprintln(w, "VRRP: no instance configured")
	}
	for _, in := range s.Instances {
		fmt.Fprintf(w, "VRRP instance %s: %s, priority %d (base %d)\n", in.Name, in.State, in.EffectivePriority, in.BasePriority)
		for _, v := range in.VIPs {
			held := "not held"
			if v.Held {
				held = "held by this host"
			}
			fmt.Fprintf(w, "  vip %-20s %s\n", v.Address, held)
		}
		master := in.Master
		if master == "" {
			master = "unknown"
		}
		fmt.Fprintf(w, "  master %s\n", master)
		if !in.Since.IsZero() {
			fmt.Fprintf(w, "  last transition %s ago: %s\n", now.Sub(in.Since).Round(time.Second), in.Reason)
		}
		for _, t := range in.Tracks {
			ok := "ok"
			if !t.OK {
				ok = "FAILED"
			}
			fmt.Fprintf(w, "  track %s %s weight %d: %s\n", t.Kind, t.Target, t.Weight, ok)
		}
	}
	if len(s.Backends) == 0 {
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "BACKEND\tUP/TOTAL\tSERVERS")
	for _, b := range s.Backends {
		var parts []string
		for _, sv := range b.Servers {
			parts = append(parts, sv.Name+" "+sv.Status)
		}
		fmt.Fprintf(tw, "%s\t%d/%d\t%s\n", b.Name, b.Up, b.Total, strings.Join(parts, ", "))
	}
	tw.Flush()
}
