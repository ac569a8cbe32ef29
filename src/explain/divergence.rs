//! The views of the honest generals, compared by message identity: each general's view is the
//! set of logical messages (origin, slot, content) meant for it that it was handed before it
//! decided; the earliest one an honest general heard and another one meant to hear it did not, or
//! the earliest pair of different first contents of one message, is the divergence.

use super::cause::{Cause, missing_cause};
use super::role;
use crate::engine::trace::MsgId;
use crate::trace_index::{Fate, TraceIndex};
use crate::types::{NodeId, SimTime};

/// The earliest point where two honest generals' views of one logical message differ.
#[derive(Clone, Debug, PartialEq)]
pub struct Divergence {
    pub at: SimTime,
    /// Who the message claims to come from.
    pub origin: NodeId,
    pub kind: Kind,
}

/// How two views differ.
#[derive(Clone, Debug, PartialEq)]
pub enum Kind {
    /// `a` heard `x`, `b` heard `y`; `made_*` made each copy (the origin, unless a relayer
    /// tampered with it). With `first`, one of them heard both, the other one first: for a
    /// protocol that keeps the first copy, the order made the difference.
    Contents {
        a: NodeId,
        x: MsgId,
        made_x: NodeId,
        b: NodeId,
        y: MsgId,
        made_y: NodeId,
        first: bool,
    },
    /// `a` heard `msg`, `b` did not (in time), because of `cause`.
    Missing {
        a: NodeId,
        msg: MsgId,
        b: NodeId,
        cause: Cause,
    },
}

/// A view: what one honest general heard of one logical message, first.
#[derive(Clone, Copy, Debug)]
struct Heard {
    origin: u32,
    slot: u32,
    to: u32,
    event: usize,
    at: SimTime,
    msg: MsgId,
    tx: usize,
}

/// Whether an honest general's view can be judged: in a cut trace, only a general that decided
/// before the cut has its whole view recorded.
pub(super) fn in_scope(index: &TraceIndex, v: NodeId) -> bool {
    if index.is_traitor(v) {
        return false;
    }
    match index.rec.cut() {
        None => true,
        Some(cut) => index
            .rec
            .decisions()
            .iter()
            .any(|d| d.node == v && d.position < cut.kept),
    }
}

/// Where each honest general's view ends: the position of its decision in round-based
/// protocols (later messages did not count), else the end of the trace.
fn view_ends(index: &TraceIndex) -> Vec<usize> {
    let mut end = vec![usize::MAX; index.n()];
    if index.rec.round.is_some() {
        for d in index.rec.decisions() {
            if let Some(e) = end.get_mut(d.node.idx()) {
                *e = d.position;
            }
        }
    }
    end
}

/// Every honest general's view, sorted by (origin, slot, content, general): each logical
/// message meant for it that it was handed, once, at its first copy.
fn views(index: &TraceIndex) -> Vec<Heard> {
    let end = view_ends(index);
    let mut heard = Vec::new();
    for k in index.transmissions() {
        let Fate::Delivered {
            event,
            at,
            handed: true,
        } = index.fate(k)
        else {
            continue;
        };
        let s = index.sent(k);
        let about = &index.message(s.msg).about;
        if index.is_traitor(s.to)
            || s.origin == s.to
            || about.skips.contains(&s.to.0)
            || event >= end[s.to.idx()]
        {
            continue;
        }
        heard.push(Heard {
            origin: s.origin.0,
            slot: index.slot(s.msg),
            to: s.to.0,
            event,
            at,
            msg: s.msg,
            tx: k,
        });
    }
    heard.sort_by_key(|h| (h.origin, h.slot, h.msg, h.to, h.event));
    heard.dedup_by_key(|h| (h.origin, h.slot, h.msg, h.to));
    heard
}

/// The end of the run of `v` starting at `start` with the same `key`.
fn run_end<K: PartialEq>(v: &[Heard], start: usize, key: impl Fn(&Heard) -> K) -> usize {
    let k = key(&v[start]);
    v[start..]
        .iter()
        .position(|h| key(h) != k)
        .map_or(v.len(), |p| start + p)
}

/// The earliest divergence between two honest generals' views, if any: the first moment an
/// honest general heard a logical message (origin, slot and content) that another honest
/// general meant to hear it never heard (in time).
pub fn first_divergence(index: &TraceIndex) -> Option<Divergence> {
    let heard = views(index);
    let scope: Vec<bool> = (0..index.n() as u32)
        .map(|v| in_scope(index, NodeId(v)))
        .collect();
    let in_scope_count = scope.iter().filter(|s| **s).count();
    let earliest = |i: &usize| (heard[*i].at, heard[*i].event);
    // (time, first hearer, start and end of its slot's entries, of its content's entries)
    let mut best: Option<(SimTime, usize, usize, usize, usize, usize)> = None;
    let mut slot_start = 0;
    while slot_start < heard.len() {
        let slot_end = run_end(&heard, slot_start, |h| (h.origin, h.slot));
        let origin = NodeId(heard[slot_start].origin);
        let about = &index.message(heard[slot_start].msg).about;
        if about.to_one {
            // Meant for one general: only differing contents (below) can tell views apart.
            slot_start = slot_end;
            continue;
        }
        let skipped = about
            .skips
            .iter()
            .filter(|&&v| v != origin.0 && scope.get(v as usize).copied().unwrap_or(false))
            .count();
        let expected = in_scope_count - usize::from(scope[origin.idx()]) - skipped;
        let mut start = slot_start;
        while start < slot_end {
            let end = run_end(&heard, start, |h| (h.origin, h.slot, h.msg));
            let hearers = (start..end).filter(|&i| scope[heard[i].to as usize]);
            if hearers.clone().count() < expected
                && let Some(first) = hearers.min_by_key(earliest)
            {
                let found = (heard[first].at, first, slot_start, slot_end, start, end);
                if best.is_none_or(|b| (found.0, found.1) < (b.0, b.1)) {
                    best = Some(found);
                }
            }
            start = end;
        }
        slot_start = slot_end;
    }
    let Some((at, first, slot_start, slot_end, start, end)) = best else {
        return first_contents(index, &heard, &scope);
    };
    let h = heard[first];
    let origin = NodeId(h.origin);
    let about = &index.message(h.msg).about;
    let slot = &heard[slot_start..slot_end];
    let heard_it = |v: u32| heard[start..end].iter().any(|x| x.to == v);
    let missing: Vec<u32> = (0..index.n() as u32)
        .filter(|&v| {
            scope[v as usize] && v != origin.0 && !about.skips.contains(&v) && !heard_it(v)
        })
        .collect();
    // An equivocation: a general that missed this content heard another one of the same
    // message, which the first hearer did not hear.
    let other = missing.iter().find_map(|&b| {
        slot.iter()
            .filter(|x| x.to == b && x.msg != h.msg)
            .filter(|x| !slot.iter().any(|y| y.to == h.to && y.msg == x.msg))
            .min_by_key(|x| (x.at, x.event))
    });
    if let Some(first) = first_contents(index, &heard, &scope)
        && first.at < at
    {
        return Some(first);
    }
    if let Some(o) = other {
        return Some(Divergence {
            at,
            origin,
            kind: Kind::Contents {
                a: NodeId(h.to),
                x: h.msg,
                made_x: index.made_by(h.tx),
                b: NodeId(o.to),
                y: o.msg,
                made_y: index.made_by(o.tx),
                first: false,
            },
        });
    }
    let b = NodeId(*missing.first()?);
    let cause = missing_cause(index, origin, h.msg, b);
    Some(Divergence {
        at,
        origin,
        kind: Kind::Missing {
            a: NodeId(h.to),
            msg: h.msg,
            b,
            cause,
        },
    })
}

/// The earliest moment two honest generals had heard different first contents of one message
/// (origin and slot), though each may have heard the other's later: protocols that keep the
/// first copy (votes, oral paths) then hold different values.
fn first_contents(index: &TraceIndex, heard: &[Heard], scope: &[bool]) -> Option<Divergence> {
    let mut best: Option<(SimTime, Heard, Heard)> = None;
    let mut start = 0;
    while start < heard.len() {
        let end = run_end(heard, start, |h| (h.origin, h.slot));
        // Each general's first copy of this message.
        let mut firsts: Vec<&Heard> = heard[start..end]
            .iter()
            .filter(|h| scope[h.to as usize])
            .collect();
        firsts.sort_by_key(|h| (h.to, h.at, h.event));
        firsts.dedup_by_key(|h| h.to);
        let earliest = firsts.iter().min_by_key(|h| (h.at, h.event));
        if let Some(a) = earliest
            && let Some(b) = firsts
                .iter()
                .filter(|h| h.msg != a.msg)
                .min_by_key(|h| (h.at, h.event))
        {
            let at = a.at.max(b.at);
            if best.is_none_or(|x| at < x.0) {
                best = Some((at, **a, **b));
            }
        }
        start = end;
    }
    let (at, a, b) = best?;
    let slot = heard
        .iter()
        .filter(|h| (h.origin, h.slot) == (a.origin, a.slot));
    let both = slot.clone().any(|h| h.to == a.to && h.msg == b.msg)
        || slot.clone().any(|h| h.to == b.to && h.msg == a.msg);
    Some(Divergence {
        at,
        origin: NodeId(a.origin),
        kind: Kind::Contents {
            a: NodeId(a.to),
            x: a.msg,
            made_x: index.made_by(a.tx),
            b: NodeId(b.to),
            y: b.msg,
            made_y: index.made_by(b.tx),
            first: both,
        },
    })
}

impl Divergence {
    /// The divergence and its cause, in words.
    pub fn say(&self, index: &TraceIndex) -> String {
        let words = |m: MsgId| index.message(m).words.as_str();
        let o = self.origin;
        match &self.kind {
            Kind::Contents {
                a,
                x,
                made_x,
                b,
                y,
                made_y,
                first,
            } => {
                let tampered: Vec<NodeId> =
                    [*made_x, *made_y].into_iter().filter(|&m| m != o).collect();
                // The lower-numbered general first.
                let ((a, x), (b, y)) = if a < b {
                    ((a, x), (b, y))
                } else {
                    ((b, y), (a, x))
                };
                let equivocation = if index.is_traitor(o) {
                    format!(" (an equivocation by traitor {o})")
                } else {
                    String::new()
                };
                match tampered.as_slice() {
                    [] if *first => format!(
                        "general {a} heard \"{}\" from general {o} first but general {b} heard \"{}\" first{equivocation}",
                        words(*x),
                        words(*y),
                    ),
                    [] => format!(
                        "general {o} told general {a} \"{}\" but general {b} \"{}\"{equivocation}",
                        words(*x),
                        words(*y),
                    ),
                    [m, ..] => format!(
                        "general {a} heard \"{}\" and general {b} \"{}\", each as general {o}'s message: general {m}{} passed on a tampered copy",
                        words(*x),
                        words(*y),
                        role(index, *m)
                    ),
                }
            }
            Kind::Missing { a, msg, b, cause } => {
                let heard = format!("general {a} heard \"{}\" from general {o}", words(*msg));
                format!("{heard} but general {b} {}", cause.say(index, o, *msg, *b))
            }
        }
    }
}
