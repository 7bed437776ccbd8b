//! Analysis of models and recordings: tuning and response curves, analytic and simulated
//! ([`tuning`]), tables of ensembles' neurons and connections' decoders ([`report`]), and
//! spike-train statistics, firing rates and decoding error ([`spikes`]), per neuron for a
//! run directory's spike probes ([`mod@spike_report`]).

pub mod report;
pub mod spike_report;
pub mod spikes;
pub mod tuning;

pub use report::{DecoderReport, EnsembleReport, NeuronRow, decoder_report, ensemble_report};
pub use spike_report::{SpikeReport, spike_report};
pub use spikes::{
    AnalysisError, IsiStats, firing_rates, isi_stats, isis, rmse, rmse_per_column,
    spike_count_rates, spike_counts, spike_times,
};
pub use tuning::{empirical_tuning_curves, response_curves, tuning_curves};
