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
//! general, are always kept. The trial itself runs to its end either way.

use std::collections::BTreeMap;

use crate::general::{About, Message};
use crate::types::{NodeId, SimTime, Value};

/// The most events a trace records (each about 64 bytes): beyond it the trace is cut.
pub const MAX_EVENTS: usize = 2_000_000;

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
        }
    }

    /// Whether events are still recorded.
    pub fn recording(&self) -> bool {
        self.cut.is_none()
    }

    /// Appends `e`, unless the trace is full (then notes the cut).
    pub fn push(&mut self, e: TraceEvent) {
        if self.events.len() < self.cap {
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
        if !self.recording() {
            return None;
        }
        let info = MsgInfo {
            words: msg.label(),
            about: msg.about(),
        };
        if let Some(&id) = self.message_ids.get(&info) {
            return Some(id);
        }
        let id = self.messages.len() as MsgId;
        self.messages.push(info.clone());
        self.message_ids.insert(info, id);
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
            format!(
                "trace was cut at {} events (its cap), at {:.3} ms of simulated time; {} later events were not recorded",
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
