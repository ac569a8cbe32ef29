//! What a handler may read and do: [`Ctx`], and the [`Action`]s it queues for the engine.
//!
//! Timers are typed: a protocol's timer is its own type ([`Protocol::Timer`]), handed back to
//! its `on_timer` when it fires. Setting one returns a [`TimerId`]; [`Ctx::cancel`] stops a timer
//! that has not fired yet (a cancelled timer is never handed over and does not count as an event).

use ed25519_dalek::Signature;

use super::Protocol;
use crate::crypto::Crypto;
use crate::rng::SimRng;
use crate::types::{NodeId, SimTime};

/// A timer, as set: what [`Ctx::cancel`] takes. Ids are numbered per trial in the order timers
/// are set, so they are deterministic.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct TimerId(pub u64);

/// The one timer of a protocol that decides at a deadline (the end of its only round).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Deadline;

/// The recipients a broadcast is restricted to (see [`Action::Broadcast`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Only {
    /// The generals marked `true`.
    Mask(Box<[bool]>),
    /// Everyone but this general (a gossip relay skips the neighbour it heard from): no mask of
    /// n entries per relay.
    AllBut(NodeId),
}

impl Only {
    /// Whether general `v` is among the recipients.
    #[inline]
    pub fn allows(&self, v: NodeId) -> bool {
        match self {
            Only::Mask(m) => m.get(v.idx()).copied().unwrap_or(false),
            Only::AllBut(x) => *x != v,
        }
    }
}

impl From<Box<[bool]>> for Only {
    fn from(mask: Box<[bool]>) -> Only {
        Only::Mask(mask)
    }
}

impl From<Vec<bool>> for Only {
    fn from(mask: Vec<bool>) -> Only {
        Only::Mask(mask.into_boxed_slice())
    }
}

/// What a handler asks the engine to do, with messages `M` and timers `T`.
#[derive(Clone, Debug)]
pub enum Action<M, T> {
    /// Send `msg` to one general.
    Send { to: NodeId, msg: M },
    /// Send `msg` to every other general. `only`, when set, restricts the first transmission to
    /// the generals marked `true`: the recipients on a direct network, the neighbours that get
    /// the first copy on a flooding one. Honest logic leaves it `None`; traitors use it to
    /// equivocate, drop or crash halfway.
    Broadcast { msg: M, only: Option<Only> },
    /// Call `on_timer(timer)` at simulated time `at`, unless timer `id` is cancelled first.
    Timer { at: SimTime, id: TimerId, timer: T },
    /// Cancel timer `id` (nothing happens if it fired already).
    Cancel(TimerId),
    /// A traitor chose not to send `msg` to `to`: nothing is transmitted, but the engine counts
    /// it as withheld and traces it, so an explanation can name it.
    Withhold { to: NodeId, msg: M },
}

/// Everything a general's handler may read or do.
pub struct Ctx<'a, P: Protocol> {
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
    pub(crate) key: Option<crate::crypto::OwnKey<'a>>,
    pub(crate) crypto: &'a mut Crypto,
    pub(crate) out: &'a mut Vec<Action<P::Msg, P::Timer>>,
    /// The id the next timer set in this trial gets.
    pub(crate) next_timer: &'a mut u64,
    /// The timer being handled, in `on_timer` (a traitor that runs several copies of the honest
    /// logic, Twins, tells from it whose timer fired); `None` in other handlers.
    pub firing: Option<TimerId>,
}

impl<P: Protocol> Ctx<'_, P> {
    /// Sends `msg` to `to`.
    pub fn send(&mut self, to: NodeId, msg: P::Msg) {
        self.out.push(Action::Send { to, msg });
    }

    /// Sends `msg` to every other general.
    pub fn broadcast(&mut self, msg: P::Msg) {
        self.out.push(Action::Broadcast { msg, only: None });
    }

    /// Sends `msg` to the generals marked in `only` (on a flooding network: passes it first to
    /// the neighbours marked; it still floods to everyone).
    pub fn broadcast_only(&mut self, msg: P::Msg, only: Box<[bool]>) {
        self.out.push(Action::Broadcast {
            msg,
            only: Some(Only::Mask(only)),
        });
    }

    /// Sends `msg` to every other general but `except` (a relay back to where it came from is
    /// skipped), with no mask to build.
    pub fn broadcast_except(&mut self, msg: P::Msg, except: NodeId) {
        self.out.push(Action::Broadcast {
            msg,
            only: Some(Only::AllBut(except)),
        });
    }

    /// The round the current time falls in (round r spans [(r − 1)·round_ms, r·round_ms)).
    pub fn current_round(&self) -> u64 {
        self.now.0 / self.round.0.max(1) + 1
    }

    /// Calls `on_timer(timer)` at the end of round `round` (time `round × round_ms`).
    pub fn timer_at_round(&mut self, round: u32, timer: P::Timer) -> TimerId {
        let at = SimTime(self.round.0.saturating_mul(round as u64));
        self.timer_at(at, timer)
    }

    /// Calls `on_timer(timer)` at time `at` (now, if `at` has passed).
    pub fn timer_at(&mut self, at: SimTime, timer: P::Timer) -> TimerId {
        let id = TimerId(*self.next_timer);
        *self.next_timer += 1;
        self.out.push(Action::Timer { at, id, timer });
        id
    }

    /// Cancels timer `id`, if it has not fired yet.
    pub fn cancel(&mut self, id: TimerId) {
        self.out.push(Action::Cancel(id));
    }

    /// Signs `msg` with this general's own key: the only key it holds.
    ///
    /// # Panics
    /// If the protocol did not declare [`Protocol::SIGNED`]: a programming error, never input.
    pub fn sign(&mut self, msg: &[u8]) -> Signature {
        let key = self
            .key
            .expect("a protocol that signs must declare Protocol::SIGNED")
            .get();
        self.crypto.sign(self.id, key, msg)
    }

    /// Whether `sig` is `signer`'s signature of `msg` (memoised per run).
    pub fn verify(&mut self, signer: NodeId, msg: &[u8], sig: &Signature) -> bool {
        self.crypto.verify(signer, msg, sig)
    }

    /// Whether certificate `cert` passes `check`, which verifies its signatures through this
    /// context. `rule` names what is checked (say, the phase and quorum it must meet). A
    /// certificate is an immutable shared allocation, so the verdict on one allocation under one
    /// rule is the same for every general: the first check computes it, later ones are answered
    /// from the run's memo and counted as the same verifications requested.
    pub fn verify_certificate<T: std::any::Any + Send + Sync>(
        &mut self,
        cert: &std::sync::Arc<T>,
        rule: u64,
        check: impl FnOnce(&mut Self, &T) -> bool,
    ) -> bool {
        if let Some(ok) = self.crypto.certificate(cert, rule) {
            return ok;
        }
        let before = self.crypto.stats().verifications_requested;
        let ok = check(self, cert);
        let requested = self.crypto.stats().verifications_requested - before;
        self.crypto.file_certificate(cert, rule, ok, requested);
        ok
    }

    /// Withholds `msg` from `to` (traitors): sends nothing, and lets the engine count and trace it.
    pub fn withhold(&mut self, to: NodeId, msg: P::Msg) {
        self.out.push(Action::Withhold { to, msg });
    }

    /// The outbox, for traitor behaviours that rewrite what the honest logic sent.
    pub fn outbox(&mut self) -> &mut Vec<Action<P::Msg, P::Timer>> {
        self.out
    }
}
