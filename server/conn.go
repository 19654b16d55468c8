package server

import (
	"crypto/tls"
	"errors"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/tidwall/redcon"
	"golang.org/x/sys/unix"

	"github.com/remoted/remoted/resp"
)

// conn is a client connection's transport: its socket, the framer that
// turns what the client sends into whole commands, and its reply buffer.
// Two drivers move its bytes. Plain unix and TCP sockets are served by an
// event loop (loop_linux.go), as Redis serves them: one goroutine waits on
// every idle connection at once and runs each command as it arrives.
// Anything else (TLS, a monitor) gets a goroutine of its own (serveConn).
//
// At any moment one goroutine owns a conn and alone reads, writes or
// closes it: the loop, a goroutine that left the loop to wait (see
// block), or the connection's own goroutine. Other goroutines only
// interrupt it.
type conn struct {
	nc       net.Conn // the accepted connection; after detachFD only its addresses are used
	fd       int      // the socket the loop serves, or -1
	lp       *loop    // the loop serving fd, or nil
	client   *client
	unixPath string // the listening socket's path for a unix client, else ""

	framer *resp.Framer
	// in holds framed input: whole commands from off to whole, then the
	// beginning of one still arriving.
	in         []byte
	off, whole int
	raw        []byte   // input not framed yet (see resp.Framer.Frame)
	args       [][]byte // the command being run, pointing into in
	perr       error    // a protocol error after the whole commands in in
	needAuth   bool     // the framer applies the unauthenticated limits

	out     *redcon.Writer // replies not yet written
	pending []byte         // replies the socket has not taken yet (loop only)
	omem    atomic.Int64   // len(pending), for CLIENT LIST
	quit    bool           // close once the replies are written
	left    bool           // handed to another owner (MONITOR): the driver lets go
	handOff func()         // starts that owner, once the batch is done with cn
	tok     *leaderToken   // the loop goroutine running its commands, if any
	away    bool           // waiting off the loop (see block); guarded by lp.mu

	fdMu     sync.Mutex // orders interrupt against close, so a reused fd is never shut
	fdClosed bool
}

// Reads go into a buffer that starts small, so that thousands of mostly
// idle clients on the goroutine driver cost little, and doubles up to
// maxReadBuf each time a read fills it.
const (
	minReadBuf = 1 << 10
	maxReadBuf = 16 << 10
)

func newConn(nc net.Conn, lim resp.Limits, needAuth bool, unixPath string) *conn {
	cn := &conn{nc: nc, fd: -1, unixPath: unixPath, needAuth: needAuth}
	lim.AuthRequired = func() bool { return cn.needAuth }
	cn.framer = resp.NewFramer(lim)
	cn.out = redcon.NewWriter(cn)
	return cn
}

// feed frames bytes read from the socket.
func (cn *conn) feed(b []byte) {
	var rest []byte
	var err error
	cn.in, cn.whole, rest, err = cn.framer.Frame(cn.in, b)
	cn.raw = append(cn.raw[:0], rest...) // b may be the loop's read buffer
	if err != nil && cn.perr == nil {
		cn.perr = err
	}
}

// next returns the next whole command, or nil. Input the framer left
// unframed (before AUTH) is framed once the commands before it have run.
func (cn *conn) next() [][]byte {
	if cn.off >= cn.whole && len(cn.raw) > 0 && cn.perr == nil {
		cn.compact()
		raw := cn.raw
		cn.raw = nil
		cn.feed(raw)
	}
	if cn.off >= cn.whole {
		return nil
	}
	args, n := resp.SplitCommand(cn.in[cn.off:cn.whole], cn.args)
	if n == 0 {
		// Frame promises whole commands up to whole; if that ever broke,
		// stopping the connection beats running garbage.
		cn.perr = &resp.ProtocolError{Text: "ERR Protocol error: internal framing error"}
		cn.off = cn.whole
		return nil
	}
	cn.off += n
	cn.args = args
	return args
}

// compact drops the commands run, keeping the beginning of one still
// arriving at the front of in.
func (cn *conn) compact() {
	if cn.off < cn.whole {
		return // stopped early (QUIT, a wait): the rest stays
	}
	rest := len(cn.in) - cn.off
	switch {
	case rest == 0 && cap(cn.in) > 64<<10:
		cn.in = nil // do not keep a big buffer after a big command
	case rest == 0:
		cn.in = cn.in[:0]
	default:
		cn.in = cn.in[:copy(cn.in, cn.in[cn.off:])]
	}
	cn.off, cn.whole = 0, 0
}

// finish ends a batch: it answers a protocol error found after the
// batch's commands and closes after it, as Redis does, then writes the
// replies. An error means the socket failed.
func (cn *conn) finish() error {
	var pe *resp.ProtocolError
	if cn.perr != nil && !cn.quit {
		cn.quit = true
		if errors.As(cn.perr, &pe) && pe.Text != "" {
			cn.out.WriteError(pe.Text)
		}
	}
	return cn.out.Flush()
}

// Write sends replies; it is the io.Writer under cn.out. On the loop a
// socket that takes only part of them keeps the rest in pending, which
// the loop writes once the socket has room.
func (cn *conn) Write(p []byte) (int, error) {
	if cn.fd < 0 {
		return cn.nc.Write(p)
	}
	if len(cn.pending) > 0 {
		cn.pending = append(cn.pending, p...)
		cn.omem.Store(int64(len(cn.pending)))
		return len(p), nil
	}
	n, err := writeFD(cn.fd, p)
	if err != nil {
		return n, err
	}
	if n < len(p) {
		cn.pending = append(cn.pending[:0], p[n:]...)
		cn.omem.Store(int64(len(cn.pending)))
	}
	return len(p), nil
}

// writeFD writes p to a non-blocking socket until it is full; n is what
// it took.
func writeFD(fd int, p []byte) (n int, err error) {
	for n < len(p) {
		m, err := unix.Write(fd, p[n:])
		switch {
		case err == unix.EINTR:
		case err == unix.EAGAIN:
			return n, nil
		case err != nil:
			return n, err
		default:
			n += m
		}
	}
	return n, nil
}

// interrupt makes the owner of the connection notice, soon, that it must
// close: a killed client or a server shutting down. The owner then runs
// nothing more and closes. hard also stops replies already queued.
func (cn *conn) interrupt(hard bool) {
	cn.fdMu.Lock()
	defer cn.fdMu.Unlock()
	switch {
	case cn.fd >= 0 && !cn.fdClosed && hard:
		unix.Shutdown(cn.fd, unix.SHUT_RDWR)
	case cn.fd >= 0 && !cn.fdClosed:
		unix.Shutdown(cn.fd, unix.SHUT_RD) // the loop sees end of input
	case cn.fd < 0 && hard:
		cn.nc.Close()
	case cn.fd < 0:
		cn.nc.SetReadDeadline(time.Now())
	}
}

// closeSocket closes the connection's socket.
func (cn *conn) closeSocket() {
	if cn.fd < 0 {
		cn.nc.Close()
		return
	}
	cn.fdMu.Lock()
	cn.fdClosed = true
	unix.Close(cn.fd)
	cn.fdMu.Unlock()
}

// peerGone reports whether the client of a connection on the goroutine
// driver has closed its side (or reset it), without consuming anything it
// sent. Only the owner calls it; the event loop watches its own
// connections instead, for EPOLLRDHUP. So does this, with poll: a hang-up
// counts even behind unread bytes, such as commands pipelined after a
// LOCK or the close_notify a TLS client sends before it closes (peeking
// for EOF saw those bytes and never the end).
func (cn *conn) peerGone() bool {
	nc := cn.nc
	if tc, ok := nc.(*tls.Conn); ok {
		nc = tc.NetConn()
	}
	sc, ok := nc.(syscall.Conn)
	if !ok {
		return false
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return true
	}
	gone := false
	err = raw.Control(func(fd uintptr) {
		fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLRDHUP}}
		n, perr := unix.Poll(fds, 0)
		gone = perr == nil && n > 0 && fds[0].Revents&(unix.POLLRDHUP|unix.POLLHUP|unix.POLLERR|unix.POLLNVAL) != 0
	})
	return gone || err != nil
}

// readMore reads once from a connection on the goroutine driver and frames
// what came, growing the read buffer while reads fill it.
func (cn *conn) readMore(buf *[]byte) error {
	if *buf == nil {
		*buf = make([]byte, minReadBuf)
	}
	n, err := cn.nc.Read(*buf)
	if n > 0 {
		cn.feed((*buf)[:n])
	}
	if n == len(*buf) && n < maxReadBuf {
		*buf = make([]byte, 2*n)
	}
	if n > 0 {
		return nil
	}
	if err == nil {
		err = io.ErrNoProgress
	}
	return err
}

// serveConn is the goroutine driver: it reads the connection, runs what
// arrives and writes the replies until the connection ends.
func (s *Server) serveConn(c *client) {
	cn := c.tr
	var buf []byte
	for {
		err := cn.readMore(&buf)
		s.runBatch(c)
		if cn.left {
			return // a monitor now; its goroutines own the connection
		}
		if cn.finish() != nil || cn.quit || err != nil {
			break
		}
	}
	cn.closeSocket()
	s.release(c)
}
