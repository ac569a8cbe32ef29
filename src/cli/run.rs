//! `byzsim run`: scenario files (or the built-in default) run trial by trial, a table per
//! scenario on standard output, the rows to `--out`, and the trace of trial 0 to `--trace`.

use std::path::{Path, PathBuf};

use clap::Args;

use super::{LimitArgs, ScenarioArgs, check_jobs, load_all};
use crate::error::InputError;
use crate::output::{Output, check_distinct, check_writable, print};
use crate::report::{Expectations, table};
use crate::run::run_scenario_streaming;
use crate::scenario::Scenario;
use crate::trial::traitors_of;

pub(super) const EXAMPLES: &str = "\
Examples:
  byzsim run scenarios/oral-om1-n4-t1-holds.toml
  byzsim run --set n=7 --set network.loss=0.05 --trials 50 -o lossy.csv
  byzsim run scenarios/oral-om1-n3-t1-impossible.toml --seed 1 --trials 1 --trace om.mmd";

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Scenario files; none runs the built-in default scenario.
    pub files: Vec<PathBuf>,
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    #[command(flatten)]
    pub limits: LimitArgs,
    /// Number of trials (overrides the file's `trials`).
    #[arg(long)]
    pub trials: Option<u64>,
    /// Write the per-trial CSV here, row by row as trials finish (`-`: standard output, and
    /// the tables go to standard error).
    #[arg(short = 'o', long, value_name = "FILE.csv")]
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
    /// Check the scenario's [expect] even on a replay of one trial (`--seed S --trials 1`),
    /// where it is otherwise not checked: one trial cannot show what a scenario expects of many.
    #[arg(long)]
    pub expect: bool,
}

impl RunArgs {
    /// A replay of one row: `--seed` given and one trial run, without `--expect`.
    fn is_replay(&self, sc: &Scenario) -> bool {
        self.scenario.seed.is_some() && sc.trials == 1 && !self.expect
    }
}

pub(super) fn run_command(args: RunArgs) -> Result<u8, InputError> {
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
    let scenarios = load_all(
        &args.files,
        &args.scenario.overrides(&args.limits, args.trials),
    )
    .map_err(|e| args.scenario.name_flags(e, &args.limits, args.trials))?;
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
        let expectations = if args.is_replay(sc) {
            Expectations::NotCheckedOnReplay
        } else {
            all_met &= result.all_met();
            Expectations::Checked
        };
        let text = format!("{}\n", table(sc, &result, expectations));
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
