package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/coachbot/coachbot/bot"
	"github.com/coachbot/coachbot/bot/telegram/telegramtest"
	"github.com/coachbot/coachbot/flows"
	"github.com/coachbot/coachbot/scheduler"
	"github.com/coachbot/coachbot/storage"
)

// seedWave stores n clients whose check-in invitation is due now, in one
// transaction, as a morning wave finds them. Their chats are numbered from
// first.
func seedWave(t testing.TB, db string, first int64, n int) []int64 {
	t.Helper()
	s, err := storage.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	now := time.Now().UTC()
	chats := make([]int64, n)
	err = s.Update(context.Background(), func(tx flows.Tx) error {
		for i := range chats {
			chats[i] = first + int64(i)
			id := bot.ID(bot.Telegram, fmt.Sprint(chats[i]))
			c := flows.Client{ID: id, ChatID: id, Name: "Wave", Consented: true, Zone: scheduler.MustZone("UTC"), CheckIn: scheduler.Clock{Hour: 9},
				Anchor: scheduler.DateOf(now, time.UTC), CreatedAt: now, UpdatedAt: now}
			if err := tx.SaveClient(c); err != nil {
				return err
			}
			if _, err := tx.AddDue(flows.Due{RecipientID: id, Kind: flows.DueCheckIn, Date: now.Format(time.DateOnly), At: now.Add(-time.Second)}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return chats
}

// waveConfig is a bot at Telegram's pace against fake, with no quiet hours so
// the wave goes whatever the time of day.
func waveConfig(fake *telegramtest.Server) string {
	return fmt.Sprintf(`telegram:
  token: %q
  api_url: %q
rhythm: {quiet_hours: ""}
shutdown_grace: 5s
log: {level: warn}
`, fake.Token(), fake.URL())
}

// startBot starts the real program as a process on db.
func startBot(t testing.TB, cfg, db string, logs *syncBuffer) *exec.Cmd {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "run", "-config", cfg, "-db", db)
	cmd.Env = append(os.Environ(), "COACHBOT_BE_MAIN=1")
	cmd.Dir = t.TempDir()
	cmd.Stderr = logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd
}

// messageCounter counts what the fake delivered to each chat.
type messageCounter struct {
	mu   sync.Mutex
	by   map[int64]int
	seen int
}

func (c *messageCounter) hear(chat int64, _ telegramtest.Sent) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.by == nil {
		c.by = make(map[int64]int)
	}
	c.by[chat]++
	c.seen++
}

func (c *messageCounter) count(chat int64) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.by[chat]
}

func (c *messageCounter) total() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.seen
}

// TestWaveExactlyOnce is the morning wave at Telegram's limits: hundreds of
// invitations due at the same minute while people onboard. The bot is killed
// with SIGKILL half-way through the wave and started again: every invitation
// arrives exactly once, the fake never has to refuse a message (no 429), and
// everybody chatting gets to the end.
func TestWaveExactlyOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes; about 25 seconds at Telegram's pace")
	}
	const invitations, chatting = 600, 8
	var counter messageCounter
	fake := telegramtest.NewServer(t, telegramtest.WithFloodLimits(1, 4, 30), telegramtest.WithMessageHook(counter.hear))
	db := filepath.Join(t.TempDir(), "bot.db")
	wave := seedWave(t, db, 900000, invitations)
	fake.OpenChat(wave...)
	cfg := writeTGConfig(t, waveConfig(fake))
	var logs syncBuffer
	cmd := startBot(t, cfg, db, &logs)

	var wg sync.WaitGroup
	for i := range chatting {
		wg.Go(func() {
			p := newTGPerson(t, fake, int64(800+i))
			p.say("/start", "Shall we begin?")
			p.press("Yes, let's begin", "Which time zone")
			p.say("Zurich", "What time of day")
			p.say("07:45", "rest days")
			p.say("Sun", "Time zone: Europe/Zurich")
		})
	}

	tgWaitUntil(t, "half the wave", func() bool { return counter.total() >= invitations/2 })
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	cmd = startBot(t, cfg, db, &logs)

	deadline := time.Now().Add(2 * time.Minute)
	for {
		left := 0
		for _, c := range wave {
			if counter.count(c) == 0 {
				left++
			}
		}
		if left == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d invitations never arrived; log:\n%s", left, invitations, logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	wg.Wait()
	cmd.Process.Signal(syscall.SIGTERM)
	cmd.Wait()

	for _, c := range wave {
		if n := counter.count(c); n != 1 {
			t.Errorf("chat %d got %d invitations, want exactly one", c, n)
		}
		if m := fake.Messages(c); len(m) != 1 || !strings.Contains(m[0].Text, "reflect") {
			t.Errorf("chat %d: %q, want one invitation", c, tgTexts(m))
		}
	}
	if st := fake.Stats(); st.TooManyRequests != 0 {
		t.Errorf("the fake refused %d messages with 429, want none", st.TooManyRequests)
	}
	if t.Failed() {
		t.Logf("log:\n%s", logs.String())
	}
}

// TestStopDeliversQueued stops the real program with SIGTERM while a wave of
// invitations is going out: it stops taking updates, delivers everything in
// the outbox within shutdown_grace and exits cleanly; a restart sends what was
// still due and none of the delivered again.
func TestStopDeliversQueued(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	const invitations = 90 // three seconds at Telegram's pace, within the 5s grace
	var counter messageCounter
	fake := telegramtest.NewServer(t, telegramtest.WithFloodLimits(1, 4, 30), telegramtest.WithMessageHook(counter.hear))
	db := filepath.Join(t.TempDir(), "bot.db")
	wave := seedWave(t, db, 910000, invitations)
	fake.OpenChat(wave...)
	cfg := writeTGConfig(t, waveConfig(fake))
	var logs syncBuffer
	cmd := startBot(t, cfg, db, &logs)

	tgWaitUntil(t, "invitations arriving", func() bool { return counter.total() >= invitations/10 })
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("after SIGTERM: %v; log:\n%s", err, logs.String())
	}
	// Whatever the outbox held was delivered; what was still due when the
	// sweep stopped waits in the due table, not in the outbox.
	s, err := storage.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	pending, err := s.Pending(context.Background(), bot.Telegram, 0)
	s.Close()
	if err != nil {
		t.Fatal(err)
	}
	if len(pending) != 0 {
		t.Fatalf("%d queued messages left undelivered at exit (%d delivered); log:\n%s", len(pending), counter.total(), logs.String())
	}

	cmd = startBot(t, cfg, db, &logs)
	tgWaitUntil(t, "the rest of the invitations", func() bool { return counter.total() >= invitations })
	time.Sleep(time.Second) // long enough for anything sent twice to arrive
	cmd.Process.Signal(syscall.SIGTERM)
	cmd.Wait()
	for _, c := range wave {
		if n := counter.count(c); n != 1 {
			t.Errorf("chat %d got %d invitations, want exactly one", c, n)
		}
	}
	if st := fake.Stats(); st.TooManyRequests != 0 {
		t.Errorf("the fake refused %d messages with 429, want none", st.TooManyRequests)
	}
}
