package server

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestListCommandsModel sends random list commands over several keys and
// checks every reply against a model of slices, and the keyspace's
// invariants (memory accounting, empty lists deleted) after each.
func TestListCommandsModel(t *testing.T) {
	s, path := newTestServer(t, Config{})
	tc := dial(t, path)
	rng := rand.New(rand.NewPCG(3, 4))
	model := map[string][]string{}
	keys := []string{"a", "b", "c"}
	val := func() string {
		if rng.IntN(40) == 0 {
			return strings.Repeat("L", 3000+rng.IntN(7000))
		}
		return "v" + strconv.Itoa(rng.IntN(30))
	}
	render := func(l []string) string { return "[" + strings.Join(l, " ") + "]" }
	for step := range 4000 {
		if step == 2000 {
			tc.Do("CONFIG", "SET", "list-max-listpack-size", "5")
		}
		k := keys[rng.IntN(len(keys))]
		l := model[k]
		var args []string
		var want string
		switch op := rng.IntN(9); {
		case op < 3:
			n := 1 + rng.IntN(40)
			args = []string{"RPUSH", k}
			if op == 0 {
				args[0] = "LPUSH"
			}
			for range n {
				v := val()
				args = append(args, v)
				if op == 0 {
					l = slices.Insert(l, 0, v)
				} else {
					l = append(l, v)
				}
			}
			want = strconv.Itoa(len(l))
		case op == 3:
			n := rng.IntN(30)
			args = []string{"LPOP", k, strconv.Itoa(n)}
			n = min(n, len(l))
			want = render(l[:n])
			if model[k] == nil {
				want = "(nil)"
			}
			l = l[n:]
		case op == 4 && len(l) > 0:
			i := rng.IntN(len(l))
			v := val()
			args = []string{"LSET", k, strconv.Itoa(i - len(l)*rng.IntN(2)), v}
			l[i] = v
			want = "OK"
		case op == 5 && len(l) > 0:
			pivot := l[rng.IntN(len(l))]
			at := slices.Index(l, pivot)
			v := val()
			where := "BEFORE"
			if rng.IntN(2) == 0 {
				where = "AFTER"
				at++
			}
			args = []string{"LINSERT", k, where, pivot, v}
			l = slices.Insert(l, at, v)
			want = strconv.Itoa(len(l))
		case op == 6:
			v := val()
			count := rng.IntN(7) - 3
			args = []string{"LREM", k, strconv.Itoa(count), v}
			removed := 0
			limit := max(count, -count)
			for j := range l {
				i := j
				if count < 0 {
					i = len(l) - 1 - j
				}
				if l[i] == v && (limit == 0 || removed < limit) {
					l[i] = "\x00gone"
					removed++
				}
			}
			l = slices.DeleteFunc(l, func(v string) bool { return v == "\x00gone" })
			want = strconv.Itoa(removed)
		case op == 7:
			start, stop := rng.IntN(60)-20, rng.IntN(60)-20
			args = []string{"LTRIM", k, strconv.Itoa(start), strconv.Itoa(stop)}
			first, n := listRange(int64(start), int64(stop), len(l))
			l = l[first : first+n]
			want = "OK"
		default:
			dst := keys[rng.IntN(len(keys))]
			args = []string{"LMOVE", k, dst, "LEFT", "RIGHT"}
			want = "(nil)"
			if len(l) > 0 {
				v := l[0]
				l = l[1:]
				model[k] = l
				model[dst] = append(model[dst], v)
				l = model[k]
				want = v
			}
		}
		if args == nil {
			continue
		}
		if len(l) == 0 {
			delete(model, k)
		} else if args[0] != "LMOVE" {
			model[k] = l
		}
		if got := tc.Do(args...); got != want {
			t.Fatalf("step %d: %.200s: got %.200q, want %.200q", step, strings.Join(args, " "), got, want)
		}
		for _, key := range keys {
			want := render(model[key])
			if got := tc.Do("LRANGE", key, "0", "-1"); got != want {
				t.Fatalf("step %d after %.200s: %s holds %.200q, want %.200q", step, strings.Join(args, " "), key, got, want)
			}
		}
		checkDBInvariants(t, s)
	}
}

// TestListEncodingAndMemory checks that lists report Redis 7.0's
// quicklist encoding, that the keyspace accounts for their bytes, and
// that a list emptied by any command leaves no key behind.
func TestListEncodingAndMemory(t *testing.T) {
	s, path := newTestServer(t, Config{})
	tc := dial(t, path)
	s.db.mu.Lock()
	before := s.db.valMem
	s.db.mu.Unlock()
	args := []string{"RPUSH", "l"}
	for i := range 5000 {
		args = append(args, fmt.Sprintf("%010d", i))
	}
	tc.Do(args...)
	s.db.mu.Lock()
	l, _, _ := getTyped[*list](s.db, []byte("l"))
	grew := s.db.valMem - before
	s.db.mu.Unlock()
	if l.encoding() != "quicklist" || l.nn < 5 {
		t.Fatalf("encoding %q with %d nodes", l.encoding(), l.nn)
	}
	if grew < 5000*12 || grew > 5000*16 {
		t.Errorf("5000 elements of 10 bytes accounted as %d bytes", grew)
	}
	checkDBInvariants(t, s)
	for _, cmd := range [][]string{
		{"LPOP", "l", "5000"},
		{"LTRIM", "l", "1", "0"},
		{"LREM", "l", "0", "x"},
		{"LMPOP", "1", "l", "RIGHT", "COUNT", "9"},
	} {
		tc.Do("DEL", "l")
		tc.Do("RPUSH", "l", "x", "x")
		if cmd[0] == "LMPOP" {
			tc.Do("RPOP", "l")
		}
		tc.Do(cmd...)
		if got := tc.Do("EXISTS", "l"); got != "0" {
			t.Errorf("%v left the key: EXISTS %s", cmd, got)
		}
		checkDBInvariants(t, s)
	}
}
