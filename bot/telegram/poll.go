package telegram

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/coachbot/coachbot/bot"
)

// pollLimit is the most updates one getUpdates call returns (Telegram's maximum).
const pollLimit = 100

// offsetSaveTimeout bounds saving the offset after a batch that finished just as
// the adapter was stopping.
const offsetSaveTimeout = 5 * time.Second

// poll receives updates by long polling until ctx is cancelled. Each response is
// handled as one batch (chats in parallel, each chat in order), and only then is
// the offset that confirms it saved: a crash in between fetches the batch again,
// and the engine drops what it already handled by UpdateID.
func (a *Adapter) poll(ctx context.Context, h bot.Handler) error {
	err := a.retry(ctx, "deleteWebhook", func() error {
		_, err := a.api(ctx, requestTimeout).Request(tgbotapi.DeleteWebhookConfig{})
		return err
	})
	if err != nil || ctx.Err() != nil {
		return err
	}
	offset, err := a.loadOffset(ctx)
	if err != nil {
		return err
	}
	a.log.Info("polling for updates", "bot", a.Username(), "offset", offset)

	cfg := tgbotapi.UpdateConfig{
		Limit:          pollLimit,
		Timeout:        max(1, int(a.cfg.PollTimeout.Round(time.Second)/time.Second)),
		AllowedUpdates: allowedUpdates(),
	}
	// The offset is saved in the background: the next getUpdates confirms the
	// batch to Telegram anyway, and a crash before the save only fetches the
	// batch again, which the engine's dedupe absorbs. Waiting for the save
	// would put a commit between every two polls.
	saves := make(chan int64, 1)
	saved := make(chan struct{})
	go func() {
		defer close(saved)
		for o := range saves {
			a.saveOffset(ctx, o)
		}
	}()
	defer func() {
		close(saves)
		<-saved
	}()
	for ctx.Err() == nil {
		cfg.Offset = int(offset)
		var updates []tgbotapi.Update
		err := a.retry(ctx, "getUpdates", func() error {
			var err error
			updates, err = a.api(ctx, a.cfg.PollTimeout+pollGrace).GetUpdates(cfg)
			return err
		})
		if err != nil {
			return err
		}
		if len(updates) == 0 {
			continue
		}
		done := a.handleBatch(ctx, h, updates)
		if !done {
			return nil
		}
		offset = int64(updates[len(updates)-1].UpdateID) + 1
		select { // keep only the newest offset waiting
		case <-saves:
		default:
		}
		saves <- offset
	}
	return nil
}

// handleBatch hands one response to the handler. It reports whether the offset may
// move past the batch: yes when every update was handled, and also when some failed
// on their own (a poison update must not block the chat forever; the engine logs its
// failures), but not when the adapter is stopping and the batch may be cut short.
func (a *Adapter) handleBatch(ctx context.Context, h bot.Handler, updates []tgbotapi.Update) bool {
	msgs := make([]bot.Message, 0, len(updates))
	presses := make(map[string]*tgbotapi.CallbackQuery)
	for _, u := range updates {
		in, ok := a.translate(u)
		if !ok {
			continue
		}
		msgs = append(msgs, in.msg)
		if in.callback != nil {
			presses[in.msg.UpdateID] = in.callback
		}
	}
	err := bot.HandleBatch(ctx, pressHandler{a: a, next: h, presses: presses}, msgs)
	if err == nil {
		return true
	}
	if ctx.Err() != nil {
		return false
	}
	failed := 1
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		failed = len(joined.Unwrap())
	}
	a.log.Warn("updates failed, moving on", "updates", len(msgs), "failed_chats", failed)
	return true
}

// pressHandler answers the button presses of one batch before the handler sees
// them, in the chat's turn, so the press is acknowledged right before it is handled.
type pressHandler struct {
	a       *Adapter
	next    bot.Handler
	presses map[string]*tgbotapi.CallbackQuery // read-only during the batch
}

func (p pressHandler) Handle(ctx context.Context, m bot.Message) error {
	if q := p.presses[m.UpdateID]; q != nil {
		p.a.acknowledge(ctx, q)
	}
	return p.next.Handle(ctx, m)
}

func (a *Adapter) loadOffset(ctx context.Context) (int64, error) {
	if a.offsets == nil {
		return 0, nil
	}
	offset, err := a.offsets.Offset(ctx, a.offsetName())
	if err != nil {
		return 0, fmt.Errorf("telegram: load offset: %w", err)
	}
	return offset, nil
}

// saveOffset stores the offset even when ctx was cancelled right after the batch
// finished, so a handled batch is not fetched again needlessly. A failure is logged
// and the next batch's save catches up.
func (a *Adapter) saveOffset(ctx context.Context, offset int64) {
	if a.offsets == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), offsetSaveTimeout)
	defer cancel()
	if err := a.offsets.SetOffset(ctx, a.offsetName(), offset); err != nil {
		a.log.Error("save offset failed", "offset", offset, "error", err)
	}
}

// retry calls fn until it succeeds, ctx is cancelled (nil is returned then, as Run
// returns nil on shutdown) or the token is rejected. It waits as long as a 429 asks,
// and backs off with jitter after other failures.
func (a *Adapter) retry(ctx context.Context, method string, fn func() error) error {
	for failures := 1; ; failures++ {
		err := fn()
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
	d := a.minBackoff
	for i := 1; i < failures && d < a.maxBackoff; i++ {
		d *= 2
	}
	d = min(d, a.maxBackoff)
	return d/2 + rand.N(d/2+1)
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
