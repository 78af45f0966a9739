package balance

import (
	"errors"
	"math"
	"testing"
)

// random(1) is plain weighted random: shares within 6 standard deviations
// of the weights (a false failure is a 1e-9 event).
func TestRandomDistribution(t *testing.T) {
	ws := []int{1, 2, 3, 10}
	_, ts := fakes(weights(ws...))
	b := New(mustParse(t, "random(1)", ""), ts, false)
	const n = 100000
	got := counts(picks(t, b, Key{}, n), len(ws))
	total := 16.0
	for i, w := range ws {
		p := float64(w) / total
		mean, sd := n*p, math.Sqrt(n*p*(1-p))
		if d := math.Abs(float64(got[i]) - mean); d > 6*sd {
			t.Errorf("server %d (weight %d): %d picks, want %.0f ± %.0f", i, w, got[i], mean, 6*sd)
		}
	}
}

// With several draws the less loaded of the candidates wins: with many
// draws, practically always the least loaded server.
func TestRandomPowerOfChoices(t *testing.T) {
	_, ts := fakes([]srv{{w: 1, active: 10}, {w: 1, active: 1}, {w: 1, active: 10}, {w: 2, active: 4}})
	b := New(mustParse(t, "random(64)", ""), ts, false)
	// Server 1 (1/1) beats server 3 (4/2) beats 0 and 2 (10/1).
	for range 200 {
		if got, err := b.Pick(Key{}); err != nil || got != 1 {
			t.Fatalf("Pick = %d, %v; want 1", got, err)
		}
	}
	// random(2): servers 0 and 2 lose every duel but against each other,
	// so they win 2/25 of the picks (800 of 10000), far below their 1/5
	// share; server 1 wins whenever drawn, 1-(4/5)^2 = 36%.
	b = New(mustParse(t, "random", ""), ts, false)
	got := counts(picks(t, b, Key{}, 10000), 4)
	if got[0] > 1000 || got[2] > 1000 || got[1] < 3200 || got[1] > 4000 {
		t.Errorf("random(2) counts = %v: the loaded servers win too often", got)
	}
}

func TestRandomFull(t *testing.T) {
	fs, ts := fakes([]srv{{w: 100, maxconn: 1, active: 1}, {w: 1}, {w: 100, maxconn: 1, active: 1}})
	b := New(mustParse(t, "random", ""), ts, false)
	// Server 1 is almost never drawn, but it is the only one with room.
	for range 200 {
		if got, err := b.Pick(Key{}); err != nil || got != 1 {
			t.Fatalf("Pick = %d, %v; want 1", got, err)
		}
	}
	fs[1].maxconn = 1
	fs[1].active.Store(1)
	if _, err := b.Pick(Key{}); !errors.Is(err, ErrAllFull) {
		t.Errorf("all full: %v, want ErrAllFull", err)
	}
}
