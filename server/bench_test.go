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

// Benchmarks of the whole path a command takes: socket, event loop,
// framing, dispatch, keyspace, reply. They compare versions of remoted with each
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

// BenchmarkDispatch runs GET and SET, each as a batch of its own, through
// the path every command takes after a read: framing, splitting, dispatch
// and the reply, without a socket.
func BenchmarkDispatch(b *testing.B) {
	s := New(Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	b.Cleanup(func() { s.Close() })
	a, _ := net.Pipe()
	defer a.Close()
	cn := newConn(a, resp.Limits{}, false, "")
	cn.out = redcon.NewWriter(io.Discard)
	c := newClient(s, cn)
	set := []byte("*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n")
	get := []byte("*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n")
	b.ResetTimer()
	for i := range b.N {
		if i%2 == 0 {
			cn.feed(set)
		} else {
			cn.feed(get)
		}
		s.runBatch(c)
		if i%64 == 0 {
			cn.out.Flush()
		}
	}
}
