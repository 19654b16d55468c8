package server

import (
	"strconv"
	"testing"
	"time"

	"github.com/remoted/remoted/resp"
)

// The blocking machinery, exercised through two commands of the tests'
// own on testBag (see object_test.go): TBPUSH key elem... appends, TBPOP
// key... timeout takes the first element of the first non-empty key, or
// blocks for one; its timeout reply is a null array, as BLPOP's.

// newBlockServer starts a server that also serves TBPUSH and TBPOP.
func newBlockServer(t *testing.T) (*Server, string) {
	t.Helper()
	return newTestServerSetup(t, Config{}, bindBlockCommands)
}

// bothDrivers runs test with the event loop and with the portable driver.
func bothDrivers(t *testing.T, test func(t *testing.T, path string)) {
	for _, portable := range []bool{false, true} {
		t.Run(map[bool]string{false: "loop", true: "portable"}[portable], func(t *testing.T) {
			_, path := newTestServerSetup(t, Config{Portable: portable}, bindBlockCommands)
			test(t, path)
		})
	}
}

// bindBlockCommands binds the server's commands and TBPUSH and TBPOP.
func bindBlockCommands(s *Server) {
	r := newRegistry()
	s.registerHandlers(r)
	r.key("tbpush", s.cmdTBPush)
	r.key("tbpop", s.cmdTBPop)
	table := append(resp.Commands(),
		&resp.Command{Name: "tbpush", Arity: -3, Flags: []string{"write"}, FirstKey: 1, LastKey: 1, Step: 1},
		&resp.Command{Name: "tbpop", Arity: -3, Flags: []string{"write", "blocking"}, FirstKey: 1, LastKey: -2, Step: 1})
	s.bindAll(r, table)
}

func (s *Server) cmdTBPush(c *client, args [][]byte) {
	b, e, errText := getTyped[*testBag](s.db, args[1])
	if errText != "" {
		c.w.Error(errText)
		return
	}
	if e == nil {
		b = &testBag{}
		e = s.db.insertObj(args[1], b)
	}
	for _, a := range args[2:] {
		b.elems = append(b.elems, string(a))
	}
	s.db.objChanged(e, len(args)-2)
	c.w.Int(int64(len(b.elems)))
}

func (s *Server) cmdTBPop(c *client, args [][]byte) {
	keys := args[1 : len(args)-1]
	deadline, errText := blockDeadline(args[len(args)-1], c.now)
	if errText != "" {
		c.w.Error(errText)
		return
	}
	try := func(db *keyspace, key []byte) bool {
		b, e, _ := getTyped[*testBag](db, key)
		if e == nil {
			return false
		}
		c.w.Array(2)
		c.w.Bulk(key)
		c.w.BulkString(b.elems[0])
		b.elems = b.elems[1:]
		db.objChanged(e, 1)
		return true
	}
	for _, k := range keys {
		if try(s.db, k) {
			return
		}
	}
	s.block(c, keys, deadline, try, func() { c.w.NullArray() })
}

// TestBlockFIFO blocks 20 clients on one key, then pushes one element at
// a time: each goes to the client that has waited longest.
func TestBlockFIFO(t *testing.T) { bothDrivers(t, testBlockFIFO) }

func testBlockFIFO(t *testing.T, path string) {
	ctl := dial(t, path)
	waiters := make([]*testConn, 20)
	for i := range waiters {
		waiters[i] = dial(t, path)
		waiters[i].Send("TBPOP", "q", "0")
		waitFor(t, func() bool { return blockedClients(ctl) == i+1 })
	}
	for i := range waiters {
		if got := ctl.Do("TBPUSH", "q", "e"+strconv.Itoa(i)); got != "1" {
			t.Fatalf("TBPUSH: %q", got)
		}
		if got, want := waiters[i].Read(), "[q e"+strconv.Itoa(i)+"]"; got != want {
			t.Fatalf("waiter %d got %q, want %q", i, got, want)
		}
	}
	if got := ctl.Do("EXISTS", "q"); got != "0" {
		t.Errorf("every element was taken, yet EXISTS q = %s", got)
	}
	if n := blockedClients(ctl); n != 0 {
		t.Errorf("blocked_clients %d after every waiter was served", n)
	}
}

// TestBlockOneCommandServesMany: a push of three elements serves three
// waiters in order, all before the next command runs; a fourth waits on.
func TestBlockOneCommandServesMany(t *testing.T) {
	_, path := newBlockServer(t)
	ctl := dial(t, path)
	ws := make([]*testConn, 4)
	for i := range ws {
		ws[i] = dial(t, path)
		ws[i].Send("TBPOP", "a", "b", "0")
		waitFor(t, func() bool { return blockedClients(ctl) == i+1 })
	}
	ctl.Send("TBPUSH", "b", "x", "y", "z")
	ctl.Send("EXISTS", "b")
	if got := ctl.Read(); got != "3" {
		t.Fatalf("TBPUSH: %q", got)
	}
	if got := ctl.Read(); got != "0" {
		t.Errorf("EXISTS b after the push: %s; the waiters were not served before it", got)
	}
	for i, want := range []string{"[b x]", "[b y]", "[b z]"} {
		if got := ws[i].Read(); got != want {
			t.Errorf("waiter %d: %q, want %q", i, got, want)
		}
	}
	if n := blockedClients(ctl); n != 1 {
		t.Errorf("blocked_clients %d, want the fourth still waiting", n)
	}
}

// TestBlockTimeoutAndErrors: timeouts, their errors, MULTI, WRONGTYPE.
func TestBlockTimeoutAndErrors(t *testing.T) {
	_, path := newBlockServer(t)
	tc := dial(t, path)
	run(t, tc, []cmdCase{
		{[]string{"TBPOP", "k", "abc"}, "ERR timeout is not a float or out of range"},
		{[]string{"TBPOP", "k", "-1"}, "ERR timeout is negative"},
		{[]string{"TBPOP", "k", "inf"}, "ERR timeout is negative"},
		{[]string{"TBPOP", "k", "1e30"}, "ERR timeout is negative"},
		{[]string{"TBPOP", "k", "nan"}, "ERR timeout is not a float or out of range"},
		{[]string{"MULTI"}, "OK"},
		{[]string{"TBPOP", "k", "0"}, "QUEUED"},
		{[]string{"EXEC"}, "[(nil)]"}, // does not block in a transaction
	})
	start := time.Now()
	if got := tc.Do("TBPOP", "k", "0.05"); got != "(nil)" {
		t.Errorf("TBPOP with a timeout: %q", got)
	}
	if d := time.Since(start); d < 50*time.Millisecond {
		t.Errorf("TBPOP 0.05 returned after %v", d)
	}
}

// TestBlockUnblock: CLIENT UNBLOCK answers a waiter as on a timeout or
// with an error; a client not blocked gives 0.
func TestBlockUnblock(t *testing.T) { bothDrivers(t, testBlockUnblock) }

func testBlockUnblock(t *testing.T, path string) {
	ctl := dial(t, path)
	w := dial(t, path)
	id := w.Do("CLIENT", "ID")
	for _, tc := range []struct{ reason, reply string }{
		{"", "(nil)"}, {"TIMEOUT", "(nil)"}, {"error", "UNBLOCKED client unblocked via CLIENT UNBLOCK"},
	} {
		w.Send("TBPOP", "k", "0")
		waitFor(t, func() bool { return blockedClients(ctl) == 1 })
		args := []string{"CLIENT", "UNBLOCK", id}
		if tc.reason != "" {
			args = append(args, tc.reason)
		}
		if got := ctl.Do(args...); got != "1" {
			t.Fatalf("%v: %q", args, got)
		}
		if got := w.Read(); got != tc.reply {
			t.Errorf("%v: the waiter got %q, want %q", args, got, tc.reply)
		}
	}
	run(t, ctl, []cmdCase{
		{[]string{"CLIENT", "UNBLOCK", id}, "0"},
		{[]string{"CLIENT", "UNBLOCK", id, "sometimes"}, "ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR"},
		{[]string{"CLIENT", "UNBLOCK", "x", "sometimes"}, "ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR"},
		{[]string{"CLIENT", "UNBLOCK", "x"}, "ERR value is not an integer or out of range"},
	})
}

// TestBlockGoneWaiter: a waiter that hangs up is withdrawn and never
// takes an element; one killed likewise.
func TestBlockGoneWaiter(t *testing.T) { bothDrivers(t, testBlockGoneWaiter) }

func testBlockGoneWaiter(t *testing.T, path string) {
	ctl := dial(t, path)
	gone := dial(t, path)
	gone.Send("TBPOP", "k", "0")
	waitFor(t, func() bool { return blockedClients(ctl) == 1 })
	killed := dial(t, path)
	killedID := killed.Do("CLIENT", "ID")
	killed.Send("TBPOP", "k", "0")
	waitFor(t, func() bool { return blockedClients(ctl) == 2 })
	live := dial(t, path)
	live.Send("TBPOP", "k", "0")
	waitFor(t, func() bool { return blockedClients(ctl) == 3 })
	gone.c.Close()
	if got := ctl.Do("CLIENT", "KILL", "ID", killedID); got != "1" {
		t.Fatalf("CLIENT KILL: %q", got)
	}
	// Pushed at once, before the server need have noticed the hang-up.
	if got := ctl.Do("TBPUSH", "k", "e1", "e2"); got != "2" {
		t.Fatalf("TBPUSH: %q", got)
	}
	if got := live.Read(); got != "[k e1]" {
		t.Errorf("the live waiter got %q, want the first element", got)
	}
	if got := ctl.Do("TBPOP", "k", "0"); got != "[k e2]" {
		t.Errorf("after the live waiter: %q; an element went to a client that was gone", got)
	}
}

// TestBlockUnderLock: a push by the holder of the share-wide lock serves
// the waiters only once it lets go, and in order.
func TestBlockUnderLock(t *testing.T) {
	_, path := newBlockServer(t)
	holder := dial(t, path)
	ctl := dial(t, path)
	w := dial(t, path)
	w.Send("TBPOP", "k", "0")
	waitFor(t, func() bool { return blockedClients(ctl) == 1 })
	run(t, holder, []cmdCase{
		{[]string{"LOCK"}, "OK"},
		{[]string{"TBPUSH", "k", "x"}, "1"},
		{[]string{"TBPUSH", "k", "y"}, "2"},
	})
	if got := blockedClients(ctl); got != 1 {
		t.Errorf("blocked_clients %d while the lock is held; the waiter was served under it", got)
	}
	run(t, holder, []cmdCase{{[]string{"UNLOCK"}, "OK"}})
	if got := w.Read(); got != "[k x]" {
		t.Errorf("after UNLOCK the waiter got %q", got)
	}
	if got := ctl.Do("TBPOP", "k", "0"); got != "[k y]" {
		t.Errorf("the rest: %q", got)
	}
}

// TestBlockAfterGate: a pop that waited at the share-wide lock's gate and
// then found nothing holds nothing while it blocks: a push by anyone
// runs and serves it (it used to keep the gate passing, so the push
// waited for the pop and the pop for the push).
func TestBlockAfterGate(t *testing.T) {
	_, path := newBlockServer(t)
	holder, w, pusher, ctl := dial(t, path), dial(t, path), dial(t, path), dial(t, path)
	run(t, holder, []cmdCase{{[]string{"LOCK"}, "OK"}})
	w.Send("TBPOP", "k", "0")
	waitFor(t, func() bool { return blockedClients(ctl) == 1 }) // at the gate
	run(t, holder, []cmdCase{{[]string{"UNLOCK"}, "OK"}})
	if got := pusher.Do("TBPUSH", "k", "x"); got != "1" {
		t.Fatalf("TBPUSH: %q", got)
	}
	if got := w.Read(); got != "[k x]" {
		t.Errorf("the pop got %q", got)
	}
}
