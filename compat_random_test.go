package remoted_test

import (
	"bufio"
	"crypto/tls"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestDifferentialRandom sends the same random command sequences to a real
// redis-server and to remoted and compares every reply, under the same
// allowList as TestDifferential. The commands draw on a handful of keys and
// tricky values, so that they meet each other: counters that overflow,
// floats that go infinite, options that conflict, renames onto keys with
// expiries, transactions that queue errors. A failure prints its seed and
// the commands leading up to it; REMOTED_DIFF_SEED=s REMOTED_DIFF_N=n runs
// one seed for n commands.
func TestDifferentialRandom(t *testing.T) {
	seeds := []uint64{1, 2, 3, 4}
	n := 3000
	if s := os.Getenv("REMOTED_DIFF_SEED"); s != "" {
		seed, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("REMOTED_DIFF_SEED=%s: %v", s, err)
		}
		seeds = []uint64{seed}
	}
	if s := os.Getenv("REMOTED_DIFF_N"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil {
			t.Fatalf("REMOTED_DIFF_N=%s: %v", s, err)
		}
	}
	ref := startRedis(t)
	sut := startRemoted(t)
	// A second remoted serves TLS: a TLS connection is served by a
	// goroutine of its own, not by an event loop, and both must answer
	// alike.
	certFile, keyFile, pool := writeSelfSigned(t, shortTempDir(t))
	sutTLS := startRemoted(t, "--tls-port", "0", "--tls-cert-file", certFile, "--tls-key-file", keyFile)
	for _, seed := range seeds {
		// Seeds 1 mod 3 speak RESP2 over TCP, seeds 2 mod 3 RESP3 over
		// the unix socket, and seeds 0 mod 3 RESP2 over TCP to
		// redis-server and over TLS to remoted.
		proto, network, mode := 2, "tcp", "tcp"
		addr := func(s *testServer) string { return s.TCPAddr }
		switch seed % 3 {
		case 2:
			proto, network, mode = 3, "unix", "unix"
			addr = func(s *testServer) string { return s.UnixPath }
		case 0:
			mode = "tls"
		}
		t.Run(fmt.Sprintf("seed%d-RESP%d-%s", seed, proto, mode), func(t *testing.T) {
			dial := func(srv *testServer) *respConn {
				if srv == ref || mode != "tls" {
					return dialRESP(t, network, addr(srv))
				}
				c, err := tls.Dial("tcp", sutTLS.TLSAddr, &tls.Config{RootCAs: pool})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { c.Close() })
				return &respConn{c: c, r: bufio.NewReader(c)}
			}
			// A second connection to each server writes now and then,
			// so that WATCH has something to notice.
			var main, other []*diffPeer
			for _, srv := range []*testServer{ref, sut} {
				if srv == sut && mode == "tls" {
					srv = sutTLS
				}
				main = append(main, &diffPeer{label: srv.Name, srv: srv, conn: dial(srv)})
				other = append(other, &diffPeer{label: srv.Name + " (2nd conn)", srv: srv, conn: dial(srv)})
			}
			start := []string{"FLUSHALL"}
			if proto == 3 {
				start = append(start, "HELLO 3")
			}
			for _, line := range start {
				if !runDiffLine(t, main, line) || !runDiffLine(t, other, line) {
					t.Fatalf("%q differs", line)
				}
			}
			g := &cmdGen{r: rand.New(rand.NewPCG(seed, 0))}
			var sent []string
			for i := range n {
				var peers []*diffPeer
				var line string
				if g.r.IntN(10) == 0 {
					peers, line = other, "(2nd conn) "+g.write()
				} else {
					peers, line = main, g.next()
				}
				sent = append(sent, line)
				if !runDiffLine(t, peers, strings.TrimPrefix(line, "(2nd conn) ")) {
					t.Fatalf("seed %d, command %d differs; the commands up to it:\n  %s",
						seed, i, strings.Join(sent[max(0, len(sent)-15):], "\n  "))
				}
			}
		})
	}
}

// cmdGen makes random command lines for TestDifferentialRandom, in
// redis-cli's quoting (splitArgs).
type cmdGen struct {
	r     *rand.Rand
	multi bool // inside MULTI
	queue int  // commands queued since MULTI
}

var (
	genKeys = []string{"k1", "k2", "k3", "k4", "{t}a", "{t}b", "missing", `"with space"`}
	// genValues are values a command stores: numbers at and past the
	// integer and float limits, text, and things that look like numbers
	// but are not, to Redis.
	genValues = []string{
		"0", "1", "-1", "10", "007", "-0", "+5", " 1", "1 ", "0x10", "1e3", "3.5", "-2.25", ".5", "5.",
		"9223372036854775807", "-9223372036854775808", "9223372036854775808",
		"1.7976931348623157e308", "1e309", "inf", "-inf", "nan", "abc", `""`, "héllo",
		`"a\x00b"`, "10000000000000000000000",
	}
	genInts = []string{"0", "1", "-1", "2", "5", "100", "-100", "9223372036854775807", "-9223372036854775808",
		"9223372036854775808", "abc", "1.5", `""`, "3"}
	genFloats = []string{"0", "1", "-1", "0.1", "1.5", "-2.5", "1e308", "-1e308", "1e-5", "inf", "-inf", "nan",
		"abc", "3", "1e400", "5.0e3", `""`}
	// genTTLs (seconds) and genPTTLs (milliseconds) keep keys alive
	// across the test (a TTL that ran out between the two servers would
	// differ), or are invalid.
	genTTLs  = []string{"100", "1000", "99999", "0", "-1", "abc", "9223372036854775807", "1.5"}
	genPTTLs = []string{"100000", "1000000", "99999000", "0", "-1", "abc", "9223372036854775807", "1.5"}
	// genAt are unix times: far future, long past, and invalid.
	genAt = []string{"4102444800", "4102444900", "1", "0", "-5", "abc", "4102444800000", "4102444800500", "9223372036854775807"}
)

func (g *cmdGen) pick(xs []string) string { return xs[g.r.IntN(len(xs))] }

func (g *cmdGen) key() string { return g.pick(genKeys) }

func (g *cmdGen) keys(min int) string {
	ks := make([]string, min+g.r.IntN(3))
	for i := range ks {
		ks[i] = g.key()
	}
	return strings.Join(ks, " ")
}

// opts returns some of the options, each with a chance of its own, in a
// random order, sometimes with junk: what SET and GETEX parse.
func (g *cmdGen) opts(options ...string) string {
	var out []string
	for _, o := range options {
		if g.r.IntN(4) == 0 {
			out = append(out, o)
		}
	}
	if g.r.IntN(20) == 0 {
		out = append(out, g.pick([]string{"BOGUS", "EX", "PX 0", "ex -1", "KEEPTTL KEEPTTL"}))
	}
	g.r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return strings.Join(out, " ")
}

// next returns the next command line. Inside MULTI it draws again
// commands the allowList compares loosely (KEYS, SCAN, TTL, ...): EXEC's
// reply is compared byte for byte.
func (g *cmdGen) next() string {
	for {
		multi := g.multi
		line := g.draw()
		if !multi {
			return line
		}
		args, err := splitArgs(line)
		if err != nil || ruleFor(args).mode == cmpExact {
			return line
		}
		g.multi = true // undo draw's bookkeeping, and draw again
		g.queue--
	}
}

// write makes a command line that changes keys, for the second
// connection: it is never in MULTI.
func (g *cmdGen) write() string {
	k := g.key()
	switch g.r.IntN(5) {
	case 0:
		return "SET " + k + " " + g.pick(genValues)
	case 1:
		return "DEL " + k
	case 2:
		return "INCR " + k
	case 3:
		return "EXPIRE " + k + " " + g.pick(genTTLs)
	default:
		return "GET " + k // a read: WATCH must not notice it
	}
}

// draw makes one command line.
func (g *cmdGen) draw() string {
	if g.multi && (g.queue >= 4 || g.r.IntN(4) == 0) {
		g.multi = false
		return g.pick([]string{"EXEC", "EXEC", "EXEC", "DISCARD"})
	}
	if g.multi {
		g.queue++
	}
	k, v := g.key(), g.pick(genValues)
	n := g.r.IntN(48 + typeCmds)
	if n >= 48 {
		return g.typeCmd(n-48, k, v)
	}
	switch n {
	case 0:
		return "GET " + k
	case 1:
		return strings.TrimSpace(fmt.Sprintf("SET %s %s %s", k, v, g.opts("NX", "XX", "GET", "EX "+g.pick(genTTLs),
			"PX "+g.pick(genPTTLs), "EXAT "+g.pick(genAt), "PXAT "+g.pick(genAt), "KEEPTTL")))
	case 2:
		return "SETNX " + k + " " + v
	case 3:
		return "SETEX " + k + " " + g.pick(genTTLs) + " " + v
	case 4:
		return "PSETEX " + k + " " + g.pick(genPTTLs) + " " + v
	case 5:
		return "GETSET " + k + " " + v
	case 6:
		return "GETDEL " + k
	case 7:
		return strings.TrimSpace("GETEX " + k + " " + g.opts("EX "+g.pick(genTTLs), "PX "+g.pick(genPTTLs),
			"EXAT "+g.pick(genAt), "PXAT "+g.pick(genAt), "PERSIST"))
	case 8:
		return "MGET " + g.keys(1)
	case 9, 10:
		cmd := g.pick([]string{"MSET", "MSETNX"})
		n := 1 + g.r.IntN(3)
		var b strings.Builder
		b.WriteString(cmd)
		for range n {
			fmt.Fprintf(&b, " %s %s", g.key(), g.pick(genValues))
		}
		if g.r.IntN(10) == 0 {
			b.WriteString(" " + g.key()) // an odd count
		}
		return b.String()
	case 11:
		return "INCR " + k
	case 12:
		return "DECR " + k
	case 13:
		return "INCRBY " + k + " " + g.pick(genInts)
	case 14:
		return "DECRBY " + k + " " + g.pick(genInts)
	case 15, 16:
		return "INCRBYFLOAT " + k + " " + g.pick(genFloats)
	case 17:
		return "APPEND " + k + " " + v
	case 18:
		return "STRLEN " + k
	case 19:
		return fmt.Sprintf("GETRANGE %s %s %s", k, g.pick(genInts), g.pick(genInts))
	case 20:
		return fmt.Sprintf("SETRANGE %s %s %s", k, g.pick([]string{"0", "1", "3", "10", "-1", "abc", "536870912"}), v)
	case 21:
		return "DEL " + g.keys(1)
	case 22:
		return "UNLINK " + g.keys(1)
	case 23:
		return "EXISTS " + g.keys(1)
	case 24:
		return "TYPE " + k
	case 25:
		return "RENAME " + k + " " + g.key()
	case 26:
		return "RENAMENX " + k + " " + g.key()
	case 27:
		return strings.TrimSpace("COPY " + k + " " + g.key() + " " + g.opts("REPLACE", "DB 0"))
	case 28:
		// GT and LT only with absolute times (EXPIREAT): whether a TTL
		// set again is greater than itself depends on whether a
		// millisecond passed in between.
		return strings.TrimSpace("EXPIRE " + k + " " + g.pick(genTTLs) + " " + g.opts("NX", "XX"))
	case 29:
		return strings.TrimSpace("PEXPIRE " + k + " " + g.pick(genPTTLs) + " " + g.opts("NX", "XX"))
	case 30:
		return strings.TrimSpace("EXPIREAT " + k + " " + g.pick(genAt) + " " + g.opts("NX", "XX", "GT", "LT"))
	case 31:
		return strings.TrimSpace("PEXPIREAT " + k + " " + g.pick(genAt) + " " + g.opts("NX", "XX", "GT", "LT"))
	case 32:
		return "TTL " + k
	case 33:
		return "PTTL " + k
	case 34:
		return "PERSIST " + k
	case 35:
		// Not DBSIZE: it counts keys whose time ran out until the server
		// reaps them (SET ... EXAT 1 makes one), and the two servers reap
		// at their own moments.
		return "EXISTS " + k
	case 36:
		return "KEYS " + g.pick([]string{"*", "k?", "k[1-2]", "{t}*", "*a*", `"k\\*"`, "[^k]*"})
	case 37:
		return "SCAN 0 " + g.opts("MATCH k*", "COUNT 1000", "TYPE string", "TYPE list")
	case 38:
		if g.multi {
			return "MULTI" // nested: an error that does not abort the transaction
		}
		g.multi, g.queue = true, 0
		return "MULTI"
	case 39:
		return "WATCH " + g.keys(1)
	case 40:
		return "UNWATCH"
	case 41:
		return g.pick([]string{"ECHO ", "PING "}) + v
	case 43:
		return "SELECT " + g.pick([]string{"0", "1", "-1", "abc", "0 0"})
	case 44:
		return "CLIENT SETNAME " + g.pick([]string{"worker", `""`, `"has space"`, "n\x01"})
	case 45:
		return "CLIENT GETNAME"
	case 46:
		// RESET ends MULTI and WATCH, and goes back to RESP2 and no name.
		g.multi = false
		return g.pick([]string{"RESET", "HELLO 3", "HELLO 2", "HELLO 4", "HELLO 3 SETNAME x"})
	case 42:
		// Wrong arity and unknown commands, which inside MULTI make EXEC
		// fail with EXECABORT.
		return g.pick([]string{"GET", "SET " + k, "INCRBY " + k, "NOSUCHCOMMAND " + k, "GETRANGE " + k + " 1"})
	default:
		if g.multi {
			g.multi = false
			return "EXEC"
		}
		return "PING"
	}
}

// typeCmds is how many kinds of command typeCmd draws.
const typeCmds = 36

var (
	genFields  = []string{"f1", "f2", "f3", `"f 4"`}
	genMembers = []string{"1", "2", "-3", "100000", "a", "b", "c", `""`, "007"}
	genScores  = []string{"0", "1", "-1", "2.5", "1e300", "-inf", "+inf", "nan", "abc", "(1", "3"}
	genRanges  = []string{"0", "1", "-1", "2", "-2", "100", "abc"}
	genEnds    = []string{"LEFT", "RIGHT", "left", "UP"}
	// genHashFloats are HINCRBYFLOAT's increments: none so large that
	// the value passes hash-max-listpack-value (64 bytes), which would
	// make the hash a hash table, listed in its table's order.
	genHashFloats = []string{"0", "1", "-1", "0.1", "1.5", "-2.5", "1e-5", "inf", "-inf", "nan", "abc", "3", "5.0e3", `""`}
)

// typeCmd makes a command of the other types on the same keys, so that
// they meet strings and each other (WRONGTYPE, conversions, STORE over
// any type). It leaves out what Redis answers in a hash table's order
// (SMEMBERS and the like, while a set of strings is always one in 7.0),
// at random (SPOP, HRANDFIELD, ...) or by blocking.
func (g *cmdGen) typeCmd(n int, k, v string) string {
	f, m := g.pick(genFields), g.pick(genMembers)
	switch n {
	case 0:
		return fmt.Sprintf("HSET %s %s %s", k, f, v)
	case 1:
		return fmt.Sprintf("HSET %s %s %s %s %s", k, f, v, g.pick(genFields), g.pick(genValues))
	case 2:
		return "HGET " + k + " " + f
	case 3:
		return "HDEL " + k + " " + f + " " + g.pick(genFields)
	case 4:
		return "HGETALL " + k // a listpack here: in insertion order
	case 5:
		return "HINCRBY " + k + " " + f + " " + g.pick(genInts)
	case 6:
		return "HINCRBYFLOAT " + k + " " + f + " " + g.pick(genHashFloats)
	case 7:
		return g.pick([]string{"HLEN ", "HKEYS ", "HVALS "}) + k
	case 8:
		return fmt.Sprintf("%s %s %s %s", g.pick([]string{"HSETNX", "HSTRLEN", "HEXISTS", "HMGET"}), k, f, v)
	case 9, 10:
		return fmt.Sprintf("%s %s %s %s", g.pick([]string{"LPUSH", "RPUSH", "LPUSHX", "RPUSHX"}), k, v, g.pick(genValues))
	case 11:
		return strings.TrimSpace(g.pick([]string{"LPOP ", "RPOP "}) + k + " " + g.opts(g.pick(genRanges)))
	case 12:
		return fmt.Sprintf("LRANGE %s %s %s", k, g.pick(genRanges), g.pick(genRanges))
	case 13:
		return fmt.Sprintf("%s %s %s", g.pick([]string{"LINDEX", "LLEN"}), k, g.pick(genRanges))
	case 14:
		return fmt.Sprintf("LSET %s %s %s", k, g.pick(genRanges), v)
	case 15:
		return fmt.Sprintf("LREM %s %s %s", k, g.pick(genRanges), v)
	case 16:
		return fmt.Sprintf("LTRIM %s %s %s", k, g.pick(genRanges), g.pick(genRanges))
	case 17:
		return fmt.Sprintf("LINSERT %s %s %s %s", k, g.pick([]string{"BEFORE", "AFTER", "ABOVE"}), g.pick(genValues), v)
	case 18:
		return strings.TrimSpace(fmt.Sprintf("LPOS %s %s %s", k, v, g.opts("RANK "+g.pick(genRanges), "COUNT "+g.pick(genRanges), "MAXLEN "+g.pick(genRanges))))
	case 19:
		return fmt.Sprintf("LMOVE %s %s %s %s", k, g.key(), g.pick(genEnds), g.pick(genEnds))
	case 20:
		return fmt.Sprintf("RPOPLPUSH %s %s", k, g.key())
	case 21, 22:
		return fmt.Sprintf("SADD %s %s %s", k, m, g.pick(genMembers))
	case 23:
		return fmt.Sprintf("%s %s %s", g.pick([]string{"SREM", "SISMEMBER", "SMISMEMBER"}), k, m)
	case 24:
		return g.pick([]string{"SCARD ", "TYPE ", "OBJECT ENCODING "}) + k
	case 25:
		return fmt.Sprintf("SMOVE %s %s %s", k, g.key(), m)
	case 26:
		return fmt.Sprintf("%s %s %s", g.pick([]string{"SUNIONSTORE", "SINTERSTORE", "SDIFFSTORE"}), k, g.keys(1))
	case 27:
		return "SINTERCARD 2 " + k + " " + g.key()
	case 28, 29:
		return strings.TrimSpace(fmt.Sprintf("ZADD %s %s %s %s", k, g.opts("NX", "XX", "GT", "LT", "CH", "INCR"), g.pick(genScores), m))
	case 30:
		return fmt.Sprintf("ZINCRBY %s %s %s", k, g.pick(genScores), m)
	case 31:
		return fmt.Sprintf("%s %s %s", g.pick([]string{"ZREM", "ZSCORE", "ZRANK", "ZREVRANK"}), k, m)
	case 32:
		return strings.TrimSpace(fmt.Sprintf("ZRANGE %s %s %s %s", k, g.pick(genRanges), g.pick(genRanges), g.opts("WITHSCORES", "REV")))
	case 33:
		return fmt.Sprintf("%s %s %s %s", g.pick([]string{"ZRANGEBYSCORE", "ZCOUNT", "ZREMRANGEBYSCORE"}), k, g.pick(genScores), g.pick(genScores))
	case 34:
		return strings.TrimSpace(g.pick([]string{"ZPOPMIN ", "ZPOPMAX ", "ZCARD "}) + k + " " + g.opts(g.pick(genRanges)))
	default:
		return fmt.Sprintf("%s %s 2 %s %s %s", g.pick([]string{"ZUNIONSTORE", "ZINTERSTORE", "ZDIFFSTORE"}), k, g.key(), g.key(),
			g.opts("WEIGHTS 2 "+g.pick(genScores), "AGGREGATE "+g.pick([]string{"SUM", "MIN", "MAX", "AVG"})))
	}
}
