//! `byzsim hunt`: searches find violations where they exist, shrink them to a scenario that
//! still violates and is no larger than the input, and the written file replays the violation.

use std::path::Path;
use std::process::Command;

use byzsim::hunt::{HuntOptions, HuntOutcome, hunt};

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

const SPLIT_VOTE: &str = "n = 5\nt = 2\n[protocol]\nkind = \"vote\"\ninputs = [\"attack\", \"attack\", \"retreat\", \"retreat\", \"attack\"]\n[faults]\nwho = \"random\"\n";

fn options(
    file: std::path::PathBuf,
    exhaustive: bool,
    out: Option<std::path::PathBuf>,
) -> HuntOptions {
    HuntOptions {
        file,
        sets: Vec::new(),
        budget: 100_000,
        exhaustive,
        out,
        seed: None,
    }
}

#[test]
fn a_shrunk_violation_is_no_larger_than_the_input_and_replays() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "split.toml", SPLIT_VOTE);
    let out = dir.path().join("found.toml");
    for exhaustive in [false, true] {
        let HuntOutcome::Found(v) =
            hunt(&options(file.clone(), exhaustive, Some(out.clone()))).unwrap()
        else {
            panic!("two traitors in a split vote of five break agreement");
        };
        assert_eq!(v.property, "agreement");
        assert!(
            v.candidate.n <= 5 && v.candidate.who.len() <= 2,
            "{:?}",
            v.candidate
        );
        assert!(
            v.candidate.who.len() == 1,
            "one traitor is enough: {:?}",
            v.candidate
        );
        assert!(v.candidate.deviations() >= 1);
        let status = Command::new(env!("CARGO_BIN_EXE_byzsim"))
            .args(["run", out.to_str().unwrap()])
            .output()
            .unwrap();
        assert_eq!(
            status.status.code(),
            Some(0),
            "the written scenario replays the violation: {}",
            String::from_utf8_lossy(&status.stdout)
        );
        assert!(String::from_utf8_lossy(&status.stdout).contains("agreement    violated"));
    }
}

#[test]
fn unanimous_loyal_votes_cannot_be_broken_by_one_traitor_among_five() {
    // Four loyal generals all vote attack: whatever the traitor sends, each holds at least four
    // attack votes of five, so every choice of the traitor leaves agreement and validity intact.
    let dir = tempfile::tempdir().unwrap();
    let text = "n = 5\nt = 1\n[protocol]\nkind = \"vote\"\ninputs = \"attack\"\n[faults]\nwho = \"random\"\n";
    let file = write(dir.path(), "unanimous.toml", text);
    match hunt(&options(file, true, None)).unwrap() {
        HuntOutcome::Clean { tried, proof, .. } => {
            assert!(proof, "the exhaustive search completed");
            assert_eq!(
                tried,
                5 * 3u64.pow(4),
                "5 placements × 3 choices for each of 4 votes"
            );
        }
        HuntOutcome::Found(v) => panic!("{:?}", v.reason),
    }
}

#[test]
fn an_exhaustive_search_too_large_is_refused_with_its_size() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "big.toml",
        "n = 30\nt = 3\n[protocol]\nkind = \"vote\"\n",
    );
    let e = hunt(&options(file, true, None)).unwrap_err();
    assert!(
        e.message.contains("ways to choose") && e.message.contains("--budget"),
        "{e}"
    );
}

/// The correct PBFT survives a random hunt of 2000 adversaries at n = 4, t = 1 (every placement,
/// value changes, withholding and the protocol's own mutants of each message: other views, a
/// pre-prepare without inputs, a view-change hiding its certificate). (Outside its bound, at
/// n = 3, PBFT stays safe too, and a script's withholding ends with the honest run's count, so a
/// later view decides: only a traitor that withholds for ever, `withhold-votes`, stops it; see
/// tests/pbft.rs.)
#[test]
fn the_partially_synchronous_protocols_survive_a_mutating_hunt_inside_their_bound() {
    let dir = tempfile::tempdir().unwrap();
    for (kind, timeout) in [
        ("pbft", "view_timeout_ms"),
        ("hotstuff", "view_timeout_ms"),
        ("tendermint", "round_timeout_ms"),
    ] {
        let inside = write(
            dir.path(),
            &format!("{kind}4.toml"),
            &format!(
                "n = 4\nt = 1\n[protocol]\nkind = \"{kind}\"\ninputs = \"random\"\n{timeout} = 200\n[faults]\nwho = \"random\"\n"
            ),
        );
        let mut o = options(inside, false, None);
        o.budget = 2000;
        match hunt(&o).unwrap() {
            HuntOutcome::Clean { tried, proof, .. } => {
                assert_eq!((tried, proof), (2000, false), "{kind}")
            }
            HuntOutcome::Found(v) => {
                panic!("{kind}: {}: {}\n{}", v.property, v.reason, v.reproducer)
            }
        }
    }
}

/// Twins placements are searched: from the teaching-bug scenario with its traitor and sets left
/// to the search (`who = "random"`, no `faults.twins`), hunt finds the unsafe-lock violation,
/// shrinks it to one twinned traitor, and the file replays it; the published Tendermint
/// survives the same search.
#[test]
fn a_twins_hunt_finds_the_unsafe_lock_bug_and_not_the_correct_protocol() {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text =
        std::fs::read_to_string(root.join("scenarios/tendermint-unsafe-lock-twins-breaks.toml"))
            .unwrap()
            .replace("who = [1]", "who = \"random\"")
            .replace("twins = { 1 = [[0], [2, 3]] }\n", "")
            .replace("[expect]\nagreement = \"violated\"\n", "");
    assert!(!text.contains("twins = {") && !text.contains("[expect]"));
    let weak = write(dir.path(), "weak.toml", &text);
    let out = dir.path().join("found.toml");
    let mut o = options(weak, false, Some(out.clone()));
    o.budget = 2000;
    let HuntOutcome::Found(v) = hunt(&o).unwrap() else {
        panic!("Twins breaks unsafe-lock");
    };
    assert_eq!(v.property, "agreement");
    assert_eq!(v.candidate.who.len(), 1);
    assert!(v.candidate.twins.as_ref().is_some_and(|t| t.len() == 1));
    let replay = Command::new(env!("CARGO_BIN_EXE_byzsim"))
        .args(["run", out.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(
        replay.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&replay.stdout)
    );
    let correct = write(
        dir.path(),
        "correct.toml",
        &text.replace("unsafe-lock", "correct"),
    );
    let mut o = options(correct, false, None);
    o.budget = 2000;
    match hunt(&o).unwrap() {
        HuntOutcome::Clean { tried, .. } => assert_eq!(tried, 2000),
        HuntOutcome::Found(v) => panic!("{}: {}\n{}", v.property, v.reason, v.reproducer),
    }
}

/// Under partial synchrony the search draws the pre-GST schedule (scheduler, GST, cuts healed by
/// GST) with the twins' sets: every drawn candidate is a valid scenario, and the correct
/// protocols keep agreement, validity and termination.
#[test]
fn drawn_pre_gst_schedules_and_twins_do_not_break_the_correct_protocols() {
    let dir = tempfile::tempdir().unwrap();
    for (kind, timeout) in [
        ("pbft", "view_timeout_ms"),
        ("hotstuff", "view_timeout_ms"),
        ("tendermint", "round_timeout_ms"),
    ] {
        let file = write(
            dir.path(),
            &format!("{kind}-partial.toml"),
            &format!(
                "n = 4\nt = 1\n[protocol]\nkind = \"{kind}\"\ninputs = \"random\"\n{timeout} = 200\n\
                 [network]\nlatency_ms = {{ min = 1, max = 10 }}\ntiming = \"partial\"\ngst_ms = 1000\ndelta_ms = 10\n\
                 [faults]\nbehaviour = \"twins\"\nwho = \"random\"\n"
            ),
        );
        let mut o = options(file, false, None);
        o.budget = 300;
        match hunt(&o).unwrap() {
            HuntOutcome::Clean { tried, .. } => assert_eq!(tried, 300, "{kind}"),
            HuntOutcome::Found(v) => {
                panic!("{kind}: {}: {}\n{}", v.property, v.reason, v.reproducer)
            }
        }
    }
}
