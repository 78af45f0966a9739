// Package rsyslogtest runs Debian's rsyslogd as a private syslog receiver
// for tests: a UDP input on a given address, local0 stored in a file with a
// chosen template. Callers start the process their own way (directly, as a
// watched child, or inside a lab namespace) with the returned arguments.
package rsyslogtest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Raw stores each local0 message with its <PRI>, timestamp and tag:
// "<132>Nov 25 11:00:00 haappliance[42]: message".
const Raw = "<%PRI%>%TIMESTAMP% %syslogtag%%msg%\n"

// Binary returns rsyslogd's path, or skips t with how to install it.
func Binary(t testing.TB) string {
	t.Helper()
	if p, err := exec.LookPath("rsyslogd"); err == nil {
		return p
	}
	if _, err := os.Stat("/usr/sbin/rsyslogd"); err == nil {
		return "/usr/sbin/rsyslogd"
	}
	t.Skip("rsyslogd not installed: `make deps` installs it as root on Debian (apt-get install rsyslog)")
	return ""
}

// Config writes an rsyslog configuration into a temporary folder of t:
// UDP input on addr:port, local0 written to the returned file with
// template (rsyslog's property syntax, e.g. Raw). It returns the rsyslogd
// arguments (foreground, that configuration, a private pid file).
func Config(t testing.TB, addr string, port int, template string) (args []string, out string) {
	t.Helper()
	dir := t.TempDir()
	out = filepath.Join(dir, "local0.log")
	conf := fmt.Sprintf(`global(workDirectory=%q)
module(load="imudp")
input(type="imudp" address=%q port="%d")
template(name="t" type="string" string=%q)
local0.* action(type="omfile" file=%q template="t")
`, dir, addr, port, template, out)
	cfg := filepath.Join(dir, "rsyslog.conf")
	if err := os.WriteFile(cfg, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	return []string{"-n", "-f", cfg, "-i", filepath.Join(dir, "rsyslogd.pid")}, out
}
