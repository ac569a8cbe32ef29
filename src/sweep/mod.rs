//! `byzsim sweep`: a scenario over a grid of n, t and any other keys, run in parallel, streamed
//! to CSV cell by cell in grid order, resumable after an interruption, and shardable across
//! machines with `byzsim merge` putting the shards back together byte for byte.
//!
//! - Each cell is the scenario with `--set n=… t=… KEY=…` applied and validated; cells the
//!   scenario cannot have (t ≥ n, an odd n × degree, …) are skipped and counted on stderr.
//! - A cell's master seed comes from the sweep seed and the cell's own settings
//!   ([`grid::Cell::seed`]); a row's `seed` replays it with
//!   `byzsim run FILE --set n=N --set t=T [--set KEY=V] --seed SEED --trials 1`.
//! - Cells run in chunks: within a chunk all trials of all cells run in parallel (rayon), then
//!   the chunk's cells are appended to the CSV in grid order, one write and one flush per cell.
//!   Output bytes do not depend on `--jobs`.
//! - `--out FILE.csv` is written through a locked journal renamed into place at the end, with a
//!   manifest beside it ([`manifest`]); `--resume` continues a journal (or file) only when its
//!   manifest is this sweep's, keeps its complete cells (their seeds are checked), cuts off a
//!   cell that was being written when the sweep died, and runs the rest ([`sink`]).
//! - Every output is opened before the first trial runs; an output that is an input, or two
//!   outputs on one path, are refused first of all.

pub mod grid;
pub mod manifest;
pub mod merge;
pub mod sink;
pub mod summary;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Instant;

use csv::StringRecord;
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;

use crate::error::InputError;
use crate::output::{Output, check_distinct, is_stdout};
use crate::protocol::Kind;
use crate::record::RunRecord;
use crate::rng::trial_seed;
use crate::scenario::{Scenario, ScenarioText};
use crate::trial::{TrialResult, run_kinds};
use grid::{Cell, Shard, Vary};
use manifest::{Manifest, sha256_hex, vary_values};
use sink::Sink;

/// A planned cell keeps its fixed graph up to this many edges (a few megabytes).
const KEEP_GRAPH_EDGES: usize = 100_000;

/// What `byzsim sweep` was asked to do.
#[derive(Clone, Debug)]
pub struct SweepOptions {
    pub file: PathBuf,
    pub n: Vec<u64>,
    pub t: Vec<u64>,
    pub vary: Vec<Vary>,
    pub sets: Vec<String>,
    pub seed: Option<u64>,
    pub trials: Option<u64>,
    pub jobs: Option<usize>,
    pub out: Option<PathBuf>,
    pub summary: Option<PathBuf>,
    pub shard: Option<Shard>,
    pub resume: bool,
    /// Show a progress bar (when stderr is a terminal).
    pub progress: bool,
}

/// What a sweep did, for the closing line on stderr.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SweepReport {
    pub cells: usize,
    pub skipped: usize,
    /// Why cells were skipped: one entry per key at fault, in the order first met.
    pub skips: Vec<Skip>,
    pub resumed: usize,
    pub ran: usize,
    pub trials: u64,
    pub seconds: f64,
}

/// The cells skipped for one key.
#[derive(Clone, Debug, PartialEq)]
pub struct Skip {
    /// The key at fault (`t`, `network.degree`), or the file when none is named.
    pub key: String,
    pub count: usize,
    /// The first such cell and its error.
    pub first: String,
}

impl SweepReport {
    /// The skips counted by reason: `4 for `t` (first: n=3, t=3: ...), 2 for ...`.
    pub fn skip_reasons(&self) -> String {
        self.skips
            .iter()
            .map(|s| format!("{} for `{}` (first: {})", s.count, s.key, s.first))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn skip(&mut self, key: String, first: impl FnOnce() -> String) {
        self.skipped += 1;
        match self.skips.iter_mut().find(|s| s.key == key) {
            Some(s) => s.count += 1,
            None => self.skips.push(Skip {
                key,
                count: 1,
                first: first(),
            }),
        }
    }
}

/// An error about a cell, naming the sweep's flag that set the key at fault (`--t`, `--vary
/// network.loss`) rather than the `--set` the sweep made of it.
fn blame_flag(e: InputError, vary: &[Vary]) -> InputError {
    let Some(key) = e.key.clone() else {
        return e;
    };
    let flag = match key.as_str() {
        "n" => "--n".to_string(),
        "t" => "--t".to_string(),
        k if vary.iter().any(|v| v.key == k) => format!("--vary {k}"),
        _ => return e,
    };
    crate::scenario::source::blame_flag(e, &key, &flag)
}

/// An error in one `--vary` value, said to come from `--vary` (the sweep turned the value into a
/// `--set` to check it; an error in the file itself keeps naming the file).
fn vary_error(mut e: InputError, v: &Vary, value: &str) -> InputError {
    if e.file != "--set" {
        return InputError::file("--vary", e.to_string());
    }
    let spec = format!("{}={}", v.key, v.values.join(","));
    e.file = "--vary".to_string();
    e.message = e
        .message
        .replace(
            &format!("(in --set {}={value})", v.key),
            &format!("(in --vary {spec})"),
        )
        .replace("(set by --set", "(set by --vary");
    e
}

/// A cell of this shard with its validated scenario.
struct Planned {
    cell: Cell,
    scenario: Scenario,
}

impl Planned {
    fn rows(&self) -> u64 {
        self.scenario.trials * self.scenario.kinds.len() as u64
    }
}

/// The per-trial CSV header of a sweep.
pub fn trial_header(vary: &[Vary]) -> StringRecord {
    let mut h = RunRecord::header();
    h.push_field("cell");
    for v in vary {
        h.push_field(&v.key);
    }
    h
}

/// The cells of this shard with their scenarios, the report so far, and the manifest of the
/// per-trial CSV.
fn plan(opts: &SweepOptions) -> Result<(Vec<Planned>, SweepReport, Manifest), InputError> {
    let text = ScenarioText::read(&opts.file)?;
    let mut base = opts.sets.clone();
    base.extend(opts.trials.map(|t| format!("trials={t}")));
    // Syntax, types and unknown keys are the same for every cell: fail once, early.
    let raw = text.check_syntax(&base)?;
    if opts.trials == Some(0) {
        return Err(InputError::file("--trials", "must be at least 1"));
    }
    for (i, v) in opts.vary.iter().enumerate() {
        if opts.vary[..i].iter().any(|earlier| earlier.key == v.key) {
            // The later list would win in every cell while both columns claimed their own.
            return Err(InputError::file(
                "--vary",
                format!("`{}` is varied twice; give its values in one --vary", v.key),
            ));
        }
        for value in &v.values {
            let mut sets = base.clone();
            sets.push(format!("{}={value}", v.key));
            text.check_syntax(&sets)
                .map_err(|e| vary_error(e, v, value))?;
        }
    }
    let master = opts.seed.or(raw.seed).unwrap_or(0);
    let count = grid::cell_count(&opts.n, &opts.t, &opts.vary);
    let shards = opts.shard.map_or(1, |s| s.of as u128);
    if count.div_ceil(shards) > grid::MAX_CELLS {
        return Err(InputError::file(
            "--n/--t/--vary",
            format!(
                "the grid has {count} cells ({} per shard), more than a sweep plans ({}): narrow the ranges, or split it with --shard K/N (N >= {})",
                count.div_ceil(shards),
                grid::MAX_CELLS,
                count.div_ceil(grid::MAX_CELLS)
            ),
        ));
    }
    let mut report = SweepReport {
        cells: count as usize,
        ..SweepReport::default()
    };
    let mut planned = Vec::new();
    // The protocols a `--vary protocol.kind` runs: a key of the file that applies to one of
    // them is not refused in the cells of the others.
    let family: Vec<Kind> = (opts.vary.iter())
        .filter(|v| v.key == "protocol.kind")
        .flat_map(|v| v.values.iter().filter_map(|k| Kind::parse(k)))
        .collect();
    let (first, step) = opts.shard.map_or((0, 1), |s| (s.k - 1, s.of));
    for index in (first as u128..count).step_by(step) {
        let cell = grid::cell_at(&opts.n, &opts.t, &opts.vary, index);
        let mut sets = base.clone();
        sets.extend(cell.overrides(&opts.vary));
        sets.push(format!("seed={}", cell.seed(master, &opts.vary)));
        match Scenario::parse_in_family(&text.file, &text.stem, &text.text, &sets, &family) {
            Ok(mut scenario) => {
                // A planned cell keeps no large graph: each trial builds its own (as for a random
                // one), so a grid of large graphs does not sit in memory before it runs. A small
                // one is kept, with what was found of it once (connectivity, disjoint paths).
                if scenario.network.edges > KEEP_GRAPH_EDGES {
                    scenario.network.fixed = None;
                    scenario.network.routes.clear();
                }
                planned.push(Planned { cell, scenario })
            }
            Err(e) => {
                let e = blame_flag(e, &opts.vary);
                let key = e.key.clone().unwrap_or_else(|| e.file.clone());
                report.skip(key, || {
                    format!("{}: {e}", cell.overrides(&opts.vary).join(", "))
                });
            }
        }
    }
    if planned.is_empty() && report.skipped > 0 && opts.shard.is_none() {
        return Err(InputError::file(
            &text.file,
            format!(
                "no cell of the grid can run: {} refused, {}",
                report.skipped,
                report.skip_reasons()
            ),
        ));
    }
    let manifest = Manifest {
        byzsim: env!("CARGO_PKG_VERSION").to_string(),
        scenario_file: Path::new(&text.file)
            .file_name()
            .map_or(text.file.clone(), |f| f.to_string_lossy().into_owned()),
        scenario_sha256: sha256_hex(&text.text),
        n: opts.n.clone(),
        t: opts.t.clone(),
        vary: vary_values(&opts.vary),
        sets: opts.sets.clone(),
        trials: raw.trials.unwrap_or(1),
        seed: master,
        shard: opts.shard.map(Into::into),
        columns: trial_header(&opts.vary)
            .iter()
            .map(str::to_string)
            .collect(),
        cells: planned
            .iter()
            .map(|p| [p.cell.index as u64, p.rows()])
            .collect(),
    };
    Ok((planned, report, manifest))
}

/// Runs a sweep. Rows go to `--out` (or stdout), the summary to `--summary`.
pub fn sweep(opts: &SweepOptions) -> Result<SweepReport, InputError> {
    check_outputs(opts)?;
    let (planned, mut report, manifest) = plan(opts)?;
    let header = trial_header(&opts.vary);
    let summary_out = opts.summary.as_deref().map(Output::create).transpose()?;
    let opened = Sink::open(
        opts.out.as_deref(),
        opts.resume,
        &header,
        &manifest,
        &planned,
    )?;
    let mut sink = opened.sink;
    let mut rows = opened.rows;
    let start_at = opened.done;
    report.resumed = start_at;
    let pending = &planned[start_at..];
    let total: u64 = pending.iter().map(Planned::rows).sum();
    let bar = progress_bar(opts.progress, total);
    #[allow(clippy::disallowed_methods)] // wall time for the closing trials/s line only
    let started = Instant::now();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.jobs.unwrap_or(0))
        .build()
        .map_err(|e| InputError::file("--jobs", e.to_string()))?;
    let chunk_rows = 64.max(32 * pool.current_num_threads() as u64);
    let mut next = 0;
    while next < pending.len() {
        let mut end = next;
        let mut size = 0;
        while end < pending.len() && (size == 0 || size < chunk_rows) {
            size += pending[end].rows();
            end += 1;
        }
        let chunk = &pending[next..end];
        let records = pool.install(|| run_chunk(chunk))?;
        for (cell, cell_rows) in chunk.iter().zip(records) {
            let fields: Vec<StringRecord> =
                cell_rows.iter().map(|r| sweep_row(r, &cell.cell)).collect();
            sink.append(&fields)?;
            rows.extend(fields);
            report.ran += 1;
            report.trials += cell.rows();
            bar.inc(cell.rows());
            bar.set_message(format!("cells {}/{}", start_at + report.ran, planned.len()));
        }
        next = end;
    }
    bar.finish_and_clear();
    report.seconds = started.elapsed().as_secs_f64();
    sink.finish()?;
    if let Some(out) = summary_out {
        let keys: Vec<String> = opts.vary.iter().map(|v| v.key.clone()).collect();
        write_summary(out, &header, &rows, &keys)?;
    }
    Ok(report)
}

/// Refuses, before anything runs, an output that is the scenario file, one path for both
/// outputs, and a summary on standard output when the rows go there too.
fn check_outputs(opts: &SweepOptions) -> Result<(), InputError> {
    let stdout = Path::new("-");
    let out = opts.out.as_deref().unwrap_or(stdout);
    let mut outputs = vec![("--out", out)];
    outputs.extend(opts.summary.as_deref().map(|s| ("--summary", s)));
    if opts.out.is_none() && opts.summary.as_deref().is_some_and(is_stdout) {
        return Err(InputError::file(
            "--summary -",
            "the per-trial rows go to standard output too (no --out); give --out FILE.csv (or --out /dev/null)",
        ));
    }
    let sidecars = sidecars(out, true);
    outputs.extend(sidecars.iter().map(|(what, p)| (*what, p.as_path())));
    check_distinct(&[opts.file.as_path()], &outputs)
}

/// The files byzsim writes beside a per-trial CSV `out` (a regular file): its manifest and,
/// for a sweep, its journal and the journal's manifest. No other output may take their names.
pub fn sidecars(out: &Path, journal: bool) -> Vec<(&'static str, PathBuf)> {
    if is_stdout(out)
        || crate::output::destination(out)
            .is_ok_and(|d| !matches!(d, crate::output::Destination::Replace(_)))
    {
        return Vec::new();
    }
    let mut all = vec![("the manifest of --out", manifest::manifest_path(out))];
    if journal {
        let j = sink::journal_path(out);
        all.push((
            "the manifest of --out's journal",
            manifest::manifest_path(&j),
        ));
        all.push(("the journal of --out", j));
    }
    all
}

/// Writes the summary CSV of `rows` to `out` and commits it.
pub fn write_summary(
    mut out: Output,
    header: &StringRecord,
    rows: &[StringRecord],
    vary_keys: &[String],
) -> Result<(), InputError> {
    let summary = summary::summarise(header, rows, vary_keys);
    let written = (|| {
        let mut csv = csv::Writer::from_writer(&mut out);
        csv.write_record(&summary::header(vary_keys))?;
        for row in &summary {
            csv.write_record(row)?;
        }
        csv.flush()
    })();
    written.map_err(|e| out.write_error(&e))?;
    out.commit()
}

/// Runs every trial of every cell of a chunk in parallel; results per cell, in trial order.
fn run_chunk(chunk: &[Planned]) -> Result<Vec<Vec<RunRecord>>, InputError> {
    let jobs: Vec<(usize, u64)> = chunk
        .iter()
        .enumerate()
        .flat_map(|(c, p)| (0..p.scenario.trials).map(move |trial| (c, trial)))
        .collect();
    let records: Vec<(usize, Vec<TrialResult>)> = jobs
        .par_iter()
        .map(|&(c, trial)| {
            let sc = &chunk[c].scenario;
            run_kinds(sc, trial, trial_seed(sc.seed, trial)).map(|r| (c, r))
        })
        .collect::<Result<_, _>>()?;
    let mut per_cell: Vec<Vec<RunRecord>> = vec![Vec::new(); chunk.len()];
    for (c, results) in records {
        per_cell[c].extend(results.into_iter().map(|r| r.record));
    }
    Ok(per_cell)
}

fn sweep_row(record: &RunRecord, cell: &Cell) -> StringRecord {
    let mut row = record.to_string_record();
    row.push_field(&cell.index.to_string());
    for v in &cell.vary {
        row.push_field(v);
    }
    row
}

fn progress_bar(wanted: bool, total: u64) -> ProgressBar {
    if !wanted || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total);
    if let Ok(style) =
        ProgressStyle::with_template("{bar:30} {pos}/{len} trials, {msg}, {per_sec}, {eta} left")
    {
        bar.set_style(style);
    }
    bar
}
