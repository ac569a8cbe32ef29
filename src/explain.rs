//! One paragraph about a violated trial: who decided what, and what made the honest generals'
//! views differ.
//!
//! The cause named is the first that applies:
//! 1. a decision reverted by a reorganisation (proof of work; the protocol says which blocks and
//!    how deep);
//! 2. the earliest point where two honest generals' views differ, by message identity (the same
//!    origin and slot, see [`crate::protocol::About`]): one sender told them different things
//!    (equivocation), a relayer tampered with a copy, or one of them never got, or got too late,
//!    what the other got, because it was withheld (by whom, from whom, in which round), lost on a
//!    link, arrived after its round had ended, was still on its way, or was never sent to it (a
//!    signature chain released late, to some generals only). A general is compared only on the
//!    messages meant for it: an oral message never goes to a general on its path, by design;
//! 3. when every view agrees, the first lie: a traitor that passed on a value other than the one
//!    it heard (which outvotes the truth without any two loyal views differing).
//!
//! A view is what a general heard before it decided (round-based protocols) or at all (proof of
//! work, which keeps listening). Everything is computed from one [`TraceIndex`] in
//! O(E log E) time for E events; a trace that was cut at its cap says so, and only claims what
//! the recorded part shows.

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::engine::trace::{MsgId, TraceEvent};
use crate::trace_index::{Fate, TraceIndex};
use crate::types::{NodeId, SimTime};

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
    if let Some(r) = index.rec.reversions().iter().min_by_key(|r| (r.at, r.node)) {
        let decided = index.rec.decisions().iter().find(|d| d.node == r.node);
        let what = decided.map_or(String::new(), |d| {
            format!(" ({} at {:.3} ms)", d.value, d.at.as_ms())
        });
        let how = if r.how.is_empty() {
            "its chain stopped carrying that order".to_string()
        } else {
            r.how.clone()
        };
        let _ = write!(
            out,
            " General {}'s decision{what} was reverted at {:.3} ms by a reorganisation: {how}.",
            r.node,
            r.at.as_ms()
        );
        return out;
    }
    match first_divergence(index) {
        Some(d) => {
            let _ = write!(out, " Views first differed at {}: {}.", d.at, d.say(index));
        }
        None if index.rec.cut().is_some()
            && !(0..index.n() as u32).any(|v| in_scope(index, NodeId(v))) =>
        {
            out.push_str(
                " No honest general decided before the cut, so no two views can be compared: replay a smaller configuration to see the cause.",
            );
        }
        None => {
            out.push_str(if index.rec.cut().is_some() {
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
                let _ = write!(
                    out,
                    ", but not every message got through in time, alike for all: first, {m}."
                );
            } else {
                out.push_str(": every honest general heard the same from every sender.");
            }
        }
    }
    out
}

/// The earliest message to an honest general that arrived after its round, was lost or was
/// withheld, in words.
fn first_mishap(index: &TraceIndex) -> Option<String> {
    let words = |m: MsgId| index.message(m).words.as_str();
    let mut best: Option<(SimTime, String)> = None;
    let mut consider = |at: SimTime, text: String| {
        if best.as_ref().is_none_or(|b| at < b.0) {
            best = Some((at, text));
        }
    };
    for k in index.transmissions() {
        let s = index.sent(k);
        if index.is_traitor(s.to) {
            continue;
        }
        match index.fate(k) {
            Fate::Delivered {
                at, handed: true, ..
            } => {
                if let Some((round, end)) = index.late(k) {
                    consider(
                        end,
                        format!(
                            "general {}'s \"{}\" reached general {} at {:.3} ms, after its round ({round}) had ended at {:.3} ms",
                            s.from,
                            words(s.msg),
                            s.to,
                            at.as_ms(),
                            end.as_ms()
                        ),
                    );
                }
            }
            Fate::Lost => consider(
                s.at,
                format!(
                    "general {}'s \"{}\" was lost on the link {} → {}{}",
                    s.from,
                    words(s.msg),
                    s.from,
                    s.to,
                    in_round(index, s.at)
                ),
            ),
            _ => {}
        }
    }
    for e in index.rec.events() {
        if let TraceEvent::Withheld {
            at, by, to, msg, ..
        } = e
            && !index.is_traitor(*to)
        {
            consider(
                *at,
                format!(
                    "general {by}, a traitor, withheld \"{}\" from general {to}{}",
                    words(*msg),
                    in_round(index, *at)
                ),
            );
        }
    }
    best.map(|b| b.1)
}

/// "Decisions: general 0 attack, … (traitors: 3)."
fn decisions(index: &TraceIndex) -> String {
    let decided = index.rec.decisions();
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
        for d in decided {
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

/// Why a general did not hear a message another one heard.
#[derive(Clone, Debug, PartialEq)]
pub enum Cause {
    /// A traitor withheld it from the general (its own send or a relay).
    Withheld { by: NodeId, at: SimTime },
    /// The link from `from` lost it.
    Lost { from: NodeId, at: SimTime },
    /// It arrived after the end of the round it was sent in.
    Late {
        arrived: SimTime,
        round: u64,
        ended: SimTime,
    },
    /// It arrived after the general had decided.
    AfterDecision { arrived: SimTime, decided: SimTime },
    /// It was still on its way when the general decided (`decided`), or when the trial ended.
    Pending {
        from: NodeId,
        sent: SimTime,
        decided: Option<SimTime>,
    },
    /// No flooded copy reached the general: these relays were withheld and these links lost.
    NoCopy {
        withheld: Vec<(NodeId, NodeId, SimTime)>,
        lost: Vec<(NodeId, NodeId)>,
    },
    /// The origin never sent it to the general; it sent it to `to` only, first at `first`.
    NotSent { to: Vec<u32>, first: SimTime },
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
fn in_scope(index: &TraceIndex, v: NodeId) -> bool {
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

/// Why `b` did not hear, in time, the message `msg` from `origin` that others heard.
fn missing_cause(index: &TraceIndex, origin: NodeId, msg: MsgId, b: NodeId) -> Cause {
    let ours = |m: MsgId, from: NodeId| from == origin && m == msg;
    let decided = index
        .rec
        .decisions()
        .iter()
        .find(|d| d.node == b)
        .map(|d| d.at);
    let (mut late, mut lost, mut pending) = (None, None, None);
    let mut flooded = false;
    let mut copies_lost = Vec::new();
    let mut reached: Vec<u32> = Vec::new();
    let mut first_send: Option<SimTime> = None;
    for k in index.transmissions() {
        let s = index.sent(k);
        if !ours(s.msg, s.origin) {
            continue;
        }
        flooded |= s.envelope.is_some();
        if !s.relay && !index.is_traitor(s.to) {
            reached.push(s.to.0);
            first_send = Some(first_send.map_or(s.at, |f: SimTime| f.min(s.at)));
        }
        let fate = index.fate(k);
        if s.to != b {
            if fate == Fate::Lost {
                copies_lost.push((s.from, s.to));
            }
            continue;
        }
        match fate {
            Fate::Delivered {
                at, handed: true, ..
            } if late.is_none() => {
                late = Some(match index.late(k) {
                    Some((round, ended)) => Cause::Late {
                        arrived: at,
                        round,
                        ended,
                    },
                    None => Cause::AfterDecision {
                        arrived: at,
                        decided: decided.unwrap_or(at),
                    },
                });
            }
            Fate::Lost if lost.is_none() => {
                lost = Some(Cause::Lost {
                    from: s.from,
                    at: s.at,
                })
            }
            Fate::Pending if pending.is_none() => {
                pending = Some(Cause::Pending {
                    from: s.from,
                    sent: s.at,
                    decided,
                })
            }
            _ => {}
        }
    }
    let mut withheld = Vec::new();
    for e in index.rec.events() {
        if let TraceEvent::Withheld {
            at,
            by,
            to,
            origin: o,
            msg,
            ..
        } = e
            && ours(*msg, *o)
        {
            withheld.push((*by, *to, *at));
        }
    }
    if let Some(c) = late {
        return c;
    }
    if let Some(&(by, _, at)) = withheld.iter().find(|w| w.1 == b) {
        return Cause::Withheld { by, at };
    }
    if let Some(c) = lost.or(pending) {
        return c;
    }
    if flooded && (!withheld.is_empty() || !copies_lost.is_empty()) {
        return Cause::NoCopy {
            withheld,
            lost: copies_lost,
        };
    }
    reached.sort_unstable();
    reached.dedup();
    Cause::NotSent {
        to: reached,
        first: first_send.unwrap_or_default(),
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

impl Cause {
    fn say(&self, index: &TraceIndex, origin: NodeId, msg: MsgId, b: NodeId) -> String {
        match self {
            Cause::Withheld { by, at } => format!(
                "never did: general {by}{} withheld it from general {b}{}",
                role(index, *by),
                in_round(index, *at)
            ),
            Cause::Lost { from, at } => format!(
                "never did: it was lost on the link {from} → {b} (sent{})",
                in_round(index, *at)
            ),
            Cause::Late {
                arrived,
                round,
                ended,
            } => format!(
                "not in time: it arrived at {:.3} ms, after its round ({round}) had ended at {:.3} ms",
                arrived.as_ms(),
                ended.as_ms()
            ),
            Cause::AfterDecision { arrived, decided } => format!(
                "only at {:.3} ms, after deciding at {:.3} ms",
                arrived.as_ms(),
                decided.as_ms()
            ),
            Cause::Pending {
                from,
                sent,
                decided: Some(d),
            } => {
                let round = index.round_of(*sent);
                match round.zip(round.and_then(|r| index.round_end(r))) {
                    Some((r, end)) if end <= *d => format!(
                        "did not in time: sent by general {from} in round {r}, at {:.3} ms, it had not arrived when that round ended at {:.3} ms",
                        sent.as_ms(),
                        end.as_ms()
                    ),
                    _ => format!(
                        "did not in time: sent by general {from} at {:.3} ms, it had not arrived when general {b} decided at {:.3} ms",
                        sent.as_ms(),
                        d.as_ms()
                    ),
                }
            }
            Cause::Pending {
                from,
                sent,
                decided: None,
            } => format!(
                "never did: sent by general {from} at {:.3} ms, it was still on its way when the trial ended",
                sent.as_ms()
            ),
            Cause::NoCopy { withheld, lost } => {
                let mut parts = Vec::new();
                let mut by: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
                for (w, to, _) in withheld {
                    by.entry(w.0).or_default().push(to.0);
                }
                for (w, tos) in &by {
                    let at = withheld.iter().find(|x| x.0.0 == *w).map(|x| x.2);
                    parts.push(format!(
                        "general {w}{} withheld its relays of it to {}{}",
                        role(index, NodeId(*w)),
                        generals(tos),
                        at.map_or(String::new(), |t| in_round(index, t))
                    ));
                }
                if !lost.is_empty() {
                    let links: Vec<String> = lost
                        .iter()
                        .take(8)
                        .map(|(f, t)| format!("{f} → {t}"))
                        .collect();
                    parts.push(format!("the links {} lost copies", links.join(", ")));
                }
                format!(
                    "never did: no copy reached general {b}: {}",
                    parts.join("; ")
                )
            }
            Cause::NotSent { to, first } => {
                let about = &index.message(msg).about;
                if !index.is_traitor(origin) {
                    return format!("never did: general {origin} never sent it to general {b}");
                }
                match (about.signatures, index.round_of(*first)) {
                    (Some(k), Some(r)) => format!(
                        "never did: general {origin}, a traitor, released this chain of {k} signature{} {}in round {r}, at {:.3} ms, and only to {}",
                        if k == 1 { "" } else { "s" },
                        if r >= k as u64 && r > 1 { "late, " } else { "" },
                        first.as_ms(),
                        generals(to)
                    ),
                    _ => format!(
                        "never did: general {origin}, a traitor, sent it only to {}",
                        generals(to)
                    ),
                }
            }
        }
    }
}

/// A traitor that passed on another value than the one it heard.
#[derive(Clone, Debug, PartialEq)]
pub struct Lie {
    pub by: NodeId,
    pub at: SimTime,
    /// What it heard, and from whom.
    pub heard: MsgId,
    pub heard_from: NodeId,
    /// What it passed on, and to which generals.
    pub said: MsgId,
    pub to: Vec<u32>,
}

impl Lie {
    fn say(&self, index: &TraceIndex) -> String {
        let words = |m: MsgId| index.message(m).words.as_str();
        format!(
            "general {}, a traitor, heard \"{}\" from general {} but passed on \"{}\" to {}{}",
            self.by,
            words(self.heard),
            self.heard_from,
            words(self.said),
            generals(&self.to),
            in_round(index, self.at)
        )
    }
}

/// The earliest relay in which a traitor changed the value it heard.
pub fn first_lie(index: &TraceIndex) -> Option<Lie> {
    // What each traitor heard first of each slot: (traitor, slot) → (message, from).
    let mut heard: BTreeMap<(u32, u32), (MsgId, NodeId)> = BTreeMap::new();
    for k in index.transmissions() {
        let s = index.sent(k);
        if index.is_traitor(s.to)
            && let Fate::Delivered { handed: true, .. } = index.fate(k)
        {
            heard
                .entry((s.to.0, index.slot(s.msg)))
                .or_insert((s.msg, s.origin));
        }
    }
    let slot_named: BTreeMap<&str, u32> = index
        .rec
        .messages()
        .iter()
        .enumerate()
        .map(|(m, info)| (info.about.slot.as_str(), index.slot(m as MsgId)))
        .collect();
    let mut lie: Option<Lie> = None;
    for k in index.transmissions() {
        let s = index.sent(k);
        if s.relay || !index.is_traitor(s.from) || index.is_traitor(s.to) {
            continue;
        }
        if let Some(l) = &mut lie {
            if l.by == s.from && l.said == s.msg && l.at == s.at {
                l.to.push(s.to.0);
            }
            continue;
        }
        let about = &index.message(s.msg).about;
        let Some(parent) = about.passes_on.as_deref() else {
            continue;
        };
        let Some(&slot) = slot_named.get(parent) else {
            continue;
        };
        let Some(&(got, from)) = heard.get(&(s.from.0, slot)) else {
            continue;
        };
        let got_value = index.message(got).about.value;
        if got_value.is_some() && about.value.is_some() && got_value != about.value {
            lie = Some(Lie {
                by: s.from,
                at: s.at,
                heard: got,
                heard_from: from,
                said: s.msg,
                to: vec![s.to.0],
            });
        }
    }
    lie
}
