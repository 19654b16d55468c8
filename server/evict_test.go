package server

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

// evictLimit is the maxmemory of these tests: room for about 600 of
// their 1 KiB values besides the first chunk of entries.
const evictLimit = 700 << 10

var kib = strings.Repeat("v", 1024)

// fill SETs keys prefix0..prefixN-1 of 1 KiB (with an expiry of ttl
// seconds plus i when ttl > 0), checking that each is accepted and that
// the accounted memory stays within maxmemory after each.
func fill(t *testing.T, s *Server, tc *testConn, prefix string, n, ttl int) {
	t.Helper()
	for i := range n {
		args := []string{"SET", prefix + strconv.Itoa(i), kib}
		if ttl > 0 {
			args = append(args, "EX", strconv.Itoa(ttl+i))
		}
		if got := tc.Do(args...); got != "OK" {
			t.Fatalf("%s %s: %q", args[0], args[1], got)
		}
		tc.Do("PING") // evicts down to the limit, as the next command would
		if used := s.db.usedMem.Load(); used > evictLimit {
			t.Fatalf("after %s: accounted %d bytes, over maxmemory %d", args[1], used, evictLimit)
		}
	}
}

func TestMaxmemoryNoEviction(t *testing.T) {
	s, path := newTestServer(t, Config{MaxMemory: evictLimit})
	tc := dial(t, path)
	oom := ""
	i := 0
	for ; i < 2000 && oom == ""; i++ {
		if got := tc.Do("SET", "k"+strconv.Itoa(i), kib); got != "OK" {
			oom = got
		}
	}
	if oom != "OOM command not allowed when used memory > 'maxmemory'." {
		t.Fatalf("SET past maxmemory: %q after %d keys", oom, i)
	}
	run(t, tc, []cmdCase{
		{[]string{"GET", "k0"}, kib}, // reads still work
		{[]string{"APPEND", "k0", "x"}, "OOM command not allowed when used memory > 'maxmemory'."},
		{[]string{"MULTI"}, "OK"},
		{[]string{"SET", "a", "1"}, "OOM command not allowed when used memory > 'maxmemory'."},
		{[]string{"EXEC"}, "EXECABORT Transaction discarded because of previous errors."},
		{[]string{"DEL", "k0", "k1", "k2"}, "3"}, // deleting is allowed
		{[]string{"SET", "a", "1"}, "OK"},
	})
	if got := infoField(t, tc, "stats", "evicted_keys"); got != "0" {
		t.Errorf("evicted_keys %s under noeviction", got)
	}
	if got := infoField(t, tc, "memory", "maxmemory_policy"); got != "noeviction" {
		t.Errorf("maxmemory_policy %s", got)
	}
	run(t, tc, []cmdCase{
		{[]string{"CONFIG", "SET", "maxmemory", "0"}, "OK"},
		{[]string{"SET", "b", kib}, "OK"},
	})
	checkDBInvariants(t, s)
}

// TestMaxmemoryPolicies checks that every policy keeps the accounted
// memory within maxmemory and evicts what it should.
func TestMaxmemoryPolicies(t *testing.T) {
	for _, policy := range []string{"allkeys-lru", "allkeys-lfu", "allkeys-random", "volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl"} {
		t.Run(policy, func(t *testing.T) {
			s, path := newTestServer(t, Config{MaxMemory: evictLimit, MaxMemoryPolicy: policy})
			tc := dial(t, path)
			volatile := strings.HasPrefix(policy, "volatile-")
			if volatile {
				fill(t, s, tc, "p", 200, 0) // never evicted
			}
			fill(t, s, tc, "v", 1500, 1000)
			if n, _ := strconv.Atoi(infoField(t, tc, "stats", "evicted_keys")); n == 0 {
				t.Error("evicted_keys is 0")
			}
			if volatile {
				for i := range 200 {
					if got := tc.Do("EXISTS", "p"+strconv.Itoa(i)); got != "1" {
						t.Fatalf("%s evicted p%d, which has no expiry", policy, i)
					}
				}
				// Once every volatile key is gone, nothing can be evicted.
				// Eviction may take a few commands (see evictBudget).
				tc.Do("PERSIST", "v1499")
				tc.Do("CONFIG", "SET", "maxmemory", "100000")
				got := ""
				for i := 0; i < 1000 && !strings.HasPrefix(got, "OOM "); i++ {
					got = tc.Do("SET", "x", "1")
				}
				if !strings.HasPrefix(got, "OOM ") {
					t.Errorf("SET with only persistent keys left: %q", got)
				}
				if got := tc.Do("EXISTS", "v1499"); got != "1" {
					t.Errorf("v1499, persisted, was evicted")
				}
			}
			checkDBInvariants(t, s)
		})
	}
}

// TestMaxmemoryPolicyChange runs an allkeys policy, then FLUSHALL and a
// volatile one over the same key names, set in the same order: the
// eviction pool the first policy filled must not make the second evict a
// key without an expiry, nor name an entry the flush took away.
func TestMaxmemoryPolicyChange(t *testing.T) {
	for _, first := range []string{"allkeys-lru", "allkeys-lfu"} {
		t.Run(first, func(t *testing.T) {
			s, path := newTestServer(t, Config{MaxMemory: evictLimit, MaxMemoryPolicy: first})
			tc := dial(t, path)
			fill(t, s, tc, "k", 1500, 0)
			run(t, tc, []cmdCase{
				{[]string{"FLUSHALL"}, "OK"},
				{[]string{"CONFIG", "SET", "maxmemory-policy", "volatile-lru"}, "OK"},
			})
			fill(t, s, tc, "k", 200, 0)
			for i := 200; i < 1500; i++ {
				if got := tc.Do("SET", "k"+strconv.Itoa(i), kib, "EX", "1000"); got != "OK" {
					t.Fatalf("SET k%d: %q", i, got)
				}
			}
			for i := range 200 {
				if got := tc.Do("EXISTS", "k"+strconv.Itoa(i)); got != "1" {
					t.Fatalf("volatile-lru after %s evicted k%d, which has no expiry", first, i)
				}
			}
			checkDBInvariants(t, s)
		})
	}
}

// TestMaxmemoryVolatileTTL checks that volatile-ttl evicts the keys that
// expire soonest: the keys set last (the farthest expiry) survive.
func TestMaxmemoryVolatileTTL(t *testing.T) {
	s, path := newTestServer(t, Config{MaxMemory: evictLimit, MaxMemoryPolicy: "volatile-ttl"})
	tc := dial(t, path)
	tc.Do("CONFIG", "SET", "maxmemory-samples", "10")
	fill(t, s, tc, "v", 1500, 1000) // v<i> expires in 1000+i s
	for i := 1450; i < 1500; i++ {
		if got := tc.Do("EXISTS", "v"+strconv.Itoa(i)); got != "1" {
			t.Errorf("v%d, among the latest to expire, was evicted", i)
		}
	}
	survivors := 0
	for i := range 500 {
		if tc.Do("EXISTS", "v"+strconv.Itoa(i)) == "1" {
			survivors++
		}
	}
	if survivors > 25 {
		t.Errorf("%d of the 500 keys expiring soonest survived", survivors)
	}
}

// TestMaxmemoryLRUKeepsReadKeys checks that under allkeys-lru and
// allkeys-lfu, keys read often and lately survive a flood of new keys.
func TestMaxmemoryLRUKeepsReadKeys(t *testing.T) {
	for _, policy := range []string{"allkeys-lru", "allkeys-lfu"} {
		t.Run(policy, func(t *testing.T) {
			clock := newFakeClock()
			s, path := newTestServerClock(t, Config{MaxMemory: evictLimit, MaxMemoryPolicy: policy}, clock)
			tc := dial(t, path)
			tc.Do("CONFIG", "SET", "maxmemory-samples", "10")
			fill(t, s, tc, "hot", 50, 0)
			for i := range 1500 {
				if i%10 == 0 {
					clock.Advance(time.Second)
					for j := range 50 {
						tc.Do("GET", "hot"+strconv.Itoa(j))
					}
				}
				if got := tc.Do("SET", "cold"+strconv.Itoa(i), kib); got != "OK" {
					t.Fatalf("SET cold%d: %q", i, got)
				}
			}
			lost := 0
			for j := range 50 {
				if tc.Do("EXISTS", "hot"+strconv.Itoa(j)) != "1" {
					lost++
				}
			}
			if lost > 2 {
				t.Errorf("%d of 50 keys read all along were evicted", lost)
			}
		})
	}
}

// TestMaxmemoryExec checks EXEC once memory ran out after its commands
// were queued: refused with the reason, as Redis's execCommandAbort.
func TestMaxmemoryExec(t *testing.T) {
	_, path := newTestServer(t, Config{})
	a, b := dial(t, path), dial(t, path)
	run(t, a, []cmdCase{{[]string{"MULTI"}, "OK"}, {[]string{"SET", "x", "1"}, "QUEUED"}})
	run(t, b, []cmdCase{{[]string{"CONFIG", "SET", "maxmemory", "1"}, "OK"}})
	run(t, a, []cmdCase{
		{[]string{"EXEC"}, "EXECABORT Transaction discarded because of: OOM command not allowed when used memory > 'maxmemory'."},
		{[]string{"MULTI"}, "OK"},
		{[]string{"EXEC"}, "[]"}, // nothing queued that adds data
		{[]string{"GET", "x"}, "(nil)"},
	})
	run(t, b, []cmdCase{{[]string{"CONFIG", "SET", "maxmemory", "0"}, "OK"}})
}

// TestMaxmemoryLoweredFar checks that a maxmemory lowered far below the
// data is reached over several commands, each evicting for a bounded
// time, and that commands are served meanwhile, not refused.
func TestMaxmemoryLoweredFar(t *testing.T) {
	s, path := newTestServer(t, Config{MaxMemoryPolicy: "allkeys-random"})
	tc := dial(t, path)
	s.db.mu.Lock()
	for i := range 200000 {
		s.db.set([]byte("k"+strconv.Itoa(i)), []byte(kib[:100]), 0, false)
	}
	s.db.mu.Unlock()
	run(t, tc, []cmdCase{
		{[]string{"CONFIG", "SET", "maxmemory", "1mb"}, "OK"},
		{[]string{"SET", "x", "1"}, "OK"},
	})
	for i := 0; s.db.usedMem.Load() > 1<<20; i++ {
		if i == 100000 {
			t.Fatalf("accounted %d bytes after %d commands, over maxmemory", s.db.usedMem.Load(), i)
		}
		tc.Do("PING")
	}
	checkDBInvariants(t, s)
}

// TestMaxmemoryEvictionTouchesWatch checks that evicting a key makes the
// EXEC of a client watching it fail, as Redis's signalModifiedKey does.
func TestMaxmemoryEvictionTouchesWatch(t *testing.T) {
	s, path := newTestServer(t, Config{MaxMemoryPolicy: "allkeys-lru"})
	a, b := dial(t, path), dial(t, path)
	run(t, a, []cmdCase{{[]string{"SET", "k", kib}, "OK"}, {[]string{"WATCH", "k"}, "OK"}})
	limit := strconv.FormatInt(s.db.usedMem.Load()-1, 10)
	run(t, b, []cmdCase{{[]string{"CONFIG", "SET", "maxmemory", limit}, "OK"}, {[]string{"EXISTS", "k"}, "0"}})
	run(t, a, []cmdCase{
		{[]string{"MULTI"}, "OK"},
		{[]string{"SET", "a", "1"}, "QUEUED"},
		{[]string{"EXEC"}, "(nil)"},
	})
	if got := infoField(t, b, "stats", "evicted_keys"); got != "1" {
		t.Errorf("evicted_keys %s, want 1", got)
	}
}

// TestLFUCounter checks the LFU counter against the table in Redis's
// redis.conf for lfu-log-factor 10 (100 hits: 10, 1000: 18, 100K: 142),
// with room for its randomness, and its decay of one per lfu-decay-time
// minute.
func TestLFUCounter(t *testing.T) {
	db := newDB()
	db.evict.policy.Store(int32(allkeysLFU))
	db.set([]byte("k"), []byte("v"), 0, false)
	e := db.peek("k")
	hits := 1
	for _, want := range []struct{ hits, lo, hi int }{{100, 5, 16}, {1000, 12, 27}, {100000, 120, 170}} {
		for ; hits < want.hits; hits++ {
			db.accessed(e)
		}
		if c := int(db.lfuDecayed(e)); c < want.lo || c > want.hi {
			t.Errorf("after %d hits: counter %d, want %d..%d", want.hits, c, want.lo, want.hi)
		}
	}
	before := db.lfuDecayed(e)
	db.now += 3 * 60000
	if got := db.lfuDecayed(e); got != before-3 {
		t.Errorf("after 3 minutes: counter %d, want %d", got, before-3)
	}
}
