package sysctl

import (
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
)

// childEnv names the part of a test a re-executed test binary runs.
const childEnv = "HAAPPLIANCE_SYSCTL_TEST_CHILD"

// runChild re-executes the test binary to run test (a Test function that
// acts only when childEnv is set) in a fresh process, optionally in new
// namespaces, and returns its output. Privilege and namespace changes then
// never touch the process running the other tests.
func runChild(t *testing.T, test, role string, cloneflags uintptr) string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+test+"$", "-test.v")
	cmd.Env = append(os.Environ(), childEnv+"="+role)
	cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: cloneflags}
	out, err := cmd.CombinedOutput()
	if err != nil {
		if cloneflags != 0 && strings.Contains(err.Error(), "operation not permitted") {
			t.Skipf("cannot create namespaces here (%v): run as root with CAP_SYS_ADMIN", err)
		}
		t.Fatalf("child %s: %v\n%s", test, err, out)
	}
	return string(out)
}

// childLines returns the lines the child printed with prefix "> ", without it.
func childLines(out string) []string {
	var lines []string
	for _, l := range strings.Split(out, "\n") {
		if s, ok := strings.CutPrefix(l, "> "); ok {
			lines = append(lines, s)
		}
	}
	return lines
}

func requireRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root (CI runs as root): run `sudo go test ./sysctl/`")
	}
}
