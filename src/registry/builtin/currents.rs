//! `"Constant"`, `"Step"`, `"Replay"`: current sources, and reading recorded tables.

use std::path::Path;

use ndarray::Array2;
use serde::{Deserialize, Serialize};

use super::Values;
use crate::components::Real;
use crate::components::compartment::*;
use crate::components::currents::{AfterEnd, CurrentSource, current_system};
use crate::registry::{BuildCtx, Footprint, Kind, KindError, Role};
use crate::schedule::{Phase, StepSchedule};

/// Parameters of `"Constant"`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConstantParams {
    /// The current of every unit, or one per unit.
    pub value: Values,
}

/// `"Constant"` — a constant current into `target`'s `j`.
pub struct Constant;

impl Kind for Constant {
    const NAME: &'static str = "Constant";
    const ROLE: Role = Role::Current;
    const DOC: &'static str = "constant current source";
    const COMPARTMENTS: &'static [&'static str] = &["outputs"];
    type Params = ConstantParams;
    const PARAMS_SOURCE: Option<(&'static str, &'static str)> =
        Some((include_str!("currents.rs"), "ConstantParams"));

    fn footprint(_: &ConstantParams, ctx: &BuildCtx) -> Footprint {
        target_footprint(ctx, 1)
    }

    fn validate(_: &ConstantParams) -> Result<(), KindError> {
        Ok(())
    }

    fn spawn(p: &ConstantParams, ctx: &mut BuildCtx) -> Result<usize, KindError> {
        let n = target_units(ctx)?;
        let v = p.value.expand(n, "value")?;
        ctx.insert((CurrentSource::Constant, Outputs(v)));
        Ok(n)
    }

    fn add_systems(_: &mut StepSchedule) {}
}

/// `arrays` arrays of one value per unit of the target.
fn target_footprint(ctx: &BuildCtx, arrays: usize) -> Footprint {
    let n = ctx.post().map_or(0, |p| p.n_units);
    Footprint::units("target", n, arrays)
}

fn target_units(ctx: &BuildCtx) -> Result<usize, KindError> {
    ctx.post()
        .map(|p| p.n_units)
        .ok_or_else(|| KindError::Other("a current source needs a `target`".into()))
}

/// Parameters of `"Step"`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepParams {
    /// Time the step switches on (ms; compared with the step's start time k·dt).
    pub onset: f64,
    /// Time it switches off (ms); `None` = never.
    #[serde(default)]
    pub offset: Option<f64>,
    /// Current while on (per unit or scalar).
    pub amplitude: Values,
    /// Current while off (per unit or scalar).
    #[serde(default = "d_zero")]
    pub baseline: Values,
}

fn d_zero() -> Values {
    Values::Scalar(0.0)
}

/// `"Step"` — `baseline`, then `amplitude` from `onset` to `offset`.
pub struct Step;

impl Kind for Step {
    const NAME: &'static str = "Step";
    const ROLE: Role = Role::Current;
    const DOC: &'static str = "step current source";
    const COMPARTMENTS: &'static [&'static str] = &["outputs"];
    type Params = StepParams;
    const PARAMS_SOURCE: Option<(&'static str, &'static str)> =
        Some((include_str!("currents.rs"), "StepParams"));

    fn footprint(_: &StepParams, ctx: &BuildCtx) -> Footprint {
        target_footprint(ctx, 3)
    }

    fn validate(p: &StepParams) -> Result<(), KindError> {
        if !p.onset.is_finite() {
            return Err(KindError::invalid(
                "onset",
                format!("a finite time (ms), found {}", p.onset),
            ));
        }
        if let Some(off) = p.offset
            && !(off.is_finite() && off >= p.onset)
        {
            return Err(KindError::invalid(
                "offset",
                format!("a finite time ≥ onset (ms), found {off}"),
            ));
        }
        Ok(())
    }

    fn spawn(p: &StepParams, ctx: &mut BuildCtx) -> Result<usize, KindError> {
        let n = target_units(ctx)?;
        let amplitude = p.amplitude.expand(n, "amplitude")?;
        let baseline = p.baseline.expand(n, "baseline")?;
        let out = Outputs(baseline.clone());
        ctx.insert((
            CurrentSource::Step {
                onset: p.onset,
                offset: p.offset,
                baseline,
                amplitude,
            },
            out,
        ));
        Ok(n)
    }

    fn add_systems(s: &mut StepSchedule) {
        s.add(Phase::Input, current_system);
    }
}

/// Parameters of `"Replay"`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplayParams {
    /// A `.csv` (optional header; a first column named `step` is dropped) or `.npy` file of
    /// steps × units; row k is clamped at step k. Relative to the config's directory.
    pub file: String,
    /// What happens after the last row.
    #[serde(default)]
    pub after_end: AfterEnd,
}

/// `"Replay"` — replays a recorded table of currents, one row per step.
pub struct Replay;

impl Kind for Replay {
    const NAME: &'static str = "Replay";
    const ROLE: Role = Role::Current;
    const DOC: &'static str = "replays a steps × units table (.csv or .npy) as current";
    const COMPARTMENTS: &'static [&'static str] = &["outputs"];
    type Params = ReplayParams;
    const PARAMS_SOURCE: Option<(&'static str, &'static str)> =
        Some((include_str!("currents.rs"), "ReplayParams"));

    fn footprint(p: &ReplayParams, ctx: &BuildCtx) -> Footprint {
        // the text read and the table parsed from it: at most about twice the file's size
        let bytes = std::fs::metadata(ctx.base_dir().join(&p.file)).map_or(0, |m| m.len());
        Footprint::values("file", bytes, 2, 1)
            .plus(target_footprint(ctx, 1).bytes)
            .described(format!("the table of `{}` ({bytes} bytes)", p.file))
    }

    fn validate(_: &ReplayParams) -> Result<(), KindError> {
        Ok(())
    }

    fn spawn(p: &ReplayParams, ctx: &mut BuildCtx) -> Result<usize, KindError> {
        let n = target_units(ctx)?;
        let path = ctx.base_dir().join(&p.file);
        let table = read_table(&path).map_err(|e| KindError::invalid("file", e))?;
        if table.ncols() != n {
            let target = ctx.post().map(|p| p.name.clone()).unwrap_or_default();
            return Err(KindError::invalid(
                "file",
                format!(
                    "{} columns (one per unit of `{target}`), but {} has {}",
                    n,
                    path.display(),
                    table.ncols()
                ),
            ));
        }
        let rows = table.nrows();
        let data = table.iter().copied().collect();
        ctx.insert((
            CurrentSource::Replay {
                data,
                rows,
                after_end: p.after_end,
            },
            Outputs(vec![0.0; n]),
        ));
        Ok(n)
    }

    fn add_systems(s: &mut StepSchedule) {
        s.add(Phase::Input, current_system);
    }
}

/// Reads a steps × units table from `.npy` (float32 or float64) or `.csv`; every value must be
/// finite (a NaN or infinite current would make every state it reaches NaN).
pub fn read_table(path: &Path) -> Result<Array2<Real>, String> {
    let is_npy = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("npy"));
    let table = if is_npy {
        use ndarray_npy::ReadNpyExt;
        let npy_error = |e: String| format!("a 2-D float .npy file at {}: {e}", path.display());
        let bytes = std::fs::read(path).map_err(|e| npy_error(e.to_string()))?;
        crate::persist::npy::check_plain_header(&bytes).map_err(npy_error)?;
        match Array2::<f64>::read_npy(bytes.as_slice()) {
            Ok(a) => a.mapv(|x| x as Real),
            Err(_) => Array2::<f32>::read_npy(bytes.as_slice())
                .map(|a| a.mapv(Real::from))
                .map_err(|e| npy_error(e.to_string()))?,
        }
    } else {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("a readable .csv or .npy file at {}: {e}", path.display()))?;
        parse_csv(&text).map_err(|e| {
            format!(
                "a numeric steps × units table in the data file {}: {e}",
                path.display()
            )
        })?
    };
    match table.indexed_iter().find(|(_, x)| !x.is_finite()) {
        Some(((row, col), x)) => Err(format!(
            "finite numbers in the data file {}: row {} (step {row}), column {} is {x}",
            path.display(),
            row + 1,
            col + 1
        )),
        None => Ok(table),
    }
}

/// `cell` for messages: at most 24 characters, `…` marking a cut.
fn quoted_cell(cell: &str) -> String {
    match cell.char_indices().nth(24) {
        Some((end, _)) => format!("{}…", &cell[..end]),
        None => cell.to_string(),
    }
}

/// Parses a CSV table of numbers: an optional header line, and a first column named `step`
/// (as in the ngclearn reference traces) is dropped.
pub fn parse_csv(text: &str) -> Result<Array2<Real>, String> {
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .peekable();
    let mut drop_first = false;
    if let Some((_, first)) = lines.peek() {
        let cells: Vec<&str> = first.split(',').map(str::trim).collect();
        if cells.iter().any(|c| c.parse::<f64>().is_err()) {
            drop_first = cells
                .first()
                .is_some_and(|c| c.eq_ignore_ascii_case("step"));
            lines.next();
        }
    }
    let mut data = Vec::new();
    let mut ncols = None;
    for (i, line) in lines {
        let cells: Vec<&str> = line
            .split(',')
            .map(str::trim)
            .skip(usize::from(drop_first))
            .collect();
        if *ncols.get_or_insert(cells.len()) != cells.len() {
            return Err(format!(
                "line {} has {} columns, earlier lines have {}",
                i + 1,
                cells.len(),
                ncols.unwrap_or(0)
            ));
        }
        for (c, cell) in cells.iter().enumerate() {
            let x: f64 = cell.parse().map_err(|_| {
                format!(
                    "line {}, column {}: `{}` is not a number",
                    i + 1,
                    c + 1 + usize::from(drop_first),
                    quoted_cell(cell)
                )
            })?;
            data.push(x as Real);
        }
    }
    let ncols = ncols.unwrap_or(0);
    let nrows = data.len().checked_div(ncols).unwrap_or(0);
    Array2::from_shape_vec((nrows, ncols), data).map_err(|e| e.to_string())
}
