//! `byzsim topology`: a scenario's network as Graphviz DOT, traitors marked.

use std::path::PathBuf;

use clap::Args;

use super::{LimitArgs, ScenarioArgs, load_all};
use crate::error::InputError;
use crate::output::{check_distinct, write_atomically};
use crate::trial::{topology_of, traitors_of};

pub(super) const EXAMPLES: &str = "\
Examples:
  byzsim topology scenarios/signed-flood-dropping-cut-breaks-agreement.toml
  byzsim topology scenarios/signed-flood-p2p-no-traitor-holds.toml --seed 3 -o p2p.dot
  byzsim topology scenarios/signed-flood-p2p-no-traitor-holds.toml | dot -Tsvg > p2p.svg";

#[derive(Debug, Args)]
pub struct TopologyArgs {
    /// The scenario file; none draws the built-in default scenario's network.
    pub file: Option<PathBuf>,
    /// Graphviz DOT, the only format and the default (accepted for older scripts).
    #[arg(long, hide = true)]
    pub dot: bool,
    /// Write the DOT here instead of standard output.
    #[arg(short = 'o', long, value_name = "FILE.dot")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub scenario: ScenarioArgs,
}

/// Prints (or writes) the first trial's graph with its traitors; exit code 0.
pub(super) fn topology_command(args: TopologyArgs) -> Result<u8, InputError> {
    let files: Vec<PathBuf> = args.file.iter().cloned().collect();
    if let Some(out) = &args.out {
        let inputs: Vec<&std::path::Path> = files.iter().map(PathBuf::as_path).collect();
        check_distinct(&inputs, &[("--out", out.as_path())])?;
    }
    let no_limits = LimitArgs {
        max_messages: None,
        max_memory: None,
    };
    let mut overrides = args.scenario.overrides(&no_limits, None);
    // Only the first trial's graph is drawn: what all the trials together would cost is not paid.
    overrides.push(format!("limits.max_run_events={}", i64::MAX));
    let sc = load_all(&files, &overrides)
        .map_err(|e| args.scenario.name_flags(e, &no_limits, None))?
        .remove(0);
    let graph = topology_of(&sc, sc.seed)?;
    let traitors = traitors_of(&sc, sc.seed);
    let dot = graph.to_dot(&sc.name, &traitors);
    let out = args.out.unwrap_or_else(|| PathBuf::from("-"));
    write_atomically(&out, |w| w.write_all(dot.as_bytes()))?;
    if !crate::output::is_stdout(&out) {
        eprintln!("wrote {}", out.display());
    }
    Ok(0)
}
