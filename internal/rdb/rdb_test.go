package rdb

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestCRC64(t *testing.T) {
	// The check value of crc64.c's test.
	if got := crc([]byte("123456789")); got != 0xe9c6d914c4b8d9ca {
		t.Fatalf("crc = %x", got)
	}
}

func TestRoundTrip(t *testing.T) {
	for _, gc := range goldenCases() {
		for _, enc := range []Encoding{Auto, Compact, Full} {
			v, err := Restore(DumpEncoded(gc.v, enc))
			if err != nil {
				t.Errorf("%s (encoding %d): %v", gc.name, enc, err)
			} else if !equalValues(normalize(v), normalize(gc.v)) {
				t.Errorf("%s (encoding %d): round trip differs", gc.name, enc)
			}
		}
	}
}

// randomValue makes a value of random kind and size, with the integers,
// sizes and scores the encodings treat specially.
func randomValue(r *rand.Rand) Value {
	elem := func() []byte {
		switch r.IntN(6) {
		case 0:
			return fmt.Appendf(nil, "%d", r.Int64()>>r.IntN(64))
		case 1:
			return fmt.Appendf(nil, "%d", -r.Int64()>>r.IntN(64))
		case 2:
			return fmt.Appendf(nil, "%d", r.IntN(300)-150)
		case 3:
			return bytes.Repeat([]byte{byte(r.Uint32())}, r.IntN(5000))
		}
		b := make([]byte, r.IntN(80))
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		return b
	}
	n := 1 + r.IntN([]int{3, 200, 2000}[r.IntN(3)])
	distinct := func() [][]byte {
		seen := map[string]bool{}
		var out [][]byte
		for range n {
			e := elem()
			if !seen[string(e)] {
				seen[string(e)] = true
				out = append(out, e)
			}
		}
		return out
	}
	switch Kind(1 + r.IntN(5)) {
	case String:
		return Value{Kind: String, Str: elem()}
	case List:
		l := make([][]byte, n)
		for i := range l {
			l[i] = elem()
		}
		return Value{Kind: List, List: l}
	case Set:
		if r.IntN(2) == 0 {
			return Value{Kind: Set, Set: ints(r.Int64N(1<<40)-1<<39, int64(n), 1+r.Int64N(1<<20))}
		}
		return Value{Kind: Set, Set: distinct()}
	case Hash:
		var h []Pair
		for _, f := range distinct() {
			h = append(h, Pair{f, elem()})
		}
		return Value{Kind: Hash, Hash: h}
	}
	var z []ScoredMember
	for _, m := range distinct() {
		s := []float64{r.NormFloat64() * 1e6, float64(r.IntN(100)), math.Inf(1), math.Inf(-1), math.Ldexp(r.Float64(), r.IntN(2000)-1000)}
		z = append(z, ScoredMember{m, s[r.IntN(len(s))]})
	}
	slices.SortFunc(z, compareScored)
	return Value{Kind: ZSet, ZSet: z}
}

func TestRandomRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	for i := range 300 {
		v := randomValue(r)
		for _, enc := range []Encoding{Auto, Compact, Full} {
			o := DefaultOptions
			o.Encoding = enc
			o.ListMaxListpackSize = []int{-2, -1, -5, -9, 0, 1, 100}[i%7]
			got, err := Restore(o.Dump(v))
			if err != nil {
				t.Fatalf("value %d (%s, encoding %d): %v", i, v.Kind, enc, err)
			}
			if !equalValues(normalize(got), normalize(v)) {
				t.Fatalf("value %d (%s, encoding %d): round trip differs", i, v.Kind, enc)
			}
		}
	}
}

func TestLZF(t *testing.T) {
	// A literal "abc", then a reference 3 back of 8 bytes (ctrl 6<<5),
	// then one of 7+2+2 (ctrl 7<<5 and an extra 2).
	in := []byte{2, 'a', 'b', 'c', 6 << 5, 2, 7 << 5, 2, 2}
	out, err := lzfDecompress(in, 3+8+11)
	if err != nil || string(out) != "abcabcabcabcabcabcabca" {
		t.Fatalf("got %q, %v", out, err)
	}
	for _, bad := range []struct {
		in []byte
		n  int
	}{
		{in, 21}, {in, 23}, // wrong length
		{[]byte{1 << 5, 0}, 3}, // reference before any output
		{[]byte{5, 'a'}, 6},    // literal overruns the input
		{[]byte{0, 'a', 7 << 5}, 20},
		{[]byte{0, 'a'}, 1000}, // claims more than LZF can expand
	} {
		if _, err := lzfDecompress(bad.in, bad.n); !errors.Is(err, ErrBadData) {
			t.Errorf("lzfDecompress(%x, %d) = %v", bad.in, bad.n, err)
		}
	}
}

func TestBacklen(t *testing.T) {
	for _, l := range []int{0, 1, 127, 128, 16382, 16383, 2097150, 2097151, 268435454, 268435455, 1 << 30} {
		b := appendBacklen(nil, l)
		// Read it back as lpDecodeBacklen does, from its last byte.
		v, shift := 0, 0
		for i := len(b) - 1; i >= 0; i-- {
			v |= int(b[i]&127) << shift
			shift += 7
			if b[i]&128 == 0 {
				if i != 0 {
					t.Errorf("%d: stops early", l)
				}
				break
			}
		}
		if v != l {
			t.Errorf("backlen %d reads back as %d (%x)", l, v, b)
		}
	}
}

// obj builds an object: a type byte and parts.
func obj(t byte, parts ...[]byte) []byte {
	return slices.Concat(append([][]byte{{t}}, parts...)...)
}

func TestRestoreRejects(t *testing.T) {
	str := func(s string) []byte { return appendString(nil, []byte(s)) }
	blob := func(b []byte) []byte { return appendString(nil, b) }
	n := func(n uint64) []byte { return appendLen(nil, n) }
	lp := func(ss ...string) []byte { return blob(lpBytes(strs(ss...))) }
	f64 := func(f float64) []byte { return binary.LittleEndian.AppendUint64(nil, math.Float64bits(f)) }
	good := Dump(Value{Kind: String, Str: []byte("x")})
	badLP := lpBytes(strs("a", "b"))
	badLP[len(badLP)-2] = 9 // the last backlen
	for name, c := range map[string]struct {
		payload []byte
		err     error
	}{
		"short":                 {good[:9], ErrPayload},
		"version 11":            {payload(obj(typeString, str("x")), 11), ErrPayload},
		"version 65535":         {payload(obj(typeString, str("x")), 65535), ErrPayload},
		"bad CRC":               {append(slices.Clone(good[:len(good)-1]), good[len(good)-1]^1), ErrPayload},
		"zero CRC":              {append(slices.Clone(good[:len(good)-8]), make([]byte, 8)...), ErrPayload},
		"no object":             {payload(nil, 10), ErrBadData},
		"type 8":                {payload(obj(8, str("x")), 10), ErrBadData},
		"type 20":               {payload(obj(20, str("x")), 10), ErrBadData},
		"module":                {payload(obj(typeModule2, n(1)), 10), ErrBadData},
		"stream":                {payload(obj(typeStreamListpacks, n(0)), 10), ErrStream},
		"stream 2":              {payload(obj(typeStreamListpack2, n(0)), 10), ErrStream},
		"truncated string":      {payload(obj(typeString, n(20), []byte("abc")), 10), ErrBadData},
		"length 0x82":           {payload(obj(typeString, []byte{0x82, 0, 0, 0, 1, 'a'}), 10), ErrBadData},
		"string encoding 4":     {payload(obj(typeString, []byte{0xc4}), 10), ErrBadData},
		"huge length":           {payload(obj(typeString, []byte{0x81, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}), 10), ErrBadData},
		"LZF too long":          {payload(obj(typeString, []byte{0xc3}, n(2), n(1000), []byte{0, 'a'}), 10), ErrBadData},
		"empty list":            {payload(obj(typeList, n(0)), 10), ErrBadData},
		"list count too big":    {payload(obj(typeList, n(1000), str("a")), 10), ErrBadData},
		"empty quicklist":       {payload(obj(typeListQuicklist2, n(1), n(2), blob(lpBytes(nil))), 10), ErrBadData},
		"quicklist container 3": {payload(obj(typeListQuicklist2, n(1), n(3), lp("a")), 10), ErrBadData},
		"listpack backlen":      {payload(obj(typeListQuicklist2, n(1), n(2), blob(badLP)), 10), ErrBadData},
		"empty set":             {payload(obj(typeSet, n(0)), 10), ErrBadData},
		"duplicate set member":  {payload(obj(typeSet, n(2), str("a"), str("a")), 10), ErrBadData},
		"intset unsorted":       {payload(obj(typeSetIntset, blob([]byte{2, 0, 0, 0, 2, 0, 0, 0, 5, 0, 1, 0})), 10), ErrBadData},
		"intset width 3":        {payload(obj(typeSetIntset, blob([]byte{3, 0, 0, 0, 1, 0, 0, 0, 5, 0, 1})), 10), ErrBadData},
		"empty intset":          {payload(obj(typeSetIntset, blob(encodeIntset(nil))), 10), ErrBadData},
		"duplicate hash field":  {payload(obj(typeHash, n(2), str("f"), str("1"), str("f"), str("2")), 10), ErrBadData},
		"hash listpack dup":     {payload(obj(typeHashListpack, lp("f", "1", "f", "2")), 10), ErrBadData},
		"hash listpack odd":     {payload(obj(typeHashListpack, lp("f", "1", "g")), 10), ErrBadData},
		"empty hash listpack":   {payload(obj(typeHashListpack, lp()), 10), ErrBadData},
		"empty zipmap":          {payload(obj(typeHashZipmap, blob(zipmap(nil, 0))), 10), ErrBadData},
		"zset NaN":              {payload(obj(typeZSet2, n(1), str("m"), f64(math.NaN())), 10), ErrBadData},
		"zset 3 NaN":            {payload(obj(typeZSet, n(1), str("m"), []byte{253}), 10), ErrBadData},
		"zset 3 bad score":      {payload(obj(typeZSet, n(1), str("m"), []byte{3}, []byte("abc")), 10), ErrBadData},
		"zset 3 nan score":      {payload(obj(typeZSet, n(1), str("m"), []byte{3}, []byte("nan")), 10), ErrBadData},
		"zset duplicate":        {payload(obj(typeZSet2, n(2), str("m"), f64(1), str("m"), f64(2)), 10), ErrBadData},
		"zset listpack NaN":     {payload(obj(typeZSetListpack, lp("m", "-nan")), 10), ErrBadData},
		"zset listpack dup":     {payload(obj(typeZSetListpack, lp("m", "1", "m", "1")), 10), ErrBadData},
		"ziplist count":         {payload(obj(typeListZiplist, blob(func() []byte { z := ziplist(strs("a")); z[8] = 2; return z }())), 10), ErrBadData},
		"ziplist tail":          {payload(obj(typeListZiplist, blob(func() []byte { z := ziplist(strs("a", "b")); z[4]++; return z }())), 10), ErrBadData},
	} {
		if _, err := Restore(c.payload); !errors.Is(err, c.err) {
			t.Errorf("%s: got %v, want %v", name, err, c.err)
		}
	}
}

func TestRestoreAccepts(t *testing.T) {
	// Redis ignores bytes between the object and the footer, accepts any
	// version up to its own, and reads the six bits of an encoded byte
	// where it wants a length.
	for name, p := range map[string][]byte{
		"trailing bytes": payload([]byte{typeString, 1, 'a', 'x', 'y'}, 10),
		"version 0":      payload([]byte{typeString, 1, 'a'}, 0),
		"encoded length": payload([]byte{typeList, 0xc1, 1, 'a'}, 10),
	} {
		v, err := Restore(p)
		if err != nil {
			t.Errorf("%s: %v", name, err)
		} else if !(bytes.Equal(v.Str, []byte("a")) || (len(v.List) == 1 && bytes.Equal(v.List[0], []byte("a")))) {
			t.Errorf("%s: got %+v", name, v)
		}
	}
	// An object that runs into the footer is read with the footer's bytes.
	if v, err := Restore(payload([]byte{typeString, 5, '1', '.', '5'}, 10)); err != nil || string(v.Str) != "1.5\n\x00" {
		t.Errorf("into the footer: %q, %v", v.Str, err)
	}
	// An LZF string that decompresses to nothing, whatever it holds, as
	// lzf_decompress does with no room to write.
	if v, err := Restore(payload([]byte{typeString, 0xc3, 1, 0, 9}, 10)); err != nil || len(v.Str) != 0 {
		t.Errorf("empty LZF: %q, %v", v.Str, err)
	}
}

// TestTruncated restores every prefix of the golden payloads' objects, with
// a good footer: none may panic, and what is accepted must round-trip.
func TestTruncated(t *testing.T) {
	for name, g := range readGolden(t) {
		body := g.payload[:len(g.payload)-10]
		if len(body) > 3000 {
			continue
		}
		for i := range len(body) {
			checkRestore(t, payload(body[:i], 10))
		}
		_ = name
	}
}

// checkRestore restores p and, when that works, checks that what Dump
// writes of the value, in every encoding, restores to the same value.
func checkRestore(t *testing.T, p []byte) {
	v, err := Restore(p)
	if err != nil {
		if !errors.Is(err, ErrPayload) && !errors.Is(err, ErrBadData) && !errors.Is(err, ErrStream) {
			t.Fatalf("Restore(%x): unexpected error %v", p, err)
		}
		return
	}
	for _, enc := range []Encoding{Auto, Compact, Full} {
		o := DefaultOptions
		o.Encoding = enc
		v2, err := Restore(o.Dump(v))
		if err != nil {
			t.Fatalf("Restore(%x) gives a value whose Dump (encoding %d) does not restore: %v", p, enc, err)
		}
		if !equalValues(normalize(v2), normalize(v)) {
			t.Fatalf("Restore(%x): Dump (encoding %d) then Restore differs", p, enc)
		}
	}
}

// FuzzRestore restores the object it is given wrapped in a good footer (so
// that mutations are not all stopped by the CRC), and also as it is.
func FuzzRestore(f *testing.F) {
	for _, gc := range goldenCases() {
		if p := Dump(gc.v); len(p) < 2000 {
			f.Add(p[:len(p)-10])
		}
	}
	for _, lc := range legacyCases() {
		if len(lc.payload) < 2000 {
			f.Add(lc.payload[:len(lc.payload)-10])
		}
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		checkRestore(t, payload(body, 10))
		checkRestore(t, body)
	})
}
