package render

import (
	"testing"

	"charm.land/glamour/v2/styles"
)

func TestSnap(t *testing.T) {
	tests := []struct{ in, want string }{
		{"#676767", "#626262"}, // exactly between 241 and 242: the lower index
		{"#6c6c6c", "#6c6c6c"}, // on the palette already
		{"#ff0000", "#ff0000"},
		{"#FF5F00", "#ff5f00"},
		{"#F1F1F1", "#eeeeee"},
	}
	for _, tt := range tests {
		in := tt.in
		for i := 0; i < 20; i++ { // the answer never depends on map order
			if got := snap(&in); *got != tt.want {
				t.Fatalf("snap(%s): got %s, want %s", tt.in, *got, tt.want)
			}
		}
	}
	for _, keep := range []string{"252", "red", "#abc"} {
		in := keep
		if got := snap(&in); *got != keep {
			t.Errorf("snap(%s): got %s, want it unchanged", keep, *got)
		}
	}
	if snap(nil) != nil {
		t.Error("snap(nil): got a colour, want nil")
	}
}

func TestStyleConfigLeavesGlamourAlone(t *testing.T) {
	before := *styles.DarkStyleConfig.CodeBlock.Chroma.Comment.Color
	cfg, err := styleConfig(StyleDark)
	if err != nil {
		t.Fatal(err)
	}
	if got := *cfg.CodeBlock.Chroma.Comment.Color; got != "#626262" {
		t.Errorf("got comment colour %s, want #626262", got)
	}
	if after := *styles.DarkStyleConfig.CodeBlock.Chroma.Comment.Color; after != before {
		t.Errorf("got glamour's own dark style changed to %s, want it left at %s", after, before)
	}
	if _, err := styleConfig("no-such-style"); err == nil {
		t.Error("got no error for an unknown style, want one")
	}
}
