package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/coachbot/coachbot/bot"
	"github.com/coachbot/coachbot/ops"
	"github.com/coachbot/coachbot/storage"
)

// operations are what a running bot offers its operator besides chatting:
// health and metrics on ops.listen, and scheduled backups. Each part is off
// unless configured.
type operations struct {
	a       *app
	server  *ops.Server // nil when ops.listen is empty
	backups *backupSchedule
	cancel  context.CancelFunc
	wg      sync.WaitGroup
}

// startOps starts the health and metrics server, before the platforms
// connect: a probe during start-up finds the bot alive, and not yet ready.
// The metrics count from here on.
func (a *app) startOps(ctx context.Context) (*operations, error) {
	o := &operations{a: a}
	if a.cfg.Ops.Listen != "" {
		a.metrics = ops.NewMetrics(buildVersion(), func(ctx context.Context, now time.Time) (ops.Stats, error) {
			s, err := a.db.Stats(ctx, now)
			return ops.Stats(s), err
		}, time.Now)
		a.db.OnCommit(a.metrics.Commit)
		o.server = ops.NewServer(a.metrics, a.logger.With("component", "ops"))
		o.server.Check("database", ops.CheckerFunc((&writeCheck{db: a.db}).ready))
		if err := o.server.Start(ctx, a.cfg.Ops.Listen); err != nil {
			a.db.OnCommit(nil)
			return nil, err
		}
	}
	var done func(time.Time, error)
	if a.metrics != nil {
		done = a.metrics.Backup
	}
	o.backups = newBackupSchedule(a.cfg, a.db, a.logger.With("component", "backup"), done)
	return o, nil
}

// running adds each platform's readiness, starts the backup schedule and
// marks start-up as done.
func (o *operations) running(ctx context.Context, l *live) {
	if o.server != nil {
		for _, p := range l.platforms {
			o.server.Check(p.name, p.ready)
		}
		o.server.Started()
	}
	if o.backups != nil {
		ctx, o.cancel = context.WithCancel(ctx)
		o.wg.Go(func() { o.backups.run(ctx) })
	}
}

// stopping makes /readyz fail while the bot shuts down, and stops the
// backup schedule (a backup in progress is abandoned; its partial copy is
// removed at the next start).
func (o *operations) stopping() {
	if o.server != nil {
		o.server.Stopping()
	}
	if o.cancel != nil {
		o.cancel()
	}
	o.wg.Wait()
}

// Close stops the server, last, so /healthz answers while the bot drains.
func (o *operations) Close() error {
	o.stopping()
	if o.server == nil {
		return nil
	}
	o.a.db.OnCommit(nil)
	return o.server.Close()
}

// sender is s, counted in the metrics when they are on.
func (a *app) sender(platform string, s bot.Sender) bot.Sender {
	if a.metrics == nil {
		return s
	}
	return a.metrics.Sender(platform, s)
}

// handler is the engine, its updates counted in the metrics when they are on.
func (a *app) handler() bot.Handler {
	if a.metrics == nil {
		return a.engine
	}
	return a.metrics.Handler(a.engine)
}

// writeCheck is the database's readiness: a write committed through the
// writer, as every update is. Its result is kept for a moment, so probes in
// quick succession cost one commit.
type writeCheck struct {
	db *storage.DB
	mu sync.Mutex
	at time.Time
	// err is the last result.
	err error
}

// writeCheckFor is how long a write check's result stands.
const writeCheckFor = 2 * time.Second

func (w *writeCheck) ready(ctx context.Context) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.at.IsZero() && time.Since(w.at) < writeCheckFor {
		return w.err
	}
	w.err = w.db.WriteCheck(ctx)
	w.at = time.Now()
	return w.err
}

// cmdHealth asks a running bot's /healthz (or /readyz with -ready), for a
// container's health check: exit 0 when it answers 200, 1 otherwise.
func cmdHealth(ctx context.Context, e env, args []string) error {
	var c common
	fs := newFlags("health", e, &c)
	ready := fs.Bool("ready", false, "ask /readyz (the database and every platform) instead of /healthz")
	addr := fs.String("addr", "", "`address` of the bot's ops server (default: the config's ops.listen)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *addr == "" {
		explicit := false
		fs.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "config" })
		cfg, err := loadConfig(c.config, explicit, e.getenv)
		if err != nil {
			return err
		}
		if cfg.Ops.Listen == "" {
			return errors.New("health: ops.listen is not set, so the bot serves no /healthz")
		}
		*addr = cfg.Ops.Listen
	}
	path := "/healthz"
	if *ready {
		path = "/readyz"
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+dialable(*addr)+path, nil)
	if err != nil {
		return fmt.Errorf("health: %w", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("health: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	fmt.Fprint(e.stdout, string(body))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("health: %s answered %s", path, resp.Status)
	}
	return nil
}

// dialable turns a listen address into one to connect to: a server listening
// on every interface (":9090", "0.0.0.0:9090") is reached on loopback.
func dialable(listen string) string {
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return listen
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}
