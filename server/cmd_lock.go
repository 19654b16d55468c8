package server

import (
	"strings"
	"time"

	"github.com/remoted/remoted/resp"
)

// commandsLock handles remoted's locks: LOCK, UNLOCK and LOCKS.
func (s *Server) commandsLock(r *registry) {
	r.plain("lock", s.cmdLock)
	r.plain("unlock", s.cmdUnlock)
	r.plain("locks", s.cmdLocks)
}

// lockArgs are LOCK's or UNLOCK's parsed arguments.
type lockArgs struct {
	name    string // shareLock for the share-wide lock
	timeout time.Duration
}

// parseLockArgs parses [name] [TIMEOUT ms]. "LOCK TIMEOUT ms" is the
// share-wide lock with a timeout; "LOCK TIMEOUT" alone names a lock.
func parseLockArgs(args [][]byte, withTimeout bool) (lockArgs, string) {
	var o lockArgs
	rest := args[1:]
	if len(rest) == 1 || len(rest) == 3 {
		if len(rest[0]) == 0 {
			return o, resp.MsgLockEmptyName
		}
		o.name, rest = string(rest[0]), rest[1:]
	}
	switch {
	case len(rest) == 0:
		return o, ""
	case len(rest) == 2 && withTimeout && strings.EqualFold(string(rest[0]), "timeout"):
		ms, ok := resp.ParseInt(rest[1])
		if !ok {
			return o, resp.MsgTimeoutInt
		}
		if ms < 0 {
			return o, resp.MsgLockNegative
		}
		o.timeout = time.Duration(ms) * time.Millisecond
		return o, ""
	}
	return o, resp.MsgSyntax
}

// cmdLock is LOCK [name] [TIMEOUT ms]: it blocks until the lock is this
// connection's (+OK) or the timeout passes (null). TIMEOUT 0, like no
// TIMEOUT, waits without limit, as Redis's blocking commands do.
func (s *Server) cmdLock(c *client, args [][]byte) {
	o, errText := parseLockArgs(args, true)
	if errText != "" {
		c.w.Error(errText)
		return
	}
	switch s.locks.acquire(c, o.name, o.timeout) {
	case lockGranted:
		c.w.OK()
	case lockTimedOut:
		c.w.Null()
	case lockReentry:
		c.w.Error(resp.MsgLockReentry)
	case lockAborted:
		c.kill()
	}
}

// cmdUnlock is UNLOCK [name].
func (s *Server) cmdUnlock(c *client, args [][]byte) {
	o, errText := parseLockArgs(args, false)
	if errText != "" {
		c.w.Error(errText)
		return
	}
	if !s.locks.release(c, o.name) {
		c.w.Error(resp.MsgNotLockHolder)
		return
	}
	c.w.OK()
}

// cmdLocks lists the locks held or waited for, the share-wide one first
// (named "*", kind "share"), each as a map of name, kind, holder id and
// name, held-ms and waiters. It never blocks.
func (s *Server) cmdLocks(c *client, args [][]byte) {
	list := s.locks.snapshot(s.now())
	c.w.Array(len(list))
	for _, li := range list {
		name, kind := li.name, "named"
		if li.name == shareLock {
			name, kind = "*", "share"
		}
		c.w.Map(6)
		c.w.BulkString("name")
		c.w.BulkString(name)
		c.w.BulkString("kind")
		c.w.BulkString(kind)
		c.w.BulkString("holder-id")
		c.w.Int(li.holderID)
		c.w.BulkString("holder-name")
		c.w.BulkString(li.holderName)
		c.w.BulkString("held-ms")
		c.w.Int(li.heldFor.Milliseconds())
		c.w.BulkString("waiters")
		c.w.Int(int64(li.waiters))
	}
}
