package scheduler

import (
	"testing"
	"time"
)

func TestFirstCheckIn(t *testing.T) {
	type edit func(*Prefs)
	checkIn := func(s string) edit { return func(p *Prefs) { p.CheckIn = clock(t, s) } }
	rest := func(w Weekdays) edit { return func(p *Prefs) { p.RestDays = w } }
	quiet := func(s string) edit { return func(p *Prefs) { p.Quiet = window(t, s) } }
	pausedUntil := func(s string) edit { return func(p *Prefs) { p.PausedUntil = instant(t, s) } }
	every := func(n int) edit {
		return func(p *Prefs) { p.Cadence.EveryDays, p.Anchor = n, date(t, "2026-06-01") }
	}
	const wed = "2026-06-03T10:00:00+02:00" // Wednesday in Zurich

	tests := []struct {
		name  string
		zone  string
		edits []edit
		plan  string // planWant form; "" is the zero Plan
		after string
		want  string // "" means the zero time
	}{
		{"tomorrow at check-in", "Europe/Zurich", nil, "2026-06-04", wed, "2026-06-04T21:00:00+02:00"},
		{"today at check-in", "Europe/Zurich", nil, "2026-06-03", wed, "2026-06-03T21:00:00+02:00"},
		{"today, check-in time already past", "Europe/Zurich", []edit{checkIn("09:00")}, "2026-06-03", wed, "2026-06-04T09:00:00+02:00"},
		// No time named: a morning check-in would ask before the day's attempt.
		{"today, morning check-in", "Europe/Zurich", []edit{checkIn("10:00")}, "2026-06-03", wed, "2026-06-04T10:00:00+02:00"},
		{"today, check-in exactly now, in the evening", "Europe/Zurich", []edit{checkIn("18:00")}, "2026-06-03", "2026-06-03T18:00:00+02:00", "2026-06-03T18:00:00+02:00"},
		{"tomorrow, check-in at 17:00", "Europe/Zurich", []edit{checkIn("17:00")}, "2026-06-04", wed, "2026-06-04T17:00:00+02:00"},
		{"tomorrow, check-in at 16:59", "Europe/Zurich", []edit{checkIn("16:59")}, "2026-06-04", wed, "2026-06-05T16:59:00+02:00"},
		{"tonight, check-in 90 minutes later", "Europe/Zurich", []edit{checkIn("21:30")}, "2026-06-03 20:00", wed, "2026-06-03T21:30:00+02:00"},
		{"tonight, check-in one hour later", "Europe/Zurich", nil, "2026-06-03 20:00", wed, "2026-06-03T21:00:00+02:00"},
		{"tonight, check-in 30 minutes later", "Europe/Zurich", []edit{checkIn("20:30")}, "2026-06-03 20:00", wed, "2026-06-04T20:30:00+02:00"},
		{"after work, morning check-in", "Europe/Zurich", []edit{checkIn("08:00")}, "2026-06-04 18:00", wed, "2026-06-05T08:00:00+02:00"},
		{"before work, evening check-in", "Europe/Zurich", nil, "2026-06-04 08:00", wed, "2026-06-04T21:00:00+02:00"},
		{"range: last day", "Europe/Zurich", nil, "2026-06-04..2026-06-05", wed, "2026-06-05T21:00:00+02:00"},
		{"range with a clock: last day", "Europe/Zurich", []edit{checkIn("18:30")}, "2026-06-04..2026-06-05 18:00", wed, "2026-06-06T18:30:00+02:00"},
		{"range ending on a rest day", "Europe/Zurich", []edit{rest(Weekend)}, "2026-06-03..2026-06-07", wed, "2026-06-08T21:00:00+02:00"},
		{"planned on a rest day", "Europe/Zurich", []edit{rest(Weekend)}, "2026-06-06", wed, "2026-06-08T21:00:00+02:00"},
		{"next day is a rest day", "Europe/Zurich", []edit{rest(Weekend)}, "2026-06-05 20:30", wed, "2026-06-08T21:00:00+02:00"},
		{"every day a rest day", "Europe/Zurich", []edit{rest(WeekdaysOf(0, 1, 2, 3, 4, 5, 6))}, "2026-06-04", wed, ""},
		{"cadence does not apply", "Europe/Zurich", []edit{every(7)}, "2026-06-04", wed, "2026-06-04T21:00:00+02:00"},
		{"quiet hours do not apply", "Europe/Zurich", []edit{checkIn("22:00"), quiet("21:00-08:00")}, "2026-06-04", wed, "2026-06-04T22:00:00+02:00"},
		{"paused over the planned day", "Europe/Zurich", []edit{pausedUntil("2026-06-05T12:00:00+02:00")}, "2026-06-04", wed, "2026-06-05T21:00:00+02:00"},
		{"pause ends at the check-in", "Europe/Zurich", []edit{pausedUntil("2026-06-04T21:00:00+02:00")}, "2026-06-04", wed, "2026-06-04T21:00:00+02:00"},
		{"planned day already over", "Europe/Zurich", nil, "2026-06-04", "2026-06-05T22:00:00+02:00", "2026-06-06T21:00:00+02:00"},
		{"zero plan", "Europe/Zurich", nil, "", wed, ""},
		// Zurich springs forward on 2027-03-28: 02:00-03:00 does not exist.
		{"spring: check-in in the gap", "Europe/Zurich", []edit{checkIn("02:30")}, "2027-03-27", "2027-03-27T12:00:00+01:00", "2027-03-28T03:00:00+02:00"},
		{"spring: attempt in the gap, 30 minutes before", "Europe/Zurich", []edit{checkIn("03:30")}, "2027-03-28 02:30", "2027-03-27T12:00:00+01:00", "2027-03-29T03:30:00+02:00"},
		{"spring: one wall hour is no elapsed hour", "Europe/Zurich", []edit{checkIn("03:30")}, "2027-03-28 01:45", "2027-03-27T12:00:00+01:00", "2027-03-29T03:30:00+02:00"},
		{"spring: evening check-in", "Europe/Zurich", nil, "2027-03-28 20:00", "2027-03-27T12:00:00+01:00", "2027-03-28T21:00:00+02:00"},
		// New York falls back on 2026-11-01: 01:00-02:00 happens twice.
		{"autumn: half a wall hour is 90 minutes", "America/New_York", []edit{checkIn("02:00")}, "2026-11-01 01:30", "2026-10-31T12:00:00-04:00", "2026-11-01T02:00:00-05:00"},
		{"autumn: repeated check-in, first reading", "America/New_York", []edit{checkIn("01:30")}, "2026-10-31", "2026-10-31T12:00:00-04:00", "2026-11-01T01:30:00-04:00"},
		{"autumn: tonight", "America/New_York", nil, "2026-11-01 20:00", "2026-10-31T12:00:00-04:00", "2026-11-01T21:00:00-05:00"},
		// Kathmandu (+05:45).
		{"kathmandu tomorrow, morning check-in", "Asia/Kathmandu", []edit{checkIn("09:00")}, "2026-06-02", "2026-06-01T03:15:00Z", "2026-06-03T09:00:00+05:45"},
		{"kathmandu today, just in time", "Asia/Kathmandu", []edit{checkIn("19:00")}, "2026-06-01", "2026-06-01T13:14:00Z", "2026-06-01T19:00:00+05:45"},
		{"kathmandu today, just missed", "Asia/Kathmandu", []edit{checkIn("19:00")}, "2026-06-01", "2026-06-01T13:16:00Z", "2026-06-02T19:00:00+05:45"},
		{"kathmandu range onto a rest day", "Asia/Kathmandu", []edit{checkIn("09:00"), rest(WeekdaysOf(time.Saturday))}, "2026-06-04..2026-06-06", "2026-06-01T03:16:00Z", "2026-06-07T09:00:00+05:45"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := Prefs{Zone: zone(t, tt.zone), CheckIn: Clock{21, 0}, Cadence: Cadence{EveryDays: 1}}
			for _, e := range tt.edits {
				e(&p)
			}
			var plan Plan
			if tt.plan != "" {
				plan = planWant(t, tt.plan)
			}
			var want time.Time
			if tt.want != "" {
				want = instant(t, tt.want)
			}
			checkInstant(t, p.FirstCheckIn(plan, instant(t, tt.after)), want, p.Zone)
		})
	}
}

func TestNextCheckInFrom(t *testing.T) {
	tests := []struct {
		name             string
		rest             Weekdays
		after, notBefore string
		want             string
	}{
		{"from a later day", 0, "2026-06-03T10:00:00+02:00", "2026-06-05T00:00:00+02:00", "2026-06-05T09:00:00+02:00"},
		{"at a check-in moment counts", 0, "2026-06-03T10:00:00+02:00", "2026-06-05T09:00:00+02:00", "2026-06-05T09:00:00+02:00"},
		{"just after a check-in moment", 0, "2026-06-03T10:00:00+02:00", "2026-06-05T09:00:01+02:00", "2026-06-06T09:00:00+02:00"},
		{"not before in the past", 0, "2026-06-03T10:00:00+02:00", "2026-06-01T00:00:00+02:00", "2026-06-04T09:00:00+02:00"},
		{"strictly after after", 0, "2026-06-04T09:00:00+02:00", "2026-06-04T09:00:00+02:00", "2026-06-05T09:00:00+02:00"},
		{"rest days skipped", Weekend, "2026-06-03T10:00:00+02:00", "2026-06-06T00:00:00+02:00", "2026-06-08T09:00:00+02:00"},
		{"across the spring switch", 0, "2027-03-26T10:00:00+01:00", "2027-03-28T00:00:00+01:00", "2027-03-28T09:00:00+02:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := prefs(t, "Europe/Zurich")
			p.RestDays = tt.rest
			got := p.NextCheckInFrom(instant(t, tt.after), instant(t, tt.notBefore))
			checkInstant(t, got, instant(t, tt.want), p.Zone)
		})
	}
	t.Run("zero not before is NextCheckIn", func(t *testing.T) {
		p := prefs(t, "Europe/Zurich")
		after := instant(t, "2026-06-03T10:00:00+02:00")
		checkInstant(t, p.NextCheckInFrom(after, time.Time{}), p.NextCheckIn(after), p.Zone)
	})
}
