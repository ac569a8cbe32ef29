//! What a protocol's theorem says about its own parameters ([`Theorem`]); the network's
//! assumptions are judged on top of it by [`crate::bound::judge`].

/// The parameters a protocol's condition is stated in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Params {
    /// Generals, Sybil identities included.
    pub n: usize,
    /// Traitors, Sybil identities included.
    pub t: usize,
    /// The traitor budget the protocol is configured for (the scenario's `t`, without Sybil
    /// identities): Dolev–Strong runs `budget + 1` rounds.
    pub budget: usize,
    /// `protocol.m`.
    pub m: usize,
}

/// How a protocol's messages resist a traitor relaying them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Messages {
    /// Oral messages: a relay can change them undetected; reliable transmission needs a
    /// majority of 2t + 1 vertex-disjoint paths.
    Oral,
    /// Signed messages: a relay can only withhold them; t + 1 disjoint paths suffice.
    Signed,
}

impl Messages {
    /// The vertex connectivity a graph needs is more than `factor()`·t.
    pub fn factor(self) -> usize {
        match self {
            Messages::Oral => 2,
            Messages::Signed => 1,
        }
    }
}

/// What a protocol's theorem says about its own parameters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Theorem {
    /// Whether the parameters meet the theorem's condition.
    pub holds: bool,
    /// The condition, as a reader would write it: `n > 3t, m >= t`.
    pub rule: String,
    pub messages: Messages,
    /// The protocol's rounds or thresholds are set by the configured `t` (Dolev–Strong's
    /// t + 1 rounds, Phase King's kings and majorities): more traitors than that (Sybil
    /// identities) leave the theorem, whatever the rest.
    pub budgeted: bool,
    /// The theorem is one of partial synchrony (PBFT): agreement and validity under any timing,
    /// termination once the network has stabilised. [`crate::bound::judge`] then asks for
    /// timing with a GST (or synchrony) only for liveness, and needs no rounds.
    pub partial_synchrony: bool,
}
