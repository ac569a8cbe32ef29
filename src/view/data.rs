//! A trial as the viewer page's data: one compact JSON object built from the trial's trace
//! ([`Recording`] through its [`TraceIndex`]), its verdicts, its explanation and its graph, so
//! the page, the trace files and the explanation tell one story.
//!
//! Events are columns of integers (`t` in microseconds, `k` the kind, `a`, `b`, `c`, `d` its
//! fields, `e` its position in the trace); a page *step* is one of these events, and the state at
//! step s is the state after the first s of them. A trace of at most [`FULL_STEPS`] events is
//! shown whole, every transmission with it. A larger one is summarised: its steps are the events
//! that change what the page draws and the checker judged (decisions, reversions, withheld and
//! lost messages, each message's first send, timers of round-based protocols, the events behind
//! the first difference of views), thinned evenly to [`SUMMARY_STEPS`] where there are more,
//! decisions and reversions always kept; counts and tips still come from every event.

use serde_json::{Value as Json, json};

use super::blocks::{BlockTree, block_tree};
use super::layout::layout;
use crate::check::Verdicts;
use crate::engine::trace::TraceEvent;
use crate::explain::{Kind as DivergenceKind, explain, first_divergence};
use crate::record::RunRecord;
use crate::topology::Topology;
use crate::trace_index::{Fate, TraceIndex};
use crate::types::{NodeId, Value};

/// Traces up to this many events are shown event by event.
pub const FULL_STEPS: usize = 40_000;
/// A summarised trace keeps about this many steps.
pub const SUMMARY_STEPS: usize = 20_000;

/// Event kinds, as the page's `k` column numbers them.
pub mod kind {
    pub const SEND: u8 = 0;
    pub const LOST: u8 = 1;
    pub const DELIVER: u8 = 2;
    pub const DELIVER_SEEN: u8 = 3;
    pub const REDUNDANT: u8 = 4;
    pub const WITHHELD: u8 = 5;
    pub const TIMER: u8 = 6;
    pub const DECIDE: u8 = 7;
    pub const REVERT: u8 = 8;
}

/// What the page is made from.
pub struct TrialView<'a> {
    pub index: &'a TraceIndex<'a>,
    pub record: &'a RunRecord,
    pub verdicts: &'a Verdicts,
    pub graph: &'a Topology,
    /// The scenario's description.
    pub description: &'a str,
    /// The command that replays the trial, and the one that made the page.
    pub replay: String,
    pub command: String,
    /// Why this trial was chosen.
    pub chosen: String,
}

/// Where the honest generals' views first differed, as the explanation says it: the two
/// generals, and the deliveries behind it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FirstDifference {
    /// Trace positions of the deliveries of the two contents (or the one, when the other
    /// general missed it).
    pub events: [usize; 2],
    /// The trace position of the delivery at the moment the explanation names: once it is
    /// applied, the views of `a` and `b` differ.
    pub target: usize,
    pub a: NodeId,
    pub b: NodeId,
}

/// The first difference of views ([`first_divergence`]) located in the trace.
pub fn first_difference(index: &TraceIndex) -> Option<FirstDifference> {
    let d = first_divergence(index)?;
    // The first handed delivery of message `msg` (claiming origin `d.origin`) to `v`.
    let heard = |v: NodeId, msg: u32| {
        index.transmissions().find_map(|k| {
            let s = index.sent(k);
            match index.fate(k) {
                Fate::Delivered {
                    event,
                    handed: true,
                    ..
                } if s.to == v && s.msg == msg && s.origin == d.origin => Some(event),
                _ => None,
            }
        })
    };
    match d.kind {
        DivergenceKind::Contents { a, x, b, y, .. } => {
            let (ea, eb) = (heard(a, x)?, heard(b, y)?);
            let at = |e: usize| index.rec.events()[e].at();
            // The moment named is the later of the two deliveries, or (when the first content
            // was one that the other general never heard) the first one.
            let target = [ea, eb]
                .into_iter()
                .filter(|&e| at(e) <= d.at)
                .max()
                .unwrap_or(ea.min(eb));
            Some(FirstDifference {
                events: [ea.min(eb), ea.max(eb)],
                target,
                a,
                b,
            })
        }
        DivergenceKind::Missing { a, msg, b, .. } => {
            let ea = heard(a, msg)?;
            Some(FirstDifference {
                events: [ea, ea],
                target: ea,
                a,
                b,
            })
        }
    }
}

/// Which trace events become page steps (with `full`: all of them, up to `full` events; else
/// about `summary` of them), and whether that is every event.
pub fn steps(
    index: &TraceIndex,
    forced: &[usize],
    full: usize,
    summary: usize,
) -> (Vec<usize>, bool) {
    let events = index.rec.events();
    if events.len() <= full {
        return ((0..events.len()).collect(), true);
    }
    let mut first_send = vec![false; index.rec.messages().len()];
    let mut keep: Vec<(usize, bool)> = Vec::new();
    for (i, e) in events.iter().enumerate() {
        let (key, always) = match e {
            TraceEvent::Decide { .. } | TraceEvent::Reverted { .. } => (true, true),
            TraceEvent::Withheld { .. } | TraceEvent::Send { seq: None, .. } => (true, false),
            TraceEvent::Timer { .. } => (index.rec.round.is_some(), false),
            TraceEvent::Send { msg, .. } => {
                let first = !first_send[*msg as usize];
                first_send[*msg as usize] = true;
                (first, false)
            }
            _ => (false, false),
        };
        let always = always || forced.contains(&i);
        if key || always {
            keep.push((i, always));
        }
    }
    let optional = keep.iter().filter(|k| !k.1).count();
    let every = optional.div_ceil(summary.max(1)).max(1);
    let mut seen = 0;
    let kept = keep
        .into_iter()
        .filter(|&(_, always)| {
            seen += usize::from(!always);
            always || (seen - 1) % every == 0
        })
        .map(|(i, _)| i)
        .collect();
    (kept, false)
}

fn value_code(v: Value) -> i64 {
    match v {
        Value::Attack => 0,
        Value::Retreat => 1,
    }
}

/// The page's data.
pub fn export(v: &TrialView) -> Json {
    let index = v.index;
    let rec = index.rec;
    let events = rec.events();
    let diff = if v.verdicts.agreement.holds
        && v.verdicts.validity.holds
        && v.verdicts.termination.holds
    {
        None
    } else {
        first_difference(index)
    };
    let forced: Vec<usize> = diff.map_or(Vec::new(), |d| d.events.to_vec());
    let (kept, full) = steps(index, &forced, FULL_STEPS, SUMMARY_STEPS);
    // Transmission number of each Send event (full pages draw messages in flight).
    let mut tx_of_event = vec![-1i64; if full { events.len() } else { 0 }];
    let mut tx = (Vec::new(), Vec::new(), Vec::new());
    if full {
        for k in index.transmissions() {
            let s = index.sent(k);
            tx_of_event[s.event] = k as i64;
            let delivered = match index.fate(k) {
                Fate::Delivered { event, .. } => {
                    tx_of_event[event] = k as i64;
                    event as i64
                }
                Fate::Lost | Fate::Pending => -1,
            };
            tx.0.push(s.event as i64);
            tx.1.push(delivered);
            tx.2.push(i64::from(s.msg));
        }
    }
    let mut cols: [Vec<i64>; 6] = Default::default();
    for &i in &kept {
        let e = &events[i];
        let (k, a, b, c) = match *e {
            TraceEvent::Send {
                from, to, seq, msg, ..
            } => (
                if seq.is_some() {
                    kind::SEND
                } else {
                    kind::LOST
                },
                from.0 as i64,
                to.0 as i64,
                i64::from(msg),
            ),
            TraceEvent::Deliver {
                from,
                to,
                seq,
                handed,
                ..
            } => (
                if handed {
                    kind::DELIVER
                } else {
                    kind::DELIVER_SEEN
                },
                from.0 as i64,
                to.0 as i64,
                index
                    .transmission_of(seq)
                    .map_or(-1, |k| i64::from(index.sent(k).msg)),
            ),
            TraceEvent::Redundant {
                from, to, envelope, ..
            } => (
                kind::REDUNDANT,
                from.0 as i64,
                to.0 as i64,
                index.envelope_msg(envelope).map_or(-1, i64::from),
            ),
            TraceEvent::Withheld { by, to, msg, .. } => {
                (kind::WITHHELD, by.0 as i64, to.0 as i64, i64::from(msg))
            }
            TraceEvent::Timer { node, name, .. } => {
                (kind::TIMER, node.0 as i64, -1, i64::from(name))
            }
            TraceEvent::Decide { node, value, .. } => {
                (kind::DECIDE, node.0 as i64, -1, value_code(value))
            }
            TraceEvent::Reverted { node, how, .. } => {
                (kind::REVERT, node.0 as i64, -1, i64::from(how))
            }
        };
        cols[0].push(e.at().0 as i64);
        cols[1].push(i64::from(k));
        cols[2].push(a);
        cols[3].push(b);
        cols[4].push(c);
        cols[5].push(if full { tx_of_event[i] } else { i as i64 });
    }
    // The page step after trace position p: the first step whose event is at or after p, plus one.
    let step_after = |p: usize| kept.partition_point(|&i| i < p) + 1;
    let tree = block_tree(index);
    let messages: Vec<Json> = rec
        .messages()
        .iter()
        .map(|m| {
            json!([
                m.words,
                m.about.value.map_or(-1, value_code),
                m.about.signatures,
            ])
        })
        .collect();
    let graph = v.graph;
    let edges: Vec<[u32; 2]> = if graph.is_complete() {
        Vec::new()
    } else {
        (0..graph.n() as u32)
            .flat_map(|a| {
                graph
                    .neighbours(NodeId(a))
                    .iter()
                    .filter(move |b| b.0 > a)
                    .map(move |b| [a, b.0])
            })
            .collect()
    };
    let r = v.record;
    let verdict = |x: &crate::check::Verdict| json!({"holds": x.holds, "at_us": x.at.map(|t| t.0), "reason": x.reason});
    let violated = !(r.agreement && r.validity && r.termination);
    json!({
        "meta": {
            "scenario": r.scenario, "protocol": r.protocol, "topology": r.topology,
            "transport": r.transport, "n": r.n, "t": r.t, "behaviour": r.behaviour,
            "seed": r.seed, "trial": r.trial, "nodes": index.n(),
            "description": v.description, "replay": v.replay, "command": v.command,
            "chosen": v.chosen, "round_us": rec.round.map(|t| t.0),
            "complete": graph.is_complete(), "cut": rec.cut_note(),
            "trace_events": events.len(), "full": full,
            "messages_sent": r.messages, "decision": r.decision, "bound": r.bound,
            "bound_rule": r.bound_rule, "stop": r.stop,
        },
        "traitors": index.traitors(),
        "layout": layout(graph).into_iter().map(|(x, y)| [x, y]).collect::<Vec<_>>(),
        "edges": edges,
        "messages": messages,
        "names": rec.names(),
        "ev": {"t": cols[0], "k": cols[1], "a": cols[2], "b": cols[3], "c": cols[4], "d": cols[5]},
        "tx": if full { json!({"send": tx.0, "deliver": tx.1, "msg": tx.2}) } else { Json::Null },
        "verdict": {
            "agreement": verdict(&v.verdicts.agreement),
            "validity": verdict(&v.verdicts.validity),
            "termination": verdict(&v.verdicts.termination),
        },
        "explanation": if violated { Json::from(explain(index)) } else { Json::Null },
        "first_difference": diff.map(|d| json!({
            "step": step_after(d.target), "a": d.a.0, "b": d.b.0,
        })),
        "blocks": blocks_json(&tree, &step_after),
    })
}

fn blocks_json(tree: &BlockTree, step_after: &dyn Fn(usize) -> usize) -> Json {
    if tree.blocks.is_empty() {
        return Json::Null;
    }
    let col = |f: &dyn Fn(&super::blocks::TreeBlock) -> i64| -> Vec<i64> {
        tree.blocks.iter().map(f).collect()
    };
    json!({
        "msg": col(&|b| i64::from(b.msg)),
        "height": col(&|b| b.height as i64),
        "miner": col(&|b| i64::from(b.miner)),
        "parent": col(&|b| b.parent.map_or(-1, |p| p as i64)),
        "mined_us": col(&|b| b.mined_at_us as i64),
        "main": col(&|b| i64::from(b.main)),
        "tips": {
            "step": tree.tips.iter().map(|t| step_after(t.0)).collect::<Vec<_>>(),
            "node": tree.tips.iter().map(|t| t.1).collect::<Vec<_>>(),
            "block": tree.tips.iter().map(|t| t.2).collect::<Vec<_>>(),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::trial_seed;
    use crate::scenario::Scenario;
    use crate::trial::{run_trial, traitors_of};

    fn vote_trial() -> (crate::trial::TrialResult, Vec<bool>) {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/scenarios/vote-n4-equivocating-traitor-breaks-agreement.toml"
        );
        let sc = Scenario::load(std::path::Path::new(path), &[]).unwrap();
        let seed = trial_seed(sc.seed, 0);
        (
            run_trial(&sc, sc.kinds[0], 0, seed, true).unwrap(),
            traitors_of(&sc, seed),
        )
    }

    #[test]
    fn a_summarised_page_keeps_every_decision_and_the_first_difference_in_trace_order() {
        let (result, traitors) = vote_trial();
        let rec = result.trace.as_ref().unwrap();
        let index = TraceIndex::new(rec, &traitors);
        let fd = first_difference(&index).unwrap();
        let (kept, full) = steps(&index, &fd.events, 0, 2);
        assert!(!full);
        assert!(
            kept.windows(2).all(|w| w[0] < w[1]),
            "in trace order, each once"
        );
        for d in rec.decisions() {
            assert!(
                kept.contains(&d.position),
                "decision at {} kept",
                d.position
            );
        }
        assert!(fd.events.iter().all(|e| kept.contains(e)));
        assert!(kept.len() < rec.events().len());
        let (all, full) = steps(&index, &[], rec.events().len(), 2);
        assert!(full);
        assert_eq!(all.len(), rec.events().len());
    }

    #[test]
    fn the_first_difference_is_a_delivery_to_one_of_the_two_at_the_moment_the_explanation_names() {
        let (result, traitors) = vote_trial();
        let rec = result.trace.as_ref().unwrap();
        let index = TraceIndex::new(rec, &traitors);
        let fd = first_difference(&index).unwrap();
        let d = first_divergence(&index).unwrap();
        match rec.events()[fd.target] {
            TraceEvent::Deliver { to, at, handed, .. } => {
                assert!(handed && (to == fd.a || to == fd.b));
                assert_eq!(at, d.at);
            }
            ref e => panic!("not a delivery: {e:?}"),
        }
        assert!(!traitors[fd.a.idx()] && !traitors[fd.b.idx()] && fd.a != fd.b);
        // Named in the paragraph the page shows.
        let text = explain(&index);
        assert!(
            text.contains(&format!("general {}", fd.a))
                && text.contains(&format!("general {}", fd.b))
        );
    }
}
