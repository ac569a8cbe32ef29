//! `results/` is reproducible byte for byte: regenerate the naive-schemes figure with the
//! commands in results/README.md and compare.

use std::path::Path;
use std::process::Command;

#[test]
fn the_naive_failure_result_regenerates_to_the_same_bytes() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("naive-failure.csv");
    let svg = dir.path().join("naive-failure.svg");
    let bin = env!("CARGO_BIN_EXE_byzsim");
    let sweep = Command::new(bin)
        .current_dir(root)
        .args([
            "sweep",
            "scenarios/signed-flood-p2p-no-traitor-holds.toml",
            "--n",
            "30",
            "--t",
            "0..=10",
        ])
        .args([
            "--vary",
            "protocol.kind=vote,signed-flood",
            "--set",
            "faults.behaviour=equivocate",
        ])
        .args(["--trials", "100", "--summary", csv.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        sweep.status.success(),
        "{}",
        String::from_utf8_lossy(&sweep.stderr)
    );
    let plot = Command::new(bin)
        .current_dir(root)
        .args([
            "plot",
            csv.to_str().unwrap(),
            "-o",
            svg.to_str().unwrap(),
            "--x",
            "t",
            "--y",
            "failure_rate",
        ])
        .args([
            "--title",
            "Naive schemes: share of trials that fail, by number of equivocating traitors (n = 30)",
        ])
        .output()
        .unwrap();
    assert!(
        plot.status.success(),
        "{}",
        String::from_utf8_lossy(&plot.stderr)
    );
    assert_eq!(
        std::fs::read(&csv).unwrap(),
        std::fs::read(root.join("results/naive-failure.csv")).unwrap()
    );
    assert_eq!(
        std::fs::read(&svg).unwrap(),
        std::fs::read(root.join("results/naive-failure.svg")).unwrap()
    );
}
