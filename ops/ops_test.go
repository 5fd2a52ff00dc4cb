package ops

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

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

// value returns the value of the metric name with exactly these labels, and
// whether there is one.
func value(tb testing.TB, m *Metrics, name string, labels map[string]string) (float64, bool) {
	tb.Helper()
	fams, err := m.Registry().Gather()
	if err != nil {
		tb.Fatalf("gather: %v", err)
	}
	for _, f := range fams {
		if f.GetName() != name {
			continue
		}
	next:
		for _, mt := range f.GetMetric() {
			if len(mt.GetLabel()) != len(labels) {
				continue
			}
			for _, l := range mt.GetLabel() {
				if labels[l.GetName()] != l.GetValue() {
					continue next
				}
			}
			return number(mt), true
		}
	}
	return 0, false
}

func number(m *dto.Metric) float64 {
	switch {
	case m.Counter != nil:
		return m.Counter.GetValue()
	case m.Gauge != nil:
		return m.Gauge.GetValue()
	case m.Histogram != nil:
		return float64(m.Histogram.GetSampleCount())
	}
	return 0
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
		{"coachbot_commit_seconds", nil, 2},
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
	if got, _ := value(t, m, "coachbot_stats_up", nil); got != 0 {
		t.Errorf("coachbot_stats_up: got %v, want 0", got)
	}
	if _, ok := value(t, m, "coachbot_outbox_pending", nil); ok {
		t.Error("outbox gauge reported although it could not be read")
	}
	if reads != 2 {
		t.Errorf("a failed read is not kept: got %d reads for 2 scrapes, want 2", reads)
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
