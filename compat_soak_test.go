package remoted_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// soakClient is one client of TestSoak: what the server acknowledged to
// it, to be checked at the end.
type soakClient struct {
	id    int
	c     *respConn
	last  map[string]int // key -> last value the server acknowledged
	incrs int64          // acknowledged INCRs of soak:count
}

// TestSoak: many clients at once, for a while, mixing writes, counters,
// named and share-wide locks (taken, held by a client that hangs up,
// waited for with a timeout) and disconnects. Nothing acknowledged is
// lost, every lock is free at the end, and the server's connections and
// file descriptors come back to where they started. REMOTED_SOAK_CLIENTS
// and REMOTED_SOAK_TIME (a duration) make it bigger: issue 19's soak is
// REMOTED_SOAK_CLIENTS=10000 REMOTED_SOAK_TIME=3m. It runs on the event
// loops and on the portable driver.
func TestSoak(t *testing.T) {
	clients, dur := 500, 3*time.Second
	if s := os.Getenv("REMOTED_SOAK_CLIENTS"); s != "" {
		clients, _ = strconv.Atoi(s)
	}
	if s := os.Getenv("REMOTED_SOAK_TIME"); s != "" {
		dur, _ = time.ParseDuration(s)
	}
	t.Run("loop", func(t *testing.T) { soak(t, clients, dur) })
	t.Run("portable", func(t *testing.T) { soak(t, clients, dur, "--portable") })
}

func soak(t *testing.T, clients int, dur time.Duration, args ...string) {
	// Room for hung-up connections the server has not yet let go of.
	args = append(args, "--maxclients", strconv.Itoa(2*clients+10))
	srv := startRemoted(t, args...)
	fds := func() int {
		if selftest() {
			return 0
		}
		ents, err := os.ReadDir(filepath.Join("/proc", strconv.Itoa(srv.proc.cmd.Process.Pid), "fd"))
		if err != nil {
			t.Fatal(err)
		}
		return len(ents)
	}
	fd0 := fds()
	var total atomic.Int64
	var wg sync.WaitGroup
	end := time.Now().Add(dur)
	cs := make([]*soakClient, clients)
	for i := range cs {
		cs[i] = &soakClient{id: i, c: dialRESP(t, "unix", srv.UnixPath), last: map[string]int{}}
		wg.Add(1)
		go func() {
			defer wg.Done()
			total.Add(cs[i].run(t, srv, end))
		}()
	}
	wg.Wait()
	admin := dialRESP(t, "unix", srv.UnixPath)
	soakCheck(t, admin, cs)
	for _, sc := range cs {
		sc.c.c.Close()
	}
	waitClients(t, admin, func(n int) bool { return n == 1 })
	if _, v, _ := admin.Do("LOCKS"); v == nil || len(v.Elems) != 0 {
		t.Errorf("locks left after the soak: %v", v)
	}
	if n := fds(); n > fd0+1 { // +1: admin
		t.Errorf("server fds: %d before, %d after every soak client left", fd0, n)
	}
	t.Logf("%d clients for %v: %d commands acknowledged", clients, dur, total.Load())
}

// run is one client's loop until end; it returns how many commands the
// server acknowledged.
func (sc *soakClient) run(t *testing.T, srv *testServer, end time.Time) int64 {
	rng := rand.New(rand.NewPCG(uint64(sc.id), 7))
	n := int64(0)
	do := func(args ...string) *respValue {
		_, v, err := sc.c.Do(args...)
		if err != nil {
			t.Errorf("client %d: %q: %v", sc.id, args, err)
			return nil
		}
		n++
		return v
	}
	for seq := 0; time.Now().Before(end) && !t.Failed(); seq++ {
		switch op := rng.IntN(20); {
		case op < 8:
			key := fmt.Sprintf("soak:%d:%d", sc.id, rng.IntN(8))
			if v := do("SET", key, strconv.Itoa(seq)); v != nil && v.Str == "OK" {
				sc.last[key] = seq
			}
		case op < 12:
			if v := do("INCR", "soak:count"); v != nil && !v.isError() {
				sc.incrs++
			}
		case op < 15: // a named lock, with a timeout: granted or null
			if v := do("LOCK", "soak:lock", "TIMEOUT", "20"); v != nil && v.Str == "OK" {
				do("UNLOCK", "soak:lock")
			}
		case op < 16: // the share-wide lock, briefly
			if v := do("LOCK", "TIMEOUT", "20"); v != nil && v.Str == "OK" {
				do("UNLOCK")
			}
		case op < 18: // hang up while holding a lock: the server frees it
			do("LOCK", "soak:held:"+strconv.Itoa(rng.IntN(4)), "TIMEOUT", "20")
			sc.redial(t, srv)
		default:
			sc.redial(t, srv)
		}
	}
	return n
}

func (sc *soakClient) redial(t *testing.T, srv *testServer) {
	sc.c.c.Close()
	sc.c = dialRESP(t, "unix", srv.UnixPath)
}

// soakCheck reads back what every client was acknowledged.
func soakCheck(t *testing.T, admin *respConn, cs []*soakClient) {
	t.Helper()
	var incrs int64
	for _, sc := range cs {
		incrs += sc.incrs
		for key, want := range sc.last {
			if _, v, err := admin.Do("GET", key); err != nil || v.Str != strconv.Itoa(want) {
				t.Fatalf("%s: %v %v, want %d (acknowledged)", key, v, err, want)
			}
		}
	}
	if _, v, err := admin.Do("GET", "soak:count"); err != nil || (incrs > 0 && v.Str != strconv.FormatInt(incrs, 10)) {
		t.Errorf("soak:count = %v %v, want %d acknowledged INCRs", v, err, incrs)
	}
}

// waitClients waits until the server's count of connected clients
// satisfies ok.
func waitClients(t *testing.T, admin *respConn, ok func(n int) bool) {
	t.Helper()
	re := regexp.MustCompile(`connected_clients:(\d+)`)
	for end := time.Now().Add(30 * time.Second); ; {
		_, v, err := admin.Do("INFO", "clients")
		if err != nil {
			t.Fatal(err)
		}
		if m := re.FindStringSubmatch(v.Str); m != nil {
			if n, _ := strconv.Atoi(m[1]); ok(n) {
				return
			}
		}
		if time.Now().After(end) {
			t.Fatalf("clients connected: %s", v.Str)
		}
	}
}
