package server

import (
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tidwall/redcon"

	"github.com/remoted/remoted/resp"
)

// Client is one connection's state. Its fields are owned by the
// connection's goroutine, except those read by CLIENT LIST and INFO from
// other connections, which sit behind mu or are atomic.
type Client struct {
	srv     *Server
	id      int64
	tr      *conn        // the connection's transport
	w       *resp.Writer // where this command's reply goes: out, or discard
	out     *resp.Writer // the connection's real reply writer
	discard *resp.Writer // replies under CLIENT REPLY OFF or SKIP, made on first use

	addr, laddr string
	created     time.Time
	authed      bool
	reply       replyMode
	lower       [32]byte  // scratch for lower-casing command names
	now         time.Time // the batch's clock reading
	held        int       // commands run under the current hold of db.mu
	passing     bool      // let through the share-wide lock's queue: call passDone

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

	locksHeld atomic.Int64 // locks this client holds
	lockWait  atomic.Bool  // waiting in LOCK
	lockLimit atomic.Bool  // ...with a TIMEOUT
	gateWait  atomic.Bool  // waiting for another client's share-wide lock

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

func newClient(s *Server, tr *conn) *Client {
	c := &Client{
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
	// CLIENT LIST shows a unix client as "path:0" on both ends.
	if tr.unixPath != "" {
		c.addr, c.laddr = tr.unixPath+":0", tr.unixPath+":0"
	} else {
		c.addr, c.laddr = tr.nc.RemoteAddr().String(), tr.nc.LocalAddr().String()
	}
	return c
}

// command binds a command's table entry to its handler.
type command struct {
	meta    *resp.Command
	fn      func(c *Client, args [][]byte)
	keys    bool // runs under the keyspace lock
	noAuth  bool // allowed before AUTH
	subs    map[string]*command
	monitor bool // shown to MONITOR
	tx      txRole
}

// txRole is how a command behaves after MULTI; see cmd_tx.go.
type txRole struct {
	notQueued bool   // runs at once (EXEC, DISCARD, MULTI, WATCH, QUIT, RESET)
	refused   bool   // "not allowed inside a transaction" (no_multi, locks)
	execError string // queued, but answers this error when EXEC runs it
	infoLocks bool   // reads the lock table (INFO): EXEC snapshots it first
	exec      bool   // EXEC: shown to MONITOR after the commands it ran
}

// runBatch runs the whole commands the connection has framed: one batch,
// which is what one read brought, sharing one clock reading. The keyspace
// lock is taken once for a run of keyspace commands in a batch (up to
// maxHeld), not once per command. It stops early once the connection must
// close (QUIT, CLIENT KILL, shutdown) or has left its driver (MONITOR).
func (s *Server) runBatch(c *Client) {
	cn := c.tr
	if cn.off < cn.whole {
		c.now = s.now()
		c.lastActive.Store(c.now.UnixMilli())
	}
	for !cn.quit && !cn.left {
		if s.closing.Load() || c.killed.Load() {
			cn.quit = true
			break
		}
		args := cn.next()
		if args == nil {
			break
		}
		s.dispatch(c, args)
	}
	c.releaseDB()
	if cn.left {
		cn.handOff() // from here cn and c are the new owner's
		return
	}
	cn.compact()
}

// maxHeld bounds how many commands of one pipeline run under one hold of
// the keyspace lock, so a long pipeline cannot starve other clients.
const maxHeld = 64

// dispatch runs one command with the checks Redis makes first; after
// MULTI it queues most commands instead (see cmd_tx.go).
func (s *Server) dispatch(c *Client, args [][]byte) {
	cmd, errText := s.lookup(c, args)
	if cmd != nil && !c.authed && !cmd.noAuth {
		errText = resp.ErrNoAuth
	}
	if c.tx != nil && cmd != nil && errText == "" && cmd.tx.refused {
		errText = resp.ErrNotInMulti
	}
	if c.reply != replyOn {
		c.w = c.replyWriter()
		defer c.afterReply()
	}
	if errText != "" {
		s.stats.errors.Add(1)
		s.reject(c, args, errText)
		return
	}
	if c.tx != nil && !cmd.tx.notQueued {
		c.queue(cmd, args)
		c.lastCmd.Store(cmd.meta)
		return
	}
	if cmd.monitor {
		s.feedMonitors(c, args)
	}
	c.ncmds.Add(1)
	if cmd.keys {
		if !s.locks.passGate(c) {
			c.kill() // disconnected while waiting for the share-wide lock
			return
		}
		c.holdDB()
		cmd.fn(c, args)
	} else {
		c.releaseDB()
		cmd.fn(c, args)
	}
	if c.passing { // it waited its turn at the gate (or EXEC did): done
		c.passing = false
		c.releaseDB()
		s.locks.passDone()
	}
	c.lastCmd.Store(cmd.meta)
}

// holdDB takes the keyspace lock for this connection's batch, or keeps
// it if already held and not yet held for maxHeld commands.
func (c *Client) holdDB() {
	db := c.srv.db
	if c.held > 0 && c.held < maxHeld {
		c.held++
		return
	}
	c.releaseDB()
	db.mu.Lock()
	db.now = c.now.UnixMilli()
	c.held = 1
}

// withDB runs fn under the keyspace lock, which this connection may
// already hold (in a batch, or in EXEC). It is for the little bookkeeping
// of commands that are not keyspace commands (DISCARD, UNWATCH, RESET),
// and passes no share-wide lock gate.
func (c *Client) withDB(fn func(db *DB)) {
	db := c.srv.db
	if c.held > 0 {
		fn(db)
		return
	}
	db.mu.Lock()
	defer db.mu.Unlock()
	fn(db)
}

// releaseDB drops the keyspace lock if this connection holds it.
func (c *Client) releaseDB() {
	if c.held > 0 {
		c.held = 0
		c.srv.db.mu.Unlock()
	}
}

// lookup finds the command for args, checking arity and subcommands, and
// returns Redis's error text when it cannot be run.
func (s *Server) lookup(c *Client, args [][]byte) (*command, string) {
	cmd := s.cmds[lowerInto(c.lower[:0], args[0])]
	if cmd == nil {
		return nil, resp.UnknownCommand(args)
	}
	if cmd.subs != nil && len(args) >= 2 {
		sub := cmd.subs[lowerInto(c.lower[:0], args[1])]
		if sub == nil {
			return nil, resp.UnknownSubcommand(cmd.meta.Name, args[1])
		}
		cmd = sub
	}
	if !cmd.meta.ArityOK(len(args)) {
		return nil, resp.WrongArgs(cmd.meta.Name)
	}
	return cmd, ""
}

// lowerInto lower-cases b into buf (reusing it when b fits) and returns it
// as a string for a map lookup; the conversion does not allocate there.
func lowerInto(buf []byte, b []byte) string {
	if len(b) > cap(buf) {
		buf = make([]byte, 0, len(b))
	}
	for _, ch := range b {
		if ch >= 'A' && ch <= 'Z' {
			ch += 'a' - 'A'
		}
		buf = append(buf, ch)
	}
	return string(buf)
}

// replyWriter returns the writer for a command run under CLIENT REPLY
// OFF or SKIP: its reply goes nowhere.
func (c *Client) replyWriter() *resp.Writer {
	if c.reply == replySkipNext {
		c.reply = replySkip // this command is the one skipped
	}
	if c.discard == nil {
		c.discard = resp.NewWriter(redcon.NewWriter(io.Discard))
	}
	c.discard.SetProto(c.out.Proto())
	return c.discard
}

// afterReply restores the real writer, ending a SKIP, and drops the
// discarded reply.
func (c *Client) afterReply() {
	if c.w == c.discard {
		c.discard.Drop()
	}
	c.w = c.out
	if c.reply == replySkip {
		c.reply = replyOn
	}
}

// setProto switches the connection's protocol.
func (c *Client) setProto(p int) {
	c.out.SetProto(p)
	c.w.SetProto(p)
	c.mu.Lock()
	c.proto = p
	c.mu.Unlock()
}

// kill disconnects the client from its own goroutine (it killed itself,
// or a blocked wait found it gone): nothing more runs, and the connection
// closes once the replies so far are written.
func (c *Client) kill() {
	c.killed.Store(true)
	c.killOnce.Do(func() { close(c.killCh) })
	c.tr.interrupt(false)
}

// disconnect disconnects the client from another goroutine (CLIENT KILL,
// a monitor too far behind) at once, dropping replies not yet written, as
// Redis does; a wait it is blocked in ends.
func (c *Client) disconnect() {
	c.killed.Store(true)
	c.killOnce.Do(func() { close(c.killCh) })
	c.tr.interrupt(true)
}

func (c *Client) getName() string {
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

// livenessEvery is how often the socket of a client blocked in a command
// is checked, where nothing else watches it: a connection is read only
// between its commands, so the client would otherwise not be seen to
// disconnect. A connection of an event loop needs no check: the loop
// watches a waiting connection for its client hanging up (conn.block).
const livenessEvery = 25 * time.Millisecond

// waitFor blocks the client's goroutine until ch is closed or expired
// fires, watching meanwhile for the client disconnecting or being killed
// and for server shutdown; a client found gone is killed. A client on the
// event loop leaves it to wait (see conn.block), and the commands after
// the wait see the time it ended.
func (c *Client) waitFor(ch <-chan struct{}, expired <-chan time.Time) waitResult {
	c.tr.block()
	defer func() { c.now = c.srv.now() }()
	var check <-chan time.Time
	if c.tr.lp == nil {
		tick := time.NewTicker(livenessEvery)
		defer tick.Stop()
		check = tick.C
	}
	for {
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
		case <-check:
			if c.tr.peerGone() {
				c.kill()
				return waitAborted
			}
		}
	}
}

func (c *Client) idleSeconds(now time.Time) int64 {
	return (now.UnixMilli() - c.lastActive.Load()) / 1000
}
