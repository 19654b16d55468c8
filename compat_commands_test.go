package remoted_test

import (
	"bufio"
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/remoted/remoted/resp"
	"github.com/tidwall/redcon"
)

// notInRedis70 are the commands and subcommands of remoted's table that
// Redis 7.0 lacks: remoted's own, and CLIENT SETINFO (Redis 7.2).
var notInRedis70 = map[string]bool{
	"lock": true, "unlock": true, "locks": true, "inspect": true,
	"client|setinfo": true,
}

// metaFunc runs COMMAND INFO or COMMAND DOCS on one side of the comparison
// and returns the raw reply and its parse.
type metaFunc func(t *testing.T, args ...string) ([]byte, *respValue)

// TestCommandTable compares remoted's command metadata with a real
// redis-server's, in RESP2 and RESP3: COMMAND INFO byte for byte, COMMAND
// DOCS field by field except the summary, which must be our own words and
// so differ from Redis's. "served" asks a running remoted about every
// command its COMMAND LIST names; "table" renders every entry of
// resp.Commands() the way the server does, so entries whose handlers have
// not landed yet are checked too. A container command (CLIENT, OBJECT...)
// has a subset of Redis's subcommands, and Redis 7.0 lists subcommands in
// an order that changes from run to run, so for containers the
// subcommands are compared by name, each one on its own.
func TestCommandTable(t *testing.T) {
	ref := startRedis(t)
	t.Run("served", func(t *testing.T) {
		sut := startRemoted(t)
		for _, proto := range []int{2, 3} {
			t.Run(fmt.Sprintf("RESP%d", proto), func(t *testing.T) {
				redis, remoted := metaConn(t, ref, proto), metaConn(t, sut, proto)
				_, list := remoted(t, "COMMAND", "LIST")
				if len(list.Elems) == 0 {
					t.Fatalf("COMMAND LIST: %s", render(list))
				}
				for _, e := range list.Elems {
					if !notInRedis70[e.Str] {
						compareCommandMeta(t, e.Str, redis, remoted)
					}
				}
			})
		}
	})
	t.Run("table", func(t *testing.T) {
		tab := resp.NewTable(resp.Commands())
		for _, proto := range []int{2, 3} {
			t.Run(fmt.Sprintf("RESP%d", proto), func(t *testing.T) {
				redis, table := metaConn(t, ref, proto), metaTable(tab, proto)
				for _, c := range tab.All() {
					for _, n := range append([]string{c.Name}, subcommandNames(c)...) {
						if !notInRedis70[n] {
							compareCommandMeta(t, n, redis, table)
						}
					}
				}
			})
		}
	})
}

func subcommandNames(c *resp.Command) []string {
	var names []string
	for _, s := range c.Subcommands {
		names = append(names, s.Name)
	}
	return names
}

// metaConn asks srv over a new unix socket connection in protocol proto.
func metaConn(t *testing.T, srv *testServer, proto int) metaFunc {
	c := dialRESP(t, "unix", srv.UnixPath)
	do := func(t *testing.T, args ...string) ([]byte, *respValue) {
		t.Helper()
		raw, v, err := c.Do(args...)
		if err != nil || v.isError() {
			t.Fatalf("%s: %q: %v %q", srv.Name, args, err, raw)
		}
		return raw, v
	}
	if proto == 3 {
		do(t, "HELLO", "3")
	}
	return do
}

// metaTable answers COMMAND INFO and COMMAND DOCS with one name from tab,
// rendered as the server renders them.
func metaTable(tab *resp.Table, proto int) metaFunc {
	return func(t *testing.T, args ...string) ([]byte, *respValue) {
		t.Helper()
		parent, sub, isSub := strings.Cut(args[2], "|")
		c := tab.Lookup(parent)
		if c != nil && isSub {
			c = c.Sub(sub)
		}
		if c == nil {
			t.Fatalf("table has no %s", args[2])
		}
		var buf bytes.Buffer
		out := redcon.NewWriter(&buf)
		w := resp.NewWriter(out)
		w.SetProto(proto)
		if args[1] == "INFO" {
			w.Array(1)
			w.CommandInfo(c)
		} else {
			w.Map(1)
			w.BulkString(c.Name)
			w.CommandDocs(c)
		}
		if err := out.Flush(); err != nil {
			t.Fatal(err)
		}
		raw, v, err := readRESP(bufio.NewReader(&buf))
		if err != nil {
			t.Fatalf("table's %q: %v %q", args, err, raw)
		}
		return raw, v
	}
}

// compareCommandMeta compares COMMAND INFO and COMMAND DOCS of name.
func compareCommandMeta(t *testing.T, name string, redis, sut metaFunc) {
	t.Run(name, func(t *testing.T) {
		rRaw, rv := redis(t, "COMMAND", "INFO", name)
		sRaw, sv := sut(t, "COMMAND", "INFO", name)
		if len(rv.Elems) != 1 || rv.Elems[0].Null || len(rv.Elems[0].Elems) != 10 {
			t.Fatalf("redis-server: COMMAND INFO %s: %q", name, rRaw)
		}
		if len(sv.Elems) != 1 || len(sv.Elems[0].Elems) != 10 {
			t.Fatalf("COMMAND INFO %s: %q", name, sRaw)
		}
		ri, si := rv.Elems[0].Elems, sv.Elems[0].Elems
		if len(ri[9].Elems) == 0 {
			if !bytes.Equal(rRaw, sRaw) {
				t.Errorf("COMMAND INFO %s differs:\nredis-server: %q\nours:         %q", name, rRaw, sRaw)
			}
		} else {
			for i := 0; i < 9; i++ {
				if why := sameValue(ri[i], si[i]); why != "" {
					t.Errorf("COMMAND INFO %s, element %d: %s", name, i, why)
				}
			}
			checkSubset(t, name, infoSubNames(ri[9]), infoSubNames(si[9]))
		}

		_, rd := redis(t, "COMMAND", "DOCS", name)
		_, sd := sut(t, "COMMAND", "DOCS", name)
		if len(rd.Elems) != 2 || len(sd.Elems) != 2 || sd.Elems[0].Str != name {
			t.Fatalf("COMMAND DOCS %s: redis-server %s, ours %s", name, render(rd), render(sd))
		}
		compareDocs(t, name, rd.Elems[1], sd.Elems[1])
	})
}

// compareDocs compares one command's COMMAND DOCS maps key by key, in
// order.
func compareDocs(t *testing.T, name string, r, s *respValue) {
	t.Helper()
	if r.Kind != s.Kind || len(r.Elems)%2 != 0 {
		t.Errorf("COMMAND DOCS %s: redis-server %s, ours %s", name, render(r), render(s))
		return
	}
	if len(r.Elems) != len(s.Elems) {
		t.Errorf("COMMAND DOCS %s: keys differ: redis-server %q, ours %q", name, docKeys(r), docKeys(s))
		return
	}
	for i := 0; i < len(r.Elems); i += 2 {
		key := r.Elems[i].Str
		if s.Elems[i].Str != key {
			t.Errorf("COMMAND DOCS %s: keys differ: redis-server %q, ours %q", name, docKeys(r), docKeys(s))
			return
		}
		rv, sv := r.Elems[i+1], s.Elems[i+1]
		switch key {
		case "summary":
			// Ours must be our own words, not Redis's (except when the
			// harness self-test runs a redis-server as "remoted").
			if !selftest() && strings.EqualFold(rv.Str, sv.Str) {
				t.Errorf("COMMAND DOCS %s: the summary is Redis's: %q", name, sv.Str)
			}
		case "subcommands":
			var rn, sn []string
			for j := 0; j < len(rv.Elems); j += 2 {
				rn = append(rn, rv.Elems[j].Str)
			}
			for j := 0; j < len(sv.Elems); j += 2 {
				sn = append(sn, sv.Elems[j].Str)
			}
			checkSubset(t, name+" docs", rn, sn)
		default:
			if why := sameValue(rv, sv); why != "" {
				t.Errorf("COMMAND DOCS %s, %s: %s", name, key, why)
			}
		}
	}
}

func docKeys(m *respValue) []string {
	var keys []string
	for i := 0; i < len(m.Elems); i += 2 {
		keys = append(keys, m.Elems[i].Str)
	}
	return keys
}

// infoSubNames returns the names of COMMAND INFO's subcommand entries.
func infoSubNames(subs *respValue) []string {
	var names []string
	for _, e := range subs.Elems {
		if len(e.Elems) > 0 {
			names = append(names, e.Elems[0].Str)
		}
	}
	return names
}

// checkSubset requires every subcommand of ours, other than the ones
// Redis 7.0 lacks, to be one of Redis's, each once.
func checkSubset(t *testing.T, name string, redis, ours []string) {
	t.Helper()
	seen := map[string]bool{}
	for _, n := range ours {
		if seen[n] {
			t.Errorf("%s: subcommand %s listed twice", name, n)
		}
		seen[n] = true
		if !notInRedis70[n] && !slices.Contains(redis, n) {
			t.Errorf("%s: subcommand %s is not one of redis-server's %q", name, n, redis)
		}
	}
}
