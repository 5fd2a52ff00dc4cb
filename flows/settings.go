package flows

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/coachbot/coachbot/scheduler"
)

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
		Check: func(_ *Session, _ Answers, v string) (string, string) {
			days, err := scheduler.ParseWeekdays(v)
			switch {
			case err != nil:
				return "", "input.weekdays"
			case days == scheduler.Weekend|scheduler.Workweek:
				// Every day at rest would mean never a check-in.
				return "", "input.all_rest_days"
			}
			return days.String(), ""
		}}
}

// /settings: change one thing at a time.
func settingsFlow() *Flow {
	return &Flow{
		Name:    "settings",
		Version: 1,
		Steps: []*Step{
			{Name: "what", Prompt: "settings.menu", Input: Choice,
				Vars: func(s *Session, _ Answers) ([]string, error) { return []string{"summary", s.summary()}, nil },
				OptionsFor: func(s *Session, _ Answers) ([]Option, error) {
					opts := []Option{{"zone", "btn.set_zone"}, {"time", "btn.set_time"}, {"restdays", "btn.set_rest_days"},
						{"cadence", "btn.set_cadence"}}
					if len(s.e.cats) > 1 {
						opts = append(opts, Option{"language", "btn.set_language"})
					}
					if s.client.CoachID != "" {
						opts = append(opts, Option{"leave", "btn.leave_coach"})
					}
					return append(opts, Option{"nothing", "btn.nothing_to_change"}), nil
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
				OptionsFor: func(s *Session, _ Answers) ([]Option, error) {
					opts := []Option{{"daily", "btn.daily"}, {"every 2 days", "btn.every_2_days"}, {"weekly", "btn.weekly"}}
					if s.client.CoachID != "" {
						// Spread over the days between sessions, once the coach sets one.
						opts = append(opts, Option{"3 per session", "btn.three_per_session"})
					}
					return opts, nil
				},
				Next: goTo(doneStep)},
			{Name: "language", Prompt: "ask.language", Input: Choice, Skip: isNot("what", "language"),
				OptionsFor: func(s *Session, _ Answers) ([]Option, error) {
					var opts []Option
					for _, lang := range Languages() {
						// Each language named in its own words.
						opts = append(opts, Option{lang, "=" + s.e.catalog(lang).Text("language.name")})
					}
					return opts, nil
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
			case "language":
				c.Language = s.e.spoken(a["language"])
				s.cat = nil // say the rest in the new language
			case "zone", "time", "restdays":
				if err := c.setRhythm(a, a["what"]); err != nil {
					return err
				}
			case "cadence":
				if err := c.setRhythm(a, "cadence"); err != nil {
					return err
				}
				c.SlowedAt = time.Time{} // chosen, not slowed by the bot
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

// summary is the client's settings in one short block.
func (s *Session) summary() string {
	c := s.client
	return s.T("summary", "zone", c.Zone.String(), "time", c.CheckIn.String(), "rest", s.restDaysText(c.RestDays), "cadence", s.cadenceText(c.Cadence))
}

// restDaysText names rest days in the person's language, Monday first.
func (s *Session) restDaysText(days scheduler.Weekdays) string {
	if days == 0 {
		return s.T("summary.no_rest_days")
	}
	var names []string
	for i := 1; i <= 7; i++ {
		if d := time.Weekday(i % 7); days.Has(d) {
			names = append(names, s.T(fmt.Sprintf("date.wd.%d", d)))
		}
	}
	return strings.Join(names, " ")
}

// cadenceText says a rhythm in the person's language.
func (s *Session) cadenceText(c scheduler.Cadence) string {
	switch {
	case c.PerSession > 0:
		return s.T("cadence.per_session", "n", strconv.Itoa(c.PerSession))
	case c.EveryDays <= 1:
		return s.T("cadence.daily")
	case c.EveryDays == 7:
		return s.T("cadence.weekly")
	}
	return s.T("cadence.every_n", "n", strconv.Itoa(c.EveryDays))
}

// setRhythm takes the named answers into the client's settings. Each step
// checked its answer and kept it in canonical form, so an answer that does
// not parse here is a fault, not a person's typo.
func (c *Client) setRhythm(a Answers, names ...string) error {
	for _, name := range names {
		var err error
		switch name {
		case "zone":
			c.Zone, err = scheduler.LoadZone(a[name])
		case "time":
			c.CheckIn, err = scheduler.ParseClock(a[name])
		case "restdays":
			c.RestDays, err = scheduler.ParseWeekdays(a[name])
		case "cadence":
			c.Cadence, err = scheduler.ParseCadence(a[name])
		}
		if err != nil {
			return fmt.Errorf("answer %s: %w", name, err)
		}
	}
	return nil
}
