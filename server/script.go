package server

import (
	"crypto/sha1"
	"encoding/hex"
	"strings"
	"sync"

	"github.com/remoted/remoted/resp"
	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/parse"
)

// scriptSource is the chunk name scripts are compiled under: Lua's
// messages say "user_script:LINE:", Redis's error replies "on
// @user_script:LINE.".
const (
	scriptChunk  = "user_script"
	scriptSource = "@user_script"
)

// scripts is the server's Lua engine: the cache of compiled scripts, by
// the SHA1 of their bodies, and the one Lua state they all run in, as in
// Redis. The state is used only under the keyspace lock (EVAL and its
// kin are keyspace commands), which is what makes a script atomic; mu
// guards the cache alone, which SCRIPT LOAD and EXISTS use without it.
type scripts struct {
	mu    sync.Mutex
	cache map[string]*scriptEntry // by lower-case hex SHA1

	L   *lua.LState // nil until the first script runs; guarded by db.mu
	g   *lua.LTable // the real globals, where KEYS and ARGV are set
	env *lua.LTable // the read-only view of g that scripts run in
	run *scriptRun  // the script running now, for the redis.* functions

	views map[*lua.LTable]*lua.LTable // the read-only views and the tables they show (see readonlyView)
}

// scriptEntry is one cached script.
type scriptEntry struct {
	proto *lua.FunctionProto
	flags scriptFlags
}

// scriptFlags are the flags of a script's shebang line.
type scriptFlags struct {
	shebang  bool // the script has one: it runs by its flags, not as a legacy script
	noWrites bool
}

// scriptSHA returns the lower-case hex SHA1 of body.
func scriptSHA(body []byte) string {
	sum := sha1.Sum(body)
	return hex.EncodeToString(sum[:])
}

// lookup returns the cached script with the SHA1 sha (any case), or nil.
func (e *scripts) lookup(sha []byte) *scriptEntry {
	if len(sha) != 40 {
		return nil
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.cache[strings.ToLower(string(sha))]
}

// count returns how many scripts are cached.
func (e *scripts) count() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.cache)
}

// load compiles body and caches it, returning its SHA1, or Redis's error
// text when it does not compile.
func (e *scripts) load(body []byte) (string, *scriptEntry, string) {
	sha := scriptSHA(body)
	e.mu.Lock()
	ent := e.cache[sha]
	e.mu.Unlock()
	if ent != nil {
		return sha, ent, ""
	}
	flags, code, errText := parseShebang(body)
	if errText != "" {
		return sha, nil, errText
	}
	chunk, err := parse.Parse(strings.NewReader(code), scriptChunk)
	if err != nil {
		return sha, nil, resp.MsgScriptCompile(luaSyntaxMessage(err, code))
	}
	proto, err := lua.Compile(chunk, scriptChunk)
	if err != nil {
		return sha, nil, resp.MsgScriptCompile(err.Error())
	}
	ent = &scriptEntry{proto: proto, flags: flags}
	e.mu.Lock()
	if e.cache == nil {
		e.cache = make(map[string]*scriptEntry)
	}
	e.cache[sha] = ent
	e.mu.Unlock()
	return sha, ent, ""
}

// flush empties the cache. The Lua state is dropped too, as Redis
// recreates its own, once no script runs (the caller holds db.mu).
func (e *scripts) flush() {
	e.mu.Lock()
	e.cache = nil
	e.mu.Unlock()
	if e.L != nil {
		e.L.Close()
		e.L = nil
	}
}

// parseShebang reads a script's first line when it is a shebang
// ("#!lua flags=no-writes,allow-oom") and returns its flags and the code
// to compile: the body with the shebang line blanked, so that line
// numbers stay the script's.
func parseShebang(body []byte) (scriptFlags, string, string) {
	code := string(body)
	if !strings.HasPrefix(code, "#!") {
		return scriptFlags{}, code, ""
	}
	line, rest, found := strings.Cut(code, "\n")
	if !found {
		return scriptFlags{}, "", resp.MsgInvalidShebang
	}
	fields := strings.Fields(line)
	if fields[0] != "#!lua" {
		return scriptFlags{}, "", resp.MsgShebangEngine(fields[0])
	}
	flags := scriptFlags{shebang: true}
	for _, opt := range fields[1:] {
		list, ok := strings.CutPrefix(opt, "flags=")
		if !ok {
			return scriptFlags{}, "", resp.MsgShebangOption(opt)
		}
		for _, f := range strings.Split(list, ",") {
			switch f {
			case "no-writes":
				flags.noWrites = true
			case "allow-oom", "allow-stale", "no-cluster", "allow-cross-slot-keys", "":
			default:
				return scriptFlags{}, "", resp.MsgShebangFlag(f)
			}
		}
	}
	return flags, "\n" + rest, ""
}

// luaSyntaxMessage renders a gopher-lua parse error in Lua 5.1's form,
// "user_script:LINE: MESSAGE near 'TOKEN'". The messages themselves are
// gopher-lua's, which are not Lua 5.1's.
func luaSyntaxMessage(err error, code string) string {
	pe, ok := err.(*parse.Error)
	if !ok {
		return err.Error()
	}
	tok := pe.Token
	if tok == "" {
		tok = "<eof>"
	}
	line := pe.Pos.Line
	if line < 1 { // at the end of the script
		line = 1 + strings.Count(code, "\n")
	}
	return scriptChunk + ":" + itoa(int64(line)) + ": " + pe.Message + " near '" + tok + "'"
}
