package server

import "github.com/remoted/remoted/resp"

// commandsTx handles transactions: MULTI, EXEC, DISCARD, WATCH and
// UNWATCH, with Redis 7.0's behaviour reply for reply.
//
// After MULTI the dispatcher queues every command but those marked
// notQueued, answering +QUEUED, once it has passed the usual checks; a
// command failing them (unknown, arity, NOAUTH, refused in a transaction)
// gets its error and dooms the transaction, so that EXEC answers
// EXECABORT. EXEC runs the queue as one unit: it passes the share-wide
// lock gate once and holds the keyspace lock throughout, so no other
// connection's command, keyspace or INFO, sees it half done.
func (s *Server) commandsTx(r *registry) {
	r.plain("multi", s.cmdMulti)
	r.plain("exec", s.cmdExec)
	r.plain("discard", s.cmdDiscard)
	r.key("watch", s.cmdWatch)
	r.plain("unwatch", s.cmdUnwatch)

	for _, name := range []string{"exec", "discard", "multi", "watch", "quit", "reset"} {
		r.txRole(name, func(t *txRole) { t.notQueued = true })
	}
	r.txRole("exec", func(t *txRole) { t.exec = true })
	// LOCK would block inside EXEC, holding the keyspace; LOCKS and UNLOCK
	// go with it.
	for _, name := range []string{"lock", "unlock", "locks"} {
		r.txRole(name, func(t *txRole) { t.refused = true })
	}
	// Redis queues MONITOR and refuses it when EXEC runs it.
	r.txRole("monitor", func(t *txRole) { t.execError = resp.MsgMonitorInExec })
	r.txRole("info", func(t *txRole) { t.infoLocks = true })
}

// txState is a transaction under way: the commands queued since MULTI.
type txState struct {
	cmds      []queuedCmd
	aborted   bool // a command was refused while queueing (Redis's DIRTY_EXEC)
	infoLocks bool // some queued command reads the lock table
}

// queuedCmd is one queued command with its own copy of the arguments:
// args point into the connection's input buffer, which the next read
// reuses.
type queuedCmd struct {
	cmd  *command
	args [][]byte
}

// queue adds a command to the transaction. Once the transaction cannot
// succeed (a refused command, a watched key written) Redis stops keeping
// commands but still answers +QUEUED; so does this.
func (c *client) queue(cmd *command, args [][]byte) {
	c.w.Queued()
	tx := c.tx
	if tx.aborted || c.dirtyCAS.Load() {
		return
	}
	tx.cmds = append(tx.cmds, queuedCmd{cmd: cmd, args: cloneArgs(args)})
	tx.infoLocks = tx.infoLocks || cmd.tx.infoLocks
	c.txQueued.Add(1)
}

// cloneArgs copies args into one allocation. Each copy is clipped, so a
// value stored from it and later grown in place cannot run into the next.
func cloneArgs(args [][]byte) [][]byte {
	n := 0
	for _, a := range args {
		n += len(a)
	}
	buf := make([]byte, 0, n)
	out := make([][]byte, len(args))
	for i, a := range args {
		start := len(buf)
		buf = append(buf, a...)
		out[i] = buf[start:len(buf):len(buf)]
	}
	return out
}

// reject answers a command refused before it could run or be queued. In a
// transaction the refusal dooms it; a refused EXEC, in MULTI or not, ends
// the transaction at once and names the reason, as Redis's
// execCommandAbort does, and is shown to MONITOR.
func (s *Server) reject(c *client, args [][]byte, errText string) {
	if c.tx != nil {
		c.tx.aborted = true
	}
	if !asciiEqualFold(args[0], "exec") {
		c.w.Error(errText)
		return
	}
	c.endTx()
	c.w.Error(resp.MsgExecAbortBecause(errText))
	s.feedMonitors(c, args)
}

// endTx leaves MULTI and drops every watch, as Redis's discardTransaction.
func (c *client) endTx() {
	c.tx = nil
	c.txQueued.Store(-1)
	c.unwatch()
}

// unwatch drops every watch of the client and clears its dirty flag.
func (c *client) unwatch() {
	if !c.mayWatch {
		c.dirtyCAS.Store(false) // nothing watched, so nothing can set it again
		return
	}
	c.withDB(func(db *keyspace) {
		db.unwatchAll(c)
		c.dirtyCAS.Store(false)
	})
	c.mayWatch = false
}

// feedMonitors shows a command to the MONITOR clients, if there are any.
func (s *Server) feedMonitors(c *client, args [][]byte) {
	if s.monitors.active() {
		s.monitors.feed(c, args, c.now, false)
	}
}

func (s *Server) cmdMulti(c *client, args [][]byte) {
	if c.tx != nil {
		c.w.Error(resp.MsgMultiNested)
		return
	}
	c.tx = &txState{}
	c.txQueued.Store(0)
	c.w.OK()
}

func (s *Server) cmdDiscard(c *client, args [][]byte) {
	if c.tx == nil {
		c.w.Error(resp.MsgDiscardNoMulti)
		return
	}
	c.endTx()
	c.w.OK()
}

// cmdExec runs the queued commands and answers an array of their replies;
// a null array if a watched key was written or has expired since WATCH;
// EXECABORT if a command was refused while queueing. MONITOR sees the
// commands run, then EXEC, as in Redis.
func (s *Server) cmdExec(c *client, args [][]byte) {
	defer s.feedMonitors(c, args)
	tx := c.tx
	switch {
	case tx == nil:
		c.w.Error(resp.MsgExecNoMulti)
		return
	case tx.aborted:
		c.endTx()
		c.w.Error(resp.MsgExecAbort)
		return
	}
	if !s.locks.passGate(c) {
		c.kill() // disconnected while waiting for the share-wide lock
		return
	}
	if tx.infoLocks {
		// INFO reads the lock table, whose mutex must not be taken under
		// the keyspace lock; it gets this snapshot instead.
		c.execLocks = s.locks.snapshot(s.now())
	}
	c.holdDB()
	if c.dirtyCAS.Load() || s.db.watchedExpired(c) {
		c.endTx()
		c.w.NullArray()
		return
	}
	c.unwatch() // the transaction's own writes must not touch its watches
	c.runQueued(tx.cmds)
	c.execLocks = nil
	c.endTx()
	c.held += len(tx.cmds) // a long EXEC uses up the batch's hold
}

// runQueued runs EXEC's commands under the keyspace lock, which the
// caller holds, writing the array of their replies. Errors are elements.
func (c *client) runQueued(cmds []queuedCmd) {
	s := c.srv
	c.execing = true
	defer func() { c.execing = false }()
	c.w.Array(len(cmds))
	mark := s.mono() // each command's time starts where the last one's ended
	for _, q := range cmds {
		if q.cmd.monitor {
			s.feedMonitors(c, q.args)
		}
		c.ncmds.Add(1)
		mark = s.call(c, q.cmd, q.args, mark) // answers a queued command's execError
	}
}

// cmdWatch is WATCH key [key ...]. A client already dirty watches nothing
// more: its EXEC will fail anyway.
func (s *Server) cmdWatch(c *client, args [][]byte) {
	if c.tx != nil {
		c.w.Error(resp.MsgWatchInMulti)
		return
	}
	if !c.dirtyCAS.Load() {
		for _, key := range args[1:] {
			s.db.watch(c, key)
		}
		c.mayWatch = true
	}
	c.w.OK()
}

func (s *Server) cmdUnwatch(c *client, args [][]byte) {
	c.unwatch()
	c.w.OK()
}
