package main

import (
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/coachbot/coachbot/bot"
	"github.com/coachbot/coachbot/flows"
	"github.com/coachbot/coachbot/scheduler"
)

// Config is config.yaml. Every key has a default, so no file at all is a valid
// configuration: the console chat on ./coachbot.db.
type Config struct {
	DB        string         `yaml:"db"`
	Telegram  TelegramConfig `yaml:"telegram"`
	Discord   DiscordConfig  `yaml:"discord"`
	Admins    []string       `yaml:"admins"`
	CoachCode string         `yaml:"coach_code"`
	Rhythm    RhythmConfig   `yaml:"rhythm"`
	Safety    SafetyConfig   `yaml:"safety"`
	Messages  MessagesConfig `yaml:"messages"`
	Flood     FloodConfig    `yaml:"flood"`
	Web       WebConfig      `yaml:"web"`
	Log       LogConfig      `yaml:"log"`
	Ops       OpsConfig      `yaml:"ops"`
	Backup    BackupConfig   `yaml:"backup"`
	// ShutdownGrace is how long a stopping bot keeps delivering what is queued
	// after it stopped taking updates.
	ShutdownGrace Duration `yaml:"shutdown_grace"`
}

// TelegramConfig connects the Telegram bot. An empty token leaves Telegram off.
type TelegramConfig struct {
	Token   string        `yaml:"token"`
	APIURL  string        `yaml:"api_url"`
	Mode    string        `yaml:"mode"`
	Webhook WebhookConfig `yaml:"webhook"`
	// Pace of outgoing messages: Telegram allows about 30/s overall and 1/s per chat.
	PerSecond     float64 `yaml:"per_second"`
	ChatPerSecond float64 `yaml:"chat_per_second"`
	// ChatBurst is how many messages one chat may get at once before its pace
	// applies, so the replies of one turn leave together.
	ChatBurst int `yaml:"chat_burst"`
}

// WebhookConfig is used when telegram.mode is webhook.
type WebhookConfig struct {
	Listen    string `yaml:"listen"`
	PublicURL string `yaml:"public_url"`
	Secret    string `yaml:"secret"`
}

// DiscordConfig connects the Discord bot. An empty token leaves Discord off.
type DiscordConfig struct {
	Token   string `yaml:"token"`
	GuildID string `yaml:"guild_id"`
	APIURL  string `yaml:"api_url"`
}

// RhythmConfig is the between-session pace.
type RhythmConfig struct {
	QuietHours        string   `yaml:"quiet_hours"`
	MaxMessagesPerDay int      `yaml:"max_messages_per_day"`
	NudgeAfter        Duration `yaml:"nudge_after"`
	AssessEveryWeeks  int      `yaml:"assess_every_weeks"`
	InviteTTL         Duration `yaml:"invite_ttl"`
	CheckIn           string   `yaml:"default_checkin"`
	BriefBefore       Duration `yaml:"brief_before"`
}

// SafetyConfig is what the bot does when someone may be in danger.
type SafetyConfig struct {
	HelpLine HelpLines `yaml:"help_line"`
	Words    []string  `yaml:"words"`
	// Pause is how long proactive messages stop after such a message.
	Pause Duration `yaml:"pause"`
	// NotifyCoach sends the client's coach a prompt message, without the
	// client's words.
	NotifyCoach bool `yaml:"notify_coach"`
}

// HelpLines is where to find help: one text for everyone, or one per
// language ({en: "...", de: "..."}).
type HelpLines map[string]string

// UnmarshalYAML accepts one text or a map by language.
func (h *HelpLines) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		*h = HelpLines{"": n.Value}
		return nil
	}
	var m map[string]string
	if err := n.Decode(&m); err != nil {
		return fmt.Errorf("want one text or a map by language, like {en: ..., de: ...}")
	}
	*h = m
	return nil
}

// For is the help line in lang, or the one for everyone, or English.
func (h HelpLines) For(lang string) string {
	for _, k := range []string{lang, "", "en"} {
		if v := strings.TrimSpace(h[k]); v != "" {
			return v
		}
	}
	return ""
}

// FloodConfig is how much one person may send before the bot asks them to
// slow down; messages 0 turns the limit off.
type FloodConfig struct {
	Messages int      `yaml:"messages"`
	Window   Duration `yaml:"window"`
}

// MessagesConfig picks the language and an optional file of rewordings.
type MessagesConfig struct {
	Language  string `yaml:"language"`
	Overrides string `yaml:"overrides"`
}

// OpsConfig is how a monitoring system reaches the bot.
type OpsConfig struct {
	// Listen is the address of /healthz, /readyz and /metrics, such as
	// 127.0.0.1:9090; empty leaves them off.
	Listen string `yaml:"listen"`
}

// BackupConfig is the scheduled backups: a consistent copy of the database
// every so often, of which the newest few are kept.
type BackupConfig struct {
	// Every is the time between backups; 0 leaves scheduled backups off.
	Every Duration `yaml:"every"`
	// Keep is how many backups are kept; older ones are deleted.
	Keep int `yaml:"keep"`
	// Dir is where backups go; a relative path is read from the database's
	// directory.
	Dir string `yaml:"dir"`
}

// LogConfig sets the log level (debug, info, warn, error) and format (text, json).
type LogConfig struct {
	Level  string `yaml:"level"`
	Format string `yaml:"format"`
}

// Duration reads "3h", "90m" or "7d" from YAML.
type Duration time.Duration

// UnmarshalYAML accepts Go durations plus a "d" suffix for days.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	v, err := parseDuration(n.Value)
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}

func parseDuration(s string) (time.Duration, error) {
	if days, ok := strings.CutSuffix(s, "d"); ok {
		var n int
		if _, err := fmt.Sscanf(days, "%d", &n); err == nil && fmt.Sprint(n) == days {
			return time.Duration(n) * 24 * time.Hour, nil
		}
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration like 3h or 7d", s)
	}
	return v, nil
}

// defaultConfig is the configuration with no file.
func defaultConfig() Config {
	return Config{
		DB: "coachbot.db",
		Telegram: TelegramConfig{
			APIURL: "https://api.telegram.org", Mode: "polling", PerSecond: 30, ChatPerSecond: 1, ChatBurst: 3,
			Webhook: WebhookConfig{Listen: "127.0.0.1:8443"},
		},
		Discord: DiscordConfig{APIURL: "https://discord.com"},
		Rhythm: RhythmConfig{
			QuietHours: "21:00-08:00", MaxMessagesPerDay: 3, NudgeAfter: Duration(3 * time.Hour),
			AssessEveryWeeks: 4, InviteTTL: Duration(7 * 24 * time.Hour), CheckIn: "09:00",
			BriefBefore: Duration(3 * time.Hour),
		},
		Safety: SafetyConfig{
			HelpLine: HelpLines{
				"": "If you are in danger or thinking of harming yourself, please call your local emergency number now, " +
					"or reach a crisis line: findahelpline.com lists free, confidential ones in your country.",
				"de": "Wenn du in Gefahr bist oder daran denkst, dir etwas anzutun, ruf bitte sofort den Notruf an " +
					"(in der Schweiz 144, in Deutschland und Österreich 112) oder die Dargebotene Hand unter 143 " +
					"(Deutschland: Telefonseelsorge 0800 111 0 111). findahelpline.com listet weitere Stellen.",
			},
			Pause:       Duration(flows.DefaultSafetyPause),
			NotifyCoach: true,
		},
		Flood:         FloodConfig{Messages: flows.DefaultFloodMessages, Window: Duration(flows.DefaultFloodWindow)},
		Messages:      MessagesConfig{Language: "en"},
		Log:           LogConfig{Level: "info", Format: "text"},
		Backup:        BackupConfig{Keep: 7, Dir: "backups"},
		ShutdownGrace: Duration(5 * time.Second),
	}
}

func oneLine(err error) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(err.Error(), "yaml: ", "")), " ")
}

// validate checks every key; the first problem is returned as "key: problem".
func (c Config) validate() error {
	bad := func(key, format string, args ...any) error {
		return fmt.Errorf("config: %s: %s", key, fmt.Sprintf(format, args...))
	}
	if c.DB == "" {
		return bad("db", "must not be empty")
	}
	if !slices.Contains([]string{"polling", "webhook"}, c.Telegram.Mode) {
		return bad("telegram.mode", "must be polling or webhook, not %q", c.Telegram.Mode)
	}
	if !strings.HasPrefix(c.Telegram.APIURL, "http://") && !strings.HasPrefix(c.Telegram.APIURL, "https://") {
		return bad("telegram.api_url", "must be an http(s) URL, not %q", c.Telegram.APIURL)
	}
	if c.Telegram.Token != "" && c.Telegram.Mode == "webhook" {
		if !strings.HasPrefix(c.Telegram.Webhook.PublicURL, "https://") {
			return bad("telegram.webhook.public_url", "must be an https URL in webhook mode")
		}
		if len(c.Telegram.Webhook.Secret) < 16 {
			return bad("telegram.webhook.secret", "must be at least 16 characters in webhook mode")
		}
		if c.Telegram.Webhook.Listen == "" {
			return bad("telegram.webhook.listen", "must be an address like 127.0.0.1:8443")
		}
	}
	if c.Telegram.PerSecond < 0 {
		return bad("telegram.per_second", "must not be negative")
	}
	if c.Telegram.ChatPerSecond < 0 {
		return bad("telegram.chat_per_second", "must not be negative")
	}
	if c.Telegram.ChatBurst < 1 || c.Telegram.ChatBurst > 20 {
		return bad("telegram.chat_burst", "must be between 1 and 20")
	}
	if g := time.Duration(c.ShutdownGrace); g < 0 || g > 10*time.Minute {
		return bad("shutdown_grace", "must be between 0s and 10m")
	}
	if !strings.HasPrefix(c.Discord.APIURL, "http://") && !strings.HasPrefix(c.Discord.APIURL, "https://") {
		return bad("discord.api_url", "must be an http(s) URL, not %q", c.Discord.APIURL)
	}
	for i, a := range c.Admins {
		if p, _, err := bot.SplitID(a); err != nil || !slices.Contains([]string{bot.Telegram, bot.Discord, bot.Console}, p) {
			return bad(fmt.Sprintf("admins[%d]", i), "%q is not a platform ID like telegram:123456", a)
		}
	}
	if c.Rhythm.QuietHours != "" {
		if _, err := scheduler.ParseWindow(c.Rhythm.QuietHours); err != nil {
			return bad("rhythm.quiet_hours", "%q is not a window like 21:00-08:00", c.Rhythm.QuietHours)
		}
	}
	if c.Rhythm.MaxMessagesPerDay < 1 || c.Rhythm.MaxMessagesPerDay > 20 {
		return bad("rhythm.max_messages_per_day", "must be between 1 and 20")
	}
	if time.Duration(c.Rhythm.NudgeAfter) < 10*time.Minute {
		return bad("rhythm.nudge_after", "must be at least 10m")
	}
	if c.Rhythm.AssessEveryWeeks < 1 || c.Rhythm.AssessEveryWeeks > 52 {
		return bad("rhythm.assess_every_weeks", "must be between 1 and 52")
	}
	if time.Duration(c.Rhythm.InviteTTL) < time.Hour {
		return bad("rhythm.invite_ttl", "must be at least 1h")
	}
	if _, err := scheduler.ParseClock(c.Rhythm.CheckIn); err != nil {
		return bad("rhythm.default_checkin", "%q is not a time like 09:00", c.Rhythm.CheckIn)
	}
	if c.Safety.HelpLine.For(c.Messages.Language) == "" {
		return bad("safety.help_line", "must say where to find help")
	}
	for lang := range c.Safety.HelpLine {
		if lang != "" && !slices.Contains(flows.Languages(), lang) {
			return bad("safety.help_line", "%q is not a language the bot speaks (%s)", lang, strings.Join(flows.Languages(), ", "))
		}
	}
	if p := time.Duration(c.Safety.Pause); p < time.Hour || p > 30*24*time.Hour {
		return bad("safety.pause", "must be between 1h and 30d")
	}
	if err := flows.CheckSafetyWords(c.Safety.Words); err != nil {
		return bad("safety.words", "%s", oneLine(err))
	}
	if c.Flood.Messages < 0 || c.Flood.Messages > 1000 {
		return bad("flood.messages", "must be between 0 (off) and 1000")
	}
	if w := time.Duration(c.Flood.Window); c.Flood.Messages > 0 && (w < time.Second || w > time.Hour) {
		return bad("flood.window", "must be between 1s and 1h")
	}
	if b := time.Duration(c.Rhythm.BriefBefore); b < 10*time.Minute || b > 48*time.Hour {
		return bad("rhythm.brief_before", "must be between 10m and 48h")
	}
	if _, err := flows.LoadCatalog(c.Messages.Language, c.Messages.Overrides); err != nil {
		return bad("messages", "%s", oneLine(err))
	}
	if err := c.Web.check(); err != nil {
		return err
	}
	if !slices.Contains([]string{"debug", "info", "warn", "error"}, c.Log.Level) {
		return bad("log.level", "must be debug, info, warn or error")
	}
	if !slices.Contains([]string{"text", "json"}, c.Log.Format) {
		return bad("log.format", "must be text or json")
	}
	if l := c.Ops.Listen; l != "" {
		if _, port, err := net.SplitHostPort(l); err != nil || !validPort(port) {
			return bad("ops.listen", "%q is not an address like 127.0.0.1:9090", l)
		}
	}
	if e := time.Duration(c.Backup.Every); e != 0 && (e < 10*time.Minute || e > 30*24*time.Hour) {
		return bad("backup.every", "must be 0 (off) or between 10m and 30d")
	}
	if c.Backup.Keep < 1 || c.Backup.Keep > 1000 {
		return bad("backup.keep", "must be between 1 and 1000")
	}
	if c.Backup.Every != 0 && strings.TrimSpace(c.Backup.Dir) == "" {
		return bad("backup.dir", "must name a directory when backup.every is set")
	}
	return nil
}

// validPort reports whether port is a TCP port number (0 picks a free one).
func validPort(port string) bool {
	n, err := strconv.Atoi(port)
	return err == nil && n >= 0 && n <= 65535
}

// engineConfig turns the file's terms into the engine's.
func (c Config) engineConfig(cat *flows.Catalog) flows.Config {
	quiet, _ := scheduler.ParseWindow(c.Rhythm.QuietHours)
	checkIn, _ := scheduler.ParseClock(c.Rhythm.CheckIn)
	helpLines := map[string]string{}
	for _, lang := range flows.Languages() {
		helpLines[lang] = c.Safety.HelpLine.For(lang)
	}
	flood := c.Flood.Messages
	if flood == 0 {
		flood = -1 // off
	}
	return flows.Config{
		Catalog:            cat,
		CrisisWords:        c.Safety.Words,
		HelpLine:           c.Safety.HelpLine.For(c.Messages.Language),
		HelpLines:          helpLines,
		SafetyPause:        time.Duration(c.Safety.Pause),
		SafetyKeepCoachOut: !c.Safety.NotifyCoach,
		FloodMessages:      flood,
		FloodWindow:        time.Duration(c.Flood.Window),
		CoachCode:          c.CoachCode,
		Admins:             c.Admins,
		Web:                c.Web.engine(cat),
		Rhythm: flows.Rhythm{
			Quiet: quiet, MaxPerDay: c.Rhythm.MaxMessagesPerDay, NudgeAfter: time.Duration(c.Rhythm.NudgeAfter),
			AssessEvery: c.Rhythm.AssessEveryWeeks, InviteTTL: time.Duration(c.Rhythm.InviteTTL), DefaultCheckIn: checkIn,
			BriefBefore: time.Duration(c.Rhythm.BriefBefore),
		},
	}
}
