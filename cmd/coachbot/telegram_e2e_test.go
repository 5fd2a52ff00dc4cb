package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coachbot/coachbot/bot"
	"github.com/coachbot/coachbot/bot/telegram/telegramtest"
	"github.com/coachbot/coachbot/flows"
	"github.com/coachbot/coachbot/storage"
)

// tgWait bounds every wait for the bot in these tests: generous, since the
// machine may be busy, and only ever reached when something is broken.
const tgWait = 20 * time.Second

// tgProgram is `coachbot run` started in-process.
type tgProgram struct {
	t      testing.TB
	cancel context.CancelFunc
	done   chan error
	stderr *syncBuffer
}

// startTGProgram runs the whole program with args until stop is called.
func startTGProgram(t testing.TB, args ...string) *tgProgram {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	p := &tgProgram{t: t, cancel: cancel, done: make(chan error, 1), stderr: &syncBuffer{}}
	go func() {
		p.done <- run(ctx, args, noEnv, strings.NewReader(""), &syncBuffer{}, p.stderr)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-p.done:
		case <-time.After(tgWait):
		}
	})
	return p
}

// stop cancels the program and checks that it returned nil.
func (p *tgProgram) stop() {
	p.t.Helper()
	p.cancel()
	select {
	case err := <-p.done:
		if err != nil {
			p.t.Fatalf("run returned %v; log:\n%s", err, p.stderr.String())
		}
		p.done <- nil // for the cleanup
	case <-time.After(tgWait):
		p.t.Fatalf("run did not return after cancel; log:\n%s", p.stderr.String())
	}
}

// writeTGConfig writes config.yaml into a temp dir and returns its path.
func writeTGConfig(t testing.TB, yaml string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// tgPerson is somebody chatting with the bot in the fake Telegram.
type tgPerson struct {
	t    testing.TB
	fake *telegramtest.Server
	chat int64
	seen int // bot messages already looked at
	// deliver hands queued updates to the bot in webhook mode; nil when the bot polls.
	deliver func(ctx context.Context) error
	presses int
}

func newTGPerson(t testing.TB, fake *telegramtest.Server, chat int64) *tgPerson {
	return &tgPerson{t: t, fake: fake, chat: chat}
}

// say writes text and waits for the bot's answer: new messages until one
// contains the last of wants. Every want must appear in them, in order.
func (p *tgPerson) say(text string, wants ...string) []telegramtest.Sent {
	p.t.Helper()
	p.fake.SendText(p.chat, text)
	return p.await(fmt.Sprintf("after %q", text), wants)
}

// press presses the button labelled label on the newest message showing it,
// waits for the answer like say, and checks that the keyboard is replaced by
// the chosen label (the edit follows the answer, so it is waited for). It
// returns the pressed message as it was before.
func (p *tgPerson) press(label string, wants ...string) telegramtest.Sent {
	p.t.Helper()
	m, data := p.button(label)
	p.pressData(m.MessageID, data, wants...)
	edited := func() (telegramtest.Sent, bool) {
		for _, now := range p.fake.Messages(p.chat) {
			if now.MessageID == m.MessageID {
				return now, len(now.Buttons) == 0 && strings.HasSuffix(now.Text, "› "+label)
			}
		}
		return telegramtest.Sent{}, true // forgotten by the fake's history
	}
	deadline := time.Now().Add(tgWait)
	for {
		now, ok := edited()
		if ok {
			break
		}
		if time.Now().After(deadline) {
			p.t.Errorf("after pressing %q the message reads %q with buttons %v, want the label instead of the keyboard",
				label, now.Text, now.Labels())
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	return m
}

// pressData presses data on message id, whatever it shows now.
func (p *tgPerson) pressData(id int, data string, wants ...string) []telegramtest.Sent {
	p.t.Helper()
	p.presses++
	p.fake.Press(p.chat, id, data)
	return p.await(fmt.Sprintf("after pressing %q", data), wants)
}

// button finds the newest message with a button labelled label.
func (p *tgPerson) button(label string) (telegramtest.Sent, string) {
	p.t.Helper()
	msgs := p.fake.Messages(p.chat)
	for i := len(msgs) - 1; i >= 0; i-- {
		for _, row := range msgs[i].Buttons {
			for _, b := range row {
				if b.Text == label {
					return msgs[i], b.Data
				}
			}
		}
	}
	p.t.Fatalf("chat %d: no button %q in %d messages", p.chat, label, len(msgs))
	return telegramtest.Sent{}, ""
}

func (p *tgPerson) await(what string, wants []string) []telegramtest.Sent {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), tgWait)
	defer cancel()
	if p.deliver != nil {
		if err := p.deliver(ctx); err != nil {
			p.t.Fatalf("chat %d %s: webhook delivery: %v", p.chat, what, err)
		}
	}
	var got []telegramtest.Sent
	last := wants[len(wants)-1]
	for !slices.ContainsFunc(got, func(m telegramtest.Sent) bool { return strings.Contains(m.Text, last) }) {
		more, total, err := p.fake.WaitAfter(ctx, p.chat, p.seen)
		if err != nil {
			p.t.Fatalf("chat %d %s: %q never came; got %q: %v", p.chat, what, last, tgTexts(got), err)
		}
		got, p.seen = append(got, more...), total
	}
	all := strings.Join(tgTexts(got), "\n")
	for _, w := range wants {
		i := strings.Index(all, w)
		if i < 0 {
			p.t.Fatalf("chat %d %s: got %q, want %q in it (in order)", p.chat, what, tgTexts(got), w)
		}
		all = all[i+len(w):]
	}
	return got
}

func tgTexts(msgs []telegramtest.Sent) []string {
	out := make([]string, 0, len(msgs))
	for _, m := range msgs {
		out = append(out, m.Text)
	}
	return out
}

// tgPollingConfig is a config for the fake in polling mode.
func tgPollingConfig(fake *telegramtest.Server) string {
	return fmt.Sprintf(`telegram:
  token: %q
  api_url: %q
  per_second: 1000
  chat_per_second: 1000
coach_code: let-me-coach
log: {level: warn}
flood: {messages: 0}  # the simulated people answer at machine speed
`, fake.Token(), fake.URL())
}

// TestTelegramJourney drives the whole program over the fake Telegram by long
// polling: a client's journey from /start to /forget, a group message, and a
// coach inviting a second client with a deep link.
func TestTelegramJourney(t *testing.T) {
	fake := telegramtest.NewServer(t)
	db := filepath.Join(t.TempDir(), "bot.db")
	prog := startTGProgram(t, "run", "-config", writeTGConfig(t, tgPollingConfig(fake)), "-db", db)

	ana := newTGPerson(t, fake, 101)
	ana.say("/start", "What I keep", "Shall we begin?")
	consent := ana.press("Yes, let's begin", "Which time zone")

	t.Run("CommandMenuPublished", func(t *testing.T) {
		var names []string
		for _, c := range fake.Commands() {
			names = append(names, c.Name)
		}
		for _, want := range []string{"start", "action", "checkin", "export", "forget", "help"} {
			if !slices.Contains(names, want) {
				t.Errorf("command menu %v lacks %q", names, want)
			}
		}
	})
	t.Run("Onboarding", func(t *testing.T) {
		// An old button, pressed again, changes nothing and says so.
		old := consent.Buttons[0][0]
		ana.pressData(consent.MessageID, old.Data, "That button has expired")
		ana.say("Zurich", "What time of day")
		ana.say("08:30", "rest days")
		ana.press("Sat Sun", "Time zone: Europe/Zurich", "Check-in: 08:30", "Rest days: Sat Sun")
	})
	t.Run("Action", func(t *testing.T) {
		ana.say("/action", "What would you like to try?")
		ana.say("get fit", `"get fit" sounds like an outcome`, "first step")
		ana.say("walk 10 minutes after lunch", "When will you try it?")
		ana.press("Today", "How much energy")
		ana.say("2", "emotional load")
		ana.press("Low", "people around you")
		ana.press("Hardly at all", "recover")
		ana.press("Nothing special", "How carryable")
		ana.say("8", "Saved: walk 10 minutes after lunch")
	})
	t.Run("CheckIn", func(t *testing.T) {
		ana.say("/checkin", `"walk 10 minutes after lunch"`, "What happened?")
		ana.press("I did it", "What did you notice?")
		ana.say("my head was clearer", "How much energy")
		ana.say("2", "How did the challenge feel?")
		ana.press("About right", "sweet spot", "What would you like to do with this experiment next?")
		ana.press("Keep it", "evidence of who you're becoming")
	})
	t.Run("Export", func(t *testing.T) {
		got := ana.say("/export", "Here is everything I keep about you")
		doc := got[len(got)-1].Document
		if doc == nil || !strings.HasSuffix(doc.Name, ".json") {
			t.Fatalf("export: got %+v, want a JSON document", got[len(got)-1])
		}
		var x flows.Export
		if err := json.Unmarshal(doc.Content, &x); err != nil {
			t.Fatalf("export is not JSON: %v\n%s", err, doc.Content)
		}
		if len(x.Experiments) != 1 || x.Experiments[0].Action != "walk 10 minutes after lunch" || x.Experiments[0].Why != "get fit" {
			t.Errorf("exported experiments = %+v, want the walk toward get fit", x.Experiments)
		}
		if len(x.CheckIns) != 1 || x.CheckIns[0].Noticed != "my head was clearer" {
			t.Errorf("exported check-ins = %+v, want the one just made", x.CheckIns)
		}
	})
	t.Run("GroupIsPrivateOnly", func(t *testing.T) {
		group := newTGPerson(t, fake, -500)
		fake.SendGroupText(group.chat, "/start")
		group.await("after /start in a group", []string{"I work in a private chat"})
	})
	t.Run("Invite", func(t *testing.T) {
		coach := newTGPerson(t, fake, 201)
		coach.say("/coach let-me-coach", "Which time zone")
		coach.say("UTC", "digest")
		coach.press("18:00", "Daily, or once a week")
		coach.press("Daily", "You're set up as a coach")
		got := coach.say("/invite", "single-use invite")
		link := regexp.MustCompile(`https://t\.me/` + fake.Username() + `\?start=([a-z0-9]+)`).FindStringSubmatch(got[len(got)-1].Text)
		if link == nil {
			t.Fatalf("invite %q has no t.me deep link to %s", got[len(got)-1].Text, fake.Username())
		}
		ben := newTGPerson(t, fake, 301)
		ben.say("/start "+link[1], "Shall we begin?")
		ben.press("Yes, let's begin", "invited you", "will never see a reflection you keep private")
		ben.press("Yes", "Which time zone")
		ben.say("UTC", "What time of day")
		ben.say("09:00", "rest days")
		ben.press("No rest days", "You're now connected with", "Time zone: UTC")
		coach.say("/clients", "Your clients:", "User 301")
	})
	t.Run("Forget", func(t *testing.T) {
		ana.say("/forget", "can't be undone")
		ana.press("Yes, delete everything", "Everything I kept about you is deleted")
	})
	t.Run("CallbacksAnswered", func(t *testing.T) {
		st := fake.Stats()
		if st.CallbacksPending != 0 {
			t.Errorf("%d button presses never answered", st.CallbacksPending)
		}
		if st.TooManyRequests != 0 || st.Failures != 0 {
			t.Errorf("the fake refused %d calls with 429 and %d otherwise, want none", st.TooManyRequests, st.Failures)
		}
	})
	prog.stop()

	// Nothing of the group member was kept, and ana is gone after /forget.
	for _, user := range []string{"telegram:500", "telegram:101"} {
		if _, _, err := runCmd(t, "", "export", "-user", user, "-db", db); err == nil || !strings.Contains(err.Error(), "no user") {
			t.Errorf("export %s after the run: got %v, want no user", user, err)
		}
	}
}

// TestTelegramRestartKeepsOffset restarts the program on the same database while
// the fake still holds confirmed-by-handling updates: what was handled is not
// fetched again, and what arrived while it was down is handled exactly once.
func TestTelegramRestartKeepsOffset(t *testing.T) {
	fake := telegramtest.NewServer(t)
	db := filepath.Join(t.TempDir(), "bot.db")
	cfg := writeTGConfig(t, tgPollingConfig(fake))

	prog := startTGProgram(t, "run", "-config", cfg, "-db", db)
	ana := newTGPerson(t, fake, 101)
	tgWaitUntil(t, "the first poll", func() bool { return fake.Calls("getUpdates") > 0 })
	polls := fake.Calls("getUpdates") // the waiting poll, which brings /start
	ana.say("/start", "Shall we begin?")
	// Once the next poll waits, lose the one after it: the fake then has not seen
	// the press confirmed when the program stops, and only the stored offset can
	// keep it from coming again.
	tgWaitUntil(t, "the next poll", func() bool { return fake.Calls("getUpdates") > polls })
	time.Sleep(20 * time.Millisecond) // let it get past the point where drops are taken
	fake.DropNext("getUpdates", 1)
	ana.press("Yes, let's begin", "Which time zone")
	tgWaitUntil(t, "the lost poll", func() bool { return fake.Stats().Dropped == 1 })
	tgWaitUntil(t, "the replies to be marked sent", func() bool { return tgPending(t, db) == 0 })
	prog.stop()
	before := fake.Stats()
	if before.UpdatesPending != 1 {
		t.Fatalf("updates pending at the fake: got %d, want the press", before.UpdatesPending)
	}

	fake.SendText(ana.chat, "Zurich") // written while the bot is down
	prog = startTGProgram(t, "run", "-config", cfg, "-db", db)
	ana.await("after the restart", []string{"What time of day"})
	prog.stop()

	after := fake.Stats()
	if got, want := after.UpdatesServed-before.UpdatesServed, 1; got != want {
		t.Errorf("updates served after the restart: got %d, want %d (only the new one)", got, want)
	}
	count := map[string]int{}
	for _, m := range fake.Messages(ana.chat) {
		for _, key := range []string{"Shall we begin?", "Which time zone", "What time of day"} {
			if strings.Contains(m.Text, key) {
				count[key]++
			}
		}
	}
	for key, n := range count {
		if n != 1 {
			t.Errorf("%q sent %d times, want once", key, n)
		}
	}
	if t.Failed() {
		for _, m := range fake.Messages(ana.chat) {
			t.Logf("%s %d %q", m.Arrived.Format("15:04:05.000000"), m.MessageID, m.Text[:min(30, len(m.Text))])
		}
		t.Logf("log:\n%s", prog.stderr.String())
	}
}

// tgPending counts the replies not yet delivered, reading the database the
// program has open.
func tgPending(t testing.TB, path string) int {
	t.Helper()
	db, err := storage.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Pending(context.Background(), bot.Telegram, 0)
	if err != nil {
		t.Fatal(err)
	}
	return len(rows)
}

func tgWaitUntil(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(tgWait)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// tgFreeAddr returns a loopback address nobody listens on right now.
func tgFreeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// TestTelegramWebhook runs the program in webhook mode behind an https reverse
// proxy, as it would be deployed: the fake posts updates to the proxy's public
// URL with the secret, the proxy forwards them to the program's listen address.
func TestTelegramWebhook(t *testing.T) {
	listen := tgFreeAddr(t)
	proxy := httptest.NewTLSServer(httputil.NewSingleHostReverseProxy(&url.URL{Scheme: "http", Host: listen}))
	t.Cleanup(proxy.Close)
	fake := telegramtest.NewServer(t, telegramtest.WithWebhookClient(proxy.Client()))
	cfg := writeTGConfig(t, fmt.Sprintf(`telegram:
  token: %q
  api_url: %q
  mode: webhook
  per_second: 1000
  chat_per_second: 1000
  webhook:
    listen: %q
    public_url: %q
    secret: "a-webhook-secret-of-some-length"
log: {level: warn}
`, fake.Token(), fake.URL(), listen, proxy.URL+"/telegram"))
	db := filepath.Join(t.TempDir(), "bot.db")
	prog := startTGProgram(t, "run", "-config", cfg, "-db", db)
	tgWaitUntil(t, "the webhook to be registered", func() bool { return fake.WebhookURL() != "" })
	if got, want := fake.WebhookURL(), proxy.URL+"/telegram"; got != want {
		t.Fatalf("webhook URL: got %q, want %q", got, want)
	}

	ana := newTGPerson(t, fake, 101)
	ana.deliver = fake.DeliverWebhook
	ana.say("/start", "Shall we begin?")
	consent := ana.press("Yes, let's begin", "Which time zone")
	ana.pressData(consent.MessageID, consent.Buttons[0][0].Data, "That button has expired")
	ana.say("Zurich", "What time of day")
	ana.say("08:30", "rest days")
	ana.say("none", "Time zone: Europe/Zurich")
	ana.say("/action", "What would you like to try?")
	ana.say("get fit", `"get fit" sounds like an outcome`)

	group := newTGPerson(t, fake, -500)
	group.deliver = fake.DeliverWebhook
	fake.SendGroupText(group.chat, "hello")
	group.await("after a group message", []string{"I work in a private chat"})

	if st := fake.Stats(); st.CallbacksPending != 0 || st.UpdatesPending != 0 {
		t.Errorf("stats: %d presses unanswered, %d updates undelivered; want none", st.CallbacksPending, st.UpdatesPending)
	}
	prog.stop()
}
