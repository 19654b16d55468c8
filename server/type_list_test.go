package server

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// checkList compares l with the model and checks its bookkeeping.
func checkList(t *testing.T, l *list, model [][]byte, step string) {
	t.Helper()
	if l.count != len(model) {
		t.Fatalf("%s: count %d, model %d", step, l.count, len(model))
	}
	var got [][]byte
	l.each(func(v []byte) bool { got = append(got, append([]byte(nil), v...)); return true })
	if !slices.EqualFunc(got, model, bytes.Equal) {
		t.Fatalf("%s: list %q, model %q", step, got, model)
	}
	var back [][]byte
	l.rangeBack(func(v []byte) bool { back = append(back, append([]byte(nil), v...)); return true })
	slices.Reverse(back)
	if !slices.EqualFunc(back, model, bytes.Equal) {
		t.Fatalf("%s: backwards %q, model %q", step, back, model)
	}
	n, size := 0, int64(0)
	for i := range l.nn {
		nd := l.node(i)
		if nd.n == 0 {
			t.Fatalf("%s: empty node %d", step, i)
		}
		if nd.n > 1 && l.over(nd) {
			t.Fatalf("%s: node %d over its limit: %d elements, %d bytes", step, i, nd.n, nd.hi-nd.lo)
		}
		n += nd.n
		size += int64(len(nd.buf))
	}
	if n != l.count || size != l.bytes {
		t.Fatalf("%s: nodes hold %d elements in %d bytes; list says %d, %d", step, n, size, l.count, l.bytes)
	}
	for i := range model {
		if !bytes.Equal(l.index(i), model[i]) {
			t.Fatalf("%s: index(%d) = %q, want %q", step, i, l.index(i), model[i])
		}
	}
}

// TestListModel runs random operations on lists of several node limits
// and checks each against a slice.
func TestListModel(t *testing.T) {
	for _, limit := range []int64{-2, -1, -7, 0, 1, 3, 128} {
		t.Run(fmt.Sprint(limit), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(limit+10), 7))
			l := newList(limit)
			var model [][]byte
			val := func() []byte {
				n := rng.IntN(20)
				if rng.IntN(50) == 0 {
					n = 200 + rng.IntN(9000) // beyond a node's bytes, and a two-byte length
				}
				return bytes.Repeat([]byte{byte('a' + rng.IntN(3))}, n)
			}
			for step := range 3000 {
				op := rng.IntN(10)
				name := ""
				switch {
				case op < 3 || len(model) == 0:
					v, front := val(), rng.IntN(2) == 0
					name = fmt.Sprintf("push(%d, %v)", len(v), front)
					l.push(v, front)
					if front {
						model = slices.Insert(model, 0, v)
					} else {
						model = append(model, v)
					}
				case op == 3:
					front := rng.IntN(2) == 0
					name = fmt.Sprintf("pop(%v)", front)
					var want []byte
					if front {
						want, model = model[0], model[1:]
					} else {
						want, model = model[len(model)-1], model[:len(model)-1]
					}
					if got := l.pop(front); !bytes.Equal(got, want) {
						t.Fatalf("step %d %s = %q, want %q", step, name, got, want)
					}
				case op == 4:
					i, v := rng.IntN(len(model)), val()
					name = fmt.Sprintf("set(%d, %d)", i, len(v))
					l.set(i, v)
					model[i] = v
				case op == 5:
					i, v := rng.IntN(len(model)+1), val()
					name = fmt.Sprintf("insert(%d, %d)", i, len(v))
					l.insert(i, v)
					model = slices.Insert(model, i, v)
				case op == 6:
					i := rng.IntN(len(model))
					n := rng.IntN(len(model) - i + 1)
					name = fmt.Sprintf("removeRange(%d, %d)", i, n)
					l.removeRange(i, n)
					model = slices.Delete(model, i, i+n)
				case op == 7:
					v := val()
					limit, fromTail := rng.IntN(4), rng.IntN(2) == 0
					name = fmt.Sprintf("removeMatches(%q, %d, %v)", v, limit, fromTail)
					got := l.removeMatches(func(b []byte) bool { return bytes.Equal(b, v) }, limit, fromTail)
					want := 0
					for k := range model {
						i := k
						if fromTail {
							i = len(model) - 1 - k
						}
						if (limit == 0 || want < limit) && bytes.Equal(model[i], v) {
							model[i] = nil
							want++
						}
					}
					model = slices.DeleteFunc(model, func(b []byte) bool { return b == nil })
					if got != want {
						t.Fatalf("step %d %s = %d, want %d", step, name, got, want)
					}
				case op == 8:
					c := l.clone().(*list)
					l.push([]byte("x"), true) // the clone must not see it
					checkList(t, c, model, "clone")
					l.pop(true)
					name = "clone"
				default:
					i := rng.IntN(len(model))
					name = fmt.Sprintf("rangeFrom(%d)", i)
					var got [][]byte
					l.rangeFrom(i, func(v []byte) bool { got = append(got, append([]byte(nil), v...)); return len(got) < 5 })
					want := model[i:min(i+5, len(model))]
					if !slices.EqualFunc(got, want, bytes.Equal) {
						t.Fatalf("step %d %s = %q, want %q", step, name, got, want)
					}
				}
				// A model without empty elements from DeleteFunc above: nil
				// marks deletion, so keep every element non-nil.
				for i := range model {
					if model[i] == nil {
						model[i] = []byte{}
					}
				}
				checkList(t, l, model, fmt.Sprintf("step %d %s", step, name))
			}
		})
	}
}

// TestListMemory checks that a million 10-byte elements cost about what
// a listpack-based quicklist costs: 12 bytes each plus the nodes.
func TestListMemory(t *testing.T) {
	l := newList(-2)
	v := []byte("0123456789")
	for i := range 1_000_000 {
		l.push(v, i%2 == 0)
	}
	per := float64(l.memSize()) / 1e6
	t.Logf("%.2f bytes per element, %d nodes", per, l.nn)
	if per > 13.5 {
		t.Errorf("%.2f bytes per element; want at most 13.5", per)
	}
}

// TestListMerge checks that nodes thinned by removals in the middle are
// joined again.
func TestListMerge(t *testing.T) {
	l := newList(-2)
	for i := range 10000 {
		l.push(fmt.Appendf(nil, "%010d", i), false)
	}
	full := l.nn
	n := l.removeMatches(func(v []byte) bool { return v[9] != '0' }, 0, false)
	if n != 9000 || l.nn > full/10+2 {
		t.Errorf("removed %d of 10000; %d nodes left of %d", n, l.nn, full)
	}
	for l.count > 100 {
		l.removeRange(l.count/2, 1)
	}
	if l.nn > 2 {
		t.Errorf("100 elements in %d nodes", l.nn)
	}
}
