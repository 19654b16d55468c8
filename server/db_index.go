package server

import (
	"hash/maphash"
	"unsafe"
)

// keyIndex maps a key to its entry's number: an open-addressing hash
// table with linear probing whose slots are plain integers, so the GC
// never scans it and a key costs 8 bytes per slot (about 14 at the
// table's average load) where a map[string]*entry cost about 40. A slot
// holds the top 32 bits of the key's hash (its tag) and 1 + the entry's
// number; 0 is empty. The probe starts at the tag's low bits, so neither
// growing nor deleting (by backward shift) rehashes a key.
type keyIndex struct {
	slots []uint64
	n     int // occupied slots
	seed  maphash.Seed
}

const minIndexSlots = 64

func newKeyIndex() keyIndex {
	return keyIndex{slots: make([]uint64, minIndexSlots), seed: maphash.MakeSeed()}
}

// tagOf is the tag of a key's hash.
func (ix *keyIndex) tagOf(key []byte) uint32 { return uint32(maphash.Bytes(ix.seed, key) >> 32) }

// find returns the slot of the key with tag for which match holds, or
// the empty slot where it would go, and whether it was found.
func (ix *keyIndex) find(tag uint32, match func(idx uint32) bool) (int, bool) {
	mask := len(ix.slots) - 1
	for i := int(tag) & mask; ; i = (i + 1) & mask {
		s := ix.slots[i]
		if s == 0 {
			return i, false
		}
		if uint32(s>>32) == tag && match(uint32(s)-1) {
			return i, true
		}
	}
}

// put fills the empty slot i with entry idx of tag, growing the table
// past three quarters full.
func (ix *keyIndex) put(i int, tag, idx uint32) {
	ix.slots[i] = uint64(tag)<<32 | uint64(idx+1)
	ix.n++
	if ix.n*4 > len(ix.slots)*3 {
		ix.resize(len(ix.slots) * 2)
	}
}

// deleteAt empties slot i and shifts the slots after it back so that
// every key stays reachable from its home slot; the table shrinks once
// under an eighth full.
func (ix *keyIndex) deleteAt(i int) {
	mask := len(ix.slots) - 1
	for j := (i + 1) & mask; ix.slots[j] != 0; j = (j + 1) & mask {
		home := int(uint32(ix.slots[j]>>32)) & mask
		// Move slot j to the hole at i unless its home lies in (i, j].
		if (j > i && (home <= i || home > j)) || (j < i && home <= i && home > j) {
			ix.slots[i] = ix.slots[j]
			i = j
		}
	}
	ix.slots[i] = 0
	ix.n--
	if len(ix.slots) > minIndexSlots && ix.n*8 < len(ix.slots) {
		ix.resize(len(ix.slots) / 2)
	}
}

// replace points slot i at entry idx.
func (ix *keyIndex) replace(i int, idx uint32) {
	ix.slots[i] = ix.slots[i]&^0xFFFFFFFF | uint64(idx+1)
}

func (ix *keyIndex) resize(size int) {
	old := ix.slots
	ix.slots = make([]uint64, size)
	mask := size - 1
	for _, s := range old {
		if s == 0 {
			continue
		}
		i := int(uint32(s>>32)) & mask
		for ix.slots[i] != 0 {
			i = (i + 1) & mask
		}
		ix.slots[i] = s
	}
}

// bytes is the memory the table takes.
func (ix *keyIndex) bytes() int64 { return int64(len(ix.slots)) * 8 }

// bytesOf returns s's bytes without copying; they must not be changed.
func bytesOf(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }
