package server

import (
	"bufio"
	"math/rand/v2"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// stall sends n GETs of a 1 KiB value without reading a reply, from a
// goroutine, until the server stops reading (its replies fill the socket)
// or all are sent. It returns the raw connection and its reader.
func stall(t *testing.T, path string, n int) (net.Conn, *bufio.Reader, <-chan error) {
	t.Helper()
	setup := dial(t, path)
	if got := setup.Do("SET", "big", strings.Repeat("x", 1024)); got != "OK" {
		t.Fatal(got)
	}
	nc, err := net.Dial("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	sent := make(chan error, 1)
	go func() {
		_, err := nc.Write([]byte(strings.Repeat("*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n", n)))
		sent <- err
	}()
	return nc, bufio.NewReader(nc), sent
}

// A client that sends without reading its replies is not read further
// once its replies back up; every other client is served meanwhile, and
// once it reads, it gets every reply in order.
func TestSlowReaderBackpressure(t *testing.T) {
	_, path := newTestServer(t, Config{})
	const n = 100000 // 100 MiB of replies, far more than socket buffers
	nc, r, sent := stall(t, path, n)
	other := dial(t, path)
	for i := range 100 {
		k := "k" + strconv.Itoa(i)
		if got := other.Do("SET", k, "v"); got != "OK" {
			t.Fatalf("SET while another client stalls: %q", got)
		}
	}
	select {
	case err := <-sent:
		t.Fatalf("the server read all %d commands of a client not reading its replies (%v)", n, err)
	default:
	}
	nc.SetReadDeadline(time.Now().Add(time.Minute))
	for i := range n {
		got, err := readReply(r)
		if err != nil || len(got) != 1024 {
			t.Fatalf("reply %d: %d bytes, %v", i, len(got), err)
		}
	}
	if err := <-sent; err != nil {
		t.Fatal(err)
	}
}

// CLIENT KILL closes a client at once even when the replies it has not
// read are waiting on the server.
func TestKillStalledClient(t *testing.T) {
	s, path := newTestServer(t, Config{})
	nc, r, _ := stall(t, path, 100000)
	admin := dial(t, path)
	ids := clientIDs(t, admin)
	if len(ids) != 3 { // setup, the stalled client, admin
		t.Fatalf("clients: %v", ids)
	}
	// Stalled: the server holds replies it could not write.
	waitFor(t, func() bool { return strings.Contains(admin.Do("CLIENT", "LIST"), " events=w ") })
	if got := admin.Do("CLIENT", "KILL", "ID", ids[1]); got != "1" {
		t.Fatalf("CLIENT KILL: %q", got)
	}
	// Gone while its replies are still unread...
	waitFor(t, func() bool { return s.nclients.Load() == 2 })
	// ...and its connection ends after what the socket already held.
	nc.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		if _, err := readReply(r); err != nil {
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				t.Fatal("the killed client's connection stayed open")
			}
			break
		}
	}
}

// clientIDs lists the connected clients' ids in connection order.
func clientIDs(t *testing.T, tc *testConn) []string {
	t.Helper()
	var ids []string
	for line := range strings.Lines(tc.Do("CLIENT", "LIST")) {
		id, _, _ := strings.Cut(strings.TrimPrefix(line, "id="), " ")
		ids = append(ids, id)
	}
	return ids
}

// Clients waiting for a lock do not hold up the others; commands pipelined
// after a LOCK that waited run once it is granted, in order, and the
// connection is served normally afterwards.
func TestWaitersDoNotBlockOthers(t *testing.T) {
	_, path := newTestServer(t, Config{Threads: 2})
	holder := dial(t, path)
	if got := holder.Do("LOCK"); got != "OK" {
		t.Fatal(got)
	}
	const waiters = 8
	ws := make([]*testConn, waiters)
	for i := range ws {
		ws[i] = dial(t, path)
		// Queued behind the holder: LOCK waits, and the rest with it.
		ws[i].Write("*1\r\n$4\r\nLOCK\r\n*2\r\n$4\r\nINCR\r\n$1\r\nn\r\n*1\r\n$6\r\nUNLOCK\r\n")
	}
	admin := dial(t, path)
	waitFor(t, func() bool { return strings.Count(admin.Do("CLIENT", "LIST"), "flags=b") == waiters })
	// Named locks and non-keyspace commands are served while they wait.
	other := dial(t, path)
	for i := range 50 {
		if got := other.Do("LOCK", "named"+strconv.Itoa(i)); got != "OK" {
			t.Fatalf("LOCK named while others wait: %q", got)
		}
		if got := other.Do("PING"); got != "PONG" {
			t.Fatal(got)
		}
	}
	if got := holder.Do("SET", "n", "0"); got != "OK" {
		t.Fatal(got)
	}
	if got := holder.Do("UNLOCK"); got != "OK" {
		t.Fatal(got)
	}
	seen := map[string]bool{}
	for _, w := range ws {
		if got := w.Read(); got != "OK" {
			t.Fatalf("LOCK: %q", got)
		}
		seen[w.Read()] = true
		if got := w.Read(); got != "OK" {
			t.Fatalf("UNLOCK: %q", got)
		}
		// Back on the loop: served as before.
		if got := w.Do("GET", "n"); got == "" {
			t.Fatal("GET after the wait: empty")
		}
	}
	for i := 1; i <= waiters; i++ {
		if !seen[strconv.Itoa(i)] {
			t.Fatalf("INCR replies %v: missing %d", seen, i)
		}
	}
}

// TestLoopChurn has many clients do, at random, everything that moves a
// connection on or off the event loop, or ends it: pipelines, LOCK that
// waits or times out, named locks, transactions, QUIT, a close while
// holding or waiting for a lock, half a command, CLIENT KILL of another
// client. Afterwards no client, lock or goroutine is left behind: every
// goroutine that left a loop to wait has given its connection back. Three
// event loops share the clients.
func TestLoopChurn(t *testing.T) {
	s, path := newTestServer(t, Config{Threads: 3})
	const workers, rounds = 24, 400
	var ids sync.Map // client id -> true, for CLIENT KILL
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 1))
			var (
				nc net.Conn
				r  *bufio.Reader
			)
			connect := func() error {
				if nc != nil {
					nc.Close()
				}
				var err error
				if nc, err = net.Dial("unix", path); err != nil {
					return err
				}
				nc.SetDeadline(time.Now().Add(30 * time.Second))
				r = bufio.NewReader(nc)
				nc.Write([]byte("CLIENT ID\r\n"))
				id, err := readReply(r)
				if err == nil {
					ids.Store(id, true)
				}
				return err
			}
			// do sends raw and reads n replies; an error means the
			// connection was killed or closed: start a new one.
			do := func(raw string, n int) {
				nc.Write([]byte(raw))
				for range n {
					if _, err := readReply(r); err != nil {
						if err := connect(); err != nil {
							errs <- err
						}
						return
					}
				}
			}
			if err := connect(); err != nil {
				errs <- err
				return
			}
			for range rounds {
				switch rng.IntN(10) {
				case 0:
					do("SET a 1\r\nGET a\r\nINCR n\r\n", 3)
				case 1:
					do("LOCK TIMEOUT 20\r\nINCR n\r\nUNLOCK\r\n", 3)
				case 2:
					do("LOCK name TIMEOUT 20\r\nUNLOCK name\r\n", 2)
				case 3:
					do("MULTI\r\nINCR n\r\nEXEC\r\n", 3)
				case 4: // close while holding, or waiting for, the lock
					nc.Write([]byte("LOCK\r\nLOCK other\r\n"))
					connect()
				case 5:
					do("QUIT\r\n", 1)
					connect()
				case 6: // half a command, then gone
					nc.Write([]byte("*3\r\n$3\r\nSET\r\n$1\r\nk"))
					connect()
				case 7:
					var victim string
					ids.Range(func(k, _ any) bool {
						victim = k.(string)
						return rng.IntN(4) != 0
					})
					do("CLIENT KILL ID "+victim+"\r\nPING\r\n", 2)
				case 8: // MONITOR, then leave
					do("MONITOR\r\n", 1)
					connect()
				default:
					do("LOCK TIMEOUT 20\r\nGET n\r\nSET n 0\r\nUNLOCK\r\n", 4)
				}
			}
			nc.Close()
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return s.nclients.Load() == 0 })
	admin := dial(t, path)
	if got := admin.Do("LOCKS"); got != "[]" {
		t.Errorf("locks left: %s", got)
	}
	if got := admin.Do("LOCK", "TIMEOUT", "1000"); got != "OK" {
		t.Errorf("share-wide lock left held: %q", got)
	}
	waitFor(t, func() bool {
		for _, lp := range s.ev.loops {
			if lp.goroutines.Load() != 1 {
				return false
			}
		}
		return true
	})
}

// A loop that polls before it sleeps (see waiter) serves what arrives
// while it polls, and what arrives after it gave up and slept: two
// clients passing the share-wide lock back and forth, pipelined, end with
// every increment counted.
func TestBusyPollServes(t *testing.T) {
	s, path := newTestServer(t, Config{BusyPoll: 200 * time.Microsecond})
	if got := dial(t, path).Do("PING"); got != "PONG" { // the loops have started
		t.Fatal(got)
	}
	s.mu.Lock()
	spare := s.ev.spare
	s.mu.Unlock()
	if spare == nil {
		t.Fatal("no CPU watch with BusyPoll set")
	}
	spare.ok.Store(true) // whatever else the machine runs
	const rounds = 2000
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tc := dial(t, path)
			for i := range rounds {
				tc.Write("*1\r\n$4\r\nLOCK\r\n*2\r\n$4\r\nINCR\r\n$1\r\nn\r\n*1\r\n$6\r\nUNLOCK\r\n")
				for j := range 3 {
					if got := tc.Read(); got == "" || got[0] == '-' {
						t.Errorf("round %d reply %d: %q", i, j, got)
						return
					}
				}
				if i%500 == 0 { // now and then a pause longer than a poll, not a wait for anything
					time.Sleep(time.Millisecond)
				}
			}
		}()
	}
	wg.Wait()
	if got := dial(t, path).Do("GET", "n"); got != strconv.Itoa(2*rounds) {
		t.Errorf("counter %s, want %d", got, 2*rounds)
	}
}

// runnableThreads reads /proc/loadavg: at least this test is running.
func TestRunnableThreads(t *testing.T) {
	n, ok := runnableThreads()
	if !ok || n < 1 {
		t.Errorf("runnableThreads() = %d, %v", n, ok)
	}
}

// TestSpareCPUSleeps: the CPU readings stop once no loop asks whether it
// may poll, and start again at the next ask.
func TestSpareCPUSleeps(t *testing.T) {
	sc := watchCPU()
	defer close(sc.stop)
	waitAsleep := func(want bool) {
		t.Helper()
		waitFor(t, func() bool { return sc.asleep.Load() == want })
	}
	waitAsleep(true) // nobody asked
	if sc.ok.Load() {
		t.Error("ok while the readings sleep")
	}
	sc.want()
	waitAsleep(false)
	waitAsleep(true) // and nobody asked since
}
