//! Charts of a run directory: an SVG and a PNG beside every probe file.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use ndarray::{Array2, ArrayD, Axis, Ix1, Ix2};
use ndarray_npy::npy::header::Header;
use ndarray_npy::{ReadNpyError, ReadNpyExt};

use super::line_chart::{LineChart, Series};
use super::raster::Raster;
use super::{MAX_SERIES, PlotError};
use crate::config::Source;
use crate::probe::ProbeSpec;
use crate::registry::Registry;

/// Charts every probe file (`*.npy`, steps × units, float32 or float64) in `dir`, taking
/// `dt_ms` as the time step, and returns the charts written, one `[svg, png]` pair per probe
/// file, in file-name order.
///
/// Probe files are named `<target>.<compartment>[.<start>-<end>].npy`; each gets
/// `<target>.<compartment>[.<start>-<end>].svg` and `.png` beside it, written atomically:
///
/// - spike compartments (`s`, and `output` when every value is 0 or one positive constant,
///   as Nengo's neuron output is) become a [`Raster`], one mark per nonzero value;
/// - everything else becomes a [`LineChart`] of each unit over time, at most [`MAX_SERIES`]
///   units (the title says so when there are more), with the value axis labelled by
///   compartment and the unit the target's kind gives it ([`crate::Kind::UNITS`], the kinds
///   read from `dir/model.ron`: an LIF's `v` as "v (mV)"; `decoded` as "decoded value"; the
///   name alone when the kind is not a built-in one or gives no unit).
///
/// Row `r` (from 0) is at time `(r + 1) · k · dt_ms` ms, where `k` is the probe's
/// `sample_every` in `dir/model.ron` (1 without one). Non-finite values are skipped, and the
/// title says "(NaN values skipped)" (or "(infinite values skipped)") when there were any.
///
/// Errors: [`PlotError::NoProbes`] if `dir` holds no `.npy` file; [`PlotError::Read`] naming
/// the directory or file if `dir` cannot be listed or a probe file is not a 1-D or 2-D float
/// array; [`PlotError::Png`] if a PNG cannot be rendered; [`PlotError::Write`] naming the chart
/// if it cannot be written. Charts written before an error stay written.
pub fn plot_run_dir(dir: &Path, dt_ms: f64) -> Result<Vec<[PathBuf; 2]>, PlotError> {
    let layout = RunLayout::read(dir);
    probe_files(dir)?
        .iter()
        .map(|path| plot_probe(path, dt_ms, &layout))
        .collect()
}

/// What a run's `model.ron` says about its probe files.
#[derive(Default)]
pub(crate) struct RunLayout {
    /// The kind of every entity, by name.
    kinds: HashMap<String, String>,
    /// `sample_every` of every probe, by file stem.
    every: HashMap<String, u64>,
    /// The built-in kinds, for compartment units.
    registry: Registry,
}

impl RunLayout {
    /// The layout `dir/model.ron` gives, when it exists and parses (a run written by
    /// `cortecs run`); empty otherwise.
    pub(crate) fn read(dir: &Path) -> Self {
        let path = dir.join("model.ron");
        let empty = || Self {
            registry: Registry::with_builtins(),
            ..Self::default()
        };
        let Ok(text) = std::fs::read_to_string(&path) else {
            return empty();
        };
        let Ok(config) = Source::new(&text, &path).parse() else {
            return empty();
        };
        let every = ProbeSpec::file_names(&config.probes)
            .into_iter()
            .zip(&config.probes)
            .map(|(name, p)| (name.trim_end_matches(".npy").to_owned(), p.sample_every))
            .collect();
        let kinds = [config.cells, config.inputs, config.synapses]
            .into_iter()
            .flatten()
            .map(|e| (e.name, e.kind))
            .collect();
        Self {
            kinds,
            every,
            registry: Registry::with_builtins(),
        }
    }

    /// The unit of `compartment` of entity `target`, if its kind is a built-in one that gives
    /// one ([`crate::Kind::UNITS`]).
    fn unit(&self, target: &str, compartment: &str) -> Option<&'static str> {
        self.registry
            .kind(self.kinds.get(target)?)?
            .unit(compartment)
    }

    /// The steps between rows of the probe file with stem `stem` (1 when not known).
    pub(crate) fn sample_every(&self, stem: &str) -> u64 {
        self.every.get(stem).copied().unwrap_or(1).max(1)
    }
}

/// [`plot_run_dir`] with the time step the run recorded in `dir/model.ron` ([`run_dir_dt`]).
/// Without one the time axis would be a guess: [`PlotError::NoDt`] (after
/// [`PlotError::NoProbes`], if there is nothing to plot either).
pub fn plot_run_dir_auto(dir: &Path) -> Result<Vec<[PathBuf; 2]>, PlotError> {
    let dt_ms = required_dt(dir)?;
    plot_run_dir(dir, dt_ms)
}

/// The time step (ms) of the run in `dir` ([`run_dir_dt`]); [`PlotError::NoProbes`] when `dir`
/// has no probe files, [`PlotError::NoDt`] when it has probes but no `model.ron` with a `dt`.
pub(crate) fn required_dt(dir: &Path) -> Result<f64, PlotError> {
    match run_dir_dt(dir)? {
        Some(dt) => Ok(dt),
        None => {
            probe_files(dir)?;
            Err(PlotError::NoDt {
                dir: dir.to_path_buf(),
            })
        }
    }
}

/// The time step (ms) of the run in `dir`: the first `dt: <number>` field of `dir/model.ron`
/// that holds a finite number > 0, found by a plain text search.
///
/// `Ok(None)` when there is no `model.ron` or no such field in it; [`PlotError::Read`] naming
/// `model.ron` when it exists but cannot be read as text.
pub fn run_dir_dt(dir: &Path) -> Result<Option<f64>, PlotError> {
    let path = dir.join("model.ron");
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok(find_dt(&text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(PlotError::Read {
            path,
            message: e.to_string(),
        }),
    }
}

/// The first `dt:` field of RON text (not the tail of a longer name such as `max_dt:`) whose
/// value is a finite number > 0.
fn find_dt(text: &str) -> Option<f64> {
    text.match_indices("dt:")
        .filter(|&(i, _)| {
            !text[..i]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_alphanumeric() || c == '_')
        })
        .find_map(|(i, key)| {
            let rest = text[i + key.len()..].trim_start();
            let end = rest
                .find(|c: char| !(c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-')))
                .unwrap_or(rest.len());
            rest[..end]
                .parse::<f64>()
                .ok()
                .filter(|dt| dt.is_finite() && *dt > 0.0)
        })
}

/// The `.npy` files directly in `dir`, sorted by name; [`PlotError::NoProbes`] if none.
fn probe_files(dir: &Path) -> Result<Vec<PathBuf>, PlotError> {
    let fail = |e: std::io::Error| PlotError::Read {
        path: dir.to_path_buf(),
        message: e.to_string(),
    };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(fail)? {
        let path = entry.map_err(fail)?.path();
        let is_npy = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("npy"));
        if is_npy && path.is_file() {
            files.push(path);
        }
    }
    if files.is_empty() {
        return Err(PlotError::NoProbes {
            dir: dir.to_path_buf(),
        });
    }
    files.sort();
    Ok(files)
}

/// Every spike probe in `dir` (the files [`plot_run_dir`] draws as rasters), in file-name
/// order: its file stem, its first unit, and its data (steps × units).
///
/// Errors: as [`plot_run_dir`]'s reading.
pub(crate) fn spike_probes(dir: &Path) -> Result<Vec<(String, usize, Array2<f64>)>, PlotError> {
    let mut probes = Vec::new();
    for path in probe_files(dir)? {
        let data = read_probe(&path)?;
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let (compartment, first_unit) = parse_probe_name(&stem);
        if compartment == "s" || (compartment == "output" && is_spike_train(&data)) {
            probes.push((stem, first_unit, data));
        }
    }
    Ok(probes)
}

/// Charts the probe file at `path` as `<stem>.svg` and `<stem>.png` beside it and returns
/// their paths.
fn plot_probe(path: &Path, dt_ms: f64, layout: &RunLayout) -> Result<[PathBuf; 2], PlotError> {
    let data = read_probe(path)?;
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let (compartment, first_unit) = parse_probe_name(&stem);
    // a probe sampled every k steps has a row every k·dt
    let dt_ms = dt_ms * layout.sample_every(&stem) as f64;
    let mut title = stem.clone();
    if data.iter().any(|v| v.is_nan()) {
        title.push_str(" (NaN values skipped)");
    }
    if data.iter().any(|v| v.is_infinite()) {
        title.push_str(" (infinite values skipped)");
    }
    let out = path.with_extension("");
    if compartment == "s" || (compartment == "output" && is_spike_train(&data)) {
        raster(&data, title, first_unit, dt_ms).save(&out)
    } else {
        let target = stem.split('.').next().unwrap_or_default();
        let label = value_label(layout, target, compartment);
        trace_chart(&data, title, label, first_unit, dt_ms).save(&out)
    }
}

/// The compartment and first unit of a probe file's stem
/// `<target>.<compartment>[.<start>-<end>][.<suffix>]` (a suffix such as `lowpass10` tells
/// probes of the same compartment apart); the whole stem and unit 0 when it has no such form.
fn parse_probe_name(stem: &str) -> (&str, usize) {
    let parts: Vec<&str> = stem.split('.').collect();
    if parts.len() < 2 {
        return (stem, 0);
    }
    let first_unit = parts[2..]
        .iter()
        .find_map(|p| {
            let (start, end) = p.split_once('-')?;
            let start = start.parse::<usize>().ok()?;
            (end == "end" || end.parse::<usize>().is_ok()).then_some(start)
        })
        .unwrap_or(0);
    (parts[1], first_unit)
}

/// Whether every value is 0 or one and the same positive finite constant (a spike train
/// scaled as Nengo scales neuron output, by 1/dt).
fn is_spike_train(data: &Array2<f64>) -> bool {
    let mut level = None;
    data.iter()
        .all(|&v| v == 0.0 || (v > 0.0 && v.is_finite() && *level.get_or_insert(v) == v))
}

/// A raster of the nonzero finite values of `data` (steps × units).
fn raster(data: &Array2<f64>, title: String, first_unit: usize, dt_ms: f64) -> Raster {
    let spikes = data
        .indexed_iter()
        .filter(|&(_, &v)| v != 0.0 && v.is_finite())
        .map(|((row, unit), _)| ((row + 1) as f64 * dt_ms, unit))
        .collect();
    Raster {
        title,
        x_label: "time (ms)".into(),
        y_label: if first_unit == 0 {
            "neuron".into()
        } else {
            format!("neuron (row 0 is neuron {first_unit})")
        },
        spikes,
        n_units: data.ncols(),
        t_max: data.nrows() as f64 * dt_ms,
    }
}

/// A line chart of the first [`MAX_SERIES`] units of `data` (steps × units) over time, its
/// value axis labelled `y_label`.
fn trace_chart(
    data: &Array2<f64>,
    mut title: String,
    y_label: String,
    first_unit: usize,
    dt_ms: f64,
) -> LineChart {
    let units = data.ncols();
    if units > MAX_SERIES {
        title.push_str(&format!(" (first {MAX_SERIES} of {units} units)"));
    }
    let times: Vec<f64> = (1..=data.nrows()).map(|r| r as f64 * dt_ms).collect();
    let series = data
        .columns()
        .into_iter()
        .take(MAX_SERIES)
        .enumerate()
        .map(|(i, column)| Series {
            name: format!("unit {}", first_unit + i),
            xs: times.clone(),
            ys: column.to_vec(),
        })
        .collect();
    LineChart {
        title,
        x_label: "time (ms)".into(),
        y_label,
        series,
        log_x: false,
        log_y: false,
    }
}

/// The value-axis label of `compartment` of entity `target`: its name and, where the target's
/// kind gives one ([`RunLayout::unit`]), its unit (`v (mV)`); a decoded probe is "decoded
/// value".
fn value_label(layout: &RunLayout, target: &str, compartment: &str) -> String {
    if compartment == "decoded" {
        return "decoded value".into();
    }
    match layout.unit(target, compartment) {
        Some(unit) => format!("{compartment} ({unit})"),
        None => compartment.to_owned(),
    }
}

/// Reads a probe file as steps × units `f64` (a 1-D array is one unit), from float64 or
/// float32 data. Any problem is a [`PlotError::Read`] naming the file.
fn read_probe(path: &Path) -> Result<Array2<f64>, PlotError> {
    let fail = |message: String| PlotError::Read {
        path: path.to_path_buf(),
        message,
    };
    let bytes = std::fs::read(path).map_err(|e| fail(e.to_string()))?;
    crate::persist::npy::check_plain_header(&bytes).map_err(fail)?;
    // Check the promised size against the file before the reader allocates it.
    let mut body = bytes.as_slice();
    let header =
        Header::from_reader(&mut body).map_err(|e| fail(format!("not a .npy file: {e}")))?;
    let claimed = header
        .shape
        .iter()
        .try_fold(1usize, |n, &d| n.checked_mul(d));
    if claimed.is_none_or(|n| n > body.len() / 4) {
        return Err(fail(format!(
            "{} bytes of data are too few for a float32 or float64 array of shape {:?} \
             (truncated?)",
            body.len(),
            header.shape
        )));
    }
    // Bytes after the announced rows (a streamed probe interrupted between appending a chunk
    // and updating its header) are ignored, as numpy ignores them.
    let n = claimed.unwrap_or(0);
    let head = bytes.len() - body.len();
    let announced = |item: usize| &bytes[..(head + n * item).min(bytes.len())];
    let data = match ArrayD::<f64>::read_npy(announced(8)) {
        Ok(a) => a,
        Err(ReadNpyError::WrongDescriptor(_)) => ArrayD::<f32>::read_npy(announced(4))
            .map_err(|e| fail(format!("not a float32 or float64 array: {e}")))?
            .mapv(f64::from),
        Err(e) => return Err(fail(e.to_string())),
    };
    let shaped = match data.ndim() {
        1 => data
            .into_dimensionality::<Ix1>()
            .map(|a| a.insert_axis(Axis(1))),
        2 => data.into_dimensionality::<Ix2>(),
        n => {
            return Err(fail(format!(
                "expected a steps × units (2-D) array, found {n} dimensions"
            )));
        }
    };
    shaped.map_err(|e| fail(e.to_string()))
}
