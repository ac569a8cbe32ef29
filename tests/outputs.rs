//! Outputs: nothing lost, nothing destroyed, nothing spliced. Each test pins a failure seen in
//! issue 16: a device replaced by a regular file, `--resume` on a fresh path failing, a resume
//! or merge that mixed two sweeps, a missing shard merged with exit 0, memory growing with the
//! number of trials, a panic on a closed pipe (now a quiet exit 141). The README's cluster
//! recipe runs here as written.

use std::io::{BufRead, Read};
use std::os::unix::fs::FileTypeExt;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_byzsim")
}

fn scenario(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name)
        .display()
        .to_string()
}

/// Runs byzsim in `dir`.
fn byzsim(dir: &Path, args: &[&str]) -> Output {
    Command::new(bin())
        .args(args)
        .current_dir(dir)
        .output()
        .expect("byzsim runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Exit code 2, no panic, and every needle in stderr.
fn refused(o: &Output, needles: &[&str]) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(2), "stderr: {err}");
    assert!(!err.contains("panicked"), "{err}");
    for needle in needles {
        assert!(err.contains(needle), "expected `{needle}` in: {err}");
    }
}

fn succeeded(o: &Output) {
    assert!(o.status.success(), "stderr: {}", stderr(o));
}

/// The names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut all: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    all.sort();
    all
}

/// A small sweep of the vote scenario: 6 cells of 4 trials.
fn small_sweep(extra: &[&str]) -> Vec<String> {
    let mut args: Vec<String> = ["sweep", &scenario("vote-no-traitor-holds.toml")]
        .iter()
        .chain(&["--n", "4..=6", "--t", "0,1", "--trials", "4", "--jobs", "1"])
        .map(|s| s.to_string())
        .collect();
    args.extend(extra.iter().map(|s| s.to_string()));
    args
}

/// A sweep that runs for several seconds with one job, one cell of 8 trials at a time.
fn long_sweep(out: &str, extra: &[&str]) -> Vec<String> {
    let mut args: Vec<String> = [
        "sweep",
        &scenario("signed-flood-p2p-no-traitor-holds.toml"),
        "--n",
        "10..=80:2",
        "--t",
        "0,1",
        "--trials",
        "8",
        "--jobs",
        "1",
        "--out",
        out,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    args.extend(extra.iter().map(|s| s.to_string()));
    args
}

fn run_args(dir: &Path, args: &[String]) -> Output {
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    byzsim(dir, &refs)
}

fn spawn(dir: &Path, args: &[String]) -> Child {
    Command::new(bin())
        .args(args)
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn lines_in(path: &Path) -> usize {
    std::fs::read(path)
        .map(|b| b.iter().filter(|&&c| c == b'\n').count())
        .unwrap_or(0)
}

/// Waits until `path` has more than `lines` lines; false if the child ended first.
fn wait_for_lines(child: &mut Child, path: &Path, lines: usize) -> bool {
    for _ in 0..30_000 {
        if lines_in(path) > lines {
            return true;
        }
        if child.try_wait().unwrap().is_some() {
            return false;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    false
}

fn signal(child: &Child, name: &str) {
    let status = Command::new("kill")
        .args([&format!("-{name}"), &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

/// A character device that behaves as /dev/full, made in `dir` (needs root); `None` where it
/// cannot be made.
fn full_device(dir: &Path) -> Option<PathBuf> {
    let path = dir.join("full");
    let made = Command::new("mknod")
        .args([path.to_str()?, "c", "1", "7"])
        .stderr(Stdio::null())
        .status()
        .ok()?;
    let usable = made.success() && std::fs::OpenOptions::new().write(true).open(&path).is_ok();
    if !usable {
        eprintln!("skipped: cannot make a /dev/full device here (not root?)");
        return None;
    }
    Some(path)
}

fn is_char_device(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_char_device())
}

#[test]
fn an_output_on_a_full_device_is_an_io_error_and_the_device_stays() {
    let dir = tempfile::tempdir().unwrap();
    let Some(full) = full_device(dir.path()) else {
        return;
    };
    let path = full.to_str().unwrap();
    let run = byzsim(dir.path(), &["run", "--trials", "5", "--out", path]);
    refused(&run, &[path, "I/O error", "No space left"]);
    assert!(!stderr(&run).contains("wrote"), "{}", stderr(&run));
    let sweep = run_args(dir.path(), &small_sweep(&["--summary", path]));
    refused(&sweep, &[path, "I/O error"]);
    assert!(is_char_device(&full), "the device is still a device");
    assert_eq!(names(dir.path()), vec!["full"], "no temporary file left");
}

#[test]
fn an_output_on_a_fifo_is_written_through() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("rows.fifo");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    let run = byzsim(
        dir.path(),
        &["run", "--trials", "3", "--out", fifo.to_str().unwrap()],
    );
    succeeded(&run);
    let text = reader.join().unwrap();
    assert!(text.starts_with("scenario,protocol,"), "{text}");
    assert_eq!(text.lines().count(), 1 + 3);
    let kind = std::fs::symlink_metadata(&fifo).unwrap().file_type();
    assert!(kind.is_fifo(), "the FIFO is still a FIFO");
}

#[test]
fn a_symlinked_output_keeps_the_link_and_a_dangling_link_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("store");
    std::fs::create_dir(&real).unwrap();
    let target = real.join("rows.csv");
    std::fs::write(&target, "old").unwrap();
    let link = dir.path().join("rows.csv");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    succeeded(&byzsim(
        dir.path(),
        &["run", "--trials", "2", "--out", "rows.csv"],
    ));
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(
        std::fs::read_to_string(&target)
            .unwrap()
            .starts_with("scenario,")
    );
    let dangling = dir.path().join("gone.csv");
    std::os::unix::fs::symlink(real.join("nowhere/x.csv"), &dangling).unwrap();
    let run = byzsim(dir.path(), &["run", "--trials", "2", "--out", "gone.csv"]);
    refused(&run, &["gone.csv", "symbolic link"]);
    assert!(
        std::fs::symlink_metadata(&dangling)
            .unwrap()
            .file_type()
            .is_symlink()
    );
}

#[test]
fn dash_is_standard_output_for_out_and_summary() {
    let dir = tempfile::tempdir().unwrap();
    let run = byzsim(dir.path(), &["run", "--trials", "3", "--out", "-"]);
    succeeded(&run);
    let rows = String::from_utf8(run.stdout.clone()).unwrap();
    assert!(rows.starts_with("scenario,protocol,"), "{rows}");
    assert_eq!(rows.lines().count(), 1 + 3, "only the CSV on stdout");
    assert!(stderr(&run).contains("== "), "the table goes to stderr");

    let summary = run_args(
        dir.path(),
        &small_sweep(&["--out", "rows.csv", "--summary", "-"]),
    );
    succeeded(&summary);
    let text = String::from_utf8(summary.stdout).unwrap();
    assert!(text.contains("agreement_rate"), "{text}");
    assert_eq!(text.lines().count(), 1 + 6);
    let rows = run_args(dir.path(), &small_sweep(&["--out", "-"]));
    succeeded(&rows);
    assert_eq!(
        rows.stdout,
        std::fs::read(dir.path().join("rows.csv")).unwrap()
    );
    assert!(!dir.path().join("-").exists());
    let both = run_args(dir.path(), &small_sweep(&["--summary", "-"]));
    refused(&both, &["--summary", "standard output"]);
}

#[test]
fn one_path_for_two_outputs_is_refused_before_anything_runs() {
    let dir = tempfile::tempdir().unwrap();
    let o = run_args(
        dir.path(),
        &small_sweep(&["--out", "a.csv", "--summary", "./a.csv"]),
    );
    refused(&o, &["a.csv", "--out and --summary"]);
    assert!(o.stdout.is_empty());
    assert!(names(dir.path()).is_empty(), "nothing written");
    let trace = byzsim(dir.path(), &["run", "--out", "t.json", "--trace", "t.json"]);
    refused(&trace, &["--out and --trace"]);
    assert!(names(dir.path()).is_empty());
}

#[test]
fn an_output_that_is_an_input_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let x = dir.path().join("x.toml");
    std::fs::copy(scenario("vote-no-traitor-holds.toml"), &x).unwrap();
    let before = std::fs::read(&x).unwrap();
    let run = byzsim(dir.path(), &["run", "x.toml", "--out", "x.toml"]);
    refused(&run, &["x.toml", "input"]);
    assert!(run.stdout.is_empty(), "nothing ran");
    let sweep = byzsim(
        dir.path(),
        &[
            "sweep",
            "x.toml",
            "--n",
            "4",
            "--t",
            "0",
            "--summary",
            "./x.toml",
        ],
    );
    refused(&sweep, &["input"]);
    succeeded(&byzsim(
        dir.path(),
        &["sweep", "x.toml", "--n", "4", "--t", "0", "--out", "p.csv"],
    ));
    let merge = byzsim(dir.path(), &["merge", "p.csv", "--out", "p.csv"]);
    refused(&merge, &["input"]);
    assert_eq!(std::fs::read(&x).unwrap(), before);
}

#[test]
fn an_unwritable_output_fails_before_any_trial_runs() {
    let dir = tempfile::tempdir().unwrap();
    // A regular file where a directory should be: unwritable even for root.
    std::fs::write(dir.path().join("file"), "").unwrap();
    let run = byzsim(
        dir.path(),
        &["run", "--trials", "3", "--out", "file/sub/out.csv"],
    );
    refused(&run, &["file/sub/out.csv", "I/O error"]);
    assert!(run.stdout.is_empty(), "no table: no trial ran");
    let sweep = run_args(dir.path(), &small_sweep(&["--summary", "file/s.csv"]));
    refused(&sweep, &["file/s.csv", "I/O error"]);
    assert!(sweep.stdout.is_empty(), "no row: no trial ran");
    let hunt = byzsim(
        dir.path(),
        &[
            "hunt",
            &scenario("oral-om1-n4-t1-holds.toml"),
            "--out",
            "file/h.toml",
        ],
    );
    refused(&hunt, &["file/h.toml"]);
    assert!(hunt.stdout.is_empty());
}

#[test]
fn sigterm_mid_sweep_leaves_the_old_files_and_no_temporary() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("out.csv"), "old rows\n").unwrap();
    std::fs::write(dir.path().join("summary.csv"), "old summary\n").unwrap();
    let mut child = spawn(
        dir.path(),
        &long_sweep("out.csv", &["--summary", "summary.csv"]),
    );
    let started = wait_for_lines(&mut child, &dir.path().join("out.csv.partial"), 2 * 8);
    assert!(started, "the sweep ended before it could be interrupted");
    signal(&child, "TERM");
    let status = child.wait().unwrap();
    assert_eq!(status.signal(), Some(15), "ends as killed by SIGTERM");
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert!(err.contains("interrupted by SIGTERM"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("out.csv")).unwrap(),
        "old rows\n"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("summary.csv")).unwrap(),
        "old summary\n"
    );
    assert_eq!(names(dir.path()), vec!["out.csv", "summary.csv"]);
}

#[test]
fn sigterm_with_resume_keeps_the_journal_and_resume_ends_with_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let whole = run_args(dir.path(), &long_sweep("whole.csv", &[]));
    succeeded(&whole);
    let mut child = spawn(dir.path(), &long_sweep("out.csv", &["--resume"]));
    let journal = dir.path().join("out.csv.partial");
    assert!(wait_for_lines(&mut child, &journal, 2 * 8));
    signal(&child, "TERM");
    assert_eq!(child.wait().unwrap().signal(), Some(15));
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert!(
        err.contains("out.csv.partial keeps the finished cells"),
        "{err}"
    );
    assert!(journal.exists(), "the journal is kept for --resume");
    assert!(
        !dir.path().join("out.csv").exists(),
        "no half file in place"
    );
    succeeded(&run_args(dir.path(), &long_sweep("out.csv", &["--resume"])));
    assert_eq!(
        std::fs::read(dir.path().join("out.csv")).unwrap(),
        std::fs::read(dir.path().join("whole.csv")).unwrap()
    );
    assert_eq!(
        std::fs::read(dir.path().join("out.csv.manifest.json")).unwrap(),
        std::fs::read(dir.path().join("whole.csv.manifest.json")).unwrap()
    );
    assert!(!journal.exists());
}

#[test]
fn standard_output_on_a_full_device_is_an_io_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let Some(full) = full_device(dir.path()) else {
        return;
    };
    let commands: [&[&str]; 3] = [
        &["run", "--trials", "2"],
        &[
            "topology",
            &scenario("signed-flood-p2p-no-traitor-holds.toml"),
            "--dot",
        ],
        &[
            "sweep",
            &scenario("vote-no-traitor-holds.toml"),
            "--n",
            "4",
            "--t",
            "0",
        ],
    ];
    for args in commands {
        let device = std::fs::OpenOptions::new().write(true).open(&full).unwrap();
        let o = Command::new(bin())
            .args(args)
            .stdout(device)
            .output()
            .unwrap();
        refused(&o, &["<stdout>", "I/O error", "No space left"]);
    }
}

/// `| head`: the reader has what it wanted, so byzsim stops quietly (no message, no panic)
/// with the status of a process ended by SIGPIPE, 141 (not 0: the run was cut short).
#[test]
fn a_closed_stdout_stops_quietly_with_status_141() {
    let dir = tempfile::tempdir().unwrap();
    let big_graph: &[&str] = &[
        "topology",
        &scenario("signed-flood-p2p-no-traitor-holds.toml"),
        "--set",
        "n=4000",
    ];
    let vote = scenario("vote-no-traitor-holds.toml");
    let many_rows: &[&str] = &[
        "sweep", &vote, "--n", "4..=6", "--t", "0,1", "--trials", "300",
    ];
    for args in [big_graph, many_rows] {
        // `byzsim ... | head -1`: read one line, then close the pipe.
        let mut child = Command::new(bin())
            .args(args)
            .current_dir(dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        assert!(!first.is_empty());
        let o = child.wait_with_output().unwrap();
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(141), "stderr: {err}");
        assert!(!err.contains("panicked") && !err.contains("error"), "{err}");
    }
}

#[test]
fn resume_on_a_missing_path_starts_the_sweep() {
    let dir = tempfile::tempdir().unwrap();
    let fresh = run_args(
        dir.path(),
        &small_sweep(&["--out", "parts/fresh.csv", "--resume"]),
    );
    succeeded(&fresh);
    succeeded(&run_args(dir.path(), &small_sweep(&["--out", "plain.csv"])));
    let rows = std::fs::read(dir.path().join("parts/fresh.csv")).unwrap();
    assert_eq!(rows, std::fs::read(dir.path().join("plain.csv")).unwrap());
    assert_eq!(rows.iter().filter(|&&b| b == b'\n').count(), 1 + 6 * 4);
    assert_eq!(
        names(&dir.path().join("parts")),
        vec!["fresh.csv", "fresh.csv.manifest.json"]
    );
}

#[test]
fn resume_refuses_a_file_of_another_configuration_naming_the_difference() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        scenario("vote-no-traitor-holds.toml"),
        dir.path().join("v.toml"),
    )
    .unwrap();
    let base = [
        "--set",
        "network.loss=0.1",
        "--set",
        "faults.behaviour=equivocate",
        "--trials",
        "4",
        "--seed",
        "5",
        "--shard",
        "1/2",
    ];
    let sweep_with = |changes: &[(&str, &str)], extra: &[&str]| -> Vec<String> {
        let mut args: Vec<String> = ["sweep", "v.toml", "--n", "4..=7", "--t", "0,1"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        args.extend(base.iter().map(|s| {
            changes
                .iter()
                .find(|(from, _)| from == s)
                .map_or(s.to_string(), |(_, to)| to.to_string())
        }));
        args.extend(
            ["--out", "a.csv"]
                .iter()
                .chain(extra)
                .map(|s| s.to_string()),
        );
        args
    };
    succeeded(&run_args(dir.path(), &sweep_with(&[], &[])));
    // A partial file, as an interrupted sweep leaves it.
    let whole = std::fs::read(dir.path().join("a.csv")).unwrap();
    let part = &whole[..whole.len() / 2];
    std::fs::write(dir.path().join("a.csv"), part).unwrap();
    let cases: [(&[(&str, &str)], &str); 5] = [
        (
            &[("network.loss=0.1", "network.loss=0.2")],
            "--set network.loss: 0.1 there, 0.2 here",
        ),
        (
            &[("faults.behaviour=equivocate", "faults.behaviour=honest")],
            "--set faults.behaviour",
        ),
        (&[("4", "5")], "trials: 4 there, 5 here"),
        (&[("5", "6")], "seed: 5 there, 6 here"),
        (&[("1/2", "2/2")], "--shard: 1/2 there, 2/2 here"),
    ];
    for (changes, needle) in cases {
        let o = run_args(dir.path(), &sweep_with(changes, &["--resume"]));
        refused(&o, &["a.csv", "other settings", needle]);
        assert_eq!(std::fs::read(dir.path().join("a.csv")).unwrap(), part);
    }
    let mut text = std::fs::read_to_string(dir.path().join("v.toml")).unwrap();
    text.push_str("\n# edited\n");
    std::fs::write(dir.path().join("v.toml"), text).unwrap();
    let o = run_args(dir.path(), &sweep_with(&[], &["--resume"]));
    refused(&o, &["scenario content"]);
    assert_eq!(
        names(dir.path()),
        vec!["a.csv", "a.csv.manifest.json", "v.toml"],
        "no journal left by a refused resume"
    );
    std::fs::remove_file(dir.path().join("a.csv.manifest.json")).unwrap();
    let o = run_args(dir.path(), &sweep_with(&[], &["--resume"]));
    refused(&o, &["has no manifest"]);
}

#[test]
fn a_second_sweep_on_the_same_out_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let mut first = spawn(dir.path(), &long_sweep("c.csv", &[]));
    assert!(wait_for_lines(
        &mut first,
        &dir.path().join("c.csv.partial"),
        1
    ));
    for extra in [&[][..], &["--resume"][..]] {
        let mut args = small_sweep(&["--out", "c.csv"]);
        args.extend(extra.iter().map(|s| s.to_string()));
        let second = run_args(dir.path(), &args);
        refused(&second, &["c.csv", "another byzsim sweep"]);
    }
    assert!(
        first.try_wait().unwrap().is_none(),
        "the first sweep runs on"
    );
    signal(&first, "TERM");
    assert_eq!(first.wait().unwrap().signal(), Some(15));
}

/// Runs the small sweep as `of` shards into `dir`, returning their paths.
fn shards(dir: &Path, of: usize, extra: &[&str]) -> Vec<String> {
    (1..=of)
        .map(|k| {
            let out = format!("p{k}.csv");
            let shard = format!("{k}/{of}");
            let mut args = small_sweep(&["--shard", &shard, "--out", &out]);
            args.extend(extra.iter().map(|s| s.to_string()));
            succeeded(&run_args(dir, &args));
            out
        })
        .collect()
}

#[test]
fn merge_lists_the_missing_shards() {
    let dir = tempfile::tempdir().unwrap();
    let parts = shards(dir.path(), 4, &[]);
    let o = byzsim(
        dir.path(),
        &["merge", &parts[0], &parts[2], "--out", "m.csv"],
    );
    refused(&o, &["2/4, 4/4", "missing"]);
    assert!(!dir.path().join("m.csv").exists());
    let all: Vec<&str> = parts.iter().map(String::as_str).collect();
    let o = byzsim(
        dir.path(),
        &[&["merge"], &all[..], &["--out", "m.csv"]].concat(),
    );
    succeeded(&o);
}

#[test]
fn merge_refuses_a_summary_other_sweeps_and_shards_whose_columns_differ() {
    let dir = tempfile::tempdir().unwrap();
    let parts = shards(dir.path(), 2, &[]);
    succeeded(&run_args(
        dir.path(),
        &small_sweep(&[
            "--shard",
            "2/2",
            "--out",
            "s.csv",
            "--summary",
            "summary.csv",
        ]),
    ));
    let o = byzsim(
        dir.path(),
        &["merge", &parts[0], "summary.csv", "--out", "m.csv"],
    );
    refused(&o, &["summary.csv", "summary CSV"]);

    succeeded(&run_args(
        dir.path(),
        &small_sweep(&["--shard", "2/2", "--out", "seed9.csv", "--seed", "9"]),
    ));
    let o = byzsim(
        dir.path(),
        &["merge", &parts[0], "seed9.csv", "--out", "m.csv"],
    );
    refused(&o, &["seed9.csv", "same sweep", "seed"]);

    // Shard 2 with its first column dropped, its manifest untouched.
    let text = std::fs::read_to_string(dir.path().join(&parts[1])).unwrap();
    let cut: String = text
        .lines()
        .map(|l| format!("{}\n", &l[l.find(',').unwrap() + 1..]))
        .collect();
    std::fs::write(dir.path().join(&parts[1]), cut).unwrap();
    let o = byzsim(
        dir.path(),
        &["merge", &parts[0], &parts[1], "--out", "m.csv"],
    );
    refused(&o, &[&parts[1], "columns differ"]);
    // And with a manifest that agrees: its columns differ from the first shard's.
    let manifest = dir.path().join(format!("{}.manifest.json", parts[1]));
    let json = std::fs::read_to_string(&manifest).unwrap();
    let dropped = json.replacen("    \"scenario\",\n", "", 1);
    assert_ne!(dropped, json);
    std::fs::write(&manifest, dropped).unwrap();
    let o = byzsim(
        dir.path(),
        &["merge", &parts[0], &parts[1], "--out", "m.csv"],
    );
    refused(&o, &[&parts[1], "columns differ from those of p1.csv"]);
    assert!(!dir.path().join("m.csv").exists());
}

/// The peak resident memory of a child, in kB, polled from /proc until it ends.
fn peak_kb(mut child: Child) -> Option<u64> {
    let status = format!("/proc/{}/status", child.id());
    let mut peak = None;
    loop {
        let hwm = std::fs::read_to_string(&status).ok().and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
        });
        peak = peak.max(hwm);
        if child.try_wait().unwrap().is_some() {
            return peak;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn run_streams_rows_in_memory_that_does_not_grow_with_trials() {
    let dir = tempfile::tempdir().unwrap();
    let child = |trials: &str| {
        Command::new(bin())
            .args([
                "run", "--jobs", "2", "--trials", trials, "--out", "rows.csv",
            ])
            .current_dir(dir.path())
            .stdout(Stdio::null())
            .spawn()
            .unwrap()
    };
    let Some(small) = peak_kb(child("2000")) else {
        eprintln!("skipped: no /proc");
        return;
    };
    let large = peak_kb(child("100000")).unwrap();
    assert_eq!(lines_in(&dir.path().join("rows.csv")), 1 + 100_000);
    // Kept in memory, 100000 rows took over 100 MB; streamed, the peak stays that of 2000.
    assert!(
        large < small + 16 * 1024,
        "peak {large} kB for 100000 trials, {small} kB for 2000"
    );
}

/// The README's cluster recipe, with the sweep made small.
const README_SIZE: &str = "big.toml --n 4..=64 --t 0..=21 --trials 1000";
const TEST_SIZE: &str = "big.toml --n 4..=9 --t 0..=2 --trials 3";

/// A stand-in for GNU parallel, for this use: `parallel COMMAND... ::: VALUES...` runs COMMAND
/// once per value with `{}` replaced by it.
const PARALLEL: &str = r#"#!/bin/sh
cmd=""
while [ "$1" != ":::" ]; do cmd="$cmd $1"; shift; done
shift
for v in "$@"; do
    sh -c "$(printf '%s' "$cmd" | sed "s|{}|$v|g")" || exit 1
done
"#;

fn readme_recipe() -> Vec<String> {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let from = readme.find("Too big for one machine?").unwrap();
    let start = from + readme[from..].find("```sh\n").unwrap() + 6;
    let end = start + readme[start..].find("```").unwrap();
    let block = &readme[start..end];
    assert_eq!(block.matches(README_SIZE).count(), 2, "{block}");
    block
        .replace(README_SIZE, TEST_SIZE)
        .split("\n\n")
        .map(str::to_string)
        .collect()
}

fn shell(dir: &Path, script: &str, env: &[(&str, &str)]) {
    let path = format!(
        "{}:{}",
        dir.join("bin").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let o = Command::new("sh")
        .args(["-c", script])
        .current_dir(dir)
        .env("PATH", path)
        .envs(env.iter().copied())
        .output()
        .unwrap();
    assert!(o.status.success(), "{script}\n{}", stderr(&o));
}

#[test]
fn the_readme_cluster_recipe_merges_to_the_unsharded_sweep() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir(d.join("bin")).unwrap();
    std::os::unix::fs::symlink(bin(), d.join("bin/byzsim")).unwrap();
    std::fs::write(d.join("bin/parallel"), PARALLEL).unwrap();
    shell(d, "chmod +x bin/parallel", &[]);
    std::fs::copy(scenario("vote-no-traitor-holds.toml"), d.join("big.toml")).unwrap();
    let recipe = readme_recipe();
    assert_eq!(recipe.len(), 3, "Slurm, GNU parallel, merge: {recipe:?}");
    assert!(recipe[0].contains("#SBATCH --array=1-16"));
    assert!(recipe[1].starts_with("# GNU parallel"));
    let whole: String = TEST_SIZE.replace("big.toml", "byzsim sweep big.toml");
    shell(
        d,
        &format!("{whole} --out whole.csv --summary whole-summary.csv"),
        &[],
    );
    let check = || {
        for (merged, expected) in [
            ("sweep.csv", "whole.csv"),
            ("summary.csv", "whole-summary.csv"),
            ("sweep.csv.manifest.json", "whole.csv.manifest.json"),
        ] {
            assert_eq!(
                std::fs::read(d.join(merged)).unwrap(),
                std::fs::read(d.join(expected)).unwrap(),
                "{merged}"
            );
        }
    };
    // Slurm: every array task, task 3 twice (a requeue after it finished changes nothing).
    for task in (1..=16).chain([3]) {
        let id = task.to_string();
        shell(
            d,
            &recipe[0],
            &[("SLURM_ARRAY_TASK_ID", &id), ("SLURM_CPUS_PER_TASK", "1")],
        );
    }
    shell(d, &recipe[2], &[]);
    check();
    std::fs::remove_dir_all(d.join("parts")).unwrap();
    // GNU parallel.
    shell(d, &recipe[1], &[]);
    shell(d, &recipe[2], &[]);
    check();
}

/// A sweep killed at its very start left a journal holding only the header and no manifest
/// (the header was written before the manifest): `--resume` refused it for ever ("has no
/// manifest"). The manifest now goes first; a header-only journal without one, which holds
/// nothing finished, is started afresh.
#[test]
fn resume_starts_afresh_from_a_header_only_journal_without_manifest() {
    let dir = tempfile::tempdir().unwrap();
    succeeded(&run_args(dir.path(), &small_sweep(&["--out", "plain.csv"])));
    let plain = std::fs::read(dir.path().join("plain.csv")).unwrap();
    let header = plain.split(|&b| b == b'\n').next().unwrap();
    let mut journal = header.to_vec();
    journal.push(b'\n');
    std::fs::write(dir.path().join("out.csv.partial"), &journal).unwrap();
    succeeded(&run_args(
        dir.path(),
        &small_sweep(&["--out", "out.csv", "--resume"]),
    ));
    assert_eq!(std::fs::read(dir.path().join("out.csv")).unwrap(), plain);
    assert!(!dir.path().join("out.csv.partial").exists());
    // With a finished row and no manifest, the journal is another sweep's for all byzsim knows.
    let rows: Vec<&[u8]> = plain.split(|&b| b == b'\n').take(3).collect();
    std::fs::write(dir.path().join("x.csv.partial"), rows.join(&b'\n')).unwrap();
    let refused = run_args(dir.path(), &small_sweep(&["--out", "x.csv", "--resume"]));
    assert_eq!(refused.status.code(), Some(2), "{}", stderr(&refused));
    assert!(stderr(&refused).contains("has no manifest"));
}
