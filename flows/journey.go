package flows

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/coachbot/coachbot/scheduler"
)

// allFlows is every flow the engine knows.
func allFlows() []*Flow {
	return []*Flow{startFlow(), linkFlow(), actionFlow(), checkInFlow(), restFlow(), settingsFlow(), forgetFlow(),
		invitationFlow(), recoveryFlow(), assessFlow(), lookbackFlow(), coachFlow()}
}

var (
	yesNo = []Option{{"yes", "btn.yes"}, {"no", "btn.no"}}

	nonActionKinds = []Option{
		{KindRest, "btn.kind_rest"},
		{KindBoundary, "btn.kind_boundary"},
		{KindObserve, "btn.kind_observe"},
		{KindIntegrate, "btn.kind_integrate"},
	}
)

func is(name, value string) func(*Session, Answers) bool {
	return func(_ *Session, a Answers) bool { return a[name] == value }
}

func isNot(name, value string) func(*Session, Answers) bool {
	return func(_ *Session, a Answers) bool { return a[name] != value }
}

func goTo(step string) func(*Session, Answers) string {
	return func(*Session, Answers) string { return step }
}

// parsed is a Step.Check that accepts what parse accepts and stores it in its
// canonical form ("zurich" becomes "Europe/Zurich", "9" becomes "09:00").
func parsed[T fmt.Stringer](parse func(string) (T, error), problem string) func(*Session, Answers, string) (string, string) {
	return func(_ *Session, _ Answers, v string) (string, string) {
		x, err := parse(v)
		if err != nil {
			return "", problem
		}
		return x.String(), ""
	}
}

// Shared steps: the same question in onboarding and in /settings.

func zoneStep(skip func(*Session, Answers) bool) *Step {
	return &Step{Name: "zone", Prompt: "ask.zone", Input: Text, Skip: skip,
		Check: parsed(scheduler.ParseZone, "input.zone")}
}

func checkInTimeStep(skip func(*Session, Answers) bool) *Step {
	return &Step{Name: "time", Prompt: "ask.checkin_time", Input: Text, Skip: skip,
		Options: []Option{{"08:00", "=08:00"}, {"12:30", "=12:30"}, {"18:00", "=18:00"}},
		Check:   parsed(scheduler.ParseClock, "input.time")}
}

func restDaysStep(skip func(*Session, Answers) bool) *Step {
	return &Step{Name: "restdays", Prompt: "ask.rest_days", Input: Text, Skip: skip,
		Options: []Option{{"Sat Sun", "=Sat Sun"}, {"Sun", "=Sun"}, {"none", "btn.no_rest_days"}},
		Check:   parsed(scheduler.ParseWeekdays, "input.weekdays")}
}

// /start: consent first, then what the rhythm needs.
func startFlow() *Flow {
	return &Flow{
		Name:    "start",
		Version: 1,
		Begin: func(s *Session, a Answers, args string) (bool, error) {
			if args == "" {
				return true, nil
			}
			coach, err := s.validInvite(args)
			if err != nil {
				if err := s.say("invite.invalid"); err != nil {
					return false, err
				}
				return true, nil
			}
			a["invite"], a["coach_name"] = args, coach.Name
			return true, nil
		},
		Steps: []*Step{
			{Name: "consent", Prompt: "start.welcome", Input: Choice,
				Options: []Option{{"yes", "btn.consent_yes"}, {"no", "btn.consent_no"}},
				Next: func(_ *Session, a Answers) string {
					if a["consent"] == "no" {
						return doneStep
					}
					return ""
				}},
			{Name: "coach", Prompt: "start.coach_view", Input: Choice, Options: yesNo,
				Vars: func(_ *Session, a Answers) []string { return []string{"coach", a["coach_name"]} },
				Skip: is("invite", "")},
			zoneStep(nil),
			checkInTimeStep(nil),
			restDaysStep(nil),
		},
		Done: func(s *Session, a Answers) error {
			if a["consent"] == "no" {
				// Only the refusal is kept, so the bot knows not to ask again unprompted.
				s.client = Client{ID: s.msg.UserID, ChatID: s.msg.ChatID, CreatedAt: s.client.CreatedAt}
				if err := s.saveClient(); err != nil {
					return err
				}
				return s.say("start.declined")
			}
			c := &s.client
			c.ChatID = s.msg.ChatID
			c.Name = s.msg.Name
			c.Consented = true
			c.Zone, c.CheckIn, c.RestDays = a["zone"], a["time"], a["restdays"]
			if c.Cadence == "" {
				c.Cadence = "daily"
			}
			c.Anchor = scheduler.DateOf(s.now, s.zone()).String()
			if err := s.saveClient(); err != nil {
				return err
			}
			if a["invite"] != "" && a["coach"] == "yes" {
				if err := s.linkCoach(a["invite"]); err != nil {
					return err
				}
			}
			if err := s.say("start.done", "summary", s.summary()); err != nil {
				return err
			}
			return s.planAfterChange()
		},
	}
}

// validInvite returns the coach behind an unused, unexpired invite.
func (s *Session) validInvite(code string) (Coach, error) {
	inv, err := s.tx.Invite(strings.TrimSpace(code))
	if err != nil {
		return Coach{}, err
	}
	if !inv.UsedAt.IsZero() || inv.UsedBy != "" || !s.now.Before(inv.ExpiresAt) {
		return Coach{}, ErrNotFound
	}
	return s.tx.Coach(inv.CoachID)
}

// linkCoach uses an invite and links the client to its coach.
func (s *Session) linkCoach(code string) error {
	coach, err := s.validInvite(code)
	if err != nil {
		return s.say("invite.invalid")
	}
	if err := s.tx.UseInvite(code, s.client.ID, s.now); err != nil {
		if errors.Is(err, ErrDuplicate) || errors.Is(err, ErrNotFound) {
			return s.say("invite.invalid")
		}
		return fmt.Errorf("use invite: %w", err)
	}
	s.client.CoachID = coach.ID
	if err := s.saveClient(); err != nil {
		return err
	}
	return s.say("invite.linked", "coach", coach.Name)
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

// /settings: change one thing at a time.
func settingsFlow() *Flow {
	return &Flow{
		Name:    "settings",
		Version: 1,
		Steps: []*Step{
			{Name: "what", Prompt: "settings.menu", Input: Choice,
				Vars: func(s *Session, _ Answers) []string { return []string{"summary", s.summary()} },
				OptionsFor: func(s *Session, _ Answers) []Option {
					opts := []Option{{"zone", "btn.set_zone"}, {"time", "btn.set_time"}, {"restdays", "btn.set_rest_days"},
						{"cadence", "btn.set_cadence"}}
					if s.client.CoachID != "" {
						opts = append(opts, Option{"leave", "btn.leave_coach"})
					}
					return append(opts, Option{"nothing", "btn.nothing_to_change"})
				},
				Next: func(_ *Session, a Answers) string {
					if a["what"] == "nothing" {
						return doneStep
					}
					return ""
				}},
			withNext(zoneStep(isNot("what", "zone")), doneStep),
			withNext(checkInTimeStep(isNot("what", "time")), doneStep),
			withNext(restDaysStep(isNot("what", "restdays")), doneStep),
			{Name: "cadence", Prompt: "ask.cadence", Input: Choice, Skip: isNot("what", "cadence"),
				OptionsFor: func(s *Session, _ Answers) []Option {
					opts := []Option{{"daily", "btn.daily"}, {"every 2 days", "btn.every_2_days"}, {"weekly", "btn.weekly"}}
					if s.client.CoachID != "" {
						// Spread over the days between sessions, once the coach sets one.
						opts = append(opts, Option{"3 per session", "btn.three_per_session"})
					}
					return opts
				},
				Next: goTo(doneStep)},
			{Name: "leave", Prompt: "settings.leave_confirm", Input: Choice, Options: yesNo,
				Skip: isNot("what", "leave")},
		},
		Done: func(s *Session, a Answers) error {
			c := &s.client
			switch a["what"] {
			case "nothing":
				return s.say("settings.unchanged")
			case "zone":
				c.Zone = a["zone"]
			case "time":
				c.CheckIn = a["time"]
			case "restdays":
				c.RestDays = a["restdays"]
			case "cadence":
				c.Cadence = a["cadence"]
			case "leave":
				if a["leave"] != "yes" {
					return s.say("settings.unchanged")
				}
				c.CoachID = ""
			}
			if err := s.saveClient(); err != nil {
				return err
			}
			if err := s.say("settings.saved", "summary", s.summary()); err != nil {
				return err
			}
			return s.planAfterChange()
		},
	}
}

func withNext(st *Step, next string) *Step {
	st.Next = goTo(next)
	return st
}

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

// zone is the client's time zone, UTC until they choose one.
func (s *Session) zone() *time.Location { return zoneOf(s.client.Zone) }

// zoneOf loads a stored zone name; names are validated when stored, so UTC
// stands in only for "not chosen yet".
func zoneOf(name string) *time.Location {
	if loc, err := time.LoadLocation(name); err == nil {
		return loc
	}
	return time.UTC
}

// summary is the client's settings in one short block.
func (s *Session) summary() string {
	c := s.client
	rest := c.RestDays
	if rest == "" || rest == "none" {
		rest = s.T("summary.no_rest_days")
	}
	return s.T("summary", "zone", c.Zone, "time", c.CheckIn, "rest", rest, "cadence", c.Cadence)
}

// nextCheckInText says when the next check-in invitation will come.
func (s *Session) nextCheckInText() string {
	p, ok := s.prefs()
	if !ok {
		return s.T("when.unknown")
	}
	if !p.PausedUntil.IsZero() && s.now.Before(p.PausedUntil) {
		return s.T("when.paused", "date", formatDay(p.PausedUntil.In(p.Zone)))
	}
	return formatMoment(s, p.NextCheckIn(s.now).In(p.Zone))
}

// formatMoment says a moment the way people do: "today at 09:00",
// "tomorrow at 09:00", "Thursday at 09:00".
func formatMoment(s *Session, t time.Time) string {
	today := scheduler.DateOf(s.now, t.Location())
	d := scheduler.DateOf(t, t.Location())
	clock := t.Format("15:04")
	switch scheduler.DaysBetween(today, d) {
	case 0:
		return s.T("when.today", "time", clock)
	case 1:
		return s.T("when.tomorrow", "time", clock)
	}
	return s.T("when.day", "day", t.Format("Monday 2 January"), "time", clock)
}

func formatDay(t time.Time) string { return t.Format("Monday 2 January") }

func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

// link connects a client who is already set up to a coach, through an invite,
// after showing exactly what the coach will see.
func linkFlow() *Flow {
	return &Flow{
		Name:    "link",
		Version: 1,
		Begin: func(s *Session, a Answers, args string) (bool, error) {
			coach, err := s.validInvite(args)
			if err != nil {
				return false, s.say("invite.invalid")
			}
			a["invite"], a["coach_name"] = args, coach.Name
			return true, nil
		},
		Steps: []*Step{{Name: "coach", Prompt: "start.coach_view", Input: Choice, Options: yesNo,
			Vars: func(_ *Session, a Answers) []string { return []string{"coach", a["coach_name"]} }}},
		Done: func(s *Session, a Answers) error {
			if a["coach"] != "yes" {
				return s.say("invite.declined")
			}
			return s.linkCoach(a["invite"])
		},
	}
}
