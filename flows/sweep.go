package flows

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// busyFor is how recently a client must have been in a conversation for a
// proactive message to wait rather than interrupt.
const busyFor = 20 * time.Minute

// freshFor is how long a moment missed during downtime stays worth sending.
var freshFor = map[string]time.Duration{
	DueCheckIn:      4 * time.Hour,
	DueNudge:        2 * time.Hour,
	DueRestDay:      4 * time.Hour,
	DueEve:          8 * time.Hour,
	DueAssessment:   8 * time.Hour,
	DueDigest:       12 * time.Hour,
	DueAfterSession: 8 * time.Hour,
}

// Sweep sends every proactive moment that is due: check-in invitations, gentle
// nudges, rest-day questions, session look-backs, self-assessments and coach
// digests. Each recipient is handled in its own transaction, so a sweep that
// stops half-way or runs twice sends nothing twice. After downtime a recipient
// gets at most one catch-up message; what has gone stale is dropped. It returns
// how many moments it handled.
func (e *Engine) Sweep(ctx context.Context) (int, error) {
	now := e.now()
	var due []Due
	if err := e.store.View(ctx, func(tx Tx) error {
		var err error
		due, err = tx.DueBefore(now, 5000)
		return err
	}); err != nil {
		return 0, fmt.Errorf("sweep: %w", err)
	}
	var order []string
	byRecipient := make(map[string][]Due)
	for _, d := range due {
		if _, ok := byRecipient[d.RecipientID]; !ok {
			order = append(order, d.RecipientID)
		}
		byRecipient[d.RecipientID] = append(byRecipient[d.RecipientID], d)
	}
	// Each recipient is one transaction of its own; several run at once so
	// the store can share one commit among them (a morning wave of
	// invitations would otherwise pay one disk sync per client). They are
	// taken in the order their moments fell due.
	var (
		mu   sync.Mutex
		errs []error
		wg   sync.WaitGroup
		next = make(chan string)
	)
	for range min(sweepWorkers, len(order)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range next {
				err := e.store.Update(ctx, func(tx Tx) error { return e.sweepRecipient(tx, r, now) })
				if err != nil {
					mu.Lock()
					errs = append(errs, fmt.Errorf("sweep %s: %w", r, err))
					mu.Unlock()
				}
			}
		}()
	}
	for _, r := range order {
		if ctx.Err() != nil {
			break
		}
		next <- r
	}
	close(next)
	wg.Wait()
	return len(due), errors.Join(errs...)
}

// sweepWorkers is how many recipients a sweep handles at once.
const sweepWorkers = 16

// sweepRecipient handles one recipient's due moments. It reads them again
// inside the transaction, so a moment another sweep already handled is skipped.
func (e *Engine) sweepRecipient(tx Tx, recipient string, now time.Time) error {
	all, err := tx.DueSince(recipient, time.Time{})
	if err != nil {
		return err
	}
	var due []Due
	for _, d := range all {
		if d.Status == DuePending && !d.At.After(now) {
			due = append(due, d)
		}
	}
	if len(due) == 0 {
		return nil
	}
	if due[0].Kind == DueDigest {
		return e.sweepCoach(tx, recipient, due, now)
	}
	// A coach's brief is planned with the client but goes to the coach,
	// whatever the client's pause or quiet hours.
	if due, err = e.sweepBriefs(tx, due, now); err != nil || len(due) == 0 {
		return err
	}
	c, err := tx.Client(recipient)
	if errors.Is(err, ErrNotFound) {
		return dropAll(tx, due)
	}
	if err != nil {
		return err
	}
	p, ok := clientPrefs(c, e.cfg.Rhythm)
	if !ok {
		return dropAll(tx, due)
	}
	// Moments more than an hour late were missed during downtime: of those,
	// only the newest still worth sending goes, as the one catch-up. Moments on
	// time all go, in order; deliver spaces them out.
	var send []Due
	var catchUp *Due
	for i := range due {
		d := &due[i]
		switch {
		case now.Sub(d.At) <= lateAfter:
			send = append(send, *d)
		case p.Fresh(d.At, now, freshFor[d.Kind]) && (catchUp == nil || d.At.After(catchUp.At)):
			if catchUp != nil {
				if err := drop(tx, *catchUp); err != nil {
					return err
				}
			}
			catchUp = d
		default:
			if err := drop(tx, *d); err != nil {
				return err
			}
		}
	}
	if catchUp != nil {
		send = append([]Due{*catchUp}, send...)
	}
	if len(send) == 0 {
		return e.proactive(tx, c, now).replan()
	}
	for _, d := range send {
		// Each delivery may change the client (cadence, counters) or settle
		// a later moment (the look-back replaces the day's invitation): reload.
		still, err := stillPending(tx, d)
		if err != nil {
			return err
		}
		if !still {
			continue
		}
		if c, err = tx.Client(recipient); err != nil {
			return err
		}
		if p, ok = clientPrefs(c, e.cfg.Rhythm); !ok {
			return drop(tx, d)
		}
		if err := e.proactive(tx, c, now).deliver(d, p); err != nil {
			return err
		}
	}
	return nil
}

// lateAfter is how late a moment must be to count as missed during downtime.
const lateAfter = time.Hour

// stillPending reports whether d has not been handled since it was read.
func stillPending(tx Tx, d Due) (bool, error) {
	ds, err := tx.DueSince(d.RecipientID, d.At)
	if err != nil {
		return false, err
	}
	for _, x := range ds {
		if x.ID == d.ID {
			return x.Status == DuePending && x.At.Equal(d.At), nil
		}
	}
	return false, nil
}

func drop(tx Tx, d Due) error {
	d.Status = DueDropped
	return tx.UpdateDue(d)
}

// dropPending lets go of a recipient's pending moments of one kind, before
// they are planned anew.
func dropPending(tx Tx, recipient, kind string, now time.Time) error {
	ds, err := tx.DueSince(recipient, now.Add(-48*time.Hour))
	if err != nil {
		return err
	}
	for _, d := range ds {
		if d.Kind == kind && d.Status == DuePending {
			if err := drop(tx, d); err != nil {
				return err
			}
		}
	}
	return nil
}

func dropAll(tx Tx, ds []Due) error {
	for _, d := range ds {
		if err := drop(tx, d); err != nil {
			return err
		}
	}
	return nil
}

// NextDue returns when the earliest pending moment is due, so a simulation can
// jump straight to it; ok is false when nothing is scheduled.
func (e *Engine) NextDue(ctx context.Context) (time.Time, bool, error) {
	var next []Due
	err := e.store.View(ctx, func(tx Tx) error {
		var err error
		next, err = tx.DueBefore(e.now().AddDate(2, 0, 0), 1)
		return err
	})
	if err != nil || len(next) == 0 {
		return time.Time{}, false, err
	}
	return next[0].At, true, nil
}
