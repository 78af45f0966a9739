package checks

import (
	"context"
	"sync"
	"time"
)

// Event reports a state change of a checked server.
type Event struct {
	Prev, State State
	Result      Result    // the check that caused it; zero when Forced
	Forced      bool      // set through Force, not by a check
	At          time.Time // when it happened
}

// Snapshot is a Monitor's state at one instant.
type Snapshot struct {
	State       State
	Since       time.Time // start of the current state
	Last        Result    // last finished check; Status is StatusUnknown before the first
	LastAt      time.Time // when Last finished
	Health      int       // 0 .. Rise+Fall-1
	Rise, Fall  int
	Checks      uint64 // finished checks
	Failed      uint64 // failed checks (HAProxy's chkfail)
	Transitions uint64 // UP→DOWN transitions (HAProxy's chkdown)
	Running     bool   // a check is in flight
	Paused      bool
}

// StatusText is the stats page's status: "UP", "UP 1/3", "DOWN 1/2", "NOLB".
func (s Snapshot) StatusText() string {
	h := Health{rise: s.Rise, fall: s.Fall, health: s.Health, state: s.State}
	return h.StatusText()
}

// Monitor checks one server periodically and keeps its health. Build it with
// New, run it with Run; Snapshot, Force and SetPaused may be called from any
// goroutine.
type Monitor struct {
	checker    Checker
	params     Params
	notify     func(Event)
	startDelay time.Duration
	wake       chan struct{}

	mu          sync.Mutex
	health      Health
	since       time.Time
	last        Result
	lastAt      time.Time
	checks      uint64
	failed      uint64
	transitions uint64
	running     bool
	paused      bool
}

// Option configures a Monitor.
type Option func(*Monitor)

// WithChecker replaces the network check, e.g. by a fake in tests.
func WithChecker(c Checker) Option { return func(m *Monitor) { m.checker = c } }

// WithStartDelay delays the first check; see Spread.
func WithStartDelay(d time.Duration) Option { return func(m *Monitor) { m.startDelay = d } }

// New builds a Monitor; it starts nothing. notify, if not nil, receives every
// state change, synchronously, from the goroutine running Run (or calling
// Force); it must not block for long and must not call Force.
func New(spec Spec, p Params, notify func(Event), opts ...Option) (*Monitor, error) {
	m := &Monitor{
		params: p,
		notify: notify,
		wake:   make(chan struct{}, 1),
		health: NewHealth(p.RiseN(), p.FallN()),
		since:  time.Now(),
	}
	for _, o := range opts {
		o(m)
	}
	if m.checker == nil {
		c, err := NewChecker(spec, p)
		if err != nil {
			return nil, err
		}
		m.checker = c
	}
	return m, nil
}

// Run checks until ctx ends, one check at a time: the next check starts an
// interval after the previous one finished. It returns nil once ctx is done
// and the check in flight, if any, has been abandoned.
func (m *Monitor) Run(ctx context.Context) error {
	m.mu.Lock()
	m.since = time.Now()
	m.mu.Unlock()
	timer := time.NewTimer(m.startDelay)
	defer timer.Stop()
	armed := true
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-timer.C:
			armed = false
		case <-m.wake:
			if armed {
				continue // a resume while the timer runs: keep the schedule
			}
		}
		m.mu.Lock()
		paused := m.paused
		m.running = !paused
		m.mu.Unlock()
		if paused {
			continue // SetPaused(false) wakes us
		}
		res := m.checker.Check(ctx)
		if ctx.Err() != nil && res.Status == StatusUnknown {
			m.mu.Lock()
			m.running = false
			m.mu.Unlock()
			return nil
		}
		next := m.record(res)
		timer.Reset(next)
		armed = true
	}
}

// record applies a result, notifies a change, and returns the next interval.
func (m *Monitor) record(res Result) time.Duration {
	now := time.Now()
	m.mu.Lock()
	m.running = false
	prev := m.health.State()
	changed := m.health.Observe(res.Status)
	if res.Status != StatusUnknown {
		m.last, m.lastAt = res, now
		m.checks++
		if res.Status.Failed() {
			m.failed++
		}
	}
	ev := Event{Prev: prev, State: m.health.State(), Result: res, At: now}
	if changed {
		m.since = now
		if ev.State == StateDown {
			m.transitions++
		}
	}
	next := m.health.Interval(m.params)
	m.mu.Unlock()
	if changed && m.notify != nil {
		m.notify(ev)
	}
	return next
}

// Force sets the health fully up or fully down, as `set server B/S health
// up|down` does in HAProxy's runtime API; checks go on and may change it
// again.
func (m *Monitor) Force(up bool) {
	now := time.Now()
	m.mu.Lock()
	prev := m.health.State()
	changed := m.health.Force(up)
	ev := Event{Prev: prev, State: m.health.State(), Forced: true, At: now}
	if changed {
		m.since = now
		if ev.State == StateDown {
			m.transitions++
		}
	}
	m.mu.Unlock()
	if changed && m.notify != nil {
		m.notify(ev)
	}
}

// SetPaused stops (true) or resumes (false) checking, for a server in
// maintenance. The state is kept. A monitor resumed after its schedule came
// due checks at once; otherwise it keeps its schedule.
func (m *Monitor) SetPaused(paused bool) {
	m.mu.Lock()
	was := m.paused
	m.paused = paused
	m.mu.Unlock()
	if was && !paused {
		select {
		case m.wake <- struct{}{}:
		default:
		}
	}
}

// Snapshot returns the current state.
func (m *Monitor) Snapshot() Snapshot {
	m.mu.Lock()
	defer m.mu.Unlock()
	return Snapshot{
		State:       m.health.State(),
		Since:       m.since,
		Last:        m.last,
		LastAt:      m.lastAt,
		Health:      m.health.Counter(),
		Rise:        m.health.rise,
		Fall:        m.health.fall,
		Checks:      m.checks,
		Failed:      m.failed,
		Transitions: m.transitions,
		Running:     m.running,
		Paused:      m.paused,
	}
}
