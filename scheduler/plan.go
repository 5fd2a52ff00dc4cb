package scheduler

import (
	"strings"
	"time"
	"unicode/utf8"
)

// Plan is when a client means to try an experiment, in their local dates. The
// check-in about the experiment follows it (Prefs.FirstCheckIn), so the bot asks
// how it went after the attempt, not before it.
type Plan struct {
	// From and By are the first and last day it may happen: equal for one day
	// ("tomorrow"), a range for "this week" or "Thursday or Friday".
	From, By Date
	// Clock is a time of day they named ("after lunch", "at 7pm", "tonight");
	// zero when none, which HasClock tells apart from a named midnight.
	Clock    Clock
	HasClock bool
	// DayNamed reports that the words named a day ("tomorrow", "on
	// Thursday", "this week"), not only a time of day ("after lunch").
	DayNamed bool
}

// maxPlanDays bounds how far ahead a plan may lie. An experiment is tried between
// two sessions; a date more than a year away is far more likely a typing slip
// than a plan, and the bot then asks with buttons instead.
const maxPlanDays = 366

// ParsePlan reads a client's answer to "when will you try it?" relative to now in
// loc (nil means UTC). ok is false when it cannot be read, and then the bot asks
// with buttons: an answer that names no day or time, points to the past
// ("yesterday", "last Thursday"), is negated ("not today") or contradicts itself
// ("tomorrow on Friday" said on a Monday) is not guessed at.
//
// It understands English and German day words (today, tonight, tomorrow, the day
// after tomorrow, weekdays and their abbreviations, this/next week, the weekend,
// "in 3 days", "within a week", "by Friday"), dates ("2026-12-03", "3 Dec",
// "Dec 3rd", "3.12.", "3/12" as day/month) and times of day ("at 7pm", "19:00",
// "um 7 Uhr", "after lunch", "before work", "in the evening"). The rules for the
// ambiguous ones, all read on the client's local calendar, with weeks running
// Monday to Sunday:
//   - "Thursday", "on Thursday", "this Thursday": the next Thursday on or after
//     today (today when today is a Thursday); "this coming Thursday" skips today.
//   - "next Thursday": the Thursday of next week, like "next week" is the
//     Monday-to-Sunday after this one; so on a Monday it is ten days away, and on
//     a Sunday "next Monday" is tomorrow.
//   - "this week": today through Sunday; said on a Sunday, when the week is all
//     but over, today through next Sunday.
//   - "this weekend": Saturday and Sunday of this week, from today when it is
//     already the weekend; "next weekend" is the one of next week.
//   - "by Friday", "until Friday": today through Friday; "before Friday": today
//     through Thursday. "within 3 days": today through three days on.
//   - A date without a year is the next such date; one that passed less than a
//     month ago is refused as a likely slip rather than read as next year.
//   - "3/12" is the 3rd of December, unless only the other order is a date
//     ("12/25"). "3.12." is a date; "7.30" and "at 3.12" are times of day.
//   - A bare hour from 1 to 6 ("at 3") is in the afternoon; 7 to 11 follows a
//     word that says which ("tonight at 9", "tomorrow morning at 7"), else it is
//     the first reading that is still ahead today ("at 8" said at 10:00 is
//     20:00), else the morning. "07:30" and "19:00" are taken as written.
//   - Points in time are "after lunch" 13:30, "before work" 08:00, "after work"
//     18:00, "tonight" 20:00; parts of the day are "morning" 08:00, "lunch"
//     12:00, "afternoon" 15:00, "evening" 18:00, "night" 20:00.
//   - With a day named, the day holds even when the time has passed ("today at
//     9am" said at 11:00 stays today: they may still do it). With no day named,
//     a point in time already past means tomorrow ("after lunch" said at 15:00),
//     while a part of the day still under way means now ("in the evening" said
//     at 19:10 is today at 19:10); one already over means tomorrow.
//   - "now", "right now": today at the present minute. "later", "asap": today.
//   - "every day", "daily", "every Thursday": the first time it happens.
func ParsePlan(text string, now time.Time, loc *time.Location) (Plan, bool) {
	r := newReader(text, now, loc)
	groups := r.groups()
	if len(groups) == 0 {
		return Plan{}, false
	}
	var parts []part
	for _, g := range groups {
		if g.poisoned || g.negated {
			return Plan{}, false
		}
		parts = append(parts, g.parts...)
	}
	return r.resolve(parts)
}

// FindPlan finds a when-phrase inside a longer text ("call mum on Thursday after
// work"), returning the plan and the text with the phrase removed ("call mum"),
// so the bot can record the experiment and its plan from one message. ok is false
// when none is found, and then rest is text unchanged.
//
// It reads phrases as ParsePlan does, but only ones that clearly say when: words
// that also describe the experiment itself ("now", "later", "in the morning",
// "every day", a bare "sat" or "sun") are left in the text unless they complete a
// clear phrase elsewhere in it ("Tomorrow I'll meditate in the morning").
func FindPlan(text string, now time.Time, loc *time.Location) (p Plan, rest string, ok bool) {
	r := newReader(text, now, loc)
	groups := r.groups()
	for i, g := range groups {
		if !g.usable() || !g.strong {
			continue
		}
		plan, ok := r.resolve(g.parts)
		if !ok {
			continue
		}
		cuts := []group{g}
		// A day in one place and a time in another ("Tomorrow I'll run at 7am")
		// make one plan.
		for _, h := range groups[i+1:] {
			if !h.usable() || h.recurring {
				continue
			}
			if !fills(cuts, h) {
				continue
			}
			if combined, ok := r.resolve(append(cutParts(cuts), h.parts...)); ok {
				plan = combined
				cuts = append(cuts, h)
			}
		}
		return plan, r.cut(text, cuts), true
	}
	return Plan{}, text, false
}

// cutParts joins the parts of the groups a plan is made of.
func cutParts(gs []group) []part {
	var ps []part
	for _, g := range gs {
		ps = append(ps, g.parts...)
	}
	return ps
}

// fills reports whether h brings what the groups so far lack: a day when they
// name only a time, or a time when they name only a day.
func fills(gs []group, h group) bool {
	var day, tod bool
	for _, p := range cutParts(gs) {
		day = day || p.hasDay
		tod = tod || p.hasTime
	}
	var hDay, hTod bool
	for _, p := range h.parts {
		hDay = hDay || p.hasDay
		hTod = hTod || p.hasTime
	}
	return (!day && hDay && !hTod) || (!tod && hTod && !hDay)
}

// cut removes the groups' phrases from text and tidies the seams, so "call mum,
// tomorrow, and write" reads "call mum and write".
func (r *reader) cut(text string, gs []group) string {
	const seam = " \t\r\n,;:–—-"
	out := text
	// Later groups first, so earlier byte offsets stay valid.
	for i := len(gs) - 1; i >= 0; i-- {
		a, b := r.toks[gs[i].start].start, r.toks[gs[i].end-1].end
		left := strings.TrimRight(out[:a], seam)
		right := strings.TrimLeft(out[b:], seam)
		switch {
		case left == "":
			out = right
		case right == "":
			out = left
		default:
			if first, _ := utf8.DecodeRuneInString(right); strings.ContainsRune(".!?)", first) {
				out = left + right
			} else {
				out = left + " " + right
			}
		}
	}
	return strings.TrimSpace(out)
}

// reader holds one text being read for a plan and the moment it is read at.
type reader struct {
	toks     []token
	now      time.Time
	loc      *time.Location
	today    Date
	nowClock Clock
}

func newReader(text string, now time.Time, loc *time.Location) *reader {
	loc = zoneOrUTC(loc)
	local := now.In(loc)
	return &reader{
		toks:     tokenize(text),
		now:      now,
		loc:      loc,
		today:    DateOf(now, loc),
		nowClock: Clock{Hour: local.Hour(), Minute: local.Minute()},
	}
}

// word is the folded word at token i, or "" past the end.
func (r *reader) word(i int) string {
	if i < 0 || i >= len(r.toks) {
		return ""
	}
	return r.toks[i].word
}

// is reports whether the words from token i on are exactly words.
func (r *reader) is(i int, words ...string) bool {
	for k, w := range words {
		if r.word(i+k) != w {
			return false
		}
	}
	return true
}

// group is one when-phrase: parts standing together, with the fillers around
// them that belong to it ("on", "sometime", "probably").
type group struct {
	start, end int // token range, fillers included
	parts      []part
	strong     bool // some part clearly says when
	recurring  bool // "every day": part of what they try as much as when
	poisoned   bool // points to the past or reads as no plan
	negated    bool // "not today"
}

func (g group) usable() bool { return !g.poisoned && !g.negated }

// groups finds the when-phrases of the text in order.
func (r *reader) groups() []group {
	var gs []group
	prevEnd := 0
	for i := 0; i < len(r.toks); {
		first, ok := r.match(i)
		if !ok {
			i++
			continue
		}
		if first.greeting {
			i += first.n
			prevEnd = i
			continue
		}
		g := group{start: i, parts: []part{first}}
		end := i + first.n
		hasDay := first.hasDay
		for k := end; k < len(r.toks); {
			w := r.word(k)
			if rangeWords[w] && hasDay {
				if q, ok := r.match(k + 1); ok && q.hasDay && !q.greeting {
					q.joined = true
					g.parts = append(g.parts, q)
					k += 1 + q.n
					end = k
					continue
				}
			}
			if q, ok := r.match(k); ok && !q.greeting {
				g.parts = append(g.parts, q)
				hasDay = hasDay || q.hasDay
				k += q.n
				end = k
				continue
			}
			if groupFillers[w] {
				k++
				continue
			}
			break
		}
		g.end = end
		for g.start > prevEnd {
			switch {
			case leadFillers[r.word(g.start-1)]:
				g.start--
				continue
			case g.start-2 >= prevEnd && r.is(g.start-2, "some", "time"):
				g.start -= 2
				continue
			case g.start-3 >= prevEnd && r.is(g.start-3, "at", "some", "point"):
				g.start -= 3
				continue
			}
			break
		}
		for g.end < len(r.toks) && trailFillers[r.word(g.end)] {
			g.end++
		}
		g.negated = negations[r.word(g.start-1)] && g.start > prevEnd
		for _, p := range g.parts {
			g.strong = g.strong || (!p.weak && !p.poison)
			g.recurring = g.recurring || p.recurring
			g.poisoned = g.poisoned || p.poison
		}
		gs = append(gs, g)
		i, prevEnd = g.end, g.end
	}
	return gs
}

// match reads the longest part that starts at token i.
func (r *reader) match(i int) (part, bool) {
	if i >= len(r.toks) {
		return part{}, false
	}
	var best part
	for _, m := range []func(int) (part, bool){r.phraseAt, r.inAt, r.weekdayAt, r.dateAt, r.clockAt, r.deadlineAt} {
		if p, ok := m(i); ok && p.n > best.n {
			best = p
		}
	}
	return best, best.n > 0
}

// part is one piece of a when-phrase: a day or range of days, a time of day, or
// both ("tonight").
type part struct {
	n         int // tokens read
	hasDay    bool
	day       days
	hasTime   bool
	tod       timeOfDay
	weak      bool // says little on its own ("now", "in the morning", "sat")
	recurring bool // "every day", "every Thursday"
	poison    bool // "yesterday", "last Thursday": not a plan
	greeting  bool // "good morning": no time at all
	joined    bool // follows "or", "to", "until": ends a range
}

// days is a range of local dates. A bare weekday keeps its weekday, so that
// "Thursday next week" and "Monday to Friday" can read it against the other day.
type days struct {
	from, by Date
	weekday  time.Weekday
	plain    bool // a bare weekday, read as the next one on or after today
}

func oneDay(d Date) days { return days{from: d, by: d} }

// timeOfDay is a time named in a plan: a written clock, a point such as "after
// lunch", or a part of the day such as "evening" that lasts until a later time.
type timeOfDay struct {
	clock  Clock
	until  int  // minutes after midnight a part of the day ends; 0 for a point
	exact  bool // written as a clock: it beats words like "evening"
	either bool // a bare hour from 1 to 11, morning or evening by context
	hint   int  // -1 said of the morning, +1 of the afternoon or evening
}

// resolve turns the parts of one plan into dates and a clock, or reports that
// they contradict each other or name no future day.
func (r *reader) resolve(parts []part) (Plan, bool) {
	var (
		hasDay bool
		d      days
		times  []timeOfDay
	)
	for _, p := range parts {
		if p.poison {
			return Plan{}, false
		}
		switch {
		case p.joined:
			if !hasDay || !p.hasDay {
				return Plan{}, false
			}
			end := p.day.by
			if p.day.plain {
				end = onOrAfter(d.from, p.day.weekday)
			}
			if end.Before(d.from) {
				return Plan{}, false
			}
			d.by, d.plain = end, false
			// A time named before "or" belongs to the first day only.
			times = times[:0]
		case p.hasDay && !hasDay:
			hasDay, d = true, p.day
		case p.hasDay:
			var ok bool
			if d, ok = intersect(d, p.day); !ok {
				return Plan{}, false
			}
		}
		if p.hasTime {
			times = append(times, p.tod)
		}
	}
	var (
		tod     timeOfDay
		hasTime bool
		hint    int
	)
	for _, t := range times {
		if t.exact || !tod.exact {
			tod, hasTime = t, true
		}
		if !t.exact && t.hint != 0 {
			hint = t.hint
		}
	}
	if tod.either && hint != 0 {
		tod.either = false
		if hint > 0 {
			tod.clock.Hour += 12
		}
	}
	if !hasDay {
		d = oneDay(r.today)
		if hasTime {
			tod = r.eitherToday(tod)
			switch {
			case tod.until > 0 && r.minutes() >= tod.until:
				d = oneDay(r.today.AddDays(1))
			case tod.until == 0 && r.passed(tod.clock):
				d = oneDay(r.today.AddDays(1))
			}
		}
	} else if tod.either {
		tod = r.eitherOn(d, tod)
	}
	if d.from.Before(r.today) {
		d.from = r.today
	}
	if d.by.Before(d.from) || DaysBetween(r.today, d.by) > maxPlanDays {
		return Plan{}, false
	}
	if hasTime && tod.until > 0 && d.from == r.today && d.by == r.today {
		// A part of the day under way: the attempt is now, not at its start.
		if m := r.minutes(); m >= tod.clock.Hour*60+tod.clock.Minute && m < tod.until {
			tod.clock = r.nowClock
		}
	}
	return Plan{From: d.from, By: d.by, Clock: tod.clock, HasClock: hasTime, DayNamed: hasDay}, true
}

// passed reports whether the wall clock has read c today for the last time: at
// the second 01:30 of a night when the clocks fall back, 01:45 is still ahead.
func (r *reader) passed(c Clock) bool {
	readings := wallReadings(r.today, c, r.loc)
	return readings[len(readings)-1].Before(r.now)
}

func (r *reader) minutes() int { return r.nowClock.Hour*60 + r.nowClock.Minute }

// eitherToday reads a bare hour with no day named: 1 to 6 is the afternoon;
// 7 to 11 is the first reading still ahead today, else the morning (tomorrow).
func (r *reader) eitherToday(t timeOfDay) timeOfDay {
	if !t.either {
		return t
	}
	t.either = false
	if t.clock.Hour <= 6 {
		t.clock.Hour += 12
		return t
	}
	pm := Clock{Hour: t.clock.Hour + 12, Minute: t.clock.Minute}
	if r.passed(t.clock) && !r.passed(pm) {
		t.clock = pm
	}
	return t
}

// eitherOn reads a bare hour on a named day: 1 to 6 is the afternoon; 7 to 11 is
// the evening only when the day is today and the morning reading has passed.
func (r *reader) eitherOn(d days, t timeOfDay) timeOfDay {
	if d.from == r.today && d.by == r.today {
		return r.eitherToday(t)
	}
	t.either = false
	if t.clock.Hour <= 6 {
		t.clock.Hour += 12
	}
	return t
}

// intersect reads two day parts of one phrase together: a bare weekday picks its
// day inside a range ("next week on Thursday"); anything else must agree.
func intersect(a, b days) (days, bool) {
	switch {
	case a.plain && b.plain:
		return a, a.weekday == b.weekday
	case b.plain:
		a, b = b, a
		fallthrough
	case a.plain:
		for d := b.from; !d.After(b.by); d = d.AddDays(1) {
			if d.Weekday() == a.weekday {
				return oneDay(d), true
			}
		}
		return days{}, false
	}
	return a, a.from == b.from && a.by == b.by
}

// onOrAfter is the first date on or after d that falls on weekday wd.
func onOrAfter(d Date, wd time.Weekday) Date {
	return d.AddDays((int(wd) - int(d.Weekday()) + 7) % 7)
}

// monday is the Monday of d's week; weeks run Monday to Sunday.
func monday(d Date) Date { return d.AddDays(-((int(d.Weekday()) + 6) % 7)) }
