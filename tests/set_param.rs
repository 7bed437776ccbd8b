//! `Model::set_param` changes a parameter in the running model and in the config `save`
//! records (edits through `world_mut` change only the running model).

mod common;

use cortecs::components::neurons::spiking::LifParams;
use cortecs::prelude::*;

/// Poisson → Dense → LIF: the LIF's input comes through a synapse, so rebuilding it must keep
/// its afferents.
const CONFIG: &str = r#"Model(dt: 1.0, seed: 5,
    cells: [(name: "z0", kind: "Poisson", params: (n_units: 30, target_freq: 300.0)),
            (name: "z1", kind: "LIF", params: (n_units: 6, tau_m: 10.0))],
    synapses: [(name: "W", kind: "Dense", pre: "z0", post: "z1",
                params: (weight_init: Uniform(amin: 0.0, amax: 3.0)))],
    probes: [(target: "z1", compartment: "v"), (target: "z1", compartment: "s")],
)"#;

fn model() -> Model {
    Model::from_config_str(CONFIG, &Registry::with_builtins()).unwrap()
}

#[test]
fn set_param_runs_like_a_direct_edit_and_is_saved() {
    // The reference: tau_m edited directly in the running model.
    let mut direct = model();
    direct.run_steps(50).unwrap();
    let mut q = direct.world_mut().query::<&mut LifParams>();
    let w = direct.world_mut();
    for mut p in q.iter_mut(w) {
        p.tau_m = 25.0;
    }
    direct.run_steps(150).unwrap();

    let mut set = model();
    set.run_steps(50).unwrap();
    set.set_param("z1", "tau_m", 25.0).unwrap();
    let dir = tempfile::tempdir().unwrap();
    set.save(dir.path()).unwrap();
    set.run_steps(150).unwrap();
    for c in ["v", "s"] {
        assert_eq!(
            common::bits(&set.probe("z1", c).unwrap()),
            common::bits(&direct.probe("z1", c).unwrap()),
            "z1.{c}: set_param does not run as the direct edit"
        );
    }
    let unchanged = {
        let mut m = model();
        m.run_steps(200).unwrap();
        m.probe("z1", "v").unwrap()
    };
    assert_ne!(
        common::bits(&unchanged),
        common::bits(&set.probe("z1", "v").unwrap()),
        "tau_m had no effect"
    );
    assert!(set.probe("z1", "s").unwrap().sum() > 0.0, "z1 must fire");

    // The save records it: the loaded model has the new value and runs identically.
    let mut loaded = Model::load(dir.path()).unwrap();
    let text = std::fs::read_to_string(dir.path().join("model.ron")).unwrap();
    assert!(text.contains("tau_m: 25.0"), "{text}");
    let mut q = loaded.world_mut().query::<&LifParams>();
    let taus: Vec<f64> = q.iter(loaded.world()).map(|p| p.tau_m).collect();
    assert_eq!(taus, [25.0]);
    loaded.run_steps(150).unwrap();
    for c in ["v", "s"] {
        let tail = set
            .probe("z1", c)
            .unwrap()
            .slice(ndarray::s![50.., ..])
            .to_owned();
        assert_eq!(
            common::bits(&loaded.probe("z1", c).unwrap()),
            common::bits(&tail),
            "z1.{c} after load"
        );
    }
}

#[test]
fn set_param_errors_name_entity_and_parameter_and_change_nothing() {
    let mut m = model();
    m.run_steps(10).unwrap();
    let before = m.config().to_ron();
    let v = m.array("z1", "v").unwrap();
    for (entity, param, value, needle) in [
        ("z1", "tau_x", 1.0, "has no such parameter"),
        ("z1", "tau_m", -1.0, "tau_m"),
        ("z1", "n_units", 7.0, "n_units"),
    ] {
        let err = m.set_param(entity, param, value).expect_err(param);
        let text = err.to_string();
        assert!(matches!(err, Error::Param { .. }), "{err:?}");
        for n in [&format!("`{entity}`"), &format!("`{param}`"), needle] {
            assert!(text.contains(n), "{text} lacks {n}");
        }
        assert_eq!(m.config().to_ron(), before);
        assert_eq!(m.array("z1", "v").unwrap(), v);
    }
    assert!(matches!(
        m.set_param("nope", "tau_m", 1.0),
        Err(Error::UnknownEntity { .. })
    ));
}
