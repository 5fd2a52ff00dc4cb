package scheduler

import (
	"testing"
	"time"
)

// prefs builds the Prefs most tests vary from: daily at 09:00 in zoneName, no
// rest days, no quiet hours.
func prefs(t testing.TB, zoneName string) Prefs {
	t.Helper()
	return Prefs{Zone: zone(t, zoneName), CheckIn: Clock{9, 0}, Cadence: Cadence{EveryDays: 1}}
}

func TestNextCheckIn(t *testing.T) {
	type edit func(*Prefs)
	checkIn := func(s string) edit { return func(p *Prefs) { p.CheckIn = clock(t, s) } }
	quiet := func(s string) edit { return func(p *Prefs) { p.Quiet = window(t, s) } }
	rest := func(s string) edit {
		return func(p *Prefs) {
			w, err := ParseWeekdays(s)
			if err != nil {
				t.Fatal(err)
			}
			p.RestDays = w
		}
	}
	every := func(n int, anchor string) edit {
		return func(p *Prefs) { p.Cadence.EveryDays, p.Anchor = n, date(t, anchor) }
	}
	pausedUntil := func(s string) edit { return func(p *Prefs) { p.PausedUntil = instant(t, s) } }

	tests := []struct {
		name  string
		zone  string
		edits []edit
		after string
		want  string
	}{
		// Daylight-saving switches: 09:00 stays 09:00 on the wall clock.
		{"zurich into spring day", "Europe/Zurich", nil, "2026-03-28T09:00:00+01:00", "2026-03-29T09:00:00+02:00"},
		{"zurich after spring day", "Europe/Zurich", nil, "2026-03-29T09:00:00+02:00", "2026-03-30T09:00:00+02:00"},
		{"zurich into autumn day", "Europe/Zurich", nil, "2026-10-24T09:00:00+02:00", "2026-10-25T09:00:00+01:00"},
		{"zurich after autumn day", "Europe/Zurich", nil, "2026-10-25T09:00:00+01:00", "2026-10-26T09:00:00+01:00"},
		{"ny into spring day", "America/New_York", nil, "2026-03-07T09:00:00-05:00", "2026-03-08T09:00:00-04:00"},
		{"ny into autumn day", "America/New_York", nil, "2026-10-31T09:00:00-04:00", "2026-11-01T09:00:00-05:00"},
		// Skipped and repeated wall times.
		{"zurich 02:30 in the gap", "Europe/Zurich", []edit{checkIn("02:30")}, "2026-03-28T03:00:00+01:00", "2026-03-29T03:00:00+02:00"},
		{"zurich 02:30 after the gap day", "Europe/Zurich", []edit{checkIn("02:30")}, "2026-03-29T03:00:00+02:00", "2026-03-30T02:30:00+02:00"},
		{"zurich 02:30 repeated, first", "Europe/Zurich", []edit{checkIn("02:30")}, "2026-10-24T12:00:00+02:00", "2026-10-25T02:30:00+02:00"},
		{"zurich 02:30 repeated, once", "Europe/Zurich", []edit{checkIn("02:30")}, "2026-10-25T02:30:00+02:00", "2026-10-26T02:30:00+01:00"},
		{"ny 02:30 in the gap", "America/New_York", []edit{checkIn("02:30")}, "2026-03-07T12:00:00-05:00", "2026-03-08T03:00:00-04:00"},
		{"ny 01:30 repeated, first", "America/New_York", []edit{checkIn("01:30")}, "2026-10-31T12:00:00-04:00", "2026-11-01T01:30:00-04:00"},
		{"ny 01:30 repeated, once", "America/New_York", []edit{checkIn("01:30")}, "2026-11-01T01:30:00-04:00", "2026-11-02T01:30:00-05:00"},
		{"ny 01:30 second occurrence is not due", "America/New_York", []edit{checkIn("01:30")}, "2026-11-01T01:29:00-05:00", "2026-11-02T01:30:00-05:00"},
		// Half-hour and quarter-hour zones.
		{"kolkata", "Asia/Kolkata", nil, "2026-06-01T00:00:00Z", "2026-06-01T09:00:00+05:30"},
		{"kolkata just after", "Asia/Kolkata", nil, "2026-06-01T03:30:00Z", "2026-06-02T09:00:00+05:30"},
		{"kathmandu", "Asia/Kathmandu", nil, "2026-06-01T03:14:00Z", "2026-06-01T09:00:00+05:45"},
		{"kathmandu just after", "Asia/Kathmandu", nil, "2026-06-01T03:15:00Z", "2026-06-02T09:00:00+05:45"},
		// Rest days (2026-06-05 is a Friday).
		{"rest weekend skipped", "Europe/Zurich", []edit{rest("Sat Sun")}, "2026-06-05T10:00:00+02:00", "2026-06-08T09:00:00+02:00"},
		{"rest day itself skipped", "Europe/Zurich", []edit{rest("Sat Sun")}, "2026-06-06T07:00:00+02:00", "2026-06-08T09:00:00+02:00"},
		{"every day a rest day", "Europe/Zurich", []edit{rest("mon-sun")}, "2026-06-05T10:00:00+02:00", ""},
		// Quiet hours: the check-in time is the client's own choice, so it holds
		// inside them (these cases once asserted a move to the end of quiet
		// hours, which sent a client who chose 22:00 their check-in at 08:00).
		{"22:00 in 21-08 stays at 22:00", "Europe/Zurich", []edit{checkIn("22:00"), quiet("21:00-08:00")}, "2026-06-01T00:00:00+02:00", "2026-06-01T22:00:00+02:00"},
		{"then the next evening", "Europe/Zurich", []edit{checkIn("22:00"), quiet("21:00-08:00")}, "2026-06-01T22:00:00+02:00", "2026-06-02T22:00:00+02:00"},
		{"06:00 in 21-08 stays at 06:00", "Europe/Zurich", []edit{checkIn("06:00"), quiet("21:00-08:00")}, "2026-06-01T05:00:00+02:00", "2026-06-01T06:00:00+02:00"},
		{"06:00 in 21-08 already past", "Europe/Zurich", []edit{checkIn("06:00"), quiet("21:00-08:00")}, "2026-06-01T07:00:00+02:00", "2026-06-02T06:00:00+02:00"},
		{"13:00 in 12-14 stays at 13:00", "Europe/Zurich", []edit{checkIn("13:00"), quiet("12:00-14:00")}, "2026-06-01T07:00:00+02:00", "2026-06-01T13:00:00+02:00"},
		{"outside quiet unchanged", "Europe/Zurich", []edit{checkIn("20:59"), quiet("21:00-08:00")}, "2026-06-01T07:00:00+02:00", "2026-06-01T20:59:00+02:00"},
		{"in quiet hours, rest days still skipped", "Europe/Zurich", []edit{checkIn("22:00"), quiet("21:00-08:00"), rest("Sat Sun")}, "2026-06-05T22:00:00+02:00", "2026-06-08T22:00:00+02:00"},
		{"quiet gap day, check-in at the jump", "Europe/Zurich", []edit{checkIn("02:30"), quiet("21:00-08:00")}, "2026-03-28T12:00:00+01:00", "2026-03-29T03:00:00+02:00"},
		// Pause.
		{"paused days skipped", "Europe/Zurich", []edit{pausedUntil("2026-06-03T12:00:00+02:00")}, "2026-06-01T10:00:00+02:00", "2026-06-04T09:00:00+02:00"},
		{"pause ends exactly at check-in", "Europe/Zurich", []edit{pausedUntil("2026-06-03T09:00:00+02:00")}, "2026-06-01T10:00:00+02:00", "2026-06-03T09:00:00+02:00"},
		{"pause in the past", "Europe/Zurich", []edit{pausedUntil("2026-05-01T00:00:00+02:00")}, "2026-06-01T10:00:00+02:00", "2026-06-02T09:00:00+02:00"},
		// Every N days counts from the anchor (2026-06-01 is a Monday).
		{"every 2 from anchor", "Europe/Zurich", []edit{every(2, "2026-06-01")}, "2026-06-01T09:00:00+02:00", "2026-06-03T09:00:00+02:00"},
		{"every 2 off day", "Europe/Zurich", []edit{every(2, "2026-06-01")}, "2026-06-02T08:00:00+02:00", "2026-06-03T09:00:00+02:00"},
		{"every 2 anchor day", "Europe/Zurich", []edit{every(2, "2026-06-01")}, "2026-05-31T10:00:00+02:00", "2026-06-01T09:00:00+02:00"},
		{"every 2 before a future anchor", "Europe/Zurich", []edit{every(2, "2026-06-10")}, "2026-06-01T10:00:00+02:00", "2026-06-02T09:00:00+02:00"},
		{"every 2 across spring switch", "Europe/Zurich", []edit{every(2, "2026-03-27")}, "2026-03-27T09:00:00+01:00", "2026-03-29T09:00:00+02:00"},
		{"every 2 skips a rest day, keeps the beat", "Europe/Zurich", []edit{every(2, "2026-06-01"), rest("Sun")}, "2026-06-05T09:00:00+02:00", "2026-06-09T09:00:00+02:00"},
		{"weekly from a wednesday", "Europe/Zurich", []edit{every(7, "2026-06-03")}, "2026-06-03T09:00:00+02:00", "2026-06-10T09:00:00+02:00"},
		{"weekly on a rest day never", "Europe/Zurich", []edit{every(7, "2026-06-06"), rest("Sat")}, "2026-06-01T09:00:00+02:00", ""},
		// Nil zone means UTC.
		{"nil zone", "", nil, "2026-06-01T10:00:00Z", "2026-06-02T09:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := Prefs{CheckIn: Clock{9, 0}, Cadence: Cadence{EveryDays: 1}}
			if tt.zone != "" {
				p.Zone = zone(t, tt.zone)
			}
			for _, e := range tt.edits {
				e(&p)
			}
			var want time.Time
			if tt.want != "" {
				want = instant(t, tt.want)
			}
			checkInstant(t, p.NextCheckIn(instant(t, tt.after)), want, p.Zone)
		})
	}
}

// TestNextCheckInSweepsYear walks a year of check-ins the way the due sweep does,
// each from the previous one, in zones with switches: exactly one check-in per
// local date, every time on the wall clock asked for (or just after a skipped hour).
func TestNextCheckInSweepsYear(t *testing.T) {
	tests := []struct {
		zone, clock string
	}{
		{"Europe/Zurich", "09:00"},
		{"Europe/Zurich", "02:30"},
		{"America/New_York", "01:30"},
		{"America/New_York", "02:30"},
		{"Asia/Kathmandu", "00:00"},
		{"Australia/Adelaide", "02:30"},
	}
	for _, tt := range tests {
		t.Run(tt.zone+" "+tt.clock, func(t *testing.T) {
			p := Prefs{Zone: zone(t, tt.zone), CheckIn: clock(t, tt.clock)}
			day := date(t, "2026-01-01")
			at := At(day.AddDays(-1), Clock{23, 0}, p.Zone)
			for i := 0; i < 365; i, day = i+1, day.AddDays(1) {
				next := p.NextCheckIn(at)
				if got := DateOf(next, p.Zone); got != day {
					t.Fatalf("after %s: next check-in on %v, want %v", show(at, p.Zone), got, day)
				}
				if want := At(day, p.CheckIn, p.Zone); !next.Equal(want) {
					t.Fatalf("on %v: got %s, want %s", day, show(next, p.Zone), show(want, p.Zone))
				}
				at = next
			}
		})
	}
}

func TestNextCheckInPerSession(t *testing.T) {
	base := func(t *testing.T) Prefs {
		p := prefs(t, "Europe/Zurich")
		p.Cadence = Cadence{EveryDays: 1, PerSession: 3}
		p.LastSession = instant(t, "2026-06-01T15:00:00+02:00") // Monday
		p.NextSession = instant(t, "2026-06-15T15:00:00+02:00") // Monday two weeks later
		return p
	}
	tests := []struct {
		name string
		edit func(*Prefs)
		want []string // successive check-in dates from the last session on
	}{
		// 13 days strictly between; three picks split them into four equal gaps.
		{"evenly spread", func(*Prefs) {}, []string{"2026-06-04", "2026-06-08", "2026-06-11", "2026-06-15", "2026-06-16"}},
		// Non-rest days between: Jun 2-5 and 8-12.
		{"rest days left out", func(p *Prefs) { p.RestDays = Weekend }, []string{"2026-06-03", "2026-06-08", "2026-06-10", "2026-06-15", "2026-06-16"}},
		{"more than days", func(p *Prefs) {
			p.Cadence.PerSession = 10
			p.NextSession = instant(t, "2026-06-04T15:00:00+02:00")
		}, []string{"2026-06-02", "2026-06-03", "2026-06-04", "2026-06-05"}},
		{"anchor when no last session", func(p *Prefs) {
			p.LastSession = time.Time{}
			p.Anchor = date(t, "2026-06-01")
		}, []string{"2026-06-04", "2026-06-08", "2026-06-11", "2026-06-15"}},
		{"every-days after the session", func(p *Prefs) { p.Cadence.EveryDays = 2; p.Anchor = date(t, "2026-06-01") },
			[]string{"2026-06-04", "2026-06-08", "2026-06-11", "2026-06-15", "2026-06-17"}},
		{"no next session: every-days", func(p *Prefs) { p.NextSession = time.Time{} }, []string{"2026-06-02", "2026-06-03"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := base(t)
			tt.edit(&p)
			at := instant(t, "2026-06-01T16:00:00+02:00")
			for _, want := range tt.want {
				at = p.NextCheckIn(at)
				if got := DateOf(at, p.Zone); got != date(t, want) {
					t.Fatalf("got %s, want %s", show(at, p.Zone), want)
				}
			}
		})
	}
}

func TestNextRestDay(t *testing.T) {
	tests := []struct {
		name   string
		rest   Weekdays
		quiet  string
		paused string
		after  string
		want   string
	}{
		{"next saturday", Weekend, "", "", "2026-06-01T10:00:00+02:00", "2026-06-06T09:00:00+02:00"},
		{"then sunday", Weekend, "", "", "2026-06-06T09:00:00+02:00", "2026-06-07T09:00:00+02:00"},
		{"paused saturday", Weekend, "", "2026-06-06T12:00:00+02:00", "2026-06-01T10:00:00+02:00", "2026-06-07T09:00:00+02:00"},
		// The rest-day question takes the place of the check-in, at the time the
		// client chose; it once moved to the end of quiet hours (10:00 here).
		{"at check-in inside quiet hours", Weekend, "08:00-10:00", "", "2026-06-01T10:00:00+02:00", "2026-06-06T09:00:00+02:00"},
		{"no rest days", 0, "", "", "2026-06-01T10:00:00+02:00", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := prefs(t, "Europe/Zurich")
			p.RestDays, p.Quiet = tt.rest, window(t, tt.quiet)
			if tt.paused != "" {
				p.PausedUntil = instant(t, tt.paused)
			}
			var want time.Time
			if tt.want != "" {
				want = instant(t, tt.want)
			}
			checkInstant(t, p.NextRestDay(instant(t, tt.after)), want, p.Zone)
		})
	}
	p := prefs(t, "Europe/Zurich")
	p.RestDays = WeekdaysOf(time.Sunday)
	if !p.IsRestDay(date(t, "2026-06-07")) || p.IsRestDay(date(t, "2026-06-08")) {
		t.Error("IsRestDay wrong")
	}
}

func TestNudgeAt(t *testing.T) {
	tests := []struct {
		name    string
		quiet   string
		paused  string
		invited string
		delay   time.Duration
		want    string // "" means ok=false
	}{
		{"plain", "21:00-08:00", "", "2026-06-01T09:00:00+02:00", 3 * time.Hour, "2026-06-01T12:00:00+02:00"},
		{"would land at night", "21:00-08:00", "", "2026-06-01T19:00:00+02:00", 3 * time.Hour, ""},
		{"lands at quiet start", "21:00-08:00", "", "2026-06-01T18:00:00+02:00", 3 * time.Hour, ""},
		{"just before quiet", "21:00-08:00", "", "2026-06-01T17:59:00+02:00", 3 * time.Hour, "2026-06-01T20:59:00+02:00"},
		{"early invitation waits for morning", "21:00-08:00", "", "2026-06-01T06:00:00+02:00", time.Hour, "2026-06-01T08:00:00+02:00"},
		{"midday quiet moves to its end", "12:00-14:00", "", "2026-06-01T10:00:00+02:00", 3 * time.Hour, "2026-06-01T14:00:00+02:00"},
		{"next day without quiet hours", "", "", "2026-06-01T22:30:00+02:00", 3 * time.Hour, ""},
		{"paused", "", "2026-06-02T00:00:00+02:00", "2026-06-01T09:00:00+02:00", 3 * time.Hour, ""},
		{"across spring switch", "", "", "2026-03-29T01:00:00+01:00", 3 * time.Hour, "2026-03-29T05:00:00+02:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := prefs(t, "Europe/Zurich")
			p.Quiet = window(t, tt.quiet)
			if tt.paused != "" {
				p.PausedUntil = instant(t, tt.paused)
			}
			got, ok := p.NudgeAt(instant(t, tt.invited), tt.delay)
			if tt.want == "" {
				if ok {
					t.Errorf("got %s, want none", show(got, p.Zone))
				}
				return
			}
			if !ok {
				t.Fatalf("got none, want %s", tt.want)
			}
			checkInstant(t, got, instant(t, tt.want), p.Zone)
		})
	}
}

// TestNudgeAtNeverInQuietHours tries every quarter hour of a week of invitations
// and several delays: an allowed nudge is never in quiet hours, never early and
// never on a later day.
func TestNudgeAtNeverInQuietHours(t *testing.T) {
	for _, name := range []string{"Europe/Zurich", "America/New_York", "Asia/Kathmandu"} {
		for _, q := range []string{"21:00-08:00", "12:00-14:00", "00:00-06:30"} {
			p := prefs(t, name)
			p.Quiet = window(t, q)
			start := At(date(t, "2026-03-05"), Clock{}, p.Zone)
			for inv := start; inv.Before(start.AddDate(0, 0, 7)); inv = inv.Add(15 * time.Minute) {
				for _, delay := range []time.Duration{time.Hour, 3 * time.Hour, 6 * time.Hour} {
					got, ok := p.NudgeAt(inv, delay)
					if !ok {
						continue
					}
					if p.Quiet.Contains(got, p.Zone) || got.Before(inv.Add(delay)) || DateOf(got, p.Zone) != DateOf(inv, p.Zone) {
						t.Fatalf("%s quiet %s: invited %s +%v: nudge at %s", name, q, show(inv, p.Zone), delay, show(got, p.Zone))
					}
				}
			}
		}
	}
}

func TestOutsideQuiet(t *testing.T) {
	tests := []struct {
		name, zone, quiet, at, want string
	}{
		{"outside stays", "Europe/Zurich", "21:00-08:00", "2026-06-01T12:00:00+02:00", "2026-06-01T12:00:00+02:00"},
		{"at the end stays", "Europe/Zurich", "21:00-08:00", "2026-06-01T08:00:00+02:00", "2026-06-01T08:00:00+02:00"},
		{"at the start waits for morning", "Europe/Zurich", "21:00-08:00", "2026-06-01T21:00:00+02:00", "2026-06-02T08:00:00+02:00"},
		{"early morning waits", "Europe/Zurich", "21:00-08:00", "2026-06-01T06:00:00+02:00", "2026-06-01T08:00:00+02:00"},
		{"midday quiet", "Europe/Zurich", "12:00-14:00", "2026-06-01T13:00:00+02:00", "2026-06-01T14:00:00+02:00"},
		{"no quiet hours", "Europe/Zurich", "", "2026-06-01T03:00:00+02:00", "2026-06-01T03:00:00+02:00"},
		{"spring night is an hour shorter", "Europe/Zurich", "21:00-08:00", "2027-03-28T01:30:00+01:00", "2027-03-28T08:00:00+02:00"},
		{"end in the spring gap", "Europe/Zurich", "22:00-02:30", "2027-03-28T01:30:00+01:00", "2027-03-28T03:00:00+02:00"},
		{"autumn end, first reading", "America/New_York", "00:00-01:30", "2026-11-01T01:15:00-04:00", "2026-11-01T01:30:00-04:00"},
		{"autumn end, second reading", "America/New_York", "00:00-01:30", "2026-11-01T01:15:00-05:00", "2026-11-01T01:30:00-05:00"},
		{"kathmandu", "Asia/Kathmandu", "21:00-08:00", "2026-06-01T16:00:00Z", "2026-06-02T08:00:00+05:45"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := prefs(t, tt.zone)
			p.Quiet = window(t, tt.quiet)
			checkInstant(t, p.OutsideQuiet(instant(t, tt.at)), instant(t, tt.want), p.Zone)
		})
	}
}

// TestOutsideQuietFirstMoment walks switch weeks in steps of ten minutes: the
// answer is never earlier than asked, never in quiet hours, and every moment
// before it (in five-minute steps) is in quiet hours, so it is the first.
func TestOutsideQuietFirstMoment(t *testing.T) {
	for _, name := range []string{"Europe/Zurich", "America/New_York", "Asia/Kathmandu"} {
		for _, q := range []string{"21:00-08:00", "00:00-01:30", "01:00-02:30", "12:00-14:00"} {
			p := prefs(t, name)
			p.Quiet = window(t, q)
			for _, first := range []string{"2026-03-05", "2026-10-22", "2027-03-24"} {
				start := At(date(t, first), Clock{}, p.Zone)
				for at := start; at.Before(start.AddDate(0, 0, 14)); at = at.Add(10 * time.Minute) {
					got := p.OutsideQuiet(at)
					if got.Before(at) || p.Quiet.Contains(got, p.Zone) {
						t.Fatalf("%s quiet %s: at %s got %s", name, q, show(at, p.Zone), show(got, p.Zone))
					}
					for s := at; s.Before(got); s = s.Add(5 * time.Minute) {
						if !p.Quiet.Contains(s, p.Zone) {
							t.Fatalf("%s quiet %s: at %s got %s, but %s is outside", name, q, show(at, p.Zone), show(got, p.Zone), show(s, p.Zone))
						}
					}
				}
			}
		}
	}
}

func TestSessionEve(t *testing.T) {
	tests := []struct {
		name    string
		session string
		paused  string
		quiet   string
		after   string
		want    string
	}{
		{"day before at check-in", "2026-06-15T15:00:00+02:00", "", "", "2026-06-01T10:00:00+02:00", "2026-06-14T09:00:00+02:00"},
		{"already past", "2026-06-15T15:00:00+02:00", "", "", "2026-06-14T09:00:00+02:00", ""},
		{"no session", "", "", "", "2026-06-01T10:00:00+02:00", ""},
		{"paused", "2026-06-15T15:00:00+02:00", "2026-06-14T12:00:00+02:00", "", "2026-06-01T10:00:00+02:00", ""},
		// At the client's check-in time even inside quiet hours; it once moved to
		// their end (10:00 here).
		{"at check-in inside quiet hours", "2026-06-15T15:00:00+02:00", "", "06:00-10:00", "2026-06-01T10:00:00+02:00", "2026-06-14T09:00:00+02:00"},
		{"eve on the spring switch", "2026-03-30T10:00:00+02:00", "", "", "2026-03-20T10:00:00+01:00", "2026-03-29T09:00:00+02:00"},
		{"session read in client zone", "2026-06-14T23:30:00Z", "", "", "2026-06-01T10:00:00+02:00", "2026-06-14T09:00:00+02:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := prefs(t, "Europe/Zurich")
			p.Quiet = window(t, tt.quiet)
			if tt.session != "" {
				p.NextSession = instant(t, tt.session)
			}
			if tt.paused != "" {
				p.PausedUntil = instant(t, tt.paused)
			}
			got, ok := p.SessionEve(instant(t, tt.after))
			if tt.want == "" {
				if ok {
					t.Errorf("got %s, want none", show(got, p.Zone))
				}
				return
			}
			if !ok {
				t.Fatalf("got none, want %s", tt.want)
			}
			checkInstant(t, got, instant(t, tt.want), p.Zone)
		})
	}
}

func TestLaterToday(t *testing.T) {
	tests := []struct {
		name, quiet, from, want string
	}{
		{"three hours later", "21:00-08:00", "2026-06-01T09:00:00+02:00", "2026-06-01T12:00:00+02:00"},
		{"into quiet hours", "21:00-08:00", "2026-06-01T19:00:00+02:00", ""},
		{"at quiet start", "21:00-08:00", "2026-06-01T18:00:00+02:00", ""},
		{"next day", "", "2026-06-01T22:30:00+02:00", ""},
		{"across spring switch", "", "2026-03-29T01:00:00+01:00", "2026-03-29T05:00:00+02:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := prefs(t, "Europe/Zurich")
			p.Quiet = window(t, tt.quiet)
			got, ok := p.LaterToday(instant(t, tt.from))
			if tt.want == "" {
				if ok {
					t.Errorf("got %s, want none", show(got, p.Zone))
				}
				return
			}
			if !ok {
				t.Fatalf("got none, want %s", tt.want)
			}
			checkInstant(t, got, instant(t, tt.want), p.Zone)
		})
	}
}

func TestTomorrow(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Prefs)
		from string
		want string
	}{
		{"next day at check-in", func(*Prefs) {}, "2026-06-01T22:00:00+02:00", "2026-06-02T09:00:00+02:00"},
		{"ignores cadence", func(p *Prefs) { p.Cadence.EveryDays = 7; p.Anchor = date(t, "2026-06-01") }, "2026-06-01T10:00:00+02:00", "2026-06-02T09:00:00+02:00"},
		{"ignores rest days", func(p *Prefs) { p.RestDays = Workweek }, "2026-06-01T10:00:00+02:00", "2026-06-02T09:00:00+02:00"},
		// The snooze lands at the time the client chose, quiet hours or not; it
		// once moved to the end of quiet hours (08:00 here).
		{"at check-in inside quiet hours", func(p *Prefs) { p.CheckIn = Clock{22, 0}; p.Quiet = window(t, "21:00-08:00") }, "2026-06-01T10:00:00+02:00", "2026-06-02T22:00:00+02:00"},
		{"across spring switch", func(*Prefs) {}, "2026-03-28T20:00:00+01:00", "2026-03-29T09:00:00+02:00"},
		{"local date, not UTC date", func(*Prefs) {}, "2026-06-01T23:30:00Z", "2026-06-03T09:00:00+02:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := prefs(t, "Europe/Zurich")
			tt.edit(&p)
			checkInstant(t, p.Tomorrow(instant(t, tt.from)), instant(t, tt.want), p.Zone)
		})
	}
}

func TestFresh(t *testing.T) {
	tests := []struct {
		name     string
		due, now string
		maxAge   time.Duration
		want     bool
	}{
		{"recent", "2026-06-01T09:00:00+02:00", "2026-06-01T09:30:00+02:00", 2 * time.Hour, true},
		{"exactly due", "2026-06-01T09:00:00+02:00", "2026-06-01T09:00:00+02:00", 2 * time.Hour, true},
		{"at max age", "2026-06-01T09:00:00+02:00", "2026-06-01T11:00:00+02:00", 2 * time.Hour, true},
		{"too old", "2026-06-01T09:00:00+02:00", "2026-06-01T11:00:01+02:00", 2 * time.Hour, false},
		{"yesterday", "2026-06-01T09:00:00+02:00", "2026-06-02T08:30:00+02:00", 48 * time.Hour, false},
		{"just past local midnight", "2026-06-01T23:50:00+02:00", "2026-06-02T00:05:00+02:00", 2 * time.Hour, false},
		{"now in quiet hours", "2026-06-01T20:30:00+02:00", "2026-06-01T21:10:00+02:00", 2 * time.Hour, false},
		{"not yet due", "2026-06-01T09:00:00+02:00", "2026-06-01T08:00:00+02:00", 2 * time.Hour, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := prefs(t, "Europe/Zurich")
			p.Quiet = window(t, "21:00-08:00")
			if got := p.Fresh(instant(t, tt.due), instant(t, tt.now), tt.maxAge); got != tt.want {
				t.Errorf("Fresh(%s, %s, %v) = %v, want %v", tt.due, tt.now, tt.maxAge, got, tt.want)
			}
		})
	}
}

func TestDigestNext(t *testing.T) {
	tests := []struct {
		name   string
		zone   string
		at     string
		weekly bool
		day    time.Weekday
		after  string
		want   string
	}{
		{"daily later today", "Europe/Zurich", "07:00", false, 0, "2026-06-01T06:00:00+02:00", "2026-06-01T07:00:00+02:00"},
		{"daily tomorrow", "Europe/Zurich", "07:00", false, 0, "2026-06-01T07:00:00+02:00", "2026-06-02T07:00:00+02:00"},
		{"daily into spring", "Europe/Zurich", "07:00", false, 0, "2026-03-28T07:00:00+01:00", "2026-03-29T07:00:00+02:00"},
		{"daily into autumn", "America/New_York", "07:00", false, 0, "2026-10-31T07:00:00-04:00", "2026-11-01T07:00:00-05:00"},
		{"daily in the gap", "Europe/Zurich", "02:30", false, 0, "2026-03-28T12:00:00+01:00", "2026-03-29T03:00:00+02:00"},
		{"weekly monday", "America/New_York", "08:00", true, time.Monday, "2026-10-27T12:00:00-04:00", "2026-11-02T08:00:00-05:00"},
		{"weekly same day later", "America/New_York", "08:00", true, time.Monday, "2026-11-02T07:59:00-05:00", "2026-11-02T08:00:00-05:00"},
		{"weekly just sent", "America/New_York", "08:00", true, time.Monday, "2026-11-02T08:00:00-05:00", "2026-11-09T08:00:00-05:00"},
		{"weekly sunday across spring", "Europe/Zurich", "18:00", true, time.Sunday, "2026-03-22T18:00:00+01:00", "2026-03-29T18:00:00+02:00"},
		{"kathmandu", "Asia/Kathmandu", "07:00", false, 0, "2026-06-01T01:15:00Z", "2026-06-02T07:00:00+05:45"},
		{"nil zone", "", "07:00", false, 0, "2026-06-01T06:00:00Z", "2026-06-01T07:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := DigestPrefs{At: clock(t, tt.at), Weekly: tt.weekly, Weekday: tt.day}
			if tt.zone != "" {
				d.Zone = zone(t, tt.zone)
			}
			checkInstant(t, d.Next(instant(t, tt.after)), instant(t, tt.want), d.Zone)
		})
	}
}

func TestNextAssessment(t *testing.T) {
	tests := []struct {
		name   string
		rest   Weekdays
		anchor string
		last   string
		weeks  int
		after  string
		want   string
	}{
		{"four weeks after last", 0, "", "2026-06-01T10:00:00+02:00", 4, "2026-06-01T10:00:00+02:00", "2026-06-29T09:00:00+02:00"},
		{"rest day moves to next day", Weekend, "", "2026-06-06T10:00:00+02:00", 4, "2026-06-06T10:00:00+02:00", "2026-07-06T09:00:00+02:00"},
		{"overdue comes next", 0, "", "2026-06-01T10:00:00+02:00", 4, "2026-07-10T10:00:00+02:00", "2026-07-11T09:00:00+02:00"},
		{"overdue skips rest days", Weekend, "", "2026-06-01T10:00:00+02:00", 4, "2026-07-10T10:00:00+02:00", "2026-07-13T09:00:00+02:00"},
		{"never: from anchor", 0, "2026-06-01", "", 2, "2026-06-01T10:00:00+02:00", "2026-06-15T09:00:00+02:00"},
		{"never, no anchor: from after", 0, "", "", 1, "2026-06-03T10:00:00+02:00", "2026-06-10T09:00:00+02:00"},
		{"across autumn switch", 0, "", "2026-10-11T10:00:00+02:00", 2, "2026-10-11T10:00:00+02:00", "2026-10-25T09:00:00+01:00"},
		{"off", 0, "", "2026-06-01T10:00:00+02:00", 0, "2026-06-01T10:00:00+02:00", ""},
	}
	// Assessments are the bot's idea, so quiet hours still apply to them: a
	// 22:00 check-in time inside quiet 21:00-08:00 gives 08:00 on the due date.
	t.Run("quiet hours apply", func(t *testing.T) {
		p := prefs(t, "Europe/Zurich")
		p.CheckIn, p.Quiet = Clock{22, 0}, window(t, "21:00-08:00")
		p.RestDays = Weekend
		got := p.NextAssessment(instant(t, "2026-06-01T10:00:00+02:00"), 4, instant(t, "2026-06-01T10:00:00+02:00"))
		checkInstant(t, got, instant(t, "2026-06-29T08:00:00+02:00"), p.Zone)
	})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := prefs(t, "Europe/Zurich")
			p.RestDays = tt.rest
			if tt.anchor != "" {
				p.Anchor = date(t, tt.anchor)
			}
			var last, want time.Time
			if tt.last != "" {
				last = instant(t, tt.last)
			}
			if tt.want != "" {
				want = instant(t, tt.want)
			}
			checkInstant(t, p.NextAssessment(last, tt.weeks, instant(t, tt.after)), want, p.Zone)
		})
	}
}
