package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/coachbot/coachbot/bot"
	"github.com/coachbot/coachbot/bot/telegram/telegramtest"
	"github.com/coachbot/coachbot/flows"
	"github.com/coachbot/coachbot/internal/progress"
	"github.com/coachbot/coachbot/scheduler"
	"github.com/coachbot/coachbot/storage"
)

// waveBase is the chat ID of the first invited client; people chatting have
// lower ones.
const waveBase = 5_000_000_000

// waveCount counts invitations per invited chat.
type waveCount struct {
	mu      sync.Mutex
	by      []int
	arrived int // chats with at least one
	// progress is told each new arrival, for the terminal.
	progress func(arrived int)
	last     time.Time
	half     chan struct{}
	all      chan struct{}
	halfOnce sync.Once
}

func newWaveCount(n int) *waveCount {
	return &waveCount{by: make([]int, n), half: make(chan struct{}), all: make(chan struct{})}
}

func (w *waveCount) hear(i int, at time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.by[i]++
	if w.by[i] > 1 {
		return
	}
	w.arrived++
	if w.progress != nil {
		w.progress(w.arrived)
	}
	w.last = at
	if w.arrived >= len(w.by)/2 {
		w.halfOnce.Do(func() { close(w.half) })
	}
	if w.arrived == len(w.by) {
		close(w.all)
	}
}

// seed stores n clients whose check-in invitation is due at due, in one
// transaction, as the sweep at 09:00 finds them.
func seed(ctx context.Context, db string, n int, due time.Time) error {
	s, err := storage.Open(ctx, db)
	if err != nil {
		return err
	}
	defer s.Close()
	day := scheduler.DateOf(due, time.UTC)
	return s.Update(ctx, func(tx flows.Tx) error {
		for i := range n {
			id := bot.ID(bot.Telegram, fmt.Sprint(waveBase+int64(i)))
			c := flows.Client{ID: id, ChatID: id, Name: "Wave", Consented: true, Zone: scheduler.MustZone("UTC"), CheckIn: scheduler.Clock{Hour: 9},
				Anchor: day, CreatedAt: due, UpdatedAt: due}
			if err := tx.SaveClient(c); err != nil {
				return err
			}
			if _, err := tx.AddDue(flows.Due{RecipientID: id, Kind: flows.DueCheckIn, Date: day.String(), At: due}); err != nil {
				return err
			}
		}
		return nil
	})
}

// runWave is the morning wave: n invitations due at the same moment while
// people chat, the bot killed half-way when kill is set.
func runWave(ctx context.Context, b *loadBot, plan loadPlan, n int, kill bool, stdout io.Writer, line *progress.Line) error {
	plan.MeasureWarmup = true
	due := time.Now().Add(2 * time.Second).Truncate(time.Second)
	if err := seed(ctx, b.db, n, due); err != nil {
		return fmt.Errorf("seed the wave: %w", err)
	}
	lt := newLoadRun(plan)
	defer lt.close()
	w := newWaveCount(n)
	w.progress = func(arrived int) { line.Show("wave: %d of %d invitations arrived", arrived, n) }
	fake, err := newFake(true, func(chat int64, m telegramtest.Sent) {
		if i := chat - waveBase; i >= 0 && i < int64(n) {
			w.hear(int(i), m.Arrived)
			return
		}
		lt.hear(chat, m)
	})
	if err != nil {
		return err
	}
	defer fake.Close()
	lt.fake = fake
	chats := make([]int64, n)
	for i := range chats {
		chats[i] = waveBase + int64(i)
	}
	fake.OpenChat(chats...)
	time.Sleep(time.Until(due))
	if err := b.start(fake); err != nil {
		return err
	}
	defer b.stop()

	bound := time.Duration(float64(n) / 30 * 1.1 * float64(time.Second))
	deadline := time.After(2*bound + time.Minute)
	var killedAt time.Duration
	var arrivedAtKill int
	var peakRSS int64
	measured := make(chan struct{})
	type result struct {
		res *peopleResult
		err error
	}
	people := make(chan result, 1)
	go func() {
		res, err := lt.runDuring(ctx, measured)
		people <- result{res, err}
	}()
	var waitErr error
	if kill {
		select {
		case <-w.half:
			peakRSS = max(peakRSS, rss(b))
			b.kill()
			killedAt = time.Since(due)
			w.mu.Lock()
			arrivedAtKill = w.arrived
			w.mu.Unlock()
			if err := b.start(fake); err != nil {
				return err
			}
		case <-deadline:
			waitErr = errors.New("half the wave did not arrive in time")
		case <-ctx.Done():
			waitErr = ctx.Err()
		}
	}
	if waitErr == nil {
		select {
		case <-w.all:
		case <-deadline:
			waitErr = errors.New("the wave did not arrive in time")
		case <-ctx.Done():
			waitErr = ctx.Err()
		}
	}
	close(measured)
	pr := <-people
	peakRSS = max(peakRSS, rss(b))
	time.Sleep(2 * time.Second) // anything sent twice would arrive now
	st := fake.Stats()
	stopErr := b.stop()

	w.mu.Lock()
	var missing, twice int
	for _, c := range w.by {
		switch {
		case c == 0:
			missing++
		case c > 1:
			twice++
		}
	}
	took := w.last.Sub(due)
	w.mu.Unlock()
	fmt.Fprintf(stdout, "scenario:        wave of %d invitations due at once, %d people chatting (think %s)\n", n, plan.Users, plan.Think)
	if kill {
		fmt.Fprintf(stdout, "killed:          SIGKILL %s after the due time, when %d had arrived (%.1f/s); started again, the rest at %.1f/s\n",
			killedAt.Round(time.Millisecond), arrivedAtKill, float64(arrivedAtKill)/killedAt.Seconds(),
			float64(n-arrivedAtKill)/(took-killedAt).Seconds())
	}
	fmt.Fprintf(stdout, "invitations:     %d arrived, %d missing, %d more than once\n", n-missing, missing, twice)
	fmt.Fprintf(stdout, "wave took:       %s from the due time to the last (the limit allows %s; bound %s), %.1f/s\n",
		took.Round(time.Millisecond), time.Duration(float64(n)/30*float64(time.Second)).Round(time.Second), bound.Round(time.Second),
		float64(n)/took.Seconds())
	fmt.Fprintf(stdout, "429 answers:     %d\n", st.TooManyRequests)
	if pr.res != nil {
		l := pr.res.Latency
		round := func(d time.Duration) string { return d.Round(10 * time.Microsecond).String() }
		fmt.Fprintf(stdout, "people chatting: %d round trips, %d unexpected; latency p50 %s  p95 %s  p99 %s  max %s\n",
			pr.res.Handled, pr.res.Unexpected, round(l.P50), round(l.P95), round(l.P99), round(l.Max))
	}
	fmt.Fprintf(stdout, "bot memory:      peak RSS %.1f MB (VmHWM, the larger of the two runs)\n", float64(peakRSS)/(1<<20))
	return errors.Join(waitErr, pr.err, stopErr, fake.Err())
}

func rss(b *loadBot) int64 {
	if b.cmd == nil {
		return 0
	}
	return peakRSS(fmt.Sprint(b.pid()))
}
