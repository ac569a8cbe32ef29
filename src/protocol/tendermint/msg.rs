//! Tendermint's messages: signed statements ([`Signed`]: an input, a proposal, a prevote, a
//! precommit), proposals with the signed inputs that make their value valid ([`Proposal`]),
//! and the decision proof a decided general hands to one that is still changing rounds
//! ([`Proof`]).
//!
//! The transport's sender is never trusted: every statement names its signer, and a proof is
//! checked signature by signature.

use std::rc::Rc;
use std::sync::Arc;

use ed25519_dalek::Signature;

use crate::general::{About, Ctx, Message};
use crate::types::{NodeId, Value};

use super::Tendermint;

/// Domain separation for everything Tendermint signs.
const DOMAIN: &[u8; 8] = b"tndrmt1\0";

/// What a signed statement is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Input,
    Proposal,
    Prevote,
    Precommit,
}

impl Kind {
    fn tag(self) -> u8 {
        match self {
            Kind::Input => b'I',
            Kind::Proposal => b'L',
            Kind::Prevote => b'P',
            Kind::Precommit => b'C',
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Kind::Input => "input",
            Kind::Proposal => "proposal",
            Kind::Prevote => "prevote",
            Kind::Precommit => "precommit",
        }
    }
}

/// A vote's value as text: the value, or "nil".
pub fn show(v: Option<Value>) -> &'static str {
    v.map_or("nil", Value::as_str)
}

fn statement(
    kind: Kind,
    round: u32,
    value: Option<Value>,
    valid_round: Option<u32>,
    signer: NodeId,
) -> [u8; 22] {
    let mut b = [0u8; 22];
    b[..8].copy_from_slice(DOMAIN);
    b[8] = kind.tag();
    b[9..13].copy_from_slice(&round.to_le_bytes());
    b[13] = value.map_or(2, Value::byte);
    b[14..18].copy_from_slice(&valid_round.map_or(u32::MAX, |r| r).to_le_bytes());
    b[18..22].copy_from_slice(&signer.0.to_le_bytes());
    b
}

/// `signer` says `value` (nil for a vote against every proposal) as its `kind` of `round`
/// (round 0 for an input); a proposal also signs its valid round (the paper's `vr`, −1 as
/// `None`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Signed {
    pub kind: Kind,
    pub round: u32,
    pub value: Option<Value>,
    pub valid_round: Option<u32>,
    pub signer: NodeId,
    pub sig: Signature,
}

impl Signed {
    pub fn new(
        ctx: &mut Ctx<Tendermint>,
        kind: Kind,
        round: u32,
        value: Option<Value>,
        valid_round: Option<u32>,
    ) -> Signed {
        let sig = ctx.sign(&statement(kind, round, value, valid_round, ctx.id));
        Signed {
            kind,
            round,
            value,
            valid_round,
            signer: ctx.id,
            sig,
        }
    }

    pub fn verify(&self, ctx: &mut Ctx<Tendermint>) -> bool {
        let bytes = statement(
            self.kind,
            self.round,
            self.value,
            self.valid_round,
            self.signer,
        );
        self.signer.idx() < ctx.n && ctx.verify(self.signer, &bytes, &self.sig)
    }
}

/// ⟨PROPOSAL, round, v, vr⟩, signed by the round's proposer, with t + 1 signed inputs for v
/// (the paper's `valid(v)`, here "some honest general started with v") and, when vr is set,
/// its proof-of-lock: q prevotes for v from round vr. The paper needs no such proof because its
/// gossip layer relays every vote to every correct process; over byzsim's direct links nothing
/// relays, and a traitor that prevotes for v to one general only would leave the others unable
/// to back the re-proposal for ever (`byzsim hunt` found that stall at n = 4).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Proposal {
    pub signed: Signed,
    pub inputs: Arc<[Signed]>,
    pub pol: Option<Arc<[Signed]>>,
}

impl Proposal {
    /// The proposed value (a proposal always carries one).
    pub fn value(&self) -> Value {
        self.signed.value.unwrap_or_default()
    }
}

/// What lets a general decide without having seen the round: the proposal and q precommits
/// for its value in its round.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Proof {
    pub proposal: Arc<Proposal>,
    pub precommits: Arc<[Signed]>,
}

/// What Tendermint generals send; every variant is one pointer wide.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TmMsg {
    /// A general's signed input, to every general (any of them may have to propose).
    Input(Rc<Signed>),
    Proposal(Arc<Proposal>),
    Prevote(Rc<Signed>),
    Precommit(Rc<Signed>),
    /// A decided general's proof, to a general heard from in a later round.
    Decided(Arc<Proof>),
}

fn pol_len(p: &Proposal) -> u32 {
    p.pol.as_ref().map_or(0, |pol| pol.len() as u32)
}

/// A signed statement on the wire: kind, round, value, valid round, signer, signature.
pub const SIGNED_BYTES: u32 = 1 + 4 + 1 + 4 + 4 + 64;

impl Message for TmMsg {
    fn wire_bytes(&self) -> u32 {
        match self {
            TmMsg::Input(_) | TmMsg::Prevote(_) | TmMsg::Precommit(_) => SIGNED_BYTES,
            TmMsg::Proposal(p) => SIGNED_BYTES * (1 + p.inputs.len() as u32 + pol_len(p)),
            TmMsg::Decided(d) => {
                let p = &d.proposal;
                SIGNED_BYTES * (1 + p.inputs.len() as u32 + pol_len(p) + d.precommits.len() as u32)
            }
        }
    }

    fn label(&self) -> String {
        match self {
            TmMsg::Input(s) => format!("input {}", show(s.value)),
            TmMsg::Proposal(p) => {
                let s = &p.signed;
                let vr = s.valid_round.map_or(String::new(), |r| {
                    format!(", valid in round {r} (its prevotes attached)")
                });
                format!("round {}: proposal {}{vr}", s.round, show(s.value))
            }
            TmMsg::Prevote(s) | TmMsg::Precommit(s) => format!(
                "round {}: {} {} by {}",
                s.round,
                s.kind.name(),
                show(s.value),
                s.signer
            ),
            TmMsg::Decided(d) => format!(
                "decided {} in round {} ({} precommits)",
                d.proposal.value(),
                d.proposal.signed.round,
                d.precommits.len()
            ),
        }
    }

    /// One message per author, kind and round.
    fn about(&self) -> About {
        let (slot, value) = match self {
            TmMsg::Input(s) => ("input".to_string(), s.value),
            TmMsg::Proposal(p) => (format!("round {} proposal", p.signed.round), p.signed.value),
            TmMsg::Prevote(s) | TmMsg::Precommit(s) => {
                (format!("round {} {}", s.round, s.kind.name()), s.value)
            }
            TmMsg::Decided(_) => (self.label(), None),
        };
        About {
            slot,
            value,
            to_one: matches!(self, TmMsg::Decided(_)),
            ..About::default()
        }
    }
}
