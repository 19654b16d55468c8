package server

import (
	"fmt"
	"strings"
	"testing"
)

// zsetEncoding returns the representation of the sorted set under key.
func zsetEncoding(t *testing.T, s *Server, key string) string {
	t.Helper()
	s.db.mu.Lock()
	defer s.db.mu.Unlock()
	z, e, errText := getTyped[*zset](s.db, []byte(key))
	if e == nil || errText != "" {
		t.Fatalf("%q is not a sorted set (%s)", key, errText)
	}
	return z.encoding()
}

// TestZsetCommandsAccounting drives the sorted set commands across the
// conversion to the large form and checks the keyspace's invariants
// (each object's memory accounted as its memSize says) after each step.
func TestZsetCommandsAccounting(t *testing.T) {
	s, path := newTestServer(t, Config{})
	tc := dial(t, path)
	args := []string{"ZADD", "z"}
	for i := range 128 {
		args = append(args, fmt.Sprint(i), fmt.Sprintf("m%03d", i))
	}
	run(t, tc, []cmdCase{{args, "128"}})
	checkDBInvariants(t, s)
	if enc := zsetEncoding(t, s, "z"); enc != "listpack" {
		t.Fatalf("128 members: %s", enc)
	}
	run(t, tc, []cmdCase{
		{[]string{"ZADD", "z", "1.5", "extra"}, "1"},
		{[]string{"ZCARD", "z"}, "129"},
	})
	checkDBInvariants(t, s)
	if enc := zsetEncoding(t, s, "z"); enc != "skiplist" {
		t.Fatalf("129 members: %s", enc)
	}
	run(t, tc, []cmdCase{
		{[]string{"ZRANK", "z", "extra"}, "2"},
		{[]string{"ZINCRBY", "z", "1000", "extra"}, "1001.5"},
		{[]string{"ZREVRANK", "z", "extra"}, "0"},
		{[]string{"COPY", "z", "z2"}, "1"},
		{[]string{"ZREMRANGEBYRANK", "z2", "0", "-2"}, "128"},
		{[]string{"ZRANGE", "z2", "0", "-1", "WITHSCORES"}, "[extra 1001.5]"},
		{[]string{"ZCARD", "z"}, "129"},
		{[]string{"ZUNIONSTORE", "small", "1", "z2"}, "1"},
		{[]string{"ZRANGESTORE", "big", "z", "0", "-1"}, "129"},
		{[]string{"ZPOPMAX", "z2"}, "[extra 1001.5]"},
		{[]string{"EXISTS", "z2"}, "0"},
	})
	checkDBInvariants(t, s)
	if enc := zsetEncoding(t, s, "small"); enc != "listpack" {
		t.Errorf("a stored one-member result: %s", enc)
	}
	if enc := zsetEncoding(t, s, "big"); enc != "skiplist" {
		t.Errorf("a stored 129-member result: %s", enc)
	}
	run(t, tc, []cmdCase{
		{[]string{"ZADD", "long", "1", strings.Repeat("x", 65)}, "1"},
		{[]string{"CONFIG", "SET", "zset-max-listpack-entries", "2"}, "OK"},
		{[]string{"ZADD", "three", "1", "a", "2", "b", "3", "c"}, "3"},
	})
	if enc := zsetEncoding(t, s, "long"); enc != "skiplist" {
		t.Errorf("a 65-byte member: %s", enc)
	}
	if enc := zsetEncoding(t, s, "three"); enc != "skiplist" {
		t.Errorf("3 members past a limit of 2: %s", enc)
	}
	run(t, tc, []cmdCase{
		{[]string{"ZREMRANGEBYSCORE", "z", "-inf", "+inf"}, "129"},
		{[]string{"ZMPOP", "2", "z", "three", "MIN", "COUNT", "5"}, "[three [[a 1] [b 2] [c 3]]]"},
		{[]string{"DBSIZE"}, "3"},
	})
	checkDBInvariants(t, s)
}

// TestZrandmemberDistinct checks that a positive count gives distinct
// members of the set, by either way of sampling, and a negative one
// exactly that many.
func TestZrandmemberDistinct(t *testing.T) {
	_, path := newTestServer(t, Config{})
	tc := dial(t, path)
	args := []string{"ZADD", "z"}
	for i := range 200 {
		args = append(args, fmt.Sprint(i), fmt.Sprintf("m%03d", i))
	}
	run(t, tc, []cmdCase{{args, "200"}})
	for _, count := range []int{5, 60, 100, 199} {
		got := strings.Fields(strings.Trim(tc.Do("ZRANDMEMBER", "z", fmt.Sprint(count)), "[]"))
		seen := map[string]bool{}
		for _, m := range got {
			if seen[m] || !strings.HasPrefix(m, "m") {
				t.Fatalf("count %d: %q repeated or not a member", count, m)
			}
			seen[m] = true
		}
		if len(got) != count {
			t.Fatalf("count %d: %d members", count, len(got))
		}
	}
	if got := strings.Fields(strings.Trim(tc.Do("ZRANDMEMBER", "z", "-500"), "[]")); len(got) != 500 {
		t.Fatalf("count -500: %d members", len(got))
	}
}

// TestZsetBlocking: BZPOPMIN, BZPOPMAX and BZMPOP wait for a sorted set
// to appear, are served in the order they came, each as its command
// replies, and a ZADD of several members serves several waiters.
func TestZsetBlocking(t *testing.T) {
	s, path := newTestServer(t, Config{})
	ctl := dial(t, path)
	cmds := [][]string{
		{"BZPOPMIN", "nokey", "q", "0"},
		{"BZPOPMAX", "q", "0"},
		{"BZMPOP", "0", "2", "nokey", "q", "MIN", "COUNT", "2"},
		{"BZPOPMIN", "q", "0"},
	}
	waiters := make([]*testConn, len(cmds))
	for i, args := range cmds {
		waiters[i] = dial(t, path)
		waiters[i].Send(args...)
		waitFor(t, func() bool { return blockedClients(ctl) == i+1 })
	}
	// A string under the key serves nobody; the set that replaces it does.
	run(t, ctl, []cmdCase{
		{[]string{"SET", "q", "x"}, "OK"},
		{[]string{"DEL", "q"}, "1"},
		{[]string{"ZADD", "q", "1", "a", "2", "b", "3", "c", "4", "d"}, "4"},
	})
	want := []string{"[q a 1]", "[q d 4]", "[q [[b 2] [c 3]]]"}
	for i, w := range want {
		if got := waiters[i].Read(); got != w {
			t.Errorf("waiter %d (%v): got %q, want %q", i, cmds[i], got, w)
		}
	}
	if n := blockedClients(ctl); n != 1 {
		t.Fatalf("blocked_clients %d, want the last still waiting", n)
	}
	run(t, ctl, []cmdCase{
		{[]string{"EXISTS", "q"}, "0"},
		{[]string{"ZADD", "q", "5", "e"}, "1"},
	})
	if got := waiters[3].Read(); got != "[q e 5]" {
		t.Errorf("last waiter: got %q", got)
	}
	checkDBInvariants(t, s)
}
