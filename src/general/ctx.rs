//! What a handler may read and do: [`Ctx`], and the [`Action`]s it queues for the engine.

use ed25519_dalek::{Signature, SigningKey};

use crate::crypto::Crypto;
use crate::rng::SimRng;
use crate::types::{NodeId, SimTime};

/// What a handler asks the engine to do.
#[derive(Clone, Debug)]
pub enum Action<M> {
    /// Send `msg` to one general.
    Send { to: NodeId, msg: M },
    /// Send `msg` to every other general. `only`, when set, restricts the first transmission to
    /// the generals marked `true`: the recipients on a direct network, the neighbours that get
    /// the first copy on a flooding one. Honest logic leaves it `None`; traitors use it to
    /// equivocate, drop or crash halfway.
    Broadcast { msg: M, only: Option<Box<[bool]>> },
    /// Call `on_timer(tag)` at simulated time `at`.
    Timer { at: SimTime, tag: u64 },
    /// A traitor chose not to send `msg` to `to`: nothing is transmitted, but the engine counts
    /// it as withheld and traces it, so an explanation can name it.
    Withhold { to: NodeId, msg: M },
}

/// Everything a general's handler may read or do.
pub struct Ctx<'a, M> {
    /// This general.
    pub id: NodeId,
    /// Number of generals.
    pub n: usize,
    /// The current simulated time.
    pub now: SimTime,
    /// The round length (`network.round_ms`).
    pub round: SimTime,
    /// This general's own random stream.
    pub rng: &'a mut SimRng,
    pub(crate) key: Option<&'a SigningKey>,
    pub(crate) crypto: &'a mut Crypto,
    pub(crate) out: &'a mut Vec<Action<M>>,
}

impl<M> Ctx<'_, M> {
    /// Sends `msg` to `to`.
    pub fn send(&mut self, to: NodeId, msg: M) {
        self.out.push(Action::Send { to, msg });
    }

    /// Sends `msg` to every other general.
    pub fn broadcast(&mut self, msg: M) {
        self.out.push(Action::Broadcast { msg, only: None });
    }

    /// Sends `msg` to the generals marked in `only` (on a flooding network: passes it first to
    /// the neighbours marked; it still floods to everyone).
    pub fn broadcast_only(&mut self, msg: M, only: Box<[bool]>) {
        self.out.push(Action::Broadcast {
            msg,
            only: Some(only),
        });
    }

    /// The round the current time falls in (round r spans [(r − 1)·round_ms, r·round_ms)).
    pub fn current_round(&self) -> u64 {
        self.now.0 / self.round.0.max(1) + 1
    }

    /// Calls `on_timer(tag)` at the end of round `round` (time `round × round_ms`).
    pub fn timer_at_round(&mut self, round: u32, tag: u64) {
        let at = SimTime(self.round.0.saturating_mul(round as u64));
        self.out.push(Action::Timer { at, tag });
    }

    /// Calls `on_timer(tag)` at time `at`.
    pub fn timer_at(&mut self, at: SimTime, tag: u64) {
        self.out.push(Action::Timer { at, tag });
    }

    /// Signs `msg` with this general's own key: the only key it holds.
    ///
    /// # Panics
    /// If the protocol did not declare [`Protocol::SIGNED`]: a programming error, never input.
    pub fn sign(&mut self, msg: &[u8]) -> Signature {
        let key = self
            .key
            .expect("a protocol that signs must declare Protocol::SIGNED");
        self.crypto.sign(key, msg)
    }

    /// Whether `sig` is `signer`'s signature of `msg` (memoised per run).
    pub fn verify(&mut self, signer: NodeId, msg: &[u8], sig: &Signature) -> bool {
        self.crypto.verify(signer, msg, sig)
    }

    /// Withholds `msg` from `to` (traitors): sends nothing, and lets the engine count and trace it.
    pub fn withhold(&mut self, to: NodeId, msg: M) {
        self.out.push(Action::Withhold { to, msg });
    }

    /// The outbox, for traitor behaviours that rewrite what the honest logic sent.
    pub fn outbox(&mut self) -> &mut Vec<Action<M>> {
        self.out
    }
}
