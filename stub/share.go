package stub

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// Share is a connection to a share: a dictionary of keys and values held
// by a remoted server (or a Redis) and used by many processes. Its methods
// are safe for concurrent use; every one takes a context, whose deadline
// bounds the call (a call may wait for another process's share-wide lock).
// The caller closes it with Close.
type Share struct {
	opts   Options
	ropt   *redis.Options // go-redis's options, the template for lock connections
	dialer *dialer
	rdb    redis.UniversalClient // cluster, or a *redis.Client
	server string                // HELLO's server field
	native bool                  // the server is remoted: LOCK and UNLOCK exist

	// cluster is the client of a Redis Cluster, nil on one server.
	cluster *redis.ClusterClient

	// route, while this Share holds the share-wide lock on remoted, is the
	// lock's connection: every call goes there until Unlock.
	route atomic.Pointer[lockConn]

	closeCtx    context.Context // done once Close begins
	closeCancel context.CancelFunc

	mu        sync.Mutex // guards the fields below
	closed    bool
	whole     *Mutex // the share-wide lock, made on first use
	mutexes   map[*Mutex]struct{}
	idleLocks []*lockConn // lock connections kept for reuse, holding nothing
}

// conn returns the client a call goes through: the share-wide lock's
// connection while this Share holds it, else the pool. The caller calls
// done on the returned lockConn (nil-safe) when the call is over, so that
// Unlock waits for calls in flight on the lock's connection before
// closing it.
func (s *Share) conn() (redis.Cmdable, *lockConn) {
	lc := s.route.Load()
	if lc == nil {
		return s.rdb, nil
	}
	lc.inUse.RLock()
	if s.route.Load() != lc { // unlocked meanwhile
		lc.inUse.RUnlock()
		return s.rdb, nil
	}
	return lc.rdb, lc
}

func (s *Share) closing() context.Context { return s.closeCtx }

func (s *Share) isClosed() bool { return s.closeCtx.Err() != nil }

// Server returns the server's name from its HELLO reply: "remoted" for a
// remoted share, "redis" or "valkey" for those.
func (s *Share) Server() string { return s.server }

// Native reports whether the server is remoted, whose LOCK the locks use;
// elsewhere they are advisory leases (see Mutex).
func (s *Share) Native() bool { return s.native }

// Cluster reports whether the share is a Redis Cluster. There the stub
// talks to every node through one go-redis ClusterClient, and:
//   - SetMany, GetMany and Delete send one command per key in a
//     pipeline, since one MSET, MGET or DEL cannot span hash slots: each
//     key is set, read or removed atomically, the group is not;
//   - Keys walks every master with SCAN; a key that moves between nodes
//     during the walk (resharding) may be missed;
//   - the locks are leases, as on any server without LOCK (see Mutex).
func (s *Share) Cluster() bool { return s.cluster != nil }

// Redis returns the go-redis client under the Share, for commands the
// stub does not wrap: a *redis.Client, or a *redis.ClusterClient when
// Cluster is true. It bypasses the share-wide lock's routing and the
// codec; the Share owns and closes it.
func (s *Share) Redis() redis.UniversalClient { return s.rdb }

// SetOption modifies a Set.
type SetOption func(*setOptions)

type setOptions struct {
	ttl time.Duration
}

// WithTTL makes the key expire after d (rounded to milliseconds, at least
// 1 ms). Without it a Set stores the key without expiry, removing any
// earlier one.
func WithTTL(d time.Duration) SetOption {
	return func(o *setOptions) { o.ttl = max(d, time.Millisecond) }
}

// Set stores v under key, encoded as the package doc describes.
func (s *Share) Set(ctx context.Context, key string, v any, opts ...SetOption) error {
	var o setOptions
	for _, f := range opts {
		f(&o)
	}
	a, err := encode(v)
	if err != nil {
		return err
	}
	c, lc := s.conn()
	defer lc.done()
	return mapError(c.Set(ctx, key, a, o.ttl).Err())
}

// Get decodes the value of key into the value ptr points to; ErrNotFound
// if there is none. See Unmarshal for what decodes into what.
func (s *Share) Get(ctx context.Context, key string, ptr any) error {
	c, lc := s.conn()
	v, err := c.Get(ctx, key).Result()
	lc.done()
	if err != nil {
		return mapError(err)
	}
	return keyError(key, decode(v, ptr))
}

// GetAs returns the value of key decoded as a T; ErrNotFound if there is
// none.
func GetAs[T any](ctx context.Context, s *Share, key string) (T, error) {
	var v T
	err := s.Get(ctx, key, &v)
	return v, err
}

// keyError adds key to a *DecodeError.
func keyError(key string, err error) error {
	var de *DecodeError
	if errors.As(err, &de) {
		de.Key = key
	}
	return err
}

// Has reports whether key exists.
func (s *Share) Has(ctx context.Context, key string) (bool, error) {
	c, lc := s.conn()
	defer lc.done()
	n, err := c.Exists(ctx, key).Result()
	return n == 1, mapError(err)
}

// Delete removes keys and returns how many existed.
func (s *Share) Delete(ctx context.Context, keys ...string) (int, error) {
	if len(keys) == 0 {
		return 0, nil
	}
	if s.cluster != nil {
		cmds, err := s.perKey(ctx, len(keys), func(p redis.Pipeliner, i int) { p.Del(ctx, keys[i]) })
		n := 0
		for _, cmd := range cmds {
			n += int(cmd.(*redis.IntCmd).Val())
		}
		return n, err
	}
	c, lc := s.conn()
	defer lc.done()
	n, err := c.Del(ctx, keys...).Result()
	return int(n), mapError(err)
}

// perKey runs n single-key commands, the ith made by add(p, i), in a
// pipeline over the cluster, and returns them. A missing key (redis.Nil)
// is not an error.
func (s *Share) perKey(ctx context.Context, n int, add func(p redis.Pipeliner, i int)) ([]redis.Cmder, error) {
	cmds, err := s.cluster.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i := range n {
			add(p, i)
		}
		return nil
	})
	if errors.Is(err, redis.Nil) {
		err = nil
		for _, cmd := range cmds {
			if e := cmd.Err(); e != nil && !errors.Is(e, redis.Nil) {
				err = e
				break
			}
		}
	}
	return cmds, mapError(err)
}

// Incr adds delta to the integer at key (0 if missing) and returns the
// result, atomically: the value a Set of an integer stored works.
func (s *Share) Incr(ctx context.Context, key string, delta int64) (int64, error) {
	c, lc := s.conn()
	defer lc.done()
	n, err := c.IncrBy(ctx, key, delta).Result()
	return n, mapError(err)
}

// IncrFloat adds delta to the number at key (0 if missing) and returns the
// result, atomically.
func (s *Share) IncrFloat(ctx context.Context, key string, delta float64) (float64, error) {
	c, lc := s.conn()
	defer lc.done()
	f, err := c.IncrByFloat(ctx, key, delta).Result()
	return f, mapError(err)
}

// scanCount is the COUNT hint of each SCAN that Keys sends.
const scanCount = 1000

// Keys returns the keys matching the glob pattern ("" or "*" for all),
// sorted. It walks the keyspace with SCAN, never KEYS, so a large share
// does not stall the server; a key present for the whole walk is listed,
// one added or removed meanwhile may or may not be. On a server without
// LOCK the lease keys of the stub's locks (remoted:lock:...) are left out.
func (s *Share) Keys(ctx context.Context, pattern string) ([]string, error) {
	if pattern == "" {
		pattern = "*"
	}
	var mu sync.Mutex // the masters of a cluster are walked at once
	seen := make(map[string]struct{})
	var keys []string
	add := func(batch []string) {
		mu.Lock()
		defer mu.Unlock()
		for _, k := range batch {
			if _, dup := seen[k]; dup || (!s.native && strings.HasPrefix(k, lockKeyPrefix)) {
				continue
			}
			seen[k] = struct{}{}
			keys = append(keys, k)
		}
	}
	var err error
	if s.cluster != nil {
		err = s.cluster.ForEachMaster(ctx, func(ctx context.Context, node *redis.Client) error {
			return scan(ctx, node, pattern, add)
		})
	} else {
		c, lc := s.conn()
		err = scan(ctx, c, pattern, add)
		lc.done()
	}
	if err != nil {
		return nil, mapError(err)
	}
	slices.Sort(keys)
	return keys, nil
}

// scan walks one server's keys matching pattern, handing each batch to
// add.
func scan(ctx context.Context, c redis.Cmdable, pattern string, add func([]string)) error {
	var cursor uint64
	for {
		batch, next, err := c.Scan(ctx, cursor, pattern, scanCount).Result()
		if err != nil {
			return err
		}
		add(batch)
		if cursor = next; cursor == 0 {
			return nil
		}
	}
}

// SetMany stores every key and value of m in one round trip (MSET), all
// at once: no other client sees some set and others not. None expires.
// On a Redis Cluster each key is set on its own (see Share.Cluster).
func (s *Share) SetMany(ctx context.Context, m map[string]any) error {
	if len(m) == 0 {
		return nil
	}
	args := make([]any, 0, 2*len(m))
	for k, v := range m {
		a, err := encode(v)
		if err != nil {
			return fmt.Errorf("stub: key %q: %w", k, err)
		}
		args = append(args, k, a)
	}
	if s.cluster != nil {
		_, err := s.perKey(ctx, len(m), func(p redis.Pipeliner, i int) { p.Set(ctx, args[2*i].(string), args[2*i+1], 0) })
		return err
	}
	c, lc := s.conn()
	defer lc.done()
	return mapError(c.MSet(ctx, args...).Err())
}

// Value is a stored value not yet decoded, as GetMany returns it.
type Value string

// Decode decodes v into the value ptr points to, as Get does.
func (v Value) Decode(ptr any) error { return decode(string(v), ptr) }

// GetMany reads keys in one round trip (MGET) and returns the values of
// those that exist; a missing key is absent from the map. On a Redis
// Cluster each key is read on its own (see Share.Cluster).
func (s *Share) GetMany(ctx context.Context, keys ...string) (map[string]Value, error) {
	out := make(map[string]Value, len(keys))
	if len(keys) == 0 {
		return out, nil
	}
	if s.cluster != nil {
		cmds, err := s.perKey(ctx, len(keys), func(p redis.Pipeliner, i int) { p.Get(ctx, keys[i]) })
		if err != nil {
			return nil, err
		}
		for i, cmd := range cmds {
			if v, err := cmd.(*redis.StringCmd).Result(); err == nil {
				out[keys[i]] = Value(v)
			}
		}
		return out, nil
	}
	c, lc := s.conn()
	vals, err := c.MGet(ctx, keys...).Result()
	lc.done()
	if err != nil {
		return nil, mapError(err)
	}
	for i, v := range vals {
		if str, ok := v.(string); ok {
			out[keys[i]] = Value(str)
		}
	}
	return out, nil
}

// GetManyAs reads keys in one round trip and decodes each existing one as
// a T; a missing key is absent from the map.
func GetManyAs[T any](ctx context.Context, s *Share, keys ...string) (map[string]T, error) {
	raw, err := s.GetMany(ctx, keys...)
	if err != nil {
		return nil, err
	}
	out := make(map[string]T, len(raw))
	for k, v := range raw {
		var t T
		if err := v.Decode(&t); err != nil {
			return nil, keyError(k, err)
		}
		out[k] = t
	}
	return out, nil
}

// Close releases every lock this Share and its Mutexes hold and closes
// their connections. Calls after Close fail with ErrClosed. Closing twice
// is harmless.
func (s *Share) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.closeCancel()
	ms := make([]*Mutex, 0, len(s.mutexes)+1)
	for m := range s.mutexes {
		ms = append(ms, m)
	}
	if s.whole != nil {
		ms = append(ms, s.whole)
	}
	idle := s.idleLocks
	s.idleLocks = nil
	s.mu.Unlock()
	for _, lc := range idle {
		lc.rdb.Close()
	}

	ctx, cancel := context.WithTimeout(context.Background(), s.opts.DialTimeout)
	defer cancel()
	var errs []error
	for _, m := range ms {
		errs = append(errs, m.close(ctx))
	}
	if hc := s.dialer.first.Swap(nil); hc != nil {
		hc.Close()
	}
	errs = append(errs, s.rdb.Close())
	return errors.Join(errs...)
}
