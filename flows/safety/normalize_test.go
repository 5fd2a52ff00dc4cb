package safety

import "testing"

func TestNormalize(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"LowerCase", "I Want To DIE", "i want to die"},
		{"MaskedLetter", "did sh*t all day, what the f#ck", "did shxt all day what the fxck"},
		{"Apostrophe", "I don't want this", "i do not want this"},
		{"CurlyApostrophe", "I don’t want this", "i do not want this"},
		{"LeftQuoteAsApostrophe", "I don‘t", "i do not"},
		{"MissingApostrophe", "i dont", "i do not"},
		{"Cant", "I cant, I can't, I cannot", "i can not i can not i can not"},
		{"Wont", "it wont and it won't", "it will not and it will not"},
		{"Isnt", "it isnt fair", "it is not fair"},
		{"Im", "im tired, I'm tired", "i am tired i am tired"},
		{"Ive", "ive had it, I've had it", "i have had it i have had it"},
		{"IllWithApostropheOnly", "I'll go, I am ill", "i will go i am ill"},
		{"Possessive", "my mum's car", "my mum car"},
		{"ItsAndWhats", "whats the point, it's over, its over", "what is the point it is over it is over"},
		{"Wanna", "i wanna go", "i want to go"},
		{"Gonna", "gonna be fine", "going to be fine"},
		{"Gotta", "gotta run", "got to run"},
		{"U", "u ok? ur mum?", "you ok your mum"},
		{"Cuz", "cuz i said so coz bc", "because i said so because because"},
		{"StretchedVowel", "sooooo tired", "soo tired"},
		{"StretchedKeepsDouble", "killlll", "kill"},
		{"RealDoubleStays", "good feeling, all off", "good feeling all off"},
		{"TwoLettersStay", "diee", "diee"},
		{"StretchedApostrophe", "dooon't", "do not"},
		{"StretchedShortForm", "dooont", "do not"},
		{"ExtraSpaces", "  i   want \t to\n\n die  ", "i want to die"},
		{"Punctuation", "die!!! now?? (maybe)...", "die now maybe"},
		{"Hyphen", "self-harm", "self harm"},
		{"Umlauts", "Müde, Schön, Ärger", "muede schoen aerger"},
		{"UmlautsTypedOut", "muede schoen aerger", "muede schoen aerger"},
		{"Eszett", "Straße, ich weiß", "strasse ich weiss"},
		{"OtherAccents", "café à la crème", "cafe a la creme"},
		{"Leet", "k1ll mys3lf, su1c1de", "kill myself suicide"},
		{"NumbersStay", "10 pills at 3.30 on the 1st", "10 pills at 3 30 on the 1st"},
		{"Without", "better w/o me", "better without me"},
		{"Slang", "kms", "kill myself"},
		{"UnaliveStays", "unalive myself", "unalive myself"},
		{"ChatNumbersStay", "i want 2 die 4 real", "i want 2 die 4 real"},
		{"SwissGerman", "ich wott nüm läbe", "ich will nicht mehr leben"},
		{"Empty", " ... !! ", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Normalize(tt.in); got != tt.want {
				t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestStretchedWordsMatchBothSpellings(t *testing.T) {
	// Squeezed to two letters "diiie" is "diie"; squeezed to one it is "die".
	toks := tokenize("diiie and kiiill and sooo")
	want := []token{{word: "diie", alt: "die"}, {word: "and"}, {word: "kiill", alt: "kill"}, {word: "and"}, {word: "soo", alt: "so"}}
	if len(toks) != len(want) {
		t.Fatalf("got %d tokens, want %d: %+v", len(toks), len(want), toks)
	}
	for i := range want {
		if toks[i].word != want[i].word || toks[i].alt != want[i].alt {
			t.Errorf("token %d = %+v, want %+v", i, toks[i], want[i])
		}
	}
}

func TestAliasesMatchBothReadings(t *testing.T) {
	// "2" may be "to" and "b" may be "be"; "unalive" is "kill". The written word
	// stays, so "2 pills" and "plan b" still read as written.
	toks := tokenize("wanna b ded 2 unalive")
	want := []token{{word: "want"}, {word: "to"}, {word: "b", alt: "be"}, {word: "dead"}, {word: "2", alt: "to"}, {word: "unalive", alt: "kill"}}
	if len(toks) != len(want) {
		t.Fatalf("got %d tokens, want %d: %+v", len(toks), len(want), toks)
	}
	for i := range want {
		if toks[i].word != want[i].word || toks[i].alt != want[i].alt {
			t.Errorf("token %d = %+v, want %+v", i, toks[i], want[i])
		}
	}
}

func TestSentences(t *testing.T) {
	toks := tokenize("one two. three, four... five 3.5")
	want := []int{0, 0, 1, 2, 2, 2}
	for i, w := range want {
		if toks[i].sentence != w {
			t.Errorf("token %q in sentence %d, want %d", toks[i].word, toks[i].sentence, w)
		}
	}
}
