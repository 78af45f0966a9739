package sysctl

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestDropPrivileges drops to uid/gid 65534 in a child process and checks
// the credentials of every thread, that a raw socket can still be opened,
// and that the process cannot go back to root.
func TestDropPrivileges(t *testing.T) {
	requireRoot(t)
	got := childLines(runChild(t, "TestDropPrivilegesChild", "drop", 0))
	if len(got) > 0 && got[0] == "cgo: true" {
		// A cgo binary (go test -race links cgo) must refuse cleanly and
		// leave every credential as it was.
		want := []string{
			"cgo: true",
			`drop: drop privileges to user "65534" group "65534": ` + ErrCgo.Error(),
			"threads agree: true",
			"Uid: 0 0 0 0",
		}
		if diff := cmp.Diff(want, got[:min(4, len(got))]); diff != "" {
			t.Errorf("child with cgo (-want +got):\n%s", diff)
		}
		t.Skip("cgo binary: the refusal is checked; run with CGO_ENABLED=0 (and without -race) for the real drop")
	}
	want := []string{
		"cgo: false",
		"drop: <nil>",
		"threads agree: true",
		"Uid: 65534 65534 65534 65534",
		"Gid: 65534 65534 65534 65534",
		"Groups: 65534",
		"CapInh: 0000000000003400",
		"CapPrm: 0000000000003400",
		"CapEff: 0000000000003400",
		"CapBnd: 0000000000003400",
		"CapAmb: 0000000000003400",
		"raw socket: <nil>",
		`back to root: drop privileges to user "0" group "0": running as uid 65534, not root`,
		"same user again: <nil>",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("child (-want +got):\n%s", diff)
	}
}

func TestDropPrivilegesChild(t *testing.T) {
	if os.Getenv(childEnv) != "drop" {
		t.Skip("runs only as the child of TestDropPrivileges")
	}
	// Park goroutines on threads of their own, so the drop has to reach
	// threads other than the calling one.
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			<-stop
		}()
	}
	_, _, e := syscall.AllThreadsSyscall(syscall.SYS_GETPID, 0, 0, 0)
	fmt.Printf("> cgo: %v\n", e == syscall.ENOTSUP)
	fmt.Printf("> drop: %v\n", DropPrivileges("65534", "65534"))

	fields := []string{"Uid", "Gid", "Groups", "CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"}
	tasks, _ := filepath.Glob("/proc/self/task/*/status")
	var first map[string]string
	agree := len(tasks) > 4
	for _, p := range tasks {
		st := statusFields(p, fields)
		if first == nil {
			first = st
		} else if !cmp.Equal(first, st) {
			agree = false
			fmt.Printf("> thread %s differs: %v\n", p, st)
		}
	}
	fmt.Printf("> threads agree: %v\n", agree)
	for _, f := range fields {
		fmt.Printf("> %s: %s\n", f, first[f])
	}
	close(stop)
	wg.Wait()

	// CAP_NET_RAW is kept on whatever thread runs this.
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_RAW, 112)
	if err == nil {
		syscall.Close(fd)
	}
	fmt.Printf("> raw socket: %v\n", err)
	fmt.Printf("> back to root: %v\n", DropPrivileges("0", "0"))
	fmt.Printf("> same user again: %v\n", DropPrivileges("65534", "65534"))
}

// statusFields reads some fields of a /proc status file, with runs of
// whitespace collapsed and group lists sorted.
func statusFields(path string, names []string) map[string]string {
	b, err := os.ReadFile(path)
	if err != nil {
		return map[string]string{"error": err.Error()}
	}
	out := map[string]string{}
	for _, line := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		for _, n := range names {
			if k == n {
				f := strings.Fields(v)
				if k == "Groups" {
					sort.Strings(f)
				}
				out[k] = strings.Join(f, " ")
			}
		}
	}
	return out
}
