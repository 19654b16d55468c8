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
			ref := startRedis(t)
			sut := startRemoted(t)
			var rss [2]int64
			for i, srv := range []*testServer{ref, sut} {
				before, usedBefore := rssOf(t, srv.proc.cmd.Process.Pid), usedMemory(t, srv)
				start := time.Now()
				loadKeys(t, srv, n, size)
				took := time.Since(start)
				rss[i] = rssOf(t, srv.proc.cmd.Process.Pid)
				t.Logf("%-12s %d keys x %d B: RSS %4d -> %5d MiB, used_memory %4d -> %5d MiB, %.0f B/key RSS, loaded in %v",
					srv.Name, n, size, before>>20, rss[i]>>20, usedBefore>>20, usedMemory(t, srv)>>20,
					float64(rss[i]-before)/float64(n), took.Round(time.Millisecond))
			}
			t.Logf("RSS remoted/redis-server: %.2f", float64(rss[1])/float64(rss[0]))
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

// loadKeys SETs n keys of size bytes over the unix socket, pipelined in
// batches, and checks every reply is +OK.
func loadKeys(t *testing.T, srv *testServer, n, size int) {
	t.Helper()
	c, err := net.Dial("unix", srv.UnixPath)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	r := bufio.NewReaderSize(c, 64<<10)
	val := strings.Repeat("x", size)
	const batch = 1000
	var buf []byte
	for i := 0; i < n; i += batch {
		buf = buf[:0]
		m := min(batch, n-i)
		for j := i; j < i+m; j++ {
			buf = fmt.Appendf(buf, "*3\r\n$3\r\nSET\r\n$16\r\nkey:%012d\r\n$%d\r\n%s\r\n", j, size, val)
		}
		_ = c.SetDeadline(time.Now().Add(time.Minute))
		if _, err := c.Write(buf); err != nil {
			t.Fatal(err)
		}
		for j := 0; j < m; j++ {
			line, err := r.ReadString('\n')
			if err != nil || line != "+OK\r\n" {
				t.Fatalf("%s: SET reply %q, %v", srv.Name, line, err)
			}
		}
	}
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
