package server

import (
	"github.com/remoted/remoted/internal/lualib"
	lua "github.com/yuin/gopher-lua"
)

// openLibs registers the libraries Redis gives scripts beyond Lua's own:
// cjson, cmsgpack, bit and struct (package internal/lualib).
func openLibs(L *lua.LState) { lualib.Open(L) }
