package stats

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

const haproxyPath = "/usr/sbin/haproxy"

// TestCSVHeaderMatchesHaproxy asks the installed haproxy for `show stat`
// on its stats socket and compares its header with ours, column for
// column. The committed golden copy (TestCSVHeaderGolden) covers machines
// without haproxy.
func TestCSVHeaderMatchesHaproxy(t *testing.T) {
	if _, err := os.Stat(haproxyPath); err != nil {
		t.Skipf("%s not installed (apt-get install haproxy); TestCSVHeaderGolden still checks the committed header", haproxyPath)
	}
	dir := t.TempDir()
	sock := filepath.Join(dir, "stats.sock")
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	cfg := fmt.Sprintf(`global
  stats socket %s mode 600 level admin
defaults
  mode http
  timeout connect 1s
  timeout client 5s
  timeout server 5s
frontend fe
  bind 127.0.0.1:%d
  default_backend be
backend be
  server s1 127.0.0.1:9
`, sock, port)
	file := filepath.Join(dir, "haproxy.cfg")
	if err := os.WriteFile(file, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(haproxyPath, "-db", "-f", file)
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	var c net.Conn
	for deadline := time.Now().Add(5 * time.Second); ; {
		if c, err = net.Dial("unix", sock); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("haproxy stats socket: %v", err)
		}
		time.Sleep(20 * time.Millisecond) // waiting for a child process, not timer logic
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(c, "show stat\n"); err != nil {
		t.Fatal(err)
	}
	header, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(strings.Split(strings.TrimSpace(header), ","), strings.Split(CSVHeader(), ",")); diff != "" {
		t.Errorf("CSV header (-haproxy +ours):\n%s", diff)
	}
}
