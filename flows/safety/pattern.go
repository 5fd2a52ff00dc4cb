package safety

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// A pattern is written in a small language, so one line covers the many ways a
// thing is said:
//
//	word        the word, after Normalize ("don't" and "dont" are both "do not")
//	word*       any word starting with word (at least three letters): suicid*
//	*end        any word ending with end (at least two letters), never first: at *ing
//	*           up to three other words in between
//	*N          up to N other words in between (N from 1 to 9)
//	(a|b c|d)   any one of the alternatives; an alternative may be several words
//	x?          x is optional (x is a word or a group)
//
// A pattern matches consecutive words of one sentence.

// maxVariants bounds how many word sequences one pattern may stand for, so a
// pattern stays something a reader can hold in mind.
const maxVariants = 256

// elem is one position of a compiled pattern: a word from a set, a gap, or a
// choice between alternatives. A choice is always the last element of its
// sequence: each alternative carries the rest of the pattern with it, so a
// pattern compiles to a size that grows with its length, not with the product
// of its choices.
type elem struct {
	words    []string
	prefixes []string
	suffixes []string
	gap      int
	optional bool
	alts     [][]elem
}

func (e *elem) matches(t *token) bool {
	for _, w := range e.words {
		if t.word == w || t.alt == w {
			return true
		}
	}
	for _, p := range e.prefixes {
		if strings.HasPrefix(t.word, p) || (t.alt != "" && strings.HasPrefix(t.alt, p)) {
			return true
		}
	}
	for _, p := range e.suffixes {
		if len(t.word) > len(p) && strings.HasSuffix(t.word, p) {
			return true
		}
	}
	return false
}

// rule is one compiled word sequence of a pattern.
type rule struct {
	elems  []elem
	level  Level
	source string // where the pattern was written, for error messages and tests
}

// match reports the end of the shortest match of els starting at token i, all in
// sentence s.
func match(els []elem, toks []token, i, s int) (int, bool) {
	if len(els) == 0 {
		return i, true
	}
	e := &els[0]
	if e.alts != nil {
		for _, a := range e.alts {
			if end, ok := match(a, toks, i, s); ok {
				return end, true
			}
		}
		return 0, false
	}
	if e.gap > 0 {
		for k := 0; ; k++ {
			if end, ok := match(els[1:], toks, i+k, s); ok {
				return end, true
			}
			if k == e.gap || i+k >= len(toks) || toks[i+k].sentence != s {
				return 0, false
			}
		}
	}
	if i < len(toks) && toks[i].sentence == s {
		if e.matches(&toks[i]) {
			if end, ok := match(els[1:], toks, i+1, s); ok {
				return end, true
			}
		}
		if fillers[toks[i].word] {
			// "i wish i could just die": a filler word between two words of a
			// phrase changes nothing, also when the phrase could have used it
			// ("ich will einfach nur tot sein" for "will (einfach|nur)? tot sein").
			if end, ok := match(els, toks, i+1, s); ok {
				return end, true
			}
		}
	}
	if e.optional {
		return match(els[1:], toks, i, s)
	}
	return 0, false
}

// fillers are words people put between the words of any phrase without
// changing what it says. A phrase can still name one ("so tired").
var fillers = map[string]bool{
	"just": true, "really": true, "honestly": true, "literally": true, "simply": true,
	"actually": true, "seriously": true, "even": true, "so": true, "truly": true,
	"totally": true, "completely": true, "still": true, "fucking": true, "fkn": true,
	"effing": true, "bloody": true, "damn": true, "genuinely": true, "lowkey": true,
	"highkey": true, "tbh": true, "ngl": true, "fr": true, "like": true, "pretty": true,
	"quite": true, "very": true, "basically": true, "absolutely": true,
	"einfach": true, "echt": true, "wirklich": true, "halt": true, "eh": true,
	"doch": true, "mal": true, "gerade": true, "grad": true, "eigentlich": true,
}

// index finds the rules that may start at a token, by their first word.
type index struct {
	rules    []*rule // each once, in the order added
	byWord   map[string][]*rule
	byPrefix map[string][]*rule // keyed by the first three bytes of the prefix
}

func newIndex() index {
	return index{byWord: map[string][]*rule{}, byPrefix: map[string][]*rule{}}
}

func (x *index) add(r *rule) {
	x.rules = append(x.rules, r)
	first := &r.elems[0]
	for _, w := range first.words {
		x.byWord[w] = append(x.byWord[w], r)
	}
	for _, p := range first.prefixes {
		x.byPrefix[p[:3]] = append(x.byPrefix[p[:3]], r)
	}
}

func (x *index) empty() bool { return len(x.byWord) == 0 && len(x.byPrefix) == 0 }

// span is the tokens [start, end) a rule matched.
type span struct {
	start, end int
	rule       *rule
}

// find calls fn for every match of every rule in toks.
func (x *index) find(toks []token, fn func(span)) {
	for i := range toks {
		t := &toks[i]
		x.tryAll(x.byWord[t.word], toks, i, fn)
		if t.alt != "" {
			x.tryAll(x.byWord[t.alt], toks, i, fn)
		}
		if len(x.byPrefix) > 0 {
			if len(t.word) >= 3 {
				x.tryAll(x.byPrefix[t.word[:3]], toks, i, fn)
			}
			if len(t.alt) >= 3 && (len(t.word) < 3 || t.alt[:3] != t.word[:3]) {
				x.tryAll(x.byPrefix[t.alt[:3]], toks, i, fn)
			}
		}
	}
}

func (x *index) tryAll(rules []*rule, toks []token, i int, fn func(span)) {
	for _, r := range rules {
		if end, ok := match(r.elems, toks, i, toks[i].sentence); ok {
			fn(span{start: i, end: end, rule: r})
		}
	}
}

// compile turns one written pattern into rules, one for each way it can start.
func compile(pattern string, level Level, source string) ([]*rule, error) {
	p := parser{src: pattern}
	items, err := p.sequence(0)
	if err != nil {
		return nil, err
	}
	seq, err := build(items, nil)
	if err != nil {
		return nil, err
	}
	starts, err := splitStart(seq)
	if err != nil {
		return nil, err
	}
	if len(starts) > maxVariants {
		return nil, fmt.Errorf("starts in %d ways, more than %d: split it", len(starts), maxVariants)
	}
	rules := make([]*rule, 0, len(starts))
	seen := make(map[string]bool, len(starts))
	var key strings.Builder
	for _, s := range starts {
		key.Reset()
		writeKey(&key, s)
		if seen[key.String()] {
			continue
		}
		seen[key.String()] = true
		rules = append(rules, &rule{elems: s, level: level, source: source})
	}
	return rules, nil
}

// writeKey writes what els match, the same for sequences that match the same.
func writeKey(b *strings.Builder, els []elem) {
	for _, e := range els {
		b.WriteByte('[')
		for _, ws := range [][]string{e.words, e.prefixes, e.suffixes} {
			b.WriteString(strings.Join(ws, "|"))
			b.WriteByte(';')
		}
		b.WriteString(strconv.Itoa(e.gap))
		if e.optional {
			b.WriteByte('?')
		}
		for _, a := range e.alts {
			b.WriteByte('(')
			writeKey(b, a)
			b.WriteByte(')')
		}
		b.WriteByte(']')
	}
}

// splitStart rewrites a sequence that starts with a choice or an optional word
// as the sequences that start with a required word, so every rule is found by
// its first word.
func splitStart(s []elem) ([][]elem, error) {
	if len(s) == 0 {
		return nil, errors.New("matches nothing")
	}
	first := s[0]
	switch {
	case len(first.suffixes) > 0:
		return nil, errors.New("a phrase cannot start with *end: name its first word")
	case first.gap > 0:
		return nil, errors.New("a gap must be between words")
	case first.alts != nil:
		var out [][]elem
		for _, a := range first.alts {
			ss, err := splitStart(a)
			if err != nil {
				return nil, err
			}
			out = append(out, ss...)
			if len(out) > maxVariants {
				return nil, fmt.Errorf("starts in more than %d ways: split it", maxVariants)
			}
		}
		return out, nil
	case first.optional:
		req := append([]elem{first}, s[1:]...)
		req[0].optional = false
		rest, err := splitStart(s[1:])
		if err != nil {
			return nil, err
		}
		return append([][]elem{req}, rest...), nil
	}
	return [][]elem{s}, nil
}

// build returns the elements that match items followed by tail. Items are
// read from the last; the elements found are kept in reverse until a choice
// needs the tail as a slice of its own, so a long pattern is not copied again
// for every word.
func build(items []item, tail []elem) ([]elem, error) {
	out := tail
	var rev []elem // elements before out, last first
	flush := func() {
		if len(rev) == 0 {
			return
		}
		seq := make([]elem, 0, len(rev)+len(out))
		for i := len(rev) - 1; i >= 0; i-- {
			seq = append(seq, rev[i])
		}
		out, rev = append(seq, out...), rev[:0]
	}
	for k := len(items) - 1; k >= 0; k-- {
		it := items[k]
		switch {
		case it.gap > 0:
			if len(out) == 0 && len(rev) == 0 {
				return nil, errors.New("a gap must be between words")
			}
			rev = append(rev, elem{gap: it.gap})
		case it.prefix != "":
			rev = append(rev, elem{prefixes: []string{it.prefix}, optional: it.optional})
		case it.suffix != "":
			rev = append(rev, elem{suffixes: []string{it.suffix}, optional: it.optional})
		case it.word != "":
			words := strings.Fields(it.word)
			if !it.optional || len(words) == 1 {
				for i := len(words) - 1; i >= 0; i-- {
					rev = append(rev, elem{words: words[i : i+1 : i+1], optional: it.optional})
				}
				continue
			}
			flush()
			with := make([]elem, 0, len(words)+len(out))
			for i := range words {
				with = append(with, elem{words: words[i : i+1 : i+1]})
			}
			out = []elem{{alts: [][]elem{append(with, out...), out}}}
		default:
			if e, ok := wordChoice(it); ok {
				rev = append(rev, e)
				continue
			}
			flush()
			var alts [][]elem
			for _, a := range it.group {
				seq, err := build(a, out)
				if err != nil {
					return nil, err
				}
				alts = append(alts, seq)
			}
			if it.optional {
				alts = append(alts, out)
			}
			out = []elem{{alts: alts}}
		}
	}
	flush()
	return out, nil
}

// wordChoice returns a group of single words as one element, the cheap way to
// match it.
func wordChoice(it item) (elem, bool) {
	e := elem{optional: it.optional}
	for _, alt := range it.group {
		if len(alt) != 1 || alt[0].optional || alt[0].gap > 0 || alt[0].group != nil || strings.Contains(alt[0].word, " ") {
			return elem{}, false
		}
		if alt[0].prefix != "" {
			e.prefixes = append(e.prefixes, alt[0].prefix)
		} else if alt[0].suffix != "" {
			e.suffixes = append(e.suffixes, alt[0].suffix)
		} else {
			e.words = append(e.words, alt[0].word)
		}
	}
	return e, true
}

// item is one parsed piece of a pattern.
type item struct {
	word     string // canonical word or words, space separated
	prefix   string
	suffix   string
	gap      int
	group    [][]item
	optional bool
}

type parser struct {
	src string
	pos int
}

func (p *parser) skipSpace() {
	for p.pos < len(p.src) && p.src[p.pos] == ' ' {
		p.pos++
	}
}

// sequence parses items up to the end, a '|' or a ')'.
func (p *parser) sequence(depth int) ([]item, error) {
	var items []item
	for {
		p.skipSpace()
		if p.pos == len(p.src) {
			return items, nil
		}
		switch c := p.src[p.pos]; c {
		case '|', ')':
			if depth == 0 {
				return nil, fmt.Errorf("unexpected %q", c)
			}
			return items, nil
		case '(':
			p.pos++
			var alts [][]item
			for {
				alt, err := p.sequence(depth + 1)
				if err != nil {
					return nil, err
				}
				if len(alt) == 0 {
					return nil, errors.New("empty alternative: mark the group optional with ? instead")
				}
				alts = append(alts, alt)
				if p.pos == len(p.src) {
					return nil, errors.New("missing )")
				}
				p.pos++
				if p.src[p.pos-1] == ')' {
					break
				}
			}
			it := item{group: alts}
			if p.pos < len(p.src) && p.src[p.pos] == '?' {
				it.optional = true
				p.pos++
			}
			items = append(items, it)
		case '*':
			p.pos++
			if p.pos < len(p.src) && !strings.ContainsRune(" |()?*0123456789", rune(p.src[p.pos])) {
				start := p.pos
				for p.pos < len(p.src) && !strings.ContainsRune(" |()?*", rune(p.src[p.pos])) {
					p.pos++
				}
				it := item{suffix: foldWord(p.src[start:p.pos])}
				if len(it.suffix) < 2 || strings.ContainsFunc(it.suffix, func(r rune) bool { return !unicode.IsLetter(r) }) {
					return nil, fmt.Errorf("suffix %q: needs two letters or more", p.src[start:p.pos])
				}
				if p.pos < len(p.src) && p.src[p.pos] == '?' {
					it.optional = true
					p.pos++
				}
				items = append(items, it)
				continue
			}
			it := item{gap: 3}
			if p.pos < len(p.src) && p.src[p.pos] >= '1' && p.src[p.pos] <= '9' {
				it.gap, _ = strconv.Atoi(p.src[p.pos : p.pos+1])
				p.pos++
			}
			items = append(items, it)
		default:
			start := p.pos
			for p.pos < len(p.src) && !strings.ContainsRune(" |()?*", rune(p.src[p.pos])) {
				p.pos++
			}
			raw := p.src[start:p.pos]
			var it item
			if p.pos < len(p.src) && p.src[p.pos] == '*' {
				p.pos++
				it.prefix = foldWord(raw)
				if len(it.prefix) < 3 || strings.ContainsFunc(it.prefix, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
					return nil, fmt.Errorf("prefix %q: needs three letters or more", raw)
				}
			} else {
				it.word = Normalize(raw)
				if it.word == "" {
					return nil, fmt.Errorf("unexpected %q", raw)
				}
			}
			if p.pos < len(p.src) && p.src[p.pos] == '?' {
				it.optional = true
				p.pos++
			}
			items = append(items, it)
		}
	}
}

// foldWord is a prefix in canonical spelling; it skips the short forms, which
// stand for whole words only.
func foldWord(w string) string {
	var b strings.Builder
	for _, r := range w {
		if f, ok := folds[r]; ok {
			b.WriteString(f)
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}
