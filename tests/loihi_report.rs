//! `cortecs::loihi::plan`: a NEF model's Loihi resources under NengoLoihi's rules, a report
//! before any failure, and the exact limit a model that does not fit breaks.

use cortecs::components::loihi::mapping::validate;
use cortecs::prelude::*;

fn channel(n: usize, probes: bool) -> Model {
    let probes = if probes {
        r#"(target: "A", compartment: "decoded", synapse: Lowpass(tau: 10.0)),
           (target: "B", compartment: "decoded", synapse: Lowpass(tau: 10.0))"#
    } else {
        ""
    };
    let text = format!(
        r#"Model(dt: 1.0, cells: [
            (name: "stim", kind: "Node", params: (output: Sine(frequency: 1.0))),
            (name: "A", kind: "Ensemble", params: (n_neurons: {n}, dimensions: 1, n_eval_points: 100)),
            (name: "B", kind: "Ensemble", params: (n_neurons: {n}, dimensions: 1, n_eval_points: 100)),
        ], synapses: [
            (name: "in", kind: "Connection", pre: "stim", post: "A", params: ()),
            (name: "ab", kind: "Connection", pre: "A", post: "B", params: ()),
        ], probes: [{probes}])"#
    );
    Model::from_config_str(&text, &Registry::with_builtins()).unwrap()
}

#[test]
fn a_small_channel_fits_with_nengo_loihis_blocks() {
    let plan = cortecs::loihi::plan(&channel(100, true), 1).unwrap();
    let labels: Vec<&str> = plan.split.blocks.iter().map(|b| b.label.as_str()).collect();
    assert_eq!(
        labels,
        [
            "<Ensemble 'A'>",
            "<Ensemble 'B'>",
            "<decode neurons of 'ab'>",
            "<Probe of 'A'.decoded>",
            "<Probe of 'B'.decoded>"
        ]
    );
    let b = &plan.split.blocks;
    // Host input: 2 on/off axons per dimension; decode neurons: 20 per dimension reading
    // every A neuron; probes: 2 compartments reading every neuron.
    assert_eq!((b[0].n_in_axons(), b[0].n_out_axons()), (2, 200));
    assert_eq!((b[2].n_compartments, b[2].n_in_axons()), (20, 100));
    assert_eq!((b[3].n_compartments, b[3].n_in_axons()), (2, 100));
    assert!(plan.report.violations.is_empty());
    assert!(validate(&plan.report).is_ok());
    assert_eq!(plan.report.cores.len(), 5);
}

#[test]
fn large_ensembles_are_split_and_oversized_readouts_named() {
    let plan = cortecs::loihi::plan(&channel(3000, false), 1).unwrap();
    // 3000 neurons → 3 cores of 1000 each (ceil(3000/1024) = 3).
    let a: Vec<usize> = plan
        .split
        .blocks
        .iter()
        .filter(|b| b.label.starts_with("<Ensemble 'A'>"))
        .map(|b| b.n_compartments)
        .collect();
    assert_eq!(a, [1000, 1000, 1000]);
    assert!(validate(&plan.report).is_ok());
    // 5000 neurons: the decode block needs one input axon per neuron (NengoLoihi fails to
    // build this with "Input axons (5000) exceeded max (4096)").
    let plan = cortecs::loihi::plan(&channel(5000, false), 1).unwrap();
    let e = validate(&plan.report).unwrap_err().to_string();
    assert!(
        e.contains("decode neurons of 'ab'")
            && e.contains("Input axons (5000) exceeded max (4096)"),
        "{e}"
    );
    // The report is still complete: every block placed.
    assert!(plan.report.to_string().contains("<Ensemble 'B'>"));
}

#[test]
fn cell_family_populations_have_no_loihi_mapping() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/configs/lif_poisson.ron");
    let model = Model::from_config_file(path).unwrap();
    let e = cortecs::loihi::plan(&model, 1).err().unwrap().to_string();
    assert!(e.contains("no Loihi mapping"), "{e}");
}

#[test]
fn the_estimate_counts_measured_spikes() {
    let mut model = channel(100, true);
    let plan = cortecs::loihi::plan(&model, 1).unwrap();
    let spikes = cortecs::loihi::measure_spikes(&mut model, &plan, 200);
    assert!(spikes[0] > 0.0 && spikes[1] > 0.0, "{spikes:?}");
    let act = cortecs::loihi::activity(&plan, &spikes);
    // The decode block receives A's spikes, each reaching its 20 compartments.
    assert_eq!(act[2].synaptic_ops, (spikes[0] * 20.0).round() as u64);
    assert_eq!(act[0].compartment_updates, 100);
}
