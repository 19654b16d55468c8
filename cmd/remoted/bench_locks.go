package main

import (
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	mrand "math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"
)

// benchLocks measures lock handoffs: N clients each loop acquire, INCR a
// counter and GETSET an owner key to their id, release, for a fixed time.
// A handoff is an acquisition by a client other than the previous holder,
// which GETSET tells; a lock that lets its releaser take it straight back
// makes acquisitions but few handoffs, and starves the others. remoted's
// LOCK/UNLOCK is compared with the usual Redis recipe on a real redis-server in the same run: SET
// key token NX PX, retried with jittered exponential backoff (1 ms doubling
// to 64 ms), released by a script that deletes the key only if it still
// holds the token. With -think, each client works that long (a busy loop)
// between releasing and asking again, as a program does between its
// critical sections; then a polling waiter's sleeps leave the lock idle.
//
// Each cell runs in two modes. "round trips": every command waits for its
// reply before the next is sent, as in a program that computes inside its
// critical section. "pipelined": each lock at its best for a critical
// section whose commands do not need each other's replies. LOCK blocks
// until granted, so LOCK, INCR, GETSET, UNLOCK go out in one write and the
// next waiter is served without waiting on the network; the recipe must
// see SET NX succeed first, then sends INCR, GETSET and the release in one
// write. In pipelined mode the wait is from asking until the section's
// replies are back. Clients speak RESP through benchConn, not a client
// library, so that the servers, not the clients, are measured.
func benchLocks(args []string) error {
	fs := flag.NewFlagSet("bench locks", flag.ContinueOnError)
	dur := fs.Duration("d", 3*time.Second, "how long each cell runs")
	think := fs.Duration("think", 0, "work each client does between release and its next acquire (a busy loop)")
	redisBin := fs.String("redis-server", "redis-server", "redis-server binary")
	cpuprofile := fs.String("cpuprofile", "", "write remoted's CPU profile here")
	modes := fs.String("modes", "round trips,pipelined", "modes to run, comma-separated")
	clientList := fs.String("clients", "2,10,50", "contending clients per cell, comma-separated")
	if err := fs.Parse(args); err != nil {
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
	rd, rs, stop, err := startBenchPair(*cpuprofile, *redisBin)
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
	var releaseSHA string
	if kind == redisRecipeLock {
		if releaseSHA, err = setup.do("SCRIPT", "LOAD", releaseScript); err != nil {
			return lockResult{}, err
		}
	}
	deadline := time.Now().Add(dur)
	var mu sync.Mutex
	var waits []time.Duration
	var firstErr error
	handoffs := 0
	var wg sync.WaitGroup
	for id := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			me, myHandoffs := strconv.Itoa(id), 0
			bc, err := dialBench(sock)
			if err == nil {
				defer bc.Close()
				l := benchLock{bc: bc, kind: kind, releaseSHA: releaseSHA}
				for time.Now().Before(deadline) {
					var wait time.Duration
					var prev string
					if wait, prev, err = l.cycle(me, pipelined); err != nil {
						break
					}
					mine = append(mine, wait)
					if prev != me {
						myHandoffs++
					}
					for t := time.Now(); time.Since(t) < think; {
						// the client's own work outside the lock
					}
				}
			}
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				firstErr = err
			}
			waits = append(waits, mine...)
			handoffs += myHandoffs
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return lockResult{}, fmt.Errorf("bench locks: %s: %w", kind, firstErr)
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

// benchLock is one client's side of a lock of some kind.
type benchLock struct {
	bc         *benchConn
	kind       lockKind
	releaseSHA string // the recipe's release script
	token      string // the recipe's token while held
}

// cycle runs one critical section, one command at a time or pipelined,
// and returns how long the lock took to get (pipelined: the whole
// section) and the owner key's previous value.
func (l *benchLock) cycle(me string, pipelined bool) (wait time.Duration, prev string, err error) {
	start := time.Now()
	if pipelined {
		prev, err = l.section(me)
		return time.Since(start), prev, err
	}
	if err = l.acquire(); err != nil {
		return 0, "", err
	}
	wait = time.Since(start)
	if _, err = l.bc.do("INCR", "bench:counter"); err == nil {
		prev, err = l.bc.do("SET", "bench:owner", me, "GET")
	}
	if err == nil {
		err = l.release()
	}
	return wait, prev, err
}

// lockArgs is the LOCK or UNLOCK command for a remoted lock.
func (l *benchLock) lockArgs(verb string) []string {
	if l.kind == remotedNamedLock {
		return []string{verb, "bench:lock"}
	}
	return []string{verb}
}

// acquire takes the lock, one round trip at a time.
func (l *benchLock) acquire() error {
	if l.kind == redisRecipeLock {
		return l.acquireRecipe()
	}
	_, err := l.bc.do(l.lockArgs("LOCK")...)
	return err
}

// release gives the lock up.
func (l *benchLock) release() error {
	if l.kind == redisRecipeLock {
		_, err := l.bc.do("EVALSHA", l.releaseSHA, "1", "bench:lock", l.token)
		return err
	}
	_, err := l.bc.do(l.lockArgs("UNLOCK")...)
	return err
}

// acquireRecipe takes the lock the Redis way: SET NX PX with a random
// token, retried with jittered exponential backoff.
func (l *benchLock) acquireRecipe() error {
	var tok [16]byte
	rand.Read(tok[:])
	l.token = hex.EncodeToString(tok[:])
	backoff := time.Millisecond
	for {
		ok, err := l.bc.do("SET", "bench:lock", l.token, "NX", "PX", "30000")
		if err != nil || ok == "OK" {
			return err
		}
		time.Sleep(backoff/2 + time.Duration(mrand.Int64N(int64(backoff))))
		backoff = min(2*backoff, 64*time.Millisecond)
	}
}

// section runs one critical section pipelined (see benchLocks) and
// returns the owner key's previous value.
func (l *benchLock) section(me string) (string, error) {
	bc := l.bc
	n := 3
	if l.kind == redisRecipeLock {
		if err := l.acquireRecipe(); err != nil {
			return "", err
		}
	} else {
		bc.send(l.lockArgs("LOCK")...)
		n = 4
	}
	bc.send("INCR", "bench:counter")
	bc.send("SET", "bench:owner", me, "GET")
	if l.kind == redisRecipeLock {
		bc.send("EVALSHA", l.releaseSHA, "1", "bench:lock", l.token)
	} else {
		bc.send(l.lockArgs("UNLOCK")...)
	}
	if err := bc.flush(); err != nil {
		return "", err
	}
	var prev string
	for i := range n {
		r, err := bc.read()
		if err != nil {
			return "", err
		}
		if i == n-2 {
			prev = r
		}
	}
	return prev, nil
}
