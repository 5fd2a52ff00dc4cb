package outcome

// A feature is one piece of evidence about a reading. Its weight is positive when
// the evidence leans outcome and negative when it leans step; Score adds up
// weight times what the test returns (0 when the feature is absent, 1 when it
// is present).
type feature struct {
	name   string
	weight float64
	test   func(*reading) bool
}

// features is the whole classifier. Read down the table to see why an answer
// came out as it did:
//
//	"write a book"                       large object (+1.5), project of scale (+1)   outcome
//	"write one page of the book tonight" small unit, effort quantity, time anchor;
//	                                     "the book" is a particular book, no project  step
//	"get a haircut"                      an errand's object (-1.5)                    step
//	"get fit"                            a state (+2)                                 outcome
//	"lose 10 kg"                         result verb (+2), quantity of result (+2)    outcome
//	"walk 10 minutes after lunch"        quantity of effort (-2), time anchor (-2.5)  step
//	"meditate"                           an activity with nothing sized (+1)          ask
var features = []feature{
	// Leaning outcome: a direction, a state, a result, a whole skill, a habit.
	{"state", 2.0, func(r *reading) bool { return r.has(cState) }},
	{"comparative", 2.0, func(r *reading) bool { return r.has(cComparative) }},
	{"habit", 1.5, func(r *reading) bool { return r.has(cHabit) }},
	{"identity", 2.0, identity},
	{"verb of being", 1.0, func(r *reading) bool { return r.headIs(cCopula) }},
	{"verb of result", 2.0, func(r *reading) bool { return r.headIs(cResult) }},
	{"learning a skill", 2.0, func(r *reading) bool { return r.headIs(cLearn) }},
	{"whole skill", 0.5, func(r *reading) bool { return r.has(cSkill) }},
	{"breaking a habit", 2.0, func(r *reading) bool { return r.headIs(cStop) }},
	{"large object", 1.5, largeObject},
	{"project of scale", 1.0, projectOfScale},
	{"something new", 1.0, somethingNew},
	{"quantity of result", 2.0, func(r *reading) bool { return quantity(r) == resultQuantity }},
	{"time horizon", 1.0, func(r *reading) bool { return r.has(cHorizon) || byAge(r) }},
	{"standard to meet", 1.0, func(r *reading) bool { return r.has(cStandard) && quantity(r) != noQuantity }},
	{"starting a habit", 1.0, startingHabit},
	{"wish", 0.5, func(r *reading) bool { return r.lead == leadWish }},
	{"activity unsized", 1.0, activityUnsized},

	// Leaning step: something done, to someone, at a time, in a size.
	{"errand", -1.5, errand},
	{"time anchor", -2.5, anchored},
	{"loose time", -1.0, func(r *reading) bool { return r.has(cWeakAnchor) }},
	{"quantity of effort", -2.0, func(r *reading) bool { return quantity(r) == effortQuantity }},
	{"small unit", -1.0, func(r *reading) bool { return r.has(cSmall) }},
	{"errand object", -1.5, func(r *reading) bool { return r.has(cService) }},
	{"someone to reach", -0.75, someoneToReach},
	{"a particular thing", -0.5, particular},
	{"commitment", -0.5, func(r *reading) bool { return r.lead == leadWill }},
}

// identity reports someone the client wants to be: "become a runner", "be a
// good dad", "be someone who finishes things", "the kind of person who".
func identity(r *reading) bool {
	if r.has(cIdentity) || r.headIs(cIdentity) {
		return true
	}
	i := r.head + 1
	return r.headIs(cCopula) && i < len(r.tokens) && beingSomeone[r.tokens[i].word]
}

var beingSomeone = set("a an someone somebody ein eine einer jemand")

// projectOfScale reports a verb that makes or completes something large or new:
// "write a book", "start a business", "make new friends". Buying something new
// is still an errand.
func projectOfScale(r *reading) bool {
	if !r.headIs(cProject) {
		return false
	}
	return largeObject(r) || (somethingNew(r) && !r.headIs(cErrand))
}

// errand reports a head verb of doing with a small, reachable object. Buying a
// house or booking a marathon is not an errand.
func errand(r *reading) bool {
	return r.headIs(cErrand) && !largeObject(r)
}

// largeObject reports a large-scale object that is not a particular one: "a
// book", "my career", not "the book".
func largeObject(r *reading) bool {
	for i, t := range r.tokens {
		if i == r.head || t.class&cBig == 0 {
			continue
		}
		if i > 0 && r.tokens[i-1].class&cDefinite != 0 {
			continue
		}
		return true
	}
	return false
}

// somethingNew reports "a new job", "new friends": something to gain. "The new
// neighbour" is someone already there.
func somethingNew(r *reading) bool {
	for i, t := range r.tokens {
		if t.class&cNew != 0 && (i == 0 || r.tokens[i-1].class&cDefinite == 0) {
			return true
		}
	}
	return false
}

// startingHabit reports starting an activity with no first occasion named:
// "start exercising", "start running regularly".
func startingHabit(r *reading) bool {
	if r.head < 0 || !startVerbs[r.tokens[r.head].word] || r.head+1 >= len(r.tokens) {
		return false
	}
	return r.tokens[r.head+1].class&cActivity != 0 && activityUnsized(r)
}

var startVerbs = set("start begin anfangen beginnen")

// activityUnsized reports an activity with nothing that sizes it: "meditate",
// "go running". It may be one step or a habit; the client can say which.
func activityUnsized(r *reading) bool {
	if !r.headIs(cActivity) && !r.has(cActivity) {
		return false
	}
	return !anchored(r) && !r.has(cWeakAnchor|cSmall|cService|cPerson) &&
		quantity(r) == noQuantity && !r.headIs(cErrand) && !named(r) && !particular(r)
}

// someoneToReach reports a person the step reaches: "call mum", "text Sarah",
// "ask my manager". Who the client wants to be ("be a good dad", "become a
// manager") and who they are with ("better with my team") do not count.
func someoneToReach(r *reading) bool {
	if r.headIs(cCopula | cResult | cLearn | cStop) {
		return false
	}
	for i, t := range r.tokens {
		if i == r.head || (t.class&cPerson == 0 && !t.named) {
			continue
		}
		if i > 0 && (r.tokens[i-1].word == "with" || r.tokens[i-1].word == "mit" || r.tokens[i-1].class&cNew != 0) {
			continue // "with my team", "new friends": company, or someone to gain
		}
		if i > 1 && r.tokens[i-1].class&cDeterminer != 0 && (r.tokens[i-2].word == "with" || r.tokens[i-2].word == "mit") {
			continue
		}
		return true
	}
	return false
}

// named reports a person or thing by name: "text Sarah", "apply at Acme".
func named(r *reading) bool {
	for _, t := range r.tokens {
		if t.named {
			return true
		}
	}
	return false
}

// particular reports a particular thing after a verb of doing: "outline the
// talk", "walk to the station", "cancel this subscription".
func particular(r *reading) bool {
	if r.headIs(cResult | cCopula | cLearn | cStop) {
		return false // "pay off the mortgage" is still a result
	}
	for i := r.head + 1; i < len(r.tokens); i++ {
		if r.tokens[i].class&cDefinite == 0 {
			continue
		}
		if i+1 < len(r.tokens) && r.tokens[i+1].class&cActivity != 0 {
			continue // "the gym" is any gym
		}
		return true
	}
	return false
}

// anchored reports a time the step happens: a day ("tomorrow", "on Thursday"),
// a part of the day ("after lunch", "before the meeting"), or a clock time ("at 7").
func anchored(r *reading) bool {
	if r.has(cAnchor | cWeekday) {
		return true
	}
	for i, t := range r.tokens {
		if t.class&cTimeWord == 0 || i+1 >= len(r.tokens) {
			continue
		}
		next := r.tokens[i+1]
		if next.class&cDeterminer != 0 && i+2 < len(r.tokens) {
			next = r.tokens[i+2] // "before the meeting", "after my shift"
		}
		if next.class&cDayPart != 0 {
			return true
		}
		if clockTime(next.word) && !ageLike(next.word) && !counted(r, i+2) {
			return true
		}
	}
	return false
}

// counted reports whether the token at i is a unit, which makes the number
// before it a quantity rather than a clock time: "by 20%".
func counted(r *reading, i int) bool {
	return i < len(r.tokens) && r.tokens[i].class&(cEffortUnit|cResultUnit) != 0
}

// byAge reports "by 40", "bis 50": an age as a horizon.
func byAge(r *reading) bool {
	for i, t := range r.tokens {
		if (t.word == "by" || t.word == "bis") && i+1 < len(r.tokens) && ageLike(r.tokens[i+1].word) {
			return true
		}
	}
	return false
}

// ageLike reports a number too big for a clock: 30, 40, 65.
func ageLike(w string) bool {
	if !numberWord(w, 0) || len(w) != 2 {
		return false
	}
	return w > "24"
}

// quantityKind says what a number in the text counts.
type quantityKind int

const (
	noQuantity     quantityKind = iota
	effortQuantity              // "10 minutes", "one chapter", "email three clients"
	resultQuantity              // "lose 10 kg", "earn 100k", "read 50 books"
)

// quantity finds the first number that counts something and says whether it
// counts effort or result. The unit decides when it can ("minutes", "kg");
// otherwise the head verb does ("email three clients", "land three clients").
// A number after "at" or "by" is a time, not a quantity.
func quantity(r *reading) quantityKind {
	for i, t := range r.tokens {
		if !numberWord(t.word, t.class) || (i > 0 && r.tokens[i-1].class&cTimeWord != 0) {
			continue
		}
		if t.word == "once" || t.word == "twice" {
			return effortQuantity
		}
		if r.has(cStandard) {
			return resultQuantity // "run 5k without stopping", "under four hours"
		}
		if partOf(r, i) {
			return effortQuantity // "a list of five clients", "a page of 300 words"
		}
		unit := class(0)
		for k := i + 1; k < len(r.tokens) && k <= i+3; k++ {
			if c := r.tokens[k].class & (cEffortUnit | cResultUnit); c != 0 {
				unit = c
				break
			}
		}
		switch {
		case unit&cEffortUnit != 0:
			return effortQuantity
		case r.headIs(cErrand):
			return effortQuantity
		case unit&cResultUnit != 0, r.headIs(cResult):
			return resultQuantity
		case r.headIs(cActivity):
			return effortQuantity
		}
	}
	return noQuantity
}

// partOf reports a small unit before the number at i: the number counts what
// goes into a step ("a list of five clients"), not a result.
func partOf(r *reading, i int) bool {
	for k := range i {
		if r.tokens[k].class&cSmall != 0 {
			return true
		}
	}
	return false
}
