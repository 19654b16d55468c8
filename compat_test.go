// Black-box compatibility tests: the built remoted binary against real
// clients (go-redis, redis-cli, redis-py, node-redis, ioredis) and, reply for
// reply, against a real redis-server.
//
// Environment:
//
//   - CI=true: a missing redis-server, redis-cli, /usr/bin/python3 with the
//     redis module, node, or testdata/node/node_modules is a test FAILURE.
//     Without it such tests are skipped with a message. `make deps` installs
//     all of them.
//   - REMOTED_COMPAT_BINARY=/path/to/remoted: test that binary instead of
//     building ./cmd/remoted (once per test binary run, into a temporary
//     directory removed by TestMain).
//   - COMPAT_SELFTEST=1: harness self-test. Every "remoted" these tests start
//     is a second real redis-server instead, so the differential test
//     compares redis with redis. That validates the harness, the RESP reader
//     and the allow-list without a remoted binary:
//     COMPAT_SELFTEST=1 go test -run . -v .
//   - COMPAT_VERBOSE=1: log every differential command line with both raw
//     replies, also when they agree.
//
// The reference redis-server is started with --databases 1 because remoted
// has one database: SELECT 1 and COPY ... DB 1 then fail the same way on
// both.
package remoted_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

const (
	envSelftest = "COMPAT_SELFTEST"
	envBinary   = "REMOTED_COMPAT_BINARY"
	envVerbose  = "COMPAT_VERBOSE"

	startTimeout = 30 * time.Second // a server must be ready within this
	stopTimeout  = 20 * time.Second // and gone this long after SIGTERM
	replyTimeout = 10 * time.Second // one reply in the differential test
)

var (
	tmpRoot string // removed by TestMain

	buildOnce sync.Once
	buildPath string
	buildErr  error
)

func TestMain(m *testing.M) {
	if role := os.Getenv(workerEnv); role != "" {
		os.Exit(runWorker(role)) // a worker process of compat_procs_test.go
	}
	dir, err := os.MkdirTemp("", "remoted-compat-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "compat: temp dir:", err)
		os.Exit(2)
	}
	tmpRoot = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func selftest() bool { return os.Getenv(envSelftest) != "" && os.Getenv(envSelftest) != "0" }

// ---------------------------------------------------------------------------
// Tools and skipping.

// missingDep fails the test under CI=true and skips it otherwise.
func missingDep(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s (CI=true: a missing test dependency is a failure; `make deps` installs it)", msg)
	}
	t.Skipf("%s: skipping (`make deps` installs it; under CI=true this is a failure)", msg)
}

// needTool returns the path of an executable from PATH, or fails/skips.
func needTool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		missingDep(t, "%s not found", name)
	}
	return p
}

// needPython returns /usr/bin/python3 once it imports the redis module.
func needPython(t testing.TB) string {
	t.Helper()
	const py = "/usr/bin/python3"
	if _, err := os.Stat(py); err != nil {
		missingDep(t, "%s not found", py)
	}
	if out, err := exec.Command(py, "-c", "import redis").CombinedOutput(); err != nil {
		missingDep(t, "%s cannot import redis (python3-redis): %v: %s", py, err, out)
	}
	return py
}

// ---------------------------------------------------------------------------
// Building and starting servers.

// raceEnabled reports whether this test binary was built with -race; the
// binary under test then is too, so the black-box tests find its races.
func raceEnabled() bool {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return false
	}
	for _, s := range bi.Settings {
		if s.Key == "-race" && s.Value == "true" {
			return true
		}
	}
	return false
}

// buildRemoted returns the path of the remoted binary under test: the one
// named by REMOTED_COMPAT_BINARY, or ./cmd/remoted built once per test
// binary run. A failed build fails the test.
func buildRemoted(t testing.TB) string {
	t.Helper()
	if p := os.Getenv(envBinary); p != "" {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("%s=%s: %v", envBinary, p, err)
		}
		return p
	}
	buildOnce.Do(func() {
		goTool, err := exec.LookPath("go")
		if err != nil {
			buildErr = fmt.Errorf("go tool not found: %w", err)
			return
		}
		out := filepath.Join(tmpRoot, "remoted")
		args := []string{"build", "-o", out}
		if raceEnabled() {
			args = append(args, "-race")
		}
		args = append(args, "./cmd/remoted")
		cmd := exec.Command(goTool, args...)
		if msg, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, msg)
			return
		}
		buildPath = out
	})
	if buildErr != nil {
		t.Fatalf("building remoted: %v", buildErr)
	}
	return buildPath
}

// testServer is a running server under test or reference server.
type testServer struct {
	Name     string // "remoted", or "redis-server"
	UnixPath string // unix socket path
	TCPAddr  string // host:port
	Password string // the --requirepass, if any
	proc     *proc
}

// proc is a child process whose output is collected line by line.
type proc struct {
	cmd     *exec.Cmd
	out     *lineLog
	exited  chan struct{} // closed once Wait returned
	waitErr error         // valid after exited
	stopped bool          // we sent SIGTERM
}

// lineLog is an io.Writer that keeps the output (its last 256 KiB) and
// calls onLine for each complete line.
type lineLog struct {
	mu     sync.Mutex
	buf    []byte
	part   []byte
	onLine func(string)
}

func (l *lineLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf = append(l.buf, p...)
	if n := len(l.buf); n > 256<<10 {
		l.buf = append(l.buf[:0], l.buf[n-(256<<10):]...)
	}
	l.part = append(l.part, p...)
	for {
		i := bytes.IndexByte(l.part, '\n')
		if i < 0 {
			break
		}
		line := strings.TrimRight(string(l.part[:i]), "\r")
		l.part = l.part[i+1:]
		if l.onLine != nil {
			l.onLine(line)
		}
	}
	return len(p), nil
}

func (l *lineLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return string(l.buf)
}

// shortTempDir returns a t.TempDir, or a shorter directory when the
// TempDir path would make a unix socket path too long (sun_path is 108).
func shortTempDir(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	if len(dir) < 80 {
		return dir
	}
	dir, err := os.MkdirTemp("", "rc")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// runProc starts cmd with stdout and stderr into one lineLog whose lines
// go to ready (called serially; it returns true once the process is
// ready). It waits for readiness and returns; if the process exits first
// it returns the proc with exited closed. Cleanup SIGTERMs it, waits, and
// when wantExit0 is set fails the test unless it exited with code 0.
func runProc(t testing.TB, name string, cmd *exec.Cmd, ready func(line string) bool, wantExit0 bool) *proc {
	t.Helper()
	readyc := make(chan struct{})
	var once sync.Once
	p := &proc{cmd: cmd, exited: make(chan struct{})}
	p.out = &lineLog{onLine: func(line string) {
		if ready(line) {
			once.Do(func() { close(readyc) })
		}
	}}
	cmd.Stdout = p.out
	cmd.Stderr = p.out
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", name, err)
	}
	go func() {
		p.waitErr = cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-p.exited:
			if !p.stopped && wantExit0 {
				t.Errorf("%s (pid %d) exited by itself before the test ended: %v", name, cmd.Process.Pid, p.waitErr)
			}
		default:
			p.stopped = true
			_ = cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-p.exited:
			case <-time.After(stopTimeout):
				_ = cmd.Process.Kill()
				<-p.exited
				t.Errorf("%s (pid %d) did not exit within %v of SIGTERM; killed", name, cmd.Process.Pid, stopTimeout)
			}
			if wantExit0 && p.waitErr != nil {
				t.Errorf("%s (pid %d) after SIGTERM: %v, want exit code 0", name, cmd.Process.Pid, p.waitErr)
			}
		}
		if t.Failed() {
			t.Logf("%s %q output (last 256 KiB):\n%s", name, cmd.Args, p.out.String())
		}
	})
	timer := time.NewTimer(startTimeout)
	defer timer.Stop()
	select {
	case <-readyc:
	case <-p.exited:
	case <-timer.C:
		t.Fatalf("%s %q not ready within %v; output:\n%s", name, cmd.Args, startTimeout, p.out.String())
	}
	return p
}

// listeningRE matches remoted's slog text line for one listener.
var listeningRE = regexp.MustCompile(`\bmsg=listening\b.*?\bnetwork=(\S+).*?\baddr=("(?:[^"\\]|\\.)*"|\S+)`)

// startRemoted starts the remoted under test (or, under COMPAT_SELFTEST, a
// redis-server) on a unix socket in a temp dir and a free TCP port on
// 127.0.0.1, with extra args such as "--requirepass", "pw". It returns once
// the server answers PING; cleanup SIGTERMs it and requires exit code 0.
func startRemoted(t testing.TB, args ...string) *testServer {
	t.Helper()
	password := ""
	for i := 0; i < len(args); i++ {
		if args[i] == "--requirepass" && i+1 < len(args) {
			password = args[i+1]
		}
	}
	if selftest() {
		var extra []string
		for i := 0; i < len(args); i++ {
			switch args[i] {
			case "--requirepass":
				extra = append(extra, "--requirepass", password)
				i++
			default:
				t.Fatalf("%s: no redis-server equivalent for remoted argument %q", envSelftest, args[i])
			}
		}
		return startRedis(t, extra...)
	}
	bin := buildRemoted(t)
	dir := shortTempDir(t)
	sock := filepath.Join(dir, "remoted.sock")
	argv := append([]string{"serve", "--unix", sock, "--port", "0", "--bind", "127.0.0.1"}, args...)
	cmd := exec.Command(bin, argv...)
	cmd.Dir = dir
	srv := &testServer{Name: "remoted", Password: password}
	var gotUnix, gotTCP bool
	p := runProc(t, "remoted", cmd, func(line string) bool {
		if gotUnix && gotTCP {
			return true // already ready: srv is the test's now
		}
		m := listeningRE.FindStringSubmatch(line)
		if m == nil {
			return false
		}
		addr := m[2]
		if strings.HasPrefix(addr, `"`) {
			if u, err := strconv.Unquote(addr); err == nil {
				addr = u
			}
		}
		switch m[1] {
		case "tcp", "tcp4", "tcp6":
			srv.TCPAddr, gotTCP = addr, true
		case "unix":
			srv.UnixPath, gotUnix = addr, true
		}
		return gotUnix && gotTCP
	}, true)
	select {
	case <-p.exited:
		t.Fatalf("remoted %q exited before listening: %v; output:\n%s", cmd.Args, p.waitErr, p.out.String())
	default:
	}
	srv.proc = p
	if srv.UnixPath != sock {
		t.Errorf("remoted logged unix listener %q, want %q", srv.UnixPath, sock)
	}
	if host, port, err := net.SplitHostPort(srv.TCPAddr); err != nil || host != "127.0.0.1" || port == "0" {
		t.Fatalf("remoted logged tcp listener %q, want 127.0.0.1:<port>", srv.TCPAddr)
	}
	waitPing(t, srv)
	return srv
}

// startRedis starts a real redis-server with the given extra arguments on a
// free TCP port on 127.0.0.1 and a unix socket in a temp dir, without
// persistence and with one database, and returns once it answers PING.
func startRedis(t testing.TB, extra ...string) *testServer {
	t.Helper()
	bin := needTool(t, "redis-server")
	password := ""
	for i := 0; i+1 < len(extra); i++ {
		if extra[i] == "--requirepass" {
			password = extra[i+1]
		}
	}
	dir := shortTempDir(t)
	sock := filepath.Join(dir, "redis.sock")
	// Redis has no "any free port": take one from the kernel and hand it
	// over; if somebody else grabs it meanwhile, redis exits and we retry.
	for attempt := 1; ; attempt++ {
		port := freePort(t)
		args := append([]string{
			"--port", strconv.Itoa(port), "--bind", "127.0.0.1",
			"--unixsocket", sock, "--unixsocketperm", "700",
			"--save", "", "--appendonly", "no", "--databases", "1",
			"--dir", dir, "--daemonize", "no", "--logfile", "",
		}, extra...)
		cmd := exec.Command(bin, args...)
		cmd.Dir = dir
		p := runProc(t, "redis-server", cmd, func(line string) bool {
			return strings.Contains(line, "Ready to accept connections")
		}, true)
		select {
		case <-p.exited:
			if attempt < 5 && strings.Contains(p.out.String(), "in use") {
				p.stopped = true // its cleanup must not complain
				continue
			}
			t.Fatalf("redis-server %q exited before it was ready: %v; output:\n%s", cmd.Args, p.waitErr, p.out.String())
		default:
		}
		srv := &testServer{Name: "redis-server", UnixPath: sock, TCPAddr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), Password: password, proc: p}
		waitPing(t, srv)
		return srv
	}
}

func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	return port
}

// waitPing checks that the server answers on both listeners (any complete
// reply counts: with a password PING answers NOAUTH).
func waitPing(t testing.TB, srv *testServer) {
	t.Helper()
	for _, na := range [][2]string{{"unix", srv.UnixPath}, {"tcp", srv.TCPAddr}} {
		c, err := net.DialTimeout(na[0], na[1], startTimeout)
		if err != nil {
			t.Fatalf("%s: dial %s %s: %v", srv.Name, na[0], na[1], err)
		}
		_ = c.SetDeadline(time.Now().Add(startTimeout))
		if _, err := c.Write([]byte("*1\r\n$4\r\nPING\r\n")); err != nil {
			t.Fatalf("%s: PING over %s: %v", srv.Name, na[0], err)
		}
		raw, _, err := readRESP(bufio.NewReader(c))
		c.Close()
		if err != nil {
			t.Fatalf("%s: PING over %s: %v (read %q)", srv.Name, na[0], err, raw)
		}
	}
}

// ---------------------------------------------------------------------------
// A raw RESP client.

// respValue is one parsed RESP2/RESP3 reply.
type respValue struct {
	Kind  byte         // the type byte: + - : $ * _ , # ! = ( % ~ >
	Str   string       // simple/bulk payload, or the line of : , # (
	Null  bool         // $-1, *-1 or _
	Elems []*respValue // aggregates; maps and attributes flattened k, v, k, v
	Attr  *respValue   // a RESP3 attribute (|) that preceded the value
}

func (v *respValue) isError() bool { return v != nil && (v.Kind == '-' || v.Kind == '!') }

// maxDepth bounds nesting in readRESP.
const maxDepth = 64

// readRESP reads exactly one complete reply (an attribute and the value it
// annotates count as one) and returns its raw bytes and its parse.
func readRESP(r *bufio.Reader) ([]byte, *respValue, error) {
	var raw bytes.Buffer
	v, err := readValue(r, &raw, 0)
	return raw.Bytes(), v, err
}

func readLine(r *bufio.Reader, raw *bytes.Buffer) (string, error) {
	line, err := r.ReadString('\n')
	raw.WriteString(line)
	if err != nil {
		return "", err
	}
	if !strings.HasSuffix(line, "\r\n") {
		return "", fmt.Errorf("line not terminated by CRLF: %q", line)
	}
	return line[:len(line)-2], nil
}

func readValue(r *bufio.Reader, raw *bytes.Buffer, depth int) (*respValue, error) {
	if depth > maxDepth {
		return nil, errors.New("reply nested too deep")
	}
	kind, err := r.ReadByte()
	if err != nil {
		return nil, err
	}
	raw.WriteByte(kind)
	line, err := readLine(r, raw)
	if err != nil {
		return nil, err
	}
	v := &respValue{Kind: kind}
	switch kind {
	case '+', '-':
		v.Str = line
	case ':', '(':
		v.Str = line
		if kind == ':' {
			if _, err := strconv.ParseInt(line, 10, 64); err != nil {
				return nil, fmt.Errorf("bad integer reply %q", line)
			}
		}
	case ',':
		v.Str = line
	case '#':
		if line != "t" && line != "f" {
			return nil, fmt.Errorf("bad boolean reply %q", line)
		}
		v.Str = line
	case '_':
		if line != "" {
			return nil, fmt.Errorf("bad null reply %q", line)
		}
		v.Null = true
	case '$', '!', '=':
		n, err := strconv.Atoi(line)
		if err != nil || n < -1 || (n == -1 && kind != '$') {
			return nil, fmt.Errorf("bad length %q for %q", line, kind)
		}
		if n == -1 {
			v.Null = true
			break
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(r, buf); err != nil {
			raw.Write(buf)
			return nil, err
		}
		raw.Write(buf)
		if buf[n] != '\r' || buf[n+1] != '\n' {
			return nil, fmt.Errorf("bulk of %d bytes not followed by CRLF: %q", n, buf)
		}
		v.Str = string(buf[:n])
		if kind == '=' && (n < 4 || v.Str[3] != ':') {
			return nil, fmt.Errorf("bad verbatim string %q", v.Str)
		}
	case '*', '~', '>', '%', '|':
		n, err := strconv.Atoi(line)
		if err != nil || n < -1 || (n == -1 && kind != '*') {
			return nil, fmt.Errorf("bad count %q for %q", line, kind)
		}
		if n == -1 {
			v.Null = true
			break
		}
		if kind == '%' || kind == '|' {
			n *= 2
		}
		for i := 0; i < n; i++ {
			e, err := readValue(r, raw, depth+1)
			if err != nil {
				return nil, err
			}
			v.Elems = append(v.Elems, e)
		}
		if kind == '|' {
			val, err := readValue(r, raw, depth+1)
			if err != nil {
				return nil, err
			}
			val.Attr = v
			return val, nil
		}
	default:
		return nil, fmt.Errorf("unknown reply type byte %q", kind)
	}
	return v, nil
}

// respConn is a connection that sends one command and reads one reply.
type respConn struct {
	c net.Conn
	r *bufio.Reader
}

func dialRESP(t testing.TB, network, addr string) *respConn {
	t.Helper()
	c, err := net.DialTimeout(network, addr, startTimeout)
	if err != nil {
		t.Fatalf("dial %s %s: %v", network, addr, err)
	}
	t.Cleanup(func() { c.Close() })
	return &respConn{c: c, r: bufio.NewReader(c)}
}

// encodeCommand renders args as a RESP multibulk.
func encodeCommand(args []string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	return b.Bytes()
}

// Do sends args as one multibulk and returns exactly one raw reply.
func (c *respConn) Do(args ...string) ([]byte, *respValue, error) {
	_ = c.c.SetDeadline(time.Now().Add(replyTimeout))
	if _, err := c.c.Write(encodeCommand(args)); err != nil {
		return nil, nil, err
	}
	return readRESP(c.r)
}

// splitArgs splits a command line as redis-cli does (sdssplitargs):
// "double quotes" with \n \r \t \b \a \\ \" \xHH escapes, 'single quotes'
// with \' only; a closing quote must be followed by a space or the end.
func splitArgs(line string) ([]string, error) {
	var args []string
	i := 0
	for {
		for i < len(line) && (line[i] == ' ' || line[i] == '\t' || line[i] == '\n' || line[i] == '\r') {
			i++
		}
		if i >= len(line) {
			return args, nil
		}
		var cur []byte
		inDQ, inSQ := false, false
		for done := false; !done; {
			if i >= len(line) {
				if inDQ || inSQ {
					return nil, fmt.Errorf("unbalanced quotes in %q", line)
				}
				break
			}
			ch := line[i]
			switch {
			case inDQ:
				switch {
				case ch == '\\' && i+3 < len(line) && line[i+1] == 'x' && isHex(line[i+2]) && isHex(line[i+3]):
					n, _ := strconv.ParseUint(line[i+2:i+4], 16, 8)
					cur = append(cur, byte(n))
					i += 3
				case ch == '\\' && i+1 < len(line):
					i++
					switch line[i] {
					case 'n':
						cur = append(cur, '\n')
					case 'r':
						cur = append(cur, '\r')
					case 't':
						cur = append(cur, '\t')
					case 'b':
						cur = append(cur, '\b')
					case 'a':
						cur = append(cur, '\a')
					default:
						cur = append(cur, line[i])
					}
				case ch == '"':
					if i+1 < len(line) && line[i+1] != ' ' {
						return nil, fmt.Errorf("closing quote not followed by space in %q", line)
					}
					done = true
				default:
					cur = append(cur, ch)
				}
			case inSQ:
				switch {
				case ch == '\\' && i+1 < len(line) && line[i+1] == '\'':
					i++
					cur = append(cur, '\'')
				case ch == '\'':
					if i+1 < len(line) && line[i+1] != ' ' {
						return nil, fmt.Errorf("closing quote not followed by space in %q", line)
					}
					done = true
				default:
					cur = append(cur, ch)
				}
			default:
				switch ch {
				case ' ', '\n', '\r', '\t':
					done = true
				case '"':
					inDQ = true
				case '\'':
					inSQ = true
				default:
					cur = append(cur, ch)
				}
			}
			if i < len(line) {
				i++
			}
		}
		args = append(args, string(cur))
	}
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

// ---------------------------------------------------------------------------
// Harness self-checks that need no server.

func TestRESPReader(t *testing.T) {
	cases := []struct {
		in   string
		kind byte
		n    int // elements (maps count k and v)
		null bool
	}{
		{"+OK\r\n", '+', 0, false},
		{"-ERR x\r\n", '-', 0, false},
		{":-12\r\n", ':', 0, false},
		{"$3\r\na\r\n\r\n", '$', 0, false},
		{"$0\r\n\r\n", '$', 0, false},
		{"$-1\r\n", '$', 0, true},
		{"*-1\r\n", '*', 0, true},
		{"*2\r\n$1\r\na\r\n*1\r\n:1\r\n", '*', 2, false},
		{"_\r\n", '_', 0, true},
		{",1.5\r\n", ',', 0, false},
		{",inf\r\n", ',', 0, false},
		{"#t\r\n", '#', 0, false},
		{"!5\r\nERR x\r\n", '!', 0, false},
		{"=7\r\ntxt:abc\r\n", '=', 0, false},
		{"(123456789012345678901234567890\r\n", '(', 0, false},
		{"%1\r\n+a\r\n:1\r\n", '%', 2, false},
		{"~2\r\n+a\r\n+b\r\n", '~', 2, false},
		{">2\r\n+message\r\n+x\r\n", '>', 2, false},
		{"|1\r\n+ttl\r\n:3\r\n+v\r\n", '+', 0, false},
	}
	for _, tc := range cases {
		t.Run(strconv.Quote(tc.in), func(t *testing.T) {
			raw, v, err := readRESP(bufio.NewReader(strings.NewReader(tc.in + "+next\r\n")))
			if err != nil {
				t.Fatalf("readRESP(%q): %v", tc.in, err)
			}
			if string(raw) != tc.in {
				t.Errorf("raw = %q, want %q", raw, tc.in)
			}
			if v.Kind != tc.kind || len(v.Elems) != tc.n || v.Null != tc.null {
				t.Errorf("parsed %q as kind %q, %d elems, null %v; want %q, %d, %v", tc.in, v.Kind, len(v.Elems), v.Null, tc.kind, tc.n, tc.null)
			}
		})
	}
	for _, bad := range []string{"?x\r\n", "$3\r\nabcde\r\n", ":x\r\n", "#x\r\n", "*1\r\n", "+OK\n", "_x\r\n", "=2\r\nab\r\n"} {
		if raw, _, err := readRESP(bufio.NewReader(strings.NewReader(bad))); err == nil {
			t.Errorf("readRESP(%q) accepted it as %q", bad, raw)
		}
	}
}

func TestSplitArgs(t *testing.T) {
	cases := []struct {
		in   string
		want []string
	}{
		{`SET k v`, []string{"SET", "k", "v"}},
		{`  SET   "a b"  'c d' `, []string{"SET", "a b", "c d"}},
		{`ECHO "\x00\xff\n\"" 'it\'s'`, []string{"ECHO", "\x00\xff\n\"", "it's"}},
		{`SET "" ''`, []string{"SET", "", ""}},
		{`KEYS h\*llo`, []string{"KEYS", `h\*llo`}},
	}
	for _, tc := range cases {
		got, err := splitArgs(tc.in)
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("splitArgs(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{`SET "a`, `SET 'a`, `SET "a"b`} {
		if got, err := splitArgs(bad); err == nil {
			t.Errorf("splitArgs(%q) = %q, want an error", bad, got)
		}
	}
}

// ---------------------------------------------------------------------------
// The differential test.

// cmpMode says how much of a reply the differential test compares.
type cmpMode int

const (
	cmpExact  cmpMode = iota // byte for byte
	cmpShape                 // same RESP types, nulls and element counts, recursively; payloads not compared
	cmpType                  // same top-level RESP type only
	cmpHello                 // HELLO: same keys; values equal except server, version, id
	cmpSorted                // aggregate: elements compared after sorting
	cmpScan                  // SCAN: [cursor, [keys]]: keys compared sorted when both cursors are 0, else only their types
	cmpIntTol                // integers within tol of each other
	cmpIgnore                // not compared at all
)

var cmpNames = map[cmpMode]string{cmpExact: "exact", cmpShape: "shape", cmpType: "type", cmpHello: "hello", cmpSorted: "sorted", cmpScan: "scan", cmpIntTol: "int±tol", cmpIgnore: "ignore"}

// allowRule relaxes the comparison for command lines starting with words.
type allowRule struct {
	words []string // leading command words, case-insensitive
	mode  cmpMode
	tol   int64
	why   string
}

// allowList is every relaxation the differential test makes; everything
// else is compared byte for byte. Error replies are always compared byte
// for byte, whatever the rule (except cmpIgnore).
var allowList = []allowRule{
	{[]string{"INFO"}, cmpType, 0, "INFO's contents are each server's own"},
	{[]string{"CLIENT", "LIST"}, cmpType, 0, "ids, ages, addresses and fds differ"},
	{[]string{"CLIENT", "INFO"}, cmpType, 0, "ids, ages, addresses and fds differ"},
	{[]string{"CLIENT", "ID"}, cmpShape, 0, "ids differ"},
	{[]string{"TIME"}, cmpShape, 0, "the clock moves"},
	{[]string{"HELLO"}, cmpHello, 0, "server, version and id differ"},
	{[]string{"COMMAND", "COUNT"}, cmpShape, 0, "remoted has fewer commands"},
	{[]string{"COMMAND", "DOCS"}, cmpType, 0, "remoted has fewer commands"},
	{[]string{"COMMAND", "LIST"}, cmpType, 0, "remoted has fewer commands"},
	{[]string{"RANDOMKEY"}, cmpShape, 0, "random when there is more than one key (null vs key still checked)"},
	{[]string{"SCAN"}, cmpScan, 0, "cursor values and order are the hash table's"},
	{[]string{"KEYS"}, cmpSorted, 0, "order is the hash table's"},
	{[]string{"TTL"}, cmpIntTol, 1, "a second may tick between the servers"},
	{[]string{"PTTL"}, cmpIntTol, 1000, "milliseconds pass between the servers"},
}

func ruleFor(args []string) allowRule {
	for _, r := range allowList {
		if len(args) < len(r.words) {
			continue
		}
		match := true
		for i, w := range r.words {
			if !strings.EqualFold(args[i], w) {
				match = false
				break
			}
		}
		if match {
			return r
		}
	}
	return allowRule{mode: cmpExact}
}

// compareReplies returns "" when a and b agree under rule, else why not.
func compareReplies(rule allowRule, rawA, rawB []byte, a, b *respValue) string {
	if rule.mode == cmpIgnore {
		return ""
	}
	if bytes.Equal(rawA, rawB) {
		return ""
	}
	if rule.mode == cmpExact || a.isError() || b.isError() {
		return "raw replies differ"
	}
	switch rule.mode {
	case cmpType:
		if a.Kind != b.Kind || a.Null != b.Null {
			return fmt.Sprintf("reply types differ: %q (null %v) vs %q (null %v)", a.Kind, a.Null, b.Kind, b.Null)
		}
		return ""
	case cmpShape:
		return sameShape(a, b, "reply")
	case cmpHello:
		ma, err := pairs(a)
		if err != "" {
			return err
		}
		mb, err := pairs(b)
		if err != "" {
			return err
		}
		if a.Kind != b.Kind {
			return fmt.Sprintf("HELLO reply types differ: %q vs %q", a.Kind, b.Kind)
		}
		var ka, kb []string
		for k := range ma {
			ka = append(ka, k)
		}
		for k := range mb {
			kb = append(kb, k)
		}
		slices.Sort(ka)
		slices.Sort(kb)
		if !slices.Equal(ka, kb) {
			return fmt.Sprintf("HELLO keys differ: %q vs %q", ka, kb)
		}
		for _, k := range ka {
			switch k {
			case "server", "version", "id":
				if why := sameShape(ma[k], mb[k], "HELLO "+k); why != "" {
					return why
				}
			default:
				if why := sameValue(ma[k], mb[k]); why != "" {
					return "HELLO " + k + ": " + why
				}
			}
		}
		return ""
	case cmpSorted:
		if a.Kind != b.Kind || a.Null != b.Null {
			return fmt.Sprintf("reply types differ: %q vs %q", a.Kind, b.Kind)
		}
		return sameSorted(a.Elems, b.Elems)
	case cmpScan:
		if a.Kind != '*' || b.Kind != '*' || len(a.Elems) != 2 || len(b.Elems) != 2 {
			return "SCAN reply is not a 2-element array"
		}
		if a.Elems[0].Kind != '$' || b.Elems[0].Kind != '$' {
			return "SCAN cursor is not a bulk string"
		}
		ea, eb := a.Elems[1], b.Elems[1]
		if ea.Kind != '*' || eb.Kind != '*' {
			return fmt.Sprintf("SCAN key lists are not arrays: %q vs %q", ea.Kind, eb.Kind)
		}
		for _, e := range append(slices.Clip(ea.Elems), eb.Elems...) {
			if e.Kind != '$' || e.Null {
				return "SCAN key list holds a non-bulk or null element: " + render(e)
			}
		}
		if a.Elems[0].Str != "0" || b.Elems[0].Str != "0" {
			// A partial iteration returns whichever keys the server's
			// table order gives: only a completed one is comparable.
			return ""
		}
		return sameSorted(ea.Elems, eb.Elems)
	case cmpIntTol:
		if a.Kind != ':' || b.Kind != ':' {
			return "not both integers"
		}
		x, _ := strconv.ParseInt(a.Str, 10, 64)
		y, _ := strconv.ParseInt(b.Str, 10, 64)
		if d := x - y; d > rule.tol || d < -rule.tol || (x < 0) != (y < 0) {
			return fmt.Sprintf("integers %d and %d differ by more than %d", x, y, rule.tol)
		}
		return ""
	}
	return "raw replies differ"
}

func sameShape(a, b *respValue, where string) string {
	if a.Kind != b.Kind || a.Null != b.Null || len(a.Elems) != len(b.Elems) {
		return fmt.Sprintf("%s shapes differ: type %q null %v %d elems vs type %q null %v %d elems", where, a.Kind, a.Null, len(a.Elems), b.Kind, b.Null, len(b.Elems))
	}
	for i := range a.Elems {
		if why := sameShape(a.Elems[i], b.Elems[i], fmt.Sprintf("%s[%d]", where, i)); why != "" {
			return why
		}
	}
	return ""
}

func sameValue(a, b *respValue) string {
	if a.Kind != b.Kind || a.Null != b.Null || a.Str != b.Str || len(a.Elems) != len(b.Elems) {
		return fmt.Sprintf("values differ: %s vs %s", render(a), render(b))
	}
	for i := range a.Elems {
		if why := sameValue(a.Elems[i], b.Elems[i]); why != "" {
			return why
		}
	}
	return ""
}

func sameSorted(a, b []*respValue) string {
	ra := make([]string, len(a))
	rb := make([]string, len(b))
	for i, v := range a {
		ra[i] = render(v)
	}
	for i, v := range b {
		rb[i] = render(v)
	}
	slices.Sort(ra)
	slices.Sort(rb)
	if !slices.Equal(ra, rb) {
		return fmt.Sprintf("sorted elements differ: %q vs %q", ra, rb)
	}
	return ""
}

// render is a compact one-line form of a value for messages and sorting.
func render(v *respValue) string {
	if v.Null {
		return string(v.Kind) + "null"
	}
	if len(v.Elems) > 0 || strings.ContainsRune("*~>%", rune(v.Kind)) {
		parts := make([]string, len(v.Elems))
		for i, e := range v.Elems {
			parts[i] = render(e)
		}
		return string(v.Kind) + "[" + strings.Join(parts, " ") + "]"
	}
	return string(v.Kind) + strconv.Quote(v.Str)
}

// pairs turns a HELLO reply (RESP3 map, RESP2 flat array) into a map.
func pairs(v *respValue) (map[string]*respValue, string) {
	if (v.Kind != '%' && v.Kind != '*') || len(v.Elems)%2 != 0 {
		return nil, fmt.Sprintf("not a map or flat key/value array: %s", render(v))
	}
	m := make(map[string]*respValue)
	for i := 0; i < len(v.Elems); i += 2 {
		m[v.Elems[i].Str] = v.Elems[i+1]
	}
	return m, ""
}

// diffScript is the command sequence of the differential test. It runs in
// order on one connection per server, once in RESP2 and once in RESP3, so
// later lines see the state earlier ones left; each starts from FLUSHALL.
// "{proto}" is replaced by the session's protocol version (2 or 3), so a
// successful HELLO never switches the session's protocol.
//
// Rules: only string values (remoted has no other type); no expiry short
// enough to pass during the run (expiries either far in the future, checked
// with TTL ±1 / PTTL ±1000, absolute ones fixed in 2100, or in the past so
// the key is gone at once); no transactions (MULTI/EXEC/WATCH: separate).
var diffScript = []string{
	"FLUSHALL",
	"DBSIZE",
	"RANDOMKEY",
	// connection
	"PING",
	"PING hello",
	`PING "with space"`,
	"PING a b",
	"ECHO hi",
	`ECHO "\x00\xff\r\nbinary"`,
	"ECHO",
	"ECHO a b",
	"SELECT 0",
	"SELECT 1",
	"SELECT -1",
	"SELECT abc",
	"SELECT",
	"SELECT 0 0",
	"HELLO 4",
	"HELLO abc",
	"HELLO {proto} FOO",
	"HELLO {proto} AUTH default",
	"HELLO {proto} AUTH default wrongpass",
	"HELLO",
	"AUTH pw",
	"AUTH default pw",
	"AUTH a b c",
	"AUTH",
	"nosuchcommand",
	"nosuchcommand a b",
	`NoSuchCommand "x y" z`,
	// GET / SET and options
	"GET nokey",
	"GET",
	"GET a b",
	"SET k v",
	"GET k",
	"set k v1",
	"Get k",
	"SET k v2 NX",
	"SET k v3 XX",
	"GET k",
	"SET nk v XX",
	"GET nk",
	"SET nk v NX",
	"SET nk v NX XX",
	"SET nk v XX NX",
	"SET k v4 GET",
	"SET k v5 NX GET",
	"SET k v6 XX GET",
	"SET newget v GET",
	"SET k v nx",
	"SET k v EX 100000",
	"TTL k",
	"SET k v EX 0",
	"SET k v EX -1",
	"SET k v EX abc",
	"SET k v EX 1.5",
	"SET k v PX 0",
	"SET k v PX 99999999999999999999",
	"SET k v EX 9223372036854775807",
	"SET k v PX 9223372036854775807",
	"SET k v EX",
	"SET k v EX 10 PX 10",
	"SET k v EX 10 EX 10",
	"SET k v EX 10 KEEPTTL",
	"SET k v PX 100000000",
	"PTTL k",
	"SET k v KEEPTTL",
	"TTL k",
	"SET k v",
	"TTL k",
	"SET k v EXAT 4102444800",
	"EXPIRETIME k",
	"PEXPIRETIME k",
	"SET k v PXAT 4102444800123",
	"PEXPIRETIME k",
	"EXPIRETIME k",
	"SET k v EXAT 0",
	"SET k v PXAT -5",
	"SET k v EXAT 1",
	"EXISTS k",
	"GET k",
	"SET k v PXAT 1 GET",
	"GET k",
	"SET k v FOO",
	"SET k",
	"SET",
	`SET "" empty-key`,
	`GET ""`,
	`SET ek ""`,
	"GET ek",
	"STRLEN ek",
	// SETNX SETEX PSETEX GETSET GETDEL
	"SETNX sn 1",
	"SETNX sn 2",
	"GET sn",
	"SETNX sn",
	"SETEX se 100000 v",
	"TTL se",
	"GET se",
	"SETEX se 0 v",
	"SETEX se -5 v",
	"SETEX se abc v",
	"SETEX se 10",
	"PSETEX pse 100000000 v",
	"PTTL pse",
	"PSETEX pse 0 v",
	"PSETEX pse abc v",
	"GETSET gs new",
	"GETSET gs newer",
	"GET gs",
	"GETSET gs",
	"GETDEL gs",
	"GETDEL gs",
	"GETDEL",
	// GETEX
	"SET ge v",
	"GETEX ge",
	"TTL ge",
	"GETEX ge EX 100000",
	"TTL ge",
	"GETEX ge PX 100000000",
	"PTTL ge",
	"GETEX ge EXAT 4102444800",
	"EXPIRETIME ge",
	"GETEX ge PXAT 4102444800123",
	"PEXPIRETIME ge",
	"GETEX ge PERSIST",
	"TTL ge",
	"GETEX ge EX 0",
	"GETEX ge EX -1",
	"GETEX ge EX abc",
	"GETEX ge PX 99999999999999999999",
	"GETEX ge EX",
	"GETEX ge EX 10 PX 10",
	"GETEX ge PERSIST EX 10",
	"GETEX ge KEEPTTL",
	"GETEX ge FOO",
	"GETEX nokey EX 10",
	"GETEX nokey",
	"GETEX",
	"GETEX ge EXAT 1",
	"EXISTS ge",
	// MGET MSET MSETNX
	"MSET a 1 b 2 c 3",
	"MGET a b c nokey",
	"MGET a",
	"MSET a 1 b",
	"MSET a",
	"MSET",
	"MGET",
	"MSET a 10 a 11",
	"GET a",
	"MSETNX a 1 d 4",
	"MSETNX d 4 e 5",
	"MSETNX d 4 e",
	"MSETNX f 1 f 2",
	"MGET d e f",
	// INCR family
	"INCR counter",
	"INCR counter",
	"INCRBY counter 10",
	"INCRBY counter -3",
	"DECR counter",
	"DECRBY counter 5",
	"DECRBY counter -5",
	"GET counter",
	"INCR",
	"INCR a b",
	"INCRBY counter",
	"INCRBY counter abc",
	"INCRBY counter 1.5",
	"INCRBY counter 9223372036854775808",
	"INCRBY counter -9223372036854775809",
	"DECRBY counter -9223372036854775808",
	"SET big 9223372036854775807",
	"INCR big",
	"INCRBY big 1",
	"DECRBY big -1",
	"GET big",
	"SET small -9223372036854775808",
	"DECR small",
	"DECRBY small 1",
	"INCRBY small -1",
	"INCR small",
	"SET big 9223372036854775808",
	"INCR big",
	"SET notint abc",
	"INCR notint",
	`SET sp " 1"`,
	"INCR sp",
	`SET sp2 "1 "`,
	"INCR sp2",
	"SET plus +1",
	"INCR plus",
	"SET lead 01",
	"INCR lead",
	"SET flt 1.0",
	"INCR flt",
	"SET neg0 -0",
	"INCR neg0",
	"SET neg -5",
	"INCR neg",
	`INCR ""`,
	"INCRBY fresh -9223372036854775808",
	"INCR fresh",
	// INCRBYFLOAT and its formatting
	"INCRBYFLOAT fa 10.5",
	"INCRBYFLOAT fa 0.1",
	"INCRBYFLOAT fa -10.6",
	"GET fa",
	"INCRBYFLOAT f5 0.1",
	"INCRBYFLOAT f5 0.2",
	"SET f2 5.0e3",
	"INCRBYFLOAT f2 3.0e3",
	"INCRBYFLOAT f2 2.0e-3",
	"INCRBYFLOAT f3 1e-5",
	"INCRBYFLOAT f4 1.7976931348623157e308",
	"INCRBYFLOAT f6 1e20",
	"INCRBYFLOAT f6 1",
	"INCRBYFLOAT f7 123456789.123456789",
	"INCRBYFLOAT f7 -123456789.123456789",
	"INCRBYFLOAT f8 -0.0",
	"INCRBYFLOAT f inf",
	"INCRBYFLOAT f -inf",
	"INCRBYFLOAT f nan",
	"INCRBYFLOAT f abc",
	"INCRBYFLOAT f 1.5e",
	`INCRBYFLOAT f " 1"`,
	`INCRBYFLOAT f ""`,
	"INCRBYFLOAT notint 1",
	"INCRBYFLOAT counter 1.5",
	"GET counter",
	"SET fl 3.0",
	"INCRBYFLOAT fl 0",
	"SET fl2 .5",
	"INCRBYFLOAT fl2 .5",
	`SET fl3 " 1.5"`,
	"INCRBYFLOAT fl3 1",
	"INCRBYFLOAT f",
	"INCRBYFLOAT",
	// APPEND STRLEN GETRANGE SUBSTR SETRANGE
	"APPEND ap hello",
	`APPEND ap " world"`,
	"GET ap",
	"APPEND counter 1",
	"GET counter",
	"APPEND ap",
	"STRLEN ap",
	"STRLEN nokey",
	"STRLEN",
	"GETRANGE ap 0 4",
	"GETRANGE ap -5 -1",
	"GETRANGE ap 0 -1",
	"GETRANGE ap 5 2",
	"GETRANGE ap -1 -5",
	"GETRANGE ap 100 200",
	"GETRANGE ap -100 100",
	"GETRANGE ap -100 -50",
	"GETRANGE ap 3 3",
	"GETRANGE ap a b",
	"GETRANGE ap 0 9223372036854775808",
	"GETRANGE nokey 0 -1",
	"GETRANGE ek 0 -1",
	"GETRANGE ap 0",
	"SUBSTR ap 0 4",
	"SUBSTR ap -3 -1",
	"SUBSTR ap 0",
	"SETRANGE sr 5 hello",
	"GET sr",
	"SETRANGE sr 0 HE",
	"GET sr",
	"SETRANGE sr 8 xyzw",
	"GET sr",
	"SETRANGE sr -1 x",
	"SETRANGE sr 536870912 x",
	"SETRANGE sr abc x",
	`SETRANGE nokey2 0 ""`,
	"EXISTS nokey2",
	`SETRANGE sr 3 ""`,
	`SETRANGE sr 100 ""`,
	"SETRANGE sr 0",
	// DEL UNLINK EXISTS TYPE
	"DEL a b nokey",
	"DEL",
	"UNLINK c d nokey",
	"UNLINK",
	"EXISTS e e e nokey",
	"EXISTS nokey",
	"EXISTS",
	"TYPE e",
	"TYPE nokey",
	"TYPE",
	// KEYS
	`MSET hello 1 hallo 2 hxllo 3 hllo 4 heeeello 5 "h*llo" 6 "h?llo" 7 hbllo 8 "h[a]llo" 9`,
	"KEYS *",
	"KEYS h?llo",
	"KEYS h*llo",
	"KEYS h[ae]llo",
	"KEYS h[^e]llo",
	"KEYS h[a-b]llo",
	`KEYS h\*llo`,
	`KEYS h\?llo`,
	`KEYS h\[a\]llo`,
	"KEYS hello",
	"KEYS nomatch*",
	"KEYS",
	"KEYS a b",
	// SCAN
	"SCAN 0",
	"SCAN 0 MATCH h*llo COUNT 1000",
	"SCAN 0 MATCH h[ae]llo",
	"SCAN 0 COUNT 1000 TYPE string",
	"SCAN 0 COUNT 1000 TYPE STRING",
	"SCAN 0 TYPE list",
	"SCAN 0 TYPE nosuchtype",
	"SCAN abc",
	"SCAN 0 COUNT 0",
	"SCAN 0 COUNT -1",
	"SCAN 0 COUNT abc",
	"SCAN 0 FOO bar",
	"SCAN 0 MATCH",
	"SCAN",
	// RENAME RENAMENX COPY
	"RENAME hello hello2",
	"GET hello2",
	"EXISTS hello",
	"RENAME nokey x",
	"RENAME hello2 hello2",
	"RENAME nokey nokey",
	"RENAME a",
	"SET tk v EX 100000",
	"RENAME tk tk2",
	"TTL tk2",
	"RENAMENX hallo hxllo",
	"RENAMENX hallo fresh2",
	"RENAMENX nokey x",
	"RENAMENX fresh2 fresh2",
	"RENAMENX a",
	"COPY fresh2 fcopy",
	"COPY fresh2 fcopy",
	"COPY fresh2 fcopy REPLACE",
	"COPY fresh2 fresh2",
	"COPY nokey x",
	"COPY fresh2 fc2 DB 0",
	"COPY fresh2 fc3 DB 1",
	"COPY fresh2 fc4 DB abc",
	"COPY fresh2 fc5 FOO",
	"COPY fresh2 fc5 DB",
	"COPY fresh2",
	"COPY tk2 tkc",
	"TTL tkc",
	"MGET fcopy fc2 fc3",
	// EXPIRE family
	"EXPIRE fresh2 100000",
	"TTL fresh2",
	"EXPIRE fresh2 100 NX",
	"EXPIRE fresh2 200000 XX",
	"EXPIRE fresh2 100 GT",
	"EXPIRE fresh2 100 LT",
	"TTL fresh2",
	"EXPIRE fresh2 100 NX XX",
	"EXPIRE fresh2 100 NX GT",
	"EXPIRE fresh2 100 GT LT",
	"EXPIRE fresh2 100 FOO",
	"EXPIRE fresh2 100 nx",
	"EXPIRE fresh2 abc",
	"EXPIRE fresh2 1.5",
	"EXPIRE fresh2",
	"EXPIRE nokey 100",
	"EXPIRE fresh2 9223372036854775807",
	"PEXPIRE fresh2 9223372036854775807",
	"EXPIREAT fresh2 9223372036854775807",
	"PERSIST fresh2",
	"PERSIST fresh2",
	"PERSIST nokey",
	"PERSIST",
	"EXPIRE fresh2 100 XX",
	"EXPIRE fresh2 100 GT",
	"EXPIRE fresh2 100000 LT",
	"TTL fresh2",
	"PEXPIRE fresh2 100000000",
	"PTTL fresh2",
	"PEXPIRE fresh2 100000000 NX",
	"PEXPIREAT fresh2 4102444800123",
	"PEXPIRETIME fresh2",
	"EXPIRETIME fresh2",
	"EXPIREAT fresh2 4102444801",
	"EXPIREAT fresh2 4102444800 GT",
	"EXPIREAT fresh2 4102444900 GT",
	"PEXPIREAT fresh2 4102444800000 LT",
	"EXPIRETIME fresh2",
	"EXPIREAT fresh2 abc",
	"PEXPIREAT fresh2",
	"EXPIREAT fresh2 1",
	"EXISTS fresh2",
	"PEXPIRE fcopy -1",
	"EXISTS fcopy",
	"EXPIRE fc2 0",
	"EXPIRE fc2 0",
	"PEXPIREAT hbllo 0",
	"EXISTS hbllo",
	"TTL nokey",
	"TTL hxllo",
	"TTL",
	"PTTL nokey",
	"PTTL hxllo",
	"EXPIRETIME nokey",
	"EXPIRETIME hxllo",
	"PEXPIRETIME nokey",
	"PEXPIRETIME hxllo",
	"EXPIRETIME",
	"TOUCH hxllo hllo nokey",
	"TOUCH hxllo hxllo",
	"TOUCH",
	// RANDOMKEY DBSIZE FLUSHDB FLUSHALL
	"RANDOMKEY",
	"RANDOMKEY x",
	"FLUSHDB",
	"RANDOMKEY",
	"DBSIZE",
	"SET only 1",
	"RANDOMKEY",
	"DBSIZE",
	"DBSIZE x",
	"FLUSHDB ASYNC",
	"DBSIZE",
	"SET k v",
	"FLUSHDB SYNC",
	"DBSIZE",
	"FLUSHDB FOO",
	"FLUSHDB ASYNC SYNC",
	"SET k v",
	"FLUSHALL SYNC",
	"FLUSHALL ASYNC",
	"FLUSHALL FOO",
	"DBSIZE",
	// CLIENT
	"CLIENT SETNAME myname",
	"CLIENT GETNAME",
	`CLIENT SETNAME "bad name"`,
	`CLIENT SETNAME "bad\nname"`,
	"CLIENT GETNAME",
	`CLIENT SETNAME ""`,
	"CLIENT GETNAME",
	"CLIENT SETNAME",
	"CLIENT SETNAME a b",
	"CLIENT GETNAME x",
	"CLIENT NO-SUCH",
	"CLIENT no-such arg",
	"CLIENT",
	"CLIENT REPLY ON",
	"CLIENT ID",
	"CLIENT INFO",
	"CLIENT LIST",
	"client id",
	// server
	"CONFIG GET save",
	"CONFIG GET appendonly",
	"CONFIG GET maxclients",
	"CONFIG GET nosuchparam",
	"CONFIG GET",
	"CONFIG NOSUCH",
	"TIME",
	"TIME x",
	"INFO",
	"INFO server",
	"COMMAND COUNT",
	"COMMAND NOSUCH",
	"DBSIZE",
}

// diffPeer is one side of the differential test.
type diffPeer struct {
	label string
	srv   *testServer
	conn  *respConn
}

// TestDifferential sends diffScript to a real redis-server and to remoted
// and compares every raw reply byte for byte, except where allowList says
// otherwise: in RESP2 over TCP and, on new connections after HELLO 3, in
// RESP3 over the unix socket. Then raw protocol (and protocol error) input
// is compared: what each server answers and whether it closes.
func TestDifferential(t *testing.T) {
	ref := startRedis(t)
	sut := startRemoted(t)
	label := sut.Name
	if selftest() {
		label = "redis-server(selftest)"
	}
	if len(diffScript) < 170 {
		t.Fatalf("diffScript has %d lines, want at least 170", len(diffScript))
	}
	for _, proto := range []int{2, 3} {
		t.Run(fmt.Sprintf("RESP%d", proto), func(t *testing.T) {
			network := "tcp"
			addr := func(s *testServer) string { return s.TCPAddr }
			if proto == 3 {
				network = "unix"
				addr = func(s *testServer) string { return s.UnixPath }
			}
			peers := []*diffPeer{
				{label: "redis-server", srv: ref, conn: dialRESP(t, network, addr(ref))},
				{label: label, srv: sut, conn: dialRESP(t, network, addr(sut))},
			}
			if proto == 3 {
				if !runDiffLine(t, peers, "HELLO 3") {
					t.Fatal("HELLO 3 differs; not running the RESP3 script")
				}
			}
			for i, line := range diffScript {
				line = strings.ReplaceAll(line, "{proto}", strconv.Itoa(proto))
				t.Run(fmt.Sprintf("%03d %s", i, line), func(t *testing.T) {
					runDiffLine(t, peers, line)
				})
			}
		})
	}
	t.Run("protocol", func(t *testing.T) { testProtocolDiff(t, ref, sut, label) })
}

// runDiffLine sends one command line to both peers and compares replies.
func runDiffLine(t *testing.T, peers []*diffPeer, line string) bool {
	t.Helper()
	args, err := splitArgs(line)
	if err != nil {
		t.Fatalf("bad script line: %v", err)
	}
	raws := make([][]byte, len(peers))
	vals := make([]*respValue, len(peers))
	for i, p := range peers {
		raws[i], vals[i], err = p.conn.Do(args...)
		if err != nil {
			t.Fatalf("%s: %q: %v (read so far %q)", p.label, line, err, raws[i])
		}
	}
	rule := ruleFor(args)
	if why := compareReplies(rule, raws[0], raws[1], vals[0], vals[1]); why != "" {
		t.Errorf("%s\n  %-22s %q\n  %-22s %q\n  comparison %s: %s", line, peers[0].label+":", raws[0], peers[1].label+":", raws[1], cmpNames[rule.mode], why)
		return false
	}
	if os.Getenv(envVerbose) != "" {
		t.Logf("%s -> %q | %q", line, raws[0], raws[1])
	}
	return true
}

// protoCase is raw input for the protocol sub-test.
type protoCase struct {
	name string
	in   string
	// sentinel appends an ECHO whose reply marks "still open and in sync";
	// without it (input that leaves a half-read command, or that is too big
	// to say where the server's reads split it) the test waits quietWait for
	// the server to close.
	sentinel bool
}

const (
	sentinelCmd   = "*2\r\n$4\r\nECHO\r\n$16\r\nremoted-sentinel\r\n"
	sentinelReply = "$16\r\nremoted-sentinel\r\n"
	quietWait     = 750 * time.Millisecond
)

var protoCases = []protoCase{
	{"inline PING", "PING\r\n", true},
	{"inline PING LF only", "PING\n", true},
	{"inline lower case", "ping\r\n", true},
	{"inline quoted args", "SET \"a b\" 'c d'\r\nGET \"a b\"\r\n", true},
	{"inline escapes", "ECHO \"\\x41\\n\\t\\\\\"\r\n", true},
	{"inline single quote escape", "ECHO 'it\\'s'\r\n", true},
	{"inline unbalanced double quote", "SET \"a b\r\n", true},
	{"inline unbalanced single quote", "SET 'a\r\n", true},
	{"inline quote followed by char", "ECHO \"a\"b\r\n", true},
	{"inline empty lines", "\r\n\r\n   \r\nPING\r\n", true},
	{"inline empty quoted command", "\"\"\r\n", true},
	{"inline unknown", "nosuch a b\r\n", true},
	{"inline plus", "+PING\r\n", true},
	{"inline dollar", "$-5\r\n", true},
	{"inline colon", ":1\r\n", true},
	{"multibulk PING", "*1\r\n$4\r\nPING\r\n", true},
	{"multibulk count not a number", "*abc\r\n", true},
	{"multibulk count negative -2", "*-2\r\n", true},
	{"multibulk count overflow int", "*3000000000\r\n", true},
	{"multibulk element is integer", "*1\r\n:1\r\n", true},
	{"multibulk element is array", "*1\r\n*1\r\n", true},
	{"multibulk element is simple string", "*2\r\n$4\r\nECHO\r\n+x\r\n", true},
	{"multibulk zero then PING", "*0\r\nPING\r\n", true},
	{"multibulk null then PING", "*-1\r\nPING\r\n", true},
	{"multibulk empty command name", "*1\r\n$0\r\n\r\n", true},
	{"bulk length not a number", "*1\r\n$abc\r\n", true},
	{"bulk length -1", "*1\r\n$-1\r\n", true},
	{"bulk length -2", "*1\r\n$-2\r\n", true},
	{"bulk length 1000000000", "*1\r\n$1000000000\r\n", true},
	{"bulk length 512MiB+1", "*1\r\n$536870913\r\n", true},
	{"bulk longer than declared", "*2\r\n$4\r\nECHO\r\n$3\r\nabcde\r\n", true},
	{"pipelined mixed", "*1\r\n$4\r\nPING\r\nECHO x\r\n*2\r\n$4\r\nECHO\r\n$1\r\ny\r\n", true},
	{"pipelined 1000 inline PINGs", strings.Repeat("PING\r\n", 1000), true},
	{"QUIT", "QUIT\r\n", true},
	{"QUIT between commands", "PING\r\nQUIT\r\nPING\r\n", true},
	{"multibulk QUIT", "*1\r\n$4\r\nQUIT\r\n", true},
	{"multibulk count 2000000 waits", "*2000000\r\n", false},
	{"multibulk count 1048577 waits", "*1048577\r\n", false},
	{"bulk length 512MiB waits", "*1\r\n$536870912\r\n", false},
	{"half a command waits", "*2\r\n$4\r\nECHO\r\n$5\r\nab", false},
	{"inline without newline waits", "PING", false},
	{"inline too big", strings.Repeat("a", 70000), false},
	{"multibulk count line too big", "*" + strings.Repeat("1", 70000), false},
	{"bulk length line too big", "*1\r\n$" + strings.Repeat("1", 70000), false},
}

// protoResult is what a server did with raw input.
type protoResult struct {
	reply  []byte
	closed bool   // EOF or reset
	synced bool   // the sentinel's reply came back
	werr   string // write error, if any
}

func (r protoResult) String() string {
	state := "open, sentinel answered"
	switch {
	case r.closed:
		state = "closed"
	case !r.synced:
		state = "open, silent"
	}
	if r.werr != "" {
		state += " (write: " + r.werr + ")"
	}
	return fmt.Sprintf("%q then %s", r.reply, state)
}

// sendRaw dials the server's unix socket, writes tc.in (and the sentinel)
// and reports what came back. Errors are returned, not reported, so that
// it can run on its own goroutine.
func sendRaw(srv *testServer, tc protoCase) (protoResult, error) {
	c, err := net.DialTimeout("unix", srv.UnixPath, startTimeout)
	if err != nil {
		return protoResult{}, fmt.Errorf("%s: dial: %w", srv.Name, err)
	}
	defer c.Close()
	in := tc.in
	wait := quietWait
	if tc.sentinel {
		in += sentinelCmd
		wait = replyTimeout
	}
	var res protoResult
	_ = c.SetWriteDeadline(time.Now().Add(replyTimeout))
	if _, err := c.Write([]byte(in)); err != nil {
		res.werr = err.Error()
	}
	_ = c.SetReadDeadline(time.Now().Add(wait))
	buf := make([]byte, 64<<10)
	for {
		n, err := c.Read(buf)
		res.reply = append(res.reply, buf[:n]...)
		if tc.sentinel && bytes.HasSuffix(res.reply, []byte(sentinelReply)) {
			res.reply = res.reply[:len(res.reply)-len(sentinelReply)]
			res.synced = true
			return res, nil
		}
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				return res, nil
			}
			res.closed = true // io.EOF, ECONNRESET
			return res, nil
		}
	}
}

// testProtocolDiff sends every protoCase to both servers at once (cases
// that wait for a close take quietWait each, so they overlap) and then
// compares the outcomes case by case.
func testProtocolDiff(t *testing.T, ref, sut *testServer, label string) {
	type outcome struct {
		res [2]protoResult
		err [2]error
	}
	results := make([]outcome, len(protoCases))
	var wg sync.WaitGroup
	for i, tc := range protoCases {
		for j, srv := range []*testServer{ref, sut} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i].res[j], results[i].err[j] = sendRaw(srv, tc)
			}()
		}
	}
	wg.Wait()
	for i, tc := range protoCases {
		t.Run(tc.name, func(t *testing.T) {
			o := results[i]
			for _, err := range o.err {
				if err != nil {
					t.Fatal(err)
				}
			}
			a, b := o.res[0], o.res[1]
			// A write error only matters when the outcome differs.
			if !bytes.Equal(a.reply, b.reply) || a.closed != b.closed || a.synced != b.synced {
				in := tc.in
				if len(in) > 80 {
					in = in[:80] + fmt.Sprintf("...(%d bytes)", len(tc.in))
				}
				t.Errorf("input %q\n  %-22s %s\n  %-22s %s", in, "redis-server:", a, label+":", b)
			}
			if os.Getenv(envVerbose) != "" {
				t.Logf("%s: %s | %s", tc.name, a, b)
			}
		})
	}
}

// TestDifferentialAuth compares the servers with a password set: what an
// unauthenticated connection may do, and AUTH/HELLO AUTH errors.
func TestDifferentialAuth(t *testing.T) {
	const pw = "s3cret pw"
	ref := startRedis(t, "--requirepass", pw)
	sut := startRemoted(t, "--requirepass", pw)
	label := sut.Name
	if selftest() {
		label = "redis-server(selftest)"
	}
	script := []string{
		"PING",
		"GET k",
		"SET k v",
		"nosuchcommand a",
		"ECHO x",
		"SELECT 0",
		"CLIENT ID",
		"HELLO 3",
		"HELLO 2",
		"HELLO 4",
		"HELLO 2 AUTH default wrong",
		"HELLO 2 AUTH nosuchuser wrong",
		"AUTH wrong",
		"AUTH default wrong",
		"AUTH nosuchuser wrong",
		"AUTH a b c",
		"GET k",
		`AUTH "s3cret pw"`,
		"PING",
		"SET k v",
		"GET k",
		"AUTH wrong",
		"GET k",
		`AUTH default "s3cret pw"`,
		`HELLO 2 AUTH default "s3cret pw"`,
		"FLUSHALL",
	}
	peers := []*diffPeer{
		{label: "redis-server", srv: ref, conn: dialRESP(t, "unix", ref.UnixPath)},
		{label: label, srv: sut, conn: dialRESP(t, "unix", sut.UnixPath)},
	}
	for i, line := range script {
		t.Run(fmt.Sprintf("%02d %s", i, line), func(t *testing.T) { runDiffLine(t, peers, line) })
	}
	t.Run("HELLO 3 AUTH", func(t *testing.T) {
		peers := []*diffPeer{
			{label: "redis-server", srv: ref, conn: dialRESP(t, "tcp", ref.TCPAddr)},
			{label: label, srv: sut, conn: dialRESP(t, "tcp", sut.TCPAddr)},
		}
		for _, line := range []string{"HELLO 3 AUTH default wrong", `HELLO 3 AUTH default "s3cret pw"`, "GET k", "PING"} {
			runDiffLine(t, peers, line)
		}
	})
}

// ---------------------------------------------------------------------------
// redis-cli.

func TestRedisCLI(t *testing.T) {
	cli := needTool(t, "redis-cli")
	srv := startRemoted(t)
	run := func(t *testing.T, stdin string, args ...string) string {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, cli, append([]string{"-s", srv.UnixPath}, args...)...)
		cmd.Stdin = strings.NewReader(stdin)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("redis-cli %q: %v\nstdout: %q\nstderr: %q", args, err, out, stderr.String())
		}
		return string(out)
	}
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"PING"}, "PONG\n"},
		{[]string{"SET", "cli:a", "hello world"}, "OK\n"},
		{[]string{"GET", "cli:a"}, "hello world\n"},
		{[]string{"--no-raw", "GET", "cli:a"}, "\"hello world\"\n"},
		{[]string{"GET", "cli:none"}, "\n"},
		{[]string{"--no-raw", "GET", "cli:none"}, "(nil)\n"},
		{[]string{"INCR", "cli:n"}, "1\n"},
		{[]string{"--no-raw", "INCRBY", "cli:n", "41"}, "(integer) 42\n"},
		{[]string{"MSET", "cli:b", "2", "cli:c", "3"}, "OK\n"},
		{[]string{"MGET", "cli:b", "cli:none", "cli:c"}, "2\n\n3\n"},
		{[]string{"--no-raw", "MGET", "cli:b", "cli:none"}, "1) \"2\"\n2) (nil)\n"},
		{[]string{"GET"}, "ERR wrong number of arguments for 'get' command\n\n"}, // raw mode adds a blank line after an error
		{[]string{"--no-raw", "INCR", "cli:a"}, "(error) ERR value is not an integer or out of range\n"},
		{[]string{"EXPIRE", "cli:a", "100000"}, "1\n"},
		{[]string{"TTL", "cli:a"}, "100000\n"},
		{[]string{"DEL", "cli:b", "cli:c"}, "2\n"},
		{[]string{"-3", "--no-raw", "HELLO", "3"}, ""}, // checked below: a RESP3 map
		{[]string{"-3", "--no-raw", "GET", "cli:none"}, "(nil)\n"},
		{[]string{"-3", "--no-raw", "CONFIG", "GET", "appendonly"}, "1# \"appendonly\" => \"no\"\n"},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			got := run(t, "", tc.args...)
			if slices.Contains(tc.args, "HELLO") {
				if !strings.Contains(got, `"proto" => (integer) 3`) || !strings.Contains(got, `"server" =>`) {
					t.Errorf("redis-cli %q = %q, want a RESP3 map with proto 3", tc.args, got)
				}
				return
			}
			if got != tc.want {
				t.Errorf("redis-cli %q = %q, want %q", tc.args, got, tc.want)
			}
		})
	}
	t.Run("stdin script", func(t *testing.T) {
		got := run(t, "SET cli:s 1\nINCR cli:s\nGET cli:s\nDEL cli:s\nEXISTS cli:s\n")
		if want := "OK\n2\n2\n1\n0\n"; got != want {
			t.Errorf("scripted session printed %q, want %q", got, want)
		}
	})
	t.Run("scan", func(t *testing.T) {
		got := strings.Fields(run(t, "", "--scan", "--pattern", "cli:*"))
		slices.Sort(got)
		if want := []string{"cli:a", "cli:n"}; !slices.Equal(got, want) {
			t.Errorf("--scan --pattern cli:* = %q, want %q", got, want)
		}
	})
	t.Run("pipe 100k", func(t *testing.T) {
		const n = 100000
		run(t, "", "FLUSHALL")
		var b bytes.Buffer
		for i := 0; i < n; i++ {
			b.Write(encodeCommand([]string{"SET", "pipe:" + strconv.Itoa(i), "value-" + strconv.Itoa(i)}))
		}
		out := run(t, b.String(), "--pipe")
		if !strings.Contains(out, fmt.Sprintf("errors: 0, replies: %d", n)) {
			t.Fatalf("redis-cli --pipe printed %q, want errors: 0, replies: %d", out, n)
		}
		if got := run(t, "", "DBSIZE"); got != fmt.Sprintf("%d\n", n) {
			t.Errorf("DBSIZE after --pipe = %q, want %d", got, n)
		}
		for _, i := range []int{0, 12345, n - 1} {
			if got, want := run(t, "", "GET", "pipe:"+strconv.Itoa(i)), "value-"+strconv.Itoa(i)+"\n"; got != want {
				t.Errorf("GET pipe:%d = %q, want %q", i, got, want)
			}
		}
	})
}

// ---------------------------------------------------------------------------
// go-redis.

func TestGoRedis(t *testing.T) {
	srv := startRemoted(t)
	cases := []struct {
		name string
		opt  *redis.Options
	}{
		{"unix", &redis.Options{Network: "unix", Addr: srv.UnixPath}},
		{"tcp", &redis.Options{Addr: srv.TCPAddr}},
		{"tcp RESP2", &redis.Options{Addr: srv.TCPAddr, Protocol: 2}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rdb := redis.NewClient(tc.opt)
			t.Cleanup(func() { rdb.Close() })
			exerciseGoRedis(t, rdb, "gr:"+strings.ReplaceAll(tc.name, " ", "-")+":")
		})
	}
	t.Run("password", func(t *testing.T) {
		const pw = "correct horse"
		psrv := startRemoted(t, "--requirepass", pw)
		ctx := context.Background()
		for _, o := range []struct {
			name, pass, wantErr string
			opt                 *redis.Options
		}{
			{"none", "", "NOAUTH", &redis.Options{Network: "unix", Addr: psrv.UnixPath}},
			{"wrong", "wrong", "WRONGPASS", &redis.Options{Network: "unix", Addr: psrv.UnixPath, Password: "wrong"}},
			{"wrong RESP2", "wrong", "WRONGPASS", &redis.Options{Addr: psrv.TCPAddr, Password: "wrong", Protocol: 2}},
		} {
			t.Run(o.name, func(t *testing.T) {
				o.opt.MaxRetries = -1
				rdb := redis.NewClient(o.opt)
				t.Cleanup(func() { rdb.Close() })
				err := rdb.Set(ctx, "pw:k", "v", 0).Err()
				if err == nil || !strings.Contains(err.Error(), o.wantErr) {
					t.Errorf("SET with password %q: error %v, want one containing %q", o.pass, err, o.wantErr)
				}
			})
		}
		for _, o := range []*redis.Options{
			{Network: "unix", Addr: psrv.UnixPath, Password: pw},
			{Addr: psrv.TCPAddr, Password: pw, Protocol: 2},
			{Addr: psrv.TCPAddr, Username: "default", Password: pw},
		} {
			rdb := redis.NewClient(o)
			t.Cleanup(func() { rdb.Close() })
			if err := rdb.Set(ctx, "pw:k", "v", 0).Err(); err != nil {
				t.Errorf("SET with the right password (%s, protocol %d, 0 = go-redis default): %v", o.Addr, o.Protocol, err)
			}
			if v, err := rdb.Get(ctx, "pw:k").Result(); err != nil || v != "v" {
				t.Errorf("GET with the right password: %q, %v; want \"v\"", v, err)
			}
		}
	})
}

func exerciseGoRedis(t *testing.T, rdb *redis.Client, p string) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	must("PING", rdb.Ping(ctx).Err())
	must("SET", rdb.Set(ctx, p+"s", "hello", 0).Err())
	if v, err := rdb.Get(ctx, p+"s").Result(); err != nil || v != "hello" {
		t.Errorf("GET = %q, %v; want \"hello\"", v, err)
	}
	if _, err := rdb.Get(ctx, p+"missing").Result(); err != redis.Nil {
		t.Errorf("GET missing: err = %v, want redis.Nil", err)
	}
	if ok, err := rdb.SetNX(ctx, p+"s", "x", 0).Result(); err != nil || ok {
		t.Errorf("SETNX existing = %v, %v; want false", ok, err)
	}
	for want := int64(1); want <= 3; want++ {
		if n, err := rdb.Incr(ctx, p+"n").Result(); err != nil || n != want {
			t.Errorf("INCR = %d, %v; want %d", n, err, want)
		}
	}
	if f, err := rdb.IncrByFloat(ctx, p+"f", 2.5).Result(); err != nil || f != 2.5 {
		t.Errorf("INCRBYFLOAT = %v, %v; want 2.5", f, err)
	}
	if err := rdb.Incr(ctx, p+"s").Err(); err == nil || !strings.Contains(err.Error(), "not an integer") {
		t.Errorf("INCR on text: %v, want ERR value is not an integer", err)
	}
	vals, err := rdb.MGet(ctx, p+"s", p+"missing", p+"n").Result()
	if err != nil || len(vals) != 3 || vals[0] != "hello" || vals[1] != nil || vals[2] != "3" {
		t.Errorf("MGET = %#v, %v; want [hello <nil> 3]", vals, err)
	}
	if ok, err := rdb.Expire(ctx, p+"s", 100*time.Second).Result(); err != nil || !ok {
		t.Errorf("EXPIRE = %v, %v; want true", ok, err)
	}
	if d, err := rdb.TTL(ctx, p+"s").Result(); err != nil || d < 99*time.Second || d > 100*time.Second {
		t.Errorf("TTL = %v, %v; want about 100s", d, err)
	}
	if d, err := rdb.TTL(ctx, p+"n").Result(); err != nil || d != -1 {
		t.Errorf("TTL without expiry = %v, %v; want -1 (as go-redis reports it)", d, err)
	}
	if d, err := rdb.PTTL(ctx, p+"missing").Result(); err != nil || d != -2 {
		t.Errorf("PTTL missing = %v, %v; want -2", d, err)
	}
	if v, err := rdb.GetEx(ctx, p+"s", 0).Result(); err != nil || v != "hello" {
		t.Errorf("GETEX = %q, %v", v, err)
	}
	// SCAN iterator over a few hundred keys.
	const nk = 300
	pairs := make([]any, 0, 2*nk)
	for i := 0; i < nk; i++ {
		pairs = append(pairs, fmt.Sprintf("%sscan:%03d", p, i), i)
	}
	must("MSET", rdb.MSet(ctx, pairs...).Err())
	seen := map[string]bool{}
	it := rdb.Scan(ctx, 0, p+"scan:*", 50).Iterator()
	for it.Next(ctx) {
		seen[it.Val()] = true
	}
	must("SCAN iterator", it.Err())
	if len(seen) != nk {
		t.Errorf("SCAN iterator found %d keys, want %d", len(seen), nk)
	}
	if keys, err := rdb.Keys(ctx, p+"scan:00*").Result(); err != nil || len(keys) != 10 {
		t.Errorf("KEYS %sscan:00* = %d keys, %v; want 10", p, len(keys), err)
	}
	// Pipelines (no MULTI).
	cmds, err := rdb.Pipelined(ctx, func(pipe redis.Pipeliner) error {
		for i := 0; i < 1000; i++ {
			pipe.Incr(ctx, p+"pipe")
		}
		pipe.Get(ctx, p+"pipe")
		return nil
	})
	must("pipeline", err)
	if got := cmds[len(cmds)-1].(*redis.StringCmd).Val(); got != "1000" {
		t.Errorf("after 1000 pipelined INCRs GET = %q, want 1000", got)
	}
	// Concurrent clients on the pool.
	var wg sync.WaitGroup
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 100; i++ {
				if err := rdb.Incr(ctx, p+"conc").Err(); err != nil {
					t.Errorf("concurrent INCR: %v", err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if v, err := rdb.Get(ctx, p+"conc").Int(); err != nil || v != 1600 {
		t.Errorf("after 16x100 concurrent INCRs = %d, %v; want 1600", v, err)
	}
	if n, err := rdb.Del(ctx, p+"s", p+"n", p+"missing").Result(); err != nil || n != 2 {
		t.Errorf("DEL = %d, %v; want 2", n, err)
	}
}

// ---------------------------------------------------------------------------
// redis-py and node clients.

// runScript runs a client script and requires exit 0 and a final OK line.
func runScript(t *testing.T, name string, args ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %q: %v\noutput:\n%s", name, args, err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if lines[len(lines)-1] != "OK" {
		t.Fatalf("%s %q: last line is not OK; output:\n%s", name, args, out)
	}
	t.Logf("%s", out)
}

func TestPythonClient(t *testing.T) {
	py := needPython(t)
	srv := startRemoted(t)
	script, err := filepath.Abs(filepath.Join("testdata", "compat_redis_py.py"))
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(srv.TCPAddr)
	runScript(t, py, script, "--unix", srv.UnixPath, "--host", "127.0.0.1", "--port", port)
}

func TestNodeClients(t *testing.T) {
	node := needTool(t, "node")
	dir, err := filepath.Abs(filepath.Join("testdata", "node"))
	if err != nil {
		t.Fatal(err)
	}
	for _, pkg := range []string{"redis", "ioredis"} {
		if _, err := os.Stat(filepath.Join(dir, "node_modules", pkg, "package.json")); err != nil {
			missingDep(t, "node package %s not installed (npm ci --prefix testdata/node)", pkg)
		}
	}
	srv := startRemoted(t)
	_, port, _ := net.SplitHostPort(srv.TCPAddr)
	runScript(t, node, filepath.Join(dir, "compat.js"), "--unix", srv.UnixPath, "--host", "127.0.0.1", "--port", port)
}
