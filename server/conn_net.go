package server

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"runtime"
	"syscall"
	"time"
)

// netTransport serves a connection through its net.Conn from a goroutine
// of its own (serveConn), on Go's poller: the driver for TLS, for every OS
// without the event loop, and for Config.Portable.
type netTransport struct {
	nc    net.Conn
	sock  int         // the descriptor, for CLIENT LIST; -1 if unknown
	ahead chan []byte // while a command waits: what was read meanwhile
}

// netpollAPI is INFO's multiplexing_api where connections are served by
// goroutines: what Go's network poller waits with on this OS.
func netpollAPI() string {
	switch runtime.GOOS {
	case "linux", "android":
		return "epoll"
	case "darwin", "ios", "freebsd", "netbsd", "openbsd", "dragonfly":
		return "kqueue"
	case "solaris", "illumos":
		return "evport"
	case "windows":
		return "iocp"
	}
	return "poll"
}

func newNetTransport(nc net.Conn) *netTransport {
	return &netTransport{nc: nc, sock: sockFD(nc)}
}

// sockFD is the descriptor under nc (a TLS connection's too), or -1.
func sockFD(nc net.Conn) int {
	if tc, ok := nc.(*tls.Conn); ok {
		nc = tc.NetConn()
	}
	sc, ok := nc.(syscall.Conn)
	if !ok {
		return -1
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return -1
	}
	fd := -1
	raw.Control(func(s uintptr) { fd = int(s) })
	return fd
}

// write blocks until the client has taken p. Its output buffer limits
// apply to what it leaves unread, which here is p until it is written:
// more than the hard limit fails at once; more than the soft limit must
// be taken within its seconds (see outputOver).
func (t *netTransport) write(cn *conn, p []byte) (int, error) {
	if n := int64(len(p)); cn.outputOver(n) {
		return 0, cn.outputLimitReached(n)
	}
	cn.omem.Store(int64(len(p))) // unread until Write returns, for CLIENT LIST
	n, err := t.nc.Write(p)
	cn.omem.Store(0)
	cn.outputOver(0) // all taken, or the connection is done
	return n, err
}

func (t *netTransport) interrupt(hard bool) {
	if hard {
		t.nc.Close()
		return
	}
	t.nc.SetReadDeadline(time.Now())
}

func (t *netTransport) close() { t.nc.Close() }

func (t *netTransport) fd() int { return t.sock }

func (t *netTransport) gone() bool { return sockGone(t.sock) }

func (t *netTransport) detach(*conn) (*netTransport, error) { return t, nil }

// waitBegin writes the replies so far, then reads ahead while the command
// waits: a connection is otherwise read only between its commands, and
// reading is the one way every OS and TLS tell that the client has gone.
// What arrives meanwhile (commands pipelined behind a LOCK, a TLS
// close_notify) is kept for after the wait; the end of input or a failed
// read kills the client, which ends the wait. As Redis does with a blocked
// client's query buffer, one that sends more than client-query-buffer-limit
// meanwhile is disconnected.
func (t *netTransport) waitBegin(cn *conn) {
	cn.flush()
	t.ahead = make(chan []byte, 1)
	go t.readAhead(cn.client, cn.client.srv.conf.queryBufLimit.Load())
}

func (t *netTransport) readAhead(c *client, limit int64) {
	var got []byte
	buf := make([]byte, minReadBuf)
	for {
		n, err := t.nc.Read(buf)
		got = append(got, buf[:n]...)
		var ne net.Error
		switch {
		case err == nil && int64(len(got)) <= limit:
			continue
		case err == nil:
			c.srv.log.Warn("closing client that reached max query buffer length", "id", c.id, "qbuf", len(got))
			c.kill()
		case errors.As(err, &ne) && ne.Timeout():
			// waitEnd, or shutdown's interrupt, which ends the wait too
		default:
			c.kill() // hung up, or the socket failed
		}
		t.ahead <- got
		return
	}
}

// waitEnd stops the read ahead and queues what it read behind the
// commands not yet run.
func (t *netTransport) waitEnd(cn *conn) {
	t.nc.SetReadDeadline(time.Now())
	got := <-t.ahead
	t.nc.SetReadDeadline(time.Time{})
	t.ahead = nil
	if len(got) > 0 {
		cn.raw = append(cn.raw, got...)
	}
}

// DefaultTLSHandshakeTimeout is Config.TLSHandshakeTimeout's default.
const DefaultTLSHandshakeTimeout = 10 * time.Second

// handshake runs a TLS connection's handshake within TLSHandshakeTimeout;
// a kill or shutdown meanwhile ends it (interrupt closes the socket or
// sets a deadline).
func (s *Server) handshake(c *client, tc *tls.Conn) bool {
	ctx, cancel := context.WithTimeout(context.Background(), s.cfg.TLSHandshakeTimeout)
	defer cancel()
	if err := tc.HandshakeContext(ctx); err != nil {
		s.log.Debug("TLS handshake failed", "id", c.id, "addr", c.tr.addr, "err", err)
		return false
	}
	return true
}

// Reads go into a buffer that starts small, so that thousands of mostly
// idle clients on the goroutine driver cost little, and doubles up to
// maxReadBuf each time a read fills it.
const (
	minReadBuf = 1 << 10
	maxReadBuf = 16 << 10
)

// readMore reads once and frames what came, growing the read buffer
// while reads fill it.
func (t *netTransport) readMore(cn *conn, buf *[]byte) error {
	if *buf == nil {
		*buf = make([]byte, minReadBuf)
	}
	n, err := t.nc.Read(*buf)
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
func (s *Server) serveConn(c *client, t *netTransport) {
	cn := c.tr
	var buf []byte
	if tc, ok := t.nc.(*tls.Conn); ok && !s.handshake(c, tc) {
		cn.closeSocket()
		s.release(c)
		return
	}
	for {
		err := t.readMore(cn, &buf)
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

// keepAlive sets tcp-keepalive on a TCP connection (under TLS too), as
// Redis does on every TCP client: probes every tcp-keepalive seconds once
// the connection is idle that long.
func (s *Server) keepAlive(nc net.Conn) {
	if tc, ok := nc.(*tls.Conn); ok {
		nc = tc.NetConn()
	}
	tcp, ok := nc.(*net.TCPConn)
	if !ok {
		return
	}
	secs := s.conf.tcpKeepAlive.Load()
	period := time.Duration(secs) * time.Second
	tcp.SetKeepAliveConfig(net.KeepAliveConfig{Enable: secs > 0, Idle: period, Interval: period / 3, Count: 3})
}
