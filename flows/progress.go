package flows

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/coachbot/coachbot/bot"
)

// showProgress tells the client what they have tried, noticed and built,
// toward the why each experiment serves. It counts what happened, never what
// did not: no streaks, no missed days. With a coach, it offers to change
// which of the last check-ins the coach sees.
func showProgress(s *Session, _ string) error {
	text, err := s.progressText()
	if err != nil {
		return fmt.Errorf("progress: %w", err)
	}
	recent, err := s.recentCheckIns()
	if err != nil {
		return fmt.Errorf("progress: %w", err)
	}
	if s.client.CoachID == "" || len(recent) == 0 {
		return s.reply(bot.Reply{Text: text})
	}
	// One message: the progress, and the offer under it.
	s.lead = append(s.lead, text)
	return s.begin("sharing", "")
}

// progressText is the client's progress in identity terms.
func (s *Session) progressText() (string, error) {
	exps, err := s.tx.Experiments(s.client.ID, "")
	if err != nil {
		return "", err
	}
	checkIns, err := s.tx.CheckIns(s.client.ID, time.Time{})
	if err != nil {
		return "", err
	}
	rests, err := s.tx.NonActions(s.client.ID, time.Time{})
	if err != nil {
		return "", err
	}
	assessments, err := s.tx.Assessments(s.client.ID)
	if err != nil {
		return "", err
	}
	if len(exps) == 0 && len(checkIns) == 0 && len(rests) == 0 && len(assessments) == 0 {
		return s.T("progress.empty"), nil
	}

	var b strings.Builder
	b.WriteString(s.T("progress.header"))
	// An experiment is one design with its versions: count first versions,
	// and tell each by its latest version, with the chain it grew through.
	latest := map[int64]Experiment{} // first version's ID -> latest version
	var firsts []int64
	byID := map[int64]Experiment{}
	for _, e := range exps {
		byID[e.ID] = e
	}
	root := func(e Experiment) int64 {
		seen := map[int64]bool{}
		for e.PreviousID != 0 && !seen[e.ID] {
			seen[e.ID] = true
			prev, ok := byID[e.PreviousID]
			if !ok {
				break
			}
			e = prev
		}
		return e.ID
	}
	for _, e := range exps {
		if e.Kind != KindAction {
			continue
		}
		r := root(e)
		if _, ok := latest[r]; !ok {
			firsts = append(firsts, r)
		}
		latest[r] = e
	}
	noticedBy := map[int64][]string{} // first version -> what was noticed
	for _, ci := range checkIns {
		if x, ok := byID[ci.ExperimentID]; ok && strings.TrimSpace(ci.Noticed) != "" {
			r := root(x)
			noticedBy[r] = append(noticedBy[r], strings.TrimSpace(ci.Noticed))
		}
	}
	if n := len(firsts); n > 0 {
		b.WriteString("\n\n" + s.T("progress.tried", "count", s.count("experiments", n)))
		// Grouped by why, most recent designs first.
		var whys []string
		group := map[string][]int64{}
		for _, r := range lastN(firsts, 5) {
			why := latest[r].Why
			if _, ok := group[why]; !ok {
				whys = append(whys, why)
			}
			group[why] = append(group[why], r)
		}
		for _, why := range whys {
			var parts []string
			for _, r := range group[why] {
				part := s.T("progress.experiment", "chain", chainText(exps, latest[r]))
				if ns := noticedBy[r]; len(ns) > 0 {
					part += s.T("progress.experiment_noticed", "noticed", shorten(ns[len(ns)-1], 100))
				}
				parts = append(parts, part)
			}
			key := "progress.toward"
			if why == "" {
				key = "progress.other"
			}
			b.WriteString("\n" + s.T(key, "why", why, "experiments", strings.Join(parts, "; ")))
		}
	}
	var noticed []string
	for i := len(checkIns) - 1; i >= 0 && len(noticed) < 3; i-- {
		if n := strings.TrimSpace(checkIns[i].Noticed); n != "" {
			noticed = append(noticed, n)
		}
	}
	if len(noticed) > 0 {
		b.WriteString("\n\n" + s.T("progress.noticed", "count", s.count("times", len(checkIns))))
		for _, n := range noticed {
			b.WriteString("\n• “" + shorten(n, 120) + "”")
		}
	}
	chosen, planned := 0, 0
	for _, r := range rests {
		if r.Planned {
			planned++
		} else {
			chosen++
		}
	}
	if chosen > 0 {
		b.WriteString("\n\n" + s.T("progress.rest", "count", s.count("times", chosen)))
	}
	if planned > 0 {
		b.WriteString("\n\n" + s.T("progress.rest_days", "count", s.count("times", planned)))
	}
	if lines := competenceChanges(assessments); len(lines) > 0 {
		b.WriteString("\n\n" + s.T("progress.competence"))
		for _, l := range lines {
			b.WriteString("\n• " + s.T("progress.competence_line", "skill", l.skill, "from", s.T(stageKey(l.from)), "to", s.T(stageKey(l.to))))
		}
	}
	b.WriteString("\n\n" + s.T("progress.identity"))
	return b.String(), nil
}

// sharingRecent is how many of the latest check-ins the client may share or
// un-share from /progress.
const sharingRecent = 5

// recentCheckIns are the client's latest check-ins, newest first.
func (s *Session) recentCheckIns() ([]CheckIn, error) {
	all, err := s.tx.CheckIns(s.client.ID, time.Time{})
	if err != nil {
		return nil, err
	}
	all = lastN(all, sharingRecent)
	out := make([]CheckIn, 0, len(all))
	for i := len(all) - 1; i >= 0; i-- {
		out = append(out, all[i])
	}
	return out, nil
}

// sharingFlow lets a client change their mind about what their coach sees of
// their last few check-ins: each can be shared or kept private again. The
// question stays open until they are done; a command or other words leave it.
func sharingFlow() *Flow {
	return &Flow{
		Name:    "sharing",
		Version: 1,
		Steps: []*Step{
			{Name: "open", Prompt: "sharing.offer", Input: Choice,
				Vars:    coachVars,
				Options: []Option{{"change", "btn.change_sharing"}},
				OnText:  leaveAndPoint},
			{Name: "pick", Prompt: "sharing.pick", Input: Choice, OnText: leaveAndPoint,
				Vars: func(s *Session, _ Answers) ([]string, error) {
					recent, err := s.recentCheckIns()
					if err != nil {
						return nil, err
					}
					exps, err := s.tx.Experiments(s.client.ID, "")
					if err != nil {
						return nil, err
					}
					var lines []string
					for i, ci := range recent {
						about := s.T("sharing.no_experiment")
						for _, x := range exps {
							if x.ID == ci.ExperimentID {
								about = "“" + shorten(x.Action, 50) + "”"
							}
						}
						state := "sharing.shared"
						if ci.Private {
							state = "sharing.private"
						}
						lines = append(lines, fmt.Sprintf("%d. %s, %s: %s", i+1, s.date(ci.At.In(s.zone()), dateShort), about, s.T(state)))
					}
					coach, err := s.tx.Coach(s.client.CoachID)
					if err != nil {
						return nil, fmt.Errorf("sharing: %w", err)
					}
					return []string{"coach", coach.Name, "list", strings.Join(lines, "\n")}, nil
				},
				OptionsFor: func(s *Session, _ Answers) ([]Option, error) {
					recent, err := s.recentCheckIns()
					if err != nil {
						return nil, err
					}
					var opts []Option
					for i, ci := range recent {
						n := strconv.Itoa(i + 1)
						if ci.Private {
							opts = append(opts, Option{"share:" + strconv.FormatInt(ci.ID, 10), "=" + s.T("btn.share_n", "n", n)})
						} else {
							opts = append(opts, Option{"private:" + strconv.FormatInt(ci.ID, 10), "=" + s.T("btn.private_n", "n", n)})
						}
					}
					return append(opts, Option{"done", "btn.done"}), nil
				},
				After: func(s *Session, a Answers) error {
					how, idText, ok := strings.Cut(a["pick"], ":")
					if !ok {
						return nil
					}
					id, err := strconv.ParseInt(idText, 10, 64)
					if err != nil {
						return nil
					}
					if err := s.tx.SetCheckInPrivate(s.client.ID, id, how == "private"); err != nil {
						return err
					}
					coach, err := s.tx.Coach(s.client.CoachID)
					if err != nil {
						return fmt.Errorf("sharing: %w", err)
					}
					s.note("sharing.changed_"+how, "coach", coach.Name)
					return nil
				},
				Next: func(_ *Session, a Answers) string {
					if a["pick"] == "done" {
						return doneStep
					}
					return "pick"
				}},
		},
		Done: func(s *Session, a Answers) error {
			return s.say("sharing.done")
		},
	}
}

// coachVars names the client's coach in a prompt.
func coachVars(s *Session, _ Answers) ([]string, error) {
	coach, err := s.tx.Coach(s.client.CoachID)
	if err != nil {
		return nil, fmt.Errorf("coach of %s: %w", s.client.ID, err)
	}
	return []string{"coach", coach.Name}, nil
}

// leaveAndPoint lets words written to an optional question leave it: they
// were not an answer to it.
func leaveAndPoint(s *Session, _ Answers, _ string) error {
	if err := s.leave(true); err != nil {
		return err
	}
	return s.say("help.pointer")
}

// competence is how one skill's self-rated stage moved from first to latest.
type competence struct {
	skill    string
	from, to int
}

// competenceChanges compares each skill's first and latest self-assessment.
func competenceChanges(as []Assessment) []competence {
	var order []string
	first := map[string]int{}
	last := map[string]int{}
	for _, a := range as {
		if _, ok := first[a.Skill]; !ok {
			first[a.Skill] = a.Stage
			order = append(order, a.Skill)
		}
		last[a.Skill] = a.Stage
	}
	var out []competence
	for _, sk := range order {
		out = append(out, competence{skill: sk, from: first[sk], to: last[sk]})
	}
	return out
}

func stageKey(stage int) string { return fmt.Sprintf("stage.%d", stage) }
