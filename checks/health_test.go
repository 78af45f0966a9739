package checks

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"haappliance/config"
)

const (
	ok   = StatusL7OK
	bad  = StatusL7Status
	cond = StatusL7OKCond
	none = StatusUnknown
)

type step struct {
	State   State
	Health  int
	Changed bool
	Text    string
}

func runHealth(rise, fall int, seq []Status) []step {
	h := NewHealth(rise, fall)
	var out []step
	for _, s := range seq {
		c := h.Observe(s)
		out = append(out, step{h.State(), h.Counter(), c, h.StatusText()})
	}
	return out
}

func TestHealthObserve(t *testing.T) {
	tests := []struct {
		name       string
		rise, fall int
		seq        []Status
		want       []step
	}{
		{"first failure at start takes it down (haproxy: health=rise)", 2, 3, []Status{bad},
			[]step{{StateDown, 0, true, "DOWN"}}},
		{"first success makes it fully up", 2, 3, []Status{ok, ok},
			[]step{{StateUp, 4, false, "UP"}, {StateUp, 4, false, "UP"}}},
		{"fall 3 once checked", 2, 3, []Status{ok, bad, bad, bad},
			[]step{{StateUp, 4, false, "UP"}, {StateUp, 3, false, "UP 2/3"}, {StateUp, 2, false, "UP 1/3"}, {StateDown, 0, true, "DOWN"}}},
		{"a success in between resets the fall count", 2, 3, []Status{ok, bad, bad, ok, bad, bad},
			[]step{{StateUp, 4, false, "UP"}, {StateUp, 3, false, "UP 2/3"}, {StateUp, 2, false, "UP 1/3"}, {StateUp, 4, false, "UP"}, {StateUp, 3, false, "UP 2/3"}, {StateUp, 2, false, "UP 1/3"}}},
		{"rise 2 from down", 2, 3, []Status{bad, ok, ok},
			[]step{{StateDown, 0, true, "DOWN"}, {StateDown, 1, false, "DOWN 1/2"}, {StateUp, 4, true, "UP"}}},
		{"a failure while rising starts over", 2, 3, []Status{bad, ok, bad, ok, ok},
			[]step{{StateDown, 0, true, "DOWN"}, {StateDown, 1, false, "DOWN 1/2"}, {StateDown, 0, false, "DOWN"}, {StateDown, 1, false, "DOWN 1/2"}, {StateUp, 4, true, "UP"}}},
		{"unknown counts neither way", 2, 3, []Status{none, none},
			[]step{{StateUp, 2, false, "UP 1/3"}, {StateUp, 2, false, "UP 1/3"}}},
		{"rise 1 fall 1", 1, 1, []Status{ok, bad, bad, ok},
			[]step{{StateUp, 1, false, "UP"}, {StateDown, 0, true, "DOWN"}, {StateDown, 0, false, "DOWN"}, {StateUp, 1, true, "UP"}}},
		{"404 under disable-on-404: stopping, then up", 2, 3, []Status{ok, cond, cond, ok},
			[]step{{StateUp, 4, false, "UP"}, {StateStopping, 4, true, "NOLB"}, {StateStopping, 4, false, "NOLB"}, {StateUp, 4, true, "UP"}}},
		{"stopping goes down after fall failures", 2, 3, []Status{cond, bad, bad, bad},
			[]step{{StateStopping, 4, true, "NOLB"}, {StateStopping, 3, false, "NOLB 2/3"}, {StateStopping, 2, false, "NOLB 1/3"}, {StateDown, 0, true, "DOWN"}}},
		{"down server rises to stopping", 2, 3, []Status{bad, cond, cond},
			[]step{{StateDown, 0, true, "DOWN"}, {StateDown, 1, false, "DOWN 1/2"}, {StateStopping, 4, true, "NOLB"}}},
		{"every failure status counts", 2, 2, []Status{ok, StatusL4Con, StatusL4Timeout, StatusL4OK, StatusL4OK, StatusSockErr, StatusL7Response},
			[]step{{StateUp, 3, false, "UP"}, {StateUp, 2, false, "UP 1/2"}, {StateDown, 0, true, "DOWN"}, {StateDown, 1, false, "DOWN 1/2"}, {StateUp, 3, true, "UP"}, {StateUp, 2, false, "UP 1/2"}, {StateDown, 0, true, "DOWN"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if d := cmp.Diff(tt.want, runHealth(tt.rise, tt.fall, tt.seq)); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

func TestHealthInterval(t *testing.T) {
	p := Params{Inter: config.Duration(2 * time.Second), FastInter: config.Duration(500 * time.Millisecond), DownInter: config.Duration(5 * time.Second)}
	h := NewHealth(2, 3)
	var got []time.Duration
	got = append(got, h.Interval(p)) // not yet checked: fastinter
	for _, s := range []Status{ok, bad, bad, bad, ok, ok} {
		h.Observe(s)
		got = append(got, h.Interval(p))
	}
	ms := time.Millisecond
	want := []time.Duration{500 * ms, 2000 * ms, 500 * ms, 500 * ms, 5000 * ms, 500 * ms, 2000 * ms}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

func TestHealthForce(t *testing.T) {
	h := NewHealth(2, 3)
	got := []bool{h.Force(false), h.Force(false), h.Force(true), h.Force(true)}
	if d := cmp.Diff([]bool{true, false, true, false}, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	if h.Counter() != 4 || h.StatusText() != "UP" {
		t.Errorf("after Force(true): %d %s", h.Counter(), h.StatusText())
	}
}
