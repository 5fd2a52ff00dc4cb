package console

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/coachbot/coachbot/bot"
)

// A line far over any limit is cut and handed on, so the engine answers it as
// too long; the chat goes on with the next line.
func TestLongLineDoesNotEndTheChat(t *testing.T) {
	for _, tt := range []struct {
		name string
		line string
	}{
		{"ASCII", strings.Repeat("a", 2<<20)},
		{"MultiByte", strings.Repeat("é", 1<<20)},
		{"NoNewlineAtEnd", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.line + "\nafter"
			if tt.line != "" {
				in += "\n"
			}
			var got []string
			h := bot.HandlerFunc(func(_ context.Context, m bot.Message) error {
				got = append(got, m.Text)
				return nil
			})
			c := New(strings.NewReader(in), &bytes.Buffer{}, "ana", false)
			if err := c.Run(context.Background(), h, func(context.Context) error { return nil }); err != nil {
				t.Fatalf("Run: %v", err)
			}
			if len(got) != 2 || got[1] != "after" {
				t.Fatalf("got %d messages (last %.20q), want the long line and then after", len(got), got[len(got)-1])
			}
			long := got[0]
			if !utf8.ValidString(long) || len(long) > maxLine || len(long) > len(tt.line) {
				t.Errorf("long line handed on as %d bytes (valid UTF-8: %v)", len(long), utf8.ValidString(long))
			}
			if tt.line != "" && utf8.RuneCountInString(long) <= 4000 {
				t.Errorf("long line cut to %d characters: the engine would take it", utf8.RuneCountInString(long))
			}
		})
	}
}

// Whatever a reply carries, the terminal gets text: no escape sequences, no
// control characters but newlines.
func TestSendPrintsNoControls(t *testing.T) {
	var out bytes.Buffer
	c := New(strings.NewReader(""), &out, "ana", false)
	evil := "\x1b]0;owned\x07\x1b[2Jcleared\u202e\r\x00\x9b31m"
	err := c.Send(context.Background(), bot.Reply{
		ChatID:   "console:ana",
		Text:     "hello " + evil + "\nsecond line",
		Buttons:  []bot.Button{{Label: "yes" + evil, Data: "y"}, {Label: "no", Data: "n"}},
		Document: &bot.Document{Name: "export" + evil + ".json", Content: []byte(`{"noticed": "` + evil + `"}`)},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range out.String() {
		if r != '\n' && (r < 0x20 || (r >= 0x7f && r <= 0x9f) || (r >= 0x202a && r <= 0x202e)) {
			t.Fatalf("output carries %U:\n%q", r, out.String())
		}
	}
	if !strings.Contains(out.String(), "bot: hello cleared") {
		t.Errorf("text lost:\n%s", out.String())
	}
}
