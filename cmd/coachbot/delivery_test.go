package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/coachbot/coachbot/bot"
	"github.com/coachbot/coachbot/bot/telegram"
	"github.com/coachbot/coachbot/bot/telegram/telegramtest"
	"github.com/coachbot/coachbot/flows"
	"github.com/coachbot/coachbot/storage"
)

// deliveryRig is the delivery half of the bot, as serve wires it: storage, the
// dispatcher and the real Telegram adapter, against a fake Telegram that
// enforces flood limits like the real one (about 30 messages/s overall, 1/s
// per chat).
type deliveryRig struct {
	t    testing.TB
	fake *telegramtest.Server
	db   *storage.DB
	d    *bot.Dispatcher
	log  *syncBuffer
	// opened are the chats messages were queued for.
	opened []int64
}

func newDeliveryRig(t testing.TB, limits bot.Limits) *deliveryRig {
	t.Helper()
	fake := telegramtest.NewServer(t, telegramtest.WithFloodLimits(1, 1, 30))
	db, err := storage.Open(context.Background(), filepath.Join(t.TempDir(), "bot.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	log := &syncBuffer{}
	logger := slog.New(slog.NewTextHandler(log, &slog.HandlerOptions{Level: slog.LevelWarn}))
	tg, err := telegram.New(context.Background(), telegram.Config{Token: fake.Token(), APIURL: fake.URL(), Logger: logger}, db)
	if err != nil {
		t.Fatal(err)
	}
	d := bot.NewDispatcher(db, logger)
	d.Register(bot.Telegram, tg, limits)
	return &deliveryRig{t: t, fake: fake, db: db, d: d, log: log}
}

// queue stores messages in the outbox, as the engine does, in one transaction:
// the k-th round sends message k to every chat. Each chat is opened first in
// the fake, as if its person had written to the bot once.
func (r *deliveryRig) queue(chats []int64, rounds int) {
	r.t.Helper()
	for _, c := range chats {
		r.fake.SendText(c, "/start")
	}
	err := r.db.Update(context.Background(), func(tx flows.Tx) error {
		for k := range rounds {
			for _, c := range chats {
				reply := bot.Reply{ChatID: bot.ID(bot.Telegram, fmt.Sprint(c)), Kind: "checkin", Text: deliveryText(c, k)}
				if err := tx.Send(reply, time.Time{}); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		r.t.Fatal(err)
	}
}

func deliveryText(chat int64, k int) string { return fmt.Sprintf("chat %d, message %d", chat, k) }

// deliver starts the dispatcher and waits until every queued row is sent and
// marked so; it returns when the first delivery started and the last arrived.
func (r *deliveryRig) deliver(want int) (start, last time.Time) {
	r.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	start = time.Now()
	r.d.Start(ctx)
	defer func() {
		cancel()
		r.d.Close()
	}()
	deadline := time.Now().Add(40 * time.Second)
	for {
		pending, err := r.db.Pending(context.Background(), bot.Telegram, 0)
		if err != nil {
			r.t.Fatal(err)
		}
		if len(pending) == 0 && r.fake.Stats().MessagesSent >= want {
			break
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("%d of %d delivered, %d rows still pending; log:\n%s", r.fake.Stats().MessagesSent, want, len(pending), r.log.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	return start, r.lastArrival()
}

func (r *deliveryRig) lastArrival() time.Time {
	var last time.Time
	for _, c := range r.opened {
		for _, m := range r.fake.Messages(c) {
			if m.Arrived.After(last) {
				last = m.Arrived
			}
		}
	}
	return last
}

// TestDeliveryKeepsTelegramPace sends one proactive message to each of 300 chats
// through the dispatcher: the fake never has to refuse one (no 429), each chat
// gets exactly one, and the whole takes about 300/30 seconds.
func TestDeliveryKeepsTelegramPace(t *testing.T) {
	if testing.Short() {
		t.Skip("takes about ten seconds by design")
	}
	const chats, perSecond = 300, 30
	r := newDeliveryRig(t, bot.Limits{PerSecond: perSecond, Burst: 1, ChatPerSecond: 1})
	r.opened = deliveryChats(chats)
	r.queue(r.opened, 1)

	start, last := r.deliver(chats)
	took := last.Sub(start)
	t.Logf("%d messages to %d chats in %s (%.1f/s)", chats, chats, took.Round(time.Millisecond), float64(chats)/took.Seconds())

	st := r.fake.Stats()
	if st.TooManyRequests != 0 {
		t.Errorf("the fake refused %d sends with 429, want none", st.TooManyRequests)
	}
	if st.MessagesSent != chats {
		t.Errorf("messages sent: got %d, want %d", st.MessagesSent, chats)
	}
	for _, c := range r.opened {
		if got := r.fake.Messages(c); len(got) != 1 || got[0].Text != deliveryText(c, 0) {
			t.Fatalf("chat %d got %q, want exactly %q", c, tgTexts(got), deliveryText(c, 0))
		}
	}
	// The first message goes at once, then one every 1/30 s.
	floor := time.Duration(float64(chats-1) / perSecond * 0.9 * float64(time.Second))
	if took < floor || took > 2*floor {
		t.Errorf("took %s, want between %s and %s: the pace is %d/s", took, floor, 2*floor, perSecond)
	}
}

// TestDeliveryThroughFaults delivers several messages to each chat while the
// fake answers 429 with retry_after, fails with 5xx and drops connections:
// every message arrives exactly once, and each chat's in order.
func TestDeliveryThroughFaults(t *testing.T) {
	const chats, rounds = 20, 4
	r := newDeliveryRig(t, bot.Limits{PerSecond: 30, Burst: 1, ChatPerSecond: 1, Backoff: 100 * time.Millisecond, MaxAttempts: 20})
	r.opened = deliveryChats(chats)
	r.queue(r.opened, rounds)

	inject := func() {
		r.fake.FailNext("sendMessage", 2, http.StatusTooManyRequests, 1)
		r.fake.FailNext("sendMessage", 2, http.StatusBadGateway, 0)
		r.fake.FailNext("sendMessage", 1, http.StatusInternalServerError, 0)
		r.fake.DropNext("sendMessage", 3)
	}
	inject()
	// A second wave in the middle, once some chats are between messages.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		for r.fake.Stats().MessagesSent < chats*rounds/2 {
			select {
			case <-ctx.Done():
				return
			case <-time.After(10 * time.Millisecond):
			}
		}
		inject()
	}()

	start, last := r.deliver(chats * rounds)
	st := r.fake.Stats()
	t.Logf("%d messages to %d chats in %s; the fake answered 429 %d times, failed %d and dropped %d",
		chats*rounds, chats, last.Sub(start).Round(time.Millisecond), st.TooManyRequests, st.Failures, st.Dropped)

	if st.MessagesSent != chats*rounds {
		t.Errorf("messages sent: got %d, want %d", st.MessagesSent, chats*rounds)
	}
	if st.Dropped != 6 || st.Failures < 6 || st.TooManyRequests < 4 {
		t.Errorf("faults served: %d dropped, %d failed, %d 429s; want 6, 6 and at least 4", st.Dropped, st.Failures, st.TooManyRequests)
	}
	for _, c := range r.opened {
		var want []string
		for k := range rounds {
			want = append(want, deliveryText(c, k))
		}
		if got := tgTexts(r.fake.Messages(c)); !slices.Equal(got, want) {
			t.Errorf("chat %d got %q, want %q", c, got, want)
		}
	}
}

func deliveryChats(n int) []int64 {
	out := make([]int64, n)
	for i := range out {
		out[i] = int64(7000 + i)
	}
	return out
}
