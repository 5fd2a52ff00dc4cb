package flows

import (
	"fmt"
	"strings"

	"github.com/coachbot/coachbot/bot"
)

// runCancel ends the flow in progress; command() has already left it.
func runCancel(s *Session, _ string) error {
	if s.left {
		return s.say("cancel.done")
	}
	return s.say("cancel.nothing")
}

func showHelp(s *Session, _ string) error {
	var b strings.Builder
	b.WriteString(s.T("help.intro"))
	b.WriteString("\n")
	for _, rt := range s.e.order {
		if rt.Coach && !s.isCoach() || rt.Admin && !s.isAdmin() {
			continue
		}
		fmt.Fprintf(&b, "\n/%s: %s", rt.Name, s.T(rt.Help))
	}
	if s.conv != nil {
		b.WriteString("\n\n" + s.T("help.in_flow"))
	}
	return s.reply(bot.Reply{Text: b.String()})
}
