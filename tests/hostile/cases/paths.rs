//! Odd paths for every output and every input: a directory, a read-only directory, /dev/full,
//! /dev/null, a FIFO (with a thread at its other end), a symbolic link to a file, a dangling
//! link, a link to a directory, an output that is an input, an output under a file, a new
//! nested directory; inputs that are missing, directories, devices, FIFOs, link loops.

use super::{BASE, file};
use crate::harness::{Case, Check, Driver, Fixture, Out, args, maybe, out};
use crate::refs::Refs;

const FAMILY: &str = "paths";

/// A writer: its name, its command line with `OUT`, its exit code when all is well, the check
/// of its output and of the manifest beside it, if any.
type Writer = (&'static str, Vec<&'static str>, i32, Check, Option<Check>);

/// Each subcommand that writes a file.
fn writers(refs: &Refs) -> Vec<Writer> {
    vec![
        (
            "run --out",
            vec!["run", "s.toml", "--out", "OUT"],
            0,
            Check::Csv(Some(2)),
            None,
        ),
        (
            "sweep --out",
            vec![
                "sweep", "v.toml", "--n", "4..=6", "--t", "0,1", "--trials", "4", "--jobs", "1",
                "--out", "OUT",
            ],
            0,
            Check::Bytes(refs.full.csv.clone()),
            Some(Check::Bytes(refs.full.manifest.clone())),
        ),
        (
            "sweep --summary",
            vec![
                "sweep",
                "v.toml",
                "--n",
                "4..=6",
                "--t",
                "0,1",
                "--trials",
                "4",
                "--jobs",
                "1",
                "--out",
                "null-device",
                "--summary",
                "OUT",
            ],
            0,
            Check::Bytes(refs.summary.clone()),
            None,
        ),
        (
            "merge --out",
            vec!["merge", "h1.csv", "h2.csv", "--out", "OUT"],
            0,
            Check::Bytes(refs.full.csv.clone()),
            Some(Check::Bytes(refs.full.manifest.clone())),
        ),
        (
            "plot -o",
            vec![
                "plot",
                "full.csv",
                "-o",
                "OUT",
                "--x",
                "n",
                "--y",
                "t",
                "--z",
                "agreement",
            ],
            0,
            Check::Svg,
            None,
        ),
        (
            "hunt --out",
            vec!["hunt", "s.toml", "--budget", "200", "--out", "OUT"],
            1,
            Check::Scenario,
            None,
        ),
        (
            "run --trace",
            vec!["run", "s.toml", "--trials", "1", "--trace", "OUT"],
            0,
            Check::Text,
            None,
        ),
        (
            "view -o",
            vec!["view", "s.toml", "-o", "OUT"],
            0,
            Check::Html,
            None,
        ),
        (
            "report -o",
            vec!["report", "summary.csv", "-o", "OUT"],
            0,
            Check::Html,
            None,
        ),
    ]
}

fn inputs(refs: &Refs) -> Vec<Fixture> {
    vec![
        file("s.toml", BASE),
        file("v.toml", refs.small_toml.clone()),
        file("full.csv", refs.full.csv.clone()),
        file("full.csv.manifest.json", refs.full.manifest.clone()),
        file("summary.csv", refs.summary.clone()),
        file("h1.csv", refs.halves[0].csv.clone()),
        file("h1.csv.manifest.json", refs.halves[0].manifest.clone()),
        file("h2.csv", refs.halves[1].csv.clone()),
        file("h2.csv.manifest.json", refs.halves[1].manifest.clone()),
        Fixture::Symlink("null-device".into(), "/dev/null".into()),
    ]
}

/// A name for the output that suits the writer (`--trace` wants a known extension).
fn named(writer: &str, stem: &str) -> String {
    if writer == "run --trace" {
        format!("{stem}.jsonl")
    } else {
        stem.to_string()
    }
}

pub fn cases(refs: &Refs) -> Vec<Case> {
    let mut cases = Vec::new();
    for (writer, template, ok, check, sidecar) in writers(refs) {
        let argv = |path: &str| -> Vec<String> {
            template
                .iter()
                .map(|a| {
                    if *a == "OUT" {
                        path.to_string()
                    } else {
                        a.to_string()
                    }
                })
                .collect()
        };
        let outputs = |path: &str| -> Vec<Out> {
            let mut o = vec![out(path, check.clone())];
            if let Some(s) = &sidecar {
                o.push(out(&format!("{path}.manifest.json"), s.clone()));
            }
            o.push(maybe("-", Check::Text));
            o
        };
        let case =
            |name: &str, mut fixtures: Vec<Fixture>, path: &str, exit: &[i32], outs: Vec<Out>| {
                let mut all = inputs(refs);
                all.append(&mut fixtures);
                Case::new(
                    FAMILY,
                    format!("{writer} {name}"),
                    all,
                    argv(path),
                    exit,
                    outs,
                )
            };
        let fresh = named(writer, "new");
        cases.push(case(
            "to a directory",
            vec![Fixture::Dir("d".into())],
            "d",
            &[2],
            vec![],
        ));
        cases.push(case(
            "to a directory, with a slash",
            vec![Fixture::Dir("d".into())],
            "d/",
            &[2],
            vec![],
        ));
        let mut ro = case(
            "into a read-only directory",
            vec![Fixture::ReadOnlyDir("ro".into())],
            &format!("ro/{fresh}"),
            &[2],
            vec![],
        );
        ro.needs_permissions = true;
        cases.push(ro);
        // The system's devices only through a link in the case directory: a build that
        // replaced its output would replace the link, never /dev/full or /dev/null.
        let full = named(writer, "full-device");
        cases.push(case(
            "to /dev/full",
            vec![Fixture::Symlink(full.clone(), "/dev/full".into())],
            &full,
            &[2],
            vec![maybe("-", Check::Text)],
        ));
        let null = named(writer, "null");
        cases.push(case(
            "to /dev/null",
            vec![Fixture::Symlink(null.clone(), "/dev/null".into())],
            &null,
            &[ok],
            vec![maybe("-", Check::Text)],
        ));
        let fifo = named(writer, "fifo");
        cases.push(
            case(
                "to a FIFO being read",
                vec![Fixture::Fifo(fifo.clone())],
                &fifo,
                &[ok],
                vec![maybe("-", Check::Text)],
            )
            .driver(Driver::FifoReader(fifo.clone())),
        );
        let link = named(writer, "link");
        let target = named(writer, "target");
        let mut linked = outputs(&target);
        linked.push(maybe(&format!("{link}.manifest.json"), Check::Json));
        cases.push(case(
            "through a link to an existing file",
            vec![
                file(&target, b"old\n".to_vec()),
                Fixture::Symlink(link.clone(), target.clone()),
            ],
            &link,
            &[ok],
            linked,
        ));
        cases.push(case(
            "through a dangling link",
            vec![Fixture::Symlink(link.clone(), "nowhere/at/all".into())],
            &link,
            &[2],
            vec![],
        ));
        cases.push(case(
            "through a link to a directory",
            vec![
                Fixture::Dir("d".into()),
                Fixture::Symlink(link.clone(), "d".into()),
            ],
            &link,
            &[2],
            vec![],
        ));
        cases.push(case(
            "onto its own input",
            vec![],
            own_input(writer),
            &[2],
            vec![],
        ));
        cases.push(case(
            "under a regular file",
            vec![],
            &format!("s.toml/{fresh}"),
            &[2],
            vec![],
        ));
        let nested = format!("a/b/c/{fresh}");
        cases.push(case(
            "into new nested directories",
            vec![],
            &nested,
            &[ok],
            outputs(&nested),
        ));
        cases.push(case(
            "replacing an old file",
            vec![],
            &fresh,
            &[ok],
            outputs(&fresh),
        ));
    }
    cases.extend(two_outputs_on_one_path(refs));
    cases.extend(odd_inputs(refs));
    cases
}

/// The input each writer reads.
fn own_input(writer: &str) -> &'static str {
    match writer {
        "sweep --out" | "sweep --summary" => "v.toml",
        "merge --out" => "h1.csv",
        "plot -o" => "full.csv",
        "report -o" => "summary.csv",
        _ => "s.toml",
    }
}

fn two_outputs_on_one_path(refs: &Refs) -> Vec<Case> {
    let mut cases = Vec::new();
    for (name, argv) in [
        (
            "sweep --out and --summary",
            vec![
                "sweep",
                "v.toml",
                "--n",
                "4",
                "--t",
                "1",
                "--out",
                "x.csv",
                "--summary",
                "x.csv",
            ],
        ),
        (
            "sweep --out and --summary spelled apart",
            vec![
                "sweep",
                "v.toml",
                "--n",
                "4",
                "--t",
                "1",
                "--out",
                "x.csv",
                "--summary",
                "./x.csv",
            ],
        ),
        (
            "sweep --summary onto the manifest",
            vec![
                "sweep",
                "v.toml",
                "--n",
                "4",
                "--t",
                "1",
                "--out",
                "x.csv",
                "--summary",
                "x.csv.manifest.json",
            ],
        ),
        (
            "sweep --summary onto the journal",
            vec![
                "sweep",
                "v.toml",
                "--n",
                "4",
                "--t",
                "1",
                "--out",
                "x.csv",
                "--summary",
                "x.csv.partial",
            ],
        ),
        (
            "sweep --out and --summary both -",
            vec![
                "sweep",
                "v.toml",
                "--n",
                "4",
                "--t",
                "1",
                "--out",
                "-",
                "--summary",
                "-",
            ],
        ),
        (
            "merge --out and --summary",
            vec![
                "merge",
                "h1.csv",
                "h2.csv",
                "--out",
                "x.csv",
                "--summary",
                "x.csv",
            ],
        ),
        (
            "merge --summary onto the manifest",
            vec![
                "merge",
                "h1.csv",
                "h2.csv",
                "--out",
                "x.csv",
                "--summary",
                "x.csv.manifest.json",
            ],
        ),
        (
            "merge --out onto a shard",
            vec!["merge", "h1.csv", "h2.csv", "--out", "h1.csv"],
        ),
        (
            "merge --out onto a shard's manifest",
            vec!["merge", "h1.csv", "h2.csv", "--out", "h2.csv.manifest.json"],
        ),
        (
            "run --out and --trace",
            vec!["run", "s.toml", "--out", "x.jsonl", "--trace", "x.jsonl"],
        ),
        (
            "plot onto its CSV",
            vec!["plot", "full.csv", "-o", "full.csv", "--x", "n", "--y", "t"],
        ),
        (
            "sweep --out onto its scenario",
            vec!["sweep", "v.toml", "--n", "4", "--t", "1", "--out", "v.toml"],
        ),
        (
            "hunt --out onto its scenario through a link",
            vec!["hunt", "s.toml", "--out", "s-link.toml"],
        ),
    ] {
        let mut fixtures = inputs(refs);
        fixtures.push(Fixture::Symlink("s-link.toml".into(), "s.toml".into()));
        cases.push(Case::new(
            FAMILY,
            name,
            fixtures,
            args(&argv),
            &[2],
            vec![maybe("-", Check::Text)],
        ));
    }
    cases
}

fn odd_inputs(refs: &Refs) -> Vec<Case> {
    let mut cases = Vec::new();
    let readers: [(&str, &[&str]); 8] = [
        ("run", &["run", "IN"]),
        ("sweep", &["sweep", "IN", "--n", "4", "--t", "1"]),
        ("hunt", &["hunt", "IN", "--budget", "10"]),
        ("topology", &["topology", "IN", "--dot"]),
        (
            "plot",
            &["plot", "IN", "-o", "p.svg", "--x", "n", "--y", "t"],
        ),
        ("merge", &["merge", "IN", "--out", "m.csv"]),
        ("view", &["view", "IN", "-o", "v.html"]),
        ("report", &["report", "IN", "-o", "r.html"]),
    ];
    for (reader, template) in readers {
        let argv = |path: &str| -> Vec<String> {
            template
                .iter()
                .map(|a| {
                    if *a == "IN" {
                        path.to_string()
                    } else {
                        a.to_string()
                    }
                })
                .collect()
        };
        let outs = || {
            vec![
                maybe("-", Check::Text),
                maybe("p.svg", Check::Svg),
                maybe("m.csv", Check::Csv(None)),
                maybe("v.html", Check::Html),
                maybe("r.html", Check::Html),
            ]
        };
        let odd: Vec<(&str, Vec<Fixture>, &str)> = vec![
            ("missing", vec![], "missing.toml"),
            ("a directory", vec![Fixture::Dir("d".into())], "d"),
            ("/dev/null", vec![], "/dev/null"),
            ("/dev/zero", vec![], "/dev/zero"),
            ("/dev/urandom", vec![], "/dev/urandom"),
            (
                "a dangling link",
                vec![Fixture::Symlink("l".into(), "nowhere".into())],
                "l",
            ),
            (
                "a link loop",
                vec![
                    Fixture::Symlink("a".into(), "b".into()),
                    Fixture::Symlink("b".into(), "a".into()),
                ],
                "a",
            ),
            ("an empty path", vec![], ""),
        ];
        for (name, mut fixtures, path) in odd {
            let mut all = inputs(refs);
            all.append(&mut fixtures);
            cases.push(Case::new(
                FAMILY,
                format!("{reader} reads {name}"),
                all,
                argv(path),
                &[2],
                outs(),
            ));
        }
        for (name, bytes, exit) in [
            ("a FIFO fed garbage", vec![0xffu8; 10_000], vec![2]),
            ("a FIFO fed an endless line", vec![b'x'; 3 << 20], vec![2]),
        ] {
            let mut all = inputs(refs);
            all.push(Fixture::Fifo("f".into()));
            cases.push(
                Case::new(
                    FAMILY,
                    format!("{reader} reads {name}"),
                    all,
                    argv("f"),
                    &exit,
                    outs(),
                )
                .driver(Driver::FifoWriter("f".into(), bytes)),
            );
        }
    }
    let mut all = inputs(refs);
    all.push(Fixture::Fifo("f".into()));
    cases.push(
        Case::new(
            FAMILY,
            "run reads a valid scenario from a FIFO",
            all,
            args(&["run", "f"]),
            &[0],
            vec![out("-", Check::Text)],
        )
        .driver(Driver::FifoWriter("f".into(), BASE.into())),
    );
    let mut all = inputs(refs);
    all.push(Fixture::Fifo("f.csv".into()));
    cases.push(
        Case::new(
            FAMILY,
            "plot reads a sweep from a FIFO",
            all,
            args(&[
                "plot",
                "f.csv",
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
            vec![out("p.svg", Check::Svg)],
        )
        .driver(Driver::FifoWriter("f.csv".into(), refs.full.csv.clone())),
    );
    cases
}
