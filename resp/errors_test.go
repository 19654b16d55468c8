package resp

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

// TestMsgNaming: every text constant of errors.go (and of errors_*.go,
// the texts of one type's commands) is named Msg... and reads as an error
// reply: a code in capitals, a space, one line.
func TestMsgNaming(t *testing.T) {
	names, err := filepath.Glob("errors*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		if !strings.HasSuffix(name, "_test.go") {
			checkMsgNames(t, name)
		}
	}
}

func checkMsgNames(t *testing.T, name string) {
	f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	reply := regexp.MustCompile(`^[A-Z]+ [^\r\n]+$`)
	for _, d := range f.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.CONST {
			continue
		}
		for _, spec := range gd.Specs {
			vs := spec.(*ast.ValueSpec)
			for i, id := range vs.Names {
				lit, ok := vs.Values[i].(*ast.BasicLit)
				if !ok {
					continue // an alias of a Msg name
				}
				s, _ := strconv.Unquote(lit.Value)
				if !strings.HasPrefix(id.Name, "Msg") {
					t.Errorf("%s: a reply text's name starts with Msg", id.Name)
				}
				if !reply.MatchString(s) {
					t.Errorf("%s = %q: not an error reply line", id.Name, s)
				}
			}
		}
	}
}

// TestMsgBuilders: builders that embed a client's bytes keep the reply
// one line, as Redis does, and cut long input at 128 bytes.
func TestMsgBuilders(t *testing.T) {
	long := strings.Repeat("x", 200)
	for _, tc := range []struct{ got, want string }{
		{MsgWrongArgs("client|id"), "ERR wrong number of arguments for 'client|id' command"},
		{MsgHelloSyntax([]byte("a\r\nb")), "ERR Syntax error in HELLO option 'a  b'"},
		{MsgUnknownClientType([]byte("x\ny")), "ERR Unknown client type 'x y'"},
		{MsgUnrecognizedOption([]byte("lib\rname")), "ERR Unrecognized option 'lib name'"},
		{MsgUnsupportedOption([]byte("q\n")), "ERR Unsupported option q "},
		{MsgUnknownSubcommand("client", []byte("no\r\n")), "ERR unknown subcommand 'no  '. Try CLIENT HELP."},
		{MsgUnknownSubcommand("client", []byte(long)), "ERR unknown subcommand '" + long[:128] + "'. Try CLIENT HELP."},
		{MsgUnknownCommand([][]byte{[]byte("foo"), []byte("a"), []byte("b\n")}), "ERR unknown command 'foo', with args beginning with: 'a' 'b ' "},
		{MsgExecAbortBecause(MsgNoAuth), "EXECABORT Transaction discarded because of: NOAUTH Authentication required."},
		{MsgExecAbortBecause(MsgWrongArgs("exec")), "EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command"},
	} {
		if tc.got != tc.want {
			t.Errorf("got  %q\nwant %q", tc.got, tc.want)
		}
	}
}
