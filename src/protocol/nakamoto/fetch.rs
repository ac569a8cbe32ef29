//! Fetching missing blocks, as Bitcoin's `getdata` does. A node that receives a block whose
//! parent it lacks keeps it in the orphan pool (see [`super::chain`]) and fetches the nearest
//! missing ancestor:
//!
//! - It first waits [`timeout`] (a tenth of the block interval) for the ancestor to arrive by
//!   itself: on a relaying network (flooding, gossip) blocks overtake one another on different
//!   paths, and an orphan's parent is usually in flight. A block that arrives as the answer to a
//!   request is not waited for: if it is an orphan too, its parent is asked for at once.
//! - Then it asks the general that sent the orphan (an honest sender holds the parent: it mines
//!   and relays only blocks it has connected), and each time a request goes unanswered for
//!   [`timeout`], the next peer: another general that sent a descendant, else the next general
//!   in id order after itself (on a gossip network only the neighbours it has heard from, the
//!   others being out of reach; on a complete graph or a flooding network, everyone).
//! - It asks each peer at most once per round. When every peer has been asked the round ends,
//!   and only a further orphan arriving starts another, so requests are bounded by the orphans
//!   received times the peers: no request loops.
//!
//! The reply is the block itself. When it connects, the orphans under it connect too; when it is
//! an orphan itself, its own parent is fetched in turn (a round trip per missing block).
//!
//! An honest node serves every block in its tree (not the unpublished private blocks of a selfish
//! or double-spending miner). Requests and replies cross the network with its latency and count
//! in `messages` and `bytes`. A traitor's behaviour rewrites its replies like any other send:
//! `drop` and `scripted` may withhold them, and the requester moves on to its next peer. So a
//! traitor that withholds a block from a node delays it, by a timeout and a round trip per peer
//! asked, but cannot strand it while an honest peer holds the block.

use std::rc::Rc;

use super::chain::Block;
use super::{Pow, PowMsg, PowTimer};
use crate::general::Ctx;
use crate::types::{NodeId, SimTime};

/// Bytes of a `getdata` naming one block: a one-byte count and one inventory vector (a 4-byte
/// type and the 32-byte hash).
pub(super) const GETDATA_BYTES: u32 = 1 + 36;

/// How long an orphan's parent may take to arrive by itself before it is asked for, and a
/// request to go unanswered before the next peer is asked: a tenth of the block interval, long
/// against a round trip wherever blocks do not fork constantly, short against the time to
/// confirm (Bitcoin: a minute against ten).
pub fn timeout(pow: &Pow) -> SimTime {
    SimTime(pow.params.block_interval.0 / 10)
}

/// One missing block being asked for.
#[derive(Debug)]
struct Request {
    /// The missing block (named by its hash; see [`super::chain::Tree::missing_ancestor`]).
    block: Rc<Block>,
    /// Peers asked in this round, ascending (a handful: a list, not a mask of n).
    asked: Vec<NodeId>,
    /// Peers that sent a descendant and were not asked yet, in the order they sent it.
    senders: Vec<NodeId>,
    /// The serial of the pending timeout.
    serial: u64,
}

impl Request {
    fn was_asked(&self, p: NodeId) -> bool {
        self.asked.binary_search(&p).is_ok()
    }
}

/// How many of the generals heard from are kept inline (in the node itself, so the check made
/// on every message touches no other memory): the usual number of a node's neighbours.
const HEARD_INLINE: usize = 8;

/// A set of generals, the first [`HEARD_INLINE`] kept inline, the rest in a sorted list.
#[derive(Debug, Default)]
#[repr(C)]
struct Heard {
    inline: [u32; HEARD_INLINE],
    len: u8,
    more: Vec<NodeId>,
}

impl Heard {
    #[inline]
    fn insert(&mut self, v: NodeId) {
        let len = self.len as usize;
        if self.inline[..len].contains(&v.0) {
            return;
        }
        if len < HEARD_INLINE {
            self.inline[len] = v.0;
            self.len += 1;
        } else if let Err(i) = self.more.binary_search(&v) {
            self.more.insert(i, v);
        }
    }

    /// The members, ascending.
    fn sorted(&self) -> Vec<NodeId> {
        let inline = self.inline[..self.len as usize].iter().map(|&v| NodeId(v));
        let mut all: Vec<NodeId> = inline.chain(self.more.iter().copied()).collect();
        all.sort_unstable();
        all
    }
}

/// A node's fetching state.
#[derive(Debug)]
#[repr(C)]
pub struct Fetcher {
    /// The number of generals.
    n: usize,
    /// Whether to keep `heard`.
    gossip: bool,
    /// The generals it has heard from; kept on a gossip network only (its neighbours: a
    /// handful), where only they can be asked.
    heard: Heard,
    requests: Vec<Request>,
    next_serial: u64,
}

impl Fetcher {
    pub fn new(n: usize, gossip: bool) -> Fetcher {
        Fetcher {
            heard: Heard::default(),
            gossip,
            n,
            requests: Vec::new(),
            next_serial: 0,
        }
    }

    /// A message came from `from`.
    #[inline]
    pub fn heard(&mut self, from: NodeId) {
        if self.gossip && from.idx() < self.n {
            self.heard.insert(from);
        }
    }

    /// The peers `me` may ask, in id order after itself: everyone on a complete graph or a
    /// flooding network, the generals heard from on a gossip network.
    fn peers(&self, me: NodeId) -> Vec<NodeId> {
        if !self.gossip {
            let n = self.n;
            return (1..n)
                .map(|k| NodeId(((me.idx() + k) % n) as u32))
                .collect();
        }
        let mut heard = self.heard.sorted();
        heard.retain(|p| *p != me);
        let split = heard.partition_point(|p| *p < me);
        heard.rotate_left(split);
        heard
    }
}

/// Block `block` arrived from `from` and was added to the tree or the orphan pool: closes the
/// request for it, and if it waits for an ancestor, asks for that one.
pub(super) fn on_block(pow: &mut Pow, ctx: &mut Ctx<Pow>, from: NodeId, block: &Block) {
    let before = pow.fetch.requests.len();
    pow.fetch.requests.retain(|r| r.block.id != block.id);
    let fetched = pow.fetch.requests.len() < before;
    if pow.tree.knows(block) {
        return;
    }
    let Some(missing) = pow.tree.missing_ancestor(block) else {
        return;
    };
    let n = ctx.n;
    let f = &mut pow.fetch;
    match f.requests.iter_mut().position(|r| r.block.id == missing.id) {
        Some(i) => {
            let r = &mut f.requests[i];
            let asked = from.idx() >= n || r.was_asked(from);
            if !asked && !r.senders.contains(&from) {
                r.senders.push(from);
            }
        }
        None => {
            f.requests.push(Request {
                block: missing,
                asked: Vec::new(),
                senders: vec![from],
                serial: 0,
            });
            let i = f.requests.len() - 1;
            if fetched {
                ask_next(pow, ctx, i);
            } else {
                wait(pow, ctx, i);
            }
        }
    }
}

/// Sets request `i`'s timeout.
fn wait(pow: &mut Pow, ctx: &mut Ctx<Pow>, i: usize) {
    let at = ctx.now.saturating_add(timeout(pow));
    let f = &mut pow.fetch;
    f.requests[i].serial = f.next_serial;
    f.next_serial += 1;
    let serial = f.requests[i].serial;
    ctx.timer_at(at, PowTimer::Fetch { serial });
}

/// Asks the next peer for request `i`, or ends the round if every peer was asked.
fn ask_next(pow: &mut Pow, ctx: &mut Ctx<Pow>, i: usize) {
    let me = pow.id;
    let f = &mut pow.fetch;
    let r = &mut f.requests[i];
    let mut sender = None;
    while sender.is_none() && !r.senders.is_empty() {
        let p = r.senders.remove(0);
        sender = (!r.was_asked(p)).then_some(p);
    }
    let next = sender.or_else(|| {
        let r = &f.requests[i];
        f.peers(me).into_iter().find(|p| !r.was_asked(*p))
    });
    let Some(peer) = next else {
        f.requests.remove(i);
        return;
    };
    let r = &mut f.requests[i];
    if let Err(k) = r.asked.binary_search(&peer) {
        r.asked.insert(k, peer);
    }
    ctx.send(peer, PowMsg::GetData(Rc::clone(&r.block)));
    wait(pow, ctx, i);
}

/// The timeout of request `serial` fired: if it is still pending, asks the next peer.
pub(super) fn on_timeout(pow: &mut Pow, ctx: &mut Ctx<Pow>, serial: u64) {
    if let Some(i) = pow.fetch.requests.iter().position(|r| r.serial == serial) {
        ask_next(pow, ctx, i);
    }
}

/// `from` asks for `block`: sends it if this node holds it (and has published it).
pub(super) fn serve(pow: &Pow, ctx: &mut Ctx<Pow>, from: NodeId, block: &Rc<Block>) {
    let private = |unpublished: &[Rc<Block>]| unpublished.iter().any(|b| b.id == block.id);
    let unpublished = pow
        .selfish
        .as_ref()
        .is_some_and(|s| private(&s.unpublished))
        || pow
            .double_spend
            .as_ref()
            .is_some_and(|d| private(&d.unpublished));
    if pow.tree.knows(block) && !unpublished {
        ctx.send(from, PowMsg::Block(Rc::clone(block)));
    }
}
