package balance

import (
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestRingPoints(t *testing.T) {
	pts := buildRing([]member{{idx: 0, weight: 1}, {idx: 4, weight: 2}})
	if len(pts) != 48 {
		t.Fatalf("%d points, want 16 + 32", len(pts))
	}
	per := map[int32]int{}
	for i, p := range pts {
		per[p.idx]++
		if i > 0 && pts[i-1].key > p.key {
			t.Fatal("ring not sorted")
		}
	}
	if diff := cmp.Diff(map[int32]int{0: 16, 4: 32}, per); diff != "" {
		t.Errorf("points per server (-want +got):\n%s", diff)
	}
	// Server id 1 (index 0), point 0 is full_hash(4096).
	found := false
	for _, p := range pts {
		found = found || p.idx == 0 && p.key == 0x49c2008b
	}
	if !found {
		t.Error("missing point full_hash(1*4096+0) of server id 1")
	}
}

func TestRingLookup(t *testing.T) {
	pts := []ringPoint{{100, 0}, {200, 1}, {300, 2}}
	tests := []struct {
		h    uint32
		want int32
	}{
		{100, 0}, {149, 0}, {150, 0}, {151, 1}, {200, 1}, {260, 2},
		{301, 2}, {0xffffffff, 0}, {0, 0}, // wrapping: 300..100 has its middle at 2^31+200
		{1<<31 + 199, 2}, {1<<31 + 200, 2}, {1<<31 + 201, 0},
	}
	for _, tt := range tests {
		if got := ringLookup(pts, tt.h); got != tt.want {
			t.Errorf("ringLookup(%d) = %d, want %d", tt.h, got, tt.want)
		}
	}
}

// Same key, same server; a server going down moves only its own keys, about
// 1/N of them; coming back restores the original mapping.
func TestConsistentStability(t *testing.T) {
	const nsrv, nkeys = 10, 20000
	fs, ts := fakes(weights(1, 1, 1, 1, 1, 1, 1, 1, 1, 1))
	b := New(mustParse(t, "uri", "consistent"), ts, false)
	before := make([]int, nkeys)
	for i := range before {
		before[i], _ = b.Pick(keyFor(i))
		if again, _ := b.Pick(keyFor(i)); again != before[i] {
			t.Fatalf("key %d: %d then %d", i, before[i], again)
		}
	}
	fs[3].down.Store(true)
	b.Update()
	moved := 0
	for i := range before {
		got, _ := b.Pick(keyFor(i))
		switch {
		case got == 3:
			t.Fatalf("key %d still on the down server", i)
		case before[i] != 3 && got != before[i]:
			t.Fatalf("key %d moved from %d to %d though its server stayed up", i, before[i], got)
		case before[i] == 3:
			moved++
		}
	}
	if frac := float64(moved) / nkeys; math.Abs(frac-1.0/nsrv) > 0.06 {
		t.Errorf("%.3f of the keys moved, want about %.3f", frac, 1.0/nsrv)
	}
	fs[3].down.Store(false)
	b.Update()
	for i := range before {
		if got, _ := b.Pick(keyFor(i)); got != before[i] {
			t.Fatalf("key %d on %d after recovery, was %d", i, got, before[i])
		}
	}
}

// Weights are honoured roughly (HAProxy's ring is not exact either): a
// server of weight 3 gets about three times the keys of a weight-1 one.
func TestConsistentWeights(t *testing.T) {
	_, ts := fakes(weights(1, 3))
	b := New(mustParse(t, "source", "consistent"), ts, false)
	got := [2]int{}
	for i := range 20000 {
		idx, _ := b.Pick(keyFor(i))
		got[idx]++
	}
	if r := float64(got[1]) / float64(got[0]); r < 2 || r > 4.5 {
		t.Errorf("weight 3 vs 1: %v keys, ratio %.2f", got, r)
	}
}
