package flows

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/coachbot/coachbot/bot"
	"github.com/coachbot/coachbot/flows/safety"
)

// DefaultSafetyPause is how long proactive messages stop after a message that
// suggests danger.
const DefaultSafetyPause = 72 * time.Hour

// builtinDetector compiles the built-in phrase lists of every language, once
// per process: every engine shares them.
var builtinDetector = sync.OnceValues(func() (*safety.Detector, error) {
	names, err := fs.Glob(messagesFS, "messages/safety/*.yaml")
	if err != nil {
		return nil, err
	}
	lists := make(map[string][]byte, len(names))
	for _, n := range names {
		b, err := fs.ReadFile(messagesFS, n)
		if err != nil {
			return nil, err
		}
		lists[strings.TrimSuffix(path.Base(n), ".yaml")] = b
	}
	return safety.New(lists, nil)
})

// newDetector is the built-in phrase lists with the configured extra phrases,
// which add to them.
func newDetector(extra []string) (*safety.Detector, error) {
	d, err := builtinDetector()
	if err != nil {
		return nil, err
	}
	return d.With(extra)
}

// CheckSafetyWords reports whether configured extra phrases compile, so a
// typo in the config stops start-up instead of weakening the check.
func CheckSafetyWords(words []string) error {
	_, err := newDetector(words)
	return err
}

// checkSafety reads text for danger before anything else does. It reports
// whether the text was handled here; its words are then never stored,
// logged or passed on.
func (s *Session) checkSafety(text string) (bool, error) {
	switch s.e.safety.Check(text) {
	case safety.Danger:
		return true, s.danger(SafetyDanger)
	case safety.Uncertain:
		return true, s.askSafe()
	}
	return false, nil
}

// helpLine is the help line in the catalog's language, or the default one.
func (s *Session) helpLine() string {
	if h := s.e.cfg.HelpLines[s.catalog().lang]; h != "" {
		return h
	}
	return s.e.cfg.HelpLine
}

// danger answers a message that suggests the person may be in danger: the
// flow in progress stops with nothing half-saved, the help line is given,
// proactive messages pause, and the coach (where the client agreed to it) is
// told at once that their client may be struggling, without their words.
func (s *Session) danger(level string) error {
	if s.conv != nil {
		if err := s.leave(true); err != nil {
			return err
		}
	}
	if !s.known || !s.client.Consented {
		// Nothing is stored about someone who has not agreed to it.
		return s.say("safety.notice", "help_line", s.helpLine())
	}
	since := s.now.Add(-s.e.cfg.SafetyPause)
	recent, err := s.tx.SafetyEvents(s.client.ID, since)
	if err != nil {
		return err
	}
	ev := SafetyEvent{ClientID: s.client.ID, Level: level, At: s.now}
	alerted := false
	for _, r := range recent {
		alerted = alerted || r.CoachAlerted
	}
	if !alerted && s.client.CoachID != "" && !s.e.cfg.SafetyKeepCoachOut {
		if err := s.alertCoach(); err != nil {
			return err
		}
		ev.CoachAlerted = true
	}
	if _, err := s.tx.AddSafetyEvent(ev); err != nil {
		return err
	}
	if until := s.now.Add(s.e.cfg.SafetyPause); s.client.PausedUntil.Before(until) {
		s.client.PausedUntil = until
		if err := s.saveClient(); err != nil {
			return err
		}
		if err := s.planAfterChange(); err != nil {
			return err
		}
	}
	s.e.logger.Info("safety answer given", "chat", s.msg.ChatID, "coach_alerted", ev.CoachAlerted)
	if len(recent) > 0 {
		return s.say("safety.again", "help_line", s.helpLine())
	}
	return s.say("safety.notice", "help_line", s.helpLine())
}

// alertCoach tells the client's coach, on the coach's own platform, that the
// client may be struggling. Never their words.
func (s *Session) alertCoach() error {
	coach, err := s.tx.Coach(s.client.CoachID)
	if err != nil {
		return fmt.Errorf("safety alert: %w", err)
	}
	// No Kind: an alert leaves with the replies, ahead of any broadcast.
	r := bot.Reply{ChatID: coach.ChatID, Text: s.TIn(coach.Language, "safety.coach_alert", "client", displayName(s.client))}
	return s.tx.Send(r, s.now)
}

// askSafe asks gently whether the person is safe right now. What they were
// doing is kept aside, so "I'm safe" goes back to it.
func (s *Session) askSafe() error {
	a := Answers{}
	if s.conv != nil {
		if s.conv.Flow == "safe" {
			return s.ask(s.e.flows["safe"].Steps[0])
		}
		b, err := json.Marshal(s.conv)
		if err != nil {
			return fmt.Errorf("keep conversation: %w", err)
		}
		a["resume"] = string(b)
		if err := s.leave(true); err != nil {
			return err
		}
	}
	f := s.e.flows["safe"]
	s.conv = &Conversation{ChatID: s.msg.ChatID, UserID: s.msg.UserID, Flow: f.Name, Version: f.Version, Answers: a}
	return s.moveTo(f.Steps[0])
}

// safeFlow is the one gentle question after words that may be a sign of
// danger.
func safeFlow() *Flow {
	return &Flow{
		Name:    "safe",
		Version: 1,
		Steps: []*Step{{Name: "safe", Prompt: "safety.ask", Reask: "safety.ask", Input: Choice,
			Options: []Option{{"safe", "btn.im_safe"}, {"unsure", "btn.im_not_sure"}, {"unsafe", "btn.im_not_safe"}}}},
		Done: func(s *Session, a Answers) error {
			if a["safe"] != "safe" {
				return s.danger(SafetyUnsafeAnswer)
			}
			s.note("safety.glad")
			var prev Conversation
			if a["resume"] == "" || json.Unmarshal([]byte(a["resume"]), &prev) != nil {
				return s.flush()
			}
			f := s.e.flows[prev.Flow]
			if f == nil || f.Version != prev.Version || f.step(prev.Step) == nil {
				return s.flush()
			}
			s.conv = &prev
			return s.moveTo(f.step(prev.Step))
		},
	}
}
