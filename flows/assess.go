package flows

import (
	"fmt"
	"slices"
)

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
