package flows

import (
	"fmt"
	"strconv"
)

// invitationFlow is the check-in invitation: reflect now, later today,
// tomorrow, or skip this one. Words written in reply are the reflection it
// asked for. "Later today" keeps it open, buttons and all, until the day
// closes; snoozing never moves the regular rhythm.
func invitationFlow() *Flow {
	return &Flow{
		Name:    "invitation",
		Version: 2,
		Begin: func(s *Session, a Answers, _ string) (bool, error) {
			e, ok, err := s.readyExperiment()
			if err != nil {
				return false, err
			}
			if ok {
				a["exp"], a["action"] = strconv.FormatInt(e.ID, 10), e.Action
			}
			return true, nil
		},
		Steps: []*Step{{Name: "when", Input: Choice,
			PromptFor: func(_ *Session, a Answers) string {
				if a["action"] == "" {
					return "invite.checkin_open"
				}
				return "invite.checkin"
			},
			Reask:   "invite.reask",
			Vars:    func(_ *Session, a Answers) ([]string, error) { return []string{"action", a["action"]}, nil },
			OnText:  reflectFromInvitation,
			Options: []Option{{"now", "btn.reflect_now"}, {"later", "btn.later_today"}, {"tomorrow", "btn.tomorrow"}, {"skip", "btn.skip_this_one"}},
			After:   snoozeLater,
			Next: func(_ *Session, a Answers) string {
				if a["when"] == "later" && a["later_at"] != "" {
					return stayStep
				}
				return doneStep
			}}},
		Done: func(s *Session, a Answers) error {
			p, ok := s.prefs()
			if !ok {
				return s.say("start.first")
			}
			switch a["when"] {
			case "now":
				if a["exp"] == "" {
					return s.begin("reflect", "")
				}
				return s.begin("checkin", a["exp"])
			case "later":
				// Too late for later: the day is left to rest.
				if err := s.closeInvitation(); err != nil {
					return err
				}
				return s.say("invite.later_none")
			case "tomorrow":
				if err := s.closeInvitation(); err != nil {
					return err
				}
				at := p.Tomorrow(s.now)
				if err := schedule(s.tx, s.client.ID, DueCheckIn, at, p.Zone); err != nil {
					return err
				}
				return s.say("invite.tomorrow", "when", formatMoment(s, at.In(p.Zone)))
			}
			if err := s.closeInvitation(); err != nil {
				return err
			}
			return s.say("invite.skipped")
		},
	}
}

// snoozeLater schedules the follow-up for "Later today", when there is still
// a suitable time today; the invitation stays open meanwhile.
func snoozeLater(s *Session, a Answers) error {
	delete(a, "later_at")
	if a["when"] != "later" {
		return nil
	}
	p, ok := s.prefs()
	if !ok {
		return nil
	}
	at, ok := p.LaterToday(s.now)
	if !ok {
		return nil
	}
	if err := schedule(s.tx, s.client.ID, DueNudge, at, p.Zone); err != nil {
		return err
	}
	a["later_at"] = at.In(p.Zone).Format("15:04")
	// They asked to be reminded: the invitation stays open.
	s.client.Unanswered = max(s.client.Unanswered, 1)
	if err := s.saveClient(); err != nil {
		return err
	}
	s.note("invite.later", "time", a["later_at"])
	return nil
}

// reflectFromInvitation takes words written in reply to an invitation as what
// the client noticed, and goes on with the rest of the check-in.
func reflectFromInvitation(s *Session, a Answers, text string) error {
	if err := s.leave(true); err != nil {
		return err
	}
	if err := s.dropLater(); err != nil {
		return err
	}
	if a["exp"] == "" {
		return s.keepReflection(text)
	}
	f := s.e.flows["checkin"]
	pre := Answers{"exp": a["exp"], "noticed": text}
	if err := s.noteKind(pre); err != nil {
		return err
	}
	if pre["exp"] == "" {
		delete(pre, "noticed")
		return s.begin("checkin", "")
	}
	s.conv = &Conversation{ChatID: s.msg.ChatID, UserID: s.msg.UserID, Flow: f.Name, Version: f.Version,
		Answers: map[string]string{"exp": pre["exp"], "exp_kind": pre["exp_kind"], "noticed": text, answeredKey: "1"}}
	next := f.after(s, s.conv.Answers, nil)
	if next == nil {
		return f.Done(s, s.conv.Answers)
	}
	return s.moveTo(next)
}

// closeInvitation marks today's invitation answered and lets its follow-up go.
func (s *Session) closeInvitation() error {
	if err := s.markAnswered(); err != nil {
		return err
	}
	return s.dropLater()
}

// dropLater lets go of a pending nudge or "later today" follow-up.
func (s *Session) dropLater() error {
	return dropPending(s.tx, s.client.ID, DueNudge, s.now)
}

// readyExperiment is the running experiment to ask about now: the newest one
// whose planned attempt has passed.
func (s *Session) readyExperiment() (Experiment, bool, error) {
	running, err := s.tx.Experiments(s.client.ID, StatusRunning)
	if err != nil {
		return Experiment{}, false, fmt.Errorf("list experiments: %w", err)
	}
	for i := len(running) - 1; i >= 0; i-- {
		if !running[i].CheckFrom.After(s.now) {
			return running[i], true, nil
		}
	}
	return Experiment{}, false, nil
}

// keepReflection keeps an open reflection, written when no experiment is
// running, as an observation: it closes the day like a check-in.
func (s *Session) keepReflection(text string) error {
	n := NonAction{ClientID: s.client.ID, Kind: KindObserve, Note: text, Date: s.today().String(), At: s.now}
	if _, err := s.tx.AddNonAction(n); err != nil {
		return fmt.Errorf("add observation: %w", err)
	}
	if err := s.closeDay(); err != nil {
		return err
	}
	s.note("invite.open_thanks")
	return s.offerAssessment()
}

// reflectFlow is "Reflect now" when no experiment is running: one open
// question, what they noticed lately.
func reflectFlow() *Flow {
	return &Flow{
		Name:    "reflect",
		Version: 1,
		Steps:   []*Step{{Name: "noticed", Prompt: "reflect.ask", Input: Text}},
		Done:    func(s *Session, a Answers) error { return s.keepReflection(a["noticed"]) },
	}
}
