//! `signed-flood`: the generals' signed votes flooded over a P2P network, the naive scheme of
//! the Bitcoin-era story ("sign your vote and gossip it").
//!
//! Each general signs its vote with its ed25519 key and floods it. A general keeps the first
//! valid vote it sees from each signer; at the deadline (the end of round 1, `round_ms`) it
//! decides by the majority of the votes it holds (ties: retreat). Signatures stop forgery, but
//! not equivocation: a traitor signs both `attack` and `retreat` and injects each into a
//! different part of the graph, so which one a general keeps depends on where it sits. Dropping
//! traitors that form a cut keep halves of the network from hearing each other. Validity: if
//! every honest general starts with the same vote, that is the decision.

use ed25519_dalek::Signature;

use crate::general::{About, Ctx, Deadline, Message, Protocol, Setup, Validity};
use crate::types::{NodeId, Value, majority};

/// A vote and its signer's signature over it.
#[derive(Clone, Debug)]
pub struct SignedVote {
    pub signer: NodeId,
    pub value: Value,
    pub signature: Signature,
}

impl SignedVote {
    /// The bytes that are signed: a domain tag, the signer and the value.
    pub fn signed_bytes(signer: NodeId, value: Value) -> [u8; 29] {
        let mut bytes = [0u8; 29];
        bytes[..24].copy_from_slice(b"byzsim/signed-flood/vote");
        bytes[24..28].copy_from_slice(&signer.0.to_le_bytes());
        bytes[28] = value as u8;
        bytes
    }

    fn new(ctx: &mut Ctx<SignedFlood>, value: Value) -> SignedVote {
        let signature = ctx.sign(&Self::signed_bytes(ctx.id, value));
        SignedVote {
            signer: ctx.id,
            value,
            signature,
        }
    }
}

impl Message for SignedVote {
    fn wire_bytes(&self) -> u32 {
        4 + 1 + 64
    }

    fn label(&self) -> String {
        format!("{} signed by {}", self.value, self.signer)
    }

    /// One vote per signer.
    fn about(&self) -> About {
        About {
            slot: format!("vote of {}", self.signer),
            value: Some(self.value),
            ..About::default()
        }
    }
}

/// One general of the `signed-flood` scheme.
pub struct SignedFlood {
    input: Value,
    /// The first valid vote kept from each signer.
    kept: Vec<Option<Value>>,
    decision: Option<Value>,
}

impl Protocol for SignedFlood {
    type Msg = SignedVote;
    type Params = ();
    type Timer = Deadline;
    const NAME: &'static str = "signed-flood";
    const SIGNED: bool = true;
    const VALIDITY: Validity = Validity::UnanimousInputs;

    fn new(id: NodeId, setup: &Setup, _params: &()) -> Self {
        SignedFlood {
            input: setup.inputs[id.idx()],
            kept: vec![None; setup.n],
            decision: None,
        }
    }

    fn start(&mut self, ctx: &mut Ctx<SignedFlood>) {
        self.kept[ctx.id.idx()] = Some(self.input);
        let vote = SignedVote::new(ctx, self.input);
        ctx.broadcast(vote);
        ctx.timer_at_round(1, Deadline);
    }

    fn on_message(&mut self, ctx: &mut Ctx<SignedFlood>, _from: NodeId, vote: SignedVote) {
        let Some(slot) = self.kept.get(vote.signer.idx()) else {
            return;
        };
        if slot.is_some() || self.decision.is_some() {
            return;
        }
        let bytes = SignedVote::signed_bytes(vote.signer, vote.value);
        if ctx.verify(vote.signer, &bytes, &vote.signature) {
            self.kept[vote.signer.idx()] = Some(vote.value);
        }
    }

    fn on_timer(&mut self, _ctx: &mut Ctx<SignedFlood>, _: Deadline) {
        let attack = self
            .kept
            .iter()
            .filter(|v| **v == Some(Value::Attack))
            .count();
        let retreat = self
            .kept
            .iter()
            .filter(|v| **v == Some(Value::Retreat))
            .count();
        self.decision = Some(majority(attack, retreat));
    }

    fn decision(&self) -> Option<Value> {
        self.decision
    }

    /// A traitor can re-sign its own vote with another value; it cannot touch anyone else's.
    fn timer_name(&self, _: &Deadline) -> String {
        "end of round 1: count the signed votes and decide".to_string()
    }

    fn with_value(
        ctx: &mut Ctx<SignedFlood>,
        msg: &SignedVote,
        value: Value,
    ) -> Option<SignedVote> {
        (msg.signer == ctx.id).then(|| SignedVote::new(ctx, value))
    }
}
