// Package lualib implements, for gopher-lua, the Lua libraries that Redis
// 7.0 gives its scripts besides Lua 5.1's own: cjson (lua-cjson 2.1.0),
// cmsgpack (lua-cmsgpack 0.4.0), bit (LuaBitOp 1.0.2) and struct
// (Roberto Ierusalimschy's struct 0.2).
//
// Each library is written to behave as the C library built into
// redis-server 7.0.15 does on a 64-bit little-endian machine: the same
// output bytes, the same results and the same error texts. Where the C code
// relies on the x86-64 behaviour of undefined conversions (a double out of
// the range of an integer type, an over-wide shift), that behaviour is
// reproduced. What is not reproduced is listed in the documentation of each
// library's file; the main difference is the order in which a table's keys
// are visited, which gopher-lua decides (insertion order) and which Lua 5.1
// decides by its hash layout.
package lualib

import (
	"fmt"
	"math"
	"strconv"
	"strings"

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
// pcall calls it; fname when gopher-lua cannot tell).
func argError(L *lua.LState, n int, fname, msg string) {
	if dbg, ok := L.GetStack(0); ok {
		if _, err := L.GetInfo("n", dbg, lua.LNil); err == nil {
			switch {
			case dbg.Name == "(anonymous)":
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
// surrounding white space.
func str2number(s string) (float64, bool) {
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
	return f, i == len(s)
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

// strtod reads the longest prefix of s that glibc's strtod reads (without
// its skipping of leading white space) and returns its value and length;
// the length is 0 when s does not start with a number.
func strtod(s string) (float64, int) {
	i := 0
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	sign := func(f float64) float64 {
		if neg {
			return -f
		}
		return f
	}
	rest := s[i:]
	switch {
	case hasPrefixFold(rest, "infinity"):
		return sign(math.Inf(1)), i + 8
	case hasPrefixFold(rest, "inf"):
		return sign(math.Inf(1)), i + 3
	case hasPrefixFold(rest, "nan"):
		i += 3
		if i < len(s) && s[i] == '(' {
			j := i + 1
			for j < len(s) && (isAlnum(s[j]) || s[j] == '_') {
				j++
			}
			if j < len(s) && s[j] == ')' {
				i = j + 1
			}
		}
		return math.Copysign(math.NaN(), sign(1)), i
	}
	if len(rest) >= 2 && rest[0] == '0' && (rest[1]|0x20) == 'x' {
		if f, n := hexFloat(rest[2:]); n > 0 {
			return sign(f), i + 2 + n
		}
		return sign(0), i + 1
	}
	start := i
	digits := 0
	for i < len(s) && isDigit(s[i]) {
		i++
		digits++
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && isDigit(s[i]) {
			i++
			digits++
		}
	}
	if digits == 0 {
		return 0, 0
	}
	if i < len(s) && (s[i]|0x20) == 'e' {
		j := i + 1
		if j < len(s) && (s[j] == '+' || s[j] == '-') {
			j++
		}
		if j < len(s) && isDigit(s[j]) {
			for j < len(s) && isDigit(s[j]) {
				j++
			}
			i = j
		}
	}
	f, _ := strconv.ParseFloat(s[start:i], 64)
	return sign(f), i
}

// hexFloat reads a hexadecimal significand with an optional binary
// exponent, after its "0x"; n is 0 when no hex digit is there.
func hexFloat(s string) (float64, int) {
	i := 0
	digits := 0
	for i < len(s) && isHex(s[i]) {
		i++
		digits++
	}
	if i < len(s) && s[i] == '.' {
		j := i + 1
		for j < len(s) && isHex(s[j]) {
			j++
			digits++
		}
		if digits > 0 {
			i = j
		}
	}
	if digits == 0 {
		return 0, 0
	}
	mant := s[:i]
	exp := "p0"
	if i < len(s) && (s[i]|0x20) == 'p' {
		j := i + 1
		if j < len(s) && (s[j] == '+' || s[j] == '-') {
			j++
		}
		if j < len(s) && isDigit(s[j]) {
			for j < len(s) && isDigit(s[j]) {
				j++
			}
			exp = s[i:j]
			i = j
		}
	}
	if strings.HasPrefix(mant, ".") {
		mant = "0" + mant
	}
	f, _ := strconv.ParseFloat("0x"+mant+exp, 64)
	return f, i
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isHex(c byte) bool { return isDigit(c) || (c|0x20) >= 'a' && (c|0x20) <= 'f' }

func isAlnum(c byte) bool { return isDigit(c) || (c|0x20) >= 'a' && (c|0x20) <= 'z' }

// register makes a table of Go functions.
func register(L *lua.LState, funcs map[string]lua.LGFunction) *lua.LTable {
	t := L.NewTable()
	for name, fn := range funcs {
		t.RawSetString(name, L.NewFunction(fn))
	}
	return t
}
