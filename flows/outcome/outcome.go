// Package outcome tells an outcome from a step in what a client writes when they
// design an experiment.
//
// An outcome names where the client wants to end up: "grow my business", "be
// more confident", "learn Spanish". A step is a concrete, observable thing they
// can do soon: "email three past clients", "walk 10 minutes after lunch", "get
// a haircut". When a client writes an outcome the bot keeps it as the why and
// asks for a first small step toward it.
//
// The reading is a sum of weighted evidence (see features): states and
// comparatives, verbs of result, whole skills, habits and large-scale objects
// lean outcome; errands, time anchors, quantities of effort, small units and
// people to reach lean step. The weights were set against a labelled corpus
// in testdata. When the evidence is thin either way the bot asks the client
// rather than guess, and when there is none it trusts the client and takes
// their words as a step.
package outcome

// Verdict says how a client's words read.
type Verdict int

const (
	Step    Verdict = iota // a concrete step: go on sizing it
	Outcome                // a direction: keep it as the why, ask for a first step
	Unsure                 // ask the client with two buttons
)

// String names the verdict for logs and tests.
func (v Verdict) String() string {
	switch v {
	case Step:
		return "step"
	case Outcome:
		return "outcome"
	case Unsure:
		return "unsure"
	}
	return "verdict(?)"
}

// The two thresholds split scores into three verdicts. A score at or above
// OutcomeAt reads as an outcome; below StepBelow as a step; between, the bot asks.
// The band is narrow on purpose: an ask costs the client a tap, and a wrong
// outcome costs them being told their step is not one.
const (
	OutcomeAt = 2.0
	StepBelow = 0.5
)

// Classify reads text (English or German) and says what it is.
func Classify(text string) Verdict {
	s := Score(text)
	switch {
	case s >= OutcomeAt:
		return Outcome
	case s < StepBelow:
		return Step
	}
	return Unsure
}

// Score is the evidence behind Classify: positive leans outcome, negative leans
// step. Text with nothing to go on scores zero.
func Score(text string) float64 {
	r := read(text)
	s := 0.0
	for _, f := range features {
		if f.test(r) {
			s += f.weight
		}
	}
	return s
}
