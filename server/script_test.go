package server

import (
	"context"
	"io"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestScriptAtomic: no other client's command runs between two commands
// of a script. The script increments a counter twice with a busy loop in
// between; a reader polling meanwhile must only ever see even values.
func TestScriptAtomic(t *testing.T) {
	_, path := newTestServer(t, Config{})
	writer, reader := dial(t, path), dial(t, path)
	const body = "redis.call('incr', KEYS[1]); local x = 0; for i = 1, 200000 do x = x + i end; redis.call('incr', KEYS[1]); return x"
	var wg sync.WaitGroup
	stop := make(chan struct{})
	var seen []string
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			seen = append(seen, reader.Do("GET", "n"))
		}
	}()
	for range 20 {
		if got := writer.Do("EVAL", body, "1", "n"); strings.HasPrefix(got, "ERR") {
			t.Fatalf("EVAL: %s", got)
		}
	}
	close(stop)
	wg.Wait()
	for _, v := range seen {
		if v == "(nil)" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil || n%2 != 0 {
			t.Fatalf("a reader saw %q: the script was interleaved", v)
		}
	}
	if got := reader.Do("GET", "n"); got != "40" {
		t.Errorf("after 20 scripts n = %q, want 40", got)
	}
}

// TestScriptLockGate: a script waits at the share-wide LOCK of another
// client, as EXEC does, and runs once it is released; the holder's own
// scripts run at once.
func TestScriptLockGate(t *testing.T) {
	_, path := newTestServer(t, Config{})
	holder, other, obs := dial(t, path), dial(t, path), dial(t, path)
	run(t, holder, []cmdCase{
		{[]string{"LOCK"}, "OK"},
		{[]string{"EVAL", "return redis.call('set', KEYS[1], 'holder')", "1", "k"}, "OK"},
	})
	other.Send("EVAL", "return redis.call('set', KEYS[1], 'other')", "1", "k")
	waitGated(t, obs, 1)
	if got := holder.Do("EVAL", "return redis.call('get', KEYS[1])", "1", "k"); got != "holder" {
		t.Fatalf("holder's script reads %q", got)
	}
	holder.Do("UNLOCK")
	if got := other.Read(); got != "OK" {
		t.Fatalf("other's script: %q", got)
	}
	if got := obs.Do("GET", "k"); got != "other" {
		t.Errorf("after UNLOCK: %q", got)
	}
}

// TestScriptInExec: a script queued in MULTI runs inside EXEC, its
// error an element of EXEC's reply.
func TestScriptInExec(t *testing.T) {
	_, path := newTestServer(t, Config{})
	c := dial(t, path)
	run(t, c, []cmdCase{
		{[]string{"MULTI"}, "OK"},
		{[]string{"EVAL", "return redis.call('incr', KEYS[1])", "1", "n"}, "QUEUED"},
		{[]string{"EVAL", "return redis.call('nosuch')", "0"}, "QUEUED"},
		{[]string{"EXEC"}, "[1 ERR Unknown Redis command called from script script: 206396248e12c6e742fd7296250433c8d7343b74, on @user_script:1.]"},
	})
}

// FuzzScript runs arbitrary script text with arbitrary keys and
// arguments: the server must answer and keep serving. Bodies that could
// loop without end are left out (nothing stops a running script yet:
// there is no SCRIPT KILL), as are those that could ask for unbounded
// memory.
func FuzzScript(f *testing.F) {
	for _, seed := range []string{
		"return 1", "return redis.call('set', KEYS[1], ARGV[1])", "error('x')", "error({err='y'})",
		"return redis.pcall('nosuch')", "x = 1", "return {1, {2}, {ok='a'}, {err='b'}}",
		"redis.setresp(3); return redis.call('hgetall', KEYS[1])", "return cjson.decode(ARGV[1])",
		"return cmsgpack.unpack(ARGV[1])", "return struct.unpack(ARGV[1], KEYS[1])", "return 1 +",
		"#!lua flags=no-writes\nreturn redis.call('del', KEYS[1])", "return {map={a={set={b=true}}}}",
		"local t = {} t[1] = t return t",
	} {
		f.Add(seed, "k", "v")
	}
	s, path := newTestServer(f, Config{ProtoMaxBulkLen: 1 << 20})
	_ = s
	c := dial(f, path)
	f.Fuzz(func(t *testing.T, body, key, arg string) {
		for _, risky := range []string{"while", "repeat", "for", "goto", "rep", "function", "load", "setmetatable", "getfenv", "setfenv", "coroutine", "...", "concat", "format", "sort"} {
			if strings.Contains(body, risky) {
				return
			}
		}
		c.tb = t
		c.c.SetReadDeadline(time.Now().Add(10 * time.Second))
		c.Send("EVAL", body, "1", key, arg)
		if _, err := readReply(c.r); err != nil {
			t.Fatalf("EVAL %q: %v", body, err)
		}
		if got := c.Do("PING"); got != "PONG" {
			t.Fatalf("after EVAL %q: PING answered %q", body, got)
		}
	})
}

// TestScriptReplyTooDeep: a table that holds itself is written as
// redis-server 7.0.15 writes it: 7995 nested one-element arrays, then
// "reached lua stack limit" (the differential test's reader refuses a
// reply so deep, so it is checked here).
func TestScriptReplyTooDeep(t *testing.T) {
	_, path := newTestServer(t, Config{})
	c := dial(t, path)
	c.Send("EVAL", "local t = {} t[1] = t return t", "0")
	want := strings.Repeat("*1\r\n", 7995) + "-ERR reached lua stack limit\r\n"
	got := make([]byte, len(want))
	c.c.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.ReadFull(c.r, got); err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Fatalf("reply ends %q", got[len(got)-60:])
	}
	if got := c.Do("PING"); got != "PONG" {
		t.Fatalf("PING after: %q", got)
	}
}

// TestScriptRefusesLocks: LOCK, UNLOCK and LOCKS are refused inside a
// script, as inside MULTI.
func TestScriptRefusesLocks(t *testing.T) {
	_, path := newTestServer(t, Config{})
	c := dial(t, path)
	for _, cmd := range []string{"lock", "unlock", "locks"} {
		got := c.Do("EVAL", "return redis.pcall('"+cmd+"')", "0")
		if got != "ERR This Redis command is not allowed from script" {
			t.Errorf("%s in a script: %q", cmd, got)
		}
	}
	if got := c.Do("PING"); got != "PONG" {
		t.Fatalf("PING: %q", got)
	}
}

// TestScriptCacheInfo: INFO memory counts the cached scripts, which EVAL
// and SCRIPT LOAD add and SCRIPT FLUSH empties.
func TestScriptCacheInfo(t *testing.T) {
	_, path := newTestServer(t, Config{})
	c := dial(t, path)
	cached := func() string {
		for _, line := range strings.Split(c.Do("INFO", "memory"), "\r\n") {
			if v, ok := strings.CutPrefix(line, "number_of_cached_scripts:"); ok {
				return v
			}
		}
		return "absent"
	}
	c.Do("EVAL", "return 1", "0")
	c.Do("SCRIPT", "LOAD", "return 2")
	c.Do("EVAL", "return 1", "0")
	if got := cached(); got != "2" {
		t.Errorf("after two scripts: number_of_cached_scripts %s", got)
	}
	c.Do("SCRIPT", "FLUSH")
	if got := cached(); got != "0" {
		t.Errorf("after SCRIPT FLUSH: number_of_cached_scripts %s", got)
	}
}

// TestScriptMonitor: MONITOR shows EVAL, then each command the script
// calls, from "lua", as Redis does.
func TestScriptMonitor(t *testing.T) {
	_, path := newTestServer(t, Config{})
	m := dial(t, path)
	if got := m.Do("MONITOR"); got != "OK" {
		t.Fatalf("MONITOR: %q", got)
	}
	c := dial(t, path)
	c.Do("EVAL", "redis.call('set', KEYS[1], 'v'); return redis.call('get', KEYS[1])", "1", "k")
	for _, want := range []string{`"EVAL" "redis.call('set', KEYS[1], 'v'); return redis.call('get', KEYS[1])" "1" "k"`, `[0 lua] "set" "k" "v"`, `[0 lua] "get" "k"`} {
		if line := m.Read(); !strings.HasSuffix(line, want) {
			t.Errorf("monitor line %q, want suffix %q", line, want)
		}
	}
}

// TestScriptErrorStats: an error a command replied inside a script is
// counted once, when the command replied, not again as the script's
// reply; the script's own errors are counted as its reply (the figures
// are redis-server 7.0.15's for the same calls).
func TestScriptErrorStats(t *testing.T) {
	_, path := newTestServer(t, Config{})
	c := dial(t, path)
	c.Do("SET", "s", "v")
	for _, body := range []string{
		"return redis.call('lpush', 's', 'x')",
		"return redis.pcall('lpush', 's', 'x')",
		"return redis.call('nosuch')",
		"error('x')",
		"return {err='MY x'}",
		"local ok, e = pcall(redis.call, 'lpush', 's', 'x'); error(e)",
		"return redis.pcall('nosuch')",
	} {
		c.Do("EVAL", body, "0")
	}
	info := c.Do("INFO", "errorstats")
	for _, want := range []string{"errorstat_ERR:count=4", "errorstat_MY:count=1", "errorstat_WRONGTYPE:count=3"} {
		if !strings.Contains(info, want) {
			t.Errorf("INFO errorstats lacks %s:\n%s", want, info)
		}
	}
	if got := c.Do("EVAL", "return tostring(redis.pcall('lpush', 's', 'x').ignore_error_stats_update)", "0"); got != "true" {
		t.Errorf("the error table's ignore_error_stats_update: %q", got)
	}
}

// TestScriptEndsOnShutdown: an endless script, which nothing else can
// stop yet, ends when the server shuts down, so that the server stops.
func TestScriptEndsOnShutdown(t *testing.T) {
	s, path := newTestServer(t, Config{})
	tc := dial(t, path)
	tc.Send("EVAL", "local n = 0 while true do n = n + 1 end", "0")
	// Running, the script holds the keyspace (nothing else here takes it:
	// no key has an expiry for the sweeper).
	waitFor(t, func() bool {
		if s.db.mu.TryLock() {
			s.db.mu.Unlock()
			return false
		}
		return true
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown with a script running: %v", err)
	}
	if got := tc.Read(); !strings.Contains(got, "context canceled") {
		t.Errorf("the script's client got %q", got)
	}
}
