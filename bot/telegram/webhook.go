package telegram

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/coachbot/coachbot/bot"
)

// secretHeader carries the webhook secret on every request Telegram makes.
const secretHeader = "X-Telegram-Bot-Api-Secret-Token"

// maxUpdateBytes bounds a webhook request body; real updates of a text bot are a
// few kilobytes.
const maxUpdateBytes = 1 << 20

// serveWebhook registers the webhook with Telegram and serves it until ctx is
// cancelled. Each request is answered only after the handler returned, so a
// failure (500) makes Telegram deliver the update again.
func (a *Adapter) serveWebhook(ctx context.Context, h bot.Handler) error {
	// Updates polled and stored before a switch to webhooks are handled first.
	p := newPipeline(ctx, a, h)
	err := a.replay(ctx, p)
	p.close()
	if err != nil || ctx.Err() != nil {
		return err
	}
	ln := a.listener
	if ln == nil {
		var err error
		ln, err = (&net.ListenConfig{}).Listen(ctx, "tcp", a.cfg.Listen)
		if err != nil {
			return fmt.Errorf("telegram: webhook.listen %s: %w", a.cfg.Listen, err)
		}
	}
	srv := &http.Server{
		Handler:           a.webhookMux(h),
		BaseContext:       func(net.Listener) context.Context { return ctx },
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(a.log.Handler(), slog.LevelWarn),
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	// Telegram refusing the webhook (400: a URL it cannot reach or will not
	// call, a bad secret) is a setting to fix, not a failure to retry.
	var refused error
	regCtx, stopRetrying := context.WithCancel(ctx)
	err = a.retry(regCtx, "setWebhook", func() error {
		allowed, err := json.Marshal(allowedUpdates())
		if err != nil {
			return err
		}
		_, err = a.api(ctx, requestTimeout).MakeRequest("setWebhook", tgbotapi.Params{
			"url":             a.cfg.PublicURL,
			"secret_token":    a.cfg.Secret,
			"allowed_updates": string(allowed),
		})
		var apiErr *tgbotapi.Error
		if errors.As(err, &apiErr) && apiErr.Code == http.StatusBadRequest {
			refused = fmt.Errorf("telegram: setWebhook refused for webhook.public_url %s: %s", a.cfg.PublicURL, apiErr.Message)
			stopRetrying()
		}
		return err
	})
	stopRetrying()
	if refused != nil {
		err = refused
	}
	if err == nil && ctx.Err() == nil {
		a.log.Info("webhook registered", "bot", a.Username(), "listen", ln.Addr().String())
		select {
		case <-ctx.Done():
		case err = <-served:
			return fmt.Errorf("telegram: webhook server: %w", err)
		}
	}
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
	defer cancel()
	if serr := srv.Shutdown(shutdownCtx); serr != nil {
		a.log.Warn("webhook shutdown incomplete", "error", serr)
	}
	if serr := <-served; !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = fmt.Errorf("telegram: webhook server: %w", serr)
	}
	return err
}

// webhookMux routes WebhookPath and the path of PublicURL to the update handler.
func (a *Adapter) webhookMux(h bot.Handler) http.Handler {
	wh := &webhook{a: a, next: bot.Ordered(h)}
	mux := http.NewServeMux()
	mux.Handle(WebhookPath, wh)
	if u, err := url.Parse(a.cfg.PublicURL); err == nil && u.Path != "" && u.Path != "/" && u.Path != WebhookPath {
		mux.Handle(u.Path, wh)
	}
	return mux
}

// webhook handles Telegram's update requests. next is ordered per chat, since
// Telegram may post several updates of one chat at once.
type webhook struct {
	a    *Adapter
	next bot.Handler
}

func (wh *webhook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a := wh.a
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	got := r.Header.Get(secretHeader)
	if subtle.ConstantTimeCompare([]byte(got), []byte(a.cfg.Secret)) != 1 {
		a.log.Warn("webhook request rejected: wrong secret", "remote", r.RemoteAddr, "secret_present", got != "")
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxUpdateBytes))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		a.log.Warn("webhook request rejected: body too large", "remote", r.RemoteAddr, "limit", tooBig.Limit)
		http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
		return
	}
	if err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	u, err := a.sdk.HandleUpdate(r)
	if err != nil {
		a.log.Warn("webhook request rejected: bad update", "error", err)
		http.Error(w, "bad update", http.StatusBadRequest)
		return
	}
	in, ok := a.translate(*u)
	if !ok {
		w.WriteHeader(http.StatusOK)
		return
	}
	ctx := r.Context()
	if in.callback != nil {
		a.acknowledge(ctx, in.callback)
	}
	if err := wh.next.Handle(ctx, in.msg); err != nil {
		// The engine logs its own failures; this only notes the redelivery.
		a.log.Warn("update failed, telegram will redeliver", "update", in.msg.UpdateID, "chat", in.msg.ChatID)
		http.Error(w, "update failed", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusOK)
}
