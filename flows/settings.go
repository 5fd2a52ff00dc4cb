package flows

import (
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
	rest := c.RestDays
	if rest == "" || rest == "none" {
		rest = s.T("summary.no_rest_days")
	}
	return s.T("summary", "zone", c.Zone, "time", c.CheckIn, "rest", rest, "cadence", c.Cadence)
}
