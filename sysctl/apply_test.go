package sysctl

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/sirupsen/logrus"
)

func TestApplyTempRoot(t *testing.T) {
	files := kernelDefaults()
	files["net.ipv4.tcp_tw_reuse"] = "1\n"     // already as wanted: kept
	delete(files, "net.ipv4.tcp_max_orphans")  // as in a network namespace
	delete(files, "net.ipv4.ip_nonlocal_bind") // as on an old kernel
	files["vm.swappiness"] = "60\n"
	fs := fakeProc(t, files)

	plan := Plan(Config{Set: map[string]string{
		"net.core.somaxconn": "20000",
		"vm.swappiness":      "10",
		"net.ipv4.tcp_fastopen_blackhole_timeout_sec": "0",
	}})
	got := Apply(fs, plan)
	want := []Outcome{
		{Key: "net.ipv4.tcp_tw_reuse", Was: "1", Wanted: "1", Source: SourceRecommended, State: Kept},
		{Key: "net.ipv4.ip_local_port_range", Was: "32768 60999", Wanted: "1024 65023", Source: SourceRecommended, State: Changed},
		{Key: "net.ipv4.tcp_max_syn_backlog", Was: "1024", Wanted: "10240", Source: SourceRecommended, State: Changed},
		{Key: "net.ipv4.tcp_max_tw_buckets", Was: "16384", Wanted: "400000", Source: SourceRecommended, State: Changed},
		{Key: "net.ipv4.tcp_max_orphans", Wanted: "60000", Source: SourceRecommended, State: Missing},
		{Key: "net.ipv4.tcp_synack_retries", Was: "5", Wanted: "3", Source: SourceRecommended, State: Changed},
		{Key: "net.core.somaxconn", Was: "4096", Wanted: "20000", Source: SourceSet, State: Changed},
		{Key: "net.ipv4.ip_nonlocal_bind", Wanted: "1", Source: SourceRecommended, State: Missing},
		{Key: "net.ipv4.tcp_fastopen_blackhole_timeout_sec", Wanted: "0", Source: SourceSet, State: Missing},
		{Key: "vm.swappiness", Was: "60", Wanted: "10", Source: SourceSet, State: Changed},
	}
	if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(Outcome{}, "Err")); diff != "" {
		t.Errorf("Apply (-want +got):\n%s", diff)
	}
	for _, o := range got {
		if (o.Err != nil) != (o.State == Missing) {
			t.Errorf("%s: state %s with error %v", o.Key, o.State, o.Err)
		}
	}

	// A second run keeps everything that is there.
	for _, o := range Apply(fs, plan) {
		if o.State != Kept && o.State != Missing {
			t.Errorf("second Apply: %s is %s", o.Key, o.State)
		}
	}
}

// fakeStore fails the way a kernel can: EPERM, EINVAL, or a value that does
// not stick (clamped).
type fakeStore struct {
	vals     map[string]string
	writeErr map[string]error
	clamp    map[string]string
}

func (f *fakeStore) Read(k string) (string, error) {
	v, ok := f.vals[k]
	if !ok {
		return "", fmt.Errorf("read %s: %w", k, syscall.ENOENT)
	}
	return v, nil
}

func (f *fakeStore) Write(k, v string) error {
	if err := f.writeErr[k]; err != nil {
		return err
	}
	if c, ok := f.clamp[k]; ok {
		v = c
	}
	f.vals[k] = v
	return nil
}

func TestApplyFailures(t *testing.T) {
	s := &fakeStore{
		vals:     map[string]string{"a.eperm": "1", "a.clamped": "128", "a.ok": "1"},
		writeErr: map[string]error{"a.eperm": syscall.EPERM},
		clamp:    map[string]string{"a.clamped": "65535"},
	}
	got := Apply(s, []Setting{{"a.eperm", "2", SourceSet}, {"a.clamped", "100000", SourceSet}, {"a.ok", "2", SourceSet}, {"a.gone", "2", SourceSet}})
	var states []string
	for _, o := range got {
		states = append(states, o.String())
	}
	want := []string{
		"sysctl a.eperm could not be set to 2: operation not permitted",
		`sysctl a.clamped could not be set to 100000: wrote "100000" but the kernel reads back "65535"`,
		"sysctl a.ok = 2 (changed from 1)",
		"sysctl a.gone is missing on this kernel, not set (wanted 2)",
	}
	if diff := cmp.Diff(want, states); diff != "" {
		t.Errorf("outcomes (-want +got):\n%s", diff)
	}
	if !errors.Is(got[0].Err, syscall.EPERM) || !errors.Is(got[3].Err, os.ErrNotExist) {
		t.Errorf("errors lost their cause: %v, %v", got[0].Err, got[3].Err)
	}
	if n := Count(got, Failed); n != 2 {
		t.Errorf("Count(Failed) = %d, want 2", n)
	}
}

func TestLog(t *testing.T) {
	var buf bytes.Buffer
	l := logrus.New()
	l.SetOutput(&buf)
	l.SetFormatter(&logrus.TextFormatter{DisableTimestamp: true, DisableQuote: true})
	Log(logrus.NewEntry(l), []Outcome{
		{Key: "net.core.somaxconn", Was: "4096", Wanted: "10000", State: Changed},
		{Key: "net.ipv4.tcp_tw_reuse", Was: "1", Wanted: "1", State: Kept},
		{Key: "net.ipv4.tcp_max_orphans", Wanted: "60000", State: Missing, Err: syscall.ENOENT},
		{Key: "net.ipv4.tcp_synack_retries", Was: "5", Wanted: "3", State: Failed, Err: syscall.EACCES},
	})
	want := []string{
		"level=info msg=sysctl net.core.somaxconn = 10000 (changed from 4096) key=net.core.somaxconn state=changed",
		"level=info msg=sysctl net.ipv4.tcp_tw_reuse = 1 (kept) key=net.ipv4.tcp_tw_reuse state=kept",
		"level=warning msg=sysctl net.ipv4.tcp_max_orphans is missing on this kernel, not set (wanted 60000) key=net.ipv4.tcp_max_orphans state=missing",
		"level=warning msg=sysctl net.ipv4.tcp_synack_retries could not be set to 3: permission denied key=net.ipv4.tcp_synack_retries state=failed",
	}
	if diff := cmp.Diff(want, strings.Split(strings.TrimSpace(buf.String()), "\n")); diff != "" {
		t.Errorf("log (-want +got):\n%s", diff)
	}
}
