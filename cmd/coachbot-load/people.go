package main

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coachbot/coachbot/bot/telegram/telegramtest"
	"github.com/coachbot/coachbot/flows"
)

// Bounds of a load run, so it always ends by itself.
const (
	// loadWarmupLimit bounds the warm-up: onboarding and one experiment each.
	loadWarmupLimit = 3 * time.Minute
	// loadReplyLimit is how long a simulated person waits for an answer before
	// the run is called off as broken.
	loadReplyLimit = 30 * time.Second
	// loadHistory is how many messages the fake keeps per chat: people only
	// answer the newest, and a keyboard edit may reach a few back.
	loadHistory = 4
	// loadAction is the experiment every simulated person designs.
	loadAction = "walk 10 minutes tomorrow after lunch"
)

// loadPlan is what the people do.
type loadPlan struct {
	Users int
	// Duration is how long to measure; with Loops, the longest to wait.
	Duration time.Duration
	Press    bool          // press buttons instead of typing their words
	Think    time.Duration // pause between an answer and the next message
	// Loops, when above zero, is how many check-ins each person makes before
	// they stop; the measured part ends when everybody has stopped.
	Loops int
	// MeasureWarmup counts the warm-up's round trips too: the wave measures
	// people from their first message.
	MeasureWarmup bool
	// Settle is a pause between the warm-up and the measured part, so every
	// chat's bucket is full again.
	Settle time.Duration
	Warmup []loadStep
	Loop   []loadStep
}

// peopleResult is what the people measured.
type peopleResult struct {
	Warmup, Measured time.Duration
	Handled          int // round trips of the loop
	Finished         int // people who made all their loops
	Replies          int // messages the bot sent
	Edits            int // messages the bot edited
	TooMany          int // 429 answers the fake gave
	Unexpected       int // messages that answered no step
	Calls            map[string]int
	Served           int // updates getUpdates returned
	Latency          latencySummary
}

type latencySummary struct{ P50, P95, P99, Max time.Duration }

// loadStep is one thing a person writes (or presses) and the start of the
// answer they wait for.
type loadStep struct {
	Say    string
	Button bool // Say is also a button's label
	Want   string
	// Before are the starts of other messages the answer has before Want.
	Before []string `json:",omitempty"`
}

// loadSteps are the warm-up (onboarding and one experiment) and the loop (a
// check-in on it), written as people would, in the catalog's words.
func loadSteps(cat *flows.Catalog) (warmup, loop []loadStep) {
	checkIn := time.Now().UTC().Add(12 * time.Hour).Format("15:04") // keeps the rhythm quiet during the run
	warmup = []loadStep{
		{Say: "/start", Want: prefix(cat.Text("start.welcome"))},
		{Say: cat.Text("btn.consent_yes"), Button: true, Want: prefix(cat.Text("ask.zone"))},
		{Say: "UTC", Want: prefix(cat.Text("ask.checkin_time"))},
		{Say: checkIn, Want: prefix(cat.Text("ask.rest_days"))},
		{Say: cat.Text("btn.no_rest_days"), Button: true, Want: prefix(cat.Text("start.done"))},
		{Say: "/action", Want: prefix(cat.Text("action.what"))},
		{Say: loadAction, Want: prefix(cat.Text("action.energy"))},
		{Say: "2", Want: prefix(cat.Text("action.load"))},
		{Say: cat.Text("btn.low"), Button: true, Want: prefix(cat.Text("action.people"))},
		{Say: "they will hardly notice", Want: prefix(cat.Text("action.recovery"))},
		{Say: cat.Text("btn.recovery_none"), Button: true, Want: prefix(cat.Text("action.carry"))},
		{Say: "8", Want: prefix(cat.Text("action.saved", "action", loadAction))},
	}
	loop = []loadStep{
		{Say: "/checkin", Want: prefix(cat.Text("checkin.outcome", "action", loadAction))},
		{Say: cat.Text("btn.did_it"), Button: true, Want: prefix(cat.Text("checkin.noticed"))},
		{Say: "my head was clearer in the afternoon", Want: prefix(cat.Text("checkin.energy"))},
		{Say: "2", Want: prefix(cat.Text("checkin.challenge"))},
		{Say: cat.Text("btn.about_right"), Button: true, Want: prefix(cat.Text("checkin.next")),
			Before: []string{prefix(cat.Text("flow.advice_right"))}},
		{Say: cat.Text("btn.keep"), Button: true, Want: prefix(cat.Text("checkin.thanks_done"))},
	}
	return warmup, loop
}

// prefix is a catalog text up to its first placeholder left unfilled.
func prefix(text string) string {
	if i := strings.IndexByte(text, '{'); i >= 0 {
		return text[:i]
	}
	return text
}

// loadRun drives the simulated people. It needs no goroutine per person: the
// fake hands every reply to hear, and a few drivers answer it. Each person
// belongs to one driver, which alone touches that person's state, in the order
// the replies arrived.
type loadRun struct {
	fake   *telegramtest.Server
	plan   loadPlan
	base   int64 // chat ID of people[0]
	people []*loadPerson
	lanes  []chan loadEvent // one per driver
	done   chan struct{}    // closed by close: drivers stop
	wg     sync.WaitGroup

	finished  atomic.Int64 // people through all their loops
	allDone   chan struct{}
	measuring atomic.Bool  // round trips of the loop count
	stopping  atomic.Bool  // the measured part is over: nobody writes again
	warmed    atomic.Int64 // people through the warm-up
	allWarm   chan struct{}
	failed    chan error // the first person who got stuck
	closeOnce sync.Once
}

// loadEvent is a reply for a person, a kick to start their next phase, or
// the end of their pause before the next step.
type loadEvent struct {
	p    *loadPerson
	msg  telegramtest.Sent
	go_  bool
	next bool
}

// loadPerson is one simulated person. Only their driver touches the fields
// but waitingSince.
type loadPerson struct {
	chat       int64
	inLoop     bool
	loops      int               // check-ins made in the measured part
	step       int               // index of the step awaited or next
	waiting    bool              // a step was sent and its answer has not come
	sentAt     time.Time         // when the awaited step was sent
	last       telegramtest.Sent // the answer to the previous step
	latencies  []time.Duration   // round trips of the measured part
	unexpected int               // messages that answer no step, such as a reply delivered twice
	// waitingSince is sentAt in Unix nanoseconds while waiting, else 0, for the
	// watchdog.
	waitingSince atomic.Int64
}

func newLoadRun(plan loadPlan) *loadRun {
	lt := &loadRun{
		plan:    plan,
		base:    time.Now().Unix() * 10_000, // chat IDs no earlier run on the same -db used
		people:  make([]*loadPerson, plan.Users),
		lanes:   make([]chan loadEvent, max(2, runtime.GOMAXPROCS(0))),
		done:    make(chan struct{}),
		allWarm: make(chan struct{}),
		allDone: make(chan struct{}),
		failed:  make(chan error, 1),
	}
	for i := range lt.people {
		lt.people[i] = &loadPerson{chat: lt.base + int64(i)}
	}
	for i := range lt.lanes {
		lane := make(chan loadEvent, 1024)
		lt.lanes[i] = lane
		lt.wg.Go(func() {
			for {
				select {
				case ev := <-lane:
					lt.handle(ev)
				case <-lt.done:
					return
				}
			}
		})
	}
	return lt
}

// close stops the drivers and waits for them.
func (lt *loadRun) close() {
	lt.closeOnce.Do(func() { close(lt.done) })
	lt.wg.Wait()
}

// hear is the fake's message hook: it passes a reply to its person's driver.
func (lt *loadRun) hear(chat int64, m telegramtest.Sent) {
	i := chat - lt.base
	if i < 0 || i >= int64(len(lt.people)) {
		return
	}
	lt.post(loadEvent{p: lt.people[i], msg: m})
}

func (lt *loadRun) post(ev loadEvent) {
	select {
	case lt.lanes[(ev.p.chat-lt.base)%int64(len(lt.lanes))] <- ev:
	case <-lt.done:
	}
}

// steps are the steps of the phase the person is in.
func (lt *loadRun) steps(p *loadPerson) []loadStep {
	if p.inLoop {
		return lt.plan.Loop
	}
	return lt.plan.Warmup
}

// handle is a driver's reaction to one event for one person.
func (lt *loadRun) handle(ev loadEvent) {
	p := ev.p
	if ev.go_ {
		p.inLoop, p.step = p.inLoop || lt.measuring.Load() && !lt.plan.MeasureWarmup, 0
		lt.send(p)
		return
	}
	if ev.next {
		if !lt.stopping.Load() {
			lt.send(p)
		}
		return
	}
	steps := lt.steps(p)
	m := ev.msg
	if !p.waiting || p.step >= len(steps) {
		p.count(lt)
		return
	}
	s := steps[p.step]
	switch {
	case strings.Contains(m.Text, s.Want):
	case slices.ContainsFunc(s.Before, func(b string) bool { return strings.HasPrefix(m.Text, b) }):
		return
	default:
		p.count(lt)
		return
	}
	p.waiting = false
	p.waitingSince.Store(0)
	p.last = m
	if lt.measuring.Load() && (p.inLoop || lt.plan.MeasureWarmup) {
		p.latencies = append(p.latencies, m.Arrived.Sub(p.sentAt))
	}
	p.step++
	if !p.inLoop && p.step == len(steps) {
		if lt.warmed.Add(1) == int64(len(lt.people)) {
			close(lt.allWarm)
		}
		return
	}
	if p.inLoop && p.step == len(steps) && lt.measuring.Load() {
		p.loops++
		if lt.plan.Loops > 0 && p.loops == lt.plan.Loops {
			if lt.finished.Add(1) == int64(len(lt.people)) {
				close(lt.allDone)
			}
			return
		}
	}
	p.step %= len(steps)
	if lt.stopping.Load() {
		return
	}
	if lt.plan.Think > 0 {
		time.AfterFunc(lt.plan.Think, func() { lt.post(loadEvent{p: p, next: true}) })
		return
	}
	lt.send(p)
}

// count notes a message that answers nothing, during the measured part.
func (p *loadPerson) count(lt *loadRun) {
	if lt.measuring.Load() {
		p.unexpected++
	}
}

// send writes, or presses, the person's next step.
func (lt *loadRun) send(p *loadPerson) {
	s := lt.steps(p)[p.step]
	p.waiting, p.sentAt = true, time.Now()
	p.waitingSince.Store(p.sentAt.UnixNano())
	if s.Button && lt.plan.Press {
		data, ok := buttonData(p.last, s.Say)
		if !ok {
			lt.fail(fmt.Errorf("loadtest: chat %d: no button %q under %q", p.chat, s.Say, p.last.Text))
			return
		}
		if err := lt.fake.TryPress(p.chat, p.last.MessageID, data); err != nil {
			lt.fail(fmt.Errorf("loadtest: %w", err))
		}
		return
	}
	lt.fake.SendText(p.chat, s.Say)
}

func (lt *loadRun) fail(err error) {
	select {
	case lt.failed <- err:
	default:
	}
}

// watch fails the run when somebody has waited longer than loadReplyLimit.
func (lt *loadRun) watch(ctx context.Context) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			for _, p := range lt.people {
				if since := p.waitingSince.Load(); since != 0 && now.Sub(time.Unix(0, since)) > loadReplyLimit {
					lt.fail(fmt.Errorf("loadtest: chat %d got no answer within %s", p.chat, loadReplyLimit))
					return
				}
			}
		}
	}
}

// run warms everybody up, tells measuring when the measured part begins,
// measures for duration and collects the numbers.
func (lt *loadRun) run(ctx context.Context, duration time.Duration, measuring func() error) (*peopleResult, error) {
	res := &peopleResult{}
	watchCtx, stopWatch := context.WithCancel(ctx)
	defer stopWatch()
	go lt.watch(watchCtx)

	warmStart := time.Now()
	for _, p := range lt.people {
		lt.post(loadEvent{p: p, go_: true})
	}
	select {
	case <-lt.allWarm:
	case err := <-lt.failed:
		return res, fmt.Errorf("loadtest: warm-up: %w", err)
	case <-time.After(loadWarmupLimit):
		return res, fmt.Errorf("loadtest: warm-up took longer than %s", loadWarmupLimit)
	case <-ctx.Done():
		return res, ctx.Err()
	}
	res.Warmup = time.Since(warmStart)
	time.Sleep(lt.plan.Settle)
	if err := measuring(); err != nil {
		return res, err
	}

	before := lt.fake.Stats()
	callsBefore := lt.fake.AllCalls()
	lt.measuring.Store(true)
	start := time.Now()
	for _, p := range lt.people {
		lt.post(loadEvent{p: p, go_: true})
	}
	var runErr error
	select {
	case <-time.After(duration):
		if lt.plan.Loops > 0 {
			runErr = fmt.Errorf("loadtest: %d of %d people finished within %s", lt.finished.Load(), len(lt.people), duration)
		}
	case <-lt.allDone:
	case runErr = <-lt.failed:
	case <-ctx.Done():
		runErr = ctx.Err()
	}
	lt.stopping.Store(true)
	lt.measuring.Store(false)
	res.Measured = time.Since(start)
	after := lt.fake.Stats()
	res.Replies = after.MessagesSent - before.MessagesSent
	res.Edits = after.Edits - before.Edits
	res.TooMany = after.TooManyRequests - before.TooManyRequests
	res.Finished = int(lt.finished.Load())
	res.Served = after.UpdatesServed - before.UpdatesServed
	res.Calls = lt.fake.AllCalls()
	for m, n := range callsBefore {
		res.Calls[m] -= n
	}
	lt.close() // the people's fields are the drivers' until they stop
	lt.tally(res)
	return res, runErr
}

// tally adds up what the people saw, once they have stopped: round trips,
// unexpected replies and the latencies' percentiles.
func (lt *loadRun) tally(res *peopleResult) {
	var all []time.Duration
	for _, p := range lt.people {
		res.Unexpected += p.unexpected
		all = append(all, p.latencies...)
	}
	res.Handled = len(all)
	res.Latency = summarize(all)
}

// summarize returns the percentiles of the latencies.
func summarize(ls []time.Duration) latencySummary {
	if len(ls) == 0 {
		return latencySummary{}
	}
	slices.Sort(ls)
	at := func(q float64) time.Duration { return ls[min(len(ls)-1, int(q*float64(len(ls))))] }
	return latencySummary{P50: at(0.50), P95: at(0.95), P99: at(0.99), Max: ls[len(ls)-1]}
}

// buttonData is the callback data of the button labelled label under m.
func buttonData(m telegramtest.Sent, label string) (string, bool) {
	for _, row := range m.Buttons {
		for _, b := range row {
			if b.Text == label {
				return b.Data, true
			}
		}
	}
	return "", false
}

// runDuring measures people from their first message until done is closed,
// as they chat through a wave.
func (lt *loadRun) runDuring(ctx context.Context, done <-chan struct{}) (*peopleResult, error) {
	res := &peopleResult{}
	watchCtx, stopWatch := context.WithCancel(ctx)
	defer stopWatch()
	go lt.watch(watchCtx)
	lt.measuring.Store(true)
	start := time.Now()
	for _, p := range lt.people {
		lt.post(loadEvent{p: p, go_: true})
	}
	var runErr error
	select {
	case <-done:
	case runErr = <-lt.failed:
	case <-ctx.Done():
		runErr = ctx.Err()
	}
	lt.stopping.Store(true)
	lt.measuring.Store(false)
	res.Measured = time.Since(start)
	lt.close()
	lt.tally(res)
	return res, runErr
}
