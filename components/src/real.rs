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

/// Rounds a double-precision constant to [`Real`], the way JAX rounds a Python float when it
/// meets an array of the default dtype.
#[inline(always)]
pub fn real(x: f64) -> Real {
    x as Real
}
