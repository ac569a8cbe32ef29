//! `byzsim hunt`: search the traitors' choices for a violation, shrink it, write it.

use std::path::PathBuf;

use clap::Args;

use super::{LimitArgs, ScenarioArgs};
use crate::error::InputError;
use crate::hunt::{HuntOptions, HuntOutcome, hunt};
use crate::output::{check_distinct, check_writable, print};

pub(super) const EXAMPLES: &str = "\
Examples:
  byzsim hunt scenarios/oral-om1-n4-t1-holds.toml --exhaustive
  byzsim hunt scenarios/oral-om2-n6-t2-breaks.toml --budget 1000 -o found.toml
  byzsim run found.toml";

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
    #[arg(short = 'o', long, value_name = "FILE.toml")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    #[command(flatten)]
    pub limits: LimitArgs,
}

pub(super) fn hunt_command(args: HuntArgs) -> Result<u8, InputError> {
    if let Some(out) = &args.out {
        check_distinct(&[args.file.as_path()], &[("--out", out.as_path())])?;
        check_writable(out)?;
    }
    let opts = HuntOptions {
        file: args.file,
        sets: args.scenario.sets(&args.limits),
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
                "{} violated for {} after {} adversaries, shrunk to n = {}, traitors {:?}, {}:\n  {}\n",
                v.property,
                v.kind.name(),
                v.tried,
                c.n,
                c.who,
                c.summary(),
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
