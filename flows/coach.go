package flows

import (
	"crypto/rand"
	"errors"
	"fmt"
	"slices"
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

func (s *Session) isAdmin() bool { return slices.Contains(s.e.cfg.Admins, s.msg.UserID) }

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
			c := Coach{ID: s.msg.UserID, ChatID: s.msg.ChatID, Name: s.msg.Name, Zone: a["zone"],
				DigestAt: a["digest_at"], DigestWeekly: a["often"] == "weekly", DigestWeekday: time.Monday, CreatedAt: s.now}
			if old, err := s.tx.Coach(c.ID); err == nil {
				c.CreatedAt = old.CreatedAt
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
	if zone == "" {
		zone = "UTC"
	}
	coach := Coach{ID: c.ID, ChatID: c.ChatID, Name: displayName(c), Zone: zone, DigestAt: "18:00", DigestWeekday: time.Monday, CreatedAt: s.now}
	if err := s.tx.SaveCoach(coach); err != nil {
		return fmt.Errorf("save coach: %w", err)
	}
	if err := planCoach(s.tx, coach, s.now); err != nil {
		return err
	}
	if err := s.sendTo(coach.ChatID, "", s.T("approve.welcome")); err != nil {
		return err
	}
	return s.say("approve.done", "user", args)
}

// planCoach schedules the coach's next digest.
func planCoach(tx Tx, c Coach, now time.Time) error {
	loc := zoneOf(c.Zone)
	at, err := scheduler.ParseClock(c.DigestAt)
	if err != nil {
		at = scheduler.Clock{Hour: 18}
	}
	dp := scheduler.DigestPrefs{Zone: loc, At: at, Weekly: c.DigestWeekly, Weekday: c.DigestWeekday}
	return schedule(tx, c.ID, DueDigest, dp.Next(now), loc)
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
	return s.say("coach.invite", "share", share, "code", code, "expires", formatDay(inv.ExpiresAt.In(s.coachZone())))
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
		last = v.allCheckIns[n-1].At.In(s.coachZone()).Format("Mon 2 Jan")
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
	v, err := s.e.viewOf(s.tx, c, s.now.AddDate(0, 0, -28), s.now)
	if err != nil {
		return err
	}
	text := s.T("coach.client_header", "name", displayName(c)) + "\n\n" + s.renderClient(v, true)
	if !c.NextSession.IsZero() {
		// The coach reads it in their own zone.
		when := c.NextSession.In(s.coachZone()).Format("Monday 2 January, 15:04")
		text += "\n\n" + s.T("coach.next_session", "when", when)
	}
	return s.reply(bot.Reply{Text: text})
}

// runSession records the next session date with a client: "/session Ana
// 2026-12-03 14:00". The time is read in the coach's zone.
func runSession(s *Session, args string) error {
	name, when, ok := cutLast2(args)
	if !ok {
		return s.say("coach.usage_session")
	}
	c, found, err := s.clientFor(name)
	if !found {
		return err
	}
	at, err := parseSessionTime(when, s.coachZone())
	if err != nil || !at.After(s.now) {
		return s.say("coach.usage_session")
	}
	c.NextSession = at
	c.UpdatedAt = s.now
	if err := s.tx.SaveClient(c); err != nil {
		return fmt.Errorf("save client: %w", err)
	}
	if err := planClient(s.tx, c, s.e.cfg.Rhythm, s.now); err != nil {
		return err
	}
	coach, _ := s.tx.Coach(s.msg.UserID)
	if err := s.sendTo(c.ChatID, "", s.T("client.session_set", "coach", coach.Name, "when", sessionTime(c))); err != nil {
		return err
	}
	return s.say("coach.session_set", "name", displayName(c), "when", at.In(s.coachZone()).Format("Monday 2 January 15:04"))
}

// cutLast2 splits "Ana Maria 2026-12-03 14:00" into the name and the date and
// time (the time is optional).
func cutLast2(args string) (name, when string, ok bool) {
	f := strings.Fields(args)
	for i := 1; i < len(f); i++ {
		if _, err := scheduler.ParseDate(f[i]); err == nil {
			return strings.Join(f[:i], " "), strings.Join(f[i:], " "), true
		}
	}
	return "", "", false
}

func parseSessionTime(s string, loc *time.Location) (time.Time, error) {
	f := strings.Fields(s)
	if len(f) == 0 || len(f) > 2 {
		return time.Time{}, errors.New("want date and time")
	}
	d, err := scheduler.ParseDate(f[0])
	if err != nil {
		return time.Time{}, err
	}
	c := scheduler.Clock{Hour: 9}
	if len(f) == 2 {
		if c, err = scheduler.ParseClock(f[1]); err != nil {
			return time.Time{}, err
		}
	}
	return scheduler.At(d, c, loc), nil
}

// sessionTime says when a client's next session is, in the client's zone.
func sessionTime(c Client) string {
	return c.NextSession.In(zoneOf(c.Zone)).Format("Monday 2 January, 15:04")
}

// runSuggest offers a client an experiment. The client accepts, reshapes or
// declines it: chosen, never assigned.
func runSuggest(s *Session, args string) error {
	clients, err := s.tx.ClientsOf(s.msg.UserID)
	if err != nil {
		return err
	}
	// The name may have several words: take the longest one that matches.
	var c Client
	var text string
	f := strings.Fields(args)
	for i := len(f) - 1; i >= 1; i-- {
		name := strings.Join(f[:i], " ")
		for _, cl := range clients {
			if strings.EqualFold(displayName(cl), name) {
				c, text = cl, strings.Join(f[i:], " ")
			}
		}
		if c.ID != "" {
			break
		}
	}
	if c.ID == "" {
		if len(f) < 2 {
			return s.say("coach.usage_suggest")
		}
		found, ok, err := s.clientFor(f[0])
		if !ok {
			return err
		}
		c, text = found, strings.Join(f[1:], " ")
	}
	if len([]rune(text)) > 500 {
		return s.say("input.too_long_answer")
	}
	coach, _ := s.tx.Coach(s.msg.UserID)
	sg := Suggestion{CoachID: coach.ID, ClientID: c.ID, Text: text, Status: "open", At: s.now}
	id, err := s.tx.AddSuggestion(sg)
	if err != nil {
		return fmt.Errorf("add suggestion: %w", err)
	}
	card := fmt.Sprintf("%s%d:", suggestionCard, id)
	r := bot.Reply{ChatID: c.ChatID, Kind: "suggestion", Text: s.T("suggest.offer", "coach", coach.Name, "text", text),
		Buttons: []bot.Button{
			{Label: s.T("btn.accept"), Data: card + "accept"},
			{Label: s.T("btn.reshape"), Data: card + "reshape"},
			{Label: s.T("btn.decline"), Data: card + "decline"},
		}}
	if err := s.tx.Send(r, s.now); err != nil {
		return err
	}
	return s.say("coach.suggested", "name", displayName(c))
}

// suggestionCard prefixes the buttons of a suggestion. It cannot clash with a
// conversation token, which is base32.
const suggestionCard = "!s"

// answerSuggestion handles the client's choice on a suggestion card.
func (s *Session) answerSuggestion(data string) error {
	idText, choice, _ := strings.Cut(strings.TrimPrefix(data, suggestionCard), ":")
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil {
		return s.say("button.expired")
	}
	sg, err := s.tx.Suggestion(id)
	if errors.Is(err, ErrNotFound) || err == nil && (sg.ClientID != s.client.ID || sg.Status != "open" || sg.CoachID != s.client.CoachID) {
		return s.say("button.expired")
	}
	if err != nil {
		return err
	}
	switch choice {
	case "accept":
		sg.Status = "accepted"
	case "reshape":
		sg.Status = "reshaped"
	case "decline":
		sg.Status = "declined"
	default:
		return s.say("button.expired")
	}
	if err := s.tx.UpdateSuggestion(sg); err != nil {
		return err
	}
	if s.conv != nil {
		if err := s.leave(false); err != nil {
			return err
		}
	}
	switch choice {
	case "accept":
		return s.begin("action", acceptPrefix+strconv.FormatInt(sg.ID, 10))
	case "reshape":
		return s.begin("action", reshapePrefix+strconv.FormatInt(sg.ID, 10))
	}
	return s.say("suggest.declined")
}

// Arguments the suggestion card passes to the action flow.
const (
	acceptPrefix  = "suggestion:"
	reshapePrefix = "reshape:"
)

// beginFromSuggestion prepares the action flow for an accepted or reshaped
// suggestion: accepted, the text is the action and sizing starts at once;
// reshaped, the client words it their way first.
func beginFromSuggestion(s *Session, a Answers, args string) (bool, error) {
	accept := strings.HasPrefix(args, acceptPrefix)
	idText := strings.TrimPrefix(strings.TrimPrefix(args, acceptPrefix), reshapePrefix)
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil {
		return true, nil
	}
	sg, err := s.tx.Suggestion(id)
	if err != nil || sg.ClientID != s.client.ID {
		return true, nil
	}
	a["suggested_by"] = sg.CoachID
	if accept {
		a["what"] = sg.Text
		return true, s.say("suggest.accepted")
	}
	a["suggestion"] = sg.Text
	return true, nil
}

func showDigest(s *Session, _ string) error {
	coach, err := s.tx.Coach(s.msg.UserID)
	if err != nil {
		return err
	}
	since := s.now.AddDate(0, 0, -1)
	if coach.DigestWeekly {
		since = s.now.AddDate(0, 0, -7)
	}
	text, err := s.digest(coach, since)
	if err != nil {
		return err
	}
	return s.reply(bot.Reply{Text: text, Kind: DueDigest})
}

// sweepCoach sends a coach's due digest and plans the next.
func (e *Engine) sweepCoach(tx Tx, coachID string, due []Due, now time.Time) error {
	coach, err := tx.Coach(coachID)
	if errors.Is(err, ErrNotFound) {
		return dropAll(tx, due)
	}
	if err != nil {
		return err
	}
	latest := due[len(due)-1]
	if err := dropAll(tx, due[:len(due)-1]); err != nil {
		return err
	}
	p := scheduler.Prefs{Zone: zoneOf(coach.Zone)}
	if p.Fresh(latest.At, now, freshFor[DueDigest]) || latest.At.Equal(now) {
		s := &Session{e: e, tx: tx, now: now, kind: DueDigest,
			msg: bot.Message{ChatID: coach.ChatID, UserID: coach.ID, Name: coach.Name}}
		since := now.AddDate(0, 0, -1)
		if coach.DigestWeekly {
			since = now.AddDate(0, 0, -7)
		}
		if prev, err := tx.LatestDue(coach.ID, DueDigest); err == nil && !prev.SentAt.IsZero() && prev.SentAt.After(since) {
			since = prev.SentAt
		}
		news, err := e.digestHasNews(tx, coach.ID, since, now)
		if err != nil {
			return err
		}
		latest.Status = DueDropped // nothing new: no digest, no noise
		if news {
			text, err := s.digest(coach, since)
			if err != nil {
				return err
			}
			if err := s.reply(bot.Reply{Text: text}); err != nil {
				return err
			}
			latest.Status, latest.SentAt = DueSent, now
		}
	} else {
		latest.Status = DueDropped
	}
	if err := tx.UpdateDue(latest); err != nil {
		return err
	}
	return planCoach(tx, coach, now)
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
