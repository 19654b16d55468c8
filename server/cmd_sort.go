package server

import (
	"bytes"
	"math"
	"slices"

	"github.com/remoted/remoted/internal/cnum"
	"github.com/remoted/remoted/resp"
)

// SORT and SORT_RO, as Redis 7.0's sort.c has them:
//
//	SORT key [BY pattern] [LIMIT offset count] [GET pattern ...]
//	     [ASC|DESC] [ALPHA] [STORE destination]
//
// The elements of a list, set or sorted set (a missing key is an empty
// list) are sorted by their own value or by the value a BY pattern names
// for each, numerically (as C's strtod reads them) or with ALPHA by
// their bytes; LIMIT picks a range of the result, GET patterns replace
// each element with the values they name, and STORE keeps the result as
// a list instead of replying with it.
//
// The order of elements that compare equal is Redis's: a whole sort is
// glibc's qsort, a merge sort and so stable; a LIMIT with a BY pattern
// sorts partially with Redis's own pqsort, whose order for ties pqsort
// below reproduces. Ties only show with ALPHA (a numeric sort breaks
// them by the elements' bytes), and only for the elements of a list or
// of an intset does Redis's order of input match remoted's: a hash table
// set or a sorted set enters Redis's sort in its dict's order.
//
// Two things of Redis's are not reproduced. Its ALPHA order is strcoll's
// in the locale of its environment (it calls setlocale(LC_COLLATE, ""));
// remoted's is that of the C and C.UTF-8 locales, byte order. And its
// SORT reads errno after strtod without clearing it first, so once a
// weight has set ERANGE, numeric sorts that parse a non-integer fail
// until some other call in Redis's thread changes errno; remoted judges
// each weight alone.

// commandsSort handles SORT and SORT_RO.
func (s *Server) commandsSort(r *registry) {
	r.key("sort", func(c *client, args [][]byte) { s.sort(c, args, false) })
	r.key("sort_ro", func(c *client, args [][]byte) { s.sort(c, args, true) })
}

// sortOpts are SORT's options.
type sortOpts struct {
	desc, alpha bool
	// offset and count are LIMIT's (0 and -1 without it).
	offset, count int64
	// by is the last BY pattern; dontsort is set once any BY pattern
	// without a '*' was given (BY nosort), which no later BY undoes.
	by       []byte
	dontsort bool
	gets     [][]byte
	store    []byte // nil: reply with the result
}

// parseSortOpts parses SORT's options, args (those after the key), left
// to right as Redis does; readonly (SORT_RO) refuses STORE. It returns
// the reply to an error.
func parseSortOpts(args [][]byte, readonly bool) (o sortOpts, errText string) {
	o.count = -1
	for j := 0; j < len(args); j++ {
		a, left := args[j], len(args)-j-1
		switch {
		case optIs(a, "asc"):
			o.desc = false
		case optIs(a, "desc"):
			o.desc = true
		case optIs(a, "alpha"):
			o.alpha = true
		case optIs(a, "limit") && left >= 2:
			var ok1, ok2 bool
			o.offset, ok1 = resp.ParseInt(args[j+1])
			o.count, ok2 = resp.ParseInt(args[j+2])
			if !ok1 || !ok2 {
				return o, resp.MsgNotInteger
			}
			j += 2
		case !readonly && optIs(a, "store") && left >= 1:
			o.store = args[j+1]
			j++
		case optIs(a, "by") && left >= 1:
			o.by = args[j+1]
			if bytes.IndexByte(cstr(o.by), '*') < 0 {
				o.dontsort = true
			}
			j++
		case optIs(a, "get") && left >= 1:
			o.gets = append(o.gets, args[j+1])
			j++
		default:
			return o, resp.MsgSyntax
		}
	}
	return o, ""
}

// sortItem is one element being sorted, with what it is sorted by: its
// score for a numeric sort, the value its BY pattern named (cmp, if
// found) for an ALPHA one.
type sortItem struct {
	elem  []byte
	score float64
	cmp   []byte
	found bool
}

// sortRange returns the positions first to last (inclusive) of n sorted
// elements that LIMIT offset count selects, clamped as Redis clamps
// them: last < first when it selects none.
func sortRange(offset, count int64, n int) (first, last int) {
	start := min(max(offset, 0), int64(n))
	count = min(max(count, -1), int64(n))
	end := start + count - 1
	if count < 0 {
		end = int64(n) - 1
	}
	if start >= int64(n) {
		start, end = int64(n)-1, int64(n)-2
	}
	if end >= int64(n) {
		end = int64(n) - 1
	}
	return int(start), int(end)
}

// sort is SORT, or SORT_RO with readonly. Options are parsed before the
// key is looked up, so a syntax error comes before WRONGTYPE; a weight
// that is not a number is reported after the sort, and nothing is stored.
func (s *Server) sort(c *client, args [][]byte, readonly bool) {
	o, errText := parseSortOpts(args[2:], readonly)
	if errText != "" {
		c.w.Error(errText)
		return
	}
	var src object
	if e := s.db.getBytes(args[1]); e != nil {
		switch e.kind() {
		case kindList, kindSet, kindZSet:
		default:
			c.w.Error(resp.MsgWrongType)
			return
		}
		src = s.db.obj(e)
		if z, ok := src.(*zset); ok && z.big == nil {
			// Redis converts a listpack sorted set to a skiplist for
			// good before sorting it, even for SORT_RO.
			z.convert(z.length())
			s.db.objResized(e)
		}
	}
	if _, ok := src.(*setObj); ok && o.dontsort && o.store != nil {
		// A set's order is its hash table's: what is stored is sorted
		// by ALPHA instead, so that it is the same on every replica.
		o.dontsort, o.alpha, o.by = false, true, nil
	}
	if o.dontsort {
		o.by = nil
	}
	n := 0
	if src != nil {
		n = src.length()
	}
	first, last := sortRange(o.offset, o.count, n)

	var items []sortItem
	if sortDirect(src, o.dontsort) {
		// A list's or a sorted set's own order, LIMIT's range of it.
		items = sortLoadRange(src, first, max(last-first+1, 0), o.desc)
		first, last = 0, len(items)-1
	} else {
		items = sortLoad(src)
	}

	convErr := false
	if !o.dontsort {
		convErr = s.sortScores(items, o)
		cmp := sortCompare(o)
		if o.by != nil && (first != 0 || last != len(items)-1) {
			pqsort(items, first, last, cmp)
		} else {
			mergeSort(items, make([]sortItem, len(items)), cmp)
		}
	}
	if convErr {
		c.w.Error(resp.MsgSortNotDouble)
		return
	}
	if first > last {
		first, last = 0, -1
	}
	if o.store != nil {
		s.sortStore(c, o, items[first:last+1])
		return
	}
	per := max(len(o.gets), 1)
	c.w.Array(per * (last - first + 1))
	for i := first; i <= last; i++ {
		if len(o.gets) == 0 {
			c.w.Bulk(items[i].elem)
		}
		for _, pat := range o.gets {
			if v, ok := s.sortLookup(pat, items[i].elem); ok {
				c.w.Bulk(v)
			} else {
				c.w.Null()
			}
		}
	}
}

// sortDirect reports whether SORT takes src's elements in the order src
// keeps them (a list's, or a sorted set's by score), reading only
// LIMIT's range: with BY nosort, for a list or a sorted set.
func sortDirect(src object, dontsort bool) bool {
	switch src.(type) {
	case *list, *zset:
		return dontsort
	}
	return false
}

// sortLoad returns the elements of src (nil: none) in the order Redis's
// sort starts from: a list's, a set's own (an intset's ascending), a
// sorted set's by score (Redis's is its dict's).
func sortLoad(src object) []sortItem {
	if src == nil {
		return nil
	}
	// The elements are copied end to end into one buffer.
	var arena []byte
	ends := make([]int, 0, src.length())
	add := func(m []byte) bool {
		arena = append(arena, m...)
		ends = append(ends, len(arena))
		return true
	}
	switch o := src.(type) {
	case *setObj:
		o.each(add)
	case *zset:
		o.each(func(e zsEntry) bool { return add(bytesOf(e.member)) })
	case *list:
		o.each(add)
	}
	items := make([]sortItem, len(ends))
	start := 0
	for i, end := range ends {
		items[i].elem = arena[start:end:end]
		start = end
	}
	return items
}

// sortLoadRange returns n elements of the list or sorted set src from
// position first of its order, or of its reverse order with desc.
func sortLoadRange(src object, first, n int, desc bool) []sortItem {
	items := make([]sortItem, 0, n)
	if n == 0 {
		return items
	}
	if z, ok := src.(*zset); ok {
		lo := first
		if desc {
			lo = z.length() - first - n
		}
		for _, e := range z.ranks(lo, lo+n-1) {
			items = append(items, sortItem{elem: bytesOf(e.member)})
		}
		if desc {
			slices.Reverse(items)
		}
		return items
	}
	l := src.(*list)
	take := func(v []byte) bool {
		items = append(items, sortItem{elem: bytes.Clone(v)})
		return len(items) < n
	}
	if !desc {
		l.rangeFrom(first, take)
		return items
	}
	skip := first
	l.rangeBack(func(v []byte) bool {
		if skip > 0 {
			skip--
			return true
		}
		return take(v)
	})
	return items
}

// sortStore replaces the key o.store with a list of the items, or of the
// values the GET patterns name for them (an empty string for nothing),
// and replies with its length. An empty result deletes the key. Like
// Redis, it counts a write per element stored, or one for the deletion.
func (s *Server) sortStore(c *client, o sortOpts, items []sortItem) {
	l := newList(s.db.enc.listSize.Load())
	for i := range items {
		if len(o.gets) == 0 {
			l.push(items[i].elem, false)
		}
		for _, pat := range o.gets {
			v, _ := s.sortLookup(pat, items[i].elem)
			l.push(v, false)
		}
	}
	n := l.length()
	if n == 0 {
		// Redis deletes the key without looking it up first: one past
		// its time is deleted as any other, not expired.
		if _, old := s.db.lookup(o.store); old != nil {
			s.db.removeEntry(old)
			s.db.dirty++
		}
	} else {
		if old := s.db.getBytes(o.store); old != nil {
			s.db.removeEntry(old)
		}
		s.db.objChanged(s.db.insertObj(o.store, l), n)
	}
	c.w.Int(int64(n))
}

// sortScores fills in what each item is sorted by, from its BY pattern
// or from the element itself, and reports whether a numeric sort met a
// value that is not a number. An item whose BY pattern names nothing
// keeps score 0 (numeric) or no value (ALPHA, before every value).
func (s *Server) sortScores(items []sortItem, o sortOpts) (convErr bool) {
	if o.alpha && o.by == nil {
		return false // the elements are compared themselves
	}
	for i := range items {
		it := &items[i]
		v := it.elem
		if o.by != nil {
			var ok bool
			if v, ok = s.sortLookup(o.by, it.elem); !ok {
				continue
			}
		}
		if o.alpha {
			it.cmp, it.found = v, true
			continue
		}
		f, ok := sortScore(v)
		it.score = f
		convErr = convErr || !ok
	}
	return convErr
}

// sortCompare returns Redis's comparison of two items for the options o.
// A numeric sort orders by score, then by the elements' bytes. ALPHA
// compares the BY values (a missing one first) or the elements as
// strcoll does in the C locale, the bytes up to the first NUL; with
// STORE it compares all of their bytes, as Redis does there.
func sortCompare(o sortOpts) func(a, b *sortItem) int {
	str := func(a, b []byte) int { return bytes.Compare(cstr(a), cstr(b)) }
	if o.store != nil {
		str = bytes.Compare
	}
	var cmp func(a, b *sortItem) int
	switch {
	case !o.alpha:
		cmp = func(a, b *sortItem) int {
			switch {
			case a.score > b.score:
				return 1
			case a.score < b.score:
				return -1
			}
			return bytes.Compare(a.elem, b.elem)
		}
	case o.by != nil:
		cmp = func(a, b *sortItem) int {
			switch {
			case a.found && b.found:
				return str(a.cmp, b.cmp)
			case a.found:
				return 1
			case b.found:
				return -1
			}
			return 0
		}
	default:
		cmp = func(a, b *sortItem) int { return str(a.elem, b.elem) }
	}
	if o.desc {
		return func(a, b *sortItem) int { return -cmp(a, b) }
	}
	return cmp
}

// sortScore reads v as SORT reads a weight, with C's strtod over v up to
// its first NUL: all of it must be a number (the empty string is 0), not
// NaN, and not out of range (errno's ERANGE: an overflow, or an
// underflow as glibc reports it).
func sortScore(v []byte) (float64, bool) {
	v = cstr(v)
	f, n, erange := cnum.Strtod(v)
	if n != len(v) || erange || math.IsNaN(f) || cnum.Underflows(v, f) {
		return f, false
	}
	return f, true
}

// sortLookup returns the value a SORT pattern names for elem: elem itself
// for "#"; otherwise, with the first '*' of pattern replaced by elem, the
// string under that key, or with "->field" after the '*', that field of
// the hash under the key before the arrow. A pattern without '*', a
// missing key or field, or a key of another type names nothing. Redis
// reads the pattern as a C string when it looks for '#', '*' and "->",
// but copies all of its bytes into the key and the field.
func (s *Server) sortLookup(pattern, elem []byte) ([]byte, bool) {
	p := cstr(pattern)
	if len(p) == 1 && p[0] == '#' {
		return elem, true
	}
	star := bytes.IndexByte(p, '*')
	if star < 0 {
		return nil, false
	}
	post := pattern[star+1:]
	var field []byte
	if f := bytes.Index(p[star+1:], []byte("->")); f >= 0 && star+1+f+2 < len(p) {
		post, field = pattern[star+1:star+1+f], pattern[star+1+f+2:]
	}
	key := make([]byte, 0, star+len(elem)+len(post))
	key = append(append(append(key, pattern[:star]...), elem...), post...)
	e := s.db.getBytes(key)
	switch {
	case e == nil:
		return nil, false
	case field == nil && e.kind() == kindString:
		return e.val, true
	case field != nil && e.kind() == kindHash:
		return s.db.obj(e).(*hashObj).get(field)
	}
	return nil, false
}

// mergeSort sorts v stably, as glibc's qsort does (a merge sort through
// a buffer), with tmp as room for len(v) items. Being stable, it leaves
// equal items in glibc's order whatever its own steps.
func mergeSort(v, tmp []sortItem, cmp func(a, b *sortItem) int) {
	n := len(v)
	if n <= 1 {
		return
	}
	h := n / 2
	mergeSort(v[:h], tmp[:h], cmp)
	mergeSort(v[h:], tmp[h:], cmp)
	if cmp(&v[h-1], &v[h]) <= 0 {
		return // already in order
	}
	i, j, k := 0, h, 0
	for i < h && j < n {
		if cmp(&v[i], &v[j]) <= 0 {
			tmp[k] = v[i]
			i++
		} else {
			tmp[k] = v[j]
			j++
		}
		k++
	}
	k += copy(tmp[k:], v[i:h])
	copy(v, tmp[:k])
}

// pqsort sorts v partially, as Redis's pqsort (Bentley and McIlroy's
// quicksort, which recurses only into the parts that overlap the range),
// so that positions lo to hi hold what a full sort would put there: in
// the same order as Redis's, ties included.
func pqsort(v []sortItem, lo, hi int, cmp func(a, b *sortItem) int) {
	pqsortPart(v, 0, lo, hi, cmp)
}

// pqsortPart sorts v, which starts at position base of the whole.
func pqsortPart(v []sortItem, base, lo, hi int, cmp func(a, b *sortItem) int) {
	// outside reports whether the part of n items at b is wholly before
	// or wholly after lo..hi.
	outside := func(b, n int) bool {
		l, r := b, b+n-1
		return lo < l && hi < l || lo > r && hi > r
	}
	for {
		n := len(v)
		if n < 7 {
			for m := 1; m < n; m++ {
				for l := m; l > 0 && cmp(&v[l-1], &v[l]) > 0; l-- {
					v[l], v[l-1] = v[l-1], v[l]
				}
			}
			return
		}
		m := n / 2
		if n > 7 {
			l, r := 0, n-1
			if n > 40 {
				d := n / 8
				l = med3(v, l, l+d, l+2*d, cmp)
				m = med3(v, m-d, m, m+d, cmp)
				r = med3(v, r-2*d, r-d, r, cmp)
			}
			m = med3(v, l, m, r, cmp)
		}
		v[0], v[m] = v[m], v[0]
		pa, pb, pc, pd := 1, 1, n-1, n-1
		for {
			for pb <= pc {
				c := cmp(&v[pb], &v[0])
				if c > 0 {
					break
				}
				if c == 0 {
					v[pa], v[pb] = v[pb], v[pa]
					pa++
				}
				pb++
			}
			for pb <= pc {
				c := cmp(&v[pc], &v[0])
				if c < 0 {
					break
				}
				if c == 0 {
					v[pc], v[pd] = v[pd], v[pc]
					pd--
				}
				pc--
			}
			if pb > pc {
				break
			}
			v[pb], v[pc] = v[pc], v[pb]
			pb++
			pc--
		}
		vecswap(v, 0, pb-min(pa, pb-pa), min(pa, pb-pa))
		r := min(pd-pc, n-pd-1)
		vecswap(v, pb, n-r, r)
		if r := pb - pa; r > 1 && !outside(base, r) {
			pqsortPart(v[:r], base, lo, hi, cmp)
		}
		r = pd - pc
		if r <= 1 || outside(base+n-r, r) {
			return
		}
		v, base = v[n-r:], base+n-r
	}
}

// med3 returns the position of the median of v[a], v[b] and v[c], as
// pqsort picks it.
func med3(v []sortItem, a, b, c int, cmp func(a, b *sortItem) int) int {
	if cmp(&v[a], &v[b]) < 0 {
		switch {
		case cmp(&v[b], &v[c]) < 0:
			return b
		case cmp(&v[a], &v[c]) < 0:
			return c
		}
		return a
	}
	switch {
	case cmp(&v[b], &v[c]) > 0:
		return b
	case cmp(&v[a], &v[c]) < 0:
		return a
	}
	return c
}

// vecswap swaps the n items from a with the n from b.
func vecswap(v []sortItem, a, b, n int) {
	for i := range n {
		v[a+i], v[b+i] = v[b+i], v[a+i]
	}
}
