package discord

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/coachbot/coachbot/bot"
)

const (
	// maxPending bounds handler calls queued or running, across all chats. When
	// it is reached, reading from the gateway waits: backpressure instead of
	// unbounded memory.
	maxPending = 256
	// maxAcks bounds interaction acknowledgements in flight.
	maxAcks = 64
	// choiceMark separates a message from the choice shown under it once a
	// button was pressed.
	choiceMark = "\n\n› "
)

var errStopped = errors.New("discord: adapter stopped")

// inbox turns gateway events into handler calls. Events are translated on the
// gateway's reader goroutine, which must not block for long, and queued per chat
// on bot.Chats: each chat's calls in order, chats in parallel. Interactions are
// acknowledged at once, outside the chats' queues, because Discord gives only 3
// seconds. Every goroutine it starts is waited for in close.
type inbox struct {
	a     *Adapter
	h     bot.Handler
	ctx   context.Context
	slots chan struct{} // one per queued or running handler call
	acks  chan struct{} // one per acknowledgement in flight
	chats bot.Chats

	mu      sync.Mutex
	stopped bool
	wg      sync.WaitGroup
}

func newInbox(ctx context.Context, a *Adapter, h bot.Handler) *inbox {
	return &inbox{
		a:     a,
		h:     h,
		ctx:   ctx,
		slots: make(chan struct{}, maxPending),
		acks:  make(chan struct{}, maxAcks),
	}
}

// close stops accepting work and waits for every goroutine the inbox started.
// Calls still queued when ctx is cancelled are dropped; Discord would not
// redeliver them after a restart either.
func (in *inbox) close() {
	in.mu.Lock()
	in.stopped = true
	in.mu.Unlock()
	in.wg.Wait()
	in.chats.Wait()
}

// spawn starts f unless the inbox is closed.
func (in *inbox) spawn(f func()) bool {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.stopped {
		return false
	}
	in.wg.Go(f)
	return true
}

// enqueue adds a call to the chat's queue.
func (in *inbox) enqueue(chat string, call func(context.Context)) {
	select {
	case in.slots <- struct{}{}:
	case <-in.ctx.Done():
		return
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.stopped {
		<-in.slots
		return
	}
	in.chats.Go(chat, func() {
		if in.ctx.Err() == nil {
			call(in.ctx)
		}
		<-in.slots
	})
}

// acknowledge runs f at once, outside any lane, and returns a channel with its
// result, so that a lane can wait for the acknowledgement before calling the
// handler.
func (in *inbox) acknowledge(f func(context.Context) error) <-chan error {
	res := make(chan error, 1)
	select {
	case in.acks <- struct{}{}:
	case <-in.ctx.Done():
		res <- in.ctx.Err()
		return res
	}
	started := in.spawn(func() {
		defer func() { <-in.acks }()
		res <- f(in.ctx)
	})
	if !started {
		<-in.acks
		res <- errStopped
	}
	return res
}

func waitAck(ctx context.Context, ack <-chan error) error {
	select {
	case err := <-ack:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (in *inbox) handle(ctx context.Context, m bot.Message) {
	if err := in.h.Handle(ctx, m); err != nil && ctx.Err() == nil {
		in.a.log.Error("handle update failed", "chat", m.ChatID, "update", m.UpdateID, "err", err)
	}
}

// message translates a direct message. Messages in server channels, from bots
// (the bot's own included) and without text (stickers, attachments, calls) are
// ignored: the bot talks in DMs, and slash commands are the way in from a server.
func (in *inbox) message(m *discordgo.Message) {
	if m == nil || m.Author == nil || m.Author.Bot || m.GuildID != "" {
		return
	}
	if m.Type != discordgo.MessageTypeDefault && m.Type != discordgo.MessageTypeReply {
		return
	}
	if strings.TrimSpace(m.Content) == "" {
		return
	}
	at := m.Timestamp
	if at.IsZero() {
		at = in.a.now()
	}
	msg := bot.Message{
		UpdateID: bot.ID(bot.Discord, m.ID),
		ChatID:   bot.ID(bot.Discord, m.ChannelID),
		UserID:   bot.ID(bot.Discord, m.Author.ID),
		Name:     displayName(m.Author),
		Text:     m.Content,
		At:       at,
	}
	in.enqueue(msg.ChatID, func(ctx context.Context) { in.handle(ctx, msg) })
}

func (in *inbox) interaction(i *discordgo.Interaction) {
	if i == nil {
		return
	}
	user := i.User
	if i.Member != nil && i.Member.User != nil {
		user = i.Member.User
	}
	if user == nil || user.Bot {
		return
	}
	switch i.Type {
	case discordgo.InteractionApplicationCommand:
		if data, ok := i.Data.(discordgo.ApplicationCommandInteractionData); ok {
			in.command(i, data, user)
		}
	case discordgo.InteractionMessageComponent:
		if data, ok := i.Data.(discordgo.MessageComponentInteractionData); ok {
			in.press(i, data, user)
		}
	}
}

// command handles a slash command. In the bot's DM it is acknowledged with a
// deferred response whose "thinking…" placeholder is removed once the handler has
// run (its replies arrive as ordinary messages). Anywhere else it is answered
// privately with Texts.MovedToDM and the conversation continues in the user's DM.
func (in *inbox) command(i *discordgo.Interaction, data discordgo.ApplicationCommandInteractionData, user *discordgo.User) {
	if data.CommandType != discordgo.ChatApplicationCommand && data.CommandType != 0 {
		return
	}
	opts := make(map[string]string, len(data.Options))
	received := make([]string, 0, len(data.Options))
	for _, o := range data.Options {
		if o == nil {
			continue
		}
		opts[o.Name] = fmt.Sprint(o.Value)
		received = append(received, o.Name)
	}
	msg := bot.Message{
		UpdateID: bot.ID(bot.Discord, i.ID),
		UserID:   bot.ID(bot.Discord, user.ID),
		Name:     displayName(user),
		Text:     in.a.commandText(strings.ToLower(data.Name), opts, received),
		Language: string(i.Locale),
		At:       in.a.interactionTime(i.ID),
	}

	if i.GuildID == "" && i.Context != discordgo.InteractionContextPrivateChannel {
		msg.ChatID = bot.ID(bot.Discord, i.ChannelID)
		ack := in.acknowledge(func(ctx context.Context) error {
			return in.a.respond(ctx, i, deferred())
		})
		in.enqueue(msg.ChatID, func(ctx context.Context) {
			acked := waitAck(ctx, ack) == nil
			in.handle(ctx, msg)
			if acked {
				in.a.clearPlaceholder(ctx, i)
			}
		})
		return
	}

	in.acknowledge(func(ctx context.Context) error {
		moved := in.a.cfg.Texts.MovedToDM
		resp := deferred()
		if moved != "" {
			resp = &discordgo.InteractionResponse{
				Type: discordgo.InteractionResponseChannelMessageWithSource,
				Data: &discordgo.InteractionResponseData{Content: moved, Flags: discordgo.MessageFlagsEphemeral},
			}
		}
		ackErr := in.a.respond(ctx, i, resp)
		if ackErr != nil {
			in.a.log.Warn("acknowledge slash command failed", "update", msg.UpdateID, "err", ackErr)
		}
		ch, err := in.a.dmChannel(ctx, user.ID)
		if err != nil {
			in.a.log.Error("open direct message channel failed", "user", msg.UserID, "update", msg.UpdateID, "err", err)
			return err
		}
		if ackErr == nil && moved == "" {
			in.a.clearPlaceholder(ctx, i)
		}
		msg.ChatID = bot.ID(bot.Discord, ch)
		in.enqueue(msg.ChatID, func(ctx context.Context) { in.handle(ctx, msg) })
		return nil
	})
}

func deferred() *discordgo.InteractionResponse {
	return &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseDeferredChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{Flags: discordgo.MessageFlagsEphemeral},
	}
}

// press handles a button press: the message is updated at once, buttons removed
// and the choice shown under the text, and then the handler gets the button's
// data. The press is acknowledged whatever the handler does.
func (in *inbox) press(i *discordgo.Interaction, data discordgo.MessageComponentInteractionData, user *discordgo.User) {
	msg := bot.Message{
		UpdateID: bot.ID(bot.Discord, i.ID),
		ChatID:   bot.ID(bot.Discord, i.ChannelID),
		UserID:   bot.ID(bot.Discord, user.ID),
		Name:     displayName(user),
		Press:    data.CustomID,
		Group:    i.GuildID != "",
		Language: string(i.Locale),
		At:       in.a.interactionTime(i.ID),
	}
	ack := in.acknowledge(func(ctx context.Context) error {
		err := in.a.settlePress(ctx, i, data.CustomID)
		if err != nil {
			in.a.log.Warn("acknowledge button press failed", "chat", msg.ChatID, "update", msg.UpdateID, "err", err)
		}
		return err
	})
	in.enqueue(msg.ChatID, func(ctx context.Context) {
		_ = waitAck(ctx, ack) // the handler runs either way; the failure is logged
		in.handle(ctx, msg)
	})
}

// settlePress answers a press by updating the message (type 7): buttons gone,
// the chosen label under the text. If Discord refuses the update, a deferred
// update (type 6) still acknowledges the press.
func (a *Adapter) settlePress(ctx context.Context, i *discordgo.Interaction, customID string) error {
	if i.Message != nil {
		content := i.Message.Content
		if label := buttonLabel(i.Message.Components, customID); label != "" {
			if c := content + choiceMark + label; utf8.RuneCountInString(c) <= maxContent {
				content = c
			}
		}
		err := a.respond(ctx, i, &discordgo.InteractionResponse{
			Type: discordgo.InteractionResponseUpdateMessage,
			Data: &discordgo.InteractionResponseData{
				Content:    content,
				Components: []discordgo.MessageComponent{},
			},
		})
		var api *apiError
		if err == nil || !errors.As(err, &api) || api.status >= http.StatusInternalServerError || api.code == codeAlreadyAcknowledged {
			return err
		}
	}
	return a.respond(ctx, i, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredMessageUpdate})
}

// codeAlreadyAcknowledged is Discord's "Interaction has already been acknowledged".
const codeAlreadyAcknowledged = 40060

// buttonLabel finds the label of the button with customID among a message's
// components.
func buttonLabel(components []discordgo.MessageComponent, customID string) string {
	for _, c := range components {
		switch c := c.(type) {
		case *discordgo.ActionsRow:
			if l := buttonLabel(c.Components, customID); l != "" {
				return l
			}
		case discordgo.ActionsRow:
			if l := buttonLabel(c.Components, customID); l != "" {
				return l
			}
		case *discordgo.Button:
			if c.CustomID == customID {
				return c.Label
			}
		case discordgo.Button:
			if c.CustomID == customID {
				return c.Label
			}
		}
	}
	return ""
}

// respond sends the first response to an interaction, within Discord's 3 seconds.
func (a *Adapter) respond(ctx context.Context, i *discordgo.Interaction, r *discordgo.InteractionResponse) error {
	ctx, cancel := withDeadline(ctx, ackTimeout)
	defer cancel()
	if err := a.rest.InteractionRespond(i, r, discordgo.WithContext(ctx), discordgo.WithRestRetries(1)); err != nil {
		return fmt.Errorf("respond to interaction: %w", describe(err))
	}
	return nil
}

// clearPlaceholder deletes the response of a deferred slash command, or, if that
// fails, replaces "thinking…" with Texts.Received.
func (a *Adapter) clearPlaceholder(ctx context.Context, i *discordgo.Interaction) {
	ctx, cancel := withDeadline(ctx, requestTimeout)
	defer cancel()
	err := a.rest.InteractionResponseDelete(i, discordgo.WithContext(ctx))
	if err == nil {
		return
	}
	if received := a.cfg.Texts.Received; received != "" {
		if _, editErr := a.rest.InteractionResponseEdit(i, &discordgo.WebhookEdit{Content: &received}, discordgo.WithContext(ctx)); editErr == nil {
			return
		}
	}
	a.log.Warn("clear slash command placeholder failed", "update", bot.ID(bot.Discord, i.ID), "err", describe(err))
}

// dmChannel opens (or finds) the direct message channel with a user.
func (a *Adapter) dmChannel(ctx context.Context, userID string) (string, error) {
	ctx, cancel := withDeadline(ctx, requestTimeout)
	defer cancel()
	ch, err := a.rest.UserChannelCreate(userID, discordgo.WithContext(ctx))
	if err != nil {
		return "", fmt.Errorf("create dm channel: %w", describe(err))
	}
	return ch.ID, nil
}

// interactionTime reads the creation time from an interaction's snowflake ID;
// interactions carry no timestamp of their own.
func (a *Adapter) interactionTime(id string) time.Time {
	t, err := discordgo.SnowflakeTimestamp(id)
	if err != nil || t.Year() < 2016 {
		return a.now()
	}
	return t
}

func displayName(u *discordgo.User) string {
	if u.GlobalName != "" {
		return u.GlobalName
	}
	return u.Username
}
