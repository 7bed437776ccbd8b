//! Connection transforms: Nengo 4.1.0's `nengo/transforms.py` (`Dense`, `Sparse`,
//! `Convolution`), plus a per-channel average pooling.
//!
//! A transform is a linear map `y = T·x` from a connection's (decoded or neural) input of size
//! `size_in` to its output of size `size_out`. Every transform here can be written as a dense
//! `size_out × size_in` matrix ([`Transform::to_dense`]); a decoded connection folds it into its
//! decoders as Nengo does, `weights = T·Dᵀ` (`nengo/builder/connection.py`, then
//! `builder/transforms.py`, `build_dense` / `build_sparse` / `build_convolution`).
//!
//! # The transforms (Nengo's names and parameter names)
//!
//! | variant | Nengo | matrix |
//! | --- | --- | --- |
//! | `Scalar(s)` | a scalar `transform=s` (`Dense((n, n), init=s)`) | `s·I` (`size_out = size_in`) |
//! | `Dense(rows)` | `Dense(shape, init=matrix)` | the rows as given (rows = outputs) |
//! | `Sparse { shape, indices, data }` | `Sparse(shape, indices=…, init=data)` | entry `(row, col)` = `data` (duplicates summed) |
//! | `Convolution { … }` | `Convolution(n_filters, input_shape, kernel_size, strides, padding, init=kernel)` | see below |
//! | `AveragePool { … }` | — (nengo-dl's `average_pooling2d`) | a convolution with a `1/∏pool_size` kernel, channel by channel |
//!
//! In RON: `Scalar(2.0)`, `Dense([[1.0, 0.0], [0.0, -1.0]])`,
//! `Sparse(shape: (2, 3), indices: [(0, 2), (1, 0)], data: [1.0, -1.0])`,
//! `Convolution(n_filters: 2, input_shape: [5, 1], kernel_size: [3], padding: same, init: [...])`,
//! `AveragePool(input_shape: [4, 4, 1], pool_size: [2, 2])`. `padding` is spelled as in Nengo,
//! `valid` or `same` (`Valid` / `Same` are accepted too).
//!
//! # Convolution (`nengo.Convolution`, channels last)
//!
//! The input is an array of shape `input_shape = [in_0, …, in_{D−1}, C]` (D spatial dimensions,
//! C channels; D = 1 is `[width, channels]`, D = 2 `[height, width, channels]`), flattened in
//! row-major (C) order, so the channel index varies fastest. The kernel has Nengo's shape
//! `kernel_size + (C, n_filters)` and `init` holds it flattened in row-major order. As in Nengo
//! and TensorFlow's `conv2d` this is a **cross-correlation** (the kernel is not flipped):
//!
//! ```text
//! y[o_0, …, o_{D−1}, f] = Σ_{k, c} K[k_0, …, k_{D−1}, c, f] · x[o_0·s_0 + k_0 − p_0, …, c]
//! ```
//!
//! with strides `s_d` (default 1) and zero padding before each axis `p_d`; input positions
//! outside `[0, in_d)` read 0. The output has shape `[out_0, …, out_{D−1}, n_filters]`:
//!
//! ```text
//! valid:  out_d = ⌊(in_d − k_d) / s_d⌋ + 1               p_d = 0
//! same:   out_d = ⌈in_d / s_d⌉                            p_d = ⌊pad_total_d / 2⌋,
//!         pad_total_d = max((out_d − 1)·s_d + k_d − in_d, 0)
//! ```
//!
//! `Convolution.output_shape` in `nengo/transforms.py` computes `ceil((in − k + 1) / s)` (valid,
//! the same number as above) and `ceil(in / s)` (same); the padding split is
//! `nengo/_vendor/npconv2d/conv2d.py` (`calc_pad`, and `extract_sliding_windows` with
//! `floor_first=True`: the smaller half before), which is TensorFlow's `SAME` rule.
//!
//! # AveragePool
//!
//! Per-channel mean over windows of `pool_size` with `strides` (default `pool_size`, i.e.
//! non-overlapping windows), valid padding: the convolution above with `n_filters = C` and
//! `K[k, c, f] = δ_cf / ∏pool_size`. It never mixes channels. Example: `input_shape: [4, 1]`,
//! `pool_size: [2]` is the 2 × 4 matrix `[[.5, .5, 0, 0], [0, 0, .5, .5]]`.
//!
//! # Where this differs from Nengo (on purpose)
//!
//! - `Scalar` stands for Nengo's scalar (and `NoTransform`, = `Scalar(1.0)`) transforms; a
//!   diagonal `Dense` init (Nengo's vector shorthand) is written as a full `Dense` matrix.
//! - `init` must be given concretely (no distributions), and `channels_last=False` is not
//!   offered.
//! - `same` padding never pads by a negative amount. Nengo's vendored `calc_pad` does not clamp
//!   `(out − 1)·s + k − in` at 0 (a stride larger than the kernel then makes `np.pad` fail);
//!   here, as in TensorFlow, the padding is `max(…, 0)`.
//! - Nengo's reference builder convolves in 1-D and 2-D only; the math here is the same for any
//!   number of spatial dimensions, and any D ≥ 1 is accepted.
//! - Duplicate `Sparse` indices are summed (what `scipy.sparse.csr_matrix`, which Nengo uses
//!   when scipy is installed, does).
//! - Bad parameters are a typed [`TransformError`] (never a panic): NaN/±inf values, a ragged
//!   or empty dense matrix, sparse entries outside the shape, zero sizes, a kernel whose
//!   length does not match its shape, a valid-padding window larger than the input, sizes
//!   whose product overflows `usize`, or an input whose size does not match the transform.

use ndarray::Array2;
use serde::{Deserialize, Serialize};

/// A connection transform (`nengo/transforms.py`). See the [module docs](self) for the
/// semantics of each variant and their RON spelling.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum Transform {
    /// `y = s·x`; `size_out = size_in` (Nengo's scalar transform; `Scalar(1.0)` is Nengo's
    /// default `NoTransform`).
    Scalar(f64),
    /// A dense `size_out × size_in` matrix, one inner `Vec` per output (row).
    Dense(Vec<Vec<f64>>),
    /// A sparse `size_out × size_in` matrix (`nengo.transforms.Sparse`).
    Sparse {
        /// `(size_out, size_in)`.
        shape: (usize, usize),
        /// `(row, col)` of each non-zero entry.
        indices: Vec<(usize, usize)>,
        /// The value of each entry, in the order of `indices` (Nengo's `init`).
        data: Vec<f64>,
    },
    /// An N-dimensional convolution (cross-correlation), channels last
    /// (`nengo.transforms.Convolution`).
    Convolution {
        /// Number of filters (output channels).
        n_filters: usize,
        /// `[spatial…, channels]`: `[width, channels]` (1-D) or `[height, width, channels]`
        /// (2-D).
        input_shape: Vec<usize>,
        /// The kernel's spatial size, one entry per spatial dimension.
        kernel_size: Vec<usize>,
        /// Strides, one per spatial dimension (default: all 1).
        #[serde(default)]
        strides: Option<Vec<usize>>,
        /// `valid` (no padding, Nengo's default) or `same`.
        #[serde(default)]
        padding: Padding,
        /// The kernel, flattened row-major from Nengo's shape
        /// `kernel_size + (in_channels, n_filters)`.
        init: Vec<f64>,
    },
    /// Per-channel average pooling, channels last, valid padding.
    AveragePool {
        /// `[spatial…, channels]`, as for [`Transform::Convolution`].
        input_shape: Vec<usize>,
        /// The window's spatial size, one entry per spatial dimension.
        pool_size: Vec<usize>,
        /// Strides, one per spatial dimension (default: `pool_size`).
        #[serde(default)]
        strides: Option<Vec<usize>>,
    },
}

impl Default for Transform {
    /// `Scalar(1.0)`: the identity (Nengo's default `NoTransform`).
    fn default() -> Self {
        Transform::Scalar(1.0)
    }
}

/// Zero padding of a convolution (Nengo's `padding="valid"` / `"same"`). Serialized as
/// Nengo spells it, `valid` / `same`; `Valid` / `Same` are accepted when reading.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Padding {
    /// No padding: the kernel is applied only where it lies wholly inside the input.
    #[default]
    #[serde(rename = "valid", alias = "Valid")]
    Valid,
    /// Zero padding (TensorFlow's `SAME` rule) so that `out = ⌈in / stride⌉`.
    #[serde(rename = "same", alias = "Same")]
    Same,
}

/// Why a transform is invalid or cannot take an input. The caller adds the connection's name.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TransformError {
    /// The input's size does not match the transform's `size_in`.
    #[error(
        "the {transform} transform takes an input of size {expected}, but the input has size {found}"
    )]
    SizeMismatch {
        /// `"dense"`, `"sparse"`, `"convolution"` or `"average pool"`.
        transform: &'static str,
        /// The transform's `size_in`.
        expected: usize,
        /// The input's size.
        found: usize,
    },
    /// A NaN or ±inf value.
    #[error("{what} is {value}; every transform value must be finite")]
    NonFinite {
        /// Which value, e.g. `"dense[1][2]"`.
        what: String,
        /// The value.
        value: f64,
    },
    /// A dense matrix without rows or columns.
    #[error(
        "the dense transform is empty ({rows} rows × {cols} columns); it needs at least one of each"
    )]
    EmptyDense {
        /// Number of rows.
        rows: usize,
        /// Number of columns of the first row.
        cols: usize,
    },
    /// A dense matrix whose rows differ in length.
    #[error("the dense transform is ragged: row 0 has {expected} columns, row {row} has {found}")]
    RaggedDense {
        /// The first row that differs.
        row: usize,
        /// The length of row 0.
        expected: usize,
        /// The length of `row`.
        found: usize,
    },
    /// `indices` and `data` of a sparse transform differ in length.
    #[error(
        "the sparse transform has {indices} indices but {data} data values; there must be one value per index"
    )]
    SparseLength {
        /// `indices.len()`.
        indices: usize,
        /// `data.len()`.
        data: usize,
    },
    /// A sparse entry outside the matrix.
    #[error(
        "sparse transform entry {entry} is at (row {row}, col {col}), outside the {rows} × {cols} shape (rows and columns count from 0)"
    )]
    SparseIndexOutOfShape {
        /// Position of the entry in `indices`.
        entry: usize,
        /// Its row.
        row: usize,
        /// Its column.
        col: usize,
        /// `shape.0`.
        rows: usize,
        /// `shape.1`.
        cols: usize,
    },
    /// A size that must be at least 1 is 0.
    #[error("{what} is 0; it must be at least 1")]
    ZeroSize {
        /// Which size, e.g. `"convolution kernel_size[1]"`.
        what: String,
    },
    /// `input_shape` lacks the spatial dimensions or the channels.
    #[error(
        "the {transform} input_shape {input_shape:?} has {} entries; it needs at least 2 (spatial dimensions…, channels), e.g. [width, channels] or [height, width, channels]", .input_shape.len()
    )]
    InputShapeRank {
        /// `"convolution"` or `"average pool"`.
        transform: &'static str,
        /// The shape given.
        input_shape: Vec<usize>,
    },
    /// `kernel_size`, `pool_size` or `strides` has the wrong number of entries.
    #[error(
        "the {transform} {what} has {found} entries, but input_shape {input_shape:?} has {expected} spatial dimensions (one entry each)"
    )]
    DimensionMismatch {
        /// `"convolution"` or `"average pool"`.
        transform: &'static str,
        /// `"kernel_size"`, `"pool_size"` or `"strides"`.
        what: &'static str,
        /// Number of spatial dimensions.
        expected: usize,
        /// Number of entries given.
        found: usize,
        /// The input shape.
        input_shape: Vec<usize>,
    },
    /// The convolution kernel has the wrong number of values.
    #[error(
        "the convolution init has {found} values, but the kernel shape {kernel_shape:?} (kernel_size…, in_channels, n_filters) needs {expected}"
    )]
    InitLength {
        /// `∏kernel_shape`.
        expected: usize,
        /// `init.len()`.
        found: usize,
        /// `kernel_size + [in_channels, n_filters]`.
        kernel_shape: Vec<usize>,
    },
    /// With valid padding, the window does not fit inside the input.
    #[error(
        "the {transform} {what}[{axis}] = {size} is larger than input_shape[{axis}] = {input}; with valid padding the window must fit inside the input"
    )]
    WindowLargerThanInput {
        /// `"convolution"` or `"average pool"`.
        transform: &'static str,
        /// `"kernel_size"` or `"pool_size"`.
        what: &'static str,
        /// The spatial axis.
        axis: usize,
        /// The window's size along it.
        size: usize,
        /// The input's size along it.
        input: usize,
    },
    /// A size too large to represent (a product of dimensions overflows).
    #[error("{what} is too large: the product of its dimensions overflows")]
    TooLarge {
        /// Which size, e.g. `"convolution input_shape"`.
        what: String,
    },
}

/// The spatial geometry of a convolution or pooling, checked.
struct Grid {
    /// Input spatial sizes.
    input: Vec<usize>,
    /// Input channels.
    channels: usize,
    /// Window (kernel / pool) sizes.
    window: Vec<usize>,
    strides: Vec<usize>,
    /// Zero padding before each axis.
    pad_before: Vec<usize>,
    /// Output spatial sizes.
    output: Vec<usize>,
    /// `∏input_shape` (spatial × channels).
    size_in: usize,
    /// `∏output` × output channels.
    size_out: usize,
}

/// The kernel of a [`Grid`]: a full kernel that mixes channels, or one constant weight applied
/// channel by channel.
enum Kernel<'a> {
    Full { init: &'a [f64], n_filters: usize },
    PerChannel(f64),
}

fn product(dims: &[usize], what: impl FnOnce() -> String) -> Result<usize, TransformError> {
    dims.iter()
        .try_fold(1usize, |acc, &d| acc.checked_mul(d))
        .ok_or_else(|| TransformError::TooLarge { what: what() })
}

fn check_finite<'a>(
    values: impl IntoIterator<Item = &'a f64>,
    what: impl Fn(usize) -> String,
) -> Result<(), TransformError> {
    for (i, &v) in values.into_iter().enumerate() {
        if !v.is_finite() {
            return Err(TransformError::NonFinite {
                what: what(i),
                value: v,
            });
        }
    }
    Ok(())
}

impl Grid {
    /// Checks a convolution's or pooling's shapes and works out the output geometry.
    fn new(
        transform: &'static str,
        input_shape: &[usize],
        window_name: &'static str,
        window: &[usize],
        strides: &[usize],
        padding: Padding,
        out_channels: usize,
    ) -> Result<Self, TransformError> {
        if input_shape.len() < 2 {
            return Err(TransformError::InputShapeRank {
                transform,
                input_shape: input_shape.to_vec(),
            });
        }
        let d = input_shape.len() - 1;
        for (what, v) in [(window_name, window), ("strides", strides)] {
            if v.len() != d {
                return Err(TransformError::DimensionMismatch {
                    transform,
                    what,
                    expected: d,
                    found: v.len(),
                    input_shape: input_shape.to_vec(),
                });
            }
        }
        for (what, v) in [
            ("input_shape", input_shape),
            (window_name, window),
            ("strides", strides),
        ] {
            if let Some(i) = v.iter().position(|&x| x == 0) {
                return Err(TransformError::ZeroSize {
                    what: format!("the {transform} {what}[{i}]"),
                });
            }
        }
        let input = input_shape[..d].to_vec();
        let channels = input_shape[d];
        let mut output = Vec::with_capacity(d);
        let mut pad_before = Vec::with_capacity(d);
        for axis in 0..d {
            let (n, k, s) = (input[axis], window[axis], strides[axis]);
            match padding {
                Padding::Valid => {
                    if k > n {
                        return Err(TransformError::WindowLargerThanInput {
                            transform,
                            what: window_name,
                            axis,
                            size: k,
                            input: n,
                        });
                    }
                    output.push((n - k) / s + 1);
                    pad_before.push(0);
                }
                Padding::Same => {
                    let out = n.div_ceil(s);
                    // (out − 1)·s < n, so this cannot overflow unless k is near usize::MAX.
                    let reach =
                        ((out - 1) * s)
                            .checked_add(k)
                            .ok_or_else(|| TransformError::TooLarge {
                                what: format!("the {transform} {window_name}[{axis}]"),
                            })?;
                    output.push(out);
                    pad_before.push(reach.saturating_sub(n) / 2);
                }
            }
        }
        let size_in = product(input_shape, || format!("the {transform} input_shape"))?;
        let size_out = product(&output, || format!("the {transform} output shape"))?
            .checked_mul(out_channels)
            .ok_or_else(|| TransformError::TooLarge {
                what: format!("the {transform} output shape"),
            })?;
        Ok(Grid {
            input,
            channels,
            window: window.to_vec(),
            strides: strides.to_vec(),
            pad_before,
            output,
            size_in,
            size_out,
        })
    }

    /// The dense `size_out × size_in` matrix of the cross-correlation with `kernel`.
    fn to_dense(&self, kernel: &Kernel) -> Array2<f64> {
        let c_in = self.channels;
        let c_out = match kernel {
            Kernel::Full { n_filters, .. } => *n_filters,
            Kernel::PerChannel(_) => c_in,
        };
        let d = self.input.len();
        let mut m = Array2::zeros((self.size_out, self.size_in));
        let mut pos = vec![0usize; d];
        for_each_index(&self.output, |o| {
            let o_flat = flat(o, &self.output);
            for_each_index(&self.window, |k| {
                for axis in 0..d {
                    let p = o[axis] * self.strides[axis] + k[axis];
                    match p.checked_sub(self.pad_before[axis]) {
                        Some(i) if i < self.input[axis] => pos[axis] = i,
                        _ => return, // in the zero padding
                    }
                }
                let i_flat = flat(&pos, &self.input);
                match kernel {
                    Kernel::Full { init, n_filters } => {
                        let k_flat = flat(k, &self.window);
                        for c in 0..c_in {
                            for f in 0..*n_filters {
                                m[[o_flat * c_out + f, i_flat * c_in + c]] +=
                                    init[(k_flat * c_in + c) * n_filters + f];
                            }
                        }
                    }
                    Kernel::PerChannel(w) => {
                        for c in 0..c_in {
                            m[[o_flat * c_out + c, i_flat * c_in + c]] += *w;
                        }
                    }
                }
            });
        });
        m
    }
}

/// Row-major flat index of `index` in an array of shape `shape`.
fn flat(index: &[usize], shape: &[usize]) -> usize {
    index.iter().zip(shape).fold(0, |acc, (&i, &n)| acc * n + i)
}

/// Calls `f` with every multi-index of `shape`, in row-major order.
fn for_each_index(shape: &[usize], mut f: impl FnMut(&[usize])) {
    if shape.contains(&0) {
        return;
    }
    let mut index = vec![0usize; shape.len()];
    loop {
        f(&index);
        let mut axis = shape.len();
        loop {
            if axis == 0 {
                return;
            }
            axis -= 1;
            index[axis] += 1;
            if index[axis] < shape[axis] {
                break;
            }
            index[axis] = 0;
        }
    }
}

impl Transform {
    /// The transform's name in error messages.
    fn name(&self) -> &'static str {
        match self {
            Transform::Scalar(_) => "scalar",
            Transform::Dense(_) => "dense",
            Transform::Sparse { .. } => "sparse",
            Transform::Convolution { .. } => "convolution",
            Transform::AveragePool { .. } => "average pool",
        }
    }

    /// The checked geometry of a convolution or pooling (`None` for the others). Does not
    /// check the kernel values.
    fn grid(&self) -> Result<Option<Grid>, TransformError> {
        match self {
            Transform::Convolution {
                n_filters,
                input_shape,
                kernel_size,
                strides,
                padding,
                ..
            } => {
                if *n_filters == 0 {
                    return Err(TransformError::ZeroSize {
                        what: "the convolution n_filters".into(),
                    });
                }
                let ones;
                let strides = match strides {
                    Some(s) => s.as_slice(),
                    None => {
                        ones = vec![1; input_shape.len().saturating_sub(1)];
                        ones.as_slice()
                    }
                };
                Grid::new(
                    self.name(),
                    input_shape,
                    "kernel_size",
                    kernel_size,
                    strides,
                    *padding,
                    *n_filters,
                )
                .map(Some)
            }
            Transform::AveragePool {
                input_shape,
                pool_size,
                strides,
            } => {
                let strides = strides.as_deref().unwrap_or(pool_size);
                let channels = input_shape.last().copied().unwrap_or(0);
                Grid::new(
                    self.name(),
                    input_shape,
                    "pool_size",
                    pool_size,
                    strides,
                    Padding::Valid,
                    channels,
                )
                .map(Some)
            }
            _ => Ok(None),
        }
    }

    /// The input size the transform requires, or `None` for [`Transform::Scalar`], which takes
    /// any size. Errors when the transform is invalid (see [`Transform::validate`]).
    pub fn size_in(&self) -> Result<Option<usize>, TransformError> {
        self.validate()?;
        Ok(match self {
            Transform::Scalar(_) => None,
            Transform::Dense(rows) => Some(rows[0].len()),
            Transform::Sparse { shape, .. } => Some(shape.1),
            Transform::Convolution { .. } | Transform::AveragePool { .. } => {
                self.grid()?.map(|g| g.size_in)
            }
        })
    }

    /// `(size_out, size_in)` for an input of size `size_in`. Errors when the transform is
    /// invalid ([`Transform::validate`]) or cannot take an input of that size
    /// ([`TransformError::SizeMismatch`]: dense columns, sparse `shape.1` or `∏input_shape`
    /// differ from `size_in`).
    pub fn shape(&self, size_in: usize) -> Result<(usize, usize), TransformError> {
        self.validate()?;
        let (out, expected) = match self {
            Transform::Scalar(_) => return Ok((size_in, size_in)),
            Transform::Dense(rows) => (rows.len(), rows[0].len()),
            Transform::Sparse { shape, .. } => *shape,
            Transform::Convolution { .. } | Transform::AveragePool { .. } => match self.grid()? {
                Some(g) => (g.size_out, g.size_in),
                None => unreachable!("convolutions and poolings have a grid"),
            },
        };
        if expected != size_in {
            return Err(TransformError::SizeMismatch {
                transform: self.name(),
                expected,
                found: size_in,
            });
        }
        Ok((out, size_in))
    }

    /// The transform as a dense `size_out × size_in` matrix `T` (rows = outputs), so that
    /// `y = T·x`; a decoded connection's weights are `T·Dᵀ`. Errors as [`Transform::shape`],
    /// and with [`TransformError::TooLarge`] when `size_out·size_in` overflows.
    pub fn to_dense(&self, size_in: usize) -> Result<Array2<f64>, TransformError> {
        let (size_out, size_in) = self.shape(size_in)?;
        if size_out
            .checked_mul(size_in)
            .is_none_or(|n| n > isize::MAX as usize / std::mem::size_of::<f64>())
        {
            return Err(TransformError::TooLarge {
                what: format!(
                    "the dense form ({size_out} × {size_in}) of the {} transform",
                    self.name()
                ),
            });
        }
        Ok(match self {
            Transform::Scalar(s) => Array2::eye(size_in) * *s,
            Transform::Dense(rows) => {
                Array2::from_shape_fn((size_out, size_in), |(r, c)| rows[r][c])
            }
            Transform::Sparse { indices, data, .. } => {
                let mut m = Array2::zeros((size_out, size_in));
                for (&(r, c), &v) in indices.iter().zip(data) {
                    m[[r, c]] += v;
                }
                m
            }
            Transform::Convolution {
                n_filters, init, ..
            } => match self.grid()? {
                Some(g) => g.to_dense(&Kernel::Full {
                    init,
                    n_filters: *n_filters,
                }),
                None => unreachable!("convolutions have a grid"),
            },
            Transform::AveragePool { pool_size, .. } => match self.grid()? {
                // ∏pool_size ≤ ∏input spatial sizes, which did not overflow.
                Some(g) => g.to_dense(&Kernel::PerChannel(
                    1.0 / pool_size.iter().product::<usize>() as f64,
                )),
                None => unreachable!("poolings have a grid"),
            },
        })
    }

    /// Checks the transform on its own (without an input): every value finite; a dense matrix
    /// non-empty and rectangular; sparse indices inside a non-zero shape, one value each;
    /// convolution / pooling sizes non-zero, `kernel_size` / `pool_size` / `strides` with one
    /// entry per spatial dimension, `init` of length `∏kernel_size · in_channels · n_filters`,
    /// and with valid padding a window no larger than the input.
    pub fn validate(&self) -> Result<(), TransformError> {
        match self {
            Transform::Scalar(s) => check_finite([s], |_| "the scalar transform".into()),
            Transform::Dense(rows) => {
                let cols = rows.first().map_or(0, Vec::len);
                if rows.is_empty() || cols == 0 {
                    return Err(TransformError::EmptyDense {
                        rows: rows.len(),
                        cols,
                    });
                }
                for (r, row) in rows.iter().enumerate() {
                    if row.len() != cols {
                        return Err(TransformError::RaggedDense {
                            row: r,
                            expected: cols,
                            found: row.len(),
                        });
                    }
                    check_finite(row, |c| format!("dense[{r}][{c}]"))?;
                }
                Ok(())
            }
            Transform::Sparse {
                shape,
                indices,
                data,
            } => {
                for (what, n) in [
                    ("shape.0 (size_out)", shape.0),
                    ("shape.1 (size_in)", shape.1),
                ] {
                    if n == 0 {
                        return Err(TransformError::ZeroSize {
                            what: format!("the sparse transform {what}"),
                        });
                    }
                }
                if indices.len() != data.len() {
                    return Err(TransformError::SparseLength {
                        indices: indices.len(),
                        data: data.len(),
                    });
                }
                if let Some(entry) = indices
                    .iter()
                    .position(|&(r, c)| r >= shape.0 || c >= shape.1)
                {
                    let (row, col) = indices[entry];
                    return Err(TransformError::SparseIndexOutOfShape {
                        entry,
                        row,
                        col,
                        rows: shape.0,
                        cols: shape.1,
                    });
                }
                check_finite(data, |i| format!("sparse data[{i}]"))
            }
            Transform::Convolution {
                n_filters,
                input_shape,
                kernel_size,
                init,
                ..
            } => {
                self.grid()?;
                let mut kernel_shape = kernel_size.clone();
                kernel_shape.extend([input_shape[input_shape.len() - 1], *n_filters]);
                let expected = product(&kernel_shape, || "the convolution kernel".into())?;
                if init.len() != expected {
                    return Err(TransformError::InitLength {
                        expected,
                        found: init.len(),
                        kernel_shape,
                    });
                }
                check_finite(init, |i| format!("convolution init[{i}]"))
            }
            Transform::AveragePool { .. } => self.grid().map(|_| ()),
        }
    }

    /// For [`Transform::Convolution`] and [`Transform::AveragePool`], the output's shape:
    /// spatial sizes then channels (`n_filters` for a convolution, the input's channels for a
    /// pooling), e.g. `[2, 2, 1]`. `None` for the other transforms, and when the geometry is
    /// invalid ([`Transform::validate`] says why).
    pub fn output_shape(&self) -> Option<Vec<usize>> {
        let grid = self.grid().ok()??;
        let channels = match self {
            Transform::Convolution { n_filters, .. } => *n_filters,
            _ => grid.channels,
        };
        let mut shape = grid.output;
        shape.push(channels);
        Some(shape)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Array1, array};

    fn conv(
        input_shape: &[usize],
        kernel_size: &[usize],
        n_filters: usize,
        strides: Option<&[usize]>,
        padding: Padding,
        init: &[f64],
    ) -> Transform {
        Transform::Convolution {
            n_filters,
            input_shape: input_shape.to_vec(),
            kernel_size: kernel_size.to_vec(),
            strides: strides.map(<[usize]>::to_vec),
            padding,
            init: init.to_vec(),
        }
    }

    fn pool(input_shape: &[usize], pool_size: &[usize], strides: Option<&[usize]>) -> Transform {
        Transform::AveragePool {
            input_shape: input_shape.to_vec(),
            pool_size: pool_size.to_vec(),
            strides: strides.map(<[usize]>::to_vec),
        }
    }

    /// `T·x` through the dense form.
    fn apply(t: &Transform, x: &[f64]) -> Vec<f64> {
        let m = t.to_dense(x.len()).unwrap();
        m.dot(&Array1::from(x.to_vec())).to_vec()
    }

    #[test]
    fn default_is_identity() {
        assert_eq!(Transform::default(), Transform::Scalar(1.0));
        assert_eq!(
            Transform::default().to_dense(3).unwrap(),
            Array2::<f64>::eye(3)
        );
        assert_eq!(Padding::default(), Padding::Valid);
    }

    #[test]
    fn scalar_shape_and_matrix() {
        let t = Transform::Scalar(2.5);
        assert_eq!(t.shape(3).unwrap(), (3, 3));
        assert_eq!(t.size_in().unwrap(), None);
        assert_eq!(
            t.to_dense(3).unwrap(),
            array![[2.5, 0.0, 0.0], [0.0, 2.5, 0.0], [0.0, 0.0, 2.5]]
        );
        assert_eq!(t.output_shape(), None);
    }

    #[test]
    fn dense_shape_and_matrix() {
        let t = Transform::Dense(vec![vec![1.0, 2.0, 3.0], vec![-4.0, 0.5, 0.0]]);
        assert_eq!(t.shape(3).unwrap(), (2, 3));
        assert_eq!(t.size_in().unwrap(), Some(3));
        assert_eq!(
            t.to_dense(3).unwrap(),
            array![[1.0, 2.0, 3.0], [-4.0, 0.5, 0.0]]
        );
        // y = T·x: [1 + 4 + 9, -4 + 1 + 0]
        assert_eq!(apply(&t, &[1.0, 2.0, 3.0]), vec![14.0, -3.0]);
        assert_eq!(t.output_shape(), None);
    }

    #[test]
    fn sparse_shape_and_matrix_with_duplicates_summed() {
        let t = Transform::Sparse {
            shape: (2, 3),
            indices: vec![(0, 2), (1, 0), (0, 2)],
            data: vec![1.0, 2.0, 3.0],
        };
        assert_eq!(t.shape(3).unwrap(), (2, 3));
        assert_eq!(t.size_in().unwrap(), Some(3));
        assert_eq!(
            t.to_dense(3).unwrap(),
            array![[0.0, 0.0, 4.0], [2.0, 0.0, 0.0]]
        );
        // No entries at all: the zero matrix.
        let empty = Transform::Sparse {
            shape: (1, 2),
            indices: vec![],
            data: vec![],
        };
        assert_eq!(empty.to_dense(2).unwrap(), array![[0.0, 0.0]]);
    }

    #[test]
    fn average_pool_4_to_2() {
        let t = pool(&[4, 1], &[2], None);
        assert_eq!(t.shape(4).unwrap(), (2, 4));
        assert_eq!(t.output_shape(), Some(vec![2, 1]));
        assert_eq!(
            t.to_dense(4).unwrap(),
            array![[0.5, 0.5, 0.0, 0.0], [0.0, 0.0, 0.5, 0.5]]
        );
    }

    #[test]
    fn average_pool_2d_block_means() {
        // The 4 × 4 image
        //   0  1  2  3
        //   4  5  6  7
        //   8  9 10 11
        //  12 13 14 15
        // in 2 × 2 blocks: (0+1+4+5)/4, (2+3+6+7)/4, (8+9+12+13)/4, (10+11+14+15)/4.
        let t = pool(&[4, 4, 1], &[2, 2], None);
        assert_eq!(t.shape(16).unwrap(), (4, 16));
        assert_eq!(t.output_shape(), Some(vec![2, 2, 1]));
        let image: Vec<f64> = (0..16).map(f64::from).collect();
        assert_eq!(apply(&t, &image), vec![2.5, 4.5, 10.5, 12.5]);
    }

    #[test]
    fn average_pool_keeps_channels_apart() {
        // Input [width 2, channels 2] = [[a0, b0], [a1, b1]] → [(a0+a1)/2, (b0+b1)/2].
        let t = pool(&[2, 2], &[2], None);
        assert_eq!(t.output_shape(), Some(vec![1, 2]));
        assert_eq!(
            t.to_dense(4).unwrap(),
            array![[0.5, 0.0, 0.5, 0.0], [0.0, 0.5, 0.0, 0.5]]
        );
        // Overlapping windows with stride 1: width 3 → 2 outputs.
        let t = pool(&[3, 1], &[2], Some(&[1]));
        assert_eq!(apply(&t, &[2.0, 4.0, 8.0]), vec![3.0, 6.0]);
    }

    #[test]
    fn average_pool_is_a_per_channel_convolution() {
        // Kernel K[k0, k1, c, f] = δ_cf / 4 for a 2 × 2 pool over 2 channels.
        let mut init = Vec::new();
        for _k in 0..4 {
            for c in 0..2 {
                for f in 0..2 {
                    init.push(if c == f { 0.25 } else { 0.0 });
                }
            }
        }
        let c = conv(&[4, 6, 2], &[2, 2], 2, Some(&[2, 2]), Padding::Valid, &init);
        let p = pool(&[4, 6, 2], &[2, 2], None);
        assert_eq!(p.output_shape(), Some(vec![2, 3, 2]));
        assert_eq!(c.to_dense(48).unwrap(), p.to_dense(48).unwrap());
    }

    #[test]
    fn conv_1d_valid_by_hand() {
        // y[o] = Σ_k K[k]·x[o + k], K = [1, 2, 3], x = [1, 0, 0, 1, 0]:
        // y[0] = 1·1 + 2·0 + 3·0 = 1, y[1] = 1·0 + 2·0 + 3·1 = 3, y[2] = 1·0 + 2·1 + 3·0 = 2.
        let t = conv(&[5, 1], &[3], 1, None, Padding::Valid, &[1.0, 2.0, 3.0]);
        assert_eq!(t.shape(5).unwrap(), (3, 5));
        assert_eq!(t.output_shape(), Some(vec![3, 1]));
        assert_eq!(apply(&t, &[1.0, 0.0, 0.0, 1.0, 0.0]), vec![1.0, 3.0, 2.0]);
        assert_eq!(
            t.to_dense(5).unwrap(),
            array![
                [1.0, 2.0, 3.0, 0.0, 0.0],
                [0.0, 1.0, 2.0, 3.0, 0.0],
                [0.0, 0.0, 1.0, 2.0, 3.0]
            ]
        );
    }

    #[test]
    fn conv_1d_valid_stride_2() {
        // out = ⌊(5 − 2)/2⌋ + 1 = 2; y[o] = x[2o] + x[2o + 1]; x[4] is never read.
        let t = conv(&[5, 1], &[2], 1, Some(&[2]), Padding::Valid, &[1.0, 1.0]);
        assert_eq!(t.output_shape(), Some(vec![2, 1]));
        assert_eq!(apply(&t, &[1.0, 2.0, 3.0, 4.0, 5.0]), vec![3.0, 7.0]);
    }

    #[test]
    fn conv_1d_same_by_hand() {
        let x = [1.0, 0.0, 0.0, 1.0, 0.0];
        // Stride 1: out = 5, pad_total = 4·1 + 3 − 5 = 2, one zero before:
        // y[o] = Σ_k K[k]·x[o + k − 1] = [2·1, 1·1, 3·1, 2·1, 1·1].
        let t = conv(&[5, 1], &[3], 1, None, Padding::Same, &[1.0, 2.0, 3.0]);
        assert_eq!(t.output_shape(), Some(vec![5, 1]));
        assert_eq!(apply(&t, &x), vec![2.0, 1.0, 3.0, 2.0, 1.0]);
        // Stride 2: out = ⌈5/2⌉ = 3, pad_total = 2·2 + 3 − 5 = 2, one zero before:
        // y[o] = Σ_k K[k]·x[2o + k − 1]: (x[-1], x0, x1) → 2, (x1, x2, x3) → 3, (x3, x4, x5) → 1.
        let t = conv(
            &[5, 1],
            &[3],
            1,
            Some(&[2]),
            Padding::Same,
            &[1.0, 2.0, 3.0],
        );
        assert_eq!(t.output_shape(), Some(vec![3, 1]));
        assert_eq!(apply(&t, &x), vec![2.0, 3.0, 1.0]);
        // Odd pad_total: in 4, k 2, stride 1 → pad_total 1, all of it after (floor first):
        // y[o] = x[o] + 10·x[o + 1].
        let t = conv(&[4, 1], &[2], 1, None, Padding::Same, &[1.0, 10.0]);
        assert_eq!(
            apply(&t, &[1.0, 2.0, 3.0, 4.0]),
            vec![21.0, 32.0, 43.0, 4.0]
        );
        // Stride larger than the kernel: (2 − 1)·2 + 1 − 4 < 0 → no padding; y = [x0, x2].
        let t = conv(&[4, 1], &[1], 1, Some(&[2]), Padding::Same, &[1.0]);
        assert_eq!(apply(&t, &[1.0, 2.0, 3.0, 4.0]), vec![1.0, 3.0]);
        // Same padding allows a kernel larger than the input: in 2, k 3 → pad_total =
        // 1·1 + 3 − 2 = 2, one zero before and one after: y[0] = 2·x0 + 3·x1, y[1] = x0 + 2·x1.
        let t = conv(&[2, 1], &[3], 1, None, Padding::Same, &[1.0, 2.0, 3.0]);
        assert_eq!(apply(&t, &[1.0, 10.0]), vec![32.0, 21.0]);
    }

    #[test]
    fn same_and_valid_output_sizes() {
        // TensorFlow: same → ⌈in/s⌉; valid → ⌊(in − k)/s⌋ + 1 (= Nengo's ⌈(in − k + 1)/s⌉).
        for (n, k, s, same, valid) in [
            (5, 3, 1, 5, 3),
            (5, 3, 2, 3, 2),
            (6, 3, 2, 3, 2),
            (7, 2, 3, 3, 2),
            (28, 3, 2, 14, 13),
            (4, 4, 1, 4, 1),
        ] {
            let init = vec![1.0; k];
            for (padding, expected) in [(Padding::Same, same), (Padding::Valid, valid)] {
                let t = conv(&[n, 1], &[k], 1, Some(&[s]), padding, &init);
                assert_eq!(
                    t.output_shape(),
                    Some(vec![expected, 1]),
                    "in {n}, k {k}, s {s}, {padding:?}"
                );
                assert_eq!(t.shape(n).unwrap(), (expected, n));
            }
        }
        // 2-D, rectangular, 3 filters: [4, 5, 2], kernel [3, 2], strides [1, 2], same → [4, 3, 3].
        let t = conv(
            &[4, 5, 2],
            &[3, 2],
            3,
            Some(&[1, 2]),
            Padding::Same,
            &[0.5; 36],
        );
        assert_eq!(t.output_shape(), Some(vec![4, 3, 3]));
        assert_eq!(t.shape(40).unwrap(), (36, 40));
        assert_eq!(t.to_dense(40).unwrap().dim(), (36, 40));
    }

    #[test]
    fn conv_2d_valid_by_hand() {
        // Kernel [[1, 0], [0, -1]]: y[i][j] = x[i][j] − x[i+1][j+1] on
        //   1 2 3
        //   4 6 9
        //   0 1 5
        // → [[1 − 6, 2 − 9], [4 − 1, 6 − 5]].
        let t = conv(
            &[3, 3, 1],
            &[2, 2],
            1,
            None,
            Padding::Valid,
            &[1.0, 0.0, 0.0, -1.0],
        );
        assert_eq!(t.output_shape(), Some(vec![2, 2, 1]));
        let x = [1.0, 2.0, 3.0, 4.0, 6.0, 9.0, 0.0, 1.0, 5.0];
        assert_eq!(apply(&t, &x), vec![-5.0, -7.0, 3.0, 1.0]);
    }

    #[test]
    fn conv_multi_channel_filters_mix_channels() {
        // input [width 3, channels 2]: x[w] = [1, 2], [3, 4], [5, 6]; kernel_size [2], 2 filters.
        // K[k][c] = [f0, f1]: K[0][0] = [1, 0], K[0][1] = [2, 1], K[1][0] = [3, 0], K[1][1] = [4, -1].
        // y[o][f] = Σ_k Σ_c K[k][c][f]·x[o + k][c]:
        //   f0: o0 = 1·1 + 2·2 + 3·3 + 4·4 = 30,  o1 = 1·3 + 2·4 + 3·5 + 4·6 = 50
        //   f1: o0 = 1·2 − 1·4 = −2,              o1 = 1·4 − 1·6 = −2
        let init = [1.0, 0.0, 2.0, 1.0, 3.0, 0.0, 4.0, -1.0];
        let t = conv(&[3, 2], &[2], 2, None, Padding::Valid, &init);
        assert_eq!(t.output_shape(), Some(vec![2, 2]));
        assert_eq!(t.shape(6).unwrap(), (4, 6));
        assert_eq!(
            apply(&t, &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]),
            vec![30.0, -2.0, 50.0, -2.0]
        );
    }

    #[test]
    fn errors_scalar_dense_sparse() {
        use TransformError as E;
        let nan = Transform::Scalar(f64::NAN);
        assert!(matches!(nan.validate(), Err(E::NonFinite { .. })));
        assert!(matches!(
            Transform::Scalar(f64::INFINITY).shape(2),
            Err(E::NonFinite { .. })
        ));

        let d = Transform::Dense(vec![vec![1.0, 2.0], vec![3.0, 4.0]]);
        let e = d.shape(3).unwrap_err();
        assert_eq!(
            e,
            E::SizeMismatch {
                transform: "dense",
                expected: 2,
                found: 3
            }
        );
        assert_eq!(
            e.to_string(),
            "the dense transform takes an input of size 2, but the input has size 3"
        );
        assert!(d.to_dense(1).is_err());
        assert_eq!(
            Transform::Dense(vec![]).validate(),
            Err(E::EmptyDense { rows: 0, cols: 0 })
        );
        assert_eq!(
            Transform::Dense(vec![vec![]]).validate(),
            Err(E::EmptyDense { rows: 1, cols: 0 })
        );
        assert_eq!(
            Transform::Dense(vec![vec![1.0, 2.0], vec![3.0]]).validate(),
            Err(E::RaggedDense {
                row: 1,
                expected: 2,
                found: 1
            })
        );
        let e = Transform::Dense(vec![vec![1.0], vec![f64::NEG_INFINITY]])
            .validate()
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "dense[1][0] is -inf; every transform value must be finite"
        );

        let sparse = |shape, indices: Vec<(usize, usize)>, data: Vec<f64>| Transform::Sparse {
            shape,
            indices,
            data,
        };
        assert_eq!(
            sparse((2, 2), vec![(0, 0)], vec![1.0, 2.0]).validate(),
            Err(E::SparseLength {
                indices: 1,
                data: 2
            })
        );
        let e = sparse((2, 3), vec![(0, 0), (1, 3)], vec![1.0, 2.0])
            .validate()
            .unwrap_err();
        assert_eq!(
            e,
            E::SparseIndexOutOfShape {
                entry: 1,
                row: 1,
                col: 3,
                rows: 2,
                cols: 3
            }
        );
        assert!(
            e.to_string()
                .contains("(row 1, col 3), outside the 2 × 3 shape")
        );
        assert!(matches!(
            sparse((2, 3), vec![(2, 0)], vec![1.0]).validate(),
            Err(E::SparseIndexOutOfShape { row: 2, .. })
        ));
        assert!(matches!(
            sparse((0, 3), vec![], vec![]).validate(),
            Err(E::ZeroSize { .. })
        ));
        assert!(matches!(
            sparse((3, 0), vec![], vec![]).validate(),
            Err(E::ZeroSize { .. })
        ));
        assert!(matches!(
            sparse((2, 2), vec![(0, 0)], vec![f64::NAN]).validate(),
            Err(E::NonFinite { .. })
        ));
        assert_eq!(
            sparse((2, 2), vec![], vec![]).shape(3),
            Err(E::SizeMismatch {
                transform: "sparse",
                expected: 2,
                found: 3
            })
        );
    }

    #[test]
    fn errors_convolution_and_pool() {
        use TransformError as E;
        let ok = conv(&[5, 1], &[3], 1, None, Padding::Valid, &[1.0; 3]);
        assert_eq!(ok.validate(), Ok(()));
        assert_eq!(
            ok.shape(4),
            Err(E::SizeMismatch {
                transform: "convolution",
                expected: 5,
                found: 4
            })
        );
        // input_shape without channels.
        let e = conv(&[5], &[3], 1, None, Padding::Valid, &[1.0; 3]).validate();
        assert!(matches!(e, Err(E::InputShapeRank { .. })));
        // Zero sizes.
        let e = conv(&[5, 1], &[3], 0, None, Padding::Valid, &[])
            .validate()
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "the convolution n_filters is 0; it must be at least 1"
        );
        assert!(matches!(
            conv(&[5, 0], &[3], 1, None, Padding::Valid, &[]).validate(),
            Err(E::ZeroSize { .. })
        ));
        assert!(matches!(
            conv(&[5, 1], &[0], 1, None, Padding::Valid, &[]).validate(),
            Err(E::ZeroSize { .. })
        ));
        let e = conv(&[5, 1], &[3], 1, Some(&[0]), Padding::Valid, &[1.0; 3])
            .validate()
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "the convolution strides[0] is 0; it must be at least 1"
        );
        // Wrong number of kernel / stride entries.
        let e = conv(&[5, 5, 1], &[3], 1, None, Padding::Valid, &[1.0; 3])
            .validate()
            .unwrap_err();
        assert_eq!(
            e,
            E::DimensionMismatch {
                transform: "convolution",
                what: "kernel_size",
                expected: 2,
                found: 1,
                input_shape: vec![5, 5, 1]
            }
        );
        assert!(matches!(
            conv(&[5, 1], &[3], 1, Some(&[1, 1]), Padding::Valid, &[1.0; 3]).validate(),
            Err(E::DimensionMismatch {
                what: "strides",
                ..
            })
        ));
        // Kernel length: 3 (kernel) · 2 (channels) · 2 (filters) = 12 values.
        let e = conv(&[5, 2], &[3], 2, None, Padding::Valid, &[1.0; 6])
            .validate()
            .unwrap_err();
        assert_eq!(
            e,
            E::InitLength {
                expected: 12,
                found: 6,
                kernel_shape: vec![3, 2, 2]
            }
        );
        assert!(matches!(
            conv(
                &[5, 1],
                &[3],
                1,
                None,
                Padding::Valid,
                &[1.0, f64::NAN, 1.0]
            )
            .validate(),
            Err(E::NonFinite { .. })
        ));
        // A valid-padding kernel larger than the input (same padding allows it).
        let e = conv(&[4, 3, 1], &[2, 4], 1, None, Padding::Valid, &[1.0; 8])
            .validate()
            .unwrap_err();
        assert_eq!(
            e,
            E::WindowLargerThanInput {
                transform: "convolution",
                what: "kernel_size",
                axis: 1,
                size: 4,
                input: 3
            }
        );
        assert_eq!(ok.output_shape(), Some(vec![3, 1]));
        assert_eq!(
            conv(&[4, 3, 1], &[2, 4], 1, None, Padding::Valid, &[1.0; 8]).output_shape(),
            None
        );
        assert_eq!(
            conv(&[4, 3, 1], &[2, 4], 1, None, Padding::Same, &[1.0; 8]).validate(),
            Ok(())
        );
        // Sizes whose product overflows.
        let huge = conv(&[usize::MAX, 2], &[1], 1, None, Padding::Valid, &[1.0; 2]);
        assert!(matches!(huge.validate(), Err(E::TooLarge { .. })));
        // A dense form whose element count overflows (no allocation is attempted).
        assert_eq!(
            Transform::Scalar(1.0).shape(usize::MAX),
            Ok((usize::MAX, usize::MAX))
        );
        assert!(matches!(
            Transform::Scalar(1.0).to_dense(usize::MAX),
            Err(E::TooLarge { .. })
        ));

        // Pooling.
        assert_eq!(
            pool(&[4, 1], &[5], None).validate(),
            Err(E::WindowLargerThanInput {
                transform: "average pool",
                what: "pool_size",
                axis: 0,
                size: 5,
                input: 4
            })
        );
        assert!(matches!(
            pool(&[4, 4, 1], &[2], None).validate(),
            Err(E::DimensionMismatch {
                what: "pool_size",
                ..
            })
        ));
        assert!(matches!(
            pool(&[4, 1], &[0], None).validate(),
            Err(E::ZeroSize { .. })
        ));
        assert!(matches!(
            pool(&[4, 1], &[2], Some(&[0])).validate(),
            Err(E::ZeroSize { .. })
        ));
        assert!(matches!(
            pool(&[], &[], None).validate(),
            Err(E::InputShapeRank { .. })
        ));
        assert_eq!(
            pool(&[4, 1], &[2], None).shape(3),
            Err(E::SizeMismatch {
                transform: "average pool",
                expected: 4,
                found: 3
            })
        );
    }
}
