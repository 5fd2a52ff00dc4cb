package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/coachbot/coachbot/bot"
	"github.com/coachbot/coachbot/bot/discord"
	"github.com/coachbot/coachbot/bot/telegram"
	"github.com/coachbot/coachbot/storage"
)

// Verdicts of one doctor check.
const (
	checkOK   = "OK"
	checkWarn = "WARN"
	checkFail = "FAIL"
)

// doctor checks a deployment and prints one line per check: the verdict,
// what was checked, what it found and, for WARN and FAIL, what to do. It
// only reads: it works beside a running bot and changes nothing but creating
// the backup directory.
type doctor struct {
	out     io.Writer
	cfg     Config
	secrets []string
	timeout time.Duration // for each call to a platform
	now     func() time.Time
	fails   int
	warns   int
}

func cmdDoctor(ctx context.Context, e env, args []string) error {
	var c common
	fs := newFlags("doctor", e, &c)
	if err := parse(fs, args); err != nil {
		return err
	}
	d := &doctor{out: e.stdout, timeout: 15 * time.Second, now: time.Now}
	explicit := false
	fs.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "config" })
	cfg, err := loadConfig(c.config, explicit, e.getenv)
	if err != nil {
		d.report(checkFail, "config", strings.TrimPrefix(err.Error(), "config: "),
			"fix that key (config.example.yaml documents every one); nothing else can be checked until it loads")
		return d.verdict()
	}
	if c.db != "" {
		cfg.DB = c.db
	}
	d.cfg, d.secrets = cfg, cfg.secrets()
	d.config(c.config, explicit)
	zones := d.database(ctx)
	d.disk()
	d.telegram(ctx)
	d.discord(ctx)
	d.clock(ctx, zones)
	d.ops(ctx)
	d.backups()
	return d.verdict()
}

// report prints one check's line, without any configured secret.
func (d *doctor) report(verdict, what, found, todo string) {
	switch verdict {
	case checkFail:
		d.fails++
	case checkWarn:
		d.warns++
	}
	flat := func(s string) string { return strings.Join(strings.Fields(s), " ") }
	line := fmt.Sprintf("%-4s  %-9s %s", verdict, what, flat(found))
	if todo != "" && verdict != checkOK {
		line += " → " + flat(todo)
	}
	fmt.Fprintln(d.out, bot.Redact(line, d.secrets...))
}

// verdict is the summary line, and an error (exit 1) when a check failed.
func (d *doctor) verdict() error {
	fmt.Fprintf(d.out, "\n%d failed, %d warnings\n", d.fails, d.warns)
	if d.fails > 0 {
		return fmt.Errorf("doctor: %d %s failed", d.fails, plural(d.fails, "check", "checks"))
	}
	return nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func (d *doctor) config(path string, explicit bool) {
	source := path
	if _, err := os.Stat(path); err != nil && !explicit {
		source = "no config file (defaults and the environment)"
	}
	var platforms []string
	if d.cfg.Telegram.Token != "" {
		platforms = append(platforms, "telegram ("+d.cfg.Telegram.Mode+")")
	}
	if d.cfg.Discord.Token != "" {
		platforms = append(platforms, "discord")
	}
	if len(platforms) == 0 {
		d.report(checkWarn, "config", source+": every key valid, but no platform is configured",
			"set telegram.token or discord.token (or COACHBOT_TELEGRAM_TOKEN, COACHBOT_DISCORD_TOKEN); without one, coachbot run opens the console chat")
	} else {
		d.report(checkOK, "config", source+": every key valid; "+strings.Join(platforms, ", "), "")
	}
	if d.cfg.CoachCode == "" && len(d.cfg.Admins) == 0 {
		d.report(checkWarn, "coaches", "neither coach_code nor admins is set, so nobody can become a coach",
			"set coach_code (or COACHBOT_COACH_CODE), or list yourself in admins")
	}
}

// database checks the file read-only and returns the time zones in use.
func (d *doctor) database(ctx context.Context) []string {
	path := d.cfg.DB
	in, err := storage.Inspect(ctx, path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		d.report(checkWarn, "database", path+" does not exist yet",
			"coachbot run creates it; if the bot has run before, check db (or COACHBOT_DB) points at its file")
		return nil
	case err != nil:
		d.report(checkFail, "database", err.Error(),
			"restore the newest backup (backup.dir) or recover the file with sqlite3 .recover")
		return nil
	case in.Integrity != "ok":
		d.report(checkFail, "database", path+": integrity check: "+in.Integrity,
			"stop the bot and restore the newest backup (backup.dir), or recover the file with sqlite3 .recover")
		return in.Zones
	case in.Schema > in.Latest:
		d.report(checkFail, "database", fmt.Sprintf("%s is at schema %d, newer than this build knows (%d)", path, in.Schema, in.Latest),
			"run the coachbot release that wrote it, or a newer one")
		return in.Zones
	case in.Schema < in.Latest:
		d.report(checkWarn, "database", fmt.Sprintf("%s: intact, %s, schema %d of %d", path, size(in.Size), in.Schema, in.Latest),
			"the next start migrates it; back it up first (coachbot backup -out FILE)")
	default:
		d.report(checkOK, "database", fmt.Sprintf("%s: intact, %s, schema %d (the latest)", path, size(in.Size), in.Schema), "")
	}
	for _, p := range []string{path, filepath.Dir(path)} {
		if err := writable(p); err != nil {
			d.report(checkFail, "database", fmt.Sprintf("%s cannot be written: %v", p, err),
				"give the user the bot runs as write access to the file and its directory")
		}
	}
	return in.Zones
}

// disk checks the free space next to the database: a backup needs as much as
// the file, and SQLite's log some more.
func (d *doctor) disk() {
	dir := filepath.Dir(d.cfg.DB)
	free, err := freeSpace(dir)
	if err != nil {
		d.report(checkWarn, "disk", "free space in "+dir+" unknown: "+err.Error(), "check it by hand (df -h)")
		return
	}
	var used int64
	if st, err := os.Stat(d.cfg.DB); err == nil {
		used = st.Size()
	}
	switch {
	case free < uint64(max(2*used, 64<<20)):
		d.report(checkFail, "disk", fmt.Sprintf("only %s free in %s", size(int64(free)), dir),
			"free some space: at 0 bytes the bot cannot save answers, and a backup needs as much as the database")
	case free < uint64(max(4*used, 1<<30)):
		d.report(checkWarn, "disk", fmt.Sprintf("%s free in %s", size(int64(free)), dir),
			"keep at least 1 GB (or four times the database) free for backups and the write-ahead log")
	default:
		d.report(checkOK, "disk", fmt.Sprintf("%s free in %s", size(int64(free)), dir), "")
	}
}

func (d *doctor) telegram(ctx context.Context) {
	tc := d.cfg.Telegram
	if tc.Token == "" {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, d.timeout)
	defer cancel()
	tg, err := telegram.New(ctx, telegram.Config{Token: tc.Token, APIURL: tc.APIURL, Mode: telegram.ModePolling}, nil)
	if err != nil {
		todo := "check the network and telegram.api_url (" + tc.APIURL + ")"
		if strings.Contains(err.Error(), "rejected") {
			todo = "copy the token again from @BotFather (/mybots) into telegram.token or COACHBOT_TELEGRAM_TOKEN"
		}
		d.report(checkFail, "telegram", strings.TrimPrefix(err.Error(), "telegram: "), todo)
		return
	}
	d.report(checkOK, "telegram", "token accepted by getMe: @"+tg.Username(), "")

	info, err := tg.WebhookInfo(ctx)
	if err != nil {
		d.report(checkFail, "webhook", strings.TrimPrefix(err.Error(), "telegram: "), "check the network and telegram.api_url")
		return
	}
	pending := fmt.Sprintf("%d %s waiting", info.PendingUpdates, plural(info.PendingUpdates, "update", "updates"))
	if tc.Mode == telegram.ModePolling {
		if info.URL != "" {
			d.report(checkWarn, "webhook", "a webhook is registered ("+info.URL+") while telegram.mode is polling; "+pending,
				"coachbot run removes it at start; set telegram.mode: webhook if you meant to use it")
			return
		}
		d.report(checkOK, "webhook", "none, the bot polls; "+pending, "")
		return
	}
	public := tc.Webhook.PublicURL
	switch {
	case info.LastError != "" && d.now().Sub(info.LastErrorAt) < 24*time.Hour:
		d.report(checkFail, "webhook", fmt.Sprintf("Telegram's last delivery to %s failed %s ago: %s; %s",
			orNone(info.URL), ago(d.now().Sub(info.LastErrorAt)), info.LastError, pending),
			"make "+public+" reach webhook.listen ("+tc.Webhook.Listen+") through your https reverse proxy, and check the bot is running")
	case info.URL == "":
		d.report(checkWarn, "webhook", "not registered yet; "+pending, "coachbot run registers "+public+" at start")
	case info.URL != public:
		d.report(checkWarn, "webhook", "registered for "+info.URL+", not telegram.webhook.public_url ("+public+"); "+pending,
			"coachbot run registers the configured one at start; make sure no other deployment uses this token")
	default:
		d.report(checkOK, "webhook", "registered at "+info.URL+"; "+pending, "")
	}
}

func orNone(s string) string {
	if s == "" {
		return "(no URL)"
	}
	return s
}

func (d *doctor) discord(ctx context.Context) {
	dc := d.cfg.Discord
	if dc.Token == "" {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, d.timeout)
	defer cancel()
	_, err := discord.New(ctx, discord.Config{Token: dc.Token, GuildID: dc.GuildID, APIURL: dc.APIURL})
	if err != nil {
		todo := "check the network and discord.api_url (" + dc.APIURL + ")"
		if strings.Contains(err.Error(), "rejected") {
			todo = "reset the bot's token in the Discord developer portal (Bot, Reset Token) and put it in discord.token or COACHBOT_DISCORD_TOKEN"
		}
		d.report(checkFail, "discord", strings.TrimPrefix(err.Error(), "discord: "), todo)
		return
	}
	d.report(checkOK, "discord", "token accepted by /users/@me", "")
}

// clock compares the clock with the platforms' (the Date of an HTTP answer)
// and checks the time-zone data covers every zone in use.
func (d *doctor) clock(ctx context.Context, zones []string) {
	now := d.now()
	var urls []string
	if d.cfg.Telegram.Token != "" {
		urls = append(urls, d.cfg.Telegram.APIURL)
	}
	if d.cfg.Discord.Token != "" {
		urls = append(urls, d.cfg.Discord.APIURL)
	}
	switch skew, from, err := clockSkew(ctx, urls, d.timeout); {
	case now.Year() < 2025:
		d.report(checkFail, "clock", "the clock says "+now.UTC().Format(time.RFC3339), "set the system clock (timedatectl set-ntp true)")
	case err != nil:
		d.report(checkWarn, "clock", "could not compare with "+from+": "+err.Error(), "make sure the system clock is synchronised (timedatectl)")
	case from == "":
		d.report(checkOK, "clock", now.UTC().Format(time.RFC3339)+"; no platform to compare with", "")
	case skew.Abs() > 5*time.Minute:
		d.report(checkFail, "clock", fmt.Sprintf("%s off from %s", skew.Round(time.Second), from),
			"synchronise the system clock (timedatectl set-ntp true): invitations would go out at the wrong time")
	case skew.Abs() > 30*time.Second:
		d.report(checkWarn, "clock", fmt.Sprintf("%s off from %s", skew.Round(time.Second), from),
			"synchronise the system clock (timedatectl set-ntp true)")
	default:
		d.report(checkOK, "clock", fmt.Sprintf("within %s of %s", max(skew.Abs(), time.Second).Round(time.Second), from), "")
	}

	var bad []string
	for _, z := range append([]string{"Europe/Zurich"}, zones...) {
		if _, err := time.LoadLocation(z); err != nil {
			bad = append(bad, z)
		}
	}
	if len(bad) > 0 {
		d.report(checkFail, "zones", "no time-zone data for "+strings.Join(bad, ", "),
			"this build should carry its own zone data; install the tzdata package or use an official build")
		return
	}
	zurich, _ := time.LoadLocation("Europe/Zurich")
	_, offset := now.In(zurich).Zone()
	d.report(checkOK, "zones", fmt.Sprintf("zone data built in (Europe/Zurich is UTC%+d now); %d %s in use, all known",
		offset/3600, len(zones), plural(len(zones), "zone", "zones")), "")
}

// clockSkew is how far the local clock is ahead of the first of urls that
// answers with a Date header, and which it was.
func clockSkew(ctx context.Context, urls []string, timeout time.Duration) (time.Duration, string, error) {
	var firstErr error
	first := ""
	for _, u := range urls {
		host := u
		if i := strings.Index(u, "://"); i >= 0 {
			host = u[i+3:]
		}
		host, _, _ = strings.Cut(host, "/")
		if first == "" {
			first = host
		}
		cctx, cancel := context.WithTimeout(ctx, timeout)
		req, err := http.NewRequestWithContext(cctx, http.MethodHead, u, nil)
		if err != nil {
			cancel()
			firstErr = cmpErr(firstErr, err)
			continue
		}
		sent := time.Now()
		resp, err := http.DefaultClient.Do(req)
		cancel()
		if err != nil {
			firstErr = cmpErr(firstErr, err)
			continue
		}
		resp.Body.Close()
		date, err := http.ParseTime(resp.Header.Get("Date"))
		if err != nil {
			firstErr = cmpErr(firstErr, errors.New("no Date in the answer"))
			continue
		}
		// The server's second is somewhere in the round trip; its middle is
		// the best guess, and a Date has whole seconds.
		mid := sent.Add(time.Since(sent) / 2)
		skew := mid.Sub(date) - 500*time.Millisecond
		if skew.Abs() < time.Second {
			skew = 0
		}
		return skew, host, nil
	}
	return 0, first, firstErr
}

func cmpErr(first, err error) error {
	if first != nil {
		return first
	}
	return err
}

func (d *doctor) ops(ctx context.Context) {
	listen := d.cfg.Ops.Listen
	if listen == "" {
		d.report(checkOK, "ops", "off (set ops.listen, such as 127.0.0.1:9090, for /healthz, /readyz and /metrics)", "")
		return
	}
	host, _, _ := net.SplitHostPort(listen)
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", listen)
	switch {
	case err == nil:
		ln.Close()
	case healthy(ctx, listen):
		d.report(checkOK, "ops", "a running bot answers /healthz on "+listen, "")
		return
	default:
		d.report(checkFail, "ops", "ops.listen "+listen+" cannot be used: "+err.Error(), "choose a free address for ops.listen")
		return
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		d.report(checkWarn, "ops", listen+" is free, and reachable from other machines",
			"the metrics hold no client data, but bind 127.0.0.1 or firewall the port unless a scraper elsewhere needs it")
		return
	}
	d.report(checkOK, "ops", listen+" is free", "")
}

// healthy reports whether something on listen answers /healthz with 200.
func healthy(ctx context.Context, listen string) bool {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+dialable(listen)+"/healthz", nil)
	if err != nil {
		return false
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

func (d *doctor) backups() {
	b := newBackupSchedule(d.cfg, nil, slog.New(slog.DiscardHandler), nil)
	if b == nil {
		d.report(checkWarn, "backups", "no scheduled backups",
			"set backup.every (24h) and backup.keep (7), or copy "+d.cfg.DB+" elsewhere by other means (Litestream, coachbot backup)")
		return
	}
	if err := os.MkdirAll(b.dir, 0o750); err != nil {
		d.report(checkFail, "backups", "backup.dir: "+err.Error(), "create the directory, writable by the user the bot runs as")
		return
	}
	if err := writable(b.dir); err != nil {
		d.report(checkFail, "backups", "backup.dir "+b.dir+" cannot be written: "+err.Error(), "make it writable by the user the bot runs as")
		return
	}
	names, times := b.backups()
	what := fmt.Sprintf("every %s into %s, keeping %d", b.every, b.dir, b.keep)
	if len(names) == 0 {
		d.report(checkOK, "backups", what+"; none yet (the first is made at start)", "")
		return
	}
	age := d.now().Sub(times[len(times)-1])
	if age > 2*b.every {
		d.report(checkWarn, "backups", fmt.Sprintf("%s; the newest is %s old", what, ago(age)),
			"is the bot running? its log says why a backup failed (coachbot_backups_total{result=\"error\"} counts them)")
		return
	}
	d.report(checkOK, "backups", fmt.Sprintf("%s; %d there, the newest %s old", what, len(names), ago(age)), "")
}

// writable reports whether path (a file or a directory) may be written by
// this process.
func writable(path string) error {
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	if st.IsDir() {
		f, err := os.CreateTemp(path, ".coachbot-doctor-*")
		if err != nil {
			return err
		}
		name := f.Name()
		f.Close()
		return os.Remove(name)
	}
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	return f.Close()
}

// size says a byte count the way df does.
func size(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

// ago says a duration in its largest whole unit.
func ago(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d.Hours()))
	}
	return fmt.Sprintf("%dd", int(d.Hours()/24))
}
