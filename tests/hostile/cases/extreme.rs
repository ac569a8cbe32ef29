//! Extreme but well-formed configurations: each is refused by an estimate before it costs
//! anything (exit 2 within the caps), or is cheap enough to finish. None may run away, and none
//! may exhaust the memory cap.

use super::file;
use crate::harness::{Case, Check, args, maybe};

const FAMILY: &str = "extreme values";

fn scenario(n: u64, t: u64, protocol: &str, rest: &str) -> String {
    format!("n = {n}\nt = {t}\ntrials = 1\n\n[protocol]\n{protocol}\n{rest}")
}

/// (name, scenario text, extra arguments, allowed exit codes)
fn table() -> Vec<(&'static str, String, Vec<&'static str>, Vec<i32>)> {
    let flood = "[network]\ntopology = \"random-regular\"\ndegree = 8\ntransport = \"flooding\"\n";
    vec![
        (
            "vote among 100000 generals",
            scenario(100_000, 0, "kind = \"vote\"", ""),
            vec![],
            vec![2],
        ),
        (
            "oral OM(9) among 30",
            scenario(30, 9, "kind = \"oral\"\nm = 9", ""),
            vec![],
            vec![2],
        ),
        (
            "signed SM(20) among 40",
            scenario(40, 20, "kind = \"signed\"\nm = 20", ""),
            vec![],
            vec![0, 1, 2],
        ),
        (
            "dolev-strong among 20000",
            scenario(20_000, 6000, "kind = \"dolev-strong\"", ""),
            vec![],
            vec![2],
        ),
        (
            "phase-king among 50000",
            scenario(50_000, 10_000, "kind = \"phase-king\"", ""),
            vec![],
            vec![2],
        ),
        (
            "erdos-renyi p = 1 over 100000",
            scenario(
                100_000,
                0,
                "kind = \"signed-flood\"",
                "[network]\ntopology = \"erdos-renyi\"\np = 1.0\ntransport = \"flooding\"\n",
            ),
            vec![],
            vec![2],
        ),
        (
            "random-regular degree 99998",
            scenario(
                100_000,
                0,
                "kind = \"signed-flood\"",
                "[network]\ntopology = \"random-regular\"\ndegree = 99998\ntransport = \"flooding\"\n",
            ),
            vec![],
            vec![2],
        ),
        (
            "small-world over 100000 with huge degree",
            scenario(
                100_000,
                0,
                "kind = \"signed-flood\"",
                "[network]\ntopology = \"small-world\"\ndegree = 50000\nrewire = 0.5\ntransport = \"flooding\"\n",
            ),
            vec![],
            vec![2],
        ),
        (
            "signed-flood over 100000 flooding",
            scenario(100_000, 0, "kind = \"signed-flood\"", flood),
            vec![],
            vec![2],
        ),
        (
            "a billion pow blocks",
            scenario(8, 0, "kind = \"pow\"", "[pow]\nblocks = 1000000000\n"),
            vec![],
            vec![2],
        ),
        (
            "hash mining at 2^40 hashes per block",
            scenario(
                8,
                0,
                "kind = \"pow\"",
                "[pow]\nmining = \"hash\"\nhashes_per_block = 1099511627776\n",
            ),
            vec![],
            vec![2],
        ),
        (
            "pow among 100000 nodes",
            scenario(
                100_000,
                0,
                "kind = \"pow\"",
                "[network]\ntopology = \"random-regular\"\ndegree = 8\ntransport = \"flooding\"\n\n[limits]\nmax_events = 1000000\n",
            ),
            vec![],
            vec![2],
        ),
        (
            "a Sybil army of 99996",
            scenario(
                4,
                1,
                "kind = \"vote\"",
                "[faults]\nbehaviour = \"equivocate\"\nsybil = 99996\n",
            ),
            vec![],
            vec![2],
        ),
        (
            "200 trials of vote with 3000 Sybil identities (minutes together)",
            scenario(4, 1, "kind = \"vote\"", "[faults]\nsybil = 3000\n").replacen(
                "trials = 1\n",
                "trials = 200\n",
                1,
            ),
            vec![],
            vec![2],
        ),
        (
            "twenty trials of ten million pow blocks between two miners",
            scenario(2, 0, "kind = \"pow\"", "[pow]\nblocks = 10000000\n").replacen(
                "trials = 1\n",
                "trials = 20\n",
                1,
            ),
            vec![],
            vec![2],
        ),
        (
            "ten million trials, the limit, of a refused configuration",
            format!(
                "trials = 10000000\n{}",
                scenario(30, 9, "kind = \"oral\"\nm = 9", "")
            )
            .replacen("trials = 1\n", "", 1),
            vec![],
            vec![2],
        ),
        (
            "a time limit of 10^12 ms on a trial that ends at once",
            scenario(
                4,
                0,
                "kind = \"vote\"",
                "[limits]\nmax_time_ms = 1000000000000\n",
            ),
            vec![],
            vec![0, 1],
        ),
        (
            "max events 1 on a pow trial",
            scenario(8, 0, "kind = \"pow\"", "[limits]\nmax_events = 1\n"),
            vec![],
            vec![2],
        ),
        (
            "the highest seed, last trial",
            scenario(
                4,
                1,
                "kind = \"vote\"",
                "[faults]\nbehaviour = \"equivocate\"\n",
            ),
            vec!["--seed", "9223372036854775806", "--trials", "1"],
            vec![0, 1],
        ),
        (
            "the highest seed with two trials",
            scenario(
                4,
                1,
                "kind = \"vote\"",
                "[faults]\nbehaviour = \"equivocate\"\n",
            ),
            vec!["--seed", "9223372036854775807", "--trials", "2"],
            vec![0, 1, 2],
        ),
    ]
}

pub fn cases() -> Vec<Case> {
    let mut cases = Vec::new();
    for (name, text, extra, exit) in table() {
        let mut argv = args(&["run", "s.toml"]);
        argv.extend(args(&extra));
        cases.push(Case::new(
            FAMILY,
            name,
            vec![file("s.toml", text.clone())],
            argv,
            &exit,
            vec![maybe("-", Check::Text)],
        ));
    }
    let thousand = format!("network.loss={}", vec!["0"; 1000].join(","));
    for (name, grid, exit) in [
        (
            "a grid of a million cells",
            vec!["--n", "4..=1003", "--t", "0..=999"],
            vec![2],
        ),
        (
            "n up to 2^63",
            vec!["--n", "4..=9223372036854775807", "--t", "1"],
            vec![2],
        ),
        (
            "a step of 2^63",
            vec!["--n", "4..=100:9223372036854775807", "--t", "1"],
            vec![0],
        ),
        (
            "a thousand values of one --vary",
            vec!["--n", "4..=400", "--t", "1", "--vary", &thousand],
            vec![2],
        ),
    ] {
        let mut argv = args(&[
            "sweep", "s.toml", "--jobs", "1", "--trials", "1", "--out", "o.csv",
        ]);
        argv.extend(args(&grid));
        cases.push(Case::new(
            FAMILY,
            format!("sweep: {name}"),
            vec![file("s.toml", super::BASE)],
            argv,
            &exit,
            vec![
                maybe("o.csv", Check::Csv(None)),
                maybe("o.csv.manifest.json", Check::Manifest("o.csv".into())),
            ],
        ));
    }
    cases.push(Case::new(
        FAMILY,
        "hunt --exhaustive over C(30, 9) placements",
        vec![file(
            "s.toml",
            scenario(
                30,
                9,
                "kind = \"vote\"",
                "[faults]\nbehaviour = \"equivocate\"\n",
            ),
        )],
        args(&["hunt", "s.toml", "--exhaustive", "--budget", "1000000"]),
        &[2],
        vec![maybe("-", Check::Text)],
    ));
    cases
}
