//! Line charts: one or more series sharing two axes, each linear or logarithmic.

use std::path::{Path, PathBuf};

use super::axis::Axis;
use super::drawing::Drawing;
use super::layout::{Canvas, Frame, PALETTE, PLOT_WIDTH};
use super::{PlotError, png, save, svg};

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
///
/// The axes span every drawable point of every series, snapped outwards to round ticks
/// (decades on log axes). Points that cannot be drawn (NaN, ±∞, or ≤ 0 on a logarithmic axis)
/// are skipped and break their line; a chart with no drawable point at all still renders, with
/// its title, labels, legend and the note "no data". Within one pixel column only the points
/// that shape the line (first, lowest, highest, last) are drawn, so long series stay small and
/// quick to render.
///
/// ```
/// use cortecs::plot::{LineChart, Series};
/// # fn main() -> Result<(), cortecs::plot::PlotError> {
/// let ts: Vec<f64> = (0..100).map(f64::from).collect(); // ms
/// let chart = LineChart {
///     title: "membrane potential".into(),
///     x_label: "time (ms)".into(),
///     y_label: "v (mV)".into(),
///     series: vec![Series {
///         name: "unit 0".into(),
///         xs: ts.clone(),
///         ys: ts.iter().map(|t| -65.0 + 10.0 * (t / 10.0).sin()).collect(),
///     }],
///     ..LineChart::default() // linear axes
/// };
/// let svg = chart.to_svg();
/// assert!(svg.starts_with("<svg") && svg.contains("membrane potential"));
/// let png = chart.to_png()?;
/// assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
/// # Ok(()) }
/// ```
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
    pub fn to_svg(&self) -> String {
        svg::render(&self.layout())
    }

    /// Renders the chart as a PNG image (see [`crate::plot`] for its size).
    ///
    /// Errors: [`PlotError::Png`] if the image cannot be rendered or encoded.
    pub fn to_png(&self) -> Result<Vec<u8>, PlotError> {
        png::render(&self.layout())
    }

    /// Writes the chart as `<stem>.svg` and `<stem>.png` (the extensions are appended, so
    /// `runs/x/z1.v` gives `runs/x/z1.v.svg`), each atomically, and returns both paths.
    ///
    /// Errors: [`PlotError::Png`] if the PNG cannot be rendered (nothing is written then);
    /// [`PlotError::Write`] naming the file that cannot be written.
    ///
    /// ```
    /// use cortecs::plot::{LineChart, Series};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let chart = LineChart {
    ///     title: "rate".into(),
    ///     series: vec![Series { name: "r".into(), xs: vec![1.0, 10.0], ys: vec![5.0, 50.0] }],
    ///     log_x: true,
    ///     log_y: true,
    ///     ..LineChart::default()
    /// };
    /// let dir = tempfile::tempdir()?;
    /// let [svg, png] = chart.save(&dir.path().join("z1.rate"))?;
    /// assert_eq!(svg, dir.path().join("z1.rate.svg")); // appended, not substituted
    /// assert_eq!(png, dir.path().join("z1.rate.png"));
    /// assert!(std::fs::read_to_string(&svg)?.contains("rate"));
    /// assert!(std::fs::read(&png)?.starts_with(b"\x89PNG"));
    /// # Ok(()) }
    /// ```
    pub fn save(&self, stem: &Path) -> Result<[PathBuf; 2], PlotError> {
        save::save(&self.layout(), stem)
    }

    /// The chart as drawing primitives.
    fn layout(&self) -> Drawing {
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

        let mut canvas = Canvas::new(&self.title, &self.x_label, &self.y_label);
        match bounds {
            None => canvas.note("no data"),
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
                canvas.ticks(&frame);
                for (i, series) in segments.iter().enumerate() {
                    for segment in series {
                        let px: Vec<(f64, f64)> = segment
                            .iter()
                            .filter_map(|&(x, y)| frame.point(x, y))
                            .collect();
                        canvas.polyline(thin(&px), PALETTE[i % PALETTE.len()]);
                    }
                }
            }
        }
        canvas.legend(self.series.iter().map(|s| s.name.as_str()));
        canvas.finish()
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
    let mut out = Vec::with_capacity(points.len().min(4 * PLOT_WIDTH as usize));
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
