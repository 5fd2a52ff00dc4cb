package flows

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/coachbot/coachbot/scheduler"
)

// Kinds of proactive moments.
const (
	DueCheckIn    = "checkin"
	DueNudge      = "nudge"
	DueRestDay    = "restday"
	DueEve        = "eve"
	DueAssessment = "assessment"
	DueDigest     = "digest"
	DueBrief      = "brief"
)

// Due statuses.
const (
	DuePending  = "pending"
	DueSent     = "sent"
	DueAnswered = "answered"
	DueDropped  = "dropped"
)

// prefs turns the client's stored settings into the scheduler's terms; false
// when the client has not finished setting up.
func (s *Session) prefs() (scheduler.Prefs, bool) {
	return clientPrefs(s.client, s.e.cfg.Rhythm)
}

func clientPrefs(c Client, r Rhythm) (scheduler.Prefs, bool) {
	if !c.Consented || c.Zone.IsZero() {
		return scheduler.Prefs{}, false
	}
	return scheduler.Prefs{
		Zone: c.Zone.Location(), CheckIn: c.CheckIn, Cadence: c.Cadence, RestDays: c.RestDays, Quiet: r.Quiet,
		PausedUntil: c.PausedUntil, Anchor: c.Anchor, LastSession: c.LastSession, NextSession: c.NextSession,
	}, true
}

// planAfterChange replaces the client's pending regular moments with ones that
// follow their current settings.
func (s *Session) planAfterChange() error {
	return planClient(s.tx, s.client, s.e.cfg.Rhythm, s.now)
}

// planClient makes sure the client has exactly one pending check-in and one
// pending rest-day moment, at the times their settings give.
func planClient(tx Tx, c Client, r Rhythm, now time.Time) error {
	p, ok := clientPrefs(c, r)
	pending, err := tx.PendingSince(c.ID, now.Add(-24*time.Hour))
	if err != nil {
		return fmt.Errorf("plan: %w", err)
	}
	for _, d := range pending {
		if slices.Contains([]string{DueCheckIn, DueRestDay, DueAssessment}, d.Kind) {
			d.Status = DueDropped
			if err := tx.UpdateDue(d); err != nil {
				return fmt.Errorf("plan: %w", err)
			}
		}
	}
	if !ok {
		return nil
	}
	// A closed day has nothing more to say: the rhythm goes on tomorrow.
	after := now
	if today := scheduler.DateOf(now, p.Zone); c.ClosedOn == today {
		after = scheduler.At(today.AddDays(1), scheduler.Clock{}, p.Zone).Add(-time.Second)
	}
	at, err := nextCheckIn(tx, c, p, after)
	if err != nil {
		return err
	}
	if err := schedule(tx, c.ID, DueCheckIn, at, p.Zone); err != nil {
		return err
	}
	if p.RestDays != 0 {
		if err := schedule(tx, c.ID, DueRestDay, p.NextRestDay(after), p.Zone); err != nil {
			return err
		}
	}
	// The session's look-back, brief and after-session invitation follow
	// the session, not the regular rhythm.
	return planSession(tx, c, p, r, now)
}

// nextCheckIn is the next invitation to reflect. The client's plan sets the
// rhythm: while every running experiment is still ahead of its planned
// attempt, the invitation waits for the first of them; otherwise the cadence
// decides.
func nextCheckIn(tx Tx, c Client, p scheduler.Prefs, after time.Time) (time.Time, error) {
	regular := p.NextCheckIn(after)
	running, err := tx.Experiments(c.ID, StatusRunning)
	if err != nil {
		return time.Time{}, fmt.Errorf("plan: %w", err)
	}
	var first time.Time
	for _, e := range running {
		if !e.CheckFrom.After(after) {
			return regular, nil // one is ready to talk about
		}
		if first.IsZero() || e.CheckFrom.Before(first) {
			first = e.CheckFrom
		}
	}
	if first.IsZero() {
		return regular, nil
	}
	return first, nil
}

// closeDay records that the client checked in, rested or answered the
// rest-day question today: nothing more about experiments today, no nudge,
// and nothing counted as unanswered.
func (s *Session) closeDay() error {
	s.client.ClosedOn = s.today()
	today := s.client.ClosedOn.String()
	s.client.Unanswered = 0
	if err := s.saveClient(); err != nil {
		return err
	}
	ds, err := s.tx.DueSince(s.client.ID, s.now.Add(-36*time.Hour))
	if err != nil {
		return fmt.Errorf("close day: %w", err)
	}
	for _, d := range ds {
		if d.Date != today {
			continue
		}
		switch {
		case d.Kind == DueCheckIn && d.Status == DueSent:
			d.Status = DueAnswered
		case d.Status == DuePending && slices.Contains([]string{DueCheckIn, DueNudge, DueRestDay}, d.Kind):
			d.Status = DueDropped
		default:
			continue
		}
		if err := s.tx.UpdateDue(d); err != nil {
			return fmt.Errorf("close day: %w", err)
		}
	}
	return s.planAfterChange()
}

// schedule adds a pending moment. When one of that kind already exists for that
// local date, a pending or dropped one is moved to the new time; one already
// sent or answered stays as it is, so nothing is sent twice on one day.
func schedule(tx Tx, recipient, kind string, at time.Time, loc *time.Location) error {
	if at.IsZero() {
		return nil
	}
	d := Due{RecipientID: recipient, Kind: kind, Date: scheduler.DateOf(at, loc).String(), At: at, Status: DuePending}
	_, err := tx.AddDue(d)
	if !errors.Is(err, ErrDuplicate) {
		if err != nil {
			return fmt.Errorf("schedule %s: %w", kind, err)
		}
		return nil
	}
	same, err := tx.DueSince(recipient, at.Add(-48*time.Hour))
	if err != nil {
		return fmt.Errorf("schedule %s: %w", kind, err)
	}
	for _, old := range same {
		if old.Kind == kind && old.Date == d.Date && (old.Status == DuePending || old.Status == DueDropped) {
			old.At, old.Status = at, DuePending
			if err := tx.UpdateDue(old); err != nil {
				return fmt.Errorf("schedule %s: %w", kind, err)
			}
		}
	}
	return nil
}

// markAnswered records that the latest invitation got its reflection.
func (s *Session) markAnswered() error {
	d, ok, err := s.lastInvitation()
	if err != nil || !ok || d.Status != DueSent {
		return err
	}
	d.Status = DueAnswered
	if err := s.tx.UpdateDue(d); err != nil {
		return fmt.Errorf("mark answered: %w", err)
	}
	return nil
}

// lastInvitation returns the most recent check-in invitation already sent (or
// answered), looking back a day and a half.
func (s *Session) lastInvitation() (Due, bool, error) {
	ds, err := s.tx.DueSince(s.client.ID, s.now.Add(-36*time.Hour))
	if err != nil {
		return Due{}, false, fmt.Errorf("last invitation: %w", err)
	}
	var last Due
	found := false
	for _, d := range ds {
		if d.Kind == DueCheckIn && (d.Status == DueSent || d.Status == DueAnswered) && !d.At.After(s.now) &&
			(!found || d.At.After(last.At)) {
			last, found = d, true
		}
	}
	return last, found, nil
}

// replan keeps the rhythm going after a moment was dropped.
func (s *Session) replan() error {
	return planClient(s.tx, s.client, s.e.cfg.Rhythm, s.now)
}
