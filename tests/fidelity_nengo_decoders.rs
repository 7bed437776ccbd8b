//! Decoder fidelity against Nengo 4.1.0 (`nengo/decoders/` of the references, read at test
//! time).
//!
//! For each recorded case (`ens1d_n50`, `ens2d_n100`) and each recorded target function
//! (`identity`, `square`, `product`: every `decoders_<f>.csv` in the folder), the recorded
//! activity matrix `A` (`activities.csv`, eval points × neurons, Hz) and targets `Y`
//! (`targets_<f>.csv`) are fed to `Solver::LstsqL2` with the recorded regularization
//! (`params.json` → `solver`, `LstsqL2(reg=…)`), and the result is compared with
//! Nengo's decoders (`decoders_<f>.csv`, neurons × d) and RMSEs
//! (`params.json` → `results.<case>.<f>.solver_info_rmses`).
//!
//! Error measures (both must be ≤ 1e-9):
//!
//! - decoders: `max_ij |D_ij − R_ij| / max(|D_ij|, |R_ij|, s)` with the floor
//!   `s = max_ij |R_ij|`, the scale of the reference decoder matrix `R`. The floor keeps decoders
//!   that happen to be near zero from turning rounding noise into a large relative error; in
//!   effect the measure is the absolute error relative to the largest decoder.
//! - RMSEs: `max_j |r_j − q_j| / max(|r_j|, |q_j|)` (plain relative error; RMSEs are far from 0).
//!
//! Decoders are solved in `f64` in both builds (`Real` = f32 or f64), so this test reads the same
//! in both. Run with `-- --nocapture` to see the worst errors.

mod common;

use std::path::Path;

use common::{NengoCall, read_matrix};
use cortecs_components::nef::Solver;
use ndarray::Array2;

const TOL: f64 = 1e-9;

/// The worst decoder error as defined in the module docs, with its (neuron, dim).
fn worst_floored(ours: &Array2<f64>, reference: &Array2<f64>) -> (f64, (usize, usize)) {
    assert_eq!(ours.dim(), reference.dim(), "decoder shape");
    let floor = reference.iter().fold(0.0f64, |s, v| s.max(v.abs()));
    let mut worst = (0.0, (0, 0));
    for ((idx, a), b) in ours.indexed_iter().zip(reference) {
        let e = (a - b).abs() / a.abs().max(b.abs()).max(floor);
        if e > worst.0 || e.is_nan() {
            worst = (e, idx);
        }
    }
    worst
}

/// The target names `<f>` of every `decoders_<f>.csv` in `dir`, sorted.
fn recorded_targets(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter_map(|f| {
            f.strip_prefix("decoders_")
                .and_then(|s| s.strip_suffix(".csv"))
                .map(str::to_string)
        })
        .collect();
    names.sort();
    names
}

#[test]
fn lstsq_l2_matches_nengo_decoders_and_rmses() {
    let root = common::refs_dir("nengo").join("decoders");
    let params = common::read_json(&root.join("params.json"));
    let results = params["results"]
        .as_object()
        .expect("params.json: `results` object");
    // the recorded solver, e.g. "nengo.solvers.LstsqL2(reg=0.1) (default sub-solver …)"
    let recorded = params["solver"].as_str().expect("params.json: `solver`");
    let call = NengoCall::find(recorded, "LstsqL2");
    let reg = call
        .number("reg", Some(0))
        .unwrap_or_else(|| panic!("params.json: `solver` {recorded:?} gives no reg"));
    let solver = Solver::LstsqL2 { reg };
    let mut checked = 0;
    for (case, result) in results {
        let dir = root.join(case);
        let a = read_matrix(&dir.join("activities.csv"));
        assert_eq!(
            a.dim(),
            (
                result["m_eval_points"].as_u64().unwrap() as usize,
                result["n_neurons"].as_u64().unwrap() as usize
            ),
            "{case}: activity matrix shape"
        );
        // σ = reg·max(A), the global maximum: the same floats as Nengo's.
        let a_max = a.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        assert_eq!(a_max, result["A_max"].as_f64().unwrap(), "{case}: A.max()");
        assert_eq!(
            reg * a_max,
            result["sigma"].as_f64().unwrap(),
            "{case}: sigma"
        );

        let targets = recorded_targets(&dir);
        let functions = params[case.as_str()]["functions"]
            .as_object()
            .unwrap_or_else(|| panic!("params.json: `{case}.functions`"));
        let mut listed: Vec<&String> = functions.keys().collect();
        listed.sort();
        assert_eq!(
            targets.iter().collect::<Vec<_>>(),
            listed,
            "{case}: decoders_<f>.csv files vs the functions in params.json"
        );
        assert!(!targets.is_empty(), "{case}: no recorded decoders");

        for f in &targets {
            let y = read_matrix(&dir.join(format!("targets_{f}.csv")));
            let reference = read_matrix(&dir.join(format!("decoders_{f}.csv")));
            let ref_rmses: Vec<f64> = result[f.as_str()]["solver_info_rmses"]
                .as_array()
                .unwrap_or_else(|| panic!("params.json: `results.{case}.{f}.solver_info_rmses`"))
                .iter()
                .map(|v| v.as_f64().unwrap())
                .collect();

            let out = solver
                .solve(a.view(), y.view())
                .unwrap_or_else(|e| panic!("{case}/{f}: {e}"));

            let (dec_err, (neuron, dim)) = worst_floored(&out.decoders, &reference);
            assert_eq!(out.rmses.len(), ref_rmses.len(), "{case}/{f}: RMSE count");
            let (rmse_err, rmse_dim) = out
                .rmses
                .iter()
                .zip(&ref_rmses)
                .map(|(a, b)| {
                    if a == b {
                        0.0
                    } else {
                        (a - b).abs() / a.abs().max(b.abs())
                    }
                })
                .enumerate()
                .fold(
                    (0.0f64, 0),
                    |w, (j, e)| {
                        if e > w.0 || e.is_nan() { (e, j) } else { w }
                    },
                );
            println!(
                "{case}/{f}: decoders {}×{}, worst decoder error {dec_err:.3e} \
                 (neuron {neuron}, dim {dim}: ours {:.17e}, Nengo {:.17e}); \
                 worst RMSE error {rmse_err:.3e} (dim {rmse_dim}: ours {:.17e}, Nengo {:.17e})",
                reference.nrows(),
                reference.ncols(),
                out.decoders[[neuron, dim]],
                reference[[neuron, dim]],
                out.rmses[rmse_dim],
                ref_rmses[rmse_dim],
            );
            assert!(
                dec_err <= TOL,
                "{case}/{f}: decoder error {dec_err:e} > {TOL:e}"
            );
            assert!(
                rmse_err <= TOL,
                "{case}/{f}: RMSE error {rmse_err:e} > {TOL:e}"
            );
            checked += 1;
        }
    }
    assert!(checked >= 4, "only {checked} (case, target) pairs checked");
}

/// The RON form of the solvers, with Nengo's defaults for omitted parameters.
#[test]
fn solver_configs_read_from_ron_with_nengo_defaults() {
    let parse = |s: &str| ron::from_str::<Solver>(s).unwrap_or_else(|e| panic!("{s}: {e}"));
    assert_eq!(parse("LstsqL2(reg: 0.05)"), Solver::LstsqL2 { reg: 0.05 });
    assert_eq!(parse("LstsqL2()"), Solver::LstsqL2 { reg: 0.1 });
    assert_eq!(parse("LstsqL2()"), Solver::default());
    assert_eq!(parse("LstsqL2nz()"), Solver::LstsqL2nz { reg: 0.1 });
    assert_eq!(parse("Lstsq()"), Solver::Lstsq { rcond: 0.01 });
    assert_eq!(parse("NoSolver()"), Solver::NoSolver { values: None });
    assert_eq!(
        parse("NoSolver(values: Some([[0.5], [-0.25]]))"),
        Solver::NoSolver {
            values: Some(vec![vec![0.5], vec![-0.25]])
        }
    );
    assert!(ron::from_str::<Solver>("LstsqL2(noise: 0.1)").is_err());
    let s = Solver::LstsqL2nz { reg: 0.2 };
    assert_eq!(parse(&ron::to_string(&s).unwrap()), s);
}
