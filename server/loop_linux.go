package server

import (
	"net"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// loop is an event loop serving many connections from one goroutine, the
// way Redis does: an epoll set holds every idle connection, and the loop
// reads each one that has input, runs its commands and writes its replies
// before moving on. Compared with a goroutine per connection this saves,
// per request, the park and wake of a goroutine, and lets one epoll_wait
// cover every connection that became ready at once.
//
// The loop's goroutine waits in epoll_wait itself, so a round costs one
// epoll_wait, the reads and the writes, as in Redis. Waiting through Go's
// poller instead (the epoll fd is pollable) cost two more epoll_waits per
// round and a park and wake of the goroutine. A goroutine blocked in a
// system call keeps its P (GOMAXPROCS slot) as long as another P is idle,
// for up to 10 ms, so a process serving n loops should run with
// GOMAXPROCS n+1 (see Procs): then a loop that sleeps briefly is woken
// with no hand-over of its thread, and the spare P runs everything else.
//
// A command that must wait (LOCK, a keyspace command while another client
// holds the share-wide lock) cannot stop the loop. Before it waits, the
// connection leaves the epoll set and a new goroutine takes over the loop;
// the old one, now serving only that connection, waits, runs the rest of
// the connection's input, puts it back in the set and ends (see block and
// rejoin). So the loop never waits for a client, and the command handlers
// block as they would on a goroutine of their own.
type loop struct {
	srv    *Server
	epfd   int
	wake   int // an eventfd in the epoll set, written to stop the loop
	closed atomic.Bool

	mu    sync.Mutex
	conns map[int]*conn // by fd: every connection the loop may serve

	rbuf []byte // the leader's read buffer

	// goroutines counts the goroutines running run: the leader, and any
	// left waiting with a connection until they give it back (tests).
	goroutines atomic.Int32
}

// leaderToken marks the goroutine currently running the loop. Only that
// goroutine reads or writes it.
type leaderToken struct {
	deposed bool
	unsent  []*conn // served in this round, replies not yet written
}

// readBufSize is how much one read takes from a ready connection, as
// Redis's PROTO_IOBUF_LEN.
const readBufSize = 16 << 10

func newLoop(s *Server) (*loop, error) {
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, err
	}
	wake, err := unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
	if err != nil {
		unix.Close(epfd)
		return nil, err
	}
	ev := unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(wake)}
	if err := unix.EpollCtl(epfd, unix.EPOLL_CTL_ADD, wake, &ev); err != nil {
		unix.Close(wake)
		unix.Close(epfd)
		return nil, err
	}
	lp := &loop{srv: s, epfd: epfd, wake: wake, conns: make(map[int]*conn), rbuf: make([]byte, readBufSize)}
	go lp.run()
	return lp, nil
}

// close stops the loop: its leader closes the epoll set and returns.
// Every connection must be gone.
func (lp *loop) close() {
	if lp.closed.Swap(true) {
		return
	}
	one := [8]byte{1}
	unix.Write(lp.wake, one[:])
}

// detachFD takes the socket of a plain unix or TCP connection for a
// loop: it duplicates the descriptor and closes the net.Conn, so Go's
// poller no longer watches it. It reports false for anything else.
func (cn *conn) detachFD() bool {
	switch cn.nc.(type) {
	case *net.UnixConn, *net.TCPConn:
	default:
		return false
	}
	sc, err := cn.nc.(syscall.Conn).SyscallConn()
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
	cn.nc.Close()
	cn.fd = fd
	return true
}

// add starts serving cn, whose fd it now owns.
func (lp *loop) add(cn *conn) error {
	cn.lp = lp
	lp.mu.Lock()
	lp.conns[cn.fd] = cn
	lp.mu.Unlock()
	return lp.watch(cn, unix.EPOLL_CTL_ADD)
}

// watch registers cn's interest: input, or room for pending replies. A
// connection with replies pending is not read, so a client that does not
// read its replies cannot make the server hold more of them.
//
// It holds lp.mu, which the loop takes to look a ready connection up: so
// whatever the caller did to cn happens before the loop serves it.
func (lp *loop) watch(cn *conn, op int) error {
	lp.mu.Lock()
	defer lp.mu.Unlock()
	return lp.ctlLocked(cn, op, cn.interest())
}

// interest is what the loop waits for on a connection it serves.
func (cn *conn) interest() uint32 {
	if len(cn.pending) > 0 {
		return unix.EPOLLOUT
	}
	return unix.EPOLLIN | unix.EPOLLRDHUP
}

// setAway marks cn as waiting off the loop, watched only for its client
// hanging up (see block), or back from that wait with its interest
// restored; the loop may have dropped a hung-up connection's watch
// meanwhile, so coming back registers it anew if need be.
func (lp *loop) setAway(cn *conn, away bool) error {
	lp.mu.Lock()
	defer lp.mu.Unlock()
	cn.away = away
	if away {
		return lp.ctlLocked(cn, unix.EPOLL_CTL_MOD, unix.EPOLLRDHUP)
	}
	err := lp.ctlLocked(cn, unix.EPOLL_CTL_MOD, cn.interest())
	if err == unix.ENOENT {
		err = lp.ctlLocked(cn, unix.EPOLL_CTL_ADD, cn.interest())
	}
	return err
}

// ctlLocked changes cn's registration in the epoll set. lp.mu is held.
func (lp *loop) ctlLocked(cn *conn, op int, events uint32) error {
	ev := unix.EpollEvent{Events: events, Fd: int32(cn.fd)}
	return unix.EpollCtl(lp.epfd, op, cn.fd, &ev)
}

// run is the loop; a goroutine runs it until the loop closes or it hands
// the loop over (block).
func (lp *loop) run() {
	lp.goroutines.Add(1)
	defer lp.goroutines.Add(-1)
	tok := &leaderToken{}
	events := make([]unix.EpollEvent, 128)
	woken := lp.srv.locks.woken.Load()
	w := waiter{spin: lp.srv.cfg.BusyPoll, spare: lp.srv.spare, penalty: 1}
	for {
		n, err := w.wait(lp.epfd, events)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			panic("server: epoll_wait: " + err.Error()) // only a bad epfd or buffer fails
		}
		for _, ev := range events[:n] {
			if ev.Fd == int32(lp.wake) && lp.closed.Load() {
				unix.Close(lp.wake)
				unix.Close(lp.epfd)
				return
			}
			lp.event(tok, ev)
			if tok.deposed {
				return
			}
		}
		lp.settleAll(tok)
		// A command that let go of a lock has woken the next waiter, whose
		// goroutine is queued on this thread's P: yield, so that it runs
		// now rather than once another thread has been woken to take it
		// from a loop asleep in epoll_wait (handoffs one command at a time,
		// median wait 108 -> 75 µs: remoted bench locks, two clients).
		if w := lp.srv.locks.woken.Load(); w != woken {
			woken = w
			runtime.Gosched()
		}
	}
}

// waiter is how an event loop waits for its next round: it sleeps in
// epoll_wait, or first polls for up to spin while polling pays. A request
// that arrives while the loop polls is served without the loop's thread
// being woken. Without polling, a server that answers quickly sleeps
// between every two requests of a client in a loop, and each wake costs
// more than the request. Polling cut the median wait of two clients passing
// the lock (pipelined) from 22 to 11-13 µs, for 1.4-1.9 times the
// handoffs (remoted bench locks), and gave one client sending PINGs back
// to back 1.4 times the replies, at the cost of the server's whole core.
//
// Polling pays when work comes back soon, so the loop polls only after a
// sleep that ended within spin, and stops at the first poll that finds
// nothing; after each such miss it needs twice as many short sleeps in a
// row (up to 64) before it polls again. A loop idle for long never polls,
// and a load that keeps arriving just after the poll gives up wastes one
// poll in many. And it polls only while the machine has a CPU to spare
// (spareCPU), so that it never keeps a client process from running.
//
// Between rounds it also yields its P now and then (see yieldEvery).
type waiter struct {
	spin    time.Duration // how long a poll lasts
	spare   *spareCPU     // nil (Config.BusyPoll off): never poll
	polling bool
	need    int       // short sleeps still needed before polling again
	penalty int       // need after the next miss, from 1
	yielded time.Time // when the loop last yielded
}

// yieldEvery is how often a busy loop passes through Go's scheduler. Its
// goroutine never blocks in Go, so without this the runtime's sysmon
// finds it on the same scheduling tick every 10 ms (forcePreemptNS) and
// preempts it: by a signal, or by taking its P away in a system call,
// after which sysmon itself wakes every 20 µs for a while. Under
// redis-benchmark, with one client or fifty, that came to 1,400-2,000
// sysmon wakeups a second, each a thread that may take a client's CPU; with
// a Gosched every 5 ms, sysmon wakes 100 times a second, its floor.
const yieldEvery = 5 * time.Millisecond

func (w *waiter) wait(epfd int, events []unix.EpollEvent) (int, error) {
	now := time.Now()
	if now.Sub(w.yielded) >= yieldEvery {
		w.yielded = now
		runtime.Gosched()
	}
	if w.polling && w.spare.want() {
		for end := now.Add(w.spin); ; {
			n, err := unix.EpollWait(epfd, events, 0)
			if n != 0 || err != nil {
				w.penalty = 1
				return n, err
			}
			if now = time.Now(); !now.Before(end) {
				break
			}
		}
		w.polling = false
		w.need, w.penalty = w.penalty, min(2*w.penalty, 64)
	}
	if w.spare == nil {
		return unix.EpollWait(epfd, events, -1)
	}
	n, err := unix.EpollWait(epfd, events, -1)
	switch {
	case time.Since(now) >= w.spin:
		w.need = max(w.need, 1) // long sleeps: the load is sparse
	case w.need > 1:
		w.need--
	default:
		w.need, w.polling = 0, true
	}
	return n, err
}

// settleAll writes the replies of every connection served in this round:
// after all of them ran, as Redis does, so that a client's replies go out
// together.
func (lp *loop) settleAll(tok *leaderToken) {
	for i, cn := range tok.unsent {
		lp.settle(cn)
		tok.unsent[i] = nil
	}
	tok.unsent = tok.unsent[:0]
}

// event serves one ready connection.
func (lp *loop) event(tok *leaderToken, ev unix.EpollEvent) {
	lp.mu.Lock()
	cn := lp.conns[int(ev.Fd)]
	away := cn != nil && cn.away
	if away {
		// Its client hung up while the connection waits off the loop
		// (block watches only for that): stop watching, wake the wait.
		unix.EpollCtl(lp.epfd, unix.EPOLL_CTL_DEL, cn.fd, nil)
	}
	lp.mu.Unlock()
	if away {
		cn.client.kill()
		return
	}
	if cn == nil {
		return
	}
	c := cn.client
	if len(cn.pending) > 0 {
		lp.writePending(cn)
		return
	}
	n, err := unix.Read(cn.fd, lp.rbuf)
	switch {
	case err == unix.EAGAIN || err == unix.EINTR:
		return
	case err != nil || n == 0:
		lp.drop(cn)
		return
	}
	cn.feed(lp.rbuf[:n])
	cn.tok = tok
	lp.srv.runBatch(c)
	switch {
	case cn.left: // a monitor, whose own goroutines serve it now
	case tok.deposed:
		lp.rejoin(cn) // this goroutine no longer runs the loop
	default:
		cn.tok = nil
		tok.unsent = append(tok.unsent, cn)
	}
}

// settle ends a batch on the loop: replies written (or pending), and the
// connection closed if it is done.
func (lp *loop) settle(cn *conn) {
	switch {
	case cn.finish() != nil: // the socket failed
		lp.drop(cn)
	case len(cn.pending) > 0:
		if lp.watch(cn, unix.EPOLL_CTL_MOD) != nil {
			lp.drop(cn)
		}
	case cn.quit:
		lp.drop(cn)
	}
}

// writePending writes replies the socket could not take before.
func (lp *loop) writePending(cn *conn) {
	n, err := writeFD(cn.fd, cn.pending)
	if err != nil {
		lp.drop(cn)
		return
	}
	cn.pending = cn.pending[:copy(cn.pending, cn.pending[n:])]
	cn.omem.Store(int64(len(cn.pending)))
	if len(cn.pending) > 0 {
		return
	}
	if cap(cn.pending) > 64<<10 {
		cn.pending = nil
	}
	if cn.quit || lp.watch(cn, unix.EPOLL_CTL_MOD) != nil {
		lp.drop(cn)
	}
}

// drop closes a connection the loop owns and forgets its client.
func (lp *loop) drop(cn *conn) {
	lp.mu.Lock()
	delete(lp.conns, cn.fd) // before the fd can be reused
	lp.mu.Unlock()
	cn.closeSocket()
	lp.srv.release(cn.client)
}

// block is called by a command about to wait. If the connection is being
// served by the loop's goroutine, a new goroutine takes over the loop and
// this one is left to wait; its replies so far are written first. The
// loop then watches the connection only for its client hanging up, and
// wakes the wait if it does (so a waiter needs no polling, see waitFor).
// Elsewhere block does nothing.
func (cn *conn) block() {
	if cn.tok == nil || cn.tok.deposed {
		return
	}
	cn.out.Flush()
	lp := cn.lp
	lp.setAway(cn, true)
	lp.settleAll(cn.tok) // the others served so far go back to the loop
	cn.tok.deposed = true
	go lp.run()
}

// rejoin ends a batch that waited off the loop and gives the connection
// back to the loop, or closes it.
func (lp *loop) rejoin(cn *conn) {
	cn.tok = nil
	if cn.finish() != nil || (cn.quit && len(cn.pending) == 0) || lp.setAway(cn, false) != nil {
		lp.drop(cn)
	}
	// From here the loop owns cn again: do not touch it.
}

// leave hands a connection on the loop to a goroutine of its own for good
// (MONITOR): it gets a net.Conn again, on Go's poller, and the loop forgets
// it. If the loop's goroutine is running it, a new goroutine takes over the
// loop. Replies pending are written first.
func (cn *conn) leave() error {
	if cn.fd < 0 {
		return nil
	}
	lp := cn.lp
	cn.block()
	f := os.NewFile(uintptr(cn.fd), "client")
	nc, err := net.FileConn(f) // a duplicate
	lp.mu.Lock()
	unix.EpollCtl(lp.epfd, unix.EPOLL_CTL_DEL, cn.fd, nil)
	delete(lp.conns, cn.fd)
	cn.away = false
	lp.mu.Unlock()
	cn.fdMu.Lock()
	f.Close()
	cn.fd, cn.lp = -1, nil
	if err == nil {
		cn.nc = nc
	}
	cn.fdMu.Unlock()
	if err != nil {
		return err
	}
	_, err = nc.Write(cn.pending)
	cn.pending = nil
	cn.omem.Store(0)
	return err
}
