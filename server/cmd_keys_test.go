package server

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// keysTestSet stores key=val straight into s's keyspace, expiring in px
// ms if px > 0: these tests stand it in for SET, which another command
// group provides.
func keysTestSet(tb testing.TB, s *Server, key, val string, px int64) {
	tb.Helper()
	s.db.mu.Lock()
	defer s.db.mu.Unlock()
	s.db.now = s.now().UnixMilli()
	exp := int64(0)
	if px > 0 {
		exp = s.db.now + px
	}
	s.db.set([]byte(key), []byte(val), exp, false)
}

// keysTestGet returns key's value and whether it is live.
func keysTestGet(tb testing.TB, s *Server, key string) (string, bool) {
	tb.Helper()
	s.db.mu.Lock()
	defer s.db.mu.Unlock()
	s.db.now = s.now().UnixMilli()
	e := s.db.get(key)
	if e == nil {
		return "", false
	}
	return string(e.val), true
}

// checkDBInvariants fails tb unless the keyspace's structures agree:
// every live entry is found by its key through the index and no free one
// is, the index counts the live entries, the free list holds exactly the
// free entry numbers, ttlIdx lists exactly the entries with an expiry,
// and the accounted memory is what the entries hold.
func checkDBInvariants(tb testing.TB, s *Server) {
	tb.Helper()
	db := s.db
	db.mu.Lock()
	defer db.mu.Unlock()
	live, ttls, mem, objs := 0, 0, int64(0), 0
	for i := range db.nslots {
		e := db.at(i)
		if e.val == nil {
			continue
		}
		live++
		mem += int64(allocLen(e))
		if e.kind() != kindString {
			ref := db.objs[objNum(e)]
			objs++
			mem += ref.mem
			if ref.o.kind() != e.kind() || ref.o.length() == 0 || ref.mem != ref.o.memSize() {
				tb.Fatalf("entry %d (%q) of type %s: object of type %s, length %d, accounted %d of %d bytes", i, keyOf(e), e.kind(), ref.o.kind(), ref.o.length(), ref.mem, ref.o.memSize())
			}
		}
		if got := db.peek(keyOf(e)); got != e {
			tb.Fatalf("key %q of entry %d is not found through the index", keyOf(e), i)
		}
		if (e.exp != 0) != (e.ttl != 0) || (e.ttl != 0 && db.ttlIdx[e.ttl-1] != i) {
			tb.Fatalf("entry %d (%q): exp %d, ttl position %d", i, keyOf(e), e.exp, e.ttl)
		}
		if e.ttl != 0 {
			ttls++
		}
	}
	indexed, slots := 0, int64(0)
	for i := range db.index.tables {
		t := &db.index.tables[i]
		n := 0
		slots += int64(len(t.slots))
		for _, sl := range t.slots {
			if sl != 0 {
				n++
			}
		}
		if n != t.n {
			tb.Fatalf("index table %d holds %d keys, counts %d", i, n, t.n)
		}
		indexed += n
	}
	if indexed != db.index.n || slots != db.index.size {
		tb.Fatalf("index tables hold %d keys in %d slots, index counts %d in %d", indexed, slots, db.index.n, db.index.size)
	}
	if live != db.live || live != db.index.n || int(db.nslots)-live != len(db.free) {
		tb.Fatalf("live entries %d, live %d, indexed %d, free %d of %d", live, db.live, db.index.n, len(db.free), db.nslots)
	}
	for _, i := range db.free {
		if db.at(i).val != nil {
			tb.Fatalf("free list has live entry %d", i)
		}
	}
	if kept := len(db.objs) - len(db.objFree); objs != kept {
		tb.Fatalf("%d objects kept, %d entries have one", kept, objs)
	}
	if ttls != len(db.ttlIdx) {
		tb.Fatalf("ttlIdx has %d entries, %d keys have an expiry", len(db.ttlIdx), ttls)
	}
	if mem != db.valMem {
		tb.Fatalf("entries hold %d bytes, accounted %d", mem, db.valMem)
	}
}

// doRaw sends a command and returns its reply exactly as sent.
func doRaw(tc *testConn, args ...string) string {
	tc.tb.Helper()
	tc.Send(args...)
	return tc.ReadRawReply()
}

func TestDelExistsTouch(t *testing.T) {
	s, path := newTestServer(t, Config{})
	tc := dial(t, path)
	for _, k := range []string{"a", "b", "c", ""} {
		keysTestSet(t, s, k, "v", 0)
	}
	run(t, tc, []cmdCase{
		{[]string{"EXISTS", "a"}, "1"},
		{[]string{"EXISTS", "a", "a", "b", "zz", ""}, "4"},
		{[]string{"TOUCH", "a", "a", "zz"}, "2"},
		{[]string{"touch", "zz"}, "0"},
		{[]string{"DEL", "a", "a", "zz"}, "1"},
		{[]string{"EXISTS", "a"}, "0"},
		{[]string{"UNLINK", "b", "c", "b"}, "2"},
		{[]string{"DEL", ""}, "1"},
		{[]string{"DEL", "b"}, "0"},
		{[]string{"DEL"}, "ERR wrong number of arguments for 'del' command"},
		{[]string{"UNLINK"}, "ERR wrong number of arguments for 'unlink' command"},
		{[]string{"EXISTS"}, "ERR wrong number of arguments for 'exists' command"},
		{[]string{"TOUCH"}, "ERR wrong number of arguments for 'touch' command"},
		{[]string{"DBSIZE"}, "0"},
	})
	checkDBInvariants(t, s)
}

func TestKeys(t *testing.T) {
	s, path := newTestServer(t, Config{})
	tc := dial(t, path)
	for _, k := range []string{"foo", "fao", "f[o", "bar", "f*o", "h\\x", "e\x00x"} {
		keysTestSet(t, s, k, "v", 0)
	}
	run(t, tc, []cmdCase{
		{[]string{"KEYS", "*"}, "[foo fao f[o bar f*o h\\x e\x00x]"},
		{[]string{"KEYS", "f?o"}, "[foo fao f[o f*o]"},
		{[]string{"KEYS", "f[a-f]o"}, "[fao]"},
		{[]string{"KEYS", "f[^o]o"}, "[fao f[o f*o]"},
		{[]string{"KEYS", "f\\*o"}, "[f*o]"},
		{[]string{"KEYS", "f\\[o"}, "[f[o]"},
		{[]string{"KEYS", "h\\\\x"}, "[h\\x]"},
		{[]string{"KEYS", "e\x00*"}, "[e\x00x]"},
		{[]string{"KEYS", "nomatch*"}, "[]"},
		{[]string{"KEYS", ""}, "[]"},
		{[]string{"KEYS"}, "ERR wrong number of arguments for 'keys' command"},
		{[]string{"KEYS", "a", "b"}, "ERR wrong number of arguments for 'keys' command"},
	})
}

// TestKeysEmptyKey: "*" matches nothing of the empty key, yet KEYS * and
// SCAN MATCH * return every key, as in Redis.
func TestKeysEmptyKey(t *testing.T) {
	s, path := newTestServer(t, Config{})
	tc := dial(t, path)
	keysTestSet(t, s, "", "v", 0)
	const one, none = "*1\r\n$0\r\n\r\n", "*0\r\n"
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"KEYS", "*"}, one},
		{[]string{"KEYS", "**"}, none},
		{[]string{"KEYS", ""}, one},
		{[]string{"KEYS", "?"}, none},
		{[]string{"SCAN", "0", "MATCH", "*"}, "*2\r\n$1\r\n0\r\n" + one},
		{[]string{"SCAN", "0", "MATCH", "**"}, "*2\r\n$1\r\n0\r\n" + none},
		{[]string{"SCAN", "0", "MATCH", ""}, "*2\r\n$1\r\n0\r\n" + one},
	} {
		if got := doRaw(tc, c.args...); got != c.want {
			t.Errorf("%q: got %q, want %q", c.args, got, c.want)
		}
	}
}

func TestKeysSkipsExpired(t *testing.T) {
	clock := newFakeClock()
	s, path := newTestServerClock(t, Config{}, clock)
	tc := dial(t, path)
	keysTestSet(t, s, "a", "v", 0)
	keysTestSet(t, s, "b", "v", 100)
	run(t, tc, []cmdCase{{[]string{"KEYS", "*"}, "[a b]"}})
	clock.Advance(100 * time.Millisecond)
	run(t, tc, []cmdCase{
		{[]string{"KEYS", "*"}, "[a]"},
		{[]string{"SCAN", "0"}, "[0 [a]]"},
		{[]string{"EXISTS", "b"}, "0"},
	})
}

func TestTypeRandomKey(t *testing.T) {
	s, path := newTestServer(t, Config{})
	tc := dial(t, path)
	run(t, tc, []cmdCase{
		{[]string{"RANDOMKEY"}, "(nil)"},
		{[]string{"TYPE", "a"}, "none"},
		{[]string{"RANDOMKEY", "x"}, "ERR wrong number of arguments for 'randomkey' command"},
		{[]string{"TYPE"}, "ERR wrong number of arguments for 'type' command"},
	})
	keysTestSet(t, s, "a", "v", 0)
	run(t, tc, []cmdCase{
		{[]string{"RANDOMKEY"}, "a"},
		{[]string{"TYPE", "a"}, "string"},
	})
	keysTestSet(t, s, "b", "v", 0)
	seen := map[string]bool{}
	for i := 0; i < 200 && len(seen) < 2; i++ {
		seen[tc.Do("RANDOMKEY")] = true
	}
	if !seen["a"] || !seen["b"] || len(seen) != 2 {
		t.Errorf("RANDOMKEY returned %v, want a and b", seen)
	}
}

func TestRandomKeyExpired(t *testing.T) {
	clock := newFakeClock()
	s, path := newTestServerClock(t, Config{}, clock)
	tc := dial(t, path)
	for i := range 100 {
		keysTestSet(t, s, "k"+strconv.Itoa(i), "v", 10)
	}
	keysTestSet(t, s, "live", "v", 0)
	clock.Advance(time.Second)
	run(t, tc, []cmdCase{{[]string{"RANDOMKEY"}, "live"}})
	run(t, tc, []cmdCase{{[]string{"DEL", "live"}, "1"}, {[]string{"RANDOMKEY"}, "(nil)"}})
	checkDBInvariants(t, s)
}

// TestKeysRESP3 checks the replies whose RESP3 form differs, or could.
func TestKeysRESP3(t *testing.T) {
	s, path := newTestServer(t, Config{})
	tc := dial(t, path)
	cases := []struct {
		args       []string
		resp2, res string
	}{
		{[]string{"RANDOMKEY"}, "$-1\r\n", "_\r\n"},
		{[]string{"KEYS", "*"}, "*0\r\n", "*0\r\n"},
		{[]string{"SCAN", "0"}, "*2\r\n$1\r\n0\r\n*0\r\n", "*2\r\n$1\r\n0\r\n*0\r\n"},
		{[]string{"TYPE", "a"}, "+none\r\n", "+none\r\n"},
		{[]string{"PERSIST", "a"}, ":0\r\n", ":0\r\n"},
	}
	for _, proto := range []string{"2", "3"} {
		tc.Do("HELLO", proto)
		for _, c := range cases {
			want := c.resp2
			if proto == "3" {
				want = c.res
			}
			if got := doRaw(tc, c.args...); got != want {
				t.Errorf("RESP%s %v: got %q, want %q", proto, c.args, got, want)
			}
		}
	}
	keysTestSet(t, s, "a", "v", 0)
	keysTestSet(t, s, "b", "v", 100000)
	tc.Do("HELLO", "3")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"RANDOMKEY"}, "$1\r\n"},
		{[]string{"KEYS", "a"}, "*1\r\n$1\r\na\r\n"},
		{[]string{"SCAN", "0", "MATCH", "a"}, "*2\r\n$1\r\n0\r\n*1\r\n$1\r\na\r\n"},
		{[]string{"TYPE", "a"}, "+string\r\n"},
		{[]string{"EXISTS", "a"}, ":1\r\n"},
		{[]string{"PERSIST", "b"}, ":1\r\n"},
		{[]string{"EXPIRE", "a", "100"}, ":1\r\n"},
		{[]string{"TTL", "a"}, ":100\r\n"},
		{[]string{"COPY", "a", "c"}, ":1\r\n"},
		{[]string{"RENAMENX", "c", "d"}, ":1\r\n"},
		{[]string{"RENAME", "d", "e"}, "+OK\r\n"},
	} {
		if got := doRaw(tc, c.args...); !strings.HasPrefix(got, c.want) {
			t.Errorf("RESP3 %v: got %q, want %q", c.args, got, c.want)
		}
	}
}

func TestRename(t *testing.T) {
	clock := newFakeClock()
	s, path := newTestServerClock(t, Config{}, clock)
	tc := dial(t, path)
	keysTestSet(t, s, "a", "va", 10000)
	keysTestSet(t, s, "b", "vb", 0)
	keysTestSet(t, s, "c", "vc", 0)
	run(t, tc, []cmdCase{
		{[]string{"RENAME", "zz", "q"}, "ERR no such key"},
		{[]string{"RENAME", "zz", "zz"}, "ERR no such key"},
		{[]string{"RENAMENX", "zz", "zz"}, "ERR no such key"},
		{[]string{"RENAMENX", "zz", "q"}, "ERR no such key"},
		{[]string{"RENAME", "a", "a"}, "OK"},
		{[]string{"RENAMENX", "a", "a"}, "0"},
		{[]string{"PTTL", "a"}, "10000"},
		{[]string{"RENAMENX", "a", "b"}, "0"},
		{[]string{"RENAME", "a", "b"}, "OK"}, // overwrites b, keeps a's TTL
		{[]string{"EXISTS", "a"}, "0"},
		{[]string{"PTTL", "b"}, "10000"},
		{[]string{"RENAMENX", "b", "n"}, "1"},
		{[]string{"PTTL", "n"}, "10000"},
		{[]string{"RENAME", "c", "b"}, "OK"}, // no TTL moves along too
		{[]string{"TTL", "b"}, "-1"},
		{[]string{"KEYS", "*"}, "[n b]"}, // renamed keys are new keys
		{[]string{"RENAME", "a"}, "ERR wrong number of arguments for 'rename' command"},
		{[]string{"RENAMENX", "a", "b", "c"}, "ERR wrong number of arguments for 'renamenx' command"},
	})
	if v, _ := keysTestGet(t, s, "b"); v != "vc" {
		t.Errorf("b = %q, want vc", v)
	}
	if v, _ := keysTestGet(t, s, "n"); v != "va" {
		t.Errorf("n = %q, want va", v)
	}
	checkDBInvariants(t, s)

	// An expired source is missing; an expired destination is free.
	keysTestSet(t, s, "x", "vx", 10)
	keysTestSet(t, s, "y", "vy", 0)
	keysTestSet(t, s, "old", "vo", 10)
	clock.Advance(10 * time.Millisecond)
	run(t, tc, []cmdCase{
		{[]string{"RENAME", "x", "q"}, "ERR no such key"},
		{[]string{"RENAMENX", "y", "old"}, "1"},
		{[]string{"TTL", "old"}, "-1"},
	})
	checkDBInvariants(t, s)
}

func TestCopy(t *testing.T) {
	clock := newFakeClock()
	s, path := newTestServerClock(t, Config{}, clock)
	tc := dial(t, path)
	keysTestSet(t, s, "a", "va", 5000)
	keysTestSet(t, s, "b", "vb", 0)
	run(t, tc, []cmdCase{
		{[]string{"COPY", "a", "a"}, "ERR source and destination objects are the same"},
		{[]string{"COPY", "zz", "zz"}, "ERR source and destination objects are the same"},
		{[]string{"COPY", "a", "a", "DB", "1"}, "ERR DB index is out of range"},
		{[]string{"COPY", "a", "c", "DB", "1"}, "ERR DB index is out of range"},
		{[]string{"COPY", "a", "c", "DB", "-1"}, "ERR DB index is out of range"},
		{[]string{"COPY", "a", "c", "DB", "x"}, "ERR value is not an integer or out of range"},
		{[]string{"COPY", "a", "c", "DB", "99999999999"}, "ERR value is out of range, value must between -2147483648 and 2147483647"},
		{[]string{"COPY", "a", "c", "DB", "0\x00"}, "ERR value is not an integer or out of range"},
		{[]string{"COPY", "a", "c", "DB"}, "ERR syntax error"},
		{[]string{"COPY", "a", "c", "FOO", "DB", "1"}, "ERR syntax error"},
		{[]string{"COPY", "a", "c", "DB", "x", "FOO"}, "ERR value is not an integer or out of range"},
		{[]string{"COPY", "a"}, "ERR wrong number of arguments for 'copy' command"},
		{[]string{"COPY", "zz", "c"}, "0"},
		{[]string{"COPY", "a", "b"}, "0"},
		{[]string{"COPY", "a", "c", "db", "0", "DB", "0"}, "1"},
		{[]string{"PTTL", "c"}, "5000"},
		{[]string{"COPY", "b", "c"}, "0"},
		{[]string{"COPY", "b", "c", "replace", "REPLACE"}, "1"},
		{[]string{"TTL", "c"}, "-1"},
		{[]string{"COPY", "a", "b", "REPLACE\x00junk"}, "1"},
		{[]string{"PTTL", "b"}, "5000"},
		{[]string{"PTTL", "a"}, "5000"},
		{[]string{"KEYS", "*"}, "[a b c]"}, // the new b takes the old b's freed entry number
	})
	if v, _ := keysTestGet(t, s, "c"); v != "vb" {
		t.Errorf("c = %q, want vb", v)
	}
	// The copy is independent of the source.
	keysTestSet(t, s, "a", "changed", 0)
	if v, _ := keysTestGet(t, s, "b"); v != "va" {
		t.Errorf("b = %q, want va", v)
	}
	clock.Advance(5 * time.Second)
	run(t, tc, []cmdCase{
		{[]string{"EXISTS", "a", "b", "c"}, "2"},
		{[]string{"COPY", "c", "b"}, "1"}, // expired destination is free
	})
	checkDBInvariants(t, s)
}

func TestExpireOptions(t *testing.T) {
	clock := newFakeClock()
	s, path := newTestServerClock(t, Config{}, clock)
	tc := dial(t, path)
	keysTestSet(t, s, "a", "v", 0)
	run(t, tc, []cmdCase{
		{[]string{"EXPIRE", "a", "10", "foo"}, "ERR Unsupported option foo"},
		{[]string{"EXPIRE", "a", "x", "foo"}, "ERR Unsupported option foo"},
		{[]string{"EXPIRE", "zz", "10", "foo"}, "ERR Unsupported option foo"},
		{[]string{"EXPIRE", "a", "10", "foo\x00nx"}, "ERR Unsupported option foo"},
		{[]string{"EXPIRE", "a", "10", "fo\ro"}, "ERR Unsupported option fo o"},
		{[]string{"EXPIRE", "a", "10", "\nfo\r\n"}, "ERR Unsupported option  fo"},
		{[]string{"EXPIRE", "a", "x", "nx", "xx"}, "ERR NX and XX, GT or LT options at the same time are not compatible"},
		{[]string{"EXPIRE", "a", "10", "NX", "GT"}, "ERR NX and XX, GT or LT options at the same time are not compatible"},
		{[]string{"EXPIRE", "a", "10", "nx", "lt"}, "ERR NX and XX, GT or LT options at the same time are not compatible"},
		{[]string{"EXPIRE", "a", "10", "gt", "lt"}, "ERR GT and LT options at the same time are not compatible"},
		{[]string{"EXPIRE", "a", "x"}, "ERR value is not an integer or out of range"},
		{[]string{"EXPIRE", "a", "1.5"}, "ERR value is not an integer or out of range"},
		{[]string{"EXPIRE", "a"}, "ERR wrong number of arguments for 'expire' command"},
		{[]string{"PEXPIREAT", "a"}, "ERR wrong number of arguments for 'pexpireat' command"},
		{[]string{"EXPIRE", "zz", "10"}, "0"},
		{[]string{"EXPIRE", "a", "10", "xx"}, "0"},
		{[]string{"EXPIRE", "a", "10", "gt"}, "0"}, // no expiry counts as infinite
		{[]string{"EXPIRE", "a", "10", "xx", "gt"}, "0"},
		{[]string{"TTL", "a"}, "-1"},
		{[]string{"EXPIRE", "a", "100", "lt"}, "1"},
		{[]string{"EXPIRE", "a", "10", "nx"}, "0"},
		{[]string{"EXPIRE", "a", "100", "gt"}, "0"},
		{[]string{"EXPIRE", "a", "50", "gt"}, "0"},
		{[]string{"EXPIRE", "a", "200", "GT"}, "1"},
		{[]string{"EXPIRE", "a", "500", "lt"}, "0"},
		{[]string{"EXPIRE", "a", "200", "lt"}, "0"},
		{[]string{"EXPIRE", "a", "50", "xx", "lt"}, "1"},
		{[]string{"TTL", "a"}, "50"},
		{[]string{"EXPIRE", "a", "60", "nx\x00junk"}, "0"},
		{[]string{"PERSIST", "a"}, "1"},
		{[]string{"EXPIRE", "a", "60", "nx"}, "1"},
		{[]string{"TTL", "a"}, "60"},
		{[]string{"EXPIRE", "a", "10", "xx"}, "1"},
		{[]string{"TTL", "a"}, "10"},
	})
	checkDBInvariants(t, s)
}

func TestExpireOverflow(t *testing.T) {
	clock := newFakeClock()
	s, path := newTestServerClock(t, Config{}, clock)
	tc := dial(t, path)
	keysTestSet(t, s, "a", "v", 0)
	now := clock.Now().UnixMilli()
	run(t, tc, []cmdCase{
		{[]string{"EXPIRE", "a", "9223372036854775807"}, "ERR invalid expire time in 'expire' command"},
		{[]string{"EXPIRE", "zz", "9223372036854775807"}, "ERR invalid expire time in 'expire' command"},
		{[]string{"EXPIRE", "a", "-9223372036854775808"}, "ERR invalid expire time in 'expire' command"},
		{[]string{"EXPIRE", "a", "9223372036854775"}, "ERR invalid expire time in 'expire' command"},
		{[]string{"EXPIRE", "a", "9223372036854775808"}, "ERR value is not an integer or out of range"},
		{[]string{"PEXPIRE", "a", "9223372036854775807"}, "ERR invalid expire time in 'pexpire' command"},
		{[]string{"PEXPIRE", "a", strconv.FormatInt(9223372036854775807-now+1, 10)}, "ERR invalid expire time in 'pexpire' command"},
		{[]string{"EXPIREAT", "a", "9223372036854775807"}, "ERR invalid expire time in 'expireat' command"},
		{[]string{"EXPIREAT", "a", "9223372036854776"}, "ERR invalid expire time in 'expireat' command"},
		{[]string{"PEXPIRE", "a", strconv.FormatInt(9223372036854775807-now, 10)}, "1"},
		{[]string{"PEXPIRETIME", "a"}, "9223372036854775807"},
		{[]string{"EXPIRETIME", "a"}, "9223372036854776"},
		{[]string{"PEXPIREAT", "a", "9223372036854775807"}, "1"},
		{[]string{"EXPIREAT", "a", "9223372036854775"}, "1"},
		{[]string{"PEXPIRETIME", "a"}, "9223372036854775000"},
		{[]string{"EXPIRETIME", "a"}, "9223372036854775"},
		{[]string{"PEXPIREAT", "a", "-9223372036854775808"}, "1"}, // the past: deleted
		{[]string{"EXISTS", "a"}, "0"},
	})
	checkDBInvariants(t, s)
}

func TestExpireTTLClock(t *testing.T) {
	clock := newFakeClock()
	s, path := newTestServerClock(t, Config{}, clock)
	tc := dial(t, path)
	now := clock.Now().UnixMilli()
	for _, k := range []string{"a", "b", "c", "d", "e", "f"} {
		keysTestSet(t, s, k, "v", 0)
	}
	nowS := strconv.FormatInt(now/1000, 10)
	run(t, tc, []cmdCase{
		{[]string{"TTL", "zz"}, "-2"},
		{[]string{"PTTL", "zz"}, "-2"},
		{[]string{"EXPIRETIME", "zz"}, "-2"},
		{[]string{"PEXPIRETIME", "zz"}, "-2"},
		{[]string{"TTL", "a"}, "-1"},
		{[]string{"PTTL", "a"}, "-1"},
		{[]string{"EXPIRETIME", "a"}, "-1"},
		{[]string{"PEXPIRETIME", "a"}, "-1"},
		{[]string{"PERSIST", "a"}, "0"},
		{[]string{"PERSIST", "zz"}, "0"},
		{[]string{"TTL"}, "ERR wrong number of arguments for 'ttl' command"},
		{[]string{"PERSIST", "a", "b"}, "ERR wrong number of arguments for 'persist' command"},
		{[]string{"EXPIRE", "a", "10"}, "1"},
		{[]string{"TTL", "a"}, "10"},
		{[]string{"PTTL", "a"}, "10000"},
		{[]string{"EXPIRETIME", "a"}, strconv.FormatInt(now/1000+10, 10)},
		{[]string{"PEXPIRETIME", "a"}, strconv.FormatInt(now+10000, 10)},
		{[]string{"PEXPIRE", "b", "1500"}, "1"},
		{[]string{"TTL", "b"}, "2"}, // (1500+500)/1000
		{[]string{"PEXPIRE", "b", "1499"}, "1"},
		{[]string{"TTL", "b"}, "1"},
		{[]string{"PEXPIRE", "b", "499"}, "1"},
		{[]string{"TTL", "b"}, "0"},
		{[]string{"PEXPIREAT", "c", strconv.FormatInt(now+1, 10)}, "1"},
		{[]string{"PTTL", "c"}, "1"},
		{[]string{"EXPIREAT", "d", nowS + "0"}, "1"},
		{[]string{"EXPIREAT", "e", nowS}, "1"}, // now: already expired
		{[]string{"EXISTS", "e"}, "0"},
		{[]string{"PEXPIREAT", "f", strconv.FormatInt(now, 10)}, "1"},
		{[]string{"EXISTS", "f"}, "0"},
		{[]string{"PEXPIRE", "zz", "-1"}, "0"},
		{[]string{"EXPIRE", "zz", "0"}, "0"},
	})
	clock.Advance(1 * time.Millisecond)
	run(t, tc, []cmdCase{
		{[]string{"PTTL", "c"}, "-2"},
		{[]string{"EXISTS", "b"}, "1"},
		{[]string{"PTTL", "a"}, "9999"},
	})
	clock.Advance(9499 * time.Millisecond)
	run(t, tc, []cmdCase{
		{[]string{"EXISTS", "b"}, "0"},
		{[]string{"PTTL", "a"}, "500"},
		{[]string{"TTL", "a"}, "1"},
		{[]string{"PERSIST", "a"}, "1"},
		{[]string{"PERSIST", "a"}, "0"},
	})
	clock.Advance(time.Hour)
	run(t, tc, []cmdCase{
		{[]string{"TTL", "a"}, "-1"},
		{[]string{"EXPIRE", "a", "-1"}, "1"}, // the past deletes
		{[]string{"EXISTS", "a"}, "0"},
		{[]string{"EXISTS", "d"}, "1"},
		{[]string{"EXPIRE", "d", "0", "xx"}, "1"},
		{[]string{"KEYS", "*"}, "[]"},
	})
	checkDBInvariants(t, s)
}

func TestScanArgs(t *testing.T) {
	s, path := newTestServer(t, Config{})
	tc := dial(t, path)
	keysTestSet(t, s, "a", "v", 0)
	keysTestSet(t, s, "b", "v", 0)
	run(t, tc, []cmdCase{
		{[]string{"SCAN", "0"}, "[0 [a b]]"},
		{[]string{"SCAN", ""}, "[0 [a b]]"},
		{[]string{"SCAN", "+0"}, "[0 [a b]]"},
		{[]string{"SCAN", "-0"}, "[0 [a b]]"},
		{[]string{"SCAN", "0\x00x"}, "[0 [a b]]"},
		{[]string{"SCAN", "-1"}, "[0 []]"},
		{[]string{"SCAN", "18446744073709551615"}, "[0 []]"},
		{[]string{"SCAN", "-18446744073709551615"}, "[0 [a b]]"}, // wraps to 1
		{[]string{"SCAN", "2"}, "[0 [b]]"},
		{[]string{"SCAN", "18446744073709551616"}, "ERR invalid cursor"},
		{[]string{"SCAN", "-18446744073709551616"}, "ERR invalid cursor"},
		{[]string{"SCAN", " 0"}, "ERR invalid cursor"},
		{[]string{"SCAN", "0 "}, "ERR invalid cursor"},
		{[]string{"SCAN", "+"}, "ERR invalid cursor"},
		{[]string{"SCAN", "-"}, "ERR invalid cursor"},
		{[]string{"SCAN", "+-1"}, "ERR invalid cursor"},
		{[]string{"SCAN", "0x1"}, "ERR invalid cursor"},
		{[]string{"SCAN", "1.5"}, "ERR invalid cursor"},
		{[]string{"SCAN", "1_0"}, "ERR invalid cursor"},
		{[]string{"SCAN", "x", "COUNT", "0"}, "ERR invalid cursor"},
		{[]string{"SCAN", "0", "COUNT", "0"}, "ERR syntax error"},
		{[]string{"SCAN", "0", "COUNT", "-1"}, "ERR syntax error"},
		{[]string{"SCAN", "0", "COUNT", "x"}, "ERR value is not an integer or out of range"},
		{[]string{"SCAN", "0", "COUNT", "9223372036854775808"}, "ERR value is not an integer or out of range"},
		{[]string{"SCAN", "0", "COUNT", "x", "FOO"}, "ERR value is not an integer or out of range"},
		{[]string{"SCAN", "0", "FOO"}, "ERR syntax error"},
		{[]string{"SCAN", "0", "FOO", "bar"}, "ERR syntax error"},
		{[]string{"SCAN", "0", "MATCH"}, "ERR syntax error"},
		{[]string{"SCAN", "0", "TYPE"}, "ERR syntax error"},
		{[]string{"SCAN", "0", "COUNT", "1", "MATCH"}, "ERR syntax error"},
		{[]string{"SCAN", "0", "TYPE", "string", "COUNT", "0"}, "ERR syntax error"},
		{[]string{"SCAN"}, "ERR wrong number of arguments for 'scan' command"},
		{[]string{"SCAN", "0", "COUNT", "9223372036854775807"}, "[0 [a b]]"},
		{[]string{"SCAN", "0", "count\x00x", "1"}, "[2 [a]]"},
		{[]string{"SCAN", "0", "COUNT", "10", "count", "1"}, "[2 [a]]"},
		{[]string{"SCAN", "2", "COUNT", "1"}, "[0 [b]]"},
		{[]string{"SCAN", "0", "MATCH", "b"}, "[0 [b]]"},
		{[]string{"SCAN", "0", "MATCH", "b", "MATCH", "*"}, "[0 [a b]]"},
		{[]string{"SCAN", "0", "MATCH", "b", "COUNT", "1"}, "[2 []]"},
		{[]string{"SCAN", "0", "TYPE", "string"}, "[0 [a b]]"},
		{[]string{"SCAN", "0", "TYPE", "STRING"}, "[0 [a b]]"},
		{[]string{"SCAN", "0", "TYPE", "string\x00x"}, "[0 [a b]]"},
		{[]string{"SCAN", "0", "TYPE", "list"}, "[0 []]"},
		{[]string{"SCAN", "0", "TYPE", "foo", "COUNT", "1"}, "[2 []]"},
		{[]string{"SCAN", "0", "type", "list", "TYPE", "string"}, "[0 [a b]]"},
	})
}

// TestScanBig scans a big keyspace with COUNTs small and large.
func TestScanBig(t *testing.T) {
	s, path := newTestServer(t, Config{})
	tc := dial(t, path)
	const n = 20000
	for i := range n {
		keysTestSet(t, s, "key:"+strconv.Itoa(i), "v", 0)
	}
	for _, count := range []int{1000, 3, 7777, n, n + 1, 1 << 40} {
		if count == 3 && testing.Short() {
			continue
		}
		seen := make(map[string]int, n)
		calls := 0
		cursor := "0"
		for {
			tc.Send("SCAN", cursor, "COUNT", strconv.Itoa(count))
			next, keys := readScanReply(t, tc)
			calls++
			for _, k := range keys {
				seen[k]++
			}
			if len(keys) > count {
				t.Fatalf("COUNT %d: a call returned %d keys", count, len(keys))
			}
			if cursor = next; cursor == "0" {
				break
			}
		}
		if len(seen) != n {
			t.Errorf("COUNT %d: %d distinct keys, want %d", count, len(seen), n)
		}
		for k, c := range seen {
			if c != 1 {
				t.Errorf("COUNT %d: %s returned %d times", count, k, c)
			}
		}
		if want := (n + count - 1) / count; calls != want {
			t.Errorf("COUNT %d: %d calls, want %d", count, calls, want)
		}
	}
	// A MATCH filter applies after COUNT, as in Redis.
	tc.Send("SCAN", "0", "MATCH", "key:1999?", "COUNT", strconv.Itoa(n))
	if next, keys := readScanReply(t, tc); next != "0" || len(keys) != 10 {
		t.Errorf("SCAN MATCH: cursor %s, %d keys, want 0 and 10", next, len(keys))
	}
}

// readScanReply reads a SCAN reply: the next cursor and the keys.
func readScanReply(tb testing.TB, tc *testConn) (string, []string) {
	tb.Helper()
	tc.c.SetReadDeadline(time.Now().Add(10 * time.Second))
	var head [3]string // *2, $len, cursor
	for i := range head {
		line, err := tc.r.ReadString('\n')
		if err != nil {
			tb.Fatal(err)
		}
		head[i] = strings.TrimSuffix(line, "\r\n")
	}
	if head[0] != "*2" || head[1][0] != '$' {
		tb.Fatalf("SCAN reply starts %q", head)
	}
	cursor := head[2]
	line, err := tc.r.ReadString('\n')
	if err != nil {
		tb.Fatal(err)
	}
	n, err := strconv.Atoi(strings.TrimSuffix(line[1:], "\r\n"))
	if err != nil || line[0] != '*' {
		tb.Fatalf("SCAN keys header %q", line)
	}
	keys := make([]string, n)
	for i := range keys {
		if keys[i], err = readReply(tc.r); err != nil {
			tb.Fatal(err)
		}
	}
	return cursor, keys
}

// TestScanUnderMutation checks SCAN's guarantee: a key present for the
// whole scan is returned exactly once, however other keys are added,
// deleted, renamed, copied and expired, and the stable keys themselves
// overwritten or given and stripped of expiries, between the calls.
func TestScanUnderMutation(t *testing.T) {
	for seed := range uint64(5) {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			scanUnderMutation(t, seed)
		})
	}
}

func scanUnderMutation(t *testing.T, seed uint64) {
	clock := newFakeClock()
	s, path := newTestServerClock(t, Config{}, clock)
	tc := dial(t, path)
	rng := rand.New(rand.NewPCG(seed, 42))
	const stable = 300
	var volatile []string
	nextV := 0
	newV := func() string { nextV++; return "v:" + strconv.Itoa(nextV) }
	for i := range stable {
		keysTestSet(t, s, "s:"+strconv.Itoa(i), "v", 0)
		if rng.IntN(3) == 0 {
			k := newV()
			keysTestSet(t, s, k, "v", 0)
			volatile = append(volatile, k)
		}
	}
	pickV := func() (string, int) {
		i := rng.IntN(len(volatile))
		return volatile[i], i
	}
	dropV := func(i int) {
		volatile[i] = volatile[len(volatile)-1]
		volatile = volatile[:len(volatile)-1]
	}
	stableKey := func() string { return "s:" + strconv.Itoa(rng.IntN(stable)) }

	seen := map[string]int{}
	cursor := "0"
	freeLen, reused := 0, false
	for calls := 0; ; calls++ {
		tc.Send("SCAN", cursor, "COUNT", strconv.Itoa(1+rng.IntN(25)))
		next, keys := readScanReply(t, tc)
		for _, k := range keys {
			seen[k]++
		}
		if cursor = next; cursor == "0" {
			break
		}
		if calls > 100000 {
			t.Fatal("scan does not end")
		}
		for range rng.IntN(100) {
			switch op := rng.IntN(10); {
			case op < 2 || len(volatile) == 0: // add
				k := newV()
				keysTestSet(t, s, k, "v", 0)
				volatile = append(volatile, k)
			case op < 5: // delete
				k, i := pickV()
				if got := tc.Do("DEL", k); got != "1" {
					t.Fatalf("DEL %s: %s", k, got)
				}
				dropV(i)
			case op == 5: // rename a volatile key, sometimes over another
				k, i := pickV()
				dropV(i)
				dst := newV()
				if len(volatile) > 0 && rng.IntN(2) == 0 {
					var j int
					dst, j = pickV()
					dropV(j)
				}
				if got := tc.Do("RENAME", k, dst); got != "OK" {
					t.Fatalf("RENAME %s %s: %s", k, dst, got)
				}
				volatile = append(volatile, dst)
			case op == 6: // copy a stable key over a new or volatile key
				dst := newV()
				if rng.IntN(2) == 0 {
					var j int
					dst, j = pickV()
					dropV(j)
				}
				if got := tc.Do("COPY", stableKey(), dst, "REPLACE"); got != "1" {
					t.Fatalf("COPY: %s", got)
				}
				volatile = append(volatile, dst)
			case op == 7: // a volatile key that expires
				k, i := pickV()
				tc.Do("PEXPIRE", k, strconv.Itoa(1+rng.IntN(5)))
				dropV(i)
			case op == 8: // overwrite a stable key
				keysTestSet(t, s, stableKey(), "w", 0)
			default: // expiry on and off a stable key
				k := stableKey()
				tc.Do("EXPIRE", k, "100000")
				tc.Do("PERSIST", k)
			}
		}
		clock.Advance(time.Duration(rng.IntN(3)) * time.Millisecond)
		s.db.mu.Lock()
		if n := len(s.db.free); n < freeLen {
			reused = true // a new key took a freed entry number
		} else {
			freeLen = n
		}
		s.db.mu.Unlock()
	}
	if !reused {
		t.Error("no freed entry number was reused during the scan; mutate more")
	}
	for i := range stable {
		k := "s:" + strconv.Itoa(i)
		if seen[k] != 1 {
			t.Errorf("%s returned %d times, want once", k, seen[k])
		}
	}
	checkDBInvariants(t, s)
}

// TestKeysAgainstRedis sends the same commands to remoted and to a real
// redis-server and compares the raw replies. It runs only when
// REMOTED_TEST_REDIS names a scratch redis-server 7.0 (host:port or a
// unix socket path), which it empties with FLUSHALL. SET is applied to
// remoted's keyspace directly.
func TestKeysAgainstRedis(t *testing.T) {
	addr := os.Getenv("REMOTED_TEST_REDIS")
	if addr == "" {
		t.Skip("REMOTED_TEST_REDIS not set")
	}
	s, path := newTestServer(t, Config{})
	ours := dial(t, path)
	theirs := dialRedis(t, addr)
	doRaw(theirs, "FLUSHALL")
	script := [][]string{
		{"SET", "a", "1"}, {"SET", "b", "2"}, {"SET", "c", "3"},
		{"DEL", "a", "a", "zz"}, {"UNLINK", "b", "zz"}, {"EXISTS", "c", "c", "a"},
		{"TOUCH", "c", "zz", "c"}, {"TYPE", "c"}, {"TYPE", "zz"}, {"KEYS", "c"},
		{"KEYS", "[^a]"}, {"KEYS", "\\c"}, {"KEYS", "[c"}, {"KEYS", "*c*"},
		{"RENAME", "zz", "zz"}, {"RENAME", "c", "c"}, {"RENAMENX", "c", "c"},
		{"RENAME", "c", "d"}, {"RENAMENX", "d", "e"}, {"SET", "f", "x"},
		{"RENAMENX", "e", "f"}, {"RENAME", "e", "f"}, {"TTL", "f"},
		{"COPY", "f", "f"}, {"COPY", "f", "g", "DB"}, {"COPY", "f", "g", "DB", "2147483648"},
		{"COPY", "f", "g", "DB", "-2147483649"}, {"COPY", "f", "g", "REPLACE", "x"},
		{"COPY", "zz", "g"}, {"COPY", "f", "g"}, {"COPY", "f", "g"}, {"COPY", "f", "g", "REPLACE"},
		{"EXPIRE", "f", "100", "NX", "NX"}, {"EXPIRE", "f", "100", "NX"}, {"TTL", "f"},
		{"COPY", "f", "h"}, {"TTL", "h"}, {"RENAME", "h", "i"}, {"TTL", "i"},
		{"EXPIRE", "f", "200", "XX", "XX", "GT"}, {"EXPIRE", "f", "1000", "GT", "XX"},
		{"EXPIRE", "f", "10", "LT", "LT"}, {"TTL", "f"}, {"PERSIST", "f"}, {"PERSIST", "f"},
		{"EXPIRE", "f", "10", "BAD"}, {"EXPIRE", "f", "10", "lt", "gt", "BAD"},
		{"EXPIRE", "f", "10", "nx", "gt"}, {"EXPIRE", "f", "10", "lt", "gt"},
		{"EXPIRE", "f", " 10"}, {"EXPIRE", "f", "+10"}, {"EXPIRE", "f", "010"}, {"TTL", "f"},
		{"EXPIRE", "f", "-9223372036854775"}, {"EXPIRE", "f", "-9223372036854776"},
		{"EXPIRE", "zz", "9223372036854776"}, {"PEXPIREAT", "zz", "9223372036854775807"},
		{"EXPIREAT", "f", "1"}, {"EXISTS", "f"}, {"PEXPIRE", "g", "0"}, {"EXISTS", "g"},
		{"TTL", "zz"}, {"PTTL", "zz"}, {"EXPIRETIME", "zz"}, {"PEXPIRETIME", "zz"},
		{"EXPIREAT", "i", "4102444800"}, {"EXPIRETIME", "i"}, {"PEXPIRETIME", "i"},
		{"SCAN", "0", "MATCH", "i"}, {"SCAN", "0", "TYPE", "hash"}, {"SCAN", "abc"},
		{"SCAN", "0", "COUNT", "0"}, {"SCAN", "0", "MATCH", "x", "BAD", "y"},
		{"SCAN", " 0"}, {"SCAN", "0 "}, {"SCAN", "+"}, {"SCAN", "-"}, {"SCAN", "+-1"},
		{"SCAN", "1_0"}, {"SCAN", "18446744073709551616"}, {"SCAN", "0", "COUNT", "x", "FOO"},
		{"SCAN", "0", "COUNT", "-5"}, {"SCAN", "0", "TYPE"}, {"SCAN", "0", "COUNT", "1", "MATCH"},
		{"SCAN", "0", "TYPE", "string\x00", "MATCH", "i\x00"}, {"SCAN", "0", "count\x00", "5", "match", "i"},
		{"EXPIRE", "i", "10", "nx\x00"}, {"EXPIRE", "i", "10", "\x00nx"}, {"EXPIRE", "i", "10", "lt\r\n"},
		{"EXPIRE", "i", "10", "\r\nl\rt\n\n"}, {"EXPIRE", "i", "10", "\r"},
		{"COPY", "i", "j", "REPLACE", "DB"}, {"COPY", "i", "j", "DB", "0", "REPLACE"}, {"PEXPIRETIME", "j"},
		{"RENAMENX", "j", "i"}, {"RENAME", "j", "i"}, {"EXISTS", "i", "j", "i"}, {"TYPE", "i"},
		{"DEL", "d", "i"}, {"RANDOMKEY"}, {"KEYS", "*"}, {"SCAN", "0"},
		{"SET", "", "e"}, {"KEYS", "*"}, {"KEYS", "**"}, {"SCAN", "0", "MATCH", "**"}, {"RANDOMKEY"},
		{"RENAME", "", "x"}, {"COPY", "x", ""}, {"EXISTS", "", "x"}, {"DEL", "", "x"},
	}
	for _, args := range script {
		want := doRaw(theirs, args...)
		if args[0] == "SET" {
			keysTestSet(t, s, args[1], args[2], 0)
			continue
		}
		if got := doRaw(ours, args...); got != want {
			t.Errorf("%q: remoted %q, redis %q", args, got, want)
		}
	}
	doRaw(theirs, "FLUSHALL")
}

// TestActiveExpiry: keys whose time ran out and that nobody reads are
// removed by the sweep (DBSIZE, which counts them until then, falls to 0
// and INFO's expired_keys counts them), also after the sweep has slept
// through a stretch with no key that expires.
func TestActiveExpiry(t *testing.T) {
	clock := newFakeClock()
	_, path := newTestServerClock(t, Config{}, clock)
	tc := dial(t, path)
	waitSize := func(want string) {
		t.Helper()
		got := ""
		defer func() {
			if got != want {
				t.Logf("DBSIZE = %s, want %s", got, want)
			}
		}()
		waitFor(t, func() bool { got = tc.Do("DBSIZE"); return got == want })
	}
	for round, n := range []int{50, 1} {
		for i := range n {
			if got := tc.Do("SET", fmt.Sprintf("r%d:%d", round, i), "v", "PX", "100"); got != "OK" {
				t.Fatal(got)
			}
		}
		if got := tc.Do("SET", "kept", "v"); got != "OK" {
			t.Fatal(got)
		}
		waitSize(strconv.Itoa(n + 1)) // nothing ran out yet
		clock.Advance(time.Second)
		waitSize("1") // only "kept" is left, without anyone reading the others
	}
	if info := tc.Do("INFO", "stats"); !strings.Contains(info, "expired_keys:51") {
		t.Errorf("INFO stats does not count 51 expired keys:\n%s", info)
	}
}
