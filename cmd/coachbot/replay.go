package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/coachbot/coachbot/flows"
	"github.com/coachbot/coachbot/scenario"
)

// cmdReplay runs a scenario file on a test clock and prints what everyone in it
// writes and receives, so a coach can preview what clients experience; then
// "ok", or what did not happen as the file says (exit 1).
func cmdReplay(ctx context.Context, e env, args []string) error {
	var c common
	fs := newFlags("replay", e, &c)
	verbose := fs.Bool("v", false, "also show each check the scenario makes and each move of the clock")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: coachbot replay FILE [-v] [-config FILE] [-db PATH]")
		fs.PrintDefaults()
	}
	// The file may come before or after the flags.
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return &usageError{}
		}
		return &usageError{msg: err.Error()}
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return &usageError{msg: "coachbot replay: which scenario file?"}
	}
	path := fs.Arg(0)
	if err := parse(fs, fs.Args()[1:]); err != nil {
		return err
	}

	explicit := false
	fs.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "config" })
	cfg, err := loadConfig(c.config, explicit, e.getenv)
	if err != nil {
		return err
	}
	cat, err := flows.LoadCatalog(cfg.Messages.Language, cfg.Messages.Overrides)
	if err != nil {
		return fmt.Errorf("config: messages: %w", err)
	}

	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("replay: %w", err)
	}
	defer f.Close()
	sc, err := scenario.Parse(f, filepath.Base(path))
	if err != nil {
		return fmt.Errorf("replay: %w", err)
	}
	p := newProgress(e)
	res, err := sc.Run(ctx, scenario.Options{
		Transcript: p.Above(e.stdout),
		Progress:   func(done, total int) { p.Show("replay %s: step %d of %d", sc.Name, done, total) },
		Verbose:    *verbose,
		DB:         c.db, // never the configured database: a scenario starts from nothing
		Configure:  func(ec *flows.Config) { *ec = cfg.engineConfig(cat) },
	})
	p.Done()
	if err != nil {
		return fmt.Errorf("replay: %w", err)
	}
	fmt.Fprintln(e.stdout)
	if res.OK() {
		fmt.Fprintln(e.stdout, "ok")
		return nil
	}
	for _, f := range res.Failures {
		fmt.Fprintln(e.stdout, f)
	}
	return fmt.Errorf("replay: %s: the bot did not behave as the scenario says", sc.Name)
}
