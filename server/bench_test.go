package server

import (
	"bufio"
	"io"
	"log/slog"
	"net"
	"strings"
	"testing"

	"github.com/remoted/remoted/resp"
	"github.com/tidwall/redcon"
)

// Benchmarks of the whole path a command takes: socket, framing, redcon,
// dispatch, keyspace, reply. They compare versions of remoted with each
// other (benchstat); comparisons with redis-server are remoted bench's.

// benchConn sends pre-encoded commands and reads the replies without
// parsing more than their count of lines.
type benchConn struct {
	c net.Conn
	r *bufio.Reader
}

func dialBench(b *testing.B, path string) *benchConn {
	b.Helper()
	c, err := net.Dial("unix", path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { c.Close() })
	return &benchConn{c: c, r: bufio.NewReaderSize(c, 64<<10)}
}

// roundTrip writes req and reads lines reply lines.
func (bc *benchConn) roundTrip(b *testing.B, req []byte, lines int) {
	if _, err := bc.c.Write(req); err != nil {
		b.Fatal(err)
	}
	for range lines {
		if _, err := bc.r.ReadSlice('\n'); err != nil {
			b.Fatal(err)
		}
	}
}

func benchServer(b *testing.B) string {
	b.Helper()
	_, path := newTestServer(b, Config{})
	c := dialBench(b, path)
	c.roundTrip(b, []byte("*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n"), 1)
	return path
}

// BenchmarkGET is one client doing GET after GET (latency bound).
func BenchmarkGET(b *testing.B) {
	c := dialBench(b, benchServer(b))
	req := []byte("*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n")
	b.ResetTimer()
	for range b.N {
		c.roundTrip(b, req, 2)
	}
}

// BenchmarkSETPipeline16 sends SETs 16 at a time.
func BenchmarkSETPipeline16(b *testing.B) {
	c := dialBench(b, benchServer(b))
	req := []byte(strings.Repeat("*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n", 16))
	b.ResetTimer()
	for i := 0; i < b.N; i += 16 {
		c.roundTrip(b, req, 16)
	}
}

// BenchmarkGETParallel is many clients doing GETs at once (contention).
func BenchmarkGETParallel(b *testing.B) {
	path := benchServer(b)
	req := []byte("*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n")
	b.SetParallelism(8)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		c, err := net.Dial("unix", path)
		if err != nil {
			b.Error(err)
			return
		}
		defer c.Close()
		bc := &benchConn{c: c, r: bufio.NewReader(c)}
		for pb.Next() {
			bc.roundTrip(b, req, 2)
		}
	})
}

// fakeConn is a redcon.Conn that discards replies: BenchmarkDispatch
// measures the server's own work per command without a socket.
type fakeConn struct {
	redcon.Conn
	w   *redcon.Writer
	ctx any
}

func (f *fakeConn) Context() any                   { return f.ctx }
func (f *fakeConn) SetContext(v any)               { f.ctx = v }
func (f *fakeConn) PeekPipeline() []redcon.Command { return nil }
func (f *fakeConn) WriteRaw(b []byte)              { f.w.WriteRaw(b) }
func (f *fakeConn) WriteBulk(b []byte)             { f.w.WriteBulk(b) }
func (f *fakeConn) WriteString(s string)           { f.w.WriteString(s) }
func (f *fakeConn) WriteError(s string)            { f.w.WriteError(s) }
func (f *fakeConn) WriteInt64(n int64)             { f.w.WriteInt64(n) }

// BenchmarkDispatch runs GET and SET through handle, the path every
// command takes after redcon has parsed it.
func BenchmarkDispatch(b *testing.B) {
	s := New(Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	b.Cleanup(func() { s.Close() })
	a, _ := net.Pipe()
	defer a.Close()
	fc := &fakeConn{w: redcon.NewWriter(io.Discard)}
	c := newClient(s, fc, newLimitConn(a, resp.Limits{}, false))
	fc.ctx = c
	set := redcon.Command{Args: [][]byte{[]byte("SET"), []byte("key"), []byte("value")}}
	get := redcon.Command{Args: [][]byte{[]byte("GET"), []byte("key")}}
	b.ResetTimer()
	for i := range b.N {
		if i%2 == 0 {
			s.handle(fc, set)
		} else {
			s.handle(fc, get)
		}
		if i%64 == 0 {
			fc.w.Flush()
		}
	}
}
