package render

import (
	"fmt"
	"reflect"
	"strconv"

	"charm.land/glamour/v2/ansi"
	"charm.land/glamour/v2/styles"
)

// styleConfig is glamour's standard style with every code-highlighting
// colour moved onto the xterm 256-colour palette. Chroma's terminal256
// formatter picks the nearest palette colour by ranging over a map, so a
// colour exactly between two (the dark style's comments, #676767) came out
// as either one, and the same lesson rendered differently from run to run.
func styleConfig(name string) (ansi.StyleConfig, error) {
	std, ok := styles.DefaultStyles[name]
	if !ok {
		return ansi.StyleConfig{}, fmt.Errorf("%s: style not found", name)
	}
	cfg := *std
	if cfg.CodeBlock.Chroma != nil {
		ch := *cfg.CodeBlock.Chroma
		v := reflect.ValueOf(&ch).Elem()
		for i := 0; i < v.NumField(); i++ {
			if p, ok := v.Field(i).Addr().Interface().(*ansi.StylePrimitive); ok {
				p.Color, p.BackgroundColor = snap(p.Color), snap(p.BackgroundColor)
			}
		}
		cfg.CodeBlock.Chroma = &ch
	}
	return cfg, nil
}

// snap returns the palette colour nearest to a #rrggbb colour, the lowest
// index winning a tie, by the distance chroma uses.
func snap(hex *string) *string {
	if hex == nil {
		return nil
	}
	r, g, b, ok := parseHex(*hex)
	if !ok {
		return hex
	}
	best, bestDist := 0, int64(-1)
	for i, p := range palette {
		if d := distance(r, g, b, p[0], p[1], p[2]); bestDist < 0 || d < bestDist {
			best, bestDist = i, d
		}
	}
	p := palette[best]
	s := fmt.Sprintf("#%02x%02x%02x", p[0], p[1], p[2])
	return &s
}

func parseHex(s string) (r, g, b int64, ok bool) {
	if len(s) != 7 || s[0] != '#' {
		return 0, 0, 0, false
	}
	n, err := strconv.ParseUint(s[1:], 16, 32)
	if err != nil {
		return 0, 0, 0, false
	}
	return int64(n >> 16 & 0xff), int64(n >> 8 & 0xff), int64(n & 0xff), true
}

// distance is chroma's Colour.Distance, squared.
func distance(ar, ag, ab, br, bg, bb int64) int64 {
	rmean := (ar + br) / 2
	r, g, b := ar-br, ag-bg, ab-bb
	return (((512 + rmean) * r * r) >> 8) + 4*g*g + (((767 - rmean) * b * b) >> 8)
}

// palette is the xterm 256-colour palette, as chroma's terminal256 formatter knows it.
var palette = func() [][3]int64 {
	p := [][3]int64{
		{0x00, 0x00, 0x00}, {0x80, 0x00, 0x00}, {0x00, 0x80, 0x00}, {0x80, 0x80, 0x00},
		{0x00, 0x00, 0x80}, {0x80, 0x00, 0x80}, {0x00, 0x80, 0x80}, {0xc0, 0xc0, 0xc0},
		{0x80, 0x80, 0x80}, {0xff, 0x00, 0x00}, {0x00, 0xff, 0x00}, {0xff, 0xff, 0x00},
		{0x00, 0x00, 0xff}, {0xff, 0x00, 0xff}, {0x00, 0xff, 0xff}, {0xff, 0xff, 0xff},
	}
	levels := []int64{0x00, 0x5f, 0x87, 0xaf, 0xd7, 0xff}
	for _, r := range levels {
		for _, g := range levels {
			for _, b := range levels {
				p = append(p, [3]int64{r, g, b})
			}
		}
	}
	for i := int64(0); i < 24; i++ {
		v := 8 + 10*i
		p = append(p, [3]int64{v, v, v})
	}
	return p
}()
