package server

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"io"
	"log/slog"
	"math"
	"strconv"
	"strings"

	"github.com/remoted/remoted/resp"
	"github.com/tidwall/redcon"
	lua "github.com/yuin/gopher-lua"
)

// scriptRun is the state of the script running now.
type scriptRun struct {
	c        *client
	sha      string
	readOnly bool         // EVAL_RO, or a no-writes shebang: writes are refused
	roText   string       // the error a write gets
	resp     int          // redis.setresp: the protocol of redis.call's replies
	w        *resp.Writer // captures the replies of the commands the script calls
}

// closingContext is a context done when closing is closed.
func closingContext(closing <-chan struct{}) context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-closing
		cancel()
	}()
	return ctx
}

// state returns the Lua state, making it on first use.
func (e *scripts) state(s *Server) *lua.LState {
	if e.L != nil {
		return e.L
	}
	L := lua.NewState(lua.Options{SkipOpenLibs: true})
	// A script the server cannot stop otherwise (there is no SCRIPT KILL
	// yet) ends when the server shuts down, so that a share stuck in an
	// endless script still stops on SIGTERM.
	L.SetContext(closingContext(s.closingCh))
	for _, lib := range []struct {
		name string
		fn   lua.LGFunction
	}{{lua.BaseLibName, lua.OpenBase}, {lua.TabLibName, lua.OpenTable}, {lua.StringLibName, lua.OpenString}, {lua.MathLibName, lua.OpenMath}, {lua.CoroutineLibName, lua.OpenCoroutine}} {
		L.Push(L.NewFunction(lib.fn))
		L.Push(lua.LString(lib.name))
		L.Call(1, 0)
	}
	g := L.G.Global
	for _, name := range []string{"dofile", "loadfile", "require", "module", "_printregs", "setfenv", "getfenv", "print", "newproxy", "_GOPHER_LUA_VERSION"} {
		g.RawSetString(name, lua.LNil)
	}
	g.RawSetString("pcall", L.NewFunction(luaPcall))
	g.RawSetString("error", L.NewFunction(luaError))
	e.views = map[*lua.LTable]*lua.LTable{}
	e.guard(L, g, "rawset", "setmetatable")
	e.seeThrough(L, g, "pairs", "next", "rawget")
	g.RawSetString("__redis__err__handler", L.NewFunction(scriptErrorHandler))
	e.loadInEnv(L, g, "load", "loadstring")
	// gcinfo, which gopher-lua lacks, is here for scripts that call it; it
	// reports no memory.
	g.RawSetString("gcinfo", L.NewFunction(func(L *lua.LState) int { L.Push(lua.LNumber(0)); return 1 }))
	tostring := g.RawGetString("tostring")
	g.RawSetString("tostring", L.NewFunction(func(L *lua.LState) int {
		if n, ok := L.Get(1).(lua.LNumber); ok { // Lua 5.1's "%.14g"
			L.Push(lua.LString(luaNumberString(float64(n))))
			return 1
		}
		L.Push(tostring)
		L.Push(L.Get(1))
		L.Call(1, 1)
		return 1
	}))
	openLibs(L) // cjson, cmsgpack, bit, struct: see script_libs.go
	g.RawSetString("redis", s.redisTable(L))
	// Every library table is read-only, as in Redis: scripts see each
	// through a proxy that refuses writes.
	g.ForEach(func(k, v lua.LValue) {
		if t, ok := v.(*lua.LTable); ok && k.String() != "_G" {
			g.RawSet(k, e.readonlyView(L, t, false))
		}
	})
	env := e.readonlyView(L, g, true)
	g.RawSetString("_G", env)
	e.L, e.g, e.env = L, g, env
	return L
}

// readonlyView returns an empty table that reads through to t and
// refuses every write with Redis's "Attempt to modify a readonly table";
// strict makes reading a missing key an error too (the globals).
func (e *scripts) readonlyView(L *lua.LState, t *lua.LTable, strict bool) *lua.LTable {
	view := L.NewTable()
	e.views[view] = t
	mt := L.NewTable()
	if strict {
		mt.RawSetString("__index", L.NewFunction(func(L *lua.LState) int {
			k := L.Get(2)
			v := t.RawGet(k)
			if v == lua.LNil {
				L.RaiseError("%s", resp.MsgLuaNoGlobal(lua.LVAsString(k)))
			}
			L.Push(v)
			return 1
		}))
	} else {
		mt.RawSetString("__index", t)
	}
	mt.RawSetString("__newindex", L.NewFunction(func(L *lua.LState) int {
		L.RaiseError("%s", resp.MsgLuaReadonlyTable())
		return 0
	}))
	L.SetMetatable(view, mt)
	return view
}

// redisTable makes the redis table of the scripts' API.
func (s *Server) redisTable(L *lua.LState) *lua.LTable {
	e := &s.scripts
	t := L.NewTable()
	fns := map[string]lua.LGFunction{
		"call":         func(L *lua.LState) int { return s.scriptCall(L, e.run, true) },
		"pcall":        func(L *lua.LState) int { return s.scriptCall(L, e.run, false) },
		"error_reply":  func(L *lua.LState) int { return replyTable(L, "err") },
		"status_reply": func(L *lua.LState) int { return replyTable(L, "ok") },
		"sha1hex": func(L *lua.LState) int {
			if L.GetTop() != 1 {
				L.Error(errTable(L, resp.MsgScriptSha1hexArgs), 0)
			}
			sum := sha1.Sum([]byte(lua.LVAsString(L.Get(1))))
			L.Push(lua.LString(hex.EncodeToString(sum[:])))
			return 1
		},
		"log": func(L *lua.LState) int {
			if L.GetTop() < 2 {
				L.Error(errTable(L, resp.MsgScriptLogArgs), 0)
			}
			level, ok := luaToNumber(L.Get(1))
			if !ok {
				L.Error(errTable(L, resp.MsgScriptLogLevelType), 0)
			}
			if level < 0 || level > 3 {
				L.Error(errTable(L, resp.MsgScriptLogLevel), 0)
			}
			parts := make([]string, 0, L.GetTop()-1)
			for i := 2; i <= L.GetTop(); i++ {
				parts = append(parts, lua.LVAsString(L.Get(i)))
			}
			lv := []slog.Level{slog.LevelDebug, slog.LevelDebug, slog.LevelInfo, slog.LevelWarn}[int(level)]
			s.log.Log(context.Background(), lv, strings.Join(parts, " "), "source", "script")
			return 0
		},
		"setresp": func(L *lua.LState) int {
			if L.GetTop() != 1 {
				L.Error(errTable(L, resp.MsgScriptSetRespArgs), 0)
			}
			n, _ := luaToNumber(L.Get(1))
			if n != 2 && n != 3 {
				L.Error(errTable(L, resp.MsgScriptSetResp), 0)
			}
			if e.run != nil {
				e.run.resp = int(n)
			}
			return 0
		},
		"set_repl": func(L *lua.LState) int {
			// Accepted and checked as Redis checks it; remoted does not
			// replicate.
			if L.GetTop() != 1 {
				L.Error(errTable(L, resp.MsgScriptSetReplArgs), 0)
			}
			if n, _ := luaToNumber(L.Get(1)); int64(n)&^3 != 0 {
				L.Error(errTable(L, resp.MsgScriptSetReplFlags), 0)
			}
			return 0
		},
		"replicate_commands": func(L *lua.LState) int { L.Push(lua.LTrue); return 1 },
		"breakpoint":         func(L *lua.LState) int { L.Push(lua.LFalse); return 1 },
		"acl_check_cmd": func(L *lua.LState) int {
			// Only the default user exists, allowed every command.
			if L.GetTop() == 0 {
				L.Error(errTable(L, resp.MsgScriptNoArgs), 0)
			}
			name := []byte(lua.LVAsString(L.Get(1)))
			if s.cmds[lowerInto(nil, name)] == nil {
				L.Error(errTable(L, resp.MsgScriptACLInvalidCmd), 0)
			}
			L.Push(lua.LTrue)
			return 1
		},
		"debug": func(L *lua.LState) int { return 0 },
	}
	for name, fn := range fns {
		t.RawSetString(name, L.NewFunction(fn))
	}
	t.RawSetString("REDIS_VERSION", lua.LString(RedisVersion))
	t.RawSetString("REDIS_VERSION_NUM", lua.LNumber(redisVersionNum()))
	for name, n := range map[string]int{
		"LOG_DEBUG": 0, "LOG_VERBOSE": 1, "LOG_NOTICE": 2, "LOG_WARNING": 3,
		"REPL_NONE": 0, "REPL_AOF": 1, "REPL_SLAVE": 2, "REPL_REPLICA": 2, "REPL_ALL": 3,
	} {
		t.RawSetString(name, lua.LNumber(n))
	}
	return t
}

// errTable returns the error table {err = msg} that redis.call raises.
func errTable(L *lua.LState, msg string) *lua.LTable {
	t := L.NewTable()
	t.RawSetString("err", lua.LString(msg))
	return t
}

// scriptCall is redis.call (raise) and redis.pcall: it runs a command
// through its handler, as the client running the script, and converts
// its reply to Lua. An error reply is raised by redis.call, returned as
// an error table by redis.pcall.
func (s *Server) scriptCall(L *lua.LState, run *scriptRun, raise bool) int {
	fail := func(msg string) int {
		t := errTable(L, msg)
		if raise {
			L.Error(t, 0)
		}
		L.Push(t)
		return 1
	}
	if run == nil {
		return fail(resp.MsgScriptNotAllowed)
	}
	n := L.GetTop()
	if n == 0 {
		return fail(resp.MsgScriptNoArgs)
	}
	args := make([][]byte, n)
	for i := range args {
		switch v := L.Get(i + 1).(type) {
		case lua.LString:
			args[i] = []byte(v)
		case lua.LNumber:
			args[i] = strconv.AppendFloat(nil, float64(v), 'g', 17, 64)
		default:
			return fail(resp.MsgScriptArgType)
		}
	}
	c := run.c
	cmd, errText := s.lookup(c, args)
	switch {
	case cmd == nil && errText != "":
		return fail(resp.MsgScriptUnknownCmd)
	case errText != "":
		return fail(resp.MsgScriptWrongArgs)
	case cmd.meta.Has("noscript"), cmd.tx.refused:
		// remoted's LOCK, UNLOCK and LOCKS are refused as in MULTI: LOCK
		// would wait holding the keyspace, and the lock table's mutex may
		// not be taken under the keyspace lock.
		return fail(resp.MsgScriptNotAllowed)
	case run.readOnly && cmd.meta.Has("write"):
		return fail(run.roText)
	}
	if run.w == nil {
		run.w = resp.NewWriter(redcon.NewWriter(io.Discard))
		run.w.SetErrorHook(s.noteError)
	}
	run.w.SetProto(run.resp)
	if cmd.monitor && s.monitors.active() {
		s.monitors.feed(c, args, s.now(), true)
	}
	own, wasExec := c.w, c.execing
	c.w, c.execing = run.w, true
	c.ncmds.Add(1)
	s.call(c, cmd, args, s.mono())
	c.w, c.execing = own, wasExec
	v, isErr := replyToLua(L, run.w.Take())
	if isErr && raise {
		L.Error(v, 0)
	}
	L.Push(v)
	return 1
}

// luaPcall is pcall as Redis 7.0 replaces it: an error table's err field
// is what the caller gets as the error, so pcall(redis.call, ...) gives
// the error's text.
func luaPcall(L *lua.LState) int {
	n := L.GetTop()
	if n == 0 {
		L.ArgError(1, "value expected")
	}
	if err := L.PCall(n-1, lua.MultRet, nil); err != nil {
		var obj lua.LValue = lua.LString(err.Error())
		if ae, ok := err.(*lua.ApiError); ok {
			obj = ae.Object
		}
		if t, ok := obj.(*lua.LTable); ok {
			if e, ok := t.RawGetString("err").(lua.LString); ok {
				obj = e
			}
		}
		L.SetTop(0)
		L.Push(lua.LFalse)
		L.Push(obj)
		return 2
	}
	L.Insert(lua.LTrue, 1)
	return L.GetTop()
}

// replyTable is redis.error_reply (key "err") and redis.status_reply
// ("ok"): the table {key = text}, a leading "-" of an error dropped.
func replyTable(L *lua.LState, key string) int {
	text, ok := L.Get(1).(lua.LString)
	if L.GetTop() != 1 || !ok {
		L.Push(errTable(L, resp.MsgScriptReplyArgs))
		return 1
	}
	if key == "err" {
		text = lua.LString(strings.TrimPrefix(string(text), "-"))
	}
	t := L.NewTable()
	t.RawSetString(key, text)
	L.Push(t)
	return 1
}

// luaToNumber is Lua's lua_tonumber: a number, or a string that reads as
// one; ok is false (and the number 0) otherwise.
func luaToNumber(v lua.LValue) (float64, bool) {
	switch v := v.(type) {
	case lua.LNumber:
		return float64(v), true
	case lua.LString:
		if n, err := strconv.ParseFloat(strings.TrimSpace(string(v)), 64); err == nil {
			return n, true
		}
	}
	return 0, false
}

// luaNumberString formats n as Lua 5.1 does ("%.14g", with glibc's inf
// and nan).
func luaNumberString(n float64) string {
	switch {
	case math.IsInf(n, 1):
		return "inf"
	case math.IsInf(n, -1):
		return "-inf"
	case math.IsNaN(n):
		if math.Signbit(n) {
			return "-nan"
		}
		return "nan"
	}
	return strconv.FormatFloat(n, 'g', 14, 64)
}

// guard wraps the base functions named (rawset, setmetatable) so that
// they refuse a read-only table, as Redis's read-only tables refuse
// every write.
func (e *scripts) guard(L *lua.LState, g *lua.LTable, names ...string) {
	for _, name := range names {
		orig := g.RawGetString(name)
		g.RawSetString(name, L.NewFunction(func(L *lua.LState) int {
			if t, ok := L.Get(1).(*lua.LTable); ok && e.views[t] != nil {
				L.Error(errTable(L, resp.MsgScriptRuntime(resp.MsgLuaReadonlyTable())), 0)
			}
			top := callThrough(L, orig, nil)
			if name == "rawset" { // Lua's returns the table; gopher-lua's nothing
				L.SetTop(top)
				L.Push(L.Get(1))
				return 1
			}
			return L.GetTop() - top
		}))
	}
}

// seeThrough wraps the base functions named (pairs, next, rawget) so
// that, given a read-only view, they read the table it shows, as they
// read Redis's read-only tables.
func (e *scripts) seeThrough(L *lua.LState, g *lua.LTable, names ...string) {
	for _, name := range names {
		orig := g.RawGetString(name)
		g.RawSetString(name, L.NewFunction(func(L *lua.LState) int {
			var first lua.LValue
			if t, ok := L.Get(1).(*lua.LTable); ok && e.views[t] != nil {
				first = e.views[t]
			}
			top := callThrough(L, orig, first)
			return L.GetTop() - top
		}))
	}
}

// loadInEnv wraps the base functions named (load, loadstring) so that the
// functions they compile run in the scripts' read-only globals, not in
// the real ones.
func (e *scripts) loadInEnv(L *lua.LState, g *lua.LTable, names ...string) {
	for _, name := range names {
		orig := g.RawGetString(name)
		g.RawSetString(name, L.NewFunction(func(L *lua.LState) int {
			top := callThrough(L, orig, nil)
			if fn, ok := L.Get(top + 1).(*lua.LFunction); ok && e.env != nil {
				fn.Env = e.env
			}
			return L.GetTop() - top
		}))
	}
}

// callThrough calls fn, from a Go function wrapping it, with the wrapper's
// arguments (the first replaced by first unless it is nil), leaving fn's
// results on the stack after them; it returns the number of arguments.
func callThrough(L *lua.LState, fn, first lua.LValue) int {
	top := L.GetTop()
	L.Push(fn)
	for i := 1; i <= top; i++ {
		v := L.Get(i)
		if i == 1 && first != nil {
			v = first
		}
		L.Push(v)
	}
	L.Call(top, lua.MultRet)
	return top
}

// luaError is Lua's error(message [, level]): a string message gets the
// position of the function at level (1, the caller of error, by default)
// in front. gopher-lua's own puts level 2's at level 1's.
func luaError(L *lua.LState) int {
	obj := L.Get(1)
	level := L.OptInt(2, 1)
	var msg string
	switch v := obj.(type) {
	case lua.LString:
		msg = string(v)
	case lua.LNumber:
		msg = luaNumberString(float64(v))
	default:
		L.Error(obj, 0)
	}
	if where := L.Where(level); level > 0 && strings.HasSuffix(where, ":") && !strings.HasPrefix(where, "[G]") {
		msg = where + " " + msg // Lua's "chunk:line: "; nothing for a Go function
	}
	obj = lua.LString(msg)
	L.Error(obj, 0)
	return 0
}

// redisVersionNum is RedisVersion as Redis's REDIS_VERSION_NUM:
// 0x00MMmmpp.
func redisVersionNum() int {
	n := 0
	for _, part := range strings.SplitN(RedisVersion, ".", 3) {
		v, _ := strconv.Atoi(part)
		n = n<<8 | v
	}
	return n
}
