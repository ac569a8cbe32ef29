//! `pbft`: Practical Byzantine Fault Tolerance, Castro and Liskov ("Practical Byzantine Fault
//! Tolerance", OSDI 1999), single-shot: the generals agree on one value, each starting from its
//! own input (`protocol.inputs`). Validity: a unanimous honest input is the decision, and the
//! decision is always some honest general's input.
//!
//! **Normal case** (this file). The primary of view v is general v mod n.
//! 1. *Request*: every general signs its input and sends it to the primary of view 0 (the
//!    paper's client request; the primary's own needs no message).
//! 2. *Pre-prepare*: the primary proposes its own input as soon as t + 1 signed inputs (its own
//!    included) hold it, or else the other value once that has t + 1; the pre-prepare carries the
//!    signed inputs it holds. t + 1 signatures for a value mean some honest general holds it: a
//!    traitor primary cannot propose a value no honest general started with.
//! 3. *Prepare*: a backup in view v accepts the first valid, justified pre-prepare of view v from
//!    its primary and sends a signed prepare for it to everyone. It is *prepared* for (v, x) when
//!    it holds that pre-prepare and prepares for (v, x) from q − 1 generals other than the primary
//!    (a prepared certificate: q signers, the primary's pre-prepare standing for its prepare).
//! 4. *Commit*: once prepared (the primary too), a general sends a signed commit for (v, x) to
//!    everyone; it decides x when prepared and holding q commits for (v, x) (the paper's
//!    committed-local).
//!
//! **Quorums.** q = ⌈(n + t + 1)/2⌉ (2t + 1 when n = 3t + 1). *Any two quorums share an honest
//! general*: two sets of q among n share at least 2q − n ≥ (n + t + 1) − n = t + 1 generals, and
//! at most t of those are traitors. *The honest generals alone form a quorum* exactly when
//! n > 3t: q ≤ n − t ⟺ (n + t + 1)/2 ≤ n − t ⟺ n ≥ 3t + 1. So safety (agreement, validity)
//! never depends on n > 3t, only liveness does: at n ≤ 3t silent or vote-withholding traitors
//! stop PBFT for ever, and it stays safe.
//!
//! **Message count** of an honest run over direct links: n − 1 requests, n − 1 pre-prepares,
//! (n − 1)(n − 1) prepares (each backup to all others), n(n − 1) commits (everyone to all
//! others): (n − 1)(2n + 1) in all (27 at n = 4: the paper's 3 + 9 + 12 for the three phases,
//! plus three requests). Nothing else is sent: a general sends all of these before it decides.
//!
//! **View change** ([`view_change`]): a general that has not decided `protocol.view_timeout_ms`
//! × 2^v after entering view v moves to view v + 1, and so on.
//!
//! **Crash-recover**: PBFT persists its log, so a general that goes down keeps everything (its
//! view, its signed input, the pre-prepares, prepares, commits and view-changes it holds, its
//! prepared certificate and its decision); only its timer is lost, and on recovery it re-arms it
//! for its current view. Messages that arrived while it was down are gone; it catches up through
//! the view change (a decided general answers a view-change with its proof).
//!
//! Strategies ([`strategies`]): `equivocating-primary`, `silent-primary`, `withhold-votes`.

mod msg;
mod strategies;
#[cfg(test)]
mod tests;
mod view_change;

use std::collections::BTreeMap;
use std::sync::Arc;

use fixedbitset::FixedBitSet;

use crate::general::{
    Ctx, EstimateInput, Messages, Params, Protocol, ProtocolReport, Setup, Theorem, TimerId,
    Traitor, Validity,
};
use crate::types::{NodeId, SimTime, Value};

use msg::distinct_signers;
pub use msg::{Cert, NewView, PbftMsg, Phase, PrePrepare, Signed, ViewChange};

/// PBFT's own parameters (`protocol.view_timeout_ms`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PbftParams {
    /// The timeout of view 0; view v waits 2^v times as long.
    pub view_timeout: SimTime,
}

impl PbftParams {
    /// `protocol.view_timeout_ms` when unset: 1 s, well above the four message delays of the
    /// normal case on the default latencies (at most 10 ms each).
    pub const DEFAULT_VIEW_TIMEOUT_MS: u64 = 1000;
}

impl Default for PbftParams {
    fn default() -> Self {
        PbftParams {
            view_timeout: SimTime::from_ms(Self::DEFAULT_VIEW_TIMEOUT_MS),
        }
    }
}

/// The quorum: ⌈(n + t + 1)/2⌉.
pub fn quorum(n: usize, t: usize) -> usize {
    (n + t + 1).div_ceil(2)
}

/// The primary of `view`: general `view mod n`.
pub fn primary(view: u32, n: usize) -> NodeId {
    NodeId((view as u64 % n.max(1) as u64) as u32)
}

/// A PBFT general's one timer: the end of its patience with `view`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ViewTimer {
    pub view: u32,
}

/// What a general holds about one view.
#[derive(Clone, Debug)]
struct ViewLog {
    /// The pre-prepare it accepted in this view.
    pre_prepare: Option<Signed>,
    /// Valid prepares and commits, the first of each signer (only until they are no longer
    /// needed: q − 1 prepares, q commits for one value).
    prepares: Vec<Signed>,
    commits: Vec<Signed>,
    /// Who it counted a prepare / a commit from, one bit per general (at n = 1000 a node's
    /// two sets fit in 250 bytes: the deliveries of a view touch every node's, so they must
    /// stay in cache).
    prepared_by: FixedBitSet,
    committed_by: FixedBitSet,
    /// Counts per value ([attack, retreat]).
    prepare_count: [usize; 2],
    commit_count: [usize; 2],
    /// It was prepared in this view and sent its commit.
    sent_commit: bool,
}

impl ViewLog {
    fn new(n: usize, q: usize) -> ViewLog {
        ViewLog {
            pre_prepare: None,
            prepares: Vec::with_capacity(q),
            commits: Vec::with_capacity(q),
            prepared_by: FixedBitSet::with_capacity(n),
            committed_by: FixedBitSet::with_capacity(n),
            prepare_count: [0; 2],
            commit_count: [0; 2],
            sent_commit: false,
        }
    }
}

fn slot(v: Value) -> usize {
    match v {
        Value::Attack => 0,
        Value::Retreat => 1,
    }
}

/// One PBFT general.
pub struct Pbft {
    id: NodeId,
    n: usize,
    t: usize,
    q: usize,
    input: Value,
    /// Its input, signed at the start.
    signed_input: Option<Signed>,
    view_timeout: SimTime,
    /// The view it is in, or moving to.
    view: u32,
    /// It accepts the pre-prepare of `view`: view 0 from the start, a later view once its
    /// new-view is accepted (or sent, by its primary).
    active: bool,
    timer: Option<TimerId>,
    /// As primary of view 0: the signed inputs it holds (its own first), and from whom.
    requests: Vec<Signed>,
    requested_by: Vec<bool>,
    /// As primary of `view`: it sent its pre-prepare (or new-view).
    proposed: bool,
    logs: BTreeMap<u32, ViewLog>,
    /// The prepared certificate of the highest view it prepared in.
    prepared: Option<Arc<Cert>>,
    /// The views it was prepared in.
    prepared_in: Vec<u32>,
    /// View-changes it holds for `view` and later views, valid, one per signer.
    vcs: BTreeMap<u32, Vec<Arc<ViewChange>>>,
    /// The highest view each general asked to move to.
    vc_high: Vec<Option<u32>>,
    decision: Option<Value>,
    /// q commits for its decision: what it shows a general still changing views.
    proof: Option<Arc<[Signed]>>,
    /// The view it was in when it decided.
    decided_in: u32,
    /// The highest view-change of each general it answered with its proof.
    answered: Vec<Option<u32>>,
}

impl Pbft {
    fn log(&mut self, view: u32) -> &mut ViewLog {
        let (n, q) = (self.n, self.q);
        self.logs.entry(view).or_insert_with(|| ViewLog::new(n, q))
    }

    fn is_primary(&self) -> bool {
        primary(self.view, self.n) == self.id
    }

    /// (Re-)arms the timer of the current view: view_timeout × 2^view from now.
    fn arm_timer(&mut self, ctx: &mut Ctx<Pbft>) {
        if let Some(old) = self.timer.take() {
            ctx.cancel(old);
        }
        if self.decision.is_some() {
            return;
        }
        let factor = 1u64 << self.view.min(40);
        let wait = SimTime(self.view_timeout.0.saturating_mul(factor));
        let at = ctx.now.saturating_add(wait);
        self.timer = Some(ctx.timer_at(at, ViewTimer { view: self.view }));
    }

    /// As primary of view 0: propose once a value is justified by t + 1 signed inputs.
    fn try_propose(&mut self, ctx: &mut Ctx<Pbft>) {
        if self.view != 0 || !self.is_primary() || self.proposed || self.decision.is_some() {
            return;
        }
        let count = |v: Value| self.requests.iter().filter(|s| s.value == v).count();
        let other = match self.input {
            Value::Attack => Value::Retreat,
            Value::Retreat => Value::Attack,
        };
        let Some(value) = [self.input, other].into_iter().find(|&v| count(v) > self.t) else {
            return;
        };
        self.proposed = true;
        let signed = Signed::new(ctx, Phase::PrePrepare, 0, value);
        let inputs: Arc<[Signed]> = self.requests.clone().into();
        ctx.broadcast(PbftMsg::pre_prepare(PrePrepare { signed, inputs }));
        self.accept_pre_prepare(ctx, signed);
    }

    fn on_request(&mut self, ctx: &mut Ctx<Pbft>, s: Signed) {
        let i = s.signer.idx();
        if self.view != 0
            || !self.is_primary()
            || self.proposed
            || s.phase != Phase::Input
            || s.view != 0
            || self.requested_by.get(i) != Some(&false)
            || !s.verify(ctx)
        {
            return;
        }
        self.requested_by[i] = true;
        self.requests.push(s);
        self.try_propose(ctx);
    }

    /// A bare pre-prepare: only view 0 has them (later views' come inside their new-view).
    fn on_pre_prepare(&mut self, ctx: &mut Ctx<Pbft>, pp: &PrePrepare) {
        let s = pp.signed;
        if s.view != 0 || self.view != 0 || !self.active || self.decision.is_some() {
            return;
        }
        if s.phase != Phase::PrePrepare || s.signer != primary(0, self.n) || s.signer == self.id {
            return;
        }
        if self.log(0).pre_prepare.is_some() || !s.verify(ctx) {
            return;
        }
        if distinct_signers(ctx, &pp.inputs, Phase::Input, 0, s.value, None) <= self.t {
            return;
        }
        self.accept_pre_prepare(ctx, s);
    }

    /// Accepts the pre-prepare `s` of the current view: a backup sends its prepare.
    fn accept_pre_prepare(&mut self, ctx: &mut Ctx<Pbft>, s: Signed) {
        let view = s.view;
        self.log(view).pre_prepare = Some(s);
        if s.signer != self.id {
            let mine = Signed::new(ctx, Phase::Prepare, view, s.value);
            ctx.broadcast(PbftMsg::prepare(mine));
            self.store_prepare(mine);
        }
        self.progress(ctx, view);
    }

    fn store_prepare(&mut self, s: Signed) {
        let q = self.q;
        let log = self.log(s.view);
        let i = s.signer.idx();
        if log.prepared_by.contains(i)
            || log.sent_commit
            || log.prepare_count[slot(s.value)] + 1 >= q
        {
            return;
        }
        log.prepared_by.insert(i);
        log.prepare_count[slot(s.value)] += 1;
        log.prepares.push(s);
    }

    fn store_commit(&mut self, s: Signed) {
        let q = self.q;
        let log = self.log(s.view);
        let i = s.signer.idx();
        if log.committed_by.contains(i) || log.commit_count[slot(s.value)] >= q {
            return;
        }
        log.committed_by.insert(i);
        log.commit_count[slot(s.value)] += 1;
        log.commits.push(s);
    }

    /// Whether `s` may be stored: a valid vote of the current or a later view, or a commit of
    /// an earlier view this general was prepared in, from a general not yet counted, and still
    /// needed (its signature is checked last, and only then).
    fn wants(&mut self, ctx: &mut Ctx<Pbft>, s: &Signed, phase: Phase) -> bool {
        let i = s.signer.idx();
        if s.phase != phase || i >= self.n || self.decision.is_some() {
            return false;
        }
        let useful =
            s.view >= self.view || (phase == Phase::Commit && self.prepared_in.contains(&s.view));
        if !useful || (phase == Phase::Prepare && s.signer == primary(s.view, self.n)) {
            return false;
        }
        let (q, x) = (self.q, slot(s.value));
        let needed = self.logs.get(&s.view).is_none_or(|log| match phase {
            Phase::Prepare => {
                !log.prepared_by.contains(i) && !log.sent_commit && log.prepare_count[x] + 1 < q
            }
            _ => !log.committed_by.contains(i) && log.commit_count[x] < q,
        });
        needed && s.verify(ctx)
    }

    fn on_prepare(&mut self, ctx: &mut Ctx<Pbft>, s: Signed) {
        if self.wants(ctx, &s, Phase::Prepare) {
            self.store_prepare(s);
            self.progress(ctx, s.view);
        }
    }

    fn on_commit(&mut self, ctx: &mut Ctx<Pbft>, s: Signed) {
        if self.wants(ctx, &s, Phase::Commit) {
            self.store_commit(s);
            self.progress(ctx, s.view);
        }
    }

    /// Prepared → commit (in the current view only), committed-local → decide (in any view it
    /// was prepared in).
    fn progress(&mut self, ctx: &mut Ctx<Pbft>, view: u32) {
        let (q, current) = (self.q, view == self.view && self.active);
        let Some(log) = self.logs.get_mut(&view) else {
            return;
        };
        let Some(pp) = log.pre_prepare else {
            return;
        };
        let x = pp.value;
        if current && !log.sent_commit && log.prepare_count[slot(x)] + 1 >= q {
            log.sent_commit = true;
            // The prepares move into the certificate (no copy: q of them, at n = 1000 50 kB).
            let mut prepares = std::mem::take(&mut log.prepares);
            prepares.retain(|s| s.value == x);
            let cert = Cert {
                pre_prepare: pp,
                prepares: prepares.into_boxed_slice(),
            };
            if self.prepared.as_ref().is_none_or(|c| c.view() < view) {
                self.prepared = Some(Arc::new(cert));
            }
            self.prepared_in.push(view);
            let mine = Signed::new(ctx, Phase::Commit, view, x);
            ctx.broadcast(PbftMsg::commit(mine));
            self.store_commit(mine);
        }
        let Some(log) = self.logs.get(&view) else {
            return;
        };
        if log.sent_commit && log.commit_count[slot(x)] >= q && self.decision.is_none() {
            let proof: Arc<[Signed]> = log
                .commits
                .iter()
                .filter(|s| s.value == x)
                .copied()
                .collect();
            self.decide(ctx, x, proof);
        }
    }

    fn decide(&mut self, ctx: &mut Ctx<Pbft>, value: Value, proof: Arc<[Signed]>) {
        self.decision = Some(value);
        self.proof = Some(proof);
        self.decided_in = self.view;
        if let Some(old) = self.timer.take() {
            ctx.cancel(old);
        }
        // What is left is only needed to answer others.
        self.logs.clear();
        self.vcs.clear();
        self.requests = Vec::new();
    }
}

impl Protocol for Pbft {
    type Msg = PbftMsg;
    type Params = PbftParams;
    type Timer = ViewTimer;
    const NAME: &'static str = "pbft";
    const SIGNED: bool = true;
    const VALIDITY: Validity = Validity::UnanimousInputs;
    const ROUND_BASED: bool = false;
    const STRATEGIES: &'static [&'static str] = strategies::NAMES;

    fn new(id: NodeId, setup: &Setup, params: &PbftParams) -> Self {
        let n = setup.n;
        Pbft {
            id,
            n,
            t: setup.t,
            q: quorum(n, setup.t),
            input: setup.inputs.get(id.idx()).copied().unwrap_or_default(),
            signed_input: None,
            view_timeout: params.view_timeout,
            view: 0,
            active: true,
            timer: None,
            requests: Vec::new(),
            requested_by: vec![false; n],
            proposed: false,
            logs: BTreeMap::new(),
            prepared: None,
            prepared_in: Vec::new(),
            vcs: BTreeMap::new(),
            vc_high: vec![None; n],
            decision: None,
            proof: None,
            decided_in: 0,
            answered: vec![None; n],
        }
    }

    fn start(&mut self, ctx: &mut Ctx<Pbft>) {
        let mine = Signed::new(ctx, Phase::Input, 0, self.input);
        self.signed_input = Some(mine);
        self.arm_timer(ctx);
        if self.is_primary() {
            self.requested_by[self.id.idx()] = true;
            self.requests.push(mine);
            self.try_propose(ctx);
        } else {
            ctx.send(primary(0, self.n), PbftMsg::request(mine));
        }
    }

    fn on_message(&mut self, ctx: &mut Ctx<Pbft>, _from: NodeId, msg: PbftMsg) {
        match msg {
            PbftMsg::Request(s) => self.on_request(ctx, *s),
            PbftMsg::PrePrepare(pp) => self.on_pre_prepare(ctx, &pp),
            PbftMsg::Prepare(s) => self.on_prepare(ctx, *s),
            PbftMsg::Commit(s) => self.on_commit(ctx, *s),
            PbftMsg::ViewChange(vc) => self.on_view_change(ctx, vc),
            PbftMsg::NewView(nv) => self.on_new_view(ctx, &nv),
            PbftMsg::Decided(proof) => self.on_decided(ctx, proof),
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<Pbft>, timer: ViewTimer) {
        if self.decision.is_none() && timer.view == self.view {
            self.timer = None;
            self.move_to(ctx, self.view.saturating_add(1));
        }
    }

    fn decision(&self) -> Option<Value> {
        self.decision
    }

    fn on_recover(&mut self, ctx: &mut Ctx<Pbft>) {
        self.timer = None;
        self.arm_timer(ctx);
    }

    fn is_leader(&self) -> bool {
        self.is_primary()
    }

    fn timer_name(&self, timer: &ViewTimer) -> String {
        format!(
            "view {} timeout: no decision yet, move to view {}",
            timer.view,
            timer.view.saturating_add(1)
        )
    }

    fn report(nodes: &[Self], honest: &[bool]) -> ProtocolReport {
        let views = (nodes.iter().zip(honest))
            .filter(|(p, h)| **h && p.decision.is_some())
            .map(|(p, _)| p.decided_in as u64)
            .max();
        ProtocolReport {
            views,
            ..ProtocolReport::default()
        }
    }

    /// Re-signs its own vote, input, view-0 pre-prepare or view-change with another value (a
    /// pre-prepare keeps the inputs it carries: the generals reject it unless they justify the
    /// new value too; a view-change keeps its certificate, which others signed).
    fn with_value(ctx: &mut Ctx<Pbft>, msg: &PbftMsg, value: Value) -> Option<PbftMsg> {
        let me = ctx.id;
        let resign = |ctx: &mut Ctx<Pbft>, s: &Signed| Signed::new(ctx, s.phase, s.view, value);
        match msg {
            PbftMsg::Request(s) | PbftMsg::Prepare(s) | PbftMsg::Commit(s) if s.signer == me => {
                let s2 = resign(ctx, s);
                Some(match msg {
                    PbftMsg::Request(_) => PbftMsg::request(s2),
                    PbftMsg::Prepare(_) => PbftMsg::prepare(s2),
                    _ => PbftMsg::commit(s2),
                })
            }
            PbftMsg::PrePrepare(pp) if pp.signed.signer == me => {
                Some(PbftMsg::pre_prepare(PrePrepare {
                    signed: resign(ctx, &pp.signed),
                    inputs: Arc::clone(&pp.inputs),
                }))
            }
            PbftMsg::ViewChange(vc) if vc.signer == me => {
                let input = Signed::new(ctx, Phase::Input, 0, value);
                let changed = ViewChange::new(ctx, vc.view, input, vc.cert.clone());
                Some(PbftMsg::ViewChange(Arc::new(changed)))
            }
            _ => None,
        }
    }

    /// Its own statements with the other value, the next or the previous view; a pre-prepare
    /// without the inputs that justify it; a view-change without its certificate (hiding what
    /// it prepared) or for the next view; a new-view's pre-prepare with the other value. What
    /// others signed (the certificates, the inputs, a decision proof) it cannot change.
    fn mutations(ctx: &mut Ctx<Pbft>, msg: &PbftMsg) -> Vec<PbftMsg> {
        let me = ctx.id;
        let mut out = Vec::new();
        let views = |v: u32| [Some(v.saturating_add(1)), v.checked_sub(1)];
        match msg {
            PbftMsg::Request(s) | PbftMsg::Prepare(s) | PbftMsg::Commit(s) if s.signer == me => {
                let wrap = |s2: Signed| match msg {
                    PbftMsg::Request(_) => PbftMsg::request(s2),
                    PbftMsg::Prepare(_) => PbftMsg::prepare(s2),
                    _ => PbftMsg::commit(s2),
                };
                out.push(wrap(Signed::new(ctx, s.phase, s.view, s.value.flip())));
                if !matches!(msg, PbftMsg::Request(_)) {
                    for v in views(s.view).into_iter().flatten() {
                        out.push(wrap(Signed::new(ctx, s.phase, v, s.value)));
                    }
                }
            }
            PbftMsg::PrePrepare(pp) if pp.signed.signer == me => {
                let (phase, view, value) = (pp.signed.phase, pp.signed.view, pp.signed.value);
                out.push(PbftMsg::pre_prepare(PrePrepare {
                    signed: Signed::new(ctx, phase, view, value.flip()),
                    inputs: Arc::clone(&pp.inputs),
                }));
                out.push(PbftMsg::pre_prepare(PrePrepare {
                    signed: pp.signed,
                    inputs: Arc::from(Vec::new()),
                }));
                for v in views(view).into_iter().flatten() {
                    out.push(PbftMsg::pre_prepare(PrePrepare {
                        signed: Signed::new(ctx, phase, v, value),
                        inputs: Arc::clone(&pp.inputs),
                    }));
                }
            }
            PbftMsg::ViewChange(vc) if vc.signer == me => {
                let flipped = Signed::new(ctx, Phase::Input, 0, vc.input.value.flip());
                let changed = ViewChange::new(ctx, vc.view, flipped, vc.cert.clone());
                out.push(PbftMsg::ViewChange(Arc::new(changed)));
                if vc.cert.is_some() {
                    let hidden = ViewChange::new(ctx, vc.view, vc.input, None);
                    out.push(PbftMsg::ViewChange(Arc::new(hidden)));
                }
                let later =
                    ViewChange::new(ctx, vc.view.saturating_add(1), vc.input, vc.cert.clone());
                out.push(PbftMsg::ViewChange(Arc::new(later)));
            }
            PbftMsg::NewView(nv) if nv.pre_prepare.signer == me => {
                let pp = &nv.pre_prepare;
                let flipped = Signed::new(ctx, pp.phase, pp.view, pp.value.flip());
                out.push(PbftMsg::NewView(Arc::new(NewView {
                    view: nv.view,
                    vcs: nv.vcs.clone(),
                    pre_prepare: flipped,
                })));
            }
            _ => {}
        }
        out
    }

    fn msg_round(msg: &PbftMsg) -> Option<u64> {
        Some(match msg {
            PbftMsg::Request(_) => 0,
            PbftMsg::PrePrepare(pp) => pp.signed.view as u64,
            PbftMsg::Prepare(s) | PbftMsg::Commit(s) => s.view as u64,
            PbftMsg::ViewChange(vc) => vc.view as u64,
            PbftMsg::NewView(nv) => nv.view as u64,
            PbftMsg::Decided(proof) => proof.first().map_or(0, |s| s.view as u64),
        })
    }

    /// Safety (agreement, validity) for n > 3t under any timing; termination once GST has
    /// passed (see [`crate::bound`] for what the network must give).
    fn bound(p: &Params) -> Option<Theorem> {
        Some(Theorem {
            holds: p.n > 3 * p.t,
            rule: "n > 3t".to_string(),
            messages: Messages::Signed,
            budgeted: true,
            partial_synchrony: true,
        })
    }

    /// (n − 1)(2n + 1): the honest run's count.
    fn estimate(e: &EstimateInput) -> f64 {
        let n = e.n as f64;
        (n - 1.0) * (2.0 * n + 1.0)
    }

    fn strategy(
        name: &str,
        id: NodeId,
        setup: &Setup,
        _params: &PbftParams,
        traitors: &[NodeId],
    ) -> Option<Box<dyn Traitor<Self>>> {
        strategies::build(name, id, setup, traitors)
    }
}
