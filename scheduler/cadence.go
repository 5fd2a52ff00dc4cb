package scheduler

import (
	"fmt"
	"strconv"
	"strings"
)

// cadenceWords folds the ways people separate and spell a cadence.
var cadenceWords = strings.NewReplacer(";", ",", " and ", ",", "check-ins", "checkins", "check-in", "checkin")

// Cadence says how often a client is invited to check in. Two rhythms exist
// because coaching has two: a steady one (every N days) and one tied to the
// sessions with the coach (a few check-ins between this session and the next).
type Cadence struct {
	// EveryDays is the steady rhythm: 1 daily, 2 every other day, 7 weekly.
	// 0 means 1, so the zero Cadence is daily.
	EveryDays int
	// PerSession, when above zero, spreads that many check-ins evenly over the
	// days between the last session and the next. It overrides EveryDays while a
	// next session is known; outside that span EveryDays applies.
	PerSession int
}

// Limits that keep a cadence a rhythm rather than a one-off.
const (
	maxEveryDays  = 31
	maxPerSession = 14
)

// ParseCadence reads a cadence as people say it: "daily", "every day",
// "every 2 days", "every other day", "weekly", "every 2 weeks", "3 per session",
// "twice per session", "3 check-ins per session". Both rhythms may be combined
// with a comma or "and": "3 per session, every 2 days" (the String form).
func ParseCadence(s string) (Cadence, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	t = cadenceWords.Replace(t)
	var c Cadence
	parts := 0
	for _, part := range strings.Split(t, ",") {
		words := strings.Fields(part)
		if len(words) == 0 {
			continue
		}
		parts++
		if n, ok := perSessionWords(words); ok {
			if c.PerSession != 0 {
				return Cadence{}, fmt.Errorf("%w %q: two per-session counts", ErrCadence, s)
			}
			c.PerSession = n
			continue
		}
		n, ok := everyDaysWords(words)
		if !ok {
			return Cadence{}, fmt.Errorf("%w: %q", ErrCadence, s)
		}
		if c.EveryDays != 0 {
			return Cadence{}, fmt.Errorf("%w %q: two rhythms", ErrCadence, s)
		}
		c.EveryDays = n
	}
	if parts == 0 {
		return Cadence{}, fmt.Errorf("%w: %q", ErrCadence, s)
	}
	if c.EveryDays == 0 {
		c.EveryDays = 1
	}
	return c, nil
}

// everyDaysWords reads the steady rhythm from a phrase split into words.
func everyDaysWords(w []string) (int, bool) {
	switch strings.Join(w, " ") {
	case "daily", "every day", "each day", "every single day", "once a day", "once per day":
		return 1, true
	case "every other day", "every second day", "every 2nd day", "alternate days", "on alternate days":
		return 2, true
	case "weekly", "every week", "each week", "once a week", "once per week":
		return 7, true
	}
	if len(w) != 3 || w[0] != "every" {
		return 0, false
	}
	n, ok := countWord(w[1])
	if !ok {
		return 0, false
	}
	switch w[2] {
	case "day", "days":
	case "week", "weeks":
		n *= 7
	default:
		return 0, false
	}
	if n < 1 || n > maxEveryDays {
		return 0, false
	}
	return n, true
}

// perSessionWords reads "<count> [times|check ins|checkins] per|a|each|between session(s)".
func perSessionWords(w []string) (int, bool) {
	if len(w) < 3 {
		return 0, false
	}
	last := w[len(w)-1]
	if last != "session" && last != "sessions" {
		return 0, false
	}
	switch w[len(w)-2] {
	case "per", "a", "each", "between", "every":
	default:
		return 0, false
	}
	n, ok := countWord(w[0])
	if !ok || n < 1 || n > maxPerSession {
		return 0, false
	}
	for _, filler := range w[1 : len(w)-2] {
		switch filler {
		case "times", "time", "check", "ins", "checkins", "checkin":
		default:
			return 0, false
		}
	}
	return n, true
}

// countWord reads a small count written as digits or as a word.
func countWord(s string) (int, bool) {
	words := map[string]int{
		"once": 1, "one": 1, "twice": 2, "two": 2, "thrice": 3, "three": 3, "four": 4, "five": 5,
		"six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
	}
	if n, ok := words[s]; ok {
		return n, true
	}
	if !isDigits(s) || len(s) > 3 {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}

// everyDays is EveryDays with the zero value read as daily.
func (c Cadence) everyDays() int {
	if c.EveryDays < 1 {
		return 1
	}
	return c.EveryDays
}

// String gives the form ParseCadence reads back: "daily", "every 2 days",
// "weekly", "3 per session", "3 per session, every 2 days".
func (c Cadence) String() string {
	var rhythm string
	switch n := c.everyDays(); n {
	case 1:
		rhythm = "daily"
	case 7:
		rhythm = "weekly"
	default:
		rhythm = fmt.Sprintf("every %d days", n)
	}
	if c.PerSession <= 0 {
		return rhythm
	}
	perSession := fmt.Sprintf("%d per session", c.PerSession)
	if c.everyDays() == 1 {
		return perSession
	}
	return perSession + ", " + rhythm
}

// Slower returns the next gentler cadence, used when invitations go unanswered so
// the bot backs off instead of nagging: daily, every 2 days, every 3 days, weekly,
// and weekly stays weekly (a slower rhythm the person chose is kept). A
// per-session count drops by one, down to one, since either rhythm may be the one
// in force.
func (c Cadence) Slower() Cadence {
	switch n := c.everyDays(); {
	case n < 3:
		c.EveryDays = n + 1
	case n < 7:
		c.EveryDays = 7
	default:
		c.EveryDays = n
	}
	if c.PerSession > 1 {
		c.PerSession--
	}
	return c
}
