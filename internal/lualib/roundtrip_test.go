package lualib

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

// call calls lib.fn with args and gives its results.
func call(t *testing.T, L *lua.LState, lib, fn string, args ...lua.LValue) []lua.LValue {
	t.Helper()
	top := L.GetTop()
	L.Push(L.GetField(L.GetGlobal(lib), fn))
	for _, a := range args {
		L.Push(a)
	}
	if err := L.PCall(len(args), lua.MultRet, nil); err != nil {
		t.Fatalf("%s.%s: %v", lib, fn, err)
	}
	var out []lua.LValue
	for i := top + 1; i <= L.GetTop(); i++ {
		out = append(out, L.Get(i))
	}
	L.SetTop(top)
	return out
}

// equal compares Lua values, tables by their contents.
func equal(a, b lua.LValue) bool {
	ta, ok1 := a.(*lua.LTable)
	tb, ok2 := b.(*lua.LTable)
	if !ok1 || !ok2 {
		return a == b
	}
	n := 0
	same := true
	ta.ForEach(func(k, v lua.LValue) {
		n++
		same = same && equal(v, tb.RawGet(k))
	})
	m := 0
	tb.ForEach(func(lua.LValue, lua.LValue) { m++ })
	return same && n == m
}

// randomValue makes a value that both cjson and cmsgpack give back as it
// is: no holes in arrays, numbers that %.14g writes exactly, nesting below
// cmsgpack's limit.
func randomValue(L *lua.LState, r *rand.Rand, depth int) lua.LValue {
	k := r.IntN(7)
	if depth > 4 {
		k = r.IntN(4)
	}
	switch k {
	case 0:
		return lua.LNumber(r.Int64N(2e13) - 1e13)
	case 1:
		return lua.LNumber(float64(r.IntN(20000)-10000) / 64)
	case 2:
		b := make([]byte, r.IntN(40))
		for i := range b {
			b[i] = byte(r.UintN(256))
		}
		return lua.LString(b)
	case 3:
		return lua.LBool(r.IntN(2) == 0)
	case 4, 5:
		t := L.NewTable()
		for i := r.IntN(6); i > 0; i-- {
			t.Append(randomValue(L, r, depth+1))
		}
		return t
	}
	t := L.NewTable()
	for i := r.IntN(6); i > 0; i-- {
		t.RawSetString(fmt.Sprintf("k%d\x00\xff", r.IntN(100)), randomValue(L, r, depth+1))
	}
	return t
}

func TestRoundTrips(t *testing.T) {
	L := newTestState()
	defer L.Close()
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 2000; i++ {
		v := randomValue(L, r, 0)
		if tb, ok := v.(*lua.LTable); !ok || tb.Len() > 0 {
			// An empty table comes back from cjson as an empty table too, but
			// a table is an object to cjson only when it has keys.
			js := call(t, L, "cjson", "encode", v)[0]
			if back := call(t, L, "cjson", "decode", js)[0]; !equal(v, back) {
				t.Fatalf("cjson: %s came back as %v", js, back)
			}
		}
		mp := call(t, L, "cmsgpack", "pack", v, v)[0]
		back := call(t, L, "cmsgpack", "unpack", mp)
		if len(back) != 2 || !equal(v, back[0]) || !equal(v, back[1]) {
			t.Fatalf("cmsgpack: %q came back as %v", mp, back)
		}
	}
}

func TestStructRoundTrip(t *testing.T) {
	L := newTestState()
	defer L.Close()
	r := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 2000; i++ {
		var f strings.Builder
		f.WriteString(pick(r, []string{"", "<", ">", "!", "!4", ">!2"}))
		var args []lua.LValue
		for n := 1 + r.IntN(6); n > 0; n-- {
			switch c := pick(r, []byte("bBhHiIlLTdfsc")); c {
			case 'b', 'B', 'h', 'H', 'i', 'I':
				size := map[byte]int{'b': 1, 'B': 1, 'h': 2, 'H': 2, 'i': 4, 'I': 4}[c]
				if c == 'i' || c == 'I' {
					size = 1 + r.IntN(7)
					fmt.Fprintf(&f, "%c%d", c, size)
				} else {
					f.WriteByte(c)
				}
				lim := int64(1) << (8*size - 1)
				if c >= 'a' {
					args = append(args, lua.LNumber(r.Int64N(2*lim)-lim))
				} else {
					args = append(args, lua.LNumber(r.Int64N(2*lim)))
				}
			case 'l', 'L', 'T':
				f.WriteByte(c)
				args = append(args, lua.LNumber(r.Int64N(1<<53)))
			case 'd':
				f.WriteByte(c)
				args = append(args, lua.LNumber(r.NormFloat64()*1e6))
			case 'f':
				f.WriteByte(c)
				args = append(args, lua.LNumber(float32(r.NormFloat64())))
			case 's':
				f.WriteByte(c)
				args = append(args, lua.LString(strings.Repeat("z", r.IntN(5))))
			case 'c':
				n := 1 + r.IntN(4)
				fmt.Fprintf(&f, "c%d", n)
				args = append(args, lua.LString(strings.Repeat("y", n)))
			}
		}
		format := lua.LString(f.String())
		packed := call(t, L, "struct", "pack", append([]lua.LValue{format}, args...)...)[0]
		back := call(t, L, "struct", "unpack", format, packed)
		if len(back) != len(args)+1 {
			t.Fatalf("%s: %d results for %d values", format, len(back), len(args))
		}
		for j, a := range args {
			if !equal(a, back[j]) {
				t.Fatalf("%s: %v came back as %v", format, a, back[j])
			}
		}
		if strings.Contains(string(format), "s") {
			continue
		}
		if size := call(t, L, "struct", "size", format)[0]; size != lua.LNumber(len(string(packed.(lua.LString)))) {
			t.Fatalf("%s: size %v, packed %d bytes", format, size, len(string(packed.(lua.LString))))
		}
	}
}
