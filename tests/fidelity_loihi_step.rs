//! The integer Loihi emulator against NengoLoihi 1.1.0's emulator, bit for bit
//! (`tests/refs/loihi`, README §1, §3, §6).
//!
//! Each case folder is loaded from its integer columns only (`compartments.csv`,
//! `synapses.csv` `weight`, `axons.csv`, `input_spikes.csv`, and for `pes/` the recorded
//! `pes_errors.csv`), run for `params.json["n_steps"]` steps, and `q, u, v, spiked,
//! ref_count` of every compartment on every step are compared with `state.csv`, the spikes
//! with `spikes.csv` (and for `pes/` the traces and learned weights) with zero tolerance.

mod common;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use common::{read_json, refs_dir};
use cortecs::components::loihi::compartment::{CompartmentParams, NoiseParams};
use cortecs::components::loihi::emulator::{
    AxonTarget, BlockId, InputId, LoihiEmulator, LoihiEmulatorBuilder, SpikeSource, SynapseId,
};
use cortecs::components::loihi::learning::PesParams;
use cortecs::components::loihi::synapse::{LoihiSynapse, WeightEntry};
use serde_json::Value;

/// A CSV with a header, kept as strings (`axons.csv` has a text column).
struct Table {
    cols: HashMap<String, usize>,
    rows: Vec<Vec<String>>,
    path: PathBuf,
}

impl Table {
    fn read(path: &Path) -> Self {
        let text =
            std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let mut lines = text.lines();
        let header = lines.next().unwrap_or_default();
        let cols = header
            .split(',')
            .enumerate()
            .map(|(i, c)| (c.trim().to_string(), i))
            .collect();
        let rows = lines
            .filter(|l| !l.trim().is_empty())
            .map(|l| l.split(',').map(|v| v.trim().to_string()).collect())
            .collect();
        Self {
            cols,
            rows,
            path: path.to_path_buf(),
        }
    }

    fn col(&self, name: &str) -> usize {
        *self
            .cols
            .get(name)
            .unwrap_or_else(|| panic!("{}: no column {name}", self.path.display()))
    }

    fn str<'a>(&self, row: &'a [String], name: &str) -> &'a str {
        &row[self.col(name)]
    }

    fn int(&self, row: &[String], name: &str) -> i64 {
        let v = self.str(row, name);
        v.parse::<i64>()
            .or_else(|_| v.parse::<f64>().map(|f| f as i64))
            .unwrap_or_else(|e| panic!("{}: {name} = {v:?}: {e}", self.path.display()))
    }
}

fn json_i64(v: &Value, key: &str) -> i64 {
    v[key]
        .as_i64()
        .or_else(|| v[key].as_f64().map(|f| f as i64))
        .unwrap_or_else(|| panic!("params.json: {key} = {}", v[key]))
}

fn json_f64(v: &Value, key: &str) -> f64 {
    v[key]
        .as_f64()
        .unwrap_or_else(|| panic!("params.json: {key} = {}", v[key]))
}

/// Rows of one axon's weight entry: `atom -> [(target_comp, weight)]`.
type AtomRows = BTreeMap<usize, Vec<(i64, i32)>>;
/// Recorded learned weights: `(step, synapse) -> [(axon, col, weight)]`.
type WeightRecord = BTreeMap<(usize, usize), Vec<(usize, usize, i32)>>;

/// A reference case built into an emulator.
struct Case {
    emu: LoihiEmulator,
    n_steps: usize,
    n: usize,
    dir: PathBuf,
    learning: Vec<SynapseId>,
    /// `{step: [(synapse, errors)]}` from `pes_errors.csv`.
    pes_errors: BTreeMap<usize, Vec<(SynapseId, Vec<i32>)>>,
}

/// The loader of the reference folder format (`make_refs.py::MiniEmu.__init__`).
fn load(case: &str) -> Case {
    let dir = refs_dir("loihi").join(case);
    let params = read_json(&dir.join("params.json"));
    let mut b = LoihiEmulatorBuilder::new();
    b.seed(json_i64(&params, "simulator_seed") as u32);

    // blocks and compartments
    let comp = Table::read(&dir.join("compartments.csv"));
    let blocks = params["blocks"].as_array().expect("blocks");
    let mut n = 0;
    for (bi, blk) in blocks.iter().enumerate() {
        assert_eq!(json_i64(blk, "id") as usize, bi);
        assert_eq!(json_i64(blk, "global_offset") as usize, n, "block order");
        let rows: Vec<_> = comp
            .rows
            .iter()
            .filter(|r| comp.int(r, "block") as usize == bi)
            .collect();
        assert_eq!(rows.len(), json_i64(blk, "n_compartments") as usize);
        let noise = |r: &[String]| NoiseParams {
            enable: comp.int(r, "enable_noise") != 0,
            exp: json_i64(blk, "noise_exp") as i32,
            offset: json_i64(blk, "noise_offset") as i32,
            at_membrane: json_i64(blk, "noise_at_membrane") != 0,
        };
        let p: Vec<CompartmentParams> = rows
            .iter()
            .enumerate()
            .map(|(k, r)| {
                assert_eq!(comp.int(r, "comp") as usize, k);
                assert_eq!(comp.int(r, "global_idx") as usize, n + k);
                let i = |c| comp.int(r, c) as i32;
                CompartmentParams {
                    decay_u: i("decay_u"),
                    decay_v: i("decay_v"),
                    vth: i("vth"),
                    bias: i("bias"),
                    refract_delay: i("refract_delay"),
                    vmin: i("vmin"),
                    vmax: i("vmax"),
                    noise: noise(r),
                }
            })
            .collect();
        assert_eq!(b.add_block(&p), BlockId(bi));
        n += p.len();
    }

    // host spike inputs
    let inputs = params["inputs"].as_array().expect("inputs");
    for (ii, inp) in inputs.iter().enumerate() {
        assert_eq!(
            b.add_spike_input(json_i64(inp, "n_neurons") as usize),
            InputId(ii)
        );
    }

    // synapses: rows (axon, weight_idx, atom, target_comp, weight) in file order
    let syn_csv = Table::read(&dir.join("synapses.csv"));
    let mut syn_rows: BTreeMap<usize, Vec<[i64; 5]>> = BTreeMap::new();
    for r in &syn_csv.rows {
        let g = |c| syn_csv.int(r, c);
        syn_rows.entry(g("syn") as usize).or_default().push([
            g("axon_idx"),
            g("weight_idx"),
            g("atom"),
            g("target_comp"),
            g("weight"),
        ]);
    }
    let mut learning = Vec::new();
    for (si, sp) in params["synapses"]
        .as_array()
        .expect("synapses")
        .iter()
        .enumerate()
    {
        assert_eq!(json_i64(sp, "id") as usize, si);
        let n_axons = json_i64(sp, "n_axons") as usize;
        let rows = syn_rows.remove(&si).unwrap_or_default();
        // weight entries: (atom -> [(target_comp, weight)]) of the first axon using each
        let mut by_axon: BTreeMap<usize, (usize, AtomRows)> = BTreeMap::new();
        for [axon, widx, atom, tc, w] in rows {
            let e = by_axon
                .entry(axon as usize)
                .or_insert((widx as usize, BTreeMap::new()));
            assert_eq!(e.0, widx as usize, "one weight entry per axon");
            e.1.entry(atom as usize).or_default().push((tc, w as i32));
        }
        assert_eq!(
            by_axon.len(),
            n_axons,
            "synapse {si}: every axon has weights"
        );
        let n_entries = by_axon.values().map(|(k, _)| k + 1).max().unwrap_or(0);
        let mut entries: Vec<Option<(WeightEntry, Vec<u32>)>> = vec![None; n_entries];
        let mut map = Vec::with_capacity(n_axons);
        let mut bases = Vec::with_capacity(n_axons);
        for (axon, (k, atoms)) in &by_axon {
            assert_eq!(*axon, map.len());
            let n_atoms = atoms.len();
            let n_targets = atoms.values().next().map_or(0, Vec::len);
            let flat: Vec<(i64, i32)> = atoms
                .iter()
                .enumerate()
                .flat_map(|(a, (&atom, row))| {
                    assert_eq!(a, atom, "atoms 0..n");
                    assert_eq!(row.len(), n_targets, "rectangular entry");
                    row.iter().copied()
                })
                .collect();
            let tcs: Vec<u32> = flat.iter().map(|&(t, _)| t as u32).collect();
            match &entries[*k] {
                None => {
                    entries[*k] = Some((
                        WeightEntry {
                            n_atoms,
                            n_targets,
                            weights: flat.iter().map(|&(_, w)| w).collect(),
                            indices: tcs.clone(),
                        },
                        tcs,
                    ));
                    bases.push(0);
                }
                Some((e, first)) => {
                    // a shared entry: base = target_comp - index, the same for all targets
                    let base = i64::from(tcs[0]) - i64::from(first[0]);
                    for (t, i) in tcs.iter().zip(&e.indices) {
                        assert_eq!(i64::from(*t) - i64::from(*i), base);
                    }
                    bases.push(base as i32);
                }
            }
            map.push(*k);
        }
        let entries: Vec<WeightEntry> = entries
            .into_iter()
            .map(|e| e.expect("every weight entry is used").0)
            .collect();
        let mut syn = LoihiSynapse::new(n_axons, entries, Some(map), Some(bases))
            .unwrap_or_else(|e| panic!("{case}: synapse {si}: {e}"));
        if sp["learning"].as_bool() == Some(true) {
            let lp = &sp["learning_params"];
            let der = &sp["derived"];
            syn = syn
                .with_pes(PesParams {
                    tracing_tau: json_f64(lp, "tracing_tau"),
                    tracing_mag: json_f64(lp, "tracing_mag"),
                    lr_int: json_i64(lp, "lr_int") as i32,
                    lr_exp: json_i64(lp, "lr_exp") as i32,
                    train_epoch: json_i64(lp, "train_epoch") as u64,
                    learn_epoch: json_i64(lp, "learn_epoch") as u64,
                    real_weight_exp: json_i64(der, "real_weight_exp") as i32,
                    shift_bits: json_i64(der, "shift_bits") as i32,
                })
                .unwrap_or_else(|e| panic!("{case}: synapse {si}: {e}"));
            learning.push(SynapseId(si));
        }
        let block = BlockId(json_i64(sp, "target_block") as usize);
        assert_eq!(
            b.add_synapse(block, syn)
                .unwrap_or_else(|e| panic!("{case}: {e}")),
            SynapseId(si)
        );
    }

    // axons
    let axons = Table::read(&dir.join("axons.csv"));
    for r in &axons.rows {
        let g = |c| axons.int(r, c) as usize;
        let source = match axons.str(r, "src_kind") {
            "block" => SpikeSource::Compartment {
                block: BlockId(g("src_id")),
                comp: g("src_comp"),
            },
            "input" => SpikeSource::Input {
                input: InputId(g("src_id")),
                idx: g("src_comp"),
            },
            other => panic!("axons.csv: src_kind {other:?}"),
        };
        let target = AxonTarget {
            synapse: SynapseId(g("syn")),
            axon_idx: g("axon_idx"),
            atom: g("atom"),
        };
        b.add_axon(source, target)
            .unwrap_or_else(|e| panic!("{case}: axon {r:?}: {e}"));
    }
    let mut emu = b.build().unwrap_or_else(|e| panic!("{case}: {e}"));

    // host spikes (all known up front: every case precomputes or records them)
    let ins = Table::read(&dir.join("input_spikes.csv"));
    let mut queued: BTreeMap<(usize, u64), Vec<usize>> = BTreeMap::new();
    for r in &ins.rows {
        let host = ins.int(r, "host_step") as u64;
        assert_eq!(ins.int(r, "chip_step_delivered") as u64, host + 1);
        queued
            .entry((ins.int(r, "input") as usize, host))
            .or_default()
            .push(ins.int(r, "input_idx") as usize);
    }
    for ((input, host), idxs) in queued {
        emu.queue_input_spikes(InputId(input), host, &idxs)
            .unwrap_or_else(|e| panic!("{case}: {e}"));
    }

    // PES errors: {step: per synapse, dims in order}
    let mut pes_errors: BTreeMap<usize, Vec<(SynapseId, Vec<i32>)>> = BTreeMap::new();
    let pe = dir.join("pes_errors.csv");
    if pe.exists() {
        let t = Table::read(&pe);
        let mut m: BTreeMap<(usize, usize), BTreeMap<usize, i32>> = BTreeMap::new();
        for r in &t.rows {
            m.entry((t.int(r, "step") as usize, t.int(r, "syn") as usize))
                .or_default()
                .insert(t.int(r, "dim") as usize, t.int(r, "error") as i32);
        }
        for ((step, syn), dims) in m {
            pes_errors
                .entry(step)
                .or_default()
                .push((SynapseId(syn), dims.into_values().collect()));
        }
    }

    Case {
        emu,
        n_steps: json_i64(&params, "n_steps") as usize,
        n,
        dir,
        learning,
        pes_errors,
    }
}

/// Runs a case and compares every recorded integer; returns the mismatch counts
/// `(name, count)` after printing them and the first mismatch.
fn run_case(case: &str) -> Vec<(&'static str, usize)> {
    let mut c = load(case);
    let (n, steps) = (c.n, c.n_steps);

    // expected state: (step, global_idx) -> [q, u, v, spiked, ref_count]
    let st = Table::read(&c.dir.join("state.csv"));
    assert_eq!(
        st.rows.len(),
        n * steps,
        "{case}: state.csv covers every step and compartment"
    );
    let names = ["q", "u", "v", "spiked", "ref_count"];
    let mut expected = vec![[0i64; 5]; n * steps];
    for r in &st.rows {
        let (s, g) = (st.int(r, "step") as usize, st.int(r, "global_idx") as usize);
        assert!((1..=steps).contains(&s) && g < n, "{case}: state row {r:?}");
        for (k, name) in names.iter().enumerate() {
            expected[(s - 1) * n + g][k] = st.int(r, name);
        }
    }
    let sp = Table::read(&c.dir.join("spikes.csv"));
    let mut exp_spikes: Vec<Vec<u32>> = vec![Vec::new(); steps];
    for r in &sp.rows {
        exp_spikes[sp.int(r, "step") as usize - 1].push(sp.int(r, "global_idx") as u32);
    }
    for s in &mut exp_spikes {
        s.sort_unstable();
    }

    // learning records: traces (step, syn, axon) and weights (step, syn, axon, col)
    let mut exp_traces: BTreeMap<(usize, usize), Vec<(usize, i32)>> = BTreeMap::new();
    let mut exp_weights: WeightRecord = BTreeMap::new();
    if !c.learning.is_empty() {
        let t = Table::read(&c.dir.join("traces.csv"));
        for r in &t.rows {
            exp_traces
                .entry((t.int(r, "step") as usize, t.int(r, "syn") as usize))
                .or_default()
                .push((t.int(r, "axon_idx") as usize, t.int(r, "trace") as i32));
        }
        let w = Table::read(&c.dir.join("learned_weights.csv"));
        for r in &w.rows {
            exp_weights
                .entry((w.int(r, "step") as usize, w.int(r, "syn") as usize))
                .or_default()
                .push((
                    w.int(r, "axon_idx") as usize,
                    w.int(r, "col") as usize,
                    w.int(r, "weight") as i32,
                ));
        }
    }

    let mut counts = [0usize; 5];
    let (mut spike_bad, mut trace_bad, mut weight_bad) = (0usize, 0usize, 0usize);
    let (mut traces_checked, mut weights_checked) = (0usize, 0usize);
    let mut first: Option<String> = None;
    for step in 1..=steps {
        for (syn, errs) in c.pes_errors.get(&step).into_iter().flatten() {
            c.emu
                .set_pes_errors(*syn, errs)
                .unwrap_or_else(|e| panic!("{case}: {e}"));
        }
        c.emu.step();
        // the state as the probes see it: every block entity's compartments, in block order
        let mut global = Vec::with_capacity(n);
        for b in 0..c.emu.n_blocks() {
            let cs = c.emu.block(BlockId(b)).expect("block");
            for i in 0..cs.len() {
                global.push([
                    i64::from(cs.q()[i]),
                    i64::from(cs.u()[i]),
                    i64::from(cs.v()[i]),
                    i64::from(cs.spiked()[i]),
                    i64::from(cs.ref_count()[i]),
                ]);
            }
        }
        assert_eq!(global.len(), n, "{case}: compartments");
        for (g, ours) in global.iter().enumerate() {
            let exp = expected[(step - 1) * n + g];
            for k in 0..5 {
                if ours[k] != exp[k] {
                    counts[k] += 1;
                    first.get_or_insert_with(|| {
                        format!(
                            "step {step}, compartment {g}, {}: ours {} vs ref {}",
                            names[k], ours[k], exp[k]
                        )
                    });
                }
            }
        }
        if c.emu.spikes() != exp_spikes[step - 1].as_slice() {
            spike_bad += 1;
            first.get_or_insert_with(|| {
                format!(
                    "step {step}, spikes: ours {:?} vs ref {:?}",
                    c.emu.spikes(),
                    exp_spikes[step - 1]
                )
            });
        }
        for &syn in &c.learning {
            if let Some(exp) = exp_traces.get(&(step, syn.0)) {
                let tr = c.emu.pes_state(syn).expect("learning state").traces();
                for &(axon, v) in exp {
                    traces_checked += 1;
                    if tr[axon] != v {
                        trace_bad += 1;
                        first.get_or_insert_with(|| {
                            format!(
                                "step {step}, synapse {}, axon {axon}, trace: ours {} vs ref {v}",
                                syn.0, tr[axon]
                            )
                        });
                    }
                }
            }
            if let Some(exp) = exp_weights.get(&(step, syn.0)) {
                let s = c.emu.synapse(syn).expect("synapse");
                for &(axon, col, v) in exp {
                    weights_checked += 1;
                    let k = s.axon_to_weight_map()[axon];
                    let w = s.entry_weights(k).expect("entry")[col];
                    if w != v {
                        weight_bad += 1;
                        first.get_or_insert_with(|| {
                            format!(
                                "step {step}, synapse {}, axon {axon}, col {col}, weight: ours {w} vs ref {v}",
                                syn.0
                            )
                        });
                    }
                }
            }
        }
    }
    let mut out: Vec<(&'static str, usize)> = names.iter().copied().zip(counts).collect();
    out.push(("spike steps", spike_bad));
    if !c.learning.is_empty() {
        assert_eq!(
            traces_checked,
            exp_traces.values().map(Vec::len).sum::<usize>()
        );
        assert_eq!(
            weights_checked,
            exp_weights.values().map(Vec::len).sum::<usize>()
        );
        assert!(traces_checked > 0 && weights_checked > 0);
        out.push(("traces", trace_bad));
        out.push(("weights", weight_bad));
    }
    let spikes_total: usize = exp_spikes.iter().map(Vec::len).sum();
    println!(
        "{case}: {steps} steps x {n} compartments, {spikes_total} spikes, learning values checked: \
         {traces_checked} traces + {weights_checked} weights; mismatches {out:?}"
    );
    if let Some(f) = &first {
        println!("{case}: first mismatch: {f}");
    }
    out
}

fn assert_exact(case: &str) {
    let out = run_case(case);
    assert!(
        out.iter().all(|(_, c)| *c == 0),
        "{case}: mismatches {out:?}"
    );
}

#[test]
fn single_block_bit_exact() {
    assert_exact("single_block");
}

#[test]
fn single_block_bias_bit_exact() {
    assert_exact("single_block_bias");
}

#[test]
fn channel_bit_exact() {
    assert_exact("channel");
}

#[test]
fn pes_learning_bit_exact() {
    assert_exact("pes");
}

/// A LIF-like block of `n` compartments fed by a 100-neuron host spike input through a
/// dense 100 x `n` synapse, with `k` input spikes per step (deterministic pattern).
fn speed_model(n: usize, k: usize, steps: u64) -> (LoihiEmulator, InputId) {
    let p = CompartmentParams {
        decay_u: 741,
        decay_v: 200,
        vth: 19328,
        bias: 1000,
        refract_delay: 3,
        vmin: 0,
        vmax: (1 << 23) - 1,
        noise: NoiseParams::default(),
    };
    let n_in = 100;
    let mut b = LoihiEmulatorBuilder::new();
    let blk = b.add_block(&vec![p; n]);
    let inp = b.add_spike_input(n_in);
    let entries = (0..n_in)
        .map(|a| WeightEntry {
            n_atoms: 1,
            n_targets: n,
            weights: (0..n)
                .map(|j| ((a * 31 + j * 17) % 255) as i32 * 64 - 4000)
                .collect(),
            indices: (0..n as u32).collect(),
        })
        .collect();
    let syn = b
        .add_synapse(
            blk,
            LoihiSynapse::new(n_in, entries, None, None).expect("synapse"),
        )
        .expect("add synapse");
    for idx in 0..n_in {
        let tgt = AxonTarget {
            synapse: syn,
            axon_idx: idx,
            atom: 0,
        };
        b.add_axon(SpikeSource::Input { input: inp, idx }, tgt)
            .expect("axon");
    }
    let mut emu = b.build().expect("build");
    for host in 1..=steps {
        let idxs: Vec<usize> = (0..k)
            .map(|j| (host as usize * 7 + j * 13) % n_in)
            .collect();
        emu.queue_input_spikes(inp, host, &idxs).expect("queue");
    }
    (emu, inp)
}

/// Prints the speed of the ECS step (no assertion on timing): a 1000-compartment block driven
/// by host spikes, and a 1-compartment model for the fixed cost of one schedule run.
#[test]
fn ecs_step_speed() {
    for (n, k) in [(1000usize, 5usize), (1, 0)] {
        let steps = 20_000u64;
        let (mut emu, _) = speed_model(n, k, steps);
        emu.run_steps(100); // warm up (builds nothing: the schedule is initialized at build)
        let t0 = std::time::Instant::now();
        emu.run_steps(steps - 100);
        let dt = t0.elapsed().as_secs_f64();
        let total_spikes = emu.spikes().len();
        println!(
            "ECS Loihi step: {n} compartments, {k} input spikes/step x {n} targets: {:.0} steps/s \
             ({:.2} us/step; last-step spikes {total_spikes})",
            (steps - 100) as f64 / dt,
            1e6 * dt / (steps - 100) as f64
        );
    }
}
