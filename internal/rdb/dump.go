package rdb

import (
	"encoding/binary"
	"math"
	"slices"
	"strconv"
)

// Encoding says how [Options.Dump] encodes a collection.
type Encoding uint8

const (
	// Auto chooses as Redis 7.0 does for an object built by adding the
	// elements one by one: compact while within the limits of [Options].
	Auto Encoding = iota
	// Compact asks for a listpack (hash, sorted set) or an intset (set,
	// when every member is an integer; else a plain set), whatever the
	// limits: what Redis dumps for an object of encoding "listpack" or
	// "intset".
	Compact
	// Full asks for a plain hash or set or a skiplist sorted set: what
	// Redis dumps for an object of encoding "hashtable" or "skiplist".
	Full
)

// Options chooses the encodings [Options.Dump] writes. The limits are
// Redis's configuration parameters of the same names; they matter only to
// [Auto], but for ListMaxListpackSize, which always decides how a list is
// split into quicklist nodes. Start from [DefaultOptions]: in a zero
// Options every limit is 0, which puts each list element in a node of its
// own.
type Options struct {
	Encoding               Encoding
	HashMaxListpackEntries int // hash-max-listpack-entries
	HashMaxListpackValue   int // hash-max-listpack-value
	SetMaxIntsetEntries    int // set-max-intset-entries
	ZSetMaxListpackEntries int // zset-max-listpack-entries
	ZSetMaxListpackValue   int // zset-max-listpack-value
	ListMaxListpackSize    int // list-max-listpack-size: -1 to -5 for 4 to 64 KiB, or a count
}

// DefaultOptions are Redis 7.0's defaults, with [Auto].
var DefaultOptions = Options{
	Encoding:               Auto,
	HashMaxListpackEntries: 512,
	HashMaxListpackValue:   64,
	SetMaxIntsetEntries:    512,
	ZSetMaxListpackEntries: 128,
	ZSetMaxListpackValue:   64,
	ListMaxListpackSize:    -2,
}

// Dump returns the DUMP payload of v with [DefaultOptions].
func Dump(v Value) []byte { return DefaultOptions.Dump(v) }

// DumpEncoded returns the DUMP payload of v with [DefaultOptions] but for
// the encoding: [Compact] for an object whose OBJECT ENCODING is listpack
// or intset, [Full] for hashtable or skiplist.
func DumpEncoded(v Value, enc Encoding) []byte {
	o := DefaultOptions
	o.Encoding = enc
	return o.Dump(v)
}

// Dump returns the DUMP payload of v: its RDB type and encoding, [Version]
// and the CRC64. v should be what Redis can hold: a collection not empty,
// no duplicates, no NaN scores, a sorted set in ascending order; else Redis
// (and [Restore]) will refuse the payload. It panics if v.Kind is unknown.
func (o Options) Dump(v Value) []byte {
	var b []byte
	switch v.Kind {
	case String:
		b = appendString(append(b, typeString), v.Str)
	case List:
		b = o.appendList(b, v.List)
	case Set:
		b = o.appendSet(b, v.Set)
	case Hash:
		b = o.appendHash(b, v.Hash)
	case ZSet:
		b = o.appendZSet(b, v.ZSet)
	default:
		panic("rdb: Dump of a Value of kind " + v.Kind.String())
	}
	return Seal(b)
}

// Seal makes a payload of an RDB object (its type byte and encoding)
// written by other means: it appends the version and the CRC64. Tests
// use it to build payloads whose checksum is right and whose object is
// not.
func Seal(object []byte) []byte {
	b := binary.LittleEndian.AppendUint16(object, Version)
	return binary.LittleEndian.AppendUint64(b, crc(b))
}

// Redis's quicklist (quicklist.c): the size limits of list-max-listpack-size
// -1 to -5, the size no node grows past whatever the count limit, and the
// element size from which an element has a node of its own.
var quicklistSizes = [...]int{4096, 8192, 16384, 32768, 65536}

const (
	quicklistSafetyLimit   = 8192
	quicklistPackThreshold = 1 << 30
	quicklistSizeOverhead  = 8
)

// appendList writes a list as a quicklist of listpacks, split into nodes as
// Redis splits a list pushed element after element at its tail.
func (o Options) appendList(b []byte, list [][]byte) []byte {
	type node struct {
		lp    *listpack
		plain []byte
	}
	var nodes []node
	for _, e := range list {
		if len(e) >= quicklistPackThreshold {
			nodes = append(nodes, node{plain: e})
			continue
		}
		if len(nodes) == 0 || nodes[len(nodes)-1].lp == nil || !o.allowInsert(nodes[len(nodes)-1].lp, len(e)) {
			nodes = append(nodes, node{lp: newListpack()})
		}
		nodes[len(nodes)-1].lp.add(e)
	}
	b = appendLen(append(b, typeListQuicklist2), uint64(len(nodes)))
	for _, n := range nodes {
		if n.lp == nil {
			b = appendString(appendLen(b, containerPlain), n.plain)
		} else {
			b = appendString(appendLen(b, containerPacked), n.lp.bytes())
		}
	}
	return b
}

// allowInsert says whether an element of sz bytes joins the node lp, as
// _quicklistNodeAllowInsert does in Redis 7.0.15: the node's size plus the
// element's plus 8 must stay within the size limit of a negative fill, or
// within 8 KiB and the count limit of a positive one.
func (o Options) allowInsert(lp *listpack, sz int) bool {
	newSize := lp.size() + sz + quicklistSizeOverhead
	fill := o.ListMaxListpackSize
	if fill < 0 {
		return newSize <= quicklistSizes[min(-fill-1, len(quicklistSizes)-1)]
	}
	return newSize <= quicklistSafetyLimit && lp.n+1 <= max(fill, 1)
}

func (o Options) appendSet(b []byte, set [][]byte) []byte {
	if o.Encoding != Full && (o.Encoding == Compact || len(set) <= o.SetMaxIntsetEntries) {
		ints := make([]int64, 0, len(set))
		for _, m := range set {
			v, ok := canonicalInt(m)
			if !ok {
				break
			}
			ints = append(ints, v)
		}
		if len(ints) == len(set) {
			slices.Sort(ints)
			return appendString(append(b, typeSetIntset), encodeIntset(ints))
		}
	}
	b = appendLen(append(b, typeSet), uint64(len(set)))
	for _, m := range set {
		b = appendString(b, m)
	}
	return b
}

// listpack says whether to write a hash or sorted set of n items, the
// longest of longest bytes, as a listpack.
func (o Options) listpack(n, longest, maxEntries, maxValue int) bool {
	if o.Encoding == Auto {
		return n <= maxEntries && longest <= maxValue
	}
	return o.Encoding == Compact
}

func (o Options) appendHash(b []byte, h []Pair) []byte {
	longest := 0
	for _, p := range h {
		longest = max(longest, len(p.Field), len(p.Value))
	}
	if o.listpack(len(h), longest, o.HashMaxListpackEntries, o.HashMaxListpackValue) {
		lp := newListpack()
		for _, p := range h {
			lp.add(p.Field)
			lp.add(p.Value)
		}
		return appendString(append(b, typeHashListpack), lp.bytes())
	}
	b = appendLen(append(b, typeHash), uint64(len(h)))
	for _, p := range h {
		b = appendString(appendString(b, p.Field), p.Value)
	}
	return b
}

func (o Options) appendZSet(b []byte, z []ScoredMember) []byte {
	longest := 0
	for _, m := range z {
		longest = max(longest, len(m.Member))
	}
	if o.listpack(len(z), longest, o.ZSetMaxListpackEntries, o.ZSetMaxListpackValue) {
		lp := newListpack()
		var buf []byte
		for _, m := range z {
			lp.add(m.Member)
			buf = formatScore(buf[:0], m.Score)
			lp.add(buf)
		}
		return appendString(append(b, typeZSetListpack), lp.bytes())
	}
	// Redis writes a skiplist from its greatest element down.
	b = appendLen(append(b, typeZSet2), uint64(len(z)))
	for i := len(z) - 1; i >= 0; i-- {
		b = appendString(b, z[i].Member)
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(z[i].Score))
	}
	return b
}

// formatScore writes a score as Redis 7.0's d2string: integers within 2^52
// in decimal (so negative zero as "0"), else as C's "%.17g".
func formatScore(b []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(b, "nan"...)
	case math.IsInf(f, 1):
		return append(b, "inf"...)
	case math.IsInf(f, -1):
		return append(b, "-inf"...)
	case f > -4503599627370495 && f < 4503599627370496 && f == math.Trunc(f):
		return strconv.AppendInt(b, int64(f), 10)
	}
	return strconv.AppendFloat(b, f, 'g', 17, 64)
}
