//! PBFT's own traitor strategies (`faults.behaviour`). Each runs the honest logic and rewrites
//! what it sends; each traitor signs with its own key only.
//!
//! - `equivocating-primary`: as primary, tells the two halves of the loyal generals different
//!   values. The loyal generals other than itself and its fellow traitors are split by id: the
//!   lower half (rounded up) hears `attack`, the upper half `retreat`. In view 0 it holds its
//!   pre-prepare back until the signed inputs it received justify both values (t + 1 each; it
//!   sends the honest pre-prepare if all loyal inputs are in and one value still lacks them:
//!   then it cannot lie, which is validity at work), then sends each half its own pre-prepare
//!   and at once a commit for that half's value. As the primary of a later view it does the same
//!   with its new-view when no certificate binds the value and both are justified. Its commits
//!   of those views follow the halves. Fellow traitors get the honest messages.
//! - `silent-primary`: honest, except that it withholds every pre-prepare and new-view it would
//!   send as primary: the generals must change views past it.
//! - `withhold-votes`: honest, except that it withholds its prepares and commits (vote
//!   withholding): with n > 3t the honest generals still make every quorum; at n ≤ 3t they
//!   cannot, and PBFT stops (safely).

use std::sync::Arc;

use super::msg::{Phase, Signed, distinct_signers};
use super::{NewView, Pbft, PbftMsg, PrePrepare};
use crate::adversary::{Rewriting, WithholdIf};
use crate::general::{Action, Ctx, Protocol, Setup, Traitor};
use crate::types::{NodeId, Value};

pub const NAMES: &[&str] = &["equivocating-primary", "silent-primary", "withhold-votes"];

pub fn build(
    name: &str,
    id: NodeId,
    setup: &Setup,
    traitors: &[NodeId],
) -> Option<Box<dyn Traitor<Pbft>>> {
    Some(match name {
        "equivocating-primary" => Box::new(Equivocating::new(id, setup, traitors)),
        "silent-primary" => Box::new(Rewriting(WithholdIf(|m: &PbftMsg| {
            matches!(m, PbftMsg::PrePrepare(_) | PbftMsg::NewView(_))
        }))),
        "withhold-votes" => Box::new(Rewriting(WithholdIf(|m: &PbftMsg| {
            matches!(
                m,
                PbftMsg::Prepare(_) | PbftMsg::Commit(_) | PbftMsg::Decided(_)
            )
        }))),
        _ => return None,
    })
}

/// `equivocating-primary` (see the module doc).
struct Equivocating {
    t: usize,
    /// Per general: the value it is told, or `None` for a traitor (itself included).
    tell: Vec<Option<Value>>,
    /// Signed inputs received (its own included), one per signer.
    inputs: Vec<Signed>,
    /// The honest view-0 pre-prepare, held back.
    held: Option<PrePrepare>,
    /// Views in which it told the halves different values.
    split: Vec<u32>,
}

impl Equivocating {
    fn new(id: NodeId, setup: &Setup, traitors: &[NodeId]) -> Equivocating {
        let tell = crate::adversary::split_loyal(setup.n, id, traitors);
        Equivocating {
            t: setup.t,
            tell,
            inputs: Vec::new(),
            held: None,
            split: Vec::new(),
        }
    }

    fn justified(&self, ctx: &mut Ctx<Pbft>, value: Value) -> bool {
        distinct_signers(ctx, &self.inputs, Phase::Input, 0, value, None) > self.t
    }

    /// Sends `make(value)` to each loyal general by its half, `honest` to fellow traitors.
    fn tell_halves(
        &self,
        ctx: &mut Ctx<Pbft>,
        honest: &PbftMsg,
        mut make: impl FnMut(&mut Ctx<Pbft>, Value) -> PbftMsg,
    ) {
        let attack = make(ctx, Value::Attack);
        let retreat = make(ctx, Value::Retreat);
        for (to, tell) in self.tell.iter().enumerate() {
            let to = NodeId(to as u32);
            if to == ctx.id {
                continue;
            }
            let msg = match tell {
                Some(Value::Attack) => attack.clone(),
                Some(Value::Retreat) => retreat.clone(),
                None => honest.clone(),
            };
            ctx.send(to, msg);
        }
    }

    fn commits(&mut self, ctx: &mut Ctx<Pbft>, view: u32, honest: &PbftMsg) {
        self.tell_halves(ctx, honest, |ctx, v| {
            PbftMsg::commit(Signed::new(ctx, Phase::Commit, view, v))
        });
    }

    /// Equivocates with the held view-0 pre-prepare once both values are justified; releases it
    /// honestly once every loyal input is in and they are not.
    fn try_split(&mut self, ctx: &mut Ctx<Pbft>) {
        let Some(pp) = self.held.clone() else {
            return;
        };
        let both = self.justified(ctx, Value::Attack) && self.justified(ctx, Value::Retreat);
        let loyal_in = (self.tell.iter().enumerate())
            .filter(|(_, t)| t.is_some())
            .all(|(v, _)| self.inputs.iter().any(|s| s.signer.idx() == v));
        if !both && !loyal_in {
            return;
        }
        self.held = None;
        let honest = PbftMsg::pre_prepare(pp.clone());
        if !both {
            ctx.broadcast(honest);
            return;
        }
        let inputs: Arc<[Signed]> = self.inputs.clone().into();
        self.tell_halves(ctx, &honest, |ctx, v| {
            PbftMsg::pre_prepare(PrePrepare {
                signed: Signed::new(ctx, Phase::PrePrepare, 0, v),
                inputs: Arc::clone(&inputs),
            })
        });
        self.split.push(0);
        let commit = PbftMsg::commit(Signed::new(ctx, Phase::Commit, 0, pp.signed.value));
        self.commits(ctx, 0, &commit);
    }

    /// Splits a new-view when nothing certified binds it and its inputs justify both values.
    fn split_new_view(&mut self, ctx: &mut Ctx<Pbft>, nv: &Arc<NewView>) -> bool {
        let free = nv.vcs.iter().all(|vc| vc.cert.is_none());
        let count = |v: Value| nv.vcs.iter().filter(|vc| vc.input.value == v).count();
        if !free || count(Value::Attack) <= self.t || count(Value::Retreat) <= self.t {
            return false;
        }
        let honest = PbftMsg::NewView(Arc::clone(nv));
        self.tell_halves(ctx, &honest, |ctx, v| {
            PbftMsg::NewView(Arc::new(NewView {
                view: nv.view,
                vcs: nv.vcs.clone(),
                pre_prepare: Signed::new(ctx, Phase::PrePrepare, nv.view, v),
            }))
        });
        self.split.push(nv.view);
        let commit = PbftMsg::commit(Signed::new(
            ctx,
            Phase::Commit,
            nv.view,
            nv.pre_prepare.value,
        ));
        self.commits(ctx, nv.view, &commit);
        true
    }

    fn rewrite(&mut self, ctx: &mut Ctx<Pbft>, start: usize) {
        let me = ctx.id;
        let tail: Vec<Action<PbftMsg, super::ViewTimer>> = ctx.outbox().drain(start..).collect();
        for action in tail {
            let Action::Broadcast { msg, only } = action else {
                ctx.outbox().push(action);
                continue;
            };
            match &msg {
                PbftMsg::PrePrepare(pp) if pp.signed.signer == me && pp.signed.view == 0 => {
                    self.held = Some(PrePrepare::clone(pp));
                }
                PbftMsg::NewView(nv) if self.split_new_view(ctx, nv) => {}
                // Its commits of a split view were sent with the split.
                PbftMsg::Commit(s) if self.split.contains(&s.view) => {}
                _ => ctx.outbox().push(Action::Broadcast { msg, only }),
            }
        }
        self.try_split(ctx);
    }

    fn note_input(&mut self, s: Signed) {
        if s.phase == Phase::Input && !self.inputs.iter().any(|x| x.signer == s.signer) {
            self.inputs.push(s);
        }
    }
}

impl Traitor<Pbft> for Equivocating {
    fn start(&mut self, honest: &mut Pbft, ctx: &mut Ctx<Pbft>) {
        let start = ctx.outbox().len();
        honest.start(ctx);
        if let Some(mine) = honest.signed_input {
            self.note_input(mine);
        }
        self.rewrite(ctx, start);
    }

    fn on_message(&mut self, honest: &mut Pbft, ctx: &mut Ctx<Pbft>, from: NodeId, msg: PbftMsg) {
        if let PbftMsg::Request(s) = &msg {
            self.note_input(**s);
        }
        let start = ctx.outbox().len();
        honest.on_message(ctx, from, msg);
        self.rewrite(ctx, start);
    }

    fn on_timer(&mut self, honest: &mut Pbft, ctx: &mut Ctx<Pbft>, timer: super::ViewTimer) {
        let start = ctx.outbox().len();
        honest.on_timer(ctx, timer);
        self.rewrite(ctx, start);
    }
}
