package safety

import (
	"errors"
	"fmt"
	"slices"
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

// An index holds the compiled phrases of one list in a few flat slices:
// nodes refer to each other, and to the words they match, by number. A
// thousand phrases take a few hundred kilobytes this way, with next to no
// pointers for the garbage collector to follow.
type index struct {
	ids      map[string]int32 // every word the phrases name, numbered from 1
	nodes    []node
	words    []int32  // the word numbers of every node, in runs
	affixes  []string // the prefixes and suffixes of every node, in runs
	alts     []int32  // the alternatives of every choice, in runs
	rules    []rule
	byWord   [][]int32          // the rules that start with a word, by its number
	byPrefix map[string][]int32 // the rules that start with a prefix, by its first three bytes
}

// end is the node after the last: a sequence that reaches it has matched.
const end int32 = -1

// run is a stretch of one of the index's slices.
type run struct{ at, n int32 }

// node is one position of a compiled pattern: a word from a set, a gap, or a
// choice between alternatives, followed by next. A choice has no next: each
// alternative leads on to what follows the choice, and they share it rather
// than each carrying a copy, so a pattern compiles to about its written size,
// whatever the number of word sequences it stands for.
type node struct {
	words    run // of index.words
	prefixes run // of index.affixes
	suffixes run // of index.affixes
	alts     run // of index.alts; a choice when not empty
	next     int32
	gap      uint8
	optional bool
}

// rule is one compiled word sequence of a pattern.
type rule struct {
	start  int32 // always a word or a prefix, which the index finds it by
	level  Level
	source string // where the pattern was written, for error messages and tests
}

func newIndex() index {
	return index{ids: map[string]int32{}, byWord: [][]int32{nil}, byPrefix: map[string][]int32{}}
}

// trim lets go of the room the slices grew for more phrases: the index is
// complete.
func (x *index) trim() {
	x.nodes, x.words, x.affixes = slices.Clone(x.nodes), slices.Clone(x.words), slices.Clone(x.affixes)
	x.alts, x.rules = slices.Clone(x.alts), slices.Clone(x.rules)
}

// id numbers a word of the phrases.
func (x *index) id(w string) int32 {
	if n, ok := x.ids[w]; ok {
		return n
	}
	n := int32(len(x.byWord))
	x.ids[w] = n
	x.byWord = append(x.byWord, nil)
	return n
}

// node adds n and returns its number.
func (x *index) node(n node) int32 {
	x.nodes = append(x.nodes, n)
	return int32(len(x.nodes) - 1)
}

// strings adds ss to the affixes and returns their run.
func (x *index) strings(ss ...string) run {
	r := run{int32(len(x.affixes)), int32(len(ss))}
	x.affixes = append(x.affixes, ss...)
	return r
}

func (x *index) add(r rule) {
	n := int32(len(x.rules))
	x.rules = append(x.rules, r)
	first := &x.nodes[r.start]
	for _, w := range x.words[first.words.at:][:first.words.n] {
		x.byWord[w] = append(x.byWord[w], n)
	}
	for _, p := range x.affixes[first.prefixes.at:][:first.prefixes.n] {
		x.byPrefix[p[:3]] = append(x.byPrefix[p[:3]], n)
	}
}

// word is a token as one index sees it: its words by their numbers there, 0
// for a word no phrase names, and whether it is a filler.
type word struct {
	*token
	id, alt int32
	filler  bool
}

func (x *index) matches(n *node, t *word) bool {
	for _, w := range x.words[n.words.at:][:n.words.n] {
		if w == t.id || w == t.alt {
			return true
		}
	}
	for _, p := range x.affixes[n.prefixes.at:][:n.prefixes.n] {
		if strings.HasPrefix(t.token.word, p) || (t.token.alt != "" && strings.HasPrefix(t.token.alt, p)) {
			return true
		}
	}
	for _, p := range x.affixes[n.suffixes.at:][:n.suffixes.n] {
		if len(t.token.word) > len(p) && strings.HasSuffix(t.token.word, p) {
			return true
		}
	}
	return false
}

// match reports the end of the shortest match of the sequence from node n
// starting at word i, all in sentence s.
func (x *index) match(n int32, ws []word, i, s int) (int, bool) {
	if n == end {
		return i, true
	}
	nd := &x.nodes[n]
	if nd.alts.n > 0 {
		for _, a := range x.alts[nd.alts.at:][:nd.alts.n] {
			if e, ok := x.match(a, ws, i, s); ok {
				return e, true
			}
		}
		return 0, false
	}
	if nd.gap > 0 {
		for k := 0; ; k++ {
			if e, ok := x.match(nd.next, ws, i+k, s); ok {
				return e, true
			}
			if k == int(nd.gap) || i+k >= len(ws) || ws[i+k].sentence != s {
				return 0, false
			}
		}
	}
	if i < len(ws) && ws[i].sentence == s {
		if x.matches(nd, &ws[i]) {
			if e, ok := x.match(nd.next, ws, i+1, s); ok {
				return e, true
			}
		}
		if ws[i].filler {
			// "i wish i could just die": a filler word between two words of a
			// phrase changes nothing, also when the phrase could have used it
			// ("ich will einfach nur tot sein" for "will (einfach|nur)? tot sein").
			if e, ok := x.match(n, ws, i+1, s); ok {
				return e, true
			}
		}
	}
	if nd.optional {
		return x.match(nd.next, ws, i, s)
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

// span is the tokens [start, end) a rule matched.
type span struct {
	start, end int
	rule       *rule
}

// find calls fn for every match of every rule in toks.
func (x *index) find(toks []token, fn func(span)) {
	if len(x.rules) == 0 {
		return
	}
	ws := make([]word, len(toks))
	for i := range toks {
		t := &toks[i]
		ws[i] = word{token: t, id: x.ids[t.word], filler: fillers[t.word]}
		if t.alt != "" {
			ws[i].alt = x.ids[t.alt]
		}
	}
	for i := range ws {
		w := &ws[i]
		x.tryAll(x.byWord[w.id], ws, i, fn)
		if w.alt != 0 {
			x.tryAll(x.byWord[w.alt], ws, i, fn)
		}
		if len(x.byPrefix) > 0 {
			t := w.token
			if len(t.word) >= 3 {
				x.tryAll(x.byPrefix[t.word[:3]], ws, i, fn)
			}
			if len(t.alt) >= 3 && (len(t.word) < 3 || t.alt[:3] != t.word[:3]) {
				x.tryAll(x.byPrefix[t.alt[:3]], ws, i, fn)
			}
		}
	}
}

func (x *index) tryAll(rules []int32, ws []word, i int, fn func(span)) {
	for _, r := range rules {
		if e, ok := x.match(x.rules[r].start, ws, i, ws[i].sentence); ok {
			fn(span{start: i, end: e, rule: &x.rules[r]})
		}
	}
}

// compile adds one written pattern to x, as rules, one for each way it can
// start. A pattern that does not compile may leave unused nodes behind: the
// index is then not to be used.
func (x *index) compile(pattern string, level Level, source string) error {
	p := parser{src: pattern}
	items, err := p.sequence(0)
	if err != nil {
		return err
	}
	seq, err := x.build(items, end)
	if err != nil {
		return err
	}
	starts, err := x.splitStart(seq)
	if err != nil {
		return err
	}
	if len(starts) > maxVariants {
		return fmt.Errorf("starts in %d ways, more than %d: split it", len(starts), maxVariants)
	}
	seen := make(map[string]bool, len(starts))
	var key strings.Builder
	for _, n := range starts {
		key.Reset()
		x.writeKey(&key, n)
		if !seen[key.String()] {
			seen[key.String()] = true
			x.add(rule{start: n, level: level, source: source})
		}
	}
	return nil
}

// writeKey writes what the sequence from n matches, the same for sequences
// that match the same.
func (x *index) writeKey(b *strings.Builder, n int32) {
	for ; n != end; n = x.nodes[n].next {
		nd := &x.nodes[n]
		b.WriteByte('[')
		for _, w := range x.words[nd.words.at:][:nd.words.n] {
			b.WriteString(strconv.Itoa(int(w)))
			b.WriteByte(' ')
		}
		for _, r := range []run{nd.prefixes, nd.suffixes} {
			b.WriteByte(';')
			b.WriteString(strings.Join(x.affixes[r.at:][:r.n], " "))
		}
		b.WriteString(strconv.Itoa(int(nd.gap)))
		if nd.optional {
			b.WriteByte('?')
		}
		for _, a := range x.alts[nd.alts.at:][:nd.alts.n] {
			b.WriteByte('(')
			x.writeKey(b, a)
			b.WriteByte(')')
		}
		b.WriteByte(']')
	}
}

// splitStart rewrites a sequence that starts with a choice or an optional word
// as the sequences that start with a required word, so every rule is found by
// its first word.
func (x *index) splitStart(n int32) ([]int32, error) {
	if n == end {
		return nil, errors.New("matches nothing")
	}
	nd := x.nodes[n]
	switch {
	case nd.suffixes.n > 0:
		return nil, errors.New("a phrase cannot start with *end: name its first word")
	case nd.gap > 0:
		return nil, errors.New("a gap must be between words")
	case nd.alts.n > 0:
		var out []int32
		for i := range nd.alts.n {
			ss, err := x.splitStart(x.alts[nd.alts.at+i])
			if err != nil {
				return nil, err
			}
			out = append(out, ss...)
			if len(out) > maxVariants {
				return nil, fmt.Errorf("starts in more than %d ways: split it", maxVariants)
			}
		}
		return out, nil
	case nd.optional:
		req := nd
		req.optional = false
		rest, err := x.splitStart(nd.next)
		if err != nil {
			return nil, err
		}
		return append([]int32{x.node(req)}, rest...), nil
	}
	return []int32{n}, nil
}

// build adds the nodes that match items followed by tail and returns the
// first. Every alternative of a group leads on to the same tail.
func (x *index) build(items []item, tail int32) (int32, error) {
	out := tail
	for k := len(items) - 1; k >= 0; k-- {
		it := items[k]
		switch {
		case it.gap > 0:
			if out == end {
				return 0, errors.New("a gap must be between words")
			}
			out = x.node(node{gap: uint8(it.gap), next: out})
		case it.prefix != "":
			out = x.node(node{prefixes: x.strings(it.prefix), optional: it.optional, next: out})
		case it.suffix != "":
			out = x.node(node{suffixes: x.strings(it.suffix), optional: it.optional, next: out})
		case it.word != "":
			words := strings.Fields(it.word)
			seq := out
			for i := len(words) - 1; i >= 0; i-- {
				seq = x.node(node{words: x.wordRun(words[i]), next: seq})
			}
			switch {
			case !it.optional:
				out = seq
			case len(words) == 1:
				x.nodes[seq].optional = true
				out = seq
			default:
				out = x.node(node{alts: x.altRun(seq, out), next: end})
			}
		default:
			if n, ok := x.wordChoice(it); ok {
				n.next = out
				out = x.node(n)
				continue
			}
			alts := make([]int32, 0, len(it.group)+1)
			for _, a := range it.group {
				seq, err := x.build(a, out)
				if err != nil {
					return 0, err
				}
				alts = append(alts, seq)
			}
			if it.optional {
				alts = append(alts, out)
			}
			out = x.node(node{alts: x.altRun(alts...), next: end})
		}
	}
	return out, nil
}

// wordRun numbers words and returns their run.
func (x *index) wordRun(words ...string) run {
	r := run{int32(len(x.words)), int32(len(words))}
	for _, w := range words {
		x.words = append(x.words, x.id(w))
	}
	return r
}

// altRun adds the alternatives of a choice and returns their run.
func (x *index) altRun(alts ...int32) run {
	r := run{int32(len(x.alts)), int32(len(alts))}
	x.alts = append(x.alts, alts...)
	return r
}

// wordChoice returns a group of single words as one node, the cheap way to
// match it.
func (x *index) wordChoice(it item) (node, bool) {
	var words, prefixes, suffixes []string
	for _, alt := range it.group {
		if len(alt) != 1 || alt[0].optional || alt[0].gap > 0 || alt[0].group != nil || strings.Contains(alt[0].word, " ") {
			return node{}, false
		}
		switch {
		case alt[0].prefix != "":
			prefixes = append(prefixes, alt[0].prefix)
		case alt[0].suffix != "":
			suffixes = append(suffixes, alt[0].suffix)
		default:
			words = append(words, alt[0].word)
		}
	}
	return node{words: x.wordRun(words...), prefixes: x.strings(prefixes...), suffixes: x.strings(suffixes...), optional: it.optional}, true
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
