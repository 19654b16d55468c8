package server

import (
	"strconv"
	"testing"
)

// testBag is a minimal collection for the keyspace's tests of values that
// are not strings: a list of strings, reported as a set.
type testBag struct{ elems []string }

func (b *testBag) kind() valueKind  { return kindSet }
func (b *testBag) encoding() string { return "listpack" }
func (b *testBag) length() int      { return len(b.elems) }
func (b *testBag) clone() object    { return &testBag{elems: append([]string(nil), b.elems...)} }
func (b *testBag) memSize() int64 {
	n := int64(24)
	for _, e := range b.elems {
		n += int64(16 + len(e))
	}
	return n
}

// putBag stores a bag of n elements under key, as a command would.
func putBag(t *testing.T, s *Server, key string, n int) {
	t.Helper()
	s.db.mu.Lock()
	defer s.db.mu.Unlock()
	b, e, errText := getTyped[*testBag](s.db, []byte(key))
	if errText != "" {
		t.Fatalf("getTyped %s: %s", key, errText)
	}
	if e == nil {
		b = &testBag{}
		e = s.db.insertObj([]byte(key), b)
	}
	for i := range n {
		b.elems = append(b.elems, strconv.Itoa(i))
	}
	s.db.objChanged(e, n)
}

// TestObjectKeys checks what every key command does with a value that is
// not a string: its type, WRONGTYPE from the string commands, and that
// DEL, RENAME, COPY, expiry, SET over it, FLUSHALL and SCAN's TYPE filter
// keep the object and its accounting right.
func TestObjectKeys(t *testing.T) {
	s, path := newTestServer(t, Config{})
	tc := dial(t, path)
	putBag(t, s, "b", 3)
	tc.Do("SET", "s", "v")
	const wrong = "WRONGTYPE Operation against a key holding the wrong kind of value"
	run(t, tc, []cmdCase{
		{[]string{"TYPE", "b"}, "set"},
		{[]string{"TYPE", "s"}, "string"},
		{[]string{"GET", "b"}, wrong},
		{[]string{"GETSET", "b", "x"}, wrong},
		{[]string{"GETDEL", "b"}, wrong},
		{[]string{"GETEX", "b", "PERSIST"}, wrong},
		{[]string{"SET", "b", "x", "GET"}, wrong},
		{[]string{"APPEND", "b", "x"}, wrong},
		{[]string{"INCR", "b"}, wrong},
		{[]string{"INCRBYFLOAT", "b", "1"}, wrong},
		{[]string{"STRLEN", "b"}, wrong},
		{[]string{"GETRANGE", "b", "0", "1"}, wrong},
		{[]string{"SETRANGE", "b", "0", "x"}, wrong},
		{[]string{"INSPECT", "b"}, wrong},
		{[]string{"MGET", "s", "b"}, "[v (nil)]"},
		{[]string{"SETNX", "b", "x"}, "0"},
		{[]string{"EXISTS", "b"}, "1"},
		{[]string{"SCAN", "0", "TYPE", "set"}, "[0 [b]]"},
		{[]string{"SCAN", "0", "TYPE", "STRING"}, "[0 [s]]"},
		{[]string{"SCAN", "0", "TYPE", "nosuchtype"}, "[0 []]"},
		{[]string{"EXPIRE", "b", "100"}, "1"},
		{[]string{"RENAME", "b", "b2"}, "OK"},
		{[]string{"TYPE", "b2"}, "set"},
		{[]string{"TTL", "b2"}, "100"},
		{[]string{"COPY", "b2", "b3"}, "1"},
		{[]string{"TYPE", "b3"}, "set"},
	})
	checkDBInvariants(t, s)
	// The copy shares nothing with the original.
	putBag(t, s, "b3", 2)
	s.db.mu.Lock()
	b2, _, _ := getTyped[*testBag](s.db, []byte("b2"))
	b3, _, _ := getTyped[*testBag](s.db, []byte("b3"))
	s.db.mu.Unlock()
	if b2.length() != 3 || b3.length() != 5 {
		t.Errorf("after adding to the copy: original %d elements, copy %d", b2.length(), b3.length())
	}
	run(t, tc, []cmdCase{
		{[]string{"SET", "b2", "x"}, "OK"},
		{[]string{"TYPE", "b2"}, "string"},
		{[]string{"GET", "b2"}, "x"},
		{[]string{"TTL", "b2"}, "-1"},
		{[]string{"DEL", "b3"}, "1"},
	})
	checkDBInvariants(t, s)
	putBag(t, s, "b4", 1)
	tc.Do("FLUSHALL")
	checkDBInvariants(t, s)
	if n := len(s.db.objs) - len(s.db.objFree); n != 0 {
		t.Errorf("%d objects kept after FLUSHALL", n)
	}
}

// TestObjectEmptied checks that a collection left empty is deleted, and
// a WATCH on it broken.
func TestObjectEmptied(t *testing.T) {
	s, path := newTestServer(t, Config{})
	tc := dial(t, path)
	putBag(t, s, "b", 2)
	run(t, tc, []cmdCase{{[]string{"WATCH", "b"}, "OK"}, {[]string{"MULTI"}, "OK"}})
	s.db.mu.Lock()
	b, e, _ := getTyped[*testBag](s.db, []byte("b"))
	b.elems = nil
	if s.db.objChanged(e, 2) {
		t.Error("objChanged kept an empty collection")
	}
	s.db.mu.Unlock()
	run(t, tc, []cmdCase{
		{[]string{"EXEC"}, "(nil)"},
		{[]string{"EXISTS", "b"}, "0"},
	})
	checkDBInvariants(t, s)
}
