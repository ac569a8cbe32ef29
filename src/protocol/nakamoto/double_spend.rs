//! `double-spend`: the commander pays with its order (transaction A, broadcast to everyone) and
//! secretly mines, with its share q of the hashrate, a private chain carrying the opposite order
//! (transaction B, in its first block), to publish once the merchants have decided on A.
//!
//! Conventions of the race (Rosenfeld 2014 and Grunspan and Pérez-Marco 2017 differ on some):
//! - **z counts A's own block.** The merchants (every honest node) decide when the public chain
//!   holds A's block and z − 1 blocks on top (z = `pow.confirmations`).
//! - **The fork** is the block before A's. With `pow.head_start` h = 0 the attacker pays at time
//!   0 and forks from the genesis block. With h = 1 it first pre-mines a block (Rosenfeld 2014):
//!   it mines in secret on the public tip, following each new public tip, and broadcasts A the
//!   moment it finds its block. Honest blocks mined meanwhile are history both chains share: they
//!   count neither as confirmations nor against the attacker. A then goes into the next honest
//!   block, at the height of the pre-mined one.
//! - **The lead** is the private chain's length minus the public chain's, both above the fork.
//!   The attacker publishes its whole chain as soon as the merchants have decided and the lead is
//!   at least +1: it must overtake (strictly more work), since on a tie the honest nodes keep the
//!   chain they saw first. Every honest node then reorganises to B and its decision is reverted.
//! - **It gives up** once the merchants have decided and the lead is −G or less (the public chain
//!   is G = `pow.give_up` blocks longer); before they decide it never gives up.
//!
//! So while the honest miners find z blocks (A's and z − 1 on top; for h = 1, from the moment the
//! pre-mined block is found), the attacker finds k ~ NegativeBinomial(z, q); from x = h + k − z
//! it wins if the lead reaches +1 before −G, a gambler's ruin with r = p/q:
//! P(x) = 1 if x ≥ 1, 0 if x ≤ −G, else (1 − r^(x+G)) / (1 − r^(1+G)) ((x + G)/(1 + G) at
//! q = 1/2). With h = 1 and G infinite this is Rosenfeld's exact formula; Nakamoto's whitepaper
//! approximates k by a Poisson law of mean zq/p. See `tests/pow.rs`.
//!
//! The attacker holds the trial open until its race is decided: until it gives up, or, once it
//! has published, until another miner has built on its chain (on a complete graph with equal
//! latencies every honest node has then received it). If the merchants never decide, the race
//! never ends and the trial stops at its time limit (the undecided merchants hold it open too).
//! Only the commander can sign B: a traitor that is not the commander mines honestly.

use std::rc::Rc;

use super::chain::Block;
use super::{Pow, PowMsg, Tx};
use crate::general::Traitor;
use crate::general::{Action, Ctx, Protocol};

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
pub(super) fn on_own_block(pow: &mut Pow, ctx: &mut Ctx<Pow>, block: Rc<Block>) {
    pow.tree.add_own(&block);
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

/// Publishes when ahead after the merchants decided; gives up when `give_up` blocks behind after
/// they decided; while it pre-mines with no private block yet, follows the public tip.
pub(super) fn check(pow: &mut Pow, ctx: &mut Ctx<Pow>) {
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
    if decided && public.height >= state.private_tip.height + pow.params.give_up {
        pow.double_spend = None;
    }
}

/// The traitor behaviour: arms the commander's node before it starts.
pub struct DoubleSpend;

impl Traitor<Pow> for DoubleSpend {
    fn start(&mut self, honest: &mut Pow, ctx: &mut Ctx<Pow>) {
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

    /// Racing, or published with no other miner's block on top yet (the honest nodes may not
    /// have received its chain).
    fn keep_running(&self, node: &Pow) -> bool {
        let tip = &node.tree.tip;
        node.double_spend.is_some()
            || (tip.miner == node.id && tip.first_order.is_some_and(|(v, _)| v != node.order))
    }
}
