//! The rows a plot is drawn from: a CSV (or rows already in memory), filtered by `--where`,
//! with the numbers read strictly (`true`/`false` are 1/0, empty is missing, NaN and
//! infinities are refused).

use std::path::Path;

use crate::error::InputError;

/// A table with a header, after filtering.
#[derive(Clone, Debug)]
pub struct Table {
    /// The name errors give (the CSV's path).
    pub file: String,
    pub header: Vec<String>,
    pub rows: Vec<csv::StringRecord>,
}

impl Table {
    /// Reads the CSV at `path`.
    pub fn read(path: &Path) -> Result<Table, InputError> {
        let file = path.display().to_string();
        let mut reader = crate::input::open_csv(path)
            .map_err(|e| InputError::file(&file, format!("cannot read: {e}")))?;
        let header: Vec<String> = reader
            .headers()
            .map_err(|e| InputError::file(&file, format!("not a CSV file: {e}")))?
            .iter()
            .map(str::to_string)
            .collect();
        let mut rows = Vec::new();
        for (i, row) in reader.records().enumerate() {
            rows.push(row.map_err(|e| InputError::file(&file, format!("row {}: {e}", i + 2)))?);
        }
        Ok(Table { file, header, rows })
    }

    /// Keeps the rows where every `COL=VALUE` filter holds; no rows left is an error.
    pub fn filter(mut self, filters: &[String]) -> Result<Table, InputError> {
        let filters: Vec<(usize, String)> = filters
            .iter()
            .map(|f| {
                let (col, value) = f.split_once('=').ok_or_else(|| {
                    InputError::file("--where", format!("`{f}` is not COL=VALUE"))
                })?;
                Ok((self.column(col.trim())?, value.trim().to_string()))
            })
            .collect::<Result<_, InputError>>()?;
        self.rows
            .retain(|row| filters.iter().all(|(c, v)| row.get(*c) == Some(v.as_str())));
        if self.rows.is_empty() {
            return Err(InputError::file(
                &self.file,
                "no rows to plot (after --where)",
            ));
        }
        Ok(self)
    }

    /// The index of column `name`; an error naming it and listing the columns otherwise.
    pub fn column(&self, name: &str) -> Result<usize, InputError> {
        self.header.iter().position(|h| h == name).ok_or_else(|| {
            self.error(
                name,
                format!(
                    "no such column; the columns are: {}",
                    self.header.join(", ")
                ),
            )
        })
    }

    /// The index of column `name`, if there is one.
    pub fn has(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h == name)
    }

    /// An error about column `key` of this file.
    pub fn error(&self, key: &str, message: String) -> InputError {
        InputError {
            file: self.file.clone(),
            line: None,
            col: None,
            key: Some(key.to_string()),
            message,
        }
    }

    /// The text in column `c` of `row`.
    pub fn text<'r>(&self, row: &'r csv::StringRecord, c: usize) -> &'r str {
        row.get(c).unwrap_or("").trim()
    }

    /// The number in column `c` of `row`: `true`/`false` count as 1/0; empty is `None`; NaN or
    /// an infinity is an error.
    pub fn number(&self, row: &csv::StringRecord, c: usize) -> Result<Option<f64>, InputError> {
        let text = self.text(row, c);
        match text {
            "" => Ok(None),
            "true" => Ok(Some(1.0)),
            "false" => Ok(Some(0.0)),
            // NaN and infinities cannot be placed on an axis or a colour scale: refused.
            _ => text
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .map(Some)
                .ok_or_else(|| {
                    self.error(&self.header[c], format!("`{text}` is not a finite number"))
                }),
        }
    }

    /// Whether every non-empty value of column `c` is `true` or `false`.
    pub fn is_boolean(&self, c: usize) -> bool {
        let mut any = false;
        for row in &self.rows {
            match self.text(row, c) {
                "" => {}
                "true" | "false" => any = true,
                _ => return false,
            }
        }
        any
    }

    /// The distinct values of column `c` in plotting order: numerically if every value is a
    /// number, else as text.
    pub fn distinct(&self, c: usize) -> Vec<String> {
        let mut v: Vec<String> = self
            .rows
            .iter()
            .map(|r| self.text(r, c).to_string())
            .collect();
        sort_values(&mut v);
        v
    }
}

/// Sorts and de-duplicates values: numerically if all are numbers, else as text.
pub fn sort_values(v: &mut Vec<String>) {
    let numeric = v.iter().all(|s| s.parse::<f64>().is_ok_and(f64::is_finite));
    if numeric {
        v.sort_by(|a, b| {
            let (x, y) = (
                a.parse::<f64>().unwrap_or(0.0),
                b.parse::<f64>().unwrap_or(0.0),
            );
            x.total_cmp(&y).then_with(|| a.cmp(b))
        });
    } else {
        v.sort();
    }
    v.dedup();
}
