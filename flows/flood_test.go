package flows_test

import (
	"strings"
	"testing"
	"time"

	"github.com/coachbot/coachbot/bot"
	"github.com/coachbot/coachbot/flows"
)

func TestFloodAsksOnceToSlowDown(t *testing.T) {
	w := newWorld(t, func(c *flows.Config) { c.FloodMessages = 0 }) // the default
	c := &chat{w: w, id: "telegram:7", name: "ana"}
	var replies []bot.Reply
	for i := 0; i < 30; i++ {
		replies = append(replies, c.send("hello")...)
	}
	slow := 0
	for _, r := range replies {
		if strings.Contains(r.Text, "wait a few seconds") {
			slow++
		}
	}
	if slow != 1 {
		t.Fatalf("asked to slow down %d times, want once", slow)
	}
	if len(replies) != flows.DefaultFloodMessages+1 {
		t.Fatalf("%d replies to 30 messages, want %d answers and one request to slow down", len(replies), flows.DefaultFloodMessages)
	}
	// Nothing of the dropped messages is stored: the 21st to 30th left no
	// dedupe record, so the same update ID is handled once the pace drops.
	w.clock.Add(10 * time.Second)
	expect(t, c.handle(bot.Message{UpdateID: "console:late", Text: "/help"}), "Here's what I can do")
}

func TestFloodLimitSparesTheConsole(t *testing.T) {
	w := newWorld(t, func(c *flows.Config) { c.FloodMessages = 0 })
	c := w.chat("ana")
	for i := 0; i < 50; i++ {
		expect(t, c.send("hello"), "not sure what to do with that")
	}
}

func TestFloodLimitOff(t *testing.T) {
	w := newWorld(t, func(c *flows.Config) { c.FloodMessages = -1 })
	c := &chat{w: w, id: "telegram:8", name: "ana"}
	for i := 0; i < 50; i++ {
		expect(t, c.send("hello"), "not sure what to do with that")
	}
}
