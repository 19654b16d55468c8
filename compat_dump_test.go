package remoted_test

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/remoted/remoted/internal/rdb"
)

// dumpValues are values of every type on both sides of each encoding
// threshold, each made by the commands that follow its key.
var dumpValues = []struct {
	key  string
	make [][]string
}{
	{"d:int", [][]string{{"SET", "d:int", "-123456"}}},
	{"d:str", [][]string{{"SET", "d:str", "hello\x00world"}}},
	{"d:long", [][]string{{"SET", "d:long", strings.Repeat("abcdefgh", 200)}}}, // LZF in Redis's dump
	{"d:hash", [][]string{{"HSET", "d:hash", "f1", "v1", "f2", "2"}}},
	{"d:bighash", [][]string{append([]string{"HSET", "d:bighash"}, dumpPairs("f", 600)...)}},
	{"d:list", [][]string{{"RPUSH", "d:list", "a", "12", "", "c"}}},
	{"d:biglist", [][]string{append([]string{"RPUSH", "d:biglist"}, dumpElems("element-", 3000)...)}},
	{"d:intset", [][]string{{"SADD", "d:intset", "5", "-3", "100000", "7"}}},
	{"d:set", [][]string{{"SADD", "d:set", "a", "b", "1"}}},
	{"d:bigintset", [][]string{append([]string{"SADD", "d:bigintset"}, dumpElems("", 600)...)}},
	{"d:zset", [][]string{{"ZADD", "d:zset", "1", "a", "2.5", "b", "-inf", "c"}}},
	{"d:bigzset", [][]string{append([]string{"ZADD", "d:bigzset"}, dumpScored(300)...)}},
}

func dumpPairs(prefix string, n int) []string {
	var out []string
	for i := range n {
		out = append(out, prefix+strconv.Itoa(i), "v"+strconv.Itoa(i))
	}
	return out
}

func dumpElems(prefix string, n int) []string {
	var out []string
	for i := range n {
		out = append(out, prefix+strconv.Itoa(i))
	}
	return out
}

func dumpScored(n int) []string {
	var out []string
	for i := range n {
		out = append(out, strconv.FormatFloat(float64(i)/3, 'g', -1, 64), "m"+strconv.Itoa(i))
	}
	return out
}

// readBack is a value's contents as a client reads them, in an order
// that does not depend on a hash table's, and its encoding.
func readBack(t *testing.T, c *respConn, key string) string {
	t.Helper()
	do := func(args ...string) *respValue {
		_, v, err := c.Do(args...)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	typ := do("TYPE", key).Str
	var body string
	switch typ {
	case "string":
		body = render(do("GET", key))
	case "hash":
		body = unordered(do("HGETALL", key), 2)
	case "list":
		body = render(do("LRANGE", key, "0", "-1"))
	case "set":
		body = unordered(do("SMEMBERS", key), 1)
	case "zset":
		body = render(do("ZRANGE", key, "0", "-1", "WITHSCORES"))
	}
	return typ + " " + render(do("OBJECT", "ENCODING", key)) + " " + body
}

// unordered renders an array of groups of n elements (a hash's pairs, a
// set's members) sorted, so that a hash table's order does not matter.
func unordered(v *respValue, n int) string {
	var groups []string
	for i := 0; i+n <= len(v.Elems); i += n {
		var g []string
		for _, e := range v.Elems[i : i+n] {
			g = append(g, render(e))
		}
		groups = append(groups, strings.Join(g, "="))
	}
	slices.Sort(groups)
	return strings.Join(groups, " ")
}

// TestDumpRestoreBothWays dumps every value on redis-server and on
// remoted, restores each server's payload on the other (and on itself),
// and checks that the value read back, its encoding and its expiry are
// what the server that dumped it holds. (The payloads themselves differ
// where Redis compresses a long string and remoted does not.)
func TestDumpRestoreBothWays(t *testing.T) {
	ref, sut := startRedis(t), startRemoted(t)
	servers := []*testServer{ref, sut}
	conns := []*respConn{dialRESP(t, "unix", ref.UnixPath), dialRESP(t, "unix", sut.UnixPath)}
	for _, c := range conns {
		mustDo(t, c, "FLUSHALL")
		for _, v := range dumpValues {
			for _, cmd := range v.make {
				mustDo(t, c, cmd...)
			}
		}
	}
	for _, v := range dumpValues {
		for from := range servers {
			_, dump, err := conns[from].Do("DUMP", v.key)
			if err != nil || dump.Kind != '$' || dump.Null {
				t.Fatalf("%s: DUMP %s: %v %v", servers[from].Name, v.key, render(dump), err)
			}
			want := readBack(t, conns[from], v.key)
			for to := range servers {
				c := conns[to]
				name := fmt.Sprintf("%s from %s into %s", v.key, servers[from].Name, servers[to].Name)
				if _, r, err := c.Do("RESTORE", "d:copy", "0", dump.Str, "REPLACE"); err != nil || r.isError() {
					t.Errorf("%s: RESTORE: %v %v", name, render(r), err)
					continue
				}
				got := readBack(t, c, "d:copy")
				if got != want {
					t.Errorf("%s:\n got  %.300s\n want %.300s", name, got, want)
				}
			}
		}
	}
}

// quoted writes b as a double-quoted command-line argument (see
// splitArgs), every byte escaped.
func quoted(b []byte) string {
	var s strings.Builder
	s.WriteByte('"')
	for _, c := range b {
		fmt.Fprintf(&s, "\\x%02x", c)
	}
	s.WriteByte('"')
	return s.String()
}

// dumpScript compares DUMP of values both servers hold in the same
// encoding (the same bytes, strings too short for Redis to compress),
// RESTORE of payloads made with internal/rdb, and RESTORE's options and
// errors in the order Redis checks them.
var dumpScript = func() []string {
	str := quoted(rdb.Dump(rdb.Value{Kind: rdb.String, Str: []byte("restored")}))
	num := quoted(rdb.Dump(rdb.Value{Kind: rdb.String, Str: []byte("-70000")}))
	hash := quoted(rdb.Dump(rdb.Value{Kind: rdb.Hash, Hash: []rdb.Pair{{Field: []byte("f"), Value: []byte("v")}}}))
	set := quoted(rdb.DumpEncoded(rdb.Value{Kind: rdb.Set, Set: [][]byte{[]byte("1"), []byte("2")}}, rdb.Full))
	badType := quoted(rdb.Seal([]byte{200, 1, 'x'}))
	badLen := quoted(rdb.Seal([]byte{0, 0x3f, 'x'}))
	wrongCRC := rdb.Dump(rdb.Value{Kind: rdb.String, Str: []byte("x")})
	wrongCRC[len(wrongCRC)-1] ^= 1
	newer := rdb.Dump(rdb.Value{Kind: rdb.String, Str: []byte("x")})
	newer[len(newer)-10] = 11 // RDB version 11
	return []string{
		"FLUSHALL",
		"DUMP nokey",
		"SET ds 123", "DUMP ds",
		"SET ds -1", "DUMP ds",
		"SET ds 70000", "DUMP ds",
		"SET ds 4294967296", "DUMP ds",
		"SET ds hello", "DUMP ds",
		"SET ds \"\"", "DUMP ds",
		"HSET dh a 1 b 2", "DUMP dh",
		"SADD dset 1 2 3 -5", "DUMP dset",
		"SADD dset2 70000 -40000", "DUMP dset2",
		"ZADD dz 1 a 2.5 b -3 c", "DUMP dz",
		"RPUSH dl a b c 1 2 -3 100000", "DUMP dl",
		"RESTORE r1 0 " + str, "GET r1", "OBJECT ENCODING r1", "TTL r1",
		"RESTORE r2 0 " + num, "GET r2", "OBJECT ENCODING r2",
		"RESTORE r3 100000 " + hash, "HGETALL r3", "OBJECT ENCODING r3", "TTL r3",
		"RESTORE r4 0 " + set, "SMEMBERS r4", "OBJECT ENCODING r4",
		"RESTORE r1 0 " + str,
		"RESTORE r1 0 " + hash + " REPLACE", "TYPE r1",
		"RESTORE r5 4102444800000 " + str + " ABSTTL", "PEXPIRETIME r5",
		"RESTORE r6 1 " + str + " ABSTTL", "EXISTS r6",
		"RESTORE r1 1 " + str + " ABSTTL REPLACE", "EXISTS r1",
		"RESTORE r7 0 " + str + " IDLETIME 100", "OBJECT IDLETIME r7",
		"RESTORE r8 0 " + str + " FREQ 100", "OBJECT ENCODING r8",
		"RESTORE r9 0 " + badType,
		"RESTORE r9 0 " + badLen,
		"RESTORE r9 0 " + quoted(wrongCRC),
		"RESTORE r9 0 " + quoted(newer),
		"RESTORE r9 0 x",
		"RESTORE r9 0 \"\"",
		"RESTORE r9 -1 " + str,
		"RESTORE r9 abc " + str,
		"RESTORE r2 -1 " + str,
		"RESTORE r9 0 x IDLETIME -1",
		"RESTORE r9 0 x IDLETIME abc",
		"RESTORE r9 0 x IDLETIME",
		"RESTORE r9 0 x FREQ 256",
		"RESTORE r9 0 x FREQ -1",
		"RESTORE r9 0 x IDLETIME 1 FREQ 1",
		"RESTORE r9 0 x FREQ 1 IDLETIME 1",
		"RESTORE r9 0 x BADOPT",
		"RESTORE r9 0",
		"DUMP",
		"DUMP a b",
		"CONFIG SET maxmemory-policy allkeys-lfu",
		"RESTORE r10 0 " + str + " FREQ 100", "OBJECT FREQ r10",
		"CONFIG SET maxmemory-policy noeviction",
		"MULTI", "DUMP ds", "RESTORE r11 0 " + str, "EXEC", "GET r11",
	}
}()

// TestDifferentialDump runs dumpScript against redis-server and remoted.
func TestDifferentialDump(t *testing.T) { diffScriptTest(t, dumpScript) }
