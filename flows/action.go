package flows

import (
	"fmt"
	"strings"

	"github.com/coachbot/coachbot/bot"
)

func showActions(s *Session, _ string) error {
	running, err := s.tx.Experiments(s.client.ID, StatusRunning)
	if err != nil {
		return fmt.Errorf("list experiments: %w", err)
	}
	if len(running) == 0 {
		return s.say("actions.none")
	}
	var b strings.Builder
	b.WriteString(s.T("actions.header"))
	for i, e := range running {
		fmt.Fprintf(&b, "\n%d. %s", i+1, e.Action)
		if e.Why != "" {
			b.WriteString(" " + s.T("actions.why", "why", e.Why))
		}
	}
	b.WriteString("\n\n" + s.T("actions.footer"))
	return s.reply(bot.Reply{Text: b.String()})
}

// /action: design an experiment sized to today's capacity.
func actionFlow() *Flow {
	return &Flow{
		Name:    "action",
		Version: 1,
		Begin:   beginFromSuggestion,
		Steps: []*Step{
			{Name: "what", Input: Text,
				PromptFor: func(_ *Session, a Answers) string {
					if a["suggestion"] != "" {
						return "action.what_reshape"
					}
					return "action.what"
				},
				Vars:    func(_ *Session, a Answers) []string { return []string{"suggestion", a["suggestion"]} },
				Skip:    func(_ *Session, a Answers) bool { return a["what"] != "" },
				Options: []Option{{"nonaction", "btn.choose_nonaction"}},
				Next: func(_ *Session, a Answers) string {
					switch {
					case a["what"] == "nonaction":
						return "nonaction"
					case LooksLikeOutcome(a["what"]):
						return "step"
					}
					return "when"
				}},
			{Name: "step", Prompt: "action.outcome", Input: Text,
				Vars: func(_ *Session, a Answers) []string { return []string{"outcome", a["what"]} },
				Skip: func(_ *Session, a Answers) bool { return !LooksLikeOutcome(a["what"]) },
				Check: func(_ *Session, _ Answers, v string) (string, string) {
					if LooksLikeOutcome(v) {
						return "", "action.still_outcome"
					}
					return v, ""
				}},
			{Name: "when", Prompt: "action.when", Input: Text,
				Options: []Option{{"today", "btn.today"}, {"tomorrow", "btn.tomorrow"}, {"this week", "btn.this_week"}}},
			{Name: "energy", Prompt: "action.energy", Input: Scale, Min: 1, Max: 5},
			{Name: "load", Prompt: "action.load", Input: Choice,
				Options: []Option{{"low", "btn.low"}, {"medium", "btn.medium"}, {"high", "btn.high"}}},
			{Name: "people", Prompt: "action.people", Input: Text,
				Options: []Option{{"hardly", "btn.people_hardly"}}},
			{Name: "recovery", Prompt: "action.recovery", Input: Text,
				Options: []Option{{"nothing special", "btn.recovery_none"}}},
			{Name: "carry", Prompt: "action.carry", Input: Scale, Min: 1, Max: 10,
				Next: func(_ *Session, a Answers) string {
					if a.Int("carry") < 7 {
						return "smaller"
					}
					return doneStep
				}},
			{Name: "smaller", Prompt: "action.smaller", Input: Text,
				Vars:    func(_ *Session, a Answers) []string { return []string{"action", actionText(a)} },
				Options: []Option{{"keep", "btn.keep_as_is"}},
				Next:    goTo(doneStep)},
			{Name: "nonaction", Prompt: "action.nonaction", Input: Choice, Options: nonActionKinds},
			{Name: "note", Prompt: "action.nonaction_note", Input: Text,
				Options: []Option{{"skip", "btn.skip"}}},
		},
		Done: func(s *Session, a Answers) error {
			e := Experiment{ClientID: s.client.ID, Status: StatusRunning, SuggestedBy: a["suggested_by"], CreatedAt: s.now, UpdatedAt: s.now}
			if a["what"] == "nonaction" {
				e.Kind = a["nonaction"]
				e.Action = s.T("kind." + e.Kind)
				if n := a["note"]; n != "" && n != "skip" {
					e.Action += ": " + n
				}
			} else {
				e.Kind = KindAction
				e.Action = actionText(a)
				if a["step"] != "" {
					e.Why = a["what"]
				}
				if sm := a["smaller"]; sm != "" && sm != "keep" {
					e.Action = sm
				}
				e.When, e.Energy, e.Load = a["when"], a.Int("energy"), a["load"]
				e.People, e.Recovery, e.Carry = a["people"], a["recovery"], a.Int("carry")
			}
			if _, err := s.tx.AddExperiment(e); err != nil {
				return fmt.Errorf("add experiment: %w", err)
			}
			key := "action.saved"
			if e.Kind != KindAction {
				key = "action.saved_nonaction"
			}
			return s.say(key, "action", e.Action, "next", s.nextCheckInText())
		},
	}
}

// actionText is the concrete step: the first step toward an outcome, or what
// the client named directly.
func actionText(a Answers) string {
	if a["step"] != "" {
		return a["step"]
	}
	return a["what"]
}
