package safety

import (
	"bufio"
	"os"
	"strings"
	"testing"
)

// Corpus thresholds: out of every hundred texts that suggest danger at most two
// may pass unnoticed, and out of every hundred everyday texts at most two may
// be met with a safety question.
const (
	minRecall        = 0.98
	maxFalsePositive = 0.02
)

// explicitPhrases mark a statement as explicit: a danger-labelled text that
// contains one (after Normalize) must be clear danger, never only uncertain.
var explicitPhrases = []string{
	"kill myself", "killing myself", "suicidal", "suicide", "end my life",
	"take my own life", "take my life", "want to die", "self harm", "overdose",
	"hang myself", "cut myself", "umbringen", "umzubringen", "suizid",
	"suizidal", "selbstmord", "das leben nehmen", "will sterben",
}

type labelled struct {
	line  int
	label string
	text  string
}

func readCorpus(tb testing.TB, path string) []labelled {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var out []labelled
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		label, text, ok := strings.Cut(line, "\t")
		switch {
		case !ok:
			tb.Fatalf("%s:%d: no tab", path, n)
		case label != "danger" && label != "uncertain" && label != "safe":
			tb.Fatalf("%s:%d: label %q", path, n, label)
		}
		out = append(out, labelled{line: n, label: label, text: text})
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}

// score is how a detector did on a corpus.
type score struct {
	flagged, concerning  int        // concerning texts (danger or uncertain) flagged
	alarms, safe         int        // safe texts flagged
	dangerOnlyUncertain  []labelled // danger texts seen only as uncertain
	danger               int
	explicitNotDanger    []labelled
	missed, falseAlarmed []labelled
}

func (s score) recall() float64        { return float64(s.flagged) / float64(s.concerning) }
func (s score) falsePositive() float64 { return float64(s.alarms) / float64(s.safe) }

func scoreCorpus(d *Detector, corpus []labelled) score {
	var s score
	for _, c := range corpus {
		got := d.Check(c.text)
		switch c.label {
		case "safe":
			s.safe++
			if got != None {
				s.alarms++
				s.falseAlarmed = append(s.falseAlarmed, c)
			}
			continue
		case "danger":
			s.danger++
			if got == Uncertain {
				s.dangerOnlyUncertain = append(s.dangerOnlyUncertain, c)
			}
			if got != Danger && isExplicit(c.text) {
				s.explicitNotDanger = append(s.explicitNotDanger, c)
			}
		}
		s.concerning++
		if got == None {
			s.missed = append(s.missed, c)
		} else {
			s.flagged++
		}
	}
	return s
}

func isExplicit(text string) bool {
	n := " " + Normalize(text) + " "
	for _, p := range explicitPhrases {
		if strings.Contains(n, " "+p+" ") {
			return true
		}
	}
	return false
}

func report(t *testing.T, name string, d *Detector, s score) {
	t.Helper()
	t.Logf("%s: %d concerning texts (%d labelled danger), %d safe", name, s.concerning, s.danger, s.safe)
	t.Logf("%s: recall %.3f (%d/%d flagged)", name, s.recall(), s.flagged, s.concerning)
	t.Logf("%s: false positives %.3f (%d/%d safe texts flagged)", name, s.falsePositive(), s.alarms, s.safe)
	t.Logf("%s: danger-labelled texts seen only as uncertain: %d/%d", name, len(s.dangerOnlyUncertain), s.danger)
	for _, c := range s.dangerOnlyUncertain {
		t.Logf("%s:%d danger seen as uncertain: %q (%s)", name, c.line, c.text, d.explain(c.text))
	}
	for _, c := range s.missed {
		t.Logf("%s:%d missed %s: %q", name, c.line, c.label, c.text)
	}
	for _, c := range s.falseAlarmed {
		t.Logf("%s:%d false alarm: %q (%s)", name, c.line, c.text, d.explain(c.text))
	}
}

func TestCorpus(t *testing.T) {
	d := newDetector(t)
	s := scoreCorpus(d, readCorpus(t, "testdata/corpus.tsv"))
	report(t, "corpus.tsv", d, s)
	if s.recall() < minRecall {
		t.Errorf("recall %.3f, want at least %.2f", s.recall(), minRecall)
	}
	if s.falsePositive() > maxFalsePositive {
		t.Errorf("false positives %.3f, want at most %.2f", s.falsePositive(), maxFalsePositive)
	}
	for _, c := range s.explicitNotDanger {
		t.Errorf("corpus.tsv:%d explicit statement not danger: %q (%s)", c.line, c.text, d.explain(c.text))
	}
}

// TestCorpusHeldOut reports on texts written after the phrase lists were
// settled and never used to adjust them. It reports only: its numbers say how
// the lists do on wording they were not written against (run with -v to see
// them). Once a held-out set has been used to change the lists it belongs in
// corpus.tsv, and a new one is written.
func TestCorpusHeldOut(t *testing.T) {
	d := newDetector(t)
	report(t, "heldout2.tsv", d, scoreCorpus(d, readCorpus(t, "testdata/heldout2.tsv")))
}
