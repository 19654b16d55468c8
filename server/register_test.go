package server

import (
	"fmt"
	"strings"
	"testing"

	"github.com/remoted/remoted/resp"
)

// TestRegisterUnknownPanics: a handler, or a transaction role, for a name
// resp's command table lacks (a typo, or a command missing from
// resp/table.go) stops the server from being built instead of leaving the
// command silently unknown.
func TestRegisterUnknownPanics(t *testing.T) {
	nop := func(*client, [][]byte) {}
	for _, tc := range []struct {
		name string
		reg  func(r *registry)
		want string // in the panic; "" for none
	}{
		{"known", func(r *registry) { r.key("get", nop); r.plain("client|id", nop) }, ""},
		{"unknown command", func(r *registry) { r.plain("get", nop); r.key("gte", nop) }, `"gte"`},
		{"unknown subcommand", func(r *registry) { r.plain("client|idd", nop) }, `"client|idd"`},
		{"tx role only", func(r *registry) { r.txRole("mulit", func(tr *txRole) { tr.refused = true }) }, `"mulit"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRegistry()
			tc.reg(r)
			got := func() (msg string) {
				defer func() {
					if p := recover(); p != nil {
						msg = fmt.Sprint(p)
					}
				}()
				new(Server).bindAll(r, resp.Commands())
				return ""
			}()
			switch {
			case tc.want == "" && got != "":
				t.Fatalf("panic %q, want none", got)
			case tc.want != "" && !strings.Contains(got, tc.want):
				t.Fatalf("panic %q, want one naming %s", got, tc.want)
			}
		})
	}
}
