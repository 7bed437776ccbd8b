//! The simulation clock.

use bevy_ecs::resource::Resource;

use crate::Real;

/// Simulation time, shared by every system as a resource.
///
/// During step `k` (counting from 0) systems see `step == k` and `t() == k·dt`: the time at the
/// *start* of the step, as ngclearn passes `t = k*dt` to `advance_state`. The step counter is
/// advanced after the Record phase.
#[derive(Resource, Clone, Copy, Debug, PartialEq)]
pub struct Clock {
    /// Number of steps completed before the current one.
    pub step: u64,
    /// Step size (ms).
    pub dt: f64,
}

impl Clock {
    /// A clock at step 0 with step size `dt` (ms).
    pub fn new(dt: f64) -> Self {
        Self { step: 0, dt }
    }

    /// Start time of the current step, `k·dt` (ms), computed in double precision.
    pub fn t(&self) -> f64 {
        self.step as f64 * self.dt
    }

    /// `t()` rounded to [`Real`], as ngclearn's kernels see it.
    pub fn t_real(&self) -> Real {
        self.t() as Real
    }
}
