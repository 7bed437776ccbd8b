//! # cortecs — spiking neural networks on an entity-component-system
//!
//! A model is a bevy [`World`](bevy_ecs::world::World) in which every population, synapse
//! bundle, current source and probe is one entity holding contiguous per-unit arrays
//! (compartments), advanced by a phased [schedule] of systems. Models are composed
//! from RON configs ([`config`]) or in Rust ([`ModelBuilder`]); every kind of entity resolves
//! through the [`registry`], where users' own kinds are registered exactly like the built-ins.
//!
//! ```no_run
//! use cortecs::prelude::*;
//! # fn main() -> Result<(), cortecs::Error> {
//! let mut model = Model::from_config_file("configs/lif_poisson.ron")?;
//! model.run_steps(250)?;
//! let v = model.probe("z1", "v")?; // steps × units
//! model.save("runs/lif/saved")?;
//! # Ok(()) }
//! ```
//!
//! Units: time in ms, voltage in mV where the reference library uses mV, rates in Hz.

#![warn(missing_docs)]
// `Real` is `f32` or `f64`: a conversion between `Real` and `f64` is needed in the default
// build and is the identity in the `f64` one. A cast that is useless in both builds is still
// caught by the default build's clippy.
#![cfg_attr(
    feature = "f64",
    allow(clippy::unnecessary_cast, clippy::useless_conversion)
)]

pub use bevy_ecs;
pub use cortecs_components as components;
pub use cortecs_components::Real;

pub mod analysis;
pub mod bench;
pub mod config;
pub mod error;
pub mod loihi;
pub mod model;
pub mod persist;
pub mod plot;
pub mod probe;
pub mod registry;
pub mod schedule;

pub use error::Error;
pub use model::{Decoders, Model, ModelBuilder, Target};
pub use registry::{BuildCtx, Kind, KindError, Registry, Role};

/// The names most programs need, including everything a custom system, resource, component
/// or kind needs: `use cortecs::prelude::*;` alone makes `#[derive(Resource)]`,
/// `#[derive(Component)]` and `#[derive(SystemParam)]` work in a crate that does not depend
/// on `bevy_ecs` itself (the derives name the crate `bevy_ecs`, which the prelude brings into
/// scope).
///
/// Custom systems and resources are not saved: after [`Model::load`], add them again.
///
/// ```
/// use cortecs::prelude::*;
///
/// /// Spikes of `z1` counted over the run.
/// #[derive(Resource, Default)]
/// struct SpikeCount(f64);
///
/// fn count(mut total: ResMut<SpikeCount>, q: Query<&Spikes>) {
///     total.0 += q.iter().flat_map(|s| s.0.iter()).map(|s| f64::from(*s)).sum::<f64>();
/// }
///
/// # fn main() -> Result<(), cortecs::Error> {
/// let config = r#"Model(dt: 1.0,
///     cells: [(name: "z1", kind: "LIF", params: (n_units: 4, tau_m: 10.0))],
///     inputs: [(name: "I", kind: "Constant", target: "z1", params: (value: 30.0))],
/// )"#;
/// let mut model = Model::from_config_str(config, &Registry::with_builtins())?;
/// model.world_mut().insert_resource(SpikeCount::default());
/// model.schedule_mut().add(Phase::Record, count);
/// model.run_steps(100)?;
/// assert!(model.world().resource::<SpikeCount>().0 > 0.0);
/// # Ok(()) }
/// ```
pub mod prelude {
    pub use crate::components::Real;
    pub use crate::components::compartment::*;
    pub use crate::components::{Clock, Compartment};
    pub use crate::registry::{BuildCtx, Kind, KindError, Registry, Role};
    pub use crate::schedule::Phase;
    pub use crate::schedule::StepSchedule;
    pub use crate::{Error, Model, ModelBuilder};
    pub use bevy_ecs;
    pub use bevy_ecs::prelude::*;
}
