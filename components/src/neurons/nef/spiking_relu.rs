//! Nengo's spiking rectified-linear step (`nengo.SpikingRectifiedLinear.step`, Nengo 4.1.0
//! `nengo/neurons.py` l.426-432).

use crate::{Real, chunk_struct};

chunk_struct!(
    /// One chunk of a spiking rectified-linear population: input `J` (Hz), `voltage` and
    /// `output` (1/s).
    SpikingReluChunk {
        j: &[Real],
        mut voltage: &mut [Real],
        mut output: &mut [Real],
    }
);

/// `v += max(J, 0)·dt_s ; n = floor(v) ; output = (amplitude/dt_s)·n ; v −= n`, with dt_s the
/// step in seconds (`dt_ms / 1000`, exactly Nengo's dt) — several spikes in one step are
/// possible.
pub fn spiking_relu_kernel(dt_ms: f64, amplitude: f64, c: SpikingReluChunk) {
    let dt_s = (dt_ms / 1000.0) as Real;
    let scale = (amplitude / (dt_ms / 1000.0)) as Real;
    let SpikingReluChunk { j, voltage, output } = c;
    for i in 0..voltage.len() {
        let v = voltage[i] + j[i].max(0.0) * dt_s;
        let n = v.floor();
        output[i] = scale * n;
        voltage[i] = v - n;
    }
}
