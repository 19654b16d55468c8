package resp

// CommandInfo writes one COMMAND INFO entry for c exactly as Redis 7.0
// does: a 10-element array of name, arity, flags (set), first key, last
// key, step, ACL categories (set), tips (set of bulk strings), key specs
// (set of maps) and subcommands (an array of entries, or an empty set when
// there are none). A nil c writes a null, as Redis does for an
// unknown name.
func (w *Writer) CommandInfo(c *Command) {
	if c == nil {
		w.Null()
		return
	}
	w.Array(10)
	w.BulkString(c.Name)
	w.Int(int64(c.Arity))
	w.simpleSet(c.Flags)
	w.Int(int64(c.FirstKey))
	w.Int(int64(c.LastKey))
	w.Int(int64(c.Step))
	w.simpleSet(c.ACL)
	w.Set(len(c.Tips)) // tips are bulk strings, unlike flags
	for _, t := range c.Tips {
		w.BulkString(t)
	}
	w.Set(len(c.KeySpecs))
	for i := range c.KeySpecs {
		w.keySpec(&c.KeySpecs[i])
	}
	// Redis 7.0 writes an empty set when there are no subcommands but an
	// array when there are.
	if len(c.Subcommands) == 0 {
		w.Set(0)
		return
	}
	w.Array(len(c.Subcommands))
	for _, s := range c.Subcommands {
		w.CommandInfo(s)
	}
}

// simpleSet writes ss as a set of simple strings.
func (w *Writer) simpleSet(ss []string) {
	w.Set(len(ss))
	for _, s := range ss {
		w.Simple(s)
	}
}

func (w *Writer) keySpec(ks *KeySpec) {
	n := 3
	if ks.Notes != "" {
		n++
	}
	w.Map(n)
	if ks.Notes != "" {
		w.BulkString("notes")
		w.BulkString(ks.Notes)
	}
	w.BulkString("flags")
	w.simpleSet(ks.Flags)

	w.BulkString("begin_search")
	w.Map(2)
	w.BulkString("type")
	if ks.BeginKeyword != "" {
		w.BulkString("keyword")
		w.BulkString("spec")
		w.Map(2)
		w.BulkString("keyword")
		w.BulkString(ks.BeginKeyword)
		w.BulkString("startfrom")
		w.Int(int64(ks.KeywordStart))
	} else {
		w.BulkString("index")
		w.BulkString("spec")
		w.Map(1)
		w.BulkString("index")
		w.Int(int64(ks.BeginIndex))
	}

	w.BulkString("find_keys")
	w.Map(2)
	w.BulkString("type")
	if ks.KeyNum {
		w.BulkString("keynum")
		w.BulkString("spec")
		w.Map(3)
		w.BulkString("keynumidx")
		w.Int(int64(ks.KeyNumIdx))
		w.BulkString("firstkey")
		w.Int(int64(ks.FirstKeyIdx))
		w.BulkString("keystep")
		w.Int(int64(ks.KeyStep))
	} else {
		w.BulkString("range")
		w.BulkString("spec")
		w.Map(3)
		w.BulkString("lastkey")
		w.Int(int64(ks.LastKey))
		w.BulkString("keystep")
		w.Int(int64(ks.KeyStep))
		w.BulkString("limit")
		w.Int(int64(ks.Limit))
	}
}

// CommandDocs writes the docs map of one command as Redis 7.0's COMMAND
// DOCS does for each entry: summary, since, group, complexity, arguments
// and subcommands, in that order, each present only when set (group always
// is). The caller writes the outer map and the command name. Unlike Redis,
// no history, doc_flags or deprecation fields are written.
func (w *Writer) CommandDocs(c *Command) {
	n := 1 // group
	if c.Summary != "" {
		n++
	}
	if c.Since != "" {
		n++
	}
	if c.Complexity != "" {
		n++
	}
	if len(c.Args) > 0 {
		n++
	}
	if len(c.Subcommands) > 0 {
		n++
	}
	w.Map(n)
	if c.Summary != "" {
		w.BulkString("summary")
		w.BulkString(c.Summary)
	}
	if c.Since != "" {
		w.BulkString("since")
		w.BulkString(c.Since)
	}
	w.BulkString("group")
	w.BulkString(c.Group)
	if c.Complexity != "" {
		w.BulkString("complexity")
		w.BulkString(c.Complexity)
	}
	if len(c.Args) > 0 {
		w.BulkString("arguments")
		w.docArgs(c.Args)
	}
	if len(c.Subcommands) > 0 {
		w.BulkString("subcommands")
		w.Map(len(c.Subcommands))
		for _, s := range c.Subcommands {
			w.BulkString(s.Name)
			w.CommandDocs(s)
		}
	}
}

// docArgs writes an argument list as Redis 7.0 does: an array of maps with
// the keys name, type, [display_text], [key_spec_index], [token], [since],
// [flags] and [arguments], in that order.
func (w *Writer) docArgs(args []Arg) {
	w.Array(len(args))
	for i := range args {
		a := &args[i]
		isKey := a.Type == "key"
		nested := a.Type == "oneof" || a.Type == "block"
		var flags [3]string
		nf := 0
		if a.Optional {
			flags[nf] = "optional"
			nf++
		}
		if a.Multiple {
			flags[nf] = "multiple"
			nf++
		}
		if a.MultipleTok {
			flags[nf] = "multiple_token"
			nf++
		}
		n := 2
		for _, b := range []bool{a.DisplayText != "", isKey, a.Token != "", a.Since != "", nf > 0, nested} {
			if b {
				n++
			}
		}
		w.Map(n)
		w.BulkString("name")
		w.BulkString(a.Name)
		w.BulkString("type")
		w.BulkString(a.Type)
		if a.DisplayText != "" {
			w.BulkString("display_text")
			w.BulkString(a.DisplayText)
		}
		if isKey {
			w.BulkString("key_spec_index")
			w.Int(int64(a.KeySpec))
		}
		if a.Token != "" {
			w.BulkString("token")
			w.BulkString(a.Token)
		}
		if a.Since != "" {
			w.BulkString("since")
			w.BulkString(a.Since)
		}
		if nf > 0 {
			w.BulkString("flags")
			w.simpleSet(flags[:nf])
		}
		if nested {
			w.BulkString("arguments")
			w.docArgs(a.Args)
		}
	}
}
