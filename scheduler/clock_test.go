package scheduler

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestParseClock(t *testing.T) {
	tests := []struct {
		in   string
		want Clock
	}{
		{"09:00", Clock{9, 0}},
		{"9:00", Clock{9, 0}},
		{"9", Clock{9, 0}},
		{"21:30", Clock{21, 30}},
		{" 7:05 ", Clock{7, 5}},
		{"00:00", Clock{0, 0}},
		{"23:59", Clock{23, 59}},
		{"2130", Clock{21, 30}},
		{"930", Clock{9, 30}},
		{"9.30", Clock{9, 30}},
		{"9h30", Clock{9, 30}},
		{"21h", Clock{21, 0}},
		{"9am", Clock{9, 0}},
		{"9 AM", Clock{9, 0}},
		{"7:30pm", Clock{19, 30}},
		{"7:30 p.m.", Clock{19, 30}},
		{"12am", Clock{0, 0}},
		{"12:15am", Clock{0, 15}},
		{"12pm", Clock{12, 0}},
		{"1130pm", Clock{23, 30}},
		{"noon", Clock{12, 0}},
		{"Midnight", Clock{0, 0}},
	}
	for _, tt := range tests {
		got, err := ParseClock(tt.in)
		if err != nil {
			t.Errorf("ParseClock(%q): %v", tt.in, err)
			continue
		}
		if got != tt.want {
			t.Errorf("ParseClock(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestParseClockBad(t *testing.T) {
	for _, in := range []string{
		"", "abc", "25:00", "24:00", "9:60", "9:5", "13pm", "0am", "-1", "+9", "9:00:00",
		"12345", "9 o'clock", "9:0x", "am", ":30",
	} {
		got, err := ParseClock(in)
		if err == nil {
			t.Errorf("ParseClock(%q) = %v, want error", in, got)
			continue
		}
		if !errors.Is(err, ErrClock) {
			t.Errorf("ParseClock(%q) error %v, want ErrClock", in, err)
		}
		if !strings.Contains(err.Error(), in) {
			t.Errorf("ParseClock(%q) error %q does not name the input", in, err)
		}
	}
}

func TestClockString(t *testing.T) {
	tests := []struct {
		c    Clock
		want string
	}{
		{Clock{9, 0}, "09:00"},
		{Clock{21, 30}, "21:30"},
		{Clock{0, 5}, "00:05"},
	}
	for _, tt := range tests {
		if got := tt.c.String(); got != tt.want {
			t.Errorf("%#v.String() = %q, want %q", tt.c, got, tt.want)
		}
		if back := clock(t, tt.want); back != tt.c {
			t.Errorf("ParseClock(%q) = %v, want %v", tt.want, back, tt.c)
		}
	}
}

func TestParseWindow(t *testing.T) {
	tests := []struct {
		in   string
		want Window
	}{
		{"21:00-08:00", Window{Clock{21, 0}, Clock{8, 0}}},
		{"21:00 - 08:00", Window{Clock{21, 0}, Clock{8, 0}}},
		{"9pm-8am", Window{Clock{21, 0}, Clock{8, 0}}},
		{"22:30 to 6:45", Window{Clock{22, 30}, Clock{6, 45}}},
		{"12:00–14:00", Window{Clock{12, 0}, Clock{14, 0}}},
		{"", Window{}},
		{"none", Window{}},
		{"off", Window{}},
		{"-", Window{}},
	}
	for _, tt := range tests {
		got, err := ParseWindow(tt.in)
		if err != nil {
			t.Errorf("ParseWindow(%q): %v", tt.in, err)
			continue
		}
		if got != tt.want {
			t.Errorf("ParseWindow(%q) = %v, want %v", tt.in, got, tt.want)
		}
		if back := window(t, got.String()); back != got {
			t.Errorf("ParseWindow(%q) round trip via %q = %v", tt.in, got.String(), back)
		}
	}
	for _, in := range []string{"21:00", "21:00-", "-08:00", "25:00-08:00", "21:00-8:61", "08:00-08:00", "abc-def"} {
		got, err := ParseWindow(in)
		if !errors.Is(err, ErrWindow) {
			t.Errorf("ParseWindow(%q) = %v, %v; want ErrWindow", in, got, err)
		}
	}
}

func TestWindowString(t *testing.T) {
	if got, want := (Window{}).String(), "none"; got != want {
		t.Errorf("zero Window.String() = %q, want %q", got, want)
	}
	if got, want := window(t, "9pm-8am").String(), "21:00-08:00"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if !(Window{}).IsZero() || window(t, "21:00-08:00").IsZero() {
		t.Error("IsZero wrong")
	}
}

func TestWindowContains(t *testing.T) {
	zurich := zone(t, "Europe/Zurich")
	kathmandu := zone(t, "Asia/Kathmandu")
	tests := []struct {
		name   string
		window string
		at     string
		loc    *time.Location
		want   bool
	}{
		{"wrap late evening", "21:00-08:00", "2026-06-01T22:00:00+02:00", zurich, true},
		{"wrap at start", "21:00-08:00", "2026-06-01T21:00:00+02:00", zurich, true},
		{"wrap just before start", "21:00-08:00", "2026-06-01T20:59:59+02:00", zurich, false},
		{"wrap after midnight", "21:00-08:00", "2026-06-02T03:00:00+02:00", zurich, true},
		{"wrap last second", "21:00-08:00", "2026-06-02T07:59:59+02:00", zurich, true},
		{"wrap at end", "21:00-08:00", "2026-06-02T08:00:00+02:00", zurich, false},
		{"wrap midday", "21:00-08:00", "2026-06-02T12:00:00+02:00", zurich, false},
		{"plain inside", "12:00-14:00", "2026-06-02T13:00:00+02:00", zurich, true},
		{"plain outside", "12:00-14:00", "2026-06-02T14:00:00+02:00", zurich, false},
		{"zero never", "", "2026-06-02T03:00:00+02:00", zurich, false},
		{"read in the zone", "21:00-08:00", "2026-06-01T20:30:00Z", zurich, true}, // 22:30 CEST
		{"same instant in UTC", "21:00-08:00", "2026-06-01T20:30:00Z", nil, false},
		{"half-hour zone inside", "21:00-08:00", "2026-06-01T02:10:00Z", kathmandu, true},   // 07:55 +05:45
		{"half-hour zone outside", "21:00-08:00", "2026-06-01T02:20:00Z", kathmandu, false}, // 08:05 +05:45
		{"nil zone is UTC", "21:00-08:00", "2026-06-01T22:00:00+02:00", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := window(t, tt.window).Contains(instant(t, tt.at), tt.loc)
			if got != tt.want {
				t.Errorf("%s contains %s: got %v, want %v", tt.window, show(instant(t, tt.at), tt.loc), got, tt.want)
			}
		})
	}
}

func TestParseWeekdays(t *testing.T) {
	sat, sun := time.Saturday, time.Sunday
	tests := []struct {
		in   string
		want Weekdays
	}{
		{"Sat Sun", WeekdaysOf(sat, sun)},
		{"sat,sun", WeekdaysOf(sat, sun)},
		{"Sa So", WeekdaysOf(sat, sun)},
		{"Samstag und Sonntag", WeekdaysOf(sat, sun)},
		{"sonntags", WeekdaysOf(sun)},
		{"Wochenende", Weekend},
		{"Mo-Fr", Workweek},
		{"keine", 0},
		{"Mi", WeekdaysOf(time.Wednesday)},
		{"Saturday and Sunday", WeekdaysOf(sat, sun)},
		{"saturdays & sundays", WeekdaysOf(sat, sun)},
		{"weekend", Weekend},
		{"Weekends", Weekend},
		{"weekdays", Workweek},
		{"mon-fri", Workweek},
		{"fri - mon", WeekdaysOf(time.Friday, sat, sun, time.Monday)},
		{"Tues, Thurs", WeekdaysOf(time.Tuesday, time.Thursday)},
		{"weds", WeekdaysOf(time.Wednesday)},
		{"su", WeekdaysOf(sun)},
		{"Sun Sun", WeekdaysOf(sun)},
		{"none", 0},
		{"-", 0},
		{"", 0},
	}
	for _, tt := range tests {
		got, err := ParseWeekdays(tt.in)
		if err != nil {
			t.Errorf("ParseWeekdays(%q): %v", tt.in, err)
			continue
		}
		if got != tt.want {
			t.Errorf("ParseWeekdays(%q) = %v, want %v", tt.in, got, tt.want)
		}
		if back, err := ParseWeekdays(got.String()); err != nil || back != got {
			t.Errorf("ParseWeekdays(%q) round trip via %q = %v, %v", tt.in, got.String(), back, err)
		}
	}
}

func TestParseWeekdaysBad(t *testing.T) {
	tests := []struct{ in, word string }{
		{"Funday", "funday"},
		{"Sat Funday", "funday"},
		{"s", "s"},
		{"t", "t"},
		{"mon-funday", "mon-funday"},
	}
	for _, tt := range tests {
		got, err := ParseWeekdays(tt.in)
		if !errors.Is(err, ErrWeekday) {
			t.Errorf("ParseWeekdays(%q) = %v, %v; want ErrWeekday", tt.in, got, err)
			continue
		}
		if !strings.Contains(err.Error(), `"`+tt.word+`"`) {
			t.Errorf("ParseWeekdays(%q) error %q does not name %q", tt.in, err, tt.word)
		}
	}
}

func TestWeekdaysString(t *testing.T) {
	tests := []struct {
		w    Weekdays
		want string
	}{
		{0, "none"},
		{Weekend, "Sat Sun"},
		{Workweek, "Mon Tue Wed Thu Fri"},
		{WeekdaysOf(time.Sunday, time.Wednesday), "Wed Sun"},
	}
	for _, tt := range tests {
		if got := tt.w.String(); got != tt.want {
			t.Errorf("%08b.String() = %q, want %q", uint8(tt.w), got, tt.want)
		}
	}
	if !Weekend.Has(time.Saturday) || Weekend.Has(time.Monday) {
		t.Error("Weekend.Has wrong")
	}
}

func TestPartOfDay(t *testing.T) {
	tests := []struct {
		zone, at, want string
	}{
		{"Europe/Zurich", "2026-06-01T00:00:00+02:00", "morning"},
		{"Europe/Zurich", "2026-06-01T11:59:00+02:00", "morning"},
		{"Europe/Zurich", "2026-06-01T12:00:00+02:00", "afternoon"},
		{"Europe/Zurich", "2026-06-01T17:59:00+02:00", "afternoon"},
		{"Europe/Zurich", "2026-06-01T18:00:00+02:00", "evening"},
		{"Europe/Zurich", "2026-06-01T23:59:00+02:00", "evening"},
		// The client's wall clock decides, not UTC's.
		{"Asia/Kathmandu", "2026-06-01T06:15:00Z", "afternoon"},
		{"Asia/Kathmandu", "2026-06-01T06:14:00Z", "morning"},
		{"America/New_York", "2026-06-01T12:00:00Z", "morning"},
		{"America/New_York", "2026-11-01T06:30:00Z", "morning"}, // the second 01:30
		{"", "2026-06-01T18:00:00Z", "evening"},
	}
	for _, tt := range tests {
		t.Run(tt.zone+" "+tt.at, func(t *testing.T) {
			var loc *time.Location
			if tt.zone != "" {
				loc = zone(t, tt.zone)
			}
			if got := PartOfDay(instant(t, tt.at), loc); got != tt.want {
				t.Errorf("PartOfDay(%s) = %q, want %q", tt.at, got, tt.want)
			}
		})
	}
}
