//! Steps per second of the Loihi emulator (bit-exact NengoLoihi semantics, `LoihiStep`
//! schedule), on the workloads of NengoLoihi's own bench (`../shared/refs/loihi/BENCH.md`:
//! 318, 24 and 168 steps/s of CPU time on this machine):
//!
//! - `loihi/ens1k`: 2 host on/off inputs → 1000 LIF compartments → a 2-compartment decoded
//!   probe block reading all of them;
//! - `loihi/ens10k`: the same with 10 000 compartments;
//! - `loihi/chan1k`: A(1000) → 20 decode neurons → B(1000), with B's decoded probe.
//!
//! Integer parameters are those NengoLoihi builds for its reference `single_block` case
//! (decay_u 741 = 5 ms synapse, decay_v 200 = τ_rc 20 ms, vth 19328, refract_delay 3), with
//! biases spread so that the compartments fire at a range of rates (~100 spikes per step per
//! 1000, as in NengoLoihi's bench). One criterion iteration = one step.
//!
//! `cargo bench --bench loihi`

use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

use cortecs::components::loihi::compartment::{CompartmentParams, NoiseParams};
use cortecs::components::loihi::emulator::{
    AxonTarget, BlockId, InputId, LoihiEmulator, LoihiEmulatorBuilder, SpikeSource, SynapseId,
};
use cortecs::components::loihi::synapse::{LoihiSynapse, WeightEntry};

/// `n` LIF compartments with biases from −0.5·vth to 2·vth per step (a range of rates).
fn lif(n: usize) -> Vec<CompartmentParams> {
    (0..n)
        .map(|i| CompartmentParams {
            decay_u: 741,
            decay_v: 200,
            vth: 19328,
            bias: (-500 + (2500 * i / n.max(1)) as i32) * 4,
            refract_delay: 3,
            vmin: 0,
            vmax: (1 << 23) - 1,
            noise: NoiseParams::default(),
        })
        .collect()
}

/// A non-spiking readout compartment (`configure_nonspiking`: decay_v 4095, tau_s 0).
fn readout(n: usize) -> Vec<CompartmentParams> {
    vec![
        CompartmentParams {
            decay_u: 4094,
            decay_v: 4095,
            vth: 10 << 16,
            bias: 0,
            refract_delay: 1,
            vmin: 0,
            vmax: (1 << 23) - 1,
            noise: NoiseParams::default(),
        };
        n
    ]
}

/// A dense synapse: `n_axons` discrete axons, each reaching all `n_targets` compartments with
/// weights alternating in sign.
fn dense(n_axons: usize, n_targets: usize, w: i32) -> LoihiSynapse {
    let entries = (0..n_axons)
        .map(|a| WeightEntry {
            n_atoms: 1,
            n_targets,
            weights: (0..n_targets)
                .map(|t| if (a + t) % 2 == 0 { w } else { -w })
                .collect(),
            indices: (0..n_targets as u32).collect(),
        })
        .collect();
    LoihiSynapse::new(n_axons, entries, None, None).expect("a valid dense synapse")
}

/// Every compartment of `block` (size `n`) drives axon `axon(i)` of `synapse`.
fn connect(
    b: &mut LoihiEmulatorBuilder,
    block: BlockId,
    n: usize,
    synapse: SynapseId,
    axon: impl Fn(usize) -> usize,
) {
    for comp in 0..n {
        b.add_axon(
            SpikeSource::Compartment { block, comp },
            AxonTarget {
                synapse,
                axon_idx: axon(comp),
                atom: 0,
            },
        )
        .expect("a valid axon");
    }
}

/// Host on/off input (2 neurons) into a new block of `n` LIF compartments, with a decoded
/// probe block; returns the builder, the input and the ensemble block.
fn ensemble(b: &mut LoihiEmulatorBuilder, n: usize) -> (InputId, BlockId) {
    let input = b.add_spike_input(2);
    let a = b.add_block(&lif(n));
    let s_in = b.add_synapse(a, dense(2, n, 4096)).expect("input synapse");
    for idx in 0..2 {
        b.add_axon(
            SpikeSource::Input { input, idx },
            AxonTarget {
                synapse: s_in,
                axon_idx: idx,
                atom: 0,
            },
        )
        .expect("input axon");
    }
    (input, a)
}

fn probe(b: &mut LoihiEmulatorBuilder, pre: BlockId, n: usize) {
    let p = b.add_block(&readout(2));
    let s = b.add_synapse(p, dense(n, 2, 64)).expect("probe synapse");
    connect(b, pre, n, s, |c| c);
}

fn ens(n: usize) -> (LoihiEmulator, InputId) {
    let mut b = LoihiEmulatorBuilder::new();
    let (input, a) = ensemble(&mut b, n);
    probe(&mut b, a, n);
    (b.build().expect("builds"), input)
}

fn chan(n: usize) -> (LoihiEmulator, InputId) {
    let mut b = LoihiEmulatorBuilder::new();
    let (input, a) = ensemble(&mut b, n);
    let decode = b.add_block(&lif(20));
    let s_dec = b.add_synapse(decode, dense(n, 20, 256)).expect("decoders");
    connect(&mut b, a, n, s_dec, |c| c);
    let post = b.add_block(&lif(n));
    let s_post = b.add_synapse(post, dense(2, n, 4096)).expect("encoders");
    connect(&mut b, decode, 20, s_post, |c| c / 10);
    probe(&mut b, post, n);
    (b.build().expect("builds"), input)
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("loihi");
    g.sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .throughput(Throughput::Elements(1));
    for (name, (mut emu, input)) in [
        ("ens1k", ens(1_000)),
        ("ens10k", ens(10_000)),
        ("chan1k", chan(1_000)),
    ] {
        // Warm up into a steady firing regime.
        for _ in 0..50 {
            let t = emu.t();
            emu.queue_input_spikes(input, t + 1, &[0]).expect("queued");
            emu.step();
        }
        g.bench_function(name, |bch| {
            bch.iter(|| {
                // The on neuron fires every step, the off one every other step (x ≈ 0.5).
                let t = emu.t();
                let idx: &[usize] = if t % 2 == 0 { &[0, 1] } else { &[0] };
                emu.queue_input_spikes(input, t + 1, idx).expect("queued");
                emu.step();
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
