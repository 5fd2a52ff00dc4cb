// Package browsertest drives the coach's web view in headless Chromium: open
// the link the bot sends, land on the overview, follow a client, see the
// charts drawn with no console error, and print the brief on one page. It
// skips when no Chromium is installed, so the rest of the suite runs without
// a browser.
package browsertest

import (
	"context"
	"fmt"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/coachbot/coachbot/flows"
	"github.com/coachbot/coachbot/web/webtest"
)

// chromium finds a Chromium to drive, or skips the test.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("no Chromium found (Debian: apt-get install chromium)")
	return ""
}

// browse starts a headless Chromium for the test and collects every console
// error, uncaught exception and browser log error (a CSP violation is one).
func browse(t *testing.T) (context.Context, func() []string) {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium(t)), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-quic", true), chromedp.UserDataDir(t.TempDir()))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	var mu sync.Mutex
	var errs []string
	if err := chromedp.Listen(ctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch ev := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError {
				errs = append(errs, fmt.Sprintf("console.error %v", ev.Args))
			}
		case *runtime.EventExceptionThrown:
			errs = append(errs, "exception "+ev.ExceptionDetails.Text)
		case *log.EventEntryAdded:
			if ev.Entry.Level == log.EntryLevelError {
				errs = append(errs, fmt.Sprintf("log %s: %s (%s)", ev.Entry.Source, ev.Entry.Text, ev.Entry.URL))
			}
		}
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, log.Enable, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, runtime.Enable, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	return ctx, func() []string { mu.Lock(); defer mu.Unlock(); return append([]string(nil), errs...) }
}

const marker = "PRIVATE-MARKER-b41c"

// run runs one action for its value, failing the test on an error.
func run[T any](t *testing.T, ctx context.Context, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestCoachOpensTheWebView(t *testing.T) {
	f := webtest.New(t)
	f.Coach("telegram:1", "Ana")
	f.Client("telegram:10", "telegram:1", "Ben")
	f.Client("telegram:11", "telegram:1", "Cleo")
	x := f.Experiment("telegram:10", "Speak first in the stand-up", 20)
	for d := 18; d >= 1; d-- {
		f.CheckIn(flows.CheckIn{ClientID: "telegram:10", ExperimentID: x, Outcome: "done", Noticed: fmt.Sprintf("noticed on day %d", d),
			Energy: 1 + d%5, Challenge: []string{"easy", "right", "hard"}[d%3], Private: d == 4}, d)
	}
	f.CheckIn(flows.CheckIn{ClientID: "telegram:10", ExperimentID: x, Outcome: "partly", Noticed: marker, Obstacle: marker,
		Energy: 5, Challenge: "hard", Private: true}, 0)
	f.Update(func(tx flows.Tx) error {
		c, err := tx.Client("telegram:10")
		if err != nil {
			return err
		}
		c.NextSession = f.Clock.Now().Add(26 * time.Hour)
		return tx.SaveClient(c)
	})
	ctx, errors := browse(t)
	link := f.Link("telegram:1")

	var html, location string
	var sparks, charts int
	t.Run("LinkLandsOnOverview", func(t *testing.T) {
		err := chromedp.Do(ctx,
			chromedp.Navigate(link),
			chromedp.WaitVisible(chromedp.CSS(`form button`)),
			chromedp.Click(chromedp.CSS(`form button`)),
			chromedp.WaitVisible(chromedp.CSS(`table.overview`)),
		)
		if err != nil {
			t.Fatal(err)
		}
		location = run(t, ctx, chromedp.Location())
		html = run(t, ctx, chromedp.OuterHTML(chromedp.CSS(`html`)))
		sparks = run(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll('table.overview svg.spark').length`))
		if location != f.URL()+"/" || !strings.Contains(html, "Ben") || !strings.Contains(html, "Cleo") {
			t.Errorf("after the link: at %s\n%s", location, html)
		}
		if sparks != 2 {
			t.Errorf("%d sparklines, want one per client (2)", sparks)
		}
	})
	t.Run("ClientShowsCharts", func(t *testing.T) {
		var drawn int
		err := chromedp.Do(ctx,
			chromedp.Click(`//a[text()="Ben"]`),
			chromedp.WaitVisible(chromedp.CSS(`svg.chart`)),
		)
		if err != nil {
			t.Fatal(err)
		}
		charts = run(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll('svg.chart').length`))
		// Drawn means lines with a size on the screen, not just elements.
		drawn = run(t, ctx, chromedp.Evaluate[int](`[...document.querySelectorAll('svg.chart path')].filter(p => p.getBBox().width > 0).length`))
		html = run(t, ctx, chromedp.OuterHTML(chromedp.CSS(`html`)))
		if charts != 2 || drawn < 4 {
			t.Errorf("%d charts with %d drawn paths, want 2 charts with lines", charts, drawn)
		}
		if !strings.Contains(html, "noticed on day 3") || !strings.Contains(html, "2 check-ins kept private") {
			t.Errorf("client page lacks a shared check-in or the private count")
		}
		if strings.Contains(html, marker) || strings.Contains(html, "noticed on day 4") {
			t.Error("a private check-in's words reached the page")
		}
	})
	t.Run("BriefPrintsOnOnePage", func(t *testing.T) {
		err := chromedp.Do(ctx,
			chromedp.Click(`//a[contains(@href, "/brief")]`),
			chromedp.WaitVisible(chromedp.CSS(`article.brief`)),
		)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
			t.Fatal(err)
		}
		bar := run(t, ctx, chromedp.Evaluate[string](`getComputedStyle(document.querySelector('header.bar')).display`))
		res, err := chromedp.Call(ctx, page.PrintToPDF, page.PrintToPDFParams{})
		if err != nil {
			t.Fatal(err)
		}
		pdf := res.Data
		html = run(t, ctx, chromedp.OuterHTML(chromedp.CSS(`html`)))
		if bar != "none" {
			t.Errorf("printing shows the navigation bar (display %q)", bar)
		}
		if n := len(regexp.MustCompile(`/Type\s*/Page[^s]`).FindAll(pdf, -1)); n != 1 {
			t.Errorf("the brief prints on %d pages, want 1", n)
		}
		if strings.Contains(html, marker) {
			t.Error("a private check-in's words reached the brief")
		}
	})
	if errs := errors(); len(errs) > 0 {
		t.Errorf("the browser reported errors:\n%s", strings.Join(errs, "\n"))
	}
}

// TestNoCookie shows a browser without a session the way in: ask the bot.
func TestNoCookie(t *testing.T) {
	f := webtest.New(t)
	ctx, errors := browse(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(f.URL()+"/")); err != nil {
		t.Fatal(err)
	}
	text := run(t, ctx, chromedp.Text(chromedp.CSS(`h1`)))
	if !strings.Contains(text, "/dashboard") {
		t.Errorf("without a session the page says %q, want the way in", text)
	}
	// The 401 itself is logged as a failed load; nothing else may be.
	for _, e := range errors() {
		if !strings.Contains(e, "401") {
			t.Errorf("browser error: %s", e)
		}
	}
}
