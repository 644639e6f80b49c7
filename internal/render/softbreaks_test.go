package render

import "testing"

func TestJoinListLines(t *testing.T) {
	for in, want := range map[string]string{
		"- one two\n  three\n- four\n":            "- one two three\n- four\n",
		"Para one\ntwo.\n":                        "Para one\ntwo.\n",
		"1. a `code\n   span` b\n   c\n":          "1. a `code\n   span` b c\n",
		"- item\n\n  ```sh\n  ls\n  -la\n  ```\n": "- item\n\n  ```sh\n  ls\n  -la\n  ```\n",
		"- 항목 하나가\n  두 줄입니다\n":                    "- 항목 하나가 두 줄입니다\n",
		"> - quoted\n>   item\n":                  "> - quoted\n>   item\n",
	} {
		if got := joinListLines(in); got != want {
			t.Errorf("joinListLines(%q): got %q, want %q", in, got, want)
		}
	}
}
