package scheduler

import (
	"fmt"
	"strings"
	"time"
)

// Date is a civil calendar date with no zone: "the day of the session", "the day
// the rhythm counts from". Keeping dates apart from instants avoids the classic
// mistake of adding 24 hours to get "tomorrow", which is wrong twice a year.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// epoch is the date an unset Anchor counts from, so a zero Prefs still has a
// stable, documented rhythm.
var epoch = Date{Year: 1970, Month: time.January, Day: 1}

// DateOf returns the local date of instant t in loc (nil means UTC).
func DateOf(t time.Time, loc *time.Location) Date {
	y, m, d := t.In(zoneOrUTC(loc)).Date()
	return Date{Year: y, Month: m, Day: d}
}

// ParseDate reads an ISO date such as "2026-11-30". Other orders are refused on
// purpose: "03/04" means different days to different people.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, strings.TrimSpace(s))
	if err != nil {
		return Date{}, fmt.Errorf("%w %q: want YYYY-MM-DD", ErrDate, s)
	}
	return Date{Year: t.Year(), Month: t.Month(), Day: t.Day()}, nil
}

// String gives "2026-11-30", which ParseDate reads back.
func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day) }

// IsZero reports whether d is the zero Date, used for "not set".
func (d Date) IsZero() bool { return d == Date{} }

// noon is d at midday UTC: a fixed instant per date for calendar arithmetic that
// no zone rule can push onto a neighbouring day.
func (d Date) noon() time.Time { return time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC) }

// AddDays returns the date n calendar days later (earlier when n is negative),
// normalising month and year ends: 2026-01-31 plus one day is 2026-02-01.
func (d Date) AddDays(n int) Date {
	y, m, day := d.noon().AddDate(0, 0, n).Date()
	return Date{Year: y, Month: m, Day: day}
}

// Weekday returns the day of the week of d.
func (d Date) Weekday() time.Weekday { return d.noon().Weekday() }

// Before reports whether d is an earlier date than o.
func (d Date) Before(o Date) bool { return d.noon().Before(o.noon()) }

// After reports whether d is a later date than o.
func (d Date) After(o Date) bool { return o.Before(d) }

// DaysBetween returns the number of calendar days from a to b: positive when b is
// later, zero for the same date, negative when b is earlier.
func DaysBetween(a, b Date) int {
	return int(b.noon().Sub(a.noon()) / (24 * time.Hour))
}

// At returns the instant of local date d at clock c in loc (nil means UTC).
//
// Two kinds of wall time need a decision, and At makes it instead of leaving it
// to time.Date, whose choice is unspecified: in practice it moves a skipped time
// by the length of the gap, forwards in Europe/Zurich (02:30 becomes 03:30) but
// backwards in America/New_York (02:30 becomes 01:30), and picks the second
// occurrence of a repeated time in one zone and the first in another. At instead:
//   - a time that does not exist because the clocks spring forward moves to the
//     next valid minute, the moment the clocks jump: 02:30 on 2026-03-29 in
//     Europe/Zurich becomes 03:00 CEST;
//   - a time that happens twice because the clocks fall back is the first
//     occurrence: 01:30 on 2026-11-01 in America/New_York is 01:30 EDT.
func At(d Date, c Clock, loc *time.Location) time.Time {
	loc = zoneOrUTC(loc)
	// wall is the wall-clock reading as if it were UTC; the instant is wall-offset
	// for whichever offset is in force at that instant.
	wall := time.Date(d.Year, d.Month, d.Day, c.Hour, c.Minute, 0, 0, time.UTC).Unix()
	// Offsets lie between -12 h and +14 h, so the offsets one day before and one
	// day after bracket every transition that can touch this wall time.
	before := offsetAt(wall-86400, loc)
	after := offsetAt(wall+86400, loc)
	var best time.Time
	for _, off := range []int{before, after} {
		u := wall - int64(off)
		if offsetAt(u, loc) != off {
			continue
		}
		if t := time.Unix(u, 0).In(loc); best.IsZero() || t.Before(best) {
			best = t
		}
	}
	if !best.IsZero() {
		return best
	}
	if after > before {
		// A spring-forward gap: read with the old offset, the wall time lies past
		// the transition; the zone period that instant falls in starts exactly at
		// the jump, which is the first valid minute after the gap.
		start, _ := time.Unix(wall-int64(before), 0).In(loc).ZoneBounds()
		if !start.IsZero() {
			return start.In(loc)
		}
	}
	// Zone data with two transitions within two days: fall back on the standard
	// library's choice rather than guess.
	return time.Date(d.Year, d.Month, d.Day, c.Hour, c.Minute, 0, 0, loc)
}

func offsetAt(unix int64, loc *time.Location) int {
	_, off := time.Unix(unix, 0).In(loc).Zone()
	return off
}

// zoneOrUTC lets a nil zone mean UTC instead of panicking deep inside time.
func zoneOrUTC(loc *time.Location) *time.Location {
	if loc == nil {
		return time.UTC
	}
	return loc
}
