package flows

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/coachbot/coachbot/bot"
	"github.com/coachbot/coachbot/scheduler"
)

// runStart begins onboarding, or greets someone who is already set up.
func runStart(s *Session, args string) error {
	if !s.client.Consented {
		return s.begin("start", args)
	}
	if args != "" {
		if s.client.CoachID != "" {
			return s.say("invite.already_linked")
		}
		return s.begin("link", args)
	}
	return s.say("start.again", "summary", s.summary())
}

// runCancel ends the flow in progress; command() has already left it.
func runCancel(s *Session, _ string) error {
	if s.left {
		return s.say("cancel.done")
	}
	return s.say("cancel.nothing")
}

func showHelp(s *Session, _ string) error {
	var b strings.Builder
	b.WriteString(s.T("help.intro"))
	b.WriteString("\n")
	for _, rt := range s.e.order {
		if rt.Coach && !s.isCoach() || rt.Admin && !s.isAdmin() {
			continue
		}
		fmt.Fprintf(&b, "\n/%s: %s", rt.Name, s.T(rt.Help))
	}
	if s.conv != nil {
		b.WriteString("\n\n" + s.T("help.in_flow"))
	}
	return s.reply(bot.Reply{Text: b.String()})
}

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

// runPause stops proactive messages for a number of days.
func runPause(s *Session, args string) error {
	days := 7
	if args != "" {
		n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(strings.TrimSuffix(args, "days")), "d"))
		if err != nil || n < 1 || n > 90 {
			return s.say("pause.bad")
		}
		days = n
	}
	until := scheduler.At(scheduler.DateOf(s.now, s.zone()).AddDays(days), scheduler.Clock{}, s.zone())
	s.client.PausedUntil = until
	if err := s.saveClient(); err != nil {
		return err
	}
	if err := s.say("pause.done", "date", formatDay(until)); err != nil {
		return err
	}
	return s.planAfterChange()
}

func runResume(s *Session, _ string) error {
	if s.client.PausedUntil.IsZero() || !s.now.Before(s.client.PausedUntil) {
		return s.say("resume.not_paused")
	}
	s.client.PausedUntil = time.Time{}
	if err := s.saveClient(); err != nil {
		return err
	}
	if err := s.say("resume.done", "next", s.nextCheckInText()); err != nil {
		return err
	}
	return s.planAfterChange()
}

// Export is everything stored about one client, as handed to them by /export.
type Export struct {
	ExportedAt  time.Time    `json:"exported_at"`
	Client      Client       `json:"client"`
	Experiments []Experiment `json:"experiments"`
	CheckIns    []CheckIn    `json:"check_ins"`
	NonActions  []NonAction  `json:"non_actions"`
	Assessments []Assessment `json:"assessments"`
}

// ExportClient gathers everything stored about a client.
func ExportClient(tx Tx, clientID string, now time.Time) (Export, error) {
	c, err := tx.Client(clientID)
	if err != nil {
		return Export{}, err
	}
	x := Export{ExportedAt: now.UTC(), Client: c}
	if x.Experiments, err = tx.Experiments(clientID, ""); err != nil {
		return Export{}, err
	}
	if x.CheckIns, err = tx.CheckIns(clientID, time.Time{}); err != nil {
		return Export{}, err
	}
	if x.NonActions, err = tx.NonActions(clientID, time.Time{}); err != nil {
		return Export{}, err
	}
	if x.Assessments, err = tx.Assessments(clientID); err != nil {
		return Export{}, err
	}
	return x, nil
}

func runExport(s *Session, _ string) error {
	if !s.known {
		return s.say("export.nothing")
	}
	x, err := ExportClient(s.tx, s.client.ID, s.now)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	b, err := json.MarshalIndent(x, "", "  ")
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return s.reply(bot.Reply{
		Text:     s.T("export.ready"),
		Document: &bot.Document{Name: "coachbot-export.json", Content: b},
	})
}
