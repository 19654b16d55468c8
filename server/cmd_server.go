package server

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/remoted/remoted/resp"
)

// commandsServer handles the server as a whole: COMMAND, CONFIG (see
// config.go), INFO,
// DBSIZE, FLUSHDB/FLUSHALL, TIME, SHUTDOWN and MONITOR.
func (s *Server) commandsServer(r *registry) {
	r.plain("command", s.cmdCommand)
	r.plain("command|count", s.cmdCommandCount)
	r.plain("command|info", s.cmdCommandInfo)
	r.plain("command|docs", s.cmdCommandDocs)
	r.plain("command|list", s.cmdCommandList)
	r.plain("command|help", s.cmdCommandHelp)
	r.plain("config|get", s.cmdConfigGet)
	r.plain("config|set", s.cmdConfigSet)
	r.plain("config|resetstat", s.cmdConfigResetStat)
	r.plain("config|help", s.cmdConfigHelp)
	r.plain("info", s.cmdInfo)
	r.key("dbsize", s.cmdDBSize)
	r.key("flushdb", s.cmdFlush)
	r.key("flushall", s.cmdFlush)
	r.plain("time", s.cmdTime)
	r.plain("shutdown", s.cmdShutdown)
	r.plain("monitor", s.cmdMonitor)
}

func (s *Server) cmdCommand(c *client, args [][]byte) {
	all := s.table.All()
	c.w.Array(len(all))
	for _, meta := range all {
		c.w.CommandInfo(meta)
	}
}

func (s *Server) cmdCommandCount(c *client, args [][]byte) { c.w.Int(int64(s.table.Len())) }

func (s *Server) cmdCommandInfo(c *client, args [][]byte) {
	if len(args) == 2 {
		s.cmdCommand(c, args)
		return
	}
	c.w.Array(len(args) - 2)
	for _, name := range args[2:] {
		c.w.CommandInfo(s.metaByName(name))
	}
}

// metaByName finds a command or "parent|sub" subcommand, or nil.
func (s *Server) metaByName(name []byte) *resp.Command {
	n := strings.ToLower(string(name))
	parent, sub, isSub := strings.Cut(n, "|")
	meta := s.table.Lookup(parent)
	if meta == nil || !isSub {
		return meta
	}
	return meta.Sub(sub)
}

func (s *Server) cmdCommandDocs(c *client, args [][]byte) {
	var list []*resp.Command
	if len(args) == 2 {
		list = s.table.All()
	} else {
		for _, name := range args[2:] {
			if meta := s.metaByName(name); meta != nil {
				list = append(list, meta)
			}
		}
	}
	c.w.Map(len(list))
	for _, meta := range list {
		c.w.BulkString(meta.Name)
		c.w.CommandDocs(meta)
	}
}

func (s *Server) cmdCommandList(c *client, args [][]byte) {
	var pattern string
	switch {
	case len(args) == 2:
	case len(args) == 5 && strings.EqualFold(string(args[2]), "filterby") &&
		strings.EqualFold(string(args[3]), "pattern"):
		pattern = string(args[4])
	case len(args) == 5 && strings.EqualFold(string(args[2]), "filterby"):
		c.w.Array(0) // MODULE and ACLCAT: remoted has no modules; categories unsupported
		return
	default:
		c.w.Error(resp.MsgSyntax)
		return
	}
	var names []string
	for _, meta := range s.table.All() {
		for _, n := range append([]string{meta.Name}, subNames(meta)...) {
			if pattern == "" || globMatch([]byte(pattern), []byte(n)) {
				names = append(names, n)
			}
		}
	}
	c.w.Array(len(names))
	for _, n := range names {
		c.w.BulkString(n)
	}
}

func subNames(meta *resp.Command) []string {
	var out []string
	for _, sc := range meta.Subcommands {
		out = append(out, sc.Name)
	}
	return out
}

var commandHelp = []string{
	"COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"(no subcommand)",
	"    Return details about all commands.",
	"COUNT",
	"    Return the total number of commands in this server.",
	"LIST [FILTERBY PATTERN <pattern>]",
	"    Return a list of all command names.",
	"INFO [<command-name> ...]",
	"    Return details about the given commands, or all of them.",
	"DOCS [<command-name> ...]",
	"    Return documentation about the given commands, or all of them.",
	"HELP",
	"    Print this help.",
}

func (s *Server) cmdCommandHelp(c *client, args [][]byte) { c.writeHelp(commandHelp) }

var configHelp = []string{
	"CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"GET <pattern>",
	"    Return parameters matching the glob-like <pattern> and their values.",
	"SET <directive> <value>",
	"    Set the configuration <directive> to <value>.",
	"RESETSTAT",
	"    Reset statistics reported by the INFO command.",
	"HELP",
	"    Prints this help.",
}

func (s *Server) cmdConfigHelp(c *client, args [][]byte) { c.writeHelp(configHelp) }

func (s *Server) cmdDBSize(c *client, args [][]byte) { c.w.Int(int64(s.db.size())) }

// cmdFlush is FLUSHDB and FLUSHALL: with one database they are the same.
// ASYNC and SYNC are accepted; the flush is immediate either way.
func (s *Server) cmdFlush(c *client, args [][]byte) {
	if len(args) > 2 {
		c.w.Error(resp.MsgSyntax)
		return
	}
	if len(args) == 2 {
		if o := strings.ToLower(string(args[1])); o != "async" && o != "sync" {
			c.w.Error(resp.MsgSyntax)
			return
		}
	}
	s.db.flush()
	c.w.OK()
}

func (s *Server) cmdTime(c *client, args [][]byte) {
	now := time.Now()
	c.w.Array(2)
	c.w.BulkString(strconv.FormatInt(now.Unix(), 10))
	c.w.BulkString(strconv.FormatInt(int64(now.Nanosecond()/1000), 10))
}

// cmdShutdown stops the server: like Redis, the client gets no reply and
// is disconnected; the process embedding the server sees Done close.
func (s *Server) cmdShutdown(c *client, args [][]byte) {
	for _, a := range args[1:] {
		switch strings.ToLower(string(a)) {
		case "nosave", "save", "now", "force":
		case "abort":
			c.w.Error(resp.MsgNoShutdown)
			return
		default:
			c.w.Error(resp.MsgSyntax)
			return
		}
	}
	s.log.Info("SHUTDOWN requested", "client", c.id, "addr", c.tr.addr)
	c.killed.Store(true)
	go s.Shutdown(context.Background())
}

func (s *Server) cmdMonitor(c *client, args [][]byte) {
	s.monitors.add(c)
}
