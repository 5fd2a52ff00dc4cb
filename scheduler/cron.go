package scheduler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/robfig/cron/v3"
)

// Ticker runs a few global jobs (the due sweep every minute, nightly cleanup) on
// cron specs, with a lifecycle its owner controls: jobs get a context that Close
// cancels, and Close returns only after running jobs have returned.
//
// It is deliberately not used for per-user schedules: those are rows with a due
// time, found by one sweep job and computed by the DST-aware rules in this
// package, because cron scales poorly to thousands of entries and runs a
// wall-clock job twice or not at all on DST switch days.
//
// Each job is wrapped so that a run still going when the next is due is skipped
// (a slow sweep never piles up), and a panic is logged and recovered so the job
// runs again next time. Specs are read in UTC unless they start with
// CRON_TZ=<zone>, so the host's zone never changes behaviour.
type Ticker struct {
	logger *slog.Logger
	cron   *cron.Cron

	mu      sync.Mutex
	ctx     context.Context // handed to jobs; set by Start, cancelled by Close
	cancel  context.CancelFunc
	started bool
}

// NewTicker returns a stopped Ticker; add jobs, then Start it. A nil logger
// discards logs.
func NewTicker(logger *slog.Logger) *Ticker {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	logger = logger.With("component", "ticker")
	return &Ticker{
		logger: logger,
		cron: cron.New(
			cron.WithLocation(time.UTC),
			cron.WithLogger(cronLogger{logger: logger, infoLevel: slog.LevelDebug}),
		),
	}
}

// Add schedules job under a standard five-field cron spec ("* * * * *") or a
// descriptor ("@every 1m", "@daily"). The spec is validated first: a bad one,
// typically from the config, is an error naming the spec and the job. name
// appears in logs. Jobs may be added before or after Start.
func (t *Ticker) Add(spec, name string, job func(ctx context.Context)) error {
	if name == "" {
		return errors.New("add ticker job: empty name")
	}
	if job == nil {
		return fmt.Errorf("add ticker job %s: nil job", name)
	}
	schedule, err := parseSpec(spec)
	if err != nil {
		return fmt.Errorf("add ticker job %s: cron spec %q: %w", name, spec, err)
	}
	jobLogger := cronLogger{logger: t.logger.With("job", name), infoLevel: slog.LevelInfo}
	run := cron.FuncJob(func() {
		ctx := t.jobContext()
		if ctx == nil || ctx.Err() != nil {
			return
		}
		job(ctx)
	})
	// Order matters: SkipIfStillRunning hands its token back only when the inner
	// job returns normally, so Recover must sit inside it or one panic would stop
	// the job for good.
	wrapped := cron.NewChain(cron.SkipIfStillRunning(jobLogger), cron.Recover(jobLogger)).Then(run)
	t.cron.Schedule(schedule, wrapped)
	return nil
}

// parseSpec validates a spec with the standard parser, turning the parser's own
// panics (a spec such as "TZ=UTC" with no fields) into errors.
func parseSpec(spec string) (schedule cron.Schedule, err error) {
	defer func() {
		if r := recover(); r != nil {
			schedule, err = nil, fmt.Errorf("malformed: %v", r)
		}
	}()
	return cron.ParseStandard(spec)
}

// Start begins running jobs on their schedules. Jobs receive a context derived
// from ctx and cancelled by Close; once ctx is done, due runs are skipped. Start
// is a no-op after the first call.
func (t *Ticker) Start(ctx context.Context) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.started {
		return
	}
	t.started = true
	t.ctx, t.cancel = context.WithCancel(ctx)
	t.cron.Start()
}

func (t *Ticker) jobContext() context.Context {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.ctx
}

// Close stops the schedule, cancels the jobs' context and waits until every
// running job has returned. It is safe to call more than once, and without
// Start; a closed Ticker does not start again.
func (t *Ticker) Close() error {
	t.mu.Lock()
	t.started = true // a Ticker does not start again after Close
	cancel := t.cancel
	t.mu.Unlock()
	done := t.cron.Stop()
	if cancel != nil {
		cancel()
	}
	<-done.Done()
	return nil
}

// cronLogger adapts slog to cron's logger. The scheduler's own chatter (wake,
// run, schedule) goes at infoLevel (Debug); job wrappers log skips at Info and
// recovered panics at Error.
type cronLogger struct {
	logger    *slog.Logger
	infoLevel slog.Level
}

// Info logs cron's routine messages at the adapter's info level.
func (l cronLogger) Info(msg string, keysAndValues ...any) {
	l.logger.Log(context.Background(), l.infoLevel, "cron "+msg, keysAndValues...)
}

// Error logs failures, such as a recovered panic with its stack, at Error.
func (l cronLogger) Error(err error, msg string, keysAndValues ...any) {
	l.logger.Error("cron "+msg, append([]any{"err", err}, keysAndValues...)...)
}
