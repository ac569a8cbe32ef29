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

/// Runs `byzsim run ARGS --trace DIR/NAME` and returns the file's text.
fn traced(dir: &std::path::Path, name: &str, args: &[&str]) -> String {
    let path = dir.join(name);
    let out = byzsim(&[&["run"], args, &["--trace", path.to_str().unwrap()]].concat());
    assert!(
        out.status.code().is_some_and(|c| c < 2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::read_to_string(&path).unwrap()
}

#[test]
fn traces_carry_each_message_in_words_and_timers_by_name() {
    let dir = tempfile::tempdir().unwrap();
    // Oral messages: the value and its path.
    let oral = traced(
        dir.path(),
        "om.mmd",
        &["scenarios/oral-om1-n4-t1-holds.toml", "--trials", "1"],
    );
    assert!(oral.contains(": attack along 0 ("), "{oral}");
    assert!(oral.contains("along 0→"), "{oral}");
    assert!(oral.contains("end of round 1: relay the paths of length 1"));
    // Signature chains: the value, the signers and how many.
    let ds = traced(
        dir.path(),
        "ds.jsonl",
        &["scenarios/dolev-strong-late-release.toml", "--trials", "1"],
    );
    assert!(ds.contains("\"message\":\"attack signed by 0 (1 signature)\""));
    assert!(ds.contains(" (2 signatures)\""));
    // Blocks: height, miner and the order they carry; mining timers by name, never by number.
    let pow = traced(
        dir.path(),
        "pow.json",
        &["scenarios/pow-honest-agrees.toml", "--trials", "1"],
    );
    assert!(
        pow.contains("carrying the order attack"),
        "blocks say which order they carry"
    );
    assert!(pow.contains("its chain's order: attack, in block"));
    assert!(pow.contains("mining: general "), "mining timers are named");
    assert!(!pow.contains("\"timer "), "no timer is named by its number");
}

#[test]
fn every_kind_of_a_list_is_traced_to_its_own_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("k.jsonl");
    let out = byzsim(&[
        "run",
        SPLIT,
        "--set",
        "protocol.kind=[\"vote\",\"oral\",\"pow\"]",
        "--trials",
        "1",
        "--trace",
        path.to_str().unwrap(),
    ]);
    assert!(out.status.code().is_some_and(|c| c < 2));
    for kind in ["vote", "oral", "pow"] {
        let file = dir.path().join(format!("k.{kind}.jsonl"));
        let text = std::fs::read_to_string(&file).unwrap_or_else(|_| panic!("{kind} traced"));
        let header: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
        assert_eq!(header["event"], "trace");
        assert_eq!(header["protocol"], kind);
        assert!(text.lines().any(|l| l.contains("\"event\":\"send\"")));
    }
    assert!(
        !path.exists(),
        "with several kinds, no file goes without its kind"
    );
}

#[test]
fn a_trace_past_its_cap_stops_recording_and_every_file_says_where() {
    use byzsim::engine::trace::{Recording, TraceEvent};
    use byzsim::trace_index::TraceIndex;
    use byzsim::tracefile::{TraceMeta, chrome, json_lines, mermaid};
    use byzsim::{NodeId, SimTime, Value};
    let mut rec = Recording::new(Some(SimTime::from_ms(100)), 3);
    for i in 0..5u32 {
        let msg = rec.intern(&Value::Attack).unwrap_or_default();
        rec.push(TraceEvent::Send {
            at: SimTime::from_ms(i as u64),
            from: NodeId(0),
            to: NodeId(1),
            seq: Some(i as u64),
            relay: false,
            envelope: None,
            origin: NodeId(0),
            msg,
        });
    }
    rec.decide(SimTime::from_ms(100), NodeId(1), Value::Attack);
    let cut = rec.cut().expect("cut at the cap");
    assert_eq!((cut.kept, cut.dropped, cut.at), (3, 3, SimTime::from_ms(3)));
    assert_eq!(rec.events().len(), 3);
    assert_eq!(rec.decisions().len(), 1, "decisions are kept past the cap");
    let traitors = [false, false];
    let index = TraceIndex::new(&rec, &traitors);
    let meta = TraceMeta {
        scenario: "capped".into(),
        protocol: "vote".into(),
        seed: 1,
    };
    let lines = json_lines(&index, &meta);
    let last: serde_json::Value = serde_json::from_str(lines.lines().last().unwrap()).unwrap();
    assert_eq!(last["event"], "cut");
    assert_eq!(
        (last["kept"].as_u64(), last["dropped"].as_u64()),
        (Some(3), Some(3))
    );
    assert!(
        last["note"]
            .as_str()
            .unwrap()
            .contains("trace was cut at 3 events")
    );
    let doc: serde_json::Value = serde_json::from_str(&chrome(&index, &meta)).unwrap();
    assert!(doc["otherData"]["note"].as_str().unwrap().contains("cut"));
    assert!(
        mermaid(&index, &meta).is_err(),
        "a cut trace is no readable diagram"
    );
}
