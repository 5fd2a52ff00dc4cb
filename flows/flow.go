package flows

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Input is what kind of answer a step takes.
type Input int

const (
	// Text takes free text; the step's choices, if any, are shortcuts.
	Text Input = iota
	// Choice takes one of the step's choices, by button, number or label.
	Choice
	// Scale takes a whole number from Min to Max, by button or typed.
	Scale
)

// Answers are the values a conversation has collected so far, by step name.
type Answers map[string]string

// Int returns an answer as a number, 0 when absent.
func (a Answers) Int(name string) int {
	n, _ := strconv.Atoi(a[name])
	return n
}

// Option is one offered answer: the value stored and the catalog key of its label.
type Option struct {
	Value string
	Label string // catalog key; a label starting with "=" is shown as it is
}

// Flow is one conversation the bot can hold, as a value: its steps in order and
// what to do with the answers. Bump Version whenever steps change in a way that
// makes saved state meaningless; older state is then restarted gracefully.
type Flow struct {
	Name    string
	Version int
	Steps   []*Step
	// Begin runs when the flow starts; it may fill answers in advance, or say
	// why the flow cannot run now by returning false.
	Begin func(s *Session, a Answers, args string) (bool, error)
	// Done saves what the answers mean and says the closing words.
	Done func(s *Session, a Answers) error
}

// Step is one question.
type Step struct {
	Name   string
	Prompt string // catalog key
	// PromptFor picks the prompt key from earlier answers, when it varies.
	PromptFor func(s *Session, a Answers) string
	// Reask is the catalog key of a short question asked again after an
	// answer that could not be used; "" repeats the prompt.
	Reask string
	// Vars fills the prompt's placeholders.
	Vars    func(s *Session, a Answers) ([]string, error)
	Input   Input
	Options []Option
	// OptionsFor builds the options from the session, when they vary.
	OptionsFor func(s *Session, a Answers) ([]Option, error)
	// Keep names the answer that typed text goes to when a Choice step gets
	// words that are none of its options, so nothing a person writes is
	// dropped: the text is kept there and the choice asked again, briefly.
	Keep string
	// OnText takes over typed text that is none of a Choice step's options
	// (a reply to an invitation is the reflection it asked for).
	OnText   func(s *Session, a Answers, text string) error
	Min, Max int
	// MaxLen bounds free text (default 1000 characters).
	MaxLen int
	// Skip leaves the step out when it does not apply.
	Skip func(s *Session, a Answers) bool
	// Check validates and normalises a typed answer; it returns the value to
	// store, or the catalog key of a short, kind explanation.
	Check func(s *Session, a Answers, v string) (string, string)
	// After runs once the answer is stored, before the next step; it may say
	// something (a line of advice) or change the answers.
	After func(s *Session, a Answers) error
	// Next names the step that follows; "" means the next in order, "done"
	// finishes the flow and "stay" keeps the conversation at this step with
	// its buttons still valid (After has said what needs saying).
	Next func(s *Session, a Answers) string
}

func (st *Step) options(s *Session, a Answers) ([]Option, error) {
	if st.OptionsFor != nil {
		return st.OptionsFor(s, a)
	}
	if st.Input == Scale && len(st.Options) == 0 {
		opts := make([]Option, 0, st.Max-st.Min+1)
		for n := st.Min; n <= st.Max; n++ {
			v := strconv.Itoa(n)
			opts = append(opts, Option{Value: v, Label: "=" + v})
		}
		return opts, nil
	}
	return st.Options, nil
}

func (st *Step) prompt(s *Session, a Answers) string {
	if st.PromptFor != nil {
		return st.PromptFor(s, a)
	}
	return st.Prompt
}

// Step names with a meaning of their own in Next.
const (
	doneStep = "done"
	stayStep = "stay"
)

// step finds a step by name.
func (f *Flow) step(name string) *Step {
	for _, st := range f.Steps {
		if st.Name == name {
			return st
		}
	}
	return nil
}

// after returns the step that follows st, skipping steps that do not apply, or
// nil when the flow is complete.
func (f *Flow) after(s *Session, a Answers, st *Step) *Step {
	var next *Step
	if st == nil {
		next = f.Steps[0]
	} else if st.Next != nil {
		switch name := st.Next(s, a); name {
		case "":
			next = f.following(st)
		case doneStep:
			return nil
		default:
			next = f.step(name)
		}
	} else {
		next = f.following(st)
	}
	for next != nil && next.Skip != nil && next.Skip(s, a) {
		next = f.following(next)
	}
	return next
}

func (f *Flow) following(st *Step) *Step {
	for i, x := range f.Steps {
		if x == st && i+1 < len(f.Steps) {
			return f.Steps[i+1]
		}
	}
	return nil
}

// Problems parse reports that the engine treats specially.
const (
	problemExpired = "button.expired"
	problemNoMatch = "input.choose"
)

// parse turns a typed answer or a pressed option into the value to store, or
// returns the catalog key of the problem.
func (st *Step) parse(s *Session, a Answers, opts []Option, typed string, pressed bool) (string, string) {
	v := strings.TrimSpace(typed)
	if pressed {
		for _, o := range opts {
			if o.Value == v && st.Input == Text && st.Check != nil {
				return st.Check(s, a, v)
			}
			if o.Value == v {
				return v, ""
			}
		}
		return "", problemExpired
	}
	if v == "" {
		return "", "input.empty"
	}
	if o, ok := matchOption(s, opts, v, st.Input == Scale); ok {
		if st.Input == Text && st.Check != nil {
			// A shortcut on a text step means what its words mean.
			return st.Check(s, a, o.Value)
		}
		return o.Value, ""
	}
	switch st.Input {
	case Choice:
		return "", problemNoMatch
	case Scale:
		n, err := strconv.Atoi(strings.TrimSuffix(v, "/"+strconv.Itoa(st.Max)))
		if err != nil || n < st.Min || n > st.Max {
			return "", "input.scale"
		}
		v = strconv.Itoa(n)
	case Text:
		limit := st.MaxLen
		if limit == 0 {
			limit = 1000
		}
		if utf8.RuneCountInString(v) > limit {
			return "", "input.too_long_answer"
		}
	}
	if st.Check != nil {
		return st.Check(s, a, v)
	}
	return v, ""
}

// matchOption accepts an option's number ("2"), its label in any case, or its
// stored value, so plain typing works wherever a button is shown. On a scale the
// number is the value itself; elsewhere it is the option's position.
func matchOption(s *Session, opts []Option, v string, scale bool) (Option, bool) {
	if n, err := strconv.Atoi(v); err == nil && !scale && n >= 1 && n <= len(opts) {
		return opts[n-1], true
	}
	norm := normalize(v)
	for _, o := range opts {
		if normalize(s.label(o)) == norm || normalize(o.Value) == norm {
			return o, true
		}
	}
	return Option{}, false
}

func normalize(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	return strings.TrimRight(s, ".!")
}

var (
	yesNo = []Option{{"yes", "btn.yes"}, {"no", "btn.no"}}

	nonActionKinds = []Option{
		{KindRest, "btn.kind_rest"},
		{KindBoundary, "btn.kind_boundary"},
		{KindObserve, "btn.kind_observe"},
		{KindIntegrate, "btn.kind_integrate"},
	}
)

func is(name, value string) func(*Session, Answers) bool {
	return func(_ *Session, a Answers) bool { return a[name] == value }
}

func isNot(name, value string) func(*Session, Answers) bool {
	return func(_ *Session, a Answers) bool { return a[name] != value }
}

func goTo(step string) func(*Session, Answers) string {
	return func(*Session, Answers) string { return step }
}

// parsed is a Step.Check that accepts what parse accepts and stores it in its
// canonical form ("zurich" becomes "Europe/Zurich", "9" becomes "09:00").
func parsed[T fmt.Stringer](parse func(string) (T, error), problem string) func(*Session, Answers, string) (string, string) {
	return func(_ *Session, _ Answers, v string) (string, string) {
		x, err := parse(v)
		if err != nil {
			return "", problem
		}
		return x.String(), ""
	}
}

func withNext(st *Step, next string) *Step {
	st.Next = goTo(next)
	return st
}
