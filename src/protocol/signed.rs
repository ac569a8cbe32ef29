//! `signed`: Lamport, Shostak and Pease's signed-messages algorithm SM(m) ("The Byzantine
//! Generals Problem", 1982, section 4), with ed25519 signature chains.
//!
//! The commander signs and sends its value (v:0). Lieutenant i keeps the set V_i of values it has
//! accepted; on v:0:j1:…:jk with v not in V_i it adds v and, if k < m, countersigns and sends the
//! chain to every general not on it. After round m + 1 it obeys choice(V_i): the value if V_i
//! holds exactly one, else RETREAT. A chain of k + 1 signatures must arrive by the end of round
//! k + 1 (the synchrony the paper assumes; see [`super::relay`]).
//!
//! SM(m) copes with any number of traitors up to m as long as n ≥ m + 2; a configuration is
//! inside the bound when m ≥ t and n ≥ m + 2, and on a graph also when its vertex connectivity
//! exceeds t (Dolev 1982: with signatures, flooding needs only the loyal generals connected).
//! Honest run over direct links: (n − 1) + (n − 1)(n − 2) = (n − 1)² messages for m ≥ 1.

use super::relay::{Chained, Variant};
use crate::general::{EstimateInput, Messages, Params, Setup, Theorem};

/// The SM(m) parameters of [`Chained`].
pub struct Sm;

impl Variant for Sm {
    const NAME: &'static str = "signed";
    const DOMAIN: [u8; 8] = *b"byzsm(m)";

    fn depth(setup: &Setup) -> usize {
        setup.m
    }

    fn depth_of(e: &EstimateInput) -> usize {
        e.m
    }

    fn bound(p: &Params) -> Theorem {
        Theorem {
            holds: p.m >= p.t && p.n >= p.m + 2,
            rule: "m >= t, n >= m + 2".to_string(),
            messages: Messages::Signed,
            budgeted: false,
            partial_synchrony: false,
        }
    }
}

/// One general running SM(m).
pub type Signed = Chained<Sm>;
