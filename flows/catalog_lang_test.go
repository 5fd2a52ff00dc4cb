package flows

import (
	"io/fs"
	"regexp"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"
)

// A language file is only as good as its worst message: a missing key falls
// back to English in the middle of a conversation, a lost {placeholder} drops
// the client's own words, and a renamed /command leads nowhere. These tests
// hold every translation in messages/ to the English catalog, key by key.

var (
	langPlaceholderRe = regexp.MustCompile(`\{([^{}\s]+)\}`)
	// A slash command as a person would type it: at the start, or after a
	// space, a bracket or an opening quote ("Europe/Zurich" and "{now}/5" are
	// not commands).
	langSlashCommandRe = regexp.MustCompile(`(?:^|[\s(«"“‹'])(/[a-z]+)\b`)
	// Formal address in German: "Sie", "Ihnen" and "Ihr…" written with a
	// capital. At the start of a sentence they read as formal to a client, and
	// in the middle of one they can only be formal; the catalog says "du".
	langFormalGermanRe = regexp.MustCompile(`\b(Sie|Ihnen|Ihr|Ihre|Ihren|Ihrem|Ihrer|Ihres)\b`)
)

// langMaxCommandHelp is the longest command description Discord accepts (Telegram
// takes up to 256 characters).
const langMaxCommandHelp = 100

func TestCatalogLanguagesMatchEnglish(t *testing.T) {
	en, err := readMessages(messagesFS, "messages/en.yaml")
	if err != nil {
		t.Fatal(err)
	}
	files, err := fs.Glob(messagesFS, "messages/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 2 {
		t.Fatalf("want English and at least one more language in messages/, have %v", files)
	}
	for _, name := range files {
		lang := strings.TrimSuffix(strings.TrimPrefix(name, "messages/"), ".yaml")
		t.Run(lang, func(t *testing.T) {
			tr, err := readMessages(messagesFS, name)
			if err != nil {
				t.Fatal(err)
			}
			var missing, extra []string
			for k := range en {
				if _, ok := tr[k]; !ok {
					missing = append(missing, k)
				}
			}
			for k := range tr {
				if _, ok := en[k]; !ok {
					extra = append(extra, k)
				}
			}
			sort.Strings(missing)
			sort.Strings(extra)
			if len(missing) > 0 {
				t.Errorf("%s lacks %d key(s) of en.yaml:\n  %s", name, len(missing), strings.Join(missing, "\n  "))
			}
			if len(extra) > 0 {
				t.Errorf("%s has %d key(s) en.yaml does not:\n  %s", name, len(extra), strings.Join(extra, "\n  "))
			}
			for _, k := range langSortedKeys(tr) {
				v := tr[k]
				if strings.TrimSpace(v) == "" {
					t.Errorf("%s: %s is empty", name, k)
					continue
				}
				ev, ok := en[k]
				if !ok {
					continue
				}
				if got, want := langPlaceholders(v), langPlaceholders(ev); !langEqualSets(got, want) {
					t.Errorf("%s: %s has placeholders %v, English has %v\n  %s", name, k, got, want, v)
				}
				if got, want := langSlashCommands(v), langSlashCommands(ev); !langEqualSets(got, want) {
					t.Errorf("%s: %s names commands %v, English names %v (commands are not translated)\n  %s", name, k, got, want, v)
				}
				if strings.HasPrefix(k, "cmd.") && utf8.RuneCountInString(v) > langMaxCommandHelp {
					t.Errorf("%s: %s is %d characters, command menus take at most %d\n  %s", name, k, utf8.RuneCountInString(v), langMaxCommandHelp, v)
				}
			}
			if _, err := LoadCatalog(lang, ""); err != nil {
				t.Errorf("LoadCatalog(%q): %v", lang, err)
			}
		})
	}
}

func TestCatalogGermanSpellingAndAddress(t *testing.T) {
	de, err := readMessages(messagesFS, "messages/de.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range langSortedKeys(de) {
		v := de[k]
		if strings.Contains(v, "ß") {
			t.Errorf("de.yaml: %s has ß; write ss, as in Switzerland\n  %s", k, v)
		}
		if m := langFormalGermanRe.FindAllString(v, -1); len(m) > 0 {
			t.Errorf("de.yaml: %s addresses the client formally (%s); the catalog says du\n  %s", k, strings.Join(m, ", "), v)
		}
	}
}

// TestCatalogFormalCheck makes sure the address check above would catch what
// it is there for, and lets the informal forms through.
func TestCatalogFormalCheck(t *testing.T) {
	for s, formal := range map[string]bool{
		"Sie können jederzeit pausieren.":  true,
		"Danke. Ihnen bleibt alles.":       true,
		"Ihr Coach sieht das.":             true,
		"Wann passt es Ihnen?":             true,
		"Du kannst jederzeit pausieren.":   false,
		"Dein Coach sieht nur, dass es":    false,
		"sie sieht es nur, wenn du teilst": false,
		"Eine Siesta zählt auch.":          false,
	} {
		if got := langFormalGermanRe.MatchString(s); got != formal {
			t.Errorf("formal(%q) = %v, want %v", s, got, formal)
		}
	}
}

func langPlaceholders(s string) []string {
	var out []string
	for _, m := range langPlaceholderRe.FindAllStringSubmatch(s, -1) {
		out = append(out, m[1])
	}
	return langUniqueSorted(out)
}

func langSlashCommands(s string) []string {
	var out []string
	for _, m := range langSlashCommandRe.FindAllStringSubmatch(s, -1) {
		out = append(out, m[1])
	}
	return langUniqueSorted(out)
}

func langUniqueSorted(xs []string) []string {
	sort.Strings(xs)
	out := xs[:0]
	for i, x := range xs {
		if i == 0 || x != xs[i-1] {
			out = append(out, x)
		}
	}
	return out
}

func langEqualSets(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func langSortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
