//! `scripted`: a traitor whose every choice is written down, per recipient. The k-th
//! transmission it makes to general r (a broadcast counts once per recipient) takes entry k of
//! its script for r: `honest` (send what the protocol says), `attack` / `retreat` (send that
//! value instead, where the protocol lets it be changed: see [`Protocol::with_value`]), or
//! `withhold` (send nothing; the engine counts it in `withheld` and traces it), or `mutate-K`
//! (send mutant K, counted modulo how many there are, of [`Protocol::mutations`]: `mutate` is
//! `mutate-0`; honest when there is none). Past the end of a script it is honest. `byzsim hunt` enumerates
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
    /// Mutant K of the message ([`Protocol::mutations`]).
    Mutate(u8),
}

impl Choice {
    pub const ALL: [Choice; 4] = [
        Choice::Honest,
        Choice::Attack,
        Choice::Retreat,
        Choice::Withhold,
    ];

    /// What `byzsim hunt`'s random search draws from: the four plain choices and three mutants.
    pub const SEARCH: [Choice; 7] = [
        Choice::Honest,
        Choice::Attack,
        Choice::Retreat,
        Choice::Withhold,
        Choice::Mutate(0),
        Choice::Mutate(1),
        Choice::Mutate(2),
    ];

    pub fn name(self) -> String {
        match self {
            Choice::Honest => "honest".into(),
            Choice::Attack => "attack".into(),
            Choice::Retreat => "retreat".into(),
            Choice::Withhold => "withhold".into(),
            Choice::Mutate(0) => "mutate".into(),
            Choice::Mutate(k) => format!("mutate-{k}"),
        }
    }

    pub fn parse(s: &str) -> Option<Choice> {
        if s == "mutate" {
            return Some(Choice::Mutate(0));
        }
        if let Some(k) = s.strip_prefix("mutate-") {
            return k.parse().ok().map(Choice::Mutate);
        }
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
            Choice::Mutate(k) => {
                let mut options = P::mutations(ctx, msg);
                if options.is_empty() {
                    return Some(msg.clone());
                }
                let k = k as usize % options.len();
                return Some(options.swap_remove(k));
            }
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
