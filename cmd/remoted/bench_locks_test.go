package main

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/remoted/remoted/internal/testdep"
	"github.com/remoted/remoted/server"
)

// benchConn reads each kind of reply as the lock benchmark uses it.
func TestBenchConnRead(t *testing.T) {
	cases := []struct {
		raw, want, err string
	}{
		{"+OK\r\n", "OK", ""},
		{":42\r\n", "42", ""},
		{"$3\r\nabc\r\n", "abc", ""},
		{"$0\r\n\r\n", "", ""},
		{"$-1\r\n", "", ""},
		{"*-1\r\n", "", ""},
		{"-ERR boom\r\n", "", "ERR boom"},
		{"*1\r\n:1\r\n", "", "unexpected reply"},
		{"$x\r\n", "", "unexpected reply"},
		{"+OK\n", "", "unexpected reply"},
		{"$5\r\nab", "", "EOF"},
	}
	for _, c := range cases {
		bc := &benchConn{r: bufio.NewReader(strings.NewReader(c.raw))}
		got, err := bc.read()
		if got != c.want || (err == nil) != (c.err == "") || (err != nil && !strings.Contains(err.Error(), c.err)) {
			t.Errorf("read(%q) = %q, %v; want %q, error containing %q", c.raw, got, err, c.want, c.err)
		}
	}
}

// FuzzBenchConnRead: any bytes from a server give replies or an error,
// never a panic, and reading stops at the end of input.
func FuzzBenchConnRead(f *testing.F) {
	for _, s := range []string{"+OK\r\n:1\r\n$-1\r\n", "$3\r\nabc\r\n-ERR x\r\n", "$99999999999\r\n", "*-1\r\n$"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		bc := &benchConn{r: bufio.NewReader(strings.NewReader(string(data)))}
		for range len(data) + 1 {
			if _, err := bc.read(); err == io.EOF || err == io.ErrUnexpectedEOF {
				return
			}
		}
		t.Fatalf("%d replies read from %d bytes", len(data)+1, len(data))
	})
}

// The lock benchmark runs every lock in both modes, and counts exactly the
// critical sections that ran: its counter key equals the acquisitions it
// reports.
func TestLockCellCounts(t *testing.T) {
	dir := t.TempDir()
	sock := filepath.Join(dir, "remoted.sock")
	ln, err := server.ListenUnix(sock)
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
	rs, err := startBenchRedis(context.Background(), dir, testdep.Tool(t, "redis-server"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(rs.stop)
	socks[redisRecipeLock] = rs.sock
	for kind, sock := range socks {
		for _, pipelined := range []bool{false, true} {
			r, err := runLockCell(sock, kind, 4, 200*time.Millisecond, 0, pipelined)
			if err != nil {
				t.Fatalf("%s pipelined=%v: %v", kind, pipelined, err)
			}
			if !r.counterOK || r.rate == 0 {
				t.Errorf("%s pipelined=%v: counter exact %v after %.0f acquisitions/s", kind, pipelined, r.counterOK, r.rate)
			}
		}
	}
}
