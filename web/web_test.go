package web_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coachbot/coachbot/flows"
	"github.com/coachbot/coachbot/web/webtest"
)

// browser is a client that keeps cookies and does not follow redirects, so
// each step of a login can be looked at.
type browser struct {
	t      *testing.T
	f      *webtest.Fixture
	c      *http.Client
	cookie *http.Cookie
}

func newBrowser(t *testing.T, f *webtest.Fixture) *browser {
	return &browser{t: t, f: f, c: &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// do sends a request and returns the status, the body and the response.
func (b *browser) do(method, path string) (int, string, *http.Response) {
	b.t.Helper()
	if u, err := url.Parse(path); err == nil && u.IsAbs() {
		path = u.Path
	}
	req, err := http.NewRequest(method, b.f.URL()+path, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	if b.cookie != nil {
		req.AddCookie(b.cookie)
	}
	res, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	for _, c := range res.Cookies() {
		if c.Name == "coachbot_session" {
			b.cookie = c
		}
	}
	return res.StatusCode, string(body), res
}

// login opens a fresh /dashboard link of the coach.
func (b *browser) login(coachID string) {
	b.t.Helper()
	link := b.f.Link(coachID)
	if code, body, _ := b.do("GET", link); code != http.StatusOK || !strings.Contains(body, "<form") {
		b.t.Fatalf("GET link: %d %s", code, body)
	}
	code, _, res := b.do("POST", link)
	if code != http.StatusSeeOther || res.Header.Get("Location") != "/" {
		b.t.Fatalf("POST link: got %d to %q, want 303 to /", code, res.Header.Get("Location"))
	}
}

const marker = "PRIVATE-MARKER-7f3a"

// twoCoaches is ana's coach "telegram:1" with clients Ben and Cleo, and
// another coach "telegram:2" with Dora. Ben has a shared and a private
// check-in; the private one carries the marker.
func twoCoaches(t *testing.T) *webtest.Fixture {
	f := webtest.New(t)
	f.Coach("telegram:1", "Ana")
	f.Coach("telegram:2", "Zoe")
	f.Client("telegram:10", "telegram:1", "Ben")
	f.Client("telegram:11", "telegram:1", "Cleo")
	f.Client("telegram:20", "telegram:2", "Dora")
	x := f.Experiment("telegram:10", "Speak first in the stand-up", 10)
	f.CheckIn(flows.CheckIn{ClientID: "telegram:10", ExperimentID: x, Outcome: "done", Noticed: "shared-noticed-words",
		Energy: 2, Challenge: "right"}, 3)
	f.CheckIn(flows.CheckIn{ClientID: "telegram:10", ExperimentID: x, Outcome: "partly", Noticed: marker + " noticed",
		Obstacle: marker + " obstacle", Energy: 5, Challenge: "hard", Private: true}, 1)
	f.Update(func(tx flows.Tx) error {
		_, err := tx.AddSessionNote(flows.SessionNote{ClientID: "telegram:10", Text: marker + " note", Private: true, At: f.Clock.Now()})
		return err
	})
	return f
}

func TestLogin(t *testing.T) {
	t.Parallel()
	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		f := twoCoaches(t)
		b := newBrowser(t, f)
		b.login("telegram:1")
		c := b.cookie
		if c == nil || !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.MaxAge != 12*3600 {
			t.Fatalf("session cookie %+v, want HttpOnly, SameSite=Strict, 12h", c)
		}
		code, body, res := b.do("GET", "/")
		if code != http.StatusOK || !strings.Contains(body, "Ben") || !strings.Contains(body, "Cleo") {
			t.Fatalf("overview: %d\n%s", code, body)
		}
		if strings.Contains(body, "Dora") {
			t.Error("overview shows another coach's client")
		}
		for h, want := range map[string]string{
			"Content-Security-Policy": "default-src 'none'; style-src 'self'",
			"X-Content-Type-Options":  "nosniff",
			"Referrer-Policy":         "no-referrer",
			"X-Frame-Options":         "DENY",
			"Cache-Control":           "no-store",
		} {
			if got := res.Header.Get(h); !strings.HasPrefix(got, want) {
				t.Errorf("%s: got %q, want %q", h, got, want)
			}
		}
		if strings.Contains(body, "<script") || strings.Contains(body, "style=") {
			t.Error("page has a script or an inline style")
		}
	})
	t.Run("ErrUsedLink", func(t *testing.T) {
		t.Parallel()
		f := twoCoaches(t)
		link := f.Link("telegram:1")
		b := newBrowser(t, f)
		b.do("POST", link)
		other := newBrowser(t, f)
		for _, method := range []string{"GET", "POST"} {
			code, body, _ := other.do(method, link)
			if code != http.StatusGone || !strings.Contains(body, "/dashboard") || other.cookie != nil {
				t.Errorf("%s a used link: %d, cookie %v\n%s", method, code, other.cookie, body)
			}
		}
	})
	t.Run("ErrExpiredLink", func(t *testing.T) {
		t.Parallel()
		f := twoCoaches(t)
		link := f.Link("telegram:1")
		f.Clock.Add(flows.WebLinkTTL + time.Second)
		b := newBrowser(t, f)
		code, body, _ := b.do("POST", link)
		if code != http.StatusGone || b.cookie != nil || !strings.Contains(body, "expired") {
			t.Errorf("an expired link: %d\n%s", code, body)
		}
	})
	t.Run("ErrUnknownLink", func(t *testing.T) {
		t.Parallel()
		f := twoCoaches(t)
		b := newBrowser(t, f)
		if code, _, _ := b.do("POST", "/login/AAAAAAAAAAAAAAAAAAAAAAAAAA"); code != http.StatusGone || b.cookie != nil {
			t.Errorf("a made-up link: %d", code)
		}
	})
	t.Run("ErrNoCookie", func(t *testing.T) {
		t.Parallel()
		f := twoCoaches(t)
		for _, path := range []string{"/", "/clients/telegram:10", "/clients/telegram:10/brief"} {
			code, body, _ := newBrowser(t, f).do("GET", path)
			if code != http.StatusUnauthorized || !strings.Contains(body, "send /dashboard to the bot") || strings.Contains(body, "Ben") {
				t.Errorf("GET %s without a cookie: %d\n%s", path, code, body)
			}
		}
	})
	t.Run("ErrForgedCookie", func(t *testing.T) {
		t.Parallel()
		f := twoCoaches(t)
		b := newBrowser(t, f)
		b.cookie = &http.Cookie{Name: "coachbot_session", Value: "MZXW6YTBOI2DAMBQGAYDAMBQGA"}
		code, body, _ := b.do("GET", "/")
		if code != http.StatusUnauthorized || strings.Contains(body, "Ben") {
			t.Errorf("a forged cookie: %d\n%s", code, body)
		}
		// A link's own token is no session.
		link := f.Link("telegram:1")
		b.cookie = &http.Cookie{Name: "coachbot_session", Value: link[strings.LastIndex(link, "/")+1:]}
		if code, _, _ := b.do("GET", "/"); code != http.StatusUnauthorized {
			t.Errorf("a link's token as the cookie: %d, want 401", code)
		}
	})
	t.Run("ErrSessionExpired", func(t *testing.T) {
		t.Parallel()
		f := twoCoaches(t)
		b := newBrowser(t, f)
		b.login("telegram:1")
		f.Clock.Add(12*time.Hour + time.Second)
		if code, _, _ := b.do("GET", "/"); code != http.StatusUnauthorized {
			t.Errorf("after 12h: %d, want 401", code)
		}
	})
	t.Run("DashboardOff", func(t *testing.T) {
		t.Parallel()
		f := twoCoaches(t)
		b := newBrowser(t, f)
		b.login("telegram:1")
		if text := f.Say("telegram:1", "/dashboard off"); !strings.Contains(text, "1 open") {
			t.Errorf("/dashboard off said %q", text)
		}
		if code, _, _ := b.do("GET", "/"); code != http.StatusUnauthorized {
			t.Errorf("after /dashboard off: %d, want 401", code)
		}
	})
	t.Run("SignOut", func(t *testing.T) {
		t.Parallel()
		f := twoCoaches(t)
		b := newBrowser(t, f)
		b.login("telegram:1")
		kept := b.cookie
		if code, _, _ := b.do("POST", "/logout"); code != http.StatusOK {
			t.Fatalf("sign out: %d", code)
		}
		b.cookie = kept
		if code, _, _ := b.do("GET", "/"); code != http.StatusUnauthorized {
			t.Errorf("the old cookie after signing out: %d, want 401", code)
		}
	})
	t.Run("ErrNotACoach", func(t *testing.T) {
		t.Parallel()
		f := twoCoaches(t)
		if text := f.Say("telegram:10", "/dashboard"); strings.Contains(text, "/login/") {
			t.Errorf("a client got a link: %q", text)
		}
	})
	t.Run("ErrTooManyTries", func(t *testing.T) {
		t.Parallel()
		f := twoCoaches(t)
		b := newBrowser(t, f)
		limited := false
		for range 30 {
			if code, _, _ := b.do("GET", "/login/AAAA"); code == http.StatusTooManyRequests {
				limited = true
				break
			}
		}
		if !limited {
			t.Error("30 tries at the login in a row were never limited")
		}
	})
}

func TestPrivacy(t *testing.T) {
	t.Parallel()
	f := twoCoaches(t)
	b := newBrowser(t, f)
	b.login("telegram:1")
	pages := []string{"/", "/clients/telegram:10", "/clients/telegram:10/brief", "/clients/telegram:11", "/clients/telegram:11/brief"}
	t.Run("PrivateNeverInHTML", func(t *testing.T) {
		for _, p := range pages {
			code, body, _ := b.do("GET", p)
			if code != http.StatusOK {
				t.Fatalf("GET %s: %d", p, code)
			}
			if strings.Contains(body, marker) || strings.Contains(body, "PRIVATE-MARKER") {
				t.Errorf("GET %s shows a private check-in's words", p)
			}
		}
		_, body, _ := b.do("GET", "/clients/telegram:10")
		if !strings.Contains(body, "shared-noticed-words") || !strings.Contains(body, "1 check-ins kept private") {
			t.Errorf("client page lacks the shared check-in or the private count:\n%s", body)
		}
	})
	t.Run("ErrOtherCoachesClient", func(t *testing.T) {
		for _, p := range []string{"/clients/telegram:20", "/clients/telegram:20/brief", "/clients/telegram:99"} {
			code, body, _ := b.do("GET", p)
			if code != http.StatusNotFound || strings.Contains(body, "Dora") {
				t.Errorf("GET %s: %d, want 404\n%s", p, code, body)
			}
		}
	})
	t.Run("LeftCoachDisappears", func(t *testing.T) {
		f.Update(func(tx flows.Tx) error {
			c, err := tx.Client("telegram:11")
			if err != nil {
				return err
			}
			c.CoachID = ""
			return tx.SaveClient(c)
		})
		if _, body, _ := b.do("GET", "/"); strings.Contains(body, "Cleo") {
			t.Error("a client who left still shows in the overview")
		}
		if code, _, _ := b.do("GET", "/clients/telegram:11"); code != http.StatusNotFound {
			t.Errorf("a client who left: %d, want 404", code)
		}
	})
	t.Run("ForgottenIsGone", func(t *testing.T) {
		f.Update(func(tx flows.Tx) error { return tx.Forget("telegram:10") })
		if _, body, _ := b.do("GET", "/"); strings.Contains(body, "Ben") {
			t.Error("a forgotten client still shows in the overview")
		}
		for _, p := range []string{"/clients/telegram:10", "/clients/telegram:10/brief"} {
			if code, _, _ := b.do("GET", p); code != http.StatusNotFound {
				t.Errorf("GET %s of a forgotten client: %d, want 404", p, code)
			}
		}
	})
}

func TestPages(t *testing.T) {
	t.Parallel()
	f := twoCoaches(t)
	b := newBrowser(t, f)
	b.login("telegram:1")
	_, body, _ := b.do("GET", "/clients/telegram:10")
	for _, want := range []string{"<h1>Ben", "Speak first in the stand-up", "<svg class=\"chart\"", "<title>", "<th scope=\"col\">"} {
		if !strings.Contains(body, want) {
			t.Errorf("client page lacks %q", want)
		}
	}
	if strings.Contains(body, "[web.") || strings.Contains(body, "{count}") {
		t.Error("client page shows a missing catalog key or placeholder")
	}
	code, css, res := b.do("GET", "/assets/style.css")
	if code != http.StatusOK || !strings.Contains(css, "prefers-color-scheme: dark") || !strings.Contains(res.Header.Get("Content-Type"), "text/css") {
		t.Errorf("stylesheet: %d %s", code, res.Header.Get("Content-Type"))
	}
}

func TestDigestChart(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ lang, line string }{{"", "Ben: check-ins"}, {"de", "Ben: Check-ins"}} {
		t.Run("Language"+tc.lang, func(t *testing.T) { testDigestChart(t, tc.lang, tc.line) })
	}
}

// testDigestChart sends a weekly digest to a coach speaking lang and checks
// its chart and the chart's words.
func testDigestChart(t *testing.T, lang, line string) {
	f := twoCoaches(t)
	f.Update(func(tx flows.Tx) error {
		c, err := tx.Coach("telegram:1")
		if err != nil {
			return err
		}
		c.DigestWeekly, c.Language = true, lang
		return tx.SaveCoach(c)
	})
	at := f.Clock.Now().Add(time.Hour)
	f.Update(func(tx flows.Tx) error {
		_, err := tx.AddDue(flows.Due{RecipientID: "telegram:1", Kind: flows.DueDigest, Date: at.Format(time.DateOnly), At: at, Status: flows.DuePending})
		return err
	})
	f.Clock.Add(time.Hour)
	if _, err := f.Engine.Sweep(context.Background()); err != nil {
		t.Fatal(err)
	}
	rows, err := f.DB.Pending(context.Background(), "telegram", 100)
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, r := range rows {
		if d := r.Reply.Document; d != nil && strings.HasSuffix(d.Name, ".png") {
			found = true
			if len(d.Content) < 1000 || string(d.Content[1:4]) != "PNG" {
				t.Errorf("digest chart is not a PNG (%d bytes)", len(d.Content))
			}
			if !strings.Contains(r.Reply.Text, line) {
				t.Errorf("digest chart's text alternative: %q", r.Reply.Text)
			}
		}
	}
	if !found {
		t.Error("no chart went with the weekly digest")
	}
}
