//! The `cortecs` command line: run, check and inspect models.

// `Real` is `f32` or `f64`: a conversion between `Real` and `f64` is needed in the default
// build and is the identity in the `f64` one. A cast that is useless in both builds is still
// caught by the default build's clippy.
#![cfg_attr(
    feature = "f64",
    allow(clippy::unnecessary_cast, clippy::useless_conversion)
)]

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use cortecs::{Error, Model};

/// Spiking neural networks on an entity-component-system.
#[derive(Parser)]
#[command(name = "cortecs", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a model and write its probes as .npy files.
    Run {
        /// The RON config.
        config: Option<PathBuf>,
        /// Directory for probes (`<entity>.<compartment>.npy`) and the resolved `model.ron`.
        #[arg(long, default_value = "runs/out")]
        out: PathBuf,
        /// Steps to run (default: the config's `run.steps`).
        #[arg(long)]
        steps: Option<u64>,
        /// Save the final state here (atomically) to resume later.
        #[arg(long)]
        save: Option<PathBuf>,
        /// Resume from a saved state instead of building from a config.
        #[arg(long)]
        resume: Option<PathBuf>,
        /// Threads for data-parallel kernels, ≥ 1 (default: all cores).
        #[arg(long, value_parser = at_least_one)]
        threads: Option<usize>,
        /// Memory the model may use, entities and probe buffers together (`4G`, `512M`, bytes;
        /// default: 80 % of physical memory); a model that needs more is refused before it is
        /// allocated.
        #[arg(long, value_parser = memory_size)]
        max_memory: Option<u64>,
        /// Where the model runs: cortecs' own step, or the emulated Loihi chip (NEF models:
        /// built, mapped and discretized as NengoLoihi does, bit-exact with its emulator).
        #[arg(long, value_enum, default_value_t = RunTarget::Float)]
        target: RunTarget,
        /// Loihi chips available (128 cores each), with `--target loihi`.
        #[arg(long, default_value_t = 1)]
        chips: usize,
        /// Write the probes into `--out` while the run goes (every 1000 steps), so memory stays
        /// bounded; each file is a valid .npy even if the run is interrupted.
        #[arg(long)]
        stream: bool,
        /// Also draw every probe as an SVG and a PNG next to its .npy (rasters for spikes,
        /// traces otherwise).
        #[arg(long)]
        plot: bool,
        /// Step size (ms) instead of the config's `dt`.
        #[arg(long)]
        dt: Option<f64>,
        /// Seed instead of the config's `seed`.
        #[arg(long)]
        seed: Option<u64>,
    },
    /// Validate a config and print the resolved model with every default filled in. Checks
    /// what `run` checks before it runs, memory included (for the config's `run.steps`, or
    /// `--steps`).
    Check {
        /// The RON config.
        config: PathBuf,
        /// Steps the run would take (default: the config's `run.steps`).
        #[arg(long)]
        steps: Option<u64>,
        /// The run would stream its probes (`run --stream`): only 1000 steps of samples are
        /// held in memory.
        #[arg(long)]
        stream: bool,
        /// Memory the model may use (as `run --max-memory`).
        #[arg(long, value_parser = memory_size)]
        max_memory: Option<u64>,
    },
    /// Map a NEF model onto Loihi with NengoLoihi's rules: blocks per core, axons, synapse
    /// memory, every broken limit, and (with --steps) estimated chip time and energy per step.
    LoihiReport {
        /// The RON config (NEF ensembles, nodes, connections).
        config: PathBuf,
        /// Run the float model this many steps to measure spike rates for the estimate
        /// (default: the config's `run.steps`; 0 skips the estimate).
        #[arg(long)]
        steps: Option<u64>,
        /// Chips available (128 cores each).
        #[arg(long, default_value_t = 1)]
        chips: usize,
    },
    /// Benchmark population sizes: steps/s, neuron updates/s, ns per neuron-step, synaptic
    /// events/s and memory for a cell kind (`IAF`, `LIF`, `Izhikevich` …) at each size and
    /// thread count, as a table, `bench.csv` and a log-log chart `bench.svg` / `bench.png`; or
    /// `cuba` (the CUBA benchmark network at `--n` sizes).
    Bench {
        /// A cell kind, or `cuba`.
        #[arg(default_value = "IAF")]
        what: String,
        /// Population sizes.
        #[arg(long, value_delimiter = ',', default_values_t = [100, 1_000, 10_000, 100_000, 1_000_000])]
        sizes: Vec<usize>,
        /// CUBA network sizes (with `cuba`).
        #[arg(long = "n", value_delimiter = ',', default_values_t = [4_000, 40_000])]
        n: Vec<usize>,
        /// Recurrent synapses: `none`, `sparse` (fan-out `--fan-out`) or `dense`.
        #[arg(long, default_value = "none")]
        synapses: String,
        /// Mean targets per neuron of sparse synapses.
        #[arg(long, default_value_t = 80)]
        fan_out: usize,
        /// Thread counts (each ≥ 1).
        #[arg(long, value_delimiter = ',', default_values_t = [1, 2], value_parser = at_least_one)]
        threads: Vec<usize>,
        /// Steps timed per size (cell kinds; CUBA runs 1 s = 10 000 steps).
        #[arg(long, default_value_t = 1000)]
        steps: u64,
        /// Extra RON fields of the kind's parameters, e.g. `"tau_m: 10.0"`.
        #[arg(long)]
        params: Option<String>,
        /// Directory for the CSV and the chart (SVG and PNG).
        #[arg(long, default_value = "runs/bench")]
        out: PathBuf,
    },
    /// List every registered kind: its role, compartments, and each parameter's name, type,
    /// default, unit and meaning (`--markdown`: the docs/configs.md reference).
    Kinds {
        /// Only this kind.
        name: Option<String>,
        /// Print Markdown.
        #[arg(long)]
        markdown: bool,
    },
    /// Print every NEF ensemble's neurons (encoder, intercept, max rate, gain, bias) and every
    /// decoded connection's decoders; with `--out`, also write them to `tuning.npz` and draw
    /// each ensemble's tuning curves and each connection's decoded function.
    Tuning {
        /// The RON config.
        config: PathBuf,
        /// Directory for `tuning.npz` and the charts.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Points per curve, evenly spaced over [−radius, radius].
        #[arg(long, default_value_t = 201)]
        points: usize,
    },
    /// Per-neuron spike counts, firing rates and inter-spike intervals (mean, 1/mean, CV) of
    /// every spike probe in a run directory, as a table, `<probe>.rates.csv` and a chart of
    /// rate against neuron (`<probe>.rates.svg`, `.png`) beside the probe.
    Rates {
        /// A directory written by `run --out DIR`.
        dir: PathBuf,
    },
    /// Draw the probes saved in a run directory (`run --out DIR`) as SVGs and PNGs next to
    /// them.
    Plot {
        /// A directory of `<target>.<compartment>.npy` probes (and its `model.ron`).
        dir: PathBuf,
    },
    /// Show what a saved model directory holds.
    Inspect {
        /// A directory written by `run --save` or `Model::save`.
        dir: PathBuf,
    },
}

/// A thread count: a whole number ≥ 1.
fn at_least_one(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(format!("expected a number of threads ≥ 1, found `{text}`")),
    }
}

/// A memory size (`4G`, `512M`, bytes).
fn memory_size(text: &str) -> Result<u64, String> {
    cortecs::model::parse_bytes(text)
}

/// Steps of samples a streamed run holds in memory (`run --stream` writes every 1000 steps).
const STREAM_EVERY: u64 = 1000;

/// Where `run` runs a model.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum RunTarget {
    /// cortecs' floating-point step.
    Float,
    /// The emulated Loihi chip.
    Loihi,
}

fn main() -> ExitCode {
    quiet_broken_pipe();
    let cli = Cli::parse();
    match dispatch(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprint!("{}", render(&e));
            ExitCode::FAILURE
        }
    }
}

/// Ends the process quietly, as other command-line tools do, when its output is a pipe whose
/// reader has gone (`cortecs kinds | head`): restores the default SIGPIPE action, which Rust's
/// runtime sets to "ignore" so that `println!` would panic on the write error instead.
fn quiet_broken_pipe() {
    #[cfg(unix)]
    // SAFETY: called first thing in `main`, before any other thread exists; SIG_DFL is a valid
    // action for SIGPIPE.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

fn render(e: &Error) -> String {
    match e {
        Error::Config(c) => c.render(),
        e => format!("error: {e}\n"),
    }
}

fn dispatch(cmd: Command) -> Result<(), Error> {
    match cmd {
        Command::Run {
            config,
            out,
            steps,
            save,
            resume,
            threads,
            max_memory,
            target,
            chips,
            stream,
            plot,
            dt,
            seed,
        } => {
            if let (Some(dir), Some(cfg)) = (&resume, &config) {
                return Err(Error::Build(format!(
                    "give a config or --resume DIR, not both: a resumed run continues the model \
                     saved in {} (its own model.ron), and {} would be ignored",
                    dir.display(),
                    cfg.display()
                )));
            }
            if resume.is_some() && (dt.is_some() || seed.is_some()) {
                return Err(Error::Build(
                    "--dt and --seed change a config; a resumed run keeps its saved dt and seed"
                        .into(),
                ));
            }
            check_output_dir("--out", &out)?;
            if let Some(dir) = &save {
                check_output_dir("--save", dir)?;
            }
            let overrides = Overrides {
                dt,
                seed,
                max_memory,
            };
            if target == RunTarget::Loihi {
                if resume.is_some() || save.is_some() {
                    return Err(Error::Build(
                        "--save and --resume work with --target float only".into(),
                    ));
                }
                let Some(cfg) = config else {
                    return Err(Error::Build("give a config file".into()));
                };
                run_loihi(&cfg, overrides, &out, steps, chips)?;
                return if plot { plot_dir(&out) } else { Ok(()) };
            }
            let mut model = match (&resume, &config) {
                (Some(dir), _) => {
                    check_save_dir(dir)?;
                    let mut model = Model::load(dir)?;
                    if let Some(bytes) = max_memory {
                        model.set_max_memory(bytes);
                    }
                    model
                }
                (None, Some(cfg)) => overrides.build(cfg, cortecs::Target::Float)?,
                (None, None) => {
                    return Err(Error::Build("give a config file or --resume DIR".into()));
                }
            };
            if let Some(t) = threads {
                model.set_threads(t)?;
            }
            let steps = steps.unwrap_or(model.config().run.steps);
            model.check_probe_memory(steps, stream.then_some(STREAM_EVERY))?;
            if stream {
                model.stream_probes(&out, STREAM_EVERY)?;
            }
            run_with_progress(&mut model, steps)?;
            let files = model.write_probes(&out)?;
            println!(
                "ran {steps} steps (t = {} ms); wrote {} files to {}",
                model.clock().t(),
                files.len(),
                out.display()
            );
            if plot {
                plot_dir(&out)?;
            }
            if let Some(dir) = save {
                model.save(&dir)?;
                println!(
                    "saved state at step {} to {}",
                    model.clock().step,
                    dir.display()
                );
            }
            Ok(())
        }
        Command::Check {
            config,
            steps,
            stream,
            max_memory,
        } => {
            let overrides = Overrides {
                dt: None,
                seed: None,
                max_memory,
            };
            let model = overrides.build(&config, cortecs::Target::Float)?;
            let steps = steps.unwrap_or(model.config().run.steps);
            model.check_probe_memory(steps, stream.then_some(STREAM_EVERY))?;
            println!(
                "// {}: OK — {} entities, {} probes",
                config.display(),
                model.entities().len(),
                model.probes().count()
            );
            println!("{}", model.config().to_ron());
            Ok(())
        }
        Command::Inspect { dir } => inspect(&dir),
        Command::Plot { dir } => plot_dir(&dir),
        Command::Rates { dir } => rates(&dir),
        Command::Tuning {
            config,
            out,
            points,
        } => tuning(&config, out.as_deref(), points),
        Command::Kinds { name, markdown } => {
            use cortecs::registry::docs::{kind_docs, markdown as md, text};
            let registry = cortecs::Registry::with_builtins();
            let mut docs = kind_docs(&registry);
            if let Some(n) = &name {
                docs.retain(|k| k.name == n.as_str());
                if docs.is_empty() {
                    let names: Vec<&str> = registry.kinds().map(|k| k.name).collect();
                    return Err(Error::Build(format!(
                        "no kind `{n}`; the kinds are: {}",
                        names.join(", ")
                    )));
                }
            }
            print!("{}", if markdown { md(&docs) } else { text(&docs) });
            Ok(())
        }
        Command::Bench {
            what,
            sizes,
            n,
            synapses,
            fan_out,
            threads,
            steps,
            params,
            out,
        } => {
            if what.eq_ignore_ascii_case("cuba") {
                return bench_cuba(&n, &threads, &out);
            }
            let mut spec = cortecs::bench::BenchSpec::new(&what);
            spec.steps = steps;
            if let Some(p) = params {
                spec.params = p;
            }
            spec.synapses = match synapses.as_str() {
                "none" => cortecs::bench::BenchSynapses::None,
                "sparse" => cortecs::bench::BenchSynapses::Sparse { fan_out },
                "dense" => cortecs::bench::BenchSynapses::Dense,
                other => {
                    return Err(Error::Build(format!(
                        "--synapses: `none`, `sparse` or `dense`, found `{other}`"
                    )));
                }
            };
            bench_kind(&spec, &sizes, &threads, &out)
        }
        Command::LoihiReport {
            config,
            steps,
            chips,
        } => loihi_report(&config, steps, chips),
    }
}

fn loihi_report(config: &Path, steps: Option<u64>, chips: usize) -> Result<(), Error> {
    use cortecs::components::loihi::mapping::{CostFigures, estimate_step_cost, validate};
    let mut model = Model::from_config_file_for(config, cortecs::Target::Loihi)?;
    let plan = cortecs::loihi::plan(&model, chips)?;
    print!("{}", plan.report);
    let steps = steps.unwrap_or(model.config().run.steps);
    if steps > 0 {
        let spikes = cortecs::loihi::measure_spikes(&mut model, &plan, steps);
        let activity = cortecs::loihi::activity(&plan, &spikes);
        let est = estimate_step_cost(&plan.report, &activity, &CostFigures::DAVIES_2018);
        println!("\nper step, from spike rates of {steps} float steps:");
        print!("{est}");
    }
    validate(&plan.report).map_err(|e| {
        Error::Build(format!(
            "the model does not fit on {chips} Loihi chip(s): {e} (report above)"
        ))
    })
}

/// `run --dt/--seed/--max-memory`: what replaces the config's own (or the default limit).
#[derive(Clone, Copy)]
struct Overrides {
    /// Step size (ms).
    dt: Option<f64>,
    /// Seed.
    seed: Option<u64>,
    /// Memory limit (bytes).
    max_memory: Option<u64>,
}

impl Overrides {
    /// The model `config` describes, with these overrides, built for `target`.
    fn build(self, config: &Path, target: cortecs::Target) -> Result<Model, Error> {
        use cortecs::config::Source;
        let text = std::fs::read_to_string(config).map_err(|e| {
            Source::new("", config).error_at(None, None, cortecs::config::ConfigErrorKind::Io(e))
        })?;
        let mut src = Source::new(&text, config);
        (src.dt, src.seed, src.max_memory) = (self.dt, self.seed, self.max_memory);
        Model::from_source_for(&src, &cortecs::Registry::with_builtins(), target)
    }
}

fn run_loihi(
    config: &Path,
    overrides: Overrides,
    out: &Path,
    steps: Option<u64>,
    chips: usize,
) -> Result<(), Error> {
    let model = overrides.build(config, cortecs::Target::Loihi)?;
    let steps = steps.unwrap_or(model.config().run.steps);
    // NengoLoihi's simulator seed (noise and learning only): the network seed + 1.
    let seed = (model.config().seed as u32).wrapping_add(1);
    let options = cortecs::loihi::LoihiOptions {
        chips,
        seed,
        ..Default::default()
    };
    let mut sim = cortecs::loihi::LoihiSimulator::new(model, options)?;
    for w in &sim.layout().warnings {
        eprintln!("warning: {w}");
    }
    let start = std::time::Instant::now();
    sim.run_steps(steps)?;
    let secs = start.elapsed().as_secs_f64();
    let files = sim.write_probes(out)?;
    println!(
        "ran {steps} steps on the emulated Loihi chip ({} cores, {} compartments) in {secs:.2} s \
         ({:.0} steps/s); wrote {} files to {}",
        sim.report().cores.len(),
        sim.chip().emulator.n_compartments(),
        steps as f64 / secs.max(1e-9),
        files.len(),
        out.display()
    );
    Ok(())
}

fn bench_kind(
    spec: &cortecs::bench::BenchSpec,
    sizes: &[usize],
    threads: &[usize],
    out: &Path,
) -> Result<(), Error> {
    use cortecs::bench::{BenchSynapses, chart, measure, to_csv, to_table};
    let mut rows = Vec::new();
    println!(
        "{} × N, {} steps of {} ms, {}",
        spec.kind, spec.steps, spec.dt, spec.synapses
    );
    // the header, then each row as it is measured
    print!("{}", to_table(&[]));
    for &n in sizes {
        if spec.synapses == BenchSynapses::Dense && (n as f64).powi(2) * 4.0 > 4e9 {
            eprintln!(
                "skipping N = {n}: dense synapses need N² weights ({:.1} GB); use --synapses sparse",
                (n as f64).powi(2) * 4.0 / 1e9
            );
            continue;
        }
        for &t in threads {
            let row = measure(spec, n, t)?;
            print!(
                "{}",
                to_table(std::slice::from_ref(&row))
                    .lines()
                    .nth(1)
                    .unwrap_or("")
            );
            println!();
            rows.push(row);
        }
    }
    std::fs::create_dir_all(out).map_err(|e| Error::Build(format!("{}: {e}", out.display())))?;
    let write = |name: &str, text: String| -> Result<(), Error> {
        let path = out.join(name);
        cortecs::persist::atomic::write_atomic_bytes(&path, text.as_bytes())
            .map_err(|e| Error::Build(format!("{}: {e}", path.display())))
    };
    write("bench.csv", to_csv(&rows))?;
    let title = format!(
        "cortecs {}: ns per neuron-step ({})",
        spec.kind, spec.synapses
    );
    chart(&rows, &title)
        .save(&out.join("bench"))
        .map_err(|e| Error::Build(e.to_string()))?;
    println!(
        "wrote {0}/bench.csv, {0}/bench.svg and {0}/bench.png",
        out.display()
    );
    Ok(())
}

fn bench_cuba(sizes: &[usize], threads: &[usize], out: &Path) -> Result<(), Error> {
    use std::fmt::Write as _;
    let mut csv = String::from(
        "n,threads,synapses,build_s,loop_s,spikes,rate_hz,cv_isi,frac_silent,syn_events,syn_events_per_s\n",
    );
    println!(
        "CUBA (Brian2 examples/CUBA.py, p = 80/N), 1 s at dt 0.1 ms, every spike recorded\n{:>7} {:>3} {:>9} {:>8} {:>8} {:>8} {:>7} {:>6} {:>8} {:>12}",
        "N",
        "thr",
        "synapses",
        "build s",
        "loop s",
        "spikes",
        "rate Hz",
        "CV",
        "silent",
        "events/s"
    );
    for &n in sizes {
        for &t in threads {
            let run = cortecs::bench::cuba::run_cuba(n, 1, 10_000, t)?;
            let (cv, _) = run.cv_isi();
            let eps = run.syn_events as f64 / run.loop_s;
            println!(
                "{:>7} {:>3} {:>9} {:>8.3} {:>8.3} {:>8} {:>7.3} {:>6.3} {:>7.1}% {:>12.3e}",
                n,
                t,
                run.synapses,
                run.build_s,
                run.loop_s,
                run.spikes(),
                run.rate_hz(),
                cv,
                run.frac_silent() * 100.0,
                eps
            );
            let _ = writeln!(
                csv,
                "{n},{t},{},{:.4},{:.4},{},{:.4},{:.4},{:.4},{},{:.4e}",
                run.synapses,
                run.build_s,
                run.loop_s,
                run.spikes(),
                run.rate_hz(),
                cv,
                run.frac_silent(),
                run.syn_events,
                eps
            );
        }
    }
    std::fs::create_dir_all(out).map_err(|e| Error::Build(format!("{}: {e}", out.display())))?;
    let path = out.join("cuba.csv");
    cortecs::persist::atomic::write_atomic_bytes(&path, csv.as_bytes())
        .map_err(|e| Error::Build(format!("{}: {e}", path.display())))?;
    println!("wrote {}", path.display());
    Ok(())
}

/// `cortecs tuning`: the tables, and with `out` the arrays and charts.
fn tuning(config: &Path, out: Option<&Path>, points: usize) -> Result<(), Error> {
    use cortecs::analysis::{decoder_report, ensemble_report};
    use cortecs::plot::{LineChart, Series, tuning_chart};
    let model = Model::from_config_file(config)?;
    let mut arrays: Vec<(String, ndarray::Array2<f64>)> = Vec::new();
    let mut charts: Vec<(String, LineChart)> = Vec::new();
    for info in model.entities() {
        if model.ensemble(&info.name).is_ok() {
            let r = ensemble_report(&model, &info.name, points)?;
            println!("{r}");
            let mut chart = tuning_chart(&r.xs, &r.rates, &format!("Tuning curves of {}", r.name));
            if r.along_encoders {
                chart.x_label = "encoded input (along each neuron's encoder)".into();
            }
            let xs = ndarray::Array2::from_shape_vec((r.xs.len(), 1), r.xs.clone())
                .map_err(|e| Error::Build(e.to_string()))?;
            arrays.push((format!("{}.x", r.name), xs));
            arrays.push((format!("{}.rates", r.name), r.rates));
            charts.push((format!("{}.tuning", r.name), chart));
        } else if let Ok(Some(d)) = decoder_report(&model, &info.name, points) {
            println!("{d}");
            if let (Some(decoded), Some(ideal)) = (&d.decoded, &d.ideal) {
                let xs = ensemble_report(&model, &d.pre, points)?.xs;
                let curve = |name: String, col: ndarray::ArrayView1<f64>| Series {
                    name,
                    xs: xs.clone(),
                    ys: col.to_vec(),
                };
                let series = decoded
                    .columns()
                    .into_iter()
                    .zip(ideal.columns())
                    .enumerate()
                    .flat_map(|(k, (dec, f))| {
                        [
                            curve(format!("decoded [{k}]"), dec),
                            curve(format!("f(x) [{k}]"), f),
                        ]
                    })
                    .collect();
                let chart = LineChart {
                    title: format!("What {} decodes from {}'s tuning curves", d.name, d.pre),
                    x_label: format!("x (represented by {})", d.pre),
                    y_label: "decoded value".into(),
                    series,
                    ..LineChart::default()
                };
                charts.push((format!("{}.decoded", d.name), chart));
                arrays.push((format!("{}.decoded", d.name), decoded.clone()));
                arrays.push((format!("{}.ideal", d.name), ideal.clone()));
            }
            arrays.push((format!("{}.decoders", d.name), d.decoders));
        }
    }
    if arrays.is_empty() {
        return Err(Error::Build(format!(
            "{}: no NEF ensembles or decoded connections",
            config.display()
        )));
    }
    let Some(out) = out else {
        return Ok(());
    };
    let io =
        |path: &Path, e: &dyn std::fmt::Display| Error::Build(format!("{}: {e}", path.display()));
    std::fs::create_dir_all(out).map_err(|e| io(out, &e))?;
    let npz = out.join("tuning.npz");
    let mut bytes = std::io::Cursor::new(Vec::new());
    {
        let mut w = ndarray_npy::NpzWriter::new(&mut bytes);
        for (name, a) in &arrays {
            w.add_array(name.as_str(), a).map_err(|e| io(&npz, &e))?;
        }
        w.finish().map_err(|e| io(&npz, &e))?;
    }
    cortecs::persist::atomic::write_atomic_bytes(&npz, bytes.get_ref())
        .map_err(|e| io(&npz, &e))?;
    for (stem, chart) in &charts {
        chart
            .save(&out.join(stem))
            .map_err(|e| Error::Build(e.to_string()))?;
    }
    println!(
        "wrote {} ({} arrays) and {} charts (.svg and .png) in {}",
        npz.display(),
        arrays.len(),
        charts.len(),
        out.display()
    );
    Ok(())
}

/// `cortecs rates`: the table of each spike probe, its CSV and its chart.
fn rates(dir: &Path) -> Result<(), Error> {
    use cortecs::plot::{LineChart, Series};
    for r in cortecs::analysis::spike_report(dir)? {
        println!("{r}");
        let csv = dir.join(format!("{}.rates.csv", r.probe));
        cortecs::persist::atomic::write_atomic_bytes(&csv, r.to_csv().as_bytes())
            .map_err(|e| Error::Build(format!("{}: {e}", csv.display())))?;
        let neurons: Vec<f64> = (0..r.counts.len())
            .map(|i| (r.first_unit + i) as f64)
            .collect();
        let isi_rate = r
            .isi
            .iter()
            .map(|s| s.map_or(f64::NAN, |s| s.rate_hz))
            .collect();
        let chart = LineChart {
            title: format!("Firing rate of each neuron of {}", r.probe),
            x_label: "neuron".into(),
            y_label: "rate (Hz)".into(),
            series: vec![
                Series {
                    name: format!("spikes / {} ms", r.duration_ms),
                    xs: neurons.clone(),
                    ys: r.rates_hz.clone(),
                },
                Series {
                    name: "1 / mean ISI".into(),
                    xs: neurons,
                    ys: isi_rate,
                },
            ],
            ..LineChart::default()
        };
        let [svg, _] = chart
            .save(&dir.join(format!("{}.rates", r.probe)))
            .map_err(|e| Error::Build(e.to_string()))?;
        println!("wrote {} and {} (and .png)\n", csv.display(), svg.display());
    }
    Ok(())
}

fn plot_dir(dir: &Path) -> Result<(), Error> {
    let charts = cortecs::plot::plot_run_dir_auto(dir).map_err(|e| Error::Build(e.to_string()))?;
    println!(
        "drew {} plots (.svg and .png) in {}",
        charts.len(),
        dir.display()
    );
    Ok(())
}

fn run_with_progress(model: &mut Model, steps: u64) -> Result<(), Error> {
    if !std::io::stdout().is_terminal() || steps < 1000 {
        return model.run_steps(steps);
    }
    let start = std::time::Instant::now();
    let bar = indicatif::ProgressBar::hidden();
    bar.set_length(steps);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} steps {per_sec} eta {eta}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let chunk = (steps / 200).max(1);
    model.run_steps_with(steps, chunk, |done| {
        // show the bar only for runs longer than about a second
        if bar.is_hidden() && start.elapsed().as_secs_f64() > 0.5 {
            bar.set_draw_target(indicatif::ProgressDrawTarget::stdout());
        }
        bar.set_position(done);
    })?;
    bar.finish_and_clear();
    Ok(())
}

/// Refuses an output folder (`--out`, `--save`) that cannot be one, before the run: a path
/// that exists and is not a folder.
fn check_output_dir(flag: &str, dir: &Path) -> Result<(), Error> {
    if dir.exists() && !dir.is_dir() {
        return Err(Error::Build(format!(
            "{flag} {}: exists and is not a folder; expected a folder (new, or one to \
             overwrite)",
            dir.display()
        )));
    }
    Ok(())
}

/// Says plainly why `dir` is not a save (`inspect`, `--resume`): it does not exist, is a
/// file, or is a run's output folder (probes, no entity `.npz` files).
fn check_save_dir(dir: &Path) -> Result<(), Error> {
    if !dir.exists() {
        return Err(Error::Build(format!("{} does not exist", dir.display())));
    }
    if !dir.is_dir() {
        return Err(Error::Build(format!(
            "{} is a file, not a save folder; saves are written by `cortecs run --save DIR`",
            dir.display()
        )));
    }
    let has = |ext: &str| {
        std::fs::read_dir(dir).is_ok_and(|entries| {
            entries
                .flatten()
                .any(|e| e.path().extension().is_some_and(|x| x == ext))
        })
    };
    if has("npy") && !has("npz") {
        return Err(Error::Build(format!(
            "{} is a run output folder (probes), not a save; saves are written by \
             `cortecs run --save DIR`",
            dir.display()
        )));
    }
    Ok(())
}

fn inspect(dir: &Path) -> Result<(), Error> {
    check_save_dir(dir)?;
    // Keep values that are not finite, to count them (a resume refuses such a save).
    let model = Model::load_unchecked(dir, &cortecs::Registry::with_builtins())?;
    let c = model.clock();
    println!(
        "{}: saved at step {} (t = {} ms, dt = {} ms), seed {}",
        dir.display(),
        c.step,
        c.t(),
        c.dt,
        model.config().seed
    );
    let mut damaged = 0;
    for e in model.entities() {
        println!("{} ({}, {:?}, {} units)", e.name, e.kind, e.role, e.n_units);
        for name in model.array_names(&e.name)? {
            let a = model.array(&e.name, name)?;
            let finite = a.iter().map(|x| f64::from(*x)).filter(|x| x.is_finite());
            let (lo, hi) = finite.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), x| {
                (lo.min(x), hi.max(x))
            });
            let nan = a.iter().filter(|x| x.is_nan()).count();
            let inf = a.iter().filter(|x| x.is_infinite()).count();
            let range = if lo <= hi {
                format!("min {lo:.6}  max {hi:.6}")
            } else {
                "no finite value".to_string()
            };
            let bad = if nan + inf > 0 {
                damaged += 1;
                format!("  {nan} NaN, {inf} inf")
            } else {
                String::new()
            };
            println!("  {name:<10} {:?}  {range}{bad}", a.shape());
        }
    }
    if damaged > 0 {
        println!("{damaged} arrays hold values that are not finite: this save cannot be resumed");
    }
    Ok(())
}
