package scheduler

import (
	"testing"
	"time"
)

// The parsers read what people type. Whatever they type, a parser returns a
// value or an error, never panics, and a value it returns is in range and
// reads back the same from its own String.

func FuzzParseClock(f *testing.F) {
	for _, s := range []string{"09:00", "9", "9am", "12 pm", "7.30", "23:59", "24:00", "noon", "", "-1:00", "9:60", "0930", "٩:٠٠"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseClock(s)
		if err != nil {
			return
		}
		if c.Hour < 0 || c.Hour > 23 || c.Minute < 0 || c.Minute > 59 {
			t.Fatalf("ParseClock(%q) = %+v: out of range", s, c)
		}
		if again, err := ParseClock(c.String()); err != nil || again != c {
			t.Fatalf("ParseClock(%q) = %v, which reads back as %v, %v", s, c, again, err)
		}
	})
}

func FuzzParseZone(f *testing.F) {
	for _, s := range []string{"Europe/Zurich", "zurich", "London", "UTC", "GMT+2", "Asia/Kathmandu", "", "../etc/passwd", "Local", "America/New York", "+05:30"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		loc, err := ParseZone(s)
		if err != nil {
			return
		}
		if loc == nil {
			t.Fatalf("ParseZone(%q) = nil without an error", s)
		}
		if loc == time.Local && loc.String() == "Local" {
			t.Fatalf("ParseZone(%q) = the machine's zone", s)
		}
		again, err := ParseZone(loc.String())
		if err != nil || again.String() != loc.String() {
			t.Fatalf("ParseZone(%q) = %s, which reads back as %v, %v", s, loc, again, err)
		}
	})
}

func FuzzParseWeekdays(f *testing.F) {
	for _, s := range []string{"Sat Sun", "none", "mon,tue", "weekends", "Saturday and Sunday", "", "s", "mo-fr", "sun sun"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		w, err := ParseWeekdays(s)
		if err != nil {
			return
		}
		if w >= 1<<7 {
			t.Fatalf("ParseWeekdays(%q) = %b: days beyond the week", s, w)
		}
		if again, err := ParseWeekdays(w.String()); err != nil || again != w {
			t.Fatalf("ParseWeekdays(%q) = %v, which reads back as %v, %v", s, w, again, err)
		}
	})
}

func FuzzParseCadence(f *testing.F) {
	for _, s := range []string{"daily", "every 2 days", "weekly", "3 per session", "3 per session, every 2 days", "", "every 0 days", "every 99999999999999999999 days", "-1 per session"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseCadence(s)
		if err != nil {
			return
		}
		if c.EveryDays < 0 || c.PerSession < 0 {
			t.Fatalf("ParseCadence(%q) = %+v: negative", s, c)
		}
		again, err := ParseCadence(c.String())
		if err != nil || again.String() != c.String() {
			t.Fatalf("ParseCadence(%q) = %q, which reads back as %q, %v", s, c, again, err)
		}
	})
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2026-12-03", " 2026-02-29 ", "2026-13-01", "0000-01-01", "9999-12-31", "", "2026-1-1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDate(s)
		if err != nil {
			return
		}
		if d.Month < 1 || d.Month > 12 || d.Day < 1 || d.Day > 31 {
			t.Fatalf("ParseDate(%q) = %+v: out of range", s, d)
		}
		if again, err := ParseDate(d.String()); err != nil || again != d {
			t.Fatalf("ParseDate(%q) = %v, which reads back as %v, %v", s, d, again, err)
		}
	})
}
