package server

import (
	"bufio"
	"bytes"
	"net"
	"os"
	"strings"
	"testing"
)

// globCases are checked against globMatch, and against a real Redis's KEYS
// by TestGlobMatchRedis: each string stored as a key, each pattern asked.
var globCases = []struct {
	pattern, str string
	want         bool
}{
	// empty pattern and string
	{"", "", true},
	{"", "a", false},
	{"a", "", false},
	{"*", "", false}, // stringmatchlen's answer; KEYS * short-cuts it
	{"**", "", false},
	{"*a", "", false},
	{"?", "", false},
	{"[a]", "", false},
	{"\\", "", false},
	// literals
	{"abc", "abc", true},
	{"abc", "abd", false},
	{"abc", "ab", false},
	{"ab", "abc", false},
	{"ABC", "abc", false},
	{"]", "]", true},
	{"^", "^", true},
	{"-", "-", true},
	{"a]b", "a]b", true},
	// ?
	{"?", "a", true},
	{"??", "a", false},
	{"a?c", "abc", true},
	{"a?c", "ac", false},
	{"?", "\xff", true},
	{"???", "h\xc3\xa9", true}, // bytes, not runes
	{"??", "h\xc3\xa9", false},
	// *
	{"*", "anything", true},
	{"a*", "abc", true},
	{"a*", "a", true},
	{"a*", "ba", false},
	{"*c", "abc", true},
	{"*c", "abcd", false},
	{"a*c", "ac", true},
	{"a*c", "abbbc", true},
	{"a*c", "abbbcd", false},
	{"a**c", "abc", true},
	{"a*b*c", "aXbYc", true},
	{"a*b*c", "aXcYb", false},
	{"*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false},
	{"*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab", true},
	{"*?", "", false},
	{"*?", "a", true},
	{"?*?", "a", false},
	{"a*", "a\x00b", true},
	// classes
	{"[abc]", "b", true},
	{"[abc]", "d", false},
	{"[abc]", "ab", false},
	{"[abc]x", "cx", true},
	{"[^abc]", "d", true},
	{"[^abc]", "a", false},
	{"[a-c]", "b", true},
	{"[a-c]", "d", false},
	{"[c-a]", "b", true}, // ends in either order
	{"[^a-c]", "b", false},
	{"[a-cx-z]", "y", true},
	{"[a-cx-z]", "m", false},
	{"[-a]", "-", true},
	{"[a-]", "]", true}, // a range a..], unterminated
	{"[a-]", "-", false},
	{"[a-]", "b", false},
	{"[]", "]", false},  // empty class
	{"[]]", "]", false}, // empty class, then ]
	{"[]a]", "a", false},
	{"[^]", "a", true}, // negated empty class
	{"[^]", "", false},
	{"[\\]]", "]", true},
	{"[\\]a]", "a", true},
	{"[\\-]", "-", true},
	{"[\\-]", "\\", false},
	{"[a\\-z]", "b", false},
	{"[\\^a]", "^", true},
	{"[*]", "*", true},
	{"[*]", "a", false},
	{"[?]", "a", false},
	{"[[]", "[", true},
	{"x[]", "x", false},
	// unterminated classes end at the end of the pattern
	{"[", "[", false},
	{"[", "", false},
	{"[^", "x", true},
	{"[^", "xy", false},
	{"[ab", "a", true},
	{"[ab", "c", false},
	{"a[b", "ab", true},
	{"[\\", "\\", true},
	{"[a-", "-", true},
	{"[a-", "a", true},
	// classes compare signed chars, as C does
	{"[\x80-\xff]", "\x90", true},
	{"[\x80-\xff]", "a", false},
	{"[a-\xff]", "b", false}, // \xff is -1: the range is -1..'a'
	{"[a-\xff]", "\x00", true},
	{"[a-\xff]", "\xff", true},
	{"[\x00-\x7f]", "\x80", false},
	// escapes
	{"\\a", "a", true},
	{"\\*", "*", true},
	{"\\*", "a", false},
	{"\\?", "?", true},
	{"\\?", "a", false},
	{"\\[a]", "[a]", true},
	{"\\\\", "\\", true},
	{"\\", "\\", true}, // a lone trailing backslash is itself
	{"a\\", "a\\", true},
	{"*\\", "ab\\", true},
	{"*\\*", "ab*", true},
	{"*\\*", "ab", false},
	// nesting: more than 1000 stars in turn gives up
	{strings.Repeat("*a", 1000), strings.Repeat("a", 1000), true},
	{strings.Repeat("*a", 1001), strings.Repeat("a", 1001), false},
}

func TestGlobMatch(t *testing.T) {
	for _, c := range globCases {
		if got := globMatch([]byte(c.pattern), []byte(c.str)); got != c.want {
			t.Errorf("globMatch(%q, %q) = %v, want %v", short(c.pattern), short(c.str), got, c.want)
		}
	}
}

func short(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}

// TestGlobMatchRedis checks globCases against a real Redis's KEYS. It runs
// only when REMOTED_TEST_REDIS names a scratch redis-server (host:port or
// a unix socket path), which it empties with FLUSHALL.
func TestGlobMatchRedis(t *testing.T) {
	addr := os.Getenv("REMOTED_TEST_REDIS")
	if addr == "" {
		t.Skip("REMOTED_TEST_REDIS not set")
	}
	tc := dialRedis(t, addr)
	for _, c := range globCases {
		tc.Do("FLUSHALL")
		tc.Do("SET", c.str, "v")
		got := doRaw(tc, "KEYS", c.pattern)
		want := c.want || c.pattern == "*" // KEYS * returns every key unmatched
		if match := got != "*0\r\n"; match != want {
			t.Errorf("redis KEYS %q with key %q: %q, want match %v", short(c.pattern), short(c.str), short(got), want)
		}
	}
	tc.Do("FLUSHALL")
}

// FuzzGlob checks that globMatch never panics, that a pattern without
// special bytes matches only itself, and that any string matches itself
// with every byte escaped, and matches "*" unless empty.
func FuzzGlob(f *testing.F) {
	for _, c := range globCases {
		if len(c.pattern) < 100 {
			f.Add([]byte(c.pattern), []byte(c.str))
		}
	}
	f.Fuzz(func(t *testing.T, pattern, str []byte) {
		got := globMatch(pattern, str)
		if !bytes.ContainsAny(pattern, "*?[\\") && got != bytes.Equal(pattern, str) {
			t.Errorf("globMatch(%q, %q) = %v for a literal pattern", pattern, str, got)
		}
		escaped := make([]byte, 0, 2*len(str))
		for _, b := range str {
			escaped = append(escaped, '\\', b)
		}
		if !globMatch(escaped, str) {
			t.Errorf("globMatch(%q, %q) = false for the escaped string", escaped, str)
		}
		if got := globMatch([]byte("*"), str); got != (len(str) > 0) {
			t.Errorf("globMatch(\"*\", %q) = %v", str, got)
		}
	})
}

// dialRedis connects to a real Redis at addr: a unix socket path, or
// host:port.
func dialRedis(tb testing.TB, addr string) *testConn {
	tb.Helper()
	network := "tcp"
	if strings.HasPrefix(addr, "/") {
		network = "unix"
	}
	nc, err := net.Dial(network, addr)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { nc.Close() })
	return &testConn{tb: tb, c: nc, r: bufio.NewReader(nc)}
}
