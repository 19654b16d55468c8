package server

import (
	"io"
	"math/big"
	"slices"
	"time"

	"github.com/tidwall/redcon"

	"github.com/remoted/remoted/resp"
)

// Blocking commands (BLPOP, BLMOVE, BZPOPMIN, ...), after Redis 7.0's
// blocked.c. A blocking command that finds nothing to take parks its
// client on its keys: each key keeps its waiters first come, first
// served. A key becomes ready when a value is put under it (a collection
// created, renamed or copied in: see attach); once the command that did it
// is over (an EXEC, once all its commands are), the ready keys are served
// in the order they became ready, each to its waiters in order, for as
// long as it holds what they wait for. A waiter is served by its own
// command's try function, run under the keyspace lock by whichever client
// made the key ready: it takes what it needs and writes the waiter's
// reply, then the waiter's goroutine wakes and returns it. So no other
// command runs between the change and the serving, as in Redis, and a pop
// waiting holds nothing.
//
// While a client holds the share-wide lock (LOCK), nobody else runs: keys
// its commands make ready are served once it lets go (see
// serveDeferred).
//
// A waiting client is off its event loop (client.waitFor), so it costs
// no other client anything; when it hangs up, it is withdrawn at once.
// Before serving a waiter, the server makes sure its client has not
// hung up (see transport.gone), so that an element is not taken for a
// client that will never read it.

// tryFunc serves a client blocked on keys when key has become ready: if
// key now holds what the command waits for, it makes the change, writes
// the client's reply and returns true; otherwise it returns false and
// the client stays blocked.
type tryFunc func(db *keyspace, key []byte) bool

// keyWaiter is a client blocked on keys.
type keyWaiter struct {
	c        *client
	keys     []string
	deadline time.Time // zero: none
	try      tryFunc
	timedOut func()
	state    waiterState // guarded by db.mu
	done     chan struct{}
}

type waiterState uint8

const (
	waiting   waiterState = iota
	served                // try served it, or CLIENT UNBLOCK answered it
	withdrawn             // it timed out or its client went
)

// blockDeadline parses a blocking command's timeout, seconds as a double
// (0: wait forever), as Redis 7.0 does: the milliseconds, rounded up, in
// long double; a value whose milliseconds do not fit in an int64 (inf,
// 1e30) counts as negative.
func blockDeadline(arg []byte, now time.Time) (deadline time.Time, errText string) {
	var ms int64
	if n, ok := resp.ParseInt(arg); ok && n > -1<<53 && n < 1<<53 {
		ms = n * 1000
	} else {
		v, ok := parseLongDouble(arg)
		if !ok {
			return time.Time{}, resp.MsgTimeoutNotFloat
		}
		ms = ceilMillis(v)
	}
	switch {
	case ms < 0:
		return time.Time{}, resp.MsgTimeoutNegative
	case ms == 0:
		return time.Time{}, ""
	case ms > int64(time.Duration(1<<62)/time.Millisecond):
		ms = int64(time.Duration(1<<62) / time.Millisecond) // beyond any wait
	}
	return now.Add(time.Duration(ms) * time.Millisecond), ""
}

// ceilMillis is ceill(v*1000) converted to an int64 as x86-64 does: a
// value out of range becomes the smallest int64.
func ceilMillis(v *big.Float) int64 {
	ms := newLD().Mul(v, big.NewFloat(1000))
	if ms.IsInf() {
		return -1 << 63
	}
	i, acc := ms.Int(nil) // toward zero
	if acc == big.Below { // a positive fraction was dropped
		i.Add(i, big.NewInt(1))
	}
	if !i.IsInt64() {
		return -1 << 63
	}
	return i.Int64()
}

// block parks c on keys until try serves it from one of them, the
// deadline passes (timedOut writes the timeout reply), CLIENT UNBLOCK
// answers it, or the client goes. A handler calls it, with the keyspace
// held, once it found nothing to serve at once. Inside a transaction it
// does not block: timedOut answers at once, as in Redis.
func (s *Server) block(c *client, keys [][]byte, deadline time.Time, try tryFunc, timedOut func()) {
	if c.execing {
		timedOut()
		return
	}
	db := s.db
	w := &keyWaiter{c: c, deadline: deadline, try: try, timedOut: timedOut, done: make(chan struct{})}
	// Whoever serves the waiter writes its reply to a writer of its own,
	// not to the connection's, which the waiting goroutine flushes as the
	// wait begins; the reply joins the connection's when the wait ends.
	own := c.w
	c.w = resp.NewWriter(redcon.NewWriter(io.Discard))
	c.w.SetProto(own.Proto())
	c.w.SetErrorHook(s.noteError)
	defer func() {
		own.Raw(c.w.Take())
		c.w = own
	}()
	if db.blocked == nil {
		db.blocked = make(map[string][]*keyWaiter)
	}
	for _, k := range keys {
		key := string(k)
		if slices.Contains(w.keys, key) {
			continue
		}
		w.keys = append(w.keys, key)
		db.blocked[key] = append(db.blocked[key], w)
	}
	c.keyWait.Store(w)
	c.releaseDB()
	if c.passing {
		// It waited its turn at the share-wide lock's gate: the turn
		// ends here, as a pop that waits holds nothing. Kept, it would
		// hold every other keyspace command behind it, the push it
		// waits for too.
		c.passing = false
		s.locks.passDone()
	}
	var expired <-chan time.Time
	if !deadline.IsZero() {
		t := time.NewTimer(time.Until(deadline))
		defer t.Stop()
		expired = t.C
	}
	r := c.waitFor(w.done, expired)
	c.keyWait.Store(nil)
	if r == waitDone {
		return // served: the reply is written
	}
	c.holdDB()
	if w.state == waiting { // else served as it timed out or went
		db.unblock(w, withdrawn)
		if r == waitExpired {
			timedOut()
		}
	}
}

// unblock takes w off every key it waits on and ends its wait as state
// says. db.mu is held.
func (db *keyspace) unblock(w *keyWaiter, state waiterState) {
	for _, key := range w.keys {
		ws := slices.DeleteFunc(db.blocked[key], func(o *keyWaiter) bool { return o == w })
		if len(ws) == 0 {
			delete(db.blocked, key)
		} else {
			db.blocked[key] = ws
		}
	}
	w.state = state
	if state == served {
		close(w.done)
	}
}

// signalReady notes that key may now hold what clients wait for. It
// costs one length check while nobody waits. db.mu is held.
func (db *keyspace) signalReady(key string) {
	if len(db.blocked) == 0 || db.blocked[key] == nil || slices.Contains(db.ready, key) {
		return
	}
	db.ready = append(db.ready, key)
	db.readyPending.Store(true)
}

// serveReady serves the waiters of the keys that became ready, key by
// key in the order they did, each key's waiters in the order they came,
// while the key holds something; a waiter's serving may make more keys
// ready (BLMOVE pushes), which are served in turn. db.mu is held.
func (db *keyspace) serveReady() {
	for len(db.ready) > 0 {
		keys := db.ready
		db.ready = nil
		for _, key := range keys {
			for _, w := range slices.Clone(db.blocked[key]) {
				if db.get(key) == nil {
					break
				}
				if w.state != waiting || w.c.killed.Load() || w.c.tr.t.gone() {
					continue // its own goroutine withdraws it
				}
				if w.try(db, bytesOf(key)) {
					db.unblock(w, served)
				}
			}
		}
	}
	db.readyPending.Store(false)
}

// serveBlocked serves the keys made ready by the command c just ran,
// unless a client holds the share-wide lock (then they wait for
// serveDeferred). Dispatch calls it after each keyspace command. db.mu
// is held.
func (s *Server) serveBlocked(c *client) {
	if len(s.db.ready) > 0 && !c.execing && s.locks.gate.Load() == 0 {
		s.db.serveReady()
	}
}

// serveDeferred serves keys made ready while the share-wide lock was
// held, once it is let go. db.mu must not be held.
func (s *Server) serveDeferred() {
	if !s.db.readyPending.Load() {
		return
	}
	s.db.mu.Lock()
	defer s.db.mu.Unlock()
	if s.locks.gate.Load() == 0 {
		s.db.now = s.now().UnixMilli()
		s.db.serveReady()
	}
}

// unblockClient is CLIENT UNBLOCK's work: if c waits on keys, it is
// answered as on a timeout, or with errText, and reports true.
func (s *Server) unblockClient(c *client, errText string) bool {
	db := s.db
	db.mu.Lock()
	defer db.mu.Unlock()
	w := c.keyWait.Load()
	if w == nil || w.state != waiting {
		return false
	}
	if errText != "" {
		c.w.Error(errText)
	} else {
		w.timedOut()
	}
	db.unblock(w, served)
	return true
}
