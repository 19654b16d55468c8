package lualib

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
)

// Random golden cases: inputs made from a fixed seed (math/rand/v2's PCG
// gives the same sequence on every Go), so that the same scripts are
// compared with redis-server's results each time.
func init() {
	r := rand.New(rand.NewPCG(7, 2026))
	add := func(n int, name string, code func() string) {
		for i := 0; i < n; i++ {
			cases = append(cases, struct{ name, code string }{fmt.Sprintf("random/%s/%d", name, i), code()})
		}
	}
	add(150, "cjson/decode", func() string {
		return fmt.Sprintf("return cjson.decode(%s)", luaQuote(randomJSON(r)))
	})
	add(60, "cjson/encode", func() string {
		return fmt.Sprintf("return cjson.encode(%s)", randomLuaValue(r, 0))
	})
	add(150, "cmsgpack/unpack", func() string {
		return fmt.Sprintf("return cmsgpack.unpack(%s)", luaQuote(randomMsgpack(r)))
	})
	add(60, "cmsgpack/pack", func() string {
		return fmt.Sprintf("return cmsgpack.pack(%s)", randomLuaValue(r, 0))
	})
	add(150, "struct", func() string {
		format, data := randomStruct(r)
		return fmt.Sprintf("return pcall(struct.unpack, %s, %s), pcall(struct.size, %[1]s), pcall(struct.pack, %[1]s%[3]s)",
			luaQuote(format), luaQuote(data), randomNumbers(r))
	})
	add(60, "bit", func() string {
		return fmt.Sprintf("local a, b = %s, %s return bit.tobit(a), bit.bnot(a), bit.band(a, b), bit.bor(a, b), bit.bxor(a, b), bit.lshift(a, b), bit.rshift(a, b), bit.arshift(a, b), bit.rol(a, b), bit.ror(a, b), bit.bswap(a), bit.tohex(a, b)",
			randomNumber(r), randomNumber(r))
	})
}

// luaQuote writes s as a Lua string literal.
func luaQuote(s string) string {
	var b strings.Builder
	b.WriteByte('\'')
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < ' ' || c > '~' || c == '\\' || c == '\'' {
			fmt.Fprintf(&b, "\\%03d", c)
		} else {
			b.WriteByte(c)
		}
	}
	b.WriteByte('\'')
	return b.String()
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

var jsonPieces = []string{"[", "]", "{", "}", ",", ":", " ", "\n", `"a"`, `"k"`, `"\u00e9"`, `"\ud83d\ude00"`,
	`"\ud800"`, `"\x"`, `"\/\b"`, `"ab`, "0", "1", "-0", "12.5", "1e5", "-1E-3", "1e999", "0x1f", "01", "-", ".5",
	"1.", "nan", "-inf", "Infinity", "+3", "true", "false", "null", "tru", "nul", "x", "\x00", "\xff", "\xc3\xa9", "\t"}

// randomJSON makes a string of JSON-ish pieces, valid or not.
func randomJSON(r *rand.Rand) string {
	var b strings.Builder
	for n := 1 + r.IntN(12); n > 0; n-- {
		b.WriteString(pick(r, jsonPieces))
	}
	return b.String()
}

var msgpackTypes = []byte{0x00, 0x05, 0x7f, 0x80, 0x81, 0x82, 0x8f, 0x90, 0x91, 0x93, 0x9f, 0xa0, 0xa1, 0xa3, 0xbf,
	0xc0, 0xc1, 0xc2, 0xc3, 0xc4, 0xca, 0xcb, 0xcc, 0xcd, 0xce, 0xcf, 0xd0, 0xd1, 0xd2, 0xd3, 0xd4, 0xd9, 0xda,
	0xdb, 0xdc, 0xdd, 0xde, 0xdf, 0xe0, 0xff}

// randomMsgpack makes a string of MessagePack-ish type bytes each
// followed by a few bytes, valid or not.
func randomMsgpack(r *rand.Rand) string {
	var b []byte
	for n := 1 + r.IntN(10); n > 0; n-- {
		b = append(b, pick(r, msgpackTypes))
		for k := r.IntN(5); k > 0; k-- {
			if r.IntN(2) == 0 {
				b = append(b, byte(r.IntN(4)))
			} else {
				b = append(b, byte(r.UintN(256)))
			}
		}
	}
	return string(b)
}

// randomStruct makes a struct format and data for it, sensible or not.
func randomStruct(r *rand.Rand) (string, string) {
	var f strings.Builder
	for n := 1 + r.IntN(8); n > 0; n-- {
		f.WriteByte(pick(r, []byte("<>!!248bBhHlLTiIiIfdccsxx 0135y")))
	}
	data := make([]byte, r.IntN(24))
	for i := range data {
		data[i] = byte(r.UintN(256))
		if r.IntN(4) == 0 {
			data[i] = 0
		}
	}
	return f.String(), string(data)
}

// randomNumber writes a number of one of many kinds as a Lua expression.
// Infinities are 2^1024, not 1/0: Lua 5.1 keeps one constant for 0 and
// -0 in a function, so that 1/0 beside a -0 is -inf there; nor math.huge,
// which gopher-lua makes the largest finite number.
func randomNumber(r *rand.Rand) string {
	switch r.IntN(9) {
	case 0:
		return fmt.Sprint(r.IntN(300) - 150)
	case 1:
		return fmt.Sprintf("%d", r.Int64()>>r.IntN(63))
	case 2:
		return fmt.Sprintf("-%d", r.Int64()>>r.IntN(63))
	case 3:
		return fmt.Sprintf("2^%d %s %d", r.IntN(70), pick(r, []string{"+", "-"}), r.IntN(3))
	case 4:
		return pick(r, []string{"2^1024", "-2^1024", "0/0", "-0", "0.5", "-2.5", "1e300", "5e-324"})
	case 5:
		return fmt.Sprintf("%.17g", r.Float64()*math.Pow(10, float64(r.IntN(40)-20)))
	case 6:
		f := math.Float64frombits(r.Uint64())
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return "0"
		}
		return fmt.Sprintf("%.17g", f)
	case 7:
		return fmt.Sprintf("%.17g", float64(float32(r.NormFloat64()*1000)))
	}
	return fmt.Sprintf("'%d'", r.IntN(100))
}

// randomNumbers writes up to five numbers as more arguments of a call.
func randomNumbers(r *rand.Rand) string {
	var b strings.Builder
	for n := r.IntN(6); n > 0; n-- {
		b.WriteString(", " + randomNumber(r))
	}
	return b.String()
}

// randomLuaValue writes a Lua expression for a value: scalars, arrays,
// maps of one key (whose order every Lua agrees on), possibly sparse.
func randomLuaValue(r *rand.Rand, depth int) string {
	k := r.IntN(10)
	if depth > 2 {
		k = r.IntN(5)
	}
	switch k {
	case 0, 1:
		return randomNumber(r)
	case 2:
		return luaQuote(pick(r, []string{"", "a", "é", "\x00\x01\x7f\xff", `"/\`, strings.Repeat("s", 31), strings.Repeat("t", 32), strings.Repeat("u", 300)}))
	case 3:
		return pick(r, []string{"true", "false", "nil", "cjson.null"})
	case 4:
		return "{}"
	case 5, 6, 7:
		var xs []string
		for n := r.IntN(9); n > 0; n-- {
			xs = append(xs, randomLuaValue(r, depth+1))
		}
		return "{" + strings.Join(xs, ", ") + "}"
	case 8:
		return fmt.Sprintf("{[%s] = %s}", pick(r, []string{"'k'", "1", "2", "0", "-1", "1.5", "3", "12", "2^40"}), randomLuaValue(r, depth+1))
	}
	return fmt.Sprintf("{%s, [%d] = %s}", randomLuaValue(r, depth+1), 2+r.IntN(30), randomLuaValue(r, depth+1))
}
