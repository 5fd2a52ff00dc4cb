package telegram

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coachbot/coachbot/bot"
	"github.com/coachbot/coachbot/bot/telegram/telegramtest"
)

// A webhook body over the limit is refused with 413, and nothing is handled.
func TestWebhookBodyTooLarge(t *testing.T) {
	s := telegramtest.NewServer(t)
	a, public := newWebhookAdapter(t, s)
	handled := make(chan bot.Message, 1)
	start(t, a, bot.HandlerFunc(func(_ context.Context, m bot.Message) error {
		handled <- m
		return nil
	}))
	waitFor(t, "setWebhook", func() bool { return s.WebhookURL() == public })

	body := `{"update_id":1,"message":{"message_id":1,"date":1700000000,"chat":{"id":5,"type":"private"},` +
		`"from":{"id":5,"is_bot":false,"first_name":"Ana"},"text":"` + strings.Repeat("a", maxUpdateBytes) + `"}}`
	req, err := http.NewRequest(http.MethodPost, public, bytes.NewReader([]byte(body)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set(secretHeader, "s3cret_token-1")
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("status = %d, want 413", resp.StatusCode)
	}
	select {
	case m := <-handled:
		t.Errorf("oversized update handled: %.40q", m.Text)
	case <-time.After(50 * time.Millisecond):
	}
}

// Telegram refusing the webhook (400) stops Run with one line naming the
// setting, instead of retrying for ever.
func TestWebhookRefusedStops(t *testing.T) {
	s := telegramtest.NewServer(t)
	a, _ := newWebhookAdapter(t, s)
	s.FailNextWith("setWebhook", 100, http.StatusBadRequest, "Bad Request: bad webhook: Failed to resolve host", 0)
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	err := a.Run(ctx, bot.HandlerFunc(func(context.Context, bot.Message) error { return nil }))
	if ctx.Err() != nil {
		t.Fatal("Run kept retrying a refused webhook")
	}
	if err == nil || !strings.Contains(err.Error(), "public_url") || !strings.Contains(err.Error(), "Failed to resolve host") ||
		strings.Contains(err.Error(), "\n") || strings.HasPrefix(err.Error(), "telegram: telegram:") {
		t.Fatalf("Run = %v, want one line naming webhook.public_url and Telegram's reason", err)
	}
}

// The token is never in an error, whatever characters it has: the SDK puts
// it in the URL path, and net/http quotes the URL, escaped.
func TestTokenNotInErrors(t *testing.T) {
	for _, token := range []string{"123:plain", "123:a/b", "123:per%41cent", "123:quote\"<x>"} {
		c := &contextClient{ctx: context.Background(), client: http.DefaultClient, timeout: time.Second, token: token}
		u := (&url.URL{Scheme: "http", Host: "127.0.0.1:1", Path: "/bot" + token + "/getMe"}).String()
		req, err := http.NewRequest(http.MethodPost, u, nil)
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.Do(req)
		if err == nil {
			t.Fatal("a call to a closed port succeeded")
		}
		if !strings.Contains(err.Error(), bot.Redacted) || strings.Contains(err.Error(), "bot123") {
			t.Errorf("token %q: error %q", token, err)
		}
	}
}
