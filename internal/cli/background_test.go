package cli

import "testing"

func TestParseBackground(t *testing.T) {
	tests := []struct {
		answer   string
		dark, ok bool
	}{
		{"\x1b]11;rgb:0000/0000/0000\x1b\\\x1b[12;1R", true, true},
		{"\x1b]11;rgb:ffff/ffff/ffff\x07\x1b[3;40R", false, true},
		{"\x1b]11;rgb:1e/1e/2e\x1b\\\x1b[1;1R", true, true},
		{"\x1b]11;rgb:fdf6/e3e3/d0d0\x1b\\\x1b[1;1R", false, true},
		{"\x1b[12;1R", false, false}, // the terminal ignored the colour query
		{"", false, false},
	}
	for _, tt := range tests {
		dark, ok := parseBackground([]byte(tt.answer))
		if dark != tt.dark || ok != tt.ok {
			t.Errorf("%q: got dark %v ok %v, want %v %v", tt.answer, dark, ok, tt.dark, tt.ok)
		}
	}
}
