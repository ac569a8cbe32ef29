//! Traitors: behaviours that wrap a general's honest logic.
//!
//! A traitor runs the honest [`Protocol`] and then rewrites what it asked to send (its outbox),
//! or replaces it altogether. The generic behaviours work with every protocol:
//!
//! | behaviour | what the traitor does |
//! |---|---|
//! | `honest` | nothing unusual: a traitor that happens to follow the protocol |
//! | `crash` | follows the protocol until `faults.crash_at_ms`; a handler running at that instant gets only a random prefix of its sends out; afterwards nothing, not even relays |
//! | `drop` | omits (withholds) each of its own transmissions and each relay with probability `faults.drop` |
//! | `equivocate` | tells different generals different values: a per-trial random half hears `attack`, the rest `retreat` (or `faults.split` lists who hears `attack`); on a flooding network it also tampers with the unsigned messages it relays, the same way |
//! | `silent` | sends and relays nothing |
//! | `twins` | runs as two honest copies with one identity and key, each talking with its own set of generals (`faults.twins`, drawn per trial when absent; Twins, OPODIS 2021) |
//! | `mutate` | follows the protocol, but in chosen rounds replaces its own messages by mutants it can sign: another value, view or round, an older or missing certificate (`faults.mutate`; ByzzFuzz, OOPSLA 2023) |
//!
//! Protocols add their own strategies by name through [`Protocol::strategy`]. The engine never
//! names a behaviour: it only calls the [`Traitor`] trait.

mod crash;
mod drop;
mod equivocate;
mod mutate;
pub mod scripted;
mod twins;

use crate::general::{Action, Ctx, Only, Protocol, Relay, Setup, Traitor};
use crate::rng::{SimRng, Stream, stream};
use crate::types::{NodeId, SimTime, Value};

pub use crash::Crash;
pub use drop::Drop;
pub use equivocate::Equivocate;
pub use mutate::{Mutate, MutateSpec};
pub use scripted::{Choice, Script, Scripted};
pub use twins::{TwinSets, Twins};

/// A behaviour that lets the honest logic run each handler and then rewrites what it queued
/// (from index `start` of the outbox on). [`Rewriting`] makes it a [`Traitor`].
pub trait Rewrite<P: Protocol> {
    fn rewrite(&mut self, ctx: &mut Ctx<P>, start: usize);
    fn relay(&mut self, _ctx: &mut Ctx<P>, _to: NodeId, _msg: &P::Msg) -> Relay<P::Msg> {
        Relay::Pass
    }
    fn unscripted(&self) -> u64 {
        0
    }
}

/// The traitor made of a [`Rewrite`] behaviour.
pub struct Rewriting<R>(pub R);

impl<P: Protocol, R: Rewrite<P>> Traitor<P> for Rewriting<R> {
    fn start(&mut self, honest: &mut P, ctx: &mut Ctx<P>) {
        let start = run_honest::<P>(ctx, |c| honest.start(c));
        self.0.rewrite(ctx, start);
    }
    fn on_message(&mut self, honest: &mut P, ctx: &mut Ctx<P>, from: NodeId, msg: P::Msg) {
        let start = run_honest::<P>(ctx, |c| honest.on_message(c, from, msg));
        self.0.rewrite(ctx, start);
    }
    fn on_timer(&mut self, honest: &mut P, ctx: &mut Ctx<P>, timer: P::Timer) {
        let start = run_honest::<P>(ctx, |c| honest.on_timer(c, timer));
        self.0.rewrite(ctx, start);
    }
    fn relay(&mut self, ctx: &mut Ctx<P>, to: NodeId, msg: &P::Msg) -> Relay<P::Msg> {
        self.0.relay(ctx, to, msg)
    }
    fn unscripted(&self) -> u64 {
        self.0.unscripted()
    }
}

/// A traitor's behaviour as a scenario states it.
#[derive(Clone, Debug, PartialEq)]
pub enum BehaviourSpec {
    Honest,
    Crash {
        at: SimTime,
    },
    /// Not a traitor: the chosen generals go down at `at` and come back at `recover`, honest
    /// throughout (see [`crate::general::Protocol::on_crash`]). The engine runs it, not a
    /// [`Traitor`].
    CrashRecover {
        at: SimTime,
        recover: SimTime,
    },
    Drop {
        p: f64,
    },
    /// `attack_to`: the generals that hear `attack` (the rest hear `retreat`); `None` draws a
    /// random half per trial and traitor.
    Equivocate {
        attack_to: Option<Vec<NodeId>>,
    },
    Silent,
    /// Every transmission chosen in advance, per traitor (`faults.script`, aligned with
    /// `faults.who`).
    Scripted {
        scripts: Vec<(NodeId, Script)>,
    },
    /// Two honest copies per traitor; `sets` lists the copies' sets of the traitors that have
    /// them stated (`faults.twins`); the others' are drawn per trial.
    Twins {
        sets: Vec<(NodeId, TwinSets)>,
    },
    /// Message mutation in chosen rounds (`faults.mutate`).
    Mutate(MutateSpec),
    /// A protocol-specific strategy, by name.
    Strategy(String),
}

impl BehaviourSpec {
    /// The names of the generic behaviours, as written in `faults.behaviour`.
    pub const GENERIC: [&'static str; 9] = [
        "honest",
        "crash",
        "crash-recover",
        "drop",
        "equivocate",
        "silent",
        "scripted",
        "twins",
        "mutate",
    ];

    pub fn name(&self) -> &str {
        match self {
            BehaviourSpec::Honest => "honest",
            BehaviourSpec::Crash { .. } => "crash",
            BehaviourSpec::CrashRecover { .. } => "crash-recover",
            BehaviourSpec::Drop { .. } => "drop",
            BehaviourSpec::Equivocate { .. } => "equivocate",
            BehaviourSpec::Silent => "silent",
            BehaviourSpec::Scripted { .. } => "scripted",
            BehaviourSpec::Twins { .. } => "twins",
            BehaviourSpec::Mutate(_) => "mutate",
            BehaviourSpec::Strategy(name) => name,
        }
    }
}

/// A behaviour that follows the protocol but withholds every message of its own that the
/// predicate picks (each counted and traced as withheld): the building block of strategies such
/// as PBFT's `silent-primary` and `withhold-votes`.
pub struct WithholdIf<F>(pub F);

impl<P: Protocol, F: Fn(&P::Msg) -> bool> Rewrite<P> for WithholdIf<F> {
    fn rewrite(&mut self, ctx: &mut Ctx<P>, start: usize) {
        let (n, me) = (ctx.n, ctx.id);
        let tail: Vec<Action<P::Msg, P::Timer>> = ctx.outbox().drain(start..).collect();
        for action in tail {
            match action {
                Action::Broadcast { msg, only } if (self.0)(&msg) => {
                    for to in (0..n as u32).map(NodeId) {
                        if to != me && only.as_ref().is_none_or(|m| m.allows(to)) {
                            ctx.withhold(to, msg.clone());
                        }
                    }
                }
                Action::Send { to, msg } if (self.0)(&msg) => ctx.withhold(to, msg),
                other => ctx.outbox().push(other),
            }
        }
    }
}

/// What an equivocating leader tells each general: `None` for a traitor (`id` included), and
/// for the loyal generals in id order `attack` to the lower half (rounded up), `retreat` to
/// the rest. PBFT's, HotStuff's and Tendermint's equivocating leaders split this way.
pub fn split_loyal(n: usize, id: NodeId, traitors: &[NodeId]) -> Vec<Option<Value>> {
    let mut tell: Vec<Option<Value>> = vec![Some(Value::Retreat); n];
    for v in traitors.iter().chain([&id]) {
        if let Some(slot) = tell.get_mut(v.idx()) {
            *slot = None;
        }
    }
    let loyal = tell.iter().filter(|v| v.is_some()).count();
    tell.iter_mut()
        .filter(|v| v.is_some())
        .take(loyal.div_ceil(2))
        .for_each(|slot| *slot = Some(Value::Attack));
    tell
}

/// A traitor that follows the protocol.
pub struct Honest;
impl<P: Protocol> Traitor<P> for Honest {}

/// A traitor that sends and relays nothing.
pub struct Silent;
impl<P: Protocol> Traitor<P> for Silent {
    fn start(&mut self, _: &mut P, _: &mut Ctx<P>) {}
    fn on_message(&mut self, _: &mut P, _: &mut Ctx<P>, _: NodeId, _: P::Msg) {}
    fn on_timer(&mut self, _: &mut P, _: &mut Ctx<P>, _: P::Timer) {}
    fn relay(&mut self, _: &mut Ctx<P>, _: NodeId, _: &P::Msg) -> Relay<P::Msg> {
        Relay::Withhold
    }
}

/// Builds the traitor behaviour of general `id` for one trial. `None` when a protocol-specific
/// strategy name is unknown to `P` (validation rejects that before a run starts).
pub fn build<P: Protocol>(
    spec: &BehaviourSpec,
    id: NodeId,
    setup: &Setup,
    params: &P::Params,
    traitors: &[NodeId],
    trial_seed: u64,
) -> Option<Box<dyn Traitor<P>>> {
    let rng = || stream(trial_seed, Stream::Traitor(id.0));
    Some(match spec {
        BehaviourSpec::Honest => Box::new(Honest),
        BehaviourSpec::Silent => Box::new(Silent),
        BehaviourSpec::Crash { at } => Box::new(Crash::new(*at, rng())),
        BehaviourSpec::CrashRecover { .. } => return None,
        BehaviourSpec::Drop { p } => Box::new(Rewriting(Drop::new(*p, rng()))),
        BehaviourSpec::Equivocate { attack_to } => Box::new(Rewriting(Equivocate::new(
            setup.n,
            attack_to.as_deref(),
            rng(),
        ))),
        BehaviourSpec::Scripted { scripts } => {
            let script = scripts.iter().find(|(who, _)| *who == id);
            Box::new(Rewriting(Scripted::new(
                script.map(|s| s.1.clone()).unwrap_or_default(),
            )))
        }
        BehaviourSpec::Twins { sets } => {
            let sets = match sets.iter().find(|(who, _)| *who == id) {
                Some((_, s)) => s.clone(),
                None => twins::draw_sets(setup.n, id, &mut rng()),
            };
            Box::new(Twins::<P>::new(id, setup, params, &sets))
        }
        BehaviourSpec::Mutate(spec) => Box::new(Rewriting(Mutate::new(spec.clone(), rng()))),
        BehaviourSpec::Strategy(name) => return P::strategy(name, id, setup, params, traitors),
    })
}

/// Runs one handler of the honest logic and returns the index in the outbox where its actions
/// start, so a behaviour can rewrite just those.
pub(crate) fn run_honest<P: Protocol>(
    ctx: &mut Ctx<P>,
    handler: impl FnOnce(&mut Ctx<P>),
) -> usize {
    let start = ctx.outbox().len();
    handler(ctx);
    start
}

/// The recipients of a broadcast as a mask over all generals (the sender excluded), narrowed by
/// an existing `only` mask.
pub(crate) fn broadcast_mask(n: usize, sender: NodeId, only: &Option<Only>) -> Vec<bool> {
    (0..n)
        .map(|i| i != sender.idx() && only.as_ref().is_none_or(|m| m.allows(NodeId(i as u32))))
        .collect()
}

/// A mask with each recipient kept independently with probability `keep`.
pub(crate) fn thin_mask(mask: &mut [bool], keep: f64, rng: &mut SimRng) {
    use rand::Rng;
    for slot in mask.iter_mut().filter(|s| **s) {
        *slot = rng.random::<f64>() < keep;
    }
}

/// Whether an action sends anything.
pub(crate) fn is_send<M, T>(a: &Action<M, T>) -> bool {
    matches!(a, Action::Send { .. } | Action::Broadcast { .. })
}
