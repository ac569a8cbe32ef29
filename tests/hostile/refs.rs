//! The reference files the cases start from and compare against, made once by the binary under
//! test: a small sweep whole, in two shards, in three, with another seed; its summary; and a
//! longer sweep for the signal cases. A resumed or merged sweep must end with these bytes.

use std::path::Path;

use crate::harness::{Stdout, args};

/// A scenario file from `scenarios/`.
pub fn scenario(name: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("scenarios")
            .join(name),
    )
    .expect("scenario file")
}

/// A CSV and its manifest.
#[derive(Clone)]
pub struct Sweep {
    pub csv: Vec<u8>,
    pub manifest: Vec<u8>,
}

pub struct Refs {
    /// `v.toml`: the small sweep's scenario.
    pub small_toml: Vec<u8>,
    pub full: Sweep,
    pub summary: Vec<u8>,
    pub halves: [Sweep; 2],
    pub third: Sweep,
    pub other_seed_half: Sweep,
    /// `l.toml`: the long sweep's scenario.
    pub long_toml: Vec<u8>,
    pub long: Sweep,
}

/// The small sweep: 6 cells of 4 trials, instant.
pub fn small(extra: &[&str]) -> Vec<String> {
    let mut a = args(&[
        "sweep", "v.toml", "--n", "4..=6", "--t", "0,1", "--trials", "4", "--jobs", "1",
    ]);
    a.extend(args(extra));
    a
}

/// The long sweep: 32 cells of 8 trials, a second or two with one job, written cell by cell.
pub fn long(extra: &[&str]) -> Vec<String> {
    let mut a = args(&[
        "sweep",
        "l.toml",
        "--n",
        "10..=40:2",
        "--t",
        "0,1",
        "--trials",
        "8",
        "--jobs",
        "1",
    ]);
    a.extend(args(extra));
    a
}

fn made(dir: &Path, argv: &[String], csv: &str) -> Sweep {
    let capture = dir.join("capture");
    std::fs::create_dir_all(&capture).unwrap();
    // Always this build's: the references are what a sweep must end with.
    let this = Path::new(env!("CARGO_BIN_EXE_byzsim"));
    let status = crate::harness::spawn_program(this, dir, &capture, argv, Stdout::Capture)
        .wait()
        .unwrap();
    assert!(
        status.success(),
        "reference `{} {}` failed: {}",
        this.display(),
        argv.join(" "),
        String::from_utf8_lossy(&std::fs::read(capture.join("stderr")).unwrap_or_default())
    );
    Sweep {
        csv: std::fs::read(dir.join(csv)).unwrap(),
        manifest: std::fs::read(dir.join(format!("{csv}.manifest.json"))).unwrap(),
    }
}

impl Refs {
    pub fn make() -> Refs {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path();
        let small_toml = scenario("vote-no-traitor-holds.toml");
        let long_toml = scenario("signed-flood-p2p-no-traitor-holds.toml");
        std::fs::write(dir.join("v.toml"), &small_toml).unwrap();
        std::fs::write(dir.join("l.toml"), &long_toml).unwrap();
        let full = made(
            dir,
            &small(&["--out", "full.csv", "--summary", "summary.csv"]),
            "full.csv",
        );
        let summary = std::fs::read(dir.join("summary.csv")).unwrap();
        let half = |k: u32, extra: &[&str]| {
            let name = format!("h{k}.csv");
            let shard = format!("{k}/2");
            let mut a = vec!["--shard", &shard, "--out", &name];
            a.extend_from_slice(extra);
            made(dir, &small(&a), &name)
        };
        let halves = [half(1, &[]), half(2, &[])];
        let third = made(
            dir,
            &small(&["--shard", "1/3", "--out", "t1.csv"]),
            "t1.csv",
        );
        let other_seed_half = made(
            dir,
            &small(&["--shard", "1/2", "--seed", "9", "--out", "o1.csv"]),
            "o1.csv",
        );
        let long = made(dir, &long(&["--out", "long.csv"]), "long.csv");
        Refs {
            small_toml,
            full,
            summary,
            halves,
            third,
            other_seed_half,
            long_toml,
            long,
        }
    }
}
