package flows_test

import (
	"strings"
	"testing"
	"time"

	"github.com/coachbot/coachbot/bot"
	"github.com/coachbot/coachbot/flows"
)

// coachAndClient sets up a coach (daily or weekly digests at 18:00) and one
// client who joins with the given rest days.
func coachAndClient(t *testing.T, weekly bool, rest string) (w *world, coach, ana *chat) {
	t.Helper()
	w = newWorld(t)
	coach, ana = w.chat("carla"), w.chat("ana")
	coach.send("/coach let-me-coach")
	coach.send("Europe/Zurich")
	coach.send("18:00")
	often := "Daily"
	if weekly {
		often = "Weekly, on Mondays"
	}
	expect(t, coach.press(often), "You're set up as a coach")
	code := inviteCode(t, coach.send("/invite"))
	ana.send("/start " + code)
	ana.press("Yes, let's begin")
	ana.press("Yes")
	ana.send("Europe/Zurich")
	ana.send("09:00")
	expect(t, ana.send(rest), "connected with carla")
	return w, coach, ana
}

// privateCheckIn checks in on the only running experiment with a marker word
// in what was noticed and what got in the way, rated as costly and too hard,
// and keeps it private.
func privateCheckIn(c *chat, marker string) {
	c.w.t.Helper()
	c.send("/checkin")
	privateReflection(c, marker)
}

// privateReflection answers a check-in from its first question on.
func privateReflection(c *chat, marker string) {
	c.w.t.Helper()
	c.press("Partly")
	c.send(marker + " noticed something raw")
	c.send("5")
	c.send(marker + " obstacle")
	c.press("Too hard")
	c.press("Keep it")
	c.press("Keep it private")
}

func deliveredTo(ds []delivered, chat, kind string) []delivered {
	var out []delivered
	for _, d := range ds {
		if d.chat == chat && (kind == "" || d.kind == kind) {
			out = append(out, d)
		}
	}
	return out
}

func TestPrivateCheckInShowsOnlyThatItHappened(t *testing.T) {
	w, coach, ana := coachAndClient(t, false, "none")
	ana.designAction("walk 10 minutes after lunch")
	privateCheckIn(ana, "ZEBRA")
	expect(t, coach.send("/session ana 2026-11-24 14:00"), "next session with ana")
	ana.drain()

	leaks := []string{"ZEBRA", "felt too hard", "partly", "5.0/5", "too hard in"}
	check := func(where, got, count string) {
		t.Helper()
		for _, leak := range leaks {
			if strings.Contains(got, leak) {
				t.Errorf("%s shows %q of a private check-in:\n%s", where, leak, got)
			}
		}
		if !strings.Contains(got, count) {
			t.Errorf("%s does not count the private check-in:\n%s", where, got)
		}
	}
	check("/client", text(coach.send("/client ana")), "1 private check-in")
	check("/digest", text(coach.send("/digest")), "1 private check-in")
	// Two more private "too hard" check-ins: nothing worth raising from them.
	for range 2 {
		w.clock.Add(2 * time.Hour)
		privateCheckIn(ana, "ZEBRA")
	}
	if got := text(coach.send("/client ana")); strings.Contains(got, "Worth raising") {
		t.Errorf("private check-ins feed worth raising:\n%s", got)
	}
	ds := w.live(48*time.Hour, 15*time.Minute, nil)
	briefs := deliveredTo(ds, coach.id, flows.DueBrief)
	if len(briefs) != 1 {
		t.Fatalf("got %d briefs, want 1", len(briefs))
	}
	check("the brief", briefs[0].reply.Text, "3 private check-ins")

	// Ana changes her mind about the latest one: now the coach sees it.
	rs := ana.send("/progress")
	expect(t, rs, "Here's what you've been building", "carla sees the check-ins you shared")
	expect(t, ana.press("Change what my coach sees"), "1. ", "private")
	expect(t, ana.press("Share 1"), "Shared: carla now sees that one", "1. ", "shared")
	expect(t, ana.press("Done"), "Done")
	got := text(coach.send("/client ana"))
	if !strings.Contains(got, "ZEBRA") || !strings.Contains(got, "2 private check-ins") {
		t.Errorf("after sharing one, /client = \n%s", got)
	}
}

func TestDigestWithOnlyPrivateNews(t *testing.T) {
	// Ana answers each invitation with a private check-in.
	private := func(c *chat, r bot.Reply) {
		if r.Kind == flows.DueCheckIn {
			c.press("Reflect now")
			privateReflection(c, "ZEBRA")
		}
	}
	t.Run("OneLine", func(t *testing.T) {
		w, coach, ana := coachAndClient(t, false, "none")
		ana.designAction("walk 10 minutes after lunch")
		w.live(10*time.Hour, 15*time.Minute, nil) // the first digest, about the new experiment
		ds := deliveredTo(w.live(24*time.Hour, 15*time.Minute, private), coach.id, flows.DueDigest)
		if len(ds) != 1 {
			t.Fatalf("got %d digests, want 1", len(ds))
		}
		got := ds[0].reply.Text
		if !strings.Contains(got, "only check-ins kept private: ana (1 private check-in)") || strings.Contains(got, "news from") ||
			strings.Contains(got, "ZEBRA") || strings.Count(got, "\n") > 0 {
			t.Errorf("private-only digest = %q, want one line naming the count", got)
		}
	})
	t.Run("NotSent", func(t *testing.T) {
		w, coach, ana := coachAndClient(t, false, "none")
		expect(t, coach.send("/digest settings"), "kept private")
		expect(t, coach.press("Nothing"), "no digest is sent")
		ana.designAction("walk 10 minutes after lunch")
		w.live(10*time.Hour, 15*time.Minute, nil)
		if ds := deliveredTo(w.live(24*time.Hour, 15*time.Minute, private), coach.id, flows.DueDigest); len(ds) != 0 {
			t.Fatalf("a digest with only private news was sent: %q", ds[0].reply.Text)
		}
		// Setting up again keeps the choice.
		coach.send("/coach")
		coach.send("Europe/Zurich")
		coach.send("18:00")
		coach.press("Daily")
		if ds := deliveredTo(w.live(24*time.Hour, 15*time.Minute, private), coach.id, flows.DueDigest); len(ds) != 0 {
			t.Fatalf("after /coach again, a private-only digest was sent: %q", ds[0].reply.Text)
		}
	})
}

func TestWorthRaisingInTheEngine(t *testing.T) {
	t.Run("SilenceAfterAWeek", func(t *testing.T) {
		w, coach, _ := coachAndClient(t, false, "none")
		w.clock.Add(8 * 24 * time.Hour)
		expect(t, coach.send("/client ana"), "Worth raising", "No message from them for 8 days")
	})
	t.Run("NoSilenceTwoDaysAfterJoining", func(t *testing.T) {
		w, coach, _ := coachAndClient(t, false, "none")
		w.live(2*24*time.Hour, time.Hour, nil)
		if got := text(coach.send("/client ana")); strings.Contains(got, "No message") {
			t.Errorf("silence raised two days after joining:\n%s", got)
		}
	})
	t.Run("NoSilenceForAClientWhoWrites", func(t *testing.T) {
		w, coach, ana := coachAndClient(t, false, "none")
		w.clock.Add(6 * 24 * time.Hour)
		for range 3 {
			ana.send("/actions") // three messages in 48 hours
			w.clock.Add(16 * time.Hour)
		}
		w.clock.Add(2 * 24 * time.Hour)
		if got := text(coach.send("/client ana")); strings.Contains(got, "No message") {
			t.Errorf("silence raised for a client who wrote three times lately:\n%s", got)
		}
	})
	t.Run("PlannedRestDaysAreNotChosenRest", func(t *testing.T) {
		w, coach, ana := coachAndClient(t, false, "Fri Sat Sun")
		ds := w.live(7*24*time.Hour, 15*time.Minute, func(c *chat, r bot.Reply) {
			if c.id == ana.id && r.Kind == flows.DueRestDay {
				c.send("a long walk")
			}
		})
		if n := len(deliveredTo(ds, ana.id, flows.DueRestDay)); n < 3 {
			t.Fatalf("ana got %d rest-day questions, want 3 or more", n)
		}
		got := text(coach.send("/client ana"))
		if strings.Contains(got, "Chose rest") || strings.Contains(got, "non-action chosen") {
			t.Errorf("planned rest days count as chosen rest:\n%s", got)
		}
	})
	t.Run("ChosenRestThreeTimes", func(t *testing.T) {
		w, coach, ana := coachAndClient(t, false, "none")
		for range 3 {
			ana.send("/rest")
			ana.press("Rest")
			ana.press("Skip")
			w.clock.Add(24 * time.Hour)
		}
		expect(t, coach.send("/client ana"), "Conscious non-action chosen 3 times", "Chose rest in place of an experiment 3 times in the last 7 days")
	})
	t.Run("TooHardPerVersion", func(t *testing.T) {
		w, coach, ana := coachAndClient(t, false, "none")
		ana.designAction("walk 10 minutes after lunch")
		hard := func(next string, then ...string) {
			ana.send("/checkin")
			ana.press("Partly")
			ana.send("heavy legs")
			ana.send("4")
			ana.send("rain")
			ana.press("Too hard")
			ana.press(next)
			for _, in := range then {
				ana.send(in)
			}
			ana.press("Share with my coach")
			w.clock.Add(24 * time.Hour)
		}
		hard("Keep it")
		hard("Make it smaller", "walk 5 minutes after lunch", "same", "same")
		hard("Keep it")
		if got := text(coach.send("/client ana")); strings.Contains(got, "felt too hard in") {
			t.Errorf("too hard counted across versions (2 + 1):\n%s", got)
		}
		hard("Keep it")
		hard("Keep it")
		expect(t, coach.send("/client ana"), "walk 5 minutes after lunch\" felt too hard in 3 shared check-ins on this version")
	})
}

func TestCoachHearsOfRhythmAndChoices(t *testing.T) {
	w, coach, ana := coachAndClient(t, false, "none")
	w.live(10*time.Hour, 15*time.Minute, nil) // past today's digest
	expect(t, coach.send("/suggest ana run 5k"), "Sent to ana")
	ana.drain()
	expect(t, ana.press("Decline"), "your coach will see it was declined")
	coach.send("/suggest ana stretch for five minutes")
	ana.drain()
	ana.press("Reshape it")
	ana.send("stretch for two minutes after waking up tomorrow")
	for _, in := range []string{"1", "low", "hardly", "nothing special", "9"} {
		ana.send(in)
	}
	expect(t, ana.send("/pause 2"), "Paused until")
	expect(t, ana.send("/resume"), "Welcome back")
	ds := deliveredTo(w.live(24*time.Hour, 15*time.Minute, nil), coach.id, flows.DueDigest)
	if len(ds) != 1 {
		t.Fatalf("got %d digests, want 1", len(ds))
	}
	expect(t, []bot.Reply{ds[0].reply}, "ana",
		"stretch for two minutes after waking up tomorrow", "(your suggestion)",
		"Paused all messages on", "Resumed messages on",
		"Declined your suggestion “run 5k”",
		"Reshaped your suggestion “stretch for five minutes” into “stretch for two minutes after waking up tomorrow”")

	t.Run("SlowedRhythm", func(t *testing.T) {
		// Ana lets invitations pass: the bot slows down and the coach hears of
		// it once, as the bot's doing.
		var slowed string
		for _, d := range w.live(4*24*time.Hour, 15*time.Minute, nil) {
			if d.chat == coach.id && strings.Contains(d.reply.Text, "Rhythm slowed by the bot") {
				slowed += d.reply.Text
			}
		}
		if strings.Count(slowed, "Rhythm slowed by the bot to every 2 days") != 1 {
			t.Fatalf("digests told of the slower rhythm %d times, want once", strings.Count(slowed, "Rhythm slowed by the bot"))
		}
		expect(t, coach.send("/client ana"), "Rhythm: every 2 days, slowed by the bot")
		ana.send("/settings")
		ana.press("Rhythm")
		ana.press("Weekly")
		expect(t, coach.send("/client ana"), "Rhythm: weekly, their choice")
	})
}

func TestClientViewKeepsHistory(t *testing.T) {
	_, coach, ana := coachAndClient(t, false, "none")
	ana.send("/action")
	ana.send("grow my business")
	ana.send("email three past clients today")
	for _, in := range []string{"2", "low", "hardly", "nothing special", "8"} {
		ana.send(in)
	}
	ana.send("/checkin")
	ana.press("Partly")
	ana.send("one answered")
	ana.send("3")
	ana.send("nerves")
	ana.press("Too hard")
	ana.press("Make it smaller")
	ana.send("email one past client")
	ana.send("same")
	ana.send("same")
	ana.press("Share with my coach")
	ana.designAction("call my brother")
	ana.send("/checkin")
	ana.press("call my brother")
	ana.press("I did it")
	ana.send("he was glad")
	ana.send("1")
	ana.press("About right")
	ana.press("Pause it")
	ana.press("Share with my coach")

	expect(t, coach.send("/client ana"),
		// The outcome stays with the version it was about.
		"email three past clients today (partly, felt too hard) → email one past client (toward: grow my business) — new, no check-in yet",
		"Paused: call my brother")
	expect(t, ana.send("/progress"), "You've designed 2 experiments",
		"Toward grow my business: you tried “email three past clients today → email one past client” and noticed “one answered”")
}

func TestSessionPreparation(t *testing.T) {
	t.Run("EveOnARestDay", func(t *testing.T) {
		// The session is on Thursday; Wednesday is a rest day.
		w, coach, ana := coachAndClient(t, false, "Wed")
		expect(t, coach.send("/session ana 2026-11-26 14:00"), "next session with ana")
		ana.drain()
		ds := w.live(4*24*time.Hour, 15*time.Minute, func(c *chat, r bot.Reply) {
			if c.id == ana.id && r.Kind == flows.DueEve {
				c.send("how to keep walking when it rains")
				c.press("Share with my coach")
			}
		})
		eves := deliveredTo(ds, ana.id, flows.DueEve)
		if len(eves) != 1 || eves[0].at.In(zurich).Format("Mon 15:04") != "Wed 09:00" {
			t.Fatalf("look-backs %+v, want one on Wednesday at 09:00", eves)
		}
		for _, d := range deliveredTo(ds, ana.id, "") {
			if d.at.In(zurich).Format("Mon") == "Wed" && d.kind != flows.DueEve {
				t.Errorf("on the eve ana also got %s at %s", d.kind, d.at.In(zurich).Format("15:04"))
			}
		}
		briefs := deliveredTo(ds, coach.id, flows.DueBrief)
		if len(briefs) != 1 || briefs[0].at.In(zurich).Format("Mon 15:04") != "Wed 09:15" {
			t.Fatalf("briefs %+v, want one as soon as ana answered", briefs)
		}
		expect(t, []bot.Reply{briefs[0].reply}, "Before your session with ana", "Wants to bring: how to keep walking when it rains")
	})
	t.Run("BriefBeforeTheSessionWithoutAnAnswer", func(t *testing.T) {
		w, coach, ana := coachAndClient(t, false, "none")
		coach.send("/session ana 2026-11-24 14:00")
		ana.drain()
		ds := w.live(3*24*time.Hour, 15*time.Minute, nil)
		briefs := deliveredTo(ds, coach.id, flows.DueBrief)
		if len(briefs) != 1 || briefs[0].at.In(zurich).Format("Mon 15:04") != "Tue 11:00" {
			t.Fatalf("briefs %+v, want one on Tuesday at 11:00, three hours before", briefs)
		}
	})
	t.Run("WeeklyCoachGetsTheBring", func(t *testing.T) {
		w, coach, ana := coachAndClient(t, true, "none")
		coach.send("/session ana 2026-11-25 10:00")
		ana.drain()
		ds := w.live(3*24*time.Hour, 15*time.Minute, func(c *chat, r bot.Reply) {
			if c.id == ana.id && r.Kind == flows.DueEve {
				w.clock.Add(10 * time.Hour) // she answers in the evening
				c.send("my fear of pricing")
				expect(t, c.press("Share with my coach"), "Your coach will see it before the session")
			}
		})
		var got string
		for _, d := range deliveredTo(ds, coach.id, "") {
			if d.at.Before(time.Date(2026, 11, 25, 10, 0, 0, 0, zurich)) {
				got += d.reply.Text
			}
		}
		if !strings.Contains(got, "my fear of pricing") {
			t.Fatalf("the weekly coach did not get the bring before the session; got %q", got)
		}
	})
	t.Run("BringAfterTheBrief", func(t *testing.T) {
		w, coach, ana := coachAndClient(t, false, "none")
		coach.send("/session ana 2026-11-23 11:00") // tomorrow, brief at 08:00, look-back today
		ana.drain()
		w.live(30*time.Minute, 15*time.Minute, nil) // the look-back, set late on the day before
		conv, ok := ana.conversation()
		if !ok || conv.Flow != "lookback" {
			t.Fatalf("no look-back after a session set on the day before: %+v", conv)
		}
		w.live(22*time.Hour+30*time.Minute, 15*time.Minute, nil) // the brief at 08:00
		ana.send("my fear of pricing")
		ana.press("Share with my coach")
		expect(t, coach.drain(), "ana wants to bring to the session", "my fear of pricing")
	})
	t.Run("MovedSession", func(t *testing.T) {
		w, coach, ana := coachAndClient(t, false, "none")
		coach.send("/session ana 2026-11-26 14:00")
		w.clock.Add(time.Hour)
		expect(t, coach.send("/session ana 2026-12-01 10:00"), "Tuesday 1 December")
		expect(t, ana.drain(), "has moved to Tuesday 1 December, 10:00")
		ds := w.live(10*24*time.Hour, 15*time.Minute, nil)
		var got []string
		for _, d := range ds {
			if d.kind == flows.DueEve || d.kind == flows.DueBrief || d.kind == flows.DueAfterSession {
				got = append(got, d.kind+"@"+d.at.In(zurich).Format("Mon 2 Jan 15:04"))
			}
		}
		want := "eve@Mon 30 Nov 09:00 brief@Tue 1 Dec 07:00 after_session@Tue 1 Dec 11:00"
		if strings.Join(got, " ") != want {
			t.Fatalf("session moments %v, want %s", got, want)
		}
	})
}

func TestAfterSessionInvitation(t *testing.T) {
	t.Run("OnceAndLeadsIntoAction", func(t *testing.T) {
		w, coach, ana := coachAndClient(t, false, "none")
		coach.send("/session ana 2026-11-24 14:00")
		ana.drain()
		ds := w.live(5*24*time.Hour, 15*time.Minute, nil)
		after := deliveredTo(ds, ana.id, flows.DueAfterSession)
		if len(after) != 1 || after[0].at.In(zurich).Format("Mon 15:04") != "Tue 15:00" {
			t.Fatalf("after-session invitations %+v, want one on Tuesday at 15:00", after)
		}
		expect(t, []bot.Reply{after[0].reply}, "session with carla", "something from it you'd like to try")
		// Answering it later still works while it is the open question.
		w2, coach2, ben := coachAndClient(t, false, "none")
		coach2.send("/session ana 2026-11-24 14:00")
		ben.drain()
		w2.live(2*24*time.Hour+6*time.Hour, 15*time.Minute, nil)
		expect(t, ben.send("ask for the raise next week"), "energy")
	})
	t.Run("NotOnARestDayNorInQuietHours", func(t *testing.T) {
		// A Friday evening session; Saturday and Sunday are rest days.
		w, coach, ana := coachAndClient(t, false, "Sat Sun")
		coach.send("/session ana 2026-11-27 20:30")
		ana.drain()
		ds := w.live(9*24*time.Hour, 15*time.Minute, nil)
		after := deliveredTo(ds, ana.id, flows.DueAfterSession)
		if len(after) != 1 || after[0].at.In(zurich).Format("Mon 2 Jan 15:04") != "Mon 30 Nov 08:00" {
			t.Fatalf("after-session invitations %+v, want one on Monday at 08:00", after)
		}
		checkGentle(t, ds, ana.id, 3)
	})
}
