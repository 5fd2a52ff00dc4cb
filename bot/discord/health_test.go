package discord

import (
	"context"
	"testing"
	"time"

	"github.com/coachbot/coachbot/bot"
	"github.com/coachbot/coachbot/bot/discord/discordtest"
)

func waitUntil(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(wait)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestReady(t *testing.T) {
	t.Parallel()
	srv := discordtest.NewServer(t)
	a := newAdapter(t, srv)
	if err := a.Ready(t.Context()); err == nil || err.Error() != "not receiving" {
		t.Errorf("before Run: got %v, want not receiving", err)
	}
	r := start(t, a, bot.HandlerFunc(func(context.Context, bot.Message) error { return nil }))
	waitReady(t, srv)
	waitUntil(t, "ready after READY", func() bool { return a.Ready(t.Context()) == nil })

	srv.DropGateway()
	waitUntil(t, "ready again after RESUMED", func() bool { return srv.Resumes() >= 1 && a.Ready(t.Context()) == nil })
	if err := r.stop(t); err != nil {
		t.Fatal(err)
	}
	if err := a.Ready(t.Context()); err == nil {
		t.Error("ready after Run returned")
	}
}
