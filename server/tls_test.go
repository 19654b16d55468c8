package server

import (
	"bufio"
	"crypto/tls"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/remoted/remoted/internal/testcert"
)

// TestGoroutineDriver: a TLS connection cannot join an event loop (the
// loop reads raw sockets), so it gets a goroutine of its own, as every
// connection does off Linux and under Config.Portable. On that driver
// pipelined commands are answered in order, a 1 MiB value goes both ways,
// a LOCK waits and is granted in turn, a waiter that hangs up is withdrawn
// (also with commands pipelined behind its LOCK), a holder that hangs up
// frees the lock, and a keyspace command waits behind the share-wide lock.
func TestGoroutineDriver(t *testing.T) {
	t.Run("tls", func(t *testing.T) { testGoroutineDriver(t, tlsServer(t, Config{}, nil)) })
	t.Run("portable", func(t *testing.T) {
		_, path := newTestServer(t, Config{Portable: true})
		testGoroutineDriver(t, func() *testConn { return dial(t, path) })
	})
}

func testGoroutineDriver(t *testing.T, dialTLS func() *testConn) {
	admin := dialTLS()
	admin.Write("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n*2\r\n$4\r\nINCR\r\n$1\r\nn\r\n")
	for _, want := range []string{"OK", "v", "1"} {
		if got := admin.Read(); got != want {
			t.Fatalf("pipelined on the goroutine driver: %q, want %q", got, want)
		}
	}
	// A value many times the largest read buffer (16 KiB), both ways.
	big := strings.Repeat("0123456789abcdef", 1<<16) // 1 MiB
	if got := admin.Do("SET", "big", big); got != "OK" {
		t.Fatalf("SET of 1 MiB on the goroutine driver: %q", got)
	}
	if got := admin.Do("GET", "big"); got != big {
		t.Fatalf("GET of 1 MiB on the goroutine driver: %d bytes back", len(got))
	}
	waiters := func(want string) {
		t.Helper()
		waitFor(t, func() bool { return strings.HasSuffix(admin.Do("LOCKS"), "waiters "+want+"]]") })
	}

	holder, quitter, next := dialTLS(), dialTLS(), dialTLS()
	if got := holder.Do("LOCK"); got != "OK" {
		t.Fatal(got)
	}
	quitter.Send("LOCK")
	waiters("1")
	quitter.c.Close() // hangs up while it waits: withdrawn
	waiters("0")
	// The same with commands pipelined behind the LOCK, unread when the
	// client hangs up.
	quitter = dialTLS()
	quitter.Write("*1\r\n$4\r\nLOCK\r\n*2\r\n$4\r\nINCR\r\n$1\r\nn\r\n")
	waiters("1")
	quitter.c.Close()
	waiters("0")
	next.Send("LOCK")
	waiters("1")
	admin.Send("INCR", "n") // waits behind the share-wide lock, in its turn
	holder.c.Close()        // the holder hangs up: next gets the lock
	if got := next.Read(); got != "OK" {
		t.Fatalf("next waiter: %q", got)
	}
	if got := next.Do("INCR", "n"); got != "2" {
		t.Fatalf("the holder's INCR: %q, want 2 (the admin's waits)", got)
	}
	if got := next.Do("UNLOCK"); got != "OK" {
		t.Fatal(got)
	}
	if got := admin.Read(); got != "3" {
		t.Fatalf("the INCR that waited: %q, want 3", got)
	}
}

// tlsServer serves TLS on a unix socket and returns how to dial it.
func tlsServer(t *testing.T, cfg Config, clock *fakeClock) func() *testConn {
	t.Helper()
	certPEM, keyPEM, pool := testcert.New(t, "remoted.test")
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	_, path := newTestServerWrap(t, cfg, clock, func(ln net.Listener) net.Listener {
		return tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}})
	})
	return func() *testConn {
		c, err := tls.Dial("unix", path, &tls.Config{RootCAs: pool, ServerName: "remoted.test"})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return &testConn{tb: t, c: c, r: bufio.NewReader(c)}
	}
}

// TestPortableWaiterFlood: on the goroutine driver a waiting connection
// is read meanwhile (to see it hang up); one that sends more than
// client-query-buffer-limit while it waits is disconnected and withdrawn,
// and what it sent within the limit runs once the lock is granted.
func TestPortableWaiterFlood(t *testing.T) {
	_, path := newTestServer(t, Config{Portable: true, QueryBufferLimit: 64 << 10})
	holder, patient, flooder := dial(t, path), dial(t, path), dial(t, path)
	if got := holder.Do("LOCK", "n"); got != "OK" {
		t.Fatal(got)
	}
	patient.Write("*2\r\n$4\r\nLOCK\r\n$1\r\nn\r\n*2\r\n$4\r\nINCR\r\n$1\r\nc\r\n")
	waitLockWaiters(t, path, "n", 1)
	flooder.Send("LOCK", "n")
	waitLockWaiters(t, path, "n", 2)
	go flooder.c.Write([]byte(strings.Repeat("*1\r\n$4\r\nPING\r\n", 10000))) // 140 KB
	waitLockWaiters(t, path, "n", 1)
	if got := holder.Do("UNLOCK", "n"); got != "OK" {
		t.Fatal(got)
	}
	for _, want := range []string{"OK", "1"} {
		if got := patient.Read(); got != want {
			t.Fatalf("the patient waiter: %q, want %q", got, want)
		}
	}
	if _, closed := flooder.ReadRaw(5 * time.Second); !closed {
		t.Error("the flooding waiter is still connected")
	}
}

// TestLargeRepliesResume: a pipeline whose replies are far larger than a
// socket holds (100 GETs of a 256 KiB value, 25 MiB) is answered in full
// and in order, on both drivers, though the server runs its commands only
// as the client reads (see conn.backlogged).
func TestLargeRepliesResume(t *testing.T) {
	for _, portable := range []bool{false, true} {
		_, path := newTestServer(t, Config{Portable: portable})
		c := dial(t, path)
		val := strings.Repeat("v", 256<<10)
		if got := c.Do("SET", "big", val); got != "OK" {
			t.Fatal(got)
		}
		const n = 100
		go c.c.Write([]byte(strings.Repeat("*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n", n) + "*2\r\n$4\r\nINCR\r\n$1\r\nn\r\n"))
		for i := range n {
			if got := c.Read(); got != val {
				t.Fatalf("portable=%v: reply %d: %d bytes", portable, i, len(got))
			}
		}
		if got := c.Read(); got != "1" {
			t.Fatalf("portable=%v: the INCR after the GETs: %q", portable, got)
		}
	}
}

// TestTLSHandshakeTimeout: a client that connects to a TLS listener and
// never completes its handshake is closed after TLSHandshakeTimeout and
// leaves no client behind; one that handshakes is served.
func TestTLSHandshakeTimeout(t *testing.T) {
	certPEM, keyPEM, _ := testcert.New(t, "remoted.test")
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	s, path := newTestServerWrap(t, Config{TLSHandshakeTimeout: 100 * time.Millisecond}, nil, func(ln net.Listener) net.Listener {
		return tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}})
	})
	stalled := make([]net.Conn, 20)
	for i := range stalled {
		if stalled[i], err = net.Dial("unix", path); err != nil {
			t.Fatal(err)
		}
		defer stalled[i].Close()
	}
	waitFor(t, func() bool { return s.nclients.Load() == 0 })
	for _, c := range stalled {
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		if _, err := c.Read(make([]byte, 1)); err == nil || strings.Contains(err.Error(), "timeout") {
			t.Fatalf("a stalled handshake's connection is still open: %v", err)
		}
	}
}
