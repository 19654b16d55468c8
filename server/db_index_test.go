package server

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// TestKeyspaceModel runs random writes, deletes, expiries, appends and
// renames against the keyspace and a map, checking after each step that
// they agree and, now and then, that the keyspace's structures do: the
// index grows and shrinks (backward-shift deletion), entry numbers are
// freed and reused, and the accounted memory follows.
func TestKeyspaceModel(t *testing.T) {
	s, _ := newTestServer(t, Config{})
	db := s.db
	model := map[string]string{}
	rng := rand.New(rand.NewPCG(1, 2))
	key := func() string { return "k" + strconv.Itoa(rng.IntN(3000)) }
	for step := range 60000 {
		db.mu.Lock()
		k := key()
		switch op := rng.IntN(10); {
		case op < 4 || (step/20000)%2 == 0 && op < 7: // phases of growth and shrinking
			v := strconv.Itoa(step) + string(make([]byte, rng.IntN(40)))
			db.set([]byte(k), []byte(v), 0, false)
			model[k] = v
		case op < 8:
			if db.del(k) != (model[k] != "" || hasKey(model, k)) {
				t.Fatalf("step %d: del %s disagrees", step, k)
			}
			delete(model, k)
		case op == 8:
			if e := db.get(k); e != nil {
				db.appendTo(e, []byte("+"))
				model[k] += "+"
			}
		default:
			dst := key()
			if e := db.get(k); e != nil && dst != k {
				db.rename(k, dst, e)
				model[dst] = model[k]
				delete(model, k)
			}
		}
		e := db.get(k)
		if v, ok := model[k]; ok != (e != nil) || (ok && string(e.val) != v) {
			t.Fatalf("step %d: %s is %v in the keyspace, %q in the model", step, k, e != nil, v)
		}
		db.mu.Unlock()
		if step%5000 == 0 {
			checkDBInvariants(t, s)
		}
	}
	checkDBInvariants(t, s)
	if db.live != len(model) {
		t.Fatalf("%d keys, model has %d", db.live, len(model))
	}
	for k, v := range model {
		if e := db.peek(k); e == nil || string(e.val) != v {
			t.Fatalf("%s lost", k)
		}
	}
	db.mu.Lock()
	for k := range model {
		db.del(k)
	}
	db.mu.Unlock()
	checkDBInvariants(t, s)
	if n := db.index.size; n > 2*indexTables*minIndexSlots {
		t.Errorf("index of %d slots with no key", n)
	}
}

func hasKey(m map[string]string, k string) bool { _, ok := m[k]; return ok }

// TestKeyspaceKeyLengths checks keys whose length takes one to three
// bytes as a uvarint, and the empty key and value, through writes that
// move a value to a new allocation.
func TestKeyspaceKeyLengths(t *testing.T) {
	s, _ := newTestServer(t, Config{})
	db := s.db
	db.mu.Lock()
	for _, n := range []int{0, 1, 127, 128, 300, 16383, 16384, 70000} {
		key := strings.Repeat("k", n)
		for _, val := range []string{"", "v", strings.Repeat("v", 1000)} {
			db.set([]byte(key), []byte(val), 0, false)
			if e := db.get(key); e == nil || string(e.val) != val || keyOf(e) != key {
				t.Fatalf("key of %d bytes, value of %d: lost", n, len(val))
			}
		}
		e := db.get(key)
		db.appendTo(e, []byte(strings.Repeat("a", 5000)))
		db.setExp(key, e, db.now+1000)
		if e := db.get(key); e == nil || keyOf(e) != key || len(e.val) != 6000 {
			t.Fatalf("key of %d bytes lost after APPEND", n)
		}
	}
	db.mu.Unlock()
	checkDBInvariants(t, s)
}
