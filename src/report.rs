//! The readable table `byzsim run` prints for each scenario: what ran (the values a `--set`
//! changed marked as such), how often each property held, the bound label, and the first
//! violation with its replay command and its story.

use std::fmt::Write;

use crate::explain::explain;
use crate::protocol::Kind;
use crate::run::ScenarioResult;
use crate::scenario::Scenario;
use crate::trace_index::TraceIndex;
use crate::trial::{run_trial, traitors_of};

fn percent(k: u64, n: u64) -> String {
    format!("{:.1}%", 100.0 * k as f64 / n.max(1) as f64)
}

/// The paragraph about one violated trial, from its replayed trace.
fn story(sc: &Scenario, kind: Kind, trial: u64, seed: u64) -> Option<String> {
    let r = run_trial(sc, kind, trial, seed, true).ok()?;
    let traitors = traitors_of(sc, seed);
    Some(explain(&TraceIndex::new(r.trace.as_ref()?, &traitors)))
}

/// Whether the table checks the scenario's `[expect]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expectations {
    Checked,
    /// A replay of one trial (`--seed S --trials 1`): one trial cannot show what a scenario
    /// expects of many, so the table says so instead of `met` / `NOT MET`.
    NotCheckedOnReplay,
}

/// The keys a `--set` gave, in order (`seed` and `trials` come from their own flags).
fn set_keys(sc: &Scenario) -> Vec<&str> {
    sc.overrides
        .iter()
        .filter_map(|o| o.split_once('=').map(|(k, _)| k.trim()))
        .filter(|k| !matches!(*k, "seed" | "trials"))
        .collect()
}

/// `value`, marked when a `--set` changed `key`.
fn marked(sc: &Scenario, key: &str, value: String) -> String {
    if set_keys(sc).contains(&key) {
        format!("{value} (set on the command line)")
    } else {
        value
    }
}

/// The first line: name, file, and the configuration, each value a `--set` changed marked.
fn header(sc: &Scenario) -> String {
    let traitors = if sc.t == 0 {
        marked(sc, "t", "no traitors".to_string())
    } else {
        format!(
            "{}, {}",
            marked(sc, "t", format!("t = {}", sc.t)),
            marked(sc, "faults.behaviour", sc.behaviour.name().to_string())
        )
    };
    format!(
        "== {} ({}; {}, {traitors}, {} {}, {} trials, seed {})",
        sc.name,
        sc.file,
        marked(sc, "n", format!("n = {}", sc.n)),
        marked(
            sc,
            "network.topology",
            sc.network.topology.name().to_string()
        ),
        marked(
            sc,
            "network.transport",
            sc.network.transport.name().to_string()
        ),
        sc.trials,
        sc.seed
    )
}

/// The description, marked as the file's own when a `--set` changed what it describes (limits
/// and the name do not).
fn description(sc: &Scenario) -> Option<String> {
    if sc.description.is_empty() {
        return None;
    }
    let text = sc
        .description
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let changed: Vec<&str> = set_keys(sc)
        .into_iter()
        .filter(|k| !k.starts_with("limits.") && !matches!(*k, "name" | "description"))
        .collect();
    Some(if changed.is_empty() {
        text
    } else {
        format!(
            "(the file's description, written before --set changed {}; it may no longer fit) {text}",
            changed.join(", ")
        )
    })
}

/// A rate in percent, `-` when no trial reports it.
fn share(x: Option<f64>) -> String {
    x.map_or("-".to_string(), |x| format!("{:.1}%", 100.0 * x))
}

/// The table for one scenario: a header, a row per protocol kind (with its bound label and, for
/// proof of work, the traitors' share of main-chain blocks and the reverted rate), the
/// expectations, and the first violation of each kind with the command that replays it.
pub fn table(sc: &Scenario, result: &ScenarioResult, expectations: Expectations) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", header(sc));
    if let Some(text) = description(sc) {
        let _ = writeln!(out, "   {text}");
    }
    let pow = sc.kinds.contains(&Kind::Pow);
    let _ = write!(
        out,
        "   {:<14} {:>7} {:>10} {:>9} {:>12} {:>12} {:>12} {:>8}",
        "protocol",
        "trials",
        "agreement",
        "validity",
        "termination",
        "messages",
        "decision ms",
        "bound"
    );
    if pow {
        let _ = write!(out, " {:>16} {:>9}", "attacker blocks", "reverted");
    }
    out.push('\n');
    for s in &result.summaries {
        let _ = write!(
            out,
            "   {:<14} {:>7} {:>10} {:>9} {:>12} {:>12.1} {:>12} {:>8}",
            s.kind.name(),
            s.trials,
            percent(s.agreement, s.trials),
            percent(s.validity, s.trials),
            percent(s.termination, s.trials),
            s.mean_messages,
            s.mean_decision_ms
                .map_or("-".to_string(), |t| format!("{t:.1}")),
            s.bound().unwrap_or("-"),
        );
        if pow {
            let reverted = if s.kind == Kind::Pow {
                percent(s.reverted, s.trials)
            } else {
                "-".to_string()
            };
            let _ = write!(
                out,
                " {:>16} {:>9}",
                share(s.mean_attacker_share_main),
                reverted
            );
        }
        out.push('\n');
    }
    if expectations == Expectations::NotCheckedOnReplay && !result.expectations.is_empty() {
        let _ = writeln!(
            out,
            "   expect: not checked on a replay of one trial (--expect checks it)"
        );
    }
    let checked = expectations == Expectations::Checked;
    for e in result.expectations.iter().filter(|_| checked) {
        if let Some((lo, hi, rate)) = e.band {
            let _ = writeln!(
                out,
                "   expect {:<12} {:<9} {:<14} {} (measured {:.4}: {} stale blocks over {} trials)",
                e.property,
                format!("{lo}..{hi}"),
                e.kind.name(),
                if e.met { "met" } else { "NOT MET" },
                rate,
                e.held,
                e.trials
            );
            continue;
        }
        let _ = writeln!(
            out,
            "   expect {:<12} {:<9} {:<14} {} (held in {} of {} trials)",
            e.property,
            e.expected.as_str(),
            e.kind.name(),
            if e.met { "met" } else { "NOT MET" },
            e.held,
            e.trials
        );
    }
    for s in &result.summaries {
        if let Some(ex) = &s.first_violation {
            let _ = writeln!(
                out,
                "   first violation ({}): trial {}, seed {}: {}\n     replay: {}",
                s.kind.name(),
                ex.trial,
                ex.seed,
                ex.reason,
                sc.replay_command(ex.seed)
            );
            if let Some(story) = story(sc, s.kind, ex.trial, ex.seed) {
                let _ = writeln!(out, "     {story}");
            }
        }
    }
    out
}
