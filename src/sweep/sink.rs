//! Where a sweep's per-trial rows go, and how `--resume` picks a sweep up.
//!
//! `--out FILE.csv` (a regular file) is written through a journal, `FILE.csv.partial`, with its
//! manifest beside it: cells are appended and flushed one by one in grid order, and when the
//! last one is on disk the journal is renamed over `FILE.csv` (and its manifest over
//! `FILE.csv.manifest.json`). So `FILE.csv` is always a whole sweep, the old one until the new
//! one is complete. The journal is locked while a sweep writes it: a second sweep on the same
//! `--out` is refused (exit 2) instead of interleaving rows.
//!
//! - Without `--resume`, the journal is a temporary file: SIGINT/SIGTERM remove it. (`kill -9`
//!   cannot; its journal is then there for `--resume`.)
//! - With `--resume`, the journal is kept on an interrupt, and the next `--resume` continues it:
//!   it reads the journal (or, if there is none, `FILE.csv`), refuses it unless its manifest
//!   describes this very sweep, keeps its complete cells (checking their seeds), cuts off a
//!   cell that was being written, and runs the rest. On a path that does not exist it starts.
//! - `-` or no `--out` is standard output, and a device or FIFO is written through: rows go out
//!   as cells finish; there is nothing to resume.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use csv::StringRecord;

use super::Planned;
use super::manifest::{Manifest, manifest_path};
use crate::error::InputError;
use crate::output::{Destination, Output, STDOUT, cleanup, create_parent, destination};
use crate::rng::trial_seed;

/// The journal a sweep writes before renaming it over `target`.
pub fn journal_path(target: &Path) -> PathBuf {
    let mut name = target.file_name().unwrap_or_default().to_os_string();
    name.push(".partial");
    target.with_file_name(name)
}

/// Where per-trial rows go.
pub(super) enum Sink {
    Stdout,
    Through(Output),
    Journal(Journal),
}

/// A locked journal beside its target.
pub(super) struct Journal {
    file: File,
    path: PathBuf,
    target: PathBuf,
    shown: String,
    /// Removed (with its manifest) if the sweep fails: it was not asked to be resumable.
    temporary: bool,
    renamed: bool,
}

impl Drop for Journal {
    fn drop(&mut self) {
        if self.temporary && !self.renamed {
            for path in [self.path.clone(), manifest_path(&self.path)] {
                let _ = std::fs::remove_file(&path);
                cleanup::unregister(&path);
            }
        }
    }
}

/// An opened sink, with what a resume kept: the number of planned cells done and their rows.
pub(super) struct Opened {
    pub sink: Sink,
    pub done: usize,
    pub rows: Vec<StringRecord>,
}

impl Sink {
    /// Opens the sink for `out` (standard output when `None`) and writes the header, or, with
    /// `resume`, reads back what an earlier run of this sweep finished.
    pub fn open(
        out: Option<&Path>,
        resume: bool,
        header: &StringRecord,
        manifest: &Manifest,
        planned: &[Planned],
    ) -> Result<Opened, InputError> {
        let dest = out.map_or(Ok(Destination::Stdout), destination)?;
        if resume && !matches!(dest, Destination::Replace(_)) {
            return Err(InputError::file(
                "--resume",
                "needs --out FILE.csv, a regular file, to resume",
            ));
        }
        let fresh = |mut sink: Sink| -> Result<Opened, InputError> {
            sink.append_raw(&csv_bytes(std::slice::from_ref(header)))?;
            Ok(Opened {
                sink,
                done: 0,
                rows: Vec::new(),
            })
        };
        let shown = out.map_or(STDOUT.to_string(), |p| p.display().to_string());
        match dest {
            Destination::Stdout => fresh(Sink::Stdout),
            Destination::Through(_) => fresh(Sink::Through(Output::create(Path::new(&shown))?)),
            Destination::Replace(target) => {
                let mut journal = Journal::lock(target, shown)?;
                if resume {
                    journal.resume(header, manifest, planned)
                } else {
                    journal.start(manifest)?;
                    fresh(Sink::Journal(journal))
                }
            }
        }
    }

    /// Appends whole cells' rows.
    pub fn append(&mut self, rows: &[StringRecord]) -> Result<(), InputError> {
        self.append_raw(&csv_bytes(rows))
    }

    /// One write and one flush: a cell is on disk whole or (if killed mid-write) cut off at the
    /// end, which `--resume` repairs.
    fn append_raw(&mut self, bytes: &[u8]) -> Result<(), InputError> {
        match self {
            Sink::Stdout => crate::output::print_bytes(bytes),
            Sink::Through(out) => out
                .write_all(bytes)
                .and_then(|()| out.flush())
                .map_err(|e| out.write_error(&e)),
            Sink::Journal(j) => j
                .file
                .write_all(bytes)
                .map_err(|e| InputError::io(j.path.display().to_string(), "cannot write", &e)),
        }
    }

    /// Puts the finished rows in place: the journal renamed over its target.
    pub fn finish(self) -> Result<(), InputError> {
        match self {
            Sink::Stdout => Ok(()),
            Sink::Through(out) => out.commit(),
            Sink::Journal(j) => j.finish(),
        }
    }
}

impl Journal {
    /// Opens and locks the journal of `target` (creating it and its directory if needed).
    fn lock(target: PathBuf, shown: String) -> Result<Journal, InputError> {
        create_parent(&target, &shown)?;
        let path = journal_path(&target);
        let io =
            |doing: &str, e: std::io::Error| InputError::io(path.display().to_string(), doing, &e);
        // Another sweep may rename the journal away between our open and our lock: then the
        // lock is on its finished file, and we open the journal path again.
        for _ in 0..100 {
            let file = OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(&path)
                .map_err(|e| io("cannot create the sweep's journal", e))?;
            match file.try_lock() {
                Ok(()) => {}
                Err(std::fs::TryLockError::WouldBlock) => {
                    return Err(InputError::file(
                        &shown,
                        format!(
                            "another byzsim sweep is writing it now ({} is locked); wait for it to end or give another --out",
                            path.display()
                        ),
                    ));
                }
                Err(std::fs::TryLockError::Error(e)) => {
                    return Err(io("cannot lock the sweep's journal", e));
                }
            }
            let held = file.metadata().map_err(|e| io("cannot look at it", e))?;
            let named = std::fs::metadata(&path);
            if named.is_ok_and(|m| m.ino() == held.ino() && m.dev() == held.dev()) {
                return Ok(Journal {
                    file,
                    path,
                    target,
                    shown,
                    temporary: false,
                    renamed: false,
                });
            }
        }
        Err(InputError::file(
            &shown,
            "its journal keeps changing under this sweep; is another sweep writing it?",
        ))
    }

    /// A fresh sweep: an empty journal with this sweep's manifest, both temporary.
    fn start(&mut self, manifest: &Manifest) -> Result<(), InputError> {
        self.temporary = true;
        cleanup::register(&self.path);
        cleanup::register(&manifest_path(&self.path));
        self.file
            .set_len(0)
            .map_err(|e| InputError::io(self.path.display().to_string(), "cannot empty it", &e))?;
        self.write_manifest(manifest)
    }

    fn write_manifest(&self, manifest: &Manifest) -> Result<(), InputError> {
        let path = manifest_path(&self.path);
        std::fs::write(&path, manifest.to_json())
            .map_err(|e| InputError::io(path.display().to_string(), "cannot write", &e))
    }

    /// Continues the journal, or the target when there is no journal, if its manifest is this
    /// sweep's; keeps its complete cells.
    fn resume(
        mut self,
        header: &StringRecord,
        manifest: &Manifest,
        planned: &[Planned],
    ) -> Result<Opened, InputError> {
        let journal = self.path.clone();
        let mut in_journal = self.read_all(&journal)?;
        if !in_journal.is_empty()
            && Manifest::read(&journal)?.is_none()
            && in_journal.iter().filter(|&&b| b == b'\n').count() <= 1
        {
            // A sweep killed before its manifest was written (builds before this order was
            // kept) left at most a header: nothing finished to keep, so start afresh.
            in_journal.clear();
        }
        let from_journal = !in_journal.is_empty();
        let (source, bytes) = if from_journal || !self.target.exists() {
            (journal, in_journal)
        } else {
            let target = self.target.clone();
            let bytes = self.read_all(&target)?;
            (target, bytes)
        };
        let name = source.display().to_string();
        let checked = match bytes.is_empty() {
            true => Ok((0, Vec::new(), 0)),
            false => verify(&source, manifest)
                .and_then(|()| complete_prefix(&bytes, planned, header, &name)),
        };
        let (done, rows, keep) = match checked {
            Ok(prefix) => prefix,
            Err(e) => {
                self.forget_if_empty();
                return Err(e);
            }
        };
        let io = |doing: &str, e: std::io::Error| {
            InputError::io(self.path.display().to_string(), doing, &e)
        };
        // The manifest goes first, before the journal holds a byte: a sweep killed at any
        // moment leaves a journal that is empty or has its manifest. A journal continued in place
        // keeps the manifest it was verified against (the same), never rewritten under it.
        if !from_journal {
            self.write_manifest(manifest)?;
        }
        if from_journal {
            self.file
                .set_len(keep)
                .map_err(|e| io("cannot cut it", e))?;
            self.file
                .seek(SeekFrom::End(0))
                .map_err(|e| io("cannot seek in it", e))?;
        } else {
            self.file.set_len(0).map_err(|e| io("cannot empty it", e))?;
            self.file
                .seek(SeekFrom::Start(0))
                .map_err(|e| io("cannot seek in it", e))?;
            self.file
                .write_all(&bytes[..keep as usize])
                .map_err(|e| io("cannot write", e))?;
        }
        if keep == 0 {
            self.file
                .write_all(&csv_bytes(std::slice::from_ref(header)))
                .map_err(|e| io("cannot write", e))?;
        }
        cleanup::note_kept(format!(
            "{} keeps the finished cells: run the same sweep with --resume to continue",
            self.path.display()
        ));
        Ok(Opened {
            sink: Sink::Journal(self),
            done,
            rows,
        })
    }

    fn read_all(&mut self, path: &Path) -> Result<Vec<u8>, InputError> {
        let fail = |e: std::io::Error| {
            InputError::io(path.display().to_string(), "cannot read it back", &e)
        };
        let mut bytes = Vec::new();
        if path == self.path {
            self.file.seek(SeekFrom::Start(0)).map_err(fail)?;
            self.file.read_to_end(&mut bytes).map_err(fail)?;
        } else {
            File::open(path)
                .and_then(|mut f| f.read_to_end(&mut bytes))
                .map_err(fail)?;
        }
        Ok(bytes)
    }

    /// Removes a journal this refused resume created (an empty one).
    fn forget_if_empty(&self) {
        if self.file.metadata().is_ok_and(|m| m.len() == 0) {
            let _ = std::fs::remove_file(&self.path);
        }
    }

    /// Syncs the journal and renames it (and its manifest) over the target.
    fn finish(mut self) -> Result<(), InputError> {
        let fail = |e: std::io::Error| InputError::io(&self.shown, "cannot write", &e);
        self.file.sync_all().map_err(fail)?;
        let (manifest, target_manifest) = (manifest_path(&self.path), manifest_path(&self.target));
        cleanup::commit(
            Some(&target_manifest),
            &[(&self.path, &self.target), (&manifest, &target_manifest)],
        )
        .map_err(fail)?;
        self.renamed = true;
        Ok(())
    }
}

/// Refuses a file to resume unless its manifest describes this sweep.
fn verify(file: &Path, this: &Manifest) -> Result<(), InputError> {
    let shown = file.display().to_string();
    let Some(found) = Manifest::read(file)? else {
        return Err(InputError::file(
            &shown,
            format!(
                "has no manifest ({}), so byzsim cannot tell which sweep wrote it; remove it or run without --resume to replace it",
                manifest_path(file).display()
            ),
        ));
    };
    let differences = found.differences(this, true);
    if differences.is_empty() {
        return Ok(());
    }
    Err(InputError::file(
        &shown,
        format!(
            "was written by a sweep with other settings ({}); refusing to mix the two: remove it or run without --resume to replace it",
            differences.join("; ")
        ),
    ))
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

/// Rows as CSV bytes.
pub fn csv_bytes(rows: &[StringRecord]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in rows {
        // Writing into memory cannot fail.
        let _ = w.write_record(r);
    }
    w.into_inner().unwrap_or_default()
}
