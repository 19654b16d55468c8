package server

import (
	"strings"

	"github.com/remoted/remoted/resp"
	lua "github.com/yuin/gopher-lua"
)

// commandsScript handles Lua scripts: EVAL, EVALSHA, EVAL_RO, EVALSHA_RO
// and SCRIPT LOAD, EXISTS, FLUSH and HELP, as Redis 7.0 runs them.
//
// A script runs under the keyspace lock from start to end, as EXEC's
// commands do (the commands are keyspace commands, so the dispatcher
// passes the share-wide lock gate and holds the lock first): no other
// client's command interleaves with it. The commands it calls run
// through their own handlers, as the calling client, with the checks
// Redis makes inside scripts.
func (s *Server) commandsScript(r *registry) {
	r.key("eval", func(c *client, args [][]byte) { s.evalGeneric(c, args, false, false) })
	r.key("evalsha", func(c *client, args [][]byte) { s.evalGeneric(c, args, true, false) })
	r.key("eval_ro", func(c *client, args [][]byte) { s.evalGeneric(c, args, false, true) })
	r.key("evalsha_ro", func(c *client, args [][]byte) { s.evalGeneric(c, args, true, true) })
	r.key("script|load", s.cmdScriptLoad)
	r.plain("script|exists", s.cmdScriptExists)
	r.key("script|flush", s.cmdScriptFlush)
	r.plain("script|help", func(c *client, args [][]byte) { c.writeHelp(scriptHelp) })
}

var scriptHelp = []string{
	"SCRIPT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"DEBUG (YES|SYNC|NO)",
	"    Set the debug mode for subsequent scripts executed.",
	"EXISTS <sha1> [<sha1> ...]",
	"    Return information about the existence of the scripts in the script cache.",
	"FLUSH [ASYNC|SYNC]",
	"    Flush the Lua scripts cache. Very dangerous on replicas.",
	"    When called without the optional mode argument, the behavior is determined by the",
	"    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
	"    * ASYNC: Asynchronously flush the scripts cache.",
	"    * SYNC: Synchronously flush the scripts cache.",
	"KILL",
	"    Kill the currently executing Lua script.",
	"LOAD <script>",
	"    Load a script into the scripts cache without executing it.",
	"HELP",
	"    Prints this help.",
}

// evalGeneric is EVAL script|sha numkeys [key ...] [arg ...]; bySha
// names the script by its SHA1 (EVALSHA), readOnly refuses writes
// (the _RO forms).
func (s *Server) evalGeneric(c *client, args [][]byte, bySha, readOnly bool) {
	numkeys, ok := resp.ParseInt(args[2])
	switch {
	case !ok:
		c.w.Error(resp.MsgNotInteger)
		return
	case numkeys > int64(len(args)-3):
		c.w.Error(resp.MsgNumkeysTooMany)
		return
	case numkeys < 0:
		c.w.Error(resp.MsgNumkeysNegative)
		return
	}
	e := &s.scripts
	var ent *scriptEntry
	var sha string
	if bySha {
		if ent = e.lookup(args[1]); ent == nil {
			c.w.Error(resp.MsgNoScript)
			return
		}
		sha = strings.ToLower(string(args[1]))
	} else {
		var errText string
		if sha, ent, errText = e.load(args[1]); errText != "" {
			c.w.Error(errText)
			return
		}
	}
	run := &scriptRun{c: c, sha: sha, resp: 2, roText: resp.MsgScriptWriteInRO}
	if readOnly && ent.flags.shebang && !ent.flags.noWrites {
		c.w.Error(resp.MsgScriptROWithWriteFlag)
		return
	}
	if readOnly {
		run.readOnly = true
	} else if ent.flags.noWrites {
		run.readOnly, run.roText = true, resp.MsgScriptWriteNoWrite
	}
	s.runScript(c, ent, run, args[3:3+numkeys], args[3+numkeys:])
}

// runScript runs a compiled script with its KEYS and ARGV and writes its
// result, or its error, as the reply.
func (s *Server) runScript(c *client, ent *scriptEntry, run *scriptRun, keys, argv [][]byte) {
	e := &s.scripts
	L := e.state(s)
	e.g.RawSetString("KEYS", bytesTable(L, keys))
	e.g.RawSetString("ARGV", bytesTable(L, argv))
	fn := L.NewFunctionFromProto(ent.proto)
	fn.Env = e.env
	e.run = run
	defer func() { e.run = nil }()
	top := L.GetTop()
	L.Push(fn)
	err := L.PCall(0, 1, L.NewFunction(scriptErrorHandler))
	if err != nil {
		L.SetTop(top)
		text, t := scriptErrorText(err, run.sha)
		writeScriptError(c.w, text, t)
		return
	}
	v := L.Get(-1)
	L.SetTop(top)
	luaToReply(c.w, v, run.resp)
}

// bytesTable returns the Lua array of vals, as KEYS and ARGV are.
func bytesTable(L *lua.LState, vals [][]byte) *lua.LTable {
	t := L.CreateTable(len(vals), 0)
	for i, v := range vals {
		t.RawSetInt(i+1, lua.LString(v))
	}
	return t
}

// scriptErrorHandler is the message handler of a script's call: like
// Redis's, it turns the error into a table {err = ..., line = ...}, a
// plain error's text after "ERR ", with the line of the script where it
// was raised.
func scriptErrorHandler(L *lua.LState) int {
	obj := L.Get(1)
	t, ok := obj.(*lua.LTable)
	if !ok {
		t = errTable(L, resp.MsgScriptRuntime(luaToString(obj)))
	}
	for level := 0; ; level++ {
		dbg, ok := L.GetStack(level)
		if !ok {
			break
		}
		if _, err := L.GetInfo("Sl", dbg, lua.LNil); err != nil {
			break
		}
		if dbg.CurrentLine > 0 && dbg.What != "G" {
			t.RawSetString("line", lua.LNumber(dbg.CurrentLine))
			break
		}
	}
	L.Push(t)
	return 1
}

// scriptErrorText is the reply to a script that failed with err, and the
// error table it raised, if any.
func scriptErrorText(err error, sha string) (string, *lua.LTable) {
	line := -1
	msg := err.Error()
	var table *lua.LTable
	if ae, ok := err.(*lua.ApiError); ok {
		if t, ok := ae.Object.(*lua.LTable); ok {
			table = t
			if e, ok := t.RawGetString("err").(lua.LString); ok {
				msg = string(e)
			}
			if n, ok := t.RawGetString("line").(lua.LNumber); ok {
				line = int(n)
			}
		}
	}
	return resp.MsgScriptError(msg, sha, scriptSource, line), table
}

// cmdScriptLoad is SCRIPT LOAD script: it compiles and caches the script
// and answers its SHA1.
func (s *Server) cmdScriptLoad(c *client, args [][]byte) {
	sha, _, errText := s.scripts.load(args[2])
	if errText != "" {
		c.w.Error(errText)
		return
	}
	c.w.BulkString(sha)
}

// cmdScriptExists is SCRIPT EXISTS sha [sha ...]: 1 or 0 for each.
func (s *Server) cmdScriptExists(c *client, args [][]byte) {
	c.w.Array(len(args) - 2)
	for _, sha := range args[2:] {
		if s.scripts.lookup(sha) != nil {
			c.w.Int(1)
		} else {
			c.w.Int(0)
		}
	}
}

// cmdScriptFlush is SCRIPT FLUSH [ASYNC|SYNC]: both empty the cache at
// once.
func (s *Server) cmdScriptFlush(c *client, args [][]byte) {
	if len(args) > 3 || len(args) == 3 && !asciiEqualFold(args[2], "async") && !asciiEqualFold(args[2], "sync") {
		c.w.Error(resp.MsgScriptFlushOption)
		return
	}
	s.scripts.flush()
	c.w.OK()
}

// luaToString is Lua's tostring for an error object.
func luaToString(v lua.LValue) string {
	if n, ok := v.(lua.LNumber); ok {
		return luaNumberString(float64(n))
	}
	return v.String()
}
