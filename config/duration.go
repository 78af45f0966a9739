package config

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Duration is a TOML duration: "5s", "2000ms", "1m30s", "100ms", or a bare
// integer (TOML integer or digit-only string) meaning milliseconds, as in
// HAProxy. The zero value means "not set".
type Duration time.Duration

// D returns the value as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// IsSet reports whether the duration was given (non-zero).
func (d Duration) IsSet() bool { return d != 0 }

// Or returns d, or def when d is not set.
func (d Duration) Or(def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return time.Duration(d)
}

// String formats the duration the way it can be read back.
func (d Duration) String() string { return time.Duration(d).String() }

// UnmarshalTOML accepts a TOML integer (milliseconds) or a string.
func (d *Duration) UnmarshalTOML(v any) error {
	switch x := v.(type) {
	case int64:
		if x < 0 {
			return fmt.Errorf("negative duration %d", x)
		}
		*d = Duration(time.Duration(x) * time.Millisecond)
		return nil
	case string:
		p, err := ParseDuration(x)
		if err != nil {
			return err
		}
		*d = Duration(p)
		return nil
	default:
		return fmt.Errorf("duration must be a string like \"5s\" or an integer of milliseconds, not %T", v)
	}
}

// MarshalText renders the duration for TOML output (convert, golden files).
func (d Duration) MarshalText() ([]byte, error) {
	return []byte(FormatDuration(time.Duration(d))), nil
}

// ParseDuration parses "5s", "100ms", "1m", "1h30m", "250us", "2d" or a bare
// number of milliseconds. Units follow HAProxy: us, ms, s, m, h, d.
func ParseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, fmt.Errorf("empty duration")
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		if n < 0 {
			return 0, fmt.Errorf("negative duration %q", s)
		}
		return scale(s, n, time.Millisecond)
	}
	if strings.HasSuffix(s, "d") {
		n, err := strconv.ParseInt(strings.TrimSuffix(s, "d"), 10, 64)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("invalid duration %q", s)
		}
		return scale(s, n, 24*time.Hour)
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("invalid duration %q (want a number with a unit: us, ms, s, m, h, d; or bare milliseconds)", s)
	}
	if d < 0 {
		return 0, fmt.Errorf("negative duration %q", s)
	}
	return d, nil
}

// scale returns n units, or an error when that does not fit a Duration
// (about 292 years).
func scale(s string, n int64, unit time.Duration) (time.Duration, error) {
	if n > int64(math.MaxInt64/unit) {
		return 0, fmt.Errorf("duration %q is too long", s)
	}
	return time.Duration(n) * unit, nil
}

// FormatDuration renders d with the largest unit that divides it exactly,
// "5s", "100ms", "1500ms", "2m".
func FormatDuration(d time.Duration) string {
	switch {
	case d == 0:
		return "0ms"
	case d%time.Hour == 0:
		return strconv.FormatInt(int64(d/time.Hour), 10) + "h"
	case d%time.Minute == 0:
		return strconv.FormatInt(int64(d/time.Minute), 10) + "m"
	case d%time.Second == 0:
		return strconv.FormatInt(int64(d/time.Second), 10) + "s"
	case d%time.Millisecond == 0:
		return strconv.FormatInt(int64(d/time.Millisecond), 10) + "ms"
	default:
		return strconv.FormatInt(int64(d/time.Microsecond), 10) + "us"
	}
}
