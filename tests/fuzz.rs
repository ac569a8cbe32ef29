//! Fuzzing on stable Rust with proptest: arbitrary and mutated scenario text must never make the
//! parser, the validator or the engine panic or hang. A short run is part of `cargo test`; the
//! long one (100,000 cases each) runs with `cargo test --release --test fuzz -- --ignored`.

use std::path::PathBuf;

use byzsim::Scenario;
use byzsim::run::run_scenario;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

fn seeds() -> Vec<String> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    let mut texts: Vec<String> = files
        .iter()
        .map(|f| std::fs::read_to_string(f).unwrap())
        .collect();
    texts.push(byzsim::scenario::DEFAULT_SCENARIO.to_string());
    texts
}

/// Pieces that make mutations land on interesting values.
const PIECES: &[&str] = &[
    "0",
    "-1",
    "1e308",
    "nan",
    "inf",
    "18446744073709551615",
    "9223372036854775807",
    "\"\"",
    "[]",
    "{}",
    "[[0, 1]]",
    "true",
    "\"attack\"",
    "\"flooding\"",
    "\"ring\"",
    "\"crash\"",
    "=",
    "[",
    "]",
    "\n",
    "#",
    "\"",
    "'''",
    "\u{0}",
    "é",
    "[faults]\n",
    "[network]\n",
    "[limits]\nmax_events = 1\n",
];

#[derive(Clone, Debug)]
enum Edit {
    Delete(usize, usize),
    Insert(usize, usize),
    Replace(usize, usize, usize),
    SwapLines(usize, usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), 1usize..20).prop_map(|(a, b)| Edit::Delete(a, b)),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Edit::Insert(a, b)),
        (any::<usize>(), 1usize..12, any::<usize>()).prop_map(|(a, b, c)| Edit::Replace(a, b, c)),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Edit::SwapLines(a, b)),
    ]
}

fn apply(text: &str, edits: &[Edit]) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for e in edits {
        let len = chars.len().max(1);
        match *e {
            Edit::Delete(at, k) => {
                let at = at % len;
                let end = (at + k).min(chars.len());
                if at < end {
                    chars.drain(at..end);
                }
            }
            Edit::Insert(at, piece) => {
                let at = at % (chars.len() + 1);
                let p: Vec<char> = PIECES[piece % PIECES.len()].chars().collect();
                chars.splice(at..at, p);
            }
            Edit::Replace(at, k, piece) => {
                let at = at % len;
                let end = (at + k).min(chars.len());
                let p: Vec<char> = PIECES[piece % PIECES.len()].chars().collect();
                if at <= end {
                    chars.splice(at..end, p);
                }
            }
            Edit::SwapLines(a, b) => {
                let s: String = chars.iter().collect();
                let mut lines: Vec<&str> = s.lines().collect();
                if !lines.is_empty() {
                    let (a, b) = (a % lines.len(), b % lines.len());
                    lines.swap(a, b);
                }
                chars = lines.join("\n").chars().collect();
            }
        }
    }
    chars.into_iter().collect()
}

/// Parses `text`; if it is a valid scenario, runs a couple of trials under tight limits.
fn exercise(text: &str) {
    let limits = [
        "limits.max_events=20000".to_string(),
        "limits.max_time_ms=60000".to_string(),
    ];
    let capped = ["trials=2".to_string()];
    if let Ok(sc) = Scenario::parse("<fuzz>", "fuzz", text, &capped) {
        // Keep the engine's work small: the parser may accept huge but valid configurations.
        if sc.n <= 64 {
            let sets: Vec<String> = capped.iter().chain(limits.iter()).cloned().collect();
            if let Ok(sc) = Scenario::parse("<fuzz>", "fuzz", text, &sets) {
                let _ = run_scenario(&sc);
            }
        }
    }
}

fn run_mutations(cases: u32) {
    let texts = seeds();
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    let strategy = (0..texts.len(), proptest::collection::vec(edit(), 1..6));
    runner
        .run(&strategy, |(which, edits)| {
            exercise(&apply(&texts[which], &edits));
            Ok(())
        })
        .unwrap();
}

fn run_arbitrary(cases: u32) {
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&".{0,400}", |text| {
            exercise(&text);
            Ok(())
        })
        .unwrap();
}

#[test]
fn mutated_scenarios_never_panic() {
    run_mutations(400);
}

#[test]
fn arbitrary_text_never_panics() {
    run_arbitrary(400);
}

#[test]
#[ignore = "long fuzzing run: cargo test --release --test fuzz -- --ignored"]
fn long_fuzz_mutated_scenarios() {
    run_mutations(100_000);
}

#[test]
#[ignore = "long fuzzing run: cargo test --release --test fuzz -- --ignored"]
fn long_fuzz_arbitrary_text() {
    run_arbitrary(100_000);
}
