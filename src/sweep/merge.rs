//! `byzsim merge`: shards of one sweep back into the file the unsharded sweep would have
//! written. Rows carry their grid `cell`; a stable sort by cell restores grid order, and within a
//! cell the rows are already in trial order because one shard ran the whole cell.
//!
//! Nothing is spliced: every shard must have its manifest ([`super::manifest`]), the manifests
//! must describe one sweep, every shard 1..N must be there exactly once and complete (the cells
//! and row counts its manifest lists), and every CSV must have the sweep's columns. A summary
//! CSV given as a shard is named as such. The merged file gets the manifest the unsharded sweep
//! writes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use csv::StringRecord;

use super::manifest::{Manifest, ShardId, manifest_path};
use super::write_summary;
use crate::error::InputError;
use crate::output::{Output, check_distinct};

/// One shard, read and checked against its own manifest.
struct ShardFile {
    name: String,
    manifest: Manifest,
    header: StringRecord,
    rows: Vec<(u64, StringRecord)>,
}

/// Merges shard CSVs into `out` (and a summary, if asked).
pub fn merge(shards: &[PathBuf], out: &Path, summary: Option<&Path>) -> Result<usize, InputError> {
    if shards.is_empty() {
        return Err(InputError::file(
            "merge",
            "give the shard CSV files to merge",
        ));
    }
    let manifests: Vec<PathBuf> = shards.iter().map(|s| manifest_path(s)).collect();
    let mut inputs: Vec<&Path> = shards.iter().map(PathBuf::as_path).collect();
    inputs.extend(manifests.iter().map(PathBuf::as_path));
    let mut outputs = vec![("--out", out)];
    outputs.extend(summary.map(|s| ("--summary", s)));
    let sidecars = super::sidecars(out, false);
    outputs.extend(sidecars.iter().map(|(what, p)| (*what, p.as_path())));
    check_distinct(&inputs, &outputs)?;
    let mut out_file = Output::create(out)?;
    let out_manifest = match out_file.target() {
        Some(target) => Some(Output::create(&manifest_path(target))?),
        None => None,
    };
    let summary_out = summary.map(Output::create).transpose()?;

    let files: Vec<ShardFile> = shards
        .iter()
        .map(|p| read_shard(p))
        .collect::<Result<_, _>>()?;
    let first = &files[0];
    let mut by_shard: BTreeMap<ShardId, &str> = BTreeMap::new();
    for f in &files {
        if f.header != first.header {
            return Err(InputError::file(
                &f.name,
                format!("its columns differ from those of {}", first.name),
            ));
        }
        let differences = f.manifest.differences(&first.manifest, false);
        if !differences.is_empty() {
            return Err(InputError::file(
                &f.name,
                format!(
                    "is not a shard of the same sweep as {} ({})",
                    first.name,
                    differences.join("; ")
                ),
            ));
        }
        let id = shard_of(&f.manifest);
        if id.of != shard_of(&first.manifest).of {
            return Err(InputError::file(
                &f.name,
                format!(
                    "is shard {id}, but {} is a shard of {}",
                    first.name,
                    shard_of(&first.manifest).of
                ),
            ));
        }
        if let Some(other) = by_shard.insert(id, &f.name) {
            return Err(InputError::file(
                &f.name,
                format!("is shard {id}, and so is {other}: the same shard twice?"),
            ));
        }
    }
    let of = shard_of(&first.manifest).of;
    let missing: Vec<String> = (1..=of)
        .map(|k| ShardId { k, of })
        .filter(|id| !by_shard.contains_key(id))
        .map(|id| id.to_string())
        .collect();
    if !missing.is_empty() {
        return Err(InputError::file(
            "merge",
            format!(
                "shard(s) {} of this sweep are missing: merge needs all {of}",
                missing.join(", ")
            ),
        ));
    }

    let header = first.header.clone();
    let mut merged = first.manifest.clone();
    merged.shard = None;
    merged.cells = files
        .iter()
        .flat_map(|f| f.manifest.cells.clone())
        .collect();
    merged.cells.sort();
    let mut rows: Vec<(u64, StringRecord)> = files.into_iter().flat_map(|f| f.rows).collect();
    rows.sort_by_key(|(cell, _)| *cell);
    let rows: Vec<StringRecord> = rows.into_iter().map(|(_, r)| r).collect();
    let written = (|| {
        let mut csv = csv::Writer::from_writer(&mut out_file);
        csv.write_record(&header)?;
        for r in &rows {
            csv.write_record(r)?;
        }
        csv.flush()
    })();
    written.map_err(|e| out_file.write_error(&e))?;
    let out_manifest = match out_manifest {
        Some(mut m) => {
            std::io::Write::write_all(&mut m, merged.to_json().as_bytes())
                .map_err(|e| m.write_error(&e))?;
            Some(m)
        }
        None => None,
    };
    out_file.commit_with_sidecar(out_manifest)?;
    if let Some(summary_out) = summary_out {
        let after_cell = header.iter().skip_while(|c| *c != "cell").skip(1);
        let keys: Vec<String> = after_cell.map(str::to_string).collect();
        write_summary(summary_out, &header, &rows, &keys)?;
    }
    Ok(rows.len())
}

/// The shard a manifest describes; a whole sweep is shard 1 of 1.
fn shard_of(m: &Manifest) -> ShardId {
    m.shard.unwrap_or(ShardId { k: 1, of: 1 })
}

/// Reads a shard's CSV and manifest; refuses a summary CSV, a CSV without manifest, one whose
/// columns are not its manifest's, and one that does not hold exactly its manifest's cells.
fn read_shard(path: &Path) -> Result<ShardFile, InputError> {
    let name = path.display().to_string();
    let mut reader = crate::input::open_csv(path)
        .map_err(|e| InputError::file(&name, format!("cannot read: {e}")))?;
    let header = reader
        .headers()
        .map_err(|e| InputError::file(&name, format!("not a CSV file: {e}")))?
        .clone();
    if header.iter().any(|c| c == "agreement_rate") {
        return Err(InputError::file(
            &name,
            "is a summary CSV (one row per cell), not a shard's per-trial rows: give the files the shards wrote with --out",
        ));
    }
    let cell_col = header
        .iter()
        .position(|c| c == "cell")
        .ok_or_else(|| InputError::file(&name, "has no `cell` column: not a sweep's CSV"))?;
    let manifest = Manifest::read(path)?.ok_or_else(|| {
        InputError::file(
            &name,
            format!(
                "has no manifest ({}): merge takes the files `byzsim sweep --shard K/N --out FILE.csv` writes, each with its manifest beside it",
                manifest_path(path).display()
            ),
        )
    })?;
    if header
        .iter()
        .ne(manifest.columns.iter().map(String::as_str))
    {
        return Err(InputError::file(
            &name,
            "its columns differ from those its manifest lists",
        ));
    }
    let mut rows = Vec::new();
    let mut cells: Vec<[u64; 2]> = Vec::new();
    for (line, record) in reader.records().enumerate() {
        let record =
            record.map_err(|e| InputError::file(&name, format!("row {}: {e}", line + 2)))?;
        let cell: u64 = record
            .get(cell_col)
            .and_then(|c| c.parse().ok())
            .ok_or_else(|| InputError::file(&name, format!("row {}: bad cell", line + 2)))?;
        match cells.last_mut() {
            Some([last, count]) if *last == cell => *count += 1,
            _ => cells.push([cell, 1]),
        }
        rows.push((cell, record));
    }
    if cells != manifest.cells {
        let why = if (rows.len() as u64) < manifest.rows() {
            "incomplete (an interrupted sweep? finish it with the same command and --resume)"
        } else {
            "not what its manifest lists"
        };
        return Err(InputError::file(
            &name,
            format!(
                "is {why}: {} rows in {} cells, where its manifest lists {} rows in {} cells",
                rows.len(),
                cells.len(),
                manifest.rows(),
                manifest.cells.len()
            ),
        ));
    }
    Ok(ShardFile {
        name,
        manifest,
        header,
        rows,
    })
}
