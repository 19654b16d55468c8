package stub

import (
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// Lock takes the share-wide lock, waiting as long as ctx allows. On
// remoted, once it is granted every keyspace command of every other
// connection waits until Unlock, and every call through this Share, from
// any goroutine, runs on the lock's connection. On a real Redis it is an
// advisory lease (see Mutex) that only other stubs' Lock respects.
//
// The lock is not re-entrant: Lock while this Share holds it returns
// ErrLockHeld. If ctx's deadline passes first the error wraps both
// ErrLockTimeout and context.DeadlineExceeded.
func (s *Share) Lock(ctx context.Context) error { return s.wholeMutex().Lock(ctx) }

// TryLock is Lock waiting at most timeout; false if the lock was not
// granted in time.
func (s *Share) TryLock(ctx context.Context, timeout time.Duration) (bool, error) {
	return s.wholeMutex().TryLock(ctx, timeout)
}

// Unlock releases the share-wide lock; ErrNotLocked if this Share does not
// hold it.
func (s *Share) Unlock(ctx context.Context) error { return s.wholeMutex().Unlock(ctx) }

// WithLock runs fn holding the share-wide lock and releases it however fn
// returns (a panic included). fn should use ctx and this Share.
func (s *Share) WithLock(ctx context.Context, fn func(ctx context.Context) error) (err error) {
	if err := s.Lock(ctx); err != nil {
		return err
	}
	defer func() {
		uerr := s.Unlock(context.WithoutCancel(ctx))
		if err == nil {
			err = uerr
		}
	}()
	return fn(ctx)
}

func (s *Share) wholeMutex() *Mutex {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.whole == nil {
		s.whole = &Mutex{s: s, whole: true}
	}
	return s.whole
}

// Mutex returns the named lock name of the share. On remoted it is the
// server's LOCK name, which blocks only other LOCK name callers, waiters
// granted in arrival order; a held Mutex keeps a connection of its own,
// and the server releases it if that connection (or the process) dies.
//
// On a server without LOCK (a real Redis or Valkey) it is the standard
// lease: SET remoted:lock:<name> <token> NX PX <lease>, renewed by a
// goroutine every Options.LockLease/3 while held, released by a script
// that deletes the key only if it still holds this Mutex's token; a
// waiter polls with exponential backoff and jitter. That lock is
// advisory: it cannot stop clients that ignore it, and a holder that
// stalls past its lease loses it (Unlock then reports ErrLockLost).
//
// A Mutex is safe for concurrent use but not re-entrant: it belongs to
// its Share, not to a goroutine, and Lock while it is held returns
// ErrLockHeld. Use one Mutex value per concurrent holder. Closing the
// Share releases it.
func (s *Share) Mutex(name string) *Mutex { return &Mutex{s: s, name: name} }

// Mutex is a named lock of a share; see Share.Mutex.
type Mutex struct {
	s     *Share
	name  string
	whole bool // the share-wide lock

	mu sync.Mutex // serializes Lock, Unlock and close
	lc *lockConn  // remoted: the holding connection
	ls *lease     // elsewhere: the held lease
}

// Lock takes the lock, waiting as long as ctx allows; see Share.Lock for
// the errors.
func (m *Mutex) Lock(ctx context.Context) error {
	ok, err := m.acquire(ctx, 0)
	if err == nil && !ok {
		// Only ctx's deadline limits Lock: the server's TIMEOUT was that.
		err = fmt.Errorf("%w: %w", ErrLockTimeout, context.DeadlineExceeded)
	}
	return err
}

// TryLock takes the lock if it is granted within timeout (at most ctx's
// deadline) and reports whether it was. A timeout <= 0 tries once.
func (m *Mutex) TryLock(ctx context.Context, timeout time.Duration) (bool, error) {
	return m.acquire(ctx, max(timeout, time.Millisecond))
}

// Unlock releases the lock: ErrNotLocked if it is not held, ErrLockLost
// if it had been lost meanwhile (the connection dropped, or the lease
// expired).
func (m *Mutex) Unlock(ctx context.Context) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	var err error
	switch {
	case m.lc != nil:
		err = m.unlockNative(ctx)
	case m.ls != nil:
		err = m.ls.release(ctx, m.s.rdb)
		m.ls = nil
	default:
		return ErrNotLocked
	}
	m.s.forget(m)
	return err
}

// acquire takes the lock within timeout (0: no limit but ctx's).
func (m *Mutex) acquire(ctx context.Context, timeout time.Duration) (bool, error) {
	if !m.whole && m.name == "" {
		return false, ErrEmptyLockName
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.lc != nil || m.ls != nil {
		return false, ErrLockHeld
	}
	if !m.s.track(m) {
		return false, ErrClosed
	}
	var ok bool
	var err error
	if m.s.native {
		ok, err = m.lockNative(ctx, timeout)
	} else {
		ok, err = m.lockLease(ctx, timeout)
	}
	if !ok {
		m.s.forget(m)
	}
	if err != nil && ctx.Err() != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return false, fmt.Errorf("%w: %w", ErrLockTimeout, ctx.Err())
		}
		return false, ctx.Err()
	}
	return ok, err
}

// track records m as holding (or taking) a lock, for Close; false once
// the Share is closed.
func (s *Share) track(m *Mutex) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	if !m.whole {
		s.mutexes[m] = struct{}{}
	}
	return true
}

func (s *Share) forget(m *Mutex) {
	s.mu.Lock()
	delete(s.mutexes, m)
	s.mu.Unlock()
}

// close releases the lock if held, for Share.Close.
func (m *Mutex) close(ctx context.Context) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	switch {
	case m.lc != nil:
		m.s.unroute(m.lc)
		m.lc.held.Store(false)
		err := m.lc.rdb.Close() // the server releases the lock with the connection
		m.lc = nil
		return err
	case m.ls != nil:
		err := m.ls.release(ctx, m.s.rdb)
		m.ls = nil
		if errors.Is(err, ErrLockLost) {
			err = nil
		}
		return err
	}
	return nil
}

// ---- remoted: LOCK on a connection of the lock's own ----

// lockConn is a go-redis client of exactly one connection, on which a
// lock is taken and held. While held it refuses to reconnect: a new
// connection would not hold the lock.
type lockConn struct {
	rdb     *redis.Client
	held    atomic.Bool
	lost    atomic.Bool
	aborted atomic.Bool
	nc      atomic.Pointer[net.Conn]
	inUse   sync.RWMutex // read-held by each call routed here (Share.conn)
}

// done ends a call routed through lc; nil is a call that was not.
func (lc *lockConn) done() {
	if lc != nil {
		lc.inUse.RUnlock()
	}
}

// unroute stops routing the Share's calls to lc and waits for those in
// flight.
func (s *Share) unroute(lc *lockConn) {
	if s.route.CompareAndSwap(lc, nil) {
		// Calls in flight on lc hold read locks: taking the write lock
		// waits for them; nothing needs it held after.
		lc.inUse.Lock()
		lc.inUse.Unlock() //lint:ignore SA2001 the wait is the point
	}
}

// newLockConn returns a one-connection client with no socket read
// timeout (LOCK blocks), no retries (a LOCK must not be sent twice) and
// no idle reaping (a held lock may sit idle for hours).
func (s *Share) newLockConn() *lockConn {
	lc := &lockConn{}
	o := *s.ropt
	o.PoolSize = 1
	o.MinIdleConns = 0
	o.MaxIdleConns = 1
	o.MaxRetries = -1
	o.PoolTimeout = 24 * time.Hour
	o.ConnMaxIdleTime = -1
	o.ConnMaxLifetime = 0
	o.DialerRetries = 1
	o.Dialer = func(ctx context.Context, _, _ string) (net.Conn, error) {
		if lc.held.Load() {
			lc.lost.Store(true)
			return nil, ErrLockLost
		}
		nc, err := s.dialer.dialRaw(ctx)
		if err != nil {
			return nil, err
		}
		lc.nc.Store(&nc)
		if lc.aborted.Load() { // abort ran before there was a connection
			nc.Close()
			return nil, net.ErrClosed
		}
		return nc, nil
	}
	lc.rdb = redis.NewClient(&o)
	return lc
}

// abort closes the connection, so a LOCK waiting on it gives up and the
// server withdraws the wait (or releases the lock).
func (lc *lockConn) abort() {
	lc.aborted.Store(true)
	if p := lc.nc.Load(); p != nil {
		(*p).Close()
	}
}

// lockArgs builds LOCK [name] [TIMEOUT ms] (or UNLOCK [name]).
func (m *Mutex) lockArgs(cmd string, timeout time.Duration) []any {
	args := []any{cmd}
	if !m.whole {
		args = append(args, m.name)
	}
	if timeout > 0 {
		ms := (timeout + time.Millisecond - 1) / time.Millisecond
		args = append(args, "timeout", strconv.FormatInt(int64(ms), 10))
	}
	return args
}

func (m *Mutex) lockNative(ctx context.Context, timeout time.Duration) (bool, error) {
	if dl, ok := ctx.Deadline(); ok && (timeout == 0 || time.Until(dl) < timeout) {
		timeout = max(time.Until(dl), time.Millisecond)
	}
	lc := m.s.takeLockConn()
	stopCtx := context.AfterFunc(ctx, lc.abort)
	stopClose := context.AfterFunc(m.s.closing(), lc.abort)
	err := lc.rdb.Do(context.WithoutCancel(ctx), m.lockArgs("lock", timeout)...).Err()
	aborted := !stopCtx() || !stopClose()
	switch {
	case err == nil && !aborted:
		lc.held.Store(true)
		m.lc = lc
		if m.whole {
			m.s.route.Store(lc)
		}
		return true, nil
	case errors.Is(err, redis.Nil) && !aborted:
		m.s.returnLockConn(lc) // timed out; the connection is fine
		return false, nil
	}
	lc.rdb.Close()
	if aborted && m.s.isClosed() {
		return false, ErrClosed
	}
	if aborted && ctx.Err() != nil {
		return false, ctx.Err()
	}
	return false, mapError(err)
}

func (m *Mutex) unlockNative(ctx context.Context) error {
	lc := m.lc
	m.lc = nil
	m.s.unroute(lc)
	err := mapError(lc.rdb.Do(ctx, m.lockArgs("unlock", 0)...).Err())
	lc.held.Store(false)
	if lc.lost.Load() {
		lc.rdb.Close()
		return fmt.Errorf("%w: the lock's connection dropped", ErrLockLost)
	}
	if err != nil {
		lc.rdb.Close()
		return err
	}
	m.s.returnLockConn(lc)
	return nil
}

// maxIdleLockConns is how many lock connections a Share keeps for the
// next Lock after their lock is released, so that a loop of Lock and
// Unlock does not dial and greet the server each time.
const maxIdleLockConns = 4

// takeLockConn returns an idle lock connection, or a new one.
func (s *Share) takeLockConn() *lockConn {
	s.mu.Lock()
	if n := len(s.idleLocks); n > 0 {
		lc := s.idleLocks[n-1]
		s.idleLocks = s.idleLocks[:n-1]
		s.mu.Unlock()
		lc.aborted.Store(false)
		return lc
	}
	s.mu.Unlock()
	return s.newLockConn()
}

// returnLockConn keeps lc, which holds no lock and is healthy, for the
// next Lock, or closes it.
func (s *Share) returnLockConn(lc *lockConn) {
	s.mu.Lock()
	if !s.closed && len(s.idleLocks) < maxIdleLockConns {
		s.idleLocks = append(s.idleLocks, lc)
		s.mu.Unlock()
		return
	}
	s.mu.Unlock()
	lc.rdb.Close()
}

// ---- elsewhere: a renewed lease ----

// lockKeyPrefix is where the lease locks keep their keys on a real Redis;
// the share-wide lock is remoted:lock:*.
const lockKeyPrefix = "remoted:lock:"

var (
	renewScript = redis.NewScript(`if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('pexpire', KEYS[1], ARGV[2])
end
return 0`)
	releaseScript = redis.NewScript(`if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('del', KEYS[1])
end
return 0`)
)

// Poll intervals of a lease waiter: doubling from the first to the last,
// each with ±50% jitter.
const (
	pollFirst = 2 * time.Millisecond
	pollMax   = 250 * time.Millisecond
)

// lease is a held lease lock.
type lease struct {
	key, token string
	stop, done chan struct{}
	lost       atomic.Bool
}

func (m *Mutex) leaseKey() string {
	if m.whole {
		return lockKeyPrefix + "*"
	}
	return lockKeyPrefix + m.name
}

func (m *Mutex) lockLease(ctx context.Context, timeout time.Duration) (bool, error) {
	var tok [16]byte
	crand.Read(tok[:])
	l := &lease{key: m.leaseKey(), token: hex.EncodeToString(tok[:])}
	leaseMs := strconv.FormatInt(m.s.opts.LockLease.Milliseconds(), 10)
	var deadline time.Time
	if timeout > 0 {
		deadline = time.Now().Add(timeout)
	}
	wait := pollFirst
	for {
		err := m.s.rdb.Do(ctx, "set", l.key, l.token, "px", leaseMs, "nx").Err()
		if err == nil {
			l.stop, l.done = make(chan struct{}), make(chan struct{})
			go l.renew(m.s.rdb, m.s.opts.LockLease)
			m.ls = l
			return true, nil
		}
		if !errors.Is(err, redis.Nil) {
			return false, mapError(err)
		}
		d := wait/2 + rand.N(wait)
		if !deadline.IsZero() {
			left := time.Until(deadline)
			if left <= 0 {
				return false, nil
			}
			d = min(d, left)
		}
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return false, ctx.Err()
		case <-m.s.closing().Done():
			t.Stop()
			return false, ErrClosed
		}
		wait = min(2*wait, pollMax)
	}
}

// renew extends the lease every third of it until stopped or lost.
func (l *lease) renew(rdb redis.Scripter, ttl time.Duration) {
	defer close(l.done)
	t := time.NewTicker(ttl / 3)
	defer t.Stop()
	ms := ttl.Milliseconds()
	for {
		select {
		case <-l.stop:
			return
		case <-t.C:
		}
		ctx, cancel := context.WithTimeout(context.Background(), ttl/3)
		n, err := renewScript.Run(ctx, rdb, []string{l.key}, l.token, ms).Int()
		cancel()
		if err == nil && n == 0 {
			l.lost.Store(true)
			return
		}
	}
}

// release stops the renewal and deletes the key if it still holds the
// token.
func (l *lease) release(ctx context.Context, rdb redis.Scripter) error {
	close(l.stop)
	<-l.done
	n, err := releaseScript.Run(ctx, rdb, []string{l.key}, l.token).Int()
	if err != nil {
		return mapError(err)
	}
	if n == 0 || l.lost.Load() {
		return fmt.Errorf("%w: the lease on %s expired", ErrLockLost, l.key)
	}
	return nil
}
