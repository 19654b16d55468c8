package server

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
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

// blockedOn sends a blocking command on a new connection and waits until
// the server counts n blocked clients.
func blockedOn(t *testing.T, path string, ctl *testConn, n int, args ...string) *testConn {
	t.Helper()
	tc := dial(t, path)
	tc.Send(args...)
	waitFor(t, func() bool { return blockedClients(ctl) == n })
	return tc
}

// TestListBlockFIFO: 20 clients blocked on one list are served in the
// order they came, by one push of 20 elements, before the next command.
func TestListBlockFIFO(t *testing.T) {
	_, path := newTestServer(t, Config{})
	ctl := dial(t, path)
	waiters := make([]*testConn, 20)
	push := []string{"RPUSH", "q"}
	for i := range waiters {
		cmd := "BLPOP"
		if i%2 == 1 {
			cmd = "BRPOP"
		}
		waiters[i] = blockedOn(t, path, ctl, i+1, cmd, "other", "q", "0")
		push = append(push, "e"+strconv.Itoa(i))
	}
	ctl.Send(push...)
	ctl.Send("EXISTS", "q")
	if got := ctl.Read(); got != "20" {
		t.Fatalf("RPUSH: %q", got)
	}
	if got := ctl.Read(); got != "0" {
		t.Errorf("EXISTS q after the push: %s; the waiters were not all served first", got)
	}
	// Waiter i pops from the head (BLPOP) or the tail (BRPOP) of what
	// the ones before it left.
	left := push[2:]
	for i, w := range waiters {
		var want string
		if i%2 == 0 {
			want, left = left[0], left[1:]
		} else {
			want, left = left[len(left)-1], left[:len(left)-1]
		}
		if got := w.Read(); got != "[q "+want+"]" {
			t.Errorf("waiter %d got %q, want [q %s]", i, got, want)
		}
	}
}

// TestListBlockServeOrder: keys made ready by one transaction are served
// in the order they became ready, each to its waiters in order; a served
// BLMOVE's push serves the next waiter; BLMPOP takes its count; a BLMOVE
// whose destination turned into another type gets WRONGTYPE and moves
// nothing.
func TestListBlockServeOrder(t *testing.T) {
	s, path := newTestServer(t, Config{})
	ctl := dial(t, path)
	a := blockedOn(t, path, ctl, 1, "BLPOP", "k1", "k2", "0")
	b := blockedOn(t, path, ctl, 2, "BLPOP", "k2", "0")
	c := blockedOn(t, path, ctl, 3, "BRPOP", "k1", "0")
	run(t, ctl, []cmdCase{
		{[]string{"MULTI"}, "OK"},
		{[]string{"RPUSH", "k2", "x"}, "QUEUED"},
		{[]string{"RPUSH", "k1", "y"}, "QUEUED"},
		{[]string{"EXEC"}, "[1 1]"},
	})
	for _, tc := range []struct {
		w    *testConn
		want string
	}{{a, "[k2 x]"}, {c, "[k1 y]"}} {
		if got := tc.w.Read(); got != tc.want {
			t.Errorf("got %q, want %q", got, tc.want)
		}
	}
	if n := blockedClients(ctl); n != 1 {
		t.Fatalf("blocked_clients %d; want the waiter on k2 still blocked", n)
	}
	ctl.Do("RPUSH", "k2", "z")
	if got := b.Read(); got != "[k2 z]" {
		t.Errorf("the second waiter on k2 got %q", got)
	}

	// A chain: BLMOVE src -> dst serves a BLPOP on dst.
	mover := blockedOn(t, path, ctl, 1, "BLMOVE", "src", "dst", "RIGHT", "LEFT", "0")
	popper := blockedOn(t, path, ctl, 2, "BLPOP", "dst", "0")
	mpop := blockedOn(t, path, ctl, 3, "BLMPOP", "0", "2", "m1", "src", "LEFT", "COUNT", "3")
	if got := ctl.Do("RPUSH", "src", "a", "b", "c", "d", "e"); got != "5" {
		t.Fatalf("RPUSH: %q", got)
	}
	if got := mover.Read(); got != "e" {
		t.Errorf("BLMOVE got %q", got)
	}
	if got := popper.Read(); got != "[dst e]" {
		t.Errorf("BLPOP on the destination got %q", got)
	}
	if got := mpop.Read(); got != "[src [a b c]]" {
		t.Errorf("BLMPOP got %q", got)
	}
	run(t, ctl, []cmdCase{
		{[]string{"LRANGE", "src", "0", "-1"}, "[d]"},
		{[]string{"EXISTS", "dst"}, "0"},
	})

	// The destination's type is checked when the waiter is served.
	wrong := blockedOn(t, path, ctl, 1, "BRPOPLPUSH", "s2", "str", "0")
	ctl.Do("SET", "str", "v")
	ctl.Do("RPUSH", "s2", "x")
	if got := wrong.Read(); got != "WRONGTYPE Operation against a key holding the wrong kind of value" {
		t.Errorf("BRPOPLPUSH onto a string: %q", got)
	}
	run(t, ctl, []cmdCase{{[]string{"LRANGE", "s2", "0", "-1"}, "[x]"}})
	checkDBInvariants(t, s)
}

// TestListBlockTimeout: each blocking command's timeout reply, after its
// timeout and not before; inside MULTI, at once.
func TestListBlockTimeout(t *testing.T) {
	_, path := newTestServer(t, Config{})
	tc := dial(t, path)
	for _, args := range [][]string{
		{"BLPOP", "nokey", "0.05"},
		{"BRPOP", "nokey", "nokey2", "0.05"},
		{"BLMOVE", "nokey", "d", "LEFT", "LEFT", "0.05"},
		{"BRPOPLPUSH", "nokey", "d", "0.05"},
		{"BLMPOP", "0.05", "1", "nokey", "LEFT"},
	} {
		start := time.Now()
		tc.Send(args...)
		if got := tc.ReadRawReply(); got != "*-1\r\n" {
			t.Errorf("%v: %q", args, got)
		}
		if d := time.Since(start); d < 50*time.Millisecond {
			t.Errorf("%v answered after %v", args, d)
		}
	}
	tc.Do("MULTI")
	for _, args := range [][]string{
		{"BLPOP", "nokey", "0"},
		{"BRPOP", "nokey", "0"},
		{"BLMOVE", "nokey", "d", "LEFT", "LEFT", "0"},
		{"BRPOPLPUSH", "nokey", "d", "0"},
		{"BLMPOP", "0", "1", "nokey", "LEFT"},
	} {
		tc.Do(args...)
	}
	tc.Send("EXEC")
	if got := tc.ReadRawReply(); got != "*5\r\n*-1\r\n*-1\r\n$-1\r\n$-1\r\n*-1\r\n" {
		t.Errorf("EXEC: %q", got)
	}
}

// TestListBlockGoneWaiter: a waiter killed or hung up while blocked never
// receives an element, nor does a BLMOVE of one move anything; the next
// waiter gets it.
func TestListBlockGoneWaiter(t *testing.T) {
	_, path := newTestServer(t, Config{})
	ctl := dial(t, path)
	killed := dial(t, path)
	id := killed.Do("CLIENT", "ID")
	killed.Send("BLPOP", "q", "0")
	waitFor(t, func() bool { return blockedClients(ctl) == 1 })
	gone := blockedOn(t, path, ctl, 2, "BLMOVE", "q", "d", "LEFT", "LEFT", "0")
	live := blockedOn(t, path, ctl, 3, "BLPOP", "q", "0")
	if got := ctl.Do("CLIENT", "KILL", "ID", id); got != "1" {
		t.Fatalf("CLIENT KILL: %q", got)
	}
	gone.c.Close()
	if got := ctl.Do("RPUSH", "q", "x", "y"); got != "2" {
		t.Fatalf("RPUSH: %q", got)
	}
	if got := live.Read(); got != "[q x]" {
		t.Errorf("the live waiter got %q", got)
	}
	run(t, ctl, []cmdCase{
		{[]string{"LRANGE", "q", "0", "-1"}, "[y]"},
		{[]string{"EXISTS", "d"}, "0"},
	})
	if data, closed := killed.ReadRaw(100 * time.Millisecond); data != "" || !closed {
		t.Errorf("the killed client read %q (closed %v)", data, closed)
	}
}
