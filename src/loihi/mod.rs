//! NEF models on the emulated Loihi chip (NengoLoihi 1.1.0's `Simulator(target="sim")`).
//!
//! - [`build`]: the layout — which blocks, synapses, axons and host encoders NengoLoihi
//!   makes of a NEF model (table in the module docs);
//! - [`plan`](mod@plan): the mapping report of that layout (cores, axons, synapse memory, broken
//!   limits) and a time/energy estimate, before anything runs;
//! - [`simulator`]: [`LoihiSimulator`] runs the layout on the bit-exact emulator with its
//!   host side, and records the model's probes.
//!
//! Build the model for the chip with [`crate::Target::Loihi`] (intercepts limited to 0.95,
//! decoders solved against `loihi_rates`), then run it:
//!
//! ```no_run
//! use cortecs::{Model, Target};
//! use cortecs::loihi::{LoihiOptions, LoihiSimulator};
//!
//! let model = Model::from_config_file_for("configs/nef_channel.ron", Target::Loihi)?;
//! let mut sim = LoihiSimulator::new(model, LoihiOptions::default())?;
//! sim.run_steps(1000)?;
//! let b = sim.probe("B", "decoded")?; // 1000 × 1, Nengo units
//! # Ok::<(), cortecs::Error>(())
//! ```

pub mod build;
pub mod plan;
pub mod simulator;

pub use plan::{LoihiPlan, activity, measure_spikes, plan};
pub use simulator::{LoihiOptions, LoihiSimulator};
