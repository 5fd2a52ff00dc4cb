// Command coachbot is a self-hosted coaching companion for Telegram, Discord and
// the terminal. With no configuration it opens a console chat on ./coachbot.db.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		var u *usageError
		if errors.As(err, &u) {
			if u.msg != "" {
				fmt.Fprintln(os.Stderr, u.msg)
			}
			os.Exit(2)
		}
		fmt.Fprintln(os.Stderr, "coachbot:", err)
		os.Exit(1)
	}
}

// usageError means the command line was wrong; main exits 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// env is what a subcommand gets from the outside world, so tests can run the
// whole program in-process.
type env struct {
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

// subcommand is one verb of the CLI.
type subcommand struct {
	name    string
	summary string
	run     func(ctx context.Context, e env, args []string) error
}

func subcommands() []subcommand {
	return []subcommand{
		{"run", "start every configured platform (the console if none)", cmdRun},
		{"console", "chat in the terminal as console:NAME", cmdConsole},
		{"export", "print one user's data as JSON", cmdExport},
		{"backup", "write a consistent copy of the live database", cmdBackup},
		{"migrate", "apply database migrations and exit", cmdMigrate},
		{"simulate", "print the timeline a demo client and coach would receive", cmdSimulate},
		{"replay", "run a scenario file and print what everyone in it receives", cmdReplay},
		{"doctor", "check a deployment: config, database, tokens, webhook, clock", cmdDoctor},
		{"health", "ask a running bot's /healthz (for container health checks)", cmdHealth},
		{"version", "print the version and the versions of the main modules", cmdVersion},
	}
}

// run is the whole program: it picks the subcommand and runs it.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	e := env{getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr}
	name := "run"
	if len(args) > 0 && (args[0] == "" || args[0][0] != '-') {
		name, args = args[0], args[1:]
	}
	for _, sc := range subcommands() {
		if sc.name == name {
			err := sc.run(ctx, e, args)
			if ctx.Err() != nil && errors.Is(err, context.Canceled) {
				return nil // asked to stop, even while still starting
			}
			return err
		}
	}
	if name == "help" {
		usage(stdout)
		return nil
	}
	usage(stderr)
	return &usageError{msg: fmt.Sprintf("coachbot: unknown command %q", name)}
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: coachbot [command] [flags]")
	fmt.Fprintln(w, "\ncommands:")
	for _, sc := range subcommands() {
		fmt.Fprintf(w, "  %-9s %s\n", sc.name, sc.summary)
	}
	fmt.Fprintln(w, "\nEvery command takes -config FILE and -db PATH; 'coachbot COMMAND -h' lists its flags.")
}
