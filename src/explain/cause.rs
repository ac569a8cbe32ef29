//! Why an honest general did not hear, in time, a message another one heard: withheld (by
//! whom, in which round), lost on a link, late for its round, still on its way, no flooded copy
//! reaching it, or never sent to it (a chain released late, to some generals only).

use std::collections::BTreeMap;

use super::{generals, in_round, role};
use crate::engine::trace::{MsgId, TraceEvent};
use crate::trace_index::{Fate, TraceIndex};
use crate::types::{NodeId, SimTime};

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

/// Why `b` did not hear, in time, the message `msg` from `origin` that others heard.
pub(super) fn missing_cause(index: &TraceIndex, origin: NodeId, msg: MsgId, b: NodeId) -> Cause {
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
impl Cause {
    pub(super) fn say(&self, index: &TraceIndex, origin: NodeId, msg: MsgId, b: NodeId) -> String {
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
