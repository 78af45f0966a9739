package balance

import (
	"errors"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestScheduleOrder(t *testing.T) {
	tests := []struct {
		weights []int
		want    []int32
	}{
		{[]int{1}, []int32{0}},
		{[]int{1, 1, 1}, []int32{0, 1, 2}},
		{[]int{3, 1}, []int32{0, 0, 1, 0}}, // A A B A, not A A A B
		{[]int{1, 3}, []int32{1, 0, 1, 1}}, // B A B B
		{[]int{2, 1}, []int32{0, 1, 0}},    // A B A
		{[]int{4, 2}, []int32{0, 1, 0}},    // reduced by the GCD
		{[]int{5, 2, 1}, []int32{0, 1, 0, 0, 2, 0, 1, 0}},
		{[]int{256, 1}, nil}, // length only, checked below
	}
	for _, tt := range tests {
		pool := make([]member, len(tt.weights))
		for i, w := range tt.weights {
			pool[i] = member{idx: int32(i), weight: w}
		}
		got := buildSchedule(pool)
		if tt.want == nil {
			if len(got) != 257 {
				t.Errorf("buildSchedule(%v) has %d entries, want 257", tt.weights, len(got))
			}
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("buildSchedule(%v) (-want +got):\n%s", tt.weights, diff)
		}
	}
}

// Over whole cycles, each server gets exactly its share, whatever the
// starting point of the cursor; never more than ceil(w/total*window)+1 in
// any window (no bursts).
func TestRoundRobinDistribution(t *testing.T) {
	for _, balance := range []string{"roundrobin", "static-rr"} {
		for _, ws := range [][]int{{1, 1}, {3, 1}, {5, 3, 2}, {1, 2, 3, 4, 5, 6}, {256, 100, 7}} {
			_, ts := fakes(weights(ws...))
			b := New(mustParse(t, balance, ""), ts, false)
			total := 0
			for _, w := range ws {
				total += w
			}
			b.Pick(Key{}) // start off the cycle boundary
			const cycles = 7
			got := counts(picks(t, b, Key{}, cycles*total), len(ws))
			want := make([]int, len(ws))
			for i, w := range ws {
				want[i] = cycles * w
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s %v counts (-want +got):\n%s", balance, ws, diff)
			}
		}
	}
}

func TestRoundRobinWeightChangeAtOnce(t *testing.T) {
	fs, ts := fakes(weights(1, 1))
	b := New(mustParse(t, "roundrobin", ""), ts, false)
	if diff := cmp.Diff([]int{2, 2}, counts(picks(t, b, Key{}, 4), 2)); diff != "" {
		t.Errorf("before (-want +got):\n%s", diff)
	}
	fs[1].weight.Store(3)
	if !b.Update() {
		t.Fatal("Update after a weight change reported no change")
	}
	if b.Update() {
		t.Error("second Update reported a change")
	}
	// The very next cycle of 4 follows 1:3.
	if diff := cmp.Diff([]int{1, 3}, counts(picks(t, b, Key{}, 4), 2)); diff != "" {
		t.Errorf("after (-want +got):\n%s", diff)
	}
	fs[1].weight.Store(0)
	b.Update()
	if diff := cmp.Diff([]int{0, 0, 0}, picks(t, b, Key{}, 3)); diff != "" {
		t.Errorf("weight 0 (-want +got):\n%s", diff)
	}
}

func TestRoundRobinSkipsFull(t *testing.T) {
	fs, ts := fakes([]srv{{w: 1, maxconn: 1, active: 1}, {w: 1}, {w: 1}})
	b := New(mustParse(t, "roundrobin", ""), ts, false)
	// The full server is skipped and the others alternate evenly.
	if diff := cmp.Diff([]int{0, 3, 3}, counts(picks(t, b, Key{}, 6), 3)); diff != "" {
		t.Errorf("with srv0 full (-want +got):\n%s", diff)
	}
	fs[1].maxconn, fs[2].maxconn = 1, 1
	fs[1].active.Store(1)
	fs[2].active.Store(5)
	if _, err := b.Pick(Key{}); !errors.Is(err, ErrAllFull) {
		t.Errorf("all full: err = %v, want ErrAllFull", err)
	}
	fs[0].active.Store(0) // a slot frees
	if diff := cmp.Diff([]int{0, 0}, picks(t, b, Key{}, 2)); diff != "" {
		t.Errorf("one free (-want +got):\n%s", diff)
	}
	if got := b.Stats().AllFull; got != 1 {
		t.Errorf("Stats().AllFull = %d, want 1", got)
	}
}

// Many goroutines pick while the weights and states change: no race (run
// with -race), no error while a server is usable, and only usable servers.
func TestRoundRobinConcurrent(t *testing.T) {
	fs, ts := fakes(weights(1, 2, 3, 4))
	b := New(mustParse(t, "roundrobin", ""), ts, false)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	errs := make(chan error, 8)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; n < 20000; n++ {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := b.Pick(Key{}); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	for i := range 200 {
		fs[i%3].weight.Store(int32(i%5 + 1))
		fs[3].down.Store(i%2 == 0) // server 3 flaps; 0..2 stay usable
		b.Update()
	}
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("concurrent Pick: %v", err)
	}
}
