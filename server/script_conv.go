package server

import (
	"bytes"
	"math"
	"strconv"

	"github.com/remoted/remoted/resp"
	lua "github.com/yuin/gopher-lua"
)

// replyToLua converts one rendered reply (RESP2, or RESP3 after
// redis.setresp(3)) to the Lua value Redis 7.0 gives a script: an
// integer a number, a bulk string a string, a null false (RESP2) or nil
// (RESP3), an array a table, a status {ok = ...}, an error {err = ...}
// (isErr says so), a map {map = {...}}, a set {set = {k = true}}, a
// double {double = n}, a boolean a boolean, a big number {big_number =
// "..."}, a verbatim string {verbatim_string = {format = ..., string =
// ...}}.
func replyToLua(L *lua.LState, b []byte) (v lua.LValue, isErr bool) {
	v, _, isErr = parseReplyLua(L, b)
	return v, isErr
}

func parseReplyLua(L *lua.LState, b []byte) (lua.LValue, []byte, bool) {
	if len(b) < 3 {
		return lua.LNil, nil, false
	}
	kind := b[0]
	end := bytes.Index(b, []byte("\r\n"))
	if end < 0 {
		return lua.LNil, nil, false
	}
	line, rest := string(b[1:end]), b[end+2:]
	n, _ := strconv.ParseInt(line, 10, 64)
	single := func(key string, v lua.LValue) *lua.LTable {
		t := L.NewTable()
		t.RawSetString(key, v)
		return t
	}
	switch kind {
	case ':':
		return lua.LNumber(n), rest, false
	case '+':
		return single("ok", lua.LString(line)), rest, false
	case '-':
		// The error statistics counted it when the command replied: Redis
		// marks the table so that a script's reply does not count it again.
		t := single("err", lua.LString(line))
		t.RawSetString(errCountedField, lua.LTrue)
		return t, rest, true
	case '$', '=':
		if n < 0 {
			return lua.LFalse, rest, false
		}
		s := string(rest[:n])
		rest = rest[n+2:]
		if kind == '=' {
			vt := L.NewTable()
			vt.RawSetString("format", lua.LString(s[:3]))
			vt.RawSetString("string", lua.LString(s[4:]))
			return single("verbatim_string", vt), rest, false
		}
		return lua.LString(s), rest, false
	case '*':
		if n < 0 {
			return lua.LFalse, rest, false
		}
		t := L.CreateTable(int(n), 0)
		for i := 1; i <= int(n); i++ {
			var e lua.LValue
			e, rest, _ = parseReplyLua(L, rest)
			t.RawSetInt(i, e)
		}
		return t, rest, false
	case '%':
		m := L.NewTable()
		for range n {
			var k, e lua.LValue
			k, rest, _ = parseReplyLua(L, rest)
			e, rest, _ = parseReplyLua(L, rest)
			m.RawSet(k, e)
		}
		return single("map", m), rest, false
	case '~':
		m := L.NewTable()
		for range n {
			var k lua.LValue
			k, rest, _ = parseReplyLua(L, rest)
			m.RawSet(k, lua.LTrue)
		}
		return single("set", m), rest, false
	case ',':
		f, _ := strconv.ParseFloat(line, 64)
		return single("double", lua.LNumber(f)), rest, false
	case '#':
		return lua.LBool(line == "t"), rest, false
	case '_':
		return lua.LNil, rest, false
	case '(':
		return single("big_number", lua.LString(line)), rest, false
	}
	return lua.LNil, nil, false
}

// luaToReply writes a script's result as Redis 7.0 does: a number as an
// integer (truncated), a string as a bulk string, true as 1 and false as
// a null (as booleans under redis.setresp(3)), nil as a null, and a
// table by its first field of err, ok, double, big_number, map and set,
// else as the array of its elements up to the first nil.
//
// A table nested deeper than Lua 5.1's C stack allows (a table holding
// itself, say) ends in Redis's "reached lua stack limit" error: used
// counts the stack slots Redis's conversion would hold, 2 at the top and
// 1 for each level of an array (exactly as redis-server 7.0.15; 3 for a
// map or set, an approximation).
func luaToReply(w *resp.Writer, v lua.LValue, scriptResp int) {
	luaToReplyAt(w, v, scriptResp, 2)
}

// luaStackLimit is Lua 5.1's LUAI_MAXCSTACK.
const luaStackLimit = 8000

func luaToReplyAt(w *resp.Writer, v lua.LValue, scriptResp, used int) {
	if used+4 > luaStackLimit {
		w.Error(resp.MsgLuaStackLimit)
		return
	}
	switch v := v.(type) {
	case lua.LString:
		w.Bulk([]byte(v))
	case lua.LNumber:
		w.Int(luaToInt(float64(v)))
	case lua.LBool:
		switch {
		case scriptResp == 3:
			w.Bool(bool(v))
		case bool(v):
			w.Int(1)
		default:
			w.Null()
		}
	case *lua.LTable:
		if e, ok := v.RawGetString("err").(lua.LString); ok {
			writeScriptError(w, resp.MsgScriptReplyError(string(e)), v)
			return
		}
		if s, ok := v.RawGetString("ok").(lua.LString); ok {
			w.Simple(string(bytes.Map(noCRLF, []byte(s))))
			return
		}
		if d, ok := v.RawGetString("double").(lua.LNumber); ok {
			w.Double(float64(d))
			return
		}
		if b, ok := v.RawGetString("big_number").(lua.LString); ok {
			w.BigNumber(string(bytes.Map(noCRLF, []byte(b))))
			return
		}
		if m, ok := v.RawGetString("map").(*lua.LTable); ok {
			n := 0
			m.ForEach(func(_, _ lua.LValue) { n++ })
			w.Map(n)
			m.ForEach(func(k, e lua.LValue) {
				luaToReplyAt(w, k, scriptResp, used+3)
				luaToReplyAt(w, e, scriptResp, used+3)
			})
			return
		}
		if s, ok := v.RawGetString("set").(*lua.LTable); ok {
			n := 0
			s.ForEach(func(_, _ lua.LValue) { n++ })
			w.Set(n)
			s.ForEach(func(k, _ lua.LValue) { luaToReplyAt(w, k, scriptResp, used+3) })
			return
		}
		if vt, ok := v.RawGetString("verbatim_string").(*lua.LTable); ok {
			format, ok1 := vt.RawGetString("format").(lua.LString)
			str, ok2 := vt.RawGetString("string").(lua.LString)
			if ok1 && ok2 {
				w.VerbatimAs(string(format), string(str))
				return
			}
		}
		n := 0
		for v.RawGetInt(n+1) != lua.LNil {
			n++
		}
		w.Array(n)
		for i := 1; i <= n; i++ {
			luaToReplyAt(w, v.RawGetInt(i), scriptResp, used+1)
		}
	default:
		w.Null()
	}
}

// noCRLF maps CR and LF to spaces, as Redis does in a status reply.
func noCRLF(r rune) rune {
	if r == '\r' || r == '\n' {
		return ' '
	}
	return r
}

// luaToInt converts a Lua number to an integer reply as C's cast to long
// long does on x86-64: toward zero, and the "integer indefinite" value for
// what does not fit.
func luaToInt(f float64) int64 {
	if math.IsNaN(f) || f >= 1<<63 || f < -(1<<63) {
		return math.MinInt64
	}
	return int64(f)
}

// errCountedField is the field Redis sets in an error table made from a
// command's error reply, which the error statistics counted already.
const errCountedField = "ignore_error_stats_update"

// writeScriptError writes a script's error reply, leaving it out of the
// error statistics when the error table t says they counted it already.
func writeScriptError(w *resp.Writer, msg string, t *lua.LTable) {
	if t != nil && lua.LVAsBool(t.RawGetString(errCountedField)) {
		w.ErrorCounted(msg)
		return
	}
	w.Error(msg)
}
