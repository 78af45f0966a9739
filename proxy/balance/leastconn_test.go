package balance

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestLeastConn(t *testing.T) {
	tests := []struct {
		name    string
		servers []srv
		want    int
	}{
		{"fewest", []srv{{w: 1, active: 5}, {w: 1, active: 2}, {w: 1, active: 9}}, 1},
		{"relative to weight", []srv{{w: 1, active: 3}, {w: 4, active: 8}}, 1}, // 3/1 > 8/4
		{"weight favours heavy", []srv{{w: 1, active: 1}, {w: 3, active: 2}}, 1},
		{"light wins when less loaded", []srv{{w: 1, active: 1}, {w: 3, active: 6}}, 0},
		{"full skipped", []srv{{w: 1, active: 0, maxconn: 0}, {w: 1, active: 0}}, -2}, // any
		{"full least loaded skipped", []srv{{w: 1, active: 2, maxconn: 2}, {w: 1, active: 7}}, 1},
	}
	for _, tt := range tests {
		_, ts := fakes(tt.servers)
		b := New(mustParse(t, "leastconn", ""), ts, false)
		for range 5 {
			got, err := b.Pick(Key{})
			if err != nil || tt.want >= 0 && got != tt.want {
				t.Errorf("%s: Pick = %d, %v; want %d", tt.name, got, err, tt.want)
			}
		}
	}
}

// Equal loads take turns; a connection that stays open moves the next
// request elsewhere.
func TestLeastConnRoundRobinAmongEquals(t *testing.T) {
	fs, ts := fakes(weights(1, 1, 1))
	b := New(mustParse(t, "leastconn", ""), ts, false)
	if diff := cmp.Diff([]int{3, 3, 3}, counts(picks(t, b, Key{}, 9), 3)); diff != "" {
		t.Errorf("short requests (-want +got):\n%s", diff)
	}
	// Long connections: each pick holds its connection.
	var got []int
	for range 6 {
		idx, err := b.Pick(Key{})
		if err != nil {
			t.Fatal(err)
		}
		fs[idx].active.Add(1)
		got = append(got, idx)
	}
	if diff := cmp.Diff([]int{2, 2, 2}, counts(got, 3)); diff != "" {
		t.Errorf("long connections (-want +got):\n%s", diff)
	}
	// Weighted: 3:1 holds three times the connections on the heavy one.
	fs, ts = fakes(weights(3, 1))
	b = New(mustParse(t, "leastconn", ""), ts, false)
	got = got[:0]
	for range 40 {
		idx, _ := b.Pick(Key{})
		fs[idx].active.Add(1)
		got = append(got, idx)
	}
	if diff := cmp.Diff([]int{30, 10}, counts(got, 2)); diff != "" {
		t.Errorf("weighted long connections (-want +got):\n%s", diff)
	}
	for _, f := range fs {
		f.maxconn = f.active.Load()
	}
	if _, err := b.Pick(Key{}); !errors.Is(err, ErrAllFull) {
		t.Errorf("all full: %v, want ErrAllFull", err)
	}
}
