package lualib

import (
	"os"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

// TestTry runs the scripts in $LUALIB_TRY (separated by lines of "--")
// and prints their results; a tool for comparing by hand.
func TestTry(t *testing.T) {
	src := os.Getenv("LUALIB_TRY")
	if src == "" {
		t.Skip("LUALIB_TRY not set")
	}
	for _, s := range strings.Split(src, "\n--\n") {
		L := lua.NewState()
		Open(L)
		fn, err := L.Load(strings.NewReader(s), "user_script")
		if err != nil {
			t.Logf("== %s\ncompile: %v", s, err)
			continue
		}
		L.Push(fn)
		if err := L.PCall(0, lua.MultRet, nil); err != nil {
			t.Logf("== %s\nERR %v", s, err)
			continue
		}
		var out []string
		for i := 1; i <= L.GetTop(); i++ {
			out = append(out, render(L.Get(i)))
		}
		t.Logf("== %s\n%s", s, strings.Join(out, "\n"))
		L.Close()
	}
}
