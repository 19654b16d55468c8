package server

import (
	"fmt"
	"slices"

	"github.com/remoted/remoted/resp"
)

// handlerFunc runs one command; args[0] is the command name as sent.
type handlerFunc func(c *client, args [][]byte)

// registry collects handlers by lower-case command name ("parent|sub" for
// a subcommand) before they are bound to the command table.
type registry struct {
	fns  map[string]handlerFunc
	keys map[string]bool
	tx   map[string]txRole
	// inTable holds the names bind met in the command table.
	inTable map[string]bool
}

func newRegistry() *registry {
	return &registry{
		fns:     map[string]handlerFunc{},
		keys:    map[string]bool{},
		tx:      map[string]txRole{},
		inTable: map[string]bool{},
	}
}

// key registers a command that reads or writes the keyspace: the
// dispatcher runs it under the keyspace lock.
func (r *registry) key(name string, fn handlerFunc) {
	r.fns[name] = fn
	r.keys[name] = true
}

// plain registers a command that does not touch the keyspace, or takes
// the keyspace lock itself for a short read.
func (r *registry) plain(name string, fn handlerFunc) { r.fns[name] = fn }

// txRole sets how the command name behaves after MULTI.
func (r *registry) txRole(name string, set func(*txRole)) {
	role := r.tx[name]
	set(&role)
	r.tx[name] = role
}

// registerAll binds every command of resp's table that has a handler.
// Table commands without one (those of later features) stay unknown, and
// COMMAND does not list them. A handler for a name the table lacks panics:
// it is a typo or a command missing from resp/table.go.
func (s *Server) registerAll() {
	r := newRegistry()
	s.registerHandlers(r)
	s.bindAll(r, resp.Commands())
}

// registerHandlers registers the handler of every command with r.
func (s *Server) registerHandlers(r *registry) {
	s.commandsConnection(r)
	s.commandsServer(r)
	s.commandsString(r)
	s.commandsKeyspace(r)
	s.commandsList(r)
	s.commandsLock(r)
	s.commandsInspect(r)
	s.commandsObject(r)
	s.commandsDump(r)
	s.commandsTx(r)
	s.commandsHash(r)
	s.commandsSet(r)
	s.commandsZset(r)
	s.commandsSort(r)
	s.commandsScript(r)
}

// bindAll binds the handlers of r to the commands of table and makes
// them the commands served; it panics if r names a command table lacks.
func (s *Server) bindAll(r *registry, table []*resp.Command) {
	s.cmds = make(map[string]*command)
	var listed []*resp.Command
	for _, meta := range table {
		cmd := r.bind(meta)
		if cmd == nil {
			continue
		}
		if len(meta.Subcommands) > 0 {
			cmd.subs = make(map[string]*command)
			var subs []*resp.Command
			for _, sm := range meta.Subcommands {
				if sc := r.bind(sm); sc != nil {
					cmd.subs[sm.Name[len(meta.Name)+1:]] = sc
					subs = append(subs, sm)
				}
			}
			if subs == nil && cmd.fn == nil {
				continue // a container none of whose subcommands is served
			}
			meta.Subcommands = subs
		}
		s.cmds[meta.Name] = cmd
		listed = append(listed, meta)
	}
	s.table = resp.NewTable(listed)
	if missing := r.unbound(); len(missing) > 0 {
		panic(fmt.Sprintf("server: commands registered but not in resp's command table: %q", missing))
	}
}

// unbound returns, sorted, the names given a handler or a transaction
// role that no command of the table has.
func (r *registry) unbound() []string {
	var names []string
	for name := range r.fns {
		if !r.inTable[name] {
			names = append(names, name)
		}
	}
	for name := range r.tx {
		if !r.inTable[name] && r.fns[name] == nil {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return names
}

// bind returns the command for meta, or nil if it has no handler. A
// container command (CLIENT, CONFIG, COMMAND) is bound here; bindAll
// drops it unless one of its subcommands is bound. Run alone it gets the
// arity error.
func (r *registry) bind(meta *resp.Command) *command {
	r.inTable[meta.Name] = true
	fn := r.fns[meta.Name]
	if fn == nil && len(meta.Subcommands) == 0 {
		return nil
	}
	role := r.tx[meta.Name]
	role.refused = role.refused || meta.Has("no_multi")
	return &command{
		meta:    meta,
		fn:      fn,
		keys:    r.keys[meta.Name],
		noAuth:  meta.Has("no_auth"),
		monitor: !meta.Has("admin") && !role.exec,
		tx:      role,
	}
}
