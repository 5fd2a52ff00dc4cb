package telegram

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
)

// health is what the adapter knows of its link to Telegram: connected once
// polling began (deleteWebhook, then each getUpdates, answered) or setWebhook
// was accepted (webhook), and no longer after such a call failed, until one
// succeeds again.
type health struct {
	mu      sync.Mutex
	running bool
	ok      bool
	problem string
	last    time.Time // when a receiving call last answered
}

// called records the outcome of one receiving call (getUpdates, setWebhook,
// deleteWebhook).
func (h *health) called(method string, err error, now time.Time) {
	switch method {
	case "getUpdates", "setWebhook", "deleteWebhook":
	default:
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if err != nil {
		h.ok, h.problem = false, fmt.Sprintf("%s failed: %s", method, strings.Join(strings.Fields(err.Error()), " "))
		return
	}
	h.last, h.ok, h.problem = now, true, ""
}

// run records that Run started (true) or returned (false).
func (h *health) run(on bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.running, h.ok, h.problem, h.last = on, false, "", time.Time{}
}

// Ready reports whether the adapter is receiving: Run is running, and the last
// call to Telegram answered (polling; no answer for well over two long polls
// counts as lost) or the webhook is registered. The error says why not.
func (a *Adapter) Ready(context.Context) error {
	h := &a.health
	h.mu.Lock()
	defer h.mu.Unlock()
	switch {
	case !h.running:
		return errors.New("not receiving")
	case h.problem != "":
		return errors.New(h.problem)
	case !h.ok && a.cfg.Mode == ModeWebhook:
		return errors.New("webhook not registered yet")
	case !h.ok:
		return errors.New("connecting")
	}
	if a.cfg.Mode == ModePolling {
		if quiet := time.Since(h.last); quiet > 2*(a.cfg.PollTimeout+pollGrace) {
			return fmt.Errorf("Telegram has not answered for %s", quiet.Round(time.Second))
		}
	}
	return nil
}

// WebhookInfo is what Telegram says about the bot's webhook.
type WebhookInfo struct {
	// URL is the registered webhook; empty when the bot polls.
	URL string
	// PendingUpdates is how many updates wait for delivery.
	PendingUpdates int
	// LastError is Telegram's last failure to deliver to the webhook, and
	// LastErrorAt when it happened; empty and zero when none.
	LastError   string
	LastErrorAt time.Time
}

// WebhookInfo asks Telegram about the webhook (getWebhookInfo), for checking a
// deployment.
func (a *Adapter) WebhookInfo(ctx context.Context) (WebhookInfo, error) {
	info, err := a.api(ctx, requestTimeout).GetWebhookInfo()
	if err != nil {
		return WebhookInfo{}, fmt.Errorf("telegram: getWebhookInfo: %w", classify(err))
	}
	w := WebhookInfo{URL: info.URL, PendingUpdates: info.PendingUpdateCount, LastError: info.LastErrorMessage}
	if info.LastErrorDate > 0 {
		w.LastErrorAt = time.Unix(int64(info.LastErrorDate), 0)
	}
	return w, nil
}
