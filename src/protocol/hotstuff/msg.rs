//! HotStuff's messages: signed statements ([`Signed`]: an input, a proposal, a vote), quorum
//! certificates ([`Qc`]: q signatures on one vote), proposals with their justification
//! ([`Proposal`]), the leader's phase messages carrying a QC, and NEW-VIEW.
//!
//! The transport's sender is never trusted: every statement names its signer, and a QC is
//! checked signature by signature.

use std::rc::Rc;
use std::sync::Arc;

use ed25519_dalek::Signature;

use crate::general::{About, Ctx, Message};
use crate::types::{NodeId, Value};

use super::HotStuff;

/// Domain separation for everything HotStuff signs.
const DOMAIN: &[u8; 8] = b"hotstf1\0";

/// What a signed statement is about: a general's input, the leader's proposal, or a vote of
/// one of the three voting phases.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Phase {
    Input,
    Proposal,
    Prepare,
    PreCommit,
    Commit,
}

impl Phase {
    fn tag(self) -> u8 {
        match self {
            Phase::Input => b'I',
            Phase::Proposal => b'L',
            Phase::Prepare => b'P',
            Phase::PreCommit => b'R',
            Phase::Commit => b'C',
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Phase::Input => "input",
            Phase::Proposal => "proposal",
            Phase::Prepare => "prepare",
            Phase::PreCommit => "pre-commit",
            Phase::Commit => "commit",
        }
    }

    /// The phase whose QC the leader broadcasts after this vote phase's QC is formed.
    pub fn next(self) -> Phase {
        match self {
            Phase::Prepare => Phase::PreCommit,
            Phase::PreCommit => Phase::Commit,
            _ => Phase::Commit,
        }
    }
}

fn statement(phase: Phase, view: u32, value: Value, signer: NodeId) -> [u8; 18] {
    let mut b = [0u8; 18];
    b[..8].copy_from_slice(DOMAIN);
    b[8] = phase.tag();
    b[9..13].copy_from_slice(&view.to_le_bytes());
    b[13] = value.byte();
    b[14..18].copy_from_slice(&signer.0.to_le_bytes());
    b
}

/// `signer` says `value` for `phase` of `view` (view 0 for an input).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Signed {
    pub phase: Phase,
    pub view: u32,
    pub value: Value,
    pub signer: NodeId,
    pub sig: Signature,
}

impl Signed {
    pub fn new(ctx: &mut Ctx<HotStuff>, phase: Phase, view: u32, value: Value) -> Signed {
        let sig = ctx.sign(&statement(phase, view, value, ctx.id));
        Signed {
            phase,
            view,
            value,
            signer: ctx.id,
            sig,
        }
    }

    pub fn verify(&self, ctx: &mut Ctx<HotStuff>) -> bool {
        let bytes = statement(self.phase, self.view, self.value, self.signer);
        (self.signer.idx()) < ctx.n && ctx.verify(self.signer, &bytes, &self.sig)
    }
}

/// A quorum certificate: signatures of q distinct generals on the vote (`phase`, `view`,
/// `value`). The paper's prepareQC, precommitQC (the lock) and commitQC.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Qc {
    pub phase: Phase,
    pub view: u32,
    pub value: Value,
    pub sigs: Vec<(NodeId, Signature)>,
}

impl Qc {
    /// Whether it holds valid votes of `phase` from `q` distinct generals.
    /// Each allocation is checked once per run and rule ([`Ctx::verify_certificate`]).
    pub fn verify(self: &Arc<Self>, ctx: &mut Ctx<HotStuff>, phase: Phase, q: usize) -> bool {
        if self.phase != phase || self.sigs.len() < q {
            return false;
        }
        let rule = ((phase as u64) << 32) | q as u64;
        ctx.verify_certificate(self, rule, |ctx, qc| qc.walk(ctx, q))
    }

    /// Whether `q` distinct generals' valid votes are among its signatures.
    fn walk(&self, ctx: &mut Ctx<HotStuff>, q: usize) -> bool {
        let mut seen = vec![false; ctx.n];
        let mut count = 0;
        for (signer, sig) in &self.sigs {
            let i = signer.idx();
            if i >= ctx.n || seen[i] {
                continue;
            }
            let bytes = statement(self.phase, self.view, self.value, *signer);
            if ctx.verify(*signer, &bytes, sig) {
                seen[i] = true;
                count += 1;
            }
        }
        count >= q
    }
}

/// What makes a proposal's value legitimate: the highQC it extends (a prepareQC of an earlier
/// view for the same value), or, with no QC among the NEW-VIEWs (and in view 0), t + 1 signed
/// inputs for the value, so some honest general started with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Justify {
    Qc(Arc<Qc>),
    Inputs(Arc<[Signed]>),
}

/// The leader's PREPARE message: its signed proposal and the justification.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Proposal {
    pub signed: Signed,
    pub justify: Justify,
}

impl Proposal {
    /// The view of the QC it extends, if it extends one.
    pub fn justify_view(&self) -> Option<u32> {
        match &self.justify {
            Justify::Qc(qc) => Some(qc.view),
            Justify::Inputs(_) => None,
        }
    }
}

/// A replica's NEW-VIEW to the leader of `view`: its signed input, its prepareQC, and, once it
/// decided, its commitQC (so the leader decides too). Its parts are signed by others or
/// self-certifying, so the message itself carries no signature: its author is the input's
/// signer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewView {
    pub view: u32,
    pub input: Signed,
    pub prepare_qc: Option<Arc<Qc>>,
    pub commit_qc: Option<Arc<Qc>>,
}

/// What HotStuff generals send; every variant is one pointer wide.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HsMsg {
    /// A general's signed input, to the leader of view 0.
    Input(Rc<Signed>),
    /// PREPARE: the leader's proposal.
    Proposal(Arc<Proposal>),
    /// A replica's vote, to the leader only.
    Vote(Rc<Signed>),
    /// PRE-COMMIT, COMMIT, DECIDE: the leader's broadcast of the prepareQC, precommitQC,
    /// commitQC of its view.
    Qc(Arc<Qc>),
    NewView(Arc<NewView>),
    /// A decided general's commitQC, for a general still changing views.
    Decided(Arc<Qc>),
}

/// A signed statement on the wire: phase, view, value, signer, signature.
pub const SIGNED_BYTES: u32 = 1 + 4 + 1 + 4 + 64;

/// A QC on the wire: phase, view, value, then per signature its signer and 64 bytes. With a
/// threshold signature it would be 6 + 96 bytes whatever q (see the module doc).
pub fn qc_bytes(qc: &Qc) -> u32 {
    6 + 68 * qc.sigs.len() as u32
}

impl Message for HsMsg {
    fn wire_bytes(&self) -> u32 {
        match self {
            HsMsg::Input(_) | HsMsg::Vote(_) => SIGNED_BYTES,
            HsMsg::Proposal(p) => {
                SIGNED_BYTES
                    + 1
                    + match &p.justify {
                        Justify::Qc(qc) => qc_bytes(qc),
                        Justify::Inputs(i) => SIGNED_BYTES * i.len() as u32,
                    }
            }
            HsMsg::Qc(qc) | HsMsg::Decided(qc) => qc_bytes(qc),
            HsMsg::NewView(nv) => {
                4 + SIGNED_BYTES
                    + 2
                    + nv.prepare_qc.as_deref().map_or(0, qc_bytes)
                    + nv.commit_qc.as_deref().map_or(0, qc_bytes)
            }
        }
    }

    fn label(&self) -> String {
        match self {
            HsMsg::Input(s) => format!("input {}", s.value),
            HsMsg::Proposal(p) => {
                let s = &p.signed;
                let why = match &p.justify {
                    Justify::Qc(qc) => format!("extends the prepareQC of view {}", qc.view),
                    Justify::Inputs(i) => format!("{} signed inputs", i.len()),
                };
                format!("view {}: proposal {} ({why})", s.view, s.value)
            }
            HsMsg::Vote(s) => format!(
                "view {}: {} vote {} by {}",
                s.view,
                s.phase.name(),
                s.value,
                s.signer
            ),
            HsMsg::Qc(qc) => format!(
                "view {}: {} with the {}QC for {}",
                qc.view,
                match qc.phase {
                    Phase::Prepare => "pre-commit",
                    Phase::PreCommit => "commit",
                    _ => "decide",
                },
                qc.phase.name(),
                qc.value
            ),
            HsMsg::NewView(nv) => {
                let qc = nv
                    .prepare_qc
                    .as_ref()
                    .map_or("no prepareQC".to_string(), |q| {
                        format!("prepareQC {} of view {}", q.value, q.view)
                    });
                format!(
                    "new-view {} by {} (input {}, {qc})",
                    nv.view, nv.input.signer, nv.input.value
                )
            }
            HsMsg::Decided(qc) => format!("decided {} in view {}", qc.value, qc.view),
        }
    }

    /// One message per author, phase and view.
    fn about(&self) -> About {
        let (slot, value) = match self {
            HsMsg::Input(s) => ("input".to_string(), Some(s.value)),
            HsMsg::Proposal(p) => (
                format!("view {} proposal", p.signed.view),
                Some(p.signed.value),
            ),
            HsMsg::Vote(s) => (format!("view {} {}", s.view, s.phase.name()), Some(s.value)),
            HsMsg::Qc(qc) => (
                format!("view {} {}QC", qc.view, qc.phase.name()),
                Some(qc.value),
            ),
            HsMsg::NewView(nv) => (format!("new-view {}", nv.view), Some(nv.input.value)),
            HsMsg::Decided(_) => (self.label(), None),
        };
        About {
            slot,
            value,
            // Inputs, votes and new-views go to one leader, a proof to the general that asked.
            to_one: matches!(
                self,
                HsMsg::Input(_) | HsMsg::Vote(_) | HsMsg::NewView(_) | HsMsg::Decided(_)
            ),
            ..About::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::{Crypto, Keyring};
    use crate::rng::{Stream, stream};
    use crate::types::SimTime;

    /// Runs `f` as general `v` of four, with the run's shared memo `crypto`.
    fn as_general<R>(
        ring: &Keyring,
        crypto: &mut Crypto,
        v: u32,
        f: impl FnOnce(&mut Ctx<HotStuff>) -> R,
    ) -> R {
        let (mut rng, mut out, mut next_timer) = (stream(7, Stream::Node(v)), Vec::new(), 0);
        let mut ctx = Ctx {
            id: NodeId(v),
            n: 4,
            now: SimTime::from_ms(1),
            round: SimTime::from_ms(100),
            rng: &mut rng,
            key: Some(ring.own(NodeId(v))),
            crypto,
            out: &mut out,
            next_timer: &mut next_timer,
            firing: None,
        };
        f(&mut ctx)
    }

    fn requested(crypto: &Crypto) -> u64 {
        crypto.stats().verifications_requested
    }

    #[test]
    fn a_certificate_is_walked_once_and_every_check_is_counted() {
        let (ring, mut crypto) = (Keyring::new(7, 4), Crypto::new(7, 4));
        let votes: Vec<Signed> = (0..3)
            .map(|v| {
                as_general(&ring, &mut crypto, v, |ctx| {
                    Signed::new(ctx, Phase::Prepare, 2, Value::Attack)
                })
            })
            .collect();
        let sigs = |votes: &[Signed]| votes.iter().map(|s| (s.signer, s.sig)).collect::<Vec<_>>();
        let good = Arc::new(Qc {
            phase: Phase::Prepare,
            view: 2,
            value: Value::Attack,
            sigs: sigs(&votes),
        });
        // The same signatures claimed for the other value: none is valid for it.
        let moved = Arc::new(Qc {
            value: Value::Retreat,
            ..(*good).clone()
        });
        // One signer twice: two distinct generals only.
        let twice = Arc::new(Qc {
            sigs: sigs(&[votes[0], votes[0], votes[1]]),
            ..(*good).clone()
        });

        let before = requested(&crypto);
        assert!(as_general(&ring, &mut crypto, 3, |ctx| good.verify(
            ctx,
            Phase::Prepare,
            3
        )));
        let walk = requested(&crypto) - before;
        assert_eq!(walk, 3, "three signatures walked");
        for v in 0..4 {
            let before = requested(&crypto);
            assert!(as_general(&ring, &mut crypto, v, |ctx| good.verify(
                ctx,
                Phase::Prepare,
                3
            )));
            assert_eq!(
                requested(&crypto) - before,
                walk,
                "a memo answer counts the walk"
            );
        }
        // Another rule is another verdict: a quorum of four is not met by three votes, nor is a
        // QC of another phase.
        assert!(!as_general(&ring, &mut crypto, 3, |ctx| good.verify(
            ctx,
            Phase::Prepare,
            4
        )));
        assert!(!as_general(&ring, &mut crypto, 3, |ctx| good.verify(
            ctx,
            Phase::Commit,
            3
        )));
        assert!(as_general(&ring, &mut crypto, 3, |ctx| good.verify(
            ctx,
            Phase::Prepare,
            2
        )));
        for _ in 0..2 {
            assert!(!as_general(&ring, &mut crypto, 3, |ctx| moved.verify(
                ctx,
                Phase::Prepare,
                3
            )));
            assert!(!as_general(&ring, &mut crypto, 3, |ctx| twice.verify(
                ctx,
                Phase::Prepare,
                3
            )));
            assert!(as_general(&ring, &mut crypto, 3, |ctx| twice.verify(
                ctx,
                Phase::Prepare,
                2
            )));
        }
    }
}
