// Package cli implements herald's command line: the subcommands, their flags
// and output, and the wiring of config, store, watchers, alerts and bot for
// `run` and `once`. main.go only hands it the process's arguments and streams.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"runtime/debug"
	"strings"
	"time"

	"herald/config"
	"herald/store"
)

// Version is herald's version, set at build time with
// -ldflags "-X herald/cli.Version=v1.2.3"; otherwise taken from the module.
var Version = "dev"

// Env is the process's environment as the commands see it; tests supply their own.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Ready, when set, is called by `run` once polling and delivery have started.
	Ready func()
}

// Exit codes.
const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
)

type command struct {
	name, args, short string
	run               func(ctx context.Context, c *cmdContext) int
	flags             func(fs *flag.FlagSet, c *cmdContext)
	// maxArgs bounds the positional arguments (< 0: no bound); more is a
	// usage error (exit 2), never ignored. Each command says what it misses.
	maxArgs int
	// sub: the first positional argument may name a subcommand with flags
	// of its own, so flags are parsed only up to it.
	sub bool
}

// cmdContext carries one invocation's flags and environment.
type cmdContext struct {
	env        Env
	fs         *flag.FlagSet
	configPath string
	jsonOut    bool
	dryRun     bool
	feed       string
}

func commands() []command {
	return []command{
		{name: "run", short: "poll feeds and deliver alerts until stopped (SIGINT/SIGTERM); SIGHUP reloads the config", run: cmdRun},
		{name: "once", short: "poll every feed once, match, deliver everything pending (held digests and mutes stay held), and exit", run: cmdOnce},
		{name: "check", short: "validate the config; prints FILE:LINE:COL: message for each problem", run: cmdCheck},
		{name: "match", args: "[-json] [-feed NAME] PATH...", short: "show which rules match an article or each item of a feed file, and on which words", run: cmdMatch, flags: inputFlags, maxArgs: -1},
		{name: "summarize", args: "[-json] [-feed NAME] PATH", short: "show the summary and the quotes of an article", run: cmdSummarize, flags: inputFlags, maxArgs: 1},
		{name: "status", short: "show feed health, queued and undelivered alerts", run: cmdStatus},
		{name: "retry", args: "[ID...]", short: "send undelivered alerts again (all of them, or the IDs `herald status` lists)", run: cmdRetry, maxArgs: -1},
		{name: "search", args: "[-json] [-limit N] [--] QUERY", short: "search the stored articles, newest first, with the rules' query language", run: cmdSearch, flags: searchFlags, maxArgs: -1},
		{name: "feeds", args: "[-json] | add [-name NAME] [-tags a,b] URL", short: "list the feeds with their health, or add the feed of a URL (a site's page names its feed)", run: cmdFeeds, flags: feedsFlags, maxArgs: -1, sub: true},
		{name: "import", args: "[-dry-run] FILE.opml", short: "add the feeds of an OPML file to the config", run: cmdImport, flags: importFlags, maxArgs: 1},
		{name: "export", short: "print the feeds as OPML", run: cmdExport},
		{name: "watches", args: "[-json] | rm ID | export", short: "list the watches chats saved with /watch, remove one, or print them as rules: to paste into the config", run: cmdWatches, flags: jsonFlag, maxArgs: 2},
		{name: "version", short: "print herald's version", run: cmdVersion},
	}
}

func jsonFlag(fs *flag.FlagSet, c *cmdContext) {
	fs.BoolVar(&c.jsonOut, "json", false, "print one JSON object per item, one per line")
}

// inputFlags are the flags of match and summarize.
func inputFlags(fs *flag.FlagSet, c *cmdContext) {
	jsonFlag(fs, c)
	fs.StringVar(&c.feed, "feed", "", "the configured feed `NAME` the input comes from, for feed: terms, tags and rules' feeds: (default: the feed whose file it is, else none)")
}

// parseArgs parses flags wherever they stand among the arguments
// (`herald search grain -limit 1`), up to a "--", after which everything is
// positional (`herald search -- -sport`). With sub, parsing stops at the
// first positional argument, which names a subcommand with flags of its own.
func parseArgs(fs *flag.FlagSet, args []string, sub bool) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		// flag stops at "--" (consuming it) or at the first non-flag.
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" && !takesValue(fs, args, n-1) {
			return append(pos, rest...), nil
		}
		if len(rest) == 0 {
			return pos, nil
		}
		if sub {
			return append(pos, rest...), nil
		}
		pos, args = append(pos, rest[0]), rest[1:]
	}
}

// takesValue reports whether args[i] is the value of the flag before it
// (-config --), not the end of flags.
func takesValue(fs *flag.FlagSet, args []string, i int) bool {
	if i == 0 {
		return false
	}
	name := strings.TrimLeft(args[i-1], "-")
	if name == "" || strings.Contains(name, "=") || !strings.HasPrefix(args[i-1], "-") {
		return false
	}
	f := fs.Lookup(name)
	if f == nil {
		return false
	}
	if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
		return false
	}
	return true
}

// Main runs one herald command and returns the process exit code.
func Main(ctx context.Context, args []string, env Env) int {
	if env.Getenv == nil {
		env.Getenv = func(string) string { return "" }
	}
	if env.Now == nil {
		env.Now = time.Now
	}
	if len(args) == 0 {
		usage(env.Stderr)
		return exitUsage
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		usage(env.Stdout)
		return exitOK
	case "-version", "--version":
		args[0] = "version"
	}
	for _, cmd := range commands() {
		if cmd.name != args[0] {
			continue
		}
		c := &cmdContext{env: env}
		fs := flag.NewFlagSet("herald "+cmd.name, flag.ContinueOnError)
		fs.SetOutput(env.Stderr)
		fs.StringVar(&c.configPath, "config", "config.yaml", "the config `FILE`")
		if cmd.flags != nil {
			cmd.flags(fs, c)
		}
		fs.Usage = func() {
			out := fs.Output()
			fmt.Fprintf(out, "usage: herald %s [-config FILE] %s\n\n%s.\n\nflags:\n", cmd.name, cmd.args, capitalize(cmd.short))
			fs.PrintDefaults()
		}
		pos, err := parseArgs(fs, args[1:], cmd.sub)
		if err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return exitOK
			}
			return exitUsage
		}
		if cmd.maxArgs >= 0 && len(pos) > cmd.maxArgs {
			extra := pos[cmd.maxArgs:]
			fmt.Fprintf(env.Stderr, "herald %s: unexpected argument %q; it takes %s (the config is named with -config FILE)\n\n", cmd.name, extra[0], argCount(cmd))
			fs.Usage()
			return exitUsage
		}
		// The positional arguments, flags taken out, are the FlagSet's own
		// for the commands to read.
		_ = fs.Parse(append([]string{"--"}, pos...))
		c.fs = fs
		return cmd.run(ctx, c)
	}
	fmt.Fprintf(env.Stderr, "herald: unknown command %q; run `herald help` for the list\n", args[0])
	return exitUsage
}

// argCount says how many arguments a command takes, for usage errors.
func argCount(cmd command) string {
	what := strings.TrimSpace(cmd.args[strings.LastIndex(cmd.args, "]")+1:])
	switch cmd.maxArgs {
	case 0:
		return "no arguments"
	case 1:
		return "one argument: " + what
	}
	return "the arguments " + what
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func usage(w io.Writer) {
	fmt.Fprintf(w, "herald watches news feeds, matches them against your topics and posts alerts to chat.\n\nusage: herald COMMAND [-config FILE] [flags]\n\ncommands:\n")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.short)
	}
	fmt.Fprintf(w, "\nEvery command reads ./config.yaml unless -config names another file.\nRun `herald COMMAND -help` for a command's flags.\n")
}

func cmdVersion(_ context.Context, c *cmdContext) int {
	fmt.Fprintf(c.env.Stdout, "herald %s\n", version())
	return exitOK
}

func version() string {
	if Version != "dev" {
		return Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return Version
}

// loadConfig loads the config named by -config, printing its problems.
func (c *cmdContext) loadConfig() (*config.Config, bool) {
	cfg, err := config.Load(c.configPath, c.env.Getenv)
	if err != nil {
		printConfigError(c.env.Stderr, err)
		return nil, false
	}
	return cfg, true
}

// openStore loads the config and opens its database for command cmd,
// printing what went wrong as "herald CMD: …"; the caller closes the
// database.
func (c *cmdContext) openStore(ctx context.Context, cmd string) (*config.Config, *store.DB, bool) {
	cfg, ok := c.loadConfig()
	if !ok {
		return nil, nil, false
	}
	db, err := store.Open(ctx, cfg.DatabasePath())
	if err != nil {
		fmt.Fprintf(c.env.Stderr, "herald %s: %v\n", cmd, err)
		return nil, nil, false
	}
	return cfg, db, true
}

func printConfigError(w io.Writer, err error) {
	var ce *config.Error
	if errors.As(err, &ce) {
		for _, p := range ce.Problems {
			fmt.Fprintln(w, p.String())
		}
		return
	}
	fmt.Fprintln(w, err)
}

func cmdCheck(_ context.Context, c *cmdContext) int {
	cfg, ok := c.loadConfig()
	if !ok {
		return exitError
	}
	for _, w := range cfg.Warnings {
		fmt.Fprintln(c.env.Stderr, w.String()+" (warning)")
	}
	fmt.Fprintf(c.env.Stdout, "%s: ok: %d feeds, %d entities, %d rules\n", c.configPath, len(cfg.Feeds), len(cfg.Entities), len(cfg.Rules))
	return exitOK
}

// newLogger builds the process logger from the config's log section.
func newLogger(w io.Writer, cfg *config.Config) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.Log.Level))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.Log.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// plural picks the word for n things.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
