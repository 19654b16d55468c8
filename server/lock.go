package server

import (
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// shareLock is the name under which the share-wide lock is kept in the
// lock table; LOCK with no name takes it. A named lock cannot collide with
// it because LOCK refuses the empty name.
const shareLock = ""

// lockTable holds the share-wide lock and the named locks, each with a
// FIFO queue of waiters. The share-wide lock is mirrored in gate, which the
// dispatcher reads with one atomic load per keyspace command: 0 when
// nobody holds it, else the holder's client id, or gatePassing.
//
// A keyspace command that finds the gate closed queues in the share-wide
// lock's queue too, in arrival order with the LOCK callers. When the lock
// is let go, the commands at the head of the queue pass together (the
// gate is gatePassing meanwhile, closed to everyone else), and once they
// have run the lock goes to the next LOCK caller. So a command waits for
// the holders ahead of it, not for every holder until the queue is empty.
type lockTable struct {
	srv  *Server
	mu   sync.Mutex
	held map[string]*heldLock

	gate    atomic.Int64
	passing int          // commands let through and not yet done; under mu
	gated   atomic.Int64 // clients waiting at the gate
	woken   atomic.Int64 // waiters woken so far: a loop that woke one yields (loop.run)
}

// gatePassing is gate while queued keyspace commands pass.
const gatePassing = -1

// heldLock is one lock that is held or waited for.
type heldLock struct {
	name    string
	holder  *client // nil between a release and the next grant
	since   time.Time
	waiters []*lockWaiter
}

type lockWaiter struct {
	c       *client
	granted chan struct{} // closed when the lock, or the pass, is c's
	pass    bool          // a keyspace command at the gate, not a LOCK
}

func newLockTable(s *Server) *lockTable {
	return &lockTable{srv: s, held: make(map[string]*heldLock)}
}

// acquireResult is the outcome of a LOCK.
type acquireResult int

const (
	lockGranted acquireResult = iota
	lockTimedOut
	lockReentry // the caller already holds it
	lockAborted // the caller disconnected or the server is closing
)

// acquire takes the lock name for c, waiting in line behind earlier
// callers for at most timeout (0: no limit). While it waits it watches the
// client's socket, so a waiter that disconnects leaves the queue at once
// instead of being granted a lock nobody will release.
func (lt *lockTable) acquire(c *client, name string, timeout time.Duration) acquireResult {
	lt.mu.Lock()
	hl := lt.held[name]
	if hl == nil {
		hl = &heldLock{name: name}
		lt.held[name] = hl
	}
	if hl.holder == c {
		lt.mu.Unlock()
		return lockReentry
	}
	if hl.holder == nil && len(hl.waiters) == 0 && (name != shareLock || lt.passing == 0) {
		lt.grantLocked(hl, c)
		if name == shareLock {
			lt.closeGate(c) // still under lt.mu, so no UNLOCK can interleave
		}
		lt.mu.Unlock()
		return lockGranted
	}
	w := &lockWaiter{c: c, granted: make(chan struct{})}
	hl.waiters = append(hl.waiters, w)
	c.lockWait.Store(true)
	lt.mu.Unlock()
	defer c.lockWait.Store(false)

	var expired <-chan time.Time
	if timeout > 0 {
		t := time.NewTimer(timeout)
		defer t.Stop()
		expired = t.C
		c.lockLimit.Store(true)
		defer c.lockLimit.Store(false)
	}
	switch c.waitFor(w.granted, expired) {
	case waitDone:
		return lockGranted
	case waitExpired:
		if lt.withdraw(hl, w) {
			return lockTimedOut
		}
		return lockGranted // granted just as the time ran out
	default:
		if !lt.withdraw(hl, w) {
			lt.release(c, name) // granted to a client that is gone
		}
		return lockAborted
	}
}

// grantLocked hands hl to c. lt.mu is held.
func (lt *lockTable) grantLocked(hl *heldLock, c *client) {
	hl.holder = c
	hl.since = lt.srv.now()
	c.locksHeld.Add(1)
}

// closeGate makes a fresh grant of the share-wide lock to c effective:
// commands already running finish first (they hold the keyspace lock), and
// every later keyspace command of another client sees the gate closed.
// lt.mu is held; nobody takes lt.mu while holding the keyspace lock.
func (lt *lockTable) closeGate(c *client) {
	db := lt.srv.db
	db.mu.Lock()
	lt.gate.Store(c.id)
	db.mu.Unlock()
}

// withdraw takes w out of hl's queue; false means it had been granted.
func (lt *lockTable) withdraw(hl *heldLock, w *lockWaiter) bool {
	lt.mu.Lock()
	defer lt.mu.Unlock()
	i := slices.Index(hl.waiters, w)
	if i < 0 {
		return false
	}
	hl.waiters = slices.Delete(hl.waiters, i, i+1)
	lt.dropIfUnusedLocked(hl)
	return true
}

func (lt *lockTable) dropIfUnusedLocked(hl *heldLock) {
	if hl.holder == nil && len(hl.waiters) == 0 && (hl.name != shareLock || lt.passing == 0) {
		delete(lt.held, hl.name)
	}
}

// release gives up c's hold on name and hands the lock to the first
// waiter. It reports false if c did not hold it.
func (lt *lockTable) release(c *client, name string) bool {
	lt.mu.Lock()
	hl := lt.held[name]
	if hl == nil || hl.holder != c {
		lt.mu.Unlock()
		return false
	}
	hl.holder = nil
	c.locksHeld.Add(-1)
	wake := lt.advanceLocked(hl)
	lt.mu.Unlock()
	lt.wake(wake)
	lt.srv.serveDeferred()
	return true
}

// wake tells the waiters their turn has come.
func (lt *lockTable) wake(ws []*lockWaiter) {
	if len(ws) == 0 {
		return
	}
	lt.woken.Add(int64(len(ws)))
	for _, w := range ws {
		close(w.granted)
	}
}

// advanceLocked serves hl's queue once nobody holds it, and returns the
// waiters to wake. For the share-wide lock, the keyspace commands at the
// head of the queue pass first, all together; once none is still running
// (see passDone), the next LOCK caller gets it; with nobody left the gate
// opens. The gate changes here, under lt.mu, so that it never disagrees
// with the table. lt.mu is held.
func (lt *lockTable) advanceLocked(hl *heldLock) []*lockWaiter {
	share := hl.name == shareLock
	if hl.holder != nil || (share && lt.passing > 0) {
		return nil
	}
	if share {
		n := 0
		for n < len(hl.waiters) && hl.waiters[n].pass {
			n++
		}
		if n > 0 {
			wake := slices.Clone(hl.waiters[:n])
			hl.waiters = slices.Delete(hl.waiters, 0, n)
			lt.passing = n
			lt.gate.Store(gatePassing)
			return wake
		}
	}
	if len(hl.waiters) == 0 {
		if share {
			lt.gate.Store(0)
		}
		lt.dropIfUnusedLocked(hl)
		return nil
	}
	next := hl.waiters[0]
	hl.waiters = slices.Delete(hl.waiters, 0, 1)
	lt.grantLocked(hl, next.c)
	if share {
		// Handed over: the gate stays closed to everyone else, and no
		// keyspace command of anyone else is running.
		lt.gate.Store(next.c.id)
	}
	return []*lockWaiter{next}
}

// passDone ends the pass of a queued keyspace command (see passGate),
// which has run, or will not.
func (lt *lockTable) passDone() {
	lt.mu.Lock()
	lt.passing--
	var wake []*lockWaiter
	if hl := lt.held[shareLock]; hl != nil {
		wake = lt.advanceLocked(hl)
	} else if lt.passing == 0 {
		lt.gate.Store(0)
	}
	lt.mu.Unlock()
	lt.wake(wake)
	lt.srv.serveDeferred()
}

// releaseAll frees every lock c holds (on disconnect, RESET).
func (lt *lockTable) releaseAll(c *client) {
	if c.locksHeld.Load() == 0 {
		return
	}
	lt.mu.Lock()
	var names []string
	for name, hl := range lt.held {
		if hl.holder == c {
			names = append(names, name)
		}
	}
	lt.mu.Unlock()
	for _, name := range names {
		lt.release(c, name)
	}
}

// passGate returns once c may run a keyspace command: at once when nobody
// else holds the share-wide lock (one atomic load), else in its turn in
// the lock's queue. A command let through that way must call passDone
// once it has run; c.passing says so. It reports false if c disconnected
// or the server is closing meanwhile.
func (lt *lockTable) passGate(c *client) bool {
	g := lt.gate.Load()
	if g == 0 || g == c.id {
		return true
	}
	c.releaseDB()
	lt.mu.Lock()
	if g := lt.gate.Load(); g == 0 || g == c.id {
		lt.mu.Unlock()
		return true // let go while we looked
	}
	hl := lt.held[shareLock]
	if hl == nil { // passing with nobody queued: keep the queue
		hl = &heldLock{name: shareLock}
		lt.held[shareLock] = hl
	}
	w := &lockWaiter{c: c, granted: make(chan struct{}), pass: true}
	hl.waiters = append(hl.waiters, w)
	lt.mu.Unlock()
	lt.gated.Add(1)
	c.gateWait.Store(true)
	r := c.waitFor(w.granted, nil)
	c.gateWait.Store(false)
	lt.gated.Add(-1)
	if r == waitDone {
		c.passing = true
		return true
	}
	if !lt.withdraw(hl, w) {
		lt.passDone() // its turn came as it went
	}
	return false
}

// lockInfo is one row of LOCKS.
type lockInfo struct {
	name       string
	holderID   int64
	holderName string
	heldFor    time.Duration
	waiters    int
}

// snapshot lists the held locks, the share-wide one first, then by name.
func (lt *lockTable) snapshot(now time.Time) []lockInfo {
	lt.mu.Lock()
	defer lt.mu.Unlock()
	var out []lockInfo
	for _, hl := range lt.held {
		if hl.holder == nil {
			continue // between holders
		}
		li := lockInfo{name: hl.name, holderID: hl.holder.id, holderName: hl.holder.getName(),
			heldFor: now.Sub(hl.since)}
		for _, w := range hl.waiters {
			if !w.pass {
				li.waiters++
			}
		}
		out = append(out, li)
	}
	slices.SortFunc(out, func(a, b lockInfo) int { return strings.Compare(a.name, b.name) })
	return out
}
