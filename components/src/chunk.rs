//! Data parallelism inside kernels.
//!
//! cortecs runs its schedule on bevy's single-threaded executor and puts all parallelism inside
//! the systems, on rayon's pool: element-wise kernels split a population into chunks and run
//! them with `rayon::join`. Element-wise results do not depend on how the units are split, so
//! the output is bit-identical at any thread count. Populations smaller than [`PAR_MIN_UNITS`]
//! are never split (thread hand-off costs more than the work).

/// Populations with fewer units than this run on the calling thread.
pub const PAR_MIN_UNITS: usize = 16 * 1024;
/// Size of the chunks a large population is split into.
pub const CHUNK_UNITS: usize = 8 * 1024;

/// A bundle of equally long slices (one chunk of a population's state) that can be cut in two.
pub trait Chunk: Send + Sized {
    /// Number of units in this chunk.
    fn len(&self) -> usize;
    /// Whether the chunk has no units.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Cuts the chunk into units `[0, mid)` and `[mid, len)`.
    fn split_at(self, mid: usize) -> (Self, Self);
}

thread_local! {
    static SEQUENTIAL: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f` with every [`for_chunks`] on this thread unsplit: one thread, no pool, no
/// hand-off (a model set to 1 thread steps this way; the results are the same bits).
pub fn sequential<R>(f: impl FnOnce() -> R) -> R {
    let before = SEQUENTIAL.with(|s| s.replace(true));
    let r = f();
    SEQUENTIAL.with(|s| s.set(before));
    r
}

/// Runs `kernel` over `state`, split into chunks on rayon's pool when it is large.
/// `kernel` gets each chunk with the index of its first unit.
pub fn for_chunks<S: Chunk, F: Fn(S, usize) + Sync>(state: S, kernel: &F) {
    if state.len() < PAR_MIN_UNITS || SEQUENTIAL.with(std::cell::Cell::get) {
        kernel(state, 0);
    } else {
        split(state, 0, kernel);
    }
}

fn split<S: Chunk, F: Fn(S, usize) + Sync>(state: S, offset: usize, kernel: &F) {
    let n = state.len();
    if n <= CHUNK_UNITS {
        kernel(state, offset);
        return;
    }
    let mid = (n / 2).div_ceil(CHUNK_UNITS) * CHUNK_UNITS;
    let (a, b) = state.split_at(mid);
    rayon::join(
        || split(a, offset, kernel),
        || split(b, offset + mid, kernel),
    );
}

/// Whether the CPU has fused multiply-add and AVX2 instructions (x86-64; cached by std).
#[inline(always)]
pub fn has_fma_avx2() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("fma") && std::arch::is_x86_feature_detected!("avx2")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// Declares a kernel compiled twice — with FMA and AVX2 instructions for CPUs that have them
/// (chosen at run time), and portably — with the generic parameters in brackets:
///
/// ```
/// use cortecs_components::Real;
/// cortecs_components::kernel! {
///     /// `x ← x·a + b` for every unit.
///     pub fn affine[](a: Real, b: Real, x: &mut [Real]) -> () {
///         for xi in x.iter_mut() {
///             *xi = xi.mul_add(a, b);
///         }
///     }
/// }
/// let mut x = vec![1.0, 2.0];
/// affine(2.0, 1.0, &mut x);
/// assert_eq!(x, vec![3.0, 5.0]);
/// ```
///
/// Kernels use `mul_add` where ngclearn's XLA-compiled step fuses a multiply and an add. A fused
/// multiply-add is exactly rounded, so the FMA instruction and the portable software fallback
/// give the same bits: the fast version is only faster, never different (vectorising with AVX2
/// does not reorder floating-point operations either).
#[macro_export]
macro_rules! kernel {
    (
        $(#[$meta:meta])*
        $vis:vis fn $name:ident [$($generics:tt)*] ($($arg:ident : $ty:ty),* $(,)?) -> $ret:ty
        $body:block
    ) => {
        $(#[$meta])*
        $vis fn $name<$($generics)*>($($arg: $ty),*) -> $ret {
            #[inline(always)]
            fn body<$($generics)*>($($arg: $ty),*) -> $ret $body
            #[cfg(target_arch = "x86_64")]
            {
                #[target_feature(enable = "fma,avx2")]
                fn fast<$($generics)*>($($arg: $ty),*) -> $ret {
                    body($($arg),*)
                }
                if $crate::chunk::has_fma_avx2() {
                    // SAFETY: the CPU has FMA and AVX2 (checked just above).
                    return unsafe { fast($($arg),*) };
                }
            }
            body($($arg),*)
        }
    };
}

/// Declares a chunk struct of slices with [`Chunk`] implemented:
/// ```
/// cortecs_components::chunk_struct!(MyState { j: &[cortecs_components::Real], mut v: &mut [cortecs_components::Real] });
/// ```
#[macro_export]
macro_rules! chunk_struct {
    ($(#[$meta:meta])* $name:ident { $($fields:tt)* }) => {
        $crate::chunk_struct!(@collect $(#[$meta])* $name [] [] $($fields)*);
    };
    (@collect $(#[$meta:meta])* $name:ident [$($ro:ident)*] [$($rw:ident)*] $f:ident : &[$t:ty] $(, $($rest:tt)*)?) => {
        $crate::chunk_struct!(@collect $(#[$meta])* $name [$($ro)* $f] [$($rw)*] $($($rest)*)?);
    };
    (@collect $(#[$meta:meta])* $name:ident [$($ro:ident)*] [$($rw:ident)*] mut $f:ident : &mut [$t:ty] $(, $($rest:tt)*)?) => {
        $crate::chunk_struct!(@collect $(#[$meta])* $name [$($ro)*] [$($rw)* $f] $($($rest)*)?);
    };
    (@collect $(#[$meta:meta])* $name:ident [$($ro:ident)*] [$($rw:ident)*]) => {
        $(#[$meta])*
        pub struct $name<'a> {
            $(#[allow(missing_docs)] pub $ro: &'a [$crate::Real],)*
            $(#[allow(missing_docs)] pub $rw: &'a mut [$crate::Real],)*
        }
        impl $crate::chunk::Chunk for $name<'_> {
            fn len(&self) -> usize {
                $crate::chunk_struct!(@first self $($ro)* $($rw)*)
            }
            fn split_at(self, mid: usize) -> (Self, Self) {
                $(let $ro = self.$ro.split_at(mid);)*
                $(let $rw = self.$rw.split_at_mut(mid);)*
                (
                    Self { $($ro: $ro.0,)* $($rw: $rw.0,)* },
                    Self { $($ro: $ro.1,)* $($rw: $rw.1,)* },
                )
            }
        }
    };
    (@first $s:ident $f:ident $($rest:ident)*) => { $s.$f.len() };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Real;

    chunk_struct!(Pair { a: &[Real], mut b: &mut [Real] });

    #[test]
    fn chunks_cover_every_unit_once() {
        let n = 3 * CHUNK_UNITS + PAR_MIN_UNITS + 17;
        let a: Vec<Real> = (0..n).map(|i| i as Real).collect();
        let mut b = vec![0.0; n];
        for_chunks(Pair { a: &a, b: &mut b }, &|c: Pair, off| {
            for i in 0..c.b.len() {
                c.b[i] = c.a[i] + 1.0;
                assert_eq!(c.a[i] as usize, off + i);
            }
        });
        assert!(b.iter().zip(&a).all(|(b, a)| *b == a + 1.0));
    }
}
