package server

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/remoted/remoted/internal/addr"
)

// newTestServer starts a server on a unix socket in a temp dir and returns
// it with the socket path; cleanup shuts it down.
func newTestServer(tb testing.TB, cfg Config) (*Server, string) {
	tb.Helper()
	return newTestServerClock(tb, cfg, nil)
}

// fakeClock is a settable clock for expiry tests.
type fakeClock struct{ ms atomic.Int64 }

func newFakeClock() *fakeClock {
	c := &fakeClock{}
	c.ms.Store(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli())
	return c
}

func (c *fakeClock) Now() time.Time          { return time.UnixMilli(c.ms.Load()) }
func (c *fakeClock) Advance(d time.Duration) { c.ms.Add(d.Milliseconds()) }

// newTestServerClock is newTestServer with a fake clock (nil: real time).
func newTestServerClock(tb testing.TB, cfg Config, clock *fakeClock) (*Server, string) {
	tb.Helper()
	return newTestServerWrap(tb, cfg, clock, nil)
}

// newTestServerWrap is newTestServerClock serving on wrap(the unix
// listener), if wrap is not nil.
func newTestServerWrap(tb testing.TB, cfg Config, clock *fakeClock, wrap func(net.Listener) net.Listener) (*Server, string) {
	tb.Helper()
	return startTestServer(tb, cfg, clock, wrap, nil)
}

// newTestServerSetup is newTestServer running setup on the server before
// it serves (to bind commands of the tests' own, say).
func newTestServerSetup(tb testing.TB, cfg Config, setup func(*Server)) (*Server, string) {
	tb.Helper()
	return startTestServer(tb, cfg, nil, nil, setup)
}

func startTestServer(tb testing.TB, cfg Config, clock *fakeClock, wrap func(net.Listener) net.Listener, setup func(*Server)) (*Server, string) {
	tb.Helper()
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	path := filepath.Join(tb.TempDir(), "s.sock")
	ln, err := addr.ListenUnix(path)
	if err != nil {
		tb.Fatal(err)
	}
	if wrap != nil {
		ln = wrap(ln)
	}
	s := New(cfg)
	if clock != nil {
		s.clock = clock.Now
	}
	if setup != nil {
		setup(s)
	}
	done := make(chan error, 1)
	go func() { done <- s.Serve(ln) }()
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := s.Shutdown(ctx); err != nil {
			tb.Errorf("shutdown: %v", err)
		}
		if err := <-done; !errors.Is(err, ErrServerClosed) {
			tb.Errorf("Serve returned %v, want ErrServerClosed", err)
		}
		// Every event loop ends with the server.
		waitFor(tb, func() bool {
			s.mu.Lock()
			defer s.mu.Unlock()
			return s.ev.running() == 0
		})
	})
	return s, path
}

// testConn is a raw RESP client for tests: Do sends a command and returns
// the reply rendered as a compact string (see render).
type testConn struct {
	tb testing.TB
	c  net.Conn
	r  *bufio.Reader
}

func dial(tb testing.TB, path string) *testConn {
	tb.Helper()
	c, err := net.Dial("unix", path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { c.Close() })
	return &testConn{tb: tb, c: c, r: bufio.NewReader(c)}
}

// Send writes one command as a RESP multibulk.
func (tc *testConn) Send(args ...string) {
	tc.tb.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	tc.Write(b.String())
}

// Write sends raw bytes.
func (tc *testConn) Write(raw string) {
	tc.tb.Helper()
	if _, err := tc.c.Write([]byte(raw)); err != nil {
		tc.tb.Fatal(err)
	}
}

// Do sends a command and returns its reply, rendered.
func (tc *testConn) Do(args ...string) string {
	tc.tb.Helper()
	tc.Send(args...)
	return tc.Read()
}

// Read reads one reply, rendered:
//
//	+OK -> "OK"       -ERR x -> "ERR x"   :1 -> "1"   $3 foo -> "foo"
//	$-1, *-1, _ -> "(nil)"   arrays, maps, sets -> "[a b c]"
//	,1.5 -> "1.5"   #t -> "true"
func (tc *testConn) Read() string {
	tc.tb.Helper()
	tc.c.SetReadDeadline(time.Now().Add(10 * time.Second))
	s, err := readReply(tc.r)
	if err != nil {
		tc.tb.Fatalf("read reply: %v", err)
	}
	return s
}

func readReply(r *bufio.Reader) (string, error) { return readReplyRec(r, nil) }

// readReplyRec is readReply that also appends the raw bytes to rec.
func readReplyRec(r *bufio.Reader, rec *strings.Builder) (string, error) {
	line, err := r.ReadString('\n')
	if err != nil {
		return "", err
	}
	if rec != nil {
		rec.WriteString(line)
	}
	if len(line) < 3 || !strings.HasSuffix(line, "\r\n") {
		return "", fmt.Errorf("bad reply line %q", line)
	}
	kind, body := line[0], line[1:len(line)-2]
	switch kind {
	case '+', '-', ':', ',', '(':
		return body, nil
	case '_':
		return "(nil)", nil
	case '#':
		return strconv.FormatBool(body == "t"), nil
	case '$', '=':
		n, err := strconv.Atoi(body)
		if err != nil {
			return "", err
		}
		if n < 0 {
			return "(nil)", nil
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(r, buf); err != nil {
			return "", err
		}
		if rec != nil {
			rec.Write(buf)
		}
		return string(buf[:n]), nil
	case '*', '%', '~', '>':
		n, err := strconv.Atoi(body)
		if err != nil {
			return "", err
		}
		if n < 0 {
			return "(nil)", nil
		}
		if kind == '%' {
			n *= 2
		}
		parts := make([]string, n)
		for i := range parts {
			if parts[i], err = readReplyRec(r, rec); err != nil {
				return "", err
			}
		}
		return "[" + strings.Join(parts, " ") + "]", nil
	}
	return "", fmt.Errorf("unknown reply type %q", line)
}

// ReadRaw reads whatever the server sends until it closes the connection
// or goes quiet for d.
func (tc *testConn) ReadRaw(d time.Duration) (data string, closed bool) {
	tc.c.SetReadDeadline(time.Now().Add(d))
	b, err := io.ReadAll(tc.r)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return string(b), false
	}
	return string(b), true
}

// cmdCase is one step of a table test: a command and the reply expected.
type cmdCase struct {
	args []string
	want string
}

// run sends each case in order on one connection and checks each reply.
func run(t *testing.T, tc *testConn, cases []cmdCase) {
	t.Helper()
	for _, c := range cases {
		if got := tc.Do(c.args...); got != c.want {
			t.Errorf("%s: got %q, want %q", strings.Join(c.args, " "), got, c.want)
		}
	}
}

// ReadRawReply reads one reply and returns its raw bytes.
func (tc *testConn) ReadRawReply() string {
	tc.tb.Helper()
	tc.c.SetReadDeadline(time.Now().Add(10 * time.Second))
	var rec strings.Builder
	if _, err := readReplyRec(tc.r, &rec); err != nil {
		tc.tb.Fatalf("read reply: %v", err)
	}
	return rec.String()
}

// waitFor polls cond until it holds, failing after 10 s.
func waitFor(t testing.TB, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached in 10 s")
		}
		time.Sleep(time.Millisecond)
	}
}
