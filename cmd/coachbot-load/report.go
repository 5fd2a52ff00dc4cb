package main

import (
	"bufio"
	"fmt"
	"io"
	"maps"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

// loadReport is what a run measured: the people's view of the bot, and the
// bot's own resources.
type loadReport struct {
	name       string
	users      int
	people     peopleResult
	peakRSS    int64 // the bot's, bytes; 0 when unknown
	mem        memPeaks
	cpuBot     float64 // percent of one core while measuring; 0 when unknown
	cpuLoad    float64 // this process: the fake and the people
	cpuMachine float64
	cpuSteal   float64 // of cpuMachine, taken by the host for other guests
	limits     bool
}

func (r *loadReport) print(w io.Writer) {
	p := r.people
	secs := p.Measured.Seconds()
	rate := func(n int) float64 {
		if secs <= 0 {
			return 0
		}
		return float64(n) / secs
	}
	round := func(d time.Duration) string { return d.Round(10 * time.Microsecond).String() }
	mb := func(b int64) string {
		if b <= 0 {
			return "n/a"
		}
		return fmt.Sprintf("%.1f MB", float64(b)/(1<<20))
	}
	fmt.Fprintf(w, "scenario:        %s\n", r.name)
	fmt.Fprintf(w, "users:           %d (warm-up %s: onboarding and one experiment each)\n", r.users, p.Warmup.Round(time.Millisecond))
	fmt.Fprintf(w, "measured:        %s\n", p.Measured.Round(time.Millisecond))
	if p.Finished > 0 {
		fmt.Fprintf(w, "finished:        %d of %d people made all their check-ins\n", p.Finished, r.users)
	}
	fmt.Fprintf(w, "updates handled: %d (%d replies delivered, %d of them unexpected: duplicates)\n", p.Handled, p.Replies, p.Unexpected)
	fmt.Fprintf(w, "updates/s:       %.0f\n", rate(p.Handled))
	if r.limits {
		fmt.Fprintf(w, "sent/s:          %.1f messages, %.1f with keyboard edits (the fake allows 30/s overall, 1/s per chat with bursts of 4)\n",
			rate(p.Replies), rate(p.Replies+p.Edits))
	}
	fmt.Fprintf(w, "429 answers:     %d\n", p.TooMany)
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
			r.cpuBot, r.cpuLoad, r.cpuMachine, 100*runtime.NumCPU())
		fmt.Fprintf(w, "stolen CPU:      %.0f%% (the host ran other guests while this machine had work; above a few percent the figures understate the bot)\n",
			r.cpuSteal)
		if u := rate(p.Handled); u > 0 {
			fmt.Fprintf(w, "CPU per update:  the bot %.0f µs, the fake and the people %.0f µs\n",
				r.cpuBot/100*1e6/u, r.cpuLoad/100*1e6/u)
		}
	}
	fmt.Fprintf(w, "bot memory:      peak RSS %s (VmHWM)\n", mb(r.peakRSS))
	if r.mem.anon > 0 {
		fmt.Fprintf(w, "                 of which at most %s private (the heap, SQLite's caches, stacks) and %s mapped from files (mostly the binary's own code and data, shared with the page cache)\n",
			mb(r.mem.anon), mb(r.mem.file))
	}
	fmt.Fprintf(w, "load memory:     peak RSS %s (the fake and the people, not counted above)\n", mb(peakRSS("self")))
}

// cpuTimes are cumulative CPU clock ticks from /proc: the bot's, this
// process's, and the whole machine's busy and total over every core. Steal is
// time a virtual machine's host gave to other guests while this one had work:
// it is part of busy, and not this machine's doing.
type cpuTimes struct{ bot, self, busy, steal, total int64 }

// readCPU reads the CPU counters, so a run on a shared machine can show how
// much of the machine others took while it measured.
func readCPU(botPID int) (cpuTimes, bool) {
	var t cpuTimes
	var ok bool
	if t.bot, ok = processTicks(strconv.Itoa(botPID)); !ok {
		return t, false
	}
	if t.self, ok = processTicks("self"); !ok {
		return t, false
	}
	stat, err := os.ReadFile("/proc/stat")
	if err != nil {
		return t, false
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

// processTicks is a process's user and system time.
func processTicks(pid string) (int64, bool) {
	b, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return 0, false
	}
	// Fields after the command name, which is in parentheses: utime and stime
	// are the 12th and 13th.
	rest := string(b)
	if i := strings.LastIndexByte(rest, ')'); i >= 0 {
		rest = rest[i+1:]
	}
	f := strings.Fields(rest)
	if len(f) < 13 {
		return 0, false
	}
	var n int64
	for _, v := range f[11:13] {
		x, _ := strconv.ParseInt(v, 10, 64)
		n += x
	}
	return n, true
}

// since returns the CPU used between then and t, by the bot, by this process,
// by the machine and by the host's other guests, in percent of one core.
func (t cpuTimes) since(then cpuTimes) (bot, self, machine, steal float64) {
	total := float64(t.total - then.total)
	if total <= 0 {
		return 0, 0, 0, 0
	}
	cores := float64(100 * runtime.NumCPU())
	pct := func(n int64) float64 { return float64(n) / total * cores }
	return pct(t.bot - then.bot), pct(t.self - then.self), pct(t.busy - then.busy), pct(t.steal - then.steal)
}

// peakRSS reads a process's peak resident memory (VmHWM) from /proc, or 0
// where there is no /proc.
func peakRSS(pid string) int64 { return statusBytes(pid, "VmHWM") }

// statusBytes reads one memory field of a process's /proc status, or 0 where
// there is none.
func statusBytes(pid, field string) int64 {
	f, err := os.Open("/proc/" + pid + "/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				return 0
			}
			return kb << 10
		}
	}
	return 0
}

// memPeaks are the most of each kind of resident memory a process was seen
// to hold: private (RssAnon) and mapped from files (RssFile). The kernel keeps
// only the peak of their sum, so they are sampled.
type memPeaks struct{ anon, file int64 }

// watchMemory samples pid's resident memory every interval until stop is
// called, which returns the peaks seen.
func watchMemory(pid string, every time.Duration) (stop func() memPeaks) {
	done := make(chan struct{})
	result := make(chan memPeaks, 1)
	go func() {
		var p memPeaks
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			p.anon = max(p.anon, statusBytes(pid, "RssAnon"))
			p.file = max(p.file, statusBytes(pid, "RssFile"))
			select {
			case <-done:
				result <- p
				return
			case <-t.C:
			}
		}
	}()
	return func() memPeaks {
		close(done)
		return <-result
	}
}
