//! PBFT's view change (Castro and Liskov 1999, section 4.4), for one slot.
//!
//! - A general whose view-v timer fires undecided *moves to* view v + 1: it sends everyone a
//!   signed view-change carrying its signed input and its prepared certificate of the highest
//!   view it prepared in (if any), stops taking part in view v, and arms its timer for
//!   `view_timeout × 2^(v+1)`. It also moves, to the lowest such view, as soon as t + 1 generals
//!   asked for views above its own (some honest general timed out: the paper's f + 1 rule).
//! - The primary of view v, holding valid view-changes for v from q generals, sends a new-view
//!   with all it holds and a pre-prepare: for the value of the highest-view certificate among
//!   them, or, if none carries one, for its own input when t + 1 of their inputs hold it, else
//!   for the other value when t + 1 hold that.
//! - A general accepts a new-view for a view not below its own when its pre-prepare is the
//!   primary's, it carries valid view-changes for that view from q distinct generals, and its
//!   value is exactly what that rule gives for them; it then enters the view and prepares.
//! - A decided general stops, but answers each view-change with its proof (the q commits it
//!   decided on); a general that gets a valid proof decides its value.
//!
//! **Why agreement survives view changes.** Say an honest general decides x in view w: it holds
//! q commits for (w, x), and every honest one among their signers (at least q − t) was prepared
//! for (w, x) before leaving w. (A proof decides only what q commits already show.) Claim: every
//! pre-prepare of a view w' > w that an honest general accepts is for x. By induction on w':
//! the new-view of w' holds view-changes from q generals; that quorum shares an honest general
//! h with the q committers, and h sent its view-change for w' after preparing in w, so it carries
//! a certificate of a view ≥ w. A valid certificate of any view u in [w, w') is for x: for u = w
//! because two certificates of one view would need two quorums of signers, and their common
//! honest general signs one pre-prepare or prepare per view; for u > w by the induction
//! hypothesis (a certificate holds q − t ≥ 1 honest prepares, each for a pre-prepare an honest
//! general accepted). So the highest certificate of the new-view is for x, and honest generals
//! accept no other value. Certificates cannot be forged or hidden: every part is signed, and the
//! view-change's signature covers the (view, value) of the certificate it carries.
//!
//! **Why a value is always some honest general's input.** A view-0 pre-prepare needs t + 1
//! signed inputs for its value, and a new-view without certificates t + 1 inputs among its
//! view-changes; a certificate holds an honest prepare, which an honest general sent only for a
//! pre-prepare so justified (by induction on views).
//!
//! **Why it decides after GST** (n > 3t, no message lost). Timers are armed when a view is
//! entered and never reset, so the first honest general to enter view v does so at
//! `view_timeout × (2^v − 1)` (by its own timeout: t traitors alone cannot pull it forward) and,
//! as the others follow by timeout or by the t + 1 rule, the honest generals share each view
//! for a while that doubles with v; once it exceeds four message delays after GST, the first
//! view with an honest primary decides: its view-changes, the new-view, the prepares and the
//! commits each take one delay, and the n − t ≥ q honest generals make every quorum.

use std::sync::Arc;

use super::msg::{Phase, Signed, ViewChange, distinct_signers};
use super::{NewView, Pbft, PbftMsg, primary};
use crate::general::Ctx;
use crate::types::Value;

/// The value a new-view for these view-changes must pre-prepare, with the proposer's own input
/// `own` first: the highest certificate's, else a value t + 1 of their inputs hold; `None` when
/// the certificates of the highest view disagree or no value is justified yet.
fn new_view_value(vcs: &[Arc<ViewChange>], own: Value, t: usize) -> Option<Value> {
    let highest = vcs
        .iter()
        .filter_map(|vc| vc.cert.as_ref())
        .map(|c| c.view())
        .max();
    if let Some(w) = highest {
        let mut values = (vcs.iter())
            .filter_map(|vc| vc.cert.as_ref())
            .filter(|c| c.view() == w)
            .map(|c| c.value());
        let first = values.next()?;
        return values.all(|v| v == first).then_some(first);
    }
    let other = match own {
        Value::Attack => Value::Retreat,
        Value::Retreat => Value::Attack,
    };
    [own, other]
        .into_iter()
        .find(|&v| vcs.iter().filter(|vc| vc.input.value == v).count() > t)
}

impl Pbft {
    /// Moves to `view` (above the current one): sends its view-change and waits for the new-view.
    pub(super) fn move_to(&mut self, ctx: &mut Ctx<Pbft>, view: u32) {
        if view <= self.view || self.decision.is_some() {
            return;
        }
        let Some(input) = self.signed_input else {
            return;
        };
        self.view = view;
        self.active = false;
        self.proposed = false;
        let prepared_in = std::mem::take(&mut self.prepared_in);
        self.logs
            .retain(|v, _| *v >= view || prepared_in.contains(v));
        self.prepared_in = prepared_in;
        self.vcs.retain(|v, _| *v >= view);
        let vc = Arc::new(ViewChange::new(ctx, view, input, self.prepared.clone()));
        ctx.broadcast(PbftMsg::ViewChange(Arc::clone(&vc)));
        self.store_vc(vc);
        self.vc_high[self.id.idx()] = Some(view);
        self.arm_timer(ctx);
        self.maybe_new_view(ctx);
    }

    fn store_vc(&mut self, vc: Arc<ViewChange>) {
        let held = self.vcs.entry(vc.view).or_default();
        if !held.iter().any(|h| h.signer == vc.signer) {
            held.push(vc);
        }
    }

    pub(super) fn on_view_change(&mut self, ctx: &mut Ctx<Pbft>, vc: Arc<ViewChange>) {
        let j = vc.signer.idx();
        if j >= self.n || vc.signer == self.id {
            return;
        }
        if self.decision.is_some() {
            self.answer(ctx, &vc);
            return;
        }
        let held = self
            .vcs
            .get(&vc.view)
            .is_some_and(|h| h.iter().any(|x| x.signer == vc.signer));
        if vc.view < self.view || held || !vc.verify(ctx, self.q) {
            return;
        }
        self.vc_high[j] = self.vc_high[j].max(Some(vc.view));
        self.store_vc(vc);
        // The f + 1 rule: t + 1 generals ask for views above ours: join the lowest of those
        // the (t + 1)-th highest asker reaches.
        let mut above: Vec<u32> = (self.vc_high.iter().flatten())
            .copied()
            .filter(|&v| v > self.view)
            .collect();
        if above.len() > self.t {
            above.sort_unstable_by(|a, b| b.cmp(a));
            self.move_to(ctx, above[self.t]);
        }
        self.maybe_new_view(ctx);
    }

    /// A decided general shows its proof to a general still changing views (once per view).
    fn answer(&mut self, ctx: &mut Ctx<Pbft>, vc: &ViewChange) {
        let j = vc.signer.idx();
        if self.answered[j] >= Some(vc.view) {
            return;
        }
        if let Some(proof) = &self.proof {
            self.answered[j] = Some(vc.view);
            ctx.send(vc.signer, PbftMsg::Decided(Arc::clone(proof)));
        }
    }

    /// As the new primary: send the new-view once q view-changes justify a value.
    pub(super) fn maybe_new_view(&mut self, ctx: &mut Ctx<Pbft>) {
        if self.view == 0 || self.active || self.proposed || !self.is_primary() {
            return;
        }
        let Some(held) = self.vcs.get(&self.view) else {
            return;
        };
        if held.len() < self.q {
            return;
        }
        let Some(value) = new_view_value(held, self.input, self.t) else {
            return;
        };
        let vcs: Box<[Arc<ViewChange>]> = held.clone().into();
        let pre_prepare = Signed::new(ctx, Phase::PrePrepare, self.view, value);
        self.proposed = true;
        let nv = NewView {
            view: self.view,
            vcs,
            pre_prepare,
        };
        ctx.broadcast(PbftMsg::NewView(Arc::new(nv)));
        self.enter(ctx, pre_prepare);
    }

    /// Whether `nv` is a valid new-view: the primary's pre-prepare, q valid view-changes for its
    /// view from distinct generals, and the value they call for.
    fn valid_new_view(&mut self, ctx: &mut Ctx<Pbft>, nv: &NewView) -> bool {
        let pp = &nv.pre_prepare;
        if nv.view == 0 || pp.signer != primary(nv.view, self.n) || pp.view != nv.view {
            return false;
        }
        if !pp.is(ctx, Phase::PrePrepare, nv.view, pp.value) {
            return false;
        }
        let mut seen = vec![false; self.n];
        let mut valid = Vec::with_capacity(nv.vcs.len());
        for vc in nv.vcs.iter() {
            let i = vc.signer.idx();
            if vc.view != nv.view || i >= self.n || seen[i] || !vc.verify(ctx, self.q) {
                continue;
            }
            seen[i] = true;
            valid.push(Arc::clone(vc));
        }
        if valid.len() < self.q {
            return false;
        }
        // Whatever the primary's own input, the value must be one the rule allows.
        let allowed = |own| new_view_value(&valid, own, self.t) == Some(pp.value);
        let certified = valid.iter().any(|vc| vc.cert.is_some());
        if certified {
            allowed(pp.value)
        } else {
            valid.iter().filter(|vc| vc.input.value == pp.value).count() > self.t
        }
    }

    pub(super) fn on_new_view(&mut self, ctx: &mut Ctx<Pbft>, nv: &NewView) {
        if self.decision.is_some() || nv.view < self.view || (nv.view == self.view && self.active) {
            return;
        }
        if !self.valid_new_view(ctx, nv) {
            return;
        }
        if nv.view > self.view {
            self.view = nv.view;
            self.proposed = false;
            self.arm_timer(ctx);
        }
        self.enter(ctx, nv.pre_prepare);
    }

    /// Enters the current view with its pre-prepare `pp` and prepares.
    fn enter(&mut self, ctx: &mut Ctx<Pbft>, pp: Signed) {
        self.active = true;
        self.vcs.retain(|v, _| *v > pp.view);
        self.accept_pre_prepare(ctx, pp);
    }

    pub(super) fn on_decided(&mut self, ctx: &mut Ctx<Pbft>, proof: Arc<[Signed]>) {
        let Some(first) = proof.first().copied() else {
            return;
        };
        if self.decision.is_some() {
            return;
        }
        let signers = distinct_signers(ctx, &proof, Phase::Commit, first.view, first.value, None);
        if signers >= self.q {
            self.decide(ctx, first.value, proof);
        }
    }
}
