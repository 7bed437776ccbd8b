//! Writing a chart as an SVG and a PNG file side by side.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use super::drawing::Drawing;
use super::{PlotError, png, svg};
use crate::persist::atomic::write_atomic_bytes;

/// Writes `drawing` as `<stem>.svg` and `<stem>.png`, each atomically, and returns both paths.
///
/// The extensions are appended to `stem` (`z1.v` gives `z1.v.svg`), never substituted for a
/// part of it. Both images are rendered before either is written, so a rendering error leaves
/// nothing behind.
pub(crate) fn save(drawing: &Drawing, stem: &Path) -> Result<[PathBuf; 2], PlotError> {
    let svg_path = with_suffix(stem, ".svg");
    let png_path = with_suffix(stem, ".png");
    let svg = svg::render(drawing);
    let png = png::render(drawing)?;
    for (path, bytes) in [(&svg_path, svg.as_bytes()), (&png_path, png.as_slice())] {
        write_atomic_bytes(path, bytes).map_err(|e| PlotError::Write {
            path: path.clone(),
            message: e.to_string(),
        })?;
    }
    Ok([svg_path, png_path])
}

/// `stem` with `suffix` appended to its last component.
fn with_suffix(stem: &Path, suffix: &str) -> PathBuf {
    let mut name = OsString::from(stem.as_os_str());
    name.push(suffix);
    PathBuf::from(name)
}
