//! `drop`: a traitor that omits (withholds) a fraction of its own transmissions and of its relays.

use rand::Rng;

use super::{Relay, Rewrite, broadcast_mask, thin_mask};
use crate::general::{Action, Ctx, Protocol};
use crate::rng::SimRng;
use crate::types::NodeId;

/// Omits each transmission (own or relayed) independently with probability `p`.
pub struct Drop {
    p: f64,
    rng: SimRng,
}

impl Drop {
    pub fn new(p: f64, rng: SimRng) -> Drop {
        Drop { p, rng }
    }

    fn thin<P: Protocol>(&mut self, ctx: &mut Ctx<P>, start: usize) {
        let (n, id, keep) = (ctx.n, ctx.id, 1.0 - self.p);
        let tail: Vec<Action<P::Msg, P::Timer>> = ctx.outbox().drain(start..).collect();
        for action in tail {
            match action {
                Action::Send { to, msg } => {
                    if self.rng.random::<f64>() < keep {
                        ctx.outbox().push(Action::Send { to, msg });
                    } else {
                        ctx.withhold(to, msg);
                    }
                }
                Action::Broadcast { msg, only } => {
                    let full = broadcast_mask(n, id, &only);
                    let mut mask = full.clone();
                    thin_mask(&mut mask, keep, &mut self.rng);
                    for to in (0..n).filter(|&i| full[i] && !mask[i]) {
                        ctx.withhold(NodeId(to as u32), msg.clone());
                    }
                    ctx.outbox().push(Action::Broadcast {
                        msg,
                        only: Some(mask.into()),
                    });
                }
                other => ctx.outbox().push(other),
            }
        }
    }
}

impl<P: Protocol> Rewrite<P> for Drop {
    fn rewrite(&mut self, ctx: &mut Ctx<P>, start: usize) {
        self.thin(ctx, start);
    }
    fn relay(&mut self, _: &mut Ctx<P>, _: NodeId, _: &P::Msg) -> Relay<P::Msg> {
        if self.rng.random::<f64>() < self.p {
            Relay::Withhold
        } else {
            Relay::Pass
        }
    }
}
