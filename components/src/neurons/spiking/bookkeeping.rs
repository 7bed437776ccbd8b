//! Spike bookkeeping shared by every spiking cell: the spike test, resets, the refractory mask
//! and the time of the last spike, each written once in ngclearn's operation order.
//!
//! ngclearn computes these with 0/1 floats (`s = (v > thr) * 1.0`, then `v·(1 − s) + s·v_reset`)
//! rather than branches; the functions keep that form so results match to the last bit, and so
//! kernels built from them stay branch-free.

use crate::Real;

/// The spike indicator `[x > thr]`: 1.0 if `x` is strictly above `thr`, else 0.0.
#[inline(always)]
pub fn spike(x: Real, thr: Real) -> Real {
    if x > thr { 1.0 } else { 0.0 }
}

/// The refractory mask `[rfr ≥ refract_time]` (1.0 = the unit may integrate its input).
#[inline(always)]
pub fn refract_mask(rfr: Real, refract_time: Real) -> Real {
    if rfr >= refract_time { 1.0 } else { 0.0 }
}

/// Reset on spike: `x·(1 − s) + s·to` (leaves `x` untouched when `s = 0`).
#[inline(always)]
pub fn reset(x: Real, s: Real, to: Real) -> Real {
    x * (1.0 - s) + s * to
}

/// Time of the last spike: `tols' = (1 − s)·tols + s·t`, `t` in ms (the `t` of the step).
#[inline(always)]
pub fn time_of_last_spike(tols: Real, s: Real, t: Real) -> Real {
    (1.0 - s) * tols + s * t
}

/// Adaptive threshold shift of ngclearn's LIF family (`_update_theta`):
/// `θ' = θ·exp(−dt/τ_θ) + s·θ₊`, with `decay = exp(−dt/τ_θ)` precomputed per step.
#[inline(always)]
pub fn threshold_theta(theta: Real, s: Real, decay: Real, theta_plus: Real) -> Real {
    theta.mul_add(decay, s * theta_plus)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indicator_forms() {
        assert_eq!(spike(1.0, 1.0), 0.0);
        assert_eq!(spike(1.5, 1.0), 1.0);
        assert_eq!(refract_mask(2.0, 2.0), 1.0);
        assert_eq!(refract_mask(1.9, 2.0), 0.0);
        assert_eq!(reset(-40.0, 1.0, -65.0), -65.0);
        assert_eq!(reset(-40.0, 0.0, -65.0), -40.0);
        assert_eq!(time_of_last_spike(3.0, 0.0, 7.5), 3.0);
        assert_eq!(time_of_last_spike(3.0, 1.0, 7.5), 7.5);
        assert_eq!(threshold_theta(1.0, 1.0, 0.5, 0.2), 0.7);
    }
}
