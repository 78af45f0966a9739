package balance

import (
	"errors"
	"net/netip"
	"sync"
	"sync/atomic"
)

// MaxWeight is the largest server weight (HAProxy's SRV_UWGHT_MAX).
const MaxWeight = 256

// Target is the selector's view of one server. The engine owns server state;
// implementations must be safe for concurrent use (atomics).
//
// Usable, Weight and Backup are sampled by New and Update only: the engine
// calls Update after every change of them (health transition, admin state,
// set weight). Active and Full are read by Pick, live.
type Target interface {
	Usable() bool // UP and neither maint nor drain (persistence is the engine's business)
	Weight() int  // current effective weight, 0..MaxWeight; 0 takes no new traffic
	Backup() bool // a backup server
	Active() int  // current connections (plus the server's own queue, if any)
	Full() bool   // maxconn reached (never true without maxconn)
}

// Key is the protocol-neutral input of a pick.
type Key struct {
	Src netip.Addr // client address, for source
	// Hash is the hash input of uri, url_param and hdr(), as returned by
	// Algorithm.FromURI, FromBody or FromHeader. nil means absent: the pick
	// falls back to round robin, as HAProxy does.
	Hash []byte
}

// The outcomes of Pick that are not a server.
var (
	// ErrNoServer: no server is usable (503 "no server available").
	ErrNoServer = errors.New("balance: no server available")
	// ErrAllFull: the usable servers are all at maxconn; the engine queues
	// the request in the backend queue.
	ErrAllFull = errors.New("balance: all servers are full")
)

// Selector picks a server for a request: the index into the targets given to
// New, or ErrNoServer / ErrAllFull.
type Selector interface {
	Pick(k Key) (int, error)
}

// member is a target in the current pool with its sampled weight.
type member struct {
	idx    int32
	weight int
}

// sample is what Update reads of a target, to detect changes.
type sample struct {
	weight int // 0 when not usable
	backup bool
}

// snapshot is the immutable balancing state Pick reads without locking.
type snapshot struct {
	state []sample
	pool  []member // the servers that take new traffic, in declaration order
	sched []int32  // smooth weighted round-robin cycle (target indices)
	hmap  []int32  // map-based hash table
	ring  []ringPoint
	cum   []uint64 // random: running weight total per pool member
}

// Balancer implements Selector for one backend and one Algorithm.
//
// Concurrency: Pick is safe from any number of goroutines and takes no lock;
// it reads an immutable snapshot through an atomic pointer, plus one atomic
// cursor for the round-robin rotations. Update rebuilds the snapshot under a
// mutex that only Update takes, and swaps it in: the next Pick sees it.
type Balancer struct {
	alg        Algorithm
	targets    []Target
	allBackups bool
	mapGCD     int // GCD of the initial weights (map-based tables)

	mu   sync.Mutex // serialises Update
	snap atomic.Pointer[snapshot]

	rr      atomic.Uint64 // round-robin cursor
	_       [56]byte      // keep the two cursors on separate cache lines
	rotate  atomic.Uint64 // leastconn and random tie rotation
	_       [56]byte
	noSrv   atomic.Uint64
	allFull atomic.Uint64
	updates atomic.Uint64
}

// New returns a Balancer over targets (in declaration order: index i is
// HAProxy's server id i+1) and samples their state. allBackups is HAProxy's
// "option allbackups". The map-based table divides weights by the GCD of
// the weights seen here, as HAProxy does at start-up. It starts nothing.
func New(a Algorithm, targets []Target, allBackups bool) *Balancer {
	b := &Balancer{alg: a, targets: targets, allBackups: allBackups}
	g := 0
	for _, t := range targets {
		g = gcd(g, clampWeight(t.Weight()))
	}
	b.mapGCD = max(g, 1)
	b.snap.Store(&snapshot{})
	b.Update()
	return b
}

// Algorithm returns the algorithm the Balancer was built with.
func (b *Balancer) Algorithm() Algorithm { return b.alg }

// Update samples every target's Usable, Weight and Backup and, if anything
// changed, rebuilds the balancing state. It reports whether it rebuilt.
// Cheap when nothing changed (no allocation), so the engine may call it
// after every health-check result.
func (b *Balancer) Update() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	old := b.snap.Load()
	if len(old.state) == len(b.targets) {
		same := true
		for i, t := range b.targets {
			if sampleOf(t) != old.state[i] {
				same = false
				break
			}
		}
		if same {
			return false
		}
	}
	state := make([]sample, len(b.targets))
	for i, t := range b.targets {
		state[i] = sampleOf(t)
	}
	b.snap.Store(b.build(state))
	b.updates.Add(1)
	return true
}

func sampleOf(t Target) sample {
	s := sample{weight: clampWeight(t.Weight()), backup: t.Backup()}
	if !t.Usable() {
		s.weight = 0
	}
	return s
}

func clampWeight(w int) int { return min(max(w, 0), MaxWeight) }

// build computes the pool (HAProxy's recount_servers/update_backend_weight:
// the usable active servers; if none, the first usable backup, or all of
// them with allbackups) and the tables the algorithm needs.
func (b *Balancer) build(state []sample) *snapshot {
	s := &snapshot{state: state}
	var act, bck []member
	for i, st := range state {
		if st.weight == 0 {
			continue
		}
		m := member{idx: int32(i), weight: st.weight}
		if st.backup {
			bck = append(bck, m)
		} else {
			act = append(act, m)
		}
	}
	switch {
	case len(act) > 0:
		s.pool = act
	case len(bck) > 0 && b.allBackups:
		s.pool = bck
	case len(bck) > 0:
		s.pool = bck[:1]
	default:
		return s
	}
	switch a := &b.alg; {
	case a.Kind == Random:
		s.cum = cumulative(s.pool)
	case a.Kind == LeastConn, a.Kind == First:
	default: // the rotations, and the round-robin fallback of the hashes
		s.sched = buildSchedule(s.pool)
	}
	if b.alg.Kind.Hashed() {
		if b.alg.HashType == Consistent {
			s.ring = buildRing(s.pool)
		} else {
			s.hmap = buildMap(divideWeights(s.pool, b.mapGCD))
		}
	}
	return s
}

// Pick selects a server for k. Hashing algorithms return their server even
// when it is full (the engine then queues on that server, as HAProxy does);
// the others skip full servers and return ErrAllFull when every usable
// server is full.
func (b *Balancer) Pick(k Key) (int, error) {
	s := b.snap.Load()
	if len(s.pool) == 0 {
		b.noSrv.Add(1)
		return -1, ErrNoServer
	}
	var (
		idx int
		err error
	)
	switch b.alg.Kind {
	case LeastConn:
		idx, err = b.pickLeastConn(s)
	case First:
		idx, err = b.pickFirst(s)
	case Random:
		idx, err = b.pickRandom(s)
	case Source:
		if !k.Src.IsValid() {
			idx, err = b.pickRR(s)
			break
		}
		return b.pickHash(s, b.alg.hashAddr(k.Src)), nil
	case URI, URLParam, Header:
		if k.Hash == nil || b.alg.Kind == Header && len(k.Hash) == 0 {
			idx, err = b.pickRR(s)
			break
		}
		return b.pickHash(s, b.alg.hashBytes(k.Hash)), nil
	default:
		idx, err = b.pickRR(s)
	}
	if err != nil {
		b.allFull.Add(1)
	}
	return idx, err
}

func (b *Balancer) pickHash(s *snapshot, h uint32) int {
	if s.ring != nil {
		return int(ringLookup(s.ring, h))
	}
	return int(s.hmap[h%uint32(len(s.hmap))])
}

// anyFree reports whether a pool member is below its maxconn.
func (b *Balancer) anyFree(pool []member) bool {
	for _, m := range pool {
		if !b.targets[m.idx].Full() {
			return true
		}
	}
	return false
}

// Stats are the Balancer's counters.
type Stats struct {
	NoServer uint64 // picks answered ErrNoServer
	AllFull  uint64 // picks answered ErrAllFull
	Updates  uint64 // rebuilds of the balancing state
}

// Stats returns a snapshot of the counters.
func (b *Balancer) Stats() Stats {
	return Stats{NoServer: b.noSrv.Load(), AllFull: b.allFull.Load(), Updates: b.updates.Load()}
}

// Pool returns the indices of the servers that currently take new traffic,
// and whether they are backups (for "N active and M backup servers" lines
// and the stats page).
func (b *Balancer) Pool() (idx []int, backup bool) {
	s := b.snap.Load()
	for _, m := range s.pool {
		idx = append(idx, int(m.idx))
	}
	return idx, len(s.pool) > 0 && s.state[s.pool[0].idx].backup
}
