package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strings"

	"github.com/remoted/remoted/server"
)

// command is one subcommand: its name, its arguments and one line of what
// it does, for the help, and the function that runs it.
type command struct {
	name, args, summary string
	run                 func(args []string) error
}

// commands is every subcommand, in the order the help lists them. bench's
// own subcommands are listed too; bench dispatches them. (Set in init:
// help and run refer to it.)
var commands []command

func init() {
	commands = []command{
		{"serve", "[flags]", "serve a share: the default share's private unix socket unless told otherwise (the default command)", serve},
		{"ping", "[URL]", "check that a share answers", ping},
		{"get", "KEY [-url URL] [-raw]", "print a value: the stub's CBOR in diagnostic notation, other bytes quoted as redis-cli does", get},
		{"keys", "[PATTERN] [-url URL]", "list the keys matching PATTERN (default *), by SCAN", keys},
		{"path", "[SHARE]", "print the unix socket path of the default share, or of the named one", path},
		{"version", "", "print remoted's version", version},
		{"help", "[COMMAND]", "show this help, or a command's", help},
		{"bench", "[flags]", "benchmark remoted against redis-server with redis-benchmark", bench},
		{"bench locks", "[flags]", "lock handoffs per second: LOCK against the SET NX PX recipe", nil},
		{"bench procs", "[-n N]", "N NewProc children on one auto-started share", nil},
	}
}

// errUsage is returned once a usage error has been reported: exit 2.
var errUsage = errors.New("usage error")

// errHelp is returned once help was asked for and shown: exit 0.
var errHelp = errors.New("help shown")

// run runs the command line args (without the program name) and returns
// the exit status: 0, 1 for a failure, 2 for a usage error.
func run(args []string) int {
	name, rest := "serve", args
	if len(args) > 0 {
		switch a := args[0]; {
		case a == "-h" || a == "-help" || a == "--help":
			name, rest = "help", nil
		case a == "-version" || a == "--version":
			name, rest = "version", nil
		case !strings.HasPrefix(a, "-"):
			name, rest = a, args[1:]
		}
	}
	i := slices.IndexFunc(commands, func(c command) bool { return c.name == name && c.run != nil })
	if i < 0 {
		fmt.Fprintf(os.Stderr, "remoted: unknown command %q (remoted help lists them)\n", name)
		return 2
	}
	switch err := commands[i].run(rest); {
	case err == nil, errors.Is(err, errHelp):
		return 0
	case errors.Is(err, errUsage):
		return 2
	default:
		fmt.Fprintln(os.Stderr, "remoted:", err)
		return 1
	}
}

// help prints the list of commands, or one command's help, on stdout.
func help(args []string) error {
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		if run([]string{args[0], "-h"}) != 0 {
			return errUsage
		}
		return errHelp
	}
	w := os.Stdout
	fmt.Fprint(w, "usage: remoted COMMAND [ARGS]\n\nremoted serves a share, a Redis-protocol dictionary for many processes, and\ntalks to one. The commands:\n\n")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-12s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, `
"remoted COMMAND -h" shows a command's arguments and flags. A URL is
unix:///path/to.sock, a socket path, redis://[:PASSWORD@]HOST:PORT or
HOST:PORT; the default is $REMOTED_URL, else the default share.
`)
	return errHelp
}

// version prints remoted's version and the Redis version it follows.
func version(args []string) error {
	fs := newFlagSet("version", "Print remoted's version, the Redis version whose commands it follows and the Go that built it.")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	fmt.Printf("remoted %s (redis %s compatible; %s %s/%s)\n", server.Version, server.RedisVersion, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return nil
}

// newFlagSet returns a flag set for a command whose -h shows its usage
// line, summary and flags.
func newFlagSet(name, summary string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	args := ""
	if i := slices.IndexFunc(commands, func(c command) bool { return c.name == name }); i >= 0 {
		args = commands[i].args
	}
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintf(w, "usage: remoted %s %s\n\n%s\n", name, args, summary)
		n := 0
		fs.VisitAll(func(*flag.Flag) { n++ })
		if n > 0 {
			fmt.Fprint(w, "\nflags (-flag or --flag, before or after the arguments):\n")
			fs.PrintDefaults()
		}
	}
	return fs
}

// parseFlags parses args into fs and returns the positional arguments.
// Flags may come before, between or after them; "--" ends the flags. -h
// prints the help on stdout and returns errHelp; a bad flag prints the
// error and the help on stderr and returns errUsage.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	var out bytes.Buffer
	fs.SetOutput(&out)
	var pos []string
	for {
		err := fs.Parse(args)
		if err != nil {
			return nil, flagError(err, &out)
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			return append(pos, rest...), nil
		}
		pos, args = append(pos, rest[0]), rest[1:]
	}
}

// parseNoArgs parses the flags of a command that takes no positional
// arguments.
func parseNoArgs(fs *flag.FlagSet, args []string) error {
	pos, err := parseFlags(fs, args)
	if err == nil && len(pos) > 0 {
		err = usageErrorf(fs, "unexpected argument %q", pos[0])
	}
	return err
}

// flagError shows what fs.Parse wrote: the help on stdout when it was
// asked for, the error and the help on stderr otherwise.
func flagError(err error, out *bytes.Buffer) error {
	if errors.Is(err, flag.ErrHelp) {
		io.Copy(os.Stdout, out)
		return errHelp
	}
	io.Copy(os.Stderr, out)
	return errUsage
}

// usageErrorf reports a wrong use of a command that flag cannot see (a
// missing or extra argument) with a pointer to its help.
func usageErrorf(fs *flag.FlagSet, format string, args ...any) error {
	fmt.Fprintf(os.Stderr, "remoted %s: %s (remoted %s -h shows its usage)\n", fs.Name(), fmt.Sprintf(format, args...), fs.Name())
	return errUsage
}
