package main

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coachbot/coachbot/bot"
	"github.com/coachbot/coachbot/bot/telegram/telegramtest"
)

// Every bad configuration stops start-up with one line that names the key,
// and the line of the file where there is one.
func TestBadConfigs(t *testing.T) {
	tests := []struct {
		name, yaml, want string
	}{
		{"TelegramWithoutToken", "telegram:\n  api_url: https://api.telegram.org\n", "config: telegram.token: must be set"},
		{"WebhookWithoutToken", "telegram: {mode: webhook}\n", "config: telegram.token: must be set"},
		{"DiscordWithoutToken", "discord: {guild_id: \"1\"}\n", "config: discord.token: must be set"},
		{"WrongTypeInt", "rhythm:\n  max_messages_per_day: lots\n", `config: rhythm.max_messages_per_day (line 2): want a whole number, not "lots"`},
		{"WrongTypeFloat", "telegram: {token: x, per_second: fast}\n", `config: telegram.per_second (line 1): want a number, not "fast"`},
		{"WrongTypeList", "admins: telegram:1\n", `config: admins (line 1): want a list, not "telegram:1"`},
		{"WrongTypeSection", "log: debug\n", `config: log (line 1): want a section of keys, not "debug"`},
		{"ListForText", "db: [a, b]\n", "config: db (line 1): want text, not a list"},
		{"BadDuration", "rhythm:\n  nudge_after: soon\n", `config: rhythm.nudge_after (line 2): "soon" is not a duration like 3h or 7d`},
		{"DurationList", "rhythm: {invite_ttl: [1]}\n", "config: rhythm.invite_ttl (line 1)"},
		{"UnknownKey", "telegram:\n  token: x\n  tokn: y\n", "config: telegram.tokn (line 3): unknown key"},
		{"UnknownTopKey", "colour: blue\n", "config: colour (line 1): unknown key"},
		{"KeyTwice", "db: a.db\ndb: b.db\n", "config: db (line 2): set twice"},
		{"SecondDocument", "db: a.db\n---\ndb: b.db\n", "config: line 2: a second YAML document"},
		{"Syntax", "rhythm: {quiet_hours: \"21:00\"\n", "config: "},
		{"MissingOverrides", "messages: {overrides: /nonexistent/words.yaml}\n", "config: messages.overrides: open /nonexistent/words.yaml: no such file or directory"},
		{"OverridesNotAFile", "messages: {overrides: /}\n", "config: messages.overrides: / is not a regular file"},
		{"QuietHours", "rhythm: {quiet_hours: late}\n", "config: rhythm.quiet_hours"},
		{"Mode", "telegram: {token: x, mode: carrier-pigeon}\n", "config: telegram.mode"},
		{"Language", "messages: {language: xx}\n", "config: messages"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "config.yaml")
			if err := os.WriteFile(path, []byte(tt.yaml), 0o600); err != nil {
				t.Fatal(err)
			}
			_, _, err := runCmd(t, "", "run", "-config", path, "-db", filepath.Join(t.TempDir(), "c.db"))
			if err == nil {
				t.Fatal("bad config accepted")
			}
			if msg := err.Error(); !strings.HasPrefix(msg, tt.want) || strings.Contains(msg, "\n") {
				t.Fatalf("error %q: want one line starting %q", msg, tt.want)
			}
		})
	}
	t.Run("ExitCode", func(t *testing.T) {
		if testing.Short() {
			t.Skip("starts processes")
		}
		path := filepath.Join(t.TempDir(), "config.yaml")
		if err := os.WriteFile(path, []byte("telegram: {mode: webhook}\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		code, stderr, stdout := runBinary(t, binary(t, "-config", path, "-db", filepath.Join(t.TempDir(), "c.db")))
		if code != 1 || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "telegram.token") || stdout != "" {
			t.Errorf("exit %d, stderr %q, stdout %q; want exit 1, one line naming telegram.token, no console", code, stderr, stdout)
		}
	})
}

// Tokens are trimmed when loaded, and never printed, whatever characters
// they have, even when the Bot API cannot be reached and the error quotes
// the URL that carries the token.
func TestTokensNeverPrinted(t *testing.T) {
	for _, raw := range []string{"123:plain\n", "  123:sp ace  ", "123:per%cent", "123:per%41cent", "123:a/b/c", "123:x?y#z"} {
		t.Run(strings.TrimSpace(raw), func(t *testing.T) {
			cfg, err := parseConfig(nil, func(k string) string {
				if k == "COACHBOT_TELEGRAM_TOKEN" {
					return raw
				}
				return ""
			})
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Telegram.Token != strings.TrimSpace(raw) {
				t.Fatalf("token loaded as %q", cfg.Telegram.Token)
			}
			token := cfg.Telegram.Token
			// Nothing listens on the port of a closed listener.
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			addr := ln.Addr().String()
			ln.Close()
			path := filepath.Join(t.TempDir(), "config.yaml")
			yaml := fmt.Sprintf("telegram:\n  token: %q\n  api_url: http://%s\n", raw, addr)
			if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
				t.Fatal(err)
			}
			_, stderr, err := runCmd(t, "", "run", "-config", path, "-db", filepath.Join(t.TempDir(), "c.db"))
			if err == nil {
				t.Fatal("run with an unreachable Bot API succeeded")
			}
			for _, text := range []string{err.Error(), stderr} {
				for _, form := range []string{token, url.PathEscape(token), url.QueryEscape(token)} {
					if strings.Contains(text, form) {
						t.Errorf("output shows the token as %q: %s", form, text)
					}
				}
			}
			if !strings.Contains(err.Error(), bot.Redacted) && !strings.Contains(err.Error(), "telegram") {
				t.Errorf("error %q says nothing about telegram", err)
			}
		})
	}
}

// A webhook address already taken stops the bot with one line, without the
// platform named twice.
func TestWebhookListenError(t *testing.T) {
	fake := telegramtest.NewServer(t)
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	cfg := writeTGConfig(t, fmt.Sprintf(`telegram:
  token: %q
  api_url: %s
  mode: webhook
  webhook: {listen: %q, public_url: "https://example.invalid/telegram", secret: "0123456789abcdef"}
`, fake.Token(), fake.URL(), taken.Addr().String()))
	ctx, cancel := context.WithTimeout(context.Background(), tgWait)
	defer cancel()
	err = run(ctx, []string{"run", "-config", cfg, "-db", filepath.Join(t.TempDir(), "c.db")}, noEnv,
		strings.NewReader(""), &syncBuffer{}, &syncBuffer{})
	if err == nil || strings.Contains(err.Error(), "telegram: telegram:") || !strings.Contains(err.Error(), "webhook.listen") ||
		strings.Contains(err.Error(), "\n") {
		t.Fatalf("run = %v, want one line naming webhook.listen once", err)
	}
}
