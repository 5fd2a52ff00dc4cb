package flows

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
)

var outcomeOptions = []Option{
	{"done", "btn.did_it"},
	{"partly", "btn.partly"},
	{"adapted", "btn.adapted"},
	{"not_yet", "btn.not_yet"},
	{"rest", "btn.chose_rest"},
}

// isNonAction reports whether the experiment the answers are about is a
// conscious choice not to push (rest, boundary, observing, integration).
func isNonAction(s *Session, a Answers) bool {
	return a["exp_kind"] != "" && a["exp_kind"] != KindAction
}

// /checkin: what happened and what was noticed, in under a minute. A rest
// experiment is asked what fits rest, never about challenge or a smaller step.
func checkInFlow() *Flow {
	outcomeIs := func(outcomes ...string) func(*Session, Answers) bool {
		return func(_ *Session, a Answers) bool { return slices.Contains(outcomes, a["outcome"]) }
	}
	either := func(fs ...func(*Session, Answers) bool) func(*Session, Answers) bool {
		return func(s *Session, a Answers) bool {
			for _, f := range fs {
				if f(s, a) {
					return true
				}
			}
			return false
		}
	}
	experimentVars := func(s *Session, a Answers) ([]string, error) {
		e, err := s.experimentOf(a)
		return []string{"action", e.Action}, err
	}
	return &Flow{
		Name:    "checkin",
		Version: 2,
		Begin: func(s *Session, a Answers, args string) (bool, error) {
			running, err := s.tx.Experiments(s.client.ID, StatusRunning)
			if err != nil {
				return false, fmt.Errorf("list experiments: %w", err)
			}
			switch {
			case len(running) == 0:
				return false, s.say("checkin.none")
			case args != "":
				// From an invitation: the experiment it asked about.
				a["exp"] = args
			case len(running) == 1:
				a["exp"] = strconv.FormatInt(running[0].ID, 10)
			}
			return true, s.noteKind(a)
		},
		Steps: []*Step{
			{Name: "exp", Prompt: "checkin.pick", Input: Choice,
				Skip: func(_ *Session, a Answers) bool { return a["exp"] != "" },
				OptionsFor: func(s *Session, _ Answers) ([]Option, error) {
					running, err := s.tx.Experiments(s.client.ID, StatusRunning)
					if err != nil {
						return nil, fmt.Errorf("list experiments: %w", err)
					}
					opts := make([]Option, 0, len(running))
					for _, e := range running {
						opts = append(opts, Option{strconv.FormatInt(e.ID, 10), "=" + shorten(e.Action, 40)})
					}
					return opts, nil
				},
				After: func(s *Session, a Answers) error { return s.noteKind(a) }},
			{Name: "outcome", Input: Choice, Options: outcomeOptions, Keep: "noticed",
				PromptFor: func(_ *Session, a Answers) string {
					if a["noticed"] != "" {
						return "checkin.outcome_kept"
					}
					return "checkin.outcome"
				},
				Reask: "checkin.outcome_short",
				Vars:  experimentVars},
			{Name: "noticed", Input: Text,
				Skip: func(_ *Session, a Answers) bool { return a["noticed"] != "" },
				PromptFor: func(s *Session, a Answers) string {
					switch {
					case isNonAction(s, a):
						return "checkin.noticed_nonaction"
					case a["outcome"] == "not_yet":
						return "checkin.noticed_not_yet"
					case a["outcome"] == "rest":
						return "checkin.noticed_rest"
					}
					return "checkin.noticed"
				}},
			{Name: "energy", Prompt: "checkin.energy", Input: Scale, Min: 1, Max: 5,
				Skip: either(outcomeIs("not_yet"), isNonAction)},
			{Name: "obstacle", Prompt: "checkin.obstacle", Input: Text,
				Options: []Option{{"nothing", "btn.nothing"}},
				Skip:    either(outcomeIs("done", "rest"), isNonAction)},
			{Name: "challenge", Prompt: "checkin.challenge", Input: Choice, Keep: "challenge_note",
				Options: []Option{{"easy", "btn.too_easy"}, {"right", "btn.about_right"}, {"hard", "btn.too_hard"}},
				Skip:    either(outcomeIs("not_yet", "rest"), isNonAction),
				After: func(s *Session, a Answers) error {
					s.note("flow.advice_" + a["challenge"])
					return nil
				}},
			{Name: "next", Prompt: "checkin.next", Input: Choice,
				OptionsFor: func(s *Session, a Answers) ([]Option, error) {
					if isNonAction(s, a) {
						return []Option{{"keep", "btn.keep"}, {"pause", "btn.pause_it"}, {"close", "btn.close_it"}}, nil
					}
					return []Option{{"keep", "btn.keep"}, {"smaller", "btn.smaller"}, {"stretch", "btn.stretch"},
						{"swap", "btn.swap"}, {"pause", "btn.pause_it"}, {"close", "btn.close_it"}}, nil
				}},
			{Name: "reshape", Input: Text,
				PromptFor: func(_ *Session, a Answers) string { return "checkin.reshape_" + a["next"] },
				Vars:      experimentVars,
				Skip:      func(_ *Session, a Answers) bool { return !reshaping(a) }},
			// A new version is sized again before it is saved.
			sizeStep("new_energy", "resize.energy", 1, 5, func(_ *Session, a Answers) bool { return !reshaping(a) }),
			sizeStep("new_carry", "resize.carry", 1, 10, func(_ *Session, a Answers) bool { return !reshaping(a) }),
			{Name: "share", Prompt: "checkin.share", Input: Choice,
				Vars: func(s *Session, _ Answers) ([]string, error) {
					coach, err := s.tx.Coach(s.client.CoachID)
					return []string{"coach", coach.Name}, err
				},
				Options: []Option{{"share", "btn.share"}, {"private", "btn.private"}},
				Skip:    func(s *Session, _ Answers) bool { return s.client.CoachID == "" }},
		},
		Done: func(s *Session, a Answers) error {
			exp, err := s.experimentOf(a)
			if err != nil {
				return s.say("checkin.gone")
			}
			c := CheckIn{
				ClientID: s.client.ID, ExperimentID: exp.ID, Outcome: a["outcome"], Noticed: a["noticed"],
				Energy: a.Int("energy"), Challenge: a["challenge"], Next: a["next"],
				Private: a["share"] != "share", At: s.now,
			}
			if o := a["obstacle"]; o != "nothing" {
				c.Obstacle = o
			}
			if _, err := s.tx.AddCheckIn(c); err != nil {
				return fmt.Errorf("add check-in: %w", err)
			}
			if c.Outcome == "rest" {
				// "I chose rest" is conscious non-action, and counts as such.
				n := NonAction{ClientID: s.client.ID, Kind: KindRest, Date: s.today().String(), Private: c.Private, At: s.now}
				if _, err := s.tx.AddNonAction(n); err != nil {
					return fmt.Errorf("add non-action: %w", err)
				}
			}
			s.note("checkin.thanks_" + c.Outcome)
			var version Experiment
			switch a["next"] {
			case "smaller", "stretch", "swap":
				if version, err = s.newVersion(exp, a["reshape"], a); err != nil {
					return err
				}
				exp.Status = StatusClosed
			case "close":
				exp.Status = StatusClosed
			case "pause":
				exp.Status = StatusPaused
			}
			exp.UpdatedAt = s.now
			if err := s.tx.UpdateExperiment(exp); err != nil {
				return fmt.Errorf("update experiment: %w", err)
			}
			if err := s.closeDay(); err != nil {
				return err
			}
			switch a["next"] {
			case "smaller", "stretch", "swap":
				s.note("checkin.new_version", "before", exp.Action, "action", version.Action, "next", s.checkInText(version.CheckFrom))
			case "close":
				s.note("checkin.after_close")
			case "pause":
				s.note("checkin.after_pause")
			}
			return s.offerAssessment()
		},
	}
}

// reshaping reports whether the check-in turns the experiment into a new version.
func reshaping(a Answers) bool {
	return a["next"] == "smaller" || a["next"] == "stretch" || a["next"] == "swap"
}

// noteKind remembers, among the answers, which kind of experiment they are
// about, so the questions that do not fit it are skipped.
func (s *Session) noteKind(a Answers) error {
	if a["exp"] == "" {
		return nil
	}
	e, err := s.experimentOf(a)
	if errors.Is(err, ErrNotFound) {
		delete(a, "exp") // gone since it was offered: ask which one
		return nil
	}
	if err != nil {
		return err
	}
	a["exp_kind"] = e.Kind
	return nil
}
