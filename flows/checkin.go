package flows

import (
	"fmt"
	"strconv"
)

var outcomeOptions = []Option{
	{"done", "btn.did_it"},
	{"partly", "btn.partly"},
	{"adapted", "btn.adapted"},
	{"not_yet", "btn.not_yet"},
	{"rest", "btn.chose_rest"},
}

// /checkin: what happened and what was noticed, in under a minute.
func checkInFlow() *Flow {
	skipFor := func(outcomes ...string) func(*Session, Answers) bool {
		return func(_ *Session, a Answers) bool {
			for _, o := range outcomes {
				if a["outcome"] == o {
					return true
				}
			}
			return false
		}
	}
	return &Flow{
		Name:    "checkin",
		Version: 1,
		Begin: func(s *Session, a Answers, _ string) (bool, error) {
			running, err := s.tx.Experiments(s.client.ID, StatusRunning)
			if err != nil {
				return false, fmt.Errorf("list experiments: %w", err)
			}
			switch len(running) {
			case 0:
				return false, s.say("checkin.none")
			case 1:
				a["exp"] = strconv.FormatInt(running[0].ID, 10)
			}
			return true, nil
		},
		Steps: []*Step{
			{Name: "exp", Prompt: "checkin.pick", Input: Choice,
				Skip: func(_ *Session, a Answers) bool { return a["exp"] != "" },
				OptionsFor: func(s *Session, _ Answers) []Option {
					running, _ := s.tx.Experiments(s.client.ID, StatusRunning)
					opts := make([]Option, 0, len(running))
					for _, e := range running {
						opts = append(opts, Option{strconv.FormatInt(e.ID, 10), "=" + shorten(e.Action, 40)})
					}
					return opts
				}},
			{Name: "outcome", Prompt: "checkin.outcome", Input: Choice, Options: outcomeOptions,
				Vars: func(s *Session, a Answers) []string { return []string{"action", s.experimentText(a)} }},
			{Name: "noticed", Input: Text,
				PromptFor: func(_ *Session, a Answers) string {
					switch a["outcome"] {
					case "not_yet":
						return "checkin.noticed_not_yet"
					case "rest":
						return "checkin.noticed_rest"
					}
					return "checkin.noticed"
				}},
			{Name: "energy", Prompt: "checkin.energy", Input: Scale, Min: 1, Max: 5,
				Skip: skipFor("not_yet")},
			{Name: "obstacle", Prompt: "checkin.obstacle", Input: Text,
				Options: []Option{{"nothing", "btn.nothing"}},
				Skip:    skipFor("done", "rest")},
			{Name: "challenge", Prompt: "checkin.challenge", Input: Choice,
				Options: []Option{{"easy", "btn.too_easy"}, {"right", "btn.about_right"}, {"hard", "btn.too_hard"}},
				Skip:    skipFor("not_yet", "rest"),
				After: func(s *Session, a Answers) error {
					return s.say("flow.advice_" + a["challenge"])
				}},
			{Name: "next", Prompt: "checkin.next", Input: Choice,
				Options: []Option{{"keep", "btn.keep"}, {"smaller", "btn.smaller"}, {"stretch", "btn.stretch"},
					{"swap", "btn.swap"}, {"pause", "btn.pause_it"}}},
			{Name: "reshape", Input: Text,
				PromptFor: func(_ *Session, a Answers) string { return "checkin.reshape_" + a["next"] },
				Vars:      func(s *Session, a Answers) []string { return []string{"action", s.experimentText(a)} },
				Skip: func(_ *Session, a Answers) bool {
					return a["next"] != "smaller" && a["next"] != "stretch"
				}},
			{Name: "share", Prompt: "checkin.share", Input: Choice,
				Options: []Option{{"share", "btn.share"}, {"private", "btn.private"}},
				Skip:    func(s *Session, _ Answers) bool { return s.client.CoachID == "" }},
		},
		Done: func(s *Session, a Answers) error {
			id, _ := strconv.ParseInt(a["exp"], 10, 64)
			exp, err := s.tx.Experiment(id)
			if err != nil || exp.ClientID != s.client.ID {
				return s.say("checkin.gone")
			}
			c := CheckIn{
				ClientID: s.client.ID, ExperimentID: id, Outcome: a["outcome"], Noticed: a["noticed"],
				Energy: a.Int("energy"), Challenge: a["challenge"], Next: a["next"],
				Private: a["share"] != "share", At: s.now,
			}
			if o := a["obstacle"]; o != "nothing" {
				c.Obstacle = o
			}
			if _, err := s.tx.AddCheckIn(c); err != nil {
				return fmt.Errorf("add check-in: %w", err)
			}
			switch a["next"] {
			case "smaller", "stretch":
				exp.Action = a["reshape"]
			case "swap":
				exp.Status = StatusClosed
			case "pause":
				exp.Status = StatusPaused
			}
			exp.UpdatedAt = s.now
			if err := s.tx.UpdateExperiment(exp); err != nil {
				return fmt.Errorf("update experiment: %w", err)
			}
			if err := s.markAnswered(); err != nil {
				return err
			}
			if err := s.say("checkin.thanks_" + a["outcome"]); err != nil {
				return err
			}
			switch a["next"] {
			case "swap":
				return s.say("checkin.after_swap")
			case "pause":
				return s.say("checkin.after_pause")
			}
			return nil
		},
	}
}

// experimentText is the action of the experiment a check-in is about.
func (s *Session) experimentText(a Answers) string {
	id, _ := strconv.ParseInt(a["exp"], 10, 64)
	e, err := s.tx.Experiment(id)
	if err != nil {
		return ""
	}
	return e.Action
}
