package server

import (
	"slices"
	"strconv"
	"strings"
	"testing"
)

// Every expected reply below was checked against redis-server 7.0; the
// differential script (compat_diff_set_test.go) covers the rest.

// setEncoding returns the encoding of the set under key, "" if there is
// none.
func setEncoding(tb testing.TB, s *Server, key string) string {
	tb.Helper()
	s.db.mu.Lock()
	defer s.db.mu.Unlock()
	set, e, _ := getTyped[*setObj](s.db, []byte(key))
	if e == nil {
		return ""
	}
	return set.encoding()
}

func setSeqArgs(cmd, key string, lo, hi int) []string {
	args := []string{cmd, key}
	for i := lo; i < hi; i++ {
		args = append(args, strconv.Itoa(i))
	}
	return args
}

// TestSetEncodingConversion: an intset up to set-max-intset-entries, a
// hash table past it or at the first member that is not an integer, and
// never back; results of the STORE commands built the same way.
func TestSetEncodingConversion(t *testing.T) {
	s, path := newTestServer(t, Config{})
	tc := dial(t, path)
	run(t, tc, []cmdCase{
		{setSeqArgs("SADD", "a", 0, 512), "512"},
		{[]string{"SADD", "b", "1", "2"}, "2"},
		{[]string{"SADD", "c", "1", "x"}, "2"},
	})
	for key, want := range map[string]string{"a": "intset", "b": "intset", "c": "hashtable"} {
		if got := setEncoding(t, s, key); got != want {
			t.Errorf("%s: %s, want %s", key, got, want)
		}
	}
	run(t, tc, []cmdCase{
		{[]string{"SADD", "a", "512"}, "1"},
		{[]string{"SREM", "a", "512", "511"}, "2"},
		{[]string{"SADD", "b", "007"}, "1"},
		{[]string{"SREM", "c", "x"}, "1"},
		{[]string{"SINTERSTORE", "d", "c", "b"}, "1"},
		{[]string{"SUNIONSTORE", "u", "a"}, "511"},
		{[]string{"SUNIONSTORE", "u2", "a", "b"}, "512"},
		{[]string{"CONFIG", "SET", "set-max-intset-entries", "2"}, "OK"},
		{[]string{"SADD", "e", "1", "2"}, "2"},
		{[]string{"SADD", "f", "1", "2", "3"}, "3"},
		{[]string{"CONFIG", "SET", "set-max-intset-entries", "512"}, "OK"},
		{setSeqArgs("SADD", "p", 0, 601), "601"},
		{[]string{"SCARD", "p"}, "601"},
	})
	if got := setEncoding(t, s, "p"); got != "hashtable" {
		t.Errorf("p: %s, want hashtable", got)
	}
	// Popping most of a set keeps the rest in a new set, as Redis does.
	tc.Do("SPOP", "p", "590")
	run(t, tc, []cmdCase{{[]string{"SCARD", "p"}, "11"}})
	for key, want := range map[string]string{
		"a": "hashtable", "b": "hashtable", "c": "hashtable", // never back
		"d": "intset", "u": "intset", "u2": "hashtable", "e": "intset", "f": "hashtable", "p": "intset",
	} {
		if got := setEncoding(t, s, key); got != want {
			t.Errorf("%s: %s, want %s", key, got, want)
		}
	}
	checkDBInvariants(t, s)
}

// TestSetAccounting: the keyspace's bytes follow every change of every
// set command, and the keys emptied by them are gone.
func TestSetAccounting(t *testing.T) {
	s, path := newTestServer(t, Config{})
	tc := dial(t, path)
	steps := [][]string{
		setSeqArgs("SADD", "big", 0, 3000),
		{"SADD", "big", "x", "y"},
		{"SADD", "small", "1", "2", "3"},
		{"SADD", "str", "a", "b", "c"},
		{"SREM", "big", "1", "2", "x"},
		{"SPOP", "big"},
		{"SPOP", "big", "100"},
		{"SPOP", "big", "2800"},
		{"SMOVE", "str", "small", "a"},
		{"SMOVE", "small", "new", "1"},
		{"SINTERSTORE", "i", "big", "big"},
		{"SUNIONSTORE", "u", "big", "small", "str"},
		{"SDIFFSTORE", "d", "u", "small"},
		{"SDIFFSTORE", "d2", "u", "big", "small", "str", "new"},
		setSeqArgs("SREM", "big", 0, 3000),
		{"SPOP", "str", "10"},
		{"COPY", "u", "ucopy"},
		{"SADD", "ucopy", "z"},
		{"RENAME", "u", "u3"},
	}
	for _, args := range steps {
		tc.Do(args...)
		checkDBInvariants(t, s)
	}
	run(t, tc, []cmdCase{
		{[]string{"EXISTS", "str", "d2"}, "0"},
		{[]string{"SCARD", "ucopy"}, strconv.Itoa(setCard(t, tc, "u3") + 1)},
	})
}

func setCard(t *testing.T, tc *testConn, key string) int {
	n, err := strconv.Atoi(tc.Do("SCARD", key))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestSetDrain: popping a large set empty, one by one and in counts,
// returns each member once and leaves no key.
func TestSetDrain(t *testing.T) {
	s, path := newTestServer(t, Config{})
	tc := dial(t, path)
	const n = 5000
	args := []string{"SADD", "k"}
	for i := range n {
		args = append(args, "m"+strconv.Itoa(i))
	}
	tc.Do(args...)
	seen := map[string]bool{}
	take := func(m string) {
		if seen[m] {
			t.Fatalf("%q popped twice", m)
		}
		seen[m] = true
	}
	for i := 0; len(seen) < n; i++ {
		if i%2 == 0 {
			take(tc.Do("SPOP", "k"))
			continue
		}
		reply := tc.Do("SPOP", "k", strconv.Itoa(i%700))
		for _, m := range strings.Fields(strings.Trim(reply, "[]")) {
			take(m)
		}
	}
	if got := tc.Do("EXISTS", "k"); got != "0" {
		t.Fatalf("EXISTS k after draining: %s", got)
	}
	checkDBInvariants(t, s)
}

// TestSetScanLarge: SSCAN of a hash table set visits every member,
// COUNT at a time, while members come and go between the calls.
func TestSetScanLarge(t *testing.T) {
	_, path := newTestServer(t, Config{})
	tc := dial(t, path)
	tc.Do(setSeqArgs("SADD", "k", 0, 2000)...)
	seen := map[string]bool{}
	cursor, calls := "0", 0
	for {
		reply := tc.Do("SSCAN", "k", cursor, "COUNT", "50")
		fields := strings.Fields(strings.NewReplacer("[", " ", "]", " ").Replace(reply))
		cursor = fields[0]
		for _, m := range fields[1:] {
			seen[m] = true
		}
		calls++
		// Churn that makes the table grow, then shrink.
		tc.Do(setSeqArgs("SADD", "k", 10000+calls*100, 10000+calls*100+100)...)
		if calls%5 == 0 {
			tc.Do(setSeqArgs("SREM", "k", 10000, 10000+calls*100+100)...)
		}
		if cursor == "0" {
			break
		}
	}
	for i := range 2000 {
		if !seen[strconv.Itoa(i)] {
			t.Fatalf("member %d not returned in %d calls", i, calls)
		}
	}
	if calls < 10 {
		t.Errorf("scan done in %d calls of COUNT 50 for 2000 members", calls)
	}
}

// TestSetRandMemberDistinct: SRANDMEMBER with a positive count below the
// size returns that many distinct members, through both of its methods.
func TestSetRandMemberDistinct(t *testing.T) {
	_, path := newTestServer(t, Config{})
	tc := dial(t, path)
	tc.Do(setSeqArgs("SADD", "k", 0, 100)...)
	tc.Do("SADD", "k", "x")
	for _, count := range []int{2, 30, 34, 99, 100} {
		got := strings.Fields(strings.Trim(tc.Do("SRANDMEMBER", "k", strconv.Itoa(count)), "[]"))
		if len(got) != count {
			t.Fatalf("count %d: %d members", count, len(got))
		}
		slices.Sort(got)
		if len(slices.Compact(got)) != count {
			t.Fatalf("count %d: repeated members", count)
		}
	}
}

// TestSetWatch: a set command breaks a WATCH on its key only when it
// changes the set, as Redis signals a key modified only then.
func TestSetWatch(t *testing.T) {
	_, path := newTestServer(t, Config{})
	a, b := dial(t, path), dial(t, path)
	b.Do("SADD", "k", "1", "2")
	unchanged := [][]string{
		{"SADD", "k", "1"},
		{"SREM", "k", "9"},
		{"SPOP", "k", "0"},
		{"SMOVE", "k", "k", "1"},
		{"SMOVE", "k", "other", "9"},
		{"SINTERSTORE", "k2", "k", "nosuch"},
		{"SISMEMBER", "k", "1"},
		{"SRANDMEMBER", "k", "5"},
	}
	// breaks runs args on b while a watches k and k2, and reports whether
	// a's transaction was aborted.
	breaks := func(args []string) bool {
		run(t, a, []cmdCase{{[]string{"WATCH", "k", "k2"}, "OK"}, {[]string{"MULTI"}, "OK"}, {[]string{"SCARD", "k"}, "QUEUED"}})
		b.Do(args...)
		return a.Do("EXEC") == "(nil)"
	}
	for _, args := range unchanged {
		if breaks(args) {
			t.Errorf("%s broke the WATCH", strings.Join(args, " "))
		}
	}
	changed := [][]string{
		{"SADD", "k", "3"},
		{"SREM", "k", "3"},
		{"SMOVE", "k", "other", "2"},
		{"SMOVE", "other", "k", "2"},
		{"SINTERSTORE", "k2", "k", "k"},
		{"SINTERSTORE", "k2", "k", "nosuch"},
		{"SPOP", "k", "1"},
	}
	for _, args := range changed {
		if !breaks(args) {
			t.Errorf("%s left the WATCH", strings.Join(args, " "))
		}
	}
}
