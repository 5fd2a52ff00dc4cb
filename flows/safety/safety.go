// Package safety recognises when someone writes that they may be in danger.
//
// A coaching bot is not a crisis service, but it must notice danger however it is
// written: in everyday words, misspelt, in chat spelling, in German, in the middle
// of answering something else. The phrase lists are data (one YAML document per
// language) written in a small pattern language, so they stay readable and a
// practice can add its own phrases without touching code. Every language's list
// is checked for every text, because people in distress often switch to their
// first language.
package safety

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"

	"go.yaml.in/yaml/v3"
)

// Level is how clearly a text suggests the writer may be in danger.
type Level int

const (
	// None means nothing of concern.
	None Level = iota
	// Uncertain may be a sign: the bot asks gently "Are you safe right now?".
	Uncertain
	// Danger is clear: the bot stops what it was doing and gives the help line.
	Danger
)

// String names the level for logs and tests.
func (l Level) String() string {
	switch l {
	case None:
		return "none"
	case Uncertain:
		return "uncertain"
	case Danger:
		return "danger"
	}
	return fmt.Sprintf("Level(%d)", int(l))
}

// list is one language's phrase list as written in YAML.
type list struct {
	Danger    []string `yaml:"danger"`
	Uncertain []string `yaml:"uncertain"`
	Soften    []string `yaml:"soften"`
	Safe      []string `yaml:"safe"`
}

// Detector checks free text against the phrase lists of every language. It holds
// no state beyond its compiled lists, so one Detector serves every chat at once.
type Detector struct {
	find   index // danger and uncertain phrases, with their level
	extra  index // the phrases of extras, clear danger
	soften index // spans in which a danger phrase counts as uncertain
	safe   index // spans in which no phrase counts

	extras []string // phrases added to the lists, from the config
}

// New builds a detector from phrase lists (one YAML document per language, keyed
// by language code) plus extra phrases from the config. Extra phrases add to the
// built-in ones, use the same pattern language, and count as clear danger. A
// phrase that does not compile is an error, so a typo is caught at start-up.
func New(lists map[string][]byte, extra []string) (*Detector, error) {
	d := &Detector{find: newIndex(), extra: newIndex(), soften: newIndex(), safe: newIndex()}
	langs := make([]string, 0, len(lists))
	for lang := range lists {
		langs = append(langs, lang)
	}
	sort.Strings(langs)
	for _, lang := range langs {
		var l list
		dec := yaml.NewDecoder(bytes.NewReader(lists[lang]))
		dec.KnownFields(true)
		if err := dec.Decode(&l); err != nil && !errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("safety phrases %s: %w", lang, err)
		}
		for _, part := range []struct {
			name     string
			patterns []string
			level    Level
			into     *index
		}{
			{"danger", l.Danger, Danger, &d.find},
			{"uncertain", l.Uncertain, Uncertain, &d.find},
			{"soften", l.Soften, Uncertain, &d.soften},
			{"safe", l.Safe, None, &d.safe},
		} {
			for _, p := range part.patterns {
				source := lang + " " + part.name + ": " + p
				if err := part.into.compile(p, part.level, source); err != nil {
					return nil, fmt.Errorf("safety phrases %s %s %q: %w", lang, part.name, p, err)
				}
			}
		}
	}
	d.find.trim()
	d.soften.trim()
	d.safe.trim()
	return d.With(extra)
}

// With returns a detector that knows d's phrases and extra, which count as
// clear danger. d is not changed and its compiled lists are shared, so the
// built-in lists are compiled once however many detectors use them.
func (d *Detector) With(extra []string) (*Detector, error) {
	w := &Detector{find: d.find, extra: newIndex(), soften: d.soften, safe: d.safe,
		extras: append(slices.Clip(d.extras), extra...)}
	for _, p := range w.extras {
		if Normalize(p) == "" {
			continue
		}
		if err := w.extra.compile(p, Danger, "config: "+p); err != nil {
			return nil, fmt.Errorf("safety phrase %q from config: %w", p, err)
		}
	}
	w.extra.trim()
	return w, nil
}

// Check returns the level of text. It never stores or logs the text.
//
// A phrase whose last word is part of a safe phrase ("killing myself
// laughing", "cut myself shaving") does not count; a danger phrase whose last word is
// part of a softening phrase ("i am not suicidal") counts as uncertain. Anything
// else the text says still counts, so an idiom never hides a plain statement
// next to it.
func (d *Detector) Check(text string) Level {
	level := None
	for _, h := range d.hits(tokenize(text)) {
		level = max(level, h.rule.level)
	}
	return level
}

// hits returns the phrase matches in toks that count, each with the level it
// counts at.
func (d *Detector) hits(toks []token) []span {
	var found []span
	d.find.find(toks, func(s span) { found = append(found, s) })
	d.extra.find(toks, func(s span) { found = append(found, s) })
	if len(found) == 0 {
		return nil
	}
	var safe, soft []span
	d.safe.find(toks, func(s span) { safe = append(safe, s) })
	d.soften.find(toks, func(s span) { soft = append(soft, s) })
	out := found[:0]
	for _, h := range found {
		if covered(h, safe) {
			continue
		}
		if h.rule.level == Danger && covered(h, soft) {
			r := *h.rule
			r.level = Uncertain
			h.rule = &r
		}
		out = append(out, h)
	}
	return out
}

// covered reports whether the last word of h lies inside one of spans. The last
// word decides because phrases are written to end on the word that makes them
// what they are ("kill myself", "want to die"), and idioms are told apart by
// what follows that word ("kill myself laughing", "die to try").
func covered(h span, spans []span) bool {
	last := h.end - 1
	for _, s := range spans {
		if s.start <= last && last < s.end {
			return true
		}
	}
	return false
}
