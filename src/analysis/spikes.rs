//! Analysis of spike recordings: spike times, firing rates, inter-spike intervals, and the RMSE
//! between a recorded and a reference signal.
//!
//! A spike recording is a probe of a spike compartment: an array of `steps × neurons`
//! ([`ArrayView2<Real>`]), row `k` holding the state **after step `k + 1`**, so a spike in row
//! `k` happened at time `t_k = (k + 1)·dt`. A spike is any value `> 0`: Nengo-style neurons
//! output `amplitude / dt` (e.g. 1000 at dt = 1 ms), ngclearn cells output 1.0. A step holding
//! a value > 0 counts as **one** spike, whatever the value (a Nengo `SpikingRectifiedLinear`
//! that fires several spikes in one step writes `n·amplitude/dt`; that step still counts once —
//! divide the raster by `amplitude/dt` yourself if you need those counts). NaN is not a spike.
//!
//! Times are in ms and rates in Hz, as everywhere in cortecs. Every function that takes `dt_ms`
//! checks that it is finite and positive ([`AnalysisError::InvalidDt`]); functions that divide
//! by the length of the recording or compare two arrays return an [`AnalysisError`] instead of
//! NaN or a panic when it is empty or the shapes differ.

use ndarray::{Array2, ArrayView2, Axis};

use crate::Real;

/// Why an analysis could not be done.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AnalysisError {
    /// `dt_ms` is zero, negative, NaN or infinite.
    #[error("dt_ms must be a finite number of milliseconds > 0, found {0}")]
    InvalidDt(f64),
    /// The recording has no steps (or no elements) where a duration or a mean is needed.
    #[error("{what}: the recording is empty ({rows} steps × {cols} columns)")]
    Empty {
        /// The function.
        what: &'static str,
        /// Rows (steps).
        rows: usize,
        /// Columns.
        cols: usize,
    },
    /// Two arrays that must have the same shape do not.
    #[error("{what}: shapes differ: {left:?} vs {right:?} (steps × columns)")]
    ShapeMismatch {
        /// The function.
        what: &'static str,
        /// Shape of the first array.
        left: (usize, usize),
        /// Shape of the second array.
        right: (usize, usize),
    },
    /// A bin of zero steps.
    #[error("{what}: bin_steps must be at least 1")]
    ZeroBin {
        /// The function.
        what: &'static str,
    },
}

fn check_dt(dt_ms: f64) -> Result<(), AnalysisError> {
    if dt_ms.is_finite() && dt_ms > 0.0 {
        Ok(())
    } else {
        Err(AnalysisError::InvalidDt(dt_ms))
    }
}

fn check_not_empty(what: &'static str, rows: usize, cols: usize) -> Result<(), AnalysisError> {
    if rows == 0 {
        return Err(AnalysisError::Empty { what, rows, cols });
    }
    Ok(())
}

/// The rows (0-based steps) at which each neuron spiked, in order.
fn spike_steps(spikes: ArrayView2<Real>) -> Vec<Vec<usize>> {
    spikes
        .columns()
        .into_iter()
        .map(|col| {
            col.iter()
                .enumerate()
                .filter(|(_, v)| **v > 0.0)
                .map(|(k, _)| k)
                .collect()
        })
        .collect()
}

/// Spike times per neuron (ms): a spike in row `k` (0-based) happened at `t = (k + 1)·dt`,
/// since probe row `k` holds the state after step `k + 1`.
pub fn spike_times(spikes: ArrayView2<Real>, dt_ms: f64) -> Result<Vec<Vec<f64>>, AnalysisError> {
    check_dt(dt_ms)?;
    Ok(spike_steps(spikes)
        .into_iter()
        .map(|steps| steps.into_iter().map(|k| (k + 1) as f64 * dt_ms).collect())
        .collect())
}

/// Number of spikes per neuron (rows holding a value > 0).
pub fn spike_counts(spikes: ArrayView2<Real>) -> Vec<usize> {
    spikes
        .columns()
        .into_iter()
        .map(|col| col.iter().filter(|v| **v > 0.0).count())
        .collect()
}

/// Mean firing rate per neuron (Hz) over the whole recording:
/// `rate = count / T`, `T = rows·dt / 1000` s. Errors on an empty recording (no duration).
pub fn firing_rates(spikes: ArrayView2<Real>, dt_ms: f64) -> Result<Vec<f64>, AnalysisError> {
    check_dt(dt_ms)?;
    check_not_empty("firing_rates", spikes.nrows(), spikes.ncols())?;
    let duration_s = spikes.nrows() as f64 * dt_ms / 1000.0;
    Ok(spike_counts(spikes)
        .into_iter()
        .map(|n| n as f64 / duration_s)
        .collect())
}

/// Time-resolved firing rates (Hz) from spike counts in consecutive bins of `bin_steps` rows:
/// `rates[b, i] = count_i(bin b) / (len_b·dt / 1000)`, where `len_b = bin_steps` except for a
/// shorter last bin when `rows` is not a multiple of `bin_steps` (its rate uses its own length).
/// The result is `⌈rows / bin_steps⌉ × neurons`; bin `b` covers times
/// `(b·bin_steps·dt, (b·bin_steps + len_b)·dt]`. Errors on `bin_steps = 0` or an empty recording.
pub fn spike_count_rates(
    spikes: ArrayView2<Real>,
    dt_ms: f64,
    bin_steps: usize,
) -> Result<Array2<f64>, AnalysisError> {
    check_dt(dt_ms)?;
    if bin_steps == 0 {
        return Err(AnalysisError::ZeroBin {
            what: "spike_count_rates",
        });
    }
    check_not_empty("spike_count_rates", spikes.nrows(), spikes.ncols())?;
    let n_bins = spikes.nrows().div_ceil(bin_steps);
    let mut rates = Array2::zeros((n_bins, spikes.ncols()));
    for (b, chunk) in spikes.axis_chunks_iter(Axis(0), bin_steps).enumerate() {
        let duration_s = chunk.nrows() as f64 * dt_ms / 1000.0;
        for (i, n) in spike_counts(chunk).into_iter().enumerate() {
            rates[[b, i]] = n as f64 / duration_s;
        }
    }
    Ok(rates)
}

/// Inter-spike intervals per neuron (ms): `isi_j = t_{j+1} − t_j = (k_{j+1} − k_j)·dt` for
/// consecutive spikes in rows `k_j`. A neuron with fewer than 2 spikes gets an empty list.
pub fn isis(spikes: ArrayView2<Real>, dt_ms: f64) -> Result<Vec<Vec<f64>>, AnalysisError> {
    check_dt(dt_ms)?;
    Ok(spike_steps(spikes)
        .into_iter()
        .map(|steps| {
            steps
                .windows(2)
                .map(|w| (w[1] - w[0]) as f64 * dt_ms)
                .collect()
        })
        .collect())
}

/// Summary of one neuron's inter-spike intervals.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct IsiStats {
    /// Mean ISI (ms): `μ = Σ isi_j / m` over the m intervals.
    pub mean_ms: f64,
    /// Coefficient of variation `σ / μ`, with the population standard deviation
    /// `σ = sqrt(Σ (isi_j − μ)² / m)` (0 for a perfectly regular train or a single interval).
    pub cv: f64,
    /// The rate implied by the mean ISI (Hz): `1000 / μ`. Unlike [`firing_rates`], this ignores
    /// the silent time before the first and after the last spike.
    pub rate_hz: f64,
}

/// Per neuron, the [`IsiStats`] of its inter-spike intervals, or `None` when it spiked fewer
/// than 2 times (no interval).
pub fn isi_stats(
    spikes: ArrayView2<Real>,
    dt_ms: f64,
) -> Result<Vec<Option<IsiStats>>, AnalysisError> {
    Ok(isis(spikes, dt_ms)?
        .into_iter()
        .map(|isi| {
            if isi.is_empty() {
                return None;
            }
            let m = isi.len() as f64;
            let mean_ms = isi.iter().sum::<f64>() / m;
            let var = isi.iter().map(|x| (x - mean_ms).powi(2)).sum::<f64>() / m;
            Some(IsiStats {
                mean_ms,
                cv: var.sqrt() / mean_ms,
                rate_hz: 1000.0 / mean_ms,
            })
        })
        .collect())
}

fn check_same_shape(
    what: &'static str,
    a: ArrayView2<Real>,
    b: ArrayView2<f64>,
) -> Result<(), AnalysisError> {
    if a.dim() != b.dim() {
        return Err(AnalysisError::ShapeMismatch {
            what,
            left: a.dim(),
            right: b.dim(),
        });
    }
    Ok(())
}

/// Root-mean-square error over all elements of two signals of the same shape (e.g. a decoded
/// probe and its target): `sqrt( Σ_{k,j} (a_kj − b_kj)² / (rows·cols) )`. Errors when the
/// shapes differ or there are no elements.
pub fn rmse(a: ArrayView2<Real>, b: ArrayView2<f64>) -> Result<f64, AnalysisError> {
    check_same_shape("rmse", a, b)?;
    if a.is_empty() {
        return Err(AnalysisError::Empty {
            what: "rmse",
            rows: a.nrows(),
            cols: a.ncols(),
        });
    }
    let sum: f64 = a
        .iter()
        .zip(b.iter())
        .map(|(&x, &y)| (f64::from(x) - y).powi(2))
        .sum();
    Ok((sum / a.len() as f64).sqrt())
}

/// Root-mean-square error per column (e.g. per decoded dimension):
/// `rmse_j = sqrt( Σ_k (a_kj − b_kj)² / rows )`. Errors when the shapes differ or there are no
/// rows.
pub fn rmse_per_column(a: ArrayView2<Real>, b: ArrayView2<f64>) -> Result<Vec<f64>, AnalysisError> {
    check_same_shape("rmse_per_column", a, b)?;
    check_not_empty("rmse_per_column", a.nrows(), a.ncols())?;
    let rows = a.nrows() as f64;
    Ok(a.columns()
        .into_iter()
        .zip(b.columns())
        .map(|(x, y)| {
            let sum: f64 = x
                .iter()
                .zip(y.iter())
                .map(|(&x, &y)| (f64::from(x) - y).powi(2))
                .sum();
            (sum / rows).sqrt()
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Array2, array};

    /// A `rows × neurons` raster with `value` at the given (row, neuron) cells.
    fn raster(rows: usize, neurons: usize, value: Real, cells: &[(usize, usize)]) -> Array2<Real> {
        let mut s = Array2::zeros((rows, neurons));
        for &(k, i) in cells {
            s[[k, i]] = value;
        }
        s
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-12 * b.abs().max(1.0)
    }

    #[test]
    fn regular_train_every_5th_step() {
        // Neuron 0 spikes in rows 4, 9, …, 99 (20 spikes in 100 ms at dt = 1 ms) → 200 Hz,
        // 19 ISIs of 5 ms, cv 0; neuron 1 spikes once (row 0) → 10 Hz, no ISI; neuron 2 never.
        let mut cells: Vec<(usize, usize)> = (4..100).step_by(5).map(|k| (k, 0)).collect();
        cells.push((0, 1));
        let s = raster(100, 3, 1000.0, &cells);
        assert_eq!(spike_counts(s.view()), vec![20, 1, 0]);
        assert_eq!(firing_rates(s.view(), 1.0).unwrap(), vec![200.0, 10.0, 0.0]);
        let t = spike_times(s.view(), 1.0).unwrap();
        assert_eq!(t[0][..3], [5.0, 10.0, 15.0]);
        assert_eq!(t[0].last(), Some(&100.0));
        assert_eq!(t[1], vec![1.0]);
        assert!(t[2].is_empty());
        let isi = isis(s.view(), 1.0).unwrap();
        assert_eq!(isi[0], vec![5.0; 19]);
        assert!(isi[1].is_empty() && isi[2].is_empty());
        let stats = isi_stats(s.view(), 1.0).unwrap();
        assert_eq!(
            stats[0],
            Some(IsiStats {
                mean_ms: 5.0,
                cv: 0.0,
                rate_hz: 200.0
            })
        );
        assert_eq!(stats[1], None);
        assert_eq!(stats[2], None);
    }

    #[test]
    fn spike_times_use_row_plus_one_and_dt() {
        // dt = 0.5 ms. Neuron 0: rows 0 and 3 → 0.5, 2.0 ms. Neuron 1: a negative value in row 2
        // and NaN in row 4 are not spikes; 1.0 (ngclearn style) in row 5 is → 3.0 ms.
        let mut s = raster(6, 2, 1.0, &[(0, 0), (3, 0), (5, 1)]);
        s[[2, 1]] = -1.0;
        s[[4, 1]] = Real::NAN;
        let t = spike_times(s.view(), 0.5).unwrap();
        assert_eq!(t, vec![vec![0.5, 2.0], vec![3.0]]);
        // 2 spikes in 6 × 0.5 ms = 3 ms → 666.67 Hz; 1 spike → 333.33 Hz.
        let r = firing_rates(s.view(), 0.5).unwrap();
        assert!(
            close(r[0], 2000.0 / 3.0) && close(r[1], 1000.0 / 3.0),
            "{r:?}"
        );
    }

    #[test]
    fn irregular_isis_and_cv() {
        // Spikes in rows 1, 3, 7 at dt = 2 ms: times 4, 8, 16 ms, ISIs [4, 8] ms.
        // μ = 6, σ = sqrt(((4−6)² + (8−6)²)/2) = 2, cv = 1/3, rate = 1000/6 Hz.
        let s = raster(10, 1, 1.0, &[(1, 0), (3, 0), (7, 0)]);
        assert_eq!(
            spike_times(s.view(), 2.0).unwrap(),
            vec![vec![4.0, 8.0, 16.0]]
        );
        assert_eq!(isis(s.view(), 2.0).unwrap(), vec![vec![4.0, 8.0]]);
        let st = isi_stats(s.view(), 2.0).unwrap()[0].unwrap();
        assert!(close(st.mean_ms, 6.0));
        assert!(close(st.cv, 1.0 / 3.0));
        assert!(close(st.rate_hz, 1000.0 / 6.0));
        // Mean rate over the whole recording differs: 3 spikes / 20 ms = 150 Hz.
        assert!(close(firing_rates(s.view(), 2.0).unwrap()[0], 150.0));
        // Exactly two spikes: one interval, cv 0.
        let s = raster(10, 1, 1.0, &[(2, 0), (6, 0)]);
        let st = isi_stats(s.view(), 1.0).unwrap()[0].unwrap();
        assert_eq!((st.mean_ms, st.cv, st.rate_hz), (4.0, 0.0, 250.0));
    }

    #[test]
    fn binned_spike_count_rates() {
        // 10 rows at dt = 1 ms, bins of 4: rows [0, 4), [4, 8), [8, 10).
        // Neuron 0 spikes in rows 0, 1, 5, 9 → counts 2, 1, 1 → 2/4 ms = 500 Hz, 1/4 ms = 250 Hz,
        // 1/2 ms (short last bin) = 500 Hz. Neuron 1 spikes in row 7 → 0, 250, 0.
        let s = raster(10, 2, 1000.0, &[(0, 0), (1, 0), (5, 0), (9, 0), (7, 1)]);
        let r = spike_count_rates(s.view(), 1.0, 4).unwrap();
        assert_eq!(r, array![[500.0, 0.0], [250.0, 250.0], [500.0, 0.0]]);
        // One bin covering everything is the mean rate.
        let r = spike_count_rates(s.view(), 1.0, 10).unwrap();
        assert_eq!(r.row(0).to_vec(), firing_rates(s.view(), 1.0).unwrap());
        assert_eq!(
            spike_count_rates(s.view(), 1.0, 0),
            Err(AnalysisError::ZeroBin {
                what: "spike_count_rates"
            })
        );
    }

    #[test]
    fn rmse_all_and_per_column() {
        // Differences [[0, 2], [0, 4]]: all → sqrt((4 + 16)/4) = sqrt(5);
        // per column → [0, sqrt((4 + 16)/2) = sqrt(10)].
        let a: Array2<Real> = array![[1.0, 2.0], [3.0, 4.0]];
        let b: Array2<f64> = array![[1.0, 0.0], [3.0, 0.0]];
        assert!(close(rmse(a.view(), b.view()).unwrap(), 5f64.sqrt()));
        let per = rmse_per_column(a.view(), b.view()).unwrap();
        assert_eq!(per[0], 0.0);
        assert!(close(per[1], 10f64.sqrt()));
        assert_eq!(rmse(a.view(), a.mapv(f64::from).view()), Ok(0.0));
    }

    #[test]
    fn errors() {
        let s = raster(4, 2, 1.0, &[(0, 0)]);
        for dt in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            assert!(matches!(
                spike_times(s.view(), dt),
                Err(AnalysisError::InvalidDt(_))
            ));
            assert!(matches!(
                firing_rates(s.view(), dt),
                Err(AnalysisError::InvalidDt(_))
            ));
            assert!(matches!(
                isis(s.view(), dt),
                Err(AnalysisError::InvalidDt(_))
            ));
            assert!(matches!(
                isi_stats(s.view(), dt),
                Err(AnalysisError::InvalidDt(_))
            ));
            assert!(matches!(
                spike_count_rates(s.view(), dt, 2),
                Err(AnalysisError::InvalidDt(_))
            ));
        }
        assert_eq!(
            AnalysisError::InvalidDt(-1.0).to_string(),
            "dt_ms must be a finite number of milliseconds > 0, found -1"
        );
        // An empty recording has spike times (none) but no rate.
        let empty = Array2::<Real>::zeros((0, 3));
        assert_eq!(
            spike_times(empty.view(), 1.0).unwrap(),
            vec![Vec::<f64>::new(); 3]
        );
        assert_eq!(isi_stats(empty.view(), 1.0).unwrap(), vec![None; 3]);
        let e = firing_rates(empty.view(), 1.0).unwrap_err();
        assert_eq!(
            e,
            AnalysisError::Empty {
                what: "firing_rates",
                rows: 0,
                cols: 3
            }
        );
        assert_eq!(
            e.to_string(),
            "firing_rates: the recording is empty (0 steps × 3 columns)"
        );
        assert!(matches!(
            spike_count_rates(empty.view(), 1.0, 2),
            Err(AnalysisError::Empty { .. })
        ));
        // Shapes.
        let a = Array2::<Real>::zeros((3, 2));
        let b = Array2::<f64>::zeros((2, 3));
        let e = rmse(a.view(), b.view()).unwrap_err();
        assert_eq!(
            e,
            AnalysisError::ShapeMismatch {
                what: "rmse",
                left: (3, 2),
                right: (2, 3)
            }
        );
        assert_eq!(
            e.to_string(),
            "rmse: shapes differ: (3, 2) vs (2, 3) (steps × columns)"
        );
        assert!(matches!(
            rmse_per_column(a.view(), b.view()),
            Err(AnalysisError::ShapeMismatch { .. })
        ));
        let (a0, b0) = (Array2::<Real>::zeros((0, 2)), Array2::<f64>::zeros((0, 2)));
        assert!(matches!(
            rmse(a0.view(), b0.view()),
            Err(AnalysisError::Empty { .. })
        ));
        assert!(matches!(
            rmse_per_column(a0.view(), b0.view()),
            Err(AnalysisError::Empty { .. })
        ));
    }
}
