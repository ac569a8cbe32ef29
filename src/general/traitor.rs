//! What a traitor is to the engine: a [`Traitor`] wraps a general's honest logic, and decides
//! per relay what to do with a message it passes on ([`Relay`]). The behaviours themselves live in
//! [`crate::adversary`] and in the protocols' own files.

use super::{Ctx, Protocol};
use crate::types::NodeId;

/// A traitor: the honest logic `honest` is handed in so a behaviour can run it and rewrite the
/// result. The defaults behave honestly.
pub trait Traitor<P: Protocol> {
    fn start(&mut self, honest: &mut P, ctx: &mut Ctx<P>) {
        honest.start(ctx);
    }
    fn on_message(&mut self, honest: &mut P, ctx: &mut Ctx<P>, from: NodeId, msg: P::Msg) {
        honest.on_message(ctx, from, msg);
    }
    fn on_timer(&mut self, honest: &mut P, ctx: &mut Ctx<P>, timer: P::Timer) {
        honest.on_timer(ctx, timer);
    }
    /// What this traitor does with one relay of a flooded envelope, or of a copy on a disjoint
    /// path it lies on, carrying `msg` to its neighbour `to` (flooding and disjoint-paths
    /// transports).
    fn relay(&mut self, _ctx: &mut Ctx<P>, _to: NodeId, _msg: &P::Msg) -> Relay<P::Msg> {
        Relay::Pass
    }
    /// Transmissions a scripted traitor made past the end of its script (0 for others): an
    /// exhaustive search is complete only if this stays 0.
    fn unscripted(&self) -> u64 {
        0
    }
    /// Whether this traitor needs the trial to go on (a double spender while its race is open;
    /// see [`Protocol::keep_running`] for the honest generals). The default never does.
    fn keep_running(&self, _honest: &P) -> bool {
        false
    }
}

/// A traitor's choice for one relay transmission.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Relay<M> {
    /// Pass the envelope on unchanged.
    Pass,
    /// Do not pass it to this neighbour.
    Withhold,
    /// Pass on a tampered copy instead (a new envelope that claims the same origin). Only
    /// unsigned content can be tampered with undetected; a signed message can only be withheld.
    Replace(M),
}
