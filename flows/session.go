package flows

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/coachbot/coachbot/scheduler"
)

// runSession records the next session date with a client: "/session Ana
// 2026-12-03 14:00". The time is read in the coach's zone. Setting it again
// moves the session, and the look-back, the brief and the invitation after it
// follow.
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
	if !c.NextSession.IsZero() && !c.NextSession.After(s.now) {
		// The session before has happened: it stays the last one, and its
		// invitation afterwards is still to come.
		c.LastSession = c.NextSession
	}
	moved := !c.NextSession.IsZero() && c.NextSession.After(s.now)
	c.NextSession = at
	c.UpdatedAt = s.now
	if err := s.tx.SaveClient(c); err != nil {
		return fmt.Errorf("save client: %w", err)
	}
	if err := planClient(s.tx, c, s.e.cfg.Rhythm, s.now); err != nil {
		return err
	}
	coach, err := s.tx.Coach(s.msg.UserID)
	if err != nil {
		return fmt.Errorf("session: %w", err)
	}
	key := "client.session_set"
	if moved {
		key = "client.session_moved"
	}
	if err := s.sendTo(c.ChatID, "", s.TIn(c.Language, key, "coach", coach.Name, "when", s.sessionTimeIn(c))); err != nil {
		return err
	}
	return s.say("coach.session_set", "name", displayName(c), "when", s.date(at.In(s.coachZone()), dateDayTime))
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
func (s *Session) sessionTime(c Client) string {
	return s.date(c.NextSession.In(zoneOf(c.Zone)), dateDayTime)
}

// sessionTimeIn says when a client's next session is, in the client's zone
// and language, for a message this session sends them.
func (s *Session) sessionTimeIn(c Client) string {
	return s.e.catalog(c.Language).Date(c.NextSession.In(zoneOf(c.Zone)), dateDayTime)
}

// lookbackFlow invites the client, the day before a session, to look back over
// the period and choose what to bring.
func lookbackFlow() *Flow {
	return &Flow{
		Name:    "lookback",
		Version: 1,
		Steps: []*Step{
			{Name: "bring", Prompt: "eve.ask", Input: Text,
				Vars:    func(s *Session, _ Answers) ([]string, error) { return []string{"summary", s.periodSummary()}, nil },
				Options: []Option{{"skip", "btn.not_now"}},
				Next: func(_ *Session, a Answers) string {
					if a["bring"] == "skip" {
						return doneStep
					}
					return ""
				}},
			{Name: "share", Prompt: "eve.share", Input: Choice,
				Options: []Option{{"share", "btn.share"}, {"private", "btn.private"}},
				Skip:    func(s *Session, _ Answers) bool { return s.client.CoachID == "" }},
		},
		Done: func(s *Session, a Answers) error {
			var note *SessionNote
			if a["bring"] != "skip" {
				n := SessionNote{ClientID: s.client.ID, Text: a["bring"], Private: a["share"] != "share", At: s.now}
				if _, err := s.tx.AddSessionNote(n); err != nil {
					return fmt.Errorf("add session note: %w", err)
				}
				note = &n
			}
			// The client has answered: the coach's brief need not wait.
			if err := s.e.briefAfterLookback(s.tx, s.client, note, s.now); err != nil {
				return err
			}
			switch {
			case note == nil:
				return s.say("eve.skipped")
			case note.Private:
				return s.say("eve.thanks_private")
			}
			return s.say("eve.thanks_shared")
		},
	}
}

// sessionEve sends the look-back invitation. It takes the place of the day's
// check-in invitation or rest-day question; the coach's brief follows when
// the client answers, or at Rhythm.BriefBefore before the session.
func (s *Session) sessionEve() error {
	if s.client.NextSession.IsZero() || !s.client.NextSession.After(s.now) {
		return errSkip
	}
	return s.begin("lookback", "")
}

// periodStart is where "since last session" begins: the last session, or two
// weeks back.
func (s *Session) periodStart() time.Time {
	if !s.client.LastSession.IsZero() {
		return s.client.LastSession
	}
	return s.now.AddDate(0, 0, -14)
}

// periodSummary recalls, for the client, what the period held.
func (s *Session) periodSummary() string {
	v, err := s.e.viewOf(s.tx, s.client, s.periodStart(), s.now)
	if err != nil {
		return ""
	}
	var lines []string
	if n := len(v.tried); n > 0 {
		lines = append(lines, s.T("eve.tried", "count", s.count("experiments", n)))
	}
	for _, ci := range lastN(v.checkIns, 2) {
		if ci.Noticed != "" {
			lines = append(lines, "• “"+shorten(ci.Noticed, 100)+"”")
		}
	}
	if len(v.obstacles) > 0 {
		lines = append(lines, s.T("eve.obstacles", "obstacles", strings.Join(lastN(v.obstacles, 3), "; ")))
	}
	if len(lines) == 0 {
		return s.T("eve.quiet")
	}
	return strings.Join(lines, "\n")
}
