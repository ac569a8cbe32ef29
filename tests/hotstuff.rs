//! HotStuff (Yin et al., PODC 2019), basic three-phase: exact message counts of an honest run
//! (linear in n where PBFT's are quadratic), safety under every traitor behaviour and placement,
//! the cost of a silent leader, and liveness after GST.

mod common;

use byzsim::engine::trace::TraceEvent;
use byzsim::protocol::Kind;
use byzsim::trial::run_trial;
use common::{rows, scenario};

fn hotstuff(n: usize, t: usize, trials: u64, extra: &str) -> String {
    format!(
        "n = {n}\nt = {t}\ntrials = {trials}\nseed = 3\n[protocol]\nkind = \"hotstuff\"\n{extra}"
    )
}

/// One honest view, counted per message kind from the trace: n − 1 signed inputs to the
/// leader, its proposal and three QCs to the n − 1 others (4(n − 1)), and three votes from each
/// of the n − 1 replicas to the leader (3(n − 1)): 8(n − 1) in all (24 at n = 4).
#[test]
fn honest_run_sends_8_times_n_minus_1_messages() {
    for n in 1..=13usize {
        for t in [0, (n - 1) / 3] {
            let text = hotstuff(n, t, 3, "[faults]\nbehaviour = \"honest\"\n");
            let sc = scenario(&text);
            for trial in 0..3 {
                let r = run_trial(&sc, Kind::HotStuff, trial, 40 + trial, true).unwrap();
                let trace = r.trace.unwrap();
                let (mut to_leader, mut from_leader) = (0u64, 0u64);
                for e in trace.events() {
                    if let TraceEvent::Send { from, to, .. } = e {
                        match (from.0, to.0) {
                            (0, _) => from_leader += 1,
                            (_, 0) => to_leader += 1,
                            (f, t) => panic!("n = {n}: {f} -> {t} without the leader"),
                        }
                    }
                }
                let m = n as u64 - 1;
                assert_eq!((to_leader, from_leader), (4 * m, 4 * m), "n = {n}, t = {t}");
                let rec = &r.record;
                assert_eq!(rec.messages, 8 * m, "n = {n}, t = {t}");
                assert!(rec.agreement && rec.validity && rec.termination);
                assert_eq!((rec.views, rec.bound.as_str()), (Some(0), "inside"));
            }
        }
    }
}

/// Per view, HotStuff's messages grow linearly in n, PBFT's quadratically: on the same honest
/// runs HotStuff sends 8(n − 1) and PBFT (n − 1)(2n + 1), so the ratio grows as n/4, and
/// HotStuff's second differences over n are zero where PBFT's are 4.
#[test]
fn hotstuff_is_linear_where_pbft_is_quadratic() {
    let ns = [4usize, 7, 10, 13, 16];
    let count = |kind: &str, n: usize| -> f64 {
        let text = format!(
            "n = {n}\nt = {}\ntrials = 4\n[protocol]\nkind = \"{kind}\"\ninputs = \"random\"\n[faults]\nbehaviour = \"honest\"\n",
            (n - 1) / 3
        );
        let r = rows(&text);
        r.iter().map(|r| r.messages as f64).sum::<f64>() / r.len() as f64
    };
    let hs: Vec<f64> = ns.iter().map(|&n| count("hotstuff", n)).collect();
    let pb: Vec<f64> = ns.iter().map(|&n| count("pbft", n)).collect();
    for (i, &n) in ns.iter().enumerate() {
        let m = n as f64 - 1.0;
        assert_eq!(hs[i], 8.0 * m);
        assert_eq!(pb[i], m * (2.0 * n as f64 + 1.0));
    }
    // Steps of 3 in n: HotStuff's count rises by 24 each step, PBFT's by more each time.
    for i in 2..ns.len() {
        assert_eq!(hs[i] - 2.0 * hs[i - 1] + hs[i - 2], 0.0);
        assert_eq!(pb[i] - 2.0 * pb[i - 1] + pb[i - 2], 36.0);
    }
}

const BEHAVIOURS: [&str; 10] = [
    "honest",
    "crash",
    "drop",
    "equivocate",
    "silent",
    "twins",
    "mutate",
    "equivocating-leader",
    "silent-leader",
    "withhold-votes",
];

/// Agreement and validity hold under every generic traitor and HotStuff's strategies over
/// random n, placements, inputs, latencies and seeds; with n > 3t HotStuff also terminates and
/// every row is labelled inside.
#[test]
fn safety_under_every_traitor_and_placement() {
    common::safety_property("hotstuff", "view_timeout_ms = 200", &BEHAVIOURS);
}

/// A silent leader costs one view timeout: nobody decides before it, everyone in view 1.
#[test]
fn silent_leader_costs_one_view_timeout() {
    for timeout in [150.0, 400.0, 1000.0] {
        for behaviour in ["silent", "silent-leader"] {
            let extra = format!(
                "view_timeout_ms = {timeout}\n[faults]\nbehaviour = \"{behaviour}\"\nwho = [0]\n"
            );
            for r in rows(&hotstuff(4, 1, 20, &extra)) {
                assert!(r.termination && r.agreement && r.validity, "{}", r.reason);
                let at = r.decision_time_ms.unwrap();
                assert!(at >= timeout && at < timeout + 100.0, "{behaviour}: {at}");
                assert_eq!(r.views, Some(1), "{behaviour}");
            }
        }
    }
}

/// Liveness after GST under every scheduler; with the leader's messages held, no decision
/// before GST.
#[test]
fn decides_after_gst_and_only_after_gst_when_the_leader_is_held() {
    for scheduler in ["random", "leader", "partition"] {
        for gst in [0u64, 700, 3000] {
            let extra = format!(
                "view_timeout_ms = 200\ninputs = \"random\"\n[network]\ntiming = \"partial\"\ngst_ms = {gst}\ndelta_ms = 15\nscheduler = \"{scheduler}\"\n[faults]\nbehaviour = \"equivocating-leader\"\n"
            );
            for r in rows(&hotstuff(7, 2, 15, &extra)) {
                assert!(r.agreement && r.validity && r.termination, "{}", r.reason);
                assert_eq!(r.bound, "inside", "{}", r.bound_rule);
                let after = r.decision_after_gst_ms.unwrap();
                if scheduler == "leader" && gst > 0 {
                    assert!(after > 0.0, "decided {after} ms after GST");
                }
            }
        }
    }
}

/// The equivocating leader really splits view 0 when the inputs justify both values (inputs
/// half and half), and agreement holds.
#[test]
fn equivocating_leader_proposes_both_values_and_agreement_holds() {
    let text = hotstuff(
        4,
        1,
        1,
        "inputs = [\"attack\", \"attack\", \"retreat\", \"retreat\"]\n[faults]\nbehaviour = \"equivocating-leader\"\nwho = [0]\n",
    );
    let sc = scenario(&text);
    for seed in 0..20 {
        let r = run_trial(&sc, Kind::HotStuff, 0, seed, true).unwrap();
        let trace = r.trace.unwrap();
        let proposals: Vec<String> = trace
            .events()
            .iter()
            .filter_map(|e| match e {
                TraceEvent::Send { from, msg, .. } if from.0 == 0 => {
                    let w = &trace.message(*msg).words;
                    w.contains("propos").then(|| w.clone())
                }
                _ => None,
            })
            .collect();
        assert!(
            proposals.iter().any(|w| w.contains("attack")),
            "{proposals:?}"
        );
        assert!(
            proposals.iter().any(|w| w.contains("retreat")),
            "{proposals:?}"
        );
        let rec = &r.record;
        assert!(
            rec.agreement && rec.validity && rec.termination,
            "{}",
            rec.reason
        );
    }
}

/// Outside n > 3t: at n = 3, t = 1 a quorum is all three generals, and a silent traitor stops
/// every view, safely. (`withhold-votes` alone does not: it leads its own view honestly, its
/// own vote needing no message, so that view decides.)
#[test]
fn n3_t1_silent_traitor_stops_hotstuff_but_agreement_holds() {
    let extra = "view_timeout_ms = 100\n[faults]\nbehaviour = \"silent\"\nwho = [1]\n[limits]\nmax_time_ms = 20000\n";
    for r in rows(&hotstuff(3, 1, 20, extra)) {
        assert!(r.agreement && r.validity);
        assert!(!r.termination, "{}", r.reason);
        assert_eq!(r.bound, "outside");
    }
}
