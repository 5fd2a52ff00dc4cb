package discord

import (
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/coachbot/coachbot/bot"
)

func TestSplitText(t *testing.T) {
	tests := []struct {
		name  string
		text  string
		limit int
		want  []string
	}{
		{name: "Short", text: "hello", limit: 10, want: []string{"hello"}},
		{name: "Empty", text: "", limit: 10, want: nil},
		{name: "Blank", text: " \n ", limit: 10, want: nil},
		{name: "Exact", text: "0123456789", limit: 10, want: []string{"0123456789"}},
		{name: "AtLineBreak", text: "one two\nthree four", limit: 12, want: []string{"one two", "three four"}},
		{name: "BlankLinesDropped", text: "aaaa\n\n\n\nbbbb", limit: 6, want: []string{"aaaa", "bbbb"}},
		{name: "AtSpace", text: "one two three four", limit: 10, want: []string{"one two", "three four"}},
		{name: "HardCut", text: "abcdefghijkl", limit: 5, want: []string{"abcde", "fghij", "kl"}},
		{name: "Runes", text: "ääääääää", limit: 3, want: []string{"äää", "äää", "ää"}},
		{name: "LineBreakBeatsSpace", text: "a b\nc d e f", limit: 8, want: []string{"a b", "c d e f"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := splitText(tt.text, tt.limit)
			if strings.Join(got, "|") != strings.Join(tt.want, "|") || len(got) != len(tt.want) {
				t.Errorf("splitText(%q, %d) = %q, want %q", tt.text, tt.limit, got, tt.want)
			}
			for _, p := range got {
				if n := utf8.RuneCountInString(p); n > tt.limit {
					t.Errorf("part %q has %d characters, limit %d", p, n, tt.limit)
				}
			}
		})
	}
}

func TestComposeRefuses(t *testing.T) {
	many := make([]bot.Button, 26)
	for i := range many {
		many[i] = bot.Button{Label: "x", Data: string(rune('a' + i))}
	}
	tests := []struct {
		name  string
		reply bot.Reply
	}{
		{name: "Empty", reply: bot.Reply{}},
		{name: "TooManyButtons", reply: bot.Reply{Text: "x", Buttons: many}},
		{name: "DuplicateData", reply: bot.Reply{Text: "x", Buttons: []bot.Button{{Label: "a", Data: "d"}, {Label: "b", Data: "d"}}}},
		{name: "EmptyData", reply: bot.Reply{Text: "x", Buttons: []bot.Button{{Label: "a"}}}},
		{name: "LongData", reply: bot.Reply{Text: "x", Buttons: []bot.Button{{Label: "a", Data: strings.Repeat("d", 101)}}}},
		{name: "NoLabel", reply: bot.Reply{Text: "x", Buttons: []bot.Button{{Data: "d"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if msgs, err := compose(tt.reply); err == nil {
				t.Errorf("compose = %d messages, want an error", len(msgs))
			}
		})
	}
	if msgs, err := compose(bot.Reply{Buttons: []bot.Button{{Label: "a", Data: "a"}}}); err != nil || len(msgs) != 1 {
		t.Errorf("compose(buttons only) = %d, %v; want one message", len(msgs), err)
	}
}

func TestRetryAfter(t *testing.T) {
	tests := []struct {
		name   string
		header http.Header
		body   string
		want   time.Duration
	}{
		{name: "Body", body: `{"retry_after": 0.25, "global": false}`, want: 250 * time.Millisecond},
		{name: "BodyBeatsHeader", header: http.Header{"X-Ratelimit-Reset-After": {"9"}}, body: `{"retry_after": 2}`, want: 2 * time.Second},
		{name: "ResetAfterHeader", header: http.Header{"X-Ratelimit-Reset-After": {"1.5"}}, body: `<html>`, want: 1500 * time.Millisecond},
		{name: "RetryAfterHeader", header: http.Header{"Retry-After": {"3"}}, want: 3 * time.Second},
		{name: "Nothing", want: time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := tt.header
			if h == nil {
				h = http.Header{}
			}
			if got := retryAfter(h, []byte(tt.body)); got != tt.want {
				t.Errorf("retryAfter = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestCommandText(t *testing.T) {
	a := &Adapter{args: make(map[string][]string)}
	for _, c := range testCommands {
		def, order := commandDef(c)
		a.args[def.Name] = order
	}
	tests := []struct {
		name     string
		opts     map[string]string
		received []string
		want     string
	}{
		{name: "checkin", want: "/checkin"},
		{name: "session", opts: map[string]string{"date": "2026-12-01", "name": "Ann"}, want: "/session Ann 2026-12-01"},
		{name: "suggest", opts: map[string]string{"who": "Ann", "note": "walk"}, want: "/suggest walk Ann"},
		{name: "suggest", opts: map[string]string{"who": "Ann"}, want: "/suggest Ann"},
		{name: "unknown", opts: map[string]string{"b": "2", "a": "1"}, received: []string{"b", "a"}, want: "/unknown 2 1"},
	}
	for _, tt := range tests {
		if got := a.commandText(tt.name, tt.opts, tt.received); got != tt.want {
			t.Errorf("commandText(%s, %v) = %q, want %q", tt.name, tt.opts, got, tt.want)
		}
	}
}
