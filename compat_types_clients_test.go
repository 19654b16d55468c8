// Real clients reaching the collection types (hashes, lists, sets, sorted
// sets, blocking pops) through their own typed APIs: go-redis here, redis-py
// (testdata/compat_types_py.py), node-redis and ioredis
// (testdata/node/types.js). Every check compares values, so a server that
// answers without error but wrongly fails the test. They pass against
// redis-server 7.0.15 (COMPAT_SELFTEST=1).

package remoted_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// expect returns a function that checks a typed go-redis result, as in
// expect(t, "HLEN", int64(3))(rdb.HLen(ctx, k).Result()): no error and a
// value deeply equal to want.
func expect[T any](t *testing.T, what string, want T) func(T, error) {
	t.Helper()
	return func(got T, err error) {
		t.Helper()
		if err != nil {
			t.Errorf("%s: %v, want %#v", what, err, want)
		} else if !reflect.DeepEqual(got, want) {
			t.Errorf("%s = %#v, want %#v", what, got, want)
		}
	}
}

// expectErr checks that err is an error whose text contains want.
func expectErr(t *testing.T, what string, err error, want string) {
	t.Helper()
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("%s: error %v, want one containing %q", what, err, want)
	}
}

// expectNil checks that err is redis.Nil (a nil reply).
func expectNil(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, redis.Nil) {
		t.Errorf("%s: error %v, want redis.Nil", what, err)
	}
}

// sorted sorts an unordered reply (SMEMBERS, SINTER ...) for comparison.
func sorted(ss []string, err error) ([]string, error) {
	slices.Sort(ss)
	return ss, err
}

// scanPairs runs an HSCAN or ZSCAN iterator to completion and returns the
// field (member) and value (score) pairs it yielded.
func scanPairs(ctx context.Context, it *redis.ScanIterator) (map[string]string, error) {
	got := map[string]string{}
	for it.Next(ctx) {
		k := it.Val()
		if !it.Next(ctx) {
			return got, fmt.Errorf("%q without a value: an odd number of elements", k)
		}
		got[k] = it.Val()
	}
	return got, it.Err()
}

// blockedClients is the blocked_clients field of INFO clients.
func blockedClients(ctx context.Context, rdb *redis.Client) (int, error) {
	info, err := rdb.Info(ctx, "clients").Result()
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(info, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "blocked_clients:"); ok {
			return strconv.Atoi(v)
		}
	}
	return 0, fmt.Errorf("INFO clients has no blocked_clients: %q", info)
}

// waitBlockedClients polls INFO clients until the server reports n blocked
// clients. It gives up with an error when ctx ends or when stop, called
// between polls, returns one (say, the process that was to block exited).
func waitBlockedClients(ctx context.Context, rdb *redis.Client, n int, stop func() error) error {
	for {
		got, err := blockedClients(ctx, rdb)
		if err != nil || got == n {
			return err
		}
		if err := stop(); err != nil {
			return fmt.Errorf("blocked_clients is %d, want %d: %w", got, n, err)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("blocked_clients stayed %d, want %d: %w", got, n, ctx.Err())
		case <-time.After(2 * time.Millisecond): // polling the server's own report
		}
	}
}

// whenBlocked runs serve in another goroutine once the server reports one
// blocked client, so that the blocking command the caller issues next is
// served by serve's write rather than finding its data already there. Call
// the function it returns once that command has returned: it reports
// serve's error, or that the command returned without ever blocking.
func whenBlocked(ctx context.Context, rdb *redis.Client, serve func(context.Context) error) (done func() error) {
	errc := make(chan error, 1)
	returned := make(chan struct{})
	go func() {
		err := waitBlockedClients(ctx, rdb, 1, func() error {
			select {
			case <-returned:
				return errors.New("the blocking command returned before it blocked")
			default:
				return nil
			}
		})
		if err == nil {
			err = serve(ctx)
		}
		errc <- err
	}()
	return func() error {
		close(returned)
		return <-errc
	}
}

// TestGoRedisTypes drives hashes, lists, sets and sorted sets through
// go-redis's typed methods over RESP2 (TCP) and RESP3 (unix socket):
// struct and map HSET with Scan into a struct, the SCAN family iterated to
// completion, blocking pops that time out and blocking pops served by
// another goroutine's push (BLPOP, BLMOVE, BZPOPMIN) or at once (BRPOP,
// BLMPOP, BRPOPLPUSH, BZPOPMAX, BZMPOP), pipelines and MULTI/EXEC mixing
// the types, and WATCH on a hash key. Each protocol has its own server and
// they run in parallel.
func TestGoRedisTypes(t *testing.T) {
	for _, tc := range []struct {
		name string
		opt  func(*testServer) *redis.Options
	}{
		{"RESP2", func(srv *testServer) *redis.Options { return &redis.Options{Addr: srv.TCPAddr, Protocol: 2} }},
		{"RESP3", func(srv *testServer) *redis.Options {
			return &redis.Options{Network: "unix", Addr: srv.UnixPath, Protocol: 3}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// A server each: the blocking pops wait for blocked_clients
			// to be exactly 1, and in parallel the timeouts overlap.
			t.Parallel()
			opt := tc.opt(startRemoted(t))
			rdb := redis.NewClient(opt)
			t.Cleanup(func() { rdb.Close() })
			p := "gt" + strconv.Itoa(opt.Protocol) + ":"
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			// The protocol is really the one asked for: go-redis falls
			// back to RESP2 silently if HELLO fails. HGETALL through Do
			// is a map in RESP3 and a flat array in RESP2.
			expect(t, "HSET proto", int64(1))(rdb.HSet(ctx, p+"proto", "f", "v").Result())
			v, err := rdb.Do(ctx, "HGETALL", p+"proto").Result()
			wantType := map[string]string{"RESP2": "[]interface {}", "RESP3": "map[interface {}]interface {}"}[tc.name]
			if err != nil || fmt.Sprintf("%T", v) != wantType {
				t.Fatalf("HGETALL via Do = %#v (%T), %v; want a %s", v, v, err, wantType)
			}
			t.Run("hash", func(t *testing.T) { goRedisHashes(ctx, t, rdb, p) })
			t.Run("list", func(t *testing.T) { goRedisLists(ctx, t, rdb, p) })
			t.Run("set", func(t *testing.T) { goRedisSets(ctx, t, rdb, p) })
			t.Run("zset", func(t *testing.T) { goRedisZSets(ctx, t, rdb, p) })
			t.Run("pipelines", func(t *testing.T) { goRedisTypePipelines(ctx, t, rdb, p) })
			t.Run("watch", func(t *testing.T) { goRedisWatchHash(ctx, t, rdb, p) })
		})
	}
}

// goRedisUser is a hash written and read through go-redis's struct support.
type goRedisUser struct {
	Name   string  `redis:"name"`
	Age    int     `redis:"age"`
	Score  float64 `redis:"score"`
	Admin  bool    `redis:"admin"`
	Secret string  `redis:"-"`
}

func goRedisHashes(ctx context.Context, t *testing.T, rdb *redis.Client, p string) {
	h := p + "h"
	expect(t, "HSET map", int64(3))(rdb.HSet(ctx, h, map[string]any{"name": "ada", "lang": "go", "n": 1}).Result())
	expect(t, "HSET existing and new", int64(1))(rdb.HSet(ctx, h, "lang", "c", "year", 1843).Result())
	expect(t, "HGETALL", map[string]string{"name": "ada", "lang": "c", "n": "1", "year": "1843"})(rdb.HGetAll(ctx, h).Result())
	expect(t, "HGET", "c")(rdb.HGet(ctx, h, "lang").Result())
	_, err := rdb.HGet(ctx, h, "missing").Result()
	expectNil(t, "HGET missing field", err)
	expect(t, "HMGET", []any{"ada", nil, "1"})(rdb.HMGet(ctx, h, "name", "missing", "n").Result())
	expect(t, "HLEN", int64(4))(rdb.HLen(ctx, h).Result())
	expect(t, "HINCRBY", int64(42))(rdb.HIncrBy(ctx, h, "n", 41).Result())
	expect(t, "HINCRBY new field", int64(-3))(rdb.HIncrBy(ctx, h, "m", -3).Result())
	expect(t, "HINCRBYFLOAT", 43.5)(rdb.HIncrByFloat(ctx, h, "n", 1.5).Result())
	expect(t, "HGET after HINCRBYFLOAT", "43.5")(rdb.HGet(ctx, h, "n").Result())
	expectErr(t, "HINCRBY on text", rdb.HIncrBy(ctx, h, "name", 1).Err(), "hash value is not an integer")
	expectErr(t, "HINCRBYFLOAT on text", rdb.HIncrByFloat(ctx, h, "name", 1).Err(), "hash value is not a float")
	expect(t, "HDEL", int64(2))(rdb.HDel(ctx, h, "m", "year", "missing").Result())
	expect(t, "HEXISTS deleted", false)(rdb.HExists(ctx, h, "year").Result())
	expect(t, "HKEYS", []string{"lang", "n", "name"})(sorted(rdb.HKeys(ctx, h).Result()))

	// HRANDFIELD: distinct fields of the hash for a positive count (at
	// most its size), possibly repeated ones for a negative count.
	fields, err := rdb.HRandField(ctx, h, 2).Result()
	if err != nil || len(fields) != 2 || fields[0] == fields[1] {
		t.Errorf("HRANDFIELD 2 = %q, %v; want 2 distinct fields", fields, err)
	}
	all, err := rdb.HRandField(ctx, h, 10).Result()
	expect(t, "HRANDFIELD 10 (more than it has)", []string{"lang", "n", "name"})(sorted(all, err))
	rep, err := rdb.HRandField(ctx, h, -7).Result()
	if err != nil || len(rep) != 7 {
		t.Errorf("HRANDFIELD -7 = %q, %v; want 7 fields", rep, err)
	}
	for _, f := range append(fields, rep...) {
		if !slices.Contains(all, f) {
			t.Errorf("HRANDFIELD returned %q, not a field of the hash", f)
		}
	}
	kvs, err := rdb.HRandFieldWithValues(ctx, h, 3).Result()
	if err != nil || len(kvs) != 3 {
		t.Errorf("HRANDFIELD 3 WITHVALUES = %v, %v; want 3 pairs", kvs, err)
	}
	hv := map[string]string{"name": "ada", "lang": "c", "n": "43.5"}
	for _, kv := range kvs {
		if hv[kv.Key] != kv.Value {
			t.Errorf("HRANDFIELD WITHVALUES pair %q=%q, the hash has %q", kv.Key, kv.Value, hv[kv.Key])
		}
	}
	_, err = rdb.HRandField(ctx, p+"nohash", 1).Result()
	if err != nil && !errors.Is(err, redis.Nil) {
		t.Errorf("HRANDFIELD missing key: %v", err)
	}

	// A struct in, the same struct out; the "-" field is neither.
	u := goRedisUser{Name: "grace", Age: 85, Score: 99.25, Admin: true, Secret: "x"}
	expect(t, "HSET struct", int64(4))(rdb.HSet(ctx, p+"user", u).Result())
	var got goRedisUser
	if err := rdb.HGetAll(ctx, p+"user").Scan(&got); err != nil {
		t.Errorf("HGETALL Scan into struct: %v", err)
	}
	u.Secret = ""
	if got != u {
		t.Errorf("HGETALL Scan = %+v, want %+v", got, u)
	}
	expect(t, "HGETALL struct hash", map[string]string{"name": "grace", "age": "85", "score": "99.25", "admin": "1"})(rdb.HGetAll(ctx, p+"user").Result())
	var part goRedisUser
	if err := rdb.HMGet(ctx, p+"user", "name", "age").Scan(&part); err != nil || part != (goRedisUser{Name: "grace", Age: 85}) {
		t.Errorf("HMGET Scan = %+v, %v; want name and age only", part, err)
	}

	// HSCAN to completion over a hash too big for a listpack, so the
	// cursor really walks a table; every field once with its value.
	big := p + "bighash"
	want := map[string]string{}
	for i := range 600 {
		want[fmt.Sprintf("f%04d", i)] = "v" + strconv.Itoa(i*7)
	}
	expect(t, "HSET 600 fields", int64(600))(rdb.HSet(ctx, big, want).Result())
	expect(t, "HSCAN to completion", want)(scanPairs(ctx, rdb.HScan(ctx, big, 0, "", 50).Iterator()))
	keys, _, err := rdb.HScan(ctx, h, 0, "na*", 100).Result()
	expect(t, "HSCAN MATCH na* on a small hash", []string{"name", "ada"})(keys, err)

	expect(t, "TYPE hash", "hash")(rdb.Type(ctx, h).Result())
	expect(t, "SET string", "OK")(rdb.Set(ctx, p+"str", "x", 0).Result())
	expectErr(t, "HSET on a string", rdb.HSet(ctx, p+"str", "f", "v").Err(), "WRONGTYPE")
	expectErr(t, "GET on a hash", rdb.Get(ctx, h).Err(), "WRONGTYPE")
	expect(t, "HDEL last fields", int64(3))(rdb.HDel(ctx, h, "name", "lang", "n").Result())
	expect(t, "EXISTS emptied hash", int64(0))(rdb.Exists(ctx, h).Result())
}

func goRedisLists(ctx context.Context, t *testing.T, rdb *redis.Client, p string) {
	l := p + "l"
	expect(t, "RPUSH", int64(3))(rdb.RPush(ctx, l, "a", "b", "c").Result())
	expect(t, "LPUSH", int64(5))(rdb.LPush(ctx, l, "y", "z").Result())
	expect(t, "LRANGE", []string{"z", "y", "a", "b", "c"})(rdb.LRange(ctx, l, 0, -1).Result())
	expect(t, "LRANGE negative", []string{"b", "c"})(rdb.LRange(ctx, l, -2, 100).Result())
	expect(t, "LPOP count", []string{"z", "y"})(rdb.LPopCount(ctx, l, 2).Result())
	expect(t, "RPUSH more", int64(7))(rdb.RPush(ctx, l, "a", "d", "a", "e").Result())
	// a b c a d a e
	expect(t, "LPOS", int64(0))(rdb.LPos(ctx, l, "a", redis.LPosArgs{}).Result())
	expect(t, "LPOS RANK 2", int64(3))(rdb.LPos(ctx, l, "a", redis.LPosArgs{Rank: 2}).Result())
	expect(t, "LPOS RANK -1", int64(5))(rdb.LPos(ctx, l, "a", redis.LPosArgs{Rank: -1}).Result())
	expect(t, "LPOS COUNT 0", []int64{0, 3, 5})(rdb.LPosCount(ctx, l, "a", 0, redis.LPosArgs{}).Result())
	_, err := rdb.LPos(ctx, l, "nope", redis.LPosArgs{}).Result()
	expectNil(t, "LPOS absent", err)
	expect(t, "LINSERT BEFORE", int64(8))(rdb.LInsertBefore(ctx, l, "d", "c2").Result())
	expect(t, "LINSERT AFTER", int64(9))(rdb.LInsertAfter(ctx, l, "e", "f").Result())
	expect(t, "LINSERT missing pivot", int64(-1))(rdb.LInsertBefore(ctx, l, "nope", "x").Result())
	expect(t, "LRANGE after LINSERT", []string{"a", "b", "c", "a", "c2", "d", "a", "e", "f"})(rdb.LRange(ctx, l, 0, -1).Result())
	expect(t, "LMOVE", "f")(rdb.LMove(ctx, l, p+"l2", "RIGHT", "LEFT").Result())
	expect(t, "LMOVE again", "a")(rdb.LMove(ctx, l, p+"l2", "LEFT", "RIGHT").Result())
	expect(t, "LRANGE LMOVE target", []string{"f", "a"})(rdb.LRange(ctx, p+"l2", 0, -1).Result())
	expect(t, "LTRIM", "OK")(rdb.LTrim(ctx, l, 1, -2).Result())
	expect(t, "LRANGE after LTRIM", []string{"c", "a", "c2", "d", "a"})(rdb.LRange(ctx, l, 0, -1).Result())
	expect(t, "LREM", int64(2))(rdb.LRem(ctx, l, 0, "a").Result())
	expect(t, "LINDEX", "d")(rdb.LIndex(ctx, l, -1).Result())
	expect(t, "LSET", "OK")(rdb.LSet(ctx, l, 0, "C").Result())
	expect(t, "LLEN", int64(3))(rdb.LLen(ctx, l).Result())
	expect(t, "TYPE list", "list")(rdb.Type(ctx, l).Result())
	expect(t, "LPOP count beyond", []string{"C", "c2", "d"})(rdb.LPopCount(ctx, l, 10).Result())
	expect(t, "EXISTS emptied list", int64(0))(rdb.Exists(ctx, l).Result())
	_, err = rdb.LPop(ctx, l).Result()
	expectNil(t, "LPOP missing", err)
	expectErr(t, "LPUSH on a hash", rdb.LPush(ctx, p+"proto", "x").Err(), "WRONGTYPE")

	// A blocking pop that nothing serves times out with a nil reply
	// (go-redis's smallest timeout is one second).
	start := time.Now()
	_, err = rdb.BLPop(ctx, time.Second, p+"empty1", p+"empty2").Result()
	expectNil(t, "BLPOP timing out", err)
	if d := time.Since(start); d < 900*time.Millisecond {
		t.Errorf("BLPOP 1s timed out after %v", d)
	}
	_, err = rdb.BLMove(ctx, p+"empty1", p+"l3", "LEFT", "LEFT", time.Second).Result()
	expectNil(t, "BLMOVE timing out", err)

	// Served: another goroutine pushes once BLPOP has blocked.
	served := whenBlocked(ctx, rdb, func(ctx context.Context) error {
		n, err := rdb.RPush(ctx, p+"q2", "job1", "job2").Result()
		if err == nil && n != 2 {
			err = fmt.Errorf("RPUSH while BLPOP blocked = %d, want 2", n)
		}
		return err
	})
	expect(t, "BLPOP served by RPUSH", []string{p + "q2", "job1"})(rdb.BLPop(ctx, 10*time.Second, p+"q1", p+"q2").Result())
	if err := served(); err != nil {
		t.Error(err)
	}
	expect(t, "LRANGE rest after BLPOP", []string{"job2"})(rdb.LRange(ctx, p+"q2", 0, -1).Result())
	expect(t, "BRPOP immediate", []string{p + "q2", "job2"})(rdb.BRPop(ctx, time.Second, p+"q1", p+"q2").Result())

	// BLMPOP and BRPOPLPUSH served at once, then a BLMPOP timing out.
	expect(t, "RPUSH mp", int64(3))(rdb.RPush(ctx, p+"mp", "1", "2", "3").Result())
	if key, vals, err := rdb.BLMPop(ctx, time.Second, "RIGHT", 2, p+"none", p+"mp").Result(); err != nil || key != p+"mp" || !slices.Equal(vals, []string{"3", "2"}) {
		t.Errorf("BLMPOP RIGHT COUNT 2 = %q %q, %v; want %q [3 2]", key, vals, err, p+"mp")
	}
	expect(t, "BRPOPLPUSH", "1")(rdb.BRPopLPush(ctx, p+"mp", p+"mp2", time.Second).Result())
	_, _, err = rdb.BLMPop(ctx, time.Second, "LEFT", 1, p+"mp").Result()
	expectNil(t, "BLMPOP timing out", err)

	served = whenBlocked(ctx, rdb, func(ctx context.Context) error {
		return rdb.LPush(ctx, p+"src", "x1").Err()
	})
	expect(t, "BLMOVE served by LPUSH", "x1")(rdb.BLMove(ctx, p+"src", p+"dst", "RIGHT", "LEFT", 10*time.Second).Result())
	if err := served(); err != nil {
		t.Error(err)
	}
	expect(t, "BLMOVE moved", []string{"x1"})(rdb.LRange(ctx, p+"dst", 0, -1).Result())
	expect(t, "BLMOVE source gone", int64(0))(rdb.Exists(ctx, p+"src").Result())
}

func goRedisSets(ctx context.Context, t *testing.T, rdb *redis.Client, p string) {
	s1, s2 := p+"s1", p+"s2"
	expect(t, "SADD", int64(4))(rdb.SAdd(ctx, s1, "a", "b", "c", "d").Result())
	expect(t, "SADD duplicates", int64(1))(rdb.SAdd(ctx, s1, "a", "e", "e").Result())
	expect(t, "SMEMBERS", []string{"a", "b", "c", "d", "e"})(sorted(rdb.SMembers(ctx, s1).Result()))
	expect(t, "SCARD", int64(5))(rdb.SCard(ctx, s1).Result())
	expect(t, "SISMEMBER yes", true)(rdb.SIsMember(ctx, s1, "c").Result())
	expect(t, "SISMEMBER no", false)(rdb.SIsMember(ctx, s1, "z").Result())
	expect(t, "SMISMEMBER", []bool{true, false, true})(rdb.SMIsMember(ctx, s1, "a", "z", "e").Result())
	expect(t, "SADD s2", int64(4))(rdb.SAdd(ctx, s2, "c", "d", "x", 7).Result())
	expect(t, "SINTER", []string{"c", "d"})(sorted(rdb.SInter(ctx, s1, s2).Result()))
	expect(t, "SINTER with missing", []string{})(sorted(rdb.SInter(ctx, s1, p+"none").Result()))
	expect(t, "SDIFF", []string{"a", "b", "e"})(sorted(rdb.SDiff(ctx, s1, s2).Result()))
	expect(t, "SUNIONSTORE", int64(7))(rdb.SUnionStore(ctx, p+"u", s1, s2).Result())
	expect(t, "SMEMBERS union", []string{"7", "a", "b", "c", "d", "e", "x"})(sorted(rdb.SMembers(ctx, p+"u").Result()))
	expect(t, "SREM", int64(1))(rdb.SRem(ctx, p+"u", "7", "nope").Result())
	expect(t, "TYPE set", "set")(rdb.Type(ctx, s1).Result())

	members := []string{"a", "b", "c", "d", "e"}
	rnd, err := rdb.SRandMemberN(ctx, s1, 3).Result()
	if err != nil || len(rnd) != 3 || len(slices.Compact(slices.Sorted(slices.Values(rnd)))) != 3 {
		t.Errorf("SRANDMEMBER 3 = %q, %v; want 3 distinct members", rnd, err)
	}
	rep, err := rdb.SRandMemberN(ctx, s1, -9).Result()
	if err != nil || len(rep) != 9 {
		t.Errorf("SRANDMEMBER -9 = %q, %v; want 9 members", rep, err)
	}
	popped, err := rdb.SPopN(ctx, s1, 2).Result()
	if err != nil || len(popped) != 2 || popped[0] == popped[1] {
		t.Errorf("SPOP 2 = %q, %v; want 2 distinct members", popped, err)
	}
	for _, m := range slices.Concat(rnd, rep, popped) {
		if !slices.Contains(members, m) {
			t.Errorf("SRANDMEMBER/SPOP returned %q, not a member", m)
		}
	}
	left, err := rdb.SMembers(ctx, s1).Result()
	expect(t, "SMEMBERS after SPOP", 3)(len(left), err)
	for _, m := range popped {
		if slices.Contains(left, m) {
			t.Errorf("SPOP popped %q, still a member", m)
		}
	}
	expect(t, "SPOP all", 3)(len(rdb.SPopN(ctx, s1, 10).Val()), nil)
	expect(t, "EXISTS emptied set", int64(0))(rdb.Exists(ctx, s1).Result())

	// SSCAN to completion: an intset, then a table.
	want := map[string]bool{}
	var add []any
	for i := range 400 {
		m := strconv.Itoa(i * 3)
		if i >= 200 {
			m = "m" + m
		}
		want[m] = true
		add = append(add, m)
	}
	expect(t, "SADD 400", int64(400))(rdb.SAdd(ctx, p+"big", add...).Result())
	got := map[string]bool{}
	it := rdb.SScan(ctx, p+"big", 0, "", 64).Iterator()
	for it.Next(ctx) {
		got[it.Val()] = true
	}
	if err := it.Err(); err != nil {
		t.Errorf("SSCAN: %v", err)
	}
	if !maps.Equal(got, want) {
		t.Errorf("SSCAN found %d members, want the 400 added", len(got))
	}
	ms, _, err := rdb.SScan(ctx, s2, 0, "[cd]", 100).Result()
	expect(t, "SSCAN MATCH [cd]", []string{"c", "d"})(sorted(ms, err))
	expectErr(t, "SADD on a hash", rdb.SAdd(ctx, p+"proto", "x").Err(), "WRONGTYPE")
}

func goRedisZSets(ctx context.Context, t *testing.T, rdb *redis.Client, p string) {
	z := p + "z"
	expect(t, "ZADD", int64(3))(rdb.ZAdd(ctx, z, redis.Z{Score: 1, Member: "a"}, redis.Z{Score: 2, Member: "b"}, redis.Z{Score: 3, Member: "c"}).Result())
	expect(t, "ZADD NX", int64(1))(rdb.ZAddArgs(ctx, z, redis.ZAddArgs{NX: true, Members: []redis.Z{{Score: 10, Member: "a"}, {Score: 4, Member: "d"}}}).Result())
	expect(t, "ZADD GT CH", int64(1))(rdb.ZAddArgs(ctx, z, redis.ZAddArgs{GT: true, Ch: true, Members: []redis.Z{{Score: 0.5, Member: "a"}, {Score: 5, Member: "b"}}}).Result())
	expect(t, "ZADD XX INCR", 2.5)(rdb.ZAddArgsIncr(ctx, z, redis.ZAddArgs{XX: true, Members: []redis.Z{{Score: 1.5, Member: "a"}}}).Result())
	_, err := rdb.ZAddArgsIncr(ctx, z, redis.ZAddArgs{XX: true, Members: []redis.Z{{Score: 1, Member: "nope"}}}).Result()
	expectNil(t, "ZADD XX INCR absent", err)
	expect(t, "ZRANGE WITHSCORES", []redis.Z{{Score: 2.5, Member: "a"}, {Score: 3, Member: "c"}, {Score: 4, Member: "d"}, {Score: 5, Member: "b"}})(rdb.ZRangeWithScores(ctx, z, 0, -1).Result())
	expect(t, "ZRANGE BYSCORE LIMIT", []string{"d", "b"})(rdb.ZRangeArgs(ctx, redis.ZRangeArgs{Key: z, Start: "(2.5", Stop: "+inf", ByScore: true, Offset: 1, Count: 2}).Result())
	expect(t, "ZRANGE BYSCORE REV", []string{"d", "c", "a"})(rdb.ZRangeArgs(ctx, redis.ZRangeArgs{Key: z, Start: 4, Stop: "-inf", ByScore: true, Rev: true}).Result())
	expect(t, "ZRANGE REV", []string{"b", "d"})(rdb.ZRangeArgs(ctx, redis.ZRangeArgs{Key: z, Start: 0, Stop: 1, Rev: true}).Result())
	expect(t, "ZRANGE BYSCORE REV WITHSCORES", []redis.Z{{Score: 5, Member: "b"}})(rdb.ZRangeArgsWithScores(ctx, redis.ZRangeArgs{Key: z, Start: "+inf", Stop: "(4", ByScore: true, Rev: true}).Result())
	expect(t, "ZINCRBY", 4.5)(rdb.ZIncrBy(ctx, z, 2, "a").Result())
	expect(t, "ZSCORE", 4.5)(rdb.ZScore(ctx, z, "a").Result())
	expect(t, "ZRANK", int64(2))(rdb.ZRank(ctx, z, "a").Result())
	expect(t, "ZREVRANK", int64(0))(rdb.ZRevRank(ctx, z, "b").Result())
	_, err = rdb.ZRank(ctx, z, "nope").Result()
	expectNil(t, "ZRANK absent", err)
	expect(t, "ZCARD", int64(4))(rdb.ZCard(ctx, z).Result())
	expect(t, "ZCOUNT", int64(2))(rdb.ZCount(ctx, z, "(3", "4.5").Result())
	expect(t, "TYPE zset", "zset")(rdb.Type(ctx, z).Result())
	expect(t, "ZPOPMIN", []redis.Z{{Score: 3, Member: "c"}})(rdb.ZPopMin(ctx, z).Result())
	expect(t, "ZPOPMIN 2", []redis.Z{{Score: 4, Member: "d"}, {Score: 4.5, Member: "a"}})(rdb.ZPopMin(ctx, z, 2).Result())
	expect(t, "ZPOPMAX", []redis.Z{{Score: 5, Member: "b"}})(rdb.ZPopMax(ctx, z).Result())
	expect(t, "EXISTS emptied zset", int64(0))(rdb.Exists(ctx, z).Result())
	expectErr(t, "ZADD on a hash", rdb.ZAdd(ctx, p+"proto", redis.Z{Score: 1, Member: "x"}).Err(), "WRONGTYPE")

	// ZUNIONSTORE with weights (and the default SUM).
	expect(t, "ZADD z1", int64(2))(rdb.ZAdd(ctx, p+"z1", redis.Z{Score: 1, Member: "x"}, redis.Z{Score: 2, Member: "y"}).Result())
	expect(t, "ZADD z2", int64(2))(rdb.ZAdd(ctx, p+"z2", redis.Z{Score: 10, Member: "y"}, redis.Z{Score: 0.25, Member: "w"}).Result())
	expect(t, "ZUNIONSTORE WEIGHTS", int64(3))(rdb.ZUnionStore(ctx, p+"zu", &redis.ZStore{Keys: []string{p + "z1", p + "z2"}, Weights: []float64{3, 2}}).Result())
	expect(t, "ZRANGE union", []redis.Z{{Score: 0.5, Member: "w"}, {Score: 3, Member: "x"}, {Score: 26, Member: "y"}})(rdb.ZRangeWithScores(ctx, p+"zu", 0, -1).Result())
	expect(t, "ZUNIONSTORE MAX", int64(3))(rdb.ZUnionStore(ctx, p+"zu", &redis.ZStore{Keys: []string{p + "z1", p + "z2"}, Aggregate: "MAX"}).Result())
	expect(t, "ZRANGE union MAX", []redis.Z{{Score: 0.25, Member: "w"}, {Score: 1, Member: "x"}, {Score: 10, Member: "y"}})(rdb.ZRangeWithScores(ctx, p+"zu", 0, -1).Result())

	// BZPOPMIN served by another goroutine's ZADD; then one that times out.
	served := whenBlocked(ctx, rdb, func(ctx context.Context) error {
		return rdb.ZAdd(ctx, p+"bz", redis.Z{Score: 7, Member: "late"}, redis.Z{Score: 8, Member: "later"}).Err()
	})
	expect(t, "BZPOPMIN served by ZADD", &redis.ZWithKey{Key: p + "bz", Z: redis.Z{Score: 7, Member: "late"}})(rdb.BZPopMin(ctx, 10*time.Second, p+"bz0", p+"bz").Result())
	if err := served(); err != nil {
		t.Error(err)
	}
	expect(t, "BZPOPMAX immediate", &redis.ZWithKey{Key: p + "bz", Z: redis.Z{Score: 8, Member: "later"}})(rdb.BZPopMax(ctx, time.Second, p+"bz").Result())
	_, err = rdb.BZPopMin(ctx, time.Second, p+"bz").Result()
	expectNil(t, "BZPOPMIN timing out", err)

	// BZMPOP and ZMPOP: the first non-empty key, count members from one end.
	expect(t, "ZADD zmp", int64(3))(rdb.ZAdd(ctx, p+"zmp", redis.Z{Score: 1, Member: "a"}, redis.Z{Score: 2, Member: "b"}, redis.Z{Score: 3, Member: "c"}).Result())
	if key, zs, err := rdb.BZMPop(ctx, time.Second, "MAX", 2, p+"none", p+"zmp").Result(); err != nil || key != p+"zmp" || !slices.Equal(zs, []redis.Z{{Score: 3, Member: "c"}, {Score: 2, Member: "b"}}) {
		t.Errorf("BZMPOP MAX COUNT 2 = %q %v, %v; want %q [{3 c} {2 b}]", key, zs, err, p+"zmp")
	}
	if key, zs, err := rdb.ZMPop(ctx, "MIN", 5, p+"zmp").Result(); err != nil || key != p+"zmp" || !slices.Equal(zs, []redis.Z{{Score: 1, Member: "a"}}) {
		t.Errorf("ZMPOP MIN COUNT 5 = %q %v, %v; want %q [{1 a}]", key, zs, err, p+"zmp")
	}

	// ZSCAN to completion over a skiplist-sized set: member, score pairs.
	want := map[string]string{}
	var zs []redis.Z
	for i := range 300 {
		m := fmt.Sprintf("m%03d", i)
		want[m] = strconv.FormatFloat(float64(i)/4, 'f', -1, 64)
		zs = append(zs, redis.Z{Score: float64(i) / 4, Member: m})
	}
	expect(t, "ZADD 300", int64(300))(rdb.ZAdd(ctx, p+"bigz", zs...).Result())
	expect(t, "ZSCAN to completion", want)(scanPairs(ctx, rdb.ZScan(ctx, p+"bigz", 0, "", 40).Iterator()))
}

// goRedisTypePipelines sends commands on all four types in one pipeline and
// in one MULTI/EXEC, and checks each command's own typed result.
func goRedisTypePipelines(ctx context.Context, t *testing.T, rdb *redis.Client, p string) {
	for _, tx := range []bool{false, true} {
		name := "Pipelined"
		run := rdb.Pipelined
		if tx {
			name, run = "TxPipelined", rdb.TxPipelined
		}
		q := p + name + ":"
		var (
			hset, rpush, sadd, zadd, llen, scard *redis.IntCmd
			hget                                 *redis.StringCmd
			lrange, smembers                     *redis.StringSliceCmd
			hgetall                              *redis.MapStringStringCmd
			zrange                               *redis.ZSliceCmd
			ismember                             *redis.BoolCmd
			types                                []*redis.StatusCmd
		)
		cmds, err := run(ctx, func(pipe redis.Pipeliner) error {
			hset = pipe.HSet(ctx, q+"h", "a", 1, "b", 2)
			rpush = pipe.RPush(ctx, q+"l", "x", "y", "z")
			sadd = pipe.SAdd(ctx, q+"s", "m", "n")
			zadd = pipe.ZAdd(ctx, q+"z", redis.Z{Score: 2, Member: "two"}, redis.Z{Score: 1, Member: "one"})
			pipe.HIncrBy(ctx, q+"h", "a", 10)
			pipe.LPop(ctx, q+"l")
			pipe.SRem(ctx, q+"s", "n")
			pipe.ZIncrBy(ctx, q+"z", 5, "one")
			hget = pipe.HGet(ctx, q+"h", "a")
			hgetall = pipe.HGetAll(ctx, q+"h")
			lrange = pipe.LRange(ctx, q+"l", 0, -1)
			llen = pipe.LLen(ctx, q+"l")
			smembers = pipe.SMembers(ctx, q+"s")
			scard = pipe.SCard(ctx, q+"s")
			ismember = pipe.SIsMember(ctx, q+"s", "m")
			zrange = pipe.ZRangeWithScores(ctx, q+"z", 0, -1)
			for _, k := range []string{"h", "l", "s", "z", "none"} {
				types = append(types, pipe.Type(ctx, q+k))
			}
			return nil
		})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if want := 21; len(cmds) != want {
			t.Errorf("%s returned %d commands, want %d", name, len(cmds), want)
		}
		expect(t, name+" HSET", int64(2))(hset.Result())
		expect(t, name+" RPUSH", int64(3))(rpush.Result())
		expect(t, name+" SADD", int64(2))(sadd.Result())
		expect(t, name+" ZADD", int64(2))(zadd.Result())
		expect(t, name+" HGET", "11")(hget.Result())
		expect(t, name+" HGETALL", map[string]string{"a": "11", "b": "2"})(hgetall.Result())
		expect(t, name+" LRANGE", []string{"y", "z"})(lrange.Result())
		expect(t, name+" LLEN", int64(2))(llen.Result())
		expect(t, name+" SMEMBERS", []string{"m"})(smembers.Result())
		expect(t, name+" SCARD", int64(1))(scard.Result())
		expect(t, name+" SISMEMBER", true)(ismember.Result())
		expect(t, name+" ZRANGE WITHSCORES", []redis.Z{{Score: 2, Member: "two"}, {Score: 6, Member: "one"}})(zrange.Result())
		for i, want := range []string{"hash", "list", "set", "zset", "none"} {
			expect(t, name+" TYPE", want)(types[i].Result())
		}
	}

	// A WRONGTYPE inside MULTI/EXEC fails that command only: the others
	// run, as Redis does it.
	q := p + "txerr:"
	var before, after *redis.IntCmd
	var bad *redis.IntCmd
	_, err := rdb.TxPipelined(ctx, func(pipe redis.Pipeliner) error {
		before = pipe.SAdd(ctx, q+"s", "a")
		bad = pipe.LPush(ctx, q+"s", "x")
		after = pipe.SAdd(ctx, q+"s", "b")
		return nil
	})
	expectErr(t, "TxPipelined with a WRONGTYPE", err, "WRONGTYPE")
	expectErr(t, "LPUSH on a set in MULTI", bad.Err(), "WRONGTYPE")
	expect(t, "SADD before it in MULTI", int64(1))(before.Result())
	expect(t, "SADD after it in MULTI", int64(1))(after.Result())
	expect(t, "SMEMBERS after MULTI", []string{"a", "b"})(sorted(rdb.SMembers(ctx, q+"s").Result()))
}

// goRedisWatchHash is optimistic locking on a hash: a WATCHed transaction
// commits when nobody touched the hash and fails (redis.TxFailedErr) when
// another connection changed one of its fields in between.
func goRedisWatchHash(ctx context.Context, t *testing.T, rdb *redis.Client, p string) {
	h := p + "acct"
	expect(t, "HSET", int64(2))(rdb.HSet(ctx, h, "balance", 100, "owner", "ada").Result())
	withdraw := func(amount int64, meddle func()) error {
		return rdb.Watch(ctx, func(tx *redis.Tx) error {
			bal, err := tx.HGet(ctx, h, "balance").Int64()
			if err != nil {
				return err
			}
			if meddle != nil {
				meddle()
			}
			_, err = tx.TxPipelined(ctx, func(pipe redis.Pipeliner) error {
				pipe.HSet(ctx, h, "balance", bal-amount)
				pipe.HIncrBy(ctx, h, "withdrawals", 1)
				return nil
			})
			return err
		}, h)
	}
	if err := withdraw(30, nil); err != nil {
		t.Errorf("WATCH/MULTI/EXEC untouched: %v", err)
	}
	expect(t, "HGETALL after commit", map[string]string{"balance": "70", "owner": "ada", "withdrawals": "1"})(rdb.HGetAll(ctx, h).Result())
	// Another connection (the pool's) changes a different field.
	err := withdraw(30, func() {
		if err := rdb.HSet(ctx, h, "owner", "grace").Err(); err != nil {
			t.Errorf("HSET from another connection: %v", err)
		}
	})
	if !errors.Is(err, redis.TxFailedErr) {
		t.Errorf("EXEC after the watched hash changed: %v, want redis.TxFailedErr", err)
	}
	expect(t, "HGETALL after the failed EXEC", map[string]string{"balance": "70", "owner": "grace", "withdrawals": "1"})(rdb.HGetAll(ctx, h).Result())
	// Deleting the hash's last fields (the key goes) also touches it.
	err = withdraw(1, func() {
		if err := rdb.HDel(ctx, h, "balance", "owner", "withdrawals").Err(); err != nil {
			t.Errorf("HDEL from another connection: %v", err)
		}
	})
	if !errors.Is(err, redis.TxFailedErr) {
		t.Errorf("EXEC after the watched hash was emptied: %v, want redis.TxFailedErr", err)
	}
	expect(t, "EXISTS emptied hash", int64(0))(rdb.Exists(ctx, h).Result())
}

// TestPythonTypes runs testdata/compat_types_py.py: redis-py's own methods
// for hashes, lists, sets and sorted sets, blocking pops, the scan
// iterators and a transactional pipeline.
func TestPythonTypes(t *testing.T) {
	runPythonScript(t, "compat_types_py.py")
}

// TestNodeTypes runs testdata/node/types.js: node-redis (RESP2 and RESP3)
// and ioredis on the collection types, blocking pops, pipelines and MULTI.
func TestNodeTypes(t *testing.T) {
	runNodeScript(t, "types.js")
}
