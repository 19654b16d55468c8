package lualib

import (
	"fmt"
	"math"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// The cjson module (lua-cjson 2.1.0 as Redis ships it). What differs from
// redis-server: a table encoded as a JSON object lists its keys in
// gopher-lua's order (the array part, then insertion order), not in Lua
// 5.1's hash order; and tostring(cjson.null) is gopher-lua's text for a
// userdata, not "userdata: (nil)".

const (
	cjsonDefaultMaxDepth = 1000
	cjsonSparseRatio     = 2
	cjsonSparseSafe      = 10
	cjsonPrecision       = 14
)

// cjsonConfig is one cjson module's settings, shared by its functions.
type cjsonConfig struct {
	null           *lua.LUserData
	sparseConvert  bool
	sparseRatio    int
	sparseSafe     int
	encodeMaxDepth int
	decodeMaxDepth int
	precision      int
	keepBuffer     bool
	encodeInvalid  int // 0 off, 1 on, 2 null
	decodeInvalid  bool
}

func newCJSON(L *lua.LState, null *lua.LUserData) *lua.LTable {
	cfg := &cjsonConfig{
		null:           null,
		sparseRatio:    cjsonSparseRatio,
		sparseSafe:     cjsonSparseSafe,
		encodeMaxDepth: cjsonDefaultMaxDepth,
		decodeMaxDepth: cjsonDefaultMaxDepth,
		precision:      cjsonPrecision,
		keepBuffer:     true,
		decodeInvalid:  true,
	}
	t := register(L, map[string]lua.LGFunction{
		"encode": cfg.encode,
		"decode": cfg.decode,
		"encode_sparse_array": func(L *lua.LState) int {
			name := "encode_sparse_array"
			verifyArgCount(L, 3, name)
			conv := boolToInt(cfg.sparseConvert)
			enumOption(L, 1, &conv, nil, name)
			cfg.sparseConvert = conv != 0
			integerOption(L, 2, &cfg.sparseRatio, 0, math.MaxInt32, name)
			integerOption(L, 3, &cfg.sparseSafe, 0, math.MaxInt32, name)
			return 3
		},
		"encode_max_depth": func(L *lua.LState) int {
			verifyArgCount(L, 1, "encode_max_depth")
			return integerOption(L, 1, &cfg.encodeMaxDepth, 1, math.MaxInt32, "encode_max_depth")
		},
		"decode_max_depth": func(L *lua.LState) int {
			verifyArgCount(L, 1, "decode_max_depth")
			return integerOption(L, 1, &cfg.decodeMaxDepth, 1, math.MaxInt32, "decode_max_depth")
		},
		"encode_number_precision": func(L *lua.LState) int {
			verifyArgCount(L, 1, "encode_number_precision")
			return integerOption(L, 1, &cfg.precision, 1, 14, "encode_number_precision")
		},
		"encode_keep_buffer": func(L *lua.LState) int {
			verifyArgCount(L, 1, "encode_keep_buffer")
			v := boolToInt(cfg.keepBuffer)
			enumOption(L, 1, &v, nil, "encode_keep_buffer")
			cfg.keepBuffer = v != 0
			return 1
		},
		"encode_invalid_numbers": func(L *lua.LState) int {
			verifyArgCount(L, 1, "encode_invalid_numbers")
			return enumOption(L, 1, &cfg.encodeInvalid, []string{"off", "on", "null"}, "encode_invalid_numbers")
		},
		"decode_invalid_numbers": func(L *lua.LState) int {
			verifyArgCount(L, 1, "decode_invalid_numbers")
			v := boolToInt(cfg.decodeInvalid)
			enumOption(L, 1, &v, nil, "decode_invalid_numbers")
			cfg.decodeInvalid = v != 0
			return 1
		},
		"new": func(L *lua.LState) int {
			L.Push(newCJSON(L, null))
			return 1
		},
	})
	t.RawSetString("null", null)
	t.RawSetString("_NAME", lua.LString("cjson"))
	t.RawSetString("_VERSION", lua.LString("2.1.0"))
	return t
}

func boolToInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// verifyArgCount is json_verify_arg_count.
// and leaves n slots, as the option functions read their n arguments by
// index while pushing their results.
func verifyArgCount(L *lua.LState, n int, fname string) {
	if L.GetTop() > n {
		argError(L, n+1, fname, "found too many arguments")
	}
	L.SetTop(n)
}

// enumOption is json_enum_option: a setting given as a boolean or as one of
// options (by default "off" and "on"), given back as a boolean when it is
// one.
func enumOption(L *lua.LState, n int, setting *int, options []string, fname string) int {
	if options == nil {
		options = []string{"off", "on"}
	}
	if v := L.Get(n); v != lua.LNil {
		if b, ok := v.(lua.LBool); ok {
			*setting = boolToInt(bool(b))
		} else {
			s := checkString(L, n, fname)
			found := false
			for i, o := range options {
				if o == s {
					*setting, found = i, true
					break
				}
			}
			if !found {
				argError(L, n, fname, fmt.Sprintf("invalid option '%s'", s))
			}
		}
	}
	if *setting <= 1 {
		L.Push(lua.LBool(*setting == 1))
	} else {
		L.Push(lua.LString(options[*setting]))
	}
	return 1
}

// integerOption is json_integer_option.
func integerOption(L *lua.LState, n int, setting *int, min, max int, fname string) int {
	if L.Get(n) != lua.LNil {
		v := int(int32(checkInteger(L, n, fname)))
		if v < min || v > max {
			argError(L, 1, fname, fmt.Sprintf("expected integer between %d and %d", min, max))
		}
		*setting = v
	}
	L.Push(lua.LNumber(*setting))
	return 1
}

// cjsonEscapes is lua-cjson's char2escape: how each byte is written in a
// JSON string ("" for as is).
var cjsonEscapes = func() [256]string {
	var e [256]string
	for c := 0; c < 0x20; c++ {
		e[c] = fmt.Sprintf("\\u%04x", c)
	}
	e['\b'], e['\t'], e['\n'], e['\f'], e['\r'] = `\b`, `\t`, `\n`, `\f`, `\r`
	e['"'], e['\\'], e['/'] = `\"`, `\\`, `\/`
	e[0x7f] = `\u007f`
	return e
}()

type cjsonEncoder struct {
	L   *lua.LState
	cfg *cjsonConfig
	buf strings.Builder
}

func (c *cjsonConfig) encode(L *lua.LState) int {
	if L.GetTop() != 1 {
		argError(L, 1, "encode", "expected 1 argument")
	}
	e := &cjsonEncoder{L: L, cfg: c}
	e.value(L.Get(1), 0)
	L.Push(lua.LString(e.buf.String()))
	return 1
}

// fail raises json_encode_exception's error about value v.
func (e *cjsonEncoder) fail(v lua.LValue, reason string) {
	luaError(e.L, "Cannot serialise %s: %s", typeName(v), reason)
}

func (e *cjsonEncoder) value(v lua.LValue, depth int) {
	switch x := v.(type) {
	case lua.LString:
		e.str(string(x))
	case lua.LNumber:
		e.number(x)
	case lua.LBool:
		if x {
			e.buf.WriteString("true")
		} else {
			e.buf.WriteString("false")
		}
	case *lua.LTable:
		depth++
		if depth > e.cfg.encodeMaxDepth {
			luaError(e.L, "Cannot serialise, excessive nesting (%d)", depth)
		}
		if n := e.arrayLength(x); n > 0 {
			e.array(x, n, depth)
		} else {
			e.object(x, depth)
		}
	case *lua.LNilType:
		e.buf.WriteString("null")
	default:
		if IsNull(v) {
			e.buf.WriteString("null")
			return
		}
		e.fail(v, "type not supported")
	}
}

func (e *cjsonEncoder) str(s string) {
	e.buf.WriteByte('"')
	for i := 0; i < len(s); i++ {
		if esc := cjsonEscapes[s[i]]; esc != "" {
			e.buf.WriteString(esc)
		} else {
			e.buf.WriteByte(s[i])
		}
	}
	e.buf.WriteByte('"')
}

func (e *cjsonEncoder) number(n lua.LNumber) {
	f := float64(n)
	if math.IsInf(f, 0) || f != f {
		switch e.cfg.encodeInvalid {
		case 0:
			e.fail(n, "must not be NaN or Inf")
		case 1:
			if f != f {
				e.buf.WriteString("nan")
				return
			}
		default:
			e.buf.WriteString("null")
			return
		}
	}
	e.buf.WriteString(formatG(f, e.cfg.precision))
}

// arrayLength is lua_array_length: the largest key when every key is an
// integer from 1, -1 when the table is to be an object; an excessively
// sparse array is an error unless sparse arrays are converted.
func (e *cjsonEncoder) arrayLength(t *lua.LTable) int {
	// max is a C int: a key past its range makes it INT_MIN, as x86-64's
	// conversion does.
	var max, items int32
	for k, _ := t.Next(lua.LNil); k != lua.LNil; k, _ = t.Next(k) {
		n, ok := k.(lua.LNumber)
		if !ok || n == 0 || math.Floor(float64(n)) != float64(n) || n < 1 {
			return -1
		}
		if float64(n) > float64(max) {
			max = toInt32(float64(n))
		}
		items++
	}
	r := int32(e.cfg.sparseRatio)
	if r > 0 && max > items*r && max > int32(e.cfg.sparseSafe) {
		if !e.cfg.sparseConvert {
			e.fail(t, "excessively sparse array")
		}
		return -1
	}
	return int(max)
}

func (e *cjsonEncoder) array(t *lua.LTable, n, depth int) {
	e.buf.WriteByte('[')
	for i := 1; i <= n; i++ {
		if i > 1 {
			e.buf.WriteByte(',')
		}
		e.value(t.RawGetInt(i), depth)
	}
	e.buf.WriteByte(']')
}

func (e *cjsonEncoder) object(t *lua.LTable, depth int) {
	e.buf.WriteByte('{')
	comma := false
	for k, v := t.Next(lua.LNil); k != lua.LNil; k, v = t.Next(k) {
		if comma {
			e.buf.WriteByte(',')
		}
		comma = true
		switch key := k.(type) {
		case lua.LNumber:
			e.buf.WriteByte('"')
			e.number(key)
			e.buf.WriteString(`":`)
		case lua.LString:
			e.str(string(key))
			e.buf.WriteByte(':')
		default:
			e.fail(k, "table key must be a number or string")
		}
		e.value(v, depth)
	}
	e.buf.WriteByte('}')
}

// JSON token types, named as lua-cjson names them in its errors.
type jsonToken int

const (
	tObjBegin jsonToken = iota
	tObjEnd
	tArrBegin
	tArrEnd
	tString
	tNumber
	tBoolean
	tNull
	tColon
	tComma
	tEnd
	tWhitespace
	tError
	tUnknown
)

var jsonTokenNames = [...]string{
	"T_OBJ_BEGIN", "T_OBJ_END", "T_ARR_BEGIN", "T_ARR_END", "T_STRING",
	"T_NUMBER", "T_BOOLEAN", "T_NULL", "T_COLON", "T_COMMA", "T_END",
	"T_WHITESPACE", "T_ERROR", "T_UNKNOWN",
}

// ch2token is lua-cjson's first-character classification.
var ch2token = func() [256]jsonToken {
	var t [256]jsonToken
	for i := range t {
		t[i] = tError
	}
	t['{'], t['}'], t['['], t[']'] = tObjBegin, tObjEnd, tArrBegin, tArrEnd
	t[','], t[':'], t[0] = tComma, tColon, tEnd
	t[' '], t['\t'], t['\n'], t['\r'] = tWhitespace, tWhitespace, tWhitespace, tWhitespace
	for _, c := range "fiInNt\"+-0123456789" {
		t[c] = tUnknown
	}
	return t
}()

// escape2char is lua-cjson's table of escapes in strings ('u' for \u).
var escape2char = func() [256]byte {
	var t [256]byte
	t['"'], t['\\'], t['/'] = '"', '\\', '/'
	t['b'], t['t'], t['n'], t['f'], t['r'] = '\b', '\t', '\n', '\f', '\r'
	t['u'] = 'u'
	return t
}()

type token struct {
	typ   jsonToken
	index int
	str   string // the string, or the error's text
	num   float64
	b     bool
}

type cjsonDecoder struct {
	L     *lua.LState
	cfg   *cjsonConfig
	data  string
	ptr   int
	depth int
}

func (c *cjsonConfig) decode(L *lua.LState) int {
	if L.GetTop() != 1 {
		argError(L, 1, "decode", "expected 1 argument")
	}
	d := &cjsonDecoder{L: L, cfg: c, data: checkString(L, 1, "decode")}
	if len(d.data) >= 2 && (d.data[0] == 0 || d.data[1] == 0) {
		luaError(L, "JSON parser does not support UTF-16 or UTF-32")
	}
	var t token
	d.next(&t)
	v := d.value(&t)
	d.next(&t)
	if t.typ != tEnd {
		d.fail("the end", &t)
	}
	L.Push(v)
	return 1
}

// at is the byte at i, 0 past the end as for a C string.
func (d *cjsonDecoder) at(i int) byte {
	if i < len(d.data) {
		return d.data[i]
	}
	return 0
}

func (d *cjsonDecoder) fail(expected string, t *token) {
	found := jsonTokenNames[t.typ]
	if t.typ == tError {
		found = t.str
	}
	luaError(d.L, "Expected %s but found %s at character %d", expected, found, t.index+1)
}

func (d *cjsonDecoder) tokenError(t *token, msg string) {
	t.typ, t.index, t.str = tError, d.ptr, msg
}

func (d *cjsonDecoder) next(t *token) {
	var c byte
	for {
		c = d.at(d.ptr)
		t.typ = ch2token[c]
		if t.typ != tWhitespace {
			break
		}
		d.ptr++
	}
	t.index = d.ptr
	switch t.typ {
	case tError:
		d.tokenError(t, "invalid token")
		return
	case tEnd:
		return
	case tUnknown:
	default:
		d.ptr++
		return
	}
	rest := d.data[d.ptr:]
	switch {
	case c == '"':
		d.string(t)
	case c == '-' || isDigit(c):
		if !d.cfg.decodeInvalid && d.invalidNumber() {
			d.tokenError(t, "invalid number")
			return
		}
		d.number(t)
	case strings.HasPrefix(rest, "true"):
		t.typ, t.b = tBoolean, true
		d.ptr += 4
	case strings.HasPrefix(rest, "false"):
		t.typ, t.b = tBoolean, false
		d.ptr += 5
	case strings.HasPrefix(rest, "null"):
		t.typ = tNull
		d.ptr += 4
	case d.cfg.decodeInvalid && d.invalidNumber():
		d.number(t)
	default:
		d.tokenError(t, "invalid token")
	}
}

// invalidNumber is json_is_invalid_number: whether what starts here is a
// number that JSON does not allow (a '+', a hex or zero-led number, inf or
// nan).
func (d *cjsonDecoder) invalidNumber() bool {
	p := d.ptr
	if d.at(p) == '+' {
		return true
	}
	if d.at(p) == '-' {
		p++
	}
	c := d.at(p)
	if c == '0' {
		c2 := d.at(p + 1)
		return c2|0x20 == 'x' || isDigit(c2)
	}
	if c <= '9' {
		return false
	}
	rest := d.data[min(p, len(d.data)):]
	return hasPrefixFold(rest, "inf") || hasPrefixFold(rest, "nan")
}

func (d *cjsonDecoder) number(t *token) {
	f, n := strtod(d.data[d.ptr:])
	if n == 0 {
		d.tokenError(t, "invalid number")
		return
	}
	t.typ, t.num = tNumber, f
	d.ptr += n
}

func (d *cjsonDecoder) string(t *token) {
	d.ptr++
	var b []byte
	for {
		c := d.at(d.ptr)
		if c == '"' {
			break
		}
		if c == 0 {
			d.tokenError(t, "unexpected end of string")
			return
		}
		if c == '\\' {
			c = escape2char[d.at(d.ptr+1)]
			if c == 'u' {
				if r, ok := d.unicodeEscape(b); ok {
					b = r
					continue
				}
				d.tokenError(t, "invalid unicode escape code")
				return
			}
			if c == 0 {
				d.tokenError(t, "invalid escape code")
				return
			}
			d.ptr++
		}
		b = append(b, c)
		d.ptr++
	}
	d.ptr++
	t.typ, t.str = tString, string(b)
}

func (d *cjsonDecoder) hex4(p int) int {
	v := 0
	for i := 0; i < 4; i++ {
		c := d.at(p + i)
		var n int
		switch {
		case isDigit(c):
			n = int(c - '0')
		case c|0x20 >= 'a' && c|0x20 <= 'f':
			n = int(c|0x20-'a') + 10
		default:
			return -1
		}
		v = v<<4 | n
	}
	return v
}

// unicodeEscape is json_append_unicode_escape: a \uXXXX escape, or a
// surrogate pair of them, appended to b as UTF-8.
func (d *cjsonDecoder) unicodeEscape(b []byte) ([]byte, bool) {
	cp := d.hex4(d.ptr + 2)
	if cp < 0 {
		return b, false
	}
	n := 6
	if cp&0xF800 == 0xD800 {
		if cp&0x400 != 0 {
			return b, false
		}
		if d.at(d.ptr+6) != '\\' || d.at(d.ptr+7) != 'u' {
			return b, false
		}
		low := d.hex4(d.ptr + 8)
		if low < 0 || low&0xFC00 != 0xDC00 {
			return b, false
		}
		cp = ((cp&0x3FF)<<10 | low&0x3FF) + 0x10000
		n = 12
	}
	switch {
	case cp <= 0x7F:
		b = append(b, byte(cp))
	case cp <= 0x7FF:
		b = append(b, byte(cp>>6|0xC0), byte(cp&0x3F|0x80))
	case cp <= 0xFFFF:
		b = append(b, byte(cp>>12|0xE0), byte(cp>>6&0x3F|0x80), byte(cp&0x3F|0x80))
	default:
		b = append(b, byte(cp>>18|0xF0), byte(cp>>12&0x3F|0x80), byte(cp>>6&0x3F|0x80), byte(cp&0x3F|0x80))
	}
	d.ptr += n
	return b, true
}

func (d *cjsonDecoder) descend() {
	d.depth++
	if d.depth > d.cfg.decodeMaxDepth {
		luaError(d.L, "Found too many nested data structures (%d) at character %d", d.depth, d.ptr)
	}
}

func (d *cjsonDecoder) value(t *token) lua.LValue {
	switch t.typ {
	case tString:
		return lua.LString(t.str)
	case tNumber:
		return lua.LNumber(t.num)
	case tBoolean:
		return lua.LBool(t.b)
	case tObjBegin:
		return d.object()
	case tArrBegin:
		return d.array()
	case tNull:
		return d.cfg.null
	}
	d.fail("value", t)
	return nil
}

func (d *cjsonDecoder) object() lua.LValue {
	d.descend()
	tbl := d.L.NewTable()
	var t token
	d.next(&t)
	if t.typ == tObjEnd {
		d.depth--
		return tbl
	}
	for {
		if t.typ != tString {
			d.fail("object key string", &t)
		}
		key := t.str
		d.next(&t)
		if t.typ != tColon {
			d.fail("colon", &t)
		}
		d.next(&t)
		tbl.RawSetString(key, d.value(&t))
		d.next(&t)
		if t.typ == tObjEnd {
			d.depth--
			return tbl
		}
		if t.typ != tComma {
			d.fail("comma or object end", &t)
		}
		d.next(&t)
	}
}

func (d *cjsonDecoder) array() lua.LValue {
	d.descend()
	tbl := d.L.NewTable()
	var t token
	d.next(&t)
	if t.typ == tArrEnd {
		d.depth--
		return tbl
	}
	for i := 1; ; i++ {
		tbl.RawSetInt(i, d.value(&t))
		d.next(&t)
		if t.typ == tArrEnd {
			d.depth--
			return tbl
		}
		if t.typ != tComma {
			d.fail("comma or array end", &t)
		}
		d.next(&t)
	}
}
