//! The CUBA benchmark network (`configs/cuba.ron`, N = 4000, 1 s at dt 0.1 ms; or N given): runs it and
//! prints the statistics Brian2's reference reports (`benches/brian2/BENCH.md`: mean
//! rate 5.65 ± 0.24 Hz, mean ISI CV 0.524 ± 0.009, 16 % silent neurons) and the loop time.
//!
//! `cargo run --release --example cuba [N]`

fn main() -> Result<(), cortecs::Error> {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(4000);
    // the model of configs/cuba.ron (at N = 4000; checked by tests/cuba.rs), without its probes
    let run = cortecs::bench::cuba::run_cuba(n, 1, 10_000, 1)?;
    let (cv, n_cv) = run.cv_isi();
    println!(
        "CUBA N = {n}: {} synapses (build {:.3} s); 1 s in {:.3} s (1 thread, spikes recorded)",
        run.synapses, run.build_s, run.loop_s
    );
    println!(
        "{} spikes, mean rate {:.3} Hz, mean ISI CV {cv:.3} ({n_cv} neurons with ≥ 2 ISIs), \
         {:.1} % silent, {} synaptic events ({:.3e}/s)",
        run.spikes(),
        run.rate_hz(),
        run.frac_silent() * 100.0,
        run.syn_events,
        run.syn_events as f64 / run.loop_s
    );
    Ok(())
}
