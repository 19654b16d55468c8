package rdb

import (
	"encoding/binary"
	"math"
)

// An intset (Redis's intset.c) is: the width of its integers in bytes
// (uint32 LE: 2, 4 or 8), their number (uint32 LE), and the integers in
// ascending order, little endian.
const intsetHeaderSize = 8

// encodeIntset builds an intset of vs, which must be sorted and distinct, in
// the narrowest width that holds them all.
func encodeIntset(vs []int64) []byte {
	w := 2
	for _, v := range vs {
		if v < math.MinInt32 || v > math.MaxInt32 {
			w = 8
			break
		}
		if v < math.MinInt16 || v > math.MaxInt16 {
			w = 4
		}
	}
	b := make([]byte, intsetHeaderSize, intsetHeaderSize+w*len(vs))
	binary.LittleEndian.PutUint32(b, uint32(w))
	binary.LittleEndian.PutUint32(b[4:], uint32(len(vs)))
	for _, v := range vs {
		switch w {
		case 2:
			b = binary.LittleEndian.AppendUint16(b, uint16(v))
		case 4:
			b = binary.LittleEndian.AppendUint32(b, uint32(v))
		default:
			b = binary.LittleEndian.AppendUint64(b, uint64(v))
		}
	}
	return b
}

// decodeIntset returns the members of an intset in decimal, checking them
// as intsetValidateIntegrity with deep does: a known width, a size that
// matches, at least one member, strictly ascending.
func decodeIntset(b []byte) ([][]byte, error) {
	if len(b) < intsetHeaderSize {
		return nil, badData("intset header")
	}
	w := binary.LittleEndian.Uint32(b)
	if w != 2 && w != 4 && w != 8 {
		return nil, badData("intset width %d", w)
	}
	n := uint64(binary.LittleEndian.Uint32(b[4:]))
	if intsetHeaderSize+n*uint64(w) != uint64(len(b)) {
		return nil, badData("intset size")
	}
	if n == 0 {
		return nil, badData("empty intset")
	}
	out := make([][]byte, n)
	dec := decimals{blobLen: len(b)}
	var prev int64
	for i := range out {
		p := b[intsetHeaderSize+i*int(w):]
		var v int64
		switch w {
		case 2:
			v = int64(int16(binary.LittleEndian.Uint16(p)))
		case 4:
			v = int64(int32(binary.LittleEndian.Uint32(p)))
		default:
			v = int64(binary.LittleEndian.Uint64(p))
		}
		if i > 0 && v <= prev {
			return nil, badData("intset not ascending")
		}
		prev = v
		out[i] = dec.add(v)
	}
	return out, nil
}
