//! Signed messages: LSP SM(m) beats the n > 3t bound with signatures (n ≥ m + 2), and Dolev and
//! Strong (1983) reach agreement for any t < n in exactly t + 1 rounds, even against traitors who
//! sign conflicting values and release the second one as late as the protocol allows.

use byzsim::Scenario;
use byzsim::record::RunRecord;
use byzsim::run::run_scenario;

fn run(kind: &str, n: usize, t: usize, extra: &str) -> Vec<RunRecord> {
    let text =
        format!("n = {n}\nt = {t}\ntrials = 40\nseed = 3\n[protocol]\nkind = \"{kind}\"\n{extra}");
    let sc = Scenario::parse("<test>", "signed", &text, &[]).unwrap_or_else(|e| panic!("{e}"));
    run_scenario(&sc).unwrap().records
}

fn holds(records: &[RunRecord]) -> bool {
    records
        .iter()
        .all(|r| r.agreement && r.validity && r.termination)
}

const BEHAVIOURS: [&str; 6] = [
    "late-release",
    "equivocate",
    "crash",
    "drop",
    "silent",
    "honest",
];

/// LSP Theorem 2 with m = 1: three generals and one traitor, impossible with oral messages.
#[test]
fn sm_n3_t1_holds() {
    for behaviour in BEHAVIOURS {
        for who in ["\"commander\"", "[1]", "[2]"] {
            let records = run(
                "signed",
                3,
                1,
                &format!("[faults]\nbehaviour = \"{behaviour}\"\nwho = {who}\n"),
            );
            assert!(holds(&records), "{behaviour}, traitor {who}");
            assert!(
                records
                    .iter()
                    .all(|r| r.bound == "inside" && r.bound_rule == "m >= t, n >= m + 2")
            );
        }
    }
}

#[test]
fn dolev_strong_decides_after_exactly_t_plus_1_rounds() {
    for t in 1..=5 {
        let records = run(
            "dolev-strong",
            7,
            t,
            "[faults]\nbehaviour = \"late-release\"\nwho = \"commander\"\n",
        );
        for r in records.iter().filter(|r| r.t > 0) {
            assert_eq!(r.rounds, t as u64 + 1, "t = {t}");
            assert_eq!(r.decision_time_ms, Some(100.0 * (t as f64 + 1.0)));
        }
    }
}

#[test]
fn dolev_strong_holds_for_every_t_below_n() {
    for t in 0..5 {
        for behaviour in BEHAVIOURS {
            for who in ["\"commander\"", "\"random\""] {
                if t == 0 && who == "\"commander\"" {
                    continue;
                }
                let records = run(
                    "dolev-strong",
                    5,
                    t,
                    &format!("[faults]\nbehaviour = \"{behaviour}\"\nwho = {who}\n"),
                );
                assert!(holds(&records), "t = {t}, {behaviour}, traitors {who}");
                assert!(records.iter().all(|r| r.bound == "inside"));
            }
        }
    }
}

/// The second value reaches the loyal generals in time, so they all see two values and fall
/// back to the default: had it not arrived, they would follow the commander's first order.
#[test]
fn late_release_is_survived() {
    for (kind, n, t) in [
        ("dolev-strong", 7, 3),
        ("dolev-strong", 9, 6),
        ("signed", 6, 2),
    ] {
        let records = run(
            kind,
            n,
            t,
            "value = \"attack\"\n[faults]\nbehaviour = \"late-release\"\nwho = \"commander\"\n",
        );
        assert!(holds(&records), "{kind}");
        assert!(
            records.iter().all(|r| r.decision == "retreat"),
            "{kind}: every loyal general saw both values"
        );
    }
}

/// Honest run over direct links: the commander's n − 1 sends and each lieutenant's relay to the
/// n − 2 generals not on its chain, (n − 1)² in all; with no relaying round, n − 1.
#[test]
fn honest_message_count_is_n_minus_1_squared() {
    for n in [2usize, 3, 5, 8, 13] {
        for r in run("signed", n, 0, "m = 1\n") {
            assert_eq!(r.messages, ((n - 1) * (n - 1)) as u64, "SM(1), n = {n}");
            assert_eq!(
                r.signatures, n as u64,
                "the commander and each lieutenant sign once"
            );
        }
        for r in run("dolev-strong", n, 0, "") {
            assert_eq!(r.messages, (n - 1) as u64, "t = 0: one round, no relays");
        }
        if n > 2 {
            for r in run("dolev-strong", n, 1, "[faults]\nbehaviour = \"honest\"\n") {
                assert_eq!(
                    r.messages,
                    ((n - 1) * (n - 1)) as u64,
                    "Dolev–Strong t = 1, n = {n}"
                );
            }
        }
    }
}

/// Each distinct signature is verified once per run, however many generals check it.
#[test]
fn signatures_are_verified_once_per_run() {
    for r in run(
        "dolev-strong",
        12,
        5,
        "[faults]\nbehaviour = \"late-release\"\nwho = \"commander\"\n",
    ) {
        assert!(
            r.verifications_computed <= r.signatures,
            "{} > {}",
            r.verifications_computed,
            r.signatures
        );
        assert!(
            r.verifications > 2 * r.verifications_computed,
            "the memo answered most requests"
        );
    }
}

#[test]
fn both_work_over_flooding() {
    let net = "[network]\ntopology = \"random-regular\"\ndegree = 4\ntransport = \"flooding\"\nround_ms = 200\n";
    for kind in ["signed", "dolev-strong"] {
        for behaviour in ["late-release", "equivocate", "drop"] {
            // Dolev-Strong runs t + 1 rounds and has no m (the key is refused there).
            let m = if kind == "signed" { "m = 2\n" } else { "" };
            let records = run(
                kind,
                12,
                2,
                &format!("{m}{net}[faults]\nbehaviour = \"{behaviour}\"\nwho = \"commander\"\n"),
            );
            assert!(holds(&records), "{kind} over flooding, {behaviour}");
        }
    }
}

/// Dolev (1982): on a ring (connectivity 2) one tampering traitor breaks oral messages (see
/// tests/oral.rs), while signed messages hold: the traitor can only withhold, and the loyal
/// generals stay connected around the other side of the ring.
#[test]
fn signed_messages_hold_on_a_graph_where_oral_messages_break() {
    let ring = "[network]\ntopology = \"ring\"\ntransport = \"flooding\"\nround_ms = 200\n";
    for kind in ["signed", "dolev-strong"] {
        let records = run(
            kind,
            7,
            1,
            &format!("{ring}[faults]\nbehaviour = \"equivocate\"\nwho = [3]\n"),
        );
        assert!(holds(&records), "{kind}");
        assert!(
            records
                .iter()
                .all(|r| r.bound == "inside" && r.bound_rule.contains("connectivity > t"))
        );
    }
}
