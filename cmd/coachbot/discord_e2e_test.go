package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coachbot/coachbot/bot"
	"github.com/coachbot/coachbot/bot/discord/discordtest"
	"github.com/coachbot/coachbot/bot/telegram/telegramtest"
	"github.com/coachbot/coachbot/flows"
	"github.com/coachbot/coachbot/storage"
)

// These tests start the whole program, `coachbot run`, in-process against the
// fake Discord (and, once, the fake Telegram), and talk to it as people would:
// direct messages, slash commands and button presses over the real wire protocol.

// dcWait bounds anything that should take well under a second; it is generous
// because the machine is shared and the tests run under -race.
const dcWait = 15 * time.Second

// dcAckDeadline is how long Discord waits for the first response to an interaction.
const dcAckDeadline = 3 * time.Second

// dcCoachCode is the coach code in the test configuration.
const dcCoachCode = "let-me-coach"

// dcBot is `coachbot run` running in a goroutine.
type dcBot struct {
	t      testing.TB
	cancel context.CancelFunc
	exited chan struct{} // closed when run has returned err
	err    error
	logs   *syncBuffer
	once   sync.Once
}

// writeDCConfig writes a config.yaml pointing at the fakes; tg may be nil.
func writeDCConfig(t testing.TB, dc *discordtest.Server, tg *telegramtest.Server) string {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "coach_code: %q\n", dcCoachCode)
	fmt.Fprintf(&b, "discord:\n  token: %q\n  api_url: %q\n", dc.Token(), dc.URL())
	if tg != nil {
		fmt.Fprintf(&b, "telegram:\n  token: %q\n  api_url: %q\n  mode: polling\n", tg.Token(), tg.URL())
	}
	b.WriteString("log:\n  level: debug\n")
	// The simulated people answer at machine speed, which is a flood.
	b.WriteString("flood:\n  messages: 0\n")
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// startDCBot runs `coachbot run -config cfg -db db` until stop or the end of the
// test, and returns once its Discord session has started: its slash commands are
// registered by then. The logs are shown if the test fails.
func startDCBot(t testing.TB, dc *discordtest.Server, cfg, db string) *dcBot {
	t.Helper()
	sessions := dc.Sessions()
	ctx, cancel := context.WithCancel(context.Background())
	b := &dcBot{t: t, cancel: cancel, exited: make(chan struct{}), logs: &syncBuffer{}}
	go func() {
		defer close(b.exited)
		b.err = run(ctx, []string{"run", "-config", cfg, "-db", db}, noEnv, strings.NewReader(""), &syncBuffer{}, b.logs)
	}()
	t.Cleanup(func() {
		b.stop()
		if t.Failed() {
			t.Logf("coachbot logs:\n%s", b.logs.String())
		}
	})

	wait, stopWaiting := dcWaitCtx()
	defer stopWaiting()
	go func() {
		select {
		case <-b.exited:
			stopWaiting()
		case <-wait.Done():
		}
	}()
	if err := dc.WaitSessions(wait, sessions+1); err != nil {
		select {
		case <-b.exited:
			t.Fatalf("run ended before connecting to Discord: %v", b.err)
		default:
			t.Fatal(err)
		}
	}
	return b
}

// stop cancels the run and checks that it returns nil in good time.
func (b *dcBot) stop() {
	b.t.Helper()
	b.once.Do(func() {
		b.cancel()
		select {
		case <-b.exited:
			if b.err != nil {
				b.t.Errorf("run returned %v, want nil after cancel", b.err)
			}
			checkDCLogs(b.t, b.logs.String())
		case <-time.After(dcWait):
			b.t.Errorf("run did not return within %s of cancel", dcWait)
		}
	})
}

// checkDCLogs fails the test for every error the program logged: none is expected
// in these conversations. A row marked sent twice means the dispatcher delivered
// one reply twice, which the person sees as a repeated message.
func checkDCLogs(t testing.TB, logs string) {
	t.Helper()
	for _, line := range strings.Split(logs, "\n") {
		switch {
		case strings.Contains(line, `msg="mark sent"`) && strings.Contains(line, "no pending row"):
			t.Errorf("a reply was delivered twice (it was no longer pending when marked sent): %s", line)
		case strings.Contains(line, "level=ERROR"):
			t.Errorf("coachbot logged an error: %s", line)
		}
	}
}

// dcWaitCtx bounds one wait.
func dcWaitCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), dcWait)
}

// dcAcked waits for the first response to an interaction and checks that
// it came within Discord's 3 seconds.
func dcAcked(t testing.TB, dc *discordtest.Server, id string) discordtest.Interaction {
	t.Helper()
	ctx, cancel := dcWaitCtx()
	defer cancel()
	in, err := dc.WaitInteraction(ctx, id, func(in discordtest.Interaction) bool {
		return len(in.Responses) > 0 || in.Late > 0
	})
	if err != nil {
		t.Fatalf("interaction never acknowledged: %v", err)
	}
	if in.Late > 0 || in.Responses[0].After > dcAckDeadline {
		t.Fatalf("interaction %s acknowledged too late: %d late responses, responses %+v", id, in.Late, in.Responses)
	}
	return in
}

// dcUser is a person on the fake Discord, reading their DM with the bot from a
// cursor: each expected message must come after the previous one.
type dcUser struct {
	t    testing.TB
	dc   *discordtest.Server
	id   string
	dm   string
	seen int
}

func newDCUser(t testing.TB, dc *discordtest.Server, id string) *dcUser {
	return &dcUser{t: t, dc: dc, id: id, dm: dc.DMChannel(id)}
}

// qualified is the user's platform-qualified ID, as the engine stores it.
func (u *dcUser) qualified() string { return bot.ID(bot.Discord, u.id) }

// say writes a direct message to the bot.
func (u *dcUser) say(text string) { u.dc.SendDM(u.id, text) }

// slash runs a slash command in the DM with the bot and checks the adapter's
// handling of it: a deferred, private acknowledgement within 3 seconds whose
// placeholder is removed once the command was handled.
func (u *dcUser) slash(name string, opts ...string) {
	u.t.Helper()
	id := u.dc.SlashCommand(u.id, "", name, opts...)
	if id == "" {
		u.t.FailNow()
	}
	in := dcAcked(u.t, u.dc, id)
	if r := in.Responses[0]; r.Type != 5 || !r.Ephemeral {
		u.t.Errorf("/%s in DM answered with type %d (ephemeral %t), want a private deferred response (5)", name, r.Type, r.Ephemeral)
	}
	ctx, cancel := dcWaitCtx()
	defer cancel()
	if _, err := u.dc.WaitInteraction(ctx, id, func(in discordtest.Interaction) bool { return in.OriginalDeleted }); err != nil {
		u.t.Errorf("/%s: the \"thinking\" placeholder was never removed: %v", name, err)
	}
}

// expect waits for the next message from the bot that contains want and moves
// the cursor past it.
func (u *dcUser) expect(want string) discordtest.Sent {
	u.t.Helper()
	ctx, cancel := dcWaitCtx()
	defer cancel()
	for {
		msgs := u.dc.Messages(u.dm)
		for i := u.seen; i < len(msgs); i++ {
			if strings.Contains(msgs[i].Content, want) {
				u.seen = i + 1
				return msgs[i]
			}
		}
		if _, err := u.dc.WaitMessages(ctx, u.dm, len(msgs)+1); err != nil {
			u.t.Fatalf("user %s: %q never arrived (%v); messages since the last match:\n%s", u.id, want, err, dcContents(msgs, u.seen))
		}
	}
}

// press presses the button labelled label under m and checks the adapter's
// handling: acknowledged within 3 seconds, and the message updated at once to
// show the choice with its buttons gone.
func (u *dcUser) press(m discordtest.Sent, label string) {
	u.t.Helper()
	var labels []string
	for _, b := range m.Buttons() {
		labels = append(labels, b.Label)
		if b.Label != label {
			continue
		}
		id := u.dc.Press(u.id, m.ID, b.CustomID)
		if id == "" {
			u.t.FailNow()
		}
		in := dcAcked(u.t, u.dc, id)
		if got := in.Responses[0].Type; got != 7 {
			u.t.Errorf("press %q answered with type %d, want an update of the message (7)", label, got)
		}
		now, _ := u.dc.Message(m.ID)
		for _, b := range now.Buttons() {
			if !b.Disabled {
				u.t.Errorf("after pressing %q the button %q is still pressable", label, b.Label)
			}
		}
		if want := "› " + label; !strings.HasSuffix(now.Content, want) {
			u.t.Errorf("after pressing %q the message reads %q, want it to end with %q", label, now.Content, want)
		}
		return
	}
	u.t.Fatalf("no button %q under %q; buttons: %q", label, m.Content, labels)
}

// count is how many of the bot's messages in the DM contain s.
func (u *dcUser) count(s string) int {
	n := 0
	for _, m := range u.dc.Messages(u.dm) {
		if strings.Contains(m.Content, s) {
			n++
		}
	}
	return n
}

func dcContents(msgs []discordtest.Sent, from int) string {
	var b strings.Builder
	for i := from; i < len(msgs); i++ {
		fmt.Fprintf(&b, "--- %s\n", msgs[i].Content)
	}
	return b.String()
}

// dcOnboard takes a Discord user through /start, with an invite code if given.
func dcOnboard(u *dcUser, invite ...string) {
	u.t.Helper()
	u.slash("start", invite...)
	u.press(u.expect("Shall we begin?"), "Yes, let's begin")
	if len(invite) > 0 {
		u.press(u.expect("invited you"), "Yes")
	}
	u.expect("Which time zone")
	u.say("Zurich")
	u.expect("What time of day")
	u.say("08:30")
	u.expect("Which days are rest days")
	u.say("none")
	u.expect("you're set up")
}

// dcBecomeCoach makes a Discord user a coach with daily digests at 18:00.
func dcBecomeCoach(u *dcUser) {
	u.t.Helper()
	u.slash("coach", dcCoachCode)
	u.expect("Which time zone")
	u.say("Europe/Zurich")
	u.press(u.expect("When would you like your digest"), "18:00")
	u.press(u.expect("Daily, or once a week"), "Daily")
	u.expect("You're set up as a coach.")
}

var dcInviteCode = regexp.MustCompile(`/start ([a-z2-7]{12})`)

// invite has a coach create an invite and returns its code.
func dcInvite(coach *dcUser) string {
	coach.t.Helper()
	coach.slash("invite")
	m := coach.expect("single-use invite")
	code := dcInviteCode.FindStringSubmatch(m.Content)
	if code == nil {
		coach.t.Fatalf("no invite code in %q", m.Content)
	}
	return code[1]
}

func dcCatalog(t testing.TB) *flows.Catalog {
	t.Helper()
	cat, err := flows.LoadCatalog("en", "")
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

// dcExport runs `coachbot export` for a user while the bot runs.
func dcExport(t testing.TB, db, user string) flows.Export {
	t.Helper()
	out, errOut, err := runCmd(t, "", "export", "-user", user, "-db", db)
	if err != nil {
		t.Fatalf("export %s: %v\n%s", user, err, errOut)
	}
	var x flows.Export
	if err := json.Unmarshal([]byte(out), &x); err != nil {
		t.Fatalf("export %s is not JSON: %v\n%s", user, err, out)
	}
	return x
}

// TestDiscordClientJourney is the whole client journey in DMs: onboarding, an
// experiment from an outcome, a check-in, /export and /forget, with buttons
// pressed, stale buttons and typed answers.
func TestDiscordClientJourney(t *testing.T) {
	t.Parallel()
	cat := dcCatalog(t)
	dc := discordtest.NewServer(t)
	db := filepath.Join(t.TempDir(), "coachbot.db")
	startDCBot(t, dc, writeDCConfig(t, dc, nil), db)
	ana := newDCUser(t, dc, "1001")

	ana.slash("start")
	ana.press(ana.expect("Shall we begin?"), "Yes, let's begin")
	ana.expect("Which time zone")
	ana.say("Zurich")
	times := ana.expect("What time of day")
	ana.say("08:30") // typed: the buttons under the question stay
	ana.expect("Which days are rest days")
	ana.say("Sat Sun")
	ana.expect("Time zone: Europe/Zurich")

	// A button from an earlier question changes nothing and says so.
	ana.press(times, "18:00")
	ana.expect(cat.Text("button.expired"))

	ana.slash("action")
	ana.expect("What would you like to try?")
	ana.say("get fit")
	ana.expect(`"get fit" sounds like an outcome`)
	ana.say("walk 10 minutes after lunch")
	ana.press(ana.expect("When will you try it?"), "Today")
	ana.press(ana.expect("How much energy will it cost you?"), "2")
	ana.press(ana.expect("And the emotional load?"), "Low")
	ana.press(ana.expect("people around you"), "Hardly at all")
	ana.expect("What will help you recover afterwards?")
	ana.say("a glass of water")
	ana.press(ana.expect("How carryable"), "8")
	ana.expect("Saved: walk 10 minutes after lunch")

	ana.slash("checkin")
	ana.press(ana.expect(`Let's look at "walk 10 minutes after lunch"`), "I did it")
	ana.expect("What did you notice?")
	ana.say("my head was clearer in the afternoon")
	ana.press(ana.expect("How much energy did it take?"), "1")
	ana.press(ana.expect("How did the challenge feel?"), "About right")
	// The advice and the next question are one message.
	ana.press(ana.expect("sweet spot"), "Keep it")
	ana.expect("evidence of who you're becoming")

	ana.slash("export")
	m := ana.expect(cat.Text("export.ready"))
	if len(m.Files) != 1 || m.Files[0].Name != "coachbot-export.json" {
		t.Fatalf("export message files = %+v, want one coachbot-export.json", m.Files)
	}
	var x flows.Export
	if err := json.Unmarshal(m.Files[0].Content, &x); err != nil {
		t.Fatalf("export attachment is not JSON: %v\n%s", err, m.Files[0].Content)
	}
	if got, want := x.Client.ID, ana.qualified(); got != want {
		t.Errorf("exported client ID = %q, want %q", got, want)
	}
	if x.Client.Zone.String() != "Europe/Zurich" || x.Client.CheckIn.String() != "08:30" || !x.Client.Consented {
		t.Errorf("exported client = %+v, want Europe/Zurich at 08:30 (the stale press changed nothing), consented", x.Client)
	}
	if len(x.Experiments) != 1 {
		t.Fatalf("exported experiments = %+v, want 1", x.Experiments)
	}
	if e := x.Experiments[0]; e.Action != "walk 10 minutes after lunch" || e.Why != "get fit" || e.When != "today" ||
		e.Energy != 2 || e.Load != "low" || e.People != "hardly" || e.Recovery != "a glass of water" || e.Carry != 8 {
		t.Errorf("exported experiment = %+v", e)
	}
	if len(x.CheckIns) != 1 || x.CheckIns[0].Noticed != "my head was clearer in the afternoon" || x.CheckIns[0].Outcome != "done" {
		t.Errorf("exported check-ins = %+v", x.CheckIns)
	}

	ana.slash("forget")
	ana.press(ana.expect("can't be undone"), "Yes, delete everything")
	ana.expect("Everything I kept about you is deleted")
	if _, _, err := runCmd(t, "", "export", "-user", ana.qualified(), "-db", db); err == nil || !strings.Contains(err.Error(), "no user") {
		t.Errorf("export after /forget: err = %v, want no user", err)
	}
}

// TestDiscordSlashCommands checks that every command of the engine is registered
// once, also after a restart, that a slash command in a server channel is answered
// privately and moves the conversation to DMs, and that one in DMs works too.
func TestDiscordSlashCommands(t *testing.T) {
	t.Parallel()
	cat := dcCatalog(t)
	dc := discordtest.NewServer(t)
	cfg := writeDCConfig(t, dc, nil)
	db := filepath.Join(t.TempDir(), "coachbot.db")
	first := startDCBot(t, dc, cfg, db)

	var want []string
	for _, c := range flows.New(nil, flows.Config{Catalog: cat}).Commands() {
		want = append(want, c.Name)
	}
	registered := func() ([]string, map[string]string) {
		t.Helper()
		var names []string
		ids := make(map[string]string)
		for _, c := range dc.Commands("") {
			names = append(names, c.Name)
			ids[c.Name] = c.ID
		}
		return names, ids
	}
	names, ids := registered()
	if !slices.Equal(names, want) {
		t.Fatalf("registered commands = %q, want every engine command once: %q", names, want)
	}
	// Each command says what it does in German too, for German clients.
	de, err := flows.LoadCatalog("de", "")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range dc.Commands("") {
		if c.Name == "checkin" && c.Localized["de"] != de.Text("cmd.checkin") {
			t.Errorf("/checkin in German = %q, want %q", c.Localized["de"], de.Text("cmd.checkin"))
		}
	}

	bo := newDCUser(t, dc, "2002")
	id := dc.SlashCommand(bo.id, "guild-1", "start")
	in := dcAcked(t, dc, id)
	r := in.Responses[0]
	if r.Type != 4 || !r.Ephemeral || r.Content != cat.Text("discord.moved_to_dm") {
		t.Errorf("/start in a server answered %+v, want the private moved-to-DM text", r)
	}
	bo.press(bo.expect("Shall we begin?"), "Yes, let's begin")
	bo.expect("Which time zone")

	// /help from the DM keeps the conversation in progress.
	bo.slash("help")
	bo.expect("We're in the middle of something")
	bo.say("Zurich")
	bo.expect("What time of day")
	if got := dc.Messages(in.ChannelID); len(got) != 0 {
		t.Errorf("the bot wrote %d messages in the server channel, want none: %+v", len(got), got)
	}

	// A command typed in the DM leaves the conversation cleanly.
	bo.say("/cancel")
	bo.expect(cat.Text("cancel.done"))

	first.stop()
	startDCBot(t, dc, cfg, db)
	again, againIDs := registered()
	if !slices.Equal(again, want) {
		t.Fatalf("after a restart registered commands = %q, want %q", again, want)
	}
	for name, id := range ids {
		if againIDs[name] != id {
			t.Errorf("after a restart /%s has ID %s, want %s (overwritten in place, not created again)", name, againIDs[name], id)
		}
	}

	bo.slash("start")
	bo.press(bo.expect("Shall we begin?"), "Yes, let's begin")
	bo.expect("Which time zone")
	bo.say("Zurich")
	bo.expect("What time of day")
	bo.say("07:15")
	bo.expect("Which days are rest days")
	bo.say("Sun")
	bo.expect("Check-in: 07:15")
}

// TestDiscordGatewayDropMidConversation drops the gateway connection between two
// answers, with answers written while the bot is away: the session resumes, and
// every answer is handled exactly once, at the right step.
func TestDiscordGatewayDropMidConversation(t *testing.T) {
	t.Parallel()
	cat := dcCatalog(t)
	dc := discordtest.NewServer(t)
	db := filepath.Join(t.TempDir(), "coachbot.db")
	startDCBot(t, dc, writeDCConfig(t, dc, nil), db)
	cy := newDCUser(t, dc, "3003")
	dcOnboard(cy)

	cy.say("/action")
	cy.expect("What would you like to try?")
	cy.say("call my sister")
	cy.expect("When will you try it?")

	dc.DropGateway()
	cy.say("tomorrow") // while the bot is away
	cy.say("3")
	cy.expect("How much energy will it cost you?")
	// Both answers came back in order after the resume, once each.
	cy.press(cy.expect("And the emotional load?"), "Medium")
	cy.expect("people around you")

	dc.DropGateway()
	cy.say("she will be glad")
	cy.expect("What will help you recover afterwards?")
	cy.say("a walk")
	cy.press(cy.expect("How carryable"), "9")
	cy.expect("Saved: call my sister")

	for _, prompt := range []string{"When will you try it?", "How much energy will it cost you?", "And the emotional load?",
		"people around you", "What will help you recover afterwards?", "How carryable", "Saved: call my sister"} {
		if got := cy.count(prompt); got != 1 {
			t.Errorf("%q was asked %d times, want once", prompt, got)
		}
	}
	for _, key := range []string{"input.choose", "input.empty", "button.expired", "error.not_saved"} {
		if got := cy.count(cat.Text(key)); got != 0 {
			t.Errorf("the bot said %s %d times, want never", key, got)
		}
	}
	if got := dc.Resumes(); got < 2 {
		t.Errorf("resumes = %d, want at least 2", got)
	}
	if got, want := dc.Identifies(), 1; got != want {
		t.Errorf("identifies = %d, want %d (the session resumes, not restarts)", got, want)
	}

	x := dcExport(t, db, cy.qualified())
	if len(x.Experiments) != 1 {
		t.Fatalf("experiments = %+v, want exactly 1", x.Experiments)
	}
	if e := x.Experiments[0]; e.Action != "call my sister" || e.When != "tomorrow" || e.Energy != 3 ||
		e.Load != "medium" || e.People != "she will be glad" || e.Recovery != "a walk" || e.Carry != 9 {
		t.Errorf("experiment = %+v", e)
	}
}

// dcTelegramUser is a person on the fake Telegram, read from a cursor like dcUser.
type dcTelegramUser struct {
	t    testing.TB
	tg   *telegramtest.Server
	chat int64
	seen int
}

func (u *dcTelegramUser) say(text string) { u.tg.SendText(u.chat, text) }

func (u *dcTelegramUser) expect(want string) telegramtest.Sent {
	u.t.Helper()
	ctx, cancel := dcWaitCtx()
	defer cancel()
	for {
		msgs := u.tg.Messages(u.chat)
		for i := u.seen; i < len(msgs); i++ {
			if strings.Contains(msgs[i].Text, want) {
				u.seen = i + 1
				return msgs[i]
			}
		}
		if _, err := u.tg.WaitMessages(ctx, u.chat, len(msgs)+1); err != nil {
			var rest strings.Builder
			for _, m := range msgs[u.seen:] {
				fmt.Fprintf(&rest, "--- %s\n", m.Text)
			}
			u.t.Fatalf("telegram chat %d: %q never arrived (%v); messages since the last match:\n%s", u.chat, want, err, rest.String())
		}
	}
}

func (u *dcTelegramUser) press(m telegramtest.Sent, label string) {
	u.t.Helper()
	for _, row := range m.Buttons {
		for _, b := range row {
			if b.Text == label {
				u.tg.Press(u.chat, m.MessageID, b.Data)
				return
			}
		}
	}
	u.t.Fatalf("no button %q under %q; buttons: %q", label, m.Text, m.Labels())
}

// dcJoinOnTelegram takes a Telegram client through /start with a coach's
// invite: the preview (which says the coach hears of danger, never the
// words), consent, London, 09:00, no rest days, and the welcome that says
// they are connected and set up in one message.
func dcJoinOnTelegram(t *testing.T, tg *telegramtest.Server, chat int64, code, coach string) *dcTelegramUser {
	t.Helper()
	u := &dcTelegramUser{t: t, tg: tg, chat: chat}
	u.say("/start " + code)
	u.press(u.expect("Shall we begin?"), "Yes, let's begin")
	preview := u.expect(coach + " invited you")
	if !strings.Contains(preview.Text, "gets a short message at once that you may be struggling, never your words") {
		t.Errorf("the invite preview does not say what the coach hears of danger:\n%s", preview.Text)
	}
	u.press(preview, "Yes")
	u.expect("Which time zone")
	u.say("London")
	u.expect("What time of day")
	u.say("09:00")
	u.expect("Which days are rest days")
	u.say("none")
	if m := u.expect("You're now connected with " + coach); !strings.Contains(m.Text, "you're set up") {
		t.Errorf("being connected and being set up come in one message; got %q", m.Text)
	}
	return u
}

// TestCrossPlatformDigest has a coach on Discord invite a client who joins on
// Telegram; the coach's /digest arrives in their Discord DM and lists the client.
func TestCrossPlatformDigest(t *testing.T) {
	t.Parallel()
	dc := discordtest.NewServer(t)
	tg := telegramtest.NewServer(t)
	db := filepath.Join(t.TempDir(), "coachbot.db")
	startDCBot(t, dc, writeDCConfig(t, dc, tg), db)

	coach := newDCUser(t, dc, "4001")
	dcBecomeCoach(coach)
	code := dcInvite(coach)

	dan := dcJoinOnTelegram(t, tg, 5005, code, "User 4001")

	// Some news, so the digest has something to say about the client.
	dan.say("/rest")
	dan.press(dan.expect("Which kind of non-action"), "Rest")
	dan.press(dan.expect("One line about it"), "Skip")
	dan.expect("a conscious rest day")

	coach.slash("digest")
	m := coach.expect("User 5005")
	if !strings.Contains(m.Content, "news from 1 client") {
		t.Errorf("the message naming the client is not a digest:\n%s", m.Content)
	}
	if x := dcExport(t, db, bot.ID(bot.Telegram, "5005")); x.Client.CoachID != coach.qualified() {
		t.Errorf("telegram client's coach = %q, want %q", x.Client.CoachID, coach.qualified())
	}
}

// TestDiscordBlockedUser has Discord refuse a client's DMs (code 50007) while the
// coach sends them a suggestion: the client is marked unreachable and the message
// is given up, not retried.
func TestDiscordBlockedUser(t *testing.T) {
	t.Parallel()
	dc := discordtest.NewServer(t)
	dbPath := filepath.Join(t.TempDir(), "coachbot.db")
	startDCBot(t, dc, writeDCConfig(t, dc, nil), dbPath)

	coach := newDCUser(t, dc, "6001")
	dcBecomeCoach(coach)
	eve := newDCUser(t, dc, "6002")
	dcOnboard(eve, dcInvite(coach))

	sends := func() int {
		n := 0
		for _, r := range dc.Requests() {
			if r == "POST /channels/"+eve.dm+"/messages" {
				n++
			}
		}
		return n
	}
	before := sends()
	dc.SetCode50007(eve.id)
	coach.slash("suggest", "User 6002", "take a short walk after lunch")
	coach.expect("Sent to User 6002")

	// The dispatcher marks the client once Discord has refused: wait for it.
	ctx, cancel := dcWaitCtx()
	defer cancel()
	db, err := storage.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for {
		var c flows.Client
		err := db.View(ctx, func(tx flows.Tx) error {
			var err error
			c, err = tx.Client(eve.qualified())
			return err
		})
		if err != nil {
			t.Fatalf("client never marked unreachable (requests to their DM: %d): %v", sends()-before, err)
		}
		if c.Unreachable {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	chat := bot.ID(bot.Discord, eve.dm)
	pending, err := db.Pending(ctx, bot.Discord, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range pending {
		if o.Reply.ChatID == chat {
			t.Errorf("a message to the blocked client is still pending (attempts %d): it would be tried again", o.Attempts)
		}
	}
	if got := sends() - before; got != 1 {
		t.Errorf("tried the blocked DM %d times, want once", got)
	}

	// The coach's own chat is unaffected, and the blocked DM was not tried again
	// while the coach was answered.
	coach.slash("clients")
	coach.expect("User 6002")
	if got := sends() - before; got != 1 {
		t.Errorf("after another exchange the blocked DM was tried %d times, want once", got)
	}
	if x := dcExport(t, dbPath, eve.qualified()); !x.Client.Unreachable {
		t.Errorf("coachbot export shows the client reachable: %+v", x.Client)
	}
}

// TestSafetyAlertReachesTheCoachsPlatform has a client on Telegram write
// words that suggest danger: the help line comes back on Telegram at once,
// and their coach on Discord gets one prompt message without the words; a
// second such message within the pause brings the help line again and no
// second alert.
func TestSafetyAlertReachesTheCoachsPlatform(t *testing.T) {
	t.Parallel()
	dc := discordtest.NewServer(t)
	tg := telegramtest.NewServer(t)
	db := filepath.Join(t.TempDir(), "coachbot.db")
	startDCBot(t, dc, writeDCConfig(t, dc, tg), db)

	coach := newDCUser(t, dc, "4101")
	dcBecomeCoach(coach)
	code := dcInvite(coach)

	eve := dcJoinOnTelegram(t, tg, 5105, code, "User 4101")

	words := "honestly i cant go on, i want to end my life"
	eve.say(words)
	eve.expect("not a crisis service")
	alert := coach.expect("may be struggling")
	if strings.Contains(alert.Content, "end my life") || strings.Contains(alert.Content, "go on") {
		t.Fatalf("the coach was sent the client's words:\n%s", alert.Content)
	}
	eve.say("i want to die")
	eve.expect("Please reach out to someone now")
	// The second help line has arrived, so a second alert would have too.
	if n := coach.count("may be struggling"); n != 1 {
		t.Fatalf("coach alerted %d times, want once", n)
	}
	x := dcExport(t, db, bot.ID(bot.Telegram, "5105"))
	if len(x.SafetyEvents) != 2 || !x.SafetyEvents[0].CoachAlerted || x.SafetyEvents[1].CoachAlerted {
		t.Fatalf("safety events = %+v", x.SafetyEvents)
	}
}
