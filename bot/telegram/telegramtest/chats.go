package telegramtest

import (
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
)

// Sent is one message the bot sent, as the person sees it now: edits applied,
// HTML parsed into plain text.
type Sent struct {
	MessageID int
	Text      string // text, or the caption of a document
	Buttons   [][]Button
	Document  *Document
	At        time.Time // the message's date, on the server's clock
	// Arrived is when the server accepted the message, on the real clock with
	// full precision, for measuring how long a reply took.
	Arrived time.Time
	Edits   int
}

// Labels lists the labels of the message's buttons, row after row.
func (m Sent) Labels() []string {
	var labels []string
	for _, row := range m.Buttons {
		for _, b := range row {
			labels = append(labels, b.Text)
		}
	}
	return labels
}

// Button is one inline keyboard button.
type Button struct {
	Text string
	Data string // callback data; empty for URL buttons
	URL  string
}

// Document is a file the bot sent.
type Document struct {
	Name    string
	Content []byte
}

// Command is one entry of the bot's command menu.
type Command struct {
	Name        string
	Description string
}

// chat is one conversation: a private chat with one simulated person, or a group.
type chat struct {
	id      int64
	kind    string // "private" or "group"
	person  apiUser
	first   int        // message ID of msgs[0]; earlier messages are forgotten
	msgs    []*message // msgs[i] has ID first+i; nil marks a message the person wrote
	botMsgs []int      // message IDs of the bot's kept messages, in order
	botSent int        // messages the bot sent, forgotten ones included
	blocked bool
}

// add appends m (nil for a message the person wrote) and returns its ID. With a
// history limit, the oldest messages are forgotten in chunks, so adding stays
// cheap on average.
func (c *chat) add(m *message, history int) int {
	if c.first == 0 {
		c.first = 1
	}
	id := c.first + len(c.msgs)
	c.msgs = append(c.msgs, m)
	if m != nil {
		m.id = id
		c.botMsgs = append(c.botMsgs, id)
		c.botSent++
	}
	if history > 0 && len(c.msgs) > 2*history {
		drop := len(c.msgs) - history
		c.first += drop
		c.msgs = append([]*message(nil), c.msgs[drop:]...)
		keep := c.botMsgs[:0]
		for _, b := range c.botMsgs {
			if b >= c.first {
				keep = append(keep, b)
			}
		}
		c.botMsgs = append([]int(nil), keep...)
	}
	return id
}

// message returns the message with id; ok is false when there is none (or it is
// forgotten), and m is nil for a message the person wrote.
func (c *chat) message(id int) (m *message, ok bool) {
	i := id - c.first
	if id < 1 || i < 0 || i >= len(c.msgs) {
		return nil, false
	}
	return c.msgs[i], true
}

// replace puts the edited copy of a bot message in its place.
func (c *chat) replace(m *message) {
	if i := m.id - c.first; i >= 0 && i < len(c.msgs) {
		c.msgs[i] = m
	}
}

// message is a bot message. It is replaced, never changed, when edited, so
// snapshots handed out stay valid.
type message struct {
	id       int
	date     int64
	arrived  time.Time
	editDate int64
	text     string
	buttons  [][]Button
	doc      *Document
	edits    int
}

func (s *Server) chatLocked(id int64, kind string) *chat {
	c := s.chats[id]
	if c == nil {
		person := apiUser{ID: id, FirstName: "User", LastName: strconv.FormatInt(id, 10),
			Username: "user" + strconv.FormatInt(id, 10), LanguageCode: "en"}
		if kind != "private" {
			member := max(id, -id)
			person = apiUser{ID: member, FirstName: "Member", LastName: strconv.FormatInt(member, 10), LanguageCode: "en"}
		}
		c = &chat{id: id, kind: kind, person: person}
		s.chats[id] = c
	}
	return c
}

// SendText simulates a person writing text in their private chat with the bot
// (whose chat ID is also the person's user ID). The chat exists from then on.
// A leading command is marked as a bot_command entity, as Telegram does.
func (s *Server) SendText(chatID int64, text string) {
	s.write(chatID, "private", text)
}

// OpenChat makes private chats the bot may write to, as if their people had
// started the bot in an earlier run, without any new update: a load run seeds
// a database with thousands of clients and opens their chats this way.
func (s *Server) OpenChat(chatIDs ...int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range chatIDs {
		s.chatLocked(id, "private")
	}
}

// SendGroupText simulates a member writing in a group the bot is in. The member's
// user ID is the absolute value of chatID.
func (s *Server) SendGroupText(chatID int64, text string) {
	s.write(chatID, "group", text)
}

func (s *Server) write(chatID int64, kind, text string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chatLocked(chatID, kind)
	m := &apiMessage{
		MessageID: c.add(nil, s.history),
		From:      &c.person,
		Chat:      c.apiChat(),
		Date:      s.now().Unix(),
		Text:      text,
		Entities:  commandEntity(text),
	}
	s.enqueueLocked(updateMessage, func(id int64) apiUpdate { return apiUpdate{UpdateID: id, Message: m} })
}

func commandEntity(text string) []apiEntity {
	if !strings.HasPrefix(text, "/") {
		return nil
	}
	cmd, _, _ := strings.Cut(text, " ")
	cmd, _, _ = strings.Cut(cmd, "\n")
	return []apiEntity{{Type: "bot_command", Offset: 0, Length: utf16Len(cmd)}}
}

// Press simulates a person pressing a button with the given callback data under
// the bot's message. Any data may be pressed, like a forged or outdated button.
// Pressing a message that does not exist fails the test (see NewServer).
func (s *Server) Press(chatID int64, messageID int, data string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.pressLocked(chatID, messageID, data); err != nil {
		s.report("%v", err)
	}
}

// TryPress is Press that returns the misuse instead of reporting it.
func (s *Server) TryPress(chatID int64, messageID int, data string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pressLocked(chatID, messageID, data)
}

func (s *Server) pressLocked(chatID int64, messageID int, data string) error {
	var m *message
	c := s.chats[chatID]
	if c != nil {
		m, _ = c.message(messageID)
	}
	if m == nil {
		return fmt.Errorf("telegramtest: Press(%d, %d): no such bot message", chatID, messageID)
	}
	s.nextQuery++
	q := &apiCallbackQuery{
		ID:           strconv.FormatInt(4_000_000_000+s.nextQuery, 10),
		From:         c.person,
		Message:      s.apiMessage(c, m),
		ChatInstance: strconv.FormatInt(-chatID, 10),
		Data:         data,
	}
	s.callbacks[q.ID] = true
	s.enqueueLocked(updateCallbackQuery, func(id int64) apiUpdate { return apiUpdate{UpdateID: id, CallbackQuery: q} })
	return nil
}

// Block simulates the person blocking the bot: sends to the chat fail with 403.
func (s *Server) Block(chatID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.chatLocked(chatID, "private").blocked = true
}

// Messages returns what the bot sent to a chat, in order, as it looks now.
func (s *Server) Messages(chatID int64) []Sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.messagesLocked(chatID)
}

func (s *Server) messagesLocked(chatID int64) []Sent {
	c := s.chats[chatID]
	if c == nil {
		return nil
	}
	return sentOf(c, c.botMsgs)
}

// sentOf renders the chat's bot messages with the given IDs.
func sentOf(c *chat, ids []int) []Sent {
	out := make([]Sent, 0, len(ids))
	for _, id := range ids {
		m, _ := c.message(id)
		out = append(out, Sent{
			MessageID: m.id,
			Text:      m.text,
			Buttons:   m.buttons,
			Document:  m.doc,
			At:        time.Unix(m.date, 0),
			Arrived:   m.arrived,
			Edits:     m.edits,
		})
	}
	return out
}

// WaitMessages waits until the bot has sent at least n messages to a chat and
// returns them all, or returns an error saying how many arrived when ctx ends.
func (s *Server) WaitMessages(ctx context.Context, chatID int64, n int) ([]Sent, error) {
	for {
		s.mu.Lock()
		got := 0
		if c := s.chats[chatID]; c != nil {
			got = c.botSent
		}
		if got >= n {
			msgs := s.messagesLocked(chatID)
			s.mu.Unlock()
			return msgs, nil
		}
		ch := s.waiterLocked(chatID)
		s.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return s.Messages(chatID), fmt.Errorf("telegramtest: chat %d: got %d messages, want %d: %w", chatID, got, n, ctx.Err())
		case <-s.done:
			return s.Messages(chatID), fmt.Errorf("telegramtest: chat %d: server closed with %d messages, want %d", chatID, got, n)
		}
	}
}

// WaitAfter waits until the bot has sent more than seen messages to a chat, and
// returns the ones after the first seen (those the history still keeps) and how
// many the bot has sent to the chat in all. A simulated person calls it in a loop
// with the total it last got, so each call costs only what is new.
func (s *Server) WaitAfter(ctx context.Context, chatID int64, seen int) ([]Sent, int, error) {
	for {
		s.mu.Lock()
		c := s.chats[chatID]
		if c != nil && c.botSent > seen {
			newer := min(c.botSent-seen, len(c.botMsgs))
			out := sentOf(c, c.botMsgs[len(c.botMsgs)-newer:])
			total := c.botSent
			s.mu.Unlock()
			return out, total, nil
		}
		ch := s.waiterLocked(chatID)
		s.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return nil, seen, fmt.Errorf("telegramtest: chat %d: no message after the first %d: %w", chatID, seen, ctx.Err())
		case <-s.done:
			return nil, seen, fmt.Errorf("telegramtest: chat %d: server closed with no message after the first %d", chatID, seen)
		}
	}
}

// waiterLocked returns the channel closed at the chat's next change.
func (s *Server) waiterLocked(chatID int64) chan struct{} {
	ch := s.waiters[chatID]
	if ch == nil {
		ch = make(chan struct{})
		s.waiters[chatID] = ch
	}
	return ch
}

// notifyLocked wakes those waiting for the chat's messages.
func (s *Server) notifyLocked(chatID int64) {
	if ch := s.waiters[chatID]; ch != nil {
		close(ch)
		delete(s.waiters, chatID)
	}
}

// Commands returns the command menu last published with setMyCommands.
func (s *Server) Commands() []Command {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Command(nil), s.commands...)
}

// CommandsIn returns the menu set for people whose app speaks lang.
func (s *Server) CommandsIn(lang string) []Command {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Command(nil), s.commandsIn[lang]...)
}

func (c *chat) apiChat() apiChat {
	if c.kind == "private" {
		return apiChat{ID: c.id, Type: c.kind, FirstName: c.person.FirstName, LastName: c.person.LastName, Username: c.person.Username}
	}
	return apiChat{ID: c.id, Type: c.kind, Title: "Group " + strconv.FormatInt(c.id, 10)}
}

func (s *Server) botUser() *apiUser {
	return &apiUser{ID: botID, IsBot: true, FirstName: "Coach Test", Username: s.username}
}

// apiMessage renders a bot message as the API returns it.
func (s *Server) apiMessage(c *chat, m *message) *apiMessage {
	out := &apiMessage{
		MessageID:   m.id,
		From:        s.botUser(),
		Chat:        c.apiChat(),
		Date:        m.date,
		EditDate:    m.editDate,
		ReplyMarkup: markup(m.buttons),
	}
	if m.doc != nil {
		out.Caption = m.text
		out.Document = &apiDocument{
			FileID:       fmt.Sprintf("doc-%d-%d", c.id, m.id),
			FileUniqueID: fmt.Sprintf("u-%d-%d", c.id, m.id),
			FileName:     m.doc.Name,
			MimeType:     "application/octet-stream",
			FileSize:     len(m.doc.Content),
		}
	} else {
		out.Text = m.text
	}
	return out
}

func markup(rows [][]Button) *apiKeyboard {
	if len(rows) == 0 {
		return nil
	}
	kb := &apiKeyboard{InlineKeyboard: make([][]apiButton, len(rows))}
	for i, row := range rows {
		for _, b := range row {
			kb.InlineKeyboard[i] = append(kb.InlineKeyboard[i], apiButton{Text: b.Text, CallbackData: b.Data, URL: b.URL})
		}
	}
	return kb
}

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

func readFile(open func() (multipart.File, error)) ([]byte, error) {
	f, err := open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}

// JSON shapes of the Bot API, as far as the fake uses them.
type (
	apiUser struct {
		ID                      int64  `json:"id"`
		IsBot                   bool   `json:"is_bot"`
		FirstName               string `json:"first_name"`
		LastName                string `json:"last_name,omitempty"`
		Username                string `json:"username,omitempty"`
		LanguageCode            string `json:"language_code,omitempty"`
		CanJoinGroups           bool   `json:"can_join_groups,omitempty"`
		CanReadAllGroupMessages bool   `json:"can_read_all_group_messages,omitempty"`
		SupportsInlineQueries   bool   `json:"supports_inline_queries,omitempty"`
	}
	apiChat struct {
		ID        int64  `json:"id"`
		Type      string `json:"type"`
		Title     string `json:"title,omitempty"`
		Username  string `json:"username,omitempty"`
		FirstName string `json:"first_name,omitempty"`
		LastName  string `json:"last_name,omitempty"`
	}
	apiEntity struct {
		Type   string `json:"type"`
		Offset int    `json:"offset"`
		Length int    `json:"length"`
	}
	apiDocument struct {
		FileID       string `json:"file_id"`
		FileUniqueID string `json:"file_unique_id"`
		FileName     string `json:"file_name,omitempty"`
		MimeType     string `json:"mime_type,omitempty"`
		FileSize     int    `json:"file_size,omitempty"`
	}
	apiMessage struct {
		MessageID   int          `json:"message_id"`
		From        *apiUser     `json:"from,omitempty"`
		Chat        apiChat      `json:"chat"`
		Date        int64        `json:"date"`
		EditDate    int64        `json:"edit_date,omitempty"`
		Text        string       `json:"text,omitempty"`
		Entities    []apiEntity  `json:"entities,omitempty"`
		Document    *apiDocument `json:"document,omitempty"`
		Caption     string       `json:"caption,omitempty"`
		ReplyMarkup *apiKeyboard `json:"reply_markup,omitempty"`
	}
	apiCallbackQuery struct {
		ID           string      `json:"id"`
		From         apiUser     `json:"from"`
		Message      *apiMessage `json:"message,omitempty"`
		ChatInstance string      `json:"chat_instance"`
		Data         string      `json:"data,omitempty"`
	}
	apiUpdate struct {
		UpdateID      int64             `json:"update_id"`
		Message       *apiMessage       `json:"message,omitempty"`
		CallbackQuery *apiCallbackQuery `json:"callback_query,omitempty"`
	}
	apiKeyboard struct {
		InlineKeyboard [][]apiButton `json:"inline_keyboard"`
	}
	apiButton struct {
		Text         string `json:"text"`
		CallbackData string `json:"callback_data,omitempty"`
		URL          string `json:"url,omitempty"`
	}
	apiCommand struct {
		Command     string `json:"command"`
		Description string `json:"description"`
	}
)
