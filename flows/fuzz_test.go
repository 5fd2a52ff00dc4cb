package flows_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/coachbot/coachbot/bot"
	"github.com/coachbot/coachbot/flows"
)

// Hostile input, systematically: whatever arrives, the engine answers without
// an error, and an answer it cannot use changes nothing. The seeds run with
// every ordinary test run; `go test -fuzz FuzzX ./flows` explores further.

// handleFuzz sends m as c and fails on an error; it returns the replies.
func handleFuzz(t *testing.T, c *chat, m bot.Message) []bot.Reply {
	t.Helper()
	c.w.seq++
	m.ChatID, m.UserID, m.Name, m.At = c.id, c.id, c.name, c.w.clock.Now()
	if err := c.w.e.Handle(context.Background(), m); err != nil {
		t.Fatalf("handle %q: %v", m.Text+m.Press, err)
	}
	return c.drain()
}

func FuzzCommand(f *testing.F) {
	for _, s := range []string{"/start", "/start abc", "/START@bot x", "/", "//", "/help me", "/pause -1", "/pause 999999999999",
		"/pause 3 days", "/session ana 2026-13-45 25:99", "/suggest", "/client", "/link", "/link \x00", "/approve telegram:1",
		"/checkin\n/rest", "/action " + strings.Repeat("x", 5000), "/coach let-me-coach", "/ä", "/\u202e"} {
		f.Add(s)
	}
	w := newWorld(f)
	f.Fuzz(func(t *testing.T, text string) {
		w.t = t
		c := w.chat("fuzzer")
		rs := handleFuzz(t, c, bot.Message{Text: text})
		if len(rs) == 0 && strings.TrimSpace(text) != "" {
			t.Fatalf("no answer to %q", text)
		}
	})
}

// stepCases put a person at one kind of step.
var stepCases = []struct {
	name  string
	reach func(c *chat)
	flow  string
}{
	{"Text", func(c *chat) { c.send("/action") }, "action"},
	{"Choice", func(c *chat) { c.send("/action"); c.send("walk 10 minutes"); c.send("today"); c.send("2") }, "action"},
	{"Scale", func(c *chat) { c.send("/action"); c.send("walk 10 minutes"); c.send("today") }, "action"},
	{"Time", func(c *chat) { c.send("/settings"); c.press("Check-in time") }, "settings"},
	{"Zone", func(c *chat) { c.send("/settings"); c.press("Time zone") }, "settings"},
	{"Weekdays", func(c *chat) { c.send("/settings"); c.press("Rest days") }, "settings"},
	{"Day", func(c *chat) { c.send("/action"); c.send("walk 10 minutes"); c.send("soonish"); c.press("Pick a day") }, "action"},
}

func FuzzStepInput(f *testing.F) {
	for _, s := range []string{"", " ", "0", "-1", "6", "99999999999999999999", "1.5", "٣", "25:61", "24:00", "9pm", "Mars/Base",
		"Europe/../../etc/passwd", "none none", "Mon Mon Mon", "Sat Sun Mon Tue Wed Thu Fri", "yes\nno", "\x1b[31mred", "🙂",
		"next next thursday", "31.02.", "2027-02-29", "in 99999 days", strings.Repeat("a", 1001)} {
		// Each seed at two kinds of step keeps the ordinary test run quick;
		// fuzzing tries every kind.
		f.Add(len(s)%len(stepCases), s)
		f.Add((len(s)+3)%len(stepCases), s)
	}
	w := newWorld(f)
	n := 0
	f.Fuzz(func(t *testing.T, which int, text string) {
		w.t = t
		if which < 0 {
			which = -which
		}
		sc := stepCases[which%len(stepCases)]
		n++
		c := w.chat(fmt.Sprintf("%s%d", strings.ToLower(sc.name), n))
		c.onboard()
		sc.reach(c)
		before, ok := c.conversation()
		if !ok || before.Flow != sc.flow {
			t.Fatalf("%s: not at a step: %+v", sc.name, before)
		}
		rs := handleFuzz(t, c, bot.Message{Text: text})
		if len(rs) == 0 {
			t.Fatalf("%s: no answer to %q", sc.name, text)
		}
		after, ok := c.conversation()
		if ok && after.Step == before.Step && after.Flow == before.Flow {
			// Asked again: nothing the answer said was kept as this step's answer.
			if v, had := after.Answers[before.Step]; had && v != before.Answers[before.Step] {
				t.Fatalf("%s: a rejected answer %q was stored as %q", sc.name, text, v)
			}
		}
	})
}

func FuzzButton(f *testing.F) {
	for _, s := range []string{"", ":", "x:y", "!s", "!s1:accept", "!s-1:decline", "!r", "!r99", "!r-1", "abc:yes",
		"::::", "!s999999999999999999999:accept", "\x00:\x00"} {
		f.Add(s)
	}
	w := newWorld(f)
	n := 0
	f.Fuzz(func(t *testing.T, data string) {
		w.t = t
		n++
		c := w.chat(fmt.Sprintf("presser%d", n))
		c.onboard()
		c.send("/action")
		before, _ := c.conversation()
		rs := handleFuzz(t, c, bot.Message{Press: data})
		if len(rs) == 0 {
			t.Fatalf("no answer to a press of %q", data)
		}
		if after, ok := c.conversation(); data != "" && !strings.HasPrefix(data, before.Token+":") && (!ok || after.Step != before.Step || after.Token != before.Token) {
			t.Fatalf("a forged press %q moved the conversation: %+v", data, after)
		}
	})
}

func FuzzInviteAndLinkCodes(f *testing.F) {
	for _, s := range []string{"", "x", "ABCDEF", "999999", "' OR 1=1 --", "%", "_", "code with spaces", strings.Repeat("z", 300)} {
		f.Add(s)
	}
	w := newWorld(f)
	coach := w.chat("carla")
	coach.send("/coach let-me-coach")
	coach.send("Europe/Zurich")
	coach.send("18:00")
	coach.press("Daily")
	n := 0
	f.Fuzz(func(t *testing.T, code string) {
		w.t = t
		coach.w.t = t
		n++
		c := w.chat(fmt.Sprintf("guest%d", n))
		handleFuzz(t, c, bot.Message{Text: "/start " + code})
		handleFuzz(t, c, bot.Message{Text: "/link " + code})
		var clients []flows.Client
		err := w.db.View(context.Background(), func(tx flows.Tx) error {
			var err error
			clients, err = tx.ClientsOf(coach.id)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(clients) != 0 {
			t.Fatalf("a guessed code %q joined a coach", code)
		}
	})
}
