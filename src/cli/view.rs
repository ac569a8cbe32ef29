//! `byzsim view` (one trial as a page that steps through it) and `byzsim report` (a sweep's
//! summary as a page of figures and tables); the pages are built in [`crate::view`].

use std::path::PathBuf;

use clap::Args;

use super::{LimitArgs, ScenarioArgs};
use crate::error::InputError;
use crate::output::{check_distinct, check_writable};
use crate::scenario::Scenario;

pub(super) const VIEW_EXAMPLES: &str = "\
Examples:
  byzsim view scenarios/vote-n4-equivocating-traitor-breaks-agreement.toml -o v.html
  byzsim view scenarios/pow-double-spend-1-confirmation.toml --trial 3 -o fork.html
  byzsim view scenarios/bft-vs-pow-same-network.toml --protocol pow -o pow.html";

pub(super) const REPORT_EXAMPLES: &str = "\
Examples:
  byzsim sweep scenarios/oral-om2-n7-t2-holds.toml --n 3..=10 --t 0..=3 --out s.csv --summary sum.csv
  byzsim report sum.csv --manifest s.csv.manifest.json -o report.html";

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

/// Writes the page of one trial; exit code 0.
pub(super) fn view_command(args: ViewArgs) -> Result<u8, InputError> {
    check_distinct(&[args.file.as_path()], &[("--out", args.out.as_path())])?;
    let no_limits = LimitArgs {
        max_messages: None,
        max_memory: None,
    };
    let overrides = args.scenario.overrides(&no_limits, None);
    let sc = Scenario::load(&args.file, &overrides)
        .map_err(|e| args.scenario.name_flags(e, &no_limits, None))?;
    check_writable(&args.out)?;
    let choice = crate::view::choose(&sc, args.trial, args.protocol.as_deref())?;
    let mut command = format!("byzsim view {}", args.file.display());
    command.extend(args.scenario.seed.map(|s| format!(" --seed {s}")));
    command.push_str(&format!(" --trial {}", choice.trial));
    if sc.kinds.len() > 1 {
        command.push_str(&format!(" --protocol {}", choice.kind.name()));
    }
    for set in &args.scenario.sets {
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

/// Writes the page of a sweep's summary; exit code 0.
pub(super) fn report_command(args: ReportArgs) -> Result<u8, InputError> {
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
