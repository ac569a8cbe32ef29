//! `byzsim topology`: a scenario's network as Graphviz DOT, traitors marked.

use std::path::PathBuf;

use clap::Args;

use super::ScenarioArgs;
use crate::error::InputError;
use crate::output::print;
use crate::scenario::Scenario;
use crate::trial::{topology_of, traitors_of};

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

pub(super) fn topology_command(args: TopologyArgs) -> Result<u8, InputError> {
    let sc = Scenario::load(&args.file, &args.scenario.overrides(None))?;
    let graph = topology_of(&sc, sc.seed)?;
    let traitors = traitors_of(&sc, sc.seed);
    print(&graph.to_dot(&sc.name, &traitors))?;
    Ok(0)
}
