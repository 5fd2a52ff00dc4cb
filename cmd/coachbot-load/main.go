// Command coachbot-load measures coachbot against a fake Telegram: simulated
// people chat with the real coachbot binary, started as a process of its own,
// so the memory and CPU shown for the bot are the bot's alone. It lives apart
// from coachbot so the release binary does not carry the fake.
//
// Scenarios (-scenario):
//
//	open   closed-loop people, no limits: how fast the bot is (default 200 people, 20s)
//	think  5 people who take 1s to answer, Telegram's limits on
//	tap    5 people tapping buttons within 0.3s, limits on, 3 check-ins each
//	crowd  100 people at once, limits on, 2 check-ins each
//	wave   10,000 invitations due at once while 50 people chat, limits on;
//	       the bot is killed with SIGKILL half-way and started again
//
// With limits on the fake answers like Telegram: about 1 message per second
// per chat with bursts of 4, 30 per second overall, edits included, and 429
// with retry_after beyond that.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/coachbot/coachbot/bot/telegram/telegramtest"
	"github.com/coachbot/coachbot/flows"
	"github.com/coachbot/coachbot/internal/progress"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		var u usageError
		if errors.As(err, &u) {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		fmt.Fprintln(os.Stderr, "coachbot-load:", err)
		os.Exit(1)
	}
}

type usageError string

func (e usageError) Error() string { return string(e) }

// scenario is a preset of the flags.
type scenario struct {
	users    int
	duration time.Duration
	think    time.Duration
	press    bool
	loops    int
	limits   bool
}

var scenarios = map[string]scenario{
	"open":  {users: 200, duration: 20 * time.Second},
	"think": {users: 5, duration: 30 * time.Second, think: time.Second, press: true, limits: true},
	"tap":   {users: 5, duration: 3 * time.Minute, think: 300 * time.Millisecond, press: true, loops: 3, limits: true},
	"crowd": {users: 100, duration: 5 * time.Minute, press: true, loops: 2, limits: true},
	"wave":  {users: 50, think: 30 * time.Second, press: true, limits: true},
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("coachbot-load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	name := fs.String("scenario", "open", "what to run: open, think, tap, crowd or wave")
	users := fs.Int("users", 0, "how many simulated `people` chat (default: the scenario's)")
	duration := fs.Duration("duration", 0, "how long to measure; with check-ins to make, the longest to wait (default: the scenario's)")
	think := fs.Duration("think", -1, "pause between an answer and the next message (default: the scenario's)")
	press := fs.Bool("press", false, "press buttons where the bot shows them, instead of typing their words")
	loops := fs.Int("loops", -1, "check-ins each person makes before stopping; 0 runs for -duration")
	invitations := fs.Int("invitations", 10000, "wave: invitations due at once")
	kill := fs.Bool("kill", true, "wave: SIGKILL the bot half-way through the wave and start it again")
	registered := fs.Int("registered", 0, "clients already in the database, their next invitation due tomorrow (memory at scale)")
	botPath := fs.String("bot", "", "the coachbot `binary` (default: built from this module)")
	db := fs.String("db", "", "SQLite database `path` for the bot (default: a temporary one)")
	if err := fs.Parse(args); err != nil {
		return usageError(err.Error())
	}
	sc, ok := scenarios[*name]
	if !ok || fs.NArg() > 0 {
		fs.Usage()
		return usageError(fmt.Sprintf("coachbot-load: unknown scenario %q", *name))
	}
	if *users > 0 {
		sc.users = *users
	}
	if *duration > 0 {
		sc.duration = *duration
	}
	if *think >= 0 {
		sc.think = *think
	}
	if *loops >= 0 {
		sc.loops = *loops
	}
	sc.press = sc.press || *press
	if sc.users < 1 || (*name == "wave" && *invitations < 1) {
		return usageError("coachbot-load: -users and -invitations must be positive")
	}
	dir, err := os.MkdirTemp("", "coachbot-load-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if *db == "" {
		*db = filepath.Join(dir, "load.db")
	}
	if *botPath == "" {
		if *botPath, err = buildBot(ctx, dir, stderr); err != nil {
			return err
		}
	}
	cat, err := flows.LoadCatalog("en", "")
	if err != nil {
		return err
	}
	plan := loadPlan{Users: sc.users, Duration: sc.duration, Press: sc.press, Think: sc.think, Loops: sc.loops}
	plan.Warmup, plan.Loop = loadSteps(cat)
	if sc.limits {
		plan.Settle = 4 * time.Second // every chat's bucket full again
	}
	l := &loadBot{path: *botPath, dir: dir, db: *db, stderr: stderr, limits: sc.limits}
	if *registered > 0 && *name != "wave" {
		start := time.Now()
		if err := seed(ctx, *db, *registered, time.Now().Add(24*time.Hour)); err != nil {
			return fmt.Errorf("seed registered clients: %w", err)
		}
		fmt.Fprintf(stdout, "registered:      %d clients stored in %s before the run\n", *registered, time.Since(start).Round(time.Millisecond))
	}
	// How far the run has come, on the terminal only; the report is stdout's.
	line := progress.On(stderr)
	defer line.Done()
	if *name == "wave" {
		return runWave(ctx, l, plan, *invitations, *kill, line.Above(stdout), line)
	}
	stop := showElapsed(line, *name, plan.Duration)
	defer stop()
	return runPeople(ctx, l, plan, *name, line.Above(stdout))
}

// showElapsed shows the time a run has taken against its length until stop.
func showElapsed(line *progress.Line, name string, length time.Duration) (stop func()) {
	start := time.Now()
	return line.Watch(200*time.Millisecond, func(p *progress.Line) {
		p.Show("%s: %s of %s", name, time.Since(start).Round(time.Second), length)
	})
}

// buildBot builds coachbot from the module this command is in.
func buildBot(ctx context.Context, dir string, stderr io.Writer) (string, error) {
	out := filepath.Join(dir, "coachbot")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", out, "github.com/coachbot/coachbot/cmd/coachbot")
	cmd.Stdout, cmd.Stderr = stderr, stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("build coachbot (or pass -bot): %w", err)
	}
	return out, nil
}

// loadBot is the bot under test: the coachbot binary run against the fake.
type loadBot struct {
	path, dir, db string
	stderr        io.Writer
	limits        bool
	cmd           *exec.Cmd
	config        string
}

// start writes the bot's configuration for fake and starts it.
func (b *loadBot) start(fake *telegramtest.Server) error {
	if b.config == "" {
		pace := "per_second: 0\n  chat_per_second: 0"
		if b.limits {
			pace = "per_second: 30\n  chat_per_second: 1\n  chat_burst: 3"
		}
		// Simulated people answer faster than anybody types: the flood
		// limit, which would ask them to slow down, is off.
		cfg := fmt.Sprintf("telegram:\n  token: %q\n  api_url: %q\n  %s\nrhythm: {quiet_hours: \"\"}\nflood: {messages: 0}\nlog: {level: error}\n",
			fake.Token(), fake.URL(), pace)
		b.config = filepath.Join(b.dir, "config.yaml")
		if err := os.WriteFile(b.config, []byte(cfg), 0o600); err != nil {
			return err
		}
	}
	b.cmd = exec.Command(b.path, "run", "-config", b.config, "-db", b.db)
	b.cmd.Stdout, b.cmd.Stderr = b.stderr, b.stderr
	if err := b.cmd.Start(); err != nil {
		return fmt.Errorf("start coachbot: %w", err)
	}
	return nil
}

func (b *loadBot) pid() int { return b.cmd.Process.Pid }

// stop ends the bot as SIGTERM does and waits for it.
func (b *loadBot) stop() error {
	if b.cmd == nil {
		return nil
	}
	_ = b.cmd.Process.Signal(syscall.SIGTERM)
	err := b.cmd.Wait()
	b.cmd = nil
	if err != nil {
		return fmt.Errorf("coachbot: %w", err)
	}
	return nil
}

// kill ends the bot with SIGKILL: no shutdown at all.
func (b *loadBot) kill() {
	_ = b.cmd.Process.Signal(syscall.SIGKILL)
	_ = b.cmd.Wait()
	b.cmd = nil
}

// newFake starts the fake Telegram, with Telegram's limits when asked.
func newFake(limits bool, hook func(int64, telegramtest.Sent)) (*telegramtest.Server, error) {
	opts := []telegramtest.Option{telegramtest.WithHistory(loadHistory), telegramtest.WithMessageHook(hook)}
	if limits {
		opts = append(opts, telegramtest.WithFloodLimits(1, 4, 30))
	}
	return telegramtest.Start(opts...)
}

// runPeople runs a closed-loop scenario and prints its report.
func runPeople(ctx context.Context, b *loadBot, plan loadPlan, name string, stdout io.Writer) error {
	lt := newLoadRun(plan)
	defer lt.close()
	fake, err := newFake(b.limits, lt.hear)
	if err != nil {
		return err
	}
	defer fake.Close()
	lt.fake = fake
	if err := b.start(fake); err != nil {
		return err
	}
	defer b.stop()
	stopWatch := watchMemory(fmt.Sprint(b.pid()), 100*time.Millisecond)
	rep := &loadReport{name: name, users: plan.Users, limits: b.limits}
	var before cpuTimes
	var cpuOK bool
	res, runErr := lt.run(ctx, plan.Duration, func() error {
		before, cpuOK = readCPU(b.pid())
		return nil
	})
	if after, ok := readCPU(b.pid()); ok && cpuOK {
		rep.cpuBot, rep.cpuLoad, rep.cpuMachine, rep.cpuSteal = after.since(before)
	}
	rep.peakRSS = peakRSS(fmt.Sprint(b.pid()))
	rep.mem = stopWatch()
	rep.people = *res
	if err := errors.Join(runErr, b.stop(), fake.Err()); err != nil {
		return err
	}
	rep.print(stdout)
	return nil
}
