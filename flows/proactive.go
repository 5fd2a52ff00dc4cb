package flows

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/coachbot/coachbot/scheduler"
)

// Flows the bot starts itself, from the sweep.

// invitationFlow is the check-in invitation: reflect now, later today,
// tomorrow, or skip this one. Snoozing never moves the regular rhythm.
func invitationFlow() *Flow {
	return &Flow{
		Name:    "invitation",
		Version: 1,
		Steps: []*Step{{Name: "when", Input: Choice,
			PromptFor: func(s *Session, _ Answers) string {
				if s.latestAction() == "" {
					return "invite.checkin_open"
				}
				return "invite.checkin"
			},
			Vars: func(s *Session, _ Answers) []string { return []string{"action", s.latestAction()} },
			Options: []Option{{"now", "btn.reflect_now"}, {"later", "btn.later_today"},
				{"tomorrow", "btn.tomorrow"}, {"skip", "btn.skip_this_one"}}}},
		Done: func(s *Session, a Answers) error {
			p, ok := s.prefs()
			if !ok {
				return s.say("start.first")
			}
			switch a["when"] {
			case "now":
				return s.begin("checkin", "")
			case "later":
				at, ok := p.LaterToday(s.now)
				if !ok {
					if err := s.closeInvitation(); err != nil {
						return err
					}
					return s.say("invite.later_none")
				}
				if err := schedule(s.tx, s.client.ID, DueNudge, at, p.Zone); err != nil {
					return err
				}
				// They asked to be reminded: the invitation stays open.
				s.client.Unanswered = max(s.client.Unanswered, 1)
				if err := s.saveClient(); err != nil {
					return err
				}
				return s.say("invite.later", "time", at.In(p.Zone).Format("15:04"))
			case "tomorrow":
				if err := s.closeInvitation(); err != nil {
					return err
				}
				at := p.Tomorrow(s.now)
				if err := schedule(s.tx, s.client.ID, DueCheckIn, at, p.Zone); err != nil {
					return err
				}
				return s.say("invite.tomorrow", "when", formatMoment(s, at.In(p.Zone)))
			}
			if err := s.closeInvitation(); err != nil {
				return err
			}
			return s.say("invite.skipped")
		},
	}
}

// closeInvitation marks today's invitation answered and lets its nudge go.
func (s *Session) closeInvitation() error {
	if err := s.markAnswered(); err != nil {
		return err
	}
	return dropPending(s.tx, s.client.ID, DueNudge, s.now)
}

// latestAction is the most recent running experiment, or "".
func (s *Session) latestAction() string {
	running, err := s.tx.Experiments(s.client.ID, StatusRunning)
	if err != nil || len(running) == 0 {
		return ""
	}
	return running[len(running)-1].Action
}

// recoveryFlow is the rest-day question: optional, about recovery, and never
// about experiments.
func recoveryFlow() *Flow {
	return &Flow{
		Name:    "recovery",
		Version: 1,
		Steps: []*Step{{Name: "note", Prompt: "restday.ask", Input: Text,
			Options: []Option{{"skip", "btn.not_today"}}}},
		Done: func(s *Session, a Answers) error {
			if a["note"] == "skip" {
				return s.say("restday.skipped")
			}
			n := NonAction{ClientID: s.client.ID, Kind: KindRest, Note: a["note"],
				Date: scheduler.DateOf(s.now, s.zone()).String(), At: s.now}
			if _, err := s.tx.AddNonAction(n); err != nil {
				return fmt.Errorf("add non-action: %w", err)
			}
			return s.say("restday.thanks")
		},
	}
}

// stageOptions are the four stages of competence, in the client's words.
var stageOptions = []Option{
	{"1", "btn.stage_1"}, {"2", "btn.stage_2"}, {"3", "btn.stage_3"}, {"4", "btn.stage_4"},
}

// assessFlow is the self-assessment on the four stages of competence, one
// skill at a time.
func assessFlow() *Flow {
	return &Flow{
		Name:    "assess",
		Version: 1,
		Steps: []*Step{
			{Name: "skill", Prompt: "assess.skill", Input: Text, MaxLen: 80,
				OptionsFor: func(s *Session, _ Answers) []Option {
					var opts []Option
					for _, sk := range s.skills() {
						opts = append(opts, Option{sk, "=" + sk})
					}
					return append(opts, Option{"skip", "btn.not_now"})
				},
				Next: func(_ *Session, a Answers) string {
					if a["skill"] == "skip" {
						return doneStep
					}
					return ""
				}},
			{Name: "stage", Prompt: "assess.stage", Input: Choice, Options: stageOptions,
				Vars: func(_ *Session, a Answers) []string { return []string{"skill", a["skill"]} },
				After: func(s *Session, a Answers) error {
					as := Assessment{ClientID: s.client.ID, Skill: a["skill"], Stage: a.Int("stage"), At: s.now}
					if _, err := s.tx.AddAssessment(as); err != nil {
						return fmt.Errorf("add assessment: %w", err)
					}
					if as.Stage == 2 {
						return s.say("assess.stage2")
					}
					return nil
				}},
			{Name: "more", Prompt: "assess.more", Input: Choice, Options: yesNo,
				Next: func(_ *Session, a Answers) string {
					if a["more"] == "yes" {
						delete(a, "skill")
						return "skill"
					}
					return doneStep
				}},
		},
		Done: func(s *Session, a Answers) error {
			if a["skill"] == "skip" {
				return s.say("assess.skipped")
			}
			return s.say("assess.thanks")
		},
	}
}

// skills are the skills the client has rated before, in first-rated order.
func (s *Session) skills() []string {
	as, err := s.tx.Assessments(s.client.ID)
	if err != nil {
		return nil
	}
	var out []string
	for _, a := range as {
		if !slices.Contains(out, a.Skill) {
			out = append(out, a.Skill)
		}
	}
	return out
}

// lookbackFlow invites the client, the day before a session, to look back over
// the period and choose what to bring.
func lookbackFlow() *Flow {
	return &Flow{
		Name:    "lookback",
		Version: 1,
		Steps: []*Step{
			{Name: "bring", Prompt: "eve.ask", Input: Text,
				Vars:    func(s *Session, _ Answers) []string { return []string{"summary", s.periodSummary()} },
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
			if a["bring"] == "skip" {
				return s.say("eve.skipped")
			}
			n := SessionNote{ClientID: s.client.ID, Text: a["bring"], Private: a["share"] != "share", At: s.now}
			if _, err := s.tx.AddSessionNote(n); err != nil {
				return fmt.Errorf("add session note: %w", err)
			}
			if n.Private {
				return s.say("eve.thanks_private")
			}
			return s.say("eve.thanks_shared")
		},
	}
}

// sessionEve sends the look-back invitation to the client and the pre-session
// brief to their coach.
func (s *Session) sessionEve() error {
	if err := s.begin("lookback", ""); err != nil {
		return err
	}
	// The look-back takes the place of today's check-in invitation.
	today := scheduler.DateOf(s.now, s.zone()).String()
	ds, err := s.tx.DueSince(s.client.ID, s.now.Add(-24*time.Hour))
	if err != nil {
		return err
	}
	for _, d := range ds {
		if d.Kind == DueCheckIn && d.Date == today && d.Status == DuePending {
			if err := drop(s.tx, d); err != nil {
				return err
			}
		}
	}
	coach, err := s.tx.Coach(s.client.CoachID)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	v, err := s.e.viewOf(s.tx, s.client, s.periodStart(), s.now)
	if err != nil {
		return err
	}
	brief := s.T("brief.header", "client", displayName(s.client), "when", sessionTime(s.client)) + "\n\n" + s.renderClient(v, true)
	return s.sendTo(coach.ChatID, DueBrief, brief)
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
