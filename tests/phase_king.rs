//! Berman, Garay and Perry (1989), Phase King, two rounds per phase: agreement and validity for
//! n > 4t after t + 1 phases, whatever the traitors do; outside the bound a loyal king's work can
//! be undone by traitor kings in later phases.

use byzsim::Scenario;
use byzsim::record::RunRecord;
use byzsim::run::run_scenario;

fn run(n: usize, t: usize, extra: &str) -> Vec<RunRecord> {
    let text = format!(
        "n = {n}\nt = {t}\ntrials = 50\nseed = 9\n[protocol]\nkind = \"phase-king\"\n{extra}"
    );
    let sc = Scenario::parse("<test>", "pk", &text, &[]).unwrap_or_else(|e| panic!("{e}"));
    run_scenario(&sc).unwrap().records
}

fn holds(records: &[RunRecord]) -> bool {
    records
        .iter()
        .all(|r| r.agreement && r.validity && r.termination)
}

fn first_kings(t: usize) -> String {
    let ids: Vec<String> = (0..t).map(|i| i.to_string()).collect();
    format!("[{}]", ids.join(", "))
}

#[test]
fn phase_king_holds_within_n_gt_4t() {
    for (n, t) in [(5, 1), (6, 1), (9, 2), (13, 3)] {
        for behaviour in ["traitor-king", "equivocate", "crash", "drop", "silent"] {
            for who in [first_kings(t), "\"random\"".to_string()] {
                for inputs in ["\"random\"", "\"attack\""] {
                    let records = run(
                        n,
                        t,
                        &format!(
                            "inputs = {inputs}\n[faults]\nbehaviour = \"{behaviour}\"\nwho = {who}\n"
                        ),
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

#[test]
fn phase_king_decides_after_t_plus_1_phases() {
    for t in 0..=3 {
        for r in run(4 * t + 1, t, "[faults]\nbehaviour = \"traitor-king\"\n") {
            assert_eq!(r.rounds, 2 * (t as u64 + 1));
            assert_eq!(r.decision_time_ms, Some(200.0 * (t as f64 + 1.0)));
        }
    }
}

/// Each phase: n(n − 1) votes and the king's n − 1 messages.
#[test]
fn honest_run_message_count() {
    for (n, t) in [(2, 0), (5, 1), (9, 2), (17, 4)] {
        for r in run(n, t, "[faults]\nbehaviour = \"honest\"\n") {
            assert_eq!(
                r.messages,
                ((t + 1) * (n * n - 1)) as u64,
                "n = {n}, t = {t}"
            );
        }
    }
}

/// n = 5 ≤ 4t with t = 2: the loyal king of phase 0 makes the loyal generals agree, but traitor
/// kings 1 and 2 keep the loyal counts at n − t = 3, not above n/2 + t = 4.5, and split them.
#[test]
fn traitor_king_breaks_it_outside_the_bound() {
    let records = run(
        5,
        2,
        "[faults]\nbehaviour = \"traitor-king\"\nwho = [1, 2]\n",
    );
    assert!(
        records.iter().all(|r| !r.agreement),
        "every trial splits the loyal generals"
    );
    assert!(records.iter().all(|r| r.bound == "outside"));
}

#[test]
fn validity_with_unanimous_inputs() {
    for value in ["attack", "retreat"] {
        for r in run(
            9,
            2,
            &format!(
                "inputs = \"{value}\"\n[faults]\nbehaviour = \"traitor-king\"\nwho = [0, 1]\n"
            ),
        ) {
            assert!(r.validity && r.agreement);
            assert_eq!(r.decision, value);
        }
    }
}
