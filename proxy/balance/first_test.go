package balance

import (
	"errors"
	"testing"
)

func TestFirst(t *testing.T) {
	tests := []struct {
		name    string
		servers []srv
		want    int // -1: ErrAllFull
	}{
		{"first takes all", []srv{{w: 1, maxconn: 10, active: 9}, {w: 1}}, 0},
		{"next when full", []srv{{w: 1, maxconn: 10, active: 10}, {w: 5, maxconn: 3, active: 1}, {w: 1}}, 1},
		{"ignores weight", []srv{{w: 1}, {w: 100}}, 0},
		{"skips weight 0", []srv{{w: 0}, {w: 1}}, 1},
		{"skips down", []srv{{w: 1, down: true}, {w: 1}}, 1},
		{"all full", []srv{{w: 1, maxconn: 1, active: 1}, {w: 1, maxconn: 2, active: 2}}, -1},
		{"backup after actives", []srv{{w: 1, backup: true}, {w: 1, maxconn: 1, active: 1}}, -1},
	}
	for _, tt := range tests {
		_, ts := fakes(tt.servers)
		b := New(mustParse(t, "first", ""), ts, false)
		got, err := b.Pick(Key{})
		if tt.want < 0 {
			if !errors.Is(err, ErrAllFull) {
				t.Errorf("%s: Pick = %d, %v; want ErrAllFull", tt.name, got, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%s: Pick = %d, %v; want %d", tt.name, got, err, tt.want)
		}
	}
}
