package server

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// errorCode matches a string that starts like an error reply: one of
// Redis's error codes and a space.
var errorCode = regexp.MustCompile(`^(ERR|WRONGTYPE|NOAUTH|WRONGPASS|NOPROTO|EXECABORT|NOSCRIPT|BUSY|BUSYKEY|OOM|NOPERM|READONLY|LOADING|UNBLOCKED) `)

// TestNoInlineErrorTexts: every error text the server sends is named in
// resp/errors.go; no file of the server spells one.
func TestNoInlineErrorTexts(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err == nil && errorCode.MatchString(s) {
				t.Errorf("%s: error text %q spelled inline; name it in resp/errors.go", fset.Position(lit.Pos()), s)
			}
			return true
		})
	}
}
