package scheduler

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// clockWords folds the ways people write a time of day.
var clockWords = strings.NewReplacer("a.m.", "am", "p.m.", "pm", " ", "", ".", ":", "h", ":")

// windowWords folds the ways people write a range of times.
var windowWords = strings.NewReplacer("–", "-", "—", "-", " to ", "-", " until ", "-")

// dayListWords folds the ways people separate a list of days.
var dayListWords = strings.NewReplacer(",", " ", ";", " ", "/", " ", "+", " ", "&", " ", ".", " ", "–", "-", " - ", "-")

// Clock is a local wall-clock time of day, such as a check-in at 09:00. It carries
// no date and no zone on purpose: "09:00" means nine in the morning wherever the
// person is that day, before and after a daylight-saving switch.
type Clock struct{ Hour, Minute int }

// ParseClock reads a time of day the way people type it: "09:00", "9:00", "9",
// "21:30", "2130", "9.30", "9h30", "9am", "7:30pm", "7:30 p.m.", "noon", "midnight".
// Anything that is not a real time of day ("25:00", "13pm", "abc") is an ErrClock.
func ParseClock(s string) (Clock, error) {
	c, ok := parseClock(s)
	if !ok {
		return Clock{}, fmt.Errorf("%w: %q", ErrClock, s)
	}
	return c, nil
}

func parseClock(s string) (Clock, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	switch s {
	case "noon", "midday":
		return Clock{Hour: 12}, true
	case "midnight":
		return Clock{}, true
	}
	s = clockWords.Replace(s)
	meridiem := ""
	if strings.HasSuffix(s, "am") || strings.HasSuffix(s, "pm") {
		meridiem, s = s[len(s)-2:], s[:len(s)-2]
	}
	s = strings.TrimSuffix(s, ":")
	hourText, minuteText, hasColon := strings.Cut(s, ":")
	if !hasColon && len(s) >= 3 && len(s) <= 4 {
		// "930" and "2130": military style without a separator.
		hourText, minuteText = s[:len(s)-2], s[len(s)-2:]
		hasColon = true
	}
	if hasColon && len(minuteText) != 2 {
		return Clock{}, false
	}
	if minuteText == "" {
		minuteText = "00"
	}
	hour, ok := smallNumber(hourText, 2)
	if !ok {
		return Clock{}, false
	}
	minute, ok := smallNumber(minuteText, 2)
	if !ok || minute > 59 {
		return Clock{}, false
	}
	switch meridiem {
	case "":
		if hour > 23 {
			return Clock{}, false
		}
	default:
		if hour < 1 || hour > 12 {
			return Clock{}, false
		}
		hour %= 12
		if meridiem == "pm" {
			hour += 12
		}
	}
	return Clock{Hour: hour, Minute: minute}, true
}

// smallNumber parses 1 to maxDigits ASCII digits, refusing signs and spaces that
// strconv.Atoi would accept.
func smallNumber(s string, maxDigits int) (int, bool) {
	if s == "" || len(s) > maxDigits {
		return 0, false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return 0, false
		}
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}

// String gives the 24-hour form "09:00", which ParseClock reads back.
func (c Clock) String() string { return fmt.Sprintf("%02d:%02d", c.Hour, c.Minute) }

// seconds is the number of seconds from midnight to c on a day without a switch.
func (c Clock) seconds() int { return c.Hour*3600 + c.Minute*60 }

// Window is a daily local window, such as quiet hours. It may wrap midnight:
// "21:00-08:00" covers the late evening of one day and the early morning of the next.
// Start is inside the window, End is not. A window whose Start equals End covers
// nothing; the zero Window is that "no window" value.
type Window struct{ Start, End Clock }

// ParseWindow reads "21:00-08:00" (also "9pm-8am", "21:00 to 08:00"). An empty
// string, "none", "off" or "-" gives the zero Window, meaning no quiet hours.
// A window that starts where it ends is refused, since it is ambiguous between
// "never" and "always".
func ParseWindow(s string) (Window, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	switch t {
	case "", "none", "off", "no", "-":
		return Window{}, nil
	}
	t = windowWords.Replace(t)
	startText, endText, ok := strings.Cut(t, "-")
	if !ok {
		return Window{}, fmt.Errorf("%w %q: want start-end such as 21:00-08:00", ErrWindow, s)
	}
	start, err := ParseClock(startText)
	if err != nil {
		return Window{}, fmt.Errorf("%w %q: start: %w", ErrWindow, s, err)
	}
	end, err := ParseClock(endText)
	if err != nil {
		return Window{}, fmt.Errorf("%w %q: end: %w", ErrWindow, s, err)
	}
	if start == end {
		return Window{}, fmt.Errorf("%w %q: starts where it ends", ErrWindow, s)
	}
	return Window{Start: start, End: end}, nil
}

// IsZero reports whether the window covers no time at all (no quiet hours).
func (w Window) IsZero() bool { return w.Start == w.End }

// Contains reports whether t, read on the wall clock of loc, falls inside the
// window. A nil loc means UTC. Reading the wall clock (not elapsed time) keeps
// "quiet until 08:00" meaning 08:00 on the clock on the day of a DST switch.
func (w Window) Contains(t time.Time, loc *time.Location) bool {
	local := t.In(zoneOrUTC(loc))
	h, m, s := local.Clock()
	return w.containsSecond(h*3600 + m*60 + s)
}

// containsClock reports whether a wall-clock time of day lies inside the window.
func (w Window) containsClock(c Clock) bool { return w.containsSecond(c.seconds()) }

func (w Window) containsSecond(sec int) bool {
	start, end := w.Start.seconds(), w.End.seconds()
	switch {
	case start == end:
		return false
	case start < end:
		return start <= sec && sec < end
	default: // wraps midnight
		return sec >= start || sec < end
	}
}

// String gives "21:00-08:00", or "none" for the zero Window; ParseWindow reads both.
func (w Window) String() string {
	if w.IsZero() {
		return "none"
	}
	return w.Start.String() + "-" + w.End.String()
}

// Weekdays is a set of weekdays, one bit per time.Weekday, small enough to store
// as one integer column.
type Weekdays uint8

// WeekdaysOf builds a set from the given days.
func WeekdaysOf(days ...time.Weekday) Weekdays {
	var w Weekdays
	for _, d := range days {
		w |= 1 << uint(d)
	}
	return w
}

// Weekend and Workweek are the sets people most often mean by a single word.
const (
	Weekend  = Weekdays(1<<time.Saturday | 1<<time.Sunday)
	Workweek = Weekdays(1<<time.Monday | 1<<time.Tuesday | 1<<time.Wednesday | 1<<time.Thursday | 1<<time.Friday)
)

var weekdayNames = [7]string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"}

// ParseWeekdays reads a set of days as people write it: "Sat Sun", "sat,sun",
// "Saturday and Sunday", "sundays", "weekend", "weekends", "weekdays", "mon-fri".
// "none", "-" and "" give the empty set. An unknown word is an ErrWeekday that
// names the word, so the person can be told which part was not understood.
func ParseWeekdays(s string) (Weekdays, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	switch t {
	case "", "none", "no", "nothing", "-", "keine", "kein", "nichts":
		return 0, nil
	}
	t = dayListWords.Replace(t)
	var set Weekdays
	for _, word := range strings.Fields(t) {
		if word == "and" || word == "und" || word == "-" {
			continue
		}
		if from, to, ok := strings.Cut(word, "-"); ok {
			a, okA := weekdayWord(from)
			b, okB := weekdayWord(to)
			if !okA || !okB {
				return 0, fmt.Errorf("%w: %q", ErrWeekday, word)
			}
			for d := a; ; d = (d + 1) % 7 {
				set |= 1 << uint(d)
				if d == b {
					break
				}
			}
			continue
		}
		switch strings.TrimSuffix(word, "s") {
		case "weekend", "wochenende":
			set |= Weekend
			continue
		case "weekday", "workday", "werktage", "wochentage":
			set |= Workweek
			continue
		}
		d, ok := weekdayWord(word)
		if !ok {
			return 0, fmt.Errorf("%w: %q", ErrWeekday, word)
		}
		set |= 1 << uint(d)
	}
	return set, nil
}

// weekdayWord accepts a day name, its plural, or any prefix of at least two
// letters that names one day ("tu", "thurs", "sat"), plus the common "weds".
func weekdayWord(word string) (time.Weekday, bool) {
	if word == "weds" {
		return time.Wednesday, true
	}
	for _, w := range []string{word, strings.TrimSuffix(word, "s")} {
		if len(w) < 2 {
			continue
		}
		for _, names := range [][7]string{weekdayNames, weekdayNamesDE} {
			for d, name := range names {
				if strings.HasPrefix(name, w) {
					return time.Weekday(d), true
				}
			}
		}
	}
	return 0, false
}

// weekdayNamesDE are the days in German, Sunday first like time.Weekday, so
// rest days can be written "Sa So" too.
var weekdayNamesDE = [7]string{"sonntag", "montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag"}

// Has reports whether day d is in the set.
func (w Weekdays) Has(d time.Weekday) bool { return w&(1<<uint(d)) != 0 }

// String lists the days Monday first, as people read a week: "Sat Sun", or "none".
func (w Weekdays) String() string {
	var names []string
	for i := 1; i <= 7; i++ {
		d := time.Weekday(i % 7)
		if w.Has(d) {
			names = append(names, d.String()[:3])
		}
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, " ")
}

// PartOfDay names the part of the day t falls in on the wall clock of loc (nil
// means UTC): "morning" before 12:00, "afternoon" from 12:00 to 17:59, "evening"
// from 18:00. Nudges use it to speak the way people do ("this evening") instead
// of reading out a time.
func PartOfDay(t time.Time, loc *time.Location) string {
	switch h := t.In(zoneOrUTC(loc)).Hour(); {
	case h < 12:
		return "morning"
	case h < 18:
		return "afternoon"
	default:
		return "evening"
	}
}
