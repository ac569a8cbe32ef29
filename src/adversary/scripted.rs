//! `scripted`: a traitor whose every choice is written down, per recipient. The k-th
//! transmission it makes to general r (a broadcast counts once per recipient) takes entry k of
//! its script for r: `honest` (send what the protocol says), `attack` / `retreat` (send that
//! value instead, where the protocol lets it be changed: see [`Protocol::with_value`]), or
//! `withhold` (send nothing; the engine counts it in `withheld` and traces it). Past the end of a script it is honest. `byzsim hunt` enumerates
//! scripts to search for violations and writes the ones it finds as scenarios that replay them
//! exactly. Scripts address recipients as a direct network does; relays on a flooding network
//! pass unchanged.

use super::{Rewrite, broadcast_mask};
use crate::general::{Action, Ctx, Protocol};
use crate::types::{NodeId, Value};

/// One scripted choice.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Choice {
    Honest,
    Attack,
    Retreat,
    Withhold,
}

impl Choice {
    pub const ALL: [Choice; 4] = [
        Choice::Honest,
        Choice::Attack,
        Choice::Retreat,
        Choice::Withhold,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Choice::Honest => "honest",
            Choice::Attack => "attack",
            Choice::Retreat => "retreat",
            Choice::Withhold => "withhold",
        }
    }

    pub fn parse(s: &str) -> Option<Choice> {
        Choice::ALL.into_iter().find(|c| c.name() == s)
    }
}

/// A traitor's script: for each recipient, its choices in order.
pub type Script = std::collections::BTreeMap<NodeId, Vec<Choice>>;

/// A traitor that follows its script.
pub struct Scripted {
    script: Script,
    /// How many transmissions went to each recipient so far.
    sent: std::collections::BTreeMap<NodeId, usize>,
    unscripted: u64,
}

impl Scripted {
    pub fn new(script: Script) -> Scripted {
        Scripted {
            script,
            sent: std::collections::BTreeMap::new(),
            unscripted: 0,
        }
    }

    fn next(&mut self, to: NodeId) -> Choice {
        let k = self.sent.entry(to).or_insert(0);
        let c = self.script.get(&to).and_then(|s| s.get(*k)).copied();
        *k += 1;
        if c.is_none() {
            self.unscripted += 1;
        }
        c.unwrap_or(Choice::Honest)
    }

    /// The message `choice` makes of `msg`, or `None` to withhold it.
    fn apply<P: Protocol>(ctx: &mut Ctx<P>, msg: &P::Msg, choice: Choice) -> Option<P::Msg> {
        let value = match choice {
            Choice::Honest => return Some(msg.clone()),
            Choice::Withhold => return None,
            Choice::Attack => Value::Attack,
            Choice::Retreat => Value::Retreat,
        };
        Some(P::with_value(ctx, msg, value).unwrap_or_else(|| msg.clone()))
    }

    fn follow<P: Protocol>(&mut self, ctx: &mut Ctx<P>, start: usize) {
        let (n, id) = (ctx.n, ctx.id);
        let tail: Vec<Action<P::Msg, P::Timer>> = ctx.outbox().drain(start..).collect();
        for action in tail {
            match action {
                Action::Send { to, msg } => {
                    let choice = self.next(to);
                    match Self::apply::<P>(ctx, &msg, choice) {
                        Some(msg) => ctx.outbox().push(Action::Send { to, msg }),
                        None => ctx.withhold(to, msg),
                    }
                }
                Action::Broadcast { msg, only } => {
                    let mask = broadcast_mask(n, id, &only);
                    for to in (0..n).filter(|&i| mask[i]) {
                        let choice = self.next(NodeId(to as u32));
                        match Self::apply::<P>(ctx, &msg, choice) {
                            Some(msg) => {
                                let only: Box<[bool]> = (0..n).map(|i| i == to).collect();
                                ctx.outbox().push(Action::Broadcast {
                                    msg,
                                    only: Some(only.into()),
                                });
                            }
                            None => ctx.withhold(NodeId(to as u32), msg.clone()),
                        }
                    }
                }
                other => ctx.outbox().push(other),
            }
        }
    }
}

impl<P: Protocol> Rewrite<P> for Scripted {
    fn rewrite(&mut self, ctx: &mut Ctx<P>, start: usize) {
        self.follow::<P>(ctx, start);
    }
    fn unscripted(&self) -> u64 {
        self.unscripted
    }
}
