//! Node outputs as functions of time (Nengo's `Node(output=...)` and `nengo.processes`).
//!
//! A node's output at step k (1-based) is computed at `t = k·dt`: as in Nengo, the first step
//! has `t = dt`, never 0 (nengo/simulator.py, `Simulator.step`; nengo/node.py). Time is in
//! **milliseconds** (cortecs' unit) and frequencies in Hz. Expressions see both `t` (ms) and
//! `t_s = t/1000` (s): Nengo's `Node(lambda t: np.sin(2*np.pi*t))` is
//! `Expr("sin(2*pi*t_s)")` here, since Nengo's `t` is in seconds.
//!
//! | Process | Output | Nengo |
//! |---|---|---|
//! | `Constant(v)` | `v` every step | `Node(output=v)` (nengo/node.py) |
//! | `Sine { frequency, amplitude, phase, offset }` | `offset + amplitude·sin(2π·frequency·t_s + phase)` | `Node(lambda t: ...)` |
//! | `Piecewise { times, values }` | `values[i]` for the last `times[i] < t + dt/2`; 0 before | `processes.Piecewise(interpolation="zero")` |
//! | `WhiteNoise { mean, std, scale, dims }` | `α·(mean + std·N(0,1))`, `α = 1/sqrt(dt_s)` if `scale` else 1 | `processes.WhiteNoise(Gaussian(mean, std), scale)` |
//! | `Expr(spec)` | the expressions, in `t`, `t_s` and the node's input `x0, x1, …` | `Node(lambda t[, x]: ...)` |
//!
//! Expressions are those of [`super::function`] (Python syntax and precedence, `pi`, `e`,
//! `sin`, `exp`, …), with the variables `t`, `t_s` and, for a node with an input, `x0 …`.
//! Building a node evaluates each expression at its first step (`t = dt`, inputs 0) and
//! refuses one that is not finite there (`1/0`, `log(0)`, `sqrt(-1)`:
//! [`ProcessError::NonFinite`]). Later steps are not checked: an expression that is finite at
//! the start but not at some later time (`1/(t - 500)`) outputs that inf or NaN.
//!
//! White noise is counter-based ([`crate::rng`]): dimension i at step k is drawn from the
//! node's stream positioned at (k, i), so the numbers depend on (seed, node, step, dimension)
//! only, never on threads or on which steps ran before. They are not Nengo's numbers
//! (`np.random.RandomState`), only their distribution.

use serde::{Deserialize, Serialize};

use super::function::{Expression, FunctionError, FunctionSpec, Scope, compile_expressions};
use crate::rng::{StreamKey, WORDS_PER_DRAW, normal};

/// What a node outputs (see the [module docs](self) for the table of equations). In RON:
/// `Constant([0.5])`, `Sine(frequency: 2.0)`,
/// `Piecewise(times: [0.0, 500.0], values: [[1.0], [-1.0]])`, `WhiteNoise(dims: 2, std: 0.1)`,
/// `Expr("sin(2*pi*t_s)")`, `Expr(["t/1000", "x0*2"])`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum Process {
    /// The same value every step: `y(t) = v` (Nengo's `Node(output=v)` with a constant
    /// `output`, nengo/node.py).
    Constant(Vec<f64>),
    /// A 1-D sinusoid: `y(t) = offset + amplitude·sin(2π·frequency·t_s + phase)` with
    /// `t_s = t/1000` the time in seconds (Nengo's `Node(lambda t: ...)` of that formula).
    Sine {
        /// Frequency in Hz.
        frequency: f64,
        /// Peak amplitude (default 1).
        #[serde(default = "one")]
        amplitude: f64,
        /// Phase at t = 0, in radians (default 0).
        #[serde(default)]
        phase: f64,
        /// Constant added (default 0).
        #[serde(default)]
        offset: f64,
    },
    /// A zero-order hold (nengo/processes.py, `Piecewise` with `interpolation="zero"`): the
    /// value of the last time at or before t, and 0 before the first time. As Nengo, a time
    /// counts as reached half a step early (`y(t) = values[i]` for the largest i with
    /// `times[i] < t + dt/2`, Nengo's `np.searchsorted(tp, t + 0.5*dt) - 1`), so a switch at
    /// a time that is not a multiple of dt happens at the nearest step.
    Piecewise {
        /// Times in ms, strictly increasing (Nengo's dict keys).
        times: Vec<f64>,
        /// One value per time, all of the same length (the output dimension).
        values: Vec<Vec<f64>>,
    },
    /// White noise (nengo/processes.py, `WhiteNoise(dist=Gaussian(mean, std), scale)`): each
    /// step, each dimension is `α·(mean + std·n)` with `n ~ N(0, 1)` drawn afresh, where
    /// `α = 1/sqrt(dt_s)` (`dt_s` the step in seconds) if `scale`, so that integrating the noise
    /// gives a result independent of dt, and `α = 1` otherwise. As in Nengo, `α` scales the
    /// mean too.
    WhiteNoise {
        /// Mean of the Gaussian (default 0).
        #[serde(default)]
        mean: f64,
        /// Standard deviation of the Gaussian (≥ 0, default 1).
        #[serde(default = "one")]
        std: f64,
        /// Divide by `sqrt(dt_s)` (Nengo's `scale=True`, the default).
        #[serde(default = "yes")]
        scale: bool,
        /// Output dimension (≥ 1).
        dims: usize,
    },
    /// One expression per output dimension in `t` (ms), `t_s = t/1000` (s) and the node's
    /// input `x0, x1, …` (`x` when it is 1-D) if it has one: Nengo's callable output
    /// `Node(lambda t: ...)` or `Node(lambda t, x: ..., size_in=d)` (nengo/node.py).
    Expr(FunctionSpec),
}

fn one() -> f64 {
    1.0
}
fn yes() -> bool {
    true
}

/// Why a process is invalid or cannot run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ProcessError {
    /// A parameter out of range.
    #[error("{process}: `{field}` must be {expected}, found {found}")]
    Field {
        /// The process (`"Sine"`, …).
        process: &'static str,
        /// The parameter, with its index if it is a list entry (`"values[1][0]"`).
        field: String,
        /// What it must be.
        expected: &'static str,
        /// What it is.
        found: String,
    },
    /// `times` and `values` of a `Piecewise` differ in length.
    #[error(
        "Piecewise: `times` has {times} entries but `values` has {values}; give one value per time"
    )]
    PiecewiseLengths {
        /// Entries of `times`.
        times: usize,
        /// Entries of `values`.
        values: usize,
    },
    /// A `Piecewise` value with a different length from the first.
    #[error(
        "Piecewise: values[{index}] has {found} entries but values[0] has {expected}; every value must have the same length"
    )]
    Ragged {
        /// The index of the offending value.
        index: usize,
        /// The length of `values[0]`.
        expected: usize,
        /// Its length.
        found: usize,
    },
    /// `Piecewise` times that do not increase.
    #[error(
        "Piecewise: `times` must be strictly increasing, but times[{index}] = {time} ms comes after {previous} ms"
    )]
    NotIncreasing {
        /// The index of the offending time.
        index: usize,
        /// The time before it.
        previous: f64,
        /// The time.
        time: f64,
    },
    /// A process other than `Expr` on a node that has an input.
    #[error(
        "{process} takes no input, but the node has {size_in} input dimension{}; only Expr can use a node's input (x0, x1, …)",
        if *.size_in == 1 { "" } else { "s" }
    )]
    Input {
        /// The process.
        process: &'static str,
        /// The node's input dimension.
        size_in: usize,
    },
    /// A time step that is not a positive finite number.
    #[error("the time step must be a finite number > 0 ms, found dt = {dt_ms} ms")]
    Dt {
        /// The time step, ms.
        dt_ms: f64,
    },
    /// An `Expr` that does not compile.
    #[error("Expr: {0}")]
    Expr(#[from] FunctionError),
    /// An `Expr` whose value at the first step is not finite.
    #[error(
        "Expr: `{expression}` gives {value} at the first step (t = {t_ms} ms, inputs 0); \
         expected a finite output"
    )]
    NonFinite {
        /// The expression.
        expression: String,
        /// What it gave.
        value: f64,
        /// The time of the first step (ms).
        t_ms: f64,
    },
}

fn field(
    process: &'static str,
    field: String,
    expected: &'static str,
    found: String,
) -> ProcessError {
    ProcessError::Field {
        process,
        field,
        expected,
        found,
    }
}

fn finite(process: &'static str, name: &str, v: f64) -> Result<(), ProcessError> {
    if v.is_finite() {
        Ok(())
    } else {
        Err(field(
            process,
            name.to_string(),
            "a finite number",
            v.to_string(),
        ))
    }
}

fn all_finite(process: &'static str, name: &str, vs: &[f64]) -> Result<(), ProcessError> {
    match vs.iter().position(|v| !v.is_finite()) {
        None => Ok(()),
        Some(i) => finite(process, &format!("{name}[{i}]"), vs[i]),
    }
}

impl Process {
    /// The variant's name, for messages.
    fn name(&self) -> &'static str {
        match self {
            Process::Constant(_) => "Constant",
            Process::Sine { .. } => "Sine",
            Process::Piecewise { .. } => "Piecewise",
            Process::WhiteNoise { .. } => "WhiteNoise",
            Process::Expr(_) => "Expr",
        }
    }

    /// Checks the parameters: every number finite, at least one output dimension, `Piecewise`
    /// times strictly increasing with one value (all of the same length) per time,
    /// `WhiteNoise` `std ≥ 0`, `Expr` expressions that parse (their use of `x_i` is checked
    /// against the node's input by [`make_step`](Self::make_step)).
    pub fn validate(&self) -> Result<(), ProcessError> {
        let p = self.name();
        match self {
            Process::Constant(v) => {
                if v.is_empty() {
                    return Err(field(p, "value".into(), "at least one number", "[]".into()));
                }
                all_finite(p, "value", v)
            }
            Process::Sine {
                frequency,
                amplitude,
                phase,
                offset,
            } => {
                finite(p, "frequency", *frequency)?;
                finite(p, "amplitude", *amplitude)?;
                finite(p, "phase", *phase)?;
                finite(p, "offset", *offset)
            }
            Process::Piecewise { times, values } => {
                if times.is_empty() {
                    return Err(field(p, "times".into(), "at least one time", "[]".into()));
                }
                if times.len() != values.len() {
                    return Err(ProcessError::PiecewiseLengths {
                        times: times.len(),
                        values: values.len(),
                    });
                }
                all_finite(p, "times", times)?;
                for (i, w) in times.windows(2).enumerate() {
                    if w[1] <= w[0] {
                        return Err(ProcessError::NotIncreasing {
                            index: i + 1,
                            previous: w[0],
                            time: w[1],
                        });
                    }
                }
                let dims = values[0].len();
                if dims == 0 {
                    return Err(field(
                        p,
                        "values[0]".into(),
                        "at least one number",
                        "[]".into(),
                    ));
                }
                for (i, v) in values.iter().enumerate() {
                    if v.len() != dims {
                        return Err(ProcessError::Ragged {
                            index: i,
                            expected: dims,
                            found: v.len(),
                        });
                    }
                    all_finite(p, &format!("values[{i}]"), v)?;
                }
                Ok(())
            }
            Process::WhiteNoise {
                mean, std, dims, ..
            } => {
                finite(p, "mean", *mean)?;
                if !(std.is_finite() && *std >= 0.0) {
                    return Err(field(
                        p,
                        "std".into(),
                        "a finite number ≥ 0",
                        std.to_string(),
                    ));
                }
                if *dims == 0 {
                    return Err(field(p, "dims".into(), "at least 1", "0".into()));
                }
                Ok(())
            }
            Process::Expr(spec) => {
                compile_expressions(spec, &Scope::time(None))?;
                Ok(())
            }
        }
    }

    /// The output dimension: the length of the constant, 1 for `Sine`, the length of the
    /// `Piecewise` values, `dims` for `WhiteNoise`, the number of expressions for `Expr`
    /// (0 for an invalid process).
    pub fn size_out(&self) -> usize {
        match self {
            Process::Constant(v) => v.len(),
            Process::Sine { .. } => 1,
            Process::Piecewise { values, .. } => values.first().map_or(0, Vec::len),
            Process::WhiteNoise { dims, .. } => *dims,
            Process::Expr(FunctionSpec::One(_)) => 1,
            Process::Expr(FunctionSpec::Many(v)) => v.len(),
        }
    }

    /// Validates and prepares the process for a node with a `size_in`-dimensional input (only
    /// `Expr` may have one), time step `dt_ms` and random stream `key` (used by `WhiteNoise`).
    pub fn make_step(
        &self,
        size_in: usize,
        dt_ms: f64,
        key: StreamKey,
    ) -> Result<ProcessStep, ProcessError> {
        self.validate()?;
        if !(dt_ms.is_finite() && dt_ms > 0.0) {
            return Err(ProcessError::Dt { dt_ms });
        }
        if size_in > 0 && !matches!(self, Process::Expr(_)) {
            return Err(ProcessError::Input {
                process: self.name(),
                size_in,
            });
        }
        let kind = match self {
            Process::Constant(v) => StepKind::Constant(v.clone()),
            Process::Sine {
                frequency,
                amplitude,
                phase,
                offset,
            } => StepKind::Sine {
                omega: std::f64::consts::TAU * frequency,
                amplitude: *amplitude,
                phase: *phase,
                offset: *offset,
            },
            Process::Piecewise { times, values } => StepKind::Piecewise {
                times: times.clone(),
                values: values.concat(),
                dims: values[0].len(),
                half_dt: 0.5 * dt_ms,
            },
            Process::WhiteNoise {
                mean, std, scale, ..
            } => StepKind::WhiteNoise {
                key,
                mean: *mean,
                std: *std,
                alpha: if *scale {
                    1.0 / (dt_ms / 1000.0).sqrt()
                } else {
                    1.0
                },
            },
            Process::Expr(spec) => {
                let exprs = compile_expressions(spec, &Scope::time(Some(size_in)))?;
                // the value at step 1 (t = dt, inputs 0): an expression that is inf or NaN
                // there (`1/0`, `log(0)`) would feed every step's ensembles with it
                for e in &exprs {
                    let value = e.eval(|slot| match slot {
                        0 => dt_ms,
                        1 => dt_ms / 1000.0,
                        _ => 0.0,
                    });
                    if !value.is_finite() {
                        return Err(ProcessError::NonFinite {
                            expression: e.text().to_string(),
                            value,
                            t_ms: dt_ms,
                        });
                    }
                }
                StepKind::Expr { exprs }
            }
        };
        Ok(ProcessStep {
            size_in,
            size_out: self.size_out(),
            dt_s: dt_ms / 1000.0,
            kind,
        })
    }
}

/// Units of a [`StreamKey`] position consumed by one [`normal`] draw: it reads two 64-bit
/// values (4 words) and a unit is [`WORDS_PER_DRAW`] words, so dimension i starts at unit
/// `i·UNITS_PER_NORMAL` and dimensions never share words.
const UNITS_PER_NORMAL: usize = (4 / WORDS_PER_DRAW) as usize;

#[derive(Clone, Debug)]
enum StepKind {
    Constant(Vec<f64>),
    Sine {
        /// 2π·frequency, rad/s.
        omega: f64,
        amplitude: f64,
        phase: f64,
        offset: f64,
    },
    Piecewise {
        times: Vec<f64>,
        /// The values, row after row.
        values: Vec<f64>,
        dims: usize,
        half_dt: f64,
    },
    WhiteNoise {
        key: StreamKey,
        mean: f64,
        std: f64,
        alpha: f64,
    },
    Expr {
        exprs: Vec<Expression>,
    },
}

/// A process ready to run on one node ([`Process::make_step`]).
#[derive(Clone, Debug)]
pub struct ProcessStep {
    size_in: usize,
    size_out: usize,
    /// The step in seconds: `t_s = step·dt_s`, as Nengo's time signal `t = step·dt`.
    dt_s: f64,
    kind: StepKind,
}

impl ProcessStep {
    /// The output dimension.
    pub fn size_out(&self) -> usize {
        self.size_out
    }

    /// The input dimension the step was made for.
    pub fn size_in(&self) -> usize {
        self.size_in
    }

    /// Writes the output at step `step` (1-based, as Nengo: the first step has `t = dt`), time
    /// `t_ms = step·dt`, input `x` (`len == size_in`), into `out` (`len == size_out`). No
    /// allocation. White noise depends on `step` only (not on `t_ms` or earlier calls); every
    /// other process on the time (and `x`): `t_ms` in ms, and `t_s = step·dt_s` in seconds,
    /// computed as Nengo computes `t`.
    ///
    /// # Panics
    /// If `x` or `out` have the wrong length.
    pub fn step(&mut self, step: u64, t_ms: f64, x: &[f64], out: &mut [f64]) {
        assert_eq!(
            x.len(),
            self.size_in,
            "ProcessStep::step: x has the wrong length"
        );
        assert_eq!(
            out.len(),
            self.size_out,
            "ProcessStep::step: out has the wrong length"
        );
        match &self.kind {
            StepKind::Constant(v) => out.copy_from_slice(v),
            StepKind::Sine {
                omega,
                amplitude,
                phase,
                offset,
            } => {
                let t_s = step as f64 * self.dt_s;
                out[0] = offset + amplitude * (omega * t_s + phase).sin();
            }
            StepKind::Piecewise {
                times,
                values,
                dims,
                half_dt,
            } => {
                // Nengo: ti = searchsorted(tp, t + 0.5*dt) - 1, i.e. the last tp < t + dt/2
                let reached = times.partition_point(|&tp| tp < t_ms + half_dt);
                if reached == 0 {
                    out.fill(0.0);
                } else {
                    let i = reached - 1;
                    out.copy_from_slice(&values[i * dims..(i + 1) * dims]);
                }
            }
            StepKind::WhiteNoise {
                key,
                mean,
                std,
                alpha,
            } => {
                for (d, o) in out.iter_mut().enumerate() {
                    let mut rng = key.at(step, d * UNITS_PER_NORMAL);
                    *o = alpha * (mean + std * normal(&mut rng));
                }
            }
            StepKind::Expr { exprs } => {
                let t_s = step as f64 * self.dt_s;
                for (o, e) in out.iter_mut().zip(exprs) {
                    *o = e.eval(|slot| match slot {
                        0 => t_ms,
                        1 => t_s,
                        s => x[s - 2],
                    });
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::PI;

    fn key() -> StreamKey {
        StreamKey::new(11, "node")
    }

    fn run(p: &Process, dt: f64, steps: std::ops::RangeInclusive<u64>) -> Vec<Vec<f64>> {
        let mut s = p.make_step(0, dt, key()).unwrap_or_else(|e| panic!("{e}"));
        steps
            .map(|k| {
                let mut out = vec![f64::NAN; s.size_out()];
                s.step(k, k as f64 * dt, &[], &mut out);
                out
            })
            .collect()
    }

    fn at(p: &Process, dt: f64, k: u64) -> Vec<f64> {
        run(p, dt, k..=k).remove(0)
    }

    fn expr(s: &str) -> Process {
        Process::Expr(FunctionSpec::One(s.into()))
    }

    #[test]
    fn constant() {
        let p = Process::Constant(vec![0.5, -2.0]);
        assert_eq!(p.size_out(), 2);
        for out in run(&p, 1.0, 1..=5) {
            assert_eq!(out, [0.5, -2.0]);
        }
    }

    #[test]
    fn sine() {
        let p = Process::Sine {
            frequency: 1.0,
            amplitude: 2.0,
            phase: 0.0,
            offset: 0.5,
        };
        assert_eq!(p.size_out(), 1);
        // t_s = 0.25 s with f = 1 Hz: sin(π/2) = 1
        assert_eq!(at(&p, 1.0, 250), [2.5]);
        // t_s = 0.75 s: sin(3π/2) = -1
        assert!((at(&p, 1.0, 750)[0] - (0.5 - 2.0)).abs() < 1e-12);
        // period 1000/f ms = 250 steps of 0.5 ms at 8 Hz
        let p = Process::Sine {
            frequency: 8.0,
            amplitude: 1.0,
            phase: 0.3,
            offset: 0.0,
        };
        for k in [1, 13, 77] {
            let a = at(&p, 0.5, k)[0];
            let later = at(&p, 0.5, k + 250)[0];
            assert!((later - a).abs() < 1e-9, "{k}");
        }
        // a phase of π/2 turns sin into cos
        let p = Process::Sine {
            frequency: 3.0,
            amplitude: 1.0,
            phase: PI / 2.0,
            offset: 0.0,
        };
        for k in [1, 40, 111] {
            let t_s = k as f64 / 1000.0;
            assert!((at(&p, 1.0, k)[0] - (2.0 * PI * 3.0 * t_s).cos()).abs() < 1e-12);
        }
    }

    #[test]
    fn expr_equals_sine() {
        let sine = Process::Sine {
            frequency: 1.0,
            amplitude: 1.0,
            phase: 0.0,
            offset: 0.0,
        };
        let e = expr("sin(2*pi*t_s)");
        for dt in [1.0, 0.1, 0.25] {
            let a = run(&sine, dt, 1..=3000);
            let b = run(&e, dt, 1..=3000);
            for (k, (a, b)) in a.iter().zip(&b).enumerate() {
                assert!((a[0] - b[0]).abs() <= 1e-15, "dt {dt} step {}", k + 1);
            }
        }
        // t is in ms
        assert_eq!(at(&expr("t"), 0.5, 3), [1.5]);
        assert!(at(&expr("t_s*1000 - t"), 0.1, 37)[0].abs() < 1e-12);
    }

    #[test]
    fn expr_with_input() {
        let p = Process::Expr(FunctionSpec::Many(vec!["x0 * t".into(), "x[1] + 1".into()]));
        assert_eq!(p.size_out(), 2);
        let mut s = p.make_step(2, 1.0, key()).unwrap();
        let mut out = [0.0; 2];
        s.step(4, 4.0, &[2.0, 5.0], &mut out);
        assert_eq!(out, [8.0, 6.0]);
        let mut s = expr("x*x").make_step(1, 1.0, key()).unwrap();
        let mut out = [0.0];
        s.step(1, 1.0, &[3.0], &mut out);
        assert_eq!(out, [9.0]);
        // validate cannot know the input; make_step can
        let p = expr("x0 + t");
        assert_eq!(p.validate(), Ok(()));
        let e = p.make_step(0, 1.0, key()).unwrap_err();
        assert!(
            matches!(&e, ProcessError::Expr(FunctionError::UnknownVariable { name, .. }) if name == "x0"),
            "{e}"
        );
        assert!(e.to_string().contains("the node has no input"), "{e}");
        // misspelt time
        match expr("sin(t_ms)").validate() {
            Err(ProcessError::Expr(FunctionError::UnknownVariable { suggestion, .. })) => {
                assert_eq!(suggestion.as_deref(), Some("t_s"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn piecewise() {
        // Nengo's docstring example, in ms: Piecewise({0.5: 1, 0.75: -1, 1: 0})
        let p = Process::Piecewise {
            times: vec![500.0, 750.0, 1000.0],
            values: vec![vec![1.0], vec![-1.0], vec![0.0]],
        };
        assert_eq!(at(&p, 1.0, 200), [0.0]);
        assert_eq!(at(&p, 1.0, 580), [1.0]);
        let out = run(&p, 1.0, 1..=1500);
        for (k, o) in (1..).zip(&out) {
            let expected = match k {
                ..500 => 0.0,
                500..750 => 1.0,
                750..1000 => -1.0,
                _ => 0.0,
            };
            assert_eq!(o[0], expected, "t = {k} ms");
        }
        // several dimensions; held far past the last time
        let p = Process::Piecewise {
            times: vec![100.0, 300.0],
            values: vec![vec![1.0, 2.0], vec![3.0, 4.0]],
        };
        assert_eq!(p.size_out(), 2);
        assert_eq!(at(&p, 1.0, 99), [0.0, 0.0]);
        assert_eq!(at(&p, 1.0, 100), [1.0, 2.0]);
        assert_eq!(at(&p, 1.0, 299), [1.0, 2.0]);
        assert_eq!(at(&p, 1.0, 300), [3.0, 4.0]);
        assert_eq!(at(&p, 1.0, 1_000_000), [3.0, 4.0]);
        // a time between steps switches at the nearest step (Nengo's t + dt/2)
        let p = Process::Piecewise {
            times: vec![10.4],
            values: vec![vec![1.0]],
        };
        assert_eq!(at(&p, 1.0, 9), [0.0]);
        assert_eq!(at(&p, 1.0, 10), [1.0]);
        let p = Process::Piecewise {
            times: vec![10.6],
            values: vec![vec![1.0]],
        };
        assert_eq!(at(&p, 1.0, 10), [0.0]);
        assert_eq!(at(&p, 1.0, 11), [1.0]);
    }

    fn stats(v: &[f64]) -> (f64, f64) {
        let n = v.len() as f64;
        let m = v.iter().sum::<f64>() / n;
        let var = v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0);
        (m, var.sqrt())
    }

    #[test]
    fn white_noise_moments() {
        let n = 100_000;
        for (scale, dt) in [(true, 1.0), (false, 1.0)] {
            let (mean, std) = (0.5, 2.0);
            let p = Process::WhiteNoise {
                mean,
                std,
                scale,
                dims: 2,
            };
            let out = run(&p, dt, 1..=n);
            // Nengo: alpha·(mean + std·N(0,1)), alpha = 1/sqrt(dt in s) when scaled
            let alpha = if scale {
                1.0 / (dt / 1000.0f64).sqrt()
            } else {
                1.0
            };
            for d in 0..2 {
                let col: Vec<f64> = out.iter().map(|o| o[d]).collect();
                let (m, s) = stats(&col);
                let se = alpha * std / (n as f64).sqrt();
                assert!(
                    (m - alpha * mean).abs() < 5.0 * se,
                    "{scale} {dt} {d}: mean {m}"
                );
                assert!(
                    (s / (alpha * std) - 1.0).abs() < 0.02,
                    "{scale} {dt} {d}: std {s}"
                );
            }
            // dimensions are independent
            let a: Vec<f64> = out.iter().map(|o| o[0]).collect();
            let b: Vec<f64> = out.iter().map(|o| o[1]).collect();
            let (ma, sa) = stats(&a);
            let (mb, sb) = stats(&b);
            let cov = a
                .iter()
                .zip(&b)
                .map(|(x, y)| (x - ma) * (y - mb))
                .sum::<f64>()
                / (n as f64 - 1.0);
            assert!(
                (cov / (sa * sb)).abs() < 0.02,
                "correlation {}",
                cov / (sa * sb)
            );
            // and so are successive steps
            let lag = a[1..]
                .iter()
                .zip(&a)
                .map(|(x, y)| (x - ma) * (y - ma))
                .sum::<f64>()
                / (n as f64 - 2.0);
            assert!((lag / (sa * sa)).abs() < 0.02, "lag-1 correlation");
        }
    }

    #[test]
    fn white_noise_scale_is_one_over_sqrt_dt() {
        // same key and step: the scaled noise is the unscaled one times 1/sqrt(dt_s)
        let noise = |scale| Process::WhiteNoise {
            mean: 0.3,
            std: 1.5,
            scale,
            dims: 2,
        };
        for dt in [0.1, 1.0, 2.5] {
            let scaled = run(&noise(true), dt, 1..=20);
            let plain = run(&noise(false), dt, 1..=20);
            for (a, b) in scaled.iter().flatten().zip(plain.iter().flatten()) {
                let expected = b / (dt / 1000.0f64).sqrt();
                assert!(
                    (a - expected).abs() <= 1e-12 * expected.abs(),
                    "{dt}: {a} vs {b}"
                );
            }
        }
    }

    #[test]
    fn white_noise_is_counter_based() {
        let p = Process::WhiteNoise {
            mean: 0.0,
            std: 1.0,
            scale: false,
            dims: 3,
        };
        let forward = run(&p, 1.0, 1..=50);
        assert_eq!(forward, run(&p, 1.0, 1..=50));
        // any order, any step object: the same numbers per (key, step, dimension)
        let mut s = p.make_step(0, 1.0, key()).unwrap();
        for k in (1..=50u64).rev() {
            let mut out = [0.0; 3];
            s.step(k, 123.0, &[], &mut out);
            assert_eq!(out.as_slice(), forward[k as usize - 1].as_slice());
        }
        // different steps and dimensions differ, another key differs
        assert_ne!(forward[0], forward[1]);
        assert_ne!(forward[0][0], forward[0][1]);
        let mut other = p.make_step(0, 1.0, StreamKey::new(11, "other")).unwrap();
        let mut out = [0.0; 3];
        other.step(1, 1.0, &[], &mut out);
        assert_ne!(out.as_slice(), forward[0].as_slice());
        // std 0: exactly the (scaled) mean
        let p = Process::WhiteNoise {
            mean: 3.0,
            std: 0.0,
            scale: true,
            dims: 1,
        };
        assert!((at(&p, 4.0, 9)[0] - 3.0 / 0.004f64.sqrt()).abs() < 1e-12);
    }

    #[test]
    fn invalid() {
        let bad = [
            Process::Constant(vec![]),
            Process::Constant(vec![1.0, f64::NAN]),
            Process::Sine {
                frequency: f64::INFINITY,
                amplitude: 1.0,
                phase: 0.0,
                offset: 0.0,
            },
            Process::Piecewise {
                times: vec![],
                values: vec![],
            },
            Process::Piecewise {
                times: vec![1.0, 2.0],
                values: vec![vec![1.0]],
            },
            Process::Piecewise {
                times: vec![1.0, 1.0],
                values: vec![vec![1.0], vec![2.0]],
            },
            Process::Piecewise {
                times: vec![1.0, 2.0],
                values: vec![vec![1.0], vec![2.0, 3.0]],
            },
            Process::Piecewise {
                times: vec![1.0],
                values: vec![vec![]],
            },
            Process::WhiteNoise {
                mean: 0.0,
                std: -1.0,
                scale: true,
                dims: 1,
            },
            Process::WhiteNoise {
                mean: 0.0,
                std: 1.0,
                scale: true,
                dims: 0,
            },
            Process::Expr(FunctionSpec::Many(vec![])),
            expr("sin(t"),
            expr("y"),
        ];
        for p in &bad {
            let e = p.validate().expect_err(&format!("{p:?}"));
            assert!(!e.to_string().is_empty());
            assert_eq!(p.make_step(0, 1.0, key()).unwrap_err(), e);
        }
        assert_eq!(
            bad[5].validate().unwrap_err().to_string(),
            "Piecewise: `times` must be strictly increasing, but times[1] = 1 ms comes after 1 ms"
        );
        assert_eq!(
            bad[6].validate().unwrap_err(),
            ProcessError::Ragged {
                index: 1,
                expected: 1,
                found: 2
            }
        );
        assert_eq!(
            bad[8].validate().unwrap_err().to_string(),
            "WhiteNoise: `std` must be a finite number ≥ 0, found -1"
        );
        let c = Process::Constant(vec![1.0]);
        for dt in [0.0, -1.0, f64::NAN] {
            assert!(matches!(
                c.make_step(0, dt, key()),
                Err(ProcessError::Dt { .. })
            ));
        }
        assert_eq!(
            c.make_step(2, 1.0, key()).unwrap_err(),
            ProcessError::Input {
                process: "Constant",
                size_in: 2
            }
        );
    }

    #[test]
    fn send_sync() {
        fn check<T: Send + Sync + Clone>() {}
        check::<ProcessStep>();
        check::<Process>();
    }
}
