package scenario

import (
	"bufio"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/coachbot/coachbot/bot"
	"github.com/coachbot/coachbot/flows"
	"github.com/coachbot/coachbot/scheduler"
)

// Scenario is a parsed scenario file, ready to run any number of times.
type Scenario struct {
	Name  string         // the file's name, for messages
	About string         // the comment lines before the first statement
	Start time.Time      // where the clock starts
	Zone  *time.Location // the zone every time in the file is read in

	settings []setting
	steps    []step
	people   map[string]*person // by key ("ana", "ana@telegram")
	order    []string           // people keys in order of first appearance
}

// person is someone who writes or receives messages in a scenario.
type person struct {
	key  string // as written, without "@console"
	id   string // platform-qualified user and chat ID
	name string // display name, "Ana"
}

type setting struct {
	line       int
	key, value string
}

type stepKind int

const (
	stepSay stepKind = iota
	stepPress
	stepExpect
	stepNothing
	stepJump
	stepCheck
)

// step is one line that does or checks something.
type step struct {
	line int
	text string // the line as written, without its comment
	kind stepKind
	who  string // person key

	say     string // stepSay: the text, with $variables
	label   string // stepPress: the label, or "" with number
	number  int    // stepPress: 1-based button number
	match   matcher
	at      *when // stepExpect: when the message arrived, if given
	jump    jump
	path    string // stepCheck
	want    string // stepCheck
	defines []string
}

// when is a local time an expectation names: a time of day, optionally on a
// weekday or a date.
type when struct {
	clock   scheduler.Clock
	weekday *time.Weekday
	date    *scheduler.Date
}

func (w when) matches(t time.Time, loc *time.Location) bool {
	l := t.In(loc)
	if l.Hour() != w.clock.Hour || l.Minute() != w.clock.Minute {
		return false
	}
	if w.weekday != nil && l.Weekday() != *w.weekday {
		return false
	}
	if w.date != nil && scheduler.DateOf(t, loc) != *w.date {
		return false
	}
	return true
}

func (w when) String() string {
	s := fmt.Sprintf("%02d:%02d", w.clock.Hour, w.clock.Minute)
	if w.weekday != nil {
		s = w.weekday.String()[:3] + " " + s
	}
	if w.date != nil {
		s = w.date.String() + " " + s
	}
	return s
}

// jump is where an "@" line moves the clock.
type jump struct {
	by time.Duration // relative, when > 0
	to *when         // absolute (with a date) or the next such moment
}

// target is the instant the jump reaches from now.
func (j jump) target(now time.Time, loc *time.Location) time.Time {
	if j.by > 0 {
		return now.Add(j.by)
	}
	w := j.to
	if w.date != nil {
		return scheduler.At(*w.date, w.clock, loc)
	}
	d := scheduler.DateOf(now, loc)
	for range 8 {
		t := scheduler.At(d, w.clock, loc)
		if t.After(now) && (w.weekday == nil || t.In(loc).Weekday() == *w.weekday) {
			return t
		}
		d = d.AddDays(1)
	}
	return now // not reached: some day in eight is the weekday
}

// matcher checks one message.
type matcher struct {
	any   bool
	parts []string       // in order, as written
	re    *regexp.Regexp // or a regular expression
	src   string         // as written
}

// Parse reads a scenario. name appears in error messages and results; errors
// name the line, like "onboarding.scenario:12: ...".
func Parse(r io.Reader, name string) (*Scenario, error) {
	p := &parser{sc: &Scenario{Name: name, people: map[string]*person{}}, vars: map[string]int{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	n := 0
	for sc.Scan() {
		n++
		if err := p.line(n, sc.Text()); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, n, err)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if !p.started {
		return nil, fmt.Errorf("%s: no start line (start 2026-11-22 09:30 Europe/Zurich)", name)
	}
	if len(p.sc.steps) == 0 {
		return nil, fmt.Errorf("%s: no steps after the start line", name)
	}
	p.sc.About = strings.TrimSpace(strings.Join(p.about, "\n"))
	return p.sc, nil
}

type parser struct {
	sc      *Scenario
	started bool
	about   []string
	vars    map[string]int // variable → line that captures it
}

var (
	personLine = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9_.-]*)(?:@([a-z]+))?\s*(:|<)(.*)$`)
	varRef     = regexp.MustCompile(`\$\$|\$([A-Za-z_][A-Za-z0-9_]*)`)
	clockWord  = regexp.MustCompile(`^\d{1,2}:\d{2}$`)
)

func (p *parser) line(n int, raw string) error {
	text, comment := stripComment(raw)
	if text == "" {
		if !p.started && len(p.sc.steps) == 0 && comment != "" {
			p.about = append(p.about, strings.TrimSpace(strings.TrimPrefix(comment, "#")))
		}
		return nil
	}
	if !p.started {
		if f := strings.Fields(text); f[0] != "start" {
			return fmt.Errorf("the first statement must be: start YYYY-MM-DD HH:MM [ZONE], not %q", text)
		}
		return p.start(text)
	}
	if m := personLine.FindStringSubmatch(text); m != nil {
		who, err := p.person(m[1], m[2])
		if err != nil {
			return err
		}
		rest := strings.TrimSpace(m[4])
		st := step{line: n, text: text, who: who}
		if m[3] == ":" {
			err = p.action(&st, rest)
		} else {
			err = p.expect(&st, rest)
		}
		if err != nil {
			return err
		}
		p.sc.steps = append(p.sc.steps, st)
		return nil
	}
	word, rest, _ := strings.Cut(text, " ")
	rest = strings.TrimSpace(rest)
	switch {
	case word == "start":
		return fmt.Errorf("start may appear only once, as the first statement")
	case word == "set":
		return p.set(n, rest)
	case word == "@" || strings.HasPrefix(word, "@"):
		j, err := parseJump(strings.TrimSpace(strings.TrimPrefix(text, "@")))
		if err != nil {
			return err
		}
		p.sc.steps = append(p.sc.steps, step{line: n, text: text, kind: stepJump, jump: j})
		return nil
	case word == "check":
		return p.check(n, text, rest)
	}
	return fmt.Errorf("%q is not a step: want NAME: TEXT, NAME < PATTERN, @ WHEN, set KEY VALUE or check NAME PATH VALUE", text)
}

// stripComment cuts a comment starting at the beginning of the line or after a
// space, and turns "\#" into "#".
func stripComment(raw string) (text, comment string) {
	var b strings.Builder
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if c == '\\' && i+1 < len(raw) && raw[i+1] == '#' {
			b.WriteByte('#')
			i++
			continue
		}
		if c == '#' && (i == 0 || raw[i-1] == ' ' || raw[i-1] == '\t') {
			comment = raw[i:]
			break
		}
		b.WriteByte(c)
	}
	return strings.TrimSpace(b.String()), comment
}

func (p *parser) start(text string) error {
	f := strings.Fields(text)
	if len(f) < 3 {
		return fmt.Errorf("want start YYYY-MM-DD HH:MM [ZONE], not %q", text)
	}
	d, err := scheduler.ParseDate(f[1])
	if err != nil {
		return fmt.Errorf("start: %v", err)
	}
	c, err := parseClock(f[2])
	if err != nil {
		return fmt.Errorf("start: %v", err)
	}
	loc := time.UTC
	if len(f) > 3 {
		zone := strings.Join(f[3:], " ")
		if loc, err = scheduler.ParseZone(zone); err != nil {
			return fmt.Errorf("start: zone %q: %v", zone, err)
		}
	}
	p.sc.Zone, p.sc.Start, p.started = loc, scheduler.At(d, c, loc), true
	return nil
}

// parseClock reads HH:MM strictly, so a time is never mistaken for text.
func parseClock(s string) (scheduler.Clock, error) {
	if !clockWord.MatchString(s) {
		return scheduler.Clock{}, fmt.Errorf("%q is not a time like 09:30", s)
	}
	return scheduler.ParseClock(s)
}

func (p *parser) person(name, platform string) (string, error) {
	switch platform {
	case "", bot.Console:
		platform = bot.Console
	case bot.Telegram, bot.Discord:
	default:
		return "", fmt.Errorf("%s@%s: the platform must be console, telegram or discord", name, platform)
	}
	key := name
	if platform != bot.Console {
		key = name + "@" + platform
	}
	if _, ok := p.sc.people[key]; !ok {
		p.sc.people[key] = &person{key: key, id: bot.ID(platform, name), name: strings.ToUpper(name[:1]) + name[1:]}
		p.sc.order = append(p.sc.order, key)
	}
	return key, nil
}

var pressLine = regexp.MustCompile(`^\[(.+)\]$`)

func (p *parser) action(st *step, rest string) error {
	if m := pressLine.FindStringSubmatch(rest); m != nil {
		st.kind = stepPress
		label := strings.TrimSpace(m[1])
		if n, err := strconv.Atoi(label); err == nil {
			if n < 1 {
				return fmt.Errorf("[%d]: buttons count from 1", n)
			}
			st.number = n
			return nil
		}
		st.label = label
		return p.uses(label)
	}
	st.kind, st.say = stepSay, rest
	return p.uses(rest)
}

// uses fails when text refers to a variable no earlier line captures.
func (p *parser) uses(text string) error {
	for _, m := range varRef.FindAllStringSubmatch(text, -1) {
		if m[1] != "" {
			if _, ok := p.vars[m[1]]; !ok {
				return fmt.Errorf("$%s is not captured by an earlier line (capture it with /(?P<%s>\\w+)/ in an expectation)", m[1], m[1])
			}
		}
	}
	return nil
}

func (p *parser) expect(st *step, rest string) error {
	if rest == "" {
		return fmt.Errorf("%s <: say what the message contains, * for any message, or nothing", st.who)
	}
	if strings.EqualFold(rest, "nothing") {
		st.kind = stepNothing
		return nil
	}
	st.kind = stepExpect
	w, rest, err := parseWhenPrefix(rest)
	if err != nil {
		return err
	}
	st.at = w
	if rest == "" {
		if w == nil {
			return fmt.Errorf("%s <: say what the message contains", st.who)
		}
		rest = "*"
	}
	st.match, err = parseMatcher(rest)
	if err != nil {
		return err
	}
	if st.match.re == nil {
		for _, part := range st.match.parts {
			if err := p.uses(part); err != nil {
				return err
			}
		}
	}
	if st.match.re != nil {
		for _, name := range st.match.re.SubexpNames() {
			if name != "" {
				p.vars[name] = st.line
				st.defines = append(st.defines, name)
			}
		}
	}
	return nil
}

var weekdays = map[string]time.Weekday{
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
}

// parseWhenPrefix reads an optional "HH:MM", "Mon HH:MM" or "YYYY-MM-DD HH:MM"
// at the start of s and returns what follows it.
func parseWhenPrefix(s string) (*when, string, error) {
	f := strings.Fields(s)
	if len(f) == 0 {
		return nil, s, nil
	}
	first := f[0]
	day, isDay := weekdays[strings.ToLower(first)]
	_, dateErr := scheduler.ParseDate(first)
	switch {
	case clockWord.MatchString(first):
		c, err := parseClock(first)
		if err != nil {
			return nil, "", err
		}
		return &when{clock: c}, after(s, 1), nil
	case (isDay || dateErr == nil) && len(f) > 1 && clockWord.MatchString(f[1]):
		c, err := parseClock(f[1])
		if err != nil {
			return nil, "", err
		}
		w := &when{clock: c}
		if isDay {
			w.weekday = &day
		} else {
			d, _ := scheduler.ParseDate(first)
			w.date = &d
		}
		return w, after(s, 2), nil
	}
	return nil, s, nil
}

// after returns s without its first n words.
func after(s string, n int) string {
	s = strings.TrimSpace(s)
	for range n {
		i := strings.IndexAny(s, " \t")
		if i < 0 {
			return ""
		}
		s = strings.TrimSpace(s[i:])
	}
	return s
}

func parseMatcher(s string) (matcher, error) {
	m := matcher{src: s}
	if s == "*" {
		m.any = true
		return m, nil
	}
	if len(s) >= 2 && s[0] == '/' && s[len(s)-1] == '/' {
		re, err := regexp.Compile("(?is)" + s[1:len(s)-1])
		if err != nil {
			return m, fmt.Errorf("pattern %s: %v", s, err)
		}
		m.re = re
		return m, nil
	}
	for _, part := range splitParts(s) {
		if part = strings.TrimSpace(part); part != "" {
			m.parts = append(m.parts, part) // normalised when matched, after $variables
		}
	}
	if len(m.parts) == 0 {
		return m, fmt.Errorf("pattern %q has nothing to look for", s)
	}
	return m, nil
}

// splitParts splits a pattern at "…" and "...".
func splitParts(s string) []string {
	return strings.Split(strings.ReplaceAll(s, "...", "…"), "…")
}

// normalise lowers case and collapses runs of spaces and line ends.
func normalise(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(s), " "))
}

func parseJump(s string) (jump, error) {
	if s == "" {
		return jump{}, fmt.Errorf("@: say when: @ 2026-11-23 09:00, @ Mon 09:00, @ 09:00 or @ +3h")
	}
	if rel, ok := strings.CutPrefix(s, "+"); ok {
		d, err := parseDuration(rel)
		if err != nil {
			return jump{}, fmt.Errorf("@ %s: %v", s, err)
		}
		if d <= 0 {
			return jump{}, fmt.Errorf("@ %s: the clock only moves forward", s)
		}
		return jump{by: d}, nil
	}
	w, rest, err := parseWhenPrefix(s)
	if err != nil {
		return jump{}, fmt.Errorf("@ %s: %v", s, err)
	}
	if w == nil || rest != "" {
		return jump{}, fmt.Errorf("@ %s: want 2026-11-23 09:00, Mon 09:00, 09:00 or +3h", s)
	}
	return jump{to: w}, nil
}

// parseDuration reads Go durations with whole days in front: "3h", "2d",
// "1d2h30m".
func parseDuration(s string) (time.Duration, error) {
	var days time.Duration
	if i := strings.IndexByte(s, 'd'); i > 0 {
		n, err := strconv.Atoi(s[:i])
		if err != nil {
			return 0, fmt.Errorf("%q is not a duration like 3h, 2d or 1d2h", s)
		}
		days, s = time.Duration(n)*24*time.Hour, s[i+1:]
		if s == "" {
			return days, nil
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration like 3h, 2d or 1d2h", s)
	}
	return days + d, nil
}

func (p *parser) set(n int, rest string) error {
	if len(p.sc.steps) > 0 {
		return fmt.Errorf("set lines go before the first step: the engine is configured once")
	}
	key, value, _ := strings.Cut(rest, " ")
	value = strings.TrimSpace(value)
	if key == "" || value == "" {
		return fmt.Errorf("want set KEY VALUE, not %q", "set "+rest)
	}
	cfg := flows.Config{}
	if err := apply(&cfg, key, value, func(s string) string { return s }); err != nil {
		return err
	}
	p.sc.settings = append(p.sc.settings, setting{line: n, key: key, value: value})
	return nil
}

func (p *parser) check(n int, text, rest string) error {
	f := strings.Fields(rest)
	if len(f) < 3 {
		return fmt.Errorf("want check NAME PATH VALUE, not %q", text)
	}
	name, platform, _ := strings.Cut(f[0], "@")
	if !regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_.-]*$`).MatchString(name) {
		return fmt.Errorf("check: %q is not a name", f[0])
	}
	who, err := p.person(name, platform)
	if err != nil {
		return err
	}
	want := after(rest, 2)
	if err := p.uses(want); err != nil {
		return err
	}
	p.sc.steps = append(p.sc.steps, step{line: n, text: text, kind: stepCheck, who: who, path: f[1], want: want})
	return nil
}

// apply sets one configuration key. idOf turns a person's name into their
// platform ID, for admins.
func apply(cfg *flows.Config, key, value string, idOf func(string) string) error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("set %s: %s", key, fmt.Sprintf(format, args...))
	}
	number := func(lo, hi int) (int, error) {
		n, err := strconv.Atoi(value)
		if err != nil || n < lo || n > hi {
			return 0, bad("want a number from %d to %d, not %q", lo, hi, value)
		}
		return n, nil
	}
	var err error
	switch key {
	case "coach_code":
		cfg.CoachCode = value
	case "admins":
		cfg.Admins = nil
		for _, a := range strings.FieldsFunc(value, func(r rune) bool { return r == ' ' || r == ',' }) {
			cfg.Admins = append(cfg.Admins, idOf(a))
		}
	case "rhythm.quiet_hours":
		if cfg.Rhythm.Quiet, err = scheduler.ParseWindow(value); err != nil {
			return bad("%q is not a window like 21:00-08:00", value)
		}
	case "rhythm.max_messages_per_day", "rhythm.max_per_day":
		cfg.Rhythm.MaxPerDay, err = number(1, 20)
	case "rhythm.nudge_after":
		if cfg.Rhythm.NudgeAfter, err = parseDuration(value); err != nil || cfg.Rhythm.NudgeAfter < 10*time.Minute {
			return bad("want a duration of at least 10m, not %q", value)
		}
	case "rhythm.assess_every_weeks":
		cfg.Rhythm.AssessEvery, err = number(1, 52)
	case "rhythm.invite_ttl":
		if cfg.Rhythm.InviteTTL, err = parseDuration(value); err != nil || cfg.Rhythm.InviteTTL < time.Hour {
			return bad("want a duration of at least 1h, not %q", value)
		}
	case "rhythm.default_checkin":
		if cfg.Rhythm.DefaultCheckIn, err = scheduler.ParseClock(value); err != nil {
			return bad("%q is not a time like 09:00", value)
		}
	case "safety.help_line":
		cfg.HelpLine = value
	case "safety.words":
		cfg.CrisisWords = nil
		for _, w := range strings.Split(value, ",") {
			if w = strings.TrimSpace(w); w != "" {
				cfg.CrisisWords = append(cfg.CrisisWords, w)
			}
		}
	case "messages.language":
		if cfg.Catalog, err = flows.LoadCatalog(value, ""); err != nil {
			return bad("%v", err)
		}
	default:
		return fmt.Errorf("set %s: unknown key; known: coach_code, admins, rhythm.quiet_hours, rhythm.max_messages_per_day, "+
			"rhythm.nudge_after, rhythm.assess_every_weeks, rhythm.invite_ttl, rhythm.default_checkin, "+
			"safety.help_line, safety.words, messages.language", key)
	}
	return err
}
