// Command bench measures VRRP failover in the namespace lab, haappliance
// side by side with keepalived: master crash (SIGKILL) and graceful stop
// (SIGTERM), VRRPv3 with 1 s and 100 ms adverts, priorities 101/100. Each
// figure is the median (min-max) of -n runs of the time from the signal to
// the kernel's notice of the VIP on the backup (a netlink subscription).
// The table replaces the "## VRRP failover" section of -out (SPEC §12).
//
// Needs root, iproute2 and keepalived. Run from the module root:
//
//	go run ./vrrp/bench -out docs/performance.md
package main

import (
	"context"
	"flag"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"haappliance/internal/lab"
	"haappliance/vrrp"
)

var vip = netip.MustParseAddr("198.18.0.100")

func main() {
	runs := flag.Int("n", 5, "runs per figure")
	out := flag.String("out", "docs/performance.md", "markdown file whose \"## VRRP failover\" section is replaced (\"-\" for stdout only)")
	oursCmd := flag.String("ours", "", "command running haappliance with {config} for the TOML file (default: build vrrp/internal/vrrpnode)")
	flag.Parse()
	if err := lab.Available(); err != nil {
		fatal(err)
	}
	if _, err := exec.LookPath("keepalived"); err != nil {
		fatal(fmt.Errorf("keepalived not installed: %w", err))
	}
	tmp, err := os.MkdirTemp("", "vrrpbench")
	if err != nil {
		fatal(err)
	}
	defer os.RemoveAll(tmp)
	if *oursCmd == "" {
		bin := filepath.Join(tmp, "vrrpnode")
		if b, err := exec.Command("go", "build", "-o", bin, "haappliance/vrrp/internal/vrrpnode").CombinedOutput(); err != nil {
			fatal(fmt.Errorf("build vrrpnode: %v: %s", err, b))
		}
		*oursCmd = bin + " -c {config}"
	}
	b := &bench{tmp: tmp, ours: strings.Fields(*oursCmd), runs: *runs, real: !strings.Contains(*oursCmd, "vrrpnode")}
	type row struct {
		what     string
		interval time.Duration
		sig      syscall.Signal
	}
	rows := []row{
		{"crash (SIGKILL), advert 1 s", time.Second, syscall.SIGKILL},
		{"graceful (SIGTERM), advert 1 s", time.Second, syscall.SIGTERM},
		{"crash (SIGKILL), advert 100 ms", 100 * time.Millisecond, syscall.SIGKILL},
		{"graceful (SIGTERM), advert 100 ms", 100 * time.Millisecond, syscall.SIGTERM},
	}
	var table, ratios strings.Builder
	table.WriteString("| VRRPv3, priorities 101/100 | haappliance | keepalived 2.2.7 |\n|---|---|---|\n")
	for _, r := range rows {
		var cells []string
		var med [2]time.Duration
		for i, impl := range []string{"ours", "keepalived"} {
			ds, err := b.measure(impl, r.interval, r.sig)
			if err != nil {
				fatal(fmt.Errorf("%s %s: %w", impl, r.what, err))
			}
			cells = append(cells, summary(ds))
			med[i] = sorted(ds)[len(ds)/2]
			fmt.Fprintf(os.Stderr, "%-36s %-10s %s\n", r.what, impl, summary(ds))
		}
		fmt.Fprintf(&table, "| %s | %s | %s |\n", r.what, cells[0], cells[1])
		ratios.WriteString(ratioLine(r.what, r.interval, r.sig, med[0], med[1]) + "\n")
	}
	section := fmt.Sprintf(`## VRRP failover

Measured by `+"`go run ./vrrp/bench`"+` (make bench) on %s: two hosts in network
namespaces on one bridge, master at priority 101, backup at 100, one VIP. Each
cell is the median (min-max) of %d runs of the time from the signal to the
master until the backup's kernel reports the VIP (netlink event); the signals
are sent at the same spread of phases after one of the master's adverts (seen
on the backup) for both implementations. RFC bounds:
crash ≤ 3 × advert + skew (3.609 s at 1 s, 360.9 ms at 100 ms); graceful ≤ skew
(609 ms at 1 s, 60.9 ms at 100 ms).

%s`, time.Now().UTC().Format("2006-01-02"), *runs, table.String())
	fmt.Println(section)
	fmt.Print(ratios.String())
	if *out != "-" {
		if err := replaceSection(*out, "## VRRP failover", section); err != nil {
			fatal(err)
		}
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "vrrp bench:", err)
	os.Exit(1)
}

type bench struct {
	tmp  string
	ours []string
	runs int
	seq  int
	real bool // ours is haappliance itself, not the vrrpnode stand-in
}

// measure runs the scenario b.runs times in a fresh lab.
func (b *bench) measure(impl string, interval time.Duration, sig syscall.Signal) ([]time.Duration, error) {
	ctx := context.Background()
	l, err := lab.New(ctx, []lab.HostSpec{
		{Name: "ha1", Addrs: []string{"198.18.0.11/24"}},
		{Name: "ha2", Addrs: []string{"198.18.0.12/24"}},
	}, nil)
	if err != nil {
		return nil, err
	}
	defer l.Close()
	master, backup := l.Hosts[0], l.Hosts[1]
	var out []time.Duration
	for i := range b.runs {
		// The same spread of phases of the signal against the advert timer
		// for both implementations.
		phase := interval * time.Duration(2*i+1) / time.Duration(2*b.runs)
		d, err := b.once(impl, master, backup, interval, sig, phase)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

func (b *bench) once(impl string, master, backup *lab.Host, interval time.Duration, sig syscall.Signal, phase time.Duration) (time.Duration, error) {
	wm, err := master.WatchAddr(vip)
	if err != nil {
		return 0, err
	}
	defer wm.Close()
	wb, err := backup.WatchAddr(vip)
	if err != nil {
		return 0, err
	}
	defer wb.Close()
	pb, _, err := b.start(impl, backup, 100, interval)
	if err != nil {
		return 0, err
	}
	defer pb.Stop(2 * time.Second)
	pm, mdir, err := b.start(impl, master, 101, interval)
	if err != nil {
		return 0, err
	}
	defer pm.Stop(2 * time.Second)
	ctx := context.Background()
	if _, err := wm.Wait(ctx, true, 10*time.Second); err != nil {
		return 0, fmt.Errorf("no master: %w\n%s", err, pm.Output())
	}
	if _, err := wb.Wait(ctx, false, 5*time.Second); err != nil {
		return 0, err
	}
	time.Sleep(3 * interval) // steady state
	// Time the signal against the master's advert timer: the same phases
	// for both implementations, whatever their timers' origin.
	sn, err := backup.SniffVRRP()
	if err != nil {
		return 0, err
	}
	defer sn.Close()
	last, err := sn.Next(netip.MustParseAddr("198.18.0.11"), 3*interval)
	if err != nil {
		return 0, err
	}
	time.Sleep(time.Until(last.Add(phase)))
	hasM, _ := master.HasAddr(ctx, vip)
	hasB, _ := backup.HasAddr(ctx, vip)
	if !hasM || hasB {
		return 0, fmt.Errorf("not in steady state before the signal: master holds VIP %v, backup %v", hasM, hasB)
	}
	wb.Drain()
	t0 := time.Now()
	if impl == "keepalived" && sig == syscall.SIGKILL {
		// keepalived's VRRP runs in a child process, which would stop
		// gracefully on its parent's death: the crash is the child's.
		pidb, err := os.ReadFile(filepath.Join(mdir, "v.pid"))
		if err != nil {
			return 0, err
		}
		var pid int
		fmt.Sscan(string(pidb), &pid)
		if pid <= 0 {
			return 0, fmt.Errorf("bad keepalived VRRP pid file: %q", pidb)
		}
		t0 = time.Now()
		if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
			return 0, err
		}
	}
	if err := pm.Signal(sig); err != nil {
		return 0, err
	}
	at, err := wb.Wait(ctx, true, 10*time.Second)
	if err != nil {
		return 0, err
	}
	d := at.Sub(t0)
	pm.Stop(2 * time.Second)
	// A crashed master leaves its VIP; clean it for the next run.
	master.Exec(ctx, "ip", "addr", "del", "198.18.0.100/24", "dev", "eth0")
	return d, nil
}

func (b *bench) start(impl string, h *lab.Host, prio int, interval time.Duration) (*lab.Proc, string, error) {
	b.seq++
	dir := filepath.Join(b.tmp, fmt.Sprint(b.seq))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, "", err
	}
	state := "BACKUP"
	if prio > 100 {
		state = "MASTER"
	}
	if impl == "keepalived" {
		conf := fmt.Sprintf("global_defs {\n router_id %s\n}\nvrrp_instance VI_1 {\n state %s\n interface eth0\n virtual_router_id 51\n priority %d\n advert_int %g\n version 3\n virtual_ipaddress {\n  198.18.0.100/24\n }\n}\n",
			h.Name, state, prio, interval.Seconds())
		f := filepath.Join(dir, "keepalived.conf")
		if err := os.WriteFile(f, []byte(conf), 0o644); err != nil {
			return nil, "", err
		}
		p, err := h.Start("keepalived", "-n", "-l", "-G", "-P", "-R", "-f", f,
			"-p", filepath.Join(dir, "k.pid"), "-r", filepath.Join(dir, "v.pid"), "-c", filepath.Join(dir, "c.pid"))
		return p, dir, err
	}
	conf := ""
	if b.real {
		// The real binary: a control socket of its own per node, no sysctl.
		conf = fmt.Sprintf("[global]\ncontrol_socket = %q\n[sysctl]\napply = false\n", filepath.Join(dir, "admin.sock"))
	}
	conf += fmt.Sprintf("[[vrrp.instance]]\nname = \"VI_1\"\ninterface = \"eth0\"\nstate = %q\nvirtual_router_id = 51\npriority = %d\nadvert_interval = \"%dms\"\nversion = 3\nvirtual_ipaddress = [\"198.18.0.100/24\"]\n",
		state, prio, interval.Milliseconds())
	f := filepath.Join(dir, "node.toml")
	if err := os.WriteFile(f, []byte(conf), 0o644); err != nil {
		return nil, "", err
	}
	argv := make([]string, len(b.ours))
	for i, a := range b.ours {
		argv[i] = strings.ReplaceAll(a, "{config}", f)
	}
	// A graceful stop by the real binary may also close listeners: SIGTERM
	// is all it needs.
	p, err := h.Start(argv[0], argv[1:]...)
	return p, dir, err
}

// ratioLine compares the medians of a row with its SPEC §12 bar: on a
// crash, at most keepalived's failover time; on a graceful stop, the RFC's
// skew time plus 20 ms (the lab's netlink and scheduling noise), since the
// backup takes over as soon as it hears priority 0.
func ratioLine(what string, interval time.Duration, sig syscall.Signal, ours, theirs time.Duration) string {
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	if sig == syscall.SIGKILL {
		return fmt.Sprintf("ratio  failover on %s: %.2fx keepalived (bar <= 1.0)", what, ms(ours)/ms(theirs))
	}
	bar := vrrp.SkewTime(3, 100, interval) + 20*time.Millisecond
	met := "met"
	if ours > bar {
		met = "missed"
	}
	return fmt.Sprintf("ratio  failover on %s: %.0f ms, keepalived %.0f ms (bar <= skew + 20 ms = %.0f ms: %s)", what, ms(ours), ms(theirs), ms(bar), met)
}

// sorted is a sorted copy of ds; its median is at len/2.
func sorted(ds []time.Duration) []time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s
}

func summary(ds []time.Duration) string {
	s := sorted(ds)
	ms := func(d time.Duration) string { return fmt.Sprintf("%.0f", float64(d)/float64(time.Millisecond)) }
	return fmt.Sprintf("%s ms (%s-%s)", ms(s[len(s)/2]), ms(s[0]), ms(s[len(s)-1]))
}

// replaceSection replaces the section starting at heading (up to the next
// "## " heading) in file, or appends it; other sections are kept.
func replaceSection(file, heading, section string) error {
	old, err := os.ReadFile(file)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	text := string(old)
	section = strings.TrimRight(section, "\n") + "\n"
	if i := strings.Index(text, heading+"\n"); i >= 0 {
		rest := text[i+len(heading)+1:]
		end := len(text)
		if j := strings.Index(rest, "\n## "); j >= 0 {
			end = i + len(heading) + 1 + j + 1
		}
		text = text[:i] + section + text[end:]
		if end < len(string(old)) && !strings.HasSuffix(section, "\n\n") {
			text = text[:i] + section + "\n" + string(old)[end:]
		}
	} else {
		if text != "" && !strings.HasSuffix(text, "\n\n") {
			text = strings.TrimRight(text, "\n") + "\n\n"
		}
		if text == "" {
			text = "# Performance\n\n"
		}
		text += section
	}
	return os.WriteFile(file, []byte(text), 0o644)
}
