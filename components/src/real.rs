//! The state precision of every compartment and kernel.

/// The scalar type of all compartments and kernels: `f32` by default, `f64` with the cargo
/// feature `f64` (enable it on `cortecs`, which forwards it here).
#[cfg(not(feature = "f64"))]
pub type Real = f32;

/// The scalar type of all compartments and kernels: `f32` by default, `f64` with the cargo
/// feature `f64` (enable it on `cortecs`, which forwards it here).
#[cfg(feature = "f64")]
pub type Real = f64;

/// The numpy dtype name of [`Real`] (`"float32"` or `"float64"`).
pub const REAL_DTYPE: &str = if cfg!(feature = "f64") {
    "float64"
} else {
    "float32"
};
