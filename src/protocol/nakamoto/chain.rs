//! Blocks and one general's view of the block tree: the most-work chain wins (ties keep the
//! block seen first), a block whose parent is unknown waits in a bounded orphan pool (see
//! [`ORPHAN_POOL_BLOCKS`]) until the parent connects it, and the chain's first commander
//! transaction is carried along each branch so the decision is read off the tip.
//!
//! A block lives once per trial, in the [`Store`], with the set of generals that hold it (one
//! bit per general); a general's [`Tree`] is its tip, its orphans and its bit in each block's
//! set.

use std::rc::Rc;

use super::Tx;
use super::store::Store;
use crate::pow::BlockHeader;
use crate::types::{NodeId, SimTime, Value};

/// The genesis block's `id`.
pub const GENESIS: u64 = u64::MAX;

/// A mined block. Shared (`Rc`) between the generals that hold it: a trial runs on one thread.
#[derive(Debug)]
pub struct Block {
    pub header: BlockHeader,
    pub hash: [u8; 32],
    /// A short unique name for indexing: miner in the high half, the miner's block count in the
    /// low half (the hash identifies the block too, but compares 32 bytes).
    pub id: u64,
    /// The parent's `id`.
    pub parent_id: u64,
    /// Its place in the trial's [`Store`] (0 is the genesis block): dense, so a general's set
    /// of known blocks is a bitset.
    pub index: u32,
    pub height: u64,
    pub miner: NodeId,
    /// The commander's signed order this block carries, if any (its id is in the merkle root).
    pub tx: Option<Rc<Tx>>,
    /// The first commander order on this block's chain and the height of its block.
    pub first_order: Option<(Value, u64)>,
    /// Expected hashes behind the chain up to and including this block.
    pub chain_work: f64,
    /// Simulated time it was mined.
    pub mined_at: SimTime,
    /// What relaying it sends, in bytes, when block size is modelled (the whole block, or its
    /// compact form); `None`: its header and order.
    pub relay_bytes: Option<u32>,
    /// The share of its relays that need one more round trip (compact blocks).
    pub round_trip_share: f64,
    pub parent: Option<Rc<Block>>,
}

impl Block {
    /// The genesis block every general starts from (made once, by [`Store::genesis`]).
    pub fn genesis(bits: u32, index: u32) -> Block {
        let header = BlockHeader {
            version: 1,
            prev_hash: [0; 32],
            merkle_root: [0; 32],
            time: 0,
            bits,
            nonce: 0,
        };
        Block {
            hash: header.hash(),
            header,
            id: GENESIS,
            parent_id: GENESIS,
            index,
            height: 0,
            miner: NodeId(u32::MAX),
            tx: None,
            first_order: None,
            chain_work: 0.0,
            mined_at: SimTime::ZERO,
            relay_bytes: None,
            round_trip_share: 0.0,
            parent: None,
        }
    }

    /// The commander's order this block carries, if any.
    pub fn order(&self) -> Option<Value> {
        self.tx.as_ref().map(|t| t.value)
    }

    /// Whether `self` descends from (or is) `other`.
    pub fn extends(&self, other: &Block) -> bool {
        let mut b = Some(self);
        while let Some(x) = b {
            if x.height < other.height {
                return false;
            }
            if x.id == other.id {
                return true;
            }
            b = x.parent.as_deref();
        }
        false
    }
}

/// Dropping a block whose parents are held by nobody else frees the chain in a loop: the
/// default recursive drop of a long chain (a long run) would overflow the stack.
impl Drop for Block {
    fn drop(&mut self) {
        let mut parent = self.parent.take();
        while let Some(rc) = parent {
            parent = match Rc::try_unwrap(rc) {
                Ok(mut block) => block.parent.take(),
                Err(_) => None,
            };
        }
    }
}

/// The most orphans a general keeps. With fetching (see `fetch.rs`) an orphan waits about one
/// round trip for its parent, so an honest run holds a handful at most; the bound keeps a
/// traitor that sends blocks out of order, or withholds an ancestor nobody else holds, from
/// growing a general's memory without limit. Bitcoin Core kept up to 750 orphan blocks before
/// headers-first synchronisation (0.10) made the pool unnecessary; 100 is ample for the chains
/// simulated here. When full, the oldest orphan is evicted (and fetched again if a descendant
/// later needs it).
pub const ORPHAN_POOL_BLOCKS: usize = 100;

/// One general's blocks: its tip, its orphans, and which blocks it holds (its bit in each
/// block's set of holders, kept in the trial's [`Store`] beside the block: checking a block
/// that arrives touches that block's set, which every arrival of the block shares, not memory
/// of the general's own). The blocks are reached from the tip through their parents.
#[derive(Debug)]
#[repr(C)]
pub struct Tree {
    pub tip: Rc<Block>,
    /// The general whose tree this is.
    id: NodeId,
    /// Blocks waiting for their parent, oldest first (at most [`ORPHAN_POOL_BLOCKS`]).
    orphans: Vec<Rc<Block>>,
    /// Orphans evicted because the pool was full.
    evicted: u64,
    /// Where a block it comes to hold is tallied (for the propagation figures).
    store: Rc<Store>,
}

impl Tree {
    pub fn new(store: Rc<Store>, genesis: Rc<Block>, id: NodeId) -> Tree {
        let tree = Tree {
            id,
            orphans: Vec::new(),
            evicted: 0,
            store,
            tip: Rc::clone(&genesis),
        };
        tree.store.mark(&genesis, id);
        tree
    }

    /// Whether it holds `block`.
    #[inline]
    pub fn knows(&self, block: &Block) -> bool {
        self.store.holds(block, self.id)
    }

    /// Whether `block`'s parent is held (the genesis block has none to wait for).
    fn parent_known(&self, block: &Block) -> bool {
        block.parent.as_ref().is_some_and(|p| self.knows(p))
    }

    fn insert(&mut self, block: &Block, now: SimTime) {
        self.store.reached(block, self.id, now);
    }

    /// Adds a block this general mined (its parent is known).
    pub fn add_own(&mut self, block: &Block) {
        self.insert(block, block.mined_at);
    }

    /// Whether block `id` waits in the orphan pool.
    pub fn holds_orphan(&self, id: u64) -> bool {
        self.orphans.iter().any(|b| b.id == id)
    }

    /// Orphans waiting for their parent.
    pub fn orphan_count(&self) -> usize {
        self.orphans.len()
    }

    /// Orphans evicted so far because the pool was full.
    pub fn orphans_evicted(&self) -> u64 {
        self.evicted
    }

    /// For a block waiting in the orphan pool (or about to): the nearest ancestor this general
    /// neither holds nor keeps as an orphan, the one to ask for. `None` if `block` connects.
    /// (The ancestor is named by the hash in its child's header; the shared `Rc` only stands for
    /// that name here: its contents are not used before the block itself arrives.)
    pub fn missing_ancestor(&self, block: &Block) -> Option<Rc<Block>> {
        let mut b = Rc::clone(block.parent.as_ref()?);
        loop {
            if self.knows(&b) {
                return None;
            }
            if !self.holds_orphan(b.id) {
                return Some(b);
            }
            b = Rc::clone(b.parent.as_ref()?);
        }
    }

    /// Adds a block (and any orphans it unblocks); appends the blocks newly connected, in
    /// order, to `connected`. A block whose parent is unknown goes to the orphan pool, evicting
    /// the oldest orphan when the pool is full. `now`: when it arrived.
    pub fn add(&mut self, block: Rc<Block>, connected: &mut Vec<Rc<Block>>, now: SimTime) {
        if self.knows(&block) {
            return;
        }
        if !self.parent_known(&block) {
            if !self.holds_orphan(block.id) {
                if self.orphans.len() >= ORPHAN_POOL_BLOCKS {
                    self.orphans.remove(0);
                    self.evicted += 1;
                }
                self.orphans.push(block);
            }
            return;
        }
        let mut i = connected.len();
        connected.push(block);
        while i < connected.len() {
            let id = connected[i].id;
            self.insert(&connected[i], now);
            // Its waiting children, oldest first.
            let mut k = 0;
            while k < self.orphans.len() {
                if self.orphans[k].parent_id == id {
                    connected.push(self.orphans.remove(k));
                } else {
                    k += 1;
                }
            }
            i += 1;
        }
    }

    /// Whether `block` has more work than the tip (ties keep the tip).
    pub fn beats_tip(&self, block: &Block) -> bool {
        block.chain_work > self.tip.chain_work * (1.0 + 1e-12)
    }

    /// Whether `block` has as much work as the tip, on another branch.
    pub fn ties_tip(&self, block: &Block) -> bool {
        !self.beats_tip(block)
            && block.chain_work >= self.tip.chain_work * (1.0 - 1e-12)
            && block.id != self.tip.id
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::nakamoto::make_block;

    thread_local! {
        static STORE: Rc<Store> = Rc::new(Store::new(4));
    }

    fn store() -> Rc<Store> {
        STORE.with(Rc::clone)
    }

    fn new_tree() -> (Rc<Block>, Tree) {
        let store = store();
        let g = store.genesis(0x207fffff);
        (Rc::clone(&g), Tree::new(store, g, NodeId(0)))
    }

    fn child(parent: &Rc<Block>, id: u64) -> Rc<Block> {
        let header = BlockHeader {
            prev_hash: parent.hash,
            nonce: id as u32,
            ..parent.header
        };
        make_block(&store(), header, parent, id, NodeId(0), None, SimTime::ZERO)
    }

    fn ids(blocks: &[Rc<Block>]) -> Vec<u64> {
        blocks.iter().map(|b| b.id).collect()
    }

    #[test]
    fn orphans_wait_for_their_parent_and_connect_parent_first_once() {
        let (g, mut tree) = new_tree();
        let a = child(&g, 1);
        let b = child(&a, 2);
        let c = child(&b, 3);
        let mut out = Vec::new();
        tree.add(Rc::clone(&c), &mut out, SimTime::ZERO);
        tree.add(Rc::clone(&b), &mut out, SimTime::ZERO);
        tree.add(Rc::clone(&c), &mut out, SimTime::ZERO);
        assert!(out.is_empty() && !tree.knows(&c));
        tree.add(Rc::clone(&a), &mut out, SimTime::ZERO);
        assert_eq!(ids(&out), [1, 2, 3]);
        assert!(tree.knows(&a) && tree.knows(&b) && tree.knows(&c));
        out.clear();
        tree.add(Rc::clone(&b), &mut out, SimTime::ZERO);
        assert!(out.is_empty(), "a known block connects nothing");
    }

    #[test]
    fn a_full_orphan_pool_evicts_its_oldest_and_counts_it() {
        let (g, mut tree) = new_tree();
        let mut out = Vec::new();
        let missing = child(&g, 1);
        let kids: Vec<Rc<Block>> = (0..=ORPHAN_POOL_BLOCKS as u64)
            .map(|i| child(&missing, 10 + i))
            .collect();
        for k in &kids {
            tree.add(Rc::clone(k), &mut out, SimTime::ZERO);
        }
        assert_eq!(tree.orphan_count(), ORPHAN_POOL_BLOCKS);
        assert_eq!(tree.orphans_evicted(), 1);
        assert!(
            !tree.holds_orphan(10) && tree.holds_orphan(11),
            "oldest first"
        );
        assert_eq!(tree.missing_ancestor(&kids[5]).map(|b| b.id), Some(1));
        tree.add(Rc::clone(&missing), &mut out, SimTime::ZERO);
        assert_eq!(
            out.len(),
            ORPHAN_POOL_BLOCKS + 1,
            "the parent connects the rest"
        );
        assert_eq!(tree.orphan_count(), 0);
        assert!(tree.missing_ancestor(&kids[5]).is_none());
    }

    #[test]
    fn the_missing_ancestor_is_below_the_orphans_held() {
        let (g, mut tree) = new_tree();
        let (a, mut out) = (child(&g, 1), Vec::new());
        let b = child(&a, 2);
        let c = child(&b, 3);
        assert_eq!(tree.missing_ancestor(&c).map(|x| x.id), Some(2));
        tree.add(Rc::clone(&b), &mut out, SimTime::ZERO);
        assert_eq!(tree.missing_ancestor(&c).map(|x| x.id), Some(1));
        assert!(tree.missing_ancestor(&a).is_none(), "its parent is held");
    }

    #[test]
    fn many_blocks_at_one_height_are_all_known() {
        let (g, mut tree) = new_tree();
        let mut out = Vec::new();
        let kids: Vec<Rc<Block>> = (1..=5).map(|id| child(&g, id)).collect();
        for k in &kids {
            tree.add(Rc::clone(k), &mut out, SimTime::ZERO);
        }
        assert_eq!(ids(&out), [1, 2, 3, 4, 5]);
        assert!(kids.iter().all(|k| tree.knows(k)));
        let (other, grandchild) = (child(&g, 6), child(&kids[0], 7));
        assert!(!tree.knows(&other) && !tree.knows(&grandchild));
    }
}
