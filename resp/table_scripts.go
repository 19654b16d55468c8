package resp

// scriptCommands returns the table entries of the scripting commands: EVAL,
// EVALSHA, their read-only forms and SCRIPT. The facts are Redis 7.0.15's,
// drafted with internal/gentable; the summaries are our own words.
func scriptCommands() []*Command {
	return []*Command{
		{
			Name: "eval", Arity: -3,
			Flags:    []string{"noscript", "stale", "skip_monitor", "no_mandatory_keys", "movablekeys"},
			FirstKey: 0, LastKey: 0, Step: 0,
			ACL: []string{"@slow", "@scripting"},
			KeySpecs: []KeySpec{
				{Notes: "We cannot tell how the keys will be used so we assume the worst, RW and UPDATE", Flags: []string{"RW", "access", "update"}, BeginIndex: 2, KeyNum: true, KeyNumIdx: 0, FirstKeyIdx: 1, KeyStep: 1},
			},
			Summary: "Run a Lua script on the server with the given keys and arguments",
			Since:   "2.6.0", Group: "scripting",
			Complexity: "Depends on the script that is executed.",
			Args: []Arg{
				{Name: "script", Type: "string"},
				{Name: "numkeys", Type: "integer"},
				{Name: "key", Type: "key", KeySpec: 0, Optional: true, Multiple: true},
				{Name: "arg", Type: "string", Optional: true, Multiple: true},
			},
		},
		{
			Name: "evalsha", Arity: -3,
			Flags:    []string{"noscript", "stale", "skip_monitor", "no_mandatory_keys", "movablekeys"},
			FirstKey: 0, LastKey: 0, Step: 0,
			ACL: []string{"@slow", "@scripting"},
			KeySpecs: []KeySpec{
				{Flags: []string{"RW", "access", "update"}, BeginIndex: 2, KeyNum: true, KeyNumIdx: 0, FirstKeyIdx: 1, KeyStep: 1},
			},
			Summary: "Run a cached Lua script, named by the SHA1 of its body",
			Since:   "2.6.0", Group: "scripting",
			Complexity: "Depends on the script that is executed.",
			Args: []Arg{
				{Name: "sha1", Type: "string"},
				{Name: "numkeys", Type: "integer"},
				{Name: "key", Type: "key", KeySpec: 0, Optional: true, Multiple: true},
				{Name: "arg", Type: "string", Optional: true, Multiple: true},
			},
		},
		{
			Name: "eval_ro", Arity: -3,
			Flags:    []string{"readonly", "noscript", "stale", "skip_monitor", "no_mandatory_keys", "movablekeys"},
			FirstKey: 0, LastKey: 0, Step: 0,
			ACL: []string{"@slow", "@scripting"},
			KeySpecs: []KeySpec{
				{Notes: "We cannot tell how the keys will be used so we assume the worst, RO and ACCESS", Flags: []string{"RO", "access"}, BeginIndex: 2, KeyNum: true, KeyNumIdx: 0, FirstKeyIdx: 1, KeyStep: 1},
			},
			Summary: "Run a Lua script that may only read",
			Since:   "7.0.0", Group: "scripting",
			Complexity: "Depends on the script that is executed.",
			Args: []Arg{
				{Name: "script", Type: "string"},
				{Name: "numkeys", Type: "integer"},
				{Name: "key", Type: "key", KeySpec: 0, Optional: true, Multiple: true},
				{Name: "arg", Type: "string", Optional: true, Multiple: true},
			},
		},
		{
			Name: "evalsha_ro", Arity: -3,
			Flags:    []string{"readonly", "noscript", "stale", "skip_monitor", "no_mandatory_keys", "movablekeys"},
			FirstKey: 0, LastKey: 0, Step: 0,
			ACL: []string{"@slow", "@scripting"},
			KeySpecs: []KeySpec{
				{Flags: []string{"RO", "access"}, BeginIndex: 2, KeyNum: true, KeyNumIdx: 0, FirstKeyIdx: 1, KeyStep: 1},
			},
			Summary: "Run a cached Lua script, named by its SHA1, that may only read",
			Since:   "7.0.0", Group: "scripting",
			Complexity: "Depends on the script that is executed.",
			Args: []Arg{
				{Name: "sha1", Type: "string"},
				{Name: "numkeys", Type: "integer"},
				{Name: "key", Type: "key", KeySpec: 0, Optional: true, Multiple: true},
				{Name: "arg", Type: "string", Optional: true, Multiple: true},
			},
		},
		{
			Name: "script", Arity: -2,
			Flags:    []string{},
			FirstKey: 0, LastKey: 0, Step: 0,
			ACL:     []string{"@slow"},
			Summary: "Container for the script cache's commands",
			Since:   "2.6.0", Group: "scripting",
			Complexity: "Depends on subcommand.",
			Subcommands: []*Command{
				{
					Name: "script|flush", Arity: -2,
					Flags:    []string{"noscript"},
					FirstKey: 0, LastKey: 0, Step: 0,
					ACL:     []string{"@slow", "@scripting"},
					Tips:    []string{"request_policy:all_nodes", "response_policy:all_succeeded"},
					Summary: "Empty the script cache",
					Since:   "2.6.0", Group: "scripting",
					Complexity: "O(N) with N being the number of scripts in cache",
					History: []History{
						{Version: "6.2.0", Change: "Added the `ASYNC` and `SYNC` flushing mode modifiers."},
					},
					Args: []Arg{
						{Name: "async", Type: "oneof", Since: "6.2.0", Optional: true, Args: []Arg{
							{Name: "async", Type: "pure-token", Token: "ASYNC"},
							{Name: "sync", Type: "pure-token", Token: "SYNC"},
						}},
					},
				},
				{
					Name: "script|exists", Arity: -3,
					Flags:    []string{"noscript"},
					FirstKey: 0, LastKey: 0, Step: 0,
					ACL:     []string{"@slow", "@scripting"},
					Tips:    []string{"request_policy:all_shards", "response_policy:agg_logical_and"},
					Summary: "Tell which of the given SHA1s name cached scripts",
					Since:   "2.6.0", Group: "scripting",
					Complexity: "O(N) with N being the number of scripts to check (so checking a single script is an O(1) operation).",
					Args: []Arg{
						{Name: "sha1", Type: "string", Multiple: true},
					},
				},
				{
					Name: "script|help", Arity: 2,
					Flags:    []string{"loading", "stale"},
					FirstKey: 0, LastKey: 0, Step: 0,
					ACL:     []string{"@slow", "@scripting"},
					Summary: "Show the SCRIPT subcommands",
					Since:   "5.0.0", Group: "scripting",
					Complexity: "O(1)",
				},
				{
					Name: "script|load", Arity: 3,
					Flags:    []string{"noscript", "stale"},
					FirstKey: 0, LastKey: 0, Step: 0,
					ACL:     []string{"@slow", "@scripting"},
					Tips:    []string{"request_policy:all_nodes", "response_policy:all_succeeded"},
					Summary: "Cache a Lua script without running it and answer its SHA1",
					Since:   "2.6.0", Group: "scripting",
					Complexity: "O(N) with N being the length in bytes of the script body.",
					Args: []Arg{
						{Name: "script", Type: "string"},
					},
				},
			},
		},
	}
}
