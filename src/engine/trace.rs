//! What happened in one trial, event by event, when a trace is asked for.
//!
//! Recording is off by default and costs one branch per event then. Each transmission is
//! identified by the queue sequence number of its arrival event, so a `Send` and its `Deliver`
//! can be paired ([`crate::trace_index`] does). Messages are kept once each, in words and with
//! their identity ([`MsgInfo`]); events refer to them by number, so a trace of millions of sends
//! of a few distinct messages stays small.
//!
//! A trace is capped at [`MAX_EVENTS`] events (about 130 MB): past the cap it stops recording
//! events and notes where it was cut ([`Cut`]); decisions and reversions, at most one per
//! general, are always kept. A page's trace ([`Recording::keep_first_sends_past_cap`]) also keeps,
//! past the cap, the first send of each message not seen before (at most [`MAX_LATE_MESSAGES`]):
//! every block of a long proof-of-work trial, with its miner and time, stays on the page. The
//! trial itself runs to its end either way.

use std::collections::BTreeMap;

use crate::general::{About, Message};
use crate::types::{NodeId, SimTime, Value};

/// The most events a trace records (each about 64 bytes): beyond it the trace is cut.
pub const MAX_EVENTS: usize = 2_000_000;

/// The most new messages a page's trace keeps past its cap (one `Send` event each).
pub const MAX_LATE_MESSAGES: usize = 100_000;

/// A message of the trace, by its number in [`Recording::messages`].
pub type MsgId = u32;

/// What a trace keeps of a message: its content in words and its identity.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct MsgInfo {
    /// The content in words ([`Message::label`]).
    pub words: String,
    pub about: About,
}

/// One entry of a trial's trace.
#[derive(Clone, Debug, PartialEq)]
pub enum TraceEvent {
    /// A transmission put on a link at `at`; `seq` is `None` when the link lost it.
    Send {
        at: SimTime,
        from: NodeId,
        to: NodeId,
        seq: Option<u64>,
        relay: bool,
        /// The flooded envelope this hop carries (flooding transport), or the parcel whose
        /// copy it carries (disjoint-paths transport).
        envelope: Option<u32>,
        /// Who the message claims to come from (the sender, or a flooded envelope's origin).
        origin: NodeId,
        msg: MsgId,
    },
    /// The transmission `seq` arrived (for flooding: the hop arrived).
    Deliver {
        at: SimTime,
        from: NodeId,
        to: NodeId,
        seq: u64,
        envelope: Option<u32>,
        /// Whether it was handed to the general's logic (a flooded copy already seen, or
        /// addressed to someone else, is not).
        handed: bool,
    },
    /// A flooded copy sent to a general that already held the envelope: counted as sent (and,
    /// unless `lost`, as delivered and discarded), never scheduled.
    Redundant {
        at: SimTime,
        from: NodeId,
        to: NodeId,
        envelope: u32,
        lost: bool,
    },
    /// Traitor `by` chose not to pass message `msg` (from `origin`) to `to`: its own send, or a
    /// relay of flooded envelope `envelope`.
    Withheld {
        at: SimTime,
        by: NodeId,
        to: NodeId,
        origin: NodeId,
        envelope: Option<u32>,
        msg: MsgId,
    },
    /// A timer fired; `name` indexes [`Recording::names`].
    Timer {
        at: SimTime,
        node: NodeId,
        tag: u64,
        name: u32,
    },
    /// An honest general decided.
    Decide {
        at: SimTime,
        node: NodeId,
        value: Value,
    },
    /// An honest general's decision was reverted; `how` indexes [`Recording::names`].
    Reverted { at: SimTime, node: NodeId, how: u32 },
}

/// Where a trace stopped recording.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cut {
    /// The simulated time of the first event not recorded.
    pub at: SimTime,
    /// Events recorded (the cap).
    pub kept: usize,
    /// Events not recorded.
    pub dropped: u64,
}

/// An honest general's decision, with its place in the trace.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Decision {
    pub node: NodeId,
    pub value: Value,
    pub at: SimTime,
    /// Events recorded before it: deliveries at smaller positions were in the general's view.
    pub position: usize,
}

/// A reverted decision, in words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reversion {
    pub node: NodeId,
    pub at: SimTime,
    pub how: String,
}

/// A trial's trace as it is recorded.
#[derive(Clone, Debug)]
pub struct Recording {
    events: Vec<TraceEvent>,
    messages: Vec<MsgInfo>,
    message_ids: BTreeMap<MsgInfo, MsgId>,
    names: Vec<String>,
    name_ids: BTreeMap<String, u32>,
    /// The round length, for round-based protocols.
    pub round: Option<SimTime>,
    decisions: Vec<Decision>,
    reversions: Vec<Reversion>,
    cut: Option<Cut>,
    cap: usize,
    /// Past the cap, keep the first send of each new message (a page's trace).
    first_sends_past_cap: bool,
    /// The message [`Recording::intern`] added last, until its `Send` is pushed.
    fresh: Option<MsgId>,
    /// `Send` events kept past the cap.
    late: usize,
}

impl Recording {
    /// An empty trace of at most `cap` events; `round` for round-based protocols.
    pub fn new(round: Option<SimTime>, cap: usize) -> Recording {
        Recording {
            events: Vec::new(),
            messages: Vec::new(),
            message_ids: BTreeMap::new(),
            names: Vec::new(),
            name_ids: BTreeMap::new(),
            round,
            decisions: Vec::new(),
            reversions: Vec::new(),
            cut: None,
            cap,
            first_sends_past_cap: false,
            fresh: None,
            late: 0,
        }
    }

    /// Past the cap, keeps recording the first send of each message not seen before.
    pub fn keep_first_sends_past_cap(&mut self) {
        self.first_sends_past_cap = true;
    }

    /// Whether events are still recorded.
    pub fn recording(&self) -> bool {
        self.cut.is_none()
    }

    /// Appends `e`, unless the trace is full (then notes the cut).
    pub fn push(&mut self, e: TraceEvent) {
        let fresh = match e {
            TraceEvent::Send { msg, .. } if self.fresh == Some(msg) => {
                self.fresh = None;
                true
            }
            _ => false,
        };
        if self.events.len() < self.cap {
            self.events.push(e);
            return;
        }
        if fresh && self.first_sends_past_cap && self.late < MAX_LATE_MESSAGES {
            if self.cut.is_none() {
                self.cut = Some(Cut {
                    at: e.at(),
                    kept: self.events.len(),
                    dropped: 0,
                });
            }
            self.late += 1;
            self.events.push(e);
            return;
        }
        match &mut self.cut {
            Some(c) => c.dropped += 1,
            None => {
                self.cut = Some(Cut {
                    at: e.at(),
                    kept: self.events.len(),
                    dropped: 1,
                });
            }
        }
    }

    /// The number of `msg` in the message table (`None` once the trace is cut: nothing more
    /// refers to it).
    pub fn intern<M: Message>(&mut self, msg: &M) -> Option<MsgId> {
        let late = !self.recording();
        if late && !(self.first_sends_past_cap && self.late < MAX_LATE_MESSAGES) {
            return None;
        }
        let info = MsgInfo {
            words: msg.label(),
            about: msg.about(),
        };
        if let Some(&id) = self.message_ids.get(&info) {
            // Past the cap a known message's sends are not recorded.
            return (!late).then_some(id);
        }
        let id = self.messages.len() as MsgId;
        self.messages.push(info.clone());
        self.message_ids.insert(info, id);
        self.fresh = Some(id);
        Some(id)
    }

    /// The number of a name (timer names, reversions).
    pub fn name(&mut self, name: String) -> u32 {
        if let Some(&id) = self.name_ids.get(&name) {
            return id;
        }
        let id = self.names.len() as u32;
        self.names.push(name.clone());
        self.name_ids.insert(name, id);
        id
    }

    /// Notes that timer `tag` of `node`, named `name`, fired.
    pub fn timer(&mut self, at: SimTime, node: NodeId, tag: u64, name: impl FnOnce() -> String) {
        let name = if self.recording() {
            self.name(name())
        } else {
            0
        };
        self.push(TraceEvent::Timer {
            at,
            node,
            tag,
            name,
        });
    }

    /// Notes an honest general's decision (kept even past the cap).
    pub fn decide(&mut self, at: SimTime, node: NodeId, value: Value) {
        self.decisions.push(Decision {
            node,
            value,
            at,
            position: self.events.len(),
        });
        self.push(TraceEvent::Decide { at, node, value });
    }

    /// Notes that an honest general's decision was reverted (kept even past the cap).
    pub fn revert(&mut self, at: SimTime, node: NodeId, how: String) {
        let name = if self.recording() {
            self.name(how.clone())
        } else {
            0
        };
        self.push(TraceEvent::Reverted {
            at,
            node,
            how: name,
        });
        self.reversions.push(Reversion { node, at, how });
    }

    pub fn events(&self) -> &[TraceEvent] {
        &self.events
    }

    pub fn message(&self, id: MsgId) -> &MsgInfo {
        &self.messages[id as usize]
    }

    pub fn messages(&self) -> &[MsgInfo] {
        &self.messages
    }

    pub fn names(&self) -> &[String] {
        &self.names
    }

    pub fn decisions(&self) -> &[Decision] {
        &self.decisions
    }

    pub fn reversions(&self) -> &[Reversion] {
        &self.reversions
    }

    /// Where the trace was cut, if it was.
    pub fn cut(&self) -> Option<Cut> {
        self.cut
    }

    /// The cut, in words, if there was one.
    pub fn cut_note(&self) -> Option<String> {
        self.cut.map(|c| {
            let late = match self.late {
                0 => String::new(),
                k => format!(" (but the first send of each of {k} new messages, kept for the page)"),
            };
            format!(
                "trace was cut at {} events (its cap), at {:.3} ms of simulated time; {} later events were not recorded{late}",
                c.kept,
                c.at.as_ms(),
                c.dropped
            )
        })
    }
}

impl TraceEvent {
    /// When it happened.
    pub fn at(&self) -> SimTime {
        match self {
            TraceEvent::Send { at, .. }
            | TraceEvent::Deliver { at, .. }
            | TraceEvent::Redundant { at, .. }
            | TraceEvent::Withheld { at, .. }
            | TraceEvent::Timer { at, .. }
            | TraceEvent::Decide { at, .. }
            | TraceEvent::Reverted { at, .. } => *at,
        }
    }
}

impl<'a> IntoIterator for &'a Recording {
    type Item = &'a TraceEvent;
    type IntoIter = std::slice::Iter<'a, TraceEvent>;
    fn into_iter(self) -> Self::IntoIter {
        self.events.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_event_takes_at_most_64_bytes_so_a_full_trace_stays_near_130_mb() {
        assert!(std::mem::size_of::<TraceEvent>() <= 64);
    }

    /// Past the cap a page's trace keeps only the first send of each new message; a plain
    /// trace keeps nothing more.
    #[test]
    fn past_the_cap_a_page_keeps_each_new_messages_first_send_only() {
        let send = |rec: &mut Recording, v: Value, at: u64| {
            let msg = rec.intern(&v).unwrap_or_default();
            rec.push(TraceEvent::Send {
                at: SimTime(at),
                from: NodeId(0),
                to: NodeId(1),
                seq: Some(at),
                relay: false,
                envelope: None,
                origin: NodeId(0),
                msg,
            });
        };
        for page in [false, true] {
            let mut rec = Recording::new(None, 2);
            if page {
                rec.keep_first_sends_past_cap();
            }
            send(&mut rec, Value::Attack, 1);
            send(&mut rec, Value::Attack, 2);
            // The cap is reached: attack again is dropped, retreat (new) is kept on a page.
            send(&mut rec, Value::Attack, 3);
            send(&mut rec, Value::Retreat, 4);
            send(&mut rec, Value::Retreat, 5);
            let times: Vec<u64> = rec.events().iter().map(|e| e.at().0).collect();
            let cut = rec.cut().expect("cut");
            assert_eq!(cut.kept, 2);
            assert_eq!(cut.at, SimTime(3));
            if page {
                assert_eq!(times, [1, 2, 4]);
                assert_eq!(cut.dropped, 2);
                assert_eq!(rec.messages().len(), 2);
                assert!(rec.cut_note().unwrap().contains("1 new messages"));
            } else {
                assert_eq!(times, [1, 2]);
                assert_eq!(cut.dropped, 3);
                assert_eq!(rec.messages().len(), 1);
            }
        }
    }

    #[test]
    fn a_message_is_kept_once_however_often_it_is_sent() {
        let mut rec = Recording::new(None, MAX_EVENTS);
        let a = rec.intern(&Value::Attack);
        assert_eq!(rec.intern(&Value::Attack), a);
        assert_ne!(rec.intern(&Value::Retreat), a);
        assert_eq!(rec.messages().len(), 2);
        assert_eq!(rec.message(a.unwrap()).words, "attack");
    }
}
