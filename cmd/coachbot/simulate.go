package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/coachbot/coachbot/bot"
	"github.com/coachbot/coachbot/flows"
	"github.com/coachbot/coachbot/internal/progress"
	"github.com/coachbot/coachbot/scheduler"
)

// simClock is the fast clock of a simulation: it only moves when told to.
type simClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *simClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *simClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t.After(c.t) {
		c.t = t
	}
}

// cmdSimulate prints the timeline a demo client and their coach would receive,
// on a fast clock and a throwaway database, so a coach can preview the rhythm
// before inviting anyone.
func cmdSimulate(ctx context.Context, e env, args []string) error {
	var c common
	fs := newFlags("simulate", e, &c)
	days := fs.Int("days", 14, "how many `days` to simulate")
	start := fs.String("start", "", "first `date` (YYYY-MM-DD; default today)")
	tz := fs.String("tz", "Europe/Zurich", "the demo client's time `zone`")
	at := fs.String("at", "09:00", "the demo client's check-in `time`")
	rest := fs.String("rest", "Sat Sun", "the demo client's rest `days`")
	if err := parse(fs, args); err != nil {
		return err
	}
	loc, err := scheduler.ParseZone(*tz)
	if err != nil {
		return &usageError{msg: "coachbot simulate: -tz: " + err.Error()}
	}
	if _, err := scheduler.ParseClock(*at); err != nil {
		return &usageError{msg: "coachbot simulate: -at: " + err.Error()}
	}
	if _, err := scheduler.ParseWeekdays(*rest); err != nil {
		return &usageError{msg: "coachbot simulate: -rest: " + err.Error()}
	}
	if *days < 1 || *days > 120 {
		return &usageError{msg: "coachbot simulate: -days must be between 1 and 120"}
	}
	first := scheduler.DateOf(time.Now(), loc)
	if *start != "" {
		if first, err = scheduler.ParseDate(*start); err != nil {
			return &usageError{msg: "coachbot simulate: -start: " + err.Error()}
		}
	}

	dir, err := os.MkdirTemp("", "coachbot-simulate-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	c.db = filepath.Join(dir, "simulate.db")
	clock := &simClock{t: scheduler.At(first.AddDays(-1), scheduler.Clock{Hour: 10}, loc)}
	// The demo coach joins with a code only this run knows.
	getenv := func(k string) string {
		if k == "COACHBOT_COACH_CODE" {
			return simCoachCode
		}
		return e.getenv(k)
	}
	a, err := openApp(ctx, env{getenv: getenv, stdin: e.stdin, stdout: e.stdout, stderr: io.Discard}, c, fs, clock.Now)
	if err != nil {
		return err
	}
	defer a.Close()
	p := newProgress(e)
	defer p.Done()
	sim := &simulation{a: a, clock: clock, out: p.Above(e.stdout), loc: loc, progress: p}
	return sim.run(ctx, *days, first, *tz, *at, *rest)
}

// simulation drives a demo coach and client through the engine.
type simulation struct {
	a     *app
	clock *simClock
	out   io.Writer
	loc   *time.Location
	// live is set once the timeline runs: what Ana's answers send the coach
	// (the brief after her look-back) belongs in it too.
	live bool
	// progress shows which day the simulation has reached.
	progress *progress.Line
}

const (
	simCoachCode = "simulation"
	simCoach     = "console:coach"
	simClient    = "console:ana"
)

// say sends a message as someone and returns the replies it caused.
func (s *simulation) say(ctx context.Context, from, text string) []bot.Reply {
	_, name, _ := bot.SplitID(from)
	m := bot.Message{ChatID: from, UserID: from, Name: strings.ToUpper(name[:1]) + name[1:], Text: text, At: s.clock.Now()}
	if err := s.a.engine.Handle(ctx, m); err != nil {
		fmt.Fprintf(s.out, "simulation: %v\n", err)
	}
	return s.echo(s.drain(ctx))
}

// echo prints, once the timeline runs, what a person's answer sent the coach.
func (s *simulation) echo(rs []bot.Reply) []bot.Reply {
	for _, r := range rs {
		if s.live && r.ChatID == simCoach && r.Kind != "" {
			s.print(r)
		}
	}
	return rs
}

// press presses the button with this label on the latest reply.
func (s *simulation) press(ctx context.Context, from string, rs []bot.Reply, label string) []bot.Reply {
	for i := len(rs) - 1; i >= 0; i-- {
		for _, b := range rs[i].Buttons {
			if b.Label == label {
				m := bot.Message{ChatID: from, UserID: from, Press: b.Data, At: s.clock.Now()}
				if err := s.a.engine.Handle(ctx, m); err != nil {
					fmt.Fprintf(s.out, "simulation: %v\n", err)
				}
				return s.echo(s.drain(ctx))
			}
		}
	}
	return nil
}

// drain takes every queued reply out of the outbox.
func (s *simulation) drain(ctx context.Context) []bot.Reply {
	rows, err := s.a.db.Pending(ctx, bot.Console, 1000)
	if err != nil {
		return nil
	}
	var out []bot.Reply
	for _, r := range rows {
		_ = s.a.db.MarkSent(ctx, r.ID, s.clock.Now())
		out = append(out, r.Reply)
	}
	return out
}

func (s *simulation) run(ctx context.Context, days int, first scheduler.Date, tz, at, rest string) error {
	// Set-up, the day before: the coach joins and invites Ana, who starts and
	// designs one experiment. None of this is printed: the timeline is what
	// arrives unasked.
	s.say(ctx, simCoach, "/coach "+simCoachCode)
	s.say(ctx, simCoach, tz)
	s.say(ctx, simCoach, "18:00")
	s.say(ctx, simCoach, "daily")
	code := ""
	for _, r := range s.say(ctx, simCoach, "/invite") {
		if i := strings.Index(r.Text, "/start "); i >= 0 {
			code = strings.Fields(r.Text[i+len("/start "):])[0]
		}
	}
	for _, line := range []string{"/start " + code, "1", "1", tz, at, rest, "/action", "walk 10 minutes after lunch", "today", "2", "low", "hardly", "a glass of water", "8"} {
		s.say(ctx, simClient, line)
	}
	session := first.AddDays(days - 2)
	s.say(ctx, simCoach, fmt.Sprintf("/session Ana %s 14:00", session))

	fmt.Fprintf(s.out, "What Ana (client, %s, check-in %s, rest days %s) and her coach receive over %d days:\n\n", tz, at, rest, days)
	end := scheduler.At(first.AddDays(days), scheduler.Clock{}, s.loc)
	s.live = true
	s.clock.Set(scheduler.At(first, scheduler.Clock{}, s.loc))
	for {
		next, ok, err := s.a.engine.NextDue(ctx)
		if err != nil {
			return err
		}
		if !ok || !next.Before(end) {
			break
		}
		s.clock.Set(next)
		if s.progress != nil {
			s.progress.Show("simulate: day %d of %d", int(next.Sub(scheduler.At(first, scheduler.Clock{}, s.loc)).Hours()/24)+1, days)
		}
		if _, err := s.a.engine.Sweep(ctx); err != nil {
			return err
		}
		for _, r := range s.drain(ctx) {
			s.print(r)
			if r.ChatID == simClient {
				s.react(ctx, r)
			}
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	return nil
}

// print writes one timeline line: local time, recipient, kind, first line.
func (s *simulation) print(r bot.Reply) {
	who := "Ana"
	if r.ChatID == simCoach {
		who = "coach"
	}
	kind := r.Kind
	if kind == "" {
		kind = "reply"
	}
	first, _, _ := strings.Cut(r.Text, "\n")
	fmt.Fprintf(s.out, "%s  %-5s  %-10s  %s\n", s.clock.Now().In(s.loc).Format("Mon 02 Jan 15:04"), who, kind, shortLine(first, 90))
}

func shortLine(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// react is Ana's behaviour: she answers most invitations, goes quiet for a
// few days in the middle (so nudges and the slower rhythm show), answers
// rest-day questions sometimes, and looks back before the session.
func (s *simulation) react(ctx context.Context, r bot.Reply) {
	d := scheduler.DateOf(s.clock.Now(), s.loc)
	quiet := d.Day%7 >= 3 && d.Day%7 <= 5 // a few quiet days each week
	note := func(text string) {
		fmt.Fprintf(s.out, "%s  Ana    %-10s  (%s)\n", s.clock.Now().In(s.loc).Format("Mon 02 Jan 15:04"), "answers", text)
	}
	switch r.Kind {
	case flows.DueCheckIn:
		if quiet || len(r.Buttons) == 0 {
			return
		}
		note("reflects on the walk")
		rs := s.press(ctx, simClient, []bot.Reply{r}, "Reflect now")
		rs = s.press(ctx, simClient, rs, "I did it")
		s.say(ctx, simClient, "my head was clearer in the afternoon")
		s.say(ctx, simClient, "2")
		rs = s.say(ctx, simClient, "about right")
		s.press(ctx, simClient, rs, "Keep it")
	case flows.DueRestDay:
		if !quiet {
			note("names what helps her recover")
			s.say(ctx, simClient, "a slow morning with no phone")
		}
	case flows.DueEve:
		note("chooses what to bring to the session")
		s.say(ctx, simClient, "how to keep going on busy days")
		s.say(ctx, simClient, "1")
	case flows.DueAssessment:
		note("rates a skill")
		s.say(ctx, simClient, "taking breaks")
		s.say(ctx, simClient, "2")
		s.say(ctx, simClient, "no")
	}
}
