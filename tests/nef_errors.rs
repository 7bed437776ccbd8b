//! NEF models with bad input: each is a clear error naming the object, the parameter and what
//! was expected, at the right `line:col` of the config, and never a panic.

use cortecs::prelude::*;

/// A small NEF model; `{A}` is extra ensemble-A params, `{PRE}`/`{POST}` the endpoints of
/// connection `c2`, `{C2}` its params.
const BASE: &str = r#"Model(
    dt: 1.0,
    cells: [
        (name: "stim", kind: "Node", params: (output: Sine(frequency: 1.0))),
        (name: "A", kind: "Ensemble", params: (n_neurons: 40, dimensions: 1{A})),
        (name: "B", kind: "Ensemble", params: (n_neurons: 40, dimensions: 2)),
    ],
    synapses: [
        (name: "c1", kind: "Connection", pre: "stim", post: "A", params: ()),
        (name: "c2", kind: "Connection", pre: "{PRE}", post: "{POST}", params: ({C2})),
    ],
    probes: [ {PROBE} ],
    run: (steps: 10),
)"#;

struct Case {
    a: &'static str,
    pre: &'static str,
    post: &'static str,
    c2: &'static str,
    probe: &'static str,
}

const OK: Case = Case {
    a: "",
    pre: "A",
    post: "B[0]",
    c2: "",
    probe: "",
};

fn error(c: Case) -> String {
    let text = BASE
        .replace("{A}", c.a)
        .replace("{PRE}", c.pre)
        .replace("{POST}", c.post)
        .replace("{C2}", c.c2)
        .replace("{PROBE}", c.probe);
    match Model::from_config_str(&text, &Registry::with_builtins()) {
        Ok(_) => panic!("expected an error for\n{text}"),
        Err(e) => e.to_string(),
    }
}

/// The message has `line:col`, the entity and every fragment.
fn check(msg: &str, line: usize, entity: &str, fragments: &[&str]) {
    assert!(
        msg.contains(&format!(":{line}:")),
        "line {line} missing: {msg}"
    );
    assert!(
        msg.contains(&format!("`{entity}`")),
        "entity {entity} missing: {msg}"
    );
    for f in fragments {
        assert!(msg.contains(f), "`{f}` missing: {msg}");
    }
}

#[test]
fn the_base_model_is_valid() {
    let text = BASE
        .replace("{A}", "")
        .replace("{PRE}", "A")
        .replace("{POST}", "B[0]")
        .replace("{C2}", "")
        .replace("{PROBE}", "");
    Model::from_config_str(&text, &Registry::with_builtins()).unwrap();
}

#[test]
fn dimension_mismatches_name_the_connection() {
    let e = error(Case { post: "B", ..OK });
    check(&e, 10, "c2", &["`post`", "expected 2 values", "gives 1"]);
    let e = error(Case {
        post: "B",
        c2: r#"function: "x**2""#,
        ..OK
    });
    check(
        &e,
        10,
        "c2",
        &["`function`", "expected 2 values", "gives 1"],
    );
    let e = error(Case {
        post: "B",
        c2: "transform: Dense([[1.0, 2.0]])",
        ..OK
    });
    check(&e, 10, "c2", &["`transform`", "size 2", "size 1"]);
    let e = error(Case {
        post: "B.neurons[0:10]",
        c2: "transform: Dense([[1.0]])",
        ..OK
    });
    check(&e, 10, "c2", &["`transform`", "expected 10 values"]);
}

#[test]
fn ensemble_parameters_out_of_range() {
    let e = error(Case {
        a: ", intercepts: Uniform(low: -1.5, high: 0.5)",
        ..OK
    });
    check(&e, 5, "A", &["`intercepts`", "[-1, 1]"]);
    let e = error(Case {
        a: ", max_rates: Uniform(low: 200.0, high: 600.0)",
        ..OK
    });
    check(&e, 5, "A", &["`max_rates`", "1/tau_ref = 500 Hz"]);
    let e = error(Case {
        a: ", eval_points: Matrix([[0.1, 0.2], [0.3, 0.4]])",
        ..OK
    });
    check(&e, 5, "A", &["`eval_points`", "expected 1 (dimensions)"]);
    let e = error(Case {
        a: ", radius: NaN",
        ..OK
    });
    check(&e, 5, "A", &["`radius`", "found NaN"]);
    let e = error(Case {
        a: ", neuron_type: LIF(tau_rc: -1.0)",
        ..OK
    });
    check(&e, 5, "A", &["`neuron_type`", "tau_rc"]);
}

#[test]
fn bad_slices_and_endpoints() {
    let e = error(Case {
        pre: "stim[3]",
        ..OK
    });
    check(&e, 10, "c2", &["`pre`", "out of range"]);
    let e = error(Case {
        post: "B[0:5:0]",
        ..OK
    });
    check(&e, 10, "c2", &["`post`", "step cannot be 0"]);
    let e = error(Case { post: "stim", ..OK });
    check(&e, 10, "c2", &["`post`", "size_in = 0"]);
    let e = error(Case { post: "Bee", ..OK });
    check(&e, 10, "c2", &["\"Bee\"", "did you mean `B`"]);
}

#[test]
fn bad_functions_are_errors_not_panics() {
    let e = error(Case {
        c2: r#"function: "x**""#,
        ..OK
    });
    check(&e, 10, "c2", &["`function`", "cannot parse `x**`"]);
    let e = error(Case {
        c2: r#"function: "x0 * y""#,
        ..OK
    });
    check(&e, 10, "c2", &["`function`", "unknown variable `y`"]);
    let e = error(Case {
        c2: r#"function: "sqrt(x)""#,
        ..OK
    });
    check(&e, 10, "c2", &["`function`", "must be finite"]);
}

#[test]
fn a_singular_solve_is_an_error() {
    // Every neuron silent on every eval point and no regularisation: AᵀA = 0.
    let e = error(Case {
        a: ", intercepts: Uniform(low: 0.95, high: 0.96), eval_points: Uniform(low: -0.5, high: 0.5)",
        c2: "solver: LstsqL2(reg: 0.0)",
        ..OK
    });
    check(&e, 10, "c2", &["`solver`", "not positive definite"]);
}

#[test]
fn unfiltered_ensemble_loops_are_errors() {
    let e = error(Case {
        c2: "synapse: None",
        ..OK
    });
    check(&e, 10, "c2", &["synapse"]);
}

#[test]
fn bad_probes() {
    let e = error(Case {
        probe: r#"(target: "stim", compartment: "decoded")"#,
        ..OK
    });
    check(&e, 12, "stim", &["Ensemble only"]);
    let e = error(Case {
        probe: r#"(target: "A", compartment: "decoded", synapse: Lowpass(tau: -1.0))"#,
        ..OK
    });
    check(&e, 12, "A", &["tau"]);
}
