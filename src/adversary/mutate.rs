//! `mutate`: small-scope message mutation, after ByzzFuzz (Winter, Buchwald, Lazić, Grünbacher,
//! Majumdar, "Randomized Testing of Byzantine Fault Tolerant Algorithms", OOPSLA 2023). The
//! traitor follows the protocol, but in a few chosen rounds (`faults.mutate.rounds`, default every
//! round) each transmission of its own is, with probability `faults.mutate.p` (default 0.5),
//! replaced by a mutant drawn from [`Protocol::mutations`]: another value, another view or round
//! number, an older or missing certificate, always re-signed with the traitor's own key only (it
//! cannot forge another general's signature). A round is the protocol's own
//! ([`Protocol::msg_round`]: PBFT's view, Tendermint's round) or else the `round_ms` round the
//! message is sent in. Relays pass unchanged. `byzsim hunt` searches the same mutations as
//! scripted choices (`mutate`, `mutate-1`, ...), which it shrinks.

use rand::Rng;

use super::{Rewrite, broadcast_mask};
use crate::general::{Action, Ctx, Protocol};
use crate::rng::SimRng;

/// `faults.mutate` as validated.
#[derive(Clone, Debug, PartialEq)]
pub struct MutateSpec {
    /// The rounds in which messages are mutated; `None`: every round.
    pub rounds: Option<Vec<u64>>,
    /// The probability that one transmission in such a round is mutated.
    pub p: f64,
}

impl MutateSpec {
    pub const DEFAULT_P: f64 = 0.5;
}

/// The mutating traitor.
pub struct Mutate {
    spec: MutateSpec,
    rng: SimRng,
}

impl Mutate {
    pub fn new(spec: MutateSpec, rng: SimRng) -> Mutate {
        Mutate { spec, rng }
    }

    fn in_scope<P: Protocol>(&self, ctx: &Ctx<P>, msg: &P::Msg) -> bool {
        let round = P::msg_round(msg).unwrap_or_else(|| ctx.current_round());
        self.spec.rounds.as_ref().is_none_or(|r| r.contains(&round))
    }

    /// A mutant of `msg`, or `None` to send it as it is.
    fn mutant<P: Protocol>(&mut self, ctx: &mut Ctx<P>, msg: &P::Msg) -> Option<P::Msg> {
        if !self.in_scope(ctx, msg) || self.rng.random::<f64>() >= self.spec.p {
            return None;
        }
        let mut options = P::mutations(ctx, msg);
        if options.is_empty() {
            return None;
        }
        let k = self.rng.random_range(0..options.len());
        Some(options.swap_remove(k))
    }
}

impl<P: Protocol> Rewrite<P> for Mutate {
    fn rewrite(&mut self, ctx: &mut Ctx<P>, start: usize) {
        let (n, id) = (ctx.n, ctx.id);
        let tail: Vec<Action<P::Msg, P::Timer>> = ctx.outbox().drain(start..).collect();
        for action in tail {
            match action {
                Action::Send { to, msg } => {
                    let msg = self.mutant(ctx, &msg).unwrap_or(msg);
                    ctx.outbox().push(Action::Send { to, msg });
                }
                Action::Broadcast { msg, only } => {
                    // Small scope: a broadcast splits into at most two versions, the message and
                    // one mutant, each recipient getting the mutant with probability p.
                    let mutant = if self.in_scope(ctx, &msg) {
                        let mut options = P::mutations(ctx, &msg);
                        let k = self.rng.random_range(0..options.len().max(1));
                        (k < options.len()).then(|| options.swap_remove(k))
                    } else {
                        None
                    };
                    let Some(mutant) = mutant else {
                        ctx.outbox().push(Action::Broadcast { msg, only });
                        continue;
                    };
                    let mask = broadcast_mask(n, id, &only);
                    let hit: Vec<bool> = mask
                        .iter()
                        .map(|&m| m && self.rng.random::<f64>() < self.spec.p)
                        .collect();
                    let rest: Vec<bool> = mask.iter().zip(&hit).map(|(&m, &h)| m && !h).collect();
                    if hit.iter().any(|&h| h) {
                        ctx.outbox().push(Action::Broadcast {
                            msg: mutant,
                            only: Some(hit.into()),
                        });
                    }
                    if rest.iter().any(|&r| r) {
                        ctx.outbox().push(Action::Broadcast {
                            msg,
                            only: Some(rest.into()),
                        });
                    }
                }
                other => ctx.outbox().push(other),
            }
        }
    }
}
