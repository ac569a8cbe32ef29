//! `byzsim merge`: shards of one sweep back into the file the unsharded sweep would have
//! written. Rows carry their grid `cell`; a stable sort by cell restores grid order, and within a
//! cell the rows are already in trial order because one shard ran the whole cell.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use csv::StringRecord;

use super::write_summary;
use crate::error::InputError;
use crate::output::write_atomically;

/// Merges shard CSVs into `out` (and a summary, if asked).
pub fn merge(shards: &[PathBuf], out: &Path, summary: Option<&Path>) -> Result<usize, InputError> {
    if shards.is_empty() {
        return Err(InputError::file(
            "merge",
            "give the shard CSV files to merge",
        ));
    }
    let mut header: Option<StringRecord> = None;
    let mut rows: Vec<(u64, StringRecord)> = Vec::new();
    let mut owner: BTreeMap<u64, usize> = BTreeMap::new();
    for (i, path) in shards.iter().enumerate() {
        let name = path.display().to_string();
        let mut reader = csv::Reader::from_path(path)
            .map_err(|e| InputError::file(&name, format!("cannot read: {e}")))?;
        let h = reader
            .headers()
            .map_err(|e| InputError::file(&name, format!("not a CSV file: {e}")))?
            .clone();
        let cell_col = h
            .iter()
            .position(|c| c == "cell")
            .ok_or_else(|| InputError::file(&name, "has no `cell` column: not a sweep's CSV"))?;
        match &header {
            None => header = Some(h.clone()),
            Some(first) if *first != h => {
                return Err(InputError::file(
                    &name,
                    "its columns differ from the first shard's",
                ));
            }
            Some(_) => {}
        }
        for (line, record) in reader.records().enumerate() {
            let record =
                record.map_err(|e| InputError::file(&name, format!("row {}: {e}", line + 2)))?;
            let cell: u64 = record
                .get(cell_col)
                .and_then(|c| c.parse().ok())
                .ok_or_else(|| InputError::file(&name, format!("row {}: bad cell", line + 2)))?;
            match owner.get(&cell) {
                Some(&other) if other != i => {
                    return Err(InputError::file(
                        &name,
                        format!(
                            "cell {cell} is also in {}: the same shard twice?",
                            shards[other].display()
                        ),
                    ));
                }
                _ => {
                    owner.insert(cell, i);
                }
            }
            rows.push((cell, record));
        }
    }
    let header = header.unwrap_or_default();
    rows.sort_by_key(|(cell, _)| *cell);
    let rows: Vec<StringRecord> = rows.into_iter().map(|(_, r)| r).collect();
    write_atomically(out, |w| {
        let mut csv = csv::Writer::from_writer(w);
        csv.write_record(&header)?;
        for r in &rows {
            csv.write_record(r)?;
        }
        csv.flush()
    })?;
    if let Some(path) = summary {
        let after_cell = header.iter().skip_while(|c| *c != "cell").skip(1);
        let keys: Vec<String> = after_cell.map(str::to_string).collect();
        write_summary(path, &header, &rows, &keys)?;
    }
    Ok(rows.len())
}
