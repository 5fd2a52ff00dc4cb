package ops

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/VictoriaMetrics/metrics"

	"github.com/coachbot/coachbot/bot"
)

// The library writes TYPE lines only when its one switch, global to the
// process, is on; without them an operator could not tell a counter from a
// gauge. It is turned on here, once, before any scrape; the bot has no other
// metrics the switch could change.
func init() { metrics.ExposeMetadata(true) }

// Metrics are the bot's Prometheus metrics, in a set of their own (never the
// library's global one). Labels are platform names and fixed words, never
// anything a person wrote or an ID.
type Metrics struct {
	set *metrics.Set

	commit        *metrics.PrometheusHistogram
	commitSize    *metrics.PrometheusHistogram
	commitFails   *metrics.Counter
	backupsOK     *metrics.Counter
	backupsFailed *metrics.Counter
	lastBackup    *metrics.Gauge

	updates sync.Map // updateKey to its *metrics.Counter: no label text built per update
}

// updateKey names one coachbot_updates_total counter.
type updateKey struct{ platform, result string }

// Stats are the gauges read from storage at each scrape.
type Stats struct {
	OutboxPending int
	OldestPending time.Time // zero when nothing is pending
	OldestDue     time.Time // zero when nothing due waits for the sweep
	Clients       int
	ActiveClients int
	SafetyEvents  int64 // every safety event ever recorded
}

// StatsFunc reads Stats as of now.
type StatsFunc func(ctx context.Context, now time.Time) (Stats, error)

// Send failure kinds, the values of the kind label.
const (
	FailRateLimited = "rate_limited" // the platform said 429
	FailUnreachable = "unreachable"  // blocked bot, closed DMs
	FailRefused     = "refused"      // a request the platform will never take
	FailTransient   = "transient"    // network errors and 5xx, retried
)

// failKinds are every value of the kind label.
var failKinds = []string{FailRateLimited, FailUnreachable, FailRefused, FailTransient}

// help is the HELP text of each of the bot's own families. The library writes
// "# HELP name" with no text, and WritePrometheus adds it.
var help = map[string]string{
	"coachbot_updates_total":                         "Inbound updates (messages, commands, button presses) handled, by platform and result (ok, error).",
	"coachbot_replies_sent_total":                    "Replies the platform accepted, by platform.",
	"coachbot_send_failures_total":                   "Sends that failed, by platform and kind (rate_limited, unreachable, refused, transient).",
	"coachbot_rate_limited_total":                    "429 answers from the platform, by platform.",
	"coachbot_commit_seconds":                        "How long one storage commit (many updates grouped) took, from BEGIN to COMMIT.",
	"coachbot_commit_updates":                        "How many updates one storage commit carried.",
	"coachbot_commit_failures_total":                 "Storage commits that failed; their updates were not saved.",
	"coachbot_backups_total":                         "Scheduled backups, by result (ok, error).",
	"coachbot_backup_last_success_timestamp_seconds": "When the last scheduled backup was written (unix seconds); 0 before the first.",
	"coachbot_build_info":                            "Always 1; the labels say which build runs.",
	"coachbot_outbox_pending":                        "Replies waiting to be delivered.",
	"coachbot_outbox_oldest_pending_seconds":         "Age of the oldest reply waiting to be delivered; 0 when none waits.",
	"coachbot_due_lag_seconds":                       "How late the sweep is: age of the oldest proactive moment that is due and not yet handled; 0 when none.",
	"coachbot_clients":                               "Clients who agreed to take part.",
	"coachbot_active_clients":                        "Clients who wrote in the last 7 days.",
	"coachbot_safety_events_total":                   "Messages that suggested someone may be in danger (a count only; nothing of what was written).",
	"coachbot_stats_up":                              "1 when the storage gauges could be read at this scrape, 0 when not.",
}

// NewMetrics returns the metrics with the Go runtime's and the process's, and
// a build-info gauge carrying version. stats, when not nil, is read at each
// scrape (at most once a second) for the outbox, the sweep's lag, clients and
// safety events; now is its clock (time.Now when nil).
func NewMetrics(version string, stats StatsFunc, now func() time.Time) *Metrics {
	if now == nil {
		now = time.Now
	}
	set := metrics.NewSet()
	m := &Metrics{
		set:           set,
		commit:        set.NewPrometheusHistogramExt("coachbot_commit_seconds", []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5}),
		commitSize:    set.NewPrometheusHistogramExt("coachbot_commit_updates", []float64{1, 2, 4, 8, 16, 32, 64, 128, 256}),
		commitFails:   set.NewCounter("coachbot_commit_failures_total"),
		backupsOK:     set.NewCounter(labelled("coachbot_backups_total", "result", "ok")),
		backupsFailed: set.NewCounter(labelled("coachbot_backups_total", "result", "error")),
		lastBackup:    set.NewGauge("coachbot_backup_last_success_timestamp_seconds", nil),
	}
	set.NewGauge(labelled("coachbot_build_info", "goversion", runtime.Version(), "version", version), nil).Set(1)
	if stats != nil {
		set.RegisterMetricsWriter((&storeGauges{read: stats, now: now}).write)
	}
	set.RegisterMetricsWriter(metrics.WriteProcessMetrics)
	set.RegisterMetricsWriter(metrics.WriteFDMetrics)
	return m
}

// WritePrometheus writes every metric to w in the Prometheus text format
// (version 0.0.4), each family after its HELP and TYPE lines: the page
// /metrics serves.
func (m *Metrics) WritePrometheus(w io.Writer) {
	var in, out bytes.Buffer
	m.set.WritePrometheus(&in)
	for line := range bytes.Lines(in.Bytes()) {
		if family, ok := bytes.CutPrefix(line, []byte("# HELP ")); ok {
			family = bytes.TrimSpace(family)
			if text, ok := help[string(family)]; ok {
				fmt.Fprintf(&out, "# HELP %s %s\n", family, text)
				continue
			}
		}
		out.Write(line)
	}
	w.Write(out.Bytes())
}

// labelled is family with labels, given as name and value pairs in the order
// of their names, as Prometheus sorts them.
func labelled(family string, pairs ...string) string {
	if len(pairs) == 0 {
		return family
	}
	var b strings.Builder
	b.WriteString(family)
	for i := 0; i+1 < len(pairs); i += 2 {
		if i == 0 {
			b.WriteByte('{')
		} else {
			b.WriteByte(',')
		}
		b.WriteString(pairs[i] + `="` + labelValue.Replace(pairs[i+1]) + `"`)
	}
	b.WriteByte('}')
	return b.String()
}

// labelValue escapes a label value as the text format asks.
var labelValue = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)

// counter is the counter of family with these labels, made at the first use.
func (m *Metrics) counter(family string, pairs ...string) *metrics.Counter {
	return m.set.GetOrCreateCounter(labelled(family, pairs...))
}

// Platform prepares the counters of one platform, so they read 0 rather than
// being absent before the first event.
func (m *Metrics) Platform(platform string) {
	for _, r := range []string{"ok", "error"} {
		m.updateCounter(platform, r)
	}
	m.counter("coachbot_replies_sent_total", "platform", platform)
	for _, k := range failKinds {
		m.counter("coachbot_send_failures_total", "kind", k, "platform", platform)
	}
	m.counter("coachbot_rate_limited_total", "platform", platform)
}

// Commit records one storage commit; it has the shape of
// storage.CommitObserver.
func (m *Metrics) Commit(took time.Duration, updates int, err error) {
	m.commit.Update(took.Seconds())
	m.commitSize.Update(float64(updates))
	if err != nil {
		m.commitFails.Inc()
	}
}

// Backup records one scheduled backup.
func (m *Metrics) Backup(at time.Time, err error) {
	if err != nil {
		m.backupsFailed.Inc()
		return
	}
	m.backupsOK.Inc()
	m.lastBackup.Set(float64(at.UnixMilli()) / 1000)
}

// Handler counts the updates h handles, by the platform they came from.
func (m *Metrics) Handler(h bot.Handler) bot.Handler {
	return bot.HandlerFunc(func(ctx context.Context, msg bot.Message) error {
		err := h.Handle(ctx, msg)
		result := "ok"
		if err != nil {
			result = "error"
		}
		m.updateCounter(msg.Platform(), result).Inc()
		return err
	})
}

// updateCounter is the counter of updates from platform with result, made
// at the first use.
func (m *Metrics) updateCounter(platform, result string) *metrics.Counter {
	k := updateKey{platform, result}
	if c, ok := m.updates.Load(k); ok {
		return c.(*metrics.Counter)
	}
	c, _ := m.updates.LoadOrStore(k, m.counter("coachbot_updates_total", "platform", platform, "result", result))
	return c.(*metrics.Counter)
}

// Sender counts what s delivers on platform: replies accepted, failures by
// kind, and 429s. The dispatcher is given the returned Sender in place of s.
func (m *Metrics) Sender(platform string, s bot.Sender) bot.Sender {
	m.Platform(platform)
	failures := make(map[string]*metrics.Counter, len(failKinds))
	for _, k := range failKinds {
		failures[k] = m.counter("coachbot_send_failures_total", "kind", k, "platform", platform)
	}
	return &countingSender{
		next:        s,
		sent:        m.counter("coachbot_replies_sent_total", "platform", platform),
		rateLimited: m.counter("coachbot_rate_limited_total", "platform", platform),
		failures:    failures,
	}
}

// countingSender is a bot.Sender that counts what the one it wraps does.
type countingSender struct {
	next        bot.Sender
	sent        *metrics.Counter
	rateLimited *metrics.Counter
	failures    map[string]*metrics.Counter // by kind; only read once made
}

func (s *countingSender) Send(ctx context.Context, r bot.Reply) error {
	err := s.next.Send(ctx, r)
	var after *bot.RetryAfterError
	var perm *bot.PermanentError
	switch {
	case err == nil:
		s.sent.Inc()
	case errors.As(err, &after):
		s.rateLimited.Inc()
		s.failures[FailRateLimited].Inc()
	case errors.Is(err, bot.ErrUnreachable):
		s.failures[FailUnreachable].Inc()
	case errors.As(err, &perm):
		s.failures[FailRefused].Inc()
	default:
		s.failures[FailTransient].Inc()
	}
	return err
}

// storeGauges writes the gauges read from storage when scraped. Reads are
// kept for a second, so several scrapers at once cost one read; a failed read
// is not kept, and writes only coachbot_stats_up 0.
type storeGauges struct {
	read StatsFunc
	now  func() time.Time

	mu     sync.Mutex
	at     time.Time
	last   Stats
	lastOK bool
}

// statsTimeout bounds one read of the storage gauges.
const statsTimeout = 5 * time.Second

func (g *storeGauges) write(w io.Writer) {
	g.mu.Lock()
	now := g.now()
	if !g.lastOK || now.Sub(g.at) >= time.Second || now.Before(g.at) {
		ctx, cancel := context.WithTimeout(context.Background(), statsTimeout)
		s, err := g.read(ctx, now)
		cancel()
		g.at, g.last, g.lastOK = now, s, err == nil
	}
	s, ok := g.last, g.lastOK
	g.mu.Unlock()

	up := 0.0
	if ok {
		up = 1
		age := func(t time.Time) float64 {
			if t.IsZero() || t.After(now) {
				return 0
			}
			return now.Sub(t).Seconds()
		}
		metrics.WriteGaugeFloat64(w, "coachbot_outbox_pending", float64(s.OutboxPending))
		metrics.WriteGaugeFloat64(w, "coachbot_outbox_oldest_pending_seconds", age(s.OldestPending))
		metrics.WriteGaugeFloat64(w, "coachbot_due_lag_seconds", age(s.OldestDue))
		metrics.WriteGaugeFloat64(w, "coachbot_clients", float64(s.Clients))
		metrics.WriteGaugeFloat64(w, "coachbot_active_clients", float64(s.ActiveClients))
		metrics.WriteCounterFloat64(w, "coachbot_safety_events_total", float64(s.SafetyEvents))
	}
	metrics.WriteGaugeFloat64(w, "coachbot_stats_up", up)
}
