//! Signatures: deterministic ed25519 keys per general and a memoising verifier.
//!
//! Every general's signing key is derived from the trial seed ([`Stream::Key`]), so a run is
//! replayable. The engine keeps the keys and hands each general only its own through
//! [`Ctx`](crate::general::Ctx): a traitor cannot forge an honest signature because it never
//! holds the key, not because it promises not to.
//!
//! [`Crypto`] is the shared public side: the verifying keys of all generals, and a memo so that
//! each distinct `(signer, message, signature)` is verified once per run however many generals
//! check it. A signature made in the run goes into the memo as it is made, as valid: ed25519
//! verification of a signature its signer's key made on those very bytes always succeeds, so
//! the answer is the one the arithmetic would give, and only what no general signed here (a
//! forgery, a signature moved to another message or signer) is ever computed. It counts
//! signatures made, verifications requested and verifications computed.
//!
//! Certificates (a HotStuff QC: q signatures in one shared, immutable allocation) have a second
//! memo, by allocation: the first general to check one walks its signatures, and every later
//! check of the same allocation against the same rule is answered at once and counted as the
//! same number of verifications requested, so the counters are those of walking it each time.

use std::any::Any;
use std::cell::OnceCell;
use std::collections::BTreeMap;
use std::sync::Arc;

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier as _, VerifyingKey};
use rand::RngCore;

use crate::rng::{SimRng, Stream, stream};
use crate::types::NodeId;

/// The signing key of general `who` in a trial: its own stream of the trial seed, so any key can
/// be made without the others.
fn derive(trial_seed: u64, who: NodeId) -> SigningKey {
    let mut rng: SimRng = stream(trial_seed, Stream::Key(who.0));
    let mut secret = [0u8; 32];
    rng.fill_bytes(&mut secret);
    SigningKey::from_bytes(&secret)
}

/// The signing keys of one trial, one per general, made when first needed (a proof-of-work run
/// signs with one key only). Only the engine holds this.
pub(crate) struct Keyring {
    seed: u64,
    /// Boxed: a key not yet made costs a pointer, not the key's 232 bytes.
    keys: Vec<OnceCell<Box<SigningKey>>>,
}

impl Keyring {
    pub(crate) fn new(trial_seed: u64, n: usize) -> Keyring {
        Keyring {
            seed: trial_seed,
            keys: (0..n).map(|_| OnceCell::new()).collect(),
        }
    }

    /// General `who`'s own key, to hand to it alone (made only if it ever signs).
    pub(crate) fn own(&self, who: NodeId) -> OwnKey<'_> {
        OwnKey { ring: self, who }
    }

    pub(crate) fn key(&self, who: NodeId) -> &SigningKey {
        self.keys[who.idx()].get_or_init(|| Box::new(derive(self.seed, who)))
    }
}

/// One general's signing key, made the first time it signs: handing a general its key costs
/// nothing until then (a proof-of-work node never signs). The fields are private, so the holder
/// can reach no other general's key.
#[derive(Clone, Copy)]
pub(crate) struct OwnKey<'a> {
    ring: &'a Keyring,
    who: NodeId,
}

impl<'a> OwnKey<'a> {
    pub(crate) fn get(self) -> &'a SigningKey {
        self.ring.key(self.who)
    }
}

/// Counters of the cryptographic work in one run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CryptoStats {
    /// Signatures made.
    pub signatures: u64,
    /// Verifications asked for by the generals.
    pub verifications_requested: u64,
    /// Verifications actually computed (the rest were answered from the memo).
    pub verifications_computed: u64,
}

/// Where a signer's memo files a signature: its first eight bytes (random to anyone without the
/// key), so a lookup compares integers, not 64 bytes.
type MemoKey = u64;

/// What the memo knows of one signature: its bytes, the message it was checked against, and
/// whether it was valid for it.
type MemoEntry = ([u8; 64], Box<[u8]>, bool);

fn memo_key(sig: &[u8; 64]) -> MemoKey {
    let mut head = [0u8; 8];
    head.copy_from_slice(&sig[..8]);
    u64::from_le_bytes(head)
}

/// The public side of the keyring: verification with a memo, and the counters. Verifying keys
/// are made when a signer is first checked.
///
/// The memo is keyed by `(signer, signature)` and remembers the message each signature was
/// checked against, so a lookup allocates nothing; the same signature presented with another
/// message is verified afresh (and is almost certainly a forgery). There is one memo per signer
/// (most sign a few statements a run); signatures of one signer that share their first eight
/// bytes share a slot, each kept whole.
#[derive(Default)]
pub struct Crypto {
    seed: u64,
    public: Vec<OnceCell<VerifyingKey>>,
    memo: Vec<BTreeMap<MemoKey, Vec<MemoEntry>>>,
    certs: BTreeMap<(usize, u64), CertVerdict>,
    stats: CryptoStats,
}

/// The memo's verdict on one certificate under one rule. It holds the allocation, so its
/// address (the key) cannot be reused by another certificate while the memo lives; the map is
/// only ever looked up, never walked, so addresses reach no output.
struct CertVerdict {
    _held: Arc<dyn Any + Send + Sync>,
    ok: bool,
    requested: u64,
}

impl Crypto {
    pub(crate) fn new(trial_seed: u64, n: usize) -> Crypto {
        Crypto {
            seed: trial_seed,
            public: (0..n).map(|_| OnceCell::new()).collect(),
            memo: (0..n).map(|_| BTreeMap::new()).collect(),
            certs: BTreeMap::new(),
            stats: CryptoStats::default(),
        }
    }

    /// Signs `msg` with `key`, general `signer`'s, and counts it. The signature is valid by
    /// construction: the memo learns it now, and `signer`'s verifying key with it.
    pub(crate) fn sign(&mut self, signer: NodeId, key: &SigningKey, msg: &[u8]) -> Signature {
        self.stats.signatures += 1;
        let sig = key.sign(msg);
        if let Some(cell) = self.public.get(signer.idx()) {
            cell.get_or_init(|| key.verifying_key());
            self.remember(signer, &sig.to_bytes(), msg, true);
        }
        sig
    }

    /// Whether `sig` is `signer`'s valid signature of `msg`. Each distinct triple is computed
    /// once per run, and one made by [`Crypto::sign`] never; repeats are answered from the memo.
    pub fn verify(&mut self, signer: NodeId, msg: &[u8], sig: &Signature) -> bool {
        self.stats.verifications_requested += 1;
        let Some(cell) = self.public.get(signer.idx()) else {
            return false;
        };
        let bytes = sig.to_bytes();
        let known = (self.memo[signer.idx()].get(&memo_key(&bytes)).into_iter())
            .flatten()
            .find(|(s, seen, _)| *s == bytes && **seen == *msg);
        if let Some((_, _, ok)) = known {
            return *ok;
        }
        self.stats.verifications_computed += 1;
        let seed = self.seed;
        let public = cell.get_or_init(|| derive(seed, signer).verifying_key());
        let ok = public.verify(msg, sig).is_ok();
        self.remember(signer, &bytes, msg, ok);
        ok
    }

    /// Files the verdict on `signer`'s signature `sig` of `msg`, unless a verdict on the same
    /// signature is filed already (the first message it was checked against stays).
    fn remember(&mut self, signer: NodeId, sig: &[u8; 64], msg: &[u8], ok: bool) {
        let slot = self.memo[signer.idx()].entry(memo_key(sig)).or_default();
        if !slot.iter().any(|(s, _, _)| s == sig) {
            slot.push((*sig, msg.into(), ok));
        }
    }

    /// The memo's verdict on certificate `cert` under rule `rule`, if it has one; counts the
    /// verifications the first check requested once more.
    pub(crate) fn certificate<T: Any + Send + Sync>(
        &mut self,
        cert: &Arc<T>,
        rule: u64,
    ) -> Option<bool> {
        let v = self
            .certs
            .get(&(Arc::as_ptr(cert) as *const u8 as usize, rule))?;
        self.stats.verifications_requested += v.requested;
        Some(v.ok)
    }

    /// Files the verdict `ok` on `cert` under `rule`, whose check requested `requested`
    /// verifications.
    pub(crate) fn file_certificate<T: Any + Send + Sync>(
        &mut self,
        cert: &Arc<T>,
        rule: u64,
        ok: bool,
        requested: u64,
    ) {
        let key = (Arc::as_ptr(cert) as *const u8 as usize, rule);
        let held: Arc<dyn Any + Send + Sync> = Arc::clone(cert) as _;
        self.certs.insert(
            key,
            CertVerdict {
                _held: held,
                ok,
                requested,
            },
        );
    }

    pub fn stats(&self) -> CryptoStats {
        self.stats
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_deterministic_per_seed() {
        let (a, b, c) = (Keyring::new(5, 3), Keyring::new(5, 3), Keyring::new(6, 3));
        let public = |k: &Keyring, i: u32| k.key(NodeId(i)).verifying_key();
        assert_eq!(
            public(&a, 2),
            public(&b, 2),
            "made in any order, the same key"
        );
        assert_eq!(public(&a, 0), public(&b, 0));
        assert_ne!(public(&a, 0), public(&c, 0));
        assert_ne!(public(&a, 0), public(&a, 1));
    }

    #[test]
    fn verification_is_memoised_and_rejects_forgeries() {
        let ring = Keyring::new(1, 2);
        let mut crypto = Crypto::new(1, 2);
        let sig = crypto.sign(NodeId(0), ring.key(NodeId(0)), b"attack");
        assert!(crypto.verify(NodeId(0), b"attack", &sig));
        assert!(crypto.verify(NodeId(0), b"attack", &sig));
        assert!(
            !crypto.verify(NodeId(1), b"attack", &sig),
            "not general 1's signature"
        );
        assert!(
            !crypto.verify(NodeId(0), b"retreat", &sig),
            "signature of another message"
        );
        assert!(
            !crypto.verify(NodeId(9), b"attack", &sig),
            "no such general"
        );
        let s = crypto.stats();
        assert_eq!(s.signatures, 1);
        assert_eq!(s.verifications_requested, 5);
        // The genuine signature is known from its making; the two forgeries are computed, and
        // the unknown signer needs no arithmetic.
        assert_eq!(s.verifications_computed, 2);
    }

    /// What the memo answers for a signature made in the run is what the arithmetic says:
    /// a fresh verifier, that never saw it made, computes the same verdicts.
    #[test]
    fn a_signature_known_from_its_making_verifies_as_the_arithmetic_would() {
        let ring = Keyring::new(3, 3);
        let mut signer_side = Crypto::new(3, 3);
        let mut fresh = Crypto::new(3, 3);
        for who in 0..3u32 {
            for msg in [&b"attack"[..], b"retreat", b""] {
                let sig = signer_side.sign(NodeId(who), ring.key(NodeId(who)), msg);
                for claimed in 0..3u32 {
                    for shown in [&b"attack"[..], b"retreat", b""] {
                        assert_eq!(
                            signer_side.verify(NodeId(claimed), shown, &sig),
                            fresh.verify(NodeId(claimed), shown, &sig),
                            "signer {who} on {msg:?}, claimed {claimed} on {shown:?}"
                        );
                    }
                }
            }
        }
        assert!(fresh.stats().verifications_computed > signer_side.stats().verifications_computed);
    }
}
