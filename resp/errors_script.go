package resp

import (
	"strconv"
	"strings"
)

// Reply texts of the scripting commands (EVAL, EVALSHA, their read-only
// forms, SCRIPT) and of the errors a script's redis.call raises.
const (
	MsgNoScript          = "NOSCRIPT No matching script. Please use EVAL."
	MsgNumkeysNegative   = "ERR Number of keys can't be negative"
	MsgScriptFlushOption = "ERR SCRIPT FLUSH only support SYNC|ASYNC option"
	MsgInvalidShebang    = "ERR Invalid script shebang"
	// MsgScriptROWithWriteFlag is EVAL_RO's and EVALSHA_RO's reply to a
	// script with a shebang that does not say no-writes.
	MsgScriptROWithWriteFlag = "ERR Can not execute a script with write flag using *_ro command."

	// The errors redis.call and redis.pcall raise (or return) when a
	// script calls a command it may not.
	MsgScriptNoArgs        = "ERR Please specify at least one argument for this redis lib call"
	MsgScriptArgType       = "ERR Lua redis lib command arguments must be strings or integers"
	MsgScriptUnknownCmd    = "ERR Unknown Redis command called from script"
	MsgScriptWrongArgs     = "ERR Wrong number of args calling Redis command from script"
	MsgScriptNotAllowed    = "ERR This Redis command is not allowed from script"
	MsgScriptWriteInRO     = "ERR Write commands are not allowed from read-only scripts."
	MsgScriptWriteNoWrite  = "ERR Write commands are not allowed from read-only scripts."
	MsgLuaStackLimit       = "ERR reached lua stack limit" // a script's reply nested too deep
	MsgScriptACLInvalidCmd = "ERR Invalid command passed to redis.acl_check_cmd()"
	MsgScriptSetReplArgs   = "ERR redis.set_repl() requires two arguments." // sic
	MsgScriptSetReplFlags  = "ERR Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE."
	MsgScriptSetResp       = "ERR RESP version must be 2 or 3."
	MsgScriptSetRespArgs   = "ERR redis.setresp() requires one argument."
	MsgScriptLogArgs       = "ERR redis.log() requires two arguments or more."
	MsgScriptLogLevelType  = "ERR First argument must be a number (log level)."
	MsgScriptLogLevel      = "ERR Invalid debug level."
	MsgScriptReplyArgs     = "ERR wrong number or type of arguments" // redis.error_reply, redis.status_reply
	MsgScriptSha1hexArgs   = "ERR wrong number of arguments"
)

// MsgLuaReadonlyTable is the error of a script writing a read-only table
// (the globals, redis, the libraries): a Lua message without a code, which
// the script's error reply carries after "ERR " and the position.
func MsgLuaReadonlyTable() string { return "Attempt to modify a readonly table" }

// MsgLuaNoGlobal is the error of a script reading a global variable that
// does not exist.
func MsgLuaNoGlobal(name string) string {
	return "Script attempted to access nonexistent global variable '" + name + "'"
}

// MsgScriptCompile is EVAL's and SCRIPT LOAD's reply to a script that does
// not compile; luaMsg is the compiler's message.
func MsgScriptCompile(luaMsg string) string {
	return oneLine("ERR Error compiling script (new function): " + luaMsg)
}

// MsgScriptError is the reply to a script that raised an error: msg is
// the error's text (with its code), sha the script's SHA1, and source and
// line where it was raised; line < 0 leaves the position out.
func MsgScriptError(msg, sha, source string, line int) string {
	if line < 0 {
		return oneLine(msg)
	}
	return oneLine(msg + " script: " + sha + ", on " + source + ":" + strconv.Itoa(line) + ".")
}

// MsgScriptReplyError is the reply of a script that returned an error
// table ({err = msg}).
func MsgScriptReplyError(msg string) string { return oneLine(msg) }

// oneLine replaces CR and LF with spaces, as Redis does in an error reply.
func oneLine(s string) string {
	if strings.ContainsAny(s, "\r\n") {
		s = strings.NewReplacer("\r", " ", "\n", " ").Replace(s)
	}
	return s
}

// MsgShebangEngine is the reply to a shebang naming another engine than
// lua.
func MsgShebangEngine(engine string) string {
	return oneLine("ERR Unexpected engine in script shebang: " + engine)
}

// MsgShebangOption is the reply to a shebang option other than flags=.
func MsgShebangOption(opt string) string {
	return oneLine("ERR Unknown lua shebang option: " + opt)
}

// MsgShebangFlag is the reply to an unknown flag in a shebang.
func MsgShebangFlag(flag string) string {
	return oneLine("ERR Unexpected flag in script shebang: " + flag)
}

// MsgScriptRuntime is the error text of a script's plain Lua error (a
// string, not an error table): Lua's message after "ERR ".
func MsgScriptRuntime(luaMsg string) string { return "ERR " + luaMsg }
