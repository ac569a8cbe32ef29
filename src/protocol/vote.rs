//! `vote`: the naive scheme from the generals' story. Everyone sends its own vote to everyone;
//! after one round each general decides by the majority of the votes it holds, its own included
//! (ties: retreat).
//!
//! It needs no traitor to look reasonable and one traitor to fail: a general that tells half the
//! others `attack` and half `retreat` can tip a split vote differently for different loyal
//! generals, and a lost message does the same without any traitor. Validity: if every honest
//! general starts with the same vote, that is the decision.

use crate::general::{Ctx, Deadline, Protocol, Setup, Validity};
use crate::types::{NodeId, Value, majority};

/// One general of the `vote` scheme.
pub struct Vote {
    input: Value,
    /// `heard[j]`: a vote from general `j` has been counted (the first one counts).
    heard: Vec<bool>,
    attack: usize,
    retreat: usize,
    decision: Option<Value>,
}

impl Vote {
    fn count(&mut self, from: NodeId, value: Value) {
        if std::mem::replace(&mut self.heard[from.idx()], true) {
            return;
        }
        match value {
            Value::Attack => self.attack += 1,
            Value::Retreat => self.retreat += 1,
        }
    }
}

impl Protocol for Vote {
    type Msg = Value;
    type Params = ();
    type Timer = Deadline;
    const NAME: &'static str = "vote";
    const VALIDITY: Validity = Validity::UnanimousInputs;

    fn new(id: NodeId, setup: &Setup, _params: &()) -> Self {
        Vote {
            input: setup.inputs[id.idx()],
            heard: vec![false; setup.n],
            attack: 0,
            retreat: 0,
            decision: None,
        }
    }

    fn start(&mut self, ctx: &mut Ctx<Vote>) {
        self.count(ctx.id, self.input);
        ctx.broadcast(self.input);
        ctx.timer_at_round(1, Deadline);
    }

    fn on_message(&mut self, _ctx: &mut Ctx<Vote>, from: NodeId, value: Value) {
        if self.decision.is_none() {
            self.count(from, value);
        }
    }

    fn on_timer(&mut self, _ctx: &mut Ctx<Vote>, _: Deadline) {
        self.decision = Some(majority(self.attack, self.retreat));
    }

    fn decision(&self) -> Option<Value> {
        self.decision
    }

    fn with_value(_ctx: &mut Ctx<Vote>, _msg: &Value, value: Value) -> Option<Value> {
        Some(value)
    }

    fn timer_name(&self, _: &Deadline) -> String {
        "end of round 1: count the votes and decide".to_string()
    }
}
