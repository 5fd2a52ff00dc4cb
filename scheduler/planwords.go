package scheduler

import (
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// token is one word of a text read for a plan, with where it was written so the
// phrase can be cut out again.
type token struct {
	word       string // folded: lower case, umlauts spelled out, no apostrophes
	start, end int    // byte range in the text as written
	dot        bool   // written with a full stop after it ("3.12.", "3.")
}

// wordFolding makes spellings meet the tables: "Übermorgen" and "uebermorgen",
// "I'll" and "ill", "p.m" and "pm".
var wordFolding = strings.NewReplacer(
	"ä", "ae", "ö", "oe", "ü", "ue", "ß", "ss",
	"'", "", "’", "", "‘", "",
	"a.m", "am", "p.m", "pm",
)

// isBreak reports whether r ends a word: spaces and punctuation that never sits
// inside a date or a clock.
func isBreak(r rune) bool {
	return unicode.IsSpace(r) || strings.ContainsRune(",;!?()[]{}\"«»“”„…*_", r)
}

func isDash(r rune) bool { return r == '-' || r == '–' || r == '—' }

// tokenize splits text into folded words. A dash between words ("Thu-Fri",
// "Mon – Wed") becomes a word of its own, read as "to"; one inside digits
// ("2026-12-03") stays part of the date.
func tokenize(text string) []token {
	var toks []token
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		if isBreak(r) {
			i += size
			continue
		}
		j := i
		for j < len(text) {
			r, size := utf8.DecodeRuneInString(text[j:])
			if isBreak(r) {
				break
			}
			j += size
		}
		toks = append(toks, splitDashes(text, i, j)...)
		i = j
	}
	return toks
}

// splitDashes splits the written word text[a:b] at dashes unless it is a
// number such as an ISO date.
func splitDashes(text string, a, b int) []token {
	raw := text[a:b]
	if strings.IndexFunc(raw, func(r rune) bool { return !isDash(r) && !unicode.IsDigit(r) && r != '.' }) < 0 &&
		strings.IndexFunc(raw, unicode.IsDigit) >= 0 {
		return wordToken(text, a, b)
	}
	var toks []token
	start := a
	for k := a; k < b; {
		r, size := utf8.DecodeRuneInString(text[k:])
		if isDash(r) {
			toks = append(toks, wordToken(text, start, k)...)
			toks = append(toks, token{word: "-", start: k, end: k + size})
			start = k + size
		}
		k += size
	}
	return append(toks, wordToken(text, start, b)...)
}

// wordToken trims quotes and trailing stops from text[a:b] and folds it; it gives
// nothing when no word is left.
func wordToken(text string, a, b int) []token {
	for a < b {
		r, size := utf8.DecodeRuneInString(text[a:b])
		if !strings.ContainsRune("'’‘@#", r) {
			break
		}
		a += size
	}
	dot := false
	for a < b {
		r, size := utf8.DecodeLastRuneInString(text[a:b])
		if !strings.ContainsRune(".:'’‘", r) {
			break
		}
		if r == '.' {
			dot = true
		}
		b -= size
	}
	if a >= b {
		return nil
	}
	return []token{{word: wordFolding.Replace(strings.ToLower(text[a:b])), start: a, end: b, dot: dot}}
}

// Words that join, lead or trail a when-phrase.
var (
	// rangeWords join two days into a range: "Thursday or Friday", "Mon-Wed".
	rangeWords = wordSet("or", "to", "-", "until", "till", "til", "through", "thru", "and", "oder", "bis", "und")
	// groupFillers may stand between the parts of one phrase: "tomorrow, at 7",
	// "Thursday, probably in the evening".
	groupFillers = wordSet("at", "on", "in", "the", "um", "am", "gegen", "around", "about", "maybe", "probably",
		"perhaps", "ideally", "hopefully", "sometime", "vielleicht", "wahrscheinlich", "irgendwann")
	// leadFillers before a phrase belong to it: "call mum on Thursday".
	leadFillers = wordSet("on", "at", "in", "around", "about", "sometime", "maybe", "probably", "perhaps",
		"hopefully", "ideally", "am", "um", "gegen", "vielleicht", "wahrscheinlich", "irgendwann", "earliest")
	// trailFillers after a phrase belong to it: "tomorrow sometime".
	trailFillers = wordSet("sometime", "maybe", "probably", "perhaps", "hopefully", "ideally", "irgendwann",
		"vielleicht", "wahrscheinlich")
	// negations right before a phrase turn it around: "not today".
	negations = wordSet("not", "no", "never", "dont", "cant", "wont", "cannot", "isnt", "nor", "except",
		"nicht", "nie", "kein", "keine", "ausser")
)

func wordSet(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

// phrase is a fixed wording with its meaning.
type phrase struct {
	day       func(today Date) days // nil when the phrase names no day
	tod       string                // a key of partsOfDay, "" for none
	now       bool                  // today at the present minute
	weak      bool
	recurring bool
	poison    bool
	greeting  bool
}

// partsOfDay are the times people name with words. Points ("after lunch") have
// no until; parts of the day last until a later minute.
var partsOfDay = map[string]timeOfDay{
	"morning":     {clock: Clock{8, 0}, until: 12 * 60, hint: -1},
	"beforework":  {clock: Clock{8, 0}, hint: -1},
	"breakfast":   {clock: Clock{8, 30}, hint: -1},
	"beforelunch": {clock: Clock{11, 30}, hint: -1},
	"lunch":       {clock: Clock{12, 0}, until: 14 * 60, hint: 1},
	"afterlunch":  {clock: Clock{13, 30}, hint: 1},
	"afternoon":   {clock: Clock{15, 0}, until: 18 * 60, hint: 1},
	"afterwork":   {clock: Clock{18, 0}, hint: 1},
	"evening":     {clock: Clock{18, 0}, until: 22 * 60, hint: 1},
	"dinner":      {clock: Clock{20, 0}, hint: 1},
	"night":       {clock: Clock{20, 0}, until: 24 * 60, hint: 1},
	"bedtime":     {clock: Clock{21, 30}, hint: 1},
}

// phrases maps fixed wordings, folded and joined by single spaces, to meanings.
var phrases = phraseTable()

// maxPhraseWords is the most words any fixed wording has.
const maxPhraseWords = 6

func phraseTable() map[string]phrase {
	today := func(t Date) days { return oneDay(t) }
	in := func(n int) func(Date) days { return func(t Date) days { return oneDay(t.AddDays(n)) } }
	week := func(n int) func(Date) days {
		return func(t Date) days {
			mon := monday(t).AddDays(7 * n)
			return days{from: mon, by: mon.AddDays(6)}
		}
	}
	thisWeek := func(t Date) days {
		if t.Weekday() == time.Sunday {
			return days{from: t, by: t.AddDays(7)}
		}
		return days{from: t, by: monday(t).AddDays(6)}
	}
	weekend := func(n int) func(Date) days {
		return func(t Date) days {
			sat := monday(t).AddDays(7*n + 5)
			from := sat
			if from.Before(t) {
				from = t
			}
			return days{from: from, by: sat.AddDays(1)}
		}
	}
	endOfWeek := func(t Date) days {
		fri := monday(t).AddDays(4)
		if fri.Before(t) {
			fri = t
		}
		return days{from: fri, by: monday(t).AddDays(6)}
	}

	m := map[string]phrase{}
	add := func(p phrase, spellings ...string) {
		for _, s := range spellings {
			m[s] = p
		}
	}
	add(phrase{day: today}, "today", "heute", "later today", "noch heute", "heute noch", "sometime today")
	add(phrase{day: today, weak: true}, "later", "asap", "as soon as possible", "straight away", "straightaway",
		"immediately", "spaeter", "nachher", "sofort", "gleich", "so bald wie moeglich", "so schnell wie moeglich",
		"baldmoeglichst")
	add(phrase{day: today, now: true}, "right now", "right away", "gleich jetzt", "jetzt gleich")
	add(phrase{day: today, now: true, weak: true}, "now", "jetzt")
	add(phrase{weak: true, recurring: true}, "daily", "every day", "everyday", "each day", "every single day",
		"jeden tag", "taeglich", "taglich")
	add(phrase{tod: "morning", weak: true, recurring: true}, "every morning", "each morning", "mornings",
		"jeden morgen", "morgens")
	add(phrase{tod: "evening", weak: true, recurring: true}, "every evening", "each evening", "evenings",
		"jeden abend", "abends")
	add(phrase{tod: "night", weak: true, recurring: true}, "every night", "nightly", "each night")
	add(phrase{day: today, tod: "night"}, "tonight", "tonite", "heute nacht")
	add(phrase{day: today, tod: "evening"}, "this evening", "heute abend")
	add(phrase{day: today, tod: "morning"}, "this morning", "heute morgen", "heute frueh", "heute vormittag")
	add(phrase{day: today, tod: "afternoon"}, "this afternoon", "heute nachmittag")
	add(phrase{day: today, tod: "lunch"}, "heute mittag", "this lunchtime")
	add(phrase{day: in(1)}, "tomorrow", "tmrw", "tmr", "tmw", "tomoz", "tomorow", "tommorow", "tommorrow", "morgen")
	add(phrase{day: in(1), tod: "morning"}, "morgen frueh", "first thing tomorrow", "first thing tomorrow morning")
	add(phrase{day: in(2)}, "day after tomorrow", "the day after tomorrow", "uebermorgen", "ubermorgen", "overmorrow")
	add(phrase{day: thisWeek}, "this week", "this week sometime", "diese woche", "in dieser woche", "noch diese woche",
		"within the week", "later this week", "by the end of the week", "by the end of this week", "by end of week",
		"by the end of the week", "bis ende der woche", "bis zum ende der woche")
	add(phrase{day: endOfWeek}, "end of the week", "end of this week", "at the end of the week", "end of week",
		"towards the end of the week", "ende der woche", "am ende der woche", "ende dieser woche")
	add(phrase{day: weekend(0)}, "weekend", "the weekend", "this weekend", "over the weekend", "at the weekend",
		"on the weekend", "during the weekend", "this coming weekend", "the coming weekend", "coming weekend",
		"wochenende", "am wochenende", "dieses wochenende", "uebers wochenende", "ubers wochenende",
		"kommendes wochenende", "am kommenden wochenende", "an diesem wochenende")
	add(phrase{day: weekend(1)}, "next weekend", "naechstes wochenende", "nachstes wochenende",
		"am naechsten wochenende", "am nachsten wochenende")
	add(phrase{day: week(1)}, "next week", "the following week", "naechste woche", "nachste woche",
		"kommende woche", "in der naechsten woche", "in der nachsten woche", "in der kommenden woche")
	add(phrase{day: week(2)}, "the week after next", "week after next", "uebernaechste woche", "ubernachste woche")
	add(phrase{poison: true}, "yesterday", "gestern", "vorgestern", "last week", "letzte woche", "last weekend",
		"letztes wochenende", "already", "bereits", "earlier today", "heute frueh schon")
	add(phrase{greeting: true}, "good morning", "good afternoon", "good evening", "good night", "guten morgen",
		"guten tag", "guten abend", "gute nacht", "morning all", "have a nice weekend", "schoenes wochenende")

	add(phrase{tod: "morning", weak: true}, "morning", "in the morning", "am morgen", "vormittag", "vormittags",
		"am vormittag", "frueh", "early", "early morning", "in the early morning")
	add(phrase{tod: "morning"}, "first thing", "first thing in the morning")
	add(phrase{tod: "beforework"}, "before work", "vor der arbeit", "before school", "before the office")
	add(phrase{tod: "breakfast"}, "after breakfast", "at breakfast", "nach dem fruehstueck", "beim fruehstueck")
	add(phrase{tod: "beforelunch"}, "before lunch", "vor dem mittagessen")
	add(phrase{tod: "lunch", weak: true}, "lunch", "mittag", "mittags", "am mittag")
	add(phrase{tod: "lunch"}, "at lunch", "lunchtime", "at lunchtime", "at lunch time", "over lunch", "during lunch",
		"in my lunch break", "in the lunch break", "during my lunch break", "lunch break", "in der mittagspause",
		"mittagspause")
	add(phrase{tod: "afterlunch"}, "after lunch", "after lunchtime", "nach dem mittagessen", "nach dem mittag",
		"nach der mittagspause")
	add(phrase{tod: "afternoon", weak: true}, "afternoon", "in the afternoon", "nachmittag", "nachmittags",
		"am nachmittag")
	add(phrase{tod: "afterwork"}, "after work", "after school", "after the office", "after my shift", "after uni",
		"nach der arbeit", "nach feierabend", "feierabend", "nach der schule")
	add(phrase{tod: "evening", weak: true}, "evening", "in the evening", "abend", "am abend")
	add(phrase{tod: "dinner"}, "after dinner", "after supper", "nach dem abendessen")
	add(phrase{tod: "night", weak: true}, "night", "at night", "nachts", "in der nacht")
	add(phrase{tod: "bedtime"}, "before bed", "before going to bed", "before i go to bed", "at bedtime", "bedtime",
		"before sleeping", "vor dem schlafengehen", "vor dem schlafen", "vorm schlafen", "vorm schlafengehen")
	return m
}

// phraseAt reads the longest fixed wording at token i.
func (r *reader) phraseAt(i int) (part, bool) {
	for n := min(maxPhraseWords, len(r.toks)-i); n > 0; n-- {
		words := make([]string, n)
		for k := range words {
			words[k] = r.word(i + k)
		}
		ph, ok := phrases[strings.Join(words, " ")]
		if !ok {
			continue
		}
		p := part{n: n, weak: ph.weak, recurring: ph.recurring, poison: ph.poison, greeting: ph.greeting}
		if ph.day != nil {
			p.hasDay, p.day = true, ph.day(r.today)
		}
		if ph.tod != "" {
			p.hasTime, p.tod = true, partsOfDay[ph.tod]
		}
		if ph.now {
			p.hasTime, p.tod = true, timeOfDay{clock: r.nowClock, exact: true}
		}
		return p, true
	}
	return part{}, false
}

// countWords are the small numbers people write as words.
var countWords = map[string]int{
	"a": 1, "an": 1, "one": 1, "ein": 1, "eine": 1, "einem": 1, "einer": 1, "einen": 1,
	"two": 2, "zwei": 2, "three": 3, "drei": 3, "four": 4, "vier": 4, "five": 5, "fuenf": 5, "funf": 5,
	"six": 6, "sechs": 6, "seven": 7, "sieben": 7, "eight": 8, "acht": 8, "nine": 9, "neun": 9,
	"ten": 10, "zehn": 10, "couple": 2, "few": 3,
}

// count reads a count at token i ("3", "three", "a couple of", "a few", "ein
// paar") and the number of tokens it took.
func (r *reader) count(i int) (n, used int, ok bool) {
	switch {
	case r.is(i, "a", "couple", "of"):
		return 2, 3, true
	case r.is(i, "a", "couple"), r.is(i, "couple", "of"):
		return 2, 2, true
	case r.is(i, "a", "few"):
		return 3, 2, true
	case r.is(i, "ein", "paar"):
		return 3, 2, true
	}
	w := r.word(i)
	if n, ok := countWords[w]; ok {
		return n, 1, true
	}
	if isDigits(w) && len(w) <= 3 {
		n, err := strconv.Atoi(w)
		return n, 1, err == nil
	}
	return 0, 0, false
}

// Units of "in 3 days".
var (
	dayUnits    = wordSet("day", "days", "tag", "tage", "tagen")
	weekUnits   = wordSet("week", "weeks", "woche", "wochen")
	hourUnits   = wordSet("hour", "hours", "hr", "hrs", "stunde", "stunden")
	minuteUnits = wordSet("minute", "minutes", "min", "mins", "minuten")
)

// inAt reads "in 3 days", "in a couple of days", "in a week", "in 2 hours", and
// the spans "within 3 days", "in the next few days", "in a day or two".
func (r *reader) inAt(i int) (part, bool) {
	k, span := i, false
	switch {
	case r.is(k, "in", "the", "next"), r.is(k, "over", "the", "next"), r.is(k, "in", "den", "naechsten"),
		r.is(k, "in", "den", "nachsten"):
		k, span = k+3, true
	case r.is(k, "within"), r.is(k, "innerhalb", "von"), r.is(k, "innerhalb"):
		k, span = k+1, true
		if r.is(k, "von") {
			k++
		}
	case r.is(k, "in"):
		k++
	default:
		return part{}, false
	}
	if !span && r.is(k, "a", "day", "or", "two") {
		return part{n: k + 4 - i, hasDay: true, day: days{from: r.today.AddDays(1), by: r.today.AddDays(2)}}, true
	}
	n, used, ok := r.count(k)
	if !ok || n < 1 {
		return part{}, false
	}
	k += used
	unit := r.word(k)
	k++
	var offset int
	switch {
	case dayUnits[unit]:
		offset = n
	case weekUnits[unit]:
		offset = 7 * n
	case (hourUnits[unit] || minuteUnits[unit]) && !span:
		d := time.Duration(n) * time.Hour
		if minuteUnits[unit] {
			d = time.Duration(n) * time.Minute
		}
		at := r.now.Add(d).In(r.loc)
		return part{n: k - i, hasDay: true, day: oneDay(DateOf(at, r.loc)),
			hasTime: true, tod: timeOfDay{clock: Clock{Hour: at.Hour(), Minute: at.Minute()}, exact: true}}, true
	default:
		return part{}, false
	}
	if offset > maxPlanDays {
		return part{}, false
	}
	if span {
		return part{n: k - i, hasDay: true, day: days{from: r.today, by: r.today.AddDays(offset)}}, true
	}
	return part{n: k - i, hasDay: true, day: oneDay(r.today.AddDays(offset))}, true
}

// dayWords are the written forms of weekdays. The short English forms that
// are also words ("sat", "sun", "wed", "mon") are weak unless a word before
// them says they are days ("on sat", "next sun").
var dayWords = map[string]time.Weekday{
	"monday": time.Monday, "mon": time.Monday, "montag": time.Monday,
	"tuesday": time.Tuesday, "tue": time.Tuesday, "tues": time.Tuesday, "dienstag": time.Tuesday,
	"wednesday": time.Wednesday, "wed": time.Wednesday, "weds": time.Wednesday, "mittwoch": time.Wednesday,
	"thursday": time.Thursday, "thu": time.Thursday, "thur": time.Thursday, "thurs": time.Thursday,
	"donnerstag": time.Thursday,
	"friday":     time.Friday, "fri": time.Friday, "freitag": time.Friday,
	"saturday": time.Saturday, "sat": time.Saturday, "samstag": time.Saturday, "sonnabend": time.Saturday,
	"sunday": time.Sunday, "sun": time.Sunday, "sonntag": time.Sunday,
}

var shortDayWords = wordSet("sat", "sun", "wed", "mon")

// How a word before a weekday reads it.
const (
	dayPlain    = iota // "Thursday", "on Thursday", "this Thursday"
	dayComing          // "this coming Thursday": after today
	dayNextWeek        // "next Thursday": in next week
	dayEvery           // "every Thursday"
	dayLast            // "last Thursday": the past
)

var weekdayPrefixes = map[string]int{
	"on": dayPlain, "am": dayPlain, "this": dayPlain, "diesen": dayPlain, "diesem": dayPlain,
	"coming": dayComing, "upcoming": dayComing, "kommenden": dayComing, "kommender": dayComing,
	"next": dayNextWeek, "naechsten": dayNextWeek, "nachsten": dayNextWeek, "naechster": dayNextWeek,
	"naechstem": dayNextWeek, "nachstem": dayNextWeek,
	"every": dayEvery, "each": dayEvery, "jeden": dayEvery, "jedem": dayEvery,
	"last": dayLast, "past": dayLast, "previous": dayLast, "letzten": dayLast, "letzter": dayLast,
	"vergangenen": dayLast,
}

// weekdayAt reads a weekday with the words before it that say which one.
func (r *reader) weekdayAt(i int) (part, bool) {
	k, kind, prefixed := i, dayPlain, false
	if r.is(k, "this", "coming") || r.is(k, "on", "this", "coming") {
		k, kind, prefixed = k+2, dayComing, true
		if r.word(i) == "on" {
			k++
		}
	} else {
		// Up to two words: "on next Thursday", "am kommenden Montag".
		for step := 0; step < 2; step++ {
			how, ok := weekdayPrefixes[r.word(k)]
			if !ok {
				break
			}
			kind, k, prefixed = max(kind, how), k+1, true
		}
	}
	w := r.word(k)
	wd, ok := dayWords[w]
	recurring := kind == dayEvery
	if !ok && len(w) > 6 && strings.HasSuffix(w, "s") {
		// "Thursdays", "montags": every such day.
		if wd, ok = dayWords[strings.TrimSuffix(w, "s")]; ok {
			recurring = true
		}
	}
	if !ok {
		return part{}, false
	}
	p := part{n: k + 1 - i, hasDay: true, recurring: recurring, weak: recurring || (!prefixed && shortDayWords[w])}
	switch kind {
	case dayLast:
		p.poison = true
	case dayComing:
		p.day = oneDay(onOrAfter(r.today.AddDays(1), wd))
	case dayNextWeek:
		p.day = oneDay(monday(r.today).AddDays(7 + (int(wd)+6)%7))
	default:
		p.day = days{from: onOrAfter(r.today, wd), by: onOrAfter(r.today, wd), weekday: wd, plain: true}
	}
	return p, true
}

// deadlineAt reads "by Friday", "until next week", "bis morgen" (today through
// that day) and "before Friday" (today through the day before).
func (r *reader) deadlineAt(i int) (part, bool) {
	w := r.word(i)
	before := w == "before" || w == "vor"
	if !before && !wordSet("by", "until", "till", "til", "bis", "spaetestens")[w] {
		return part{}, false
	}
	var q part
	for _, m := range []func(int) (part, bool){r.phraseAt, r.inAt, r.weekdayAt, r.dateAt} {
		if p, ok := m(i + 1); ok && p.n > q.n {
			q = p
		}
	}
	if q.n == 0 || !q.hasDay || q.poison || q.greeting {
		return part{}, false
	}
	end := q.day.by
	if before {
		end = q.day.from.AddDays(-1)
		if end.Before(r.today) {
			end = r.today
		}
	}
	q.n++
	q.day = days{from: r.today, by: end}
	q.weak = q.recurring
	return q, true
}

// monthNames are the written forms of months, English and German.
var monthNames = map[string]time.Month{
	"jan": 1, "january": 1, "januar": 1, "jaenner": 1, "janner": 1,
	"feb": 2, "february": 2, "februar": 2,
	"mar": 3, "march": 3, "maerz": 3, "marz": 3,
	"apr": 4, "april": 4,
	"may": 5, "mai": 5,
	"jun": 6, "june": 6, "juni": 6,
	"jul": 7, "july": 7, "juli": 7,
	"aug": 8, "august": 8,
	"sep": 9, "sept": 9, "september": 9,
	"oct": 10, "october": 10, "oktober": 10, "okt": 10,
	"nov": 11, "november": 11,
	"dec": 12, "december": 12, "dez": 12, "dezember": 12,
}

// dayOfMonth reads "3", "03", "3rd", "21st"; ordinal reports a suffix.
func dayOfMonth(w string) (day int, ordinal bool, ok bool) {
	for _, suffix := range []string{"st", "nd", "rd", "th"} {
		if strings.HasSuffix(w, suffix) && len(w) > 2 {
			w, ordinal = strings.TrimSuffix(w, suffix), true
			break
		}
	}
	n, ok := smallNumber(w, 2)
	if !ok || n < 1 || n > 31 {
		return 0, false, false
	}
	return n, ordinal, true
}

// year reads a four-digit year token.
func (r *reader) year(i int) (int, bool) {
	w := r.word(i)
	if len(w) != 4 || !isDigits(w) {
		return 0, false
	}
	y, _ := strconv.Atoi(w)
	return y, y >= 2000 && y <= 2100
}

// dateAt reads a written date: "2026-12-03", "3.12.", "3.12.2026", "3/12",
// "3 Dec", "3rd of December 2026", "Dec 3rd", "the 3rd".
func (r *reader) dateAt(i int) (part, bool) {
	w := r.word(i)
	at := func(n int, d Date, ok bool) (part, bool) {
		if !ok {
			return part{}, false
		}
		return part{n: n, hasDay: true, day: oneDay(d)}, true
	}
	if d, err := ParseDate(w); err == nil && strings.Count(w, "-") == 2 {
		return at(1, d, true)
	}
	if d, ok := r.numericDate(i); ok {
		return at(1, d, true)
	}
	// "3 Dec", "3rd of December", "3. Dezember", with an optional year.
	if day, _, ok := dayOfMonth(w); ok {
		k := i + 1
		if r.is(k, "of") {
			k++
		}
		if m, ok := monthNames[r.word(k)]; ok {
			if y, ok := r.year(k + 1); ok {
				d, ok := civil(y, m, day)
				return at(k+2-i, d, ok)
			}
			d, ok := r.yearless(m, day)
			return at(k+1-i, d, ok)
		}
	}
	// "Dec 3", "December 3rd, 2026".
	if m, ok := monthNames[w]; ok {
		if day, _, ok := dayOfMonth(r.word(i + 1)); ok && !r.clockSuffix(i+2) {
			if y, ok := r.year(i + 2); ok {
				d, ok := civil(y, m, day)
				return at(3, d, ok)
			}
			d, ok := r.yearless(m, day)
			return at(2, d, ok)
		}
	}
	// "on the 3rd": that day of this month, or of a later month once it has
	// passed. A word before it must say it is a day ("read the 3rd chapter" is
	// not a plan), unless the text starts with it.
	if w == "the" && (i == 0 || wordSet("on", "by", "until", "till", "before", "from")[r.word(i-1)]) {
		if day, ordinal, ok := dayOfMonth(r.word(i + 1)); ok && ordinal && !r.is(i+2, "of") {
			if _, isMonth := monthNames[r.word(i+2)]; !isMonth {
				for step := 0; step < 3; step++ {
					first := time.Date(r.today.Year, r.today.Month+time.Month(step), 1, 12, 0, 0, 0, time.UTC)
					if d, ok := civil(first.Year(), first.Month(), day); ok && !d.Before(r.today) {
						return at(2, d, true)
					}
				}
			}
		}
	}
	return part{}, false
}

// clockSuffix reports whether token i marks the number before it as a time of
// day ("7.30 pm", "19.30 Uhr").
func (r *reader) clockSuffix(i int) bool {
	return wordSet("am", "pm", "uhr", "h", "oclock")[r.word(i)]
}

// numericDate reads the numeric forms at token i: "3.12.", "3.12.2026", "3/12",
// "12/25", "3/12/26". Two numbers joined by a dot with no closing dot ("3.12")
// are a date when both fit one, unless a word around them marks a time of day
// ("at 3.12", "7.30 pm"); "7.30" fits no date and is left to clockAt.
func (r *reader) numericDate(i int) (Date, bool) {
	if i >= len(r.toks) {
		return Date{}, false
	}
	tok := r.toks[i]
	w := tok.word
	sep := "."
	if strings.Contains(w, "/") {
		sep = "/"
	} else if !strings.Contains(w, ".") {
		return Date{}, false
	}
	fields := strings.Split(w, sep)
	if len(fields) < 2 || len(fields) > 3 || (len(fields) == 3 && fields[2] == "") {
		return Date{}, false
	}
	a, okA := smallNumber(fields[0], 2)
	b, okB := smallNumber(fields[1], 2)
	if !okA || !okB {
		return Date{}, false
	}
	if sep == "." && len(fields) == 2 && !tok.dot && (r.clockSuffix(i+1) || timePrefixes[r.word(i-1)]) {
		return Date{}, false
	}
	if sep == "/" && w == "24/7" {
		return Date{}, false
	}
	day, month := a, b
	if sep == "/" && a <= 12 && b > 12 {
		day, month = b, a
	}
	if month < 1 || month > 12 {
		return Date{}, false
	}
	if len(fields) == 3 {
		y, ok := smallNumber(fields[2], 4)
		if !ok || (len(fields[2]) != 2 && len(fields[2]) != 4) {
			return Date{}, false
		}
		if y < 100 {
			y += 2000
		}
		return civil(y, time.Month(month), day)
	}
	return r.yearless(time.Month(month), day)
}

// civil is the date y-m-d when it exists (no 31 April).
func civil(y int, m time.Month, d int) (Date, bool) {
	t := time.Date(y, m, d, 12, 0, 0, 0, time.UTC)
	if t.Day() != d || t.Month() != m {
		return Date{}, false
	}
	return Date{Year: y, Month: m, Day: d}, true
}

// yearless places a date written without a year: this year's, or next year's
// once this year's has passed. A date that passed less than a month ago is
// refused: "3 June" said on 5 June is a slip, not a plan for next year.
func (r *reader) yearless(m time.Month, day int) (Date, bool) {
	for y := r.today.Year; y <= r.today.Year+4; y++ {
		d, ok := civil(y, m, day)
		if !ok {
			continue // 29 February outside a leap year
		}
		if !d.Before(r.today) {
			return d, true
		}
		if DaysBetween(d, r.today) <= 31 {
			return Date{}, false
		}
	}
	return Date{}, false
}

// clockPrefixes introduce a time of day. "at" and "um" make even a bare hour a
// clock ("at 7"); the others need a written clock after them ("around 7pm").
var (
	clockPrefixes = wordSet("at", "um", "around", "about", "gegen", "by", "until", "till", "bis", "ab", "from")
	bareHourWords = wordSet("at", "um")
	// timePrefixes make "3.12" after them a time of day rather than a date.
	timePrefixes = wordSet("at", "um", "around", "about", "gegen")
)

// clockAt reads a written time of day: "at 7pm", "7 pm", "19:00", "at 7", "um 19
// Uhr", "7 o'clock", "um halb 8", "noon".
func (r *reader) clockAt(i int) (part, bool) {
	k := i
	prefix := ""
	if clockPrefixes[r.word(k)] {
		prefix, k = r.word(k), k+1
	}
	exact := func(n int, c Clock, either bool) (part, bool) {
		return part{n: n, hasTime: true, tod: timeOfDay{clock: c, exact: true, either: either}}, true
	}
	w := r.word(k)
	switch w {
	case "noon", "midday":
		return exact(k+1-i, Clock{Hour: 12}, false)
	case "midnight", "mitternacht":
		return exact(k+1-i, Clock{}, false)
	case "halb":
		// German "halb 8" is half past seven.
		if h, ok := smallNumber(r.word(k+1), 2); ok && h >= 1 && h <= 12 {
			n := k + 2 - i
			if r.word(k+2) == "uhr" {
				n++
			}
			return exact(n, Clock{Hour: (h + 11) % 12, Minute: 30}, h-1 >= 1 && h-1 <= 11)
		}
		return part{}, false
	}
	if w == "" || w[0] < '0' || w[0] > '9' {
		return part{}, false
	}
	text, n := w, k+1-i
	suffix := r.word(k + 1)
	marked := false
	switch suffix {
	case "am", "pm":
		text, n, marked = w+suffix, n+1, true
	case "uhr", "oclock", "h":
		n, marked = n+1, true
	}
	c, ok := parseClock(text)
	if !ok {
		return part{}, false
	}
	meridiem := strings.HasSuffix(text, "am") || strings.HasSuffix(text, "pm")
	written := strings.ContainsAny(text, ":.") || meridiem || strings.HasSuffix(text, "h")
	switch {
	case marked || meridiem:
	case bareHourWords[prefix] && (isDigits(text) || written):
	case written && strings.Contains(text, "."):
		// "7.30" is a clock when it is no date; numericDate has the other reading.
		if _, isDate := r.numericDate(k); isDate {
			return part{}, false
		}
	case written && !isDigits(text):
	default:
		return part{}, false
	}
	either := !meridiem && c.Hour >= 1 && c.Hour <= 11 && text[0] != '0'
	return exact(n, c, either)
}
