package remoted_test

import (
	"fmt"
	"testing"
)

// typesScript sets one key of each type and runs every type's commands
// against every other type's key: WRONGTYPE wherever Redis gives it, and
// the commands that accept several types (TYPE, OBJECT ENCODING, SCAN's
// TYPE filter, RENAME, COPY, SORT, the STORE commands writing over any type,
// and sets given to the sorted-set operations, whose members count with
// score 1).
var typesScript = typesLines()

// typeKeys are the script's keys, one of each type, and how to make them.
var typeKeys = []struct{ key, make string }{
	{"t:str", "SET t:str 12"},
	{"t:hash", "HSET t:hash f 1 g 2"},
	{"t:list", "RPUSH t:list a b c"},
	{"t:set", "SADD t:set 1 2 3"},
	{"t:bigset", "SADD t:bigset a b c"},
	{"t:zset", "ZADD t:zset 1 a 2 b"},
}

// typeProbes are commands of each type, with %s for the key.
var typeProbes = []string{
	"GET %s", "APPEND %s x", "INCR %s", "STRLEN %s", "SETRANGE %s 0 x", "GETDEL %s",
	"HGET %s f", "HSET %s f v", "HLEN %s", "HGETALL %s", "HINCRBY %s f 1", "HSCAN %s 0",
	"LPUSH %s x", "LLEN %s", "LRANGE %s 0 -1", "LINDEX %s 0", "LPOS %s a", "LMOVE %s t:dst LEFT LEFT", "BLPOP %s 0.01",
	"SADD %s m", "SCARD %s", "SISMEMBER %s 1", "SINTERCARD 1 %s", "SMOVE %s t:dst 1", "SSCAN %s 0",
	"ZADD %s 1 m", "ZCARD %s", "ZSCORE %s a", "ZRANGE %s 0 -1 WITHSCORES", "ZRANK %s a", "BZPOPMIN %s 0.01",
	"ZUNION 1 %s WITHSCORES", "ZINTER 2 %s t:zset WITHSCORES", "ZDIFF 2 t:zset %s WITHSCORES", "ZINTERCARD 1 %s",
	"SORT %s ALPHA", "SORT_RO %s ALPHA DESC LIMIT 0 2", "SORT t:list ALPHA STORE %s",
	"TYPE %s", "OBJECT ENCODING %s", "EXISTS %s",
}

func typesLines() []string {
	lines := []string{"FLUSHALL", "CONFIG SET set-max-intset-entries 512"}
	reset := func() {
		lines = append(lines, "DEL t:str t:hash t:list t:set t:bigset t:zset t:dst")
		for _, k := range typeKeys {
			lines = append(lines, k.make)
		}
	}
	reset()
	for _, k := range typeKeys {
		for _, p := range typeProbes {
			lines = append(lines, fmt.Sprintf(p, k.key))
			reset() // a probe that worked changed the key, or made t:dst
		}
	}
	lines = append(lines,
		"SCAN 0 TYPE hash", "SCAN 0 TYPE list", "SCAN 0 TYPE set", "SCAN 0 TYPE zset", "SCAN 0 TYPE string",
		// Sets (an intset and a hash table) as sorted-set inputs.
		"ZUNIONSTORE t:out 3 t:set t:bigset t:zset WEIGHTS 1 2 3",
		"ZRANGE t:out 0 -1 WITHSCORES",
		"ZINTERSTORE t:out 2 t:set t:zset",
		"ZADD t:z2 5 1 6 a",
		"ZINTER 2 t:set t:z2 WITHSCORES AGGREGATE MAX",
		"ZDIFF 2 t:set t:z2 WITHSCORES",
		"ZUNION 2 t:bigset t:z2 WITHSCORES AGGREGATE MIN",
		"ZUNION 2 t:hash t:z2",
		"ZUNION 2 t:list t:z2",
		// STORE commands write over a key of any type.
		"SINTERSTORE t:hash t:set",
		"TYPE t:hash",
		"SUNIONSTORE t:list t:set t:bigset",
		"TYPE t:list",
		"ZUNIONSTORE t:str 1 t:zset",
		"TYPE t:str",
		"ZRANGESTORE t:set t:zset 0 -1",
		"TYPE t:set",
		"LMOVE t:list t:zset LEFT LEFT",
		"SMOVE t:bigset t:zset a",
		"RENAME t:zset t:hash",
		"TYPE t:hash",
		"COPY t:hash t:list REPLACE",
		"ZRANGE t:list 0 -1 WITHSCORES",
		"OBJECT ENCODING t:list",
	)
	return lines
}

// TestDifferentialTypes runs typesScript against redis-server and
// remoted.
func TestDifferentialTypes(t *testing.T) { diffScriptTest(t, typesScript) }

func init() {
	allowList = append(allowList, allowRule{[]string{"SSCAN", "t:bigset"}, cmpScan, 0, "a set's hash table: its order is the table's"})
}
