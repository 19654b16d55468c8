package server

import (
	"math"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Every expected reply below was checked against redis-server 7.0.

func TestStringGetSet(t *testing.T) {
	_, path := newTestServer(t, Config{})
	tc := dial(t, path)
	run(t, tc, []cmdCase{
		{[]string{"GET", "k"}, "(nil)"},
		{[]string{"SET", "k", "v"}, "OK"},
		{[]string{"GET", "k"}, "v"},
		{[]string{"SET", "k", ""}, "OK"},
		{[]string{"GET", "k"}, ""},
		{[]string{"GET"}, "ERR wrong number of arguments for 'get' command"},
		{[]string{"GET", "a", "b"}, "ERR wrong number of arguments for 'get' command"},
		{[]string{"SET", "a"}, "ERR wrong number of arguments for 'set' command"},
		// NX, XX, GET
		{[]string{"DEL", "k"}, "1"},
		{[]string{"SET", "k", "v", "XX"}, "(nil)"},
		{[]string{"SET", "k", "v", "xx", "get"}, "(nil)"},
		{[]string{"GET", "k"}, "(nil)"},
		{[]string{"SET", "k", "v", "NX", "GET"}, "(nil)"},
		{[]string{"SET", "k", "v2", "NX", "GET"}, "v"},
		{[]string{"SET", "k", "v2", "NX"}, "(nil)"},
		{[]string{"GET", "k"}, "v"},
		{[]string{"SET", "k", "v3", "XX", "GET"}, "v"},
		{[]string{"SET", "k", "v4", "GET", "GET"}, "v3"},
		{[]string{"SET", "k", "v", "NX", "NX"}, "(nil)"},
		{[]string{"SET", "k", "v5", "xx", "xx"}, "OK"},
		{[]string{"SET", "k", "v", "NX", "XX"}, "ERR syntax error"},
		{[]string{"SET", "k", "v", "XX", "NX"}, "ERR syntax error"},
		{[]string{"SET", "k", "v", "GET", "NX", "XX"}, "ERR syntax error"},
		{[]string{"SET", "k", "v", "foo"}, "ERR syntax error"},
		{[]string{"SET", "k", "v", "nx\x00junk"}, "(nil)"}, // options are C strings
		{[]string{"SET", "k", "v", "n"}, "ERR syntax error"},
		{[]string{"SET", "k", "v", "PERSIST"}, "ERR syntax error"},
		{[]string{"GET", "k"}, "v5"},
	})
}

func TestStringSetExpiry(t *testing.T) {
	clock := newFakeClock()
	_, path := newTestServerClock(t, Config{}, clock)
	tc := dial(t, path)
	now := clock.Now().UnixMilli()
	nowS := strconv.FormatInt(now/1000, 10)
	run(t, tc, []cmdCase{
		{[]string{"SET", "k", "v", "EX", "10"}, "OK"},
		{[]string{"PTTL", "k"}, "10000"},
		{[]string{"SET", "k", "v", "PX", "1500"}, "OK"},
		{[]string{"PTTL", "k"}, "1500"},
		{[]string{"SET", "k", "v", "EX", "10", "EX", "20"}, "OK"}, // the last wins
		{[]string{"PTTL", "k"}, "20000"},
		{[]string{"SET", "k", "v", "EXAT", strconv.FormatInt(now/1000+30, 10)}, "OK"},
		{[]string{"PTTL", "k"}, "30000"},
		{[]string{"SET", "k", "v", "PXAT", strconv.FormatInt(now+40, 10)}, "OK"},
		{[]string{"PTTL", "k"}, "40"},
		{[]string{"SET", "k", "v2", "KEEPTTL"}, "OK"},
		{[]string{"PTTL", "k"}, "40"},
		{[]string{"SET", "k", "v3", "KEEPTTL", "KEEPTTL", "GET"}, "v2"},
		{[]string{"SET", "k", "v4"}, "OK"},
		{[]string{"PTTL", "k"}, "-1"},
		// conflicting options
		{[]string{"SET", "k", "v", "EX", "10", "PX", "100"}, "ERR syntax error"},
		{[]string{"SET", "k", "v", "EX", "10", "EXAT", "100"}, "ERR syntax error"},
		{[]string{"SET", "k", "v", "PXAT", "10", "PX", "100"}, "ERR syntax error"},
		{[]string{"SET", "k", "v", "KEEPTTL", "EX", "1"}, "ERR syntax error"},
		{[]string{"SET", "k", "v", "EX", "1", "KEEPTTL"}, "ERR syntax error"},
		{[]string{"SET", "k", "v", "EX"}, "ERR syntax error"},
		{[]string{"SET", "k", "v", "EX", "1", "PX"}, "ERR syntax error"},
		// bad times
		{[]string{"SET", "k", "v", "EX", "abc"}, "ERR value is not an integer or out of range"},
		{[]string{"SET", "k", "v", "EX", "1.5"}, "ERR value is not an integer or out of range"},
		{[]string{"SET", "k", "v", "EX", " 1"}, "ERR value is not an integer or out of range"},
		{[]string{"SET", "k", "v", "EX", "0"}, "ERR invalid expire time in 'set' command"},
		{[]string{"SET", "k", "v", "PX", "-1"}, "ERR invalid expire time in 'set' command"},
		{[]string{"SET", "k", "v", "EXAT", "-5"}, "ERR invalid expire time in 'set' command"},
		{[]string{"SET", "k", "v", "PXAT", "0"}, "ERR invalid expire time in 'set' command"},
		{[]string{"SET", "k", "v", "EX", "9223372036854776"}, "ERR invalid expire time in 'set' command"},
		{[]string{"SET", "k", "v", "EX", "9223372036854775"}, "ERR invalid expire time in 'set' command"}, // ms + now overflows
		{[]string{"SET", "k", "v", "PX", "9223372036854775807"}, "ERR invalid expire time in 'set' command"},
		{[]string{"SET", "k", "v", "GET", "EX", "0"}, "ERR invalid expire time in 'set' command"},
		{[]string{"GET", "k"}, "v4"}, // untouched by the errors
		{[]string{"SET", "k", "v", "EXAT", "9223372036854775"}, "OK"},
		{[]string{"PTTL", "k"}, strconv.FormatInt(9223372036854775000-now, 10)},
		// an absolute time in the past stores a key that is already gone
		{[]string{"SET", "k", "v5", "EXAT", nowS}, "OK"},
		{[]string{"GET", "k"}, "(nil)"},
		{[]string{"SET", "k", "v", "PXAT", "1", "GET"}, "(nil)"},
		{[]string{"EXISTS", "k"}, "0"},
		{[]string{"SET", "k", "v", "PX", "100"}, "OK"},
	})
	clock.Advance(99 * time.Millisecond)
	run(t, tc, []cmdCase{{[]string{"GET", "k"}, "v"}})
	clock.Advance(time.Millisecond)
	run(t, tc, []cmdCase{
		{[]string{"GET", "k"}, "(nil)"},
		{[]string{"SET", "k", "v", "XX"}, "(nil)"}, // an expired key is missing
		{[]string{"SET", "k", "v", "EX", "1"}, "OK"},
	})
	clock.Advance(time.Second)
	run(t, tc, []cmdCase{
		{[]string{"SET", "k", "new", "NX", "GET"}, "(nil)"},
		{[]string{"PTTL", "k"}, "-1"},
	})
}

func TestStringSetnxSetex(t *testing.T) {
	clock := newFakeClock()
	_, path := newTestServerClock(t, Config{}, clock)
	tc := dial(t, path)
	run(t, tc, []cmdCase{
		{[]string{"SETNX", "k", "a"}, "1"},
		{[]string{"SETNX", "k", "b"}, "0"},
		{[]string{"GET", "k"}, "a"},
		{[]string{"SETEX", "k", "10", "v"}, "OK"},
		{[]string{"PTTL", "k"}, "10000"},
		{[]string{"GET", "k"}, "v"},
		{[]string{"PSETEX", "k", "1500", "w"}, "OK"},
		{[]string{"PTTL", "k"}, "1500"},
		{[]string{"SETEX", "k", "0", "v"}, "ERR invalid expire time in 'setex' command"},
		{[]string{"SETEX", "k", "-1", "v"}, "ERR invalid expire time in 'setex' command"},
		{[]string{"SETEX", "k", "abc", "v"}, "ERR value is not an integer or out of range"},
		{[]string{"SETEX", "k", "9223372036854775", "v"}, "ERR invalid expire time in 'setex' command"},
		{[]string{"PSETEX", "k", "0", "v"}, "ERR invalid expire time in 'psetex' command"},
		{[]string{"PSETEX", "k", "9223372036854775807", "v"}, "ERR invalid expire time in 'psetex' command"},
		{[]string{"SETEX", "k", "10"}, "ERR wrong number of arguments for 'setex' command"},
		{[]string{"GET", "k"}, "w"},
	})
	clock.Advance(1500 * time.Millisecond)
	run(t, tc, []cmdCase{
		{[]string{"SETNX", "k", "c"}, "1"}, // expired, so missing
		{[]string{"PTTL", "k"}, "-1"},
	})
}

func TestStringGetsetGetdel(t *testing.T) {
	clock := newFakeClock()
	_, path := newTestServerClock(t, Config{}, clock)
	tc := dial(t, path)
	run(t, tc, []cmdCase{
		{[]string{"GETSET", "k", "a"}, "(nil)"},
		{[]string{"GETSET", "k", "b"}, "a"},
		{[]string{"SET", "k", "c", "EX", "100"}, "OK"},
		{[]string{"GETSET", "k", "d"}, "c"},
		{[]string{"PTTL", "k"}, "-1"}, // GETSET drops the expiry
		{[]string{"GETDEL", "k"}, "d"},
		{[]string{"GETDEL", "k"}, "(nil)"},
		{[]string{"EXISTS", "k"}, "0"},
		{[]string{"SET", "k", "e", "PX", "10"}, "OK"},
	})
	clock.Advance(10 * time.Millisecond)
	run(t, tc, []cmdCase{
		{[]string{"GETDEL", "k"}, "(nil)"},
		{[]string{"GETSET", "k", "f"}, "(nil)"},
	})
}

func TestStringGetex(t *testing.T) {
	clock := newFakeClock()
	_, path := newTestServerClock(t, Config{}, clock)
	tc := dial(t, path)
	now := clock.Now().UnixMilli()
	run(t, tc, []cmdCase{
		{[]string{"GETEX", "k"}, "(nil)"},
		{[]string{"GETEX", "k", "EX", "-1"}, "(nil)"},  // a missing key answers before the time is checked
		{[]string{"GETEX", "k", "EX", "abc"}, "(nil)"}, // likewise
		{[]string{"GETEX", "k", "foo"}, "ERR syntax error"},
		{[]string{"GETEX", "k", "EX"}, "ERR syntax error"},
		{[]string{"SET", "k", "v"}, "OK"},
		{[]string{"GETEX", "k"}, "v"},
		{[]string{"PTTL", "k"}, "-1"},
		{[]string{"GETEX", "k", "EX", "10"}, "v"},
		{[]string{"PTTL", "k"}, "10000"},
		{[]string{"GETEX", "k", "PX", "10", "PX", "20"}, "v"},
		{[]string{"PTTL", "k"}, "20"},
		{[]string{"GETEX", "k", "EXAT", strconv.FormatInt(now/1000+5, 10)}, "v"},
		{[]string{"PTTL", "k"}, "5000"},
		{[]string{"GETEX", "k", "PXAT", strconv.FormatInt(now+7, 10)}, "v"},
		{[]string{"PTTL", "k"}, "7"},
		{[]string{"GETEX", "k", "PERSIST", "PERSIST"}, "v"},
		{[]string{"PTTL", "k"}, "-1"},
		{[]string{"GETEX", "k", "PERSIST"}, "v"},
		{[]string{"GETEX", "k", "EX", "10", "PERSIST"}, "ERR syntax error"},
		{[]string{"GETEX", "k", "PERSIST", "EX", "10"}, "ERR syntax error"},
		{[]string{"GETEX", "k", "EX", "10", "PX", "10"}, "ERR syntax error"},
		{[]string{"GETEX", "k", "KEEPTTL"}, "ERR syntax error"},
		{[]string{"GETEX", "k", "NX"}, "ERR syntax error"},
		{[]string{"GETEX", "k", "GET"}, "ERR syntax error"},
		{[]string{"GETEX", "k", "EX", "0"}, "ERR invalid expire time in 'getex' command"},
		{[]string{"GETEX", "k", "EX", "x"}, "ERR value is not an integer or out of range"},
		{[]string{"GETEX", "k", "EX", "9223372036854775"}, "ERR invalid expire time in 'getex' command"},
		{[]string{"GETEX", "k", "PX", "9223372036854775807"}, "ERR invalid expire time in 'getex' command"},
		{[]string{"PTTL", "k"}, "-1"},
		// an absolute time not after now deletes the key, after the reply
		{[]string{"GETEX", "k", "PXAT", strconv.FormatInt(now, 10)}, "v"},
		{[]string{"EXISTS", "k"}, "0"},
		{[]string{"SET", "k", "v", "EX", "1"}, "OK"},
		{[]string{"GETEX", "k", "EXAT", "1"}, "v"},
		{[]string{"DBSIZE"}, "0"},
		{[]string{"SET", "k", "v", "PX", "5"}, "OK"},
	})
	clock.Advance(5 * time.Millisecond)
	run(t, tc, []cmdCase{{[]string{"GETEX", "k", "PERSIST"}, "(nil)"}})
}

func TestStringMulti(t *testing.T) {
	clock := newFakeClock()
	_, path := newTestServerClock(t, Config{}, clock)
	tc := dial(t, path)
	run(t, tc, []cmdCase{
		{[]string{"MGET", "a", "b"}, "[(nil) (nil)]"},
		{[]string{"MSET", "a", "1", "b", "2"}, "OK"},
		{[]string{"MGET", "a", "x", "b", "a"}, "[1 (nil) 2 1]"},
		{[]string{"MSET", "a"}, "ERR wrong number of arguments for 'mset' command"},
		{[]string{"MSET", "a", "1", "b"}, "ERR wrong number of arguments for 'mset' command"},
		{[]string{"MSETNX", "a", "1", "b"}, "ERR wrong number of arguments for 'msetnx' command"},
		{[]string{"MGET"}, "ERR wrong number of arguments for 'mget' command"},
		{[]string{"MSET", "a", "1", "a", "2"}, "OK"},
		{[]string{"GET", "a"}, "2"},
		{[]string{"MSETNX", "a", "1", "c", "3"}, "0"},
		{[]string{"EXISTS", "c"}, "0"},
		{[]string{"MSETNX", "c", "3", "d", "4"}, "1"},
		{[]string{"MSETNX", "x", "1", "x", "2"}, "1"},
		{[]string{"GET", "x"}, "2"},
		{[]string{"SET", "t", "v", "EX", "100"}, "OK"},
		{[]string{"MSET", "t", "w"}, "OK"},
		{[]string{"PTTL", "t"}, "-1"}, // MSET drops the expiry
		{[]string{"SET", "e", "v", "PX", "1"}, "OK"},
	})
	clock.Advance(time.Millisecond)
	run(t, tc, []cmdCase{
		{[]string{"MGET", "e", "t"}, "[(nil) w]"},
		{[]string{"MSETNX", "e", "1", "f", "2"}, "1"},
	})
}

func TestStringIncrDecr(t *testing.T) {
	_, path := newTestServer(t, Config{})
	tc := dial(t, path)
	run(t, tc, []cmdCase{
		{[]string{"INCR", "n"}, "1"},
		{[]string{"INCR", "n"}, "2"},
		{[]string{"DECR", "n"}, "1"},
		{[]string{"INCRBY", "n", "10"}, "11"},
		{[]string{"DECRBY", "n", "20"}, "-9"},
		{[]string{"DECRBY", "n", "-9"}, "0"},
		{[]string{"INCRBY", "n", "0"}, "0"},
		{[]string{"GET", "n"}, "0"},
		{[]string{"INCRBY", "n", "abc"}, "ERR value is not an integer or out of range"},
		{[]string{"INCRBY", "n", " 5"}, "ERR value is not an integer or out of range"},
		{[]string{"INCRBY", "n", "5.0"}, "ERR value is not an integer or out of range"},
		{[]string{"INCRBY", "n", "+5"}, "ERR value is not an integer or out of range"},
		{[]string{"INCRBY", "n", "05"}, "ERR value is not an integer or out of range"},
		{[]string{"INCRBY", "n", "9223372036854775808"}, "ERR value is not an integer or out of range"},
		{[]string{"DECRBY", "n", "x"}, "ERR value is not an integer or out of range"},
		// stored values must be integers as string2ll reads them
		{[]string{"SET", "s", "v"}, "OK"},
		{[]string{"INCR", "s"}, "ERR value is not an integer or out of range"},
		{[]string{"SET", "s", " 1"}, "OK"},
		{[]string{"INCR", "s"}, "ERR value is not an integer or out of range"},
		{[]string{"SET", "s", "01"}, "OK"},
		{[]string{"INCR", "s"}, "ERR value is not an integer or out of range"},
		{[]string{"SET", "s", "+1"}, "OK"},
		{[]string{"INCR", "s"}, "ERR value is not an integer or out of range"},
		{[]string{"SET", "s", "-0"}, "OK"},
		{[]string{"INCR", "s"}, "ERR value is not an integer or out of range"},
		{[]string{"SET", "s", "5\x00"}, "OK"},
		{[]string{"INCR", "s"}, "ERR value is not an integer or out of range"},
		{[]string{"SET", "s", "123456789012345678901"}, "OK"},
		{[]string{"INCR", "s"}, "ERR value is not an integer or out of range"},
		{[]string{"SET", "s", "-5"}, "OK"},
		{[]string{"INCR", "s"}, "-4"},
		// overflow
		{[]string{"SET", "m", "9223372036854775807"}, "OK"},
		{[]string{"INCR", "m"}, "ERR increment or decrement would overflow"},
		{[]string{"INCRBY", "m", "0"}, "9223372036854775807"},
		{[]string{"DECRBY", "m", "-1"}, "ERR increment or decrement would overflow"},
		{[]string{"SET", "m", "-9223372036854775808"}, "OK"},
		{[]string{"DECR", "m"}, "ERR increment or decrement would overflow"},
		{[]string{"INCRBY", "m", "-1"}, "ERR increment or decrement would overflow"},
		{[]string{"INCRBY", "m", "9223372036854775807"}, "-1"},
		{[]string{"INCRBY", "z", "-9223372036854775808"}, "-9223372036854775808"},
		{[]string{"DECRBY", "z", "9223372036854775807"}, "ERR increment or decrement would overflow"},
		{[]string{"DECRBY", "y", "-9223372036854775808"}, "ERR decrement would overflow"},
		{[]string{"EXISTS", "y"}, "0"},
		{[]string{"DECRBY", "s", "-9223372036854775808"}, "ERR decrement would overflow"}, // before the value is read
		{[]string{"INCR"}, "ERR wrong number of arguments for 'incr' command"},
	})
}

func TestStringIncrKeepsTTL(t *testing.T) {
	clock := newFakeClock()
	_, path := newTestServerClock(t, Config{}, clock)
	tc := dial(t, path)
	run(t, tc, []cmdCase{
		{[]string{"SET", "n", "5", "PX", "100"}, "OK"},
		{[]string{"INCR", "n"}, "6"},
		{[]string{"INCRBYFLOAT", "n", "0.5"}, "6.5"},
		{[]string{"APPEND", "n", "1"}, "4"},
		{[]string{"SETRANGE", "n", "0", "7"}, "4"},
		{[]string{"GET", "n"}, "7.51"},
		{[]string{"PTTL", "n"}, "100"},
	})
	clock.Advance(100 * time.Millisecond)
	run(t, tc, []cmdCase{
		{[]string{"INCR", "n"}, "1"}, // expired: starts from 0
		{[]string{"PTTL", "n"}, "-1"},
		{[]string{"SET", "f", "x", "PX", "1"}, "OK"},
	})
	clock.Advance(time.Millisecond)
	run(t, tc, []cmdCase{{[]string{"INCRBYFLOAT", "f", "1.5"}, "1.5"}})
}

func TestStringIncrbyfloat(t *testing.T) {
	_, path := newTestServer(t, Config{})
	tc := dial(t, path)
	run(t, tc, []cmdCase{
		{[]string{"INCRBYFLOAT", "f", "10.5"}, "10.5"},
		{[]string{"INCRBYFLOAT", "f", "0.1"}, "10.6"},
		{[]string{"INCRBYFLOAT", "g", "5.0e3"}, "5000"},
		{[]string{"INCRBYFLOAT", "h", "3.0e3"}, "3000"},
		{[]string{"INCRBYFLOAT", "a", "0.1"}, "0.1"},
		{[]string{"INCRBYFLOAT", "a", "0.2"}, "0.3"},
		{[]string{"INCRBYFLOAT", "b", "1e20"}, "100000000000000000000"},
		{[]string{"INCRBYFLOAT", "c", "1e-10"}, "0.0000000001"},
		{[]string{"INCRBYFLOAT", "d", "3.14159"}, "3.14159"},
		{[]string{"INCRBYFLOAT", "e", "1.1"}, "1.1"},
		{[]string{"INCRBYFLOAT", "e", "1.1"}, "2.2"},
		{[]string{"INCRBYFLOAT", "e", "1.1"}, "3.3"},
		{[]string{"INCRBYFLOAT", "i", "+1"}, "1"},
		{[]string{"INCRBYFLOAT", "j", "0x10"}, "16"},
		{[]string{"INCRBYFLOAT", "j", "0x1p-3"}, "16.125"},
		{[]string{"INCRBYFLOAT", "j", "0x.8"}, "16.625"},
		{[]string{"INCRBYFLOAT", "k", "-0.0"}, "0"},
		{[]string{"INCRBYFLOAT", "k", "-1e-30"}, "0"},
		{[]string{"INCRBYFLOAT", "l", "1.e2"}, "100"},
		{[]string{"INCRBYFLOAT", "l", ".5"}, "100.5"},
		{[]string{"INCRBYFLOAT", "m", "00012.5000"}, "12.5"},
		{[]string{"INCRBYFLOAT", "o", "12345678901234567890.123"}, "12345678901234567890"},
		{[]string{"INCRBYFLOAT", "o2", "0.000000000000000005"}, "0"},      // just below 5e-18
		{[]string{"INCRBYFLOAT", "o3", "0x1p-18"}, "0.00000381469726562"}, // a tie, to even
		{[]string{"INCRBYFLOAT", "o4", "0x3p-18"}, "0.00001144409179688"},
		{[]string{"INCRBYFLOAT", "p", "1e308"}, "99999999999999999996685879655845645660560099847415567207797047994921734868838061872100126921888539320446747225054013223152134749593960583597420814430196418767959100019603190778663109604507106667939153395788938914560543563061268364901618630217086589253444881623791300855757318142424510452728255046343928578048"},
		{[]string{"INCRBYFLOAT", "q", "9223372036854775807"}, "9223372036854775807"},
		{[]string{"INCRBYFLOAT", "q", "1"}, "9223372036854775808"},
		{[]string{"INCRBYFLOAT", "q", "9223372036854775807"}, "18446744073709551615"},
		{[]string{"INCRBYFLOAT", "q", "1"}, "18446744073709551616"},
		// subnormals and the range's ends
		{[]string{"INCRBYFLOAT", "r", "2e-4951"}, "0"},
		{[]string{"INCRBYFLOAT", "r", "0x1.8p-16446"}, "0"},
		{[]string{"INCRBYFLOAT", "r", "0e99999999999999999999999"}, "0"},
		{[]string{"INCRBYFLOAT", "r", "1e-4951"}, "ERR value is not a valid float"},
		{[]string{"INCRBYFLOAT", "r", "0x1p-16446"}, "ERR value is not a valid float"},
		{[]string{"INCRBYFLOAT", "r", "1e-5000"}, "ERR value is not a valid float"},
		{[]string{"INCRBYFLOAT", "r", "1e-99999999999999999999999"}, "ERR value is not a valid float"},
		{[]string{"INCRBYFLOAT", "r", "1e5000"}, "ERR value is not a valid float"},
		{[]string{"INCRBYFLOAT", "r", "1.18973149535723176509e+4932"}, "ERR value is not a valid float"},
		{[]string{"INCRBYFLOAT", "r", "0x1p16384"}, "ERR value is not a valid float"},
		// not numbers
		{[]string{"INCRBYFLOAT", "x", "nan"}, "ERR value is not a valid float"},
		{[]string{"INCRBYFLOAT", "x", "-nan"}, "ERR value is not a valid float"},
		{[]string{"INCRBYFLOAT", "x", ""}, "ERR value is not a valid float"},
		{[]string{"INCRBYFLOAT", "x", " 1"}, "ERR value is not a valid float"},
		{[]string{"INCRBYFLOAT", "x", "1 "}, "ERR value is not a valid float"},
		{[]string{"INCRBYFLOAT", "x", "1\x00"}, "ERR value is not a valid float"},
		{[]string{"INCRBYFLOAT", "x", "abc"}, "ERR value is not a valid float"},
		{[]string{"INCRBYFLOAT", "x", "infinit"}, "ERR value is not a valid float"},
		{[]string{"INCRBYFLOAT", "x", "1e"}, "ERR value is not a valid float"},
		{[]string{"INCRBYFLOAT", "x", "1e+"}, "ERR value is not a valid float"},
		{[]string{"INCRBYFLOAT", "x", "0x"}, "ERR value is not a valid float"},
		{[]string{"INCRBYFLOAT", "x", "0x1p"}, "ERR value is not a valid float"},
		{[]string{"INCRBYFLOAT", "x", "0x1g"}, "ERR value is not a valid float"},
		{[]string{"INCRBYFLOAT", "x", "."}, "ERR value is not a valid float"},
		{[]string{"INCRBYFLOAT", "x", "-"}, "ERR value is not a valid float"},
		{[]string{"INCRBYFLOAT", "x", "1_0"}, "ERR value is not a valid float"},
		{[]string{"INCRBYFLOAT", "x", "1,5"}, "ERR value is not a valid float"},
		{[]string{"INCRBYFLOAT", "x", strings.Repeat("0", 5119) + "1"}, "ERR value is not a valid float"},
		{[]string{"INCRBYFLOAT", "x", strings.Repeat("0", 5118) + "1"}, "1"},
		// infinities parse, but the sum may not be one
		{[]string{"INCRBYFLOAT", "x", "inf"}, "ERR increment would produce NaN or Infinity"},
		{[]string{"INCRBYFLOAT", "x", "-Infinity"}, "ERR increment would produce NaN or Infinity"},
		{[]string{"SET", "y", "infinity"}, "OK"},
		{[]string{"INCRBYFLOAT", "y", "1"}, "ERR increment would produce NaN or Infinity"},
		{[]string{"INCRBYFLOAT", "y", "-inf"}, "ERR increment would produce NaN or Infinity"},
		{[]string{"SET", "y", "1e-4951"}, "OK"},
		{[]string{"INCRBYFLOAT", "y", "inf"}, "ERR value is not a valid float"}, // the value is read first
		{[]string{"SET", "y", " 2"}, "OK"},
		{[]string{"INCRBYFLOAT", "y", "1"}, "ERR value is not a valid float"},
		{[]string{"SET", "y", "10"}, "OK"},
		{[]string{"INCRBYFLOAT", "y", "1.5"}, "11.5"},
		{[]string{"GET", "y"}, "11.5"},
		{[]string{"INCRBYFLOAT", "y", "-11.5"}, "0"},
	})
}

func TestStringIncrbyfloatRange(t *testing.T) {
	_, path := newTestServer(t, Config{})
	tc := dial(t, path)
	// The largest long double, (2-2^-63)*2^16383, printed in full.
	got := tc.Do("INCRBYFLOAT", "max", "0x1.fffffffffffffffep16383")
	if len(got) != 4933 || !strings.HasPrefix(got, "1189731495357231765021263853030970205169") ||
		!strings.HasSuffix(got, "8849149662444156604419552086811989770240") {
		t.Errorf("INCRBYFLOAT of the largest long double: got %.40s... (%d bytes)", got, len(got))
	}
	run(t, tc, []cmdCase{
		{[]string{"INCRBYFLOAT", "max", "0x1p16320"}, "ERR increment would produce NaN or Infinity"},
		// half an ulp: a tie, and the even neighbour is infinity
		{[]string{"INCRBYFLOAT", "max", "0x1p16319"}, "ERR increment would produce NaN or Infinity"},
		{[]string{"INCRBYFLOAT", "max", "0x1.fffffffffffffffep16318"}, got},
	})
	got = tc.Do("INCRBYFLOAT", "max", "-1e4932")
	if len(got) != 4932 || !strings.HasPrefix(got, "1897314953572317650152449036430063138452") || !strings.HasSuffix(got, "7972770291281015517881133973020103147520") {
		t.Errorf("max - 1e4932: got %.40s... (%d bytes)", got, len(got))
	}
}

// TestStringIncrbyfloatAccumulate checks sums that differ between double
// and long double arithmetic (values taken from redis-server 7.0 on
// x86-64).
func TestStringIncrbyfloatAccumulate(t *testing.T) {
	_, path := newTestServer(t, Config{})
	tc := dial(t, path)
	var got []string
	for range 10 {
		got = append(got, tc.Do("INCRBYFLOAT", "acc", "0.1"))
	}
	want := "0.1 0.2 0.3 0.4 0.5 0.6 0.7 0.8 0.9 1"
	if g := strings.Join(got, " "); g != want {
		t.Errorf("ten 0.1s: got %s, want %s", g, want)
	}
	run(t, tc, []cmdCase{
		{[]string{"INCRBYFLOAT", "b", "0.30000000000000004"}, "0.30000000000000004"},
		{[]string{"INCRBYFLOAT", "c", "1.7976931348623157e308"}, "179769313486231569995921046774104434048386446944329178485314420765176628523124396354701868608387085564428793419425520689308708363451136055357897278026477617073498977686288394835618163294045594434929537447290627480669417384648879122776218333598953852832103282504751611691208117720159985926376802466863339536384"},
		{[]string{"INCRBYFLOAT", "d", "123456789.123456789"}, "123456789.12345678899873747"},
		{[]string{"INCRBYFLOAT", "d", "0.000000001"}, "123456789.12345678999554366"},
		{[]string{"INCRBYFLOAT", "d", "-123456789"}, "0.12345678999554366"},
	})
}

func TestStringAppendStrlen(t *testing.T) {
	_, path := newTestServer(t, Config{ProtoMaxBulkLen: 1 << 20})
	tc := dial(t, path)
	run(t, tc, []cmdCase{
		{[]string{"STRLEN", "k"}, "0"},
		{[]string{"APPEND", "k", "hello"}, "5"},
		{[]string{"APPEND", "k", " world"}, "11"},
		{[]string{"APPEND", "k", ""}, "11"},
		{[]string{"GET", "k"}, "hello world"},
		{[]string{"STRLEN", "k"}, "11"},
		{[]string{"APPEND", "e", ""}, "0"},
		{[]string{"EXISTS", "e"}, "1"}, // unlike SETRANGE, APPEND creates it
		{[]string{"STRLEN", "e"}, "0"},
		{[]string{"SETRANGE", "big", strconv.Itoa(1<<20 - 1), "x"}, strconv.Itoa(1 << 20)},
		{[]string{"APPEND", "big", "y"}, "ERR string exceeds maximum allowed size (proto-max-bulk-len)"},
		{[]string{"APPEND", "big", ""}, strconv.Itoa(1 << 20)},
		{[]string{"STRLEN", "big"}, strconv.Itoa(1 << 20)},
	})
}

// TestStringValueOwnership checks that growing or rewriting one value in
// place never changes another: values stored from one command's
// arguments share its buffer.
func TestStringValueOwnership(t *testing.T) {
	_, path := newTestServer(t, Config{})
	tc := dial(t, path)
	run(t, tc, []cmdCase{
		{[]string{"MSET", "a", "1", "b", "2", "c", "3"}, "OK"},
		{[]string{"APPEND", "a", "XXXXXXXXXXXXXXXXXXXXX"}, "22"},
		{[]string{"SETRANGE", "b", "3", "YYYYYYYYYYYYYYYYYY"}, "21"},
		{[]string{"MGET", "a", "b", "c"}, "[1XXXXXXXXXXXXXXXXXXXXX 2\x00\x00YYYYYYYYYYYYYYYYYY 3]"},
		{[]string{"COPY", "a", "a2"}, "1"},
		{[]string{"APPEND", "a", "Z"}, "23"},
		{[]string{"APPEND", "a2", "W"}, "23"},
		{[]string{"SETRANGE", "a2", "0", "Q"}, "23"},
		{[]string{"MGET", "a", "a2"}, "[1XXXXXXXXXXXXXXXXXXXXXZ QXXXXXXXXXXXXXXXXXXXXXW]"},
		{[]string{"SET", "s", "abc"}, "OK"},
		{[]string{"SETRANGE", "s", "1", "Z"}, "3"},
		{[]string{"GET", "s"}, "aZc"},
	})
	// Many appends stay correct as the value grows in place.
	var want strings.Builder
	for i := range 200 {
		part := strconv.Itoa(i) + ","
		want.WriteString(part)
		if got := tc.Do("APPEND", "log", part); got != strconv.Itoa(want.Len()) {
			t.Fatalf("APPEND %d: got %s", i, got)
		}
	}
	if got := tc.Do("GET", "log"); got != want.String() {
		t.Errorf("GET log: got %q", got)
	}
}

func TestStringGetrange(t *testing.T) {
	_, path := newTestServer(t, Config{})
	tc := dial(t, path)
	tc.Do("SET", "s", "Hello World")
	tc.Do("SET", "e", "")
	cases := []struct{ key, start, end, want string }{
		{"s", "0", "-1", "Hello World"},
		{"s", "0", "4", "Hello"},
		{"s", "-3", "-1", "rld"},
		{"s", "-1", "-3", ""},
		{"s", "5", "3", ""},
		{"s", "-100", "2", "Hel"},
		{"s", "-100", "-50", "H"},
		{"s", "0", "-100", "H"},
		{"s", "100", "200", ""},
		{"s", "3", "100", "lo World"},
		{"s", "10", "10", "d"},
		{"s", "11", "11", ""},
		{"s", "-1", "-1", "d"},
		{"s", "-9223372036854775808", "9223372036854775807", "Hello World"},
		{"s", "9223372036854775807", "-9223372036854775808", ""},
		{"s", "-9223372036854775808", "-9223372036854775808", "H"},
		{"e", "0", "-1", ""},
		{"e", "0", "0", ""},
		{"e", "-1", "-1", ""},
		{"missing", "0", "-1", ""},
		{"s", "1.5", "2", "ERR value is not an integer or out of range"},
		{"s", "0", "a", "ERR value is not an integer or out of range"},
		{"missing", "a", "b", "ERR value is not an integer or out of range"},
	}
	for _, cmd := range []string{"GETRANGE", "SUBSTR"} {
		for _, c := range cases {
			if got := tc.Do(cmd, c.key, c.start, c.end); got != c.want {
				t.Errorf("%s %s %s %s: got %q, want %q", cmd, c.key, c.start, c.end, got, c.want)
			}
		}
	}
	run(t, tc, []cmdCase{
		{[]string{"GETRANGE", "s", "0"}, "ERR wrong number of arguments for 'getrange' command"},
		{[]string{"SUBSTR", "s", "0"}, "ERR wrong number of arguments for 'substr' command"},
	})
}

func TestStringSetrange(t *testing.T) {
	clock := newFakeClock()
	_, path := newTestServerClock(t, Config{ProtoMaxBulkLen: 1 << 20}, clock)
	tc := dial(t, path)
	run(t, tc, []cmdCase{
		{[]string{"SETRANGE", "k", "5", "abc"}, "8"},
		{[]string{"GET", "k"}, "\x00\x00\x00\x00\x00abc"},
		{[]string{"SETRANGE", "k", "0", "XY"}, "8"},
		{[]string{"SETRANGE", "k", "7", "Z!"}, "9"},
		{[]string{"GET", "k"}, "XY\x00\x00\x00abZ!"},
		{[]string{"SETRANGE", "k", "100", ""}, "9"},
		{[]string{"SETRANGE", "k", "-1", "a"}, "ERR offset is out of range"},
		{[]string{"SETRANGE", "k", "-1", ""}, "ERR offset is out of range"},
		{[]string{"SETRANGE", "k", "abc", "a"}, "ERR value is not an integer or out of range"},
		{[]string{"SETRANGE", "n", "0", ""}, "0"},
		{[]string{"EXISTS", "n"}, "0"},
		{[]string{"SETRANGE", "n", "9223372036854775807", ""}, "0"},
		{[]string{"EXISTS", "n"}, "0"},
		{[]string{"SETRANGE", "n", strconv.Itoa(1 << 20), "a"}, "ERR string exceeds maximum allowed size (proto-max-bulk-len)"},
		{[]string{"SETRANGE", "n", "9223372036854775807", "a"}, "ERR string exceeds maximum allowed size (proto-max-bulk-len)"},
		{[]string{"SETRANGE", "k", strconv.Itoa(1 << 20), "a"}, "ERR string exceeds maximum allowed size (proto-max-bulk-len)"},
		{[]string{"SETRANGE", "k", strconv.Itoa(1 << 20), ""}, "9"},
		{[]string{"SETRANGE", "n", strconv.Itoa(1<<20 - 1), "a"}, strconv.Itoa(1 << 20)},
		{[]string{"SET", "t", "hello", "PX", "10"}, "OK"},
		{[]string{"SETRANGE", "t", "0", "J"}, "5"},
		{[]string{"PTTL", "t"}, "10"},
	})
	clock.Advance(10 * time.Millisecond)
	run(t, tc, []cmdCase{
		{[]string{"SETRANGE", "t", "1", "x"}, "2"},
		{[]string{"GET", "t"}, "\x00x"},
	})
}

// strRawReply sends a command and returns the first line of its reply.
func strRawReply(tc *testConn, args ...string) string {
	tc.tb.Helper()
	tc.Send(args...)
	line, err := tc.r.ReadString('\n')
	if err != nil {
		tc.tb.Fatal(err)
	}
	return line
}

func TestStringRESP3(t *testing.T) {
	_, path := newTestServer(t, Config{})
	tc := dial(t, path)
	for _, proto := range []string{"2", "3"} {
		tc.Do("HELLO", proto)
		null := "$-1\r\n"
		if proto == "3" {
			null = "_\r\n"
		}
		tc.Do("DEL", "k", "f", "x")
		for _, c := range []struct {
			args []string
			want string
		}{
			{[]string{"GET", "k"}, null},
			{[]string{"SET", "k", "v", "GET"}, null},
			{[]string{"SET", "k", "v", "NX"}, null},
			{[]string{"GETEX", "x"}, null},
			{[]string{"GETDEL", "x"}, null},
			{[]string{"GETSET", "x", "1"}, null},
			{[]string{"INCRBYFLOAT", "f", "1.5"}, "$3\r\n"},
			{[]string{"INCR", "x"}, ":2\r\n"},
			{[]string{"GETRANGE", "nope", "0", "1"}, "$0\r\n"},
		} {
			if got := strRawReply(tc, c.args...); got != c.want {
				t.Errorf("RESP%s %v: got %q, want %q", proto, c.args, got, c.want)
			}
			if strings.HasPrefix(c.want, "$") && c.want != "$-1\r\n" {
				tc.r.ReadString('\n') // the bulk's body
			}
		}
		tc.Send("MGET", "nope", "f")
		want := "*2\r\n" + null + "$3\r\n1.5\r\n"
		var got strings.Builder
		for range 4 {
			line, _ := tc.r.ReadString('\n')
			got.WriteString(line)
		}
		if got.String() != want {
			t.Errorf("RESP%s MGET: got %q, want %q", proto, got.String(), want)
		}
	}
}

func TestParseLongDouble(t *testing.T) {
	pow2 := func(e int) *big.Float { return new(big.Float).SetMantExp(big.NewFloat(1), e) }
	ld := func(s string) *big.Float {
		f, ok := new(big.Float).SetPrec(0).SetString(s)
		if !ok {
			t.Fatalf("bad constant %s", s)
		}
		return f
	}
	maxLD := new(big.Float).SetPrec(64).Sub(pow2(16384), pow2(16384-64))
	for _, c := range []struct {
		in   string
		want *big.Float
	}{
		{"0.1", ld("0.1000000000000000000013552527156068805425093160010874271392822265625")},
		{"1", big.NewFloat(1)},
		{"-2.5", big.NewFloat(-2.5)},
		{"0x1p-16445", pow2(-16445)},
		{"0x1.8p-16446", pow2(-16445)},
		{"0x1.fffffffffffffffep16383", maxLD},
		{"1.18973149535723176502e+4932", maxLD},
		{"0x1.ffffffffffffffffp16382", pow2(16383)}, // 65 bits: a tie, to even
	} {
		f, ok := parseLongDouble([]byte(c.in))
		if !ok {
			t.Errorf("%s: refused", c.in)
			continue
		}
		if f.Cmp(c.want) != 0 {
			t.Errorf("%s: got %s, want %s", c.in, f.Text('p', 0), c.want.Text('p', 0))
		}
	}
}

var humanFloat = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]*[1-9])?$`)

// FuzzIncrFloat checks INCRBYFLOAT's arithmetic on any operands: it never
// panics, its result is in Redis's human format and reads back, the
// integer fast path agrees with the long double path, and a result is
// close to what float64 arithmetic gives.
func FuzzIncrFloat(f *testing.F) {
	for _, s := range [][2]string{
		{"10.5", "0.1"}, {"1", "2"}, {"9223372036854775807", "1"}, {"-9223372036854775808", "-1"},
		{"0x1p-16445", "-0"}, {"1e4932", "1e4932"}, {"inf", "1"}, {"3.0e3", "1e-10"},
		{"", "1"}, {"0.000000000000000005", "0"}, {"1e-4951", "1"}, {"12", " 1"}, {"1", "-1.100"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, cur, by string) {
		exists := cur != ""
		val, errText := incrFloat([]byte(cur), []byte(by), exists)
		if errText != "" {
			return
		}
		if !humanFloat.Match(val) {
			t.Fatalf("%q + %q = %q: not in Redis's format", cur, by, val)
		}
		if _, ok := parseLongDouble(val); !ok {
			t.Fatalf("%q + %q = %q: does not read back", cur, by, val)
		}
		x, ok1 := parseLongDouble([]byte(cur))
		if !exists {
			x, ok1 = newLD(), true
		}
		y, ok2 := parseLongDouble([]byte(by))
		if !ok1 || !ok2 {
			t.Fatalf("%q + %q: accepted, but an operand does not parse", cur, by)
		}
		sum, ok := addLongDouble(x, y)
		if !ok {
			t.Fatalf("%q + %q: accepted, but the sum is not finite", cur, by)
		}
		if slow := appendLongDouble(nil, sum); string(slow) != string(val) {
			t.Fatalf("%q + %q: fast path %q, long double %q", cur, by, val, slow)
		}
		xf, _ := x.Float64()
		yf, _ := y.Float64()
		if d := xf + yf; math.Abs(xf)+math.Abs(yf) < 1e15 {
			// Both sides err by a few double ulps of the operands, and
			// the text by its 17 decimals.
			got, _ := strconv.ParseFloat(string(val), 64)
			if math.Abs(got-d) > 0x1p-50*(math.Abs(xf)+math.Abs(yf))+1e-17 {
				t.Fatalf("%q + %q = %q, float64 says %v", cur, by, val, d)
			}
		}
	})
}
