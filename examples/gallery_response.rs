//! Gallery: how does input current map to firing rate — analytic against simulated at dt 1 ms
//! and 0.1 ms — and why does a precise-timing LIF match the analytic curve where a
//! grid-aligned LIF does not?
//!
//! `configs/gallery_response.ron` drives 51 neurons per population with constant currents
//! J = 0, 0.2, …, 10 (dimensionless, threshold 1, τ_rc = 20 ms, τ_ref = 2 ms, reset 0, v(0) = 0).
//! Between spikes both integrate `τ_rc·dv/dt = J − v` exactly, so from the reset the voltage
//! reaches threshold after
//!
//! ```text
//! t_isi(J) = τ_rc·ln(1 + 1/(J − 1))      (J > 1; never for J ≤ 1)
//! r(J)     = 1 / (τ_ref + t_isi(J))      (the analytic rate; 0 for J ≤ 1)
//! ```
//!
//! - **`precise`** is Nengo's LIF: it interpolates the crossing time inside the step,
//!   `t_spike = dt + τ_rc·log1p(−(v − 1)/(J − 1))`, and carries the rest of the step into the
//!   refractory period (`refractory_time = τ_ref + t_spike`), so the refractory period ends
//!   exactly τ_ref after the crossing and the first free step integrates only its remaining
//!   fraction. Every ISI is exactly `1/r(J)` at any dt; only the *recorded* spike is rounded to
//!   the step it fell in, which moves a spike time by less than one step and never accumulates.
//! - **`grid`** is the Brian2/NEST-style `IAF`: the same exact subthreshold update, but it can
//!   only spike at the end of a step, and its refractory period is counted in whole steps. After
//!   a spike at step n (reset to 0 at the end of step n) it is frozen on steps n+1 … n+R−1,
//!   R = τ_ref/dt (Brian2's `t − t_spike ≥ τ_ref`, with the spike stamped at the *start* of its
//!   step), and integrates again from step n+R; it then needs the first whole number of steps
//!   k with k·dt > t_isi. Its ISI is therefore a whole number of steps,
//!
//!   ```text
//!   ISI_grid = (R − 1 + k)·dt,   k = ⌊t_isi/dt⌋ + 1   ⇒   1/r(J) − dt < ISI_grid ≤ 1/r(J)
//!   ```
//!
//!   the climb rounded *up* to whole steps (+0 … dt) plus a dead time one step *shorter* than
//!   τ_ref (−dt). Its rate takes only the values 1/(m·dt) — a staircase (250, 200, 166.7 Hz …
//!   at dt 1 ms) that touches r(J) from above, with a relative error below `r·dt/(1 − r·dt)`:
//!   32 % at 243 Hz with dt 1 ms (24.8 % seen, at J = 7.2), 2.5 % with dt 0.1 ms (1.8 % seen).
//!   (A grid neuron whose dead time is
//!   a full R steps from the spike step would sit *below* r(J) by the same staircase; the sign
//!   depends on the refractory convention, the quantization does not.)
//!
//! The rate of each neuron is measured as 1/mean ISI, `1000·(n − 1)/((k_n − k_1)·dt)` Hz from
//! its first and last spike steps k_1, k_n (0 with fewer than 2 spikes): for the precise LIF
//! this is within `dt/(n − 1)` ms of the exact ISI, so the measured curve is r(J) to about
//! dt/T (0.05 % at dt 1 ms over T = 2 s), while a count over T would be off by up to one
//! partial ISI (|count − T·r| ≤ 1, i.e. up to 2 % at 25 Hz). Counts are in the [`Report`] too.
//!
//! `cargo run --release --example gallery_response` prints the table and the worst relative
//! error of each curve and writes `runs/gallery_response/response.{svg,png}` (rate against J) and
//! `runs/gallery_response/error.{svg,png}` (relative error against J).

use std::path::{Path, PathBuf};

use cortecs::components::neurons::nef::neuron_type::NeuronType;
use cortecs::components::neurons::spiking::IafParams;
use cortecs::config::Source;
use cortecs::plot::{LineChart, Series};
use cortecs::{Error, Model, Real, Registry};

/// The config of this gallery entry.
pub fn config_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("configs/gallery_response.ron")
}

/// The analytic LIF rate (Hz) for input current `j` (dimensionless, threshold 1), with `tau_rc`
/// and `tau_ref` in ms: `1000 / (τ_ref + τ_rc·ln(1 + 1/(J − 1)))` for J > 1, else 0.
pub fn analytic_rate(j: f64, tau_rc: f64, tau_ref: f64) -> f64 {
    if j <= 1.0 {
        0.0
    } else {
        1000.0 / (tau_ref + tau_rc * (1.0 / (j - 1.0)).ln_1p())
    }
}

/// One population's spike trains at one dt.
#[derive(Clone, Debug)]
pub struct Trains {
    /// Per neuron, the steps in which it spiked, 1-based: step k ends at t = k·dt (probe row
    /// k − 1).
    pub spike_steps: Vec<Vec<usize>>,
    /// Per neuron, the rate from the mean ISI (Hz): `1000·(n − 1)/((k_n − k_1)·dt)`, 0 with
    /// fewer than 2 spikes.
    pub rate_hz: Vec<f64>,
}

impl Trains {
    fn from_probe(probe: &ndarray::Array2<Real>, dt: f64) -> Self {
        let spike_steps: Vec<Vec<usize>> = probe
            .columns()
            .into_iter()
            .map(|col| {
                col.iter()
                    .enumerate()
                    .filter(|(_, s)| **s > 0.0)
                    .map(|(row, _)| row + 1)
                    .collect()
            })
            .collect();
        let rate_hz = spike_steps
            .iter()
            .map(|k| match (k.first(), k.last()) {
                (Some(&first), Some(&last)) if k.len() >= 2 => {
                    1000.0 * (k.len() - 1) as f64 / ((last - first) as f64 * dt)
                }
                _ => 0.0,
            })
            .collect();
        Self {
            spike_steps,
            rate_hz,
        }
    }

    /// Spikes per neuron over the whole run.
    pub fn counts(&self) -> Vec<usize> {
        self.spike_steps.iter().map(Vec::len).collect()
    }
}

/// Both populations run at one dt.
#[derive(Clone, Debug)]
pub struct Run {
    /// Step (ms).
    pub dt: f64,
    /// Steps simulated (T/dt).
    pub steps: usize,
    /// Nengo's precise-timing LIF (`precise`).
    pub precise: Trains,
    /// The grid-aligned IAF (`grid`).
    pub grid: Trains,
}

/// The numbers of this gallery entry.
#[derive(Clone, Debug)]
pub struct Report {
    /// Input current per neuron (dimensionless; read from the built `precise` ensemble).
    pub j: Vec<f64>,
    /// τ_rc (ms).
    pub tau_rc: f64,
    /// τ_ref (ms).
    pub tau_ref: f64,
    /// Simulated time T (ms).
    pub t_ms: f64,
    /// r(J) per neuron (Hz).
    pub analytic_hz: Vec<f64>,
    /// One run per dt, in the order asked for.
    pub runs: Vec<Run>,
}

/// The worst relative error `|rate − r|/r` over the neurons with r(J) > 0, and its neuron.
pub fn worst_relative(rates: &[f64], analytic: &[f64]) -> (f64, usize) {
    rates
        .iter()
        .zip(analytic)
        .enumerate()
        .filter(|(_, (_, r))| **r > 0.0)
        .map(|(i, (x, r))| ((x - r).abs() / r, i))
        .fold((0.0, 0), |a, b| if b.0 > a.0 { b } else { a })
}

/// The config at `path` with its dt replaced by `dt_ms`, built.
fn build_at(path: &Path, dt_ms: f64) -> Result<Model, Error> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::Build(format!("{}: {e}", path.display())))?;
    let src = Source::new(&text, path).with_dt(dt_ms);
    Model::from_source(&src, &Registry::with_builtins())
}

/// J, τ_rc and τ_ref of `precise`, after checking that `grid` is the same neuron (τ_m = τ_rc,
/// refract_time = τ_ref, v_rest = v_reset = 0, v_thr = 1, R = 1, driven by the same J).
fn neuron_parameters(model: &Model) -> Result<(Vec<f64>, f64, f64), Error> {
    let ens = model.ensemble("precise")?;
    let NeuronType::LIF {
        tau_rc, tau_ref, ..
    } = ens.neuron_type
    else {
        return Err(Error::Build("`precise` must be a LIF ensemble".into()));
    };
    if ens.gain.iter().any(|&g| g != 1.0) {
        return Err(Error::Build("`precise` must have gain 1 (J = bias)".into()));
    }
    let j = ens.bias.clone();
    let entity = model.info("grid")?.entity;
    let p = model
        .world()
        .get::<IafParams>(entity)
        .ok_or_else(|| Error::Build("`grid` must be an IAF population".into()))?;
    let same = p.tau_m == tau_rc
        && p.refract_time == tau_ref
        && p.v_rest == 0.0
        && p.v_reset == 0.0
        && p.v_thr == 1.0
        && p.resistance == 1.0
        && p.n_units == j.len();
    if !same {
        return Err(Error::Build(format!(
            "`grid` must be the same neuron as `precise`: {p:?}"
        )));
    }
    let drive = model.array("drive", "outputs")?;
    if drive.iter().zip(&j).any(|(&d, &j)| d != j as Real) || drive.len() != j.len() {
        return Err(Error::Build(
            "`drive` must give `grid` the same J as `precise`'s bias".into(),
        ));
    }
    Ok((j, tau_rc, tau_ref))
}

/// Runs the config at `path` for `t_ms` at each step size in `dts_ms` and measures every
/// neuron's rate in both populations.
pub fn response_curves(path: &Path, t_ms: f64, dts_ms: &[f64]) -> Result<Report, Error> {
    let mut params = None;
    let mut runs = Vec::new();
    for &dt in dts_ms {
        let mut model = build_at(path, dt)?;
        let p = neuron_parameters(&model)?;
        let steps = (t_ms / dt).round() as usize;
        model.run_steps(steps as u64)?;
        runs.push(Run {
            dt,
            steps,
            precise: Trains::from_probe(&model.probe("precise", "output")?, dt),
            grid: Trains::from_probe(&model.probe("grid", "s")?, dt),
        });
        params = Some(p);
    }
    let (j, tau_rc, tau_ref) = params.ok_or_else(|| Error::Build("no dt given".into()))?;
    let analytic_hz = j
        .iter()
        .map(|&j| analytic_rate(j, tau_rc, tau_ref))
        .collect();
    Ok(Report {
        j,
        tau_rc,
        tau_ref,
        t_ms,
        analytic_hz,
        runs,
    })
}

/// Every curve of the report, named: `(name, rates)`.
fn curves(report: &Report) -> Vec<(String, &[f64])> {
    let mut out = Vec::new();
    for which in ["precise", "grid"] {
        for run in &report.runs {
            let t = if which == "precise" {
                &run.precise
            } else {
                &run.grid
            };
            out.push((format!("{which} dt={}", run.dt), t.rate_hz.as_slice()));
        }
    }
    out
}

fn main() -> Result<(), Error> {
    let report = response_curves(&config_path(), 2000.0, &[1.0, 0.1])?;
    let curves = curves(&report);

    println!(
        "rate (Hz, 1/mean ISI) against input current J; T = {} ms, τ_rc = {} ms, τ_ref = {} ms",
        report.t_ms, report.tau_rc, report.tau_ref
    );
    print!("{:>5} {:>9}", "J", "analytic");
    for (name, _) in &curves {
        print!(" {name:>16}");
    }
    println!();
    for (i, j) in report.j.iter().enumerate() {
        print!("{j:>5.1} {:>9.2}", report.analytic_hz[i]);
        for (_, rates) in &curves {
            print!(" {:>16.2}", rates[i]);
        }
        println!();
    }
    println!("worst relative error against r(J), over J > 1:");
    for (name, rates) in &curves {
        let (e, i) = worst_relative(rates, &report.analytic_hz);
        let silent = rates
            .iter()
            .zip(&report.analytic_hz)
            .all(|(x, r)| *r > 0.0 || *x == 0.0);
        println!(
            "  {name:<16} {:>8.4} %  (J = {:.1}: {:.2} vs {:.2} Hz); silent for J ≤ 1: {silent}",
            100.0 * e,
            report.j[i],
            rates[i],
            report.analytic_hz[i]
        );
    }

    // the analytic curve on a fine grid, and every simulated curve
    let (j_max, n_fine) = (report.j.iter().cloned().fold(0.0, f64::max), 1000);
    let fine: Vec<f64> = (0..=n_fine)
        .map(|k| j_max * k as f64 / n_fine as f64)
        .collect();
    let mut series = vec![Series {
        name: "analytic r(J)".into(),
        ys: fine
            .iter()
            .map(|&j| analytic_rate(j, report.tau_rc, report.tau_ref))
            .collect(),
        xs: fine,
    }];
    series.extend(curves.iter().map(|(name, rates)| Series {
        name: name.clone(),
        xs: report.j.clone(),
        ys: rates.to_vec(),
    }));
    let response = LineChart {
        title: "LIF response curve: analytic vs simulated".into(),
        x_label: "input current J".into(),
        y_label: "rate (Hz)".into(),
        series,
        ..LineChart::default()
    };
    let firing: Vec<usize> = (0..report.j.len())
        .filter(|&i| report.analytic_hz[i] > 0.0)
        .collect();
    let mut errors = vec![Series {
        // the zero line, and the same colours as the response chart
        name: "analytic r(J)".into(),
        xs: vec![0.0, j_max],
        ys: vec![0.0, 0.0],
    }];
    errors.extend(curves.iter().map(|(name, rates)| {
        Series {
            name: name.clone(),
            xs: firing.iter().map(|&i| report.j[i]).collect(),
            ys: firing
                .iter()
                .map(|&i| 100.0 * (rates[i] / report.analytic_hz[i] - 1.0))
                .collect(),
        }
    }));
    let error = LineChart {
        title: "relative rate error (rate / r(J) − 1)".into(),
        x_label: "input current J".into(),
        y_label: "relative error (%)".into(),
        series: errors,
        ..LineChart::default()
    };
    let dir = Path::new("runs/gallery_response");
    std::fs::create_dir_all(dir).map_err(|e| Error::Build(format!("{}: {e}", dir.display())))?;
    for (stem, chart) in [("response", &response), ("error", &error)] {
        let [svg, png] = chart
            .save(&dir.join(stem))
            .map_err(|e| Error::Build(e.to_string()))?;
        println!("wrote {} and {}", svg.display(), png.display());
    }
    Ok(())
}
