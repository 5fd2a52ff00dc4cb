package scenario

import (
	"context"
	"encoding"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/coachbot/coachbot/bot"
	"github.com/coachbot/coachbot/flows"
	"github.com/coachbot/coachbot/storage"
)

// Options shape one run of a scenario.
type Options struct {
	// Transcript receives every message in and out, with local times; nil
	// writes none.
	Transcript io.Writer
	// Verbose adds to the transcript how the scenario was checked: each
	// expectation met, each move of the clock.
	Verbose bool
	// DB is the database file. Empty means a fresh file in a temporary
	// directory, removed afterwards. A scenario starts from nothing, so an
	// existing database is refused.
	DB string
	// Configure, when set, prepares the engine configuration before the
	// scenario's own set lines apply (a deployment's config, for a preview).
	Configure func(*flows.Config)
	// Set overrides keys after the scenario's set lines, in the same terms.
	Set map[string]string
	// Progress, when set, is told after each step (a message, a check, a
	// move of the clock) how many of the scenario's steps have run.
	Progress func(done, total int)
}

// Result is what a run found.
type Result struct {
	Failures []Failure
}

// OK reports whether the scenario held.
func (r Result) OK() bool { return len(r.Failures) == 0 }

// Failure is one way the bot did not behave as the scenario says.
type Failure struct {
	Line    int    // the scenario line; 0 for the end of the file
	Step    string // that line as written
	Problem string // what happened instead; may span lines
}

func (f Failure) String() string {
	if f.Line == 0 {
		return "at the end: " + f.Problem
	}
	return fmt.Sprintf("line %d: %s\n    %s", f.Line, f.Step, strings.ReplaceAll(f.Problem, "\n", "\n    "))
}

// received is one message a person got, with the time it was queued.
type received struct {
	at    time.Time
	reply bot.Reply
}

// clock is the test clock: it moves only when the scenario says.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

// runner is one run of a scenario.
type runner struct {
	sc      *Scenario
	opts    Options
	clock   *clock
	db      *storage.DB
	engine  *flows.Engine
	byID    map[string]*person
	pending map[string][]received // unmatched, by person key or unknown chat ID
	latest  map[string]received   // latest message with buttons, by person key
	vars    map[string]string
	swept   time.Time // when the sweep last ran
	tr      *transcript
	fails   []Failure
}

// errStop ends a run at its first failure.
var errStop = errors.New("scenario failed")

// maxSweeps bounds the sweeps of one jump, so an engine that keeps a moment
// due forever cannot hang a run.
const maxSweeps = 20000

// Run runs the scenario with a fresh engine on a fresh database. The error is
// for what kept the scenario from running at all; what the bot did differently
// is in the Result.
func (s *Scenario) Run(ctx context.Context, opts Options) (Result, error) {
	path := opts.DB
	if path == "" {
		dir, err := os.MkdirTemp("", "coachbot-scenario-")
		if err != nil {
			return Result{}, err
		}
		defer os.RemoveAll(dir)
		path = filepath.Join(dir, "scenario.db")
	} else if st, err := os.Stat(path); err == nil && st.Size() > 0 {
		return Result{}, fmt.Errorf("scenario: database %s already exists; a scenario starts from an empty one", path)
	}

	r := &runner{
		sc: s, opts: opts, clock: &clock{t: s.Start},
		byID: map[string]*person{}, pending: map[string][]received{}, latest: map[string]received{},
		vars: map[string]string{},
	}
	for _, p := range s.people {
		r.byID[p.id] = p
	}
	cfg, err := r.config()
	if err != nil {
		return Result{}, err
	}
	r.db, err = storage.Open(ctx, path, storage.WithClock(r.clock.Now))
	if err != nil {
		return Result{}, err
	}
	defer r.db.Close()
	r.engine = flows.New(r.db, cfg)
	r.tr = newTranscript(opts.Transcript, s.Zone, opts.Verbose)
	r.tr.begin(s, r.clock.Now())

	for i, st := range s.steps {
		if err := ctx.Err(); err != nil {
			return Result{Failures: r.fails}, err
		}
		err := r.step(ctx, st)
		if opts.Progress != nil {
			opts.Progress(i+1, len(s.steps))
		}
		if errors.Is(err, errStop) {
			break
		}
		if err != nil {
			return Result{Failures: r.fails}, fmt.Errorf("%s:%d: %w", s.Name, st.line, err)
		}
	}
	if len(r.fails) == 0 {
		r.end()
	}
	return Result{Failures: r.fails}, nil
}

// config builds the engine configuration: defaults, then Options.Configure,
// then the scenario's set lines, then Options.Set.
func (r *runner) config() (flows.Config, error) {
	cat, err := flows.LoadCatalog("en", "")
	if err != nil {
		return flows.Config{}, err
	}
	// The clock stands still while people type, so the flood limit would
	// read a scenario as a flood: it is off here.
	cfg := flows.Config{Catalog: cat, HelpLine: "If you are in danger, please call your local emergency number now.", FloodMessages: -1}
	if r.opts.Configure != nil {
		r.opts.Configure(&cfg)
	}
	idOf := func(name string) string {
		if strings.Contains(name, ":") {
			return name
		}
		if p, ok := r.sc.people[name]; ok {
			return p.id
		}
		return bot.ID(bot.Console, name)
	}
	for _, s := range r.sc.settings {
		if err := apply(&cfg, s.key, s.value, idOf); err != nil {
			return flows.Config{}, fmt.Errorf("%s:%d: %w", r.sc.Name, s.line, err)
		}
	}
	keys := make([]string, 0, len(r.opts.Set))
	for k := range r.opts.Set {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if err := apply(&cfg, k, r.opts.Set[k], idOf); err != nil {
			return flows.Config{}, err
		}
	}
	cfg.Now = r.clock.Now
	return cfg, nil
}

// fail records a failure and stops the run.
func (r *runner) fail(st step, format string, args ...any) error {
	f := Failure{Line: st.line, Step: st.text, Problem: fmt.Sprintf(format, args...)}
	r.fails = append(r.fails, f)
	r.tr.failure(f)
	return errStop
}

func (r *runner) step(ctx context.Context, st step) error {
	switch st.kind {
	case stepSay, stepPress:
		return r.act(ctx, st)
	case stepExpect:
		return r.expect(st)
	case stepNothing:
		if q := r.pending[st.who]; len(q) > 0 {
			return r.fail(st, "%s received %s:\n%s", st.who, count(len(q)), r.list(q))
		}
		r.tr.checked(st, r.clock.Now())
		return nil
	case stepJump:
		return r.jump(ctx, st)
	case stepCheck:
		return r.check(ctx, st)
	}
	return fmt.Errorf("unknown step %d", st.kind)
}

// act sends what a person writes or presses, after making sure everything
// they received was expected.
func (r *runner) act(ctx context.Context, st step) error {
	p := r.sc.people[st.who]
	if q := r.pending[st.who]; len(q) > 0 {
		return r.fail(st, "before %s writes again, %s received %s the scenario does not expect:\n%s",
			st.who, st.who, count(len(q)), r.list(q))
	}
	m := bot.Message{ChatID: p.id, UserID: p.id, Name: p.name, At: r.clock.Now()}
	shown := ""
	if st.kind == stepSay {
		m.Text = r.expand(st.say)
		shown = m.Text
	} else {
		last, ok := r.latest[st.who]
		if !ok {
			return r.fail(st, "%s has received no message with buttons", st.who)
		}
		b, ok := pick(last.reply.Buttons, st)
		if !ok {
			return r.fail(st, "no button %s on %s's latest message with buttons (%s %q); its buttons: %s",
				st.buttonName(r), st.who, r.tr.stamp(last.at), firstLine(last.reply.Text), labels(last.reply.Buttons))
		}
		m.Press = b.Data
		shown = "[" + b.Label + "]"
	}
	r.tr.in(st.who, m.At, shown)
	if err := r.engine.Handle(ctx, m); err != nil {
		r.drain(ctx)
		return r.fail(st, "the engine failed: %v", err)
	}
	return r.drain(ctx)
}

func (st step) buttonName(r *runner) string {
	if st.number > 0 {
		return fmt.Sprintf("[%d]", st.number)
	}
	return fmt.Sprintf("%q", r.expand(st.label))
}

// pick finds the button a press step names.
func pick(bs []bot.Button, st step) (bot.Button, bool) {
	if st.number > 0 {
		if st.number <= len(bs) {
			return bs[st.number-1], true
		}
		return bot.Button{}, false
	}
	for _, b := range bs {
		if normalise(b.Label) == normalise(st.label) {
			return b, true
		}
	}
	return bot.Button{}, false
}

// expand fills in $variables; "$$" is a plain "$".
func (r *runner) expand(s string) string {
	return varRef.ReplaceAllStringFunc(s, func(m string) string {
		if m == "$$" {
			return "$"
		}
		return r.vars[m[1:]]
	})
}

// drain takes every queued message out of the outbox, as a dispatcher would,
// and hands each to the person it is for.
func (r *runner) drain(ctx context.Context) error {
	var rows []bot.Outgoing
	for _, platform := range []string{bot.Console, bot.Telegram, bot.Discord} {
		rs, err := r.db.Pending(ctx, platform, 0)
		if err != nil {
			return err
		}
		rows = append(rows, rs...)
	}
	if len(rows) == 0 {
		return nil
	}
	slices.SortFunc(rows, func(a, b bot.Outgoing) int { return int(a.ID - b.ID) })
	ids := make([]int64, len(rows))
	now := r.clock.Now()
	for i, o := range rows {
		ids[i] = o.ID
		key := o.Reply.ChatID
		if p, ok := r.byID[key]; ok {
			key = p.key
		}
		got := received{at: now, reply: o.Reply}
		r.pending[key] = append(r.pending[key], got)
		if len(o.Reply.Buttons) > 0 {
			r.latest[key] = got
		}
		r.tr.out(key, got)
	}
	return r.db.MarkSentAll(ctx, ids, now)
}

// expect matches the next unmatched messages of a person: the first, or, when
// the step's parts run on, the first few in a row.
func (r *runner) expect(st step) error {
	q := r.pending[st.who]
	if len(q) == 0 {
		return r.fail(st, "%s has received nothing more (the clock is at %s)", st.who, r.tr.stamp(r.clock.Now()))
	}
	got := q[0]
	if st.at != nil && !st.at.matches(got.at, r.sc.Zone) {
		return r.fail(st, "the next message to %s arrived at %s, not %s:\n%s", st.who, r.tr.stamp(got.at), st.at, r.list(q[:1]))
	}
	n, problem := r.match(st, q)
	if problem != "" {
		more := ""
		if len(q) > n {
			more = fmt.Sprintf("\n(and %d more after)", len(q)-n)
		}
		return r.fail(st, "the next message to %s (%s) %s:\n%s%s", st.who, r.tr.stamp(got.at), problem, r.list(q[:n]), more)
	}
	r.pending[st.who] = q[n:]
	if len(q) == n {
		delete(r.pending, st.who)
	}
	r.tr.checked(st, got.at)
	return nil
}

// match reports how many of the messages q begins with the step covers, and
// what is wrong when it does not fit. A pattern's parts are looked for in
// order; when a part is not in the rest of a message that held an earlier
// part, it may be in the message after it, so one expectation reads the same
// whether the bot says something in one message or two. Every message it
// covers holds at least one part.
func (r *runner) match(st step, q []received) (int, string) {
	m := st.match
	text := render(q[0].reply)
	switch {
	case m.any:
		return 1, ""
	case m.re != nil:
		sub := m.re.FindStringSubmatch(text)
		if sub == nil {
			return 1, fmt.Sprintf("does not match %s", m.src)
		}
		for i, name := range m.re.SubexpNames() {
			if name != "" {
				r.vars[name] = sub[i]
			}
		}
		return 1, ""
	}
	n, rest := 1, normalise(text)
	for i, part := range m.parts {
		want := normalise(r.expand(part))
		j := strings.Index(rest, want)
		if j < 0 && i > 0 && n < len(q) {
			next := normalise(render(q[n].reply))
			if j = strings.Index(next, want); j < 0 {
				return n + 1, fmt.Sprintf("does not contain %q after %q, nor does the message after it", r.expand(part), r.expand(m.parts[i-1]))
			}
			n, rest = n+1, next
		}
		if j < 0 {
			if i == 0 {
				return n, fmt.Sprintf("does not contain %q", r.expand(part))
			}
			return n, fmt.Sprintf("does not contain %q after %q", r.expand(part), r.expand(m.parts[i-1]))
		}
		rest = rest[j+len(want):]
	}
	return n, ""
}

// jump moves the clock to the step's target, running the due sweep at every
// due moment on the way and once at the target.
func (r *runner) jump(ctx context.Context, st step) error {
	now := r.clock.Now()
	target := st.jump.target(now, r.sc.Zone)
	if target.Before(now) {
		return r.fail(st, "the clock is at %s already; it only moves forward", r.tr.stamp(now))
	}
	r.tr.moving(st, target)
	for i := 0; ; i++ {
		next, ok, err := r.engine.NextDue(ctx)
		if err != nil {
			return err
		}
		if !ok || next.After(target) {
			break
		}
		if i == maxSweeps {
			return fmt.Errorf("the sweep ran %d times on the way to %s and something is still due at %s", i, r.tr.stamp(target), r.tr.stamp(next))
		}
		if !next.After(r.swept) {
			// Still due after a sweep: the next tick is a minute later.
			next = r.swept.Add(time.Minute)
			if next.After(target) {
				break
			}
		}
		if next.After(r.clock.Now()) {
			r.clock.Set(next)
		}
		if err := r.sweep(ctx); err != nil {
			return err
		}
	}
	r.clock.Set(target)
	if err := r.sweep(ctx); err != nil {
		return err
	}
	return nil
}

func (r *runner) sweep(ctx context.Context) error {
	if _, err := r.engine.Sweep(ctx); err != nil {
		return fmt.Errorf("sweep at %s: %w", r.tr.stamp(r.clock.Now()), err)
	}
	r.swept = r.clock.Now()
	return r.drain(ctx)
}

// check compares one stored value of a person with the step's.
func (r *runner) check(ctx context.Context, st step) error {
	p := r.sc.people[st.who]
	var x flows.Export
	err := r.db.View(ctx, func(tx flows.Tx) error {
		var err error
		x, err = flows.ExportClient(tx, p.id, r.clock.Now())
		return err
	})
	if errors.Is(err, flows.ErrNotFound) {
		return r.fail(st, "nothing is stored about %s as a client", st.who)
	}
	if err != nil {
		return err
	}
	got, err := lookup(reflect.ValueOf(x), st.path)
	if err != nil {
		return r.fail(st, "%v", err)
	}
	want := r.expand(st.want)
	if want == "-" {
		want = ""
	}
	if got != want {
		if got == "" {
			got = "-"
		}
		return r.fail(st, "%s's %s is %q", st.who, st.path, got)
	}
	r.tr.checked(st, r.clock.Now())
	return nil
}

// lookup follows a dotted path of JSON names (as /export writes them) into
// v and returns what is there as text: a list gives its length, a zero time
// or a zero number "".
func lookup(v reflect.Value, path string) (string, error) {
	for _, key := range strings.Split(path, ".") {
		switch v.Kind() {
		case reflect.Struct:
			if _, ok := v.Interface().(encoding.TextMarshaler); ok || v.Type() == reflect.TypeFor[time.Time]() {
				return "", fmt.Errorf("%s: %q is past the end of the path", path, key)
			}
			f, ok := field(v, key)
			if !ok {
				return "", fmt.Errorf("%s: no %q here; there are: %s", path, key, strings.Join(fieldNames(v.Type()), ", "))
			}
			v = f
		case reflect.Slice:
			i, err := strconv.Atoi(key)
			if err != nil || i < 0 || i >= v.Len() {
				return "", fmt.Errorf("%s: %q is not one of the %d entries (counted from 0)", path, key, v.Len())
			}
			v = v.Index(i)
		default:
			return "", fmt.Errorf("%s: %q is past the end of the path", path, key)
		}
	}
	if t, ok := v.Interface().(time.Time); ok {
		if t.IsZero() {
			return "", nil
		}
		return t.Format("2006-01-02 15:04"), nil
	}
	if m, ok := v.Interface().(encoding.TextMarshaler); ok {
		// A zone, a time of day, days, a cadence, a date: as /export writes it.
		b, err := m.MarshalText()
		return string(b), err
	}
	switch v.Kind() {
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return string(v.Bytes()), nil
		}
		return strconv.Itoa(v.Len()), nil
	case reflect.Struct:
		return "", fmt.Errorf("%s is a group of values (%s): name one of them", path, strings.Join(fieldNames(v.Type()), ", "))
	case reflect.Pointer:
		if v.IsNil() {
			return "", nil
		}
		return fmt.Sprint(v.Elem().Interface()), nil
	case reflect.Int, reflect.Int64, reflect.Float64:
		if v.IsZero() {
			return "0", nil
		}
	}
	return fmt.Sprint(v.Interface()), nil
}

// field finds a struct field by its JSON name.
func field(v reflect.Value, key string) (reflect.Value, bool) {
	t := v.Type()
	for i := range t.NumField() {
		if f := t.Field(i); f.IsExported() && jsonName(f) == key {
			return v.Field(i), true
		}
	}
	return reflect.Value{}, false
}

func fieldNames(t reflect.Type) []string {
	var names []string
	for i := range t.NumField() {
		if f := t.Field(i); f.IsExported() && jsonName(f) != "-" {
			names = append(names, jsonName(f))
		}
	}
	return names
}

func jsonName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	if name == "" {
		return f.Name
	}
	return name
}

// end fails for every message nobody expected.
func (r *runner) end() {
	keys := make([]string, 0, len(r.pending))
	for k, q := range r.pending {
		if len(q) > 0 {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, func(a, b string) int { return r.rank(a) - r.rank(b) })
	for _, k := range keys {
		q := r.pending[k]
		f := Failure{Problem: fmt.Sprintf("%s received %s the scenario does not expect:\n%s", k, count(len(q)), r.list(q))}
		r.fails = append(r.fails, f)
		r.tr.failure(f)
	}
}

// rank orders people as they first appear in the file.
func (r *runner) rank(key string) int {
	if i := slices.Index(r.sc.order, key); i >= 0 {
		return i
	}
	return len(r.sc.order)
}

// list shows messages with their times, for a failure.
func (r *runner) list(q []received) string {
	var b strings.Builder
	for i, m := range q {
		if i > 0 {
			b.WriteByte('\n')
		}
		for j, line := range strings.Split(render(m.reply), "\n") {
			switch {
			case j == 0:
				fmt.Fprintf(&b, "  %s  %s", r.tr.stamp(m.at), line)
			case line == "":
				b.WriteByte('\n')
			default:
				fmt.Fprintf(&b, "\n%*s%s", 2+len(r.tr.stamp(m.at))+2, "", line)
			}
		}
	}
	return b.String()
}

// render is a message as it is matched and shown: its text, then its
// buttons as [Label].
func render(reply bot.Reply) string {
	text := reply.Text
	if reply.Document != nil {
		text += "\n(file " + reply.Document.Name + ")"
	}
	if len(reply.Buttons) > 0 {
		text += "\n" + labels(reply.Buttons)
	}
	return text
}

func labels(bs []bot.Button) string {
	parts := make([]string, len(bs))
	for i, b := range bs {
		parts[i] = "[" + b.Label + "]"
	}
	return strings.Join(parts, " ")
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	if r := []rune(line); len(r) > 60 {
		return string(r[:59]) + "…"
	}
	return line
}

func indent(s string) string { return "  " + strings.ReplaceAll(s, "\n", "\n  ") }

func count(n int) string {
	if n == 1 {
		return "1 message"
	}
	return strconv.Itoa(n) + " messages"
}
