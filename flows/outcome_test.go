package flows

import "testing"

func TestLooksLikeOutcome(t *testing.T) {
	tests := []struct {
		text string
		want bool
	}{
		{"grow my business", true},
		{"Be more confident", true},
		{"get fit", true},
		{"I want to be a better leader", true},
		{"feel calmer at work", true},
		{"improve my relationship with my sister", true},
		{"walk 10 minutes after lunch", false},
		{"ask my manager for feedback on Friday", false},
		{"write three lines in my journal tonight", false},
		{"send one invoice reminder", false},
		{"get up at 7", false},
		{"say no to one meeting this week", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := LooksLikeOutcome(tt.text); got != tt.want {
			t.Errorf("LooksLikeOutcome(%q) = %v, want %v", tt.text, got, tt.want)
		}
	}
}
