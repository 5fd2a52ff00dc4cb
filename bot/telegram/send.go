package telegram

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/coachbot/coachbot/bot"
)

// Telegram's limits, counted in UTF-16 code units of the visible text (after HTML
// entities are parsed), as Telegram counts them.
const (
	maxTextUnits    = 4096
	maxCaptionUnits = 1024
)

// Keyboard layout: short labels share a row, up to three per row; any longer label
// puts every button on its own row so none is cut off on a phone.
const (
	shortLabelRunes = 12
	buttonsPerRow   = 3
)

var htmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// escapeHTML makes plain text safe to send with parse_mode HTML, so "<3 & more"
// arrives as written.
func escapeHTML(s string) string { return htmlEscaper.Replace(s) }

// Send delivers one reply. Long text is split at line breaks into several messages,
// with the buttons under the last. Failures are classified for the dispatcher:
// *bot.RetryAfterError (flood limit), bot.ErrUnreachable (blocked, chat gone),
// *bot.PermanentError (the request itself is wrong), anything else is transient.
//
// A reply split into several messages is not atomic: when a later part fails, a
// retry sends the earlier parts again.
func (a *Adapter) Send(ctx context.Context, r bot.Reply) error {
	chat, err := telegramChat(r.ChatID)
	if err != nil {
		return &bot.PermanentError{Err: err}
	}
	api := a.api(ctx, requestTimeout)
	markup := keyboard(r.Buttons)

	if r.Document != nil {
		caption := r.Text
		if utf16Len(caption) > maxCaptionUnits {
			if err := a.sendText(api, chat, r.Text, nil); err != nil {
				return err
			}
			caption = ""
		}
		doc := tgbotapi.NewDocument(chat, tgbotapi.FileBytes{Name: r.Document.Name, Bytes: r.Document.Content})
		if caption != "" {
			doc.Caption = escapeHTML(caption)
			doc.ParseMode = tgbotapi.ModeHTML
		}
		if markup != nil {
			doc.ReplyMarkup = markup
		}
		if _, err := api.Request(doc); err != nil {
			return fmt.Errorf("telegram: sendDocument: %w", classify(err))
		}
		return nil
	}
	if strings.TrimSpace(r.Text) == "" {
		return &bot.PermanentError{Err: errors.New("telegram: reply has neither text nor document")}
	}
	return a.sendText(api, chat, r.Text, markup)
}

// sendText sends text in as many messages as Telegram's length limit requires,
// with markup (if any) under the last.
func (a *Adapter) sendText(api *tgbotapi.BotAPI, chat int64, text string, markup *tgbotapi.InlineKeyboardMarkup) error {
	parts := splitText(text, maxTextUnits)
	for i, part := range parts {
		msg := tgbotapi.NewMessage(chat, escapeHTML(part))
		msg.ParseMode = tgbotapi.ModeHTML
		if i == len(parts)-1 && markup != nil {
			msg.ReplyMarkup = markup
		}
		if _, err := api.Request(msg); err != nil {
			return fmt.Errorf("telegram: sendMessage: %w", classify(err))
		}
	}
	return nil
}

func telegramChat(id string) (int64, error) {
	platform, local, err := bot.SplitID(id)
	if err != nil {
		return 0, fmt.Errorf("telegram: chat: %w", err)
	}
	if platform != bot.Telegram {
		return 0, fmt.Errorf("telegram: chat %q belongs to %s", id, platform)
	}
	chat, err := strconv.ParseInt(local, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("telegram: chat %q: %w", id, err)
	}
	return chat, nil
}

// keyboard lays buttons out as an inline keyboard, or returns nil for none.
func keyboard(buttons []bot.Button) *tgbotapi.InlineKeyboardMarkup {
	if len(buttons) == 0 {
		return nil
	}
	perRow := buttonsPerRow
	for _, b := range buttons {
		if utf8.RuneCountInString(b.Label) > shortLabelRunes {
			perRow = 1
			break
		}
	}
	var rows [][]tgbotapi.InlineKeyboardButton
	for start := 0; start < len(buttons); start += perRow {
		end := min(start+perRow, len(buttons))
		row := make([]tgbotapi.InlineKeyboardButton, 0, end-start)
		for _, b := range buttons[start:end] {
			row = append(row, tgbotapi.NewInlineKeyboardButtonData(b.Label, b.Data))
		}
		rows = append(rows, row)
	}
	return &tgbotapi.InlineKeyboardMarkup{InlineKeyboard: rows}
}

// utf16Len counts s in UTF-16 code units, the unit of Telegram's length limits:
// an emoji outside the Basic Multilingual Plane counts twice.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// splitText cuts s into parts of at most limit UTF-16 units: at the last line break
// that fits, else at the last space, else (one endless word) at the limit itself.
// Only the separator at a cut and blank space around it are dropped, which Telegram
// would trim anyway.
func splitText(s string, limit int) []string {
	var parts []string
	for utf16Len(s) > limit {
		hard := prefixWithin(s, limit)
		cut, skip := hard, 0
		if i := strings.LastIndexByte(s[:hard], '\n'); i > 0 {
			cut, skip = i, 1
		} else if i := strings.LastIndexByte(s[:hard], ' '); i > 0 {
			cut, skip = i, 1
		}
		if part := strings.TrimRight(s[:cut], " \n"); part != "" {
			parts = append(parts, part)
		}
		s = strings.TrimLeft(s[cut+skip:], "\n")
	}
	if s = strings.TrimRight(s, " \n"); s != "" {
		parts = append(parts, s)
	}
	return parts
}

// prefixWithin returns the length in bytes of the longest prefix of s that fits in
// limit UTF-16 units, never splitting a rune.
func prefixWithin(s string, limit int) int {
	units := 0
	for i, r := range s {
		w := 1
		if r >= 0x10000 {
			w = 2
		}
		if units+w > limit {
			return i
		}
		units += w
	}
	return len(s)
}

// classify maps an API failure to the dispatcher's vocabulary, and replaces the
// SDK's error type with a plain one so it cannot leak out of the package. The SDK
// leaves the error code empty for multipart uploads, so the code is recovered from
// the description's prefix ("Forbidden: ...") when missing. Network errors stay as
// they are (transient, and still matching context.Canceled and the like).
func classify(err error) error {
	var apiErr *tgbotapi.Error
	if !errors.As(err, &apiErr) {
		return err
	}
	code := apiErr.Code
	if code == 0 {
		code = codeFromDescription(apiErr.Message)
	}
	desc := strings.ToLower(apiErr.Message)
	switch {
	case code == http.StatusTooManyRequests || apiErr.RetryAfter > 0:
		return &bot.RetryAfterError{After: time.Duration(max(apiErr.RetryAfter, 1)) * time.Second}
	case code == http.StatusForbidden:
		return fmt.Errorf("%s: %w", apiErr.Message, bot.ErrUnreachable)
	case code == http.StatusBadRequest && (strings.Contains(desc, "chat not found") || strings.Contains(desc, "have no rights to send")):
		return fmt.Errorf("%s: %w", apiErr.Message, bot.ErrUnreachable)
	case code == http.StatusBadRequest:
		return &bot.PermanentError{Err: errors.New(apiErr.Message)}
	}
	return errors.New(apiErr.Message)
}

func codeFromDescription(desc string) int {
	prefixes := []struct {
		prefix string
		code   int
	}{
		{"Bad Request", http.StatusBadRequest},
		{"Unauthorized", http.StatusUnauthorized},
		{"Forbidden", http.StatusForbidden},
		{"Not Found", http.StatusNotFound},
		{"Conflict", http.StatusConflict},
		{"Too Many Requests", http.StatusTooManyRequests},
	}
	for _, p := range prefixes {
		if strings.HasPrefix(desc, p.prefix) {
			return p.code
		}
	}
	return 0
}
