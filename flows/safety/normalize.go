package safety

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// token is one word of a text in canonical form. alt is the same word with every
// run of three or more equal letters squeezed to one ("diiie" gives word "diie" and
// alt "die"), so a stretched word matches whether its real spelling has a double
// letter or not. sentence numbers the sentence or clause the word is in: a
// pattern never spans two.
type token struct {
	word     string
	alt      string
	sentence int
}

// Normalize is the canonical form texts and phrases are matched in: lower case,
// words only, separated by single spaces. Apostrophes, curly or not, and their
// absence give the same words ("don't", "don’t" and "dont" all become "do not");
// chat spellings are written out ("wanna" becomes "want to", "u" becomes "you"),
// except those that stand for a word only sometimes ("2", "b"), which match
// both ways but are printed as written;
// letters stretched to three or more are squeezed to two; German umlauts become
// their two-letter forms and ß becomes ss, so "müde" and "muede" read alike.
func Normalize(text string) string {
	toks := tokenize(text)
	var b strings.Builder
	for i, t := range toks {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(t.word)
	}
	return b.String()
}

// tokenize splits text into canonical tokens.
func tokenize(text string) []token {
	toks := make([]token, 0, len(text)/5+1)
	word := make([]byte, 0, 32)
	sentence := 0
	flush := func() {
		if len(word) == 0 {
			return
		}
		toks = appendWord(toks, string(word), sentence)
		word = word[:0]
	}
	for i := 0; i < len(text); {
		r, size := rune(text[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(text[i:])
		}
		next, _ := utf8.DecodeRuneInString(text[i+size:])
		switch {
		case r < utf8.RuneSelf && ('a' <= r && r <= 'z' || '0' <= r && r <= '9'):
			word = append(word, byte(r))
		case r < utf8.RuneSelf && 'A' <= r && r <= 'Z':
			word = append(word, byte(r+'a'-'A'))
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if f, ok := folds[r]; ok {
				word = append(word, f...)
			} else {
				word = utf8.AppendRune(word, unicode.ToLower(r))
			}
		case (r == '*' || r == '#' || r == '@' || r == '$') && len(word) > 0 && unicode.IsLetter(next):
			// A masked letter in a word ("sh*t", "f#ck") stands for a letter,
			// so the word is not cut short into a different one ("sh").
			word = append(word, 'x')
		case isApostrophe(r):
			// Inside a word it joins ("don't"); elsewhere it is a quote mark.
			if len(word) > 0 && unicode.IsLetter(next) {
				word = append(word, '\'')
			} else {
				flush()
			}
		case r == '/' && len(word) == 1 && word[0] == 'w' && (next == 'o' || next == 'O'):
			// "w/o" is "without".
			after, _ := utf8.DecodeRuneInString(text[i+size+1:])
			if unicode.IsLetter(after) {
				flush()
				break
			}
			word = append(word[:0], "without"...)
			size++
		case strings.ContainsRune(".!?;:,()[]\"“”„«»\n–—…", r) || (r == '-' && (i == 0 || text[i-1] == ' ')):
			flush()
			if endsSentence(text, i, r, next) {
				sentence++
			}
		default:
			flush()
		}
		i += size
	}
	flush()
	return toks
}

// endsSentence reports whether the mark r at text[i] closes a sentence, or a
// clause: idioms and the phrases they guard never span a comma. A run of dots
// is a pause, not an end ("i want to... die"), and a dot or comma between
// digits is part of a number.
func endsSentence(text string, i int, r, next rune) bool {
	if r == '…' {
		return false
	}
	if r != '.' && r != ',' {
		return true
	}
	prev, _ := utf8.DecodeLastRuneInString(text[:i])
	if r == '.' && (prev == '.' || next == '.') {
		return false
	}
	return !unicode.IsDigit(prev) || !unicode.IsDigit(next)
}

func isApostrophe(r rune) bool {
	switch r {
	case '\'', '’', '‘', 'ʼ', '`', '´', '′':
		return true
	}
	return false
}

// folds spells letters with marks the way people type them without those keys.
// German umlauts keep their two-letter form (ü is ue) because that is how German
// writes them without the key; other marks are dropped.
var folds = map[rune]string{
	'ä': "ae", 'ö': "oe", 'ü': "ue", 'Ä': "ae", 'Ö': "oe", 'Ü': "ue", 'ß': "ss", 'ẞ': "ss",
	'à': "a", 'á': "a", 'â': "a", 'ã': "a", 'å': "a", 'À': "a", 'Á': "a", 'Â': "a",
	'ç': "c", 'Ç': "c",
	'è': "e", 'é': "e", 'ê': "e", 'ë': "e", 'È': "e", 'É': "e", 'Ê': "e",
	'ì': "i", 'í': "i", 'î': "i", 'ï': "i",
	'ñ': "n",
	'ò': "o", 'ó': "o", 'ô': "o", 'õ': "o", 'ø': "o",
	'ù': "u", 'ú': "u", 'û': "u",
}

// appendWord adds the canonical tokens of one written word.
func appendWord(toks []token, w string, sentence int) []token {
	w = unleet(w)
	if !hasRun(w) && !strings.ContainsRune(w, '\'') {
		if a, ok := aliases[w]; ok {
			return append(toks, token{word: w, alt: a, sentence: sentence})
		}
		if f, ok := shortForms[w]; ok {
			for _, x := range f {
				toks = append(toks, token{word: x, sentence: sentence})
			}
			return toks
		}
		return append(toks, token{word: w, sentence: sentence})
	}
	two, one := squeeze(w, 2), squeeze(w, 1)
	if two == one {
		for _, x := range expand(two) {
			toks = append(toks, token{word: x, sentence: sentence})
		}
		return toks
	}
	e2, e1 := expand(two), expand(one)
	_, short := shortForms[strings.ReplaceAll(one, "'", "")]
	if _, alsoShort := shortForms[strings.ReplaceAll(two, "'", "")]; short && !alsoShort {
		// Only the one-letter spelling is a known short form ("dooont"): use it.
		e2 = e1
	}
	if len(e2) != len(e1) {
		for _, x := range e2 {
			toks = append(toks, token{word: x, sentence: sentence})
		}
		return toks
	}
	for i := range e2 {
		t := token{word: e2[i], sentence: sentence}
		if e1[i] != e2[i] {
			t.alt = e1[i]
		}
		toks = append(toks, t)
	}
	return toks
}

// squeeze shortens every run of three or more equal letters to max letters.
// Runs of two ("good", "kill") are real spellings and stay; digits are left
// alone, since 1000 is a number, not a stretched word.
func squeeze(w string, max int) string {
	if !hasRun(w) {
		return w
	}
	rs := []rune(w)
	out := rs[:0:0]
	for i := 0; i < len(rs); {
		j := i + 1
		for j < len(rs) && rs[j] == rs[i] {
			j++
		}
		n := j - i
		if n >= 3 && unicode.IsLetter(rs[i]) {
			n = max
		}
		for k := 0; k < n; k++ {
			out = append(out, rs[i])
		}
		i = j
	}
	return string(out)
}

// hasRun reports whether w has three equal bytes in a row, which every run of
// three equal letters has.
func hasRun(w string) bool {
	for i := 2; i < len(w); i++ {
		if w[i] == w[i-1] && w[i] == w[i-2] {
			return true
		}
	}
	return false
}

// unleet reads a digit right after a letter as the letter it stands in for
// ("k1ll", "su1c1de"). Numbers ("10am", "1st") stay as they are.
func unleet(w string) string {
	if !strings.ContainsAny(w, "013") {
		return w
	}
	var b []byte
	var prev rune
	for i, r := range w {
		var l byte
		if unicode.IsLetter(prev) {
			switch r {
			case '0':
				l = 'o'
			case '1':
				l = 'i'
			case '3':
				l = 'e'
			}
		}
		if l != 0 && b == nil {
			b = append(make([]byte, 0, len(w)), w[:i]...)
		}
		if b != nil {
			if l != 0 {
				b = append(b, l)
				r = rune(l)
			} else {
				b = utf8.AppendRune(b, r)
			}
		}
		prev = r
	}
	if b == nil {
		return w
	}
	return string(b)
}

// expand turns one written word into canonical words: apostrophe forms and their
// apostrophe-less spellings are written out, chat spellings replaced.
func expand(w string) []string {
	if i := strings.IndexByte(w, '\''); i >= 0 {
		return expandApostrophe(w, i)
	}
	if f, ok := shortForms[w]; ok {
		return f
	}
	return []string{w}
}

func expandApostrophe(w string, i int) []string {
	stem, suffix := w[:i], w[i+1:]
	switch {
	case suffix == "t" && strings.HasSuffix(stem, "n"):
		switch stem {
		case "can", "ca":
			return []string{"can", "not"}
		case "won", "wo":
			return []string{"will", "not"}
		case "ain", "ai":
			return []string{"is", "not"}
		case "shan", "sha":
			return []string{"shall", "not"}
		}
		return append(expand(strings.TrimSuffix(stem, "n")), "not")
	case suffix == "m":
		return append(expand(stem), "am")
	case suffix == "re":
		return append(expand(stem), "are")
	case suffix == "ve":
		return append(expand(stem), "have")
	case suffix == "ll":
		return append(expand(stem), "will")
	case suffix == "d":
		return append(expand(stem), "would")
	case suffix == "s":
		if isSubject[stem] {
			return append(expand(stem), "is")
		}
		return expand(stem)
	}
	return expand(strings.ReplaceAll(w, "'", ""))
}

// isSubject lists the words whose 's is "is" rather than a possessive.
var isSubject = map[string]bool{
	"it": true, "that": true, "what": true, "there": true, "he": true, "she": true,
	"who": true, "here": true, "everything": true, "nothing": true, "life": true,
	"this": true, "where": true, "how": true, "everyone": true, "everybody": true,
	"nobody": true, "noone": true, "gibt": true,
}

// aliases are chat spellings that stand for a word only sometimes: "i want 2
// die" but "2 pills", "wanna b dead" but "plan b", Bavarian "net" but "net
// income". The written word stays and the word it may stand for becomes the
// token's alt, so a phrase matches either reading.
var aliases = map[string]string{
	"2": "to", "4": "for", "b": "be", "y": "why", "net": "nicht",
	"unalive": "kill", "unalives": "kills", "unaliving": "killing", "unalived": "killed",
}

// shortForms writes out the apostrophe-less and chat spellings people type,
// including a few common misspellings of words the phrase lists rely on. Both
// texts and phrases pass through it, so a phrase may use either form.
var shortForms = map[string][]string{}

func init() {
	for k, v := range map[string]string{
		// Apostrophe forms typed without the apostrophe.
		"dont": "do not", "cant": "can not", "cannot": "can not", "wont": "will not",
		"isnt": "is not", "im": "i am", "ive": "i have", "didnt": "did not",
		"doesnt": "does not", "wasnt": "was not", "werent": "were not", "arent": "are not",
		"couldnt": "could not", "wouldnt": "would not", "shouldnt": "should not",
		"havent": "have not", "hasnt": "has not", "hadnt": "had not", "aint": "is not",
		"whats": "what is", "thats": "that is", "its": "it is", "theres": "there is",
		"youre": "you are", "theyre": "they are", "id": "i would", "ide": "i would",
		"idc": "i do not care", "noone": "no one", "nobodys": "nobody is",
		"everyones": "everyone is", "lifes": "life is", "hes": "he is", "shes": "she is",
		// Chat spellings.
		"wanna": "want to", "gonna": "going to", "gotta": "got to", "hafta": "have to",
		"tryna": "trying to", "kinda": "kind of", "sorta": "sort of", "lemme": "let me",
		"gimme": "give me", "dunno": "do not know", "idk": "i do not know",
		"imma": "i am going to", "ima": "i am going to", "gunna": "going to",
		"finna": "going to", "wnna": "want to", "wan": "want", "rly": "really",
		"srsly": "seriously", "jst": "just", "2day": "today", "2nite": "tonight",
		"2night": "tonight", "2morrow": "tomorrow", "2moro": "tomorrow", "2mrw": "tomorrow",
		"u": "you", "ya": "you", "ur": "your", "r": "are", "n": "and",
		"cuz": "because", "coz": "because", "cos": "because", "bc": "because",
		"bcuz": "because", "bcoz": "because", "becuz": "because", "becoz": "because",
		"ppl": "people", "rn": "right now", "tmrw": "tomorrow", "tmr": "tomorrow",
		"tonite": "tonight", "nite": "night", "pls": "please", "plz": "please",
		"abt": "about", "w": "with", "smth": "something", "sth": "something",
		"anymore": "any more", "nomore": "no more", "alot": "a lot",
		// Words people use to talk around filters.
		"kms": "kill myself", "killmyself": "kill myself", "kilmyself": "kill myself",
		"sewerslide": "suicide", "selfharm": "self harm", "selfharming": "self harming",
		"selfharmed": "self harmed", "selfharmer": "self harmer", "ded": "dead", "dieing": "dying",
		// Common misspellings of words the phrase lists need.
		"myslef": "myself", "mysefl": "myself", "mysef": "myself", "myselfe": "myself",
		"meself": "myself", "wnat": "want", "wnt": "want", "waant": "want",
		"kil": "kill", "kiling": "killing", "killin": "killing", "myslf": "myself",
		"wana":   "want to",
		"sucide": "suicide", "suicde": "suicide", "suiside": "suicide", "sucicide": "suicide",
		"suicid": "suicide", "suicidel": "suicidal", "sucidal": "suicidal",
		"suicdal": "suicidal", "suisidal": "suicidal", "suicidial": "suicidal",
		"sucicidal": "suicidal", "anymor": "any more", "anymroe": "any more",
		// German and Swiss German spellings.
		"nich": "nicht", "nid": "nicht", "ned": "nicht", "nimmer": "nicht mehr",
		"nimme": "nicht mehr", "nuem": "nicht mehr", "nuemm": "nicht mehr",
		"nueme": "nicht mehr", "nuemme": "nicht mehr", "nuemmer": "nicht mehr",
		"gibts": "gibt es", "hab": "habe", "moecht": "moechte", "wott": "will",
		"laebe": "leben", "sterbe": "sterben", "waer": "waere",
	} {
		shortForms[k] = strings.Fields(v)
	}
}
