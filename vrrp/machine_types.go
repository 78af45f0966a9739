package vrrp

import (
	"net/netip"
	"time"
)

// Params are the fixed parameters of a Machine.
type Params struct {
	Version       int           // 2 or 3
	Interval      time.Duration // Advertisement_Interval
	Preempt       bool
	PreemptDelay  time.Duration
	InitialMaster bool          // state = "MASTER": claim after one interval instead of Master_Down_Interval
	GARPDelay     time.Duration // second announcement burst after becoming master; 0 = none
	GARPRefresh   time.Duration // periodic announcements while master; 0 = none
}

// InputKind is what happened.
type InputKind uint8

const (
	// InStart starts the machine (Initialize → Backup, Master or Fault).
	InStart InputKind = iota
	// InAdvert is a received advertisement that passed every check.
	InAdvert
	// InTimer means the clock reached Next().
	InTimer
	// InPriority gives the effective priority and fault condition computed
	// from the tracks and the link.
	InPriority
	// InStop is the graceful stop (RFC "Shutdown" event).
	InStop
)

// Input is one event for Step.
type Input struct {
	Kind InputKind
	// InAdvert: the sender's priority, its interval and its address.
	// InPriority: the new effective priority.
	Priority uint8
	Interval time.Duration
	Src      netip.Addr
	// InPriority: whether the instance must be in FAULT, and why.
	Fault  bool
	Reason string
}

// Output is what the runner must do after a Step, in this order: log the
// transition and split brain, send an advert, add or remove the VIPs,
// announce them (gratuitous ARP / unsolicited NA).
type Output struct {
	Transition     bool
	From, To       State
	Reason         string
	SendAdvert     bool
	AdvertPriority uint8
	AddVIPs        bool
	RemoveVIPs     bool
	Announce       bool
	// SplitBrain: another master was heard while this one is master.
	SplitBrain   bool
	PeerPriority uint8
	Peer         netip.Addr
	// Stopped: the graceful stop is complete; the runner returns.
	Stopped bool
}
