package web_test

import (
	"context"
	"io"
	"net/http"
	"testing"

	"github.com/coachbot/coachbot/flows"
	"github.com/coachbot/coachbot/web/webtest"
)

// yearCoach is a coach with 100 clients and a year of check-ins each, signed
// in.
func yearCoach(tb testing.TB) (*webtest.Fixture, *http.Cookie) {
	f := webtest.New(tb)
	f.Coach("telegram:1", "Ana")
	f.Year("telegram:1", 100)
	link := f.Link("telegram:1")
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.Post(f.URL()+link[len(f.URL()):], "", nil)
	if err != nil {
		tb.Fatal(err)
	}
	res.Body.Close()
	for _, ck := range res.Cookies() {
		if ck.Name == "coachbot_session" {
			return f, ck
		}
	}
	tb.Fatal("no session cookie")
	return nil, nil
}

func get(tb testing.TB, f *webtest.Fixture, cookie *http.Cookie, path string) []byte {
	req, _ := http.NewRequest("GET", f.URL()+path, nil)
	req.AddCookie(cookie)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		tb.Fatalf("GET %s: %d", path, res.StatusCode)
	}
	return body
}

// TestPageSizes holds every page of a busy coach under 100 KB.
func TestPageSizes(t *testing.T) {
	if testing.Short() || raceOn {
		t.Skip("seeds a year of check-ins for 100 clients")
	}
	f, cookie := yearCoach(t)
	for _, p := range []string{"/", "/clients/telegram:1000", "/clients/telegram:1000/brief"} {
		n := len(get(t, f, cookie, p))
		t.Logf("%s: %d bytes", p, n)
		if n > 100<<10 {
			t.Errorf("%s is %d bytes, want under 100 KB", p, n)
		}
	}
}

// BenchmarkOverview renders the overview of a coach with 100 clients and a
// year of check-ins each, through HTTP, as a browser asks for it.
func BenchmarkOverview(b *testing.B) {
	f, cookie := yearCoach(b)
	b.ResetTimer()
	for b.Loop() {
		get(b, f, cookie, "/")
	}
}

// BenchmarkOverviewRead is the overview's read alone: every client's view.
func BenchmarkOverviewRead(b *testing.B) {
	f, _ := yearCoach(b)
	var o flows.CoachOverview
	for b.Loop() {
		var err error
		if o, err = f.Engine.CoachOverview(context.Background(), "telegram:1"); err != nil {
			b.Fatal(err)
		}
	}
	if len(o.Clients) != 100 {
		b.Fatalf("%d clients, want 100", len(o.Clients))
	}
}

// BenchmarkClientPage renders one client's page with a year of check-ins.
func BenchmarkClientPage(b *testing.B) {
	f, cookie := yearCoach(b)
	for b.Loop() {
		get(b, f, cookie, "/clients/telegram:1000")
	}
}
