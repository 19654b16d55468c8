package rdb

import (
	"bytes"
	"encoding/binary"
	"math"
	"slices"

	"github.com/remoted/remoted/internal/cnum"
)

// Restore decodes a DUMP payload, as Redis 7.0's RESTORE does.
//
// It returns an error wrapping [ErrPayload] when the footer is missing, the
// RDB version is above [Version] or the CRC64 is wrong (Redis 7.0 checks
// the CRC even when it is zero), [ErrStream] for a stream, and one wrapping
// [ErrBadData] when the object does not decode: truncated or malformed
// encodings, empty collections, duplicate set members, hash fields or
// sorted set members, NaN scores, module types, unknown types. As in Redis,
// bytes left between the object and the footer are ignored, and an object
// that runs into the footer is read with the footer's bytes.
//
// The Value returned shares no memory with payload. Every length read is
// checked against the bytes left, so memory allocated is proportional to
// len(payload); but an LZF string decompresses to up to 88 times its size,
// and a listpack of one-byte integers gives a 24-byte slice per 2 bytes, so
// a payload of a long list of small integers takes some 1400 times its size
// (30 KB for 1.3 million elements: 42 MB). That is the value's own size, as
// Redis would hold it in a fraction of that; callers bound it through the
// payload size they accept.
func Restore(payload []byte) (Value, error) {
	v, _, err := restore(payload)
	return v, err
}

// restore is Restore, and says whether the payload had LZF strings.
func restore(payload []byte) (Value, bool, error) {
	if len(payload) < 10 {
		return Value{}, false, ErrPayload
	}
	footer := payload[len(payload)-10:]
	if binary.LittleEndian.Uint16(footer) > Version {
		return Value{}, false, ErrPayload
	}
	if crc(payload[:len(payload)-8]) != binary.LittleEndian.Uint64(footer[2:]) {
		return Value{}, false, ErrPayload
	}
	// Redis reads the object from the whole payload: an object that runs
	// into the footer is read with the footer's bytes.
	r := &reader{b: bytes.Clone(payload)}
	t, err := r.byte()
	if err != nil {
		return Value{}, false, err
	}
	v, err := r.object(t)
	if err != nil {
		return Value{}, false, err
	}
	return v, r.sawLZF, nil
}

func (r *reader) object(t byte) (Value, error) {
	switch t {
	case typeString:
		s, err := r.string()
		return Value{Kind: String, Str: s}, err
	case typeList:
		l, err := r.strings(1)
		return Value{Kind: List, List: l}, err
	case typeListZiplist:
		l, err := r.blob(decodeZiplist)
		if err == nil && len(l) == 0 {
			err = badData("empty list")
		}
		return Value{Kind: List, List: l}, err
	case typeListQuicklist, typeListQuicklist2:
		l, err := r.quicklist(t == typeListQuicklist2)
		return Value{Kind: List, List: l}, err
	case typeSet:
		s, err := r.strings(1)
		if err == nil {
			err = noDuplicates(s, 1, "set member")
		}
		return Value{Kind: Set, Set: s}, err
	case typeSetIntset:
		s, err := r.blob(decodeIntset)
		return Value{Kind: Set, Set: s}, err
	case typeHash:
		h, err := r.strings(2)
		return hashValue(h, err)
	case typeHashZipmap:
		return hashValue(r.blob(decodeZipmap))
	case typeHashZiplist:
		return hashValue(r.blob(decodeZiplist))
	case typeHashListpack:
		return hashValue(r.blob(decodeListpack))
	case typeZSet, typeZSet2:
		return r.zset(t == typeZSet2)
	case typeZSetZiplist:
		return zsetValue(r.blob(decodeZiplist))
	case typeZSetListpack:
		return zsetValue(r.blob(decodeListpack))
	case typeStreamListpacks, typeStreamListpack2:
		return Value{}, ErrStream
	case typeModule, typeModule2:
		return Value{}, badData("module type")
	}
	return Value{}, badData("unknown object type %d", t)
}

// strings reads a count of items of per strings each, and the strings.
func (r *reader) strings(per int) ([][]byte, error) {
	n, err := r.count(per)
	if err != nil {
		return nil, err
	}
	out := make([][]byte, n*per)
	for i := range out {
		if out[i], err = r.string(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// blob reads a string and decodes it as a ziplist, listpack, intset or
// zipmap.
func (r *reader) blob(decode func([]byte) ([][]byte, error)) ([][]byte, error) {
	b, err := r.string()
	if err != nil {
		return nil, err
	}
	return decode(b)
}

func (r *reader) quicklist(v2 bool) ([][]byte, error) {
	min := 1 // each node is a string of one byte at least
	if v2 {
		min = 2
	}
	n, err := r.count(min)
	if err != nil {
		return nil, err
	}
	var out [][]byte
	for range n {
		container := uint64(containerPacked)
		if v2 {
			if container, err = r.length(); err != nil {
				return nil, err
			}
			if container != containerPacked && container != containerPlain {
				return nil, badData("quicklist container %d", container)
			}
		}
		b, err := r.string()
		if err != nil {
			return nil, err
		}
		if container == containerPlain {
			out = append(out, b)
			continue
		}
		var items [][]byte
		if v2 {
			items, err = decodeListpack(b)
		} else {
			items, err = decodeZiplist(b)
		}
		if err != nil {
			return nil, err
		}
		if out == nil {
			out = items
		} else {
			out = append(out, items...) // Redis skips empty nodes
		}
	}
	if len(out) == 0 {
		return nil, badData("empty list")
	}
	return out, nil
}

// noDuplicates checks that the items at every step-th place are distinct.
func noDuplicates(items [][]byte, step int, what string) error {
	seen := make(map[string]struct{}, len(items)/step)
	for i := 0; i < len(items); i += step {
		if _, ok := seen[string(items[i])]; ok {
			return badData("duplicate %s", what)
		}
		seen[string(items[i])] = struct{}{}
	}
	return nil
}

func hashValue(items [][]byte, err error) (Value, error) {
	if err != nil {
		return Value{}, err
	}
	if len(items) == 0 || len(items)%2 != 0 {
		return Value{}, badData("hash of %d items", len(items))
	}
	if err := noDuplicates(items, 2, "hash field"); err != nil {
		return Value{}, err
	}
	h := make([]Pair, len(items)/2)
	for i := range h {
		h[i] = Pair{items[2*i], items[2*i+1]}
	}
	return Value{Kind: Hash, Hash: h}, nil
}

// zsetValue makes a sorted set of member/score entries of a ziplist or a
// listpack, where a score is an integer or a string read as Redis reads it.
func zsetValue(items [][]byte, err error) (Value, error) {
	if err != nil {
		return Value{}, err
	}
	if len(items) == 0 || len(items)%2 != 0 {
		return Value{}, badData("sorted set of %d items", len(items))
	}
	z := make([]ScoredMember, len(items)/2)
	for i := range z {
		// As zzlStrtod: the first 127 bytes, whatever follows a number,
		// and 0 for no number.
		s := items[2*i+1]
		score, _ := strtod(s[:min(len(s), 127)])
		z[i] = ScoredMember{items[2*i], score}
	}
	return finishZSet(z)
}

func (r *reader) zset(binaryScores bool) (Value, error) {
	n, err := r.count(2)
	if err != nil {
		return Value{}, err
	}
	z := make([]ScoredMember, n)
	for i := range z {
		if z[i].Member, err = r.string(); err != nil {
			return Value{}, err
		}
		if binaryScores {
			p, err := r.next(8)
			if err != nil {
				return Value{}, err
			}
			z[i].Score = math.Float64frombits(binary.LittleEndian.Uint64(p))
		} else if z[i].Score, err = r.stringScore(); err != nil {
			return Value{}, err
		}
	}
	return finishZSet(z)
}

// stringScore reads a score as rdbLoadDoubleValue: a length byte, 253 for
// NaN, 254 for +inf, 255 for -inf, else the length of the decimal that
// follows.
func (r *reader) stringScore() (float64, error) {
	n, err := r.byte()
	if err != nil {
		return 0, err
	}
	switch n {
	case 253:
		return math.NaN(), nil
	case 254:
		return math.Inf(1), nil
	case 255:
		return math.Inf(-1), nil
	}
	p, err := r.next(uint64(n))
	if err != nil {
		return 0, err
	}
	// As sscanf's "%lg", which reads a number at the start.
	f, ok := strtod(p)
	if !ok {
		return 0, badData("score %q", p)
	}
	return f, nil
}

// finishZSet rejects NaN scores and duplicate members and orders the set as
// Redis does.
func finishZSet(z []ScoredMember) (Value, error) {
	for _, m := range z {
		if math.IsNaN(m.Score) {
			return Value{}, badData("NaN score")
		}
	}
	seen := make(map[string]struct{}, len(z))
	for _, m := range z {
		if _, ok := seen[string(m.Member)]; ok {
			return Value{}, badData("duplicate sorted set member")
		}
		seen[string(m.Member)] = struct{}{}
	}
	slices.SortFunc(z, compareScored)
	return Value{Kind: ZSet, ZSet: z}, nil
}

// compareScored orders sorted set members as Redis does: by score, then by
// member bytes.
func compareScored(a, b ScoredMember) int {
	switch {
	case a.Score < b.Score:
		return -1
	case a.Score > b.Score:
		return 1
	}
	return bytes.Compare(a.Member, b.Member)
}

// strtod reads a double from the start of s as C's strtod does, ignoring
// what follows it, as Redis reads a score string (see cnum.Strtod); ok
// is false when s does not start with a number.
func strtod(s []byte) (f float64, ok bool) {
	f, n, _ := cnum.Strtod(s)
	return f, n > 0
}
