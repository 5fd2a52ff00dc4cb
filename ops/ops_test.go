package ops

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coachbot/coachbot/bot"
)

func get(tb testing.TB, h http.Handler, path string) (int, string) {
	tb.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequestWithContext(tb.Context(), http.MethodGet, path, nil))
	return rec.Code, rec.Body.String()
}

func TestHealthz(t *testing.T) {
	s := NewServer(nil, nil)
	code, body := get(t, s.Handler(), "/healthz")
	if code != http.StatusOK || body != "ok\n" {
		t.Errorf("got %d %q, want 200 ok", code, body)
	}
	if code, _ := get(t, s.Handler(), "/metrics"); code != http.StatusNotFound {
		t.Errorf("/metrics without metrics: got %d, want 404", code)
	}
}

func TestReadyz(t *testing.T) {
	var dbErr error
	s := NewServer(nil, nil)
	s.Check("database", CheckerFunc(func(context.Context) error { return dbErr }))
	s.Check("telegram", CheckerFunc(func(context.Context) error { return nil }))

	tests := []struct {
		name     string
		prepare  func()
		code     int
		contains []string
	}{
		{"Starting", func() {}, http.StatusServiceUnavailable, []string{"starting"}},
		{"OK", s.Started, http.StatusOK, []string{"database: ok", "telegram: ok"}},
		{"DatabaseReadOnly", func() { dbErr = errors.New("write check: cannot be written:\n attempt to write a readonly database") },
			http.StatusServiceUnavailable, []string{"database: write check: cannot be written: attempt to write a readonly database", "telegram: ok"}},
		{"Recovered", func() { dbErr = nil }, http.StatusOK, []string{"database: ok"}},
		{"Stopping", s.Stopping, http.StatusServiceUnavailable, []string{"stopping"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.prepare()
			code, body := get(t, s.Handler(), "/readyz")
			if code != tt.code {
				t.Errorf("got %d, want %d; body %q", code, tt.code, body)
			}
			for _, c := range tt.contains {
				if !strings.Contains(body, c) {
					t.Errorf("body %q lacks %q", body, c)
				}
			}
		})
	}
}

func TestReadyzCheckHangs(t *testing.T) {
	s := NewServer(nil, nil)
	s.Check("discord", CheckerFunc(func(context.Context) error { select {} }))
	s.Started()
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	lines, ok := s.Report(ctx)
	if ok || len(lines) != 1 || lines[0] != "discord: no answer in time" {
		t.Errorf("got %q, %v; want discord not answering", lines, ok)
	}
	if took := time.Since(start); took > time.Second {
		t.Errorf("a hanging check held the answer for %v", took)
	}
}

// fakeSender fails with the errors it is given, in turn, then succeeds.
type fakeSender struct{ errs []error }

func (f *fakeSender) Send(context.Context, bot.Reply) error {
	if len(f.errs) == 0 {
		return nil
	}
	err := f.errs[0]
	f.errs = f.errs[1:]
	return err
}

// sample is one line of an exposition: a metric, its labels and its value.
type sample struct {
	name   string
	labels map[string]string
	value  float64
	family string // named by the last TYPE line before it
}

// exposition is one scrape of /metrics, read as the Prometheus text format:
// its samples in order, each family's TYPE, and each family's HELP text.
type exposition struct {
	samples []sample
	types   map[string]string
	help    map[string]string
}

// scrape gets /metrics from m's server and reads it, failing tb on a line
// that is not the text format.
func scrape(tb testing.TB, m *Metrics) exposition {
	tb.Helper()
	rec := httptest.NewRecorder()
	NewServer(m, nil).Handler().ServeHTTP(rec, httptest.NewRequestWithContext(tb.Context(), http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		tb.Fatalf("/metrics: got %d, want 200", rec.Code)
	}
	if got, want := rec.Header().Get("Content-Type"), "text/plain; version=0.0.4; charset=utf-8"; got != want {
		tb.Errorf("/metrics Content-Type: got %q, want %q", got, want)
	}
	return parseExposition(tb, rec.Body.String())
}

// parseExposition reads body as the Prometheus text format (version 0.0.4).
func parseExposition(tb testing.TB, body string) exposition {
	tb.Helper()
	e := exposition{types: map[string]string{}, help: map[string]string{}}
	family := ""
	if !strings.HasSuffix(body, "\n") {
		tb.Fatalf("exposition does not end with a line break")
	}
	for i, line := range strings.Split(strings.TrimSuffix(body, "\n"), "\n") {
		fail := func(why string) { tb.Fatalf("line %d %q: %s", i+1, line, why) }
		if rest, ok := strings.CutPrefix(line, "# HELP "); ok {
			name, text, _ := strings.Cut(rest, " ")
			if _, dup := e.help[name]; dup {
				fail("a second HELP for the family")
			}
			e.help[name] = text
			continue
		}
		if rest, ok := strings.CutPrefix(line, "# TYPE "); ok {
			name, typ, _ := strings.Cut(rest, " ")
			switch typ {
			case "counter", "gauge", "histogram", "summary", "untyped":
			default:
				fail("unknown type")
			}
			if _, dup := e.types[name]; dup {
				fail("a second TYPE for the family")
			}
			e.types[name] = typ
			family = name
			continue
		}
		if line == "" || strings.HasPrefix(line, "#") {
			fail("an empty line or a comment")
		}
		s, err := parseSample(line)
		if err != nil {
			fail(err.Error())
		}
		s.family = family
		e.samples = append(e.samples, s)
	}
	return e
}

// parseSample reads one sample line: name{label="value",...} value.
func parseSample(line string) (sample, error) {
	s := sample{labels: map[string]string{}}
	end := strings.IndexAny(line, "{ ")
	if end <= 0 {
		return s, errors.New("no metric name")
	}
	s.name, line = line[:end], line[end:]
	if rest, ok := strings.CutPrefix(line, "{"); ok {
		for {
			rest = strings.TrimLeft(rest, " ")
			if r, ok := strings.CutPrefix(rest, "}"); ok {
				line = r
				break
			}
			name, r, ok := strings.Cut(rest, `="`)
			if !ok || name == "" {
				return s, errors.New("a label without =\"")
			}
			var v strings.Builder
			for {
				if r == "" {
					return s, errors.New("a label value without its closing quote")
				}
				c := r[0]
				r = r[1:]
				if c == '"' {
					break
				}
				if c == '\\' && r != "" {
					switch r[0] {
					case 'n':
						c = '\n'
					case '\\', '"':
						c = r[0]
					default:
						return s, fmt.Errorf("escape \\%c in a label value", r[0])
					}
					r = r[1:]
				}
				v.WriteByte(c)
			}
			if _, dup := s.labels[name]; dup {
				return s, fmt.Errorf("label %s twice", name)
			}
			s.labels[name] = v.String()
			rest, _ = strings.CutPrefix(r, ",")
		}
	}
	value, ok := strings.CutPrefix(line, " ")
	if !ok {
		return s, errors.New("no space before the value")
	}
	f, err := strconv.ParseFloat(value, 64)
	if err != nil {
		return s, fmt.Errorf("value: %w", err)
	}
	s.value = f
	return s, nil
}

// value returns the value of the sample name with exactly these labels, and
// whether there is one.
func (e exposition) value(name string, labels map[string]string) (float64, bool) {
	for _, s := range e.samples {
		if s.name == name && maps.Equal(s.labels, labels) {
			return s.value, true
		}
	}
	return 0, false
}

// value scrapes m and returns the value of the sample name with exactly these
// labels (nil for none), and whether there is one.
func value(tb testing.TB, m *Metrics, name string, labels map[string]string) (float64, bool) {
	tb.Helper()
	if labels == nil {
		labels = map[string]string{}
	}
	return scrape(tb, m).value(name, labels)
}

func TestMetrics(t *testing.T) {
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	stats := Stats{
		OutboxPending: 4, OldestPending: now.Add(-90 * time.Second), OldestDue: now.Add(-2 * time.Minute),
		Clients: 12, ActiveClients: 7, SafetyEvents: 2,
	}
	m := NewMetrics("v1.2.3", func(context.Context, time.Time) (Stats, error) { return stats, nil }, func() time.Time { return now })

	const secret = "I felt ashamed after the call with my sister"
	h := m.Handler(bot.HandlerFunc(func(_ context.Context, msg bot.Message) error {
		if msg.Text == "fail" {
			return errors.New("handle: " + msg.Text)
		}
		return nil
	}))
	for _, text := range []string{"/start", secret, "fail"} {
		_ = h.Handle(t.Context(), bot.Message{ChatID: "telegram:424242", UserID: "telegram:424242", Name: "Ana Example", Text: text})
	}
	s := m.Sender(bot.Telegram, &fakeSender{errs: []error{
		&bot.RetryAfterError{After: time.Second},
		fmt.Errorf("blocked: %w", bot.ErrUnreachable),
		&bot.PermanentError{Err: errors.New("bad request")},
		errors.New("connection reset"),
	}})
	for range 6 {
		_ = s.Send(t.Context(), bot.Reply{ChatID: "telegram:424242", Text: secret})
	}
	m.Sender(bot.Discord, &fakeSender{})
	m.Commit(3*time.Millisecond, 12, nil)
	m.Commit(time.Millisecond, 1, errors.New("disk full"))
	m.Backup(now, nil)
	m.Backup(now, errors.New("no space"))

	for _, tt := range []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"coachbot_updates_total", map[string]string{"platform": "telegram", "result": "ok"}, 2},
		{"coachbot_updates_total", map[string]string{"platform": "telegram", "result": "error"}, 1},
		{"coachbot_replies_sent_total", map[string]string{"platform": "telegram"}, 2},
		{"coachbot_replies_sent_total", map[string]string{"platform": "discord"}, 0},
		{"coachbot_rate_limited_total", map[string]string{"platform": "telegram"}, 1},
		{"coachbot_send_failures_total", map[string]string{"platform": "telegram", "kind": FailRateLimited}, 1},
		{"coachbot_send_failures_total", map[string]string{"platform": "telegram", "kind": FailUnreachable}, 1},
		{"coachbot_send_failures_total", map[string]string{"platform": "telegram", "kind": FailRefused}, 1},
		{"coachbot_send_failures_total", map[string]string{"platform": "telegram", "kind": FailTransient}, 1},
		{"coachbot_send_failures_total", map[string]string{"platform": "discord", "kind": FailTransient}, 0},
		{"coachbot_commit_seconds_count", nil, 2},
		{"coachbot_commit_updates_count", nil, 2},
		{"coachbot_commit_updates_sum", nil, 13},
		{"coachbot_commit_failures_total", nil, 1},
		{"coachbot_backups_total", map[string]string{"result": "ok"}, 1},
		{"coachbot_backups_total", map[string]string{"result": "error"}, 1},
		{"coachbot_backup_last_success_timestamp_seconds", nil, float64(now.Unix())},
		{"coachbot_outbox_pending", nil, 4},
		{"coachbot_outbox_oldest_pending_seconds", nil, 90},
		{"coachbot_due_lag_seconds", nil, 120},
		{"coachbot_clients", nil, 12},
		{"coachbot_active_clients", nil, 7},
		{"coachbot_safety_events_total", nil, 2},
		{"coachbot_stats_up", nil, 1},
		{"coachbot_build_info", map[string]string{"version": "v1.2.3", "goversion": goVersion()}, 1},
	} {
		got, ok := value(t, m, tt.name, tt.labels)
		if !ok || got != tt.want {
			t.Errorf("%s%v: got %v (present %v), want %v", tt.name, tt.labels, got, ok, tt.want)
		}
	}

	code, body := get(t, NewServer(m, nil).Handler(), "/metrics")
	if code != http.StatusOK {
		t.Fatalf("/metrics: %d", code)
	}
	for _, private := range []string{"ashamed", "sister", "424242", "Ana", "Example"} {
		if strings.Contains(body, private) {
			t.Errorf("/metrics shows %q", private)
		}
	}
	for _, want := range []string{"coachbot_updates_total", "go_goroutines", "process_resident_memory_bytes"} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

func TestMetricsStatsFail(t *testing.T) {
	reads := 0
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	m := NewMetrics("dev", func(context.Context, time.Time) (Stats, error) {
		reads++
		return Stats{}, errors.New("database is closed")
	}, func() time.Time { return now })
	if got, ok := value(t, m, "coachbot_stats_up", nil); !ok || got != 0 {
		t.Errorf("coachbot_stats_up: got %v (present %v), want 0", got, ok)
	}
	if _, ok := value(t, m, "coachbot_outbox_pending", nil); ok {
		t.Error("outbox gauge reported although it could not be read")
	}
	if reads != 2 {
		t.Errorf("a failed read is not kept: got %d reads for 2 scrapes, want 2", reads)
	}
}

// The storage gauges are read at most once a second: scrapes within the
// second see the same read, a clock that went back reads again, and a read
// that fails shows no gauge from an earlier one.
func TestMetricsStatsCache(t *testing.T) {
	reads := 0
	var readErr error
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	m := NewMetrics("dev", func(context.Context, time.Time) (Stats, error) {
		reads++
		return Stats{OutboxPending: reads}, readErr
	}, func() time.Time { return now })

	for _, tt := range []struct {
		name     string
		advance  time.Duration
		fail     error
		reads    int
		up       float64
		outbox   float64 // -1 when absent
		outboxOK bool
	}{
		{"First", 0, nil, 1, 1, 1, true},
		{"SameInstant", 0, nil, 1, 1, 1, true},
		{"WithinTheSecond", 999 * time.Millisecond, nil, 1, 1, 1, true},
		{"SecondOver", time.Millisecond, nil, 2, 1, 2, true},
		{"ClockWentBack", -5 * time.Second, nil, 3, 1, 3, true},
		{"FailedRead", time.Second, errors.New("database is locked"), 4, 0, 0, false},
		{"FailedReadNotKept", 0, nil, 5, 1, 5, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			now, readErr = now.Add(tt.advance), tt.fail
			e := scrape(t, m)
			if reads != tt.reads {
				t.Errorf("reads: got %d, want %d", reads, tt.reads)
			}
			if got, ok := e.value("coachbot_stats_up", map[string]string{}); !ok || got != tt.up {
				t.Errorf("coachbot_stats_up: got %v (present %v), want %v", got, ok, tt.up)
			}
			got, ok := e.value("coachbot_outbox_pending", map[string]string{})
			if ok != tt.outboxOK || got != tt.outbox {
				t.Errorf("coachbot_outbox_pending: got %v (present %v), want %v (present %v)", got, ok, tt.outbox, tt.outboxOK)
			}
		})
	}
}

// /metrics is the Prometheus text format: every sample follows the TYPE line
// of its family, every family has HELP, and each histogram's buckets count up
// to le="+Inf", which equals its _count.
func TestMetricsExposition(t *testing.T) {
	m := NewMetrics(`v1.2.3 "quoted" \ (dirty)`, func(context.Context, time.Time) (Stats, error) { return Stats{Clients: 3}, nil }, nil)
	m.Sender(bot.Telegram, &fakeSender{})
	m.Commit(3*time.Millisecond, 12, nil)
	m.Commit(2*time.Second, 300, errors.New("disk full"))
	m.Commit(10*time.Second, 1, nil)
	e := scrape(t, m)

	if got, ok := e.value("coachbot_build_info", map[string]string{"version": `v1.2.3 "quoted" \ (dirty)`, "goversion": goVersion()}); !ok || got != 1 {
		t.Errorf("coachbot_build_info with a version to escape: got %v (present %v), want 1", got, ok)
	}
	for _, s := range e.samples {
		base := s.name
		switch e.types[s.family] {
		case "histogram":
			base = strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(base, "_bucket"), "_sum"), "_count")
		case "summary":
			base = strings.TrimSuffix(strings.TrimSuffix(base, "_sum"), "_count")
		}
		if base != s.family {
			t.Errorf("%s %v is not of the family of the TYPE line before it (%q)", s.name, s.labels, s.family)
		}
	}
	for family := range e.types {
		text, ok := e.help[family]
		if !ok {
			t.Errorf("%s has a TYPE but no HELP", family)
		}
		if strings.HasPrefix(family, "coachbot_") && text == "" {
			t.Errorf("%s has no HELP text", family)
		}
	}
	for family := range e.help {
		if _, ok := e.types[family]; !ok {
			t.Errorf("%s has a HELP but no TYPE", family)
		}
	}
	if got, want := e.help["coachbot_stats_up"], "1 when the storage gauges could be read at this scrape, 0 when not."; got != want {
		t.Errorf("coachbot_stats_up HELP: got %q, want %q", got, want)
	}
	for family, want := range map[string]string{
		"coachbot_updates_total": "counter", "coachbot_commit_seconds": "histogram", "coachbot_commit_updates": "histogram",
		"coachbot_backup_last_success_timestamp_seconds": "gauge", "coachbot_build_info": "gauge",
		"coachbot_outbox_pending": "gauge", "coachbot_safety_events_total": "counter", "coachbot_stats_up": "gauge",
	} {
		if got := e.types[family]; got != want {
			t.Errorf("%s TYPE: got %q, want %q", family, got, want)
		}
	}

	// The Go runtime's own histograms (go_sched_latencies_seconds,
	// go_gc_pauses_seconds) have buckets only: their _sum is not known.
	for family, typ := range e.types {
		if typ != "histogram" {
			continue
		}
		var les []string
		var counts []float64
		for _, s := range e.samples {
			if s.name == family+"_bucket" {
				les, counts = append(les, s.labels["le"]), append(counts, s.value)
			}
		}
		if len(les) == 0 || les[len(les)-1] != "+Inf" {
			t.Errorf("%s: buckets %v do not end at +Inf", family, les)
			continue
		}
		for i := 1; i < len(les); i++ {
			prev, _ := strconv.ParseFloat(les[i-1], 64)
			le, err := strconv.ParseFloat(les[i], 64)
			if err != nil || le <= prev || counts[i] < counts[i-1] {
				t.Errorf("%s: bucket le=%s (%v) after le=%s (%v): not cumulative", family, les[i], counts[i], les[i-1], counts[i-1])
			}
		}
		count, hasCount := e.value(family+"_count", map[string]string{})
		_, hasSum := e.value(family+"_sum", map[string]string{})
		if strings.HasPrefix(family, "coachbot_") && (!hasCount || !hasSum) {
			t.Errorf("%s: _count present %v, _sum present %v; want both", family, hasCount, hasSum)
		}
		if hasCount && counts[len(counts)-1] != count {
			t.Errorf("%s: le=\"+Inf\" is %v, _count %v", family, counts[len(counts)-1], count)
		}
	}

	for _, tt := range []struct {
		family string
		les    string
		counts []float64
		sum    float64
	}{
		{"coachbot_commit_seconds", "0.0005 0.001 0.0025 0.005 0.01 0.025 0.05 0.1 0.25 0.5 1 2.5 +Inf", []float64{0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 2, 3}, 12.003},
		{"coachbot_commit_updates", "1 2 4 8 16 32 64 128 256 +Inf", []float64{1, 1, 1, 1, 2, 2, 2, 2, 2, 3}, 313},
	} {
		var les []string
		var counts []float64
		for _, s := range e.samples {
			if s.name == tt.family+"_bucket" {
				les, counts = append(les, s.labels["le"]), append(counts, s.value)
			}
		}
		if got := strings.Join(les, " "); got != tt.les || !slices.Equal(counts, tt.counts) {
			t.Errorf("%s buckets: got %s %v, want %s %v", tt.family, got, counts, tt.les, tt.counts)
		}
		if got, _ := e.value(tt.family+"_sum", map[string]string{}); math.Abs(got-tt.sum) > 1e-9 {
			t.Errorf("%s_sum: got %v, want %v", tt.family, got, tt.sum)
		}
	}
}

func TestServerStartClose(t *testing.T) {
	m := NewMetrics("dev", nil, nil)
	s := NewServer(m, nil)
	if err := s.Start(t.Context(), "127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get("http://" + s.Addr() + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || string(b) != "ok\n" {
		t.Errorf("got %d %q", resp.StatusCode, b)
	}
	other := NewServer(nil, nil)
	if err := other.Start(t.Context(), s.Addr()); err == nil || !strings.Contains(err.Error(), "ops.listen") {
		other.Close()
		t.Errorf("second server on the same address: got %v, want an ops.listen error", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := http.Get("http://" + s.Addr() + "/healthz"); err == nil {
		t.Error("still serving after Close")
	}
}

func goVersion() string { return runtime.Version() }
