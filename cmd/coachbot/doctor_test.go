package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coachbot/coachbot/bot/discord/discordtest"
	"github.com/coachbot/coachbot/bot/telegram/telegramtest"
	"github.com/coachbot/coachbot/storage"
)

// freeAddr is a loopback address nobody listens on, for ops.listen.
func freeAddr(tb testing.TB) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// newDatabase creates a database at the latest schema in a temp dir.
func newDatabase(tb testing.TB) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "coachbot.db")
	db, err := storage.Open(context.Background(), path)
	if err != nil {
		tb.Fatal(err)
	}
	if err := db.Close(); err != nil {
		tb.Fatal(err)
	}
	return path
}

// doctorLines runs coachbot doctor and returns its lines by what they check
// ("telegram" → "OK    telegram  token accepted ..."), and its error.
func doctorLines(tb testing.TB, args ...string) (map[string][]string, string, error) {
	tb.Helper()
	out, _, err := runCmd(tb, "", append([]string{"doctor"}, args...)...)
	lines := map[string][]string{}
	for _, l := range strings.Split(out, "\n") {
		if f := strings.Fields(l); len(f) >= 2 && (f[0] == checkOK || f[0] == checkWarn || f[0] == checkFail) {
			lines[f[1]] = append(lines[f[1]], l)
		}
	}
	return lines, out, err
}

// verdictOf is the verdict of the first line about what.
func verdictOf(lines map[string][]string, what string) string {
	if len(lines[what]) == 0 {
		return ""
	}
	return strings.Fields(lines[what][0])[0]
}

func TestDoctor(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		tg := telegramtest.NewServer(t, telegramtest.WithUsername("PracticeBot"))
		dc := discordtest.NewServer(t)
		db := newDatabase(t)
		config := writeTGConfig(t, fmt.Sprintf(`telegram: {token: %q, api_url: %q}
discord: {token: %q, api_url: %q}
coach_code: let-me-coach
ops: {listen: %q}
backup: {every: 24h, keep: 7, dir: backups}
`, tg.Token(), tg.URL(), dc.Token(), dc.URL(), freeAddr(t)))
		lines, out, err := doctorLines(t, "-config", config, "-db", db)
		if err != nil {
			t.Fatalf("doctor: %v\n%s", err, out)
		}
		for what, want := range map[string]string{
			"config": "every key valid; telegram (polling), discord", "database": "intact", "disk": "free in",
			"telegram": "token accepted by getMe: @PracticeBot", "webhook": "none, the bot polls; 0 updates waiting",
			"discord": "token accepted", "clock": "within", "zones": "all known", "ops": "is free",
			"backups": "every 24h0m0s into " + filepath.Join(filepath.Dir(db), "backups"),
		} {
			if got := strings.Join(lines[what], "\n"); verdictOf(lines, what) != checkOK || !strings.Contains(got, want) {
				t.Errorf("%s: got %q, want OK and %q", what, got, want)
			}
		}
		if strings.Contains(out, checkFail) || !strings.HasSuffix(out, "\n0 failed, 0 warnings\n") {
			t.Errorf("output:\n%s\nwant no FAIL and no warning", out)
		}
	})
	t.Run("BadTokens", func(t *testing.T) {
		tg := telegramtest.NewServer(t)
		dc := discordtest.NewServer(t)
		const tgToken, dcToken = "999:not-the-token", "not.the.discord.token"
		config := writeTGConfig(t, fmt.Sprintf("telegram: {token: %q, api_url: %q}\ndiscord: {token: %q, api_url: %q}\ncoach_code: c\n",
			tgToken, tg.URL(), dcToken, dc.URL()))
		lines, out, err := doctorLines(t, "-config", config, "-db", newDatabase(t))
		if err == nil || err.Error() != "doctor: 2 checks failed" {
			t.Fatalf("doctor: got %v, want 2 checks failed\n%s", err, out)
		}
		if got := strings.Join(lines["telegram"], ""); verdictOf(lines, "telegram") != checkFail ||
			!strings.Contains(got, "token rejected by getMe") || !strings.Contains(got, "@BotFather") {
			t.Errorf("telegram: got %q, want FAIL, rejected, and where to get the token", got)
		}
		if got := strings.Join(lines["discord"], ""); verdictOf(lines, "discord") != checkFail ||
			!strings.Contains(got, "token rejected: 401") || !strings.Contains(got, "developer portal") {
			t.Errorf("discord: got %q, want FAIL, rejected, and where to get the token", got)
		}
		if len(lines["webhook"]) != 0 {
			t.Errorf("webhook checked without a working token: %q", lines["webhook"])
		}
		if strings.Contains(out, "not-the-token") || strings.Contains(out, dcToken) {
			t.Errorf("output shows a token:\n%s", out)
		}
	})
	t.Run("WebhookError", func(t *testing.T) {
		tg := telegramtest.NewServer(t)
		const public = "https://coach.example/telegram"
		config := writeTGConfig(t, fmt.Sprintf(`telegram:
  token: %q
  api_url: %q
  mode: webhook
  webhook: {public_url: %q, secret: "0123456789abcdef", listen: "127.0.0.1:8443"}
coach_code: c
backup: {every: 24h}
`, tg.Token(), tg.URL(), public))
		// The bot registered its webhook, and Telegram cannot reach it.
		resp, err := http.PostForm(tg.URL()+"/bot"+tg.Token()+"/setWebhook", url.Values{"url": {public}, "secret_token": {"0123456789abcdef"}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		tg.SendText(5, "hello?")
		tg.SetWebhookError("Connection refused", time.Now().Add(-5*time.Minute))

		lines, out, err := doctorLines(t, "-config", config, "-db", newDatabase(t))
		if err == nil {
			t.Fatalf("doctor passed with a failing webhook:\n%s", out)
		}
		got := strings.Join(lines["webhook"], "")
		for _, want := range []string{"FAIL", "last delivery to " + public + " failed 5m ago: Connection refused", "1 update waiting", "127.0.0.1:8443"} {
			if !strings.Contains(got, want) {
				t.Errorf("webhook: got %q, want %q", got, want)
			}
		}
		if verdictOf(lines, "telegram") != checkOK {
			t.Errorf("telegram: got %q, want OK (the token works)", lines["telegram"])
		}
	})
	t.Run("WebhookNotRegistered", func(t *testing.T) {
		tg := telegramtest.NewServer(t)
		config := writeTGConfig(t, fmt.Sprintf(`telegram:
  token: %q
  api_url: %q
  mode: webhook
  webhook: {public_url: "https://coach.example/telegram", secret: "0123456789abcdef"}
coach_code: c
`, tg.Token(), tg.URL()))
		lines, out, err := doctorLines(t, "-config", config, "-db", newDatabase(t))
		if err != nil || verdictOf(lines, "webhook") != checkWarn || verdictOf(lines, "backups") != checkWarn {
			t.Errorf("got %v\n%s\nwant warnings for the webhook not registered yet and no backups", err, out)
		}
	})
	t.Run("BadConfig", func(t *testing.T) {
		config := writeTGConfig(t, "backup: {every: 24h, keep: 0}\n")
		lines, out, err := doctorLines(t, "-config", config)
		if err == nil || verdictOf(lines, "config") != checkFail || !strings.Contains(out, "backup.keep: must be between 1 and 1000") {
			t.Errorf("got %v\n%s\nwant a FAIL naming backup.keep", err, out)
		}
		if len(lines) != 1 {
			t.Errorf("checked %d things with a config that does not load, want only the config", len(lines))
		}
	})
	t.Run("DamagedDatabase", func(t *testing.T) {
		db := filepath.Join(t.TempDir(), "coachbot.db")
		if err := os.WriteFile(db, []byte(strings.Repeat("garbage ", 1000)), 0o600); err != nil {
			t.Fatal(err)
		}
		lines, out, err := doctorLines(t, "-db", db)
		if err == nil || verdictOf(lines, "database") != checkFail || !strings.Contains(out, "damaged") || !strings.Contains(out, "restore the newest backup") {
			t.Errorf("got %v\n%s\nwant a FAIL saying the database is damaged and what to do", err, out)
		}
	})
	t.Run("NoDatabaseYet", func(t *testing.T) {
		lines, out, err := doctorLines(t, "-db", filepath.Join(t.TempDir(), "new.db"))
		if err != nil || verdictOf(lines, "database") != checkWarn || verdictOf(lines, "config") != checkWarn {
			t.Errorf("got %v\n%s\nwant warnings only: no database yet, no platform", err, out)
		}
	})
	t.Run("ExitCode", func(t *testing.T) {
		if testing.Short() {
			t.Skip("starts processes")
		}
		db := filepath.Join(t.TempDir(), "coachbot.db")
		if err := os.WriteFile(db, []byte(strings.Repeat("garbage ", 1000)), 0o600); err != nil {
			t.Fatal(err)
		}
		code, stderr, stdout := runBinary(t, binary(t, "doctor", "-db", db))
		if code != 1 || !strings.Contains(stdout, "FAIL  database") || stderr != "coachbot: doctor: 1 check failed\n" {
			t.Errorf("exit %d, stderr %q, stdout %q; want exit 1 and the failed check", code, stderr, stdout)
		}
	})
}
