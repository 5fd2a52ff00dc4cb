package scenario

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/coachbot/coachbot/scheduler"
)

// transcript writes what people write and receive, as a coach would read it:
// a heading for each day, then local time, who, ">" for what they write and
// "<" for what they receive, buttons as [Label].
type transcript struct {
	w       io.Writer
	loc     *time.Location
	verbose bool
	width   int
	day     scheduler.Date
}

func newTranscript(w io.Writer, loc *time.Location, verbose bool) *transcript {
	if w == nil {
		w = io.Discard
	}
	return &transcript{w: w, loc: loc, verbose: verbose, width: 5}
}

// stamp is a moment in the scenario's zone, for messages and failures.
func (t *transcript) stamp(at time.Time) string {
	return at.In(t.loc).Format("Mon 02 Jan 15:04")
}

func (t *transcript) begin(s *Scenario, now time.Time) {
	for _, k := range s.order {
		t.width = max(t.width, len(k))
	}
	if s.About != "" {
		fmt.Fprintf(t.w, "# %s\n", strings.ReplaceAll(s.About, "\n", "\n# "))
	}
	fmt.Fprintf(t.w, "(times in %s)\n", t.loc)
}

// heading starts a new day when at falls on one.
func (t *transcript) heading(at time.Time) {
	d := scheduler.DateOf(at, t.loc)
	if d == t.day {
		return
	}
	t.day = d
	fmt.Fprintf(t.w, "\n%s\n", at.In(t.loc).Format("Monday 2 January 2006"))
}

func (t *transcript) entry(who string, at time.Time, arrow, text string) {
	t.heading(at)
	pad := strings.Repeat(" ", 5+2+t.width+1+2)
	lines := strings.Split(text, "\n")
	fmt.Fprintf(t.w, "%s  %-*s %s %s\n", at.In(t.loc).Format("15:04"), t.width, who, arrow, lines[0])
	for _, l := range lines[1:] {
		if l == "" {
			fmt.Fprintln(t.w)
			continue
		}
		fmt.Fprintf(t.w, "%s%s\n", pad, l)
	}
}

// in is what someone writes or presses.
func (t *transcript) in(who string, at time.Time, text string) {
	if text == "" {
		text = "(an empty message)"
	}
	t.entry(who, at, ">", text)
}

// out is a message someone receives.
func (t *transcript) out(who string, m received) {
	t.entry(who, m.at, "<", render(m.reply))
}

// checked notes an expectation or check that held, in verbose mode.
func (t *transcript) checked(st step, at time.Time) {
	if t.verbose {
		t.heading(at)
		fmt.Fprintf(t.w, "       ok line %d: %s\n", st.line, st.text)
	}
}

// moving notes a move of the clock, in verbose mode, before what arrives on
// the way.
func (t *transcript) moving(st step, to time.Time) {
	if t.verbose {
		fmt.Fprintf(t.w, "       line %d: %s: the clock moves to %s\n", st.line, st.text, t.stamp(to))
	}
}

// failure marks where the scenario stopped holding; the details are in the
// Result.
func (t *transcript) failure(f Failure) {
	if f.Line > 0 {
		fmt.Fprintf(t.w, "       FAILED at line %d: %s\n", f.Line, f.Step)
	}
}
