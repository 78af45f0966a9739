// Package keepalivedtest runs Debian's keepalived 2.2.7 in a lab namespace
// as the reference VRRP node of interoperability tests: one instance VI_1,
// VRID 51, on eth0, holding 198.18.0.100/24.
package keepalivedtest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"haappliance/internal/lab"
)

// Node is the instance's configuration.
type Node struct {
	State    string // MASTER or BACKUP
	Priority int
	Interval time.Duration // advert_int
	Version  int           // 2 or 3
}

// Start runs keepalived in the foreground on h with n's instance, or skips
// t when keepalived is not installed. Its log is shown when t fails.
func Start(t testing.TB, h *lab.Host, n Node) *lab.Proc {
	t.Helper()
	if _, err := exec.LookPath("keepalived"); err != nil {
		t.Skip("keepalived not installed: `make deps` installs it as root (apt-get install keepalived)")
	}
	dir := t.TempDir()
	conf := fmt.Sprintf(`global_defs {
    router_id %s
    script_user root
    enable_script_security
}
vrrp_instance VI_1 {
    state %s
    interface eth0
    virtual_router_id 51
    priority %d
    advert_int %g
    version %d
    virtual_ipaddress {
        198.18.0.100/24
    }
}
`, h.Name, n.State, n.Priority, n.Interval.Seconds(), n.Version)
	f := filepath.Join(dir, "keepalived.conf")
	if err := os.WriteFile(f, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := h.Start("keepalived", "-n", "-l", "-D", "-G", "-P", "-f", f,
		"-p", filepath.Join(dir, "k.pid"), "-r", filepath.Join(dir, "v.pid"), "-c", filepath.Join(dir, "c.pid"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("%s (keepalived) log:\n%s", h.Name, p.Output())
		}
	})
	return p
}

var complaint = regexp.MustCompile(`(?i)invalid|mismatch|not present|bad |wrong|error|discard|ignoring`)

// Complaints returns keepalived's log lines that show it did not accept
// the other node's adverts.
func Complaints(out string) []string {
	var bad []string
	for _, l := range strings.Split(out, "\n") {
		if complaint.MatchString(l) {
			bad = append(bad, l)
		}
	}
	return bad
}
