package config

import (
	"testing"
	"time"

	"github.com/BurntSushi/toml"
)

func TestParseDuration(t *testing.T) {
	good := map[string]time.Duration{
		"5s": 5 * time.Second, "2000ms": 2 * time.Second, "100ms": 100 * time.Millisecond,
		"1500": 1500 * time.Millisecond, "1m30s": 90 * time.Second, "2d": 48 * time.Hour, "250us": 250 * time.Microsecond,
	}
	for in, want := range good {
		got, err := ParseDuration(in)
		if err != nil || got != want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "5x", "-5s", "-3", "s", "1.5.5s", "107000d", "9223372036854775807"} { // the last two: overflow (fuzz)
		if _, err := ParseDuration(in); err == nil {
			t.Errorf("ParseDuration(%q) accepted", in)
		}
	}
}

func TestDurationTOML(t *testing.T) {
	var v struct {
		A, B Duration
		C    Duration
	}
	if _, err := toml.Decode("A = \"5s\"\nB = 250\n", &v); err != nil {
		t.Fatal(err)
	}
	if v.A.D() != 5*time.Second || v.B.D() != 250*time.Millisecond || v.C.IsSet() {
		t.Errorf("got %+v", v)
	}
	if _, err := toml.Decode("A = true\n", &v); err == nil {
		t.Error("bool accepted as duration")
	}
	if got := FormatDuration(1500 * time.Millisecond); got != "1500ms" {
		t.Errorf("FormatDuration = %q", got)
	}
}

func FuzzParseDuration(f *testing.F) {
	for _, s := range []string{"5s", "2000ms", "100", "1m30s", "2d", "-3", "", "9999999999999999999d", "1.5h"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDuration(s)
		if err == nil && d < 0 {
			t.Fatalf("ParseDuration(%q) = %v: negative accepted", s, d)
		}
	})
}
