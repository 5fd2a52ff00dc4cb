package ops

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/coachbot/coachbot/bot"
)

// Metrics are the bot's Prometheus metrics, in a registry of their own (never
// the global one). Labels are platform names and fixed words, never anything a
// person wrote or an ID.
type Metrics struct {
	reg *prometheus.Registry

	updates     *prometheus.CounterVec
	sent        *prometheus.CounterVec
	failures    *prometheus.CounterVec
	rateLimited *prometheus.CounterVec
	commit      prometheus.Histogram
	commitSize  prometheus.Histogram
	commitFails prometheus.Counter
	backups     *prometheus.CounterVec
	lastBackup  prometheus.Gauge
}

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

// NewMetrics returns the metrics with the Go runtime's and the process's, and
// a build-info gauge carrying version. stats, when not nil, is read at each
// scrape (at most once a second) for the outbox, the sweep's lag, clients and
// safety events; now is its clock (time.Now when nil).
func NewMetrics(version string, stats StatsFunc, now func() time.Time) *Metrics {
	if now == nil {
		now = time.Now
	}
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		updates: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "coachbot_updates_total",
			Help: "Inbound updates (messages, commands, button presses) handled, by platform and result (ok, error).",
		}, []string{"platform", "result"}),
		sent: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "coachbot_replies_sent_total",
			Help: "Replies the platform accepted, by platform.",
		}, []string{"platform"}),
		failures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "coachbot_send_failures_total",
			Help: "Sends that failed, by platform and kind (rate_limited, unreachable, refused, transient).",
		}, []string{"platform", "kind"}),
		rateLimited: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "coachbot_rate_limited_total",
			Help: "429 answers from the platform, by platform.",
		}, []string{"platform"}),
		commit: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "coachbot_commit_seconds",
			Help:    "How long one storage commit (many updates grouped) took, from BEGIN to COMMIT.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}),
		commitSize: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "coachbot_commit_updates",
			Help:    "How many updates one storage commit carried.",
			Buckets: []float64{1, 2, 4, 8, 16, 32, 64, 128, 256},
		}),
		commitFails: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "coachbot_commit_failures_total",
			Help: "Storage commits that failed; their updates were not saved.",
		}),
		backups: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "coachbot_backups_total",
			Help: "Scheduled backups, by result (ok, error).",
		}, []string{"result"}),
		lastBackup: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "coachbot_backup_last_success_timestamp_seconds",
			Help: "When the last scheduled backup was written (unix seconds); 0 before the first.",
		}),
	}
	build := prometheus.NewGauge(prometheus.GaugeOpts{
		Name:        "coachbot_build_info",
		Help:        "Always 1; the labels say which build runs.",
		ConstLabels: prometheus.Labels{"version": version, "goversion": runtime.Version()},
	})
	build.Set(1)
	m.reg.MustRegister(m.updates, m.sent, m.failures, m.rateLimited, m.commit, m.commitSize, m.commitFails,
		m.backups, m.lastBackup, build,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	for _, r := range []string{"ok", "error"} {
		m.backups.WithLabelValues(r)
	}
	if stats != nil {
		m.reg.MustRegister(&storeCollector{read: stats, now: now})
	}
	return m
}

// Registry is where the metrics are gathered from, for the /metrics handler
// and for tests.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Platform prepares the counters of one platform, so they read 0 rather than
// being absent before the first event.
func (m *Metrics) Platform(platform string) {
	for _, r := range []string{"ok", "error"} {
		m.updates.WithLabelValues(platform, r)
	}
	m.sent.WithLabelValues(platform)
	for _, k := range []string{FailRateLimited, FailUnreachable, FailRefused, FailTransient} {
		m.failures.WithLabelValues(platform, k)
	}
	m.rateLimited.WithLabelValues(platform)
}

// Commit records one storage commit; it has the shape of
// storage.CommitObserver.
func (m *Metrics) Commit(took time.Duration, updates int, err error) {
	m.commit.Observe(took.Seconds())
	m.commitSize.Observe(float64(updates))
	if err != nil {
		m.commitFails.Inc()
	}
}

// Backup records one scheduled backup.
func (m *Metrics) Backup(at time.Time, err error) {
	if err != nil {
		m.backups.WithLabelValues("error").Inc()
		return
	}
	m.backups.WithLabelValues("ok").Inc()
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
		m.updates.WithLabelValues(msg.Platform(), result).Inc()
		return err
	})
}

// Sender counts what s delivers on platform: replies accepted, failures by
// kind, and 429s. The dispatcher is given the returned Sender in place of s.
func (m *Metrics) Sender(platform string, s bot.Sender) bot.Sender {
	m.Platform(platform)
	return &countingSender{
		next:        s,
		sent:        m.sent.WithLabelValues(platform),
		rateLimited: m.rateLimited.WithLabelValues(platform),
		failures:    m.failures.MustCurryWith(prometheus.Labels{"platform": platform}),
	}
}

// countingSender is a bot.Sender that counts what the one it wraps does.
type countingSender struct {
	next        bot.Sender
	sent        prometheus.Counter
	rateLimited prometheus.Counter
	failures    *prometheus.CounterVec
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
		s.failures.WithLabelValues(FailRateLimited).Inc()
	case errors.Is(err, bot.ErrUnreachable):
		s.failures.WithLabelValues(FailUnreachable).Inc()
	case errors.As(err, &perm):
		s.failures.WithLabelValues(FailRefused).Inc()
	default:
		s.failures.WithLabelValues(FailTransient).Inc()
	}
	return err
}

// storeCollector reads the storage gauges when scraped. Reads are kept for a
// second, so several scrapers at once cost one read.
type storeCollector struct {
	read StatsFunc
	now  func() time.Time

	mu     sync.Mutex
	at     time.Time
	last   Stats
	lastOK bool
}

var (
	descOutbox = prometheus.NewDesc("coachbot_outbox_pending",
		"Replies waiting to be delivered.", nil, nil)
	descOutboxAge = prometheus.NewDesc("coachbot_outbox_oldest_pending_seconds",
		"Age of the oldest reply waiting to be delivered; 0 when none waits.", nil, nil)
	descDueLag = prometheus.NewDesc("coachbot_due_lag_seconds",
		"How late the sweep is: age of the oldest proactive moment that is due and not yet handled; 0 when none.", nil, nil)
	descClients = prometheus.NewDesc("coachbot_clients",
		"Clients who agreed to take part.", nil, nil)
	descActive = prometheus.NewDesc("coachbot_active_clients",
		"Clients who wrote in the last 7 days.", nil, nil)
	descSafety = prometheus.NewDesc("coachbot_safety_events_total",
		"Messages that suggested someone may be in danger (a count only; nothing of what was written).", nil, nil)
	descStatsUp = prometheus.NewDesc("coachbot_stats_up",
		"1 when the storage gauges could be read at this scrape, 0 when not.", nil, nil)
)

func (c *storeCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descOutbox, descOutboxAge, descDueLag, descClients, descActive, descSafety, descStatsUp} {
		ch <- d
	}
}

// statsTimeout bounds one read of the storage gauges.
const statsTimeout = 5 * time.Second

func (c *storeCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	now := c.now()
	if !c.lastOK || now.Sub(c.at) >= time.Second || now.Before(c.at) {
		ctx, cancel := context.WithTimeout(context.Background(), statsTimeout)
		s, err := c.read(ctx, now)
		cancel()
		c.at, c.last, c.lastOK = now, s, err == nil
	}
	s, ok := c.last, c.lastOK
	c.mu.Unlock()

	up := 0.0
	if ok {
		up = 1
		age := func(t time.Time) float64 {
			if t.IsZero() || t.After(now) {
				return 0
			}
			return now.Sub(t).Seconds()
		}
		ch <- prometheus.MustNewConstMetric(descOutbox, prometheus.GaugeValue, float64(s.OutboxPending))
		ch <- prometheus.MustNewConstMetric(descOutboxAge, prometheus.GaugeValue, age(s.OldestPending))
		ch <- prometheus.MustNewConstMetric(descDueLag, prometheus.GaugeValue, age(s.OldestDue))
		ch <- prometheus.MustNewConstMetric(descClients, prometheus.GaugeValue, float64(s.Clients))
		ch <- prometheus.MustNewConstMetric(descActive, prometheus.GaugeValue, float64(s.ActiveClients))
		ch <- prometheus.MustNewConstMetric(descSafety, prometheus.CounterValue, float64(s.SafetyEvents))
	}
	ch <- prometheus.MustNewConstMetric(descStatsUp, prometheus.GaugeValue, up)
}
