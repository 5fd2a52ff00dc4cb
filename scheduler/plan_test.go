package scheduler

import (
	"strings"
	"testing"
	"time"
)

// planWant reads the compact form the plan tables use: "2026-06-04",
// "2026-06-04..2026-06-07", either with " 18:00" after it for a named time.
func planWant(t testing.TB, s string) Plan {
	t.Helper()
	days, clockText, hasClock := strings.Cut(s, " ")
	fromText, byText, isRange := strings.Cut(days, "..")
	p := Plan{From: date(t, fromText), By: date(t, fromText)}
	if isRange {
		p.By = date(t, byText)
	}
	if hasClock {
		p.Clock, p.HasClock = clock(t, clockText), true
	}
	return p
}

func showPlan(p Plan) string {
	s := p.From.String()
	if p.By != p.From {
		s += ".." + p.By.String()
	}
	if p.HasClock {
		s += " " + p.Clock.String()
	}
	return s
}

// Moments the plan tables read from.
const (
	wednesday     = "2026-06-03T10:00:00+02:00" // Europe/Zurich, mid-morning mid-week
	wednesdayLate = "2026-06-03T21:00:00+02:00"
	saturday      = "2026-06-06T10:00:00+02:00"
	sunday        = "2026-06-07T10:00:00+02:00"
)

func TestParsePlan(t *testing.T) {
	tests := []struct {
		zone, now, text string
		want            string // "" means not readable
	}{
		// Days named outright.
		{"Europe/Zurich", wednesday, "today", "2026-06-03"},
		{"Europe/Zurich", wednesday, "Today!", "2026-06-03"},
		{"Europe/Zurich", wednesday, "tomorrow", "2026-06-04"},
		{"Europe/Zurich", wednesday, "TOMORROW.", "2026-06-04"},
		{"Europe/Zurich", wednesday, "tmrw", "2026-06-04"},
		{"Europe/Zurich", wednesday, "the day after tomorrow", "2026-06-05"},
		{"Europe/Zurich", wednesday, "I'll try it tomorrow", "2026-06-04"},
		{"Europe/Zurich", wednesday, "tomorrow sometime", "2026-06-04"},
		// Parts of today and tomorrow.
		{"Europe/Zurich", wednesday, "tonight", "2026-06-03 20:00"},
		{"Europe/Zurich", wednesday, "this afternoon", "2026-06-03 15:00"},
		{"Europe/Zurich", wednesday, "this evening", "2026-06-03 18:00"},
		{"Europe/Zurich", wednesday, "this morning", "2026-06-03 10:00"}, // under way: now
		{"Europe/Zurich", wednesdayLate, "this morning", "2026-06-03 08:00"},
		{"Europe/Zurich", wednesday, "tomorrow morning", "2026-06-04 08:00"},
		{"Europe/Zurich", wednesday, "tomorrow evening", "2026-06-04 18:00"},
		{"Europe/Zurich", wednesday, "tomorrow after lunch", "2026-06-04 13:30"},
		{"Europe/Zurich", wednesday, "after lunch tomorrow", "2026-06-04 13:30"},
		// Weekdays: the next one on or after today; "next" is in next week.
		{"Europe/Zurich", wednesday, "Thursday", "2026-06-04"},
		{"Europe/Zurich", wednesday, "thu", "2026-06-04"},
		{"Europe/Zurich", wednesday, "on Thu", "2026-06-04"},
		{"Europe/Zurich", wednesday, "thurs", "2026-06-04"},
		{"Europe/Zurich", wednesday, "this Thursday", "2026-06-04"},
		{"Europe/Zurich", wednesday, "next Thursday", "2026-06-11"},
		{"Europe/Zurich", wednesday, "on next Thursday", "2026-06-11"},
		{"Europe/Zurich", wednesday, "Wednesday", "2026-06-03"},
		{"Europe/Zurich", wednesday, "this coming Wednesday", "2026-06-10"},
		{"Europe/Zurich", wednesday, "Monday", "2026-06-08"},
		{"Europe/Zurich", wednesday, "next Monday", "2026-06-08"},
		{"Europe/Zurich", sunday, "next Monday", "2026-06-08"},
		{"Europe/Zurich", sunday, "next Sunday", "2026-06-14"},
		{"Europe/Zurich", wednesday, "Thursday next week", "2026-06-11"},
		{"Europe/Zurich", wednesday, "next week on Thursday", "2026-06-11"},
		{"Europe/Zurich", wednesday, "Thursday after work", "2026-06-04 18:00"},
		{"Europe/Zurich", wednesday, "Friday evening", "2026-06-05 18:00"},
		{"Europe/Zurich", wednesday, "sat", "2026-06-06"},
		{"Europe/Zurich", wednesday, "every Thursday", "2026-06-04"},
		{"Europe/Zurich", wednesday, "Thursdays", "2026-06-04"},
		// Ranges.
		{"Europe/Zurich", wednesday, "this week", "2026-06-03..2026-06-07"},
		{"Europe/Zurich", wednesday, "sometime this week", "2026-06-03..2026-06-07"},
		{"Europe/Zurich", saturday, "this week", "2026-06-06..2026-06-07"},
		{"Europe/Zurich", sunday, "this week", "2026-06-07..2026-06-14"}, // the week is all but over
		{"Europe/Zurich", wednesday, "this weekend", "2026-06-06..2026-06-07"},
		{"Europe/Zurich", wednesday, "over the weekend", "2026-06-06..2026-06-07"},
		{"Europe/Zurich", saturday, "this weekend", "2026-06-06..2026-06-07"},
		{"Europe/Zurich", sunday, "this weekend", "2026-06-07"},
		{"Europe/Zurich", wednesday, "next weekend", "2026-06-13..2026-06-14"},
		{"Europe/Zurich", wednesday, "next week", "2026-06-08..2026-06-14"},
		{"Europe/Zurich", sunday, "next week", "2026-06-08..2026-06-14"},
		{"Europe/Zurich", wednesday, "end of the week", "2026-06-05..2026-06-07"},
		{"Europe/Zurich", wednesday, "Thursday or Friday", "2026-06-04..2026-06-05"},
		{"Europe/Zurich", wednesday, "Thursday or Friday after work", "2026-06-04..2026-06-05 18:00"},
		{"Europe/Zurich", wednesday, "tonight or tomorrow", "2026-06-03..2026-06-04"},
		{"Europe/Zurich", wednesday, "Thu-Sat", "2026-06-04..2026-06-06"},
		{"Europe/Zurich", wednesday, "Monday to Wednesday", "2026-06-08..2026-06-10"},
		{"Europe/Zurich", wednesday, "by Friday", "2026-06-03..2026-06-05"},
		{"Europe/Zurich", wednesday, "before Friday", "2026-06-03..2026-06-04"},
		{"Europe/Zurich", wednesday, "until next week", "2026-06-03..2026-06-14"},
		{"Europe/Zurich", wednesday, "within 3 days", "2026-06-03..2026-06-06"},
		{"Europe/Zurich", wednesday, "in a day or two", "2026-06-04..2026-06-05"},
		// Counted days.
		{"Europe/Zurich", wednesday, "in 3 days", "2026-06-06"},
		{"Europe/Zurich", wednesday, "in three days", "2026-06-06"},
		{"Europe/Zurich", wednesday, "in a couple of days", "2026-06-05"},
		{"Europe/Zurich", wednesday, "in a few days", "2026-06-06"},
		{"Europe/Zurich", wednesday, "in a week", "2026-06-10"},
		{"Europe/Zurich", wednesday, "in 2 hours", "2026-06-03 12:00"},
		{"Europe/Zurich", wednesdayLate, "in 4 hours", "2026-06-04 01:00"},
		// Dates.
		{"Europe/Zurich", wednesday, "2026-12-03", "2026-12-03"},
		{"Europe/Zurich", wednesday, "3 Dec", "2026-12-03"},
		{"Europe/Zurich", wednesday, "Dec 3", "2026-12-03"},
		{"Europe/Zurich", wednesday, "December 3rd", "2026-12-03"},
		{"Europe/Zurich", wednesday, "on the 3rd of December 2026", "2026-12-03"},
		{"Europe/Zurich", wednesday, "3.12.", "2026-12-03"},
		{"Europe/Zurich", wednesday, "am 3.12.", "2026-12-03"},
		{"Europe/Zurich", wednesday, "3.12.2026", "2026-12-03"},
		{"Europe/Zurich", wednesday, "3/12", "2026-12-03"},
		{"Europe/Zurich", wednesday, "12/25", "2026-12-25"},
		{"Europe/Zurich", wednesday, "3. Dezember", "2026-12-03"},
		{"Europe/Zurich", wednesday, "on the 15th", "2026-06-15"},
		{"Europe/Zurich", wednesday, "on the 2nd", "2026-07-02"},
		{"Europe/Zurich", wednesday, "3 June", "2026-06-03"},
		{"Europe/Zurich", wednesday, "1 June", ""},          // just passed: a slip, not next year
		{"Europe/Zurich", wednesday, "3 Jan", "2027-01-03"}, // long passed: next year
		{"Europe/Zurich", wednesday, "2026-05-01", ""},      // in the past
		{"Europe/Zurich", wednesday, "2031-01-01", ""},      // more than a year away
		{"Europe/Zurich", wednesday, "31 April", ""},        // no such day
		{"Europe/Zurich", wednesday, "Thursday 4 June", "2026-06-04"},
		{"Europe/Zurich", wednesday, "Friday 4 June", ""}, // contradicts itself
		// Times of day with no day named: a point already past means tomorrow,
		// a part of the day under way means now.
		{"Europe/Zurich", wednesday, "after lunch", "2026-06-03 13:30"},
		{"Europe/Zurich", "2026-06-03T15:00:00+02:00", "after lunch", "2026-06-04 13:30"},
		{"Europe/Zurich", wednesday, "before work", "2026-06-04 08:00"},
		{"Europe/Zurich", "2026-06-03T06:30:00+02:00", "before work", "2026-06-03 08:00"},
		{"Europe/Zurich", wednesday, "after work", "2026-06-03 18:00"},
		{"Europe/Zurich", wednesday, "in the morning", "2026-06-03 10:00"},
		{"Europe/Zurich", "2026-06-03T13:00:00+02:00", "in the morning", "2026-06-04 08:00"},
		{"Europe/Zurich", wednesday, "evening", "2026-06-03 18:00"},
		{"Europe/Zurich", "2026-06-03T19:10:00+02:00", "in the evening", "2026-06-03 19:10"},
		{"Europe/Zurich", "2026-06-03T22:30:00+02:00", "in the evening", "2026-06-04 18:00"},
		{"Europe/Zurich", wednesday, "at 7pm", "2026-06-03 19:00"},
		{"Europe/Zurich", wednesday, "7 pm", "2026-06-03 19:00"},
		{"Europe/Zurich", wednesday, "at 7 p.m.", "2026-06-03 19:00"},
		{"Europe/Zurich", wednesday, "at 19:00", "2026-06-03 19:00"},
		{"Europe/Zurich", wednesday, "19:00", "2026-06-03 19:00"},
		{"Europe/Zurich", wednesday, "at 9am", "2026-06-04 09:00"},
		{"Europe/Zurich", wednesday, "at 07:30", "2026-06-04 07:30"},
		{"Europe/Zurich", wednesday, "at 7:30", "2026-06-03 19:30"},
		{"Europe/Zurich", wednesday, "at 7.30", "2026-06-03 19:30"},
		{"Europe/Zurich", "2026-06-03T06:00:00+02:00", "at 7:30", "2026-06-03 07:30"},
		{"Europe/Zurich", wednesdayLate, "at 7:30", "2026-06-04 07:30"},
		{"Europe/Zurich", wednesday, "at 3", "2026-06-03 15:00"},
		{"Europe/Zurich", wednesday, "at noon", "2026-06-03 12:00"},
		{"Europe/Zurich", wednesday, "7 o'clock", "2026-06-03 19:00"},
		{"Europe/Zurich", wednesday, "tomorrow at 7pm", "2026-06-04 19:00"},
		{"Europe/Zurich", wednesday, "tomorrow at 7", "2026-06-04 07:00"},
		{"Europe/Zurich", wednesday, "tonight at 9", "2026-06-03 21:00"},
		{"Europe/Zurich", wednesday, "tomorrow morning at 7", "2026-06-04 07:00"},
		{"Europe/Zurich", wednesday, "at 8 in the evening", "2026-06-03 20:00"},
		{"Europe/Zurich", wednesday, "tomorrow, maybe at 7pm", "2026-06-04 19:00"},
		// A time already past with today named stays today.
		{"Europe/Zurich", wednesday, "today at 9am", "2026-06-03 09:00"},
		{"Europe/Zurich", wednesdayLate, "today after lunch", "2026-06-03 13:30"},
		{"Europe/Zurich", wednesdayLate, "tonight", "2026-06-03 21:00"},
		// Now, later, as soon as possible, every day.
		{"Europe/Zurich", wednesday, "now", "2026-06-03 10:00"},
		{"Europe/Zurich", wednesday, "right now", "2026-06-03 10:00"},
		{"Europe/Zurich", wednesday, "asap", "2026-06-03"},
		{"Europe/Zurich", wednesday, "later", "2026-06-03"},
		{"Europe/Zurich", wednesday, "later today", "2026-06-03"},
		{"Europe/Zurich", wednesday, "every day", "2026-06-03"},
		{"Europe/Zurich", wednesday, "daily", "2026-06-03"},
		{"Europe/Zurich", wednesdayLate, "every day at 7am", "2026-06-04 07:00"},
		// German.
		{"Europe/Zurich", wednesday, "heute", "2026-06-03"},
		{"Europe/Zurich", wednesday, "morgen", "2026-06-04"},
		{"Europe/Zurich", wednesday, "übermorgen", "2026-06-05"},
		{"Europe/Zurich", wednesday, "Donnerstag", "2026-06-04"},
		{"Europe/Zurich", wednesday, "am Donnerstag", "2026-06-04"},
		{"Europe/Zurich", wednesday, "nächsten Donnerstag", "2026-06-11"},
		{"Europe/Zurich", wednesday, "diese Woche", "2026-06-03..2026-06-07"},
		{"Europe/Zurich", wednesday, "nächste Woche", "2026-06-08..2026-06-14"},
		{"Europe/Zurich", wednesday, "am Wochenende", "2026-06-06..2026-06-07"},
		{"Europe/Zurich", wednesday, "heute Abend", "2026-06-03 18:00"},
		{"Europe/Zurich", wednesday, "heute morgen", "2026-06-03 10:00"},
		{"Europe/Zurich", wednesday, "morgen früh", "2026-06-04 08:00"},
		{"Europe/Zurich", wednesday, "morgen Abend", "2026-06-04 18:00"},
		{"Europe/Zurich", wednesday, "nach dem Mittagessen", "2026-06-03 13:30"},
		{"Europe/Zurich", wednesday, "morgen um 7", "2026-06-04 07:00"},
		{"Europe/Zurich", wednesday, "um 19 Uhr", "2026-06-03 19:00"},
		{"Europe/Zurich", wednesday, "um halb 8 abends", "2026-06-03 19:30"},
		{"Europe/Zurich", wednesday, "in 3 Tagen", "2026-06-06"},
		{"Europe/Zurich", wednesday, "bis Freitag", "2026-06-03..2026-06-05"},
		// Not plans: the bot asks with buttons.
		{"Europe/Zurich", wednesday, "", ""},
		{"Europe/Zurich", wednesday, "no idea", ""},
		{"Europe/Zurich", wednesday, "soon", ""},
		{"Europe/Zurich", wednesday, "not today", ""},
		{"Europe/Zurich", wednesday, "nicht heute", ""},
		{"Europe/Zurich", wednesday, "yesterday", ""},
		{"Europe/Zurich", wednesday, "already did it this morning", ""},
		{"Europe/Zurich", wednesday, "last Thursday", ""},
		{"Europe/Zurich", wednesday, "tomorrow on Friday", ""},
		{"Europe/Zurich", wednesday, "at 25:00", ""},
		{"Europe/Zurich", wednesday, "Good morning!", ""},
		{"Europe/Zurich", wednesday, "good morning, tomorrow then", "2026-06-04"},
		// The local date decides, not the UTC one: late on a Sunday in New York
		// it is Monday in UTC.
		{"America/New_York", "2026-11-01T23:50:00-05:00", "now", "2026-11-01 23:50"},
		{"America/New_York", "2026-11-01T23:50:00-05:00", "today", "2026-11-01"},
		{"America/New_York", "2026-11-01T23:50:00-05:00", "tomorrow", "2026-11-02"},
		{"America/New_York", "2026-11-01T23:50:00-05:00", "this week", "2026-11-01..2026-11-08"},
		{"America/New_York", "2026-11-01T23:50:00-05:00", "next week", "2026-11-02..2026-11-08"},
		{"America/New_York", "2026-11-01T23:50:00-05:00", "Monday", "2026-11-02"},
		{"America/New_York", "2026-11-01T23:50:00-05:00", "tonight", "2026-11-01 23:50"},
		{"America/New_York", "2026-11-01T23:50:00-05:00", "at 9", "2026-11-02 09:00"},
		// New York falls back on 2026-11-01: 01:00-02:00 happens twice. At the
		// second 01:30, 01:15 has passed for good but 01:45 is still to come.
		{"America/New_York", "2026-11-01T01:30:00-05:00", "at 01:15", "2026-11-02 01:15"},
		{"America/New_York", "2026-11-01T01:30:00-05:00", "at 01:45", "2026-11-01 01:45"},
		{"America/New_York", "2026-11-01T01:30:00-04:00", "in 1 hour", "2026-11-01 01:30"},
		{"America/New_York", "2026-10-31T22:00:00-04:00", "tomorrow morning", "2026-11-01 08:00"},
		// Zurich springs forward on 2027-03-28: 02:00-03:00 does not exist.
		{"Europe/Zurich", "2027-03-27T23:30:00+01:00", "tomorrow", "2027-03-28"},
		{"Europe/Zurich", "2027-03-28T01:30:00+01:00", "at 02:30", "2027-03-28 02:30"},
		{"Europe/Zurich", "2027-03-28T01:30:00+01:00", "in 1 hour", "2027-03-28 03:30"},
		{"Europe/Zurich", "2027-03-28T01:30:00+01:00", "this week", "2027-03-28..2027-04-04"},
		{"Europe/Zurich", "2027-03-28T01:30:00+01:00", "this weekend", "2027-03-28"},
		// Kathmandu (+05:45): Saturday morning there is still Friday in UTC.
		{"Asia/Kathmandu", "2026-06-06T03:00:00+05:45", "today", "2026-06-06"},
		{"Asia/Kathmandu", "2026-06-06T03:00:00+05:45", "this weekend", "2026-06-06..2026-06-07"},
		{"Asia/Kathmandu", "2026-06-06T03:00:00+05:45", "Friday", "2026-06-12"},
		{"Asia/Kathmandu", "2026-06-06T03:00:00+05:45", "before work", "2026-06-06 08:00"},
		// Nil zone means UTC.
		{"", "2026-06-03T23:30:00Z", "tomorrow", "2026-06-04"},
	}
	for _, tt := range tests {
		t.Run(tt.zone+" "+tt.now+" "+tt.text, func(t *testing.T) {
			loc := zoneOrUTC(nil)
			if tt.zone != "" {
				loc = zone(t, tt.zone)
			}
			got, ok := ParsePlan(tt.text, instant(t, tt.now), loc)
			if tt.want == "" {
				if ok {
					t.Errorf("ParsePlan(%q) = %s, want not readable", tt.text, showPlan(got))
				}
				return
			}
			if !ok {
				t.Fatalf("ParsePlan(%q) not readable, want %s", tt.text, tt.want)
			}
			got.DayNamed = false // TestPlanNamesADay covers it
			if want := planWant(t, tt.want); got != want {
				t.Errorf("ParsePlan(%q) = %s, want %s", tt.text, showPlan(got), showPlan(want))
			}
		})
	}
}

func TestFindPlan(t *testing.T) {
	tests := []struct {
		text string
		want string // "" means no plan found
		rest string
	}{
		{"call mum on Thursday after work", "2026-06-04 18:00", "call mum"},
		{"Call mum on Thu", "2026-06-04", "Call mum"},
		{"call mum, tomorrow, and write it down", "2026-06-04", "call mum and write it down"},
		{"Tomorrow: go for a run.", "2026-06-04", "go for a run."},
		{"Tomorrow I'll go for a run at 7am", "2026-06-04 07:00", "I'll go for a run"},
		{"finish the draft by Friday.", "2026-06-03..2026-06-05", "finish the draft."},
		{"talk to my boss sometime next week", "2026-06-08..2026-06-14", "talk to my boss"},
		{"say no to one meeting this week", "2026-06-03..2026-06-07", "say no to one meeting"},
		{"go to bed at 10pm", "2026-06-03 22:00", "go to bed"},
		{"take a walk tomorrow at the lake in the evening", "2026-06-04 18:00", "take a walk at the lake"},
		{"ich rufe morgen Mama an", "2026-06-04", "ich rufe Mama an"},
		{"Guten Morgen, ich rufe morgen Mama an", "2026-06-04", "Guten Morgen, ich rufe Mama an"},
		{"ask for feedback on 3.12.", "2026-12-03", "ask for feedback."},
		{"Tomorrow I'll meditate in the morning", "2026-06-04 08:00", "I'll meditate"},
		{"plan the offsite Thu–Fri", "2026-06-04..2026-06-05", "plan the offsite"},
		{"send it by", "", "send it by"},
		// Words that also describe the experiment stay in it.
		{"meditate in the morning", "", "meditate in the morning"},
		{"write down how I feel now", "", "write down how I feel now"},
		{"walk 10 minutes every day", "", "walk 10 minutes every day"},
		{"sat on the balcony for ten minutes", "", "sat on the balcony for ten minutes"},
		{"read the 3rd chapter", "", "read the 3rd chapter"},
		{"be available 24/7 less", "", "be available 24/7 less"},
		{"think about 3 things I did well", "", "think about 3 things I did well"},
		{"not today: rest", "", "not today: rest"},
		{"I am going to call mum", "", "I am going to call mum"},
		{"", "", ""},
	}
	loc := zone(t, "Europe/Zurich")
	now := instant(t, wednesday)
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			got, rest, ok := FindPlan(tt.text, now, loc)
			if rest != tt.rest {
				t.Errorf("FindPlan(%q) rest = %q, want %q", tt.text, rest, tt.rest)
			}
			if tt.want == "" {
				if ok {
					t.Errorf("FindPlan(%q) = %s, want none", tt.text, showPlan(got))
				}
				return
			}
			if !ok {
				t.Fatalf("FindPlan(%q) found none, want %s", tt.text, tt.want)
			}
			got.DayNamed = false // TestPlanNamesADay covers it
			if want := planWant(t, tt.want); got != want {
				t.Errorf("FindPlan(%q) = %s, want %s", tt.text, showPlan(got), showPlan(want))
			}
		})
	}
}

// TestParsePlanNeverPast reads every phrase of a mixed list at every hour of a
// week across the spring switch: a plan never starts before today, never ends
// before it starts, and never lies more than a year ahead.
func TestParsePlanNeverPast(t *testing.T) {
	texts := []string{"today", "tonight", "tomorrow morning", "after lunch", "before work", "at 7", "at 7:30pm",
		"in the evening", "this week", "this weekend", "next week", "next Monday", "Sunday", "by Friday",
		"in 2 hours", "now", "every day at 7am", "3 Jan", "the 31st", "on the 31st", "heute Abend"}
	for _, name := range []string{"Europe/Zurich", "America/New_York", "Asia/Kathmandu"} {
		loc := zone(t, name)
		start := At(date(t, "2027-03-24"), Clock{}, loc)
		for now := start; now.Before(start.AddDate(0, 0, 8)); now = now.Add(time.Hour) {
			today := DateOf(now, loc)
			for _, text := range texts {
				p, ok := ParsePlan(text, now, loc)
				if !ok {
					continue
				}
				if p.From.Before(today) || p.By.Before(p.From) || DaysBetween(today, p.By) > maxPlanDays {
					t.Fatalf("%s at %s: %q = %s", name, show(now, loc), text, showPlan(p))
				}
			}
		}
	}
}

// FuzzFindPlan feeds arbitrary text to both readers: they never panic, a plan
// they give never lies in the past, and FindPlan leaves text alone when it finds
// nothing.
func FuzzFindPlan(f *testing.F) {
	for _, s := range []string{"call mum on Thursday after work", "by", "at", "in a", "the 3rd", "3.12.", "12/25",
		"um halb", "Thu–", "– –", "tomorrow or", "next", "in 2", "übermorgen um 7 Uhr", "7 p.m.", "'", "on the",
		"in the next", "within", "by the", "Dec", "3 of", "halb 8", "@7pm", "2026-02-30"} {
		f.Add(s)
	}
	loc, err := time.LoadLocation("Europe/Zurich")
	if err != nil {
		f.Fatal(err)
	}
	now := time.Date(2026, 6, 3, 10, 0, 0, 0, loc)
	today := DateOf(now, loc)
	f.Fuzz(func(t *testing.T, text string) {
		if p, ok := ParsePlan(text, now, loc); ok && (p.From.Before(today) || p.By.Before(p.From)) {
			t.Errorf("ParsePlan(%q) = %s", text, showPlan(p))
		}
		p, rest, ok := FindPlan(text, now, loc)
		if !ok && rest != text {
			t.Errorf("FindPlan(%q) found nothing but changed the text to %q", text, rest)
		}
		if ok && (p.From.Before(today) || p.By.Before(p.From)) {
			t.Errorf("FindPlan(%q) = %s", text, showPlan(p))
		}
	})
}

func TestPlanNamesADay(t *testing.T) {
	loc := zone(t, "Europe/Zurich")
	now := instant(t, "2026-11-22T09:30:00+01:00")
	for text, want := range map[string]bool{
		"call mum tonight": true, "walk after lunch": false, "write tomorrow morning": true,
		"email on thursday": true, "call today": true, "meditate at 7pm": false, "this week": true,
	} {
		p, _, ok := FindPlan(text, now, loc)
		if !ok || p.DayNamed != want {
			t.Errorf("FindPlan(%q).DayNamed = %v (found %v), want %v", text, p.DayNamed, ok, want)
		}
	}
}
