package flows_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/coachbot/coachbot/bot"
	"github.com/coachbot/coachbot/flows"
)

// delivered is one proactive message as a client's phone would show it.
type delivered struct {
	at    time.Time
	chat  string
	kind  string
	reply bot.Reply
}

// live advances the clock in steps for the given duration, sweeping after each
// step and handing each chat's new messages to react. It returns everything
// the sweeps sent.
func (w *world) live(d, step time.Duration, react func(c *chat, r bot.Reply)) []delivered {
	w.t.Helper()
	chats := map[string]*chat{}
	end := w.clock.Now().Add(d)
	var out []delivered
	for w.clock.Now().Before(end) {
		w.clock.Add(step)
		if _, err := w.e.Sweep(context.Background()); err != nil {
			w.t.Fatal(err)
		}
		for _, r := range w.drain("", nil) {
			out = append(out, delivered{at: w.clock.Now(), chat: r.ChatID, kind: r.Kind, reply: r})
			if react == nil {
				continue
			}
			c := chats[r.ChatID]
			if c == nil {
				_, name, _ := bot.SplitID(r.ChatID)
				c = w.chat(name)
				chats[r.ChatID] = c
			}
			c.last = r
			react(c, r)
		}
	}
	return out
}

var zurich, _ = time.LoadLocation("Europe/Zurich")

// perDay groups deliveries to one chat by local date and kind.
func perDay(ds []delivered, chat string) map[string][]string {
	days := map[string][]string{}
	for _, d := range ds {
		if d.chat == chat && d.kind != "" {
			day := d.at.In(zurich).Format("2006-01-02 Mon")
			days[day] = append(days[day], d.kind+"@"+d.at.In(zurich).Format("15:04"))
		}
	}
	return days
}

// checkGentle fails if a chat got more than max proactive messages on a day or
// any in quiet hours (21:00-08:00 local).
func checkGentle(t *testing.T, ds []delivered, chat string, max int) {
	t.Helper()
	count := map[string]int{}
	for _, d := range ds {
		if d.chat != chat || d.kind == "" || strings.HasPrefix(d.kind, "answer") {
			continue
		}
		local := d.at.In(zurich)
		if h := local.Hour(); h >= 21 || h < 8 {
			t.Errorf("%s got %s at %s, inside quiet hours", chat, d.kind, local.Format("Mon 15:04"))
		}
		count[local.Format("2006-01-02")]++
	}
	for day, n := range count {
		if n > max {
			t.Errorf("%s got %d proactive messages on %s, more than %d", chat, n, day, max)
		}
	}
}

func TestRhythmTwoWeeks(t *testing.T) {
	w := newWorld(t)
	ana, ben, cleo := w.chat("ana"), w.chat("ben"), w.chat("cleo")
	for _, c := range []*chat{ana, ben, cleo} {
		c.onboard() // Europe/Zurich, 09:00, rest days Sat Sun
		c.designAction("walk 10 minutes after lunch")
	}
	expect(t, cleo.send("/pause 5"), "Paused until")

	answered := 0
	ds := w.live(14*24*time.Hour, 15*time.Minute, func(c *chat, r bot.Reply) {
		if c.id != ana.id {
			return // ben ignores everything; cleo is paused
		}
		switch r.Kind {
		case flows.DueCheckIn:
			c.press("Reflect now")
			c.press("I did it")
			c.send("lighter in the afternoon")
			c.send("2")
			c.press("About right")
			c.press("Keep it")
			answered++
		case flows.DueRestDay:
			c.send("a long walk with no phone")
		}
	})

	// Ana: an invitation every weekday at 09:00, a recovery question on rest
	// days, never a nudge because she answers.
	days := perDay(ds, ana.id)
	for day, kinds := range days {
		weekend := strings.HasSuffix(day, "Sat") || strings.HasSuffix(day, "Sun")
		want := "checkin@09:00"
		if weekend {
			want = "restday@09:00"
		}
		if kinds[0] != want {
			t.Errorf("ana on %s got %v, want %s first", day, kinds, want)
		}
		for _, k := range kinds {
			if strings.HasPrefix(k, "nudge") {
				t.Errorf("ana was nudged on %s although she answered", day)
			}
			if weekend && strings.HasPrefix(k, "checkin") {
				t.Errorf("ana was invited to check in on her rest day %s", day)
			}
		}
	}
	if answered != 10 {
		t.Errorf("ana answered %d invitations in two weeks, want 10 (weekdays only)", answered)
	}
	checkGentle(t, ds, ana.id, 3)

	// Ben ignores everything: one nudge per invitation at most, then the bot
	// slows down and says so, and nothing piles up.
	days = perDay(ds, ben.id)
	invitations, nudges := 0, 0
	for _, kinds := range days {
		for _, k := range kinds {
			switch {
			case strings.HasPrefix(k, "checkin"):
				invitations++
			case strings.HasPrefix(k, "nudge"):
				nudges++
			}
		}
	}
	if invitations >= 10 || invitations < 3 {
		t.Errorf("ben got %d invitations in two weeks; want fewer than ana's 10 after backing off, and some", invitations)
	}
	if nudges > invitations {
		t.Errorf("ben got %d nudges for %d invitations", nudges, invitations)
	}
	slowed := false
	for _, d := range ds {
		if d.chat == ben.id && strings.Contains(d.reply.Text, "check in less often") {
			slowed = true
		}
	}
	if !slowed {
		t.Error("ben was never told the bot would check in less often")
	}
	checkGentle(t, ds, ben.id, 3)

	// Cleo paused for five days: nothing until the pause ends, then the rhythm
	// comes back by itself.
	for day := range perDay(ds, cleo.id) {
		if day < "2026-11-27" {
			t.Errorf("cleo got messages on %s during her pause", day)
		}
	}
	if len(perDay(ds, cleo.id)) == 0 {
		t.Error("cleo's rhythm never resumed after the pause")
	}
}

func TestSweepIsIdempotentAndCatchesUp(t *testing.T) {
	t.Run("TwiceSendsOnce", func(t *testing.T) {
		w := newWorld(t)
		c := w.chat("ana")
		c.onboard()
		w.clock.Set(time.Date(2026, 11, 23, 9, 0, 0, 0, zurich))
		for range 3 {
			if _, err := w.e.Sweep(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
		if got := len(w.drain(c.id, c)); got != 1 {
			t.Fatalf("three sweeps sent %d messages, want 1", got)
		}
	})
	t.Run("RestartMidMorning", func(t *testing.T) {
		w := newWorld(t)
		c := w.chat("ana")
		c.onboard()
		// Down from 08:00 to 11:30: the 09:00 invitation is still worth sending.
		w.clock.Set(time.Date(2026, 11, 23, 11, 30, 0, 0, zurich))
		w.e.Sweep(context.Background())
		rs := w.drain(c.id, c)
		if len(rs) != 1 || rs[0].Kind != flows.DueCheckIn {
			t.Fatalf("catch-up after a short downtime = %+v, want one invitation", rs)
		}
	})
	t.Run("LongDowntimeDropsStale", func(t *testing.T) {
		w := newWorld(t)
		c := w.chat("ana")
		c.onboard()
		// Down for three days: yesterday's invitations are stale; at most one
		// message today, none of them piled up.
		w.clock.Set(time.Date(2026, 11, 26, 10, 0, 0, 0, zurich))
		w.e.Sweep(context.Background())
		rs := w.drain(c.id, c)
		if len(rs) > 1 {
			t.Fatalf("after downtime got %d messages, want at most one catch-up", len(rs))
		}
		ds := w.live(24*time.Hour, 15*time.Minute, nil)
		if len(perDay(ds, c.id)) == 0 {
			t.Fatal("rhythm did not continue after downtime")
		}
	})
}

func TestInvitationChoices(t *testing.T) {
	w := newWorld(t)
	c := w.chat("ana")
	c.onboard()
	c.designAction("walk 10 minutes after lunch")
	w.clock.Set(time.Date(2026, 11, 23, 9, 0, 0, 0, zurich))
	w.e.Sweep(context.Background())
	rs := w.drain(c.id, c)
	expect(t, rs, "what have you noticed", "walk 10 minutes after lunch")
	expect(t, c.press("Later today"), "ask again around 12:00")
	ds := w.live(4*time.Hour, 15*time.Minute, nil)
	if len(ds) != 1 || ds[0].kind != flows.DueNudge || ds[0].at.In(zurich).Format("15:04") != "12:00" {
		t.Fatalf("after 'later today' got %+v, want one reminder at 12:00", ds)
	}
	c.last = ds[0].reply
	// The invitation's buttons still work after the reminder.
	w.clock.Set(time.Date(2026, 11, 24, 9, 0, 0, 0, zurich))
	w.e.Sweep(context.Background())
	w.drain(c.id, c)
	expect(t, c.press("Skip this one"), "Skipping is a fine choice")
	if ds := w.live(6*time.Hour, 15*time.Minute, nil); len(ds) != 0 {
		t.Fatalf("nudged after skipping: %+v", ds)
	}
}

// coachWorld sets up a coach and two linked clients.
func coachWorld(t *testing.T) (w *world, coach, ana, ben *chat) {
	w = newWorld(t)
	coach, ana, ben = w.chat("carla"), w.chat("ana"), w.chat("ben")
	expect(t, coach.send("/coach wrong-code"), "coach code")
	coach.send("/coach let-me-coach")
	coach.send("Europe/Zurich")
	coach.send("18:00")
	expect(t, coach.press("Daily"), "You're set up as a coach")
	for _, c := range []*chat{ana, ben} {
		rs := coach.send("/invite")
		code := inviteCode(t, rs)
		expect(t, c.send("/start "+code), "What I keep")
		c.press("Yes, let's begin")
		expect(t, []bot.Reply{c.last}, "carla will see", "never see a reflection you keep private")
		expect(t, c.press("Yes"), "Which time zone")
		c.send("Europe/Zurich")
		c.send("09:00")
		expect(t, c.send("none"), "connected with carla", "you're set up")
	}
	return w, coach, ana, ben
}

func inviteCode(t *testing.T, rs []bot.Reply) string {
	t.Helper()
	for _, r := range rs {
		if i := strings.Index(r.Text, "/start "); i >= 0 {
			return strings.Fields(r.Text[i+len("/start "):])[0]
		}
	}
	t.Fatalf("no invite code in %q", text(rs))
	return ""
}

func TestCoachDigestKeepsPrivateReflections(t *testing.T) {
	w, coach, ana, ben := coachWorld(t)
	ana.designAction("walk 10 minutes after lunch")
	ben.designAction("call my brother")
	ana.send("/checkin")
	ana.press("Partly")
	ana.send("SHARED-NOTICING the walk cleared my head")
	ana.send("2")
	ana.send("rain")
	ana.press("About right")
	ana.press("Keep it")
	expect(t, ana.press("Share with my coach"), "Thank you")
	ben.send("/checkin")
	ben.press("I did it")
	ben.send("PRIVATE-NOTICING I cried afterwards")
	ben.send("4")
	ben.press("Too hard")
	ben.press("Keep it")
	ben.press("Keep it private")

	rs := coach.send("/digest")
	got := text(rs)
	for _, want := range []string{"ana", "walk 10 minutes after lunch", "partly", "SHARED-NOTICING", "In the way: rain", "ben", "call my brother", "1 private check-in"} {
		if !strings.Contains(got, want) {
			t.Errorf("digest lacks %q:\n%s", want, got)
		}
	}
	// Private means private: not the words, not the outcome, not the ratings.
	for _, leak := range []string{"PRIVATE-NOTICING", "felt too hard", "did it", "4.0/5"} {
		if strings.Contains(got, leak) {
			t.Errorf("digest shows %q of a private check-in:\n%s", leak, got)
		}
	}
	expect(t, coach.send("/clients"), "ana: 1 running", "ben: 1 running")
	if got := text(coach.send("/client ben")); strings.Contains(got, "PRIVATE") {
		t.Errorf("/client shows a private reflection:\n%s", got)
	}

	// The scheduled digest arrives at 18:00 in the coach's zone.
	ds := w.live(12*time.Hour, 15*time.Minute, nil)
	var digest *delivered
	for i := range ds {
		if ds[i].kind == flows.DueDigest {
			digest = &ds[i]
		}
	}
	if digest == nil || digest.chat != coach.id || digest.at.In(zurich).Format("15:04") != "18:00" {
		t.Fatalf("scheduled digest = %+v, want one to the coach at 18:00", digest)
	}
	if strings.Contains(digest.reply.Text, "PRIVATE") {
		t.Error("scheduled digest shows a private reflection")
	}
}

func TestCoachAccess(t *testing.T) {
	w, coach, ana, _ := coachWorld(t)
	other := w.chat("olga")
	other.send("/coach let-me-coach")
	other.send("UTC")
	other.send("18:00")
	other.press("Daily")

	t.Run("ClientTriesCoachCommands", func(t *testing.T) {
		for _, cmd := range []string{"/invite", "/clients", "/client ben", "/session ben 2026-12-01 10:00", "/suggest ben run", "/digest"} {
			expect(t, ana.send(cmd), "for coaches")
		}
	})
	t.Run("OtherCoachSeesNothing", func(t *testing.T) {
		expect(t, other.send("/client ana"), "couldn't find a client of yours")
		expect(t, other.send("/suggest ana run a marathon"), "couldn't find a client of yours")
		expect(t, other.send("/clients"), "No clients yet")
		if got := text(other.send("/digest")); strings.Contains(got, "ana") {
			t.Errorf("other coach's digest mentions ana: %s", got)
		}
	})
	t.Run("ForgedInvite", func(t *testing.T) {
		eve := w.chat("eve")
		expect(t, eve.send("/start not-a-real-code"), "isn't valid", "What I keep")
	})
	t.Run("ReusedInvite", func(t *testing.T) {
		code := inviteCode(t, coach.send("/invite"))
		first, second := w.chat("fay"), w.chat("gus")
		first.send("/start " + code)
		first.press("Yes, let's begin")
		first.press("Yes")
		first.send("UTC")
		first.send("09:00")
		first.send("none")
		expect(t, second.send("/start "+code), "isn't valid")
		second.press("Yes, let's begin")
		if conv, _ := second.conversation(); conv.Step != "zone" {
			t.Fatalf("reused invite asked about the coach: step %q", conv.Step)
		}
	})
	t.Run("ExpiredInvite", func(t *testing.T) {
		code := inviteCode(t, coach.send("/invite"))
		w.clock.Add(8 * 24 * time.Hour)
		expect(t, w.chat("hal").send("/start "+code), "isn't valid")
	})
	t.Run("LeavingEndsAccess", func(t *testing.T) {
		ana.send("/settings")
		ana.press("Leave my coach")
		expect(t, ana.press("Yes"), "Done")
		expect(t, coach.send("/client ana"), "couldn't find a client of yours")
	})
}

func TestSuggestionIsChosenNotAssigned(t *testing.T) {
	_, coach, ana, ben := coachWorld(t)
	expect(t, coach.send("/suggest ana take a 10 minute walk after lunch"), "Sent to ana")
	rs := ana.drain()
	expect(t, rs, "carla suggests an experiment", "take a 10 minute walk after lunch", "yours to choose")
	expect(t, ana.press("Take it"), "size it", "When will you try it?") // "after lunch" names no day
	ana.press("Today")
	ana.send("1")
	ana.press("Low")
	ana.press("Hardly at all")
	ana.press("Nothing special")
	expect(t, ana.send("9"), "Saved: take a 10 minute walk after lunch")

	coach.send("/suggest ben run 5k")
	ben.drain()
	card := ben.last
	expect(t, ben.press("Decline"), "Declined")
	// The same card pressed again, or by someone else, changes nothing.
	ben.last = card
	expect(t, ben.press("Take it"), "expired")
	ana.last = card
	expect(t, ana.press("Take it"), "expired")
	x, _ := ben.export()
	if len(x.Experiments) != 0 {
		t.Fatalf("declined suggestion became an experiment: %+v", x.Experiments)
	}
	ax, _ := ana.export()
	if ax.Experiments[0].SuggestedBy != coach.id {
		t.Fatalf("suggested_by = %q", ax.Experiments[0].SuggestedBy)
	}
}

func TestSessionEveAndBrief(t *testing.T) {
	w, coach, ana, _ := coachWorld(t)
	ana.designAction("walk 10 minutes after lunch")
	expect(t, coach.send("/session ana 2026-11-26 14:00"), "next session with ana")
	expect(t, ana.drain(), "next session with carla is on Thursday 26 November, 14:00")
	ds := w.live(3*24*time.Hour, 15*time.Minute, func(c *chat, r bot.Reply) {
		if c.id == ana.id && r.Kind == flows.DueEve {
			c.send("how to keep walking when it rains")
			c.press("Share with my coach")
		}
	})
	var eve, brief bool
	for _, d := range ds {
		if d.chat == ana.id && d.kind == flows.DueEve {
			eve = true
			if day := d.at.In(zurich).Format("Mon"); day != "Wed" {
				t.Errorf("look-back invitation on %s, want the day before the session", day)
			}
		}
		if d.chat == coach.id && d.kind == flows.DueBrief {
			brief = true
		}
	}
	if !eve || !brief {
		t.Fatalf("eve sent %v, brief sent %v; want both", eve, brief)
	}
	expect(t, coach.send("/client ana"), "Wants to bring: how to keep walking when it rains")
}

func TestAssessmentIsOfferedNeverPressed(t *testing.T) {
	w := newWorld(t, func(c *flows.Config) { c.Rhythm.AssessEvery = 1 })
	c := w.chat("ana")
	c.onboard()
	c.designAction("walk 10 minutes after lunch")
	var offers []string
	ds := w.live(15*24*time.Hour, 30*time.Minute, func(ch *chat, r bot.Reply) {
		if r.Kind != flows.DueCheckIn || !strings.Contains(r.Text, "what have you noticed") {
			return
		}
		// She answers the invitation in her own words, then the rest.
		expect(t, ch.send("the walk cleared my head"), "kept that as what you noticed")
		ch.press("I did it")
		ch.send("2")
		ch.press("About right")
		closing := ch.press("Keep it")
		if !strings.Contains(text(closing), "Shall we look now?") {
			return
		}
		day := w.clock.Now().In(zurich).Format("Mon 2 Jan")
		offers = append(offers, day)
		expect(t, closing, "Thank you. Noted", "Shall we look now?") // one message: thanks and offer
		if len(offers) == 1 {
			expect(t, ch.press("Not now"), "after your check-in on Thursday")
			return
		}
		ch.press("Yes, let's look")
		ch.send("saying no")
		expect(t, ch.press("2 · I see the gap"), "progress, not a step back")
		ch.press("No")
	})
	for _, d := range ds {
		if d.kind == flows.DueAssessment {
			t.Errorf("an assessment arrived as a message of its own at %s", d.at.In(zurich))
		}
	}
	// Due a week after joining (a Sunday, her rest day), so offered after
	// Monday's check-in; postponed once by three days, then taken: the next
	// is a week later, after the fortnight.
	if got := strings.Join(offers, ", "); got != "Mon 30 Nov, Thu 3 Dec" {
		t.Fatalf("offers on %s, want Mon 30 Nov, Thu 3 Dec", got)
	}
	// /assess starts one any time, and /progress shows the movement.
	expect(t, c.send("/assess"), "Which skill")
	c.press("saying no")
	c.press("3 · I can, with effort")
	c.press("No")
	expect(t, c.send("/progress"), "How your skills have moved", "saying no: from aware of the gap to doing it with effort")
}

func TestCoachChangesDigestTime(t *testing.T) {
	w, coach, ana, _ := coachWorld(t)
	expect(t, coach.send("/coach"), "adjust your settings", "time zone")
	coach.send("Europe/Zurich")
	coach.send("07:30")
	expect(t, coach.press("Daily"), "You're set up as a coach")
	ana.designAction("walk 10 minutes after lunch")
	var digests []string
	for _, d := range w.live(24*time.Hour, 15*time.Minute, nil) {
		if d.kind == flows.DueDigest {
			digests = append(digests, d.at.In(zurich).Format("15:04"))
		}
	}
	if strings.Join(digests, " ") != "07:30" {
		t.Fatalf("digests at %v, want one at 07:30 and none at the old 18:00", digests)
	}
}
