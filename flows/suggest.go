package flows

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/coachbot/coachbot/bot"
)

// runSuggest offers a client an experiment. The client accepts, reshapes or
// declines it: chosen, never assigned.
func runSuggest(s *Session, args string) error {
	clients, err := s.tx.ClientsOf(s.msg.UserID)
	if err != nil {
		return err
	}
	// The name may have several words: take the longest one that matches.
	var c Client
	var text string
	f := strings.Fields(args)
	for i := len(f) - 1; i >= 1; i-- {
		name := strings.Join(f[:i], " ")
		for _, cl := range clients {
			if strings.EqualFold(displayName(cl), name) {
				c, text = cl, strings.Join(f[i:], " ")
			}
		}
		if c.ID != "" {
			break
		}
	}
	if c.ID == "" {
		if len(f) < 2 {
			return s.say("coach.usage_suggest")
		}
		found, ok, err := s.clientFor(f[0])
		if !ok {
			return err
		}
		c, text = found, strings.Join(f[1:], " ")
	}
	if len([]rune(text)) > 500 {
		return s.say("input.too_long_answer")
	}
	coach, err := s.tx.Coach(s.msg.UserID)
	if err != nil {
		return fmt.Errorf("suggest: %w", err)
	}
	sg := Suggestion{CoachID: coach.ID, ClientID: c.ID, Text: text, Status: "open", At: s.now}
	id, err := s.tx.AddSuggestion(sg)
	if err != nil {
		return fmt.Errorf("add suggestion: %w", err)
	}
	card := fmt.Sprintf("%s%d:", suggestionCard, id)
	// The card speaks the client's language.
	r := bot.Reply{ChatID: c.ChatID, Kind: "suggestion", Text: s.TIn(c.Language, "suggest.offer", "coach", coach.Name, "text", text),
		Buttons: []bot.Button{
			{Label: s.TIn(c.Language, "btn.accept"), Data: card + "accept"},
			{Label: s.TIn(c.Language, "btn.reshape"), Data: card + "reshape"},
			{Label: s.TIn(c.Language, "btn.decline"), Data: card + "decline"},
		}}
	if err := s.tx.Send(r, s.now); err != nil {
		return err
	}
	return s.say("coach.suggested", "name", displayName(c))
}

// suggestionCard prefixes the buttons of a suggestion. It cannot clash with a
// conversation token, which is base32.
const suggestionCard = "!s"

// answerSuggestion handles the client's choice on a suggestion card.
func (s *Session) answerSuggestion(data string) error {
	idText, choice, _ := strings.Cut(strings.TrimPrefix(data, suggestionCard), ":")
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil {
		return s.say("button.expired")
	}
	sg, err := s.tx.Suggestion(id)
	if errors.Is(err, ErrNotFound) || err == nil && (sg.ClientID != s.client.ID || sg.Status != "open" || sg.CoachID != s.client.CoachID) {
		return s.say("button.expired")
	}
	if err != nil {
		return err
	}
	switch choice {
	case "accept":
		sg.Status = "accepted"
	case "reshape":
		sg.Status = "reshaped"
	case "decline":
		sg.Status = "declined"
	default:
		return s.say("button.expired")
	}
	sg.AnsweredAt = s.now // the coach sees what became of it in the digest
	if err := s.tx.UpdateSuggestion(sg); err != nil {
		return err
	}
	if s.conv != nil {
		if err := s.leave(false); err != nil {
			return err
		}
	}
	switch choice {
	case "accept":
		return s.begin("action", acceptPrefix+strconv.FormatInt(sg.ID, 10))
	case "reshape":
		return s.begin("action", reshapePrefix+strconv.FormatInt(sg.ID, 10))
	}
	return s.say("suggest.declined")
}

// Arguments the suggestion card, and the invitation after a session, pass to
// the action flow.
const (
	acceptPrefix  = "suggestion:"
	reshapePrefix = "reshape:"
	ideaPrefix    = "idea:"
)

// beginFromSuggestion prepares the action flow for an accepted or reshaped
// suggestion: accepted, the text is the action and sizing starts at once;
// reshaped, the client words it their way first. An idea the client wrote
// after a session is what they would like to try, in their own words.
func beginFromSuggestion(s *Session, a Answers, args string) (bool, error) {
	if idea, ok := strings.CutPrefix(args, ideaPrefix); ok {
		a["what"] = idea
		return true, nil
	}
	accept := strings.HasPrefix(args, acceptPrefix)
	idText := strings.TrimPrefix(strings.TrimPrefix(args, acceptPrefix), reshapePrefix)
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil {
		return true, nil
	}
	sg, err := s.tx.Suggestion(id)
	if err != nil || sg.ClientID != s.client.ID {
		return true, nil
	}
	a["suggested_by"] = sg.CoachID
	if accept {
		a["what"] = sg.Text
		s.note("suggest.accepted")
		return true, nil
	}
	a["suggestion"] = sg.Text
	return true, nil
}
