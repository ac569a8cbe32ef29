//! The honest logic of a general, and the one place that maps a protocol name to its type.
//!
//! A [`Protocol`] is pure: its handlers read the message or timer they are given and append
//! [`Action`]s to the outbox in [`Ctx`]; only the engine applies them (sends, timers). A
//! protocol never sees the network, the clock outside `ctx.now`, or any randomness but its own
//! stream `ctx.rng`. Traitors wrap this logic (see [`crate::adversary`]).

pub mod chain;
pub mod dolev_strong;
pub mod nakamoto;
pub mod oral;
pub mod phase_king;
pub mod relay;
pub mod signed;
pub mod signed_flood;
pub mod vote;

use ed25519_dalek::{Signature, SigningKey};

use crate::adversary::Traitor;
pub use crate::bound::{Messages, Params, Theorem};
use crate::crypto::Crypto;
use crate::rng::SimRng;
use crate::types::{NodeId, SimTime, Value};

/// A message a protocol sends.
pub trait Message: Clone + std::fmt::Debug {
    /// Size on the wire in bytes, for the `bytes` column.
    fn wire_bytes(&self) -> u32;

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

/// What every general of a trial knows before it starts.
#[derive(Clone, Debug)]
pub struct Setup {
    pub n: usize,
    /// The traitor budget the protocol is configured for (`t`).
    pub t: usize,
    /// The depth of recursion or number of relaying rounds where the protocol has one
    /// (`protocol.m`, default `t`).
    pub m: usize,
    /// The commander of broadcast protocols.
    pub commander: NodeId,
    /// The commander's order.
    pub order: Value,
    /// Each general's own input, for protocols where everyone votes.
    pub inputs: Vec<Value>,
    /// Proof of work: the `[pow]` table.
    pub pow: nakamoto::PowParams,
    /// Proof of work: each general's share of the total hashrate.
    pub hashrate: Vec<f64>,
}

/// How validity is judged for a protocol.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Validity {
    /// Broadcast: if the commander is honest, every honest general decides its order.
    Commander,
    /// Consensus: if every honest general starts with the same input, that is the decision.
    UnanimousInputs,
}

/// The honest logic of one general.
pub trait Protocol: Sized + 'static {
    type Msg: Message;
    /// The name in scenario files.
    const NAME: &'static str;
    /// Whether the generals need signing keys.
    const SIGNED: bool = false;
    /// How validity is judged.
    const VALIDITY: Validity;
    /// Whether the protocol counts on `round_ms` rounds (and a warning about them matters).
    const ROUND_BASED: bool = true;

    fn new(id: NodeId, setup: &Setup) -> Self;
    fn start(&mut self, ctx: &mut Ctx<Self::Msg>);
    fn on_message(&mut self, ctx: &mut Ctx<Self::Msg>, from: NodeId, msg: Self::Msg);
    fn on_timer(&mut self, ctx: &mut Ctx<Self::Msg>, tag: u64);
    /// The decision, once made. Decisions are final: once `Some`, it never changes.
    fn decision(&self) -> Option<Value>;

    /// Whether this general needs the trial to go on after every honest general has decided
    /// (proof of work: to see whether a decision is later reverted, or to mine a set number of
    /// blocks). The trial ends when all honest generals have decided and none needs more time.
    fn keep_running(&self) -> bool {
        false
    }

    /// When this general's state came to contradict its (final) decision, if it did: a
    /// reverted decision breaks agreement.
    fn reverted(&self) -> Option<SimTime> {
        None
    }

    /// How the decision was reverted, in words (which blocks, how deep), once [`reverted`]
    /// is set; for traces and explanations.
    ///
    /// [`reverted`]: Protocol::reverted
    fn reversion(&self) -> Option<String> {
        None
    }

    /// The name of timer `tag` of this general, as it fires (for traces): what it is for.
    fn timer_name(&self, tag: u64) -> String {
        format!("timer {tag}")
    }

    /// Figures about the whole trial, from every general's final state (`honest[v]`).
    fn report(_nodes: &[Self], _honest: &[bool]) -> ProtocolReport {
        ProtocolReport::default()
    }

    /// How an equivocating traitor makes one of its own messages carry `value` instead; `None`
    /// when it cannot (for example a value signed by someone else).
    fn with_value(_ctx: &mut Ctx<Self::Msg>, _msg: &Self::Msg, _value: Value) -> Option<Self::Msg> {
        None
    }

    /// The protocol's theorem for parameters `p`: whether they meet its condition, and how its
    /// messages resist relays; `None` for protocols that promise nothing (the naive schemes,
    /// proof of work). [`crate::bound::judge`] checks the network's assumptions on top.
    fn bound(_p: &Params) -> Option<Theorem> {
        None
    }

    /// The names of the protocol-specific strategies [`Protocol::strategy`] knows.
    const STRATEGIES: &'static [&'static str] = &[];

    /// About how many messages one trial sends over direct links (for refusing runs too large
    /// to finish before they start). The default is everyone-to-everyone once: n(n − 1).
    fn estimate(input: &EstimateInput) -> f64 {
        let n = input.n as f64;
        n * (n - 1.0)
    }

    /// Protocol-specific traitor strategies, by the name used in `faults.behaviour`. `traitors`
    /// lists the whole coalition (ascending ids): traitors may plan together, but each one holds
    /// only its own signing key.
    fn strategy(
        _name: &str,
        _id: NodeId,
        _setup: &Setup,
        _traitors: &[NodeId],
    ) -> Option<Box<dyn Traitor<Self>>> {
        None
    }
}

/// Protocol-level figures of one trial (proof of work fills them; empty for the others).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ProtocolReport {
    /// Blocks on the main chain at the end.
    pub blocks: Option<u64>,
    /// Blocks mined that are not on the main chain.
    pub stale_blocks: Option<u64>,
    /// Share of main-chain blocks mined by traitors.
    pub attacker_share_main: Option<f64>,
    /// Mean time between main-chain blocks.
    pub block_interval_ms: Option<f64>,
}

/// What a work estimate is computed from.
#[derive(Clone, Copy, Debug)]
pub struct EstimateInput {
    pub n: usize,
    pub t: usize,
    pub m: usize,
    /// Proof of work: main-chain blocks a trial mines.
    pub blocks: u64,
}

/// Something to do with a protocol type, chosen at run time by its [`Kind`]: the one place a
/// protocol name becomes a type is [`Kind::visit`].
pub trait ProtocolVisitor {
    type Output;
    fn visit<P: Protocol>(self) -> Self::Output;
}

/// The protocols byzsim knows, as named in scenario files.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Vote,
    SignedFlood,
    Oral,
    Signed,
    DolevStrong,
    PhaseKing,
    Pow,
}

impl Kind {
    pub const ALL: [Kind; 7] = [
        Kind::Vote,
        Kind::SignedFlood,
        Kind::Oral,
        Kind::Signed,
        Kind::DolevStrong,
        Kind::PhaseKing,
        Kind::Pow,
    ];

    /// Calls `v` with this kind's protocol type.
    pub fn visit<V: ProtocolVisitor>(self, v: V) -> V::Output {
        match self {
            Kind::Vote => v.visit::<vote::Vote>(),
            Kind::SignedFlood => v.visit::<signed_flood::SignedFlood>(),
            Kind::Oral => v.visit::<oral::Oral>(),
            Kind::Signed => v.visit::<signed::Signed>(),
            Kind::DolevStrong => v.visit::<dolev_strong::DolevStrong>(),
            Kind::PhaseKing => v.visit::<phase_king::PhaseKing>(),
            Kind::Pow => v.visit::<nakamoto::Pow>(),
        }
    }

    pub fn name(self) -> &'static str {
        struct Name;
        impl ProtocolVisitor for Name {
            type Output = &'static str;
            fn visit<P: Protocol>(self) -> &'static str {
                P::NAME
            }
        }
        self.visit(Name)
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == s)
    }

    /// Protocol-specific traitor strategies offered by this protocol.
    pub fn strategies(self) -> &'static [&'static str] {
        struct Strategies;
        impl ProtocolVisitor for Strategies {
            type Output = &'static [&'static str];
            fn visit<P: Protocol>(self) -> &'static [&'static str] {
                P::STRATEGIES
            }
        }
        self.visit(Strategies)
    }

    /// How validity is judged.
    pub fn validity(self) -> Validity {
        struct Rule;
        impl ProtocolVisitor for Rule {
            type Output = Validity;
            fn visit<P: Protocol>(self) -> Validity {
                P::VALIDITY
            }
        }
        self.visit(Rule)
    }

    /// Whether the protocol runs in `round_ms` rounds.
    pub fn round_based(self) -> bool {
        struct Rounds;
        impl ProtocolVisitor for Rounds {
            type Output = bool;
            fn visit<P: Protocol>(self) -> bool {
                P::ROUND_BASED
            }
        }
        self.visit(Rounds)
    }

    /// Messages one trial is expected to send over direct links.
    pub fn estimate(self, input: EstimateInput) -> f64 {
        struct Estimate(EstimateInput);
        impl ProtocolVisitor for Estimate {
            type Output = f64;
            fn visit<P: Protocol>(self) -> f64 {
                P::estimate(&self.0)
            }
        }
        self.visit(Estimate(input))
    }
}
