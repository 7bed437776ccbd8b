//! A Nengo-style NEF model built in Rust: a 1 Hz sine → ensemble A → ensemble B computing x²,
//! with decoded probes, a Rust closure on a connection, and the build's decoders read back.
//!
//! `cargo run --release --example nef_channel`

use cortecs::components::nef::connection::ConnectionParams;
use cortecs::components::nef::ensemble::EnsembleParams;
use cortecs::components::nef::function::{Function, FunctionSpec};
use cortecs::components::nef::node::NodeParams;
use cortecs::components::nef::process::Process;
use cortecs::components::synapses::filter::Synapse;
use cortecs::probe::ProbeSpec;
use cortecs::registry::builtin::{Connection, Ensemble, Node};
use cortecs::{Error, ModelBuilder};

fn main() -> Result<(), Error> {
    let decoded = |target: &str| ProbeSpec {
        synapse: Some(Synapse::Lowpass { tau: 10.0 }), // ms
        ..ProbeSpec::new(target, "decoded")
    };
    let mut model = ModelBuilder::new(1.0) // dt = 1 ms
        .seed(1)
        .cell::<Node>(
            "stim",
            &NodeParams::new(Process::Sine {
                frequency: 1.0, // Hz
                amplitude: 1.0,
                phase: 0.0,
                offset: 0.0,
            }),
        )
        .cell::<Ensemble>("A", &EnsembleParams::new(100, 1))
        .cell::<Ensemble>("B", &EnsembleParams::new(100, 1))
        .cell::<Ensemble>("C", &EnsembleParams::new(100, 1))
        .synapse::<Connection>("in", "stim", "A", &ConnectionParams::default())
        .synapse::<Connection>(
            "square",
            "A",
            "B",
            &ConnectionParams {
                function: Some(FunctionSpec::One("x**2".into())),
                ..ConnectionParams::default()
            },
        )
        // Filled in below with a Rust closure.
        .synapse::<Connection>("cube", "A", "C", &ConnectionParams::default())
        .probe("stim", "output")
        .probe_spec(decoded("A"))
        .probe_spec(decoded("B"))
        .probe_spec(decoded("C"))
        .build()?;
    model.set_connection_function("cube", Function::from_fn(1, 1, |x, y| y[0] = x[0].powi(3)))?;
    model.run_steps(1000)?;

    let decoders = model.array("square", "decoders")?;
    println!("decoders of A → B (x²): shape {:?}", decoders.shape());
    let (u, a, b, c) = (
        model.probe("stim", "output")?,
        model.probe("A", "decoded")?,
        model.probe("B", "decoded")?,
        model.probe("C", "decoded")?,
    );
    println!("  t (ms)   stim      A       B (x²)  C (x³)");
    for k in (99..1000).step_by(100) {
        println!(
            "  {:6}  {:+.3}  {:+.3}  {:+.3}  {:+.3}",
            k + 1,
            u[[k, 0]],
            a[[k, 0]],
            b[[k, 0]],
            c[[k, 0]]
        );
    }
    Ok(())
}
