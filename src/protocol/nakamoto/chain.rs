//! Blocks and one general's view of the block tree: the most-work chain wins (ties keep the
//! block seen first), a block whose parent is unknown waits as an orphan, and the chain's first
//! commander transaction is carried along each branch so the decision is read off the tip.

use std::collections::BTreeMap;
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

/// One general's blocks.
#[derive(Debug)]
pub struct Tree {
    known: BTreeMap<u64, Rc<Block>>,
    /// Blocks waiting for their parent, by the parent's id.
    orphans: BTreeMap<u64, Vec<Rc<Block>>>,
    pub tip: Rc<Block>,
}

impl Tree {
    pub fn new(genesis: Rc<Block>) -> Tree {
        let mut known = BTreeMap::new();
        known.insert(genesis.id, Rc::clone(&genesis));
        Tree {
            known,
            orphans: BTreeMap::new(),
            tip: genesis,
        }
    }

    pub fn knows(&self, id: u64) -> bool {
        self.known.contains_key(&id)
    }

    /// Adds a block (and any orphans it unblocks); returns the blocks newly connected, in order.
    pub fn add(&mut self, block: Rc<Block>) -> Vec<Rc<Block>> {
        if self.knows(block.id) {
            return Vec::new();
        }
        if !self.knows(block.parent_id) {
            self.orphans.entry(block.parent_id).or_default().push(block);
            return Vec::new();
        }
        let mut connected = Vec::new();
        let mut queue = vec![block];
        while let Some(b) = queue.pop() {
            if self.known.insert(b.id, Rc::clone(&b)).is_none() {
                if let Some(children) = self.orphans.remove(&b.id) {
                    queue.extend(children);
                }
                connected.push(b);
            }
        }
        connected
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
