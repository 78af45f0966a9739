package stats

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestServerClass(t *testing.T) {
	tests := []struct {
		status string
		backup bool
		want   string
	}{
		{"UP", false, "active_up"}, {"UP 1/3", false, "active_going_down"}, {"DOWN", false, "active_down"},
		{"DOWN 1/2", false, "active_going_up"}, {"DRAIN", false, "active_draining"}, {"NOLB", false, "active_nolb"},
		{"no check", false, "active_no_check"}, {"MAINT", false, "maintain"}, {"MAINT (via b/s)", true, "maintain"},
		{"UP", true, "backup_up"}, {"DOWN", true, "backup_down"}, {"DOWN 1/2", true, "backup_going_up"},
	}
	for _, tc := range tests {
		if got := ServerClass(&Server{Status: tc.status, Backup: tc.backup}); got != tc.want {
			t.Errorf("ServerClass(%q, backup %v) = %q, want %q", tc.status, tc.backup, got, tc.want)
		}
	}
}

func TestHumanDuration(t *testing.T) {
	var got []string
	for _, d := range []time.Duration{0, 12 * time.Second, 90 * time.Second, 2*time.Hour + 5*time.Minute, 50 * time.Hour, -time.Second} {
		got = append(got, HumanDuration(d))
	}
	if diff := cmp.Diff([]string{"0s", "12s", "1m30s", "2h5m", "2d2h", "0s"}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestWriteHTML(t *testing.T) {
	snap := testSnapshot()
	snap.Proxies[1].Servers[0].Name = `<script>x</script>`
	var b bytes.Buffer
	if err := WriteHTML(&b, &snap, HTMLOptions{URI: "/stats", Admin: true, Refresh: 30 * time.Second, Message: "Action processed successfully."}); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, want := range []string{
		`<tr class="active_down" data-name="ms1.srv2">`,
		`<tr class="maintain" data-name="ms1.srv6">`,
		`<tr class="backup_up" data-name="def.srv1">`,
		`<input type="checkbox" name="s" value="ms1.srv3">`,
		`<input type="hidden" name="b" value="ms1">`,
		`<form method="post" action="/stats">`,
		`L7STS/404 in 2ms`,
		`1m30s DOWN`,
		`version 0.1.0`,
		`Action processed successfully.`,
		`&lt;script&gt;x&lt;/script&gt;`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(page, "<script>") || strings.Contains(page, "http://") || strings.Contains(page, "https://") {
		t.Error("page must be self-contained and escaped")
	}
	b.Reset()
	_ = WriteHTML(&b, &snap, HTMLOptions{URI: "/stats", HideVersion: true})
	if strings.Contains(b.String(), "version") || strings.Contains(b.String(), "<form") {
		t.Error("hide_version / admin=false not honoured")
	}
}
