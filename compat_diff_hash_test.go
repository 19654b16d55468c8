// The hash commands in the differential test (see compat_diff_test.go).

package remoted_test

import (
	"fmt"
	"strings"
	"testing"
)

// hashPairs returns n field/value pairs "prefix<i> v<i>" for a command
// line, numbered from start.
func hashPairs(prefix string, start, n int) string {
	var b strings.Builder
	for i := start; i < start+n; i++ {
		fmt.Fprintf(&b, " %s%d v%d", prefix, i, i)
	}
	return b.String()
}

// hashScript exercises every hash command, option and error against
// listpack hashes (whose order, insertion order, is compared exactly)
// and hashtable ones (past 128 fields or 64 bytes, and past lowered
// limits), each error on a string key and on a missing one, the string
// commands on a hash, the keyspace commands on hashes, and MULTI/EXEC.
var hashScript = []string{
	"FLUSHALL",
	// redis-server 7.0.15 started without a config file has 512 (its
	// compiled-in default); redis.conf and remoted have 128
	"CONFIG SET hash-max-listpack-entries 128",
	// arity
	"HSET", "HSET h", "HSET h f", "HSET h f v f2", "HSET h f v f2 v2 f3",
	"HMSET h", "HMSET h f", "HMSET h f v f2",
	"HSETNX h f", "HSETNX h f v x", "HGET h", "HGET h f x", "HMGET h",
	"HGETALL", "HGETALL h x", "HDEL h", "HEXISTS h", "HEXISTS h f x",
	"HLEN", "HLEN h x", "HSTRLEN h", "HSTRLEN h f x", "HKEYS", "HKEYS h x",
	"HVALS", "HVALS h x", "HINCRBY h f", "HINCRBY h f 1 2",
	"HINCRBYFLOAT h f", "HINCRBYFLOAT h f 1 2", "HRANDFIELD", "HSCAN h",
	// missing keys
	"HGET nokey f", "HMGET nokey a b", "HGETALL nokey", "HDEL nokey f",
	"HEXISTS nokey f", "HLEN nokey", "HSTRLEN nokey f", "HKEYS nokey",
	"HVALS nokey", "HRANDFIELD nokey", "HRANDFIELD nokey 5",
	"HRANDFIELD nokey -5 WITHVALUES", "HRANDFIELD nokey 0",
	"HSCAN nokey 0", "HSCAN nokey 0 COUNT 0", "HSCAN nokey 0 MATCH",
	"HSCAN nokey x", "EXISTS nokey",
	// set and read, insertion order
	"HSET h f1 v1 f2 v2 f3 v3", "HSET h f2 new f4 v4", "HSET h f1 v1",
	"HGETALL h", "HKEYS h", "HVALS h", "HLEN h", "TYPE h", "OBJECT ENCODING h",
	"HGET h f2", "HGET h nofield", "HMGET h f1 nofield f4 f1",
	"HEXISTS h f1", "HEXISTS h nofield", "HSTRLEN h f2", "HSTRLEN h nofield",
	"HMSET h f5 v5 f6 v6", "HMSET h f5 again", "HGETALL h",
	"HSETNX h f1 x", "HSETNX h f7 v7", "HSETNX newh a b", "HGETALL newh",
	"HSET d a 1 a 2 b 3 a 4", "HGETALL d", "HLEN d",
	`HSET bin "" "" "\x00a" "b\x00" "sp ace" "\r\n"`, "HGETALL bin",
	`HGET bin ""`, `HSTRLEN bin "\x00a"`, `HEXISTS bin ""`,
	"HSET ints 1 2 -3 -4 10 0 0 9223372036854775807", "HGETALL ints",
	"HSET ints 1 one", "HGETALL ints",
	// HDEL, down to an empty hash, which goes
	"HDEL h f2 nofield f2 f4", "HGETALL h", "HDEL h nofield",
	"HDEL d a b", "EXISTS d", "TYPE d", "HGETALL d", "HLEN d",
	// HINCRBY
	"HINCRBY c n 5", "HINCRBY c n -10", "HINCRBY c n 0", "HGET c n",
	"HINCRBY c n x", "HINCRBY c n 1.5", "HINCRBY c n 9223372036854775808",
	"HINCRBY c n ''", "HINCRBY c n ' 1'",
	"HSET c s abc sp ' 1' big 9223372036854775807 small -9223372036854775808 flt 1.5 neg0 -0 plus +1 lead 01",
	"HINCRBY c s 1", "HINCRBY c sp 1", "HINCRBY c flt 1", "HINCRBY c neg0 1",
	"HINCRBY c plus 1", "HINCRBY c lead 1",
	"HINCRBY c big 1", "HINCRBY c big 0", "HINCRBY c big -1", "HGET c big",
	"HINCRBY c small -1", "HINCRBY c small 1", "HGET c small",
	"HINCRBY c new -9223372036854775808", "HINCRBY c new -1", "HINCRBY c new 1",
	"HINCRBY newc n 7", "HGETALL newc", "HGETALL c",
	// HINCRBYFLOAT
	"HINCRBYFLOAT f x 10.5", "HINCRBYFLOAT f x 0.1", "HINCRBYFLOAT f x -5e3",
	"HINCRBYFLOAT f x 1.5e10", "HINCRBYFLOAT f x 3", "HINCRBYFLOAT f x -0.6",
	"HINCRBYFLOAT f x 0x10", "HINCRBYFLOAT f x 1e-20", "HGET f x",
	"HINCRBYFLOAT f x abc", "HINCRBYFLOAT f x inf", "HINCRBYFLOAT f x -inf",
	"HINCRBYFLOAT f x nan", "HINCRBYFLOAT f x ''", "HINCRBYFLOAT f x ' 1'",
	"HINCRBYFLOAT f x '1 '", "HINCRBYFLOAT f x 1e5000", "HINCRBYFLOAT f x 1e-5000",
	"HSET f s abc i 10 sp ' 1' inf inf nan nan e 1e4932 hex 0x1p3",
	"HINCRBYFLOAT f s 1", "HINCRBYFLOAT f sp 1", "HINCRBYFLOAT f nan 1",
	"HINCRBYFLOAT f inf 1", "HINCRBYFLOAT f i 5", "HINCRBYFLOAT f i 0.25",
	"HINCRBYFLOAT f e 1e4932", "HINCRBYFLOAT f e -1e4932", "HINCRBYFLOAT f hex 1",
	"HINCRBYFLOAT fy y 1e300", "HGETALL fy", "OBJECT ENCODING fy", "OBJECT ENCODING f", "HINCRBYFLOAT f z 0.1", "HINCRBYFLOAT f z 0.2",
	"HGETALL f",
	// HRANDFIELD: counts that reach the whole hash, and a hash of one
	// field, are deterministic
	"HSET one only val",
	"HRANDFIELD one", "HRANDFIELD one 1", "HRANDFIELD one -3",
	"HRANDFIELD one -3 WITHVALUES", "HRANDFIELD one 5 withvalues",
	"HRANDFIELD h 0", "HRANDFIELD h 0 WITHVALUES", "HRANDFIELD h 100",
	"HRANDFIELD h 100 WITHVALUES", "HRANDFIELD h 5 WITHVALUES",
	"HRANDFIELD h 4611686018427387903 WITHVALUES", "HRANDFIELD h 9223372036854775807",
	"HRANDFIELD h x", "HRANDFIELD h 1.5", "HRANDFIELD h 1 x",
	"HRANDFIELD h 1 withvalue", "HRANDFIELD h 1 WITHVALUES x",
	"HRANDFIELD h -9223372036854775808",
	"HRANDFIELD h 4611686018427387904 WITHVALUES",
	"HRANDFIELD h -4611686018427387904 WITHVALUES",
	"HRANDFIELD h 9223372036854775808", "HRANDFIELD nokey x",
	"HRANDFIELD nokey 1 x",
	// ... and random ones, compared by shape
	"HSET rnd" + hashPairs("f", 0, 10),
	"HRANDFIELD rnd", "HRANDFIELD rnd 1", "HRANDFIELD rnd 3", "HRANDFIELD rnd 9",
	"HRANDFIELD rnd 3 WITHVALUES", "HRANDFIELD rnd 9 WITHVALUES", "HRANDFIELD rnd -20", "HRANDFIELD rnd -20 WITHVALUES",
	"HRANDFIELD rnd -1 withvalues",
	// HSCAN: a listpack hash comes whole, with cursor 0, whatever the cursor
	"HSCAN h 0", "HSCAN h 7", "HSCAN h 0 COUNT 1", "HSCAN h 0 MATCH f*",
	"HSCAN h 0 MATCH f[13]", "HSCAN h 0 match * count 100", "HSCAN h 0 MATCH nomatch",
	"HSCAN h 0 MATCH f* COUNT 2 MATCH *3", "HSCAN bin 0 MATCH *",
	"HSCAN h x", "HSCAN h -1", "HSCAN h 18446744073709551616", "HSCAN h 0 COUNT 0",
	"HSCAN h 0 COUNT -1", "HSCAN h 0 COUNT x", "HSCAN h 0 MATCH", "HSCAN h 0 COUNT",
	"HSCAN h 0 TYPE string", "HSCAN h 0 foo bar", "HSCAN h x COUNT 0",
	// the string key: WRONGTYPE, after the argument checks that come first
	"SET s v",
	"HSET s f v", "HMSET s f v", "HSETNX s f v", "HGET s f", "HMGET s f",
	"HGETALL s", "HDEL s f", "HEXISTS s f", "HLEN s", "HSTRLEN s f",
	"HKEYS s", "HVALS s", "HINCRBY s f 1", "HINCRBY s f x",
	"HINCRBYFLOAT s f 1", "HINCRBYFLOAT s f x", "HINCRBYFLOAT s f inf",
	"HRANDFIELD s", "HRANDFIELD s 1", "HRANDFIELD s 0", "HRANDFIELD s x",
	"HRANDFIELD s 1 WITHVALUES", "HSCAN s 0", "HSCAN s x", "HSCAN s 0 COUNT 0",
	"HSET s f v x",
	// the string commands on a hash
	"GET h", "SET h2 x GET", "APPEND h x", "INCR h", "INCRBY h 1", "DECR h",
	"DECRBY h 1", "INCRBYFLOAT h 1", "STRLEN h", "GETRANGE h 0 1",
	"SETRANGE h 0 x", "GETSET h x", "GETDEL h", "GETEX h", "SETNX h x",
	"MGET h s nokey", "SET h x GET", "HGETALL h",
	// the keyspace commands on hashes
	"TYPE h", "EXISTS h one nokey", "KEYS h*", "SCAN 0 TYPE hash COUNT 1000",
	"DBSIZE", "RENAME h h2", "HGETALL h2", "EXISTS h", "RENAMENX h2 one",
	"COPY h2 h3", "HGETALL h3", "HSET h3 extra 1", "HLEN h2", "HLEN h3",
	"COPY h2 h3", "COPY h2 h3 REPLACE", "HGETALL h3",
	"EXPIRE h2 1000", "TTL h2", "PERSIST h2", "TTL h2", "PEXPIRE h2 100000",
	"PTTL h2", "HSET h2 f1 z", "TTL h2", "HDEL h2 f1 f3 f5 f6 f7", "EXISTS h2",
	"EXPIREAT h3 1", "EXISTS h3", "HGETALL h3",
	"DEL one h2 nokey", "EXISTS one", "SET one str", "HGET one only",
	"HSET h4 a 1", "SET h4 x", "GET h4", "HSET h4 a 1", "DEL h4", "HSET h4 a 1",
	"HGETALL h4", "RENAME s h4", "TYPE h4", "GET h4",
	// the threshold: 128 fields stay a listpack (exact order), 129 do not
	"HSET lp" + hashPairs("field:", 0, 128), "HLEN lp", "HGETALL lp", "OBJECT ENCODING lp",
	"HRANDFIELD lp 128", "HRANDFIELD lp 200 WITHVALUES", "HSCAN lp 0",
	"HSCAN lp 0 MATCH field:12?", "RENAME lp big", "HSET big field:127 again", "OBJECT ENCODING big", "HSET big field:128 v128", "OBJECT ENCODING big",
	"HLEN big", "HGET big field:0", "HGET big field:128", "HMGET big field:5 nofield field:127",
	"HGETALL big", "HKEYS big", "HVALS big", "HRANDFIELD big 1000",
	"HRANDFIELD big 129 WITHVALUES", "HSCAN big 0 COUNT 1000",
	"HSCAN big 0 MATCH field:12? COUNT 1000", "HSET big field:0 changed",
	"HSETNX big field:1 x", "HINCRBY big field:200 3", "HINCRBYFLOAT big field:201 1.5",
	"HEXISTS big field:200", "HSTRLEN big field:201", "HSCAN big 0",
	"HSCAN big 0 COUNT 0", "HSCAN big x", "HSCAN big 0 MATCH",
	"HDEL big" + strings.ReplaceAll(hashPairs("field:", 0, 120), " v", " x"),
	"HLEN big", "HGETALL big", "OBJECT ENCODING big", "COPY big bigcopy", "HGETALL bigcopy", "OBJECT ENCODING bigcopy",
	"HDEL big" + strings.ReplaceAll(hashPairs("field:", 120, 90), " v", " x"),
	"HLEN big", "EXISTS big",
	"HSET rndbig" + hashPairs("f", 0, 300), "HRANDFIELD rndbig", "HRANDFIELD rndbig 5",
	"HRANDFIELD rndbig 250 WITHVALUES", "HRANDFIELD rndbig -5 WITHVALUES",
	// 64-byte fields and values stay a listpack, 65 do not
	"HSET v64 " + strings.Repeat("k", 64) + " " + strings.Repeat("v", 64) + " a b",
	"HGETALL v64", "HSCAN v64 0", "OBJECT ENCODING v64",
	"HSET v65 f " + strings.Repeat("x", 65), "HGETALL v65", "HSCAN v65 0", "OBJECT ENCODING v65",
	"HGET v65 f", "HSTRLEN v65 f", "HRANDFIELD v65 -2 WITHVALUES",
	"HSET k65 " + strings.Repeat("k", 65) + " v", "HGETALL k65", "HKEYS k65", "OBJECT ENCODING k65",
	"HINCRBY i65 " + strings.Repeat("n", 65) + " 1", "HGETALL i65", "OBJECT ENCODING i65",
	"HINCRBYFLOAT g65 x 1e63", "HGETALL g65", "OBJECT ENCODING g65",
	"HSET c3 a 1 b 2 c 3", "HSET c4 a 1 b 2 c 3", "HSET c5 a 1 b 2 c 3", "HSET c6 a 123 b 2",
	// limits lowered by CONFIG: a hash converts on its next write
	"CONFIG SET hash-max-listpack-entries 2", "CONFIG SET hash-max-listpack-value 4",
	"HSET small a 1 b 2", "HGETALL small", "OBJECT ENCODING small", "HSET small c 3",
	"OBJECT ENCODING small", "HLEN small", "HGET small c", "HSET small2 abcd 1234",
	"HGETALL small2", "OBJECT ENCODING small2", "HSET small3 abcde 1", "HGETALL small3",
	"OBJECT ENCODING small3", "HINCRBYFLOAT small4 x 12345", "HGETALL small4",
	"OBJECT ENCODING small4", "HSETNX small5 abcde 1", "HGETALL small5", "OBJECT ENCODING small5",
	// a hash past the lowered limits converts on a write, an update too,
	// not on a read, nor on a write that changes nothing
	"HGET c3 a", "HGETALL c3", "OBJECT ENCODING c3", "HSET c3 a 9", "OBJECT ENCODING c3",
	"HSETNX c4 a 9", "HDEL c4 nofield", "OBJECT ENCODING c4", "HDEL c4 c", "OBJECT ENCODING c4",
	"HINCRBY c5 a 1", "OBJECT ENCODING c5", "HINCRBY c6 a 1", "OBJECT ENCODING c6",
	"CONFIG SET hash-max-listpack-entries 0", "HSET zero a 1", "HGETALL zero",
	"OBJECT ENCODING zero", "HSCAN zero 0", "HDEL zero a", "EXISTS zero",
	"CONFIG SET hash-max-listpack-entries 128", "CONFIG SET hash-max-listpack-value 64",
	// transactions
	"MULTI", "HSET t a 1 b 2", "HINCRBY t a 2", "HINCRBYFLOAT t b 0.5",
	"HGETALL t", "HINCRBY t a x", "HDEL t a", "HLEN t", "EXEC",
	"MULTI", "HSET t a", "HGET t b", "EXEC", "HGETALL t",
	"MULTI", "HSET s f v", "HGET t b", "EXEC",
	"DEL t", "EXISTS t",
	// WATCH: a write to the hash aborts EXEC, a command that changes
	// nothing does not
	"HSET w a 1 n x", "WATCH w", "HSET w a 2", "MULTI", "HGET w a", "EXEC",
	"WATCH w", "HSETNX w a 3", "HDEL w nofield", "HINCRBY w n 1",
	"HINCRBYFLOAT w n 1", "HGET w a", "MULTI", "HGET w a", "EXEC",
	"WATCH w", "HINCRBY w a 1", "MULTI", "HGET w a", "EXEC",
	"WATCH w", "HDEL w a", "MULTI", "HGETALL w", "EXEC",
	"WATCH w", "HDEL w n", "MULTI", "EXISTS w", "EXEC", "EXISTS w",
	"WATCH nowatch", "HINCRBY nowatch n x", "MULTI", "EXISTS nowatch", "EXEC",
}

// hashAllowList relaxes the lines whose replies are legitimately random:
// HRANDFIELD's picks, and the order of a hashtable hash.
var hashAllowList = []allowRule{
	{[]string{"HRANDFIELD", "rnd"}, cmpShape, 0, "random fields"},
	{[]string{"HRANDFIELD", "rndbig"}, cmpShape, 0, "random fields"},
	{[]string{"HRANDFIELD", "big"}, cmpSorted, 0, "a hashtable's order"},
	{[]string{"HGETALL", "big"}, cmpMap, 0, "a hashtable's order"},
	{[]string{"HGETALL", "bigcopy"}, cmpMap, 0, "a hashtable's order"},
	{[]string{"HKEYS", "big"}, cmpSorted, 0, "a hashtable's order"},
	{[]string{"HVALS", "big"}, cmpSorted, 0, "a hashtable's order"},
	{[]string{"HSCAN", "big"}, cmpScan, 0, "a hashtable's buckets"},
	{[]string{"HGETALL", "small"}, cmpMap, 0, "a hashtable's order"},
}

func init() { allowList = append(allowList, hashAllowList...) }

func TestDifferentialHash(t *testing.T) { diffScriptTest(t, hashScript) }
