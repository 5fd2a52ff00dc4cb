package flows_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/coachbot/coachbot/bot"
	"github.com/coachbot/coachbot/flows"
)

// noTrace fails if words appear anywhere the bot keeps things about a
// person: their export, their conversation, or any message in the outbox.
func noTrace(t *testing.T, w *world, c *chat, words string) {
	t.Helper()
	if x, ok := c.export(); ok {
		if b := strings.ToLower(flowsJSON(t, x)); strings.Contains(b, strings.ToLower(words)) {
			t.Errorf("export keeps %q", words)
		}
	}
	if conv, ok := c.conversation(); ok {
		for k, v := range conv.Answers {
			if strings.Contains(strings.ToLower(v), strings.ToLower(words)) {
				t.Errorf("conversation keeps %q in %s", words, k)
			}
		}
	}
	for _, platform := range []string{bot.Console, bot.Telegram, bot.Discord} {
		rows, err := w.db.Pending(context.Background(), platform, 100000)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			if strings.Contains(strings.ToLower(r.Reply.Text), strings.ToLower(words)) {
				t.Errorf("a message to %s quotes %q", r.Reply.ChatID, words)
			}
		}
	}
}

func TestDangerStopsEveryKindOfStep(t *testing.T) {
	steps := []struct {
		name  string
		reach func(c *chat)
	}{
		{"TextStep", func(c *chat) { c.send("/action") }},
		{"WhenStep", func(c *chat) { c.send("/action"); c.send("walk 10 minutes") }},
		{"NumberStep", func(c *chat) { c.send("/action"); c.send("walk 10 minutes"); c.send("today") }},
		{"ButtonStep", func(c *chat) { c.send("/action"); c.send("walk 10 minutes"); c.send("today"); c.send("2") }},
		{"TimeStep", func(c *chat) { c.send("/settings"); c.press("Check-in time") }},
		{"ZoneStep", func(c *chat) { c.send("/settings"); c.press("Time zone") }},
		{"CheckInNoticing", func(c *chat) { c.designAction("walk 10 minutes after lunch"); c.send("/checkin"); c.press("I did it") }},
		{"OutsideAnyFlow", func(c *chat) {}},
	}
	phrases := []string{"I dont want to be here anymore", "I cant go on", "I wanna die", "everyone would be better off without me"}
	for i, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			w := newWorld(t)
			c := w.chat("ana")
			c.onboard()
			st.reach(c)
			words := phrases[i%len(phrases)]
			rs := c.send(words)
			if len(rs) != 1 {
				t.Errorf("%d replies, want one", len(rs))
			}
			// Clear danger gets the help line; words that may be a sign get
			// the gentle question first. Either way the flow stops there.
			if strings.Contains(text(rs), "are you safe right now?") {
				if conv, _ := c.conversation(); conv.Flow != "safe" {
					t.Errorf("after the question the conversation is %s/%s", conv.Flow, conv.Step)
				}
				rs = c.press("I'm not safe")
			} else if conv, ok := c.conversation(); ok {
				t.Errorf("the %s flow goes on at %s", conv.Flow, conv.Step)
			}
			expect(t, rs, "not a crisis service", "Call 144 in an emergency.", "write to me again any time")
			noTrace(t, w, c, words)
		})
	}
}

func TestDangerInReplyToAnInvitation(t *testing.T) {
	w := newWorld(t)
	c := w.chat("ana")
	c.onboard()
	c.designAction("walk 10 minutes after lunch")
	w.live(26*time.Hour, 15*time.Minute, nil) // Monday's invitation went out
	words := "honestly i just want to disappear forever and never wake up"
	expect(t, c.send(words), "not a crisis service")
	noTrace(t, w, c, words)
	if x, _ := c.export(); len(x.CheckIns) != 0 {
		t.Fatalf("check-ins = %+v", x.CheckIns)
	}
}

func TestSafeIdiomsAreJustWords(t *testing.T) {
	w := newWorld(t)
	c := w.chat("ana")
	c.onboard()
	for _, words := range []string{
		"did 20 suicide sprints at practice", "this deadline is killing me", "I'm dying to try it",
		"killed it at the interview", "dead tired after the run", "time to kill the old project",
	} {
		rs := c.send(words)
		if strings.Contains(text(rs), "crisis") || strings.Contains(text(rs), "are you safe") {
			t.Errorf("%q got the safety answer: %s", words, text(rs))
		}
	}
}

func TestUncertainAsksGently(t *testing.T) {
	t.Run("Safe", func(t *testing.T) {
		w := newWorld(t)
		c := w.chat("ana")
		c.onboard()
		c.send("/action")
		c.send("walk 10 minutes")
		expect(t, c.send("whats the point of anything"), "are you safe right now?")
		rs := c.press("I'm safe")
		expect(t, rs, "Thank you for telling me", "When will you try it?") // back where she was, in one message
		if len(rs) != 1 {
			t.Fatalf("%d replies", len(rs))
		}
		c.send("today")
		expect(t, c.send("2"), "emotional load")
	})
	t.Run("NotSure", func(t *testing.T) {
		w := newWorld(t)
		c := w.chat("ana")
		c.onboard()
		expect(t, c.send("whats the point of anything"), "are you safe right now?")
		expect(t, c.press("I'm not sure"), "not a crisis service", "Call 144")
		var events []flows.SafetyEvent
		w.db.View(context.Background(), func(tx flows.Tx) error {
			var err error
			events, err = tx.SafetyEvents(c.id, time.Time{})
			return err
		})
		if len(events) != 1 || events[0].Level != flows.SafetyUnsafeAnswer {
			t.Fatalf("events = %+v", events)
		}
	})
}

func TestDangerPausesTheRhythm(t *testing.T) {
	w := newWorld(t)
	c := w.chat("ana")
	c.onboard()
	c.designAction("walk 10 minutes after lunch")
	expect(t, c.send("I want to kill myself"), "not a crisis service")
	first := w.clock.Now()
	ds := w.live(5*24*time.Hour, 15*time.Minute, nil)
	var got []time.Time
	for _, d := range ds {
		if d.chat == c.id {
			got = append(got, d.at)
		}
	}
	if len(got) == 0 {
		t.Fatal("the rhythm never resumed")
	}
	if got[0].Sub(first) < 72*time.Hour {
		t.Fatalf("a proactive message %v after the event, want nothing for 72h", got[0].Sub(first))
	}
	var events []flows.SafetyEvent
	w.db.View(context.Background(), func(tx flows.Tx) error {
		var err error
		events, err = tx.SafetyEvents(c.id, time.Time{})
		return err
	})
	if len(events) != 1 || events[0].Level != flows.SafetyDanger || events[0].CoachAlerted {
		t.Fatalf("events = %+v", events)
	}
}

func TestResumeEndsTheSafetyPauseEarlier(t *testing.T) {
	w := newWorld(t)
	c := w.chat("ana")
	c.onboard()
	expect(t, c.send("I want to kill myself"), "not a crisis service")
	w.live(2*time.Hour, 15*time.Minute, nil)
	expect(t, c.send("/resume"), "Welcome back")
	ds := w.live(30*time.Hour, 15*time.Minute, nil)
	for _, d := range ds {
		if d.chat == c.id && d.kind == flows.DueCheckIn {
			return
		}
	}
	t.Fatal("no invitation within 30 hours of /resume")
}

func TestCoachAlertedOnceWithoutWords(t *testing.T) {
	w, coach, ana, _ := coachWorld(t)
	words := "i am going to kill myself tonight"
	expect(t, ana.send(words), "not a crisis service")
	rs := coach.drain()
	expect(t, rs, "ana wrote something that suggests they may be struggling", "follow whatever you and ana agreed")
	if strings.Contains(text(rs), "tonight") {
		t.Fatal("the coach was told the client's words")
	}
	// A second message within the pause: the help line again, briefly; no
	// second alert.
	expect(t, ana.send("i want to die"), "Please reach out to someone now")
	if rs := coach.drain(); len(rs) != 0 {
		t.Fatalf("second alert: %s", text(rs))
	}
	noTrace(t, w, ana, words)
	// Nor does the digest say anything of it.
	for _, d := range w.live(24*time.Hour, 30*time.Minute, nil) {
		if strings.Contains(d.reply.Text, words) {
			t.Fatalf("the words reached %s", d.chat)
		}
	}
}

func TestCoachAlertCanBeTurnedOff(t *testing.T) {
	w := newWorld(t, func(c *flows.Config) { c.SafetyKeepCoachOut = true })
	coach, ana := w.chat("carla"), w.chat("ana")
	coach.send("/coach let-me-coach")
	coach.send("Europe/Zurich")
	coach.send("18:00")
	coach.press("Daily")
	code := inviteCode(t, coach.send("/invite"))
	ana.send("/start " + code)
	ana.press("Yes, let's begin")
	if strings.Contains(ana.last.Text, "gets a short message") {
		t.Fatalf("the preview promises an alert that is off: %s", ana.last.Text)
	}
	ana.press("Yes")
	ana.send("Europe/Zurich")
	ana.send("09:00")
	ana.send("none")
	expect(t, ana.send("i want to die"), "not a crisis service")
	if rs := coach.drain(); len(rs) != 0 {
		t.Fatalf("coach alerted: %s", text(rs))
	}
}

func TestConsentSaysWhatHappensOnDanger(t *testing.T) {
	w := newWorld(t)
	c := w.chat("ben")
	expect(t, c.send("/start"), "suggests you may be in danger", "pause my messages")
	coach := w.chat("carla")
	coach.send("/coach let-me-coach")
	coach.send("Europe/Zurich")
	coach.send("18:00")
	coach.press("Daily")
	ana := w.chat("ana")
	ana.send("/start " + inviteCode(t, coach.send("/invite")))
	expect(t, ana.press("Yes, let's begin"), "carla will see", "carla gets a short message at once that you may be struggling, never your words")
}

func flowsJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestDangerBeforeConsentStoresNothing(t *testing.T) {
	w := newWorld(t)
	c := w.chat("ana")
	expect(t, c.send("i want to end it all"), "not a crisis service")
	if _, ok := c.export(); ok {
		t.Fatal("a client row was stored for someone who never agreed")
	}
}
