//! A save cannot be half-written: `cortecs run --resume DIR --save DIR` killed with SIGKILL at
//! many points of its save, or stopped by a full disk, leaves DIR loadable and holding one
//! step — every array equal to an uninterrupted run's at that step — and the next save leaves
//! no temporaries behind.
#![cfg(unix)]

use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::Instant;

use cortecs::persist::folder::state_dir;
use cortecs::prelude::*;

/// Four populations and three dense 700 × 700 projections (2 MB of weights each in f32), so
/// that a save takes long enough to be cut at many points. Cells and weights alternate in the
/// save, so a mixture of two steps shows in the cells' arrays.
const CONFIG: &str = r#"Model(
    dt: 1.0,
    seed: 7,
    cells: [
        (name: "z0", kind: "Poisson", params: (n_units: 700, target_freq: 50.0)),
        (name: "z1", kind: "LIF", params: (n_units: 700, tau_m: 10.0)),
        (name: "z2", kind: "LIF", params: (n_units: 700, tau_m: 10.0)),
        (name: "z3", kind: "LIF", params: (n_units: 700, tau_m: 10.0)),
    ],
    synapses: [
        (name: "W1", kind: "Dense", pre: "z0", post: "z1",
         params: (weight_init: Uniform(amin: 0.0, amax: 0.4))),
        (name: "W2", kind: "Dense", pre: "z1", post: "z2",
         params: (weight_init: Uniform(amin: 0.0, amax: 0.4))),
        (name: "W3", kind: "Dense", pre: "z2", post: "z3",
         params: (weight_init: Uniform(amin: 0.0, amax: 0.4))),
    ],
    run: (steps: 20),
)"#;

/// Steps of the first save.
const FIRST: u64 = 20;

fn cortecs() -> Command {
    Command::new(env!("CARGO_BIN_EXE_cortecs"))
}

/// `cortecs run --resume save --steps 1 --save save`, its stdout piped.
fn resume_and_save(save: &Path, out: &Path) -> Command {
    let mut c = cortecs();
    c.args(["run", "--threads", "1", "--steps", "1", "--resume"])
        .arg(save)
        .arg("--save")
        .arg(save)
        .arg("--out")
        .arg(out)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    c
}

/// Waits until `child` printed the line that precedes its save ("ran … steps"); returns the
/// time it was read, and its stdout (kept open, so that the child can go on printing).
fn wait_for_save_start(child: &mut Child) -> (Instant, BufReader<ChildStdout>) {
    let stdout = child.stdout.take().expect("piped stdout");
    let mut reader = BufReader::new(stdout);
    let mut line = String::new();
    reader.read_line(&mut line).expect("read stdout");
    assert!(line.starts_with("ran "), "unexpected output: {line:?}");
    (Instant::now(), reader)
}

/// A model that follows the saved run step by step, to compare every saved array with.
struct Reference {
    model: Model,
}

impl Reference {
    fn new() -> Self {
        let mut model = Model::from_config_str(CONFIG, &Registry::with_builtins()).unwrap();
        model.set_threads(1).unwrap();
        Self { model }
    }

    /// Checks that `save` loads and holds one step, every array bit-equal to the reference's
    /// at that step; returns the step.
    fn check(&mut self, save: &Path, context: &str) -> u64 {
        let loaded =
            Model::load(save).unwrap_or_else(|e| panic!("{context}: the save does not load: {e}"));
        let step = loaded.clock().step;
        let now = self.model.clock().step;
        assert!(
            step >= now,
            "{context}: the save went back from step {now} to {step}"
        );
        self.model.run_steps(step - now).unwrap();
        for e in self.model.entities() {
            for name in self.model.array_names(&e.name).unwrap() {
                let a = self.model.array(&e.name, name).unwrap();
                let b = loaded.array(&e.name, name).unwrap();
                assert!(
                    a.iter().zip(&b).all(|(x, y)| x.to_bits() == y.to_bits()),
                    "{context}: {}.{name} is not that of step {step}: the save mixes steps",
                    e.name
                );
            }
        }
        step
    }
}

/// The names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// After a complete save: `model.ron` and the one state folder it names, which holds one
/// `.npz` per entity and nothing else.
fn assert_clean(save: &Path, context: &str) {
    let state = state_dir(save).unwrap();
    let folder = state.file_name().unwrap().to_string_lossy().into_owned();
    assert_eq!(names(save), ["model.ron", folder.as_str()], "{context}");
    assert_eq!(
        names(&state),
        [
            "W1.npz", "W2.npz", "W3.npz", "z0.npz", "z1.npz", "z2.npz", "z3.npz"
        ],
        "{context}"
    );
}

/// Writes the config and makes the first save (step `FIRST`).
fn first_save(dir: &Path) -> std::path::PathBuf {
    let cfg = dir.join("big.ron");
    std::fs::write(&cfg, CONFIG).unwrap();
    let save = dir.join("save");
    let out = cortecs()
        .args(["run", "--threads", "1"])
        .arg(&cfg)
        .arg("--save")
        .arg(&save)
        .arg("--out")
        .arg(dir.join("out"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    save
}

#[test]
fn a_save_killed_at_any_point_leaves_one_complete_step() {
    let dir = tempfile::tempdir().unwrap();
    let save = first_save(dir.path());
    let out = dir.path().join("out");
    let mut reference = Reference::new();
    assert_eq!(reference.check(&save, "first save"), FIRST);
    assert_clean(&save, "first save");

    // How long a save takes, uninterrupted.
    let mut child = resume_and_save(&save, &out).spawn().unwrap();
    let (start, _stdout) = wait_for_save_start(&mut child);
    let status = child.wait().unwrap();
    let took = start.elapsed();
    assert!(status.success(), "an uninterrupted resume and save failed");
    assert_eq!(reference.check(&save, "uninterrupted save"), FIRST + 1);
    assert_clean(&save, "uninterrupted save");

    // Kill points spread from the start of the save to past its end.
    let kills = 16u32;
    let (mut old, mut new) = (0, 0);
    for i in 0..kills {
        let delay = took.mul_f64(1.2 * f64::from(i) / f64::from(kills - 1));
        let before = reference.model.clock().step;
        let mut child = resume_and_save(&save, &out).spawn().unwrap();
        let (start, stdout) = wait_for_save_start(&mut child);
        std::thread::sleep(delay.saturating_sub(start.elapsed()));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        drop(stdout);
        let context = format!("killed {:.0} ms into the save", delay.as_secs_f64() * 1e3);
        let step = reference.check(&save, &context);
        assert!(
            step == before || step == before + 1,
            "{context}: step {step} after step {before}"
        );
        if step == before { old += 1 } else { new += 1 }
    }
    eprintln!(
        "a save of {took:?}, killed {kills} times: {old} old saves kept, {new} new ones complete"
    );
    assert!(
        old > 0,
        "no kill interrupted a save: the test checks nothing"
    );

    // The next complete save removes what the killed ones left.
    let run = resume_and_save(&save, &out).output().unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    reference.check(&save, "the save after the kills");
    assert_clean(&save, "the save after the kills");
}

/// Runs a resume and save limited to files of `limit` bytes (RLIMIT_FSIZE); with `ignore`,
/// SIGXFSZ is ignored so writes fail with EFBIG (a full disk), otherwise the signal kills the
/// process at the write that crosses the limit.
fn with_file_size_limit(save: &Path, out: &Path, limit: u64, ignore: bool) -> std::process::Output {
    let mut c = resume_and_save(save, out);
    // SAFETY: only async-signal-safe calls (setrlimit, signal) between fork and exec.
    unsafe {
        c.pre_exec(move || {
            let lim = libc::rlimit {
                rlim_cur: limit as libc::rlim_t,
                rlim_max: limit as libc::rlim_t,
            };
            if libc::setrlimit(libc::RLIMIT_FSIZE, &lim) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            if ignore {
                libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            }
            Ok(())
        });
    }
    c.output().unwrap()
}

#[test]
fn a_full_disk_leaves_the_previous_save_intact() {
    let dir = tempfile::tempdir().unwrap();
    let save = first_save(dir.path());
    let out = dir.path().join("out");
    let mut reference = Reference::new();
    assert_eq!(reference.check(&save, "first save"), FIRST);

    // Writes fail with EFBIG once a file passes 1 MB (the weights are 2 MB): the save fails
    // cleanly, names the file, and removes what it wrote.
    let run = with_file_size_limit(&save, &out, 1 << 20, true);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        !run.status.success(),
        "a save of 2 MB files under a 1 MB limit succeeded"
    );
    assert!(
        run.status.code().is_some(),
        "killed by a signal: {:?}",
        run.status
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        stderr.contains("W1.npz"),
        "the error does not name the file:\n{stderr}"
    );
    assert_eq!(reference.check(&save, "disk full (EFBIG)"), FIRST);
    assert_clean(&save, "a failed save removes what it wrote");

    // SIGXFSZ kills the process mid-write: what it leaves is cleaned by the next save.
    let run = with_file_size_limit(&save, &out, 1 << 20, false);
    assert!(run.status.code().is_none(), "not killed: {:?}", run.status);
    assert_eq!(reference.check(&save, "disk full (SIGXFSZ)"), FIRST);
    let left = names(&save);
    assert!(
        left.len() > 2,
        "a killed save left nothing to clean: {left:?}"
    );

    let run = resume_and_save(&save, &out).output().unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert_eq!(reference.check(&save, "after the disk has room"), FIRST + 1);
    assert_clean(&save, "the save after a full disk");
}
