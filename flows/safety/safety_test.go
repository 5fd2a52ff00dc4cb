package safety

import (
	"strings"
	"testing"
)

func TestLevelString(t *testing.T) {
	for l, want := range map[Level]string{None: "none", Uncertain: "uncertain", Danger: "danger", Level(7): "Level(7)"} {
		if got := l.String(); got != want {
			t.Errorf("Level(%d).String() = %q, want %q", int(l), got, want)
		}
	}
}

// TestIdiomGuards checks everyday speech that shares words with danger.
func TestIdiomGuards(t *testing.T) {
	d := newDetector(t)
	for _, text := range []string{
		"this deadline is killing me",
		"I'm dying to try the new climbing gym",
		"she killed it in the presentation",
		"I'm dead tired after the offsite",
		"we did suicide sprints at practice",
		"time to kill the old project and move on",
		"I could murder a pizza right now",
		"my phone died halfway through the call",
		"we had to cut the budget by a third",
		"I want to jump into the pool every morning",
		"took two pills for my headache",
		"ending the meeting early felt good",
		"I'm dead serious about this goal",
		"we were laughing to death at the retro",
		"I want to kill it at the interview",
		"the plant died while I was away",
		"I'm going to end this habit of snoozing",
		"I cut myself shaving this morning",
		"I hurt myself playing football on Sunday",
		"killing myself laughing at that meme",
		"I'm burning myself out with overtime",
		"I want to disappear into a book this weekend",
		"what's the point of this meeting?",
		"I'm hopeless at cooking",
		"I want to take my life back from my inbox",
		"I jumped off the bridge into the lake, so fun",
		"she beat me at chess again",
		"my character died in the game three times",
		"I overdosed on coffee today",
		"I don't trust myself around chocolate",
		"I can't go on holiday this year",
		"I'm going to end it with him, we're not a match",
		"das Meeting bringt mich um",
		"ich sterbe vor Lachen",
		"ich kann nicht mehr warten auf die Ferien",
		"das macht keinen Sinn",
		"ich will nicht mehr so viel arbeiten",
	} {
		if got := d.Check(text); got != None {
			t.Errorf("Check(%q) = %v, want none (%s)", text, got, d.explain(text))
		}
	}
}

func TestCheck(t *testing.T) {
	d := newDetector(t)
	tests := []struct {
		text string
		want Level
	}{
		{"I want to die", Danger},
		{"i wanna diiie", Danger},
		{"I don't want to wake up tomorrow", Danger},
		{"I don't want to wake up early tomorrow", None},
		{"i hope i dont wake up", Danger},
		{"everyone would be better off without me", Danger},
		{"I wrote goodbye letters to my kids", Danger},
		{"I've been saving up my sleeping pills", Danger},
		{"I'm scared of what I might do to myself", Danger},
		{"i cut myself again last night", Danger},
		{"I can't do this anymore", Uncertain},
		{"what's the point", Uncertain},
		{"I feel hopeless", Uncertain},
		{"I just want to disappear for a while", Uncertain},
		{"nobody would notice if I was gone", Uncertain},
		{"I'm not suicidal, just exhausted", Uncertain},
		{"ich will nicht mehr leben", Danger},
		{"ich kann nicht mehr", Uncertain},
		{"ich denke daran, mir etwas anzutun", Danger},
		// An idiom next to a plain statement hides nothing.
		{"the deadline is killing me and honestly I want to kill myself", Danger},
		{"I'm dead serious: I want to end it all", Danger},
		// A phrase never spans two sentences.
		{"I want to. Die Hard is my favourite film", None},
	}
	for _, tt := range tests {
		if got := d.Check(tt.text); got != tt.want {
			t.Errorf("Check(%q) = %v, want %v (%s)", tt.text, got, tt.want, d.explain(tt.text))
		}
	}
}

func TestExtraPhrasesAddToBuiltIn(t *testing.T) {
	d := newDetector(t, "je veux mourir", "ich gebe auf", "  ")
	tests := []struct {
		text string
		want Level
	}{
		{"Je veux mourir", Danger},
		{"je veux   MOURIR!!", Danger},
		{"ich gebe auf", Danger},
		{"I want to die", Danger},             // built-in English still there
		{"ich will nicht mehr leben", Danger}, // built-in German still there
		{"I want to kill it at the interview", None},
	}
	for _, tt := range tests {
		if got := d.Check(tt.text); got != tt.want {
			t.Errorf("Check(%q) = %v, want %v (%s)", tt.text, got, tt.want, d.explain(tt.text))
		}
	}
	if got := newDetector(t).Check("je veux mourir"); got != None {
		t.Errorf("without the extra phrase: Check = %v, want none", got)
	}
}

// With adds phrases to a detector without changing it, keeps the phrases an
// earlier With added, and refuses a phrase that does not compile.
func TestWith(t *testing.T) {
	base := newDetector(t)
	fr, err := base.With([]string{"je veux mourir"})
	if err != nil {
		t.Fatal(err)
	}
	both, err := fr.With([]string{"ich gebe auf"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		d    *Detector
		name string
		text string
		want Level
	}{
		{base, "base", "je veux mourir", None},
		{fr, "with French", "je veux mourir", Danger},
		{fr, "with French", "ich gebe auf", None},
		{fr, "with French", "I want to die", Danger},
		{both, "with both", "je veux mourir", Danger},
		{both, "with both", "ich gebe auf", Danger},
		{both, "with both", "this deadline is killing me", None},
	} {
		if got := tt.d.Check(tt.text); got != tt.want {
			t.Errorf("%s: Check(%q) = %v, want %v", tt.name, tt.text, got, tt.want)
		}
	}
	if _, err := base.With([]string{"(unclosed"}); err == nil || !strings.Contains(err.Error(), "(unclosed") {
		t.Errorf("With a broken phrase: err = %v, want one naming the phrase", err)
	}
}

func TestPatternLanguage(t *testing.T) {
	tests := []struct {
		name, pattern, text string
		want                bool
	}{
		{"Word", "want to die", "I want to die", true},
		{"WholeWordsOnly", "die", "diet", false},
		{"Prefix", "suicid*", "suicidal", true},
		{"GapDefaultThree", "want * die", "want to just die", true},
		{"GapTooLong", "want * die", "want to go and then die", false},
		{"GapN", "want *1 die", "want to die", true},
		{"GapNTooLong", "want *1 die", "want to go die", false},
		{"FillersDoNotCount", "want to die", "want to just really die", true},
		{"FillerOnlyBetweenWords", "want to die", "want to go die", false},
		{"Alternatives", "(end|take) my life", "take my life", true},
		{"MultiWordAlternative", "(end it|take my life) now", "end it now", true},
		{"OptionalPresent", "really? sad", "really sad", true},
		{"OptionalAbsent", "really? sad", "sad", true},
		{"OptionalGroup", "i (just|really)? want", "i want", true},
		{"NormalisedPattern", "don't", "dont", true},
		{"NotAcrossSentences", "want to die", "I want to. Die!", false},
		{"Stretched", "die", "diiiie", true},
		{"Suffix", "hopeless at *ing", "hopeless at cooking", true},
		{"SuffixInChoice", "hopeless at (maths|*ing)", "hopeless at remembering", true},
		{"SuffixNeedsMore", "hopeless at *ing", "hopeless at ing", false},
		{"SuffixOtherWord", "hopeless at *ing", "hopeless at maths", false},
		{"FillerTheChoiceCouldUse", "will (einfach|nur)? tot sein", "will einfach nur tot sein", true},
		{"ChatTwo", "want to die", "want 2 die", true},
		{"ChatTwoStaysNumber", "2 pills", "took 2 pills", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := New(map[string][]byte{"xx": []byte("danger:\n  - " + tt.pattern + "\n")}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if got := d.Check(tt.text) == Danger; got != tt.want {
				t.Errorf("%q on %q: matched %v, want %v", tt.pattern, tt.text, got, tt.want)
			}
		})
	}
}

func TestNewErrors(t *testing.T) {
	tests := []struct {
		name, yaml string
		extra      []string
		want       string
	}{
		{"UnknownList", "dangerous:\n  - x\n", nil, "dangerous"},
		{"Unclosed", "danger:\n  - (a|b\n", nil, "missing )"},
		{"EmptyAlternative", "danger:\n  - (a||b)\n", nil, "empty alternative"},
		{"LeadingGap", "danger:\n  - a? * b\n", nil, "gap"},
		{"ShortPrefix", "danger:\n  - su*\n", nil, "three letters"},
		{"ShortSuffix", "danger:\n  - a *s\n", nil, "two letters"},
		{"LeadingSuffix", "danger:\n  - (*ing|a) b\n", nil, "cannot start"},
		{"OnlyOptional", "danger:\n  - a?\n", nil, "matches nothing"},
		{"StrayBar", "danger:\n  - a | b\n", nil, "unexpected"},
		{"TooManyStarts", "danger:\n  - (" + manyAlternatives(300) + ") end\n", nil, "ways"},
		{"BadExtra", "", []string{"(oops"}, "config"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(map[string][]byte{"xx": []byte(tt.yaml)}, tt.extra)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want one mentioning %q", err, tt.want)
			}
		})
	}
}

func TestGuardsAndSoften(t *testing.T) {
	lists := map[string][]byte{"xx": []byte(`
danger:
  - kill myself
uncertain:
  - hopeless
soften:
  - not * kill myself
safe:
  - myself laughing
  - hopeless romantic
`)}
	d, err := New(lists, nil)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		text string
		want Level
	}{
		{"i could kill myself", Danger},
		{"i could kill myself laughing", None},
		{"i would not ever kill myself", Uncertain},
		{"i am hopeless", Uncertain},
		{"a hopeless romantic", None},
		{"a hopeless romantic who wants to kill myself", Danger},
	}
	for _, tt := range tests {
		if got := d.Check(tt.text); got != tt.want {
			t.Errorf("Check(%q) = %v, want %v", tt.text, got, tt.want)
		}
	}
}

func BenchmarkCheck(b *testing.B) {
	d := newDetector(b)
	// A typical answer to "what got in the way?", about 200 characters.
	msg := "Honestly the week got away from me. The deadline at work was killing me, " +
		"my kid was sick on Wednesday and I didn't sleep much. I still did the walk twice " +
		"but skipped journaling, maybe tomorrow."
	b.ReportAllocs()
	for b.Loop() {
		if d.Check(msg) != None {
			b.Fatal("typical message flagged")
		}
	}
}

// manyAlternatives returns n distinct two-word alternatives: "ab x|ac x|...".
func manyAlternatives(n int) string {
	alts := make([]string, n)
	for i := range alts {
		alts[i] = string(rune('a'+i/26%26)) + string(rune('a'+i%26)) + " x"
	}
	return strings.Join(alts, "|")
}
