package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coachbot/coachbot/bot"
	"github.com/coachbot/coachbot/bot/telegram/telegramtest"
)

// rhythmRig is the whole bot on a fake Telegram and a fast clock: sweeps run
// when the test says, at the time the test says.
type rhythmRig struct {
	t     *testing.T
	fake  *telegramtest.Server
	clock *simClock
	cfg   string
	db    string
	app   *app
	live  *live
}

var zurich, _ = time.LoadLocation("Europe/Zurich")

func newRhythmRig(t *testing.T) *rhythmRig {
	clock := &simClock{t: time.Date(2026, 11, 22, 9, 30, 0, 0, zurich)}
	fake := telegramtest.NewServer(t, telegramtest.WithClock(clock.Now))
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.yaml")
	yaml := fmt.Sprintf("telegram: {token: %q, api_url: %q, per_second: 0, chat_per_second: 0}\n", fake.Token(), fake.URL())
	if err := os.WriteFile(cfg, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	r := &rhythmRig{t: t, fake: fake, clock: clock, cfg: cfg, db: filepath.Join(dir, "coachbot.db")}
	r.start()
	t.Cleanup(r.stop)
	return r
}

// start opens the app on the rig's database and connects it to the fake.
func (r *rhythmRig) start() {
	r.t.Helper()
	ctx := context.Background()
	e := env{getenv: func(string) string { return "" }, stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard}
	var c common
	fs := newFlags("test", e, &c) // sets the defaults, so fill c after it
	c.config, c.db = r.cfg, r.db
	a, err := openApp(ctx, e, c, fs, r.clock.Now)
	if err != nil {
		r.t.Fatal(err)
	}
	l, err := a.start(ctx)
	if err != nil {
		a.Close()
		r.t.Fatal(err)
	}
	r.app, r.live = a, l
}

// stop shuts the bot down, as a restart or the end of the test does.
func (r *rhythmRig) stop() {
	if r.live != nil {
		r.live.Close()
		r.app.Close()
		r.live, r.app = nil, nil
	}
}

// settle waits until every queued reply has reached the fake.
func (r *rhythmRig) settle() {
	r.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		rows, err := r.app.db.Pending(context.Background(), bot.Telegram, 1)
		if err != nil {
			r.t.Fatal(err)
		}
		if len(rows) == 0 && r.inFlight() == 0 {
			return
		}
		r.live.dispatcher.Kick()
		time.Sleep(2 * time.Millisecond)
	}
	r.t.Fatal("outbox did not drain")
}

// inFlight counts outbox rows marked as being sent: a proactive message is
// marked before it goes out, so it is no longer pending but not yet arrived.
func (r *rhythmRig) inFlight() int {
	r.t.Helper()
	db, err := sql.Open("sqlite", "file:"+r.db+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		r.t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM outbox WHERE status = 'sending'`).Scan(&n); err != nil {
		r.t.Fatal(err)
	}
	return n
}

// person is someone on Telegram talking to the bot.
type person struct {
	r    *rhythmRig
	chat int64
	seen int // messages already read
	got  []telegramtest.Sent
}

// next waits for at least one new message and then for the outbox to drain,
// and returns what arrived.
func (p *person) next() []telegramtest.Sent {
	p.r.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, _, err := p.r.fake.WaitAfter(ctx, p.chat, p.seen); err != nil {
		p.r.t.Fatalf("chat %d: no reply: %v", p.chat, err)
	}
	p.r.settle()
	return p.read()
}

// read returns the messages that arrived since the last read.
func (p *person) read() []telegramtest.Sent {
	all := p.r.fake.Messages(p.chat)
	news := all[p.seen:]
	p.seen = len(all)
	p.got = append(p.got, news...)
	return news
}

func (p *person) say(text string) []telegramtest.Sent {
	p.r.t.Helper()
	p.r.fake.SendText(p.chat, text)
	return p.next()
}

// press presses the newest button with this label.
func (p *person) press(label string) []telegramtest.Sent {
	p.r.t.Helper()
	all := p.r.fake.Messages(p.chat)
	for i := len(all) - 1; i >= 0; i-- {
		for _, row := range all[i].Buttons {
			for _, b := range row {
				if b.Text == label {
					p.r.fake.Press(p.chat, all[i].MessageID, b.Data)
					return p.next()
				}
			}
		}
	}
	var last []string
	for _, m := range all[max(0, len(all)-12):] {
		last = append(last, fmt.Sprintf("%q %v", m.Text, m.Labels()))
	}
	p.r.t.Fatalf("chat %d: no button %q; the last messages:\n%s", p.chat, label, strings.Join(last, "\n"))
	return nil
}

func (p *person) onboard() {
	p.r.t.Helper()
	p.say("/start")
	p.press("Yes, let's begin")
	p.say("Europe/Zurich")
	p.say("09:00")
	p.say("Sat Sun")
	for _, in := range []string{"/action", "walk 10 minutes after lunch", "today", "2", "low", "hardly", "nothing special", "8"} {
		p.say(in)
	}
}

// sweepUntil jumps from one due moment to the next until end, sweeping at each
// and letting react answer what each person received.
func (r *rhythmRig) sweepUntil(end time.Time, people []*person, react func(p *person, m telegramtest.Sent)) {
	r.t.Helper()
	ctx := context.Background()
	for {
		next, ok, err := r.app.engine.NextDue(ctx)
		if err != nil {
			r.t.Fatal(err)
		}
		if !ok || !next.Before(end) {
			r.clock.Set(end)
			return
		}
		r.clock.Set(next)
		if _, err := r.app.engine.Sweep(ctx); err != nil {
			r.t.Fatal(err)
		}
		r.live.dispatcher.Kick()
		r.settle()
		for _, p := range people {
			for _, m := range p.read() {
				if react != nil {
					react(p, m)
				}
			}
		}
	}
}

// TestTelegramRhythmTwoWeeks runs two weeks of rhythm over the fake Telegram on
// an injected clock: Ana answers, Ben ignores everything, Cleo pauses; the bot
// restarts in the middle of a day.
func TestTelegramRhythmTwoWeeks(t *testing.T) {
	if testing.Short() {
		t.Skip("two simulated weeks")
	}
	r := newRhythmRig(t)
	ana, ben, cleo := &person{r: r, chat: 101}, &person{r: r, chat: 102}, &person{r: r, chat: 103}
	people := []*person{ana, ben, cleo}
	for _, p := range people {
		p.onboard()
	}
	cleo.say("/pause 5")
	for _, p := range people {
		p.got = nil
	}

	react := func(p *person, m telegramtest.Sent) {
		if p != ana {
			return
		}
		switch {
		case strings.Contains(m.Text, "gentle nudge"):
			// The nudge asks the invitation's question again with its
			// buttons; she answers one of the two, not both.
		case strings.Contains(m.Text, "what have you noticed"):
			ana.press("Reflect now")
			ana.press("I did it")
			ana.say("lighter in the afternoon")
			ana.say("2")
			ana.press("About right")
			ana.press("Keep it")
		case strings.Contains(m.Text, "It's a rest day"):
			ana.say("a long walk without my phone")
		}
	}
	start := r.clock.Now()
	r.sweepUntil(start.Add(7*24*time.Hour+30*time.Minute), people, react) // Sunday 10:00

	// Restart in the middle of the day: nothing is lost, nothing repeated.
	r.stop()
	r.start()
	r.sweepUntil(start.Add(14*24*time.Hour), people, react)

	// Ana: one invitation each weekday at 09:00, a recovery question on rest
	// days, never a nudge, never an experiment mentioned on a rest day.
	invites := map[string]int{}
	for _, m := range ana.got {
		local := m.At.In(zurich)
		day := local.Format("Mon 02")
		weekend := local.Weekday() == time.Saturday || local.Weekday() == time.Sunday
		switch {
		case strings.Contains(m.Text, "gentle nudge"):
			t.Errorf("ana nudged on %s although she answers", day)
		case strings.Contains(m.Text, "what have you noticed"):
			invites[day]++
			if weekend || local.Format("15:04") != "09:00" {
				t.Errorf("ana invited on %s at %s", day, local.Format("15:04"))
			}
		case strings.Contains(m.Text, "It's a rest day") && !weekend:
			t.Errorf("rest-day question on a weekday %s", day)
		}
	}
	if len(invites) != 10 {
		t.Errorf("ana invited on %d days, want the 10 weekdays: %v", len(invites), invites)
	}
	for day, n := range invites {
		if n != 1 {
			t.Errorf("ana invited %d times on %s", n, day)
		}
	}

	// Ben ignores everything: fewer invitations than Ana, at most one nudge
	// each, the slower rhythm announced, never more than three a day, nothing
	// in quiet hours.
	benInvites, benNudges, slowed := 0, 0, false
	perDay := map[string]int{}
	for _, m := range ben.got {
		local := m.At.In(zurich)
		perDay[local.Format("Mon 02")]++
		if h := local.Hour(); h >= 21 || h < 8 {
			t.Errorf("ben got a message at %s, in quiet hours", local.Format("Mon 02 15:04"))
		}
		// The nudge asks the invitation's question again, and the slower
		// rhythm is announced with the next invitation, in one message.
		if strings.Contains(m.Text, "check in less often") {
			slowed = true
		}
		switch {
		case strings.Contains(m.Text, "gentle nudge"):
			benNudges++
		case strings.Contains(m.Text, "what have you noticed"):
			benInvites++
		}
	}
	if benInvites >= 10 || benInvites == 0 || benNudges > benInvites || !slowed {
		t.Errorf("ben: %d invitations, %d nudges, slowed %v; want backing off", benInvites, benNudges, slowed)
	}
	for day, n := range perDay {
		if n > 3 {
			t.Errorf("ben got %d messages on %s", n, day)
		}
	}

	// Cleo: nothing during the pause, then the rhythm resumes by itself.
	resumed := false
	for _, m := range cleo.got {
		if m.At.Before(time.Date(2026, 11, 27, 0, 0, 0, 0, zurich)) {
			t.Errorf("cleo got %q during her pause", m.Text)
		} else {
			resumed = true
		}
	}
	if !resumed {
		t.Error("cleo's rhythm did not resume after the pause")
	}
}
