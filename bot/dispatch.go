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
	// PendingAfter returns unsent rows of one platform with IDs above after,
	// oldest first, but for those skip (when not nil) reports the reader has
	// already: only their IDs are returned, with a zero Reply. IDs only grow,
	// so a reader that remembers the last ID it saw reads each row once.
	PendingAfter(ctx context.Context, platform string, after int64, limit int, skip func(id int64) bool) ([]Outgoing, error)
	// MarkSentAll records that the platform accepted these rows.
	MarkSentAll(ctx context.Context, ids []int64, at time.Time) error
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
	// Workers is how many sends may be in flight at once (default 16: enough
	// for any platform's pace, and few enough not to crowd the receiving side).
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
		l.Workers = 16
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
// least once: a row is marked sent only after the platform accepted it, so a
// crash between the two sends it again after restart; while running, nothing
// is sent twice.
type Dispatcher struct {
	outbox Outbox
	logger *slog.Logger
	now    func() time.Time

	lanes map[string]*lane
	// readEvery is how often a lane reads the outbox for rows nobody offered.
	readEvery time.Duration
	cancel    context.CancelFunc
	wg        sync.WaitGroup
}

// NewDispatcher returns a Dispatcher over outbox. Register platforms, then Start.
func NewDispatcher(outbox Outbox, logger *slog.Logger) *Dispatcher {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Dispatcher{outbox: outbox, logger: logger, now: time.Now, lanes: make(map[string]*lane), readEvery: idlePoll}
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
		wakeup:   make(chan struct{}, 1),
		known:    make(map[int64]struct{}),
		marks:    make(chan struct{}, 1),
		queues:   make(map[string][]Outgoing),
		busy:     make(map[string]bool),
		holdOff:  make(map[string]time.Time),
		attempts: make(map[int64]int),
		chatRate: make(map[string]*rate.Limiter),
		work:     make(chan Outgoing),
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

// Kick wakes every platform lane to read the outbox at once, for rows written
// by other processes; without it they still leave within a second. Rows this
// process commits arrive through Offer instead.
func (d *Dispatcher) Kick() {
	for _, ln := range d.lanes {
		select {
		case ln.kick <- struct{}{}:
		default:
		}
	}
}

// Offer hands the dispatcher rows just committed to the outbox, oldest first,
// so they leave at once instead of being read back. It never blocks: storage
// calls it right after each commit. Rows of on-demand platforms are left for
// Flush, and rows a lane already has are ignored, so a row offered and also
// read from the outbox goes out once.
func (d *Dispatcher) Offer(rows []Outgoing) {
	for _, row := range rows {
		platform, _, err := SplitID(row.Reply.ChatID)
		ln := d.lanes[platform]
		if err != nil || ln == nil || ln.limits.OnDemand {
			continue
		}
		ln.mu.Lock()
		ln.takeLocked(row)
		ln.mu.Unlock()
		ln.poke()
	}
}

// Flush delivers every row pending for an on-demand platform now, in the
// caller's goroutine, and returns when none is left or ctx ends. The console
// uses it so that replies are printed before the next input line is read.
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
	var after int64
	for {
		rows, err := d.outbox.PendingAfter(ctx, platform, after, 256, nil)
		if err != nil || len(rows) == 0 {
			return err
		}
		for _, row := range rows {
			after = row.ID
			if ln.deliver(ctx, row) == sent {
				ln.markSent(ctx)
			}
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
}

// Close stops the lanes, waits for sends in flight and records what was sent.
func (d *Dispatcher) Close() error {
	if d.cancel != nil {
		d.cancel()
	}
	d.wg.Wait()
	return nil
}

// lane delivers one platform's rows. Rows come in offered by the process that
// committed them, or read from the outbox (at start, and every second for rows
// other processes wrote), into a queue per chat; the head of each idle chat's
// queue is sent.
type lane struct {
	d        *Dispatcher
	platform string
	sender   Sender
	limits   Limits
	global   *rate.Limiter
	kick     chan struct{} // read the outbox now
	wakeup   chan struct{} // chats became ready
	marks    chan struct{} // sent rows wait to be recorded
	work     chan Outgoing // heads of chats' queues, for the workers
	logger   *slog.Logger
	flushMu  sync.Mutex // one Flush at a time

	mu sync.Mutex
	// cursor and known say which rows the lane has taken in: every row up to
	// cursor, and those in known above it (offered, or read ahead).
	cursor   int64
	known    map[int64]struct{}
	topKnown int64                 // the highest ID in known
	queues   map[string][]Outgoing // per chat, oldest first, not yet finished
	ready    []string              // idle chats whose head can go now
	busy     map[string]bool       // chats with a send in flight
	holdOff  map[string]time.Time  // chats waiting out a retry delay
	attempts map[int64]int
	chatRate map[string]*rate.Limiter
	sent     []int64 // delivered, not yet marked sent
}

func (ln *lane) poke() {
	select {
	case ln.wakeup <- struct{}{}:
	default:
	}
}

// has reports whether the lane has taken in the row with this ID.
func (ln *lane) has(id int64) bool {
	ln.mu.Lock()
	defer ln.mu.Unlock()
	return ln.hasLocked(id)
}

func (ln *lane) hasLocked(id int64) bool {
	_, known := ln.known[id]
	return known || id <= ln.cursor
}

// takeLocked queues a row unless the lane has it already.
func (ln *lane) takeLocked(row Outgoing) {
	if ln.hasLocked(row.ID) {
		return
	}
	ln.known[row.ID] = struct{}{}
	ln.topKnown = max(ln.topKnown, row.ID)
	chat := row.Reply.ChatID
	q := ln.queues[chat]
	ln.queues[chat] = append(q, row)
	if len(q) == 0 { // neither busy nor held: those keep their head queued
		ln.ready = append(ln.ready, chat)
	}
}

const (
	idlePoll  = time.Second
	readBatch = 1024
	// sendGrace bounds one send, and so how long Close waits for sends in flight.
	sendGrace = 15 * time.Second
)

func (ln *lane) run(ctx context.Context) {
	var sends, marker sync.WaitGroup
	markCtx, stopMarks := context.WithCancel(context.WithoutCancel(ctx))
	marker.Go(func() { ln.markLoop(markCtx) })
	for range ln.limits.Workers {
		sends.Go(func() { ln.worker(ctx) })
	}
	defer func() {
		sends.Wait()
		stopMarks()
		marker.Wait()
	}()
	var readAt time.Time // the next outbox read; zero reads at once
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ln.kick:
			readAt = time.Time{}
		case <-ln.wakeup:
		case <-timer.C:
		}
		now := ln.d.now()
		if !now.Before(readAt) {
			readAt = now.Add(ln.d.readEvery)
			if ln.read(ctx) {
				readAt = now // more to read
			}
		}
		sleep := min(ln.start(ctx, now), readAt.Sub(now))
		timer.Reset(max(sleep, time.Millisecond))
	}
}

// read takes in pending rows the lane does not have yet, and reports whether
// there are more to read.
func (ln *lane) read(ctx context.Context) bool {
	ln.mu.Lock()
	after, top := ln.cursor, max(ln.cursor, ln.topKnown)
	ln.mu.Unlock()
	rows, err := ln.d.outbox.PendingAfter(ctx, ln.platform, after, readBatch, ln.has)
	if err != nil {
		if ctx.Err() == nil {
			ln.logger.Error("read outbox", "err", err)
		}
		return false
	}
	more := len(rows) == readBatch
	ln.mu.Lock()
	defer ln.mu.Unlock()
	for _, row := range rows {
		ln.takeLocked(row)
	}
	// Rows committed after the read began have higher IDs than any it could
	// see, including those offered before it began: when the read got to the
	// end, the cursor may pass all of these.
	if more {
		top = rows[len(rows)-1].ID
	} else if len(rows) > 0 {
		top = max(top, rows[len(rows)-1].ID)
	}
	if top > ln.cursor {
		ln.cursor = top
		for id := range ln.known {
			if id <= top {
				delete(ln.known, id)
			}
		}
	}
	return more
}

// markLoop records delivered rows as sent, many per transaction, until ctx
// ends; then it records what is left.
func (ln *lane) markLoop(ctx context.Context) {
	for {
		select {
		case <-ln.marks:
			// ctx only says when to stop; a mark in progress completes.
			ln.markSent(context.WithoutCancel(ctx))
		case <-ctx.Done():
			ln.markSent(context.WithoutCancel(ctx))
			return
		}
	}
}

// markSent records every delivered row not yet recorded.
func (ln *lane) markSent(ctx context.Context) {
	ln.mu.Lock()
	ids := ln.sent
	ln.sent = nil
	ln.mu.Unlock()
	if len(ids) == 0 {
		return
	}
	if err := ln.d.outbox.MarkSentAll(ctx, ids, ln.d.now()); err != nil {
		ln.logger.Error("mark sent", "rows", len(ids), "err", err)
	}
}

// start sends the head of every ready chat's queue, and of every chat whose
// retry delay is over. It returns how long until the next delay ends.
func (ln *lane) start(ctx context.Context, now time.Time) time.Duration {
	sleep := idlePoll
	ln.mu.Lock()
	for chat, until := range ln.holdOff {
		if now.Before(until) {
			sleep = min(sleep, until.Sub(now))
			continue
		}
		delete(ln.holdOff, chat)
		ln.ready = append(ln.ready, chat)
	}
	var heads []Outgoing
	for _, chat := range ln.ready {
		q := ln.queues[chat]
		if _, held := ln.holdOff[chat]; len(q) == 0 || held || ln.busy[chat] {
			continue
		}
		ln.busy[chat] = true
		heads = append(heads, q[0])
	}
	ln.ready = ln.ready[:0]
	ln.mu.Unlock()

	for _, row := range heads {
		select {
		case ln.work <- row:
		case <-ctx.Done():
			return idlePoll
		}
	}
	return sleep
}

// worker sends rows handed to it until ctx ends. Workers live as long as the
// lane, so the stack a send grows is kept for the next.
func (ln *lane) worker(ctx context.Context) {
	for {
		select {
		case row := <-ln.work:
			ln.finish(row, ln.deliver(ctx, row))
		case <-ctx.Done():
			return
		}
	}
}

// finish records a send's outcome: the chat is free again, and unless the row
// waits out a retry, the chat's next row is ready.
func (ln *lane) finish(row Outgoing, outcome outcome) {
	chat := row.Reply.ChatID
	ln.mu.Lock()
	delete(ln.busy, chat)
	if outcome != retry { // a retry waits out its hold
		ln.pop(row)
		if len(ln.queues[chat]) > 0 {
			ln.ready = append(ln.ready, chat)
		}
	}
	ln.mu.Unlock()
	if outcome == sent {
		select {
		case ln.marks <- struct{}{}:
		default:
		}
	}
	ln.poke()
}

// pop removes a finished row from the head of its chat's queue.
func (ln *lane) pop(row Outgoing) {
	q := ln.queues[row.Reply.ChatID]
	if len(q) > 0 && q[0].ID == row.ID {
		q = q[1:]
	}
	if len(q) == 0 {
		delete(ln.queues, row.Reply.ChatID)
	} else {
		ln.queues[row.Reply.ChatID] = q
	}
}

// outcome is what became of one send.
type outcome int

const (
	sent     outcome = iota // accepted; to be marked sent
	finished                // given up on, already recorded
	retry                   // stays at the head of its queue
)

// deliver sends one row after waiting for the platform's pace and records
// what happened, except success, which the caller batches.
func (ln *lane) deliver(ctx context.Context, row Outgoing) outcome {
	chat := row.Reply.ChatID
	if ln.global != nil {
		if err := ln.global.Wait(ctx); err != nil {
			return retry
		}
	}
	if lim := ln.chatLimiter(chat); lim != nil {
		if err := lim.Wait(ctx); err != nil {
			return retry
		}
	}
	if ctx.Err() != nil {
		return retry
	}
	// A send that has started finishes even at shutdown: cancelling it half-way
	// could leave a message delivered but not marked, sent again after restart.
	sendCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), sendGrace)
	err := ln.sender.Send(sendCtx, row.Reply)
	cancel()
	var after *RetryAfterError
	var perm *PermanentError
	record := context.WithoutCancel(ctx)
	switch {
	case err == nil:
		ln.mu.Lock()
		delete(ln.attempts, row.ID)
		ln.sent = append(ln.sent, row.ID)
		ln.mu.Unlock()
		return sent
	case errors.Is(err, ErrUnreachable):
		ln.logger.Info("chat unreachable, pausing proactive messages", "chat", chat)
		if err := ln.d.outbox.MarkUnreachable(record, row.ID, chat); err != nil {
			ln.logger.Error("mark unreachable", "outbox_id", row.ID, "err", err)
		}
	case errors.As(err, &perm):
		ln.logger.Error("send refused, giving up", "chat", chat, "outbox_id", row.ID, "err", err)
		ln.giveUp(record, row, err)
	case ctx.Err() != nil:
		return retry // shutting down: the row stays pending and goes after restart
	case errors.As(err, &after):
		ln.logger.Warn("rate limited", "chat", chat, "retry_after", after.After)
		ln.hold(chat, after.After)
		if ln.global != nil && after.After > 0 {
			// The platform's limit is shared: slow every chat down, not just this one.
			ln.global.SetLimitAt(ln.d.now().Add(after.After), ln.global.Limit())
		}
		return retry
	default:
		ln.mu.Lock()
		ln.attempts[row.ID]++
		n := ln.attempts[row.ID]
		ln.mu.Unlock()
		if n < ln.limits.MaxAttempts {
			delay := backoff(ln.limits.Backoff, n)
			ln.logger.Warn("send failed, will retry", "chat", chat, "attempt", n, "retry_in", delay, "err", err)
			ln.hold(chat, delay)
			return retry
		}
		ln.logger.Error("send failed, giving up", "chat", chat, "outbox_id", row.ID, "attempts", n, "err", err)
		ln.giveUp(record, row, err)
	}
	ln.mu.Lock()
	delete(ln.attempts, row.ID)
	ln.mu.Unlock()
	return finished
}

func (ln *lane) giveUp(ctx context.Context, row Outgoing, err error) {
	if err := ln.d.outbox.MarkFailed(ctx, row.ID, err.Error()); err != nil {
		ln.logger.Error("mark failed", "outbox_id", row.ID, "err", err)
	}
}

func (ln *lane) hold(chat string, d time.Duration) {
	ln.mu.Lock()
	ln.holdOff[chat] = ln.d.now().Add(d)
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
