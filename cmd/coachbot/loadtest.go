package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"slices"
	"strconv"
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
	// answer the newest, so memory measures the bot rather than transcripts.
	loadHistory = 2
	// loadAction is the experiment every simulated person designs.
	loadAction = "walk 10 minutes after lunch"
)

// cmdLoadtest measures the bot against a fake Telegram in the same process: N
// simulated people, each in a closed loop (write, wait for the answer, write
// again), onboard and design one experiment, then reflect on it with /checkin
// over and over. Every answer is committed before its reply leaves, so the
// numbers include durable storage.
func cmdLoadtest(ctx context.Context, e env, args []string) error {
	var c common
	fs := newFlags("loadtest", e, &c)
	users := fs.Int("users", 200, "how many simulated `people` chat at once")
	duration := fs.Duration("duration", 20*time.Second, "how long to measure, after the warm-up")
	press := fs.Bool("press", false, "press buttons where the bot shows them, instead of typing their words")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the measured part to `file`")
	memProfile := fs.String("memprofile", "", "write a heap profile at the end of the measured part to `file`")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *users < 1 || *duration <= 0 {
		fs.Usage()
		return &usageError{msg: "coachbot loadtest: -users and -duration must be positive"}
	}
	if c.db == "" {
		dir, err := os.MkdirTemp("", "coachbot-loadtest-")
		if err != nil {
			return fmt.Errorf("loadtest: %w", err)
		}
		defer os.RemoveAll(dir)
		c.db = filepath.Join(dir, "load.db")
	}
	a, err := openApp(ctx, e, c, fs, nil)
	if err != nil {
		return err
	}
	defer a.Close()

	lt := newLoadRun(a.catalog, *users, *press)
	defer lt.close()
	fake, err := telegramtest.Start(telegramtest.WithHistory(loadHistory), telegramtest.WithMessageHook(lt.hear))
	if err != nil {
		return fmt.Errorf("loadtest: %w", err)
	}
	defer fake.Close()
	lt.fake = fake
	// Only the fake, and no delivery limits: the run measures the bot itself.
	a.cfg.Telegram = TelegramConfig{Token: fake.Token(), APIURL: fake.URL(), Mode: "polling"}
	a.cfg.Discord.Token = ""

	serveCtx, stopServe := context.WithCancel(ctx)
	served := make(chan error, 1)
	go func() { served <- a.serve(serveCtx) }()

	report, runErr := lt.run(ctx, *duration, *cpuProfile, *memProfile)
	stopServe()
	serveErr := <-served
	if report.handled > 0 {
		report.print(e.stdout)
	}
	return errors.Join(runErr, serveErr, fake.Err())
}

// loadStep is one thing a person writes (or presses) and the start of the
// answer they wait for.
type loadStep struct {
	say    string
	button bool // say is also a button's label
	want   string
	// before are the starts of other messages the answer has before want.
	before []string
}

// loadSteps are the warm-up (onboarding and one experiment) and the loop (a
// check-in on it), written as people would, in the catalog's words.
func loadSteps(cat *flows.Catalog) (warmup, loop []loadStep) {
	checkIn := time.Now().UTC().Add(12 * time.Hour).Format("15:04") // keeps the rhythm quiet during the run
	warmup = []loadStep{
		{say: "/start", want: prefix(cat.Text("start.welcome"))},
		{say: cat.Text("btn.consent_yes"), button: true, want: prefix(cat.Text("ask.zone"))},
		{say: "UTC", want: prefix(cat.Text("ask.checkin_time"))},
		{say: checkIn, want: prefix(cat.Text("ask.rest_days"))},
		{say: cat.Text("btn.no_rest_days"), button: true, want: prefix(cat.Text("start.done"))},
		{say: "/action", want: prefix(cat.Text("action.what"))},
		{say: loadAction, want: prefix(cat.Text("action.when"))},
		{say: cat.Text("btn.today"), button: true, want: prefix(cat.Text("action.energy"))},
		{say: "2", want: prefix(cat.Text("action.load"))},
		{say: cat.Text("btn.low"), button: true, want: prefix(cat.Text("action.people"))},
		{say: "they will hardly notice", want: prefix(cat.Text("action.recovery"))},
		{say: cat.Text("btn.recovery_none"), button: true, want: prefix(cat.Text("action.carry"))},
		{say: "8", want: prefix(cat.Text("action.saved", "action", loadAction))},
	}
	loop = []loadStep{
		{say: "/checkin", want: prefix(cat.Text("checkin.outcome", "action", loadAction))},
		{say: cat.Text("btn.did_it"), button: true, want: prefix(cat.Text("checkin.noticed"))},
		{say: "my head was clearer in the afternoon", want: prefix(cat.Text("checkin.energy"))},
		{say: "2", want: prefix(cat.Text("checkin.challenge"))},
		{say: cat.Text("btn.about_right"), button: true, want: prefix(cat.Text("checkin.next")),
			before: []string{prefix(cat.Text("flow.advice_right"))}},
		{say: cat.Text("btn.keep"), button: true, want: prefix(cat.Text("checkin.thanks_done"))},
	}
	return warmup, loop
}

// loadRun drives the simulated people. It needs no goroutine per person: the
// fake hands every reply to hear, and a few drivers answer it. Each person
// belongs to one driver, which alone touches that person's state, in the order
// the replies arrived.
type loadRun struct {
	fake   *telegramtest.Server
	press  bool
	warmup []loadStep
	loop   []loadStep
	base   int64 // chat ID of people[0]
	people []*loadPerson
	lanes  []chan loadEvent // one per driver
	done   chan struct{}    // closed by close: drivers stop
	wg     sync.WaitGroup

	measuring atomic.Bool  // round trips of the loop count
	stopping  atomic.Bool  // the measured part is over: nobody writes again
	warmed    atomic.Int64 // people through the warm-up
	allWarm   chan struct{}
	failed    chan error // the first person who got stuck
	closeOnce sync.Once
}

// loadEvent is a reply for a person, or a kick to start their next phase.
type loadEvent struct {
	p   *loadPerson
	msg telegramtest.Sent
	go_ bool
}

// loadPerson is one simulated person. Only their driver touches the fields
// but waitingSince.
type loadPerson struct {
	chat       int64
	inLoop     bool
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

func newLoadRun(cat *flows.Catalog, users int, press bool) *loadRun {
	lt := &loadRun{
		press:   press,
		base:    time.Now().Unix() * 10_000, // chat IDs no earlier run on the same -db used
		people:  make([]*loadPerson, users),
		lanes:   make([]chan loadEvent, max(2, runtime.GOMAXPROCS(0))),
		done:    make(chan struct{}),
		allWarm: make(chan struct{}),
		failed:  make(chan error, 1),
	}
	lt.warmup, lt.loop = loadSteps(cat)
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

// handle is a driver's reaction to one event for one person.
func (lt *loadRun) handle(ev loadEvent) {
	p := ev.p
	if ev.go_ {
		p.inLoop, p.step = p.inLoop || lt.measuring.Load(), 0
		lt.send(p)
		return
	}
	steps := lt.warmup
	if p.inLoop {
		steps = lt.loop
	}
	m := ev.msg
	if !p.waiting || p.step >= len(steps) {
		p.count(lt)
		return
	}
	s := steps[p.step]
	switch {
	case strings.HasPrefix(m.Text, s.want):
	case slices.ContainsFunc(s.before, func(b string) bool { return strings.HasPrefix(m.Text, b) }):
		return
	default:
		p.count(lt)
		return
	}
	p.waiting = false
	p.waitingSince.Store(0)
	p.last = m
	if p.inLoop && lt.measuring.Load() {
		p.latencies = append(p.latencies, m.Arrived.Sub(p.sentAt))
	}
	p.step++
	if !p.inLoop && p.step == len(steps) {
		if lt.warmed.Add(1) == int64(len(lt.people)) {
			close(lt.allWarm)
		}
		return
	}
	p.step %= len(steps)
	if !lt.stopping.Load() {
		lt.send(p)
	}
}

// count notes a message that answers nothing, during the measured part.
func (p *loadPerson) count(lt *loadRun) {
	if lt.measuring.Load() {
		p.unexpected++
	}
}

// send writes, or presses, the person's next step.
func (lt *loadRun) send(p *loadPerson) {
	steps := lt.warmup
	if p.inLoop {
		steps = lt.loop
	}
	s := steps[p.step]
	p.waiting, p.sentAt = true, time.Now()
	p.waitingSince.Store(p.sentAt.UnixNano())
	if s.button && lt.press {
		data, ok := buttonData(p.last, s.say)
		if !ok {
			lt.fail(fmt.Errorf("loadtest: chat %d: no button %q under %q", p.chat, s.say, p.last.Text))
			return
		}
		if err := lt.fake.TryPress(p.chat, p.last.MessageID, data); err != nil {
			lt.fail(fmt.Errorf("loadtest: %w", err))
		}
		return
	}
	lt.fake.SendText(p.chat, s.say)
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

// loadReport is what a run measured.
type loadReport struct {
	users      int
	warmup     time.Duration
	measured   time.Duration
	handled    int
	replies    int
	unexpected int
	polls      int            // getUpdates calls
	calls      map[string]int // Bot API calls by method
	served     int            // updates those calls returned
	latencies  []time.Duration
	peakRSS    int64 // bytes; 0 when unknown
	heapPeak   uint64
	stackPeak  uint64
	goPeak     uint64
	// cpuProcess and cpuMachine are the CPU this process and the whole
	// machine used while measuring, in percent of one core; 0 when unknown.
	cpuProcess, cpuMachine float64
}

// run warms everybody up, measures for duration and collects the numbers.
func (lt *loadRun) run(ctx context.Context, duration time.Duration, cpuProfile, memProfile string) (*loadReport, error) {
	rep := &loadReport{users: len(lt.people)}
	mem := startMemorySampler()
	defer mem.stop()
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
		return rep, fmt.Errorf("loadtest: warm-up: %w", err)
	case <-time.After(loadWarmupLimit):
		return rep, fmt.Errorf("loadtest: warm-up took longer than %s", loadWarmupLimit)
	case <-ctx.Done():
		return rep, ctx.Err()
	}
	rep.warmup = time.Since(warmStart)

	if cpuProfile != "" {
		f, err := os.Create(cpuProfile)
		if err != nil {
			return rep, fmt.Errorf("loadtest: %w", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return rep, fmt.Errorf("loadtest: %w", err)
		}
		defer pprof.StopCPUProfile()
	}
	before := lt.fake.Stats()
	callsBefore := lt.fake.AllCalls()
	cpuBefore, cpuOK := readCPU()
	lt.measuring.Store(true)
	start := time.Now()
	for _, p := range lt.people {
		lt.post(loadEvent{p: p, go_: true})
	}
	var runErr error
	select {
	case <-time.After(duration):
	case runErr = <-lt.failed:
	case <-ctx.Done():
		runErr = ctx.Err()
	}
	if memProfile != "" && runErr == nil {
		runErr = writeHeapProfile(memProfile)
	}
	lt.stopping.Store(true)
	lt.measuring.Store(false)
	rep.measured = time.Since(start)
	if cpuAfter, ok := readCPU(); ok && cpuOK {
		rep.cpuProcess, rep.cpuMachine = cpuAfter.since(cpuBefore)
	}
	after := lt.fake.Stats()
	rep.replies = after.MessagesSent - before.MessagesSent
	rep.calls = lt.fake.AllCalls()
	for m, n := range callsBefore {
		rep.calls[m] -= n
	}
	rep.polls = rep.calls["getUpdates"]
	rep.served = after.UpdatesServed - before.UpdatesServed
	mem.stop()
	rep.heapPeak, rep.stackPeak, rep.goPeak = mem.peaks()
	rep.peakRSS = peakRSS()
	lt.close() // the people's fields are the drivers' until they stop
	for _, p := range lt.people {
		rep.handled += len(p.latencies)
		rep.unexpected += p.unexpected
		rep.latencies = append(rep.latencies, p.latencies...)
	}
	return rep, runErr
}

// prefix is a catalog text up to its first placeholder left unfilled.
func prefix(text string) string {
	if i := strings.IndexByte(text, '{'); i >= 0 {
		return text[:i]
	}
	return text
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

func (r *loadReport) print(w io.Writer) {
	slices.Sort(r.latencies)
	pct := func(q float64) string {
		if len(r.latencies) == 0 {
			return "n/a"
		}
		i := min(len(r.latencies)-1, int(q*float64(len(r.latencies))))
		return r.latencies[i].Round(10 * time.Microsecond).String()
	}
	rate := 0.0
	if r.measured > 0 {
		rate = float64(r.handled) / r.measured.Seconds()
	}
	rss := "n/a"
	if r.peakRSS > 0 {
		rss = fmt.Sprintf("%.1f MB (VmHWM)", float64(r.peakRSS)/(1<<20))
	}
	fmt.Fprintf(w, "users:           %d (warm-up %s: onboarding and one experiment each)\n", r.users, r.warmup.Round(time.Millisecond))
	fmt.Fprintf(w, "measured:        %s\n", r.measured.Round(time.Millisecond))
	fmt.Fprintf(w, "updates handled: %d (%d replies delivered, %d of them unexpected: duplicates)\n", r.handled, r.replies, r.unexpected)
	fmt.Fprintf(w, "updates/s:       %.0f\n", rate)
	if r.polls > 0 {
		fmt.Fprintf(w, "polls:           %d getUpdates calls, %.1f updates each\n", r.polls, float64(r.served)/float64(r.polls))
	}
	if r.handled > 0 && len(r.calls) > 0 {
		methods := slices.Sorted(maps.Keys(r.calls))
		parts := make([]string, 0, len(methods))
		for _, m := range methods {
			if r.calls[m] > 0 {
				parts = append(parts, fmt.Sprintf("%s %.2f", m, float64(r.calls[m])/float64(r.handled)))
			}
		}
		fmt.Fprintf(w, "API calls:       per update: %s\n", strings.Join(parts, ", "))
	}
	fmt.Fprintf(w, "reply latency:   p50 %s  p95 %s  p99 %s  max %s\n", pct(0.50), pct(0.95), pct(0.99), pct(1))
	if r.cpuMachine > 0 {
		fmt.Fprintf(w, "CPU:             this process %.0f%%, the whole machine %.0f%%, of %d%%\n",
			r.cpuProcess, r.cpuMachine, 100*runtime.NumCPU())
		if rate > 0 {
			fmt.Fprintf(w, "CPU per update:  %.0f µs (bot, fake Telegram and simulated people together)\n",
				r.cpuProcess/100*1e6/rate)
		}
	}
	fmt.Fprintf(w, "peak RSS:        %s\n", rss)
	fmt.Fprintf(w, "Go heap:         peak %.1f MB in objects, %.1f MB in goroutine stacks, %.1f MB held by the Go runtime\n",
		float64(r.heapPeak)/(1<<20), float64(r.stackPeak)/(1<<20), float64(r.goPeak)/(1<<20))
}

// cpuTimes are cumulative CPU clock ticks from /proc: this process's, and the
// whole machine's busy and total over every core.
type cpuTimes struct{ process, busy, total int64 }

// readCPU reads the CPU counters, so a run on a shared machine can show how
// much of the machine others took while it measured.
func readCPU() (cpuTimes, bool) {
	self, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return cpuTimes{}, false
	}
	// Fields after the command name, which is in parentheses: utime and stime
	// are the 12th and 13th.
	rest := string(self)
	if i := strings.LastIndexByte(rest, ')'); i >= 0 {
		rest = rest[i+1:]
	}
	f := strings.Fields(rest)
	stat, err := os.ReadFile("/proc/stat")
	if err != nil || len(f) < 13 {
		return cpuTimes{}, false
	}
	var t cpuTimes
	for _, v := range f[11:13] {
		n, _ := strconv.ParseInt(v, 10, 64)
		t.process += n
	}
	line, _, _ := strings.Cut(string(stat), "\n")
	for i, v := range strings.Fields(line)[1:] {
		n, _ := strconv.ParseInt(v, 10, 64)
		if i >= 8 {
			break // guest time is already counted in user time
		}
		t.total += n
		if i != 3 && i != 4 { // idle, iowait
			t.busy += n
		}
	}
	return t, t.total > 0
}

// since returns the CPU used between then and t, by this process and by the
// machine, in percent of one core.
func (t cpuTimes) since(then cpuTimes) (process, machine float64) {
	total := float64(t.total - then.total)
	if total <= 0 {
		return 0, 0
	}
	cores := float64(100 * runtime.NumCPU())
	return float64(t.process-then.process) / total * cores, float64(t.busy-then.busy) / total * cores
}

// writeHeapProfile writes the live heap, as of the last garbage collection.
func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("loadtest: %w", err)
	}
	runtime.GC()
	if err := pprof.WriteHeapProfile(f); err != nil {
		f.Close()
		return fmt.Errorf("loadtest: heap profile: %w", err)
	}
	return f.Close()
}

// peakRSS reads the process's peak resident memory (VmHWM) from /proc, or 0
// where there is no /proc.
func peakRSS() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				return 0
			}
			return kb << 10
		}
	}
	return 0
}

// memorySampler records the peaks of the Go heap's objects and of all memory
// the Go runtime holds (mapped and not returned to the system), sampled every
// 100 ms.
type memorySampler struct {
	cancel      context.CancelFunc
	wg          sync.WaitGroup
	mu          sync.Mutex
	heap, total uint64
	stacks      uint64
}

func startMemorySampler() *memorySampler {
	ctx, cancel := context.WithCancel(context.Background())
	m := &memorySampler{cancel: cancel}
	samples := []metrics.Sample{
		{Name: "/memory/classes/heap/objects:bytes"},
		{Name: "/memory/classes/total:bytes"},
		{Name: "/memory/classes/heap/released:bytes"},
		{Name: "/memory/classes/heap/stacks:bytes"},
	}
	m.wg.Go(func() {
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(samples)
			m.mu.Lock()
			m.heap = max(m.heap, samples[0].Value.Uint64())
			m.total = max(m.total, samples[1].Value.Uint64()-samples[2].Value.Uint64())
			m.stacks = max(m.stacks, samples[3].Value.Uint64())
			m.mu.Unlock()
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	})
	return m
}

func (m *memorySampler) stop() {
	m.cancel()
	m.wg.Wait()
}

func (m *memorySampler) peaks() (heap, stacks, total uint64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.heap, m.stacks, m.total
}
