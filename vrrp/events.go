package vrrp

import (
	"fmt"
	"net/netip"

	"github.com/sirupsen/logrus"
)

// The stable log lines of SPEC §9.1 (documented in docs/alerts.md), each a
// typed event formatted here and nowhere else. logrus has no notice and no
// alert level: those lines are logged at Info and Error with the field
// syslog_severity set to "notice" or "alert", which the syslog hook of
// cmd/haappliance maps to the real severity.

// SeverityField is the logrus field that carries a syslog severity logrus
// cannot express.
const SeverityField = "syslog_severity"

// TransitionEvent is a state change.
type TransitionEvent struct {
	Instance string
	To       State
	Priority int
	Reason   string
}

func (e TransitionEvent) String() string {
	if e.To == StateInit {
		return fmt.Sprintf("VRRP_Instance(%s) Stopped (priority %d, reason: %s)", e.Instance, e.Priority, e.Reason)
	}
	return fmt.Sprintf("VRRP_Instance(%s) Entering %s STATE (priority %d, reason: %s)", e.Instance, e.To, e.Priority, e.Reason)
}

// Log writes the event: warning for MASTER, BACKUP and FAULT, info for the
// stop.
func (e TransitionEvent) Log(l *logrus.Entry) {
	if e.To == StateInit {
		l.Info(e.String())
		return
	}
	l.Warn(e.String())
}

// PriorityEvent is a change of the effective priority caused by a track.
type PriorityEvent struct {
	Instance string
	From, To int
	Kind     string // frontend, backend, interface, script
	Target   string
	OK       bool
	Weight   int
}

func (e PriorityEvent) String() string {
	what := "failed"
	if e.OK {
		what = "recovered"
	}
	return fmt.Sprintf("VRRP_Instance(%s) priority %d -> %d (track %s %s %s, weight %d)", e.Instance, e.From, e.To, e.Kind, e.Target, what, e.Weight)
}

// Log writes the event at notice.
func (e PriorityEvent) Log(l *logrus.Entry) { l.WithField(SeverityField, "notice").Info(e.String()) }

// SplitBrainEvent is another master heard while master.
type SplitBrainEvent struct {
	Instance     string
	VRID         int
	Peer         netip.Addr
	PeerPriority int
	Priority     int
	Yield        bool // the peer wins and this node goes backup
}

func (e SplitBrainEvent) String() string {
	action := "re-asserting mastership (advert and gratuitous ARP/NA now)"
	if e.Yield {
		action = "yielding to it"
	}
	return fmt.Sprintf("VRRP_Instance(%s) split brain: another master %s (priority %d) in VRID %d, ours %d; %s", e.Instance, e.Peer, e.PeerPriority, e.VRID, e.Priority, action)
}

// Log writes the event at alert.
func (e SplitBrainEvent) Log(l *logrus.Entry) { l.WithField(SeverityField, "alert").Error(e.String()) }

// DropEvent is a dropped advert worth telling the operator about (a
// configuration mismatch, as keepalived logs them).
type DropEvent struct {
	Instance string
	Src      netip.Addr
	Reason   DropReason
	Detail   string
}

func (e DropEvent) String() string {
	s := fmt.Sprintf("VRRP_Instance(%s) dropped advert from %s: %s", e.Instance, e.Src, e.Reason)
	if e.Detail != "" {
		s += " (" + e.Detail + ")"
	}
	return s
}

// Log writes the event at info.
func (e DropEvent) Log(l *logrus.Entry) { l.Info(e.String()) }
