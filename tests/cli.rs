//! The command line as a user meets it: exit codes 0/1/2, messages that name the file, line and
//! key, outputs written whole, and rows that replay from their seed.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn byzsim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_byzsim"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("byzsim runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// Runs a scenario text that must be refused: exit 2, no panic, and every `needle` in stderr.
fn refused(text: &str, needles: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "bad.toml", text);
    let out = byzsim(&["run", file.to_str().unwrap()]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "stderr: {err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(err.contains("bad.toml"), "names the file: {err}");
    for needle in needles {
        assert!(err.contains(needle), "expected `{needle}` in: {err}");
    }
}

const GOOD: &str = "n = 4\nt = 1\n[protocol]\nkind = \"vote\"\n";

#[test]
fn the_default_scenario_runs_and_meets_its_expectations() {
    let out = byzsim(&["run"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.contains("agreement") && table.contains("vote"),
        "{table}"
    );
    assert!(table.contains("replay: byzsim run --seed"), "{table}");
}

#[test]
fn malformed_toml_names_the_line_and_column() {
    refused("n = 4\nt = = 1\n", &["bad.toml:2:"]);
}

#[test]
fn an_unknown_key_is_named_with_its_line() {
    refused(
        "n = 4\n[protocol]\nkind = \"vote\"\n[network]\nlossy = 0.1\n",
        &["bad.toml:5:", "lossy"],
    );
    refused(
        "n = 4\nbogus = 1\n[protocol]\nkind = \"vote\"\n",
        &["bogus"],
    );
}

#[test]
fn t_at_least_n_is_refused() {
    refused(
        "n = 3\nt = 3\n[protocol]\nkind = \"vote\"\n",
        &["bad.toml:2:", "key `t`", "less than n"],
    );
}

#[test]
fn zero_generals_are_refused() {
    refused(
        "n = 0\n[protocol]\nkind = \"vote\"\n",
        &["key `n`", "n = 0"],
    );
}

#[test]
fn a_missing_file_is_refused() {
    let out = byzsim(&["run", "no/such/file.toml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no/such/file.toml"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn flooding_on_a_disconnected_graph_is_refused() {
    refused(
        "n = 4\n[protocol]\nkind = \"signed-flood\"\n[network]\ntopology = \"edges\"\nedges = [[0, 1], [2, 3]]\ntransport = \"flooding\"\n",
        &["key `network.topology`", "disconnected"],
    );
}

#[test]
fn unknown_names_list_the_known_ones() {
    refused(
        "n = 4\n[protocol]\nkind = \"paxos\"\n",
        &["bad.toml:3:", "paxos", "vote"],
    );
    refused(
        "n = 4\nt = 1\n[protocol]\nkind = \"vote\"\n[faults]\nbehaviour = \"sneaky\"\n",
        &["key `faults.behaviour`", "sneaky", "equivocate"],
    );
    refused(
        "n = 4\n[protocol]\nkind = \"vote\"\n[network]\ntopology = \"torus\"\n",
        &["key `network.topology`", "torus"],
    );
}

#[test]
fn impossible_values_are_refused() {
    refused(
        "n = 4\n[protocol]\nkind = \"vote\"\n[network]\nloss = 1.5\n",
        &["key `network.loss`", "probability"],
    );
    refused(
        "n = 4\n[protocol]\nkind = \"vote\"\n[network]\nlatency_ms = { min = 10, max = 1 }\n",
        &["network.latency_ms", "greater than max"],
    );
    refused(
        "n = 5\n[protocol]\nkind = \"vote\"\n[network]\ntopology = \"random-regular\"\ndegree = 3\n",
        &["network.topology", "even"],
    );
    refused(
        "n = 4\nt = 1\n[protocol]\nkind = \"vote\"\n[faults]\nwho = [7]\n",
        &["faults.who", "general 7 does not exist"],
    );
}

#[test]
fn a_bad_set_is_refused() {
    let out = byzsim(&["run", "--set", "network.nonsense=3"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("nonsense"), "{}", stderr(&out));
    let out = byzsim(&["run", "--set", "novalue"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("KEY=VALUE"), "{}", stderr(&out));
}

#[test]
fn a_failed_expectation_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "wrong.toml",
        &format!(
            "{GOOD}inputs = [\"attack\", \"attack\", \"retreat\", \"retreat\"]\n[faults]\nbehaviour = \"equivocate\"\nwho = [3]\nsplit = [0]\n[expect]\nagreement = \"holds\"\n"
        ),
    );
    let out = byzsim(&["run", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("NOT MET"));
}

fn rows(csv_path: &Path) -> Vec<csv::StringRecord> {
    let mut reader = csv::Reader::from_path(csv_path).unwrap();
    let header = reader.headers().unwrap().clone();
    assert_eq!(
        header.iter().take(17).collect::<Vec<_>>().join(","),
        "scenario,protocol,topology,transport,n,t,behaviour,seed,trial,agreement,validity,termination,decision,messages,bytes,rounds,decision_time_ms"
    );
    reader.records().map(|r| r.unwrap()).collect()
}

#[test]
fn any_row_replays_from_its_seed() {
    let dir = tempfile::tempdir().unwrap();
    let all = dir.path().join("all.csv");
    let scenario = "scenarios/signed-flood-equivocating-traitor-breaks-agreement.toml";
    let out = byzsim(&[
        "run",
        scenario,
        "--trials",
        "6",
        "--out",
        all.to_str().unwrap(),
    ]);
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "{}",
        stderr(&out)
    );
    let rows_all = rows(&all);
    assert_eq!(rows_all.len(), 6);
    let row = &rows_all[4];
    let seed = &row[7];
    let one = dir.path().join("one.csv");
    let out = byzsim(&[
        "run",
        scenario,
        "--seed",
        seed,
        "--trials",
        "1",
        "--out",
        one.to_str().unwrap(),
    ]);
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "{}",
        stderr(&out)
    );
    let replayed = &rows(&one)[0];
    let without_trial = |r: &csv::StringRecord| -> Vec<String> {
        r.iter()
            .enumerate()
            .filter(|(i, _)| *i != 8)
            .map(|(_, f)| f.to_string())
            .collect()
    };
    assert_eq!(without_trial(row), without_trial(replayed));
}

#[test]
fn out_is_written_whole_and_its_directory_created() {
    let dir = tempfile::tempdir().unwrap();
    let out_path = dir.path().join("new/dir/out.csv");
    let out = byzsim(&["run", "--trials", "3", "--out", out_path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(rows(&out_path).len(), 3);
    let leftovers: Vec<_> = std::fs::read_dir(out_path.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        leftovers,
        vec![std::ffi::OsString::from("out.csv")],
        "no temporary file left"
    );
}

#[test]
fn topology_prints_dot_with_traitors_marked() {
    let out = byzsim(&[
        "topology",
        "scenarios/signed-flood-dropping-cut-breaks-agreement.toml",
        "--dot",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let dot = String::from_utf8_lossy(&out.stdout);
    assert!(dot.starts_with("graph"), "{dot}");
    assert!(dot.contains("3 (traitor)"), "{dot}");
    assert_eq!(dot.matches(" -- ").count(), 8, "{dot}");
}

#[test]
fn a_short_round_warns_that_synchrony_is_broken() {
    let out = byzsim(&["run", "--set", "network.round_ms=5", "--trials", "2"]);
    assert!(stderr(&out).contains("synchrony"), "{}", stderr(&out));
}
