//! HotStuff's own traitor strategies (`faults.behaviour`). Each runs the honest logic and
//! rewrites what it sends; each traitor signs with its own key only.
//!
//! - `equivocating-leader`: as leader, tells the two halves of the loyal generals different
//!   values. The loyal generals are split by id: the lower half (rounded up) hears `attack`, the
//!   upper half `retreat`. It holds back a proposal justified by signed inputs until the inputs
//!   it holds (view 0's, or those carried by the NEW-VIEWs of its view) justify both values
//!   (t + 1 each), then sends each half its own proposal; if every loyal general's input is in
//!   and one value still lacks t + 1, it cannot lie and sends the honest proposal (validity at
//!   work). A proposal that extends a QC carries that QC's value and is sent as it is. Fellow
//!   traitors get the honest proposal. Its votes and QCs follow the honest logic.
//! - `silent-leader`: honest, except that it withholds every proposal and QC it would send as
//!   leader: the generals must change views past it.
//! - `withhold-votes`: honest, except that it withholds its votes and decision proofs: with
//!   n > 3t the honest generals still make every quorum; at n ≤ 3t they cannot, and HotStuff
//!   stops (safely).

use std::sync::Arc;

use super::{HotStuff, HsMsg, Justify, Phase, Proposal, Signed, ViewTimer};
use crate::adversary::{Rewriting, WithholdIf};
use crate::general::{Action, Ctx, Protocol, Setup, Traitor};
use crate::types::{NodeId, Value};

pub const NAMES: &[&str] = &["equivocating-leader", "silent-leader", "withhold-votes"];

pub fn build(
    name: &str,
    id: NodeId,
    setup: &Setup,
    traitors: &[NodeId],
) -> Option<Box<dyn Traitor<HotStuff>>> {
    Some(match name {
        "equivocating-leader" => Box::new(Equivocating::new(id, setup, traitors)),
        "silent-leader" => Box::new(Rewriting(WithholdIf(|m: &HsMsg| {
            matches!(m, HsMsg::Proposal(_) | HsMsg::Qc(_))
        }))),
        "withhold-votes" => Box::new(Rewriting(WithholdIf(|m: &HsMsg| {
            matches!(m, HsMsg::Vote(_) | HsMsg::Decided(_))
        }))),
        _ => return None,
    })
}

/// `equivocating-leader` (see the module doc).
struct Equivocating {
    /// Per general: the value it is told, or `None` for a traitor (itself included).
    tell: Vec<Option<Value>>,
    /// The honest proposal held back, until both values are justified.
    held: Option<Arc<Proposal>>,
}

impl Equivocating {
    fn new(id: NodeId, setup: &Setup, traitors: &[NodeId]) -> Equivocating {
        let tell = crate::adversary::split_loyal(setup.n, id, traitors);
        Equivocating { tell, held: None }
    }

    /// The signed inputs the leader holds for the view of `p`.
    fn pool(honest: &HotStuff, view: u32) -> Vec<Signed> {
        if view == 0 {
            honest.inputs.clone()
        } else {
            let mut pool: Vec<Signed> = honest
                .new_views
                .get(&view)
                .map(|held| held.iter().map(|nv| nv.input).collect())
                .unwrap_or_default();
            pool.extend(honest.signed_input);
            pool
        }
    }

    /// Whether every loyal general's input is in the pool.
    fn all_loyal_in(&self, pool: &[Signed]) -> bool {
        (self.tell.iter().enumerate())
            .filter(|(_, t)| t.is_some())
            .all(|(v, _)| pool.iter().any(|s| s.signer.idx() == v))
    }

    /// Sends the held proposal: split if both values are justified, honest if it can no longer
    /// hope for that; keeps holding otherwise.
    fn release(&mut self, honest: &HotStuff, ctx: &mut Ctx<HotStuff>) {
        let Some(p) = self.held.clone() else {
            return;
        };
        let view = p.signed.view;
        let pool = Self::pool(honest, view);
        let both = [Value::Attack, Value::Retreat].map(|v| honest.justification(&pool, v));
        if let [Some(a), Some(r)] = both {
            self.held = None;
            let make = |ctx: &mut Ctx<HotStuff>, value: Value, inputs: Arc<[Signed]>| {
                HsMsg::Proposal(Arc::new(Proposal {
                    signed: Signed::new(ctx, Phase::Proposal, view, value),
                    justify: Justify::Inputs(inputs),
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
                    None => HsMsg::Proposal(Arc::clone(&p)),
                };
                ctx.send(to, msg);
            }
        } else if self.all_loyal_in(&pool) || honest.view > view {
            self.held = None;
            ctx.broadcast(HsMsg::Proposal(p));
        }
    }

    fn rewrite(&mut self, honest: &HotStuff, ctx: &mut Ctx<HotStuff>, start: usize) {
        let me = ctx.id;
        let tail: Vec<Action<HsMsg, ViewTimer>> = ctx.outbox().drain(start..).collect();
        for action in tail {
            match action {
                Action::Broadcast {
                    msg: HsMsg::Proposal(p),
                    ..
                } if p.signed.signer == me && matches!(p.justify, Justify::Inputs(_)) => {
                    self.held = Some(p);
                }
                other => ctx.outbox().push(other),
            }
        }
        self.release(honest, ctx);
    }
}

impl Traitor<HotStuff> for Equivocating {
    fn start(&mut self, honest: &mut HotStuff, ctx: &mut Ctx<HotStuff>) {
        let start = ctx.outbox().len();
        honest.start(ctx);
        self.rewrite(honest, ctx, start);
    }
    fn on_message(
        &mut self,
        honest: &mut HotStuff,
        ctx: &mut Ctx<HotStuff>,
        from: NodeId,
        msg: HsMsg,
    ) {
        let start = ctx.outbox().len();
        honest.on_message(ctx, from, msg);
        self.rewrite(honest, ctx, start);
    }
    fn on_timer(&mut self, honest: &mut HotStuff, ctx: &mut Ctx<HotStuff>, timer: ViewTimer) {
        let start = ctx.outbox().len();
        honest.on_timer(ctx, timer);
        self.rewrite(honest, ctx, start);
    }
}
