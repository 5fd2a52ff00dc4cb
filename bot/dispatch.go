package bot

import (
	"context"
	"errors"
	"log/slog"
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

// Proactive reports whether the row is a message the bot starts itself (an
// invitation, a digest) rather than an answer to something a person wrote.
func (o Outgoing) Proactive() bool { return o.Reply.Kind != "" }

// Outbox is the durable queue the Dispatcher drains. Rows are written by the
// engine in the same transaction as the update that caused them.
type Outbox interface {
	// PendingAfter returns unsent rows of one platform with IDs above after,
	// oldest first, but for those skip (when not nil) reports the reader has
	// already: only their IDs are returned, with a zero Reply. IDs only grow,
	// so a reader that remembers the last ID it saw reads each row once.
	PendingAfter(ctx context.Context, platform string, after int64, limit int, skip func(id int64) bool) ([]Outgoing, error)
	// MarkSending records, just before a proactive row is sent, that it may
	// arrive: a row a crash leaves in this state is not pending, so it is
	// never sent again. Proactive messages go at most once across a crash,
	// answers (which skip this step) at least once.
	MarkSending(ctx context.Context, id int64) error
	// MarkPending makes a row MarkSending took pending again, after a send
	// that failed and will be retried.
	MarkPending(ctx context.Context, id int64) error
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
	// ChatPerSecond and ChatBurst bound sends to one chat (Telegram: about 1/s,
	// with short bursts): a token bucket per chat, so the few replies of one
	// turn leave at once while a flooded chat stays under the limit. Zero
	// ChatPerSecond means unlimited; ChatBurst defaults to 1.
	ChatPerSecond float64
	ChatBurst     int
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
	if l.ChatBurst <= 0 {
		l.ChatBurst = 1
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

// maxBackoff caps the delay between retries of one row.
const maxBackoff = 5 * time.Minute

// Dispatcher delivers outbox rows: in order per chat, one in flight per chat, at
// the pace each platform allows, retrying what can be retried. Within the
// platform's overall budget, answers to what somebody just wrote go first;
// proactive messages (invitations, digests) take what is left, one chat after
// another in the order they were queued, so a wave of invitations never keeps
// a conversation waiting. Delivery is at least once for answers: a row is
// marked sent only after the platform accepted it, so a crash between the two
// sends it again after restart. Proactive rows are marked as being sent first,
// so a crash never sends one twice. While running, nothing is sent twice.
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
		chats:    make(map[string]*chatState),
		held:     make(map[string]time.Time),
		attempts: make(map[int64]int),
		chatRate: make(map[string]*rate.Limiter),
		work:     make(chan job, l.Workers),
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

// maxLater bounds the sends Later keeps waiting per chat.
const maxLater = 8

// Later queues a send that is not in the outbox, such as the edit that shows
// which button was pressed, for a chat (a qualified ID). It leaves within the
// chat's pace once nothing else is queued for the chat, and only when the
// chat's bucket keeps a token for the next reply, so it never delays an
// answer. It is not durable: a send still queued at shutdown is dropped. A
// send that fails with *RetryAfterError is tried again after the wait; other
// failures are the send's own to log. Of a chat's waiting sends only the
// newest few are kept.
func (d *Dispatcher) Later(chat string, send func(ctx context.Context) error) {
	platform, _, err := SplitID(chat)
	ln := d.lanes[platform]
	if err != nil || ln == nil || ln.limits.OnDemand {
		return
	}
	ln.mu.Lock()
	cs := ln.chatLocked(chat)
	if len(cs.later) >= maxLater && !cs.busy {
		// Somebody tapping faster than the chat's pace: the oldest waiting
		// send (the oldest keyboard's edit) matters least.
		cs.later = append(cs.later[:0], cs.later[1:]...)
	}
	cs.later = append(cs.later, send)
	ln.readyLocked(chat, cs)
	ln.mu.Unlock()
	ln.poke()
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
			if o, _ := ln.deliver(ctx, row); o == sent {
				ln.markSent(ctx)
			}
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
}

// Drain waits until every row the lanes hold is delivered (or given up), or
// until ctx ends, whichever comes first; it reports how many rows were left.
// Shutdown calls it with a grace period after the platforms stopped taking
// updates, then Close.
func (d *Dispatcher) Drain(ctx context.Context) (left int) {
	t := time.NewTicker(10 * time.Millisecond)
	defer t.Stop()
	for {
		left = 0
		for _, ln := range d.lanes {
			if !ln.limits.OnDemand {
				left += ln.queued()
			}
		}
		if left == 0 {
			return 0
		}
		select {
		case <-ctx.Done():
			return left
		case <-t.C:
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
// other processes wrote), into a queue per chat. One goroutine picks what goes
// next, taking the tokens of the platform's and the chat's pace as it does:
// a chat with an answer queued before every chat with only proactive rows,
// and within each class the chat that became ready first. Workers send.
type lane struct {
	d        *Dispatcher
	platform string
	sender   Sender
	limits   Limits
	global   *rate.Limiter
	kick     chan struct{} // read the outbox now
	wakeup   chan struct{} // chats became ready, or a send finished
	marks    chan struct{} // sent rows wait to be recorded
	work     chan job      // picked sends, for the workers; never full
	logger   *slog.Logger
	flushMu  sync.Mutex // one Flush at a time

	mu sync.Mutex
	// cursor and known say which rows the lane has taken in: every row up to
	// cursor, and those in known above it (offered, or read ahead).
	cursor   int64
	known    map[int64]struct{}
	topKnown int64 // the highest ID in known
	chats    map[string]*chatState
	// ready lists chats that can send now: answers first, then proactive rows.
	ready    [2]readyList
	epoch    uint64
	held     map[string]time.Time // chats waiting for a token or a retry delay
	nextHeld time.Time            // the earliest time in held; zero when empty
	inflight int
	attempts map[int64]int
	chatRate map[string]*rate.Limiter
	pruneAt  int     // the size of chatRate at which full buckets are dropped
	rows     int     // rows queued over all chats, in flight included
	sent     []int64 // delivered, not yet marked sent
}

// chatState is what one chat has queued. It exists while the chat has rows,
// later sends, a send in flight or a hold.
type chatState struct {
	rows    []Outgoing // oldest first; the head is in flight while busy
	answers int        // rows that answer somebody (not proactive)
	later   []func(context.Context) error
	busy    bool
	held    bool
	// waitsForLater says the hold is only for a later send's spare token: a
	// row arriving ends it.
	waitsForLater bool
	// listed is the class of its entry in a ready list (0 none), and entry
	// that entry's epoch: entries with another epoch are stale.
	listed class
	entry  uint64
}

// class orders what is ready: answers before proactive messages.
type class int

const (
	unlisted class = iota
	answering
	proactive
)

// readyList is a FIFO of chats.
type readyList struct {
	items []readyItem
	head  int
}

type readyItem struct {
	chat  string
	epoch uint64
}

func (r *readyList) push(it readyItem) { r.items = append(r.items, it) }

func (r *readyList) peek() (readyItem, bool) {
	if r.head == len(r.items) {
		return readyItem{}, false
	}
	return r.items[r.head], true
}

func (r *readyList) pop() {
	r.items[r.head] = readyItem{}
	r.head++
	if r.head == len(r.items) {
		r.items, r.head = r.items[:0], 0
	} else if r.head > 1024 && r.head > len(r.items)/2 {
		r.items = append(r.items[:0], r.items[r.head:]...)
		r.head = 0
	}
}

// job is one send a worker makes: an outbox row, or a send queued by Later.
type job struct {
	chat  string
	row   Outgoing
	later func(context.Context) error
}

func (ln *lane) poke() {
	select {
	case ln.wakeup <- struct{}{}:
	default:
	}
}

// queued counts the rows the lane holds, in flight included.
func (ln *lane) queued() int {
	ln.mu.Lock()
	defer ln.mu.Unlock()
	return ln.rows
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

func (ln *lane) chatLocked(chat string) *chatState {
	cs := ln.chats[chat]
	if cs == nil {
		cs = &chatState{}
		ln.chats[chat] = cs
	}
	return cs
}

// takeLocked queues a row unless the lane has it already.
func (ln *lane) takeLocked(row Outgoing) {
	if ln.hasLocked(row.ID) {
		return
	}
	ln.known[row.ID] = struct{}{}
	ln.topKnown = max(ln.topKnown, row.ID)
	chat := row.Reply.ChatID
	cs := ln.chatLocked(chat)
	cs.rows = append(cs.rows, row)
	if !row.Proactive() {
		cs.answers++
	}
	ln.rows++
	if cs.held && cs.waitsForLater {
		delete(ln.held, chat) // nextHeld may now be early: releaseLocked copes
		cs.held, cs.waitsForLater = false, false
	}
	ln.readyLocked(chat, cs)
}

// readyLocked lists the chat as ready when it has something to send and
// nothing stops it, in the class of what it has queued. A chat listed as
// proactive that now has an answer queued is listed again, among answers: its
// answer waits behind its proactive rows, so those go first too.
func (ln *lane) readyLocked(chat string, cs *chatState) {
	if cs.busy || cs.held {
		return
	}
	var c class
	switch {
	case cs.answers > 0, len(cs.rows) == 0 && len(cs.later) > 0:
		c = answering
	case len(cs.rows) > 0:
		c = proactive
	default:
		return
	}
	if cs.listed != unlisted && cs.listed <= c {
		return
	}
	ln.epoch++
	cs.listed, cs.entry = c, ln.epoch
	ln.ready[c-1].push(readyItem{chat: chat, epoch: ln.epoch})
}

// holdLocked keeps a chat from sending until the given time.
func (ln *lane) holdLocked(chat string, cs *chatState, until time.Time) {
	cs.held, cs.listed, cs.waitsForLater = true, unlisted, false
	ln.held[chat] = until
	if ln.nextHeld.IsZero() || until.Before(ln.nextHeld) {
		ln.nextHeld = until
	}
}

// releaseLocked lists the chats whose hold is over.
func (ln *lane) releaseLocked(now time.Time) {
	if ln.nextHeld.IsZero() || now.Before(ln.nextHeld) {
		return
	}
	ln.nextHeld = time.Time{}
	for chat, until := range ln.held {
		if now.Before(until) {
			if ln.nextHeld.IsZero() || until.Before(ln.nextHeld) {
				ln.nextHeld = until
			}
			continue
		}
		delete(ln.held, chat)
		if cs := ln.chats[chat]; cs != nil {
			cs.held, cs.waitsForLater = false, false
			ln.readyLocked(chat, cs)
			ln.forgetLocked(chat, cs)
		}
	}
}

// forgetLocked drops the state of a chat that has nothing left.
func (ln *lane) forgetLocked(chat string, cs *chatState) {
	if len(cs.rows) == 0 && len(cs.later) == 0 && !cs.busy && !cs.held {
		delete(ln.chats, chat)
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
		sleep := min(ln.pick(now), readAt.Sub(now))
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
		timer.Reset(max(sleep, 100*time.Microsecond))
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

// pick hands workers what may go now: ready chats in order of class and
// arrival, each within its own pace and the platform's. A chat out of tokens
// is held until its next token; when the platform is out of tokens, picking
// stops until the next. It returns how long until something may change.
func (ln *lane) pick(now time.Time) time.Duration {
	sleep := idlePoll
	ln.mu.Lock()
	defer ln.mu.Unlock()
	ln.releaseLocked(now)
	for ln.inflight < ln.limits.Workers {
		chat, c, ok := ln.nextLocked()
		if !ok {
			break
		}
		cs := ln.chats[chat]
		lim := ln.chatLimiterLocked(chat, now)
		if lim != nil {
			need := 1.0
			if len(cs.rows) == 0 { // a later send keeps a token for the next answer
				need = min(2, float64(lim.Burst()))
			}
			if tokens := lim.TokensAt(now); tokens < need {
				ln.ready[c-1].pop()
				ln.holdLocked(chat, cs, now.Add(tokenWait(need-tokens, lim.Limit())))
				cs.waitsForLater = len(cs.rows) == 0
				continue
			}
		}
		if ln.global != nil {
			if tokens := ln.global.TokensAt(now); tokens < 1 {
				sleep = min(sleep, tokenWait(1-tokens, ln.global.Limit()))
				break // the chat keeps its place
			}
			ln.global.AllowN(now, 1)
		}
		if lim != nil {
			lim.AllowN(now, 1)
		}
		ln.ready[c-1].pop()
		cs.busy, cs.listed = true, unlisted
		ln.inflight++
		j := job{chat: chat}
		if len(cs.rows) > 0 {
			j.row = cs.rows[0]
		} else {
			j.later = cs.later[0]
		}
		ln.work <- j // room for every worker: never blocks
	}
	if !ln.nextHeld.IsZero() {
		sleep = min(sleep, ln.nextHeld.Sub(now))
	}
	return sleep
}

// nextLocked returns the first ready chat, answers first, dropping stale
// entries on the way.
func (ln *lane) nextLocked() (string, class, bool) {
	for c := answering; c <= proactive; c++ {
		r := &ln.ready[c-1]
		for {
			it, ok := r.peek()
			if !ok {
				break
			}
			if cs := ln.chats[it.chat]; cs != nil && cs.listed == c && cs.entry == it.epoch {
				return it.chat, c, true
			}
			r.pop()
		}
	}
	return "", unlisted, false
}

func tokenWait(tokens float64, per rate.Limit) time.Duration {
	return time.Duration(tokens / float64(per) * float64(time.Second))
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

// worker sends what pick hands it until ctx ends. Workers live as long as the
// lane, so the stack a send grows is kept for the next.
func (ln *lane) worker(ctx context.Context) {
	for {
		select {
		case j := <-ln.work:
			var o outcome
			var wait time.Duration
			if j.later != nil {
				o, wait = ln.sendLater(ctx, j)
			} else {
				o, wait = ln.deliver(ctx, j.row)
			}
			ln.finish(j, o, wait)
		case <-ctx.Done():
			return
		}
	}
}

// sendLater makes a send queued by Later; only a rate limit keeps it queued.
func (ln *lane) sendLater(ctx context.Context, j job) (outcome, time.Duration) {
	if ctx.Err() != nil {
		return retry, 0
	}
	sendCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), sendGrace)
	err := j.later(sendCtx)
	cancel()
	var after *RetryAfterError
	if errors.As(err, &after) {
		return retry, after.After
	}
	return finished, 0
}

// finish records a send's outcome: the chat is free again, and unless the
// send waits out a retry, the chat's next send is ready.
func (ln *lane) finish(j job, o outcome, wait time.Duration) {
	ln.mu.Lock()
	ln.inflight--
	cs := ln.chats[j.chat]
	cs.busy = false
	if o != retry {
		if j.later != nil {
			cs.later[0] = nil
			cs.later = cs.later[1:]
		} else {
			cs.rows[0] = Outgoing{}
			cs.rows = cs.rows[1:]
			ln.rows--
			if !j.row.Proactive() {
				cs.answers--
			}
		}
	}
	if o == retry && wait > 0 {
		ln.holdLocked(j.chat, cs, ln.d.now().Add(wait))
	} else {
		ln.readyLocked(j.chat, cs)
	}
	ln.forgetLocked(j.chat, cs)
	ln.mu.Unlock()
	if o == sent {
		select {
		case ln.marks <- struct{}{}:
		default:
		}
	}
	ln.poke()
}

// outcome is what became of one send.
type outcome int

const (
	sent     outcome = iota // accepted; to be marked sent
	finished                // given up on, already recorded
	retry                   // stays at the head of its queue
)

// deliver sends one row, whose turn the lane's pace has given it, and records
// what happened, except success, which the caller batches. A retry comes with
// how long to wait first.
func (ln *lane) deliver(ctx context.Context, row Outgoing) (outcome, time.Duration) {
	chat := row.Reply.ChatID
	if ctx.Err() != nil {
		return retry, 0
	}
	record := context.WithoutCancel(ctx)
	if row.Proactive() {
		if err := ln.d.outbox.MarkSending(record, row.ID); err != nil {
			ln.logger.Error("mark sending", "outbox_id", row.ID, "err", err)
			return ln.failed(row, err)
		}
	}
	// A send that has started finishes even at shutdown: cancelling it half-way
	// could leave a message delivered but not marked, sent again after restart.
	sendCtx, cancel := context.WithTimeout(record, sendGrace)
	err := ln.sender.Send(sendCtx, row.Reply)
	cancel()
	var after *RetryAfterError
	var perm *PermanentError
	switch {
	case err == nil:
		ln.mu.Lock()
		delete(ln.attempts, row.ID)
		ln.sent = append(ln.sent, row.ID)
		ln.mu.Unlock()
		return sent, 0
	case errors.Is(err, ErrUnreachable):
		ln.logger.Info("chat unreachable, pausing proactive messages", "chat", chat)
		if err := ln.d.outbox.MarkUnreachable(record, row.ID, chat); err != nil {
			ln.logger.Error("mark unreachable", "outbox_id", row.ID, "err", err)
		}
	case errors.As(err, &perm):
		ln.logger.Error("send refused, giving up", "chat", chat, "outbox_id", row.ID, "err", err)
		ln.giveUp(record, row, err)
	case ctx.Err() != nil:
		ln.unmark(record, row)
		return retry, 0 // shutting down: the row stays pending and goes after restart
	case errors.As(err, &after):
		ln.logger.Warn("rate limited", "chat", chat, "retry_after", after.After)
		ln.unmark(record, row)
		return retry, after.After
	default:
		return ln.failed(row, err)
	}
	ln.mu.Lock()
	delete(ln.attempts, row.ID)
	ln.mu.Unlock()
	return finished, 0
}

// failed counts a transient failure: the row is retried after a backoff, or
// given up after too many attempts.
func (ln *lane) failed(row Outgoing, err error) (outcome, time.Duration) {
	record := context.Background()
	ln.mu.Lock()
	ln.attempts[row.ID]++
	n := ln.attempts[row.ID]
	if n >= ln.limits.MaxAttempts {
		delete(ln.attempts, row.ID)
	}
	ln.mu.Unlock()
	if n < ln.limits.MaxAttempts {
		delay := Backoff(ln.limits.Backoff, maxBackoff, n)
		ln.logger.Warn("send failed, will retry", "chat", row.Reply.ChatID, "attempt", n, "retry_in", delay, "err", err)
		ln.unmark(record, row)
		return retry, delay
	}
	ln.logger.Error("send failed, giving up", "chat", row.Reply.ChatID, "outbox_id", row.ID, "attempts", n, "err", err)
	ln.giveUp(record, row, err)
	return finished, 0
}

// unmark makes a proactive row pending again after a send that did not
// arrive, so a crash before the retry does not lose it.
func (ln *lane) unmark(ctx context.Context, row Outgoing) {
	if !row.Proactive() {
		return
	}
	if err := ln.d.outbox.MarkPending(ctx, row.ID); err != nil {
		ln.logger.Error("mark pending", "outbox_id", row.ID, "err", err)
	}
}

func (ln *lane) giveUp(ctx context.Context, row Outgoing, err error) {
	if err := ln.d.outbox.MarkFailed(ctx, row.ID, err.Error()); err != nil {
		ln.logger.Error("mark failed", "outbox_id", row.ID, "err", err)
	}
}

// chatLimiterLocked returns the chat's token bucket, creating it on first use.
// Buckets that have refilled completely carry no state worth keeping and are
// dropped when the map grows, so memory follows active chats only.
func (ln *lane) chatLimiterLocked(chat string, now time.Time) *rate.Limiter {
	if ln.limits.ChatPerSecond <= 0 {
		return nil
	}
	lim := ln.chatRate[chat]
	if lim == nil {
		if len(ln.chatRate) >= max(ln.pruneAt, 4096) {
			for c, l := range ln.chatRate {
				if l.TokensAt(now) >= float64(l.Burst()) {
					delete(ln.chatRate, c)
				}
			}
			ln.pruneAt = 2 * len(ln.chatRate) // prune again once the map doubled
		}
		lim = rate.NewLimiter(rate.Limit(ln.limits.ChatPerSecond), ln.limits.ChatBurst)
		ln.chatRate[chat] = lim
	}
	return lim
}
