package proxy

import "time"

// waiter is a request waiting for a connection slot, in a server's queue
// (persistent or hash-chosen server at its maxconn) or in the backend's
// queue (every usable server at its maxconn). Whoever releases a slot hands
// it over by sending the server on ch.
type waiter struct {
	ch  chan *server // buffered 1
	seq uint64       // arrival order, to serve the oldest of two queues
	srv *server      // the server whose queue holds it; nil: backend queue
}

// waitQueue is a FIFO of waiters; it is guarded by its backend's mutex.
type waitQueue struct {
	items []*waiter
}

func (q *waitQueue) push(w *waiter) { q.items = append(q.items, w) }

func (q *waitQueue) head() *waiter {
	if len(q.items) == 0 {
		return nil
	}
	return q.items[0]
}

func (q *waitQueue) pop() *waiter {
	w := q.items[0]
	q.items[0] = nil
	q.items = q.items[1:]
	if len(q.items) == 0 {
		q.items = nil
	}
	return w
}

// remove deletes w; it reports false when w was not queued any more.
func (q *waitQueue) remove(w *waiter) bool {
	for i, x := range q.items {
		if x == w {
			copy(q.items[i:], q.items[i+1:])
			q.items[len(q.items)-1] = nil
			q.items = q.items[:len(q.items)-1]
			return true
		}
	}
	return false
}

func (q *waitQueue) len() int { return len(q.items) }

// enqueue puts a new waiter in srv's queue (srv != nil) or in the backend
// queue. Called with b.mu held.
func (b *backend) enqueue(srv *server) *waiter {
	b.seq++
	w := &waiter{ch: make(chan *server, 1), seq: b.seq, srv: srv}
	if srv != nil {
		srv.q.push(w)
		n := srv.queued.Add(1)
		storeMax(&srv.queueMax, n)
	} else {
		b.q.push(w)
		n := b.queued.Add(1)
		storeMax(&b.queueMax, n)
	}
	return w
}

// wait blocks until w is given a server or timeout passes (0: no limit) or
// stop is closed.
func (b *backend) wait(w *waiter, timeout time.Duration, stop <-chan struct{}) (*server, error) {
	var tc <-chan time.Time
	if timeout > 0 {
		t := time.NewTimer(timeout)
		defer t.Stop()
		tc = t.C
	}
	select {
	case s := <-w.ch:
		return s, nil
	case <-tc:
	case <-stop:
	}
	b.mu.Lock()
	removed := false
	if w.srv != nil {
		if removed = w.srv.q.remove(w); removed {
			w.srv.queued.Add(-1)
		}
	} else if removed = b.q.remove(w); removed {
		b.queued.Add(-1)
	}
	b.mu.Unlock()
	if !removed { // a slot was handed over meanwhile
		return <-w.ch, nil
	}
	return nil, ErrQueueTimeout
}

// dispatchLocked hands free slots of s to the oldest waiters that may use
// it: its own queue, and the backend queue when s takes new traffic.
// Called with b.mu held.
func (b *backend) dispatchLocked(s *server) {
	for s.maxconn == 0 || s.cur.Load() < int64(s.maxconn) {
		var w *waiter
		own, shared := s.q.head(), b.q.head()
		if shared != nil && !(s.Usable() && s.Weight() > 0 && b.serverInPool(s)) {
			shared = nil
		}
		switch {
		case own != nil && (shared == nil || own.seq < shared.seq):
			w = s.q.pop()
			s.queued.Add(-1)
		case shared != nil:
			w = b.q.pop()
			b.queued.Add(-1)
		default:
			return
		}
		s.cur.Add(1)
		w.ch <- s
	}
}

// redistributeLocked moves the waiters of a server that stopped taking
// traffic to the backend queue, so another server serves them (HAProxy's
// pendconn_redistribute). It returns how many moved. Called with b.mu held.
func (b *backend) redistributeLocked(s *server) int {
	n := 0
	for s.q.len() > 0 {
		w := s.q.pop()
		s.queued.Add(-1)
		w.srv = nil
		b.q.items = append(b.q.items, w)
		b.queued.Add(1)
		n++
	}
	if n > 0 {
		// keep the backend queue in arrival order
		sortWaiters(b.q.items)
	}
	return n
}

func sortWaiters(ws []*waiter) {
	for i := 1; i < len(ws); i++ {
		for j := i; j > 0 && ws[j].seq < ws[j-1].seq; j-- {
			ws[j], ws[j-1] = ws[j-1], ws[j]
		}
	}
}
