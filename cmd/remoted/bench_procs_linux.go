package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/remoted/remoted/stub"
)

// procsJob is what each child of "bench procs" is told.
type procsJob struct {
	Incrs  int
	Locked bool // each increment a read-modify-write under the share-wide lock
}

// procsChild connects (NewProc gives it its own Share), says so, waits at
// a barrier until every child has connected (the named lock "procs:gate",
// held by the parent, then passed along the queue), and INCRs one counter.
var procsChild = stub.Register("bench.procs", func(ctx context.Context, s *stub.Share, job procsJob) error {
	if _, err := s.Incr(ctx, "procs:connected", 1); err != nil {
		return err
	}
	gate := s.Mutex("procs:gate")
	if err := gate.Lock(ctx); err != nil {
		return err
	}
	if err := gate.Unlock(ctx); err != nil {
		return err
	}
	for range job.Incrs {
		if !job.Locked {
			if _, err := s.Incr(ctx, "procs:counter", 1); err != nil {
				return err
			}
			continue
		}
		// remoteD's pattern: Lock(), read, compute, write, Unlock().
		err := s.WithLock(ctx, func(ctx context.Context) error {
			n, err := stub.GetAs[int](ctx, s, "procs:counter")
			if err != nil && !errors.Is(err, stub.ErrNotFound) {
				return err
			}
			return s.Set(ctx, "procs:counter", n+1)
		})
		if err != nil {
			return err
		}
	}
	return nil
})

// benchProcs is the seed's scale claim, measured: N concurrent NewProc
// children on one auto-started share, each connecting, waiting until all
// are connected, then INCRing one counter (with -locked, reading and
// writing it under the share-wide lock); an observer times GETs all the
// while. It prints the wall times, the children's summed PSS (read while
// all are connected), the server's RSS, and the observer's latencies.
func benchProcs(args []string) error {
	fs := newFlagSet("bench procs", `Start N NewProc children on one auto-started share, each connecting, waiting
until all are connected, then incrementing one counter; print the times,
the children's memory, the server's RSS and an observer's GET latencies.`)
	n := fs.Int("n", 2000, "child processes")
	incrs := fs.Int("incrs", 100, "INCRs per child")
	locked := fs.Bool("locked", false, "increment by GET and SET under the share-wide lock (LOCK/UNLOCK), not INCR")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "rp")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	os.Setenv("XDG_RUNTIME_DIR", dir)
	ctx := context.Background()
	share, err := stub.InitShare(ctx, stub.Named("bench"))
	if err != nil {
		return err
	}
	defer share.Close()
	gate := share.Mutex("procs:gate")
	if err := gate.Lock(ctx); err != nil {
		return err
	}
	obs := startObserver(ctx, share)

	start := time.Now()
	procs := make([]*stub.Proc, *n)
	for i := range procs {
		if procs[i], err = stub.NewProc(ctx, share, procsChild, procsJob{Incrs: *incrs, Locked: *locked}); err != nil {
			return fmt.Errorf("child %d: %w", i, err)
		}
	}
	started := time.Since(start)
	if err := waitConnected(ctx, share, *n); err != nil {
		return err
	}
	connected := time.Since(start)
	pss := sumPSS(procs)
	if err := gate.Unlock(ctx); err != nil {
		return err
	}
	var failed int
	for _, p := range procs {
		if err := p.Wait(); err != nil {
			failed++
			fmt.Fprintln(os.Stderr, err)
		}
	}
	done := time.Since(start)
	lat := obs.stop()
	counter, err := stub.GetAs[int](ctx, share, "procs:counter")
	if err != nil {
		return err
	}
	rss, err := serverRSS(ctx, share)
	if err != nil {
		return err
	}
	fmt.Printf("children                  %d (%d failed)\n", *n, failed)
	fmt.Printf("all started               %v\n", started.Round(time.Millisecond))
	fmt.Printf("all connected             %v\n", connected.Round(time.Millisecond))
	fmt.Printf("all done                  %v\n", done.Round(time.Millisecond))
	fmt.Printf("counter                   %d (want %d)\n", counter, *n**incrs)
	fmt.Printf("children's PSS, summed    %.1f MiB (%.2f MiB each)\n", pss/(1<<20), pss/(1<<20)/float64(*n))
	fmt.Printf("server RSS                %.1f MiB\n", float64(rss)/(1<<20))
	fmt.Printf("observer GETs             %d, p50 %v, p99 %v, max %v\n", len(lat),
		pctl(lat, 0.5), pctl(lat, 0.99), pctl(lat, 1))
	if counter != *n**incrs || failed > 0 {
		return errors.New("bench procs: wrong count")
	}
	return nil
}

func waitConnected(ctx context.Context, share *stub.Share, n int) error {
	deadline := time.Now().Add(5 * time.Minute)
	for {
		got, err := stub.GetAs[int](ctx, share, "procs:connected")
		if err == nil && got >= n {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("bench procs: only %d of %d children connected", got, n)
		}
		time.Sleep(20 * time.Millisecond) // polling the children's count
	}
}

// observer GETs a key in a loop on its own connection, timing each.
type observer struct {
	stopc chan struct{}
	wg    sync.WaitGroup
	lat   []time.Duration
}

func startObserver(ctx context.Context, share *stub.Share) *observer {
	o := &observer{stopc: make(chan struct{})}
	rdb := share.Redis()
	o.wg.Add(1)
	go func() {
		defer o.wg.Done()
		for {
			select {
			case <-o.stopc:
				return
			default:
			}
			t := time.Now()
			rdb.Get(ctx, "procs:counter")
			o.lat = append(o.lat, time.Since(t))
			time.Sleep(time.Millisecond) // an observer, not a load
		}
	}()
	return o
}

func (o *observer) stop() []time.Duration {
	close(o.stopc)
	o.wg.Wait()
	slices.Sort(o.lat)
	return o.lat
}

func pctl(xs []time.Duration, p float64) time.Duration {
	if len(xs) == 0 {
		return 0
	}
	return xs[int(p*float64(len(xs)-1))].Round(time.Microsecond)
}

// sumPSS adds up the children's proportional set sizes, in bytes.
func sumPSS(procs []*stub.Proc) float64 {
	var total float64
	for _, p := range procs {
		b, err := os.ReadFile("/proc/" + strconv.Itoa(p.Pid()) + "/smaps_rollup")
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(b), "\n") {
			if f := strings.Fields(line); len(f) >= 2 && f[0] == "Pss:" {
				kb, _ := strconv.ParseFloat(f[1], 64)
				total += kb * 1024
			}
		}
	}
	return total
}

// serverRSS reads the share server's resident size via its INFO pid.
func serverRSS(ctx context.Context, share *stub.Share) (int64, error) {
	info, err := share.Redis().Info(ctx, "server").Result()
	if err != nil {
		return 0, err
	}
	var pid string
	for _, line := range strings.Split(info, "\r\n") {
		if v, ok := strings.CutPrefix(line, "process_id:"); ok {
			pid = v
		}
	}
	b, err := os.ReadFile("/proc/" + pid + "/status")
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb * 1024, nil
		}
	}
	return 0, errors.New("bench procs: no VmHWM for the server")
}
