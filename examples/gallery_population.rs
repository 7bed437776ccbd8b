//! Gallery: why do 100 neurons represent a sine and 1 does not? — accuracy vs population size.
//!
//! Runs `configs/gallery_population.ron` (a 1 Hz sine into NEF ensembles of 1, 2, 10, 100 and
//! 1000 LIF neurons, each probed `decoded` through a Lowpass(10 ms)) once per seed, and
//! computes each ensemble's decoding RMSE against the ideal signal: the node's recorded output
//! through the same chain the decoded path has (Nengo's delay rule, README of
//! `tests/refs/nengo/README.md` §f) — the connection's Lowpass(5 ms) plus one step of delay, then the
//! probe's Lowpass(10 ms) plus one step of delay:
//!
//! ```text
//! ideal = delay(LP_10(delay(LP_5(u))))
//! ```
//!
//! The RMSE is taken over the whole run (no transient skipped: the ideal starts from the same
//! zero state as the model's synapses) and averaged over the seeds 1..=5 (the config's own
//! seed is overridden before each build); the table gives the mean, the spread over the seeds
//! and the mean RMSE relative to the sine's RMS (1/√2). It writes
//! `runs/gallery_population/rmse.{svg,png}` (mean RMSE vs N, log-log, with a 1/√N guide
//! through N = 1000) and `decoded.{svg,png}` (each ensemble's decoded output of the first seed
//! and the ideal, over time).
//!
//! `cargo run --release --example gallery_population`

// `Real` is `f32` or `f64`: a conversion between `Real` and `f64` is needed in the default
// build and is the identity in the `f64` one. A cast that is useless in both builds is still
// caught by the default build's clippy.
#![cfg_attr(
    feature = "f64",
    allow(clippy::unnecessary_cast, clippy::useless_conversion)
)]

use std::path::{Path, PathBuf};

use cortecs::config::Source;
use cortecs::plot::{LineChart, Series};
use cortecs::{Error, Model, Registry};
use ndarray::Array2;

/// The ensembles of the config, by name, with their neuron counts, smallest first.
pub const ENSEMBLES: [(&str, usize); 5] = [
    ("N1", 1),
    ("N2", 2),
    ("N10", 10),
    ("N100", 100),
    ("N1000", 1000),
];

/// Time constant of every stimulus → ensemble connection (Nengo's default synapse), ms.
const TAU_CONNECTION: f64 = 5.0;
/// Time constant of every decoded probe's lowpass, ms.
const TAU_PROBE: f64 = 10.0;

/// `configs/gallery_population.ron`.
pub fn config_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("configs/gallery_population.ron")
}

/// Accuracy of one population size over the seeds.
#[derive(Clone, Debug)]
pub struct Row {
    /// Neurons in the ensemble.
    pub n_neurons: usize,
    /// RMSE of the decoded probe against the ideal signal, one per seed (same order as
    /// [`Report::seeds`]).
    pub rmse: Vec<f64>,
    /// Mean of `rmse` over the seeds.
    pub mean: f64,
    /// Mean RMSE divided by the RMS of the ideal signal (≈ 1/√2 for the unit sine; the ideal
    /// is used so that the small amplitude loss of the filters counts as signal, not error).
    pub relative: f64,
}

/// What [`accuracy`] computes.
#[derive(Clone, Debug)]
pub struct Report {
    /// The seeds the config was built with.
    pub seeds: Vec<u64>,
    /// dt of the run, ms.
    pub dt: f64,
    /// RMS of the ideal signal over the run.
    pub ideal_rms: f64,
    /// One row per ensemble, in [`ENSEMBLES`] order.
    pub rows: Vec<Row>,
    /// The node's output of the first seed (steps; the same for every seed).
    pub stim: Vec<f64>,
    /// The ideal signal of the first seed (steps).
    pub ideal: Vec<f64>,
    /// Each ensemble's decoded probe of the first seed (steps), in [`ENSEMBLES`] order.
    pub decoded: Vec<Vec<f64>>,
}

/// Lowpass with time constant `tau` (ms) at `dt` (ms) followed by one step of delay, per
/// column: `y[k] = s[k−1]`, `s[k] = a·s[k−1] + (1−a)·u[k]`, `a = e^(−dt/τ)`, `s[−1] = 0` —
/// a Nengo synapse on a signal.
pub fn delayed_lowpass(u: &Array2<f64>, tau: f64, dt: f64) -> Array2<f64> {
    let a = (-dt / tau).exp();
    let mut y = Array2::zeros(u.dim());
    let mut state = vec![0.0; u.ncols()];
    for k in 0..u.nrows() {
        for (j, s) in state.iter_mut().enumerate() {
            if k > 0 {
                y[[k, j]] = *s;
            }
            *s = a * *s + (1.0 - a) * u[[k, j]];
        }
    }
    y
}

/// Builds `configs/gallery_population.ron` with its seed replaced by `seed`.
pub fn build(seed: u64) -> Result<Model, Error> {
    let path = config_path();
    let text = std::fs::read_to_string(&path)
        .map_err(|e| Error::Build(format!("{}: {e}", path.display())))?;
    let src = Source::new(&text, &path).with_seed(seed);
    Model::from_source(&src, &Registry::with_builtins())
}

/// Runs the config once per seed and returns each ensemble's decoding RMSE (whole run,
/// against `delay(LP_10(delay(LP_5(stim))))`), their means and the mean relative to the
/// ideal's RMS.
pub fn accuracy(seeds: &[u64]) -> Result<Report, Error> {
    assert!(!seeds.is_empty(), "at least one seed");
    let mut per_seed = vec![Vec::with_capacity(seeds.len()); ENSEMBLES.len()];
    let (mut dt, mut ideal_rms) = (1.0, 0.0);
    let (mut stim_first, mut ideal_first, mut decoded_first) = (Vec::new(), Vec::new(), Vec::new());
    for (i, &seed) in seeds.iter().enumerate() {
        let mut model = build(seed)?;
        let steps = model.config().run.steps;
        dt = model.config().dt;
        model.run_steps(steps)?;
        let u = model.probe("stim", "output")?.mapv(f64::from);
        let ideal = delayed_lowpass(&delayed_lowpass(&u, TAU_CONNECTION, dt), TAU_PROBE, dt);
        ideal_rms = (ideal.mapv(|x| x * x).sum() / ideal.len() as f64).sqrt();
        for (j, (name, _)) in ENSEMBLES.iter().enumerate() {
            let decoded = model.probe(name, "decoded")?;
            let e = cortecs::analysis::rmse(decoded.view(), ideal.view())
                .map_err(|e| Error::Build(format!("{name}: {e}")))?;
            per_seed[j].push(e);
            if i == 0 {
                decoded_first.push(decoded.iter().map(|&x| f64::from(x)).collect());
            }
        }
        if i == 0 {
            stim_first = u.column(0).to_vec();
            ideal_first = ideal.column(0).to_vec();
        }
    }
    let rows = ENSEMBLES
        .iter()
        .zip(per_seed)
        .map(|(&(_, n_neurons), rmse)| {
            let mean = rmse.iter().sum::<f64>() / rmse.len() as f64;
            Row {
                n_neurons,
                rmse,
                mean,
                relative: mean / ideal_rms,
            }
        })
        .collect();
    Ok(Report {
        seeds: seeds.to_vec(),
        dt,
        ideal_rms,
        rows,
        stim: stim_first,
        ideal: ideal_first,
        decoded: decoded_first,
    })
}

fn main() -> Result<(), Error> {
    let seeds: Vec<u64> = (1..=5).collect();
    let report = accuracy(&seeds)?;
    println!(
        "decoding RMSE against the ideal (stim through LP 5 ms + LP 10 ms and their delays), \
         whole 1 s run, {} seeds; ideal RMS {:.4}",
        seeds.len(),
        report.ideal_rms
    );
    println!("  neurons   mean RMSE   min – max         RMSE / RMS(ideal)");
    for r in &report.rows {
        let min = r.rmse.iter().copied().fold(f64::INFINITY, f64::min);
        let max = r.rmse.iter().copied().fold(0.0, f64::max);
        println!(
            "  {:7}   {:9.4}   {:.4} – {:.4}   {:8.1} %",
            r.n_neurons,
            r.mean,
            min,
            max,
            100.0 * r.relative
        );
    }

    let out = Path::new("runs/gallery_population");
    std::fs::create_dir_all(out).map_err(|e| Error::Build(format!("{}: {e}", out.display())))?;
    let write = |stem: &str, chart: &LineChart| -> Result<(), Error> {
        let [svg, png] = chart
            .save(&out.join(stem))
            .map_err(|e| Error::Build(e.to_string()))?;
        println!("wrote {} and {}", svg.display(), png.display());
        Ok(())
    };

    let ns: Vec<f64> = report.rows.iter().map(|r| r.n_neurons as f64).collect();
    let last = report.rows.last().expect("five ensembles");
    let guide = |n: f64| last.mean * (last.n_neurons as f64 / n).sqrt();
    let rmse_chart = LineChart {
        title: format!(
            "decoding error vs population size (1 Hz sine, mean of {} seeds)",
            seeds.len()
        ),
        x_label: "neurons N".into(),
        y_label: "RMSE".into(),
        series: vec![
            Series {
                name: "RMSE".into(),
                xs: ns.clone(),
                ys: report.rows.iter().map(|r| r.mean).collect(),
            },
            Series {
                name: "∝ 1/√N".into(),
                xs: ns.clone(),
                ys: ns.iter().map(|&n| guide(n)).collect(),
            },
        ],
        log_x: true,
        log_y: true,
    };
    write("rmse", &rmse_chart)?;

    let t: Vec<f64> = (0..report.ideal.len())
        .map(|k| (k + 1) as f64 * report.dt)
        .collect();
    // The ideal last, so that it is drawn on top of the ensembles that follow it closely.
    let mut series: Vec<Series> = report
        .rows
        .iter()
        .zip(&report.decoded)
        .map(|(r, d)| Series {
            name: format!("N = {}", r.n_neurons),
            xs: t.clone(),
            ys: d.clone(),
        })
        .collect();
    series.push(Series {
        name: "ideal".into(),
        xs: t.clone(),
        ys: report.ideal.clone(),
    });
    let decoded_chart = LineChart {
        title: format!("decoded sine by population size (seed {})", seeds[0]),
        x_label: "time (ms)".into(),
        y_label: "decoded value".into(),
        series,
        log_x: false,
        log_y: false,
    };
    write("decoded", &decoded_chart)?;
    Ok(())
}
