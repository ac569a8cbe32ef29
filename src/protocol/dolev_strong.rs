//! `dolev-strong`: Dolev and Strong's authenticated Byzantine agreement ("Authenticated
//! algorithms for Byzantine agreement", SIAM J. Computing 1983).
//!
//! Rounds 1..t+1. The sender signs its value in round 1. In round r a general accepts a value
//! carried by a chain of at least r valid signatures from distinct generals, the sender's first;
//! the first time it accepts a value (at most two distinct values can be relayed) it adds its
//! signature and sends the chain to every general not on it, for round r + 1. After round t + 1
//! it decides the value if it accepted exactly one, else the default (RETREAT).
//!
//! Tolerates any t < n traitors in exactly t + 1 rounds, so every configuration with t < n is
//! inside its bound on a complete network; on a graph the loyal generals must stay connected,
//! which vertex connectivity > t guarantees (Dolev 1982). Honest run over direct links:
//! (n − 1)² messages for t ≥ 1 (n − 1 for t = 0).

use super::relay::{Chained, Variant};
use crate::general::{EstimateInput, Messages, Params, Setup, Theorem};

/// The Dolev–Strong parameters of [`Chained`].
pub struct Ds;

impl Variant for Ds {
    const NAME: &'static str = "dolev-strong";
    const DOMAIN: [u8; 8] = *b"byzdolev";

    fn depth(setup: &Setup) -> usize {
        setup.t
    }

    fn depth_of(e: &EstimateInput) -> usize {
        e.t
    }

    fn bound(p: &Params) -> Theorem {
        Theorem {
            holds: p.t < p.n,
            rule: "t < n".to_string(),
            messages: Messages::Signed,
            budgeted: true,
            partial_synchrony: false,
        }
    }
}

/// One general running Dolev–Strong.
pub type DolevStrong = Chained<Ds>;
