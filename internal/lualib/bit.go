package lualib

import (
	"math"

	lua "github.com/yuin/gopher-lua"
)

// newBit makes the bit module of LuaBitOp 1.0.2: 32-bit operations on
// numbers, whose results are signed 32-bit integers.
func newBit(L *lua.LState) *lua.LTable {
	binop := func(name string, op func(a, b uint32) uint32) lua.LGFunction {
		return func(L *lua.LState) int {
			b := bitArg(L, 1, name)
			for i := L.GetTop(); i > 1; i-- {
				b = op(b, bitArg(L, i, name))
			}
			return bitRet(L, b)
		}
	}
	shift := func(name string, op func(b uint32, n uint) uint32) lua.LGFunction {
		return func(L *lua.LState) int {
			b := bitArg(L, 1, name)
			n := bitArg(L, 2, name) & 31
			return bitRet(L, op(b, uint(n)))
		}
	}
	return register(L, map[string]lua.LGFunction{
		"tobit":  func(L *lua.LState) int { return bitRet(L, bitArg(L, 1, "tobit")) },
		"bnot":   func(L *lua.LState) int { return bitRet(L, ^bitArg(L, 1, "bnot")) },
		"band":   binop("band", func(a, b uint32) uint32 { return a & b }),
		"bor":    binop("bor", func(a, b uint32) uint32 { return a | b }),
		"bxor":   binop("bxor", func(a, b uint32) uint32 { return a ^ b }),
		"lshift": shift("lshift", func(b uint32, n uint) uint32 { return b << n }),
		"rshift": shift("rshift", func(b uint32, n uint) uint32 { return b >> n }),
		"arshift": shift("arshift", func(b uint32, n uint) uint32 {
			return uint32(int32(b) >> n)
		}),
		"rol": shift("rol", func(b uint32, n uint) uint32 { return b<<n | b>>(32-n) }),
		"ror": shift("ror", func(b uint32, n uint) uint32 { return b>>n | b<<(32-n) }),
		"bswap": func(L *lua.LState) int {
			b := bitArg(L, 1, "bswap")
			return bitRet(L, b>>24|(b>>8)&0xff00|(b&0xff00)<<8|b<<24)
		},
		"tohex": bitToHex,
	})
}

// bitArg is LuaBitOp's barg: the number's low 32 bits once rounded to an
// integer by adding 2^52+2^51, as the C code does.
func bitArg(L *lua.LState, n int, fname string) uint32 {
	f, ok := toNumber(L.Get(n))
	b := uint32(math.Float64bits(f + 6755399441055744.0))
	if b == 0 && !ok {
		typeError(L, n, fname, "number")
	}
	return b
}

func bitRet(L *lua.LState, b uint32) int {
	L.Push(lua.LNumber(int32(b)))
	return 1
}

func bitToHex(L *lua.LState) int {
	b := bitArg(L, 1, "tohex")
	n := int32(8)
	if L.GetTop() >= 2 {
		n = int32(bitArg(L, 2, "tohex"))
	}
	digits := "0123456789abcdef"
	if n < 0 {
		n = -n
		digits = "0123456789ABCDEF"
	}
	if n > 8 {
		n = 8
	}
	if n < 0 { // -(-2^31): the C code would read past its buffer
		n = 0
	}
	buf := make([]byte, n)
	for i := n - 1; i >= 0; i-- {
		buf[i] = digits[b&15]
		b >>= 4
	}
	L.Push(lua.LString(buf))
	return 1
}
