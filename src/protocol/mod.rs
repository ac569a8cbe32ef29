//! The protocols byzsim knows, one file each, and the registry: the one place a protocol name
//! becomes a type ([`Kind::visit`]). What a protocol is (the [`Protocol`] trait and its
//! contract with the engine) lives in [`crate::general`].

pub mod chain;
pub mod dolev_strong;
pub mod hotstuff;
pub mod nakamoto;
pub mod oral;
pub mod pbft;
pub mod phase_king;
pub mod relay;
pub mod signed;
pub mod signed_flood;
pub mod tendermint;
pub mod vote;

use crate::general::{EstimateInput, Protocol, Validity};
use crate::scenario::Scenario;

/// A protocol that scenarios can name: how its own parameters come out of a scenario for one
/// trial (`traitor[v]`: general `v` is a traitor in it).
pub trait Registered: Protocol {
    fn params(sc: &Scenario, traitor: &[bool]) -> Self::Params;

    /// Whether the protocol's theorem ([`Protocol::bound`]) covers what the scenario runs:
    /// not for a deliberately broken variant (`protocol.variant = "unsafe-lock"`).
    fn proven(_sc: &Scenario) -> bool {
        true
    }
}

impl Registered for vote::Vote {
    fn params(_: &Scenario, _: &[bool]) {}
}

impl Registered for signed_flood::SignedFlood {
    fn params(_: &Scenario, _: &[bool]) {}
}

impl Registered for oral::Oral {
    fn params(_: &Scenario, _: &[bool]) {}
}

impl<V: relay::Variant> Registered for relay::Chained<V> {
    fn params(_: &Scenario, _: &[bool]) {}
}

impl Registered for phase_king::PhaseKing {
    fn params(_: &Scenario, _: &[bool]) {}
}

impl Registered for pbft::Pbft {
    fn params(sc: &Scenario, _: &[bool]) -> pbft::PbftParams {
        sc.pbft
    }
}

impl Registered for hotstuff::HotStuff {
    /// `protocol.view_timeout_ms` is shared with PBFT.
    fn params(sc: &Scenario, _: &[bool]) -> hotstuff::HotStuffParams {
        hotstuff::HotStuffParams {
            view_timeout: sc.pbft.view_timeout,
        }
    }
}

impl Registered for tendermint::Tendermint {
    fn params(sc: &Scenario, _: &[bool]) -> tendermint::TendermintParams {
        sc.tendermint
    }

    fn proven(sc: &Scenario) -> bool {
        sc.tendermint.variant == tendermint::Variant::Correct
    }
}

impl Registered for nakamoto::Pow {
    fn params(sc: &Scenario, traitor: &[bool]) -> nakamoto::PowSetup {
        nakamoto::PowSetup {
            pow: sc.pow,
            hashrate: nakamoto::hashrates(sc.n, sc.pow.attacker_share, traitor),
            store: std::rc::Rc::new(nakamoto::store::Store::for_trial(sc.nodes(), &sc.pow)),
        }
    }
}

/// Something to do with a protocol type, chosen at run time by its [`Kind`]: the one place a
/// protocol name becomes a type is [`Kind::visit`].
pub trait ProtocolVisitor {
    type Output;
    fn visit<P: Registered>(self) -> Self::Output;
}

/// The protocols byzsim knows, as named in scenario files.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Vote,
    SignedFlood,
    Oral,
    Signed,
    DolevStrong,
    PhaseKing,
    Pow,
    Pbft,
    HotStuff,
    Tendermint,
}

impl Kind {
    pub const ALL: [Kind; 10] = [
        Kind::Vote,
        Kind::SignedFlood,
        Kind::Oral,
        Kind::Signed,
        Kind::DolevStrong,
        Kind::PhaseKing,
        Kind::Pow,
        Kind::Pbft,
        Kind::HotStuff,
        Kind::Tendermint,
    ];

    /// Calls `v` with this kind's protocol type.
    pub fn visit<V: ProtocolVisitor>(self, v: V) -> V::Output {
        match self {
            Kind::Vote => v.visit::<vote::Vote>(),
            Kind::SignedFlood => v.visit::<signed_flood::SignedFlood>(),
            Kind::Oral => v.visit::<oral::Oral>(),
            Kind::Signed => v.visit::<signed::Signed>(),
            Kind::DolevStrong => v.visit::<dolev_strong::DolevStrong>(),
            Kind::PhaseKing => v.visit::<phase_king::PhaseKing>(),
            Kind::Pow => v.visit::<nakamoto::Pow>(),
            Kind::Pbft => v.visit::<pbft::Pbft>(),
            Kind::HotStuff => v.visit::<hotstuff::HotStuff>(),
            Kind::Tendermint => v.visit::<tendermint::Tendermint>(),
        }
    }

    pub fn name(self) -> &'static str {
        struct Name;
        impl ProtocolVisitor for Name {
            type Output = &'static str;
            fn visit<P: Registered>(self) -> &'static str {
                P::NAME
            }
        }
        self.visit(Name)
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == s)
    }

    /// Protocol-specific traitor strategies offered by this protocol.
    pub fn strategies(self) -> &'static [&'static str] {
        struct Strategies;
        impl ProtocolVisitor for Strategies {
            type Output = &'static [&'static str];
            fn visit<P: Registered>(self) -> &'static [&'static str] {
                P::STRATEGIES
            }
        }
        self.visit(Strategies)
    }

    /// How validity is judged.
    pub fn validity(self) -> Validity {
        struct Rule;
        impl ProtocolVisitor for Rule {
            type Output = Validity;
            fn visit<P: Registered>(self) -> Validity {
                P::VALIDITY
            }
        }
        self.visit(Rule)
    }

    /// Whether the protocol runs in `round_ms` rounds.
    pub fn round_based(self) -> bool {
        struct Rounds;
        impl ProtocolVisitor for Rounds {
            type Output = bool;
            fn visit<P: Registered>(self) -> bool {
                P::ROUND_BASED
            }
        }
        self.visit(Rounds)
    }

    /// Messages one trial is expected to send over direct links.
    pub fn estimate(self, input: EstimateInput) -> f64 {
        struct Estimate(EstimateInput);
        impl ProtocolVisitor for Estimate {
            type Output = f64;
            fn visit<P: Registered>(self) -> f64 {
                P::estimate(&self.0)
            }
        }
        self.visit(Estimate(input))
    }
}
