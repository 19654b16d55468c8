package lualib

import (
	"encoding/binary"
	"math"

	lua "github.com/yuin/gopher-lua"
)

// The cmsgpack module (lua-cmsgpack 0.4.0 as Redis ships it). Numbers that
// are integers are packed in the smallest integer form, other numbers as
// float 32 when that is exact, else as float 64; strings as fixstr, str 8,
// str 16 or str 32; a table whose keys are exactly 1..n as an array, any
// other as a map; tables nested 16 deep, and values of other types, as nil.
// As for cjson, a map lists its keys in gopher-lua's order.

// cmsgpackMaxNesting is LUACMSGPACK_MAX_NESTING.
const cmsgpackMaxNesting = 16

func newCmsgpack(L *lua.LState) *lua.LTable {
	t := register(L, map[string]lua.LGFunction{
		"pack":         cmsgpackPack,
		"unpack":       func(L *lua.LState) int { return cmsgpackUnpack(L, 0, 0, "unpack") },
		"unpack_one":   cmsgpackUnpackOne,
		"unpack_limit": cmsgpackUnpackLimit,
	})
	t.RawSetString("_NAME", lua.LString("cmsgpack"))
	t.RawSetString("_VERSION", lua.LString("lua-cmsgpack 0.4.0"))
	t.RawSetString("_COPYRIGHT", lua.LString("Copyright (C) 2012, Salvatore Sanfilippo"))
	t.RawSetString("_DESCRIPTION", lua.LString("MessagePack C implementation for Lua"))
	return t
}

func cmsgpackPack(L *lua.LState) int {
	n := L.GetTop()
	if n == 0 {
		argError(L, 0, "pack", "MessagePack pack needs input.")
	}
	if 2*n > maxCStack {
		argError(L, 0, "pack", "Too many arguments for MessagePack pack.")
	}
	var b []byte
	for i := 1; i <= n; i++ {
		b = mpEncode(b, L.Get(i), 0)
	}
	L.Push(lua.LString(b))
	return 1
}

func mpEncode(b []byte, v lua.LValue, level int) []byte {
	switch x := v.(type) {
	case lua.LString:
		return mpEncodeBytes(b, string(x))
	case lua.LBool:
		if x {
			return append(b, 0xc3)
		}
		return append(b, 0xc2)
	case lua.LNumber:
		f := float64(x)
		if !math.IsInf(f, 0) && float64(toInt64(f)) == f {
			return mpEncodeInt(b, toInt64(f))
		}
		return mpEncodeDouble(b, f)
	case *lua.LTable:
		if level == cmsgpackMaxNesting {
			return append(b, 0xc0)
		}
		if n, ok := mpArrayLength(x); ok {
			b = mpHeader(b, n, 0x90, 0xdc, 0xdd)
			for i := 1; i <= n; i++ {
				b = mpEncode(b, x.RawGetInt(i), level+1)
			}
			return b
		}
		n := 0
		for k, _ := x.Next(lua.LNil); k != lua.LNil; k, _ = x.Next(k) {
			n++
		}
		b = mpHeader(b, n, 0x80, 0xde, 0xdf)
		for k, v := x.Next(lua.LNil); k != lua.LNil; k, v = x.Next(k) {
			b = mpEncode(b, k, level+1)
			b = mpEncode(b, v, level+1)
		}
		return b
	}
	return append(b, 0xc0)
}

// mpArrayLength is table_is_an_array: whether the keys are exactly the
// integers 1..n, and n.
func mpArrayLength(t *lua.LTable) (int, bool) {
	count, max := 0, 0
	for k, _ := t.Next(lua.LNil); k != lua.LNil; k, _ = t.Next(k) {
		n, ok := k.(lua.LNumber)
		if !ok || n <= 0 || math.IsInf(float64(n), 0) || float64(int32(toInt64(float64(n)))) != float64(n) {
			return 0, false
		}
		if int(n) > max {
			max = int(n)
		}
		count++
	}
	return count, max == count
}

func mpHeader(b []byte, n int, fix, b16, b32 byte) []byte {
	switch {
	case n < 16:
		return append(b, fix|byte(n))
	case n <= 0xffff:
		return binary.BigEndian.AppendUint16(append(b, b16), uint16(n))
	}
	return binary.BigEndian.AppendUint32(append(b, b32), uint32(n))
}

func mpEncodeBytes(b []byte, s string) []byte {
	n := len(s)
	switch {
	case n < 32:
		b = append(b, 0xa0|byte(n))
	case n <= 0xff:
		b = append(b, 0xd9, byte(n))
	case n <= 0xffff:
		b = binary.BigEndian.AppendUint16(append(b, 0xda), uint16(n))
	default:
		b = binary.BigEndian.AppendUint32(append(b, 0xdb), uint32(n))
	}
	return append(b, s...)
}

func mpEncodeInt(b []byte, n int64) []byte {
	if n >= 0 {
		switch {
		case n <= 127:
			return append(b, byte(n))
		case n <= 0xff:
			return append(b, 0xcc, byte(n))
		case n <= 0xffff:
			return binary.BigEndian.AppendUint16(append(b, 0xcd), uint16(n))
		case n <= 0xffffffff:
			return binary.BigEndian.AppendUint32(append(b, 0xce), uint32(n))
		}
		return binary.BigEndian.AppendUint64(append(b, 0xcf), uint64(n))
	}
	switch {
	case n >= -32:
		return append(b, byte(n))
	case n >= -128:
		return append(b, 0xd0, byte(n))
	case n >= -32768:
		return binary.BigEndian.AppendUint16(append(b, 0xd1), uint16(n))
	case n >= -2147483648:
		return binary.BigEndian.AppendUint32(append(b, 0xd2), uint32(n))
	}
	return binary.BigEndian.AppendUint64(append(b, 0xd3), uint64(n))
}

func mpEncodeDouble(b []byte, d float64) []byte {
	if f := float32(d); float64(f) == d {
		return binary.BigEndian.AppendUint32(append(b, 0xca), math.Float32bits(f))
	}
	return binary.BigEndian.AppendUint64(append(b, 0xcb), math.Float64bits(d))
}

func cmsgpackUnpackOne(L *lua.LState) int {
	offset := int32(optInteger(L, 2, "unpack_one", 0))
	L.SetTop(1)
	return cmsgpackUnpack(L, 1, offset, "unpack_one")
}

func cmsgpackUnpackLimit(L *lua.LState) int {
	limit := int32(checkInteger(L, 2, "unpack_limit"))
	offset := int32(optInteger(L, 3, "unpack_limit", 0))
	L.SetTop(1)
	return cmsgpackUnpack(L, limit, offset, "unpack_limit")
}

// mpCursor reads a MessagePack string; err is set once it is cut short
// (mpEOF) or holds an unknown type (mpBadFormat).
type mpCursor struct {
	L   *lua.LState
	s   string
	p   int
	err int
	top int // the Lua stack slots the C code would be using
}

const (
	mpEOF = 1 + iota
	mpBadFormat
)

func cmsgpackUnpack(L *lua.LState, limit, offset int32, fname string) int {
	s := checkString(L, 1, fname)
	decodeAll := limit == 0 && offset == 0
	if offset < 0 || limit < 0 {
		luaError(L, "Invalid request to unpack with offset of %d and limit of %d.", offset, int32(len(s)))
	}
	if int64(offset) > int64(len(s)) {
		luaError(L, "Start offset %d greater than input length %d.", offset, int32(len(s)))
	}
	if decodeAll {
		limit = math.MaxInt32
	}
	c := &mpCursor{L: L, s: s, p: int(offset), top: 1}
	var vals []lua.LValue
	for cnt := int32(0); c.p < len(s) && cnt < limit; cnt++ {
		v := c.decode()
		switch c.err {
		case mpEOF:
			luaError(L, "Missing bytes in input.")
		case mpBadFormat:
			luaError(L, "Bad data format in input.")
		}
		vals = append(vals, v)
		c.top++
	}
	if !decodeAll {
		next := lua.LNumber(int32(c.p))
		if c.p == len(s) {
			next = -1
		}
		L.Push(next)
	}
	for _, v := range vals {
		L.Push(v)
	}
	if decodeAll {
		return len(vals)
	}
	return len(vals) + 1
}

// need checks that n bytes are left.
func (c *mpCursor) need(n int) bool {
	if len(c.s)-c.p < n {
		c.err = mpEOF
		return false
	}
	return true
}

// checkStack is luaL_checkstack(L, 1, msg) against LUAI_MAXCSTACK.
func (c *mpCursor) checkStack(msg string) {
	if c.top+1 > maxCStack {
		luaError(c.L, "stack overflow (%s)", msg)
	}
}

// decode reads one value; on an error it sets c.err and gives nil.
func (c *mpCursor) decode() lua.LValue {
	if !c.need(1) {
		return lua.LNil
	}
	c.checkStack("too many return values at once; use unpack_one or unpack_limit instead.")
	t := c.s[c.p]
	readUint := func(n int) (uint64, bool) {
		if !c.need(1 + n) {
			return 0, false
		}
		var v uint64
		for _, x := range []byte(c.s[c.p+1 : c.p+1+n]) {
			v = v<<8 | uint64(x)
		}
		c.p += 1 + n
		return v, true
	}
	switch t {
	case 0xcc, 0xcd, 0xce, 0xcf:
		v, ok := readUint(1 << (t - 0xcc))
		if !ok {
			return lua.LNil
		}
		// Pushed as a lua_Integer: uint 64 above 2^63 comes out negative.
		return lua.LNumber(float64(int64(v)))
	case 0xd0, 0xd1, 0xd2, 0xd3:
		n := 1 << (t - 0xd0)
		v, ok := readUint(n)
		if !ok {
			return lua.LNil
		}
		shift := uint(64 - 8*n)
		return lua.LNumber(float64(int64(v<<shift) >> shift))
	case 0xc0:
		c.p++
		return lua.LNil
	case 0xc3:
		c.p++
		return lua.LTrue
	case 0xc2:
		c.p++
		return lua.LFalse
	case 0xca:
		v, ok := readUint(4)
		if !ok {
			return lua.LNil
		}
		return lua.LNumber(math.Float32frombits(uint32(v)))
	case 0xcb:
		v, ok := readUint(8)
		if !ok {
			return lua.LNil
		}
		return lua.LNumber(math.Float64frombits(v))
	case 0xd9, 0xda, 0xdb:
		n := 1 << (t - 0xd9)
		l, ok := readUint(n)
		if !ok {
			return lua.LNil
		}
		c.p -= 1 + n
		if uint64(len(c.s)-c.p) < uint64(1+n)+l {
			c.err = mpEOF
			return lua.LNil
		}
		start := c.p + 1 + n
		c.p = start + int(l)
		return lua.LString(c.s[start:c.p])
	case 0xdc, 0xdd:
		l, ok := readUint(2 << (t - 0xdc))
		if !ok {
			return lua.LNil
		}
		return c.array(l)
	case 0xde, 0xdf:
		l, ok := readUint(2 << (t - 0xde))
		if !ok {
			return lua.LNil
		}
		return c.hash(l)
	}
	switch {
	case t&0x80 == 0:
		c.p++
		return lua.LNumber(t)
	case t&0xe0 == 0xe0:
		c.p++
		return lua.LNumber(int8(t))
	case t&0xe0 == 0xa0:
		l := int(t & 0x1f)
		if !c.need(1 + l) {
			return lua.LNil
		}
		c.p += 1 + l
		return lua.LString(c.s[c.p-l : c.p])
	case t&0xf0 == 0x90:
		c.p++
		return c.array(uint64(t & 0xf))
	case t&0xf0 == 0x80:
		c.p++
		return c.hash(uint64(t & 0xf))
	}
	c.err = mpBadFormat
	return lua.LNil
}

func (c *mpCursor) array(n uint64) lua.LValue {
	t := c.L.NewTable()
	c.top++
	c.checkStack("in function mp_decode_to_lua_array")
	defer func() { c.top-- }()
	for i := uint64(1); i <= n; i++ {
		c.top++ // the index
		v := c.decode()
		c.top--
		if c.err != 0 {
			return t
		}
		if v != lua.LNil {
			t.RawSet(lua.LNumber(i), v)
		}
	}
	return t
}

func (c *mpCursor) hash(n uint64) lua.LValue {
	t := c.L.NewTable()
	c.top++
	defer func() { c.top-- }()
	for ; n > 0; n-- {
		k := c.decode()
		if c.err != 0 {
			return t
		}
		c.top++
		v := c.decode()
		c.top--
		if c.err != 0 {
			return t
		}
		switch x := k.(type) {
		case *lua.LNilType:
			rawError(c.L, "table index is nil")
		case lua.LNumber:
			if x != x {
				rawError(c.L, "table index is NaN")
			}
		}
		t.RawSet(k, v)
	}
	return t
}
