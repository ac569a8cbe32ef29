//! The command line: `byzsim run`, `byzsim topology`, `byzsim bench`.
//!
//! Arguments are parsed by clap, scenarios are validated once into typed [`Scenario`]s before
//! anything runs (so a bad second file fails before the first one runs for an hour), and the
//! result maps to an exit code: 0 every expectation held, 1 one did not, 2 bad input (or an I/O
//! failure, which says so).
//!
//! Outputs are checked before anything runs ([`crate::output`]): an output that is an input, two
//! outputs on one path, an unwritable path. Output names `-` for standard output. Everything
//! printed goes through fallible writes: `> /dev/full` or a closed pipe is an error, not a panic.

use std::path::{Path, PathBuf};

use clap::{Args, Parser, Subcommand};

use crate::error::InputError;
use crate::hunt::{HuntOptions, HuntOutcome, hunt};
use crate::output::{Output, check_distinct, check_writable, print};
use crate::report::table;
use crate::run::run_scenario_streaming;
use crate::scenario::Scenario;
use crate::sweep::grid::{Shard, Vary, parse_range};
use crate::sweep::merge::merge;
use crate::sweep::{SweepOptions, sweep};
use crate::trial::{topology_of, traitors_of};

#[derive(Debug, Parser)]
#[command(
    name = "byzsim",
    version,
    about = "Simulate Byzantine agreement: where each protocol holds, where it breaks, and why"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run scenario files (or the built-in default) and print a table per scenario.
    Run(RunArgs),
    /// Run a scenario over a grid of n, t and other keys; CSV per trial and a summary per cell.
    Sweep(SweepArgs),
    /// Draw an SVG from a CSV: a heatmap (--z) or lines, with the proven bound where known.
    Plot(crate::plot::PlotArgs),
    /// Merge the CSVs of a sharded sweep into the file the whole sweep would have written.
    Merge(MergeArgs),
    /// Search the traitors' choices for a violation; shrink it and write it as a scenario.
    Hunt(HuntArgs),
    /// Print a scenario's network as Graphviz DOT, traitors marked.
    Topology(TopologyArgs),
    /// Measure the simulator's speed on built-in workloads.
    Bench(BenchArgs),
    /// Write one trial as a self-contained HTML page that steps through it, forward and back.
    View(ViewArgs),
    /// Write a sweep summary as a self-contained HTML page: heatmaps, line plots, tables.
    Report(ReportArgs),
}

/// Options that change a scenario.
#[derive(Debug, Args)]
pub struct ScenarioArgs {
    /// Master seed (trial i uses seed + i); below 2^63.
    #[arg(long, value_parser = clap::value_parser!(u64).range(..=crate::rng::SEED_MASK))]
    pub seed: Option<u64>,
    /// Override a scenario key: --set network.loss=0.1 (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub sets: Vec<String>,
    /// Refuse configurations estimated to send more messages per trial (default 50000000).
    #[arg(long, value_name = "N")]
    pub max_messages: Option<u64>,
}

impl ScenarioArgs {
    /// The `--set` overrides, with `--max-messages` as `limits.max_messages`.
    fn sets(&self) -> Vec<String> {
        let mut all = self.sets.clone();
        all.extend(
            self.max_messages
                .map(|m| format!("limits.max_messages={m}")),
        );
        all
    }

    fn overrides(&self, trials: Option<u64>) -> Vec<String> {
        let mut all = self.sets();
        all.extend(self.seed.map(|s| format!("seed={s}")));
        all.extend(trials.map(|t| format!("trials={t}")));
        all
    }
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Scenario files; none runs the built-in default scenario.
    pub files: Vec<PathBuf>,
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// Number of trials (overrides the file's `trials`).
    #[arg(long)]
    pub trials: Option<u64>,
    /// Write the per-trial CSV here, row by row as trials finish (`-`: standard output, and
    /// the tables go to standard error).
    #[arg(long, value_name = "FILE.csv")]
    pub out: Option<PathBuf>,
    /// Worker threads (default: all cores). The output does not depend on it.
    #[arg(long)]
    pub jobs: Option<usize>,
    /// Trace the first trial of the (first) scenario: FILE.jsonl, FILE.mmd (Mermaid) or
    /// FILE.json (Chrome trace events, for Perfetto). With a list of protocol kinds, each kind
    /// gets its own file, the kind before the extension: FILE.vote.jsonl, FILE.oral.jsonl.
    /// A trace stops recording at 2000000 events and says so.
    #[arg(long, value_name = "FILE")]
    pub trace: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct SweepArgs {
    /// The scenario file.
    pub file: PathBuf,
    /// Values of n: 4..=16, 4..=16:2 (step), 4..16, or a list 4,7,10.
    #[arg(long, value_name = "RANGE")]
    pub n: String,
    /// Values of t, as for --n.
    #[arg(long, value_name = "RANGE")]
    pub t: String,
    /// Another key to vary: --vary network.loss=0,0.1,0.2 (repeatable; one CSV column each).
    #[arg(long, value_name = "KEY=V1,V2,...")]
    pub vary: Vec<String>,
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// Trials per cell (overrides the file's `trials`).
    #[arg(long)]
    pub trials: Option<u64>,
    /// Worker threads (default: all cores). The output does not depend on it.
    #[arg(long)]
    pub jobs: Option<usize>,
    /// The per-trial CSV (default or `-`: standard output), with its manifest beside it
    /// (FILE.csv.manifest.json).
    #[arg(long, value_name = "FILE.csv")]
    pub out: Option<PathBuf>,
    /// The per-cell summary CSV (`-`: standard output).
    #[arg(long, value_name = "FILE.csv")]
    pub summary: Option<PathBuf>,
    /// Run only the K-th of N parts of the grid (1 <= K <= N).
    #[arg(long, value_name = "K/N")]
    pub shard: Option<String>,
    /// Continue an interrupted sweep of the same settings: keep the finished cells, run the
    /// rest (on a path that does not exist yet, just start). A file another sweep made is
    /// refused.
    #[arg(long)]
    pub resume: bool,
}

#[derive(Debug, Args)]
pub struct HuntArgs {
    /// The scenario file (its n, t, faults.who and network set the search space).
    pub file: PathBuf,
    /// How many adversaries to try (random search), or the most an exhaustive search may need.
    #[arg(long, default_value_t = 100_000)]
    pub budget: u64,
    /// Try every choice of the traitors (refused, with the count, when over --budget).
    #[arg(long)]
    pub exhaustive: bool,
    /// Write the shrunk violation here as a scenario file that `byzsim run` replays.
    #[arg(long, value_name = "FILE.toml")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub scenario: ScenarioArgs,
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The shards' per-trial CSV files.
    #[arg(required = true)]
    pub shards: Vec<PathBuf>,
    /// The merged CSV (`-`: standard output), with its manifest beside it.
    #[arg(long, value_name = "FILE.csv")]
    pub out: PathBuf,
    /// Also write the per-cell summary of the merged rows (`-`: standard output).
    #[arg(long, value_name = "FILE.csv")]
    pub summary: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct TopologyArgs {
    /// The scenario file.
    pub file: PathBuf,
    /// Print Graphviz DOT (the only format).
    #[arg(long, required = true)]
    pub dot: bool,
    #[command(flatten)]
    pub scenario: ScenarioArgs,
}

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Print a JSON array of {workload, rate, unit, limit_rate, ratio}.
    #[arg(long)]
    pub json: bool,
}

/// Runs a parsed command; `Ok` carries the exit code.
pub fn run(cli: Cli) -> Result<u8, InputError> {
    match cli.command {
        Command::Run(args) => run_command(args),
        Command::Sweep(args) => sweep_command(args),
        Command::Merge(args) => {
            let rows = merge(&args.shards, &args.out, args.summary.as_deref())?;
            eprintln!("merged {rows} rows into {}", args.out.display());
            Ok(0)
        }
        Command::Hunt(args) => hunt_command(args),
        Command::Plot(args) => {
            check_distinct(&[args.csv.as_path()], &[("--out", args.out.as_path())])?;
            crate::plot::plot(&args)?;
            eprintln!("wrote {}", args.out.display());
            Ok(0)
        }
        Command::Topology(args) => topology_command(args),
        Command::Bench(args) => {
            crate::bench::run(args.json);
            Ok(0)
        }
        Command::View(args) => view_command(args),
        Command::Report(args) => report_command(args),
    }
}

fn load_all(files: &[PathBuf], overrides: &[String]) -> Result<Vec<Scenario>, InputError> {
    if files.is_empty() {
        return Ok(vec![Scenario::builtin(overrides)?]);
    }
    files.iter().map(|f| Scenario::load(f, overrides)).collect()
}

/// The most worker threads `--jobs` may ask for: output never depends on it, and past a few per
/// core threads only cost memory (each has its own stack).
pub const MAX_JOBS: usize = 1024;

fn check_jobs(jobs: Option<usize>) -> Result<(), InputError> {
    match jobs {
        Some(0) => Err(InputError::file("--jobs", "must be at least 1")),
        Some(j) if j > MAX_JOBS => Err(InputError::file(
            "--jobs",
            format!(
                "{j} is more than {MAX_JOBS} worker threads (the output does not depend on --jobs)"
            ),
        )),
        _ => Ok(()),
    }
}

fn run_command(args: RunArgs) -> Result<u8, InputError> {
    check_jobs(args.jobs)?;
    if let Some(jobs) = args.jobs {
        // Fails only if a pool exists already, which is fine: results do not depend on it.
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(jobs)
            .build_global();
    }
    if let Some(path) = &args.trace {
        crate::tracefile::Format::of(path)?;
    }
    let inputs: Vec<&Path> = args.files.iter().map(PathBuf::as_path).collect();
    let mut outputs: Vec<(&str, &Path)> = Vec::new();
    outputs.extend(args.out.as_deref().map(|p| ("--out", p)));
    outputs.extend(args.trace.as_deref().map(|p| ("--trace", p)));
    check_distinct(&inputs, &outputs)?;
    let scenarios = load_all(&args.files, &args.scenario.overrides(args.trials))?;
    if let Some(path) = &args.trace {
        check_writable(path)?;
    }
    let mut csv = args
        .out
        .as_deref()
        .map(|p| Output::create(p).map(csv::Writer::from_writer))
        .transpose()?;
    let tables_to_stderr = args.out.as_deref().is_some_and(crate::output::is_stdout);
    let mut rows: u64 = 0;
    let mut all_met = true;
    for sc in &scenarios {
        for w in &sc.warnings {
            eprintln!("warning: {w}");
        }
        let result = run_scenario_streaming(sc, |record| {
            rows += 1;
            match &mut csv {
                Some(w) => w.serialize(&record).map_err(|e| csv_error(w, e)),
                None => Ok(()),
            }
        })?;
        all_met &= result.all_met();
        let text = format!("{}\n", table(sc, &result));
        if tables_to_stderr {
            eprint!("{text}");
        } else {
            print(&text)?;
        }
    }
    if let Some(w) = csv {
        let out = w.into_inner().map_err(|e| {
            let error = std::io::Error::new(e.error().kind(), e.error().to_string());
            e.into_inner().get_ref().write_error(&error)
        })?;
        let shown = out.shown().to_string();
        out.commit()?;
        eprintln!("wrote {rows} rows to {shown}");
    }
    if let (Some(path), Some(sc)) = (&args.trace, scenarios.first()) {
        trace_first_trial(sc, path)?;
    }
    Ok(if all_met { 0 } else { 1 })
}

/// A failed CSV write to `out` as an I/O error naming it.
fn csv_error(out: &csv::Writer<Output>, e: csv::Error) -> InputError {
    let error = match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => std::io::Error::other(format!("{other:?}")),
    };
    out.get_ref().write_error(&error)
}

/// Writes the trace of trial 0 of `sc` to `path`: one file per protocol kind when the
/// scenario lists several (`t.jsonl` becomes `t.vote.jsonl`, `t.pow.jsonl`, ...).
fn trace_first_trial(sc: &Scenario, path: &std::path::Path) -> Result<(), InputError> {
    let seed = crate::rng::trial_seed(sc.seed, 0);
    let traitors = traitors_of(sc, seed);
    for &kind in &sc.kinds {
        let file = if sc.kinds.len() == 1 {
            path.to_path_buf()
        } else {
            per_kind(path, kind.name())
        };
        let result = crate::trial::run_trial(sc, kind, 0, seed, true)?;
        let Some(trace) = &result.trace else {
            continue;
        };
        let index = crate::trace_index::TraceIndex::new(trace, &traitors);
        let meta = crate::tracefile::TraceMeta {
            scenario: sc.name.clone(),
            protocol: kind.name().to_string(),
            seed,
        };
        crate::tracefile::write(&file, &index, &meta)?;
        let cut = trace
            .cut_note()
            .map_or(String::new(), |n| format!(" ({n})"));
        eprintln!(
            "traced trial 0 (seed {seed}, {}) of {} to {}{cut}",
            kind.name(),
            sc.name,
            file.display()
        );
    }
    Ok(())
}

/// `t.jsonl` → `t.KIND.jsonl`.
fn per_kind(path: &std::path::Path, kind: &str) -> PathBuf {
    let stem = path
        .file_stem()
        .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
    let ext = path
        .extension()
        .map_or_else(String::new, |e| e.to_string_lossy().into_owned());
    path.with_file_name(format!("{stem}.{kind}.{ext}"))
}

fn hunt_command(args: HuntArgs) -> Result<u8, InputError> {
    if let Some(out) = &args.out {
        check_distinct(&[args.file.as_path()], &[("--out", out.as_path())])?;
        check_writable(out)?;
    }
    let opts = HuntOptions {
        file: args.file,
        sets: args.scenario.sets(),
        budget: args.budget,
        exhaustive: args.exhaustive,
        out: args.out.clone(),
        seed: args.scenario.seed,
    };
    match hunt(&opts)? {
        HuntOutcome::Clean { tried, proof, note } => {
            print(&format!("no violation in {tried} adversaries ({note})\n"))?;
            if proof {
                print("exhaustive: a proof for this configuration\n")?;
            }
            Ok(0)
        }
        HuntOutcome::Found(v) => {
            let c = &v.candidate;
            print(&format!(
                "{} violated for {} after {} adversaries, shrunk to n = {}, traitors {:?}, {} deviating message(s):\n  {}\n",
                v.property,
                v.kind.name(),
                v.tried,
                c.n,
                c.who,
                c.deviations(),
                v.reason
            ))?;
            match &args.out {
                Some(path) => print(&format!(
                    "  written to {}; replay: byzsim run {}\n",
                    path.display(),
                    path.display()
                ))?,
                None => print(&format!("\n{}", v.reproducer))?,
            }
            Ok(1)
        }
    }
}

fn sweep_command(args: SweepArgs) -> Result<u8, InputError> {
    check_jobs(args.jobs)?;
    let opts = SweepOptions {
        n: parse_range("--n", &args.n)?,
        t: parse_range("--t", &args.t)?,
        vary: args
            .vary
            .iter()
            .map(|v| Vary::parse(v))
            .collect::<Result<_, _>>()?,
        sets: args.scenario.sets(),
        seed: args.scenario.seed,
        trials: args.trials,
        jobs: args.jobs,
        shard: args.shard.as_deref().map(Shard::parse).transpose()?,
        file: args.file,
        out: args.out,
        summary: args.summary,
        resume: args.resume,
        progress: true,
    };
    let r = sweep(&opts)?;
    if r.skipped > 0 {
        eprintln!(
            "skipped {} of {} cells that this scenario cannot have (first: {})",
            r.skipped,
            r.cells,
            r.first_skip.as_deref().unwrap_or("")
        );
    }
    eprintln!(
        "sweep: {} cells run{}, {} trials in {:.2} s ({:.0} trials/s)",
        r.ran,
        if r.resumed > 0 {
            format!(" ({} already done)", r.resumed)
        } else {
            String::new()
        },
        r.trials,
        r.seconds,
        r.trials as f64 / r.seconds.max(1e-9)
    );
    Ok(0)
}

fn topology_command(args: TopologyArgs) -> Result<u8, InputError> {
    let sc = Scenario::load(&args.file, &args.scenario.overrides(None))?;
    let graph = topology_of(&sc, sc.seed)?;
    let traitors = traitors_of(&sc, sc.seed);
    print(&graph.to_dot(&sc.name, &traitors))?;
    Ok(0)
}

#[derive(Debug, Args)]
pub struct ViewArgs {
    /// The scenario file.
    pub file: PathBuf,
    /// The trial to show (default: the first that violates a property, else trial 0).
    #[arg(long)]
    pub trial: Option<u64>,
    /// The protocol to show, when the scenario lists several (default: the first, or the first
    /// that violates a property).
    #[arg(long, value_name = "KIND")]
    pub protocol: Option<String>,
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// The HTML page to write (`-`: standard output).
    #[arg(short = 'o', long = "out", value_name = "FILE.html")]
    pub out: PathBuf,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The summary CSV of a sweep (`byzsim sweep ... --summary FILE.csv`).
    pub summary: PathBuf,
    /// The HTML page to write (`-`: standard output).
    #[arg(short = 'o', long = "out", value_name = "FILE.html")]
    pub out: PathBuf,
    /// The sweep's manifest (`FILE.csv.manifest.json` beside its per-trial CSV): the page then
    /// shows the `byzsim sweep` command that made the summary.
    #[arg(long, value_name = "FILE.json")]
    pub manifest: Option<PathBuf>,
}

fn view_command(args: ViewArgs) -> Result<u8, InputError> {
    check_distinct(&[args.file.as_path()], &[("--out", args.out.as_path())])?;
    let sc = Scenario::load(&args.file, &args.scenario.overrides(None))?;
    check_writable(&args.out)?;
    let choice = crate::view::choose(&sc, args.trial, args.protocol.as_deref())?;
    let mut command = format!("byzsim view {}", args.file.display());
    command.extend(args.scenario.seed.map(|s| format!(" --seed {s}")));
    command.push_str(&format!(" --trial {}", choice.trial));
    if sc.kinds.len() > 1 {
        command.push_str(&format!(" --protocol {}", choice.kind.name()));
    }
    for set in args.scenario.sets() {
        command.push_str(&format!(" --set {set}"));
    }
    let page = crate::view::trial_page(&sc, &choice, &command)?;
    crate::output::write_atomically(&args.out, |w: &mut dyn std::io::Write| {
        w.write_all(page.as_bytes())
    })?;
    eprintln!(
        "wrote {} ({} bytes): {}",
        args.out.display(),
        page.len(),
        choice.why
    );
    Ok(0)
}

fn report_command(args: ReportArgs) -> Result<u8, InputError> {
    let mut inputs = vec![args.summary.as_path()];
    inputs.extend(args.manifest.as_deref());
    check_distinct(&inputs, &[("--out", args.out.as_path())])?;
    check_writable(&args.out)?;
    let page = crate::view::report::page(&args.summary, args.manifest.as_deref())?;
    crate::output::write_atomically(&args.out, |w: &mut dyn std::io::Write| {
        w.write_all(page.as_bytes())
    })?;
    eprintln!("wrote {} ({} bytes)", args.out.display(), page.len());
    Ok(0)
}
