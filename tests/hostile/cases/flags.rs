//! Bad flags for every subcommand: ranges for --n/--t, --vary and --set without `=` or with
//! unknown keys, --jobs 0 and huge, --trials 0, shards 0/2, 3/2, 1/0, seeds past 2^63, plot
//! columns that are not there. Each exits 2 before writing anything.

use super::{BASE, file};
use crate::harness::{Case, Check, Fixture, Out, args, maybe};
use crate::refs::Refs;

const FAMILY: &str = "flags";

fn inputs(refs: &Refs) -> Vec<Fixture> {
    vec![
        file("s.toml", BASE),
        file("v.toml", refs.small_toml.clone()),
        file("full.csv", refs.full.csv.clone()),
        file("full.csv.manifest.json", refs.full.manifest.clone()),
        file("summary.csv", refs.summary.clone()),
    ]
}

fn sweep_outputs() -> Vec<Out> {
    vec![
        maybe("o.csv", Check::Csv(None)),
        maybe("o.csv.manifest.json", Check::Manifest("o.csv".into())),
    ]
}

pub fn cases(refs: &Refs) -> Vec<Case> {
    let mut cases = Vec::new();
    let mut push = |name: String, argv: Vec<String>, exit: &[i32], outputs: Vec<Out>| {
        cases.push(Case::new(FAMILY, name, inputs(refs), argv, exit, outputs));
    };
    let run_bad: [&[&str]; 22] = [
        &["--trials", "0"],
        &["--trials", "-1"],
        &["--trials", "abc"],
        &["--trials", "18446744073709551616"],
        &["--seed", "9223372036854775808"],
        &["--seed", "18446744073709551615"],
        &["--seed", "-1"],
        &["--set", "n"],
        &["--set", "=4"],
        &["--set", "n="],
        &["--set", "no.such.key=1"],
        &["--set", "n=abc"],
        &["--set", "network.loss=nan"],
        &["--set", "protocol=4"],
        &["--set", "n.x=4"],
        &["--max-messages", "0"],
        &["--max-messages", "-5"],
        &["--jobs", "0"],
        &["--jobs", "1025"],
        &["--jobs", "99999999999999999999"],
        &["--trace", "t.txt"],
        &["--out", ""],
    ];
    for extra in run_bad {
        let mut a = args(&["run", "s.toml"]);
        a.extend(args(extra));
        push(
            format!("run {}", extra.join(" ")),
            a,
            &[2],
            vec![maybe("-", Check::Text)],
        );
    }
    let sweep_bad: [(&str, &str, &[&str]); 23] = [
        ("", "1", &[]),
        ("5..=4", "1", &[]),
        ("4..=6:0", "1", &[]),
        ("a,b", "1", &[]),
        ("4,,5", "1", &[]),
        ("4..", "1", &[]),
        ("..=6", "1", &[]),
        ("-4..=6", "1", &[]),
        ("4..=18446744073709551616", "1", &[]),
        ("4", "9..=2", &[]),
        ("4", "4..=9", &[]),
        ("4", "1", &["--vary", "no.such.key=1,2"]),
        ("4", "1", &["--vary", "network.loss"]),
        ("4", "1", &["--vary", "network.loss="]),
        ("4", "1", &["--vary", "n=4,5"]),
        (
            "4",
            "1",
            &["--vary", "network.loss=0,0.1", "--vary", "network.loss=0.2"],
        ),
        ("4", "1", &["--shard", "0/2"]),
        ("4", "1", &["--shard", "3/2"]),
        ("4", "1", &["--shard", "1/0"]),
        ("4", "1", &["--shard", "1/2/3"]),
        ("4", "1", &["--trials", "0"]),
        ("4", "1", &["--jobs", "0"]),
        ("4", "1", &["--set", "t"]),
    ];
    for (n, t, extra) in sweep_bad {
        let mut a = args(&["sweep", "s.toml", "--n", n, "--t", t, "--out", "o.csv"]);
        a.extend(args(extra));
        push(
            format!("sweep --n {n:?} --t {t:?} {}", extra.join(" ")),
            a,
            &[2],
            sweep_outputs(),
        );
    }
    push(
        "sweep --vary with a value no cell can have: that cell is skipped and counted".into(),
        args(&[
            "sweep",
            "s.toml",
            "--n",
            "4",
            "--t",
            "1",
            "--vary",
            "network.loss=0.1,nan",
            "--out",
            "o.csv",
        ]),
        &[0],
        vec![
            crate::harness::out("o.csv", Check::Csv(Some(2))),
            crate::harness::out("o.csv.manifest.json", Check::Manifest("o.csv".into())),
        ],
    );
    push(
        "sweep --summary - without --out".into(),
        args(&["sweep", "s.toml", "--n", "4", "--t", "1", "--summary", "-"]),
        &[2],
        vec![],
    );
    push(
        "sweep --resume onto standard output".into(),
        args(&[
            "sweep", "s.toml", "--n", "4", "--t", "1", "--resume", "--out", "-",
        ]),
        &[2],
        vec![],
    );
    push(
        "sweep with a shard of a single cell past the grid".into(),
        args(&[
            "sweep", "s.toml", "--n", "4", "--t", "1", "--shard", "2/2", "--out", "o.csv",
        ]),
        &[0],
        sweep_outputs(),
    );
    for (name, extra) in [
        ("merge without --out", vec!["full.csv"]),
        ("merge without shards", vec!["--out", "m.csv"]),
        ("merge a scenario file", vec!["s.toml", "--out", "m.csv"]),
        ("merge the summary", vec!["summary.csv", "--out", "m.csv"]),
        (
            "merge a missing file",
            vec!["nothing.csv", "--out", "m.csv"],
        ),
    ] {
        let mut a = args(&["merge"]);
        a.extend(args(&extra));
        push(name.into(), a, &[2], vec![maybe("m.csv", Check::Csv(None))]);
    }
    let svg = || vec![maybe("p.svg", Check::Svg)];
    for (name, extra) in [
        (
            "a column that is not there",
            vec!["--x", "nope", "--y", "t"],
        ),
        ("a text column as y", vec!["--x", "n", "--y", "scenario"]),
        (
            "a heatmap over a text column",
            vec!["--x", "scenario", "--y", "t", "--z", "agreement"],
        ),
        (
            "--where without =",
            vec!["--x", "n", "--y", "messages", "--where", "protocol"],
        ),
        (
            "--where matching nothing",
            vec!["--x", "n", "--y", "messages", "--where", "protocol=paxos"],
        ),
        (
            "--log-y over zeros",
            vec!["--x", "n", "--y", "t", "--log-y"],
        ),
        ("no --y", vec!["--x", "n"]),
    ] {
        let mut a = args(&["plot", "full.csv", "-o", "p.svg"]);
        a.extend(args(&extra));
        push(format!("plot: {name}"), a, &[2], svg());
    }
    push(
        "plot: a heatmap of a real sweep".into(),
        args(&[
            "plot",
            "full.csv",
            "-o",
            "p.svg",
            "--x",
            "n",
            "--y",
            "t",
            "--z",
            "agreement",
        ]),
        &[0],
        vec![out_svg()],
    );
    push(
        "plot: lines of a real summary".into(),
        args(&[
            "plot",
            "summary.csv",
            "-o",
            "p.svg",
            "--x",
            "n",
            "--y",
            "mean_messages",
            "--log-y",
            "--series",
            "t",
        ]),
        &[0],
        vec![out_svg()],
    );
    for (name, extra, exit) in [
        ("--budget 0", vec!["--budget", "0"], vec![0, 2]),
        (
            "--exhaustive over a budget of 1",
            vec!["--exhaustive", "--budget", "1"],
            vec![2],
        ),
        ("--budget -1", vec!["--budget", "-1"], vec![2]),
        (
            "--seed past 2^63",
            vec!["--seed", "9223372036854775808"],
            vec![2],
        ),
        ("--set with an unknown key", vec!["--set", "x.y=1"], vec![2]),
    ] {
        let mut a = args(&["hunt", "s.toml"]);
        a.extend(args(&extra));
        push(
            format!("hunt {name}"),
            a,
            &exit,
            vec![maybe("-", Check::Text)],
        );
    }
    push(
        "hunt finds the traitor and writes a scenario that replays it".into(),
        args(&["hunt", "s.toml", "--budget", "200", "--out", "found.toml"]),
        &[1],
        vec![
            crate::harness::out("found.toml", Check::Scenario),
            maybe("-", Check::Text),
        ],
    );
    push(
        "topology without --dot prints DOT".into(),
        args(&["topology", "s.toml"]),
        &[0],
        vec![maybe("-", Check::Text)],
    );
    for (name, extra) in [
        ("with --set n=0", vec!["--dot", "--set", "n=0"]),
        ("with a missing file", vec!["--dot", "--", "missing.toml"]),
    ] {
        let mut a = args(&["topology", "s.toml"]);
        a.extend(args(&extra));
        push(
            format!("topology {name}"),
            a,
            &[2],
            vec![maybe("-", Check::Text)],
        );
    }
    cases
}

fn out_svg() -> Out {
    crate::harness::out("p.svg", Check::Svg)
}
