package telegramtest

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestStartWithoutTest(t *testing.T) {
	s, err := Start()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(s.URL(), "http://127.0.0.1:") {
		t.Errorf("URL: got %q, want loopback", s.URL())
	}
	var me apiUser
	mustOK(t, call(t, s, "getMe", nil), &me)

	if err := s.TryPress(7, 1, "x"); err == nil {
		t.Error("TryPress on a missing chat: got nil, want an error")
	}
	if err := s.Err(); err != nil {
		t.Errorf("Err after TryPress: got %v, want nil (TryPress reports to its caller)", err)
	}
	s.Press(7, 1, "x")
	if err := s.Err(); err == nil || !strings.Contains(err.Error(), "no such bot message") {
		t.Errorf("Err after a bad Press: got %v, want the misuse", err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	waited := make(chan error, 1)
	go func() {
		_, _, err := s.WaitAfter(ctx, 7, 0)
		waited <- err
	}()
	s.Close()
	s.Close() // twice is harmless
	select {
	case err := <-waited:
		if err == nil || errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("WaitAfter on Close: got %v, want a closed-server error", err)
		}
	case <-ctx.Done():
		t.Fatal("WaitAfter still waiting after Close")
	}
}

func TestWaitAfterReturnsOnlyNewMessages(t *testing.T) {
	s := NewServer(t)
	s.SendText(1, "hi")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for i := range 3 {
		mustOK(t, send(t, s, 1, strconv.Itoa(i)), nil)
	}
	got, total, err := s.WaitAfter(ctx, 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	if total != 3 || len(got) != 2 || got[0].Text != "1" || got[1].Text != "2" {
		t.Fatalf("got %d messages %+v (total %d), want 1 and 2 (total 3)", len(got), got, total)
	}
	if got[0].Arrived.IsZero() || got[1].Arrived.Before(got[0].Arrived) {
		t.Errorf("Arrived: got %v then %v, want set and in order", got[0].Arrived, got[1].Arrived)
	}

	later := make(chan []Sent, 1)
	go func() {
		msgs, _, err := s.WaitAfter(ctx, 1, total)
		if err != nil {
			t.Error(err)
		}
		later <- msgs
	}()
	time.Sleep(20 * time.Millisecond)
	mustOK(t, send(t, s, 1, "later"), nil)
	if msgs := <-later; len(msgs) != 1 || msgs[0].Text != "later" {
		t.Errorf("after waiting: got %+v, want the one new message", msgs)
	}
}

func TestHistoryForgetsOldMessages(t *testing.T) {
	const keep = 4
	s := NewServer(t, WithHistory(keep))
	s.SendText(1, "hi")
	var first apiMessage
	kb := `{"inline_keyboard":[[{"text":"Yes","callback_data":"y"}]]}`
	mustOK(t, call(t, s, "sendMessage", url.Values{"chat_id": {"1"}, "text": {"first"}, "reply_markup": {kb}}), &first)
	var last apiMessage
	for i := range 20 {
		mustOK(t, send(t, s, 1, strconv.Itoa(i)), &last)
	}
	if got, want := last.MessageID, 22; got != want {
		t.Errorf("last message ID: got %d, want %d (IDs keep counting)", got, want)
	}
	msgs := s.Messages(1)
	if len(msgs) < keep || len(msgs) > 2*keep || msgs[len(msgs)-1].Text != "19" {
		t.Errorf("kept %d messages ending %+v, want %d to %d ending with 19", len(msgs), msgs[len(msgs)-1], keep, 2*keep)
	}
	if err := s.TryPress(1, first.MessageID, "y"); err == nil {
		t.Error("pressing a forgotten message: got nil, want an error")
	}
	mustFail(t, call(t, s, "editMessageText", url.Values{"chat_id": {"1"}, "message_id": {"2"}, "text": {"x"}}),
		http.StatusBadRequest, "message to edit not found")
	if err := s.TryPress(1, last.MessageID, "y"); err != nil {
		t.Errorf("pressing a kept message: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := s.WaitMessages(ctx, 1, 21); err != nil {
		t.Errorf("WaitMessages counts forgotten messages too: %v", err)
	}
}

func TestWebhookClientOption(t *testing.T) {
	var got string
	proxy := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Get("X-Telegram-Bot-Api-Secret-Token")
	}))
	defer proxy.Close()
	s := NewServer(t, WithWebhookClient(proxy.Client()))
	mustOK(t, call(t, s, "setWebhook", url.Values{"url": {proxy.URL + "/telegram"}, "secret_token": {"s3cret"}}), nil)
	s.SendText(1, "hi")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.DeliverWebhook(ctx); err != nil {
		t.Fatalf("deliver over TLS: %v", err)
	}
	if got != "s3cret" {
		t.Errorf("secret header: got %q, want %q", got, "s3cret")
	}
}

func TestMessageHookSeesEverySend(t *testing.T) {
	type seen struct {
		chat int64
		text string
	}
	var got []seen
	var s *Server
	s = NewServer(t, WithMessageHook(func(chat int64, m Sent) {
		got = append(got, seen{chat, m.Text})
		s.SendText(chat, "thanks") // the hook may use the server
	}))
	s.SendText(1, "hi")
	mustOK(t, send(t, s, 1, "one"), nil)
	mustOK(t, call(t, s, "editMessageText", url.Values{"chat_id": {"1"}, "message_id": {"2"}, "text": {"edited"}}), nil)
	mustOK(t, send(t, s, 1, "two"), nil)
	if want := []seen{{1, "one"}, {1, "two"}}; !slices.Equal(got, want) {
		t.Errorf("hook saw %v, want %v (edits excluded)", got, want)
	}
	if st := s.Stats(); st.UpdatesPending != 3 {
		t.Errorf("pending updates: got %d, want 3 (hi and two thanks)", st.UpdatesPending)
	}
}
