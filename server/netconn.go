package server

import (
	"errors"
	"io"
	"net"
	"runtime"
	"sync"
	"time"

	"github.com/remoted/remoted/resp"
)

// limitConn sits between a client's socket and redcon's reader. Every byte
// passes through a resp.Framer, which enforces the limits redcon lacks and
// reproduces Redis's parsing; on a protocol error the conn replies with
// Redis's text and reports EOF, so redcon closes the connection after
// running every command that arrived before the bad one.
type limitConn struct {
	net.Conn
	framer *resp.Framer
	in     []byte // read buffer
	buf    []byte // framed bytes, reused between reads
	out    []byte // the part of buf not yet handed to redcon
	err    error  // protocol error to report once out is drained
	// needAuth is true while the client has not authenticated; the framer
	// then applies Redis's tighter unauthenticated limits. Only the
	// connection's own goroutine touches it.
	needAuth bool
}

// The read buffer starts small, so that thousands of mostly idle clients
// (NewProc children) cost little, and doubles up to maxReadBuf each time a
// read fills it.
const (
	minReadBuf = 1 << 10
	maxReadBuf = 16 << 10
)

func newLimitConn(c net.Conn, lim resp.Limits, needAuth bool) *limitConn {
	lc := &limitConn{Conn: c, in: make([]byte, minReadBuf), needAuth: needAuth}
	lim.AuthRequired = func() bool { return lc.needAuth }
	lc.framer = resp.NewFramer(lim)
	return lc
}

func (c *limitConn) Read(p []byte) (int, error) {
	for len(c.out) == 0 {
		if c.err != nil {
			return 0, c.fail()
		}
		// Let the other connections run first: a client usually needs a
		// round trip to send its next command, and a read now would
		// mostly find nothing and cost a wasted syscall and a park.
		runtime.Gosched()
		n, err := c.Conn.Read(c.in)
		if n > 0 {
			c.buf, c.err = c.framer.Feed(c.buf[:0], c.in[:n])
			c.out = c.buf
		}
		if n == len(c.in) && n < maxReadBuf {
			c.in = make([]byte, 2*n)
		}
		if err != nil && len(c.out) == 0 {
			return 0, err
		}
	}
	n := copy(p, c.out)
	c.out = c.out[n:]
	if len(c.out) == 0 && cap(c.buf) > 1<<20 {
		c.buf = nil // do not keep a huge buffer after a big command
	}
	return n, nil
}

// fail sends the pending protocol error's reply and ends the stream.
func (c *limitConn) fail() error {
	var pe *resp.ProtocolError
	if errors.As(c.err, &pe) && pe.Text != "" {
		c.Conn.SetWriteDeadline(time.Now().Add(time.Second))
		c.Conn.Write([]byte("-" + pe.Text + "\r\n"))
	}
	return io.EOF
}

// drainListener wraps a listener for Server.Serve. After the real listener
// is closed, Accept holds its error back until the server has drained, so
// that redcon, which closes every connection as soon as Accept fails, does
// not cut off replies still being written.
type drainListener struct {
	net.Listener
	srv    *Server
	closed sync.Once
}

func (l *drainListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		if l.srv.closing.Load() {
			<-l.srv.done
		}
		return nil, err
	}
	if uc, ok := c.(*net.UnixConn); ok {
		c = &unixConn{UnixConn: uc, path: l.Addr().String()}
	}
	return newLimitConn(c, l.srv.limits, l.srv.cfg.RequirePass != ""), nil
}

func (l *drainListener) Close() error {
	var err error
	l.closed.Do(func() { err = l.Listener.Close() })
	return err
}

// unixConn remembers the socket path, which Redis reports as a unix
// client's address.
type unixConn struct {
	*net.UnixConn
	path string
}
