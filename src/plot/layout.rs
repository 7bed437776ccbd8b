//! The layout every chart shares: where the plot area, title, axis labels, ticks and legend
//! go, and the marks that draw them.

use super::axis::Axis;
use super::drawing::{Anchor, Color, Drawing, Mark, Text, WIDTH};
use super::font::{chars_within, text_width};

/// Left edge of the plot area.
const LEFT: f64 = 95.0;
/// Right edge of the plot area (the legend is to its right).
const RIGHT: f64 = 620.0;
/// Width of the plot area, in pixels.
pub(crate) const PLOT_WIDTH: f64 = RIGHT - LEFT;
/// Top edge of the plot area.
const TOP: f64 = 50.0;
/// Bottom edge of the plot area.
const BOTTOM: f64 = 410.0;
/// Vertical distance between legend entries.
const LEGEND_ROW: f64 = 16.0;
/// Left end of the legend's swatches.
const LEGEND_X: f64 = RIGHT + 15.0;
/// Left end of the legend's labels.
const LEGEND_LABEL_X: f64 = LEGEND_X + 26.0;
/// Widest legend label, in pixels of the embedded font, before it is shortened with an
/// ellipsis: what fits between [`LEGEND_LABEL_X`] and a 5-pixel margin at the right edge.
const LEGEND_LABEL_WIDTH: f64 = WIDTH - LEGEND_LABEL_X - 5.0;
/// Font size of ordinary text (tick labels, axis labels, legend), in pixels.
const TEXT_SIZE: f64 = 12.0;
/// Font size of the title, in pixels; a title wider than the chart is cut short.
const TITLE_SIZE: f64 = 16.0;
/// Colour of grid lines.
const GRID: Color = Color::hex(0xe5e5e5);
/// Series colours, used in order and then repeated (matplotlib's `tab20`).
pub(crate) const PALETTE: [Color; 20] = [
    Color::hex(0x1f77b4),
    Color::hex(0xff7f0e),
    Color::hex(0x2ca02c),
    Color::hex(0xd62728),
    Color::hex(0x9467bd),
    Color::hex(0x8c564b),
    Color::hex(0xe377c2),
    Color::hex(0x7f7f7f),
    Color::hex(0xbcbd22),
    Color::hex(0x17becf),
    Color::hex(0xaec7e8),
    Color::hex(0xffbb78),
    Color::hex(0x98df8a),
    Color::hex(0xff9896),
    Color::hex(0xc5b0d5),
    Color::hex(0xc49c94),
    Color::hex(0xf7b6d2),
    Color::hex(0xc7c7c7),
    Color::hex(0xdbdb8d),
    Color::hex(0x9edae5),
];

/// The axes of a chart, mapping data coordinates to pixels in the plot area.
pub(crate) struct Frame {
    /// The horizontal axis.
    pub x: Axis,
    /// The vertical axis.
    pub y: Axis,
}

impl Frame {
    /// The pixel position of the data point `(x, y)`, if both coordinates can be placed.
    pub fn point(&self, x: f64, y: f64) -> Option<(f64, f64)> {
        let fx = self.x.fraction(x)?;
        let fy = self.y.fraction(y)?;
        Some((LEFT + fx * (RIGHT - LEFT), BOTTOM - fy * (BOTTOM - TOP)))
    }
}

/// A chart's drawing under construction, with the pieces every chart shares.
pub(crate) struct Canvas {
    /// The marks so far.
    drawing: Drawing,
}

impl Canvas {
    /// Starts a chart: `title` above the framed plot area, `x_label` under it and `y_label`
    /// beside it, turned to read upwards.
    pub fn new(title: &str, x_label: &str, y_label: &str) -> Self {
        let (mid_x, mid_y) = ((LEFT + RIGHT) / 2.0, (TOP + BOTTOM) / 2.0);
        let mut canvas = Self {
            drawing: Drawing::default(),
        };
        let title = shorten(title, TITLE_SIZE, WIDTH - 20.0);
        canvas.text(
            &title,
            WIDTH / 2.0,
            28.0,
            Anchor::Middle,
            "title",
            TITLE_SIZE,
        );
        canvas.text(
            x_label,
            mid_x,
            BOTTOM + 42.0,
            Anchor::Middle,
            "x-label",
            TEXT_SIZE,
        );
        canvas.drawing.push(Mark::Text(Text {
            rotated: true,
            ..plain_text(y_label, 18.0, mid_y, Anchor::Middle, "y-label", TEXT_SIZE)
        }));
        canvas.frame();
        canvas
    }

    /// Adds a black text.
    fn text(
        &mut self,
        content: &str,
        x: f64,
        y: f64,
        anchor: Anchor,
        class: &'static str,
        size: f64,
    ) {
        self.drawing
            .push(Mark::Text(plain_text(content, x, y, anchor, class, size)));
    }

    /// Adds a 1-pixel line.
    fn line(&mut self, (x1, y1): (f64, f64), (x2, y2): (f64, f64), color: Color) {
        self.drawing.push(Mark::Line {
            x1,
            y1,
            x2,
            y2,
            color,
            width: 1.0,
        });
    }

    /// Outlines the plot area.
    fn frame(&mut self) {
        self.drawing.push(Mark::Rect {
            x: LEFT,
            y: TOP,
            width: RIGHT - LEFT,
            height: BOTTOM - TOP,
            fill: None,
            stroke: Some(Color::BLACK),
        });
    }

    /// Draws the tick marks, tick labels and light grid lines of both axes.
    pub fn ticks(&mut self, frame: &Frame) {
        let inside = |f: f64| (-1e-9..=1.0 + 1e-9).contains(&f);
        for (v, label) in frame.x.ticks() {
            let Some(f) = frame.x.fraction(*v).filter(|&f| inside(f)) else {
                continue;
            };
            let x = LEFT + f * (RIGHT - LEFT);
            self.line((x, TOP), (x, BOTTOM), GRID);
            self.line((x, BOTTOM), (x, BOTTOM + 5.0), Color::BLACK);
            self.text(label, x, BOTTOM + 19.0, Anchor::Middle, "tick", TEXT_SIZE);
        }
        for (v, label) in frame.y.ticks() {
            let Some(f) = frame.y.fraction(*v).filter(|&f| inside(f)) else {
                continue;
            };
            let y = BOTTOM - f * (BOTTOM - TOP);
            self.line((LEFT, y), (RIGHT, y), GRID);
            self.line((LEFT - 5.0, y), (LEFT, y), Color::BLACK);
            self.text(label, LEFT - 8.0, y + 4.0, Anchor::End, "tick", TEXT_SIZE);
        }
        // Grid lines were drawn over the frame; redraw it on top.
        self.frame();
    }

    /// Draws the pixel points `px` joined in order (a single point as a dot of radius 3, large
    /// enough to find on its own) in `color`.
    pub fn polyline(&mut self, px: Vec<(f64, f64)>, color: Color) {
        match px.as_slice() {
            [] => {}
            &[(cx, cy)] => self.drawing.push(Mark::Circle {
                cx,
                cy,
                r: 3.0,
                fill: color,
            }),
            _ => self.drawing.push(Mark::Polyline {
                points: px,
                color,
                width: 1.2,
            }),
        }
    }

    /// Draws one black vertical stroke of length `length` centred on each pixel point.
    pub fn spikes(&mut self, centres: impl IntoIterator<Item = (f64, f64)>, length: f64) {
        let tops = centres
            .into_iter()
            .map(|(x, y)| (x, y - length / 2.0))
            .collect();
        self.drawing.push(Mark::Spikes {
            tops,
            length,
            color: Color::BLACK,
            width: 1.0,
        });
    }

    /// Writes `text` in grey in the middle of the plot area.
    pub fn note(&mut self, text: &str) {
        self.drawing.push(Mark::Text(Text {
            color: Color::hex(0x777777),
            ..plain_text(
                text,
                (LEFT + RIGHT) / 2.0,
                (TOP + BOTTOM) / 2.0,
                Anchor::Middle,
                "note",
                14.0,
            )
        }));
    }

    /// Draws the legend right of the plot area: one coloured swatch and name per series, in
    /// the series' colours; when they do not all fit, the last row says how many are left out.
    pub fn legend<'a>(&mut self, names: impl ExactSizeIterator<Item = &'a str>) {
        let fit = ((BOTTOM - TOP) / LEGEND_ROW) as usize;
        let total = names.len();
        let shown = if total > fit { fit - 1 } else { total };
        for (i, name) in names.take(shown).enumerate() {
            let y = TOP + 8.0 + LEGEND_ROW * i as f64;
            self.drawing.push(Mark::Line {
                x1: LEGEND_X,
                y1: y,
                x2: LEGEND_X + 20.0,
                y2: y,
                color: PALETTE[i % PALETTE.len()],
                width: 2.0,
            });
            let label = shorten(name, TEXT_SIZE, LEGEND_LABEL_WIDTH);
            self.text(
                &label,
                LEGEND_LABEL_X,
                y + 4.0,
                Anchor::Start,
                "legend",
                TEXT_SIZE,
            );
        }
        if shown < total {
            let more = format!("… {} more", total - shown);
            let y = TOP + 12.0 + LEGEND_ROW * shown as f64;
            self.text(&more, LEGEND_X, y, Anchor::Start, "legend", TEXT_SIZE);
        }
    }

    /// The finished drawing.
    pub fn finish(self) -> Drawing {
        self.drawing
    }
}

/// An upright black text.
fn plain_text(
    content: &str,
    x: f64,
    y: f64,
    anchor: Anchor,
    class: &'static str,
    size: f64,
) -> Text {
    Text {
        content: content.to_owned(),
        x,
        y,
        anchor,
        size,
        rotated: false,
        color: Color::BLACK,
        class,
    }
}

/// `name`, cut short with an ellipsis if it is wider than `max_width` pixels set at `size`
/// pixels per em ([`text_width`]).
fn shorten(name: &str, size: f64, max_width: f64) -> String {
    if text_width(name, size) <= max_width {
        return name.to_owned();
    }
    let room = max_width - text_width("…", size);
    let kept = chars_within(name, size, room);
    let mut short: String = name.chars().take(kept).collect();
    short.truncate(short.trim_end().len());
    short.push('…');
    short
}
