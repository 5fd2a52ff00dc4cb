package scenario

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coachbot/coachbot/bot"
)

// TestScenarios runs every testdata/*.scenario; the transcript shows only when
// one fails.
func TestScenarios(t *testing.T) {
	paths, err := filepath.Glob("testdata/*.scenario")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no scenarios in testdata (%v)", err)
	}
	for _, path := range paths {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".scenario"), func(t *testing.T) {
			t.Parallel()
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			sc, err := Parse(f, filepath.Base(path))
			if err != nil {
				t.Fatal(err)
			}
			var tr bytes.Buffer
			res, err := sc.Run(context.Background(), Options{Transcript: &tr, Verbose: true, DB: filepath.Join(t.TempDir(), "s.db")})
			if err != nil {
				t.Fatalf("%v\n%s", err, tr.String())
			}
			if !res.OK() {
				var b strings.Builder
				for _, f := range res.Failures {
					b.WriteString(f.String() + "\n")
				}
				t.Errorf("%s\ntranscript:\n%s", b.String(), tr.String())
			}
		})
	}
}

func parse(t *testing.T, text string) *Scenario {
	t.Helper()
	sc, err := Parse(strings.NewReader(text), "test.scenario")
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

func TestParse(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		sc := parse(t, `# Ana starts.
# Two lines about it.
start 2026-11-22 09:30 Europe/Zurich   # a Sunday
set rhythm.nudge_after 2h
set coach_code let-me-coach

ana: /start
ana < Welcome … what I keep
ana: [Yes, let's begin]
ana: [2]
ana:
ana < 09:00 what have you noticed
ana < Mon 09:00 /check.?in/
ana < 2026-11-23 09:00 *
coach < /start (?P<invite>\w+)/
ben@telegram: /start $invite
ben@telegram < nothing
@ 2026-11-23 09:05
@ +1d2h
@ Mon 09:00
@ 09:00
check ana client.zone Europe/Zurich
ana: C\# is \#2, C#3 # a comment
`)
		if sc.About != "Ana starts.\nTwo lines about it." {
			t.Errorf("About = %q", sc.About)
		}
		if want := time.Date(2026, 11, 22, 8, 30, 0, 0, time.UTC); !sc.Start.Equal(want) || sc.Zone.String() != "Europe/Zurich" {
			t.Errorf("start = %v in %v", sc.Start, sc.Zone)
		}
		if len(sc.settings) != 2 || len(sc.steps) != 17 {
			t.Fatalf("%d settings, %d steps", len(sc.settings), len(sc.steps))
		}
		s := sc.steps
		if s[0].kind != stepSay || s[0].say != "/start" || s[0].who != "ana" {
			t.Errorf("step 0 = %+v", s[0])
		}
		if got := s[1].match.parts; len(got) != 2 || got[0] != "Welcome" || got[1] != "what I keep" {
			t.Errorf("parts = %q", got)
		}
		if s[2].kind != stepPress || s[2].label != "Yes, let's begin" || s[3].number != 2 {
			t.Errorf("presses = %+v %+v", s[2], s[3])
		}
		if s[4].kind != stepSay || s[4].say != "" {
			t.Errorf("empty message = %+v", s[4])
		}
		if s[5].at == nil || s[5].at.String() != "09:00" || s[5].match.parts[0] != "what have you noticed" {
			t.Errorf("timed expectation = %+v", s[5])
		}
		if s[6].at.String() != "Mon 09:00" || s[6].match.re == nil || !s[6].match.re.MatchString("Check-In") {
			t.Errorf("regexp expectation = %+v", s[6])
		}
		if s[7].at.String() != "2026-11-23 09:00" || !s[7].match.any {
			t.Errorf("dated expectation = %+v", s[7])
		}
		if len(s[8].defines) != 1 || s[8].defines[0] != "invite" {
			t.Errorf("captures = %v", s[8].defines)
		}
		if s[9].who != "ben@telegram" || sc.people["ben@telegram"].id != "telegram:ben" || sc.people["ana"].id != "console:ana" {
			t.Errorf("people = %+v", sc.people)
		}
		if s[10].kind != stepNothing {
			t.Errorf("nothing = %+v", s[10])
		}
		if s[12].jump.by != 26*time.Hour {
			t.Errorf("relative jump = %v", s[12].jump.by)
		}
		if s[15].kind != stepCheck || s[15].path != "client.zone" || s[15].want != "Europe/Zurich" {
			t.Errorf("check = %+v", s[15])
		}
		if s[16].say != "C# is #2, C#3" {
			t.Errorf("escaped hash = %q", s[16].say)
		}
	})
	t.Run("Jumps", func(t *testing.T) {
		sc := parse(t, "start 2026-11-22 09:30 Europe/Zurich\n@ Mon 09:00\n@ 09:00\n@ 10:00\n@ Sun 09:30\n")
		now := sc.Start
		for i, want := range []string{"Mon 23 Nov 09:00", "Mon 23 Nov 09:00", "Sun 22 Nov 10:00", "Sun 29 Nov 09:30"} {
			got := sc.steps[i].jump.target(now, sc.Zone).In(sc.Zone).Format("Mon 02 Jan 15:04")
			if got != want {
				t.Errorf("%s from %s = %s, want %s", sc.steps[i].text, now.In(sc.Zone).Format("Mon 15:04"), got, want)
			}
		}
	})
	for _, tc := range []struct{ name, text, want string }{
		{"ErrNoStart", "ana: hello\n", "test.scenario:1: the first statement must be: start"},
		{"ErrEmpty", "# nothing\n", "no start line"},
		{"ErrNoSteps", "start 2026-11-22 09:30\n", "no steps"},
		{"ErrBadDate", "start 2026-13-22 09:30\n", "test.scenario:1: start:"},
		{"ErrBadZone", "start 2026-11-22 09:30 Atlantis\n", `zone "Atlantis"`},
		{"ErrBadStep", "start 2026-11-22 09:30\nana says hi\n", `test.scenario:2: "ana says hi" is not a step`},
		{"ErrUnknownVariable", "start 2026-11-22 09:30\nana: /start $code\n", "test.scenario:2: $code is not captured"},
		{"ErrVariableLater", "start 2026-11-22 09:30\nana: /start $code\ncoach < /(?P<code>\\w+)/\n", "$code is not captured"},
		{"ErrBadRegexp", "start 2026-11-22 09:30\nana < /(unclosed/\n", "test.scenario:2: pattern /(unclosed/"},
		{"ErrEmptyExpectation", "start 2026-11-22 09:30\nana <\n", "* for any message"},
		{"ErrBadJump", "start 2026-11-22 09:30\n@ tomorrow\n", "@ tomorrow: want"},
		{"ErrBadDuration", "start 2026-11-22 09:30\n@ +soon\n", "not a duration"},
		{"ErrUnknownKey", "start 2026-11-22 09:30\nset rhythm.speed 3\n", "set rhythm.speed: unknown key"},
		{"ErrBadValue", "start 2026-11-22 09:30\nset rhythm.nudge_after 1m\n", "at least 10m"},
		{"ErrSetLate", "start 2026-11-22 09:30\nana: hi\nset coach_code x\n", "test.scenario:3: set lines go before the first step"},
		{"ErrPlatform", "start 2026-11-22 09:30\nana@whatsapp: hi\n", "console, telegram or discord"},
		{"ErrButtonZero", "start 2026-11-22 09:30\nana: [0]\n", "buttons count from 1"},
		{"ErrCheck", "start 2026-11-22 09:30\ncheck ana\n", "want check NAME PATH VALUE"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(strings.NewReader(tc.text), "test.scenario")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

// run parses and runs a scenario and returns its failures, one per line.
func run(t *testing.T, text string) (failures []string, transcript string) {
	t.Helper()
	sc := parse(t, text)
	var tr bytes.Buffer
	res, err := sc.Run(context.Background(), Options{Transcript: &tr, DB: filepath.Join(t.TempDir(), "s.db")})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range res.Failures {
		failures = append(failures, f.String())
	}
	return failures, tr.String()
}

const onboarded = `start 2026-11-22 09:30 Europe/Zurich
ana: /start
ana < welcome
ana: [Yes, let's begin]
ana < time zone
ana: Zurich
ana < check-in
ana: 09:00
ana < rest days
ana: none
ana < set up
`

func TestMatchRunsOn(t *testing.T) {
	sc := parse(t, "start 2026-11-22 09:30\nana < connected … set up … 09:00\nana < hello … goodbye\nana < set up\n")
	r := &runner{sc: sc, vars: map[string]string{}, tr: newTranscript(nil, time.UTC, false)}
	msg := func(texts ...string) []received {
		var q []received
		for _, s := range texts {
			q = append(q, received{reply: bot.Reply{Text: s}})
		}
		return q
	}
	for _, tc := range []struct {
		name    string
		step    int
		q       []received
		n       int
		problem string
	}{
		{"OneMessage", 0, msg("You're connected.\n\nYou're set up: 09:00", "later"), 1, ""},
		{"TwoMessages", 0, msg("You're connected.", "You're set up: 09:00", "later"), 2, ""},
		{"ThreeMessages", 0, msg("connected", "set up", "09:00"), 3, ""},
		{"ErrNotInNext", 0, msg("connected", "something else"), 2, `does not contain "set up" after "connected", nor does the message after it`},
		{"ErrFirstPartMissing", 0, msg("set up", "connected"), 1, `does not contain "connected"`},
		{"ErrNoMore", 1, msg("hello"), 1, `does not contain "goodbye" after "hello"`},
		{"OnlyOne", 2, msg("set up", "set up"), 1, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n, problem := r.match(sc.steps[tc.step], tc.q)
			if n != tc.n || problem != tc.problem {
				t.Fatalf("match = %d, %q; want %d, %q", n, problem, tc.n, tc.problem)
			}
		})
	}
}

func TestRun(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		fails, tr := run(t, onboarded+"@ Mon 12:30\nana < 09:00 reflect\nana < Mon 12:00 *\nana < nothing\n")
		if len(fails) > 0 {
			t.Fatalf("failures: %q\n%s", fails, tr)
		}
		for _, want := range []string{"Sunday 22 November 2026", "09:30  ana   > /start", "09:30  ana   < Hello", "[Yes, let's begin] [No, thank you]",
			"09:30  ana   > [Yes, let's begin]", "Monday 23 November 2026", "09:00  ana   < "} {
			if !strings.Contains(tr, want) {
				t.Errorf("transcript lacks %q:\n%s", want, tr)
			}
		}
	})
	t.Run("ErrUnmatchedAtEnd", func(t *testing.T) {
		fails, _ := run(t, onboarded+"@ Mon 12:30\n")
		if len(fails) != 1 || !strings.Contains(fails[0], "at the end: ana received 2 messages the scenario does not expect") ||
			!strings.Contains(fails[0], "Mon 23 Nov 09:00") || !strings.Contains(fails[0], "Mon 23 Nov 12:00") {
			t.Fatalf("failures = %q", fails)
		}
	})
	t.Run("ErrUnmatchedBeforeAction", func(t *testing.T) {
		fails, _ := run(t, "start 2026-11-22 09:30\nana: /start\nana: [1]\n")
		if len(fails) != 1 || !strings.Contains(fails[0], "line 3: ana: [1]") || !strings.Contains(fails[0], "before ana writes again, ana received 1 message") {
			t.Fatalf("failures = %q", fails)
		}
	})
	t.Run("OthersMayWait", func(t *testing.T) {
		// Ben writing does not require Ana's messages to be matched first.
		fails, tr := run(t, "start 2026-11-22 09:30\nana: /start\nben: /start\nben < welcome\nana < welcome\n")
		if len(fails) > 0 {
			t.Fatalf("failures: %q\n%s", fails, tr)
		}
	})
	t.Run("ErrWrongText", func(t *testing.T) {
		fails, _ := run(t, "start 2026-11-22 09:30\nana: /start\nana < welcome … goodbye\n")
		if len(fails) != 1 || !strings.Contains(fails[0], `line 3: ana < welcome … goodbye`) ||
			!strings.Contains(fails[0], `does not contain "goodbye" after "welcome"`) || !strings.Contains(fails[0], "Hello, and welcome") {
			t.Fatalf("failures = %q", fails)
		}
	})
	t.Run("ErrWrongTime", func(t *testing.T) {
		fails, _ := run(t, onboarded+"@ Mon 12:30\nana < 09:30 reflect\n")
		if len(fails) != 1 || !strings.Contains(fails[0], "arrived at Mon 23 Nov 09:00, not 09:30") {
			t.Fatalf("failures = %q", fails)
		}
	})
	t.Run("ErrNoMessage", func(t *testing.T) {
		fails, _ := run(t, onboarded+"ana < reflect\n")
		if len(fails) != 1 || !strings.Contains(fails[0], "ana has received nothing more (the clock is at Sun 22 Nov 09:30)") {
			t.Fatalf("failures = %q", fails)
		}
	})
	t.Run("ErrNothing", func(t *testing.T) {
		fails, _ := run(t, onboarded+"@ Mon 09:30\nana < nothing\n")
		if len(fails) != 1 || !strings.Contains(fails[0], "line 13: ana < nothing") || !strings.Contains(fails[0], "ana received 1 message:") ||
			!strings.Contains(fails[0], "Mon 23 Nov 09:00") {
			t.Fatalf("failures = %q", fails)
		}
	})
	t.Run("ErrButtonLabel", func(t *testing.T) {
		fails, _ := run(t, "start 2026-11-22 09:30\nana: /start\nana < welcome\nana: [Maybe]\n")
		if len(fails) != 1 || !strings.Contains(fails[0], `no button "Maybe"`) || !strings.Contains(fails[0], "[Yes, let's begin] [No, thank you]") {
			t.Fatalf("failures = %q", fails)
		}
	})
	t.Run("ErrButtonNumber", func(t *testing.T) {
		fails, _ := run(t, "start 2026-11-22 09:30\nana: /start\nana < welcome\nana: [3]\n")
		if len(fails) != 1 || !strings.Contains(fails[0], "no button [3]") {
			t.Fatalf("failures = %q", fails)
		}
	})
	t.Run("ErrNoButtons", func(t *testing.T) {
		fails, _ := run(t, "start 2026-11-22 09:30\nana: [Yes]\n")
		if len(fails) != 1 || !strings.Contains(fails[0], "ana has received no message with buttons") {
			t.Fatalf("failures = %q", fails)
		}
	})
	t.Run("ErrCheck", func(t *testing.T) {
		fails, _ := run(t, onboarded+"check ana client.zone UTC\ncheck ana client.nothing x\n")
		if len(fails) != 1 || !strings.Contains(fails[0], `ana's client.zone is "Europe/Zurich"`) {
			t.Fatalf("failures = %q", fails)
		}
		fails, _ = run(t, onboarded+"check ana client.nothing x\n")
		if len(fails) != 1 || !strings.Contains(fails[0], `no "nothing" here; there are: id,`) {
			t.Fatalf("failures = %q", fails)
		}
		fails, _ = run(t, "start 2026-11-22 09:30\ncheck ben client.zone UTC\n")
		if len(fails) != 1 || !strings.Contains(fails[0], "nothing is stored about ben") {
			t.Fatalf("failures = %q", fails)
		}
	})
	t.Run("CaptureAndPlatforms", func(t *testing.T) {
		fails, tr := run(t, `start 2026-11-22 09:30 Europe/Zurich
set coach_code let-me-coach
coach@discord: /coach let-me-coach
coach@discord < time zone
coach@discord: Zurich
coach@discord < digest
coach@discord: [1]
coach@discord < daily
coach@discord: [1]
coach@discord < coach
coach@discord: /invite
coach@discord < /start (?P<invite>\w+)/
ana@telegram: /start $invite
ana@telegram < welcome
ana@telegram: [1]
ana@telegram < will see
ana@telegram: [Yes]
ana@telegram < time zone
ana@telegram: Zurich
ana@telegram < check-in
ana@telegram: 09:00
ana@telegram < rest days
ana@telegram: none
ana@telegram < connected … set up
check ana@telegram client.id telegram:ana
check ana@telegram client.coach_id discord:coach
`)
		if len(fails) > 0 {
			t.Fatalf("failures: %q\n%s", fails, tr)
		}
		if !strings.Contains(tr, "ana@telegram  > /start ") || strings.Contains(tr, "/start $invite") {
			t.Errorf("transcript:\n%s", tr)
		}
	})
	t.Run("ErrExistingDB", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "s.db")
		if err := os.WriteFile(path, []byte("data"), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := parse(t, onboarded).Run(context.Background(), Options{DB: path})
		if err == nil || !strings.Contains(err.Error(), "already exists") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("Set", func(t *testing.T) {
		sc := parse(t, onboarded+"@ Mon 12:30\nana < 09:00 reflect\nana < 10:00 nudge\n")
		res, err := sc.Run(context.Background(), Options{Set: map[string]string{"rhythm.nudge_after": "1h"}})
		if err != nil || !res.OK() {
			t.Fatalf("%v %v", err, res.Failures)
		}
	})
}
