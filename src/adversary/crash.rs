//! `crash`: a traitor that stops at `faults.crash_at_ms`, possibly in the middle of a broadcast.

use rand::Rng;

use super::{Relay, Traitor, broadcast_mask, is_send};
use crate::general::{Action, Ctx, Protocol};
use crate::rng::SimRng;
use crate::types::{NodeId, SimTime};

/// Follows the protocol before `at`. A handler that runs exactly at `at` is interrupted: of the
/// transmissions it asked for, in order, only a uniformly random prefix goes out (so a crash at
/// `k × round_ms` cuts the round-`k+1` broadcast short). After `at` the general is dead: no
/// handlers run, no timers fire, nothing is relayed.
pub struct Crash {
    at: SimTime,
    crashed: bool,
    rng: SimRng,
}

impl Crash {
    pub fn new(at: SimTime, rng: SimRng) -> Crash {
        Crash {
            at,
            crashed: false,
            rng,
        }
    }

    /// Runs `handler` if the general is still alive, cutting its output short at the crash.
    fn step<P: Protocol>(&mut self, ctx: &mut Ctx<P>, handler: impl FnOnce(&mut Ctx<P>)) {
        if self.crashed || ctx.now > self.at {
            self.crashed = true;
            return;
        }
        let start = ctx.outbox().len();
        handler(ctx);
        if ctx.now == self.at {
            self.crashed = true;
            self.cut(ctx, start);
        }
    }

    /// Keeps a random prefix of the transmissions queued since `start`.
    fn cut<P: Protocol>(&mut self, ctx: &mut Ctx<P>, start: usize) {
        let (n, id) = (ctx.n, ctx.id);
        let tail: Vec<Action<P::Msg, P::Timer>> =
            ctx.outbox().drain(start..).filter(is_send).collect();
        let sizes: Vec<usize> = tail
            .iter()
            .map(|a| match a {
                Action::Broadcast { only, .. } => {
                    broadcast_mask(n, id, only).iter().filter(|&&b| b).count()
                }
                _ => 1,
            })
            .collect();
        let total: usize = sizes.iter().sum();
        let mut budget = self.rng.random_range(0..=total);
        for (action, size) in tail.into_iter().zip(sizes) {
            if budget == 0 {
                break;
            }
            match action {
                Action::Broadcast { msg, only } if size > budget => {
                    let mut mask = broadcast_mask(n, id, &only);
                    for slot in mask.iter_mut().filter(|s| **s).skip(budget) {
                        *slot = false;
                    }
                    ctx.outbox().push(Action::Broadcast {
                        msg,
                        only: Some(mask.into()),
                    });
                    budget = 0;
                }
                other => {
                    ctx.outbox().push(other);
                    budget -= size;
                }
            }
        }
    }
}

impl<P: Protocol> Traitor<P> for Crash {
    fn start(&mut self, honest: &mut P, ctx: &mut Ctx<P>) {
        self.step(ctx, |c| honest.start(c));
    }
    fn on_message(&mut self, honest: &mut P, ctx: &mut Ctx<P>, from: NodeId, msg: P::Msg) {
        self.step(ctx, |c| honest.on_message(c, from, msg));
    }
    fn on_timer(&mut self, honest: &mut P, ctx: &mut Ctx<P>, timer: P::Timer) {
        self.step(ctx, |c| honest.on_timer(c, timer));
    }
    fn relay(&mut self, ctx: &mut Ctx<P>, _: NodeId, _: &P::Msg) -> Relay<P::Msg> {
        if ctx.now < self.at {
            Relay::Pass
        } else {
            Relay::Withhold
        }
    }
}
