package rdb

import (
	"encoding/binary"
	"math"
	"strconv"
)

// A listpack (Redis's listpack.c) is: total bytes (uint32 LE), number of
// entries (uint16 LE, 65535 when unknown), the entries, and 0xFF. An entry is
// an encoding byte with its data, then the length of those (backlen) written
// backwards in 1 to 5 bytes of 7 bits each.
const (
	lpHeaderSize  = 6
	lpEOF         = 0xff
	lpUnknownSize = math.MaxUint16

	lp7BitUint  = 0x00 // 0xxxxxxx
	lp6BitStr   = 0x80 // 10xxxxxx, then the string
	lp13BitInt  = 0xc0 // 110xxxxx yyyyyyyy
	lp12BitStr  = 0xe0 // 1110xxxx yyyyyyyy, then the string
	lp32BitStr  = 0xf0 // then the length (uint32 LE) and the string
	lp16BitInt  = 0xf1
	lp24BitInt  = 0xf2
	lp32BitInt  = 0xf3
	lp64BitInt  = 0xf4
	lpMaxSafety = 1 << 30 // LISTPACK_MAX_SAFETY_SIZE
)

// listpack builds a listpack as lpAppend would, entry after entry.
type listpack struct {
	b []byte
	n int
}

func newListpack() *listpack {
	return &listpack{b: make([]byte, lpHeaderSize, 64)}
}

// size is the listpack's size in bytes once finished.
func (lp *listpack) size() int { return len(lp.b) + 1 }

// add appends s, as an integer when it is the canonical form of one.
func (lp *listpack) add(s []byte) {
	start := len(lp.b)
	if v, ok := canonicalInt(s); ok {
		switch {
		case v >= 0 && v <= 127:
			lp.b = append(lp.b, byte(v))
		case v >= -4096 && v <= 4095:
			u := uint64(v) & (1<<13 - 1)
			lp.b = append(lp.b, lp13BitInt|byte(u>>8), byte(u))
		case v >= math.MinInt16 && v <= math.MaxInt16:
			lp.b = binary.LittleEndian.AppendUint16(append(lp.b, lp16BitInt), uint16(v))
		case v >= -1<<23 && v < 1<<23:
			u := uint32(v)
			lp.b = append(lp.b, lp24BitInt, byte(u), byte(u>>8), byte(u>>16))
		case v >= math.MinInt32 && v <= math.MaxInt32:
			lp.b = binary.LittleEndian.AppendUint32(append(lp.b, lp32BitInt), uint32(v))
		default:
			lp.b = binary.LittleEndian.AppendUint64(append(lp.b, lp64BitInt), uint64(v))
		}
	} else {
		switch l := len(s); {
		case l < 64:
			lp.b = append(lp.b, lp6BitStr|byte(l))
		case l < 4096:
			lp.b = append(lp.b, lp12BitStr|byte(l>>8), byte(l))
		default:
			lp.b = binary.LittleEndian.AppendUint32(append(lp.b, lp32BitStr), uint32(l))
		}
		lp.b = append(lp.b, s...)
	}
	lp.b = appendBacklen(lp.b, len(lp.b)-start)
	lp.n++
}

// bytes finishes the listpack.
func (lp *listpack) bytes() []byte {
	b := append(lp.b, lpEOF)
	binary.LittleEndian.PutUint32(b, uint32(len(b)))
	n := lp.n
	if n > lpUnknownSize {
		n = lpUnknownSize
	}
	binary.LittleEndian.PutUint16(b[4:], uint16(n))
	return b
}

// appendBacklen writes an entry's length as lpEncodeBacklen does.
func appendBacklen(b []byte, l int) []byte {
	var n int
	switch {
	case l <= 127:
		return append(b, byte(l))
	case l < 16383:
		n = 2
	case l < 2097151:
		n = 3
	case l < 268435455:
		n = 4
	default:
		n = 5
	}
	b = append(b, byte(l>>(7*(n-1))))
	for i := n - 2; i >= 0; i-- {
		b = append(b, byte(l>>(7*i))&127|128)
	}
	return b
}

// decodeListpack returns the entries of a listpack, integers in decimal,
// after checking all of its structure (lpValidateIntegrity with deep).
func decodeListpack(b []byte) ([][]byte, error) {
	if len(b) < lpHeaderSize+1 || int64(binary.LittleEndian.Uint32(b)) != int64(len(b)) || b[len(b)-1] != lpEOF {
		return nil, badData("listpack header")
	}
	if len(b) > lpMaxSafety {
		return nil, badData("listpack too large")
	}
	numele, out, err := entries(binary.LittleEndian.Uint16(b[4:]), len(b)-lpHeaderSize-1)
	if err != nil {
		return nil, err
	}
	end := len(b) - 1
	dec := decimals{blobLen: len(b)}
	for p := lpHeaderSize; p < end; {
		start := p
		c := b[p]
		var str []byte
		var v int64
		var isInt bool
		need := func(n int) bool { return n <= end-p }
		switch {
		case c&0x80 == lp7BitUint:
			v, isInt = int64(c), true
			p++
		case c&0xc0 == lp6BitStr:
			l := int(c & 0x3f)
			if !need(1 + l) {
				return nil, badData("listpack entry overruns")
			}
			str = b[p+1 : p+1+l]
			p += 1 + l
		case c&0xe0 == lp13BitInt:
			if !need(2) {
				return nil, badData("listpack entry overruns")
			}
			u := int64(c&0x1f)<<8 | int64(b[p+1])
			if u >= 1<<12 {
				u -= 1 << 13
			}
			v, isInt = u, true
			p += 2
		case c&0xf0 == lp12BitStr:
			if !need(2) {
				return nil, badData("listpack entry overruns")
			}
			l := int(c&0x0f)<<8 | int(b[p+1])
			if !need(2 + l) {
				return nil, badData("listpack entry overruns")
			}
			str = b[p+2 : p+2+l]
			p += 2 + l
		case c == lp32BitStr:
			if !need(5) {
				return nil, badData("listpack entry overruns")
			}
			l := uint64(binary.LittleEndian.Uint32(b[p+1:]))
			if l > uint64(end-p-5) {
				return nil, badData("listpack entry overruns")
			}
			str = b[p+5 : p+5+int(l)]
			p += 5 + int(l)
		case c >= lp16BitInt && c <= lp64BitInt:
			w := [...]int{2, 3, 4, 8}[c-lp16BitInt]
			if !need(1 + w) {
				return nil, badData("listpack entry overruns")
			}
			v, isInt = leInt(b[p+1:p+1+w]), true
			p += 1 + w
		default:
			return nil, badData("listpack encoding 0x%02x", c)
		}
		var bl [5]byte
		back := appendBacklen(bl[:0], p-start)
		if len(back) > end-p || string(b[p:p+len(back)]) != string(back) {
			return nil, badData("listpack backlen")
		}
		p += len(back)
		if isInt {
			str = dec.add(v)
		}
		out = append(out, str)
	}
	if numele >= 0 && numele != len(out) {
		return nil, badData("listpack count %d, %d entries", numele, len(out))
	}
	return out, nil
}

// entries checks the count of entries in the header of a listpack or
// ziplist whose entries take size bytes, each two at least, and makes room
// for them. numele is -1 when the header has 65535, for an unknown count (of
// 65535 or more): then there is room for as many as fit.
func entries(header uint16, size int) (numele int, out [][]byte, err error) {
	most := size / 2
	switch {
	case header == math.MaxUint16:
		numele = -1
	case int(header) > most:
		return 0, nil, badData("%d entries in %d bytes", header, size)
	default:
		numele, most = int(header), int(header)
	}
	return numele, make([][]byte, 0, most), nil
}

// decimals holds the decimal forms of the integers of one listpack,
// ziplist or intset in one allocation: a blob of n bytes has no more than
// 3n bytes of them (an intset's 2 bytes give at most 6, and every other
// encoding fewer per byte), so the buffer never grows and each form is a
// slice of it, capped so that nothing appended to one overwrites the next.
type decimals struct {
	buf     []byte
	blobLen int
}

func (d *decimals) add(v int64) []byte {
	if d.buf == nil {
		d.buf = make([]byte, 0, 3*d.blobLen)
	}
	start := len(d.buf)
	d.buf = strconv.AppendInt(d.buf, v, 10)
	return d.buf[start:len(d.buf):len(d.buf)]
}

// leInt reads a signed little-endian integer of len(b) bytes, 1 to 8.
func leInt(b []byte) int64 {
	var u uint64
	for i := len(b) - 1; i >= 0; i-- {
		u = u<<8 | uint64(b[i])
	}
	shift := 64 - 8*len(b)
	return int64(u<<shift) >> shift
}
