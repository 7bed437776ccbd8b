//! Decoder solvers: Nengo 4.1.0's `nengo/solvers.py` together with the default least-squares
//! sub-solver `Cholesky` of `nengo/utils/least_squares_solvers.py`.
//!
//! # The problem
//!
//! `nengo/builder/connection.py:112` (`build_decoders`, then `solve_for_decoders`) evaluates the
//! neurons' **rate** response at the m eval points, giving the activity matrix
//! `A` (m eval points × n neurons, Hz), and the connection's function at the same points,
//! giving the targets `Y` (m × d). The solver returns decoders `X` (n × d) with `A·X ≈ Y`.
//! Every solver here also returns the per-dimension RMSE on the eval points,
//!
//! ```text
//! rmses = rms(Y − A·X, axis=0),   rmse_j = sqrt( Σ_i (Y − A·X)_ij² / m )
//! ```
//!
//! (`least_squares_solvers.rmses`, Nengo's `info["rmses"]`).
//!
//! # The solvers (Nengo's names, parameter names and defaults)
//!
//! | variant | Nengo class | decoders |
//! | --- | --- | --- |
//! | `LstsqL2 { reg: 0.1 }` | `LstsqL2` (the default solver of every Connection, `connection.py:464`) | `X = (AᵀA + m·σ²·I)⁻¹·AᵀY`, `σ = reg·max(A)` |
//! | `LstsqL2nz { reg: 0.1 }` | `LstsqL2nz` | as `LstsqL2` with one σ_j per neuron (see [`Solver::LstsqL2nz`]) |
//! | `Lstsq { rcond: 0.01 }` | `Lstsq` | `X = A⁺·Y`, SVD pseudo-inverse with singular values `s ≤ rcond·s_max` dropped |
//! | `NoSolver { values: None }` | `NoSolver` | the given `values`, or zeros (n × d) |
//!
//! `max(A)` is the **global** maximum of the whole activity matrix (`A.max()`), not a per-neuron
//! maximum and not a maximum of absolute values, and `m` in `m·σ²` is the **number of eval
//! points**. `LstsqL2` is the minimiser of `‖A·X − Y‖²/m + σ²‖X‖²`: the activities are treated
//! as carrying Gaussian noise of standard deviation σ (10 % of the peak rate by default).
//!
//! # The Cholesky sub-solver (`least_squares_solvers.py:63`, `Cholesky.__call__`)
//!
//! With a scalar σ the system is transposed when it is "fat" (`transpose = m < n and
//! sigma.size == 1`):
//!
//! ```text
//! m ≥ n (usual):  G = AᵀA + m·σ²·I  (n × n),   X = G⁻¹·(AᵀY)
//! m < n:          G = AAᵀ + m·σ²·I  (m × m),   X = Aᵀ·(G⁻¹·Y)
//! ```
//!
//! The two are the same matrix, `(AᵀA + λI)⁻¹Aᵀ = Aᵀ(AAᵀ + λI)⁻¹`; the transposed form just
//! factors the smaller Gram matrix. With one σ_j per neuron (`LstsqL2nz`) it is never transposed
//! and `λ_j = m·σ_j²` goes on the j-th diagonal entry. `G` is factored `G = L·Lᵀ` (Nengo:
//! `scipy.linalg.cho_factor` / `cho_solve`; here `faer`'s `Llt`) and solved by two triangular
//! solves. Results agree with Nengo's to rounding (≈1e-13 relative; see
//! `tests/fidelity_nengo_decoders.rs`).
//!
//! # Where this differs from Nengo (on purpose)
//!
//! - Bad input is a typed [`SolverError`], never a panic and never silent NaN decoders: a shape
//!   mismatch, an empty `A`, NaN/±inf in `A` or `Y`, a negative or non-finite parameter, a Gram
//!   matrix that is not positive definite (Nengo: `LinAlgError` from scipy), and a Gram matrix
//!   that is positive definite only by rounding: a pivot with `L_jj² ≤ k·ε·G_jj` (k the order of
//!   `G`, ε the f64 machine epsilon), i.e. column j of the Gram matrix is, to working precision,
//!   a combination of the columns before it. Nengo would return decoders of arbitrary size there.
//! - `NoSolver` returns the RMSE of its decoders too (Nengo returns an empty `info`).
//! - Nengo's `weights=True` (full weight matrices) is a builder concern, and the choice of
//!   sub-solver (`solver=Cholesky()`) is fixed to Cholesky; neither is a parameter here.

use faer::linalg::matmul::triangular::BlockStructure;
use faer::linalg::solvers::Solve;
use faer::{Accum, Mat, MatRef, Par, Side};
use ndarray::{Array1, Array2, ArrayView2};
use serde::{Deserialize, Serialize};

/// A decoder solver, with Nengo's names, parameter names and defaults. In RON:
/// `LstsqL2(reg: 0.1)`, `LstsqL2()` (defaults), `Lstsq(rcond: 0.01)`, `LstsqL2nz(reg: 0.1)`,
/// `NoSolver(values: Some([[0.1], [-0.2]]))`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum Solver {
    /// Unregularised least squares (`nengo.solvers.Lstsq`, which calls
    /// `np.linalg.lstsq(A, Y, rcond)`): `X = V·diag(s⁺)·UᵀY` from the thin SVD `A = U·diag(s)·Vᵀ`,
    /// where `s⁺_k = 1/s_k` if `s_k > rcond·s_max` and 0 otherwise (LAPACK `gelsd`: singular
    /// values `≤ rcond·s_max` count as zero). The minimum-norm solution for a rank-deficient `A`.
    Lstsq {
        /// Cut-off ratio for small singular values (≥ 0; Nengo's default 0.01).
        #[serde(default = "d_rcond")]
        rcond: f64,
    },
    /// Least squares with L2 regularisation (`nengo.solvers.LstsqL2`, Nengo's default solver):
    /// `σ = reg·max(A)` (global maximum), `X = (AᵀA + m·σ²·I)⁻¹·AᵀY`, solved by Cholesky as
    /// described in the [module docs](self) (transposed when m < n).
    LstsqL2 {
        /// Regularisation as a fraction of the peak activity (≥ 0; Nengo's default 0.1).
        #[serde(default = "d_reg")]
        reg: f64,
    },
    /// L2 regularisation on the non-zero components (`nengo.solvers.LstsqL2nz`): one σ per
    /// neuron, `σ_j = reg·max(A)·sqrt(#{i : A_ij > 0} / m)` (the equivalent noise of a neuron
    /// that is active on only part of the eval points); a neuron never active gets
    /// `σ_j = max_k σ_k` instead of 0. `X = (AᵀA + m·diag(σ_j²))⁻¹·AᵀY`, never transposed.
    LstsqL2nz {
        /// Regularisation as a fraction of the peak activity (≥ 0; Nengo's default 0.1).
        #[serde(default = "d_reg")]
        reg: f64,
    },
    /// No solving (`nengo.solvers.NoSolver`): the given decoders, or zeros of shape
    /// (n neurons × d targets) when `values` is `None` (Nengo's default).
    NoSolver {
        /// The decoders, one row per neuron (n rows of d values each).
        #[serde(default)]
        values: Option<Vec<Vec<f64>>>,
    },
}

fn d_reg() -> f64 {
    0.1
}
fn d_rcond() -> f64 {
    0.01
}

impl Default for Solver {
    /// `LstsqL2 { reg: 0.1 }`, the default solver of every Nengo Connection and decoded Probe.
    fn default() -> Self {
        Solver::LstsqL2 { reg: d_reg() }
    }
}

/// What a solver returns: the decoders and their error on the eval points.
#[derive(Clone, Debug, PartialEq)]
pub struct Decoders {
    /// The decoders `X` (n neurons × d targets): the decoded value is `Xᵀ·a` for the activity
    /// vector `a`.
    pub decoders: Array2<f64>,
    /// Per target dimension, `rmse_j = sqrt(Σ_i (Y − A·X)_ij² / m)` over the m eval points
    /// (Nengo's `info["rmses"]`).
    pub rmses: Array1<f64>,
}

/// Why decoders could not be solved for.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum SolverError {
    /// `A` and `Y` do not have the same number of rows (eval points).
    #[error(
        "shape mismatch: the activity matrix A has {a_rows} rows (eval points) but the targets Y have {y_rows}"
    )]
    ShapeMismatch {
        /// Rows of `A`.
        a_rows: usize,
        /// Rows of `Y`.
        y_rows: usize,
    },
    /// `A` has no eval points or no neurons.
    #[error(
        "the activity matrix A is empty ({rows} eval points × {cols} neurons); it needs at least one of each"
    )]
    Empty {
        /// Rows of `A` (eval points).
        rows: usize,
        /// Columns of `A` (neurons).
        cols: usize,
    },
    /// A NaN or ±inf entry in the activities, the targets or the given decoders.
    #[error("{matrix}[{row}, {col}] is {value}; every entry must be finite")]
    NonFinite {
        /// Which matrix: `"A"`, `"Y"` or `"NoSolver values"`.
        matrix: &'static str,
        /// Row of the entry.
        row: usize,
        /// Column of the entry.
        col: usize,
        /// The entry.
        value: f64,
    },
    /// A solver parameter is out of range.
    #[error("`{name}` of {solver} must be a finite number ≥ 0, found {value}")]
    Parameter {
        /// The solver (`"LstsqL2"`, …).
        solver: &'static str,
        /// The parameter (`"reg"`, `"rcond"`).
        name: &'static str,
        /// Its value.
        value: f64,
    },
    /// The Cholesky factorisation met a pivot ≤ 0: the regularised Gram matrix is not positive
    /// definite (with `reg = 0`: some neuron is never active, or the columns of `A` are
    /// linearly dependent).
    #[error(
        "{solver}: the regularised {size}×{size} Gram matrix is not positive definite (Cholesky pivot {index} is not > 0); use reg > 0 or remove silent/duplicate neurons"
    )]
    NotPositiveDefinite {
        /// The solver.
        solver: &'static str,
        /// Order of the Gram matrix.
        size: usize,
        /// Index of the failing pivot (0-based).
        index: usize,
    },
    /// The Gram matrix is positive definite only by rounding: pivot j has
    /// `L_jj² ≤ k·ε·G_jj`, so column j is, to working precision, a combination of the earlier
    /// ones and the decoders would be arbitrary.
    #[error(
        "{solver}: the regularised {size}×{size} Gram matrix is numerically singular (pivot {index}: L_jj²/G_jj = {ratio:e}); use reg > 0 or remove duplicate neurons"
    )]
    Singular {
        /// The solver.
        solver: &'static str,
        /// Order of the Gram matrix.
        size: usize,
        /// Index of the offending pivot (0-based).
        index: usize,
        /// `L_jj² / G_jj` at that pivot.
        ratio: f64,
    },
    /// The SVD of `A` (for `Lstsq`) did not converge.
    #[error("Lstsq: the singular value decomposition of A did not converge")]
    SvdNoConvergence,
    /// `NoSolver` values that are not n neurons × d targets.
    #[error(
        "NoSolver values must be {n_neurons} rows (neurons) × {dims} columns (targets); found {found}"
    )]
    ValuesShape {
        /// Neurons (columns of `A`).
        n_neurons: usize,
        /// Target dimensions (columns of `Y`).
        dims: usize,
        /// What was found.
        found: String,
    },
}

impl Solver {
    /// Nengo's class name of this solver.
    pub fn name(&self) -> &'static str {
        match self {
            Solver::Lstsq { .. } => "Lstsq",
            Solver::LstsqL2 { .. } => "LstsqL2",
            Solver::LstsqL2nz { .. } => "LstsqL2nz",
            Solver::NoSolver { .. } => "NoSolver",
        }
    }

    /// Checks the parameters: `reg` and `rcond` finite and ≥ 0 (Nengo's `NumberParam(low=0)`).
    pub fn validate(&self) -> Result<(), SolverError> {
        let (name, value) = match *self {
            Solver::Lstsq { rcond } => ("rcond", rcond),
            Solver::LstsqL2 { reg } | Solver::LstsqL2nz { reg } => ("reg", reg),
            Solver::NoSolver { .. } => return Ok(()),
        };
        if value.is_finite() && value >= 0.0 {
            Ok(())
        } else {
            Err(SolverError::Parameter {
                solver: self.name(),
                name,
                value,
            })
        }
    }

    /// Solves for decoders `X` (n × d) with `A·X ≈ Y`, where `a` is the activity matrix `A`
    /// (m eval points × n neurons, Hz) and `y` the targets `Y` (m × d). Returns the decoders and
    /// the per-dimension RMSE `rms(Y − A·X, axis=0)`. All arithmetic is `f64`.
    pub fn solve(&self, a: ArrayView2<f64>, y: ArrayView2<f64>) -> Result<Decoders, SolverError> {
        if y.nrows() != a.nrows() {
            return Err(SolverError::ShapeMismatch {
                a_rows: a.nrows(),
                y_rows: y.nrows(),
            });
        }
        self.factor(a)?.solve(y)
    }

    /// Prepares to solve for any targets on activities `a` (m eval points × n neurons): for
    /// `LstsqL2`/`LstsqL2nz` this factors the regularised Gram matrix once, so several
    /// connections (and decoded probes) from one ensemble share it. Each later
    /// [`Factorization::solve`] performs exactly the operations [`solve`](Self::solve) would.
    pub fn factor(&self, a: ArrayView2<f64>) -> Result<Factorization, SolverError> {
        let (m, n) = a.dim();
        if m == 0 || n == 0 {
            return Err(SolverError::Empty { rows: m, cols: n });
        }
        check_finite("A", a)?;
        self.validate()?;
        let a = to_faer(a);
        let kind = match self {
            Solver::LstsqL2 { reg } => {
                let sigma = reg * global_max(a.as_ref());
                let lambda = m as f64 * (sigma * sigma);
                factor_cholesky(self.name(), a.as_ref(), &Reg::Scalar(lambda), m < n)?
            }
            Solver::LstsqL2nz { reg } => {
                let lambdas = l2nz_lambdas(*reg, a.as_ref());
                factor_cholesky(self.name(), a.as_ref(), &Reg::PerNeuron(lambdas), false)?
            }
            Solver::Lstsq { rcond } => FactorKind::Lstsq(*rcond),
            Solver::NoSolver { values } => FactorKind::NoSolver(values.clone()),
        };
        Ok(Factorization { a, kind })
    }
}

/// A solver prepared for one activity matrix ([`Solver::factor`]): solves for any targets.
pub struct Factorization {
    a: Mat<f64>,
    kind: FactorKind,
}

enum FactorKind {
    /// The Cholesky factor of the regularised Gram matrix (`transpose`: of `AAᵀ + λI`).
    Llt {
        llt: faer::linalg::solvers::Llt<f64>,
        transpose: bool,
    },
    Lstsq(f64),
    NoSolver(Option<Vec<Vec<f64>>>),
}

impl Factorization {
    /// Decoders for targets `y` (m × d) and their RMSE on the eval points.
    pub fn solve(&self, y: ArrayView2<f64>) -> Result<Decoders, SolverError> {
        let (m, n) = (self.a.nrows(), self.a.ncols());
        if y.nrows() != m {
            return Err(SolverError::ShapeMismatch {
                a_rows: m,
                y_rows: y.nrows(),
            });
        }
        check_finite("Y", y)?;
        let a = self.a.as_ref();
        let y = to_faer(y);
        let x = match &self.kind {
            FactorKind::Llt { llt, transpose } => {
                if *transpose {
                    a.transpose() * llt.solve(&y)
                } else {
                    llt.solve(a.transpose() * &y)
                }
            }
            FactorKind::Lstsq(rcond) => svd_lstsq(a, y.as_ref(), *rcond)?,
            FactorKind::NoSolver(values) => no_solver(values.as_deref(), n, y.ncols())?,
        };
        let rmses = rmses(a, x.as_ref(), y.as_ref());
        Ok(Decoders {
            decoders: from_faer(x.as_ref()),
            rmses,
        })
    }
}

/// The regularisation added to the Gram matrix's diagonal.
enum Reg {
    /// `λ = m·σ²` on every diagonal entry.
    Scalar(f64),
    /// `λ_j = m·σ_j²` on diagonal entry j (one per neuron; never transposed).
    PerNeuron(Vec<f64>),
}

/// `λ_j = m·σ_j²` with `σ_j = reg·max(A)·sqrt(#{i : A_ij > 0}/m)`, zeros replaced by the
/// largest σ (`LstsqL2nz.__call__`).
fn l2nz_lambdas(reg: f64, a: MatRef<'_, f64>) -> Vec<f64> {
    let m = a.nrows();
    let base = reg * global_max(a);
    let mut sigma: Vec<f64> = (0..a.ncols())
        .map(|j| {
            let active = (0..m).filter(|&i| a[(i, j)] > 0.0).count();
            base * (active as f64 / m as f64).sqrt()
        })
        .collect();
    let max = sigma.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    for s in &mut sigma {
        if *s == 0.0 {
            *s = max;
        }
    }
    sigma.iter().map(|s| m as f64 * (s * s)).collect()
}

/// Nengo's `Cholesky.__call__` (`least_squares_solvers.py:63`), factoring part: the
/// regularised Gram matrix `G = AᵀA + diag(λ)` (or, with `transpose`, `G = AAᵀ + λI`, only
/// with a scalar λ) and its Cholesky factor; [`Factorization::solve`] then gives
/// `X = G⁻¹·AᵀY` (or `X = Aᵀ·G⁻¹Y`).
fn factor_cholesky(
    solver: &'static str,
    a: MatRef<'_, f64>,
    reg: &Reg,
    transpose: bool,
) -> Result<FactorKind, SolverError> {
    // Only the lower triangle of the symmetric Gram matrix is computed (all the factorization
    // reads): half the work of the full product.
    let (lhs, rhs) = if transpose {
        (a, a.transpose())
    } else {
        (a.transpose(), a)
    };
    let k = lhs.nrows();
    let mut g = Mat::<f64>::zeros(k, k);
    faer::linalg::matmul::triangular::matmul(
        g.as_mut(),
        BlockStructure::TriangularLower,
        Accum::Replace,
        lhs,
        BlockStructure::Rectangular,
        rhs,
        BlockStructure::Rectangular,
        1.0,
        Par::Seq,
    );
    for j in 0..k {
        g[(j, j)] += match reg {
            Reg::Scalar(lambda) => *lambda,
            Reg::PerNeuron(lambdas) => lambdas[j],
        };
    }
    let llt = g.llt(Side::Lower).map_err(
        |faer::linalg::cholesky::llt::factor::LltError::NonPositivePivot { index }| {
            SolverError::NotPositiveDefinite {
                solver,
                size: k,
                index,
            }
        },
    )?;
    let l = llt.L();
    let tol = k as f64 * f64::EPSILON;
    for j in 0..k {
        let ratio = l[(j, j)] * l[(j, j)] / g[(j, j)];
        if ratio <= tol {
            return Err(SolverError::Singular {
                solver,
                size: k,
                index: j,
                ratio,
            });
        }
    }
    Ok(FactorKind::Llt { llt, transpose })
}

/// `np.linalg.lstsq(A, Y, rcond)`: the minimum-norm least-squares solution through the thin SVD,
/// with singular values `≤ rcond·s_max` treated as zero.
fn svd_lstsq(a: MatRef<'_, f64>, y: MatRef<'_, f64>, rcond: f64) -> Result<Mat<f64>, SolverError> {
    let svd = a.thin_svd().map_err(|_| SolverError::SvdNoConvergence)?;
    let s = svd.S().column_vector();
    let s_max = if s.nrows() > 0 { s[0] } else { 0.0 };
    let cutoff = rcond * s_max;
    let mut uty = svd.U().transpose() * y;
    for k in 0..uty.nrows() {
        let inv = if s[k] > cutoff { 1.0 / s[k] } else { 0.0 };
        for j in 0..uty.ncols() {
            uty[(k, j)] *= inv;
        }
    }
    Ok(svd.V() * &uty)
}

/// `NoSolver`: the given values (checked to be n × d and finite) or zeros.
fn no_solver(values: Option<&[Vec<f64>]>, n: usize, d: usize) -> Result<Mat<f64>, SolverError> {
    let Some(rows) = values else {
        return Ok(Mat::zeros(n, d));
    };
    let shape_error = |found: String| SolverError::ValuesShape {
        n_neurons: n,
        dims: d,
        found,
    };
    if rows.len() != n {
        return Err(shape_error(format!("{} rows", rows.len())));
    }
    if let Some((i, row)) = rows.iter().enumerate().find(|(_, r)| r.len() != d) {
        return Err(shape_error(format!("{} values in row {i}", row.len())));
    }
    for (i, row) in rows.iter().enumerate() {
        if let Some((j, &value)) = row.iter().enumerate().find(|(_, v)| !v.is_finite()) {
            return Err(SolverError::NonFinite {
                matrix: "NoSolver values",
                row: i,
                col: j,
                value,
            });
        }
    }
    Ok(Mat::from_fn(n, d, |i, j| rows[i][j]))
}

/// `rms(Y − A·X, axis=0)`: `sqrt(Σ_i r_ij² / m)` per column.
fn rmses(a: MatRef<'_, f64>, x: MatRef<'_, f64>, y: MatRef<'_, f64>) -> Array1<f64> {
    let r = y - a * x;
    let m = r.nrows() as f64;
    Array1::from_shape_fn(r.ncols(), |j| {
        ((0..r.nrows()).map(|i| r[(i, j)] * r[(i, j)]).sum::<f64>() / m).sqrt()
    })
}

/// `A.max()`: the largest entry (not of absolute values).
fn global_max(a: MatRef<'_, f64>) -> f64 {
    let mut max = f64::NEG_INFINITY;
    for j in 0..a.ncols() {
        for i in 0..a.nrows() {
            max = max.max(a[(i, j)]);
        }
    }
    max
}

/// The first NaN/±inf entry of `x`, as an error naming `matrix`.
fn check_finite(matrix: &'static str, x: ArrayView2<f64>) -> Result<(), SolverError> {
    match x.indexed_iter().find(|(_, v)| !v.is_finite()) {
        None => Ok(()),
        Some(((row, col), &value)) => Err(SolverError::NonFinite {
            matrix,
            row,
            col,
            value,
        }),
    }
}

fn to_faer(x: ArrayView2<f64>) -> Mat<f64> {
    Mat::from_fn(x.nrows(), x.ncols(), |i, j| x[[i, j]])
}

fn from_faer(x: MatRef<'_, f64>) -> Array2<f64> {
    Array2::from_shape_fn((x.nrows(), x.ncols()), |(i, j)| x[(i, j)])
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Array2, array};

    /// SplitMix64 uniform numbers in [0, 1): a tiny deterministic source for test matrices.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> f64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^= z >> 31;
            (z >> 11) as f64 / (1u64 << 53) as f64
        }
        fn matrix(&mut self, rows: usize, cols: usize, scale: f64) -> Array2<f64> {
            Array2::from_shape_fn((rows, cols), |_| scale * self.next())
        }
    }

    /// Rectified random "rates" in [0, 400) Hz with some zeros, like an activity matrix.
    fn activities(rng: &mut Rng, m: usize, n: usize) -> Array2<f64> {
        Array2::from_shape_fn((m, n), |_| (500.0 * rng.next() - 100.0).max(0.0))
    }

    /// Largest `|a − b|` over the largest `|b|`.
    fn rel_err(a: &Array2<f64>, b: &Array2<f64>) -> f64 {
        assert_eq!(a.dim(), b.dim());
        let scale = b.iter().fold(0.0f64, |s, v| s.max(v.abs()));
        a.iter()
            .zip(b)
            .fold(0.0f64, |e, (x, y)| e.max((x - y).abs()))
            / scale
    }

    /// Solves `M·X = B` by Gauss–Jordan elimination with partial pivoting (an independent
    /// reference: no Cholesky, no faer).
    fn gauss_jordan(m: &Array2<f64>, b: &Array2<f64>) -> Array2<f64> {
        let n = m.nrows();
        let mut m = m.clone();
        let mut b = b.clone();
        for c in 0..n {
            let p = (c..n)
                .max_by(|&i, &j| m[[i, c]].abs().total_cmp(&m[[j, c]].abs()))
                .unwrap();
            for k in 0..n {
                m.swap([c, k], [p, k]);
            }
            for k in 0..b.ncols() {
                b.swap([c, k], [p, k]);
            }
            let piv = m[[c, c]];
            for r in 0..n {
                if r != c {
                    let f = m[[r, c]] / piv;
                    for k in 0..n {
                        m[[r, k]] -= f * m[[c, k]];
                    }
                    for k in 0..b.ncols() {
                        b[[r, k]] -= f * b[[c, k]];
                    }
                }
            }
        }
        for r in 0..n {
            let piv = m[[r, r]];
            b.row_mut(r).mapv_inplace(|v| v / piv);
        }
        b
    }

    /// `(AᵀA + diag(λ))⁻¹AᵀY` with ndarray products and Gauss–Jordan.
    fn closed_form(a: &Array2<f64>, y: &Array2<f64>, lambda: &[f64]) -> Array2<f64> {
        let mut g = a.t().dot(a);
        for (j, l) in lambda.iter().enumerate() {
            g[[j, j]] += l;
        }
        gauss_jordan(&g, &a.t().dot(y))
    }

    fn max_of(a: &Array2<f64>) -> f64 {
        a.iter().copied().fold(f64::NEG_INFINITY, f64::max)
    }

    #[test]
    fn lstsq_l2_with_vanishing_reg_reproduces_an_exact_linear_map() {
        let mut rng = Rng(1);
        let a = activities(&mut rng, 40, 6);
        let w = rng.matrix(6, 3, 2.0) - 1.0;
        let y = a.dot(&w);
        for reg in [0.0, 1e-9] {
            let out = Solver::LstsqL2 { reg }.solve(a.view(), y.view()).unwrap();
            let e = rel_err(&out.decoders, &w);
            assert!(e < 1e-10, "reg {reg}: relative error {e}");
            let scale = y.iter().fold(0.0f64, |s, v| s.max(v.abs()));
            assert!(
                out.rmses.iter().all(|r| *r < 1e-10 * scale),
                "{:?}",
                out.rmses
            );
        }
    }

    #[test]
    fn lstsq_l2_equals_the_closed_form() {
        let mut rng = Rng(2);
        let (m, n) = (30, 8);
        let a = activities(&mut rng, m, n);
        let y = rng.matrix(m, 2, 2.0) - 1.0;
        let reg = 0.1;
        let sigma = reg * max_of(&a);
        let reference = closed_form(&a, &y, &vec![m as f64 * sigma * sigma; n]);
        let out = Solver::LstsqL2 { reg }.solve(a.view(), y.view()).unwrap();
        let e = rel_err(&out.decoders, &reference);
        assert!(e < 1e-12, "relative error {e}");
        // The RMSE is that of the returned decoders.
        let r = &y - &a.dot(&out.decoders);
        for j in 0..2 {
            let rmse = (r.column(j).mapv(|v| v * v).sum() / m as f64).sqrt();
            assert!((rmse - out.rmses[j]).abs() <= 1e-14 * rmse);
        }
    }

    /// One factorization serves several targets with exactly the numbers separate solves give
    /// (what lets a build share it between an ensemble's connections and probes).
    #[test]
    fn a_shared_factorization_gives_identical_decoders() {
        let mut rng = Rng(5);
        for (m, n) in [(30, 12), (8, 15)] {
            let a = activities(&mut rng, m, n);
            let targets = [rng.matrix(m, 1, 2.0) - 1.0, rng.matrix(m, 2, 2.0)];
            for solver in [
                Solver::LstsqL2 { reg: 0.1 },
                Solver::LstsqL2nz { reg: 0.1 },
                Solver::Lstsq { rcond: 0.01 },
            ] {
                let f = solver.factor(a.view()).unwrap();
                for y in &targets {
                    assert_eq!(
                        f.solve(y.view()).unwrap(),
                        solver.solve(a.view(), y.view()).unwrap(),
                        "{solver:?} {m}×{n}"
                    );
                }
            }
        }
    }

    #[test]
    fn transposed_and_plain_branches_agree() {
        let mut rng = Rng(3);
        // Square (Nengo does not transpose), tall and fat systems.
        for (m, n) in [(12, 12), (20, 9), (7, 15)] {
            let a = activities(&mut rng, m, n);
            let y = rng.matrix(m, 2, 2.0) - 1.0;
            let sigma = 0.1 * max_of(&a);
            let reg = Reg::Scalar(m as f64 * sigma * sigma);
            let fa = to_faer(a.view());
            let solve = |transpose| {
                let kind = factor_cholesky("test", fa.as_ref(), &reg, transpose).unwrap();
                Factorization {
                    a: fa.clone(),
                    kind,
                }
                .solve(y.view())
                .unwrap()
                .decoders
            };
            let e = rel_err(&solve(true), &solve(false));
            assert!(e < 1e-12, "{m}×{n}: relative difference {e}");
        }
    }

    #[test]
    fn fat_systems_are_solved_transposed_and_still_match_the_closed_form() {
        let mut rng = Rng(4);
        let (m, n) = (6, 14);
        let a = activities(&mut rng, m, n);
        let y = rng.matrix(m, 1, 2.0) - 1.0;
        let sigma = 0.1 * max_of(&a);
        let reference = closed_form(&a, &y, &vec![m as f64 * sigma * sigma; n]);
        let out = Solver::LstsqL2 { reg: 0.1 }
            .solve(a.view(), y.view())
            .unwrap();
        assert!(rel_err(&out.decoders, &reference) < 1e-12);
    }

    #[test]
    fn lstsq_l2nz_uses_one_sigma_per_neuron() {
        let mut rng = Rng(5);
        let (m, n) = (25, 5);
        let mut a = activities(&mut rng, m, n);
        a.column_mut(3).fill(0.0); // a silent neuron gets the largest sigma
        let y = rng.matrix(m, 2, 2.0) - 1.0;
        let base = 0.1 * max_of(&a);
        let mut sigma: Vec<f64> = (0..n)
            .map(|j| {
                let active = a.column(j).iter().filter(|v| **v > 0.0).count();
                base * (active as f64 / m as f64).sqrt()
            })
            .collect();
        assert_eq!(sigma[3], 0.0);
        sigma[3] = sigma.iter().copied().fold(0.0, f64::max);
        let lambda: Vec<f64> = sigma.iter().map(|s| m as f64 * s * s).collect();
        let reference = closed_form(&a, &y, &lambda);
        let out = Solver::LstsqL2nz { reg: 0.1 }
            .solve(a.view(), y.view())
            .unwrap();
        assert!(rel_err(&out.decoders, &reference) < 1e-12);
        assert_eq!(out.decoders.row(3).to_vec(), vec![0.0, 0.0]);
    }

    #[test]
    fn lstsq_reproduces_a_linear_map_and_gives_the_minimum_norm_solution() {
        let mut rng = Rng(6);
        let a = activities(&mut rng, 30, 5);
        let w = rng.matrix(5, 2, 2.0) - 1.0;
        let y = a.dot(&w);
        let out = Solver::Lstsq { rcond: 0.0 }
            .solve(a.view(), y.view())
            .unwrap();
        assert!(rel_err(&out.decoders, &w) < 1e-10);

        // Two identical neurons share the weight equally (minimum norm).
        let col = rng.matrix(10, 1, 1.0);
        let a = ndarray::concatenate![ndarray::Axis(1), col, col];
        let y = col.mapv(|v| 2.0 * v);
        let out = Solver::Lstsq { rcond: 0.01 }
            .solve(a.view(), y.view())
            .unwrap();
        assert!((out.decoders[[0, 0]] - 1.0).abs() < 1e-12);
        assert!((out.decoders[[1, 0]] - 1.0).abs() < 1e-12);
    }

    #[test]
    fn lstsq_drops_singular_values_below_rcond() {
        // A = diag(10, 0.05): with rcond = 0.01 the second direction (0.05 ≤ 0.1) is dropped.
        let a = array![[10.0, 0.0], [0.0, 0.05]];
        let y = array![[1.0], [1.0]];
        let out = Solver::Lstsq { rcond: 0.01 }
            .solve(a.view(), y.view())
            .unwrap();
        assert!((out.decoders[[0, 0]] - 0.1).abs() < 1e-15);
        assert_eq!(out.decoders[[1, 0]], 0.0);
        assert!((out.rmses[0] - (0.5f64).sqrt()).abs() < 1e-15);
        let kept = Solver::Lstsq { rcond: 0.001 }
            .solve(a.view(), y.view())
            .unwrap();
        assert!((kept.decoders[[1, 0]] - 20.0).abs() < 1e-12);
    }

    #[test]
    fn no_solver_returns_its_values_or_zeros() {
        let a = array![[1.0, 2.0], [3.0, 4.0], [0.0, 1.0]];
        let y = array![[1.0], [2.0], [3.0]];
        let zeros = Solver::NoSolver { values: None }
            .solve(a.view(), y.view())
            .unwrap();
        assert_eq!(zeros.decoders, Array2::<f64>::zeros((2, 1)));
        assert_eq!(zeros.rmses[0], (14.0f64 / 3.0).sqrt());
        let given = Solver::NoSolver {
            values: Some(vec![vec![0.5], vec![-0.25]]),
        }
        .solve(a.view(), y.view())
        .unwrap();
        assert_eq!(given.decoders, array![[0.5], [-0.25]]);
        let wrong = Solver::NoSolver {
            values: Some(vec![vec![0.5, 1.0], vec![-0.25, 1.0]]),
        }
        .solve(a.view(), y.view());
        assert!(
            matches!(wrong, Err(SolverError::ValuesShape { .. })),
            "{wrong:?}"
        );
    }

    #[test]
    fn bad_input_is_a_typed_error() {
        let a = array![[1.0, 2.0], [3.0, 4.0], [5.0, 7.0]];
        let y = array![[1.0], [2.0], [3.0]];
        let l2 = Solver::default();
        assert_eq!(
            l2.solve(a.view(), y.slice(ndarray::s![..2, ..])),
            Err(SolverError::ShapeMismatch {
                a_rows: 3,
                y_rows: 2
            })
        );
        let empty = Array2::<f64>::zeros((0, 2));
        assert_eq!(
            l2.solve(empty.view(), Array2::zeros((0, 1)).view()),
            Err(SolverError::Empty { rows: 0, cols: 2 })
        );
        let mut nan = a.clone();
        nan[[1, 0]] = f64::NAN;
        let e = l2.solve(nan.view(), y.view()).unwrap_err();
        assert!(
            matches!(
                e,
                SolverError::NonFinite {
                    matrix: "A",
                    row: 1,
                    col: 0,
                    ..
                }
            ),
            "{e}"
        );
        let mut inf = y.clone();
        inf[[2, 0]] = f64::INFINITY;
        let e = l2.solve(a.view(), inf.view()).unwrap_err();
        assert!(
            matches!(
                e,
                SolverError::NonFinite {
                    matrix: "Y",
                    row: 2,
                    col: 0,
                    ..
                }
            ),
            "{e}"
        );
        for bad in [-0.1, f64::NAN, f64::INFINITY] {
            for s in [
                Solver::LstsqL2 { reg: bad },
                Solver::LstsqL2nz { reg: bad },
                Solver::Lstsq { rcond: bad },
            ] {
                let e = s.solve(a.view(), y.view()).unwrap_err();
                assert!(matches!(e, SolverError::Parameter { .. }), "{e}");
            }
        }
    }

    #[test]
    fn singular_systems_are_reported() {
        let mut rng = Rng(7);
        // A silent neuron with reg = 0: a zero pivot.
        let mut a = activities(&mut rng, 20, 4);
        a.column_mut(2).fill(0.0);
        let y = rng.matrix(20, 1, 1.0);
        let e = Solver::LstsqL2 { reg: 0.0 }
            .solve(a.view(), y.view())
            .unwrap_err();
        assert!(matches!(e, SolverError::NotPositiveDefinite { .. }), "{e}");
        // An all-zero activity matrix: max(A) = 0, so no regularisation either.
        let zeros = Array2::<f64>::zeros((20, 4));
        let e = Solver::LstsqL2 { reg: 0.1 }
            .solve(zeros.view(), y.view())
            .unwrap_err();
        assert!(matches!(e, SolverError::NotPositiveDefinite { .. }), "{e}");
        // Two identical neurons with reg = 0: singular up to rounding.
        let mut a = activities(&mut rng, 20, 4);
        let c = a.column(0).to_owned();
        a.column_mut(3).assign(&c);
        let e = Solver::LstsqL2 { reg: 0.0 }
            .solve(a.view(), y.view())
            .unwrap_err();
        assert!(
            matches!(
                e,
                SolverError::Singular { index: 3, .. }
                    | SolverError::NotPositiveDefinite { index: 3, .. }
            ),
            "{e}"
        );
        // The same matrix is fine with regularisation.
        assert!(Solver::default().solve(a.view(), y.view()).is_ok());
    }

    #[test]
    fn zero_target_dimensions_give_empty_decoders() {
        let a = array![[1.0, 2.0], [3.0, 4.0], [5.0, 7.0]];
        let y = Array2::<f64>::zeros((3, 0));
        for s in [
            Solver::default(),
            Solver::Lstsq { rcond: 0.01 },
            Solver::LstsqL2nz { reg: 0.1 },
            Solver::NoSolver { values: None },
        ] {
            let out = s.solve(a.view(), y.view()).unwrap();
            assert_eq!(out.decoders.dim(), (2, 0));
            assert_eq!(out.rmses.len(), 0);
        }
    }

    #[test]
    fn non_contiguous_views_are_read_correctly() {
        let mut rng = Rng(8);
        let a = activities(&mut rng, 10, 16);
        let y = rng.matrix(16, 1, 1.0);
        // A transposed view (16 × 10, column-major strides).
        let out = Solver::default().solve(a.t(), y.view()).unwrap();
        let owned = a.t().to_owned();
        let reference = Solver::default().solve(owned.view(), y.view()).unwrap();
        assert_eq!(out, reference);
    }
}
