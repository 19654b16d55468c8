package server

import (
	"slices"
	"strings"
	"time"

	"github.com/remoted/remoted/resp"
)

// commandsClient handles CLIENT and its subcommands.
func (s *Server) commandsClient(r *registry) {
	r.plain("client|id", s.cmdClientID)
	r.plain("client|setname", s.cmdClientSetName)
	r.plain("client|getname", s.cmdClientGetName)
	r.plain("client|list", s.cmdClientList)
	r.plain("client|info", s.cmdClientInfo)
	r.plain("client|kill", s.cmdClientKill)
	r.plain("client|setinfo", s.cmdClientSetInfo)
	r.plain("client|reply", s.cmdClientReply)
	r.plain("client|unblock", s.cmdClientUnblock)
	r.plain("client|help", s.cmdClientHelp)
}

func (s *Server) cmdClientID(c *client, args [][]byte) { c.w.Int(c.id) }

func (s *Server) cmdClientSetName(c *client, args [][]byte) {
	if !validClientName(args[2]) {
		c.w.Error(resp.MsgClientNameSpace)
		return
	}
	c.setName(string(args[2]))
	c.w.OK()
}

func (s *Server) cmdClientGetName(c *client, args [][]byte) {
	c.mu.Lock()
	name := c.name
	c.mu.Unlock()
	if name == "" {
		c.w.Null()
		return
	}
	c.w.BulkString(name)
}

func (s *Server) cmdClientInfo(c *client, args [][]byte) {
	c.w.Verbatim(c.infoLine(time.Now(), "client|info"))
}

func (s *Server) cmdClientList(c *client, args [][]byte) {
	var ids []int64
	for i := 2; i < len(args); i++ {
		opt := strings.ToLower(string(args[i]))
		switch {
		case opt == "type" && i+1 < len(args):
			t := strings.ToLower(string(args[i+1]))
			if !slices.Contains([]string{"normal", "master", "replica", "slave", "pubsub"}, t) {
				c.w.Error(resp.MsgUnknownClientType(args[i+1]))
				return
			}
			if t != "normal" {
				ids = []int64{-1} // no client of that type
			}
			i++
		case opt == "id" && i+1 < len(args):
			for i++; i < len(args); i++ {
				id, ok := resp.ParseInt(args[i])
				if !ok || id <= 0 {
					c.w.Error(resp.MsgInvalidClientID)
					return
				}
				ids = append(ids, id)
			}
		default:
			c.w.Error(resp.MsgSyntax)
			return
		}
	}
	now := time.Now()
	var b strings.Builder
	for _, o := range s.clientsSnapshot() {
		if ids != nil && !slices.Contains(ids, o.id) {
			continue
		}
		cmd := ""
		if o == c {
			cmd = "client|list"
		}
		b.WriteString(o.infoLine(now, cmd))
	}
	c.w.Verbatim(b.String())
}

// clientsSnapshot returns the connected clients in id order. A client
// already killed is gone, as in Redis, even before its connection has
// finished closing.
func (s *Server) clientsSnapshot() []*client {
	s.mu.Lock()
	list := make([]*client, 0, len(s.clients))
	for _, c := range s.clients {
		if !c.killed.Load() {
			list = append(list, c)
		}
	}
	s.mu.Unlock()
	slices.SortFunc(list, func(a, b *client) int { return int(a.id - b.id) })
	return list
}

// infoLine renders the client as one CLIENT LIST line. curCmd, if not
// empty, is shown as the last command (the one running now).
// listFlags are CLIENT LIST's flags and lock-wait fields.
func (c *client) listFlags(inMulti bool) (flags, lockWait string) {
	lockWait = "0"
	if inMulti {
		flags += "x"
	}
	if c.lockWait.Load() || c.gateWait.Load() {
		flags += "b"
		lockWait = "1"
	} else if c.keyWait.Load() != nil {
		flags += "b"
	}
	if c.dirtyCAS.Load() {
		flags += "d"
	}
	if c.tr.unixPath != "" {
		flags += "U"
	}
	if flags == "" {
		flags = "N"
	}
	return flags, lockWait
}

func (c *client) infoLine(now time.Time, curCmd string) string {
	c.mu.Lock()
	name, lib, ver, proto := c.name, c.libName, c.libVer, c.proto
	c.mu.Unlock()
	last := "NULL"
	if m := c.lastCmd.Load(); m != nil {
		last = m.Name
	}
	if curCmd != "" {
		last = curCmd
		if c.execing { // curCmd is given for the caller only, whose field this is
			last = "exec" // Redis shows the EXEC running it
		}
	}
	multi := c.txQueued.Load()
	flags, lockWait := c.listFlags(multi >= 0)
	// omem: replies waiting for the client to read them (meanwhile its
	// input is not read), shown as Redis shows its reply list: oll blocks
	// of up to 16 KiB. qbuf: input received and not yet run.
	omem, events := c.tr.omem.Load(), "r"
	if omem > 0 {
		events = "w"
	}
	qbuf, qfree := c.tr.qbuf.Load(), c.tr.qbufFree.Load()
	var b strings.Builder
	for _, kv := range [...][2]string{
		{"id", itoa(c.id)}, {"addr", c.tr.addr}, {"laddr", c.tr.laddr}, {"fd", itoa(c.tr.fd.Load())},
		{"name", name}, {"age", itoa(int64(now.Sub(c.created) / time.Second))},
		{"idle", itoa(c.idleSeconds(now))}, {"flags", flags}, {"db", "0"},
		{"sub", "0"}, {"psub", "0"}, {"ssub", "0"}, {"multi", itoa(multi)},
		{"qbuf", itoa(qbuf)}, {"qbuf-free", itoa(qfree)}, {"argv-mem", "0"}, {"multi-mem", "0"},
		{"rbs", "0"}, {"rbp", "0"}, {"obl", "0"}, {"oll", itoa((omem + 16<<10 - 1) / (16 << 10))}, {"omem", itoa(omem)},
		{"tot-mem", itoa(qbuf + qfree + omem)}, {"events", events}, {"cmd", last}, {"user", defaultUser},
		{"redir", "-1"}, {"resp", itoa(int64(proto))}, {"lib-name", lib}, {"lib-ver", ver},
		{"locks", itoa(c.locksHeld.Load())}, {"lock-wait", lockWait},
	} {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(kv[0])
		b.WriteByte('=')
		b.WriteString(kv[1])
	}
	b.WriteByte('\n')
	return b.String()
}

// killFilter is CLIENT KILL's filter, new form.
type killFilter struct {
	id           int64
	addr, laddr  string
	typ          string
	skipMe       bool
	maxAge       int64
	hasAny       bool
	userMismatch bool
}

func parseKillFilter(args [][]byte) (killFilter, string) {
	f := killFilter{skipMe: true}
	for i := 2; i < len(args); i += 2 {
		if i+1 >= len(args) {
			return f, resp.MsgSyntax
		}
		val := string(args[i+1])
		f.hasAny = true
		switch strings.ToLower(string(args[i])) {
		case "id":
			id, ok := resp.ParseInt(args[i+1])
			if !ok || id <= 0 {
				return f, resp.MsgClientIDNotPositive
			}
			f.id = id
		case "addr":
			f.addr = val
		case "laddr":
			f.laddr = val
		case "type":
			t := strings.ToLower(val)
			if !slices.Contains([]string{"normal", "master", "replica", "slave", "pubsub"}, t) {
				return f, resp.MsgUnknownClientType(args[i+1])
			}
			f.typ = t
		case "user":
			f.userMismatch = val != defaultUser
		case "skipme":
			switch strings.ToLower(val) {
			case "yes":
				f.skipMe = true
			case "no":
				f.skipMe = false
			default:
				return f, resp.MsgSyntax
			}
		case "maxage":
			age, ok := resp.ParseInt(args[i+1])
			if !ok {
				return f, resp.MsgNotInteger
			}
			f.maxAge = age
		default:
			return f, resp.MsgSyntax
		}
	}
	return f, ""
}

func (f killFilter) matches(c, self *client, now time.Time) bool {
	switch {
	case f.userMismatch, f.typ != "" && f.typ != "normal":
		return false
	case f.id != 0 && c.id != f.id,
		f.addr != "" && c.tr.addr != f.addr,
		f.laddr != "" && c.tr.laddr != f.laddr,
		f.skipMe && c == self,
		f.maxAge != 0 && int64(now.Sub(c.created)/time.Second) < f.maxAge:
		return false
	}
	return true
}

func (s *Server) cmdClientKill(c *client, args [][]byte) {
	if len(args) == 3 { // old form: CLIENT KILL addr:port
		for _, o := range s.clientsSnapshot() {
			if o.tr.addr == string(args[2]) {
				s.killClient(c, o)
				c.w.OK()
				return
			}
		}
		c.w.Error(resp.MsgNoSuchClient)
		return
	}
	f, errText := parseKillFilter(args)
	if errText != "" {
		c.w.Error(errText)
		return
	}
	now := time.Now()
	var n int64
	for _, o := range s.clientsSnapshot() {
		if f.matches(o, c, now) {
			s.killClient(c, o)
			n++
		}
	}
	c.w.Int(n)
}

// killClient disconnects victim; a client killing itself is closed after
// this reply, as in Redis.
func (s *Server) killClient(self, victim *client) {
	if victim == self {
		victim.kill()
		return
	}
	victim.disconnect()
}

func (s *Server) cmdClientSetInfo(c *client, args [][]byte) {
	attr := strings.ToLower(string(args[2]))
	if attr != "lib-name" && attr != "lib-ver" {
		c.w.Error(resp.MsgUnrecognizedOption(args[2]))
		return
	}
	if !validClientName(args[3]) {
		c.w.Error(resp.MsgBadClientAttr(attr))
		return
	}
	c.mu.Lock()
	if attr == "lib-name" {
		c.libName = string(args[3])
	} else {
		c.libVer = string(args[3])
	}
	c.mu.Unlock()
	c.w.OK()
}

func (s *Server) cmdClientReply(c *client, args [][]byte) {
	switch strings.ToLower(string(args[2])) {
	case "on":
		c.reply = replyOn
		c.out.OK()
	case "off":
		c.reply = replyOff
	case "skip":
		if c.reply == replyOn {
			c.reply = replySkipNext
		}
	default:
		c.w.Error(resp.MsgSyntax)
	}
}

// cmdClientUnblock is CLIENT UNBLOCK id [TIMEOUT|ERROR]: a client blocked
// on keys is answered as if its timeout had passed, or with Redis's
// UNBLOCKED error, and 1 is the reply; 0 if no client of that id is
// blocked so. A client waiting for a lock is not: LOCK has its own
// TIMEOUT. The reason is checked before the id, as in Redis.
func (s *Server) cmdClientUnblock(c *client, args [][]byte) {
	if len(args) > 4 {
		c.w.Error(resp.MsgUnknownSubcommand("client", args[1]))
		return
	}
	errText := ""
	if len(args) == 4 {
		switch {
		case optIs(args[3], "timeout"):
		case optIs(args[3], "error"):
			errText = resp.MsgUnblocked
		default:
			c.w.Error(resp.MsgUnblockReason)
			return
		}
	}
	id, ok := resp.ParseInt(args[2])
	if !ok {
		c.w.Error(resp.MsgNotInteger)
		return
	}
	s.mu.Lock()
	target := s.clients[id]
	s.mu.Unlock()
	if target != nil && target != c && s.unblockClient(target, errText) {
		c.w.Int(1)
		return
	}
	c.w.Int(0)
}

var clientHelp = []string{
	"CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"GETNAME",
	"    Return the name of the current connection.",
	"ID",
	"    Return the ID of the current connection.",
	"INFO",
	"    Return information about the current client connection.",
	"KILL <ip:port>",
	"    Kill connection made from <ip:port>.",
	"KILL <option> <value> [<option> <value> [...]]",
	"    Kill connections. Options are: ID <client-id>, ADDR <ip:port>,",
	"    LADDR <ip:port>, TYPE normal|master|replica|pubsub, USER <name>,",
	"    SKIPME yes|no (default yes), MAXAGE <seconds>.",
	"LIST [options ...]",
	"    Return information about client connections. Options:",
	"    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB): return clients of the given type.",
	"    * ID <client-id> [client-id ...]: return clients with the given ids.",
	"REPLY (ON|OFF|SKIP)",
	"    Control the replies sent to the current connection.",
	"SETNAME <name>",
	"    Name the current connection.",
	"SETINFO <LIB-NAME|LIB-VER> <value>",
	"    Record the client library's name or version for CLIENT LIST.",
	"UNBLOCK <clientid> [TIMEOUT|ERROR]",
	"    Answer a client blocked on keys (BLPOP, ...) now: as on a timeout, or with an error.",
	"HELP",
	"    Print this help.",
}

func (s *Server) cmdClientHelp(c *client, args [][]byte) { c.writeHelp(clientHelp) }

// writeHelp writes a HELP reply: an array of simple strings.
func (c *client) writeHelp(lines []string) {
	c.w.Array(len(lines))
	for _, l := range lines {
		c.w.Simple(l)
	}
}
