package flows_test

import (
	"strings"
	"testing"

	"github.com/coachbot/coachbot/bot"
	"github.com/coachbot/coachbot/flows"
)

// german is a chat whose app reports Swiss German.
type german struct{ *chat }

func (g german) send(text string) []bot.Reply {
	g.w.t.Helper()
	return g.handle(bot.Message{Text: text, Language: "de-CH"})
}

// press presses a button the way the app does: it reports the language too.
func (g german) press(label string) []bot.Reply {
	g.w.t.Helper()
	for _, b := range g.last.Buttons {
		if b.Label == label {
			return g.handle(bot.Message{Press: b.Data, Language: "de-CH"})
		}
	}
	g.w.t.Fatalf("no button %q in %q", label, g.last.Text)
	return nil
}

// TestGermanJourney: someone whose app speaks German is answered in German
// from the first word, from /start to a check-in, dates and days included.
func TestGermanJourney(t *testing.T) {
	w := newWorld(t)
	g := german{&chat{w: w, id: "telegram:49", name: "lea"}}
	expect(t, g.send("/start"), "Hallo und willkommen", "Wollen wir anfangen?")
	g.press("Ja, fangen wir an")
	expect(t, g.send("Zürich"), "Uhrzeit")
	g.send("08:30")
	expect(t, g.send("Sa So"), "Danke, du bist startklar.", "Ruhetage: Sa So", "Rhythmus: täglich")
	g.send("/action")
	expect(t, g.send("10 Minuten spazieren"), "Wann probierst du es aus?")
	expect(t, g.send("morgen"), "Energie")
	g.send("2")
	g.press("Gering")
	g.press("Kaum")
	g.press("Nichts Besonderes")
	// Sunday 22 November, planned for Monday with a morning check-in: the first
	// check-in is on Tuesday, after the day she meant to try it, said in German.
	expect(t, g.send("8"), "Gespeichert: 10 Minuten spazieren", "am Dienstag, 24. November um 08:30")
	g.send("/checkin")
	expect(t, g.press("Ich habe es gemacht"), "Was ist dir aufgefallen?")
	g.send("der Kopf war klarer")
	g.send("2")
	expect(t, g.press("Ungefähr richtig"), "Wie möchtest du mit diesem Experiment weitermachen?")
	expect(t, g.press("Beibehalten"), "wer du gerade wirst")
	x, _ := g.export()
	if x.Client.Language != "de" {
		t.Fatalf("language = %q, want de", x.Client.Language)
	}
	// /settings can change it; the rest is then said in English.
	g.send("/settings")
	g.press("Sprache")
	expect(t, g.press("English"), "Here's how things are set up now", "Rest days: Sat Sun")
}

// TestCoachReadsTheirOwnLanguage: a German coach gets the safety alert about
// an English-speaking client in German, and the client's card from a German
// coach arrives in English.
func TestCoachReadsTheirOwnLanguage(t *testing.T) {
	w := newWorld(t)
	coach := german{&chat{w: w, id: "telegram:50", name: "carla"}}
	coach.send("/coach let-me-coach")
	coach.send("Europe/Zurich")
	coach.send("18:00")
	expect(t, coach.press("Täglich"), "Coach")
	code := inviteCode(t, coach.send("/invite"))
	ana := w.chat("ana")
	ana.send("/start " + code)
	ana.press("Yes, let's begin")
	ana.press("Yes")
	ana.send("Europe/Zurich")
	ana.send("09:00")
	ana.send("none")
	coach.send("/suggest ana take a short walk")
	expect(t, ana.drain(), "suggests an experiment", "yours to choose")
	expect(t, ana.send("I want to kill myself"), "not a crisis service")
	rs := coach.drain()
	if len(rs) != 1 || !strings.Contains(rs[0].Text, "ana") || strings.Contains(rs[0].Text, "struggling") {
		t.Fatalf("coach alert = %q, want it in German", text(rs))
	}
}

func TestLanguagesAreEmbedded(t *testing.T) {
	if got := strings.Join(flows.Languages(), " "); got != "de en" {
		t.Fatalf("languages = %q", got)
	}
}
