package scheduler

import "time"

// LaterTodayDelay is how far "later today" pushes an invitation.
const LaterTodayDelay = 3 * time.Hour

// attemptDoneBy is when an attempt planned for a day, with no time named, is
// taken to be done: a check-in at or after it may ask about it that day.
var attemptDoneBy = Clock{Hour: 17}

// searchDays bounds every forward search for a due day. Three years is far beyond
// any real rhythm; hitting it means no day can ever qualify (every weekday a rest
// day, say), and the answer is "never" rather than a loop.
const searchDays = 3 * 366

// Prefs are one client's rhythm preferences: everything the rules need to turn
// "now" into the next due moment. All times of day are read in Zone.
type Prefs struct {
	// Zone is the client's IANA zone; nil means UTC.
	Zone *time.Location
	// CheckIn is the local time of day invitations go out. The client chose it,
	// so it holds even inside quiet hours.
	CheckIn Clock
	// Cadence selects the days with a check-in.
	Cadence Cadence
	// RestDays never get a regular check-in; they may get one optional recovery
	// question (NextRestDay).
	RestDays Weekdays
	// Quiet are the hours the bot never starts a conversation in of its own
	// accord: nudges, self-assessments, catch-ups after downtime. What goes out at
	// CheckIn is not moved by them, since that is the time the client chose.
	Quiet Window
	// PausedUntil pauses everything strictly before this instant; zero means
	// not paused.
	PausedUntil time.Time
	// Anchor is the day the rhythm counts from: "every 2 days" means the Anchor
	// and every second day after it. Zero counts from 1970-01-01.
	Anchor Date
	// LastSession and NextSession are the coaching sessions around now; zero
	// means none. They drive per-session spreading and the session eve.
	LastSession time.Time
	NextSession time.Time
}

func (p Prefs) zone() *time.Location { return zoneOrUTC(p.Zone) }

// IsRestDay reports whether local date d is one of the client's rest days.
func (p Prefs) IsRestDay(d Date) bool { return p.RestDays.Has(d.Weekday()) }

// paused reports whether t falls in the pause.
func (p Prefs) paused(t time.Time) bool { return t.Before(p.PausedUntil) }

// momentOn is the check-in moment on local date d: CheckIn on the wall clock,
// read with At so a skipped or repeated hour is handled.
func (p Prefs) momentOn(d Date) time.Time { return At(d, p.CheckIn, p.zone()) }

// quietMomentOn is the moment on local date d for something the client did not
// ask for (a self-assessment): CheckIn, or the end of quiet hours on that same
// date when CheckIn lies inside them. With quiet 21:00-08:00 a 22:00 check-in
// gives 08:00 that morning, never 08:00 of the next day, so the date, and with it
// the rest-day rule, stays the one the rule selected.
func (p Prefs) quietMomentOn(d Date) time.Time {
	c := p.CheckIn
	if p.Quiet.containsClock(c) {
		c = p.Quiet.End
	}
	return At(d, c, p.zone())
}

// NextCheckIn returns the first regular check-in moment strictly after `after`,
// or the zero time when no day can ever qualify (every weekday a rest day).
//
// A day has a check-in when the cadence selects it, it is not a rest day, and the
// moment is not paused. Every-N-days counts from Anchor; a selected day that is a
// rest day is skipped, not moved, so the rhythm keeps its beat. With PerSession
// set and a next session known, the days from the last session (or Anchor when
// there is none) to the next session are instead given PerSession check-ins
// spread evenly over the non-rest days strictly between the two; from the next
// session's date on, EveryDays applies again.
//
// The moment is exactly CheckIn local time, read with At (so a skipped or
// repeated hour at a DST switch is handled). Quiet hours do not move it: the
// client chose that time, and a client who checks in at 21:30 wants to be asked
// at 21:30, not at the end of a default quiet night. The check-in therefore
// always lands on the date the cadence selected, which keeps rest days and the
// one-per-local-date duplicate guard meaning what they say.
//
// Snoozing is not part of the rhythm: LaterToday and Tomorrow never shift this.
func (p Prefs) NextCheckIn(after time.Time) time.Time {
	spread, from, to, spreading := p.sessionSpread()
	n := p.Cadence.everyDays()
	anchor := p.Anchor
	if anchor.IsZero() {
		anchor = epoch
	}
	return p.search(after, Date{}, p.momentOn, func(d Date) bool {
		if p.IsRestDay(d) {
			return false
		}
		if spreading && !d.Before(from) && d.Before(to) {
			return spread[d]
		}
		return floorMod(DaysBetween(anchor, d), n) == 0
	})
}

// sessionSpread picks the per-session check-in days: PerSession of the non-rest
// days strictly between the span's first day and the next session's date,
// evenly spaced. spreading is false when the cadence has no per-session count or
// the span is unknown or empty.
func (p Prefs) sessionSpread() (days map[Date]bool, from, to Date, spreading bool) {
	if p.Cadence.PerSession <= 0 || p.NextSession.IsZero() {
		return nil, Date{}, Date{}, false
	}
	loc := p.zone()
	switch {
	case !p.LastSession.IsZero():
		from = DateOf(p.LastSession, loc)
	case !p.Anchor.IsZero():
		from = p.Anchor
	default:
		return nil, Date{}, Date{}, false
	}
	to = DateOf(p.NextSession, loc)
	if !from.Before(to) {
		return nil, Date{}, Date{}, false
	}
	var eligible []Date
	for d := from.AddDays(1); d.Before(to); d = d.AddDays(1) {
		if !p.IsRestDay(d) {
			eligible = append(eligible, d)
		}
	}
	m, want := len(eligible), p.Cadence.PerSession
	days = make(map[Date]bool, want)
	if want >= m {
		for _, d := range eligible {
			days[d] = true
		}
		return days, from, to, true
	}
	// Split the m eligible days into want+1 equal gaps and take the day at the
	// end of each of the first want gaps: with m > want the picks are distinct.
	for k := 1; k <= want; k++ {
		days[eligible[k*(m+1)/(want+1)-1]] = true
	}
	return days, from, to, true
}

// NextRestDay returns the first moment strictly after `after` on a rest day, not
// paused, at exactly CheckIn as in NextCheckIn: when the bot may ask one optional
// recovery question. It goes out at the check-in time, quiet hours or not, since
// on a rest day it takes the place of the check-in the client chose the time
// for. It is the zero time when there are no rest days.
func (p Prefs) NextRestDay(after time.Time) time.Time {
	if p.RestDays == 0 {
		return time.Time{}
	}
	return p.search(after, Date{}, p.momentOn, p.IsRestDay)
}

// NextCheckInFrom is NextCheckIn, but not before notBefore: the first regular
// check-in moment at or after notBefore and strictly after `after`. The engine
// uses it to resume the rhythm once the check-in about a planned experiment
// (FirstCheckIn) has had its day, instead of asking twice around it.
func (p Prefs) NextCheckInFrom(after, notBefore time.Time) time.Time {
	// Check-in moments are whole minutes, so strictly after one nanosecond
	// before notBefore is at or after it.
	if b := notBefore.Add(-time.Nanosecond); b.After(after) {
		after = b
	}
	return p.NextCheckIn(after)
}

// FirstCheckIn returns when to invite the client to reflect on an experiment
// planned for plan, so the question comes after the attempt rather than before
// it, at the time the client chose for check-ins.
//
// It is CheckIn on the planned day when that moment comes after the planned
// attempt, else on the next day. For a range (From before By) the day is By,
// the last day they gave themselves. With a named plan.Clock the attempt takes
// time, so the check-in must be at least one hour (of elapsed time, which
// matters only on a DST switch day) after it: "tonight" (20:00) with a 21:30
// check-in is asked about that night, with a 20:30 check-in the next day. A day
// with no clock named counts as planned for any time before the check-in.
//
// It is never on a rest day (it moves to the next non-rest day after), never
// before `after` (a plan for today whose check-in time has passed moves to
// tomorrow) and never while paused. The cadence does not apply: this check-in
// follows the plan, not the rhythm. Quiet hours do not apply either, as for every
// check-in. It is the zero time when no day qualifies (every weekday a rest day,
// or an empty plan).
func (p Prefs) FirstCheckIn(plan Plan, after time.Time) time.Time {
	loc := p.zone()
	day := plan.By
	if day.IsZero() || day.Before(plan.From) {
		day = plan.From
	}
	if day.IsZero() {
		return time.Time{}
	}
	switch {
	case plan.HasClock:
		attempt := At(day, plan.Clock, loc)
		if p.momentOn(day).Before(attempt.Add(time.Hour)) {
			day = day.AddDays(1)
		}
	case p.CheckIn.Hour < attemptDoneBy.Hour:
		// No time named: the attempt may take the day. A check-in before the
		// late afternoon would ask about it before it happened, so it asks
		// the next day instead.
		day = day.AddDays(1)
	}
	// Skip the days that cannot qualify because they lie before `after` or in
	// the pause; a day early, since a day's moment may still lie ahead.
	start := after
	if p.PausedUntil.After(start) {
		start = p.PausedUntil
	}
	if d := DateOf(start, loc).AddDays(-1); day.Before(d) {
		day = d
	}
	for i := 0; i < searchDays; i, day = i+1, day.AddDays(1) {
		if p.IsRestDay(day) {
			continue
		}
		if m := p.momentOn(day); !m.Before(after) && !p.paused(m) {
			return m
		}
	}
	return time.Time{}
}

// search walks local dates forward and returns the first moment (given by
// moment) on a day that qualifies which is strictly after `after`, on or after
// date `from` (zero: no bound) and outside the pause. It starts a day early
// because a quiet-adjusted moment may lie earlier in the day than CheckIn.
func (p Prefs) search(after time.Time, from Date, moment func(Date) time.Time, qualifies func(Date) bool) time.Time {
	loc := p.zone()
	start := after
	if p.PausedUntil.After(start) {
		start = p.PausedUntil
	}
	day := DateOf(start, loc).AddDays(-1)
	if !from.IsZero() && day.Before(from) {
		day = from
	}
	for i := 0; i < searchDays; i, day = i+1, day.AddDays(1) {
		if !qualifies(day) {
			continue
		}
		if m := moment(day); m.After(after) && !p.paused(m) {
			return m
		}
	}
	return time.Time{}
}

// NudgeAt returns when a gentle reminder for an invitation sent at `invited` may
// go out: invited+delay, moved to the end of quiet hours if it falls inside them.
// A nudge belongs to its invitation's day, so ok is false when that moment falls
// on a later local date than the invitation, or inside a pause.
func (p Prefs) NudgeAt(invited time.Time, delay time.Duration) (time.Time, bool) {
	loc := p.zone()
	at := p.OutsideQuiet(invited.Add(delay))
	if DateOf(at, loc) != DateOf(invited, loc) || p.paused(at) {
		return time.Time{}, false
	}
	return at, true
}

// OutsideQuiet returns the first moment at or after t outside quiet hours: t
// itself when it is outside them, else the moment the wall clock next reads
// their end. Everything the bot sends that the client did not ask for at a time
// of their choosing (nudges, self-assessments, the invitation after a session)
// goes through it, so the bot never starts a conversation at night. When the
// clocks fall back and the end of quiet hours happens twice, the quiet hours end
// with whichever reading comes first at or after t.
func (p Prefs) OutsideQuiet(t time.Time) time.Time {
	loc := p.zone()
	if !p.Quiet.Contains(t, loc) {
		return t
	}
	day := DateOf(t, loc)
	for i := 0; i < 3; i++ {
		for _, end := range wallReadings(day.AddDays(i), p.Quiet.End, loc) {
			if !end.Before(t) {
				return end
			}
		}
	}
	return t // not reached: quiet hours end within a day
}

// wallReadings are the moments the wall clock of loc reads c on date d, in
// order: one, or two when the clocks fall back across c. A reading skipped by
// the clocks springing forward gives the moment of the jump, as At does.
func wallReadings(d Date, c Clock, loc *time.Location) []time.Time {
	first := At(d, c, loc)
	wall := time.Date(d.Year, d.Month, d.Day, c.Hour, c.Minute, 0, 0, time.UTC).Unix()
	off := offsetAt(wall+86400, loc)
	if u := wall - int64(off); u > first.Unix() && offsetAt(u, loc) == off {
		return []time.Time{first, time.Unix(u, 0).In(loc)}
	}
	return []time.Time{first}
}

// SessionEve returns the moment on the local day before NextSession, at exactly
// CheckIn, to invite a look-back before the session. It goes out on a rest day
// too, since preparing a session is not a regular check-in, and at the check-in
// time even inside quiet hours, since that is the time the client chose for
// looking back. ok is false
// when there is no next session, the moment is not after `after`, or it falls in
// a pause.
func (p Prefs) SessionEve(after time.Time) (time.Time, bool) {
	if p.NextSession.IsZero() {
		return time.Time{}, false
	}
	eve := p.momentOn(DateOf(p.NextSession, p.zone()).AddDays(-1))
	if !eve.After(after) || !eve.Before(p.NextSession) || p.paused(eve) {
		return time.Time{}, false
	}
	return eve, true
}

// LaterToday is the "later today" snooze: LaterTodayDelay after `from`. ok is
// false when that lands in quiet hours or on the next local day; the engine then
// offers Tomorrow instead.
func (p Prefs) LaterToday(from time.Time) (time.Time, bool) {
	loc := p.zone()
	at := from.Add(LaterTodayDelay)
	if DateOf(at, loc) != DateOf(from, loc) || p.Quiet.Contains(at, loc) {
		return time.Time{}, false
	}
	return at, true
}

// Tomorrow is the "tomorrow" snooze: the next local day at exactly CheckIn. The
// person asked for tomorrow, so cadence and rest days do not move it, and the
// time is the one they chose, so quiet hours do not either.
func (p Prefs) Tomorrow(from time.Time) time.Time {
	return p.momentOn(DateOf(from, p.zone()).AddDays(1))
}

// Fresh reports whether a due moment missed during downtime is still worth
// sending at `now`: it is due (not after now), on the same local date as now, no
// older than maxAge, and now is outside quiet hours. Everything else is stale and
// dropped, so a restart never floods anyone with yesterday's questions.
func (p Prefs) Fresh(due, now time.Time, maxAge time.Duration) bool {
	loc := p.zone()
	return !due.After(now) &&
		DateOf(due, loc) == DateOf(now, loc) &&
		now.Sub(due) <= maxAge &&
		!p.Quiet.Contains(now, loc)
}

// NextAssessment returns when the next self-assessment is due: `weeks` weeks after
// the local date of `last`, or after Anchor when there was none yet (after the
// local date of `after` when Anchor is zero too), at CheckIn on a non-rest day
// outside a pause, and strictly after `after`. An overdue assessment comes at the
// next such moment. weeks below 1 turns assessments off and gives the zero time.
//
// The client did not ask for assessments, so quiet hours apply: when CheckIn
// lies inside them, the assessment goes out at their end on the same date (with
// quiet 21:00-08:00, a 22:00 check-in time gives 08:00 that morning).
func (p Prefs) NextAssessment(last time.Time, weeks int, after time.Time) time.Time {
	if weeks < 1 {
		return time.Time{}
	}
	loc := p.zone()
	var base Date
	switch {
	case !last.IsZero():
		base = DateOf(last, loc)
	case !p.Anchor.IsZero():
		base = p.Anchor
	default:
		base = DateOf(after, loc)
	}
	return p.search(after, base.AddDays(7*weeks), p.quietMomentOn, func(d Date) bool { return !p.IsRestDay(d) })
}

// DigestPrefs say when a coach receives the digest of their clients: daily, or
// weekly on Weekday, at At on the coach's own wall clock. Quiet hours do not
// apply: the coach picks the time.
type DigestPrefs struct {
	// Zone is the coach's IANA zone; nil means UTC.
	Zone *time.Location
	// At is the local time of day the digest goes out.
	At Clock
	// Weekly sends once a week on Weekday instead of every day.
	Weekly  bool
	Weekday time.Weekday
}

// Next returns the first digest moment strictly after `after`.
func (d DigestPrefs) Next(after time.Time) time.Time {
	loc := zoneOrUTC(d.Zone)
	day := DateOf(after, loc).AddDays(-1)
	for i := 0; i < 16; i, day = i+1, day.AddDays(1) {
		if d.Weekly && day.Weekday() != d.Weekday {
			continue
		}
		if m := At(day, d.At, loc); m.After(after) {
			return m
		}
	}
	return time.Time{}
}

// floorMod is the mathematical modulus, non-negative for positive n, so days
// before the anchor keep the same beat.
func floorMod(a, n int) int {
	m := a % n
	if m < 0 {
		m += n
	}
	return m
}
