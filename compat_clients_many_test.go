package remoted_test

import (
	"bufio"
	"errors"
	"net"
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// idleClients connects n clients to srv, each of which PINGs once and then
// stays idle, and returns the server's RSS growth per client, how long a
// new client then waited for its PONG, and the connections (closed by the
// test's cleanup).
func idleClients(t *testing.T, srv *testServer, n int) (perClient int64, firstPong time.Duration, conns []net.Conn) {
	t.Helper()
	pid := srv.proc.cmd.Process.Pid
	base := rssOf(t, pid)
	conns = make([]net.Conn, 0, n)
	t.Cleanup(func() {
		for _, c := range conns {
			c.Close()
		}
	})
	ping := []byte("PING\r\n")
	for range n {
		c, err := net.Dial("unix", srv.UnixPath)
		// A full listen backlog (the server accepting behind) refuses
		// a unix connection at once: try again until it takes it.
		for end := time.Now().Add(30 * time.Second); errors.Is(err, syscall.EAGAIN) && time.Now().Before(end); {
			c, err = net.Dial("unix", srv.UnixPath)
		}
		if err != nil {
			t.Fatalf("client %d: %v", len(conns), err)
		}
		conns = append(conns, c)
		if _, err := c.Write(ping); err != nil {
			t.Fatal(err)
		}
	}
	buf := make([]byte, 7)
	for i, c := range conns {
		c.SetReadDeadline(time.Now().Add(30 * time.Second))
		if _, err := bufio.NewReader(c).Read(buf); err != nil || string(buf) != "+PONG\r\n" {
			t.Fatalf("client %d: %q %v", i, buf, err)
		}
	}
	perClient = (rssOf(t, pid) - base) / int64(n)
	start := time.Now()
	c := dialRESP(t, "unix", srv.UnixPath)
	if raw, _, err := c.Do("PING"); err != nil || string(raw) != "+PONG\r\n" {
		t.Fatalf("a new client among %d: %q %v", n, raw, err)
	}
	return perClient, time.Since(start), conns
}

// afterClose waits until srv has let go of the idle clients (a few of
// the test's own stay) and returns its RSS then.
func afterClose(t *testing.T, srv *testServer) int64 {
	t.Helper()
	waitClients(t, dialRESP(t, "unix", srv.UnixPath), func(n int) bool { return n < 10 })
	return rssOf(t, srv.proc.cmd.Process.Pid)
}

// TestManyIdleClients: 10,000 idle clients (REMOTED_CLIENTS=n for
// another number) are all served, a new client among them is answered,
// and maxclients turns the next one away with Redis's error. The RSS per
// idle client and the new client's wait are logged beside redis-server's.
func TestManyIdleClients(t *testing.T) {
	n := 10000
	if s := os.Getenv("REMOTED_CLIENTS"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil {
			t.Fatalf("REMOTED_CLIENTS=%s: %v", s, err)
		}
	}
	srv := startRemoted(t, "--maxclients", strconv.Itoa(n+2))
	per, wait, conns := idleClients(t, srv, n)
	t.Logf("remoted: %d idle clients, %d bytes of RSS each; a new client's PING answered in %v", n, per, wait)
	// One more fits (n+2 with the admin client above); the one after is
	// turned away.
	if _, _, err := dialRESP(t, "unix", srv.UnixPath).Do("PING"); err != nil {
		t.Fatal(err)
	}
	// The server answers the one past maxclients at once and closes.
	turned := dialRESP(t, "unix", srv.UnixPath)
	turned.c.SetReadDeadline(time.Now().Add(30 * time.Second))
	raw, _, err := readRESP(turned.r)
	if err != nil || string(raw) != "-ERR max number of clients reached\r\n" {
		t.Errorf("client past maxclients: %q %v", raw, err)
	}
	for _, c := range conns {
		c.Close()
	}
	t.Logf("remoted: RSS after they closed: %d MiB", afterClose(t, srv)>>20)
	if !selftest() {
		rsrv := startRedis(t, "--maxclients", strconv.Itoa(n+2))
		rper, rwait, rconns := idleClients(t, rsrv, n)
		t.Logf("redis-server: %d idle clients, %d bytes of RSS each; a new client's PING answered in %v", n, rper, rwait)
		for _, c := range rconns {
			c.Close()
		}
		t.Logf("redis-server: RSS after they closed: %d MiB", afterClose(t, rsrv)>>20)
	}
}
