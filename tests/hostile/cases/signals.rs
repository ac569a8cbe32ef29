//! SIGTERM, SIGINT and SIGKILL at varied points of a sweep (by journal lines written, or by
//! milliseconds from the start), of a long `run --out` and of a `hunt --out`. Without
//! `--resume` the old files stay as they were and no temporary or journal remains (after
//! SIGKILL the journal stays, and `--resume` finishes it); with `--resume` the next `--resume`
//! ends with the bytes of the uninterrupted sweep.

use super::{BASE, file};
use crate::harness::{Case, Check, Driver, Fixture, Step, args, maybe, out};
use crate::refs::{Refs, long};

const FAMILY: &str = "signals";
const SIGINT: i32 = 2;
const SIGKILL: i32 = 9;
const SIGTERM: i32 = 15;

fn name(signal: i32) -> &'static str {
    match signal {
        SIGINT => "SIGINT",
        SIGKILL => "SIGKILL",
        _ => "SIGTERM",
    }
}

/// Where to strike: after this many journal lines (0: after `ms` milliseconds instead).
const POINTS: [(usize, u64); 6] = [(0, 0), (0, 15), (1, 0), (20, 0), (90, 5), (200, 0)];

fn when(lines: usize, ms: u64) -> String {
    if lines == 0 {
        format!("{ms} ms in")
    } else {
        format!("after {lines} lines")
    }
}

pub fn cases(refs: &Refs) -> Vec<Case> {
    let old = b"scenario,old\nkept,1\n".to_vec();
    let complete = Check::Bytes(refs.long.csv.clone());
    let old_or_complete = Check::OneOf(vec![Check::Bytes(old.clone()), complete.clone()]);
    let manifest_old_or_complete = Check::OneOf(vec![
        Check::Bytes(b"{}\n".to_vec()),
        Check::Bytes(refs.long.manifest.clone()),
    ]);
    let fixtures = || {
        vec![
            file("l.toml", refs.long_toml.clone()),
            file("out.csv", old.clone()),
            file("out.csv.manifest.json", b"{}\n".to_vec()),
        ]
    };
    let journal = || {
        vec![
            maybe("out.csv.partial", Check::PrefixOf(refs.long.csv.clone())),
            maybe("out.csv.partial.manifest.json", Check::Json),
        ]
    };
    let kill = |signal: i32, lines: usize, ms: u64| Driver::Kill {
        signal,
        path: "out.csv.partial".into(),
        lines,
        wait_ms: ms,
    };
    let resume_to_the_end = || {
        Step::new(
            long(&["--out", "out.csv", "--resume"]),
            &[0],
            vec![
                out("out.csv", complete.clone()),
                out(
                    "out.csv.manifest.json",
                    Check::Bytes(refs.long.manifest.clone()),
                ),
            ],
        )
    };
    let mut cases = Vec::new();
    for (signal, points) in [(SIGTERM, &POINTS[..]), (SIGINT, &POINTS[2..4])] {
        for &(lines, ms) in points {
            let mut case = Case::new(
                FAMILY,
                format!(
                    "{} {} a sweep: the old file stays, nothing else",
                    name(signal),
                    when(lines, ms)
                ),
                fixtures(),
                long(&["--out", "out.csv"]),
                &[0],
                vec![
                    maybe("out.csv", old_or_complete.clone()),
                    maybe("out.csv.manifest.json", manifest_old_or_complete.clone()),
                ],
            )
            .driver(kill(signal, lines, ms));
            case.steps[0].signalled = true;
            cases.push(case);
        }
    }
    // No old file here: a resume after a kill that came before the first cell reads FILE.csv,
    // and refuses an old one of another sweep (the README's rule), which is not this test.
    for &(lines, ms) in &POINTS[1..5] {
        let mut outputs = journal();
        outputs.push(maybe("out.csv", complete.clone()));
        outputs.push(maybe(
            "out.csv.manifest.json",
            Check::Bytes(refs.long.manifest.clone()),
        ));
        let mut case = Case::new(
            FAMILY,
            format!("SIGKILL {} a sweep, then --resume", when(lines, ms)),
            vec![file("l.toml", refs.long_toml.clone())],
            long(&["--out", "out.csv"]),
            &[0],
            outputs,
        )
        .driver(kill(SIGKILL, lines, ms))
        .then(resume_to_the_end());
        case.steps[0].signalled = true;
        cases.push(case);
    }
    for signal in [SIGTERM, SIGKILL, SIGINT] {
        for &(lines, ms) in &POINTS[1..] {
            let mut outputs = journal();
            outputs.push(maybe("out.csv", complete.clone()));
            outputs.push(maybe(
                "out.csv.manifest.json",
                Check::Bytes(refs.long.manifest.clone()),
            ));
            let mut case = Case::new(
                FAMILY,
                format!(
                    "{} {} a --resume sweep, then --resume",
                    name(signal),
                    when(lines, ms)
                ),
                vec![file("l.toml", refs.long_toml.clone())],
                long(&["--out", "out.csv", "--resume"]),
                &[0],
                outputs,
            )
            .driver(kill(signal, lines, ms))
            .then(resume_to_the_end());
            case.steps[0].signalled = true;
            cases.push(case);
        }
    }
    let mut run = Case::new(
        FAMILY,
        "SIGTERM during a long run --out: the old file stays",
        vec![file("s.toml", BASE), file("r.csv", old.clone())],
        args(&[
            "run", "s.toml", "--trials", "2000000", "--jobs", "1", "--out", "r.csv",
        ]),
        &[0],
        vec![
            maybe(
                "r.csv",
                Check::OneOf(vec![Check::Bytes(old.clone()), Check::Csv(Some(2_000_000))]),
            ),
            maybe("-", Check::Text),
        ],
    )
    .driver(Driver::Kill {
        signal: SIGTERM,
        path: String::new(),
        lines: 0,
        wait_ms: 300,
    });
    run.steps[0].signalled = true;
    cases.push(run);
    let holds = crate::refs::scenario("oral-om1-n4-t1-holds.toml");
    let mut hunt = Case::new(
        FAMILY,
        "SIGTERM during a hunt --out: no file, no temporary",
        vec![file("s.toml", holds), Fixture::Dir("sub".into())],
        args(&[
            "hunt",
            "s.toml",
            "--budget",
            "100000000",
            "--out",
            "sub/found.toml",
        ]),
        &[0],
        vec![
            maybe("sub/found.toml", Check::Scenario),
            maybe("-", Check::Text),
        ],
    )
    .driver(Driver::Kill {
        signal: SIGTERM,
        path: String::new(),
        lines: 0,
        wait_ms: 300,
    });
    hunt.steps[0].signalled = true;
    cases.push(hunt);
    cases
}
