//! One paragraph about a violated trial: who decided what, and the earliest moment the honest
//! generals' views of the same sender differed (a sender told two of them different things, or
//! one of them never got what the others got).

use std::collections::BTreeMap;

use crate::engine::trace::TraceEvent;
use crate::types::{NodeId, SimTime};

/// What an honest general heard from one sender, in order, with arrival times.
type Heard = Vec<(String, SimTime)>;

/// The paragraph for a trial's trace. `traitor[v]` marks traitors; `decisions` are the honest
/// generals' decisions from the trace.
pub fn explain(events: &[TraceEvent], traitor: &[bool]) -> String {
    let decided: Vec<String> = events
        .iter()
        .filter_map(|e| match e {
            TraceEvent::Decide { node, value, .. } => Some(format!("general {node} {value}")),
            _ => None,
        })
        .collect();
    let traitors: Vec<String> = traitor
        .iter()
        .enumerate()
        .filter(|(_, t)| **t)
        .map(|(i, _)| i.to_string())
        .collect();
    let mut out = format!(
        "Decisions: {}{}.",
        if decided.is_empty() {
            "none".to_string()
        } else {
            decided.join(", ")
        },
        if traitors.is_empty() {
            String::new()
        } else {
            format!(" (traitors: {})", traitors.join(", "))
        }
    );
    match first_divergence(events, traitor) {
        Some(d) => out.push_str(&format!(" Views first differed at {}: {d}.", d.at)),
        None => out.push_str(" Every honest general heard the same from every sender."),
    }
    out
}

/// The earliest point where two honest generals' views of one sender differ.
#[derive(Clone, Debug, PartialEq)]
pub struct Divergence {
    pub at: SimTime,
    pub sender: NodeId,
    pub first: (NodeId, String),
    pub second: (NodeId, Option<String>),
}

impl std::fmt::Display for Divergence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (a, what_a) = &self.first;
        match &self.second {
            (b, Some(what_b)) => write!(
                f,
                "general {} told general {a} \"{what_a}\" but general {b} \"{what_b}\"",
                self.sender
            ),
            (b, None) => write!(
                f,
                "general {a} heard \"{what_a}\" from general {} but general {b} never did",
                self.sender
            ),
        }
    }
}

/// Compares, sender by sender, the k-th message each honest general was handed.
pub fn first_divergence(events: &[TraceEvent], traitor: &[bool]) -> Option<Divergence> {
    let honest = |v: NodeId| !traitor.get(v.idx()).copied().unwrap_or(false);
    // seq → (origin, label) from the sends; envelope → origin for flooding.
    let mut origin_of: BTreeMap<u32, NodeId> = BTreeMap::new();
    let mut sent: BTreeMap<u64, (NodeId, String)> = BTreeMap::new();
    for e in events {
        if let TraceEvent::Send {
            from,
            seq,
            envelope,
            label,
            ..
        } = e
        {
            let origin = match envelope {
                Some(env) => *origin_of.entry(*env).or_insert(*from),
                None => *from,
            };
            if let Some(s) = seq {
                sent.insert(*s, (origin, label.clone()));
            }
        }
    }
    // heard[sender][recipient] = messages handed, in order.
    let mut heard: BTreeMap<NodeId, BTreeMap<NodeId, Heard>> = BTreeMap::new();
    for e in events {
        if let TraceEvent::Deliver {
            at,
            to,
            seq,
            handed: true,
            ..
        } = e
            && honest(*to)
            && let Some((origin, label)) = sent.get(seq)
            && *origin != *to
        {
            heard
                .entry(*origin)
                .or_default()
                .entry(*to)
                .or_default()
                .push((label.clone(), *at));
        }
    }
    let mut best: Option<Divergence> = None;
    let recipients: Vec<NodeId> = (0..traitor.len() as u32)
        .map(NodeId)
        .filter(|&v| honest(v))
        .collect();
    for (&sender, by_recipient) in &heard {
        let empty = Vec::new();
        let lists: Vec<(NodeId, &Heard)> = recipients
            .iter()
            .filter(|&&r| r != sender)
            .map(|&r| (r, by_recipient.get(&r).unwrap_or(&empty)))
            .collect();
        for (i, &(a, la)) in lists.iter().enumerate() {
            for &(b, lb) in &lists[i + 1..] {
                if let Some(d) = compare(sender, (a, la), (b, lb))
                    && best.as_ref().is_none_or(|x| d.at < x.at)
                {
                    best = Some(d);
                }
            }
        }
    }
    best
}

fn compare(
    sender: NodeId,
    (a, la): (NodeId, &Heard),
    (b, lb): (NodeId, &Heard),
) -> Option<Divergence> {
    for k in 0..la.len().max(lb.len()) {
        match (la.get(k), lb.get(k)) {
            (Some((x, tx)), Some((y, ty))) if x != y => {
                return Some(Divergence {
                    at: (*tx).max(*ty),
                    sender,
                    first: (a, x.clone()),
                    second: (b, Some(y.clone())),
                });
            }
            (Some((x, tx)), None) => {
                return Some(Divergence {
                    at: *tx,
                    sender,
                    first: (a, x.clone()),
                    second: (b, None),
                });
            }
            (None, Some((y, ty))) => {
                return Some(Divergence {
                    at: *ty,
                    sender,
                    first: (b, y.clone()),
                    second: (a, None),
                });
            }
            _ => {}
        }
    }
    None
}
