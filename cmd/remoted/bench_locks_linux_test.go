package main

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/remoted/remoted/internal/addr"
	"github.com/remoted/remoted/internal/testdep"
	"github.com/remoted/remoted/server"
)

// parseReply reads each kind of reply the lock benchmark gets, and waits
// for the rest of one cut short.
func TestParseReply(t *testing.T) {
	cases := []struct {
		raw, want string
		n         int // 0: incomplete
		err       string
	}{
		{"+OK\r\n", "OK", 5, ""},
		{":42\r\n:1\r\n", "42", 5, ""},
		{"$3\r\nabc\r\n", "abc", 9, ""},
		{"$0\r\n\r\n", "", 6, ""},
		{"$-1\r\n", "", 5, ""},
		{"*-1\r\n", "", 5, ""},
		{"-ERR boom\r\n", "", 11, "ERR boom"},
		{"$5\r\nab", "", 0, ""},
		{"+OK", "", 0, ""},
		{"*1\r\n:1\r\n", "", 0, "unexpected reply"},
		{"$x\r\n", "", 0, "unexpected reply"},
		{"+OK\n", "", 0, "unexpected reply"},
		{"$2\r\nabcd", "", 0, "not ended by CRLF"},
		{"$99999999999\r\n", "", 0, "bulk string"},
	}
	for _, c := range cases {
		got, n, err := parseReply([]byte(c.raw))
		if got != c.want || n != c.n || (err == nil) != (c.err == "") || (err != nil && !strings.Contains(err.Error(), c.err)) {
			t.Errorf("parseReply(%q) = %q, %d, %v; want %q, %d, error containing %q", c.raw, got, n, err, c.want, c.n, c.err)
		}
	}
}

// FuzzParseReply: any bytes from a server parse as replies, wait for more,
// or fail, never panic; a reply never takes more bytes than there are,
// and a reply cut short is never taken.
func FuzzParseReply(f *testing.F) {
	for _, s := range []string{"+OK\r\n:1\r\n$-1\r\n", "$3\r\nabc\r\n-ERR x\r\n", "$99999999999\r\n", "*-1\r\n$"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for len(data) > 0 {
			_, n, err := parseReply(data)
			if err != nil || n == 0 {
				return
			}
			if n > len(data) {
				t.Fatalf("took %d of %d bytes", n, len(data))
			}
			if _, m, err := parseReply(data[:n-1]); m != 0 && err == nil {
				t.Fatalf("%q cut short still parsed (%d bytes)", data[:n], m)
			}
			data = data[n:]
		}
	})
}

// The lock benchmark runs every lock in both modes, with and without time
// away between sections, and counts exactly the critical sections that
// ran: its counter key equals the acquisitions it reports, and remoted's
// locks changed hands (the recipe promises no such thing).
func TestLockCellCounts(t *testing.T) {
	dir := t.TempDir()
	sock := filepath.Join(dir, "remoted.sock")
	ln, err := addr.ListenUnix(sock)
	if err != nil {
		t.Fatal(err)
	}
	srv := server.New(server.Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	go srv.Serve(ln)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	})
	socks := map[lockKind]string{remotedShareLock: sock, remotedNamedLock: sock}
	rs, err := startBenchRedis(context.Background(), dir, testdep.Tool(t, "redis-server"), "redis", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(rs.stop)
	socks[redisRecipeLock] = rs.sock
	for kind, sock := range socks {
		for _, pipelined := range []bool{false, true} {
			for _, think := range []time.Duration{0, time.Millisecond} {
				r, err := runLockCell(sock, kind, 4, 200*time.Millisecond, think, pipelined)
				if err != nil {
					t.Fatalf("%s pipelined=%v think=%v: %v", kind, pipelined, think, err)
				}
				if !r.counterOK || r.rate == 0 || (kind != redisRecipeLock && r.handoffs == 0) {
					t.Errorf("%s pipelined=%v think=%v: counter exact %v after %.0f acquisitions/s, %.0f handoffs/s",
						kind, pipelined, think, r.counterOK, r.rate, r.handoffs)
				}
			}
		}
	}
}
