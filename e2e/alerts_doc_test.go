package e2e

import (
	"net/netip"
	"os"
	"strings"
	"testing"
	"time"

	"haappliance/checks"
	"haappliance/vrrp"
)

// TestAlertLinesDocumented renders the stable log lines of SPEC §9.1 with
// the product's own formatters and checks that docs/alerts.md quotes each
// of them exactly, so the page operators build alerts from cannot drift
// from what the daemon writes.
func TestAlertLinesDocumented(t *testing.T) {
	doc, err := os.ReadFile("../docs/alerts.md")
	if err != nil {
		t.Fatal(err)
	}
	lines := []string{
		checks.ServerTransition{Backend: "ms1", Server: "ms1.srv1", State: checks.StateDown,
			Result:     checks.Result{Status: checks.StatusL7Status, Code: 404, Info: "Not Found", Duration: time.Millisecond},
			ActiveLeft: 1}.String(),
		checks.ServerTransition{Backend: "ms1", Server: "ms1.srv1", State: checks.StateUp,
			Result:     checks.Result{Status: checks.StatusL7OK, Code: 200},
			ActiveLeft: 2}.String(),
		checks.BackendEmpty{Backend: "ms1"}.String(),
		vrrp.TransitionEvent{Instance: "VI_1", To: vrrp.StateFault, Priority: 101, Reason: "interface eth0 down"}.String(),
		vrrp.TransitionEvent{Instance: "VI_1", To: vrrp.StateInit, Priority: 103, Reason: "stopped"}.String(),
		vrrp.PriorityEvent{Instance: "VI_1", From: 103, To: 101, Kind: "frontend", Target: "http-in", Weight: 2}.String(),
		vrrp.SplitBrainEvent{Instance: "VI_1", VRID: 51, Peer: netip.MustParseAddr("198.18.0.12"), PeerPriority: 100, Priority: 101}.String(),
	}
	for _, l := range lines {
		if !strings.Contains(string(doc), "`"+l+"`") {
			t.Errorf("docs/alerts.md does not quote the line the daemon writes:\n%s", l)
		}
	}
	// Transition lines carry a reason that varies; the documented prefix
	// must be what the formatter writes.
	master := vrrp.TransitionEvent{Instance: "VI_1", To: vrrp.StateMaster, Priority: 103, Reason: "x"}.String()
	if want := "VRRP_Instance(VI_1) Entering MASTER STATE (priority 103, reason: "; !strings.HasPrefix(master, want) || !strings.Contains(string(doc), want) {
		t.Errorf("MASTER line %q: documented prefix %q", master, want)
	}
}
