//! Loihi resource mapping against NengoLoihi 1.1.0 (`tests/refs/loihi`, README §3, §5,
//! BENCH.md).
//!
//! For each recorded case the per-block resources are rebuilt from the case files only:
//! blocks from `params.json["blocks"]` (label, `n_compartments`, synapse ids), synapses from
//! `params.json["synapses"]` (`n_axons`, `pop_type`, `synapse_cfg`) with one weight entry
//! per `(syn, weight_idx)` group of `synapses.csv` (its atoms × targets), and output axons
//! from `axons.csv` (distinct `axon_idx` per `(source block, syn)`). The mapping must then
//! give exactly the recorded `derived.bits` of every synapse, every block's `utilization`
//! `(value, max)` pairs, the `utilization_summary` lines and the `greedy_allocation`.
//!
//! Separately, each recorded network is written as a cortecs config (from `params.json`: its
//! ensembles' sizes and neuron type, its connections and their synapses, its probes) and laid
//! out by cortecs's own Loihi build (`cortecs::loihi::plan`); the blocks, synapses, axons and
//! allocation that cortecs derives must be the recorded ones.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use common::{NengoCall, read_json, recorded_lif, refs_dir};
use cortecs::components::loihi::mapping::{
    BlockResources, CoreActivity, CostFigures, Greedy, MAX_COMPARTMENTS, MAX_IN_AXONS,
    MAX_OUT_AXONS, MAX_SYNAPSE_BITS, MappingError, ModelResources, OutputAxons, PopType,
    SynapseFormat, SynapseResources, WeightEntry, allocate_greedy, estimate_step_cost, split_plan,
    synaptic_ops, validate,
};
use serde_json::Value;

const CASES: [&str; 4] = ["single_block", "single_block_bias", "channel", "pes"];

/// Rows of a small CSV as string fields, keyed by column name.
fn csv_rows(path: &Path) -> Vec<BTreeMap<String, String>> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut lines = text.lines();
    let header: Vec<String> = lines
        .next()
        .unwrap_or_default()
        .split(',')
        .map(|s| s.trim().to_string())
        .collect();
    lines
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            header
                .iter()
                .cloned()
                .zip(l.split(',').map(|s| s.trim().to_string()))
                .collect()
        })
        .collect()
}

fn num(row: &BTreeMap<String, String>, col: &str) -> i64 {
    row[col].parse().unwrap_or_else(|e| panic!("{col}: {e}"))
}

fn as_usize(v: &Value) -> usize {
    v.as_u64().unwrap_or_else(|| panic!("not an integer: {v}")) as usize
}

fn pop_type(v: &Value) -> PopType {
    match v.as_u64() {
        Some(16) => PopType::Pop16,
        Some(32) => PopType::Pop32,
        _ => PopType::Discrete,
    }
}

fn format_of(cfg: &Value) -> SynapseFormat {
    let u = |k: &str| cfg[k].as_u64().unwrap_or_else(|| panic!("synapse_cfg.{k}")) as u32;
    SynapseFormat {
        weight_exp: cfg["weight_exp"].as_i64().unwrap_or(0) as i32,
        tag_bits: u("tag_bits"),
        delay_bits: u("delay_bits"),
        weight_bits: u("weight_bits"),
        n_synapses: u("n_synapses"),
        idx_offset: u("idx_offset"),
        idx_mult: u("idx_mult"),
        idx_bits: u("idx_bits"),
        fanout_type: u("fanout_type"),
        compression: u("compression"),
    }
}

/// The per-block resources of a recorded case, from its files (see the module doc).
fn case_model(case: &str) -> (ModelResources, Value) {
    let dir = refs_dir("loihi").join(case);
    let params = read_json(&dir.join("params.json"));

    // weight entries: (syn, weight_idx) -> (atoms, rows)
    let mut entries: BTreeMap<(i64, i64), (BTreeSet<i64>, usize)> = BTreeMap::new();
    for r in csv_rows(&dir.join("synapses.csv")) {
        let e = entries
            .entry((num(&r, "syn"), num(&r, "weight_idx")))
            .or_default();
        e.0.insert(num(&r, "atom"));
        e.1 += 1;
    }
    let syn_json = params["synapses"].as_array().expect("synapses");
    let synapse = |id: usize| -> SynapseResources {
        let s = &syn_json[id];
        let weights = entries
            .iter()
            .filter(|((syn, _), _)| *syn == id as i64)
            .map(|(_, (atoms, rows))| WeightEntry {
                n_atoms: atoms.len(),
                n_targets: rows / atoms.len(),
            })
            .collect();
        SynapseResources {
            label: s["label"].as_str().unwrap_or_default().to_string(),
            n_axons: as_usize(&s["n_axons"]),
            pop_type: pop_type(&s["pop_type"]),
            format: format_of(&s["synapse_cfg"]),
            weights,
            compartment_bases: None,
        }
    };

    // output axons: (src block, syn) -> distinct axon_idx
    let mut out: BTreeMap<(usize, usize), BTreeSet<i64>> = BTreeMap::new();
    for r in csv_rows(&dir.join("axons.csv")) {
        if r["src_kind"] == "block" {
            out.entry((num(&r, "src_id") as usize, num(&r, "syn") as usize))
                .or_default()
                .insert(num(&r, "axon_idx"));
        }
    }

    let blocks = params["blocks"]
        .as_array()
        .expect("blocks")
        .iter()
        .enumerate()
        .map(|(bi, b)| BlockResources {
            label: b["label"].as_str().unwrap_or_default().to_string(),
            n_compartments: as_usize(&b["n_compartments"]),
            synapses: b["synapses"]
                .as_array()
                .expect("block synapses")
                .iter()
                .map(|s| synapse(as_usize(s)))
                .collect(),
            axons: out
                .iter()
                .filter(|((src, _), _)| *src == bi)
                .map(|((_, syn), idxs)| OutputAxons {
                    target_block: Some(as_usize(&syn_json[*syn]["target_block"])),
                    n_axons: idxs.len(),
                    pop_type: pop_type(&syn_json[*syn]["pop_type"]),
                })
                .collect(),
        })
        .collect();
    (ModelResources { blocks }, params)
}

#[test]
fn synapse_bits_match_recorded_derived_bits() {
    for case in CASES {
        let (model, params) = case_model(case);
        for s in params["synapses"].as_array().expect("synapses") {
            let id = as_usize(&s["id"]);
            let target = as_usize(&s["target_block"]);
            let ours = model.blocks[target]
                .synapses
                .iter()
                .find(|x| x.label == s["label"].as_str().unwrap_or_default())
                .unwrap_or_else(|| panic!("{case}: synapse {id} not rebuilt"));
            assert_eq!(
                ours.bits(),
                Ok(s["derived"]["bits"].as_u64().expect("derived.bits")),
                "{case}: synapse {id} ({})",
                ours.label
            );
        }
    }
}

#[test]
fn recorded_cases_utilization_and_greedy_allocation() {
    for case in CASES {
        let (model, params) = case_model(case);
        let report = allocate_greedy(&model);
        println!("== {case}\n{report}");
        assert!(report.fits(), "{case}: {:?}", report.violations);
        assert_eq!(validate(&report), Ok(()));

        // per-block utilization (value, max) pairs
        for (core, b) in report
            .cores
            .iter()
            .zip(params["blocks"].as_array().expect("b"))
        {
            let u = &b["utilization"];
            let pair = |k: &str| (as_usize(&u[k][0]) as u64, as_usize(&u[k][1]) as u64);
            assert_eq!(
                pair("compartments"),
                (core.compartments as u64, MAX_COMPARTMENTS as u64),
                "{case}: {}",
                core.block
            );
            assert_eq!(
                pair("in-axons"),
                (core.in_axons as u64, MAX_IN_AXONS as u64),
                "{case}: {}",
                core.block
            );
            assert_eq!(
                pair("out-axons"),
                (core.out_axons as u64, MAX_OUT_AXONS as u64),
                "{case}: {}",
                core.block
            );
            assert_eq!(
                pair("synapses"),
                (core.synapse_bits, MAX_SYNAPSE_BITS),
                "{case}: {}",
                core.block
            );
        }

        // Greedy allocation
        let recorded = params["greedy_allocation"].as_array().expect("greedy");
        assert_eq!(report.cores.len(), recorded.len(), "{case}");
        for (core, g) in report.cores.iter().zip(recorded) {
            assert_eq!(core.chip, as_usize(&g["chip"]), "{case}");
            assert_eq!(core.core, as_usize(&g["core"]), "{case}");
            assert_eq!(
                core.block,
                g["block"].as_str().unwrap_or_default(),
                "{case}"
            );
            assert_eq!(core.compartments, as_usize(&g["n_compartments"]), "{case}");
        }
        assert_eq!(report.chips.len(), 1);
        assert_eq!(report.chips[0].cores_used, recorded.len());

        // Model.utilization_summary, line for line
        let summary: Vec<String> = params["utilization_summary"]
            .as_array()
            .expect("summary")
            .iter()
            .map(|v| v.as_str().unwrap_or_default().to_string())
            .collect();
        assert_eq!(report.utilization_summary(), summary, "{case}");

        // nothing to split in the recorded cases
        for b in &model.blocks {
            let p = split_plan(b);
            assert_eq!((p.n_split, p.chunks.len()), (1, 1), "{case}: {}", b.label);
            assert_eq!(p.chunks[0].label, b.label);
        }
    }
}

/// `Node -> Ensemble(n, 1)` with a decoded probe, as NengoLoihi builds it: the ensemble
/// block (2 on/off input axons, dense encoders), identity output axons into the probe's
/// 2-compartment decoder block (one input axon per neuron, 2 weights each).
fn ensemble_with_probe(n: usize) -> ModelResources {
    let ens = "<Ensemble 'A'>";
    let probe = "<Connection from <Ensemble 'A'> to <Probe of 'decoded_output' of <Ensemble 'A'>>>";
    let mut a = BlockResources::new(ens, n);
    a.synapses
        .push(SynapseResources::dense("node_encoders", 2, n));
    a.axons.push(OutputAxons {
        target_block: Some(1),
        n_axons: n,
        pop_type: PopType::Discrete,
    });
    let mut p = BlockResources::new(probe, 2);
    p.synapses
        .push(SynapseResources::dense("probe_decoders", n, 2));
    ModelResources { blocks: vec![a, p] }
}

#[test]
fn split_1500_into_two_cores_like_multicore_case() {
    // README §5: multicore/ splits Ensemble(1500) into 750 + 750 and uses 3 cores.
    let model = ensemble_with_probe(1500);
    let plan = split_plan(&model.blocks[0]);
    assert_eq!((plan.n_split, plan.chunk_size), (2, 750));
    assert_eq!(plan.limiting, vec!["Number of compartments"]);
    let split = model.split();
    assert!(split.exact);
    let labels: Vec<&str> = split
        .model
        .blocks
        .iter()
        .map(|b| b.label.as_str())
        .collect();
    assert_eq!(labels[0], "<Ensemble 'A'>[0:750:1]");
    assert_eq!(labels[1], "<Ensemble 'A'>[750:1500:1]");
    let report = allocate_greedy(&split.model);
    println!("{report}");
    assert!(report.fits(), "{:?}", report.violations);
    let comps: Vec<usize> = report.cores.iter().map(|c| c.compartments).collect();
    assert_eq!(comps, vec![750, 750, 2]);
    // each half: 2 input axons of 750 weights: 11 groups of 64 (576 bits) + 46 (384 bits).
    assert_eq!(report.cores[0].in_axons, 2);
    assert_eq!(report.cores[0].synapse_bits, 2 * (11 * 576 + 384));
    assert_eq!(report.cores[0].out_axons, 750);
    assert_eq!(report.cores[2].in_axons, 1500);
    assert_eq!(report.cores[2].synapse_bits, 1500 * 64);
}

#[test]
fn split_10000_and_the_probe_that_cannot_fit() {
    // BENCH.md note 1: 10 ensemble blocks of 1000 + the probe block split into 2 blocks of
    // 1 compartment, each still with 10000 input axons -> "Input axons (10000) exceeded max".
    let model = ensemble_with_probe(10000);
    let plan = split_plan(&model.blocks[0]);
    assert_eq!((plan.n_split, plan.chunks.len()), (10, 10));
    assert!(plan.chunks.iter().all(|c| c.len() == 1000));
    let pplan = split_plan(&model.blocks[1]);
    assert_eq!(
        (pplan.n_split, pplan.chunk_size, pplan.chunks.len()),
        (3, 1, 2)
    );
    assert_eq!(pplan.limiting, vec!["Input axons"]);

    let split = model.split();
    assert_eq!(split.model.blocks.len(), 12);
    let report = allocate_greedy(&split.model);
    println!("{report}");
    assert_eq!(report.cores.len(), 12, "report covers every block");
    let probe = "<Connection from <Ensemble 'A'> to <Probe of 'decoded_output' of <Ensemble 'A'>>>";
    assert_eq!(report.violations.len(), 2, "{:?}", report.violations);
    for (v, part) in report.violations.iter().zip(["[0:1]", "[1:2]"]) {
        assert_eq!(v.object, format!("LoihiBlock({probe}{part})"));
        assert_eq!(v.limit, "Input axons");
        assert_eq!((v.value, v.max), (10000, 4096));
    }
    // each ensemble chunk feeds both probe halves: 2 x 1000 output slots
    assert_eq!(report.cores[0].out_axons, 2000);
    let err = validate(&report).expect_err("does not fit");
    assert_eq!(
        err.to_string(),
        format!("LoihiBlock({probe}[0:1]): Input axons (10000) exceeded max (4096)")
    );
}

#[test]
fn probe_block_with_5000_input_axons_reports_and_fails() {
    let mut probe = BlockResources::new("probe", 2);
    probe
        .synapses
        .push(SynapseResources::dense("probe_decoders", 5000, 2));
    let plan = split_plan(&probe);
    assert_eq!(
        (plan.n_split, plan.chunk_size, plan.chunks.len()),
        (2, 1, 2)
    );
    assert_eq!(plan.chunks[1].label, "probe[1:2]");

    let model = ModelResources {
        blocks: vec![probe],
    };
    let report = allocate_greedy(&model);
    assert_eq!(report.cores.len(), 1);
    assert_eq!(report.cores[0].in_axons, 5000);
    assert_eq!(report.cores[0].synapse_bits, 5000 * 64);
    assert!((report.cores[0].in_axon_fraction() - 5000.0 / 4096.0).abs() < 1e-12);
    assert_eq!(report.violations.len(), 1);
    let v = &report.violations[0];
    assert_eq!(
        (v.object.as_str(), v.limit, v.value, v.max),
        ("LoihiBlock(probe)", "Input axons", 5000, 4096)
    );
    assert_eq!(
        validate(&report),
        Err(MappingError::Exceeded {
            object: "LoihiBlock(probe)".into(),
            limit: "Input axons",
            value: 5000,
            max: 4096,
        })
    );
    let text = report.to_string();
    println!("{text}");
    assert!(text.contains("Input axons (5000) exceeded max (4096)"));

    // splitting a dense 100-compartment block with 5000 input axons cannot help either
    let mut big = BlockResources::new("B", 100);
    big.synapses.push(SynapseResources::dense("w", 5000, 100));
    let split = ModelResources { blocks: vec![big] }.split();
    // 5000 axons x 896 bits = 4,480,000 bits -> n_split = 5 (chunks of 20)
    assert_eq!(split.plans[0].n_split, 5);
    assert_eq!(split.plans[0].limiting, vec!["Total synapse bits"]);
    let r = allocate_greedy(&split.model);
    assert!(r.cores.iter().all(|c| c.in_axons == 5000));
    assert_eq!(r.violations.len(), split.model.blocks.len());
}

#[test]
fn more_blocks_than_one_chip_holds() {
    let blocks = (0..129)
        .map(|i| BlockResources::new(format!("b{i}"), 4))
        .collect();
    let model = ModelResources { blocks };
    let report = allocate_greedy(&model);
    assert_eq!(report.cores.len(), 129);
    assert_eq!(
        report
            .chips
            .iter()
            .map(|c| c.cores_used)
            .collect::<Vec<_>>(),
        vec![128, 1]
    );
    assert_eq!((report.cores[128].chip, report.cores[128].core), (1, 0));
    assert_eq!(report.violations.len(), 1);
    let v = &report.violations[0];
    assert_eq!(
        (v.object.as_str(), v.limit, v.value, v.max),
        ("LoihiBlock(b128)", "Chips", 2, 1)
    );
    assert_eq!(
        validate(&report).map_err(|e| e.to_string()),
        Err("LoihiBlock(b128): Chips (2) exceeded max (1)".to_string())
    );
    let two = Greedy {
        n_chips: 2,
        ..Greedy::default()
    }
    .allocate(&model);
    assert!(two.fits());
    let bad = Greedy {
        cores_per_chip: 129,
        n_chips: 2,
    }
    .allocate(&model);
    assert_eq!(bad.violations[0].limit, "Cores per chip");
}

#[test]
fn synapse_format_limits_are_violations() {
    let mut b = BlockResources::new("b", 10);
    let mut s = SynapseResources::dense("s", 2, 10);
    s.format.weight_exp = -8;
    b.synapses.push(s);
    let report = allocate_greedy(&ModelResources { blocks: vec![b] });
    assert_eq!(
        validate(&report).map_err(|e| e.to_string()),
        Err("Synapse(s): weight_exp (-8) below min (-7)".to_string())
    );
    let mut c = BlockResources::new("c", 2000);
    let mut s = SynapseResources::dense("s", 2, 2000);
    s.format.compression = 2;
    c.synapses.push(s);
    let report = allocate_greedy(&ModelResources { blocks: vec![c] });
    let msgs: Vec<String> = report.violations.iter().map(|v| v.to_string()).collect();
    assert_eq!(
        msgs,
        vec![
            "Compartment(c): Number of compartments (2000) exceeded max (1024)",
            "Synapse(s): compression (2) not supported",
        ]
    );
}

#[test]
fn display_and_cost_estimate_from_recorded_activity() {
    // single_block: input spikes reach core 0 (fan-out 10 each), ensemble spikes reach the
    // probe block on core 1 (fan-out 2 each); every compartment updates every step.
    let (model, params) = case_model("single_block");
    let report = allocate_greedy(&model);
    let dir = refs_dir("loihi").join("single_block");
    let n_steps = params["n_steps"].as_u64().expect("n_steps");
    let input_spikes = csv_rows(&dir.join("input_spikes.csv")).len() as u64;
    let ens_spikes = csv_rows(&dir.join("spikes.csv"))
        .iter()
        .filter(|r| num(r, "global_idx") < 10)
        .count() as u64;
    assert!(input_spikes > 0 && ens_spikes > 0);

    // per-step counts (a spike's synaptic ops are attributed to the step it is sent in)
    let mut input_at = vec![0u64; n_steps as usize + 2];
    for r in csv_rows(&dir.join("input_spikes.csv")) {
        input_at[num(&r, "chip_step_delivered") as usize] += 1;
    }
    let mut ens_at = vec![0u64; n_steps as usize + 2];
    for r in csv_rows(&dir.join("spikes.csv")) {
        if num(&r, "global_idx") < 10 {
            ens_at[num(&r, "step") as usize] += 1;
        }
    }
    let f = CostFigures::DAVIES_2018;
    let step_activity = |s: usize| {
        [
            CoreActivity {
                spikes: ens_at[s],
                synaptic_ops: synaptic_ops(&[input_at[s]], &[10]),
                compartment_updates: 10,
                active_updates: ens_at[s],
                synaptic_updates: 0,
            },
            CoreActivity {
                spikes: 0,
                synaptic_ops: synaptic_ops(&[ens_at[s]], &[2]),
                compartment_updates: 2,
                active_updates: 0,
                synaptic_updates: 0,
            },
        ]
    };
    let mut energy = 0.0;
    let mut time = 0.0;
    let mut synops = 0;
    let mut expect_time = 0.0;
    for s in 1..=n_steps as usize {
        let est = estimate_step_cost(&report, &step_activity(s), &f);
        energy += est.energy;
        time += est.step_time;
        synops += est.synaptic_ops;
        assert!((est.sync_time - f.barrier_sync_1_tile).abs() < 1e-18);
        let (i, e) = (input_at[s] as f64, ens_at[s] as f64);
        let t0 = i * 10.0 * 3.5e-9 + e * (8.4e-9 + 2.1e-9) + (10.0 - e) * 5.3e-9;
        let t1 = e * 2.0 * 3.5e-9 + 2.0 * 5.3e-9;
        expect_time += t0.max(t1) + 113e-9;
    }
    // input spikes stamped on the last host step land after the run
    let input_spikes: u64 = input_at[1..=n_steps as usize].iter().sum();
    let expect = (input_spikes * 10 + ens_spikes * 2) as f64 * 23.6e-12
        + ens_spikes as f64 * 81e-12
        + (12 * n_steps - ens_spikes) as f64 * 52e-12
        + ens_spikes as f64 * 1.7e-12;
    assert!(
        (energy - expect).abs() < 1e-9 * expect,
        "{energy} vs {expect}"
    );
    assert!((time - expect_time).abs() < 1e-9 * expect_time);
    assert_eq!(synops, input_spikes * 10 + ens_spikes * 2);

    let busiest = (1..=n_steps as usize)
        .max_by_key(|&s| ens_at[s] + input_at[s])
        .unwrap_or(1);
    let activity = step_activity(busiest);
    let total = estimate_step_cost(&report, &activity, &f);
    let text = format!("{report}\n{total}");
    println!("{text}");
    for needle in [
        "<Ensemble 'A'>",
        "10 (1.0%)",
        "640 (0.1%)",
        "chip 0: 2/128 cores used",
        "violations: none",
        "ESTIMATE",
        "23.6 pJ",
        "81/52 pJ",
        "Davies et al. 2018",
        "est. energy/step",
    ] {
        assert!(text.contains(needle), "missing {needle:?}");
    }

    // a mismatched activity slice never panics
    let short = estimate_step_cost(&report, &activity[..1], &f);
    assert!(!short.activity_matched);
    assert!(short.to_string().contains("missing cores counted idle"));
}

/// The name inside the last `'…'` of a Nengo object's repr (`<Ensemble 'A'>` → `A`,
/// `<Probe of 'output' of <Neurons of <Ensemble 'A'>>>` → `A`).
fn nengo_name(repr: &str) -> &str {
    let end = repr
        .rfind('\'')
        .unwrap_or_else(|| panic!("{repr:?}: no name"));
    let start = repr[..end]
        .rfind('\'')
        .unwrap_or_else(|| panic!("{repr:?}: no name"));
    &repr[start + 1..end]
}

/// A recorded synapse (`Lowpass(tau=0.005)` or `None`) as a cortecs synapse in ms.
fn synapse_ron(recorded: &str) -> String {
    if recorded == "None" {
        return "None".into();
    }
    let call = NengoCall::parse(recorded);
    assert_eq!(call.class, "Lowpass", "recorded synapse {recorded:?}");
    let tau_s = call.number("tau", Some(0)).expect("Lowpass tau");
    format!("Lowpass(tau: {:?})", tau_s * 1000.0)
}

/// The recorded network of `case` as a cortecs config (see the module doc). Host nodes give
/// a constant 0: a node's values do not change the layout.
fn case_config(params: &Value) -> String {
    let dt_ms = params["dt"].as_f64().expect("dt") * 1000.0;
    let nengo = params["nengo_float_params"]
        .as_object()
        .expect("nengo_float_params");
    let mut cells = Vec::new();
    // ensembles in block order (the order NengoLoihi built them)
    for b in params["blocks"].as_array().expect("blocks") {
        let label = b["label"].as_str().expect("label");
        let Some(name) = label
            .strip_prefix("<Ensemble '")
            .and_then(|l| l.strip_suffix("'>"))
        else {
            continue;
        };
        let e = &nengo[name];
        let neuron_type = recorded_lif(e["neuron_type"].as_str().expect("neuron_type"));
        cells.push(format!(
            "(name: {name:?}, kind: \"Ensemble\", params: (n_neurons: {}, dimensions: {}, \
             radius: {:?}, neuron_type: {}))",
            as_usize(&e["n_neurons"]),
            as_usize(&e["dimensions"]),
            e["radius"].as_f64().expect("radius"),
            ron::to_string(&neuron_type).expect("ron"),
        ));
    }
    let mut synapses = Vec::new();
    for (name, c) in nengo {
        let (Some(pre), Some(post)) = (c["pre"].as_str(), c["post"].as_str()) else {
            continue;
        };
        let (pre, post) = (nengo_name(pre), nengo_name(post));
        if c["kind"]
            .as_str()
            .is_some_and(|k| k.starts_with("host->chip"))
        {
            let dims = as_usize(&nengo[post]["dimensions"]);
            cells.push(format!(
                "(name: {pre:?}, kind: \"Node\", params: (output: Constant({:?})))",
                vec![0.0; dims]
            ));
        }
        let synapse = c["synapse"]
            .as_str()
            .or(c["synapse_on_host"].as_str())
            .expect("synapse");
        synapses.push(format!(
            "(name: {name:?}, kind: \"Connection\", pre: {pre:?}, post: {post:?}, \
             params: (synapse: {}))",
            synapse_ron(synapse)
        ));
    }
    let mut probes = Vec::new();
    for p in params["probes"].as_object().expect("probes").values() {
        let target = nengo_name(p["nengo_probe"].as_str().expect("nengo_probe"));
        let compartment = match p["attr"].as_str().expect("attr") {
            "decoded_output" => "decoded",
            "output" => "output",
            "voltage" => "voltage",
            "input" => "input",
            other => panic!("probe attribute {other:?} not modelled"),
        };
        probes.push(format!(
            "(target: {target:?}, compartment: {compartment:?}, synapse: {})",
            synapse_ron(p["synapse"].as_str().expect("probe synapse"))
        ));
    }
    format!(
        "Model(dt: {dt_ms:?}, cells: [{}], synapses: [{}], probes: [{}])",
        cells.join(", "),
        synapses.join(", "),
        probes.join(", ")
    )
}

/// cortecs's own Loihi layout of each recorded network (built from a config, not from the
/// recorded tables) has NengoLoihi's blocks: per block the compartments, input axons, output
/// axon slots (distinct target axons) and synapse bits; per synapse its axons and bits; the
/// Greedy allocation and the utilization percentages. (`pes/` is left out: cortecs's Loihi
/// build has no on-chip learning.)
#[test]
fn cortecs_layout_of_recorded_cases_matches_nengo_loihi() {
    use cortecs::prelude::{Model, Registry};
    for case in ["single_block", "single_block_bias", "channel"] {
        let params = read_json(&refs_dir("loihi").join(case).join("params.json"));
        let config = case_config(&params);
        let model = Model::from_config_str(&config, &Registry::with_builtins())
            .unwrap_or_else(|e| panic!("{case}: {e}\n{config}"));
        let plan = cortecs::loihi::plan(&model, 1).unwrap_or_else(|e| panic!("{case}: {e}"));
        let recorded = params["blocks"].as_array().expect("blocks");
        let ours = &plan.resources.blocks;
        let labels: Vec<&str> = ours.iter().map(|b| b.label.as_str()).collect();
        assert_eq!(ours.len(), recorded.len(), "{case}: blocks {labels:?}");
        assert_eq!(plan.split.blocks, *ours, "{case}: nothing to split");
        let syn_json = params["synapses"].as_array().expect("synapses");
        for (b, r) in ours.iter().zip(recorded) {
            let what = format!("{case}: {} (NengoLoihi {})", b.label, r["label"]);
            let u = &r["utilization"];
            let used = |k: &str| as_usize(&u[k][0]) as u64;
            assert_eq!(
                [
                    b.n_compartments as u64,
                    b.n_in_axons() as u64,
                    b.n_out_axons() as u64,
                    b.synapse_bits()
                ],
                [
                    used("compartments"),
                    used("in-axons"),
                    used("out-axons"),
                    used("synapses")
                ],
                "{what}: compartments, in-axons, out-axons, synapse bits"
            );
            let syns: Vec<&Value> = r["synapses"]
                .as_array()
                .expect("block synapses")
                .iter()
                .map(|s| &syn_json[as_usize(s)])
                .collect();
            assert_eq!(b.synapses.len(), syns.len(), "{what}: synapses");
            for (s, rs) in b.synapses.iter().zip(syns) {
                assert_eq!(s.label, rs["label"].as_str().expect("label"), "{what}");
                assert_eq!(s.n_axons, as_usize(&rs["n_axons"]), "{what}: {}", s.label);
                assert_eq!(s.pop_type, pop_type(&rs["pop_type"]), "{what}: {}", s.label);
                assert_eq!(
                    s.bits(),
                    Ok(rs["derived"]["bits"].as_u64().expect("bits")),
                    "{what}: {}",
                    s.label
                );
            }
            assert_eq!(
                b.axons.len(),
                as_usize(&r["n_out_axon_groups"]),
                "{what}: output axon groups"
            );
        }
        let greedy = params["greedy_allocation"].as_array().expect("greedy");
        assert_eq!(plan.report.cores.len(), greedy.len(), "{case}: cores");
        for (core, g) in plan.report.cores.iter().zip(greedy) {
            assert_eq!(
                (core.chip, core.core, core.compartments),
                (
                    as_usize(&g["chip"]),
                    as_usize(&g["core"]),
                    as_usize(&g["n_compartments"])
                ),
                "{case}: {}",
                core.block
            );
        }
        // the summary's percentages (the labels are cortecs's own)
        let after_label = |line: &str| line.rsplit_once("): ").map_or(line, |x| x.1).to_string();
        let summary: Vec<String> = params["utilization_summary"]
            .as_array()
            .expect("summary")
            .iter()
            .map(|v| after_label(v.as_str().unwrap_or_default()))
            .collect();
        let ours_summary: Vec<String> = plan
            .report
            .utilization_summary()
            .iter()
            .map(|l| after_label(l))
            .collect();
        assert_eq!(ours_summary, summary, "{case}: utilization summary");
        println!("{case}: cortecs's layout {labels:?} matches NengoLoihi's blocks");
    }
}
