package main

import (
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestRatioLine(t *testing.T) {
	ms := time.Millisecond
	for _, tc := range []struct {
		interval     time.Duration
		sig          syscall.Signal
		ours, theirs time.Duration
		want         string
	}{
		{time.Second, syscall.SIGKILL, 3105 * ms, 3105 * ms, "1.00x keepalived (bar <= 1.0)"},
		{100 * ms, syscall.SIGKILL, 330 * ms, 300 * ms, "1.10x keepalived (bar <= 1.0)"},
		{time.Second, syscall.SIGTERM, 621 * ms, 610 * ms, "621 ms, keepalived 610 ms (bar <= skew + 20 ms = 629 ms: met)"},
		{100 * ms, syscall.SIGTERM, 73 * ms, 61 * ms, "(bar <= skew + 20 ms = 81 ms: met)"},
		{100 * ms, syscall.SIGTERM, 90 * ms, 61 * ms, "(bar <= skew + 20 ms = 81 ms: missed)"},
	} {
		got := ratioLine("x", tc.interval, tc.sig, tc.ours, tc.theirs)
		if !strings.HasPrefix(got, "ratio  failover on x: ") || !strings.HasSuffix(got, tc.want) {
			t.Errorf("ratioLine(%v, %v, %v, %v) = %q, want it to end in %q", tc.interval, tc.sig, tc.ours, tc.theirs, got, tc.want)
		}
	}
}
