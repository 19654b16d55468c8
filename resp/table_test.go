package resp

import (
	"bytes"
	"strconv"
	"strings"
	"testing"

	"github.com/tidwall/redcon"
)

// render runs f on a fresh Writer in protocol proto and returns the bytes.
func render(proto int, f func(w *Writer)) []byte {
	var buf bytes.Buffer
	out := redcon.NewWriter(&buf)
	w := NewWriter(out)
	w.SetProto(proto)
	f(w)
	out.Flush()
	return buf.Bytes()
}

// wantNames is every command the table must describe, in table order.
var wantNames = strings.Fields(`
	ping echo quit hello auth select reset client
	info command config dbsize flushdb flushall time shutdown monitor
	get set setnx setex psetex getset getdel getex mget mset msetnx incr incrby
	decr decrby incrbyfloat append strlen getrange setrange substr
	del unlink exists keys scan type rename renamenx copy expire pexpire
	expireat pexpireat ttl pttl persist randomkey expiretime pexpiretime touch
	multi exec discard watch unwatch
	lock unlock locks inspect
	hset hsetnx hget hmget hmset hgetall hdel hexists hlen hstrlen hkeys hvals
	hincrby hincrbyfloat hrandfield hscan
	lpush rpush lpushx rpushx lpop rpop llen lrange lindex lset lrem ltrim
	linsert lpos lmove rpoplpush lmpop blpop brpop blmove brpoplpush blmpop
	sadd srem smembers sismember smismember scard spop srandmember smove sinter
	sintercard sinterstore sunion sunionstore sdiff sdiffstore sscan
	zadd zincrby zrem zscore zmscore zcard zcount zlexcount zrange zrangestore
	zrevrange zrangebyscore zrevrangebyscore zrangebylex zrevrangebylex zrank
	zrevrank zpopmin zpopmax zmpop bzpopmin bzpopmax bzmpop zrandmember zunion
	zinter zdiff zunionstore zinterstore zdiffstore zintercard zremrangebyrank
	zremrangebyscore zremrangebylex zscan
	sort sort_ro dump restore object
	eval evalsha eval_ro evalsha_ro script`)

var wantSubs = map[string][]string{
	"client":  {"id", "setname", "getname", "list", "info", "kill", "setinfo", "reply", "unblock", "help"},
	"command": {"count", "info", "docs", "list", "help"},
	"config":  {"get", "set", "resetstat", "help"},
	"script":  {"flush", "exists", "help", "load"},
	"object":  {"encoding", "refcount", "idletime", "freq", "help"},
}

func TestCommandsNames(t *testing.T) {
	tab := NewTable(Commands())
	if tab.Len() != len(wantNames) {
		t.Errorf("table has %d commands, want %d", tab.Len(), len(wantNames))
	}
	for _, n := range wantNames {
		c := tab.Lookup(n)
		if c == nil {
			t.Errorf("missing command %q", n)
			continue
		}
		want := wantSubs[n]
		if len(c.Subcommands) != len(want) {
			t.Errorf("%s: %d subcommands, want %d", n, len(c.Subcommands), len(want))
		}
		for _, s := range want {
			if sc := c.Sub(s); sc == nil || sc.Name != n+"|"+s {
				t.Errorf("%s: missing subcommand %q", n, s)
			}
		}
	}
	// Each call builds a fresh table.
	a, b := Commands(), Commands()
	if a[0] == b[0] {
		t.Error("Commands returned shared *Command values")
	}
}

var (
	validCmdFlags = set("write", "readonly", "denyoom", "module", "admin", "pubsub",
		"noscript", "blocking", "loading", "stale", "skip_monitor", "skip_slowlog",
		"asking", "fast", "no_auth", "may_replicate", "no_mandatory_keys",
		"no_multi", "movablekeys", "allow_busy")
	validKeyFlags = set("RO", "RW", "OW", "RM", "access", "update", "insert",
		"delete", "not_key", "incomplete", "variable_flags")
	validArgTypes = set("key", "string", "integer", "double", "pattern",
		"unix-time", "pure-token", "oneof", "block")
	validGroups = set("generic", "string", "list", "set", "sorted-set", "hash",
		"pubsub", "transactions", "connection", "server", "scripting",
		"hyperloglog", "cluster", "sentinel", "geo", "stream", "bitmap")
)

func set(ss ...string) map[string]bool {
	m := make(map[string]bool, len(ss))
	for _, s := range ss {
		m[s] = true
	}
	return m
}

func TestCommandsConsistent(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range Commands() {
		checkCommand(t, c, "")
		if seen[c.Name] {
			t.Errorf("duplicate command %q", c.Name)
		}
		seen[c.Name] = true
		for _, s := range c.Subcommands {
			checkCommand(t, s, c.Name)
			if len(s.Subcommands) != 0 {
				t.Errorf("%s: nested subcommands", s.Name)
			}
		}
	}
}

func checkCommand(t *testing.T, c *Command, parent string) {
	t.Helper()
	n := c.Name
	if n == "" || n != strings.ToLower(n) || strings.ContainsAny(n, " \r\n") {
		t.Errorf("bad name %q", n)
	}
	if parent == "" && strings.Contains(n, "|") {
		t.Errorf("%s: top-level name has '|'", n)
	}
	if parent != "" {
		if !strings.HasPrefix(n, parent+"|") || len(n) == len(parent)+1 {
			t.Errorf("%s: subcommand name not prefixed by %q", n, parent+"|")
		}
		if c.Arity > -2 && c.Arity < 2 {
			t.Errorf("%s: subcommand arity %d too small", n, c.Arity)
		}
	}
	if c.Arity == 0 {
		t.Errorf("%s: zero arity", n)
	}
	for _, f := range c.Flags {
		if !validCmdFlags[f] {
			t.Errorf("%s: unknown flag %q", n, f)
		}
	}
	if c.Has("readonly") && c.Has("write") {
		t.Errorf("%s: both readonly and write", n)
	}
	if len(c.ACL) == 0 {
		t.Errorf("%s: no ACL categories", n)
	}
	for _, a := range c.ACL {
		if !strings.HasPrefix(a, "@") || a != strings.ToLower(a) {
			t.Errorf("%s: bad ACL category %q", n, a)
		}
	}
	// Legacy key positions agree with the key specs.
	if len(c.KeySpecs) == 0 {
		if c.FirstKey != 0 || c.LastKey != 0 || c.Step != 0 {
			t.Errorf("%s: key positions without key specs", n)
		}
	} else if c.FirstKey == 0 && c.LastKey == 0 && c.Step == 0 && c.Has("movablekeys") {
		// Redis reports no legacy positions when the keys' count is an
		// argument (the first key spec is a keynum one).
		if ks := c.KeySpecs[0]; !ks.KeyNum {
			t.Errorf("%s: no key positions, yet the first key spec is not keynum", n)
		}
	} else {
		if c.FirstKey < 1 || c.Step < 1 || (c.LastKey >= 0 && c.LastKey < c.FirstKey) {
			t.Errorf("%s: bad key positions %d %d %d", n, c.FirstKey, c.LastKey, c.Step)
		}
		if ks := c.KeySpecs[0]; ks.BeginKeyword == "" && ks.BeginIndex != c.FirstKey {
			t.Errorf("%s: first key spec begins at %d, FirstKey is %d", n, ks.BeginIndex, c.FirstKey)
		}
		if c.Arity > 0 && c.LastKey >= c.Arity {
			t.Errorf("%s: LastKey %d beyond arity %d", n, c.LastKey, c.Arity)
		}
	}
	for i, ks := range c.KeySpecs {
		if len(ks.Flags) == 0 {
			t.Errorf("%s: key spec %d has no flags", n, i)
		}
		for _, f := range ks.Flags {
			if !validKeyFlags[f] {
				t.Errorf("%s: key spec %d: unknown flag %q", n, i, f)
			}
		}
		if ks.BeginUnknown != ks.FindUnknown {
			t.Errorf("%s: key spec %d: only half unknown", n, i)
		}
		if ks.BeginUnknown {
			if ks.Notes == "" || ks.BeginKeyword != "" || ks.BeginIndex != 0 || ks.KeyNum || ks.KeyStep != 0 {
				t.Errorf("%s: key spec %d: unknown, yet with positions or without notes", n, i)
			}
			continue
		}
		if ks.BeginKeyword == "" && ks.BeginIndex < 1 {
			t.Errorf("%s: key spec %d: begin index %d", n, i, ks.BeginIndex)
		}
		if ks.KeyNum && (ks.KeyNumIdx < 0 || ks.FirstKeyIdx < 1 || ks.KeyStep < 1) {
			t.Errorf("%s: key spec %d: bad keynum", n, i)
		}
		if !ks.KeyNum && ks.KeyStep < 1 {
			t.Errorf("%s: key spec %d: key step %d", n, i, ks.KeyStep)
		}
	}
	// Docs.
	if c.Summary == "" || strings.ContainsAny(c.Summary, "\r\n") || strings.Contains(c.Summary, "TODO") {
		t.Errorf("%s: bad summary", n)
	}
	if c.Since == "" || !validGroups[c.Group] {
		t.Errorf("%s: bad since %q or group %q", n, c.Since, c.Group)
	}
	if len(c.Subcommands) > 0 && len(c.Args) > 0 {
		t.Errorf("%s: container with arguments", n)
	}
	used := make([]bool, len(c.KeySpecs))
	checkArgs(t, c, c.Args, used)
	for i, u := range used {
		if !u {
			t.Errorf("%s: key spec %d has no argument", n, i)
		}
	}
}

func checkArgs(t *testing.T, c *Command, args []Arg, used []bool) {
	t.Helper()
	for _, a := range args {
		where := c.Name + " arg " + a.Name
		if a.Name == "" || !validArgTypes[a.Type] {
			t.Errorf("%s: bad name or type %q", where, a.Type)
		}
		if a.Type == "key" || a.KeySpecRef {
			if a.KeySpec < 0 || a.KeySpec >= len(c.KeySpecs) {
				t.Errorf("%s: key spec index %d out of range", where, a.KeySpec)
			} else {
				used[a.KeySpec] = true
			}
		} else if a.KeySpec != 0 {
			t.Errorf("%s: key spec index on a non-key argument", where)
		}
		if a.Type == "pure-token" && a.Token == "" {
			t.Errorf("%s: pure-token without token", where)
		}
		if a.MultipleTok && !a.Multiple {
			t.Errorf("%s: multiple_token without multiple", where)
		}
		nested := a.Type == "oneof" || a.Type == "block"
		if nested != (len(a.Args) > 0) {
			t.Errorf("%s: nested arguments do not match type %q", where, a.Type)
		}
		checkArgs(t, c, a.Args, used)
	}
}

// respEnd returns the index just past the RESP value starting at b[i].
func respEnd(t *testing.T, b []byte, i int) int {
	t.Helper()
	j := bytes.Index(b[i:], []byte("\r\n"))
	if j < 0 {
		t.Fatalf("truncated RESP at %d", i)
	}
	j += i
	n, _ := strconv.Atoi(string(b[i+1 : j]))
	next := j + 2
	switch b[i] {
	case '$', '=', '!':
		if n < 0 {
			return next
		}
		return next + n + 2
	case '*', '~', '>', '%':
		if b[i] == '%' {
			n *= 2
		}
		for k := 0; k < n; k++ {
			next = respEnd(t, b, next)
		}
		return next
	}
	return next
}

// respElems splits the aggregate at b[i:] into its elements' byte spans (a
// map's keys and values alternate) and returns them with the header.
func respElems(t *testing.T, b []byte, i int) (header []byte, elems [][]byte) {
	t.Helper()
	j := bytes.Index(b[i:], []byte("\r\n")) + i + 2
	header = b[i:j]
	n, _ := strconv.Atoi(string(b[i+1 : j-2]))
	if b[i] == '%' {
		n *= 2 // keys and values
	}
	for k := 0; k < n; k++ {
		e := respEnd(t, b, j)
		elems = append(elems, b[j:e])
		j = e
	}
	return header, elems
}

func TestCommandInfoGolden(t *testing.T) {
	tab := NewTable(Commands())
	for proto, golden := range goldenCommandInfo {
		for name, want := range golden {
			got := render(proto, func(w *Writer) {
				w.Array(1)
				w.CommandInfo(tab.Lookup(name))
			})
			c := tab.Lookup(name)
			if len(c.Subcommands) == 0 {
				if string(got) != want {
					t.Errorf("RESP%d COMMAND INFO %s:\n got %q\nwant %q", proto, name, got, want)
				}
				continue
			}
			// A container: remoted has only some of Redis's subcommands
			// (and one from Redis 7.2), so compare the first nine fields
			// and then each subcommand Redis 7.0 also has.
			_, gotOuter := respElems(t, got, 0)
			_, wantOuter := respElems(t, []byte(want), 0)
			_, gotF := respElems(t, gotOuter[0], 0)
			_, wantF := respElems(t, wantOuter[0], 0)
			for k := 0; k < 9; k++ {
				if !bytes.Equal(gotF[k], wantF[k]) {
					t.Errorf("RESP%d COMMAND INFO %s field %d:\n got %q\nwant %q", proto, name, k, gotF[k], wantF[k])
				}
			}
			_, gotSubs := respElems(t, gotF[9], 0)
			_, wantSubs := respElems(t, wantF[9], 0)
			redisSub := map[string][]byte{}
			for _, e := range wantSubs {
				_, f := respElems(t, e, 0)
				redisSub[string(f[0])] = e
			}
			if len(gotSubs) != len(c.Subcommands) {
				t.Fatalf("RESP%d %s: %d subcommand entries", proto, name, len(gotSubs))
			}
			for k, e := range gotSubs {
				sn := c.Subcommands[k].Name
				ref, ok := redisSub[string(render(proto, func(w *Writer) { w.BulkString(sn) }))]
				if !ok {
					if sn != "client|setinfo" {
						t.Errorf("%s: not in Redis 7.0", sn)
					}
					continue
				}
				if !bytes.Equal(e, ref) {
					t.Errorf("RESP%d COMMAND INFO %s:\n got %q\nwant %q", proto, sn, e, ref)
				}
			}
		}
	}
}

func TestCommandInfoNull(t *testing.T) {
	// Captured from redis-server 7.0.15: COMMAND INFO nosuch.
	want := map[int]string{2: "*1\r\n$-1\r\n", 3: "*1\r\n_\r\n"}
	for proto, w := range want {
		got := render(proto, func(wr *Writer) { wr.Array(1); wr.CommandInfo(nil) })
		if string(got) != w {
			t.Errorf("RESP%d: got %q want %q", proto, got, w)
		}
	}
}

func TestCommandDocsGolden(t *testing.T) {
	tab := NewTable(Commands())
	for proto, golden := range goldenCommandDocs {
		for name, want := range golden {
			c := tab.Lookup(name)
			sum := render(proto, func(w *Writer) { w.BulkString(c.Summary) })
			want = strings.Replace(want, "<SUMMARY>", string(sum), 1)
			got := render(proto, func(w *Writer) {
				w.Map(1)
				w.BulkString(c.Name)
				w.CommandDocs(c)
			})
			if string(got) != want {
				t.Errorf("RESP%d COMMAND DOCS %s:\n got %q\nwant %q", proto, name, got, want)
			}
		}
	}
}

func TestCommandDocsContainer(t *testing.T) {
	// The CONFIG docs as remoted writes them: Redis 7.0's structure with
	// GET, RESETSTAT, SET and HELP; CONFIG GET has 6 keys, history
	// included, as in Redis.
	c := NewTable(Commands()).Lookup("config")
	got := render(3, func(w *Writer) { w.CommandDocs(c) })
	_, kv := respElems(t, got, 0)
	var keys []string
	for k := 0; k < len(kv); k += 2 {
		keys = append(keys, string(kv[k]))
	}
	want := []string{"$7\r\nsummary\r\n", "$5\r\nsince\r\n", "$5\r\ngroup\r\n", "$10\r\ncomplexity\r\n", "$11\r\nsubcommands\r\n"}
	if strings.Join(keys, "") != strings.Join(want, "") {
		t.Errorf("config docs keys %q", keys)
	}
	if !bytes.HasPrefix(kv[9], []byte("%4\r\n$10\r\nconfig|get\r\n%6\r\n")) {
		t.Errorf("config subcommands docs: %q", kv[9])
	}
}

// Golden COMMAND INFO replies captured from redis-server 7.0.15 with
// "COMMAND INFO <name>" (RESP2, then RESP3 after HELLO 3). Each reply is
// the whole reply: a one-element array around the entry.
var goldenCommandInfo = map[int]map[string]string{
	2: {
		"get": "*1\r\n*10\r\n$3\r\nget\r\n:2\r\n*2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n*3\r\n" +
			"+@read\r\n+@string\r\n+@fast\r\n*0\r\n*1\r\n*6\r\n$5\r\nflags\r\n*2\r\n+RO\r\n" +
			"+access\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n" +
			"*2\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\n" +
			"spec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n*0\r\n",
		"set": "*1\r\n*10\r\n$3\r\nset\r\n:-3\r\n*2\r\n+write\r\n+denyoom\r\n:1\r\n:1\r\n:1\r\n*3\r\n" +
			"+@write\r\n+@string\r\n+@slow\r\n*0\r\n*1\r\n*8\r\n$5\r\nnotes\r\n$48\r\n" +
			"RW and ACCESS due to the optional `GET` argument\r\n$5\r\nflags\r\n*4\r\n+RW\r\n" +
			"+access\r\n+update\r\n+variable_flags\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n" +
			"$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\n" +
			"type\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n" +
			":1\r\n$5\r\nlimit\r\n:0\r\n*0\r\n",
		"client": "*1\r\n*10\r\n$6\r\nclient\r\n:-2\r\n*0\r\n:0\r\n:0\r\n:0\r\n*1\r\n+@slow\r\n*0\r\n*0\r\n" +
			"*16\r\n*10\r\n$14\r\nclient|unblock\r\n:-3\r\n*4\r\n+admin\r\n+noscript\r\n+loading\r\n" +
			"+stale\r\n:0\r\n:0\r\n:0\r\n*4\r\n+@admin\r\n+@slow\r\n+@dangerous\r\n+@connection\r\n" +
			"*0\r\n*0\r\n*0\r\n*10\r\n$15\r\nclient|tracking\r\n:-3\r\n*3\r\n+noscript\r\n" +
			"+loading\r\n+stale\r\n:0\r\n:0\r\n:0\r\n*2\r\n+@slow\r\n+@connection\r\n*0\r\n*0\r\n" +
			"*0\r\n*10\r\n$14\r\nclient|unpause\r\n:2\r\n*4\r\n+admin\r\n+noscript\r\n+loading\r\n" +
			"+stale\r\n:0\r\n:0\r\n:0\r\n*4\r\n+@admin\r\n+@slow\r\n+@dangerous\r\n+@connection\r\n" +
			"*0\r\n*0\r\n*0\r\n*10\r\n$19\r\nclient|trackinginfo\r\n:2\r\n*3\r\n+noscript\r\n" +
			"+loading\r\n+stale\r\n:0\r\n:0\r\n:0\r\n*2\r\n+@slow\r\n+@connection\r\n*0\r\n*0\r\n" +
			"*0\r\n*10\r\n$14\r\nclient|setname\r\n:3\r\n*3\r\n+noscript\r\n+loading\r\n+stale\r\n" +
			":0\r\n:0\r\n:0\r\n*2\r\n+@slow\r\n+@connection\r\n*0\r\n*0\r\n*0\r\n*10\r\n$14\r\n" +
			"client|getname\r\n:2\r\n*3\r\n+noscript\r\n+loading\r\n+stale\r\n:0\r\n:0\r\n:0\r\n" +
			"*2\r\n+@slow\r\n+@connection\r\n*0\r\n*0\r\n*0\r\n*10\r\n$11\r\nclient|info\r\n:2\r\n" +
			"*3\r\n+noscript\r\n+loading\r\n+stale\r\n:0\r\n:0\r\n:0\r\n*2\r\n+@slow\r\n" +
			"+@connection\r\n*1\r\n$23\r\nnondeterministic_output\r\n*0\r\n*0\r\n*10\r\n$11\r\n" +
			"client|kill\r\n:-3\r\n*4\r\n+admin\r\n+noscript\r\n+loading\r\n+stale\r\n:0\r\n:0\r\n" +
			":0\r\n*4\r\n+@admin\r\n+@slow\r\n+@dangerous\r\n+@connection\r\n*0\r\n*0\r\n*0\r\n" +
			"*10\r\n$12\r\nclient|reply\r\n:3\r\n*3\r\n+noscript\r\n+loading\r\n+stale\r\n:0\r\n" +
			":0\r\n:0\r\n*2\r\n+@slow\r\n+@connection\r\n*0\r\n*0\r\n*0\r\n*10\r\n$12\r\n" +
			"client|pause\r\n:-3\r\n*4\r\n+admin\r\n+noscript\r\n+loading\r\n+stale\r\n:0\r\n:0\r\n" +
			":0\r\n*4\r\n+@admin\r\n+@slow\r\n+@dangerous\r\n+@connection\r\n*0\r\n*0\r\n*0\r\n" +
			"*10\r\n$15\r\nclient|no-evict\r\n:3\r\n*4\r\n+admin\r\n+noscript\r\n+loading\r\n" +
			"+stale\r\n:0\r\n:0\r\n:0\r\n*4\r\n+@admin\r\n+@slow\r\n+@dangerous\r\n+@connection\r\n" +
			"*0\r\n*0\r\n*0\r\n*10\r\n$11\r\nclient|help\r\n:2\r\n*2\r\n+loading\r\n+stale\r\n:0\r\n" +
			":0\r\n:0\r\n*2\r\n+@slow\r\n+@connection\r\n*0\r\n*0\r\n*0\r\n*10\r\n$9\r\nclient|id\r\n" +
			":2\r\n*3\r\n+noscript\r\n+loading\r\n+stale\r\n:0\r\n:0\r\n:0\r\n*2\r\n+@slow\r\n" +
			"+@connection\r\n*0\r\n*0\r\n*0\r\n*10\r\n$14\r\nclient|caching\r\n:3\r\n*3\r\n" +
			"+noscript\r\n+loading\r\n+stale\r\n:0\r\n:0\r\n:0\r\n*2\r\n+@slow\r\n+@connection\r\n" +
			"*0\r\n*0\r\n*0\r\n*10\r\n$15\r\nclient|getredir\r\n:2\r\n*3\r\n+noscript\r\n+loading\r\n" +
			"+stale\r\n:0\r\n:0\r\n:0\r\n*2\r\n+@slow\r\n+@connection\r\n*0\r\n*0\r\n*0\r\n*10\r\n" +
			"$11\r\nclient|list\r\n:-2\r\n*4\r\n+admin\r\n+noscript\r\n+loading\r\n+stale\r\n:0\r\n" +
			":0\r\n:0\r\n*4\r\n+@admin\r\n+@slow\r\n+@dangerous\r\n+@connection\r\n*1\r\n$23\r\n" +
			"nondeterministic_output\r\n*0\r\n*0\r\n",
		"mget": "*1\r\n*10\r\n$4\r\nmget\r\n:-2\r\n*2\r\n+readonly\r\n+fast\r\n:1\r\n:-1\r\n:1\r\n*3\r\n" +
			"+@read\r\n+@string\r\n+@fast\r\n*1\r\n$26\r\nrequest_policy:multi_shard\r\n*1\r\n*6\r\n" +
			"$5\r\nflags\r\n*2\r\n+RO\r\n+access\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\n" +
			"index\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\n" +
			"type\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:-1\r\n$7\r\nkeystep\r\n" +
			":1\r\n$5\r\nlimit\r\n:0\r\n*0\r\n",
		"del": "*1\r\n*10\r\n$3\r\ndel\r\n:-2\r\n*1\r\n+write\r\n:1\r\n:-1\r\n:1\r\n*3\r\n+@keyspace\r\n" +
			"+@write\r\n+@slow\r\n*2\r\n$26\r\nrequest_policy:multi_shard\r\n$23\r\n" +
			"response_policy:agg_sum\r\n*1\r\n*6\r\n$5\r\nflags\r\n*2\r\n+RM\r\n+delete\r\n$12\r\n" +
			"begin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n" +
			":1\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\n" +
			"lastkey\r\n:-1\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n*0\r\n",
		"scan": "*1\r\n*10\r\n$4\r\nscan\r\n:-2\r\n*1\r\n+readonly\r\n:0\r\n:0\r\n:0\r\n*3\r\n" +
			"+@keyspace\r\n+@read\r\n+@slow\r\n*2\r\n$23\r\nnondeterministic_output\r\n$22\r\n" +
			"request_policy:special\r\n*0\r\n*0\r\n",
	},
	3: {
		"get": "*1\r\n*10\r\n$3\r\nget\r\n:2\r\n~2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n~3\r\n" +
			"+@read\r\n+@string\r\n+@fast\r\n~0\r\n~1\r\n%3\r\n$5\r\nflags\r\n~2\r\n+RO\r\n" +
			"+access\r\n$12\r\nbegin_search\r\n%2\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n" +
			"%1\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n%2\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\n" +
			"spec\r\n%3\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n~0\r\n",
		"set": "*1\r\n*10\r\n$3\r\nset\r\n:-3\r\n~2\r\n+write\r\n+denyoom\r\n:1\r\n:1\r\n:1\r\n~3\r\n" +
			"+@write\r\n+@string\r\n+@slow\r\n~0\r\n~1\r\n%4\r\n$5\r\nnotes\r\n$48\r\n" +
			"RW and ACCESS due to the optional `GET` argument\r\n$5\r\nflags\r\n~4\r\n+RW\r\n" +
			"+access\r\n+update\r\n+variable_flags\r\n$12\r\nbegin_search\r\n%2\r\n$4\r\ntype\r\n" +
			"$5\r\nindex\r\n$4\r\nspec\r\n%1\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n%2\r\n$4\r\n" +
			"type\r\n$5\r\nrange\r\n$4\r\nspec\r\n%3\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n" +
			":1\r\n$5\r\nlimit\r\n:0\r\n~0\r\n",
		"client": "*1\r\n*10\r\n$6\r\nclient\r\n:-2\r\n~0\r\n:0\r\n:0\r\n:0\r\n~1\r\n+@slow\r\n~0\r\n~0\r\n" +
			"*16\r\n*10\r\n$14\r\nclient|unblock\r\n:-3\r\n~4\r\n+admin\r\n+noscript\r\n+loading\r\n" +
			"+stale\r\n:0\r\n:0\r\n:0\r\n~4\r\n+@admin\r\n+@slow\r\n+@dangerous\r\n+@connection\r\n" +
			"~0\r\n~0\r\n~0\r\n*10\r\n$15\r\nclient|tracking\r\n:-3\r\n~3\r\n+noscript\r\n" +
			"+loading\r\n+stale\r\n:0\r\n:0\r\n:0\r\n~2\r\n+@slow\r\n+@connection\r\n~0\r\n~0\r\n" +
			"~0\r\n*10\r\n$14\r\nclient|unpause\r\n:2\r\n~4\r\n+admin\r\n+noscript\r\n+loading\r\n" +
			"+stale\r\n:0\r\n:0\r\n:0\r\n~4\r\n+@admin\r\n+@slow\r\n+@dangerous\r\n+@connection\r\n" +
			"~0\r\n~0\r\n~0\r\n*10\r\n$19\r\nclient|trackinginfo\r\n:2\r\n~3\r\n+noscript\r\n" +
			"+loading\r\n+stale\r\n:0\r\n:0\r\n:0\r\n~2\r\n+@slow\r\n+@connection\r\n~0\r\n~0\r\n" +
			"~0\r\n*10\r\n$14\r\nclient|setname\r\n:3\r\n~3\r\n+noscript\r\n+loading\r\n+stale\r\n" +
			":0\r\n:0\r\n:0\r\n~2\r\n+@slow\r\n+@connection\r\n~0\r\n~0\r\n~0\r\n*10\r\n$14\r\n" +
			"client|getname\r\n:2\r\n~3\r\n+noscript\r\n+loading\r\n+stale\r\n:0\r\n:0\r\n:0\r\n" +
			"~2\r\n+@slow\r\n+@connection\r\n~0\r\n~0\r\n~0\r\n*10\r\n$11\r\nclient|info\r\n:2\r\n" +
			"~3\r\n+noscript\r\n+loading\r\n+stale\r\n:0\r\n:0\r\n:0\r\n~2\r\n+@slow\r\n" +
			"+@connection\r\n~1\r\n$23\r\nnondeterministic_output\r\n~0\r\n~0\r\n*10\r\n$11\r\n" +
			"client|kill\r\n:-3\r\n~4\r\n+admin\r\n+noscript\r\n+loading\r\n+stale\r\n:0\r\n:0\r\n" +
			":0\r\n~4\r\n+@admin\r\n+@slow\r\n+@dangerous\r\n+@connection\r\n~0\r\n~0\r\n~0\r\n" +
			"*10\r\n$12\r\nclient|reply\r\n:3\r\n~3\r\n+noscript\r\n+loading\r\n+stale\r\n:0\r\n" +
			":0\r\n:0\r\n~2\r\n+@slow\r\n+@connection\r\n~0\r\n~0\r\n~0\r\n*10\r\n$12\r\n" +
			"client|pause\r\n:-3\r\n~4\r\n+admin\r\n+noscript\r\n+loading\r\n+stale\r\n:0\r\n:0\r\n" +
			":0\r\n~4\r\n+@admin\r\n+@slow\r\n+@dangerous\r\n+@connection\r\n~0\r\n~0\r\n~0\r\n" +
			"*10\r\n$15\r\nclient|no-evict\r\n:3\r\n~4\r\n+admin\r\n+noscript\r\n+loading\r\n" +
			"+stale\r\n:0\r\n:0\r\n:0\r\n~4\r\n+@admin\r\n+@slow\r\n+@dangerous\r\n+@connection\r\n" +
			"~0\r\n~0\r\n~0\r\n*10\r\n$11\r\nclient|help\r\n:2\r\n~2\r\n+loading\r\n+stale\r\n:0\r\n" +
			":0\r\n:0\r\n~2\r\n+@slow\r\n+@connection\r\n~0\r\n~0\r\n~0\r\n*10\r\n$9\r\nclient|id\r\n" +
			":2\r\n~3\r\n+noscript\r\n+loading\r\n+stale\r\n:0\r\n:0\r\n:0\r\n~2\r\n+@slow\r\n" +
			"+@connection\r\n~0\r\n~0\r\n~0\r\n*10\r\n$14\r\nclient|caching\r\n:3\r\n~3\r\n" +
			"+noscript\r\n+loading\r\n+stale\r\n:0\r\n:0\r\n:0\r\n~2\r\n+@slow\r\n+@connection\r\n" +
			"~0\r\n~0\r\n~0\r\n*10\r\n$15\r\nclient|getredir\r\n:2\r\n~3\r\n+noscript\r\n+loading\r\n" +
			"+stale\r\n:0\r\n:0\r\n:0\r\n~2\r\n+@slow\r\n+@connection\r\n~0\r\n~0\r\n~0\r\n*10\r\n" +
			"$11\r\nclient|list\r\n:-2\r\n~4\r\n+admin\r\n+noscript\r\n+loading\r\n+stale\r\n:0\r\n" +
			":0\r\n:0\r\n~4\r\n+@admin\r\n+@slow\r\n+@dangerous\r\n+@connection\r\n~1\r\n$23\r\n" +
			"nondeterministic_output\r\n~0\r\n~0\r\n",
		"mget": "*1\r\n*10\r\n$4\r\nmget\r\n:-2\r\n~2\r\n+readonly\r\n+fast\r\n:1\r\n:-1\r\n:1\r\n~3\r\n" +
			"+@read\r\n+@string\r\n+@fast\r\n~1\r\n$26\r\nrequest_policy:multi_shard\r\n~1\r\n%3\r\n" +
			"$5\r\nflags\r\n~2\r\n+RO\r\n+access\r\n$12\r\nbegin_search\r\n%2\r\n$4\r\ntype\r\n$5\r\n" +
			"index\r\n$4\r\nspec\r\n%1\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n%2\r\n$4\r\n" +
			"type\r\n$5\r\nrange\r\n$4\r\nspec\r\n%3\r\n$7\r\nlastkey\r\n:-1\r\n$7\r\nkeystep\r\n" +
			":1\r\n$5\r\nlimit\r\n:0\r\n~0\r\n",
		"del": "*1\r\n*10\r\n$3\r\ndel\r\n:-2\r\n~1\r\n+write\r\n:1\r\n:-1\r\n:1\r\n~3\r\n+@keyspace\r\n" +
			"+@write\r\n+@slow\r\n~2\r\n$26\r\nrequest_policy:multi_shard\r\n$23\r\n" +
			"response_policy:agg_sum\r\n~1\r\n%3\r\n$5\r\nflags\r\n~2\r\n+RM\r\n+delete\r\n$12\r\n" +
			"begin_search\r\n%2\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n%1\r\n$5\r\nindex\r\n" +
			":1\r\n$9\r\nfind_keys\r\n%2\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n%3\r\n$7\r\n" +
			"lastkey\r\n:-1\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n~0\r\n",
		"scan": "*1\r\n*10\r\n$4\r\nscan\r\n:-2\r\n~1\r\n+readonly\r\n:0\r\n:0\r\n:0\r\n~3\r\n" +
			"+@keyspace\r\n+@read\r\n+@slow\r\n~2\r\n$23\r\nnondeterministic_output\r\n$22\r\n" +
			"request_policy:special\r\n~0\r\n~0\r\n",
	},
}

// Golden COMMAND DOCS replies from redis-server 7.0.15 for commands whose
// docs carry no history. Redis's summary bulk string is replaced by the
// <SUMMARY> marker; the test puts ours there.
var goldenCommandDocs = map[int]map[string]string{
	2: {
		"get": "*2\r\n$3\r\nget\r\n*10\r\n$7\r\nsummary\r\n<SUMMARY>$5\r\nsince\r\n$5\r\n1.0.0\r\n$5\r\n" +
			"group\r\n$6\r\nstring\r\n$10\r\ncomplexity\r\n$4\r\nO(1)\r\n$9\r\narguments\r\n*1\r\n" +
			"*6\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n$14\r\nkey_spec_index\r\n" +
			":0\r\n",
		"getex": "*2\r\n$5\r\ngetex\r\n*10\r\n$7\r\nsummary\r\n<SUMMARY>$5\r\nsince\r\n$5\r\n6.2.0\r\n" +
			"$5\r\ngroup\r\n$6\r\nstring\r\n$10\r\ncomplexity\r\n$4\r\nO(1)\r\n$9\r\narguments\r\n" +
			"*2\r\n*6\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n$14\r\n" +
			"key_spec_index\r\n:0\r\n*8\r\n$4\r\nname\r\n$10\r\nexpiration\r\n$4\r\ntype\r\n$5\r\n" +
			"oneof\r\n$5\r\nflags\r\n*1\r\n+optional\r\n$9\r\narguments\r\n*5\r\n*6\r\n$4\r\nname\r\n" +
			"$7\r\nseconds\r\n$4\r\ntype\r\n$7\r\ninteger\r\n$5\r\ntoken\r\n$2\r\nEX\r\n*6\r\n$4\r\n" +
			"name\r\n$12\r\nmilliseconds\r\n$4\r\ntype\r\n$7\r\ninteger\r\n$5\r\ntoken\r\n$2\r\n" +
			"PX\r\n*6\r\n$4\r\nname\r\n$17\r\nunix-time-seconds\r\n$4\r\ntype\r\n$9\r\nunix-time\r\n" +
			"$5\r\ntoken\r\n$4\r\nEXAT\r\n*6\r\n$4\r\nname\r\n$22\r\nunix-time-milliseconds\r\n$4\r\n" +
			"type\r\n$9\r\nunix-time\r\n$5\r\ntoken\r\n$4\r\nPXAT\r\n*6\r\n$4\r\nname\r\n$7\r\n" +
			"persist\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$7\r\nPERSIST\r\n",
		"copy": "*2\r\n$4\r\ncopy\r\n*10\r\n$7\r\nsummary\r\n<SUMMARY>$5\r\nsince\r\n$5\r\n6.2.0\r\n" +
			"$5\r\ngroup\r\n$7\r\ngeneric\r\n$10\r\ncomplexity\r\n$95\r\n" +
			"O(N) worst case for collections, where N is the number of nested items. O(1) for string values.\r\n" +
			"$9\r\narguments\r\n*4\r\n*6\r\n$4\r\nname\r\n$6\r\nsource\r\n$4\r\ntype\r\n$3\r\nkey\r\n" +
			"$14\r\nkey_spec_index\r\n:0\r\n*6\r\n$4\r\nname\r\n$11\r\ndestination\r\n$4\r\ntype\r\n" +
			"$3\r\nkey\r\n$14\r\nkey_spec_index\r\n:1\r\n*8\r\n$4\r\nname\r\n$14\r\n" +
			"destination-db\r\n$4\r\ntype\r\n$7\r\ninteger\r\n$5\r\ntoken\r\n$2\r\nDB\r\n$5\r\n" +
			"flags\r\n*1\r\n+optional\r\n*8\r\n$4\r\nname\r\n$7\r\nreplace\r\n$4\r\ntype\r\n$10\r\n" +
			"pure-token\r\n$5\r\ntoken\r\n$7\r\nREPLACE\r\n$5\r\nflags\r\n*1\r\n+optional\r\n",
		"mset": "*2\r\n$4\r\nmset\r\n*10\r\n$7\r\nsummary\r\n<SUMMARY>$5\r\nsince\r\n$5\r\n1.0.1\r\n" +
			"$5\r\ngroup\r\n$6\r\nstring\r\n$10\r\ncomplexity\r\n$42\r\n" +
			"O(N) where N is the number of keys to set.\r\n$9\r\narguments\r\n*1\r\n*8\r\n$4\r\n" +
			"name\r\n$9\r\nkey_value\r\n$4\r\ntype\r\n$5\r\nblock\r\n$5\r\nflags\r\n*1\r\n" +
			"+multiple\r\n$9\r\narguments\r\n*2\r\n*6\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n" +
			"$3\r\nkey\r\n$14\r\nkey_spec_index\r\n:0\r\n*4\r\n$4\r\nname\r\n$5\r\nvalue\r\n$4\r\n" +
			"type\r\n$6\r\nstring\r\n",
	},
	3: {
		"get": "%1\r\n$3\r\nget\r\n%5\r\n$7\r\nsummary\r\n<SUMMARY>$5\r\nsince\r\n$5\r\n1.0.0\r\n$5\r\n" +
			"group\r\n$6\r\nstring\r\n$10\r\ncomplexity\r\n$4\r\nO(1)\r\n$9\r\narguments\r\n*1\r\n" +
			"%3\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n$14\r\nkey_spec_index\r\n" +
			":0\r\n",
		"getex": "%1\r\n$5\r\ngetex\r\n%5\r\n$7\r\nsummary\r\n<SUMMARY>$5\r\nsince\r\n$5\r\n6.2.0\r\n" +
			"$5\r\ngroup\r\n$6\r\nstring\r\n$10\r\ncomplexity\r\n$4\r\nO(1)\r\n$9\r\narguments\r\n" +
			"*2\r\n%3\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n$14\r\n" +
			"key_spec_index\r\n:0\r\n%4\r\n$4\r\nname\r\n$10\r\nexpiration\r\n$4\r\ntype\r\n$5\r\n" +
			"oneof\r\n$5\r\nflags\r\n~1\r\n+optional\r\n$9\r\narguments\r\n*5\r\n%3\r\n$4\r\nname\r\n" +
			"$7\r\nseconds\r\n$4\r\ntype\r\n$7\r\ninteger\r\n$5\r\ntoken\r\n$2\r\nEX\r\n%3\r\n$4\r\n" +
			"name\r\n$12\r\nmilliseconds\r\n$4\r\ntype\r\n$7\r\ninteger\r\n$5\r\ntoken\r\n$2\r\n" +
			"PX\r\n%3\r\n$4\r\nname\r\n$17\r\nunix-time-seconds\r\n$4\r\ntype\r\n$9\r\nunix-time\r\n" +
			"$5\r\ntoken\r\n$4\r\nEXAT\r\n%3\r\n$4\r\nname\r\n$22\r\nunix-time-milliseconds\r\n$4\r\n" +
			"type\r\n$9\r\nunix-time\r\n$5\r\ntoken\r\n$4\r\nPXAT\r\n%3\r\n$4\r\nname\r\n$7\r\n" +
			"persist\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$7\r\nPERSIST\r\n",
		"copy": "%1\r\n$4\r\ncopy\r\n%5\r\n$7\r\nsummary\r\n<SUMMARY>$5\r\nsince\r\n$5\r\n6.2.0\r\n$5\r\n" +
			"group\r\n$7\r\ngeneric\r\n$10\r\ncomplexity\r\n$95\r\n" +
			"O(N) worst case for collections, where N is the number of nested items. O(1) for string values.\r\n" +
			"$9\r\narguments\r\n*4\r\n%3\r\n$4\r\nname\r\n$6\r\nsource\r\n$4\r\ntype\r\n$3\r\nkey\r\n" +
			"$14\r\nkey_spec_index\r\n:0\r\n%3\r\n$4\r\nname\r\n$11\r\ndestination\r\n$4\r\ntype\r\n" +
			"$3\r\nkey\r\n$14\r\nkey_spec_index\r\n:1\r\n%4\r\n$4\r\nname\r\n$14\r\n" +
			"destination-db\r\n$4\r\ntype\r\n$7\r\ninteger\r\n$5\r\ntoken\r\n$2\r\nDB\r\n$5\r\n" +
			"flags\r\n~1\r\n+optional\r\n%4\r\n$4\r\nname\r\n$7\r\nreplace\r\n$4\r\ntype\r\n$10\r\n" +
			"pure-token\r\n$5\r\ntoken\r\n$7\r\nREPLACE\r\n$5\r\nflags\r\n~1\r\n+optional\r\n",
		"mset": "%1\r\n$4\r\nmset\r\n%5\r\n$7\r\nsummary\r\n<SUMMARY>$5\r\nsince\r\n$5\r\n1.0.1\r\n$5\r\n" +
			"group\r\n$6\r\nstring\r\n$10\r\ncomplexity\r\n$42\r\n" +
			"O(N) where N is the number of keys to set.\r\n$9\r\narguments\r\n*1\r\n%4\r\n$4\r\n" +
			"name\r\n$9\r\nkey_value\r\n$4\r\ntype\r\n$5\r\nblock\r\n$5\r\nflags\r\n~1\r\n" +
			"+multiple\r\n$9\r\narguments\r\n*2\r\n%3\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n" +
			"$3\r\nkey\r\n$14\r\nkey_spec_index\r\n:0\r\n%2\r\n$4\r\nname\r\n$5\r\nvalue\r\n$4\r\n" +
			"type\r\n$6\r\nstring\r\n",
	},
}
