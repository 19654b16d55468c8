package rdb

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
)

// goldenCase is a value that redis-server builds (from the commands
// buildCommands gives) and DUMPs for the golden payloads of
// testdata/golden.txt.
type goldenCase struct {
	name string
	v    Value
}

func strs(ss ...string) [][]byte {
	out := make([][]byte, len(ss))
	for i, s := range ss {
		out[i] = []byte(s)
	}
	return out
}

func ints(from, n, step int64) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		out[i] = strconv.AppendInt(nil, from+int64(i)*step, 10)
	}
	return out
}

// randBytes is n pseudo-random bytes, the same on every run.
func randBytes(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, 1))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func pattern(n int) []byte {
	return bytes.Repeat([]byte("remoted-"), n/8+1)[:n]
}

func pairs(n int, field func(int) string, value func(int) string) []Pair {
	h := make([]Pair, n)
	for i := range h {
		h[i] = Pair{[]byte(field(i)), []byte(value(i))}
	}
	return h
}

func scored(n int, member func(int) string, score func(int) float64) []ScoredMember {
	z := make([]ScoredMember, n)
	for i := range z {
		z[i] = ScoredMember{[]byte(member(i)), score(i)}
	}
	slices.SortFunc(z, compareScored)
	return z
}

func goldenCases() []goldenCase {
	var cs []goldenCase
	add := func(name string, v Value) { cs = append(cs, goldenCase{name, v}) }
	for _, s := range []string{"", "a", "0", "1", "-1", "127", "128", "-128", "-129",
		"32767", "32768", "-32768", "-32769", "2147483647", "2147483648",
		"-2147483648", "-2147483649", "12345678901", "9223372036854775807",
		"-9223372036854775808", "9223372036854775808", "01", "+1", "-0", "1.5",
		" 1", "1 ", "00", strings20, strings21} {
		add("string "+strconv.Quote(s), Value{Kind: String, Str: []byte(s)})
	}
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	add("string bytes 0-255", Value{Kind: String, Str: all})
	add("string pattern 100", Value{Kind: String, Str: pattern(100)})
	add("string pattern 20000", Value{Kind: String, Str: pattern(20000)})
	add("string pattern 70000", Value{Kind: String, Str: pattern(70000)})
	add("string random 5000", Value{Kind: String, Str: randBytes(1, 5000)})
	add("string zeros 100000", Value{Kind: String, Str: make([]byte, 100000)})

	add("list one", Value{Kind: List, List: strs("a")})
	add("list empty string", Value{Kind: List, List: strs("")})
	add("list integers", Value{Kind: List, List: strs("0", "1", "127", "128", "-1",
		"-4096", "4095", "4096", "-4097", "-32768", "32767", "32768", "-32769",
		"8388607", "8388608", "-8388608", "-8388609", "2147483647", "2147483648",
		"-2147483648", "-2147483649", "9223372036854775807", "-9223372036854775808",
		"9223372036854775808", "01", "-0", "+5", "1.0")})
	var sizes [][]byte
	for _, n := range []int{63, 64, 125, 126, 4095, 4096, 16377, 16378, 20000} {
		sizes = append(sizes, pattern(n))
	}
	add("list string sizes", Value{Kind: List, List: sizes})
	add("list random 100", Value{Kind: List, List: [][]byte{randBytes(2, 100), randBytes(3, 1), randBytes(4, 30)}})
	add("list 1000 strings", Value{Kind: List, List: func() [][]byte {
		l := make([][]byte, 1000)
		for i := range l {
			l[i] = fmt.Appendf(nil, "element-%d", i)
		}
		return l
	}()})
	add("list 10000 integers", Value{Kind: List, List: ints(-5000, 10000, 1)})
	add("list big elements", Value{Kind: List, List: [][]byte{pattern(9000), []byte("x"), pattern(8000), randBytes(5, 9000), []byte("y")}})

	add("set one int", Value{Kind: Set, Set: strs("7")})
	add("set int16", Value{Kind: Set, Set: strs("-32768", "0", "1", "32767")})
	add("set int32", Value{Kind: Set, Set: strs("-5", "32768", "2147483647", "-2147483648")})
	add("set int64", Value{Kind: Set, Set: strs("1", "2147483648", "9223372036854775807", "-9223372036854775808")})
	add("set 512 ints", Value{Kind: Set, Set: ints(-1000, 512, 7)})
	add("set 513 ints", Value{Kind: Set, Set: ints(-1000, 513, 7)})
	add("set strings", Value{Kind: Set, Set: strs("a", "b", "", "1", "hello world")})
	add("set non-canonical int", Value{Kind: Set, Set: strs("1", "01")})
	add("set beyond int64", Value{Kind: Set, Set: strs("1", "9223372036854775808")})
	add("set 1000 strings", Value{Kind: Set, Set: func() [][]byte {
		l := make([][]byte, 1000)
		for i := range l {
			l[i] = fmt.Appendf(nil, "member:%d", i)
		}
		return l
	}()})

	add("hash one", Value{Kind: Hash, Hash: pairs(1, func(int) string { return "f" }, func(int) string { return "v" })})
	add("hash integers and empties", Value{Kind: Hash, Hash: []Pair{{[]byte("1"), []byte("-1")}, {[]byte(""), []byte("")},
		{[]byte("big"), []byte("9223372036854775807")}, {[]byte("-0"), []byte("01")}}})
	add("hash 512", Value{Kind: Hash, Hash: pairs(512, func(i int) string { return fmt.Sprint("field", i) }, func(i int) string { return fmt.Sprint(i * i) })})
	add("hash 513", Value{Kind: Hash, Hash: pairs(513, func(i int) string { return fmt.Sprint("field", i) }, func(i int) string { return fmt.Sprint(i * i) })})
	add("hash value 64", Value{Kind: Hash, Hash: []Pair{{[]byte("f"), pattern(64)}, {[]byte("g"), []byte("h")}}})
	add("hash value 65", Value{Kind: Hash, Hash: []Pair{{[]byte("f"), pattern(65)}, {[]byte("g"), []byte("h")}}})
	add("hash field 65", Value{Kind: Hash, Hash: []Pair{{pattern(65), []byte("v")}}})
	add("hash binary", Value{Kind: Hash, Hash: []Pair{{randBytes(6, 20), randBytes(7, 40)}, {all[:32], all[200:]}}})

	scores := []float64{0, math.Copysign(0, -1), 1, -1, 1.5, -2.5, 0.1, 1e300, -1e-300, 5e-324,
		math.Inf(1), math.Inf(-1), 4503599627370495, 4503599627370496, -4503599627370495,
		-4503599627370496, 9007199254740993, 123456789012345678, 3.141592653589793, 1e21, 1e-7, 100}
	add("zset scores", Value{Kind: ZSet, ZSet: scored(len(scores), func(i int) string { return fmt.Sprint("m", i) }, func(i int) float64 { return scores[i] })})
	add("zset scores skiplist", Value{Kind: ZSet, ZSet: scored(len(scores), func(i int) string { return fmt.Sprint("m", i, string(pattern(70))) }, func(i int) float64 { return scores[i] })})
	add("zset equal scores", Value{Kind: ZSet, ZSet: scored(5, func(i int) string { return string(rune('e' - i)) }, func(int) float64 { return 2 })})
	add("zset integer members", Value{Kind: ZSet, ZSet: scored(4, func(i int) string { return fmt.Sprint(i * 1000) }, func(i int) float64 { return float64(-i) })})
	add("zset 128", Value{Kind: ZSet, ZSet: scored(128, func(i int) string { return fmt.Sprint("m", i) }, func(i int) float64 { return float64(i) / 3 })})
	add("zset 129", Value{Kind: ZSet, ZSet: scored(129, func(i int) string { return fmt.Sprint("m", i) }, func(i int) float64 { return float64(i) / 3 })})
	add("zset member 64", Value{Kind: ZSet, ZSet: scored(2, func(i int) string { return string(pattern(63 + i)) }, func(i int) float64 { return float64(i) })})
	add("zset member 65", Value{Kind: ZSet, ZSet: scored(2, func(i int) string { return string(pattern(64 + i)) }, func(i int) float64 { return float64(i) })})
	return cs
}

const (
	strings20 = "abcdefghijabcdefghij"
	strings21 = "abcdefghijabcdefghijk"
)

// buildCommands returns the commands that make v at key in Redis.
func buildCommands(key string, v Value) [][]any {
	var cmds [][]any
	batch := func(cmd string, items []any) {
		for len(items) > 0 {
			n := min(len(items), 1000)
			cmds = append(cmds, append([]any{cmd, key}, items[:n]...))
			items = items[n:]
		}
	}
	var items []any
	switch v.Kind {
	case String:
		return [][]any{{"SET", key, v.Str}}
	case List:
		for _, e := range v.List {
			items = append(items, e)
		}
		batch("RPUSH", items)
	case Set:
		for _, e := range v.Set {
			items = append(items, e)
		}
		batch("SADD", items)
	case Hash:
		for _, p := range v.Hash {
			items = append(items, p.Field, p.Value)
		}
		batch("HSET", items)
	case ZSet:
		for _, m := range v.ZSet {
			items = append(items, strconv.FormatFloat(m.Score, 'g', -1, 64), m.Member)
		}
		batch("ZADD", items)
	}
	return cmds
}

// normalize orders sets and hashes, whose order Redis does not keep, for
// comparison.
func normalize(v Value) Value {
	v.Set = slices.Clone(v.Set)
	slices.SortFunc(v.Set, bytes.Compare)
	v.Hash = slices.Clone(v.Hash)
	slices.SortFunc(v.Hash, func(a, b Pair) int { return bytes.Compare(a.Field, b.Field) })
	return v
}

// equalValues compares values exactly, but nil and empty byte slices alike
// and scores as numbers (a listpack turns -0 into 0, as in Redis).
func equalValues(a, b Value) bool {
	eq := func(x, y [][]byte) bool { return slices.EqualFunc(x, y, bytes.Equal) }
	return a.Kind == b.Kind && bytes.Equal(a.Str, b.Str) && eq(a.List, b.List) && eq(a.Set, b.Set) &&
		slices.EqualFunc(a.Hash, b.Hash, func(x, y Pair) bool {
			return bytes.Equal(x.Field, y.Field) && bytes.Equal(x.Value, y.Value)
		}) &&
		slices.EqualFunc(a.ZSet, b.ZSet, func(x, y ScoredMember) bool {
			return bytes.Equal(x.Member, y.Member) && x.Score == y.Score
		})
}

// Encoders of the formats Redis 7.0 reads but no longer writes, to make
// payloads of every type it RESTOREs.

// payload wraps an object (type byte and body) in a DUMP footer.
func payload(obj []byte, version uint16) []byte {
	b := binary.LittleEndian.AppendUint16(slices.Clone(obj), version)
	return binary.LittleEndian.AppendUint64(b, crc(b))
}

// ziplist encodes items as Redis's ziplistPush, integers compactly.
func ziplist(items [][]byte) []byte {
	b := make([]byte, zlHeaderSize)
	prev, tail := 0, zlHeaderSize
	for _, s := range items {
		start := len(b)
		if prev < 254 {
			b = append(b, byte(prev))
		} else {
			b = binary.LittleEndian.AppendUint32(append(b, zlBigPrevLen), uint32(prev))
		}
		v, isInt := canonicalInt(s)
		switch {
		case isInt && v >= 0 && v <= 12:
			b = append(b, zlImmLo+byte(v))
		case isInt && v >= math.MinInt8 && v <= math.MaxInt8:
			b = append(b, zlInt8, byte(v))
		case isInt && v >= math.MinInt16 && v <= math.MaxInt16:
			b = binary.LittleEndian.AppendUint16(append(b, zlInt16), uint16(v))
		case isInt && v >= -1<<23 && v < 1<<23:
			b = append(b, zlInt24, byte(v), byte(v>>8), byte(v>>16))
		case isInt && v >= math.MinInt32 && v <= math.MaxInt32:
			b = binary.LittleEndian.AppendUint32(append(b, zlInt32), uint32(v))
		case isInt:
			b = binary.LittleEndian.AppendUint64(append(b, zlInt64), uint64(v))
		case len(s) < 64:
			b = append(append(b, byte(len(s))), s...)
		case len(s) < 1<<14:
			b = append(append(b, zlStr14|byte(len(s)>>8), byte(len(s))), s...)
		default:
			b = append(binary.BigEndian.AppendUint32(append(b, zlStr32), uint32(len(s))), s...)
		}
		prev, tail = len(b)-start, start
	}
	b = append(b, zlEnd)
	binary.LittleEndian.PutUint32(b, uint32(len(b)))
	binary.LittleEndian.PutUint32(b[4:], uint32(tail))
	binary.LittleEndian.PutUint16(b[8:], uint16(min(len(items), math.MaxUint16)))
	return b
}

// zipmap encodes field/value pairs as Redis 2.4's zipmapSet, with free
// bytes of free after each value.
func zipmap(items [][]byte, free int) []byte {
	b := []byte{byte(min(len(items)/2, zmBigLen))}
	length := func(n int) {
		if n < zmBigLen {
			b = append(b, byte(n))
		} else {
			b = binary.LittleEndian.AppendUint32(append(b, zmBigLen), uint32(n))
		}
	}
	for i := 0; i < len(items); i += 2 {
		length(len(items[i]))
		b = append(b, items[i]...)
		length(len(items[i+1]))
		b = append(b, byte(free))
		b = append(b, items[i+1]...)
		b = append(b, make([]byte, free)...)
	}
	return append(b, zmEnd)
}

func lpBytes(items [][]byte) []byte {
	lp := newListpack()
	for _, s := range items {
		lp.add(s)
	}
	return lp.bytes()
}

func flat(h []Pair) [][]byte {
	var out [][]byte
	for _, p := range h {
		out = append(out, p.Field, p.Value)
	}
	return out
}

// legacyCase is a payload of an encoding Redis 7.0 reads but does not
// write, and the value it holds.
type legacyCase struct {
	name    string
	payload []byte
	v       Value
}

func legacyCases() []legacyCase {
	var cs []legacyCase
	obj := func(t byte, parts ...[]byte) []byte { return slices.Concat(append([][]byte{{t}}, parts...)...) }
	add := func(name string, p []byte, v Value) { cs = append(cs, legacyCase{name, p, v}) }
	str := func(s []byte) []byte { return appendString(nil, s) }
	list := strs("a", "", "0", "12", "13", "-1", "127", "-128", "200", "-40000", "8000000",
		"2147483647", "-2147483649", "9223372036854775807", string(pattern(70)), string(pattern(20000)), "x")
	add("list ziplist", payload(obj(typeListZiplist, str(ziplist(list))), 6), Value{Kind: List, List: list})
	add("list type 1", payload(obj(typeList, appendLen(nil, uint64(len(list))), slices.Concat(func() [][]byte {
		var out [][]byte
		for _, s := range list {
			out = append(out, str(s))
		}
		return out
	}()...)), 1), Value{Kind: List, List: list})
	add("list quicklist", payload(obj(typeListQuicklist, appendLen(nil, 3), str(ziplist(list[:5])), str(ziplist(nil)), str(ziplist(list[5:]))), 7),
		Value{Kind: List, List: list})
	add("list quicklist 2 plain", payload(obj(typeListQuicklist2, appendLen(nil, 3),
		appendLen(nil, containerPacked), str(lpBytes(list[:3])),
		appendLen(nil, containerPlain), str(pattern(300)),
		appendLen(nil, containerPacked), str(lpBytes(list[3:]))), 10),
		Value{Kind: List, List: slices.Concat(list[:3], [][]byte{pattern(300)}, list[3:])})

	set := strs("-1", "0", "1", "100")
	add("set intset int64 width", payload(obj(typeSetIntset, str(func() []byte {
		b := binary.LittleEndian.AppendUint32(nil, 8)
		b = binary.LittleEndian.AppendUint32(b, 4)
		for _, v := range []int64{-1, 0, 1, 100} {
			b = binary.LittleEndian.AppendUint64(b, uint64(v))
		}
		return b
	}())), 10), Value{Kind: Set, Set: set})

	h := []Pair{{[]byte("f"), []byte("v")}, {[]byte("n"), []byte("-7")}, {[]byte(""), []byte("")},
		{pattern(300), pattern(260)}, {[]byte("1"), pattern(30)}}
	add("hash zipmap", payload(obj(typeHashZipmap, str(zipmap(flat(h), 0))), 2), Value{Kind: Hash, Hash: h})
	add("hash zipmap free", payload(obj(typeHashZipmap, str(zipmap(flat(h[:2]), 3))), 2), Value{Kind: Hash, Hash: h[:2]})
	add("hash ziplist", payload(obj(typeHashZiplist, str(ziplist(flat(h)))), 9), Value{Kind: Hash, Hash: h})

	z := []ScoredMember{{[]byte("a"), 1}, {[]byte("b"), -2.5}, {[]byte("c"), math.Inf(1)}, {[]byte("d"), math.Inf(-1)}, {[]byte("e"), 0.1}, {[]byte("f"), 1e300}}
	sorted := slices.Clone(z)
	slices.SortFunc(sorted, compareScored)
	var zs, zl []byte
	for _, m := range z {
		zs = append(zs, str(m.Member)...)
		switch {
		case math.IsInf(m.Score, 1):
			zs = append(zs, 254)
		case math.IsInf(m.Score, -1):
			zs = append(zs, 255)
		default:
			f := strconv.FormatFloat(m.Score, 'g', 17, 64)
			zs = append(append(zs, byte(len(f))), f...)
		}
	}
	var items [][]byte
	for _, m := range sorted {
		items = append(items, m.Member, formatScore(nil, m.Score))
	}
	zl = ziplist(items)
	add("zset type 3", payload(obj(typeZSet, appendLen(nil, uint64(len(z))), zs), 8), Value{Kind: ZSet, ZSet: sorted})
	add("zset ziplist", payload(obj(typeZSetZiplist, str(zl)), 9), Value{Kind: ZSet, ZSet: sorted})
	return cs
}
