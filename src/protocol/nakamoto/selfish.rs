//! `selfish`: Eyal and Sirer's selfish mining ("Majority is not enough", 2014, Algorithm 1).
//!
//! The selfish miner keeps the blocks it finds private and mines on its private branch. With
//! Δ = (private length − public length) before the event:
//! - it finds a block: append it; if Δ was 0 and the private branch now has 2 blocks, publish it
//!   all (it wins the race);
//! - others find a block: if Δ was 0, adopt the public chain; if 1, publish its last block (a
//!   tie, which a share γ = `pow.tie_share` of the honest miners resolve its way); if 2, publish
//!   everything (it wins); if more, publish its first unpublished block.
//!
//! Its relative revenue, the share of main-chain blocks it mined, is
//! R(α, γ) = [α(1−α)²(4α + γ(1−2α)) − α³] / [1 − α(1 + (2−α)α)] (their equation 8).

use std::rc::Rc;

use super::chain::Block;
use super::{Pow, PowMsg};
use crate::general::Traitor;
use crate::general::{Ctx, Protocol};

/// The selfish miner's bookkeeping.
#[derive(Debug)]
pub struct State {
    /// The tip it mines on.
    pub private_tip: Rc<Block>,
    /// The longest chain the others can see.
    pub public_tip: Rc<Block>,
    /// Its own blocks not yet published, oldest first (with their transactions).
    pub unpublished: Vec<Rc<Block>>,
    /// Blocks on its branch since it left the public chain, published or not
    /// (`privateBranchLen` of Algorithm 1).
    pub branch_len: usize,
}

impl State {
    fn delta(&self) -> i64 {
        self.private_tip.height as i64 - self.public_tip.height as i64
    }
}

fn publish(pow: &mut Pow, ctx: &mut Ctx<Pow>, count: usize) {
    let Some(state) = pow.selfish.as_mut() else {
        return;
    };
    let count = count.min(state.unpublished.len());
    for block in state.unpublished.drain(..count) {
        if block.height > state.public_tip.height {
            state.public_tip = Rc::clone(&block);
        }
        ctx.broadcast(PowMsg::Block(block));
    }
}

/// The selfish miner found a block.
pub(super) fn on_own_block(pow: &mut Pow, ctx: &mut Ctx<Pow>, block: Rc<Block>) {
    pow.tree.add_own(&block);
    let Some(state) = pow.selfish.as_mut() else {
        return;
    };
    let delta = state.delta();
    state.private_tip = Rc::clone(&block);
    state.unpublished.push(block);
    state.branch_len += 1;
    if delta == 0 && state.branch_len == 2 {
        state.branch_len = 0;
        let all = state.unpublished.len();
        publish(pow, ctx, all);
    }
}

/// Another miner's block reached the selfish miner.
pub(super) fn on_public_block(pow: &mut Pow, ctx: &mut Ctx<Pow>, block: &Rc<Block>) {
    let Some(state) = pow.selfish.as_mut() else {
        return;
    };
    if block.miner == pow.id || block.height <= state.public_tip.height {
        return;
    }
    let delta = state.delta();
    state.public_tip = Rc::clone(block);
    match delta {
        d if d <= 0 => {
            state.private_tip = Rc::clone(block);
            state.unpublished.clear();
            state.branch_len = 0;
        }
        1 => publish(pow, ctx, 1),
        2 => {
            state.branch_len = 0;
            let all = state.unpublished.len();
            publish(pow, ctx, all);
        }
        _ => publish(pow, ctx, 1),
    }
}

/// The traitor behaviour: switches its node into selfish mode before it starts.
pub struct Selfish;

impl Traitor<Pow> for Selfish {
    fn start(&mut self, honest: &mut Pow, ctx: &mut Ctx<Pow>) {
        let genesis = Rc::clone(&honest.tree.tip);
        honest.selfish = Some(State {
            private_tip: Rc::clone(&genesis),
            public_tip: genesis,
            unpublished: Vec::new(),
            branch_len: 0,
        });
        honest.start(ctx);
    }
}
