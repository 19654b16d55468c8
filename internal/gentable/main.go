// Command gentable drafts entries of remoted's command table (resp/table.go)
// from a running redis-server: it asks the server for COMMAND INFO and
// COMMAND DOCS of the named commands (with their subcommands) and prints Go
// source for []*resp.Command elements in the table's style.
//
// Usage:
//
//	go run ./internal/gentable -s /path/to/redis.sock cmd1 cmd2 ...
//
// It copies the facts only: arity, flags, key positions, ACL categories,
// tips, key specs, since, group, complexity, doc flags, history and the
// argument tree. It never copies Redis's summary: every Summary it prints is
// the placeholder below, and each must be replaced with our own short, plain
// words before the entries are committed (TestCommandsConsistent rejects the
// placeholder). Subcommands come out in the order this server process lists
// them, which Redis 7.0 does not keep fixed between runs.
//
// It speaks RESP3 over the unix socket with the standard library only.
package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"go/format"
	"io"
	"net"
	"os"
	"strconv"
	"strings"

	"github.com/remoted/remoted/resp"
)

// placeholder is the Summary of every printed entry, to be replaced.
const placeholder = "TODO(gentable): our own summary"

func main() {
	sock := flag.String("s", "", "unix socket of a running redis-server")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: gentable -s redis.sock command...\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if *sock == "" || flag.NArg() == 0 {
		flag.Usage()
		os.Exit(2)
	}
	src, err := generate(*sock, flag.Args())
	if err != nil {
		fmt.Fprintln(os.Stderr, "gentable:", err)
		os.Exit(1)
	}
	os.Stdout.Write(src)
}

// generate fetches the named commands and returns their formatted source.
func generate(sock string, names []string) ([]byte, error) {
	conn, err := net.Dial("unix", sock)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	c := &client{conn: conn, r: bufio.NewReader(conn)}
	if _, err := c.do("HELLO", "3"); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	buf.WriteString("package resp\n\nfunc f() []*Command {\n\treturn []*Command{\n")
	for _, name := range names {
		cmd, err := c.command(name)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		printCommand(&buf, cmd)
		buf.WriteString(",\n")
	}
	buf.WriteString("}\n}\n")
	out, err := format.Source(buf.Bytes())
	if err != nil {
		return nil, fmt.Errorf("formatting: %w\n%s", err, buf.Bytes())
	}
	// Keep only the elements, indented as in Commands().
	lines := strings.Split(string(out), "\n")
	return []byte(strings.Join(lines[4:len(lines)-3], "\n") + "\n"), nil
}

// command builds the table entry of one command from COMMAND INFO and DOCS.
func (c *client) command(name string) (*resp.Command, error) {
	info, err := c.do("COMMAND", "INFO", name)
	if err != nil {
		return nil, err
	}
	if len(info.elems) != 1 || info.elems[0].kind == '_' {
		return nil, errors.New("unknown command")
	}
	docs, err := c.do("COMMAND", "DOCS", name)
	if err != nil {
		return nil, err
	}
	if len(docs.elems) != 2 {
		return nil, errors.New("no docs")
	}
	return fromReplies(info.elems[0], docs.elems[1])
}

// fromReplies converts one COMMAND INFO entry and its COMMAND DOCS map.
func fromReplies(info, docs *value) (*resp.Command, error) {
	e := info.elems
	if len(e) != 10 {
		return nil, fmt.Errorf("COMMAND INFO entry has %d elements", len(e))
	}
	cmd := &resp.Command{
		Name: e[0].str, Arity: e[1].int(),
		Flags:    e[2].strs(),
		FirstKey: e[3].int(), LastKey: e[4].int(), Step: e[5].int(),
		ACL:  e[6].strs(),
		Tips: e[7].strs(),
	}
	for _, ks := range e[8].elems {
		spec, err := keySpec(ks)
		if err != nil {
			return nil, err
		}
		cmd.KeySpecs = append(cmd.KeySpecs, spec)
	}
	for k, v := range docs.pairs() {
		switch k {
		case "summary":
			cmd.Summary = placeholder // never Redis's words
		case "since":
			cmd.Since = v.str
		case "group":
			cmd.Group = v.str
		case "complexity":
			cmd.Complexity = v.str
		case "doc_flags":
			cmd.DocFlags = v.strs()
		case "deprecated_since":
			cmd.DeprecatedSince = v.str
		case "replaced_by":
			cmd.ReplacedBy = v.str
		case "history":
			for _, h := range v.elems {
				cmd.History = append(cmd.History, resp.History{Version: h.elems[0].str, Change: h.elems[1].str})
			}
		case "arguments":
			args, err := docArgs(v)
			if err != nil {
				return nil, err
			}
			cmd.Args = args
		case "subcommands":
		default:
			return nil, fmt.Errorf("unsupported docs field %q", k)
		}
	}
	subDocs := docs.get("subcommands")
	for _, si := range e[9].elems {
		sd := subDocs.get(si.elems[0].str)
		if sd == nil {
			return nil, fmt.Errorf("no docs for %s", si.elems[0].str)
		}
		sub, err := fromReplies(si, sd)
		if err != nil {
			return nil, err
		}
		cmd.Subcommands = append(cmd.Subcommands, sub)
	}
	return cmd, nil
}

// keySpec converts one COMMAND INFO key spec map.
func keySpec(v *value) (resp.KeySpec, error) {
	ks := resp.KeySpec{Notes: v.get("notes").string(), Flags: v.get("flags").strs()}
	begin, find := v.get("begin_search"), v.get("find_keys")
	bs, fs := begin.get("spec"), find.get("spec")
	switch t := begin.get("type").string(); t {
	case "index":
		ks.BeginIndex = bs.get("index").int()
	case "keyword":
		ks.BeginKeyword = bs.get("keyword").string()
		ks.KeywordStart = bs.get("startfrom").int()
	case "unknown":
		ks.BeginUnknown = true
	default:
		return ks, fmt.Errorf("begin_search type %q", t)
	}
	switch t := find.get("type").string(); t {
	case "range":
		ks.LastKey, ks.KeyStep, ks.Limit = fs.get("lastkey").int(), fs.get("keystep").int(), fs.get("limit").int()
	case "keynum":
		ks.KeyNum = true
		ks.KeyNumIdx, ks.FirstKeyIdx, ks.KeyStep = fs.get("keynumidx").int(), fs.get("firstkey").int(), fs.get("keystep").int()
	case "unknown":
		ks.FindUnknown = true
	default:
		return ks, fmt.Errorf("find_keys type %q", t)
	}
	return ks, nil
}

// docArgs converts a COMMAND DOCS argument array.
func docArgs(v *value) ([]resp.Arg, error) {
	var args []resp.Arg
	for _, av := range v.elems {
		var a resp.Arg
		for k, f := range av.pairs() {
			switch k {
			case "name":
				a.Name = f.str
			case "type":
				a.Type = f.str
			case "display_text":
				a.DisplayText = f.str
			case "key_spec_index":
				a.KeySpec = f.int()
				a.KeySpecRef = true // cleared below for keys
			case "token":
				a.Token = f.str
			case "since":
				a.Since = f.str
			case "deprecated_since":
				a.DeprecatedSince = f.str
			case "flags":
				for _, fl := range f.strs() {
					switch fl {
					case "optional":
						a.Optional = true
					case "multiple":
						a.Multiple = true
					case "multiple_token":
						a.MultipleTok = true
					default:
						return nil, fmt.Errorf("argument %s: unsupported flag %q", a.Name, fl)
					}
				}
			case "arguments":
				sub, err := docArgs(f)
				if err != nil {
					return nil, err
				}
				a.Args = sub
			default:
				return nil, fmt.Errorf("argument %s: unsupported field %q", a.Name, k)
			}
		}
		a.KeySpecRef = a.KeySpecRef && a.Type != "key"
		args = append(args, a)
	}
	return args, nil
}

// printCommand writes cmd as a composite literal in the style of table.go.
func printCommand(b *bytes.Buffer, c *resp.Command) {
	fmt.Fprintf(b, "{\nName: %q, Arity: %d,\n", c.Name, c.Arity)
	fmt.Fprintf(b, "Flags: %s,\n", strs(c.Flags))
	fmt.Fprintf(b, "FirstKey: %d, LastKey: %d, Step: %d,\n", c.FirstKey, c.LastKey, c.Step)
	fmt.Fprintf(b, "ACL: %s,\n", strs(c.ACL))
	if len(c.Tips) > 0 {
		fmt.Fprintf(b, "Tips: %s,\n", strs(c.Tips))
	}
	if len(c.KeySpecs) > 0 {
		b.WriteString("KeySpecs: []KeySpec{\n")
		for _, ks := range c.KeySpecs {
			printKeySpec(b, ks)
		}
		b.WriteString("},\n")
	}
	fmt.Fprintf(b, "Summary: %q,\n", c.Summary)
	fmt.Fprintf(b, "Since: %q, Group: %q,\n", c.Since, c.Group)
	if c.Complexity != "" {
		fmt.Fprintf(b, "Complexity: %q,\n", c.Complexity)
	}
	if len(c.DocFlags) > 0 {
		fmt.Fprintf(b, "DocFlags: %s,\n", strs(c.DocFlags))
	}
	if c.DeprecatedSince != "" {
		fmt.Fprintf(b, "DeprecatedSince: %q, ReplacedBy: %q,\n", c.DeprecatedSince, c.ReplacedBy)
	}
	if len(c.History) > 0 {
		b.WriteString("History: []History{\n")
		for _, h := range c.History {
			fmt.Fprintf(b, "{Version: %q, Change: %q},\n", h.Version, h.Change)
		}
		b.WriteString("},\n")
	}
	if len(c.Args) > 0 {
		b.WriteString("Args: []Arg{\n")
		printArgs(b, c.Args)
		b.WriteString("},\n")
	}
	if len(c.Subcommands) > 0 {
		b.WriteString("Subcommands: []*Command{\n")
		for _, s := range c.Subcommands {
			printCommand(b, s)
			b.WriteString(",\n")
		}
		b.WriteString("},\n")
	}
	b.WriteString("}")
}

func printKeySpec(b *bytes.Buffer, ks resp.KeySpec) {
	b.WriteString("{")
	if ks.Notes != "" {
		fmt.Fprintf(b, "Notes: %q, ", ks.Notes)
	}
	fmt.Fprintf(b, "Flags: %s, ", strs(ks.Flags))
	switch {
	case ks.BeginUnknown:
		b.WriteString("BeginUnknown: true, ")
	case ks.BeginKeyword != "":
		fmt.Fprintf(b, "BeginKeyword: %q, KeywordStart: %d, ", ks.BeginKeyword, ks.KeywordStart)
	default:
		fmt.Fprintf(b, "BeginIndex: %d, ", ks.BeginIndex)
	}
	switch {
	case ks.FindUnknown:
		b.WriteString("FindUnknown: true")
	case ks.KeyNum:
		fmt.Fprintf(b, "KeyNum: true, KeyNumIdx: %d, FirstKeyIdx: %d, KeyStep: %d", ks.KeyNumIdx, ks.FirstKeyIdx, ks.KeyStep)
	default:
		fmt.Fprintf(b, "LastKey: %d, KeyStep: %d, Limit: %d", ks.LastKey, ks.KeyStep, ks.Limit)
	}
	b.WriteString("},\n")
}

// printArgs writes one argument per line, nested ones inline-opened.
func printArgs(b *bytes.Buffer, args []resp.Arg) {
	for _, a := range args {
		fmt.Fprintf(b, "{Name: %q, Type: %q", a.Name, a.Type)
		if a.DisplayText != "" {
			fmt.Fprintf(b, ", DisplayText: %q", a.DisplayText)
		}
		if a.Type == "key" {
			fmt.Fprintf(b, ", KeySpec: %d", a.KeySpec)
		} else if a.KeySpecRef {
			fmt.Fprintf(b, ", KeySpec: %d, KeySpecRef: true", a.KeySpec)
		}
		if a.Token != "" {
			fmt.Fprintf(b, ", Token: %q", a.Token)
		}
		if a.Since != "" {
			fmt.Fprintf(b, ", Since: %q", a.Since)
		}
		if a.DeprecatedSince != "" {
			fmt.Fprintf(b, ", DeprecatedSince: %q", a.DeprecatedSince)
		}
		for _, f := range []struct {
			on   bool
			name string
		}{{a.Optional, "Optional"}, {a.Multiple, "Multiple"}, {a.MultipleTok, "MultipleTok"}} {
			if f.on {
				fmt.Fprintf(b, ", %s: true", f.name)
			}
		}
		if len(a.Args) > 0 {
			b.WriteString(", Args: []Arg{\n")
			printArgs(b, a.Args)
			b.WriteString("}")
		}
		b.WriteString("},\n")
	}
}

// strs renders a []string literal.
func strs(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = strconv.Quote(s)
	}
	return "[]string{" + strings.Join(q, ", ") + "}"
}

// ---------------------------------------------------------------------------
// A minimal RESP3 client.

type client struct {
	conn net.Conn
	r    *bufio.Reader
}

// value is one RESP3 reply; maps and sets keep their elements in elems
// (a map's keys and values alternating).
type value struct {
	kind  byte
	str   string
	elems []*value
}

func (v *value) int() int {
	n, _ := strconv.Atoi(v.string())
	return n
}

func (v *value) string() string {
	if v == nil {
		return ""
	}
	return v.str
}

func (v *value) strs() []string {
	ss := []string{}
	for _, e := range v.elems {
		ss = append(ss, e.str)
	}
	return ss
}

// get returns the value of key in a map, or nil.
func (v *value) get(key string) *value {
	if v == nil {
		return nil
	}
	for i := 0; i+1 < len(v.elems); i += 2 {
		if v.elems[i].str == key {
			return v.elems[i+1]
		}
	}
	return nil
}

// pairs yields a map's keys and values in order.
func (v *value) pairs() func(func(string, *value) bool) {
	return func(yield func(string, *value) bool) {
		for i := 0; i+1 < len(v.elems); i += 2 {
			if !yield(v.elems[i].str, v.elems[i+1]) {
				return
			}
		}
	}
}

func (c *client) do(args ...string) (*value, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	if _, err := c.conn.Write(b.Bytes()); err != nil {
		return nil, err
	}
	v, err := c.read()
	if err == nil && (v.kind == '-' || v.kind == '!') {
		err = errors.New(v.str)
	}
	return v, err
}

func (c *client) read() (*value, error) {
	line, err := c.r.ReadString('\n')
	if err != nil {
		return nil, err
	}
	if len(line) < 3 || !strings.HasSuffix(line, "\r\n") {
		return nil, fmt.Errorf("bad reply line %q", line)
	}
	v := &value{kind: line[0], str: line[1 : len(line)-2]}
	switch v.kind {
	case '+', '-', ':', ',', '#', '(', '_':
		return v, nil
	case '$', '=', '!':
		n, err := strconv.Atoi(v.str)
		if err != nil || n < 0 {
			return v, err
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(c.r, buf); err != nil {
			return nil, err
		}
		v.str = string(buf[:n])
		return v, nil
	case '*', '~', '%', '>':
		n, err := strconv.Atoi(v.str)
		if err != nil {
			return nil, err
		}
		if v.kind == '%' {
			n *= 2
		}
		for i := 0; i < n; i++ {
			e, err := c.read()
			if err != nil {
				return nil, err
			}
			v.elems = append(v.elems, e)
		}
		return v, nil
	}
	return nil, fmt.Errorf("unsupported reply type %q", v.kind)
}
