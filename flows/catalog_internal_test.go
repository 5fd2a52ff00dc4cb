package flows

import "testing"

func TestFill(t *testing.T) {
	for _, tt := range []struct {
		s     string
		pairs []string
		want  string
	}{
		{"plain", []string{"a", "1"}, "plain"},
		{"{a} and {b}", []string{"a", "1", "b", "2"}, "1 and 2"},
		{"{a}{a}", []string{"a", "x"}, "xx"},
		{"{a} {unknown} {b", []string{"a", "1"}, "1 {unknown} {b"},
		{"{a}", []string{"a", "{a}"}, "{a}"}, // values are not filled again
		{"no {", nil, "no {"},
		{"ünï {a}ç", []string{"a", "ø"}, "ünï øç"},
	} {
		if got := fill(tt.s, tt.pairs); got != tt.want {
			t.Errorf("fill(%q, %q) = %q, want %q", tt.s, tt.pairs, got, tt.want)
		}
	}
}
