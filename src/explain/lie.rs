//! What went wrong when no two honest views differ: a traitor that passed on another value than
//! the one it heard (a lie told alike to all), or else the first message that came late, was lost
//! or was withheld, alike for every honest general.

use std::collections::BTreeMap;

use super::{generals, in_round};
use crate::engine::trace::{MsgId, TraceEvent};
use crate::trace_index::{Fate, TraceIndex};
use crate::types::{NodeId, SimTime};

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
    pub(super) fn say(&self, index: &TraceIndex) -> String {
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

/// The earliest message to an honest general that arrived after its round, was lost or was
/// withheld, in words.
pub(super) fn first_mishap(index: &TraceIndex) -> Option<String> {
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
