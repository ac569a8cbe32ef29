//! A plot never hides a dimension. Rows drawn as one mark (one heatmap cell, one point of a
//! line) are averaged; if a column that describes *what was simulated* (a scenario, a protocol,
//! n, t, a behaviour, any dotted `--vary` key such as `network.loss`) takes several values among
//! them, the average would mix different experiments without saying so. `plot` then refuses,
//! naming the columns and their values, and says how to show them (`--where`, `--facet`,
//! `--series`).

use std::collections::BTreeMap;

use super::table::{Table, sort_values};
use crate::error::InputError;

use crate::sweep::summary::IDENTITY;

/// Whether column `name` describes the experiment (rather than measuring it).
pub fn is_dimension(name: &str) -> bool {
    IDENTITY.contains(&name) || name.contains('.')
}

/// Refuses when a dimension other than the `shown` columns varies among rows that share the
/// values of every shown column. `series_hint` adds `--series` to the advice (line plots).
pub fn check_nothing_hidden(
    table: &Table,
    shown: &[usize],
    series_hint: bool,
) -> Result<(), InputError> {
    let mut groups: BTreeMap<Vec<&str>, Vec<usize>> = BTreeMap::new();
    for (i, row) in table.rows.iter().enumerate() {
        let key: Vec<&str> = shown.iter().map(|&c| table.text(row, c)).collect();
        groups.entry(key).or_default().push(i);
    }
    let hidden: Vec<usize> = (0..table.header.len())
        .filter(|c| !shown.contains(c) && is_dimension(&table.header[*c]))
        .filter(|&c| {
            groups.values().any(|rows| {
                let first = table.text(&table.rows[rows[0]], c);
                rows.iter().any(|&r| table.text(&table.rows[r], c) != first)
            })
        })
        .collect();
    let Some(&first) = hidden.first() else {
        return Ok(());
    };
    let listed: Vec<String> = hidden
        .iter()
        .map(|&c| format!("{} ({})", table.header[c], shown_values(table, c)))
        .collect();
    let name = &table.header[first];
    let example = table.distinct(first).into_iter().next().unwrap_or_default();
    let mut advice = format!(
        "keep one value with --where {name}={example}, or draw one panel per value with --facet {name}"
    );
    if series_hint {
        advice.push_str(&format!(", or one line per value with --series {name}"));
    }
    Err(table.error(
        name,
        format!(
            "these columns vary but are on no axis, so the plot would average over them: {}; {advice}",
            listed.join(", ")
        ),
    ))
}

/// The values of column `c`, at most eight of them.
fn shown_values(table: &Table, c: usize) -> String {
    let mut v: Vec<String> = table
        .rows
        .iter()
        .map(|r| table.text(r, c).to_string())
        .collect();
    sort_values(&mut v);
    if v.len() > 8 {
        let more = v.len() - 8;
        v.truncate(8);
        v.push(format!("and {more} more"));
    }
    v.join(", ")
}
