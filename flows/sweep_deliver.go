package flows

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/coachbot/coachbot/bot"
	"github.com/coachbot/coachbot/scheduler"
)

// proactive returns a session for a message the bot starts itself.
func (e *Engine) proactive(tx Tx, c Client, now time.Time) *Session {
	s := &Session{e: e, tx: tx, now: now, client: c, known: true,
		msg: bot.Message{ChatID: c.ChatID, UserID: c.ID, Name: c.Name}}
	return s
}

// deliver sends one due moment to a client, or lets it go when sending it
// would be pressure: paused, unreachable, busy, or the day's share used up.
func (s *Session) deliver(d Due, p scheduler.Prefs) error {
	c := &s.client
	closed := c.ClosedOn.String() == d.Date && slices.Contains([]string{DueCheckIn, DueNudge, DueRestDay}, d.Kind)
	if !c.PausedUntil.IsZero() && s.now.Before(c.PausedUntil) || c.Unreachable || closed || d.Kind == DueAssessment {
		// Self-assessments are offered at the close of a check-in now; a
		// moment stored for one by an older version simply goes.
		if err := drop(s.tx, d); err != nil {
			return err
		}
		return s.replan()
	}
	conv, err := s.tx.Conversation(c.ChatID)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	busy := err == nil && s.now.Sub(conv.Updated) < busyFor
	if err == nil && !busy && d.Kind != DueNudge {
		// An abandoned conversation gives way to the new one. A nudge starts
		// none: it points back at the invitation, which stays answerable.
		if err := s.tx.EndConversation(c.ChatID); err != nil {
			return err
		}
	}
	if busy {
		if d.Kind == DueNudge {
			return drop(s.tx, d) // they are here already
		}
		d.At = s.now.Add(busyFor)
		return s.tx.UpdateDue(d)
	}
	sentToday, err := s.sentOn(d.Date)
	if err != nil {
		return err
	}
	if sentToday >= s.e.cfg.Rhythm.MaxPerDay {
		if err := drop(s.tx, d); err != nil {
			return err
		}
		return s.replan()
	}
	if !c.NextSession.IsZero() && s.now.After(c.NextSession) {
		c.LastSession, c.NextSession = c.NextSession, time.Time{}
	}
	s.kind = d.Kind
	switch d.Kind {
	case DueCheckIn:
		err = s.inviteCheckIn(d, p)
	case DueNudge:
		err = s.nudge(d)
	case DueRestDay:
		err = s.begin("recovery", "")
	case DueEve:
		err = s.sessionEve()
	case DueAfterSession:
		err = s.afterSession()
	default:
		err = fmt.Errorf("unknown due kind %q", d.Kind)
	}
	if errors.Is(err, errSkip) {
		return drop(s.tx, d)
	}
	if err != nil {
		return err
	}
	d.Status, d.SentAt = DueSent, s.now
	if err := s.tx.UpdateDue(d); err != nil {
		return err
	}
	if err := s.saveClient(); err != nil {
		return err
	}
	return s.planAfterSend(d, p)
}

// sentOn counts proactive messages already sent on a local date.
func (s *Session) sentOn(date string) (int, error) {
	ds, err := s.tx.DueSince(s.client.ID, s.now.Add(-48*time.Hour))
	if err != nil {
		return 0, err
	}
	n := 0
	for _, d := range ds {
		if d.Date == date && (d.Status == DueSent || d.Status == DueAnswered) && d.Kind != DueBrief { // briefs go to the coach
			n++
		}
	}
	return n, nil
}

// inviteCheckIn sends the check-in invitation. After two invitations in a row
// went unanswered it first slows the rhythm down and says so: the bot backs off
// instead of insisting, and the coach hears of it in the digest.
func (s *Session) inviteCheckIn(d Due, p scheduler.Prefs) error {
	c := &s.client
	if c.Unanswered >= 2 {
		slower := p.Cadence.Slower()
		if slower != p.Cadence {
			// The slower rhythm counts from today, so the next invitation is
			// a full interval away.
			c.Cadence = slower
			anchor, err := scheduler.ParseDate(d.Date)
			if err != nil {
				return fmt.Errorf("due date: %w", err)
			}
			c.Anchor = anchor
			c.Unanswered = 0
			c.SlowedAt = s.now // the coach hears of it in the digest
			s.note("rhythm.slowed", "cadence", s.cadenceText(c.Cadence))
		}
	}
	c.Unanswered++
	return s.begin("invitation", "")
}

// nudge sends the one gentle reminder, or the follow-up the client asked for
// with "Later today", only if the invitation is still open. It asks the
// invitation's question again with the same buttons, so the first message's
// buttons keep working too.
func (s *Session) nudge(d Due) error {
	inv, ok, err := s.lastInvitation()
	if err != nil {
		return err
	}
	if !ok || inv.Status != DueSent || inv.Date != d.Date || s.client.Unanswered == 0 {
		return errSkip
	}
	conv, err := s.tx.Conversation(s.client.ChatID)
	if errors.Is(err, ErrNotFound) || err == nil && conv.Flow != "invitation" {
		return errSkip
	}
	if err != nil {
		return err
	}
	f := s.e.flows[conv.Flow]
	st := f.step(conv.Step)
	if st == nil || conv.Version != f.Version {
		return errSkip
	}
	s.conv = &conv
	part := scheduler.PartOfDay(inv.At, zoneOf(s.client.Zone))
	key := "nudge." + part
	if Answers(conv.Answers)["when"] == "later" {
		key = "nudge.later"
	}
	s.note(key)
	return s.ask(st)
}

// errSkip tells deliver that a moment turned out not to be worth sending.
var errSkip = errors.New("nothing to send")

// planAfterSend schedules what follows a sent moment.
func (s *Session) planAfterSend(d Due, p scheduler.Prefs) error {
	switch d.Kind {
	case DueCheckIn:
		if err := s.replan(); err != nil {
			return err
		}
		if at, ok := p.NudgeAt(s.now, s.e.cfg.Rhythm.NudgeAfter); ok {
			return schedule(s.tx, s.client.ID, DueNudge, at, p.Zone)
		}
	case DueRestDay, DueEve:
		return s.replan()
	}
	return nil
}
