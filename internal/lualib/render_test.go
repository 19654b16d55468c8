package lualib

import (
	"fmt"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// render writes a Lua value as the golden data does.
func render(v lua.LValue) string {
	switch x := v.(type) {
	case lua.LString:
		return fmt.Sprintf("%q", string(x))
	case lua.LNumber:
		return formatG(float64(x), 17)
	case *lua.LTable:
		var b strings.Builder
		b.WriteString("{")
		for i := 1; ; i++ {
			e := x.RawGetInt(i)
			if e == lua.LNil {
				break
			}
			if i > 1 {
				b.WriteString(",")
			}
			b.WriteString(render(e))
		}
		b.WriteString("}")
		return b.String()
	}
	return v.String()
}
