package telegramtest

import (
	"net/http"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Telegram's limits, in UTF-16 code units of the visible text.
const (
	maxTextUnits     = 4096
	maxCaptionUnits  = 1024
	maxCallbackBytes = 64
)

var commandName = regexp.MustCompile(`^[a-z0-9_]{1,32}$`)

// textAndKeyboard reads and checks the text and inline keyboard of a message
// being sent or edited; Telegram words the too-long error differently for each.
func (r *request) textAndKeyboard(tooLong string) (string, [][]Button, *apiError) {
	text, e := visibleText(r.params["text"], r.params["parse_mode"])
	if e != nil {
		return "", nil, e
	}
	if strings.TrimSpace(text) == "" {
		return "", nil, badRequest("message text is empty")
	}
	if utf16Len(text) > maxTextUnits {
		return "", nil, badRequest("%s", tooLong)
	}
	rows, e := r.keyboard()
	return text, rows, e
}

func (s *Server) getMe(*request) (any, *apiError) {
	u := s.botUser()
	u.CanJoinGroups = true
	return u, nil
}

func (s *Server) sendMessage(r *request) (any, *apiError) {
	text, rows, e := r.textAndKeyboard("message is too long")
	if e != nil {
		return nil, e
	}
	return s.store(r, &message{text: text, buttons: rows})
}

func (s *Server) sendDocument(r *request) (any, *apiError) {
	doc, uploaded := r.files["document"]
	if !uploaded {
		ref := r.params["document"]
		if ref == "" {
			return nil, badRequest("there is no document in the request")
		}
		doc = Document{Name: ref} // a file_id or URL: nothing to keep but its name
	}
	caption, e := visibleText(r.params["caption"], r.params["parse_mode"])
	if e != nil {
		return nil, e
	}
	if utf16Len(caption) > maxCaptionUnits {
		return nil, badRequest("message caption is too long")
	}
	rows, e := r.keyboard()
	if e != nil {
		return nil, e
	}
	return s.store(r, &message{text: caption, buttons: rows, doc: &doc})
}

// store adds a message from the bot to the chat the request names, within the
// flood limits, and then tells the message hook, if any, outside the lock.
func (s *Server) store(r *request, m *message) (any, *apiError) {
	s.mu.Lock()
	c, e := s.targetLocked(r)
	if e == nil {
		e = s.admitLocked(c.id)
	}
	if e != nil {
		s.mu.Unlock()
		return nil, e
	}
	s.appendLocked(c, m)
	out := s.apiMessage(c, m)
	hook := s.hook
	var sent []Sent
	if hook != nil {
		sent = sentOf(c, []int{m.id})
	}
	s.mu.Unlock()
	if hook != nil {
		hook(c.id, sent[0])
	}
	return out, nil
}

func (s *Server) appendLocked(c *chat, m *message) *message {
	m.date = s.now().Unix()
	m.arrived = time.Now()
	c.add(m, s.history)
	s.stats.MessagesSent++
	s.notifyLocked(c.id)
	return m
}

func (s *Server) answerCallbackQuery(r *request) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := r.params["callback_query_id"]
	if !s.callbacks[id] {
		return nil, badRequest("query is too old and response timeout expired or query ID is invalid")
	}
	delete(s.callbacks, id)
	s.stats.CallbacksAnswered++
	return true, nil
}

func (s *Server) editMessageText(r *request) (any, *apiError) {
	text, rows, e := r.textAndKeyboard("MESSAGE_TOO_LONG")
	if e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, m, e := s.editableLocked(r)
	if e != nil {
		return nil, e
	}
	if m.doc != nil {
		return nil, badRequest("there is no text in the message to edit")
	}
	return s.editLocked(c, m, text, rows)
}

// editMessageReplyMarkup replaces the keyboard; without reply_markup (or with an
// empty one) it removes it.
func (s *Server) editMessageReplyMarkup(r *request) (any, *apiError) {
	rows, e := r.keyboard()
	if e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, m, e := s.editableLocked(r)
	if e != nil {
		return nil, e
	}
	return s.editLocked(c, m, m.text, rows)
}

// editLocked replaces a message with its edited copy. As in Telegram, an edit
// without reply_markup drops the keyboard, and an edit that changes nothing fails.
func (s *Server) editLocked(c *chat, m *message, text string, rows [][]Button) (any, *apiError) {
	if m.text == text && reflect.DeepEqual(m.buttons, rows) {
		return nil, badRequest("message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message")
	}
	if e := s.admitLocked(c.id); e != nil {
		return nil, e
	}
	edited := *m
	edited.text, edited.buttons = text, rows
	edited.edits++
	edited.editDate = s.now().Unix()
	c.replace(&edited)
	s.stats.Edits++
	s.notifyLocked(c.id)
	return s.apiMessage(c, &edited), nil
}

func (s *Server) editableLocked(r *request) (*chat, *message, *apiError) {
	if r.params["inline_message_id"] != "" {
		return nil, nil, badRequest("MESSAGE_ID_INVALID")
	}
	c, e := s.targetLocked(r)
	if e != nil {
		return nil, nil, e
	}
	id, e := r.intParam("message_id")
	if e != nil {
		return nil, nil, e
	}
	m, ok := c.message(int(id))
	if !ok {
		return nil, nil, badRequest("message to edit not found")
	}
	if m == nil {
		return nil, nil, badRequest("message can't be edited")
	}
	return c, m, nil
}

// targetLocked resolves chat_id to a chat the bot may write to: one where somebody
// wrote to the bot first and that did not block it.
func (s *Server) targetLocked(r *request) (*chat, *apiError) {
	raw := r.params["chat_id"]
	if raw == "" {
		return nil, badRequest("chat_id is empty")
	}
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil {
		return nil, errChatNotFound
	}
	c := s.chats[id]
	if c == nil {
		return nil, errChatNotFound
	}
	if c.blocked {
		return nil, errBlocked
	}
	return c, nil
}

func (s *Server) admitLocked(chatID int64) *apiError {
	if s.flood == nil {
		return nil
	}
	if wait, ok := s.flood.admit(chatID); !ok {
		return &apiError{code: http.StatusTooManyRequests, description: describe(http.StatusTooManyRequests, wait), retryAfter: wait}
	}
	return nil
}

// keyboard reads an inline keyboard from reply_markup; other markups (reply
// keyboards) are accepted and ignored. No keyboard or an empty one is nil.
func (r *request) keyboard() ([][]Button, *apiError) {
	var kb apiKeyboard
	if ok, e := r.jsonParam("reply_markup", &kb); !ok || e != nil {
		return nil, e
	}
	var rows [][]Button
	for _, row := range kb.InlineKeyboard {
		var out []Button
		for _, b := range row {
			if b.Text == "" {
				return nil, badRequest("text buttons are unallowed in the inline keyboard")
			}
			if b.URL == "" && (len(b.CallbackData) < 1 || len(b.CallbackData) > maxCallbackBytes) {
				return nil, badRequest("BUTTON_DATA_INVALID")
			}
			out = append(out, Button{Text: b.Text, Data: b.CallbackData, URL: b.URL})
		}
		if len(out) > 0 {
			rows = append(rows, out)
		}
	}
	return rows, nil
}

func (s *Server) setMyCommands(r *request) (any, *apiError) {
	var list []apiCommand
	ok, e := r.jsonParam("commands", &list)
	if e != nil {
		return nil, e
	}
	if !ok {
		return nil, badRequest("parameter \"commands\" is required")
	}
	cmds := make([]Command, 0, len(list))
	for _, c := range list {
		if !commandName.MatchString(c.Command) {
			return nil, badRequest("BOT_COMMAND_INVALID")
		}
		if n := utf8.RuneCountInString(c.Description); n < 1 || n > 256 {
			return nil, badRequest("BOT_COMMAND_DESCRIPTION_INVALID")
		}
		cmds = append(cmds, Command{Name: c.Command, Description: c.Description})
	}
	lang := r.params["language_code"]
	s.mu.Lock()
	defer s.mu.Unlock()
	if lang == "" {
		s.commands = cmds
	}
	if s.commandsIn == nil {
		s.commandsIn = map[string][]Command{}
	}
	s.commandsIn[lang] = cmds
	return true, nil
}

func (s *Server) getMyCommands(*request) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]apiCommand, 0, len(s.commands))
	for _, c := range s.commands {
		out = append(out, apiCommand{Command: c.Name, Description: c.Description})
	}
	return out, nil
}
