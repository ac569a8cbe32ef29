//! `double-spend`: the commander pays with its order (transaction A, broadcast to everyone) and
//! secretly mines, with its share q of the hashrate, a private chain from the public tip it paid
//! on (the block before A), whose first block carries the opposite order (transaction B). It
//! publishes the private chain as soon as it holds more work than the public chain *and* the
//! public chain already buries A under `pow.confirmations` blocks (the merchants have decided):
//! every honest node then reorganises to B and its decision is reverted. It gives up when
//! `pow.give_up` blocks behind.
//!
//! With `pow.head_start` = 1 it first pre-mines a block (Rosenfeld 2014): it mines in secret on
//! the public tip, moving to each new public tip, and broadcasts A the moment it finds its
//! private block. With `pow.head_start` = 0 it pays at time 0 and forks from the genesis block.
//!
//! The race this follows (Rosenfeld 2014, Grunspan and Pérez-Marco 2017): while the honest
//! miners find z blocks (A's and z − 1 on top), the attacker finds k ~ NegativeBinomial(z, q);
//! from x = h + k − z (h = `pow.head_start`) it wins if its lead reaches +1 before the deficit reaches the give-up
//! depth G, a gambler's ruin with P = (1 − r^(x+G)) / (1 − r^(1+G)), r = p/q (and 1 when
//! x ≥ 1). With h = 1 and G infinite this is Rosenfeld's exact formula; Nakamoto's whitepaper
//! approximates k by a Poisson law of mean zq/p. See `tests/pow.rs`.
//! Only the commander can sign B: a traitor that is not the commander mines honestly.

use std::rc::Rc;

use super::chain::Block;
use super::{Pow, PowMsg, Tx};
use crate::adversary::Traitor;
use crate::protocol::{Action, Ctx, Protocol};

/// The attacker's bookkeeping.
#[derive(Debug)]
pub struct State {
    pub private_tip: Rc<Block>,
    pub unpublished: Vec<Rc<Block>>,
    /// The conflicting transaction its private chain carries.
    pub conflicting: Rc<Tx>,
    /// The payment (transaction A), held back until the head start is mined.
    pub payment: Option<PowMsg>,
}

/// The attacker found a block on its private chain.
pub(super) fn on_own_block(pow: &mut Pow, ctx: &mut Ctx<PowMsg>, block: Rc<Block>) {
    pow.tree.add(Rc::clone(&block));
    if let Some(state) = pow.double_spend.as_mut() {
        state.private_tip = Rc::clone(&block);
        state.unpublished.push(block);
        if state.unpublished.len() as u64 >= pow.params.head_start
            && let Some(payment) = state.payment.take()
        {
            ctx.broadcast(payment);
        }
    }
    check(pow, ctx);
}

/// Publishes when ahead after the merchants decided; gives up when too far behind; while it
/// pre-mines with no private block yet, follows the public tip.
pub(super) fn check(pow: &mut Pow, ctx: &mut Ctx<PowMsg>) {
    let Some(state) = pow.double_spend.as_mut() else {
        return;
    };
    let public = &pow.tree.tip;
    if state.payment.is_some() && state.unpublished.is_empty() {
        state.private_tip = Rc::clone(public);
        return;
    }
    let decided = public
        .first_order
        .is_some_and(|(_, h)| public.height + 1 >= h + pow.params.confirmations);
    if decided && state.private_tip.chain_work > public.chain_work * (1.0 + 1e-12) {
        let private_tip = Rc::clone(&state.private_tip);
        let blocks = std::mem::take(&mut state.unpublished);
        pow.double_spend = None;
        pow.tree.tip = private_tip;
        for block in blocks {
            ctx.broadcast(PowMsg::Block(block));
        }
        return;
    }
    if public.height >= state.private_tip.height + pow.params.give_up {
        pow.double_spend = None;
    }
}

/// The traitor behaviour: arms the commander's node before it starts.
pub struct DoubleSpend;

impl Traitor<Pow> for DoubleSpend {
    fn start(&mut self, honest: &mut Pow, ctx: &mut Ctx<PowMsg>) {
        if honest.id != honest.commander {
            honest.start(ctx);
            return;
        }
        let value = honest.order.flip();
        let signature = ctx.sign(&Tx::bytes(value));
        honest.double_spend = Some(State {
            private_tip: Rc::clone(&honest.tree.tip),
            unpublished: Vec::new(),
            conflicting: Rc::new(Tx { value, signature }),
            payment: None,
        });
        honest.start(ctx);
        if honest.params.head_start == 0 {
            return;
        }
        // Hold the payment back until the head start is mined.
        let mut held = None;
        ctx.outbox().retain(|a| match a {
            Action::Broadcast {
                msg: m @ PowMsg::Tx(_),
                ..
            } if held.is_none() => {
                held = Some(m.clone());
                false
            }
            _ => true,
        });
        if let Some(state) = honest.double_spend.as_mut() {
            state.payment = held;
        }
    }
}
