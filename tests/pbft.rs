//! PBFT (Castro and Liskov, OSDI 1999): exact message counts of an honest run, safety under
//! every traitor behaviour and placement, liveness after GST, the cost of a view change, and
//! PBFT's own bad input.

mod common;

use byzsim::Scenario;
use byzsim::record::RunRecord;

use byzsim::engine::trace::TraceEvent;
use byzsim::protocol::Kind;
use byzsim::trial::run_trial;
use common::{faults, rows, scenario};

/// A PBFT scenario: `n`, `t`, `trials`, then any extra lines (tables included).
fn pbft(n: usize, t: usize, trials: u64, extra: &str) -> String {
    format!("n = {n}\nt = {t}\ntrials = {trials}\nseed = 3\n[protocol]\nkind = \"pbft\"\n{extra}")
}

/// The paper's normal case, counted per phase from the trace of one honest run over direct
/// links, with our exact rules: every backup sends its signed input to the primary (n − 1
/// requests), the primary sends its pre-prepare to the n − 1 backups, each backup sends its
/// prepare to the n − 1 others ((n − 1)² prepares), every general sends its commit to the n − 1
/// others (n(n − 1) commits), each before it decides; nothing else. In all (n − 1)(2n + 1): 27
/// at n = 4 (the paper's 3 pre-prepares, 9 prepares and 12 commits, plus the 3 requests).
#[test]
fn honest_run_sends_n_minus_1_times_2n_plus_1_messages() {
    for n in 1..=13usize {
        for t in [0, (n - 1) / 3] {
            let text = pbft(n, t, 3, "[faults]\nbehaviour = \"honest\"\n");
            let sc = scenario(&text);
            for trial in 0..3 {
                let r = run_trial(&sc, Kind::Pbft, trial, 40 + trial, true).unwrap();
                let trace = r.trace.unwrap();
                let mut count = [0u64; 4];
                for e in trace.events() {
                    if let TraceEvent::Send { msg, .. } = e {
                        let words = &trace.message(*msg).words;
                        let phase = ["input", "pre-prepare", ": prepare", ": commit"]
                            .iter()
                            .position(|p| words.contains(p))
                            .unwrap_or_else(|| panic!("n = {n}: unexpected {words}"));
                        count[phase] += 1;
                    }
                }
                let m = n as u64 - 1;
                assert_eq!(count, [m, m, m * m, (m + 1) * m], "n = {n}, t = {t}");
                let rec = &r.record;
                assert_eq!(rec.messages, m * (2 * m + 3), "n = {n}, t = {t}");
                assert!(rec.agreement && rec.validity && rec.termination);
                assert_eq!((rec.views, rec.bound.as_str()), (Some(0), "inside"));
            }
        }
    }
}

/// The behaviours the safety properties are checked under.
const BEHAVIOURS: [&str; 10] = [
    "honest",
    "twins",
    "mutate",
    "crash",
    "drop",
    "equivocate",
    "silent",
    "equivocating-primary",
    "silent-primary",
    "withhold-votes",
];

/// Agreement and validity hold under every generic traitor and both primary strategies, over
/// random n, traitor placements, inputs, latencies and seeds; with n > 3t PBFT also terminates
/// and every row is labelled inside. (Agreement and validity hold at n ≤ 3t too, as long as
/// there are at most t traitors: any two quorums share t + 1 generals, so an honest one.)
#[test]
fn safety_under_every_traitor_and_placement() {
    common::safety_property("pbft", "view_timeout_ms = 200", &BEHAVIOURS);
}

/// An equivocating primary that can justify both values really splits the loyal generals in
/// view 0: those that hear its majority side decide it at once, the others only after a view
/// change, through a decided general's proof, on the same value.
#[test]
fn equivocating_primary_splits_view_0_but_agreement_holds() {
    let text = pbft(
        4,
        1,
        40,
        "inputs = [\"attack\", \"attack\", \"retreat\", \"retreat\"]\n[faults]\nbehaviour = \"equivocating-primary\"\nwho = [0]\n",
    );
    let sc = scenario(&text);
    for trial in 0..sc.trials {
        let r = run_trial(&sc, Kind::Pbft, trial, trial, true).unwrap();
        let trace = r.trace.unwrap();
        let mut told: Vec<(u32, String)> = Vec::new();
        for e in trace.events() {
            if let TraceEvent::Send { from, to, msg, .. } = e {
                let words = &trace.message(*msg).words;
                if from.0 == 0 && words.contains("pre-prepare") {
                    told.push((to.0, words.clone()));
                }
            }
        }
        told.sort();
        let want = ["attack", "attack", "retreat"].map(|v| format!("view 0: pre-prepare {v}"));
        let got: Vec<&str> = told.iter().map(|(_, w)| w.as_str()).collect();
        assert_eq!(got, want, "trial {trial}");
        let rec = r.record;
        assert!(
            rec.agreement && rec.validity && rec.termination,
            "{}",
            rec.reason
        );
        assert_eq!(
            rec.views,
            Some(1),
            "general 3 decides after one view change"
        );
        assert!(rec.decision_time_ms.unwrap() >= 1000.0);
    }
}

/// A silent primary costs one view timeout: no honest general decides before
/// `view_timeout_ms`, and each decides in view 1; two silent primaries in a row cost the
/// timeouts of views 0 and 1, T + 2T (the doubling).
#[test]
fn silent_primary_costs_one_view_timeout_and_two_cost_three() {
    for timeout in [150.0, 400.0, 1000.0] {
        for behaviour in ["silent", "silent-primary", "crash"] {
            let extra = format!(
                "view_timeout_ms = {timeout}\n{}",
                faults(behaviour, &[0]).replace("crash_at_ms = 9", "crash_at_ms = 0")
            );
            for r in rows(&pbft(4, 1, 20, &extra)) {
                assert!(r.termination && r.agreement && r.validity, "{}", r.reason);
                let at = r.decision_time_ms.unwrap();
                assert!(at >= timeout, "{behaviour}: decided at {at} < {timeout}");
                assert!(at < timeout + 100.0, "{behaviour}: {at}");
                assert_eq!(r.views, Some(1), "{behaviour}");
            }
        }
        let extra = format!("view_timeout_ms = {timeout}\n{}", faults("silent", &[0, 1]));
        for r in rows(&pbft(7, 2, 20, &extra)) {
            assert!(r.termination && r.agreement && r.validity, "{}", r.reason);
            let at = r.decision_time_ms.unwrap();
            assert!(at >= 3.0 * timeout && at < 3.0 * timeout + 100.0, "{at}");
            assert_eq!(r.views, Some(2));
        }
    }
}

/// Liveness after GST: under partial synchrony every scheduler delays PBFT as it likes until
/// GST, and every honest general still decides, by GST + some view timeouts; with the `leader`
/// scheduler holding every primary's messages, no honest general decides before GST.
#[test]
fn decides_after_gst_and_only_after_gst_when_the_leader_is_held() {
    for scheduler in ["random", "leader", "partition"] {
        for gst in [0u64, 700, 3000] {
            let extra = format!(
                "view_timeout_ms = 200\n[network]\ntiming = \"partial\"\ngst_ms = {gst}\ndelta_ms = 15\nscheduler = \"{scheduler}\"\n[faults]\nbehaviour = \"equivocating-primary\"\n"
            );
            for r in rows(&pbft(7, 2, 15, &extra)) {
                assert!(r.agreement && r.validity && r.termination, "{}", r.reason);
                assert_eq!(r.bound, "inside", "{}", r.bound_rule);
                let after = r.decision_after_gst_ms.unwrap();
                let at = r.decision_time_ms.unwrap();
                assert!((after - (at - gst as f64)).abs() < 1e-9);
                if scheduler == "leader" && gst > 0 {
                    assert!(after > 0.0, "decided {after} ms after GST");
                }
                // View k starts at 200(2^k − 1) ms; of the three views from the first that
                // starts after GST one has an honest primary (t = 2) and outlasts four delays
                // of 15 ms, so the decision comes before view k + 3 starts: < 16(GST + 200).
                assert!(at < 16.0 * (gst as f64 + 200.0), "{at}");
            }
        }
    }
}

/// Outside n > 3t PBFT stays safe but can be stopped: at n = 3, t = 1 a quorum is all three
/// generals, and a traitor that withholds its votes stops every view.
#[test]
fn n3_t1_withholding_traitor_stops_pbft_but_agreement_holds() {
    let extra = format!(
        "view_timeout_ms = 100\n{}[limits]\nmax_time_ms = 20000\n",
        faults("withhold-votes", &[1])
    );
    for r in rows(&pbft(3, 1, 20, &extra)) {
        assert!(r.agreement && r.validity);
        assert!(!r.termination, "{}", r.reason);
        assert_eq!(r.bound, "outside");
    }
}

/// The bound label tells which promise stands: asynchrony, loss or a dropping partition leave
/// termination unpromised (outside) and say that safety still holds.
#[test]
fn bound_says_what_is_promised() {
    let cases = [
        ("[network]\ntiming = \"asynchronous\"\n", "a GST"),
        ("[network]\nloss = 0.1\n", "reliable links"),
        (
            "[network]\n[[network.partitions]]\nto_ms = 50\ngroups = [[0, 1]]\ndrop = true\n",
            "drop = true",
        ),
    ];
    for (network, why) in cases {
        let text = pbft(
            4,
            1,
            10,
            &format!("view_timeout_ms = 100\n{network}[limits]\nmax_time_ms = 20000\n"),
        );
        for r in rows(&text) {
            assert_eq!(r.bound, "outside");
            assert!(r.bound_rule.contains(why), "{}", r.bound_rule);
            assert!(r.bound_rule.contains("agreement and validity still are"));
            assert!(r.agreement && r.validity, "{}", r.reason);
        }
    }
    let held = "[network]\n[[network.partitions]]\nto_ms = 3000\ngroups = [[0, 1]]\n";
    for r in rows(&pbft(4, 1, 10, &format!("view_timeout_ms = 100\n{held}"))) {
        assert_eq!(
            (r.bound.as_str(), r.bound_rule.as_str()),
            ("inside", "n > 3t")
        );
        assert!(r.termination && r.decision_time_ms.unwrap() > 3000.0);
    }
}

/// The honest decisions of every trial of a scenario file, with the trial's record.
fn decisions_of(file: &str, kind: Kind) -> Vec<(RunRecord, Vec<f64>)> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
    let sc = Scenario::load(&path, &[]).unwrap();
    (0..sc.trials)
        .map(|i| {
            let seed = byzsim::rng::trial_seed(sc.seed, i);
            let r = run_trial(&sc, kind, i, seed, true).unwrap();
            let trace = r.trace.unwrap();
            let times = (trace.events().iter())
                .filter_map(|e| match e {
                    TraceEvent::Decide { at, .. } => Some(at.as_ms()),
                    _ => None,
                })
                .collect();
            (r.record, times)
        })
        .collect()
}

/// The PBFT scenario files show what their descriptions say, beyond their `[expect]`: the
/// silent primary costs exactly one view change of 500 ms; under the leader scheduler no honest
/// general decides before GST = 5 s; the equivocating primary's minority catches up after one
/// view change; across the partition PBFT decides only after the heal at 30 s, while proof of
/// work decided during it and reverted.
#[test]
fn the_pbft_scenarios_show_what_they_describe() {
    for (r, _) in decisions_of(
        "scenarios/pbft-silent-primary-one-view-change.toml",
        Kind::Pbft,
    ) {
        let at = r.decision_time_ms.unwrap();
        assert!(r.views == Some(1) && (500.0..540.0).contains(&at), "{at}");
    }
    for (r, times) in decisions_of(
        "scenarios/pbft-partial-leader-decides-after-gst.toml",
        Kind::Pbft,
    ) {
        assert!(
            times.len() >= 5 && times.iter().all(|&t| t > 5000.0),
            "{times:?}"
        );
        assert!(r.decision_after_gst_ms.unwrap() > 0.0);
    }
    for (r, _) in decisions_of(
        "scenarios/pbft-n4-t1-equivocating-primary-holds.toml",
        Kind::Pbft,
    ) {
        assert!(r.views == Some(1) && r.decision_time_ms.unwrap() >= 1000.0);
    }
    let file = "scenarios/pbft-vs-pow-partition.toml";
    for (r, times) in decisions_of(file, Kind::Pbft) {
        assert!(
            r.agreement && times.iter().all(|&t| t > 30000.0),
            "{times:?}"
        );
    }
    let pow = decisions_of(file, Kind::Pow);
    assert!(
        pow.iter()
            .any(|(r, times)| r.reverted && times.iter().any(|&t| t < 30000.0))
    );
}

/// Bad PBFT input exits with 2 and names the file, the line and the key.
#[test]
fn bad_view_timeouts_are_refused_with_file_line_and_key() {
    let dir = std::env::temp_dir().join(format!("byzsim-pbft-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cases = [
        ("view_timeout_ms = 0\n", "more than 0"),
        ("view_timeout_ms = -5\n", ">= 0"),
        ("view_timeout_ms = \"soon\"\n", "view_timeout_ms"),
        ("view_timeout_ms = nan\n", "finite"),
    ];
    for (line, words) in cases {
        let text = format!("n = 4\nt = 1\n[protocol]\nkind = \"pbft\"\n{line}");
        let file = dir.join("bad.toml");
        std::fs::write(&file, text).unwrap();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_byzsim"))
            .args(["run", "bad.toml"])
            .current_dir(&dir)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{line}: {err}");
        assert!(err.contains("bad.toml:5:"), "{line}: {err}");
        assert!(err.contains("protocol.view_timeout_ms"), "{line}: {err}");
        assert!(err.contains(words), "{line}: {err}");
        assert!(!err.contains("panicked"));
    }
    let text = "n = 4\n[protocol]\nkind = \"vote\"\nview_timeout_ms = 100\n";
    let err = Scenario::parse("x.toml", "x", text, &[]).unwrap_err();
    assert_eq!(err.line, Some(4));
    assert!(
        err.to_string()
            .contains("applies to \"pbft\" and \"hotstuff\" only"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).ok();
}
