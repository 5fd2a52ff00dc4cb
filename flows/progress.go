package flows

import (
	"fmt"
	"strings"
	"time"

	"github.com/coachbot/coachbot/bot"
)

// showProgress tells the client what they have tried, noticed and built. It
// counts what happened, never what did not: no streaks, no missed days.
func showProgress(s *Session, _ string) error {
	exps, err := s.tx.Experiments(s.client.ID, "")
	if err != nil {
		return fmt.Errorf("progress: %w", err)
	}
	checkIns, err := s.tx.CheckIns(s.client.ID, time.Time{})
	if err != nil {
		return fmt.Errorf("progress: %w", err)
	}
	rests, err := s.tx.NonActions(s.client.ID, time.Time{})
	if err != nil {
		return fmt.Errorf("progress: %w", err)
	}
	assessments, err := s.tx.Assessments(s.client.ID)
	if err != nil {
		return fmt.Errorf("progress: %w", err)
	}
	if len(exps) == 0 && len(checkIns) == 0 && len(rests) == 0 && len(assessments) == 0 {
		return s.say("progress.empty")
	}

	var b strings.Builder
	b.WriteString(s.T("progress.header"))
	tried := 0
	for _, e := range exps {
		if e.Kind == KindAction {
			tried++
		}
	}
	if tried > 0 {
		b.WriteString("\n\n" + s.T("progress.tried", "count", s.count("experiments", tried)))
		for _, e := range lastN(exps, 3) {
			if e.Kind == KindAction {
				b.WriteString("\n• " + e.Action)
			}
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
	if len(rests) > 0 {
		b.WriteString("\n\n" + s.T("progress.rest", "count", s.count("times", len(rests))))
	}
	if lines := competenceChanges(assessments); len(lines) > 0 {
		b.WriteString("\n\n" + s.T("progress.competence"))
		for _, l := range lines {
			b.WriteString("\n• " + s.T("progress.competence_line", "skill", l.skill, "from", s.T(stageKey(l.from)), "to", s.T(stageKey(l.to))))
		}
	}
	b.WriteString("\n\n" + s.T("progress.identity"))
	return s.reply(bot.Reply{Text: b.String()})
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
