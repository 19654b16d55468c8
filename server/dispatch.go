package server

import (
	"errors"
	"io"
	"time"

	"github.com/remoted/remoted/resp"
	"github.com/tidwall/redcon"
)

// command binds a command's table entry to its handler.
type command struct {
	meta    *resp.Command
	fn      func(c *client, args [][]byte)
	keys    bool // runs under the keyspace lock
	noAuth  bool // allowed before AUTH
	subs    map[string]*command
	monitor bool // shown to MONITOR
	tx      txRole
	idx     int // its number in the stats' counters (see stats.go)
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
func (s *Server) runBatch(c *client) {
	cn := c.tr
	if cn.off < cn.whole {
		c.now = s.now()
		c.lastActive.Store(c.now.UnixMilli())
	}
	mark := s.monoAt(c.now) // where the next command's time starts; see call
	for !cn.quit && !cn.left {
		if s.closing.Load() || c.killed.Load() {
			cn.quit = true
			break
		}
		args := cn.next()
		if args == nil {
			break
		}
		mark = s.dispatch(c, args, mark)
		if cn.backlogged() {
			break // the rest waits in the input until the client reads
		}
	}
	c.releaseDB()
	s.countProtocolError(cn)
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
// MULTI it queues most commands instead (see cmd_tx.go). A command
// refused by a check counts as a rejected call of it, as in Redis (an
// unknown command or subcommand has nothing to count against). mark is
// where the command's time starts; dispatch returns where the next's does.
func (s *Server) dispatch(c *client, args [][]byte, mark int64) int64 {
	cmd, errText := s.lookup(c, args)
	if errText == "" && !c.authed && !cmd.noAuth && s.conf.requirePass.Load() != nil {
		errText = resp.MsgNoAuth
	}
	if c.tx != nil && errText == "" && cmd.tx.refused {
		errText = resp.MsgNotInMulti
	}
	errText = s.oomCheck(c, cmd, errText) // maxmemory: evict, or refuse; see evict.go
	if c.reply != replyOn {
		c.w = c.replyWriter()
		defer c.afterReply()
	}
	if errText != "" {
		if cmd != nil {
			s.stats.counters(c, cmd).rejected.Add(1)
		}
		s.reject(c, args, errText)
		return mark
	}
	if c.tx != nil && !cmd.tx.notQueued {
		c.queue(cmd, args)
		c.lastCmd.Store(cmd.meta)
		return mark
	}
	if cmd.monitor {
		s.feedMonitors(c, args)
	}
	c.ncmds.Add(1)
	if cmd.keys {
		if !s.locks.passGate(c) {
			c.kill() // disconnected while waiting for the share-wide lock
			return mark
		}
		c.holdDB()
	} else {
		c.releaseDB()
	}
	mark = s.call(c, cmd, args, mark)
	if c.held > 0 {
		s.serveBlocked(c) // the keys it made ready, to clients blocked on them
	}
	if c.passing { // it waited its turn at the gate (or EXEC did): done
		c.passing = false
		c.releaseDB()
		s.locks.passDone()
	}
	c.lastCmd.Store(cmd.meta)
	return mark
}

// call runs a command and counts it as Redis's call() does: a call, its
// duration and latency, and a failed call if it replied an error of its
// own (errors of the commands an EXEC runs count for those commands).
//
// The command's time runs from start, the end of the command before it
// in the batch (or the batch's clock reading), to its end: one clock
// reading per command, where two cost ~30 ns more per command than the
// whole of this accounting (measured on this project's machine). So it
// includes the command's lookup and checks, which Redis leaves out.
// Time spent waiting (for a lock) is not the command's, as Redis does not
// count a blocked command's wait: its time restarts when the wait ends.
// call returns the end.
func (s *Server) call(c *client, cmd *command, args [][]byte, start int64) int64 {
	w := c.w
	w.ErrorsSinceMark()
	before := c.now
	if c.execing && cmd.tx.execError != "" {
		w.Error(cmd.tx.execError)
	} else {
		cmd.fn(c, args)
	}
	end := s.mono()
	if c.now != before { // it waited; the wait ended at c.now
		start = s.monoAt(c.now)
		c.lastActive.Store(c.now.UnixMilli())
	}
	d := max(end-start, 0)
	cc := s.stats.counters(c, cmd)
	cc.calls.Add(1)
	cc.nsec.Add(d)
	if w.ErrorsSinceMark() {
		cc.failed.Add(1)
	}
	if s.conf.latencyTracking.Load() {
		cc.hist.record(d)
	}
	return end
}

// mono is the monotonic time since the server started, in ns.
func (s *Server) mono() int64 { return int64(time.Since(s.start)) }

// monoAt is t as mono would have read it, without reading the clock (a
// test's clock, without a monotonic reading, gives a wall-clock figure).
func (s *Server) monoAt(t time.Time) int64 { return int64(t.Sub(s.start)) }

// holdDB takes the keyspace lock for this connection's batch, or keeps
// it if already held and not yet held for maxHeld commands.
func (c *client) holdDB() {
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
func (c *client) withDB(fn func(db *keyspace)) {
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
func (c *client) releaseDB() {
	if c.held > 0 {
		c.held = 0
		c.srv.db.mu.Unlock()
	}
}

// lookup finds the command for args, checking arity and subcommands, and
// returns Redis's error text when it cannot be run: with the command when
// it exists (a rejected call of it), nil when it does not.
func (s *Server) lookup(c *client, args [][]byte) (*command, string) {
	cmd := s.cmds[lowerInto(c.lower[:0], args[0])]
	if cmd == nil {
		return nil, resp.MsgUnknownCommand(args)
	}
	if cmd.subs != nil && len(args) >= 2 {
		sub := cmd.subs[lowerInto(c.lower[:0], args[1])]
		if sub == nil {
			return nil, resp.MsgUnknownSubcommand(cmd.meta.Name, args[1])
		}
		cmd = sub
	}
	if !cmd.meta.ArityOK(len(args)) {
		return cmd, resp.MsgWrongArgs(cmd.meta.Name)
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

// countProtocolError counts, as Redis does, the protocol error that
// conn.finish is about to answer after this batch.
func (s *Server) countProtocolError(cn *conn) {
	var pe *resp.ProtocolError
	if cn.perr != nil && !cn.quit && !cn.left && errors.As(cn.perr, &pe) && pe.Text != "" {
		s.noteError(pe.Text)
	}
}

// replyWriter returns the writer for a command run under CLIENT REPLY
// OFF or SKIP: its reply goes nowhere.
func (c *client) replyWriter() *resp.Writer {
	if c.reply == replySkipNext {
		c.reply = replySkip // this command is the one skipped
	}
	if c.discard == nil {
		c.discard = resp.NewWriter(redcon.NewWriter(io.Discard))
		c.discard.SetErrorHook(c.srv.noteError)
	}
	c.discard.SetProto(c.out.Proto())
	return c.discard
}

// afterReply restores the real writer, ending a SKIP, and drops the
// discarded reply.
func (c *client) afterReply() {
	if c.w == c.discard {
		c.discard.Drop()
	}
	c.w = c.out
	if c.reply == replySkip {
		c.reply = replyOn
	}
}
