package main

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	mrand "math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"golang.org/x/sys/unix"
)

// benchLocks measures lock handoffs: N clients each loop acquire, INCR a
// counter and GETSET an owner key to their id, release, for a fixed time.
// A handoff is an acquisition by a client other than the previous holder,
// which GETSET tells; a lock that lets its releaser take it straight back
// makes acquisitions but few handoffs, and starves the others. remoted's
// LOCK/UNLOCK is compared with the usual Redis recipe on a real
// redis-server in the same run: SET key token NX PX, retried with jittered
// exponential backoff (1 ms doubling to 64 ms), released by a script that
// deletes the key only if it still holds the token. With -think, each
// client spends that long away from the lock between releasing and asking
// again, as a program does between its critical sections; then a polling
// waiter's sleeps leave the lock idle.
//
// Each cell runs in two modes. "round trips": every command waits for its
// reply before the next is sent, as in a program that computes inside its
// critical section. "pipelined": each lock at its best for a critical
// section whose commands do not need each other's replies. LOCK blocks
// until granted, so LOCK, INCR, GETSET, UNLOCK go out in one write and the
// next waiter is served without waiting on the network; the recipe must
// see SET NX succeed first, then sends INCR, GETSET and the release in one
// write. In pipelined mode the wait is from asking until the section's
// replies are back.
//
// The clients are driven as redis-benchmark drives its own: one thread,
// one epoll set, a small state machine per client (lockDriver). With a
// goroutine per client, or a client library, the client spent more CPU
// per critical section than the server and the benchmark measured it.
func benchLocks(args []string) error {
	fs := newFlagSet("bench locks", `Measure lock handoffs per second: remoted's LOCK against Redis's SET NX PX
recipe with backoff, sent one command at a time and pipelined.`)
	dur := fs.Duration("d", 3*time.Second, "how long each cell runs")
	think := fs.Duration("think", 0, "time each client spends away from the lock between release and its next acquire")
	redisBin := fs.String("redis-server", "redis-server", "redis-server binary")
	cpuprofile := fs.String("cpuprofile", "", "write remoted's CPU profile here")
	modes := fs.String("modes", "round trips,pipelined", "modes to run, comma-separated")
	clientList := fs.String("clients", "2,10,50", "contending clients per cell, comma-separated")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	var counts []int
	for _, f := range strings.Split(*clientList, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return fmt.Errorf("bench locks: -clients %q: want positive numbers", *clientList)
		}
		counts = append(counts, n)
	}
	var pipeModes []bool
	for _, m := range strings.Split(*modes, ",") {
		switch strings.TrimSpace(m) {
		case "round trips":
			pipeModes = append(pipeModes, false)
		case "pipelined":
			pipeModes = append(pipeModes, true)
		default:
			return fmt.Errorf("bench locks: -modes: unknown mode %q", m)
		}
	}
	rd, rs, stop, err := startBenchPair(*cpuprofile, "", *redisBin, nil)
	if err != nil {
		return err
	}
	defer stop()

	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "mode\tclients\tlock\tacquisitions/s\thandoffs/s\tmedian wait\tp99 wait\tmax wait\tcounter ok\tvs recipe\t")
	for _, pipelined := range pipeModes {
		mode := "round trips"
		if pipelined {
			mode = "pipelined"
		}
		for _, n := range counts {
			var rows [3]lockResult
			kinds := [3]lockKind{redisRecipeLock, remotedShareLock, remotedNamedLock}
			for i, l := range kinds {
				sock := rd.sock
				if l == redisRecipeLock {
					sock = rs.sock
				}
				r, err := runLockCell(sock, l, n, *dur, *think, pipelined)
				if err != nil {
					return err
				}
				rows[i] = r
			}
			for i, r := range rows {
				fmt.Fprintf(tw, "%s\t%d\t%s\t%.0f\t%.0f\t%v\t%v\t%v\t%v\t%.1fx\t\n", mode, n, kinds[i], r.rate, r.handoffs,
					r.median.Round(time.Microsecond), r.p99.Round(time.Microsecond),
					r.max.Round(time.Microsecond), r.counterOK, r.rate/rows[0].rate)
			}
		}
	}
	return tw.Flush()
}

type lockKind string

const (
	remotedShareLock lockKind = "remoted LOCK"
	remotedNamedLock lockKind = "remoted LOCK name"
	redisRecipeLock  lockKind = "redis SET NX PX"
)

type lockResult struct {
	rate, handoffs   float64 // per second
	median, p99, max time.Duration
	counterOK        bool
}

// releaseScript deletes the lock key only if it still holds our token.
const releaseScript = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) else return 0 end`

func runLockCell(sock string, kind lockKind, clients int, dur, think time.Duration, pipelined bool) (lockResult, error) {
	setup, err := dialBench(sock)
	if err != nil {
		return lockResult{}, err
	}
	defer setup.Close()
	if _, err := setup.do("DEL", "bench:counter", "bench:lock", "bench:owner"); err != nil {
		return lockResult{}, err
	}
	d := &lockDriver{kind: kind, pipelined: pipelined, think: think}
	if kind == redisRecipeLock {
		if d.releaseSHA, err = setup.do("SCRIPT", "LOAD", releaseScript); err != nil {
			return lockResult{}, err
		}
	}
	for id := range clients {
		bc, err := dialBench(sock)
		if err != nil {
			return lockResult{}, err
		}
		defer bc.Close()
		d.clients = append(d.clients, &lockClient{bc: bc, me: strconv.Itoa(id)})
	}
	if err := d.run(time.Now().Add(dur)); err != nil {
		return lockResult{}, fmt.Errorf("bench locks: %s: %w", kind, err)
	}
	var waits []time.Duration
	handoffs := 0
	for _, c := range d.clients {
		waits = append(waits, c.waits...)
		handoffs += c.handoffs
	}
	got, err := setup.do("GET", "bench:counter")
	if err != nil {
		return lockResult{}, err
	}
	slices.Sort(waits)
	pct := func(p float64) time.Duration { return waits[int(p*float64(len(waits)-1))] }
	return lockResult{
		rate:      float64(len(waits)) / dur.Seconds(),
		handoffs:  float64(handoffs) / dur.Seconds(),
		median:    pct(0.5),
		p99:       pct(0.99),
		max:       waits[len(waits)-1],
		counterOK: got == strconv.Itoa(len(waits)),
	}, nil
}

// lockDriver runs every client of a cell from one OS thread: an epoll set
// holds their sockets and a timerfd wakes the ones sleeping (the recipe's
// backoff, -think). Each client is a small state machine over its
// critical section (see lockClient.onReply).
type lockDriver struct {
	kind       lockKind
	pipelined  bool
	think      time.Duration
	releaseSHA string
	clients    []*lockClient
	deadline   time.Time
}

// lockClient is one contending client.
type lockClient struct {
	bc      *benchConn
	me      string
	state   lockState
	awaited int       // replies still due in stSection
	start   time.Time // when this critical section began
	token   string    // the recipe's token for this section
	backoff time.Duration
	wakeAt  time.Time // while asleep
	done    bool
	prev    string // the owner key before this section

	waits    []time.Duration
	handoffs int
}

type lockState int

const (
	stAcquire lockState = iota // LOCK or SET NX sent
	stIncr
	stSet
	stRelease
	stSection // pipelined: the section's replies are due
	stAsleep  // the recipe's backoff, or -think
)

func (d *lockDriver) run(deadline time.Time) error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	d.deadline = deadline
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return err
	}
	defer unix.Close(epfd)
	tfd, err := unix.TimerfdCreate(unix.CLOCK_MONOTONIC, unix.TFD_NONBLOCK|unix.TFD_CLOEXEC)
	if err != nil {
		return err
	}
	defer unix.Close(tfd)
	timer := len(d.clients)
	if err := unix.EpollCtl(epfd, unix.EPOLL_CTL_ADD, tfd, &unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(timer)}); err != nil {
		return err
	}
	now := time.Now()
	for i, c := range d.clients {
		if err := unix.EpollCtl(epfd, unix.EPOLL_CTL_ADD, c.bc.fd, &unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(i)}); err != nil {
			return err
		}
		if err := d.begin(c, now); err != nil {
			return err
		}
	}
	events := make([]unix.EpollEvent, len(d.clients)+1)
	for {
		next, active := d.nextWake()
		if !active {
			return nil
		}
		if err := armTimer(tfd, next); err != nil {
			return err
		}
		n, err := unix.EpollWait(epfd, events, -1)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return err
		}
		now := time.Now()
		for _, ev := range events[:n] {
			if int(ev.Fd) == timer {
				var buf [8]byte
				unix.Read(tfd, buf[:])
				continue
			}
			if err := d.serve(d.clients[ev.Fd], now); err != nil {
				return err
			}
		}
		for _, c := range d.clients {
			if c.state == stAsleep && !c.done && !now.Before(c.wakeAt) {
				if err := d.wake(c, now); err != nil {
					return err
				}
			}
		}
	}
}

// nextWake is when the earliest sleeping client wakes (zero: none
// sleeps), and whether any client is still at work.
func (d *lockDriver) nextWake() (next time.Time, active bool) {
	for _, c := range d.clients {
		if c.done {
			continue
		}
		active = true
		if c.state == stAsleep && (next.IsZero() || c.wakeAt.Before(next)) {
			next = c.wakeAt
		}
	}
	if next.After(d.deadline) {
		next = d.deadline // sleepers stop then
	}
	return next, active
}

// armTimer sets the timerfd to fire at t, or disarms it for a zero t.
func armTimer(tfd int, t time.Time) error {
	var spec unix.ItimerSpec
	if !t.IsZero() {
		spec.Value = unix.NsecToTimespec(max(int64(time.Until(t)), 1))
	}
	return unix.TimerfdSettime(tfd, 0, &spec, nil)
}

// serve reads c's socket and acts on every whole reply.
func (d *lockDriver) serve(c *lockClient, now time.Time) error {
	if err := c.bc.fill(); err != nil {
		return err
	}
	for {
		reply, ok, err := c.bc.next()
		if err != nil || !ok {
			return err
		}
		if err := d.onReply(c, reply, now); err != nil {
			return err
		}
	}
}

// begin starts c's next critical section, or ends c at the deadline.
func (d *lockDriver) begin(c *lockClient, now time.Time) error {
	if !now.Before(d.deadline) {
		c.done = true
		return nil
	}
	c.start = now
	switch {
	case d.kind == redisRecipeLock:
		var tok [16]byte
		rand.Read(tok[:])
		c.token = hex.EncodeToString(tok[:])
		c.backoff = time.Millisecond
		c.state = stAcquire
		c.bc.send("SET", "bench:lock", c.token, "NX", "PX", "30000")
	case d.pipelined:
		c.bc.send(d.lockArgs("LOCK")...)
		c.bc.send("INCR", "bench:counter")
		c.bc.send("SET", "bench:owner", c.me, "GET")
		c.bc.send(d.lockArgs("UNLOCK")...)
		c.state, c.awaited = stSection, 4
	default:
		c.bc.send(d.lockArgs("LOCK")...)
		c.state = stAcquire
	}
	return c.bc.flush()
}

// onReply moves c on by one reply.
func (d *lockDriver) onReply(c *lockClient, reply string, now time.Time) error {
	switch c.state {
	case stAcquire:
		if d.kind == redisRecipeLock && reply != "OK" {
			// Taken: sleep 0.5-1.5 times the backoff, doubling to 64 ms.
			c.wakeAt = now.Add(c.backoff/2 + time.Duration(mrand.Int64N(int64(c.backoff))))
			c.backoff = min(2*c.backoff, 64*time.Millisecond)
			c.state = stAsleep
			return nil
		}
		if d.pipelined { // only the recipe gets here pipelined
			c.bc.send("INCR", "bench:counter")
			c.bc.send("SET", "bench:owner", c.me, "GET")
			c.bc.send(d.releaseArgs(c)...)
			c.state, c.awaited = stSection, 3
			return c.bc.flush()
		}
		c.waits = append(c.waits, now.Sub(c.start))
		c.bc.send("INCR", "bench:counter")
		c.state = stIncr
	case stIncr:
		c.bc.send("SET", "bench:owner", c.me, "GET")
		c.state = stSet
	case stSet:
		c.prev = reply
		c.bc.send(d.releaseArgs(c)...)
		c.state = stRelease
	case stRelease:
		return d.finish(c, now)
	case stSection:
		c.awaited--
		switch c.awaited {
		case 1: // the SET ... GET before the release
			c.prev = reply
		case 0:
			c.waits = append(c.waits, now.Sub(c.start))
			return d.finish(c, now)
		}
		return nil
	default:
		return fmt.Errorf("%w %q while asleep", errBenchReply, reply)
	}
	return c.bc.flush()
}

// finish ends c's critical section and starts the next, after -think.
func (d *lockDriver) finish(c *lockClient, now time.Time) error {
	if c.prev != c.me {
		c.handoffs++
	}
	if d.think > 0 {
		c.wakeAt, c.state = now.Add(d.think), stAsleep
		c.token = "" // wakes into a new section
		return nil
	}
	return d.begin(c, now)
}

// wake ends c's sleep: the recipe asks for the lock again, a client back
// from -think starts its next section.
func (d *lockDriver) wake(c *lockClient, now time.Time) error {
	if !now.Before(d.deadline) {
		c.done = true
		return nil
	}
	if c.token == "" {
		return d.begin(c, now)
	}
	c.state = stAcquire
	c.bc.send("SET", "bench:lock", c.token, "NX", "PX", "30000")
	return c.bc.flush()
}

// lockArgs is the LOCK or UNLOCK command for a remoted lock.
func (d *lockDriver) lockArgs(verb string) []string {
	if d.kind == remotedNamedLock {
		return []string{verb, "bench:lock"}
	}
	return []string{verb}
}

// releaseArgs gives the lock up: UNLOCK, or the recipe's script.
func (d *lockDriver) releaseArgs(c *lockClient) []string {
	if d.kind == redisRecipeLock {
		return []string{"EVALSHA", d.releaseSHA, "1", "bench:lock", c.token}
	}
	return d.lockArgs("UNLOCK")
}
