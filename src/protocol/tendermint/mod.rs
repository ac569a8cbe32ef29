//! `tendermint`: Buchman, Kwon and Milosevic, "The latest gossip on BFT consensus" (2018),
//! Algorithm 1, single-shot: the generals agree on one value (one height), each starting from
//! its own input (`protocol.inputs`). Validity as PBFT's: a unanimous honest input is the
//! decision, and the decision is always some honest general's input.
//!
//! **Rounds** are numbered 0, 1, 2, ...; the proposer of round r is general r mod n. The
//! paper's 2f + 1 is the quorum q = ⌈(n + t + 1)/2⌉ ([`crate::protocol::pbft::quorum`]; 2t + 1
//! at n = 3t + 1), its f + 1 is t + 1. A round has three steps:
//!
//! 0. *Inputs*: at the start every general signs its input and sends it to every general, since
//!    the proposer of any round may have to justify a value. `valid(v)` (the paper leaves it to
//!    the application) is here: the proposal carries t + 1 signed inputs for v, so some honest
//!    general started with v.
//! 1. *Propose*: the proposer broadcasts ⟨PROPOSAL, r, v, vr⟩: its valid value v (the last
//!    value it saw a quorum prevote, with the round vr it did) if it has one, else its own
//!    input once t + 1 signed inputs hold it, else the other value once that has t + 1 (the
//!    paper's `getValue()`, which the inputs make wait). Every other general waits
//!    `timeoutPropose(r)`, then prevotes nil.
//! 2. *Prevote* (lines 22 and 28): on the round's first proposal, a general prevotes v if v is
//!    valid and its lock allows it — it is not locked (line 22, vr = −1), or it is locked on v,
//!    or (line 28) the proposal's vr is at least its locked round and it holds q prevotes for v
//!    from round vr — and nil otherwise. On q prevotes of any kind it waits
//!    `timeoutPrevote(r)`, then precommits nil (lines 34 and 61); on q nil prevotes it
//!    precommits nil at once (line 44).
//! 3. *Precommit* (line 36): on the proposal and q prevotes for v in its round, a general
//!    locks v (lockedValue, lockedRound) and precommits v if it is still in the prevote step,
//!    and in any case makes v its valid value. On q precommits of any kind it waits
//!    `timeoutPrecommit(r)`, then starts round r + 1 (lines 47 and 65).
//!
//! A general **decides** v on the proposal of v and q precommits for v of any one round
//! (line 49), and **skips** to round r on messages of round r > its own from t + 1 generals
//! (line 55). Timeouts grow linearly per round, as the paper's `timeoutX + r·δ`:
//! `protocol.round_timeout_ms` × (r + 1) for all three steps.
//!
//! **Single shot.** A decided general takes no further step. Two things replace the paper's
//! gossip of the next height: a general that decides before precommitting in the deciding
//! round (its prevotes were slow) still broadcasts its precommit for the decided value, and a
//! decided general answers a general it hears from in a later round with the proof (the
//! proposal and the q precommits, `Decided`), once per general.
//!
//! **Message count** of an honest run over direct links, everyone deciding in round 0: n(n − 1)
//! inputs, n − 1 copies of the proposal, n(n − 1) prevotes and n(n − 1) precommits:
//! **(n − 1)(3n + 1)** (39 at n = 4, 148 at n = 7): quadratic like PBFT's (n − 1)(2n + 1), one
//! all-to-all step more (the inputs go to everyone, not to one primary).
//!
//! **Why agreement holds.** Say some honest general decides v in round r: q precommits for v
//! in r, so at least q − t ≥ t + 1 honest generals locked v in round r (the one that
//! precommits on deciding never votes again). Any later round whose prevote quorum is for
//! v' ≠ v shares an honest general with them; an honest general locked on (r, v) prevotes v'
//! only on a proposal with vr ≥ r backed by q prevotes for v' in round vr, and by induction no
//! round from r on has a prevote quorum for v'. **Validity**: every proposal an honest general
//! prevotes carries t + 1 signed inputs for its value.
//!
//! **Proof-of-lock.** A proposal with a valid round carries the q prevotes of that round for
//! its value, and a general accepts it (line 28) on those. The paper instead waits for the
//! prevotes themselves, which its gossip layer relays to every correct process; byzsim's
//! direct links relay nothing, and a traitor that prevotes for a value to one general only can
//! leave the others unable to ever back that general's re-proposal (`byzsim hunt` found this
//! stall at n = 4). Messages are unchanged; the `bytes` of a re-proposal grow by q signed
//! prevotes.
//!
//! **The teaching bug** (`protocol.variant = "unsafe-lock"`): line 22 without its lock check,
//! so a locked general prevotes for any fresh proposal (vr = −1). The locks are still taken,
//! and nothing goes wrong until a value is decided in one round while a later proposer, who
//! never saw that round's quorum, proposes the other value: the scenario
//! `tendermint-unsafe-lock-twins-breaks` builds exactly that with Twins (the copy of the
//! traitor that proposes round 1 is never told of round 0) and one cut, and the correct
//! protocol survives the same schedule (`tendermint-twins-n4-t1-holds`).
//!
//! **Crash-recover**: a Tendermint general writes everything to its log (the round, step,
//! lock, valid value, decision and every message received) and loses only its timers; on
//! recovery it re-arms the timeout of its current step.
//!
//! Strategies ([`strategies`]): `equivocating-proposer`, `silent-proposer`, `withhold-votes`.

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

pub use msg::{Kind, Proof, Proposal, Signed, TmMsg};

/// Which Tendermint runs (`protocol.variant`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Variant {
    /// Algorithm 1 as published.
    #[default]
    Correct,
    /// The teaching bug: line 22 ignores the lock (see the module doc).
    UnsafeLock,
}

impl Variant {
    pub const NAMES: [&'static str; 2] = ["correct", "unsafe-lock"];

    pub fn parse(s: &str) -> Option<Variant> {
        match s {
            "correct" => Some(Variant::Correct),
            "unsafe-lock" => Some(Variant::UnsafeLock),
            _ => None,
        }
    }
}

/// Tendermint's own parameters (`protocol.round_timeout_ms`, `protocol.variant`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TendermintParams {
    /// The timeouts of round 0; round r waits r + 1 times as long.
    pub round_timeout: SimTime,
    pub variant: Variant,
}

impl TendermintParams {
    /// `protocol.round_timeout_ms` when unset: 1 s, well above the three message delays of a
    /// round on the default latencies (at most 10 ms each).
    pub const DEFAULT_ROUND_TIMEOUT_MS: u64 = 1000;
}

impl Default for TendermintParams {
    fn default() -> Self {
        TendermintParams {
            round_timeout: SimTime::from_ms(Self::DEFAULT_ROUND_TIMEOUT_MS),
            variant: Variant::Correct,
        }
    }
}

/// The proposer of `round`: general `round mod n`.
pub fn proposer(round: u32, n: usize) -> NodeId {
    NodeId((round as u64 % n.max(1) as u64) as u32)
}

/// The three steps of a round.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Step {
    Propose,
    Prevote,
    Precommit,
}

impl Step {
    fn name(self) -> &'static str {
        match self {
            Step::Propose => "propose",
            Step::Prevote => "prevote",
            Step::Precommit => "precommit",
        }
    }
}

/// A Tendermint general's timer: the end of its patience with one step of one round.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timeout {
    pub round: u32,
    pub step: Step,
}

/// Where a vote's value is counted: retreat, attack, nil.
fn slot(v: Option<Value>) -> usize {
    match v {
        Some(Value::Retreat) => 0,
        Some(Value::Attack) => 1,
        None => 2,
    }
}

/// The votes of one kind in one round: the first of each signer.
#[derive(Clone, Debug, Default)]
struct Tally {
    by: Vec<Option<Rc<Signed>>>,
    count: [usize; 3],
    total: usize,
}

impl Tally {
    fn has(&self, i: usize) -> bool {
        self.by.get(i).is_some_and(Option::is_some)
    }

    fn add(&mut self, n: usize, s: Rc<Signed>) {
        if self.by.len() < n {
            self.by.resize(n, None);
        }
        let i = s.signer.idx();
        if self.by[i].is_none() {
            self.count[slot(s.value)] += 1;
            self.total += 1;
            self.by[i] = Some(s);
        }
    }

    fn of(&self, v: Option<Value>) -> usize {
        self.count[slot(v)]
    }
}

/// What a general holds of one round.
#[derive(Clone, Debug, Default)]
struct RoundState {
    /// Valid proposals from the round's proposer, in the order they came (two if it
    /// equivocated).
    proposals: Vec<Arc<Proposal>>,
    prevotes: Tally,
    precommits: Tally,
    /// Generals heard from in this round (proposal, prevote or precommit).
    heard: Vec<bool>,
    heard_count: usize,
    /// Lines 34, 36 and 47 fire once per round.
    prevote_timer: bool,
    quorum_seen: bool,
    precommit_timer: bool,
}

impl RoundState {
    fn hear(&mut self, n: usize, from: NodeId) {
        if self.heard.len() < n {
            self.heard.resize(n, false);
        }
        if !self.heard[from.idx()] {
            self.heard[from.idx()] = true;
            self.heard_count += 1;
        }
    }

    fn proposal(&self, v: Value) -> Option<&Arc<Proposal>> {
        self.proposals.iter().find(|p| p.value() == v)
    }
}

/// One Tendermint general.
pub struct Tendermint {
    id: NodeId,
    n: usize,
    t: usize,
    q: usize,
    input: Value,
    params: TendermintParams,
    round: u32,
    step: Step,
    locked: Option<(u32, Value)>,
    /// The valid value: its round, the proposal, and the q prevotes for it (the proof-of-lock
    /// a re-proposal carries).
    valid: Option<(u32, Arc<Proposal>, Arc<[Signed]>)>,
    decision: Option<Value>,
    decided_in: u32,
    proof: Option<Arc<Proof>>,
    /// Up to t + 1 verified signed inputs per value (retreat, attack), enough to justify
    /// either.
    inputs: [Vec<Rc<Signed>>; 2],
    has_input: Vec<bool>,
    rounds: BTreeMap<u32, RoundState>,
    /// The last round it proposed in.
    proposed_in: Option<u32>,
    timers: Vec<TimerId>,
    answered: Vec<bool>,
}

impl Tendermint {
    fn is_proposer_of(&self, round: u32) -> bool {
        proposer(round, self.n) == self.id
    }

    fn state(&mut self, round: u32) -> &mut RoundState {
        self.rounds.entry(round).or_default()
    }

    fn timeout(&mut self, ctx: &mut Ctx<Tendermint>, step: Step) {
        let factor = (self.round as u64).saturating_add(1);
        let wait = SimTime(self.params.round_timeout.0.saturating_mul(factor));
        let at = ctx.now.saturating_add(wait);
        let round = self.round;
        self.timers.push(ctx.timer_at(at, Timeout { round, step }));
    }

    fn cancel_timers(&mut self, ctx: &mut Ctx<Tendermint>) {
        for id in self.timers.drain(..) {
            ctx.cancel(id);
        }
    }

    /// StartRound(r).
    fn start_round(&mut self, ctx: &mut Ctx<Tendermint>, round: u32) {
        self.cancel_timers(ctx);
        self.round = round;
        self.step = Step::Propose;
        self.try_propose(ctx);
        if self.proposed_in != Some(round) {
            self.timeout(ctx, Step::Propose);
        }
        self.progress(ctx);
    }

    /// Up to t + 1 signed inputs for `value`, if it has that many.
    fn justification(&self, value: Value) -> Option<Arc<[Signed]>> {
        let held = &self.inputs[slot(Some(value))];
        (held.len() > self.t).then(|| held.iter().map(|s| **s).collect())
    }

    /// As the round's proposer: its valid value, else a value t + 1 inputs justify.
    fn try_propose(&mut self, ctx: &mut Ctx<Tendermint>) {
        let round = self.round;
        if !self.is_proposer_of(round)
            || self.step != Step::Propose
            || self.proposed_in == Some(round)
            || self.decision.is_some()
        {
            return;
        }
        let (value, vr, inputs, pol) = if let Some((vr, p, pol)) = &self.valid {
            (
                p.value(),
                Some(*vr),
                Arc::clone(&p.inputs),
                Some(Arc::clone(pol)),
            )
        } else {
            let Some((value, inputs)) = [self.input, self.input.flip()]
                .into_iter()
                .find_map(|v| self.justification(v).map(|j| (v, j)))
            else {
                return;
            };
            (value, None, inputs, None)
        };
        self.proposed_in = Some(round);
        let signed = Signed::new(ctx, Kind::Proposal, round, Some(value), vr);
        let p = Arc::new(Proposal {
            signed,
            inputs,
            pol,
        });
        ctx.broadcast(TmMsg::Proposal(Arc::clone(&p)));
        let (n, me) = (self.n, self.id);
        let rs = self.state(round);
        rs.hear(n, me);
        rs.proposals.push(p);
    }

    fn on_input(&mut self, ctx: &mut Ctx<Tendermint>, s: Rc<Signed>) {
        let i = s.signer.idx();
        let Some(v) = s.value else {
            return;
        };
        if s.kind != Kind::Input
            || s.round != 0
            || s.valid_round.is_some()
            || i >= self.n
            || self.has_input[i]
            || !s.verify(ctx)
        {
            return;
        }
        self.has_input[i] = true;
        let held = &mut self.inputs[slot(Some(v))];
        if held.len() > self.t {
            return;
        }
        held.push(s);
        if self.decision.is_none() && self.proposed_in != Some(self.round) {
            self.try_propose(ctx);
            self.progress(ctx);
        }
    }

    /// Whether `p` is a proposal of its round's proposer whose value t + 1 signed inputs
    /// justify.
    fn valid_proposal(&self, ctx: &mut Ctx<Tendermint>, p: &Proposal) -> bool {
        let s = &p.signed;
        let Some(v) = s.value else {
            return false;
        };
        if s.kind != Kind::Proposal
            || s.signer != proposer(s.round, self.n)
            || s.valid_round.is_some_and(|vr| vr >= s.round)
            || !s.verify(ctx)
        {
            return false;
        }
        let backed = match (s.valid_round, &p.pol) {
            (None, None) => true,
            (Some(vr), Some(pol)) => self.count(ctx, pol, Kind::Prevote, vr, v) >= self.q,
            _ => false,
        };
        backed && self.count(ctx, &p.inputs, Kind::Input, 0, v) > self.t
    }

    /// How many distinct generals `list` holds valid statements of (`kind`, `round`, `v`) from.
    fn count(
        &self,
        ctx: &mut Ctx<Tendermint>,
        list: &[Signed],
        kind: Kind,
        round: u32,
        v: Value,
    ) -> usize {
        let mut seen = vec![false; self.n];
        let mut count = 0;
        for x in list {
            let i = x.signer.idx();
            if x.kind == kind
                && x.round == round
                && x.value == Some(v)
                && x.valid_round.is_none()
                && i < self.n
                && !seen[i]
                && x.verify(ctx)
            {
                seen[i] = true;
                count += 1;
            }
        }
        count
    }

    fn on_proposal(&mut self, ctx: &mut Ctx<Tendermint>, p: Arc<Proposal>) {
        let (round, v) = (p.signed.round, p.value());
        if self.decision.is_some() {
            self.answer(ctx, p.signed.signer, round);
            return;
        }
        let held = self
            .rounds
            .get(&round)
            .is_some_and(|rs| rs.proposal(v).is_some());
        if held || !self.valid_proposal(ctx, &p) {
            return;
        }
        let signer = p.signed.signer;
        let n = self.n;
        let rs = self.state(round);
        rs.hear(n, signer);
        rs.proposals.push(p);
        self.after(ctx, round);
    }

    fn on_vote(&mut self, ctx: &mut Ctx<Tendermint>, s: Rc<Signed>) {
        let i = s.signer.idx();
        if i >= self.n || s.valid_round.is_some() || s.signer == self.id {
            return;
        }
        if self.decision.is_some() {
            self.answer(ctx, s.signer, s.round);
            return;
        }
        let round = s.round;
        let kind = s.kind;
        let held = self.rounds.get(&round).is_some_and(|rs| match kind {
            Kind::Prevote => rs.prevotes.has(i),
            Kind::Precommit => rs.precommits.has(i),
            _ => true,
        });
        if held || !matches!(kind, Kind::Prevote | Kind::Precommit) || !s.verify(ctx) {
            return;
        }
        let n = self.n;
        let signer = s.signer;
        let rs = self.state(round);
        rs.hear(n, signer);
        match kind {
            Kind::Prevote => rs.prevotes.add(n, s),
            _ => rs.precommits.add(n, s),
        }
        self.after(ctx, round);
    }

    /// After something of `round` arrived: line 55 (skip), line 49 (decide), then the rules of
    /// the current round.
    fn after(&mut self, ctx: &mut Ctx<Tendermint>, round: u32) {
        let skip = round > self.round
            && self
                .rounds
                .get(&round)
                .is_some_and(|rs| rs.heard_count > self.t);
        if skip {
            self.start_round(ctx, round);
        }
        self.try_decide(ctx, round);
        self.progress(ctx);
    }

    /// Line 49: the proposal of v and q precommits for v in `round`.
    fn try_decide(&mut self, ctx: &mut Ctx<Tendermint>, round: u32) {
        if self.decision.is_some() {
            return;
        }
        let Some(rs) = self.rounds.get(&round) else {
            return;
        };
        let q = self.q;
        let found = [Value::Retreat, Value::Attack].into_iter().find_map(|v| {
            (rs.precommits.of(Some(v)) >= q)
                .then(|| rs.proposal(v).cloned())
                .flatten()
        });
        let Some(p) = found else {
            return;
        };
        let v = p.value();
        let precommits: Arc<[Signed]> = (rs.precommits.by.iter().flatten())
            .filter(|s| s.value == Some(v))
            .take(q)
            .map(|s| **s)
            .collect();
        self.decide(
            ctx,
            Arc::new(Proof {
                proposal: p,
                precommits,
            }),
        );
    }

    fn decide(&mut self, ctx: &mut Ctx<Tendermint>, proof: Arc<Proof>) {
        let (round, v) = (proof.proposal.signed.round, proof.proposal.value());
        self.decision = Some(v);
        self.decided_in = round;
        self.proof = Some(proof);
        self.cancel_timers(ctx);
        let me = self.id.idx();
        let mine = self
            .rounds
            .get(&round)
            .is_some_and(|rs| rs.precommits.has(me));
        if !mine {
            self.broadcast_vote(ctx, Kind::Precommit, round, Some(v));
        }
        // Generals already heard from in later rounds are still changing rounds.
        let later: Vec<NodeId> = (self.rounds.range(round.saturating_add(1)..))
            .flat_map(|(_, rs)| rs.heard.iter().enumerate().filter(|(_, h)| **h))
            .map(|(i, _)| NodeId(i as u32))
            .collect();
        for j in later {
            self.answer(ctx, j, u32::MAX);
        }
    }

    /// As a decided general: the proof, once, to `j` heard from in a round after the decision.
    fn answer(&mut self, ctx: &mut Ctx<Tendermint>, j: NodeId, round: u32) {
        if round <= self.decided_in || j == self.id || j.idx() >= self.n || self.answered[j.idx()] {
            return;
        }
        if let Some(proof) = &self.proof {
            self.answered[j.idx()] = true;
            ctx.send(j, TmMsg::Decided(Arc::clone(proof)));
        }
    }

    fn on_decided(&mut self, ctx: &mut Ctx<Tendermint>, proof: Arc<Proof>) {
        if self.decision.is_some() || !self.valid_proposal(ctx, &proof.proposal) {
            return;
        }
        let (round, v) = (proof.proposal.signed.round, proof.proposal.value());
        let count = self.count(ctx, &proof.precommits, Kind::Precommit, round, v);
        if count >= self.q {
            self.decide(ctx, proof);
        }
    }

    /// Signs a vote, broadcasts it and counts it.
    fn broadcast_vote(
        &mut self,
        ctx: &mut Ctx<Tendermint>,
        kind: Kind,
        round: u32,
        value: Option<Value>,
    ) {
        let s = Rc::new(Signed::new(ctx, kind, round, value, None));
        ctx.broadcast(match kind {
            Kind::Prevote => TmMsg::Prevote(Rc::clone(&s)),
            _ => TmMsg::Precommit(Rc::clone(&s)),
        });
        let (n, me) = (self.n, self.id);
        let rs = self.state(round);
        rs.hear(n, me);
        match kind {
            Kind::Prevote => rs.prevotes.add(n, s),
            _ => rs.precommits.add(n, s),
        }
    }

    fn prevote(&mut self, ctx: &mut Ctx<Tendermint>, value: Option<Value>) {
        self.step = Step::Prevote;
        self.broadcast_vote(ctx, Kind::Prevote, self.round, value);
    }

    fn precommit(&mut self, ctx: &mut Ctx<Tendermint>, value: Option<Value>) {
        self.step = Step::Precommit;
        self.broadcast_vote(ctx, Kind::Precommit, self.round, value);
    }

    /// Lines 22 and 28: what it prevotes on the round's first proposal, if one came. (A
    /// re-proposal's proof-of-lock was checked on arrival, `valid_proposal`, so line 28's
    /// quorum of prevotes from round vr always holds.)
    fn prevote_for(&self, rs: &RoundState) -> Option<Option<Value>> {
        let p = rs.proposals.first()?;
        let v = p.value();
        let free = match p.signed.valid_round {
            None => {
                self.params.variant == Variant::UnsafeLock
                    || self.locked.is_none_or(|(_, lv)| lv == v)
            }
            Some(vr) => self.locked.is_none_or(|(lr, lv)| lr <= vr || lv == v),
        };
        Some(free.then_some(v))
    }

    /// The rules of the current round, until none fires.
    fn progress(&mut self, ctx: &mut Ctx<Tendermint>) {
        loop {
            if self.decision.is_some() {
                return;
            }
            let round = self.round;
            let q = self.q;
            self.state(round);
            let rs = &self.rounds[&round];
            if self.step == Step::Propose {
                if let Some(vote) = self.prevote_for(rs) {
                    self.prevote(ctx, vote);
                    continue;
                }
                return;
            }
            // Line 36: the proposal and a prevote quorum for it, once per round.
            if !rs.quorum_seen {
                let found = [Value::Retreat, Value::Attack]
                    .into_iter()
                    .find_map(|v| (rs.prevotes.of(Some(v)) >= q).then(|| rs.proposal(v)))
                    .flatten()
                    .cloned();
                if let Some(p) = found {
                    let v = p.value();
                    let pol: Arc<[Signed]> = (rs.prevotes.by.iter().flatten())
                        .filter(|s| s.value == Some(v))
                        .take(q)
                        .map(|s| **s)
                        .collect();
                    self.state(round).quorum_seen = true;
                    self.valid = Some((round, p, pol));
                    if self.step == Step::Prevote {
                        self.locked = Some((round, v));
                        self.precommit(ctx, Some(v));
                        // Its own precommit may complete the quorum (always, at n = 1).
                        self.try_decide(ctx, round);
                    }
                    continue;
                }
            }
            let rs = &self.rounds[&round];
            if self.step == Step::Prevote {
                // Line 44: a nil quorum.
                if rs.prevotes.of(None) >= q {
                    self.precommit(ctx, None);
                    continue;
                }
                let rs = &self.rounds[&round];
                // Line 34.
                if !rs.prevote_timer && rs.prevotes.total >= q {
                    self.state(round).prevote_timer = true;
                    self.timeout(ctx, Step::Prevote);
                }
            }
            // Line 47.
            let rs = &self.rounds[&round];
            if !rs.precommit_timer && rs.precommits.total >= q {
                self.state(round).precommit_timer = true;
                self.timeout(ctx, Step::Precommit);
            }
            return;
        }
    }
}

impl Protocol for Tendermint {
    type Msg = TmMsg;
    type Params = TendermintParams;
    type Timer = Timeout;
    const NAME: &'static str = "tendermint";
    const SIGNED: bool = true;
    const VALIDITY: Validity = Validity::UnanimousInputs;
    const ROUND_BASED: bool = false;
    const STRATEGIES: &'static [&'static str] = strategies::NAMES;

    fn new(id: NodeId, setup: &Setup, params: &TendermintParams) -> Self {
        let n = setup.n;
        Tendermint {
            id,
            n,
            t: setup.t,
            q: crate::protocol::pbft::quorum(n, setup.t),
            input: setup.inputs.get(id.idx()).copied().unwrap_or_default(),
            params: *params,
            round: 0,
            step: Step::Propose,
            locked: None,
            valid: None,
            decision: None,
            decided_in: 0,
            proof: None,
            inputs: Default::default(),
            has_input: vec![false; n],
            rounds: BTreeMap::new(),
            proposed_in: None,
            timers: Vec::new(),
            answered: vec![false; n],
        }
    }

    fn start(&mut self, ctx: &mut Ctx<Tendermint>) {
        let mine = Rc::new(Signed::new(ctx, Kind::Input, 0, Some(self.input), None));
        ctx.broadcast(TmMsg::Input(Rc::clone(&mine)));
        self.has_input[self.id.idx()] = true;
        self.inputs[slot(Some(self.input))].push(mine);
        self.start_round(ctx, 0);
    }

    fn on_message(&mut self, ctx: &mut Ctx<Tendermint>, _from: NodeId, msg: TmMsg) {
        match msg {
            TmMsg::Input(s) => self.on_input(ctx, s),
            TmMsg::Proposal(p) => self.on_proposal(ctx, p),
            TmMsg::Prevote(s) | TmMsg::Precommit(s) => self.on_vote(ctx, s),
            TmMsg::Decided(d) => self.on_decided(ctx, d),
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<Tendermint>, timer: Timeout) {
        if let Some(id) = ctx.firing {
            self.timers.retain(|t| *t != id);
        }
        if self.decision.is_some() || timer.round != self.round {
            return;
        }
        match timer.step {
            Step::Propose if self.step == Step::Propose => self.prevote(ctx, None),
            Step::Prevote if self.step == Step::Prevote => self.precommit(ctx, None),
            Step::Precommit => {
                self.start_round(ctx, self.round.saturating_add(1));
                return;
            }
            _ => return,
        }
        self.progress(ctx);
    }

    fn decision(&self) -> Option<Value> {
        self.decision
    }

    fn on_crash(&mut self) {
        self.timers.clear();
    }

    fn on_recover(&mut self, ctx: &mut Ctx<Tendermint>) {
        self.timers.clear();
        if self.decision.is_some() {
            return;
        }
        let round = self.round;
        let (prevote_timer, precommit_timer) = self
            .rounds
            .get(&round)
            .map_or((false, false), |rs| (rs.prevote_timer, rs.precommit_timer));
        match self.step {
            Step::Propose => {
                self.try_propose(ctx);
                self.timeout(ctx, Step::Propose);
            }
            Step::Prevote if prevote_timer => self.timeout(ctx, Step::Prevote),
            _ => {}
        }
        if precommit_timer {
            self.timeout(ctx, Step::Precommit);
        }
        self.progress(ctx);
    }

    fn is_leader(&self) -> bool {
        self.is_proposer_of(self.round)
    }

    fn timer_name(&self, timer: &Timeout) -> String {
        let then = match timer.step {
            Step::Propose => "prevote nil".to_string(),
            Step::Prevote => "precommit nil".to_string(),
            Step::Precommit => format!("start round {}", timer.round.saturating_add(1)),
        };
        format!(
            "round {} {} timeout: {then}",
            timer.round,
            timer.step.name()
        )
    }

    /// `views`: the highest round an honest general decided in.
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
    /// inputs: the generals reject it unless they justify the new value too).
    fn with_value(ctx: &mut Ctx<Tendermint>, msg: &TmMsg, value: Value) -> Option<TmMsg> {
        let me = ctx.id;
        let resign = |ctx: &mut Ctx<Tendermint>, s: &Signed| {
            Rc::new(Signed::new(
                ctx,
                s.kind,
                s.round,
                Some(value),
                s.valid_round,
            ))
        };
        match msg {
            TmMsg::Input(s) if s.signer == me => Some(TmMsg::Input(resign(ctx, s))),
            TmMsg::Prevote(s) if s.signer == me => Some(TmMsg::Prevote(resign(ctx, s))),
            TmMsg::Precommit(s) if s.signer == me => Some(TmMsg::Precommit(resign(ctx, s))),
            TmMsg::Proposal(p) if p.signed.signer == me => {
                Some(TmMsg::Proposal(Arc::new(Proposal {
                    signed: *resign(ctx, &p.signed),
                    ..Proposal::clone(p)
                })))
            }
            _ => None,
        }
    }

    /// The other value; a vote for nil or for round ± 1; a proposal for round ± 1, with a
    /// valid round it cannot prove (the round before, with no proof-of-lock), without its
    /// inputs, or without its proof-of-lock.
    fn mutations(ctx: &mut Ctx<Tendermint>, msg: &TmMsg) -> Vec<TmMsg> {
        let me = ctx.id;
        let mut out: Vec<TmMsg> = Vec::new();
        if let Some(v) = crate::general::Message::about(msg).value {
            out.extend(Self::with_value(ctx, msg, v.flip()));
        }
        let rounds = |r: u32| [r.checked_sub(1), r.checked_add(1)].into_iter().flatten();
        match msg {
            TmMsg::Prevote(s) | TmMsg::Precommit(s) if s.signer == me => {
                let wrap = |s: Signed| match msg {
                    TmMsg::Prevote(_) => TmMsg::Prevote(Rc::new(s)),
                    _ => TmMsg::Precommit(Rc::new(s)),
                };
                if s.value.is_some() {
                    out.push(wrap(Signed::new(ctx, s.kind, s.round, None, None)));
                }
                for r in rounds(s.round) {
                    out.push(wrap(Signed::new(ctx, s.kind, r, s.value, None)));
                }
            }
            TmMsg::Proposal(p) if p.signed.signer == me => {
                let s = p.signed;
                let mut with = |ctx: &mut Ctx<Tendermint>, round: u32, vr: Option<u32>| {
                    out.push(TmMsg::Proposal(Arc::new(Proposal {
                        signed: Signed::new(ctx, Kind::Proposal, round, s.value, vr),
                        ..Proposal::clone(p)
                    })));
                };
                for r in rounds(s.round) {
                    with(ctx, r, s.valid_round);
                }
                if s.valid_round.is_none() && s.round > 0 {
                    with(ctx, s.round, Some(s.round - 1));
                }
                out.push(TmMsg::Proposal(Arc::new(Proposal {
                    inputs: Arc::from(Vec::new()),
                    ..Proposal::clone(p)
                })));
                if p.pol.is_some() {
                    out.push(TmMsg::Proposal(Arc::new(Proposal {
                        pol: None,
                        ..Proposal::clone(p)
                    })));
                }
            }
            _ => {}
        }
        out
    }

    fn msg_round(msg: &TmMsg) -> Option<u64> {
        Some(match msg {
            TmMsg::Input(_) => 0,
            TmMsg::Proposal(p) => p.signed.round as u64,
            TmMsg::Prevote(s) | TmMsg::Precommit(s) => s.round as u64,
            TmMsg::Decided(d) => d.proposal.signed.round as u64,
        })
    }

    /// Safety (agreement, validity) for n > 3t under any timing; termination once GST has
    /// passed. The `unsafe-lock` variant has no theorem: its agreement fails (see the module
    /// doc), which the bound cannot say, so it says the correct protocol's.
    fn bound(p: &Params) -> Option<Theorem> {
        Some(Theorem {
            holds: p.n > 3 * p.t,
            rule: "n > 3t".to_string(),
            messages: Messages::Signed,
            budgeted: true,
            partial_synchrony: true,
        })
    }

    /// (n − 1)(3n + 1): the honest run's count.
    fn estimate(e: &EstimateInput) -> f64 {
        let n = e.n as f64;
        (n - 1.0) * (3.0 * n + 1.0)
    }

    fn strategy(
        name: &str,
        id: NodeId,
        setup: &Setup,
        _params: &TendermintParams,
        traitors: &[NodeId],
    ) -> Option<Box<dyn Traitor<Self>>> {
        strategies::build(name, id, setup, traitors)
    }
}
