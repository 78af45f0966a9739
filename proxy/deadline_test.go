package proxy

import (
	"net"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// dlConn records the deadlines set on it.
type dlConn struct {
	net.Conn
	reads, writes []time.Time
}

func (c *dlConn) SetReadDeadline(t time.Time) error  { c.reads = append(c.reads, t); return nil }
func (c *dlConn) SetWriteDeadline(t time.Time) error { c.writes = append(c.writes, t); return nil }

// TestLazyDeadline checks that a deadline moves only when the one in place
// would fire early or more than the slack late.
func TestLazyDeadline(t *testing.T) {
	t0 := time.Unix(1_000_000, 0)
	ms := time.Millisecond
	type step struct {
		at time.Duration // now, from t0
		to time.Duration
	}
	tests := []struct {
		name  string
		steps []step
		want  []time.Time // deadlines set, in order
	}{
		{"first arm sets now+to+slack", []step{{0, 30 * time.Second}},
			[]time.Time{t0.Add(30*time.Second + 250*ms)}},
		{"busy connection within the slack keeps it", []step{{0, 30 * time.Second}, {ms, 30 * time.Second}, {249 * ms, 30 * time.Second}},
			[]time.Time{t0.Add(30*time.Second + 250*ms)}},
		{"past the slack re-arms", []step{{0, 30 * time.Second}, {251 * ms, 30 * time.Second}},
			[]time.Time{t0.Add(30*time.Second + 250*ms), t0.Add(30*time.Second + 501*ms)}},
		{"shorter timeout re-arms (would fire late)", []step{{0, 30 * time.Second}, {0, time.Second}},
			[]time.Time{t0.Add(30*time.Second + 250*ms), t0.Add(time.Second + 62500*time.Microsecond)}},
		{"small timeout has a small slack", []step{{0, 160 * ms}, {10 * ms, 160 * ms}, {11 * ms, 160 * ms}},
			[]time.Time{t0.Add(170 * ms), t0.Add(181 * ms)}},
		{"no timeout clears once", []step{{0, time.Second}, {0, 0}, {ms, 0}},
			[]time.Time{t0.Add(time.Second + 62500*time.Microsecond), {}}},
		{"no timeout on a fresh connection is set once", []step{{0, 0}, {0, 0}},
			[]time.Time{{}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c dlConn
			var d lazyDL
			for _, s := range tt.steps {
				d.arm(&c, dlRead, t0.Add(s.at), s.to)
			}
			if diff := cmp.Diff(tt.want, c.reads); diff != "" {
				t.Errorf("deadlines set (-want +got):\n%s", diff)
			}
			d.forget()
			d.arm(&c, dlWrite, t0, tt.steps[0].to)
			if len(c.writes) != 1 {
				t.Errorf("after forget: %d write deadlines set, want 1", len(c.writes))
			}
		})
	}
}
