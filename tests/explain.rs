//! The paragraph under a violated trial names what made the honest generals' views differ, and
//! each cause it names is checked against the trial's own trace (JSON lines) of the same seed:
//! an equivocation, a withheld message (scripted traitors' withholds also count in `withheld`),
//! a lost one, a late one, a decision reverted by a reorganisation, a signature chain released
//! late, and a lie told alike to all. A trial too large to trace whole says where it was cut.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value as Json;

fn byzsim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_byzsim"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("byzsim runs")
}

/// The explanation paragraph `byzsim run ARGS` prints for the first violation.
fn paragraph(args: &[&str]) -> String {
    let out = byzsim(&[&["run"], args].concat());
    let table = String::from_utf8_lossy(&out.stdout).into_owned();
    table
        .lines()
        .find(|l| l.trim_start().starts_with("Decisions:"))
        .unwrap_or_else(|| panic!("no paragraph in: {table}"))
        .trim()
        .to_string()
}

/// The JSON-lines trace of trial 0 of `byzsim run ARGS`.
fn trace(dir: &Path, args: &[&str]) -> Vec<Json> {
    let path = dir.join("t.jsonl");
    let path = path.to_str().unwrap();
    let out = byzsim(&[&["run"], args, &["--trace", path]].concat());
    assert!(
        out.status.code().is_some_and(|c| c < 2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn scenario(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

const SPLIT: &str = "scenarios/vote-n4-equivocating-traitor-breaks-agreement.toml";
const LOSSY: &str = "scenarios/vote-lossy-links-break-agreement.toml";

#[test]
fn an_equivocation_names_the_traitor_and_both_versions() {
    let args = [SPLIT, "--seed", "1", "--trials", "1"];
    let p = paragraph(&args);
    assert!(
        p.contains(
            "general 3 told general 0 \"attack\" but general 1 \"retreat\" (an equivocation by traitor 3)"
        ),
        "{p}"
    );
    let dir = tempfile::tempdir().unwrap();
    let events = trace(dir.path(), &args);
    let told = |to: u64| -> Vec<&str> {
        events
            .iter()
            .filter(|e| e["event"] == "deliver" && e["from"] == 3 && e["to"] == to)
            .map(|e| e["message"].as_str().unwrap())
            .collect()
    };
    assert_eq!(told(0), ["attack"]);
    assert_eq!(told(1), ["retreat"]);
}

#[test]
fn a_lost_message_names_its_link() {
    let args = [LOSSY, "--seed", "1", "--trials", "1"];
    let p = paragraph(&args);
    assert!(
        p.contains(
            "general 1 heard \"attack\" from general 2 but general 3 never did: it was lost on the link 2 → 3 (sent in round 1, at 0.000 ms)"
        ),
        "{p}"
    );
    let dir = tempfile::tempdir().unwrap();
    let events = trace(dir.path(), &args);
    assert!(
        events
            .iter()
            .any(|e| e["event"] == "loss" && e["from"] == 2 && e["to"] == 3 && e["t_ms"] == 0.0),
        "the trace shows the loss on 2 → 3"
    );
}

/// A scripted traitor (general 3) that withholds its vote from general 0 and tells the others
/// `retreat`: loyal votes 2–1 for attack, so general 0 attacks and generals 1, 2 tie and retreat.
const WITHHOLD: &str = r#"
n = 4
t = 1
[protocol]
kind = "vote"
inputs = ["attack", "attack", "retreat", "retreat"]
[network]
latency_ms = { min = 1, max = 10 }
[faults]
behaviour = "scripted"
who = [3]
script = [{ 0 = ["withhold"], 1 = ["retreat"], 2 = ["retreat"] }]
"#;

#[test]
fn a_withheld_message_names_who_withheld_it_from_whom_and_when() {
    let dir = tempfile::tempdir().unwrap();
    let file = scenario(dir.path(), "withhold.toml", WITHHOLD);
    let p = paragraph(&[&file]);
    assert!(
        p.contains("but general 0 never did: general 3, a traitor, withheld it from general 0 in round 1, at 0.000 ms"),
        "{p}"
    );
    let events = trace(dir.path(), &[&file]);
    let withheld: Vec<&Json> = events.iter().filter(|e| e["event"] == "withhold").collect();
    assert_eq!(withheld.len(), 1);
    assert_eq!(
        (
            &withheld[0]["by"],
            &withheld[0]["to"],
            &withheld[0]["message"]
        ),
        (&Json::from(3), &Json::from(0), &Json::from("retreat"))
    );
}

#[test]
fn withheld_counts_scripted_withholds() {
    let dir = tempfile::tempdir().unwrap();
    // Every choice of the script withholds, one per recipient: three withheld votes.
    let text = WITHHOLD.replace(
        r#"{ 0 = ["withhold"], 1 = ["retreat"], 2 = ["retreat"] }"#,
        r#"{ 0 = ["withhold"], 1 = ["withhold"], 2 = ["withhold"] }"#,
    );
    let file = scenario(dir.path(), "silent.toml", &text);
    let csv = dir.path().join("rows.csv");
    let out = byzsim(&["run", &file, "--out", csv.to_str().unwrap()]);
    assert!(out.status.code().is_some_and(|c| c < 2));
    let rows = std::fs::read_to_string(&csv).unwrap();
    let mut lines = rows.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let row: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| row[header.iter().position(|h| *h == name).unwrap()];
    assert_eq!(col("withheld"), "3");
    // n(n − 1) votes minus the three withheld.
    assert_eq!(col("messages"), "9");
}

#[test]
fn a_message_that_missed_its_round_names_the_round_end() {
    // Links slower than the round: general 5's vote to general 1 is still on its way when
    // round 1 ends at 100 ms and the generals decide.
    let args = [
        LOSSY,
        "--set",
        "network.loss=0",
        "--set",
        "network.latency_ms={min=1,max=150}",
        "--seed",
        "1",
        "--trials",
        "1",
    ];
    let p = paragraph(&args);
    assert!(
        p.contains("but general 1 did not in time: sent by general 5 in round 1, at 0.000 ms, it had not arrived when that round ended at 100.000 ms"),
        "{p}"
    );
    // OM(1) with slow links: the commander's order reaches general 2 after round 1, too late to
    // be relayed; the views agree, and the late arrival is what the paragraph names.
    let args = [
        "scenarios/oral-om1-n4-t1-holds.toml",
        "--set",
        "network.latency_ms={min=1,max=150}",
        "--seed",
        "1",
        "--trials",
        "1",
    ];
    let p = paragraph(&args);
    assert!(
        p.contains("general 0's \"attack along 0\" reached general 2 at 102.729 ms, after its round (1) had ended at 100.000 ms"),
        "{p}"
    );
    let dir = tempfile::tempdir().unwrap();
    let events = trace(dir.path(), &args);
    assert!(events.iter().any(|e| e["event"] == "deliver"
        && e["from"] == 0
        && e["to"] == 2
        && e["late"] == true
        && e["round_ended_ms"] == 100.0
        && e["t_ms"] == 102.729));
}

#[test]
fn a_reverted_decision_names_the_reorganisation() {
    let args = [
        "scenarios/pow-double-spend-1-confirmation.toml",
        "--seed",
        "4",
        "--trials",
        "1",
    ];
    let p = paragraph(&args);
    assert!(
        p.contains("General 1's decision (attack at 1888.835 ms) was reverted at 4126.082 ms by a reorganisation: it dropped 1 block after block 0 (block 1, mined by general 2), whose order attack sat in block 1, 1 block deep, for 2 heavier blocks (blocks 1–2, mined by general 0) carrying the order retreat in block 1"),
        "{p}"
    );
    let dir = tempfile::tempdir().unwrap();
    let events = trace(dir.path(), &args);
    let reverted: Vec<&Json> = events.iter().filter(|e| e["event"] == "revert").collect();
    assert_eq!(reverted.len(), 4, "every honest node reorganises");
    assert!(reverted.iter().all(|e| e["t_ms"] == 4126.082));
    // The blocks named are the ones general 1 received.
    let to_1: Vec<&str> = events
        .iter()
        .filter(|e| e["event"] == "deliver" && e["to"] == 1 && e["t_ms"].as_f64() <= Some(4126.082))
        .map(|e| e["message"].as_str().unwrap())
        .collect();
    assert!(to_1.contains(&"block 1 by general 2, carrying the order attack"));
    assert!(to_1.contains(&"block 1 by general 0, carrying the order retreat"));
    assert!(to_1.contains(&"block 2 by general 0, its chain's order: retreat, in block 1"));
}

#[test]
fn a_signature_chain_released_late_names_its_round_and_signatures() {
    // SM(1) against t = 2 late-releasing traitors (m < t): the second order reaches half the
    // loyal generals in round 2 with 2 signatures, too late for them to pass it on.
    let args = [
        "scenarios/dolev-strong-late-release.toml",
        "--set",
        "protocol.kind=signed",
        "--set",
        "protocol.m=1",
        "--set",
        "t=2",
        "--seed",
        "1",
        "--trials",
        "1",
    ];
    let p = paragraph(&args);
    assert!(
        p.contains("heard \"retreat signed by 0, 4 (2 signatures)\" from general 4 but general 6 never did: general 4, a traitor, released this chain of 2 signatures late, in round 2, at 100.000 ms, and only to generals 1, 2, 3, 5"),
        "{p}"
    );
    let dir = tempfile::tempdir().unwrap();
    let events = trace(dir.path(), &args);
    let mut got: Vec<u64> = events
        .iter()
        .filter(|e| {
            e["event"] == "send"
                && e["from"] == 4
                && e["message"] == "retreat signed by 0, 4 (2 signatures)"
        })
        .map(|e| {
            assert_eq!(e["round"], 2);
            e["to"].as_u64().unwrap()
        })
        .collect();
    got.sort_unstable();
    assert_eq!(got, [1, 2, 3, 5]);
}

#[test]
fn oral_views_are_compared_only_on_paths_meant_for_each_general() {
    // OM(2), n = 6, two lying lieutenants: the loyal lieutenants hear the same lies, and no
    // general is ever said to miss a path that contains it (OM never sends those).
    for seed in ["1", "2", "3"] {
        let p = paragraph(&[
            "scenarios/oral-om2-n6-t2-breaks.toml",
            "--seed",
            seed,
            "--trials",
            "1",
        ]);
        assert!(!p.contains("never"), "seed {seed}: {p}");
        assert!(
            p.contains("the cause is a lie told alike to all"),
            "seed {seed}: {p}"
        );
    }
    let p = paragraph(&[
        "scenarios/oral-om2-n6-t2-breaks.toml",
        "--seed",
        "1",
        "--trials",
        "1",
    ]);
    assert!(
        p.contains("general 3, a traitor, heard \"attack along 0\" from general 0 but passed on \"retreat along 0→3\" to generals 1, 2, 4 in round 2"),
        "{p}"
    );
}

#[test]
fn a_trial_too_large_to_trace_whole_says_where_it_was_cut() {
    // 1100 generals voting, one equivocating traitor tipping a one-vote margin: 1.2 million
    // sends and as many deliveries, more than the 2 million events a trace keeps.
    let n = 1100;
    let inputs: Vec<&str> = (0..n)
        .map(|i| {
            if i < n / 2 {
                "\"attack\""
            } else {
                "\"retreat\""
            }
        })
        .collect();
    let text = format!(
        "n = {n}\nt = 1\n[protocol]\nkind = \"vote\"\ninputs = [{}]\n[faults]\nbehaviour = \"equivocate\"\nwho = [{}]\n",
        inputs.join(", "),
        n - 1
    );
    let dir = tempfile::tempdir().unwrap();
    let file = scenario(dir.path(), "big.toml", &text);
    let p = paragraph(&[&file]);
    assert!(
        p.contains("trace was cut at 2000000 events (its cap)"),
        "{p}"
    );
    assert!(
        p.contains(" generals attack (") && p.contains(" generals retreat ("),
        "{p}"
    );
}

mod properties {
    use byzsim::Scenario;
    use byzsim::engine::trace::TraceEvent;
    use byzsim::explain::{Kind as Divergence, explain, first_divergence};
    use byzsim::protocol::Kind;
    use byzsim::trace_index::{Fate, TraceIndex};
    use byzsim::trial::{run_trial, traitors_of};
    use proptest::prelude::*;

    fn toml(kind: &str, n: usize, t: usize, behaviour: &str, max_ms: u64, loss: f64) -> String {
        format!(
            "n = {n}\nt = {t}\n[protocol]\nkind = \"{kind}\"\n[network]\nlatency_ms = {{ min = 1, max = {max_ms} }}\nloss = {loss}\nround_ms = 50\n[faults]\nbehaviour = \"{behaviour}\"\n"
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

        /// Whatever happened, the index pairs each delivery with its own send, `withheld` counts
        /// exactly the withholds traced, and a divergence compares two different honest
        /// generals on a message meant for both.
        #[test]
        fn explanations_compare_honest_generals_on_messages_meant_for_them(
            kind in prop::sample::select(vec!["vote", "oral", "signed", "dolev-strong", "phase-king"]),
            n in 3usize..8,
            t in 1usize..3,
            behaviour in prop::sample::select(vec!["equivocate", "drop", "crash", "silent", "honest"]),
            max_ms in prop::sample::select(vec![10u64, 80]),
            loss in prop::sample::select(vec![0.0, 0.2]),
            seed in 0u64..1000,
        ) {
            let text = toml(kind, n, t.min(n - 1), behaviour, max_ms, loss);
            let Ok(sc) = Scenario::parse("<prop>", "prop", &text, &[]) else { return Ok(()); };
            let r = run_trial(&sc, Kind::parse(kind).unwrap(), 0, seed, true).unwrap();
            let rec = r.trace.as_ref().unwrap();
            let traitors = traitors_of(&sc, seed);
            let index = TraceIndex::new(rec, &traitors);
            for (i, e) in rec.events().iter().enumerate() {
                if let TraceEvent::Deliver { seq, from, to, .. } = e
                    && let Some(k) = index.transmission_of(*seq)
                {
                    let s = index.sent(k);
                    prop_assert_eq!((s.from, s.to), (*from, *to));
                    let paired = matches!(index.fate(k), Fate::Delivered { event, .. } if event == i);
                    prop_assert!(paired, "delivery {} paired with its own send", i);
                }
            }
            let traced = rec.events().iter().filter(|e| matches!(e, TraceEvent::Withheld { .. })).count();
            prop_assert_eq!(r.record.withheld, traced as u64);
            let paragraph = explain(&index);
            prop_assert!(paragraph.starts_with("Decisions: "));
            if let Some(d) = first_divergence(&index) {
                let (a, b, skips) = match d.kind {
                    Divergence::Contents { a, b, x, y, .. } => {
                        prop_assert_ne!(x, y);
                        (a, b, index.message(x).about.skips.clone())
                    }
                    Divergence::Missing { a, b, msg, .. } => (a, b, index.message(msg).about.skips.clone()),
                };
                prop_assert_ne!(a, b);
                prop_assert!(!traitors[a.idx()] && !traitors[b.idx()], "{paragraph}");
                prop_assert!(!skips.contains(&b.0) && !skips.contains(&a.0), "{paragraph}");
                prop_assert!(a != d.origin && b != d.origin, "{paragraph}");
            }
        }
    }
}

/// A message meant for one general (PBFT's request to the primary) is no divergence when the
/// others never hear it: the paragraph for a PBFT that a vote-withholding traitor stops at n = 3
/// names the withheld vote, not "sent it only to general 0" (which every request is, by design).
#[test]
fn a_message_meant_for_one_general_is_not_a_divergence() {
    let p = paragraph(&["scenarios/pbft-n3-t1-breaks.toml", "--trials", "1"]);
    assert!(!p.contains("sent it only to"), "{p}");
    assert!(
        p.contains("general 1, a traitor, withheld \"view 0: prepare"),
        "{p}"
    );
}
