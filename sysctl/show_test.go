package sysctl

import (
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestInspectAndShow(t *testing.T) {
	files := kernelDefaults()
	files["net.ipv4.tcp_tw_reuse"] = "1\n"
	delete(files, "net.ipv4.tcp_max_orphans")
	fs := fakeProc(t, files)
	before := Inspect(fs, Plan(Config{Set: map[string]string{"net.core.somaxconn": "20000"}}))

	var b strings.Builder
	if err := Show(&b, before); err != nil {
		t.Fatal(err)
	}
	want := `KEY                           CURRENT      WANTED              STATE
net.ipv4.tcp_tw_reuse         1            1                   same
net.ipv4.ip_local_port_range  32768 60999  1024 65023          differs
net.ipv4.tcp_max_syn_backlog  1024         10240               differs
net.ipv4.tcp_max_tw_buckets   16384        400000              differs
net.ipv4.tcp_max_orphans      -            60000               missing
net.ipv4.tcp_synack_retries   5            3                   differs
net.core.somaxconn            4096         20000 (sysctl.set)  differs
net.ipv4.ip_nonlocal_bind     0            1                   differs
`
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Errorf("Show (-want +got):\n%s", diff)
	}

	// Inspect wrote nothing.
	if v, _ := fs.Read("net.core.somaxconn"); v != "4096" {
		t.Errorf("Inspect changed somaxconn to %q", v)
	}
}

func TestShowOutcomes(t *testing.T) {
	var b strings.Builder
	err := ShowOutcomes(&b, []Outcome{
		{Key: "net.core.somaxconn", Was: "4096", Wanted: "10000", State: Changed},
		{Key: "net.ipv4.tcp_max_orphans", Wanted: "60000", State: Missing, Err: syscall.ENOENT},
		{Key: "vm.swappiness", Was: "60", Wanted: "10", Source: SourceSet, State: Failed, Err: syscall.EACCES},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := `KEY                       WAS   WANTED           STATE
net.core.somaxconn        4096  10000            changed
net.ipv4.tcp_max_orphans  -     60000            missing
vm.swappiness             60    10 (sysctl.set)  failed: permission denied
`
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Errorf("ShowOutcomes (-want +got):\n%s", diff)
	}
}

func TestInspectUnreadable(t *testing.T) {
	s := &fakeStore{vals: map[string]string{}}
	rows := Inspect(errStore{s}, []Setting{{"a.b", "1", SourceSet}})
	if rows[0].Status != Unreadable || rows[0].Current != "-" {
		t.Errorf("row = %+v", rows[0])
	}
}

type errStore struct{ *fakeStore }

func (errStore) Read(string) (string, error) { return "", syscall.EACCES }
