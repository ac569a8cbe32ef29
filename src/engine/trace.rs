//! What happened in one trial, event by event, when a trace is asked for.
//!
//! Recording is off by default and costs one branch per event then. Each transmission is
//! identified by the queue sequence number of its arrival event, so a `Send` and its `Deliver`
//! can be paired.

use crate::types::{NodeId, SimTime, Value};

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
        label: String,
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
    /// A traitor withheld a relay to `to`.
    Withheld { at: SimTime, by: NodeId, to: NodeId },
    /// A timer fired.
    Timer { at: SimTime, node: NodeId, tag: u64 },
    /// An honest general decided.
    Decide {
        at: SimTime,
        node: NodeId,
        value: Value,
    },
}
