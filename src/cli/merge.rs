//! `byzsim merge`: the shards of a sweep back into the file the whole sweep would have written.

use std::path::PathBuf;

use clap::Args;

use crate::error::InputError;
use crate::sweep::merge::merge;

pub(super) const EXAMPLES: &str = "\
Examples:
  byzsim sweep scenarios/vote-no-traitor-holds.toml --n 4..=9 --t 0..=2 --shard 1/2 -o part-1.csv
  byzsim sweep scenarios/vote-no-traitor-holds.toml --n 4..=9 --t 0..=2 --shard 2/2 -o part-2.csv
  byzsim merge part-1.csv part-2.csv -o sweep.csv --summary summary.csv";

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The shards' per-trial CSV files.
    #[arg(required = true)]
    pub shards: Vec<PathBuf>,
    /// The merged CSV (`-`: standard output), with its manifest beside it.
    #[arg(short = 'o', long, value_name = "FILE.csv")]
    pub out: PathBuf,
    /// Also write the per-cell summary of the merged rows (`-`: standard output).
    #[arg(long, value_name = "FILE.csv")]
    pub summary: Option<PathBuf>,
}

/// Merges the shards; exit code 0.
pub(super) fn merge_command(args: MergeArgs) -> Result<u8, InputError> {
    let rows = merge(&args.shards, &args.out, args.summary.as_deref())?;
    eprintln!("merged {rows} rows into {}", args.out.display());
    Ok(0)
}
