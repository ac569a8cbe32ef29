//! Sweeps: the same bytes whatever `--jobs`, nothing lost when interrupted (`--resume` ends
//! with the file an uninterrupted run writes), shards that merge back to the same bytes, and
//! rows that replay from their seed.

use std::path::{Path, PathBuf};
use std::process::Command;

use byzsim::sweep::grid::{Shard, Vary};
use byzsim::sweep::manifest::manifest_path;
use byzsim::sweep::merge::merge;
use byzsim::sweep::{SweepOptions, sweep};

fn scenario(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name)
}

fn options(dir: &Path, tag: &str) -> SweepOptions {
    SweepOptions {
        file: scenario("vote-no-traitor-holds.toml"),
        n: vec![3, 4, 5, 6, 7],
        t: vec![0, 1, 2, 3],
        vary: vec![Vary::parse("network.loss=0,0.05").unwrap()],
        sets: vec!["faults.behaviour=equivocate".to_string()],
        seed: Some(11),
        trials: Some(15),
        jobs: Some(2),
        out: Some(dir.join(format!("{tag}.csv"))),
        summary: Some(dir.join(format!("{tag}-summary.csv"))),
        shard: None,
        resume: false,
        progress: false,
    }
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap()
}

#[test]
fn output_is_byte_identical_for_one_and_two_jobs() {
    let dir = tempfile::tempdir().unwrap();
    let mut one = options(dir.path(), "one");
    one.jobs = Some(1);
    let two = options(dir.path(), "two");
    let r1 = sweep(&one).unwrap();
    let r2 = sweep(&two).unwrap();
    assert_eq!(r1.trials, r2.trials);
    assert_eq!(r1.skipped, 2, "n = 3 with t = 3, for both loss values");
    assert_eq!(r1.ran, 5 * 4 * 2 - 2);
    assert_eq!(
        read(one.out.as_ref().unwrap()),
        read(two.out.as_ref().unwrap())
    );
    assert_eq!(
        read(one.summary.as_ref().unwrap()),
        read(two.summary.as_ref().unwrap())
    );
    let rows = String::from_utf8(read(one.out.as_ref().unwrap())).unwrap();
    assert_eq!(rows.lines().count() as u64, 1 + r1.trials);
    assert!(rows.lines().next().unwrap().ends_with(",cell,network.loss"));
}

#[test]
fn resume_after_a_cut_at_any_point_gives_the_uninterrupted_file() {
    let dir = tempfile::tempdir().unwrap();
    let full = options(dir.path(), "full");
    sweep(&full).unwrap();
    let whole = read(full.out.as_ref().unwrap());
    let whole_summary = read(full.summary.as_ref().unwrap());
    // Cut inside the header, right after it, in the middle of a row, and at the very end.
    let header_len = whole.iter().position(|&b| b == b'\n').unwrap() + 1;
    for cut in [
        5,
        header_len,
        whole.len() / 3,
        whole.len() * 2 / 3 + 7,
        whole.len(),
    ] {
        let mut part = options(dir.path(), &format!("cut{cut}"));
        std::fs::write(part.out.as_ref().unwrap(), &whole[..cut]).unwrap();
        std::fs::copy(
            manifest_path(full.out.as_ref().unwrap()),
            manifest_path(part.out.as_ref().unwrap()),
        )
        .unwrap();
        part.resume = true;
        let report = sweep(&part).unwrap();
        assert_eq!(read(part.out.as_ref().unwrap()), whole, "cut at byte {cut}");
        assert_eq!(
            read(part.summary.as_ref().unwrap()),
            whole_summary,
            "cut at byte {cut}"
        );
        if cut == whole.len() {
            assert_eq!(report.ran, 0, "nothing left to run");
        }
    }
}

#[test]
fn resume_refuses_a_file_from_another_sweep() {
    let dir = tempfile::tempdir().unwrap();
    let first = options(dir.path(), "a");
    sweep(&first).unwrap();
    let mut other = options(dir.path(), "a");
    other.seed = Some(12);
    other.resume = true;
    let e = sweep(&other).unwrap_err();
    assert!(e.message.contains("other settings"), "{e}");
}

#[test]
fn shards_merge_back_to_the_unsharded_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let full = options(dir.path(), "full");
    sweep(&full).unwrap();
    let mut parts = Vec::new();
    for k in 1..=3 {
        let mut shard = options(dir.path(), &format!("shard{k}"));
        shard.shard = Some(Shard { k, of: 3 });
        shard.summary = None;
        sweep(&shard).unwrap();
        parts.push(shard.out.unwrap());
    }
    parts.reverse();
    let merged = dir.path().join("merged.csv");
    let summary = dir.path().join("merged-summary.csv");
    merge(&parts, &merged, Some(&summary)).unwrap();
    assert_eq!(read(&merged), read(full.out.as_ref().unwrap()));
    assert_eq!(read(&summary), read(full.summary.as_ref().unwrap()));
    let twice = merge(&[parts[0].clone(), parts[0].clone()], &merged, None).unwrap_err();
    assert!(twice.message.contains("twice"), "{twice}");
}

#[test]
fn a_killed_sweep_keeps_whole_cells_and_resumes_to_the_same_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("killed.csv");
    // Until the sweep is complete its rows go to a journal beside --out.
    let journal = dir.path().join("killed.csv.partial");
    let expected = dir.path().join("expected.csv");
    let args = |out: &Path| -> Vec<String> {
        [
            "sweep",
            "scenarios/signed-flood-p2p-no-traitor-holds.toml",
            "--n",
            "10..=40:2",
            "--t",
            "0,1",
            "--trials",
            "8",
            "--jobs",
            "1",
            "--out",
        ]
        .iter()
        .map(|s| s.to_string())
        .chain([out.display().to_string()])
        .collect()
    };
    let bin = env!("CARGO_BIN_EXE_byzsim");
    let root = env!("CARGO_MANIFEST_DIR");
    let status = Command::new(bin)
        .args(args(&expected))
        .current_dir(root)
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let mut child = Command::new(bin)
        .args(args(&out))
        .current_dir(root)
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Kill it once a few cells are on disk (or let it finish if the machine is too fast).
    for _ in 0..2000 {
        let lines = std::fs::read(&journal)
            .map(|b| b.iter().filter(|&&c| c == b'\n').count())
            .unwrap_or(0);
        if lines > 3 * 8 || child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    let _ = child.kill();
    let _ = child.wait();
    let partial = std::fs::read(&journal)
        .or_else(|_| std::fs::read(&out))
        .unwrap();
    let whole = std::fs::read(&expected).unwrap();
    let complete = &partial[..partial
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1)];
    assert!(
        whole.starts_with(complete),
        "every complete row is a row of the full sweep"
    );
    let mut resume = args(&out);
    resume.push("--resume".to_string());
    let status = Command::new(bin)
        .args(&resume)
        .current_dir(root)
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    assert_eq!(std::fs::read(&out).unwrap(), whole);
    assert!(!journal.exists(), "the journal became the file");
}

#[test]
fn a_sweep_row_replays_with_run() {
    let dir = tempfile::tempdir().unwrap();
    let opts = options(dir.path(), "replay");
    sweep(&opts).unwrap();
    let mut reader = csv::Reader::from_path(opts.out.as_ref().unwrap()).unwrap();
    let header = reader.headers().unwrap().clone();
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    let row = &rows[rows.len() / 2];
    let col = |name: &str| &row[header.iter().position(|h| h == name).unwrap()];
    let one = dir.path().join("one.csv");
    let out = Command::new(env!("CARGO_BIN_EXE_byzsim"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "run",
            "scenarios/vote-no-traitor-holds.toml",
            "--set",
            "faults.behaviour=equivocate",
        ])
        .args([
            "--set",
            &format!("n={}", col("n")),
            "--set",
            &format!("t={}", col("t")),
        ])
        .args(["--set", &format!("network.loss={}", col("network.loss"))])
        .args([
            "--seed",
            col("seed"),
            "--trials",
            "1",
            "--out",
            one.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let replayed = csv::Reader::from_path(&one)
        .unwrap()
        .records()
        .next()
        .unwrap()
        .unwrap();
    for (i, name) in header.iter().enumerate().take(replayed.len()) {
        if name != "trial" {
            assert_eq!(&row[i], &replayed[i], "column {name}");
        }
    }
}

/// A sweep over `protocol.kind` mixing broadcast and consensus protocols runs every cell: the
/// file's `protocol.value` applies to the broadcast cells and is not held against the others
/// (results/messages-by-n.csv is made this way). The same key in a single consensus run is
/// refused.
#[test]
fn a_sweep_over_protocol_kinds_keeps_the_keys_of_the_family() {
    let dir = tempfile::tempdir().unwrap();
    let opts = SweepOptions {
        file: scenario("oral-om2-n7-t2-holds.toml"),
        n: vec![5, 6],
        t: vec![1],
        vary: vec![Vary::parse("protocol.kind=oral,phase-king").unwrap()],
        sets: vec!["faults.behaviour=honest".to_string()],
        trials: Some(1),
        summary: None,
        ..options(dir.path(), "family")
    };
    let report = sweep(&opts).unwrap();
    assert_eq!((report.cells, report.skipped), (4, 0), "{report:?}");
    let text = std::fs::read_to_string(scenario("oral-om2-n7-t2-holds.toml")).unwrap();
    let single = byzsim::Scenario::parse("f", "f", &text, &["protocol.kind=phase-king".into()]);
    assert_eq!(single.unwrap_err().key.as_deref(), Some("protocol.value"));
}
