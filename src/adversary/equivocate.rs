//! `equivocate`: a traitor that tells different generals different values.

use rand::seq::SliceRandom;

use super::{Relay, Rewrite, broadcast_mask};
use crate::general::{Action, Ctx, Protocol};
use crate::rng::SimRng;
use crate::types::{NodeId, Value};

/// Sends `attack` to one part of the generals and `retreat` to the rest, re-signing with its own
/// key where the protocol signs (it cannot change a value someone else signed: such messages go
/// out unchanged). The split is `faults.split` (the generals that hear `attack`) or, by default, a
/// random half drawn once per trial.
pub struct Equivocate {
    hears_attack: Vec<bool>,
}

impl Equivocate {
    pub fn new(n: usize, attack_to: Option<&[NodeId]>, mut rng: SimRng) -> Equivocate {
        let mut hears_attack = vec![false; n];
        match attack_to {
            Some(ids) => ids
                .iter()
                .filter(|id| id.idx() < n)
                .for_each(|id| hears_attack[id.idx()] = true),
            None => {
                let mut order: Vec<usize> = (0..n).collect();
                order.shuffle(&mut rng);
                order[..n.div_ceil(2)]
                    .iter()
                    .for_each(|&i| hears_attack[i] = true);
            }
        }
        Equivocate { hears_attack }
    }

    fn value_for(&self, to: NodeId) -> Value {
        if self.hears_attack[to.idx()] {
            Value::Attack
        } else {
            Value::Retreat
        }
    }

    fn split<P: Protocol>(&self, ctx: &mut Ctx<P>, start: usize) {
        let (n, id) = (ctx.n, ctx.id);
        let tail: Vec<Action<P::Msg, P::Timer>> = ctx.outbox().drain(start..).collect();
        for action in tail {
            match action {
                Action::Send { to, msg } => {
                    let msg = P::with_value(ctx, &msg, self.value_for(to)).unwrap_or(msg);
                    ctx.outbox().push(Action::Send { to, msg });
                }
                Action::Broadcast { msg, only } => {
                    let to_attack = P::with_value(ctx, &msg, Value::Attack);
                    let to_retreat = P::with_value(ctx, &msg, Value::Retreat);
                    let (Some(a), Some(r)) = (to_attack, to_retreat) else {
                        ctx.outbox().push(Action::Broadcast { msg, only });
                        continue;
                    };
                    let mask = broadcast_mask(n, id, &only);
                    let part = |attack: bool| -> Box<[bool]> {
                        (0..n)
                            .map(|i| mask[i] && self.hears_attack[i] == attack)
                            .collect()
                    };
                    ctx.outbox().push(Action::Broadcast {
                        msg: a,
                        only: Some(part(true).into()),
                    });
                    ctx.outbox().push(Action::Broadcast {
                        msg: r,
                        only: Some(part(false).into()),
                    });
                }
                other => ctx.outbox().push(other),
            }
        }
    }
}

impl<P: Protocol> Rewrite<P> for Equivocate {
    fn rewrite(&mut self, ctx: &mut Ctx<P>, start: usize) {
        self.split::<P>(ctx, start);
    }
    fn relay(&mut self, ctx: &mut Ctx<P>, to: NodeId, msg: &P::Msg) -> Relay<P::Msg> {
        P::with_value(ctx, msg, self.value_for(to)).map_or(Relay::Pass, Relay::Replace)
    }
}
