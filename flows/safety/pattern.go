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

// node is one position of a compiled pattern: a word from a set, a gap, or a
// choice between alternatives, followed by next (nil at the end). A choice
// has no next: each alternative leads on to what follows the choice, and they
// share it rather than each carrying a copy, so a pattern compiles to about
// its written size, whatever the number of word sequences it stands for.
type node struct {
	words    []string
	prefixes []string
	suffixes []string
	gap      int
	optional bool
	alts     []*node // a choice; a nil alternative matches nothing more
	next     *node
}

func (n *node) matches(t *token) bool {
	for _, w := range n.words {
		if t.word == w || t.alt == w {
			return true
		}
	}
	for _, p := range n.prefixes {
		if strings.HasPrefix(t.word, p) || (t.alt != "" && strings.HasPrefix(t.alt, p)) {
			return true
		}
	}
	for _, p := range n.suffixes {
		if len(t.word) > len(p) && strings.HasSuffix(t.word, p) {
			return true
		}
	}
	return false
}

// rule is one compiled word sequence of a pattern.
type rule struct {
	start  *node // always a word or a prefix, which the index finds it by
	level  Level
	source string // where the pattern was written, for error messages and tests
}

// match reports the end of the shortest match of the sequence from n starting
// at token i, all in sentence s.
func match(n *node, toks []token, i, s int) (int, bool) {
	if n == nil {
		return i, true
	}
	if n.alts != nil {
		for _, a := range n.alts {
			if end, ok := match(a, toks, i, s); ok {
				return end, true
			}
		}
		return 0, false
	}
	if n.gap > 0 {
		for k := 0; ; k++ {
			if end, ok := match(n.next, toks, i+k, s); ok {
				return end, true
			}
			if k == n.gap || i+k >= len(toks) || toks[i+k].sentence != s {
				return 0, false
			}
		}
	}
	if i < len(toks) && toks[i].sentence == s {
		if n.matches(&toks[i]) {
			if end, ok := match(n.next, toks, i+1, s); ok {
				return end, true
			}
		}
		if fillers[toks[i].word] {
			// "i wish i could just die": a filler word between two words of a
			// phrase changes nothing, also when the phrase could have used it
			// ("ich will einfach nur tot sein" for "will (einfach|nur)? tot sein").
			if end, ok := match(n, toks, i+1, s); ok {
				return end, true
			}
		}
	}
	if n.optional {
		return match(n.next, toks, i, s)
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
	first := r.start
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
		if end, ok := match(r.start, toks, i, toks[i].sentence); ok {
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
	for _, n := range starts {
		key.Reset()
		writeKey(&key, n)
		if seen[key.String()] {
			continue
		}
		seen[key.String()] = true
		rules = append(rules, &rule{start: n, level: level, source: source})
	}
	return rules, nil
}

// writeKey writes what the sequence from n matches, the same for sequences
// that match the same.
func writeKey(b *strings.Builder, n *node) {
	for ; n != nil; n = n.next {
		b.WriteByte('[')
		for _, ws := range [][]string{n.words, n.prefixes, n.suffixes} {
			b.WriteString(strings.Join(ws, "|"))
			b.WriteByte(';')
		}
		b.WriteString(strconv.Itoa(n.gap))
		if n.optional {
			b.WriteByte('?')
		}
		for _, a := range n.alts {
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
func splitStart(n *node) ([]*node, error) {
	switch {
	case n == nil:
		return nil, errors.New("matches nothing")
	case len(n.suffixes) > 0:
		return nil, errors.New("a phrase cannot start with *end: name its first word")
	case n.gap > 0:
		return nil, errors.New("a gap must be between words")
	case n.alts != nil:
		var out []*node
		for _, a := range n.alts {
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
	case n.optional:
		req := *n
		req.optional = false
		rest, err := splitStart(n.next)
		if err != nil {
			return nil, err
		}
		return append([]*node{&req}, rest...), nil
	}
	return []*node{n}, nil
}

// build returns the sequence that matches items followed by tail. Every
// alternative of a group leads on to the same tail.
func build(items []item, tail *node) (*node, error) {
	out := tail
	for k := len(items) - 1; k >= 0; k-- {
		it := items[k]
		switch {
		case it.gap > 0:
			if out == nil {
				return nil, errors.New("a gap must be between words")
			}
			out = &node{gap: it.gap, next: out}
		case it.prefix != "":
			out = &node{prefixes: []string{it.prefix}, optional: it.optional, next: out}
		case it.suffix != "":
			out = &node{suffixes: []string{it.suffix}, optional: it.optional, next: out}
		case it.word != "":
			words := strings.Fields(it.word)
			seq := out
			for i := len(words) - 1; i >= 0; i-- {
				seq = &node{words: words[i : i+1 : i+1], next: seq}
			}
			switch {
			case !it.optional:
				out = seq
			case len(words) == 1:
				seq.optional = true
				out = seq
			default:
				out = &node{alts: []*node{seq, out}}
			}
		default:
			if n, ok := wordChoice(it); ok {
				n.next = out
				out = n
				continue
			}
			alts := make([]*node, 0, len(it.group)+1)
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
			out = &node{alts: alts}
		}
	}
	return out, nil
}

// wordChoice returns a group of single words as one node, the cheap way to
// match it.
func wordChoice(it item) (*node, bool) {
	n := &node{optional: it.optional}
	for _, alt := range it.group {
		if len(alt) != 1 || alt[0].optional || alt[0].gap > 0 || alt[0].group != nil || strings.Contains(alt[0].word, " ") {
			return nil, false
		}
		if alt[0].prefix != "" {
			n.prefixes = append(n.prefixes, alt[0].prefix)
		} else if alt[0].suffix != "" {
			n.suffixes = append(n.suffixes, alt[0].suffix)
		} else {
			n.words = append(n.words, alt[0].word)
		}
	}
	return n, true
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
