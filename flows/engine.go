// Package flows is the heart of coachbot: the coaching domain, the conversation
// engine (a small durable state machine), every flow as a value, the command route
// table, and the Store the engine needs. Flows know what to say; they do not know
// which platform carries it or which database keeps it.
package flows

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/coachbot/coachbot/bot"
	"github.com/coachbot/coachbot/flows/safety"
	"github.com/coachbot/coachbot/scheduler"
)

// MaxInput is the longest message the engine accepts, in characters.
const MaxInput = 4000

// Config is everything the engine needs besides its Store. Zero values get the
// defaults documented on each field.
type Config struct {
	Catalog *Catalog         // required
	Now     func() time.Time // default time.Now
	Logger  *slog.Logger
	// CrisisWords are phrases, in the safety lists' pattern language, added to
	// the built-in ones that suggest someone may be in danger. When text
	// matches, the bot says it is not a crisis service and gives the help line.
	CrisisWords []string
	// HelpLine is where to find help; HelpLines overrides it by language.
	HelpLine  string
	HelpLines map[string]string
	// SafetyPause is how long proactive messages stop after a message that
	// suggests danger (default DefaultSafetyPause).
	SafetyPause time.Duration
	// SafetyKeepCoachOut stops the prompt message a coach otherwise gets when
	// their client's words suggest danger.
	SafetyKeepCoachOut bool
	// FloodMessages in FloodWindow is the most one person may send; beyond
	// it the bot asks once to slow down and handles and stores nothing more
	// until the pace drops. Zero takes the defaults; a negative count turns
	// the limit off (load tests).
	FloodMessages int
	FloodWindow   time.Duration
	// CoachCode lets someone become a coach with /coach CODE. Empty: only
	// admins can make coaches.
	CoachCode string
	// Admins are platform-qualified user IDs allowed to approve coaches.
	Admins []string
	Rhythm Rhythm
	// InviteLink turns an invite code into something to share on the coach's
	// platform (a Telegram deep link); nil shows the bare code.
	InviteLink func(platform, code string) string
	// Web is the coach's web view: where /dashboard links lead, and the
	// weekly digest's chart.
	Web WebConfig
}

// Rhythm is the between-session pace the bot keeps.
type Rhythm struct {
	Quiet          scheduler.Window // no proactive messages inside (default 21:00-08:00)
	MaxPerDay      int              // proactive messages per client per day (default 3)
	NudgeAfter     time.Duration    // one gentle reminder after this (default 3h)
	AssessEvery    int              // weeks between competence self-assessments (default 4)
	InviteTTL      time.Duration    // invites expire after this (default 7 days)
	DefaultCheckIn scheduler.Clock  // offered during /start (default 09:00)
	BriefBefore    time.Duration    // the coach's brief at the latest this long before a session (default 3h)
}

// Engine turns one inbound message into state changes and replies, committed
// together in one transaction.
type Engine struct {
	store  Store
	cat    *Catalog
	now    func() time.Time
	logger *slog.Logger
	cfg    Config
	// cats holds a catalog per language the bot speaks; cat is the default
	// (messages.language, with the configured rewordings).
	cats   map[string]*Catalog
	safety *safety.Detector
	flood  *floodGate
	flows  map[string]*Flow
	routes map[string]*Route
	order  []*Route
}

// New returns an Engine over store.
func New(store Store, cfg Config) *Engine {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.SafetyPause <= 0 {
		cfg.SafetyPause = DefaultSafetyPause
	}
	if cfg.FloodMessages == 0 {
		cfg.FloodMessages = DefaultFloodMessages
	}
	if cfg.FloodWindow <= 0 {
		cfg.FloodWindow = DefaultFloodWindow
	}
	detector, err := newDetector(cfg.CrisisWords)
	if err != nil {
		// The built-in lists are tested; configured phrases are checked with
		// CheckSafetyWords before the engine is made.
		panic(fmt.Sprintf("flows: safety phrases: %v", err))
	}
	r := &cfg.Rhythm
	if r.Quiet.IsZero() {
		r.Quiet = scheduler.Window{Start: scheduler.Clock{Hour: 21}, End: scheduler.Clock{Hour: 8}}
	}
	if r.MaxPerDay <= 0 {
		r.MaxPerDay = 3
	}
	if r.NudgeAfter <= 0 {
		r.NudgeAfter = 3 * time.Hour
	}
	if r.AssessEvery <= 0 {
		r.AssessEvery = 4
	}
	if r.InviteTTL <= 0 {
		r.InviteTTL = 7 * 24 * time.Hour
	}
	if r.BriefBefore <= 0 {
		r.BriefBefore = 3 * time.Hour
	}
	if r.DefaultCheckIn == (scheduler.Clock{}) {
		r.DefaultCheckIn = scheduler.Clock{Hour: 9}
	}
	e := &Engine{
		store:  store,
		cat:    cfg.Catalog,
		now:    cfg.Now,
		logger: cfg.Logger,
		cfg:    cfg,
		cats:   catalogs(cfg.Catalog),
		safety: detector,
		flood:  newFloodGate(cfg.FloodMessages, cfg.FloodWindow),
		flows:  make(map[string]*Flow),
		routes: make(map[string]*Route),
	}
	for _, f := range allFlows() {
		e.flows[f.Name] = f
	}
	for _, rt := range routeTable() {
		e.routes[rt.Name] = rt
		e.order = append(e.order, rt)
	}
	return e
}

// Handle handles one message in one transaction. If the transaction fails, the
// person is told that nothing was saved, so they never believe an answer was kept
// when it was not.
func (e *Engine) Handle(ctx context.Context, m bot.Message) error {
	// The console is the operator's own terminal, often fed from a file: no
	// flood limit there.
	flood := floodOK
	if m.Platform() != bot.Console {
		flood = e.flood.admit(m.UserID, e.now())
	}
	switch flood {
	case floodDrop:
		return nil
	case floodWarn:
		slow := bot.Reply{ChatID: m.ChatID, Text: e.catalog(baseLanguage(m.Language)).Text("input.slow_down")}
		return e.store.Update(ctx, func(tx Tx) error { return tx.Send(slow, e.now()) })
	}
	err := e.store.Update(ctx, func(tx Tx) error {
		s := e.session(tx, m)
		if err := s.handle(); err != nil {
			return err
		}
		return s.flush()
	})
	if err == nil || ctx.Err() != nil {
		return err
	}
	e.logger.Error("handle message", "chat", m.ChatID, "err", err)
	sorry := bot.Reply{ChatID: m.ChatID, Text: e.catalog(baseLanguage(m.Language)).Text("error.not_saved")}
	if serr := e.store.Update(ctx, func(tx Tx) error { return tx.Send(sorry, e.now()) }); serr != nil {
		e.logger.Error("queue apology", "chat", m.ChatID, "err", serr)
	}
	return err
}

// Session is the context of one message being handled: the transaction, the
// message, the person's client record and their conversation, if any.
type Session struct {
	e      *Engine
	tx     Tx
	msg    bot.Message
	now    time.Time
	client Client
	known  bool // client row exists
	conv   *Conversation
	left   bool   // a command left a flow in progress
	kind   string // what proactive message this session sends, for Reply.Kind
	// lead holds words that open the next message to this chat, so an
	// acknowledgement and the question after it arrive as one message.
	lead []string
	// cat is the catalog of the person spoken to, picked on first use;
	// coachLang is a coach's own language when the session speaks to one.
	cat       *Catalog
	coachLang string
}

func (e *Engine) session(tx Tx, m bot.Message) *Session {
	return &Session{e: e, tx: tx, msg: m, now: e.now()}
}

// T returns the catalog text for key.
func (s *Session) T(key string, pairs ...string) string { return s.catalog().Text(key, pairs...) }

// TIn returns the catalog text for key in another person's language, for a
// message this session sends someone else (a coach, a client).
func (s *Session) TIn(lang, key string, pairs ...string) string {
	return s.e.catalog(lang).Text(key, pairs...)
}

// catalog is the catalog in the language of the person this session speaks
// to: a coach's own, a client's own, else what their app reports.
func (s *Session) catalog() *Catalog {
	if s.cat == nil {
		s.cat = s.e.catalog(s.language())
	}
	return s.cat
}

// language picks the language of the person this session speaks to.
func (s *Session) language() string {
	if s.coachLang != "" {
		return s.coachLang
	}
	if s.client.Language != "" {
		return s.client.Language
	}
	return baseLanguage(s.msg.Language)
}

// say queues one plain message to the current chat.
func (s *Session) say(key string, pairs ...string) error {
	return s.reply(bot.Reply{Text: s.T(key, pairs...)})
}

// note keeps words to open the next message to the current chat with: an
// acknowledgement or a line of advice travels with the question after it.
func (s *Session) note(key string, pairs ...string) {
	s.lead = append(s.lead, s.T(key, pairs...))
}

func (s *Session) reply(r bot.Reply) error {
	r.ChatID = s.msg.ChatID
	if r.Kind == "" {
		r.Kind = s.kind
	}
	if len(s.lead) > 0 {
		r.Text = strings.Join(append(s.lead, r.Text), "\n\n")
		s.lead = nil
	}
	return s.tx.Send(r, s.now)
}

// flush sends noted words that no message followed.
func (s *Session) flush() error {
	if len(s.lead) == 0 {
		return nil
	}
	text := strings.Join(s.lead, "\n\n")
	s.lead = nil
	return s.reply(bot.Reply{Text: text})
}

func (s *Session) label(o Option) string {
	if l, ok := strings.CutPrefix(o.Label, "="); ok {
		return l
	}
	return s.T(o.Label)
}

func (s *Session) handle() error {
	m := s.msg
	if m.UpdateID != "" {
		first, err := s.tx.MarkSeen(m.UpdateID, s.now)
		if err != nil {
			return fmt.Errorf("mark seen: %w", err)
		}
		if !first {
			return nil
		}
	}
	if m.Group {
		// Coaching stays private: answer briefly and keep nothing, except
		// the help line when words suggest danger.
		if s.e.safety.Check(bot.CleanText(m.Text)) != safety.None {
			return s.say("safety.notice_group", "help_line", s.helpLine())
		}
		return s.say("group.private_only")
	}
	if err := s.loadClient(); err != nil {
		return err
	}
	if !s.client.Consented {
		// Someone who is not a client may be a coach, spoken to in their own
		// language; a client is spoken to in theirs (one lookup, not one a
		// message for every client).
		if co, err := s.tx.Coach(m.UserID); err == nil {
			s.coachLang = co.Language
		}
	}
	conv, err := s.tx.Conversation(m.ChatID)
	switch {
	case err == nil:
		s.conv = &conv
	case !errors.Is(err, ErrNotFound):
		return fmt.Errorf("load conversation: %w", err)
	}
	if err := s.noteReply(); err != nil {
		return err
	}

	text := strings.TrimSpace(bot.CleanText(m.Text))
	if text != "" {
		// Safety first: every piece of free text, in every state, before
		// anything else reads it.
		if handled, err := s.checkSafety(text); handled || err != nil {
			return err
		}
	}
	if utf8.RuneCountInString(text) > MaxInput {
		return s.say("input.too_long", "max", fmt.Sprint(MaxInput))
	}
	switch {
	case m.Press != "":
		return s.press(m.Press)
	case strings.HasPrefix(text, "/"):
		return s.command(text)
	case s.conv != nil:
		return s.answer(text, false)
	default:
		return s.say("help.pointer")
	}
}

func (s *Session) loadClient() error {
	c, err := s.tx.Client(s.msg.UserID)
	if errors.Is(err, ErrNotFound) {
		// Perhaps an account joined on purpose to a client on another platform.
		linked, aerr := s.tx.Alias(s.msg.UserID)
		switch {
		case aerr == nil:
			c, err = s.tx.Client(linked)
		case !errors.Is(aerr, ErrNotFound):
			return fmt.Errorf("load alias: %w", aerr)
		}
	}
	switch {
	case err == nil:
		s.client, s.known = c, true
	case errors.Is(err, ErrNotFound):
		s.client = Client{ID: s.msg.UserID, ChatID: s.msg.ChatID}
	default:
		return fmt.Errorf("load client: %w", err)
	}
	return nil
}

// saveClient stores the client row, creating it on first save.
func (s *Session) saveClient() error {
	s.client.UpdatedAt = s.now
	if !s.known {
		s.client.CreatedAt = s.now
	}
	if err := s.tx.SaveClient(s.client); err != nil {
		return fmt.Errorf("save client: %w", err)
	}
	s.known = true
	return nil
}

// press handles a button. Its data is "token:value"; the token ties it to the
// conversation and step that showed it, so an old or forged press changes nothing.
func (s *Session) press(data string) error {
	if strings.HasPrefix(data, suggestionCard) && s.client.Consented {
		return s.answerSuggestion(data)
	}
	if strings.HasPrefix(data, resumeCard) && s.client.Consented {
		return s.answerResume(data)
	}
	token, value, ok := strings.Cut(data, ":")
	if !ok || s.conv == nil || token != s.conv.Token {
		return s.say("button.expired")
	}
	return s.answer(value, true)
}

// command runs a slash command from the route table.
func (s *Session) command(text string) error {
	name, args := parseCommand(text)
	rt := s.e.routes[name]
	if rt == nil {
		return s.say("command.unknown", "command", "/"+name)
	}
	if s.conv != nil && !rt.KeepsFlow {
		// Only a conversation the person had put answers into is worth a
		// word on leaving; an open invitation simply gives way.
		s.left = true
		quiet := name == "cancel" || Answers(s.conv.Answers).Int(answeredKey) == 0
		if err := s.leave(quiet); err != nil {
			return err
		}
	}
	if rt.Consent && !s.client.Consented {
		return s.say("start.first")
	}
	if rt.Coach && !s.isCoach() {
		return s.say("coach.only")
	}
	if rt.Admin && !s.isAdmin() {
		return s.say("coach.admins_only")
	}
	return rt.Run(s, args)
}

// leave ends the current conversation cleanly; unless quiet, it says so.
func (s *Session) leave(quiet bool) error {
	if err := s.tx.EndConversation(s.msg.ChatID); err != nil {
		return fmt.Errorf("end conversation: %w", err)
	}
	s.conv = nil
	if quiet {
		return nil
	}
	return s.say("flow.left")
}

func parseCommand(text string) (name, args string) {
	head, args, _ := strings.Cut(strings.TrimPrefix(text, "/"), " ")
	head, _, _ = strings.Cut(head, "@") // "/start@MyBot"
	return strings.ToLower(head), strings.TrimSpace(args)
}

// begin starts a flow, replacing any conversation in progress.
func (s *Session) begin(name, args string) error {
	f := s.e.flows[name]
	if f == nil {
		return fmt.Errorf("begin: no flow %q", name)
	}
	a := Answers{}
	if f.Begin != nil {
		ok, err := f.Begin(s, a, args)
		if err != nil || !ok {
			return err
		}
	}
	st := f.after(s, a, nil)
	if st == nil {
		return f.Done(s, a)
	}
	s.conv = &Conversation{
		ChatID:  s.msg.ChatID,
		UserID:  s.msg.UserID,
		Flow:    f.Name,
		Version: f.Version,
		Answers: a,
	}
	return s.moveTo(st)
}

// moveTo makes st the current step with a fresh button token, saves the
// conversation and asks the step's question.
func (s *Session) moveTo(st *Step) error {
	s.conv.Step = st.Name
	s.conv.Token = newToken()
	s.conv.Updated = s.now
	if err := s.tx.SaveConversation(*s.conv); err != nil {
		return fmt.Errorf("save conversation: %w", err)
	}
	return s.ask(st)
}

// ask sends a step's question with its options as buttons.
func (s *Session) ask(st *Step) error {
	return s.askWith(st, st.prompt(s, s.conv.Answers))
}

// reask asks a step again after an answer it could not use: the reason, then
// the step's short re-ask when it has one.
func (s *Session) reask(st *Step, problem string) error {
	if problem != problemNoMatch || st.Reask == "" {
		// A short re-ask of a choice says all that is needed by itself.
		s.note(problem, "min", fmt.Sprint(st.Min), "max", fmt.Sprint(st.Max))
	}
	key := st.Reask
	if key == "" {
		key = st.prompt(s, s.conv.Answers)
	}
	return s.askWith(st, key)
}

func (s *Session) askWith(st *Step, key string) error {
	a := s.conv.Answers
	var vars []string
	if st.Vars != nil {
		var err error
		if vars, err = st.Vars(s, a); err != nil {
			return fmt.Errorf("%s.%s: %w", s.conv.Flow, st.Name, err)
		}
	}
	opts, err := st.options(s, a)
	if err != nil {
		return fmt.Errorf("%s.%s: %w", s.conv.Flow, st.Name, err)
	}
	r := bot.Reply{Text: s.T(key, vars...)}
	for _, o := range opts {
		r.Buttons = append(r.Buttons, bot.Button{Label: s.label(o), Data: s.conv.Token + ":" + o.Value})
	}
	return s.reply(r)
}

// answer applies one answer to the current step.
func (s *Session) answer(v string, pressed bool) error {
	c := s.conv
	f := s.e.flows[c.Flow]
	var st *Step
	if f != nil {
		st = f.step(c.Step)
	}
	if f == nil || st == nil || c.Version != f.Version {
		// Saved under an older shape of the flow: start it again gracefully.
		if err := s.leave(true); err != nil {
			return err
		}
		s.note("flow.restarted")
		if f == nil {
			return s.flush()
		}
		return s.begin(f.Name, "")
	}
	if c.Answers == nil {
		c.Answers = Answers{}
	}
	opts, err := st.options(s, c.Answers)
	if err != nil {
		return fmt.Errorf("%s.%s: %w", c.Flow, st.Name, err)
	}
	value, problem := st.parse(s, c.Answers, opts, v, pressed)
	switch {
	case problem == problemExpired:
		return s.say(problem)
	case problem == problemNoMatch && st.OnText != nil:
		return st.OnText(s, c.Answers, strings.TrimSpace(v))
	case problem == problemNoMatch && st.Keep != "" && !isNumber(v):
		// Nothing a person writes is dropped: keep it where it belongs and
		// ask for the choice again, briefly.
		c.Answers[st.Keep] = strings.TrimSpace(v)
		c.Updated = s.now
		if err := s.tx.SaveConversation(*c); err != nil {
			return fmt.Errorf("save conversation: %w", err)
		}
		return s.reask(st, "input.kept")
	case problem != "":
		return s.reask(st, problem)
	}
	c.Answers[st.Name] = value
	c.Answers[answeredKey] = fmt.Sprint(Answers(c.Answers).Int(answeredKey) + 1)
	if st.After != nil {
		if err := st.After(s, c.Answers); err != nil {
			return err
		}
	}
	if st.Next != nil && st.Next(s, c.Answers) == stayStep {
		// The question stays open with its buttons; only the answers move.
		c.Updated = s.now
		if err := s.tx.SaveConversation(*c); err != nil {
			return fmt.Errorf("save conversation: %w", err)
		}
		return s.flush()
	}
	next := f.after(s, c.Answers, st)
	if next == nil {
		if err := s.leave(true); err != nil {
			return err
		}
		return f.Done(s, c.Answers)
	}
	return s.moveTo(next)
}

// isNumber reports whether typed text is only a number: a choice typed by a
// number that is none of the options, not words worth keeping.
func isNumber(v string) bool {
	_, err := strconv.Atoi(strings.TrimSpace(v))
	return err == nil
}

// answeredKey counts, among a conversation's answers, the questions the
// person has answered: a conversation with none has nothing to lose.
const answeredKey = "_answered"

// newToken returns a short random token for a prompt's buttons.
func newToken() string {
	return rand.Text()[:10]
}

// noteReply records that the person wrote: invitations are no longer
// unanswered, a platform that refused delivery before evidently delivers now,
// and the time they were last seen moves on (to the hour, so it costs a write
// at most once an hour).
func (s *Session) noteReply() error {
	seen := s.now.Sub(s.client.LastSeen) >= time.Hour
	if !s.known || (!s.client.Unreachable && s.client.Unanswered == 0 && !seen) {
		return nil
	}
	s.client.LastSeen = s.now
	s.client.Unreachable = false
	s.client.Unanswered = 0
	return s.saveClient()
}
