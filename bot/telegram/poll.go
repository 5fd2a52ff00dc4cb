package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/coachbot/coachbot/bot"
)

// pollLimit is the most updates one getUpdates call returns (Telegram's maximum).
const pollLimit = 100

// removeTimeout bounds removing handled batches from the inbox once the
// adapter is stopping.
const removeTimeout = 5 * time.Second

// pollDepth is how many responses may be in handling at once. The next
// getUpdates goes out as soon as a response is stored, so receiving overlaps
// handling; past this depth the poller waits, and Telegram keeps the rest.
const pollDepth = 2

// poll receives updates by long polling until ctx is cancelled. Each response
// is stored in the inbox with the offset after it before anything else, so the
// next getUpdates may confirm it to Telegram at once while it is handled in the
// background: each chat's updates in order, chats in parallel. A batch leaves
// the inbox once every update in it is handled; one left there by a crash is
// handled again at start, and the engine drops what it already handled by
// UpdateID.
func (a *Adapter) poll(ctx context.Context, h bot.Handler) error {
	err := a.retry(ctx, "deleteWebhook", func() error {
		_, err := a.api(ctx, requestTimeout).Request(tgbotapi.DeleteWebhookConfig{})
		return err
	})
	if err != nil || ctx.Err() != nil {
		return err
	}
	name := a.offsetName()
	offset, err := a.inbox.Offset(ctx, name)
	if err != nil {
		return fmt.Errorf("telegram: load offset: %w", err)
	}
	p := newPipeline(ctx, a, h)
	defer p.close()
	if err := a.replay(ctx, p); err != nil {
		return err
	}
	a.log.Info("polling for updates", "bot", a.Username(), "offset", offset)

	cfg := tgbotapi.UpdateConfig{
		Limit:          pollLimit,
		Timeout:        max(1, int(a.cfg.PollTimeout.Round(time.Second)/time.Second)),
		AllowedUpdates: allowedUpdates(),
	}
	for ctx.Err() == nil {
		if !p.room(ctx) {
			break
		}
		cfg.Offset = int(offset)
		var raw json.RawMessage
		var updates []tgbotapi.Update
		err := a.retry(ctx, "getUpdates", func() error {
			resp, err := a.api(ctx, a.cfg.PollTimeout+pollGrace).Request(cfg)
			if err != nil {
				return err
			}
			raw, updates = resp.Result, nil
			return json.Unmarshal(raw, &updates)
		})
		if err != nil {
			return err
		}
		if len(updates) == 0 {
			continue
		}
		next := int64(updates[len(updates)-1].UpdateID) + 1
		var id int64
		err = a.retry(ctx, "store updates", func() error {
			var err error
			id, err = a.inbox.Receive(ctx, name, next, raw)
			return err
		})
		if err != nil || ctx.Err() != nil {
			return err // not stored: Telegram sends the batch again after restart
		}
		offset = next
		p.add(id, updates, true)
	}
	return nil
}

// replay hands p the batches stored before the restart and not yet handled.
func (a *Adapter) replay(ctx context.Context, p *pipeline) error {
	unhandled, err := a.inbox.Unhandled(ctx, a.offsetName())
	if err != nil {
		return fmt.Errorf("telegram: load unhandled updates: %w", err)
	}
	for _, b := range unhandled {
		var updates []tgbotapi.Update
		if err := json.Unmarshal(b.Data, &updates); err != nil {
			a.log.Error("stored updates unreadable, dropping them", "batch", b.ID, "error", err)
			p.finish(b.ID)
			continue
		}
		a.log.Info("handling updates received before the restart", "batch", b.ID, "updates", len(updates))
		p.add(b.ID, updates, false)
	}
	return nil
}

// pipeline handles stored batches in the background and removes each from the
// inbox once all its updates are handled.
type pipeline struct {
	ctx   context.Context
	a     *Adapter
	h     bot.Handler
	chats bot.Chats
	slots chan struct{} // one per batch in handling

	mu       sync.Mutex
	left     map[int64]int  // updates of each batch not yet handled
	cut      map[int64]bool // batches cut short by shutdown: they stay stored
	finished []int64        // batches to remove from the inbox
	wake     chan struct{}
	remover  sync.WaitGroup
}

func newPipeline(ctx context.Context, a *Adapter, h bot.Handler) *pipeline {
	p := &pipeline{
		ctx: ctx, a: a, h: h,
		slots: make(chan struct{}, pollDepth),
		left:  make(map[int64]int),
		cut:   make(map[int64]bool),
		wake:  make(chan struct{}, 1),
	}
	p.remover.Go(p.removeLoop)
	return p
}

// room waits until another batch may be taken in, reporting false when ctx
// ended first.
func (p *pipeline) room(ctx context.Context) bool {
	select {
	case p.slots <- struct{}{}:
		<-p.slots // taken for real by add
		return true
	case <-ctx.Done():
		return false
	}
}

// add queues a stored batch's updates. live says the batch has just arrived;
// a batch stored before a restart has presses too old to answer.
func (p *pipeline) add(id int64, updates []tgbotapi.Update, live bool) {
	var ins []inbound
	for _, u := range updates {
		if in, ok := p.a.translate(u); ok {
			ins = append(ins, in)
		}
	}
	if len(ins) == 0 {
		p.finish(id)
		return
	}
	p.slots <- struct{}{}
	p.mu.Lock()
	p.left[id] = len(ins)
	p.mu.Unlock()
	for _, in := range ins {
		p.chats.Go(in.msg.ChatID, func() {
			if live && in.callback != nil {
				p.a.answerPress(p.ctx, in.callback)
			}
			err := p.h.Handle(p.ctx, in.msg)
			if live && in.callback != nil && err == nil {
				// After the handling, so the next question is queued first.
				p.a.showChoice(p.ctx, in.callback)
			}
			p.done(id, err)
		})
	}
}

// done counts one handled update of batch id. A failure of the update itself
// does not keep the batch (a poison update must not come back forever; the
// engine logs it), but one caused by shutdown does.
func (p *pipeline) done(id int64, err error) {
	p.mu.Lock()
	if err != nil && p.ctx.Err() != nil {
		p.cut[id] = true
	}
	p.left[id]--
	last := p.left[id] == 0
	cut := p.cut[id]
	if last {
		delete(p.left, id)
		delete(p.cut, id)
	}
	p.mu.Unlock()
	if !last {
		return
	}
	<-p.slots
	if !cut {
		p.finish(id)
	}
}

// finish marks a batch for removal from the inbox.
func (p *pipeline) finish(id int64) {
	p.mu.Lock()
	p.finished = append(p.finished, id)
	p.mu.Unlock()
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// removeLoop removes finished batches from the inbox, all that are waiting in
// one write, until the pipeline closes.
func (p *pipeline) removeLoop() {
	for {
		_, open := <-p.wake
		p.mu.Lock()
		ids := p.finished
		p.finished = nil
		p.mu.Unlock()
		if len(ids) > 0 {
			ctx, cancel := context.WithTimeout(context.WithoutCancel(p.ctx), removeTimeout)
			if err := p.a.inbox.Handled(ctx, ids); err != nil {
				p.a.log.Error("remove handled updates", "batches", len(ids), "error", err)
			}
			cancel()
		}
		if !open {
			return
		}
	}
}

// close waits for the updates in handling, then removes what finished.
func (p *pipeline) close() {
	p.chats.Wait()
	close(p.wake)
	p.remover.Wait()
}

// retry calls fn until it succeeds, ctx is cancelled (nil is returned then, as Run
// returns nil on shutdown) or the token is rejected. It waits as long as a 429 asks,
// and backs off with jitter after other failures.
func (a *Adapter) retry(ctx context.Context, method string, fn func() error) error {
	for failures := 1; ; failures++ {
		err := fn()
		a.health.called(method, err, time.Now())
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return nil
		}
		var apiErr *tgbotapi.Error
		if errors.As(err, &apiErr) && (apiErr.Code == http.StatusUnauthorized || apiErr.Code == http.StatusNotFound) {
			return fmt.Errorf("telegram: token rejected by %s: %s", method, apiErr.Message)
		}
		wait := a.backoff(err, failures)
		a.log.Warn("telegram call failed, retrying", "method", method, "attempt", failures, "retry_in", wait, "error", err)
		if !sleep(ctx, wait) {
			return nil
		}
	}
}

// backoff is how long to wait after the given consecutive failure: what Telegram
// asked for on a 429, else an exponential delay with jitter, so many bots restarting
// together do not hammer the API in step.
func (a *Adapter) backoff(err error, failures int) time.Duration {
	var apiErr *tgbotapi.Error
	if errors.As(err, &apiErr) && apiErr.RetryAfter > 0 {
		return time.Duration(apiErr.RetryAfter) * time.Second
	}
	return bot.Backoff(a.minBackoff, a.maxBackoff, failures)
}

// sleep waits for d or until ctx is cancelled, reporting whether it waited fully.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
