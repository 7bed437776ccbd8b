//! The shape every two-variable cell shares (Izhikevich, FitzHugh–Nagumo, and users' cells of
//! the same form): compartments `j v w s tols`, one chunk type, and one Cell-phase system.

use bevy_ecs::prelude::*;

use crate::chunk::for_chunks;
use crate::compartment::*;
use crate::{Clock, Real, chunk_struct};

/// The compartments of a two-variable cell (Izhikevich, FitzHugh–Nagumo).
#[derive(Bundle, Clone, Debug)]
pub struct TwoVariableCell {
    /// `j` — input current.
    pub j: Current,
    /// `v` — membrane potential.
    pub v: Voltage,
    /// `w` — recovery variable.
    pub w: Recovery,
    /// `s` — spikes.
    pub s: Spikes,
    /// `tols` — time of the last spike (ms).
    pub tols: TimeOfLastSpike,
}

impl TwoVariableCell {
    /// `n` units at `(v0, w0)` with no input, spike or spike time.
    pub fn new(n: usize, v0: f64, w0: f64) -> Self {
        let c = |x: f64| vec![x as Real; n];
        Self {
            j: Current(c(0.0)),
            v: Voltage(c(v0)),
            w: Recovery(c(w0)),
            s: Spikes(c(0.0)),
            tols: TimeOfLastSpike(c(0.0)),
        }
    }
}

/// Reference names of the compartments of two-variable cells, in ngclearn's order.
pub const TWO_VARIABLE_COMPARTMENTS: &[&str] = &["j", "v", "w", "s", "tols"];

chunk_struct!(
    /// One chunk of a two-variable cell's state (Izhikevich, FitzHugh–Nagumo).
    TwoVariableChunk {
        j: &[Real],
        mut v: &mut [Real],
        mut w: &mut [Real],
        mut s: &mut [Real],
        mut tols: &mut [Real],
    }
);

/// A two-variable cell kind: its parameters (the ECS component), per-step constants and
/// kernel. [`two_variable_system`] runs every population of such a kind.
pub trait TwoVariableModel: Component {
    /// Constants of one step, computed once per population and step.
    type Consts: Sync;
    /// The constants for a step of `dt` ms starting at `t` ms.
    fn consts(&self, dt: f64, t: f64) -> Self::Consts;
    /// One step over a chunk of units.
    fn kernel(k: &Self::Consts, c: TwoVariableChunk);
}

/// The Cell-phase system of every population of two-variable kind `P`: its kernel over chunks
/// in parallel.
pub fn two_variable_system<P: TwoVariableModel>(
    clock: Res<Clock>,
    mut cells: Query<(
        &P,
        &Current,
        &mut Voltage,
        &mut Recovery,
        &mut Spikes,
        &mut TimeOfLastSpike,
    )>,
) {
    for (p, j, mut v, mut w, mut s, mut tols) in &mut cells {
        let k = p.consts(clock.dt, clock.t());
        let chunk = TwoVariableChunk {
            j: &j.0,
            v: &mut v.0,
            w: &mut w.0,
            s: &mut s.0,
            tols: &mut tols.0,
        };
        for_chunks(chunk, &|c, _| P::kernel(&k, c));
    }
}
