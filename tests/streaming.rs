//! Streaming probes keep a long run's memory bounded: 10⁶ steps of a 1000-unit population with
//! its voltage probed every 10 steps would hold 10⁵ × 1000 samples (400 MB in f32) in memory;
//! streamed, at most one chunk (1000 steps = 100 rows) is held, and the process's peak resident
//! set grows by less than 32 MB. The file is a valid `.npy` with every row.
//! (One test in its own file: the peak RSS is process-wide.)

use cortecs::prelude::*;

#[test]
fn a_million_steps_stream_in_bounded_memory() {
    let text = r#"Model(dt: 0.1, seed: 3,
        cells: [(name: "P", kind: "IAF", params: (n_units: 1000))],
        probes: [(target: "P", compartment: "v", sample_every: 10)],
        run: (steps: 1000000))"#;
    let mut model = Model::from_config_str(text, &Registry::with_builtins()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let files = model.stream_probes(dir.path(), 1000).unwrap();
    assert_eq!(files, vec![dir.path().join("P.v.npy")]);
    let before = cortecs::bench::peak_rss();
    model.run_steps(1_000_000).unwrap();
    let after = cortecs::bench::peak_rss();
    let grown = after.saturating_sub(before);
    println!("peak RSS {before} → {after} bytes (+{grown})");
    if before > 0 {
        assert!(grown < 32 << 20, "peak RSS grew by {grown} bytes");
    }
    // nothing left in memory; every row on disk, the last one the state after the last step
    assert_eq!(model.probe("P", "v").unwrap().nrows(), 0);
    model.write_probes(dir.path()).unwrap();
    let v: ndarray::Array2<Real> = ndarray_npy::read_npy(&files[0]).unwrap();
    assert_eq!(v.dim(), (100_000, 1000));
    let now = model.array("P", "v").unwrap();
    assert_eq!(
        v.row(99_999).to_vec(),
        now.iter().copied().collect::<Vec<_>>()
    );
}
