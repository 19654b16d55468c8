package lualib

import (
	"fmt"
	"math"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// The struct module (struct 0.2 as Redis ships it) packs numbers and
// strings into binary strings by a format: endianness '<' '>', alignment
// '!n', padding 'x', integers b B h H l L T i I (with an optional size for
// i and I), float f, double d, strings 'cN' (N bytes; 'c0' for the whole
// string, or when unpacking the length unpacked just before) and 's'
// (zero-terminated). Sizes are those of x86-64: short 2, int 4, long and
// size_t 8; integers are carried in 64 bits.

const (
	structBig    = 0
	structLittle = 1
	// structMaxAlign is MAXALIGN: the alignment of a double, 8.
	structMaxAlign = 8
	// structMaxIntSize is MAXINTSIZE, the largest size of 'i' and 'I'.
	structMaxIntSize = 32
)

type structHeader struct {
	endian int
	align  int
}

type structFormat struct {
	L     *lua.LState
	fname string
	fmt   string
	pos   int
}

func newStruct(L *lua.LState) *lua.LTable {
	return register(L, map[string]lua.LGFunction{
		"pack":   structPack,
		"unpack": structUnpack,
		"size":   structSize,
	})
}

// newFormat reads the format at argument n, which ends at its first NUL as
// a C string does.
func newFormat(L *lua.LState, n int, fname string) *structFormat {
	f := checkString(L, n, fname)
	if i := strings.IndexByte(f, 0); i >= 0 {
		f = f[:i]
	}
	return &structFormat{L: L, fname: fname, fmt: f}
}

func (f *structFormat) more() bool { return f.pos < len(f.fmt) }

func (f *structFormat) next() byte {
	c := f.fmt[f.pos]
	f.pos++
	return c
}

// getnum reads a decimal count, or gives df when none is there.
func (f *structFormat) getnum(df int) int {
	if !f.more() || !isDigit(f.fmt[f.pos]) {
		return df
	}
	a := 0
	for f.more() && isDigit(f.fmt[f.pos]) {
		d := int(f.fmt[f.pos] - '0')
		if a > math.MaxInt32/10 || a*10 > math.MaxInt32-d {
			luaError(f.L, "integral size overflow")
		}
		a = a*10 + d
		f.pos++
	}
	return a
}

// optsize is the size of option opt, reading its count if it has one.
func (f *structFormat) optsize(opt byte) int {
	switch opt {
	case 'B', 'b', 'x':
		return 1
	case 'H', 'h':
		return 2
	case 'L', 'l', 'T', 'd':
		return 8
	case 'f':
		return 4
	case 'c':
		return f.getnum(1)
	case 'i', 'I':
		sz := f.getnum(4)
		if sz > structMaxIntSize {
			luaError(f.L, "integral size %d is larger than limit of %d", sz, structMaxIntSize)
		}
		return sz
	}
	return 0
}

// toalign is the padding an item of the given size needs at offset n.
func toalign(n int, h *structHeader, opt byte, size int) int {
	if size == 0 || opt == 'c' {
		return 0
	}
	if size > h.align {
		size = h.align
	}
	return (size - (n & (size - 1))) & (size - 1)
}

// control handles the options that are not items.
func (f *structFormat) control(opt byte, h *structHeader) {
	switch opt {
	case ' ':
	case '>':
		h.endian = structBig
	case '<':
		h.endian = structLittle
	case '!':
		a := f.getnum(structMaxAlign)
		if a&(a-1) != 0 {
			luaError(f.L, "alignment %d is not a power of 2", a)
		}
		h.align = a
	default:
		argError(f.L, 1, f.fname, fmt.Sprintf("invalid format option '%c'", opt))
	}
}

func isIntOpt(opt byte) bool {
	return strings.IndexByte("bBhHlLTiI", opt) >= 0
}

// putInteger appends n in size bytes, from its 64-bit two's complement
// form; bytes past the eighth are zero.
func putInteger(b []byte, n float64, endian, size int) []byte {
	var v uint64
	if n < 0 {
		v = uint64(toInt64(n))
	} else {
		v = toUint64(n)
	}
	buf := make([]byte, size)
	for i := 0; i < size; i++ {
		j := i
		if endian == structBig {
			j = size - 1 - i
		}
		buf[j] = byte(v)
		v >>= 8
	}
	return append(b, buf...)
}

// getInteger reads size bytes as an integer; shifts of 64 bits and more
// count modulo 64, as x86-64's do.
func getInteger(data string, endian int, signed bool, size int) float64 {
	var l uint64
	for i := 0; i < size; i++ {
		j := size - 1 - i
		if endian == structBig {
			j = i
		}
		l = l<<8 | uint64(data[j])
	}
	if !signed {
		return float64(l)
	}
	mask := ^uint64(0) << (uint(size*8-1) & 63)
	if l&mask != 0 {
		l |= mask
	}
	return float64(int64(l))
}

// reorder puts the native little-endian bytes b in the wanted order.
func reorder(b []byte, endian int) []byte {
	if endian == structBig {
		for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
			b[i], b[j] = b[j], b[i]
		}
	}
	return b
}

func structPack(L *lua.LState) int {
	f := newFormat(L, 1, "pack")
	h := structHeader{endian: structLittle, align: 1}
	arg := 2
	// As the C code, mark the end of the arguments with a nil: a missing
	// argument is then "nil", not "no value", in errors.
	L.Push(lua.LNil)
	var b []byte
	total := 0
	for f.more() {
		opt := f.next()
		size := f.optsize(opt)
		pad := toalign(total, &h, opt, size)
		total += pad
		for ; pad > 0; pad-- {
			b = append(b, 0)
		}
		switch {
		case isIntOpt(opt):
			b = putInteger(b, checkNumber(L, arg, "pack"), h.endian, size)
			arg++
		case opt == 'x':
			b = append(b, 0)
		case opt == 'f':
			v := math.Float32bits(float32(checkNumber(L, arg, "pack")))
			arg++
			b = append(b, reorder([]byte{byte(v), byte(v >> 8), byte(v >> 16), byte(v >> 24)}, h.endian)...)
		case opt == 'd':
			v := math.Float64bits(checkNumber(L, arg, "pack"))
			arg++
			var d [8]byte
			for i := range d {
				d[i] = byte(v >> (8 * i))
			}
			b = append(b, reorder(d[:], h.endian)...)
		case opt == 'c' || opt == 's':
			s := checkString(L, arg, "pack")
			arg++
			if size == 0 {
				size = len(s)
			}
			if len(s) < size {
				argError(L, arg, "pack", "string too short")
			}
			b = append(b, s[:size]...)
			if opt == 's' {
				b = append(b, 0)
				size++
			}
		default:
			f.control(opt, &h)
		}
		total += size
	}
	L.Push(lua.LString(b))
	return 1
}

func structUnpack(L *lua.LState) int {
	f := newFormat(L, 1, "unpack")
	data := checkString(L, 2, "unpack")
	ld := uint64(len(data))
	pos := uint64(optInteger(L, 3, "unpack", 1))
	if pos == 0 {
		argError(L, 3, "unpack", "offset must be 1 or greater")
	}
	pos--
	h := structHeader{endian: structLittle, align: 1}
	var res []lua.LValue
	tooShort := func(size uint64) {
		if !(size <= ld && pos <= ld-size) {
			argError(L, 2, "unpack", "data string too short")
		}
	}
	for f.more() {
		opt := f.next()
		size := uint64(f.optsize(opt))
		pos += uint64(toalign(int(pos), &h, opt, int(size)))
		tooShort(size)
		if 3+len(res)+2 > maxCStack {
			luaError(L, "stack overflow (too many results)")
		}
		switch {
		case isIntOpt(opt):
			signed := opt >= 'a'
			res = append(res, lua.LNumber(getInteger(data[pos:pos+size], h.endian, signed, int(size))))
		case opt == 'x':
		case opt == 'f':
			b := reorder([]byte(data[pos:pos+4]), h.endian)
			v := uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
			res = append(res, lua.LNumber(math.Float32frombits(v)))
		case opt == 'd':
			b := reorder([]byte(data[pos:pos+8]), h.endian)
			var v uint64
			for i := 7; i >= 0; i-- {
				v = v<<8 | uint64(b[i])
			}
			res = append(res, lua.LNumber(math.Float64frombits(v)))
		case opt == 'c':
			if size == 0 {
				var n float64
				ok := false
				if len(res) > 0 {
					n, ok = toNumber(res[len(res)-1])
				}
				if !ok {
					luaError(L, "format 'c0' needs a previous size")
				}
				size = toUint64(n)
				res = res[:len(res)-1]
				tooShort(size)
			}
			res = append(res, lua.LString(data[pos:pos+size]))
		case opt == 's':
			e := strings.IndexByte(data[pos:], 0)
			if e < 0 {
				luaError(L, "unfinished string in data")
			}
			size = uint64(e) + 1
			res = append(res, lua.LString(data[pos:pos+uint64(e)]))
		default:
			f.control(opt, &h)
		}
		pos += size
	}
	for _, v := range res {
		L.Push(v)
	}
	L.Push(lua.LNumber(float64(int64(pos + 1))))
	return len(res) + 1
}

func structSize(L *lua.LState) int {
	f := newFormat(L, 1, "size")
	h := structHeader{endian: structLittle, align: 1}
	pos := 0
	for f.more() {
		opt := f.next()
		size := f.optsize(opt)
		pos += toalign(pos, &h, opt, size)
		if opt == 's' {
			argError(L, 1, "size", "option 's' has no fixed size")
		} else if opt == 'c' && size == 0 {
			argError(L, 1, "size", "option 'c0' has no fixed size")
		}
		if !isAlnum(opt) {
			f.control(opt, &h)
		}
		pos += size
	}
	L.Push(lua.LNumber(pos))
	return 1
}
