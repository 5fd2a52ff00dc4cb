package flows

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/coachbot/coachbot/scheduler"
)

// runStart begins onboarding, or greets someone who is already set up.
func runStart(s *Session, args string) error {
	if !s.client.Consented {
		return s.begin("start", args)
	}
	if args != "" {
		if s.client.CoachID != "" {
			return s.say("invite.already_linked")
		}
		return s.begin("link", args)
	}
	return s.say("start.again", "summary", s.summary())
}

// /start: consent first, then what the rhythm needs.
func startFlow() *Flow {
	return &Flow{
		Name:    "start",
		Version: 1,
		Begin: func(s *Session, a Answers, args string) (bool, error) {
			if args == "" {
				return true, nil
			}
			coach, err := s.validInvite(args)
			if err != nil {
				s.note("invite.invalid")
				return true, nil
			}
			a["invite"], a["coach_name"] = args, coach.Name
			return true, nil
		},
		Steps: []*Step{
			{Name: "consent", Prompt: "start.welcome", Input: Choice, Reask: "start.reask",
				Vars:    func(s *Session, _ Answers) ([]string, error) { return []string{"safety", s.T("safety.consent")}, nil },
				Options: []Option{{"yes", "btn.consent_yes"}, {"no", "btn.consent_no"}},
				Next: func(_ *Session, a Answers) string {
					if a["consent"] == "no" {
						return doneStep
					}
					return ""
				}},
			{Name: "coach", Prompt: "start.coach_view", Input: Choice, Options: yesNo,
				Vars: coachViewVars,
				Skip: is("invite", "")},
			zoneStep(nil),
			checkInTimeStep(nil),
			restDaysStep(nil),
		},
		Done: func(s *Session, a Answers) error {
			if a["consent"] == "no" {
				// Only the refusal is kept, so the bot knows not to ask again unprompted.
				s.client = Client{ID: s.msg.UserID, ChatID: s.msg.ChatID, CreatedAt: s.client.CreatedAt}
				if err := s.saveClient(); err != nil {
					return err
				}
				return s.say("start.declined")
			}
			c := &s.client
			c.ChatID = s.msg.ChatID
			c.Name = s.msg.Name
			c.Consented = true
			// Spoken to from now on in the language their app reports, when
			// the bot speaks it; /settings changes it.
			c.Language = s.e.spoken(baseLanguage(s.msg.Language))
			if err := c.setRhythm(a, "zone", "time", "restdays"); err != nil {
				return err
			}
			c.Anchor = scheduler.DateOf(s.now, s.zone())
			c.AssessAt = s.now.Add(time.Duration(s.e.cfg.Rhythm.AssessEvery) * 7 * 24 * time.Hour)
			if err := s.saveClient(); err != nil {
				return err
			}
			if a["invite"] != "" && a["coach"] == "yes" {
				if err := s.linkCoach(a["invite"]); err != nil {
					return err
				}
			}
			if err := s.planAfterChange(); err != nil {
				return err
			}
			return s.say("start.done", "summary", s.summary())
		},
	}
}

// validInvite returns the coach behind an unused, unexpired invite.
func (s *Session) validInvite(code string) (Coach, error) {
	inv, err := s.tx.Invite(strings.TrimSpace(code))
	if err != nil {
		return Coach{}, err
	}
	if !inv.UsedAt.IsZero() || inv.UsedBy != "" || !s.now.Before(inv.ExpiresAt) {
		return Coach{}, ErrNotFound
	}
	return s.tx.Coach(inv.CoachID)
}

// linkCoach uses an invite and links the client to its coach.
func (s *Session) linkCoach(code string) error {
	coach, err := s.validInvite(code)
	if err != nil {
		return s.say("invite.invalid")
	}
	if err := s.tx.UseInvite(code, s.client.ID, s.now); err != nil {
		if errors.Is(err, ErrDuplicate) || errors.Is(err, ErrNotFound) {
			return s.say("invite.invalid")
		}
		return fmt.Errorf("use invite: %w", err)
	}
	s.client.CoachID = coach.ID
	if err := s.saveClient(); err != nil {
		return err
	}
	s.note("invite.linked", "coach", coach.Name)
	return nil
}

// link connects a client who is already set up to a coach, through an invite,
// after showing exactly what the coach will see.
func linkFlow() *Flow {
	return &Flow{
		Name:    "link",
		Version: 1,
		Begin: func(s *Session, a Answers, args string) (bool, error) {
			coach, err := s.validInvite(args)
			if err != nil {
				return false, s.say("invite.invalid")
			}
			a["invite"], a["coach_name"] = args, coach.Name
			return true, nil
		},
		Steps: []*Step{{Name: "coach", Prompt: "start.coach_view", Input: Choice, Options: yesNo,
			Vars: coachViewVars}},
		Done: func(s *Session, a Answers) error {
			if a["coach"] != "yes" {
				return s.say("invite.declined")
			}
			return s.linkCoach(a["invite"])
		},
	}
}

// coachViewVars fill the preview of what a coach will see, including the
// prompt message they get when words suggest danger, unless that is off.
func coachViewVars(s *Session, a Answers) ([]string, error) {
	alert := ""
	if !s.e.cfg.SafetyKeepCoachOut {
		alert = s.T("safety.consent_coach", "coach", a["coach_name"])
	}
	return []string{"coach", a["coach_name"], "safety", alert}, nil
}
