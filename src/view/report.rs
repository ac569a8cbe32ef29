//! `byzsim report`: a sweep's summary CSV as one self-contained HTML page, offline like the
//! trial viewer. Per protocol (and per value of any other key the sweep varied) it shows the
//! heatmaps of agreement, validity and termination over n × t with the bound's staircase, line
//! plots of the agreement rate and the messages against n, and a table of every cell with its
//! 95% Wilson intervals; under each figure, the `byzsim plot` command that draws it alone, and,
//! when the sweep's manifest is given, the `byzsim sweep` command that made the summary.
//!
//! The figures are `byzsim plot`'s own SVG ([`crate::plot::plot`]), inlined; a figure the plot
//! command refuses is replaced by its message. Same CSV in, same bytes out.

use std::collections::BTreeSet;
use std::fmt::Write;
use std::path::Path;

use clap::Parser;

use super::html_escape;
use crate::error::InputError;
use crate::sweep::manifest::Manifest;

const TEMPLATE: &str = include_str!("assets/report.html");

/// Columns of the summary that say which figure group a row belongs to (with the `--vary`
/// keys, which sit between `behaviour` and `cell`). `behaviour` is left out: it is `none`
/// wherever t = 0.
const GROUP_COLUMNS: [&str; 4] = ["scenario", "protocol", "topology", "transport"];

/// Table columns: (header, column, its interval columns).
const RATES: [(&str, &str); 3] = [
    ("agreement", "agreement"),
    ("validity", "validity"),
    ("termination", "termination"),
];

/// `byzsim plot`'s arguments, parsed as the command line would be.
#[derive(Parser)]
#[command(no_binary_name = true)]
struct PlotCommand {
    #[command(flatten)]
    args: crate::plot::PlotArgs,
}

struct Summary {
    file: String,
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Summary {
    fn read(path: &Path) -> Result<Summary, InputError> {
        // The plot's reader: lines capped in length, as for every CSV byzsim reads.
        let table = crate::plot::table::Table::read(path)?;
        let (file, header) = (table.file, table.header);
        for need in [
            "protocol",
            "n",
            "t",
            "cell",
            "agreement_rate",
            "agreement_lo",
        ] {
            if !header.iter().any(|h| h == need) {
                return Err(InputError::file(
                    &file,
                    format!(
                        "not a sweep summary (no `{need}` column): make one with `byzsim sweep ... --summary FILE.csv`"
                    ),
                ));
            }
        }
        let rows: Vec<Vec<String>> = (table.rows.iter())
            .map(|r| r.iter().map(str::to_string).collect())
            .collect();
        if rows.is_empty() {
            return Err(InputError::file(&file, "no rows"));
        }
        Ok(Summary { file, header, rows })
    }

    fn col(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h == name)
    }

    fn get<'a>(&self, row: &'a [String], name: &str) -> &'a str {
        self.col(name)
            .and_then(|c| row.get(c))
            .map_or("", String::as_str)
    }

    /// The `--vary` columns: between `behaviour` and `cell`.
    fn vary_columns(&self) -> Vec<String> {
        let (Some(b), Some(c)) = (self.col("behaviour"), self.col("cell")) else {
            return Vec::new();
        };
        self.header[b + 1..c].to_vec()
    }

    fn distinct(&self, rows: &[&Vec<String>], name: &str) -> BTreeSet<String> {
        rows.iter().map(|r| self.get(r, name).to_string()).collect()
    }
}

/// The page for summary CSV `summary`; `manifest`, the sweep's manifest, adds the command that
/// made it.
pub fn page(summary: &Path, manifest: Option<&Path>) -> Result<String, InputError> {
    let s = Summary::read(summary)?;
    let mut keys: Vec<String> = GROUP_COLUMNS.iter().map(|c| c.to_string()).collect();
    keys.extend(s.vary_columns());
    let all: Vec<&Vec<String>> = s.rows.iter().collect();
    // Only the keys that vary split the figures.
    keys.retain(|k| s.col(k).is_some() && s.distinct(&all, k).len() > 1 || k == "protocol");
    let mut groups: Vec<(Vec<String>, Vec<&Vec<String>>)> = Vec::new();
    for row in &s.rows {
        let key: Vec<String> = keys.iter().map(|k| s.get(row, k).to_string()).collect();
        match groups.iter_mut().find(|g| g.0 == key) {
            Some(g) => g.1.push(row),
            None => groups.push((key, vec![row])),
        }
    }
    let mut body = String::new();
    let _ = write!(
        body,
        "<p>{} rows from <code>{}</code>, {} group{}.</p>",
        s.rows.len(),
        html_escape(&s.file),
        groups.len(),
        if groups.len() == 1 { "" } else { "s" }
    );
    if let Some(m) = manifest {
        let _ = write!(
            body,
            "<p>Made by: <code>{}</code></p>",
            html_escape(&sweep_command(m, &s.file)?)
        );
    }
    for (i, (key, rows)) in groups.iter().enumerate() {
        body.push_str(&group(&s, i, &keys, key, rows));
    }
    let title = html_escape(&format!("byzsim report: {}", s.file));
    Ok(super::fill_parts(
        TEMPLATE,
        &[("{{TITLE}}", &title), ("{{BODY}}", &body)],
    ))
}

/// The `byzsim sweep` command a manifest records.
fn sweep_command(path: &Path, summary: &str) -> Result<String, InputError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .map_err(|e| InputError::file(&file, format!("cannot read: {e}")))?;
    let m: Manifest = serde_json::from_str(&text)
        .map_err(|e| InputError::file(&file, format!("not a sweep manifest: {e}")))?;
    let list = |v: &[u64]| v.iter().map(u64::to_string).collect::<Vec<_>>().join(",");
    let mut cmd = format!(
        "byzsim sweep {} --n {} --t {}",
        m.scenario_file,
        list(&m.n),
        list(&m.t)
    );
    for v in &m.vary {
        let _ = write!(cmd, " --vary {}={}", v.key, v.values.join(","));
    }
    for set in &m.sets {
        let _ = write!(cmd, " --set {set}");
    }
    let _ = write!(
        cmd,
        " --trials {} --seed {} --summary {summary}",
        m.trials, m.seed
    );
    Ok(cmd)
}

/// One group's figures and table.
fn group(s: &Summary, i: usize, keys: &[String], key: &[String], rows: &[&Vec<String>]) -> String {
    let title: Vec<String> = keys
        .iter()
        .zip(key)
        .map(|(k, v)| format!("{k} = {v}"))
        .collect();
    let mut out = format!(
        "<section><h2 id=\"g{i}\">{}</h2>",
        html_escape(&title.join(", "))
    );
    let wheres: Vec<String> = keys
        .iter()
        .zip(key)
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    let ns = s.distinct(rows, "n").len();
    let ts = s.distinct(rows, "t").len();
    let mut figures: Vec<Vec<String>> = Vec::new();
    if ns > 1 && ts > 1 {
        for (name, _) in RATES {
            figures.push(
                ["--x", "n", "--y", "t", "--z", &format!("{name}_rate")]
                    .map(str::to_string)
                    .to_vec(),
            );
        }
    }
    if ns > 1 {
        let series = if ts > 1 {
            ["--series", "t"].to_vec()
        } else {
            Vec::new()
        };
        let mut rate = ["--x", "n", "--y", "agreement_rate"].to_vec();
        rate.extend(&series);
        figures.push(rate.into_iter().map(str::to_string).collect());
        let mut msgs = ["--x", "n", "--y", "mean_messages", "--log-y"].to_vec();
        msgs.extend(&series);
        figures.push(msgs.into_iter().map(str::to_string).collect());
    }
    out.push_str("<div class=\"figures\">");
    for (f, args) in figures.iter().enumerate() {
        let mut full = args.clone();
        for w in &wheres {
            full.push("--where".to_string());
            full.push(w.clone());
        }
        out.push_str(&figure(s, i, f, &full));
    }
    out.push_str("</div>");
    out.push_str(&table(s, rows));
    out.push_str("</section>");
    out
}

/// One figure drawn by `byzsim plot` (or its refusal), with the command that draws it.
fn figure(s: &Summary, group: usize, f: usize, args: &[String]) -> String {
    let name = format!("figure-{group}-{f}.svg");
    let shown: Vec<String> = args
        .iter()
        .map(|a| {
            if a.contains(' ') {
                format!("'{a}'")
            } else {
                a.clone()
            }
        })
        .collect();
    let command = format!("byzsim plot {} {} -o {name}", s.file, shown.join(" "));
    let tmp = std::env::temp_dir().join(format!(
        "byzsim-report-{}-{group}-{f}.svg",
        std::process::id()
    ));
    let mut argv = vec![s.file.clone(), "-o".to_string(), tmp.display().to_string()];
    argv.extend(args.iter().cloned());
    let drawn = PlotCommand::try_parse_from(&argv)
        .map_err(|e| InputError::file("plot", e.to_string()))
        .and_then(|p| crate::plot::plot(&p.args))
        .and_then(|()| {
            std::fs::read_to_string(&tmp)
                .map_err(|e| InputError::file(tmp.display().to_string(), e.to_string()))
        });
    let _ = std::fs::remove_file(&tmp);
    let content = match drawn {
        Ok(svg) => strip_xml_declaration(&svg).to_string(),
        Err(e) => format!(
            "<p class=\"refused\">Not drawn: {}</p>",
            html_escape(&e.to_string())
        ),
    };
    format!(
        "<figure>{content}<figcaption><code>{}</code></figcaption></figure>",
        html_escape(&command)
    )
}

fn strip_xml_declaration(svg: &str) -> &str {
    match (svg.starts_with("<?xml"), svg.find("?>")) {
        (true, Some(end)) => svg[end + 2..].trim_start(),
        _ => svg,
    }
}

/// A table of the group's cells: rates with their intervals, messages, decision time, bound.
fn table(s: &Summary, rows: &[&Vec<String>]) -> String {
    let vary: Vec<String> = s
        .vary_columns()
        .into_iter()
        .filter(|k| s.distinct(rows, k).len() > 1)
        .collect();
    let mut out = String::from("<table><tr><th>n</th><th>t</th>");
    for k in &vary {
        let _ = write!(out, "<th>{}</th>", html_escape(k));
    }
    out.push_str("<th>behaviour</th><th>trials</th>");
    for (name, _) in RATES {
        let _ = write!(out, "<th>{name} [95% CI]</th>");
    }
    out.push_str("<th>mean messages</th><th>mean decision ms</th><th>bound</th></tr>");
    for r in rows {
        let cell = |k: &str| html_escape(s.get(r, k));
        let _ = write!(out, "<tr><td>{}</td><td>{}</td>", cell("n"), cell("t"));
        for k in &vary {
            let _ = write!(out, "<td>{}</td>", cell(k));
        }
        let _ = write!(
            out,
            "<td>{}</td><td>{}</td>",
            cell("behaviour"),
            cell("trials")
        );
        for (_, c) in RATES {
            let _ = write!(
                out,
                "<td>{} [{}, {}]</td>",
                short(s.get(r, &format!("{c}_rate"))),
                short(s.get(r, &format!("{c}_lo"))),
                short(s.get(r, &format!("{c}_hi")))
            );
        }
        let bound = s.get(r, "bound");
        let rule = s.get(r, "bound_rule");
        let _ = write!(
            out,
            "<td>{}</td><td>{}</td><td class=\"{}\">{}{}</td></tr>",
            short(s.get(r, "mean_messages")),
            short(s.get(r, "mean_decision_ms")),
            html_escape(bound),
            html_escape(bound),
            if rule.is_empty() {
                String::new()
            } else {
                format!(" ({})", html_escape(rule))
            }
        );
    }
    out.push_str("</table>");
    out
}

/// A summary number with at most three decimals (the CSV keeps six).
fn short(x: &str) -> String {
    match x.parse::<f64>() {
        Ok(v) => {
            let s = format!("{v:.3}");
            let s = s.trim_end_matches('0').trim_end_matches('.');
            s.to_string()
        }
        Err(_) => html_escape(x),
    }
}
