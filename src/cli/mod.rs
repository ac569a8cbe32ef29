//! The command line: the subcommands, one file each (`run`, `sweep`, `merge`, `hunt`,
//! `topology`, `bench`, `keys`, `view` with `report`; `plot`'s arguments live in
//! [`crate::plot`]), and what they share.
//!
//! Arguments are parsed by clap, scenarios are validated once into typed [`Scenario`]s before
//! anything runs (so a bad second file fails before the first one runs for an hour), and the
//! result maps to an exit code: 0 every expectation held, 1 one did not, 2 bad input (or an I/O
//! failure, which says so).
//!
//! Outputs are checked before anything runs ([`crate::output`]): an output that is an input, two
//! outputs on one path, an unwritable path. Output names `-` for standard output. Everything
//! printed goes through fallible writes: `> /dev/full` or a closed pipe is an error, not a panic.

mod bench;
mod hunt;
mod keys;
mod merge;
mod run;
mod sweep;
mod topology;
mod view;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::error::InputError;
use crate::output::check_distinct;
use crate::scenario::Scenario;
use crate::scenario::source::blame_flag;

pub use bench::BenchArgs;
pub use hunt::HuntArgs;
pub use keys::KeysArgs;
pub use merge::MergeArgs;
pub use run::RunArgs;
pub use sweep::SweepArgs;
pub use topology::TopologyArgs;
pub use view::{ReportArgs, ViewArgs};

#[derive(Debug, Parser)]
#[command(
    name = "byzsim",
    version,
    about = "Simulate Byzantine agreement: where each protocol holds, where it breaks, and why",
    after_help = "\
Exit status: 0 every expectation held; 1 one did not; 2 bad input, usage or an I/O error;
141 standard output was closed by its reader (`| head`).

Examples:
  byzsim run
  byzsim run scenarios/*.toml
  byzsim keys network"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run scenario files (or the built-in default) and print a table per scenario.
    #[command(after_help = run::EXAMPLES)]
    Run(RunArgs),
    /// Run a scenario over a grid of n, t and other keys; CSV per trial and a summary per cell.
    #[command(after_help = sweep::EXAMPLES)]
    Sweep(SweepArgs),
    /// Draw an SVG from a CSV: a heatmap (--z) or lines, with the proven bound where known.
    #[command(after_help = PLOT_EXAMPLES)]
    Plot(crate::plot::PlotArgs),
    /// Merge the CSVs of a sharded sweep into the file the whole sweep would have written.
    #[command(after_help = merge::EXAMPLES)]
    Merge(MergeArgs),
    /// Search the traitors' choices for a violation; shrink it and write it as a scenario.
    #[command(after_help = hunt::EXAMPLES)]
    Hunt(HuntArgs),
    /// Print a scenario's network as Graphviz DOT, traitors marked.
    #[command(after_help = topology::EXAMPLES)]
    Topology(TopologyArgs),
    /// Measure the simulator's speed on built-in workloads.
    #[command(after_help = bench::EXAMPLES)]
    Bench(BenchArgs),
    /// List the scenario keys (all, or those under PREFIX): type, default and meaning.
    #[command(after_help = keys::EXAMPLES)]
    Keys(KeysArgs),
    /// Write one trial as a self-contained HTML page that steps through it, forward and back.
    #[command(after_help = view::VIEW_EXAMPLES)]
    View(ViewArgs),
    /// Write a sweep summary as a self-contained HTML page: heatmaps, line plots, tables.
    #[command(after_help = view::REPORT_EXAMPLES)]
    Report(ReportArgs),
}

/// `plot`'s examples (its arguments live in [`crate::plot`]).
const PLOT_EXAMPLES: &str = "\
Examples:
  byzsim plot summary.csv -o heat.svg --x n --y t --z agreement_rate --where protocol=oral
  byzsim plot summary.csv -o cost.svg --x n --y mean_messages --log-y --where t=1";

/// Options that change a scenario.
#[derive(Debug, Args)]
pub struct ScenarioArgs {
    /// Master seed (trial i uses seed + i); below 2^63.
    #[arg(long, value_parser = clap::value_parser!(u64).range(..=crate::rng::SEED_MASK))]
    pub seed: Option<u64>,
    /// Override a scenario key: --set network.loss=0.1 (repeatable; `byzsim keys` lists them).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub sets: Vec<String>,
}

/// The limit a user raises most often, as a flag of the subcommands that simulate.
#[derive(Debug, Args)]
pub struct LimitArgs {
    /// Refuse configurations estimated to send more messages per trial (default 50000000).
    #[arg(long, value_name = "N")]
    pub max_messages: Option<u64>,
    /// Refuse configurations (a sweep: cells) estimated to take more memory per trial, in MiB
    /// (default 4096; the same as --set limits.max_memory_mb=MB).
    #[arg(long, value_name = "MB")]
    pub max_memory: Option<u64>,
}

impl ScenarioArgs {
    /// The `--set` overrides, with `--max-messages` as `limits.max_messages`.
    pub(crate) fn sets(&self, limits: &LimitArgs) -> Vec<String> {
        let mut all = self.sets.clone();
        all.extend(
            limits
                .max_messages
                .map(|m| format!("limits.max_messages={m}")),
        );
        all.extend(
            limits
                .max_memory
                .map(|m| format!("limits.max_memory_mb={m}")),
        );
        all
    }

    /// `e`, when it is about a key one of these flags set (they become overrides), naming
    /// the flag rather than a `--set` the user did not write.
    pub(crate) fn name_flags(
        &self,
        e: InputError,
        limits: &LimitArgs,
        trials: Option<u64>,
    ) -> InputError {
        let given = [
            ("seed", "--seed", self.seed.is_some()),
            ("trials", "--trials", trials.is_some()),
            (
                "limits.max_messages",
                "--max-messages",
                limits.max_messages.is_some(),
            ),
            (
                "limits.max_memory_mb",
                "--max-memory",
                limits.max_memory.is_some(),
            ),
        ];
        given
            .into_iter()
            .filter(|&(_, _, given)| given)
            .fold(e, |e, (key, flag, _)| blame_flag(e, key, flag))
    }

    /// Every override: `--set`, `--max-messages`, `--seed`, then `trials`.
    pub(crate) fn overrides(&self, limits: &LimitArgs, trials: Option<u64>) -> Vec<String> {
        let mut all = self.sets(limits);
        all.extend(self.seed.map(|s| format!("seed={s}")));
        all.extend(trials.map(|t| format!("trials={t}")));
        all
    }
}

/// Runs a parsed command; `Ok` carries the exit code.
pub fn run(cli: Cli) -> Result<u8, InputError> {
    match cli.command {
        Command::Run(args) => run::run_command(args),
        Command::Sweep(args) => sweep::sweep_command(args),
        Command::Merge(args) => merge::merge_command(args),
        Command::Hunt(args) => hunt::hunt_command(args),
        Command::Plot(args) => {
            check_distinct(&[args.csv.as_path()], &[("--out", args.out.as_path())])?;
            crate::plot::plot(&args)?;
            eprintln!("wrote {}", args.out.display());
            Ok(0)
        }
        Command::Topology(args) => topology::topology_command(args),
        Command::Bench(args) => bench::bench_command(args),
        Command::Keys(args) => keys::keys_command(args),
        Command::View(args) => view::view_command(args),
        Command::Report(args) => view::report_command(args),
    }
}

pub(crate) fn load_all(
    files: &[PathBuf],
    overrides: &[String],
) -> Result<Vec<Scenario>, InputError> {
    if files.is_empty() {
        return Ok(vec![Scenario::builtin(overrides)?]);
    }
    files.iter().map(|f| Scenario::load(f, overrides)).collect()
}

/// The most worker threads `--jobs` may ask for: output never depends on it, and past a few per
/// core threads only cost memory (each has its own stack).
pub const MAX_JOBS: usize = 1024;

pub(crate) fn check_jobs(jobs: Option<usize>) -> Result<(), InputError> {
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
