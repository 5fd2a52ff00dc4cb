package bot

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Outgoing is one stored reply waiting to be delivered.
type Outgoing struct {
	ID       int64
	Reply    Reply
	Attempts int
}

// Outbox is the durable queue the Dispatcher drains. Rows are written by the
// engine in the same transaction as the update that caused them.
type Outbox interface {
	// Pending returns unsent rows of one platform, oldest first.
	Pending(ctx context.Context, platform string, limit int) ([]Outgoing, error)
	MarkSent(ctx context.Context, id int64, at time.Time) error
	// MarkFailed gives up on a row; it is never tried again.
	MarkFailed(ctx context.Context, id int64, reason string) error
	// MarkUnreachable gives up on a row because the platform refuses the chat,
	// and pauses proactive messages to whoever owns the chat.
	MarkUnreachable(ctx context.Context, id int64, chatID string) error
}

// Limits is the pace of one platform.
type Limits struct {
	// PerSecond and Burst bound sends across all chats (Telegram: about 30/s).
	// Zero PerSecond means unlimited.
	PerSecond float64
	Burst     int
	// ChatPerSecond bounds sends to one chat (Telegram: about 1/s). Zero means
	// unlimited.
	ChatPerSecond float64
	// Workers is how many sends may be in flight at once (default 32).
	Workers int
	// MaxAttempts is how often a transient failure is retried before the row is
	// given up (default 8).
	MaxAttempts int
	// Backoff is the first retry delay; it doubles each attempt, with jitter
	// (default 1s, capped at 5 minutes).
	Backoff time.Duration
	// OnDemand lanes never deliver in the background: only Flush sends. The
	// console uses it so output appears between input lines, in order.
	OnDemand bool
}

func (l Limits) withDefaults() Limits {
	if l.Burst <= 0 {
		l.Burst = 1
	}
	if l.Workers <= 0 {
		l.Workers = 32
	}
	if l.MaxAttempts <= 0 {
		l.MaxAttempts = 8
	}
	if l.Backoff <= 0 {
		l.Backoff = time.Second
	}
	return l
}

// Dispatcher delivers outbox rows: in order per chat, one in flight per chat, at
// the pace each platform allows, retrying what can be retried. Delivery is at
// least once: a row is marked sent only after the platform accepted it.
type Dispatcher struct {
	outbox Outbox
	logger *slog.Logger
	now    func() time.Time

	mu     sync.Mutex
	lanes  map[string]*lane
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// NewDispatcher returns a Dispatcher over outbox. Register platforms, then Start.
func NewDispatcher(outbox Outbox, logger *slog.Logger) *Dispatcher {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Dispatcher{outbox: outbox, logger: logger, now: time.Now, lanes: make(map[string]*lane)}
}

// Register adds a platform's sender with its limits. Call before Start.
func (d *Dispatcher) Register(platform string, s Sender, l Limits) {
	l = l.withDefaults()
	ln := &lane{
		d:        d,
		platform: platform,
		sender:   s,
		limits:   l,
		kick:     make(chan struct{}, 1),
		busy:     make(map[string]bool),
		done:     make(map[string]int64),
		holdOff:  make(map[string]time.Time),
		chatRate: make(map[string]*rate.Limiter),
		slots:    make(chan struct{}, l.Workers),
		logger:   d.logger.With("platform", platform),
	}
	if l.PerSecond > 0 {
		ln.global = rate.NewLimiter(rate.Limit(l.PerSecond), l.Burst)
	}
	d.lanes[platform] = ln
}

// Start begins delivering in the background until Close.
func (d *Dispatcher) Start(ctx context.Context) {
	ctx, d.cancel = context.WithCancel(ctx)
	for _, ln := range d.lanes {
		if !ln.limits.OnDemand {
			d.wg.Go(func() { ln.run(ctx) })
		}
	}
}

// Kick wakes every platform lane to look for new rows at once. The engine's
// wiring calls it after each commit; without it rows still leave within a second.
func (d *Dispatcher) Kick() {
	for _, ln := range d.lanes {
		ln.wake()
	}
}

// Flush delivers every row pending for platform now, in the caller's goroutine,
// and returns when none is left or ctx ends. The console uses it so that replies
// are printed before the next input line is read.
func (d *Dispatcher) Flush(ctx context.Context, platform string) error {
	ln := d.lanes[platform]
	if ln == nil {
		return errors.New("flush: unknown platform " + platform)
	}
	if !ln.limits.OnDemand {
		return errors.New("flush: platform " + platform + " delivers in the background")
	}
	ln.flushMu.Lock()
	defer ln.flushMu.Unlock()
	tried := make(map[int64]bool)
	for {
		rows, err := d.outbox.Pending(ctx, platform, 256)
		if err != nil {
			return err
		}
		progress := false
		for _, row := range rows {
			if tried[row.ID] {
				continue // failed once in this flush; it waits for the next one
			}
			tried[row.ID] = true
			progress = true
			ln.deliver(ctx, row)
		}
		if !progress {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
}

// Close stops the lanes and waits for sends in flight.
func (d *Dispatcher) Close() error {
	if d.cancel != nil {
		d.cancel()
	}
	d.wg.Wait()
	return nil
}

// lane delivers one platform's rows.
type lane struct {
	d        *Dispatcher
	platform string
	sender   Sender
	limits   Limits
	global   *rate.Limiter
	kick     chan struct{}
	slots    chan struct{}
	logger   *slog.Logger
	flushMu  sync.Mutex // one Flush at a time

	mu   sync.Mutex
	busy map[string]bool // chats with a send in flight
	// done is, per chat, the newest row whose delivery has finished. A sweep
	// works from a list read before a send may have finished; rows at or below
	// this mark are skipped so nothing goes out twice.
	done     map[string]int64
	holdOff  map[string]time.Time // chats waiting out a retry delay
	attempts map[int64]int
	chatRate map[string]*rate.Limiter
}

func (ln *lane) wake() {
	select {
	case ln.kick <- struct{}{}:
	default:
	}
}

const idlePoll = time.Second

func (ln *lane) run(ctx context.Context) {
	var wg sync.WaitGroup
	defer wg.Wait()
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ln.kick:
		case <-timer.C:
		}
		next := ln.sweep(ctx, &wg)
		timer.Reset(next)
	}
}

// sweep starts a send for the oldest pending row of every idle chat and returns
// how long to sleep before looking again.
func (ln *lane) sweep(ctx context.Context, wg *sync.WaitGroup) time.Duration {
	rows, err := ln.d.outbox.Pending(ctx, ln.platform, 512)
	if err != nil {
		if ctx.Err() == nil {
			ln.logger.Error("read outbox", "err", err)
		}
		return idlePoll
	}
	now := ln.d.now()
	sleep := idlePoll
	seen := make(map[string]bool, len(rows))
	for _, row := range rows {
		chat := row.Reply.ChatID
		if seen[chat] {
			continue // only the oldest row of a chat may go: order per chat
		}
		seen[chat] = true
		ln.mu.Lock()
		if row.ID <= ln.done[chat] {
			ln.mu.Unlock()
			continue
		}
		busy := ln.busy[chat]
		until, held := ln.holdOff[chat]
		if held && !now.Before(until) {
			delete(ln.holdOff, chat)
			held = false
		}
		if !busy && !held {
			ln.busy[chat] = true
		}
		ln.mu.Unlock()
		if held {
			sleep = min(sleep, until.Sub(now))
			continue
		}
		if busy {
			continue
		}
		select {
		case ln.slots <- struct{}{}:
		case <-ctx.Done():
			ln.release(chat)
			return idlePoll
		}
		wg.Go(func() {
			defer func() { <-ln.slots }()
			ln.deliver(ctx, row)
			ln.release(chat)
			ln.wake()
		})
	}
	return max(sleep, time.Millisecond)
}

func (ln *lane) release(chat string) {
	ln.mu.Lock()
	delete(ln.busy, chat)
	ln.mu.Unlock()
}

// deliver sends one row after waiting for the platform's pace and records what
// happened.
func (ln *lane) deliver(ctx context.Context, row Outgoing) {
	chat := row.Reply.ChatID
	if ln.global != nil {
		if err := ln.global.Wait(ctx); err != nil {
			return
		}
	}
	if lim := ln.chatLimiter(chat); lim != nil {
		if err := lim.Wait(ctx); err != nil {
			return
		}
	}
	err := ln.sender.Send(ctx, row.Reply)
	var retry *RetryAfterError
	var perm *PermanentError
	switch {
	case err == nil:
		ln.finish(row)
		if err := ln.d.outbox.MarkSent(context.WithoutCancel(ctx), row.ID, ln.d.now()); err != nil {
			ln.logger.Error("mark sent", "outbox_id", row.ID, "err", err)
		}
	case errors.Is(err, ErrUnreachable):
		ln.finish(row)
		ln.logger.Info("chat unreachable, pausing proactive messages", "chat", chat)
		if err := ln.d.outbox.MarkUnreachable(context.WithoutCancel(ctx), row.ID, chat); err != nil {
			ln.logger.Error("mark unreachable", "outbox_id", row.ID, "err", err)
		}
	case errors.As(err, &perm):
		ln.finish(row)
		ln.logger.Error("send refused, giving up", "chat", chat, "outbox_id", row.ID, "err", err)
		if err := ln.d.outbox.MarkFailed(context.WithoutCancel(ctx), row.ID, err.Error()); err != nil {
			ln.logger.Error("mark failed", "outbox_id", row.ID, "err", err)
		}
	case ctx.Err() != nil:
		// Shutting down: the row stays pending and goes after restart.
	case errors.As(err, &retry):
		ln.logger.Warn("rate limited", "chat", chat, "retry_after", retry.After)
		ln.hold(chat, retry.After)
		if ln.global != nil && retry.After > 0 {
			// The platform's limit is shared: slow every chat down, not just this one.
			ln.global.SetLimitAt(ln.d.now().Add(retry.After), ln.global.Limit())
		}
	default:
		n := ln.attempt(row.ID)
		if n >= ln.limits.MaxAttempts {
			ln.finish(row)
			ln.logger.Error("send failed, giving up", "chat", chat, "outbox_id", row.ID, "attempts", n, "err", err)
			if err := ln.d.outbox.MarkFailed(context.WithoutCancel(ctx), row.ID, err.Error()); err != nil {
				ln.logger.Error("mark failed", "outbox_id", row.ID, "err", err)
			}
			return
		}
		delay := backoff(ln.limits.Backoff, n)
		ln.logger.Warn("send failed, will retry", "chat", chat, "attempt", n, "retry_in", delay, "err", err)
		ln.hold(chat, delay)
	}
}

func (ln *lane) hold(chat string, d time.Duration) {
	ln.mu.Lock()
	ln.holdOff[chat] = ln.d.now().Add(d)
	ln.mu.Unlock()
}

func (ln *lane) attempt(id int64) int {
	ln.mu.Lock()
	defer ln.mu.Unlock()
	if ln.attempts == nil {
		ln.attempts = make(map[int64]int)
	}
	ln.attempts[id]++
	return ln.attempts[id]
}

// finish records that a row's delivery is over, whatever its outcome.
func (ln *lane) finish(row Outgoing) {
	ln.mu.Lock()
	delete(ln.attempts, row.ID)
	ln.done[row.Reply.ChatID] = max(ln.done[row.Reply.ChatID], row.ID)
	ln.mu.Unlock()
}

// chatLimiter returns the per-chat limiter, creating it on first use. Limiters
// that have refilled completely carry no state worth keeping and are dropped
// when the map grows, so memory follows active chats only.
func (ln *lane) chatLimiter(chat string) *rate.Limiter {
	if ln.limits.ChatPerSecond <= 0 {
		return nil
	}
	ln.mu.Lock()
	defer ln.mu.Unlock()
	lim := ln.chatRate[chat]
	if lim == nil {
		if len(ln.chatRate) >= 4096 {
			now := ln.d.now()
			for c, l := range ln.chatRate {
				if l.TokensAt(now) >= float64(l.Burst()) {
					delete(ln.chatRate, c)
				}
			}
		}
		lim = rate.NewLimiter(rate.Limit(ln.limits.ChatPerSecond), 1)
		ln.chatRate[chat] = lim
	}
	return lim
}

// backoff is base doubled per attempt, capped at five minutes, with up to 50%
// jitter so retries from many chats do not arrive together.
func backoff(base time.Duration, attempt int) time.Duration {
	d := base << min(attempt-1, 16)
	d = min(d, 5*time.Minute)
	return d/2 + rand.N(d/2+1)
}
