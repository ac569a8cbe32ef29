//! One paragraph about a violated trial: who decided what, and what made the honest generals'
//! views differ.
//!
//! The cause named is the first that applies:
//! 1. a decision reverted by a reorganisation (proof of work; the protocol says which blocks and
//!    how deep);
//! 2. the earliest point where two honest generals' views differ, by message identity (the same
//!    origin and slot, see [`crate::general::About`]): one sender told them different things
//!    (equivocation), a relayer tampered with a copy, or one of them never got, or got too late,
//!    what the other got, because it was withheld (by whom, from whom, in which round), lost on a
//!    link, arrived after its round had ended, was still on its way, or was never sent to it (a
//!    signature chain released late, to some generals only). A general is compared only on the
//!    messages meant for it: an oral message never goes to a general on its path, by design, and
//!    a message meant for one general (PBFT's request to its primary) is missed by no one else;
//! 3. when every view agrees, the first lie: a traitor that passed on a value other than the one
//!    it heard (which outvotes the truth without any two loyal views differing), else the first
//!    message that arrived late, was lost or withheld alike for all.
//!
//! A view is what a general heard before it decided (round-based protocols) or at all (proof of
//! work, which keeps listening). Everything is computed from one [`TraceIndex`] in
//! O(E log E) time for E events; a trace that was cut at its cap says so, and only claims what
//! the recorded part shows.
//!
//! [`divergence`] compares the views, [`cause`] says why a general missed a message, [`lie`]
//! finds what went wrong when the views agree.

mod cause;
mod divergence;
mod lie;

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::trace_index::TraceIndex;
use crate::types::{NodeId, SimTime};
pub use cause::Cause;
use divergence::in_scope;
pub use divergence::{Divergence, Kind, first_divergence};
use lie::first_mishap;
pub use lie::{Lie, first_lie};

/// Decisions listed one by one up to this many generals; beyond, grouped by value.
const LIST_DECISIONS: usize = 12;

/// The paragraph for a trial's trace.
pub fn explain(index: &TraceIndex) -> String {
    let mut out = decisions(index);
    if let Some(note) = index.rec.cut_note() {
        let _ = write!(
            out,
            " (The {note}; what follows covers the recorded part only.)"
        );
    }
    let cause = reversion(index).unwrap_or_else(|| match first_divergence(index) {
        Some(d) => format!(" Views first differed at {}: {}.", d.at, d.say(index)),
        None => agreeing_views(index),
    });
    out.push_str(&cause);
    out
}

/// The earliest reverted decision, and whose others were reverted too.
fn reversion(index: &TraceIndex) -> Option<String> {
    let r = index
        .rec
        .reversions()
        .iter()
        .min_by_key(|r| (r.at, r.node))?;
    let decided = index.rec.decisions().iter().find(|d| d.node == r.node);
    let what = decided.map_or(String::new(), |d| {
        format!(" ({} at {:.3} ms)", d.value, d.at.as_ms())
    });
    let how = if r.how.is_empty() {
        "its chain stopped carrying that order"
    } else {
        r.how.as_str()
    };
    let mut out = format!(
        " General {}'s decision{what} was reverted at {:.3} ms by a reorganisation: {how}.",
        r.node,
        r.at.as_ms()
    );
    let mut others: Vec<u32> = index
        .rec
        .reversions()
        .iter()
        .filter(|x| x.node != r.node)
        .map(|x| x.node.0)
        .collect();
    others.sort_unstable();
    if !others.is_empty() {
        let _ = write!(
            out,
            " The decision{} of {} {} reverted too.",
            if others.len() == 1 { "" } else { "s" },
            generals(&others),
            if others.len() == 1 { "was" } else { "were" }
        );
    }
    Some(out)
}

/// What went wrong when no two honest views differ (or none can be compared).
fn agreeing_views(index: &TraceIndex) -> String {
    let cut = index.rec.cut().is_some();
    if cut && !(0..index.n() as u32).any(|v| in_scope(index, NodeId(v))) {
        return " No honest general decided before the cut, so no two views can be compared: replay a smaller configuration to see the cause.".to_string();
    }
    let mut out = String::from(if cut {
        " No two honest generals' views differ in the recorded part"
    } else {
        " No two honest generals' views differ"
    });
    if let Some(lie) = first_lie(index) {
        let _ = write!(
            out,
            ", so the cause is a lie told alike to all: {}.",
            lie.say(index)
        );
    } else if let Some(m) = first_mishap(index) {
        let _ = write!(out, ", but not every message got through: first, {m}.");
    } else {
        out.push_str(": every honest general heard the same from every sender.");
    }
    out
}

/// "Decisions: general 0 attack, … (traitors: 3)."
fn decisions(index: &TraceIndex) -> String {
    // The trace holds decisions in the order they were made; the reader looks generals up by id.
    let mut decided: Vec<_> = index.rec.decisions().iter().collect();
    decided.sort_by_key(|d| d.node);
    let list = if decided.is_empty() {
        "none".to_string()
    } else if decided.len() <= LIST_DECISIONS {
        decided
            .iter()
            .map(|d| format!("general {} {}", d.node, d.value))
            .collect::<Vec<_>>()
            .join(", ")
    } else {
        let mut by_value: BTreeMap<&str, Vec<u32>> = BTreeMap::new();
        for d in &decided {
            by_value.entry(d.value.as_str()).or_default().push(d.node.0);
        }
        by_value
            .iter()
            .map(|(v, ids)| format!("{} generals {v} ({})", ids.len(), few(ids)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let traitors: Vec<u32> = (0..index.n() as u32)
        .filter(|&v| index.is_traitor(NodeId(v)))
        .collect();
    let traitors = if traitors.is_empty() {
        String::new()
    } else {
        format!(" (traitors: {})", few(&traitors))
    };
    format!("Decisions: {list}{traitors}.")
}

/// Ids as a list, the first few only when there are many.
fn few(ids: &[u32]) -> String {
    const SHOWN: usize = 8;
    let mut s = ids
        .iter()
        .take(SHOWN)
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    if ids.len() > SHOWN {
        let _ = write!(s, " and {} more", ids.len() - SHOWN);
    }
    s
}

/// "generals 3, 4" or "general 3".
fn generals(ids: &[u32]) -> String {
    match ids {
        [one] => format!("general {one}"),
        _ => format!("generals {}", few(ids)),
    }
}
/// ", a traitor," after a traitor's name.
fn role(index: &TraceIndex, v: NodeId) -> &'static str {
    if index.is_traitor(v) {
        ", a traitor,"
    } else {
        ""
    }
}

/// " in round 2, at 100.000 ms" (round-based protocols) or " at 100.000 ms".
fn in_round(index: &TraceIndex, at: SimTime) -> String {
    match index.round_of(at) {
        Some(r) => format!(" in round {r}, at {:.3} ms", at.as_ms()),
        None => format!(" at {:.3} ms", at.as_ms()),
    }
}
