package checks

import (
	"context"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"

	"haappliance/config"
)

const ms = time.Millisecond

// scripted is a fake Checker: each check takes `took` of (fake) time and
// returns what verdict says for the moment it started.
type scripted struct {
	t0      time.Time
	took    time.Duration
	verdict func(at time.Duration) Status

	mu    sync.Mutex
	calls []time.Duration
}

func (s *scripted) Check(ctx context.Context) Result {
	at := time.Since(s.t0)
	s.mu.Lock()
	s.calls = append(s.calls, at)
	s.mu.Unlock()
	select {
	case <-time.After(s.took):
	case <-ctx.Done():
		return Result{}
	}
	st := s.verdict(at)
	r := Result{Status: st, Duration: s.took}
	if st.HasCode() {
		r.Code = 200
		if st == StatusL7Status {
			r.Code, r.Info = 404, "Not Found"
		}
	}
	return r
}

func (s *scripted) Calls() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.calls...)
}

type evRec struct {
	At          time.Duration
	Prev, State State
	Status      Status
	Forced      bool
}

type recorder struct {
	t0 time.Time
	mu sync.Mutex
	ev []evRec
}

func (r *recorder) notify(e Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ev = append(r.ev, evRec{e.At.Sub(r.t0), e.Prev, e.State, e.Result.Status, e.Forced})
}

func (r *recorder) events() []evRec {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]evRec(nil), r.ev...)
}

func dur(d time.Duration) config.Duration { return config.Duration(d) }

// runFor runs m for d of fake time, then stops it and waits for Run.
func runFor(t *testing.T, m *Monitor, d time.Duration) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- m.Run(ctx) }()
	time.Sleep(d)
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run: %v", err)
	}
}

func TestMonitorRiseFallIntervals(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		t0 := time.Now()
		chk := &scripted{t0: t0, took: 10 * ms, verdict: func(at time.Duration) Status {
			if at >= 2000*ms && at < 5000*ms {
				return StatusL7Status
			}
			return StatusL7OK
		}}
		rec := &recorder{t0: t0}
		p := Params{Inter: dur(500 * ms), FastInter: dur(100 * ms), DownInter: dur(time.Second), Rise: 2, Fall: 3}
		m, err := New(Spec{}, p, rec.notify, WithChecker(chk))
		if err != nil {
			t.Fatal(err)
		}
		runFor(t, m, 6*time.Second)

		wantCalls := []time.Duration{
			0, 510 * ms, 1020 * ms, 1530 * ms, // fully UP: inter 500 after each 10ms check
			2040 * ms, 2150 * ms, 2260 * ms, // failing: fastinter 100; third failure → DOWN
			3270 * ms, 4280 * ms, // fully DOWN: downinter 1s
			5290 * ms, 5400 * ms, // rising: fastinter; second success → UP
			5910 * ms, // fully UP again: inter
		}
		if d := cmp.Diff(wantCalls, chk.Calls()); d != "" {
			t.Errorf("check times (-want +got):\n%s", d)
		}
		wantEv := []evRec{
			{At: 2270 * ms, Prev: StateUp, State: StateDown, Status: StatusL7Status},
			{At: 5410 * ms, Prev: StateDown, State: StateUp, Status: StatusL7OK},
		}
		if d := cmp.Diff(wantEv, rec.events()); d != "" {
			t.Errorf("events (-want +got):\n%s", d)
		}
		s := m.Snapshot()
		wantSnap := Snapshot{State: StateUp, Since: t0.Add(5410 * ms), Last: Result{Status: StatusL7OK, Code: 200, Duration: 10 * ms},
			LastAt: t0.Add(5920 * ms), Health: 4, Rise: 2, Fall: 3, Checks: 12, Failed: 5, Transitions: 1}
		if d := cmp.Diff(wantSnap, s); d != "" {
			t.Errorf("snapshot (-want +got):\n%s", d)
		}
	})
}

func TestMonitorDefaultsDeadAtStart(t *testing.T) {
	// HAProxy defaults (inter 2s, rise 2, fall 3): a server dead at start
	// leaves after its first check, and needs two successes to come back.
	synctest.Test(t, func(t *testing.T) {
		t0 := time.Now()
		chk := &scripted{t0: t0, verdict: func(at time.Duration) Status {
			if at < 3*time.Second {
				return StatusL4Con
			}
			return StatusL4OK
		}}
		rec := &recorder{t0: t0}
		m, err := New(Spec{}, Params{}, rec.notify, WithChecker(chk))
		if err != nil {
			t.Fatal(err)
		}
		runFor(t, m, 9*time.Second)
		wantCalls := []time.Duration{0, 2 * time.Second, 4 * time.Second, 6 * time.Second, 8 * time.Second}
		if d := cmp.Diff(wantCalls, chk.Calls()); d != "" {
			t.Errorf("check times (-want +got):\n%s", d)
		}
		wantEv := []evRec{
			{At: 0, Prev: StateUp, State: StateDown, Status: StatusL4Con},
			{At: 6 * time.Second, Prev: StateDown, State: StateUp, Status: StatusL4OK},
		}
		if d := cmp.Diff(wantEv, rec.events()); d != "" {
			t.Errorf("events (-want +got):\n%s", d)
		}
	})
}

func TestMonitorSpreadStart(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		t0 := time.Now()
		const n = 4
		inter := 2 * time.Second
		var checkers []*scripted
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		for i := range n {
			c := &scripted{t0: t0, verdict: func(time.Duration) Status { return StatusL4OK }}
			checkers = append(checkers, c)
			m, err := New(Spec{}, Params{Inter: dur(inter)}, nil, WithChecker(c), WithStartDelay(Spread(i, n, inter)))
			if err != nil {
				t.Fatal(err)
			}
			wg.Go(func() { m.Run(ctx) })
		}
		time.Sleep(2900 * ms)
		cancel()
		wg.Wait()
		var got [][]time.Duration
		for _, c := range checkers {
			got = append(got, c.Calls())
		}
		want := [][]time.Duration{{0, 2000 * ms}, {500 * ms, 2500 * ms}, {1000 * ms}, {1500 * ms}}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("(-want +got):\n%s", d)
		}
	})
}

func TestMonitorOneCheckInFlight(t *testing.T) {
	// A check slower than inter delays the next one; they never overlap.
	synctest.Test(t, func(t *testing.T) {
		t0 := time.Now()
		var inFlight, maxInFlight int
		var mu sync.Mutex
		chk := CheckerFunc(func(ctx context.Context) Result {
			mu.Lock()
			inFlight++
			maxInFlight = max(maxInFlight, inFlight)
			mu.Unlock()
			time.Sleep(700 * ms)
			mu.Lock()
			inFlight--
			mu.Unlock()
			return Result{Status: StatusL7Timeout}
		})
		m, _ := New(Spec{}, Params{Inter: dur(500 * ms)}, nil, WithChecker(chk))
		runFor(t, m, 4500*ms)
		s := m.Snapshot()
		if maxInFlight != 1 {
			t.Errorf("max in flight = %d", maxInFlight)
		}
		// 0-700, 1200-1900, 2400-3100, 3600-4300, then stopped at 4500
		if s.Checks != 4 || s.Failed != 4 {
			t.Errorf("checks %d failed %d, want 4 4", s.Checks, s.Failed)
		}
		if want := t0.Add(4300 * ms); !s.LastAt.Equal(want) {
			t.Errorf("last check at %v, want %v", s.LastAt.Sub(t0), want.Sub(t0))
		}
	})
}

func TestMonitorPauseResumeForce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		t0 := time.Now()
		chk := &scripted{t0: t0, verdict: func(time.Duration) Status { return StatusL7OK }}
		rec := &recorder{t0: t0}
		m, _ := New(Spec{}, Params{Inter: dur(time.Second)}, rec.notify, WithChecker(chk))
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { m.Run(ctx); close(done) }()

		time.Sleep(1500 * ms) // checks at 0 and 1s
		m.SetPaused(true)
		time.Sleep(3 * time.Second) // due at 2s, skipped while paused
		if !m.Snapshot().Paused {
			t.Error("not paused")
		}
		m.Force(false)
		m.SetPaused(false) // 4.5s: checks at once
		synctest.Wait()
		m.Force(true)
		time.Sleep(1200 * ms)
		cancel()
		<-done

		want := []time.Duration{0, time.Second, 4500 * ms, 5500 * ms}
		if d := cmp.Diff(want, chk.Calls()); d != "" {
			t.Errorf("check times (-want +got):\n%s", d)
		}
		wantEv := []evRec{
			{At: 4500 * ms, Prev: StateUp, State: StateDown, Forced: true},
			{At: 4500 * ms, Prev: StateDown, State: StateUp, Forced: true},
		}
		if d := cmp.Diff(wantEv, rec.events()); d != "" {
			t.Errorf("events (-want +got):\n%s", d)
		}
	})
}

func TestMonitorStopsDuringCheck(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		chk := CheckerFunc(func(ctx context.Context) Result {
			<-ctx.Done()
			return Result{}
		})
		m, _ := New(Spec{}, Params{}, nil, WithChecker(chk))
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { m.Run(ctx); close(done) }()
		synctest.Wait()
		if !m.Snapshot().Running {
			t.Error("check not reported running")
		}
		cancel()
		<-done
		s := m.Snapshot()
		if s.Running || s.Checks != 0 || s.State != StateUp {
			t.Errorf("after stop: %+v", s)
		}
	})
}

func TestNewRejectsBadSpec(t *testing.T) {
	if _, err := New(Spec{Addr: "nope"}, Params{}, nil); err == nil {
		t.Error("bad address accepted")
	}
	if _, err := New(Spec{Addr: "127.0.0.1:1", HTTP: &HTTPCheck{URI: "x"}}, Params{}, nil); err == nil {
		t.Error("bad httpchk accepted")
	}
}
