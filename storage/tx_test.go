package storage

import (
	"errors"
	"maps"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/coachbot/coachbot/bot"
	"github.com/coachbot/coachbot/flows"
	"github.com/coachbot/coachbot/scheduler"
)

func TestMarkSeen(t *testing.T) {
	db, _ := openDB(t)
	t.Run("OK", func(t *testing.T) {
		var first, second bool
		update(t, db, func(tx flows.Tx) (err error) {
			first, err = tx.MarkSeen("telegram:1", t0)
			return err
		})
		update(t, db, func(tx flows.Tx) (err error) {
			second, err = tx.MarkSeen("telegram:1", t0)
			return err
		})
		if !first || second {
			t.Errorf("got first %v, second %v; want true, false", first, second)
		}
	})
	t.Run("EmptyID", func(t *testing.T) {
		for range 2 {
			update(t, db, func(tx flows.Tx) error {
				isNew, err := tx.MarkSeen("", time.Time{})
				if !isNew {
					t.Errorf("got new %v for empty ID, want true", isNew)
				}
				return err
			})
		}
		if got := count(t, db, "seen_updates", "update_id = ''"); got != 0 {
			t.Errorf("got %d rows for empty ID, want 0", got)
		}
	})
}

func TestConversation(t *testing.T) {
	db, clk := openDB(t)
	want := flows.Conversation{
		ChatID: "telegram:7", UserID: "telegram:7", Flow: "action", Step: "energy", Version: 3,
		Answers:  map[string]string{"action": "walk after lunch", "why": "energy ✨"},
		Token:    "tok",
		Deadline: t0.Add(time.Hour),
	}
	t.Run("OK", func(t *testing.T) {
		clk.Add(time.Minute)
		want.Updated = clk.Now()
		update(t, db, func(tx flows.Tx) error { return tx.SaveConversation(want) })
		var got flows.Conversation
		view(t, db, func(tx flows.Tx) (err error) { got, err = tx.Conversation(want.ChatID); return err })
		if !reflect.DeepEqual(got, want) {
			t.Errorf("got %+v, want %+v", got, want)
		}
	})
	t.Run("ZeroTimesNoAnswers", func(t *testing.T) {
		c := flows.Conversation{ChatID: "discord:1", UserID: "discord:1", Flow: "start", Step: "consent", Version: 1}
		update(t, db, func(tx flows.Tx) error { return tx.SaveConversation(c) })
		var got flows.Conversation
		view(t, db, func(tx flows.Tx) (err error) { got, err = tx.Conversation(c.ChatID); return err })
		if !got.Deadline.IsZero() || len(got.Answers) != 0 || !got.Updated.Equal(clk.Now()) {
			t.Errorf("got deadline %v, answers %v, updated %v; want zero, none, %v", got.Deadline, got.Answers, got.Updated, clk.Now())
		}
	})
	t.Run("OverwriteInsideUpdate", func(t *testing.T) {
		update(t, db, func(tx flows.Tx) error {
			c := want
			c.Step, c.Answers = "carry", map[string]string{"energy": "2"}
			if err := tx.SaveConversation(c); err != nil {
				return err
			}
			got, err := tx.Conversation(c.ChatID)
			if err != nil {
				return err
			}
			if got.Step != "carry" || !maps.Equal(got.Answers, c.Answers) {
				t.Errorf("read inside the update got step %q answers %v, want its own write", got.Step, got.Answers)
			}
			return nil
		})
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		update(t, db, func(tx flows.Tx) error { return tx.EndConversation(want.ChatID) })
		update(t, db, func(tx flows.Tx) error { return tx.EndConversation("telegram:nobody") })
		view(t, db, func(tx flows.Tx) error {
			if _, err := tx.Conversation(want.ChatID); !errors.Is(err, flows.ErrNotFound) {
				t.Errorf("got %v, want ErrNotFound", err)
			}
			return nil
		})
	})
}

func TestClient(t *testing.T) {
	db, clk := openDB(t)
	seedCoach(t, db, "telegram:100")
	want := flows.Client{
		ID: "telegram:1", ChatID: "telegram:1", Name: "Zoë", Consented: true, Zone: scheduler.MustZone("America/New_York"),
		CheckIn: scheduler.Clock{Hour: 8, Minute: 30}, RestDays: scheduler.Weekend, Cadence: scheduler.Cadence{EveryDays: 2}, CoachID: "telegram:100",
		PausedUntil: t0.Add(48 * time.Hour), Unreachable: true, Unanswered: 2,
		LastSession: t0.Add(-24 * time.Hour), NextSession: t0.Add(7 * 24 * time.Hour), Anchor: scheduler.Date{Year: 2026, Month: 11, Day: 20},
		CreatedAt: t0.Add(-time.Hour),
	}
	t.Run("OK", func(t *testing.T) {
		update(t, db, func(tx flows.Tx) error { return tx.SaveClient(want) })
		want.UpdatedAt = clk.Now()
		want.CoachSince = clk.Now() // set by storage when the coach is set
		var got flows.Client
		view(t, db, func(tx flows.Tx) (err error) { got, err = tx.Client(want.ID); return err })
		if !reflect.DeepEqual(got, want) {
			t.Errorf("got %+v\nwant %+v", got, want)
		}
	})
	t.Run("ResaveKeepsCreatedAt", func(t *testing.T) {
		clk.Add(time.Hour)
		c := want
		c.CreatedAt = time.Time{}
		c.Name = "Zoë B."
		update(t, db, func(tx flows.Tx) error { return tx.SaveClient(c) })
		var got flows.Client
		view(t, db, func(tx flows.Tx) (err error) { got, err = tx.Client(c.ID); return err })
		if !got.CreatedAt.Equal(want.CreatedAt) || !got.UpdatedAt.Equal(clk.Now()) || got.Name != c.Name {
			t.Errorf("got created %v updated %v name %q, want %v, %v, %q", got.CreatedAt, got.UpdatedAt, got.Name, want.CreatedAt, clk.Now(), c.Name)
		}
	})
	t.Run("ZeroTimes", func(t *testing.T) {
		c := flows.Client{ID: "console:ann", ChatID: "console:ann", Name: "Ann"}
		update(t, db, func(tx flows.Tx) error { return tx.SaveClient(c) })
		var got flows.Client
		view(t, db, func(tx flows.Tx) (err error) { got, err = tx.Client(c.ID); return err })
		c.CreatedAt, c.UpdatedAt = clk.Now(), clk.Now()
		if !reflect.DeepEqual(got, c) {
			t.Errorf("got %+v\nwant %+v", got, c)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		view(t, db, func(tx flows.Tx) error {
			if _, err := tx.Client("telegram:404"); !errors.Is(err, flows.ErrNotFound) {
				t.Errorf("got %v, want ErrNotFound", err)
			}
			return nil
		})
	})
	t.Run("UnknownCoach", func(t *testing.T) {
		c := flows.Client{ID: "telegram:2", ChatID: "telegram:2", CoachID: "telegram:missing"}
		if err := db.Update(t.Context(), func(tx flows.Tx) error { return tx.SaveClient(c) }); err == nil {
			t.Error("got nil error for a client of an unknown coach, want a foreign key error")
		}
	})
	t.Run("ClientsOf", func(t *testing.T) {
		seedClient(t, db, "telegram:3", "telegram:100", "adam")
		seedClient(t, db, "telegram:4", "", "alone")
		var got []flows.Client
		view(t, db, func(tx flows.Tx) (err error) { got, err = tx.ClientsOf("telegram:100"); return err })
		var names []string
		for _, c := range got {
			names = append(names, c.Name)
		}
		if want := []string{"adam", "Zoë B."}; !reflect.DeepEqual(names, want) {
			t.Errorf("got %q, want %q", names, want)
		}
	})
}

func TestClientByName(t *testing.T) {
	db, _ := openDB(t)
	seedCoach(t, db, "c1")
	seedCoach(t, db, "c2")
	seedClient(t, db, "u1", "c1", "Anna")
	seedClient(t, db, "u2", "c1", "Ann")
	seedClient(t, db, "u3", "c1", "Émile Zola")
	seedClient(t, db, "u4", "c1", "Bob")
	seedClient(t, db, "u5", "c1", "Bobby")
	seedClient(t, db, "u6", "c2", "Carla")
	seedClient(t, db, "u7", "c1", "Dee")
	seedClient(t, db, "u8", "c1", "dee")
	tests := []struct {
		name, query, want string
		ambiguous         bool
	}{
		{name: "OK", query: "anna", want: "u1"},
		{name: "ExactBeatsPrefix", query: "ANN", want: "u2"},
		{name: "UnicodeCase", query: "émile zola", want: "u3"},
		{name: "UniquePrefix", query: "ém", want: "u3"},
		{name: "TrimsSpace", query: " bob ", want: "u4"},
		{name: "ErrNotFound", query: "Zed"},
		{name: "ErrNotFound/OtherCoach", query: "Carla"},
		{name: "ErrNotFound/Empty", query: " "},
		{name: "ErrNotFound/AmbiguousPrefix", query: "a", ambiguous: true},
		{name: "ErrNotFound/AmbiguousName", query: "DEE", ambiguous: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			view(t, db, func(tx flows.Tx) error {
				got, err := tx.ClientByName("c1", tt.query)
				if tt.want == "" {
					if !errors.Is(err, flows.ErrNotFound) {
						t.Fatalf("got %+v, %v; want ErrNotFound", got, err)
					}
					if gotAmb := strings.Contains(err.Error(), "clients match"); gotAmb != tt.ambiguous {
						t.Errorf("got error %q, want ambiguous %v", err, tt.ambiguous)
					}
					return nil
				}
				if err != nil || got.ID != tt.want {
					t.Errorf("got %q, %v; want %q", got.ID, err, tt.want)
				}
				return nil
			})
		})
	}
}

func TestExperiment(t *testing.T) {
	db, clk := openDB(t)
	seedCoach(t, db, "coach")
	seedClient(t, db, "u1", "coach", "Ann")
	want := flows.Experiment{
		ClientID: "u1", Kind: flows.KindAction, Action: "walk", Why: "energy", When: "after lunch",
		Energy: 2, Load: "low", People: "none", Recovery: "a nap", Carry: 8, Status: flows.StatusRunning,
		SuggestedBy: "coach",
	}
	t.Run("OK", func(t *testing.T) {
		update(t, db, func(tx flows.Tx) (err error) { want.ID, err = tx.AddExperiment(want); return err })
		want.CreatedAt, want.UpdatedAt = clk.Now(), clk.Now()
		var got flows.Experiment
		view(t, db, func(tx flows.Tx) (err error) { got, err = tx.Experiment(want.ID); return err })
		if !reflect.DeepEqual(got, want) {
			t.Errorf("got %+v\nwant %+v", got, want)
		}
	})
	t.Run("Update", func(t *testing.T) {
		clk.Add(time.Minute)
		want.Status, want.Carry, want.SuggestedBy = flows.StatusClosed, 5, ""
		update(t, db, func(tx flows.Tx) error { return tx.UpdateExperiment(want) })
		want.UpdatedAt = clk.Now()
		var got flows.Experiment
		view(t, db, func(tx flows.Tx) (err error) { got, err = tx.Experiment(want.ID); return err })
		if !reflect.DeepEqual(got, want) {
			t.Errorf("got %+v\nwant %+v", got, want)
		}
	})
	t.Run("List", func(t *testing.T) {
		var ids []int64
		update(t, db, func(tx flows.Tx) error {
			for _, k := range []string{flows.KindRest, flows.KindObserve} {
				id, err := tx.AddExperiment(flows.Experiment{ClientID: "u1", Kind: k})
				if err != nil {
					return err
				}
				ids = append(ids, id)
			}
			return nil
		})
		for _, tt := range []struct {
			status string
			want   []int64
		}{
			{"", []int64{want.ID, ids[0], ids[1]}},
			{flows.StatusRunning, ids},
			{flows.StatusClosed, []int64{want.ID}},
			{flows.StatusPaused, nil},
		} {
			var got []int64
			view(t, db, func(tx flows.Tx) error {
				es, err := tx.Experiments("u1", tt.status)
				for _, e := range es {
					got = append(got, e.ID)
				}
				return err
			})
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("status %q: got %v, want %v", tt.status, got, tt.want)
			}
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		err := db.Update(t.Context(), func(tx flows.Tx) error {
			if _, err := tx.Experiment(999); !errors.Is(err, flows.ErrNotFound) {
				t.Errorf("get: got %v, want ErrNotFound", err)
			}
			return tx.UpdateExperiment(flows.Experiment{ID: 999, Kind: flows.KindAction, Status: flows.StatusRunning})
		})
		if !errors.Is(err, flows.ErrNotFound) {
			t.Errorf("update: got %v, want ErrNotFound", err)
		}
	})
	t.Run("Invalid", func(t *testing.T) {
		for _, e := range []flows.Experiment{
			{ClientID: "u1", Kind: "sprint"},
			{ClientID: "u1", Kind: flows.KindAction, Energy: 6},
			{ClientID: "nobody", Kind: flows.KindAction},
		} {
			err := db.Update(t.Context(), func(tx flows.Tx) error { _, err := tx.AddExperiment(e); return err })
			if err == nil {
				t.Errorf("AddExperiment(%+v): got nil error, want a constraint error", e)
			}
		}
	})
}

func TestReflections(t *testing.T) {
	db, _ := openDB(t)
	seedClient(t, db, "u1", "", "Ann")
	seedClient(t, db, "u2", "", "Bob")
	var expID int64
	update(t, db, func(tx flows.Tx) (err error) {
		expID, err = tx.AddExperiment(flows.Experiment{ClientID: "u1", Kind: flows.KindAction})
		return err
	})
	checkIns := []flows.CheckIn{
		{ClientID: "u1", ExperimentID: expID, Outcome: "done", Noticed: "calmer", Energy: 3, Obstacle: "rain",
			Challenge: "right", Next: "keep", Private: true, At: t0},
		{ClientID: "u1", Outcome: "rest", At: t0.Add(24 * time.Hour)},
		{ClientID: "u2", Outcome: "partly", At: t0.Add(time.Hour)},
		{ClientID: "u1", Outcome: "not_yet"}, // zero time
	}
	nonActions := []flows.NonAction{
		{ClientID: "u1", Kind: flows.KindRest, Note: "slept", Date: "2026-11-22", Private: true, At: t0},
		{ClientID: "u1", Kind: flows.KindBoundary, Date: "2026-11-23", At: t0.Add(24 * time.Hour)},
		{ClientID: "u1", Kind: flows.KindObserve, Date: "2026-11-21"}, // zero time
	}
	notes := []flows.SessionNote{
		{ClientID: "u1", Text: "the Monday dip", Private: true, At: t0.Add(time.Hour)},
		{ClientID: "u1", Text: "sleep"}, // zero time
		{ClientID: "u2", Text: "not mine", At: t0},
	}
	assessments := []flows.Assessment{
		{ClientID: "u1", Skill: "pausing", Stage: 2, At: t0},
		{ClientID: "u1", Skill: "asking", Stage: 4}, // zero time
	}
	update(t, db, func(tx flows.Tx) error {
		for i := range checkIns {
			id, err := tx.AddCheckIn(checkIns[i])
			if err != nil {
				return err
			}
			checkIns[i].ID = id
		}
		for i := range nonActions {
			id, err := tx.AddNonAction(nonActions[i])
			if err != nil {
				return err
			}
			nonActions[i].ID = id
		}
		for i := range notes {
			id, err := tx.AddSessionNote(notes[i])
			if err != nil {
				return err
			}
			notes[i].ID = id
		}
		for i := range assessments {
			id, err := tx.AddAssessment(assessments[i])
			if err != nil {
				return err
			}
			assessments[i].ID = id
		}
		return nil
	})
	t.Run("CheckIns", func(t *testing.T) {
		for _, tt := range []struct {
			since time.Time
			want  []flows.CheckIn
		}{
			{time.Time{}, []flows.CheckIn{checkIns[3], checkIns[0], checkIns[1]}},
			{t0.Add(time.Minute), []flows.CheckIn{checkIns[1]}},
		} {
			var got []flows.CheckIn
			view(t, db, func(tx flows.Tx) (err error) { got, err = tx.CheckIns("u1", tt.since); return err })
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("since %v: got %+v\nwant %+v", tt.since, got, tt.want)
			}
		}
	})
	t.Run("NonActions", func(t *testing.T) {
		for _, tt := range []struct {
			since time.Time
			want  []flows.NonAction
		}{
			{time.Time{}, []flows.NonAction{nonActions[2], nonActions[0], nonActions[1]}},
			{t0, []flows.NonAction{nonActions[0], nonActions[1]}},
		} {
			var got []flows.NonAction
			view(t, db, func(tx flows.Tx) (err error) { got, err = tx.NonActions("u1", tt.since); return err })
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("since %v: got %+v\nwant %+v", tt.since, got, tt.want)
			}
		}
	})
	t.Run("SessionNotes", func(t *testing.T) {
		for _, tt := range []struct {
			since time.Time
			want  []flows.SessionNote
		}{
			{time.Time{}, []flows.SessionNote{notes[1], notes[0]}},
			{t0, []flows.SessionNote{notes[0]}},
		} {
			var got []flows.SessionNote
			view(t, db, func(tx flows.Tx) (err error) { got, err = tx.SessionNotes("u1", tt.since); return err })
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("since %v: got %+v\nwant %+v", tt.since, got, tt.want)
			}
		}
	})
	t.Run("Assessments", func(t *testing.T) {
		var got []flows.Assessment
		view(t, db, func(tx flows.Tx) (err error) { got, err = tx.Assessments("u1"); return err })
		if want := []flows.Assessment{assessments[1], assessments[0]}; !reflect.DeepEqual(got, want) {
			t.Errorf("got %+v\nwant %+v", got, want)
		}
	})
	t.Run("Invalid", func(t *testing.T) {
		for name, fn := range map[string]func(flows.Tx) error{
			"outcome": func(tx flows.Tx) error {
				_, err := tx.AddCheckIn(flows.CheckIn{ClientID: "u1", Outcome: "meh"})
				return err
			},
			"date": func(tx flows.Tx) error {
				_, err := tx.AddNonAction(flows.NonAction{ClientID: "u1", Kind: flows.KindRest, Date: "today"})
				return err
			},
			"stage": func(tx flows.Tx) error {
				_, err := tx.AddAssessment(flows.Assessment{ClientID: "u1", Skill: "x", Stage: 5})
				return err
			},
		} {
			if err := db.Update(t.Context(), fn); err == nil {
				t.Errorf("%s: got nil error, want a constraint error", name)
			}
		}
	})
}

func TestCoach(t *testing.T) {
	db, clk := openDB(t)
	want := flows.Coach{ID: "discord:9", ChatID: "discord:dm9", Name: "Kim", Zone: scheduler.MustZone("Asia/Kolkata"),
		DigestAt: scheduler.Clock{Hour: 18}, DigestWeekly: true, DigestWeekday: time.Friday}
	t.Run("OK", func(t *testing.T) {
		update(t, db, func(tx flows.Tx) error { return tx.SaveCoach(want) })
		want.CreatedAt = clk.Now()
		clk.Add(time.Hour)
		resaved := want
		resaved.CreatedAt = time.Time{}
		update(t, db, func(tx flows.Tx) error { return tx.SaveCoach(resaved) })
		var got flows.Coach
		view(t, db, func(tx flows.Tx) (err error) { got, err = tx.Coach(want.ID); return err })
		if !reflect.DeepEqual(got, want) {
			t.Errorf("got %+v\nwant %+v", got, want)
		}
	})
	t.Run("Coaches", func(t *testing.T) {
		seedCoach(t, db, "console:a")
		var ids []string
		view(t, db, func(tx flows.Tx) error {
			cs, err := tx.Coaches()
			for _, c := range cs {
				ids = append(ids, c.ID)
			}
			return err
		})
		if want := []string{"console:a", "discord:9"}; !reflect.DeepEqual(ids, want) {
			t.Errorf("got %v, want %v", ids, want)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		view(t, db, func(tx flows.Tx) error {
			if _, err := tx.Coach("nobody"); !errors.Is(err, flows.ErrNotFound) {
				t.Errorf("got %v, want ErrNotFound", err)
			}
			return nil
		})
	})
}

func TestInvite(t *testing.T) {
	db, clk := openDB(t)
	seedCoach(t, db, "coach")
	want := flows.Invite{Code: "abc123", CoachID: "coach", ExpiresAt: t0.Add(72 * time.Hour)}
	t.Run("OK", func(t *testing.T) {
		update(t, db, func(tx flows.Tx) error { return tx.AddInvite(want) })
		want.CreatedAt = clk.Now()
		var got flows.Invite
		view(t, db, func(tx flows.Tx) (err error) { got, err = tx.Invite(want.Code); return err })
		if !reflect.DeepEqual(got, want) {
			t.Errorf("got %+v\nwant %+v", got, want)
		}
	})
	t.Run("ErrDuplicate/Add", func(t *testing.T) {
		err := db.Update(t.Context(), func(tx flows.Tx) error { return tx.AddInvite(want) })
		if !errors.Is(err, flows.ErrDuplicate) {
			t.Errorf("got %v, want ErrDuplicate", err)
		}
	})
	t.Run("Use", func(t *testing.T) {
		at := t0.Add(time.Hour)
		update(t, db, func(tx flows.Tx) error { return tx.UseInvite(want.Code, "u1", at) })
		var got flows.Invite
		view(t, db, func(tx flows.Tx) (err error) { got, err = tx.Invite(want.Code); return err })
		if got.UsedBy != "u1" || !got.UsedAt.Equal(at) {
			t.Errorf("got used by %q at %v, want u1 at %v", got.UsedBy, got.UsedAt, at)
		}
	})
	t.Run("ErrDuplicate/Use", func(t *testing.T) {
		err := db.Update(t.Context(), func(tx flows.Tx) error { return tx.UseInvite(want.Code, "u2", t0) })
		if !errors.Is(err, flows.ErrDuplicate) {
			t.Errorf("got %v, want ErrDuplicate", err)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		err := db.Update(t.Context(), func(tx flows.Tx) error { return tx.UseInvite("nope", "u2", t0) })
		if !errors.Is(err, flows.ErrNotFound) {
			t.Errorf("use: got %v, want ErrNotFound", err)
		}
		view(t, db, func(tx flows.Tx) error {
			if _, err := tx.Invite("nope"); !errors.Is(err, flows.ErrNotFound) {
				t.Errorf("get: got %v, want ErrNotFound", err)
			}
			return nil
		})
	})
}

func TestSuggestion(t *testing.T) {
	db, _ := openDB(t)
	seedCoach(t, db, "coach")
	seedClient(t, db, "u1", "coach", "Ann")
	want := flows.Suggestion{CoachID: "coach", ClientID: "u1", Text: "try a two-minute pause", At: t0}
	t.Run("OK", func(t *testing.T) {
		update(t, db, func(tx flows.Tx) (err error) { want.ID, err = tx.AddSuggestion(want); return err })
		want.Status = "open"
		var got flows.Suggestion
		view(t, db, func(tx flows.Tx) (err error) { got, err = tx.Suggestion(want.ID); return err })
		if !reflect.DeepEqual(got, want) {
			t.Errorf("got %+v\nwant %+v", got, want)
		}
	})
	t.Run("Update", func(t *testing.T) {
		want.Status, want.Text, want.At = "reshaped", "a one-minute pause", time.Time{}
		update(t, db, func(tx flows.Tx) error { return tx.UpdateSuggestion(want) })
		var got flows.Suggestion
		view(t, db, func(tx flows.Tx) (err error) { got, err = tx.Suggestion(want.ID); return err })
		if !reflect.DeepEqual(got, want) {
			t.Errorf("got %+v\nwant %+v", got, want)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		err := db.Update(t.Context(), func(tx flows.Tx) error {
			if _, err := tx.Suggestion(404); !errors.Is(err, flows.ErrNotFound) {
				t.Errorf("get: got %v, want ErrNotFound", err)
			}
			return tx.UpdateSuggestion(flows.Suggestion{ID: 404, Status: "open"})
		})
		if !errors.Is(err, flows.ErrNotFound) {
			t.Errorf("update: got %v, want ErrNotFound", err)
		}
	})
}

func TestDue(t *testing.T) {
	db, _ := openDB(t)
	dues := []flows.Due{
		{RecipientID: "u1", Kind: "checkin", Date: "2026-11-22", At: t0.Add(2 * time.Hour)},
		{RecipientID: "u1", Kind: "checkin", Date: "2026-11-23", At: t0.Add(26 * time.Hour)},
		{RecipientID: "u2", Kind: "nudge", Date: "2026-11-22", At: t0},
		{RecipientID: "u1", Kind: "restday", Date: "2026-11-22", At: t0.Add(time.Hour), Status: "sent", SentAt: t0.Add(time.Hour)},
	}
	update(t, db, func(tx flows.Tx) error {
		for i := range dues {
			id, err := tx.AddDue(dues[i])
			if err != nil {
				return err
			}
			dues[i].ID = id
			if dues[i].Status == "" {
				dues[i].Status = "pending"
			}
		}
		return nil
	})
	t.Run("ErrDuplicate", func(t *testing.T) {
		d := dues[0]
		d.At = t0.Add(3 * time.Hour)
		err := db.Update(t.Context(), func(tx flows.Tx) error { _, err := tx.AddDue(d); return err })
		if !errors.Is(err, flows.ErrDuplicate) {
			t.Errorf("got %v, want ErrDuplicate", err)
		}
	})
	t.Run("ZeroTime", func(t *testing.T) {
		d := flows.Due{RecipientID: "u3", Kind: "eve", Date: "2026-11-22"}
		err := db.Update(t.Context(), func(tx flows.Tx) error { _, err := tx.AddDue(d); return err })
		if err == nil {
			t.Error("got nil error for a due moment without a time")
		}
	})
	t.Run("DueBefore", func(t *testing.T) {
		for _, tt := range []struct {
			at    time.Time
			limit int
			want  []flows.Due
		}{
			{t0.Add(2 * time.Hour), 10, []flows.Due{dues[2], dues[0]}},
			{t0.Add(48 * time.Hour), 1, []flows.Due{dues[2]}},
			{t0.Add(48 * time.Hour), 0, []flows.Due{dues[2], dues[0], dues[1]}},
			{t0.Add(-time.Hour), 10, nil},
		} {
			var got []flows.Due
			view(t, db, func(tx flows.Tx) (err error) { got, err = tx.DueBefore(tt.at, tt.limit); return err })
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("at %v limit %d: got %+v\nwant %+v", tt.at, tt.limit, got, tt.want)
			}
		}
	})
	t.Run("Update", func(t *testing.T) {
		d := dues[0]
		d.Status, d.SentAt = "sent", t0.Add(2*time.Hour)
		update(t, db, func(tx flows.Tx) error { return tx.UpdateDue(d) })
		var got flows.Due
		view(t, db, func(tx flows.Tx) (err error) { got, err = tx.LatestDue("u1", "restday"); return err })
		if !reflect.DeepEqual(got, dues[3]) {
			t.Errorf("latest restday: got %+v\nwant %+v", got, dues[3])
		}
		var since []flows.Due
		view(t, db, func(tx flows.Tx) (err error) { since, err = tx.DueSince("u1", t0.Add(90*time.Minute)); return err })
		if want := []flows.Due{d, dues[1]}; !reflect.DeepEqual(since, want) {
			t.Errorf("since: got %+v\nwant %+v", since, want)
		}
		var pending []flows.Due
		view(t, db, func(tx flows.Tx) (err error) {
			pending, err = tx.PendingSince("u1", t0.Add(90*time.Minute))
			return err
		})
		if want := []flows.Due{dues[1]}; !reflect.DeepEqual(pending, want) {
			t.Errorf("pending since: got %+v\nwant %+v (the sent one left out)", pending, want)
		}
		dues[0] = d
	})
	t.Run("LatestDue", func(t *testing.T) {
		var got flows.Due
		view(t, db, func(tx flows.Tx) (err error) { got, err = tx.LatestDue("u1", "checkin"); return err })
		if !reflect.DeepEqual(got, dues[1]) {
			t.Errorf("got %+v\nwant %+v", got, dues[1])
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		err := db.Update(t.Context(), func(tx flows.Tx) error {
			if _, err := tx.LatestDue("u9", "checkin"); !errors.Is(err, flows.ErrNotFound) {
				t.Errorf("latest: got %v, want ErrNotFound", err)
			}
			return tx.UpdateDue(flows.Due{ID: 404, At: t0, Status: "sent"})
		})
		if !errors.Is(err, flows.ErrNotFound) {
			t.Errorf("update: got %v, want ErrNotFound", err)
		}
	})
}

func TestSend(t *testing.T) {
	db, clk := openDB(t)
	reply := bot.Reply{ChatID: "telegram:5", Text: "What did you notice?",
		Buttons:  []bot.Button{{Label: "Done", Data: "t1:done"}},
		Document: &bot.Document{Name: "export.json", Content: []byte(`{"a":1}`)}}
	t.Run("OK", func(t *testing.T) {
		update(t, db, func(tx flows.Tx) error { return tx.Send(reply, time.Time{}) })
		got, err := db.Pending(t.Context(), bot.Telegram, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || !reflect.DeepEqual(got[0].Reply, reply) || got[0].Attempts != 0 {
			t.Fatalf("got %+v, want one row with %+v", got, reply)
		}
		if n := count(t, db, "outbox", "created_at = ?", clk.Now().UnixMilli()); n != 1 {
			t.Errorf("got %d rows created at the clock's time, want 1", n)
		}
	})
	t.Run("BadChatID", func(t *testing.T) {
		err := db.Update(t.Context(), func(tx flows.Tx) error { return tx.Send(bot.Reply{ChatID: "5"}, t0) })
		if err == nil {
			t.Error("got nil error for an unqualified chat ID")
		}
	})
}

func TestTxAfterFn(t *testing.T) {
	db, _ := openDB(t)
	var kept flows.Tx
	update(t, db, func(tx flows.Tx) error { kept = tx; return nil })
	if _, err := kept.MarkSeen("x", t0); !errors.Is(err, errTxDone) {
		t.Errorf("got %v, want errTxDone", err)
	}
	view(t, db, func(tx flows.Tx) error { kept = tx; return nil })
	if _, err := kept.Coaches(); !errors.Is(err, errTxDone) {
		t.Errorf("view: got %v, want errTxDone", err)
	}
}
