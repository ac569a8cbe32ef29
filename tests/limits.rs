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
fn within_the_limits_the_trial_ends_when_all_decided() {
    for r in run("max_events = 1000\nmax_time_ms = 1000") {
        assert!(r.termination);
        assert_eq!(r.stop, "all-decided");
    }
}
