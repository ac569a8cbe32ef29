//! A limit reached is a result, never a hang: the row says `termination = false`, which limit
//! stopped the trial, and why in words.

use byzsim::Scenario;
use byzsim::run::run_scenario;

fn run(limits: &str) -> Vec<byzsim::record::RunRecord> {
    let text = format!("n = 6\ntrials = 2\n[protocol]\nkind = \"vote\"\n[limits]\n{limits}\n");
    let sc = Scenario::parse("<test>", "limits", &text, &[]).unwrap();
    run_scenario(&sc).unwrap().records
}

#[test]
fn the_event_limit_ends_a_trial_with_termination_false() {
    for r in run("max_events = 10") {
        assert!(!r.termination);
        assert_eq!(r.stop, "event-limit");
        assert_eq!(r.events, 10);
        assert!(r.reason.contains("event limit (10)"), "{}", r.reason);
        assert_eq!(r.decision_time_ms, None);
    }
}

#[test]
fn the_time_limit_ends_a_trial_before_the_round_is_over() {
    for r in run("max_time_ms = 50") {
        assert!(!r.termination);
        assert_eq!(r.stop, "time-limit");
        assert!(r.reason.contains("time limit"), "{}", r.reason);
        assert_eq!(
            r.delivered, 30,
            "every vote arrives within 10 ms, before the limit"
        );
    }
}

#[test]
fn a_configuration_estimated_above_the_message_limit_is_refused_before_it_runs() {
    let text = "n = 6\n[protocol]\nkind = \"vote\"\n[limits]\nmax_messages = 29\n";
    let e = Scenario::parse("<test>", "limits", text, &[]).unwrap_err();
    assert_eq!(e.key.as_deref(), Some("limits.max_messages"));
    assert!(e.message.contains("about 3.00e1 messages"), "{e}");
    assert!(Scenario::parse("<test>", "limits", &text.replace("29", "30"), &[]).is_ok());
}

/// The engine's own cap, for when an estimate falls short: it ends the trial as a result.
#[test]
fn the_message_limit_ends_a_trial_with_termination_false() {
    use byzsim::engine::network::{Latency, Links, Transport};
    use byzsim::engine::{Limits, Sim, Stop};
    use byzsim::general::Setup;
    use byzsim::protocol::vote::Vote;
    use byzsim::rng::{Stream, stream};
    use byzsim::topology::{Topology, TopologySpec};
    use byzsim::{NodeId, SimTime, Value};

    let n = 6;
    let setup = Setup {
        n,
        t: 0,
        m: 0,
        commander: NodeId(0),
        order: Value::Attack,
        inputs: vec![Value::Attack; n],
        neighbours_only: false,
    };
    let graph = Topology::build(
        &TopologySpec::Complete,
        n,
        &mut stream(1, Stream::Topology),
        false,
    );
    let links = Links {
        topology: std::sync::Arc::new(graph.unwrap()),
        transport: Transport::Direct,
        latency: Latency::Fixed(SimTime::from_ms(1)),
        loss: 0.0,
        internet: None,
    };
    let limits = Limits {
        max_messages: 12,
        ..Limits::default()
    };
    let traitors = (0..n).map(|_| None).collect();
    let outcome = Sim::<Vote>::new(
        &setup,
        &(),
        links,
        traitors,
        SimTime::from_ms(100),
        limits,
        1,
    )
    .run();
    assert_eq!(outcome.stop, Stop::MessageLimit(12));
    let verdict = byzsim::check::termination(&outcome);
    assert!(!verdict.holds);
    assert!(
        verdict.reason.contains("message limit (12)"),
        "{}",
        verdict.reason
    );
}

#[test]
fn within_the_limits_the_trial_ends_when_all_decided() {
    for r in run("max_events = 1000\nmax_time_ms = 1000") {
        assert!(r.termination);
        assert_eq!(r.stop, "all-decided");
    }
}

// ---- Every cost is estimated before it is paid (issue 16, item 3) ----

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Runs the binary in `dir`; fails the test if it has not finished within 20 s (a refusal must
/// come before the work). Returns (exit code, stdout, stderr).
fn byzsim(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = dir.join("stdout.txt");
    let err = dir.join("stderr.txt");
    let mut child = Command::new(env!("CARGO_BIN_EXE_byzsim"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out).unwrap())
        .stderr(std::fs::File::create(&err).unwrap())
        .spawn()
        .expect("byzsim starts");
    #[allow(clippy::disallowed_methods)] // the test's own guard, not simulated time
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("byzsim {args:?} ran for more than 20 s: the refusal did not come first");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let read = |p: &Path| std::fs::read_to_string(p).unwrap_or_default();
    (status.code().unwrap_or(-1), read(&out), read(&err))
}

/// Writes `text` as `name` in a fresh directory and runs `byzsim run name EXTRA...`.
fn run_file(text: &str, extra: &[&str]) -> (i32, String, String) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("s.toml"), text).unwrap();
    let mut args = vec!["run", "s.toml"];
    args.extend(extra);
    byzsim(dir.path(), &args)
}

fn refused(r: &(i32, String, String), needles: &[&str]) {
    assert_eq!(r.0, 2, "exit code; stderr: {}", r.2);
    assert!(!r.2.contains("panicked"), "{}", r.2);
    for n in needles {
        assert!(r.2.contains(n), "expected `{n}` in: {}", r.2);
    }
}

/// Sybil identities are nodes: vote's n(n − 1) counts them (3004 × 3003 = 9.02e6, not 12).
#[test]
fn the_message_estimate_counts_sybil_identities() {
    let text = "n = 4\nt = 1\n[protocol]\nkind = \"vote\"\n[faults]\nsybil = 3000\n";
    let r = run_file(text, &["--max-messages", "9000000"]);
    refused(
        &r,
        &[
            "limits.max_messages",
            "9.02e6",
            "3000 Sybil",
            "--max-messages",
        ],
    );
    let with = |limit: u64| {
        Scenario::parse(
            "<test>",
            "s",
            text,
            &[format!("limits.max_messages={limit}")],
        )
    };
    assert!(with(3004 * 3003).is_ok(), "exactly 3004 × 3003 fits");
    assert!(with(3004 * 3003 - 1).is_err());
}

/// A run is bounded as a whole, not only per trial: the built-in vote with 3000 Sybil
/// identities sends 9.02e6 messages a trial, under the per-trial cap, but its 200 trials ran for
/// five minutes and 1 GB. trials × the per-trial estimate is refused above
/// `limits.max_run_events`, exactly at the boundary; the same trial once is allowed.
#[test]
fn a_run_is_refused_when_its_trials_together_exceed_the_run_limit() {
    let text = "n = 4\nt = 1\ntrials = 200\n[protocol]\nkind = \"vote\"\n[faults]\nsybil = 3000\n";
    let r = run_file(text, &[]);
    refused(
        &r,
        &["limits.max_run_events", "200 trials", "9.02e6", "--trials"],
    );
    let per_trial = 3004 * 3003;
    let with = |trials: u64, limit: u64| {
        Scenario::parse(
            "<test>",
            "s",
            text,
            &[
                format!("trials={trials}"),
                format!("limits.max_run_events={limit}"),
            ],
        )
    };
    assert!(
        with(200, 200 * per_trial).is_ok(),
        "exactly at the limit fits"
    );
    assert!(with(200, 200 * per_trial - 1).is_err());
    assert!(with(1, per_trial).is_ok());
    // Every protocol of a list counts: two kinds cost twice one.
    let two = text.replace("\"vote\"", "[\"vote\", \"signed-flood\"]");
    let parse = |limit: u64| {
        Scenario::parse(
            "<test>",
            "s",
            &two,
            &[
                "trials=1".to_string(),
                format!("limits.max_run_events={limit}"),
            ],
        )
    };
    assert!(parse(2 * per_trial).is_ok());
    assert!(parse(2 * per_trial - 1).is_err());
}

/// Messages in flight are memory: vote sends all of its n(n − 1) before the first arrives, so a
/// low memory limit refuses it even when the graph alone would fit.
#[test]
fn messages_in_flight_count_as_memory() {
    let text = "n = 1000\n[protocol]\nkind = \"vote\"\n[limits]\nmax_memory_mb = 20\n";
    refused(
        &run_file(text, &[]),
        &["limits.max_memory_mb", "messages in flight"],
    );
    let roomy = text.replace("max_memory_mb = 20", "max_memory_mb = 100");
    assert!(Scenario::parse("<test>", "s", &roomy, &[]).is_ok());
}

/// Hash mining is bounded by the time limit: 2^30 hashes per block with max_time_ms = 1 stops
/// at the limit after the few hashes that fit in 1 ms.
#[test]
fn hash_mining_grinds_no_further_than_the_time_limit() {
    let text = "n = 4\n[protocol]\nkind = \"pow\"\n[pow]\nmining = \"hash\"\nhashes_per_block = 1073741824\n[limits]\nmax_time_ms = 1\n";
    // The guarded binary first: before the fix this ground for minutes.
    let r = run_file(text, &[]);
    assert_eq!(r.0, 0, "{}", r.2);
    let sc = Scenario::parse("<test>", "s", text, &[]).unwrap();
    let rec = &run_scenario(&sc).unwrap().records[0];
    assert_eq!(rec.stop, "time-limit");
    assert!(!rec.termination);
}

/// Without a short time limit, the hashes are estimated (miners × hashes per block × blocks) and
/// refused over limits.max_hashes.
#[test]
fn hash_mining_over_the_hash_limit_is_refused_with_its_estimate() {
    let text = "n = 4\n[protocol]\nkind = \"pow\"\n[pow]\nmining = \"hash\"\nhashes_per_block = 1073741824\nblocks = 9\n";
    // 4 miners × 2^30 × (9 × 1.1 + 1) blocks mined = 4.68e10.
    refused(
        &run_file(text, &[]),
        &["limits.max_hashes", "4.68e10", "--set limits.max_hashes=N"],
    );
    let low = "n = 2\n[protocol]\nkind = \"pow\"\n[pow]\nmining = \"hash\"\nhashes_per_block = 1024\nblocks = 9\n[limits]\nmax_hashes = 22323\n";
    // 2 × 1024 × 10.9 = 22323.2 > 22323; one more hash allowed and it runs.
    let e = Scenario::parse("<test>", "s", low, &[]).unwrap_err();
    assert_eq!(e.key.as_deref(), Some("limits.max_hashes"));
    assert!(Scenario::parse("<test>", "s", &low.replace("22323", "22324"), &[]).is_ok());
}

/// One general and a billion blocks: no messages, but a billion mining events.
#[test]
fn proof_of_work_blocks_count_as_events() {
    let text =
        "n = 1\n[protocol]\nkind = \"pow\"\n[pow]\nblocks = 1000000000\nblock_interval_ms = 1\n";
    refused(
        &run_file(text, &[]),
        &["limits.max_events", "1.10e9", "--set limits.max_events=N"],
    );
}

/// Blocks cost memory: 10^7 blocks on one node pass the event limit but not the memory limit.
#[test]
fn proof_of_work_blocks_count_as_memory() {
    let text =
        "n = 1\n[protocol]\nkind = \"pow\"\n[pow]\nblocks = 20000000\nblock_interval_ms = 1\n";
    refused(
        &run_file(text, &[]),
        &["limits.max_memory_mb", "--set limits.max_memory_mb=N"],
    );
}

/// A graph too large for memory is refused before it is built (vote n = 45,000: 2 × 10^9 ids).
#[test]
fn a_graph_too_large_is_refused_before_it_is_built() {
    let pow = "n = 45000\n[protocol]\nkind = \"pow\"\n";
    refused(
        &run_file(pow, &[]),
        &[
            "limits.max_memory_mb",
            "complete graph of 45000 nodes",
            "7.727e3 MiB",
        ],
    );
    let vote = "n = 45000\n[protocol]\nkind = \"vote\"\n";
    refused(&run_file(vote, &[]), &["45000"]);
}

/// Simulated time never saturates: a horizon past 2^62 µs is refused, naming the key.
#[test]
fn a_proof_of_work_horizon_past_simulated_time_is_refused() {
    let text =
        "n = 4\n[protocol]\nkind = \"pow\"\n[pow]\nblock_interval_ms = 1e12\nblocks = 1000\n";
    refused(&run_file(text, &[]), &["pow.blocks", "2^62"]);
    let default_blocks = "n = 1\n[protocol]\nkind = \"pow\"\n[pow]\nblocks = 1000000000\n";
    refused(&run_file(default_blocks, &[]), &["pow.blocks", "2^62"]);
}

/// 10^12 ms blocks that fit the horizon run with sane numbers: no more stale blocks than blocks.
#[test]
fn very_slow_blocks_report_sane_counts() {
    let text = "n = 4\ntrials = 3\n[protocol]\nkind = \"pow\"\n[pow]\nblock_interval_ms = 1e12\n";
    let sc = Scenario::parse("<test>", "s", text, &[]).unwrap();
    for rec in run_scenario(&sc).unwrap().records {
        assert_eq!(rec.stop, "all-decided", "{}", rec.reason);
        let (blocks, stale) = (rec.blocks.unwrap(), rec.stale_blocks.unwrap());
        assert!(stale <= blocks, "{stale} stale of {blocks}");
        let ms = rec.decision_time_ms.unwrap();
        assert!(ms > 1e12 && ms < 1e15, "decided at {ms} ms");
    }
}

/// `hunt` counts C(n, t) placements before simulating any (C(30, 9) = 14,307,150).
#[test]
fn hunt_counts_placements_before_simulating() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("h.toml"),
        "n = 30\nt = 9\n[protocol]\nkind = \"vote\"\n",
    )
    .unwrap();
    refused(
        &byzsim(dir.path(), &["hunt", "h.toml", "--exhaustive"]),
        &["14307150 placement(s)", "--budget"],
    );
    std::fs::write(
        dir.path().join("c.toml"),
        "n = 30\nt = 9\n[protocol]\nkind = \"vote\"\n[faults]\nwho = \"commander\"\n",
    )
    .unwrap();
    let r = byzsim(dir.path(), &["hunt", "c.toml", "--budget", "5"]);
    assert!(r.0 == 0 || r.0 == 1, "a random search runs: {}", r.2);
}

/// A sweep grid over the cap is refused before any cell is planned, pointing at --shard.
#[test]
fn a_sweep_grid_over_the_cap_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let s = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/vote-no-traitor-holds.toml");
    let s = s.to_str().unwrap();
    let r = byzsim(
        dir.path(),
        &["sweep", s, "--n", "4..=1003", "--t", "0..=999"],
    );
    refused(&r, &["1000000 cells", "100000", "--shard"]);
}

#[test]
fn jobs_above_the_cap_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    refused(
        &byzsim(dir.path(), &["run", "--jobs", "100000000", "--trials", "2"]),
        &["--jobs", "1024"],
    );
}

/// A scenario file is read no further than 1 MiB.
#[test]
fn an_endless_input_file_is_refused_at_the_size_cap() {
    let dir = tempfile::tempdir().unwrap();
    refused(
        &byzsim(dir.path(), &["run", "/dev/zero"]),
        &["/dev/zero", "1 MiB"],
    );
    let big = format!("n = 4\n# {}\n", "x".repeat(1 << 20));
    std::fs::write(dir.path().join("big.toml"), big).unwrap();
    refused(
        &byzsim(dir.path(), &["run", "big.toml"]),
        &["big.toml", "1 MiB"],
    );
}

/// A seed is valid or not whatever --trials is: 2^63 − 1 runs with 1 and with 3 trials (trial
/// seeds wrap below 2^63), 2^64 − 1 is refused with both, naming the range.
#[test]
fn a_seed_is_valid_or_not_whatever_the_trial_count() {
    let dir = tempfile::tempdir().unwrap();
    for trials in ["1", "3"] {
        let r = byzsim(
            dir.path(),
            &[
                "run",
                "--set",
                "seed=18446744073709551615",
                "--trials",
                trials,
            ],
        );
        refused(&r, &["seed", "9223372036854775807"]);
        let r = byzsim(
            dir.path(),
            &[
                "run",
                "--set",
                "seed=9223372036854775807",
                "--trials",
                trials,
                "--out",
                "o.csv",
            ],
        );
        assert!(r.0 == 0 || r.0 == 1, "{}", r.2);
        let csv = std::fs::read_to_string(dir.path().join("o.csv")).unwrap();
        let seeds: Vec<&str> = csv
            .lines()
            .skip(1)
            .map(|l| l.split(',').nth(7).unwrap())
            .collect();
        let want = ["9223372036854775807", "0", "1"];
        assert_eq!(seeds, want[..seeds.len()]);
    }
}

/// Memory bounds a sweep up front: with `--max-memory 20` (MiB per trial), the cell of 20,000
/// proof-of-work nodes (about 1.5 kB each, plus a wave of messages in flight: some 40 MiB) is
/// refused before anything runs, named by its key, while the cell of 100 nodes runs.
#[test]
fn a_sweep_cell_estimated_above_the_memory_limit_is_refused_up_front() {
    let dir = tempfile::tempdir().unwrap();
    let text = "n = 100\n[protocol]\nkind = \"pow\"\n[network]\ntopology = \"random-regular\"\ndegree = 8\n[pow]\nblocks = 5\n";
    std::fs::write(dir.path().join("s.toml"), text).unwrap();
    let args = [
        "sweep",
        "s.toml",
        "--n",
        "100,20000",
        "--t",
        "0",
        "--trials",
        "1",
        "--max-memory",
        "20",
        "--out",
        "rows.csv",
    ];
    let (code, _, err) = byzsim(dir.path(), &args);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("skipped 1 of 2 cells"), "{err}");
    assert!(
        err.contains("limits.max_memory_mb") || err.contains("--max-memory"),
        "{err}"
    );
    let rows = std::fs::read_to_string(dir.path().join("rows.csv")).unwrap();
    assert_eq!(
        rows.lines().count(),
        2,
        "the header and the 100-node row: {rows}"
    );
    // With room, both run.
    let roomy = ["--max-memory", "200"];
    let mut args2: Vec<&str> = args[..8].to_vec();
    args2.extend(roomy);
    args2.extend(["--out", "rows2.csv"]);
    let (code, _, err) = byzsim(dir.path(), &args2);
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("skipped"), "{err}");
}
