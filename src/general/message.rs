//! What generals send: the [`Message`] trait (size on the wire, content in words) and a
//! message's identity ([`About`]) for comparing what different generals heard.

use crate::types::{SimTime, Value};

/// A message a protocol sends.
pub trait Message: Clone + std::fmt::Debug {
    /// Size on the wire in bytes, for the `bytes` column.
    fn wire_bytes(&self) -> u32;

    /// The share of this message's transmissions that need one more round trip before the
    /// recipient can use it (a compact block whose transactions the recipient lacks, BIP 152):
    /// with the measured-Internet model the network draws which, and adds two more latencies.
    fn round_trip_share(&self) -> f64 {
        0.0
    }

    /// The content in words, for traces, diagrams and explanations: the value, and the path, the
    /// chain's signers or the block's height and order it carries. Distinct contents must have
    /// distinct labels.
    fn label(&self) -> String {
        format!("{self:?}")
    }

    /// What makes two messages "the same logical message" (see [`About`]). The default treats
    /// every distinct content as its own message, which never calls two contents an equivocation.
    fn about(&self) -> About {
        About {
            slot: self.label(),
            ..About::default()
        }
    }
}

/// A message's identity, for comparing what different generals heard. Two messages with the same
/// origin and the same `slot` are meant to be one message that every general outside `skips`
/// receives alike; if their contents differ, someone equivocated or tampered.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct About {
    /// The identity apart from the value a liar may change: an oral message's path, a chain's
    /// signers, a phase and step; empty when an origin sends one message only (a vote).
    pub slot: String,
    /// The order it carries, if it carries one.
    pub value: Option<Value>,
    /// Generals that by design never receive it: those already on its path or chain.
    pub skips: Vec<u32>,
    /// It goes to one general by design (a request to the primary, a reply to one asker): that
    /// the others never hear it is no divergence.
    pub to_one: bool,
    /// The slot of the message it passes on, for a relay (an oral path without its last general).
    pub passes_on: Option<String>,
    /// The signatures it carries, for a signature chain.
    pub signatures: Option<u32>,
    /// Where it sits in the block tree, for a proof-of-work block (the viewer draws the tree).
    pub block: Option<BlockAbout>,
}

/// A proof-of-work block's place in the block tree.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct BlockAbout {
    pub height: u64,
    pub miner: u32,
    /// The parent block's slot (the genesis block's for the first blocks).
    pub parent: String,
    pub mined_at: SimTime,
}

impl Message for Value {
    fn wire_bytes(&self) -> u32 {
        1
    }

    fn label(&self) -> String {
        self.as_str().to_string()
    }

    fn about(&self) -> About {
        About {
            value: Some(*self),
            ..About::default()
        }
    }
}
