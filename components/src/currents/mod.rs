//! Current sources: entities that write an `outputs` buffer each step, which the Gather
//! phase sums into their target population's `j`.

use bevy_ecs::prelude::*;
use serde::{Deserialize, Serialize};

use crate::compartment::Outputs;
use crate::{Clock, Real};

/// What a current source does after the last row of a replayed file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum AfterEnd {
    /// Keep the last row.
    #[default]
    Hold,
    /// Output zeros.
    Zero,
    /// Start again from the first row.
    Loop,
}

/// A time-varying current source.
#[derive(Component, Clone, Debug, PartialEq)]
pub enum CurrentSource {
    /// Constant per-unit values (written once at build; nothing runs per step).
    Constant,
    /// `baseline` before `onset` and from `offset` on, `amplitude` in between (times in ms,
    /// compared with the step's start time `t = k·dt`).
    Step {
        /// Start of the step (ms).
        onset: f64,
        /// End of the step (ms); `None` = never.
        offset: Option<f64>,
        /// Per-unit value before `onset` / after `offset`.
        baseline: Vec<Real>,
        /// Per-unit value during the step.
        amplitude: Vec<Real>,
    },
    /// Replays a recorded `steps × units` table, row `k` at step `k`.
    Replay {
        /// Row-major table.
        data: Vec<Real>,
        /// Number of rows (steps).
        rows: usize,
        /// Past the last row.
        after_end: AfterEnd,
    },
}

/// Input phase: step and replay sources write this step's values into their `outputs`.
pub fn current_system(clock: Res<Clock>, mut sources: Query<(&CurrentSource, &mut Outputs)>) {
    for (src, mut out) in &mut sources {
        let out = &mut out.0;
        match src {
            CurrentSource::Constant => {}
            CurrentSource::Step {
                onset,
                offset,
                baseline,
                amplitude,
            } => {
                let t = clock.t();
                let on = t >= *onset && offset.is_none_or(|off| t < off);
                out.copy_from_slice(if on { amplitude } else { baseline });
            }
            CurrentSource::Replay {
                data,
                rows,
                after_end,
            } => {
                let n = out.len();
                let k = clock.step as usize;
                let row = if k < *rows {
                    Some(k)
                } else {
                    match after_end {
                        AfterEnd::Hold => rows.checked_sub(1),
                        AfterEnd::Zero => None,
                        AfterEnd::Loop => (*rows > 0).then(|| k % rows),
                    }
                };
                match row {
                    Some(r) => out.copy_from_slice(&data[r * n..(r + 1) * n]),
                    None => out.fill(0.0),
                }
            }
        }
    }
}
