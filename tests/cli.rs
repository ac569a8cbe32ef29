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

const SUBCOMMANDS: [&str; 8] = [
    "run", "sweep", "plot", "merge", "hunt", "topology", "bench", "keys",
];

/// The example lines at the end of a subcommand's `--help`.
fn help_examples(subcommand: &str) -> Vec<String> {
    let out = byzsim(&[subcommand, "--help"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let help = String::from_utf8_lossy(&out.stdout).into_owned();
    let (_, examples) = help
        .rsplit_once("Examples:\n")
        .unwrap_or_else(|| panic!("`{subcommand} --help` has no examples:\n{help}"));
    examples.lines().map(|l| l.trim().to_string()).collect()
}

#[test]
fn every_help_ends_with_two_or_three_examples_that_parse() {
    use clap::Parser;
    for sub in SUBCOMMANDS {
        let examples = help_examples(sub);
        assert!((2..=3).contains(&examples.len()), "{sub}: {examples:?}");
        for example in &examples {
            // The command up to a pipe or a redirection, as the shell would pass it.
            let words: Vec<&str> = example
                .split_whitespace()
                .take_while(|w| !["|", ">", "&&"].contains(w))
                .collect();
            assert_eq!(words[0], "byzsim", "{example}");
            if let Err(e) = byzsim::cli::Cli::try_parse_from(&words) {
                panic!("`{example}` does not parse: {e}");
            }
            for path in words.iter().filter(|w| w.starts_with("scenarios/")) {
                assert!(
                    Path::new(path).exists() || root_has(path),
                    "{example}: {path}"
                );
            }
        }
    }
}

/// Every help example runs as written (in order, in a fresh directory holding a copy of
/// `scenarios/`) and ends with 0 or 1, never 2; `bench` only parses (it measures for seconds).
#[test]
fn every_help_example_runs() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::create_dir(d.join("scenarios")).unwrap();
    for entry in std::fs::read_dir(root.join("scenarios")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), d.join("scenarios").join(entry.file_name())).unwrap();
    }
    std::fs::create_dir(d.join("bin")).unwrap();
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_byzsim"), d.join("bin/byzsim")).unwrap();
    let path = format!(
        "{}:{}",
        d.join("bin").display(),
        std::env::var("PATH").unwrap()
    );
    // Each example stands alone, except plot's, which read the summary.csv of sweep's first
    // example (merge's examples write another one).
    let mut lines: Vec<String> = Vec::new();
    for sub in ["run", "sweep", "plot", "merge", "hunt", "topology", "keys"] {
        lines.extend(help_examples(sub));
    }
    for example in &lines {
        // `dot` may not be installed: keep the byzsim stage of a pipeline.
        let command = example.split(" | ").next().unwrap();
        let o = std::process::Command::new("bash")
            .args(["-c", command])
            .current_dir(d)
            .env("PATH", &path)
            .output()
            .unwrap();
        let err = stderr(&o);
        assert!(
            matches!(o.status.code(), Some(0 | 1)),
            "`{example}` exited {:?}: {err}",
            o.status.code()
        );
        assert!(!err.contains("panicked"), "{example}: {err}");
    }
}

fn root_has(path: &str) -> bool {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path).exists()
}

#[test]
fn options_that_do_not_apply_are_not_offered() {
    let help = |sub: &str| String::from_utf8_lossy(&byzsim(&[sub, "--help"]).stdout).into_owned();
    assert!(!help("topology").contains("--max-messages"));
    assert!(
        !help("topology").contains("--dot"),
        "DOT is the only format"
    );
    for sub in ["run", "sweep", "hunt"] {
        assert!(help(sub).contains("--max-messages"), "{sub}");
    }
    // Every subcommand that writes a file takes -o and --out alike.
    for sub in ["run", "sweep", "plot", "merge", "hunt", "topology"] {
        assert!(help(sub).contains("-o, --out"), "{sub}");
    }
}

#[test]
fn topology_prints_dot_without_asking_and_writes_it_with_o() {
    let scenario = "scenarios/signed-flood-dropping-cut-breaks-agreement.toml";
    let printed = byzsim(&["topology", scenario]);
    assert_eq!(printed.status.code(), Some(0), "{}", stderr(&printed));
    assert!(printed.stdout.starts_with(b"graph"));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("cut.dot");
    let written = byzsim(&["topology", scenario, "-o", file.to_str().unwrap()]);
    assert_eq!(written.status.code(), Some(0), "{}", stderr(&written));
    assert!(written.stdout.is_empty());
    assert_eq!(std::fs::read(&file).unwrap(), printed.stdout);
    // `--dot`, the old spelling, still works.
    let old = byzsim(&["topology", scenario, "--dot"]);
    assert_eq!(old.stdout, printed.stdout);
}

#[test]
fn a_misspelt_key_or_name_gets_the_nearest_one() {
    refused(
        "n = 4\ntrails = 3\n[protocol]\nkind = \"vote\"\n",
        &["bad.toml:2:", "did you mean `trials`?"],
    );
    refused(
        "n = 4\n[protocol]\nkind = \"vote\"\nloss = 0.1\n",
        &["did you mean `network.loss`?"],
    );
    refused(
        "n = 4\n[protocol]\nkind = \"orla\"\n",
        &["key `protocol.kind`", "did you mean `oral`?"],
    );
    refused(
        "n = 4\nt = 1\n[protocol]\nkind = \"vote\"\n[faults]\nbehaviour = \"equivocat\"\n",
        &["did you mean `equivocate`?"],
    );
    let out = byzsim(&["run", "--set", "trails=3"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("did you mean `trials`?"),
        "{}",
        stderr(&out)
    );
    // Far from every name: no guess, but the list.
    refused(
        "n = 4\n[protocol]\nkind = \"paxos\"\n",
        &["known: vote, signed-flood"],
    );
    let err = stderr(&byzsim(&["run", "--set", "protocol.kind=paxos"]));
    assert!(!err.contains("did you mean"), "{err}");
}

#[test]
fn a_topology_typo_blames_the_topology_not_its_degree() {
    refused(
        "n = 6\n[protocol]\nkind = \"vote\"\n[network]\ntopology = \"random_regular\"\ndegree = 3\ntransport = \"flooding\"\n",
        &[
            "bad.toml:5:",
            "key `network.topology`",
            "did you mean `random-regular`?",
        ],
    );
    let out = byzsim(&[
        "run",
        "--set",
        "network.topology=random_regular",
        "--set",
        "network.degree=3",
    ]);
    let err = stderr(&out);
    assert!(
        err.contains("key `network.topology`") && !err.contains("key `network.degree`"),
        "{err}"
    );
}

#[test]
fn keys_lists_the_table_the_parser_checks() {
    let out = byzsim(&["keys"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let all = String::from_utf8_lossy(&out.stdout).into_owned();
    for key in byzsim::scenario::keys::KEYS {
        let line = format!("{}  ({}; default: {})", key.path, key.kind, key.default);
        assert!(all.contains(&line), "{line}");
        assert!(all.contains(key.meaning), "{}", key.path);
    }
    let network = String::from_utf8_lossy(&byzsim(&["keys", "network"]).stdout).into_owned();
    let listed: Vec<&str> = network.lines().filter(|l| !l.starts_with(' ')).collect();
    assert!(
        listed.iter().all(|l| l.starts_with("network.")),
        "{network}"
    );
    assert!(
        network.contains("one of: complete, ring, random-regular"),
        "{network}"
    );
    let typo = byzsim(&["keys", "netwrk"]);
    assert_eq!(typo.status.code(), Some(2));
    assert!(
        stderr(&typo).contains("did you mean `network`?"),
        "{}",
        stderr(&typo)
    );
    // Every key `keys` lists is one a --set accepts (and a made-up one is not).
    for key in byzsim::scenario::keys::KEYS {
        let err = stderr(&byzsim(&[
            "run",
            "--set",
            &format!("{}=x", key.path),
            "--trials",
            "1",
        ]));
        assert!(!err.contains("unknown key"), "{}: {err}", key.path);
    }
}

/// The run table of `args`, and the exit code.
fn table(args: &[&str]) -> (String, Option<i32>) {
    let out = byzsim(args);
    assert!(!stderr(&out).contains("panicked"));
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        out.status.code(),
    )
}

#[test]
fn the_run_table_labels_each_protocol_with_its_bound() {
    let (holds, _) = table(&[
        "run",
        "scenarios/oral-om1-n4-t1-holds.toml",
        "--trials",
        "5",
    ]);
    let (breaks, _) = table(&[
        "run",
        "scenarios/oral-om2-n6-t2-breaks.toml",
        "--trials",
        "5",
    ]);
    let (naive, _) = table(&["run", "--trials", "5"]);
    // protocol, trials, agreement, validity, termination, messages, decision ms, bound.
    let bound_of = |table: &str| -> String {
        let header = table.lines().find(|l| l.contains("decision ms")).unwrap();
        assert!(header.trim_end().ends_with("bound"), "{header}");
        let row = table
            .lines()
            .skip_while(|l| !l.contains("decision ms"))
            .nth(1)
            .unwrap();
        row.split_whitespace().nth(7).unwrap_or("").to_string()
    };
    assert_eq!(bound_of(&holds), "inside", "{holds}");
    assert_eq!(bound_of(&breaks), "outside", "{breaks}");
    assert_eq!(bound_of(&naive), "-", "{naive}");
}

#[test]
fn the_pow_table_shows_the_attackers_blocks_and_the_reverted_rate_of_its_rows() {
    let dir = tempfile::tempdir().unwrap();
    let csv_path = dir.path().join("pow.csv");
    let (text, code) = table(&[
        "run",
        "scenarios/pow-double-spend-1-confirmation.toml",
        "--trials",
        "30",
        "-o",
        csv_path.to_str().unwrap(),
    ]);
    assert!(code.is_some_and(|c| c <= 1), "{text}");
    let rows = rows(&csv_path);
    let header = csv::Reader::from_path(&csv_path)
        .unwrap()
        .headers()
        .unwrap()
        .clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let shares: Vec<f64> = rows
        .iter()
        .filter_map(|r| r[col("attacker_share_main")].parse().ok())
        .collect();
    let share = shares.iter().sum::<f64>() / shares.len() as f64;
    let reverted = rows
        .iter()
        .filter(|r| &r[col("reverted")] == "true")
        .count();
    assert!(
        text.contains("attacker blocks") && text.contains("reverted"),
        "{text}"
    );
    let row = text
        .lines()
        .find(|l| l.trim_start().starts_with("pow "))
        .unwrap();
    let expected_share = format!("{:.1}%", 100.0 * share);
    let expected_reverted = format!("{:.1}%", 100.0 * reverted as f64 / rows.len() as f64);
    assert!(row.contains(&expected_share), "{expected_share} in {row}");
    assert!(
        row.trim_end().ends_with(&expected_reverted),
        "{expected_reverted} in {row}"
    );
    assert!(
        reverted > 0,
        "a 30% attacker against one confirmation reverts some decisions"
    );
}

#[test]
fn the_header_says_what_the_command_line_changed() {
    let (text, _) = table(&["run", "--set", "n=7", "--trials", "3"]);
    let first = text.lines().next().unwrap();
    assert!(first.contains("n = 7 (set on the command line)"), "{first}");
    assert!(!first.contains("t = 1 (set"), "t was not set: {first}");
    assert!(
        text.contains("(the file's description, written before --set changed n;"),
        "{text}"
    );
    let (plain, _) = table(&["run", "--trials", "3"]);
    assert!(
        !plain.contains("set on the command line") && !plain.contains("the file's description")
    );
    let (none, _) = table(&[
        "run",
        "scenarios/vote-no-traitor-holds.toml",
        "--trials",
        "2",
    ]);
    let first = none.lines().next().unwrap();
    assert!(
        first.contains("no traitors") && !first.contains("t = 0"),
        "{first}"
    );
}

#[test]
fn a_replay_of_one_trial_does_not_check_the_expectations_unless_asked() {
    // The default scenario expects agreement to be violated; find a trial where it held.
    let seed = (1..40)
        .map(|s| s.to_string())
        .find(|s| table(&["run", "--seed", s, "--trials", "1", "--expect"]).1 == Some(1))
        .expect("some trial of the default scenario keeps agreement");
    let (text, code) = table(&["run", "--seed", &seed, "--trials", "1"]);
    assert_eq!(code, Some(0), "{text}");
    assert!(
        text.contains("not checked on a replay of one trial"),
        "{text}"
    );
    assert!(!text.contains("NOT MET"), "{text}");
    let (checked, code) = table(&["run", "--seed", &seed, "--trials", "1", "--expect"]);
    assert_eq!(code, Some(1));
    assert!(checked.contains("NOT MET"), "{checked}");
    // Two trials, or no --seed, are not a replay: checked as ever.
    let (_, code) = table(&["run", "--seed", &seed, "--trials", "2"]);
    assert!(code.is_some());
    assert!(
        !table(&["run", "--seed", &seed, "--trials", "2"])
            .0
            .contains("not checked")
    );
}

#[test]
fn a_sweep_counts_its_skips_by_reason_and_names_the_flag() {
    let vote = "scenarios/vote-no-traitor-holds.toml";
    let out = byzsim(&[
        "sweep",
        vote,
        "--n",
        "3",
        "--t",
        "0,3",
        "--vary",
        "network.loss=0,2",
        "--trials",
        "1",
    ]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("skipped 3 of 4 cells"), "{err}");
    assert!(
        err.contains("2 for `t`") && err.contains("(set by --t)"),
        "{err}"
    );
    assert!(
        err.contains("1 for `network.loss`") && err.contains("(set by --vary network.loss)"),
        "{err}"
    );
    assert!(
        !err.contains("--set t") && !err.contains("--set network.loss"),
        "{err}"
    );
    let none = byzsim(&["sweep", vote, "--n", "3", "--t", "3,4", "--trials", "1"]);
    let err = stderr(&none);
    assert_eq!(none.status.code(), Some(2), "{err}");
    assert!(
        err.contains("no cell of the grid can run: 2 refused, 2 for `t`"),
        "{err}"
    );
}

#[test]
fn an_error_names_the_flag_that_set_the_value() {
    for (args, flag) in [
        (vec!["run", "--trials", "0"], "(set by --trials)"),
        (
            vec!["run", "--max-messages", "0"],
            "(set by --max-messages)",
        ),
        (
            vec!["run", "--set", "trials=0"],
            "(set by --set trials=...)",
        ),
    ] {
        let out = byzsim(&args);
        assert_eq!(out.status.code(), Some(2));
        assert!(stderr(&out).contains(flag), "{args:?}: {}", stderr(&out));
    }
}
