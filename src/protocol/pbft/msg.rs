//! PBFT's messages and what makes them verifiable: every statement is signed by its author with
//! ed25519 ([`Signed`]), a prepared certificate is a pre-prepare and matching prepares
//! ([`Cert`]), a view-change carries its author's signed input and its highest certificate
//! ([`ViewChange`]), a new-view carries the view-changes it was built from ([`NewView`]).
//!
//! The transport's sender is never trusted: a message names its signer, and the signature
//! says whether it is right (on a flooding network a relay may tamper with what it passes on).

use std::rc::Rc;
use std::sync::Arc;

use ed25519_dalek::Signature;

use crate::general::{About, Ctx, Message};
use crate::types::{NodeId, Value};

use super::Pbft;

/// Domain separation for everything PBFT signs.
const DOMAIN: &[u8; 8] = b"pbft-v1\0";

/// What a signed statement is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Phase {
    /// A general's own input (its request, in the paper's client terms).
    Input,
    PrePrepare,
    Prepare,
    Commit,
}

impl Phase {
    fn tag(self) -> u8 {
        match self {
            Phase::Input => b'I',
            Phase::PrePrepare => b'P',
            Phase::Prepare => b'R',
            Phase::Commit => b'C',
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Phase::Input => "input",
            Phase::PrePrepare => "pre-prepare",
            Phase::Prepare => "prepare",
            Phase::Commit => "commit",
        }
    }
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

/// The bytes a [`Signed`] statement signs.
fn statement(phase: Phase, view: u32, value: Value, signer: NodeId) -> [u8; 18] {
    let mut b = [0u8; 18];
    b[..8].copy_from_slice(DOMAIN);
    b[8] = phase.tag();
    b[9..13].copy_from_slice(&view.to_le_bytes());
    b[13] = value.byte();
    b[14..18].copy_from_slice(&signer.0.to_le_bytes());
    b
}

impl Signed {
    /// This general's signature on (`phase`, `view`, `value`).
    pub fn new(ctx: &mut Ctx<Pbft>, phase: Phase, view: u32, value: Value) -> Signed {
        let sig = ctx.sign(&statement(phase, view, value, ctx.id));
        Signed {
            phase,
            view,
            value,
            signer: ctx.id,
            sig,
        }
    }

    /// Whether the signature is the signer's.
    pub fn verify(&self, ctx: &mut Ctx<Pbft>) -> bool {
        let bytes = statement(self.phase, self.view, self.value, self.signer);
        ctx.verify(self.signer, &bytes, &self.sig)
    }

    /// Whether it is a valid `phase` statement of `view` for `value`.
    pub fn is(&self, ctx: &mut Ctx<Pbft>, phase: Phase, view: u32, value: Value) -> bool {
        self.phase == phase && self.view == view && self.value == value && self.verify(ctx)
    }
}

/// How many distinct generals validly signed `phase` of `view` for `value` among `sigs`, not
/// counting `except` (the primary, whose pre-prepare stands for its prepare).
pub fn distinct_signers(
    ctx: &mut Ctx<Pbft>,
    sigs: &[Signed],
    phase: Phase,
    view: u32,
    value: Value,
    except: Option<NodeId>,
) -> usize {
    let mut seen = vec![false; ctx.n];
    let mut count = 0;
    for s in sigs {
        let i = s.signer.idx();
        if i >= seen.len() || seen[i] || Some(s.signer) == except {
            continue;
        }
        if s.is(ctx, phase, view, value) {
            seen[i] = true;
            count += 1;
        }
    }
    count
}

/// A prepared certificate: the pre-prepare of `view` for `value` from that view's primary and
/// prepares for the same from q − 1 other generals (q signers in all).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cert {
    pub pre_prepare: Signed,
    pub prepares: Box<[Signed]>,
}

impl Cert {
    pub fn view(&self) -> u32 {
        self.pre_prepare.view
    }
    pub fn value(&self) -> Value {
        self.pre_prepare.value
    }

    /// Whether it proves (view, value) prepared with quorum `q` among `n` generals.
    pub fn verify(&self, ctx: &mut Ctx<Pbft>, q: usize) -> bool {
        let (view, value) = (self.view(), self.value());
        let primary = super::primary(view, ctx.n);
        self.pre_prepare.signer == primary
            && self.pre_prepare.is(ctx, Phase::PrePrepare, view, value)
            && distinct_signers(
                ctx,
                &self.prepares,
                Phase::Prepare,
                view,
                value,
                Some(primary),
            ) + 1
                >= q
    }
}

/// A pre-prepare: the primary's signed proposal and, in view 0, the signed inputs that justify
/// it (t + 1 of them for the value, so some honest general holds it); a new-view's pre-prepare
/// is justified by its view-changes instead, and carries no inputs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrePrepare {
    pub signed: Signed,
    pub inputs: Arc<[Signed]>,
}

/// A vote to move to `view`, with the author's signed input and its highest prepared
/// certificate, if any; `sig` binds the view, the input value and the certificate's (view,
/// value), so a new primary cannot hide what an honest general prepared.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ViewChange {
    pub view: u32,
    pub signer: NodeId,
    pub input: Signed,
    pub cert: Option<Arc<Cert>>,
    pub sig: Signature,
}

fn vc_bytes(view: u32, signer: NodeId, input: Value, cert: Option<(u32, Value)>) -> [u8; 24] {
    let mut b = [0u8; 24];
    b[..8].copy_from_slice(DOMAIN);
    b[8] = b'V';
    b[9..13].copy_from_slice(&view.to_le_bytes());
    b[13..17].copy_from_slice(&signer.0.to_le_bytes());
    b[17] = input.byte();
    if let Some((v, x)) = cert {
        b[18] = 1;
        b[19..23].copy_from_slice(&v.to_le_bytes());
        b[23] = x.byte();
    }
    b
}

impl ViewChange {
    pub fn new(
        ctx: &mut Ctx<Pbft>,
        view: u32,
        input: Signed,
        cert: Option<Arc<Cert>>,
    ) -> ViewChange {
        let claim = cert.as_ref().map(|c| (c.view(), c.value()));
        let sig = ctx.sign(&vc_bytes(view, ctx.id, input.value, claim));
        ViewChange {
            view,
            signer: ctx.id,
            input,
            cert,
            sig,
        }
    }

    /// Whether the signature, the input and the certificate are all valid (the certificate of
    /// a view before this one).
    pub fn verify(&self, ctx: &mut Ctx<Pbft>, q: usize) -> bool {
        let claim = self.cert.as_ref().map(|c| (c.view(), c.value()));
        let bytes = vc_bytes(self.view, self.signer, self.input.value, claim);
        ctx.verify(self.signer, &bytes, &self.sig)
            && self.input.signer == self.signer
            && self.input.phase == Phase::Input
            && self.input.verify(ctx)
            && self
                .cert
                .as_ref()
                .is_none_or(|c| c.view() < self.view && c.verify(ctx, q))
    }
}

/// The new primary's message: the view-changes it collected (at least q, from distinct
/// generals) and its pre-prepare for the new view.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewView {
    pub view: u32,
    pub vcs: Box<[Arc<ViewChange>]>,
    pub pre_prepare: Signed,
}

/// What PBFT generals send. Each variant holds its content behind one pointer, so a message in
/// the event queue is 24 bytes, however large its signatures: a broadcast's n − 1 copies share
/// one statement, and the queue moves small events (at n = 1000 the queue held a million
/// 100-byte events at once before).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PbftMsg {
    /// A general's signed input, to the primary of view 0.
    Request(Rc<Signed>),
    PrePrepare(Rc<PrePrepare>),
    Prepare(Rc<Signed>),
    Commit(Rc<Signed>),
    ViewChange(Arc<ViewChange>),
    NewView(Arc<NewView>),
    /// A decided general's proof for one that is still changing views: q commits for one
    /// (view, value).
    Decided(Arc<[Signed]>),
}

impl PbftMsg {
    pub fn request(s: Signed) -> PbftMsg {
        PbftMsg::Request(Rc::new(s))
    }
    pub fn pre_prepare(p: PrePrepare) -> PbftMsg {
        PbftMsg::PrePrepare(Rc::new(p))
    }
    pub fn prepare(s: Signed) -> PbftMsg {
        PbftMsg::Prepare(Rc::new(s))
    }
    pub fn commit(s: Signed) -> PbftMsg {
        PbftMsg::Commit(Rc::new(s))
    }
}

/// A signed statement on the wire: phase, view, value, signer, signature.
const SIGNED_BYTES: u32 = 1 + 4 + 1 + 4 + 64;

fn cert_bytes(c: &Cert) -> u32 {
    SIGNED_BYTES * (1 + c.prepares.len() as u32)
}

fn vc_wire(vc: &ViewChange) -> u32 {
    4 + 4 + SIGNED_BYTES + 64 + 1 + vc.cert.as_deref().map_or(0, cert_bytes)
}

impl Message for PbftMsg {
    fn wire_bytes(&self) -> u32 {
        match self {
            PbftMsg::Request(_) | PbftMsg::Prepare(_) | PbftMsg::Commit(_) => SIGNED_BYTES,
            PbftMsg::PrePrepare(p) => SIGNED_BYTES * (1 + p.inputs.len() as u32),
            PbftMsg::ViewChange(vc) => vc_wire(vc),
            PbftMsg::NewView(nv) => {
                4 + SIGNED_BYTES + nv.vcs.iter().map(|vc| vc_wire(vc)).sum::<u32>()
            }
            PbftMsg::Decided(c) => SIGNED_BYTES * c.len() as u32,
        }
    }

    fn label(&self) -> String {
        match self {
            PbftMsg::Request(s) => format!("input {}", s.value),
            PbftMsg::PrePrepare(p) => {
                let s = &p.signed;
                format!("view {}: pre-prepare {}", s.view, s.value)
            }
            PbftMsg::Prepare(s) | PbftMsg::Commit(s) => {
                format!(
                    "view {}: {} {} by {}",
                    s.view,
                    s.phase.name(),
                    s.value,
                    s.signer
                )
            }
            PbftMsg::ViewChange(vc) => {
                let cert = vc
                    .cert
                    .as_ref()
                    .map_or("nothing prepared".to_string(), |c| {
                        format!("prepared {} in view {}", c.value(), c.view())
                    });
                format!(
                    "view-change to view {} by {} (input {}, {cert})",
                    vc.view, vc.signer, vc.input.value
                )
            }
            PbftMsg::NewView(nv) => format!(
                "new-view {}: pre-prepare {} ({} view-changes)",
                nv.view,
                nv.pre_prepare.value,
                nv.vcs.len()
            ),
            PbftMsg::Decided(c) => match c.first() {
                Some(s) => format!(
                    "decided {} in view {} ({} commits)",
                    s.value,
                    s.view,
                    c.len()
                ),
                None => "decided (empty proof)".to_string(),
            },
        }
    }

    /// One message per author, phase and view.
    fn about(&self) -> About {
        let (slot, value) = match self {
            PbftMsg::Request(s) => ("input".to_string(), Some(s.value)),
            PbftMsg::PrePrepare(p) => (
                format!("view {} pre-prepare", p.signed.view),
                Some(p.signed.value),
            ),
            PbftMsg::Prepare(s) | PbftMsg::Commit(s) => {
                (format!("view {} {}", s.view, s.phase.name()), Some(s.value))
            }
            PbftMsg::ViewChange(vc) => (format!("view-change {}", vc.view), Some(vc.input.value)),
            PbftMsg::NewView(nv) => (format!("new-view {}", nv.view), Some(nv.pre_prepare.value)),
            PbftMsg::Decided(_) => (self.label(), None),
        };
        About {
            slot,
            value,
            // A request goes to the primary of view 0 only, a proof to the general that asked.
            to_one: matches!(self, PbftMsg::Request(_) | PbftMsg::Decided(_)),
            ..About::default()
        }
    }
}
