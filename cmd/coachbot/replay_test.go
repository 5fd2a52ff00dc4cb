package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReplay(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		out, errOut, err := runCmd(t, "", "replay", "../../scenario/testdata/onboarding.scenario")
		if err != nil {
			t.Fatalf("replay: %v\n%s\n%s", err, out, errOut)
		}
		for _, want := range []string{"# Ana sets herself up", "Saturday 21 November 2026", "09:30  ana   > /start",
			"09:30  ana   < Hello", "[Yes, let's begin] [No, thank you]", "09:30  ana   > [12:30]", "Monday 23 November 2026"} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		}
		if !strings.HasSuffix(out, "\nok\n") || strings.Contains(out, "ok line") {
			t.Errorf("output does not end in ok alone:\n%s", out)
		}
	})
	t.Run("Verbose", func(t *testing.T) {
		out, _, err := runCmd(t, "", "replay", "../../scenario/testdata/onboarding.scenario", "-v")
		if err != nil || !strings.Contains(out, "ok line 7: ana < welcome") || !strings.Contains(out, "the clock moves to Mon 23 Nov 12:00") {
			t.Fatalf("replay -v: %v\n%s", err, out)
		}
	})
	t.Run("ErrScenarioFails", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "wrong.scenario")
		text := "start 2026-11-22 09:30 Europe/Zurich\nana: /start\nana < goodbye\n"
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		out, _, err := runCmd(t, "", "replay", path)
		var u *usageError
		if err == nil || errors.As(err, &u) || !strings.Contains(err.Error(), "wrong.scenario") {
			t.Fatalf("err = %v, want a failure (exit 1)", err)
		}
		if !strings.Contains(out, "FAILED at line 3") || !strings.Contains(out, `line 3: ana < goodbye`) ||
			!strings.Contains(out, `does not contain "goodbye"`) || strings.HasSuffix(out, "ok\n") {
			t.Errorf("output:\n%s", out)
		}
	})
	t.Run("ErrParse", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "bad.scenario")
		if err := os.WriteFile(path, []byte("start 2026-11-22 09:30\nana says hi\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		_, _, err := runCmd(t, "", "replay", path)
		if err == nil || !strings.Contains(err.Error(), "bad.scenario:2:") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("ErrNoFile", func(t *testing.T) {
		_, _, err := runCmd(t, "", "replay")
		var u *usageError
		if !errors.As(err, &u) {
			t.Fatalf("err = %v, want a usage error", err)
		}
	})
	t.Run("ErrExistingDB", func(t *testing.T) {
		db := filepath.Join(t.TempDir(), "live.db")
		if _, _, err := runCmd(t, "/start\n", "console", "-as", "ana", "-db", db); err != nil {
			t.Fatal(err)
		}
		_, _, err := runCmd(t, "", "replay", "-db", db, "../../scenario/testdata/onboarding.scenario")
		if err == nil || !strings.Contains(err.Error(), "already exists") {
			t.Fatalf("err = %v", err)
		}
	})
}
