package telegram

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coachbot/coachbot/bot"
	"github.com/coachbot/coachbot/bot/telegram/telegramtest"
)

func TestReadyPolling(t *testing.T) {
	s := telegramtest.NewServer(t)
	a := newAdapter(t, s, nil, nil)
	if err := a.Ready(t.Context()); err == nil || err.Error() != "not receiving" {
		t.Errorf("before Run: got %v, want not receiving", err)
	}
	r := start(t, a, bot.HandlerFunc(func(context.Context, bot.Message) error { return nil }))
	waitFor(t, "ready after getUpdates answers", func() bool { return a.Ready(t.Context()) == nil })

	s.FailNext("getUpdates", 1000, http.StatusBadGateway, 0)
	waitFor(t, "not ready while getUpdates fails", func() bool {
		err := a.Ready(t.Context())
		return err != nil && strings.Contains(err.Error(), "getUpdates failed: Bad Gateway")
	})
	r.stop(t)
	if err := a.Ready(t.Context()); err == nil || err.Error() != "not receiving" {
		t.Errorf("after Run: got %v, want not receiving", err)
	}
}

func TestReadyWebhook(t *testing.T) {
	s := telegramtest.NewServer(t)
	a, public := newWebhookAdapter(t, s)
	s.FailNext("setWebhook", 1, http.StatusInternalServerError, 0)
	start(t, a, bot.HandlerFunc(func(context.Context, bot.Message) error { return nil }))
	waitFor(t, "ready once the webhook is registered", func() bool { return a.Ready(t.Context()) == nil })

	at := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	s.SetWebhookError("Connection refused", at)
	info, err := a.WebhookInfo(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	want := WebhookInfo{URL: public, LastError: "Connection refused", LastErrorAt: at}
	if info.URL != want.URL || info.LastError != want.LastError || !info.LastErrorAt.Equal(want.LastErrorAt) {
		t.Errorf("got %+v, want %+v", info, want)
	}
}
