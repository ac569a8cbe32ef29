//! The block store of one trial: every block mined lives here once, numbered densely in the
//! order it was made ([`Block::index`]), with the set of generals that hold it (a bitset over
//! the generals). A general keeps only its tip and its orphans (see [`super::chain::Tree`]), so
//! what grows with generals × blocks is one bit each, not a copy or a map entry per block. The
//! bits are kept by block rather than by general because a block that arrives is checked by
//! every general it reaches, within a second or two: its set is in cache for all of them, where
//! a per-general set would cost a trip to memory per arrival (measured: 10,000 generals × 1000
//! blocks ran about a sixth faster).
//!
//! The store also keeps, per block, how many generals hold it (connected to their tree) and
//! when the count first reached half and nine tenths of them: the propagation figures
//! (`propagation_p50_ms`, `propagation_p90_ms`: the median over blocks of the time from mining
//! to that share). A block that never reached the share before the trial ended (a selfish
//! miner's block never published, one mined at the very end) is left out of that median.
//!
//! The store is shared by the generals of one trial only (an `Rc`, one thread). It is an
//! allocator and a tally, not a channel: a general reaches a block only through a message that
//! carries it or through its own tree, so a private block in the store stays private.

use std::cell::RefCell;
use std::rc::Rc;

use super::chain::Block;
use super::{PowParams, Relay, compact_bytes};
use crate::types::{NodeId, SimTime};

/// How far one block has spread.
#[derive(Clone, Copy, Debug, Default)]
struct Reach {
    holders: u32,
    /// Time from mining to half of the generals holding it.
    half: Option<SimTime>,
    /// Time from mining to nine tenths of them holding it.
    most: Option<SimTime>,
    /// The sum over holders of the time from mining to holding it, in µs.
    total_us: u64,
}

#[derive(Debug, Default)]
struct Inner {
    blocks: Vec<Rc<Block>>,
    reach: Vec<Reach>,
    /// `holders[i]`: a bitset over the generals, those that hold block `i`.
    holders: Vec<Vec<u64>>,
}

/// The blocks of one trial (see the module doc).
#[derive(Debug, Default)]
pub struct Store {
    /// The generals of the trial (the propagation shares are of them).
    generals: u32,
    /// What relaying a block sends, when block size is modelled, and the share of relays that
    /// need one more round trip (see [`super::PowParams::relay`]).
    relay_bytes: Option<u32>,
    round_trip_share: f64,
    inner: RefCell<Inner>,
}

impl Store {
    pub fn new(generals: usize) -> Store {
        Store {
            generals: generals.min(u32::MAX as usize) as u32,
            ..Store::default()
        }
    }

    /// The store of a trial with `generals` generals and parameters `pow`.
    pub fn for_trial(generals: usize, pow: &PowParams) -> Store {
        let (relay_bytes, round_trip_share) = match (pow.block_bytes, pow.relay) {
            (None, _) => (None, 0.0),
            (Some(b), Relay::Full) => (Some(b), 0.0),
            (Some(b), Relay::Compact) => (Some(compact_bytes(b)), pow.compact_missing_share),
        };
        Store {
            relay_bytes,
            round_trip_share,
            ..Store::new(generals)
        }
    }

    pub fn relay_bytes(&self) -> Option<u32> {
        self.relay_bytes
    }

    pub fn round_trip_share(&self) -> f64 {
        self.round_trip_share
    }

    /// The genesis block (index 0), made on the first call.
    pub fn genesis(&self, bits: u32) -> Rc<Block> {
        if let Some(g) = self.inner.borrow().blocks.first() {
            return Rc::clone(g);
        }
        self.add(|index| Block::genesis(bits, index))
    }

    /// Adds the block `make` builds from its index, and returns it.
    pub fn add(&self, make: impl FnOnce(u32) -> Block) -> Rc<Block> {
        let mut inner = self.inner.borrow_mut();
        let index = inner.blocks.len().min(u32::MAX as usize) as u32;
        let block = Rc::new(make(index));
        inner.blocks.push(Rc::clone(&block));
        inner.reach.push(Reach::default());
        let words = (self.generals as usize).div_ceil(64);
        inner.holders.push(vec![0; words]);
        block
    }

    /// Whether general `v` holds `block`.
    #[inline]
    pub fn holds(&self, block: &Block, v: NodeId) -> bool {
        let inner = self.inner.borrow();
        let (word, bit) = (v.idx() / 64, v.0 % 64);
        inner
            .holders
            .get(block.index as usize)
            .and_then(|h| h.get(word))
            .is_some_and(|w| w & (1 << bit) != 0)
    }

    /// Notes that `v` holds `block`; `false` if it did already (or the block is not here).
    pub fn mark(&self, block: &Block, v: NodeId) -> bool {
        let mut inner = self.inner.borrow_mut();
        let (word, bit) = (v.idx() / 64, v.0 % 64);
        let Some(h) = inner.holders.get_mut(block.index as usize) else {
            return false;
        };
        if h.len() <= word {
            h.resize(word + 1, 0);
        }
        let w = &mut h[word];
        let fresh = *w & (1 << bit) == 0;
        *w |= 1 << bit;
        fresh
    }

    /// Blocks made so far (the genesis block included).
    pub fn len(&self) -> usize {
        self.inner.borrow().blocks.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// General `v` holds `block` since `now` (counted once).
    pub fn reached(&self, block: &Block, v: NodeId, now: SimTime) {
        if !self.mark(block, v) {
            return;
        }
        let mut inner = self.inner.borrow_mut();
        let Some(r) = inner.reach.get_mut(block.index as usize) else {
            return;
        };
        r.holders += 1;
        let after = SimTime(now.0.saturating_sub(block.mined_at.0));
        r.total_us = r.total_us.saturating_add(after.0);
        let n = u64::from(self.generals.max(1));
        let holders = u64::from(r.holders);
        if r.half.is_none() && 2 * holders >= n {
            r.half = Some(after);
        }
        if r.most.is_none() && 10 * holders >= 9 * n {
            r.most = Some(after);
        }
    }

    /// The median over mined blocks (not the genesis block) of the time to reach half and
    /// nine tenths of the generals, in ms; `None` when no block got there.
    pub fn propagation_ms(&self) -> (Option<f64>, Option<f64>) {
        let inner = self.inner.borrow();
        let mined = inner.reach.get(1..).unwrap_or(&[]);
        let median = |pick: fn(&Reach) -> Option<SimTime>| {
            let mut xs: Vec<u64> = mined.iter().filter_map(pick).map(|t| t.0).collect();
            xs.sort_unstable();
            let k = xs.len();
            match k {
                0 => None,
                _ if k % 2 == 1 => Some(xs[k / 2] as f64 / 1000.0),
                _ => Some((xs[k / 2 - 1] + xs[k / 2]) as f64 / 2000.0),
            }
        };
        (median(|r| r.half), median(|r| r.most))
    }

    /// The mean time for a block to reach a general, in ms: over the blocks that reached every
    /// general, the mean of their times to each (the miner's 0 included). This is the delay τ
    /// of the first-order stale rate 1 − e^(−τ/T): while a block spreads, the generals it has
    /// not reached mine on without it.
    pub fn mean_reach_ms(&self) -> Option<f64> {
        let inner = self.inner.borrow();
        let all = self.generals.max(1);
        let means: Vec<f64> = inner
            .reach
            .get(1..)
            .unwrap_or(&[])
            .iter()
            .filter(|r| r.holders >= all)
            .map(|r| r.total_us as f64 / f64::from(r.holders) / 1000.0)
            .collect();
        crate::stats::mean(&means)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::nakamoto::make_block;

    #[test]
    fn propagation_is_the_median_time_to_half_and_nine_tenths() {
        let store = Store::new(10);
        let g = store.genesis(0x207fffff);
        assert_eq!(g.index, 0);
        assert_eq!(store.genesis(0x207fffff).index, 0, "made once");
        let header = g.header;
        // Three blocks mined at 0; holders join one per millisecond.
        let blocks: Vec<Rc<Block>> = (1..=3)
            .map(|i| make_block(&store, header, &g, i, NodeId(0), None, SimTime::ZERO))
            .collect();
        for (k, b) in blocks.iter().enumerate() {
            let step = (k as u64 + 1) * 1000;
            for h in 1..=10 {
                store.reached(b, NodeId(h as u32 - 1), SimTime(h * step));
            }
            store.reached(b, NodeId(0), SimTime(99 * step));
        }
        // Half (5 of 10) after 5, 10, 15 ms; nine tenths after 9, 18, 27 ms.
        assert_eq!(store.propagation_ms(), (Some(10.0), Some(18.0)));
        // Means 5.5, 11 and 16.5 ms.
        let mean = store.mean_reach_ms().unwrap();
        assert!((mean - 11.0).abs() < 1e-9, "{mean}");
        assert_eq!(store.len(), 4);
    }

    #[test]
    fn a_block_nobody_else_holds_is_left_out() {
        let store = Store::new(4);
        let g = store.genesis(0x207fffff);
        let b = make_block(&store, g.header, &g, 1, NodeId(0), None, SimTime::ZERO);
        store.reached(&b, NodeId(0), SimTime::ZERO);
        assert_eq!(store.propagation_ms(), (None, None));
        store.reached(&b, NodeId(0), SimTime(4000));
        assert_eq!(store.propagation_ms(), (None, None), "counted once");
        store.reached(&b, NodeId(1), SimTime(4000));
        assert_eq!(store.propagation_ms(), (Some(4.0), None));
        assert_eq!(store.mean_reach_ms(), None, "it reached 2 of 4");
    }
}
