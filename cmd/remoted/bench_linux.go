package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"golang.org/x/sys/unix"
)

// benchFlags are remoted bench's options.
type benchFlags struct {
	requests   int
	repeat     int
	tests      string
	cpuprofile string
	redis      string
	benchmark  string
	only       string
	pin        bool
	self       bool
	redisSelf  bool
}

// benchCell is one configuration both servers are measured in.
type benchCell struct {
	transport string // "unix" or "tcp"
	clients   int
	pipeline  int
}

func (c benchCell) String() string {
	return fmt.Sprintf("%s/%d/%d", c.transport, c.clients, c.pipeline)
}

var benchCells = []benchCell{
	{"unix", 50, 1}, {"unix", 50, 16}, {"unix", 1, 1},
	{"tcp", 50, 1}, {"tcp", 50, 16}, {"tcp", 1, 1},
}

// bench ("remoted bench", or "remoted bench locks" for benchLocks) starts
// remoted and redis-server side by side and runs redis-benchmark against
// both in every cell, alternating, and alternating which goes first. It
// prints each server's median requests per second and the median of the
// ratios remoted/redis of back-to-back runs, with a confidence interval
// for it (medianCI). With -pin redis-benchmark runs on the first CPU and
// both servers on the others; with -self a second remoted stands in for
// redis-server, which shows how far the machine and redis-benchmark alone
// move a ratio, and -redis-self shows the same for two redis-servers.
func bench(args []string) error {
	if len(args) > 0 {
		switch args[0] {
		case "locks":
			return benchLocks(args[1:])
		case "procs":
			return benchProcs(args[1:])
		}
	}
	f := benchFlags{}
	fs := newFlagSet("bench", `Start remoted and redis-server side by side and run redis-benchmark against
both in every cell (transport, clients, pipeline), alternating which goes
first. Print each server's median requests per second and the median of the
ratios remoted/redis of back-to-back runs, with a confidence interval.`)
	fs.IntVar(&f.requests, "n", 200000, "requests per run (a tenth for one client)")
	fs.IntVar(&f.repeat, "repeat", 6, "runs per cell and server; the medians are reported")
	fs.StringVar(&f.tests, "t", "set,get", `redis-benchmark tests, or "types": `+typeTests)
	fs.StringVar(&f.cpuprofile, "cpuprofile", "", "write remoted's CPU profile here")
	fs.StringVar(&f.redis, "redis-server", "redis-server", "redis-server binary")
	fs.StringVar(&f.benchmark, "redis-benchmark", "redis-benchmark", "redis-benchmark binary")
	fs.StringVar(&f.only, "only", "", "run only the cells transport/clients/pipeline names, whole parts from the left: unix, unix/50 or unix/50/1")
	fs.BoolVar(&f.pin, "pin", false, "run redis-benchmark on the first CPU and both servers on the others")
	fs.BoolVar(&f.self, "self", false, "measure against a second remoted instead of redis-server: the ratios then show the noise of the machine and the client")
	fs.BoolVar(&f.redisSelf, "redis-self", false, "measure redis-server against a second redis-server, no remoted: the same noise, for Redis itself")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	if f.tests == "types" {
		f.tests = typeTests
	}
	if f.redisSelf && (f.self || f.cpuprofile != "") {
		return errors.New("bench: -redis-self runs no remoted: it goes with neither -self nor -cpuprofile")
	}
	var pins benchPins
	if f.pin {
		var err error
		if pins, err = splitCPUs(); err != nil {
			return err
		}
	}
	first, second := "", f.redis // "": a remoted
	switch {
	case f.self:
		second = ""
	case f.redisSelf:
		first = f.redis
	}
	rd, rs, stop, err := startBenchPair(f.cpuprofile, first, second, pins.servers)
	if err != nil {
		return err
	}
	defer stop()

	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	// "client cpu" is redis-benchmark's own CPU over its run against each
	// server: near 100%, its one thread is the bottleneck and the cell
	// measures the client more than the server. "server µs/req" is each
	// server's CPU (user and system, from /proc) per request: where the
	// client is the bound, that and not the rps ranks the servers.
	// "ratio" is the median of the pair ratios, "interval" a confidence
	// interval for it, with its confidence "conf" (see medianCI). "bound"
	// says "client" where redis-benchmark used a whole core against both
	// servers (clientBound): there both rps figures are the client's
	// ceiling, and the ratio cannot rank the servers.
	fmt.Fprintf(tw, "transport\tclients\tpipeline\ttest\t%[1]s rps\t%[2]s rps\tratio\tinterval\tconf\tclient cpu (%[1]s/%[2]s)\tbound\tserver µs/req (%[1]s/%[2]s)\t\n", rd.name, rs.name)
	for _, cell := range benchCells {
		if name := cell.String(); f.only != "" && name != f.only && !strings.HasPrefix(name, f.only+"/") {
			continue
		}
		n := f.requests
		if cell.clients == 1 {
			n /= 10
		}
		for _, test := range strings.Split(f.tests, ",") {
			var m cellMeasures
			for i := range f.repeat {
				// Who runs first alternates, so that neither server always
				// follows the other (a warm cache, a socket still closing).
				order := []*benchServer{rd, rs}
				if i%2 == 1 {
					order = []*benchServer{rs, rd}
				}
				got := map[*benchServer]float64{}
				for _, srv := range order {
					r, err := runBenchmark(f.benchmark, srv, cell, n, test, pins.client)
					if err != nil {
						return err
					}
					got[srv] = r.rps
					m.add(srv == rd, r)
				}
				// The ratio is taken within each pair of back-to-back
				// runs, so a slow spell of the machine's weighs on both
				// sides of it.
				m.ratios = append(m.ratios, got[rd]/got[rs])
			}
			cpuA, cpuB := median(m.client[0]), median(m.client[1])
			bound := "-"
			if cpuA >= clientBound && cpuB >= clientBound {
				bound = "client"
			}
			lo, hi, cover := medianCI(m.ratios)
			fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%.0f\t%.0f\t%.2f\t%.2f-%.2f\t%.0f%%\t%.0f%%/%.0f%%\t%s\t%.2f/%.2f\t\n",
				cell.transport, cell.clients, cell.pipeline, strings.ToUpper(test),
				median(m.rps[0]), median(m.rps[1]),
				median(m.ratios), lo, hi, 100*cover,
				100*cpuA, 100*cpuB, bound, median(m.server[0]), median(m.server[1]))
		}
	}
	return tw.Flush()
}

// typeTests are redis-benchmark's tests of the data types other than
// strings (and MSET), which "-t types" runs.
const typeTests = "lpush,rpush,lpop,rpop,sadd,hset,spop,zadd,zpopmin,lrange_100,lrange_600,mset"

// cellMeasures gathers one test's runs in a cell, per server (0: the
// first, 1: the second).
type cellMeasures struct {
	rps, client, server [2][]float64
	ratios              []float64
}

func (m *cellMeasures) add(first bool, r benchRun) {
	i := 1
	if first {
		i = 0
	}
	m.rps[i] = append(m.rps[i], r.rps)
	m.client[i] = append(m.client[i], r.clientBusy)
	m.server[i] = append(m.server[i], r.serverUsPerReq)
}

// clientBound is the share of a core redis-benchmark's one thread uses
// when it, not the server, limits a run. Its figure counts the whole
// process's life, connecting included: the unpipelined 50-client cells,
// where it never waits for a server, read 96-99% against both; one client
// reads 44-65%, and the pipelined cells 65-95%, the most against the
// faster server. A cell is marked only when both sides reach it.
const clientBound = 0.95

// startBenchPair starts two servers side by side in a temp dir: the first
// and the second, each a redis-server binary or "" for a remoted, which
// writes cpuprofile if given. They are named remoted or redis, with "-2"
// for the second of a kind. stop stops both and removes the dir. cpus, if
// not nil, is where both run.
func startBenchPair(cpuprofile, first, second string, cpus *unix.CPUSet) (rd, rs *benchServer, stop func(), err error) {
	dir, err := os.MkdirTemp("", "remoted-bench-")
	if err != nil {
		return nil, nil, nil, err
	}
	ctx := context.Background()
	start := func(redisBin, suffix, cpuprofile string) (*benchServer, error) {
		if redisBin == "" {
			return startBenchRemoted(ctx, dir, "remoted"+suffix, cpuprofile, cpus)
		}
		return startBenchRedis(ctx, dir, redisBin, "redis"+suffix, cpus)
	}
	if rd, err = start(first, "", cpuprofile); err != nil {
		os.RemoveAll(dir)
		return nil, nil, nil, err
	}
	suffix := ""
	if (first == "") == (second == "") {
		suffix = "-2"
	}
	if rs, err = start(second, suffix, ""); err != nil {
		rd.stop()
		os.RemoveAll(dir)
		return nil, nil, nil, err
	}
	return rd, rs, func() { rs.stop(); rd.stop(); os.RemoveAll(dir) }, nil
}

// median is the sample median: the middle value, or the mean of the two
// middle values of an even count.
func median(xs []float64) float64 {
	n := len(xs)
	if n == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if n%2 == 0 {
		return (s[n/2-1] + s[n/2]) / 2
	}
	return s[n/2]
}

// medianCI is a confidence interval for the median of the distribution xs
// were drawn from, independently, with its confidence: the narrowest pair
// of order statistics x(k+1), x(n-k) that holds the median with
// probability at least 95%. It needs no assumption about the distribution,
// only that each draw falls below the median with probability 1/2 (the
// sign test's interval). The median lies outside the sample's range only
// if all n draws fall on one side of it, with probability 2/2^n: 6 draws
// give 97%, 5 draws 94% (the widest interval there is, returned when none
// reaches 95%).
func medianCI(xs []float64) (lo, hi, cover float64) {
	n := len(xs)
	if n == 0 {
		return 0, 0, 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	// tail(k) is P(at most k of n draws fall below the median) = P(B <= k)
	// for B ~ Binomial(n, 1/2).
	tail := func(k int) float64 {
		p, c := 0.0, 1.0 // c = n choose i
		for i := 0; i <= k; i++ {
			p += c
			c = c * float64(n-i) / float64(i+1)
		}
		return p / math.Pow(2, float64(n))
	}
	k := 0
	for k+1 <= (n-1)/2 && 1-2*tail(k+1) >= 0.95 {
		k++
	}
	return s[k], s[n-1-k], max(0, 1-2*tail(k))
}

// benchServer is a server under test, reachable on a socket and a port.
type benchServer struct {
	name string
	sock string
	port int
	cmd  *exec.Cmd
}

func (s *benchServer) stop() {
	s.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		s.cmd.Process.Kill()
		<-done
	}
}

// startBenchRemoted runs this binary's serve on a temp socket and a free
// port, learning the port from its "listening" log line.
func startBenchRemoted(ctx context.Context, dir, name, cpuprofile string, cpus *unix.CPUSet) (*benchServer, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	sock := filepath.Join(dir, name+".sock")
	// A loopback port without a password: the benchmark's own temporary
	// server, gone when it ends.
	args := []string{"serve", "--unix", sock, "--port", "0", "--protected-mode", "no", "--log-level", "info"}
	if cpuprofile != "" {
		args = append(args, "--cpuprofile", cpuprofile)
	}
	cmd := exec.CommandContext(ctx, exe, args...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := startOn(cmd, cpus); err != nil {
		return nil, fmt.Errorf("bench: start remoted: %w", err)
	}
	port, err := scanListeningPort(stderr)
	if err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		return nil, fmt.Errorf("bench: remoted: %w", err)
	}
	return &benchServer{name: name, sock: sock, port: port, cmd: cmd}, nil
}

// scanListeningPort reads slog lines until the TCP listening line, then
// keeps draining the stream in the background.
func scanListeningPort(r io.Reader) (int, error) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		if !strings.Contains(line, "msg=listening network=tcp") {
			continue
		}
		_, addr, _ := strings.Cut(line, "addr=")
		_, p, err := net.SplitHostPort(strings.Fields(addr)[0])
		if err != nil {
			return 0, err
		}
		go io.Copy(io.Discard, r)
		return strconv.Atoi(p)
	}
	return 0, errors.New("exited before listening")
}

// startBenchRedis runs redis-server without persistence on a temp socket
// and a free port, and waits until it answers.
func startBenchRedis(ctx context.Context, dir, bin, name string, cpus *unix.CPUSet) (*benchServer, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	sock := filepath.Join(dir, name+".sock")
	cmd := exec.CommandContext(ctx, bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--unixsocket", sock, "--save", "", "--appendonly", "no", "--dir", dir)
	if err := startOn(cmd, cpus); err != nil {
		return nil, fmt.Errorf("bench: start redis-server: %w", err)
	}
	s := &benchServer{name: name, sock: sock, port: port, cmd: cmd}
	deadline := time.Now().Add(10 * time.Second)
	for {
		if c, err := net.Dial("unix", sock); err == nil {
			c.Close()
			return s, nil
		}
		if time.Now().After(deadline) {
			s.stop()
			return nil, errors.New("bench: redis-server did not start")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// benchRun is what one redis-benchmark run of one test measured: the
// requests per second, the share of one CPU redis-benchmark used over its
// run, and the server's CPU per request in µs.
type benchRun struct {
	rps, clientBusy, serverUsPerReq float64
}

// runBenchmark runs redis-benchmark's test once (on cpus, if not nil).
// Some tests first fill a key with a test of their own (LRANGE_100 with
// LPUSH): the server's CPU then counts both, per request of the test.
func runBenchmark(bin string, s *benchServer, cell benchCell, n int, test string, cpus *unix.CPUSet) (benchRun, error) {
	args := []string{"-c", strconv.Itoa(cell.clients), "-P", strconv.Itoa(cell.pipeline),
		"-n", strconv.Itoa(n), "-t", test, "--csv"}
	if cell.transport == "unix" {
		args = append(args, "-s", s.sock)
	} else {
		args = append(args, "-h", "127.0.0.1", "-p", strconv.Itoa(s.port))
	}
	cmd := exec.Command(bin, args...)
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	cpu0, err := procCPU(s.cmd.Process.Pid)
	if err != nil {
		return benchRun{}, err
	}
	start := time.Now()
	err = startOn(cmd, cpus)
	if err == nil {
		err = cmd.Wait()
	}
	if err != nil {
		return benchRun{}, fmt.Errorf("bench: redis-benchmark %v: %w: %s", args, err, bytes.TrimSpace(stderr.Bytes()))
	}
	cpu1, err := procCPU(s.cmd.Process.Pid)
	if err != nil {
		return benchRun{}, err
	}
	ps := cmd.ProcessState
	r := benchRun{
		clientBusy:     (ps.UserTime() + ps.SystemTime()).Seconds() / time.Since(start).Seconds(),
		serverUsPerReq: float64((cpu1 - cpu0).Microseconds()) / float64(n),
	}
	recs, err := csv.NewReader(&out).ReadAll()
	if err != nil {
		return benchRun{}, fmt.Errorf("bench: redis-benchmark output %q: %w", out.String(), err)
	}
	// The test's row is named after it ("LRANGE_100 (first 100
	// elements)", "MSET (10 keys)"); a filling test has a row of its own.
	name := strings.ToUpper(test)
	for _, rec := range recs {
		if len(rec) >= 2 && (rec[0] == name || strings.HasPrefix(rec[0], name+" ")) {
			if r.rps, err = strconv.ParseFloat(rec[1], 64); err == nil {
				return r, nil
			}
		}
	}
	return benchRun{}, fmt.Errorf("bench: no result for %s in redis-benchmark's output %q", name, out.String())
}

// procCPU is the CPU process pid has used so far, user and system, from
// /proc/pid/stat (in clock ticks of 10 ms: a run of a few seconds gives
// the figure to a few per cent).
func procCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name, in parentheses, may hold spaces: count fields
	// after its closing one (utime and stime are fields 14 and 15).
	i := bytes.LastIndexByte(b, ')')
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0, fmt.Errorf("bench: /proc/%d/stat: %q", pid, b)
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("bench: /proc/%d/stat: %q", pid, b)
	}
	const tick = 10 * time.Millisecond // USER_HZ, 100 on Linux
	return time.Duration(utime+stime) * tick, nil
}

// benchPins are the CPUs -pin puts the client and the servers on.
type benchPins struct {
	client, servers *unix.CPUSet
}

// splitCPUs gives the client the first CPU this process may run on and
// the servers all the others.
func splitCPUs() (benchPins, error) {
	var all unix.CPUSet
	if err := unix.SchedGetaffinity(0, &all); err != nil {
		return benchPins{}, fmt.Errorf("bench: -pin: %w", err)
	}
	if all.Count() < 2 {
		return benchPins{}, errors.New("bench: -pin needs two CPUs")
	}
	client, servers := new(unix.CPUSet), new(unix.CPUSet)
	*servers = all
	for cpu := 0; ; cpu++ {
		if all.IsSet(cpu) {
			client.Set(cpu)
			servers.Clear(cpu)
			return benchPins{client, servers}, nil
		}
	}
}

// startOn starts cmd on the CPUs in cpus (nil: wherever this process
// runs). A child inherits the CPU affinity of the thread that forks it, so
// the fork happens on a thread locked to a goroutine that pins it first
// and ends without unlocking it, which ends the thread too.
func startOn(cmd *exec.Cmd, cpus *unix.CPUSet) error {
	if cpus == nil {
		return cmd.Start()
	}
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		if err := unix.SchedSetaffinity(0, cpus); err != nil {
			errc <- err
			return
		}
		errc <- cmd.Start()
	}()
	return <-errc
}
