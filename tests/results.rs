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

/// Every figure in results/ is there as SVG and as PNG of the same size (for the README), and
/// results/README.md gives the command that writes both.
#[test]
fn every_figure_has_a_png_and_its_command() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("results");
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let mut figures = 0;
    for entry in std::fs::read_dir(&root).unwrap() {
        let svg_path = entry.unwrap().path();
        if svg_path.extension().is_none_or(|e| e != "svg") {
            continue;
        }
        figures += 1;
        let stem = svg_path.file_stem().unwrap().to_string_lossy().to_string();
        let svg = std::fs::read_to_string(&svg_path).unwrap();
        let size = |key: &str| -> u32 {
            let at = svg.find(&format!(" {key}=\"")).unwrap() + key.len() + 3;
            svg[at..at + svg[at..].find('"').unwrap()].parse().unwrap()
        };
        let png = std::fs::read(svg_path.with_extension("png"))
            .unwrap_or_else(|e| panic!("{stem}.png next to {stem}.svg: {e}"));
        let pixmap = resvg::tiny_skia::Pixmap::decode_png(&png).unwrap();
        assert_eq!(
            (pixmap.width(), pixmap.height()),
            (size("width"), size("height")),
            "{stem}.png is the SVG's picture"
        );
        assert!(
            readme.contains(&format!("-o results/{stem}.$f"))
                && readme.contains("for f in svg png; do"),
            "results/README.md writes {stem}.svg and {stem}.png"
        );
        // The CSV the plot command reads is in results/ and a command of the README makes it.
        let plot = readme
            .lines()
            .find(|l| l.contains(&format!("-o results/{stem}.$f")))
            .unwrap();
        let csv = plot
            .split_whitespace()
            .find(|w| w.starts_with("results/") && w.ends_with(".csv"))
            .unwrap_or_else(|| panic!("the plot of {stem} reads a CSV in results/: {plot}"));
        assert!(
            root.parent().unwrap().join(csv).is_file(),
            "{csv}, which {stem} plots, is in results/"
        );
        assert!(
            [
                format!("--summary {csv}"),
                format!("--out {csv}"),
                format!("> {csv}")
            ]
            .iter()
            .any(|made| readme.contains(made.as_str())),
            "results/README.md makes {csv}"
        );
    }
    assert_eq!(figures, 8);
}
