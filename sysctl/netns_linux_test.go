package sysctl

import (
	"fmt"
	"os"
	"syscall"
	"testing"
)

// TestApplyInNetworkNamespace applies the recommended set for real, inside
// a network namespace of its own (a re-executed child with CLONE_NEWNET), so
// the host's settings are never touched. The namespaced keys are changed
// or kept; net.ipv4.tcp_max_orphans is global on Linux and absent in a
// namespace, so it must come out missing, as a warning, not a failure.
func TestApplyInNetworkNamespace(t *testing.T) {
	requireRoot(t)
	if _, err := os.Stat("/proc/sys/net/ipv4/tcp_max_orphans"); err != nil {
		t.Skipf("this kernel has no net.ipv4.tcp_max_orphans even outside namespaces: %v", err)
	}
	hostBefore, err := FS{}.Read("net.core.somaxconn")
	if err != nil {
		t.Fatal(err)
	}
	got := childLines(runChild(t, "TestApplyInNetworkNamespaceChild", "netns", syscall.CLONE_NEWNET))

	want := map[string]State{
		"net.ipv4.tcp_tw_reuse":        Changed,
		"net.ipv4.ip_local_port_range": Changed,
		"net.ipv4.tcp_max_syn_backlog": Changed,
		"net.ipv4.tcp_max_tw_buckets":  Changed,
		"net.ipv4.tcp_max_orphans":     Missing,
		"net.ipv4.tcp_synack_retries":  Changed,
		"net.core.somaxconn":           Changed,
		"net.ipv4.ip_nonlocal_bind":    Changed,
	}
	seen := map[string]bool{}
	for _, line := range got {
		var key, state, second string
		if _, err := fmt.Sscanf(line, "%s %s %s", &key, &state, &second); err != nil {
			t.Errorf("child line %q: %v", line, err)
			continue
		}
		seen[key] = true
		w, ok := want[key]
		if !ok {
			t.Errorf("unexpected key %s", key)
			continue
		}
		// A namespace default that already equals the wanted value is kept;
		// an older kernel may not namespace a key yet and show it missing.
		// Nothing may fail.
		if State(state) != w && !(w == Changed && (State(state) == Kept || State(state) == Missing)) {
			t.Errorf("%s: %s, want %s (%s)", key, state, w, line)
		}
		if State(state) != Missing && second != string(Kept) {
			t.Errorf("%s: second Apply gave %s, want kept", key, second)
		}
	}
	if len(seen) != len(want) {
		t.Errorf("child reported %d keys, want %d: %q", len(seen), len(want), got)
	}
	if hostAfter, _ := (FS{}).Read("net.core.somaxconn"); hostAfter != hostBefore {
		t.Errorf("host net.core.somaxconn changed from %s to %s", hostBefore, hostAfter)
	}
}

func TestApplyInNetworkNamespaceChild(t *testing.T) {
	if os.Getenv(childEnv) != "netns" {
		t.Skip("runs only as the child of TestApplyInNetworkNamespace")
	}
	plan := Plan(Config{})
	first := Apply(FS{}, plan)
	second := Apply(FS{}, plan)
	for i, o := range first {
		fmt.Printf("> %s %s %s\n", o.Key, o.State, second[i].State)
	}
}
