//! Lamport, Shostak and Pease (1982), oral messages: OM(m) reaches interactive consistency
//! with at most m traitors iff n > 3m; its honest run sends f(n, m) messages in m + 1 rounds.

use byzsim::Scenario;
use byzsim::hunt::{HuntOptions, HuntOutcome, hunt};
use byzsim::record::RunRecord;
use byzsim::run::run_scenario;

fn run(n: usize, t: usize, extra: &str) -> Vec<RunRecord> {
    let text =
        format!("n = {n}\nt = {t}\ntrials = 60\nseed = 5\n[protocol]\nkind = \"oral\"\n{extra}");
    let sc = Scenario::parse("<test>", "oral", &text, &[]).unwrap_or_else(|e| panic!("{e}"));
    run_scenario(&sc).unwrap().records
}

fn holds(records: &[RunRecord]) -> bool {
    records
        .iter()
        .all(|r| r.agreement && r.validity && r.termination)
}

const BEHAVIOURS: [&str; 6] = [
    "equivocate",
    "lsp-split",
    "crash",
    "drop",
    "silent",
    "honest",
];

/// Theorem 1 of the paper for m = 1: four generals tolerate one traitor, whoever it is and
/// whatever it does.
#[test]
fn om1_n4_t1_holds_under_every_behaviour() {
    for behaviour in BEHAVIOURS {
        for who in ["\"commander\"", "[2]", "\"random\""] {
            for value in ["attack", "retreat"] {
                let faults = format!(
                    "value = \"{value}\"\n[faults]\nbehaviour = \"{behaviour}\"\nwho = {who}\n"
                );
                let records = run(4, 1, &faults);
                assert!(holds(&records), "{behaviour}, traitor {who}, order {value}");
            }
        }
    }
}

/// The three-general impossibility (the paper's section 3, figures 1 and 2), as it falls on OM(1):
/// a lying lieutenant tells the other that the loyal commander said retreat; the loyal lieutenant
/// holds attack and retreat, the tie goes to retreat, and the commander's order is lost (validity,
/// and with it agreement between the commander and its lieutenant). A lying commander instead
/// cannot split two loyal lieutenants in OM(1): each holds the same two values, its own and the
/// other's relayed truthfully (Theorem 1's induction needs only n − 1 > 3(m − 1) for that case).
#[test]
fn om1_n3_t1_impossibility_strategy_breaks_it() {
    let records = run(3, 1, "[faults]\nbehaviour = \"lsp-split\"\nwho = [2]\n");
    assert!(
        records.iter().all(|r| !r.validity && !r.agreement),
        "a lying lieutenant breaks every trial"
    );
    assert!(
        records
            .iter()
            .all(|r| r.bound == "outside" && r.bound_rule == "n > 3t, m >= t")
    );
    for behaviour in ["lsp-split", "equivocate"] {
        let faults = format!("[faults]\nbehaviour = \"{behaviour}\"\nwho = \"commander\"\n");
        let records = run(3, 1, &faults);
        assert!(
            records.iter().all(|r| r.agreement && r.termination),
            "{behaviour}: a lying commander cannot split two loyal lieutenants in OM(1)"
        );
    }
}

#[test]
fn om2_n7_t2_holds() {
    for behaviour in BEHAVIOURS {
        for who in ["[0, 3]", "[1, 2]", "[5, 6]", "\"random\""] {
            let records = run(
                7,
                2,
                &format!("[faults]\nbehaviour = \"{behaviour}\"\nwho = {who}\n"),
            );
            assert!(holds(&records), "{behaviour}, traitors {who}");
            assert!(records.iter().all(|r| r.bound == "inside"));
        }
    }
}

/// n = 6 = 3t is outside OM(2)'s bound: two lying lieutenants outvote a loyal commander's attack
/// at the bottom of the recursion (validity needs n > 2k + m, the paper's Lemma 1). A lying
/// commander with one lying lieutenant cannot split the loyal ones there: that case needs only
/// n − 1 > 3(m − 1) (the induction of Theorem 1).
#[test]
fn om2_n6_t2_violation_occurs() {
    let records = run(6, 2, "[faults]\nbehaviour = \"lsp-split\"\nwho = [3, 5]\n");
    assert!(
        records.iter().all(|r| !r.validity),
        "two lying lieutenants outvote the truth"
    );
    assert!(records.iter().all(|r| r.bound == "outside"));
    let records = run(6, 2, "[faults]\nbehaviour = \"lsp-split\"\nwho = [0, 3]\n");
    assert!(
        records.iter().all(|r| r.agreement),
        "a lying commander and lieutenant do not split OM(2) with n = 6"
    );
}

/// The other half of the bound, m >= t: OM(1) with n = 7 > 3t but t = 2. A lying commander
/// splits the loyal lieutenants three against two, and a colluding lieutenant backs each side,
/// so the three hold 4 attack to 2 and decide attack, the two hold 3 to 3 and decide retreat.
#[test]
fn om1_with_two_traitors_breaks_agreement() {
    for who in ["[0, 1]", "[0, 4]", "[0, 6]"] {
        let faults = format!("m = 1\n[faults]\nbehaviour = \"lsp-split\"\nwho = {who}\n");
        let records = run(7, 2, &faults);
        assert!(records.iter().all(|r| !r.agreement), "traitors {who}");
        assert!(records.iter().all(|r| r.bound == "outside"));
    }
    let records = run(7, 2, "[faults]\nbehaviour = \"lsp-split\"\nwho = [0, 4]\n");
    assert!(holds(&records), "OM(2) withstands the same coalition");
}

/// f(n, 0) = n − 1, f(n, m) = (n − 1) + (n − 1)·f(n − 1, m − 1).
fn lsp(n: u64, m: u64) -> u64 {
    if m == 0 {
        n - 1
    } else {
        (n - 1) + (n - 1) * lsp(n - 1, m - 1)
    }
}

#[test]
fn message_count_equals_lsp_recursion() {
    for (n, m) in [
        (2, 0),
        (4, 0),
        (4, 1),
        (5, 1),
        (6, 2),
        (7, 2),
        (8, 3),
        (9, 3),
    ] {
        let records = run(n, 0, &format!("m = {m}\n"));
        for r in &records {
            assert_eq!(r.messages, lsp(n as u64, m as u64), "n = {n}, m = {m}");
        }
        assert_eq!(
            byzsim::protocol::oral::messages(n, m) as u64,
            lsp(n as u64, m as u64)
        );
    }
}

#[test]
fn decides_after_m_plus_1_rounds() {
    for m in 0..=3 {
        for r in run(8, 0, &format!("m = {m}\n[network]\nround_ms = 50\n")) {
            assert_eq!(r.rounds, m as u64 + 1);
            assert_eq!(r.decision_time_ms, Some(50.0 * (m as f64 + 1.0)));
        }
    }
}

fn bound_of(n: usize, t: usize, extra: &str) -> (String, String) {
    let text = format!("n = {n}\nt = {t}\ntrials = 1\n[protocol]\nkind = \"oral\"\n{extra}");
    let sc = Scenario::parse("<test>", "oral", &text, &[]).unwrap_or_else(|e| panic!("{e}"));
    let r = run_scenario(&sc).unwrap().records.remove(0);
    (r.bound, r.bound_rule)
}

/// Inside iff n > 3t and m >= t on a complete graph (Theorem 1; n > 2t + m when m > t, Lemma
/// 1); on any other graph the vertex connectivity must also exceed 2t (Dolev 1982), and the
/// values must travel by reliable transmission, which flooding is not.
#[test]
fn bound_needs_n_above_3t_m_at_least_t_and_connectivity_above_2t() {
    let rule = "n > 3t, m >= t";
    let rule_m = "n > 2t + m, m >= t";
    let graph_rule = "n > 3t, m >= t, connectivity > 2t";
    let flooding_not_reliable = "n > 3t, m >= t, connectivity > 2t; not met: reliable transmission (flooding hands over the first copy, which a traitor relay can tamper with; use transport = \"disjoint-paths\")";
    let ring = "[network]\ntransport = \"flooding\"\nround_ms = 300\ntopology = \"ring\"\n";
    let cases = [
        (4, 1, "", "inside", rule),
        (3, 1, "", "outside", rule),
        (7, 2, "", "inside", rule),
        (7, 2, "m = 1\n", "outside", rule_m),
        (4, 1, "m = 2\n", "outside", rule_m),
        (5, 1, "m = 2\n", "inside", rule_m),
        (6, 2, "", "outside", rule),
        (4, 0, "m = 0\n", "inside", rule),
        // With a traitor, flooding is not reliable transmission for unsigned values; with none
        // it is, and a ring's connectivity 2 is above 2t = 0.
        (7, 1, ring, "outside", flooding_not_reliable),
        (7, 0, ring, "inside", graph_rule),
    ];
    for (n, t, extra, inside, rule) in cases {
        assert_eq!(
            bound_of(n, t, extra),
            (inside.to_string(), rule.to_string()),
            "n = {n}, t = {t}, {extra}"
        );
    }
}

/// On a graph of connectivity 2 = 2t, one traitor on the ring tampers with the unsigned values it
/// relays and splits the loyal generals, although n > 3t.
#[test]
fn oral_messages_break_on_a_graph_of_connectivity_2t() {
    let ring = "[network]\ntopology = \"ring\"\ntransport = \"flooding\"\nround_ms = 200\n";
    let records = run(
        7,
        1,
        &format!("{ring}[faults]\nbehaviour = \"equivocate\"\nwho = [3]\n"),
    );
    assert!(
        records.iter().any(|r| !(r.agreement && r.validity)),
        "a tampering relay breaks OM on a ring"
    );
}

fn exhaustive(text: &str) -> HuntOutcome {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("om.toml");
    std::fs::write(&file, text).unwrap();
    hunt(&HuntOptions {
        file,
        sets: Vec::new(),
        budget: 1_000_000,
        exhaustive: true,
        out: None,
        seed: None,
    })
    .unwrap()
}

/// Model-checking the theorem for OM(1), n = 4, t = 1: every placement of the traitor and every
/// value it sends or withholds to each general.
#[test]
fn exhaustive_search_finds_no_violation_of_om1_with_n4_t1() {
    match exhaustive("n = 4\nt = 1\n[protocol]\nkind = \"oral\"\n[faults]\nwho = \"random\"\n") {
        HuntOutcome::Clean { proof, tried, .. } => {
            assert!(proof);
            assert_eq!(
                tried,
                27 + 3 * 9,
                "commander: 3 sends; each lieutenant: 2 relays"
            );
        }
        HuntOutcome::Found(v) => panic!("{}", v.reason),
    }
}

#[test]
fn exhaustive_search_finds_a_violation_of_om1_with_n3_t1() {
    match exhaustive("n = 3\nt = 1\n[protocol]\nkind = \"oral\"\n[faults]\nwho = \"random\"\n") {
        HuntOutcome::Found(v) => {
            assert!(v.property == "agreement" || v.property == "validity");
            assert_eq!(v.candidate.n, 3);
            assert_eq!(v.candidate.deviations(), 1, "one lie is enough");
        }
        HuntOutcome::Clean { .. } => panic!("n = 3 cannot tolerate a traitor"),
    }
}
