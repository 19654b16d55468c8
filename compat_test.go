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

	"github.com/remoted/remoted/internal/testdep"
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

// needPython returns /usr/bin/python3 once it imports the redis module.
func needPython(t testing.TB) string {
	t.Helper()
	const py = "/usr/bin/python3"
	if _, err := os.Stat(py); err != nil {
		testdep.Missing(t, "%s not found", py)
	}
	if out, err := exec.Command(py, "-c", "import redis").CombinedOutput(); err != nil {
		testdep.Missing(t, "%s cannot import redis (python3-redis): %v: %s", py, err, out)
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
	TLSAddr  string // host:port of --tls-port, if given
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
			case "--portable":
				// redis-server has one way of serving connections
			default:
				t.Fatalf("%s: no redis-server equivalent for remoted argument %q", envSelftest, args[i])
			}
		}
		return startRedis(t, extra...)
	}
	bin := buildRemoted(t)
	dir := shortTempDir(t)
	sock := filepath.Join(dir, "remoted.sock")
	// A loopback port without a password (--protected-mode no) is the
	// tests' own server; compat_private_test.go checks the default.
	argv := append([]string{"serve", "--unix", sock, "--port", "0", "--bind", "127.0.0.1", "--protected-mode", "no"}, args...)
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
		case "tls":
			srv.TLSAddr = addr // logged before the TCP line, if asked for
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
	bin := testdep.Tool(t, "redis-server")
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
