package deploy

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
	"github.com/google/go-cmp/cmp"

	"haappliance/sysctl"
)

func read(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestPairDiffersOnlyWhereItMust: master.toml and backup.toml are the same
// file but for the header comment and the two lines marked "PAIR:" (state
// and priority); everything that must match between the hosts (VRID, VIP,
// advert interval, version, services) matches by construction.
func TestPairDiffersOnlyWhereItMust(t *testing.T) {
	m := strings.Split(read(t, "master.toml"), "\n")
	b := strings.Split(read(t, "backup.toml"), "\n")
	if len(m) != len(b) {
		t.Fatalf("master.toml has %d lines, backup.toml %d", len(m), len(b))
	}
	var diff []string
	for i := range m {
		if m[i] == b[i] {
			continue
		}
		if i < 3 && strings.HasPrefix(m[i], "#") && strings.HasPrefix(b[i], "#") {
			continue // header
		}
		key, _, _ := strings.Cut(m[i], "=")
		diff = append(diff, strings.TrimSpace(key))
		if !strings.Contains(m[i], "PAIR:") || !strings.Contains(b[i], "PAIR:") {
			t.Errorf("line %d differs without a PAIR: mark:\n  master: %s\n  backup: %s", i+1, m[i], b[i])
		}
	}
	if d := cmp.Diff([]string{"state", "priority"}, diff); d != "" {
		t.Errorf("differing keys (-want +got):\n%s", d)
	}

	type instance struct {
		State    string `toml:"state"`
		Priority int    `toml:"priority"`
		VRID     int    `toml:"virtual_router_id"`
	}
	var want = map[string]instance{"master.toml": {"MASTER", 101, 51}, "backup.toml": {"BACKUP", 100, 51}}
	for file, w := range want {
		var doc struct {
			Sysctl sysctl.Config `toml:"sysctl"`
			VRRP   struct {
				Instance []instance `toml:"instance"`
			} `toml:"vrrp"`
		}
		if _, err := toml.DecodeFile(file, &doc); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		if d := cmp.Diff([]instance{w}, doc.VRRP.Instance); d != "" {
			t.Errorf("%s vrrp.instance (-want +got):\n%s", file, d)
		}
		if ps := doc.Sysctl.Validate(); len(ps) != 0 || !doc.Sysctl.ApplyEnabled() {
			t.Errorf("%s [sysctl]: %v", file, ps)
		}
	}
}

// TestSysctlListsMatch: the sysctl.d example and docs/install.md show the
// set package sysctl applies.
func TestSysctlListsMatch(t *testing.T) {
	var want []string
	for _, s := range sysctl.Recommended() {
		want = append(want, s.Key+" = "+s.Value)
	}
	var got []string
	sc := bufio.NewScanner(strings.NewReader(read(t, "60-haappliance.conf")))
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" && !strings.HasPrefix(l, "#") {
			got = append(got, l)
		}
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("60-haappliance.conf (-want +got):\n%s", d)
	}
	doc := read(t, "../docs/install.md")
	for _, l := range want {
		if !strings.Contains(doc, l) {
			t.Errorf("docs/install.md does not show %q", l)
		}
	}
}

// TestUnit checks the directives operators rely on, then lets systemd judge.
func TestUnit(t *testing.T) {
	unit := read(t, "haappliance.service")
	for _, line := range []string{
		"Type=notify",
		"ExecReload=/bin/kill -HUP $MAINPID",
		"Restart=always",
		"LimitNOFILE=1048576",
		"AmbientCapabilities=CAP_NET_ADMIN CAP_NET_RAW CAP_NET_BIND_SERVICE",
		"CapabilityBoundingSet=CAP_NET_ADMIN CAP_NET_RAW CAP_NET_BIND_SERVICE CAP_SETUID CAP_SETGID CAP_SETPCAP CAP_SYS_RESOURCE",
		"RuntimeDirectory=haappliance",
		"NoNewPrivileges=yes",
		"ExecStart=/usr/local/sbin/haappliance run -c ${CONFIG} $EXTRAOPTS",
	} {
		if !strings.Contains(unit, "\n"+line+"\n") {
			t.Errorf("unit lacks %q", line)
		}
	}
	// /proc/sys must stay writable for the recommended sysctls.
	for _, bad := range []string{"\nProtectKernelTunables=", "\nPrivateNetwork=", "\nUser="} {
		if strings.Contains(unit, bad) {
			t.Errorf("unit sets %s", strings.TrimSpace(bad))
		}
	}

	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze not installed (apt-get install systemd): unit not verified")
	}
	dir := t.TempDir()
	fake := filepath.Join(dir, "haappliance")
	if err := os.WriteFile(fake, []byte("#!/bin/sh\nexit 0\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "haappliance.service")
	if err := os.WriteFile(path, []byte(strings.ReplaceAll(unit, "/usr/local/sbin/haappliance", fake)), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(analyze, "verify", "--man=no", path).CombinedOutput()
	// verify only warns about unknown keys: any output is a failure.
	if err != nil || len(out) != 0 {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
}

func TestRsyslogSnippet(t *testing.T) {
	rsyslogd, err := exec.LookPath("rsyslogd")
	if err != nil {
		t.Skip("rsyslogd not installed: snippet not validated")
	}
	abs, _ := filepath.Abs("rsyslog-haappliance.conf")
	cmd := exec.Command(rsyslogd, "-N1", "-f", abs)
	cmd.Dir = t.TempDir()
	out, err := cmd.CombinedOutput()
	if err != nil || strings.Contains(string(out), "error") {
		t.Errorf("rsyslogd -N1: %v\n%s", err, out)
	}
	s := read(t, "rsyslog-haappliance.conf")
	for _, want := range []string{`file="/var/log/haproxy.log"`, `file="/var/log/haproxy_warn.log"`, "Entering MASTER STATE", `#module(load="imudp")`} {
		if !strings.Contains(s, want) {
			t.Errorf("rsyslog snippet lacks %s", want)
		}
	}
}

func TestLogrotate(t *testing.T) {
	s := read(t, "logrotate-haappliance")
	for _, want := range []string{"daily", "rotate 7", "compress", "delaycompress", "dateext", "postrotate", "-HUP"} {
		if !strings.Contains(s, "\n    "+want) && !strings.Contains(s, want) {
			t.Errorf("logrotate file lacks %s", want)
		}
	}
	lr, err := exec.LookPath("logrotate")
	if err != nil {
		t.Skip("logrotate not installed: file not validated")
	}
	abs, _ := filepath.Abs("logrotate-haappliance")
	out, err := exec.Command(lr, "-d", "-s", filepath.Join(t.TempDir(), "state"), abs).CombinedOutput()
	if err != nil || strings.Contains(string(out), "error") {
		t.Errorf("logrotate -d: %v\n%s", err, out)
	}
}
