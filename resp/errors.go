package resp

import (
	"strconv"
	"strings"
)

// Naming: what a client reads is a string, what Go code checks is an error.
//
//   - Msg...: a reply text, a string that starts with Redis's error code
//     ("ERR ...", "WRONGTYPE ...") and is written with Writer.Error. A
//     constant when the text is fixed (MsgSyntax), a function returning
//     the string when it names an argument (MsgWrongArgs("get")). Every
//     text a client can read is named here, once, in Redis 7.0's exact
//     words where Redis has the same error; remoted's own texts (the
//     locks) follow Redis's style.
//   - Err... (a variable) or ...Error (a type): a Go error, checked with
//     errors.Is or errors.As: ErrQueryBufferLimit and *ProtocolError here,
//     the stub's ErrLockHeld and ErrNotLocked (which the stub derives from
//     MsgLockReentry and MsgNotLockHolder), spawn's ErrServerStart.
//
// Builders that embed a client's bytes cut them as Redis does and replace
// CR and LF with spaces, so a reply stays one line.

// Reply texts shared by several commands.
const (
	MsgSyntax           = "ERR syntax error"
	MsgNotInteger       = "ERR value is not an integer or out of range"
	MsgNotFloat         = "ERR value is not a valid float"
	MsgOverflow         = "ERR increment or decrement would overflow"
	MsgNaNOrInfinity    = "ERR increment would produce NaN or Infinity"
	MsgNoSuchKey        = "ERR no such key"
	MsgWrongType        = "WRONGTYPE Operation against a key holding the wrong kind of value"
	MsgBusyKey          = "BUSYKEY Target key name already exists."
	MsgDumpPayload      = "ERR DUMP payload version or checksum are wrong"
	MsgBadData          = "ERR Bad data format"
	MsgRestoreTTL       = "ERR Invalid TTL value, must be >= 0"
	MsgRestoreIdle      = "ERR Invalid IDLETIME value, must be >= 0"
	MsgRestoreFreq      = "ERR Invalid FREQ value, must be >= 0 and <= 255"
	MsgOutOfRange       = "ERR value is out of range"
	MsgPositive         = "ERR value is out of range, must be positive" // a count that must be 0 or more
	MsgNumkeys          = "ERR numkeys should be greater than 0"
	MsgCountGreater     = "ERR count should be greater than 0" // LMPOP and ZMPOP
	MsgNumkeysTooMany   = "ERR Number of keys can't be greater than number of args"
	MsgLimitNegative    = "ERR LIMIT can't be negative"
	MsgTimeoutNotFloat  = "ERR timeout is not a float or out of range"
	MsgTimeoutNegative  = "ERR timeout is negative"
	MsgUnblocked        = "UNBLOCKED client unblocked via CLIENT UNBLOCK"
	MsgUnblockReason    = "ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR"
	MsgObjectIdleLFU    = "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust."
	MsgObjectFreqNotLFU = "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust."
	MsgDBIndex          = "ERR DB index is out of range"
	MsgNoAuth           = "NOAUTH Authentication required."
	MsgWrongPass        = "WRONGPASS invalid username-password pair or user is disabled."
	MsgNoPassword       = "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?"
	MsgMaxClients       = "ERR max number of clients reached"
	MsgStringTooLong    = "ERR string exceeds maximum allowed size (proto-max-bulk-len)"
	MsgOffsetRange      = "ERR offset is out of range"
	MsgInvalidCursor    = "ERR invalid cursor"
	MsgNoProto          = "NOPROTO unsupported protocol version"
	MsgSameObject       = "ERR source and destination objects are the same"
	MsgExpireNXXX       = "ERR NX and XX, GT or LT options at the same time are not compatible"
	MsgExpireGTLT       = "ERR GT and LT options at the same time are not compatible"
	MsgClientNameSpace  = "ERR Client names cannot contain spaces, newlines or special characters."
	MsgNoSuchClient     = "ERR No such client"
	MsgTimeoutInt       = "ERR timeout is not an integer or out of range"
	// MsgIntRange is the reply to an integer argument that parses but does
	// not fit a C int (COPY's DB index).
	MsgIntRange = "ERR value is out of range, value must between -2147483648 and 2147483647"
	// MsgDecrOverflow is DECRBY's reply to a decrement of -2^63, which
	// cannot be negated.
	MsgDecrOverflow = "ERR decrement would overflow"
)

// Reply texts of the connection and server commands (HELLO, CLIENT,
// SHUTDOWN).
const (
	// MsgHelloNoAuth is HELLO's reply on a connection that must
	// authenticate first and gave no AUTH option.
	MsgHelloNoAuth = "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time"
	// MsgHelloProtoVersion is HELLO's reply to a version that is not an
	// integer.
	MsgHelloProtoVersion = "ERR Protocol version is not an integer or out of range"
	// MsgInvalidClientID is CLIENT LIST's reply to an ID that is not a
	// positive integer.
	MsgInvalidClientID = "ERR Invalid client ID"
	// MsgClientIDNotPositive is CLIENT KILL's reply to an ID filter that
	// is not a positive integer.
	MsgClientIDNotPositive = "ERR client-id should be greater than 0"
	// MsgNoShutdown is SHUTDOWN ABORT's reply: no shutdown is pending.
	MsgNoShutdown = "ERR No shutdown in progress."
)

// Reply texts of remoted's locks (LOCK, UNLOCK), in Redis's style. The
// stub translates MsgLockReentry and MsgNotLockHolder into its
// ErrLockHeld and ErrNotLocked.
const (
	MsgLockReentry   = "ERR this connection already holds that lock; LOCK is not re-entrant"
	MsgNotLockHolder = "ERR this connection does not hold that lock"
	MsgLockEmptyName = "ERR a lock name must not be empty"
	MsgLockNegative  = "ERR timeout is negative"
)

// Reply texts of the transaction commands (MULTI, EXEC, DISCARD, WATCH).
const (
	MsgMultiNested    = "ERR MULTI calls can not be nested"
	MsgExecNoMulti    = "ERR EXEC without MULTI"
	MsgDiscardNoMulti = "ERR DISCARD without MULTI"
	MsgWatchInMulti   = "ERR WATCH inside MULTI is not allowed"
	MsgNotInMulti     = "ERR Command not allowed inside a transaction"
	MsgExecAbort      = "EXECABORT Transaction discarded because of previous errors."
	// MsgMonitorInExec is MONITOR's reply when it runs inside EXEC.
	MsgMonitorInExec = "ERR MONITOR isn't allowed for DENY BLOCKING client"
)

// Protocol error texts, sent before the server closes the connection
// (the Text of a *ProtocolError).
const (
	MsgProtoInvalidMultibulk = "ERR Protocol error: invalid multibulk length"
	MsgProtoInvalidBulk      = "ERR Protocol error: invalid bulk length"
	MsgProtoUnbalancedQuotes = "ERR Protocol error: unbalanced quotes in request"
	MsgProtoBigInline        = "ERR Protocol error: too big inline request"
	MsgProtoBigMbulkCount    = "ERR Protocol error: too big mbulk count string"
	MsgProtoBigBulkCount     = "ERR Protocol error: too big bulk count string"
	MsgProtoUnauthMultibulk  = "ERR Protocol error: unauthenticated multibulk length"
	MsgProtoUnauthBulk       = "ERR Protocol error: unauthenticated bulk length"
	// MsgProtoInternal is remoted's own: a framed command that the
	// server then failed to split, which means a framer bug.
	MsgProtoInternal = "ERR Protocol error: internal framing error"
)

// MsgProtoExpectedDollar is the protocol error for a multibulk element
// that does not start with '$'.
func MsgProtoExpectedDollar(got byte) string {
	return "ERR Protocol error: expected '$', got '" + string(got) + "'"
}

// MsgWrongArgs is Redis's arity error; name is the command as Redis
// reports it: lower-case, "parent|sub" for a subcommand.
func MsgWrongArgs(name string) string {
	return "ERR wrong number of arguments for '" + name + "' command"
}

// MsgInvalidExpire is the reply to a non-positive or overflowing expire
// time given to the command name (lower-case).
func MsgInvalidExpire(name string) string {
	return "ERR invalid expire time in '" + name + "' command"
}

// MsgUnknownCommand is Redis's reply to an unknown command: the name and
// the first arguments, each quoted and followed by a space, cut at 128
// bytes.
func MsgUnknownCommand(args [][]byte) string {
	var b strings.Builder
	for _, a := range args[1:] {
		if b.Len() >= 128 {
			break
		}
		b.WriteByte('\'')
		b.Write(truncate(a, 128-b.Len()))
		b.WriteString("' ")
	}
	return sanitize("ERR unknown command '" + string(truncate(args[0], 128)) +
		"', with args beginning with: " + b.String())
}

// MsgUnknownSubcommand is Redis's reply to an unknown subcommand of a
// container command such as CLIENT.
func MsgUnknownSubcommand(container string, sub []byte) string {
	return sanitize("ERR unknown subcommand '" + string(truncate(sub, 128)) +
		"'. Try " + strings.ToUpper(container) + " HELP.")
}

// MsgSubcommandSyntax is Redis's reply to a subcommand given arguments it
// does not take (addReplySubcommandSyntaxError), such as CLIENT UNBLOCK
// with too many.
func MsgSubcommandSyntax(container string, sub []byte) string {
	return sanitize("ERR unknown subcommand or wrong number of arguments for '" + string(truncate(sub, 128)) +
		"'. Try " + strings.ToUpper(container) + " HELP.")
}

// MsgLongRange is the reply to an integer argument outside [lo, hi]
// (HRANDFIELD's, SRANDMEMBER's and ZRANDMEMBER's count), in Redis's words.
func MsgLongRange(lo, hi int64) string {
	return "ERR value is out of range, value must between " +
		strconv.FormatInt(lo, 10) + " and " + strconv.FormatInt(hi, 10)
}

// MsgUnsupportedOption is the EXPIRE family's reply to an unknown option.
func MsgUnsupportedOption(opt []byte) string {
	return sanitize("ERR Unsupported option " + string(opt))
}

// MsgHelloSyntax is HELLO's reply to an option it does not know, or one
// missing its arguments.
func MsgHelloSyntax(opt []byte) string {
	return sanitize("ERR Syntax error in HELLO option '" + string(opt) + "'")
}

// MsgUnknownClientType is CLIENT LIST's and CLIENT KILL's reply to a TYPE
// that is not a client type.
func MsgUnknownClientType(typ []byte) string {
	return sanitize("ERR Unknown client type '" + string(typ) + "'")
}

// MsgUnrecognizedOption is CLIENT SETINFO's reply to an attribute other
// than lib-name and lib-ver.
func MsgUnrecognizedOption(opt []byte) string {
	return sanitize("ERR Unrecognized option '" + string(opt) + "'")
}

// MsgBadClientAttr is CLIENT SETINFO's reply to a value of attr (lib-name
// or lib-ver) with a space, a newline or another special character.
func MsgBadClientAttr(attr string) string {
	return "ERR " + attr + " cannot contain spaces, newlines or special characters."
}

// MsgExecAbortBecause is EXEC's reply when EXEC itself is refused before
// it runs (wrong arity, NOAUTH): Redis discards the transaction and names
// the reason, dropping the generic "ERR " code but keeping any other.
func MsgExecAbortBecause(msg string) string {
	return "EXECABORT Transaction discarded because of: " + strings.TrimPrefix(msg, "ERR ")
}

func truncate(b []byte, n int) []byte {
	if n < 0 {
		n = 0
	}
	if len(b) > n {
		return b[:n]
	}
	return b
}

// sanitize replaces CR and LF, which cannot appear in an error line, with
// spaces, as Redis does.
func sanitize(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	return strings.Map(func(r rune) rune {
		if r == '\r' || r == '\n' {
			return ' '
		}
		return r
	}, s)
}

// Reply texts of CONFIG SET, in Redis 7.0's words: Redis names the
// parameter as the client spelled it when it cannot be set at all
// (unknown, immutable, given twice) and by its own name when the value is
// refused.

// MsgConfigSetUnknown is CONFIG SET's reply to a parameter it does not
// know.
func MsgConfigSetUnknown(name []byte) string {
	return sanitize("ERR Unknown option or number of arguments for CONFIG SET - '" + string(name) + "'")
}

// msgConfigSetFailed is CONFIG SET's reply when the parameter name cannot
// take the value, for the reason why.
func msgConfigSetFailed(name, why string) string {
	return sanitize("ERR CONFIG SET failed (possibly related to argument '" + name + "') - " + why)
}

// MsgConfigImmutable: the parameter cannot change while the server runs.
func MsgConfigImmutable(name []byte) string {
	return msgConfigSetFailed(string(name), "can't set immutable config")
}

// MsgConfigDuplicate: the parameter appears twice in one CONFIG SET.
func MsgConfigDuplicate(name []byte) string {
	return msgConfigSetFailed(string(name), "duplicate parameter")
}

// MsgConfigNotInteger: an integer parameter's value does not parse.
func MsgConfigNotInteger(name string) string {
	return msgConfigSetFailed(name, "argument couldn't be parsed into an integer")
}

// MsgConfigNotMemory: a memory parameter's value (a number with an
// optional unit b, k, kb, m, mb, g, gb) does not parse.
func MsgConfigNotMemory(name string) string {
	return msgConfigSetFailed(name, "argument must be a memory value")
}

// MsgConfigRange: a numeric parameter's value is out of its range, lo to
// hi (decimal).
func MsgConfigRange(name, lo, hi string) string {
	return msgConfigSetFailed(name, "argument must be between "+lo+" and "+hi+" inclusive")
}

// MsgConfigYesNo: a boolean parameter's value is neither yes nor no.
func MsgConfigYesNo(name string) string {
	return msgConfigSetFailed(name, "argument must be 'yes' or 'no'")
}

// MsgConfigPercentiles: latency-tracking-info-percentiles got a word that
// is not a number.
func MsgConfigPercentiles(name string) string {
	return msgConfigSetFailed(name, "Invalid latency-tracking-info-percentiles parameters")
}

// MsgConfigPercentileRange: latency-tracking-info-percentiles got a
// number outside 0 to 100.
func MsgConfigPercentileRange(name string) string {
	return msgConfigSetFailed(name, "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]")
}

// MsgOutputLimitArgs is CONFIG SET's reply to a client-output-buffer-limit
// value (name is the parameter) whose groups are not of four words.
func MsgOutputLimitArgs(name string) string {
	return msgConfigSetFailed(name, "Wrong number of arguments in buffer limit configuration.")
}

// MsgOutputLimitClass: the value names a class Redis does not know.
func MsgOutputLimitClass(name string) string {
	return msgConfigSetFailed(name, "Invalid client class specified in buffer limit configuration.")
}

// MsgOutputLimitValue: the value's limits or seconds do not parse.
func MsgOutputLimitValue(name string) string {
	return msgConfigSetFailed(name, "Error in hard, soft or soft_seconds setting in buffer limit configuration.")
}

// MsgConfigFixed is remoted's own reason, in Redis's form: a parameter
// Redis can change (save, appendonly, bind, port, maxmemory) that remoted
// reports but serves only at its current value.
func MsgConfigFixed(name string) string {
	return msgConfigSetFailed(name, "remoted serves only the value CONFIG GET shows")
}

// Reply texts of maxmemory (issue 19).
const (
	// MsgOOM refuses a command that would use memory while the server is
	// over maxmemory and its policy can free nothing.
	MsgOOM = "OOM command not allowed when used memory > 'maxmemory'."
)

// MsgConfigEnum: an enumerated parameter's value is none of names.
func MsgConfigEnum(name string, names []string) string {
	return msgConfigSetFailed(name, "argument(s) must be one of the following: "+strings.Join(names, ", "))
}
