//! Line charts and spike rasters rendered as standalone SVG documents.
//!
//! The documents are plain text built in memory: no fonts, no dependencies. Every chart has a
//! title, a framed plot area with ticked and labelled axes, and axis labels; all text is
//! XML-escaped. Points that cannot be drawn (NaN, ±∞, or ≤ 0 on a logarithmic axis) are
//! skipped, and a line is broken where they were.

use std::fmt::Write;

use super::axis::Axis;

/// Width of every chart, in pixels.
const WIDTH: f64 = 800.0;
/// Height of every chart, in pixels.
const HEIGHT: f64 = 480.0;
/// Left edge of the plot area.
const LEFT: f64 = 95.0;
/// Right edge of the plot area (the legend is to its right).
const RIGHT: f64 = 620.0;
/// Top edge of the plot area.
const TOP: f64 = 50.0;
/// Bottom edge of the plot area.
const BOTTOM: f64 = 410.0;
/// Vertical distance between legend entries.
const LEGEND_ROW: f64 = 16.0;
/// Longest legend label, in characters, before it is shortened with an ellipsis.
const LEGEND_CHARS: usize = 22;
/// Series colours, used in order and then repeated (matplotlib's `tab20`).
const PALETTE: [&str; 20] = [
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
    "#bcbd22", "#17becf", "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5", "#c49c94",
    "#f7b6d2", "#c7c7c7", "#dbdb8d", "#9edae5",
];

/// One line of a [`LineChart`]: the points `(xs[i], ys[i])`, joined in order.
///
/// Only the first `min(xs.len(), ys.len())` points are drawn.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Series {
    /// Its entry in the legend.
    pub name: String,
    /// The x coordinates.
    pub xs: Vec<f64>,
    /// The y coordinates.
    pub ys: Vec<f64>,
}

/// A chart of one or more lines sharing two axes, each linear or logarithmic.
///
/// Axis labels are drawn exactly as given, so they should carry their units
/// (`"time (ms)"`, `"rate (Hz)"`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LineChart {
    /// The title above the plot.
    pub title: String,
    /// The label under the x axis.
    pub x_label: String,
    /// The label beside the y axis.
    pub y_label: String,
    /// The lines, drawn in order, each in its own colour with an entry in the legend.
    pub series: Vec<Series>,
    /// Whether the x axis is logarithmic (base 10; ticks at decades).
    pub log_x: bool,
    /// Whether the y axis is logarithmic (base 10; ticks at decades).
    pub log_y: bool,
}

impl LineChart {
    /// Renders the chart as a standalone SVG document.
    ///
    /// The axes span every drawable point of every series, snapped outwards to round ticks
    /// (decades on log axes). Undrawable points are skipped and break their line; a chart with
    /// no drawable point at all still renders, with its title, labels, legend and the note
    /// "no data".
    pub fn to_svg(&self) -> String {
        let segments: Vec<Vec<Vec<(f64, f64)>>> = self
            .series
            .iter()
            .map(|s| drawable_segments(s, self.log_x, self.log_y))
            .collect();
        let mut points = segments.iter().flatten().flatten();
        let bounds = points.next().map(|&(x, y)| {
            points.fold((x, x, y, y), |(x0, x1, y0, y1), &(x, y)| {
                (x0.min(x), x1.max(x), y0.min(y), y1.max(y))
            })
        });

        let mut svg = Svg::new(&self.title, &self.x_label, &self.y_label);
        match bounds {
            None => svg.note("no data"),
            Some((x0, x1, y0, y1)) => {
                let frame = Frame {
                    x: if self.log_x {
                        Axis::log(x0, x1)
                    } else {
                        Axis::linear(x0, x1)
                    },
                    y: if self.log_y {
                        Axis::log(y0, y1)
                    } else {
                        Axis::linear(y0, y1)
                    },
                };
                svg.ticks(&frame);
                for (i, series) in segments.iter().enumerate() {
                    for segment in series {
                        let px: Vec<(f64, f64)> = segment
                            .iter()
                            .filter_map(|&(x, y)| frame.point(x, y))
                            .collect();
                        svg.line(&thin(&px), PALETTE[i % PALETTE.len()]);
                    }
                }
            }
        }
        svg.legend(self.series.iter().map(|s| s.name.as_str()));
        svg.finish()
    }
}

/// A spike raster: one short vertical mark per spike, at the spike's time on the x axis and in
/// its unit's row on the y axis (unit 0 at the bottom).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Raster {
    /// The title above the plot.
    pub title: String,
    /// The label under the time axis, with its unit (`"time (ms)"`).
    pub x_label: String,
    /// The label beside the unit axis (`"neuron"`).
    pub y_label: String,
    /// The spikes: time and unit index.
    pub spikes: Vec<(f64, usize)>,
    /// The number of rows (units) drawn; widened to hold every spike's unit.
    pub n_units: usize,
    /// The end of the time axis, which starts at 0; widened to hold every spike.
    pub t_max: f64,
}

impl Raster {
    /// Renders the raster as a standalone SVG document.
    ///
    /// The marks are the `M` commands of a single `<path class="spikes">`, one per spike with a
    /// finite time; spikes at non-finite times are skipped. A raster without spikes still
    /// renders its axes, with the note "no spikes".
    pub fn to_svg(&self) -> String {
        let spikes: Vec<(f64, usize)> = self
            .spikes
            .iter()
            .copied()
            .filter(|(t, _)| t.is_finite())
            .collect();
        let t_end = if self.t_max.is_finite() {
            self.t_max
        } else {
            0.0
        };
        let (t0, t1) = spikes
            .iter()
            .fold((0f64, t_end), |(a, b), &(t, _)| (a.min(t), b.max(t)));
        let rows = spikes
            .iter()
            .fold(self.n_units, |n, &(_, u)| n.max(u.saturating_add(1)))
            .max(1);
        let frame = Frame {
            x: Axis::linear(t0, if t1 > t0 { t1 } else { t0 + 1.0 }),
            y: Axis::linear(0.0, rows as f64),
        };

        let mut svg = Svg::new(&self.title, &self.x_label, &self.y_label);
        svg.ticks(&frame);
        if spikes.is_empty() {
            svg.note("no spikes");
        } else {
            let row_px = match (frame.point(t0, 0.0), frame.point(t0, 1.0)) {
                (Some(bottom), Some(top)) => bottom.1 - top.1,
                _ => 1.0,
            };
            let mark = (row_px * 0.8).clamp(1.0, 8.0);
            let mut d = String::new();
            for (t, u) in spikes {
                if let Some((x, y)) = frame.point(t, u as f64 + 0.5) {
                    let _ = write!(d, "M{x:.1} {:.1}v{mark:.1}", y - mark / 2.0);
                }
            }
            svg.raw(&format!(
                "<path class=\"spikes\" fill=\"none\" stroke=\"black\" stroke-width=\"1\" d=\"{d}\"/>\n"
            ));
        }
        svg.finish()
    }
}

/// The axes of a chart, mapping data coordinates to pixels in the plot area.
struct Frame {
    /// The horizontal axis.
    x: Axis,
    /// The vertical axis.
    y: Axis,
}

impl Frame {
    /// The pixel position of the data point `(x, y)`, if both coordinates can be placed.
    fn point(&self, x: f64, y: f64) -> Option<(f64, f64)> {
        let fx = self.x.fraction(x)?;
        let fy = self.y.fraction(y)?;
        Some((LEFT + fx * (RIGHT - LEFT), BOTTOM - fy * (BOTTOM - TOP)))
    }
}

/// The points of `series` that can be drawn on the given scales, split into runs wherever
/// points had to be skipped.
fn drawable_segments(series: &Series, log_x: bool, log_y: bool) -> Vec<Vec<(f64, f64)>> {
    let ok = |v: f64, log: bool| v.is_finite() && (!log || v > 0.0);
    let mut segments = Vec::new();
    let mut current = Vec::new();
    for (&x, &y) in series.xs.iter().zip(&series.ys) {
        if ok(x, log_x) && ok(y, log_y) {
            current.push((x, y));
        } else if !current.is_empty() {
            segments.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        segments.push(current);
    }
    segments
}

/// Drops points that cannot change the picture: within each run of consecutive points in the
/// same pixel column, only the first, the lowest, the highest and the last are kept.
fn thin(points: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let mut out = Vec::with_capacity(points.len().min(4 * (RIGHT - LEFT) as usize));
    let mut rest = points;
    while let Some(&(x, _)) = rest.first() {
        let len = rest.iter().take_while(|p| p.0.floor() == x.floor()).count();
        let (run, tail) = rest.split_at(len);
        if run.len() <= 4 {
            out.extend_from_slice(run);
        } else {
            let by_y = |a: &(usize, &(f64, f64)), b: &(usize, &(f64, f64))| a.1.1.total_cmp(&b.1.1);
            let low = run.iter().enumerate().min_by(by_y).map_or(0, |(i, _)| i);
            let high = run.iter().enumerate().max_by(by_y).map_or(0, |(i, _)| i);
            let mut keep = [0, low, high, run.len() - 1];
            keep.sort_unstable();
            let mut last = None;
            for i in keep {
                if last != Some(i) {
                    out.push(run[i]);
                    last = Some(i);
                }
            }
        }
        rest = tail;
    }
    out
}

/// An SVG document under construction, with the pieces every chart shares.
struct Svg {
    /// The markup so far.
    out: String,
}

impl Svg {
    /// Starts a chart: white background, `title` above the framed plot area, `x_label` under
    /// it and `y_label` beside it.
    fn new(title: &str, x_label: &str, y_label: &str) -> Self {
        let mut out = String::new();
        let (mid_x, mid_y) = ((LEFT + RIGHT) / 2.0, (TOP + BOTTOM) / 2.0);
        let _ = write!(
            out,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{HEIGHT}\" \
             viewBox=\"0 0 {WIDTH} {HEIGHT}\" font-family=\"sans-serif\" font-size=\"12\">\n\
             <rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n\
             <text class=\"title\" x=\"{:.1}\" y=\"28\" text-anchor=\"middle\" \
             font-size=\"16\">{}</text>\n\
             <text class=\"x-label\" x=\"{mid_x:.1}\" y=\"{:.1}\" \
             text-anchor=\"middle\">{}</text>\n\
             <text class=\"y-label\" x=\"18\" y=\"{mid_y:.1}\" text-anchor=\"middle\" \
             transform=\"rotate(-90 18 {mid_y:.1})\">{}</text>\n\
             <rect x=\"{LEFT}\" y=\"{TOP}\" width=\"{}\" height=\"{}\" fill=\"none\" \
             stroke=\"black\"/>\n",
            WIDTH / 2.0,
            escape(title),
            BOTTOM + 42.0,
            escape(x_label),
            escape(y_label),
            RIGHT - LEFT,
            BOTTOM - TOP,
        );
        Self { out }
    }

    /// Appends markup as is.
    fn raw(&mut self, markup: &str) {
        self.out.push_str(markup);
    }

    /// Draws the tick marks, tick labels and light grid lines of both axes.
    fn ticks(&mut self, frame: &Frame) {
        let inside = |f: f64| (-1e-9..=1.0 + 1e-9).contains(&f);
        for (v, label) in frame.x.ticks() {
            let Some(f) = frame.x.fraction(*v).filter(|&f| inside(f)) else {
                continue;
            };
            let x = LEFT + f * (RIGHT - LEFT);
            let _ = write!(
                self.out,
                "<line x1=\"{x:.1}\" y1=\"{TOP}\" x2=\"{x:.1}\" y2=\"{BOTTOM}\" stroke=\"#e5e5e5\"/>\n\
                 <line x1=\"{x:.1}\" y1=\"{BOTTOM}\" x2=\"{x:.1}\" y2=\"{:.1}\" stroke=\"black\"/>\n\
                 <text class=\"tick\" x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>\n",
                BOTTOM + 5.0,
                BOTTOM + 19.0,
                escape(label),
            );
        }
        for (v, label) in frame.y.ticks() {
            let Some(f) = frame.y.fraction(*v).filter(|&f| inside(f)) else {
                continue;
            };
            let y = BOTTOM - f * (BOTTOM - TOP);
            let _ = write!(
                self.out,
                "<line x1=\"{LEFT}\" y1=\"{y:.1}\" x2=\"{RIGHT}\" y2=\"{y:.1}\" stroke=\"#e5e5e5\"/>\n\
                 <line x1=\"{:.1}\" y1=\"{y:.1}\" x2=\"{LEFT}\" y2=\"{y:.1}\" stroke=\"black\"/>\n\
                 <text class=\"tick\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>\n",
                LEFT - 5.0,
                LEFT - 8.0,
                y + 4.0,
                escape(label),
            );
        }
        // Grid lines were drawn over the frame; redraw it on top.
        let _ = writeln!(
            self.out,
            "<rect x=\"{LEFT}\" y=\"{TOP}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"black\"/>",
            RIGHT - LEFT,
            BOTTOM - TOP,
        );
    }

    /// Draws the pixel points `px` joined in order (a single point as a dot) in `color`.
    fn line(&mut self, px: &[(f64, f64)], color: &str) {
        match px {
            [] => {}
            [(x, y)] => {
                let _ = writeln!(
                    self.out,
                    "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"1.5\" fill=\"{color}\"/>"
                );
            }
            _ => {
                let _ = write!(
                    self.out,
                    "<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"1.2\" \
                     stroke-linejoin=\"round\" points=\""
                );
                for (i, (x, y)) in px.iter().enumerate() {
                    let sep = if i == 0 { "" } else { " " };
                    let _ = write!(self.out, "{sep}{x:.1},{y:.1}");
                }
                self.out.push_str("\"/>\n");
            }
        }
    }

    /// Writes `text` in grey in the middle of the plot area.
    fn note(&mut self, text: &str) {
        let _ = writeln!(
            self.out,
            "<text class=\"note\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#777\" \
             font-size=\"14\">{}</text>",
            (LEFT + RIGHT) / 2.0,
            (TOP + BOTTOM) / 2.0,
            escape(text),
        );
    }

    /// Draws the legend right of the plot area: one coloured swatch and name per series, in
    /// the series' colours; when they do not all fit, the last row says how many are left out.
    fn legend<'a>(&mut self, names: impl ExactSizeIterator<Item = &'a str>) {
        let fit = ((BOTTOM - TOP) / LEGEND_ROW) as usize;
        let total = names.len();
        let shown = if total > fit { fit - 1 } else { total };
        let x = RIGHT + 15.0;
        for (i, name) in names.take(shown).enumerate() {
            let y = TOP + 8.0 + LEGEND_ROW * i as f64;
            let _ = writeln!(
                self.out,
                "<line x1=\"{x:.1}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\" stroke=\"{}\" \
                 stroke-width=\"2\"/><text class=\"legend\" x=\"{:.1}\" y=\"{:.1}\">{}</text>",
                x + 20.0,
                PALETTE[i % PALETTE.len()],
                x + 26.0,
                y + 4.0,
                escape(&shorten(name)),
            );
        }
        if shown < total {
            let _ = writeln!(
                self.out,
                "<text class=\"legend\" x=\"{x:.1}\" y=\"{:.1}\">… {} more</text>",
                TOP + 12.0 + LEGEND_ROW * shown as f64,
                total - shown,
            );
        }
    }

    /// Closes the document and returns it.
    fn finish(mut self) -> String {
        self.out.push_str("</svg>\n");
        self.out
    }
}

/// `name`, cut to [`LEGEND_CHARS`] characters with an ellipsis if longer.
fn shorten(name: &str) -> String {
    if name.chars().count() <= LEGEND_CHARS {
        name.to_owned()
    } else {
        let mut s: String = name.chars().take(LEGEND_CHARS - 1).collect();
        s.push('…');
        s
    }
}

/// `text` made safe as XML character data or an attribute value: markup characters become
/// entities, and characters XML forbids (control characters other than tab, newline and
/// carriage return) become U+FFFD.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c.is_control() => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}
