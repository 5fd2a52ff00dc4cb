package flows

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/coachbot/coachbot/bot"
	"github.com/coachbot/coachbot/flows/outcome"
	"github.com/coachbot/coachbot/scheduler"
)

// showActions lists the running and paused experiments, each with the chain
// of versions it grew from and the why it serves.
func showActions(s *Session, _ string) error {
	all, err := s.tx.Experiments(s.client.ID, "")
	if err != nil {
		return fmt.Errorf("list experiments: %w", err)
	}
	var running, paused []Experiment
	for _, e := range all {
		switch e.Status {
		case StatusRunning:
			running = append(running, e)
		case StatusPaused:
			paused = append(paused, e)
		}
	}
	if len(running) == 0 && len(paused) == 0 {
		return s.say("actions.none")
	}
	var b strings.Builder
	r := bot.Reply{}
	if len(running) > 0 {
		b.WriteString(s.T("actions.header"))
		for i, e := range running {
			fmt.Fprintf(&b, "\n%d. %s", i+1, chainText(all, e))
			if e.Why != "" {
				b.WriteString(" " + s.T("actions.why", "why", e.Why))
			}
		}
	}
	if len(paused) > 0 {
		if b.Len() > 0 {
			b.WriteString("\n\n")
		}
		b.WriteString(s.T("actions.paused_header"))
		for _, e := range paused {
			b.WriteString("\n• " + chainText(all, e))
			r.Buttons = append(r.Buttons, bot.Button{Label: s.T("btn.resume_experiment", "action", shorten(e.Action, 30)),
				Data: resumeCard + strconv.FormatInt(e.ID, 10)})
		}
	}
	if len(running) > 0 {
		b.WriteString("\n\n" + s.T("actions.footer"))
	}
	r.Text = b.String()
	return s.reply(r)
}

// chainText is an experiment with the versions it grew from, oldest first:
// "Email three past clients → Email one past client".
func chainText(all []Experiment, e Experiment) string { return chainWith(all, e, nil) }

// chainWith is chainText with a note after each earlier version (what
// happened with it), when note gives one.
func chainWith(all []Experiment, e Experiment, note func(Experiment) string) string {
	byID := make(map[int64]Experiment, len(all))
	for _, x := range all {
		byID[x.ID] = x
	}
	parts := []string{e.Action}
	seen := map[int64]bool{e.ID: true}
	for prev := e.PreviousID; prev != 0 && !seen[prev]; {
		x, ok := byID[prev]
		if !ok {
			break
		}
		seen[prev] = true
		part := x.Action
		if note != nil {
			if n := note(x); n != "" {
				part += " (" + n + ")"
			}
		}
		parts = append([]string{part}, parts...)
		prev = x.PreviousID
	}
	return strings.Join(parts, " → ")
}

// resumeCard prefixes the button that brings a paused experiment back. Like
// a suggestion card it is not tied to a conversation: the experiment's ID and
// owner are checked when it is pressed.
const resumeCard = "!r"

// answerResume brings a paused experiment back, asking whether it still fits.
func (s *Session) answerResume(data string) error {
	id, err := strconv.ParseInt(strings.TrimPrefix(data, resumeCard), 10, 64)
	if err != nil {
		return s.say("button.expired")
	}
	e, err := s.tx.Experiment(id)
	if err != nil || e.ClientID != s.client.ID || e.Status != StatusPaused {
		return s.say("button.expired")
	}
	if s.conv != nil {
		if err := s.leave(true); err != nil {
			return err
		}
	}
	return s.begin("resume", strconv.FormatInt(id, 10))
}

// resumeFlow asks whether a paused experiment still fits before it runs again.
func resumeFlow() *Flow {
	return &Flow{
		Name:    "resume",
		Version: 1,
		Begin: func(s *Session, a Answers, args string) (bool, error) {
			a["exp"] = args
			return true, nil
		},
		Steps: []*Step{
			{Name: "fits", Prompt: "resume.fits", Input: Choice, Keep: "note",
				Vars: func(s *Session, a Answers) ([]string, error) {
					e, err := s.experimentOf(a)
					return []string{"action", e.Action}, err
				},
				Options: []Option{{"yes", "btn.still_fits"}, {"smaller", "btn.smaller"}, {"no", "btn.leave_it_paused"}}},
			{Name: "reshape", Prompt: "checkin.reshape_smaller", Input: Text, Skip: isNot("fits", "smaller"),
				Vars: func(s *Session, a Answers) ([]string, error) {
					e, err := s.experimentOf(a)
					return []string{"action", e.Action}, err
				}},
			sizeStep("new_energy", "resize.energy", 1, 5, isNot("fits", "smaller")),
			sizeStep("new_carry", "resize.carry", 1, 10, isNot("fits", "smaller")),
		},
		Done: func(s *Session, a Answers) error {
			e, err := s.experimentOf(a)
			if err != nil {
				return s.say("checkin.gone")
			}
			switch a["fits"] {
			case "no":
				return s.say("resume.left_paused")
			case "smaller":
				if _, err := s.newVersion(e, a["reshape"], a); err != nil {
					return err
				}
				e.Status = StatusClosed
			default:
				e.Status = StatusRunning
				e.CheckFrom = s.firstCheckIn(planToday(s))
			}
			e.UpdatedAt = s.now
			if err := s.tx.UpdateExperiment(e); err != nil {
				return fmt.Errorf("resume experiment: %w", err)
			}
			if err := s.planAfterChange(); err != nil {
				return err
			}
			return s.say("resume.running", "next", s.nextCheckInText())
		},
	}
}

// sizeStep asks a capacity question again for a new version, with a button
// for "same as before".
func sizeStep(name, prompt string, lo, hi int, skip func(*Session, Answers) bool) *Step {
	opts := make([]Option, 0, hi-lo+2)
	for n := lo; n <= hi; n++ {
		v := strconv.Itoa(n)
		opts = append(opts, Option{v, "=" + v})
	}
	opts = append(opts, Option{"same", "btn.same_as_before"})
	return &Step{Name: name, Prompt: prompt, Input: Scale, Min: lo, Max: hi, Options: opts, Skip: skip}
}

// newVersion saves a new version of e with a new action, sized by the answers
// new_energy and new_carry ("same" keeps the old value), linked to e.
func (s *Session) newVersion(e Experiment, action string, a Answers) (Experiment, error) {
	n := e
	n.ID, n.PreviousID, n.Action = 0, e.ID, action
	n.Status, n.CreatedAt, n.UpdatedAt = StatusRunning, s.now, s.now
	if v := a.Int("new_energy"); v > 0 {
		n.Energy = v
	}
	if v := a.Int("new_carry"); v > 0 {
		n.Carry = v
	}
	plan := planToday(s)
	if p, rest, ok := scheduler.FindPlan(action, s.now, s.zone()); ok && rest != "" && p.DayNamed {
		plan = p
	}
	setPlan(&n, plan)
	// A new version comes out of a reflection, which closes today: the
	// first check-in about it is tomorrow at the earliest.
	p, ok := s.prefs()
	if ok {
		tomorrow := scheduler.At(s.today().AddDays(1), scheduler.Clock{}, p.Zone)
		n.CheckFrom = p.FirstCheckIn(plan, tomorrow.Add(-time.Second))
	}
	id, err := s.tx.AddExperiment(n)
	if err != nil {
		return Experiment{}, fmt.Errorf("add version: %w", err)
	}
	n.ID = id
	return n, nil
}

// experimentOf is the client's own experiment named by the answer "exp".
func (s *Session) experimentOf(a Answers) (Experiment, error) {
	id, err := strconv.ParseInt(a["exp"], 10, 64)
	if err != nil {
		return Experiment{}, fmt.Errorf("experiment %q: %w", a["exp"], ErrNotFound)
	}
	e, err := s.tx.Experiment(id)
	if err != nil {
		return Experiment{}, err
	}
	if e.ClientID != s.client.ID {
		return Experiment{}, fmt.Errorf("experiment %d: %w", id, ErrNotFound)
	}
	return e, nil
}

// whatIs reads the client's answer to "what would you like to try?".
func whatIs(a Answers) outcome.Verdict {
	switch a["what_is"] {
	case "outcome":
		return outcome.Outcome
	case "step":
		return outcome.Step
	}
	return outcome.Classify(a["what"])
}

// /action: design an experiment sized to today's capacity.
func actionFlow() *Flow {
	return &Flow{
		Name:    "action",
		Version: 2,
		Begin:   beginFromSuggestion,
		Steps: []*Step{
			{Name: "what", Input: Text,
				PromptFor: func(_ *Session, a Answers) string {
					if a["suggestion"] != "" {
						return "action.what_reshape"
					}
					return "action.what"
				},
				Vars:    func(_ *Session, a Answers) ([]string, error) { return []string{"suggestion", a["suggestion"]}, nil },
				Skip:    func(_ *Session, a Answers) bool { return a["what"] != "" },
				Options: []Option{{"nonaction", "btn.choose_nonaction"}},
				Next: func(_ *Session, a Answers) string {
					switch {
					case a["what"] == "nonaction":
						return "nonaction"
					case whatIs(a) == outcome.Unsure:
						return "what_is"
					case whatIs(a) == outcome.Outcome:
						return "step"
					}
					return "when"
				}},
			{Name: "what_is", Prompt: "action.what_is", Input: Choice,
				Vars:    func(_ *Session, a Answers) ([]string, error) { return []string{"what", a["what"]}, nil },
				Options: []Option{{"outcome", "btn.a_direction"}, {"step", "btn.a_step"}},
				Skip: func(_ *Session, a Answers) bool {
					return a["what"] == "nonaction" || outcome.Classify(a["what"]) != outcome.Unsure
				},
				Next: func(_ *Session, a Answers) string {
					if a["what_is"] == "outcome" {
						return "step"
					}
					return "when"
				}},
			{Name: "step", Prompt: "action.outcome", Input: Text,
				Vars: func(_ *Session, a Answers) ([]string, error) { return []string{"outcome", a["what"]}, nil },
				Skip: func(_ *Session, a Answers) bool { return whatIs(a) != outcome.Outcome },
				Check: func(_ *Session, _ Answers, v string) (string, string) {
					if outcome.Classify(v) == outcome.Outcome {
						return "", "action.still_outcome"
					}
					return v, ""
				}},
			{Name: "when", Prompt: "action.when", Input: Text,
				Options: []Option{{"today", "btn.today"}, {"tomorrow", "btn.tomorrow"}, {"this week", "btn.this_week"}},
				// A step that already says when ("call mum on Thursday") is
				// not asked again.
				Skip: func(s *Session, a Answers) bool { return notePlanIn(s, a, actionText(a)) },
				Check: func(s *Session, a Answers, v string) (string, string) {
					if p, ok := scheduler.ParsePlan(v, s.now, s.zone()); ok {
						storePlan(a, withClockHint(p, a))
					}
					return v, ""
				},
				Next: func(_ *Session, a Answers) string {
					if a["plan_from"] == "" {
						return "when_pick"
					}
					return "energy"
				}},
			{Name: "when_pick", Prompt: "action.when_pick", Input: Choice,
				Options: []Option{{"today", "btn.today"}, {"tomorrow", "btn.tomorrow"},
					{"later this week", "btn.later_this_week"}, {"pick", "btn.pick_a_day"}},
				Skip: func(_ *Session, a Answers) bool { return a["plan_from"] != "" },
				After: func(s *Session, a Answers) error {
					if a["when_pick"] == "pick" {
						return nil
					}
					var p scheduler.Plan
					switch a["when_pick"] {
					case "tomorrow":
						d := s.today().AddDays(1)
						p = scheduler.Plan{From: d, By: d, DayNamed: true}
					case "later this week":
						p = laterThisWeek(s)
					default:
						p = planToday(s)
					}
					storePlan(a, withClockHint(p, a))
					return nil
				}},
			{Name: "when_day", Prompt: "action.when_day", Input: Text,
				Skip: func(_ *Session, a Answers) bool { return a["plan_from"] != "" },
				Check: func(s *Session, a Answers, v string) (string, string) {
					p, ok := scheduler.ParsePlan(v, s.now, s.zone())
					if !ok {
						return "", "input.day"
					}
					storePlan(a, withClockHint(p, a))
					return v, ""
				}},
			{Name: "energy", Prompt: "action.energy", Input: Scale, Min: 1, Max: 5},
			{Name: "load", Prompt: "action.load", Input: Choice, Keep: "load_note",
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
				Vars:    func(_ *Session, a Answers) ([]string, error) { return []string{"action", actionText(a)}, nil },
				Options: []Option{{"keep", "btn.keep_as_is"}},
				Next: func(_ *Session, a Answers) string {
					if a["smaller"] == "keep" {
						return doneStep
					}
					return "new_carry"
				}},
			// The smaller version is sized again: how carryable it feels now.
			sizeStep("new_carry", "resize.carry", 1, 10, func(_ *Session, a Answers) bool {
				return a["smaller"] == "" || a["smaller"] == "keep"
			}),
			{Name: "nonaction", Prompt: "action.nonaction", Input: Choice, Options: nonActionKinds,
				Skip: isNot("what", "nonaction")},
			{Name: "note", Prompt: "action.nonaction_note", Input: Text,
				Skip:    isNot("what", "nonaction"),
				Options: []Option{{"skip", "btn.skip"}}},
		},
		Done: func(s *Session, a Answers) error {
			e := Experiment{ClientID: s.client.ID, Status: StatusRunning, SuggestedBy: a["suggested_by"], CreatedAt: s.now, UpdatedAt: s.now}
			if a["what"] == "nonaction" {
				return s.saveNonActionExperiment(e, a)
			}
			e.Kind = KindAction
			e.Action = actionText(a)
			if a["step"] != "" {
				e.Why = a["what"]
			}
			e.When, e.Energy, e.Load = a["when"], a.Int("energy"), a["load"]
			e.People, e.Recovery, e.Carry = a["people"], a["recovery"], a.Int("carry")
			if sm := a["smaller"]; sm != "" && sm != "keep" {
				// What they first named stays in the history as the version
				// before; the smaller one is what runs.
				first := e
				first.Status = StatusClosed
				id, err := s.tx.AddExperiment(first)
				if err != nil {
					return fmt.Errorf("add experiment: %w", err)
				}
				e.PreviousID, e.Action = id, sm
				if v := a.Int("new_carry"); v > 0 {
					e.Carry = v
				}
			}
			plan := planFrom(a)
			setPlan(&e, plan)
			e.CheckFrom = s.firstCheckIn(plan)
			if _, err := s.tx.AddExperiment(e); err != nil {
				return fmt.Errorf("add experiment: %w", err)
			}
			if err := s.planAfterChange(); err != nil {
				return err
			}
			key := "action.saved"
			if e.Why != "" {
				key = "action.saved_why"
			}
			return s.say(key, "action", e.Action, "why", e.Why, "next", s.checkInText(e.CheckFrom))
		},
	}
}

// saveNonActionExperiment records a conscious choice not to push: it counts
// for today, and today is closed.
func (s *Session) saveNonActionExperiment(e Experiment, a Answers) error {
	e.Kind = a["nonaction"]
	e.Action = s.T("kind." + e.Kind)
	if n := a["note"]; n != "" && n != "skip" {
		e.Action += ": " + n
	}
	plan := planToday(s)
	setPlan(&e, plan)
	e.CheckFrom = s.firstCheckIn(plan)
	if _, err := s.tx.AddExperiment(e); err != nil {
		return fmt.Errorf("add experiment: %w", err)
	}
	n := NonAction{ClientID: s.client.ID, Kind: e.Kind, Date: s.today().String(), At: s.now}
	if _, err := s.tx.AddNonAction(n); err != nil {
		return fmt.Errorf("add non-action: %w", err)
	}
	if err := s.closeDay(); err != nil {
		return err
	}
	return s.say("action.saved_nonaction", "action", e.Action, "next", s.nextCheckInText())
}

// actionText is the concrete step: the first step toward an outcome, or what
// the client named directly.
func actionText(a Answers) string {
	if a["step"] != "" {
		return a["step"]
	}
	return a["what"]
}

// notePlanIn stores a plan named inside text and reports whether there was one.
func notePlanIn(s *Session, a Answers, text string) bool {
	if a["plan_from"] != "" {
		return true
	}
	p, rest, ok := scheduler.FindPlan(text, s.now, s.zone())
	if !ok || strings.TrimSpace(rest) == "" {
		return false
	}
	if !p.DayNamed {
		// "after lunch" names a time, not a day: the day is still asked,
		// and the time kept for it.
		if p.HasClock {
			a["plan_clock_hint"] = p.Clock.String()
		}
		return false
	}
	storePlan(a, p)
	return true
}

// withClockHint gives a plan without a time of day the one the step itself
// named ("walk after lunch", answered "tomorrow").
func withClockHint(p scheduler.Plan, a Answers) scheduler.Plan {
	if c, err := scheduler.ParseClock(a["plan_clock_hint"]); err == nil && !p.HasClock && a["plan_clock_hint"] != "" {
		p.Clock, p.HasClock = c, true
	}
	return p
}

// storePlan keeps a plan among the answers, as local dates and a clock.
func storePlan(a Answers, p scheduler.Plan) {
	a["plan_from"], a["plan_by"] = p.From.String(), p.By.String()
	delete(a, "plan_clock")
	if p.HasClock {
		a["plan_clock"] = p.Clock.String()
	}
}

// planFrom reads the plan storePlan kept; no plan reads as today.
func planFrom(a Answers) scheduler.Plan {
	from, err := scheduler.ParseDate(a["plan_from"])
	if err != nil {
		return scheduler.Plan{}
	}
	by, err := scheduler.ParseDate(a["plan_by"])
	if err != nil {
		by = from
	}
	p := scheduler.Plan{From: from, By: by}
	if c, err := scheduler.ParseClock(a["plan_clock"]); err == nil && a["plan_clock"] != "" {
		p.Clock, p.HasClock = c, true
	}
	return p
}

func setPlan(e *Experiment, p scheduler.Plan) {
	if p.From.IsZero() {
		return
	}
	e.PlanFrom, e.PlanBy = p.From.String(), p.By.String()
	e.PlanClock = ""
	if p.HasClock {
		e.PlanClock = p.Clock.String()
	}
}

// planToday is a plan for the client's today.
func planToday(s *Session) scheduler.Plan {
	d := s.today()
	return scheduler.Plan{From: d, By: d}
}

// laterThisWeek is tomorrow to Sunday, or the coming days when the week is
// nearly over.
func laterThisWeek(s *Session) scheduler.Plan {
	from := s.today().AddDays(1)
	by := from
	for by.Weekday() != time.Sunday {
		by = by.AddDays(1)
	}
	if scheduler.DaysBetween(from, by) < 2 {
		by = from.AddDays(2)
	}
	return scheduler.Plan{From: from, By: by}
}

// firstCheckIn is when to invite a reflection on an experiment planned for
// plan; the zero time when the client's rhythm is not set up.
func (s *Session) firstCheckIn(plan scheduler.Plan) time.Time {
	p, ok := s.prefs()
	if !ok {
		return time.Time{}
	}
	if plan.From.IsZero() {
		plan = planToday(s)
	}
	return p.FirstCheckIn(plan, s.now)
}

// checkInText says when the check-in about an experiment comes.
func (s *Session) checkInText(at time.Time) string {
	p, ok := s.prefs()
	if !ok || at.IsZero() {
		return s.T("when.unknown")
	}
	if !p.PausedUntil.IsZero() && at.Before(p.PausedUntil) {
		return s.T("when.paused", "date", s.date(p.PausedUntil.In(p.Zone), dateDay))
	}
	return formatMoment(s, at.In(p.Zone))
}

// today is the client's local date.
func (s *Session) today() scheduler.Date { return scheduler.DateOf(s.now, s.zone()) }
