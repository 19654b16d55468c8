package server

import lua "github.com/yuin/gopher-lua"

// openLibs registers the libraries Redis gives scripts beyond Lua's own:
// cjson, cmsgpack, bit and struct.
//
// LUALIB: the single call site of internal/lualib (branch lualib), not
// merged yet: until then scripts have none of the four.
func openLibs(L *lua.LState) {}
