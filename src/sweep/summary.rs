//! The summary of a sweep: one row per cell and protocol, with agreement, validity and
//! termination rates and their 95% Wilson intervals, mean and median messages and decision
//! time, and the bound label where the protocol has one; then the standard errors of the two
//! means (`se_messages`, `se_decision_ms`, empty below two values), appended last so the columns
//! before them keep their places. It is computed from per-trial rows
//! (in memory, read back from a resumed file, or merged from shards), so every way of producing
//! a sweep gives the same summary.

use std::collections::BTreeMap;

use csv::StringRecord;

use crate::stats::{mean, median, std_error, wilson};

/// Column lookup by name in a per-trial CSV.
pub struct Columns {
    index: BTreeMap<String, usize>,
}

impl Columns {
    pub fn new(header: &StringRecord) -> Columns {
        Columns {
            index: header
                .iter()
                .enumerate()
                .map(|(i, h)| (h.to_string(), i))
                .collect(),
        }
    }

    pub fn get<'r>(&self, row: &'r StringRecord, name: &str) -> &'r str {
        self.index.get(name).and_then(|&i| row.get(i)).unwrap_or("")
    }
}

/// The identity columns copied from the trials into the summary, before the vary keys: with
/// every dotted key they are what an experiment varies (a plot's dimensions).
pub const IDENTITY: [&str; 7] = [
    "scenario",
    "protocol",
    "topology",
    "transport",
    "n",
    "t",
    "behaviour",
];

/// The summary header for a sweep with these `--vary` keys.
pub fn header(vary_keys: &[String]) -> StringRecord {
    let mut h: Vec<String> = IDENTITY.iter().map(|s| s.to_string()).collect();
    h.extend(vary_keys.iter().cloned());
    for s in [
        "cell",
        "trials",
        "agreement_rate",
        "agreement_lo",
        "agreement_hi",
        "validity_rate",
        "validity_lo",
        "validity_hi",
        "termination_rate",
        "termination_lo",
        "termination_hi",
        "failure_rate",
        "failure_lo",
        "failure_hi",
        "mean_messages",
        "median_messages",
        "mean_decision_ms",
        "median_decision_ms",
        "bound",
        "bound_rule",
        "se_messages",
        "se_decision_ms",
    ] {
        h.push(s.to_string());
    }
    StringRecord::from(h)
}

fn fmt(x: Option<f64>) -> String {
    x.map_or(String::new(), |v| format!("{v:.6}"))
}

/// One summary row per (cell, protocol), in the order the rows first appear.
pub fn summarise(
    header_row: &StringRecord,
    rows: &[StringRecord],
    vary_keys: &[String],
) -> Vec<StringRecord> {
    let cols = Columns::new(header_row);
    let mut groups: Vec<((String, String), Vec<&StringRecord>)> = Vec::new();
    let mut position: BTreeMap<(String, String), usize> = BTreeMap::new();
    for row in rows {
        let key = (
            cols.get(row, "cell").to_string(),
            cols.get(row, "protocol").to_string(),
        );
        let at = *position.entry(key.clone()).or_insert_with(|| {
            groups.push((key, Vec::new()));
            groups.len() - 1
        });
        groups[at].1.push(row);
    }
    groups
        .into_iter()
        .map(|((cell, _), rows)| summary_row(&cols, &cell, &rows, vary_keys))
        .collect()
}

fn summary_row(
    cols: &Columns,
    cell: &str,
    rows: &[&StringRecord],
    vary_keys: &[String],
) -> StringRecord {
    let first = rows[0];
    let trials = rows.len() as u64;
    let count = |name: &str| rows.iter().filter(|r| cols.get(r, name) == "true").count() as u64;
    let numbers = |name: &str| -> Vec<f64> {
        rows.iter()
            .filter_map(|r| cols.get(r, name).parse::<f64>().ok())
            .collect()
    };
    let mut out: Vec<String> = IDENTITY
        .iter()
        .map(|c| cols.get(first, c).to_string())
        .collect();
    out.extend(vary_keys.iter().map(|k| cols.get(first, k).to_string()));
    out.push(cell.to_string());
    out.push(trials.to_string());
    for property in ["agreement", "validity", "termination"] {
        let k = count(property);
        let (lo, hi) = wilson(k, trials);
        out.push(fmt(Some(k as f64 / trials as f64)));
        out.push(fmt(Some(lo)));
        out.push(fmt(Some(hi)));
    }
    let failed = rows
        .iter()
        .filter(|r| {
            ["agreement", "validity", "termination"]
                .iter()
                .any(|p| cols.get(r, p) == "false")
        })
        .count() as u64;
    let (lo, hi) = wilson(failed, trials);
    out.push(fmt(Some(failed as f64 / trials as f64)));
    out.push(fmt(Some(lo)));
    out.push(fmt(Some(hi)));
    let messages = numbers("messages");
    let times = numbers("decision_time_ms");
    out.push(fmt(mean(&messages)));
    out.push(fmt(median(&messages)));
    out.push(fmt(mean(&times)));
    out.push(fmt(median(&times)));
    out.push(cols.get(first, "bound").to_string());
    out.push(cols.get(first, "bound_rule").to_string());
    out.push(fmt(std_error(&messages)));
    out.push(fmt(std_error(&times)));
    StringRecord::from(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_row_per_cell_and_protocol_with_rates_and_intervals() {
        let header = StringRecord::from(vec![
            "scenario",
            "protocol",
            "topology",
            "transport",
            "n",
            "t",
            "behaviour",
            "agreement",
            "validity",
            "termination",
            "messages",
            "decision_time_ms",
            "cell",
            "network.loss",
        ]);
        let row = |p: &str, agree: &str, msgs: &str, time: &str, cell: &str| {
            StringRecord::from(vec![
                "s", p, "complete", "direct", "4", "1", "drop", agree, "true", "true", msgs, time,
                cell, "0.1",
            ])
        };
        let rows = vec![
            row("vote", "true", "12", "100", "0"),
            row("vote", "false", "10", "", "0"),
            row("vote", "true", "11", "100", "0"),
            row("vote", "true", "12", "100", "1"),
        ];
        let keys = vec!["network.loss".to_string()];
        let summary = summarise(&header, &rows, &keys);
        assert_eq!(summary.len(), 2);
        let h = Columns::new(&self::header(&keys));
        let s = &summary[0];
        assert_eq!(h.get(s, "trials"), "3");
        assert_eq!(h.get(s, "network.loss"), "0.1");
        assert_eq!(h.get(s, "agreement_rate"), "0.666667");
        let (lo, hi) = wilson(2, 3);
        assert_eq!(h.get(s, "agreement_lo"), format!("{lo:.6}"));
        assert_eq!(h.get(s, "agreement_hi"), format!("{hi:.6}"));
        assert_eq!(
            h.get(s, "failure_rate"),
            "0.333333",
            "one trial of three broke agreement"
        );
        assert_eq!(h.get(s, "mean_messages"), "11.000000");
        assert_eq!(h.get(s, "median_messages"), "11.000000");
        assert_eq!(h.get(s, "mean_decision_ms"), "100.000000");
        assert_eq!(h.get(&summary[1], "cell"), "1");
        // Messages 12, 10, 11: s = 1, SE = 1/√3; times 100, 100 (one trial undecided): SE 0.
        assert_eq!(h.get(s, "se_messages"), format!("{:.6}", 1.0 / 3f64.sqrt()));
        assert_eq!(h.get(s, "se_decision_ms"), "0.000000");
        assert_eq!(
            h.get(&summary[1], "se_messages"),
            "",
            "one trial: no spread"
        );
        let names = self::header(&keys);
        assert_eq!(
            names.iter().rev().take(4).collect::<Vec<_>>(),
            ["se_decision_ms", "se_messages", "bound_rule", "bound"],
            "the standard errors come after every older column"
        );
    }
}
