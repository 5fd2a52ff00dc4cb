package telegram

import (
	"context"
	"strconv"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/coachbot/coachbot/bot"
)

// chosenMarker introduces the label of the pressed button, shown in place of the
// keyboard once a choice is made.
const chosenMarker = "\n\n› "

// inbound is one translated update: the message for the handler and, for a button
// press, the callback query that still has to be answered.
type inbound struct {
	msg      bot.Message
	callback *tgbotapi.CallbackQuery
}

// translate turns an update into a message. ok is false for updates the bot does
// not handle; they are confirmed and dropped.
func (a *Adapter) translate(u tgbotapi.Update) (in inbound, ok bool) {
	updateID := bot.ID(bot.Telegram, strconv.Itoa(u.UpdateID))
	switch {
	case u.Message != nil && u.Message.Chat != nil:
		m := u.Message
		text := m.Text
		if text == "" {
			text = m.Caption
		}
		return inbound{msg: bot.Message{
			UpdateID: updateID,
			ChatID:   chatID(m.Chat.ID),
			UserID:   userID(m.From, m.Chat),
			Name:     displayName(m.From),
			Text:     a.normalizeCommand(text),
			Group:    m.Chat.Type != "private",
			At:       time.Unix(int64(m.Date), 0).UTC(),
		}}, true
	case u.CallbackQuery != nil && u.CallbackQuery.From != nil:
		q := u.CallbackQuery
		chat, group := q.From.ID, false
		if q.Message != nil && q.Message.Chat != nil {
			chat, group = q.Message.Chat.ID, q.Message.Chat.Type != "private"
		}
		return inbound{msg: bot.Message{
			UpdateID: updateID,
			ChatID:   chatID(chat),
			UserID:   bot.ID(bot.Telegram, strconv.FormatInt(q.From.ID, 10)),
			Name:     displayName(q.From),
			Press:    q.Data,
			Group:    group,
			At:       a.now().UTC(),
		}, callback: q}, true
	}
	return inbound{}, false
}

func chatID(id int64) string { return bot.ID(bot.Telegram, strconv.FormatInt(id, 10)) }

// userID falls back to the chat when Telegram hides the sender (anonymous group
// admins, posts on behalf of a chat).
func userID(from *tgbotapi.User, chat *tgbotapi.Chat) string {
	if from == nil {
		return chatID(chat.ID)
	}
	return bot.ID(bot.Telegram, strconv.FormatInt(from.ID, 10))
}

func displayName(u *tgbotapi.User) string {
	if u == nil {
		return ""
	}
	return strings.TrimSpace(u.FirstName + " " + u.LastName)
}

// normalizeCommand drops the bot's own name from a command ("/start@MyBot abc"
// becomes "/start abc"), so commands read the same in every chat. Commands
// addressed to other bots are left alone.
func (a *Adapter) normalizeCommand(text string) string {
	if !strings.HasPrefix(text, "/") {
		return text
	}
	end := strings.IndexAny(text, " \t\n")
	if end < 0 {
		end = len(text)
	}
	cmd, rest := text[:end], text[end:]
	name, addressee, found := strings.Cut(cmd, "@")
	if !found || !strings.EqualFold(addressee, a.Username()) {
		return text
	}
	return name + rest
}

// acknowledge answers a button press so the client's spinner stops, then replaces
// the message's keyboard with the chosen label, so old buttons cannot be pressed
// again and the chat shows what was chosen. Failures are logged, never fatal: the
// press itself still reaches the handler.
func (a *Adapter) acknowledge(ctx context.Context, q *tgbotapi.CallbackQuery) {
	api := a.api(ctx, requestTimeout)
	if _, err := api.Request(tgbotapi.NewCallback(q.ID, "")); err != nil {
		if ctx.Err() != nil {
			return // stopping: the press is handled again after restart
		}
		a.log.Warn("answer callback query failed", "error", err)
	}
	m := q.Message
	if m == nil || m.Chat == nil || m.ReplyMarkup == nil || len(m.ReplyMarkup.InlineKeyboard) == 0 {
		return
	}
	if label := buttonLabel(m.ReplyMarkup, q.Data); label != "" && m.Text != "" {
		text := m.Text + chosenMarker + label
		if utf16Len(text) <= maxTextUnits {
			edit := tgbotapi.NewEditMessageText(m.Chat.ID, m.MessageID, escapeHTML(text))
			edit.ParseMode = tgbotapi.ModeHTML
			if _, err := api.Request(edit); err != nil && ctx.Err() == nil {
				a.log.Warn("show chosen button failed", "chat", chatID(m.Chat.ID), "error", err)
			}
			return
		}
	}
	removal := tgbotapi.NewEditMessageReplyMarkup(m.Chat.ID, m.MessageID,
		tgbotapi.InlineKeyboardMarkup{InlineKeyboard: [][]tgbotapi.InlineKeyboardButton{}})
	if _, err := api.Request(removal); err != nil && ctx.Err() == nil {
		a.log.Warn("remove keyboard failed", "chat", chatID(m.Chat.ID), "error", err)
	}
}

func buttonLabel(kb *tgbotapi.InlineKeyboardMarkup, data string) string {
	for _, row := range kb.InlineKeyboard {
		for _, b := range row {
			if b.CallbackData != nil && *b.CallbackData == data {
				return b.Text
			}
		}
	}
	return ""
}
