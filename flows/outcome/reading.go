package outcome

import (
	"slices"
	"sort"
	"strings"
	"unicode"
)

// A token is one word of what the client wrote, normalised and classed.
type token struct {
	word  string // as mended: "pages" is "page"
	raw   string // as written, lowercased: "pages"
	class class
	named bool // a capitalised word we do not know: a person or a thing by name
}

// lead says how the client introduced their words.
type lead int

const (
	leadNone lead = iota
	leadWish      // "I want to", "I'd like to", "my goal is": a wish, often for a result
	leadWill      // "I will", "I'm going to": a commitment, often to a step
)

// A reading is the client's words ready for the features: the lead taken off,
// typos mended, phrases joined ("after lunch"), and the head verb found.
type reading struct {
	tokens []token
	lead   lead
	german bool
	head   int // index of the head verb in tokens, or -1
}

// read turns text into a reading.
func read(text string) *reading {
	raw := split(text)
	r := &reading{head: -1}
	for _, w := range raw {
		if germanHint[w.word] {
			r.german = true
		}
	}
	toks := make([]token, 0, len(raw))
	for i, w := range raw {
		word := mend(w.word)
		c := known[word]
		named := w.capital && i > 0 && c == 0 && !isPlain[word] && !numberWord(word, 0)
		toks = append(toks, token{word: word, raw: w.word, class: c, named: named})
	}
	toks, r.lead = stripLead(toks, r.german)
	r.tokens = joinPhrases(toks)
	if r.german {
		for i := range r.tokens {
			r.tokens[i].named = false // German capitalises every noun
		}
	}
	for i, t := range r.tokens {
		if i == 0 && !r.german && t.class == 0 && !isPlain[t.word] && !numberWord(t.word, 0) {
			break // a verb we do not know ("worry less"): no later word is the head
		}
		if t.class&verbClasses == 0 {
			continue
		}
		if i > 0 && r.tokens[i-1].class&(cDeterminer|cNumber) != 0 {
			continue // "a walk", "the book": a noun, not a verb
		}
		if i > 0 && prepositions[r.tokens[i-1].word] && !(r.german && r.tokens[i-1].word == "zu") {
			continue // "better at saying no", "in order": not the verb of the clause
		}
		r.head = i
		break
	}
	return r
}

// has reports whether any token other than the head carries class c.
func (r *reading) has(c class) bool {
	for i, t := range r.tokens {
		if i != r.head && t.class&c != 0 {
			return true
		}
	}
	return false
}

// headIs reports whether the head verb carries class c.
func (r *reading) headIs(c class) bool {
	return r.head >= 0 && r.tokens[r.head].class&c != 0
}

// rawWord is a word as split from the text, before mending.
type rawWord struct {
	word    string
	capital bool
}

// split lowercases and folds text into words. Hyphens join ("push-ups" is
// "pushups"), a possessive 's goes, and a number glued to a unit comes apart
// ("10kg", "9pm", "100k", "20%").
func split(text string) []rawWord {
	var out []rawWord
	var b strings.Builder
	capital := false
	flush := func() {
		if b.Len() == 0 {
			return
		}
		w := strings.Trim(b.String(), "'")
		w = strings.TrimSuffix(w, "'s")
		b.Reset()
		for _, part := range unglue(w) {
			out = append(out, rawWord{word: part, capital: capital})
		}
		capital = false
	}
	rs := []rune(text)
	for i, r := range rs {
		switch {
		case r == '’' || r == '‘' || r == '\'':
			b.WriteRune('\'')
		case r == '-' || r == '‐':
			// joins: "work-life", "to-do"
		case r == ':' && b.Len() > 0 && i+1 < len(rs) && unicode.IsDigit(rs[i+1]):
			b.WriteRune(':') // a clock time: 6:30
		case r == '%' || r == '€' || r == '$' || r == '£':
			flush()
			out = append(out, rawWord{word: string(r)})
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if b.Len() == 0 {
				capital = unicode.IsUpper(r)
			}
			b.WriteString(fold(unicode.ToLower(r)))
		default:
			flush()
		}
	}
	flush()
	return out
}

// fold writes German letters the way the lexicon stores them.
func fold(r rune) string {
	switch r {
	case 'ä':
		return "a"
	case 'ö':
		return "o"
	case 'ü':
		return "u"
	case 'ß':
		return "ss"
	}
	return string(r)
}

// unglue splits a number from the unit stuck to it: "10kg" is "10", "kg".
func unglue(w string) []string {
	i := 0
	for i < len(w) && w[i] >= '0' && w[i] <= '9' {
		i++
	}
	if i == 0 || i == len(w) || strings.Contains(w, ":") {
		return []string{w}
	}
	return []string{w[:i], w[i:]}
}

// respell holds the few slips too far from the word for mend to find, and chat
// shorthand.
var respell = map[string]string{
	"tonite": "tonight", "txt": "text", "tmrw": "tomorrow", "tmr": "tomorrow",
	"pls": "please", "u": "you", "im": "i'm", "id": "i'd", "ive": "i've",
	"excercise": "exercise", "mins": "minute", "hrs": "hour",
}

// mend maps a word to the form the lexicon knows: as written, respelled, without
// its ending ("pages", "calmer", "procrastinating"), or one slip away from a
// known word ("buisness", "tommorow", "lern").
func mend(w string) string {
	if _, ok := known[w]; ok {
		return w
	}
	if s, ok := respell[w]; ok {
		return s
	}
	forms := append([]string{w}, stems(w)...)
	for _, f := range forms[1:] {
		if _, ok := known[f]; ok {
			return f // "words" is "word", a unit of effort
		}
	}
	for _, f := range forms {
		if isPlain[f] {
			return f
		}
	}
	if len(w) < 4 || numberWord(w, 0) {
		return w
	}
	for i, f := range forms {
		if i > 0 && len(f) < 6 {
			continue // a short stem is a guess; mending it too finds nonsense
		}
		if m := nearest(f); m != "" {
			return m
		}
	}
	return w
}

// stems lists forms of w without a common ending, most likely first. An "-er"
// form counts only when it is the comparative of a state ("calmer").
func stems(w string) []string {
	var out []string
	add := func(s string) {
		if len(s) >= 2 {
			out = append(out, s)
		}
	}
	if s, ok := strings.CutSuffix(w, "ies"); ok {
		add(s + "y")
	}
	if s, ok := strings.CutSuffix(w, "es"); ok {
		add(s)
	}
	if s, ok := strings.CutSuffix(w, "s"); ok {
		add(s)
	}
	for _, suffix := range []string{"ing", "ed"} {
		if s, ok := strings.CutSuffix(w, suffix); ok {
			add(s)
			add(s + "e")
			if n := len(s); n >= 2 && s[n-1] == s[n-2] {
				add(s[:n-1]) // "running", "stopped"
			}
		}
	}
	for _, pair := range [][2]string{{"ier", "y"}, {"er", ""}, {"r", ""}} {
		if s, ok := strings.CutSuffix(w, pair[0]); ok && known[s+pair[1]]&cState != 0 {
			add(s + pair[1])
		}
	}
	if s, ok := strings.CutSuffix(w, "ly"); ok {
		add(s)
	}
	for _, suffix := range []string{"e", "en", "er", "es", "em", "n"} {
		if s, ok := strings.CutSuffix(w, suffix); ok {
			add(s) // German endings: "besserer", "neuen", "Seiten"
		}
	}
	if tail := compoundTail(w); tail != "" {
		add(tail)
	}
	return out
}

// compoundTail finds a known word of five letters or more that w ends with:
// "ultramarathon" is a marathon, "Zahnarzttermin" a Termin.
func compoundTail(w string) string {
	for i := 3; i+5 <= len(w); i++ {
		if known[w[i:]] != 0 {
			return w[i:]
		}
	}
	return ""
}

// nearest finds a known word one slip from w: a letter missing or extra, two
// letters swapped in a word of five letters or more, or one letter wrong in a
// word of six or more ("think" must not become "thank"). It keeps to
// words with the same first letter and prefers the closest in length, then the
// first alphabetically. It returns "" if none.
func nearest(w string) string {
	var cands []string
	for _, c := range slips[w] {
		if len(c) > len(w) {
			cands = append(cands, c) // a letter missing from w
		}
	}
	for _, d := range deletions(w) {
		if _, ok := known[d]; ok || isPlain[d] {
			cands = append(cands, d) // a letter extra in w
		}
		for _, c := range slips[d] {
			if len(c) == len(w) && (swapped(c, w) && len(w) >= 5 || len(w) >= 6) {
				cands = append(cands, c) // two letters swapped, or one wrong
			}
		}
	}
	// A slip rarely hits the first letter; allowing it turns "near" into "earn".
	cands = slices.DeleteFunc(cands, func(c string) bool { return c[0] != w[0] })
	if len(cands) == 0 {
		return ""
	}
	abs := func(n int) int {
		if n < 0 {
			return -n
		}
		return n
	}
	sort.Slice(cands, func(i, j int) bool {
		a, b := cands[i], cands[j]
		if da, db := abs(len(a)-len(w)), abs(len(b)-len(w)); da != db {
			return da < db
		}
		return a < b
	})
	return cands[0]
}

// swapped reports whether a and b differ only by two neighbouring letters
// swapped: "emial" and "email".
func swapped(a, b string) bool {
	i := 0
	for i < len(a) && a[i] == b[i] {
		i++
	}
	return i+1 < len(a) && a[i] == b[i+1] && a[i+1] == b[i] && a[i+2:] == b[i+2:]
}

// deletions lists w with one letter left out.
func deletions(w string) []string {
	out := make([]string, 0, len(w))
	for i := range len(w) {
		out = append(out, w[:i]+w[i+1:])
	}
	return out
}

// Lead words: what a client may write before the thing itself.
var (
	fillers  = set("so ok okay well um hmm maybe probably just really finally actually also basically ideally honestly then and perhaps definitely vielleicht naja ja also")
	subjects = set("i i'd i'll i'm we we'd we'll ich wir")
	wishes   = set("want wanna would i'd we'd like love need needs should must hope wish aim intend mochte mochten wurde gerne gern")
	wills    = set("will i'll we'll shall going gonna plan planning try trying werde")
	linkers  = set("to and have got gotta am i'm is can could might mal es really just finally actually also definitely")
	goals    = set("goal aim dream intention plan ziel wish")
)

// stripLead takes off "I want to", "my goal is", "honestly I'd like to" and the
// like, and says what kind of lead it was. German "ich will" is a wish.
func stripLead(toks []token, german bool) ([]token, lead) {
	kind := leadNone
	note := func(w string) {
		switch {
		case kind != leadNone:
		case w == "will" && german:
			kind = leadWish
		case wishes[w]:
			kind = leadWish
		case wills[w]:
			kind = leadWill
		}
	}
	for {
		n := len(toks)
		for len(toks) > 0 && fillers[toks[0].word] {
			toks = toks[1:]
		}
		// "my goal is to", "goal:", "mein Ziel ist"
		i := 0
		if len(toks) > 1 && (toks[0].word == "my" || toks[0].word == "the" || toks[0].word == "mein" || toks[0].word == "our") {
			i = 1
		}
		if i < len(toks) && goals[toks[i].word] && (i == 1 || len(toks) > 1) {
			note(toks[i].word)
			if kind == leadNone {
				kind = leadWish
			}
			toks = toks[i+1:]
			for len(toks) > 0 && (toks[0].word == "is" || toks[0].word == "ist" || toks[0].word == "to" || toks[0].word == "zu") {
				toks = toks[1:]
			}
		}
		if len(toks) > 1 && subjects[toks[0].word] {
			note(toks[0].word)
			toks = toks[1:]
			for len(toks) > 1 && (wishes[toks[0].word] || wills[toks[0].word] || linkers[toks[0].word]) {
				note(toks[0].word)
				toks = toks[1:]
			}
		}
		if len(toks) > 1 && (toks[0].word == "to" || toks[0].word == "zu") {
			toks = toks[1:]
		}
		if len(toks) == n {
			return toks, kind
		}
	}
}

// joinPhrases joins known phrases into one token, longest first: "after lunch",
// "sign up", "someone who", "heute Abend". A phrase matches as mended ("afte
// lunch") or as written ("without stopping", where "stopping" mends to "stop").
func joinPhrases(toks []token) []token {
	out := toks[:0:0]
	for i := 0; i < len(toks); {
		joined := false
		for n := min(maxPhrase, len(toks)-i); n >= 2; n-- {
			mended, raw := make([]string, n), make([]string, n)
			for k := range n {
				mended[k], raw[k] = toks[i+k].word, toks[i+k].raw
			}
			for _, p := range []string{strings.Join(mended, "_"), strings.Join(raw, "_")} {
				if c, ok := known[p]; ok {
					out = append(out, token{word: p, raw: p, class: c})
					i += n
					joined = true
					break
				}
			}
			if joined {
				break
			}
		}
		if !joined {
			out = append(out, toks[i])
			i++
		}
	}
	return out
}

// prepositions never come right before the head verb in English.
var prepositions = set("at to of for about in on with by from into an fur mit von zu")

// germanHint lists words that say the text is German.
var germanHint = set("ich ein eine einen einem der das den dem mein meine meinen zu und mit beim heute morgen mehr weniger nicht werden ist bis nach vor die am um")

var (
	known     = map[string]class{} // every classed word and phrase
	isPlain   = map[string]bool{}  // words with no class, known so as not to be mended
	slips     = map[string][]string{}
	maxPhrase = 1
)

func init() {
	for _, e := range words {
		for _, w := range strings.Fields(e.list) {
			w = foldString(w)
			known[w] |= e.class
			if n := strings.Count(w, "_") + 1; n > maxPhrase {
				maxPhrase = n
			}
		}
	}
	for w := range set(plain) {
		isPlain[w] = true
	}
	for w := range known {
		for _, part := range strings.Split(w, "_") {
			if _, ok := known[part]; !ok {
				isPlain[part] = true
			}
		}
	}
	add := func(w string) {
		if len(w) < 3 || strings.Contains(w, "_") {
			return
		}
		slips[w] = append(slips[w], w)
		for _, d := range deletions(w) {
			slips[d] = append(slips[d], w)
		}
	}
	for w := range known {
		add(w)
	}
	for w := range isPlain {
		add(w)
	}
}

func foldString(s string) string {
	var b strings.Builder
	for _, r := range s {
		b.WriteString(fold(r))
	}
	return b.String()
}

func set(list string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(list) {
		m[foldString(w)] = true
	}
	return m
}
