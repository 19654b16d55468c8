package server

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/remoted/remoted/resp"
)

// infoField returns one field of INFO section, or "" if absent.
func infoField(t *testing.T, tc *testConn, section, field string) string {
	t.Helper()
	for line := range strings.Lines(tc.Do("INFO", section)) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), field+":"); ok {
			return v
		}
	}
	return ""
}

// A password set by CONFIG SET binds new connections and AUTH; a
// connection made before stays usable, as in Redis; clearing it frees a
// connection that had not authenticated.
func TestConfigSetRequirePass(t *testing.T) {
	_, path := newTestServer(t, Config{})
	admin := dial(t, path)
	if got := admin.Do("CONFIG", "SET", "requirepass", "pw"); got != "OK" {
		t.Fatalf("CONFIG SET requirepass: %q", got)
	}
	late := dial(t, path)
	run(t, late, []cmdCase{
		{[]string{"GET", "k"}, resp.MsgNoAuth},
		{[]string{"AUTH", "wrong"}, resp.MsgWrongPass},
		{[]string{"AUTH", "pw"}, "OK"},
		{[]string{"GET", "k"}, "(nil)"},
	})
	waiting := dial(t, path)
	run(t, admin, []cmdCase{
		{[]string{"PING"}, "PONG"},
		{[]string{"CONFIG", "GET", "requirepass"}, "[requirepass pw]"},
		{[]string{"CONFIG", "SET", "requirepass", ""}, "OK"},
	})
	run(t, waiting, []cmdCase{
		{[]string{"GET", "k"}, "(nil)"},
		{[]string{"AUTH", "pw"}, resp.MsgNoPassword},
	})
}

// maxclients and the framing limits set by CONFIG SET apply to the
// connections accepted after it.
func TestConfigSetLimits(t *testing.T) {
	_, path := newTestServer(t, Config{})
	admin, before := dial(t, path), dial(t, path)
	run(t, admin, []cmdCase{
		{[]string{"CONFIG", "SET", "maxclients", "2", "proto-max-bulk-len", "1mb"}, "OK"},
		{[]string{"CONFIG", "GET", "maxclients"}, "[maxclients 2]"},
	})
	refused := dial(t, path)
	if got, closed := refused.ReadRaw(5 * time.Second); got != "-"+resp.MsgMaxClients+"\r\n" || !closed {
		t.Errorf("past maxclients: got %q (closed %v)", got, closed)
	}
	big := strings.Repeat("x", 1<<20+1)
	// A connection made before the change is held to it at its next
	// command, as in Redis.
	before.Write("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$" + strconv.Itoa(len(big)) + "\r\n")
	if got, closed := before.ReadRaw(5 * time.Second); got != "-"+resp.MsgProtoInvalidBulk+"\r\n" || !closed {
		t.Errorf("bulk past the new proto-max-bulk-len, connected before: got %q (closed %v)", got, closed)
	}
	if got := admin.Do("SETRANGE", "k", strconv.Itoa(1<<20), "x"); got != resp.MsgStringTooLong {
		t.Errorf("SETRANGE past proto-max-bulk-len: %q", got)
	}
	admin.Do("CONFIG", "SET", "maxclients", "10")
	fresh := dial(t, path)
	fresh.Write("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$" + strconv.Itoa(len(big)) + "\r\n")
	if got, closed := fresh.ReadRaw(5 * time.Second); got != "-"+resp.MsgProtoInvalidBulk+"\r\n" || !closed {
		t.Errorf("bulk past the new proto-max-bulk-len: got %q (closed %v)", got, closed)
	}
}

// timeout closes a client idle for longer, but not one blocked in LOCK,
// nor one active since.
func TestConfigTimeout(t *testing.T) {
	clock := newFakeClock()
	_, path := newTestServerClock(t, Config{}, clock)
	active, holder, waiter, idle := dial(t, path), dial(t, path), dial(t, path), dial(t, path)
	idle.Do("PING") // its last command at the fake clock's start
	if got := holder.Do("LOCK", "n"); got != "OK" {
		t.Fatalf("LOCK: %q", got)
	}
	waiter.Send("LOCK", "n")
	waitFor(t, func() bool { return infoField(t, active, "clients", "blocked_clients") == "1" })
	clock.Advance(5 * time.Second)
	holder.Do("PING")
	if got := active.Do("CONFIG", "SET", "timeout", "1"); got != "OK" {
		t.Fatalf("CONFIG SET timeout: %q", got)
	}
	if _, closed := idle.ReadRaw(5 * time.Second); !closed {
		t.Fatal("a client idle past timeout was not closed")
	}
	holder.Do("UNLOCK", "n")
	if got := waiter.Read(); got != "OK" {
		t.Errorf("the waiter, spared while blocked: %q", got)
	}
	if got := active.Do("CONFIG", "GET", "timeout"); got != "[timeout 1]" {
		t.Errorf("CONFIG GET timeout: %q", got)
	}
}

func TestParseMemory(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"1", 1, true}, {"", 0, true}, {"2mb", 2 << 20, true}, {"2MB", 2 << 20, true},
		{"3k", 3000, true}, {"3kb", 3072, true}, {"1g", 1e9, true}, {"1gb", 1 << 30, true},
		{"5b", 5, true}, {"-5", 0, false}, {"1.5mb", 0, false}, {"1x", 0, false},
		{"99999999999999999999", 0, false}, {"9999999999gb", 0, false},
	} {
		got, ok := parseMemory(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("parseMemory(%q) = %d, %v; want %d, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}
