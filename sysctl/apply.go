package sysctl

import (
	"errors"
	"fmt"
	"os"

	"github.com/sirupsen/logrus"
)

// Store reads and writes sysctl keys; FS is the real one.
type Store interface {
	Read(key string) (string, error)
	Write(key, value string) error
}

// State is what Apply did with one key.
type State string

// States of an Outcome.
const (
	Changed State = "changed" // written, and the kernel reads it back
	Kept    State = "kept"    // already had the wanted value
	Missing State = "missing" // the running kernel (or namespace) lacks the key
	Failed  State = "failed"  // could not be read, written, or did not stick
)

// Outcome is the result of applying one Setting.
type Outcome struct {
	Key    string
	Was    string // value before, normalised; "" when missing or unreadable
	Wanted string // normalised
	Source string // SourceRecommended or SourceSet
	State  State
	Err    error // why Missing or Failed
}

// Apply writes every setting whose current value differs, in order, and
// reports each one. It never stops early: a missing or failing key is
// reported and the next one is tried.
func Apply(s Store, settings []Setting) []Outcome {
	out := make([]Outcome, 0, len(settings))
	for _, st := range settings {
		out = append(out, apply1(s, st))
	}
	return out
}

func apply1(s Store, st Setting) Outcome {
	o := Outcome{Key: st.Key, Wanted: Normalize(st.Value), Source: st.Source}
	was, err := s.Read(st.Key)
	if err != nil {
		return o.fail(err)
	}
	o.Was = Normalize(was)
	if o.Was == o.Wanted {
		o.State = Kept
		return o
	}
	if err := s.Write(st.Key, o.Wanted); err != nil {
		return o.fail(err)
	}
	now, err := s.Read(st.Key)
	if err != nil {
		return o.fail(err)
	}
	if now = Normalize(now); now != o.Wanted {
		return o.fail(fmt.Errorf("wrote %q but the kernel reads back %q", o.Wanted, now))
	}
	o.State = Changed
	return o
}

func (o Outcome) fail(err error) Outcome {
	o.State, o.Err = Failed, err
	if errors.Is(err, os.ErrNotExist) {
		o.State = Missing
	}
	return o
}

// String renders the outcome as the line Log writes.
func (o Outcome) String() string {
	switch o.State {
	case Changed:
		return fmt.Sprintf("sysctl %s = %s (changed from %s)", o.Key, o.Wanted, o.Was)
	case Kept:
		return fmt.Sprintf("sysctl %s = %s (kept)", o.Key, o.Wanted)
	case Missing:
		return fmt.Sprintf("sysctl %s is missing on this kernel, not set (wanted %s)", o.Key, o.Wanted)
	default:
		return fmt.Sprintf("sysctl %s could not be set to %s: %v", o.Key, o.Wanted, o.Err)
	}
}

// Log writes one line per outcome: info for changed and kept, warning for
// missing and failed (neither stops the daemon).
func Log(log *logrus.Entry, outs []Outcome) {
	for _, o := range outs {
		e := log.WithFields(logrus.Fields{"key": o.Key, "state": string(o.State)})
		switch o.State {
		case Changed, Kept:
			e.Info(o.String())
		default:
			e.Warn(o.String())
		}
	}
}

// Count returns how many outcomes are in state st.
func Count(outs []Outcome, st State) int {
	n := 0
	for _, o := range outs {
		if o.State == st {
			n++
		}
	}
	return n
}
