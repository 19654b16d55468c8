package server

import (
	"encoding/binary"
	"slices"
)

// list is a list value: a quicklist, as in Redis 7.0, which reports
// OBJECT ENCODING "quicklist" for every list. The elements are kept in
// nodes, each a run of neighbouring elements packed in one []byte; the
// nodes are kept in a ring, so both ends are reached in O(1). A node
// holds up to list-max-listpack-size elements (a positive setting) or
// bytes (a negative one: -1 4 KiB ... -5 64 KiB, Redis's size classes),
// and always at least one element, however large.
//
// An element is packed as its length (a uvarint), its bytes, then its
// length again with the uvarint's bytes reversed, so that a node is
// walked from either end, like a listpack's entries with their back
// lengths. A 10-byte element costs 12 bytes, as in a listpack.
//
// A node's bytes sit in buf[lo:hi], with free room on either side: a
// push at the head writes below lo, one at the tail above hi, and a full
// buffer is reallocated with room on the side that grows, so pushes at
// either end are amortised O(1) and the room wasted stays a fraction of
// one node per list end.
//
// Positions are found by walking the nodes by their counts from the
// nearer end, then the node's elements: O(nodes + node size), never
// O(n) per element.
type list struct {
	ring  []*lnode // the nodes, head first from ring[head]
	head  int      // ring index of the first node
	nn    int      // nodes in use
	count int      // elements
	bytes int64    // cap of the nodes' buffers, for memSize
	limit int64    // list-max-listpack-size when the list was created
}

// lnode is one node: n elements packed in buf[lo:hi].
type lnode struct {
	buf    []byte
	lo, hi int
	n      int
}

// nodeOverhead is the bytes a node costs beyond its buffer: the lnode,
// its ring slot and the allocator's rounding.
const nodeOverhead = 64

// listOverhead is the bytes of an empty list.
const listOverhead = 64

// newList returns an empty list whose nodes follow the
// list-max-listpack-size setting limit; 0 holds one element per node,
// as 1 does.
func newList(limit int64) *list {
	if limit == 0 {
		limit = 1
	}
	return &list{limit: limit}
}

func (l *list) kind() valueKind  { return kindList }
func (l *list) encoding() string { return "quicklist" }
func (l *list) length() int      { return l.count }

func (l *list) memSize() int64 {
	return listOverhead + l.bytes + int64(l.nn)*nodeOverhead + int64(len(l.ring))*8
}

func (l *list) clone() object {
	c := &list{count: l.count, limit: l.limit, nn: l.nn, ring: make([]*lnode, max(l.nn, 1))}
	for i := range l.nn {
		n := l.node(i)
		b := make([]byte, n.hi-n.lo)
		copy(b, n.buf[n.lo:n.hi])
		c.ring[i] = &lnode{buf: b, hi: len(b), n: n.n}
		c.bytes += int64(len(b))
	}
	return c
}

// ---------------------------------------------------------------------------
// The packed elements.

// packedLen is the bytes element v takes in a node.
func packedLen(v []byte) int { return len(v) + 2*uvarintLen(len(v)) }

// putPacked packs v at the start of dst, which has packedLen(v) bytes.
func putPacked(dst, v []byte) {
	w := binary.PutUvarint(dst, uint64(len(v)))
	copy(dst[w:], v)
	end := w + len(v)
	for i := range w {
		dst[end+w-1-i] = dst[i]
	}
}

// elemAt returns the element packed at buf[off:] and the offset of the
// next one.
func elemAt(buf []byte, off int) (v []byte, next int) {
	n, w := binary.Uvarint(buf[off:])
	start := off + w
	end := start + int(n)
	return buf[start:end:end], end + w
}

// elemBefore returns the element packed just before buf[end:] and its
// offset.
func elemBefore(buf []byte, end int) (v []byte, off int) {
	var n, shift, w int
	for {
		w++
		b := buf[end-w]
		n |= int(b&0x7f) << shift
		shift += 7
		if b < 0x80 {
			break
		}
	}
	start := end - w - n
	return buf[start : start+n : start+n], start - w
}

// ---------------------------------------------------------------------------
// Nodes.

// node returns the i-th node from the head.
func (l *list) node(i int) *lnode { return l.ring[(l.head+i)%len(l.ring)] }

// linearize makes the ring start at index 0 with no free slot inside it,
// so the nodes are l.ring[:l.nn].
func (l *list) linearize() {
	if l.head == 0 {
		return
	}
	r := make([]*lnode, len(l.ring))
	for i := range l.nn {
		r[i] = l.node(i)
	}
	l.ring, l.head = r, 0
}

// growRing makes room for one more node.
func (l *list) growRing() {
	if l.nn < len(l.ring) {
		return
	}
	l.linearize()
	l.ring = append(l.ring, nil)
	l.ring = l.ring[:cap(l.ring)]
}

// insertNode puts n at position i among the nodes.
func (l *list) insertNode(i int, n *lnode) {
	l.growRing()
	switch i {
	case 0:
		l.head = (l.head - 1 + len(l.ring)) % len(l.ring)
		l.ring[l.head] = n
	case l.nn:
		l.ring[(l.head+l.nn)%len(l.ring)] = n
	default:
		l.linearize()
		copy(l.ring[i+1:l.nn+1], l.ring[i:l.nn])
		l.ring[i] = n
	}
	l.nn++
	l.bytes += int64(len(n.buf))
}

// removeNode drops the node at position i.
func (l *list) removeNode(i int) {
	l.bytes -= int64(len(l.node(i).buf))
	switch i {
	case 0:
		l.ring[l.head] = nil
		l.head = (l.head + 1) % len(l.ring)
	case l.nn - 1:
		l.ring[(l.head+i)%len(l.ring)] = nil
	default:
		l.linearize()
		copy(l.ring[i:], l.ring[i+1:l.nn])
		l.ring[l.nn-1] = nil
	}
	l.nn--
	if l.nn == 0 {
		l.head = 0
	}
	if len(l.ring) > 8 && l.nn < len(l.ring)/4 {
		l.linearize()
		l.ring = append([]*lnode(nil), l.ring[:l.nn*2]...)
	}
}

// fits reports whether a node of size bytes and n elements may take one
// more element of packed size add.
func (l *list) fits(nd *lnode, add int) bool {
	if nd.n == 0 {
		return true
	}
	if l.limit > 0 {
		return int64(nd.n) < l.limit && nd.hi-nd.lo+add <= maxNodeBytes
	}
	return nd.hi-nd.lo+add <= l.nodeBytes()
}

// maxNodeBytes caps a node whose limit is a count of elements, as Redis
// caps it at 8 KiB (its SIZE_SAFETY_LIMIT).
const maxNodeBytes = 8192

// nodeBytes is the byte limit of a node for a setting of 0 or below:
// -1 4 KiB ... -5 64 KiB; Redis takes a setting below -5 as -5.
func (l *list) nodeBytes() int { return 4096 << (min(-l.limit, 5) - 1) }

// room makes room for add more bytes in nd, on the side front or back,
// reallocating the buffer with some spare room when it lacks it.
func (l *list) room(nd *lnode, add int, front bool) {
	if front && nd.lo >= add || !front && len(nd.buf)-nd.hi >= add {
		return
	}
	used := nd.hi - nd.lo
	want := used + add
	size := want + want/4 + 16
	if cap := l.capBytes(); size > cap {
		size = max(cap, want)
	}
	b := nodeBuf(size)
	size = len(b)
	lo := 0
	if front {
		lo = size - used
	}
	copy(b[lo:], nd.buf[nd.lo:nd.hi])
	l.bytes += int64(size - len(nd.buf))
	nd.buf, nd.lo, nd.hi = b, lo, lo+used
}

// nodeBuf returns a buffer of at least size bytes, all of its
// allocation's size class: the bytes a node would otherwise leave
// unused at the end of its allocation.
func nodeBuf(size int) []byte {
	b := slices.Grow([]byte(nil), size)
	return b[:cap(b)]
}

// capBytes is the largest buffer worth giving a node.
func (l *list) capBytes() int {
	if l.limit > 0 {
		return maxNodeBytes
	}
	return l.nodeBytes()
}

// ---------------------------------------------------------------------------
// The ends.

// push adds v at the head (front) or the tail.
func (l *list) push(v []byte, front bool) {
	add := packedLen(v)
	var nd *lnode
	if l.nn > 0 {
		nd = l.end(front)
		if !l.fits(nd, add) {
			nd = nil
		}
	}
	if nd == nil {
		nd = l.newEnd(add, front)
	}
	l.room(nd, add, front)
	if front {
		nd.lo -= add
		putPacked(nd.buf[nd.lo:], v)
	} else {
		putPacked(nd.buf[nd.hi:], v)
		nd.hi += add
	}
	nd.n++
	l.count++
}

// end returns the first node (front) or the last; the list must not be
// empty.
func (l *list) end(front bool) *lnode {
	if front {
		return l.node(0)
	}
	return l.node(l.nn - 1)
}

// newEnd adds an empty node at the head (front) or the tail for an
// element of packed size add. When the end node it follows is full, the
// list is growing long: the new node gets the room that node filled at
// once, rather than growing by steps whose old buffers would be garbage
// (a million LPUSHes made 60 MB of it, held until the collector ran).
func (l *list) newEnd(add int, front bool) *lnode {
	size := 0
	if l.nn > 0 {
		old := l.end(front)
		used := old.hi - old.lo
		size = min(l.capBytes(), used+used/8)
	}
	nd := &lnode{}
	if size >= add {
		nd.buf = nodeBuf(size)
		size = len(nd.buf)
		if front {
			nd.lo, nd.hi = size, size
		}
	}
	if front {
		l.insertNode(0, nd)
	} else {
		l.insertNode(l.nn, nd)
	}
	return nd
}

// pop removes the element at the head (front) or the tail and returns a
// copy of it; the list must not be empty.
func (l *list) pop(front bool) []byte {
	i := 0
	if !front {
		i = l.nn - 1
	}
	nd := l.node(i)
	var v []byte
	if front {
		v, nd.lo = elemAt(nd.buf, nd.lo)
	} else {
		v, nd.hi = elemBefore(nd.buf, nd.hi)
	}
	v = append([]byte(nil), v...)
	nd.n--
	l.count--
	if nd.n == 0 {
		l.removeNode(i)
	} else if l.nn == 1 {
		l.shrink(nd) // an end node of a longer list is worth its room
	}
	return v
}

// shrink gives nd a smaller buffer when most of its buffer is unused.
func (l *list) shrink(nd *lnode) {
	used := nd.hi - nd.lo
	if len(nd.buf) < 256 || used > len(nd.buf)/4 {
		return
	}
	b := nodeBuf(used + used/4 + 16)
	lo := (len(b) - used) / 2
	copy(b[lo:], nd.buf[nd.lo:nd.hi])
	l.bytes += int64(len(b) - len(nd.buf))
	nd.buf, nd.lo, nd.hi = b, lo, lo+used
}

// ---------------------------------------------------------------------------
// Positions.

// locate returns the node holding element i (0 <= i < count), its
// position among the nodes, and i's position within it.
func (l *list) locate(i int) (nd *lnode, ni, k int) {
	if i < l.count/2 {
		for ni = 0; ; ni++ {
			nd = l.node(ni)
			if i < nd.n {
				return nd, ni, i
			}
			i -= nd.n
		}
	}
	j := l.count - 1 - i // from the tail
	for ni = l.nn - 1; ; ni-- {
		nd = l.node(ni)
		if j < nd.n {
			return nd, ni, nd.n - 1 - j
		}
		j -= nd.n
	}
}

// offsetOf returns the offset in nd.buf of its k-th element, walking
// from the nearer end.
func (nd *lnode) offsetOf(k int) int {
	if k <= nd.n/2 {
		off := nd.lo
		for range k {
			_, off = elemAt(nd.buf, off)
		}
		return off
	}
	off := nd.hi
	for range nd.n - k {
		_, off = elemBefore(nd.buf, off)
	}
	return off
}

// index returns element i, 0 <= i < count, as a slice into the list,
// valid until the list changes.
func (l *list) index(i int) []byte {
	nd, _, k := l.locate(i)
	v, _ := elemAt(nd.buf, nd.offsetOf(k))
	return v
}

// rangeFrom calls fn with the elements from position i on, head to tail,
// until fn returns false or the list ends. The slices are valid only
// during the call, and fn must not change the list.
func (l *list) rangeFrom(i int, fn func(v []byte) bool) {
	if i >= l.count {
		return
	}
	nd, ni, k := l.locate(i)
	off := nd.offsetOf(k)
	for {
		for off < nd.hi {
			var v []byte
			v, off = elemAt(nd.buf, off)
			if !fn(v) {
				return
			}
		}
		if ni++; ni == l.nn {
			return
		}
		nd = l.node(ni)
		off = nd.lo
	}
}

// rangeBack calls fn with the elements from the tail to the head, until
// fn returns false, as rangeFrom does.
func (l *list) rangeBack(fn func(v []byte) bool) {
	for ni := l.nn - 1; ni >= 0; ni-- {
		nd := l.node(ni)
		for off := nd.hi; off > nd.lo; {
			var v []byte
			v, off = elemBefore(nd.buf, off)
			if !fn(v) {
				return
			}
		}
	}
}

// each calls fn with every element, head to tail, until it returns false.
func (l *list) each(fn func(v []byte) bool) { l.rangeFrom(0, fn) }

// rewrite replaces the elements of node ni from offset off to end with
// the packed bytes repl holding dn fewer elements than it replaced
// (dn < 0: more), splitting the node if it outgrows its limit, and
// dropping it if it is left empty.
func (l *list) rewrite(ni, off, end int, repl []byte, dn int) {
	nd := l.node(ni)
	b := make([]byte, 0, off-nd.lo+len(repl)+nd.hi-end)
	b = append(b, nd.buf[nd.lo:off]...)
	b = append(b, repl...)
	b = append(b, nd.buf[end:nd.hi]...)
	l.bytes += int64(len(b) - len(nd.buf))
	nd.buf, nd.lo, nd.hi = b, 0, len(b)
	nd.n -= dn
	l.count -= dn
	switch {
	case nd.n == 0:
		l.removeNode(ni)
	case nd.n > 1 && l.over(nd):
		l.split(ni)
	case !l.merge(ni):
		l.merge(ni - 1)
	}
}

// merge joins nodes p and p+1 into one when they would fit in one and
// one of them is less than half full, as deletions in the middle leave
// them, and reports whether it did.
func (l *list) merge(p int) bool {
	if p < 0 || p+1 >= l.nn {
		return false
	}
	a, b := l.node(p), l.node(p+1)
	joined := &lnode{n: a.n + b.n, hi: a.hi - a.lo + b.hi - b.lo}
	if l.halfFull(a) && l.halfFull(b) || l.over(joined) {
		return false
	}
	buf := make([]byte, joined.hi)
	copy(buf, a.buf[a.lo:a.hi])
	copy(buf[a.hi-a.lo:], b.buf[b.lo:b.hi])
	l.bytes += int64(len(buf) - len(a.buf))
	a.buf, a.lo, a.hi, a.n = buf, 0, len(buf), joined.n
	l.removeNode(p + 1)
	return true
}

// halfFull reports whether nd holds half what a node may, in elements or
// in bytes.
func (l *list) halfFull(nd *lnode) bool {
	return 2*(nd.hi-nd.lo) >= l.capBytes() || l.limit > 0 && 2*int64(nd.n) >= l.limit
}

// over reports whether nd holds more than a node may.
func (l *list) over(nd *lnode) bool {
	if l.limit > 0 && int64(nd.n) > l.limit {
		return true
	}
	return nd.hi-nd.lo > l.capBytes()
}

// split cuts node ni into as few nodes as keep within the limits,
// filling each in turn.
func (l *list) split(ni int) {
	nd := l.node(ni)
	src := nd.buf[nd.lo:nd.hi]
	var parts []*lnode
	cur := &lnode{}
	for off := 0; off < len(src); {
		_, next := elemAt(src, off)
		if !l.fits(cur, next-off) {
			parts = append(parts, cur)
			cur = &lnode{}
		}
		cur.buf = append(cur.buf, src[off:next]...)
		cur.hi = len(cur.buf)
		cur.n++
		off = next
	}
	parts = append(parts, cur)
	for _, p := range parts {
		p.buf = append(make([]byte, 0, len(p.buf)), p.buf...) // no spare capacity
	}
	l.bytes -= int64(len(nd.buf))
	*nd = *parts[0]
	l.bytes += int64(len(nd.buf))
	for j, p := range parts[1:] {
		l.insertNode(ni+1+j, p)
	}
}

// set replaces element i, 0 <= i < count, with v.
func (l *list) set(i int, v []byte) {
	nd, ni, k := l.locate(i)
	off := nd.offsetOf(k)
	_, end := elemAt(nd.buf, off)
	repl := make([]byte, packedLen(v))
	putPacked(repl, v)
	l.rewrite(ni, off, end, repl, 0)
}

// insert puts v at position i, 0 <= i <= count: before the element now
// at i, or at the tail for i == count.
func (l *list) insert(i int, v []byte) {
	switch i {
	case 0:
		l.push(v, true)
		return
	case l.count:
		l.push(v, false)
		return
	}
	nd, ni, k := l.locate(i)
	off := nd.offsetOf(k)
	repl := make([]byte, packedLen(v))
	putPacked(repl, v)
	l.rewrite(ni, off, off, repl, -1)
}

// removeRange removes n elements from position i on; the range must lie
// within the list.
func (l *list) removeRange(i, n int) {
	for n > 0 {
		switch {
		case i == 0 && n >= l.node(0).n:
			nd := l.node(0)
			n -= nd.n
			l.count -= nd.n
			l.removeNode(0)
			continue
		case i+n == l.count && n >= l.node(l.nn-1).n:
			nd := l.node(l.nn - 1)
			n -= nd.n
			l.count -= nd.n
			l.removeNode(l.nn - 1)
			continue
		}
		nd, ni, k := l.locate(i)
		m := min(n, nd.n-k)
		off := nd.offsetOf(k)
		end := off
		for range m {
			_, end = elemAt(nd.buf, end)
		}
		l.rewrite(ni, off, end, nil, m)
		n -= m
	}
}

// removeMatches removes up to limit elements (0 = all) for which match
// is true, scanning from the head, or from the tail when fromTail, and
// returns how many it removed.
func (l *list) removeMatches(match func([]byte) bool, limit int, fromTail bool) int {
	removed := 0
	ni := 0
	if fromTail {
		ni = l.nn - 1
	}
	for ; ni >= 0 && ni < l.nn; ni = l.nextNode(ni, fromTail) {
		nd := l.node(ni)
		// Which of the node's elements go, in the scan's direction.
		var kill []int // offsets of the elements removed
		if fromTail {
			for off := nd.hi; off > nd.lo && (limit == 0 || removed+len(kill) < limit); {
				var v []byte
				v, off = elemBefore(nd.buf, off)
				if match(v) {
					kill = append(kill, off)
				}
			}
		} else {
			for off := nd.lo; off < nd.hi && (limit == 0 || removed+len(kill) < limit); {
				v, next := elemAt(nd.buf, off)
				if match(v) {
					kill = append(kill, off)
				}
				off = next
			}
		}
		if len(kill) == 0 {
			continue
		}
		removed += len(kill)
		b := make([]byte, 0, nd.hi-nd.lo)
		prev := nd.lo
		for j := range kill {
			off := kill[j]
			if fromTail {
				off = kill[len(kill)-1-j]
			}
			b = append(b, nd.buf[prev:off]...)
			_, prev = elemAt(nd.buf, off)
		}
		b = append(b, nd.buf[prev:nd.hi]...)
		l.bytes += int64(len(b) - len(nd.buf))
		nd.buf, nd.lo, nd.hi = b, 0, len(b)
		nd.n -= len(kill)
		l.count -= len(kill)
		if nd.n == 0 {
			l.removeNode(ni)
			if !fromTail {
				ni-- // the next node took its place
			}
		}
		if limit != 0 && removed == limit {
			break
		}
	}
	if removed > 0 {
		for p := 0; p < l.nn-1; {
			if !l.merge(p) {
				p++
			}
		}
	}
	return removed
}

// nextNode is the node after ni in a scan towards the tail, or towards
// the head when back.
func (l *list) nextNode(ni int, back bool) int {
	if back {
		return ni - 1
	}
	return ni + 1
}
