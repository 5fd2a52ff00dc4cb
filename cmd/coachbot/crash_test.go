package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/coachbot/coachbot/bot/telegram/telegramtest"
	"github.com/coachbot/coachbot/flows"
)

// TestMain lets the test binary stand in for the coachbot binary, so crash tests
// can start it as a real process and kill it.
func TestMain(m *testing.M) {
	if os.Getenv("COACHBOT_BE_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// proc is a running coachbot console process.
type proc struct {
	t     testing.TB
	cmd   *exec.Cmd
	stdin io.WriteCloser
	mu    sync.Mutex
	out   bytes.Buffer
	seen  int // output already matched
	grew  chan struct{}
}

func startConsole(t testing.TB, db string) *proc {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "console", "-as", "ana", "-db", db)
	cmd.Env = append(os.Environ(), "COACHBOT_BE_MAIN=1")
	cmd.Dir = t.TempDir()
	p := &proc{t: t, cmd: cmd, grew: make(chan struct{}, 1)}
	if p.stdin, err = cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := stdout.Read(buf)
			p.mu.Lock()
			p.out.Write(buf[:n])
			p.mu.Unlock()
			select {
			case p.grew <- struct{}{}:
			default:
			}
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return p
}

// say types a line and waits until want appears in new output.
func (p *proc) say(line, want string) {
	p.t.Helper()
	if _, err := io.WriteString(p.stdin, line+"\n"); err != nil {
		p.t.Fatal(err)
	}
	deadline := time.After(20 * time.Second)
	for {
		p.mu.Lock()
		rest := p.out.String()[p.seen:]
		if i := strings.Index(rest, want); i >= 0 {
			p.seen += i + len(want)
			p.mu.Unlock()
			return
		}
		p.mu.Unlock()
		select {
		case <-p.grew:
		case <-deadline:
			p.t.Fatalf("after %q: %q never appeared; output:\n%s", line, want, rest)
		}
	}
}

// kill ends the process the hard way: no shutdown, no flush.
func (p *proc) kill() {
	p.t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		p.t.Fatal(err)
	}
	p.cmd.Wait()
}

// TestCrashMidFlow kills the process with SIGKILL in the middle of onboarding and
// of an action design; each restart continues exactly where the client was, and
// every acknowledged answer is there at the end.
func TestCrashMidFlow(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	db := filepath.Join(t.TempDir(), "crash.db")

	p := startConsole(t, db)
	p.say("/start", "Shall we begin?")
	p.say("1", "Which time zone")
	p.say("Zurich", "What time of day")
	p.kill()

	p = startConsole(t, db)
	p.say("07:45", "rest days") // the saved step, not the start of the flow
	p.say("Sun", "Time zone: Europe/Zurich")
	p.say("/action", "What would you like to try?")
	p.say("call my brother", "When will you try it?")
	p.say("tonight", "How much energy")
	p.kill()

	p = startConsole(t, db)
	p.say("3", "emotional load")
	p.say("medium", "people around you")
	p.kill()

	p = startConsole(t, db)
	p.say("he will be glad", "recover")
	p.say("a walk", "How carryable")
	p.say("9", "Saved: call my brother")
	p.stdin.Close()
	if err := p.cmd.Wait(); err != nil {
		t.Fatalf("console did not exit cleanly at end of input: %v", err)
	}

	out, _, err := runCmd(t, "", "export", "-user", "console:ana", "-db", db)
	if err != nil {
		t.Fatal(err)
	}
	var x flows.Export
	if err := json.Unmarshal([]byte(out), &x); err != nil {
		t.Fatal(err)
	}
	if x.Client.Zone.String() != "Europe/Zurich" || x.Client.CheckIn.String() != "07:45" || x.Client.RestDays.String() != "Sun" {
		t.Errorf("client = %+v", x.Client)
	}
	if len(x.Experiments) != 1 {
		t.Fatalf("experiments = %+v", x.Experiments)
	}
	e := x.Experiments[0]
	if e.Action != "call my brother" || e.When != "tonight" || e.Energy != 3 || e.Load != "medium" ||
		e.People != "he will be glad" || e.Recovery != "a walk" || e.Carry != 9 {
		t.Errorf("experiment = %+v", e)
	}
}

// TestExitCodes runs the real binary: usage errors exit 2, bad config exits 1
// with one line naming the key.
func TestExitCodes(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(bad, []byte("rhythm: {quiet_hours: soon}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"dance"}, 2, "unknown command"},
		{[]string{"console", "-loud"}, 2, "flag provided but not defined"},
		{[]string{"console", "-config", bad, "-db", filepath.Join(t.TempDir(), "x.db")}, 1, "rhythm.quiet_hours"},
	}
	for _, tt := range tests {
		cmd := exec.Command(exe, tt.args...)
		cmd.Env = append(os.Environ(), "COACHBOT_BE_MAIN=1")
		cmd.Dir = t.TempDir()
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		err := cmd.Run()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != tt.code {
			t.Errorf("coachbot %v: %v, want exit %d", tt.args, err, tt.code)
		}
		if !strings.Contains(stderr.String(), tt.want) {
			t.Errorf("coachbot %v printed %q, want %q", tt.args, stderr.String(), tt.want)
		}
	}
}

// TestTelegramCrashLosesNothing kills the real program with SIGKILL six
// times while sixteen people onboard and design an experiment over the fake
// Telegram. Polled updates are stored before Telegram is told they arrived,
// so after each restart every message is handled exactly once: everybody gets
// to the end, and everybody has exactly one experiment.
func TestTelegramCrashLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	fake := telegramtest.NewServer(t)
	db := filepath.Join(t.TempDir(), "bot.db")
	cfg := writeTGConfig(t, tgPollingConfig(fake))
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	var logs syncBuffer
	start := func() *exec.Cmd {
		cmd := exec.Command(exe, "run", "-config", cfg, "-db", db)
		cmd.Env = append(os.Environ(), "COACHBOT_BE_MAIN=1")
		cmd.Dir = t.TempDir()
		cmd.Stderr = &logs
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd
	}

	script := []struct{ say, want string }{
		{"/start", "Shall we begin?"},
		{"1", "Which time zone"},
		{"Zurich", "What time of day"},
		{"07:45", "rest days"},
		{"Sun", "Time zone: Europe/Zurich"},
		{"/action", "What would you like to try?"},
		{"call my brother", "When will you try it?"},
		{"tonight", "How much energy"},
		{"3", "emotional load"},
		{"medium", "people around you"},
		{"he will be glad", "recover"},
		{"a walk", "How carryable"},
		{"9", "Saved: call my brother"},
	}
	const people, kills = 16, 6
	total := people * len(script)
	var steps atomic.Int64
	var wg sync.WaitGroup
	for i := range people {
		wg.Go(func() {
			// A reply may come twice after a crash (sent, not yet marked sent);
			// a person only ever waits for the answer to what they just wrote.
			chat, seen := int64(500+i), 0
			for _, s := range script {
				fake.SendText(chat, s.say)
				ctx, cancel := context.WithTimeout(context.Background(), tgWait)
				found := false
				for !found {
					more, n, err := fake.WaitAfter(ctx, chat, seen)
					if err != nil {
						cancel()
						t.Errorf("chat %d after %q: %q never came", chat, s.say, s.want)
						return
					}
					seen = n
					found = slices.ContainsFunc(more, func(m telegramtest.Sent) bool { return strings.Contains(m.Text, s.want) })
				}
				cancel()
				steps.Add(1)
			}
		})
	}

	cmd := start()
	for k := 1; k <= kills; k++ {
		at := int64(k * total / (kills + 1))
		tgWaitUntil(t, fmt.Sprintf("%d of %d steps", at, total), func() bool { return steps.Load() >= at })
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		cmd.Wait()
		cmd = start()
	}
	wg.Wait()
	cmd.Process.Signal(syscall.SIGTERM)
	cmd.Wait()
	if t.Failed() {
		t.Logf("log:\n%s", logs.String())
		return
	}

	for i := range people {
		user := fmt.Sprintf("telegram:%d", 500+i)
		out, _, err := runCmd(t, "", "export", "-user", user, "-db", db)
		if err != nil {
			t.Fatal(err)
		}
		var x flows.Export
		if err := json.Unmarshal([]byte(out), &x); err != nil {
			t.Fatal(err)
		}
		if x.Client.Zone.String() != "Europe/Zurich" || x.Client.CheckIn.String() != "07:45" || len(x.Experiments) != 1 {
			t.Errorf("%s: client %+v with %d experiments, want Zurich, 07:45 and one", user, x.Client, len(x.Experiments))
		}
	}
}
