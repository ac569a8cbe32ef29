//! `byzsim bench`: the simulator's speed on built-in workloads ([`crate::bench`]).

use clap::Args;

use crate::error::InputError;

pub(super) const EXAMPLES: &str = "\
Examples:
  byzsim bench
  byzsim bench --json > bench.json
  byzsim bench --only pow";

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Print a JSON array of {workload, rate, unit, limit_rate, ratio}.
    #[arg(long)]
    pub json: bool,
    /// Run only the workloads whose name contains this (e.g. `pow`, `pow n=100000`).
    #[arg(long, value_name = "NAME")]
    pub only: Option<String>,
}

/// Runs the workloads and prints the figures; exit code 0.
pub(super) fn bench_command(args: BenchArgs) -> Result<u8, InputError> {
    crate::bench::run(args.json, args.only.as_deref())?;
    Ok(0)
}
