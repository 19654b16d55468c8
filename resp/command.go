package resp

import "strings"

// Command describes one command as COMMAND INFO and COMMAND DOCS report it
// and as the server's dispatcher checks it. The fields mirror Redis 7's
// command metadata; the facts (arity, flags, key positions, ACL categories,
// key specs) match Redis 7.0 for every command Redis also has.
type Command struct {
	// Name is the lower-case command name; a subcommand's Name is
	// "parent|sub", as Redis reports it.
	Name string
	// Arity is the number of arguments including the name; negative means
	// "at least -Arity".
	Arity int
	// Flags are COMMAND INFO's flags ("write", "readonly", "fast", ...).
	Flags []string
	// FirstKey, LastKey and Step are the legacy key positions.
	FirstKey, LastKey, Step int
	// ACL lists the ACL categories, with the leading '@'.
	ACL []string
	// Tips are command tips such as "nondeterministic_output".
	Tips []string
	// KeySpecs describe where the keys are (Redis 7 key specifications).
	KeySpecs []KeySpec
	// Subcommands, for container commands such as CLIENT.
	Subcommands []*Command

	// Summary, Since, Group and Complexity are COMMAND DOCS fields.
	Summary    string
	Since      string
	Group      string
	Complexity string
	// DocFlags are COMMAND DOCS' doc_flags, such as "deprecated".
	DocFlags []string
	// DeprecatedSince and ReplacedBy are set for a deprecated command.
	DeprecatedSince, ReplacedBy string
	// History lists the versions that changed the command, oldest first.
	History []History
	// Args documents the arguments for COMMAND DOCS (redis-cli hints).
	Args []Arg

	subs map[string]*Command
}

// KeySpec is one Redis 7 key specification.
type KeySpec struct {
	// Notes is the key spec's optional "notes" text (COMMAND INFO shows it).
	Notes string
	Flags []string
	// BeginUnknown and FindUnknown report the "unknown" begin_search and
	// find_keys types (the keys cannot be found from the arguments alone).
	BeginUnknown, FindUnknown bool
	// BeginIndex is used when BeginKeyword is empty.
	BeginIndex   int
	BeginKeyword string
	// KeywordStart is where the keyword search starts (negative: from end).
	KeywordStart int
	// Range find_keys (used when KeyNum is false).
	LastKey, KeyStep, Limit int
	// KeyNum find_keys: the number of keys is at KeyNumIdx.
	KeyNum                 bool
	KeyNumIdx, FirstKeyIdx int
}

// History is one entry of a command's COMMAND DOCS history: the version
// and what it changed.
type History struct {
	Version, Change string
}

// Arg documents one argument of a command for COMMAND DOCS.
type Arg struct {
	Name        string
	Type        string // "key", "string", "integer", "double", "pattern", "unix-time", "pure-token", "oneof", "block"
	DisplayText string
	KeySpec     int // index into KeySpecs, for Type "key" or with KeySpecRef
	// KeySpecRef marks an argument of another type that still names keys
	// through KeySpec, such as SORT's BY pattern.
	KeySpecRef  bool
	Token       string
	Optional    bool
	Multiple    bool
	MultipleTok bool
	Since       string
	// DeprecatedSince is the argument's "deprecated_since" docs field.
	DeprecatedSince string
	Args            []Arg // for "oneof" and "block"
}

// Has reports whether the command carries the flag.
func (c *Command) Has(flag string) bool {
	for _, f := range c.Flags {
		if f == flag {
			return true
		}
	}
	return false
}

// Sub returns the subcommand with the lower-case name sub, or nil.
func (c *Command) Sub(sub string) *Command {
	return c.subs[sub]
}

// ArityOK reports whether n arguments (including the name) satisfy Arity.
func (c *Command) ArityOK(n int) bool {
	if c.Arity >= 0 {
		return n == c.Arity
	}
	return n >= -c.Arity
}

// Table is a set of commands looked up by lower-case name.
type Table struct {
	byName map[string]*Command
	sorted []*Command
}

// NewTable indexes cmds. It panics on a duplicate name, which is a
// programming error.
func NewTable(cmds []*Command) *Table {
	t := &Table{byName: make(map[string]*Command, len(cmds)), sorted: cmds}
	for _, c := range cmds {
		if _, dup := t.byName[c.Name]; dup {
			panic("resp: duplicate command " + c.Name)
		}
		t.byName[c.Name] = c
		if len(c.Subcommands) > 0 {
			c.subs = make(map[string]*Command, len(c.Subcommands))
			for _, s := range c.Subcommands {
				c.subs[s.Name[strings.IndexByte(s.Name, '|')+1:]] = s
			}
		}
	}
	return t
}

// Lookup returns the command named name (lower-case), or nil.
func (t *Table) Lookup(name string) *Command { return t.byName[name] }

// All returns every command in table order.
func (t *Table) All() []*Command { return t.sorted }

// Len returns the number of top-level commands.
func (t *Table) Len() int { return len(t.sorted) }
