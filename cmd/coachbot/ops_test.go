package main

import (
	"fmt"
	"io"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coachbot/coachbot/bot/telegram/telegramtest"
)

// scrape gets path from the bot's ops server.
func scrape(tb testing.TB, addr, path string) (int, string) {
	tb.Helper()
	resp, err := http.Get("http://" + addr + path)
	if err != nil {
		tb.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// metric reads one sample, such as `coachbot_updates_total{platform="telegram",result="ok"}`,
// from a /metrics body; -1 when it is not there.
func metric(body, sample string) float64 {
	for _, l := range strings.Split(body, "\n") {
		if v, ok := strings.CutPrefix(l, sample+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err == nil {
				return f
			}
		}
	}
	return -1
}

// waitStatus polls path until it answers code.
func waitStatus(tb testing.TB, addr, path string, code int) string {
	tb.Helper()
	deadline := time.Now().Add(tgWait)
	for {
		got, body := 0, "not listening yet"
		if resp, err := http.Get("http://" + addr + path); err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			got, body = resp.StatusCode, string(b)
		}
		if got == code {
			return body
		}
		if time.Now().After(deadline) {
			tb.Fatalf("%s: got %d %q, want %d", path, got, body, code)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// A short journey over the fake Telegram moves the counters, and nothing a
// person wrote, nor who they are, shows in the metrics; /readyz follows the
// platform's connection, and `coachbot health` asks the running bot.
func TestOpsMetricsAfterJourney(t *testing.T) {
	fake := telegramtest.NewServer(t)
	addr := freeAddr(t)
	config := writeTGConfig(t, tgPollingConfig(fake)+fmt.Sprintf("ops: {listen: %q}\n", addr))
	prog := startTGProgram(t, "run", "-config", config, "-db", t.TempDir()+"/bot.db")

	waitStatus(t, addr, "/readyz", http.StatusOK)
	if _, body := scrape(t, addr, "/readyz"); body != "database: ok\ntelegram: ok\n" {
		t.Errorf("/readyz: got %q", body)
	}

	const chat = 7394021
	ana := newTGPerson(t, fake, chat)
	ana.say("/start", "Shall we begin?")
	ana.press("Yes, let's begin", "Which time zone")
	ana.say("Zurich", "What time of day")
	fake.FailNext("sendMessage", 1, http.StatusTooManyRequests, 1)
	ana.say("08:30", "rest days")
	ana.press("Sat Sun", "Rest days: Sat Sun")
	ana.say("/action", "What would you like to try?")
	ana.say("call my estranged brother Tobias", "When will you try it?")

	want := map[string]float64{
		`coachbot_updates_total{platform="telegram",result="ok"}`:                               7,
		`coachbot_replies_sent_total{platform="telegram"}`:                                      7,
		`coachbot_rate_limited_total{platform="telegram"}`:                                      1,
		`coachbot_send_failures_total{kind="rate_limited",platform="telegram"}`:                 1,
		`coachbot_commit_seconds_count`:                                                         8,
		`coachbot_clients`:                                                                      1,
		`coachbot_active_clients`:                                                               1,
		`coachbot_stats_up`:                                                                     1,
		`coachbot_send_failures_total{kind="transient",platform="telegram"}`:                    0,
		`coachbot_updates_total{platform="telegram",result="error"}`:                            0,
		`coachbot_safety_events_total`:                                                          0,
		`coachbot_outbox_pending`:                                                               0,
		`coachbot_build_info{goversion="` + goRelease() + `",version="` + buildVersion() + `"}`: 1,
	}
	// The counters move as each send and update finishes, a moment after
	// the person sees the reply.
	var body string
	for deadline := time.Now().Add(tgWait); ; {
		_, body = scrape(t, addr, "/metrics")
		short := false
		for sample, least := range want {
			short = short || metric(body, sample) < least
		}
		if !short || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	for sample, least := range want {
		if got := metric(body, sample); got < least {
			t.Errorf("%s: got %v, want at least %v", sample, got, least)
		}
	}
	for _, private := range []string{"estranged", "Tobias", strconv.Itoa(chat), "Zurich", "08:30", fake.Token()} {
		if strings.Contains(body, private) {
			t.Errorf("/metrics shows %q", private)
		}
	}

	t.Run("HealthCommand", func(t *testing.T) {
		for _, args := range [][]string{{"health", "-addr", addr}, {"health", "-config", config}, {"health", "-ready", "-addr", addr}} {
			out, _, err := runCmd(t, "", args...)
			if err != nil || out == "" {
				t.Errorf("%v: %q, %v; want the bot's answer", args, out, err)
			}
		}
	})
	t.Run("NotReadyWhilePollingFails", func(t *testing.T) {
		fake.FailNext("getUpdates", 1000, http.StatusBadGateway, 0)
		fake.SendText(chat, "/help") // ends the long poll in flight
		body := waitStatus(t, addr, "/readyz", http.StatusServiceUnavailable)
		if !strings.Contains(body, "database: ok") || !strings.Contains(body, "telegram: getUpdates failed: Bad Gateway") {
			t.Errorf("/readyz: got %q, want the database ok and why Telegram is not", body)
		}
		if _, _, err := runCmd(t, "", "health", "-ready", "-addr", addr); err == nil || !strings.Contains(err.Error(), "503") {
			t.Errorf("health -ready: got %v, want a 503", err)
		}
		if code, _ := scrape(t, addr, "/healthz"); code != http.StatusOK {
			t.Errorf("/healthz: got %d, want 200: the process is alive", code)
		}
	})
	prog.stop()
	if _, err := http.Get("http://" + addr + "/healthz"); err == nil {
		t.Error("ops server still answering after the bot stopped")
	}
}

func goRelease() string {
	if info, ok := debug.ReadBuildInfo(); ok {
		return info.GoVersion
	}
	return ""
}

// The ops server cannot take an address in use: start-up stops with one
// line naming ops.listen.
func TestOpsListenInUse(t *testing.T) {
	fake := telegramtest.NewServer(t)
	addr := freeAddr(t)
	config := writeTGConfig(t, tgPollingConfig(fake)+fmt.Sprintf("ops: {listen: %q}\n", addr))
	prog := startTGProgram(t, "run", "-config", config, "-db", t.TempDir()+"/a.db")
	waitStatus(t, addr, "/healthz", http.StatusOK)
	_, _, err := runCmd(t, "", "run", "-config", config, "-db", t.TempDir()+"/b.db")
	if err == nil || !strings.HasPrefix(err.Error(), "ops.listen "+addr) || strings.Contains(err.Error(), "\n") {
		t.Errorf("second bot on the same ops.listen: got %v, want one line naming ops.listen", err)
	}
	prog.stop()
}

func TestOpsAndBackupConfig(t *testing.T) {
	tests := []struct{ name, yaml, env, want string }{
		{"ListenNoPort", "ops: {listen: localhost}\n", "", `config: ops.listen: "localhost" is not an address like 127.0.0.1:9090`},
		{"ListenBadPort", "ops: {listen: \"127.0.0.1:http\"}\n", "", "config: ops.listen:"},
		{"ListenFromEnv", "", "nonsense", `config: ops.listen: "nonsense"`},
		{"EveryTooOften", "backup: {every: 1m}\n", "", "config: backup.every: must be 0 (off) or between 10m and 30d"},
		{"EveryNotDuration", "backup: {every: daily}\n", "", `config: backup.every (line 1): "daily" is not a duration`},
		{"KeepZero", "backup: {keep: 0}\n", "", "config: backup.keep: must be between 1 and 1000"},
		{"DirEmpty", "backup: {every: 24h, dir: \"\"}\n", "", "config: backup.dir: must name a directory"},
		{"UnknownKey", "backup: {evry: 24h}\n", "", "config: backup.evry (line 1): unknown key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseConfig([]byte(tt.yaml), func(k string) string {
				if k == "COACHBOT_OPS_LISTEN" {
					return tt.env
				}
				return ""
			})
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("got %v, want %q", err, tt.want)
			}
		})
	}
	t.Run("OK", func(t *testing.T) {
		cfg, err := parseConfig([]byte("ops: {listen: \":9090\"}\nbackup: {every: 24h, keep: 14, dir: /var/backups/coachbot}\n"), noEnv)
		if err != nil {
			t.Fatal(err)
		}
		want := BackupConfig{Every: Duration(24 * time.Hour), Keep: 14, Dir: "/var/backups/coachbot"}
		if cfg.Ops.Listen != ":9090" || cfg.Backup != want {
			t.Errorf("got %+v %+v", cfg.Ops, cfg.Backup)
		}
		def, _ := parseConfig(nil, noEnv)
		if def.Ops.Listen != "" || def.Backup.Every != 0 || def.Backup.Keep != 7 || def.Backup.Dir != "backups" {
			t.Errorf("defaults: got %+v %+v, want ops off, backups off, keep 7 in backups", def.Ops, def.Backup)
		}
	})
}

func TestVersion(t *testing.T) {
	out, _, err := runCmd(t, "", "version")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) < 2 || !strings.HasPrefix(lines[0], "coachbot ") || !strings.HasPrefix(lines[1], "go1.") {
		t.Errorf("got %q, want the version and the Go release first", out)
	}
	t.Run("Modules", func(t *testing.T) {
		info := &debug.BuildInfo{
			GoVersion: "go1.26.8",
			Main:      debug.Module{Path: "github.com/coachbot/coachbot", Version: "v1.4.0"},
			Deps: []*debug.Module{
				{Path: "github.com/dustin/go-humanize", Version: "v1.0.1"},
				{Path: "modernc.org/sqlite", Version: "v1.60.1"},
				{Path: "github.com/bwmarrin/discordgo", Version: "v0.29.0", Replace: &debug.Module{Path: "../discordgo", Version: ""}},
				{Path: "github.com/VictoriaMetrics/metrics", Version: "v1.45.0"},
			},
			Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "0123456789abcdef0123"}, {Key: "vcs.modified", Value: "true"}},
		}
		var b strings.Builder
		writeVersion(&b, info, false)
		got := b.String()
		for _, want := range []string{
			"coachbot v1.4.0 (0123456789ab, modified)\n",
			"modernc.org/sqlite                  v1.60.1\n",
			"github.com/bwmarrin/discordgo       v0.29.0 => ../discordgo\n",
			"github.com/VictoriaMetrics/metrics  v1.45.0\n",
		} {
			if !strings.Contains(got, want) {
				t.Errorf("got\n%s\nwant a line %q", got, want)
			}
		}
		if strings.Contains(got, "humanize") {
			t.Errorf("got\n%s\nwant only the main modules", got)
		}
		b.Reset()
		writeVersion(&b, info, true)
		if !strings.Contains(b.String(), "github.com/dustin/go-humanize") {
			t.Errorf("-all: got\n%s\nwant every module", b.String())
		}
	})
}
