// Command workers is a worker pool on a share: N child processes pull jobs
// by an atomic counter, write each result under its own key, and fold
// their totals into two keys at once under the share-wide lock, so that a
// reader never sees one updated without the other.
//
//	go run ./examples/workers -n 4 -jobs 100
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"strconv"

	"github.com/remoted/remoted/stub"
)

// pool is one worker's orders.
type pool struct {
	Jobs int // jobs numbered 1..Jobs
}

// worker runs in each child: it takes job numbers from "next" until they
// run out, squares each into "result:<n>", then adds what it did to the
// pool's totals under the share-wide lock.
var worker = stub.Register("workers.worker", func(ctx context.Context, share *stub.Share, p pool) error {
	done, sum := 0, 0
	for {
		n, err := share.Incr(ctx, "next", 1)
		if err != nil {
			return err
		}
		if int(n) > p.Jobs {
			break
		}
		sq := int(n) * int(n)
		if err := share.Set(ctx, "result:"+strconv.Itoa(int(n)), sq); err != nil {
			return err
		}
		done, sum = done+1, sum+sq
	}
	return share.WithLock(ctx, func(ctx context.Context) error {
		var totals struct{ Done, Sum int }
		if err := share.Get(ctx, "totals", &totals); err != nil && !errors.Is(err, stub.ErrNotFound) {
			return err
		}
		totals.Done += done
		totals.Sum += sum
		return share.SetMany(ctx, map[string]any{"totals": totals, "last-worker": fmt.Sprint(done, " jobs")})
	})
})

func main() {
	stub.Init()
	n := flag.Int("n", 4, "worker processes")
	jobs := flag.Int("jobs", 100, "jobs")
	flag.Parse()
	ctx := context.Background()
	share, err := stub.InitShare(ctx)
	if err != nil {
		log.Fatal(err)
	}
	defer share.Close()
	if _, err := share.Delete(ctx, "next", "totals", "last-worker"); err != nil {
		log.Fatal(err)
	}
	procs := make([]*stub.Proc, *n)
	for i := range procs {
		if procs[i], err = stub.NewProc(ctx, share, worker, pool{Jobs: *jobs}); err != nil {
			log.Fatal(err)
		}
	}
	for _, p := range procs {
		if err := p.Wait(); err != nil {
			log.Fatal(err)
		}
	}
	var totals struct{ Done, Sum int }
	if err := share.Get(ctx, "totals", &totals); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d workers did %d jobs; the squares add up to %d\n", *n, totals.Done, totals.Sum)
}
