//! Spike rasters: one short vertical mark per spike.

use std::path::{Path, PathBuf};

use super::axis::Axis;
use super::drawing::Drawing;
use super::layout::{Canvas, Frame};
use super::{PlotError, png, save, svg};

/// A spike raster: one short vertical mark per spike, at the spike's time on the x axis and in
/// its unit's row on the y axis (unit 0 at the bottom).
///
/// Spikes at non-finite times are skipped. A raster without spikes still renders its axes,
/// with the note "no spikes".
///
/// ```
/// use cortecs::plot::Raster;
/// # fn main() -> Result<(), cortecs::plot::PlotError> {
/// let raster = Raster {
///     title: "z1 spikes".into(),
///     x_label: "time (ms)".into(),
///     y_label: "neuron".into(),
///     spikes: vec![(1.5, 0), (4.0, 2), (7.25, 1)], // (time, unit)
///     n_units: 3,
///     t_max: 10.0,
/// };
/// let svg = raster.to_svg();
/// assert!(svg.contains("z1 spikes"));
/// // one mark per spike, each an `M` command of the spikes path
/// let marks = svg.split(r#"class="spikes""#).nth(1).expect("a spikes path");
/// let marks = &marks[..marks.find("/>").expect("the path ends")];
/// assert_eq!(marks.matches('M').count(), 3);
/// assert!(raster.to_png()?.starts_with(b"\x89PNG\r\n\x1a\n"));
/// # Ok(()) }
/// ```
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
    /// finite time.
    pub fn to_svg(&self) -> String {
        svg::render(&self.layout())
    }

    /// Renders the raster as a PNG image (see [`crate::plot`] for its size).
    ///
    /// Errors: [`PlotError::Png`] if the image cannot be rendered or encoded.
    pub fn to_png(&self) -> Result<Vec<u8>, PlotError> {
        png::render(&self.layout())
    }

    /// Writes the raster as `<stem>.svg` and `<stem>.png` (the extensions are appended, so
    /// `runs/x/z1.s` gives `runs/x/z1.s.svg`), each atomically, and returns both paths.
    ///
    /// Errors: [`PlotError::Png`] if the PNG cannot be rendered (nothing is written then);
    /// [`PlotError::Write`] naming the file that cannot be written.
    pub fn save(&self, stem: &Path) -> Result<[PathBuf; 2], PlotError> {
        save::save(&self.layout(), stem)
    }

    /// The raster as drawing primitives.
    fn layout(&self) -> Drawing {
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

        let mut canvas = Canvas::new(&self.title, &self.x_label, &self.y_label);
        canvas.ticks(&frame);
        if spikes.is_empty() {
            canvas.note("no spikes");
        } else {
            let row_px = match (frame.point(t0, 0.0), frame.point(t0, 1.0)) {
                (Some(bottom), Some(top)) => bottom.1 - top.1,
                _ => 1.0,
            };
            let mark = (row_px * 0.8).clamp(1.0, 8.0);
            let centres = spikes
                .iter()
                .filter_map(|&(t, u)| frame.point(t, u as f64 + 0.5));
            canvas.spikes(centres, mark);
        }
        canvas.finish()
    }
}
