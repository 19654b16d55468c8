package server

import (
	"testing"
)

func TestInspect(t *testing.T) {
	_, path := newTestServer(t, Config{})
	tc := dial(t, path)
	tagged := func(hexCBOR string) string { return "\xd9\xd9\xf7" + hexCBOR }
	run(t, tc, []cmdCase{
		{[]string{"INSPECT", "missing"}, "(nil)"},
		{[]string{"SET", "s", "plain text"}, "OK"},
		{[]string{"INSPECT", "s"}, "plain text"},
		{[]string{"SET", "n", "42"}, "OK"},
		{[]string{"INSPECT", "n"}, "42"},
		// {"a": 1, "b": [true, null]}
		{[]string{"SET", "m", tagged("\xa2\x61a\x01\x61b\x82\xf5\xf6")}, "OK"},
		{[]string{"INSPECT", "m"}, `{"a": 1, "b": [true, null]}`},
		// h'0102' and a float
		{[]string{"SET", "b", tagged("\x42\x01\x02")}, "OK"},
		{[]string{"INSPECT", "b"}, "h'0102'"},
		{[]string{"SET", "f", tagged("\xf9\x3e\x00")}, "OK"},
		{[]string{"INSPECT", "f"}, "1.5"},
		// a time, tag 0
		{[]string{"SET", "t", tagged("\xc0\x74" + "2026-01-02T03:04:05Z")}, "OK"},
		{[]string{"INSPECT", "t"}, `0("2026-01-02T03:04:05Z")`},
		// broken CBOR behind the tag: as stored
		{[]string{"SET", "x", tagged("\xa2\x61")}, "OK"},
		{[]string{"INSPECT", "x"}, tagged("\xa2\x61")},
		{[]string{"INSPECT"}, "ERR wrong number of arguments for 'inspect' command"},
		{[]string{"INSPECT", "a", "b"}, "ERR wrong number of arguments for 'inspect' command"},
	})
	if got := tc.Do("COMMAND", "DOCS", "inspect"); got == "[]" {
		t.Errorf("COMMAND DOCS inspect is empty")
	}
}
