//! The PNG backend: a [`Drawing`] rasterized at twice its size, 1600 × 960 pixels, so that
//! lines and text stay crisp on high-density screens and when zoomed.
//!
//! Shapes are antialiased by tiny-skia; text is set in DejaVu Sans, embedded in the binary
//! (no system fonts or libraries), with ab_glyph's kerning and coverage rasterizer.

use ab_glyph::{Font, ScaleFont, point};
use tiny_skia::{FillRule, LineJoin, Paint, Path, PathBuilder, Pixmap, Rect, Stroke, Transform};

use super::PlotError;
use super::drawing::{Anchor, Color, Drawing, HEIGHT, Mark, Text, WIDTH};
use super::font::{Typeface, typeface};

/// Image pixels per chart pixel.
const SCALE: f32 = 2.0;

/// `drawing` as a PNG image of `SCALE` times the chart size, over a white background.
///
/// Errors: [`PlotError::Png`] if the embedded font cannot be read or the image cannot be
/// allocated or encoded.
pub(crate) fn render(drawing: &Drawing) -> Result<Vec<u8>, PlotError> {
    let fail = |message: String| PlotError::Png { message };
    let typeface = typeface()?;
    let (width, height) = (
        (WIDTH as f32 * SCALE) as u32,
        (HEIGHT as f32 * SCALE) as u32,
    );
    let mut pixmap = Pixmap::new(width, height)
        .ok_or_else(|| fail(format!("cannot allocate a {width} × {height} image")))?;
    pixmap.fill(tiny_skia::Color::WHITE);
    let mut painter = Painter { pixmap, typeface };
    for mark in &drawing.marks {
        painter.mark(mark);
    }
    painter
        .pixmap
        .encode_png()
        .map_err(|e| fail(format!("cannot encode the image: {e}")))
}

/// The image being painted and the font its text is set in.
struct Painter {
    /// The image.
    pixmap: Pixmap,
    /// The font.
    typeface: &'static Typeface,
}

impl Painter {
    /// Paints one mark.
    fn mark(&mut self, mark: &Mark) {
        let chart = Transform::from_scale(SCALE, SCALE);
        match mark {
            Mark::Rect {
                x,
                y,
                width,
                height,
                fill,
                stroke,
            } => {
                let Some(rect) =
                    Rect::from_xywh(*x as f32, *y as f32, *width as f32, *height as f32)
                else {
                    return;
                };
                let path = PathBuilder::from_rect(rect);
                if let Some(fill) = fill {
                    self.pixmap
                        .fill_path(&path, &paint(*fill), FillRule::Winding, chart, None);
                }
                if let Some(stroke) = stroke {
                    self.stroke(&path, *stroke, 1.0);
                }
            }
            Mark::Line {
                x1,
                y1,
                x2,
                y2,
                color,
                width,
            } => {
                let mut pb = PathBuilder::new();
                pb.move_to(*x1 as f32, *y1 as f32);
                pb.line_to(*x2 as f32, *y2 as f32);
                if let Some(path) = pb.finish() {
                    self.stroke(&path, *color, *width);
                }
            }
            Mark::Polyline {
                points,
                color,
                width,
            } => {
                let mut pb = PathBuilder::new();
                for (i, &(x, y)) in points.iter().enumerate() {
                    if i == 0 {
                        pb.move_to(x as f32, y as f32);
                    } else {
                        pb.line_to(x as f32, y as f32);
                    }
                }
                if let Some(path) = pb.finish() {
                    self.stroke(&path, *color, *width);
                }
            }
            Mark::Circle { cx, cy, r, fill } => {
                if let Some(path) = PathBuilder::from_circle(*cx as f32, *cy as f32, *r as f32) {
                    self.pixmap
                        .fill_path(&path, &paint(*fill), FillRule::Winding, chart, None);
                }
            }
            Mark::Spikes {
                tops,
                length,
                color,
                width,
            } => {
                let mut pb = PathBuilder::new();
                for &(x, y) in tops {
                    pb.move_to(x as f32, y as f32);
                    pb.line_to(x as f32, (y + length) as f32);
                }
                if let Some(path) = pb.finish() {
                    self.stroke(&path, *color, *width);
                }
            }
            Mark::Text(text) => self.text(text),
        }
    }

    /// Strokes `path` (in chart pixels) with round joins, `width` chart pixels wide.
    fn stroke(&mut self, path: &Path, color: Color, width: f64) {
        let stroke = Stroke {
            width: width as f32,
            line_join: LineJoin::Round,
            ..Stroke::default()
        };
        self.pixmap.stroke_path(
            path,
            &paint(color),
            &stroke,
            Transform::from_scale(SCALE, SCALE),
            None,
        );
    }

    /// Sets `text`: glyphs laid out along the baseline with their advances and kerning
    /// ([`Typeface::line`]), each glyph's coverage blended into the image in the text's colour.
    ///
    /// Rotated text is laid out upright about the origin, and each of its pixels `(i, j)` is
    /// painted at `(x + j, y − 1 − i)`, the pixel it covers once turned 90° counter-clockwise
    /// about the anchor `(x, y)`, rounded to a whole pixel.
    fn text(&mut self, text: &Text) {
        let scale = self.typeface.scale(text.size as f32 * SCALE);
        let font = self.typeface.font().as_scaled(scale);
        let line = self.typeface.line(&text.content, scale);
        let shift = match text.anchor {
            Anchor::Start => 0.0,
            Anchor::Middle => -line.width / 2.0,
            Anchor::End => -line.width,
        };
        let (x, y) = (text.x as f32 * SCALE, text.y as f32 * SCALE);
        // Upright text is placed exactly; rotated text about the origin, then turned.
        let (origin, turn) = if text.rotated {
            ((0.0, 0.0), Some((x.round() as i64, y.round() as i64)))
        } else {
            ((x, y), None)
        };
        let width = i64::from(self.pixmap.width());
        let height = i64::from(self.pixmap.height());
        let data = self.pixmap.data_mut();
        for (id, u) in line.glyphs {
            let glyph = id.with_scale_and_position(scale, point(origin.0 + shift + u, origin.1));
            let Some(outlined) = font.outline_glyph(glyph) else {
                continue;
            };
            let min = outlined.px_bounds().min;
            let (left, top) = (min.x as i64, min.y as i64);
            outlined.draw(|gx, gy, coverage| {
                let (i, j) = (left + i64::from(gx), top + i64::from(gy));
                let (px, py) = match turn {
                    None => (i, j),
                    Some((ax, ay)) => (ax + j, ay - 1 - i),
                };
                if (0..width).contains(&px) && (0..height).contains(&py) {
                    let at = 4 * (py * width + px) as usize;
                    blend(&mut data[at..at + 4], text.color, coverage);
                }
            });
        }
    }
}

/// Paints `color` over one premultiplied RGBA pixel with the given coverage (0 to 1).
fn blend(pixel: &mut [u8], color: Color, coverage: f32) {
    let a = coverage.clamp(0.0, 1.0);
    for (channel, source) in pixel.iter_mut().zip([color.r, color.g, color.b, u8::MAX]) {
        let mixed = f32::from(source) * a + f32::from(*channel) * (1.0 - a);
        *channel = mixed.round() as u8;
    }
}

/// An antialiased solid paint of `color`.
fn paint(color: Color) -> Paint<'static> {
    let mut paint = Paint::default();
    paint.set_color_rgba8(color.r, color.g, color.b, u8::MAX);
    paint.anti_alias = true;
    paint
}
