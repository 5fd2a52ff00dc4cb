package flows

import (
	"fmt"
	"slices"
	"time"
)

// stageOptions are the four stages of competence, in the client's words.
var stageOptions = []Option{
	{"1", "btn.stage_1"}, {"2", "btn.stage_2"}, {"3", "btn.stage_3"}, {"4", "btn.stage_4"},
}

// assessPostpone is how far "Not now" moves a self-assessment, once.
const assessPostpone = 3 * 24 * time.Hour

// Arguments of the assess flow.
const (
	assessOffer = "offer" // the bot offers it at the close of a check-in
)

// assessFlow is the self-assessment on the four stages of competence, one
// skill at a time. The bot offers it at most once every few weeks, at the
// close of a check-in, so it never arrives as a message of its own; /assess
// starts one any time.
func assessFlow() *Flow {
	return &Flow{
		Name:    "assess",
		Version: 2,
		Begin: func(s *Session, a Answers, args string) (bool, error) {
			if args != assessOffer {
				return true, nil
			}
			a["offered"] = "yes"
			// Offered counts as asked, whether or not it is answered.
			s.client.AssessAt = s.now.Add(time.Duration(s.e.cfg.Rhythm.AssessEvery) * 7 * 24 * time.Hour)
			return true, s.saveClient()
		},
		Steps: []*Step{
			{Name: "offer", Prompt: "assess.offer", Input: Choice, Options: []Option{{"yes", "btn.yes_lets_look"}, {"later", "btn.not_now"}},
				Skip: isNot("offered", "yes"),
				Next: func(_ *Session, a Answers) string {
					if a["offer"] == "later" {
						return doneStep
					}
					return ""
				}},
			{Name: "skill", Prompt: "assess.skill", Input: Text, MaxLen: 80,
				OptionsFor: func(s *Session, _ Answers) ([]Option, error) {
					skills, err := s.skills()
					if err != nil {
						return nil, err
					}
					var opts []Option
					for _, sk := range skills {
						opts = append(opts, Option{sk, "=" + sk})
					}
					return opts, nil
				}},
			{Name: "stage", Prompt: "assess.stage", Input: Choice, Options: stageOptions,
				Vars: func(_ *Session, a Answers) ([]string, error) { return []string{"skill", a["skill"]}, nil },
				After: func(s *Session, a Answers) error {
					as := Assessment{ClientID: s.client.ID, Skill: a["skill"], Stage: a.Int("stage"), At: s.now}
					if _, err := s.tx.AddAssessment(as); err != nil {
						return fmt.Errorf("add assessment: %w", err)
					}
					if as.Stage == 2 {
						s.note("assess.stage2")
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
			if a["offer"] == "later" {
				return s.postponeAssessment()
			}
			s.client.AssessAt = s.now.Add(time.Duration(s.e.cfg.Rhythm.AssessEvery) * 7 * 24 * time.Hour)
			s.client.AssessPostponed = false
			if err := s.saveClient(); err != nil {
				return err
			}
			return s.say("assess.thanks")
		},
	}
}

// postponeAssessment moves the offer by a few days, once; a second "Not now"
// leaves it for the usual few weeks. Either way the client is told when.
func (s *Session) postponeAssessment() error {
	c := &s.client
	if c.AssessPostponed {
		c.AssessPostponed = false
		if err := s.saveClient(); err != nil {
			return err
		}
		return s.say("assess.skipped", "weeks", fmt.Sprint(s.e.cfg.Rhythm.AssessEvery))
	}
	c.AssessAt, c.AssessPostponed = s.now.Add(assessPostpone), true
	if err := s.saveClient(); err != nil {
		return err
	}
	return s.say("assess.postponed", "day", s.date(c.AssessAt.In(s.zone()), dateWeekday))
}

// offerAssessment ends a check-in: with the offer of a self-assessment when
// one is due, so it travels in the same message as the thanks; otherwise with
// the thanks alone.
func (s *Session) offerAssessment() error {
	c := s.client
	due := c.AssessAt
	if due.IsZero() {
		due = c.CreatedAt.Add(time.Duration(s.e.cfg.Rhythm.AssessEvery) * 7 * 24 * time.Hour)
	}
	if s.now.Before(due) {
		return s.flush()
	}
	return s.begin("assess", assessOffer)
}

// runAssess starts a self-assessment now.
func runAssess(s *Session, _ string) error { return s.begin("assess", "") }

// skills are the skills the client has rated before, in first-rated order.
func (s *Session) skills() ([]string, error) {
	as, err := s.tx.Assessments(s.client.ID)
	if err != nil {
		return nil, fmt.Errorf("skills: %w", err)
	}
	var out []string
	for _, a := range as {
		if !slices.Contains(out, a.Skill) {
			out = append(out, a.Skill)
		}
	}
	return out, nil
}
