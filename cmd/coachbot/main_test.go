package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/coachbot/coachbot/flows"
)

// noEnv is an empty environment.
func noEnv(string) string { return "" }

// runCmd runs the whole program in-process.
func runCmd(t testing.TB, stdin string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errb bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	err = run(ctx, args, noEnv, strings.NewReader(stdin), &out, &errb)
	return out.String(), errb.String(), err
}

// transcript is a scripted console chat: what is typed, and what must appear.
type transcript struct {
	inputs []string
	wants  []string
}

func readTranscript(t testing.TB, path string) transcript {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var tr transcript
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "> ") || line == ">":
			tr.inputs = append(tr.inputs, strings.TrimPrefix(strings.TrimPrefix(line, ">"), " "))
		case strings.HasPrefix(line, "< "):
			tr.wants = append(tr.wants, strings.TrimPrefix(line, "< "))
		}
	}
	return tr
}

var unfilled = regexp.MustCompile(`\[[a-z_]+\.[a-z_0-9.]+\]|\{[a-z_]+\}`)

func TestConsoleTranscripts(t *testing.T) {
	paths, _ := filepath.Glob("testdata/*.transcript")
	if len(paths) == 0 {
		t.Fatal("no transcripts")
	}
	for _, path := range paths {
		t.Run(filepath.Base(path), func(t *testing.T) {
			tr := readTranscript(t, path)
			db := filepath.Join(t.TempDir(), "c.db")
			out, errOut, err := runCmd(t, strings.Join(tr.inputs, "\n")+"\n", "console", "-as", "ana", "-db", db)
			if err != nil {
				t.Fatalf("console: %v\n%s", err, errOut)
			}
			rest := out
			for i, w := range tr.wants {
				j := strings.Index(rest, w)
				if j < 0 {
					t.Fatalf("want #%d %q not found after the earlier ones; output:\n%s", i+1, w, out)
				}
				rest = rest[j+len(w):]
			}
			if m := unfilled.FindString(out); m != "" {
				t.Errorf("output shows %s", m)
			}
		})
	}
}

func TestCLI(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "c.db")
	if _, errOut, err := runCmd(t, "/start\n1\nUTC\n09:00\nnone\n", "console", "-as", "ana", "-db", db); err != nil {
		t.Fatalf("console: %v %s", err, errOut)
	}
	t.Run("Export", func(t *testing.T) {
		out, _, err := runCmd(t, "", "export", "-user", "console:ana", "-db", db)
		if err != nil {
			t.Fatal(err)
		}
		var x flows.Export
		if err := json.Unmarshal([]byte(out), &x); err != nil {
			t.Fatalf("export is not JSON: %v\n%s", err, out)
		}
		if x.Client.Zone.String() != "UTC" || !x.Client.Consented {
			t.Fatalf("exported client = %+v", x.Client)
		}
	})
	t.Run("ExportUnknownUser", func(t *testing.T) {
		if _, _, err := runCmd(t, "", "export", "-user", "console:nobody", "-db", db); err == nil || !strings.Contains(err.Error(), "no user") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("Backup", func(t *testing.T) {
		copyPath := filepath.Join(dir, "copy.db")
		if _, _, err := runCmd(t, "", "backup", "-out", copyPath, "-db", db); err != nil {
			t.Fatal(err)
		}
		out, _, err := runCmd(t, "", "export", "-user", "console:ana", "-db", copyPath)
		if err != nil || !strings.Contains(out, `"zone": "UTC"`) {
			t.Fatalf("backup copy export: %v\n%s", err, out)
		}
		if _, _, err := runCmd(t, "", "backup", "-out", copyPath, "-db", db); err == nil {
			t.Fatal("backup overwrote an existing file")
		}
	})
	t.Run("Migrate", func(t *testing.T) {
		out, _, err := runCmd(t, "", "migrate", "-db", db)
		if err != nil || !strings.Contains(out, "schema version") {
			t.Fatalf("migrate: %v %q", err, out)
		}
	})
	t.Run("Version", func(t *testing.T) {
		out, _, err := runCmd(t, "", "version")
		if err != nil || !strings.HasPrefix(out, "coachbot ") {
			t.Fatalf("version: %v %q", err, out)
		}
	})
	usage := []struct {
		name string
		args []string
	}{
		{"UnknownCommand", []string{"dance"}},
		{"UnknownFlag", []string{"console", "-loud"}},
		{"ExportWithoutUser", []string{"export", "-db", db}},
		{"BackupWithoutOut", []string{"backup", "-db", db}},
		{"StrayArgument", []string{"migrate", "now"}},
	}
	for _, u := range usage {
		t.Run(u.name, func(t *testing.T) {
			_, _, err := runCmd(t, "", u.args...)
			var ue *usageError
			if !errors.As(err, &ue) {
				t.Fatalf("err = %v, want a usage error (exit 2)", err)
			}
		})
	}
}

func TestConfigErrorsNameTheKey(t *testing.T) {
	tests := []struct {
		yaml string
		key  string
	}{
		{"telegram: {token: \"1:x\", mode: carrier-pigeon}\n", "telegram.mode"},
		{"rhythm: {quiet_hours: \"late\"}\n", "rhythm.quiet_hours"},
		{"rhythm: {max_messages_per_day: 0}\n", "rhythm.max_messages_per_day"},
		{"rhythm: {nudge_after: soon}\n", "nudge_after"},
		{"admins: [\"bob\"]\n", "admins[0]"},
		{"log: {level: loud}\n", "log.level"},
		{"messages: {language: xx}\n", "messages"},
		{"colour: blue\n", "colour"},
		{"telegram: {token: \"1:x\", mode: webhook, webhook: {public_url: \"http://x\"}}\n", "telegram.webhook.public_url"},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "config.yaml")
			if err := os.WriteFile(path, []byte(tt.yaml), 0o600); err != nil {
				t.Fatal(err)
			}
			_, _, err := runCmd(t, "", "console", "-config", path, "-db", filepath.Join(t.TempDir(), "c.db"))
			if err == nil {
				t.Fatal("bad config accepted")
			}
			if msg := err.Error(); !strings.Contains(msg, tt.key) || strings.Contains(msg, "\n") {
				t.Fatalf("error %q should be one line naming %s", msg, tt.key)
			}
		})
	}
	t.Run("MissingExplicitFile", func(t *testing.T) {
		if _, _, err := runCmd(t, "", "console", "-config", "/nonexistent/config.yaml"); err == nil {
			t.Fatal("missing -config file accepted")
		}
	})
	t.Run("EnvironmentSecrets", func(t *testing.T) {
		env := map[string]string{"COACHBOT_TELEGRAM_TOKEN": "123:abc", "COACHBOT_COACH_CODE": "sesame"}
		cfg, err := loadConfig(filepath.Join(t.TempDir(), "none.yaml"), false, func(k string) string { return env[k] })
		if err != nil {
			t.Fatal(err)
		}
		if cfg.Telegram.Token != "123:abc" || cfg.CoachCode != "sesame" {
			t.Fatalf("env not applied: %+v", cfg)
		}
	})
	t.Run("ExampleIsValid", func(t *testing.T) {
		// Its platform sections want tokens, from the file or the environment.
		tokens := map[string]string{"COACHBOT_TELEGRAM_TOKEN": "123:abc", "COACHBOT_DISCORD_TOKEN": "xyz"}
		if _, err := loadConfig("../../config.example.yaml", true, func(k string) string { return tokens[k] }); err != nil {
			t.Fatalf("config.example.yaml: %v", err)
		}
		if _, err := loadConfig("../../config.example.yaml", true, noEnv); err == nil || !strings.Contains(err.Error(), "telegram.token") {
			t.Fatalf("config.example.yaml without tokens: %v, want telegram.token named", err)
		}
	})
}

func TestSimulate(t *testing.T) {
	out, errOut, err := runCmd(t, "", "simulate", "-days", "14", "-start", "2026-11-23", "-tz", "Europe/Zurich", "-at", "08:30", "-rest", "Sat Sun")
	if err != nil {
		t.Fatalf("simulate: %v\n%s", err, errOut)
	}
	for _, want := range []string{
		"Mon 23 Nov 08:30  Ana    checkin",
		"nudge", "check in less", // backoff after unanswered invitations
		"Sat 28 Nov 08:30  Ana    restday",
		"eve", "coach  brief", "coach  digest",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("timeline lacks %q:\n%s", want, out)
		}
	}
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(line, "Ana    checkin") && (strings.HasPrefix(line, "Sat") || strings.HasPrefix(line, "Sun")) {
			t.Errorf("check-in invitation on a rest day: %s", line)
		}
	}
	if _, _, err := runCmd(t, "", "simulate", "-tz", "Mars/Olympus"); err == nil {
		t.Error("simulate accepted an unknown zone")
	}
}
