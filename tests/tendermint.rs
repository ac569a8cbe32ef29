//! Tendermint (Buchman, Kwon, Milosevic 2018), single-shot: exact message counts of an honest
//! run, safety under every traitor behaviour and placement, the linear growth of the round
//! timeouts, liveness after GST, and the teaching bug that Twins finds while the published
//! protocol survives the same schedule.

mod common;

use byzsim::engine::trace::TraceEvent;
use byzsim::protocol::Kind;
use byzsim::trial::run_trial;
use common::{bft, rows, scenario};

fn tendermint(n: usize, t: usize, trials: u64, extra: &str) -> String {
    bft("tendermint", n, t, trials, extra)
}

/// One honest run, counted per message kind from the trace: every general sends its signed
/// input to the n − 1 others (n(n − 1)), the proposer its proposal to the n − 1 others, and
/// every general one prevote and one precommit to the n − 1 others: (n − 1)(3n + 1) in all (39
/// at n = 4), whatever the latencies (a general whose prevotes are slow still precommits once,
/// on deciding).
#[test]
fn honest_run_sends_n_minus_1_times_3n_plus_1_messages() {
    for n in 1..=13usize {
        for t in [0, (n - 1) / 3] {
            let text = tendermint(
                n,
                t,
                3,
                "[network]\nlatency_ms = { min = 1, max = 30 }\n[faults]\nbehaviour = \"honest\"\n",
            );
            let sc = scenario(&text);
            for trial in 0..3 {
                let r = run_trial(&sc, Kind::Tendermint, trial, 40 + trial, true).unwrap();
                let trace = r.trace.unwrap();
                let mut by_kind = [0u64; 4];
                for e in trace.events() {
                    if let TraceEvent::Send { msg, .. } = e {
                        let w = &trace.message(*msg).words;
                        let k = ["input", "proposal", "prevote", "precommit"]
                            .iter()
                            .position(|k| w.contains(k))
                            .unwrap_or_else(|| panic!("n = {n}: unexpected {w}"));
                        by_kind[k] += 1;
                    }
                }
                let (n64, m) = (n as u64, n as u64 - 1);
                assert_eq!(by_kind, [n64 * m, m, n64 * m, n64 * m], "n = {n}, t = {t}");
                let rec = &r.record;
                assert_eq!(rec.messages, m * (3 * n64 + 1), "n = {n}, t = {t}");
                assert!(
                    rec.agreement && rec.validity && rec.termination,
                    "n = {n}: {}",
                    rec.reason
                );
                assert_eq!((rec.views, rec.bound.as_str()), (Some(0), "inside"));
            }
        }
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
    "equivocating-proposer",
    "silent-proposer",
    "withhold-votes",
];

/// Agreement and validity under every generic traitor and Tendermint's strategies, over random
/// configurations; termination and the inside label whenever n > 3t.
#[test]
fn safety_under_every_traitor_and_placement() {
    common::safety_property("tendermint", "round_timeout_ms = 100", &BEHAVIOURS);
}

/// Round r's timeouts are (r + 1) times round 0's: with the proposers of rounds 0..k silent, a
/// round costs its propose timeout then its precommit timeout (the nil prevotes make a quorum
/// at once), 2(r + 1) T plus two message delays (at most 10 ms each), so round k starts
/// within 20k ms after T k(k + 1), and decides within three more delays.
#[test]
fn round_timeouts_grow_linearly() {
    let timeout = 250.0;
    for k in 1..=3usize {
        let n = 3 * k + 1;
        let who: Vec<String> = (0..k).map(|v| v.to_string()).collect();
        for behaviour in ["silent", "silent-proposer"] {
            let extra = format!(
                "round_timeout_ms = {timeout}\n[faults]\nbehaviour = \"{behaviour}\"\nwho = [{}]\n",
                who.join(", ")
            );
            for r in rows(&tendermint(n, k, 10, &extra)) {
                assert!(r.termination && r.agreement && r.validity, "{}", r.reason);
                let at = r.decision_time_ms.unwrap();
                let start = timeout * (k * (k + 1)) as f64;
                assert!(
                    at >= start && at <= start + 20.0 * k as f64 + 30.0,
                    "k = {k}, {behaviour}: {at}"
                );
                assert_eq!(r.views, Some(k as u64), "{behaviour}");
            }
        }
    }
}

/// Liveness after GST under every scheduler, an equivocating proposer included; with the
/// proposer's messages held, no decision before GST.
#[test]
fn decides_after_gst_under_every_scheduler() {
    for scheduler in ["random", "leader", "partition"] {
        for gst in [0u64, 700, 3000] {
            let extra = format!(
                "round_timeout_ms = 150\ninputs = \"random\"\n[network]\ntiming = \"partial\"\ngst_ms = {gst}\ndelta_ms = 15\nscheduler = \"{scheduler}\"\n[faults]\nbehaviour = \"equivocating-proposer\"\n"
            );
            for r in rows(&tendermint(7, 2, 15, &extra)) {
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

/// The equivocating proposer really proposes both values in round 0 when the inputs justify
/// both, and agreement holds.
#[test]
fn equivocating_proposer_proposes_both_values_and_agreement_holds() {
    let text = tendermint(
        4,
        1,
        1,
        "inputs = [\"attack\", \"attack\", \"retreat\", \"retreat\"]\n[faults]\nbehaviour = \"equivocating-proposer\"\nwho = [0]\n",
    );
    let sc = scenario(&text);
    for seed in 0..20 {
        let r = run_trial(&sc, Kind::Tendermint, 0, seed, true).unwrap();
        let trace = r.trace.unwrap();
        let proposals: Vec<String> = (trace.events().iter())
            .filter_map(|e| match e {
                TraceEvent::Send { from, msg, .. } if from.0 == 0 => {
                    let w = &trace.message(*msg).words;
                    w.contains("round 0: proposal").then(|| w.clone())
                }
                _ => None,
            })
            .collect();
        for v in ["attack", "retreat"] {
            assert!(proposals.iter().any(|w| w.contains(v)), "{proposals:?}");
        }
        let rec = &r.record;
        assert!(
            rec.agreement && rec.validity && rec.termination,
            "{}",
            rec.reason
        );
    }
}

/// Outside n > 3t: at n = 3, t = 1 a quorum is all three generals, and a silent traitor stops
/// every round, safely.
#[test]
fn n3_t1_silent_traitor_stops_tendermint_but_agreement_holds() {
    let extra = "round_timeout_ms = 100\n[faults]\nbehaviour = \"silent\"\nwho = [1]\n[limits]\nmax_time_ms = 20000\n";
    for r in rows(&tendermint(3, 1, 20, extra)) {
        assert!(r.agreement && r.validity);
        assert!(!r.termination, "{}", r.reason);
        assert_eq!(r.bound, "outside");
    }
}

/// The Twins schedule of `scenarios/tendermint-unsafe-lock-twins-breaks.toml`, with the
/// variant and the traitor's behaviour as given.
fn twins_schedule(variant: &str, behaviour: &str) -> String {
    let twins = if behaviour == "twins" {
        "twins = { 1 = [[0], [2, 3]] }\n"
    } else {
        ""
    };
    tendermint(
        4,
        1,
        1,
        &format!(
            "variant = \"{variant}\"\ninputs = [\"attack\", \"retreat\", \"attack\", \"retreat\"]\n\
             [network]\nlatency_ms = 10\n[[network.partitions]]\nfrom_ms = 25\nto_ms = 60000\ngroups = [[0]]\none_way = true\n\
             [faults]\nbehaviour = \"{behaviour}\"\nwho = [1]\n{twins}"
        ),
    )
}

/// The teaching bug: general 0 decides attack in round 0 and then cannot speak; 2 and 3 are
/// locked on attack; the traitor's copy that talks with 2 and 3 never heard round 0, so as
/// proposer of round 1 it proposes retreat, and generals that ignore their lock prevote it and
/// decide it. The published protocol survives the same schedule (2 and 3 refuse the fresh
/// proposal, and round 2 re-proposes attack with its proof-of-lock), and a single traitor,
/// honest, equivocating or silent, does not break even the weakened variant: it takes Twins.
#[test]
fn twins_breaks_unsafe_lock_and_only_it() {
    let broken = rows(&twins_schedule("unsafe-lock", "twins"));
    let r = &broken[0];
    assert!(!r.agreement, "{}", r.reason);
    assert!(
        r.reason.contains("general 0 decided attack"),
        "{}",
        r.reason
    );
    assert_eq!(r.bound, "", "no theorem covers the weakened variant");
    let held = rows(&twins_schedule("correct", "twins"));
    let r = &held[0];
    assert!(r.agreement && r.validity && r.termination, "{}", r.reason);
    assert_eq!(r.bound, "inside");
    assert_eq!(r.views, Some(2), "round 2 re-proposes attack");
    for behaviour in ["honest", "equivocate", "silent"] {
        for r in rows(&twins_schedule("unsafe-lock", behaviour)) {
            assert!(r.agreement, "{behaviour}: {}", r.reason);
        }
    }
}

/// What `byzsim hunt` found before re-proposals carried their proof-of-lock: traitor 0, the
/// proposer of round 0, sends general 2 a retreat prevote and general 1 an attack one, so only 2
/// sees a quorum and locks retreat; without the prevotes attached, nobody could back 2's
/// re-proposal of retreat, 2 refused everything else, and no round ever decided. With them, the
/// trial decides.
#[test]
fn a_private_prevote_cannot_stall_a_re_proposal() {
    let text = "n = 4\nt = 1\nseed = 2997183608743821448\n[protocol]\nkind = \"tendermint\"\n\
                inputs = \"random\"\nround_timeout_ms = 200\n[faults]\nbehaviour = \"scripted\"\n\
                who = [0]\n[[faults.script]]\n1 = [\"honest\", \"honest\", \"mutate\"]\n\
                3 = [\"mutate-1\", \"attack\", \"mutate-1\"]\n[limits]\nmax_time_ms = 60000\n";
    let r = &rows(text)[0];
    assert!(r.agreement && r.validity && r.termination, "{}", r.reason);
    assert_eq!(r.bound, "inside");
}
