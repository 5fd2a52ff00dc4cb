package flows

import (
	"embed"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

//go:embed messages/*.yaml messages/safety/*.yaml
var messagesFS embed.FS

// Catalog holds every word the bot says, by key. English is embedded and complete;
// another language is one more file in messages/ (or an overrides file), and a
// coach can reword any message without touching code. Missing keys fall back to
// English, so a partial translation never leaves a client without an answer.
type Catalog struct {
	lang     string
	texts    map[string]string
	fallback map[string]string
}

// Languages lists the embedded languages.
func Languages() []string {
	entries, _ := fs.Glob(messagesFS, "messages/*.yaml")
	var langs []string
	for _, e := range entries {
		langs = append(langs, strings.TrimSuffix(strings.TrimPrefix(e, "messages/"), ".yaml"))
	}
	sort.Strings(langs)
	return langs
}

// LoadCatalog returns the catalog for lang with the overrides file (may be "")
// applied on top. An override naming a key that does not exist is an error, so a
// typo is caught at start-up instead of silently ignored.
func LoadCatalog(lang, overrides string) (*Catalog, error) {
	en, err := readMessages(messagesFS, "messages/en.yaml")
	if err != nil {
		return nil, err
	}
	c := &Catalog{lang: lang, texts: make(map[string]string, len(en)), fallback: en}
	if lang != "" && lang != "en" {
		tr, err := readMessages(messagesFS, "messages/"+lang+".yaml")
		if err != nil {
			return nil, fmt.Errorf("language %q: not available (have %s)", lang, strings.Join(Languages(), ", "))
		}
		if err := c.merge(tr, "messages/"+lang+".yaml"); err != nil {
			return nil, err
		}
	}
	if overrides != "" {
		b, err := os.ReadFile(overrides)
		if err != nil {
			return nil, fmt.Errorf("read message overrides: %w", err)
		}
		ov, err := parseMessages(b, overrides)
		if err != nil {
			return nil, err
		}
		if err := c.merge(ov, overrides); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func (c *Catalog) merge(m map[string]string, source string) error {
	for k, v := range m {
		if _, ok := c.fallback[k]; !ok {
			return fmt.Errorf("%s: unknown message key %q", source, k)
		}
		c.texts[k] = v
	}
	return nil
}

func readMessages(fsys fs.FS, name string) (map[string]string, error) {
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("read messages: %w", err)
	}
	return parseMessages(b, name)
}

func parseMessages(b []byte, name string) (map[string]string, error) {
	var m map[string]string
	if err := yaml.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	for k, v := range m {
		m[k] = strings.TrimRight(v, "\n")
	}
	return m, nil
}

// Text returns the message for key with {placeholders} filled from pairs of
// name, value. An unknown key is a programming error and shows as the key itself
// in brackets, which tests catch.
func (c *Catalog) Text(key string, pairs ...string) string {
	s, ok := c.texts[key]
	if !ok {
		s, ok = c.fallback[key]
	}
	if !ok {
		return "[" + key + "]"
	}
	if len(pairs) == 0 {
		return s
	}
	return fill(s, pairs)
}

// fill replaces each {name} in s with the value paired with name; a
// placeholder without a value stays as written.
func fill(s string, pairs []string) string {
	var b strings.Builder
	b.Grow(len(s) + 32)
	for {
		open := strings.IndexByte(s, '{')
		if open < 0 {
			break
		}
		end := strings.IndexByte(s[open:], '}')
		if end < 0 {
			break
		}
		name := s[open+1 : open+end]
		value, found := "", false
		for i := 0; i+1 < len(pairs); i += 2 {
			if pairs[i] == name {
				value, found = pairs[i+1], true
				break
			}
		}
		if !found {
			b.WriteString(s[:open+end+1])
			s = s[open+end+1:]
			continue
		}
		b.WriteString(s[:open])
		b.WriteString(value)
		s = s[open+end+1:]
	}
	b.WriteString(s)
	return b.String()
}

// Has reports whether key exists.
func (c *Catalog) Has(key string) bool {
	_, ok := c.fallback[key]
	return ok
}

// catalogs loads every embedded language, with def (which carries the
// configured rewordings) standing for its own language.
func catalogs(def *Catalog) map[string]*Catalog {
	cats := map[string]*Catalog{}
	for _, lang := range Languages() {
		if def != nil && lang == def.lang {
			cats[lang] = def
			continue
		}
		if c, err := LoadCatalog(lang, ""); err == nil {
			cats[lang] = c
		}
	}
	return cats
}

// catalog is the catalog for lang, the default when the bot does not speak it.
func (e *Engine) catalog(lang string) *Catalog {
	if c := e.cats[lang]; c != nil {
		return c
	}
	return e.cat
}

// baseLanguage turns what an app reports ("de-CH", "en_US", "pt-BR") into the
// base language the catalogs are named by ("de").
func baseLanguage(tag string) string {
	tag = strings.ToLower(strings.TrimSpace(tag))
	if i := strings.IndexAny(tag, "-_"); i >= 0 {
		tag = tag[:i]
	}
	return tag
}

// Lang is the catalog's language.
func (c *Catalog) Lang() string { return c.lang }

// spoken is lang when the bot speaks it, else "" (the default language).
func (e *Engine) spoken(lang string) string {
	if e.cats[lang] != nil {
		return lang
	}
	return ""
}
