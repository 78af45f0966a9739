package main

import (
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// udpSink receives syslog datagrams on loopback.
func udpSink(t *testing.T) (addr string, recv func() string) {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	return pc.LocalAddr().String(), func() string {
		pc.SetReadDeadline(time.Now().Add(5 * time.Second))
		b := make([]byte, 4096)
		n, _, err := pc.ReadFrom(b)
		if err != nil {
			t.Fatalf("no syslog datagram: %v", err)
		}
		return string(b[:n])
	}
}

func TestSyslogSeveritiesAndFacility(t *testing.T) {
	addr, recv := udpSink(t)
	log, closeLog := newLogger([]LogTarget{{Address: "udp://" + addr, Facility: "local0", Level: "info"}}, io.Discard)
	defer closeLog()

	cases := []struct {
		emit func()
		pri  int
		msg  string
	}{
		{func() { log.Warn("VRRP_Instance(VI_1) Entering MASTER STATE (priority 103, reason: test)") }, 16*8 + 4,
			"VRRP_Instance(VI_1) Entering MASTER STATE (priority 103, reason: test)"},
		{func() { log.WithField(SeverityField, "notice").Info("priority change") }, 16*8 + 5, "priority change"},
		{func() { log.WithField(SeverityField, "alert").Error("split brain") }, 16*8 + 1, "split brain"},
		{func() { log.Info("request line") }, 16*8 + 6, "request line"},
	}
	line := regexp.MustCompile(`^<(\d+)>\w{3} [ \d]\d \d\d:\d\d:\d\d \S+ haappliance\[\d+\]: (.*)\n?$`)
	for _, c := range cases {
		c.emit()
		got := recv()
		m := line.FindStringSubmatch(got)
		if m == nil {
			t.Fatalf("datagram %q is not RFC 3164 with tag haappliance", got)
		}
		if m[1] != fmt.Sprint(c.pri) || m[2] != c.msg {
			t.Errorf("got <%s> %q, want <%d> %q", m[1], m[2], c.pri, c.msg)
		}
	}
	// Below the target's level: dropped. The next datagram is the warning.
	log.Debug("not sent")
	log.Warn("sent")
	if got := recv(); !strings.HasSuffix(strings.TrimSpace(got), "haappliance["+fmt.Sprint(os.Getpid())+"]: sent") {
		t.Errorf("after a debug entry the target got %q", got)
	}
}

func TestSyslogLevelFilterPerTarget(t *testing.T) {
	addr, recv := udpSink(t)
	log, closeLog := newLogger([]LogTarget{{Address: "udp://" + addr, Facility: "local1", Level: "warning"}}, io.Discard)
	defer closeLog()
	log.Info("info: dropped by this target")
	log.WithField(SeverityField, "notice").Info("notice: dropped too")
	log.Warn("warning: kept")
	got := recv()
	if !strings.HasPrefix(got, fmt.Sprintf("<%d>", 17*8+4)) || !strings.Contains(got, "warning: kept") {
		t.Errorf("local1/warning target got %q first", got)
	}
}

// TestRsyslogReceivesAlertLines runs a real rsyslogd (Debian's package) with
// a UDP input on loopback and checks the stored line.
func TestRsyslogReceivesAlertLines(t *testing.T) {
	rsyslogd, err := exec.LookPath("rsyslogd")
	if err != nil {
		if _, err2 := os.Stat("/usr/sbin/rsyslogd"); err2 != nil {
			t.Skip("rsyslogd not installed: `make test` installs it as root on Debian (apt-get install rsyslog)")
		}
		rsyslogd = "/usr/sbin/rsyslogd"
	}
	dir := t.TempDir()
	port := freeUDPPort(t)
	out := filepath.Join(dir, "haproxy.log")
	conf := fmt.Sprintf(`global(workDirectory=%q)
module(load="imudp")
input(type="imudp" address="127.0.0.1" port="%d")
template(name="raw" type="string" string="<%%PRI%%>%%TIMESTAMP%% %%syslogtag%%%%msg%%\n")
local0.* action(type="omfile" file=%q template="raw")
`, dir, port, out)
	cfgPath := filepath.Join(dir, "rsyslog.conf")
	os.WriteFile(cfgPath, []byte(conf), 0o600)
	cmd := exec.Command(rsyslogd, "-n", "-f", cfgPath, "-i", filepath.Join(dir, "rsyslogd.pid"))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()

	log, closeLog := newLogger([]LogTarget{{Address: fmt.Sprintf("udp://127.0.0.1:%d", port), Facility: "local0", Level: "info"}}, io.Discard)
	defer closeLog()
	want := "VRRP_Instance(VI_1) Entering MASTER STATE (priority 103, reason: rsyslog test)"
	deadline := time.Now().Add(10 * time.Second)
	for {
		// rsyslogd may not listen yet: resend until the line is stored.
		log.Warn(want)
		b, _ := os.ReadFile(out)
		if strings.Contains(string(b), want) {
			if !strings.HasPrefix(string(b), "<132>") || !strings.Contains(string(b), "haappliance[") {
				t.Errorf("rsyslog stored %q; want <132> and tag haappliance", b)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("rsyslogd stored nothing in 10s; its stderr: %s", stderr.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func freeUDPPort(t *testing.T) int {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	return pc.LocalAddr().(*net.UDPAddr).Port
}
