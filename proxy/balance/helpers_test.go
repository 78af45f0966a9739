package balance

import (
	"sync/atomic"
	"testing"
)

// fake is a goroutine-safe Target.
type fake struct {
	down    atomic.Bool
	weight  atomic.Int32
	active  atomic.Int32
	maxconn int32 // 0 = unlimited
	backup  bool
}

func (f *fake) Usable() bool { return !f.down.Load() }
func (f *fake) Weight() int  { return int(f.weight.Load()) }
func (f *fake) Backup() bool { return f.backup }
func (f *fake) Active() int  { return int(f.active.Load()) }
func (f *fake) Full() bool   { return f.maxconn > 0 && f.active.Load() >= f.maxconn }

// srv describes a fake server in a table.
type srv struct {
	w       int
	down    bool
	backup  bool
	active  int
	maxconn int
}

func fakes(specs []srv) ([]*fake, []Target) {
	fs := make([]*fake, len(specs))
	ts := make([]Target, len(specs))
	for i, s := range specs {
		f := &fake{maxconn: int32(s.maxconn), backup: s.backup}
		f.weight.Store(int32(s.w))
		f.down.Store(s.down)
		f.active.Store(int32(s.active))
		fs[i], ts[i] = f, f
	}
	return fs, ts
}

// weights returns one active, usable server per weight.
func weights(ws ...int) []srv {
	out := make([]srv, len(ws))
	for i, w := range ws {
		out[i] = srv{w: w}
	}
	return out
}

func mustParse(t testing.TB, balance, hashType string) Algorithm {
	t.Helper()
	a, err := ParseAlgorithm(balance, hashType)
	if err != nil {
		t.Fatalf("ParseAlgorithm(%q, %q): %v", balance, hashType, err)
	}
	return a
}

// picks runs n picks and returns the chosen indices, -1 for an error.
func picks(t testing.TB, s Selector, k Key, n int) []int {
	t.Helper()
	out := make([]int, n)
	for i := range out {
		idx, err := s.Pick(k)
		if err != nil {
			idx = -1
		}
		out[i] = idx
	}
	return out
}

// counts returns how many times each index in [0,n) appears in seq.
func counts(seq []int, n int) []int {
	c := make([]int, n)
	for _, i := range seq {
		if i >= 0 && i < n {
			c[i]++
		}
	}
	return c
}
