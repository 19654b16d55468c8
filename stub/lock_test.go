package stub_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/remoted/remoted/stub"
)

// other returns another Share on the same server as s.
func other(t *testing.T, s *stub.Share) *stub.Share {
	t.Helper()
	return connect(t, stub.URL(s))
}

func TestShareLockBasics(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s *stub.Share, p string) {
		ctx := tctx(t)
		if err := s.Unlock(ctx); !errors.Is(err, stub.ErrNotLocked) {
			t.Errorf("Unlock unheld: %v", err)
		}
		must(t, s.Lock(ctx))
		if err := s.Lock(ctx); !errors.Is(err, stub.ErrLockHeld) {
			t.Errorf("Lock twice: %v", err)
		}
		must(t, s.Set(ctx, p+"k", 1)) // runs on the lock's connection
		b := other(t, s)
		if ok, err := b.TryLock(ctx, 20*time.Millisecond); ok || err != nil {
			t.Errorf("TryLock while held elsewhere = %v, %v", ok, err)
		}
		must(t, s.Unlock(ctx))
		if ok, err := b.TryLock(ctx, time.Second); !ok || err != nil {
			t.Errorf("TryLock after Unlock = %v, %v", ok, err)
		}
		must(t, b.Unlock(ctx))
		err := s.WithLock(ctx, func(ctx context.Context) error {
			n, err := stub.GetAs[int](ctx, s, p+"k")
			if err != nil {
				return err
			}
			return s.Set(ctx, p+"k", n+1)
		})
		must(t, err)
		if n, _ := stub.GetAs[int](ctx, s, p+"k"); n != 2 {
			t.Errorf("after WithLock k = %d", n)
		}
		boom := errors.New("boom")
		if err := s.WithLock(ctx, func(context.Context) error { return boom }); err != boom {
			t.Errorf("WithLock error = %v", err)
		}
		must(t, s.Lock(ctx)) // WithLock released it
		must(t, s.Unlock(ctx))
	})
}

func TestLockTimeoutAndCancel(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s *stub.Share, p string) {
		ctx := tctx(t)
		b := other(t, s)
		m := s.Mutex(p + "m")
		must(t, m.Lock(ctx))
		mb := b.Mutex(p + "m")
		dctx, cancel := context.WithTimeout(ctx, 30*time.Millisecond)
		err := mb.Lock(dctx)
		cancel()
		if !errors.Is(err, stub.ErrLockTimeout) || !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Lock past deadline: %v", err)
		}
		cctx, cancel := context.WithCancel(ctx)
		done := make(chan error)
		go func() { done <- mb.Lock(cctx) }()
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("Lock canceled: %v", err)
		}
		must(t, m.Unlock(ctx))
		// The canceled waiter is gone: the lock is free for b at once.
		if ok, err := mb.TryLock(ctx, 5*time.Second); !ok || err != nil {
			t.Fatalf("TryLock after cancel = %v, %v", ok, err)
		}
		if err := mb.Lock(ctx); !errors.Is(err, stub.ErrLockHeld) {
			t.Errorf("Mutex relock: %v", err)
		}
		must(t, mb.Unlock(ctx))
		if err := mb.Unlock(ctx); !errors.Is(err, stub.ErrNotLocked) {
			t.Errorf("Mutex unlock unheld: %v", err)
		}
		if err := s.Mutex("").Lock(ctx); err == nil {
			t.Error("empty mutex name accepted")
		}
	})
}

func TestMutexExclusion(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s *stub.Share, p string) {
		ctx := tctx(t)
		shares := []*stub.Share{s, other(t, s), other(t, s)}
		var inside, maxInside atomic.Int32
		var wg sync.WaitGroup
		for i := range 6 {
			wg.Go(func() {
				m := shares[i%len(shares)].Mutex(p + "x")
				for range 5 {
					if err := m.Lock(ctx); err != nil {
						t.Error(err)
						return
					}
					n := inside.Add(1)
					if n > maxInside.Load() {
						maxInside.Store(n)
					}
					_, err := s.Incr(ctx, p+"count", 1)
					if err != nil {
						t.Error(err)
					}
					inside.Add(-1)
					if err := m.Unlock(ctx); err != nil {
						t.Error(err)
						return
					}
				}
			})
		}
		wg.Wait()
		if maxInside.Load() != 1 {
			t.Errorf("%d holders at once", maxInside.Load())
		}
		if n, _ := stub.GetAs[int](ctx, s, p+"count"); n != 30 {
			t.Errorf("count = %d, want 30", n)
		}
	})
}

func TestCloseReleasesLocks(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s *stub.Share, p string) {
		ctx := tctx(t)
		a := other(t, s)
		must(t, a.Lock(ctx))
		must(t, a.Mutex(p+"m").Lock(ctx))
		must(t, a.Close())
		if ok, err := s.TryLock(ctx, 5*time.Second); !ok || err != nil {
			t.Errorf("share lock after holder closed: %v %v", ok, err)
		}
		must(t, s.Unlock(ctx))
		if ok, err := s.Mutex(p+"m").TryLock(ctx, 5*time.Second); !ok || err != nil {
			t.Errorf("mutex after holder closed: %v %v", ok, err)
		}
	})
}

// TestShareLockFreezesOthers: on remoted the share-wide lock stops other
// connections' keyspace commands; on Redis it is advisory (skipped).
func TestShareLockFreezesOthers(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s *stub.Share, p string) {
		remotedOnly(t, s, "the share-wide lock is advisory on Redis")
		ctx := tctx(t)
		b := other(t, s)
		must(t, s.Lock(ctx))
		done := make(chan error, 1)
		go func() { done <- b.Set(ctx, p+"k", "from b") }()
		must(t, s.Set(ctx, p+"k", "from a"))
		select {
		case err := <-done:
			t.Fatalf("b's Set ran under a's lock: %v", err)
		case <-time.After(50 * time.Millisecond): // b must still be waiting
		}
		must(t, s.Unlock(ctx))
		must(t, <-done)
		if v, _ := stub.GetAs[string](ctx, s, p+"k"); v != "from b" {
			t.Errorf("k = %q", v)
		}
	})
}

// TestConcurrentUnderLock: many goroutines on one Share while one of them
// holds the share-wide lock; their calls go through the lock's connection.
func TestConcurrentUnderLock(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s *stub.Share, p string) {
		ctx := tctx(t)
		s.Delete(ctx, p+"n")
		var wg sync.WaitGroup
		for range 16 {
			wg.Go(func() {
				for range 50 {
					if _, err := s.Incr(ctx, p+"n", 1); err != nil {
						t.Error(err)
						return
					}
				}
			})
		}
		wg.Go(func() {
			for range 5 {
				err := s.WithLock(ctx, func(ctx context.Context) error {
					n, err := stub.GetAs[int](ctx, s, p+"n")
					if err != nil && !errors.Is(err, stub.ErrNotFound) {
						return err
					}
					return s.Set(ctx, p+"seen", n)
				})
				if err != nil {
					t.Error(err)
				}
			}
		})
		wg.Wait()
		if n, _ := stub.GetAs[int](ctx, s, p+"n"); n != 800 {
			t.Errorf("n = %d, want 800", n)
		}
	})
}

// TestServerErrorTexts checks that mapError knows remoted's lock error
// texts, sending LOCK and UNLOCK on one raw connection, and that the
// stub's own check of a lock name gives the same error.
func TestServerErrorTexts(t *testing.T) {
	s := connect(t, remotedURL)
	ctx := tctx(t)
	conn := s.Redis().(*redis.Client).Conn()
	defer conn.Close()
	must(t, conn.Do(ctx, "lock", "t").Err())
	err := stub.MapError(conn.Do(ctx, "lock", "t").Err())
	if !errors.Is(err, stub.ErrLockHeld) {
		t.Errorf("LOCK twice: %v", err)
	}
	must(t, conn.Do(ctx, "unlock", "t").Err())
	err = stub.MapError(conn.Do(ctx, "unlock", "t").Err())
	if !errors.Is(err, stub.ErrNotLocked) {
		t.Errorf("UNLOCK unheld: %v", err)
	}
	err = stub.MapError(conn.Do(ctx, "lock", "").Err())
	if !errors.Is(err, stub.ErrEmptyLockName) {
		t.Errorf("LOCK of an empty name: %v", err)
	}
	if err := s.Mutex("").Lock(ctx); !errors.Is(err, stub.ErrEmptyLockName) {
		t.Errorf("Mutex(\"\").Lock: %v", err)
	}
	if err := stub.MapError(redis.Nil); !errors.Is(err, stub.ErrNotFound) {
		t.Errorf("nil reply: %v", err)
	}
}

// TestLeaseRenewal: on Redis a lock outlives its lease while held, its
// key carries the token, Keys hides it, and an expired lease is reported.
func TestLeaseRenewal(t *testing.T) {
	url := realRedis(t)
	s := connectOptions(t, stub.Options{URL: url, LockLease: 150 * time.Millisecond})
	ctx := tctx(t)
	m := s.Mutex("lease")
	must(t, m.Lock(ctx))
	b := connectOptions(t, stub.Options{URL: url, LockLease: 150 * time.Millisecond})
	if ok, err := b.Mutex("lease").TryLock(ctx, 500*time.Millisecond); ok || err != nil {
		t.Errorf("TryLock of a renewed lease = %v, %v", ok, err)
	}
	tok, err := s.Redis().Get(ctx, "remoted:lock:lease").Result()
	if err != nil || len(tok) != 32 {
		t.Errorf("lease key = %q, %v", tok, err)
	}
	keys, err := s.Keys(ctx, "remoted:*")
	if err != nil || len(keys) != 0 {
		t.Errorf("Keys shows lease keys: %q %v", keys, err)
	}
	// Steal it: the holder's renewal and release notice.
	must(t, s.Redis().Set(ctx, "remoted:lock:lease", "thief", 0).Err())
	if err := m.Unlock(ctx); !errors.Is(err, stub.ErrLockLost) {
		t.Errorf("Unlock of a stolen lease: %v", err)
	}
	s.Redis().Del(ctx, "remoted:lock:lease")
}

// TestLockConnReuse: a Share keeps a few released lock connections for
// its next Lock; the lock is really free meanwhile, and Close closes them.
func TestLockConnReuse(t *testing.T) {
	stop, url, err := startRemoted(filepath.Join(t.TempDir(), "s.sock"))
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	ctx := tctx(t)
	obs := connect(t, url)
	clients := func() int {
		t.Helper()
		n, err := obs.Redis().ClientList(ctx).Result()
		if err != nil {
			t.Fatal(err)
		}
		return strings.Count(n, "\n")
	}
	base := clients()
	s, err := stub.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	for range 20 {
		must(t, s.Lock(ctx))
		must(t, s.Unlock(ctx))
		m := s.Mutex("named")
		must(t, m.Lock(ctx))
		must(t, m.Unlock(ctx))
	}
	if got, err := obs.TryLock(ctx, time.Second); err != nil || !got {
		t.Fatalf("share-wide lock not free after Unlock: %v %v", got, err)
	}
	must(t, obs.Unlock(ctx))
	if n := clients() - base; n > 1+1+4 { // the Share's pool, obs's lock conn, the idle ones
		t.Errorf("%d connections for one Share after 40 locks", n)
	}
	must(t, s.Close())
	deadline := time.Now().Add(10 * time.Second)
	for clients() > base+1 { // obs's idle lock connection may remain
		if time.Now().After(deadline) {
			t.Fatalf("connections left after Close: %d over %d", clients(), base)
		}
		time.Sleep(10 * time.Millisecond) // the server sees closes asynchronously
	}
}
