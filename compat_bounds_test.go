package remoted_test

import (
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// rssOf reads a process's resident set size from /proc.
func rssOf(t testing.TB, pid int) int64 {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatalf("RSS of %d: %v", pid, err)
	}
	m := regexp.MustCompile(`VmRSS:\s+(\d+) kB`).FindSubmatch(b)
	if m == nil {
		t.Fatalf("no VmRSS in /proc/%d/status", pid)
	}
	kb, _ := strconv.ParseInt(string(m[1]), 10, 64)
	return kb << 10
}

// floodReplies is issue 19's amplification repro: one write of n
// pipelined GETs of a value of size bytes, never read. It returns the
// server's RSS growth once the flooder's replies back up in the server,
// and after the flooder has closed and gone.
func floodReplies(t *testing.T, srv *testServer, n, size int) (during, after int64) {
	t.Helper()
	admin := dialRESP(t, "unix", srv.UnixPath)
	if _, v, err := admin.Do("SET", "big", strings.Repeat("v", size)); err != nil || v.isError() {
		t.Fatalf("SET: %v %v", v, err)
	}
	pid := srv.proc.cmd.Process.Pid
	base := rssOf(t, pid)
	flood := dialRESP(t, "unix", srv.UnixPath)
	_, idv, err := flood.Do("CLIENT", "ID")
	if err != nil {
		t.Fatal(err)
	}
	id := string(idv.Str)
	if _, err := flood.c.Write([]byte(strings.Repeat("*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n", n))); err != nil {
		t.Fatal(err)
	}
	// Stalled: replies wait in the server for the client to read them
	// (omem > 0 in CLIENT LIST), which is when remoted stops running the
	// client's commands.
	omem := regexp.MustCompile(`omem=([1-9]\d*)`)
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, v, err := admin.Do("CLIENT", "LIST", "ID", id)
		if err != nil {
			t.Fatal(err)
		}
		if omem.MatchString(v.Str) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the flooding client's replies never backed up: %s", v.Str)
		}
	}
	during = rssOf(t, pid) - base
	flood.c.Close()
	for {
		_, v, _ := admin.Do("CLIENT", "LIST", "ID", id)
		if v != nil && len(v.Str) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the flooding client is still listed after it closed")
		}
	}
	return during, rssOf(t, pid) - base
}

// TestReplyFloodBounded: a client that pipelines 712 GETs of a 256 KiB
// value (178 MiB of replies) in one 16 KiB write and never reads costs the
// server a bounded amount of memory, not the replies it asked for, and
// that memory is the server's again once the client has gone. remoted
// stops running a client's commands while its replies back up (see
// conn.backlogged); Redis, with its unlimited default for normal
// clients, builds them all (logged for comparison).
func TestReplyFloodBounded(t *testing.T) {
	const n, size = 712, 256 << 10
	replies := int64(n * size)
	during, after := floodReplies(t, startRemoted(t), n, size)
	t.Logf("remoted: RSS +%d MiB while the client stalls, +%d MiB after it left (replies asked for: %d MiB)", during>>20, after>>20, replies>>20)
	if during > replies/8 {
		t.Errorf("RSS grew %d MiB for a client that reads nothing, want under %d MiB", during>>20, replies/8>>20)
	}
	if after > 32<<20 {
		t.Errorf("RSS %d MiB above the start after the client left, want under 32 MiB", after>>20)
	}
	if !selftest() {
		rd, ra := floodReplies(t, startRedis(t), n, size)
		t.Logf("redis-server: RSS +%d MiB while the client stalls, +%d MiB after it left", rd>>20, ra>>20)
	}
}
