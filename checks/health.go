package checks

import (
	"strconv"
	"time"
)

// State is a checked server's operational state.
type State uint8

const (
	// StateUp: the server takes traffic.
	StateUp State = iota
	// StateDown: the server failed `fall` checks (or its first one) and
	// takes no traffic.
	StateDown
	// StateStopping: UP but answering 404 under disable_on_404; HAProxy's
	// NOLB: it keeps persistent sessions but gets no new ones.
	StateStopping
)

func (s State) String() string {
	switch s {
	case StateUp:
		return "UP"
	case StateDown:
		return "DOWN"
	case StateStopping:
		return "NOLB"
	}
	return "UNKNOWN"
}

// Health is the rise/fall state machine of one server. It does no I/O and
// keeps no time: Observe is fed one finished check at a time. The zero value
// is not usable; use NewHealth.
type Health struct {
	rise, fall int
	health     int // 0 .. rise+fall-1; UP at rise or above
	state      State
}

// NewHealth returns a machine in HAProxy's initial state: UP with health =
// rise, so the first failure takes the server DOWN and the first success
// makes it fully UP.
func NewHealth(rise, fall int) Health {
	if rise < 1 {
		rise = 1
	}
	if fall < 1 {
		fall = 1
	}
	return Health{rise: rise, fall: fall, health: rise, state: StateUp}
}

// State returns the current state.
func (h *Health) State() State { return h.state }

// Counter returns the health counter (0 .. rise+fall-1).
func (h *Health) Counter() int { return h.health }

func (h *Health) max() int { return h.rise + h.fall - 1 }

// Observe applies one check result and reports whether the state changed.
// StatusUnknown (an abandoned check) changes nothing.
func (h *Health) Observe(s Status) (changed bool) {
	switch {
	case s.Failed():
		if h.health > 0 {
			h.health--
			if h.health < h.rise {
				h.health = 0
			}
		}
		if h.health == 0 && h.state != StateDown {
			h.state = StateDown
			return true
		}
	case s.Passed():
		if h.health < h.max() {
			h.health++
			if h.health >= h.rise {
				h.health = h.max()
			}
		}
		if h.health >= h.rise {
			want := StateUp
			if s == StatusL7OKCond {
				want = StateStopping
			}
			if h.state != want {
				h.state = want
				return true
			}
		}
	}
	return false
}

// Force puts the machine in state up (fully UP, health at its maximum) or
// down (fully DOWN, health 0), as the runtime API's `set server B/S health`
// does, and reports whether the state changed.
func (h *Health) Force(up bool) (changed bool) {
	prev := h.state
	if up {
		h.health, h.state = h.max(), StateUp
	} else {
		h.health, h.state = 0, StateDown
	}
	return prev != h.state
}

// Interval returns the delay before the next check (src/check.c
// srv_getinter): inter when fully UP, downinter when fully DOWN, fastinter
// otherwise.
func (h *Health) Interval(p Params) time.Duration {
	switch {
	case h.health == h.max():
		return p.InterDur()
	case h.state == StateDown && h.health == 0:
		return p.DownInterDur()
	default:
		return p.FastInterDur()
	}
}

// StatusText is the status column of HAProxy's stats page: "UP", "DOWN",
// "NOLB", or "UP 1/3" (going down: failures so far / fall), "DOWN 1/2"
// (going up: successes so far / rise).
func (h *Health) StatusText() string {
	if h.state != StateDown {
		if h.health == h.max() {
			return h.state.String()
		}
		return h.state.String() + " " + strconv.Itoa(h.health-h.rise+1) + "/" + strconv.Itoa(h.fall)
	}
	if h.health == 0 {
		return "DOWN"
	}
	return "DOWN " + strconv.Itoa(h.health) + "/" + strconv.Itoa(h.rise)
}
