//! `byzsim bench`: the simulator's speed on built-in workloads ([`crate::bench`]).

use clap::Args;

use crate::error::InputError;

pub(super) const EXAMPLES: &str = "\
Examples:
  byzsim bench
  byzsim bench --json > bench.json";

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Print a JSON array of {workload, rate, unit, limit_rate, ratio}.
    #[arg(long)]
    pub json: bool,
}

/// Runs the workloads and prints the figures; exit code 0.
pub(super) fn bench_command(args: BenchArgs) -> Result<u8, InputError> {
    crate::bench::run(args.json)?;
    Ok(0)
}
