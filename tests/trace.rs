//! Traces of one trial: JSON lines parse, the Mermaid file is a sequence diagram, the Chrome
//! trace parses and has one named track per general, and the events tell the trial's story.

use std::process::{Command, Output};

fn byzsim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_byzsim"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap()
}

const SPLIT: &str = "scenarios/vote-n4-equivocating-traitor-breaks-agreement.toml";

#[test]
fn json_lines_parse_and_pair_every_delivery_with_its_send() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.jsonl");
    let out = byzsim(&[
        "run",
        SPLIT,
        "--trials",
        "1",
        "--trace",
        path.to_str().unwrap(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&path).unwrap();
    let events: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let of = |kind: &str| events.iter().filter(|e| e["event"] == kind).count();
    assert_eq!(of("send"), 12, "n(n − 1) votes");
    assert_eq!(of("deliver"), 12);
    assert_eq!(of("decide"), 3, "the three loyal generals");
    let decisions: Vec<&str> = events
        .iter()
        .filter(|e| e["event"] == "decide")
        .map(|e| e["value"].as_str().unwrap())
        .collect();
    assert_eq!(decisions, ["attack", "retreat", "retreat"]);
}

#[test]
fn mermaid_is_a_sequence_diagram_with_the_traitor_marked() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.mmd");
    let out = byzsim(&[
        "run",
        SPLIT,
        "--trials",
        "1",
        "--trace",
        path.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0));
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.starts_with("sequenceDiagram\n"));
    assert!(text.contains("participant G3 as general 3 (traitor)"));
    assert_eq!(text.matches("->>").count(), 12);
    assert!(text.contains("Note over G0: decides attack"));
}

#[test]
fn chrome_trace_has_a_track_per_general() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.json");
    let out = byzsim(&[
        "run",
        "scenarios/signed-flood-dropping-cut-breaks-agreement.toml",
        "--trials",
        "1",
        "--trace",
        path.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0));
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let events = doc["traceEvents"].as_array().unwrap();
    let tracks = events.iter().filter(|e| e["name"] == "thread_name").count();
    assert_eq!(tracks, 7);
    assert!(
        events
            .iter()
            .any(|e| e["args"]["name"] == "general 3 (traitor)")
    );
    assert!(events.iter().any(|e| {
        e["name"]
            .as_str()
            .is_some_and(|n| n.starts_with("withholds relay"))
    }));
}

#[test]
fn a_bad_trace_name_or_a_diagram_too_large_is_refused() {
    let out = byzsim(&["run", "--trials", "1", "--trace", "t.txt"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains(".jsonl"));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.mmd");
    let out = byzsim(&[
        "run",
        "--set",
        "n=40",
        "--trials",
        "1",
        "--trace",
        path.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("too many"));
    assert!(!path.exists());
}

#[test]
fn a_violated_trial_is_explained_in_one_paragraph() {
    let out = byzsim(&["run", SPLIT, "--trials", "1"]);
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.contains(
            "Decisions: general 0 attack, general 1 retreat, general 2 retreat (traitors: 3)."
        ),
        "{table}"
    );
    assert!(
        table.contains("general 3 told general 0 \"attack\" but general 1 \"retreat\""),
        "{table}"
    );
    let out = byzsim(&[
        "run",
        "scenarios/vote-lossy-links-break-agreement.toml",
        "--trials",
        "3",
    ]);
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.contains("never did"),
        "a lost vote shows as a message one general never got: {table}"
    );
}
