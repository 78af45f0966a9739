package balance

import (
	"errors"
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var allAlgorithms = []struct{ balance, hashType string }{
	{"roundrobin", ""},
	{"static-rr", ""},
	{"leastconn", ""},
	{"first", ""},
	{"random", ""},
	{"random(1)", ""},
	{"source", ""},
	{"source", "consistent"},
	{"uri", ""},
	{"uri", "consistent"},
	{"url_param sid", ""},
	{"hdr(X-User)", "consistent"},
}

// keyFor returns the i-th of a set of well spread keys (similar keys
// cluster on a consistent-hash ring without "avalanche", as in HAProxy).
func keyFor(i int) Key {
	h := fullHash(uint32(i))
	b := [4]byte{byte(h >> 24), byte(h >> 16), byte(h >> 8), byte(h)}
	return Key{Src: netip.AddrFrom4(b), Hash: b[:]}
}

// The rules every algorithm shares: which servers may be picked at all.
func TestPoolRules(t *testing.T) {
	tests := []struct {
		name       string
		servers    []srv
		allBackups bool
		want       []int // the servers that may be picked; nil = ErrNoServer
	}{
		{"all active", weights(1, 1, 1), false, []int{0, 1, 2}},
		{"weight 0 takes nothing", []srv{{w: 0}, {w: 1}}, false, []int{1}},
		{"down skipped", []srv{{w: 1, down: true}, {w: 1}}, false, []int{1}},
		{"backup idle while an active is up", []srv{{w: 1, backup: true}, {w: 1}}, false, []int{1}},
		{"first backup when no active", []srv{{w: 1, down: true}, {w: 1, backup: true}, {w: 1, backup: true}}, false, []int{1}},
		{"first usable backup", []srv{{w: 1, down: true}, {w: 1, backup: true, down: true}, {w: 1, backup: true}, {w: 1, backup: true}}, false, []int{2}},
		{"backups when actives weigh 0", []srv{{w: 0}, {w: 1, backup: true}}, false, []int{1}},
		{"allbackups", []srv{{w: 1, down: true}, {w: 1, backup: true}, {w: 1, backup: true}}, true, []int{1, 2}},
		{"allbackups skips weight 0", []srv{{w: 1, down: true}, {w: 0, backup: true}, {w: 1, backup: true}}, true, []int{2}},
		{"nothing usable", []srv{{w: 1, down: true}, {w: 0}, {w: 1, backup: true, down: true}}, false, nil},
		{"no servers", nil, false, nil},
	}
	for _, tt := range tests {
		for _, alg := range allAlgorithms {
			a := mustParse(t, alg.balance, alg.hashType)
			_, ts := fakes(tt.servers)
			b := New(a, ts, tt.allBackups)
			seen := map[int]bool{}
			for i := range 200 {
				idx, err := b.Pick(keyFor(i))
				if tt.want == nil {
					if !errors.Is(err, ErrNoServer) {
						t.Errorf("%s/%s: Pick = %d, %v; want ErrNoServer", tt.name, a, idx, err)
					}
					break
				}
				if err != nil {
					t.Fatalf("%s/%s: Pick: %v", tt.name, a, err)
				}
				seen[idx] = true
			}
			var got []int
			for i := range len(tt.servers) {
				if seen[i] {
					got = append(got, i)
				}
			}
			want := tt.want
			if a.Kind == First && len(want) > 0 {
				want = want[:1] // without maxconn, first always takes the first
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s/%s: picked servers (-want +got):\n%s", tt.name, a, diff)
			}
		}
	}
}

// Hashing algorithms keep their server even when it is full; the others
// move on, and say so when everything is full.
func TestFullServers(t *testing.T) {
	for _, alg := range allAlgorithms {
		a := mustParse(t, alg.balance, alg.hashType)
		_, ts := fakes([]srv{{w: 1, maxconn: 2, active: 2}, {w: 1, maxconn: 2, active: 2}})
		b := New(a, ts, false)
		idx, err := b.Pick(keyFor(1))
		if a.Kind.Hashed() {
			if err != nil || idx < 0 {
				t.Errorf("%s: Pick on full servers = %d, %v; want a server", a, idx, err)
			}
		} else if !errors.Is(err, ErrAllFull) {
			t.Errorf("%s: Pick on full servers = %d, %v; want ErrAllFull", a, idx, err)
		}
	}
}

// A missing hash input falls back to round robin.
func TestHashFallback(t *testing.T) {
	tests := []struct {
		balance, hashType string
		key               Key
	}{
		{"uri", "", Key{}},
		{"url_param sid", "", Key{}},
		{"hdr(X-User)", "", Key{Hash: []byte{}}},
		{"hdr(X-User)", "consistent", Key{}},
		{"source", "", Key{}},
		{"source", "consistent", Key{}},
	}
	for _, tt := range tests {
		a := mustParse(t, tt.balance, tt.hashType)
		_, ts := fakes(weights(1, 1, 2))
		b := New(a, ts, false)
		got := counts(picks(t, b, tt.key, 40), 3)
		if diff := cmp.Diff([]int{10, 10, 20}, got); diff != "" {
			t.Errorf("%s %s fallback counts (-want +got):\n%s", a, a.HashTypeString(), diff)
		}
	}
}

func TestUpdateAndPool(t *testing.T) {
	fs, ts := fakes([]srv{{w: 1}, {w: 1}, {w: 1, backup: true}})
	b := New(mustParse(t, "roundrobin", ""), ts, false)
	type pool struct {
		Idx    []int
		Backup bool
	}
	get := func() pool { i, bk := b.Pool(); return pool{i, bk} }
	if diff := cmp.Diff(pool{[]int{0, 1}, false}, get()); diff != "" {
		t.Errorf("Pool (-want +got):\n%s", diff)
	}
	if b.Update() {
		t.Error("Update without change reported a change")
	}
	fs[0].down.Store(true)
	fs[1].weight.Store(0)
	if !b.Update() {
		t.Error("Update after changes reported none")
	}
	if diff := cmp.Diff(pool{[]int{2}, true}, get()); diff != "" {
		t.Errorf("Pool after failures (-want +got):\n%s", diff)
	}
	fs[2].down.Store(true)
	b.Update()
	if _, err := b.Pick(Key{}); !errors.Is(err, ErrNoServer) {
		t.Errorf("Pick = %v, want ErrNoServer", err)
	}
	if diff := cmp.Diff(Stats{NoServer: 1, Updates: 3}, b.Stats()); diff != "" {
		t.Errorf("Stats (-want +got):\n%s", diff)
	}
	if got := b.Algorithm().Kind; got != RoundRobin {
		t.Errorf("Algorithm().Kind = %v", got)
	}
}

// Out-of-range weights from a buggy engine are clamped, not trusted.
func TestWeightClamp(t *testing.T) {
	_, ts := fakes([]srv{{w: -3}, {w: 1000}})
	b := New(mustParse(t, "roundrobin", ""), ts, false)
	if diff := cmp.Diff([]int{0, 256}, counts(picks(t, b, Key{}, 256), 2)); diff != "" {
		t.Errorf("counts (-want +got):\n%s", diff)
	}
}
