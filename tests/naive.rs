//! The two naive schemes against exact counts: `vote` sends n(n − 1) messages in one round, and
//! flooding a signed vote over a connected graph with E edges costs 2E − (n − 1) transmissions
//! (the origin sends to all its neighbours, every other general to all but the one it heard
//! from), so n(2E − n + 1) for everyone's vote.

use byzsim::Scenario;
use byzsim::protocol::Kind;
use byzsim::run::run_scenario;
use byzsim::trial::{run_trial, topology_of};

fn scenario(text: &str) -> Scenario {
    Scenario::parse("<test>", "test", text, &[]).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn vote_sends_n_times_n_minus_1_messages_in_one_round() {
    for n in 1..=12u64 {
        let sc = scenario(&format!(
            "n = {n}\ntrials = 3\n[protocol]\nkind = \"vote\"\n"
        ));
        for r in run_scenario(&sc).unwrap().records {
            assert_eq!(r.messages, n * (n - 1), "n = {n}");
            assert_eq!(r.delivered, n * (n - 1));
            assert_eq!(r.rounds, 1);
            assert_eq!(r.decision_time_ms, Some(100.0));
            assert!(r.agreement && r.validity && r.termination);
        }
    }
}

#[test]
fn signed_flood_costs_n_times_2e_minus_n_plus_1_transmissions() {
    let graphs = [
        ("topology = \"ring\"", 9),
        ("topology = \"random-regular\"\ndegree = 4", 20),
        ("topology = \"complete\"", 6),
    ];
    for (topology, n) in graphs {
        let sc = scenario(&format!(
            "n = {n}\ntrials = 4\n[protocol]\nkind = \"signed-flood\"\n[network]\n{topology}\ntransport = \"flooding\"\nround_ms = 500\n"
        ));
        for trial in 0..sc.trials {
            let seed = sc.seed + trial;
            let edges = topology_of(&sc, seed).unwrap().edge_count() as u64;
            let r = run_trial(&sc, Kind::SignedFlood, trial, seed, false)
                .unwrap()
                .record;
            let n = n as u64;
            assert_eq!(r.messages, n * (2 * edges - n + 1), "{topology}, n = {n}");
            assert_eq!(r.signatures, n, "each general signs its vote once");
            assert_eq!(
                r.verifications,
                n * (n - 1),
                "each general checks each other vote once"
            );
            assert_eq!(
                r.verifications_computed, 0,
                "every signature was made in the run: the memo knows it valid from its making"
            );
            assert!(r.agreement && r.validity && r.termination);
        }
    }
}

#[test]
fn a_crash_in_the_middle_of_a_broadcast_sends_only_part_of_it() {
    let n = 10u64;
    let sc = scenario(&format!(
        "n = {n}\nt = 1\ntrials = 40\n[protocol]\nkind = \"vote\"\n[faults]\nbehaviour = \"crash\"\ncrash_at_ms = 0\n"
    ));
    let counts: Vec<u64> = run_scenario(&sc)
        .unwrap()
        .records
        .iter()
        .map(|r| r.messages)
        .collect();
    let honest = (n - 1) * (n - 1);
    assert!(
        counts
            .iter()
            .all(|&m| (honest..=honest + n - 1).contains(&m)),
        "{counts:?}"
    );
    assert!(
        counts.iter().any(|&m| m > honest && m < honest + n - 1),
        "some broadcasts are cut midway: {counts:?}"
    );
    assert!(
        counts.windows(2).any(|w| w[0] != w[1]),
        "the cut point is random: {counts:?}"
    );
}

#[test]
fn a_silent_traitor_sends_nothing_and_a_dropping_one_with_drop_1_neither() {
    for behaviour in ["silent", "drop"] {
        let sc = scenario(&format!(
            "n = 5\nt = 2\ntrials = 5\n[protocol]\nkind = \"vote\"\n[faults]\nbehaviour = \"{behaviour}\"\n"
        ));
        for r in run_scenario(&sc).unwrap().records {
            assert_eq!(
                r.messages,
                3 * 4,
                "{behaviour}: only the 3 honest generals send"
            );
        }
    }
}

/// Regression: a tampered copy relayed by another traitor is the same copy again, so a flood
/// carries at most three versions of each vote (the original and one per value), never a number
/// growing with every traitor it passes. The original floods in 2E − n + 1 hops; each tampered
/// copy crosses every link at most once in each direction (2E hops).
#[test]
fn tampered_copies_do_not_multiply_at_each_traitor() {
    let sc = scenario(
        "n = 30\nt = 10\ntrials = 5\n[protocol]\nkind = \"vote\"\n[network]\ntopology = \"random-regular\"\ndegree = 4\ntransport = \"flooding\"\n[faults]\nbehaviour = \"equivocate\"\n",
    );
    for trial in 0..sc.trials {
        let seed = sc.seed + trial;
        let edges = topology_of(&sc, seed).unwrap().edge_count() as u64;
        let r = run_trial(&sc, Kind::Vote, trial, seed, false)
            .unwrap()
            .record;
        let per_vote = (2 * edges - 30 + 1) + 2 * (2 * edges);
        assert!(r.messages <= 30 * per_vote, "{} messages", r.messages);
        assert!(r.messages > 30 * (2 * edges - 30 + 1), "tampering happened");
    }
}
