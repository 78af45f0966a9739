// Package lab builds the namespace lab of SPEC §10 for integration tests,
// benchmarks and `haappliance demo --pair`: a bridge in a network namespace
// of its own and N host namespaces, each joined to the bridge by a veth
// pair whose host end is eth0, with addresses in 198.18.0.0/15 (RFC 2544's
// benchmarking range). Namespace names carry a per-run suffix so runs never
// collide, and Close removes everything, also after a failure. It drives
// iproute2 (`ip`), which every Linux host with namespaces has.
package lab

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"
)

// HostSpec describes one host of the lab.
type HostSpec struct {
	Name  string // short name, e.g. "ha1"; the namespace is Name-SUFFIX
	Addrs []string
	// IPv6 addresses get no duplicate address detection, so they are
	// usable at once (the lab is a closed segment).
}

// Lab is a running lab.
type Lab struct {
	Suffix   string
	BridgeNS string
	Hosts    []*Host

	logf func(format string, args ...any)

	mu    sync.Mutex
	procs []*Proc
	nss   []string
}

// Host is one host namespace.
type Host struct {
	Name  string // as in the spec
	NS    string // namespace name
	Addrs []netip.Prefix
	lab   *Lab
}

// Available reports why the lab cannot be built here (not root, no `ip`
// with namespace support), or nil.
func Available() error {
	if os.Geteuid() != 0 {
		return errors.New("the namespace lab needs root (CAP_SYS_ADMIN, CAP_NET_ADMIN)")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		return errors.New("the namespace lab needs iproute2's ip")
	}
	if out, err := exec.Command("ip", "netns", "list").CombinedOutput(); err != nil {
		return fmt.Errorf("ip netns does not work here: %v: %s", err, bytes.TrimSpace(out))
	}
	return nil
}

// New builds a lab with the given hosts. logf may be nil. On error,
// whatever was built is removed.
func New(ctx context.Context, hosts []HostSpec, logf func(string, ...any)) (l *Lab, err error) {
	if err := Available(); err != nil {
		return nil, err
	}
	b := make([]byte, 3)
	rand.Read(b)
	if logf == nil {
		logf = func(string, ...any) {}
	}
	l = &Lab{Suffix: hex.EncodeToString(b), logf: logf}
	defer func() {
		if err != nil {
			l.Close()
			l = nil
		}
	}()
	l.BridgeNS = "habr-" + l.Suffix
	if err := l.addNS(ctx, l.BridgeNS); err != nil {
		return nil, err
	}
	if err := l.run(ctx, "ip", "-n", l.BridgeNS, "link", "add", "br0", "type", "bridge", "mcast_snooping", "0", "stp_state", "0", "forward_delay", "0"); err != nil {
		return nil, err
	}
	if err := l.run(ctx, "ip", "-n", l.BridgeNS, "link", "set", "br0", "up"); err != nil {
		return nil, err
	}
	for i, hs := range hosts {
		h := &Host{Name: hs.Name, NS: hs.Name + "-" + l.Suffix, lab: l}
		for _, a := range hs.Addrs {
			p, err := netip.ParsePrefix(a)
			if err != nil {
				return nil, fmt.Errorf("lab: host %s: %w", hs.Name, err)
			}
			h.Addrs = append(h.Addrs, p)
		}
		if err := l.addNS(ctx, h.NS); err != nil {
			return nil, err
		}
		peer := fmt.Sprintf("v%d", i)
		mac := fmt.Sprintf("02:00:00:00:%02x:%02x", i>>8&0xff, i&0xff+1)
		steps := [][]string{
			{"ip", "-n", h.NS, "link", "add", "eth0", "address", mac, "type", "veth", "peer", "name", peer, "netns", l.BridgeNS},
			{"ip", "netns", "exec", h.NS, "sysctl", "-qw", "net.ipv6.conf.eth0.accept_dad=0", "net.ipv6.conf.default.accept_dad=0"},
			{"ip", "-n", l.BridgeNS, "link", "set", peer, "master", "br0", "up"},
			{"ip", "-n", h.NS, "link", "set", "lo", "up"},
		}
		for _, p := range h.Addrs {
			steps = append(steps, []string{"ip", "-n", h.NS, "addr", "add", p.String(), "dev", "eth0"})
		}
		steps = append(steps, []string{"ip", "-n", h.NS, "link", "set", "eth0", "up"})
		for _, s := range steps {
			if err := l.run(ctx, s[0], s[1:]...); err != nil {
				return nil, err
			}
		}
		l.Hosts = append(l.Hosts, h)
	}
	return l, nil
}

func (l *Lab) addNS(ctx context.Context, name string) error {
	if err := l.run(ctx, "ip", "netns", "add", name); err != nil {
		return err
	}
	l.mu.Lock()
	l.nss = append(l.nss, name)
	l.mu.Unlock()
	return nil
}

func (l *Lab) run(ctx context.Context, name string, args ...string) error {
	out, err := exec.CommandContext(ctx, name, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("lab: %s %s: %v: %s", name, strings.Join(args, " "), err, bytes.TrimSpace(out))
	}
	return nil
}

// Host returns the host of that spec name, or nil.
func (l *Lab) Host(name string) *Host {
	for _, h := range l.Hosts {
		if h.Name == name {
			return h
		}
	}
	return nil
}

// Close kills every process the lab started (by PID, SIGKILL after a
// second's grace for SIGTERM), waits for them and deletes the namespaces,
// which removes their veths. It is safe to call more than once.
func (l *Lab) Close() error {
	l.mu.Lock()
	procs, nss := l.procs, l.nss
	l.procs, l.nss = nil, nil
	l.mu.Unlock()
	for _, p := range procs {
		p.Stop(time.Second)
	}
	var errs []error
	for i := len(nss) - 1; i >= 0; i-- {
		out, err := exec.Command("ip", "netns", "delete", nss[i]).CombinedOutput()
		if err != nil {
			errs = append(errs, fmt.Errorf("lab: delete %s: %v: %s", nss[i], err, bytes.TrimSpace(out)))
		}
	}
	return errors.Join(errs...)
}

// Exec runs a command in the host's namespace and returns its output.
func (h *Host) Exec(ctx context.Context, name string, args ...string) (string, error) {
	full := append([]string{"netns", "exec", h.NS, name}, args...)
	out, err := exec.CommandContext(ctx, "ip", full...).CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("%s %s in %s: %v: %s", name, strings.Join(args, " "), h.NS, err, bytes.TrimSpace(out))
	}
	return string(out), nil
}

// HasAddr reports whether eth0 of the host has the address.
func (h *Host) HasAddr(ctx context.Context, a netip.Addr) (bool, error) {
	out, err := exec.CommandContext(ctx, "ip", "-n", h.NS, "-o", "addr", "show", "dev", "eth0").Output()
	if err != nil {
		return false, fmt.Errorf("ip addr in %s: %w", h.NS, err)
	}
	for _, f := range strings.Fields(string(out)) {
		if p, err := netip.ParsePrefix(f); err == nil && p.Addr() == a {
			return true, nil
		}
	}
	return false, nil
}

// AddrLines returns `ip -o addr show dev eth0` of the host.
func (h *Host) AddrLines(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "ip", "-n", h.NS, "-o", "addr", "show", "dev", "eth0").CombinedOutput()
	return string(out), err
}

// WaitAddr polls until the host has (want=true) or lacks the address, and
// returns how long that took from start; it gives up at timeout.
func (h *Host) WaitAddr(ctx context.Context, a netip.Addr, want bool, start time.Time, timeout time.Duration) (time.Duration, error) {
	deadline := start.Add(timeout)
	for {
		has, err := h.HasAddr(ctx, a)
		if err != nil {
			return 0, err
		}
		if has == want {
			return time.Since(start), nil
		}
		if time.Now().After(deadline) {
			return time.Since(start), fmt.Errorf("%s: address %s present=%v not reached within %v", h.Name, a, want, timeout)
		}
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(5 * time.Millisecond):
		}
	}
}
