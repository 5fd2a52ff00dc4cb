package flows

import (
	"fmt"

	"github.com/coachbot/coachbot/scheduler"
)

// /rest: a conscious choice of non-action for today.
func restFlow() *Flow {
	return &Flow{
		Name:    "rest",
		Version: 1,
		Steps: []*Step{
			{Name: "kind", Prompt: "rest.kind", Input: Choice, Options: nonActionKinds},
			{Name: "note", Prompt: "rest.note", Input: Text, Options: []Option{{"skip", "btn.skip"}}},
		},
		Done: func(s *Session, a Answers) error {
			n := NonAction{ClientID: s.client.ID, Kind: a["kind"], Date: scheduler.DateOf(s.now, s.zone()).String(), At: s.now}
			if a["note"] != "skip" {
				n.Note = a["note"]
			}
			if _, err := s.tx.AddNonAction(n); err != nil {
				return fmt.Errorf("add non-action: %w", err)
			}
			if err := s.markAnswered(); err != nil {
				return err
			}
			return s.say("rest.saved_" + n.Kind)
		},
	}
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
