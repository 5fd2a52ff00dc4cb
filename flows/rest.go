package flows

import "fmt"

// /rest: a conscious choice of non-action for today. It closes the day.
func restFlow() *Flow {
	return &Flow{
		Name:    "rest",
		Version: 1,
		Steps: []*Step{
			{Name: "kind", Prompt: "rest.kind", Input: Choice, Options: nonActionKinds, Keep: "note"},
			{Name: "note", Prompt: "rest.note", Input: Text, Options: []Option{{"skip", "btn.skip"}},
				Skip: func(_ *Session, a Answers) bool { return a["note"] != "" }},
		},
		Done: func(s *Session, a Answers) error {
			n := NonAction{ClientID: s.client.ID, Kind: a["kind"], Date: s.today().String(), At: s.now}
			if a["note"] != "skip" {
				n.Note = a["note"]
			}
			if _, err := s.tx.AddNonAction(n); err != nil {
				return fmt.Errorf("add non-action: %w", err)
			}
			if err := s.closeDay(); err != nil {
				return err
			}
			return s.say("rest.saved_" + n.Kind)
		},
	}
}

// recoveryFlow is the rest-day question: optional, about recovery, and never
// about experiments. Answering it, or letting it go, closes the day.
func recoveryFlow() *Flow {
	return &Flow{
		Name:    "recovery",
		Version: 1,
		Steps: []*Step{{Name: "note", Prompt: "restday.ask", Input: Text,
			Options: []Option{{"skip", "btn.not_today"}}}},
		Done: func(s *Session, a Answers) error {
			if err := s.closeDay(); err != nil {
				return err
			}
			if a["note"] == "skip" {
				return s.say("restday.skipped")
			}
			n := NonAction{ClientID: s.client.ID, Kind: KindRest, Note: a["note"], Planned: true,
				Date: s.today().String(), At: s.now}
			if _, err := s.tx.AddNonAction(n); err != nil {
				return fmt.Errorf("add non-action: %w", err)
			}
			return s.say("restday.thanks")
		},
	}
}
