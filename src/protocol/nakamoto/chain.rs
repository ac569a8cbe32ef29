//! Blocks and one general's view of the block tree: the most-work chain wins (ties keep the
//! block seen first), a block whose parent is unknown waits in a bounded orphan pool (see
//! [`ORPHAN_POOL_BLOCKS`]) until the parent connects it, and the chain's first commander
//! transaction is carried along each branch so the decision is read off the tip.

use std::rc::Rc;

use super::Tx;
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
    pub parent: Option<Rc<Block>>,
}

impl Block {
    /// The genesis block every general starts from.
    pub fn genesis(bits: u32) -> Rc<Block> {
        let header = BlockHeader {
            version: 1,
            prev_hash: [0; 32],
            merkle_root: [0; 32],
            time: 0,
            bits,
            nonce: 0,
        };
        Rc::new(Block {
            hash: header.hash(),
            header,
            id: GENESIS,
            parent_id: GENESIS,
            height: 0,
            miner: NodeId(u32::MAX),
            tx: None,
            first_order: None,
            chain_work: 0.0,
            mined_at: SimTime::ZERO,
            parent: None,
        })
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

/// No block in a slot of [`Tree::by_height`].
const EMPTY: u64 = u64::MAX - 1;

/// One general's blocks: which it holds, indexed by height (a Vec, no hashing), and its tip.
/// The blocks themselves are shared (`Rc`) and reached from the tip through their parents.
#[derive(Debug)]
pub struct Tree {
    /// The ids of the first two blocks it holds at each height.
    by_height: Vec<[u64; 2]>,
    /// Further blocks at an already forked height, as (height, id): rare.
    more: Vec<(u64, u64)>,
    /// Blocks waiting for their parent, oldest first (at most [`ORPHAN_POOL_BLOCKS`]).
    orphans: Vec<Rc<Block>>,
    /// Orphans evicted because the pool was full.
    evicted: u64,
    pub tip: Rc<Block>,
}

impl Tree {
    pub fn new(genesis: Rc<Block>) -> Tree {
        Tree {
            by_height: vec![[genesis.id, EMPTY]],
            more: Vec::new(),
            orphans: Vec::new(),
            evicted: 0,
            tip: genesis,
        }
    }

    /// Whether it holds block `id` of height `height`.
    pub fn knows(&self, id: u64, height: u64) -> bool {
        match self.by_height.get(height as usize) {
            Some(slot) if slot.contains(&id) => true,
            Some(slot) if slot[1] != EMPTY => self.more.contains(&(height, id)),
            _ => false,
        }
    }

    fn insert(&mut self, id: u64, height: u64) {
        let h = height as usize;
        if self.by_height.len() <= h {
            self.by_height.resize(h + 1, [EMPTY, EMPTY]);
        }
        let slot = &mut self.by_height[h];
        match slot.iter().position(|x| *x == EMPTY) {
            Some(i) => slot[i] = id,
            None => self.more.push((height, id)),
        }
    }

    /// Adds a block this general mined (its parent is known).
    pub fn add_own(&mut self, block: &Block) {
        self.insert(block.id, block.height);
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
            if self.knows(b.id, b.height) {
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
    /// the oldest orphan when the pool is full.
    pub fn add(&mut self, block: Rc<Block>, connected: &mut Vec<Rc<Block>>) {
        if self.knows(block.id, block.height) {
            return;
        }
        if block.height == 0 || !self.knows(block.parent_id, block.height - 1) {
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
            let (id, height) = (connected[i].id, connected[i].height);
            self.insert(id, height);
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

    fn child(parent: &Rc<Block>, id: u64) -> Rc<Block> {
        let header = BlockHeader {
            prev_hash: parent.hash,
            nonce: id as u32,
            ..parent.header
        };
        make_block(header, parent, id, NodeId(0), None, SimTime::ZERO)
    }

    fn ids(blocks: &[Rc<Block>]) -> Vec<u64> {
        blocks.iter().map(|b| b.id).collect()
    }

    #[test]
    fn orphans_wait_for_their_parent_and_connect_parent_first_once() {
        let g = Block::genesis(0x207fffff);
        let mut tree = Tree::new(Rc::clone(&g));
        let a = child(&g, 1);
        let b = child(&a, 2);
        let c = child(&b, 3);
        let mut out = Vec::new();
        tree.add(Rc::clone(&c), &mut out);
        tree.add(Rc::clone(&b), &mut out);
        tree.add(Rc::clone(&c), &mut out);
        assert!(out.is_empty() && !tree.knows(3, 3));
        tree.add(Rc::clone(&a), &mut out);
        assert_eq!(ids(&out), [1, 2, 3]);
        assert!(tree.knows(1, 1) && tree.knows(2, 2) && tree.knows(3, 3));
        out.clear();
        tree.add(Rc::clone(&b), &mut out);
        assert!(out.is_empty(), "a known block connects nothing");
    }

    #[test]
    fn a_full_orphan_pool_evicts_its_oldest_and_counts_it() {
        let g = Block::genesis(0x207fffff);
        let mut tree = Tree::new(Rc::clone(&g));
        let mut out = Vec::new();
        let missing = child(&g, 1);
        let kids: Vec<Rc<Block>> = (0..=ORPHAN_POOL_BLOCKS as u64)
            .map(|i| child(&missing, 10 + i))
            .collect();
        for k in &kids {
            tree.add(Rc::clone(k), &mut out);
        }
        assert_eq!(tree.orphan_count(), ORPHAN_POOL_BLOCKS);
        assert_eq!(tree.orphans_evicted(), 1);
        assert!(
            !tree.holds_orphan(10) && tree.holds_orphan(11),
            "oldest first"
        );
        assert_eq!(tree.missing_ancestor(&kids[5]).map(|b| b.id), Some(1));
        tree.add(Rc::clone(&missing), &mut out);
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
        let g = Block::genesis(0x207fffff);
        let mut tree = Tree::new(Rc::clone(&g));
        let (a, mut out) = (child(&g, 1), Vec::new());
        let b = child(&a, 2);
        let c = child(&b, 3);
        assert_eq!(tree.missing_ancestor(&c).map(|x| x.id), Some(2));
        tree.add(Rc::clone(&b), &mut out);
        assert_eq!(tree.missing_ancestor(&c).map(|x| x.id), Some(1));
        assert!(tree.missing_ancestor(&a).is_none(), "its parent is held");
    }

    #[test]
    fn many_blocks_at_one_height_are_all_known() {
        let g = Block::genesis(0x207fffff);
        let mut tree = Tree::new(Rc::clone(&g));
        let mut out = Vec::new();
        for id in 1..=5 {
            tree.add(child(&g, id), &mut out);
        }
        assert_eq!(ids(&out), [1, 2, 3, 4, 5]);
        assert!((1..=5).all(|id| tree.knows(id, 1)));
        assert!(!tree.knows(6, 1) && !tree.knows(1, 2));
    }
}
