//! A custom cell kind, end to end: the adaptive exponential integrate-and-fire neuron (AdEx;
//! Brette & Gerstner 2005, J. Neurophysiol. 94:3637).
//!
//! This file is the documentation of the extension path. A new kind needs four pieces, each
//! written exactly as the built-in kinds write theirs (`src/registry/builtin.rs`,
//! `components/src/neurons/spiking/lif.rs`):
//!
//! 1. its parameters, a serde struct that is also an ECS component ([`AdExParams`]);
//! 2. its state, in the shared compartments (`j`, `v`, `w`, `s` …: here the built-in
//!    [`Recovery`] holds the adaptation current `w`); state they do not cover is declared with
//!    `compartment!` ([`PeakCount`], reference name `"n_peaks"`) and registered by name;
//! 3. a kernel — a pure function over one chunk of slices, integrating with the same
//!    [`Integrator`] the built-in cells use ([`adex_kernel`]) — and the ECS system that runs it
//!    over every population of the kind with `for_chunks` ([`adex_system`]);
//! 4. `impl Kind` ([`AdEx`]): name, role, compartments, validation, spawning and systems.
//!
//! [`register`] adds the kind and its compartment to a [`Registry`]; from then on configs name
//! it like any built-in (`kind: "AdEx"`), and current sources, synapses, probes and save/load
//! work with it.
//!
//! Run it from the repository root with `cargo run --example custom_cell`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use serde::{Deserialize, Serialize};

use cortecs::components::chunk::for_chunks;
use cortecs::components::compartment::{Current, Recovery, Spikes, Voltage};
use cortecs::components::neurons::spiking::Integrator;
use cortecs::components::synapses::Afferents;
use cortecs::prelude::*;
use cortecs::schedule::StepSchedule;

// ---------------------------------------------------------------------------------------------
// 1. Parameters

/// Parameters of an `"AdEx"` population (Brette & Gerstner 2005, their defaults). Units:
/// pF, nS, mV, ms, pA — so pA/pF = mV/ms and nS·mV = pA, and the input current `j` is in pA.
#[derive(Component, Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdExParams {
    /// Number of units in the population.
    pub n_units: usize,
    /// Membrane capacitance C (pF).
    #[serde(default = "d_c_m")]
    pub c_m: f64,
    /// Leak conductance g_L (nS).
    #[serde(default = "d_g_l")]
    pub g_l: f64,
    /// Leak reversal potential E_L (mV); also the initial membrane potential.
    #[serde(default = "d_e_l")]
    pub e_l: f64,
    /// Threshold potential V_T (mV), where the exponential term takes over.
    #[serde(default = "d_v_t")]
    pub v_t: f64,
    /// Slope factor Δ_T (mV) of the exponential term; must be > 0.
    #[serde(default = "d_delta_t")]
    pub delta_t: f64,
    /// Adaptation time constant τ_w (ms).
    #[serde(default = "d_tau_w")]
    pub tau_w: f64,
    /// Subthreshold adaptation conductance a (nS).
    #[serde(default = "d_a")]
    pub a: f64,
    /// Spike-triggered adaptation increment b (pA).
    #[serde(default = "d_b")]
    pub b: f64,
    /// Reset potential after a spike (mV).
    #[serde(default = "d_e_l")]
    pub v_reset: f64,
    /// Spike cut-off (mV): a spike is emitted when v exceeds it.
    #[serde(default = "d_v_peak")]
    pub v_peak: f64,
    /// `"euler"` (default), `"midpoint"` or `"rk4"` — cortecs' shared [`Integrator`].
    #[serde(default)]
    pub integration_type: Integrator,
}

fn d_c_m() -> f64 {
    281.0
}
fn d_g_l() -> f64 {
    30.0
}
fn d_e_l() -> f64 {
    -70.6
}
fn d_v_t() -> f64 {
    -50.4
}
fn d_delta_t() -> f64 {
    2.0
}
fn d_tau_w() -> f64 {
    144.0
}
fn d_a() -> f64 {
    4.0
}
fn d_b() -> f64 {
    80.5
}
fn d_v_peak() -> f64 {
    20.0
}

impl AdExParams {
    /// Brette & Gerstner's parameters for `n_units` units.
    pub fn new(n_units: usize) -> Self {
        Self {
            n_units,
            c_m: d_c_m(),
            g_l: d_g_l(),
            e_l: d_e_l(),
            v_t: d_v_t(),
            delta_t: d_delta_t(),
            tau_w: d_tau_w(),
            a: d_a(),
            b: d_b(),
            v_reset: d_e_l(),
            v_peak: d_v_peak(),
            integration_type: Integrator::Euler,
        }
    }

    /// Checks what serde cannot; the error names the field.
    pub fn validate(&self) -> Result<(), KindError> {
        if self.n_units == 0 {
            return Err(KindError::invalid("n_units", "at least 1 unit, found 0"));
        }
        let finite = [
            ("e_l", self.e_l),
            ("v_t", self.v_t),
            ("a", self.a),
            ("b", self.b),
            ("v_reset", self.v_reset),
            ("v_peak", self.v_peak),
        ];
        for (field, x) in finite {
            if !x.is_finite() {
                return Err(KindError::invalid(
                    field,
                    format!("a finite number, found {x}"),
                ));
            }
        }
        let positive = [
            ("c_m", self.c_m, "pF"),
            ("g_l", self.g_l, "nS"),
            ("delta_t", self.delta_t, "mV"),
            ("tau_w", self.tau_w, "ms"),
        ];
        for (field, x, unit) in positive {
            if !(x.is_finite() && x > 0.0) {
                return Err(KindError::invalid(
                    field,
                    format!("a finite value > 0 {unit}, found {x}"),
                ));
            }
        }
        if self.v_peak <= self.v_reset {
            return Err(KindError::invalid(
                "v_peak",
                format!(
                    "a cut-off above v_reset = {} mV, found {}",
                    self.v_reset, self.v_peak
                ),
            ));
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// 2. A new compartment

cortecs::components::compartment!(
    /// `n_peaks` — spikes emitted by each AdEx unit since the model was built.
    PeakCount, "n_peaks"
);

/// Reference names of the AdEx compartments (what probes and save/load can address).
pub const ADEX_COMPARTMENTS: &[&str] = &["j", "v", "w", "s", "n_peaks"];

// ---------------------------------------------------------------------------------------------
// 3. Kernel and system

cortecs::components::chunk_struct!(
    /// One chunk of an AdEx population's state, for [`adex_kernel`].
    AdExChunk {
        j: &[Real],
        mut v: &mut [Real],
        mut w: &mut [Real],
        mut s: &mut [Real],
        mut n_peaks: &mut [Real],
    }
);

/// Step constants of [`adex_kernel`], computed in double precision and rounded to [`Real`]
/// once per step.
#[derive(Clone, Copy, Debug)]
pub struct AdExConsts {
    inv_c: Real,
    g_l: Real,
    g_l_delta_t: Real,
    e_l: Real,
    v_t: Real,
    inv_delta_t: Real,
    inv_tau_w: Real,
    a: Real,
    b: Real,
    v_reset: Real,
    v_peak: Real,
    dt: Real,
    integration: Integrator,
}

impl AdExConsts {
    /// Constants for parameters `p` and step size `dt` (ms).
    pub fn new(p: &AdExParams, dt: f64) -> Self {
        let r = |x: f64| x as Real;
        Self {
            inv_c: r(1.0 / p.c_m),
            g_l: r(p.g_l),
            g_l_delta_t: r(p.g_l * p.delta_t),
            e_l: r(p.e_l),
            v_t: r(p.v_t),
            inv_delta_t: r(1.0 / p.delta_t),
            inv_tau_w: r(1.0 / p.tau_w),
            a: r(p.a),
            b: r(p.b),
            v_reset: r(p.v_reset),
            v_peak: r(p.v_peak),
            dt: r(dt),
            integration: p.integration_type,
        }
    }
}

/// One step of the AdEx model for every unit of a chunk, integrated by the population's
/// [`Integrator`] (forward Euler by default):
///
/// ```text
/// C   dv/dt = −g_L (v − E_L) + g_L Δ_T exp((v − V_T)/Δ_T) − w + I      (I = j, pA)
/// τ_w dw/dt = a (v − E_L) − w
/// spike when v > v_peak:  v ← v_reset,  w ← w + b
/// ```
///
/// The spike test and the reset act on the integrated values; `s` is 1.0 on the step a unit
/// spikes, else 0.0, and `n_peaks` counts the spikes. Near v_peak the exponential makes one step
/// overshoot far above the cut-off (even to +∞); the reset discards that value, so only `s`
/// records that it happened.
pub fn adex_kernel(k: &AdExConsts, c: AdExChunk) {
    let AdExChunk {
        j,
        v,
        w,
        s,
        n_peaks,
    } = c;
    for i in 0..v.len() {
        let input = j[i];
        let fv = |v: Real, w: Real| {
            let spike_current = k.g_l_delta_t * ((v - k.v_t) * k.inv_delta_t).exp();
            (-k.g_l * (v - k.e_l) + spike_current - w + input) * k.inv_c
        };
        let fw = |v: Real, w: Real| (k.a * (v - k.e_l) - w) * k.inv_tau_w;
        let (mut v_new, mut w_new) = k.integration.step2(v[i], w[i], k.dt, fv, fw);
        let spiked = v_new > k.v_peak;
        if spiked {
            v_new = k.v_reset;
            w_new += k.b;
            n_peaks[i] += 1.0;
        }
        v[i] = v_new;
        w[i] = w_new;
        s[i] = if spiked { 1.0 } else { 0.0 };
    }
}

/// The Cell-phase system of every AdEx population: [`adex_kernel`] over its units, split into
/// chunks on the thread pool when the population is large.
pub fn adex_system(
    clock: Res<Clock>,
    mut cells: Query<(
        &AdExParams,
        &Current,
        &mut Voltage,
        &mut Recovery,
        &mut Spikes,
        &mut PeakCount,
    )>,
) {
    for (p, j, mut v, mut w, mut s, mut n_peaks) in &mut cells {
        let k = AdExConsts::new(p, clock.dt);
        let chunk = AdExChunk {
            j: &j.0,
            v: &mut v.0,
            w: &mut w.0,
            s: &mut s.0,
            n_peaks: &mut n_peaks.0,
        };
        for_chunks(chunk, &|c, _| adex_kernel(&k, c));
    }
}

// ---------------------------------------------------------------------------------------------
// 4. The kind

/// `"AdEx"` — adaptive exponential integrate-and-fire cell (see [`AdExParams`]).
pub struct AdEx;

impl Kind for AdEx {
    const NAME: &'static str = "AdEx";
    const ROLE: Role = Role::Cell;
    const DOC: &'static str =
        "adaptive exponential integrate-and-fire cell (Brette & Gerstner 2005)";
    const COMPARTMENTS: &'static [&'static str] = ADEX_COMPARTMENTS;
    const UNITS: &'static [(&'static str, &'static str)] = &[("j", "pA"), ("v", "mV"), ("w", "pA")];
    type Params = AdExParams;

    fn validate(p: &AdExParams) -> Result<(), KindError> {
        p.validate()
    }

    /// Starts every unit at rest: `v = E_L`, `w = 0`, `j = 0`, `s = 0`, `n_peaks = 0`. [`Afferents`] lets the
    /// Gather phase sum current sources and synapses into `j`.
    fn spawn(p: &AdExParams, ctx: &mut BuildCtx) -> Result<usize, KindError> {
        let n = p.n_units;
        ctx.insert((
            p.clone(),
            Current(vec![0.0; n]),
            Voltage(vec![p.e_l as Real; n]),
            Recovery(vec![0.0; n]),
            Spikes(vec![0.0; n]),
            PeakCount(vec![0.0; n]),
            Afferents::default(),
        ));
        Ok(n)
    }

    fn add_systems(s: &mut StepSchedule) {
        s.add(Phase::Cell, adex_system);
    }
}

/// Registers the `"AdEx"` kind and its `"n_peaks"` compartment in `registry`.
pub fn register(registry: &mut Registry) {
    registry
        .register_compartment::<PeakCount>()
        .register::<AdEx>();
}

// ---------------------------------------------------------------------------------------------
// Using it

/// The example's config, `examples/custom_cell.ron` (absolute, so the example runs from any
/// directory).
pub fn config_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/custom_cell.ron")
}

/// Builds the model of the config at `path` with the built-in kinds and AdEx, and runs it for
/// the config's `run.steps`.
pub fn run(path: &Path) -> Result<Model, Error> {
    let mut registry = Registry::with_builtins();
    register(&mut registry);
    let mut model = Model::from_config_file_with(path, &registry)?;
    let steps = model.config().run.steps;
    model.run_steps(steps)?;
    Ok(model)
}

fn main() -> ExitCode {
    match report(&config_path()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Runs the config and prints, per AdEx unit, its input current, spike count and final v, w.
fn report(path: &Path) -> Result<(), Error> {
    let model = run(path)?;
    let clock = model.clock();
    println!(
        "ran {} steps of {} ms ({} ms)",
        clock.step,
        clock.dt,
        clock.t()
    );
    let j = model.probe("adex", "j")?;
    let v = model.probe("adex", "v")?;
    let w = model.probe("adex", "w")?;
    let s = model.probe("adex", "s")?;
    println!(" unit     I (pA)   spikes   v final (mV)   w final (pA)");
    for unit in 0..s.ncols() {
        let last = |a: &ndarray::Array2<Real>| a.column(unit).last().copied().unwrap_or(Real::NAN);
        let spikes = s.column(unit).sum();
        println!(
            "{unit:5} {:10.1} {spikes:8} {:14.3} {:14.3}",
            last(&j),
            last(&v),
            last(&w)
        );
    }
    Ok(())
}
