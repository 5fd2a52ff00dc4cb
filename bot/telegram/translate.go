package telegram

import (
	"context"
	"errors"
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
			Language: languageOf(m.From),
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
			Language: q.From.LanguageCode,
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

// languageOf is the language the person's app reports, "" when unknown.
func languageOf(u *tgbotapi.User) string {
	if u == nil {
		return ""
	}
	return u.LanguageCode
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

// acknowledge answers a button press so the client's spinner stops, and
// replaces the message's keyboard with the chosen label (see showChoice).
// Callers that hand the press to the handler afterwards use it; the poller
// calls answerPress and showChoice around the handling instead.
func (a *Adapter) acknowledge(ctx context.Context, q *tgbotapi.CallbackQuery) {
	a.answerPress(ctx, q)
	a.showChoice(ctx, q)
}

// answerPress answers a button press so the client's spinner stops. Telegram
// does not count these answers against any limit. Failures are logged, never
// fatal: the press itself still reaches the handler.
func (a *Adapter) answerPress(ctx context.Context, q *tgbotapi.CallbackQuery) {
	if _, err := a.api(ctx, requestTimeout).Request(tgbotapi.NewCallback(q.ID, "")); err != nil && ctx.Err() == nil {
		a.log.Warn("answer callback query failed", "error", err)
	}
}

// showChoice replaces the pressed message's keyboard with the chosen label, so
// old buttons cannot be pressed again and the chat shows what was chosen.
// Telegram counts an edit like a message against the chat's limit, so with a
// Pacer the edit waits its turn behind the chat's replies and never takes the
// token the next question needs; without one it is made at once.
func (a *Adapter) showChoice(ctx context.Context, q *tgbotapi.CallbackQuery) {
	m := q.Message
	if m == nil || m.Chat == nil || m.ReplyMarkup == nil || len(m.ReplyMarkup.InlineKeyboard) == 0 {
		return
	}
	var edit tgbotapi.Chattable
	what := "remove keyboard"
	if label := buttonLabel(m.ReplyMarkup, q.Data); label != "" && m.Text != "" && utf16Len(m.Text+chosenMarker+label) <= maxTextUnits {
		e := tgbotapi.NewEditMessageText(m.Chat.ID, m.MessageID, escapeHTML(m.Text+chosenMarker+label))
		e.ParseMode = tgbotapi.ModeHTML
		edit, what = e, "show chosen button"
	} else {
		edit = tgbotapi.NewEditMessageReplyMarkup(m.Chat.ID, m.MessageID,
			tgbotapi.InlineKeyboardMarkup{InlineKeyboard: [][]tgbotapi.InlineKeyboardButton{}})
	}
	chat := chatID(m.Chat.ID)
	send := func(ctx context.Context) error {
		_, err := a.api(ctx, requestTimeout).Request(edit)
		if err == nil {
			return nil
		}
		err = classify(err)
		var after *bot.RetryAfterError
		if !errors.As(err, &after) && ctx.Err() == nil {
			a.log.Warn(what+" failed", "chat", chat, "error", err)
		}
		return err
	}
	if a.cfg.Pacer != nil {
		a.cfg.Pacer.Later(chat, send)
		return
	}
	_ = send(ctx)
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
