package scheduler

import (
	"testing"
	"time"
)

// zone loads an IANA zone or fails the test.
func zone(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("load zone %q: %v", name, err)
	}
	return loc
}

// instant parses an RFC 3339 time with an explicit offset, so every expected
// moment in these tables is unambiguous even inside a DST switch.
func instant(t testing.TB, s string) time.Time {
	t.Helper()
	ts, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatalf("parse instant %q: %v", s, err)
	}
	return ts
}

// date parses "2026-06-01" or fails the test.
func date(t testing.TB, s string) Date {
	t.Helper()
	d, err := ParseDate(s)
	if err != nil {
		t.Fatalf("parse date %q: %v", s, err)
	}
	return d
}

// clock parses a time of day or fails the test.
func clock(t testing.TB, s string) Clock {
	t.Helper()
	c, err := ParseClock(s)
	if err != nil {
		t.Fatalf("parse clock %q: %v", s, err)
	}
	return c
}

// window parses a time window or fails the test.
func window(t testing.TB, s string) Window {
	t.Helper()
	w, err := ParseWindow(s)
	if err != nil {
		t.Fatalf("parse window %q: %v", s, err)
	}
	return w
}

// checkInstant compares instants (not locations) and prints both in loc.
func checkInstant(t testing.TB, got, want time.Time, loc *time.Location) {
	t.Helper()
	if !got.Equal(want) {
		t.Errorf("got %s, want %s", show(got, loc), show(want, loc))
	}
}

func show(ts time.Time, loc *time.Location) string {
	if ts.IsZero() {
		return "zero time"
	}
	return ts.In(zoneOrUTC(loc)).Format("2006-01-02 Mon 15:04:05 -07:00 MST")
}
