//! Spiking cells of the ngclearn family (ngclearn 3.2.3 semantics).

pub mod bookkeeping;
pub mod fitzhugh_nagumo;
pub mod iaf;
pub mod integrate;
pub mod izhikevich;
pub mod lif;
pub mod quad_lif;
pub mod slif;
pub mod surrogate;
pub mod two_variable;

pub use fitzhugh_nagumo::FitzhughNagumoParams;
pub use iaf::IafParams;
pub use integrate::Integrator;
pub use izhikevich::{IzhikevichParams, IzhikevichPreset};
pub use lif::{LifCell, LifParams};
pub use quad_lif::QuadLifParams;
pub use slif::SlifParams;
