//! Concurrent writers on one `--out`: while a sweep writes its journal, a second sweep (the
//! same, with --resume, or another) exits 2 and the first ends complete; a `run` or a `merge`
//! onto the same path meanwhile finishes, and the sweep's file, renamed last, is still whole and
//! beside its own manifest.

use super::file;
use crate::harness::{Case, Check, Driver, args, out};
use crate::refs::{Refs, long};

const FAMILY: &str = "concurrent writers";

pub fn cases(refs: &Refs) -> Vec<Case> {
    let fixtures = || {
        vec![
            file("l.toml", refs.long_toml.clone()),
            file("s.toml", super::BASE),
            file("h1.csv", refs.halves[0].csv.clone()),
            file("h1.csv.manifest.json", refs.halves[0].manifest.clone()),
            file("h2.csv", refs.halves[1].csv.clone()),
            file("h2.csv.manifest.json", refs.halves[1].manifest.clone()),
        ]
    };
    let rivals: Vec<(&str, Vec<String>, Vec<i32>)> = vec![
        ("the same sweep", long(&["--out", "out.csv"]), vec![2]),
        (
            "the same sweep with --resume",
            long(&["--out", "out.csv", "--resume"]),
            vec![2],
        ),
        (
            "another sweep",
            long(&["--out", "out.csv", "--seed", "5"]),
            vec![2],
        ),
        (
            "a run",
            args(&["run", "s.toml", "--out", "out.csv"]),
            vec![0],
        ),
        (
            "a merge",
            args(&["merge", "h1.csv", "h2.csv", "--out", "out.csv"]),
            vec![0],
        ),
    ];
    let mut cases = Vec::new();
    for resume in [false, true] {
        for (name, rival, exit) in &rivals {
            let mut first = vec!["--out", "out.csv"];
            if resume {
                first.push("--resume");
            }
            cases.push(
                Case::new(
                    FAMILY,
                    format!(
                        "{name} while a sweep{} writes",
                        if resume { " --resume" } else { "" }
                    ),
                    fixtures(),
                    long(&first),
                    &[0],
                    vec![
                        out("out.csv", Check::Bytes(refs.long.csv.clone())),
                        out(
                            "out.csv.manifest.json",
                            Check::Bytes(refs.long.manifest.clone()),
                        ),
                    ],
                )
                .driver(Driver::Rival {
                    args: rival.clone(),
                    path: "out.csv.partial".into(),
                    lines: 10,
                    exit: exit.clone(),
                }),
            );
        }
    }
    cases
}
