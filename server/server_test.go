package server

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/remoted/remoted/internal/addr"
	"github.com/remoted/remoted/resp"
)

func TestConnectionCommands(t *testing.T) {
	_, path := newTestServer(t, Config{})
	c := dial(t, path)
	run(t, c, []cmdCase{
		{[]string{"PING"}, "PONG"},
		{[]string{"ping", "hi"}, "hi"},
		{[]string{"PING", "a", "b"}, "ERR wrong number of arguments for 'ping' command"},
		{[]string{"ECHO", "x y"}, "x y"},
		{[]string{"ECHO"}, "ERR wrong number of arguments for 'echo' command"},
		{[]string{"SELECT", "0"}, "OK"},
		{[]string{"SELECT", "1"}, resp.MsgDBIndex},
		{[]string{"SELECT", "x"}, resp.MsgNotInteger},
		{[]string{"NOPE", "a", "b"}, "ERR unknown command 'NOPE', with args beginning with: 'a' 'b' "},
		{[]string{"CLIENT", "NOPE"}, "ERR unknown subcommand 'NOPE'. Try CLIENT HELP."},
		{[]string{"CLIENT", "MAINT_NOTIFICATIONS", "on"}, "ERR unknown subcommand 'MAINT_NOTIFICATIONS'. Try CLIENT HELP."},
		{[]string{"CLIENT"}, "ERR wrong number of arguments for 'client' command"},
		{[]string{"CLIENT", "SETNAME"}, "ERR wrong number of arguments for 'client|setname' command"},
		{[]string{"CLIENT", "GETNAME"}, "(nil)"},
		{[]string{"CLIENT", "SETNAME", "a b"}, resp.MsgClientNameSpace},
		{[]string{"CLIENT", "SETNAME", "worker-1"}, "OK"},
		{[]string{"CLIENT", "GETNAME"}, "worker-1"},
		{[]string{"CLIENT", "SETINFO", "LIB-NAME", "go-redis(,go1.26)"}, "OK"},
		{[]string{"CLIENT", "SETINFO", "LIB-VER", "9.1"}, "OK"},
		{[]string{"CLIENT", "SETINFO", "foo", "x"}, "ERR Unrecognized option 'foo'"},
		{[]string{"CLIENT", "REPLY", "maybe"}, resp.MsgSyntax},
		{[]string{"AUTH", "x"}, resp.MsgNoPassword},
		{[]string{"AUTH", "default", "anything"}, "OK"},
		{[]string{"AUTH", "bob", "x"}, resp.MsgWrongPass},
		{[]string{"HELLO", "4"}, resp.MsgNoProto},
		{[]string{"HELLO", "x"}, "ERR Protocol version is not an integer or out of range"},
		{[]string{"HELLO", "3", "FOO"}, "ERR Syntax error in HELLO option 'FOO'"},
	})
	info := c.Do("CLIENT", "INFO")
	for _, want := range []string{"name=worker-1", "lib-name=go-redis(,go1.26)", "lib-ver=9.1", "cmd=client|info", "resp=2"} {
		if !strings.Contains(info, want) {
			t.Errorf("CLIENT INFO %q lacks %q", info, want)
		}
	}
}

func TestHelloRESP3(t *testing.T) {
	_, path := newTestServer(t, Config{})
	c := dial(t, path)
	c.Send("HELLO", "3", "SETNAME", "me")
	raw := c.ReadRawReply()
	if !strings.HasPrefix(raw, "%7\r\n$6\r\nserver\r\n$7\r\nremoted\r\n$7\r\nversion\r\n") ||
		!strings.Contains(raw, "$5\r\nproto\r\n:3\r\n") || !strings.HasSuffix(raw, "$7\r\nmodules\r\n*0\r\n") {
		t.Fatalf("HELLO 3 reply %q", raw)
	}
	c.Send("CLIENT", "GETNAME")
	if raw := c.ReadRawReply(); raw != "$2\r\nme\r\n" {
		t.Errorf("name %q", raw)
	}
	c.Send("CONFIG", "GET", "appendonly")
	if raw := c.ReadRawReply(); raw != "%1\r\n$10\r\nappendonly\r\n$2\r\nno\r\n" {
		t.Errorf("CONFIG GET in RESP3 %q", raw)
	}
	c.Send("HELLO", "2")
	c.ReadRawReply()
	c.Send("CONFIG", "GET", "appendonly")
	if raw := c.ReadRawReply(); raw != "*2\r\n$10\r\nappendonly\r\n$2\r\nno\r\n" {
		t.Errorf("CONFIG GET back in RESP2 %q", raw)
	}
}

func TestAuthRequired(t *testing.T) {
	_, path := newTestServer(t, Config{RequirePass: "s3cret"})
	c := dial(t, path)
	run(t, c, []cmdCase{
		{[]string{"PING"}, resp.MsgNoAuth},
		{[]string{"GET", "k"}, resp.MsgNoAuth},
		{[]string{"CLIENT", "ID"}, resp.MsgNoAuth},
		{[]string{"SHUTDOWN"}, resp.MsgNoAuth},
		{[]string{"HELLO", "3"}, resp.MsgHelloNoAuth},
		{[]string{"AUTH", "wrong"}, resp.MsgWrongPass},
		{[]string{"HELLO", "2", "AUTH", "default", "wrong"}, resp.MsgWrongPass},
		{[]string{"AUTH", "s3cret"}, "OK"},
		{[]string{"PING"}, "PONG"},
		{[]string{"RESET"}, "RESET"},
		{[]string{"PING"}, resp.MsgNoAuth},
		{[]string{"AUTH", "default", "s3cret"}, "OK"},
		{[]string{"PING"}, "PONG"},
	})
	// Before AUTH a client may not send big requests.
	c2 := dial(t, path)
	c2.Write("*11\r\n")
	if got, closed := c2.ReadRaw(5 * time.Second); got != "-"+resp.MsgProtoUnauthMultibulk+"\r\n" || !closed {
		t.Errorf("unauthenticated multibulk: %q closed=%v", got, closed)
	}
	c3 := dial(t, path)
	c3.Do("AUTH", "s3cret")
	c3.Send("ECHO", strings.Repeat("x", 20000))
	if got := c3.Read(); len(got) != 20000 {
		t.Errorf("authenticated big echo: %d bytes", len(got))
	}
	// The limits are checked command by command, as Redis does: an AUTH
	// lifts them for the commands pipelined behind it in the same write,
	// and a failed one does not.
	big := "*2\r\n$4\r\nECHO\r\n$20000\r\n" + strings.Repeat("x", 20000) + "\r\n"
	c4 := dial(t, path)
	c4.Write("*2\r\n$4\r\nAUTH\r\n$6\r\ns3cret\r\n" + big + "*1\r\n$4\r\nPING\r\n")
	if got := c4.Read(); got != "OK" {
		t.Errorf("pipelined AUTH: %q", got)
	}
	if got := c4.Read(); len(got) != 20000 {
		t.Errorf("big echo pipelined behind AUTH: %q", got[:min(len(got), 80)])
	}
	if got := c4.Read(); got != "PONG" {
		t.Errorf("PING behind it: %q", got)
	}
	c5 := dial(t, path)
	c5.Write("*2\r\n$4\r\nAUTH\r\n$5\r\nwrong\r\n" + big)
	if got, closed := c5.ReadRaw(5 * time.Second); got != "-"+resp.MsgWrongPass+"\r\n-"+resp.MsgProtoUnauthBulk+"\r\n" || !closed {
		t.Errorf("big echo behind a failed AUTH: %q closed=%v", got, closed)
	}
}

func TestProtocolErrorsCloseOnlyThatClient(t *testing.T) {
	_, path := newTestServer(t, Config{ProtoMaxBulkLen: 1 << 20})
	bystander := dial(t, path)
	bystander.Do("CLIENT", "SETNAME", "bystander")
	cases := []struct{ in, want string }{
		{"*abc\r\n", "-" + resp.MsgProtoInvalidMultibulk + "\r\n"},
		{"*1\r\n:1\r\n", "-" + resp.MsgProtoExpectedDollar(':') + "\r\n"},
		{"PING\r\n*1\r\n$-5\r\n", "+PONG\r\n-" + resp.MsgProtoInvalidBulk + "\r\n"},
		{"*1\r\n$2000000\r\n", "-" + resp.MsgProtoInvalidBulk + "\r\n"},
		{"GET \"a\r\n", "-" + resp.MsgProtoUnbalancedQuotes + "\r\n"},
	}
	for _, tc := range cases {
		c := dial(t, path)
		c.Write(tc.in)
		got, closed := c.ReadRaw(5 * time.Second)
		if got != tc.want || !closed {
			t.Errorf("%q: got %q closed=%v, want %q and close", tc.in, got, closed, tc.want)
		}
	}
	if got := bystander.Do("CLIENT", "GETNAME"); got != "bystander" {
		t.Errorf("bystander disturbed: %q", got)
	}
	// *0 and *-1 are ignored, as in Redis, and the connection stays.
	c := dial(t, path)
	c.Write("*0\r\n*-1\r\n")
	if got := c.Do("PING"); got != "PONG" {
		t.Errorf("after *0: %q", got)
	}
}

func TestMaxClients(t *testing.T) {
	s, path := newTestServer(t, Config{MaxClients: 2})
	a, b := dial(t, path), dial(t, path)
	a.Do("PING")
	b.Do("PING")
	c := dial(t, path)
	if got, closed := c.ReadRaw(5 * time.Second); got != "-"+resp.MsgMaxClients+"\r\n" || !closed {
		t.Errorf("third client: %q closed=%v", got, closed)
	}
	if got := a.Do("PING"); got != "PONG" {
		t.Errorf("first client after rejection: %q", got)
	}
	if n := s.stats.rejected.Load(); n != 1 {
		t.Errorf("rejected_connections = %d", n)
	}
}

func TestClientKill(t *testing.T) {
	_, path := newTestServer(t, Config{})
	victim := dial(t, path)
	id := victim.Do("CLIENT", "ID")
	killer := dial(t, path)
	run(t, killer, []cmdCase{
		{[]string{"CLIENT", "KILL", "ID", id}, "1"},
		{[]string{"CLIENT", "KILL", "ID", id}, "0"},
		{[]string{"CLIENT", "KILL", "1.2.3.4:5"}, resp.MsgNoSuchClient},
		{[]string{"CLIENT", "KILL", "ID"}, resp.MsgNoSuchClient}, // the old addr form
		{[]string{"CLIENT", "KILL", "ID", "1", "SKIPME"}, resp.MsgSyntax},
		{[]string{"CLIENT", "KILL", "ID", "0"}, "ERR client-id should be greater than 0"},
		{[]string{"CLIENT", "KILL", "TYPE", "master"}, "0"},
	})
	if _, closed := victim.ReadRaw(5 * time.Second); !closed {
		t.Error("victim still connected")
	}
	if got := killer.Do("CLIENT", "KILL", "SKIPME", "no"); got != "1" {
		t.Errorf("kill self: %q", got)
	}
	if _, closed := killer.ReadRaw(5 * time.Second); !closed {
		t.Error("killer survived SKIPME no")
	}
}

func TestClientReply(t *testing.T) {
	_, path := newTestServer(t, Config{})
	c := dial(t, path)
	c.Send("CLIENT", "REPLY", "OFF")
	c.Send("ECHO", "lost")
	c.Send("CLIENT", "REPLY", "ON")
	if got := c.Read(); got != "OK" {
		t.Fatalf("REPLY ON: %q", got)
	}
	c.Send("CLIENT", "REPLY", "SKIP")
	c.Send("ECHO", "skipped")
	if got := c.Do("ECHO", "seen"); got != "seen" {
		t.Errorf("after SKIP: %q", got)
	}
}

func TestQuitRunsNothingAfter(t *testing.T) {
	_, path := newTestServer(t, Config{})
	c := dial(t, path)
	c.Write("PING\r\nQUIT\r\nPING\r\n")
	if got, closed := c.ReadRaw(5 * time.Second); got != "+PONG\r\n+OK\r\n" || !closed {
		t.Errorf("got %q closed=%v", got, closed)
	}
}

func TestMonitor(t *testing.T) {
	_, path := newTestServer(t, Config{})
	m := dial(t, path)
	if got := m.Do("MONITOR"); got != "OK" {
		t.Fatalf("MONITOR: %q", got)
	}
	c := dial(t, path)
	c.Do("ECHO", "hi \"there\"\n")
	c.Do("AUTH", "default", "secret")
	for _, want := range []string{`] "ECHO" "hi \"there\"\n"`, `] "AUTH" "(redacted)" "(redacted)"`} {
		line := m.Read()
		if !strings.HasSuffix(line, want) || !strings.Contains(line, "[0 unix:") {
			t.Errorf("monitor line %q, want suffix %q", line, want)
		}
	}
}

func TestShutdownDrainsAndRefuses(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	path := filepath.Join(t.TempDir(), "s.sock")
	ln, err := addr.ListenUnix(path)
	if err != nil {
		t.Fatal(err)
	}
	s := New(Config{Logger: log})
	served := make(chan error, 1)
	go func() { served <- s.Serve(ln) }()
	c := dial(t, path)
	// A pipeline already sent gets every reply before the close.
	var want strings.Builder
	for range 100 {
		c.Send("ECHO", "x")
		want.WriteString("$1\r\nx\r\n")
	}
	if got := c.Read(); got != "x" {
		t.Fatal(got)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-served; !errors.Is(err, ErrServerClosed) {
		t.Errorf("Serve: %v", err)
	}
	rest, closed := c.ReadRaw(5 * time.Second)
	if !closed || len(rest) > want.Len() {
		t.Errorf("after shutdown: %d bytes, closed=%v", len(rest), closed)
	}
	if _, err := net.Dial("unix", path); err == nil {
		t.Error("still accepting after Shutdown")
	}
}

func TestIdleExit(t *testing.T) {
	s, path := newTestServer(t, Config{IdleExit: 50 * time.Millisecond})
	c := dial(t, path)
	c.Do("PING")
	select {
	case <-s.Done():
		t.Fatal("exited with a client connected")
	case <-time.After(200 * time.Millisecond):
	}
	c.c.Close()
	select {
	case <-s.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("no idle exit after the last client left")
	}
}

func TestManyClientsConcurrently(t *testing.T) {
	_, path := newTestServer(t, Config{})
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := dial(t, path)
			name := "c" + itoa(int64(i))
			for range 50 {
				if got := c.Do("ECHO", name); got != name {
					t.Errorf("got %q want %q", got, name)
					return
				}
			}
		}()
	}
	wg.Wait()
}
