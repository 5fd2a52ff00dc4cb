package discord

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/coachbot/coachbot/bot"
)

// Send delivers one reply: text longer than Discord's 2000 characters as several
// messages, buttons and any document on the last one. Failures are classified for
// the dispatcher: *bot.RetryAfterError on 429, bot.ErrUnreachable when Discord
// refuses to message the user (code 50007), *bot.PermanentError for other 4xx and
// for replies Discord could never accept; anything else is worth retrying.
func (a *Adapter) Send(ctx context.Context, r bot.Reply) error {
	platform, channelID, err := bot.SplitID(r.ChatID)
	if err != nil || platform != bot.Discord {
		return &bot.PermanentError{Err: fmt.Errorf("discord: chat %q is not a Discord chat", r.ChatID)}
	}
	msgs, err := compose(r)
	if err != nil {
		return &bot.PermanentError{Err: fmt.Errorf("discord: %w", err)}
	}
	for _, m := range msgs {
		if err := a.post(ctx, channelID, m); err != nil {
			return classify(err)
		}
	}
	return nil
}

func (a *Adapter) post(ctx context.Context, channelID string, m *discordgo.MessageSend) error {
	ctx, cancel := withDeadline(ctx, requestTimeout)
	defer cancel()
	_, err := a.rest.ChannelMessageSendComplex(channelID, m, discordgo.WithContext(ctx), discordgo.WithRetryOnRatelimit(false))
	return err
}

// compose translates a reply into the messages that carry it.
func compose(r bot.Reply) ([]*discordgo.MessageSend, error) {
	rows, err := buttonRows(r.Buttons)
	if err != nil {
		return nil, err
	}
	parts := splitText(r.Text, maxContent)
	if len(parts) == 0 {
		if len(rows) == 0 && r.Document == nil {
			return nil, errors.New("empty reply")
		}
		parts = []string{""}
	}
	msgs := make([]*discordgo.MessageSend, len(parts))
	for i, p := range parts {
		msgs[i] = &discordgo.MessageSend{
			Content: p,
			// Nothing the bot writes should ping anyone.
			AllowedMentions: &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}},
		}
	}
	last := msgs[len(msgs)-1]
	if len(rows) > 0 {
		last.Components = rows
	}
	if d := r.Document; d != nil {
		name := d.Name
		if name == "" {
			name = "document"
		}
		last.Files = []*discordgo.File{{Name: name, Reader: bytes.NewReader(d.Content)}}
	}
	return msgs, nil
}

// buttonRows lays buttons out five to a row. Discord allows five rows, needs a
// label on every button, button data of up to 100 characters and no two buttons
// with the same data on one message; a reply breaking those rules is refused here
// rather than by Discord. Labels longer than 80 characters are shortened.
func buttonRows(buttons []bot.Button) ([]discordgo.MessageComponent, error) {
	if len(buttons) > maxRows*maxRowButtons {
		return nil, fmt.Errorf("%d buttons: at most %d fit on a message", len(buttons), maxRows*maxRowButtons)
	}
	seen := make(map[string]bool, len(buttons))
	var rows []discordgo.MessageComponent
	var row discordgo.ActionsRow
	for _, b := range buttons {
		switch n := utf8.RuneCountInString(b.Data); {
		case n == 0 || n > maxCustomID:
			return nil, fmt.Errorf("button %q: data must be 1 to %d characters, got %d", b.Label, maxCustomID, n)
		case seen[b.Data]:
			return nil, fmt.Errorf("button %q: data %q used twice", b.Label, b.Data)
		}
		label := strings.TrimSpace(b.Label)
		if label == "" {
			return nil, fmt.Errorf("button with data %q has no label", b.Data)
		}
		seen[b.Data] = true
		row.Components = append(row.Components, discordgo.Button{
			Label:    truncate(label, maxLabel),
			Style:    discordgo.SecondaryButton,
			CustomID: b.Data,
		})
		if len(row.Components) == maxRowButtons {
			rows = append(rows, row)
			row = discordgo.ActionsRow{}
		}
	}
	if len(row.Components) > 0 {
		rows = append(rows, row)
	}
	return rows, nil
}

// splitText cuts text into parts of at most limit characters, preferring to cut
// at a line break, then at a space, and cutting hard only inside a very long
// word. Parts that would be blank are dropped.
func splitText(text string, limit int) []string {
	var parts []string
	add := func(p string) {
		if strings.TrimSpace(p) != "" {
			parts = append(parts, p)
		}
	}
	for utf8.RuneCountInString(text) > limit {
		cut := byteOffset(text, limit)
		head := text[:cut]
		if i := strings.LastIndexByte(head, '\n'); i > 0 {
			add(strings.TrimRight(head[:i], "\n"))
			text = strings.TrimLeft(text[i:], "\n")
			continue
		}
		if i := strings.LastIndexByte(head, ' '); i > 0 {
			add(head[:i])
			text = strings.TrimLeft(text[i:], " ")
			continue
		}
		add(head)
		text = text[cut:]
	}
	add(text)
	return parts
}

// byteOffset returns the byte offset of the n-th rune of s.
func byteOffset(s string, n int) int {
	for i := range s {
		if n == 0 {
			return i
		}
		n--
	}
	return len(s)
}
