package telegramtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// response is the envelope every Bot API answer has.
type response struct {
	OK          bool            `json:"ok"`
	Result      json.RawMessage `json:"result"`
	ErrorCode   int             `json:"error_code"`
	Description string          `json:"description"`
	Parameters  *struct {
		RetryAfter int `json:"retry_after"`
	} `json:"parameters"`
	status int
}

func call(tb testing.TB, s *Server, method string, params url.Values) response {
	tb.Helper()
	return callWith(tb, s.URL()+"/bot"+s.Token()+"/"+method, "application/x-www-form-urlencoded", strings.NewReader(params.Encode()))
}

func callWith(tb testing.TB, target, contentType string, body *strings.Reader) response {
	tb.Helper()
	resp, err := http.Post(target, contentType, body)
	if err != nil {
		tb.Fatalf("POST %s: %v", target, err)
	}
	defer resp.Body.Close()
	var r response
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		tb.Fatalf("decode answer: %v", err)
	}
	r.status = resp.StatusCode
	return r
}

func mustOK(tb testing.TB, r response, into any) {
	tb.Helper()
	if !r.OK {
		tb.Fatalf("got error %d %q, want ok", r.ErrorCode, r.Description)
	}
	if into != nil {
		if err := json.Unmarshal(r.Result, into); err != nil {
			tb.Fatalf("decode result: %v", err)
		}
	}
}

func mustFail(tb testing.TB, r response, code int, description string) {
	tb.Helper()
	if r.OK || r.ErrorCode != code || r.status != code || !strings.Contains(r.Description, description) {
		tb.Fatalf("got ok=%v %d (HTTP %d) %q, want %d containing %q", r.OK, r.ErrorCode, r.status, r.Description, code, description)
	}
}

func getUpdates(tb testing.TB, s *Server, offset int64, timeout int) []apiUpdate {
	tb.Helper()
	v := url.Values{"timeout": {strconv.Itoa(timeout)}}
	if offset != 0 {
		v.Set("offset", strconv.FormatInt(offset, 10))
	}
	var ups []apiUpdate
	mustOK(tb, call(tb, s, "getUpdates", v), &ups)
	return ups
}

func send(tb testing.TB, s *Server, chat int64, text string) response {
	tb.Helper()
	return call(tb, s, "sendMessage", url.Values{"chat_id": {strconv.FormatInt(chat, 10)}, "text": {text}, "parse_mode": {"HTML"}})
}

func waitFor(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestWrongTokenUnauthorized(t *testing.T) {
	s := NewServer(t)
	r := callWith(t, s.URL()+"/bot123:wrong/getMe", "application/x-www-form-urlencoded", strings.NewReader(""))
	mustFail(t, r, http.StatusUnauthorized, "Unauthorized")

	var me apiUser
	mustOK(t, call(t, s, "getMe", nil), &me)
	if got, want := me.Username, defaultUsername; got != want || !me.IsBot {
		t.Errorf("getMe: got %q (bot %v), want %q (bot true)", got, me.IsBot, want)
	}
}

func TestGetUpdatesOffsetConfirms(t *testing.T) {
	s := NewServer(t)
	for i := range 3 {
		s.SendText(42, fmt.Sprint("hello ", i))
	}
	ups := getUpdates(t, s, 0, 0)
	if got, want := len(ups), 3; got != want {
		t.Fatalf("got %d updates, want %d", got, want)
	}
	if ups[0].Message == nil || ups[0].Message.Text != "hello 0" || ups[0].Message.Chat.Type != "private" {
		t.Fatalf("first update: got %+v, want private message %q", ups[0].Message, "hello 0")
	}
	if got, want := ups[1].UpdateID, ups[0].UpdateID+1; got != want {
		t.Errorf("update IDs: got %d after %d, want consecutive", got, ups[0].UpdateID)
	}
	// An offset confirms what came before it; unconfirmed updates come again.
	if got, want := len(getUpdates(t, s, ups[1].UpdateID, 0)), 2; got != want {
		t.Errorf("from second: got %d updates, want %d", got, want)
	}
	if got, want := len(getUpdates(t, s, 0, 0)), 2; got != want {
		t.Errorf("after confirming first: got %d updates, want %d", got, want)
	}
	if got := getUpdates(t, s, ups[2].UpdateID+1, 0); len(got) != 0 {
		t.Errorf("after confirming all: got %d updates, want none", len(got))
	}
	if got := s.Stats().UpdatesPending; got != 0 {
		t.Errorf("pending: got %d, want 0", got)
	}
}

func TestGetUpdatesLongPollWakesOnUpdate(t *testing.T) {
	s := NewServer(t)
	done := make(chan []apiUpdate, 1)
	go func() {
		var ups []apiUpdate
		r := call(t, s, "getUpdates", url.Values{"timeout": {"30"}})
		_ = json.Unmarshal(r.Result, &ups)
		done <- ups
	}()
	waitFor(t, "poll to wait", func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.updates.poll != nil
	})
	s.SendText(7, "/start@CoachTestBot abc")
	select {
	case ups := <-done:
		if len(ups) != 1 || ups[0].Message == nil {
			t.Fatalf("got %+v, want one message", ups)
		}
		want := []apiEntity{{Type: "bot_command", Offset: 0, Length: len("/start@CoachTestBot")}}
		if got := ups[0].Message.Entities; !reflect.DeepEqual(got, want) {
			t.Errorf("entities: got %+v, want %+v", got, want)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("long poll did not wake on a new update")
	}
}

func TestGetUpdatesTimeoutReturnsEmpty(t *testing.T) {
	s := NewServer(t)
	r := call(t, s, "getUpdates", url.Values{"timeout": {"1"}})
	mustOK(t, r, nil)
	if got, want := string(r.Result), "[]"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestSecondPollEndsFirstWithConflict(t *testing.T) {
	s := NewServer(t)
	first := make(chan response, 1)
	go func() { first <- call(t, s, "getUpdates", url.Values{"timeout": {"30"}}) }()
	waitFor(t, "first poll to wait", func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.updates.poll != nil
	})
	mustOK(t, call(t, s, "getUpdates", url.Values{"timeout": {"0"}}), nil)
	mustFail(t, <-first, http.StatusConflict, "terminated by other getUpdates request")
}

func TestSendMessageHTML(t *testing.T) {
	tests := []struct {
		name, text, want, wantErr string
	}{
		{name: "Escaped", text: "&lt;3 &amp; more &quot;x&quot; &#128512;", want: "<3 & more \"x\" 😀"},
		{name: "Tags", text: "<b>bold</b> and <a href=\"https://x\">link</a>", want: "bold and link"},
		{name: "ErrRawLessThan", text: "<3 & more", wantErr: "Unsupported start tag"},
		{name: "ErrRawAmpersand", text: "a & b", wantErr: "can't parse entities"},
		{name: "ErrUnclosedTag", text: "<b>bold", wantErr: "Can't find end tag"},
		{name: "ErrEmpty", text: " ", wantErr: "message text is empty"},
		{name: "ErrTooLong", text: strings.Repeat("a", 4097), wantErr: "message is too long"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := NewServer(t)
			s.SendText(1, "hi")
			r := send(t, s, 1, tt.text)
			if tt.wantErr != "" {
				mustFail(t, r, http.StatusBadRequest, tt.wantErr)
				return
			}
			mustOK(t, r, nil)
			if got := s.Messages(1); len(got) != 1 || got[0].Text != tt.want {
				t.Errorf("got %+v, want one message %q", got, tt.want)
			}
		})
	}
}

func TestMessageIDsIncreasePerChat(t *testing.T) {
	s := NewServer(t)
	s.SendText(1, "hi")  // message 1, from the person
	s.SendText(2, "hey") // message 1 of another chat
	var m apiMessage
	for _, want := range []int{2, 3} {
		mustOK(t, send(t, s, 1, "reply"), &m)
		if m.MessageID != want {
			t.Errorf("chat 1: got message %d, want %d", m.MessageID, want)
		}
	}
	mustOK(t, send(t, s, 2, "reply"), &m)
	if got, want := m.MessageID, 2; got != want {
		t.Errorf("chat 2: got message %d, want %d", got, want)
	}
	if m.From == nil || !m.From.IsBot || m.Chat.ID != 2 {
		t.Errorf("sent message: got from %+v chat %d, want the bot in chat 2", m.From, m.Chat.ID)
	}
}

func TestSendFailures(t *testing.T) {
	s := NewServer(t)
	mustFail(t, send(t, s, 99, "hello"), http.StatusBadRequest, "chat not found")
	s.SendText(5, "hi")
	s.Block(5)
	mustFail(t, send(t, s, 5, "hello"), http.StatusForbidden, "bot was blocked by the user")

	s.SendText(6, "hi")
	s.FailNext("sendMessage", 2, http.StatusTooManyRequests, 7)
	for range 2 {
		r := send(t, s, 6, "hello")
		mustFail(t, r, http.StatusTooManyRequests, "retry after 7")
		if r.Parameters == nil || r.Parameters.RetryAfter != 7 {
			t.Errorf("parameters: got %+v, want retry_after 7", r.Parameters)
		}
	}
	s.FailNext("sendMessage", 1, http.StatusInternalServerError, 0)
	mustFail(t, send(t, s, 6, "hello"), http.StatusInternalServerError, "Internal Server Error")
	mustOK(t, send(t, s, 6, "hello"), nil)

	st := s.Stats()
	if st.TooManyRequests != 2 || st.Failures != 3 || st.MessagesSent != 1 {
		t.Errorf("stats: got %+v, want 2 too-many, 3 failures, 1 sent", st)
	}
	if got, want := s.Calls("sendMessage"), 6; got != want {
		t.Errorf("calls: got %d, want %d", got, want)
	}
}

func TestDropNextClosesConnection(t *testing.T) {
	s := NewServer(t)
	s.DropNext("getMe", 1)
	resp, err := http.Post(s.URL()+"/bot"+s.Token()+"/getMe", "application/x-www-form-urlencoded", nil)
	if err == nil {
		resp.Body.Close()
		t.Fatal("dropped call: got an answer, want a connection error")
	}
	mustOK(t, call(t, s, "getMe", nil), nil)
	if got := s.Stats().Dropped; got != 1 {
		t.Errorf("dropped: got %d, want 1", got)
	}
}

func TestSetLatencyDelaysAnswers(t *testing.T) {
	s := NewServer(t)
	s.SetLatency(50 * time.Millisecond)
	began := time.Now()
	mustOK(t, call(t, s, "getMe", nil), nil)
	if took := time.Since(began); took < 50*time.Millisecond {
		t.Errorf("answer came after %v, want at least the 50ms latency", took)
	}
}

func TestFloodLimits(t *testing.T) {
	t.Run("PerChat", func(t *testing.T) {
		s := NewServer(t, WithFloodLimits(0.01, 1, 1000))
		s.SendText(1, "hi")
		s.SendText(2, "hi")
		mustOK(t, send(t, s, 1, "one"), nil)
		r := send(t, s, 1, "two")
		mustFail(t, r, http.StatusTooManyRequests, "Too Many Requests")
		if r.Parameters == nil || r.Parameters.RetryAfter < 1 {
			t.Errorf("parameters: got %+v, want retry_after >= 1", r.Parameters)
		}
		mustOK(t, send(t, s, 2, "other chat"), nil)
		if got := s.Stats().TooManyRequests; got != 1 {
			t.Errorf("429s: got %d, want 1", got)
		}
	})
	t.Run("Global", func(t *testing.T) {
		s := NewServer(t, WithFloodLimits(1000, 10, 0.01))
		s.SendText(1, "hi")
		s.SendText(2, "hi")
		mustOK(t, send(t, s, 1, "one"), nil)
		mustFail(t, send(t, s, 2, "two"), http.StatusTooManyRequests, "Too Many Requests")
		if got := len(s.Messages(2)); got != 0 {
			t.Errorf("refused message: got %d stored, want 0", got)
		}
	})
	t.Run("Refills", func(t *testing.T) {
		s := NewServer(t, WithFloodLimits(20, 1, 1000))
		s.SendText(1, "hi")
		mustOK(t, send(t, s, 1, "one"), nil)
		// 20 per second: a token is back after 50ms; poll until the bucket admits.
		waitFor(t, "bucket to refill", func() bool { return send(t, s, 1, "two").OK })
	})
}

func TestPressAndEdits(t *testing.T) {
	s := NewServer(t)
	s.SendText(3, "hi")
	kb := `{"inline_keyboard":[[{"text":"Yes","callback_data":"y"},{"text":"No","callback_data":"n"}]]}`
	var m apiMessage
	mustOK(t, call(t, s, "sendMessage", url.Values{"chat_id": {"3"}, "text": {"Ready?"}, "reply_markup": {kb}}), &m)

	s.Press(3, m.MessageID, "y")
	ups := getUpdates(t, s, 0, 0)
	if len(ups) != 2 || ups[1].CallbackQuery == nil {
		t.Fatalf("got %+v, want a message and a callback query", ups)
	}
	q := ups[1].CallbackQuery
	if q.Data != "y" || q.Message == nil || q.Message.Text != "Ready?" || q.Message.ReplyMarkup == nil || q.From.ID != 3 {
		t.Fatalf("callback query: got %+v, want data y on the keyboard message from user 3", q)
	}
	if got := s.Stats().CallbacksPending; got != 1 {
		t.Errorf("pending callbacks: got %d, want 1", got)
	}
	mustOK(t, call(t, s, "answerCallbackQuery", url.Values{"callback_query_id": {q.ID}}), nil)
	mustFail(t, call(t, s, "answerCallbackQuery", url.Values{"callback_query_id": {q.ID}}), http.StatusBadRequest, "query is too old")

	id := strconv.Itoa(m.MessageID)
	// Editing the text without reply_markup removes the keyboard, as in Telegram.
	mustOK(t, call(t, s, "editMessageText", url.Values{"chat_id": {"3"}, "message_id": {id}, "text": {"Ready?\n\n› Yes"}}), nil)
	mustFail(t, call(t, s, "editMessageText", url.Values{"chat_id": {"3"}, "message_id": {id}, "text": {"Ready?\n\n› Yes"}}),
		http.StatusBadRequest, "message is not modified")
	mustFail(t, call(t, s, "editMessageReplyMarkup", url.Values{"chat_id": {"3"}, "message_id": {"1"}}), http.StatusBadRequest, "can't be edited")
	mustFail(t, call(t, s, "editMessageReplyMarkup", url.Values{"chat_id": {"3"}, "message_id": {"9"}}), http.StatusBadRequest, "not found")

	got := s.Messages(3)
	want := []Sent{{MessageID: m.MessageID, Text: "Ready?\n\n› Yes", Edits: 1}}
	for i := range got {
		got[i].At, got[i].Arrived = time.Time{}, time.Time{}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("messages: got %+v, want %+v", got, want)
	}
	if st := s.Stats(); st.CallbacksAnswered != 1 || st.CallbacksPending != 0 || st.Edits != 1 {
		t.Errorf("stats: got %+v, want 1 answered, 0 pending, 1 edit", st)
	}
}

func TestSendDocumentMultipart(t *testing.T) {
	s := NewServer(t)
	s.SendText(8, "export please")
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	_ = w.WriteField("chat_id", "8")
	_ = w.WriteField("caption", "your data &amp; more")
	_ = w.WriteField("parse_mode", "HTML")
	part, _ := w.CreateFormFile("document", "export.json")
	_, _ = part.Write([]byte(`{"a":1}`))
	_ = w.Close()
	var m apiMessage
	mustOK(t, callWith(t, s.URL()+"/bot"+s.Token()+"/sendDocument", w.FormDataContentType(), strings.NewReader(body.String())), &m)
	if m.Document == nil || m.Document.FileName != "export.json" || m.Caption != "your data & more" {
		t.Errorf("result: got %+v, want document export.json with caption", m)
	}
	got := s.Messages(8)
	if len(got) != 1 || got[0].Document == nil || string(got[0].Document.Content) != `{"a":1}` {
		t.Errorf("messages: got %+v, want the document's bytes", got)
	}
}

func TestJSONBodyAccepted(t *testing.T) {
	s := NewServer(t)
	s.SendText(4, "hi")
	body := `{"chat_id":4,"text":"json works","reply_markup":{"inline_keyboard":[[{"text":"Ok","callback_data":"ok"}]]}}`
	mustOK(t, callWith(t, s.URL()+"/bot"+s.Token()+"/sendMessage", "application/json", strings.NewReader(body)), nil)
	got := s.Messages(4)
	if len(got) != 1 || got[0].Text != "json works" || !reflect.DeepEqual(got[0].Labels(), []string{"Ok"}) {
		t.Errorf("got %+v, want one message with an Ok button", got)
	}
}

func TestCommands(t *testing.T) {
	s := NewServer(t)
	mustOK(t, call(t, s, "setMyCommands", url.Values{"commands": {`[{"command":"start","description":"Begin"}]`}}), nil)
	var got []apiCommand
	mustOK(t, call(t, s, "getMyCommands", nil), &got)
	if want := []apiCommand{{Command: "start", Description: "Begin"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
	mustFail(t, call(t, s, "setMyCommands", url.Values{"commands": {`[{"command":"Bad Name","description":"x"}]`}}),
		http.StatusBadRequest, "BOT_COMMAND_INVALID")
}

func TestWebhookDelivery(t *testing.T) {
	s := NewServer(t)
	var mu sync.Mutex
	var got []apiUpdate
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Telegram-Bot-Api-Secret-Token") != "s3cret" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		var u apiUpdate
		_ = json.NewDecoder(r.Body).Decode(&u)
		mu.Lock()
		got = append(got, u)
		mu.Unlock()
	}))
	t.Cleanup(hook.Close)

	mustOK(t, call(t, s, "setWebhook", url.Values{"url": {hook.URL}, "secret_token": {"s3cret"}}), nil)
	if got, want := s.WebhookURL(), hook.URL; got != want {
		t.Errorf("webhook URL: got %q, want %q", got, want)
	}
	mustFail(t, call(t, s, "getUpdates", nil), http.StatusConflict, "webhook is active")

	s.SendText(1, "one")
	s.SendText(1, "two")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var werr *WebhookError
	if err := s.DeliverWebhookWithSecret(ctx, "wrong"); !errors.As(err, &werr) || werr.StatusCode != http.StatusUnauthorized {
		t.Fatalf("wrong secret: got %v, want 401", err)
	}
	if got := s.Stats().UpdatesPending; got != 2 {
		t.Fatalf("pending after refusal: got %d, want 2", got)
	}
	if err := s.DeliverWebhook(ctx); err != nil {
		t.Fatalf("deliver: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 2 || got[0].Message.Text != "one" || got[1].Message.Text != "two" {
		t.Errorf("delivered: got %+v, want one then two", got)
	}
	if got := s.Stats().UpdatesPending; got != 0 {
		t.Errorf("pending after delivery: got %d, want 0", got)
	}
}

func TestWaitMessagesTimesOut(t *testing.T) {
	s := NewServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := s.WaitMessages(ctx, 1, 1); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("got %v, want deadline exceeded", err)
	}
}

func TestConcurrentUse(t *testing.T) {
	s := NewServer(t)
	const chats, perChat = 8, 50
	var wg sync.WaitGroup
	for c := range chats {
		chat := int64(c + 1)
		s.SendText(chat, "hi")
		wg.Go(func() {
			for i := range perChat {
				s.SendText(chat, "more")
				if r := send(t, s, chat, strconv.Itoa(i)); !r.OK {
					t.Errorf("send: %q", r.Description)
				}
			}
		})
	}
	// Drain updates while they are produced, confirming as we go.
	var seen int
	var offset int64
	for seen < chats*(perChat+1) {
		ups := getUpdates(t, s, offset, 1)
		seen += len(ups)
		if len(ups) > 0 {
			offset = ups[len(ups)-1].UpdateID + 1
		}
	}
	wg.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for c := range chats {
		msgs, err := s.WaitMessages(ctx, int64(c+1), perChat)
		if err != nil {
			t.Fatal(err)
		}
		for i, m := range msgs {
			if m.Text != strconv.Itoa(i) {
				t.Fatalf("chat %d message %d: got %q, want %q", c+1, i, m.Text, strconv.Itoa(i))
			}
		}
	}
	if got, want := s.Stats().MessagesSent, chats*perChat; got != want {
		t.Errorf("sent: got %d, want %d", got, want)
	}
}
