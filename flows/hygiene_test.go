package flows_test

import (
	"strings"
	"testing"

	"github.com/coachbot/coachbot/bot"
)

// TestGroupUpdatesAreDeduplicated: a group update delivered three times is
// answered once, like a private one.
func TestGroupUpdatesAreDeduplicated(t *testing.T) {
	w := newWorld(t)
	c := &chat{w: w, id: "telegram:-100", name: "group"}
	m := bot.Message{UpdateID: "telegram:901", Text: "hello all", Group: true}
	replies := 0
	for range 3 {
		replies += len(c.handle(m))
	}
	if replies != 1 {
		t.Fatalf("%d replies to one group update delivered three times, want 1", replies)
	}
}

// TestControlCharactersAreNotStored: escapes and control characters are
// removed before anything is stored or shown to a coach.
func TestControlCharactersAreNotStored(t *testing.T) {
	w := newWorld(t)
	c := w.chat("ana")
	c.onboard()
	c.send("/action")
	c.send("walk \x1b[31m10 minutes\x1b[0m\x07 around\u202e the block")
	x := func() string {
		c.send("today")
		for _, in := range []string{"2", "low", "hardly", "nothing special", "8"} {
			c.send(in)
		}
		ex, _ := c.export()
		return ex.Experiments[0].Action
	}()
	if strings.ContainsAny(x, "\x1b\x07\u202e") || x != "walk 10 minutes around the block" {
		t.Fatalf("stored action = %q", x)
	}
}
