mod common;
use common::*;
use cortecs::prelude::*;
#[test]
fn dump() {
    let case = std::env::var("CASE").unwrap();
    let kind = std::env::var("KIND").unwrap();
    let extra = std::env::var("EXTRA").unwrap_or_default();
    let dir = ngclearn_case(&case);
    let params = read_json(&dir.join("params.json"));
    let dt = params["dt"].as_f64().unwrap();
    let config = format!(
        "Model(dt: {dt:?}, cells: [(name: \"z0\", kind: \"{kind}\", params: (n_units: 10 {extra}))], \
         inputs: [(name: \"I\", kind: \"Replay\", target: \"z0\", params: (file: {:?}))], probes: [(target: \"z0\", compartment: \"v\"),(target: \"z0\", compartment: \"w\")])",
        dir.join("input_current.csv").to_str().unwrap(),
    );
    let mut model = Model::from_config_str(&config, &Registry::with_builtins()).unwrap();
    model.run_steps(1000).unwrap();
    let v = model.probe("z0", "v").unwrap();
    let w = model.probe("z0", "w").unwrap();
    let mut out = String::new();
    for k in 0..1000 {
        for u in 0..10 {
            out += &format!("{:?},{:?}\n", v[[k, u]] as f64, w[[k, u]] as f64);
        }
    }
    std::fs::write("/tmp/dump.csv", out).unwrap();
}
