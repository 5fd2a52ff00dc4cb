// Package webtest runs the coach's web view on a fresh database with a test
// clock, with the data a coach would have, for the web view's tests, its
// browser tests and its benchmark.
package webtest

import (
	"context"
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/coachbot/coachbot/bot"
	"github.com/coachbot/coachbot/flows"
	"github.com/coachbot/coachbot/scheduler"
	"github.com/coachbot/coachbot/storage"
	"github.com/coachbot/coachbot/web"
)

// Start is the moment the fixture's clock starts at: a Monday morning.
var Start = time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)

// Clock is a settable test clock.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// Now reads the clock.
func (c *Clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

// Add moves the clock on.
func (c *Clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// Fixture is the bot's engine and its web view on one database, the web view
// served on loopback.
type Fixture struct {
	tb     testing.TB
	DB     *storage.DB
	Engine *flows.Engine
	Web    *web.Server
	Server *httptest.Server
	Clock  *Clock
	seq    int
}

// New starts a fixture; the test's cleanup stops it.
func New(tb testing.TB) *Fixture {
	tb.Helper()
	clk := &Clock{t: Start}
	db, err := storage.Open(context.Background(), filepath.Join(tb.TempDir(), "web.db"), storage.WithClock(clk.Now))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	cats := map[string]*flows.Catalog{}
	for _, lang := range flows.Languages() {
		if cats[lang], err = flows.LoadCatalog(lang, ""); err != nil {
			tb.Fatal(err)
		}
	}
	f := &Fixture{tb: tb, DB: db, Clock: clk}
	f.Server = httptest.NewUnstartedServer(nil)
	f.Engine = flows.New(db, flows.Config{Catalog: cats["en"], Now: clk.Now, HelpLine: "Call 144.", FloodMessages: -1,
		Web: flows.WebConfig{URL: "http://" + f.Server.Listener.Addr().String(), DigestChart: web.DigestChart(cats["en"])}})
	f.Web, err = web.New(web.Config{Views: f.Engine, Catalogs: cats, Language: "en"})
	if err != nil {
		tb.Fatal(err)
	}
	f.Server.Config.Handler = f.Web.Handler()
	f.Server.Start()
	tb.Cleanup(f.Server.Close)
	return f
}

// URL is where the web view is served.
func (f *Fixture) URL() string { return f.Server.URL }

// Update runs fn in one transaction, failing the test on an error.
func (f *Fixture) Update(fn func(tx flows.Tx) error) {
	f.tb.Helper()
	if err := f.DB.Update(context.Background(), fn); err != nil {
		f.tb.Fatal(err)
	}
}

// Coach makes a coach.
func (f *Fixture) Coach(id, name string) {
	f.tb.Helper()
	f.Update(func(tx flows.Tx) error {
		return tx.SaveCoach(flows.Coach{ID: id, ChatID: id, Name: name, Zone: scheduler.MustZone("Europe/Zurich"), DigestAt: scheduler.Clock{Hour: 18},
			DigestWeekday: time.Monday, CreatedAt: f.Clock.Now()})
	})
}

// Client makes a consented client of a coach, joined four weeks ago.
func (f *Fixture) Client(id, coachID, name string) flows.Client {
	f.tb.Helper()
	c := flows.Client{ID: id, ChatID: id, Name: name, Consented: true, Zone: scheduler.MustZone("Europe/Zurich"), CheckIn: scheduler.Clock{Hour: 9},
		RestDays: 0, Cadence: scheduler.Cadence{}, CoachID: coachID, CreatedAt: f.Clock.Now().AddDate(0, 0, -28),
		UpdatedAt: f.Clock.Now(), LastSeen: f.Clock.Now().Add(-time.Hour)}
	f.Update(func(tx flows.Tx) error { return tx.SaveClient(c) })
	return c
}

// Experiment adds a running experiment, begun days ago, and returns its ID.
func (f *Fixture) Experiment(clientID, action string, daysAgo int) int64 {
	f.tb.Helper()
	var id int64
	at := f.Clock.Now().AddDate(0, 0, -daysAgo)
	f.Update(func(tx flows.Tx) (err error) {
		id, err = tx.AddExperiment(flows.Experiment{ClientID: clientID, Kind: flows.KindAction, Action: action,
			Why: "feel steadier at work", Energy: 2, Carry: 8, Status: flows.StatusRunning, CreatedAt: at, UpdatedAt: at})
		return err
	})
	return id
}

// CheckIn adds a check-in days ago.
func (f *Fixture) CheckIn(ci flows.CheckIn, daysAgo int) {
	f.tb.Helper()
	ci.At = f.Clock.Now().AddDate(0, 0, -daysAgo)
	f.Update(func(tx flows.Tx) error { _, err := tx.AddCheckIn(ci); return err })
}

// Year gives a coach n clients, each with an experiment in three versions
// and a check-in nearly every day for a year, a self-assessment every four
// weeks, a note to bring and a suggestion; every fifth check-in is private.
func (f *Fixture) Year(coachID string, n int) {
	f.tb.Helper()
	now := f.Clock.Now()
	outcomes := []string{"done", "partly", "adapted", "not_yet"}
	challenges := []string{"easy", "right", "right", "hard"}
	for i := range n {
		id := fmt.Sprintf("telegram:%d", 1000+i)
		c := f.Client(id, coachID, fmt.Sprintf("Client %03d", i))
		c.NextSession = now.AddDate(0, 0, 1+i%14)
		c.LastSession = now.AddDate(0, 0, -13+i%7)
		c.CreatedAt = now.AddDate(-1, 0, -1)
		f.Update(func(tx flows.Tx) error {
			if err := tx.SaveClient(c); err != nil {
				return err
			}
			prev := int64(0)
			var ids []int64
			for v, action := range []string{"Say one sentence in the team meeting", "Ask one question in the meeting", "Share one idea in the meeting"} {
				at := now.AddDate(0, -12+4*v, 0)
				status := flows.StatusClosed
				if v == 2 {
					status = flows.StatusRunning
				}
				id, err := tx.AddExperiment(flows.Experiment{ClientID: id, Kind: flows.KindAction, Action: action, Why: "be heard at work",
					Energy: 2, Carry: 8, Status: status, PreviousID: prev, CreatedAt: at, UpdatedAt: at.AddDate(0, 4, 0)})
				if err != nil {
					return err
				}
				prev = id
				ids = append(ids, id)
			}
			for d := 365; d >= 1; d-- {
				if (d+i)%7 == 6 {
					continue // a day off
				}
				v := min((365-d)/122, 2)
				ci := flows.CheckIn{ClientID: id, ExperimentID: ids[v], Outcome: outcomes[(d+i)%4], Energy: 1 + (d*7+i)%5,
					Noticed: fmt.Sprintf("Day %d: I noticed the room listened when I spoke slowly.", d), Obstacle: "a late train",
					Challenge: challenges[(d+i)%4], Next: "keep", Private: d%5 == 0, At: now.AddDate(0, 0, -d).Add(time.Duration(i) * time.Minute)}
				if _, err := tx.AddCheckIn(ci); err != nil {
					return err
				}
			}
			for w := 0; w < 52; w += 4 {
				if _, err := tx.AddAssessment(flows.Assessment{ClientID: id, Skill: "speaking up", Stage: 1 + w/16, At: now.AddDate(0, 0, -364+7*w)}); err != nil {
					return err
				}
			}
			if _, err := tx.AddSessionNote(flows.SessionNote{ClientID: id, Text: "How to keep going when the team is loud", At: now.AddDate(0, 0, -1)}); err != nil {
				return err
			}
			_, err := tx.AddSuggestion(flows.Suggestion{CoachID: coachID, ClientID: id, Text: "Take a breath before speaking",
				Status: "declined", At: now.AddDate(0, 0, -20), AnsweredAt: now.AddDate(0, 0, -19)})
			return err
		})
	}
}

var linkRe = regexp.MustCompile(`https?://\S+/login/\S+`)

// Link asks the bot for a /dashboard link as the coach and returns it.
func (f *Fixture) Link(coachID string) string {
	f.tb.Helper()
	text := f.Say(coachID, "/dashboard")
	link := linkRe.FindString(text)
	if link == "" {
		f.tb.Fatalf("/dashboard answered %q, want a link", text)
	}
	return link
}

// Say sends text to the bot as a user and returns the replies' text.
func (f *Fixture) Say(userID, text string) string {
	f.tb.Helper()
	f.seq++
	ctx := context.Background()
	m := bot.Message{UpdateID: fmt.Sprintf("web-%d", f.seq), ChatID: userID, UserID: userID, Text: text, At: f.Clock.Now()}
	if err := f.Engine.Handle(ctx, m); err != nil {
		f.tb.Fatal(err)
	}
	p, _, _ := bot.SplitID(userID)
	rows, err := f.DB.Pending(ctx, p, 1000)
	if err != nil {
		f.tb.Fatal(err)
	}
	var out string
	for _, r := range rows {
		if err := f.DB.MarkSent(ctx, r.ID, f.Clock.Now()); err != nil {
			f.tb.Fatal(err)
		}
		if r.Reply.ChatID == userID {
			out += r.Reply.Text + "\n"
		}
	}
	return out
}
