//! The general's contract: everything a protocol and a traitor need from the engine, and
//! everything the engine needs from them. It sits on the engine's floor: the engine, the
//! protocols ([`crate::protocol`]) and the traitor behaviours ([`crate::adversary`]) import it,
//! and it imports none of them, so there is no import circle.
//!
//! - [`Protocol`]: the honest logic of one general, pure: its handlers read the message or timer
//!   they are given and append [`Action`]s to the outbox in [`Ctx`]; only the engine applies them.
//!   A protocol never sees the network, the clock outside `ctx.now`, or any randomness but its
//!   own stream `ctx.rng`.
//! - [`Message`]: what generals send, with its size and its content in words.
//! - [`Traitor`]: a behaviour that wraps the honest logic and rewrites what it sends, and decides
//!   what to do with each message it relays ([`Relay`]).
//! - [`Theorem`]: what a protocol promises for its parameters.

mod ctx;
mod message;
mod protocol;
mod theorem;
mod traitor;

pub use ctx::{Action, Ctx, Deadline, Only, TimerId};
pub use message::{About, BlockAbout, Message};
pub use protocol::{EstimateInput, Protocol, ProtocolReport, Setup, Validity};
pub use theorem::{Messages, Params, Theorem};
pub use traitor::{Relay, Traitor};
