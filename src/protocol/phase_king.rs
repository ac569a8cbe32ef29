//! `phase-king`: Berman, Garay and Perry's Phase King ("Towards optimal distributed consensus",
//! FOCS 1989), the two-round-per-phase variant.
//!
//! Every general starts with its own input. There are t + 1 phases; the king of phase k (0-based)
//! is general k. Phase k takes rounds 2k + 1 and 2k + 2:
//! 1. everyone sends its current value to everyone, then computes the majority value `maj` of the
//!    n values it holds (its own included; a missing value counts as RETREAT; ties to RETREAT)
//!    and how many of them it is, `mult`;
//! 2. the king sends its `maj` to everyone; a general keeps `maj` if `mult > n/2 + t`, else takes
//!    the king's value (RETREAT if none arrived).
//!
//! After the last phase each general decides its value. Some phase has a loyal king, after which
//! all loyal generals hold the same value; they keep it because each then sees at least n − t
//! copies, and n − t > n/2 + t exactly when **n > 4t**: the bound of this variant (the
//! three-round variant reaches n > 3t). Validity: unanimous loyal inputs survive every phase by
//! the same count. Decisions come at the end of round 2(t + 1). Honest run over direct links:
//! (t + 1)(n(n − 1) + (n − 1)) = (t + 1)(n² − 1) messages.
//!
//! Traitor strategy `traitor-king`: a traitor tells the lower half of the other generals (by id)
//! `attack` and the upper half `retreat`, both when it votes and when it is king, keeping loyal
//! counts below the threshold and then splitting the generals that defer to it.

use crate::adversary::{Traitor, run_honest};
use crate::protocol::{
    Action, Bound, BoundInput, Ctx, EstimateInput, Message, Protocol, Setup, Validity,
};
use crate::types::{NodeId, Value, majority};

/// A phase-king message: a vote (round 1 of a phase) or the king's value (round 2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PkMsg {
    pub phase: u32,
    pub king: bool,
    pub value: Value,
}

impl Message for PkMsg {
    fn wire_bytes(&self) -> u32 {
        6
    }

    fn label(&self) -> String {
        let what = if self.king { "king says" } else { "votes" };
        format!("phase {}: {what} {}", self.phase, self.value)
    }
}

/// One general running Phase King.
pub struct PhaseKing {
    id: u32,
    n: usize,
    t: usize,
    value: Value,
    phase: u32,
    /// Votes of the current phase, by sender (the first counts).
    votes: Vec<Option<Value>>,
    maj: Value,
    mult: usize,
    king_value: Option<Value>,
    decision: Option<Value>,
}

impl PhaseKing {
    fn vote(&mut self, ctx: &mut Ctx<PkMsg>) {
        self.votes.iter_mut().for_each(|v| *v = None);
        self.votes[self.id as usize] = Some(self.value);
        self.king_value = None;
        ctx.broadcast(PkMsg {
            phase: self.phase,
            king: false,
            value: self.value,
        });
        ctx.timer_at_round(2 * self.phase + 1, 1);
    }

    /// End of round 1 of the phase: tally, and the king speaks.
    fn tally(&mut self, ctx: &mut Ctx<PkMsg>) {
        let attack = self
            .votes
            .iter()
            .filter(|v| **v == Some(Value::Attack))
            .count();
        let retreat = self.n - attack;
        self.maj = majority(attack, retreat);
        self.mult = attack.max(retreat);
        if self.id == self.phase {
            self.king_value = Some(self.maj);
            ctx.broadcast(PkMsg {
                phase: self.phase,
                king: true,
                value: self.maj,
            });
        }
        ctx.timer_at_round(2 * self.phase + 2, 2);
    }

    /// End of round 2 of the phase: keep the majority or follow the king.
    fn settle(&mut self, ctx: &mut Ctx<PkMsg>) {
        // mult > n/2 + t, in integers: 2·mult > n + 2t.
        self.value = if 2 * self.mult > self.n + 2 * self.t {
            self.maj
        } else {
            self.king_value.unwrap_or_default()
        };
        if self.phase as usize >= self.t {
            self.decision = Some(self.value);
        } else {
            self.phase += 1;
            self.vote(ctx);
        }
    }
}

impl Protocol for PhaseKing {
    type Msg = PkMsg;
    const NAME: &'static str = "phase-king";
    const VALIDITY: Validity = Validity::UnanimousInputs;
    const STRATEGIES: &'static [&'static str] = &["traitor-king"];

    fn new(id: NodeId, setup: &Setup) -> Self {
        PhaseKing {
            id: id.0,
            n: setup.n,
            t: setup.t,
            value: setup.inputs[id.idx()],
            phase: 0,
            votes: vec![None; setup.n],
            maj: Value::Retreat,
            mult: 0,
            king_value: None,
            decision: None,
        }
    }

    fn start(&mut self, ctx: &mut Ctx<PkMsg>) {
        self.vote(ctx);
    }

    fn on_message(&mut self, _ctx: &mut Ctx<PkMsg>, from: NodeId, msg: PkMsg) {
        if msg.phase != self.phase || self.decision.is_some() {
            return;
        }
        if msg.king {
            if from.0 == self.phase && self.king_value.is_none() {
                self.king_value = Some(msg.value);
            }
        } else if let Some(slot @ None) = self.votes.get_mut(from.idx()) {
            *slot = Some(msg.value);
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<PkMsg>, tag: u64) {
        match tag {
            1 => self.tally(ctx),
            _ => self.settle(ctx),
        }
    }

    fn decision(&self) -> Option<Value> {
        self.decision
    }

    fn with_value(_ctx: &mut Ctx<PkMsg>, msg: &PkMsg, value: Value) -> Option<PkMsg> {
        Some(PkMsg { value, ..*msg })
    }

    fn bound(b: &BoundInput<'_>) -> Option<Bound> {
        Some(b.bound(b.n > 4 * b.t, "n > 4t", 2))
    }

    fn estimate(e: &EstimateInput) -> f64 {
        let n = e.n as f64;
        (e.t as f64 + 1.0) * (n * n - 1.0)
    }

    fn strategy(
        name: &str,
        _id: NodeId,
        setup: &Setup,
        _traitors: &[NodeId],
    ) -> Option<Box<dyn Traitor<Self>>> {
        (name == "traitor-king")
            .then(|| Box::new(SplitKing { n: setup.n }) as Box<dyn Traitor<Self>>)
    }
}

/// `traitor-king` (see the module doc).
struct SplitKing {
    n: usize,
}

impl SplitKing {
    fn split(&self, ctx: &mut Ctx<PkMsg>, start: usize) {
        let me = ctx.id.0;
        let others: Vec<u32> = (0..self.n as u32).filter(|&v| v != me).collect();
        let half = others.len().div_ceil(2);
        let tail: Vec<Action<PkMsg>> = ctx.outbox().drain(start..).collect();
        for action in tail {
            let Action::Broadcast { msg, .. } = action else {
                ctx.outbox().push(action);
                continue;
            };
            for (i, &to) in others.iter().enumerate() {
                let value = if i < half {
                    Value::Attack
                } else {
                    Value::Retreat
                };
                ctx.send(NodeId(to), PkMsg { value, ..msg });
            }
        }
    }
}

impl Traitor<PhaseKing> for SplitKing {
    fn start(&mut self, honest: &mut PhaseKing, ctx: &mut Ctx<PkMsg>) {
        let start = run_honest::<PhaseKing>(ctx, |c| honest.start(c));
        self.split(ctx, start);
    }

    fn on_timer(&mut self, honest: &mut PhaseKing, ctx: &mut Ctx<PkMsg>, tag: u64) {
        let start = run_honest::<PhaseKing>(ctx, |c| honest.on_timer(c, tag));
        self.split(ctx, start);
    }
}
