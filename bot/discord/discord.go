// Package discord connects the bot to Discord. It turns direct messages, slash
// commands and button presses into bot.Message values and delivers bot.Reply values
// as Discord messages, and nothing more: what to say is decided elsewhere, and the
// few words this package shows by itself come in through Texts.
//
// The bot lives in direct messages. A slash command used in a server channel is
// answered with a private note and the conversation moves to the user's DMs, so
// nothing personal is written where others can read it.
//
// The SDK is discordgo. Its types stay inside this package, and it is configured
// without touching any of its package-level variables: requests reach another
// server through the session's http.Client, every REST call carries a context with
// a deadline, a 429 comes back as an error instead of a sleep, and the gateway is
// opened and reopened by this package rather than by discordgo's own reconnect loop.
package discord

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/coachbot/coachbot/bot"
)

const (
	defaultAPIURL      = "https://discord.com"
	defaultOpenTimeout = 20 * time.Second
	// requestTimeout bounds a REST call whose context has no earlier deadline.
	requestTimeout = 15 * time.Second
	// ackTimeout bounds the response to an interaction; Discord gives up on it
	// after 3 seconds anyway.
	ackTimeout = 3 * time.Second
	// clientTimeout is the http.Client timeout when the caller sets none; it only
	// matters for the few calls discordgo makes without a context (GET /gateway).
	clientTimeout = 30 * time.Second

	maxContent     = 2000 // characters in one message
	maxLabel       = 80   // characters in a button label
	maxCustomID    = 100  // characters in a button's data
	maxRowButtons  = 5
	maxRows        = 5
	maxDescription = 100 // characters in a command or option description
)

// Config says how to reach Discord. The zero value of every optional field selects
// a sensible default.
type Config struct {
	// Token is the bot token from the developer portal, with or without "Bot ".
	Token string
	// GuildID, if set, registers the commands in that one server, where they appear
	// at once (handy while setting up); otherwise they are global.
	GuildID string
	// APIURL is where REST requests go (default https://discord.com). Anything else
	// is reached by rewriting requests in the session's http.Client; the gateway
	// URL then comes from that server's GET /api/v9/gateway.
	APIURL string
	// Texts are the user-visible words the adapter needs, from the engine's catalog.
	Texts Texts
	// OpenTimeout bounds one attempt to open the gateway (default 20s).
	OpenTimeout time.Duration
	Logger      *slog.Logger
	// HTTPClient is the base client for REST calls; it is copied, not modified.
	HTTPClient *http.Client
}

// Texts are the few strings the adapter shows by itself. They live in the engine's
// message catalog, like every other word the bot says.
type Texts struct {
	// MovedToDM answers, privately, a slash command used in a server channel, e.g.
	// "I've sent you a direct message so this stays private."
	MovedToDM string
	// Received replaces the "thinking…" placeholder of a slash command used in DMs
	// if it cannot be deleted, e.g. "✓".
	Received string
}

// Adapter is the Discord side of the bot: it receives through Run and delivers
// through Send. It is safe for concurrent use.
type Adapter struct {
	cfg    Config
	token  string // with the "Bot " prefix, as discordgo sends it
	log    *slog.Logger
	client *http.Client
	// rest is a session that is never opened: it makes every REST call, so its
	// rate-limit buckets outlive gateway sessions, which come and go in Run.
	rest  *discordgo.Session
	botID string
	now   func() time.Time
	// backoff is the first wait after a failed gateway open; it doubles up to
	// maxBackoff.
	backoff    time.Duration
	maxBackoff time.Duration

	running atomic.Bool
	health  health // whether the gateway is up, for Ready

	mu    sync.RWMutex
	appID string
	// args holds each command's argument names in declared order, so options
	// arriving in any order are joined back as "/name arg1 arg2".
	args map[string][]string
}

var _ bot.Sender = (*Adapter)(nil)

// New checks the token with Discord (GET /users/@me) and returns an adapter ready
// to register commands, run and send. A rejected token is reported once, plainly,
// and never retried.
func New(ctx context.Context, cfg Config) (*Adapter, error) {
	token := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(cfg.Token), "Bot "))
	if token == "" {
		return nil, errors.New("discord: token is empty")
	}
	if cfg.APIURL == "" {
		cfg.APIURL = defaultAPIURL
	}
	if cfg.OpenTimeout <= 0 {
		cfg.OpenTimeout = defaultOpenTimeout
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	client, err := newHTTPClient(cfg.HTTPClient, cfg.APIURL)
	if err != nil {
		return nil, fmt.Errorf("discord: api url: %w", err)
	}
	a := &Adapter{
		cfg:        cfg,
		token:      "Bot " + token,
		log:        logger.With("platform", bot.Discord),
		client:     client,
		now:        time.Now,
		backoff:    time.Second,
		maxBackoff: time.Minute,
		args:       make(map[string][]string),
	}
	a.rest = a.newSession()

	ctx, cancel := withDeadline(ctx, requestTimeout)
	defer cancel()
	me, err := a.rest.User("@me", discordgo.WithContext(ctx))
	if err != nil {
		var rerr *discordgo.RESTError
		if errors.As(err, &rerr) && rerr.Response != nil &&
			(rerr.Response.StatusCode == http.StatusUnauthorized || rerr.Response.StatusCode == http.StatusForbidden) {
			return nil, fmt.Errorf("discord: token rejected: %s", rerr.Response.Status)
		}
		return nil, fmt.Errorf("discord: check token: %w", describe(err))
	}
	a.botID = me.ID
	return a, nil
}

// newSession returns a discordgo session set up the way this package needs it.
// discordgo.New cannot fail; it only builds a struct.
func (a *Adapter) newSession() *discordgo.Session {
	s, _ := discordgo.New(a.token)
	s.Client = a.client
	// A 429 must reach the dispatcher as RetryAfterError, not make discordgo sleep
	// and retry while it holds the bucket lock. The transport already turns a 429
	// into an error; this is the SDK's own switch for the same thing.
	s.ShouldRetryOnRateLimit = false
	// Retries belong to the dispatcher, with backoff; discordgo would retry a 502
	// at once.
	s.MaxRestRetries = 0
	// Run reopens the gateway itself: discordgo's reconnect loop cannot be
	// stopped and retries fatal close codes such as 4014 forever.
	s.ShouldReconnectOnError = false
	s.StateEnabled = false
	// Events arrive in gateway order; the handlers only queue them, quickly.
	s.SyncEvents = true
	// discordgo logs through the standard logger; this package logs what matters
	// through slog instead.
	s.LogLevel = discordgo.LogError - 1
	s.Identify.Intents = intents
	return s
}

// withDeadline gives ctx a deadline of at most d from now.
func withDeadline(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) <= d {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, d)
}

// RegisterCommands publishes the commands as slash commands with string options,
// replacing whatever was registered before, so running it again never duplicates
// anything. Commands go to Config.GuildID if set, globally otherwise.
func (a *Adapter) RegisterCommands(ctx context.Context, cmds []bot.Command) error {
	defs := make([]*discordgo.ApplicationCommand, 0, len(cmds))
	args := make(map[string][]string, len(cmds))
	for _, c := range cmds {
		def, order := commandDef(c)
		defs = append(defs, def)
		args[def.Name] = order
	}
	appID, err := a.applicationID(ctx)
	if err != nil {
		return fmt.Errorf("discord: register commands: %w", err)
	}
	ctx, cancel := withDeadline(ctx, requestTimeout)
	defer cancel()
	if _, err := a.rest.ApplicationCommandBulkOverwrite(appID, a.cfg.GuildID, defs, discordgo.WithContext(ctx)); err != nil {
		return fmt.Errorf("discord: register commands: %w", describe(err))
	}
	a.mu.Lock()
	a.args = args
	a.mu.Unlock()
	return nil
}

// commandDef translates a command. Discord wants required options before optional
// ones, so they are reordered for Discord, while the returned names keep the
// declared order for joining options back into text.
func commandDef(c bot.Command) (*discordgo.ApplicationCommand, []string) {
	name := strings.ToLower(c.Name)
	def := &discordgo.ApplicationCommand{
		Type:        discordgo.ChatApplicationCommand,
		Name:        name,
		Description: description(c.Description, name),
	}
	if len(c.Localized) > 0 {
		// Discord shows each person the description in their client's locale.
		loc := make(map[discordgo.Locale]string, len(c.Localized))
		for lang, d := range c.Localized {
			loc[discordgo.Locale(lang)] = description(d, name)
		}
		def.DescriptionLocalizations = &loc
	}
	order := make([]string, 0, len(c.Args))
	for _, arg := range c.Args {
		argName := strings.ToLower(arg.Name)
		order = append(order, argName)
		def.Options = append(def.Options, &discordgo.ApplicationCommandOption{
			Type:        discordgo.ApplicationCommandOptionString,
			Name:        argName,
			Description: description(arg.Description, argName),
			Required:    arg.Required,
		})
	}
	slices.SortStableFunc(def.Options, func(x, y *discordgo.ApplicationCommandOption) int {
		switch {
		case x.Required == y.Required:
			return 0
		case x.Required:
			return -1
		default:
			return 1
		}
	})
	return def, order
}

// description fits a description into Discord's 1 to 100 characters; an empty one
// falls back to the name, which Discord accepts and people recognise.
func description(d, name string) string {
	if strings.TrimSpace(d) == "" {
		return name
	}
	return truncate(d, maxDescription)
}

// applicationID asks Discord once for the application the token belongs to.
// Commands and interaction webhooks are addressed by it, and for older
// applications it differs from the bot's user ID.
func (a *Adapter) applicationID(ctx context.Context) (string, error) {
	a.mu.RLock()
	id := a.appID
	a.mu.RUnlock()
	if id != "" {
		return id, nil
	}
	ctx, cancel := withDeadline(ctx, requestTimeout)
	defer cancel()
	endpoint := discordgo.EndpointOAuth2Application("@me")
	body, err := a.rest.RequestWithBucketID(http.MethodGet, endpoint, nil, endpoint, discordgo.WithContext(ctx))
	if err != nil {
		return "", fmt.Errorf("get application: %w", describe(err))
	}
	var app struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(body, &app); err != nil || app.ID == "" {
		return "", fmt.Errorf("get application: unexpected answer %.100q", body)
	}
	a.mu.Lock()
	a.appID = app.ID
	a.mu.Unlock()
	return app.ID, nil
}

// commandText joins a slash command and its options back into the text a person
// would have typed: options in declared order, missing ones left out.
func (a *Adapter) commandText(name string, opts map[string]string, received []string) string {
	a.mu.RLock()
	order, ok := a.args[name]
	a.mu.RUnlock()
	if !ok {
		order = received // commands registered by an earlier run
	}
	parts := []string{"/" + name}
	for _, arg := range order {
		if v := strings.TrimSpace(opts[arg]); v != "" {
			parts = append(parts, v)
		}
	}
	return strings.Join(parts, " ")
}

// truncate cuts s to at most n characters, marking the cut with an ellipsis.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
