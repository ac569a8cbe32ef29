//! The block tree of a proof-of-work trial, as its trace shows it: every block a message carried
//! (height, miner, parent, when it was mined), the main chain, and each node's tip over time.
//!
//! The trace records what each node sent and was handed, not its internal tip, so a node's tip
//! here is derived: the highest block it holds whose ancestors it also holds (a block whose
//! parent it lacks waits, as in its orphan pool), ties going to the block it got first. That is
//! the protocol's rule for honest nodes with `pow.tie_share = 0`; a traitor's private chain
//! shows only once it sends or withholds its blocks. The page says so in its legend.

use std::collections::BTreeMap;

use crate::engine::trace::TraceEvent;
use crate::trace_index::TraceIndex;

/// One block of the tree.
#[derive(Clone, Debug, PartialEq)]
pub struct TreeBlock {
    /// The message that carries it (its first appearance in the message table).
    pub msg: u32,
    pub height: u64,
    pub miner: u32,
    /// Its parent's number in [`BlockTree::blocks`]; `None` for a child of genesis (or of a
    /// block the trace never carried).
    pub parent: Option<usize>,
    pub mined_at_us: u64,
    pub main: bool,
}

/// The tree and the tips.
#[derive(Clone, Debug, Default)]
pub struct BlockTree {
    pub blocks: Vec<TreeBlock>,
    /// (trace position, node, block): from that event on, the node's tip is that block.
    pub tips: Vec<(usize, u32, usize)>,
}

/// The block tree of an indexed trace (empty when no message is a block).
pub fn block_tree(index: &TraceIndex) -> BlockTree {
    let rec = index.rec;
    // Blocks by slot: a block may appear in several messages (its words name the chain's
    // order, which is the same); the first message names it.
    let mut by_slot: BTreeMap<&str, usize> = BTreeMap::new();
    let mut block_of_msg: Vec<Option<usize>> = vec![None; rec.messages().len()];
    let mut blocks: Vec<TreeBlock> = Vec::new();
    let mut parents: Vec<&str> = Vec::new();
    for (m, info) in rec.messages().iter().enumerate() {
        let Some(b) = &info.about.block else {
            continue;
        };
        let i = *by_slot.entry(info.about.slot.as_str()).or_insert_with(|| {
            blocks.push(TreeBlock {
                msg: m as u32,
                height: b.height,
                miner: b.miner,
                parent: None,
                mined_at_us: b.mined_at.0,
                main: false,
            });
            parents.push(b.parent.as_str());
            blocks.len() - 1
        });
        block_of_msg[m] = Some(i);
    }
    if blocks.is_empty() {
        return BlockTree::default();
    }
    for (i, p) in parents.iter().enumerate() {
        blocks[i].parent = by_slot.get(p).copied();
    }
    // The main chain: the highest block (the first mined on a tie) and its ancestors.
    let top = (0..blocks.len()).min_by_key(|&i| {
        (
            std::cmp::Reverse(blocks[i].height),
            blocks[i].mined_at_us,
            i,
        )
    });
    let mut cur = top;
    while let Some(i) = cur {
        blocks[i].main = true;
        cur = blocks[i].parent;
    }
    let tips = tips(index, &blocks, &block_of_msg);
    BlockTree { blocks, tips }
}

/// Each node's tip changes, in trace order.
fn tips(
    index: &TraceIndex,
    blocks: &[TreeBlock],
    block_of_msg: &[Option<usize>],
) -> Vec<(usize, u32, usize)> {
    let n = index.n();
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); blocks.len()];
    for (i, b) in blocks.iter().enumerate() {
        if let Some(p) = b.parent {
            children[p].push(i);
        }
    }
    // 0: not held, 1: held but waiting for its parent, 2: connected.
    let mut state = vec![0u8; n * blocks.len()];
    let mut tip: Vec<Option<usize>> = vec![None; n];
    let mut out = Vec::new();
    let mut stack = Vec::new();
    for (pos, e) in index.rec.events().iter().enumerate() {
        let (node, msg) = match *e {
            TraceEvent::Send { from, msg, .. } => (from, msg),
            TraceEvent::Withheld { by, msg, .. } => (by, msg),
            TraceEvent::Deliver {
                seq,
                handed: true,
                to,
                ..
            } => match index.transmission_of(seq) {
                Some(k) => (to, index.sent(k).msg),
                None => continue,
            },
            _ => continue,
        };
        let Some(b) = block_of_msg.get(msg as usize).copied().flatten() else {
            continue;
        };
        let v = node.idx();
        if v >= n || state[v * blocks.len() + b] != 0 {
            continue;
        }
        let parent_ready = blocks[b]
            .parent
            .is_none_or(|p| state[v * blocks.len() + p] == 2);
        if !parent_ready {
            state[v * blocks.len() + b] = 1;
            continue;
        }
        let before = tip[v];
        stack.push(b);
        while let Some(c) = stack.pop() {
            state[v * blocks.len() + c] = 2;
            if tip[v].is_none_or(|t| blocks[c].height > blocks[t].height) {
                tip[v] = Some(c);
            }
            stack.extend(
                children[c]
                    .iter()
                    .filter(|&&k| state[v * blocks.len() + k] == 1),
            );
        }
        if tip[v] != before
            && let Some(t) = tip[v]
        {
            out.push((pos, v as u32, t));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::trial_seed;
    use crate::scenario::Scenario;
    use crate::trial::{run_trial, traitors_of};

    #[test]
    fn the_tree_read_from_an_honest_trace_has_the_rows_main_chain_and_stale_blocks() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/scenarios/pow-honest-agrees.toml"
        );
        let sc =
            Scenario::load(std::path::Path::new(path), &["pow.blocks=30".to_string()]).unwrap();
        for trial in 0..4 {
            let seed = trial_seed(sc.seed, trial);
            let r = run_trial(&sc, sc.kinds[0], trial, seed, true).unwrap();
            let traitors = traitors_of(&sc, seed);
            let rec = r.trace.as_ref().unwrap();
            assert!(rec.cut().is_none());
            let tree = block_tree(&TraceIndex::new(rec, &traitors));
            let main = tree.blocks.iter().filter(|b| b.main).count() as u64;
            let stale = tree.blocks.len() as u64 - main;
            assert_eq!(Some(main), r.record.blocks, "trial {trial}");
            assert_eq!(Some(stale), r.record.stale_blocks, "trial {trial}");
            // Every node ends on the main chain's top block, which it reached by rising tips.
            let top = tree
                .blocks
                .iter()
                .position(|b| b.main && b.height == main)
                .unwrap();
            for v in 0..sc.n as u32 {
                let mine: Vec<usize> = tree.tips.iter().filter(|t| t.1 == v).map(|t| t.2).collect();
                assert_eq!(mine.last(), Some(&top), "node {v}, trial {trial}");
                assert!(
                    mine.windows(2)
                        .all(|w| tree.blocks[w[0]].height < tree.blocks[w[1]].height)
                );
            }
        }
    }
}
