package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestForgetLeavesNoWordsInTheFile runs the real program: a client writes a
// marker word into every kind of answer, forgets everything, and the program
// stops. Neither the database file nor its write-ahead log holds the word.
func TestForgetLeavesNoWordsInTheFile(t *testing.T) {
	db := filepath.Join(t.TempDir(), "coachbot.db")
	const marker = "Quokkaberry"
	p := startConsole(t, db)
	p.say("/start", "Shall we begin?")
	p.say("1", "time zone")
	p.say("Zurich", "check-in")
	p.say("09:00", "rest days")
	p.say("none", "set up")
	p.say("/action", "What would you like to try?")
	p.say("walk past the "+marker+" tree", "When will you try it?")
	p.say("today", "energy")
	p.say("2", "emotional load")
	p.say("1", "people around you")
	p.say("the "+marker+" neighbours will notice", "recover")
	p.say("a "+marker+" tea", "carryable")
	p.say("8", "Saved")
	p.say("/checkin", "What happened?")
	p.say("1", "What did you notice?")
	p.say("the "+marker+" smell of rain", "energy")
	p.say("2", "challenge")
	p.say("2", "next")
	p.say("1", "Thank you")
	p.say("/rest", "non-action")
	p.say("1", "One line")
	p.say("a "+marker+" afternoon", "Recorded")
	p.say("/progress", marker) // the words are there before
	p.say("/forget", "Delete it all?")
	p.say("1", "Everything I kept about you is deleted")
	if err := p.stdin.Close(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- p.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("console exited with %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("console did not exit at the end of its input")
	}
	for _, name := range []string{db, db + "-wal", db + "-journal"} {
		f, err := os.Open(name)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte(marker)) {
			t.Errorf("%s still holds %q after /forget", filepath.Base(name), marker)
		}
	}
}
