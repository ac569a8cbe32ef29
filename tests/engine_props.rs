//! Properties of the engine over arbitrary small scenarios (proptest): no transmission arrives
//! before it was sent plus the minimum latency (nor after the maximum), none arrives twice, a
//! flooded envelope reaches a general's logic at most once, and the counters agree with the trace.

use std::collections::BTreeMap;

use byzsim::Scenario;
use byzsim::engine::trace::TraceEvent;
use byzsim::protocol::Kind;
use byzsim::trial::run_trial;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestCaseError;

#[derive(Debug, Clone)]
struct Config {
    n: usize,
    t: usize,
    kind: &'static str,
    topology: &'static str,
    flooding: bool,
    latency: (&'static str, u64, u64),
    loss: f64,
    behaviour: &'static str,
    seed: u64,
}

impl Config {
    fn toml(&self) -> String {
        let (dist, a, b) = self.latency;
        let latency = match dist {
            "fixed" => format!("{{ fixed = {a} }}"),
            "uniform" => format!("{{ min = {a}, max = {} }}", a + b),
            _ => format!("{{ mean = {}, dist = \"exponential\" }}", a.max(1)),
        };
        let topology = match self.topology {
            "random-regular" => "topology = \"random-regular\"\ndegree = 2".to_string(),
            other => format!("topology = \"{other}\""),
        };
        format!(
            "n = {}\nt = {}\nseed = {}\n[protocol]\nkind = \"{}\"\n[network]\n{topology}\ntransport = \"{}\"\nlatency_ms = {latency}\nloss = {}\nround_ms = 50\n[faults]\nbehaviour = \"{}\"\n[limits]\nmax_events = 200000\n",
            self.n,
            self.t,
            self.seed,
            self.kind,
            if self.flooding { "flooding" } else { "direct" },
            self.loss,
            self.behaviour
        )
    }
}

fn config() -> impl Strategy<Value = Config> {
    (
        3usize..9,
        0usize..3,
        prop::sample::select(vec!["vote", "signed-flood"]),
        prop::sample::select(vec!["complete", "ring", "random-regular"]),
        any::<bool>(),
        (
            prop::sample::select(vec!["fixed", "uniform", "exponential"]),
            0u64..20,
            0u64..20,
        ),
        prop::sample::select(vec![0.0, 0.1, 0.5]),
        prop::sample::select(vec!["honest", "crash", "drop", "equivocate", "silent"]),
        0u64..=byzsim::rng::SEED_MASK,
    )
        .prop_map(
            |(n, t, kind, topology, flooding, latency, loss, behaviour, seed)| Config {
                n,
                t: t.min(n - 1),
                kind,
                topology,
                // Direct links on an incomplete graph are refused: relay over it instead.
                flooding: flooding || topology != "complete",
                latency,
                loss,
                behaviour,
                seed,
            },
        )
}

const CASES: u32 = 200;

proptest! {
    #![proptest_config(ProptestConfig { cases: CASES, ..ProptestConfig::default() })]

    #[test]
    fn deliveries_respect_latency_and_happen_at_most_once(c in config()) {
        check_deliveries(c)?;
    }
}

/// A ring of n < 3 or an odd n × 2 do not exist; those configurations are refused. The test
/// after the property fails if too few cases ran.
#[test]
fn most_generated_configurations_run() {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let mut refused = 0;
    for _ in 0..CASES {
        let c = config().new_tree(&mut runner).unwrap().current();
        if Scenario::parse("<prop>", "prop", &c.toml(), &[]).is_err() {
            refused += 1;
        }
    }
    assert!(
        refused * 5 < CASES,
        "{refused} of {CASES} generated configurations are refused"
    );
}

fn check_deliveries(c: Config) -> Result<(), TestCaseError> {
    let Ok(sc) = Scenario::parse("<prop>", "prop", &c.toml(), &[]) else {
        return Ok(());
    };
    {
        let kind = Kind::parse(c.kind).unwrap();
        let result = run_trial(&sc, kind, 0, c.seed, true).unwrap();
        let trace = result.trace.unwrap();
        let (min_us, max_us) = match c.latency {
            ("fixed", a, _) => (a * 1000, Some(a * 1000)),
            ("uniform", a, b) => (a * 1000, Some((a + b) * 1000)),
            _ => (0, None),
        };
        let mut sent: BTreeMap<u64, (u64, u32, u32)> = BTreeMap::new();
        let mut sends = 0u64;
        let mut lost = 0u64;
        let (mut redundant, mut lost_redundant) = (0u64, 0u64);
        let mut delivered: BTreeMap<u64, u32> = BTreeMap::new();
        let mut handed: BTreeMap<(u32, u32), u32> = BTreeMap::new();
        for e in &trace {
            match e {
                TraceEvent::Send {
                    at, from, to, seq, ..
                } => {
                    sends += 1;
                    match seq {
                        Some(s) => {
                            prop_assert!(sent.insert(*s, (at.0, from.0, to.0)).is_none());
                        }
                        None => lost += 1,
                    }
                }
                TraceEvent::Redundant { lost, .. } => {
                    sends += 1;
                    if *lost {
                        lost_redundant += 1
                    } else {
                        redundant += 1
                    }
                }
                TraceEvent::Deliver {
                    at,
                    from,
                    to,
                    seq,
                    envelope,
                    handed: h,
                } => {
                    let (sent_at, sent_from, sent_to) =
                        *sent.get(seq).expect("delivered without a send");
                    prop_assert_eq!((sent_from, sent_to), (from.0, to.0));
                    prop_assert!(
                        at.0 >= sent_at + min_us,
                        "arrived {} us after the send, min {}",
                        at.0 - sent_at,
                        min_us
                    );
                    if let Some(max) = max_us {
                        prop_assert!(at.0 - sent_at <= max);
                    }
                    *delivered.entry(*seq).or_default() += 1;
                    if let (Some(env), true) = (envelope, h) {
                        *handed.entry((to.0, *env)).or_default() += 1;
                    }
                }
                _ => {}
            }
        }
        prop_assert!(
            delivered.values().all(|&k| k == 1),
            "a transmission arrived twice"
        );
        prop_assert!(
            handed.values().all(|&k| k == 1),
            "an envelope reached a general's logic twice"
        );
        let r = &result.record;
        prop_assert_eq!(r.messages, sends);
        prop_assert_eq!(r.lost, lost + lost_redundant);
        prop_assert_eq!(r.delivered, delivered.len() as u64 + redundant);
        prop_assert!(r.delivered + r.lost <= r.messages);
    }
    Ok(())
}
