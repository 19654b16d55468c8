package remoted_test

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// envMem turns on TestKeyspaceMemory: "1" for the standard key sets, or a
// comma-separated list of NxSIZE sets (keys x value bytes), such as
// "1000000x100,10000000x8".
const envMem = "REMOTED_MEM"

// memSets are the standard key sets: issue 19's 1M keys of 100 bytes,
// and 10M small keys.
var memSets = "1000000x100,10000000x8"

// TestKeyspaceMemory loads the same keys into remoted and a real
// redis-server, started side by side, and logs each one's RSS (from
// /proc) and INFO used_memory before and after, with the ratio of the
// RSS. Keys are redis-benchmark's ("key:" and 12 digits). It is a
// measure, not a check: it fails only if a server does not take the keys.
//
//	REMOTED_MEM=1 go test -run KeyspaceMemory -v -timeout 30m .
func TestKeyspaceMemory(t *testing.T) {
	spec := os.Getenv(envMem)
	if spec == "" || spec == "0" {
		t.Skipf("set %s=1 (or NxSIZE,...) to measure keyspace memory beside redis-server", envMem)
	}
	if spec == "1" {
		spec = memSets
	}
	for _, set := range strings.Split(spec, ",") {
		n, size, err := parseMemSet(set)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(set, func(t *testing.T) {
			val := strings.Repeat("x", size)
			memBeside(t, fmt.Sprintf("%d keys x %d B", n, size), n, func(t *testing.T, srv *testServer) {
				pipeline(t, srv, n, "+OK", func(b []byte, i int) []byte {
					return fmt.Appendf(b, "*3\r\n$3\r\nSET\r\n$16\r\nkey:%012d\r\n$%d\r\n%s\r\n", i, size, val)
				})
			})
		})
	}
}

func parseMemSet(set string) (n, size int, err error) {
	a, b, ok := strings.Cut(strings.TrimSpace(set), "x")
	if n, err = strconv.Atoi(a); ok && err == nil {
		size, err = strconv.Atoi(b)
	}
	if !ok || err != nil || n <= 0 || size < 0 {
		return 0, 0, fmt.Errorf("%s: bad key set %q, want NxSIZE", envMem, set)
	}
	return n, size, nil
}

// usedMemory is the server's INFO used_memory.
func usedMemory(t *testing.T, srv *testServer) int64 {
	t.Helper()
	c := dialRESP(t, "unix", srv.UnixPath)
	defer c.c.Close()
	_, v, err := c.Do("INFO", "memory")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(v.Str, "\r\n") {
		if rest, ok := strings.CutPrefix(line, "used_memory:"); ok {
			n, _ := strconv.ParseInt(rest, 10, 64)
			return n
		}
	}
	t.Fatalf("%s: no used_memory in INFO", srv.Name)
	return 0
}

// memBeside starts a redis-server and a remoted, runs load on each in
// turn, and logs their RSS and used_memory before and after, per item
// (n of them) and as a ratio: the measure of TestKeyspaceMemory and
// TestTypesMemory. Then it flushes both and logs the
// RSS each is back to (after at most 3 s): memory given back.
func memBeside(t *testing.T, what string, n int, load func(*testing.T, *testServer)) {
	ref := startRedis(t)
	sut := startRemoted(t)
	var rss [2]int64
	for i, srv := range []*testServer{ref, sut} {
		before, usedBefore := rssOf(t, srv.proc.cmd.Process.Pid), usedMemory(t, srv)
		start := time.Now()
		load(t, srv)
		took := time.Since(start)
		rss[i] = rssOf(t, srv.proc.cmd.Process.Pid)
		t.Logf("%-12s %s: RSS %4d -> %5d MiB, used_memory %4d -> %5d MiB, %.0f B/item RSS, loaded in %v",
			srv.Name, what, before>>20, rss[i]>>20, usedBefore>>20, usedMemory(t, srv)>>20,
			float64(rss[i]-before)/float64(n), took.Round(time.Millisecond))
	}
	t.Logf("RSS remoted/redis-server: %.2f", float64(rss[1])/float64(rss[0]))
	for _, srv := range []*testServer{ref, sut} {
		mustDo(t, dialRESP(t, "unix", srv.UnixPath), "FLUSHALL")
		pid := srv.proc.cmd.Process.Pid
		start, low := time.Now(), rssOf(t, pid)
		for time.Since(start) < 3*time.Second {
			time.Sleep(100 * time.Millisecond) // a measure's sampling, not synchronisation
			low = min(low, rssOf(t, pid))
		}
		t.Logf("%-12s after FLUSHALL: RSS %d MiB", srv.Name, low>>20)
	}
}

// pipeline sends the n commands cmd builds over the unix socket in
// batches of 1000 and checks that each reply starts with want.
func pipeline(t *testing.T, srv *testServer, n int, want string, cmd func(b []byte, i int) []byte) {
	t.Helper()
	c, err := net.Dial("unix", srv.UnixPath)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	r := bufio.NewReaderSize(c, 64<<10)
	const batch = 1000
	var buf []byte
	for i := 0; i < n; i += batch {
		buf = buf[:0]
		m := min(batch, n-i)
		for j := i; j < i+m; j++ {
			buf = cmd(buf, j)
		}
		_ = c.SetDeadline(time.Now().Add(time.Minute))
		if _, err := c.Write(buf); err != nil {
			t.Fatal(err)
		}
		for range m {
			line, err := r.ReadString('\n')
			if err != nil || !strings.HasPrefix(line, want) {
				t.Fatalf("%s: reply %q, %v", srv.Name, line, err)
			}
		}
	}
}
