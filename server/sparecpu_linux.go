package server

import (
	"bytes"
	"os"
	"runtime"
	"strconv"
	"sync/atomic"
	"time"
)

// spareCPU says whether an event loop may poll (see waiter) without
// keeping anyone from a CPU: it holds while the machine has no more
// runnable threads than CPUs, by the running count in /proc/loadavg read
// every 50 ms. A share with thousands of busy client processes has tens of
// runnable threads at any moment, and a loop that polled there would take
// CPU they need (2,000 processes finished 5-20% later with polling on);
// a client in a request loop, or two passing a lock, leave a CPU idle,
// which polling then uses. Three readings in a row with room turn it on,
// one without turns it off.
//
// The readings stop after a second in which no loop asked (want), and
// start again at the next ask, so an idle server does not wake for them.
type spareCPU struct {
	ok     atomic.Bool
	asked  atomic.Bool   // a loop asked since the last reading
	asleep atomic.Bool   // the readings have stopped until nudged
	nudge  chan struct{} // wakes them; holds one token
	stop   chan struct{}
}

// watchEvery is how often spareCPU reads; quietReadings readings without
// an ask stop them.
const (
	watchEvery    = 50 * time.Millisecond
	quietReadings = 20
)

// watchCPU starts the readings; close(stop) ends them.
func watchCPU() *spareCPU {
	sc := &spareCPU{nudge: make(chan struct{}, 1), stop: make(chan struct{})}
	go sc.watch()
	return sc
}

// want reports whether a loop may poll now, and keeps the readings going.
func (sc *spareCPU) want() bool {
	if !sc.asked.Load() { // most asks find it set: read, do not write
		sc.asked.Store(true)
	}
	if sc.asleep.Load() {
		select {
		case sc.nudge <- struct{}{}:
		default:
		}
	}
	return sc.ok.Load()
}

func (sc *spareCPU) watch() {
	tick := time.NewTicker(watchEvery)
	defer tick.Stop()
	room, quiet := 0, 0
	for {
		select {
		case <-sc.stop:
			return
		case <-tick.C:
		}
		running, ok := runnableThreads()
		// The reading counts the thread reading it.
		if ok && running-1 <= runtime.NumCPU() {
			room++
		} else {
			room = 0
		}
		sc.ok.Store(room >= 3)
		if sc.asked.Swap(false) {
			quiet = 0
			continue
		}
		if quiet++; quiet < quietReadings {
			continue
		}
		// Nobody asks: stop reading until somebody does. A loop stores
		// asked before it loads asleep, and this stores asleep before
		// it loads asked, so one of the two sees the other.
		sc.ok.Store(false)
		room, quiet = 0, 0
		tick.Stop()
		sc.asleep.Store(true)
		if !sc.asked.Load() {
			select {
			case <-sc.stop:
				return
			case <-sc.nudge:
			}
		}
		sc.asleep.Store(false)
		tick.Reset(watchEvery)
	}
}

// runnableThreads is the first number of /proc/loadavg's fourth field:
// the threads running or ready to run now.
func runnableThreads() (int, bool) {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0, false
	}
	f := bytes.Fields(b)
	if len(f) < 4 {
		return 0, false
	}
	r, _, ok := bytes.Cut(f[3], []byte("/"))
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(string(r))
	return n, err == nil
}
