//! Population-size benchmarks (`cortecs bench`): how the cost of a step grows with the number
//! of neurons, for any cell kind, with or without recurrent synapses, at several thread counts.
//!
//! Each row builds a one-population model through the ordinary config path (with a constant
//! drive and a spread of initial voltages for kinds that do not fire on their own, so that
//! their cells fire asynchronously at tens of Hz and synapses deliver events), runs `warmup`
//! steps, then times `steps` steps (wall clock, `Model::run_steps`). Spikes are counted after
//! the timed run over `steps.min(200)` more steps, so that counting does not slow the timed
//! steps; synaptic events per second are that spike rate × the mean fan-out × steps per second.
//! Memory is what the model holds: every array of every entity (state, weights, connectivity),
//! plus the process's peak resident set as the OS reports it (Linux only).

pub mod cuba;

use std::fmt::Write as _;
use std::time::Instant;

use crate::components::compartment::Spikes;
use crate::components::synapses::sparse::SparseSynapse;
use crate::config::Source;
use crate::error::Error;
use crate::model::Model;
use crate::plot::{LineChart, Series};
use crate::registry::Registry;

/// Synapses added to the benchmarked population.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum BenchSynapses {
    /// None: the cells alone (driven by their own dynamics or a constant input).
    None,
    /// A recurrent `Sparse` projection with this mean fan-out (`p = fan_out/N`).
    Sparse {
        /// Mean targets per neuron.
        fan_out: usize,
    },
    /// A recurrent `Dense` (all-to-all) projection.
    Dense,
}

impl std::fmt::Display for BenchSynapses {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BenchSynapses::None => write!(f, "no synapses"),
            BenchSynapses::Sparse { fan_out } => write!(f, "sparse synapses, fan-out {fan_out}"),
            BenchSynapses::Dense => write!(f, "dense synapses"),
        }
    }
}

/// One benchmark configuration.
///
/// ```
/// use cortecs::bench::{BenchSpec, BenchSynapses};
///
/// let mut spec = BenchSpec::new("LIF"); // defaults: dt 0.1 ms, 1000 timed steps
/// spec.synapses = BenchSynapses::Sparse { fan_out: 10 };
/// let text = spec.config(500); // the model config for 500 neurons
/// assert!(text.contains(r#"kind: "LIF""#) && text.contains("n_units: 500, tau_m: 20.0"));
/// assert!(text.contains("p_conn: 0.02")); // fan-out 10 of 500
/// assert!(text.contains(r#"kind: "Constant", target: "P", params: (value: 14"#)); // drive
/// ```
#[derive(Clone, Debug)]
pub struct BenchSpec {
    /// The cell kind (`"IAF"`, `"LIF"`, `"Izhikevich"` …).
    pub kind: String,
    /// Extra parameters of the kind besides `n_units`, as RON fields (`"tau_m: 20.0"`).
    pub params: String,
    /// Step (ms).
    pub dt: f64,
    /// Steps timed per size.
    pub steps: u64,
    /// Steps run before timing.
    pub warmup: u64,
    /// Synapses.
    pub synapses: BenchSynapses,
    /// Recurrent weight (units of the cell's `j`).
    pub weight: f64,
    /// A constant input current to every cell (units of its `j`), for kinds that are silent
    /// without input; `None`: no input.
    pub drive: Option<f64>,
    /// Initial `v` of each cell drawn uniformly from this range (mV), so that driven cells do
    /// not all fire on the same step; `None`: the kind's own initial state.
    pub initial_v: Option<(f64, f64)>,
}

impl BenchSpec {
    /// Defaults for a cell kind, dt 0.1 ms, 1000 timed steps. IAF (CUBA's neuron) fires on
    /// its own; LIF gets τ_m = 20 ms, no threshold adaptation, a drive of 14 (v∞ = −51 mV,
    /// above its −52 mV threshold: about 20 Hz) and initial voltages spread over
    /// [v_reset, thr) = [−60, −52) mV.
    pub fn new(kind: &str) -> Self {
        let (params, drive, initial_v) = match kind {
            "LIF" => (
                "tau_m: 20.0, theta_plus: 0.0",
                Some(14.0),
                Some((-60.0, -52.0)),
            ),
            "QuadLIF" | "SLIF" => ("tau_m: 20.0", None, None),
            _ => ("", None, None),
        };
        Self {
            kind: kind.to_string(),
            params: params.to_string(),
            dt: 0.1,
            steps: 1000,
            warmup: 20,
            synapses: BenchSynapses::None,
            weight: 0.1,
            drive,
            initial_v,
        }
    }

    /// The model config for `n` neurons.
    pub fn config(&self, n: usize) -> String {
        let extra = if self.params.is_empty() {
            String::new()
        } else {
            format!(", {}", self.params)
        };
        let synapses = match self.synapses {
            BenchSynapses::None => String::new(),
            BenchSynapses::Sparse { fan_out } => format!(
                r#"(name: "W", kind: "Sparse", pre: "P", post: "P",
                    params: (p_conn: {}, weight: {}, tau_syn: 5.0))"#,
                (fan_out as f64 / n as f64).min(1.0),
                self.weight
            ),
            BenchSynapses::Dense => format!(
                r#"(name: "W", kind: "Dense", pre: "P", post: "P",
                    params: (weight_init: Constant(value: {})))"#,
                self.weight / n as f64
            ),
        };
        let inputs = self.drive.map_or(String::new(), |j| {
            format!(r#"(name: "drive", kind: "Constant", target: "P", params: (value: {j:?}))"#)
        });
        format!(
            r#"Model(dt: {}, seed: 1,
                cells: [(name: "P", kind: "{}", params: (n_units: {n}{extra}))],
                inputs: [{inputs}],
                synapses: [{synapses}])"#,
            self.dt, self.kind
        )
    }
}

/// One measured row.
#[derive(Clone, Debug, PartialEq)]
pub struct BenchRow {
    /// Neurons.
    pub neurons: usize,
    /// Threads of the model's pool.
    pub threads: usize,
    /// Steps per second of wall time.
    pub steps_per_s: f64,
    /// Neuron updates per second.
    pub neuron_updates_per_s: f64,
    /// Nanoseconds per neuron and step.
    pub ns_per_neuron_step: f64,
    /// Spikes per step (measured after the timed steps).
    pub spikes_per_step: f64,
    /// Synaptic events per second (spikes × mean fan-out × steps/s).
    pub syn_events_per_s: f64,
    /// Synapses in the model.
    pub synapses: usize,
    /// Bytes of model state and connectivity per neuron.
    pub bytes_per_neuron: f64,
    /// Peak resident set of the process so far (bytes; 0 where the OS does not say).
    pub peak_rss: u64,
    /// Seconds to build the model (connectivity included).
    pub build_s: f64,
}

/// The process's peak resident set (`VmHWM` of `/proc/self/status`), in bytes.
pub fn peak_rss() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
        })
        .map_or(0, |kb| kb * 1024)
}

/// Bytes of every array the model holds, plus sparse connectivity.
fn model_bytes(model: &Model) -> usize {
    let mut bytes = 0;
    for e in model.entities() {
        if let Ok(names) = model.array_names(&e.name) {
            for name in names {
                if let Ok(a) = model.array(&e.name, name) {
                    bytes += a.len() * std::mem::size_of::<crate::Real>();
                }
            }
        }
        if let Some(s) = model.world().get::<SparseSynapse>(e.entity) {
            bytes += s.targets.len() * 4 + s.row_ptr.len() * std::mem::size_of::<usize>();
            if let crate::components::synapses::sparse::SparseWeights::PerSynapse(w) = &s.weights {
                bytes += w.len() * std::mem::size_of::<crate::Real>();
            }
        }
    }
    bytes
}

/// Synapses in the model (sparse ones counted exactly, dense ones as `n_pre·n_post`).
fn synapse_count(model: &Model) -> usize {
    model
        .entities()
        .iter()
        .map(|e| {
            if let Some(s) = model.world().get::<SparseSynapse>(e.entity) {
                s.len()
            } else {
                model
                    .array(&e.name, "weights")
                    .map_or(0, |w| w.iter().filter(|x| **x != 0.0).count())
            }
        })
        .sum()
}

fn spikes_now(model: &Model) -> usize {
    model
        .entities()
        .iter()
        .filter_map(|e| model.world().get::<Spikes>(e.entity))
        .map(|s| s.0.iter().filter(|x| **x != 0.0).count())
        .sum()
}

/// Builds and measures `spec` at `n` neurons on `threads` threads.
///
/// ```
/// use cortecs::bench::{BenchSpec, BenchSynapses, measure, to_csv};
/// # fn main() -> Result<(), cortecs::Error> {
/// let mut spec = BenchSpec::new("IAF");
/// spec.steps = 20; // a quick look; the default is 1000
/// spec.synapses = BenchSynapses::Dense;
/// let row = measure(&spec, 100, 1)?;
/// assert_eq!((row.neurons, row.threads), (100, 1));
/// assert_eq!(row.synapses, 100 * 100); // all to all
/// assert!(row.steps_per_s > 0.0 && row.ns_per_neuron_step > 0.0);
/// assert!(row.bytes_per_neuron > 0.0);
/// assert!(to_csv(&[row]).starts_with("neurons,threads,steps_per_s"));
/// # Ok(()) }
/// ```
pub fn measure(spec: &BenchSpec, n: usize, threads: usize) -> Result<BenchRow, Error> {
    let text = spec.config(n);
    let t0 = Instant::now();
    let mut model = Model::from_source(
        &Source::new(&text, format!("<bench {} × {n}>", spec.kind)),
        &Registry::with_builtins(),
    )?;
    let build_s = t0.elapsed().as_secs_f64();
    if let Some((lo, hi)) = spec.initial_v {
        let mut rng = crate::components::rng::StreamKey::new(1, "bench_v").at(0, 0);
        let v = ndarray::Array1::from_shape_fn(n, |_| {
            lo as crate::Real + crate::components::rng::uniform(&mut rng) * (hi - lo) as crate::Real
        });
        model.set_array("P", "v", v.into_dyn().view())?;
    }
    model.set_threads(threads)?;
    model.run_steps(spec.warmup)?;
    let t0 = Instant::now();
    model.run_steps(spec.steps)?;
    let secs = t0.elapsed().as_secs_f64().max(1e-12);
    let count_steps = spec.steps.clamp(1, 200);
    let mut spikes = 0usize;
    for _ in 0..count_steps {
        model.run_steps(1)?;
        spikes += spikes_now(&model);
    }
    let synapses = synapse_count(&model);
    let steps_per_s = spec.steps as f64 / secs;
    let spikes_per_step = spikes as f64 / count_steps as f64;
    let fan_out = synapses as f64 / n as f64;
    Ok(BenchRow {
        neurons: n,
        threads,
        steps_per_s,
        neuron_updates_per_s: steps_per_s * n as f64,
        ns_per_neuron_step: secs * 1e9 / (spec.steps as f64 * n as f64),
        spikes_per_step,
        syn_events_per_s: spikes_per_step * fan_out * steps_per_s,
        synapses,
        bytes_per_neuron: model_bytes(&model) as f64 / n as f64,
        peak_rss: peak_rss(),
        build_s,
    })
}

/// The CSV header of [`BenchRow`]s.
pub const CSV_HEADER: &str = "neurons,threads,steps_per_s,neuron_updates_per_s,ns_per_neuron_step,\
spikes_per_step,syn_events_per_s,synapses,bytes_per_neuron,peak_rss_bytes,build_s";

/// Rows as CSV (with [`CSV_HEADER`]).
pub fn to_csv(rows: &[BenchRow]) -> String {
    let mut s = format!("{CSV_HEADER}\n");
    for r in rows {
        let _ = writeln!(
            s,
            "{},{},{:.3},{:.6e},{:.4},{:.3},{:.6e},{},{:.1},{},{:.4}",
            r.neurons,
            r.threads,
            r.steps_per_s,
            r.neuron_updates_per_s,
            r.ns_per_neuron_step,
            r.spikes_per_step,
            r.syn_events_per_s,
            r.synapses,
            r.bytes_per_neuron,
            r.peak_rss,
            r.build_s
        );
    }
    s
}

/// Rows as an aligned text table.
pub fn to_table(rows: &[BenchRow]) -> String {
    let mut s = format!(
        "{:>9} {:>3} {:>11} {:>13} {:>10} {:>11} {:>13} {:>11} {:>9} {:>10} {:>8}\n",
        "neurons",
        "thr",
        "steps/s",
        "updates/s",
        "ns/upd",
        "spikes/step",
        "syn events/s",
        "synapses",
        "B/neuron",
        "peak RSS",
        "build s"
    );
    for r in rows {
        let _ = writeln!(
            s,
            "{:>9} {:>3} {:>11.1} {:>13.3e} {:>10.3} {:>11.1} {:>13.3e} {:>11} {:>9.1} {:>8.1}MB {:>8.3}",
            r.neurons,
            r.threads,
            r.steps_per_s,
            r.neuron_updates_per_s,
            r.ns_per_neuron_step,
            r.spikes_per_step,
            r.syn_events_per_s,
            r.synapses,
            r.bytes_per_neuron,
            r.peak_rss as f64 / 1e6,
            r.build_s
        );
    }
    s
}

/// A log-log SVG of ns per neuron-step against neurons, one line per thread count
/// ([`chart`] as SVG).
pub fn to_svg(rows: &[BenchRow], title: &str) -> String {
    chart(rows, title).to_svg()
}

/// A log-log chart of ns per neuron-step against neurons, one line per thread count; its
/// `save` writes it as SVG and PNG.
pub fn chart(rows: &[BenchRow], title: &str) -> LineChart {
    let mut threads: Vec<usize> = rows.iter().map(|r| r.threads).collect();
    threads.sort_unstable();
    threads.dedup();
    let series = threads
        .iter()
        .map(|t| {
            let (xs, ys) = rows
                .iter()
                .filter(|r| r.threads == *t)
                .map(|r| (r.neurons as f64, r.ns_per_neuron_step))
                .unzip();
            Series {
                name: format!("{t} thread{}", if *t == 1 { "" } else { "s" }),
                xs,
                ys,
            }
        })
        .collect();
    LineChart {
        title: title.to_string(),
        x_label: "neurons".into(),
        y_label: "ns per neuron-step".into(),
        series,
        log_x: true,
        log_y: true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_small_iaf_bench_measures_and_writes() {
        let mut spec = BenchSpec::new("IAF");
        spec.steps = 50;
        spec.synapses = BenchSynapses::Sparse { fan_out: 10 };
        let rows: Vec<BenchRow> = [100, 1000]
            .iter()
            .map(|n| measure(&spec, *n, 1).unwrap())
            .collect();
        for r in &rows {
            assert!(r.steps_per_s > 0.0 && r.ns_per_neuron_step > 0.0);
            // ~10 targets per neuron (binomial)
            assert!((r.synapses as f64 / r.neurons as f64 - 10.0).abs() < 3.0);
            assert!(r.bytes_per_neuron > 0.0);
        }
        let csv = to_csv(&rows);
        assert_eq!(csv.lines().count(), 3);
        assert!(csv.starts_with("neurons,threads"));
        let svg = to_svg(&rows, "IAF <test>");
        assert!(
            svg.contains("<polyline") && svg.contains("IAF &lt;test&gt;"),
            "{svg}"
        );
    }
}
