//! `twins`: a traitor run as two copies of the honest logic with the same identity and the same
//! key (Bano, Sonnino, Chursin, Perelman, Li, Ching, Malkhi, "Twins: BFT Systems Made Robust",
//! OPODIS 2021). Each copy follows the protocol faithfully; the only fault is that there are two
//! of them. Copy A talks with one set of generals, copy B with another
//! (`faults.twins = { 1 = [[0, 2], [3, 4]] }`; drawn per trial when absent): what a general of a
//! set sends to the traitor reaches that set's copy, and what a copy sends reaches only its own
//! set. A general in neither set hears nothing from the traitor, and what it sends to the traitor
//! is lost. With partitions on top, this is how the Twins paper reproduces the known attacks on
//! locking rules: each copy signs one consistent history, and together they sign two.
//!
//! A copy's messages to itself stay with that copy, delivered at the same instant. Timers are
//! told apart by their id ([`Ctx::firing`]). Twins needs direct links: on a flooding network the
//! honest relays would carry each copy's messages to the other set (validation refuses it).

use std::collections::{BTreeSet, VecDeque};

use rand::seq::SliceRandom;

use super::broadcast_mask;
use crate::general::{Action, Ctx, Protocol, Setup, TimerId, Traitor};
use crate::rng::SimRng;
use crate::types::NodeId;

/// Which copy of the traitor a general talks with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Side {
    A,
    B,
    Neither,
}

/// The two sets of one traitor's copies, as a scenario states them.
pub type TwinSets = [Vec<NodeId>; 2];

/// A traitor made of two honest copies.
pub struct Twins<P: Protocol> {
    /// The second copy (the first is the engine's honest logic of this general).
    twin: P,
    side: Vec<Side>,
    /// Timers the second copy set.
    twin_timers: BTreeSet<TimerId>,
    /// Messages the second copy sent to itself, to hand back before the handler returns.
    twin_inbox: VecDeque<P::Msg>,
}

/// A random split of the generals other than `id` into two non-empty sets (n ≥ 3), one draw per
/// trial and traitor.
pub fn draw_sets(n: usize, id: NodeId, rng: &mut SimRng) -> TwinSets {
    let mut others: Vec<NodeId> = (0..n as u32).map(NodeId).filter(|&v| v != id).collect();
    others.shuffle(rng);
    let cut = others.len().div_ceil(2);
    let (mut a, mut b) = (others[..cut].to_vec(), others[cut..].to_vec());
    a.sort_unstable();
    b.sort_unstable();
    [a, b]
}

impl<P: Protocol> Twins<P> {
    pub fn new(id: NodeId, setup: &Setup, params: &P::Params, sets: &TwinSets) -> Twins<P> {
        let mut side = vec![Side::Neither; setup.n];
        for (set, s) in sets.iter().zip([Side::A, Side::B]) {
            for v in set.iter().filter(|v| v.idx() < setup.n && **v != id) {
                side[v.idx()] = s;
            }
        }
        Twins {
            twin: P::new(id, setup, params),
            side,
            twin_timers: BTreeSet::new(),
            twin_inbox: VecDeque::new(),
        }
    }

    /// Keeps what copy `s` queued from `start` on within its own set.
    fn confine(&mut self, ctx: &mut Ctx<P>, start: usize, s: Side) {
        let (n, id) = (ctx.n, ctx.id);
        let tail: Vec<Action<P::Msg, P::Timer>> = ctx.outbox().drain(start..).collect();
        for action in tail {
            match action {
                Action::Send { to, msg } if to == id => {
                    if s == Side::B {
                        self.twin_inbox.push_back(msg);
                    } else {
                        ctx.outbox().push(Action::Send { to, msg });
                    }
                }
                Action::Send { to, msg } => {
                    if self.side.get(to.idx()) == Some(&s) {
                        ctx.outbox().push(Action::Send { to, msg });
                    }
                }
                Action::Broadcast { msg, only } => {
                    let mut mask = broadcast_mask(n, id, &only);
                    for (i, m) in mask.iter_mut().enumerate() {
                        *m &= self.side[i] == s;
                    }
                    if mask.iter().any(|&m| m) {
                        ctx.outbox().push(Action::Broadcast {
                            msg,
                            only: Some(mask.into()),
                        });
                    }
                }
                Action::Timer { at, id, timer } => {
                    if s == Side::B {
                        self.twin_timers.insert(id);
                    }
                    ctx.outbox().push(Action::Timer { at, id, timer });
                }
                other => ctx.outbox().push(other),
            }
        }
    }

    /// Runs one handler of copy `s`, confines what it sent, and hands the second copy's
    /// messages to itself back to it.
    fn run(&mut self, honest: &mut P, ctx: &mut Ctx<P>, s: Side, handler: Handler<P>) {
        let start = ctx.outbox().len();
        match (s, handler) {
            (Side::B, h) => h.call(&mut self.twin, ctx),
            (_, h) => h.call(honest, ctx),
        }
        self.confine(ctx, start, s);
        if s == Side::B {
            let me = ctx.id;
            while let Some(msg) = self.twin_inbox.pop_front() {
                let start = ctx.outbox().len();
                self.twin.on_message(ctx, me, msg);
                self.confine(ctx, start, Side::B);
            }
        }
    }
}

/// One handler call, to run on either copy.
enum Handler<P: Protocol> {
    Start,
    Message(NodeId, P::Msg),
    Timer(P::Timer),
}

impl<P: Protocol> Handler<P> {
    fn call(self, copy: &mut P, ctx: &mut Ctx<P>) {
        match self {
            Handler::Start => copy.start(ctx),
            Handler::Message(from, msg) => copy.on_message(ctx, from, msg),
            Handler::Timer(timer) => copy.on_timer(ctx, timer),
        }
    }
}

impl<P: Protocol> Traitor<P> for Twins<P> {
    fn start(&mut self, honest: &mut P, ctx: &mut Ctx<P>) {
        self.run(honest, ctx, Side::A, Handler::Start);
        self.run(honest, ctx, Side::B, Handler::Start);
    }

    fn on_message(&mut self, honest: &mut P, ctx: &mut Ctx<P>, from: NodeId, msg: P::Msg) {
        let s = if from == ctx.id {
            Side::A
        } else {
            self.side.get(from.idx()).copied().unwrap_or(Side::Neither)
        };
        if s != Side::Neither {
            self.run(honest, ctx, s, Handler::Message(from, msg));
        }
    }

    fn on_timer(&mut self, honest: &mut P, ctx: &mut Ctx<P>, timer: P::Timer) {
        let s = match ctx.firing {
            Some(id) if self.twin_timers.remove(&id) => Side::B,
            _ => Side::A,
        };
        self.run(honest, ctx, s, Handler::Timer(timer));
    }
}
