package scheduler

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// wait is the generous upper bound for anything a one-second tick should cause.
const wait = 5 * time.Second

// lockedBuffer lets the ticker's goroutines log while the test reads.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startTicker starts a ticker with one job and closes it when the test ends.
func startTicker(t testing.TB, logs *lockedBuffer, spec string, job func(context.Context)) *Ticker {
	t.Helper()
	var logger *slog.Logger
	if logs != nil {
		logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	}
	tk := NewTicker(logger)
	if err := tk.Add(spec, "test_job", job); err != nil {
		t.Fatalf("Add(%q): %v", spec, err)
	}
	tk.Start(context.Background())
	t.Cleanup(func() { _ = tk.Close() })
	return tk
}

// receive waits for a signal on ch or fails the test after the generous timeout.
func receive(t testing.TB, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(wait):
		t.Fatalf("timed out waiting for %s", what)
	}
}

func TestTicker(t *testing.T) {
	t.Run("runs a job", func(t *testing.T) {
		t.Parallel()
		ran := make(chan struct{}, 10)
		var sawCtx atomic.Bool
		startTicker(t, nil, "@every 1s", func(ctx context.Context) {
			sawCtx.Store(ctx != nil && ctx.Err() == nil)
			ran <- struct{}{}
		})
		receive(t, ran, "first run")
		if !sawCtx.Load() {
			t.Error("job did not get a live context")
		}
	})

	t.Run("a panicking job runs again", func(t *testing.T) {
		t.Parallel()
		logs := &lockedBuffer{}
		ran := make(chan struct{}, 10)
		startTicker(t, logs, "@every 1s", func(context.Context) {
			ran <- struct{}{}
			panic("boom")
		})
		receive(t, ran, "first run")
		receive(t, ran, "run after the panic")
		if got := logs.String(); !strings.Contains(got, "cron panic") || !strings.Contains(got, "job=test_job") || !strings.Contains(got, "boom") {
			t.Errorf("panic not logged with the job name; logs:\n%s", got)
		}
	})

	t.Run("an overlapping run is skipped", func(t *testing.T) {
		t.Parallel()
		logs := &lockedBuffer{}
		started := make(chan struct{}, 10)
		var runs atomic.Int32
		tk := startTicker(t, logs, "@every 1s", func(ctx context.Context) {
			runs.Add(1)
			started <- struct{}{}
			<-ctx.Done()
		})
		receive(t, started, "first run")
		// The next tick comes while the first run still blocks: it must be skipped.
		for deadline := time.Now().Add(wait); !strings.Contains(logs.String(), "cron skip"); {
			if time.Now().After(deadline) {
				t.Fatalf("no skip logged; logs:\n%s", logs.String())
			}
			time.Sleep(20 * time.Millisecond)
		}
		if err := tk.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
		if got := runs.Load(); got != 1 {
			t.Errorf("runs = %d, want 1 (overlapping runs skipped)", got)
		}
		if got := logs.String(); !strings.Contains(got, "job=test_job") {
			t.Errorf("skip logged without the job name; logs:\n%s", got)
		}
	})

	t.Run("Close waits for a running job", func(t *testing.T) {
		t.Parallel()
		started := make(chan struct{}, 10)
		var finished atomic.Bool
		tk := startTicker(t, nil, "@every 1s", func(ctx context.Context) {
			started <- struct{}{}
			<-ctx.Done() // Close cancels the job's context ...
			time.Sleep(200 * time.Millisecond)
			finished.Store(true) // ... and still waits for it to return.
		})
		receive(t, started, "first run")
		closed := make(chan error, 1)
		go func() { closed <- tk.Close() }()
		select {
		case err := <-closed:
			if err != nil {
				t.Fatalf("Close: %v", err)
			}
		case <-time.After(wait):
			t.Fatal("Close did not return")
		}
		if !finished.Load() {
			t.Error("Close returned before the running job finished")
		}
		if err := tk.Close(); err != nil {
			t.Errorf("second Close: %v", err)
		}
	})

	t.Run("bad specs are refused", func(t *testing.T) {
		t.Parallel()
		tk := NewTicker(nil)
		for _, spec := range []string{"", "TZ=UTC", "CRON_TZ=Nowhere/City * * * * *", "61 * * * *", "* * * *", "@every nope", "@sometimes"} {
			err := tk.Add(spec, "sweep", func(context.Context) {})
			if err == nil {
				t.Errorf("Add(%q) accepted a bad spec", spec)
				continue
			}
			if !strings.Contains(err.Error(), `"`+spec+`"`) || !strings.Contains(err.Error(), "sweep") {
				t.Errorf("Add(%q) error %q does not name the spec and job", spec, err)
			}
		}
		for _, spec := range []string{"* * * * *", "@every 1m", "@daily", "CRON_TZ=Europe/Zurich 0 3 * * *"} {
			if err := tk.Add(spec, "sweep", func(context.Context) {}); err != nil {
				t.Errorf("Add(%q): %v", spec, err)
			}
		}
		if err := tk.Add("* * * * *", "", func(context.Context) {}); err == nil {
			t.Error("Add accepted an empty name")
		}
		if err := tk.Add("* * * * *", "sweep", nil); err == nil {
			t.Error("Add accepted a nil job")
		}
		if err := tk.Close(); err != nil {
			t.Errorf("Close without Start: %v", err)
		}
	})
}
