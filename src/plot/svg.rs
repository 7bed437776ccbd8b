//! The SVG backend: a [`Drawing`] as a standalone SVG document.
//!
//! The document is plain text built in memory, one element per line, with coordinates to a
//! tenth of a pixel. Text is left to the viewer's sans-serif font and XML-escaped.

use std::fmt::{self, Write};

use super::drawing::{Anchor, Color, Drawing, HEIGHT, Mark, Text, WIDTH};

/// The document's font size, which texts of that size do not repeat.
const FONT_SIZE: f64 = 12.0;

/// `drawing` as a standalone SVG document over a white background.
pub(crate) fn render(drawing: &Drawing) -> String {
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{HEIGHT}\" \
         viewBox=\"0 0 {WIDTH} {HEIGHT}\" font-family=\"sans-serif\" font-size=\"{FONT_SIZE}\">\n\
         <rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
    );
    for mark in &drawing.marks {
        // Writing into a String cannot fail.
        let _ = element(&mut out, mark);
    }
    out.push_str("</svg>\n");
    out
}

/// Appends the SVG element of `mark`, and a newline.
fn element(out: &mut String, mark: &Mark) -> fmt::Result {
    match mark {
        Mark::Rect {
            x,
            y,
            width,
            height,
            fill,
            stroke,
        } => {
            write!(
                out,
                "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{width:.1}\" height=\"{height:.1}\" fill=\"{}\"",
                fill.map_or_else(|| "none".to_owned(), hex)
            )?;
            if let Some(stroke) = stroke {
                write!(out, " stroke=\"{}\"", hex(*stroke))?;
            }
            writeln!(out, "/>")
        }
        Mark::Line {
            x1,
            y1,
            x2,
            y2,
            color,
            width,
        } => writeln!(
            out,
            "<line x1=\"{x1:.1}\" y1=\"{y1:.1}\" x2=\"{x2:.1}\" y2=\"{y2:.1}\" stroke=\"{}\" \
             stroke-width=\"{width}\"/>",
            hex(*color)
        ),
        Mark::Polyline {
            points,
            color,
            width,
        } => {
            write!(
                out,
                "<polyline fill=\"none\" stroke=\"{}\" stroke-width=\"{width}\" \
                 stroke-linejoin=\"round\" points=\"",
                hex(*color)
            )?;
            for (i, (x, y)) in points.iter().enumerate() {
                let sep = if i == 0 { "" } else { " " };
                write!(out, "{sep}{x:.1},{y:.1}")?;
            }
            writeln!(out, "\"/>")
        }
        Mark::Circle { cx, cy, r, fill } => writeln!(
            out,
            "<circle cx=\"{cx:.1}\" cy=\"{cy:.1}\" r=\"{r}\" fill=\"{}\"/>",
            hex(*fill)
        ),
        Mark::Spikes {
            tops,
            length,
            color,
            width,
        } => {
            write!(
                out,
                "<path class=\"spikes\" fill=\"none\" stroke=\"{}\" stroke-width=\"{width}\" d=\"",
                hex(*color)
            )?;
            for (x, y) in tops {
                write!(out, "M{x:.1} {y:.1}v{length:.1}")?;
            }
            writeln!(out, "\"/>")
        }
        Mark::Text(text) => text_element(out, text),
    }
}

/// Appends the `<text>` element of `text`, and a newline.
fn text_element(out: &mut String, text: &Text) -> fmt::Result {
    let Text {
        content,
        x,
        y,
        anchor,
        size,
        rotated,
        color,
        class,
    } = text;
    write!(out, "<text class=\"{class}\" x=\"{x:.1}\" y=\"{y:.1}\"")?;
    match anchor {
        Anchor::Start => {}
        Anchor::Middle => write!(out, " text-anchor=\"middle\"")?,
        Anchor::End => write!(out, " text-anchor=\"end\"")?,
    }
    if *size != FONT_SIZE {
        write!(out, " font-size=\"{size}\"")?;
    }
    if *color != Color::BLACK {
        write!(out, " fill=\"{}\"", hex(*color))?;
    }
    if *rotated {
        write!(out, " transform=\"rotate(-90 {x:.1} {y:.1})\"")?;
    }
    writeln!(out, ">{}</text>", escape(content))
}

/// `color` as `#rrggbb`.
fn hex(color: Color) -> String {
    format!("#{:02x}{:02x}{:02x}", color.r, color.g, color.b)
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
