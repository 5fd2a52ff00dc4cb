package flows

import "fmt"

// /forget: everything goes, after one clear confirmation.
func forgetFlow() *Flow {
	return &Flow{
		Name:    "forget",
		Version: 1,
		Begin: func(s *Session, _ Answers, _ string) (bool, error) {
			if !s.known {
				return false, s.say("forget.nothing")
			}
			return true, nil
		},
		Steps: []*Step{{Name: "confirm", Prompt: "forget.confirm", Input: Choice,
			Options: []Option{{"yes", "btn.forget_yes"}, {"no", "btn.forget_no"}}}},
		Done: func(s *Session, a Answers) error {
			if a["confirm"] != "yes" {
				return s.say("forget.kept")
			}
			if err := s.tx.Forget(s.client.ID); err != nil {
				return fmt.Errorf("forget: %w", err)
			}
			s.client, s.known = Client{}, false
			return s.say("forget.done")
		},
	}
}
