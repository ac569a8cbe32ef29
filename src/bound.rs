//! Bound labels: whether a trial's configuration meets *every* assumption of the theorem behind
//! its protocol, so that `bound = inside` plus a violated property is a bug in byzsim, never a
//! finding.
//!
//! A protocol states its theorem ([`Theorem`]): the condition on its own parameters (`n > 3t,
//! m >= t` for OM(m)) and whether its messages are signed. [`judge`] then checks, in this order,
//! the assumptions every classical bound makes about the network, and names the first one that
//! fails in `bound_rule`:
//!
//! 1. the protocol's own condition, counting Sybil identities as generals and as traitors;
//! 2. synchronous timing (`network.timing = "synchronous"`, the default) and no partition: the
//!    classical theorems assume lock-step rounds over a connected network;
//! 3. reliable links: `network.loss = 0`;
//! 4. bounded delay: the latency law has a maximum (an exponential law has none);
//! 5. reliable transmission between every pair of generals (Dolev 1982):
//!    - `direct`: one link per pair, so the graph must be complete;
//!    - `flooding` relays the *first* copy of an envelope, which a traitor on the way can replace
//!      by a tampered one: fine for signed messages (a forgery fails verification) as long as the
//!      vertex connectivity exceeds t, never for unsigned ones with t ≥ 1;
//!    - `disjoint-paths`: 2t + 1 vertex-disjoint paths per pair for unsigned messages (vertex
//!      connectivity > 2t), t + 1 for signed ones (> t);
//! 6. synchronous rounds: a message sent at the start of a round arrives before the round ends,
//!    `hops × max latency < round_ms`, where `hops` is 1 on direct links, the honest generals'
//!    longest shortest path (in this trial's graph without its traitors) when flooding, and the
//!    longest route used with disjoint paths. The inequality is strict: a message arriving exactly
//!    at the round's end is processed after the round's end-of-round timer, i.e. late.
//!
//! Any doubt gives `outside`. The property test `tests/soundness.rs` draws random configurations
//! and checks that no `inside` row violates a property.

use crate::engine::network::{Latency, Transport};
use crate::engine::timing::Timing;
pub use crate::general::{Messages, Params, Theorem};
use crate::topology::Topology;
use crate::types::SimTime;

/// The verdict on a configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bound {
    pub inside: bool,
    /// The theorem's conditions; when outside because an assumption about the network failed,
    /// followed by `; not met: ` and that assumption.
    pub rule: String,
}

/// The network facts of one trial that the assumptions are checked against.
pub struct Network<'a> {
    pub transport: Transport,
    pub graph: &'a Topology,
    pub latency: &'a Latency,
    pub loss: f64,
    pub round: SimTime,
    /// `traitor[v]`: general `v` is a traitor in this trial (Sybil identities included).
    pub traitor: &'a [bool],
    /// With disjoint paths: the most hops of any route the network uses.
    pub route_hops: Option<usize>,
    pub timing: &'a Timing,
    /// Some partition cuts the network for a while.
    pub partitioned: bool,
    /// Some partition loses what crosses it (`drop = true`) instead of holding it.
    pub partition_drops: bool,
    /// Some honest generals crash and recover (`crash-recover`).
    pub crash_recover: bool,
}

/// Judges `theorem` for a trial with parameters `p` on network `net`.
pub fn judge(theorem: &Theorem, p: Params, net: &Network<'_>) -> Bound {
    let complete_direct = net.transport == Transport::Direct && net.graph.is_complete();
    let factor = theorem.messages.factor();
    let mut rule = theorem.rule.clone();
    if !complete_direct {
        let k = if factor == 1 { "t" } else { "2t" };
        rule.push_str(&format!(", connectivity > {k}"));
    }
    if !theorem.holds {
        return Bound {
            inside: false,
            rule,
        };
    }
    if theorem.budgeted && p.t > p.budget {
        return Bound {
            inside: false,
            rule: format!(
                "{rule}; not met: at most the configured t = {} traitors (the Sybil identities make {})",
                p.budget, p.t
            ),
        };
    }
    let why = if theorem.partial_synchrony {
        unmet_for_liveness(p, net).map(|why| {
            format!("{why}: termination is not promised; agreement and validity still are")
        })
    } else {
        unmet(theorem, p, net)
    };
    match why {
        None => Bound { inside: true, rule },
        Some(why) => Bound {
            inside: false,
            rule: format!("{rule}; not met: {why}"),
        },
    }
}

/// The first assumption a partial-synchrony theorem (PBFT) needs for termination that fails,
/// in words. Agreement and validity need none of them: they hold under any timing, loss or
/// partition. Termination needs every message to arrive, and eventually within a bound: timing
/// `synchronous` with a bounded latency law, or `partial` (after GST every delay is at most Δ,
/// whatever the law); partitions that hold what crosses them and heal (they end at `to_ms`),
/// no lost message, every honest general up, and a path between every pair that t traitors
/// cannot cut. No rounds: the view timeouts double until they exceed the delays.
fn unmet_for_liveness(p: Params, net: &Network<'_>) -> Option<String> {
    match net.timing {
        Timing::Asynchronous { .. } => {
            return Some(
                "a GST (network.timing = \"asynchronous\" has none, the FLP setting)".to_string(),
            );
        }
        Timing::Synchronous if matches!(net.latency, Latency::Exponential { .. }) => {
            return Some("bounded delay (exponential latency has no maximum)".to_string());
        }
        _ => {}
    }
    if net.partition_drops {
        return Some("every message delivered (a partition with drop = true loses them)".into());
    }
    if net.crash_recover {
        return Some(
            "every honest general up throughout (a crash-recover general misses what arrives while it is down)"
                .to_string(),
        );
    }
    if net.loss > 0.0 {
        return Some(format!("reliable links (network.loss = {} > 0)", net.loss));
    }
    match net.transport {
        Transport::Direct if !net.graph.is_complete() => {
            Some("a link between every pair (direct transport on an incomplete graph)".to_string())
        }
        Transport::Direct => None,
        Transport::Flooding | Transport::DisjointPaths => {
            (net.graph.n() > 1 && !net.graph.connectivity_exceeds(p.t)).then(|| {
                format!(
                    "connectivity > t (the graph's vertex connectivity is {}, t = {})",
                    net.graph.vertex_connectivity(),
                    p.t
                )
            })
        }
    }
}

/// The first network assumption that fails, in words.
fn unmet(theorem: &Theorem, p: Params, net: &Network<'_>) -> Option<String> {
    if *net.timing != Timing::Synchronous {
        return Some(format!(
            "synchronous rounds (network.timing = \"{}\": the network adversary chooses delays)",
            net.timing.name()
        ));
    }
    if net.partitioned {
        return Some(
            "a connected network (a partition holds or drops the messages that cross it)"
                .to_string(),
        );
    }
    if net.crash_recover {
        return Some(
            "every honest general up throughout (a crash-recover general is honest but misses what arrives while it is down)"
                .to_string(),
        );
    }
    if net.loss > 0.0 {
        return Some(format!("reliable links (network.loss = {} > 0)", net.loss));
    }
    let max_latency = match net.latency {
        Latency::Exponential { .. } => {
            return Some("bounded delay (exponential latency has no maximum)".to_string());
        }
        other => other.worst(),
    };
    let factor = theorem.messages.factor();
    let hops = match net.transport {
        Transport::Direct if !net.graph.is_complete() => {
            return Some(
                "a link between every pair (direct transport on an incomplete graph)".to_string(),
            );
        }
        Transport::Direct => 1,
        Transport::Flooding if theorem.messages == Messages::Oral && p.t > 0 => {
            return Some(
                "reliable transmission (flooding hands over the first copy, which a traitor relay can tamper with; use transport = \"disjoint-paths\")"
                    .to_string(),
            );
        }
        Transport::Flooding | Transport::DisjointPaths => {
            if net.graph.n() > 1 && !net.graph.connectivity_exceeds(factor * p.t) {
                let k = if factor == 1 { "t" } else { "2t" };
                return Some(format!(
                    "connectivity > {k} (the graph's vertex connectivity is {}, t = {})",
                    net.graph.vertex_connectivity(),
                    p.t
                ));
            }
            match net.transport {
                Transport::Flooding => match net.graph.diameter_without(net.traitor) {
                    Some(d) => d as usize,
                    None => return Some("the honest generals connected".to_string()),
                },
                // The longest route used; every pair has enough disjoint paths (κ > kt).
                _ => net.route_hops.unwrap_or(net.graph.n().saturating_sub(1)),
            }
        }
    };
    let worst = SimTime(max_latency.0.saturating_mul(hops as u64));
    if worst >= net.round {
        return Some(format!(
            "synchronous rounds ({hops} hop(s) × {} max latency = {worst} is not below round_ms = {})",
            max_latency, net.round
        ));
    }
    None
}
