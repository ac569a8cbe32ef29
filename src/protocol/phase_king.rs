//! `phase-king`: Berman, Garay and Perry's Phase King ("Towards optimal distributed consensus",
//! FOCS 1989), the variant with two rounds per phase, as in Attiya and Welch's textbook
//! (*Distributed Computing*, 2004, chapter 5) and Kshemkalyani and Singhal (2008, fig. 14.11).
//!
//! Every general starts with its own input (`protocol.inputs`); validity is judged on unanimous
//! loyal inputs. There are t + 1 phases, numbered 0..=t; the king of phase k is general k
//! (0-based, so the kings are generals 0..=t; t < n always). Phase k takes rounds 2k + 1 and
//! 2k + 2, and a round is `network.round_ms` long (a general acts at each round's end):
//! 1. everyone sends its current value to every other general, then counts the n values it holds
//!    (its own included; a missing value counts as RETREAT, the default) and takes the majority
//!    value `maj` (a tie goes to RETREAT) and its count `mult`;
//! 2. the king sends its `maj` to everyone; a general keeps `maj` if `mult > n/2 + t`, else takes
//!    the king's value (RETREAT if none arrived).
//!
//! After the last phase, at time 2(t + 1)·round_ms, each general decides its value.
//!
//! Why it works, and its bound. Some phase among the t + 1 has a loyal king. In that phase, a
//! loyal general that keeps its `maj` saw it more than n/2 + t times, more than n/2 of them from
//! loyal generals, who told the king the same: the king's `maj` is that value too, so every loyal
//! general leaves the phase with the king's value. From then on each loyal general sees at least
//! n − t copies of it, and n − t > n/2 + t exactly when **n > 4t**, so it keeps it: the bound of
//! this variant (the three-round variant reaches n > 3t; it is not implemented here). Unanimous
//! loyal inputs survive every phase by the same count (validity). On a graph other than the
//! complete one the bound also asks vertex connectivity > 2t (Dolev 1982).
//!
//! The first half of that argument does not use n > 4t: outside the bound agreement still holds
//! when no traitor is king after the last loyal king (the traitors as the first t kings, say),
//! though validity need not (a traitor king can turn some loyal generals from a unanimous value
//! before a loyal king sees the majority change). A traitor king after the last loyal one can
//! split the loyal generals (see `traitor-king` below).
//!
//! Messages of an honest run over direct links: per phase n(n − 1) votes and the king's n − 1,
//! so (t + 1)(n(n − 1) + n − 1) = (t + 1)(n² − 1) in all.
//!
//! Traitor strategy `traitor-king`. The coalition splits the loyal generals once, by id, into a
//! lower half A and an upper half R (the same halves for every traitor). Every traitor votes
//! `attack` to the generals of A and `retreat` to those of R, and, as king, says `attack` to A
//! and `retreat` to R (fellow traitors get its honest messages). With t traitors, c_A loyal
//! values `attack` and c_R `retreat`, a general of A then counts c_A + t for `attack` and keeps `retreat` only if
//! c_R > n/2 + t; as c_R ≤ n − t, that cannot happen when n ≤ 4t. So outside the bound every
//! phase with a traitor king ends with A on `attack` and R on `retreat`, and if the last king is
//! a traitor the loyal generals disagree. Inside the bound a later loyal king undoes it.

use crate::adversary::{Rewrite, Rewriting};
use crate::general::Traitor;
use crate::general::{
    About, Action, Ctx, EstimateInput, Message, Messages, Params, Protocol, Setup, Theorem,
    Validity,
};
use crate::types::{NodeId, Value, majority};

/// A Phase King general's timers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PkTimer {
    /// The end of a phase's first round: tally the votes; the king speaks.
    Tally,
    /// The end of a phase's second round: keep `maj` or follow the king.
    Settle,
}

/// A phase-king message: a vote (round 1 of a phase) or the king's value (round 2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PkMsg {
    /// The phase, 0..=t.
    pub phase: u32,
    /// Whether this is the king's message (round 2) rather than a vote (round 1).
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

    /// One vote, and one king's word, per general and phase.
    fn about(&self) -> About {
        let what = if self.king { "king" } else { "vote" };
        About {
            slot: format!("phase {} {what}", self.phase),
            value: Some(self.value),
            ..About::default()
        }
    }
}

/// One general running Phase King.
pub struct PhaseKing {
    id: NodeId,
    n: usize,
    t: usize,
    /// The current value (the input at first).
    value: Value,
    phase: u32,
    /// Votes of the current phase, by sender (the first one counts).
    votes: Vec<Option<Value>>,
    /// The majority of the current phase's votes and its count.
    maj: Value,
    mult: usize,
    /// What the king of the current phase said (the first message counts).
    king_value: Option<Value>,
    decision: Option<Value>,
}

impl PhaseKing {
    /// Start of a phase (round 2k + 1): vote.
    fn vote(&mut self, ctx: &mut Ctx<PhaseKing>) {
        self.votes.iter_mut().for_each(|v| *v = None);
        self.votes[self.id.idx()] = Some(self.value);
        self.king_value = None;
        ctx.broadcast(PkMsg {
            phase: self.phase,
            king: false,
            value: self.value,
        });
        ctx.timer_at_round(2 * self.phase + 1, PkTimer::Tally);
    }

    /// End of round 2k + 1: tally the n votes (missing ones count as RETREAT); the king speaks.
    fn tally(&mut self, ctx: &mut Ctx<PhaseKing>) {
        let attack = self
            .votes
            .iter()
            .filter(|v| **v == Some(Value::Attack))
            .count();
        let retreat = self.n - attack;
        self.maj = majority(attack, retreat);
        self.mult = attack.max(retreat);
        if self.id.0 == self.phase {
            self.king_value = Some(self.maj);
            ctx.broadcast(PkMsg {
                phase: self.phase,
                king: true,
                value: self.maj,
            });
        }
        ctx.timer_at_round(2 * self.phase + 2, PkTimer::Settle);
    }

    /// End of round 2k + 2: keep `maj` or follow the king; decide after the last phase.
    fn settle(&mut self, ctx: &mut Ctx<PhaseKing>) {
        self.value = if keeps_majority(self.mult, self.n, self.t) {
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

/// Whether a general keeps its majority value: `mult > n/2 + t`, in integers 2·mult > n + 2t.
pub fn keeps_majority(mult: usize, n: usize, t: usize) -> bool {
    2 * mult > n + 2 * t
}

impl Protocol for PhaseKing {
    type Msg = PkMsg;
    type Params = ();
    type Timer = PkTimer;
    const NAME: &'static str = "phase-king";
    const VALIDITY: Validity = Validity::UnanimousInputs;
    const STRATEGIES: &'static [&'static str] = &["traitor-king"];

    fn new(id: NodeId, setup: &Setup, _params: &()) -> Self {
        PhaseKing {
            id,
            n: setup.n,
            t: setup.t,
            value: setup.inputs.get(id.idx()).copied().unwrap_or_default(),
            phase: 0,
            votes: vec![None; setup.n],
            maj: Value::Retreat,
            mult: 0,
            king_value: None,
            decision: None,
        }
    }

    fn start(&mut self, ctx: &mut Ctx<PhaseKing>) {
        self.vote(ctx);
    }

    fn on_message(&mut self, _ctx: &mut Ctx<PhaseKing>, from: NodeId, msg: PkMsg) {
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

    fn on_timer(&mut self, ctx: &mut Ctx<PhaseKing>, timer: PkTimer) {
        if self.decision.is_some() {
            return;
        }
        match timer {
            PkTimer::Tally => self.tally(ctx),
            PkTimer::Settle => self.settle(ctx),
        }
    }

    fn decision(&self) -> Option<Value> {
        self.decision
    }

    /// Votes and king values are unsigned: a traitor can send any value.
    fn timer_name(&self, timer: &PkTimer) -> String {
        let p = self.phase;
        match timer {
            PkTimer::Tally => format!(
                "phase {p}, end of round {}: tally the votes (king {p} speaks)",
                2 * p + 1
            ),
            PkTimer::Settle => format!(
                "phase {p}, end of round {}: keep a strong majority, else take the king's value",
                2 * p + 2
            ),
        }
    }

    fn with_value(_ctx: &mut Ctx<PhaseKing>, msg: &PkMsg, value: Value) -> Option<PkMsg> {
        Some(PkMsg { value, ..*msg })
    }

    /// n > 4t (and, on a graph, vertex connectivity > 2t).
    fn bound(p: &Params) -> Option<Theorem> {
        // Its thresholds (mult > n/2 + t) and its t + 1 kings are set by the configured t.
        Some(Theorem {
            holds: p.n > 4 * p.t,
            rule: "n > 4t".to_string(),
            messages: Messages::Oral,
            budgeted: true,
            partial_synchrony: false,
        })
    }

    /// (t + 1)(n² − 1): the honest run's count.
    fn estimate(e: &EstimateInput) -> f64 {
        let n = e.n as f64;
        (e.t as f64 + 1.0) * (n * n - 1.0)
    }

    fn strategy(
        name: &str,
        _id: NodeId,
        setup: &Setup,
        _params: &(),
        traitors: &[NodeId],
    ) -> Option<Box<dyn Traitor<Self>>> {
        (name == "traitor-king").then(|| {
            Box::new(Rewriting(SplitKing::new(setup.n, traitors))) as Box<dyn Traitor<Self>>
        })
    }
}

/// `traitor-king` (see the module doc): every message the honest logic broadcasts goes out as
/// `attack` to the loyal half A, `retreat` to the loyal half R, unchanged to fellow traitors.
struct SplitKing {
    /// Per general: `Some(value)` it is told, or `None` for a fellow traitor (told the truth).
    tell: Vec<Option<Value>>,
}

impl SplitKing {
    fn new(n: usize, traitors: &[NodeId]) -> SplitKing {
        let mut tell: Vec<Option<Value>> = vec![Some(Value::Retreat); n];
        for v in traitors {
            if let Some(slot) = tell.get_mut(v.idx()) {
                *slot = None;
            }
        }
        let loyal = tell.iter().filter(|v| v.is_some()).count();
        tell.iter_mut()
            .filter(|v| v.is_some())
            .take(loyal.div_ceil(2))
            .for_each(|slot| *slot = Some(Value::Attack));
        SplitKing { tell }
    }
}

impl Rewrite<PhaseKing> for SplitKing {
    fn rewrite(&mut self, ctx: &mut Ctx<PhaseKing>, start: usize) {
        let me = ctx.id;
        let tail: Vec<Action<PkMsg, PkTimer>> = ctx.outbox().drain(start..).collect();
        for action in tail {
            let Action::Broadcast { msg, .. } = action else {
                ctx.outbox().push(action);
                continue;
            };
            for (to, tell) in self.tell.iter().enumerate() {
                let to = NodeId(to as u32);
                if to != me {
                    let value = tell.unwrap_or(msg.value);
                    ctx.send(to, PkMsg { value, ..msg });
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// mult > n/2 + t: n = 5, t = 1 keeps at 4 (> 3.5), not 3; n = 9, t = 2 keeps at 7 (> 6.5),
    /// not 6; n = 8, t = 2 never keeps n − t = 6 (not > 6): the bound n > 4t.
    #[test]
    fn keeps_majority_exactly_above_n_half_plus_t() {
        assert!(keeps_majority(4, 5, 1) && !keeps_majority(3, 5, 1));
        assert!(keeps_majority(7, 9, 2) && !keeps_majority(6, 9, 2));
        assert!(!keeps_majority(6, 8, 2) && keeps_majority(7, 8, 2));
        for t in 0..6 {
            for n in t + 1..30 {
                assert_eq!(keeps_majority(n - t, n, t), n > 4 * t, "n = {n}, t = {t}");
            }
        }
    }

    /// The coalition's halves: the lower half of the loyal generals (rounded up) hears attack.
    #[test]
    fn traitor_king_halves_the_loyal_generals() {
        let a = Some(Value::Attack);
        let r = Some(Value::Retreat);
        let split = SplitKing::new(5, &[NodeId(1), NodeId(2)]);
        assert_eq!(split.tell, vec![a, None, None, a, r]);
        let split = SplitKing::new(4, &[NodeId(1)]);
        assert_eq!(split.tell, vec![a, None, a, r]);
        let split = SplitKing::new(2, &[NodeId(0)]);
        assert_eq!(split.tell, vec![None, a]);
    }
}
