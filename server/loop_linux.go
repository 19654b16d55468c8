package server

import (
	"runtime"
	"sync"
	"sync/atomic"
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
	conns map[int]*fdTransport // by fd: every connection the loop may serve

	rbuf []byte // the leader's read buffer

	// goroutines counts the goroutines running run: the leader, and any
	// left waiting with a connection until they give it back (tests).
	goroutines atomic.Int32
}

// eventLoops are a server's event loops (Config.Threads), started by its
// first Serve unless Config.Portable; connections are spread over them.
type eventLoops struct {
	loops []*loop
	spare *spareCPU // whether loops may poll; nil: never
	next  atomic.Uint32
}

// start starts the loops. s.mu is held.
func (ev *eventLoops) start(s *Server) {
	if ev.loops != nil || s.cfg.Portable {
		return
	}
	ev.loops = []*loop{}
	if s.cfg.BusyPoll > 0 {
		ev.spare = watchCPU()
	}
	for range s.cfg.Threads {
		lp, err := newLoop(s)
		if err != nil {
			s.log.Warn("no event loop; a goroutine per connection", "err", err)
			return
		}
		ev.loops = append(ev.loops, lp)
	}
}

// take gives a new connection to a loop, if there are loops and the
// connection is a plain socket.
func (ev *eventLoops) take(cn *conn) bool {
	if len(ev.loops) == 0 {
		return false
	}
	return ev.loops[int(ev.next.Add(1))%len(ev.loops)].takeFD(cn)
}

// stop ends the loops once every connection has gone. s.mu is held.
func (ev *eventLoops) stop() {
	for _, lp := range ev.loops {
		lp.close()
	}
	if ev.spare != nil {
		close(ev.spare.stop)
	}
}

// api is INFO's multiplexing_api: what waits for the connections.
func (ev *eventLoops) api() string {
	if len(ev.loops) > 0 {
		return "epoll"
	}
	return netpollAPI()
}

// running is how many goroutines run the loops (tests).
func (ev *eventLoops) running() int {
	n := 0
	for _, lp := range ev.loops {
		n += int(lp.goroutines.Load())
	}
	return n
}

// leaderToken marks the goroutine currently running the loop. Only that
// goroutine reads or writes it.
type leaderToken struct {
	deposed bool
	unsent  []*fdTransport // served in this round, replies not yet written
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
	lp := &loop{srv: s, epfd: epfd, wake: wake, conns: make(map[int]*fdTransport), rbuf: make([]byte, readBufSize)}
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

// run is the loop; a goroutine runs it until the loop closes or it hands
// the loop over (block).
func (lp *loop) run() {
	lp.goroutines.Add(1)
	defer lp.goroutines.Add(-1)
	tok := &leaderToken{}
	events := make([]unix.EpollEvent, 128)
	woken := lp.srv.locks.woken.Load()
	w := waiter{spin: lp.srv.cfg.BusyPoll, spare: lp.srv.ev.spare, penalty: 1}
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
