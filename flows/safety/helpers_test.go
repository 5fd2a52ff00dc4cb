package safety

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// builtinLists reads the phrase lists the flows package embeds.
func builtinLists(tb testing.TB) map[string][]byte {
	tb.Helper()
	paths, err := filepath.Glob("../messages/safety/*.yaml")
	if err != nil || len(paths) == 0 {
		tb.Fatalf("phrase lists: %v (found %d)", err, len(paths))
	}
	lists := make(map[string][]byte, len(paths))
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			tb.Fatal(err)
		}
		lists[strings.TrimSuffix(filepath.Base(p), ".yaml")] = b
	}
	return lists
}

// newDetector builds a detector from the built-in lists and extra phrases.
func newDetector(tb testing.TB, extra ...string) *Detector {
	tb.Helper()
	d, err := New(builtinLists(tb), extra)
	if err != nil {
		tb.Fatal(err)
	}
	return d
}

// explain lists the phrases that decided the level of text, for failure
// messages.
func (d *Detector) explain(text string) string {
	var parts []string
	for _, h := range d.hits(tokenize(text)) {
		parts = append(parts, h.rule.level.String()+" <- "+h.rule.source)
	}
	if len(parts) == 0 {
		return "no phrase"
	}
	return strings.Join(parts, "; ")
}
