package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/coachbot/coachbot/bot"
	"github.com/coachbot/coachbot/flows"
	"github.com/coachbot/coachbot/storage"
)

// runBinary runs the real program with args and returns its exit code and
// what it printed on stderr and stdout.
func runBinary(t testing.TB, cmd *exec.Cmd) (code int, stderr, stdout string) {
	t.Helper()
	var errb, outb bytes.Buffer
	cmd.Env = append(os.Environ(), "COACHBOT_BE_MAIN=1")
	cmd.Stderr, cmd.Stdout = &errb, &outb
	if cmd.Stdin == nil {
		cmd.Stdin = strings.NewReader("")
	}
	done := make(chan error, 1)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return exit.ExitCode(), errb.String(), outb.String()
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0, errb.String(), outb.String()
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("%v did not exit; stderr:\n%s", cmd.Args, errb.String())
	}
	return 0, "", ""
}

func binary(t testing.TB, args ...string) *exec.Cmd {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, args...)
	cmd.Dir = t.TempDir()
	return cmd
}

// Two real processes on one database: the second one that would deliver is
// refused at once with one line naming the database and the owner's process,
// and delivers nothing; commands that only read work beside the owner.
func TestOneOwnerPerDatabase(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	db := filepath.Join(t.TempDir(), "shared.db")
	owner := startConsole(t, db)
	owner.say("/start", "Shall we begin?")

	want := fmt.Sprintf("coachbot: database %s is in use by process %d\n", db, owner.cmd.Process.Pid)
	for _, args := range [][]string{
		{"console", "-as", "ana", "-db", db},
		{"run", "-db", db},
		{"-db", db},
	} {
		cmd := binary(t, args...)
		cmd.Stdin = strings.NewReader("/start\n1\n")
		code, stderr, stdout := runBinary(t, cmd)
		if code != 1 || stderr != want {
			t.Errorf("coachbot %v: exit %d, stderr %q; want exit 1 and %q", args, code, stderr, want)
		}
		if stdout != "" {
			t.Errorf("coachbot %v printed %q: a refused process delivers nothing", args, stdout)
		}
	}
	copyPath := filepath.Join(t.TempDir(), "copy.db")
	if code, stderr, _ := runBinary(t, binary(t, "backup", "-db", db, "-out", copyPath)); code != 0 {
		t.Errorf("backup beside the owner: exit %d: %s", code, stderr)
	}
	owner.say("1", "Which time zone")
	owner.stdin.Close()
	if err := owner.cmd.Wait(); err != nil {
		t.Fatalf("owner: %v", err)
	}
	owner.mu.Lock()
	out := owner.out.String()
	owner.mu.Unlock()
	if n := strings.Count(out, "Shall we begin?"); n != 1 {
		t.Errorf("the owner showed the consent question %d times, want once", n)
	}
	// The owner is gone, and with it the lock: the next one may start.
	cmd := binary(t, "console", "-as", "ana", "-db", db)
	cmd.Stdin = strings.NewReader("Zurich\n")
	if code, stderr, stdout := runBinary(t, cmd); code != 0 || !strings.Contains(stdout, "What time of day") {
		t.Errorf("console after the owner left: exit %d, %s\n%s", code, stderr, stdout)
	}
}

// Commands that only read do not create a database that is not there.
func TestReadersNeedADatabase(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "typo.db")
	for _, args := range [][]string{
		{"export", "-user", "console:ana", "-db", db},
		{"backup", "-out", filepath.Join(dir, "copy.db"), "-db", db},
	} {
		_, _, err := runCmd(t, "", args...)
		if err == nil || err.Error() != "database "+db+" does not exist" {
			t.Errorf("coachbot %v: %v, want one line saying the database does not exist", args, err)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("files created: %v", entries)
	}
}

// A database damaged in the middle stops start-up with one line, exit 1.
func TestDamagedDatabaseStops(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	db := filepath.Join(t.TempDir(), "c.db")
	var script strings.Builder
	script.WriteString("/start\n1\nUTC\n09:00\nnone\n")
	for i := range 60 {
		fmt.Fprintf(&script, "/rest\n1\nslept in, day %d, %s\n", i, strings.Repeat("z", 200))
	}
	if _, errOut, err := runCmd(t, script.String(), "console", "-as", "ana", "-db", db); err != nil {
		t.Fatalf("console: %v\n%s", err, errOut)
	}
	b, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	mid := len(b) / 2 / 4096 * 4096
	for i := mid; i < min(len(b), mid+3*4096); i++ {
		b[i] ^= 0x5a
	}
	if err := os.WriteFile(db, b, 0o644); err != nil {
		t.Fatal(err)
	}
	code, stderr, _ := runBinary(t, binary(t, "console", "-as", "ana", "-db", db))
	if code != 1 || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "damaged") {
		t.Errorf("exit %d, stderr %q; want exit 1 and one line saying the database is damaged", code, stderr)
	}
}

// A database file that may not be written stops start-up with one line,
// exit 1. Root writes whatever the permission bits say, so as root the
// program runs as the unprivileged user nobody.
func TestReadOnlyDatabase(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	dir := t.TempDir()
	db := filepath.Join(dir, "c.db")
	if _, errOut, err := runCmd(t, "/start\n", "console", "-as", "ana", "-db", db); err != nil {
		t.Fatalf("console: %v\n%s", err, errOut)
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := binary(t, "console", "-as", "ana", "-db", db)
	if os.Geteuid() == 0 {
		// nobody must reach the binary and the directory.
		bin := filepath.Join(dir, "coachbot")
		copyFile(t, exe, bin)
		cmd.Path, cmd.Args[0] = bin, bin
		cmd.Dir = dir
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
		// The lock file root left behind is root's: nobody gets a new one.
		if err := os.Remove(db + ".lock"); err != nil {
			t.Fatal(err)
		}
		for _, p := range []string{filepath.Dir(dir), dir} {
			if err := os.Chmod(p, 0o777); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := os.Chmod(db, 0o444); err != nil {
		t.Fatal(err)
	}
	cmd.Stdin = strings.NewReader("1\n")
	code, stderr, _ := runBinary(t, cmd)
	if code != 1 || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "cannot be written") {
		t.Errorf("exit %d, stderr %q; want exit 1 and one line saying the database cannot be written", code, stderr)
	}
}

func copyFile(t testing.TB, from, to string) {
	t.Helper()
	src, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		t.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		t.Fatal(err)
	}
}

// A console shows only its own person's replies: a reply queued for another
// console chat waits for that chat's console, still pending.
func TestConsoleShowsOnlyItsOwnChat(t *testing.T) {
	db := filepath.Join(t.TempDir(), "c.db")
	if _, errOut, err := runCmd(t, "/start\n", "console", "-as", "bob", "-db", db); err != nil {
		t.Fatalf("bob: %v\n%s", err, errOut)
	}
	// Bob's console is gone; the next reply for him is queued as the sweep
	// would queue it.
	s, err := storage.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Update(context.Background(), func(tx flows.Tx) error {
		return tx.Send(bot.Reply{ChatID: "console:bob", Text: "a note only bob may read"}, time.Time{})
	}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	out, errOut, err := runCmd(t, "/help\n", "console", "-as", "ana", "-db", db)
	if err != nil {
		t.Fatalf("ana: %v\n%s", err, errOut)
	}
	if strings.Contains(out, "only bob may read") {
		t.Fatalf("ana's console showed bob's reply:\n%s", out)
	}
	out, errOut, err = runCmd(t, "", "console", "-as", "bob", "-db", db)
	if err != nil {
		t.Fatalf("bob again: %v\n%s", err, errOut)
	}
	if !strings.Contains(out, "only bob may read") {
		t.Fatalf("bob's console did not show his reply:\n%s", out)
	}
}
