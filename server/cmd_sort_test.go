package server

import (
	"bytes"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
	"time"
)

// The replies below were checked against redis-server 7.0.15; the
// differential script (compat_diff_sort_test.go) covers the rest.

// TestSortRange: LIMIT's offset and count clamped as Redis clamps them.
func TestSortRange(t *testing.T) {
	cases := []struct {
		offset, count int64
		n             int
		first, last   int
	}{
		{0, -1, 5, 0, 4},
		{0, 0, 5, 0, -1},
		{1, 2, 5, 1, 2},
		{-3, 2, 5, 0, 1},
		{3, -7, 5, 3, 4},
		{4, 10, 5, 4, 4},
		{5, 1, 5, 4, 3},
		{math.MaxInt64, math.MaxInt64, 5, 4, 3},
		{math.MinInt64, math.MinInt64, 5, 0, 4},
		{0, math.MaxInt64, 5, 0, 4},
		{0, -1, 0, -1, -2},
		{3, 3, 0, -1, -2},
	}
	for _, c := range cases {
		first, last := sortRange(c.offset, c.count, c.n)
		if first != c.first || last != c.last {
			t.Errorf("LIMIT %d %d of %d: %d..%d, want %d..%d", c.offset, c.count, c.n, first, last, c.first, c.last)
		}
	}
}

// TestSortScore: weights read as Redis reads them, with strtod.
func TestSortScore(t *testing.T) {
	cases := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"1", 1, true},
		{"-2.5", -2.5, true},
		{" 7", 7, true},
		{"7 ", 0, false},
		{"", 0, true},
		{"   ", 0, false},
		{"0x10", 16, true},
		{"0x1p3", 8, true},
		{"1e3", 1000, true},
		{".5", 0.5, true},
		{"inf", math.Inf(1), true},
		{"-Infinity", math.Inf(-1), true},
		{"nan", 0, false},
		{"abc", 0, false},
		{"7\x00junk", 7, true},
		{"1e400", 0, false},
		{"-1e400", 0, false},
		{"1e-400", 0, false},
		{"1e-310", 0, false},           // subnormal and inexact: ERANGE
		{"0x1p-1074", 0x1p-1074, true}, // subnormal but exact
		{"2.2250738585072014e-308", 0x1p-1022, true},
		{"0x1.fffffffffffffp-1023", 0, false},         // tiny before it rounds up
		{"0x1.ffffffffffffffp-1023", 0x1p-1022, true}, // rounds up at 53 bits
	}
	for _, c := range cases {
		got, ok := sortScore([]byte(c.in))
		if ok != c.ok || ok && got != c.want {
			t.Errorf("sortScore(%q) = %v, %v; want %v, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

// TestSortPqsort: positions lo to hi after pqsort hold what a full sort
// puts there (the keys; equal keys may come in another order), and the
// whole is a permutation of the input.
func TestSortPqsort(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	cmp := func(a, b *sortItem) int { return bytes.Compare(a.cmp, b.cmp) }
	for range 2000 {
		n := rng.IntN(120)
		keys := rng.IntN(n+1) + 1
		items := make([]sortItem, n)
		for i := range items {
			items[i] = sortItem{elem: []byte(strconv.Itoa(i)), cmp: []byte(strconv.Itoa(rng.IntN(keys)))}
		}
		lo := rng.IntN(n+2) - 1
		hi := lo + rng.IntN(n+1) - 1
		got := slices.Clone(items)
		pqsort(got, lo, hi, cmp)
		want := slices.Clone(items)
		slices.SortStableFunc(want, func(a, b sortItem) int { return cmp(&a, &b) })
		for i := max(lo, 0); i <= min(hi, n-1); i++ {
			if !bytes.Equal(got[i].cmp, want[i].cmp) {
				t.Fatalf("n %d range %d..%d: position %d holds %q, want %q", n, lo, hi, i, got[i].cmp, want[i].cmp)
			}
		}
		seen := map[string]bool{}
		for _, it := range got {
			seen[string(it.elem)] = true
		}
		if len(seen) != n {
			t.Fatalf("n %d: pqsort lost elements", n)
		}
	}
}

// TestSortPatterns: BY and GET patterns substitute the first '*', read a
// hash field after "->", give the element for "#", and name nothing
// without a '*' or for a key of another type.
func TestSortPatterns(t *testing.T) {
	_, path := newTestServer(t, Config{})
	tc := dial(t, path)
	run(t, tc, []cmdCase{
		{[]string{"SADD", "s", "2", "1", "3"}, "3"},
		{[]string{"MSET", "w_1", "30", "w_2", "20", "w_3", "10", "x*1", "a"}, "OK"},
		{[]string{"HSET", "h_1", "f", "b", "f->g", "c"}, "2"},
		{[]string{"HSET", "h_2", "f", "a"}, "1"},
		{[]string{"SORT", "s", "BY", "w_*"}, "[3 2 1]"},
		{[]string{"SORT", "s", "BY", "w_*", "GET", "#", "GET", "w_*"}, "[3 10 2 20 1 30]"},
		{[]string{"SORT", "s", "BY", "h_*->f", "ALPHA"}, "[3 2 1]"},
		{[]string{"SORT", "s", "GET", "h_*->f->g", "GET", "h_*->", "GET", "x**"}, "[c (nil) (nil) (nil) (nil) (nil) (nil) (nil) (nil)]"},
		{[]string{"SORT", "s", "GET", "w"}, "[(nil) (nil) (nil)]"},
		{[]string{"SORT", "s", "GET", "h_*", "GET", "w_*->f"}, "[(nil) (nil) (nil) (nil) (nil) (nil)]"},
		{[]string{"SORT", "s", "BY", "nosort", "DESC", "LIMIT", "1", "1"}, "[2]"},
		{[]string{"SORT", "s", "BY", "w_*", "LIMIT", "0", "1", "GET", "#"}, "[3]"},
	})
}

// TestSortErrors: syntax errors before the key's type, WRONGTYPE, and a
// numeric sort of what is not a number.
func TestSortErrors(t *testing.T) {
	_, path := newTestServer(t, Config{})
	tc := dial(t, path)
	run(t, tc, []cmdCase{
		{[]string{"SET", "str", "x"}, "OK"},
		{[]string{"HSET", "h", "a", "1"}, "1"},
		{[]string{"SADD", "s", "a", "1"}, "2"},
		{[]string{"SORT", "str"}, "WRONGTYPE Operation against a key holding the wrong kind of value"},
		{[]string{"SORT", "h"}, "WRONGTYPE Operation against a key holding the wrong kind of value"},
		{[]string{"SORT", "str", "LIMIT", "1"}, "ERR syntax error"},
		{[]string{"SORT", "str", "LIMIT", "a", "1"}, "ERR value is not an integer or out of range"},
		{[]string{"SORT_RO", "s", "STORE", "d"}, "ERR syntax error"},
		{[]string{"SORT", "s"}, "ERR One or more scores can't be converted into double"},
		{[]string{"SORT", "s", "ALPHA"}, "[1 a]"},
		{[]string{"SORT", "nokey", "BY", "w_*", "GET", "#"}, "[]"},
	})
}

// TestSortZsetConversion: SORT, even SORT_RO, leaves a listpack sorted
// set a skiplist, as Redis does, with its memory accounted for and no
// write counted: a WATCH on it still holds.
func TestSortZsetConversion(t *testing.T) {
	s, path := newTestServer(t, Config{})
	tc := dial(t, path)
	run(t, tc, []cmdCase{
		{[]string{"ZADD", "z", "2", "b", "1", "a", "3", "c"}, "3"},
		{[]string{"OBJECT", "ENCODING", "z"}, "listpack"},
		{[]string{"WATCH", "z"}, "OK"},
		{[]string{"SORT_RO", "z", "BY", "nosort", "DESC", "LIMIT", "0", "2"}, "[c b]"},
		{[]string{"OBJECT", "ENCODING", "z"}, "skiplist"},
		{[]string{"MULTI"}, "OK"},
		{[]string{"ZCARD", "z"}, "QUEUED"},
		{[]string{"EXEC"}, "[3]"},
	})
	s.db.mu.Lock()
	defer s.db.mu.Unlock()
	e := s.db.getBytes([]byte("z"))
	if ref := s.db.objs[objNum(e)]; ref.mem != ref.o.memSize() {
		t.Errorf("accounted %d bytes for the sorted set, it holds %d", ref.mem, ref.o.memSize())
	}
}

// TestSortExpiredPattern: a BY or GET key past its time is missing (and
// removed), as Redis's lookupKeyRead has it.
func TestSortExpiredPattern(t *testing.T) {
	clock := newFakeClock()
	_, path := newTestServerClock(t, Config{}, clock)
	tc := dial(t, path)
	run(t, tc, []cmdCase{
		{[]string{"SADD", "s", "1", "2"}, "2"},
		{[]string{"SET", "w_1", "5", "PX", "100"}, "OK"},
		{[]string{"SET", "w_2", "3"}, "OK"},
		{[]string{"SORT", "s", "BY", "w_*", "GET", "w_*"}, "[3 5]"},
	})
	clock.Advance(time.Second)
	run(t, tc, []cmdCase{
		{[]string{"SORT", "s", "BY", "w_*", "GET", "w_*"}, "[(nil) 3]"},
		{[]string{"EXISTS", "w_1"}, "0"},
	})
}

// TestSortStore: STORE makes a list, counts a write per element stored
// (one for deleting the destination, none for storing nothing over
// nothing), accounts for the list's memory, and serves a client blocked
// on the destination, as Redis's SORT does.
func TestSortStore(t *testing.T) {
	s, path := newTestServer(t, Config{})
	ctl := dial(t, path)
	waiter := dial(t, path)
	run(t, ctl, []cmdCase{{[]string{"SADD", "s", "3", "1", "2"}, "3"}})
	waiter.Send("BLPOP", "q", "0")
	waitFor(t, func() bool { return blockedClients(ctl) == 1 })
	dirty := func() int {
		n, err := strconv.Atoi(infoField(t, ctl, "persistence", "rdb_changes_since_last_save"))
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := dirty()
	run(t, ctl, []cmdCase{{[]string{"SORT", "s", "STORE", "q"}, "3"}})
	if got := waiter.Read(); got != "[q 1]" {
		t.Errorf("the waiter got %q", got)
	}
	run(t, ctl, []cmdCase{{[]string{"LRANGE", "q", "0", "-1"}, "[2 3]"}})
	steps := []struct {
		args  []string
		reply string
		dirty int
	}{
		{[]string{"SORT", "s", "GET", "#", "GET", "w_*", "STORE", "d"}, "6", 6},
		{[]string{"SORT", "s", "LIMIT", "0", "0", "STORE", "d"}, "0", 1},
		{[]string{"SORT", "s", "LIMIT", "0", "0", "STORE", "d"}, "0", 0},
	}
	for _, st := range steps {
		before = dirty()
		run(t, ctl, []cmdCase{{st.args, st.reply}})
		if d := dirty() - before; d != st.dirty {
			t.Errorf("%v: %d writes counted, want %d", st.args, d, st.dirty)
		}
	}
	run(t, ctl, []cmdCase{
		{[]string{"SORT", "s", "GET", "#", "GET", "w_*", "STORE", "d"}, "6"},
		{[]string{"LRANGE", "d", "0", "-1"}, "[1  2  3 ]"},
	})
	s.db.mu.Lock()
	defer s.db.mu.Unlock()
	e := s.db.getBytes([]byte("d"))
	if ref := s.db.objs[objNum(e)]; ref.mem != ref.o.memSize() || ref.o.length() != 6 {
		t.Errorf("accounted %d bytes for the list, it holds %d (%d elements)", ref.mem, ref.o.memSize(), ref.o.length())
	}
}

// TestSortStoreExpiredDest: a destination past its time is expired when
// a result replaces it, but deleted as a live key (a write, no expiry
// counted) by an empty result, as Redis's setKey and dbDelete have it.
// The sweeper is kept from starting, so that the keys wait for SORT.
func TestSortStoreExpiredDest(t *testing.T) {
	clock := newFakeClock()
	_, path := startTestServer(t, Config{}, clock, nil, func(s *Server) { s.sweepMu.Do(func() {}) })
	tc := dial(t, path)
	field := func(section, name string) int {
		n, err := strconv.Atoi(infoField(t, tc, section, name))
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	run(t, tc, []cmdCase{
		{[]string{"SADD", "s", "1"}, "1"},
		{[]string{"SET", "d", "x", "PX", "100"}, "OK"},
		{[]string{"SET", "e", "x", "PX", "100"}, "OK"},
	})
	clock.Advance(time.Second)
	for _, st := range []struct {
		args           []string
		reply          string
		dirty, expired int
	}{
		{[]string{"SORT", "nokey", "STORE", "d"}, "0", 1, 0},
		{[]string{"SORT", "s", "STORE", "e"}, "1", 1, 1},
	} {
		dirty, expired := field("persistence", "rdb_changes_since_last_save"), field("stats", "expired_keys")
		run(t, tc, []cmdCase{{st.args, st.reply}})
		if d, e := field("persistence", "rdb_changes_since_last_save")-dirty, field("stats", "expired_keys")-expired; d != st.dirty || e != st.expired {
			t.Errorf("%v: %d writes and %d expiries counted, want %d and %d", st.args, d, e, st.dirty, st.expired)
		}
	}
}

// TestSortMergeStable: mergeSort is stable, equal items staying in the
// order they came in, as in glibc's qsort.
func TestSortMergeStable(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	cmp := func(a, b *sortItem) int { return bytes.Compare(a.cmp, b.cmp) }
	for range 500 {
		n := rng.IntN(300)
		items := make([]sortItem, n)
		for i := range items {
			items[i] = sortItem{elem: []byte(strconv.Itoa(i)), cmp: []byte{byte(rng.IntN(n/4 + 1))}}
		}
		got := slices.Clone(items)
		mergeSort(got, make([]sortItem, n), cmp)
		want := slices.Clone(items)
		slices.SortStableFunc(want, func(a, b sortItem) int { return cmp(&a, &b) })
		for i := range got {
			if !bytes.Equal(got[i].elem, want[i].elem) {
				t.Fatalf("n %d: position %d holds element %s, want %s", n, i, got[i].elem, want[i].elem)
			}
		}
	}
}
