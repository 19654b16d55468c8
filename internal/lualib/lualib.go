// Package lualib implements, for gopher-lua, the Lua libraries that Redis
// 7.0 gives its scripts besides Lua 5.1's own: cjson (lua-cjson 2.1.0),
// cmsgpack (lua-cmsgpack 0.4.0), bit (LuaBitOp 1.0.2) and struct
// (Roberto Ierusalimschy's struct 0.2).
//
// Each library is written to behave as the C library built into
// redis-server 7.0.15 does on x86-64: the same output bytes, the same
// results and the same error texts, positions ("user_script:1: ") and
// function names in argument errors included. Where the C code relies on
// x86-64's behaviour for undefined conversions (a double out of the range
// of an integer type, an over-wide shift), that behaviour is reproduced, and
// so is Lua 5.1's limit of 8000 stack slots for a C function (LUAI_MAXCSTACK)
// where the libraries can reach it: cmsgpack.unpack's results and nesting,
// cmsgpack.pack's arguments, struct.unpack's results. The tests compare
// about 850 scripts' results with those of a real redis-server (see
// golden_test.go).
//
// What differs from redis-server:
//
//   - A table encoded as a JSON object or a MessagePack map lists its keys
//     in gopher-lua's order (the array part, then insertion order), not in
//     the order of Lua 5.1's hash part, so a table of more than one
//     non-array key may be encoded with its keys in another order.
//   - cjson.null is a full userdata (type "userdata", as the C library's
//     NULL light userdata); tostring gives gopher-lua's "userdata: 0x…",
//     not "userdata: (nil)". IsNull recognises it.
//   - The name in "bad argument #n to 'name'" comes from gopher-lua's call
//     information: the same as Lua 5.1's for calls such as cjson.encode(x)
//     and for calls through pcall ('?'); a method call (obj:f()) is not
//     renumbered as Lua 5.1 does.
//   - cjson.encode_keep_buffer is accepted and reported but changes
//     nothing: there is no buffer to keep.
//
// To give scripts all that Redis gives, the gopher-lua state should have a
// registry of at least 8200 slots (lua.Options RegistrySize, or
// RegistryMaxSize to let it grow), else a script that unpacks thousands of
// values fails with "registry overflow" where Redis succeeds. Two things
// the scripts see differ in gopher-lua itself, not in these libraries:
// math.huge is the largest finite number rather than infinity, and Lua
// 5.1's compiler shares one constant between 0 and -0 in a function (so
// that 1/0 beside a -0 is -inf there).
package lualib

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/remoted/remoted/internal/cnum"
	lua "github.com/yuin/gopher-lua"
)

// Open registers cjson, cmsgpack, bit and struct as globals in L, as Redis's
// scripting environment has them.
func Open(L *lua.LState) {
	L.SetGlobal("cjson", newCJSON(L, newNull(L)))
	L.SetGlobal("cmsgpack", newCmsgpack(L))
	L.SetGlobal("bit", newBit(L))
	L.SetGlobal("struct", newStruct(L))
}

// nullValue is the Value of the userdata that stands for cjson.null, the
// NULL light userdata of lua-cjson.
type nullValue struct{}

// newNull makes the userdata that stands for cjson.null in one state.
func newNull(L *lua.LState) *lua.LUserData {
	ud := L.NewUserData()
	ud.Value = nullValue{}
	return ud
}

// IsNull reports whether v is cjson.null (what cjson.decode gives for a JSON
// null), which Redis turns into a nil reply like any light userdata.
func IsNull(v lua.LValue) bool {
	ud, ok := v.(*lua.LUserData)
	if !ok {
		return false
	}
	_, ok = ud.Value.(nullValue)
	return ok
}

// maxCStack is Lua 5.1's LUAI_MAXCSTACK: the most stack slots a C function
// may use, beyond which lua_checkstack fails.
const maxCStack = 8000

// typeName is Lua 5.1's lua_typename of v's type.
func typeName(v lua.LValue) string {
	switch v.(type) {
	case *lua.LState:
		return "thread"
	}
	return v.Type().String()
}

// argTypeName is luaL_typename of argument n: "no value" past the top.
func argTypeName(L *lua.LState, n int) string {
	if n > L.GetTop() {
		return "no value"
	}
	return typeName(L.Get(n))
}

// luaError raises an error as Lua 5.1's luaL_error does: its message is
// prefixed with the position of the caller of the running Go function when
// that caller is Lua code, as "user_script:1: ", and with nothing when it is
// a Go function such as pcall.
func luaError(L *lua.LState, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if dbg, ok := L.GetStack(1); ok {
		if _, err := L.GetInfo("Sl", dbg, lua.LNil); err == nil && dbg.What != "G" && dbg.CurrentLine > 0 {
			src := strings.TrimLeft(dbg.Source, "@=")
			msg = fmt.Sprintf("%s:%d: %s", src, dbg.CurrentLine, msg)
		}
	}
	rawError(L, msg)
}

// rawError raises msg as it is, as Lua 5.1's runtime errors in a C
// function are.
func rawError(L *lua.LState, msg string) {
	L.Error(lua.LString(msg), 0)
}

// argError raises Lua 5.1's luaL_argerror for argument n of the running
// function, named as its caller calls it ("?" when a Go function such as
// pcall, or Go itself, calls it; fname when gopher-lua cannot tell).
func argError(L *lua.LState, n int, fname, msg string) {
	if dbg, ok := L.GetStack(0); ok {
		if _, err := L.GetInfo("n", dbg, lua.LNil); err == nil {
			switch {
			case dbg.Name == "(anonymous)" || dbg.Name == "main chunk" || dbg.Name == "corountine":
				fname = "?"
			case dbg.Name != "" && !strings.HasPrefix(dbg.Name, "<"):
				fname = dbg.Name
			}
		}
	}
	luaError(L, "bad argument #%d to '%s' (%s)", n, fname, msg)
}

// typeError raises Lua 5.1's luaL_typerror.
func typeError(L *lua.LState, n int, fname, want string) {
	argError(L, n, fname, fmt.Sprintf("%s expected, got %s", want, argTypeName(L, n)))
}

// toNumber is lua_tonumber: a number, or a string that reads whole as one.
func toNumber(v lua.LValue) (float64, bool) {
	switch x := v.(type) {
	case lua.LNumber:
		return float64(x), true
	case lua.LString:
		return str2number(string(x))
	}
	return 0, false
}

// str2number is Lua 5.1's luaO_str2d: strtod over the whole string, but for
// surrounding white space; as a C string, the string ends at its first NUL.
func str2number(s string) (float64, bool) {
	if i := strings.IndexByte(s, 0); i >= 0 {
		s = s[:i]
	}
	i := 0
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	f, n := strtod(s[i:])
	if n == 0 {
		return 0, false
	}
	i += n
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	if i != len(s) {
		return 0, false
	}
	return f, true
}

func isSpace(c byte) bool {
	return c == ' ' || (c >= '\t' && c <= '\r')
}

// checkNumber is luaL_checknumber.
func checkNumber(L *lua.LState, n int, fname string) float64 {
	f, ok := toNumber(L.Get(n))
	if !ok {
		typeError(L, n, fname, "number")
	}
	return f
}

// checkInteger is luaL_checkinteger: the number truncated to a 64-bit
// integer as x86-64 does it (INT64_MIN when out of range).
func checkInteger(L *lua.LState, n int, fname string) int64 {
	return toInt64(checkNumber(L, n, fname))
}

// optInteger is luaL_optinteger.
func optInteger(L *lua.LState, n int, fname string, def int64) int64 {
	if v := L.Get(n); v == lua.LNil {
		return def
	}
	return checkInteger(L, n, fname)
}

// checkString is luaL_checklstring: a string, or a number made a string.
func checkString(L *lua.LState, n int, fname string) string {
	switch x := L.Get(n).(type) {
	case lua.LString:
		return string(x)
	case lua.LNumber:
		return formatG(float64(x), 14)
	}
	typeError(L, n, fname, "string")
	return ""
}

// toInt64 converts f as x86-64's cvttsd2si does: truncation, and INT64_MIN
// for NaN and for what does not fit.
func toInt64(f float64) int64 {
	if f != f || f >= 9223372036854775808.0 || f < -9223372036854775808.0 {
		return math.MinInt64
	}
	return int64(f)
}

// toInt32 converts f as x86-64's 32-bit cvttsd2si does.
func toInt32(f float64) int32 {
	if f != f || f >= 2147483648.0 || f < -2147483648.0 {
		return math.MinInt32
	}
	return int32(f)
}

// toUint64 converts f as gcc's x86-64 code for a double to unsigned long
// conversion does: below 2^63 (or NaN) as a signed conversion, else as the
// signed conversion of f-2^63 with the top bit flipped.
func toUint64(f float64) uint64 {
	const two63 = 9223372036854775808.0
	if f < two63 || f != f {
		return uint64(toInt64(f))
	}
	return uint64(toInt64(f-two63)) ^ (1 << 63)
}

// formatG formats f as C's printf("%.<prec>g") does with glibc.
func formatG(f float64, prec int) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case f != f:
		if math.Signbit(f) {
			return "-nan"
		}
		return "nan"
	}
	return strconv.FormatFloat(f, 'g', prec, 64)
}

// strtod reads the longest prefix of s that glibc's strtod reads (cnum.Strtod;
// callers start s past any white space) and returns its value and length;
// the length is 0 when s does not start with a number.
func strtod(s string) (float64, int) {
	f, n, _ := cnum.Strtod([]byte(s))
	return f, n
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isAlnum(c byte) bool { return isDigit(c) || (c|0x20) >= 'a' && (c|0x20) <= 'z' }

// register makes a table of Go functions.
func register(L *lua.LState, funcs map[string]lua.LGFunction) *lua.LTable {
	t := L.NewTable()
	for name, fn := range funcs {
		t.RawSetString(name, L.NewFunction(fn))
	}
	return t
}
