// The differential test of the sorted set commands.

package remoted_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// zsetAllowList relaxes the comparison of the replies that are random
// (ZRANDMEMBER picking fewer members than the set has) or follow Redis's
// hash table (ZSCAN of a large set). Each rule names its key, so that the
// deterministic lines of the same commands stay exact.
var zsetAllowList = []allowRule{
	{[]string{"ZRANDMEMBER", "zrnd"}, cmpShape, 0, "a random member or sample"},
	{[]string{"ZSCAN", "zbig"}, cmpScan, 0, "a large set's cursor and order are the hash table's"},
	{[]string{"ZSCAN", "zval"}, cmpScan, 0, "a large set's cursor and order are the hash table's"},
}

func init() { allowList = append(allowList, zsetAllowList...) }

// zsetBig returns ZADD lines building key with n members m000... scoring
// their index, each member padded to width bytes (at least 4).
func zsetBig(key string, n, width int) string {
	var b strings.Builder
	b.WriteString("ZADD " + key)
	for i := 0; i < n; i++ {
		m := fmt.Sprintf("m%03d", i)
		m += strings.Repeat("x", max(0, width-len(m)))
		fmt.Fprintf(&b, " %d %s", i%50, m)
	}
	return b.String()
}

var zsetScript = []string{
	"FLUSHALL",
	// ZADD: options, their conflicts and errors
	"ZADD z 1 a 2 b 3 c",
	"ZADD z 1 a",
	"ZADD z CH 10 a 2 b 4 d",
	"ZADD z NX 100 a 5 e",
	"ZADD z XX 100 a 6 f",
	"ZADD z XX CH 1 a 6 f",
	"ZADD z GT 0 a 200 b",
	"ZADD z GT CH 0 a 300 b",
	"ZADD z LT CH 0 a 300 b",
	"ZADD z XX GT CH 5 a 1000 b",
	"ZADD z LT 7 newlt",
	"ZADD z INCR 2.5 a",
	"ZADD z INCR NX 1 a",
	"ZADD z INCR XX 1 nosuch",
	"ZADD z INCR GT -1 a",
	"ZADD z INCR LT -1 a",
	"ZADD z incr gt ch 1 a",
	"ZADD z NX XX 1 a",
	"ZADD z GT LT 1 a",
	"ZADD z NX GT 1 a",
	"ZADD z NX LT 1 a",
	"ZADD z INCR 1 a 2 b",
	"ZADD z 1",
	"ZADD z",
	"ZADD z NX",
	"ZADD z 1 a 2",
	"ZADD z x a",
	"ZADD z nan a",
	"ZADD z 1e400 a",
	"ZADD z 1e-400 a",
	`ZADD z " 1" a`,
	`ZADD z "1 " a`,
	`ZADD z "" a`,
	"ZADD z NX XX x a",
	"ZADD z FOO 1 a",
	"ZADD z 0x10 hex 1e-310 denorm +inf pinf -inf ninf 1.5e3 sci .5 half 5. five",
	"ZADD z INCR -inf pinf",
	"ZADD z INCR inf pinf",
	"ZINCRBY z inf ninf",
	"ZRANGE z 0 -1 WITHSCORES",
	"ZADD nokey XX 1 a",
	"EXISTS nokey",
	"ZADD nokey XX INCR 1 a",
	"ZADD nokey2 INCR 1 a",
	"ZADD nokey3 GT 1 a",
	"ZADD nokey4 NX CH 1 a 2 b",
	"ZRANGE nokey4 0 -1 WITHSCORES",
	// ZINCRBY
	"ZINCRBY z 1 a",
	"ZINCRBY z -1.5 newmember",
	"ZINCRBY z x a",
	"ZINCRBY z nan a",
	"ZINCRBY z 1",
	"ZINCRBY z 1 a b",
	"ZINCRBY zinc 0.1 a",
	"ZINCRBY zinc 0.2 a",
	"ZSCORE zinc a",
	// scores as Redis prints them
	"ZADD sc 0.1 a 1e300 b 1e17 c 4.6e18 d 4.7e18 e -0 f 123456789012345678 g 0.30000000000000004 h 1e-300 i -1.5e-7 j 100 k",
	"ZSCORE sc a",
	"ZSCORE sc b",
	"ZSCORE sc f",
	"ZSCORE sc i",
	"ZMSCORE sc a b c d e f g h i j k nosuch",
	"ZRANGE sc 0 -1 WITHSCORES",
	"ZSCAN sc 0",
	"ZADD sc -0 f2",
	"ZSCORE sc f2",
	// ZREM, ZSCORE, ZMSCORE, ZCARD
	"ZREM z a nosuch b",
	"ZREM z",
	"ZREM nokey a",
	"ZSCORE z c",
	"ZSCORE z nosuch",
	"ZSCORE nokey a",
	"ZSCORE z",
	"ZMSCORE z c nosuch d",
	"ZMSCORE nokey a b",
	"ZMSCORE z",
	"ZCARD z",
	"ZCARD nokey",
	"ZCARD",
	"ZCARD z z",
	"DEL z",
	"ZADD z 1 a 1 b 2 c 3 d 3 e 4 f 5 g",
	// ZCOUNT, ZLEXCOUNT
	"ZCOUNT z -inf +inf",
	"ZCOUNT z 1 3",
	"ZCOUNT z (1 3",
	"ZCOUNT z (1 (3",
	"ZCOUNT z 3 1",
	"ZCOUNT z (3 3",
	"ZCOUNT z ( (",
	`ZCOUNT z "" 10`,
	`ZCOUNT z " 1" 10`,
	"ZCOUNT z 1e400 inf",
	"ZCOUNT z -1e400 1",
	"ZCOUNT z 0x1 0x3",
	"ZCOUNT z a 1",
	"ZCOUNT z 1 nan",
	"ZCOUNT z ((1 2",
	"ZCOUNT z [1 2",
	"ZCOUNT nokey 1 2",
	"ZCOUNT z ( 5",
	"ZCOUNT z -inf (",
	"ZCOUNT z +inf -inf",
	"ZCOUNT z -INF +Infinity",
	"ZCOUNT z 1.0e0 3.00",
	"ZCOUNT z 1 3x",
	"ZCOUNT nokey a 2",
	"ZCOUNT z 1",
	"ZADD lex 0 a 0 b 0 c 0 d 0 e 0 f 0 g 0 aa 0 ab",
	"ZLEXCOUNT lex - +",
	"ZLEXCOUNT lex [a [c",
	"ZLEXCOUNT lex (a [c",
	"ZLEXCOUNT lex (a (c",
	"ZLEXCOUNT lex [c [a",
	"ZLEXCOUNT lex + -",
	"ZLEXCOUNT lex - -",
	"ZLEXCOUNT lex [a +",
	"ZLEXCOUNT lex ( [",
	"ZLEXCOUNT lex a c",
	"ZLEXCOUNT lex [a c",
	"ZLEXCOUNT lex ++ +",
	`ZLEXCOUNT lex "" +`,
	"ZLEXCOUNT nokey - +",
	"ZADD lexe 0 \"\" 0 a",
	"ZLEXCOUNT lexe [ [",
	"ZLEXCOUNT lexe ( [a",
	"ZRANGE lexe [ (a BYLEX",
	"ZRANGE lexe - [ BYLEX",
	"ZLEXCOUNT nokey a b",
	"ZLEXCOUNT lex -",
	// ZRANGE by rank, score, lex; REV; LIMIT; WITHSCORES
	"ZRANGE z 0 -1",
	"ZRANGE z 0 -1 WITHSCORES",
	"ZRANGE z 2 4 withscores",
	"ZRANGE z -3 -1",
	"ZRANGE z -100 100",
	"ZRANGE z 5 2",
	"ZRANGE z 7 10",
	"ZRANGE z -1 -3",
	"ZRANGE z 0 0 REV",
	"ZRANGE z 0 2 REV WITHSCORES",
	"ZRANGE z -2 -1 rev",
	"ZRANGE z 1 3 BYSCORE",
	"ZRANGE z (1 3 BYSCORE WITHSCORES",
	"ZRANGE z -inf +inf BYSCORE LIMIT 1 3",
	"ZRANGE z -inf +inf BYSCORE LIMIT 1 -1",
	"ZRANGE z -inf +inf BYSCORE LIMIT -1 3",
	"ZRANGE z -inf +inf BYSCORE LIMIT 0 0",
	"ZRANGE z -inf +inf BYSCORE LIMIT 7 1",
	"ZRANGE z -inf +inf BYSCORE LIMIT 6 5",
	"ZRANGE z 3 1 BYSCORE REV",
	"ZRANGE z 1 3 BYSCORE REV",
	"ZRANGE z +inf -inf BYSCORE REV LIMIT 1 2 WITHSCORES",
	"ZRANGE z (5 (1 BYSCORE REV",
	"ZRANGE lex [b (e BYLEX",
	"ZRANGE lex - + BYLEX LIMIT 2 3",
	"ZRANGE lex + - BYLEX REV LIMIT 1 2",
	"ZRANGE lex (e [b BYLEX REV",
	"ZRANGE lex [b (e BYLEX WITHSCORES",
	"ZRANGE z 0 1 LIMIT 0 1",
	"ZRANGE z 0 1 BYSCORE BYLEX",
	"ZRANGE z 0 1 BYSCORE BYSCORE",
	"ZRANGE z 0 1 REV REV",
	"ZRANGE z 0 1 LIMIT 0",
	"ZRANGE z 0 1 BYSCORE LIMIT a 1",
	"ZRANGE z 0 1 BYSCORE LIMIT 0 b",
	"ZRANGE z a 1",
	"ZRANGE z 0 1 FOO",
	"ZRANGE z a 1 BYSCORE",
	"ZRANGE z a 1 BYLEX",
	"ZRANGE nokey 0 -1",
	"ZRANGE nokey a b",
	"ZRANGE nokey 0 -1 BYSCORE",
	"ZRANGE z 0",
	"ZRANGE z 0 9223372036854775807",
	"ZRANGE z -9223372036854775808 -1",
	"ZRANGE z 0 99999999999999999999",
	"ZRANGE z -inf +inf BYSCORE LIMIT 9223372036854775807 9223372036854775807",
	"ZRANGE z -inf +inf BYSCORE LIMIT 2 9223372036854775807",
	"ZRANGE z -inf +inf BYSCORE LIMIT 1 2 LIMIT 2 3",
	"ZRANGE z 0 -1 WITHSCORES WITHSCORES",
	"ZRANGE z 0 -1 withscores rev",
	"ZRANGE z 1 3 BYSCORE LIMIT 1",
	// the older forms
	"ZREVRANGE z 0 -1",
	"ZREVRANGE z 0 2 WITHSCORES",
	"ZREVRANGE z 0 2 BYSCORE",
	"ZREVRANGE z 0 2 REV",
	"ZREVRANGE z 0 2 LIMIT 0 1",
	"ZREVRANGE z a 2",
	"ZRANGEBYSCORE z 1 3",
	"ZRANGEBYSCORE z -inf +inf WITHSCORES LIMIT 2 3",
	"ZRANGEBYSCORE z (1 +inf LIMIT 0 2 WITHSCORES",
	"ZRANGEBYSCORE z 1 3 REV",
	"ZRANGEBYSCORE z 1 3 BYLEX",
	"ZRANGEBYSCORE z 1 3 LIMIT 1",
	"ZRANGEBYSCORE z x 3",
	"ZRANGEBYSCORE nokey 1 3",
	"ZREVRANGEBYSCORE z 3 1",
	"ZREVRANGEBYSCORE z 1 3",
	"ZREVRANGEBYSCORE z +inf -inf WITHSCORES LIMIT 1 2",
	"ZREVRANGEBYSCORE z (3 (1",
	"ZRANGEBYLEX lex - +",
	"ZRANGEBYLEX lex [aa (c LIMIT 1 10",
	"ZRANGEBYLEX lex - + WITHSCORES",
	"ZRANGEBYLEX lex a b",
	"ZRANGEBYLEX nokey - +",
	"ZREVRANGEBYLEX lex + -",
	"ZREVRANGEBYLEX lex (c [aa",
	"ZREVRANGEBYLEX lex + - LIMIT 0 3",
	"ZREVRANGEBYLEX lex - +",
	// ZRANGESTORE
	"ZRANGESTORE dst z 0 2",
	"ZRANGE dst 0 -1 WITHSCORES",
	"ZRANGESTORE dst z 2 4 BYSCORE REV",
	"ZRANGESTORE dst z 4 2 BYSCORE REV LIMIT 0 2",
	"ZRANGE dst 0 -1 WITHSCORES",
	"ZRANGESTORE dst lex [b [d BYLEX",
	"ZRANGE dst 0 -1 WITHSCORES",
	"ZRANGESTORE dst z 0 -1 WITHSCORES",
	"ZRANGESTORE dst z 10 20",
	"EXISTS dst",
	"ZRANGESTORE dst z 0 1",
	"ZRANGESTORE dst nokey 0 1",
	"EXISTS dst",
	"SET strdst x",
	"ZRANGESTORE strdst z 0 1",
	"TYPE strdst",
	"ZRANGESTORE dst z 0",
	"ZRANGESTORE dst z a b",
	// ZRANK, ZREVRANK
	"ZRANK z a",
	"ZRANK z g",
	"ZRANK z nosuch",
	"ZRANK nokey a",
	"ZREVRANK z a",
	"ZREVRANK z g",
	"ZREVRANK z nosuch",
	"ZRANK z",
	"ZRANK z a withscore",
	// pops
	"ZPOPMIN z",
	"ZPOPMAX z",
	"ZPOPMIN z 2",
	"ZPOPMAX z 0",
	"ZPOPMIN z -1",
	"ZPOPMIN z x",
	"ZPOPMIN z 1 2",
	"ZPOPMIN nokey",
	"ZPOPMIN nokey 2",
	"ZPOPMAX z 100",
	"ZADD z 1 a 2 b",
	"ZPOPMIN z 9223372036854775807",
	"ZADD z 1 a 2 b",
	"ZPOPMAX z 1",
	"ZPOPMIN z 00",
	"EXISTS z",
	"ZPOPMIN",
	"ZADD m1 1 a 2 b 3 c",
	"ZADD m2 10 x",
	"ZMPOP 2 nokey m1 MIN",
	"ZMPOP 2 nokey m1 MAX COUNT 2",
	"ZMPOP 2 m1 m2 MIN COUNT 10",
	"ZMPOP 2 m1 m2 max count 10",
	"ZMPOP 2 m1 m2 MIN",
	"ZMPOP 0 m1 MIN",
	"ZMPOP -1 m1 MIN",
	"ZMPOP x m1 MIN",
	"ZMPOP 1 m1 FOO",
	"ZMPOP 1 m1 MIN COUNT 0",
	"ZMPOP 1 m1 MIN COUNT -1",
	"ZMPOP 1 m1 MIN COUNT x",
	"ZMPOP 1 m1 MIN COUNT",
	"ZMPOP 1 m1 MIN COUNT 1 COUNT 1",
	"ZMPOP 1 m1 MIN FOO",
	"ZMPOP 3 m1 MIN",
	"ZMPOP 1 m1",
	// blocking pops that need not wait, or time out
	"ZADD bz 1 a 2 b 3 c 4 d 5 e",
	"BZPOPMIN bz 0",
	"BZPOPMAX nokey bz 0",
	"BZPOPMIN nokey 0.01",
	"BZPOPMAX nokey nokey2 0.01",
	"BZPOPMIN bz -1",
	"BZPOPMIN bz x",
	"BZPOPMIN bz inf",
	"BZPOPMIN bz",
	"BZPOPMAX",
	"BZMPOP 0 1 bz MIN",
	"BZMPOP 0 2 nokey bz MAX COUNT 5",
	"EXISTS bz",
	"BZMPOP 0.01 1 nokey MIN COUNT 2",
	"BZMPOP x 1 bz MIN",
	"BZMPOP -1 1 bz MIN",
	"BZMPOP x 0 bz MIN",
	"BZMPOP -1 1 bz FOO",
	"BZMPOP x 1 bz MIN COUNT 0",
	"BZMPOP 0 0 bz MIN",
	"BZMPOP 0 1 bz",
	"BZMPOP 0 3 bz MIN",
	"BZMPOP 0",
	"MULTI",
	"BZPOPMIN nokey 0",
	"BZPOPMAX nokey 0",
	"BZMPOP 0 1 nokey MIN",
	"ZADD bz 1 a",
	"BZPOPMIN bz 0",
	"EXEC",
	// ZRANDMEMBER: deterministic cases exact, random ones on key zrnd
	"ZADD r1 1 a 2 b 3 c",
	"ZRANDMEMBER r1 3",
	"ZRANDMEMBER r1 10 WITHSCORES",
	"ZRANDMEMBER r1 0",
	"ZRANDMEMBER r1 0 WITHSCORES",
	"ZRANDMEMBER nokey",
	"ZRANDMEMBER nokey 5",
	"ZRANDMEMBER nokey -5 WITHSCORES",
	"ZRANDMEMBER r1 x",
	"ZRANDMEMBER r1 1 2",
	"ZRANDMEMBER r1 1 WITHSCORES x",
	"ZRANDMEMBER r1 -9223372036854775808",
	"ZRANDMEMBER r1 9223372036854775807 WITHSCORES",
	"ZRANDMEMBER r1 -9223372036854775807 WITHSCORES",
	"ZADD one 7 only",
	"ZRANDMEMBER one",
	"ZRANDMEMBER one -3 WITHSCORES",
	"ZRANDMEMBER one 1 WITHSCORES",
	"ZADD zrnd 1 a 2 b 3 c 4 d 5 e",
	"ZRANDMEMBER zrnd",
	"ZRANDMEMBER zrnd 2",
	"ZRANDMEMBER zrnd 2 WITHSCORES",
	"ZRANDMEMBER zrnd -7",
	"ZRANDMEMBER zrnd -7 WITHSCORES",
	"ZRANDMEMBER zrnd 1",
	// ZUNION, ZINTER, ZDIFF, their STORE forms, ZINTERCARD
	"DEL u1 u2 u3",
	"ZADD u1 1 a 2 b 3 c",
	"ZADD u2 10 b 20 c 30 d",
	"ZADD u3 0.1 c 0.2 d 0.3 e inf f",
	"ZUNION 2 u1 u2",
	"ZUNION 2 u1 u2 WITHSCORES",
	"ZUNION 3 u1 u2 u3 WITHSCORES",
	"ZUNION 2 u1 u2 WEIGHTS 2 3 WITHSCORES",
	"ZUNION 2 u1 u3 WEIGHTS 1 0 WITHSCORES",
	"ZUNION 2 u1 u2 AGGREGATE MIN WITHSCORES",
	"ZUNION 2 u1 u2 AGGREGATE max WITHSCORES",
	"ZUNION 2 u1 u2 aggregate sum weights 1 -1 withscores",
	"ZUNION 2 u1 nokey WITHSCORES",
	"ZUNION 1 nokey",
	"ZUNION 2 u1 u1 WITHSCORES",
	"ZINTER 2 u1 u2",
	"ZINTER 2 u1 u2 WITHSCORES",
	"ZINTER 3 u1 u2 u3 WITHSCORES",
	"ZINTER 2 u1 u2 WEIGHTS 0.5 2 AGGREGATE MAX WITHSCORES",
	"ZINTER 2 u1 nokey",
	"ZINTER 2 u3 u3 WEIGHTS 1 -1 WITHSCORES",
	"ZINTER 2 u3 u3 WEIGHTS 1 -1 AGGREGATE MIN WITHSCORES",
	"ZDIFF 2 u1 u2",
	"ZDIFF 2 u2 u1 WITHSCORES",
	"ZDIFF 3 u2 u1 u3 WITHSCORES",
	"ZDIFF 2 nokey u1",
	"ZDIFF 1 u1 WITHSCORES",
	"ZDIFF 2 u1 u2 WEIGHTS 1 2",
	"ZDIFF 2 u1 u2 AGGREGATE SUM",
	// the order of the sums: by input length, as Redis
	"ZADD fa 0.1 x",
	"ZADD fb 0.2 x 1 y 2 z",
	"ZADD fc 0.3 x 1 y",
	"ZUNION 3 fb fc fa WITHSCORES",
	"ZINTER 3 fb fc fa WITHSCORES",
	"ZUNION 3 fa fb fc WEIGHTS 1 inf -inf WITHSCORES",
	"ZINTER 3 fa fb fc WEIGHTS 0 inf 1 WITHSCORES",
	"ZADD finf inf x -inf y",
	"ZUNION 2 finf finf WITHSCORES",
	"ZUNION 2 finf finf WEIGHTS 1 -1 WITHSCORES",
	"ZUNION 2 finf finf WEIGHTS 0 1 AGGREGATE MIN WITHSCORES",
	"ZINTER 2 finf finf WEIGHTS 1 -1 AGGREGATE MAX WITHSCORES",
	"ZINTERSTORE fout 2 finf finf WEIGHTS 1 -1",
	"ZRANGE fout 0 -1 WITHSCORES",
	"ZADD zeroes 0 a 1 b",
	"ZUNION 1 zeroes WEIGHTS -1 WITHSCORES",
	"ZUNIONSTORE zz 1 zeroes WEIGHTS -1",
	"ZRANGE zz 0 -1 WITHSCORES",
	"ZUNION 0 u1",
	"ZUNION -1 u1",
	"ZUNION x u1",
	"ZUNION 3 u1 u2",
	"ZUNION 2 u1 u2 WEIGHTS 1",
	"ZUNION 2 u1 u2 WEIGHTS 1 x",
	"ZUNION 2 u1 u2 WEIGHTS 1 nan",
	"ZUNION 2 u1 u2 AGGREGATE avg",
	"ZUNION 2 u1 u2 AGGREGATE",
	"ZUNION 2 u1 u2 FOO",
	"ZUNION 1",
	"ZINTER 0 u1",
	"ZDIFF 0 u1",
	"ZUNIONSTORE out 2 u1 u2",
	"ZRANGE out 0 -1 WITHSCORES",
	"ZUNIONSTORE out 2 u1 u2 WEIGHTS 1 2 AGGREGATE MAX",
	"ZRANGE out 0 -1 WITHSCORES",
	"ZUNIONSTORE out 2 u1 u2 WITHSCORES",
	"ZINTERSTORE out 2 u1 u2",
	"ZRANGE out 0 -1 WITHSCORES",
	"ZINTERSTORE out 2 u1 u2 AGGREGATE MIN WEIGHTS 3 1",
	"ZRANGE out 0 -1 WITHSCORES",
	"ZINTERSTORE out 2 u1 nokey",
	"EXISTS out",
	"ZDIFFSTORE out 2 u2 u1",
	"ZRANGE out 0 -1 WITHSCORES",
	"ZDIFFSTORE out 2 u1 u1",
	"EXISTS out",
	"ZUNIONSTORE u1 2 u1 u2",
	"ZRANGE u1 0 -1 WITHSCORES",
	"ZUNIONSTORE out 0 u1",
	"ZINTERSTORE out 0 u1",
	"ZDIFFSTORE out 0 u1",
	"ZDIFFSTORE out 1",
	"ZINTERCARD 2 u1 u2",
	"ZINTERCARD 2 u1 u2 LIMIT 1",
	"ZINTERCARD 2 u1 u2 LIMIT 0",
	"ZINTERCARD 2 u1 u2 LIMIT 100",
	"ZINTERCARD 1 u1",
	"ZINTERCARD 2 u1 nokey",
	"ZINTERCARD 2 u1 u2 LIMIT -1",
	"ZINTERCARD 2 u1 u2 LIMIT x",
	"ZINTERCARD 2 u1 u2 LIMIT",
	"ZINTERCARD 2 u1 u2 WITHSCORES",
	"ZINTERCARD 2 u1 u2 WEIGHTS 1 1",
	"ZINTERCARD 0 u1",
	"ZINTERCARD 3 u1 u2",
	"ZINTERCARD 1",
	// ZREMRANGEBY*
	"DEL z",
	"ZADD z 1 a 2 b 3 c 4 d 5 e 6 f",
	"ZREMRANGEBYRANK z 0 0",
	"ZREMRANGEBYRANK z -2 -1",
	"ZREMRANGEBYRANK z 5 10",
	"ZREMRANGEBYRANK z 2 1",
	"ZRANGE z 0 -1 WITHSCORES",
	"ZREMRANGEBYRANK z a 1",
	"ZREMRANGEBYRANK nokey 0 1",
	"ZREMRANGEBYSCORE z (2 3",
	"ZREMRANGEBYSCORE z 10 20",
	"ZREMRANGEBYSCORE z x 1",
	"ZREMRANGEBYSCORE nokey 0 1",
	"ZRANGE z 0 -1 WITHSCORES",
	"ZREMRANGEBYSCORE z -inf +inf",
	"EXISTS z",
	"ZREMRANGEBYLEX lex [b (d",
	"ZREMRANGEBYLEX lex (a [aa",
	"ZREMRANGEBYLEX lex x y",
	"ZREMRANGEBYLEX nokey - +",
	"ZRANGE lex 0 -1",
	"ZREMRANGEBYLEX lex - +",
	"EXISTS lex",
	"ZREMRANGEBYRANK z 0",
	// ZSCAN of a compact set: the whole set, in order, cursor 0
	"ZADD zs 1 a 2 b 3 c 1.5 ab -0.5 x",
	"ZSCAN zs 0",
	"ZSCAN zs 0 COUNT 1",
	"ZSCAN zs 0 MATCH a*",
	"ZSCAN zs 5",
	"ZSCAN zs 0 COUNT 0",
	"ZSCAN zs 0 COUNT x",
	"ZSCAN zs 0 MATCH",
	"ZSCAN zs 0 TYPE zset",
	"ZSCAN zs x",
	"ZSCAN nokey 0",
	"ZSCAN zs",
	// WRONGTYPE both ways
	"SET str v",
	"ZADD str 1 a",
	"ZINCRBY str 1 a",
	"ZREM str a",
	"ZSCORE str a",
	"ZMSCORE str a",
	"ZCARD str",
	"ZCOUNT str 0 1",
	"ZLEXCOUNT str - +",
	"ZRANGE str 0 -1",
	"ZRANGESTORE dst str 0 -1",
	"ZRANGESTORE str zs 0 -1",
	"TYPE str",
	"SET str v",
	"ZREVRANGE str 0 -1",
	"ZRANGEBYSCORE str 0 1",
	"ZREVRANGEBYSCORE str 1 0",
	"ZRANGEBYLEX str - +",
	"ZREVRANGEBYLEX str + -",
	"ZRANK str a",
	"ZREVRANK str a",
	"ZPOPMIN str",
	"ZPOPMAX str 2",
	"ZMPOP 2 nokey str MIN",
	"BZPOPMIN nokey str 0",
	"BZPOPMAX str 0",
	"BZMPOP 0 2 nokey str MIN",
	"BZMPOP x 2 nokey str MIN",
	"ZRANDMEMBER str",
	"ZRANDMEMBER str 2",
	"ZUNION 2 zs str",
	"ZINTER 2 str zs",
	"ZDIFF 2 zs str",
	"ZUNIONSTORE out 2 zs str",
	"ZUNIONSTORE str 1 zs",
	"TYPE str",
	"ZRANGE str 0 -1 WITHSCORES",
	"SET str v",
	"ZINTERCARD 2 zs str",
	"ZUNION 2 zs str WEIGHTS x",
	"ZREMRANGEBYRANK str 0 1",
	"ZREMRANGEBYSCORE str 0 1",
	"ZREMRANGEBYLEX str - +",
	"ZSCAN str 0",
	"GET zs",
	"APPEND zs x",
	"INCR zs",
	"SETRANGE zs 0 x",
	"STRLEN zs",
	"GETDEL zs",
	// the keyspace commands on a sorted set
	"TYPE zs",
	"EXISTS zs",
	"RENAME zs zs2",
	"ZRANGE zs2 0 -1 WITHSCORES",
	"COPY zs2 zs3",
	"ZADD zs3 100 new",
	"ZRANGE zs2 0 -1 WITHSCORES",
	"ZRANGE zs3 0 -1 WITHSCORES",
	"EXPIRE zs3 100",
	"TTL zs3",
	"ZADD zs3 5 other",
	"TTL zs3",
	"ZUNIONSTORE zs3 1 zs2",
	"TTL zs3",
	"DEL zs2 zs3",
	"EXISTS zs2 zs3",
	"SET s2 x",
	"ZADD s3 1 a",
	"RENAME s3 s2",
	"TYPE s2",
	// MULTI/EXEC
	"MULTI",
	"ZADD tx 1 a 2 b",
	"ZINCRBY tx 5 a",
	"ZRANGE tx 0 -1 WITHSCORES",
	"ZPOPMIN tx",
	"ZADD tx x a",
	"ZCARD tx",
	"EXEC",
	"MULTI",
	"ZADD tx",
	"ZCARD tx",
	"EXEC",
	// the representation's thresholds: 128 members, 64 bytes
	zsetBig("zl", 128, 4),
	"ZCARD zl",
	"ZADD zl 0.5 extra",
	"ZCARD zl",
	"ZRANGE zl 0 10 WITHSCORES",
	"ZRANGE zl -5 -1 WITHSCORES",
	"ZRANGE zl 10 20 BYSCORE LIMIT 3 5 WITHSCORES",
	"ZRANGE zl 10 20 BYSCORE REV LIMIT 3 5 WITHSCORES",
	"ZRANK zl m100",
	"ZREVRANK zl m100",
	"ZCOUNT zl 5 (9",
	"ZREM zl extra m000 m001",
	"ZRANGE zl 0 5",
	"ZPOPMIN zl 3",
	"ZPOPMAX zl 3",
	"ZREMRANGEBYRANK zl 10 20",
	"ZREMRANGEBYSCORE zl 40 45",
	"ZCARD zl",
	"ZRANGE zl 0 -1 WITHSCORES",
	"ZMPOP 1 zl MAX COUNT 2",
	zsetBig("zv", 3, 64),
	"ZRANGE zv 0 -1 WITHSCORES",
	"ZADD zv 1.5 " + strings.Repeat("v", 65),
	"ZRANGE zv 0 -1 WITHSCORES",
	"ZRANK zv " + strings.Repeat("v", 65),
	"ZREM zv " + strings.Repeat("v", 65),
	"ZRANGE zv 0 -1",
	zsetBig("zbig", 200, 10),
	"ZCARD zbig",
	"ZSCAN zbig 0 COUNT 1000",
	"ZSCAN zbig 0 COUNT 1000 MATCH m1*",
	"ZSCAN zbig 0 COUNT 5",
	"ZRANGE zbig 0 -1 WITHSCORES",
	"ZRANGE zbig 0 -1 REV",
	"ZRANGEBYSCORE zbig (10 20 LIMIT 5 7 WITHSCORES",
	"ZREVRANGEBYSCORE zbig 20 (10 LIMIT 5 7",
	"ZRANK zbig m150xxxxxx",
	"ZREVRANK zbig m150xxxxxx",
	"ZSCORE zbig m150xxxxxx",
	"ZINCRBY zbig 100 m150xxxxxx",
	"ZRANK zbig m150xxxxxx",
	"ZUNIONSTORE zsm 1 zbig",
	"ZINTER 2 zbig zl WITHSCORES",
	"ZDIFF 2 zbig zl",
	"ZINTERCARD 2 zbig zl",
	"ZUNION 2 zbig zl WEIGHTS 1 2 WITHSCORES",
	"ZRANGESTORE zsm zbig 0 9",
	"ZRANGE zsm 0 -1 WITHSCORES",
	"ZREMRANGEBYRANK zbig 0 149",
	"ZCARD zbig",
	"ZRANGE zbig 0 -1 WITHSCORES",
	"ZPOPMIN zbig 5",
	"ZMPOP 1 zbig MAX COUNT 3",
	"ZREMRANGEBYSCORE zbig -inf 30",
	"ZRANGE zbig 0 -1 WITHSCORES",
	"ZRANDMEMBER zbig 1000 WITHSCORES",
	"ZADD lexbig 0 x " + strings.Repeat("a", 70) + " 0 b 0 c",
	"ZRANGE lexbig - + BYLEX",
	"ZRANGE lexbig [b + BYLEX",
	"ZLEXCOUNT lexbig (b +",
	"ZREMRANGEBYLEX lexbig [b [c",
	"ZRANGE lexbig 0 -1",
	"CONFIG SET zset-max-listpack-entries 0",
	"ZADD zero 1 a 2 b",
	"ZRANGE zero 0 -1 WITHSCORES",
	"ZADD zero -0 negzero",
	"ZSCORE zero negzero",
	"CONFIG SET zset-max-listpack-entries 128",
	"CONFIG SET zset-max-listpack-value 0",
	"ZADD zval 1 \"\" 2 a 0 b",
	"ZRANGE zval 0 -1 WITHSCORES",
	"ZSCAN zval 0",
	"ZRANGEBYLEX zval - +",
	"CONFIG SET zset-max-listpack-value 64",
	"FLUSHALL",
}

func TestDifferentialZset(t *testing.T) { diffScriptTest(t, zsetScript) }

// zsetRandomScript returns n random sorted set commands from seed, on a
// few keys and members, with scores whose sums are exact (so that the
// order of additions cannot matter) and no random or hash-ordered reply
// (no ZRANDMEMBER, no ZSCAN). With small, zset-max-listpack-entries is 4
// so that most sets take the large form.
func zsetRandomScript(seed uint64, n int, small bool) []string {
	r := rand.New(rand.NewPCG(seed, 11))
	pick := func(xs ...string) string { return xs[r.IntN(len(xs))] }
	keys := []string{"ra", "rb", "rc", "nokey"}
	key := func() string { return pick(keys...) }
	member := func() string { return fmt.Sprint("m", r.IntN(12)) }
	score := func() string { return pick("-2", "-1", "0", "0.5", "1", "1.5", "2", "3", "10", "100") }
	bound := func() string { return pick("", "(") + score() }
	lexb := func() string {
		if r.IntN(5) == 0 {
			return pick("-", "+")
		}
		return pick("[", "(") + member()
	}
	idx := func() string { return fmt.Sprint(r.IntN(16) - 8) }
	script := []string{"FLUSHALL"}
	if small {
		script = append(script, "CONFIG SET zset-max-listpack-entries 4")
	}
	for range n {
		var cmd string
		switch r.IntN(26) {
		case 0, 1, 2, 22, 23, 24, 25:
			var b strings.Builder
			b.WriteString("ZADD " + key())
			for _, f := range []string{"NX", "XX", "GT", "LT", "CH"} {
				if r.IntN(6) == 0 {
					b.WriteString(" " + f)
				}
			}
			for range 1 + r.IntN(4) {
				b.WriteString(" " + score() + " " + member())
			}
			cmd = b.String()
		case 3:
			cmd = "ZINCRBY " + key() + " " + score() + " " + member()
		case 4:
			cmd = "ZREM " + key() + " " + member() + " " + member()
		case 5:
			cmd = "ZRANGE " + key() + " " + idx() + " " + idx() + pick("", " REV") + pick("", " WITHSCORES")
		case 6:
			cmd = "ZRANGE " + key() + " " + bound() + " " + bound() + " BYSCORE" + pick("", " REV") +
				pick("", " LIMIT "+fmt.Sprint(r.IntN(4))+" "+fmt.Sprint(r.IntN(5)-1)) + pick("", " WITHSCORES")
		case 7:
			cmd = "ZRANGE zlex " + lexb() + " " + lexb() + " BYLEX" + pick("", " REV") +
				pick("", " LIMIT "+fmt.Sprint(r.IntN(4))+" "+fmt.Sprint(r.IntN(5)-1))
		case 8:
			cmd = "ZADD zlex 0 " + member() + " 0 " + member()
		case 9:
			cmd = pick("ZCOUNT ", "ZREMRANGEBYSCORE ") + key() + " " + bound() + " " + bound()
		case 10:
			cmd = pick("ZLEXCOUNT", "ZREMRANGEBYLEX") + " zlex " + lexb() + " " + lexb()
		case 11:
			cmd = pick("ZRANK ", "ZREVRANK ", "ZSCORE ") + key() + " " + member()
		case 12:
			cmd = "ZMSCORE " + key() + " " + member() + " " + member()
		case 13:
			cmd = pick("ZPOPMIN ", "ZPOPMAX ") + key() + pick("", " "+fmt.Sprint(r.IntN(4)))
		case 14:
			cmd = "ZMPOP 2 " + key() + " " + key() + pick(" MIN", " MAX") + pick("", " COUNT "+fmt.Sprint(1+r.IntN(3)))
		case 15, 16:
			op := pick("ZUNION", "ZINTER", "ZDIFF")
			store := r.IntN(2) == 0
			cmd = op
			if store {
				cmd += "STORE " + key()
			}
			cmd += " 2 " + key() + " " + key()
			if op != "ZDIFF" {
				if r.IntN(2) == 0 {
					cmd += " WEIGHTS " + pick("1", "2", "0.5", "-1", "0") + " " + pick("1", "2", "0.5", "-1", "0")
				}
				cmd += pick("", " AGGREGATE SUM", " AGGREGATE MIN", " AGGREGATE MAX")
			}
			if !store {
				cmd += pick("", " WITHSCORES")
			}
		case 17:
			cmd = "ZINTERCARD 2 " + key() + " " + key() + pick("", " LIMIT "+fmt.Sprint(r.IntN(3)))
		case 18:
			cmd = "ZREMRANGEBYRANK " + key() + " " + idx() + " " + idx()
		case 19:
			cmd = "ZRANGESTORE " + key() + " " + key() + " " + idx() + " " + idx()
		case 20:
			cmd = "ZCARD " + key()
		case 21:
			cmd = "ZRANGE " + key() + " 0 -1 WITHSCORES"
		}
		script = append(script, cmd)
	}
	if small {
		script = append(script, "CONFIG SET zset-max-listpack-entries 128")
	}
	return script
}

// TestDifferentialZsetRandom runs random sorted set scripts, in the
// compact form and mostly in the large one.
func TestDifferentialZsetRandom(t *testing.T) {
	var script []string
	script = append(script, zsetRandomScript(1, 300, false)...)
	script = append(script, zsetRandomScript(2, 300, true)...)
	diffScriptTest(t, script)
}
