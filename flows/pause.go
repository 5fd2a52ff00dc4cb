package flows

import (
	"strconv"
	"strings"
	"time"

	"github.com/coachbot/coachbot/scheduler"
)

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
	s.client.PausedAt = s.now // the coach hears of it in the digest
	if err := s.saveClient(); err != nil {
		return err
	}
	if err := s.say("pause.done", "date", s.date(until, dateDay)); err != nil {
		return err
	}
	return s.planAfterChange()
}

func runResume(s *Session, _ string) error {
	if s.client.PausedUntil.IsZero() || !s.now.Before(s.client.PausedUntil) {
		return s.say("resume.not_paused")
	}
	s.client.PausedUntil = time.Time{}
	s.client.ResumedAt = s.now
	if err := s.saveClient(); err != nil {
		return err
	}
	if err := s.say("resume.done", "next", s.nextCheckInText()); err != nil {
		return err
	}
	return s.planAfterChange()
}
