//! The honest logic of one general ([`Protocol`]) and what it starts from ([`Setup`]).

use super::{Ctx, Message, Params, Theorem, Traitor};
use crate::types::{NodeId, SimTime, Value};

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
    /// The network hands a broadcast to the sender's neighbours only (direct transport on a
    /// graph that is not complete): a protocol that spreads by gossip relays itself.
    pub neighbours_only: bool,
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
    /// The protocol's own parameters for one trial (its table in the scenario file, parsed and
    /// validated in the protocol's module); `()` for a protocol without any.
    type Params: Clone + std::fmt::Debug;
    /// The protocol's timers: what `on_timer` is handed when one fires.
    type Timer: Clone + std::fmt::Debug;
    /// The name in scenario files.
    const NAME: &'static str;
    /// Whether the generals need signing keys.
    const SIGNED: bool = false;
    /// How validity is judged.
    const VALIDITY: Validity;
    /// Whether the protocol counts on `round_ms` rounds (and a warning about them matters).
    const ROUND_BASED: bool = true;

    fn new(id: NodeId, setup: &Setup, params: &Self::Params) -> Self;
    fn start(&mut self, ctx: &mut Ctx<Self>);
    fn on_message(&mut self, ctx: &mut Ctx<Self>, from: NodeId, msg: Self::Msg);
    fn on_timer(&mut self, ctx: &mut Ctx<Self>, timer: Self::Timer);
    /// The decision, once made. Decisions are final: once `Some`, it never changes.
    fn decision(&self) -> Option<Value>;

    /// This general goes down (`crash-recover`): drop what would not survive a crash. The default
    /// keeps everything, as if all state were persisted; timers set before the crash are lost
    /// whatever this does. A protocol states in its module doc what it persists.
    fn on_crash(&mut self) {}

    /// This general comes back after a crash: re-arm what it needs (timers were lost). The
    /// default does nothing.
    fn on_recover(&mut self, _ctx: &mut Ctx<Self>) {}

    /// Whether this general is the current leader by its own account (PBFT's primary of its
    /// view): what the `leader` network scheduler holds back.
    fn is_leader(&self) -> bool {
        false
    }

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

    /// The name of `timer` of this general, as it fires (for traces): what it is for.
    fn timer_name(&self, timer: &Self::Timer) -> String {
        format!("{timer:?}")
    }

    /// Figures about the whole trial, from every general's final state (`honest[v]`).
    fn report(_nodes: &[Self], _honest: &[bool]) -> ProtocolReport {
        ProtocolReport::default()
    }

    /// How an equivocating traitor makes one of its own messages carry `value` instead; `None`
    /// when it cannot (for example a value signed by someone else).
    fn with_value(_ctx: &mut Ctx<Self>, _msg: &Self::Msg, _value: Value) -> Option<Self::Msg> {
        None
    }

    /// Message mutation (`faults.behaviour = "mutate"`, ByzzFuzz's small-scope idea): the
    /// variants of `msg`, one of this traitor's own messages, that it could send instead, each
    /// re-signed with its own key only (another value, another view or round number, an older or
    /// missing certificate). The default offers the other value through [`Protocol::with_value`].
    fn mutations(ctx: &mut Ctx<Self>, msg: &Self::Msg) -> Vec<Self::Msg> {
        msg.about()
            .value
            .and_then(|v| Self::with_value(ctx, msg, v.flip()))
            .into_iter()
            .collect()
    }

    /// The protocol round a message belongs to (PBFT's view, Tendermint's round, HotStuff's
    /// view), for `faults.mutate.rounds`; `None` (the default) counts rounds of `round_ms`.
    fn msg_round(_msg: &Self::Msg) -> Option<u64> {
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
        _params: &Self::Params,
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
    /// PBFT: the highest view an honest general was in when it decided (the view changes
    /// until the last honest decision).
    pub views: Option<u64>,
    /// Median over blocks of the time from mining to half of the generals holding it.
    pub propagation_p50_ms: Option<f64>,
    /// The same to nine tenths of them.
    pub propagation_p90_ms: Option<f64>,
    /// The mean time for a block to reach a general.
    pub propagation_mean_ms: Option<f64>,
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
