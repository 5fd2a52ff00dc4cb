// Package scheduler decides when coachbot speaks up; package flows decides what it says.
//
// It has two halves. The rules (Clock, Window, Weekdays, Date, Cadence, Plan,
// Prefs, DigestPrefs) are pure functions of the times they are given: they never read the
// system clock, so the engine, the storage sweep and the simulator can ask "what is
// the next due moment after t?" for any t and get the same answer every time. They
// work in each person's own IANA time zone and stay correct across daylight-saving
// switches, where cron-style scheduling skips or doubles a run.
//
// The Ticker is the other half: a few global cron ticks (the due sweep every
// minute, nightly cleanup) with a lifecycle owned by the caller. Per-user due moments
// are not cron entries; they are stored in the database and found by the sweep.
package scheduler

import (
	"errors"

	// Embed the zone database so per-user zones work on machines without
	// /usr/share/zoneinfo (minimal containers, Windows).
	_ "time/tzdata"
)

// Parse errors, one per kind of input, so the engine can match them with errors.Is
// and answer in the user's words from its own message catalog. The wrapped message
// names the offending input for logs and tests.
var (
	ErrClock   = errors.New("invalid time of day")
	ErrWindow  = errors.New("invalid time window")
	ErrWeekday = errors.New("unknown weekday")
	ErrZone    = errors.New("unknown time zone")
	ErrDate    = errors.New("invalid date")
	ErrCadence = errors.New("unknown cadence")
)
