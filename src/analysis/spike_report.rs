//! Per-neuron firing rates and inter-spike intervals of the spike probes a run wrote (what
//! `cortecs rates DIR` prints): Brian2's `SpikeMonitor.count`, Nengo's ISI node, as a table.
//!
//! ```
//! use cortecs::analysis::spike_report;
//! use cortecs::prelude::*;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let mut model = Model::from_config_str(
//!     r#"Model(dt: 1.0, cells: [
//!          (name: "x", kind: "Node", params: (output: Constant([0.5]))),
//!          (name: "A", kind: "Ensemble", params: (n_neurons: 3, dimensions: 1)),
//!        ],
//!        synapses: [(name: "in", kind: "Connection", pre: "x", post: "A", params: ())],
//!        probes: [(target: "A", compartment: "output")])"#,
//!     &Registry::with_builtins(),
//! )?;
//! model.run_steps(500)?;
//! let dir = std::env::temp_dir().join(format!("cortecs-spike-report-{}", std::process::id()));
//! model.write_probes(&dir)?;
//! let reports = spike_report(&dir)?;
//! assert_eq!(reports[0].probe, "A.output");
//! assert_eq!(reports[0].rates_hz.len(), 3); // one per neuron
//! # std::fs::remove_dir_all(&dir)?;
//! # Ok(())
//! # }
//! ```
//!
//! Units: time in ms, rates in Hz.

use std::path::Path;

use ndarray::Array2;

use super::report::TABLE_ROWS;
use super::spikes::{IsiStats, firing_rates, isi_stats, spike_counts};
use crate::Real;
use crate::error::Error;
use crate::plot::run_dir::{RunLayout, required_dt, spike_probes};

/// The spike statistics of one probe, one entry per neuron.
#[derive(Clone, Debug, PartialEq)]
pub struct SpikeReport {
    /// The probe file's stem (`<target>.<compartment>[.<start>-<end>]`).
    pub probe: String,
    /// The unit of the first column (a probe of a slice starts at its slice's start).
    pub first_unit: usize,
    /// Steps between recorded rows (the probe's `sample_every`): above 1, spikes on the steps
    /// between samples were not recorded, and counts and rates miss them.
    pub sample_every: u64,
    /// The recording's length (ms): rows × sample_every × dt.
    pub duration_ms: f64,
    /// Spikes per neuron.
    pub counts: Vec<usize>,
    /// Mean rate per neuron over the whole recording (Hz): count / duration.
    pub rates_hz: Vec<f64>,
    /// Inter-spike-interval statistics per neuron (mean ISI in ms, CV, 1000 / mean ISI in Hz);
    /// `None` for a neuron with fewer than 2 spikes.
    pub isi: Vec<Option<IsiStats>>,
}

/// The [`SpikeReport`] of every spike probe in run directory `dir` (the probes `cortecs plot`
/// draws as rasters), with the step and each probe's `sample_every` from its `model.ron`
/// (an error without one: rates need the run's step).
///
/// Errors ([`Error::Build`], naming the directory or file): no probe files, a probe that is not
/// a float array, no spike probe among them.
pub fn spike_report(dir: &Path) -> Result<Vec<SpikeReport>, Error> {
    let fail = |e: &dyn std::fmt::Display| Error::Build(e.to_string());
    let dt_ms = required_dt(dir).map_err(|e| fail(&e))?;
    let probes = spike_probes(dir).map_err(|e| fail(&e))?;
    let layout = RunLayout::read(dir);
    if probes.is_empty() {
        return Err(Error::Build(format!(
            "{}: no spike probes (compartment `s`, or a neuron `output` of 0s and one spike \
             value)",
            dir.display()
        )));
    }
    probes
        .into_iter()
        .map(|(probe, first_unit, data)| {
            let data: Array2<Real> = data.mapv(|v| v as Real);
            let sample_every = layout.sample_every(&probe);
            let dt_ms = dt_ms * sample_every as f64;
            let stats = |e: super::spikes::AnalysisError| Error::Build(format!("{probe}: {e}"));
            Ok(SpikeReport {
                sample_every,
                duration_ms: data.nrows() as f64 * dt_ms,
                counts: spike_counts(data.view()),
                rates_hz: firing_rates(data.view(), dt_ms).map_err(stats)?,
                isi: isi_stats(data.view(), dt_ms).map_err(stats)?,
                probe,
                first_unit,
            })
        })
        .collect()
}

impl SpikeReport {
    /// The table as CSV: `neuron,spikes,rate_hz,mean_isi_ms,isi_rate_hz,isi_cv`, one row per
    /// neuron (empty ISI fields for neurons with fewer than 2 spikes).
    pub fn to_csv(&self) -> String {
        let mut csv = String::from("neuron,spikes,rate_hz,mean_isi_ms,isi_rate_hz,isi_cv\n");
        for i in 0..self.counts.len() {
            let isi = match self.isi[i] {
                Some(s) => format!("{},{},{}", s.mean_ms, s.rate_hz, s.cv),
                None => ",,".to_owned(),
            };
            csv.push_str(&format!(
                "{},{},{},{isi}\n",
                self.first_unit + i,
                self.counts[i],
                self.rates_hz[i]
            ));
        }
        csv
    }
}

impl std::fmt::Display for SpikeReport {
    /// A heading line, then one row per neuron (the first [`TABLE_ROWS`], then how many more):
    /// neuron, spikes, rate (Hz), mean ISI (ms), 1000/mean ISI (Hz), ISI CV.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.counts.len();
        let total: usize = self.counts.iter().sum();
        let mean = self.rates_hz.iter().sum::<f64>() / n.max(1) as f64;
        writeln!(
            f,
            "{}: {n} neurons, {total} spikes in {} ms, mean rate {mean:.3} Hz",
            self.probe, self.duration_ms
        )?;
        if self.sample_every > 1 {
            writeln!(
                f,
                "  (sampled every {} steps: spikes between samples were not recorded)",
                self.sample_every
            )?;
        }
        writeln!(
            f,
            "{:>6}  {:>7}  {:>10}  {:>13}  {:>12}  {:>7}",
            "neuron", "spikes", "rate Hz", "mean ISI ms", "1/ISI Hz", "ISI CV"
        )?;
        for i in 0..n.min(TABLE_ROWS) {
            let isi = match self.isi[i] {
                Some(s) => format!("{:>13.3}  {:>12.3}  {:>7.3}", s.mean_ms, s.rate_hz, s.cv),
                None => format!("{:>13}  {:>12}  {:>7}", "-", "-", "-"),
            };
            writeln!(
                f,
                "{:>6}  {:>7}  {:>10.3}  {isi}",
                self.first_unit + i,
                self.counts[i],
                self.rates_hz[i]
            )?;
        }
        if n > TABLE_ROWS {
            writeln!(f, "{:>6}  … {} more", "", n - TABLE_ROWS)?;
        }
        Ok(())
    }
}
