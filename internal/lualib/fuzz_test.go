package lualib

import (
	"errors"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

// callDecoder calls the library function lib.fn on args in a fresh state
// and fails t if it ends in anything but results or a Lua error: a Go
// panic caught by gopher-lua is an ApiErrorPanic.
func callDecoder(t *testing.T, lib, fn string, args ...string) {
	L := newTestState()
	defer L.Close()
	f := L.GetField(L.GetGlobal(lib), fn)
	L.Push(f)
	for _, a := range args {
		L.Push(lua.LString(a))
	}
	err := L.PCall(len(args), lua.MultRet, nil)
	var apiErr *lua.ApiError
	if err != nil && (!errors.As(err, &apiErr) || apiErr.Type != lua.ApiErrorRun) {
		t.Fatalf("%s.%s(%q): %v", lib, fn, args, err)
	}
}

func FuzzCJSONDecode(f *testing.F) {
	for _, s := range []string{`[1,2,{"a":3},"a\/b",1.5,1e300,0.1]`, `{"a":[true,false,null]}`,
		`"\ud83d\ude00\u00e9"`, `[0x10, -inf, nan(1), +1, 01]`, `[[[[`, `"\u12`, "1\x00", `{"a" 1}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		callDecoder(t, "cjson", "decode", s)
	})
}

func FuzzCmsgpackUnpack(f *testing.F) {
	for _, s := range []string{"\x93\x01\x02\x03\xa3abc\xca?\xc0\x00\x00\xff\xcd\x01,",
		"\x81\xc0\x01", "\xdd\xff\xff\xff\xff\x01", "\xdb\x00\x00\x00\x01e", "\xcf\xff\xff\xff\xff\xff\xff\xff\xff",
		"\x91\x91\x91\x91\x01", "\xde\x00\x01\xa1a\x92\xc3\xc2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		callDecoder(t, "cmsgpack", "unpack", s)
		callDecoder(t, "cmsgpack", "unpack_one", s)
	})
}

func FuzzStructUnpack(f *testing.F) {
	for _, s := range [][2]string{{"bBhHlLTiI", "0123456789abcdefghijklmnopqrstuvwxyz0123456789"},
		{">i16<I9!4fd", "\xff\xfe\x00\x01abcdefghijklmnopqrstuvwxyz0123456789"}, {"c1c0s", "3abcd\x00"},
		{"!3b", "a"}, {"c99999999999", "a"}, {"xxs", "ab"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, format, data string) {
		callDecoder(t, "struct", "unpack", format, data)
		callDecoder(t, "struct", "size", format)
	})
}
