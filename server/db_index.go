package server

import (
	"hash/maphash"
	"unsafe"
)

// keyIndex maps a key to its entry's number: open-addressing hash tables
// with linear probing whose slots are plain integers, so the GC never
// scans them and a key costs 8 bytes per slot (about 14 at the tables'
// average load) where a map[string]*entry cost about 40. A slot holds the
// top 32 bits of the key's hash (its tag) and 1 + the entry's number; 0 is
// empty. The tag's top byte picks one of indexTables tables, its low bits
// the slot where the probe starts, so neither growing nor deleting (by
// backward shift) rehashes a key. Each table grows and shrinks on its
// own, so a resize copies a 256th of the index: at 10M keys one table of
// 8 bytes x 64K slots, where one table for all took 132 ms.
type keyIndex struct {
	tables [indexTables]indexTable
	n      int   // occupied slots
	size   int64 // slots in all tables
	seed   maphash.Seed
}

type indexTable struct {
	slots []uint64
	n     int
}

// indexSlot is one slot of one table.
type indexSlot struct {
	t *indexTable
	i int
}

// idx is the entry number in the occupied slot s.
func (s indexSlot) idx() uint32 { return uint32(s.t.slots[s.i]) - 1 }

const (
	indexTables   = 256
	minIndexSlots = 8 // per table
)

func newKeyIndex() keyIndex {
	ix := keyIndex{seed: maphash.MakeSeed(), size: indexTables * minIndexSlots}
	for i := range ix.tables {
		ix.tables[i].slots = make([]uint64, minIndexSlots)
	}
	return ix
}

// tagOf is the tag of a key's hash.
func (ix *keyIndex) tagOf(key []byte) uint32 { return uint32(maphash.Bytes(ix.seed, key) >> 32) }

// find returns the slot of the key with tag for which match holds, or
// the empty slot where it would go, and whether it was found.
func (ix *keyIndex) find(tag uint32, match func(idx uint32) bool) (indexSlot, bool) {
	t := &ix.tables[tag>>24]
	mask := len(t.slots) - 1
	for i := int(tag) & mask; ; i = (i + 1) & mask {
		s := t.slots[i]
		if s == 0 {
			return indexSlot{t, i}, false
		}
		if uint32(s>>32) == tag && match(uint32(s)-1) {
			return indexSlot{t, i}, true
		}
	}
}

// put fills the empty slot s with entry idx of tag, growing its table
// past three quarters full.
func (ix *keyIndex) put(s indexSlot, tag, idx uint32) {
	t := s.t
	t.slots[s.i] = uint64(tag)<<32 | uint64(idx+1)
	t.n++
	ix.n++
	if t.n*4 > len(t.slots)*3 {
		ix.resize(t, len(t.slots)*2)
	}
}

// deleteAt empties slot s and shifts the slots after it back so that
// every key stays reachable from its home slot; the table shrinks once
// under an eighth full.
func (ix *keyIndex) deleteAt(s indexSlot) {
	t, i := s.t, s.i
	mask := len(t.slots) - 1
	for j := (i + 1) & mask; t.slots[j] != 0; j = (j + 1) & mask {
		home := int(uint32(t.slots[j]>>32)) & mask
		// Move slot j to the hole at i unless its home lies in (i, j].
		if (j > i && (home <= i || home > j)) || (j < i && home <= i && home > j) {
			t.slots[i] = t.slots[j]
			i = j
		}
	}
	t.slots[i] = 0
	t.n--
	ix.n--
	if len(t.slots) > minIndexSlots && t.n*8 < len(t.slots) {
		ix.resize(t, len(t.slots)/2)
	}
}

func (ix *keyIndex) resize(t *indexTable, size int) {
	old := t.slots
	ix.size += int64(size - len(old))
	t.slots = make([]uint64, size)
	mask := size - 1
	for _, s := range old {
		if s == 0 {
			continue
		}
		i := int(uint32(s>>32)) & mask
		for t.slots[i] != 0 {
			i = (i + 1) & mask
		}
		t.slots[i] = s
	}
}

// bytes is the memory the tables take.
func (ix *keyIndex) bytes() int64 { return ix.size * 8 }

// bytesOf returns s's bytes without copying; they must not be changed.
func bytesOf(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }
