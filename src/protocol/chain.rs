//! Signature chains: a value signed by the commander, then countersigned by each general that
//! passed it on (`v:0:j1:…:jk` in Lamport, Shostak and Pease's notation).
//!
//! Link k signs `(domain, value, k, signer, signature of link k − 1)`, so verifying a link needs
//! only its predecessor's signature: each distinct link is one ed25519 verification, which the
//! per-run memo ([`crate::crypto::Crypto`]) performs once however many generals check the chain.
//! The links are shared (`Rc`: a trial runs on one thread), so sending a chain to many generals copies a pointer.

use std::rc::Rc;

use ed25519_dalek::Signature;

use crate::general::{About, Ctx, Message, Protocol};
use crate::types::{NodeId, Value};

/// One signature of a chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    pub signer: NodeId,
    pub signature: Signature,
}

/// A value and the signatures it carries, the commander's first.
#[derive(Clone, Debug)]
pub struct Chain {
    pub value: Value,
    pub links: Rc<[Link]>,
}

/// The bytes link `index` signs.
fn signed_bytes(
    domain: &[u8; 8],
    value: Value,
    index: usize,
    signer: NodeId,
    prev: Option<&Signature>,
) -> [u8; 81] {
    let mut b = [0u8; 81];
    b[..8].copy_from_slice(domain);
    b[8] = value as u8;
    b[9..13].copy_from_slice(&(index as u32).to_le_bytes());
    b[13..17].copy_from_slice(&signer.0.to_le_bytes());
    if let Some(prev) = prev {
        b[17..].copy_from_slice(&prev.to_bytes());
    }
    b
}

impl Chain {
    /// A new chain: `ctx`'s general signs `value`.
    pub fn start<P: Protocol>(ctx: &mut Ctx<P>, domain: &[u8; 8], value: Value) -> Chain {
        let signature = ctx.sign(&signed_bytes(domain, value, 0, ctx.id, None));
        Chain {
            value,
            links: Rc::from(vec![Link {
                signer: ctx.id,
                signature,
            }]),
        }
    }

    /// This chain countersigned by `ctx`'s general.
    pub fn extend<P: Protocol>(&self, ctx: &mut Ctx<P>, domain: &[u8; 8]) -> Chain {
        let prev = self.links.last().map(|l| &l.signature);
        let bytes = signed_bytes(domain, self.value, self.links.len(), ctx.id, prev);
        let signature = ctx.sign(&bytes);
        let mut links = self.links.to_vec();
        links.push(Link {
            signer: ctx.id,
            signature,
        });
        Chain {
            value: self.value,
            links: Rc::from(links),
        }
    }

    /// The first `k` signers, as text.
    fn signers(&self, k: usize) -> Vec<String> {
        self.links[..k]
            .iter()
            .map(|l| l.signer.to_string())
            .collect()
    }

    pub fn len(&self) -> usize {
        self.links.len()
    }

    pub fn is_empty(&self) -> bool {
        self.links.is_empty()
    }

    pub fn contains(&self, who: NodeId) -> bool {
        self.links.iter().any(|l| l.signer == who)
    }

    /// Whether the chain starts with `first`, has distinct signers among `n` generals, and every
    /// signature is valid.
    pub fn verify<P: Protocol>(&self, ctx: &mut Ctx<P>, domain: &[u8; 8], first: NodeId) -> bool {
        if self.links.first().map(|l| l.signer) != Some(first) {
            return false;
        }
        // Distinct signers among the n generals: O(k log k) in the chain's length, not O(n).
        let mut signers: Vec<u32> = self.links.iter().map(|l| l.signer.0).collect();
        signers.sort_unstable();
        let distinct = signers.windows(2).all(|w| w[0] != w[1]);
        if !distinct || signers.last().is_some_and(|&s| s as usize >= ctx.n) {
            return false;
        }
        self.links.iter().enumerate().all(|(i, l)| {
            let prev = i.checked_sub(1).map(|p| &self.links[p].signature);
            let bytes = signed_bytes(domain, self.value, i, l.signer, prev);
            ctx.verify(l.signer, &bytes, &l.signature)
        })
    }
}

impl Message for Chain {
    fn wire_bytes(&self) -> u32 {
        1 + 68 * self.links.len() as u32
    }

    /// "attack signed by 0, 3 (2 signatures)".
    fn label(&self) -> String {
        let k = self.links.len();
        format!(
            "{} signed by {} ({k} signature{})",
            self.value,
            self.signers(k).join(", "),
            if k == 1 { "" } else { "s" }
        )
    }

    /// One message per value and sequence of signers (a general accepts every value that
    /// reaches it in time, so two values are two messages); a signer never receives it again.
    fn about(&self) -> About {
        let k = self.links.len();
        let slot = |k: usize| format!("chain {} {}", self.value, self.signers(k).join(","));
        About {
            slot: slot(k),
            value: Some(self.value),
            skips: self.links.iter().map(|l| l.signer.0).collect(),
            passes_on: (k > 1).then(|| slot(k - 1)),
            signatures: Some(k as u32),
            block: None,
            to_one: false,
        }
    }
}
