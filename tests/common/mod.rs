//! What the tests of the partially synchronous protocols (PBFT, HotStuff, Tendermint) share:
//! scenario text helpers and the safety property over random configurations.

#![allow(dead_code)]

use byzsim::Scenario;
use byzsim::record::RunRecord;
use byzsim::run::run_scenario;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

pub fn scenario(text: &str) -> Scenario {
    Scenario::parse("<test>", "test", text, &[]).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

pub fn rows(text: &str) -> Vec<RunRecord> {
    run_scenario(&scenario(text)).unwrap().records
}

/// A scenario of `kind`: `n`, `t`, `trials`, seed 3, then any extra lines (protocol keys
/// first; tables included).
pub fn bft(kind: &str, n: usize, t: usize, trials: u64, extra: &str) -> String {
    format!("n = {n}\nt = {t}\ntrials = {trials}\nseed = 3\n[protocol]\nkind = \"{kind}\"\n{extra}")
}

/// The `[faults]` table of `behaviour` with traitors `who` (a crash at 9 ms, drops at 0.6).
pub fn faults(behaviour: &str, who: &[usize]) -> String {
    let who: Vec<String> = who.iter().map(|v| v.to_string()).collect();
    let extra = match behaviour {
        "crash" => "crash_at_ms = 9\n",
        "drop" => "drop = 0.6\n",
        _ => "",
    };
    format!(
        "[faults]\nbehaviour = \"{behaviour}\"\nwho = [{}]\n{extra}",
        who.join(", ")
    )
}

/// Agreement and validity hold under each of `behaviours` over random n (2..=10), traitor
/// placements, inputs (random or half and half), latencies and seeds, 160 configurations × 6
/// trials; with n > 3t the protocol also terminates and every row is labelled inside, and
/// with n ≤ 3t every row is labelled outside. `protocol` holds the kind's own keys (its
/// timeout). Twins needs n ≥ 3: below, `mutate` runs instead.
pub fn safety_property(kind: &str, protocol: &str, behaviours: &[&'static str]) {
    let config = Config {
        cases: 160,
        failure_persistence: None,
        ..Config::default()
    };
    let mut runner =
        TestRunner::new_with_rng(config, TestRng::deterministic_rng(RngAlgorithm::ChaCha));
    let strategy = (
        2usize..=10,
        0usize..=4,
        prop::sample::select(behaviours.to_vec()),
        prop::collection::vec(any::<prop::sample::Index>(), 4),
        prop::bool::ANY,
        1u32..=30,
        0u64..1_000_000,
    );
    let inside_rows = std::cell::Cell::new(0u64);
    runner
        .run(&strategy, |(n, t, behaviour, picks, split_inputs, max_ms, seed)| {
            let t = t.min(n - 1);
            let behaviour = if behaviour == "twins" && n < 3 { "mutate" } else { behaviour };
            let mut who: Vec<usize> = Vec::new();
            for p in &picks {
                let v = p.index(n);
                if who.len() < t && !who.contains(&v) {
                    who.push(v);
                }
            }
            let t = who.len();
            let inputs = if split_inputs {
                let list: Vec<&str> = (0..n)
                    .map(|i| if i % 2 == 0 { "\"attack\"" } else { "\"retreat\"" })
                    .collect();
                format!("inputs = [{}]\n", list.join(", "))
            } else {
                "inputs = \"random\"\n".to_string()
            };
            let text = format!(
                "n = {n}\nt = {t}\ntrials = 6\nseed = {seed}\n[protocol]\nkind = \"{kind}\"\n{inputs}\
                 {protocol}\n[network]\nlatency_ms = {{ min = 1, max = {max_ms} }}\n\
                 {}[limits]\nmax_time_ms = 30000\n",
                faults(behaviour, &who)
            );
            for r in rows(&text) {
                prop_assert!(r.agreement && r.validity, "{}: {}\n{text}", r.reason, r.seed);
                if n > 3 * t {
                    prop_assert!(r.termination, "{}\n{text}", r.reason);
                    prop_assert_eq!(r.bound.as_str(), "inside");
                    inside_rows.set(inside_rows.get() + 1);
                } else {
                    prop_assert_eq!(r.bound.as_str(), "outside");
                }
            }
            Ok(())
        })
        .unwrap();
    let inside = inside_rows.get();
    assert!(inside > 300, "the property was exercised: {inside}");
}
