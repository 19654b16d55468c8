package server

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/remoted/remoted/resp"
)

// client is one connection's state. Its fields are owned by the
// connection's goroutine, except those read by CLIENT LIST and INFO from
// other connections, which sit behind mu or are atomic.
type client struct {
	srv     *Server
	id      int64
	tr      *conn        // the connection's transport
	w       *resp.Writer // where this command's reply goes: out, or discard
	out     *resp.Writer // the connection's real reply writer
	discard *resp.Writer // replies under CLIENT REPLY OFF or SKIP, made on first use

	created time.Time
	authed  bool
	reply   replyMode
	lower   [32]byte  // scratch for lower-casing command names
	now     time.Time // the batch's clock reading
	held    int       // commands run under the current hold of db.mu
	passing bool      // let through the share-wide lock's queue: call passDone

	tx        *txState      // between MULTI and EXEC or DISCARD, else nil
	execing   bool          // running the commands of an EXEC
	execLocks []lockInfo    // the lock table as EXEC began, for INFO inside it
	watching  []*watchedKey // WATCHed keys; guarded by srv.db.mu, see db_watch.go
	mayWatch  bool          // WATCH ran since the last unwatch: watching may be non-empty

	mu      sync.Mutex // guards the fields below
	name    string
	libName string
	libVer  string
	proto   int

	lastCmd    atomic.Pointer[resp.Command]
	ncmds      atomic.Int64 // commands run, summed by INFO
	lastActive atomic.Int64 // unix ms of the last command
	killed     atomic.Bool
	killCh     chan struct{} // closed by kill, to wake a blocked wait
	killOnce   sync.Once

	locksHeld atomic.Int64              // locks this client holds
	lockWait  atomic.Bool               // waiting in LOCK
	lockLimit atomic.Bool               // ...with a TIMEOUT
	gateWait  atomic.Bool               // waiting for another client's share-wide lock
	keyWait   atomic.Pointer[keyWaiter] // blocked on keys (BLPOP, ...); see block.go

	dirtyCAS atomic.Bool  // a WATCHed key was written: EXEC will fail
	txQueued atomic.Int64 // commands queued since MULTI; -1 outside MULTI
}

type replyMode uint8

const (
	replyOn replyMode = iota
	replyOff
	replySkipNext
	replySkip
)

func newClient(s *Server, tr *conn) *client {
	c := &client{
		srv:     s,
		id:      s.nextID.Add(1),
		tr:      tr,
		out:     resp.NewWriter(tr.out),
		created: time.Now(),
		authed:  s.cfg.RequirePass == "",
		proto:   2,
		killCh:  make(chan struct{}),
	}
	c.w = c.out
	c.txQueued.Store(-1)
	c.lastActive.Store(c.created.UnixMilli())
	tr.client = c
	return c
}

// setProto switches the connection's protocol.
func (c *client) setProto(p int) {
	c.out.SetProto(p)
	c.w.SetProto(p)
	c.mu.Lock()
	c.proto = p
	c.mu.Unlock()
}

// kill disconnects the client from its own goroutine (it killed itself,
// or a blocked wait found it gone): nothing more runs, and the connection
// closes once the replies so far are written.
func (c *client) kill() {
	c.killed.Store(true)
	c.killOnce.Do(func() { close(c.killCh) })
	c.tr.interrupt(false)
}

// disconnect disconnects the client from another goroutine (CLIENT KILL,
// a monitor too far behind) at once, dropping replies not yet written, as
// Redis does; a wait it is blocked in ends.
func (c *client) disconnect() {
	c.killed.Store(true)
	c.killOnce.Do(func() { close(c.killCh) })
	c.tr.interrupt(true)
}

func (c *client) getName() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.name
}

// waitResult is how a blocked wait ended.
type waitResult int

const (
	waitDone    waitResult = iota // ch was closed
	waitExpired                   // the timeout passed
	waitAborted                   // the client is gone or the server closing
)

// waitFor blocks the client's goroutine until ch is closed or expired
// fires, watching meanwhile for the client disconnecting or being killed
// and for server shutdown. The transport makes the wait cost no other
// connection anything and watches for the client hanging up (see
// transport.waitBegin); the commands after the wait see the time it ended.
func (c *client) waitFor(ch <-chan struct{}, expired <-chan time.Time) waitResult {
	c.tr.t.waitBegin(c.tr)
	defer func() {
		c.tr.t.waitEnd(c.tr)
		c.now = c.srv.now()
	}()
	select {
	case <-ch:
		return waitDone
	case <-expired:
		return waitExpired
	case <-c.killCh:
		return waitAborted
	case <-c.srv.closingCh:
		c.killed.Store(true)
		return waitAborted
	}
}

func (c *client) idleSeconds(now time.Time) int64 {
	return (now.UnixMilli() - c.lastActive.Load()) / 1000
}
