package resp

import "strings"

// Error texts sent to clients, in Redis 7's exact words. Handlers use these
// names and never spell an error inline.
const (
	ErrSyntax          = "ERR syntax error"
	ErrNotInteger      = "ERR value is not an integer or out of range"
	ErrNotFloat        = "ERR value is not a valid float"
	ErrOverflow        = "ERR increment or decrement would overflow"
	ErrNaNOrInfinity   = "ERR increment would produce NaN or Infinity"
	ErrNoSuchKey       = "ERR no such key"
	ErrDBIndex         = "ERR DB index is out of range"
	ErrNoAuth          = "NOAUTH Authentication required."
	ErrWrongPass       = "WRONGPASS invalid username-password pair or user is disabled."
	ErrNoPassword      = "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?"
	ErrMaxClients      = "ERR max number of clients reached"
	ErrStringTooLong   = "ERR string exceeds maximum allowed size (proto-max-bulk-len)"
	ErrOffsetRange     = "ERR offset is out of range"
	ErrInvalidCursor   = "ERR invalid cursor"
	ErrNoProto         = "NOPROTO unsupported protocol version"
	ErrSameObject      = "ERR source and destination objects are the same"
	ErrExpireNXXX      = "ERR NX and XX, GT or LT options at the same time are not compatible"
	ErrExpireGTLT      = "ERR GT and LT options at the same time are not compatible"
	ErrClientNameSpace = "ERR Client names cannot contain spaces, newlines or special characters."
	ErrNoSuchClient    = "ERR No such client"
	ErrTimeoutInt      = "ERR timeout is not an integer or out of range"
)

// Protocol error texts, sent before the server closes the connection.
const (
	ProtoInvalidMultibulk = "ERR Protocol error: invalid multibulk length"
	ProtoInvalidBulk      = "ERR Protocol error: invalid bulk length"
	ProtoUnbalancedQuotes = "ERR Protocol error: unbalanced quotes in request"
	ProtoBigInline        = "ERR Protocol error: too big inline request"
	ProtoBigMbulkCount    = "ERR Protocol error: too big mbulk count string"
	ProtoBigBulkCount     = "ERR Protocol error: too big bulk count string"
	ProtoUnauthMultibulk  = "ERR Protocol error: unauthenticated multibulk length"
	ProtoUnauthBulk       = "ERR Protocol error: unauthenticated bulk length"
)

// ProtoExpectedDollar is the protocol error for a multibulk element that
// does not start with '$'.
func ProtoExpectedDollar(got byte) string {
	return "ERR Protocol error: expected '$', got '" + string(got) + "'"
}

// WrongArgs is Redis's arity error; name is the command as Redis reports
// it: lower-case, "parent|sub" for a subcommand.
func WrongArgs(name string) string {
	return "ERR wrong number of arguments for '" + name + "' command"
}

// InvalidExpire is the error for a non-positive or overflowing expire time
// given to the command name (lower-case).
func InvalidExpire(name string) string {
	return "ERR invalid expire time in '" + name + "' command"
}

// UnknownCommand is Redis's reply to an unknown command: the name and the
// first arguments, each quoted and followed by a space, cut at 128 bytes.
func UnknownCommand(args [][]byte) string {
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

// UnknownSubcommand is Redis's reply to an unknown subcommand of a
// container command such as CLIENT.
func UnknownSubcommand(container string, sub []byte) string {
	return sanitize("ERR unknown subcommand '" + string(truncate(sub, 128)) +
		"'. Try " + strings.ToUpper(container) + " HELP.")
}

// UnsupportedOption is the EXPIRE family's reply to an unknown option.
func UnsupportedOption(opt []byte) string {
	return sanitize("ERR Unsupported option " + string(opt))
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

// ErrIntRange is the error for an integer argument that parses but does
// not fit a C int (COPY's DB index).
const ErrIntRange = "ERR value is out of range, value must between -2147483648 and 2147483647"

// Error texts of the string commands not shared with others.
const (
	// ErrDecrOverflow is DECRBY's reply to a decrement of -2^63, which
	// cannot be negated.
	ErrDecrOverflow = "ERR decrement would overflow"
)

// Error texts of the transaction commands (MULTI, EXEC, DISCARD, WATCH).
const (
	ErrMultiNested    = "ERR MULTI calls can not be nested"
	ErrExecNoMulti    = "ERR EXEC without MULTI"
	ErrDiscardNoMulti = "ERR DISCARD without MULTI"
	ErrWatchInMulti   = "ERR WATCH inside MULTI is not allowed"
	ErrNotInMulti     = "ERR Command not allowed inside a transaction"
	ErrExecAbort      = "EXECABORT Transaction discarded because of previous errors."
	// ErrMonitorInExec is MONITOR's reply when it runs inside EXEC.
	ErrMonitorInExec = "ERR MONITOR isn't allowed for DENY BLOCKING client"
)

// ExecAbortBecause is EXEC's reply when EXEC itself is refused before it
// runs (wrong arity, NOAUTH): Redis discards the transaction and names the
// reason, dropping the generic "ERR " code but keeping any other.
func ExecAbortBecause(errText string) string {
	return "EXECABORT Transaction discarded because of: " + strings.TrimPrefix(errText, "ERR ")
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

// MsgConfigFixed is remoted's own reason, in Redis's form: a parameter
// Redis can change (save, appendonly, bind, port, maxmemory) that remoted
// reports but serves only at its current value.
func MsgConfigFixed(name string) string {
	return msgConfigSetFailed(name, "remoted serves only the value CONFIG GET shows")
}
