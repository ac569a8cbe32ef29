//! Timing models and partitions (`network.timing`, `[[network.partitions]]`): every delivery
//! keeps the model's promise, checked against the trace over random configurations, and the
//! adversary's choices replay from the seed.

use byzsim::Scenario;
use byzsim::engine::trace::TraceEvent;
use byzsim::protocol::Kind;
use byzsim::run::run_scenario;
use byzsim::trial::run_trial;
use byzsim::types::SimTime;
use proptest::prelude::*;

fn scenario(text: &str) -> Scenario {
    Scenario::parse("<timing>", "timing", text, &[]).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

/// (sent, arrived, from, to) of every transmission that arrived in trial 0.
fn deliveries(sc: &Scenario, kind: Kind) -> Vec<(SimTime, SimTime, u32, u32)> {
    let result = run_trial(sc, kind, 0, sc.seed, true).unwrap();
    let trace = result.trace.unwrap();
    let mut sent = std::collections::BTreeMap::new();
    let mut out = Vec::new();
    for e in trace.events() {
        match e {
            TraceEvent::Send {
                at,
                seq: Some(s),
                from,
                to,
                ..
            } => {
                sent.insert(*s, (*at, from.0, to.0));
            }
            TraceEvent::Deliver { at, seq, .. } => {
                let (s, from, to) = sent[seq];
                out.push((s, *at, from, to));
            }
            _ => {}
        }
    }
    out
}

const BASE: &str =
    "n = 6\nt = 1\nseed = 5\n[protocol]\nkind = \"vote\"\n[faults]\nbehaviour = \"equivocate\"\n";

fn with_network(network: &str) -> String {
    format!("{BASE}[network]\nlatency_ms = {{ min = 1, max = 20 }}\n{network}")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Partial synchrony: a message sent at s arrives by max(s, GST) + Δ, and one sent after
    /// GST within Δ of its sending; nothing arrives before its drawn latency's minimum.
    #[test]
    fn partial_synchrony_keeps_its_promise(
        gst in 0u64..200, delta in 1u64..30, scheduler in prop::sample::select(vec!["random", "leader", "partition"]),
        max_delay in 0u64..500, seed in 0u64..1000, flooding in any::<bool>(),
    ) {
        let network = format!(
            "timing = \"partial\"\ngst_ms = {gst}\ndelta_ms = {delta}\nscheduler = \"{scheduler}\"\nmax_delay_ms = {max_delay}\nround_ms = 400\n{}",
            if flooding { "topology = \"ring\"\ntransport = \"flooding\"\n" } else { "" }
        );
        let mut sc = scenario(&with_network(&network));
        sc.seed = seed;
        let (gst, delta) = (SimTime::from_ms(gst), SimTime::from_ms(delta));
        let all = deliveries(&sc, Kind::Vote);
        prop_assert!(!all.is_empty());
        for (sent, arrived, ..) in all {
            prop_assert!(arrived >= sent.saturating_add(SimTime::from_ms(1)).min(sent.max(gst).saturating_add(delta)));
            prop_assert!(arrived <= sent.max(gst).saturating_add(delta), "sent {sent}, arrived {arrived}");
        }
    }

    /// Asynchrony: finite delays, at most the draw plus `max_delay_ms`.
    #[test]
    fn asynchronous_delays_are_finite(max_delay in 0u64..300, seed in 0u64..1000) {
        let network = format!("timing = \"asynchronous\"\nmax_delay_ms = {max_delay}\n");
        let mut sc = scenario(&with_network(&network));
        sc.seed = seed;
        for (sent, arrived, ..) in deliveries(&sc, Kind::Vote) {
            prop_assert!(arrived >= sent.saturating_add(SimTime::from_ms(1)));
            prop_assert!(arrived <= sent.saturating_add(SimTime::from_ms(20 + max_delay)));
        }
    }
}

/// A held partition: nothing crosses the cut before it heals, and what crossed arrives after.
#[test]
fn a_partition_holds_what_crosses_it_until_it_heals() {
    let network =
        "[[network.partitions]]\nfrom_ms = 0\nto_ms = 50\ngroups = [[0, 1, 2], [3, 4, 5]]\n";
    let sc = scenario(&with_network(network));
    let side = |v: u32| v < 3;
    let all = deliveries(&sc, Kind::Vote);
    let crossing: Vec<_> = all.iter().filter(|d| side(d.2) != side(d.3)).collect();
    assert!(!crossing.is_empty());
    for (sent, arrived, ..) in crossing {
        assert!(*sent < SimTime::from_ms(50));
        assert!(*arrived >= SimTime::from_ms(51), "arrived {arrived}");
    }
    for (sent, arrived, from, to) in &all {
        if side(*from) == side(*to) {
            assert!(*arrived <= sent.saturating_add(SimTime::from_ms(20)));
        }
    }
}

/// `one_way`: only messages leaving the first group are cut; `drop`: they are lost.
#[test]
fn a_one_way_dropping_partition_loses_only_what_leaves_the_first_group() {
    let network =
        "[[network.partitions]]\nto_ms = 1000\ngroups = [[0, 1]]\none_way = true\ndrop = true\n";
    let sc = scenario(&with_network(network));
    let all = deliveries(&sc, Kind::Vote);
    assert!(
        all.iter().all(|d| !(d.2 < 2 && d.3 >= 2)),
        "nothing leaves 0 and 1"
    );
    assert!(
        all.iter().any(|d| d.2 >= 2 && d.3 < 2),
        "but they hear the others"
    );
    let r = &run_scenario(&sc).unwrap().records[0];
    assert_eq!(
        r.lost,
        2 * 4,
        "generals 0 and 1 each lose their sends to 2, 3, 4, 5"
    );
}

/// The adversary replays from the seed: the same bytes twice, and another seed changes them.
#[test]
fn the_adversary_replays_from_the_seed() {
    let text = with_network(
        "timing = \"partial\"\ngst_ms = 100\ndelta_ms = 10\nmax_delay_ms = 300\nround_ms = 400\n",
    );
    let csv = |sc: &Scenario| {
        let mut bytes = Vec::new();
        byzsim::record::write_csv(&mut bytes, &run_scenario(sc).unwrap().records).unwrap();
        bytes
    };
    let sc = scenario(&text.replace("seed = 5", "seed = 5\ntrials = 20"));
    assert_eq!(csv(&sc), csv(&sc));
    let other = scenario(&text.replace("seed = 5", "seed = 6\ntrials = 20"));
    assert_ne!(csv(&sc), csv(&other));
}

/// A classical protocol's label: partial timing and partitions break the synchronous model.
#[test]
fn partial_timing_and_partitions_are_outside_classical_bounds() {
    let oral =
        "n = 4\nt = 1\n[protocol]\nkind = \"oral\"\n[network]\nlatency_ms = { min = 1, max = 5 }\n";
    let cases = [
        (
            "timing = \"partial\"\ngst_ms = 100\ndelta_ms = 5\n",
            "network.timing",
        ),
        (
            "[[network.partitions]]\nto_ms = 10\ngroups = [[0]]\n",
            "partition",
        ),
    ];
    for (extra, why) in cases {
        let r = &run_scenario(&scenario(&format!("{oral}{extra}")))
            .unwrap()
            .records[0];
        assert_eq!(r.bound, "outside");
        assert!(r.bound_rule.contains(why), "{}", r.bound_rule);
    }
}

/// Bad input names the key: unknown timing, missing or negative GST and Δ, partitions with
/// unknown or repeated generals, a partition that heals before it starts, keys that do not apply.
#[test]
fn bad_timing_and_partitions_are_refused_with_the_key() {
    let cases = [
        ("timing = \"eventual\"\n", "network.timing"),
        ("timing = \"partial\"\ndelta_ms = 5\n", "network.gst_ms"),
        ("timing = \"partial\"\ngst_ms = 5\n", "network.delta_ms"),
        (
            "timing = \"partial\"\ngst_ms = -5\ndelta_ms = 5\n",
            "network.gst_ms",
        ),
        (
            "timing = \"partial\"\ngst_ms = 5\ndelta_ms = 0\n",
            "network.delta_ms",
        ),
        (
            "timing = \"partial\"\ngst_ms = 5\ndelta_ms = 5\nscheduler = \"nasty\"\n",
            "network.scheduler",
        ),
        ("gst_ms = 5\n", "network.gst_ms"),
        ("timing = \"asynchronous\"\ngst_ms = 5\n", "network.gst_ms"),
        (
            "[[network.partitions]]\nto_ms = 5\ngroups = [[0, 9]]\n",
            "network.partitions.groups",
        ),
        (
            "[[network.partitions]]\nto_ms = 5\ngroups = [[0, 1], [1, 2]]\n",
            "network.partitions.groups",
        ),
        (
            "[[network.partitions]]\nfrom_ms = 5\nto_ms = 5\ngroups = [[0]]\n",
            "network.partitions.to_ms",
        ),
        (
            "[[network.partitions]]\nto_ms = 5\ngroups = []\n",
            "network.partitions.groups",
        ),
        (
            "[[network.partitions]]\ngroups = [[0]]\n",
            "network.partitions.to_ms",
        ),
        (
            "[[network.partitions]]\nto_ms = 5\ngroups = [[0]]\nwhen = 3\n",
            "when",
        ),
    ];
    for (network, key) in cases {
        let text = format!("{BASE}[network]\n{network}");
        let err = Scenario::parse("bad.toml", "bad", &text, &[]).unwrap_err();
        let shown = err.to_string();
        assert!(shown.contains(key), "{network}: {shown}");
        assert!(shown.starts_with("bad.toml:"), "{shown}");
    }
}

const CRASH: &str = "n = 5\nt = 1\nseed = 3\ntrials = 5\n[protocol]\nkind = \"vote\"\ninputs = \"attack\"\n[network]\nlatency_ms = { min = 1, max = 10 }\n[faults]\nbehaviour = \"crash-recover\"\nwho = [4]\n";

/// A crash-recover general is honest: it is no traitor, and the checks hold it to the protocol.
/// Down from 0 to 200 ms it misses every vote and its end-of-round timer, so (vote keeping
/// nothing to re-arm) it never decides: termination fails for an honest general.
#[test]
fn a_crashed_honest_general_misses_what_arrives_while_down() {
    let text = format!("{CRASH}crash_at_ms = 0\nrecover_at_ms = 200\n");
    let result = run_scenario(&scenario(&text)).unwrap();
    for r in &result.records {
        assert_eq!(r.traitors, "", "not a traitor");
        assert!(!r.termination, "{}", r.reason);
        assert!(r.reason.contains("general 4"), "{}", r.reason);
        assert!(r.agreement, "the others agree");
        assert_eq!(r.bound, "");
    }
    // Down only after the round: it decided already, like the others.
    let late = format!("{CRASH}crash_at_ms = 150\nrecover_at_ms = 200\n");
    for r in &run_scenario(&scenario(&late)).unwrap().records {
        assert!(r.agreement && r.validity && r.termination, "{}", r.reason);
    }
}

/// Oral messages under crash-recover: outside (the theorem's honest generals never go down).
#[test]
fn crash_recover_is_outside_classical_bounds_and_badly_timed_recovery_is_refused() {
    let text = "n = 4\nt = 1\n[protocol]\nkind = \"oral\"\n[faults]\nbehaviour = \"crash-recover\"\ncrash_at_ms = 10\nrecover_at_ms = 20\n";
    let r = &run_scenario(&scenario(text)).unwrap().records[0];
    assert_eq!(r.bound, "outside");
    assert!(r.bound_rule.contains("up throughout"), "{}", r.bound_rule);
    for (faults, key) in [
        (
            "crash_at_ms = 10\nrecover_at_ms = 5\n",
            "faults.recover_at_ms",
        ),
        ("crash_at_ms = 10\n", "faults.recover_at_ms"),
        (
            "crash_at_ms = 10\nrecover_at_ms = 20\nsybil = 1\n",
            "faults.sybil",
        ),
    ] {
        let text = format!("{BASE}[network]\n[faults]\n").replace(
            "[faults]\nbehaviour = \"equivocate\"\n[network]\n[faults]\n",
            &format!("[network]\n[faults]\nbehaviour = \"crash-recover\"\n{faults}"),
        );
        let err = Scenario::parse("bad.toml", "bad", &text, &[]).unwrap_err();
        assert_eq!(err.key.as_deref(), Some(key), "{faults}: {err}");
    }
    let wrong = BASE.replace(
        "behaviour = \"equivocate\"\n",
        "behaviour = \"crash\"\nrecover_at_ms = 5\n",
    );
    let err = Scenario::parse("bad.toml", "bad", &wrong, &[]).unwrap_err();
    assert_eq!(err.key.as_deref(), Some("faults.recover_at_ms"));
}
