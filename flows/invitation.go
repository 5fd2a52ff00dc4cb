package flows

// invitationFlow is the check-in invitation: reflect now, later today,
// tomorrow, or skip this one. Snoozing never moves the regular rhythm.
func invitationFlow() *Flow {
	return &Flow{
		Name:    "invitation",
		Version: 1,
		Steps: []*Step{{Name: "when", Input: Choice,
			PromptFor: func(s *Session, _ Answers) string {
				if s.latestAction() == "" {
					return "invite.checkin_open"
				}
				return "invite.checkin"
			},
			Vars: func(s *Session, _ Answers) []string { return []string{"action", s.latestAction()} },
			Options: []Option{{"now", "btn.reflect_now"}, {"later", "btn.later_today"},
				{"tomorrow", "btn.tomorrow"}, {"skip", "btn.skip_this_one"}}}},
		Done: func(s *Session, a Answers) error {
			p, ok := s.prefs()
			if !ok {
				return s.say("start.first")
			}
			switch a["when"] {
			case "now":
				return s.begin("checkin", "")
			case "later":
				at, ok := p.LaterToday(s.now)
				if !ok {
					if err := s.closeInvitation(); err != nil {
						return err
					}
					return s.say("invite.later_none")
				}
				if err := schedule(s.tx, s.client.ID, DueNudge, at, p.Zone); err != nil {
					return err
				}
				// They asked to be reminded: the invitation stays open.
				s.client.Unanswered = max(s.client.Unanswered, 1)
				if err := s.saveClient(); err != nil {
					return err
				}
				return s.say("invite.later", "time", at.In(p.Zone).Format("15:04"))
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

// closeInvitation marks today's invitation answered and lets its nudge go.
func (s *Session) closeInvitation() error {
	if err := s.markAnswered(); err != nil {
		return err
	}
	return dropPending(s.tx, s.client.ID, DueNudge, s.now)
}

// latestAction is the most recent running experiment, or "".
func (s *Session) latestAction() string {
	running, err := s.tx.Experiments(s.client.ID, StatusRunning)
	if err != nil || len(running) == 0 {
		return ""
	}
	return running[len(running)-1].Action
}
