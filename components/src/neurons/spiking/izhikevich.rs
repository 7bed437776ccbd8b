//! ngclearn's Izhikevich cell (`IzhikevichCell`, ngclearn 3.2.3; Izhikevich 2003, IEEE Trans.
//! Neural Netw. 14:1569), with the six named firing patterns of Izhikevich's paper as presets.

use bevy_ecs::prelude::*;
use serde::{Deserialize, Serialize};

use super::bookkeeping::*;
use super::integrate::Integrator;
use super::two_variable::{TwoVariableCell, TwoVariableChunk, TwoVariableModel};
use crate::Real;

/// A named Izhikevich firing pattern (Izhikevich 2003, Fig. 2), as ngclearn's tutorial sets
/// it: each preset fixes `tau_w` (= 1/a), `coupling_factor` (b), `v_reset` (c) and `w_reset`
/// (d); parameters given explicitly next to a preset override it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum IzhikevichPreset {
    /// RS: τ_w 50, b 0.2, c −65, d 8 (ngclearn's defaults).
    RegularSpiking,
    /// IB: τ_w 50, b 0.2, c −55, d 4.
    IntrinsicallyBursting,
    /// CH: τ_w 50, b 0.2, c −50, d 2.
    Chattering,
    /// FS: τ_w 10, b 0.2, c −65, d 8 (ngclearn's tutorial keeps d = 8; Izhikevich uses 2).
    FastSpiking,
    /// LTS: τ_w 10, b 0.25, c −65, d 2 (ngclearn's tutorial; Izhikevich uses a = 0.02).
    LowThresholdSpiking,
    /// RZ: τ_w 10, b 0.26, c −65, d 8 (ngclearn's tutorial; Izhikevich uses d = 2).
    Resonator,
}

/// Preset names in configs, with (tau_w, coupling_factor, v_reset, w_reset).
pub const IZHIKEVICH_PRESETS: [(&str, IzhikevichPreset, [f64; 4]); 6] = [
    (
        "regular_spiking",
        IzhikevichPreset::RegularSpiking,
        [50.0, 0.2, -65.0, 8.0],
    ),
    (
        "intrinsically_bursting",
        IzhikevichPreset::IntrinsicallyBursting,
        [50.0, 0.2, -55.0, 4.0],
    ),
    (
        "chattering",
        IzhikevichPreset::Chattering,
        [50.0, 0.2, -50.0, 2.0],
    ),
    (
        "fast_spiking",
        IzhikevichPreset::FastSpiking,
        [10.0, 0.2, -65.0, 8.0],
    ),
    (
        "low_threshold_spiking",
        IzhikevichPreset::LowThresholdSpiking,
        [10.0, 0.25, -65.0, 2.0],
    ),
    (
        "resonator",
        IzhikevichPreset::Resonator,
        [10.0, 0.26, -65.0, 8.0],
    ),
];

impl IzhikevichPreset {
    fn entry(self) -> &'static (&'static str, IzhikevichPreset, [f64; 4]) {
        IZHIKEVICH_PRESETS
            .iter()
            .find(|(_, p, _)| *p == self)
            .expect("every preset is listed")
    }
    /// The config name (`"fast_spiking"`).
    pub fn name(self) -> &'static str {
        self.entry().0
    }
    /// (tau_w, coupling_factor, v_reset, w_reset).
    pub fn values(self) -> [f64; 4] {
        self.entry().2
    }
}

impl TryFrom<String> for IzhikevichPreset {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        if let Some((_, p, _)) = IZHIKEVICH_PRESETS.iter().find(|(n, _, _)| *n == s) {
            return Ok(*p);
        }
        let names: Vec<String> = IZHIKEVICH_PRESETS
            .iter()
            .map(|(n, _, _)| format!("\"{n}\""))
            .collect();
        let near = crate::names::nearest(&s, IZHIKEVICH_PRESETS.iter().map(|(n, _, _)| *n))
            .map(|n| format!(" (did you mean \"{n}\"?)"))
            .unwrap_or_default();
        Err(format!(
            "unknown preset \"{s}\"{near}; expected one of {}",
            names.join(", ")
        ))
    }
}

impl From<IzhikevichPreset> for String {
    fn from(p: IzhikevichPreset) -> String {
        p.name().into()
    }
}

/// Parameters of an Izhikevich population, named and defaulted exactly as ngclearn 3.2.3's
/// `IzhikevichCell` constructor (`izhikevichCell.py` l.117-148), plus an optional `preset`.
///
/// ngclearn's mapping to Izhikevich's (a, b, c, d): a = 1/`tau_w`, b = `coupling_factor`,
/// c = `v_reset`, d = `w_reset`. Voltages in mV, times in ms.
///
/// In configs, `preset: "fast_spiking"` sets `tau_w`, `coupling_factor`, `v_reset` and
/// `w_reset`; any of them given explicitly wins over the preset.
#[derive(Component, Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(from = "IzhikevichSpec")]
pub struct IzhikevichParams {
    /// Number of units in the population.
    pub n_units: usize,
    /// Membrane time constant τ_m (ms).
    pub tau_m: f64,
    /// Membrane resistance R (multiplies the input current `j`).
    pub resist_m: f64,
    /// Spike cut-off (mV).
    pub v_thr: f64,
    /// Reset potential c (mV).
    pub v_reset: f64,
    /// Recovery time constant τ_w = 1/a (ms).
    pub tau_w: f64,
    /// Recovery increment d on a spike (mV).
    pub w_reset: f64,
    /// Coupling b of the recovery variable to v.
    pub coupling_factor: f64,
    /// Initial membrane potential (mV).
    pub v0: f64,
    /// Initial recovery variable (mV).
    pub w0: f64,
    /// `"euler"`, `"midpoint"` (alias `"rk2"`) or `"rk4"`.
    pub integration_type: Integrator,
    /// The preset these values started from, if any (kept so a saved config says so).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preset: Option<IzhikevichPreset>,
}

/// What a config may write for an Izhikevich population: every parameter optional, so that a
/// preset can fill the ones not given.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename = "IzhikevichParams")]
struct IzhikevichSpec {
    n_units: usize,
    preset: Option<IzhikevichPreset>,
    tau_m: Option<f64>,
    resist_m: Option<f64>,
    v_thr: Option<f64>,
    v_reset: Option<f64>,
    tau_w: Option<f64>,
    w_reset: Option<f64>,
    coupling_factor: Option<f64>,
    v0: Option<f64>,
    w0: Option<f64>,
    integration_type: Option<Integrator>,
}

impl From<IzhikevichSpec> for IzhikevichParams {
    fn from(s: IzhikevichSpec) -> Self {
        let mut p = match s.preset {
            Some(preset) => Self::preset(s.n_units, preset),
            None => Self::new(s.n_units),
        };
        let set = |dst: &mut f64, x: Option<f64>| {
            if let Some(x) = x {
                *dst = x;
            }
        };
        set(&mut p.tau_m, s.tau_m);
        set(&mut p.resist_m, s.resist_m);
        set(&mut p.v_thr, s.v_thr);
        set(&mut p.v_reset, s.v_reset);
        set(&mut p.tau_w, s.tau_w);
        set(&mut p.w_reset, s.w_reset);
        set(&mut p.coupling_factor, s.coupling_factor);
        set(&mut p.v0, s.v0);
        set(&mut p.w0, s.w0);
        if let Some(i) = s.integration_type {
            p.integration_type = i;
        }
        p
    }
}

impl IzhikevichParams {
    /// ngclearn's defaults (regular spiking) for `n_units` units.
    pub fn new(n_units: usize) -> Self {
        Self {
            n_units,
            tau_m: 1.0,
            resist_m: 1.0,
            v_thr: 30.0,
            v_reset: -65.0,
            tau_w: 50.0,
            w_reset: 8.0,
            coupling_factor: 0.2,
            v0: -65.0,
            w0: -14.0,
            integration_type: Integrator::Euler,
            preset: None,
        }
    }

    /// ngclearn's defaults with the firing pattern `preset`.
    pub fn preset(n_units: usize, preset: IzhikevichPreset) -> Self {
        let [tau_w, b, c, d] = preset.values();
        Self {
            tau_w,
            coupling_factor: b,
            v_reset: c,
            w_reset: d,
            preset: Some(preset),
            ..Self::new(n_units)
        }
    }

    /// Checks the parameters a user can get wrong; the error names the field.
    pub fn validate(&self) -> Result<(), (&'static str, String)> {
        for (name, x) in [("tau_m", self.tau_m), ("tau_w", self.tau_w)] {
            if !(x.is_finite() && x > 0.0) {
                return Err((name, format!("a finite time constant > 0 ms, found {x}")));
            }
        }
        let finite = [
            ("resist_m", self.resist_m),
            ("v_thr", self.v_thr),
            ("v_reset", self.v_reset),
            ("w_reset", self.w_reset),
            ("coupling_factor", self.coupling_factor),
            ("v0", self.v0),
            ("w0", self.w0),
        ];
        for (name, x) in finite {
            if !x.is_finite() {
                return Err((name, format!("a finite number, found {x}")));
            }
        }
        Ok(())
    }

    /// The compartments after ngclearn's `reset()`: `v = v0`, `w = w0`, `j = s = tols = 0`.
    pub fn initial_state(&self) -> TwoVariableCell {
        TwoVariableCell::new(self.n_units, self.v0, self.w0)
    }
}

/// Step constants of [`izhikevich_kernel`].
#[derive(Clone, Copy, Debug)]
pub struct IzhikevichConsts {
    resist_m: Real,
    v_thr: Real,
    inv_tau_m: Real,
    inv_tau_w: Real,
    b: Real,
    v_reset: Real,
    w_reset: Real,
    dt: Real,
    t: Real,
    integration: Integrator,
}

impl IzhikevichConsts {
    /// Constants for a step of size `dt` (ms) starting at time `t` (ms).
    pub fn new(p: &IzhikevichParams, dt: f64, t: f64) -> Self {
        let r = |x: f64| x as Real;
        Self {
            resist_m: r(p.resist_m),
            v_thr: r(p.v_thr),
            inv_tau_m: r(1.0 / p.tau_m),
            inv_tau_w: r(1.0 / p.tau_w),
            b: r(p.coupling_factor),
            v_reset: r(p.v_reset),
            w_reset: r(p.w_reset),
            dt: r(dt),
            t: r(t),
            integration: p.integration_type,
        }
    }
}

crate::kernel! {
    /// One Izhikevich step (ngclearn 3.2.3 `IzhikevichCell.advance_state`, l.150-180), in
    /// ngclearn's order:
    ///
    /// ```text
    /// s    = [v > v_thr]                                  (on the PREVIOUS v, before integrating)
    /// dv/dt = (0.04·v² + 5·v + 140 − w + R·j) / τ_m        (w frozen at its start-of-step value)
    /// dw/dt = (b·v − w) / τ_w                              (v frozen at its start-of-step value)
    /// v'   = v'·(1 − s) + s·c
    /// w'   = w'·(1 − s) + s·(w + d)                       (the OLD w plus d)
    /// tols' = (1 − s)·tols + s·t
    /// ```
    ///
    /// So a spike is reported one step after v crosses `v_thr`; the crossing step records the
    /// supra-threshold v, and the spiking step discards its integration.
    pub fn izhikevich_kernel[](k: &IzhikevichConsts, c: TwoVariableChunk) -> () {
        let TwoVariableChunk { j, v, w, s, tols } = c;
        for i in 0..v.len() {
            let (v0, w0) = (v[i], w[i]);
            let ji = j[i] * k.resist_m;
            let si = spike(v0, k.v_thr);
            // `a·b + c` patterns are fused multiply-adds where XLA fuses them (see `Integrator`).
            let fv =
                |x: Real, w: Real| ((x.mul_add(5.0, (x * x) * 0.04) + 140.0) - w + ji) * k.inv_tau_m;
            // Under midpoint XLA computes b·v once for both stages; a product with two uses is
            // not fused.
            let fw = |v: Real, y: Real| {
                let dw = if k.integration == Integrator::Midpoint {
                    v * k.b - y
                } else {
                    v.mul_add(k.b, -y)
                };
                dw * k.inv_tau_w
            };
            let (v1, w1) = k.integration.step2(v0, w0, k.dt, fv, fw);
            v[i] = reset(v1, si, k.v_reset);
            w[i] = reset(w1, si, w0 + k.w_reset);
            s[i] = si;
            tols[i] = time_of_last_spike(tols[i], si, k.t);
        }
    }
}

impl TwoVariableModel for IzhikevichParams {
    type Consts = IzhikevichConsts;
    fn consts(&self, dt: f64, t: f64) -> IzhikevichConsts {
        IzhikevichConsts::new(self, dt, t)
    }
    fn kernel(k: &IzhikevichConsts, c: TwoVariableChunk) {
        izhikevich_kernel(k, c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_parse_and_suggest() {
        for (name, p, _) in IZHIKEVICH_PRESETS {
            assert_eq!(IzhikevichPreset::try_from(name.to_string()), Ok(p));
            assert_eq!(p.name(), name);
        }
        let e = IzhikevichPreset::try_from("fast_spikng".to_string()).unwrap_err();
        assert!(e.contains("did you mean \"fast_spiking\""), "{e}");
        assert!(e.contains("\"resonator\""), "{e}");
    }

    /// Law: with constant input the Izhikevich fixed point (when it exists) is where both
    /// derivatives vanish: w* = b·v*, 0.04v*² + (5 − b)v* + 140 + I = 0; from v0 below the
    /// unstable branch the cell settles there without spiking.
    #[test]
    fn subthreshold_input_settles_on_the_fixed_point() {
        let p = IzhikevichParams::new(1);
        let i: f64 = 2.0;
        let (a2, a1, a0) = (0.04, 5.0 - 0.2, 140.0 + i);
        let v_star = (-a1 - (a1 * a1 - 4.0 * a2 * a0).sqrt()) / (2.0 * a2);
        let mut c = p.initial_state();
        c.j.0[0] = i as Real;
        for k in 0..20000 {
            let consts = IzhikevichConsts::new(&p, 0.1, k as f64 * 0.1);
            izhikevich_kernel(
                &consts,
                TwoVariableChunk {
                    j: &c.j.0,
                    v: &mut c.v.0,
                    w: &mut c.w.0,
                    s: &mut c.s.0,
                    tols: &mut c.tols.0,
                },
            );
            assert_eq!(c.s.0[0], 0.0, "step {k}: spiked below rheobase");
        }
        assert!(
            (c.v.0[0] as f64 - v_star).abs() < 1e-3,
            "{} vs {v_star}",
            c.v.0[0]
        );
        assert!((c.w.0[0] as f64 - 0.2 * v_star).abs() < 1e-3);
    }
}
