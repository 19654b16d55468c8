package remoted_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// A reliable work queue across processes: producers LPUSH items to
// wqQueue, consumers BLMOVE each from its right end into their own
// processing list, record it and drop it from there. The workers are the
// test binary re-executed (runWorker in compat_procs_test.go), so they need
// nothing beyond what the test already has, start fast, pipeline through
// go-redis and are real OS processes with their own connections.

const (
	workerIDEnv = "REMOTED_TEST_ID" // a work-queue worker's number

	wqQueue      = "queue"
	wqDone       = "done"       // set of the items recorded
	wqDeliveries = "deliveries" // hash: item -> times it was recorded
	wqPerWorker  = "per-worker" // hash: consumer -> items it recorded
	wqStop       = "stop"       // a consumer exits on taking this item
	wqBatch      = 1000         // LPUSHes a producer pipelines at once
	wqWait       = 5 * time.Second
)

func wqProcessing(id string) string { return "processing-" + id }

// wqProduce pushes n unique items, item:<id>:<i>, in pipelines of wqBatch.
func wqProduce(ctx context.Context, conn *redis.Conn, id string, n int) error {
	for i := 0; i < n; {
		_, err := conn.Pipelined(ctx, func(pipe redis.Pipeliner) error {
			for end := min(i+wqBatch, n); i < end; i++ {
				pipe.LPush(ctx, wqQueue, "item:"+id+":"+strconv.Itoa(i))
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// wqConsume moves items one at a time from the queue into its processing
// list and, in one MULTI/EXEC, records each (SADD done, HINCRBY its
// delivery count and this worker's tally) and removes it from the
// processing list; it returns after taking a stop item. A BLMOVE that
// times out (an idle queue) just waits again.
func wqConsume(ctx context.Context, conn *redis.Conn, id string) error {
	processing := wqProcessing(id)
	for {
		item, err := conn.BLMove(ctx, wqQueue, processing, "RIGHT", "LEFT", wqWait).Result()
		if errors.Is(err, redis.Nil) {
			continue
		}
		if err != nil {
			return err
		}
		if item == wqStop {
			return conn.LRem(ctx, processing, 1, wqStop).Err()
		}
		var rem *redis.IntCmd
		_, err = conn.TxPipelined(ctx, func(pipe redis.Pipeliner) error {
			pipe.SAdd(ctx, wqDone, item)
			pipe.HIncrBy(ctx, wqDeliveries, item, 1)
			pipe.HIncrBy(ctx, wqPerWorker, id, 1)
			rem = pipe.LRem(ctx, processing, 1, item)
			return nil
		})
		if err != nil {
			return err
		}
		if rem.Val() != 1 {
			return fmt.Errorf("LREM %s 1 %s removed %d, want 1: BLMOVE did not put it there", processing, item, rem.Val())
		}
	}
}

// TestWorkQueueProcesses passes 100,000 items from 10 producer processes to
// 10 consumer processes through BLMOVE, and checks that every item was
// recorded exactly once and nothing was left queued or in processing. The
// consumers start first and the producers once all of them are blocked on
// the empty queue, so the pushes wake blocked clients. Once the producers have exited, the test pushes
// one stop item per consumer behind all the work: the queue is FIFO, so a
// consumer takes a stop only when every item has been taken.
func TestWorkQueueProcesses(t *testing.T) {
	const producers, consumers, items = 10, 10, 100000
	srv := startRemoted(t)
	rdb := srv.client(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	start := time.Now()
	var cs, ps []*worker
	for i := range consumers {
		cs = append(cs, startWorker(t, srv.UnixPath, "wq-consumer", 0, workerIDEnv+"="+strconv.Itoa(i)))
	}
	// All consumers blocked on the empty queue before anything is pushed.
	err := waitBlockedClients(ctx, rdb, consumers, func() error {
		for i, w := range cs {
			select {
			case err := <-w.exited:
				return fmt.Errorf("consumer %d exited: %v", i, err)
			default:
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("waiting for the consumers to block: %v", err)
	}
	for i := range producers {
		ps = append(ps, startWorker(t, srv.UnixPath, "wq-producer", items/producers, workerIDEnv+"="+strconv.Itoa(i)))
	}
	waitAll(t, ps)
	stops := make([]any, consumers)
	for i := range stops {
		stops[i] = wqStop
	}
	if err := rdb.LPush(ctx, wqQueue, stops...).Err(); err != nil {
		t.Fatalf("LPUSH the stop items: %v", err)
	}
	waitAll(t, cs)
	t.Logf("%d items through %d producer and %d consumer processes in %v", items, producers, consumers, time.Since(start))

	expect(t, "SCARD done", int64(items))(rdb.SCard(ctx, wqDone).Result())
	deliveries, err := rdb.HGetAll(ctx, wqDeliveries).Result()
	if err != nil {
		t.Fatalf("HGETALL %s: %v", wqDeliveries, err)
	}
	if len(deliveries) != items {
		t.Errorf("HGETALL %s has %d items, want %d", wqDeliveries, len(deliveries), items)
	}
	var wrong []string
	for p := range producers {
		for i := range items / producers {
			item := fmt.Sprintf("item:%d:%d", p, i)
			if n := deliveries[item]; n != "1" {
				wrong = append(wrong, fmt.Sprintf("%s recorded %q times", item, n))
			}
		}
	}
	if len(wrong) > 0 {
		t.Errorf("%d items not recorded exactly once, such as %q", len(wrong), wrong[:min(5, len(wrong))])
	}
	perWorker, err := rdb.HGetAll(ctx, wqPerWorker).Result()
	if err != nil {
		t.Fatalf("HGETALL %s: %v", wqPerWorker, err)
	}
	total := 0
	for _, n := range perWorker {
		v, err := strconv.Atoi(n)
		if err != nil {
			t.Errorf("HGETALL %s: tally %q", wqPerWorker, n)
		}
		total += v
	}
	if total != items {
		t.Errorf("consumers' tallies %v add up to %d, want %d", perWorker, total, items)
	}
	t.Logf("items per consumer: %v", perWorker)
	keys := []string{wqQueue}
	for i := range consumers {
		keys = append(keys, wqProcessing(strconv.Itoa(i)))
	}
	expect(t, "EXISTS queue and processing lists", int64(0))(rdb.Exists(ctx, keys...).Result())
	expect(t, "processing lists left", []string{})(rdb.Keys(ctx, "processing-*").Result())
}
