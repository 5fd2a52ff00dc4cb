package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/coachbot/coachbot/bot"
	"github.com/coachbot/coachbot/bot/console"
	"github.com/coachbot/coachbot/bot/telegram"
	"github.com/coachbot/coachbot/ops"
	"github.com/coachbot/coachbot/scheduler"
	"github.com/coachbot/coachbot/storage"
)

func newConsole(e env, name string, interactive bool) *console.Console {
	return console.New(e.stdin, e.stdout, name, interactive)
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// cmdRun starts every configured platform; with none, the console.
func cmdRun(ctx context.Context, e env, args []string) error {
	var c common
	fs := newFlags("run", e, &c)
	if err := parse(fs, args); err != nil {
		return err
	}
	return withApp(ctx, e, c, fs, func(a *app) error {
		if a.cfg.Telegram.Token == "" && a.cfg.Discord.Token == "" {
			return a.console(ctx, e, defaultName(e))
		}
		return a.serve(ctx)
	}, storage.WithOwnerLock())
}

// platform is a started adapter: it receives until ctx ends, and is ready
// while connected.
type platform struct {
	name  string
	run   func(ctx context.Context, h bot.Handler) error
	ready ops.Checker
}

// live is the bot receiving and delivering on every configured platform.
type live struct {
	dispatcher *bot.Dispatcher
	db         *storage.DB // tells the dispatcher of each commit's replies
	logger     *slog.Logger
	grace      time.Duration // how long Close keeps delivering what is queued
	cancel     context.CancelFunc
	wg         sync.WaitGroup
	errs       chan error // a platform that stopped with an error
	platforms  []platform
}

// start connects every configured platform and starts receiving and
// delivering. The scheduler is not part of it: serve adds the cron ticks, and
// tests drive the sweep on their own clock.
func (a *app) start(ctx context.Context) (*live, error) {
	d := bot.NewDispatcher(a.db, a.logger.With("component", "dispatcher"))
	var platforms []platform

	if tc := a.cfg.Telegram; tc.Token != "" {
		tg, err := telegram.New(ctx, telegram.Config{
			Token: tc.Token, APIURL: tc.APIURL, Mode: tc.Mode,
			Listen: tc.Webhook.Listen, PublicURL: tc.Webhook.PublicURL, Secret: tc.Webhook.Secret,
			Logger: a.logger.With("component", "telegram"), Pacer: d,
		}, a.db)
		if err != nil {
			return nil, err
		}
		a.links.set(bot.Telegram, tg.InviteLink)
		if err := tg.SetCommands(ctx, a.engine.Commands()); err != nil {
			a.logger.Warn("publish command menu", "platform", bot.Telegram, "err", err)
		}
		// A burst of 3 lets the overall pace make up for a moment the senders
		// were busy (a token bucket of 1 loses it), still well inside
		// Telegram's 30 a second.
		d.Register(bot.Telegram, a.sender(bot.Telegram, tg), bot.Limits{PerSecond: tc.PerSecond, Burst: 3, ChatPerSecond: tc.ChatPerSecond, ChatBurst: tc.ChatBurst})
		platforms = append(platforms, platform{bot.Telegram, tg.Run, tg})
	}
	if err := a.startDiscord(ctx, d, &platforms); err != nil {
		return nil, err
	}

	// Replies leave as soon as the commit that queued them is done.
	a.db.OnQueued(d.Offer)

	runCtx, cancel := context.WithCancel(ctx)
	l := &live{dispatcher: d, db: a.db, logger: a.logger, grace: time.Duration(a.cfg.ShutdownGrace), cancel: cancel, errs: make(chan error, len(platforms)), platforms: platforms}
	// The dispatcher outlives ctx: Close lets it deliver what is queued.
	d.Start(context.WithoutCancel(ctx))
	for _, p := range platforms {
		l.wg.Go(func() {
			a.logger.Info("platform started", "platform", p.name)
			if err := p.run(runCtx, a.handler()); err != nil {
				if !strings.HasPrefix(err.Error(), p.name+": ") {
					err = fmt.Errorf("%s: %w", p.name, err)
				}
				l.errs <- err
			}
		})
	}
	return l, nil
}

// Close stops the platforms taking updates, lets the dispatcher deliver what
// is queued for up to the grace period, then stops it. What is left stays in
// the outbox for the next start.
func (l *live) Close() error {
	l.cancel()
	l.wg.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), l.grace)
	if left := l.dispatcher.Drain(ctx); left > 0 {
		l.logger.Warn("stopping with messages still queued; they leave after the next start", "queued", left, "grace", l.grace)
	}
	cancel()
	l.db.OnQueued(nil)
	return l.dispatcher.Close()
}

// serve runs every configured platform, the dispatcher and the scheduler until
// ctx is cancelled or a platform fails, then stops them in reverse order. The
// health and metrics server starts before the platforms and stops after them;
// scheduled backups run once everything else is up.
func (a *app) serve(ctx context.Context) error {
	stopWeb, err := a.startWeb()
	if err != nil {
		return err
	}
	defer stopWeb() // last: it reads what the rest writes
	o, err := a.startOps(ctx)
	if err != nil {
		return err
	}
	l, err := a.start(ctx)
	if err != nil {
		return errors.Join(err, o.Close())
	}
	ticker, err := a.newTicker()
	if err != nil {
		return errors.Join(err, l.Close(), o.Close())
	}
	ticker.Start(ctx)
	o.running(ctx, l)
	// What fell due while the bot was down leaves now, not a minute later.
	var catchUp sync.WaitGroup
	catchUp.Go(func() { a.sweep(ctx) })

	var first error
	select {
	case <-ctx.Done():
	case first = <-l.errs:
	}
	o.stopping()
	tickerErr := ticker.Close()
	catchUp.Wait()
	return errors.Join(first, tickerErr, l.Close(), o.Close())
}

// sweepBatch is the most due moments one flows.Sweep call handles.
const sweepBatch = 5000

// sweep sends what is due. A wave larger than one sweep's batch (thousands of
// invitations at 09:00) is swept again at once rather than a minute later.
func (a *app) sweep(ctx context.Context) {
	for ctx.Err() == nil {
		n, err := a.engine.Sweep(ctx)
		if err != nil {
			a.logger.Error("sweep", "err", err)
			return
		}
		if n < sweepBatch {
			return
		}
	}
}

// newTicker returns the cron ticks: the due sweep every minute (what it queues
// leaves as each commit is done) and the clean-up of old records.
func (a *app) newTicker() (*scheduler.Ticker, error) {
	ticker := scheduler.NewTicker(a.logger.With("component", "scheduler"))
	if err := ticker.Add("@every 1m", "sweep", a.sweep); err != nil {
		return nil, err
	}
	if err := ticker.Add("@every 6h", "prune", func(ctx context.Context) {
		if err := a.db.Prune(ctx, time.Now().Add(-30*24*time.Hour)); err != nil {
			a.logger.Error("prune", "err", err)
		}
	}); err != nil {
		return nil, err
	}
	return ticker, nil
}
