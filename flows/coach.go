package flows

import (
	"crypto/rand"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/coachbot/coachbot/bot"
	"github.com/coachbot/coachbot/scheduler"
)

// coachRoutes are the coach's commands.
func coachRoutes() []*Route {
	nameArg := bot.Arg{Name: "name", Description: "The client's name", Required: true}
	return []*Route{
		{Name: "coach", Help: "cmd.coach", Run: runCoach,
			Args: []bot.Arg{{Name: "code", Description: "The coach code"}}},
		{Name: "approve", Help: "cmd.approve", Admin: true, Run: runApprove,
			Args: []bot.Arg{{Name: "user", Description: "Platform ID, such as telegram:123", Required: true}}},
		{Name: "invite", Help: "cmd.invite", Coach: true, Run: runInvite},
		{Name: "clients", Help: "cmd.clients", Coach: true, Run: showClients},
		{Name: "client", Help: "cmd.client", Coach: true, Run: showClient, Args: []bot.Arg{nameArg}},
		{Name: "session", Help: "cmd.session", Coach: true, Run: runSession,
			Args: []bot.Arg{nameArg, {Name: "when", Description: "Date and time, such as 2026-12-03 14:00", Required: true}}},
		{Name: "suggest", Help: "cmd.suggest", Coach: true, Run: runSuggest,
			Args: []bot.Arg{nameArg, {Name: "text", Description: "The experiment you suggest", Required: true}}},
		{Name: "digest", Help: "cmd.digest", Coach: true, Run: showDigest},
	}
}

// runCoach makes the writer a coach, with the coach code or as an admin.
func runCoach(s *Session, args string) error {
	if s.isCoach() {
		// Running it again changes the coach's zone and digest rhythm.
		if err := s.say("coach.already"); err != nil {
			return err
		}
		return s.begin("coach", "")
	}
	code := s.e.cfg.CoachCode
	if !s.isAdmin() && (code == "" || args != code) {
		return s.say("coach.code_needed")
	}
	return s.begin("coach", "")
}

// coachFlow sets up a coach: their zone and when digests arrive.
func coachFlow() *Flow {
	return &Flow{
		Name:    "coach",
		Version: 1,
		Steps: []*Step{
			zoneStep(nil),
			{Name: "digest_at", Prompt: "coach.digest_at", Input: Text,
				Options: []Option{{"07:30", "=07:30"}, {"18:00", "=18:00"}},
				Check:   parsed(scheduler.ParseClock, "input.time")},
			{Name: "often", Prompt: "coach.digest_often", Input: Choice,
				Options: []Option{{"daily", "btn.daily"}, {"weekly", "btn.weekly_monday"}}},
		},
		Done: func(s *Session, a Answers) error {
			zone, err := scheduler.LoadZone(a["zone"])
			if err != nil {
				return fmt.Errorf("coach zone: %w", err)
			}
			at, err := scheduler.ParseClock(a["digest_at"])
			if err != nil {
				return fmt.Errorf("coach digest time: %w", err)
			}
			c := Coach{ID: s.msg.UserID, ChatID: s.msg.ChatID, Name: s.msg.Name, Zone: zone,
				DigestAt: at, DigestWeekly: a["often"] == "weekly", DigestWeekday: time.Monday, CreatedAt: s.now}
			c.Language = s.e.spoken(s.language())
			if old, err := s.tx.Coach(c.ID); err == nil {
				c.CreatedAt, c.PrivateOnly = old.CreatedAt, old.PrivateOnly
				if old.Language != "" {
					c.Language = old.Language
				}
				if err := dropPending(s.tx, c.ID, DueDigest, s.now); err != nil {
					return err
				}
			}
			if c.Name == "" {
				c.Name = s.T("coach.default_name")
			}
			if err := s.tx.SaveCoach(c); err != nil {
				return fmt.Errorf("save coach: %w", err)
			}
			if err := planCoach(s.tx, c, s.now); err != nil {
				return err
			}
			return s.say("coach.welcome")
		},
	}
}

// runApprove lets an admin make someone who has written to the bot a coach.
func runApprove(s *Session, args string) error {
	if !s.isAdmin() {
		return s.say("coach.admins_only")
	}
	c, err := s.tx.Client(strings.TrimSpace(args))
	if errors.Is(err, ErrNotFound) {
		return s.say("approve.unknown", "user", args)
	}
	if err != nil {
		return err
	}
	if _, err := s.tx.Coach(c.ID); err == nil {
		return s.say("approve.already", "user", args)
	}
	zone := c.Zone
	if zone.IsZero() {
		zone = scheduler.ZoneOf(time.UTC)
	}
	coach := Coach{ID: c.ID, ChatID: c.ChatID, Name: displayName(c), Zone: zone, DigestAt: scheduler.Clock{Hour: 18}, DigestWeekday: time.Monday,
		Language: c.Language, CreatedAt: s.now}
	if err := s.tx.SaveCoach(coach); err != nil {
		return fmt.Errorf("save coach: %w", err)
	}
	if err := planCoach(s.tx, coach, s.now); err != nil {
		return err
	}
	if err := s.sendTo(coach.ChatID, "", s.TIn(c.Language, "approve.welcome")); err != nil {
		return err
	}
	return s.say("approve.done", "user", args)
}

// planCoach schedules the coach's next digest.
func planCoach(tx Tx, c Coach, now time.Time) error {
	dp := scheduler.DigestPrefs{Zone: c.Zone.Location(), At: c.DigestAt, Weekly: c.DigestWeekly, Weekday: c.DigestWeekday}
	return schedule(tx, c.ID, DueDigest, dp.Next(now), c.Zone.Location())
}

// runInvite creates a single-use invite that expires.
func runInvite(s *Session, _ string) error {
	code := strings.ToLower(rand.Text()[:12])
	inv := Invite{Code: code, CoachID: s.msg.UserID, CreatedAt: s.now, ExpiresAt: s.now.Add(s.e.cfg.Rhythm.InviteTTL)}
	if err := s.tx.AddInvite(inv); err != nil {
		return fmt.Errorf("add invite: %w", err)
	}
	share := "/start " + code
	if f := s.e.cfg.InviteLink; f != nil {
		if link := f(s.msg.Platform(), code); link != "" {
			share = link
		}
	}
	return s.say("coach.invite", "share", share, "code", code, "expires", s.date(inv.ExpiresAt.In(s.coachZone()), dateDay))
}

func (s *Session) coachZone() *time.Location {
	c, err := s.tx.Coach(s.msg.UserID)
	if err != nil {
		return time.UTC
	}
	return zoneOf(c.Zone)
}

func showClients(s *Session, _ string) error {
	clients, err := s.tx.ClientsOf(s.msg.UserID)
	if err != nil {
		return fmt.Errorf("list clients: %w", err)
	}
	if len(clients) == 0 {
		return s.say("coach.no_clients")
	}
	var b strings.Builder
	b.WriteString(s.T("coach.clients_header"))
	for _, c := range clients {
		v, err := s.e.viewOf(s.tx, c, s.now.AddDate(0, 0, -7), s.now)
		if err != nil {
			return err
		}
		b.WriteString("\n• " + s.clientLine(v))
	}
	b.WriteString("\n\n" + s.T("coach.clients_footer"))
	return s.reply(bot.Reply{Text: b.String()})
}

// clientLine is one client at a glance.
func (s *Session) clientLine(v clientView) string {
	last := s.T("coach.never")
	if n := len(v.allCheckIns); n > 0 {
		last = s.date(v.allCheckIns[n-1].At.In(s.coachZone()), dateShort)
	}
	line := s.T("coach.client_line", "name", displayName(v.client), "running", strconv.Itoa(len(v.running)), "last", last)
	if n := len(v.raise); n > 0 {
		line += " · " + s.T("coach.to_raise", "count", strconv.Itoa(n))
	}
	return line
}

// clientFor finds one of the coach's own clients by name; others do not exist
// as far as this coach can tell.
func (s *Session) clientFor(name string) (Client, bool, error) {
	c, err := s.tx.ClientByName(s.msg.UserID, strings.TrimSpace(name))
	if errors.Is(err, ErrNotFound) {
		return Client{}, false, s.say("coach.no_such_client", "name", name)
	}
	return c, err == nil, err
}

func showClient(s *Session, args string) error {
	if args == "" {
		return s.say("coach.usage_client")
	}
	c, ok, err := s.clientFor(args)
	if !ok {
		return err
	}
	since := s.now.AddDate(0, 0, -28)
	v, err := s.e.viewOf(s.tx, c, since, s.now)
	if err != nil {
		return err
	}
	label := s.date(since.In(s.coachZone()), dateDay)
	text := s.T("coach.client_header", "name", displayName(c)) + "\n\n" + s.renderForCoach(v, viewClient, label)
	if !c.NextSession.IsZero() {
		// The coach reads it in their own zone.
		when := s.date(c.NextSession.In(s.coachZone()), dateDayTime)
		text += "\n\n" + s.T("coach.next_session", "when", when)
	}
	return s.reply(bot.Reply{Text: text})
}

// sendTo queues a message to another chat than the one being answered.
func (s *Session) sendTo(chatID, kind, text string) error {
	return s.tx.Send(bot.Reply{ChatID: chatID, Kind: kind, Text: text}, s.now)
}

// displayName is how a client is named to their coach.
func displayName(c Client) string {
	if c.Name != "" {
		return c.Name
	}
	return c.ID
}
