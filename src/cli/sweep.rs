//! `byzsim sweep`: one scenario over a grid of n, t and `--vary` keys.

use std::path::PathBuf;

use clap::Args;

use super::{LimitArgs, ScenarioArgs, check_jobs};
use crate::error::InputError;
use crate::sweep::grid::{Shard, Vary, parse_range};
use crate::sweep::{SweepOptions, sweep};

pub(super) const EXAMPLES: &str = "\
Examples:
  byzsim sweep scenarios/oral-om1-n4-t1-holds.toml --n 4..=7 --t 0..=2 --trials 20 -o sweep.csv --summary summary.csv
  byzsim sweep scenarios/vote-no-traitor-holds.toml --n 3..=9:2 --t 0,1 --vary network.loss=0,0.1 --trials 50 -o loss.csv
  byzsim sweep scenarios/oral-om1-n4-t1-holds.toml --n 4..=10 --t 0..=3 --trials 10 --shard 1/4 -o parts/part-1.csv --resume";

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
    #[command(flatten)]
    pub limits: LimitArgs,
    /// Trials per cell (overrides the file's `trials`).
    #[arg(long)]
    pub trials: Option<u64>,
    /// Worker threads (default: all cores). The output does not depend on it.
    #[arg(long)]
    pub jobs: Option<usize>,
    /// The per-trial CSV (default or `-`: standard output), with its manifest beside it
    /// (FILE.csv.manifest.json).
    #[arg(short = 'o', long, value_name = "FILE.csv")]
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

pub(super) fn sweep_command(args: SweepArgs) -> Result<u8, InputError> {
    check_jobs(args.jobs)?;
    let opts = SweepOptions {
        n: parse_range("--n", &args.n)?,
        t: parse_range("--t", &args.t)?,
        vary: args
            .vary
            .iter()
            .map(|v| Vary::parse(v))
            .collect::<Result<_, _>>()?,
        sets: args.scenario.sets(&args.limits),
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
            "skipped {} of {} cells that this scenario cannot have: {}",
            r.skipped,
            r.cells,
            r.skip_reasons()
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
