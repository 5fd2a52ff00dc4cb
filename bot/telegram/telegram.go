// Package telegram connects the bot to Telegram through the Bot API. It translates
// Telegram updates into bot.Message values and bot.Reply values into Telegram
// messages, and nothing more: what to say is decided elsewhere.
//
// The SDK (go-telegram-bot-api v5) has no context support, so every call goes through
// a copy of the SDK client whose HTTP client carries the caller's context. That is what
// lets shutdown cancel a long poll at once instead of waiting it out.
package telegram

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/coachbot/coachbot/bot"
)

// Modes of receiving updates.
const (
	ModePolling = "polling"
	ModeWebhook = "webhook"
)

// WebhookPath is the path the webhook server answers on, besides the path of
// Config.PublicURL, so a reverse proxy may forward either.
const WebhookPath = "/telegram"

const (
	defaultAPIURL      = "https://api.telegram.org"
	defaultPollTimeout = 30 * time.Second
	// requestTimeout bounds every call but the long poll, which gets its own
	// timeout plus pollGrace.
	requestTimeout = 30 * time.Second
	pollGrace      = 10 * time.Second
	// shutdownTimeout bounds how long the webhook server waits for requests in
	// flight when the adapter stops.
	shutdownTimeout = 5 * time.Second
)

// allowedUpdates are the update kinds the bot asks Telegram for; everything else
// (edits, channel posts, member changes) is never delivered.
func allowedUpdates() []string {
	return []string{tgbotapi.UpdateTypeMessage, tgbotapi.UpdateTypeCallbackQuery}
}

// secretPattern is what Telegram accepts as a webhook secret token.
var secretPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)

// Config says how to reach Telegram and how to receive updates. The zero value of
// every optional field selects a sensible default.
type Config struct {
	// Token is the bot token from @BotFather. It never appears in errors or logs.
	Token string
	// APIURL is the Bot API base URL, "https://api.telegram.org" by default. Tests
	// and self-hosted Bot API servers point it elsewhere.
	APIURL string
	// Mode is ModePolling (the default) or ModeWebhook.
	Mode string
	// Listen is the local address the webhook server binds, such as
	// "127.0.0.1:8443". Webhook mode only.
	Listen string
	// PublicURL is the full https URL Telegram posts updates to, usually ending in
	// WebhookPath, as seen from the internet (a reverse proxy usually forwards it
	// to Listen). Webhook mode only.
	PublicURL string
	// Secret is sent by Telegram with every webhook request and checked by the
	// adapter, so nobody else can inject updates. 1-256 of A-Z, a-z, 0-9, _ and -.
	// Webhook mode only.
	Secret string
	// PollTimeout is how long one long poll waits for updates (30s by default).
	PollTimeout time.Duration
	// HTTPClient carries every API call. Its Timeout, if any, must exceed
	// PollTimeout. By default the adapter uses its own client with dial and TLS
	// timeouts and a deadline per call.
	HTTPClient *http.Client
	// Logger receives the adapter's logs; nil discards them.
	Logger *slog.Logger
	// Pacer, when set, paces the keyboard edits after button presses with
	// the chat's replies (bot.Dispatcher is one); nil edits at once.
	Pacer Pacer
}

// Pacer queues a send that is not in the outbox behind a chat's replies, within
// the chat's pace. Telegram counts message edits against the same per-chat
// limit as messages.
type Pacer interface {
	Later(chat string, send func(ctx context.Context) error)
}

// Adapter is one Telegram bot. It receives updates (Run) and sends replies (Send);
// both may be used at the same time.
type Adapter struct {
	cfg     Config
	inbox   Inbox
	log     *slog.Logger
	client  *http.Client
	sdk     *tgbotapi.BotAPI // template; every call uses a copy bound to a context
	running atomic.Bool
	health  health // whether receiving works, for Ready

	// Test seams: the clock for callback timestamps, the shortest backoff after
	// a failed call, and a listener the webhook server uses instead of binding.
	now        func() time.Time
	minBackoff time.Duration
	maxBackoff time.Duration
	listener   net.Listener
}

var _ bot.Sender = (*Adapter)(nil)

// New checks the configuration, asks Telegram who the bot is (getMe) and returns an
// adapter ready to Run and Send. A rejected token fails at once with one clear error;
// nothing is retried here, so a wrong setting stops start-up instead of looping.
//
// inbox keeps polled updates and the offset; nil keeps them in memory, so a
// restart may skip or repeat updates.
func New(ctx context.Context, cfg Config, inbox Inbox) (*Adapter, error) {
	cfg, err := withDefaults(cfg)
	if err != nil {
		return nil, err
	}
	client := cfg.HTTPClient
	if client == nil {
		client = newHTTPClient()
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	log = log.With("platform", bot.Telegram)
	setSDKLogger(log)

	endpoint := cfg.APIURL + "/bot%s/%s"
	doer := &contextClient{ctx: ctx, client: client, timeout: requestTimeout, token: cfg.Token}
	sdk, err := tgbotapi.NewBotAPIWithClient(cfg.Token, endpoint, doer)
	if err != nil {
		var apiErr *tgbotapi.Error
		if errors.As(err, &apiErr) && (apiErr.Code == http.StatusUnauthorized || apiErr.Code == http.StatusNotFound) {
			return nil, fmt.Errorf("telegram: token rejected by getMe: %s", apiErr.Message)
		}
		return nil, fmt.Errorf("telegram: getMe: %w", classify(err))
	}
	if inbox == nil {
		inbox = newMemInbox()
	}
	return &Adapter{
		cfg:        cfg,
		inbox:      inbox,
		log:        log,
		client:     client,
		sdk:        sdk,
		now:        time.Now,
		minBackoff: time.Second,
		maxBackoff: 30 * time.Second,
	}, nil
}

func withDefaults(cfg Config) (Config, error) {
	if cfg.Token == "" {
		return cfg, errors.New("telegram: token is empty")
	}
	if cfg.APIURL == "" {
		cfg.APIURL = defaultAPIURL
	}
	cfg.APIURL = strings.TrimRight(cfg.APIURL, "/")
	if u, err := url.Parse(cfg.APIURL); err != nil || u.Scheme == "" || u.Host == "" {
		return cfg, fmt.Errorf("telegram: api_url %q: want an absolute URL", cfg.APIURL)
	}
	if cfg.PollTimeout <= 0 {
		cfg.PollTimeout = defaultPollTimeout
	}
	switch cfg.Mode {
	case "":
		cfg.Mode = ModePolling
	case ModePolling:
	case ModeWebhook:
		if cfg.Listen == "" {
			return cfg, errors.New("telegram: webhook listen address is empty")
		}
		if u, err := url.Parse(cfg.PublicURL); err != nil || u.Scheme == "" || u.Host == "" {
			return cfg, fmt.Errorf("telegram: webhook public_url %q: want an absolute URL", cfg.PublicURL)
		}
		if !secretPattern.MatchString(cfg.Secret) {
			return cfg, errors.New("telegram: webhook secret: want 1-256 characters of A-Z, a-z, 0-9, _ and -")
		}
	default:
		return cfg, fmt.Errorf("telegram: mode %q: want %q or %q", cfg.Mode, ModePolling, ModeWebhook)
	}
	return cfg, nil
}

// Username is the bot's Telegram username, without the @.
func (a *Adapter) Username() string { return a.sdk.Self.UserName }

// InviteLink is a link that opens a private chat with the bot and sends
// "/start <code>" when the person taps Start.
func (a *Adapter) InviteLink(code string) string {
	return "https://t.me/" + a.Username() + "?start=" + url.QueryEscape(code)
}

// SetCommands publishes the command menu Telegram shows next to the text field.
func (a *Adapter) SetCommands(ctx context.Context, cmds []bot.Command) error {
	// The menu for everyone, then one per language for people whose app
	// speaks it (Telegram picks by the user's language_code).
	langs := map[string]bool{"": true}
	for _, c := range cmds {
		for lang := range c.Localized {
			langs[lang] = true
		}
	}
	for _, lang := range slices.Sorted(maps.Keys(langs)) {
		list := make([]tgbotapi.BotCommand, 0, len(cmds))
		for _, c := range cmds {
			desc := c.Description
			if d := c.Localized[lang]; d != "" {
				desc = d
			}
			list = append(list, tgbotapi.BotCommand{Command: strings.TrimPrefix(c.Name, "/"), Description: truncateRunes(desc, 256)})
		}
		cfg := tgbotapi.NewSetMyCommands(list...)
		cfg.LanguageCode = lang
		if _, err := a.api(ctx, requestTimeout).Request(cfg); err != nil {
			return fmt.Errorf("telegram: setMyCommands %s: %w", lang, classify(err))
		}
	}
	return nil
}

// Run receives updates until ctx is cancelled, hands them to h and returns nil once
// stopped. It returns an error only when receiving cannot go on (the token was
// revoked, the webhook address cannot be bound). Run must not be called twice at
// the same time.
func (a *Adapter) Run(ctx context.Context, h bot.Handler) error {
	if !a.running.CompareAndSwap(false, true) {
		return errors.New("telegram: already running")
	}
	defer a.running.Store(false)
	a.health.run(true)
	defer a.health.run(false)
	if a.cfg.Mode == ModeWebhook {
		return a.serveWebhook(ctx, h)
	}
	return a.poll(ctx, h)
}

// offsetName names this bot's polling offset and batches in the Inbox. The bot's user ID
// is stable across username changes and differs between bots, whose update IDs are
// unrelated.
func (a *Adapter) offsetName() string {
	return bot.ID(bot.Telegram, strconv.FormatInt(a.sdk.Self.ID, 10))
}

// api returns a copy of the SDK client whose calls carry ctx and end after timeout.
func (a *Adapter) api(ctx context.Context, timeout time.Duration) *tgbotapi.BotAPI {
	c := *a.sdk
	c.Client = &contextClient{ctx: ctx, client: a.client, timeout: timeout, token: a.cfg.Token}
	return &c
}

func truncateRunes(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}

// sdkLoggerOnce guards the SDK's package-level logger, the one global the adapter
// touches: the first adapter's logger receives the SDK's (rare) log lines.
var sdkLoggerOnce sync.Once

func setSDKLogger(log *slog.Logger) {
	sdkLoggerOnce.Do(func() {
		_ = tgbotapi.SetLogger(sdkLogger{log: log.With("component", "telegram_sdk")})
	})
}

// sdkLogger forwards the SDK's Printf-style logging to slog at debug level. The SDK
// logs request contents only in its debug mode, which the adapter never enables.
type sdkLogger struct{ log *slog.Logger }

func (l sdkLogger) Println(v ...any) {
	l.log.Debug("sdk log", "detail", strings.TrimSpace(fmt.Sprintln(v...)))
}

func (l sdkLogger) Printf(format string, v ...any) {
	l.log.Debug("sdk log", "detail", strings.TrimSpace(fmt.Sprintf(format, v...)))
}
