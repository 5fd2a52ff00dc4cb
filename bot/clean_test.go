package bot

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestCleanText(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"Plain", "call my brother", "call my brother"},
		{"NewlineAndTab", "one\ntwo\tthree", "one\ntwo\tthree"},
		{"Unicode", "Grüezi, 東京 👋", "Grüezi, 東京 👋"},
		{"CRLF", "one\r\ntwo", "one\ntwo"},
		{"LoneCR", "over\rwritten", "overwritten"},
		{"NulAndBell", "a\x00b\x07c", "abc"},
		{"Delete", "a\x7fb", "ab"},
		{"Colour", "\x1b[31mred\x1b[0m", "red"},
		{"CursorMoves", "\x1b[2J\x1b[1;1Hhome", "home"},
		{"PrivateMode", "\x1b[?25lhidden cursor", "hidden cursor"},
		{"TitleWithBell", "\x1b]0;pwned\x07text", "text"},
		{"HyperlinkWithST", "\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\", "link"},
		{"UnterminatedOSC", "\x1b]0;title", "0;title"},
		{"TwoCharEscape", "\x1bcreset", "reset"},
		{"CharsetEscape", "\x1b(Bascii", "ascii"},
		{"LoneEscapeAtEnd", "end\x1b", "end"},
		{"EscapeBeforeNonASCII", "\x1bé", "é"},
		{"C1CSI", "\u009b31mred", "red"},
		{"C1OSC", "\u009d0;t\u009ctext", "text"},
		{"C1Other", "a\u0085b", "ab"},
		{"BidiOverride", "abc\u202edcba\u202c", "abcdcba"},
		{"BidiIsolate", "\u2066x\u2069", "x"},
		{"InvalidUTF8", "a\xffb", "a\uFFFDb"},
		{"Empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CleanText(tt.in); got != tt.want {
				t.Errorf("CleanText(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// FuzzCleanText checks what CleanText promises for any input: valid UTF-8,
// nothing it removes left in, unchanged when cleaned again, never longer
// than a replacement per byte allows, and plain text kept as it is.
func FuzzCleanText(f *testing.F) {
	for _, s := range []string{
		"", "hello", "one\r\ntwo", "\x1b[31mred\x1b[0m", "\x1b]0;t\x07x", "\x1b]8;;u\x1b\\l",
		"\u009b1m", "\u202eabc", "a\xffb", "\x1b", "\x1b[", "\x1b]", "\r", "\r\r\n", "\xc2", "\u009d\xc2",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := CleanText(s)
		if !utf8.ValidString(got) {
			t.Fatalf("CleanText(%q) = %q: not valid UTF-8", s, got)
		}
		for _, r := range got {
			if dropped(r) || r == 0x1b || r == '\r' {
				t.Fatalf("CleanText(%q) = %q: keeps %U", s, got, r)
			}
		}
		if again := CleanText(got); again != got {
			t.Fatalf("CleanText not idempotent: %q -> %q -> %q", s, got, again)
		}
		if len(got) > 3*len(s) {
			t.Fatalf("CleanText(%q) grew to %d bytes", s, len(got))
		}
		if utf8.ValidString(s) && !strings.ContainsFunc(s, func(r rune) bool { return dropped(r) || r == '\r' }) && got != s {
			t.Fatalf("CleanText(%q) = %q: changed plain text", s, got)
		}
	})
}

// Many control strings without a terminator cost no more than one.
func BenchmarkCleanTextUnterminated(b *testing.B) {
	s := strings.Repeat("\x1b]x", 20000)
	for b.Loop() {
		CleanText(s)
	}
}
