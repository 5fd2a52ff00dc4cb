package scheduler

import (
	"errors"
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	got, err := ParseDate(" 2026-11-30 ")
	if err != nil {
		t.Fatalf("ParseDate: %v", err)
	}
	if want := (Date{2026, time.November, 30}); got != want {
		t.Errorf("got %v, want %v", got, want)
	}
	if got.String() != "2026-11-30" {
		t.Errorf("String() = %q", got.String())
	}
	for _, in := range []string{"", "2026-11-31", "2026-13-01", "30.11.2026", "11/30/2026", "2026-1-5", "tomorrow"} {
		if d, err := ParseDate(in); !errors.Is(err, ErrDate) {
			t.Errorf("ParseDate(%q) = %v, %v; want ErrDate", in, d, err)
		}
	}
}

func TestDateArithmetic(t *testing.T) {
	tests := []struct {
		from string
		n    int
		want string
	}{
		{"2026-01-31", 1, "2026-02-01"},
		{"2026-02-28", 1, "2026-03-01"},
		{"2028-02-28", 1, "2028-02-29"},
		{"2026-12-31", 1, "2027-01-01"},
		{"2026-03-28", 1, "2026-03-29"},
		{"2026-03-29", 1, "2026-03-30"},
		{"2026-01-01", -1, "2025-12-31"},
		{"2026-06-01", 365, "2027-06-01"},
	}
	for _, tt := range tests {
		from, want := date(t, tt.from), date(t, tt.want)
		if got := from.AddDays(tt.n); got != want {
			t.Errorf("%v.AddDays(%d) = %v, want %v", from, tt.n, got, want)
		}
		if got := DaysBetween(from, want); got != tt.n {
			t.Errorf("DaysBetween(%v, %v) = %d, want %d", from, want, got, tt.n)
		}
		if tt.n > 0 && (!from.Before(want) || want.Before(from) || !want.After(from)) {
			t.Errorf("Before/After wrong for %v, %v", from, want)
		}
	}
	if from := date(t, "2026-06-01"); from.Before(from) {
		t.Error("a date is before itself")
	}
	weekdays := map[string]time.Weekday{
		"2026-03-29": time.Sunday, "2026-06-01": time.Monday, "2026-11-01": time.Sunday, "2028-02-29": time.Tuesday,
	}
	for s, want := range weekdays {
		if got := date(t, s).Weekday(); got != want {
			t.Errorf("%s.Weekday() = %v, want %v", s, got, want)
		}
	}
}

func TestDateOf(t *testing.T) {
	tests := []struct {
		at   string
		zone string
		want string
	}{
		{"2026-06-01T23:30:00Z", "Europe/Zurich", "2026-06-02"},
		{"2026-06-01T23:30:00Z", "America/New_York", "2026-06-01"},
		{"2026-06-01T18:20:00Z", "Asia/Kolkata", "2026-06-01"},   // 23:50 IST
		{"2026-06-01T18:30:00Z", "Asia/Kolkata", "2026-06-02"},   // 00:00 IST
		{"2026-06-01T18:14:00Z", "Asia/Kathmandu", "2026-06-01"}, // 23:59 NPT
		{"2026-06-01T18:15:00Z", "Asia/Kathmandu", "2026-06-02"}, // 00:00 NPT
	}
	for _, tt := range tests {
		if got, want := DateOf(instant(t, tt.at), zone(t, tt.zone)), date(t, tt.want); got != want {
			t.Errorf("DateOf(%s, %s) = %v, want %v", tt.at, tt.zone, got, want)
		}
	}
	if got, want := DateOf(instant(t, "2026-06-01T23:30:00-05:00"), nil), date(t, "2026-06-02"); got != want {
		t.Errorf("DateOf with nil zone = %v, want %v (UTC)", got, want)
	}
}

func TestAt(t *testing.T) {
	tests := []struct {
		name  string
		zone  string
		date  string
		clock string
		want  string
	}{
		{"zurich winter", "Europe/Zurich", "2026-01-15", "09:00", "2026-01-15T09:00:00+01:00"},
		{"zurich summer", "Europe/Zurich", "2026-06-15", "09:00", "2026-06-15T09:00:00+02:00"},
		{"zurich spring day 09:00", "Europe/Zurich", "2026-03-29", "09:00", "2026-03-29T09:00:00+02:00"},
		{"zurich spring gap start", "Europe/Zurich", "2026-03-29", "02:00", "2026-03-29T03:00:00+02:00"},
		{"zurich spring gap", "Europe/Zurich", "2026-03-29", "02:30", "2026-03-29T03:00:00+02:00"},
		{"zurich spring before gap", "Europe/Zurich", "2026-03-29", "01:59", "2026-03-29T01:59:00+01:00"},
		{"zurich spring after gap", "Europe/Zurich", "2026-03-29", "03:00", "2026-03-29T03:00:00+02:00"},
		{"zurich autumn day 09:00", "Europe/Zurich", "2026-10-25", "09:00", "2026-10-25T09:00:00+01:00"},
		{"zurich autumn repeated", "Europe/Zurich", "2026-10-25", "02:30", "2026-10-25T02:30:00+02:00"},
		{"zurich autumn after", "Europe/Zurich", "2026-10-25", "03:00", "2026-10-25T03:00:00+01:00"},
		{"ny spring day 09:00", "America/New_York", "2026-03-08", "09:00", "2026-03-08T09:00:00-04:00"},
		{"ny spring gap", "America/New_York", "2026-03-08", "02:30", "2026-03-08T03:00:00-04:00"},
		{"ny autumn day 09:00", "America/New_York", "2026-11-01", "09:00", "2026-11-01T09:00:00-05:00"},
		{"ny autumn repeated", "America/New_York", "2026-11-01", "01:30", "2026-11-01T01:30:00-04:00"},
		{"ny autumn before", "America/New_York", "2026-11-01", "00:59", "2026-11-01T00:59:00-04:00"},
		{"kolkata", "Asia/Kolkata", "2026-03-29", "09:00", "2026-03-29T09:00:00+05:30"},
		{"kathmandu", "Asia/Kathmandu", "2026-10-25", "09:00", "2026-10-25T09:00:00+05:45"},
		{"adelaide autumn repeated", "Australia/Adelaide", "2026-04-05", "02:30", "2026-04-05T02:30:00+10:30"},
		{"adelaide spring gap", "Australia/Adelaide", "2026-10-04", "02:15", "2026-10-04T03:00:00+10:30"},
		{"samoa skipped day", "Pacific/Apia", "2011-12-30", "09:00", "2011-12-31T00:00:00+14:00"},
		{"midnight", "Europe/Zurich", "2026-06-15", "00:00", "2026-06-15T00:00:00+02:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			loc := zone(t, tt.zone)
			got := At(date(t, tt.date), clock(t, tt.clock), loc)
			checkInstant(t, got, instant(t, tt.want), loc)
			if got.Location() != loc {
				t.Errorf("location = %v, want %v", got.Location(), loc)
			}
		})
	}
	t.Run("nil zone is UTC", func(t *testing.T) {
		checkInstant(t, At(date(t, "2026-06-15"), Clock{9, 0}, nil), instant(t, "2026-06-15T09:00:00Z"), nil)
	})
}

// TestAtWholeYear checks every day of 2026 at several clocks in switch-heavy
// zones: the result is on the right date, shows the wanted clock unless that
// clock was skipped, and is the earliest instant showing it.
func TestAtWholeYear(t *testing.T) {
	for _, name := range []string{"Europe/Zurich", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu", "America/Santiago"} {
		loc := zone(t, name)
		for d := date(t, "2026-01-01"); d.Before(date(t, "2027-01-01")); d = d.AddDays(1) {
			for _, c := range []Clock{{0, 0}, {0, 30}, {1, 30}, {2, 0}, {2, 30}, {3, 0}, {9, 0}, {23, 59}} {
				got := At(d, c, loc).In(loc)
				if DateOf(got, loc) != d {
					t.Fatalf("%s At(%v, %v) = %s: wrong date", name, d, c, show(got, loc))
				}
				h, m, _ := got.Clock()
				if (Clock{h, m}) == c {
					if earlier := got.Add(-time.Hour); earlier.In(loc).Hour() == h && earlier.In(loc).Minute() == m && DateOf(earlier, loc) == d {
						t.Fatalf("%s At(%v, %v) = %s is the second occurrence", name, d, c, show(got, loc))
					}
					if earlier := got.Add(-30 * time.Minute); earlier.In(loc).Hour() == h && earlier.In(loc).Minute() == m && DateOf(earlier, loc) == d {
						t.Fatalf("%s At(%v, %v) = %s is the second occurrence", name, d, c, show(got, loc))
					}
					continue
				}
				// Skipped: the result must be the first instant after the jump.
				before := got.Add(-time.Second).In(loc)
				_, offBefore := before.Zone()
				_, offAfter := got.Zone()
				if offAfter <= offBefore {
					t.Fatalf("%s At(%v, %v) = %s: clock moved but no forward jump", name, d, c, show(got, loc))
				}
			}
		}
	}
}
