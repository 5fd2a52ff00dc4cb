package bot

import (
	"strings"
	"unicode/utf8"
)

// CleanText returns s with everything removed that could change how a terminal
// or a chat app shows text rather than being text itself: ANSI escape sequences,
// C0 and C1 control characters other than newline and tab, DEL, and the bidi
// embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069) that can
// make a line read differently from what it says. A CR LF pair becomes a
// newline; invalid UTF-8 becomes U+FFFD. Text that needs no cleaning is
// returned as it is, without copying.
func CleanText(s string) string {
	if clean(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	// Once a control string found no terminator, none after it will: the
	// search is not repeated, so the work stays linear.
	unterminated := false
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteRune(utf8.RuneError)
			i++
		case r == '\r':
			if strings.HasPrefix(s[i+1:], "\n") {
				b.WriteByte('\n')
				i++
			}
			i++
		case r == 0x1b: // ESC
			i += escapeLen(s[i:], &unterminated)
		case r == 0x9b: // CSI as one C1 character
			i += size + csiLen(s[i+size:])
		case r == 0x90 || r == 0x9d || r == 0x98 || r == 0x9e || r == 0x9f: // DCS, OSC, SOS, PM, APC
			i += size + stringLen(s[i+size:], &unterminated)
		case dropped(r):
			i += size
		default:
			b.WriteString(s[i : i+size])
			i += size
		}
	}
	return b.String()
}

// clean reports whether s is valid UTF-8 with nothing CleanText removes.
func clean(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < utf8.RuneSelf {
			if (c < 0x20 && c != '\n' && c != '\t') || c == 0x7f {
				return false
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || dropped(r) {
			return false
		}
		i += size - 1
	}
	return true
}

// dropped reports the runes CleanText removes on their own.
func dropped(r rune) bool {
	switch {
	case r == '\n' || r == '\t':
		return false
	case r < 0x20 || r == 0x7f:
		return true
	case r >= 0x80 && r <= 0x9f:
		return true
	case r >= 0x202a && r <= 0x202e:
		return true
	case r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}

// escapeLen is the length of the escape sequence at the start of s, which
// begins with ESC. A sequence cut short is removed as far as it goes; an ESC
// followed by nothing a sequence may contain is removed alone.
func escapeLen(s string, unterminated *bool) int {
	if len(s) < 2 {
		return len(s)
	}
	switch s[1] {
	case '[':
		return 2 + csiLen(s[2:])
	case ']', 'P', 'X', '^', '_':
		return 2 + stringLen(s[2:], unterminated)
	}
	// Other sequences: intermediate bytes, then one final byte.
	i := 1
	for i < len(s) && s[i] >= 0x20 && s[i] <= 0x2f {
		i++
	}
	if i < len(s) && s[i] >= 0x30 && s[i] <= 0x7e {
		return i + 1
	}
	return 1
}

// csiLen is the length of a control sequence's parameters, intermediates and
// final byte at the start of s.
func csiLen(s string) int {
	i := 0
	for i < len(s) && s[i] >= 0x30 && s[i] <= 0x3f {
		i++
	}
	for i < len(s) && s[i] >= 0x20 && s[i] <= 0x2f {
		i++
	}
	if i < len(s) && s[i] >= 0x40 && s[i] <= 0x7e {
		i++
	}
	return i
}

// stringLen is the length of a control string (OSC, DCS and their kin) at the
// start of s, its terminator (BEL, ESC \ or ST) included. Without a terminator
// only the introducer goes: the rest is shown as the text it is, and
// *unterminated is set, so later searches are skipped.
func stringLen(s string, unterminated *bool) int {
	if *unterminated {
		return 0
	}
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == 0x07:
			return i + 1
		case s[i] == 0x1b && i+1 < len(s) && s[i+1] == '\\':
			return i + 2
		case s[i] == 0xc2 && i+1 < len(s) && s[i+1] == 0x9c: // ST as a C1 character
			return i + 2
		}
	}
	*unterminated = true
	return 0
}
