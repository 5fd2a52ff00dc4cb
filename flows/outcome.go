package flows

import (
	"regexp"
	"strings"
)

// An outcome names where someone wants to end up ("grow my business", "be more
// confident"); an action is a concrete step they can take soon. The bot keeps an
// outcome as the "why" and asks for a first step toward it.
var (
	outcomeStart = regexp.MustCompile(`^(i want to |i'd like to |i would like to |i wish to |i need to |i should |to |my goal is to |goal: )?` +
		`(be|become|get|grow|improve|increase|feel|have|lose|gain|build|find|achieve|reach|stop being|master|boost|develop|make more|earn|double|scale|transform)\b`)
	outcomeWords = regexp.MustCompile(`\b(more|less|better|confident|confidence|fit|fitter|healthy|healthier|happy|happier|successful|success|business|career|productive|organi[sz]ed|calm|calmer|balance|balanced|rich|wealthy|leader|leadership|thin|slim|stronger|relationship|life|self-esteem|motivated|disciplined|mindset)\b`)
	concrete     = regexp.MustCompile(`\b(\d+|minutes?|mins?|hours?|today|tomorrow|tonight|monday|tuesday|wednesday|thursday|friday|saturday|sunday|morning|evening|lunch|before|after|once|twice|email|call|ask|write|walk|send|read|list|book|message|text|tell|say|sit|breathe|journal|note|schedule|plan)\b`)
)

// LooksLikeOutcome reports whether text reads like an outcome rather than a
// concrete action. It errs on the side of trusting the client: only text that
// starts like a wish and names no concrete detail counts as an outcome.
func LooksLikeOutcome(text string) bool {
	t := strings.ToLower(strings.TrimSpace(text))
	t = strings.TrimRight(t, ".!")
	if t == "" || concrete.MatchString(t) {
		return false
	}
	return outcomeStart.MatchString(t) && (outcomeWords.MatchString(t) || len(strings.Fields(t)) <= 4)
}
