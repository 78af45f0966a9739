package sysctl

import (
	"fmt"
	"math"
)

// NoFileFor returns the open-file limit maxconn needs, as HAProxy computes
// it: two descriptors per connection (client and server side) plus 18 for
// listeners, logs, checks and the control socket.
func NoFileFor(maxconn int) uint64 {
	if maxconn < 0 {
		maxconn = 0
	}
	return 2*uint64(maxconn) + 18
}

// Limits is RLIMIT_NOFILE after RaiseNoFile, and before it.
type Limits struct {
	Soft, Hard         uint64
	PrevSoft, PrevHard uint64
}

// Raised reports whether RaiseNoFile changed anything.
func (l Limits) Raised() bool { return l.Soft != l.PrevSoft || l.Hard != l.PrevHard }

// String renders "soft 60018, hard 60018 (was 1024, 4096)".
func (l Limits) String() string {
	s := fmt.Sprintf("soft %s, hard %s", limitString(l.Soft), limitString(l.Hard))
	if l.Raised() {
		s += fmt.Sprintf(" (was %s, %s)", limitString(l.PrevSoft), limitString(l.PrevHard))
	}
	return s
}

func limitString(v uint64) string {
	if v == math.MaxUint64 {
		return "unlimited"
	}
	return fmt.Sprint(v)
}

// NoFileError says the open-file limit cannot reach what maxconn needs; the
// daemon refuses to start with its text.
type NoFileError struct {
	Want   uint64
	Hard   uint64
	NROpen uint64 // fs.nr_open when known and smaller than Want, else 0
	Err    error  // from setrlimit
}

func (e *NoFileError) Error() string {
	s := fmt.Sprintf("cannot raise open-file limit to %d (hard limit %s): run as root or set LimitNOFILE=%d (or more) in the systemd unit",
		e.Want, limitString(e.Hard), e.Want)
	if e.NROpen != 0 {
		s += fmt.Sprintf("; the kernel allows at most fs.nr_open = %d, raise it first or lower global.maxconn", e.NROpen)
	}
	if e.Err != nil {
		s += fmt.Sprintf(" (setrlimit: %v)", e.Err)
	}
	return s
}

func (e *NoFileError) Unwrap() error { return e.Err }

// rlimiter is the seam over getrlimit/setrlimit(RLIMIT_NOFILE).
type rlimiter interface {
	get() (soft, hard uint64, err error)
	set(soft, hard uint64) error
	nrOpen() uint64 // 0 when unknown
}

// raiseNoFile raises the soft limit to min, and the hard limit with it when
// the hard limit is lower (which needs CAP_SYS_RESOURCE). It never lowers a
// limit.
func raiseNoFile(r rlimiter, min uint64) (Limits, error) {
	soft, hard, err := r.get()
	if err != nil {
		return Limits{}, fmt.Errorf("getrlimit(RLIMIT_NOFILE): %w", err)
	}
	l := Limits{Soft: soft, Hard: hard, PrevSoft: soft, PrevHard: hard}
	if soft >= min {
		return l, nil
	}
	newHard := hard
	if hard < min {
		newHard = min
	}
	if err := r.set(min, newHard); err != nil {
		e := &NoFileError{Want: min, Hard: hard, Err: err}
		if n := r.nrOpen(); n != 0 && n < min {
			e.NROpen = n
		}
		return l, e
	}
	soft, hard, err = r.get()
	if err != nil {
		return l, fmt.Errorf("getrlimit(RLIMIT_NOFILE): %w", err)
	}
	l.Soft, l.Hard = soft, hard
	if soft < min {
		return l, &NoFileError{Want: min, Hard: hard}
	}
	return l, nil
}
