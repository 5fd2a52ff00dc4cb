package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// cmdLoadtest measures the bot against a fake Telegram: N simulated people,
// each in a closed loop (write, wait for the answer, write again), onboard and
// design one experiment, then reflect on it with /checkin over and over. Every
// answer is committed before its reply leaves, so the numbers include durable
// storage. The fake and the people run in a second process, started from this
// binary, so the memory and CPU shown for the bot are the bot's alone.
func cmdLoadtest(ctx context.Context, e env, args []string) error {
	if e.getenv(loadPeopleEnv) != "" {
		return runPeople(ctx, e)
	}
	// The bot's logs and the people side's share stderr.
	e.stderr = &syncWriter{w: e.stderr}
	var c common
	fs := newFlags("loadtest", e, &c)
	users := fs.Int("users", 200, "how many simulated `people` chat at once")
	duration := fs.Duration("duration", 20*time.Second, "how long to measure, after the warm-up")
	press := fs.Bool("press", false, "press buttons where the bot shows them, instead of typing their words")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the bot during the measured part to `file`")
	memProfile := fs.String("memprofile", "", "write a heap profile of the bot at the end of the measured part to `file`")
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

	plan := loadPlan{Users: *users, Duration: *duration, Press: *press}
	plan.Warmup, plan.Loop = loadSteps(a.catalog)
	people, err := startPeople(ctx, e, plan)
	if err != nil {
		return err
	}
	defer people.stop()
	where, err := people.next()
	if err != nil {
		return err
	}
	// Only the fake, and no delivery limits: the run measures the bot itself.
	a.cfg.Telegram = TelegramConfig{Token: where.Token, APIURL: where.URL, Mode: "polling"}
	a.cfg.Discord.Token = ""

	mem := startMemorySampler()
	defer mem.stop()
	serveCtx, stopServe := context.WithCancel(ctx)
	served := make(chan error, 1)
	go func() { served <- a.serve(serveCtx) }()

	rep, runErr := measureBot(people, *cpuProfile, *memProfile)
	rep.users = *users
	stopServe()
	serveErr := <-served
	mem.stop()
	rep.heapPeak, rep.stackPeak, rep.goPeak = mem.peaks()
	rep.peakRSS = peakRSS()
	if err := errors.Join(runErr, serveErr, people.stop()); err != nil {
		return err
	}
	rep.print(e.stdout)
	return nil
}

// measureBot waits for the people side's warm-up, then measures the bot
// until the people side reports.
func measureBot(people *peopleProc, cpuProfile, memProfile string) (*loadReport, error) {
	rep := &loadReport{}
	news, err := people.next()
	if err != nil {
		return rep, err
	}
	if !news.Measuring {
		return rep, fmt.Errorf("loadtest: the people side said %+v before measuring", news)
	}
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
	cpuBefore, cpuOK := readCPU()
	news, err = people.next()
	if cpuAfter, ok := readCPU(); ok && cpuOK {
		rep.cpuBot, rep.cpuMachine, rep.cpuSteal = cpuAfter.since(cpuBefore)
	}
	if err != nil {
		return rep, err
	}
	if news.Result == nil {
		return rep, fmt.Errorf("loadtest: the people side said %+v instead of its result", news)
	}
	rep.people = *news.Result
	if memProfile != "" {
		if err := writeHeapProfile(memProfile); err != nil {
			return rep, err
		}
	}
	return rep, nil
}

// peopleProc is the people side's process: the bot side writes the plan to
// its stdin and reads its news, one JSON value at a time, from its stdout.
type peopleProc struct {
	cmd      *exec.Cmd
	stdin    io.WriteCloser
	news     *json.Decoder
	stopOnce sync.Once
	stopErr  error
}

// startPeople starts this binary again as the people side and sends it plan.
func startPeople(ctx context.Context, e env, plan loadPlan) (*peopleProc, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("loadtest: find this program to start the people side: %w", err)
	}
	cmd := exec.CommandContext(ctx, exe, "loadtest")
	cmd.Env = append(os.Environ(), loadPeopleEnv+"=1")
	cmd.Stderr = e.stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("loadtest: %w", err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("loadtest: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("loadtest: start the people side: %w", err)
	}
	p := &peopleProc{cmd: cmd, stdin: stdin, news: json.NewDecoder(stdout)}
	if err := json.NewEncoder(stdin).Encode(plan); err != nil {
		p.stop()
		return nil, fmt.Errorf("loadtest: send the plan: %w", err)
	}
	return p, nil
}

// next reads the people side's next news; news of a failure is an error.
func (p *peopleProc) next() (loadNews, error) {
	var n loadNews
	if err := p.news.Decode(&n); err != nil {
		return n, fmt.Errorf("loadtest: the people side stopped: %w", err)
	}
	if n.Err != "" {
		return n, errors.New(n.Err)
	}
	return n, nil
}

// stop lets the people side end (it waits for stdin to close) and waits for it.
func (p *peopleProc) stop() error {
	p.stopOnce.Do(func() {
		p.stdin.Close()
		if err := p.cmd.Wait(); err != nil {
			p.stopErr = fmt.Errorf("loadtest: the people side: %w", err)
		}
	})
	return p.stopErr
}

// syncWriter serializes writes to w.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// loadReport is what a run measured: the people side's view of the bot, and
// the bot's own resources.
type loadReport struct {
	users      int
	people     peopleResult
	peakRSS    int64 // bytes; 0 when unknown
	heapPeak   uint64
	stackPeak  uint64
	goPeak     uint64
	cpuBot     float64 // percent of one core while measuring; 0 when unknown
	cpuMachine float64
	cpuSteal   float64 // of cpuMachine, taken by the host for other guests
}

func (r *loadReport) print(w io.Writer) {
	p := r.people
	rate := 0.0
	if p.Measured > 0 {
		rate = float64(p.Handled) / p.Measured.Seconds()
	}
	round := func(d time.Duration) string { return d.Round(10 * time.Microsecond).String() }
	mb := func(b int64) string {
		if b <= 0 {
			return "n/a"
		}
		return fmt.Sprintf("%.1f MB", float64(b)/(1<<20))
	}
	fmt.Fprintf(w, "users:           %d (warm-up %s: onboarding and one experiment each)\n", r.users, p.Warmup.Round(time.Millisecond))
	fmt.Fprintf(w, "measured:        %s\n", p.Measured.Round(time.Millisecond))
	fmt.Fprintf(w, "updates handled: %d (%d replies delivered, %d of them unexpected: duplicates)\n", p.Handled, p.Replies, p.Unexpected)
	fmt.Fprintf(w, "updates/s:       %.0f\n", rate)
	if polls := p.Calls["getUpdates"]; polls > 0 {
		fmt.Fprintf(w, "polls:           %d getUpdates calls, %.1f updates each\n", polls, float64(p.Served)/float64(polls))
	}
	if p.Handled > 0 && len(p.Calls) > 0 {
		var parts []string
		for _, m := range slices.Sorted(maps.Keys(p.Calls)) {
			if p.Calls[m] > 0 {
				parts = append(parts, fmt.Sprintf("%s %.2f", m, float64(p.Calls[m])/float64(p.Handled)))
			}
		}
		fmt.Fprintf(w, "API calls:       per update: %s\n", strings.Join(parts, ", "))
	}
	l := p.Latency
	fmt.Fprintf(w, "reply latency:   p50 %s  p95 %s  p99 %s  max %s\n", round(l.P50), round(l.P95), round(l.P99), round(l.Max))
	if r.cpuMachine > 0 {
		fmt.Fprintf(w, "CPU:             the bot %.0f%%, the fake and the people %.0f%%, the whole machine %.0f%%, of %d%%\n",
			r.cpuBot, p.CPU, r.cpuMachine, 100*runtime.NumCPU())
		fmt.Fprintf(w, "stolen CPU:      %.0f%% (the host ran other guests while this machine had work; above a few percent the figures understate the bot)\n",
			r.cpuSteal)
		if rate > 0 {
			fmt.Fprintf(w, "CPU per update:  the bot %.0f µs, the fake and the people %.0f µs\n",
				r.cpuBot/100*1e6/rate, p.CPU/100*1e6/rate)
		}
	}
	fmt.Fprintf(w, "bot memory:      peak RSS %s (VmHWM); Go heap peak %s in objects, %s in goroutine stacks, %s held by the Go runtime\n",
		mb(r.peakRSS), mb(int64(r.heapPeak)), mb(int64(r.stackPeak)), mb(int64(r.goPeak)))
	fmt.Fprintf(w, "people memory:   peak RSS %s (the fake and the people, not counted above)\n", mb(p.PeakRSS))
}

// cpuTimes are cumulative CPU clock ticks from /proc: this process's, and the
// whole machine's busy and total over every core.
// Steal is time a virtual machine's host gave to other guests while this one
// had work: it is part of busy, and not this machine's doing.
type cpuTimes struct{ process, busy, steal, total int64 }

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
		if i == 7 {
			t.steal += n
		}
	}
	return t, t.total > 0
}

// since returns the CPU used between then and t, by this process, by the
// machine and by the host's other guests, in percent of one core.
func (t cpuTimes) since(then cpuTimes) (process, machine, steal float64) {
	total := float64(t.total - then.total)
	if total <= 0 {
		return 0, 0, 0
	}
	cores := float64(100 * runtime.NumCPU())
	return float64(t.process-then.process) / total * cores, float64(t.busy-then.busy) / total * cores,
		float64(t.steal-then.steal) / total * cores
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
