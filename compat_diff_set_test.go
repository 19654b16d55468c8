package remoted_test

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

// setHashtableKeys are the script's sets that are hash tables when a
// command lists them: their order is Redis's dict's, which remoted does
// not reproduce, so listing them is compared sorted. Every other set in
// the script is an intset (or a result built as one), whose members Redis
// lists in ascending order, and is compared byte for byte.
var setHashtableKeys = []string{"hs", "bin", "h1", "h2", "nc", "big", "x4", "z0", "hd", "hcopy"}

// setIntHashtableKeys are hash tables of a few integers: listed as they
// are, they come in dict order; SUNION, SDIFF and SPOP of the whole set
// copy them into a new set first, an intset, so those list them sorted,
// compared byte for byte.
var setIntHashtableKeys = []string{"bi"}

// setRandomKeys are the sets the script draws random members from: only
// the replies' shapes (types, counts) are compared, and each is deleted
// after its draws, since they leave the two servers' sets different.
var setRandomKeys = []string{"r", "rh"}

// setAllowList relaxes only the lines that list a hash table's members
// (SMEMBERS and kin name it first) or draw random members.
var setAllowList = func() []allowRule {
	var rules []allowRule
	for _, key := range setHashtableKeys {
		for _, cmd := range []string{"SMEMBERS", "SINTER", "SUNION", "SDIFF", "SRANDMEMBER", "SPOP"} {
			rules = append(rules, allowRule{[]string{cmd, key}, cmpSorted, 0, "a hash table set lists its members in Redis's dict order"})
		}
		rules = append(rules, allowRule{[]string{"SSCAN", key}, cmpScan, 0, "a hash table set's scan follows Redis's dict"})
	}
	for _, key := range setRandomKeys {
		for _, cmd := range []string{"SRANDMEMBER", "SPOP"} {
			rules = append(rules, allowRule{[]string{cmd, key}, cmpShape, 0, "random members"})
		}
	}
	for _, key := range setIntHashtableKeys {
		for _, cmd := range []string{"SMEMBERS", "SINTER", "SRANDMEMBER"} {
			rules = append(rules, allowRule{[]string{cmd, key}, cmpSorted, 0, "a hash table set lists its members in Redis's dict order"})
		}
		rules = append(rules, allowRule{[]string{"SSCAN", key}, cmpScan, 0, "a hash table set's scan follows Redis's dict"})
	}
	return rules
}()

func init() { allowList = append(allowList, setAllowList...) }

// setSeq returns the command line prefix followed by the integers from
// lo to hi-1.
func setSeq(prefix string, lo, hi int) string {
	var b strings.Builder
	b.WriteString(prefix)
	for i := lo; i < hi; i++ {
		b.WriteByte(' ')
		b.WriteString(strconv.Itoa(i))
	}
	return b.String()
}

// setScript is the differential script of the set commands.
var setScript = []string{
	"FLUSHALL",
	// SADD, SCARD, SMEMBERS, SISMEMBER, SMISMEMBER on an intset
	"SADD s 3 1 2",
	"SADD s 2 3 4",
	"SADD s 1",
	"SCARD s",
	"SMEMBERS s",
	"SISMEMBER s 1",
	"SISMEMBER s 5",
	"SISMEMBER s 01",
	"SISMEMBER s abc",
	"SMISMEMBER s 1 5 2 x 01",
	"SMISMEMBER nosuch 1 2",
	"SCARD nosuch",
	"SMEMBERS nosuch",
	"SISMEMBER nosuch 1",
	"TYPE s",
	// widths of the intset: int16, int32, int64, and the edges of int64
	"SADD w 1 -1 32767 -32768 0",
	"SMEMBERS w",
	"SADD w 32768 -32769",
	"SMEMBERS w",
	"SADD w 2147483648 -2147483649 9223372036854775807 -9223372036854775808",
	"SMEMBERS w",
	"SISMEMBER w 9223372036854775807",
	"SISMEMBER w -9223372036854775808",
	"SISMEMBER w 9223372036854775808",
	"SREM w 9223372036854775807 -9223372036854775808 0",
	"SMEMBERS w",
	"SCARD w",
	// what is not an integer: the set becomes a hash table
	"SADD nc 1 2",
	"SADD nc 01",
	"SADD nc +1 -0 \" 1\" \"1 \" 1.0 1e3 \"\" 9223372036854775808 -9223372036854775809",
	"SCARD nc",
	"SMEMBERS nc",
	"SISMEMBER nc 1",
	"SISMEMBER nc 01",
	"SISMEMBER nc -0",
	"SISMEMBER nc 0",
	"SISMEMBER nc \"\"",
	"SMISMEMBER nc 1 01 +1 x",
	"SREM nc 01 +1 nope",
	"SCARD nc",
	// hash tables
	"SADD hs a b c 1 2",
	"SADD hs a d",
	"SCARD hs",
	"SMEMBERS hs",
	"SISMEMBER hs a",
	"SISMEMBER hs 1",
	"SISMEMBER hs z",
	"SMISMEMBER hs a z 1 3",
	"SREM hs a z 1",
	"SMEMBERS hs",
	"SRANDMEMBER hs 100",
	"SRANDMEMBER hs 5",
	"SSCAN hs 0",
	"SSCAN hs 0 COUNT 100",
	"SSCAN hs 0 MATCH b* COUNT 100",
	"SSCAN hs 0 COUNT 1",
	// members of any bytes: empty, spaces, CR LF, long, binary
	"SADD bin \"\" \"a b\" \"line\\r\\nbreak\" 0123456789012345678901234567890123456789 \"\\x00\\xff\"",
	"SCARD bin",
	"SISMEMBER bin \"\"",
	"SISMEMBER bin \"line\\r\\nbreak\"",
	"SISMEMBER bin \"\\x00\\xff\"",
	"SMISMEMBER bin 0123456789012345678901234567890123456789 012345678901234567890123456789012345678",
	"SMEMBERS bin",
	"SREM bin \"\" \"a b\"",
	"SMEMBERS bin",
	"SSCAN bin 0 MATCH *break",
	"SSCAN s 0 MATCH nothing*",
	"SMOVE bin hs \"\\x00\\xff\"",
	"SISMEMBER hs \"\\x00\\xff\"",
	"SREM hs \"\\x00\\xff\"",
	// SREM, deleting the set when empty
	"SADD e 1 2 x",
	"SREM e 1 nope",
	"SREM e 2 x",
	"EXISTS e",
	"SREM e 1",
	"SREM nosuch 1",
	"SADD e2 5",
	"SREM e2 5 5 6",
	"EXISTS e2",
	// single-member sets are deterministic under SRANDMEMBER and SPOP
	"SADD one 7",
	"SRANDMEMBER one",
	"SRANDMEMBER one 1",
	"SRANDMEMBER one -5",
	"SRANDMEMBER one 0",
	"SRANDMEMBER one 3",
	"SRANDMEMBER one 9223372036854775807",
	"SRANDMEMBER one -1",
	"SADD onex x",
	"SRANDMEMBER onex -3",
	"SRANDMEMBER onex",
	"SPOP onex",
	"EXISTS onex",
	"SPOP one",
	"EXISTS one",
	"SPOP nosuch",
	"SPOP nosuch 3",
	"SPOP nosuch 0",
	"SRANDMEMBER nosuch",
	"SRANDMEMBER nosuch 3",
	"SRANDMEMBER nosuch -3",
	"SRANDMEMBER nosuch 0",
	// SRANDMEMBER and SPOP with counts reaching the whole set
	"SADD p 5 3 9 1",
	"SRANDMEMBER p 4",
	"SRANDMEMBER p 10",
	"SPOP p 0",
	"SCARD p",
	"SPOP p 4",
	"EXISTS p",
	"SADD p 5 3 9 1",
	"SPOP p 100",
	"EXISTS p",
	// random draws: shapes only, then the sets are dropped
	"SADD r 1 2 3 4 5 6 7 8 9 10",
	"SRANDMEMBER r",
	"SRANDMEMBER r 1",
	"SRANDMEMBER r 3",
	"SRANDMEMBER r 8",
	"SRANDMEMBER r -20",
	"SPOP r",
	"SCARD r",
	"SPOP r 2",
	"SCARD r",
	"SPOP r 6",
	"SCARD r",
	"SPOP r 1",
	"SPOP r 5",
	"EXISTS r",
	"SADD rh a b c d e f g h i j",
	"SRANDMEMBER rh",
	"SRANDMEMBER rh 2",
	"SRANDMEMBER rh 9",
	"SRANDMEMBER rh -15",
	"SPOP rh",
	"SPOP rh 3",
	"SPOP rh 5",
	"SCARD rh",
	"DEL rh",
	// count errors
	"SPOP s -1",
	"SPOP s abc",
	"SPOP s 1.5",
	"SPOP s \"\"",
	"SPOP s 9223372036854775808",
	"SPOP nosuch -1",
	"SPOP s 1 2",
	"SRANDMEMBER s abc",
	"SRANDMEMBER s 1.5",
	"SRANDMEMBER s -9223372036854775808",
	"SRANDMEMBER s 9223372036854775808",
	"SRANDMEMBER nosuch abc",
	"SRANDMEMBER s 1 2",
	"SMEMBERS s",
	// SMOVE
	"SADD m1 1 2 3",
	"SADD m2 3 4",
	"SMOVE m1 m2 1",
	"SMEMBERS m1",
	"SMEMBERS m2",
	"SMOVE m1 m2 3",
	"SMEMBERS m1",
	"SMEMBERS m2",
	"SMOVE m1 m2 9",
	"SMOVE m1 m1 2",
	"SMOVE m1 m1 9",
	"SMOVE m1 m3 2",
	"EXISTS m1",
	"SMEMBERS m3",
	"SMOVE nosuch m2 1",
	"SADD m4 a",
	"SMOVE m4 m2 a",
	"EXISTS m4",
	"SISMEMBER m2 a",
	"SCARD m2",
	"SMOVE m2 m5 a",
	"SMEMBERS m5",
	// SINTER, SINTERCARD, SINTERSTORE
	"SADD i1 1 2 3 4 5 6",
	"SADD i2 6 5 4 9",
	"SADD i3 4 6 8",
	"SINTER i1 i2",
	"SINTER i1 i2 i3",
	"SINTER i1",
	"SINTER i1 i1",
	"SINTER i1 nosuch",
	"SINTER nosuch i1",
	"SINTERCARD 2 i1 i2",
	"SINTERCARD 3 i1 i2 i3",
	"SINTERCARD 1 i1",
	"SINTERCARD 2 i1 i2 LIMIT 0",
	"SINTERCARD 2 i1 i2 LIMIT 1",
	"SINTERCARD 2 i1 i2 LIMIT 2",
	"SINTERCARD 2 i1 i2 LIMIT 100",
	"SINTERCARD 2 i1 i2 limit 5 LIMIT 1",
	"SINTERCARD 2 i1 nosuch",
	"SINTERCARD 1 nosuch",
	"SINTERCARD 0 i1",
	"SINTERCARD -1 i1",
	"SINTERCARD abc i1",
	"SINTERCARD 9223372036854775808 i1",
	"SINTERCARD 3 i1 i2",
	"SINTERCARD 2 i1 i2 LIMIT",
	"SINTERCARD 2 i1 i2 LIMIT -1",
	"SINTERCARD 2 i1 i2 LIMIT abc",
	"SINTERCARD 2 i1 i2 FOO 1",
	"SINTERCARD 1 i1 i2",
	"SINTERCARD 1",
	"SINTERSTORE d i1 i2",
	"SMEMBERS d",
	"SINTERSTORE d i1 i2 i3",
	"SMEMBERS d",
	"SINTERSTORE d i1 nosuch",
	"EXISTS d",
	"SINTERSTORE d i1 nosuch",
	"SINTERSTORE i1 i1 i2",
	"SMEMBERS i1",
	"SADD h1 x 4 5 6 y",
	"SADD h2 1 4 z 6",
	"SINTER i1 h1",
	"SINTER h1 h2",
	"SINTER h2 i1",
	// sets of equal size are walked in argument order (a stable sort)
	"SINTER i2 h2",
	"SINTER h2 i2",
	"SINTERCARD 2 h1 h2",
	"SINTERSTORE d h1 h2",
	"SMEMBERS d",
	"SINTERSTORE d h1 h2 nosuch",
	"EXISTS d",
	// SUNION, SUNIONSTORE
	"SADD u1 5 1 3",
	"SADD u2 2 4 1",
	"SUNION u1 u2",
	"SUNION u1 nosuch u2",
	"SUNION nosuch",
	"SUNION u1",
	"SUNIONSTORE d u1 u2",
	"SMEMBERS d",
	"SUNIONSTORE d nosuch",
	"EXISTS d",
	"SUNIONSTORE u1 u1 u2",
	"SMEMBERS u1",
	"SUNION h2 u1",
	"SUNIONSTORE d u1 h2",
	"SCARD d",
	"SISMEMBER d z",
	// SDIFF, SDIFFSTORE
	"SADD d1 1 2 3 4 5",
	"SADD d2 2 4",
	"SADD d3 5 6",
	"SDIFF d1 d2",
	"SDIFF d1 d2 d3",
	"SDIFF d1 nosuch",
	"SDIFF nosuch d1",
	"SDIFF d1 d1",
	"SDIFF d1 d2 d1",
	"SDIFF d1",
	"SDIFFSTORE d d1 d2 d3",
	"SMEMBERS d",
	"SDIFFSTORE d d1 d1",
	"EXISTS d",
	"SDIFFSTORE d1 d1 d3",
	"SMEMBERS d1",
	"SADD hd a 1 2 3",
	"SADD one1 a",
	"SADD one2 b",
	"SADD one3 c",
	"SADD one4 d",
	"SADD one5 e",
	"SDIFF hd one1",
	"SDIFF hd one1 one2 one3 one4 one5",
	"SDIFFSTORE dd hd one1 one2 one3 one4 one5",
	"SCARD dd",
	"SDIFF d1 hd",
	// SSCAN
	"SSCAN s 0",
	"SSCAN s 0 COUNT 1",
	"SSCAN s 0 MATCH 2*",
	"SSCAN s 0 match *",
	"SSCAN s 7 COUNT 1",
	"SSCAN w 0 MATCH -*",
	"SSCAN nosuch 0",
	"SSCAN nosuch 0 COUNT 0",
	"SSCAN nosuch abc",
	"SSCAN s abc",
	"SSCAN s -1",
	"SSCAN s 0 COUNT 0",
	"SSCAN s 0 COUNT -1",
	"SSCAN s 0 COUNT abc",
	"SSCAN s 0 MATCH",
	"SSCAN s 0 TYPE set",
	"SSCAN s 0 FOO bar",
	// arity
	"SADD s",
	"SADD",
	"SREM s",
	"SMEMBERS",
	"SMEMBERS s t",
	"SISMEMBER s",
	"SISMEMBER s 1 2",
	"SMISMEMBER s",
	"SCARD",
	"SCARD s t",
	"SPOP",
	"SRANDMEMBER",
	"SMOVE a b",
	"SMOVE a b c d",
	"SINTER",
	"SINTERCARD",
	"SINTERSTORE d",
	"SUNION",
	"SUNIONSTORE d",
	"SDIFF",
	"SDIFFSTORE d",
	"SSCAN s",
	"SSCAN",
	// WRONGTYPE: set commands on a string
	"SET str hello",
	"SADD str x",
	"SREM str x",
	"SMEMBERS str",
	"SISMEMBER str x",
	"SMISMEMBER str x y",
	"SCARD str",
	"SPOP str",
	"SPOP str 2",
	"SPOP str 0",
	"SPOP str -1",
	"SRANDMEMBER str",
	"SRANDMEMBER str 2",
	"SRANDMEMBER str 0",
	"SRANDMEMBER str abc",
	"SMOVE str s x",
	"SMOVE s str x",
	"SMOVE s str 1",
	"SMOVE nosuch str x",
	"SINTER s str",
	"SINTER nosuch str",
	"SINTER str nosuch",
	"SINTERCARD 2 s str",
	"SINTERSTORE d s str",
	"SUNION s str",
	"SUNIONSTORE d str",
	"SDIFF nosuch str",
	"SDIFF s str",
	"SDIFFSTORE d s str",
	"SSCAN str 0",
	"SSCAN str abc",
	"GET str",
	// string and key commands on a set
	"GET s",
	"APPEND s x",
	"INCR s",
	"INCRBY s 2",
	"DECR s",
	"INCRBYFLOAT s 1.5",
	"STRLEN s",
	"GETRANGE s 0 1",
	"SETRANGE s 0 x",
	"GETSET s x",
	"GETDEL s",
	"GETEX s",
	"MGET s str nosuch",
	"SETNX s x",
	"MSETNX s x z y",
	"TYPE s",
	"TYPE hs",
	"EXISTS s hs nosuch",
	"SMEMBERS s",
	// a STORE replaces a key of any type, and its expiry
	"SET dst x EX 1000",
	"SINTERSTORE dst i2 i3",
	"TYPE dst",
	"TTL dst",
	"SMEMBERS dst",
	"SET dst x",
	"SUNIONSTORE dst u2",
	"SMEMBERS dst",
	"SET dst x",
	"SDIFFSTORE dst d1 d2",
	"SMEMBERS dst",
	"SET dst x",
	"SDIFFSTORE dst nosuch",
	"EXISTS dst",
	// keys holding sets: RENAME, COPY, EXPIRE, DEL, SET over a set
	"SADD k 3 1 2",
	"EXPIRE k 1000",
	"TTL k",
	"SADD k 4",
	"TTL k",
	"SREM k 4",
	"TTL k",
	"PERSIST k",
	"TTL k",
	"RENAME k k2",
	"SMEMBERS k2",
	"EXISTS k",
	"COPY k2 k3",
	"SADD k3 9",
	"SMEMBERS k2",
	"SMEMBERS k3",
	"COPY hs hcopy",
	"SMEMBERS hcopy",
	"SADD hcopy q",
	"SCARD hs",
	"SCARD hcopy",
	"COPY k2 k3",
	"COPY k2 k3 REPLACE",
	"SMEMBERS k3",
	"RENAMENX k2 k3",
	"RENAME k2 str2",
	"TYPE str2",
	"SET str2 plain",
	"TYPE str2",
	"SADD str2 x",
	"DEL k3 str2 nosuch",
	"EXISTS k3",
	"SADD gone 1",
	"PEXPIREAT gone 1",
	"EXISTS gone",
	"SCARD gone",
	// MULTI/EXEC
	"MULTI",
	"SADD t 3 1 2",
	"SREM t 2",
	"SMEMBERS t",
	"SISMEMBER t 1",
	"SINTER t s",
	"SUNION t s",
	"SPOP t 10",
	"SCARD t",
	"SADD str x",
	"EXEC",
	"MULTI",
	"SADD t 1",
	"SPOP t x y",
	"SINTERCARD 0 t",
	"EXEC",
	"MULTI",
	"SADD",
	"EXEC",
	"SMEMBERS t",
	// the intset limit: 512 integers stay an intset, the 513th converts
	setSeq("SADD big", 0, 512),
	"SCARD big",
	"SMEMBERS big",
	"SADD big 512",
	"SCARD big",
	"SISMEMBER big 512",
	"SISMEMBER big 0",
	"SMISMEMBER big 511 512 513 0",
	"SMEMBERS big",
	"SUNION big",
	setSeq("SREM big", 0, 505),
	"SCARD big",
	// a hash table of integers, once copied into a new set, lists sorted
	"RENAME big bi",
	"SUNION bi",
	"SDIFF bi nosuch",
	"SINTER s2x bi",
	"SADD s2x 506 508 510 999",
	"SINTER s2x bi",
	"SINTERSTORE d s2x bi",
	"SMEMBERS d",
	"SUNIONSTORE d bi",
	"SMEMBERS d",
	"SMEMBERS bi",
	"SRANDMEMBER bi 8",
	"SSCAN bi 0 COUNT 1000",
	"SPOP bi 100",
	"EXISTS bi",
	// a union of 513 integers becomes a hash table
	setSeq("SADD ua", 0, 300),
	setSeq("SADD ub", 300, 513),
	"SUNIONSTORE d ua ub",
	"SCARD d",
	"SINTERCARD 2 d ua",
	"SDIFFSTORE d d ub",
	"SCARD d",
	// set-max-intset-entries: a lower limit converts sooner, 0 at once
	"CONFIG SET set-max-intset-entries 3",
	"SADD x4 1 2 3",
	"SMEMBERS x4",
	"SADD x4 4",
	"SMEMBERS x4",
	"SUNION x4",
	"CONFIG SET set-max-intset-entries 0",
	"SADD z0 5",
	"SMEMBERS z0",
	"SMOVE z0 zm 5",
	"SMEMBERS zm",
	"CONFIG SET set-max-intset-entries 512",
	"SADD z0 1 2",
	"SMEMBERS z0",
	"DBSIZE",
	// the commands' table entries
	"COMMAND INFO sadd srem smembers sismember smismember scard spop srandmember smove",
	"COMMAND INFO sinter sintercard sinterstore sunion sunionstore sdiff sdiffstore sscan",
	"FLUSHALL",
}

// TestDifferentialSet runs setScript against redis-server and remoted.
func TestDifferentialSet(t *testing.T) { diffScriptTest(t, setScript) }

// memBeside starts a redis-server and a remoted, runs load on each in
// turn, and logs their RSS and used_memory before and after, per item
// (n of them) and as a ratio: TestKeyspaceMemory's measure, for any
// load (that test could use it too). Then it flushes both and logs the
// RSS each is back to (after at most 3 s): memory given back.
func memBeside(t *testing.T, what string, n int, load func(*testing.T, *testServer)) {
	ref := startRedis(t)
	sut := startRemoted(t)
	var rss [2]int64
	for i, srv := range []*testServer{ref, sut} {
		before, usedBefore := rssOf(t, srv.proc.cmd.Process.Pid), usedMemory(t, srv)
		start := time.Now()
		load(t, srv)
		took := time.Since(start)
		rss[i] = rssOf(t, srv.proc.cmd.Process.Pid)
		t.Logf("%-12s %s: RSS %4d -> %5d MiB, used_memory %4d -> %5d MiB, %.0f B/item RSS, loaded in %v",
			srv.Name, what, before>>20, rss[i]>>20, usedBefore>>20, usedMemory(t, srv)>>20,
			float64(rss[i]-before)/float64(n), took.Round(time.Millisecond))
	}
	t.Logf("RSS remoted/redis-server: %.2f", float64(rss[1])/float64(rss[0]))
	for _, srv := range []*testServer{ref, sut} {
		mustDo(t, dialRESP(t, "unix", srv.UnixPath), "FLUSHALL")
		pid := srv.proc.cmd.Process.Pid
		start, low := time.Now(), rssOf(t, pid)
		for time.Since(start) < 3*time.Second {
			time.Sleep(100 * time.Millisecond) // a measure's sampling, not synchronisation
			low = min(low, rssOf(t, pid))
		}
		t.Logf("%-12s after FLUSHALL: RSS %d MiB", srv.Name, low>>20)
	}
}
