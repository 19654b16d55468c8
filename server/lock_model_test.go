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
)

// TestLockModel drives a few clients through random LOCK, UNLOCK, INCR
// and disconnects on the share-wide lock and two named ones, and checks
// every reply and, after every step, LOCKS against a model of what README
// and DESIGN promise: grants in arrival order, a keyspace command behind
// the share-wide lock runs in its turn in that queue, LOCK is not
// re-entrant, and a disconnect frees every lock held and withdraws every
// wait. REMOTED_LOCK_SEEDS=n runs n seeds instead of 4.
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
}

type mLock struct {
	holder *mClient
	queue  []mWait
}

// lockModel is what the server should be doing.
type lockModel struct {
	t       *testing.T
	path    string
	locks   map[string]*mLock // "*" is the share-wide lock
	counter int64
	// owed are the replies of LOCKs granted by the last step ("OK").
	owed map[*mClient]string
	// ran are the keyspace commands the last step let run, and values
	// their replies: the commands run together, in any order among
	// themselves, so each gets one of the values.
	ran    []*mClient
	values []string
}

func runLockModel(t *testing.T, seed uint64, steps int) {
	// Odd seeds spread the clients over two event loops. A clock that
	// stands still makes every held-ms 0.
	_, path := newTestServerClock(t, Config{Threads: 1 + int(seed%2)}, newFakeClock())
	m := &lockModel{t: t, path: path, locks: map[string]*mLock{"*": {}, "a": {}, "b": {}}}
	clients := make([]*mClient, 5)
	for i := range clients {
		clients[i] = m.connect()
	}
	observer := dial(t, path)
	r := rand.New(rand.NewPCG(seed, 1))
	names := []string{"*", "*", "a", "b"}
	var log []string
	for step := range steps {
		i := r.IntN(len(clients))
		c := clients[i]
		m.owed, m.ran, m.values = map[*mClient]string{}, nil, nil
		var line, want string // what c sends, and its reply if it does not block
		switch op := r.IntN(10); {
		case c.blocked || op == 0:
			line = "(disconnect)"
			c.tc.c.Close()
			m.drop(c)
			clients[i] = m.connect()
		case op <= 3:
			name := names[r.IntN(len(names))]
			line, want = "LOCK "+name, m.lock(c, name)
		case op <= 6:
			name := names[r.IntN(len(names))]
			line, want = "UNLOCK "+name, m.unlock(c, name)
		default:
			line, want = "INCR n", m.incr(c)
		}
		log = append(log, fmt.Sprintf("client %d (id %d): %s", i, c.id, line))
		fail := func(format string, args ...any) {
			t.Helper()
			t.Fatalf("seed %d step %d: %s\nthe steps up to it:\n  %s", seed, step,
				fmt.Sprintf(format, args...), strings.Join(log[max(0, len(log)-12):], "\n  "))
		}
		if line != "(disconnect)" {
			args := strings.Fields(line)
			if args[len(args)-1] == "*" {
				args = args[:len(args)-1]
			}
			c.tc.Send(args...)
			if !c.blocked {
				if got := c.tc.Read(); got != want {
					fail("%s replied %q, want %q", line, got, want)
				}
			}
		}
		for oc, w := range m.owed {
			if got := oc.tc.Read(); got != w {
				fail("client id %d, granted, got %q, want %q", oc.id, got, w)
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
		// The server may still be releasing a dropped client's locks:
		// wait until LOCKS agrees.
		want = m.render()
		deadline := time.Now().Add(10 * time.Second)
		for got := observer.Do("LOCKS"); got != want; got = observer.Do("LOCKS") {
			if time.Now().After(deadline) {
				fail("LOCKS = %s\nwant    %s", got, want)
			}
			time.Sleep(time.Millisecond)
		}
	}
}

// connect opens a new client and learns its id.
func (m *lockModel) connect() *mClient {
	tc := dial(m.t, m.path)
	id, err := strconv.ParseInt(tc.Do("CLIENT", "ID"), 10, 64)
	if err != nil {
		m.t.Fatal(err)
	}
	return &mClient{tc: tc, id: id}
}

func (m *lockModel) lock(c *mClient, name string) string {
	l := m.locks[name]
	switch l.holder {
	case c:
		return errLockReentry
	case nil:
		l.holder = c
		return "OK"
	}
	l.queue = append(l.queue, mWait{c: c})
	c.blocked = true
	return ""
}

func (m *lockModel) unlock(c *mClient, name string) string {
	if m.locks[name].holder != c {
		return errNotLockHolder
	}
	m.release(name)
	return "OK"
}

// incr is INCR n: it runs unless another client holds the share-wide
// lock, and then waits in that lock's queue.
func (m *lockModel) incr(c *mClient) string {
	l := m.locks["*"]
	if l.holder == nil || l.holder == c {
		m.counter++
		return strconv.FormatInt(m.counter, 10)
	}
	l.queue = append(l.queue, mWait{c: c, cmd: true})
	c.blocked = true
	return ""
}

// release frees a lock and lets its queue through: keyspace commands run
// until a LOCK waiter gets the lock.
func (m *lockModel) release(name string) {
	l := m.locks[name]
	l.holder = nil
	for len(l.queue) > 0 && l.holder == nil {
		w := l.queue[0]
		l.queue = l.queue[1:]
		w.c.blocked = false
		if w.cmd {
			m.counter++
			m.ran = append(m.ran, w.c)
			m.values = append(m.values, strconv.FormatInt(m.counter, 10))
		} else {
			l.holder = w.c
			m.owed[w.c] = "OK"
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
