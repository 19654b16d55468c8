package server

import (
	"errors"
	"net"
	"sync"
	"sync/atomic"

	"github.com/tidwall/redcon"

	"github.com/remoted/remoted/resp"
)

// conn is a client connection: the framer that turns what the client
// sends into whole commands, and its reply writer, over a transport that
// moves the bytes. Two transports exist, as Redis has one event loop API
// with a backend per OS: on Linux plain unix and TCP sockets are served by
// an event loop (fdTransport, loop_linux.go), as Redis serves them; TLS,
// every other OS, and Config.Portable get a goroutine per connection
// (netTransport, conn_net.go).
//
// At any moment one goroutine owns a conn and alone reads, writes or
// closes it: the loop, a goroutine that left the loop to wait (see
// waitBegin), or the connection's own goroutine. Other goroutines only
// interrupt it.
type conn struct {
	t        transport
	client   *client
	unixPath string // the listening socket's path for a unix client, else ""
	addr     string // the client's address, as CLIENT LIST shows it
	laddr    string // the server's end

	framer *resp.Framer
	// in holds framed input: whole commands from off to whole, then the
	// beginning of one still arriving.
	in         []byte
	off, whole int
	raw        []byte   // input not framed yet (see resp.Framer.Frame)
	args       [][]byte // the command being run, pointing into in
	perr       error    // a protocol error after the whole commands in in
	needAuth   bool     // the framer applies the unauthenticated limits

	out      *redcon.Writer // replies not yet written
	staged   []byte         // replies taken from out, not yet given to the transport (see flush)
	quit     bool           // close once the replies are written
	left     bool           // handed to another owner (MONITOR): the driver lets go
	handOff  func()         // starts that owner, once the batch is done with cn
	overSoft atomic.Int64   // unix ns since the replies unread pass the soft output limit; 0: they do not

	// For CLIENT LIST, read by other connections.
	omem     atomic.Int64 // replies the socket has not taken yet
	qbuf     atomic.Int64 // input received and not yet run
	qbufFree atomic.Int64 // room left in the input buffer
	fd       atomic.Int64 // t.fd()

	tmu         sync.Mutex // orders interrupt against a change of transport
	interrupted int        // 1: interrupted, 2: hard; guarded by tmu
}

// transport moves a connection's bytes. Only the conn's owner calls it,
// but for interrupt.
type transport interface {
	// write sends replies, or keeps what the socket cannot take yet.
	write(cn *conn, p []byte) (int, error)
	// interrupt makes the owner notice, soon, that it must close: a killed
	// client or a server shutting down. hard also stops replies already
	// queued. Any goroutine may call it.
	interrupt(hard bool)
	// close closes the socket.
	close()
	// waitBegin prepares for a command that waits (LOCK, the share-wide
	// lock's gate): the replies so far are written, no other connection
	// waits for this one, and the client hanging up kills it, which ends
	// the wait. waitEnd gives the owner the connection back.
	waitBegin(cn *conn)
	waitEnd(cn *conn)
	// detach hands the connection to a goroutine of its own for good
	// (MONITOR), on a netTransport, writing any replies still pending.
	// Once it is called the driver no longer serves the connection, even
	// if it fails; the transport it returns, if any, is the one to close.
	detach(cn *conn) (*netTransport, error)
	// fd is the socket's descriptor, for CLIENT LIST; -1 if none.
	fd() int
	// gone reports whether the client has visibly hung up, while a
	// command of its waits (see block): a peek, which may miss a hang-up
	// behind unread input.
	gone() bool
}

func newConn(nc net.Conn, lim resp.Limits, needAuth bool, unixPath string) *conn {
	cn := &conn{unixPath: unixPath, needAuth: needAuth}
	// CLIENT LIST shows a unix client as "path:0" on both ends.
	if unixPath != "" {
		cn.addr, cn.laddr = unixPath+":0", unixPath+":0"
	} else {
		cn.addr, cn.laddr = nc.RemoteAddr().String(), nc.LocalAddr().String()
	}
	cn.setTransport(newNetTransport(nc))
	lim.AuthRequired = func() bool { return cn.needAuth }
	cn.framer = resp.NewFramer(lim)
	cn.out = redcon.NewWriter(cn)
	return cn
}

// feed frames bytes read from the socket.
func (cn *conn) feed(b []byte) {
	var rest []byte
	var err error
	conf := &cn.client.srv.conf // CONFIG SET reaches connected clients
	cn.framer.SetLimits(conf.protoMaxBulkLen.Load(), conf.queryBufLimit.Load())
	cn.in, cn.whole, rest, err = cn.framer.Frame(cn.in, b)
	cn.raw = append(cn.raw[:0], rest...) // b may be the loop's read buffer
	if err != nil && cn.perr == nil {
		cn.perr = err
	}
	cn.noteInput()
}

// noteInput records the input buffer's use for CLIENT LIST.
func (cn *conn) noteInput() {
	cn.qbuf.Store(int64(len(cn.in) - cn.off + len(cn.raw)))
	cn.qbufFree.Store(int64(cap(cn.in) - len(cn.in)))
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
		cn.perr = &resp.ProtocolError{Text: resp.MsgProtoInternal}
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
	cn.noteInput()
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
	return cn.flush()
}

// flush hands every reply written so far to the transport.
func (cn *conn) flush() error {
	if err := cn.out.Flush(); err != nil {
		return err
	}
	if len(cn.staged) == 0 {
		return nil
	}
	_, err := cn.t.write(cn, cn.staged)
	if cap(cn.staged) > replyFlushAt {
		cn.staged = nil // do not keep a big buffer after a big reply
	} else {
		cn.staged = cn.staged[:0]
	}
	return err
}

// setTransport moves the connection to t; an interrupt that reached the
// transport it leaves reaches t too. Only the owner calls it.
func (cn *conn) setTransport(t transport) {
	cn.tmu.Lock()
	defer cn.tmu.Unlock()
	cn.t = t
	cn.fd.Store(int64(t.fd()))
	if cn.interrupted > 0 {
		t.interrupt(cn.interrupted > 1)
	}
}

// replyFlushAt is how many bytes of replies a batch builds before it
// hands them to the socket. A batch is one read of input (up to 16 KiB),
// but its replies may be far larger (712 pipelined GETs of a 256 KiB
// value make 178 MiB): built whole, they would cost that much memory,
// and more in the copies of a growing buffer, for a client that may
// never read them.
const replyFlushAt = 64 << 10

// backlogged hands the replies built so far to the socket once they pass
// replyFlushAt, and reports whether the batch must stop: the socket did
// not take them all (the client is not reading), or it failed. The
// commands not yet run stay in the input, to run once the client has read
// (see fdTransport); so a client that does not read costs at most about
// one reply beyond what its socket holds, and nothing is produced for one
// that has gone. A blocking transport simply waits for the client here.
//
// To see how much there is without copying it (redcon's Writer.Buffer
// copies), the command's reply moves to staged at once: the copy of one
// reply, where asking Buffer after every command copied the whole batch's
// replies again each time (287 MB of garbage for 1M pipelined SETs).
func (cn *conn) backlogged() bool {
	if cn.out.Flush() != nil || len(cn.staged) < replyFlushAt {
		return false
	}
	if cn.flush() != nil {
		cn.quit = true
		return true
	}
	return cn.omem.Load() > 0
}

// hasInput reports whether commands received are still to run: a batch
// that stopped for a backlog left them.
func (cn *conn) hasInput() bool { return cn.off < cn.whole || len(cn.raw) > 0 }

// Write takes replies from cn.out into staged, which flush hands to the
// transport.
func (cn *conn) Write(p []byte) (int, error) {
	cn.staged = append(cn.staged, p...)
	return len(p), nil
}

// interrupt: see transport. Any goroutine may call it.
func (cn *conn) interrupt(hard bool) {
	cn.tmu.Lock()
	defer cn.tmu.Unlock()
	cn.interrupted = max(cn.interrupted, 1)
	if hard {
		cn.interrupted = 2
	}
	cn.t.interrupt(hard)
}

// closeSocket closes the connection's socket.
func (cn *conn) closeSocket() { cn.t.close() }
