//! NumPy's legacy `np.random.RandomState` stream (MT19937), as far as the Loihi emulator
//! draws from it.
//!
//! NengoLoihi's emulator (`nengo_loihi/emulator/interface.py::EmulatorInterface.__init__`)
//! owns one `np.random.RandomState(seed)`; learning (`SynapseState.update_traces` /
//! `update_weights`, stochastic rounding) draws `rng.rand(...)` and the noise of
//! `NoiseState.sample` draws `rng.randint(-127, 128, size=n, dtype=np.int32)` on every step.
//! Reproducing learning bit for bit therefore needs this exact stream (NumPy 1.23):
//!
//! * seeding: `_legacy_seeding` → `mt19937_seed` = Matsumoto–Nishimura `init_genrand`;
//! * `rand()` / `random_sample` → `next_double`: `((a >> 5)·2²⁶ + (b >> 6)) / 2⁵³` from two
//!   32-bit outputs `a`, `b`;
//! * `randint(low, high, dtype=int32)` → `_bounded_integers._rand_int32` →
//!   `random_bounded_uint32_fill` with `use_masked = True` (legacy `RandomState` always masks):
//!   `rng = high − 1 − low`, `mask` = smallest `2ᵏ − 1 ≥ rng`, and each value is
//!   `low + v` with `v = next_uint32() & mask`, redrawn while `v > rng`
//!   (`buffered_bounded_masked_uint32`; no buffering for 32-bit). `rng == 0` draws nothing.

const N: usize = 624;
const M: usize = 397;
const MATRIX_A: u32 = 0x9908_b0df;
const UPPER_MASK: u32 = 0x8000_0000;
const LOWER_MASK: u32 = 0x7fff_ffff;

/// NumPy's legacy `RandomState` (MT19937) with the draws the emulator uses.
#[derive(Clone, Debug)]
pub struct NumpyRandomState {
    key: Box<[u32; N]>,
    pos: usize,
}

impl NumpyRandomState {
    /// `np.random.RandomState(seed)` for an integer seed (`mt19937_seed`: `key[0] = seed`,
    /// `key[i] = 1812433253·(key[i−1] ^ (key[i−1] >> 30)) + i` mod 2³²).
    pub fn new(seed: u32) -> Self {
        let mut key = Box::new([0u32; N]);
        key[0] = seed;
        for i in 1..N {
            let prev = key[i - 1];
            key[i] = 1_812_433_253u32
                .wrapping_mul(prev ^ (prev >> 30))
                .wrapping_add(i as u32);
        }
        Self { key, pos: N }
    }

    /// Regenerates the 624-word state (`mt19937_gen`).
    fn generate(&mut self) {
        let key = &mut *self.key;
        for i in 0..N {
            let y = (key[i] & UPPER_MASK) | (key[(i + 1) % N] & LOWER_MASK);
            let mag = if y & 1 == 1 { MATRIX_A } else { 0 };
            key[i] = key[(i + M) % N] ^ (y >> 1) ^ mag;
        }
        self.pos = 0;
    }

    /// The next tempered 32-bit output (`mt19937_next32`).
    pub fn next_u32(&mut self) -> u32 {
        if self.pos == N {
            self.generate();
        }
        let mut y = self.key[self.pos];
        self.pos += 1;
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c_5680;
        y ^= (y << 15) & 0xefc6_0000;
        y ^ (y >> 18)
    }

    /// One `rng.rand()`: a 53-bit double in `[0, 1)`, `((a >> 5)·2²⁶ + (b >> 6)) / 2⁵³`.
    pub fn rand(&mut self) -> f64 {
        let a = f64::from(self.next_u32() >> 5);
        let b = f64::from(self.next_u32() >> 6);
        (a * 67_108_864.0 + b) / 9_007_199_254_740_992.0
    }

    /// Fills `out` as `rng.randint(low, high, size=out.len(), dtype=np.int32)` does
    /// (masked rejection sampling, see the module docs). Requires `low < high`; with
    /// `high − low == 1` nothing is drawn, as in NumPy.
    pub fn randint_i32(&mut self, low: i32, high: i32, out: &mut [i32]) {
        debug_assert!(low < high, "randint: low >= high");
        let rng = (i64::from(high) - 1 - i64::from(low)) as u32;
        let off = low as u32;
        if rng == 0 {
            out.fill(low);
        } else if rng == u32::MAX {
            for o in out {
                *o = off.wrapping_add(self.next_u32()) as i32;
            }
        } else {
            let mut mask = rng;
            mask |= mask >> 1;
            mask |= mask >> 2;
            mask |= mask >> 4;
            mask |= mask >> 8;
            mask |= mask >> 16;
            for o in out {
                let v = loop {
                    let v = self.next_u32() & mask;
                    if v <= rng {
                        break v;
                    }
                };
                *o = off.wrapping_add(v) as i32;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mt19937_reference_output() {
        // init_genrand(5489): the first output of the reference MT19937 is 3499211612.
        let mut r = NumpyRandomState::new(5489);
        assert_eq!(r.next_u32(), 3_499_211_612);
    }

    #[test]
    fn rand_matches_numpy() {
        // np.random.RandomState(0).rand() and RandomState(42).rand()
        assert_eq!(NumpyRandomState::new(0).rand(), 0.548_813_503_927_324_8);
        assert_eq!(NumpyRandomState::new(42).rand(), 0.374_540_118_847_362_5);
    }

    #[test]
    fn randint_in_range_and_degenerate() {
        let mut r = NumpyRandomState::new(1);
        let mut out = vec![0; 1000];
        r.randint_i32(-127, 128, &mut out);
        assert!(out.iter().all(|x| (-127..128).contains(x)));
        let mut s = r.clone();
        r.randint_i32(3, 4, &mut out);
        assert!(out.iter().all(|&x| x == 3));
        assert_eq!(r.next_u32(), s.next_u32(), "rng == 0 must not draw");
    }
}
