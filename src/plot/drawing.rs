//! A chart laid out once as a list of drawing primitives, for the SVG and PNG backends to
//! render.
//!
//! Coordinates are in chart pixels: `(0, 0)` is the top-left corner, y grows downwards, and the
//! canvas is [`WIDTH`] × [`HEIGHT`]. Text positions are baselines, as in SVG.

/// Width of every chart, in pixels.
pub(crate) const WIDTH: f64 = 800.0;
/// Height of every chart, in pixels.
pub(crate) const HEIGHT: f64 = 480.0;

/// An opaque sRGB colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Color {
    /// Red.
    pub r: u8,
    /// Green.
    pub g: u8,
    /// Blue.
    pub b: u8,
}

impl Color {
    /// Black.
    pub const BLACK: Self = Self::hex(0x000000);

    /// The colour written `#rrggbb` as the number `0xrrggbb`.
    pub const fn hex(rgb: u32) -> Self {
        Self {
            r: (rgb >> 16) as u8,
            g: (rgb >> 8) as u8,
            b: rgb as u8,
        }
    }
}

/// Which point of a text its position gives, along the text's direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Anchor {
    /// The start of the text.
    Start,
    /// Its middle.
    Middle,
    /// Its end.
    End,
}

/// A one-line text.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Text {
    /// What it says (unescaped).
    pub content: String,
    /// The anchor point's x.
    pub x: f64,
    /// The anchor point's y: the baseline.
    pub y: f64,
    /// Which point of the text `(x, y)` is.
    pub anchor: Anchor,
    /// The font size (em), in pixels.
    pub size: f64,
    /// Whether the text is turned 90° counter-clockwise about `(x, y)`, reading upwards.
    pub rotated: bool,
    /// The text colour.
    pub color: Color,
    /// What the text is (`"title"`, `"tick"`, `"legend"` …): the SVG `class`.
    pub class: &'static str,
}

/// One drawing primitive.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Mark {
    /// An axis-aligned rectangle, filled, outlined with a 1-pixel line, or both.
    Rect {
        /// Left edge.
        x: f64,
        /// Top edge.
        y: f64,
        /// Width.
        width: f64,
        /// Height.
        height: f64,
        /// The fill, if any.
        fill: Option<Color>,
        /// The outline colour, if any.
        stroke: Option<Color>,
    },
    /// A straight line from `(x1, y1)` to `(x2, y2)`.
    Line {
        /// Start x.
        x1: f64,
        /// Start y.
        y1: f64,
        /// End x.
        x2: f64,
        /// End y.
        y2: f64,
        /// Line colour.
        color: Color,
        /// Line width, in pixels.
        width: f64,
    },
    /// Points joined in order by a line with round joins.
    Polyline {
        /// The points.
        points: Vec<(f64, f64)>,
        /// Line colour.
        color: Color,
        /// Line width, in pixels.
        width: f64,
    },
    /// A filled disc.
    Circle {
        /// Centre x.
        cx: f64,
        /// Centre y.
        cy: f64,
        /// Radius.
        r: f64,
        /// Fill colour.
        fill: Color,
    },
    /// Short vertical strokes of equal length, one per spike of a raster (SVG class `spikes`).
    Spikes {
        /// The top end of each stroke.
        tops: Vec<(f64, f64)>,
        /// The strokes' length, downwards from their tops.
        length: f64,
        /// Stroke colour.
        color: Color,
        /// Stroke width, in pixels.
        width: f64,
    },
    /// A text.
    Text(Text),
}

/// A chart as drawing primitives, painted in order over a white [`WIDTH`] × [`HEIGHT`] canvas.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Drawing {
    /// The primitives, back to front.
    pub marks: Vec<Mark>,
}

impl Drawing {
    /// Adds `mark` on top of what is drawn so far.
    pub fn push(&mut self, mark: Mark) {
        self.marks.push(mark);
    }
}
