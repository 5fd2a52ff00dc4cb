package web

import (
	"bytes"
	"fmt"
	"html"
	"html/template"
	"image/color"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/coachbot/coachbot/flows"
)

// Charts are drawn on the server with gonum's plot package: the pages need
// no JavaScript, and the weekly digest's PNG comes from the same code as the
// pages' SVG. The SVG is made to sit inside a page under a strict
// Content-Security-Policy: no style attributes (they would count as inline
// style), the ink in currentColor so dark mode recolours the axes, and a
// title for screen readers.

// lineColor is the data's colour, readable on light and dark backgrounds.
var lineColor = color.RGBA{R: 0x2b, G: 0x7b, B: 0xb9, A: 0xff}

var sansFont = font.Font{Typeface: "Liberation", Variant: "Sans"}

// point is one value at a moment.
type point struct {
	at time.Time
	v  float64
}

// newPlot is a plot without background, in a sans-serif face.
func newPlot() *plot.Plot {
	p := plot.New()
	p.BackgroundColor = color.Transparent
	p.TextHandler = plot.DefaultTextHandler
	for _, ax := range []*plot.Axis{&p.X, &p.Y} {
		ax.Tick.Label.Font = sansFont
		ax.Tick.Label.Font.Size = vg.Points(9)
		ax.Label.TextStyle.Font = sansFont
	}
	return p
}

// sparkline draws the energy ratings of the last days as a small line from
// from to to, without axes.
func sparkline(pts []point, from, to time.Time, label string) (template.HTML, error) {
	p := newPlot()
	p.HideAxes()
	p.X.Padding, p.Y.Padding = 2, 2
	p.X.Min, p.X.Max = float64(from.Unix()), float64(to.Unix())
	p.Y.Min, p.Y.Max = 1, 5
	xy := make(plotter.XYs, len(pts))
	for i, pt := range pts {
		xy[i] = plotter.XY{X: float64(pt.at.Unix()), Y: pt.v}
	}
	if len(xy) > 1 {
		l, err := plotter.NewLine(xy)
		if err != nil {
			return "", err
		}
		l.Color, l.Width = lineColor, vg.Points(1.2)
		p.Add(l)
	}
	if len(xy) > 0 {
		s, err := plotter.NewScatter(xy[len(xy)-1:])
		if err != nil {
			return "", err
		}
		s.GlyphStyle = draw.GlyphStyle{Color: lineColor, Radius: vg.Points(1.6), Shape: draw.CircleGlyph{}}
		p.Add(s)
	}
	return inlineSVG(p, 100, 24, "spark", label, 0)
}

// timeChart draws ratings over time between lo and hi, with a line through
// them and a dot for each; dates on the x axis say days in the page's
// language.
func timeChart(pts []point, lo, hi float64, day func(time.Time) string, label string) (template.HTML, error) {
	p := newPlot()
	p.Y.Min, p.Y.Max = lo, hi
	p.Y.Tick.Marker = intTicks{}
	xy := make(plotter.XYs, len(pts))
	for i, pt := range pts {
		xy[i] = plotter.XY{X: float64(pt.at.Unix()), Y: pt.v}
	}
	if len(xy) > 1 {
		l, err := plotter.NewLine(xy)
		if err != nil {
			return "", err
		}
		l.Color, l.Width = lineColor, vg.Points(1)
		p.Add(l)
	}
	s, err := plotter.NewScatter(xy)
	if err != nil {
		return "", err
	}
	s.GlyphStyle = draw.GlyphStyle{Color: lineColor, Radius: vg.Points(2), Shape: draw.CircleGlyph{}}
	p.Add(s)
	first, last := pts[0].at, pts[len(pts)-1].at
	if !last.After(first.Add(24 * time.Hour)) {
		first, last = first.Add(-48*time.Hour), last.Add(48*time.Hour)
	}
	p.X.Min, p.X.Max = float64(first.Unix()), float64(last.Unix())
	p.X.Tick.Marker = dayTicks{day: day}
	p.Add(plotter.NewGrid())
	return inlineSVG(p, 480, 160, "chart", label, 1)
}

// weekly turns a long series into the mean of each week, so a year reads
// as a line and the page stays small; a short series stays as it is.
func weekly(pts []point) []point {
	if len(pts) <= weeklyAfter {
		return pts
	}
	var out []point
	var sum float64
	var n int
	start := pts[0].at
	flush := func() {
		if n > 0 {
			out = append(out, point{start.Add(84 * time.Hour), math.Round(sum/float64(n)*10) / 10})
		}
	}
	for _, pt := range pts {
		for !pt.at.Before(start.Add(7 * 24 * time.Hour)) {
			flush()
			start, sum, n = start.Add(7*24*time.Hour), 0, 0
		}
		sum += pt.v
		n++
	}
	flush()
	return out
}

// weeklyAfter is the most points a chart draws one by one.
const weeklyAfter = 60

// intTicks marks every whole number of a small scale (1–5, 1–3).
type intTicks struct{}

// Ticks implements plot.Ticker.
func (intTicks) Ticks(lo, hi float64) []plot.Tick {
	var ts []plot.Tick
	for v := math.Ceil(lo); v <= hi; v++ {
		ts = append(ts, plot.Tick{Value: v, Label: fmt.Sprint(v)})
	}
	return ts
}

// dayTicks marks up to five days across a time axis in unix seconds.
type dayTicks struct{ day func(time.Time) string }

// Ticks implements plot.Ticker.
func (d dayTicks) Ticks(lo, hi float64) []plot.Tick {
	const n = 4
	var ts []plot.Tick
	for i := range n + 1 {
		v := lo + (hi-lo)*float64(i)/n
		ts = append(ts, plot.Tick{Value: v, Label: d.day(time.Unix(int64(v), 0))})
	}
	return ts
}

var (
	svgStyleRe  = regexp.MustCompile(`style="([^"]*)"`)
	svgHeaderRe = regexp.MustCompile(`(?s)^.*?<svg [^>]*viewBox="([^"]*)"[^>]*>`)
	svgBlankRe  = regexp.MustCompile(`\s*\n\s*<?`)
	// svgNumberRe finds coordinates with more decimals than a screen shows.
	svgNumberRe = regexp.MustCompile(`-?\d+\.\d+`)
	// svgBackgroundRe finds the transparent background a plot paints.
	svgBackgroundRe = regexp.MustCompile(`<path [^>]*fill-opacity="0" />`)
)

// inlineSVG draws p as an SVG of w×h points and shapes it to sit inside a
// page: presentation attributes in place of style attributes, ink in
// currentColor, a title and role for screen readers, and the size left to
// the stylesheet (class).
func inlineSVG(p *plot.Plot, w, h vg.Length, class, label string, decimals int) (template.HTML, error) {
	c := vgsvg.New(w, h)
	p.Draw(draw.New(c))
	var b bytes.Buffer
	if _, err := c.WriteTo(&b); err != nil {
		return "", fmt.Errorf("draw chart: %w", err)
	}
	out := b.String()
	m := svgHeaderRe.FindStringSubmatchIndex(out)
	if m == nil {
		return "", fmt.Errorf("draw chart: unexpected SVG")
	}
	viewBox := out[m[2]:m[3]]
	out = fmt.Sprintf(`<svg class="%s" viewBox="%s" role="img"><title>%s</title>`,
		class, viewBox, html.EscapeString(label)) + out[m[1]:]
	out = svgNumberRe.ReplaceAllStringFunc(out, func(n string) string {
		f, err := strconv.ParseFloat(n, 64)
		if err != nil {
			return n
		}
		scale := math.Pow10(decimals)
		return strconv.FormatFloat(math.Round(f*scale)/scale, 'f', -1, 64)
	})
	out = svgBackgroundRe.ReplaceAllString(out, "")
	out = svgStyleRe.ReplaceAllStringFunc(out, func(s string) string {
		var attrs []string
		for _, decl := range strings.Split(svgStyleRe.FindStringSubmatch(s)[1], ";") {
			k, v, ok := strings.Cut(decl, ":")
			if !ok {
				continue
			}
			if v == "#000000" {
				v = "currentColor"
			}
			if k == "font-family" {
				v = "sans-serif"
			}
			attrs = append(attrs, k+`="`+html.EscapeString(v)+`"`)
		}
		return strings.Join(attrs, " ")
	})
	out = svgBlankRe.ReplaceAllStringFunc(out, func(b string) string {
		if strings.HasSuffix(b, "<") {
			return "<"
		}
		return " "
	})
	return template.HTML(out), nil
}

// digestWidth and digestHeight are the digest chart's size in pixels.
const digestWidth, digestHeight = 900, 640

// digestChartClients is how many clients the digest's chart draws; the text
// beside it names every one.
const digestChartClients = 8

// DigestPNG draws the weekly digest's chart: shared check-ins per week above,
// the energy they took below, one line per client (the most active ones).
func DigestPNG(ch flows.DigestChart, day func(time.Time) string) ([]byte, error) {
	clients := slices.Clone(ch.Clients)
	total := func(c flows.ClientWeeks) int {
		n := 0
		for _, x := range c.CheckIns {
			n += x
		}
		return n
	}
	slices.SortStableFunc(clients, func(a, b flows.ClientWeeks) int { return total(b) - total(a) })
	clients = clients[:min(len(clients), digestChartClients)]

	top, bottom := newPlot(), newPlot()
	top.Title.Text, bottom.Title.Text = ch.CheckInsLabel, ch.EnergyLabel
	top.Title.TextStyle.Font, bottom.Title.TextStyle.Font = sansFont, sansFont
	top.Y.Min, bottom.Y.Min, bottom.Y.Max = 0, 1, 5
	top.Y.Tick.Marker, bottom.Y.Tick.Marker = intTicks{}, intTicks{}
	ticks := make([]plot.Tick, len(ch.Weeks))
	for i, w := range ch.Weeks {
		label := day(w)
		if i < len(ch.WeekLabels) {
			label = ch.WeekLabels[i] // in the coach's language
		}
		ticks[i] = plot.Tick{Value: float64(i), Label: label}
	}
	top.X.Tick.Marker, bottom.X.Tick.Marker = plot.ConstantTicks(ticks), plot.ConstantTicks(ticks)
	top.Legend.Top, top.Legend.Left = true, true
	top.Legend.TextStyle.Font = sansFont
	for i, c := range clients {
		col := palette[i%len(palette)]
		counts := make(plotter.XYs, len(c.CheckIns))
		for w, n := range c.CheckIns {
			counts[w] = plotter.XY{X: float64(w), Y: float64(n)}
			top.Y.Max = max(top.Y.Max, float64(n)+1)
		}
		l, err := plotter.NewLine(counts)
		if err != nil {
			return nil, err
		}
		l.Color, l.Width = col, vg.Points(2)
		top.Add(l)
		top.Legend.Add(c.Name, l)
		var energy plotter.XYs
		for w, e := range c.Energy {
			if e > 0 {
				energy = append(energy, plotter.XY{X: float64(w), Y: e})
			}
		}
		if len(energy) == 0 {
			continue
		}
		el, ep, err := plotter.NewLinePoints(energy)
		if err != nil {
			return nil, err
		}
		el.Color, el.Width = col, vg.Points(2)
		ep.Color, ep.Shape = col, draw.CircleGlyph{}
		bottom.Add(el, ep)
	}
	top.Add(plotter.NewGrid())
	bottom.Add(plotter.NewGrid())
	img := vgimg.NewWith(vgimg.UseWH(vg.Length(digestWidth)*vg.Inch/96, vg.Length(digestHeight)*vg.Inch/96), vgimg.UseDPI(96),
		vgimg.UseBackgroundColor(color.White))
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: 2, Cols: 1, PadX: vg.Points(8), PadY: vg.Points(8), PadTop: vg.Points(8), PadBottom: vg.Points(8),
		PadLeft: vg.Points(8), PadRight: vg.Points(12)}
	canvases := plot.Align([][]*plot.Plot{{top}, {bottom}}, tiles, dc)
	top.Draw(canvases[0][0])
	bottom.Draw(canvases[1][0])
	var b bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(&b); err != nil {
		return nil, fmt.Errorf("digest chart: %w", err)
	}
	return b.Bytes(), nil
}

// palette tells clients apart in the digest's chart (Okabe–Ito, readable
// for most colour vision).
var palette = []color.Color{
	color.RGBA{0x00, 0x72, 0xb2, 0xff}, color.RGBA{0xe6, 0x9f, 0x00, 0xff}, color.RGBA{0x00, 0x9e, 0x73, 0xff},
	color.RGBA{0xcc, 0x79, 0xa7, 0xff}, color.RGBA{0x56, 0xb4, 0xe9, 0xff}, color.RGBA{0xd5, 0x5e, 0x00, 0xff},
	color.RGBA{0xf0, 0xe4, 0x42, 0xff}, color.RGBA{0x00, 0x00, 0x00, 0xff},
}

// DigestChart returns the flows engine's digest chart hook: DigestPNG with
// weeks named in cat's words.
func DigestChart(cat *flows.Catalog) func(flows.DigestChart) ([]byte, error) {
	return func(ch flows.DigestChart) ([]byte, error) {
		return DigestPNG(ch, func(t time.Time) string { return sayDate(cat, t, "day") })
	}
}
