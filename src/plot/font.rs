//! The charts' font, DejaVu Sans, embedded in the binary: glyph layout for the PNG backend and
//! text widths for the layout.

use std::sync::LazyLock;

use ab_glyph::{Font, FontRef, GlyphId, PxScale, ScaleFont};

use super::PlotError;

/// DejaVu Sans, parsed once; the parse error as text if the embedded bytes are not a font.
static TYPEFACE: LazyLock<Result<Typeface, String>> = LazyLock::new(Typeface::load);

/// A font and its conversion from font sizes (em, as SVG gives them) to ab_glyph scales.
pub(crate) struct Typeface {
    /// The font.
    font: FontRef<'static>,
    /// The font's height (ascent − descent) in ems: ab_glyph scales fonts by their height.
    height_per_em: f32,
}

/// A line of text laid out along its baseline from `x = 0`.
pub(crate) struct Line {
    /// Each glyph and the x of its origin, in pixels.
    pub glyphs: Vec<(GlyphId, f32)>,
    /// The advance of the whole line, in pixels.
    pub width: f32,
}

/// The embedded DejaVu Sans; [`PlotError::Png`] if it cannot be read.
pub(crate) fn typeface() -> Result<&'static Typeface, PlotError> {
    TYPEFACE.as_ref().map_err(|message| PlotError::Png {
        message: message.clone(),
    })
}

/// The advance width, in pixels, of `text` set in the embedded font at `size` pixels per em.
pub(crate) fn text_width(text: &str, size: f64) -> f64 {
    prefix_widths(text, size).last().copied().unwrap_or(0.0)
}

/// How many leading characters of `text`, set at `size` pixels per em, fit in `max_width`
/// pixels.
pub(crate) fn chars_within(text: &str, size: f64, max_width: f64) -> usize {
    prefix_widths(text, size)
        .iter()
        .take_while(|&&w| w <= max_width)
        .count()
}

/// The advance width, in pixels, of each prefix of `text` set at `size` pixels per em: entry
/// `i` is the width of its first `i + 1` characters. If the font cannot be read, an estimate of
/// 0.6 em per character.
fn prefix_widths(text: &str, size: f64) -> Vec<f64> {
    match typeface() {
        Ok(face) => {
            let line = face.line(text, face.scale(size as f32));
            let ends = line.glyphs.iter().skip(1).map(|&(_, x)| x);
            ends.chain([line.width]).map(f64::from).collect()
        }
        Err(_) => (1..=text.chars().count())
            .map(|n| n as f64 * size * 0.6)
            .collect(),
    }
}

impl Typeface {
    /// Parses the embedded font.
    fn load() -> Result<Self, String> {
        let font = FontRef::try_from_slice(dejavu::sans::regular())
            .map_err(|e| format!("the embedded font: {e}"))?;
        let em = font
            .units_per_em()
            .ok_or_else(|| "the embedded font has no em size".to_owned())?;
        let height_per_em = font.height_unscaled() / em;
        Ok(Self {
            font,
            height_per_em,
        })
    }

    /// The font.
    pub fn font(&self) -> &FontRef<'static> {
        &self.font
    }

    /// The ab_glyph scale of a font size of `size` pixels per em.
    pub fn scale(&self, size: f32) -> PxScale {
        PxScale::from(size * self.height_per_em)
    }

    /// `text` laid out on one line at `scale`, with the font's advances and kerning.
    ///
    /// Tabs and line breaks are set as spaces, other control characters as U+FFFD (as the SVG
    /// backend writes them).
    pub fn line(&self, text: &str, scale: PxScale) -> Line {
        let font = self.font.as_scaled(scale);
        let mut caret = 0.0;
        let mut previous: Option<GlyphId> = None;
        let mut glyphs = Vec::with_capacity(text.len());
        for c in text.chars() {
            let c = match c {
                '\t' | '\n' | '\r' => ' ',
                c if c.is_control() => '\u{FFFD}',
                c => c,
            };
            let id = font.glyph_id(c);
            if let Some(previous) = previous {
                caret += font.kern(previous, id);
            }
            glyphs.push((id, caret));
            caret += font.h_advance(id);
            previous = Some(id);
        }
        Line {
            glyphs,
            width: caret,
        }
    }
}
