package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	iofs "io/fs"
	"log/slog"
	"os"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/coachbot/coachbot/bot"
	"github.com/coachbot/coachbot/flows"
	"github.com/coachbot/coachbot/ops"
	"github.com/coachbot/coachbot/storage"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// common are the flags every subcommand takes.
type common struct {
	config string
	db     string
}

func newFlags(name string, e env, c *common) *flag.FlagSet {
	fs := flag.NewFlagSet("coachbot "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.StringVar(&c.config, "config", "config.yaml", "configuration `file`")
	fs.StringVar(&c.db, "db", "", "SQLite database `path` (overrides the config's db)")
	return fs
}

// parse parses flags; a bad flag is a usage error (exit 2).
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return &usageError{}
		}
		return &usageError{msg: err.Error()}
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return &usageError{msg: fmt.Sprintf("%s: unexpected argument %q", fs.Name(), fs.Arg(0))}
	}
	return nil
}

// app is the opened program: configuration, logger, database and engine.
type app struct {
	cfg     Config
	logger  *slog.Logger
	db      *storage.DB
	engine  *flows.Engine
	catalog *flows.Catalog
	links   *inviteLinks
	// metrics count what the bot does while ops.listen is set; nil otherwise.
	metrics *ops.Metrics
}

// inviteLinks knows, per platform, how to turn an invite code into something to
// share. Adapters register after the engine exists, so the engine asks through it.
type inviteLinks struct {
	mu sync.RWMutex
	by map[string]func(code string) string
}

func (l *inviteLinks) set(platform string, f func(string) string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.by == nil {
		l.by = make(map[string]func(string) string)
	}
	l.by[platform] = f
}

// link returns the platform's link for code, or "" when it has none.
func (l *inviteLinks) link(platform, code string) string {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if f := l.by[platform]; f != nil {
		return f(code)
	}
	return ""
}

// openApp loads the configuration and opens the database, with opts, and the
// engine. The caller closes the app. From here on, nothing the app logs shows
// a configured secret.
func openApp(ctx context.Context, e env, c common, fs *flag.FlagSet, now func() time.Time, opts ...storage.Option) (*app, error) {
	explicit := false
	fs.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "config" })
	cfg, err := loadConfig(c.config, explicit, e.getenv)
	if err != nil {
		return nil, err
	}
	if c.db != "" {
		cfg.DB = c.db
	}
	logCfg := cfg.Log
	if cfg.Telegram.Token == "" && cfg.Discord.Token == "" && logCfg.Level == "info" {
		// Without a platform the terminal is the chat: only warnings interrupt it.
		logCfg.Level = "warn"
	}
	logger := newLogger(redactWriter{w: e.stderr, secrets: cfg.secrets()}, logCfg)
	if now == nil {
		now = time.Now
	}
	opts = append([]storage.Option{storage.WithClock(now), storage.WithLogger(logger.With("component", "storage"))}, opts...)
	db, err := storage.Open(ctx, cfg.DB, opts...)
	var inUse *storage.InUseError
	switch {
	case errors.As(err, &inUse):
		return nil, inUse // says which database and which process
	case errors.Is(err, iofs.ErrNotExist):
		return nil, fmt.Errorf("database %s does not exist", cfg.DB)
	case err != nil:
		return nil, err // storage names the file and the problem
	}
	cat, err := flows.LoadCatalog(cfg.Messages.Language, cfg.Messages.Overrides)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("config: messages: %w", err)
	}
	ecfg := cfg.engineConfig(cat)
	ecfg.Now = now
	ecfg.Logger = logger.With("component", "engine")
	links := &inviteLinks{}
	ecfg.InviteLink = links.link
	return &app{cfg: cfg, logger: logger, db: db, engine: flows.New(db, ecfg), catalog: cat, links: links}, nil
}

func (a *app) Close() error { return a.db.Close() }

func newLogger(w io.Writer, c LogConfig) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(c.Level))
	opts := &slog.HandlerOptions{Level: level}
	if c.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func cmdConsole(ctx context.Context, e env, args []string) error {
	var c common
	fs := newFlags("console", e, &c)
	as := fs.String("as", defaultName(e), "chat as console:`NAME`")
	if err := parse(fs, args); err != nil {
		return err
	}
	return withApp(ctx, e, c, fs, func(a *app) error { return a.console(ctx, e, *as) }, storage.WithOwnerLock())
}

// console chats in the terminal until the input ends or ctx is cancelled.
func (a *app) console(ctx context.Context, e env, name string) error {
	if strings.ContainsAny(name, ": ") || name == "" {
		return &usageError{msg: fmt.Sprintf("coachbot console: -as %q: use a single word", name)}
	}
	interactive := false
	if f, ok := e.stdin.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			interactive = true
		}
	}
	con := newConsole(e, name, interactive)
	// Only this person's replies: another console chat's wait for its console.
	d := bot.NewDispatcher(a.db.ChatOutbox(con.ChatID()), a.logger.With("component", "dispatcher"))
	d.Register(bot.Console, con, bot.Limits{OnDemand: true})
	if interactive {
		fmt.Fprintf(e.stdout, "coachbot %s: chatting as console:%s on %s. Type /start to begin, Ctrl-D to leave.\n", version, name, a.cfg.DB)
	}
	// Invitations and nudges come in the console too; it shows what they
	// queued within a second.
	ticker, err := a.newTicker()
	if err != nil {
		return err
	}
	ticker.Start(ctx)
	err = con.Run(ctx, a.engine, func(ctx context.Context) error { return d.Flush(ctx, bot.Console) })
	return errors.Join(err, ticker.Close())
}

func defaultName(e env) string {
	if u := e.getenv("USER"); u != "" && !strings.ContainsAny(u, ": ") {
		return u
	}
	return "you"
}

// required fails with usage when a required flag is missing.
func required(fs *flag.FlagSet, flagName, value string) error {
	if value != "" {
		return nil
	}
	fs.Usage()
	return &usageError{msg: fmt.Sprintf("%s: -%s is required", fs.Name(), flagName)}
}

// withApp opens the app for fn, with the database options opts, and closes it
// afterwards. The error has no configured secret in its text.
func withApp(ctx context.Context, e env, c common, fs *flag.FlagSet, fn func(*app) error, opts ...storage.Option) error {
	a, err := openApp(ctx, e, c, fs, nil, opts...)
	if err != nil {
		return err
	}
	err = fn(a)
	return redact(errors.Join(err, a.Close()), a.cfg.secrets())
}

func cmdExport(ctx context.Context, e env, args []string) error {
	var c common
	fs := newFlags("export", e, &c)
	user := fs.String("user", "", "platform-qualified user `ID`, such as telegram:123456")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := required(fs, "user", *user); err != nil {
		return err
	}
	return withApp(ctx, e, c, fs, func(a *app) error {
		var x flows.Export
		err := a.db.View(ctx, func(tx flows.Tx) error {
			var err error
			x, err = flows.ExportClient(tx, *user, time.Now())
			return err
		})
		if errors.Is(err, flows.ErrNotFound) {
			return fmt.Errorf("export: no user %s", *user)
		}
		if err != nil {
			return fmt.Errorf("export: %w", err)
		}
		return writeJSON(e.stdout, x)
	}, storage.Existing())
}

func cmdBackup(ctx context.Context, e env, args []string) error {
	var c common
	fs := newFlags("backup", e, &c)
	out := fs.String("out", "", "`file` to write the copy to (must not exist)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := required(fs, "out", *out); err != nil {
		return err
	}
	return withApp(ctx, e, c, fs, func(a *app) error {
		stop := copying(newProgress(e), "backup", a.cfg.DB, *out)
		err := a.db.Backup(ctx, *out)
		stop()
		if err != nil {
			return fmt.Errorf("backup: %w", err)
		}
		fmt.Fprintf(e.stdout, "backup written to %s\n", *out)
		return nil
	}, storage.Existing())
}

func cmdMigrate(ctx context.Context, e env, args []string) error {
	var c common
	fs := newFlags("migrate", e, &c)
	if err := parse(fs, args); err != nil {
		return err
	}
	return withApp(ctx, e, c, fs, func(a *app) error {
		v, err := a.db.SchemaVersion(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "database %s is at schema version %d\n", a.cfg.DB, v)
		return nil
	})
}

func cmdVersion(_ context.Context, e env, args []string) error {
	var c common
	fs := newFlags("version", e, &c)
	all := fs.Bool("all", false, "list every module built in, not only the main ones")
	if err := parse(fs, args); err != nil {
		return err
	}
	info, _ := debug.ReadBuildInfo()
	writeVersion(e.stdout, info, *all)
	return nil
}
