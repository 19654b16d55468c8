package server

import (
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/remoted/remoted/resp"
)

// TestLockModel drives a few clients through random LOCK, UNLOCK, INCR,
// RESETs, disconnects and critical sections pipelined behind a LOCK (LOCK,
// INCR, UNLOCK in one write) on the share-wide lock and two named ones,
// and checks every reply and, after every step, LOCKS against a model of
// what README and DESIGN promise: grants in arrival order, a keyspace
// command behind the share-wide lock runs in its turn in that queue, the
// commands behind a LOCK run as soon as it is granted, LOCK is not
// re-entrant, and a RESET or a disconnect frees every lock held and
// withdraws every wait. REMOTED_LOCK_SEEDS=n runs n seeds instead of 4.
func TestLockModel(t *testing.T) {
	seeds := uint64(4)
	if s := os.Getenv("REMOTED_LOCK_SEEDS"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("REMOTED_LOCK_SEEDS=%s: %v", s, err)
		}
		seeds = n
	}
	for seed := range seeds {
		t.Run(fmt.Sprintf("seed%d", seed), func(t *testing.T) { runLockModel(t, seed, 600) })
	}
}

// mClient is a client of the model and its connection.
type mClient struct {
	tc      *testConn
	id      int64
	blocked bool // waiting for a reply (a LOCK or a keyspace command)
}

// mWait is a place in a lock's queue: a LOCK, or (share-wide lock only)
// a keyspace command.
type mWait struct {
	c   *mClient
	cmd bool
	// section: the LOCK was pipelined with INCR n and UNLOCK, which run
	// as soon as it is granted.
	section bool
}

type mLock struct {
	holder *mClient
	queue  []mWait
}

// lockModel is what the server should be doing.
type lockModel struct {
	t       *testing.T
	dial    func() *testConn
	locks   map[string]*mLock // "*" is the share-wide lock
	counter int64
	// owed are the replies that clients unblocked by the last step must
	// now get, in order: "OK" for a grant, then those of a section.
	owed map[*mClient][]string
	// ran are the keyspace commands the last step let run, and values
	// their replies: the commands run together, in any order among
	// themselves, so each gets one of the values.
	ran    []*mClient
	values []string
}

func runLockModel(t *testing.T, seed uint64, steps int) {
	// Seeds 1 mod 4 spread the clients over two event loops; seeds 2 mod
	// 4 speak TLS, and seeds 3 mod 4 plain unix with Config.Portable,
	// both of which put every connection on a goroutine of its own, as on
	// every OS but Linux. A clock that stands still makes every held-ms 0.
	m := &lockModel{t: t, locks: map[string]*mLock{"*": {}, "a": {}, "b": {}}}
	switch seed % 4 {
	case 0, 1, 3:
		cfg := Config{Threads: 1 + int(seed%4), Portable: seed%4 == 3}
		_, path := newTestServerClock(t, cfg, newFakeClock())
		m.dial = func() *testConn { return dial(t, path) }
	default:
		m.dial = tlsServer(t, Config{}, newFakeClock())
	}
	clients := make([]*mClient, 5)
	for i := range clients {
		clients[i] = m.connect()
	}
	observer := m.dial()
	r := rand.New(rand.NewPCG(seed, 1))
	names := []string{"*", "*", "a", "b"}
	var log []string
	defer func() {
		if t.Failed() { // a read that timed out fails in testConn
			t.Logf("seed %d, the last steps:\n  %s", seed, strings.Join(log[max(0, len(log)-15):], "\n  "))
		}
	}()
	for step := range steps {
		i := r.IntN(len(clients))
		c := clients[i]
		m.owed, m.ran, m.values = map[*mClient][]string{}, nil, nil
		var cmds [][]string // what c sends, in one write
		var want []string   // the replies c gets before it blocks, if it does
		name := names[r.IntN(len(names))]
		switch op := r.IntN(12); {
		case c.blocked || op == 0:
			c.tc.c.Close()
			m.drop(c)
			clients[i] = m.connect()
		case op == 1:
			cmds, want = [][]string{{"RESET"}}, []string{"RESET"}
			m.drop(c)
		case op <= 4:
			cmds, want = [][]string{modelLockArgs("LOCK", name)}, m.lock(c, name)
		case op <= 7:
			cmds, want = [][]string{modelLockArgs("UNLOCK", name)}, []string{m.unlock(c, name)}
		case op <= 9:
			cmds, want = [][]string{{"INCR", "n"}}, m.incr(c)
		default:
			cmds, want = [][]string{{"LOCK"}, {"INCR", "n"}, {"UNLOCK"}}, m.section(c)
		}
		line := "(disconnect)"
		if cmds != nil {
			line = fmt.Sprint(cmds)
		}
		log = append(log, fmt.Sprintf("client %d (id %d): %s", i, c.id, line))
		fail := func(format string, args ...any) {
			t.Helper()
			t.Fatalf("seed %d step %d: %s\nthe steps up to it:\n  %s", seed, step,
				fmt.Sprintf(format, args...), strings.Join(log[max(0, len(log)-12):], "\n  "))
		}
		if cmds != nil {
			var b strings.Builder
			for _, args := range cmds {
				fmt.Fprintf(&b, "*%d\r\n", len(args))
				for _, a := range args {
					fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
				}
			}
			c.tc.Write(b.String())
			for _, w := range want {
				if got := c.tc.Read(); got != w {
					fail("%s replied %q, want %q", line, got, w)
				}
			}
		}
		for oc, ws := range m.owed {
			for _, w := range ws {
				if got := oc.tc.Read(); got != w {
					fail("client id %d, granted, got %q, want %q", oc.id, got, w)
				}
			}
		}
		var got []string
		for _, oc := range m.ran {
			got = append(got, oc.tc.Read())
		}
		slices.Sort(got)
		if slices.Sort(m.values); !slices.Equal(got, m.values) {
			fail("the commands let through got %q, want %q in some order", got, m.values)
		}
		// The server may still be queueing a command just sent, or
		// releasing a dropped client's locks: wait until LOCKS and the
		// count of blocked clients agree. Waiting for the queueing also
		// keeps the arrival order the steps' order: clients on two loops
		// could otherwise overtake each other.
		wantLocks, wantBlocked := m.render(), 0
		for _, oc := range clients {
			if oc.blocked {
				wantBlocked++
			}
		}
		deadline := time.Now().Add(10 * time.Second)
		for {
			gotLocks, gotBlocked := observer.Do("LOCKS"), blockedClients(observer)
			if gotLocks == wantLocks && gotBlocked == wantBlocked {
				break
			}
			if time.Now().After(deadline) {
				fail("LOCKS = %s, %d blocked\nwant    %s, %d blocked", gotLocks, gotBlocked, wantLocks, wantBlocked)
			}
			time.Sleep(time.Millisecond)
		}
	}
}

// modelLockArgs is LOCK or UNLOCK of the named lock, "*" being the share-wide.
func modelLockArgs(cmd, name string) []string {
	if name == "*" {
		return []string{cmd}
	}
	return []string{cmd, name}
}

// blockedClients is INFO's blocked_clients: clients waiting on keys, for
// a lock or at the share-wide lock's gate.
func blockedClients(tc *testConn) int {
	for line := range strings.Lines(tc.Do("INFO", "clients")) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "blocked_clients:"); ok {
			n, err := strconv.Atoi(v)
			if err == nil {
				return n
			}
		}
	}
	return -1
}

// connect opens a new client and learns its id.
func (m *lockModel) connect() *mClient {
	tc := m.dial()
	id, err := strconv.ParseInt(tc.Do("CLIENT", "ID"), 10, 64)
	if err != nil {
		m.t.Fatal(err)
	}
	return &mClient{tc: tc, id: id}
}

func (m *lockModel) lock(c *mClient, name string) []string {
	l := m.locks[name]
	switch l.holder {
	case c:
		return []string{resp.MsgLockReentry}
	case nil:
		l.holder = c
		return []string{"OK"}
	}
	l.queue = append(l.queue, mWait{c: c})
	c.blocked = true
	return nil
}

// section is LOCK, INCR n, UNLOCK in one write: if the LOCK waits, the
// rest runs once it is granted.
func (m *lockModel) section(c *mClient) []string {
	l := m.locks["*"]
	switch l.holder {
	case c: // LOCK fails, the other two run under the lock c holds
		m.counter++
		want := []string{resp.MsgLockReentry, strconv.FormatInt(m.counter, 10), "OK"}
		m.release("*")
		return want
	case nil:
		m.counter++
		return []string{"OK", strconv.FormatInt(m.counter, 10), "OK"}
	}
	l.queue = append(l.queue, mWait{c: c, section: true})
	c.blocked = true
	return nil
}

func (m *lockModel) unlock(c *mClient, name string) string {
	if m.locks[name].holder != c {
		return resp.MsgNotLockHolder
	}
	m.release(name)
	return "OK"
}

// incr is INCR n: it runs unless another client holds the share-wide
// lock, and then waits in that lock's queue.
func (m *lockModel) incr(c *mClient) []string {
	l := m.locks["*"]
	if l.holder == nil || l.holder == c {
		m.counter++
		return []string{strconv.FormatInt(m.counter, 10)}
	}
	l.queue = append(l.queue, mWait{c: c, cmd: true})
	c.blocked = true
	return nil
}

// release frees a lock and lets its queue through: keyspace commands run
// until a LOCK waiter gets the lock (and a section's holder lets go of it
// again).
func (m *lockModel) release(name string) {
	l := m.locks[name]
	l.holder = nil
	for len(l.queue) > 0 && l.holder == nil {
		w := l.queue[0]
		l.queue = l.queue[1:]
		w.c.blocked = false
		switch {
		case w.cmd:
			m.counter++
			m.ran = append(m.ran, w.c)
			m.values = append(m.values, strconv.FormatInt(m.counter, 10))
		case w.section:
			m.counter++
			m.owed[w.c] = append(m.owed[w.c], "OK", strconv.FormatInt(m.counter, 10), "OK")
		default:
			l.holder = w.c
			m.owed[w.c] = append(m.owed[w.c], "OK")
		}
	}
}

// drop is a disconnect: c leaves every queue and frees what it holds.
func (m *lockModel) drop(c *mClient) {
	for _, l := range m.locks {
		l.queue = slices.DeleteFunc(l.queue, func(w mWait) bool { return w.c == c })
	}
	for name, l := range m.locks {
		if l.holder == c {
			m.release(name)
		}
	}
}

// render is LOCKS as the model has it: the held locks by name.
func (m *lockModel) render() string {
	var parts []string
	for _, name := range []string{"*", "a", "b"} {
		l := m.locks[name]
		if l.holder == nil {
			continue
		}
		kind := "named"
		if name == "*" {
			kind = "share"
		}
		lockWaiters := 0 // LOCKS counts LOCK calls, not keyspace commands
		for _, w := range l.queue {
			if !w.cmd {
				lockWaiters++
			}
		}
		parts = append(parts, fmt.Sprintf("[name %s kind %s holder-id %d holder-name  held-ms 0 waiters %d]",
			name, kind, l.holder.id, lockWaiters))
	}
	return "[" + strings.Join(parts, " ") + "]"
}
