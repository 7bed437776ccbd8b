//! Nengo's spiking LIF step with sub-step spike timing (`nengo.LIF.step`, Nengo 4.1.0
//! `nengo/neurons.py` l.667-700).

use crate::{Real, chunk_struct};

chunk_struct!(
    /// One chunk of a Nengo LIF population: input current `J`, `voltage` (dimensionless,
    /// threshold 1), `refractory_time` (ms) and `output` (1/s).
    NefLifChunk {
        j: &[Real],
        mut voltage: &mut [Real],
        mut refractory_time: &mut [Real],
        mut output: &mut [Real],
    }
);

/// Step constants of [`nef_lif_kernel`] (times in ms).
#[derive(Clone, Copy, Debug)]
pub struct NefLifConsts {
    /// Step (ms).
    pub dt: Real,
    /// τ_rc (ms).
    pub tau_rc: Real,
    /// τ_ref (ms).
    pub tau_ref: Real,
    /// Voltage floor.
    pub min_voltage: Real,
    /// Output on a spike step: `amplitude / dt` with dt in seconds (1/s).
    pub spike_output: Real,
    /// `expm1(−dt/τ_rc)`, the decay of a whole free step (the common case, computed once).
    pub free_step: Real,
}

impl NefLifConsts {
    /// Constants for `tau_rc`, `tau_ref` (ms), `min_voltage`, `amplitude` and a step `dt` (ms).
    pub fn new(tau_rc: f64, tau_ref: f64, min_voltage: f64, amplitude: f64, dt: f64) -> Self {
        Self {
            dt: dt as Real,
            tau_rc: tau_rc as Real,
            tau_ref: tau_ref as Real,
            min_voltage: min_voltage as Real,
            spike_output: (amplitude / (dt / 1000.0)) as Real,
            free_step: (-(dt as Real) / tau_rc as Real).exp_m1(),
        }
    }
}

/// One step of Nengo's LIF for every unit of a chunk, in Nengo's order:
///
/// ```text
/// refractory_time −= dt                                  (never clamped: keeps counting down)
/// Δt = clip(dt − refractory_time, 0, dt)                 (the non-refractory part of the step)
/// v  −= (J − v)·expm1(−Δt/τ_rc)                          (exact for J constant over the step)
/// spike = v > 1 ;  output = spike · amplitude/dt_s
/// t_spike = dt + τ_rc·log1p(−(v − 1)/(J − 1))            (crossing time from the step start)
/// v = max(v, min_voltage) ;  on spike: v = 0, refractory_time = τ_ref + t_spike
/// ```
///
/// So the refractory period ends exactly τ_ref after the threshold crossing and the first free
/// step integrates only its remaining fraction: inter-spike intervals are exact for constant J,
/// `τ_ref + τ_rc·ln(1 + 1/(J − 1))`. At most one spike per step.
pub fn nef_lif_kernel(k: &NefLifConsts, c: NefLifChunk) {
    let NefLifChunk {
        j,
        voltage,
        refractory_time,
        output,
    } = c;
    for i in 0..voltage.len() {
        let rt = refractory_time[i] - k.dt;
        let delta_t = (k.dt - rt).max(0.0).min(k.dt);
        let ji = j[i];
        let mut v = voltage[i];
        // A free step uses the precomputed expm1(−dt/τ_rc) and a refractory one expm1(−0) =
        // −0: the same values, without the call. Only the step a refractory period ends in
        // computes its fraction.
        let decay = if delta_t == k.dt {
            k.free_step
        } else if delta_t == 0.0 {
            -0.0
        } else {
            (-delta_t / k.tau_rc).exp_m1()
        };
        v -= (ji - v) * decay;
        let spiked = v > 1.0;
        output[i] = if spiked { k.spike_output } else { 0.0 };
        if v < k.min_voltage {
            v = k.min_voltage;
        }
        if spiked {
            let t_spike = k.dt + k.tau_rc * (-(v - 1.0) / (ji - 1.0)).ln_1p();
            voltage[i] = 0.0;
            refractory_time[i] = k.tau_ref + t_spike;
        } else {
            voltage[i] = v;
            refractory_time[i] = rt;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Law: for constant J the inter-spike interval is exactly τ_ref + τ_rc·ln(1 + 1/(J − 1)),
    /// whatever dt (sub-step spike timing).
    #[test]
    fn isi_is_exact_for_constant_current() {
        for dt in [1.0, 0.5, 0.1] {
            let (tau_rc, tau_ref, j): (f64, f64, f64) = (20.0, 2.0, 1.7);
            let k = NefLifConsts::new(tau_rc, tau_ref, 0.0, 1.0, dt);
            let (mut v, mut rt, mut out) = (vec![0.0], vec![0.0], vec![0.0]);
            let mut times = vec![];
            for step in 1..=(2000.0 / dt) as usize {
                nef_lif_kernel(
                    &k,
                    NefLifChunk {
                        j: &[j as Real],
                        voltage: &mut v,
                        refractory_time: &mut rt,
                        output: &mut out,
                    },
                );
                if out[0] > 0.0 {
                    // Exact crossing time: start of this step + (refractory_time − τ_ref).
                    times.push((step - 1) as f64 * dt + (rt[0] as f64 - tau_ref));
                }
            }
            let isi = tau_ref + tau_rc * (1.0 + 1.0 / (j - 1.0)).ln();
            let tol = if cfg!(feature = "f64") { 1e-9 } else { 1e-2 };
            for w in times.windows(2).skip(1) {
                assert!(
                    (w[1] - w[0] - isi).abs() < tol,
                    "dt {dt}: {} vs {isi}",
                    w[1] - w[0]
                );
            }
            assert!(times.len() > 10);
        }
    }
}
