package flows_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/coachbot/coachbot/bot"
	"github.com/coachbot/coachbot/flows"
	"github.com/coachbot/coachbot/scheduler"
)

func TestOnboarding(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		w := newWorld(t)
		c := w.chat("ana")
		expect(t, c.send("/start"), "What I keep", "Who can see it", "Shall we begin?")
		expect(t, c.press("Yes, let's begin"), "Which time zone")
		expect(t, c.send("zurich"), "What time of day")
		expect(t, c.send("9:30"), "rest days")
		expect(t, c.press("Sat Sun"), "Time zone: Europe/Zurich", "Check-in: 09:30", "Rest days: Sat Sun", "/action")
		x, ok := c.export()
		if !ok || !x.Client.Consented || x.Client.Zone.String() != "Europe/Zurich" ||
			x.Client.CheckIn != (scheduler.Clock{Hour: 9, Minute: 30}) || x.Client.RestDays != scheduler.Weekend {
			t.Fatalf("client after onboarding = %+v", x.Client)
		}
	})
	t.Run("Declined", func(t *testing.T) {
		w := newWorld(t)
		c := w.chat("ben")
		c.send("/start")
		expect(t, c.press("No, thank you"), "kept nothing except that you said no")
		x, ok := c.export()
		if !ok || x.Client.Consented || !x.Client.Zone.IsZero() || x.Client.Name != "" {
			t.Fatalf("after refusal stored %+v, want only the refusal", x.Client)
		}
		expect(t, c.send("/action"), "Send /start")
	})
}

// Bad input at every onboarding step gets a kind re-ask, keeps the step and
// stores nothing.
func TestOnboardingBadInput(t *testing.T) {
	steps := []struct {
		name string
		bad  string
		hint string
		good string
		step string
	}{
		{"consent", "maybe", "Shall we begin? Choose yes", "1", "consent"},
		{"zone", "Atlantis", "don't know that time zone", "Europe/Zurich", "zone"},
		{"time", "25:99", "couldn't read that as a time", "08:15", "time"},
		{"restdays", "Funday", "couldn't read those days", "none", "restdays"},
	}
	w := newWorld(t)
	c := w.chat("cleo")
	c.send("/start")
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			before, _ := c.conversation()
			rs := c.send(s.bad)
			expect(t, rs, s.hint)
			if len(rs) != 1 {
				t.Errorf("bad input got %d replies, want one re-ask", len(rs))
			}
			after, ok := c.conversation()
			if !ok || after.Step != s.step || after.Step != before.Step || len(after.Answers) != len(before.Answers) {
				t.Errorf("bad input moved the flow: before %+v after %+v", before, after)
			}
			c.send(s.good)
		})
	}
	if _, ok := c.conversation(); ok {
		t.Fatal("conversation still open after the last step")
	}
	x, _ := c.export()
	if x.Client.CheckIn.String() != "08:15" || x.Client.RestDays != 0 {
		t.Fatalf("client = %+v", x.Client)
	}
}

func TestActionDesign(t *testing.T) {
	t.Run("OutcomeBecomesWhy", func(t *testing.T) {
		w := newWorld(t)
		c := w.chat("ana")
		c.onboard()
		expect(t, c.send("/action"), "What would you like to try?")
		expect(t, c.send("grow my business"), `"grow my business" sounds like an outcome`, "first step")
		expect(t, c.send("be more successful"), "still sounds like a destination")
		// The step names its day, so "when" is not asked again.
		expect(t, c.send("email two past clients on Tuesday"), "How much energy")
		expect(t, c.send("6"), "number from 1 to 5")
		c.send("2")
		c.press("Low")
		c.send("my partner covers dinner")
		c.press("Nothing special")
		expect(t, c.send("9"), "Saved: email two past clients on Tuesday", "Toward: grow my business", "on Wednesday 25 November at 09:00", "what you noticed")
		x, _ := c.export()
		if len(x.Experiments) != 1 {
			t.Fatalf("experiments = %d, want 1", len(x.Experiments))
		}
		e := x.Experiments[0]
		want := flows.Experiment{Kind: flows.KindAction, Action: "email two past clients on Tuesday", Why: "grow my business",
			Energy: 2, Load: "low", People: "my partner covers dinner", Recovery: "nothing special", Carry: 9, Status: flows.StatusRunning,
			PlanFrom: "2026-11-24", PlanBy: "2026-11-24"}
		e.ID, e.ClientID, e.CreatedAt, e.UpdatedAt, e.CheckFrom = 0, "", time.Time{}, time.Time{}, time.Time{}
		if e != want {
			t.Fatalf("experiment = %+v\nwant %+v", e, want)
		}
	})
	t.Run("LowCarryOffersSmaller", func(t *testing.T) {
		w := newWorld(t)
		c := w.chat("ana")
		c.onboard()
		for _, in := range []string{"/action", "run 5k every morning", "this week", "4", "high", "hardly", "a long bath"} {
			c.send(in)
		}
		expect(t, c.send("4"), "smaller version", "run 5k every morning")
		expect(t, c.send("walk 10 minutes after lunch"), "how carryable")
		expect(t, c.send("8"), "Saved: walk 10 minutes after lunch")
		// The first design stays in the history, sized again is the one that runs.
		x, _ := c.export()
		if len(x.Experiments) != 2 || x.Experiments[1].PreviousID != x.Experiments[0].ID ||
			x.Experiments[0].Status != flows.StatusClosed || x.Experiments[1].Carry != 8 {
			t.Fatalf("experiments = %+v", x.Experiments)
		}
	})
	t.Run("NonAction", func(t *testing.T) {
		w := newWorld(t)
		c := w.chat("ana")
		c.onboard()
		c.send("/action")
		expect(t, c.press("Choose non-action instead"), "Choosing not to push is a real choice")
		c.press("Observe")
		expect(t, c.send("notice when I say yes too fast"), "Saved: Observing: notice when I say yes too fast", "That counts")
		x, _ := c.export()
		if len(x.Experiments) != 1 || x.Experiments[0].Kind != flows.KindObserve {
			t.Fatalf("experiments = %+v", x.Experiments)
		}
	})
}

// designAction runs /action with ordinary answers.
func (c *chat) designAction(what string) {
	c.w.t.Helper()
	c.send("/action")
	if strings.Contains(text(c.send(what)), "When will you try it?") {
		c.send("today")
	}
	for _, in := range []string{"2", "low", "hardly", "nothing special"} {
		c.send(in)
	}
	expect(c.w.t, c.send("8"), "Saved: "+what)
}

func TestCheckIn(t *testing.T) {
	t.Run("Done", func(t *testing.T) {
		w := newWorld(t)
		c := w.chat("ana")
		c.onboard()
		c.designAction("write three lines in my journal tonight")
		expect(t, c.send("/checkin"), `"write three lines in my journal tonight"`, "What happened?")
		expect(t, c.press("I did it"), "What did you notice?")
		expect(t, c.send("it calmed me down"), "How much energy")
		expect(t, c.send("2"), "How did the challenge feel?") // obstacle is skipped when it went as planned
		expect(t, c.press("Too easy"), "Easy often means it fits", "next")
		expect(t, c.press("Stretch it"), "stretch a little")
		expect(t, c.send("write a full page"), "how much energy")
		expect(t, c.press("Same as before"), "how carryable")
		expect(t, c.send("9"), "evidence of who you're becoming", `"write three lines in my journal tonight" → "write a full page"`)
		x, _ := c.export()
		if len(x.CheckIns) != 1 {
			t.Fatalf("check-ins = %d", len(x.CheckIns))
		}
		ci := x.CheckIns[0]
		if ci.Outcome != "done" || ci.Noticed != "it calmed me down" || ci.Energy != 2 || ci.Challenge != "easy" || ci.Next != "stretch" {
			t.Fatalf("check-in = %+v", ci)
		}
		if len(x.Experiments) != 2 || x.Experiments[1].Action != "write a full page" || x.Experiments[1].PreviousID != x.Experiments[0].ID {
			t.Fatalf("stretched: %+v", x.Experiments)
		}
		if ci.ExperimentID != x.Experiments[0].ID {
			t.Fatalf("check-in is about experiment %d, want the version it was about (%d)", ci.ExperimentID, x.Experiments[0].ID)
		}
	})
	t.Run("NotYetSkipsWhatDoesNotApply", func(t *testing.T) {
		w := newWorld(t)
		c := w.chat("ana")
		c.onboard()
		c.designAction("call my brother")
		var all []bot.Reply
		keep := func(rs []bot.Reply) []bot.Reply { all = append(all, rs...); return rs }
		keep(c.send("/checkin"))
		expect(t, keep(c.press("Not yet")), "That's information too")
		expect(t, keep(c.send("the week got full")), "What got in the way")
		expect(t, keep(c.send("work trip")), "What would you like to do with this experiment next?")
		expect(t, keep(c.press("Make it smaller")), "smaller version")
		keep(c.send("text my brother"))
		keep(c.send("1"))
		expect(t, keep(c.send("10")), "Not yet tells us something about fit, not about you")
		text := strings.ToLower(text(all))
		for _, banned := range []string{"did you do it", "failed", "streak", "missed"} {
			if strings.Contains(text, banned) {
				t.Errorf("check-in says %q", banned)
			}
		}
		x, _ := c.export()
		if ci := x.CheckIns[0]; ci.Energy != 0 || ci.Challenge != "" || ci.Obstacle != "work trip" {
			t.Fatalf("check-in = %+v", ci)
		}
	})
	t.Run("PicksAmongSeveral", func(t *testing.T) {
		w := newWorld(t)
		c := w.chat("ana")
		c.onboard()
		c.designAction("call my brother")
		c.designAction("walk 10 minutes after lunch")
		expect(t, c.send("/checkin"), "Which experiment")
		expect(t, c.send("2"), `"walk 10 minutes after lunch"`)
	})
	t.Run("NothingRunning", func(t *testing.T) {
		w := newWorld(t)
		c := w.chat("ana")
		c.onboard()
		expect(t, c.send("/checkin"), "no experiment running")
		if _, ok := c.conversation(); ok {
			t.Fatal("a conversation was opened")
		}
	})
}

func TestRest(t *testing.T) {
	w := newWorld(t)
	c := w.chat("ana")
	c.onboard()
	expect(t, c.send("/rest"), "choosing not to push")
	c.press("Let things settle")
	expect(t, c.press("Skip"), "letting things settle")
	x, _ := c.export()
	if len(x.NonActions) != 1 || x.NonActions[0].Kind != flows.KindIntegrate || x.NonActions[0].Date != "2026-11-22" || x.NonActions[0].Note != "" {
		t.Fatalf("non-actions = %+v", x.NonActions)
	}
	expect(t, c.send("/progress"), "You chose conscious non-action once", "not a gap")
}

func TestProgressSpeaksOfWhatWasBuilt(t *testing.T) {
	w := newWorld(t)
	c := w.chat("ana")
	c.onboard()
	expect(t, c.send("/progress"), "Nothing here yet")
	c.designAction("call my brother")
	c.send("/checkin")
	c.press("I did it")
	c.send("he was glad I called")
	c.send("1")
	c.press("About right")
	c.press("Keep it")
	rs := c.send("/progress")
	expect(t, rs, "You've designed 1 experiment", "call my brother", "stopped to reflect once", "he was glad I called", "evidence")
}

func TestSettings(t *testing.T) {
	w := newWorld(t)
	c := w.chat("ana")
	c.onboard()
	expect(t, c.send("/settings"), "Time zone: Europe/Zurich", "What would you like to change?")
	c.press("Check-in time")
	expect(t, c.send("lunchtime"), "couldn't read that as a time")
	expect(t, c.send("18:45"), "Check-in: 18:45")
	c.send("/settings")
	c.press("Time zone")
	expect(t, c.send("America/New_York"), "Time zone: America/New_York")
	c.send("/settings")
	expect(t, c.press("Nothing"), "Nothing changed")
}

func TestExportAndForget(t *testing.T) {
	w := newWorld(t)
	c := w.chat("ana")
	other := w.chat("ben")
	c.onboard()
	other.onboard()
	c.designAction("call my brother")
	rs := c.send("/export")
	if len(rs) != 1 || rs[0].Document == nil {
		t.Fatalf("export replies = %+v", rs)
	}
	var x flows.Export
	if err := json.Unmarshal(rs[0].Document.Content, &x); err != nil {
		t.Fatal(err)
	}
	if x.Client.ID != c.id || len(x.Experiments) != 1 {
		t.Fatalf("exported %+v", x)
	}

	expect(t, c.send("/forget"), "can't be undone")
	expect(t, c.press("No, keep it"), "Nothing was deleted")
	if _, ok := c.export(); !ok {
		t.Fatal("data gone after saying no")
	}
	c.send("/forget")
	expect(t, c.press("Yes, delete everything"), "Everything I kept about you is deleted")
	if _, ok := c.export(); ok {
		t.Fatal("data still there after /forget")
	}
	if _, ok := other.export(); !ok {
		t.Fatal("/forget deleted someone else")
	}
	expect(t, c.send("/forget"), "nothing to delete")
}

func TestEngineRules(t *testing.T) {
	t.Run("CancelFromAnyStep", func(t *testing.T) {
		for step := 0; step < 7; step++ {
			w := newWorld(t)
			c := w.chat("ana")
			c.onboard()
			for _, in := range []string{"/action", "call my brother", "today", "2", "low", "hardly", "nothing special"}[:step+1] {
				c.send(in)
			}
			expect(t, c.send("/cancel"), "Nothing from it was saved")
			if _, ok := c.conversation(); ok {
				t.Fatalf("step %d: conversation left behind", step)
			}
			if x, _ := c.export(); len(x.Experiments) != 0 {
				t.Fatalf("step %d: cancelled experiment saved", step)
			}
		}
	})
	t.Run("CommandMidFlowLeavesCleanly", func(t *testing.T) {
		w := newWorld(t)
		c := w.chat("ana")
		c.onboard()
		c.send("/action")
		c.send("call my brother")
		expect(t, c.send("/actions"), "We've left what we were doing", "No experiments running")
		if _, ok := c.conversation(); ok {
			t.Fatal("conversation left behind")
		}
	})
	t.Run("HelpKeepsTheFlow", func(t *testing.T) {
		w := newWorld(t)
		c := w.chat("ana")
		c.onboard()
		c.send("/action")
		expect(t, c.send("/help"), "/checkin", "in the middle of something")
		expect(t, c.send("call my brother"), "When will you try it?")
	})
	t.Run("StaleButton", func(t *testing.T) {
		w := newWorld(t)
		c := w.chat("ana")
		c.onboard()
		c.send("/action")
		old := c.last
		c.send("call my brother")
		before, _ := c.conversation()
		rs := c.handle(bot.Message{Press: old.Buttons[0].Data})
		expect(t, rs, "That button has expired")
		after, _ := c.conversation()
		if after.Step != before.Step || after.Token != before.Token {
			t.Fatalf("stale press changed the conversation: %+v -> %+v", before, after)
		}
	})
	t.Run("ForgedButton", func(t *testing.T) {
		w := newWorld(t)
		c := w.chat("ana")
		for _, data := range []string{"forged:yes", "nocolon", "", ":"} {
			rs := c.handle(bot.Message{Press: data + "x"})
			expect(t, rs, "That button has expired")
		}
		if _, ok := c.export(); ok {
			t.Fatal("a forged press stored a client")
		}
	})
	t.Run("UnknownCommandAndFreeText", func(t *testing.T) {
		w := newWorld(t)
		c := w.chat("ana")
		expect(t, c.send("/dance"), "I don't know /dance", "/help")
		expect(t, c.send("hello there"), "/help")
	})
	t.Run("TooLong", func(t *testing.T) {
		w := newWorld(t)
		c := w.chat("ana")
		c.onboard()
		c.send("/action")
		expect(t, c.send(strings.Repeat("a", flows.MaxInput+1)), "longer than I can take")
		conv, _ := c.conversation()
		if conv.Step != "what" {
			t.Fatalf("step = %q, want what", conv.Step)
		}
	})
	t.Run("Safety", func(t *testing.T) {
		w := newWorld(t)
		c := w.chat("ana")
		c.onboard()
		c.send("/action")
		rs := c.send("honestly I want to die")
		expect(t, rs, "not a crisis service", "Call 144 in an emergency.")
		if conv, ok := c.conversation(); ok {
			t.Fatalf("the flow goes on after a crisis message: %+v", conv)
		}
		if x, _ := c.export(); len(x.Experiments) != 0 {
			t.Fatal("crisis text stored")
		}
	})
	t.Run("CustomSafetyWords", func(t *testing.T) {
		w := newWorld(t, func(c *flows.Config) { c.CrisisWords = []string{"je veux mourir"} })
		c := w.chat("ana")
		expect(t, c.send("Je veux mourir"), "not a crisis service")
	})
	t.Run("DuplicateUpdate", func(t *testing.T) {
		w := newWorld(t)
		c := w.chat("ana")
		m := bot.Message{UpdateID: "telegram:77", Text: "/start"}
		if got := len(c.handle(m)); got != 1 {
			t.Fatalf("first delivery: %d replies", got)
		}
		if got := len(c.handle(m)); got != 0 {
			t.Fatalf("redelivery: %d replies, want 0", got)
		}
	})
	t.Run("GroupStoresNothing", func(t *testing.T) {
		w := newWorld(t)
		c := w.chat("group")
		expect(t, c.handle(bot.Message{Text: "/start", Group: true, UpdateID: "telegram:1"}), "private chat")
		if _, ok := c.conversation(); ok {
			t.Fatal("group message opened a conversation")
		}
		if _, ok := c.export(); ok {
			t.Fatal("group message stored a client")
		}
	})
	t.Run("OldFlowVersionRestarts", func(t *testing.T) {
		w := newWorld(t)
		c := w.chat("ana")
		c.onboard()
		err := w.db.Update(context.Background(), func(tx flows.Tx) error {
			return tx.SaveConversation(flows.Conversation{ChatID: c.id, UserID: c.id, Flow: "action", Step: "mood", Version: 0, Token: "old", Answers: flows.Answers{"what": "x"}})
		})
		if err != nil {
			t.Fatal(err)
		}
		expect(t, c.send("anything"), "begin it again", "What would you like to try?")
		conv, _ := c.conversation()
		if conv.Step != "what" || conv.Version == 0 {
			t.Fatalf("conversation = %+v", conv)
		}
	})
}

func TestCatalog(t *testing.T) {
	t.Run("Overrides", func(t *testing.T) {
		path := t.TempDir() + "/ov.yaml"
		writeFile(t, path, "help.pointer: \"Try /help, friend.\"\n")
		cat, err := flows.LoadCatalog("en", path)
		if err != nil {
			t.Fatal(err)
		}
		if got := cat.Text("help.pointer"); got != "Try /help, friend." {
			t.Fatalf("override = %q", got)
		}
	})
	t.Run("ErrUnknownKey", func(t *testing.T) {
		path := t.TempDir() + "/ov.yaml"
		writeFile(t, path, "help.pionter: \"typo\"\n")
		if _, err := flows.LoadCatalog("en", path); err == nil || !strings.Contains(err.Error(), "help.pionter") {
			t.Fatalf("err = %v, want one naming the unknown key", err)
		}
	})
	t.Run("ErrUnknownLanguage", func(t *testing.T) {
		if _, err := flows.LoadCatalog("xx", ""); err == nil {
			t.Fatal("want an error for an unknown language")
		}
	})
	t.Run("CommandsDescribed", func(t *testing.T) {
		w := newWorld(t)
		for _, c := range w.e.Commands() {
			if c.Description == "" || strings.HasPrefix(c.Description, "[") {
				t.Errorf("/%s has no description", c.Name)
			}
		}
	})
}

func TestLinkAccountsAcrossPlatforms(t *testing.T) {
	w := newWorld(t)
	tg := &chat{w: w, id: "telegram:42", name: "ana"}
	dc := &chat{w: w, id: "discord:99", name: "ana"}
	tg.onboard()
	tg.designAction("call my brother")

	t.Run("SeparateUntilLinked", func(t *testing.T) {
		expect(t, dc.send("/actions"), "Send /start")
	})
	t.Run("ErrInvalidCode", func(t *testing.T) {
		expect(t, dc.send("/link nonsense"), "isn't valid")
	})
	t.Run("ErrInvalidCodeCheckedFirst", func(t *testing.T) {
		// Someone set up already learns only that the code is wrong.
		rs := tg.send("/link 999999")
		expect(t, rs, "isn't valid")
		if strings.Contains(text(rs), "/export") || strings.Contains(text(rs), "/forget") {
			t.Fatalf("an invalid code led to advice about the account: %s", text(rs))
		}
	})
	linkCode := func() string {
		t.Helper()
		got := text(tg.send("/link"))
		i := strings.Index(got, "/link ")
		if i < 0 {
			t.Fatalf("no link code in %q", got)
		}
		return strings.Fields(got[i+len("/link "):])[0]
	}
	code := linkCode()
	t.Run("ErrSamePlatform", func(t *testing.T) {
		other := &chat{w: w, id: "telegram:43", name: "bob"}
		expect(t, other.send("/link "+code), "different app")
		code = linkCode() // the failed attempt spent the code
	})
	t.Run("OK", func(t *testing.T) {
		expect(t, dc.send("/link "+code), "now one")
		expect(t, tg.drain(), "Another app was just joined")
		expect(t, dc.send("/actions"), "call my brother")
		expect(t, dc.send("/link "+code), "isn't valid") // spent
		expect(t, dc.send("/link "+linkCode()), "already joined")
	})
	t.Run("ForgetRemovesBoth", func(t *testing.T) {
		dc.send("/forget")
		dc.press("Yes, delete everything")
		expect(t, tg.send("/actions"), "Send /start")
		expect(t, dc.send("/actions"), "Send /start")
	})
}
