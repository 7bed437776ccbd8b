//! Compartments: ECS components that hold one value per unit of a population.
//!
//! A compartment type is shared by every cell kind that has it (LIF, Izhikevich and a user's
//! custom cell all store their membrane potential in [`Voltage`]), so generic systems — gather,
//! probes, persistence, time-of-last-spike — work across kinds. Each type has the reference
//! library's name ([`Compartment::NAME`], e.g. `"v"`), by which probes, configs and saved files
//! address it.

use bevy_ecs::component::{Component, Mutable};

use crate::Real;

/// A per-unit state array stored as an ECS component, addressable by its reference name.
pub trait Compartment: Component<Mutability = Mutable> + Sized {
    /// The reference library's name of this compartment (`"v"`, `"j"`, `"s"` …).
    const NAME: &'static str;
    /// Wraps a vector of per-unit values.
    fn from_vec(values: Vec<Real>) -> Self;
    /// The per-unit values.
    fn values(&self) -> &[Real];
    /// The per-unit values, mutable (the length is fixed at build time: do not resize).
    fn values_mut(&mut self) -> &mut [Real];
}

/// Declares a compartment type: `compartment!(Voltage, "v", "Membrane potential (mV).")`.
///
/// Public so that users' crates declare their own compartments exactly as the built-ins do.
#[macro_export]
macro_rules! compartment {
    ($(#[$meta:meta])* $ty:ident, $name:literal) => {
        $(#[$meta])*
        #[derive(bevy_ecs::component::Component, Clone, Debug, Default, PartialEq)]
        pub struct $ty(pub Vec<$crate::Real>);

        impl $crate::compartment::Compartment for $ty {
            const NAME: &'static str = $name;
            fn from_vec(values: Vec<$crate::Real>) -> Self {
                Self(values)
            }
            fn values(&self) -> &[$crate::Real] {
                &self.0
            }
            fn values_mut(&mut self) -> &mut [$crate::Real] {
                &mut self.0
            }
        }
    };
}

compartment!(
    /// `j` — electrical input current into each unit (ngclearn's `j`; units of the cell's
    /// input, mV-equivalent for LIF after `resist_m`).
    Current, "j"
);
compartment!(
    /// `v` — membrane potential (mV).
    Voltage, "v"
);
compartment!(
    /// `s` — spikes emitted this step (1.0 or 0.0). For input encoders this is ngclearn's
    /// `outputs`.
    Spikes, "s"
);
compartment!(
    /// `s_raw` — spikes before any one-spike selection (1.0 or 0.0).
    RawSpikes, "s_raw"
);
compartment!(
    /// `rfr` — time since the last spike as a running float sum (ms); the input is masked
    /// while `rfr < refract_time`.
    Refract, "rfr"
);
compartment!(
    /// `tols` — time of the last spike (ms, the `t` of the step it happened in).
    TimeOfLastSpike, "tols"
);
compartment!(
    /// `thr_theta` — adaptive threshold shift added to the base threshold (mV).
    ThresholdTheta, "thr_theta"
);
compartment!(
    /// `v_thr` — the effective threshold the next step uses (mV).
    Threshold, "v_thr"
);
compartment!(
    /// `surrogate` — surrogate derivative of the spike function (dimensionless).
    Surrogate, "surrogate"
);
compartment!(
    /// `inputs` — data driving an input encoder (for Poisson: intensity in [0, 1] scaling
    /// `target_freq`; for Bernoulli: spike probability per step).
    Inputs, "inputs"
);
compartment!(
    /// `outputs` — the output buffer of a synapse or current source, summed into its target's
    /// `j` in the Gather phase.
    Outputs, "outputs"
);
compartment!(
    /// `w` — recovery variable of two-variable cells (Izhikevich's u, FitzHugh–Nagumo's w;
    /// units of the cell's voltage).
    Recovery, "w"
);
compartment!(
    /// `thr` — per-unit adaptive spike threshold (SLIF; units of the cell's voltage).
    AdaptiveThreshold, "thr"
);
compartment!(
    /// `threshold0` — per-unit initial thresholds (SLIF's jittered `thr`, restored by a reset).
    InitialThreshold, "threshold0"
);

/// A per-entity matrix stored row-major (synaptic weights, SLIF's inhibition matrix),
/// addressable by its reference name like a compartment.
pub trait MatrixArray: Component<Mutability = Mutable> {
    /// The reference library's name (`"weights"`, `"inh_weights"`).
    const NAME: &'static str;
    /// (rows, columns).
    fn shape(&self) -> [usize; 2];
    /// Row-major values.
    fn values(&self) -> &[Real];
    /// Row-major values, mutable (the shape is fixed at build time).
    fn values_mut(&mut self) -> &mut [Real];
}
compartment!(
    /// `refractory_time` — Nengo LIF's remaining refractory time (ms); it keeps counting down
    /// below 0 between spikes, as Nengo's does.
    RefractoryTime, "refractory_time"
);
compartment!(
    /// `output` — a Nengo neuron's output: its rate (Hz) for rate neurons, `amplitude / dt`
    /// (dt in seconds) on a spike step for spiking ones, so that decoded values equal Nengo's.
    NeuronOutput, "output"
);
compartment!(
    /// `input` — a Nengo neuron's input current `J = bias + gain·(e·x)/radius + …`
    /// (dimensionless; the LIF threshold is 1).
    NeuronInput, "input"
);
compartment!(
    /// `voltage` — a Nengo neuron's membrane voltage (dimensionless: LIF resets to 0 and fires
    /// above 1).
    NefVoltage, "voltage"
);
