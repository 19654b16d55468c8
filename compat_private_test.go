package remoted_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/remoted/remoted/internal/testdep"
)

// served is a `remoted serve` the test started with its own arguments.
type served struct {
	proc  *proc
	addrs map[string]string // network ("unix", "tcp", "tls") -> address
}

// serveArgs starts the remoted under test with args in env (nil: ours),
// and returns once it has logged how to reach each of its listeners
// listeners; cleanup SIGTERMs it and requires exit code 0.
func serveArgs(t testing.TB, env []string, listeners int, args ...string) *served {
	t.Helper()
	cmd := exec.Command(buildRemoted(t), append([]string{"serve"}, args...)...)
	cmd.Env = env
	s := &served{addrs: map[string]string{}}
	reached := 0
	s.proc = runProc(t, "remoted", cmd, func(line string) bool {
		if m := listeningRE.FindStringSubmatch(line); m != nil {
			s.addrs[m[1]] = strings.Trim(m[2], `"`)
		}
		if strings.Contains(line, "reach it with") {
			reached++
		}
		return reached == listeners
	}, true)
	select {
	case <-s.proc.exited:
		t.Fatalf("remoted %q exited before it was ready: %v\n%s", args, s.proc.waitErr, s.proc.out.String())
	default:
	}
	return s
}

// noXDG is an environment without XDG_RUNTIME_DIR whose temp dir is dir.
func noXDG(dir string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "XDG_RUNTIME_DIR=") && !strings.HasPrefix(kv, "TMPDIR=") && !strings.HasPrefix(kv, "REMOTED_URL=") {
			env = append(env, kv)
		}
	}
	return append(env, "TMPDIR="+dir)
}

// TestPrivateTCPRefusedWithoutPassword: asking for TCP (or TLS) without
// a password and without --protected-mode no does not start, and says
// what to do.
func TestPrivateTCPRefusedWithoutPassword(t *testing.T) {
	if selftest() {
		t.Skip("remoted's own command line")
	}
	bin := buildRemoted(t)
	certFile, keyFile, _ := writeSelfSigned(t, shortTempDir(t))
	for _, args := range [][]string{
		{"--port", "0"},
		{"--bind", "127.0.0.1"},
		{"--bind", "::1", "--port", "0"},
		{"--bind", "[::1]", "--port", "0"},
		{"--tls-port", "0", "--tls-cert-file", certFile, "--tls-key-file", keyFile},
		{"--port", "0", "--protected-mode", "yes"},
	} {
		cmd := exec.Command(bin, append([]string{"serve", "--unix", filepath.Join(shortTempDir(t), "s.sock")}, args...)...)
		out, err := cmd.CombinedOutput()
		if code := cmd.ProcessState.ExitCode(); err == nil || code != 1 {
			t.Errorf("remoted serve %q started or failed oddly (exit %d):\n%s", args, code, out)
		}
		msg := string(out)
		if !strings.Contains(msg, "without a password") || !strings.Contains(msg, "--requirepass") || !strings.Contains(msg, "--protected-mode no") {
			t.Errorf("remoted serve %q: refusal does not say why and what to do:\n%s", args, msg)
		}
	}
}

// TestPrivateTCPWithPassword: with a password from a file, another
// client on the TCP port gets NOAUTH for everything, LOCK included (the
// freeze of issue 19), and the password shows in no process argument.
func TestPrivateTCPWithPassword(t *testing.T) {
	if selftest() {
		t.Skip("remoted's own command line")
	}
	const pw = "s3cret-pw"
	dir := shortTempDir(t)
	passFile := filepath.Join(dir, "pass")
	if err := os.WriteFile(passFile, []byte(pw+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s := serveArgs(t, nil, 2, "--unix", filepath.Join(dir, "s.sock"), "--port", "0", "--requirepass-file", passFile)
	tcp := s.addrs["tcp"]
	for _, network := range []string{"unix", "tcp"} {
		c := dialRESP(t, network, s.addrs[network])
		for _, cmd := range [][]string{{"LOCK"}, {"GET", "k"}, {"KEYS", "*"}} {
			raw, _, err := c.Do(cmd...)
			if err != nil || string(raw) != "-NOAUTH Authentication required.\r\n" {
				t.Errorf("%s %q without AUTH: %q, %v; want NOAUTH", network, cmd, raw, err)
			}
		}
	}
	cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", s.proc.cmd.Process.Pid))
	if err != nil || strings.Contains(string(cmdline), pw) {
		t.Errorf("the server's arguments show the password: %q, %v", cmdline, err)
	}
	checkPingHidesPassword(t, "redis://:"+pw+"@"+tcp, pw)
	checkPingHidesPassword(t, "unix://:"+pw+"@"+s.addrs["unix"], pw)
	checkPingHidesPassword(t, "unix://"+s.addrs["unix"]+"?password="+pw, pw)
	host, port, _ := strings.Cut(tcp, ":")
	out, _ := exec.Command(testdep.Tool(t, "redis-cli"), "-h", host, "-p", port, "lock").CombinedOutput()
	if !strings.Contains(string(out), "NOAUTH") {
		t.Errorf("redis-cli -p %s lock without a password: %q, want NOAUTH", port, out)
	}
}

// TestBindIPv6: an IPv6 bind address is served, bracketed or not.
func TestBindIPv6(t *testing.T) {
	if selftest() {
		t.Skip("remoted's own command line")
	}
	for _, bind := range []string{"::1", "[::1]"} {
		s := serveArgs(t, nil, 1, "--unix", "", "--bind", bind, "--port", "0", "--requirepass", "pw")
		c := dialRESP(t, "tcp", s.addrs["tcp"])
		if raw, _, err := c.Do("AUTH", "pw"); err != nil || string(raw) != "+OK\r\n" {
			t.Errorf("--bind %s: AUTH over %s: %q, %v", bind, s.addrs["tcp"], raw, err)
		}
	}
}

// checkPingHidesPassword: remoted ping reaches the share at url, whose
// password is pw, and prints the address without it.
func checkPingHidesPassword(t *testing.T, url, pw string) {
	t.Helper()
	out, err := exec.Command(buildRemoted(t), "ping", url).CombinedOutput()
	if err != nil || !strings.HasPrefix(string(out), "PONG from ") || strings.Contains(string(out), pw) {
		t.Errorf("remoted ping %s: %q, %v; want PONG and no password", strings.ReplaceAll(url, pw, "<pw>"), out, err)
	}
}

// TestPrivateTCPOptOut: --protected-mode no serves a loopback port
// without a password, as asked, and is still refused elsewhere.
func TestPrivateTCPOptOut(t *testing.T) {
	if selftest() {
		t.Skip("remoted's own command line")
	}
	s := serveArgs(t, nil, 1, "--unix", "", "--port", "0", "--protected-mode", "no")
	if raw, _, err := dialRESP(t, "tcp", s.addrs["tcp"]).Do("PING"); err != nil || string(raw) != "+PONG\r\n" {
		t.Errorf("PING over the opted-out port: %q, %v", raw, err)
	}
	out, err := exec.Command(buildRemoted(t), "serve", "--unix", "", "--bind", "0.0.0.0", "--port", "0", "--protected-mode", "no").CombinedOutput()
	if err == nil || !strings.Contains(string(out), "non-loopback") {
		t.Errorf("remoted served 0.0.0.0 without a password: %v\n%s", err, out)
	}
}

// TestREADMEWithoutXDG runs the README's first commands (the indented
// block that begins with sock=$(remoted path)) where XDG_RUNTIME_DIR is
// unset: the default share then lives in $TMPDIR/remoted-UID, and they
// must reach it as written.
func TestREADMEWithoutXDG(t *testing.T) {
	if selftest() {
		t.Skip("remoted's own command line")
	}
	cli := testdep.Tool(t, "redis-cli")
	dir := shortTempDir(t)
	env := noXDG(dir)
	s := serveArgs(t, env, 1)
	want := filepath.Join(dir, "remoted-"+strconv.Itoa(os.Getuid()), "default.sock")
	if s.addrs["unix"] != want {
		t.Errorf("default share without XDG_RUNTIME_DIR at %q, want %q", s.addrs["unix"], want)
	}
	script := readmeBlock(t, "sock=$(remoted path)")
	sh := exec.Command("sh", "-e", "-c", script)
	sh.Env = append(env, "PATH="+filepath.Dir(buildRemoted(t))+":"+filepath.Dir(cli)+":"+os.Getenv("PATH"))
	out, err := sh.CombinedOutput()
	if err != nil || string(out) != "OK\nhello\n" {
		t.Errorf("README commands without XDG_RUNTIME_DIR:\n%s\ngave %q, %v", script, out, err)
	}
}

// readmeBlock returns the README's first indented code block that begins
// with the line first, unindented and without its # comments.
func readmeBlock(t testing.TB, first string) string {
	t.Helper()
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(b), "\n    "+first+"\n")
	if !ok {
		t.Fatalf("README.md has no block beginning %q", first)
	}
	lines := []string{first}
	for _, l := range strings.Split(rest, "\n") {
		if !strings.HasPrefix(l, "    ") {
			break
		}
		cmd, _, _ := strings.Cut(l[4:], " #")
		lines = append(lines, strings.TrimSpace(cmd))
	}
	return strings.Join(lines, "\n")
}
