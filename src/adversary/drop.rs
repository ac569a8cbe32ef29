//! `drop`: a traitor that omits a fraction of its own transmissions and of its relays.

use rand::Rng;

use super::{Relay, Traitor, broadcast_mask, run_honest, thin_mask};
use crate::protocol::{Action, Ctx, Protocol};
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

    fn rewrite<M: Clone>(&mut self, ctx: &mut Ctx<M>, start: usize) {
        let (n, id, keep) = (ctx.n, ctx.id, 1.0 - self.p);
        let tail: Vec<Action<M>> = ctx.outbox().drain(start..).collect();
        for action in tail {
            let kept = match action {
                Action::Send { to, msg } => {
                    (self.rng.random::<f64>() < keep).then_some(Action::Send { to, msg })
                }
                Action::Broadcast { msg, only } => {
                    let mut mask = broadcast_mask(n, id, &only);
                    thin_mask(&mut mask, keep, &mut self.rng);
                    Some(Action::Broadcast {
                        msg,
                        only: Some(mask.into()),
                    })
                }
                timer @ Action::Timer { .. } => Some(timer),
            };
            ctx.outbox().extend(kept);
        }
    }
}

impl<P: Protocol> Traitor<P> for Drop {
    fn start(&mut self, honest: &mut P, ctx: &mut Ctx<P::Msg>) {
        let start = run_honest::<P>(ctx, |c| honest.start(c));
        self.rewrite(ctx, start);
    }
    fn on_message(&mut self, honest: &mut P, ctx: &mut Ctx<P::Msg>, from: NodeId, msg: P::Msg) {
        let start = run_honest::<P>(ctx, |c| honest.on_message(c, from, msg));
        self.rewrite(ctx, start);
    }
    fn on_timer(&mut self, honest: &mut P, ctx: &mut Ctx<P::Msg>, tag: u64) {
        let start = run_honest::<P>(ctx, |c| honest.on_timer(c, tag));
        self.rewrite(ctx, start);
    }
    fn relay(&mut self, _: &mut Ctx<P::Msg>, _: NodeId, _: &P::Msg) -> Relay<P::Msg> {
        if self.rng.random::<f64>() < self.p {
            Relay::Withhold
        } else {
            Relay::Pass
        }
    }
}
