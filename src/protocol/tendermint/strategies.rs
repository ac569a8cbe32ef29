//! Tendermint's own traitor strategies (`faults.behaviour`). Each runs the honest logic and
//! rewrites what it sends; each traitor signs with its own key only.
//!
//! - `equivocating-proposer`: as proposer of a round, tells the two halves of the loyal
//!   generals different values. The loyal generals are split by id: the lower half (rounded
//!   up) hears `attack`, the upper half `retreat`. It holds back a fresh proposal (no valid
//!   round) until the inputs it holds justify both values (t + 1 each), then sends each half
//!   its own; if every loyal general's input is in and one value still lacks t + 1, it cannot
//!   lie and sends the honest proposal. A re-proposal of a valid value is sent as it is.
//!   Fellow traitors get the honest proposal. Its votes follow the honest logic.
//! - `silent-proposer`: honest, except that it withholds every proposal: the generals must
//!   time out and move past its rounds.
//! - `withhold-votes`: honest, except that it withholds its prevotes, precommits and decision
//!   proofs: with n > 3t the honest generals still make every quorum; at n ≤ 3t they cannot,
//!   and Tendermint stops (safely).

use std::sync::Arc;

use super::{Kind, Proposal, Signed, Tendermint, Timeout, TmMsg};
use crate::adversary::{Rewriting, WithholdIf};
use crate::general::{Action, Ctx, Protocol, Setup, Traitor};
use crate::types::{NodeId, Value};

pub const NAMES: &[&str] = &["equivocating-proposer", "silent-proposer", "withhold-votes"];

pub fn build(
    name: &str,
    id: NodeId,
    setup: &Setup,
    traitors: &[NodeId],
) -> Option<Box<dyn Traitor<Tendermint>>> {
    Some(match name {
        "equivocating-proposer" => Box::new(Equivocating::new(id, setup, traitors)),
        "silent-proposer" => Box::new(Rewriting(WithholdIf(|m: &TmMsg| {
            matches!(m, TmMsg::Proposal(_))
        }))),
        "withhold-votes" => Box::new(Rewriting(WithholdIf(|m: &TmMsg| {
            matches!(
                m,
                TmMsg::Prevote(_) | TmMsg::Precommit(_) | TmMsg::Decided(_)
            )
        }))),
        _ => return None,
    })
}

/// `equivocating-proposer` (see the module doc).
struct Equivocating {
    /// Per general: the value it is told, or `None` for a traitor (itself included).
    tell: Vec<Option<Value>>,
    /// The honest proposal held back, until both values are justified.
    held: Option<Arc<Proposal>>,
}

impl Equivocating {
    fn new(id: NodeId, setup: &Setup, traitors: &[NodeId]) -> Equivocating {
        Equivocating {
            tell: crate::adversary::split_loyal(setup.n, id, traitors),
            held: None,
        }
    }

    /// Sends the held proposal: split if both values are justified, honest if it can no longer
    /// hope for that; keeps holding otherwise.
    fn release(&mut self, honest: &Tendermint, ctx: &mut Ctx<Tendermint>) {
        let Some(p) = self.held.clone() else {
            return;
        };
        let round = p.signed.round;
        let both = [Value::Attack, Value::Retreat].map(|v| honest.justification(v));
        if let [Some(a), Some(r)] = both {
            self.held = None;
            let make = |ctx: &mut Ctx<Tendermint>, value: Value, inputs: Arc<[Signed]>| {
                TmMsg::Proposal(Arc::new(Proposal {
                    signed: Signed::new(ctx, Kind::Proposal, round, Some(value), None),
                    inputs,
                    pol: None,
                }))
            };
            let attack = make(ctx, Value::Attack, a);
            let retreat = make(ctx, Value::Retreat, r);
            for (to, tell) in self.tell.iter().enumerate() {
                let to = NodeId(to as u32);
                if to == ctx.id {
                    continue;
                }
                let msg = match tell {
                    Some(Value::Attack) => attack.clone(),
                    Some(Value::Retreat) => retreat.clone(),
                    None => TmMsg::Proposal(Arc::clone(&p)),
                };
                ctx.send(to, msg);
            }
        } else {
            let all_in = (self.tell.iter().enumerate())
                .filter(|(_, t)| t.is_some())
                .all(|(v, _)| honest.has_input[v]);
            if all_in || honest.round > round {
                self.held = None;
                ctx.broadcast(TmMsg::Proposal(p));
            }
        }
    }

    fn rewrite(&mut self, honest: &Tendermint, ctx: &mut Ctx<Tendermint>, start: usize) {
        let me = ctx.id;
        let tail: Vec<Action<TmMsg, Timeout>> = ctx.outbox().drain(start..).collect();
        for action in tail {
            match action {
                Action::Broadcast {
                    msg: TmMsg::Proposal(p),
                    ..
                } if p.signed.signer == me && p.signed.valid_round.is_none() => {
                    self.held = Some(p);
                }
                other => ctx.outbox().push(other),
            }
        }
        self.release(honest, ctx);
    }
}

impl Traitor<Tendermint> for Equivocating {
    fn start(&mut self, honest: &mut Tendermint, ctx: &mut Ctx<Tendermint>) {
        let start = ctx.outbox().len();
        honest.start(ctx);
        self.rewrite(honest, ctx, start);
    }
    fn on_message(
        &mut self,
        honest: &mut Tendermint,
        ctx: &mut Ctx<Tendermint>,
        from: NodeId,
        msg: TmMsg,
    ) {
        let start = ctx.outbox().len();
        honest.on_message(ctx, from, msg);
        self.rewrite(honest, ctx, start);
    }
    fn on_timer(&mut self, honest: &mut Tendermint, ctx: &mut Ctx<Tendermint>, timer: Timeout) {
        let start = ctx.outbox().len();
        honest.on_timer(ctx, timer);
        self.rewrite(honest, ctx, start);
    }
}
