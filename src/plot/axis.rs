//! Axis scales: where a data value lies along an axis, and which tick marks label it.

/// A linear or base-10 logarithmic axis over a range snapped outwards to its outer ticks.
///
/// Linear axes tick at round numbers (1, 2 or 5 times a power of ten, about five intervals);
/// logarithmic axes tick at decades (every decade up to ten of them, every n-th beyond).
#[derive(Debug)]
pub(crate) struct Axis {
    /// The lower end, in scale space (the value, or its `log10` on a log axis).
    lo: f64,
    /// The upper end, in scale space.
    hi: f64,
    /// Whether the scale is `log10`.
    log: bool,
    /// The tick marks: data value and label.
    ticks: Vec<(f64, String)>,
}

impl Axis {
    /// A linear axis covering `[min, max]` (finite, `min <= max`), snapped to round ticks; a
    /// single value is widened by 10 % of its magnitude (or by 1 at zero) on each side.
    pub(crate) fn linear(min: f64, max: f64) -> Self {
        let (min, max) = if min < max {
            (min, max)
        } else {
            let pad = if min == 0.0 { 1.0 } else { min.abs() * 0.1 };
            ((min - pad).max(-f64::MAX), (max + pad).min(f64::MAX))
        };
        // Divide before subtracting so that ranges near ±f64::MAX stay finite.
        let step = nice_step(max / 5.0 - min / 5.0);
        let first = (min / step).floor();
        let last = (max / step).ceil();
        // Snapping outwards can overflow at the very ends of the f64 range: keep the data's.
        let finite_or = |v: f64, fallback: f64| if v.is_finite() { v } else { fallback };
        let (lo, hi) = (finite_or(first * step, min), finite_or(last * step, max));
        let magnitude = lo.abs().max(hi.abs());
        let count = (last - first).clamp(1.0, 50.0) as usize;
        let ticks = (0..=count)
            .map(|i| {
                let v = (first + i as f64) * step;
                (v, linear_label(v, step, magnitude))
            })
            .collect();
        Self {
            lo,
            hi,
            log: false,
            ticks,
        }
    }

    /// A logarithmic axis covering `[min, max]` (finite, `0 < min <= max`), snapped to decades;
    /// a range within one power of ten still spans at least one decade.
    pub(crate) fn log(min: f64, max: f64) -> Self {
        let lo = min.log10().floor();
        let mut hi = max.log10().ceil();
        if hi <= lo {
            hi = lo + 1.0;
        }
        let decades = (hi - lo).clamp(1.0, 700.0) as usize;
        let every = decades.div_ceil(10);
        let ticks = (0..=decades)
            .step_by(every)
            .map(|i| {
                let k = lo + i as f64;
                (10f64.powf(k), decade_label(k))
            })
            .collect();
        Self {
            lo,
            hi,
            log: true,
            ticks,
        }
    }

    /// Where `v` lies along the axis, 0 at the lower end and 1 at the upper end; `None` when
    /// `v` cannot be placed (not finite, or not positive on a log axis).
    pub(crate) fn fraction(&self, v: f64) -> Option<f64> {
        let s = if self.log {
            if v > 0.0 { v.log10() } else { return None }
        } else {
            v
        };
        // Halved so that spans near ±f64::MAX do not overflow.
        let f = (s * 0.5 - self.lo * 0.5) / (self.hi * 0.5 - self.lo * 0.5);
        f.is_finite().then_some(f)
    }

    /// The tick marks: data value and label.
    pub(crate) fn ticks(&self) -> &[(f64, String)] {
        &self.ticks
    }
}

/// The round step (1, 2 or 5 times a power of ten) nearest above `raw`; 1 if `raw` is not a
/// positive finite number.
fn nice_step(raw: f64) -> f64 {
    if !(raw.is_finite() && raw > 0.0) {
        return 1.0;
    }
    let power = 10f64.powf(raw.log10().floor());
    let mantissa = raw / power;
    let nice = if mantissa <= 1.0 {
        1.0
    } else if mantissa <= 2.0 {
        2.0
    } else if mantissa <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * power
}

/// The label of tick `v` on a linear axis with spacing `step` whose largest tick magnitude is
/// `magnitude`: as many decimals as the step needs, or scientific notation for very large or
/// very small numbers.
fn linear_label(v: f64, step: f64, magnitude: f64) -> String {
    if v.abs() < step * 1e-6 {
        return "0".into();
    }
    let step_exp = step.log10().floor();
    if magnitude >= 1e6 || step < 1e-4 {
        let digits = (magnitude.log10().floor() - step_exp).clamp(0.0, 16.0) as usize;
        return format!("{v:.digits$e}");
    }
    let decimals = (-step_exp).clamp(0.0, 16.0) as usize;
    format!("{v:.decimals$}")
}

/// The label of the decade `10^k`: plain digits from 0.001 to 100000, `1e{k}` beyond.
fn decade_label(k: f64) -> String {
    if (-3.0..=5.0).contains(&k) {
        let decimals = (-k).max(0.0) as usize;
        format!("{:.decimals$}", 10f64.powf(k))
    } else {
        format!("1e{k}")
    }
}
