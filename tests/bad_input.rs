//! The bad-input suite: malformed scenarios and command lines. Each must exit with code 2, never
//! panic, and name the key or argument at fault (and the file and line where there is one).

use std::path::Path;
use std::process::{Command, Output};

fn byzsim_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_byzsim"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("byzsim runs")
}

fn check(out: &Output, needles: &[&str], what: &str) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{what}: exit code; stderr: {err}"
    );
    assert!(!err.contains("panicked"), "{what}: {err}");
    for needle in needles {
        assert!(
            err.contains(needle),
            "{what}: expected `{needle}` in: {err}"
        );
    }
}

const BASE: &str = "n = 4\nt = 1\n[protocol]\nkind = \"vote\"\n";

/// (what, scenario text, words the message must contain)
fn scenarios() -> Vec<(&'static str, String, Vec<&'static str>)> {
    let with = |extra: &str| format!("{BASE}{extra}");
    vec![
        ("empty file", String::new(), vec!["key `n`", "missing"]),
        ("only a comment", "# nothing\n".into(), vec!["key `n`"]),
        ("syntax error", "n = \n".into(), vec!["bad.toml:1:"]),
        ("unclosed table", "n = 4\n[protocol\n".into(), vec!["bad.toml:2:"]),
        ("duplicate key", "n = 4\nn = 5\n".into(), vec!["bad.toml:2:"]),
        ("n as string", "n = \"four\"\n".into(), vec!["key `n`", "bad.toml:1:"]),
        ("n negative", "n = -3\n".into(), vec!["key `n`"]),
        ("n float", "n = 4.5\n".into(), vec!["key `n`"]),
        ("n zero", "n = 0\n[protocol]\nkind = \"vote\"\n".into(), vec!["key `n`"]),
        ("n huge", "n = 100000000\n[protocol]\nkind = \"vote\"\n".into(), vec!["key `n`"]),
        ("t equals n", "n = 4\nt = 4\n[protocol]\nkind = \"vote\"\n".into(), vec!["key `t`"]),
        ("t above n", "n = 4\nt = 9\n[protocol]\nkind = \"vote\"\n".into(), vec!["key `t`"]),
        ("trials zero", BASE.replacen("n = 4", "n = 4\ntrials = 0", 1), vec!["key `trials`"]),
        ("seed negative", BASE.replacen("n = 4", "n = 4\nseed = -1", 1), vec!["key `seed`"]),
        ("unknown top-level key", BASE.replacen("n = 4", "n = 4\ngenerals = 4", 1), vec!["generals"]),
        ("unknown protocol key", with("rounds = 3\n"), vec!["rounds"]),
        ("unknown network key", with("[network]\nlatency = 3\n"), vec!["latency"]),
        ("unknown faults key", with("[faults]\nbehavior = \"drop\"\n"), vec!["behavior"]),
        ("unknown expect key", with("[expect]\nsafety = \"holds\"\n"), vec!["safety"]),
        ("unknown limits key", with("[limits]\nmax_steps = 5\n"), vec!["max_steps"]),
        ("unknown table", with("[network.extra]\nx = 1\n"), vec!["extra"]),
        ("unknown protocol", BASE.replace("\"vote\"", "\"paxos\""), vec!["key `protocol.kind`", "paxos"]),
        ("empty protocol list", BASE.replace("\"vote\"", "[]"), vec!["key `protocol.kind`"]),
        ("protocol listed twice", BASE.replace("\"vote\"", "[\"vote\", \"vote\"]"), vec!["key `protocol.kind`", "twice"]),
        ("protocol kind number", BASE.replace("\"vote\"", "3"), vec!["protocol.kind"]),
        ("missing protocol", "n = 4\n".into(), vec!["key `protocol.kind`"]),
        ("commander out of range", with("commander = 4\n"), vec!["key `protocol.commander`"]),
        ("bad order value", with("value = \"charge\"\n"), vec!["key `protocol.value`", "charge"]),
        ("inputs wrong length", with("inputs = [\"attack\"]\n"), vec!["key `protocol.inputs`"]),
        ("inputs bad value", with("inputs = \"maybe\"\n"), vec!["key `protocol.inputs`"]),
        ("m too large", with("m = 9\n"), vec!["key `protocol.m`"]),
        ("unknown topology", with("[network]\ntopology = \"torus\"\n"), vec!["key `network.topology`", "torus"]),
        ("unknown transport", with("[network]\ntransport = \"carrier-pigeon\"\n"), vec!["key `network.transport`"]),
        ("loss above one", with("[network]\nloss = 1.5\n"), vec!["key `network.loss`"]),
        ("loss negative", with("[network]\nloss = -0.1\n"), vec!["key `network.loss`"]),
        ("loss as string", with("[network]\nloss = \"some\"\n"), vec!["network.loss"]),
        ("latency inverted", with("[network]\nlatency_ms = { min = 10, max = 1 }\n"), vec!["network.latency_ms"]),
        ("latency negative", with("[network]\nlatency_ms = { fixed = -5 }\n"), vec!["network.latency_ms.fixed"]),
        ("latency unknown dist", with("[network]\nlatency_ms = { mean = 5, dist = \"pareto\" }\n"), vec!["network.latency_ms", "pareto"]),
        ("latency mean without dist", with("[network]\nlatency_ms = { mean = 5 }\n"), vec!["network.latency_ms"]),
        ("latency as string", with("[network]\nlatency_ms = \"fast\"\n"), vec!["network.latency_ms"]),
        ("round zero", with("[network]\nround_ms = 0\n"), vec!["key `network.round_ms`"]),
        ("round negative", with("[network]\nround_ms = -1\n"), vec!["key `network.round_ms`"]),
        ("degree without random graph", with("[network]\ndegree = 3\n"), vec!["key `network.degree`"]),
        ("random-regular without degree", with("[network]\ntopology = \"random-regular\"\n"), vec!["key `network.degree`"]),
        ("random-regular odd n times degree", "n = 5\n[protocol]\nkind = \"vote\"\n[network]\ntopology = \"random-regular\"\ndegree = 3\n".into(), vec!["key `network.topology`", "even"]),
        ("random-regular degree too large", with("[network]\ntopology = \"random-regular\"\ndegree = 4\n"), vec!["key `network.topology`"]),
        ("erdos-renyi without p", with("[network]\ntopology = \"erdos-renyi\"\n"), vec!["key `network.p`"]),
        ("erdos-renyi p above one", with("[network]\ntopology = \"erdos-renyi\"\np = 2.0\n"), vec!["key `network.p`"]),
        ("erdos-renyi never connected", with("[network]\ntopology = \"erdos-renyi\"\np = 0.0\ntransport = \"flooding\"\n"), vec!["key `network.topology`"]),
        ("small-world odd degree", "n = 8\n[protocol]\nkind = \"vote\"\n[network]\ntopology = \"small-world\"\ndegree = 3\n".into(), vec!["key `network.topology`"]),
        ("ring of two", "n = 2\n[protocol]\nkind = \"vote\"\n[network]\ntopology = \"ring\"\n".into(), vec!["key `network.topology`"]),
        ("edges without list", with("[network]\ntopology = \"edges\"\n"), vec!["key `network.edges`"]),
        ("edge to a missing general", with("[network]\ntopology = \"edges\"\nedges = [[0, 7]]\n"), vec!["key `network.edges`"]),
        ("edge self-loop", with("[network]\ntopology = \"edges\"\nedges = [[1, 1], [0, 1], [1, 2], [2, 3]]\n"), vec!["key `network.topology`"]),
        ("edge not a pair", with("[network]\ntopology = \"edges\"\nedges = [[0, 1, 2]]\n"), vec!["network.edges"]),
        ("flooding on a disconnected graph", with("[network]\ntopology = \"edges\"\nedges = [[0, 1], [2, 3]]\ntransport = \"flooding\"\n"), vec!["key `network.topology`", "disconnected"]),
        ("flooding with connected = false", with("[network]\ntransport = \"flooding\"\nconnected = false\n"), vec!["key `network.connected`"]),
        ("unknown behaviour", with("[faults]\nbehaviour = \"sneaky\"\n"), vec!["key `faults.behaviour`", "sneaky"]),
        ("traitor id out of range", with("[faults]\nwho = [4]\n"), vec!["key `faults.who`"]),
        ("traitor listed twice", "n = 4\nt = 2\n[protocol]\nkind = \"vote\"\n[faults]\nwho = [1, 1]\n".into(), vec!["key `faults.who`", "twice"]),
        ("more traitors listed than t", with("[faults]\nwho = [1, 2]\n"), vec!["key `faults.who`"]),
        ("more traitors than generals", "n = 2\n[protocol]\nkind = \"vote\"\n[faults]\nwho = [0, 1]\n".into(), vec!["key `t`"]),
        ("unknown who", with("[faults]\nwho = \"everyone\"\n"), vec!["key `faults.who`"]),
        ("commander traitor with t = 0", "n = 4\n[protocol]\nkind = \"vote\"\n[faults]\nwho = \"commander\"\n".into(), vec!["key `faults.who`"]),
        ("drop probability above one", with("[faults]\nbehaviour = \"drop\"\ndrop = 3\n"), vec!["key `faults.drop`"]),
        ("drop for another behaviour", with("[faults]\nbehaviour = \"crash\"\ndrop = 0.5\n"), vec!["key `faults.drop`"]),
        ("crash time negative", with("[faults]\nbehaviour = \"crash\"\ncrash_at_ms = -4\n"), vec!["key `faults.crash_at_ms`"]),
        ("twins sets for a general that is not a traitor", with("[faults]\nbehaviour = \"twins\"\nwho = [1]\ntwins = { 2 = [[0], [3]] }\n"), vec!["key `faults.twins`", "not a traitor"]),
        ("twins with three sets", with("[faults]\nbehaviour = \"twins\"\nwho = [1]\ntwins = { 1 = [[0], [2], [3]] }\n"), vec!["key `faults.twins`", "two sets"]),
        ("twins sets that overlap", with("[faults]\nbehaviour = \"twins\"\nwho = [1]\ntwins = { 1 = [[0, 2], [2, 3]] }\n"), vec!["key `faults.twins`", "both sets"]),
        ("twins sets holding the traitor", with("[faults]\nbehaviour = \"twins\"\nwho = [1]\ntwins = { 1 = [[0, 1], [3]] }\n"), vec!["key `faults.twins`", "its own sets"]),
        ("twins sets without listed traitors", with("[faults]\nbehaviour = \"twins\"\ntwins = { 1 = [[0], [3]] }\n"), vec!["key `faults.who`"]),
        ("twins id out of range", with("[faults]\nbehaviour = \"twins\"\nwho = [1]\ntwins = { 1 = [[0], [9]] }\n"), vec!["key `faults.twins`"]),
        ("twins on a flooding network", with("[faults]\nbehaviour = \"twins\"\n[network]\ntransport = \"flooding\"\n"), vec!["key `network.transport`", "twins"]),
        ("twins at n = 2", "n = 2\nt = 1\n[protocol]\nkind = \"vote\"\n[faults]\nbehaviour = \"twins\"\n".into(), vec!["key `faults.behaviour`", "n >= 3"]),
        ("twins table for another behaviour", with("[faults]\nbehaviour = \"drop\"\nwho = [1]\ntwins = { 1 = [[0], [3]] }\n"), vec!["key `faults.twins`"]),
        ("mutation probability above one", with("[faults]\nbehaviour = \"mutate\"\nmutate = { p = 2 }\n"), vec!["key `faults.mutate.p`"]),
        ("mutation table for another behaviour", with("[faults]\nbehaviour = \"drop\"\nmutate = { p = 0.5 }\n"), vec!["key `faults.mutate`"]),
        ("unknown mutation key", with("[faults]\nbehaviour = \"mutate\"\nmutate = { q = 0.5 }\n"), vec!["faults.mutate"]),
        ("unknown scripted choice", with("[faults]\nbehaviour = \"scripted\"\nwho = [1]\nscript = [{ 0 = [\"mutate-x\"] }]\n"), vec!["key `faults.script`", "mutate-K"]),
        ("split id out of range", with("[faults]\nbehaviour = \"equivocate\"\nsplit = [9]\n"), vec!["key `faults.split`"]),
        ("bad expectation", with("[expect]\nagreement = \"mostly\"\n"), vec!["key `expect.agreement`", "mostly"]),
        ("a run too large to finish", "n = 20000\n[protocol]\nkind = \"vote\"\n".into(), vec!["key `limits.max_messages`", "--max-messages", "4.00e8"]),
        ("flooding makes it too large", "n = 3000\n[protocol]\nkind = \"signed-flood\"\n[network]\ntopology = \"random-regular\"\ndegree = 20\ntransport = \"flooding\"\n".into(), vec!["key `limits.max_messages`"]),
        ("message limit zero", with("[limits]\nmax_messages = 0\n"), vec!["key `limits.max_messages`"]),
        ("event limit zero", with("[limits]\nmax_events = 0\n"), vec!["key `limits.max_events`"]),
        ("time limit negative", with("[limits]\nmax_time_ms = -1\n"), vec!["key `limits.max_time_ms`"]),
        ("pow table for vote", with("[pow]\nconfirmations = 6\n"), vec!["key `pow`"]),
        ("pow confirmations zero", "n = 4\n[protocol]\nkind = \"pow\"\n[pow]\nconfirmations = 0\n".into(), vec!["key `pow.confirmations`"]),
        ("duplicate key names the key", "n = 4\nt = 1\nn = 5\n".into(), vec!["bad.toml:3:", "duplicate key `n`"]),
        ("duplicate table names the table", format!("{BASE}[protocol]\nkind = \"oral\"\n"), vec!["bad.toml:5:", "duplicate key `protocol`"]),
        ("deep nesting", format!("x = {}{}\n", "[".repeat(5000), "]".repeat(5000)), vec!["bad.toml:1:", "recursion"]),
        ("inputs on oral", "n = 4\n[protocol]\nkind = \"oral\"\ninputs = \"attack\"\n".into(), vec!["key `protocol.inputs`", "oral"]),
        ("value on vote", with("value = \"attack\"\n"), vec!["key `protocol.value`", "vote"]),
        ("m on vote", with("m = 1\n"), vec!["key `protocol.m`", "vote"]),
        ("split lists a general twice", with("[faults]\nbehaviour = \"equivocate\"\nsplit = [1, 1]\n"), vec!["key `faults.split`", "twice"]),
        ("tiny negative loss prints readably", with("[network]\nloss = -1e-300\n"), vec!["key `network.loss`", "-1e-300 is not a probability"]),
        ("memory limit zero", with("[limits]\nmax_memory_mb = 0\n"), vec!["key `limits.max_memory_mb`"]),
        ("unknown region set", "n = 4\n[protocol]\nkind = \"pow\"\n[network]\nregions = \"bitcoin-2009\"\n".into(), vec!["key `network.regions`", "bad.toml:5:", "bitcoin-2019"]),
        ("regions for a BFT protocol", with("[network]\nregions = \"bitcoin-2019\"\n"), vec!["key `network.regions`", "heavy tail"]),
        ("regions with a latency law", "n = 4\n[protocol]\nkind = \"pow\"\n[network]\nregions = \"bitcoin-2019\"\nlatency_ms = 5\n".into(), vec!["key `network.latency_ms`"]),
        ("negative bandwidth", "n = 4\n[protocol]\nkind = \"pow\"\n[network]\nbandwidth_mbps = -1\n".into(), vec!["key `network.bandwidth_mbps`", "bad.toml:5:"]),
        ("zero bandwidth", "n = 4\n[protocol]\nkind = \"pow\"\n[network]\nbandwidth_mbps = 0\n".into(), vec!["key `network.bandwidth_mbps`"]),
        ("negative block size", "n = 4\n[protocol]\nkind = \"pow\"\n[pow]\nblock_bytes = -100\n".into(), vec!["key `pow.block_bytes`", "bad.toml:5:"]),
        ("compact relay without a block size", "n = 4\n[protocol]\nkind = \"pow\"\n[pow]\nrelay = \"compact\"\n".into(), vec!["key `pow.relay`", "bad.toml:5:", "pow.block_bytes"]),
        ("unknown relay", "n = 4\n[protocol]\nkind = \"pow\"\n[pow]\nrelay = \"compressed\"\n".into(), vec!["key `pow.relay`"]),
        ("compact missing share above one", "n = 4\n[protocol]\nkind = \"pow\"\n[pow]\ncompact_missing_share = 1.5\n".into(), vec!["key `pow.compact_missing_share`"]),
        ("stale rate band upside down", "n = 4\n[protocol]\nkind = \"pow\"\n[expect]\nstale_rate = { min = 0.2, max = 0.1 }\n".into(), vec!["key `expect.stale_rate`"]),
        ("stale rate band for vote", with("[expect]\nstale_rate = { min = 0.0, max = 0.1 }\n"), vec!["key `expect.stale_rate`"]),
        ("unknown degree distribution", "n = 4\n[protocol]\nkind = \"pow\"\n[network]\ntopology = \"random-regular\"\ndegree_distribution = \"zipf\"\n".into(), vec!["key `network.degree_distribution`", "bad.toml:6:"]),
        ("degree distribution on a ring", "n = 4\n[protocol]\nkind = \"pow\"\n[network]\ntopology = \"ring\"\ndegree_distribution = \"bitcoin\"\n".into(), vec!["key `network.degree_distribution`"]),
        ("pow head start of two", "n = 4\n[protocol]\nkind = \"pow\"\n[pow]\nhead_start = 2\n".into(), vec!["key `pow.head_start`"]),
    ]
}

#[test]
fn every_malformed_scenario_exits_2_and_names_its_key() {
    let cases = scenarios();
    assert!(cases.len() >= 60, "{} cases", cases.len());
    let dir = tempfile::tempdir().unwrap();
    for (what, text, needles) in cases {
        let file = dir.path().join("bad.toml");
        std::fs::write(&file, &text).unwrap();
        let out = byzsim_in(dir.path(), &["run", "bad.toml"]);
        let mut all = needles.clone();
        all.push("bad.toml");
        check(&out, &all, what);
    }
}

#[test]
fn binary_garbage_and_odd_files_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("garbage.toml"),
        [0xff, 0xfe, 0x00, 0x9c, 0x12, 0x80],
    )
    .unwrap();
    check(
        &byzsim_in(dir.path(), &["run", "garbage.toml"]),
        &["garbage.toml", "UTF-8"],
        "binary garbage",
    );
    std::fs::create_dir(dir.path().join("folder.toml")).unwrap();
    check(
        &byzsim_in(dir.path(), &["run", "folder.toml"]),
        &["folder.toml", "directory"],
        "a directory",
    );
    check(
        &byzsim_in(dir.path(), &["run", "missing.toml"]),
        &["missing.toml"],
        "a missing file",
    );
    check(
        &byzsim_in(dir.path(), &["topology", "missing.toml", "--dot"]),
        &["missing.toml"],
        "topology of a missing file",
    );
}

#[test]
fn bad_command_lines_exit_2_and_name_the_argument() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let scenario =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/vote-no-traitor-holds.toml");
    let s = scenario.to_str().unwrap();
    std::fs::create_dir(d.join("adir")).unwrap();
    let cases: Vec<(&str, Vec<&str>, Vec<&str>)> = vec![
        ("no subcommand", vec![], vec!["Usage"]),
        ("unknown subcommand", vec!["simulate"], vec!["simulate"]),
        ("unknown flag", vec!["run", "--fast"], vec!["--fast"]),
        (
            "seed not a number",
            vec!["run", "--seed", "abc"],
            vec!["--seed"],
        ),
        (
            "seed too large",
            vec!["run", "--seed", "18446744073709551615"],
            vec!["--seed"],
        ),
        ("trials zero", vec!["run", "--trials", "0"], vec!["trials"]),
        ("jobs zero", vec!["run", "--jobs", "0"], vec!["--jobs"]),
        (
            "set without value",
            vec!["run", "--set", "n"],
            vec!["KEY=VALUE"],
        ),
        (
            "set unknown key",
            vec!["run", "--set", "network.speed=3"],
            vec!["speed"],
        ),
        ("set into a value", vec!["run", "--set", "n.x=3"], vec!["n"]),
        (
            "set bad type",
            vec!["run", "--set", "n=many"],
            vec!["key `n`"],
        ),
        (
            "out is a directory",
            vec!["run", "--trials", "1", "--out", "adir"],
            vec!["adir", "directory"],
        ),
        (
            "out unwritable",
            vec!["run", "--trials", "1", "--out", "/proc/byzsim/out.csv"],
            vec!["/proc/byzsim/out.csv"],
        ),
        ("sweep without ranges", vec!["sweep", s], vec!["--n"]),
        (
            "sweep bad range",
            vec!["sweep", s, "--n", "5..=3", "--t", "0"],
            vec!["--n"],
        ),
        (
            "sweep bad step",
            vec!["sweep", s, "--n", "3..=9:0", "--t", "0"],
            vec!["--n"],
        ),
        (
            "sweep bad t",
            vec!["sweep", s, "--n", "4", "--t", "x"],
            vec!["--t"],
        ),
        (
            "sweep bad vary",
            vec!["sweep", s, "--n", "4", "--t", "0", "--vary", "loss"],
            vec!["--vary"],
        ),
        (
            "sweep vary n",
            vec!["sweep", s, "--n", "4", "--t", "0", "--vary", "n=4,5"],
            vec!["--vary"],
        ),
        (
            "sweep bad shard",
            vec!["sweep", s, "--n", "4", "--t", "0", "--shard", "3/2"],
            vec!["--shard"],
        ),
        (
            "sweep resume without out",
            vec!["sweep", s, "--n", "4", "--t", "0", "--resume"],
            vec!["--resume"],
        ),
        (
            "sweep missing file",
            vec!["sweep", "nope.toml", "--n", "4", "--t", "0"],
            vec!["nope.toml"],
        ),
        (
            "merge nothing",
            vec!["merge", "--out", "m.csv"],
            vec!["SHARDS"],
        ),
        (
            "merge missing shard",
            vec!["merge", "nope.csv", "--out", "m.csv"],
            vec!["nope.csv"],
        ),
        (
            "sweep vary an unknown key",
            vec!["sweep", s, "--n", "4", "--t", "0", "--vary", "nosuch=1,2"],
            vec!["--vary: key `nosuch`", "(in --vary nosuch=1,2)"],
        ),
        (
            "sweep zero trials",
            vec!["sweep", s, "--n", "4", "--t", "0", "--trials", "0"],
            vec!["--trials"],
        ),
        (
            "sweep where no cell can run",
            vec!["sweep", s, "--n", "0..=0", "--t", "0"],
            vec!["no cell", "key `n`"],
        ),
        (
            "set seed beyond range",
            vec!["run", "--set", "seed=18446744073709551615"],
            vec!["key `seed`", "2^63"],
        ),
        (
            "jobs above the cap",
            vec!["run", "--jobs", "5000"],
            vec!["--jobs", "1024"],
        ),
    ];
    assert!(cases.len() >= 20);
    for (what, args, needles) in cases {
        check(&byzsim_in(d, &args), &needles, what);
    }
}

/// `plot` refuses NaN and infinite values (in --z or --y columns) with exit 2; it never panics
/// or loops.
#[test]
fn plot_refuses_nan_and_infinite_values() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let header = "n,t,agreement,decision_time_ms\n";
    for bad in ["NaN", "inf", "-inf"] {
        let csv = format!("{header}4,0,true,1.0\n5,1,true,{bad}\n6,1,false,2.0\n");
        std::fs::write(d.join("in.csv"), csv).unwrap();
        let heat = [
            "plot",
            "in.csv",
            "--x",
            "n",
            "--y",
            "t",
            "--z",
            "decision_time_ms",
            "--out",
            "h.svg",
        ];
        check(
            &byzsim_in(d, &heat),
            &["decision_time_ms", bad, "not a finite number"],
            "heatmap z",
        );
        let lines = [
            "plot",
            "in.csv",
            "--x",
            "n",
            "--y",
            "decision_time_ms",
            "--out",
            "l.svg",
        ];
        check(
            &byzsim_in(d, &lines),
            &["decision_time_ms", "not a finite number"],
            "lines y",
        );
    }
}
