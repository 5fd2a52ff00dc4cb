package flows

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/coachbot/coachbot/bot"
	"github.com/coachbot/coachbot/scheduler"
)

// DueAfterSession is the one invitation, after a session, to turn something
// from it into an experiment.
const DueAfterSession = "after_session"

// afterSessionWindow is how long after a session its invitation is still
// worth planning.
const afterSessionWindow = 72 * time.Hour

// sessionMoment is one moment a session brings, as planned.
type sessionMoment struct {
	kind, date string
	at         time.Time
}

// planSession keeps the moments a session brings in step with it, whenever
// the client's rhythm is planned:
//
//   - the look-back (DueEve) on the local day before the session, at the
//     check-in time, rest day or not: preparing a session is not an
//     experiment. Set later than that on the day before, it goes at once,
//     unless in quiet hours. It takes the place of that day's check-in
//     invitation and rest-day question.
//   - the coach's brief (DueBrief, planned with the client, sent to the
//     coach) at Rhythm.BriefBefore before the session, or as soon as the
//     client answers the look-back.
//   - one invitation after the session (DueAfterSession), an hour after it
//     starts, outside quiet hours and never on a rest day (then at the same
//     time on the next day that is not one).
//
// A moved session moves its pending moments; what was already sent for a
// day stays sent. A moment no longer wanted is dropped.
func planSession(tx Tx, c Client, p scheduler.Prefs, r Rhythm, now time.Time) error {
	kinds := []string{DueEve, DueBrief, DueAfterSession}
	existing, err := tx.DueSince(c.ID, now.Add(-10*24*time.Hour))
	if err != nil {
		return fmt.Errorf("plan session: %w", err)
	}
	var want []sessionMoment
	moment := func(kind string, at time.Time) {
		want = append(want, sessionMoment{kind: kind, date: scheduler.DateOf(at, p.Zone).String(), at: at})
	}
	next := c.NextSession
	past := c.LastSession
	if !next.IsZero() && !next.After(now) {
		past, next = next, time.Time{}
	}
	if !next.IsZero() {
		if eve, ok := p.SessionEve(time.Time{}); ok {
			switch {
			case eve.After(now):
				moment(DueEve, eve)
			case scheduler.DateOf(eve, p.Zone) == scheduler.DateOf(now, p.Zone) && !p.Quiet.Contains(now, p.Zone):
				moment(DueEve, now) // the session was set late on the day before
			}
		}
		if c.CoachID != "" {
			moment(DueBrief, later(next.Add(-r.BriefBefore), now))
		}
		moment(DueAfterSession, afterSessionAt(p, next))
	}
	if !past.IsZero() && now.Sub(past) < afterSessionWindow {
		moment(DueAfterSession, afterSessionAt(p, past))
	}

	found := make([]bool, len(want))
	for _, d := range existing {
		if !slices.Contains(kinds, d.Kind) {
			continue
		}
		i := slices.IndexFunc(want, func(m sessionMoment) bool { return m.kind == d.Kind && m.date == d.Date })
		if i < 0 {
			if d.Status == DuePending {
				if err := drop(tx, d); err != nil {
					return err
				}
			}
			continue
		}
		found[i] = true
		if d.Status == DuePending && want[i].at.After(now) && !d.At.Equal(want[i].at) {
			d.At = want[i].at
			if err := tx.UpdateDue(d); err != nil {
				return fmt.Errorf("plan session: %w", err)
			}
		}
	}
	for i, m := range want {
		if found[i] {
			continue
		}
		_, err := tx.AddDue(Due{RecipientID: c.ID, Kind: m.kind, Date: m.date, At: m.at, Status: DuePending})
		if err != nil && !errors.Is(err, ErrDuplicate) {
			return fmt.Errorf("plan session: %w", err)
		}
	}
	// The look-back takes the place of the day's invitation and rest-day
	// question.
	for _, m := range want {
		if m.kind != DueEve {
			continue
		}
		for _, d := range existing {
			if d.Date == m.date && d.Status == DuePending && (d.Kind == DueCheckIn || d.Kind == DueRestDay) {
				if err := drop(tx, d); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// afterSessionAt is when to invite a client to turn something from a session
// into an experiment: an hour after it starts, moved out of quiet hours, and
// to the same time on the next day that is not a rest day.
func afterSessionAt(p scheduler.Prefs, session time.Time) time.Time {
	at := p.OutsideQuiet(session.Add(time.Hour))
	clock := scheduler.Clock{Hour: at.In(p.Zone).Hour(), Minute: at.In(p.Zone).Minute()}
	for range 7 {
		d := scheduler.DateOf(at, p.Zone)
		if !p.IsRestDay(d) {
			break
		}
		at = p.OutsideQuiet(scheduler.At(d.AddDays(1), clock, p.Zone))
	}
	return at
}

// afterSession sends the invitation that follows a session. Ignoring it is
// fine: nothing follows it up.
func (s *Session) afterSession() error {
	if s.client.LastSession.IsZero() || s.now.Sub(s.client.LastSession) > afterSessionWindow {
		return errSkip
	}
	if err := s.begin("after_session", ""); err != nil {
		return err
	}
	return s.replan()
}

// afterSessionFlow asks, after a session, whether something from it wants
// trying. Words written in reply are the idea, and /action takes it from
// there.
func afterSessionFlow() *Flow {
	return &Flow{
		Name:    "after_session",
		Version: 1,
		Steps: []*Step{{Name: "idea", Input: Text,
			PromptFor: func(s *Session, _ Answers) string {
				if s.client.CoachID == "" {
					return "after.ask_alone"
				}
				return "after.ask"
			},
			Vars: func(s *Session, _ Answers) ([]string, error) {
				coach, err := s.tx.Coach(s.client.CoachID)
				if err != nil && !errors.Is(err, ErrNotFound) {
					return nil, err
				}
				return []string{"coach", coach.Name}, nil
			},
			Options: []Option{{"design", "btn.design_one"}, {"later", "btn.not_now"}},
			Check: func(s *Session, _ Answers, v string) (string, string) {
				switch normalize(v) {
				case "no", "no thanks", "nothing", "not now", "later", "nope":
					return "later", ""
				}
				return v, ""
			}}},
		Done: func(s *Session, a Answers) error {
			switch a["idea"] {
			case "later":
				return s.say("after.later")
			case "design":
				return s.begin("action", "")
			}
			return s.begin("action", ideaPrefix+a["idea"])
		},
	}
}

// sweepBriefs sends the coach's briefs among a client's due moments and
// returns the others. A brief goes to the coach whatever the client's pause,
// quiet hours or daily limit: it is the coach's message.
func (e *Engine) sweepBriefs(tx Tx, due []Due, now time.Time) ([]Due, error) {
	var rest []Due
	for _, d := range due {
		if d.Kind != DueBrief {
			rest = append(rest, d)
			continue
		}
		if err := e.sendBrief(tx, d, "", now); err != nil {
			return nil, err
		}
	}
	return rest, nil
}

// sendBrief sends the coach the brief a moment d stands for, with whatever
// there is by now, and marks it sent; it lets the moment go when there is no
// coach or no session ahead. extra is a line to add at the end.
func (e *Engine) sendBrief(tx Tx, d Due, extra string, now time.Time) error {
	c, err := tx.Client(d.RecipientID)
	if errors.Is(err, ErrNotFound) {
		return drop(tx, d)
	}
	if err != nil {
		return err
	}
	if c.CoachID == "" || c.NextSession.IsZero() || !c.NextSession.After(now) {
		return drop(tx, d)
	}
	coach, err := tx.Coach(c.CoachID)
	if errors.Is(err, ErrNotFound) {
		return drop(tx, d)
	}
	if err != nil {
		return err
	}
	cs := e.coachSession(tx, coach, DueBrief, now)
	_, _, body, err := cs.brief(c, coach)
	if err != nil {
		return err
	}
	when := cs.date(c.NextSession.In(zoneOf(coach.Zone)), dateDayTime)
	text := cs.T("brief.header", "client", displayName(c), "when", when) + "\n\n" + body
	if extra != "" {
		text += "\n\n" + extra
	}
	if err := cs.reply(bot.Reply{Text: text}); err != nil {
		return err
	}
	d.Status, d.SentAt = DueSent, now
	return tx.UpdateDue(d)
}

// brief is the body of the brief before a session with c: the period since
// the last session (or two weeks back), for the coach. It returns the view
// and where the period starts too, for pages that show more of it.
func (s *Session) brief(c Client, coach Coach) (clientView, time.Time, string, error) {
	since := c.LastSession
	label := s.T("since.last_session")
	if since.IsZero() {
		since = s.now.AddDate(0, 0, -14)
		label = s.date(since.In(zoneOf(coach.Zone)), dateDay)
	}
	v, err := s.e.viewOf(s.tx, c, since, s.now)
	if err != nil {
		return clientView{}, time.Time{}, "", err
	}
	return v, since, s.renderForCoach(v, viewBrief, label), nil
}

// coachSession is a session for a message to a coach the bot sends itself.
func (e *Engine) coachSession(tx Tx, coach Coach, kind string, now time.Time) *Session {
	return &Session{e: e, tx: tx, now: now, kind: kind, coachLang: coach.Language,
		msg: bot.Message{ChatID: coach.ChatID, UserID: coach.ID, Name: coach.Name}}
}

// briefAfterLookback sends the coach's brief once the client has answered
// the look-back, so it holds what they want to bring. When the brief has gone
// already, a shared note still reaches the coach before the session, in one
// line, whatever their digest rhythm.
func (e *Engine) briefAfterLookback(tx Tx, c Client, note *SessionNote, now time.Time) error {
	if c.CoachID == "" || c.NextSession.IsZero() || !c.NextSession.After(now) {
		return nil
	}
	ds, err := tx.DueSince(c.ID, now.Add(-48*time.Hour))
	if err != nil {
		return err
	}
	var sent bool
	for _, d := range ds {
		if d.Kind != DueBrief {
			continue
		}
		switch d.Status {
		case DuePending:
			return e.sendBrief(tx, d, "", now)
		case DueSent:
			sent = true
		}
	}
	if !sent || note == nil || note.Private {
		return nil
	}
	coach, err := tx.Coach(c.CoachID)
	if err != nil {
		return err
	}
	cs := e.coachSession(tx, coach, DueBrief, now)
	when := cs.date(c.NextSession.In(zoneOf(coach.Zone)), dateDayTime)
	return cs.reply(bot.Reply{Text: cs.T("brief.bring_late", "client", displayName(c), "when", when,
		"text", strings.TrimSpace(note.Text))})
}
