package vrrp

import (
	"net/netip"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/sirupsen/logrus"
	"github.com/sirupsen/logrus/hooks/test"
)

// TestEventLines checks every stable line (SPEC §9.1) against
// testdata/events.golden, with its level and syslog severity.
func TestEventLines(t *testing.T) {
	logger, hook := test.NewNullLogger()
	l := logrus.NewEntry(logger)
	peer := netip.MustParseAddr("198.18.0.12")
	TransitionEvent{Instance: "VI_1", To: StateMaster, Priority: 103, Reason: "master down timer expired"}.Log(l)
	TransitionEvent{Instance: "VI_1", To: StateBackup, Priority: 101, Reason: "higher priority advert from 198.18.0.12 (priority 102)"}.Log(l)
	TransitionEvent{Instance: "VI_1", To: StateFault, Priority: 101, Reason: "interface eth0 down"}.Log(l)
	TransitionEvent{Instance: "VI_1", To: StateInit, Priority: 101, Reason: "stopped"}.Log(l)
	PriorityEvent{Instance: "VI_1", From: 103, To: 101, Kind: "frontend", Target: "http-in", Weight: 2}.Log(l)
	PriorityEvent{Instance: "VI_1", From: 101, To: 103, Kind: "frontend", Target: "http-in", OK: true, Weight: 2}.Log(l)
	SplitBrainEvent{Instance: "VI_1", VRID: 51, Peer: peer, PeerPriority: 100, Priority: 101}.Log(l)
	SplitBrainEvent{Instance: "VI_1", VRID: 51, Peer: peer, PeerPriority: 101, Priority: 101, Yield: true}.Log(l)
	DropEvent{Instance: "VI_1", Src: peer, Reason: DropInterval, Detail: "mine=1 s, received=2 s"}.Log(l)
	var got []string
	for _, e := range hook.AllEntries() {
		sev := e.Level.String()
		if s, ok := e.Data[SeverityField]; ok {
			sev = s.(string)
		}
		got = append(got, sev+" "+e.Message)
	}
	b, err := os.ReadFile("testdata/events.golden")
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Split(strings.TrimSpace(string(b)), "\n")
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("lines (-want +got):\n%s", diff)
	}
}
