package server

import (
	"fmt"
	"strings"
	"testing"
)

// Every expected reply below was checked against redis-server 7.0; the
// differential test (compat_diff_hash_test.go) compares many more.

// hashEncoding returns the encoding of the hash under key, "" if none.
func hashEncoding(tb testing.TB, s *Server, key string) string {
	tb.Helper()
	s.db.mu.Lock()
	defer s.db.mu.Unlock()
	e := s.db.peek(key)
	if e == nil {
		return ""
	}
	return s.db.obj(e).encoding()
}

func TestHashCommandsAccounting(t *testing.T) {
	s, path := newTestServer(t, Config{})
	tc := dial(t, path)
	run(t, tc, []cmdCase{
		{[]string{"HSET", "h", "a", "1", "b", "2"}, "2"},
		{[]string{"HGETALL", "h"}, "[a 1 b 2]"},
		{[]string{"HINCRBY", "h", "a", "41"}, "42"},
		{[]string{"HINCRBYFLOAT", "h", "b", "0.5"}, "2.5"},
		{[]string{"HSETNX", "h", "a", "x"}, "0"},
		{[]string{"HDEL", "h", "a", "zz"}, "1"},
		{[]string{"HSET", "s", "f", strings.Repeat("v", 65)}, "1"},
		{[]string{"SET", "str", "x"}, "OK"},
	})
	checkDBInvariants(t, s)
	if got := hashEncoding(t, s, "h"); got != "listpack" {
		t.Fatalf("h is %s", got)
	}
	if got := hashEncoding(t, s, "s"); got != "hashtable" {
		t.Fatalf("s, with a 65-byte value, is %s", got)
	}

	// Under hash-max-listpack-entries 128 (redis.conf's; the default is
	// 512), 128 fields stay a listpack, the 129th converts, for good.
	tc.Do("CONFIG", "SET", "hash-max-listpack-entries", "128")
	args := []string{"HSET", "big"}
	for i := range 128 {
		args = append(args, fmt.Sprintf("f%d", i), "v")
	}
	tc.Do(args...)
	if got := hashEncoding(t, s, "big"); got != "listpack" {
		t.Fatalf("128 fields: %s", got)
	}
	checkDBInvariants(t, s)
	tc.Do("HSET", "big", "f128", "v")
	if got := hashEncoding(t, s, "big"); got != "hashtable" {
		t.Fatalf("129 fields: %s", got)
	}
	checkDBInvariants(t, s)
	for i := range 125 {
		tc.Do("HDEL", "big", fmt.Sprintf("f%d", i))
	}
	if got := hashEncoding(t, s, "big"); got != "hashtable" {
		t.Fatalf("back to 4 fields: %s, want hashtable still", got)
	}
	checkDBInvariants(t, s)

	// COPY is deep; the last HDEL deletes the key.
	run(t, tc, []cmdCase{
		{[]string{"COPY", "big", "big2"}, "1"},
		{[]string{"HSET", "big2", "only2", "x"}, "1"},
		{[]string{"HEXISTS", "big", "only2"}, "0"},
		{[]string{"HLEN", "big"}, "4"},
		{[]string{"HDEL", "big", "f125", "f126", "f127", "f128"}, "4"},
		{[]string{"EXISTS", "big"}, "0"},
		{[]string{"HLEN", "big2"}, "5"},
		{[]string{"HDEL", "h", "b"}, "1"},
		{[]string{"EXISTS", "h"}, "0"},
	})
	checkDBInvariants(t, s)

	// Lowered limits convert on the next write.
	run(t, tc, []cmdCase{
		{[]string{"HSET", "c", "a", "1", "b", "2", "c", "3"}, "3"},
		{[]string{"CONFIG", "SET", "hash-max-listpack-entries", "2"}, "OK"},
		{[]string{"HGET", "c", "a"}, "1"},
	})
	if got := hashEncoding(t, s, "c"); got != "listpack" {
		t.Fatalf("a read converted: %s", got)
	}
	tc.Do("HSET", "c", "a", "9")
	if got := hashEncoding(t, s, "c"); got != "hashtable" {
		t.Fatalf("a write past the lowered limit: %s", got)
	}
	checkDBInvariants(t, s)
}

// TestHashScanLarge walks a hashtable hash with HSCAN through the
// server, changing it meanwhile, and checks every field present
// throughout is returned.
func TestHashScanLarge(t *testing.T) {
	s, path := newTestServer(t, Config{})
	tc := dial(t, path)
	const n = 5000
	for i := 0; i < n; i += 500 {
		args := []string{"HSET", "h"}
		for j := i; j < i+500; j++ {
			args = append(args, fmt.Sprintf("f%d", j), fmt.Sprint(j))
		}
		tc.Do(args...)
	}
	seen := map[string]bool{}
	cursor, calls := "0", 0
	for {
		reply := tc.Do("HSCAN", "h", cursor, "COUNT", "50")
		parts := strings.Fields(strings.Trim(reply, "[]"))
		cursor = parts[0]
		items := parts[1:]
		items[0] = strings.TrimPrefix(items[0], "[")
		if last := len(items) - 1; last >= 0 {
			items[last] = strings.TrimSuffix(items[last], "]")
		}
		for i := 0; i+1 < len(items); i += 2 {
			if strings.HasPrefix(items[i], "f") && "f"+items[i+1] != items[i] {
				t.Fatalf("pair %s=%s", items[i], items[i+1])
			}
			seen[items[i]] = true
		}
		calls++
		tc.Do("HSET", "h", fmt.Sprintf("new%d", calls), "x") // grows the table
		if cursor == "0" {
			break
		}
	}
	for i := range n {
		if !seen[fmt.Sprintf("f%d", i)] {
			t.Fatalf("f%d never returned", i)
		}
	}
	if calls < 10 {
		t.Fatalf("the walk took %d calls: COUNT ignored?", calls)
	}
	if got := tc.Do("HSCAN", "h", "0", "MATCH", "f1234", "COUNT", "100000"); got != "[0 [f1234 1234]]" {
		t.Fatalf("HSCAN MATCH: %s", got)
	}
	checkDBInvariants(t, s)
}

func TestHashRandfieldCounts(t *testing.T) {
	_, path := newTestServer(t, Config{})
	tc := dial(t, path)
	for _, key := range []string{"small", "large"} {
		n := 10
		if key == "large" {
			n = 1000
		}
		for i := range n {
			tc.Do("HSET", key, fmt.Sprintf("f%d", i), fmt.Sprintf("v%d", i))
		}
		for _, count := range []int{1, 3, n / 2, n - 1, n, n + 5} {
			got := strings.Fields(strings.Trim(tc.Do("HRANDFIELD", key, fmt.Sprint(count), "WITHVALUES"), "[]"))
			want := min(count, n)
			if len(got) != 2*want {
				t.Fatalf("%s: HRANDFIELD %d WITHVALUES gave %d items", key, count, len(got))
			}
			distinct := map[string]bool{}
			for i := 0; i < len(got); i += 2 {
				if "v"+got[i][1:] != got[i+1] || distinct[got[i]] {
					t.Fatalf("%s: HRANDFIELD %d: %v", key, count, got)
				}
				distinct[got[i]] = true
			}
		}
		got := strings.Fields(strings.Trim(tc.Do("HRANDFIELD", key, "-50"), "[]"))
		if len(got) != 50 {
			t.Fatalf("%s: HRANDFIELD -50 gave %d", key, len(got))
		}
	}
}
