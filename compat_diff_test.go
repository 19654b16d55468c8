// The differential test: the same command lines, raw replies compared
// byte for byte, against a real redis-server and remoted.

package remoted_test

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"net"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// ---------------------------------------------------------------------------
// The differential test.

// cmpMode says how much of a reply the differential test compares.
type cmpMode int

const (
	cmpExact     cmpMode = iota // byte for byte
	cmpShape                    // same RESP types, nulls and element counts, recursively; payloads not compared
	cmpType                     // same top-level RESP type only
	cmpHello                    // HELLO: same keys; values equal except server, version, id
	cmpSorted                   // aggregate: elements compared after sorting
	cmpScan                     // SCAN: [cursor, [keys]]: keys compared sorted when both cursors are 0, else only their types
	cmpIntTol                   // integers within tol of each other
	cmpIgnore                   // not compared at all
	cmpMap                      // map (RESP3) or flat key/value array (RESP2): same pairs in any order
	cmpErrPrefix                // both errors, equal in their first tol bytes (a Lua message of gopher-lua's own words after them)
)

var cmpNames = map[cmpMode]string{cmpExact: "exact", cmpShape: "shape", cmpType: "type", cmpHello: "hello", cmpSorted: "sorted", cmpScan: "scan", cmpIntTol: "int±tol", cmpIgnore: "ignore", cmpMap: "map", cmpErrPrefix: "error prefix"}

// allowRule relaxes the comparison for command lines starting with words.
type allowRule struct {
	words []string // leading command words, case-insensitive
	mode  cmpMode
	tol   int64
	why   string
}

// allowList is every relaxation the differential test makes; everything
// else is compared byte for byte. Error replies are always compared byte
// for byte, whatever the rule (except cmpIgnore).
var allowList = []allowRule{
	{[]string{"INFO"}, cmpType, 0, "INFO's contents are each server's own"},
	{[]string{"CLIENT", "LIST"}, cmpType, 0, "ids, ages, addresses and fds differ"},
	{[]string{"CLIENT", "INFO"}, cmpType, 0, "ids, ages, addresses and fds differ"},
	{[]string{"CLIENT", "ID"}, cmpShape, 0, "ids differ"},
	{[]string{"TIME"}, cmpShape, 0, "the clock moves"},
	{[]string{"HELLO"}, cmpHello, 0, "server, version and id differ"},
	{[]string{"COMMAND", "COUNT"}, cmpShape, 0, "remoted has fewer commands"},
	{[]string{"COMMAND", "DOCS"}, cmpType, 0, "remoted has fewer commands"},
	{[]string{"COMMAND", "LIST"}, cmpType, 0, "remoted has fewer commands"},
	{[]string{"RANDOMKEY"}, cmpShape, 0, "random when there is more than one key (null vs key still checked)"},
	{[]string{"SCAN"}, cmpScan, 0, "cursor values and order are the hash table's"},
	{[]string{"KEYS"}, cmpSorted, 0, "order is the hash table's"},
	{[]string{"TTL"}, cmpIntTol, 1, "a second may tick between the servers"},
	{[]string{"PTTL"}, cmpIntTol, 1000, "milliseconds pass between the servers"},
	{[]string{"OBJECT", "IDLETIME"}, cmpIntTol, 2, "seconds tick between the servers"},
	{[]string{"CONFIG", "GET"}, cmpMap, 0, "Redis lists the matches in its dictionary's order, which varies from run to run"},
}

func ruleFor(args []string) allowRule {
	for _, r := range allowList {
		if len(args) < len(r.words) {
			continue
		}
		match := true
		for i, w := range r.words {
			if !strings.EqualFold(args[i], w) {
				match = false
				break
			}
		}
		if match {
			return r
		}
	}
	return allowRule{mode: cmpExact}
}

// compareReplies returns "" when a and b agree under rule, else why not.
func compareReplies(rule allowRule, rawA, rawB []byte, a, b *respValue) string {
	if rule.mode == cmpIgnore {
		return ""
	}
	if bytes.Equal(rawA, rawB) {
		return ""
	}
	if rule.mode == cmpErrPrefix {
		n := int(rule.tol)
		if !a.isError() || !b.isError() || len(rawA) < n || len(rawB) < n || !bytes.Equal(rawA[:n], rawB[:n]) {
			return fmt.Sprintf("not both errors equal in their first %d bytes", n)
		}
		return ""
	}
	if rule.mode == cmpExact || a.isError() || b.isError() {
		return "raw replies differ"
	}
	switch rule.mode {
	case cmpType:
		if a.Kind != b.Kind || a.Null != b.Null {
			return fmt.Sprintf("reply types differ: %q (null %v) vs %q (null %v)", a.Kind, a.Null, b.Kind, b.Null)
		}
		return ""
	case cmpShape:
		return sameShape(a, b, "reply")
	case cmpHello:
		ma, err := pairs(a)
		if err != "" {
			return err
		}
		mb, err := pairs(b)
		if err != "" {
			return err
		}
		if a.Kind != b.Kind {
			return fmt.Sprintf("HELLO reply types differ: %q vs %q", a.Kind, b.Kind)
		}
		var ka, kb []string
		for k := range ma {
			ka = append(ka, k)
		}
		for k := range mb {
			kb = append(kb, k)
		}
		slices.Sort(ka)
		slices.Sort(kb)
		if !slices.Equal(ka, kb) {
			return fmt.Sprintf("HELLO keys differ: %q vs %q", ka, kb)
		}
		for _, k := range ka {
			switch k {
			case "server", "version", "id":
				if why := sameShape(ma[k], mb[k], "HELLO "+k); why != "" {
					return why
				}
			default:
				if why := sameValue(ma[k], mb[k]); why != "" {
					return "HELLO " + k + ": " + why
				}
			}
		}
		return ""
	case cmpSorted:
		if a.Kind != b.Kind || a.Null != b.Null {
			return fmt.Sprintf("reply types differ: %q vs %q", a.Kind, b.Kind)
		}
		return sameSorted(a.Elems, b.Elems)
	case cmpScan:
		if a.Kind != '*' || b.Kind != '*' || len(a.Elems) != 2 || len(b.Elems) != 2 {
			return "SCAN reply is not a 2-element array"
		}
		if a.Elems[0].Kind != '$' || b.Elems[0].Kind != '$' {
			return "SCAN cursor is not a bulk string"
		}
		ea, eb := a.Elems[1], b.Elems[1]
		if ea.Kind != '*' || eb.Kind != '*' {
			return fmt.Sprintf("SCAN key lists are not arrays: %q vs %q", ea.Kind, eb.Kind)
		}
		for _, e := range append(slices.Clip(ea.Elems), eb.Elems...) {
			if e.Kind != '$' || e.Null {
				return "SCAN key list holds a non-bulk or null element: " + render(e)
			}
		}
		if a.Elems[0].Str != "0" || b.Elems[0].Str != "0" {
			// A partial iteration returns whichever keys the server's
			// table order gives: only a completed one is comparable.
			return ""
		}
		return sameSorted(ea.Elems, eb.Elems)
	case cmpMap:
		return samePairs(a, b)
	case cmpIntTol:
		if a.Kind != ':' || b.Kind != ':' {
			return "not both integers"
		}
		x, _ := strconv.ParseInt(a.Str, 10, 64)
		y, _ := strconv.ParseInt(b.Str, 10, 64)
		if d := x - y; d > rule.tol || d < -rule.tol || (x < 0) != (y < 0) {
			return fmt.Sprintf("integers %d and %d differ by more than %d", x, y, rule.tol)
		}
		return ""
	}
	return "raw replies differ"
}

func sameShape(a, b *respValue, where string) string {
	if a.Kind != b.Kind || a.Null != b.Null || len(a.Elems) != len(b.Elems) {
		return fmt.Sprintf("%s shapes differ: type %q null %v %d elems vs type %q null %v %d elems", where, a.Kind, a.Null, len(a.Elems), b.Kind, b.Null, len(b.Elems))
	}
	for i := range a.Elems {
		if why := sameShape(a.Elems[i], b.Elems[i], fmt.Sprintf("%s[%d]", where, i)); why != "" {
			return why
		}
	}
	return ""
}

func sameValue(a, b *respValue) string {
	if a.Kind != b.Kind || a.Null != b.Null || a.Str != b.Str || len(a.Elems) != len(b.Elems) {
		return fmt.Sprintf("values differ: %s vs %s", render(a), render(b))
	}
	for i := range a.Elems {
		if why := sameValue(a.Elems[i], b.Elems[i]); why != "" {
			return why
		}
	}
	return ""
}

func sameSorted(a, b []*respValue) string {
	ra := make([]string, len(a))
	rb := make([]string, len(b))
	for i, v := range a {
		ra[i] = render(v)
	}
	for i, v := range b {
		rb[i] = render(v)
	}
	slices.Sort(ra)
	slices.Sort(rb)
	if !slices.Equal(ra, rb) {
		return fmt.Sprintf("sorted elements differ: %q vs %q", ra, rb)
	}
	return ""
}

// render is a compact one-line form of a value for messages and sorting.
func render(v *respValue) string {
	if v.Null {
		return string(v.Kind) + "null"
	}
	if len(v.Elems) > 0 || strings.ContainsRune("*~>%", rune(v.Kind)) {
		parts := make([]string, len(v.Elems))
		for i, e := range v.Elems {
			parts[i] = render(e)
		}
		return string(v.Kind) + "[" + strings.Join(parts, " ") + "]"
	}
	return string(v.Kind) + strconv.Quote(v.Str)
}

// samePairs compares two maps (or flat key/value arrays) pair by pair.
func samePairs(a, b *respValue) string {
	if a.Kind != b.Kind || len(a.Elems) != len(b.Elems) {
		return fmt.Sprintf("reply types or sizes differ: %s vs %s", render(a), render(b))
	}
	ma, why := pairs(a)
	if why != "" {
		return why
	}
	mb, why := pairs(b)
	if why != "" {
		return why
	}
	for k, va := range ma {
		vb, ok := mb[k]
		if !ok {
			return fmt.Sprintf("key %q only in the first", k)
		}
		if why := sameValue(va, vb); why != "" {
			return k + ": " + why
		}
	}
	return ""
}

// pairs turns a HELLO reply (RESP3 map, RESP2 flat array) into a map.
func pairs(v *respValue) (map[string]*respValue, string) {
	if (v.Kind != '%' && v.Kind != '*') || len(v.Elems)%2 != 0 {
		return nil, fmt.Sprintf("not a map or flat key/value array: %s", render(v))
	}
	m := make(map[string]*respValue)
	for i := 0; i < len(v.Elems); i += 2 {
		m[v.Elems[i].Str] = v.Elems[i+1]
	}
	return m, ""
}

// diffScript is the command sequence of the differential test. It runs in
// order on one connection per server, once in RESP2 and once in RESP3, so
// later lines see the state earlier ones left; each starts from FLUSHALL.
// "{proto}" is replaced by the session's protocol version (2 or 3), so a
// successful HELLO never switches the session's protocol.
//
// Rules: string values (each other type has its own script, run by
// diffScriptTest, in compat_diff_<type>_test.go); no expiry short
// enough to pass during the run (expiries either far in the future, checked
// with TTL ±1 / PTTL ±1000, absolute ones fixed in 2100, or in the past so
// the key is gone at once); no transactions (MULTI/EXEC/WATCH: separate).
var diffScript = []string{
	"FLUSHALL",
	"DBSIZE",
	"RANDOMKEY",
	// connection
	"PING",
	"PING hello",
	`PING "with space"`,
	"PING a b",
	"ECHO hi",
	`ECHO "\x00\xff\r\nbinary"`,
	"ECHO",
	"ECHO a b",
	"SELECT 0",
	"SELECT 1",
	"SELECT -1",
	"SELECT abc",
	"SELECT",
	"SELECT 0 0",
	"HELLO 4",
	"HELLO abc",
	"HELLO {proto} FOO",
	"HELLO {proto} AUTH default",
	"HELLO {proto} AUTH default wrongpass",
	"HELLO",
	"AUTH pw",
	"AUTH default pw",
	"AUTH a b c",
	"AUTH",
	"nosuchcommand",
	"nosuchcommand a b",
	`NoSuchCommand "x y" z`,
	// GET / SET and options
	"GET nokey",
	"GET",
	"GET a b",
	"SET k v",
	"GET k",
	"set k v1",
	"Get k",
	"SET k v2 NX",
	"SET k v3 XX",
	"GET k",
	"SET nk v XX",
	"GET nk",
	"SET nk v NX",
	"SET nk v NX XX",
	"SET nk v XX NX",
	"SET k v4 GET",
	"SET k v5 NX GET",
	"SET k v6 XX GET",
	"SET newget v GET",
	"SET k v nx",
	"SET k v EX 100000",
	"TTL k",
	"SET k v EX 0",
	"SET k v EX -1",
	"SET k v EX abc",
	"SET k v EX 1.5",
	"SET k v PX 0",
	"SET k v PX 99999999999999999999",
	"SET k v EX 9223372036854775807",
	"SET k v PX 9223372036854775807",
	"SET k v EX",
	"SET k v EX 10 PX 10",
	"SET k v EX 10 EX 10",
	"SET k v EX 10 KEEPTTL",
	"SET k v PX 100000000",
	"PTTL k",
	"SET k v KEEPTTL",
	"TTL k",
	"SET k v",
	"TTL k",
	"SET k v EXAT 4102444800",
	"EXPIRETIME k",
	"PEXPIRETIME k",
	"SET k v PXAT 4102444800123",
	"PEXPIRETIME k",
	"EXPIRETIME k",
	"SET k v EXAT 0",
	"SET k v PXAT -5",
	"SET k v EXAT 1",
	"EXISTS k",
	"GET k",
	"SET k v PXAT 1 GET",
	"GET k",
	"SET k v FOO",
	"SET k",
	"SET",
	`SET "" empty-key`,
	`GET ""`,
	`SET ek ""`,
	"GET ek",
	"STRLEN ek",
	// SETNX SETEX PSETEX GETSET GETDEL
	"SETNX sn 1",
	"SETNX sn 2",
	"GET sn",
	"SETNX sn",
	"SETEX se 100000 v",
	"TTL se",
	"GET se",
	"SETEX se 0 v",
	"SETEX se -5 v",
	"SETEX se abc v",
	"SETEX se 10",
	"PSETEX pse 100000000 v",
	"PTTL pse",
	"PSETEX pse 0 v",
	"PSETEX pse abc v",
	"GETSET gs new",
	"GETSET gs newer",
	"GET gs",
	"GETSET gs",
	"GETDEL gs",
	"GETDEL gs",
	"GETDEL",
	// GETEX
	"SET ge v",
	"GETEX ge",
	"TTL ge",
	"GETEX ge EX 100000",
	"TTL ge",
	"GETEX ge PX 100000000",
	"PTTL ge",
	"GETEX ge EXAT 4102444800",
	"EXPIRETIME ge",
	"GETEX ge PXAT 4102444800123",
	"PEXPIRETIME ge",
	"GETEX ge PERSIST",
	"TTL ge",
	"GETEX ge EX 0",
	"GETEX ge EX -1",
	"GETEX ge EX abc",
	"GETEX ge PX 99999999999999999999",
	"GETEX ge EX",
	"GETEX ge EX 10 PX 10",
	"GETEX ge PERSIST EX 10",
	"GETEX ge KEEPTTL",
	"GETEX ge FOO",
	"GETEX nokey EX 10",
	"GETEX nokey",
	"GETEX",
	"GETEX ge EXAT 1",
	"EXISTS ge",
	// MGET MSET MSETNX
	"MSET a 1 b 2 c 3",
	"MGET a b c nokey",
	"MGET a",
	"MSET a 1 b",
	"MSET a",
	"MSET",
	"MGET",
	"MSET a 10 a 11",
	"GET a",
	"MSETNX a 1 d 4",
	"MSETNX d 4 e 5",
	"MSETNX d 4 e",
	"MSETNX f 1 f 2",
	"MGET d e f",
	// INCR family
	"INCR counter",
	"INCR counter",
	"INCRBY counter 10",
	"INCRBY counter -3",
	"DECR counter",
	"DECRBY counter 5",
	"DECRBY counter -5",
	"GET counter",
	"INCR",
	"INCR a b",
	"INCRBY counter",
	"INCRBY counter abc",
	"INCRBY counter 1.5",
	"INCRBY counter 9223372036854775808",
	"INCRBY counter -9223372036854775809",
	"DECRBY counter -9223372036854775808",
	"SET big 9223372036854775807",
	"INCR big",
	"INCRBY big 1",
	"DECRBY big -1",
	"GET big",
	"SET small -9223372036854775808",
	"DECR small",
	"DECRBY small 1",
	"INCRBY small -1",
	"INCR small",
	"SET big 9223372036854775808",
	"INCR big",
	"SET notint abc",
	"INCR notint",
	`SET sp " 1"`,
	"INCR sp",
	`SET sp2 "1 "`,
	"INCR sp2",
	"SET plus +1",
	"INCR plus",
	"SET lead 01",
	"INCR lead",
	"SET flt 1.0",
	"INCR flt",
	"SET neg0 -0",
	"INCR neg0",
	"SET neg -5",
	"INCR neg",
	`INCR ""`,
	"INCRBY fresh -9223372036854775808",
	"INCR fresh",
	// INCRBYFLOAT and its formatting
	"INCRBYFLOAT fa 10.5",
	"INCRBYFLOAT fa 0.1",
	"INCRBYFLOAT fa -10.6",
	"GET fa",
	"INCRBYFLOAT f5 0.1",
	"INCRBYFLOAT f5 0.2",
	"SET f2 5.0e3",
	"INCRBYFLOAT f2 3.0e3",
	"INCRBYFLOAT f2 2.0e-3",
	"INCRBYFLOAT f3 1e-5",
	"INCRBYFLOAT f4 1.7976931348623157e308",
	"INCRBYFLOAT f6 1e20",
	"INCRBYFLOAT f6 1",
	"INCRBYFLOAT f7 123456789.123456789",
	"INCRBYFLOAT f7 -123456789.123456789",
	"INCRBYFLOAT f8 -0.0",
	"INCRBYFLOAT f inf",
	"INCRBYFLOAT f -inf",
	"INCRBYFLOAT f nan",
	"INCRBYFLOAT f abc",
	"INCRBYFLOAT f 1.5e",
	`INCRBYFLOAT f " 1"`,
	`INCRBYFLOAT f ""`,
	"INCRBYFLOAT notint 1",
	"INCRBYFLOAT counter 1.5",
	"GET counter",
	"SET fl 3.0",
	"INCRBYFLOAT fl 0",
	"SET fl2 .5",
	"INCRBYFLOAT fl2 .5",
	`SET fl3 " 1.5"`,
	"INCRBYFLOAT fl3 1",
	"INCRBYFLOAT f",
	"INCRBYFLOAT",
	// APPEND STRLEN GETRANGE SUBSTR SETRANGE
	"APPEND ap hello",
	`APPEND ap " world"`,
	"GET ap",
	"APPEND counter 1",
	"GET counter",
	"APPEND ap",
	"STRLEN ap",
	"STRLEN nokey",
	"STRLEN",
	"GETRANGE ap 0 4",
	"GETRANGE ap -5 -1",
	"GETRANGE ap 0 -1",
	"GETRANGE ap 5 2",
	"GETRANGE ap -1 -5",
	"GETRANGE ap 100 200",
	"GETRANGE ap -100 100",
	"GETRANGE ap -100 -50",
	"GETRANGE ap 3 3",
	"GETRANGE ap a b",
	"GETRANGE ap 0 9223372036854775808",
	"GETRANGE nokey 0 -1",
	"GETRANGE ek 0 -1",
	"GETRANGE ap 0",
	"SUBSTR ap 0 4",
	"SUBSTR ap -3 -1",
	"SUBSTR ap 0",
	"SETRANGE sr 5 hello",
	"GET sr",
	"SETRANGE sr 0 HE",
	"GET sr",
	"SETRANGE sr 8 xyzw",
	"GET sr",
	"SETRANGE sr -1 x",
	"SETRANGE sr 536870912 x",
	"SETRANGE sr abc x",
	`SETRANGE nokey2 0 ""`,
	"EXISTS nokey2",
	`SETRANGE sr 3 ""`,
	`SETRANGE sr 100 ""`,
	"SETRANGE sr 0",
	// DEL UNLINK EXISTS TYPE
	"DEL a b nokey",
	"DEL",
	"UNLINK c d nokey",
	"UNLINK",
	"EXISTS e e e nokey",
	"EXISTS nokey",
	"EXISTS",
	"TYPE e",
	"TYPE nokey",
	"TYPE",
	// KEYS
	`MSET hello 1 hallo 2 hxllo 3 hllo 4 heeeello 5 "h*llo" 6 "h?llo" 7 hbllo 8 "h[a]llo" 9`,
	"KEYS *",
	"KEYS h?llo",
	"KEYS h*llo",
	"KEYS h[ae]llo",
	"KEYS h[^e]llo",
	"KEYS h[a-b]llo",
	`KEYS h\*llo`,
	`KEYS h\?llo`,
	`KEYS h\[a\]llo`,
	"KEYS hello",
	"KEYS nomatch*",
	"KEYS",
	"KEYS a b",
	// SCAN
	"SCAN 0",
	"SCAN 0 MATCH h*llo COUNT 1000",
	"SCAN 0 MATCH h[ae]llo",
	"SCAN 0 COUNT 1000 TYPE string",
	"SCAN 0 COUNT 1000 TYPE STRING",
	"SCAN 0 TYPE list",
	"SCAN 0 TYPE nosuchtype",
	"SCAN abc",
	"SCAN 0 COUNT 0",
	"SCAN 0 COUNT -1",
	"SCAN 0 COUNT abc",
	"SCAN 0 FOO bar",
	"SCAN 0 MATCH",
	"SCAN",
	// RENAME RENAMENX COPY
	"RENAME hello hello2",
	"GET hello2",
	"EXISTS hello",
	"RENAME nokey x",
	"RENAME hello2 hello2",
	"RENAME nokey nokey",
	"RENAME a",
	"SET tk v EX 100000",
	"RENAME tk tk2",
	"TTL tk2",
	"RENAMENX hallo hxllo",
	"RENAMENX hallo fresh2",
	"RENAMENX nokey x",
	"RENAMENX fresh2 fresh2",
	"RENAMENX a",
	"COPY fresh2 fcopy",
	"COPY fresh2 fcopy",
	"COPY fresh2 fcopy REPLACE",
	"COPY fresh2 fresh2",
	"COPY nokey x",
	"COPY fresh2 fc2 DB 0",
	"COPY fresh2 fc3 DB 1",
	"COPY fresh2 fc4 DB abc",
	"COPY fresh2 fc5 FOO",
	"COPY fresh2 fc5 DB",
	"COPY fresh2",
	"COPY tk2 tkc",
	"TTL tkc",
	"MGET fcopy fc2 fc3",
	// EXPIRE family
	"EXPIRE fresh2 100000",
	"TTL fresh2",
	"EXPIRE fresh2 100 NX",
	"EXPIRE fresh2 200000 XX",
	"EXPIRE fresh2 100 GT",
	"EXPIRE fresh2 100 LT",
	"TTL fresh2",
	"EXPIRE fresh2 100 NX XX",
	"EXPIRE fresh2 100 NX GT",
	"EXPIRE fresh2 100 GT LT",
	"EXPIRE fresh2 100 FOO",
	"EXPIRE fresh2 100 nx",
	"EXPIRE fresh2 abc",
	"EXPIRE fresh2 1.5",
	"EXPIRE fresh2",
	"EXPIRE nokey 100",
	"EXPIRE fresh2 9223372036854775807",
	"PEXPIRE fresh2 9223372036854775807",
	"EXPIREAT fresh2 9223372036854775807",
	"PERSIST fresh2",
	"PERSIST fresh2",
	"PERSIST nokey",
	"PERSIST",
	"EXPIRE fresh2 100 XX",
	"EXPIRE fresh2 100 GT",
	"EXPIRE fresh2 100000 LT",
	"TTL fresh2",
	"PEXPIRE fresh2 100000000",
	"PTTL fresh2",
	"PEXPIRE fresh2 100000000 NX",
	"PEXPIREAT fresh2 4102444800123",
	"PEXPIRETIME fresh2",
	"EXPIRETIME fresh2",
	"EXPIREAT fresh2 4102444801",
	"EXPIREAT fresh2 4102444800 GT",
	"EXPIREAT fresh2 4102444900 GT",
	"PEXPIREAT fresh2 4102444800000 LT",
	"EXPIRETIME fresh2",
	"EXPIREAT fresh2 abc",
	"PEXPIREAT fresh2",
	"EXPIREAT fresh2 1",
	"EXISTS fresh2",
	"PEXPIRE fcopy -1",
	"EXISTS fcopy",
	"EXPIRE fc2 0",
	"EXPIRE fc2 0",
	"PEXPIREAT hbllo 0",
	"EXISTS hbllo",
	"TTL nokey",
	"TTL hxllo",
	"TTL",
	"PTTL nokey",
	"PTTL hxllo",
	"EXPIRETIME nokey",
	"EXPIRETIME hxllo",
	"PEXPIRETIME nokey",
	"PEXPIRETIME hxllo",
	"EXPIRETIME",
	"TOUCH hxllo hllo nokey",
	"TOUCH hxllo hxllo",
	"TOUCH",
	// RANDOMKEY DBSIZE FLUSHDB FLUSHALL
	"RANDOMKEY",
	"RANDOMKEY x",
	"FLUSHDB",
	"RANDOMKEY",
	"DBSIZE",
	"SET only 1",
	"RANDOMKEY",
	"DBSIZE",
	"DBSIZE x",
	"FLUSHDB ASYNC",
	"DBSIZE",
	"SET k v",
	"FLUSHDB SYNC",
	"DBSIZE",
	"FLUSHDB FOO",
	"FLUSHDB ASYNC SYNC",
	"SET k v",
	"FLUSHALL SYNC",
	"FLUSHALL ASYNC",
	"FLUSHALL FOO",
	"DBSIZE",
	// CLIENT
	"CLIENT SETNAME myname",
	"CLIENT GETNAME",
	`CLIENT SETNAME "bad name"`,
	`CLIENT SETNAME "bad\nname"`,
	"CLIENT GETNAME",
	`CLIENT SETNAME ""`,
	"CLIENT GETNAME",
	"CLIENT SETNAME",
	"CLIENT SETNAME a b",
	"CLIENT GETNAME x",
	"CLIENT NO-SUCH",
	"CLIENT no-such arg",
	"CLIENT",
	"CLIENT REPLY ON",
	"CLIENT ID",
	"CLIENT INFO",
	"CLIENT LIST",
	"client id",
	// server
	"CONFIG GET save",
	"CONFIG GET appendonly",
	"CONFIG GET maxclients",
	"CONFIG GET nosuchparam",
	"CONFIG GET",
	"CONFIG NOSUCH",
	"TIME",
	"TIME x",
	"INFO",
	"INFO server",
	"COMMAND COUNT",
	"COMMAND NOSUCH",
	"DBSIZE",
	// transactions (the SHUTDOWN and MONITOR lines are safe only inside MULTI)
	"FLUSHALL",
	"EXEC",
	"DISCARD",
	"EXEC x",
	"DISCARD x",
	"MULTI x",
	"WATCH",
	"UNWATCH x",
	"SET tx:a 1",
	// OBJECT on strings: the representation Redis would have chosen.
	"SET ob:i 123",
	"OBJECT ENCODING ob:i",
	"OBJECT REFCOUNT ob:i",
	"SET ob:i2 12345",
	"OBJECT ENCODING ob:i2",
	"OBJECT REFCOUNT ob:i2",
	"SET ob:neg -5",
	"OBJECT ENCODING ob:neg",
	"OBJECT REFCOUNT ob:neg",
	"SET ob:z 0",
	"OBJECT ENCODING ob:z",
	"SET ob:lead 01",
	"OBJECT ENCODING ob:lead",
	"SET ob:plus +1",
	"OBJECT ENCODING ob:plus",
	"SET ob:mz -0",
	"OBJECT ENCODING ob:mz",
	"SET ob:max 9223372036854775807",
	"OBJECT ENCODING ob:max",
	"SET ob:over 9223372036854775808",
	"OBJECT ENCODING ob:over",
	"SET ob:e hello",
	"OBJECT ENCODING ob:e",
	"OBJECT REFCOUNT ob:e",
	"SET ob:44 " + strings.Repeat("x", 44),
	"OBJECT ENCODING ob:44",
	"SET ob:45 " + strings.Repeat("x", 45),
	"OBJECT ENCODING ob:45",
	"APPEND ob:e x",
	"OBJECT ENCODING ob:e",
	"SET ob:a 1",
	"APPEND ob:a 2",
	"OBJECT ENCODING ob:a",
	"INCR ob:a",
	"OBJECT ENCODING ob:a",
	"APPEND ob:new 12",
	"OBJECT ENCODING ob:new",
	"SETRANGE ob:sr 0 12",
	"OBJECT ENCODING ob:sr",
	"SET ob:sr2 abc",
	"SETRANGE ob:sr2 0 x",
	"OBJECT ENCODING ob:sr2",
	"INCRBYFLOAT ob:f 1.5",
	"OBJECT ENCODING ob:f",
	"INCRBYFLOAT ob:f2 1",
	"OBJECT ENCODING ob:f2",
	"INCR ob:f2",
	"OBJECT ENCODING ob:f2",
	"COPY ob:e ob:ecopy",
	"OBJECT ENCODING ob:ecopy",
	"COPY ob:f ob:fcopy",
	"OBJECT ENCODING ob:fcopy",
	"RENAME ob:sr2 ob:sr3",
	"OBJECT ENCODING ob:sr3",
	"SET ob:sr3 again",
	"OBJECT ENCODING ob:sr3",
	"OBJECT IDLETIME ob:e",
	"OBJECT FREQ ob:e",
	"OBJECT ENCODING ob:none",
	"OBJECT REFCOUNT ob:none",
	"OBJECT IDLETIME ob:none",
	"OBJECT FREQ ob:none",
	"OBJECT HELP",
	"OBJECT help x",
	"OBJECT",
	"OBJECT ENCODING",
	"OBJECT ENCODING a b",
	"OBJECT nosuch k",
	"CONFIG SET maxmemory-policy allkeys-lfu",
	"OBJECT FREQ ob:none",
	"OBJECT IDLETIME ob:e",
	"CONFIG SET maxmemory-policy noeviction",
	// CLIENT UNBLOCK of nobody blocked, and its errors.
	"CLIENT UNBLOCK 999999",
	"CLIENT UNBLOCK 999999 TIMEOUT",
	"CLIENT UNBLOCK 999999 error",
	"CLIENT UNBLOCK x",
	"CLIENT UNBLOCK 1 foo",
	"CLIENT UNBLOCK x foo",
	"CLIENT UNBLOCK",
	"CLIENT UNBLOCK 1 2 3",
	"MULTI",
	"MULTI",
	"WATCH tx:a",
	"INCR tx:a",
	"SET tx:b x",
	"INCR tx:b",
	"MGET tx:a tx:b tx:none",
	"SET tx:c v EX 0",
	"ECHO hi",
	"EXEC",
	"MULTI",
	"SET tx:a 5",
	"nosuch tx:a",
	"GET",
	"EXEC",
	"GET tx:a",
	"MULTI",
	"SHUTDOWN",
	"CLIENT foo",
	"DISCARD",
	"MULTI",
	"SET tx:a 3",
	"EXEC x",
	"EXEC",
	"MULTI",
	"MONITOR",
	"UNWATCH",
	"EXEC",
	"WATCH tx:a tx:b",
	"SET tx:b y",
	"MULTI",
	"INCR tx:a",
	"EXEC",
	"WATCH tx:a",
	"MULTI",
	"INCR tx:a",
	"GET tx:a",
	"EXEC",
	"WATCH tx:a",
	"SET tx:a 9",
	"UNWATCH",
	"MULTI",
	"GET tx:a",
	"EXEC",
	"WATCH tx:none",
	"FLUSHALL",
	"MULTI",
	"EXEC",
}

// diffPeer is one side of the differential test.
type diffPeer struct {
	label string
	srv   *testServer
	conn  *respConn
}

// TestDifferential sends diffScript to a real redis-server and to remoted
// and compares every raw reply byte for byte, except where allowList says
// otherwise: in RESP2 over TCP and, on new connections after HELLO 3, in
// RESP3 over the unix socket. Then raw protocol (and protocol error) input
// is compared: what each server answers and whether it closes. It runs
// twice: with remoted serving connections from its event loops, and from
// a goroutine each (--portable), as on every OS but Linux.
func TestDifferential(t *testing.T) {
	t.Run("loop", func(t *testing.T) { testDifferential(t) })
	t.Run("portable", func(t *testing.T) { testDifferential(t, "--portable") })
}

func testDifferential(t *testing.T, remotedArgs ...string) {
	ref := startRedis(t)
	sut := startRemoted(t, remotedArgs...)
	label := sut.Name
	if selftest() {
		label = "redis-server(selftest)"
	}
	if len(diffScript) < 170 {
		t.Fatalf("diffScript has %d lines, want at least 170", len(diffScript))
	}
	runDiffScript(t, ref, sut, label, diffScript)
	t.Run("protocol", func(t *testing.T) { testProtocolDiff(t, ref, sut, label, protoCases) })
}

// diffScriptTest runs script against a new redis-server and a new
// remoted (started with remotedArgs), as TestDifferential runs
// diffScript: the differential test of one type's commands.
func diffScriptTest(t *testing.T, script []string, remotedArgs ...string) {
	ref := startRedis(t)
	sut := startRemoted(t, remotedArgs...)
	label := sut.Name
	if selftest() {
		label = "redis-server(selftest)"
	}
	runDiffScript(t, ref, sut, label, script)
}

// runDiffScript sends script, line by line, to ref and sut and compares
// the replies: in RESP2 over TCP, then in RESP3 over the unix socket
// after HELLO 3. "{proto}" in a line is replaced by the protocol version.
func runDiffScript(t *testing.T, ref, sut *testServer, label string, script []string) {
	for _, proto := range []int{2, 3} {
		t.Run(fmt.Sprintf("RESP%d", proto), func(t *testing.T) {
			network := "tcp"
			addr := func(s *testServer) string { return s.TCPAddr }
			if proto == 3 {
				network = "unix"
				addr = func(s *testServer) string { return s.UnixPath }
			}
			peers := []*diffPeer{
				{label: "redis-server", srv: ref, conn: dialRESP(t, network, addr(ref))},
				{label: label, srv: sut, conn: dialRESP(t, network, addr(sut))},
			}
			if proto == 3 {
				if !runDiffLine(t, peers, "HELLO 3") {
					t.Fatal("HELLO 3 differs; not running the RESP3 script")
				}
			}
			for i, line := range script {
				line = strings.ReplaceAll(line, "{proto}", strconv.Itoa(proto))
				t.Run(fmt.Sprintf("%03d %s", i, line), func(t *testing.T) {
					runDiffLine(t, peers, line)
				})
			}
		})
	}
}

// runDiffLine sends one command line to both peers and compares replies.
func runDiffLine(t *testing.T, peers []*diffPeer, line string) bool {
	t.Helper()
	args, err := splitArgs(line)
	if err != nil {
		t.Fatalf("bad script line: %v", err)
	}
	raws := make([][]byte, len(peers))
	vals := make([]*respValue, len(peers))
	for i, p := range peers {
		raws[i], vals[i], err = p.conn.Do(args...)
		if err != nil {
			t.Fatalf("%s: %q: %v (read so far %q)", p.label, line, err, raws[i])
		}
	}
	rule := ruleFor(args)
	if why := compareReplies(rule, raws[0], raws[1], vals[0], vals[1]); why != "" {
		t.Errorf("%s\n  %-22s %q\n  %-22s %q\n  comparison %s: %s", line, peers[0].label+":", raws[0], peers[1].label+":", raws[1], cmpNames[rule.mode], why)
		return false
	}
	if os.Getenv(envVerbose) != "" {
		t.Logf("%s -> %q | %q", line, raws[0], raws[1])
	}
	return true
}

// protoCase is raw input for the protocol sub-test.
type protoCase struct {
	name string
	in   string
	// sentinel appends an ECHO whose reply marks "still open and in sync";
	// without it (input that leaves a half-read command, or that is too big
	// to say where the server's reads split it) the test waits quietWait for
	// the server to close.
	sentinel bool
}

const (
	sentinelCmd   = "*2\r\n$4\r\nECHO\r\n$16\r\nremoted-sentinel\r\n"
	sentinelReply = "$16\r\nremoted-sentinel\r\n"
	quietWait     = 750 * time.Millisecond
)

var protoCases = []protoCase{
	{"inline PING", "PING\r\n", true},
	{"inline PING LF only", "PING\n", true},
	{"inline lower case", "ping\r\n", true},
	{"inline quoted args", "SET \"a b\" 'c d'\r\nGET \"a b\"\r\n", true},
	{"inline escapes", "ECHO \"\\x41\\n\\t\\\\\"\r\n", true},
	{"inline single quote escape", "ECHO 'it\\'s'\r\n", true},
	{"inline unbalanced double quote", "SET \"a b\r\n", true},
	{"inline unbalanced single quote", "SET 'a\r\n", true},
	{"inline quote followed by char", "ECHO \"a\"b\r\n", true},
	{"inline empty lines", "\r\n\r\n   \r\nPING\r\n", true},
	{"inline empty quoted command", "\"\"\r\n", true},
	{"inline unknown", "nosuch a b\r\n", true},
	{"inline plus", "+PING\r\n", true},
	{"inline dollar", "$-5\r\n", true},
	{"inline colon", ":1\r\n", true},
	{"multibulk PING", "*1\r\n$4\r\nPING\r\n", true},
	{"multibulk count not a number", "*abc\r\n", true},
	{"multibulk count negative -2", "*-2\r\n", true},
	{"multibulk count overflow int", "*3000000000\r\n", true},
	{"multibulk element is integer", "*1\r\n:1\r\n", true},
	{"multibulk element is array", "*1\r\n*1\r\n", true},
	{"multibulk element is simple string", "*2\r\n$4\r\nECHO\r\n+x\r\n", true},
	{"multibulk zero then PING", "*0\r\nPING\r\n", true},
	{"multibulk null then PING", "*-1\r\nPING\r\n", true},
	{"multibulk empty command name", "*1\r\n$0\r\n\r\n", true},
	{"bulk length not a number", "*1\r\n$abc\r\n", true},
	{"bulk length -1", "*1\r\n$-1\r\n", true},
	{"bulk length -2", "*1\r\n$-2\r\n", true},
	{"bulk length 1000000000", "*1\r\n$1000000000\r\n", true},
	{"bulk length 512MiB+1", "*1\r\n$536870913\r\n", true},
	{"bulk longer than declared", "*2\r\n$4\r\nECHO\r\n$3\r\nabcde\r\n", true},
	{"pipelined mixed", "*1\r\n$4\r\nPING\r\nECHO x\r\n*2\r\n$4\r\nECHO\r\n$1\r\ny\r\n", true},
	{"pipelined 1000 inline PINGs", strings.Repeat("PING\r\n", 1000), true},
	{"QUIT", "QUIT\r\n", true},
	{"QUIT between commands", "PING\r\nQUIT\r\nPING\r\n", true},
	{"multibulk QUIT", "*1\r\n$4\r\nQUIT\r\n", true},
	{"multibulk count 2000000 waits", "*2000000\r\n", false},
	{"multibulk count 1048577 waits", "*1048577\r\n", false},
	{"bulk length 512MiB waits", "*1\r\n$536870912\r\n", false},
	{"half a command waits", "*2\r\n$4\r\nECHO\r\n$5\r\nab", false},
	{"inline without newline waits", "PING", false},
	{"inline too big", strings.Repeat("a", 70000), false},
	{"multibulk count line too big", "*" + strings.Repeat("1", 70000), false},
	{"bulk length line too big", "*1\r\n$" + strings.Repeat("1", 70000), false},
}

// protoResult is what a server did with raw input.
type protoResult struct {
	reply  []byte
	closed bool   // EOF or reset
	synced bool   // the sentinel's reply came back
	werr   string // write error, if any
}

func (r protoResult) String() string {
	state := "open, sentinel answered"
	switch {
	case r.closed:
		state = "closed"
	case !r.synced:
		state = "open, silent"
	}
	if r.werr != "" {
		state += " (write: " + r.werr + ")"
	}
	return fmt.Sprintf("%q then %s", r.reply, state)
}

// sendRaw dials the server's unix socket, writes tc.in (and the sentinel)
// and reports what came back. Errors are returned, not reported, so that
// it can run on its own goroutine.
func sendRaw(srv *testServer, tc protoCase) (protoResult, error) {
	return sendRawWait(srv, tc, quietWait)
}

// sendRawWait is sendRaw waiting up to wait, not quietWait, for a server
// that says nothing to close.
func sendRawWait(srv *testServer, tc protoCase, wait time.Duration) (protoResult, error) {
	c, err := net.DialTimeout("unix", srv.UnixPath, startTimeout)
	if err != nil {
		return protoResult{}, fmt.Errorf("%s: dial: %w", srv.Name, err)
	}
	defer c.Close()
	in := tc.in
	if tc.sentinel {
		in += sentinelCmd
		wait = replyTimeout
	}
	var res protoResult
	_ = c.SetWriteDeadline(time.Now().Add(replyTimeout))
	if _, err := c.Write([]byte(in)); err != nil {
		res.werr = err.Error()
	}
	_ = c.SetReadDeadline(time.Now().Add(wait))
	buf := make([]byte, 64<<10)
	for {
		n, err := c.Read(buf)
		res.reply = append(res.reply, buf[:n]...)
		if tc.sentinel && bytes.HasSuffix(res.reply, []byte(sentinelReply)) {
			res.reply = res.reply[:len(res.reply)-len(sentinelReply)]
			res.synced = true
			return res, nil
		}
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				return res, nil
			}
			res.closed = true // io.EOF, ECONNRESET
			return res, nil
		}
	}
}

// testProtocolDiff sends every protoCase to both servers at once (cases
// that wait for a close take quietWait each, so they overlap) and then
// compares the outcomes case by case.
func testProtocolDiff(t *testing.T, ref, sut *testServer, label string, protoCases []protoCase) {
	type outcome struct {
		res [2]protoResult
		err [2]error
	}
	results := make([]outcome, len(protoCases))
	var wg sync.WaitGroup
	for i, tc := range protoCases {
		for j, srv := range []*testServer{ref, sut} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i].res[j], results[i].err[j] = sendRaw(srv, tc)
			}()
		}
	}
	wg.Wait()
	// A server still silent after quietWait where the other answered and
	// closed may only be slow (a loaded machine, the race detector): give
	// it replyTimeout, alone, to do the same.
	for i, tc := range protoCases {
		if o := &results[i]; !tc.sentinel && o.res[0].closed && !o.res[1].closed && len(o.res[1].reply) == 0 {
			o.res[1], o.err[1] = sendRawWait(sut, tc, replyTimeout)
		}
	}
	for i, tc := range protoCases {
		t.Run(tc.name, func(t *testing.T) {
			o := results[i]
			for _, err := range o.err {
				if err != nil {
					t.Fatal(err)
				}
			}
			a, b := o.res[0], o.res[1]
			// A write error only matters when the outcome differs.
			if !bytes.Equal(a.reply, b.reply) || a.closed != b.closed || a.synced != b.synced {
				in := tc.in
				if len(in) > 80 {
					in = in[:80] + fmt.Sprintf("...(%d bytes)", len(tc.in))
				}
				t.Errorf("input %q\n  %-22s %s\n  %-22s %s", in, "redis-server:", a, label+":", b)
			}
			if os.Getenv(envVerbose) != "" {
				t.Logf("%s: %s | %s", tc.name, a, b)
			}
		})
	}
}

// TestDifferentialAuth compares the servers with a password set: what an
// unauthenticated connection may do, and AUTH/HELLO AUTH errors.
func TestDifferentialAuth(t *testing.T) {
	const pw = "s3cret pw"
	ref := startRedis(t, "--requirepass", pw)
	sut := startRemoted(t, "--requirepass", pw)
	label := sut.Name
	if selftest() {
		label = "redis-server(selftest)"
	}
	script := []string{
		"PING",
		"GET k",
		"SET k v",
		"nosuchcommand a",
		"ECHO x",
		"SELECT 0",
		"CLIENT ID",
		"HELLO 3",
		"HELLO 2",
		"HELLO 4",
		"HELLO 2 AUTH default wrong",
		"HELLO 2 AUTH nosuchuser wrong",
		"AUTH wrong",
		"AUTH default wrong",
		"AUTH nosuchuser wrong",
		"AUTH a b c",
		"GET k",
		`AUTH "s3cret pw"`,
		"PING",
		"SET k v",
		"GET k",
		"AUTH wrong",
		"GET k",
		`AUTH default "s3cret pw"`,
		`HELLO 2 AUTH default "s3cret pw"`,
		"FLUSHALL",
	}
	peers := []*diffPeer{
		{label: "redis-server", srv: ref, conn: dialRESP(t, "unix", ref.UnixPath)},
		{label: label, srv: sut, conn: dialRESP(t, "unix", sut.UnixPath)},
	}
	for i, line := range script {
		t.Run(fmt.Sprintf("%02d %s", i, line), func(t *testing.T) { runDiffLine(t, peers, line) })
	}
	// The unauthenticated limits (10 arguments, 16 KiB each) hold command
	// by command: commands pipelined behind a good AUTH escape them.
	auth := "*2\r\n$4\r\nAUTH\r\n$9\r\n" + pw + "\r\n"
	big := "*2\r\n$4\r\nECHO\r\n$20000\r\n" + strings.Repeat("x", 20000) + "\r\n"
	many := "*11\r\n$4\r\nMSET\r\n" + strings.Repeat("$1\r\na\r\n", 10)
	t.Run("protocol", func(t *testing.T) {
		testProtocolDiff(t, ref, sut, label, []protoCase{
			{"big argument before AUTH", big, true},
			{"11 arguments before AUTH", many, true},
			{"big argument behind AUTH", auth + big, true},
			{"11 arguments behind AUTH", auth + many, true},
			{"big argument behind a wrong AUTH", "*2\r\n$4\r\nAUTH\r\n$5\r\nwrong\r\n" + big, true},
			{"AUTH split from the rest", auth + big[:30], false},
		})
	})
	t.Run("HELLO 3 AUTH", func(t *testing.T) {
		peers := []*diffPeer{
			{label: "redis-server", srv: ref, conn: dialRESP(t, "tcp", ref.TCPAddr)},
			{label: label, srv: sut, conn: dialRESP(t, "tcp", sut.TCPAddr)},
		}
		for _, line := range []string{"HELLO 3 AUTH default wrong", `HELLO 3 AUTH default "s3cret pw"`, "GET k", "PING"} {
			runDiffLine(t, peers, line)
		}
	})
}

// configScript exercises CONFIG SET and GET: several pairs at once, all
// or nothing, each of Redis's error texts, memory units, and the values
// read back. It ends by restoring the defaults.
var configScript = []string{
	"CONFIG SET maxclients 0",
	"CONFIG SET maxclients abc",
	"CONFIG SET maxclients 4294967296",
	"CONFIG SET maxclients 5000 timeout 1000",
	"CONFIG GET maxclients",
	"CONFIG GET MAXCLIENTS",
	"CONFIG GET timeout maxclients TIMEOUT",
	"CONFIG GET nosuch*",
	"CONFIG GET",
	"CONFIG SET foo 1",
	"CONFIG SET foo 1 bar 2",
	"CONFIG SET timeout 5 foo 1",
	"CONFIG SET timeout",
	"CONFIG SET timeout 5 maxclients",
	"CONFIG SET timeout -1",
	"CONFIG SET timeout 2147483648",
	"CONFIG SET timeout 99999999999999999999",
	"CONFIG SET timeout 5x",
	"CONFIG SET timeout 5 Timeout 6",
	"CONFIG SET timeout 7 maxclients x",
	"CONFIG GET timeout",
	"CONFIG SET databases 3",
	"CONFIG SET Databases 1 foo 2",
	"CONFIG SET proto-max-bulk-len 100",
	"CONFIG SET proto-max-bulk-len 1x",
	"CONFIG SET proto-max-bulk-len -5",
	"CONFIG SET proto-max-bulk-len 1.5mb",
	`CONFIG SET proto-max-bulk-len ""`,
	"CONFIG SET proto-max-bulk-len 2MB",
	"CONFIG GET proto-max-bulk-len",
	"CONFIG SET proto-max-bulk-len 3000k",
	"CONFIG GET proto-max-bulk-len",
	"CONFIG SET client-query-buffer-limit 1k",
	"CONFIG SET client-query-buffer-limit 1gb",
	"CONFIG GET client-query-buffer-limit",
	`CONFIG SET client-output-buffer-limit "normal 1gb 0"`,
	`CONFIG SET client-output-buffer-limit "master 1 1 1"`,
	`CONFIG SET client-output-buffer-limit "normal -1 2 3"`,
	`CONFIG SET client-output-buffer-limit "normal 1 2 x"`,
	`CONFIG SET client-output-buffer-limit ""`,
	`CONFIG SET client-output-buffer-limit "normal 2gb 1mb 10 replica 1mb 2mb 3 PUBSUB 1k 1kb 1"`,
	"CONFIG GET client-output-buffer-limit",
	"CONFIG SET tcp-keepalive -1",
	"CONFIG SET tcp-keepalive x",
	"CONFIG SET tcp-keepalive 60",
	"CONFIG GET tcp-keepalive",
	"CONFIG SET latency-tracking maybe",
	"CONFIG GET latency-tracking",
	`CONFIG SET latency-tracking-info-percentiles "50 101"`,
	`CONFIG SET latency-tracking-info-percentiles "abc"`,
	`CONFIG SET latency-tracking-info-percentiles "50 99.9 100"`,
	"CONFIG GET latency-tracking-info-percentiles",
	`CONFIG SET save "" appendonly no`,
	"CONFIG GET appendonly",
	"CONFIG GET save",
	"CONFIG GET requirepass",
	"CONFIG SET maxmemory -1",
	"CONFIG SET maxmemory 1x",
	"CONFIG SET maxmemory 99999999999999999999",
	"CONFIG GET maxmemory",
	"CONFIG SET maxmemory 2mb",
	"CONFIG GET maxmemory",
	"CONFIG SET maxmemory-policy foo",
	"CONFIG SET maxmemory-policy ALLKEYS-LRU",
	"CONFIG GET maxmemory-policy",
	"CONFIG SET maxmemory-samples 0",
	"CONFIG SET maxmemory-samples x",
	"CONFIG SET maxmemory-samples 10",
	"CONFIG GET maxmemory-samples",
	"CONFIG SET lfu-log-factor -1",
	"CONFIG SET lfu-decay-time -1",
	"CONFIG SET lfu-log-factor 20 lfu-decay-time 2",
	"CONFIG GET lfu-log-factor",
	"CONFIG GET lfu-decay-time",
	"CONFIG SET maxmemory-policy noeviction maxmemory 1",
	"SET oomkey 1",
	"APPEND oomkey x",
	"GET oomkey",
	"DEL oomkey",
	"MULTI",
	"SET oomkey 1",
	"GET oomkey",
	"EXEC",
	"MULTI",
	"EXEC",
	"CONFIG SET maxmemory 0 maxmemory-samples 5 lfu-log-factor 10 lfu-decay-time 1",
	"SET oomkey 1",
	"DEL oomkey",
	"CONFIG GET maxmemory",
	"CONFIG GET maxmemory-policy",
	"CONFIG RESETSTAT x",
	"CONFIG RESETSTAT",
	`CONFIG SET maxclients 10000 timeout 0 proto-max-bulk-len 512mb client-query-buffer-limit 1gb latency-tracking-info-percentiles "50 99 99.9"`,
	"CONFIG GET maxclients timeout proto-max-bulk-len client-query-buffer-limit latency-tracking-info-percentiles",
}

// TestDifferentialConfig compares CONFIG SET, GET and RESETSTAT, in RESP2
// and RESP3.
func TestDifferentialConfig(t *testing.T) {
	ref := startRedis(t)
	sut := startRemoted(t)
	for _, proto := range []int{2, 3} {
		t.Run(fmt.Sprintf("RESP%d", proto), func(t *testing.T) {
			peers := diffPeers(t, ref, sut)
			if proto == 3 && !runDiffLine(t, peers, "HELLO 3") {
				t.Fatal("HELLO 3 differs")
			}
			for i, line := range configScript {
				t.Run(fmt.Sprintf("%02d %s", i, line), func(t *testing.T) { runDiffLine(t, peers, line) })
			}
		})
	}
}

// diffPeers dials a unix connection to each server.
func diffPeers(t *testing.T, ref, sut *testServer) []*diffPeer {
	t.Helper()
	label := sut.Name
	if selftest() {
		label = "redis-server(selftest)"
	}
	return []*diffPeer{
		{label: "redis-server", srv: ref, conn: dialRESP(t, "unix", ref.UnixPath)},
		{label: label, srv: sut, conn: dialRESP(t, "unix", sut.UnixPath)},
	}
}

// statsWorkload is the fixed workload after which TestDifferentialStats
// compares the servers' statistics: calls that succeed, fail (an error
// reply from the command) and are rejected (arity, refused in MULTI),
// unknown commands and subcommands (counted nowhere but errorstats), and
// transactions, whose commands count one by one.
var statsWorkload = []string{
	"SET a 1", "GET a", "GET", "GET a b", "INCR a", "SET b x", "INCR b",
	"INCRBY a x", "nosuch", "nosuch x", "CONFIG nosuch", "CONFIG GET",
	"CONFIG GET timeout", "CONFIG SET timeout x", "SELECT 1", "PING", "ECHO x",
	"AUTH x", "HELLO 4", "EXPIRE a 100", "EXPIRE a x", "TTL a", "DEL a b x",
	"MULTI", "SET x 1", "INCR b", "GET", "EXEC",
	"MULTI", "INCR x", "INCR b", "GET x", "EXEC",
	"EXEC", "DISCARD", "EXEC x",
	"WATCH a", "MULTI", "WATCH a", "MULTI", "DISCARD",
	"MULTI", "EXEC x",
	"MULTI", "MONITOR", "EXEC",
}

// TestDifferentialStats runs statsWorkload (with a password set for part
// of it, and a protocol error) on both servers after CONFIG RESETSTAT and
// compares INFO commandstats without the times (calls, rejected_calls and
// failed_calls per command), INFO errorstats whole, total_error_replies
// and total_commands_processed, and which commands latencystats lists.
func TestDifferentialStats(t *testing.T) {
	ref := startRedis(t)
	sut := startRemoted(t)
	peers := diffPeers(t, ref, sut)
	runDiffLine(t, peers, "CONFIG RESETSTAT")
	for _, line := range statsWorkload {
		runDiffLine(t, peers, line)
	}
	// requirepass set: this connection (made without one) stays usable, a
	// new one must AUTH.
	runDiffLine(t, peers, "CONFIG SET requirepass pw")
	runDiffLine(t, peers, "PING")
	fresh := diffPeers(t, ref, sut)
	for _, line := range []string{"GET a", "AUTH wrong", "GET a", "AUTH pw", "GET a"} {
		runDiffLine(t, fresh, line)
	}
	runDiffLine(t, peers, `CONFIG SET requirepass ""`)
	for _, srv := range []*testServer{ref, sut} {
		if _, err := sendRaw(srv, protoCase{"protocol error", "*1\r\n$x\r\n", false}); err != nil {
			t.Fatal(err)
		}
	}
	stats := make([]map[string]string, len(peers))
	for i, p := range peers {
		stats[i] = infoStats(t, p)
	}
	for _, key := range []string{"cmdstat_get", "cmdstat_exec", "cmdstat_incr", "errorstat_ERR", "errorstat_EXECABORT", "errorstat_NOAUTH", "errorstat_WRONGPASS", "total_error_replies", "latency_percentiles_usec_set"} {
		if stats[0][key] == "" {
			t.Errorf("redis-server's INFO lacks %s: the workload or the parsing is wrong", key)
		}
	}
	t.Logf("compared: %v", stats[0])
	for _, key := range slices.Sorted(maps.Keys(stats[0])) {
		if stats[0][key] != stats[1][key] {
			t.Errorf("%s: redis-server %q, %s %q", key, stats[0][key], peers[1].label, stats[1][key])
		}
	}
	for key := range stats[1] {
		if _, ok := stats[0][key]; !ok {
			t.Errorf("%s: only %s has it: %q", key, peers[1].label, stats[1][key])
		}
	}
}

// usecRE matches the times of a commandstats line, which the test drops.
var usecRE = regexp.MustCompile(`usec=\d+,usec_per_call=[\d.]+,`)

// infoStats reads the deterministic statistics of a server: INFO
// commandstats lines without their times, INFO errorstats lines, the two
// totals of INFO stats, and latencystats' command names. Each INFO is
// asked for once, in the same order on both servers, so INFO's own calls
// count alike.
func infoStats(t *testing.T, p *diffPeer) map[string]string {
	t.Helper()
	out := map[string]string{}
	read := func(section string, each func(k, v string)) {
		_, v, err := p.conn.Do("INFO", section)
		if err != nil || v.isError() {
			t.Fatalf("%s: INFO %s: %v %v", p.label, section, err, v)
		}
		for _, line := range strings.Split(v.Str, "\r\n") {
			if k, val, ok := strings.Cut(line, ":"); ok && !strings.HasPrefix(line, "#") {
				each(k, val)
			}
		}
	}
	read("commandstats", func(k, v string) { out[k] = usecRE.ReplaceAllString(v, "") })
	read("errorstats", func(k, v string) { out[k] = v })
	read("stats", func(k, v string) {
		if k == "total_error_replies" || k == "total_commands_processed" {
			out[k] = v
		}
	})
	read("latencystats", func(k, v string) { out[k] = "listed" })
	return out
}
