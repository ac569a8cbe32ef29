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
//! - `--resume` reads the CSV back, keeps the complete cells that match this sweep (their seeds
//!   are checked), cuts off a cell that was being written when the sweep died, and runs the rest.

pub mod grid;
pub mod merge;
pub mod summary;

use std::fs::{File, OpenOptions};
use std::io::{IsTerminal, Read, Seek, SeekFrom, Write};
use std::path::PathBuf;
use std::time::Instant;

use csv::StringRecord;
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;

use crate::error::InputError;
use crate::output::write_atomically;
use crate::record::RunRecord;
use crate::rng::trial_seed;
use crate::scenario::{Scenario, ScenarioText};
use crate::trial::{TrialResult, run_kinds};
use grid::{Cell, Shard, Vary};

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
    pub first_skip: Option<String>,
    pub resumed: usize,
    pub ran: usize,
    pub trials: u64,
    pub seconds: f64,
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

fn plan(opts: &SweepOptions) -> Result<(Vec<Planned>, SweepReport), InputError> {
    let text = ScenarioText::read(&opts.file)?;
    let mut base = opts.sets.clone();
    base.extend(opts.trials.map(|t| format!("trials={t}")));
    // Syntax, types and unknown keys are the same for every cell: fail once, early.
    let raw = text.check_syntax(&base)?;
    if opts.trials == Some(0) {
        return Err(InputError::file("--trials", "must be at least 1"));
    }
    for v in &opts.vary {
        for value in &v.values {
            let mut sets = base.clone();
            sets.push(format!("{}={value}", v.key));
            text.check_syntax(&sets)
                .map_err(|e| InputError::file("--vary", e.to_string()))?;
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
    let (first, step) = opts.shard.map_or((0, 1), |s| (s.k - 1, s.of));
    for index in (first as u128..count).step_by(step) {
        let cell = grid::cell_at(&opts.n, &opts.t, &opts.vary, index);
        let mut sets = base.clone();
        sets.extend(cell.overrides(&opts.vary));
        sets.push(format!("seed={}", cell.seed(master, &opts.vary)));
        match Scenario::parse(&text.file, &text.stem, &text.text, &sets) {
            Ok(mut scenario) => {
                // A planned cell keeps no graph: each trial builds its own (as for a random one),
                // so a grid of large complete graphs does not sit in memory before it runs.
                scenario.network.fixed = None;
                planned.push(Planned { cell, scenario })
            }
            Err(e) => {
                report.skipped += 1;
                if report.first_skip.is_none() {
                    let at = cell.overrides(&opts.vary).join(", ");
                    report.first_skip = Some(format!("{at}: {e}"));
                }
            }
        }
    }
    if planned.is_empty() && report.skipped > 0 && opts.shard.is_none() {
        return Err(InputError::file(
            &text.file,
            format!(
                "no cell of the grid can run ({} refused; first: {})",
                report.skipped,
                report.first_skip.as_deref().unwrap_or("")
            ),
        ));
    }
    Ok((planned, report))
}

/// Runs a sweep. Rows go to `--out` (or stdout), the summary to `--summary`.
pub fn sweep(opts: &SweepOptions) -> Result<SweepReport, InputError> {
    let (planned, mut report) = plan(opts)?;
    let header = trial_header(&opts.vary);
    let mut sink = Sink::open(opts, &header)?;
    let mut rows: Vec<StringRecord> = Vec::new();
    let mut start_at = 0;
    if opts.resume {
        let (done, kept) = sink.resume(&planned, &header)?;
        start_at = done;
        report.resumed = done;
        rows = kept;
    }
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
    if let Some(path) = &opts.summary {
        let keys: Vec<String> = opts.vary.iter().map(|v| v.key.clone()).collect();
        write_summary(path, &header, &rows, &keys)?;
    }
    Ok(report)
}

/// Writes the summary CSV of `rows` atomically.
pub fn write_summary(
    path: &std::path::Path,
    header: &StringRecord,
    rows: &[StringRecord],
    vary_keys: &[String],
) -> Result<(), InputError> {
    let summary = summary::summarise(header, rows, vary_keys);
    write_atomically(path, |w| {
        let mut csv = csv::Writer::from_writer(w);
        csv.write_record(&summary::header(vary_keys))?;
        for row in &summary {
            csv.write_record(row)?;
        }
        csv.flush()
    })
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

/// Where per-trial rows go: an append-only file (flushed cell by cell) or stdout.
enum Sink {
    File { file: File, path: PathBuf },
    Stdout(std::io::Stdout),
}

impl Sink {
    fn open(opts: &SweepOptions, header: &StringRecord) -> Result<Sink, InputError> {
        let Some(path) = &opts.out else {
            if opts.resume {
                return Err(InputError::file(
                    "--resume",
                    "needs --out FILE.csv to resume",
                ));
            }
            let mut sink = Sink::Stdout(std::io::stdout());
            sink.append_raw(&csv_bytes(std::slice::from_ref(header)))?;
            return Ok(sink);
        };
        let shown = path.display().to_string();
        let fail = |e: std::io::Error| InputError::file(&shown, format!("cannot write: {e}"));
        if path.is_dir() {
            return Err(InputError::file(
                &shown,
                "is a directory; give a file name for --out",
            ));
        }
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(fail)?;
        }
        if opts.resume && path.exists() {
            let file = OpenOptions::new()
                .read(true)
                .write(true)
                .open(path)
                .map_err(fail)?;
            return Ok(Sink::File {
                file,
                path: path.clone(),
            });
        }
        let file = File::create(path).map_err(fail)?;
        let mut sink = Sink::File {
            file,
            path: path.clone(),
        };
        sink.append_raw(&csv_bytes(std::slice::from_ref(header)))?;
        Ok(sink)
    }

    fn append(&mut self, rows: &[StringRecord]) -> Result<(), InputError> {
        self.append_raw(&csv_bytes(rows))
    }

    /// One write and one flush: a cell is on disk whole or (if killed mid-write) cut off at the
    /// end, which `--resume` repairs.
    fn append_raw(&mut self, bytes: &[u8]) -> Result<(), InputError> {
        let result = match self {
            Sink::File { file, .. } => file.write_all(bytes).and_then(|_| file.flush()),
            Sink::Stdout(out) => {
                let mut lock = out.lock();
                lock.write_all(bytes).and_then(|_| lock.flush())
            }
        };
        result.map_err(|e| InputError::file(self.name(), format!("cannot write: {e}")))
    }

    fn name(&self) -> String {
        match self {
            Sink::File { path, .. } => path.display().to_string(),
            Sink::Stdout(_) => "<stdout>".to_string(),
        }
    }

    fn finish(&mut self) -> Result<(), InputError> {
        if let Sink::File { file, .. } = self {
            file.sync_all()
                .map_err(|e| InputError::file(self.name(), format!("cannot write: {e}")))?;
        }
        Ok(())
    }

    /// Reads back a sweep file: returns how many planned cells it holds complete and their rows,
    /// and cuts the file after the last complete cell.
    fn resume(
        &mut self,
        planned: &[Planned],
        header: &StringRecord,
    ) -> Result<(usize, Vec<StringRecord>), InputError> {
        let name = self.name();
        let Sink::File { file, .. } = self else {
            return Ok((0, Vec::new()));
        };
        let fail = |e: std::io::Error| InputError::file(&name, format!("cannot read it back: {e}"));
        let mut bytes = Vec::new();
        file.seek(SeekFrom::Start(0)).map_err(fail)?;
        file.read_to_end(&mut bytes).map_err(fail)?;
        let (done, rows, keep) = complete_prefix(&bytes, planned, header, &name)?;
        file.set_len(keep).map_err(fail)?;
        file.seek(SeekFrom::End(0)).map_err(fail)?;
        if keep == 0 {
            file.write_all(&csv_bytes(std::slice::from_ref(header)))
                .map_err(fail)?;
        }
        Ok((done, rows))
    }
}

/// The longest prefix of `bytes` made of the header and complete planned cells: how many cells,
/// their rows, and the byte length to keep (0 when even the header is missing).
fn complete_prefix(
    bytes: &[u8],
    planned: &[Planned],
    header: &StringRecord,
    name: &str,
) -> Result<(usize, Vec<StringRecord>, u64), InputError> {
    // A row cut off by a kill has no final newline: ignore it.
    let whole = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(&bytes[..whole]);
    let mut records = reader.records();
    match records.next() {
        Some(Ok(h)) if &h == header => {}
        None => return Ok((0, Vec::new(), 0)),
        _ => {
            return Err(InputError::file(
                name,
                "was not written by this sweep (its columns differ); remove it or drop --resume",
            ));
        }
    }
    let mut keep = reader_position(&records);
    let seed_col = header.iter().position(|h| h == "seed").unwrap_or(0);
    let cell_col = header.iter().position(|h| h == "cell").unwrap_or(0);
    let mut rows = Vec::new();
    let mut done = 0;
    'cells: for p in planned {
        let mut cell_rows = Vec::new();
        for i in 0..p.rows() {
            let Some(Ok(row)) = records.next() else {
                break 'cells;
            };
            let trial = i / p.scenario.kinds.len() as u64;
            let expected_seed = trial_seed(p.scenario.seed, trial).to_string();
            let matches = row.len() == header.len()
                && row.get(cell_col) == Some(p.cell.index.to_string().as_str())
                && row.get(seed_col) == Some(expected_seed.as_str());
            if !matches {
                if row.len() == header.len()
                    && row.get(cell_col) == Some(p.cell.index.to_string().as_str())
                {
                    return Err(InputError::file(
                        name,
                        format!(
                            "cell {} in it was run with other settings (seed or trials differ); remove it or drop --resume",
                            p.cell.index
                        ),
                    ));
                }
                break 'cells;
            }
            cell_rows.push(row);
        }
        rows.extend(cell_rows);
        keep = reader_position(&records);
        done += 1;
    }
    Ok((done, rows, keep))
}

fn reader_position(records: &csv::StringRecordsIter<&[u8]>) -> u64 {
    records.reader().position().byte()
}

fn csv_bytes(rows: &[StringRecord]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in rows {
        // Writing into memory cannot fail.
        let _ = w.write_record(r);
    }
    w.into_inner().unwrap_or_default()
}
