package server

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/remoted/remoted/resp"
)

// waitLockWaiters blocks until the lock name (or "*") reports n waiters
// in LOCKS, asked on a connection of its own.
func waitLockWaiters(t *testing.T, path, name string, n int) {
	t.Helper()
	obs := dial(t, path)
	want := fmt.Sprintf("[name %s kind", name)
	deadline := time.Now().Add(10 * time.Second)
	for {
		got := obs.Do("LOCKS")
		i := strings.Index(got, want)
		if i >= 0 && strings.Contains(got[i:], fmt.Sprintf("waiters %d]", n)) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("LOCKS never showed %d waiters on %s: %s", n, name, got)
		}
		time.Sleep(time.Millisecond) // polling the server's own report
	}
}

func TestLockErrors(t *testing.T) {
	// A fake clock that stands still makes every held-ms exactly 0.
	_, path := newTestServerClock(t, Config{}, newFakeClock())
	c := dial(t, path)
	run(t, c, []cmdCase{
		{[]string{"UNLOCK"}, resp.MsgNotLockHolder},
		{[]string{"UNLOCK", "n"}, resp.MsgNotLockHolder},
		{[]string{"LOCK", ""}, resp.MsgLockEmptyName},
		{[]string{"LOCK", "n", "TIMEOUT", "x"}, resp.MsgTimeoutInt},
		{[]string{"LOCK", "n", "TIMEOUT", "-1"}, resp.MsgLockNegative},
		{[]string{"LOCK", "a", "b"}, "ERR syntax error"},
		{[]string{"LOCK", "n", "WAIT", "1"}, "ERR syntax error"},
		{[]string{"UNLOCK", "a", "TIMEOUT", "1"}, "ERR syntax error"},
		{[]string{"LOCK", "n"}, "OK"},
		{[]string{"LOCK", "n"}, resp.MsgLockReentry},
		{[]string{"LOCK", "TIMEOUT"}, "OK"}, // a lock named TIMEOUT
		{[]string{"LOCK", "TIMEOUT", "10"}, "OK"},
		{[]string{"LOCK"}, resp.MsgLockReentry},
		{[]string{"LOCKS"}, "[[name * kind share holder-id 1 holder-name  held-ms 0 waiters 0] " +
			"[name TIMEOUT kind named holder-id 1 holder-name  held-ms 0 waiters 0] " +
			"[name n kind named holder-id 1 holder-name  held-ms 0 waiters 0]]"},
		{[]string{"UNLOCK"}, "OK"},
		{[]string{"UNLOCK", "n"}, "OK"},
		{[]string{"UNLOCK", "TIMEOUT"}, "OK"},
		{[]string{"LOCKS"}, "[]"},
	})
}

// TestLockFIFO queues many waiters on one lock, in a known order, and
// checks that they are granted it in that order.
func TestLockFIFO(t *testing.T) {
	for _, name := range []string{"*", "job"} {
		t.Run(name, func(t *testing.T) {
			_, path := newTestServer(t, Config{})
			lockArgs := []string{"LOCK"}
			if name != "*" {
				lockArgs = append(lockArgs, name)
			}
			unlockArgs := append([]string{"UNLOCK"}, lockArgs[1:]...)
			holder := dial(t, path)
			if got := holder.Do(lockArgs...); got != "OK" {
				t.Fatal(got)
			}
			const n = 20
			order := make(chan int, n)
			var wg sync.WaitGroup
			for i := range n {
				w := dial(t, path)
				w.Send(lockArgs...)
				waitLockWaiters(t, path, name, i+1) // queued in order i
				wg.Add(1)
				go func() {
					defer wg.Done()
					if got := w.Read(); got != "OK" {
						t.Errorf("waiter %d: %q", i, got)
					}
					order <- i
					w.Do(unlockArgs...)
				}()
			}
			holder.Do(unlockArgs...)
			wg.Wait()
			close(order)
			want := 0
			for got := range order {
				if got != want {
					t.Fatalf("waiter %d granted in place %d", got, want)
				}
				want++
			}
		})
	}
}

func TestShareLockBlocksOthersOnly(t *testing.T) {
	_, path := newTestServer(t, Config{})
	holder, other, obs := dial(t, path), dial(t, path), dial(t, path)
	run(t, holder, []cmdCase{
		{[]string{"LOCK"}, "OK"},
		{[]string{"SET", "k", "holder"}, "OK"},
	})
	other.Send("SET", "k", "other")
	// Introspection never waits, even now.
	for _, cmd := range [][]string{{"PING"}, {"INFO", "locks"}, {"CLIENT", "LIST"}, {"LOCKS"}, {"LOCK", "named"}} {
		if got := obs.Do(cmd...); strings.HasPrefix(got, "ERR") {
			t.Errorf("%v under the share-wide lock: %q", cmd, got)
		}
	}
	waitGated(t, obs, 1)
	if got := holder.Do("GET", "k"); got != "holder" {
		t.Fatalf("holder reads %q", got)
	}
	holder.Do("UNLOCK")
	if got := other.Read(); got != "OK" {
		t.Fatalf("other's SET: %q", got)
	}
	if got := obs.Do("GET", "k"); got != "other" {
		t.Errorf("after unlock: %q", got)
	}
}

// waitGated waits until INFO reports n clients blocked by the share-wide
// lock.
func waitGated(t *testing.T, c *testConn, n int) {
	t.Helper()
	want := fmt.Sprintf("share_lock_blocked_clients:%d", n)
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(c.Do("INFO", "locks"), want) {
		if time.Now().After(deadline) {
			t.Fatalf("INFO never showed %s", want)
		}
		time.Sleep(time.Millisecond) // polling the server's own report
	}
}

func TestLockTimeout(t *testing.T) {
	_, path := newTestServer(t, Config{})
	a, b := dial(t, path), dial(t, path)
	a.Do("LOCK", "n")
	if got := b.Do("LOCK", "n", "TIMEOUT", "20"); got != "(nil)" {
		t.Fatalf("timed-out LOCK: %q", got)
	}
	if got := b.Do("LOCK", "TIMEOUT", "20"); got != "OK" {
		t.Fatalf("share-wide lock is free: %q", got)
	}
	if got := a.Do("LOCKS"); !strings.Contains(got, "[name n kind named holder-id 1") || !strings.Contains(got, "waiters 0]") {
		t.Errorf("timed-out waiter still listed: %q", got)
	}
	b.Do("HELLO", "3")
	a.Send("LOCK", "TIMEOUT", "20")
	if got := a.ReadRawReply(); got != "$-1\r\n" {
		t.Errorf("RESP2 timeout reply %q", got)
	}
	b.Do("UNLOCK")
	b.Do("UNLOCK", "x")
	a.Do("UNLOCK", "n")
	b.Send("LOCK", "n", "TIMEOUT", "1")
	if got := b.ReadRawReply(); got != "+OK\r\n" {
		t.Errorf("free lock: %q", got)
	}
	a.Do("LOCK", "m")
	b.Send("LOCK", "m", "TIMEOUT", "1")
	if got := b.ReadRawReply(); got != "_\r\n" {
		t.Errorf("RESP3 timeout reply %q", got)
	}
}

// TestLockReleasedOnDisconnect: a holder that goes away frees its locks
// for the next waiter; a waiter that goes away leaves the queue.
func TestLockReleasedOnDisconnect(t *testing.T) {
	_, path := newTestServer(t, Config{})
	holder, deadWaiter, waiter := dial(t, path), dial(t, path), dial(t, path)
	holder.Do("LOCK")
	holder.Do("LOCK", "n")
	deadWaiter.Send("LOCK")
	waitLockWaiters(t, path, "*", 1)
	waiter.Send("LOCK")
	waitLockWaiters(t, path, "*", 2)
	deadWaiter.c.Close()
	waitLockWaiters(t, path, "*", 1) // withdrawn although blocked
	holder.c.Close()
	if got := waiter.Read(); got != "OK" {
		t.Fatalf("waiter after holder died: %q", got)
	}
	if got := waiter.Do("LOCK", "n", "TIMEOUT", "1000"); got != "OK" {
		t.Fatalf("named lock of the dead holder: %q", got)
	}
	if got := waiter.Do("LOCKS"); strings.Count(got, "holder-id 3") != 2 {
		t.Errorf("LOCKS %q", got)
	}
}

// TestLockKilledWaiter: CLIENT KILL of a blocked waiter withdraws it.
func TestLockKilledWaiter(t *testing.T) {
	_, path := newTestServer(t, Config{})
	holder, victim := dial(t, path), dial(t, path)
	holder.Do("LOCK", "n")
	id := victim.Do("CLIENT", "ID")
	victim.Send("LOCK", "n")
	waitLockWaiters(t, path, "n", 1)
	if got := holder.Do("CLIENT", "KILL", "ID", id); got != "1" {
		t.Fatal(got)
	}
	waitLockWaiters(t, path, "n", 0)
	if _, closed := victim.ReadRaw(5 * time.Second); !closed {
		t.Error("killed waiter still connected")
	}
	holder.Do("UNLOCK", "n")
	if got := holder.Do("LOCKS"); got != "[]" {
		t.Errorf("lock granted to a killed waiter: %q", got)
	}
}

// TestResetReleasesLocks: RESET frees what the connection holds.
func TestResetReleasesLocks(t *testing.T) {
	_, path := newTestServer(t, Config{})
	a, b := dial(t, path), dial(t, path)
	a.Do("LOCK")
	a.Do("LOCK", "n")
	a.Do("RESET")
	run(t, b, []cmdCase{
		{[]string{"LOCK", "TIMEOUT", "1000"}, "OK"},
		{[]string{"LOCK", "n", "TIMEOUT", "1000"}, "OK"},
	})
}

// TestShareLockManyClients runs read-modify-write increments under the
// share-wide lock from many connections and expects no lost update.
func TestShareLockManyClients(t *testing.T) {
	_, path := newTestServer(t, Config{})
	const clients, rounds = 10, 50
	var wg sync.WaitGroup
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := dial(t, path)
			for range rounds {
				c.Do("LOCK")
				v := c.Do("GET", "counter")
				n := 0
				if v != "(nil)" {
					fmt.Sscan(v, &n)
				}
				c.Do("SET", "counter", fmt.Sprint(n+1))
				c.Do("UNLOCK")
			}
		}()
	}
	wg.Wait()
	if got := dial(t, path).Do("GET", "counter"); got != fmt.Sprint(clients*rounds) {
		t.Errorf("counter = %s, want %d", got, clients*rounds)
	}
}

// TestShareLockChurn has two clients take and release the share-wide lock
// in a tight loop (so a LOCK often lands just as the other UNLOCKs) while
// two others run keyspace commands: no deadlock, no crash, no lost update.
func TestShareLockChurn(t *testing.T) {
	_, path := newTestServer(t, Config{})
	const rounds = 1000
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := dial(t, path)
			for range rounds {
				if i < 2 {
					c.Send("LOCK")
					c.Send("INCR", "n")
					c.Send("UNLOCK")
					for _, want := range []string{"OK", "", "OK"} {
						if got := c.Read(); want != "" && got != want {
							t.Errorf("client %d: %q", i, got)
							return
						}
					}
				} else {
					c.Do("INCR", "n")
				}
			}
		}()
	}
	wg.Wait()
	c := dial(t, path)
	if got := c.Do("GET", "n"); got != fmt.Sprint(4*rounds) {
		t.Errorf("n = %s, want %d", got, 4*rounds)
	}
	if got := c.Do("LOCK", "TIMEOUT", "1000"); got != "OK" {
		t.Errorf("share-wide lock left held: %q", got)
	}
}

// Commands pipelined behind a LOCK that waited see the time the wait
// ended, not the time they arrived: an expiry set after a long wait is
// counted from the grant.
func TestClockAfterLockWait(t *testing.T) {
	clock := newFakeClock()
	_, path := newTestServerClock(t, Config{}, clock)
	holder, waiter, admin := dial(t, path), dial(t, path), dial(t, path)
	if got := holder.Do("LOCK"); got != "OK" {
		t.Fatal(got)
	}
	waiter.Write("*1\r\n$4\r\nLOCK\r\n*5\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n$2\r\nPX\r\n$4\r\n1000\r\n*1\r\n$6\r\nUNLOCK\r\n")
	waitFor(t, func() bool { return strings.Contains(admin.Do("CLIENT", "LIST"), "flags=b") })
	clock.Advance(10 * time.Second)
	if got := holder.Do("UNLOCK"); got != "OK" {
		t.Fatal(got)
	}
	for _, want := range []string{"OK", "OK", "OK"} {
		if got := waiter.Read(); got != want {
			t.Fatalf("waiter: %q, want %q", got, want)
		}
	}
	if got := admin.Do("PTTL", "k"); got != "1000" {
		t.Fatalf("PTTL after a 10 s wait: %s, want 1000", got)
	}
}

// INFO counts clients waiting for a lock as blocked, as Redis counts
// clients in blocking commands, and those with a TIMEOUT in its timeout
// table.
func TestInfoBlockedClients(t *testing.T) {
	_, path := newTestServer(t, Config{})
	holder, admin := dial(t, path), dial(t, path)
	blocked := func() string {
		info := admin.Do("INFO", "clients")
		var b, tt string
		for line := range strings.Lines(info) {
			line = strings.TrimSpace(line)
			if v, ok := strings.CutPrefix(line, "blocked_clients:"); ok {
				b = v
			}
			if v, ok := strings.CutPrefix(line, "clients_in_timeout_table:"); ok {
				tt = v
			}
		}
		return b + "/" + tt
	}
	if got := blocked(); got != "0/0" {
		t.Fatalf("before: %s", got)
	}
	holder.Do("LOCK")
	dial(t, path).Send("LOCK") // queued first, so granted first
	waitFor(t, func() bool { return blocked() == "1/0" })
	dial(t, path).Send("LOCK", "TIMEOUT", "60000")
	waitFor(t, func() bool { return blocked() == "2/1" })
	dial(t, path).Send("GET", "k") // waits at the gate
	waitFor(t, func() bool { return blocked() == "3/1" })
	holder.Do("UNLOCK") // the first waiter now holds it; two still wait
	waitFor(t, func() bool { return blocked() == "2/1" })
}

// Keyspace commands waiting for the share-wide lock take their turn in its
// queue with the LOCK callers: a command queued before a LOCK runs before
// that LOCK is granted, one queued after waits for that holder only.
func TestShareLockQueueFair(t *testing.T) {
	_, path := newTestServer(t, Config{})
	holder, before, locker, after, admin := dial(t, path), dial(t, path), dial(t, path), dial(t, path), dial(t, path)
	blocked := func(n int) func() bool {
		return func() bool { return strings.Count(admin.Do("CLIENT", "LIST"), "flags=b") == n }
	}
	holder.Do("LOCK")
	before.Send("INCR", "n")
	waitFor(t, blocked(1))
	locker.Send("LOCK")
	waitFor(t, blocked(2))
	after.Send("INCR", "n")
	waitFor(t, blocked(3))
	if got := holder.Do("UNLOCK"); got != "OK" {
		t.Fatal(got)
	}
	// The command queued first runs while the next holder is still
	// waiting; it does not wait for that holder to let go.
	if got := before.Read(); got != "1" {
		t.Fatalf("command queued before LOCK: %q", got)
	}
	if got := locker.Read(); got != "OK" {
		t.Fatalf("LOCK: %q", got)
	}
	waitFor(t, blocked(1)) // the command queued after the LOCK waits for it
	if got := locker.Do("GET", "n"); got != "1" {
		t.Fatalf("holder sees %q", got)
	}
	locker.Do("UNLOCK")
	if got := after.Read(); got != "2" {
		t.Fatalf("command queued after LOCK: %q", got)
	}
	if got := admin.Do("LOCKS"); got != "[]" {
		t.Errorf("LOCKS after all: %s", got)
	}
}
