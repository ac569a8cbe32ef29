//! `hotstuff`: basic (non-chained) HotStuff, Yin, Malkhi, Reiter, Gueta and Abraham, "HotStuff:
//! BFT Consensus with Linearity and Responsiveness" (PODC 2019), Algorithm 2, single-shot: the
//! generals agree on one value, each starting from its own input (`protocol.inputs`).
//! Validity: a unanimous honest input is the decision, and the decision is always some honest
//! general's input.
//!
//! **Views** are numbered 0, 1, 2, ...; the leader of view v is general v mod n. Quorum
//! q = ⌈(n + t + 1)/2⌉ ([`crate::protocol::pbft::quorum`]; 2t + 1 at n = 3t + 1): any two
//! quorums share an honest general, and the honest generals alone are a quorum iff n > 3t.
//! A quorum certificate (QC, [`Qc`]) is q ed25519 signatures on one vote (phase, view, value),
//! a `Vec` of (signer, signature) behind an `Arc`.
//!
//! 1. *Input*: every general signs its input and sends it to the leader of view 0 (the leader's
//!    own needs no message). It proposes its own input once t + 1 signed inputs (its own
//!    included) hold it, else the other value once that has t + 1: t + 1 signatures mean an
//!    honest general started with it (PBFT's pre-prepare does the same).
//! 2. *Prepare*: the leader broadcasts its signed proposal with its justification: the highQC
//!    it extends (a prepareQC of an earlier view, for the same value) or t + 1 signed inputs.
//!    A replica votes (a signed prepare vote, to the leader only) for the first valid proposal
//!    of its view when *safeNode* holds: the value is lockedQC's value, or the justification is
//!    a QC of a view above lockedQC's (inputs count as no QC: below any lock).
//! 3. *Pre-commit*: the leader collects q prepare votes (its own included) into the prepareQC
//!    and broadcasts it; a replica sets its prepareQC to it and votes pre-commit.
//! 4. *Commit*: the leader broadcasts the precommitQC of q pre-commit votes; a replica sets
//!    lockedQC to it and votes commit.
//! 5. *Decide*: the leader broadcasts the commitQC of q commit votes; a general decides its
//!    value (any general holding a valid commitQC decides it).
//!
//! **Message count** of an honest run in one view over direct links: n − 1 inputs to the
//! leader, 4 leader broadcasts (proposal, prepareQC, precommitQC, commitQC) of n − 1 copies
//! each, and 3 vote phases in which the n − 1 replicas each send one vote to the leader:
//! (n − 1)(1 + 4 + 3) = **8(n − 1)** (24 at n = 4, 96 at n = 13), against PBFT's
//! (n − 1)(2n + 1) (27 and 300): linear in n where PBFT's all-to-all prepares and commits are
//! quadratic. Nothing else is sent: every general has decided when the last commitQC arrives.
//!
//! **Bytes.** A QC here is q separate ed25519 signatures, 68 bytes each with its signer
//! ([`msg::qc_bytes`]), so the three QC broadcasts carry 3 q × 68 bytes per copy and the
//! `bytes` column grows as n² (n − 1 copies of q ≈ 2n/3 signatures). Real deployments use a
//! threshold signature (for example BLS): one constant-size signature of about 96 bytes per QC
//! whatever q; the QC broadcasts would then weigh ~100 bytes each and the `bytes` column would
//! grow linearly in n, like the message count. The simulator keeps the individual signatures
//! (each is verified, so a forged QC is caught); only the accounting would change.
//!
//! **Pacemaker** (view change): a general still in view v `protocol.view_timeout_ms` × 2^v
//! after entering it moves to view v + 1 and sends NEW-VIEW (its signed input, its prepareQC
//! and, once decided, its commitQC) to the leader of v + 1 only. The new leader, holding valid
//! NEW-VIEWs for its view from q generals (its own included), proposes the value of the highest
//! prepareQC among them (the highQC, as justification), or, if none carries one, its own input
//! when t + 1 of their inputs hold it, else the other value, justified by those t + 1 inputs.
//! A general also enters a later view on a valid proposal or QC of that view, and a leader on
//! q NEW-VIEWs for a later view it leads. Decided generals keep their pacemaker (as replicas
//! of a replicated state machine do) and carry their commitQC in their NEW-VIEWs; a decided
//! general answers a NEW-VIEW that carries none with its commitQC (`Decided`), once per
//! general and view. So one view change lets a general that missed the decide catch up.
//!
//! **Why agreement holds.** Two QCs of one phase and view share an honest signer, who votes
//! once per phase and view: at most one value gets QCs in a view. Say x is decided in view w:
//! a commitQC of w, so q generals locked on the precommitQC (w, x), and a prepareQC (w, x)
//! exists. By induction every proposal of a view w' > w that gets a prepareQC is for x: its q
//! prepare votes share an honest general h with the q that locked (w, x); h votes only if the
//! value is x or the proposal's justification is a QC of a view above w — a valid prepareQC of
//! a view in (w, w'), for x by the hypothesis, and a proposal extending a QC carries its
//! value. **Validity**: a proposal's value is justified by t + 1 signed inputs or by a QC whose
//! proposal was, by induction.
//!
//! **Crash-recover**: HotStuff persists its view, lockedQC, prepareQC, commitQC and decision,
//! the last vote it cast (so it never votes twice in one phase of a view) and whether it
//! proposed in its view (so it never proposes twice). A crash loses what it gathers as a
//! leader (signed inputs, votes, NEW-VIEWs) and its timer; on recovery it re-arms the timer of
//! its current view.
//!
//! Strategies ([`strategies`]): `equivocating-leader`, `silent-leader`, `withhold-votes`.

mod msg;
mod strategies;

use std::collections::BTreeMap;
use std::rc::Rc;
use std::sync::Arc;

use crate::general::{
    Ctx, EstimateInput, Messages, Params, Protocol, ProtocolReport, Setup, Theorem, TimerId,
    Traitor, Validity,
};
use crate::types::{NodeId, SimTime, Value};

pub use msg::{HsMsg, Justify, NewView, Phase, Proposal, Qc, Signed};

/// HotStuff's own parameters (`protocol.view_timeout_ms`, shared with PBFT).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HotStuffParams {
    /// The timeout of view 0; view v waits 2^v times as long.
    pub view_timeout: SimTime,
}

impl Default for HotStuffParams {
    fn default() -> Self {
        HotStuffParams {
            view_timeout: SimTime::from_ms(
                crate::protocol::pbft::PbftParams::DEFAULT_VIEW_TIMEOUT_MS,
            ),
        }
    }
}

/// The leader of `view`: general `view mod n`.
pub fn leader(view: u32, n: usize) -> NodeId {
    NodeId((view as u64 % n.max(1) as u64) as u32)
}

/// A HotStuff general's timer: the end of its patience with `view`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ViewTimer {
    pub view: u32,
}

/// Votes gathered by the leader for one phase of its view.
#[derive(Clone, Debug, Default)]
struct Votes {
    sigs: Vec<(NodeId, ed25519_dalek::Signature)>,
    by: Vec<bool>,
    done: bool,
}

/// One HotStuff general.
pub struct HotStuff {
    id: NodeId,
    n: usize,
    t: usize,
    q: usize,
    input: Value,
    signed_input: Option<Signed>,
    view_timeout: SimTime,
    view: u32,
    timer: Option<TimerId>,
    /// As leader of view 0: the signed inputs it holds (its own first), one per signer.
    inputs: Vec<Signed>,
    /// As leader of `view`: it proposed, and what.
    proposed: bool,
    leading: Option<Value>,
    /// As leader: the votes of its view, per phase (prepare, pre-commit, commit).
    votes: [Votes; 3],
    /// As leader: NEW-VIEWs held for its view and later ones, one per signer.
    new_views: BTreeMap<u32, Vec<Arc<NewView>>>,
    /// The last (view, phase) it voted in.
    last_vote: Option<(u32, Phase)>,
    prepare_qc: Option<Arc<Qc>>,
    locked_qc: Option<Arc<Qc>>,
    commit_qc: Option<Arc<Qc>>,
    decision: Option<Value>,
    decided_in: u32,
    /// The highest NEW-VIEW of each general it answered with its commitQC.
    answered: Vec<Option<u32>>,
}

fn phase_slot(p: Phase) -> Option<usize> {
    match p {
        Phase::Prepare => Some(0),
        Phase::PreCommit => Some(1),
        Phase::Commit => Some(2),
        _ => None,
    }
}

impl HotStuff {
    fn is_leader_of(&self, view: u32) -> bool {
        leader(view, self.n) == self.id
    }

    fn arm_timer(&mut self, ctx: &mut Ctx<HotStuff>) {
        if let Some(old) = self.timer.take() {
            ctx.cancel(old);
        }
        let factor = 1u64 << self.view.min(40);
        let wait = SimTime(self.view_timeout.0.saturating_mul(factor));
        let at = ctx.now.saturating_add(wait);
        self.timer = Some(ctx.timer_at(at, ViewTimer { view: self.view }));
    }

    /// Enters `view` (above its own): what it gathered as a leader is dropped.
    fn enter(&mut self, ctx: &mut Ctx<HotStuff>, view: u32) {
        self.view = view;
        self.proposed = false;
        self.leading = None;
        self.votes = Default::default();
        self.inputs = Vec::new();
        self.new_views.retain(|v, _| *v >= view);
        self.arm_timer(ctx);
    }

    /// The pacemaker: moves to `view` and sends NEW-VIEW to its leader.
    fn move_to(&mut self, ctx: &mut Ctx<HotStuff>, view: u32) {
        if view <= self.view {
            return;
        }
        let Some(input) = self.signed_input else {
            return;
        };
        self.enter(ctx, view);
        let nv = Arc::new(NewView {
            view,
            input,
            prepare_qc: self.prepare_qc.clone(),
            commit_qc: self.commit_qc.clone(),
        });
        if self.is_leader_of(view) {
            self.store_new_view(nv);
            self.maybe_propose(ctx);
        } else {
            ctx.send(leader(view, self.n), HsMsg::NewView(nv));
        }
    }

    fn store_new_view(&mut self, nv: Arc<NewView>) {
        let held = self.new_views.entry(nv.view).or_default();
        if !held.iter().any(|h| h.input.signer == nv.input.signer) {
            held.push(nv);
        }
    }

    /// Up to t + 1 signed inputs for `value` among `inputs`, one per signer; `None` if fewer.
    fn justification(&self, inputs: &[Signed], value: Value) -> Option<Arc<[Signed]>> {
        let mut seen = vec![false; self.n];
        let mut out = Vec::with_capacity(self.t + 1);
        for s in inputs {
            let i = s.signer.idx();
            if s.value == value && i < self.n && !seen[i] && out.len() <= self.t {
                seen[i] = true;
                out.push(*s);
            }
        }
        (out.len() > self.t).then(|| out.into())
    }

    /// As leader of view 0: propose once a value is justified by t + 1 signed inputs.
    fn try_propose_first(&mut self, ctx: &mut Ctx<HotStuff>) {
        if self.view != 0 || !self.is_leader_of(0) || self.proposed || self.decision.is_some() {
            return;
        }
        for value in [self.input, self.input.flip()] {
            if let Some(inputs) = self.justification(&self.inputs, value) {
                self.propose(ctx, value, Justify::Inputs(inputs));
                return;
            }
        }
    }

    /// As leader of a later view: propose once q NEW-VIEWs are held.
    fn maybe_propose(&mut self, ctx: &mut Ctx<HotStuff>) {
        if self.view == 0 || !self.is_leader_of(self.view) || self.proposed {
            return;
        }
        if self.decision.is_some() {
            return;
        }
        let Some(held) = self.new_views.get(&self.view) else {
            return;
        };
        if held.len() < self.q {
            return;
        }
        let high = (held.iter().filter_map(|nv| nv.prepare_qc.as_ref())).max_by_key(|qc| qc.view);
        if let Some(qc) = high {
            let (value, qc) = (qc.value, Arc::clone(qc));
            self.propose(ctx, value, Justify::Qc(qc));
            return;
        }
        let inputs: Vec<Signed> = held.iter().map(|nv| nv.input).collect();
        for value in [self.input, self.input.flip()] {
            if let Some(j) = self.justification(&inputs, value) {
                self.propose(ctx, value, Justify::Inputs(j));
                return;
            }
        }
    }

    fn propose(&mut self, ctx: &mut Ctx<HotStuff>, value: Value, justify: Justify) {
        self.proposed = true;
        self.leading = Some(value);
        let signed = Signed::new(ctx, Phase::Proposal, self.view, value);
        let p = Proposal { signed, justify };
        ctx.broadcast(HsMsg::Proposal(Arc::new(p.clone())));
        self.accept_proposal(ctx, &p);
    }

    fn on_input(&mut self, ctx: &mut Ctx<HotStuff>, s: Signed) {
        let i = s.signer.idx();
        if self.view != 0
            || !self.is_leader_of(0)
            || s.phase != Phase::Input
            || s.view != 0
            || i >= self.n
            || self.inputs.iter().any(|x| x.signer == s.signer)
            || !s.verify(ctx)
        {
            return;
        }
        self.inputs.push(s);
        self.try_propose_first(ctx);
    }

    /// Whether `p` is a valid, justified proposal from the leader of its view.
    fn valid_proposal(&self, ctx: &mut Ctx<HotStuff>, p: &Proposal) -> bool {
        let s = &p.signed;
        if s.phase != Phase::Proposal || s.signer != leader(s.view, self.n) || !s.verify(ctx) {
            return false;
        }
        match &p.justify {
            Justify::Qc(qc) => {
                qc.value == s.value && qc.view < s.view && qc.verify(ctx, Phase::Prepare, self.q)
            }
            Justify::Inputs(inputs) => {
                let mut seen = vec![false; self.n];
                let mut count = 0;
                for x in inputs.iter() {
                    let i = x.signer.idx();
                    if x.phase == Phase::Input
                        && x.view == 0
                        && x.value == s.value
                        && i < self.n
                        && !seen[i]
                        && x.verify(ctx)
                    {
                        seen[i] = true;
                        count += 1;
                    }
                }
                count > self.t
            }
        }
    }

    fn may_vote(&self, view: u32, phase: Phase) -> bool {
        self.decision.is_none() && view >= self.view && Some((view, phase)) > self.last_vote
    }

    fn on_proposal(&mut self, ctx: &mut Ctx<HotStuff>, p: &Proposal) {
        let s = p.signed;
        if s.signer == self.id || !self.may_vote(s.view, Phase::Prepare) {
            return;
        }
        if !self.valid_proposal(ctx, p) {
            return;
        }
        if s.view > self.view {
            self.enter(ctx, s.view);
        }
        self.accept_proposal(ctx, p);
    }

    /// safeNode, then the prepare vote.
    fn accept_proposal(&mut self, ctx: &mut Ctx<HotStuff>, p: &Proposal) {
        let s = p.signed;
        let safe = self
            .locked_qc
            .as_ref()
            .is_none_or(|l| l.value == s.value || p.justify_view() > Some(l.view));
        if safe && self.may_vote(s.view, Phase::Prepare) {
            self.vote(ctx, Phase::Prepare, s.view, s.value);
        }
    }

    /// Signs a vote and hands it to the leader of `view` (itself, without a message).
    fn vote(&mut self, ctx: &mut Ctx<HotStuff>, phase: Phase, view: u32, value: Value) {
        self.last_vote = Some((view, phase));
        let s = Signed::new(ctx, phase, view, value);
        if self.is_leader_of(view) {
            self.store_vote(ctx, s);
        } else {
            ctx.send(leader(view, self.n), HsMsg::Vote(Rc::new(s)));
        }
    }

    fn on_vote(&mut self, ctx: &mut Ctx<HotStuff>, s: Signed) {
        let Some(k) = phase_slot(s.phase) else {
            return;
        };
        let i = s.signer.idx();
        if s.view != self.view
            || self.leading != Some(s.value)
            || i >= self.n
            || s.signer == self.id
            || self.votes[k].done
            || self.votes[k].by.get(i) == Some(&true)
            || !s.verify(ctx)
        {
            return;
        }
        self.store_vote(ctx, s);
    }

    /// As leader: counts a valid vote; at q, forms the QC, broadcasts it and applies it.
    fn store_vote(&mut self, ctx: &mut Ctx<HotStuff>, s: Signed) {
        let Some(k) = phase_slot(s.phase) else {
            return;
        };
        if self.leading != Some(s.value) || s.view != self.view {
            return;
        }
        let (n, q) = (self.n, self.q);
        let votes = &mut self.votes[k];
        if votes.by.len() < n {
            votes.by = vec![false; n];
        }
        if votes.done || votes.by[s.signer.idx()] {
            return;
        }
        votes.by[s.signer.idx()] = true;
        votes.sigs.push((s.signer, s.sig));
        if votes.sigs.len() < q {
            return;
        }
        votes.done = true;
        let qc = Arc::new(Qc {
            phase: s.phase,
            view: s.view,
            value: s.value,
            sigs: std::mem::take(&mut votes.sigs),
        });
        ctx.broadcast(HsMsg::Qc(Arc::clone(&qc)));
        self.apply_qc(ctx, qc);
    }

    fn on_qc(&mut self, ctx: &mut Ctx<HotStuff>, qc: Arc<Qc>) {
        if qc.phase == Phase::Commit {
            if self.decision.is_none() && qc.verify(ctx, Phase::Commit, self.q) {
                self.decide(ctx, qc);
            }
            return;
        }
        let Some(k) = phase_slot(qc.phase) else {
            return;
        };
        let phase = [Phase::PreCommit, Phase::Commit][k.min(1)];
        if !self.may_vote(qc.view, phase) || !qc.verify(ctx, qc.phase, self.q) {
            return;
        }
        if qc.view > self.view {
            self.enter(ctx, qc.view);
        }
        self.apply_qc(ctx, qc);
    }

    /// A prepareQC becomes its prepareQC (pre-commit vote), a precommitQC its lock (commit
    /// vote), a commitQC its decision.
    fn apply_qc(&mut self, ctx: &mut Ctx<HotStuff>, qc: Arc<Qc>) {
        let (view, value) = (qc.view, qc.value);
        match qc.phase {
            Phase::Prepare => {
                if self.prepare_qc.as_ref().is_none_or(|p| p.view < view) {
                    self.prepare_qc = Some(qc);
                }
                if self.may_vote(view, Phase::PreCommit) {
                    self.vote(ctx, Phase::PreCommit, view, value);
                }
            }
            Phase::PreCommit => {
                if self.locked_qc.as_ref().is_none_or(|l| l.view < view) {
                    self.locked_qc = Some(qc);
                }
                if self.may_vote(view, Phase::Commit) {
                    self.vote(ctx, Phase::Commit, view, value);
                }
            }
            Phase::Commit if self.decision.is_none() => self.decide(ctx, qc),
            _ => {}
        }
    }

    fn decide(&mut self, ctx: &mut Ctx<HotStuff>, qc: Arc<Qc>) {
        self.decision = Some(qc.value);
        self.decided_in = self.view.max(qc.view);
        self.commit_qc = Some(Arc::clone(&qc));
        // Answer the NEW-VIEWs it holds from generals that had not decided.
        let waiting: Vec<Arc<NewView>> = self.new_views.values().flatten().cloned().collect();
        for nv in waiting {
            self.answer(ctx, &nv);
        }
    }

    fn answer(&mut self, ctx: &mut Ctx<HotStuff>, nv: &NewView) {
        let j = nv.input.signer.idx();
        if nv.commit_qc.is_some() || nv.input.signer == self.id || self.answered[j] >= Some(nv.view)
        {
            return;
        }
        if let Some(qc) = &self.commit_qc {
            self.answered[j] = Some(nv.view);
            ctx.send(nv.input.signer, HsMsg::Decided(Arc::clone(qc)));
        }
    }

    fn on_new_view(&mut self, ctx: &mut Ctx<HotStuff>, nv: Arc<NewView>) {
        let s = nv.input;
        let j = s.signer.idx();
        if j >= self.n || s.signer == self.id || s.phase != Phase::Input || s.view != 0 {
            return;
        }
        if self.decision.is_some() {
            if s.verify(ctx) {
                self.answer(ctx, &nv);
            }
            return;
        }
        if let Some(c) = &nv.commit_qc
            && c.verify(ctx, Phase::Commit, self.q)
        {
            self.decide(ctx, Arc::clone(c));
            return;
        }
        let held = (self.new_views.get(&nv.view))
            .is_some_and(|h| h.iter().any(|x| x.input.signer == s.signer));
        if nv.view < self.view || !self.is_leader_of(nv.view) || held || !s.verify(ctx) {
            return;
        }
        let qc_ok = nv
            .prepare_qc
            .as_ref()
            .is_none_or(|qc| qc.view < nv.view && qc.verify(ctx, Phase::Prepare, self.q));
        if !qc_ok {
            return;
        }
        let view = nv.view;
        self.store_new_view(nv);
        // q generals (so t + 1 honest ones) moved to a later view it leads: join them.
        if view > self.view && self.new_views.get(&view).is_some_and(|h| h.len() >= self.q) {
            self.move_to(ctx, view);
        }
        self.maybe_propose(ctx);
    }

    fn on_decided(&mut self, ctx: &mut Ctx<HotStuff>, qc: Arc<Qc>) {
        if self.decision.is_none() && qc.verify(ctx, Phase::Commit, self.q) {
            self.decide(ctx, qc);
        }
    }
}

impl Protocol for HotStuff {
    type Msg = HsMsg;
    type Params = HotStuffParams;
    type Timer = ViewTimer;
    const NAME: &'static str = "hotstuff";
    const SIGNED: bool = true;
    const VALIDITY: Validity = Validity::UnanimousInputs;
    const ROUND_BASED: bool = false;
    const STRATEGIES: &'static [&'static str] = strategies::NAMES;

    fn new(id: NodeId, setup: &Setup, params: &HotStuffParams) -> Self {
        let n = setup.n;
        HotStuff {
            id,
            n,
            t: setup.t,
            q: crate::protocol::pbft::quorum(n, setup.t),
            input: setup.inputs.get(id.idx()).copied().unwrap_or_default(),
            signed_input: None,
            view_timeout: params.view_timeout,
            view: 0,
            timer: None,
            inputs: Vec::new(),
            proposed: false,
            leading: None,
            votes: Default::default(),
            new_views: BTreeMap::new(),
            last_vote: None,
            prepare_qc: None,
            locked_qc: None,
            commit_qc: None,
            decision: None,
            decided_in: 0,
            answered: vec![None; n],
        }
    }

    fn start(&mut self, ctx: &mut Ctx<HotStuff>) {
        let mine = Signed::new(ctx, Phase::Input, 0, self.input);
        self.signed_input = Some(mine);
        self.arm_timer(ctx);
        if self.is_leader_of(0) {
            self.inputs.push(mine);
            self.try_propose_first(ctx);
        } else {
            ctx.send(leader(0, self.n), HsMsg::Input(Rc::new(mine)));
        }
    }

    fn on_message(&mut self, ctx: &mut Ctx<HotStuff>, _from: NodeId, msg: HsMsg) {
        match msg {
            HsMsg::Input(s) => self.on_input(ctx, *s),
            HsMsg::Proposal(p) => self.on_proposal(ctx, &p),
            HsMsg::Vote(s) => self.on_vote(ctx, *s),
            HsMsg::Qc(qc) => self.on_qc(ctx, qc),
            HsMsg::NewView(nv) => self.on_new_view(ctx, nv),
            HsMsg::Decided(qc) => self.on_decided(ctx, qc),
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<HotStuff>, timer: ViewTimer) {
        if timer.view == self.view {
            self.timer = None;
            self.move_to(ctx, self.view.saturating_add(1));
        }
    }

    fn decision(&self) -> Option<Value> {
        self.decision
    }

    fn on_crash(&mut self) {
        self.inputs = Vec::new();
        self.votes = Default::default();
        self.new_views.clear();
        self.timer = None;
    }

    fn on_recover(&mut self, ctx: &mut Ctx<HotStuff>) {
        self.timer = None;
        self.arm_timer(ctx);
    }

    fn is_leader(&self) -> bool {
        self.is_leader_of(self.view)
    }

    fn timer_name(&self, timer: &ViewTimer) -> String {
        format!(
            "view {} timeout: move to view {} (new-view to its leader)",
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

    /// Re-signs its own input, vote or proposal with another value (a proposal keeps its
    /// justification: the generals reject it unless it justifies the new value too), or its
    /// NEW-VIEW with another signed input.
    fn with_value(ctx: &mut Ctx<HotStuff>, msg: &HsMsg, value: Value) -> Option<HsMsg> {
        let me = ctx.id;
        match msg {
            HsMsg::Input(s) if s.signer == me => Some(HsMsg::Input(Rc::new(Signed::new(
                ctx, s.phase, s.view, value,
            )))),
            HsMsg::Vote(s) if s.signer == me => Some(HsMsg::Vote(Rc::new(Signed::new(
                ctx, s.phase, s.view, value,
            )))),
            HsMsg::Proposal(p) if p.signed.signer == me => {
                Some(HsMsg::Proposal(Arc::new(Proposal {
                    signed: Signed::new(ctx, Phase::Proposal, p.signed.view, value),
                    justify: p.justify.clone(),
                })))
            }
            HsMsg::NewView(nv) if nv.input.signer == me => {
                Some(HsMsg::NewView(Arc::new(NewView {
                    input: Signed::new(ctx, Phase::Input, 0, value),
                    ..NewView::clone(nv)
                })))
            }
            _ => None,
        }
    }

    /// The other value; a vote or proposal for view ± 1; a proposal with no justification
    /// (empty inputs); a NEW-VIEW without its prepareQC (hiding it) or for view + 1.
    fn mutations(ctx: &mut Ctx<HotStuff>, msg: &HsMsg) -> Vec<HsMsg> {
        let me = ctx.id;
        let mut out: Vec<HsMsg> = Vec::new();
        if let Some(v) = crate::general::Message::about(msg).value {
            out.extend(Self::with_value(ctx, msg, v.flip()));
        }
        match msg {
            HsMsg::Vote(s) if s.signer == me => {
                for view in [s.view.checked_sub(1), s.view.checked_add(1)]
                    .into_iter()
                    .flatten()
                {
                    let s2 = Signed::new(ctx, s.phase, view, s.value);
                    out.push(HsMsg::Vote(Rc::new(s2)));
                }
            }
            HsMsg::Proposal(p) if p.signed.signer == me => {
                let s = p.signed;
                for view in [s.view.checked_sub(1), s.view.checked_add(1)]
                    .into_iter()
                    .flatten()
                {
                    out.push(HsMsg::Proposal(Arc::new(Proposal {
                        signed: Signed::new(ctx, Phase::Proposal, view, s.value),
                        justify: p.justify.clone(),
                    })));
                }
                out.push(HsMsg::Proposal(Arc::new(Proposal {
                    signed: s,
                    justify: Justify::Inputs(Arc::from(Vec::new())),
                })));
            }
            HsMsg::NewView(nv) if nv.input.signer == me => {
                if nv.prepare_qc.is_some() {
                    out.push(HsMsg::NewView(Arc::new(NewView {
                        prepare_qc: None,
                        ..NewView::clone(nv)
                    })));
                }
                out.push(HsMsg::NewView(Arc::new(NewView {
                    view: nv.view.saturating_add(1),
                    ..NewView::clone(nv)
                })));
            }
            _ => {}
        }
        out
    }

    fn msg_round(msg: &HsMsg) -> Option<u64> {
        Some(match msg {
            HsMsg::Input(_) => 0,
            HsMsg::Proposal(p) => p.signed.view as u64,
            HsMsg::Vote(s) => s.view as u64,
            HsMsg::Qc(qc) | HsMsg::Decided(qc) => qc.view as u64,
            HsMsg::NewView(nv) => nv.view as u64,
        })
    }

    /// Safety (agreement, validity) for n > 3t under any timing; termination once GST has
    /// passed.
    fn bound(p: &Params) -> Option<Theorem> {
        Some(Theorem {
            holds: p.n > 3 * p.t,
            rule: "n > 3t".to_string(),
            messages: Messages::Signed,
            budgeted: true,
            partial_synchrony: true,
        })
    }

    /// 8(n − 1): the honest run's count.
    fn estimate(e: &EstimateInput) -> f64 {
        8.0 * (e.n as f64 - 1.0)
    }

    fn strategy(
        name: &str,
        id: NodeId,
        setup: &Setup,
        _params: &HotStuffParams,
        traitors: &[NodeId],
    ) -> Option<Box<dyn Traitor<Self>>> {
        strategies::build(name, id, setup, traitors)
    }
}
