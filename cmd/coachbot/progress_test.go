package main

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestProgress(t *testing.T) {
	t.Run("Commands", func(t *testing.T) {
		// Run with output captured, as when piped: nothing but the output.
		db := newDatabase(t)
		out, errOut, err := runCmd(t, "", "backup", "-db", db, "-out", filepath.Join(t.TempDir(), "copy.db"))
		if err != nil || strings.Contains(out+errOut, "\r") || errOut != "" {
			t.Errorf("backup: %q %q %v", out, errOut, err)
		}
		out, errOut, err = runCmd(t, "", "replay", "../../scenario/testdata/onboarding.scenario")
		if err != nil || strings.Contains(out+errOut, "\r") || strings.Contains(out+errOut, "step 1 of") {
			t.Errorf("replay piped shows progress: %v\n%s%s", err, out, errOut)
		}
	})
}
