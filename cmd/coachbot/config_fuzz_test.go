package main

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

// FuzzParseConfig feeds the config loader any bytes: it returns a
// configuration that validates or one line beginning "config", and never
// panics. The seeds are the example file and every bad configuration of
// TestBadConfigs.
func FuzzParseConfig(f *testing.F) {
	if b, err := os.ReadFile("../../config.example.yaml"); err == nil {
		f.Add(b)
	}
	for _, s := range []string{
		"", "db: a.db\n", "telegram: {token: x, mode: webhook}\n", "rhythm:\n  max_messages_per_day: lots\n",
		"rhythm:\n  nudge_after: soon\n", "admins: telegram:1\n", "log: debug\n", "db: [a, b]\n",
		"telegram:\n  token: x\n  tokn: y\n", "db: a.db\ndb: b.db\n", "db: a.db\n---\ndb: b.db\n",
		"rhythm: {quiet_hours: \"21:00\"\n", "a: &x [*x]\n", "telegram: &t {token: x}\ndiscord: *t\n",
		"rhythm: {invite_ttl: 99999999999999999999d}\n", "telegram: {per_second: .nan}\n",
	} {
		f.Add([]byte(s))
	}
	env := func(string) string { return "" }
	f.Fuzz(func(t *testing.T, b []byte) {
		if bytes.Contains(b, []byte("overrides")) {
			t.Skip("an overrides path would read files of the machine")
		}
		cfg, err := parseConfig(b, env)
		if err != nil {
			if msg := err.Error(); !strings.HasPrefix(msg, "config") || strings.Contains(msg, "\n") {
				t.Fatalf("error %q: want one line beginning config", msg)
			}
			return
		}
		if err := cfg.validate(); err != nil {
			t.Fatalf("accepted a configuration that does not validate: %v", err)
		}
	})
}
