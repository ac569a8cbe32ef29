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
    use byzsim::protocol::{Setup, vote::Vote};
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
        pow: Default::default(),
        hashrate: vec![1.0 / n as f64; n],
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
    };
    let limits = Limits {
        max_messages: 12,
        ..Limits::default()
    };
    let traitors = (0..n).map(|_| None).collect();
    let outcome = Sim::<Vote>::new(&setup, links, traitors, SimTime::from_ms(100), limits, 1).run();
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
