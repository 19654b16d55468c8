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
	switch {
	case ks.BeginUnknown:
		w.BulkString("unknown")
		w.BulkString("spec")
		w.Map(0)
	case ks.BeginKeyword != "":
		w.BulkString("keyword")
		w.BulkString("spec")
		w.Map(2)
		w.BulkString("keyword")
		w.BulkString(ks.BeginKeyword)
		w.BulkString("startfrom")
		w.Int(int64(ks.KeywordStart))
	default:
		w.BulkString("index")
		w.BulkString("spec")
		w.Map(1)
		w.BulkString("index")
		w.Int(int64(ks.BeginIndex))
	}

	w.BulkString("find_keys")
	w.Map(2)
	w.BulkString("type")
	switch {
	case ks.FindUnknown:
		w.BulkString("unknown")
		w.BulkString("spec")
		w.Map(0)
	case ks.KeyNum:
		w.BulkString("keynum")
		w.BulkString("spec")
		w.Map(3)
		w.BulkString("keynumidx")
		w.Int(int64(ks.KeyNumIdx))
		w.BulkString("firstkey")
		w.Int(int64(ks.FirstKeyIdx))
		w.BulkString("keystep")
		w.Int(int64(ks.KeyStep))
	default:
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
// DOCS does for each entry: summary, since, group, complexity,
// doc_flags, deprecated_since, replaced_by, history, arguments and
// subcommands, in that order, each present only when set (group always
// is). The caller writes the outer map and the command name.
func (w *Writer) CommandDocs(c *Command) {
	n := 1 // group
	for _, set := range []bool{
		c.Summary != "", c.Since != "", c.Complexity != "", len(c.DocFlags) > 0,
		c.DeprecatedSince != "", c.ReplacedBy != "", len(c.History) > 0,
		len(c.Args) > 0, len(c.Subcommands) > 0,
	} {
		if set {
			n++
		}
	}
	w.Map(n)
	w.optField("summary", c.Summary)
	w.optField("since", c.Since)
	w.BulkString("group")
	w.BulkString(c.Group)
	w.optField("complexity", c.Complexity)
	if len(c.DocFlags) > 0 {
		w.BulkString("doc_flags")
		w.simpleSet(c.DocFlags)
	}
	w.optField("deprecated_since", c.DeprecatedSince)
	w.optField("replaced_by", c.ReplacedBy)
	if len(c.History) > 0 {
		w.BulkString("history")
		w.Set(len(c.History))
		for _, h := range c.History {
			w.Array(2)
			w.BulkString(h.Version)
			w.BulkString(h.Change)
		}
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
// [deprecated_since], [flags] and [arguments], in that order.
func (w *Writer) docArgs(args []Arg) {
	w.Array(len(args))
	for i := range args {
		a := &args[i]
		isKey := a.Type == "key" || a.KeySpecRef
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
		for _, b := range []bool{a.DisplayText != "", isKey, a.Token != "", a.Since != "", a.DeprecatedSince != "", nf > 0, nested} {
			if b {
				n++
			}
		}
		w.Map(n)
		w.BulkString("name")
		w.BulkString(a.Name)
		w.BulkString("type")
		w.BulkString(a.Type)
		w.optField("display_text", a.DisplayText)
		if isKey {
			w.BulkString("key_spec_index")
			w.Int(int64(a.KeySpec))
		}
		w.optField("token", a.Token)
		w.optField("since", a.Since)
		w.optField("deprecated_since", a.DeprecatedSince)
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

// optField writes key and val as two bulk strings of a map, when val is set.
func (w *Writer) optField(key, val string) {
	if val != "" {
		w.BulkString(key)
		w.BulkString(val)
	}
}
