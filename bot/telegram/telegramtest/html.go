package telegramtest

import (
	"strconv"
	"strings"
)

// supportedTag reports whether Telegram's HTML parse mode knows the tag.
func supportedTag(name string) bool {
	switch name {
	case "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre",
		"span", "tg-spoiler", "tg-emoji", "blockquote":
		return true
	}
	return false
}

// visibleText is the text a person sees, after the parse mode is applied.
// Markdown modes are accepted but not parsed.
func visibleText(text, parseMode string) (string, *apiError) {
	switch parseMode {
	case "":
		return text, nil
	case "HTML", "html":
		plain, err := parseHTML(text)
		if err != "" {
			return "", badRequest("can't parse entities: %s", err)
		}
		return plain, nil
	case "Markdown", "MarkdownV2", "markdown", "markdownv2":
		return text, nil
	}
	return "", badRequest("unsupported parse_mode")
}

// parseHTML checks text the way Telegram's HTML mode does, strictly: every tag
// must be a supported one and closed in order, and every '&' must start one of
// &lt; &gt; &amp; &quot; or a numeric entity. It returns the visible text, or a
// description of the first problem.
func parseHTML(s string) (string, string) {
	var b strings.Builder
	b.Grow(len(s))
	var open []string
	for i := 0; i < len(s); {
		switch s[i] {
		case '<':
			nameEnd := strings.IndexAny(s[i+1:], " \t\n>")
			if nameEnd < 0 {
				nameEnd = len(s) - i - 1
			}
			name, closing := strings.CutPrefix(strings.ToLower(s[i+1:i+1+nameEnd]), "/")
			if !closing && !supportedTag(name) {
				return "", "Unsupported start tag \"" + name + "\" at byte offset " + strconv.Itoa(i)
			}
			end := strings.IndexByte(s[i:], '>')
			if end < 0 {
				return "", "Unclosed tag at byte offset " + strconv.Itoa(i)
			}
			if closing {
				if len(open) == 0 || open[len(open)-1] != name {
					return "", "Unexpected end tag at byte offset " + strconv.Itoa(i)
				}
				open = open[:len(open)-1]
			} else {
				open = append(open, name)
			}
			i += end + 1
		case '>':
			return "", "Unexpected '>' at byte offset " + strconv.Itoa(i)
		case '&':
			end := strings.IndexByte(s[i:], ';')
			if end < 0 {
				return "", "Unescaped '&' at byte offset " + strconv.Itoa(i)
			}
			r, ok := entity(s[i+1 : i+end])
			if !ok {
				return "", "Unsupported HTML entity at byte offset " + strconv.Itoa(i)
			}
			b.WriteRune(r)
			i += end + 1
		default:
			b.WriteByte(s[i])
			i++
		}
	}
	if len(open) > 0 {
		return "", "Can't find end tag corresponding to start tag \"" + open[len(open)-1] + "\""
	}
	return b.String(), ""
}

func entity(name string) (rune, bool) {
	switch name {
	case "lt":
		return '<', true
	case "gt":
		return '>', true
	case "amp":
		return '&', true
	case "quot":
		return '"', true
	}
	num, ok := strings.CutPrefix(name, "#")
	if !ok || num == "" {
		return 0, false
	}
	base := 10
	if hex, ok := strings.CutPrefix(strings.ToLower(num), "x"); ok {
		num, base = hex, 16
	}
	n, err := strconv.ParseUint(num, base, 32)
	if err != nil || n > 0x10FFFF {
		return 0, false
	}
	return rune(n), true
}
