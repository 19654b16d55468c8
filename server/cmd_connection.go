package server

import (
	"crypto/subtle"
	"strconv"
	"strings"

	"github.com/remoted/remoted/resp"
)

// commandsConnection handles the connection's own state: PING, AUTH,
// HELLO, SELECT, RESET, QUIT and CLIENT.
func (s *Server) commandsConnection(r *registry) {
	r.plain("ping", s.cmdPing)
	r.plain("echo", s.cmdEcho)
	r.plain("quit", s.cmdQuit)
	r.plain("hello", s.cmdHello)
	r.plain("auth", s.cmdAuth)
	r.plain("select", s.cmdSelect)
	r.plain("reset", s.cmdReset)
	s.commandsClient(r)
}

const (
	defaultUser      = "default"
	resetReply       = "RESET"
	helloServerName  = "remoted"
	helloModeDefault = "standalone"
)

func (s *Server) cmdPing(c *client, args [][]byte) {
	switch len(args) {
	case 1:
		c.w.Pong()
	case 2:
		c.w.Bulk(args[1])
	default:
		c.w.Error(resp.MsgWrongArgs("ping"))
	}
}

func (s *Server) cmdEcho(c *client, args [][]byte) { c.w.Bulk(args[1]) }

func (s *Server) cmdQuit(c *client, args [][]byte) {
	c.w.OK()
	c.tr.quit = true // run nothing more; close once the reply is written
}

// checkPassword reports whether user/pass authenticate: the only user is
// "default", which needs RequirePass when one is set and accepts any
// password otherwise, as Redis's nopass default user does.
func (s *Server) checkPassword(user, pass []byte) bool {
	if string(user) != defaultUser {
		return false
	}
	want := s.requirePass()
	if want == "" {
		return true
	}
	return subtle.ConstantTimeCompare(pass, []byte(want)) == 1
}

func (c *client) setAuthed(ok bool) {
	c.authed = ok
	c.tr.needAuth = !ok
}

func (s *Server) cmdAuth(c *client, args [][]byte) {
	var user, pass []byte
	switch len(args) {
	case 2:
		if s.requirePass() == "" {
			c.w.Error(resp.MsgNoPassword)
			return
		}
		user, pass = []byte(defaultUser), args[1]
	case 3:
		user, pass = args[1], args[2]
	default:
		c.w.Error(resp.MsgSyntax)
		return
	}
	if !s.checkPassword(user, pass) {
		c.w.Error(resp.MsgWrongPass)
		return
	}
	c.setAuthed(true)
	c.w.OK()
}

// helloOpts are HELLO's parsed arguments.
type helloOpts struct {
	proto      int
	user, pass []byte
	auth       bool
	name       []byte
	setName    bool
}

func parseHello(args [][]byte) (helloOpts, string) {
	o := helloOpts{}
	if len(args) >= 2 {
		v, ok := resp.ParseInt(args[1])
		if !ok {
			return o, resp.MsgHelloProtoVersion
		}
		if v < 2 || v > 3 {
			return o, resp.MsgNoProto
		}
		o.proto = int(v)
	}
	for i := 2; i < len(args); i++ {
		more := len(args) - i - 1
		switch opt := strings.ToLower(string(args[i])); {
		case opt == "auth" && more >= 2:
			o.auth, o.user, o.pass = true, args[i+1], args[i+2]
			i += 2
		case opt == "setname" && more >= 1:
			o.setName, o.name = true, args[i+1]
			i++
		default:
			return o, resp.MsgHelloSyntax(args[i])
		}
	}
	return o, ""
}

func (s *Server) cmdHello(c *client, args [][]byte) {
	o, errText := parseHello(args)
	if errText != "" {
		c.w.Error(errText)
		return
	}
	if o.auth {
		if !s.checkPassword(o.user, o.pass) {
			c.w.Error(resp.MsgWrongPass)
			return
		}
		c.setAuthed(true)
	}
	if !c.authed {
		c.w.Error(resp.MsgHelloNoAuth)
		return
	}
	if o.setName {
		if !validClientName(o.name) {
			c.w.Error(resp.MsgClientNameSpace)
			return
		}
		c.setName(string(o.name))
	}
	if o.proto != 0 {
		c.setProto(o.proto)
	}
	w := c.w
	w.Map(7)
	w.BulkString("server")
	w.BulkString(helloServerName)
	w.BulkString("version")
	w.BulkString(Version)
	w.BulkString("proto")
	w.Int(int64(w.Proto()))
	w.BulkString("id")
	w.Int(c.id)
	w.BulkString("mode")
	w.BulkString(helloModeDefault)
	w.BulkString("role")
	w.BulkString("master")
	w.BulkString("modules")
	w.Array(0)
}

func (s *Server) cmdSelect(c *client, args [][]byte) {
	n, ok := resp.ParseInt(args[1])
	switch {
	case !ok || n != int64(int32(n)):
		c.w.Error(resp.MsgNotInteger)
	case n != 0:
		c.w.Error(resp.MsgDBIndex)
	default:
		c.w.OK()
	}
}

// cmdReset returns the connection to its state after connecting: RESP2,
// no name, replies on, no transaction, no watched keys, no locks held, and
// unauthenticated if a password is set.
func (s *Server) cmdReset(c *client, args [][]byte) {
	c.endTx()
	s.locks.releaseAll(c)
	c.setName("")
	c.setProto(2)
	c.reply = replyOn
	c.setAuthed(s.requirePass() == "")
	c.w.Simple(resetReply)
}

// validClientName reports whether name may be a client name: printable
// ASCII without spaces.
func validClientName(name []byte) bool {
	for _, ch := range name {
		if ch < '!' || ch > '~' {
			return false
		}
	}
	return true
}

func (c *client) setName(name string) {
	c.mu.Lock()
	c.name = name
	c.mu.Unlock()
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
