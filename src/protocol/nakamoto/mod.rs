//! `pow`: agreement the Nakamoto way (Bitcoin whitepaper, 2008). The commander is a client whose
//! wallet signs a transaction carrying its order; every general is a node that keeps a block
//! tree, follows the chain with the most work (ties: the block seen first, or with probability
//! `pow.tie_share` the newcomer), and mines on its tip with its share of the hashrate. A node
//! decides the order of the first commander transaction in its chain once that block is
//! `pow.confirmations` deep (the block and those on top). Decisions are final; if the node's
//! chain later stops carrying that order, the decision was *reverted* and agreement fails.
//!
//! Blocks carry real 80-byte headers (`crate::pow`): previous hash, merkle root over the
//! transaction ids, time, compact target and nonce; the target is retargeted every
//! `pow.retarget_interval` blocks by Bitcoin's rule, scaled so that blocks aim at
//! `pow.block_interval_ms`. Mining is either drawn (`exponential`: the next block of a miner with
//! share s comes after an exponential time of mean work(target) / (s · hashrate)) or real
//! (`hash`: double SHA-256 over the header, nonce after nonce, at `pow.hashes_per_block`
//! expected hashes; simulated time advances by the tries over the miner's hash rate).
//!
//! Blocks and transactions spread by the network's flooding, over direct links on a complete
//! graph, or, with direct transport on any other graph, by the nodes' own gossip: a node passes
//! each new valid block (once its parent is known) and the first valid order to every neighbour
//! but the one it came from ([`PowParams::gossip`]). A node that receives a block whose parent
//! it lacks keeps it in a bounded orphan pool and fetches the missing ancestors with `getdata`
//! requests, from the sender first, then from its other peers, each asked once per round after
//! a timeout (see [`fetch`]); requests and replies are messages like any other, with latency,
//! counted, and a traitor may ignore them. A block carries the commander's signed
//! transaction; a node verifies the signature before it accepts or relays the block. Traitor
//! strategies: `selfish`, Eyal and Sirer's selfish mining (see [`selfish`]); `double-spend`, a
//! private-chain race (see [`double_spend`]); the generic `equivocate` commander signs two
//! orders, and the generic `drop` withholds relays.

pub mod chain;
pub mod double_spend;
pub mod fetch;
pub mod selfish;
pub mod store;

use std::rc::Rc;

use ed25519_dalek::Signature;
use rand::Rng;

use crate::general::Traitor;
use crate::general::{
    About, BlockAbout, Ctx, EstimateInput, Message, Protocol, ProtocolReport, Setup, Validity,
};
use crate::pow::{
    BlockHeader, ChainParams, Target, compact_to_target, merkle_root, next_work_required,
    target_to_compact,
};
use crate::types::{NodeId, SimTime, Value};
use chain::{Block, Tree};
use store::Store;

/// How blocks are found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mining {
    Exponential,
    Hash,
}

/// How blocks are relayed (`pow.relay`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Relay {
    /// The whole block.
    Full,
    /// A BIP 152 compact block: the header, a nonce and a 6-byte short id per transaction.
    Compact,
}

/// The mean size of a transaction, for the number of short ids in a compact block (Bitcoin's
/// mean was about 500 bytes in 2017–2019).
pub const MEAN_TX_BYTES: u32 = 500;

/// The bytes of a BIP 152 compact block standing for a block of `block_bytes`: the 80-byte
/// header, an 8-byte nonce, a 6-byte short id per transaction and the coinbase, sent whole
/// (about 250 bytes).
pub fn compact_bytes(block_bytes: u32) -> u32 {
    80 + 8 + 250 + 6 * block_bytes.div_ceil(MEAN_TX_BYTES)
}

/// The `[pow]` table.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PowParams {
    pub mining: Mining,
    pub block_interval: SimTime,
    pub confirmations: u64,
    pub retarget_interval: u32,
    /// Run until the main chain holds this many blocks (default: confirmations + give_up); a
    /// double spender holds the trial open longer, until its race is decided.
    pub blocks: Option<u64>,
    pub attacker_share: Option<f64>,
    pub tie_share: f64,
    pub give_up: u64,
    /// Blocks the double spender mines on its private chain before it pays (Rosenfeld 2014's
    /// pre-mined block is 1).
    pub head_start: u64,
    pub hashes_per_block: u64,
    /// From this time on, every miner's hashrate is multiplied by the factor.
    pub hashrate_change: Option<(SimTime, f64)>,
    /// A block's size in bytes (`pow.block_bytes`): what a full block takes over a link's
    /// bandwidth. `None`: block size is not modelled (a block counts its header and order).
    pub block_bytes: Option<u32>,
    pub relay: Relay,
    /// Compact relay: the share of compact blocks that cost one more round trip.
    pub compact_missing_share: f64,
    /// Set per trial, not by a key: the network delivers a broadcast to the neighbours only
    /// (direct transport on a graph that is not complete), so each node relays every new valid
    /// block and the first valid order itself, as Bitcoin nodes do.
    pub gossip: bool,
    /// Set by validation, not by a key: the trial's time limit. A hash miner grinds no further
    /// than the hashes it could compute before it, so `limits.max_time_ms` bounds the grinding.
    pub horizon: SimTime,
}

impl Default for PowParams {
    fn default() -> Self {
        PowParams {
            mining: Mining::Exponential,
            block_interval: SimTime::from_ms(600_000),
            confirmations: 6,
            retarget_interval: 2016,
            blocks: None,
            attacker_share: None,
            tie_share: 0.0,
            give_up: 20,
            head_start: 0,
            hashes_per_block: 1024,
            hashrate_change: None,
            block_bytes: None,
            relay: Relay::Full,
            compact_missing_share: 0.1,
            gossip: false,
            horizon: crate::engine::Limits::default().max_time,
        }
    }
}

impl PowParams {
    /// The main-chain height a node wants before the trial may end.
    pub fn end_height(&self) -> u64 {
        self.blocks.unwrap_or(self.confirmations + self.give_up)
    }

    /// The starting target: `hashes_per_block` expected hashes per block.
    pub fn initial_bits(&self) -> u32 {
        let per_block = self.hashes_per_block.max(1);
        target_to_compact(&Target::MAX.mul_div(1, per_block))
    }

    fn chain_params(&self) -> ChainParams {
        let interval = self.retarget_interval.max(1);
        let limit = Target::MAX;
        ChainParams::with_spacing(self.block_interval.0 as i64, interval, limit)
    }
}

/// The commander's signed order.
#[derive(Clone, Debug)]
pub struct Tx {
    pub value: Value,
    pub signature: Signature,
}

impl Tx {
    fn bytes(value: Value) -> [u8; 17] {
        let mut b = [0u8; 17];
        b[..16].copy_from_slice(b"byzsim/pow/order");
        b[16] = value as u8;
        b
    }

    /// The transaction id (double SHA-256 of its bytes and signature).
    pub fn id(&self) -> [u8; 32] {
        let mut data = Self::bytes(self.value).to_vec();
        data.extend_from_slice(&self.signature.to_bytes());
        crate::pow::double_sha256(&data)
    }
}

/// What the nodes send.
#[derive(Clone, Debug)]
pub enum PowMsg {
    Tx(Rc<Tx>),
    /// A block, with the commander's transaction it carries.
    Block(Rc<Block>),
    /// Bitcoin's `getdata`: a request for one missing block, named by its hash (see [`fetch`]).
    GetData(Rc<Block>),
}

impl Message for PowMsg {
    fn wire_bytes(&self) -> u32 {
        match self {
            PowMsg::Tx(_) => 1 + 64,
            PowMsg::Block(b) => b
                .relay_bytes
                .unwrap_or(80 + 32 + if b.tx.is_some() { 65 } else { 0 }),
            PowMsg::GetData(_) => fetch::GETDATA_BYTES,
        }
    }

    fn round_trip_share(&self) -> f64 {
        match self {
            PowMsg::Block(b) => b.round_trip_share,
            PowMsg::Tx(_) | PowMsg::GetData(_) => 0.0,
        }
    }

    /// "order attack"; "block 3 by general 2, carrying the order attack"; "block 4 by general
    /// 2 (its chain's order: attack, in block 3)".
    fn label(&self) -> String {
        match self {
            PowMsg::Tx(tx) => format!("order {}", tx.value),
            PowMsg::Block(b) => {
                let head = format!("block {} by general {}", b.height, b.miner);
                match (&b.tx, b.first_order) {
                    (Some(tx), _) => format!("{head}, carrying the order {}", tx.value),
                    (None, Some((v, h))) => format!("{head}, its chain's order: {v}, in block {h}"),
                    (None, None) => format!("{head}, no order on its chain yet"),
                }
            }
            PowMsg::GetData(b) => format!("getdata block {} by general {}", b.height, b.miner),
        }
    }

    /// The commander's order is one message (two signed orders are a double spend); each block
    /// is its own.
    fn about(&self) -> About {
        match self {
            PowMsg::Tx(tx) => About {
                slot: "order".to_string(),
                value: Some(tx.value),
                ..About::default()
            },
            PowMsg::Block(b) => About {
                slot: format!("block {:x}", b.id),
                value: b.first_order.map(|o| o.0),
                block: Some(BlockAbout {
                    height: b.height,
                    miner: b.miner.0,
                    parent: format!("block {:x}", b.parent_id),
                    mined_at: b.mined_at,
                }),
                ..About::default()
            },
            PowMsg::GetData(b) => About {
                slot: format!("getdata {:x}", b.id),
                ..About::default()
            },
        }
    }
}

/// One node. The fields every arriving message touches come first, together (`repr(C)` keeps
/// the order): with ten thousand nodes, each of a node's cache lines a message reaches is a trip
/// to memory.
#[repr(C)]
pub struct Pow {
    /// [`PowParams::end_height`], kept at hand.
    end_height: u64,
    /// The missing blocks it is asking for, and who it has heard from.
    fetch: fetch::Fetcher,
    tree: Tree,
    id: NodeId,
    commander: NodeId,
    order: Value,
    params: PowParams,
    /// This node's share of the total hashrate.
    share: f64,
    /// The trial's blocks (shared by its generals; see [`store`]).
    store: Rc<Store>,
    /// A buffer for the blocks one arrival connects (kept to spare an allocation per block).
    connected: Vec<Rc<Block>>,
    /// The first valid commander transaction seen.
    mempool: Option<Rc<Tx>>,
    /// Timers with another generation are stale (the tip moved under them).
    generation: u64,
    /// Hash mining: the header found for the pending timer.
    found: Option<BlockHeader>,
    /// The target the pending timer was drawn for.
    mining_bits: u32,
    mined: u64,
    decision: Option<Value>,
    reverted: Option<SimTime>,
    /// The reorganisation that reverted the decision: the tip before and after.
    reorg: Option<(Rc<Block>, Rc<Block>)>,
    /// Selfish mining state, when this node is a selfish traitor.
    pub(crate) selfish: Option<selfish::State>,
    /// Double-spend state, while this node (a traitorous commander) races a private chain.
    pub(crate) double_spend: Option<double_spend::State>,
}

/// A proof-of-work node's timers. Mining timers carry the generation of the tip they were drawn
/// for: one of another generation is stale (the tip moved under it) and ignored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PowTimer {
    /// The block being mined is found.
    Mine { generation: u64 },
    /// The hashrate changes: draw the next block time again.
    Redraw { generation: u64 },
    /// A block request (`getdata`) went unanswered: ask the next peer.
    Fetch { serial: u64 },
}

impl Pow {
    /// The chain this node mines on.
    fn base(&self) -> Rc<Block> {
        match (&self.selfish, &self.double_spend) {
            (Some(s), _) => Rc::clone(&s.private_tip),
            (_, Some(d)) => Rc::clone(&d.private_tip),
            _ => Rc::clone(&self.tree.tip),
        }
    }

    /// The compact target of the block after `parent`.
    fn bits_after(&self, parent: &Block) -> u32 {
        let interval = self.params.retarget_interval.max(1) as u64;
        let height = parent.height + 1;
        if !height.is_multiple_of(interval) || height < interval {
            return parent.header.bits;
        }
        let mut first = parent;
        for _ in 0..interval - 1 {
            match first.parent.as_deref() {
                Some(p) => first = p,
                None => break,
            }
        }
        let p = self.params.chain_params();
        next_work_required(
            parent.header.bits,
            first.mined_at.0 as i64,
            parent.mined_at.0 as i64,
            &p,
        )
    }

    /// Total hashes per microsecond of all miners at `now`.
    fn total_rate(&self, now: SimTime) -> f64 {
        let base = self.params.hashes_per_block as f64 / self.params.block_interval.0.max(1) as f64;
        match self.params.hashrate_change {
            Some((at, factor)) if now >= at => base * factor,
            _ => base,
        }
    }

    /// Starts (or restarts) mining on the current base.
    fn schedule(&mut self, ctx: &mut Ctx<Pow>) {
        self.generation += 1;
        self.found = None;
        if self.share <= 0.0 {
            return;
        }
        let base = self.base();
        let bits = self.bits_after(&base);
        self.mining_bits = bits;
        let work = compact_to_target(bits).map_or(f64::INFINITY, |t| t.work());
        let rate = self.share * self.total_rate(ctx.now);
        let micros = match self.params.mining {
            Mining::Exponential => {
                let u: f64 = ctx.rng.random();
                -libm::log(1.0 - u) * work / rate
            }
            Mining::Hash => {
                let mut header = self.template(ctx, &base, bits);
                header.nonce = ctx.rng.random();
                // Hashes this miner computes before the time limit; no block found in them could
                // matter, so the grind stops there and the trial ends at its time limit.
                let before_limit = self.params.horizon.0.saturating_sub(ctx.now.0) as f64 * rate;
                let budget = (before_limit.ceil() as u64).saturating_add(1);
                let tries = grind(&mut header, budget, NONCES);
                // The miner was already hashing when it (re)started: the first try completes
                // after a uniform fraction of a hash time, so that miners restarted together
                // do not find blocks on a common lattice of instants.
                let phase: f64 = ctx.rng.random();
                match tries {
                    Some(tries) => {
                        self.found = Some(header);
                        (tries as f64 - 1.0 + phase) / rate
                    }
                    // Past the time limit: the timer never fires, the trial stops at the limit.
                    None => (self.params.horizon.0.saturating_sub(ctx.now.0) + 1) as f64,
                }
            }
        };
        let at = ctx
            .now
            .saturating_add(SimTime(micros.ceil().min(u64::MAX as f64 / 2.0) as u64));
        match self.params.hashrate_change {
            // The rate changes before this draw would fire: draw again then (memoryless, so
            // exact for exponential mining; hash mining restarts its grind).
            Some((change, _)) if ctx.now < change && at > change => {
                let generation = self.generation;
                ctx.timer_at(change, PowTimer::Redraw { generation });
            }
            _ => {
                let generation = self.generation;
                ctx.timer_at(at, PowTimer::Mine { generation });
            }
        }
    }

    /// The header of a block on `parent` (nonce to be found).
    fn template(&self, ctx: &Ctx<Pow>, parent: &Block, bits: u32) -> BlockHeader {
        let height = parent.height + 1;
        let mut ids = vec![coinbase_id(self.id, height)];
        if let Some(tx) = self.tx_for(parent) {
            ids.push(tx.id());
        }
        BlockHeader {
            version: 0x2000_0000,
            prev_hash: parent.hash,
            merkle_root: merkle_root(&ids),
            time: (ctx.now.0 / 1_000_000) as u32,
            bits,
            nonce: 0,
        }
    }

    /// The commander transaction a block on `parent` would carry (the conflicting one on a
    /// double spender's private chain).
    fn tx_for(&self, parent: &Block) -> Option<&Rc<Tx>> {
        let tx = match &self.double_spend {
            Some(d) => Some(&d.conflicting),
            None => self.mempool.as_ref(),
        };
        tx.filter(|_| parent.first_order.is_none())
    }

    /// The mining timer fired: the block is found.
    fn mine(&mut self, ctx: &mut Ctx<Pow>) {
        let parent = self.base();
        let bits = self.bits_after(&parent);
        let header = match self.found.take() {
            Some(h) if h.prev_hash == parent.hash => h,
            _ => {
                let mut h = self.template(ctx, &parent, bits);
                h.nonce = ctx.rng.random();
                h
            }
        };
        let tx = self.tx_for(&parent).cloned();
        let id = ((self.id.0 as u64) << 32) | self.mined;
        let block = make_block(&self.store, header, &parent, id, self.id, tx, ctx.now);
        self.mined += 1;
        if self.selfish.is_some() {
            selfish::on_own_block(self, ctx, block);
        } else if self.double_spend.is_some() {
            double_spend::on_own_block(self, ctx, block);
        } else {
            self.tree.add_own(&block);
            self.tree.tip = Rc::clone(&block);
            ctx.broadcast(PowMsg::Block(block));
            self.after_tip_change(ctx);
        }
        self.schedule(ctx);
    }

    /// A block arrived.
    fn receive(&mut self, ctx: &mut Ctx<Pow>, from: NodeId, block: Rc<Block>) {
        if self.tree.knows(&block) {
            return;
        }
        if let Some(tx) = &block.tx
            && !ctx.verify(self.commander, &Tx::bytes(tx.value), &tx.signature)
        {
            return;
        }
        if self.params.mining == Mining::Hash && !block.header.meets_target() {
            return;
        }
        let old_base = self.base().id;
        let old_tip = Rc::clone(&self.tree.tip);
        let mut connected = std::mem::take(&mut self.connected);
        self.tree.add(Rc::clone(&block), &mut connected, ctx.now);
        fetch::on_block(self, ctx, from, &block);
        for b in connected.drain(..) {
            let valid_bits = b
                .parent
                .as_ref()
                .is_some_and(|p| self.bits_after(p) == b.header.bits);
            if !valid_bits {
                continue;
            }
            self.relay(ctx, from, PowMsg::Block(Rc::clone(&b)));
            if self.selfish.is_some() {
                selfish::on_public_block(self, ctx, &b);
            } else if self.tree.beats_tip(&b)
                || (self.tree.ties_tip(&b)
                    && self.params.tie_share > 0.0
                    && ctx.rng.random::<f64>() < self.params.tie_share)
            {
                self.tree.tip = b;
            }
        }
        self.connected = connected;
        if self.double_spend.is_some() {
            double_spend::check(self, ctx);
        }
        self.after_tip_change(ctx);
        if self.reverted.is_some() && self.reorg.is_none() {
            self.reorg = Some((old_tip, Rc::clone(&self.tree.tip)));
        }
        // Exponential mining is memoryless: a new tip needs a new draw only if the target moved.
        let base = self.base();
        let moved = base.id != old_base;
        if moved
            && (self.params.mining == Mining::Hash || self.bits_after(&base) != self.mining_bits)
        {
            self.schedule(ctx);
        }
    }

    /// Gossip (see [`PowParams::gossip`]): passes a new valid block or order on to every
    /// neighbour but the one it came from. Without gossip the network spreads it already.
    fn relay(&self, ctx: &mut Ctx<Pow>, from: NodeId, msg: PowMsg) {
        if !self.params.gossip {
            return;
        }
        ctx.broadcast_except(msg, from);
    }

    /// Decides, or notices a reverted decision.
    fn after_tip_change(&mut self, ctx: &Ctx<Pow>) {
        let tip = &self.tree.tip;
        match (self.decision, tip.first_order) {
            (None, Some((value, height)))
                if tip.height + 1 >= height + self.params.confirmations =>
            {
                self.decision = Some(value);
            }
            (Some(decided), order)
                if order.map(|o| o.0) != Some(decided) && self.reverted.is_none() =>
            {
                self.reverted = Some(ctx.now);
            }
            _ => {}
        }
    }
}

/// A reorganisation from the tip `old` to the tip `new`, in words: where they fork, the blocks
/// dropped (and how deep the order was buried in them), the heavier blocks that replaced them.
fn reorg_words(old: &Rc<Block>, new: &Rc<Block>) -> String {
    let (mut a, mut b) = (old, new);
    while a.height > b.height {
        a = a.parent.as_ref().unwrap_or(a);
    }
    while b.height > a.height {
        b = b.parent.as_ref().unwrap_or(b);
    }
    while a.id != b.id {
        match (&a.parent, &b.parent) {
            (Some(pa), Some(pb)) => (a, b) = (pa, pb),
            _ => break,
        }
    }
    let fork = a.height;
    let branch = |tip: &Rc<Block>| {
        let mut miners: Vec<u32> = Vec::new();
        let mut x = tip;
        while x.height > fork {
            miners.push(x.miner.0);
            x = x.parent.as_ref().unwrap_or(x);
        }
        miners.sort_unstable();
        miners.dedup();
        let miners: Vec<String> = miners.iter().map(u32::to_string).collect();
        let count = tip.height - fork;
        let blocks = match count {
            1 => format!("block {}", tip.height),
            _ => format!("blocks {}–{}", fork + 1, tip.height),
        };
        let by = match miners.as_slice() {
            [one] => format!("general {one}"),
            _ => format!("generals {}", miners.join(", ")),
        };
        (count, format!("{blocks}, mined by {by}"))
    };
    let (dropped, old_blocks) = branch(old);
    let (added, new_blocks) = branch(new);
    let held = match old.first_order {
        Some((v, h)) => {
            let deep = (old.height + 1).saturating_sub(h);
            format!(
                ", whose order {v} sat in block {h}, {deep} block{} deep",
                if deep == 1 { "" } else { "s" }
            )
        }
        None => String::new(),
    };
    let carries = match new.first_order {
        Some((v, h)) => format!("carrying the order {v} in block {h}"),
        None => "carrying no order".to_string(),
    };
    format!(
        "it dropped {dropped} block{} after block {fork} ({old_blocks}){held}, for {added} heavier block{} ({new_blocks}) {carries}",
        if dropped == 1 { "" } else { "s" },
        if added == 1 { "" } else { "s" }
    )
}

fn coinbase_id(miner: NodeId, height: u64) -> [u8; 32] {
    let mut data = [0u8; 12];
    data[..4].copy_from_slice(&miner.0.to_le_bytes());
    data[4..].copy_from_slice(&height.to_le_bytes());
    crate::pow::double_sha256(&data)
}

/// Tries nonces until the header meets its target (`crate::pow::mine`, the grind the bench
/// measures); returns the number of hashes.
/// Nonces in a header: 2^32.
const NONCES: u64 = 1 << 32;

/// Grinds `header` for a hash at or below its target, trying at most `max_tries` hashes, and
/// returns how many it tried (the winner included). After all `nonces` nonces of one header
/// time it rolls the time one second forward and grinds again, as Bitcoin miners do (nTime
/// rolling), so a target harder than 2^32 hashes is still met. `None`: no hash met the target
/// within `max_tries`, or the target is not valid.
fn grind(header: &mut BlockHeader, max_tries: u64, nonces: u64) -> Option<u64> {
    compact_to_target(header.bits)
        .ok()
        .filter(|t| !t.is_zero())?;
    let mut tried: u64 = 0;
    while tried < max_tries {
        let round = (max_tries - tried).min(nonces);
        if let Some(k) = crate::pow::mine(header, round) {
            return Some(tried + k);
        }
        tried += round;
        if round == nonces {
            header.time = header.time.wrapping_add(1);
        }
    }
    None
}

/// A block on `parent` with `header`, added to the trial's `store`.
pub(crate) fn make_block(
    store: &Store,
    header: BlockHeader,
    parent: &Rc<Block>,
    id: u64,
    miner: NodeId,
    tx: Option<Rc<Tx>>,
    now: SimTime,
) -> Rc<Block> {
    let work = compact_to_target(header.bits).map_or(0.0, |t| t.work());
    let height = parent.height + 1;
    store.add(|index| Block {
        hash: header.hash(),
        header,
        id,
        parent_id: parent.id,
        index,
        height,
        miner,
        first_order: parent
            .first_order
            .or(tx.as_ref().map(|t| (t.value, height))),
        tx,
        chain_work: parent.chain_work + work,
        mined_at: now,
        relay_bytes: store.relay_bytes(),
        round_trip_share: store.round_trip_share(),
        parent: Some(Rc::clone(parent)),
    })
}

/// Each general's share of the hashrate: equal shares among the `n` generals, or
/// `attacker_share` split among the traitors and the rest among the loyal generals. Sybil
/// identities (`traitor[v]` for v ≥ n) have no hashrate.
pub fn hashrates(n: usize, attacker_share: Option<f64>, traitor: &[bool]) -> Vec<f64> {
    let t = traitor[..n].iter().filter(|x| **x).count();
    let q = attacker_share.filter(|_| t > 0 && t < n);
    (0..traitor.len())
        .map(|v| match (v < n, traitor[v], q) {
            (false, _, _) => 0.0,
            (true, true, Some(q)) => q / t as f64,
            (true, false, Some(q)) => (1.0 - q) / (n - t) as f64,
            (true, _, None) => 1.0 / n as f64,
        })
        .collect()
}

/// The parameters of one proof-of-work trial: the `[pow]` table, each general's share of the
/// hashrate (which depends on who the traitors are), and the trial's block store (made with the
/// parameters, once per trial, and shared by its generals).
#[derive(Clone, Debug, Default)]
pub struct PowSetup {
    pub pow: PowParams,
    pub hashrate: Vec<f64>,
    pub store: Rc<Store>,
}

impl Protocol for Pow {
    type Msg = PowMsg;
    type Params = PowSetup;
    type Timer = PowTimer;
    const NAME: &'static str = "pow";
    const SIGNED: bool = true;
    const VALIDITY: Validity = Validity::Commander;
    const ROUND_BASED: bool = false;
    const STRATEGIES: &'static [&'static str] = &["selfish", "double-spend"];

    fn new(id: NodeId, setup: &Setup, params: &PowSetup) -> Self {
        Pow {
            end_height: params.pow.end_height(),
            id,
            commander: setup.commander,
            order: setup.order,
            params: PowParams {
                gossip: setup.neighbours_only,
                ..params.pow
            },
            share: params.hashrate.get(id.idx()).copied().unwrap_or(0.0),
            tree: Tree::new(
                Rc::clone(&params.store),
                params.store.genesis(params.pow.initial_bits()),
                id,
            ),
            store: Rc::clone(&params.store),
            connected: Vec::new(),
            fetch: fetch::Fetcher::new(setup.n, setup.neighbours_only),
            mempool: None,
            generation: 0,
            found: None,
            mining_bits: 0,
            mined: 0,
            decision: None,
            reverted: None,
            reorg: None,
            selfish: None,
            double_spend: None,
        }
    }

    fn start(&mut self, ctx: &mut Ctx<Pow>) {
        if self.id == self.commander {
            let signature = ctx.sign(&Tx::bytes(self.order));
            let tx = Tx {
                value: self.order,
                signature,
            };
            let tx = Rc::new(tx);
            self.mempool = Some(Rc::clone(&tx));
            ctx.broadcast(PowMsg::Tx(tx));
        }
        self.schedule(ctx);
    }

    fn on_message(&mut self, ctx: &mut Ctx<Pow>, from: NodeId, msg: PowMsg) {
        self.fetch.heard(from);
        match msg {
            PowMsg::Tx(tx) => {
                if self.mempool.is_none()
                    && ctx.verify(self.commander, &Tx::bytes(tx.value), &tx.signature)
                {
                    self.relay(ctx, from, PowMsg::Tx(Rc::clone(&tx)));
                    self.mempool = Some(tx);
                }
            }
            PowMsg::Block(block) => self.receive(ctx, from, block),
            PowMsg::GetData(block) => fetch::serve(self, ctx, from, &block),
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<Pow>, timer: PowTimer) {
        match timer {
            PowTimer::Fetch { serial } => fetch::on_timeout(self, ctx, serial),
            PowTimer::Mine { generation } if generation == self.generation => self.mine(ctx),
            PowTimer::Redraw { generation } if generation == self.generation => self.schedule(ctx),
            PowTimer::Mine { .. } | PowTimer::Redraw { .. } => {}
        }
    }

    fn decision(&self) -> Option<Value> {
        self.decision
    }

    fn keep_running(&self) -> bool {
        self.tree.tip.height < self.end_height
    }

    fn reverted(&self) -> Option<SimTime> {
        self.reverted
    }

    fn reversion(&self) -> Option<String> {
        let (old, new) = self.reorg.as_ref()?;
        Some(reorg_words(old, new))
    }

    fn timer_name(&self, timer: &PowTimer) -> String {
        let height = self.base().height + 1;
        match *timer {
            PowTimer::Fetch { serial } => format!("getdata {serial} unanswered: ask the next peer"),
            PowTimer::Mine { generation } if generation == self.generation => {
                format!("mining: general {} finds block {height}", self.id)
            }
            PowTimer::Mine { .. } => "mining timer of an abandoned tip (ignored)".to_string(),
            PowTimer::Redraw { generation } if generation == self.generation => {
                "hashrate change: draw the next block time again".to_string()
            }
            PowTimer::Redraw { .. } => {
                "hashrate-change timer of an abandoned tip (ignored)".to_string()
            }
        }
    }

    /// The commander's wallet re-signs its order: a double spend.
    fn with_value(ctx: &mut Ctx<Pow>, msg: &PowMsg, value: Value) -> Option<PowMsg> {
        match msg {
            PowMsg::Tx(_) => {
                let signature = ctx.sign(&Tx::bytes(value));
                Some(PowMsg::Tx(Rc::new(Tx { value, signature })))
            }
            PowMsg::Block(..) | PowMsg::GetData(..) => None,
        }
    }

    fn report(nodes: &[Self], honest: &[bool]) -> ProtocolReport {
        let main = nodes
            .iter()
            .zip(honest)
            .filter(|(_, h)| **h)
            .map(|(n, _)| &n.tree.tip)
            .fold(None::<&Rc<Block>>, |best, tip| match best {
                Some(b) if b.chain_work >= tip.chain_work => Some(b),
                _ => Some(tip),
            });
        let Some(main) = main else {
            return ProtocolReport::default();
        };
        let mined: u64 = nodes.iter().map(|n| n.mined).sum();
        let (p50, p90) = nodes
            .first()
            .map_or((None, None), |n| n.store.propagation_ms());
        let (mut by_traitors, mut b) = (0u64, Some(main.as_ref()));
        while let Some(x) = b.filter(|x| x.height > 0) {
            if !honest.get(x.miner.idx()).copied().unwrap_or(true) {
                by_traitors += 1;
            }
            b = x.parent.as_deref();
        }
        ProtocolReport {
            blocks: Some(main.height),
            stale_blocks: Some(mined.saturating_sub(main.height)),
            attacker_share_main: Some(by_traitors as f64 / main.height.max(1) as f64),
            block_interval_ms: Some(main.mined_at.as_ms() / main.height.max(1) as f64),
            views: None,
            propagation_p50_ms: p50,
            propagation_p90_ms: p90,
            propagation_mean_ms: nodes.first().and_then(|n| n.store.mean_reach_ms()),
        }
    }

    /// Each block (and the commander's transaction) is broadcast once by its maker: n − 1 sends
    /// over direct links (stale blocks add a few per cent).
    fn estimate(e: &EstimateInput) -> f64 {
        let n = e.n as f64;
        (n - 1.0) * (e.blocks as f64 * 1.1 + 1.0)
    }

    fn strategy(
        name: &str,
        _id: NodeId,
        _setup: &Setup,
        _params: &PowSetup,
        _traitors: &[NodeId],
    ) -> Option<Box<dyn Traitor<Self>>> {
        match name {
            "selfish" => Some(Box::new(selfish::Selfish)),
            "double-spend" => Some(Box::new(double_spend::DoubleSpend)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(hashes_per_block: u64) -> BlockHeader {
        let params = PowParams {
            hashes_per_block,
            ..PowParams::default()
        };
        BlockHeader {
            version: 0x2000_0000,
            prev_hash: [7; 32],
            merkle_root: [9; 32],
            time: 1000,
            bits: params.initial_bits(),
            nonce: 0,
        }
    }

    /// A target that needs more hashes than one header time has nonces (here 16 stand for
    /// Bitcoin's 2^32) is still met: the miner rolls the header time, and counts every hash.
    #[test]
    fn a_target_harder_than_the_nonce_space_is_met_by_rolling_the_time() {
        for start in 0..20u32 {
            let mut h = header(2048);
            h.nonce = start.wrapping_mul(0x9E37_79B9);
            let tries = grind(&mut h, u64::MAX, 16).expect("a block is found");
            let target = compact_to_target(h.bits).unwrap();
            assert!(Target::from_le_bytes(h.hash()) <= target);
            assert_eq!(
                u64::from(h.time - 1000),
                (tries - 1) / 16,
                "one roll per 16 nonces"
            );
        }
    }

    #[test]
    fn a_grind_stops_at_its_budget() {
        let mut h = header(1 << 40);
        assert_eq!(grind(&mut h, 1000, NONCES), None);
        assert_eq!(h.time, 1000, "no roll within the first 2^32 nonces");
    }
}
