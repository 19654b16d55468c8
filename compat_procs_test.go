package remoted_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// Multi-process tests: the test binary re-executes itself as worker
// processes (TestMain runs the role named in workerEnv and exits), each a
// separate OS process with its own connection to the server under test.

const (
	workerEnv     = "REMOTED_TEST_WORKER" // role: lock-rmw, incr, hold, lock-wait, wq-producer, wq-consumer
	workerSockEnv = "REMOTED_TEST_SOCK"
	workerNEnv    = "REMOTED_TEST_N"
)

// runWorker runs a worker role and returns the process exit code.
func runWorker(role string) int {
	ctx := context.Background()
	n, _ := strconv.Atoi(os.Getenv(workerNEnv))
	rdb := redis.NewClient(&redis.Options{Network: "unix", Addr: os.Getenv(workerSockEnv),
		Protocol: 2, DisableIdentity: true, MaxRetries: -1, ReadTimeout: -1}) // LOCK blocks
	defer rdb.Close()
	conn := rdb.Conn() // a lock belongs to one connection
	defer conn.Close()
	var err error
	switch role {
	case "lock-rmw":
		err = lockedIncrements(ctx, conn, n)
	case "incr":
		for i := 0; i < n && err == nil; i++ {
			err = conn.Incr(ctx, "counter").Err()
		}
	case "wq-producer":
		err = wqProduce(ctx, conn, os.Getenv(workerIDEnv), n)
	case "wq-consumer":
		err = wqConsume(ctx, conn, os.Getenv(workerIDEnv))
	case "hold", "lock-wait":
		// hold: take the share-wide lock, say so, and never let go;
		// lock-wait: queue for it, to be killed while waiting.
		if role == "lock-wait" {
			fmt.Println("waiting")
		}
		if err = conn.Do(ctx, "LOCK").Err(); err == nil {
			fmt.Println("locked")
			select {}
		}
	default:
		err = fmt.Errorf("unknown role %q", role)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "worker:", err)
		return 1
	}
	return 0
}

// lockedIncrements does n read-modify-write increments of "counter", each
// under the share-wide lock: a lost update would show in the total.
func lockedIncrements(ctx context.Context, conn *redis.Conn, n int) error {
	for range n {
		if err := conn.Do(ctx, "LOCK").Err(); err != nil {
			return err
		}
		v, err := conn.Get(ctx, "counter").Int()
		if err != nil && !errors.Is(err, redis.Nil) {
			return err
		}
		if err := conn.Set(ctx, "counter", v+1, 0).Err(); err != nil {
			return err
		}
		if err := conn.Do(ctx, "UNLOCK").Err(); err != nil {
			return err
		}
	}
	return nil
}

// worker is a started worker process.
type worker struct {
	cmd    *exec.Cmd
	lines  chan string // its stdout, line by line
	exited chan error
}

// startWorker starts the test binary as a worker with the given role and
// n, and env (NAME=value) added to its environment.
func startWorker(t *testing.T, sock, role string, n int, env ...string) *worker {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), workerEnv+"="+role, workerSockEnv+"="+sock, workerNEnv+"="+strconv.Itoa(n))
	cmd.Env = append(cmd.Env, env...)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w := &worker{cmd: cmd, lines: make(chan string, 16), exited: make(chan error, 1)}
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			w.lines <- sc.Text()
		}
		close(w.lines)
		w.exited <- cmd.Wait()
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
	})
	return w
}

// expectLine waits for the worker to print want.
func (w *worker) expectLine(t *testing.T, want string) {
	t.Helper()
	select {
	case line := <-w.lines:
		if line != want {
			t.Fatalf("worker printed %q, want %q", line, want)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("worker never printed %q", want)
	}
}

// waitAll waits for the workers to exit and fails on any non-zero exit.
func waitAll(t *testing.T, ws []*worker) {
	t.Helper()
	for i, w := range ws {
		select {
		case err := <-w.exited:
			if err != nil {
				t.Errorf("worker %d: %v", i, err)
			}
		case <-time.After(5 * time.Minute):
			t.Fatalf("worker %d did not finish", i)
		}
	}
}

func counter(t *testing.T, rdb *redis.Client) int {
	t.Helper()
	v, err := rdb.Get(context.Background(), "counter").Int()
	if err != nil {
		t.Fatalf("GET counter: %v", err)
	}
	return v
}

func startWorkers(t *testing.T, sock, role string, procs, n int) []*worker {
	ws := make([]*worker, procs)
	for i := range ws {
		ws[i] = startWorker(t, sock, role, n)
	}
	return ws
}

// TestProcsLockedIncrements: 50 processes each do 200 read-modify-write
// increments under the share-wide lock; none is lost.
func TestProcsLockedIncrements(t *testing.T) {
	srv := startRemoted(t)
	waitAll(t, startWorkers(t, srv.UnixPath, "lock-rmw", 50, 200))
	if got := counter(t, srv.client(t)); got != 10000 {
		t.Errorf("counter = %d, want 10000", got)
	}
}

// TestProcsIncr: the same count with INCR and no lock.
func TestProcsIncr(t *testing.T) {
	srv := startRemoted(t)
	waitAll(t, startWorkers(t, srv.UnixPath, "incr", 50, 200))
	if got := counter(t, srv.client(t)); got != 10000 {
		t.Errorf("counter = %d, want 10000", got)
	}
}

// TestProcsHolderKilled: a process SIGKILLed while holding the share-wide
// lock frees it, and the processes waiting behind it finish.
func TestProcsHolderKilled(t *testing.T) {
	srv := startRemoted(t)
	holder := startWorker(t, srv.UnixPath, "hold", 0)
	holder.expectLine(t, "locked")
	ws := startWorkers(t, srv.UnixPath, "lock-rmw", 10, 50)
	rdb := srv.client(t)
	waitLocks(t, rdb, func(s string) bool { return strings.Contains(s, "waiters:10") })
	holder.cmd.Process.Signal(syscall.SIGKILL)
	waitAll(t, ws)
	if got := counter(t, rdb); got != 500 {
		t.Errorf("counter = %d, want 500", got)
	}
}

// TestProcsWaiterKilled: a process SIGKILLed while waiting for the lock
// leaves the queue and is never granted it.
func TestProcsWaiterKilled(t *testing.T) {
	srv := startRemoted(t)
	rdb := srv.client(t)
	ctx := context.Background()
	holder := rdb.Conn()
	defer holder.Close()
	if err := holder.Do(ctx, "LOCK").Err(); err != nil {
		t.Fatal(err)
	}
	w := startWorker(t, srv.UnixPath, "lock-wait", 0)
	w.expectLine(t, "waiting")
	waitLocks(t, rdb, func(s string) bool { return strings.Contains(s, "waiters:1]") })
	w.cmd.Process.Signal(syscall.SIGKILL)
	<-w.exited
	waitLocks(t, rdb, func(s string) bool { return strings.Contains(s, "waiters:0]") })
	if err := holder.Do(ctx, "UNLOCK").Err(); err != nil {
		t.Fatal(err)
	}
	waitLocks(t, rdb, func(s string) bool { return s == "[]" })
	ws := startWorkers(t, srv.UnixPath, "lock-rmw", 5, 20)
	waitAll(t, ws)
	if got := counter(t, rdb); got != 100 {
		t.Errorf("counter = %d, want 100", got)
	}
}

// client returns a go-redis client on the server's socket.
func (s *testServer) client(t *testing.T) *redis.Client {
	t.Helper()
	rdb := redis.NewClient(&redis.Options{Network: "unix", Addr: s.UnixPath, Password: s.Password})
	t.Cleanup(func() { rdb.Close() })
	return rdb
}

// waitLocks polls LOCKS (rendered with fmt) until ok accepts it.
func waitLocks(t *testing.T, rdb *redis.Client, ok func(string) bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		v, err := rdb.Do(context.Background(), "LOCKS").Result()
		if err != nil {
			t.Fatal(err)
		}
		s := fmt.Sprint(v)
		if ok(s) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("LOCKS never reached the expected state; last %s", s)
		}
		time.Sleep(5 * time.Millisecond) // polling the server's own report
	}
}
