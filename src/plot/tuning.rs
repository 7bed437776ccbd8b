//! Charts of tuning curves: firing rate against the represented value.

use ndarray::Array2;

use super::MAX_SERIES;
use super::line_chart::{LineChart, Series};

/// A line chart of tuning curves: the rate (Hz) of each neuron against `xs`.
///
/// `rates` is points × neurons, as [`crate::analysis::tuning_curves`] returns it, and row `p`
/// is the rates at `xs[p]` (extra rows or points are ignored). One series per neuron, named
/// `neuron <i>`, for at most [`MAX_SERIES`] neurons; when there are more, the title says how
/// many are drawn.
pub fn tuning_chart(xs: &[f64], rates: &Array2<f64>, title: &str) -> LineChart {
    let neurons = rates.ncols();
    let title = if neurons > MAX_SERIES {
        format!("{title} (first {MAX_SERIES} of {neurons} neurons)")
    } else {
        title.to_owned()
    };
    let series = rates
        .columns()
        .into_iter()
        .take(MAX_SERIES)
        .enumerate()
        .map(|(i, column)| Series {
            name: format!("neuron {i}"),
            xs: xs.to_vec(),
            ys: column.to_vec(),
        })
        .collect();
    LineChart {
        title,
        x_label: "x".into(),
        y_label: "rate (Hz)".into(),
        series,
        log_x: false,
        log_y: false,
    }
}
