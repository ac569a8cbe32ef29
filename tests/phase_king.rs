//! Berman, Garay and Perry, "Towards optimal distributed consensus" (FOCS 1989), Phase King with
//! two rounds per phase (the n > 4t variant, as in Attiya–Welch and Kshemkalyani–Singhal
//! fig. 14.11): agreement and validity for n > 4t after t + 1 phases of two rounds, whatever the
//! traitors do; outside the bound a traitor king after the last loyal one splits the loyal
//! generals.

use byzsim::Scenario;
use byzsim::record::RunRecord;
use byzsim::run::run_scenario;

/// Runs `trials` trials of Phase King with n generals and t traitors; `extra` is TOML that goes
/// on inside `[protocol]` (keys such as `inputs`) and may open further tables.
fn run(n: usize, t: usize, trials: u64, extra: &str) -> Vec<RunRecord> {
    let text = format!(
        "n = {n}\nt = {t}\ntrials = {trials}\nseed = 9\n[protocol]\nkind = \"phase-king\"\n{extra}"
    );
    let sc = Scenario::parse("<test>", "pk", &text, &[]).unwrap_or_else(|e| panic!("{e}"));
    run_scenario(&sc).unwrap_or_else(|e| panic!("{e}")).records
}

fn holds(records: &[RunRecord]) -> bool {
    records
        .iter()
        .all(|r| r.agreement && r.validity && r.termination)
}

/// A TOML list of general ids.
fn ids(range: impl Iterator<Item = usize>) -> String {
    let ids: Vec<String> = range.map(|i| i.to_string()).collect();
    format!("[{}]", ids.join(", "))
}

/// Inputs alternating attack / retreat: the loyal generals start split.
fn split_inputs(n: usize) -> String {
    let values: Vec<&str> = (0..n)
        .map(|i| {
            if i % 2 == 0 {
                "\"attack\""
            } else {
                "\"retreat\""
            }
        })
        .collect();
    format!("[{}]", values.join(", "))
}

/// The `[faults]` table for a behaviour, with its parameter where it has one.
fn faults(behaviour: &str, who: &str) -> String {
    let param = match behaviour {
        // Round 1 ends at 100 ms: a crashed first king gets its word to only some generals.
        "crash" => "crash_at_ms = 100\n",
        "drop" => "drop = 0.5\n",
        _ => "",
    };
    format!("[faults]\nbehaviour = \"{behaviour}\"\nwho = {who}\n{param}")
}

const BEHAVIOURS: [&str; 6] = [
    "traitor-king",
    "equivocate",
    "crash",
    "drop",
    "silent",
    "honest",
];

/// Theorem (BGP 1989, two-round variant): for n > 4t, t + 1 phases give agreement and validity
/// against any t traitors. Checked for every behaviour, with the traitors as the first t kings,
/// as the last t kings (a single loyal king, in phase 0) and at random, with random, split and
/// unanimous inputs: 5 × 6 × 3 × 3 × 20 = 5400 trials.
#[test]
fn phase_king_holds_within_n_gt_4t() {
    for (n, t) in [(5, 1), (6, 1), (9, 2), (10, 2), (13, 3)] {
        for behaviour in BEHAVIOURS {
            for who in [ids(0..t), ids(1..=t), "\"random\"".to_string()] {
                for inputs in [
                    "\"random\"".to_string(),
                    split_inputs(n),
                    "\"attack\"".into(),
                ] {
                    let records = run(
                        n,
                        t,
                        20,
                        &format!("inputs = {inputs}\n{}", faults(behaviour, &who)),
                    );
                    assert!(
                        holds(&records),
                        "n = {n}, t = {t}, {behaviour}, traitors {who}, inputs {inputs}"
                    );
                    assert!(
                        records
                            .iter()
                            .all(|r| r.bound == "inside" && r.bound_rule == "n > 4t")
                    );
                }
            }
        }
    }
}

/// t + 1 phases of two rounds: every loyal general decides at the end of round 2(t + 1), at
/// 2(t + 1)·round_ms, whatever the traitors do.
#[test]
fn phase_king_decides_after_t_plus_1_phases() {
    for t in 0..=3 {
        for round_ms in [100u64, 40] {
            for behaviour in ["traitor-king", "silent", "equivocate"] {
                let extra = format!(
                    "[network]\nround_ms = {round_ms}\nlatency_ms = {{ min = 1, max = 10 }}\n{}",
                    faults(behaviour, "\"random\"")
                );
                for r in run(4 * t + 1, t, 10, &extra) {
                    assert_eq!(r.rounds, 2 * (t as u64 + 1), "t = {t}, {behaviour}");
                    assert_eq!(
                        r.decision_time_ms,
                        Some((2 * (t as u64 + 1) * round_ms) as f64),
                        "t = {t}, round_ms = {round_ms}, {behaviour}"
                    );
                }
            }
        }
    }
}

/// Each phase: n(n − 1) votes and the king's n − 1 messages, so (t + 1)(n² − 1) in all.
#[test]
fn honest_run_message_count() {
    for (n, t) in [(1, 0), (2, 0), (4, 1), (5, 1), (9, 2), (17, 4), (12, 5)] {
        for r in run(n, t, 5, &faults("honest", "\"random\"")) {
            assert_eq!(
                r.messages,
                ((t + 1) * (n * n - 1)) as u64,
                "n = {n}, t = {t}"
            );
            assert!(r.agreement && r.validity && r.termination);
        }
    }
}

/// Outside the bound (n ≤ 4t) with the last king a traitor, every trial violates agreement:
/// the coalition tells the lower half A of the loyal generals `attack` and the upper half R
/// `retreat`, as voters and as kings. A loyal general of A counts at least t votes for `attack`,
/// so it could keep `retreat` only with more than n/2 + t loyal `retreat` votes, more than the
/// n − t loyal generals there are when n ≤ 4t: it ends on `attack`, and R on `retreat`.
#[test]
fn traitor_king_breaks_it_outside_the_bound() {
    for (n, t, who) in [
        (4, 1, "[1]"),
        (5, 2, "[1, 2]"),
        (7, 2, "[1, 2]"),
        (8, 2, "[1, 2]"),
        (12, 3, "[1, 2, 3]"),
    ] {
        for inputs in ["\"random\"".to_string(), split_inputs(n)] {
            let extra = format!("inputs = {inputs}\n{}", faults("traitor-king", who));
            let records = run(n, t, 20, &extra);
            assert!(
                records.iter().all(|r| !r.agreement && r.termination),
                "n = {n}, t = {t}, traitors {who}: every trial splits the loyal generals"
            );
            assert!(
                records
                    .iter()
                    .all(|r| r.bound == "outside" && r.bound_rule == "n > 4t")
            );
        }
    }
}

/// Outside the bound, the last loyal king still makes the loyal generals agree (the lemma needs
/// no n > 4t: a loyal general that keeps its `maj` saw it from more than n/2 loyal generals, so
/// the king's `maj` is the same). With the traitors as the first t kings, agreement holds for
/// n ≤ 4t too; validity does not: at n = 4, t = 1 the traitor king of phase 0 turns half the
/// loyal generals away from a unanimous `retreat`, and the loyal king of phase 1 then sees a
/// majority for `attack`.
#[test]
fn a_last_loyal_king_saves_agreement_outside_the_bound_but_not_validity() {
    for (n, t) in [(4, 1), (5, 2), (8, 2), (9, 3)] {
        let extra = format!(
            "inputs = \"random\"\n{}",
            faults("traitor-king", &ids(0..t))
        );
        let records = run(n, t, 20, &extra);
        assert!(records.iter().all(|r| r.agreement && r.termination));
        assert!(records.iter().all(|r| r.bound == "outside"));
    }
    let extra = format!("inputs = \"retreat\"\n{}", faults("traitor-king", "[0]"));
    for r in run(4, 1, 10, &extra) {
        assert!(r.agreement && !r.validity);
        assert_eq!(r.decision, "attack");
    }
}

/// Validity (BGP 1989): if every loyal general starts with v, each sees at least n − t > n/2 + t
/// copies of v in every phase and keeps it, so v is the decision.
#[test]
fn validity_with_unanimous_inputs() {
    for (n, t) in [(5, 1), (9, 2)] {
        for value in ["attack", "retreat"] {
            for behaviour in BEHAVIOURS {
                for who in [ids(0..t), "\"random\"".to_string()] {
                    let extra = format!("inputs = \"{value}\"\n{}", faults(behaviour, &who));
                    for r in run(n, t, 10, &extra) {
                        assert!(r.validity && r.agreement, "{behaviour}, {who}");
                        assert_eq!(r.decision, value, "n = {n}, {behaviour}, traitors {who}");
                    }
                }
            }
        }
    }
}
