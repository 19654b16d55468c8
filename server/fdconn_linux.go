package server

import (
	"net"
	"os"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"
)

// fdTransport is a plain unix or TCP socket served by an event loop (see
// loop): its descriptor, taken from Go's poller, is non-blocking, and
// replies the socket cannot take yet wait in pending.
type fdTransport struct {
	cn      *conn
	sock    int
	lp      *loop
	pending []byte       // replies the socket has not taken yet
	tok     *leaderToken // the loop goroutine running its commands, if any
	away    bool         // waiting off the loop (see waitBegin); guarded by lp.mu

	mu     sync.Mutex // orders interrupt against close, so a reused fd is never shut
	closed bool
}

// takeFD gives the socket of a plain unix or TCP connection to lp: it
// duplicates the descriptor and closes the net.Conn, so Go's poller no
// longer watches it. It reports false for anything else, which stays
// with its goroutine.
func (lp *loop) takeFD(cn *conn) bool {
	nt, ok := cn.t.(*netTransport)
	if !ok {
		return false
	}
	switch nt.nc.(type) {
	case *net.UnixConn, *net.TCPConn:
	default:
		return false
	}
	sc, err := nt.nc.(syscall.Conn).SyscallConn()
	if err != nil {
		return false
	}
	fd := -1
	var dupErr error
	if err := sc.Control(func(s uintptr) {
		fd, dupErr = unix.FcntlInt(s, unix.F_DUPFD_CLOEXEC, 0)
	}); err != nil || dupErr != nil {
		return false
	}
	// The duplicate shares the socket's file status, so it is
	// non-blocking like the original.
	nt.nc.Close()
	ft := &fdTransport{cn: cn, sock: fd, lp: lp}
	cn.setTransport(ft)
	if err := lp.add(ft); err != nil {
		lp.drop(ft)
	}
	return true
}

func (ft *fdTransport) fd() int { return ft.sock }

func (ft *fdTransport) gone() bool {
	ft.mu.Lock() // the socket stays open meanwhile
	defer ft.mu.Unlock()
	return !ft.closed && sockGone(ft.sock)
}

// write sends replies; a socket that takes only part of them keeps the
// rest in pending, which the loop writes once the socket has room.
// A client past its output buffer limit fails the write (see outputOver).
func (ft *fdTransport) write(cn *conn, p []byte) (int, error) {
	n := 0
	if len(ft.pending) == 0 {
		var err error
		if n, err = writeFD(ft.sock, p); err != nil || n == len(p) {
			return n, err
		}
	}
	left := int64(len(ft.pending) + len(p) - n)
	if cn.outputOver(left) {
		return n, cn.outputLimitReached(left)
	}
	ft.pending = append(ft.pending, p[n:]...)
	cn.omem.Store(left)
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

// interrupt shuts the socket down, so the loop (or a goroutine waiting
// with the connection) sees it end: for reading only unless hard.
func (ft *fdTransport) interrupt(hard bool) {
	ft.mu.Lock()
	defer ft.mu.Unlock()
	switch {
	case ft.closed:
	case hard:
		unix.Shutdown(ft.sock, unix.SHUT_RDWR)
	default:
		unix.Shutdown(ft.sock, unix.SHUT_RD)
	}
}

func (ft *fdTransport) close() {
	ft.mu.Lock()
	defer ft.mu.Unlock()
	if !ft.closed {
		ft.closed = true
		unix.Close(ft.sock)
	}
}

// waitBegin is called by a command about to wait. If the connection is
// being served by the loop's goroutine, a new goroutine takes over the
// loop and this one is left to wait; its replies so far are written first.
// The loop then watches the connection only for its client hanging up, and
// kills the client if it does, which wakes the wait (see event).
func (ft *fdTransport) waitBegin(cn *conn) {
	if ft.tok == nil || ft.tok.deposed {
		return
	}
	cn.flush()
	lp := ft.lp
	lp.setAway(ft, true)
	lp.settleAll(ft.tok) // the others served so far go back to the loop
	ft.tok.deposed = true
	go lp.run()
}

// waitEnd does nothing: the goroutine that waited runs the rest of the
// batch and gives the connection back to the loop (see rejoin).
func (ft *fdTransport) waitEnd(*conn) {}

// detach hands the connection to a goroutine of its own for good
// (MONITOR): it gets a net.Conn again, on Go's poller, and the loop forgets
// it. If the loop's goroutine is running it, a new goroutine takes over the
// loop. Replies pending are written first.
func (ft *fdTransport) detach(cn *conn) (*netTransport, error) {
	lp := ft.lp
	ft.waitBegin(cn)
	f := os.NewFile(uintptr(ft.sock), "client")
	nc, err := net.FileConn(f) // a duplicate
	lp.mu.Lock()
	unix.EpollCtl(lp.epfd, unix.EPOLL_CTL_DEL, ft.sock, nil)
	delete(lp.conns, ft.sock)
	ft.away = false
	lp.mu.Unlock()
	ft.mu.Lock()
	f.Close()
	ft.closed = true
	ft.mu.Unlock()
	if err != nil {
		return nil, err
	}
	nt := newNetTransport(nc)
	_, err = nc.Write(ft.pending)
	ft.pending = nil
	cn.omem.Store(0)
	return nt, err
}

// add starts serving ft, whose fd it now owns.
func (lp *loop) add(ft *fdTransport) error {
	lp.mu.Lock()
	lp.conns[ft.sock] = ft
	lp.mu.Unlock()
	return lp.watch(ft, unix.EPOLL_CTL_ADD)
}

// watch registers ft's interest: input, or room for pending replies. A
// connection with replies pending is not read, so a client that does not
// read its replies cannot make the server hold more of them.
//
// It holds lp.mu, which the loop takes to look a ready connection up: so
// whatever the caller did to ft happens before the loop serves it.
func (lp *loop) watch(ft *fdTransport, op int) error {
	lp.mu.Lock()
	defer lp.mu.Unlock()
	return lp.ctlLocked(ft, op, ft.interest())
}

// interest is what the loop waits for on a connection it serves.
func (ft *fdTransport) interest() uint32 {
	if len(ft.pending) > 0 {
		return unix.EPOLLOUT
	}
	return unix.EPOLLIN | unix.EPOLLRDHUP
}

// setAway marks ft as waiting off the loop, watched only for its client
// hanging up (see waitBegin), or back from that wait with its interest
// restored; the loop may have dropped a hung-up connection's watch
// meanwhile, so coming back registers it anew if need be.
func (lp *loop) setAway(ft *fdTransport, away bool) error {
	lp.mu.Lock()
	defer lp.mu.Unlock()
	ft.away = away
	if away {
		return lp.ctlLocked(ft, unix.EPOLL_CTL_MOD, unix.EPOLLRDHUP)
	}
	err := lp.ctlLocked(ft, unix.EPOLL_CTL_MOD, ft.interest())
	if err == unix.ENOENT {
		err = lp.ctlLocked(ft, unix.EPOLL_CTL_ADD, ft.interest())
	}
	return err
}

// ctlLocked changes ft's registration in the epoll set. lp.mu is held.
func (lp *loop) ctlLocked(ft *fdTransport, op int, events uint32) error {
	ev := unix.EpollEvent{Events: events, Fd: int32(ft.sock)}
	return unix.EpollCtl(lp.epfd, op, ft.sock, &ev)
}

// settleAll writes the replies of every connection served in this round:
// after all of them ran, as Redis does, so that a client's replies go out
// together.
func (lp *loop) settleAll(tok *leaderToken) {
	for i, ft := range tok.unsent {
		lp.settle(ft)
		tok.unsent[i] = nil
	}
	tok.unsent = tok.unsent[:0]
}

// event serves one ready connection.
func (lp *loop) event(tok *leaderToken, ev unix.EpollEvent) {
	lp.mu.Lock()
	ft := lp.conns[int(ev.Fd)]
	away := ft != nil && ft.away
	if away {
		// Its client hung up while the connection waits off the loop
		// (waitBegin watches only for that): stop watching, wake the wait.
		unix.EpollCtl(lp.epfd, unix.EPOLL_CTL_DEL, ft.sock, nil)
	}
	lp.mu.Unlock()
	if away {
		ft.cn.client.kill()
		return
	}
	if ft == nil {
		return
	}
	cn := ft.cn
	if len(ft.pending) > 0 {
		// Once the client has read them all, the commands a backlog
		// left run now: their input has arrived already.
		if !lp.writePending(ft) || !cn.hasInput() {
			return
		}
	} else {
		n, err := unix.Read(ft.sock, lp.rbuf)
		switch {
		case err == unix.EAGAIN || err == unix.EINTR:
			return
		case err != nil || n == 0:
			lp.drop(ft)
			return
		}
		cn.feed(lp.rbuf[:n])
	}
	ft.tok = tok
	lp.srv.runBatch(cn.client)
	switch {
	case cn.left: // a monitor, whose own goroutines serve it now
	case tok.deposed:
		lp.rejoin(ft) // this goroutine no longer runs the loop
	default:
		ft.tok = nil
		tok.unsent = append(tok.unsent, ft)
	}
}

// settle ends a batch on the loop: replies written (or pending), and the
// connection closed if it is done.
func (lp *loop) settle(ft *fdTransport) {
	switch {
	case ft.cn.finish() != nil: // the socket failed
		lp.drop(ft)
	case len(ft.pending) > 0:
		if lp.watch(ft, unix.EPOLL_CTL_MOD) != nil {
			lp.drop(ft)
		}
	case ft.cn.quit:
		lp.drop(ft)
	}
}

// writePending writes replies the socket could not take before. It
// reports whether they are all written and the connection is still
// served.
func (lp *loop) writePending(ft *fdTransport) bool {
	n, err := writeFD(ft.sock, ft.pending)
	if err != nil {
		lp.drop(ft)
		return false
	}
	ft.pending = ft.pending[:copy(ft.pending, ft.pending[n:])]
	ft.cn.omem.Store(int64(len(ft.pending)))
	if len(ft.pending) > 0 {
		return false
	}
	ft.cn.outputOver(0)
	if cap(ft.pending) > 64<<10 {
		ft.pending = nil
	}
	if ft.cn.quit || lp.watch(ft, unix.EPOLL_CTL_MOD) != nil {
		lp.drop(ft)
		return false
	}
	return true
}

// drop closes a connection the loop owns and forgets its client.
func (lp *loop) drop(ft *fdTransport) {
	lp.mu.Lock()
	delete(lp.conns, ft.sock) // before the fd can be reused
	lp.mu.Unlock()
	ft.close()
	lp.srv.release(ft.cn.client)
}

// rejoin ends a batch that waited off the loop and gives the connection
// back to the loop, or closes it.
func (lp *loop) rejoin(ft *fdTransport) {
	ft.tok = nil
	cn := ft.cn
	if cn.finish() != nil || (cn.quit && len(ft.pending) == 0) || lp.setAway(ft, false) != nil {
		lp.drop(ft)
	}
	// From here the loop owns the connection again: do not touch it.
}
