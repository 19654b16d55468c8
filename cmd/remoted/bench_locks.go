package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	mrand "math/rand/v2"
	"os"
	"slices"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/redis/go-redis/v9"
)

// benchLocks measures lock handoffs: N clients each loop acquire, INCR a
// counter and GETSET an owner key to their id, release, for a fixed time.
// A handoff is an acquisition by a client other than the previous holder,
// which GETSET tells; a lock that lets its releaser take it straight back
// makes acquisitions but few handoffs, and starves the others. remoted's LOCK/UNLOCK is compared
// with the usual Redis recipe on a real redis-server in the same run: SET
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
// replies are back.
func benchLocks(args []string) error {
	fs := flag.NewFlagSet("bench locks", flag.ContinueOnError)
	dur := fs.Duration("d", 3*time.Second, "how long each cell runs")
	think := fs.Duration("think", 0, "work each client does between release and its next acquire (a busy loop)")
	redisBin := fs.String("redis-server", "redis-server", "redis-server binary")
	if err := fs.Parse(args); err != nil {
		return err
	}
	rd, rs, stop, err := startBenchPair("", *redisBin)
	if err != nil {
		return err
	}
	defer stop()
	ctx := context.Background()

	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "mode\tclients\tlock\tacquisitions/s\thandoffs/s\tmedian wait\tp99 wait\tmax wait\tcounter ok\tvs recipe\t")
	for _, pipelined := range []bool{false, true} {
		mode := "round trips"
		if pipelined {
			mode = "pipelined"
		}
		for _, n := range []int{2, 10, 50} {
			var rows [3]lockResult
			kinds := [3]lockKind{redisRecipeLock, remotedShareLock, remotedNamedLock}
			for i, l := range kinds {
				sock := rd.sock
				if l == redisRecipeLock {
					sock = rs.sock
				}
				r, err := runLockCell(ctx, sock, l, n, *dur, *think, pipelined)
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
var releaseScript = redis.NewScript(`if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) else return 0 end`)

func runLockCell(ctx context.Context, sock string, kind lockKind, clients int, dur, think time.Duration, pipelined bool) (lockResult, error) {
	rdb := redis.NewClient(&redis.Options{Network: "unix", Addr: sock, Protocol: 2,
		DisableIdentity: true, PoolSize: clients + 1, ReadTimeout: -1})
	defer rdb.Close()
	if err := rdb.Del(ctx, "bench:counter", "bench:lock", "bench:owner").Err(); err != nil {
		return lockResult{}, err
	}
	if kind == redisRecipeLock {
		if err := releaseScript.Load(ctx, rdb).Err(); err != nil {
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
			conn := rdb.Conn()
			defer conn.Close()
			var mine []time.Duration
			me, myHandoffs := fmt.Sprint(id), 0
			for time.Now().Before(deadline) {
				start := time.Now()
				var (
					prev string
					err  error
				)
				if pipelined {
					prev, err = lockedSection(ctx, conn, kind, me)
					mine = append(mine, time.Since(start))
				} else {
					var release func() error
					release, err = acquireLock(ctx, conn, kind)
					if err == nil {
						mine = append(mine, time.Since(start))
						err = conn.Incr(ctx, "bench:counter").Err()
					}
					if err == nil {
						prev, err = conn.SetArgs(ctx, "bench:owner", me, redis.SetArgs{Get: true}).Result()
					}
					if err == redis.Nil {
						err = nil
					}
					if err == nil {
						err = release()
					}
				}
				if prev != me {
					myHandoffs++
				}
				for t := time.Now(); time.Since(t) < think; {
					// the client's own work outside the lock
				}
				if err != nil {
					mu.Lock()
					firstErr = err
					mu.Unlock()
					return
				}
			}
			mu.Lock()
			waits = append(waits, mine...)
			handoffs += myHandoffs
			mu.Unlock()
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return lockResult{}, fmt.Errorf("bench locks: %s: %w", kind, firstErr)
	}
	n, err := rdb.Get(ctx, "bench:counter").Int()
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
		counterOK: n == len(waits),
	}, nil
}

// acquireLock takes the lock and returns its release.
func acquireLock(ctx context.Context, conn *redis.Conn, kind lockKind) (func() error, error) {
	switch kind {
	case remotedShareLock:
		if err := conn.Do(ctx, "LOCK").Err(); err != nil {
			return nil, err
		}
		return func() error { return conn.Do(ctx, "UNLOCK").Err() }, nil
	case remotedNamedLock:
		if err := conn.Do(ctx, "LOCK", "bench:lock").Err(); err != nil {
			return nil, err
		}
		return func() error { return conn.Do(ctx, "UNLOCK", "bench:lock").Err() }, nil
	}
	token, err := acquireRecipe(ctx, conn)
	if err != nil {
		return nil, err
	}
	return func() error { return releaseScript.Run(ctx, conn, []string{"bench:lock"}, token).Err() }, nil
}

// acquireRecipe takes the lock the Redis way: SET NX PX with a random
// token, retried with jittered exponential backoff. It returns the token.
func acquireRecipe(ctx context.Context, conn *redis.Conn) (string, error) {
	var tok [16]byte
	rand.Read(tok[:])
	token := hex.EncodeToString(tok[:])
	backoff := time.Millisecond
	for {
		ok, err := conn.SetNX(ctx, "bench:lock", token, 30*time.Second).Result()
		if err != nil || ok {
			return token, err
		}
		time.Sleep(backoff/2 + time.Duration(mrand.Int64N(int64(backoff))))
		backoff = min(2*backoff, 64*time.Millisecond)
	}
}

// lockedSection runs one critical section pipelined (see benchLocks) and
// returns the owner key's previous value.
func lockedSection(ctx context.Context, conn *redis.Conn, kind lockKind, me string) (string, error) {
	var getset *redis.StatusCmd
	body := func(p redis.Pipeliner) {
		p.Incr(ctx, "bench:counter")
		getset = p.SetArgs(ctx, "bench:owner", me, redis.SetArgs{Get: true})
	}
	var err error
	switch kind {
	case remotedShareLock, remotedNamedLock:
		var name []any
		if kind == remotedNamedLock {
			name = []any{"bench:lock"}
		}
		_, err = conn.Pipelined(ctx, func(p redis.Pipeliner) error {
			p.Do(ctx, append([]any{"LOCK"}, name...)...)
			body(p)
			p.Do(ctx, append([]any{"UNLOCK"}, name...)...)
			return nil
		})
	default:
		var token string
		if token, err = acquireRecipe(ctx, conn); err != nil {
			return "", err
		}
		_, err = conn.Pipelined(ctx, func(p redis.Pipeliner) error {
			body(p)
			p.EvalSha(ctx, releaseScript.Hash(), []string{"bench:lock"}, token)
			return nil
		})
	}
	if err == redis.Nil {
		err = nil
	}
	if err != nil {
		return "", err
	}
	prev, _ := getset.Result()
	return prev, nil
}
