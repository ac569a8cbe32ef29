//! The readable table `byzsim run` prints for each scenario.

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

/// The table for one scenario: a header, a row per protocol kind, the expectations, and the
/// first violation of each kind with the command that replays it.
pub fn table(sc: &Scenario, result: &ScenarioResult) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "== {} ({}; n = {}, t = {} {}, {} {}, {} trials, seed {})",
        sc.name,
        sc.file,
        sc.n,
        sc.t,
        sc.behaviour.name(),
        sc.network.topology.name(),
        sc.network.transport.name(),
        sc.trials,
        sc.seed
    );
    if !sc.description.is_empty() {
        let _ = writeln!(
            out,
            "   {}",
            sc.description
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        );
    }
    let _ = writeln!(
        out,
        "   {:<14} {:>7} {:>10} {:>9} {:>12} {:>12} {:>12}",
        "protocol", "trials", "agreement", "validity", "termination", "messages", "decision ms"
    );
    for s in &result.summaries {
        let _ = writeln!(
            out,
            "   {:<14} {:>7} {:>10} {:>9} {:>12} {:>12.1} {:>12}",
            s.kind.name(),
            s.trials,
            percent(s.agreement, s.trials),
            percent(s.validity, s.trials),
            percent(s.termination, s.trials),
            s.mean_messages,
            s.mean_decision_ms
                .map_or("-".to_string(), |t| format!("{t:.1}")),
        );
    }
    for e in &result.expectations {
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
