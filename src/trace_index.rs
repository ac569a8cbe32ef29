//! One index over a trial's trace, shared by everything that reads it: the explanation
//! paragraph ([`crate::explain`]), the trace files ([`crate::tracefile`]) and `byzsim hunt`.
//!
//! It pairs each transmission with its fate (delivered, lost, still on its way), finds who made
//! each flooded envelope (its origin, or the traitor that tampered with a copy), and gives each
//! message its identity: the same logical message is the same origin and the same
//! [`About::slot`](crate::general::About) (an oral path, a chain's signers); its content is the
//! rest. Building it takes O(E log E) time for E events and a few bytes per event.

use crate::engine::trace::{MsgId, MsgInfo, Recording, TraceEvent};
use crate::types::{NodeId, SimTime};

const NONE: u32 = u32::MAX;

/// One transmission over a link: its `Send` event and, if it arrived, its `Deliver` event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Transmission {
    send: u32,
    delivery: u32,
}

/// What became of a transmission.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fate {
    /// The link lost it.
    Lost,
    /// It had not arrived when the trial ended (or when the trace was cut).
    Pending,
    /// It arrived at `at` (event number `event`); `handed` to the general's logic or not (a
    /// flooded copy seen already, or addressed to someone else).
    Delivered {
        event: usize,
        at: SimTime,
        handed: bool,
    },
}

/// The fields of a `Send` event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sent {
    pub event: usize,
    pub at: SimTime,
    pub from: NodeId,
    pub to: NodeId,
    pub origin: NodeId,
    pub msg: MsgId,
    pub relay: bool,
    pub envelope: Option<u32>,
}

/// The index of one trial's trace.
pub struct TraceIndex<'a> {
    pub rec: &'a Recording,
    traitor: Vec<bool>,
    txs: Vec<Transmission>,
    /// The transmission scheduled with queue number `first_seq + i`, at `i` (`NONE` for
    /// numbers of other events): queue numbers are dense, so this is a few bytes per event.
    by_seq: Vec<u32>,
    first_seq: u64,
    /// The first `Send` of each flooded envelope.
    first_hop: Vec<u32>,
    /// Each message's slot, numbered (same number: same slot).
    slot_of: Vec<u32>,
}

impl<'a> TraceIndex<'a> {
    /// Indexes `rec`; `traitor[v]` marks the traitors.
    pub fn new(rec: &'a Recording, traitor: &[bool]) -> TraceIndex<'a> {
        let events = rec.events();
        let seqs = events.iter().filter_map(|e| match e {
            TraceEvent::Send { seq: Some(s), .. } => Some(*s),
            _ => None,
        });
        let first_seq = seqs.clone().next().unwrap_or(0);
        let span = seqs
            .clone()
            .next_back()
            .map_or(0, |last| last - first_seq + 1);
        let mut by_seq: Vec<u32> = vec![NONE; span as usize];
        let mut txs = Vec::new();
        let mut first_hop: Vec<u32> = Vec::new();
        for (i, e) in events.iter().enumerate() {
            match e {
                TraceEvent::Send { seq, envelope, .. } => {
                    if let Some(s) = seq {
                        by_seq[(s - first_seq) as usize] = txs.len() as u32;
                    }
                    if let Some(env) = envelope {
                        let env = *env as usize;
                        if first_hop.len() <= env {
                            first_hop.resize(env + 1, NONE);
                        }
                        if first_hop[env] == NONE {
                            first_hop[env] = i as u32;
                        }
                    }
                    txs.push(Transmission {
                        send: i as u32,
                        delivery: NONE,
                    });
                }
                TraceEvent::Deliver { seq, .. } => {
                    if let Some(k) = Self::find(&by_seq, first_seq, *seq) {
                        txs[k].delivery = i as u32;
                    }
                }
                _ => {}
            }
        }
        let mut slots: std::collections::BTreeMap<&str, u32> = std::collections::BTreeMap::new();
        let slot_of = rec
            .messages()
            .iter()
            .map(|m| {
                let next = slots.len() as u32;
                *slots.entry(m.about.slot.as_str()).or_insert(next)
            })
            .collect();
        TraceIndex {
            rec,
            traitor: traitor.to_vec(),
            txs,
            by_seq,
            first_seq,
            first_hop,
            slot_of,
        }
    }

    fn find(by_seq: &[u32], first_seq: u64, seq: u64) -> Option<usize> {
        let i = usize::try_from(seq.checked_sub(first_seq)?).ok()?;
        by_seq.get(i).filter(|&&k| k != NONE).map(|&k| k as usize)
    }

    /// The transmission that delivery `seq` completes.
    pub fn transmission_of(&self, seq: u64) -> Option<usize> {
        Self::find(&self.by_seq, self.first_seq, seq)
    }

    /// The number of transmissions.
    pub fn len(&self) -> usize {
        self.txs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.txs.is_empty()
    }

    /// Transmission `k`'s send.
    pub fn sent(&self, k: usize) -> Sent {
        match self.rec.events()[self.txs[k].send as usize] {
            TraceEvent::Send {
                at,
                from,
                to,
                origin,
                msg,
                relay,
                envelope,
                ..
            } => Sent {
                event: self.txs[k].send as usize,
                at,
                from,
                to,
                origin,
                msg,
                relay,
                envelope,
            },
            _ => unreachable!("transmissions index Send events"),
        }
    }

    /// What became of transmission `k`.
    pub fn fate(&self, k: usize) -> Fate {
        let events = self.rec.events();
        let tx = self.txs[k];
        if let TraceEvent::Send { seq: None, .. } = events[tx.send as usize] {
            return Fate::Lost;
        }
        match events.get(tx.delivery as usize) {
            Some(TraceEvent::Deliver { at, handed, .. }) => Fate::Delivered {
                event: tx.delivery as usize,
                at: *at,
                handed: *handed,
            },
            _ => Fate::Pending,
        }
    }

    /// Every transmission, in trace order.
    pub fn transmissions(&self) -> impl Iterator<Item = usize> + '_ {
        0..self.txs.len()
    }

    /// Who made flooded envelope `env`: the sender of its first hop (the origin, or a traitor
    /// that passed on a tampered copy).
    pub fn maker(&self, env: u32) -> Option<NodeId> {
        let i = *self.first_hop.get(env as usize)?;
        match self.rec.events().get(i as usize) {
            Some(TraceEvent::Send { from, .. }) => Some(*from),
            _ => None,
        }
    }

    /// Who made the content transmission `k` carries.
    pub fn made_by(&self, k: usize) -> NodeId {
        let s = self.sent(k);
        s.envelope.and_then(|e| self.maker(e)).unwrap_or(s.from)
    }

    /// The message an envelope carries (from its first hop).
    pub fn envelope_msg(&self, env: u32) -> Option<MsgId> {
        let i = *self.first_hop.get(env as usize)?;
        match self.rec.events().get(i as usize) {
            Some(TraceEvent::Send { msg, .. }) => Some(*msg),
            _ => None,
        }
    }

    pub fn message(&self, msg: MsgId) -> &MsgInfo {
        self.rec.message(msg)
    }

    /// The number of `msg`'s slot: messages with the same origin and slot are one logical
    /// message.
    pub fn slot(&self, msg: MsgId) -> u32 {
        self.slot_of[msg as usize]
    }

    pub fn n(&self) -> usize {
        self.traitor.len()
    }

    pub fn is_traitor(&self, v: NodeId) -> bool {
        self.traitor.get(v.idx()).copied().unwrap_or(false)
    }

    pub fn traitors(&self) -> &[bool] {
        &self.traitor
    }

    /// The round `at` falls in (round r spans [(r − 1)·round_ms, r·round_ms)), for round-based
    /// protocols.
    pub fn round_of(&self, at: SimTime) -> Option<u64> {
        self.rec.round.map(|r| at.0 / r.0.max(1) + 1)
    }

    /// The end of round `r`.
    pub fn round_end(&self, r: u64) -> Option<SimTime> {
        self.rec.round.map(|len| SimTime(len.0.saturating_mul(r)))
    }

    /// For a delivery after the end of the round its message was sent in: that round and its
    /// end (the message was late).
    pub fn late(&self, k: usize) -> Option<(u64, SimTime)> {
        let Fate::Delivered { at, .. } = self.fate(k) else {
            return None;
        };
        let round = self.round_of(self.sent(k).at)?;
        let end = self.round_end(round)?;
        (at >= end).then_some((round, end))
    }
}
