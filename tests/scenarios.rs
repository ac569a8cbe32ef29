//! Every file in `scenarios/` is an example and a check: it must meet its own `[expect]`.

use std::path::PathBuf;

use byzsim::Scenario;
use byzsim::run::run_scenario;

fn scenario_files() -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("scenarios/ exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_scenario_meets_its_expectations() {
    let files = scenario_files();
    assert!(files.len() >= 6, "the scenario suite is there");
    let mut failures = Vec::new();
    for file in &files {
        let sc = Scenario::load(file, &[]).unwrap_or_else(|e| panic!("{e}"));
        assert!(
            sc.expect.agreement.is_some()
                || sc.expect.validity.is_some()
                || sc.expect.termination.is_some(),
            "{} states no [expect]",
            file.display()
        );
        assert!(
            !sc.description.is_empty(),
            "{} has no description",
            file.display()
        );
        let result = run_scenario(&sc).unwrap_or_else(|e| panic!("{e}"));
        failures.extend(label_mismatches(file, &result.records));
        for e in result.expectations.iter().filter(|e| !e.met) {
            failures.push(format!(
                "{}: {} expected {} for {}, held in {} of {} trials",
                file.display(),
                e.property,
                e.expected.as_str(),
                e.kind.name(),
                e.held,
                e.trials
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A scenario named `...-holds` that shows a theorem at work is labelled `inside` in every row,
/// and one named `...-breaks` or `...-impossible` is `outside`: the name and the label tell the
/// reader the same story (`oral-om2-sparse-graph-disjoint-paths-holds` once ran with rounds
/// exactly as long as its longest route, labelled `outside` while its description promised
/// the theorem). Protocols without a theorem (the naive schemes, proof of work) carry no label.
fn label_mismatches(file: &std::path::Path, rows: &[byzsim::record::RunRecord]) -> Vec<String> {
    let stem = file.file_stem().unwrap().to_string_lossy().to_string();
    let want = if stem.ends_with("-holds") {
        "inside"
    } else if stem.ends_with("-breaks") || stem.ends_with("-impossible") {
        "outside"
    } else {
        return Vec::new();
    };
    (rows.iter())
        .filter(|r| !r.bound.is_empty() && r.bound != want)
        .take(1)
        .map(|r| {
            format!(
                "{}: named {want} but trial {} of {} is labelled {} ({})",
                file.display(),
                r.trial,
                r.protocol,
                r.bound,
                r.bound_rule
            )
        })
        .collect()
}

#[test]
fn every_scenario_name_matches_its_file() {
    for file in scenario_files() {
        let sc = Scenario::load(&file, &[]).unwrap_or_else(|e| panic!("{e}"));
        let stem = file.file_stem().unwrap().to_string_lossy();
        assert_eq!(sc.name, stem, "{}", file.display());
    }
}
