//! Truncated and mismatched inputs of `--resume` and `merge`: journals and files cut at byte
//! offsets drawn from a seeded RNG, manifests cut, damaged or from another sweep (other seed,
//! scenario, shard count), a summary given as a shard, a missing manifest, a shard twice, a
//! shard missing. A resume ends with the uninterrupted sweep's bytes or exits 2; a merge writes
//! the unsharded sweep's bytes or exits 2 and writes nothing. `plot` reads the cut files too.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::file;
use crate::harness::{Case, Check, Fixture, Out, args, maybe};
use crate::refs::{Refs, small};

const FAMILY: &str = "resume and merge inputs";

/// A manifest (JSON) with one field replaced.
fn tampered(manifest: &[u8], field: &str, value: serde_json::Value) -> Vec<u8> {
    let mut json: serde_json::Value = serde_json::from_slice(manifest).unwrap();
    json[field] = value;
    serde_json::to_vec_pretty(&json).unwrap()
}

fn cuts(rng: &mut ChaCha8Rng, len: usize, count: usize) -> Vec<usize> {
    let mut all: Vec<usize> = (0..count).map(|_| rng.random_range(0..len)).collect();
    all.sort();
    all.dedup();
    all
}

pub fn cases(refs: &Refs) -> Vec<Case> {
    let mut rng = ChaCha8Rng::seed_from_u64(16_08);
    let mut cases = Vec::new();
    let full = &refs.full;
    let finished = |refs: &Refs| -> Vec<Out> {
        vec![
            maybe("o.csv", Check::Bytes(refs.full.csv.clone())),
            maybe(
                "o.csv.manifest.json",
                Check::Bytes(refs.full.manifest.clone()),
            ),
            // A resume takes the journal over: renamed into place when it is done.
            maybe("o.csv.partial", Check::PrefixOf(refs.full.csv.clone())),
            maybe("o.csv.partial.manifest.json", Check::Json),
        ]
    };
    let resume = |name: String, mut fixtures: Vec<Fixture>, exit: &[i32]| {
        fixtures.insert(0, file("v.toml", refs.small_toml.clone()));
        Case::new(
            FAMILY,
            name,
            fixtures,
            small(&["--out", "o.csv", "--resume"]),
            exit,
            finished(refs),
        )
    };
    for cut in cuts(&mut rng, full.csv.len(), 8) {
        cases.push(resume(
            format!("resume a journal cut at byte {cut}"),
            vec![
                file("o.csv.partial", &full.csv[..cut]),
                file("o.csv.partial.manifest.json", full.manifest.clone()),
            ],
            &[0],
        ));
    }
    for cut in cuts(&mut rng, full.csv.len(), 4) {
        cases.push(resume(
            format!("resume a file cut at byte {cut}, no journal"),
            vec![
                file("o.csv", &full.csv[..cut]),
                file("o.csv.manifest.json", full.manifest.clone()),
            ],
            &[0],
        ));
    }
    let half = full.csv.len() / 2;
    let journal = |manifest: Vec<u8>| {
        vec![
            file("o.csv.partial", &full.csv[..half]),
            file("o.csv.partial.manifest.json", manifest),
        ]
    };
    for cut in cuts(&mut rng, full.manifest.len(), 3) {
        cases.push(resume(
            format!("resume with its manifest cut at byte {cut}"),
            journal(full.manifest[..cut].to_vec()),
            &[2],
        ));
    }
    let mismatched: Vec<(&str, Vec<u8>)> = vec![
        (
            "another seed's manifest",
            tampered(&full.manifest, "seed", 9.into()),
        ),
        (
            "another scenario's manifest",
            tampered(&full.manifest, "scenario_sha256", "00".repeat(32).into()),
        ),
        (
            "a non-ASCII scenario digest",
            tampered(&full.manifest, "scenario_sha256", "aéééééééééééé".into()),
        ),
        ("a shard's manifest", refs.halves[0].manifest.clone()),
        (
            "cells that are not the sweep's",
            tampered(
                &full.manifest,
                "cells",
                serde_json::json!([[0, 18446744073709551615u64]]),
            ),
        ),
        ("an empty JSON object", b"{}".to_vec()),
        ("JSON null", b"null".to_vec()),
        (
            "another byzsim version",
            tampered(&full.manifest, "byzsim", "0.0.0-\u{0}".into()),
        ),
    ];
    for (name, manifest) in mismatched {
        cases.push(resume(
            format!("resume a journal with {name}"),
            journal(manifest),
            &[2],
        ));
    }
    cases.push(resume(
        "resume a journal without manifest".into(),
        vec![file("o.csv.partial", &full.csv[..half])],
        &[2],
    ));
    cases.push(resume(
        "resume a file without manifest".into(),
        vec![file("o.csv", full.csv.clone())],
        &[2],
    ));
    cases.push(resume(
        "resume a summary under the sweep's manifest".into(),
        vec![
            file("o.csv", refs.summary.clone()),
            file("o.csv.manifest.json", full.manifest.clone()),
        ],
        &[2],
    ));
    cases.push(resume(
        "resume a finished sweep".into(),
        vec![
            file("o.csv", full.csv.clone()),
            file("o.csv.manifest.json", full.manifest.clone()),
        ],
        &[0],
    ));
    cases.push(resume(
        "resume an empty journal".into(),
        vec![file("o.csv.partial", Vec::new())],
        &[0],
    ));
    cases.push(resume(
        "resume a journal whose manifest is /dev/zero".into(),
        vec![
            file("o.csv.partial", &full.csv[..half]),
            Fixture::Symlink("o.csv.partial.manifest.json".into(), "/dev/zero".into()),
        ],
        &[2],
    ));
    let mut other = resume(
        "resume after the scenario file changed".into(),
        journal(full.manifest.clone()),
        &[2],
    );
    other.fixtures[0] = file(
        "v.toml",
        [refs.small_toml.clone(), b"# edited\n".to_vec()].concat(),
    );
    cases.push(other);
    cases.extend(merges(refs, &mut rng));
    cases
}

fn shard(name: &str, csv: &[u8], manifest: &[u8]) -> Vec<Fixture> {
    vec![
        file(&format!("{name}.csv"), csv),
        file(&format!("{name}.csv.manifest.json"), manifest),
    ]
}

fn merges(refs: &Refs, rng: &mut ChaCha8Rng) -> Vec<Case> {
    let mut cases = Vec::new();
    let [h1, h2] = &refs.halves;
    let outputs = || {
        vec![
            maybe("m.csv", Check::Bytes(refs.full.csv.clone())),
            maybe(
                "m.csv.manifest.json",
                Check::Bytes(refs.full.manifest.clone()),
            ),
            maybe("-", Check::Text),
        ]
    };
    let merge = |name: String, fixtures: Vec<Fixture>, shards: &[&str], exit: &[i32]| {
        let mut a = args(&["merge"]);
        a.extend(args(shards));
        a.extend(args(&["--out", "m.csv"]));
        Case::new(FAMILY, name, fixtures, a, exit, outputs())
    };
    let both = |first: Vec<Fixture>| [first, shard("b", &h2.csv, &h2.manifest)].concat();
    cases.push(merge(
        "merge two halves".into(),
        both(shard("a", &h1.csv, &h1.manifest)),
        &["a.csv", "b.csv"],
        &[0],
    ));
    cases.push(merge(
        "merge two halves, last first".into(),
        both(shard("a", &h1.csv, &h1.manifest)),
        &["b.csv", "a.csv"],
        &[0],
    ));
    cases.push(merge(
        "merge a whole sweep alone".into(),
        shard("a", &refs.full.csv, &refs.full.manifest),
        &["a.csv"],
        &[0],
    ));
    for cut in cuts(rng, h1.csv.len(), 6) {
        // Cutting only the final newline leaves every row whole.
        let exit: &[i32] = if cut + 1 == h1.csv.len() {
            &[0, 2]
        } else {
            &[2]
        };
        cases.push(merge(
            format!("merge a shard cut at byte {cut}"),
            both(shard("a", &h1.csv[..cut], &h1.manifest)),
            &["a.csv", "b.csv"],
            exit,
        ));
    }
    for cut in cuts(rng, h1.manifest.len(), 3) {
        cases.push(merge(
            format!("merge a shard whose manifest is cut at byte {cut}"),
            both(shard("a", &h1.csv, &h1.manifest[..cut])),
            &["a.csv", "b.csv"],
            &[2],
        ));
    }
    let tamper = |field: &str, value: serde_json::Value| tampered(&h1.manifest, field, value);
    let mismatched: Vec<(&str, Vec<Fixture>)> = vec![
        (
            "a shard of another seed",
            shard(
                "a",
                &refs.other_seed_half.csv,
                &refs.other_seed_half.manifest,
            ),
        ),
        (
            "a shard's rows under another seed's manifest",
            shard("a", &h1.csv, &refs.other_seed_half.manifest),
        ),
        (
            "a shard of three",
            shard("a", &refs.third.csv, &refs.third.manifest),
        ),
        (
            "the summary as a shard",
            shard("a", &refs.summary, &h1.manifest),
        ),
        (
            "the other half's rows under this half's manifest",
            shard("a", &h2.csv, &h1.manifest),
        ),
        (
            "a shard of 2^64 - 1",
            shard(
                "a",
                &h1.csv,
                &tamper(
                    "shard",
                    serde_json::json!({"k": 1, "of": 18446744073709551615u64}),
                ),
            ),
        ),
        (
            "a shard 0 of 2",
            shard(
                "a",
                &h1.csv,
                &tamper("shard", serde_json::json!({"k": 0, "of": 2})),
            ),
        ),
        (
            "a non-ASCII scenario digest",
            shard(
                "a",
                &h1.csv,
                &tamper("scenario_sha256", "aéééééééééééé".into()),
            ),
        ),
        (
            "a manifest listing 2^64 - 1 rows",
            shard(
                "a",
                &h1.csv,
                &tamper(
                    "cells",
                    serde_json::json!([[0, 18446744073709551615u64], [2, 1]]),
                ),
            ),
        ),
        (
            "columns that are not the manifest's",
            shard(
                "a",
                &h1.csv,
                &tamper("columns", serde_json::json!(["cell"])),
            ),
        ),
        ("an empty shard", shard("a", b"", &h1.manifest)),
        (
            "a header-only shard",
            shard(
                "a",
                &h1.csv[..h1.csv.iter().position(|&b| b == b'\n').unwrap() + 1],
                &h1.manifest,
            ),
        ),
        (
            "a scenario file as a shard",
            shard("a", &refs.small_toml, &h1.manifest),
        ),
    ];
    for (name, fixtures) in mismatched {
        cases.push(merge(
            format!("merge {name} with the other half"),
            both(fixtures),
            &["a.csv", "b.csv"],
            &[2],
        ));
    }
    let a = || shard("a", &h1.csv, &h1.manifest);
    cases.push(merge("merge one half alone".into(), a(), &["a.csv"], &[2]));
    cases.push(merge(
        "merge a half twice".into(),
        both(a()),
        &["a.csv", "a.csv", "b.csv"],
        &[2],
    ));
    cases.push(merge(
        "merge a half and its copy".into(),
        [both(a()), shard("c", &h1.csv, &h1.manifest)].concat(),
        &["a.csv", "c.csv", "b.csv"],
        &[2],
    ));
    cases.push(merge(
        "merge a shard without manifest".into(),
        both(vec![file("a.csv", h1.csv.clone())]),
        &["a.csv", "b.csv"],
        &[2],
    ));
    cases.push(merge(
        "merge a shard whose manifest is /dev/zero".into(),
        both(vec![
            file("a.csv", h1.csv.clone()),
            Fixture::Symlink("a.csv.manifest.json".into(), "/dev/zero".into()),
        ]),
        &["a.csv", "b.csv"],
        &[2],
    ));
    for cut in cuts(rng, refs.full.csv.len(), 4) {
        cases.push(Case::new(
            FAMILY,
            format!("plot a sweep cut at byte {cut}"),
            vec![file("c.csv", &refs.full.csv[..cut])],
            args(&[
                "plot",
                "c.csv",
                "-o",
                "p.svg",
                "--x",
                "n",
                "--y",
                "t",
                "--z",
                "agreement",
            ]),
            &[0, 2],
            vec![maybe("p.svg", Check::Svg)],
        ));
    }
    cases
}
