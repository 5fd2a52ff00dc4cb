package flows

import (
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/coachbot/coachbot/bot"
)

// linkTTL is how long a code for joining accounts stays valid.
const linkTTL = 15 * time.Minute

// runLink joins accounts on two platforms into one client, on purpose only:
// "/link" on the first gives a code, "/link CODE" on the second uses it.
func runLink(s *Session, args string) error {
	if args == "" {
		if !s.client.Consented {
			return s.say("start.first")
		}
		code := strings.ToLower(rand.Text()[:8])
		if err := s.tx.AddLinkCode(code, s.client.ID, s.now.Add(linkTTL)); err != nil {
			return fmt.Errorf("link: %w", err)
		}
		return s.say("link.code", "code", code)
	}
	code := strings.ToLower(strings.TrimSpace(args))
	// The code is checked first: someone guessing codes learns nothing else.
	if _, err := s.tx.LinkCode(code, s.now); errors.Is(err, ErrNotFound) {
		return s.say("link.invalid")
	} else if err != nil {
		return fmt.Errorf("link: %w", err)
	}
	if s.known && s.client.ID != s.msg.UserID {
		return s.say("link.already_linked")
	}
	if s.known && s.client.Consented {
		return s.say("link.has_own_history")
	}
	clientID, err := s.tx.UseLinkCode(code, s.now)
	if errors.Is(err, ErrNotFound) {
		return s.say("link.invalid")
	}
	if err != nil {
		return fmt.Errorf("link: %w", err)
	}
	target, err := s.tx.Client(clientID)
	if err != nil {
		return s.say("link.invalid")
	}
	if p, _, _ := bot.SplitID(target.ID); p == s.msg.Platform() {
		return s.say("link.same_platform")
	}
	if s.known {
		// A refusal stored here earlier gives way to the linked client.
		if err := s.tx.Forget(s.msg.UserID); err != nil {
			return fmt.Errorf("link: %w", err)
		}
	}
	if err := s.tx.AddAlias(s.msg.UserID, clientID, s.msg.ChatID); err != nil {
		if errors.Is(err, ErrDuplicate) {
			return s.say("link.already_linked")
		}
		return fmt.Errorf("link: %w", err)
	}
	s.client, s.known = target, true
	if err := s.sendTo(target.ChatID, "", s.T("link.done_other")); err != nil {
		return err
	}
	return s.say("link.done")
}
