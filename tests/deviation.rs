//! Traitors really deviate: for every protocol and every behaviour, the traitor's transmissions in
//! a trial trace differ from honest behaviour the way the behaviour says (a weaker adversary
//! cannot break a protocol inside its bound, so outcome tests alone would not notice a traitor
//! that silently behaves).
//!
//! A message's *value* is the order its words name (`attack` or `retreat`); its *shape* is the
//! words with the value blanked (`phase 0: votes *`, `* signed by 0, 2 (2 signatures)`).

use byzsim::Scenario;
use byzsim::engine::trace::{Recording, TraceEvent};
use byzsim::trial::{run_trial, traitors_of};
use byzsim::types::SimTime;

const TRIALS: u64 = 10;

/// One traced trial: the trace and the traitors.
struct Traced {
    trace: Recording,
    traitors: Vec<u32>,
}

/// A transmission the trace records: when, from, to, label.
struct Sent {
    at: SimTime,
    from: u32,
    to: u32,
    label: String,
    /// A flooded envelope passed on, not the sender's own transmission.
    relay: bool,
}

impl Traced {
    fn sent(&self) -> Vec<Sent> {
        self.trace
            .events()
            .iter()
            .filter_map(|e| match e {
                TraceEvent::Send {
                    at,
                    from,
                    to,
                    msg,
                    relay,
                    ..
                } => Some(Sent {
                    at: *at,
                    from: from.0,
                    to: to.0,
                    label: self.trace.message(*msg).words.clone(),
                    relay: *relay,
                }),
                _ => None,
            })
            .collect()
    }

    /// What the traitors transmitted.
    fn by_traitors(&self) -> Vec<Sent> {
        let sent = self.sent();
        sent.into_iter()
            .filter(|s| self.traitors.contains(&s.from))
            .collect()
    }

    fn traitor_timers(&self) -> usize {
        (self.trace.events().iter())
            .filter(
                |e| matches!(e, TraceEvent::Timer { node, .. } if self.traitors.contains(&node.0)),
            )
            .count()
    }
}

/// Every protocol kind with a small configuration, general 0 a commander where there is one.
const PROTOCOLS: [(&str, &str); 8] = [
    ("vote", ""),
    ("signed-flood", ""),
    ("oral", "m = 1\n"),
    ("signed", "m = 1\n"),
    ("dolev-strong", ""),
    ("phase-king", "inputs = \"attack\"\n"),
    ("pow", ""),
    ("pbft", "inputs = \"attack\"\n"),
];

/// The `[pow]` table: short runs (a silent commander never pays, so the loyal miners would mine
/// on until the default time limit).
const POW: &str = "[pow]\nblock_interval_ms = 1000\nblocks = 20\n[limits]\nmax_time_ms = 60000\n";

fn scenario(kind: &str, protocol: &str, n: usize, t: usize, faults: &str) -> Scenario {
    let pow = if kind == "pow" { POW } else { "" };
    let text = format!(
        "n = {n}\nt = {t}\ntrials = {TRIALS}\nseed = 11\n[protocol]\nkind = \"{kind}\"\n{protocol}\
         [network]\nlatency_ms = {{ min = 1, max = 10 }}\nround_ms = 100\n[faults]\n{faults}{pow}"
    );
    Scenario::parse("<test>", "deviation", &text, &[]).unwrap_or_else(|e| panic!("{kind}: {e}"))
}

/// Every trial of `sc`, traced.
fn traced(sc: &Scenario) -> Vec<Traced> {
    let kind = sc.kinds[0];
    (0..sc.trials)
        .map(|i| {
            let seed = sc.seed + i;
            let trace = run_trial(sc, kind, i, seed, true).unwrap().trace.unwrap();
            let traitors = (traitors_of(sc, seed).iter().enumerate())
                .filter(|(_, t)| **t)
                .map(|(v, _)| v as u32)
                .collect();
            Traced { trace, traitors }
        })
        .collect()
}

/// Each generic behaviour with general 0 (the commander) the one traitor among five.
fn generic(kind: &str, protocol: &str, faults: &str) -> Vec<Traced> {
    let faults = format!("{faults}who = [0]\n");
    traced(&scenario(kind, protocol, 5, 1, &faults))
}

fn value(label: &str) -> Option<&'static str> {
    ["attack", "retreat"]
        .into_iter()
        .find(|v| label.contains(v))
}

fn shape(label: &str) -> String {
    label.replace("attack", "*").replace("retreat", "*")
}

/// Whether some message the traitors sent at one instant carries both values, to different
/// recipients.
fn equivocates(sent: &[Sent]) -> bool {
    sent.iter().any(|a| {
        sent.iter().any(|b| {
            a.at == b.at
                && a.from == b.from
                && a.to != b.to
                && shape(&a.label) == shape(&b.label)
                && value(&a.label).is_some()
                && value(&b.label).is_some()
                && value(&a.label) != value(&b.label)
        })
    })
}

#[test]
fn honest_traitor_sends_and_never_equivocates() {
    for (kind, protocol) in PROTOCOLS {
        for trial in generic(kind, protocol, "behaviour = \"honest\"\n") {
            let sent = trial.by_traitors();
            assert!(!sent.is_empty(), "{kind}: the control sends");
            assert!(
                !equivocates(&sent),
                "{kind}: an honest general tells one story"
            );
        }
    }
}

/// The control is a real control: an `honest` traitor sends exactly what the same general sends
/// when it is loyal (same seed, the traitor another general that behaves honestly too).
#[test]
fn honest_traitor_sends_what_a_loyal_general_sends() {
    for (kind, protocol) in PROTOCOLS {
        let faults = "behaviour = \"honest\"\nwho = [4]\n";
        let loyal = traced(&scenario(kind, protocol, 5, 1, faults));
        for (h, l) in generic(kind, protocol, "behaviour = \"honest\"\n")
            .iter()
            .zip(&loyal)
        {
            let key = |s: &Sent| (s.at, s.to, s.label.clone());
            let from_0 = |t: &Traced| -> Vec<_> {
                t.sent().iter().filter(|s| s.from == 0).map(key).collect()
            };
            assert_eq!(from_0(h), from_0(l), "{kind}");
        }
    }
}

/// `equivocate`: two loyal recipients get different values from the traitor in the same step.
#[test]
fn equivocating_traitor_tells_two_loyal_generals_different_values() {
    for (kind, protocol) in PROTOCOLS {
        for trial in generic(kind, protocol, "behaviour = \"equivocate\"\n") {
            assert!(equivocates(&trial.by_traitors()), "{kind}");
        }
    }
}

/// `silent`: no transmission at all, and no handler runs (no timer of its own fires).
#[test]
fn silent_traitor_transmits_nothing_and_runs_no_handler() {
    for (kind, protocol) in PROTOCOLS {
        for trial in generic(kind, protocol, "behaviour = \"silent\"\n") {
            assert!(trial.by_traitors().is_empty(), "{kind}");
            assert_eq!(trial.traitor_timers(), 0, "{kind}");
        }
    }
}

/// `drop = 1.0`: none of its own sends leaves, though its logic runs (its timers fire where
/// the honest logic sets any).
#[test]
fn dropping_traitor_with_drop_1_sends_nothing_but_keeps_running() {
    for (kind, protocol) in PROTOCOLS {
        let honest = generic(kind, protocol, "behaviour = \"honest\"\n");
        let dropping = generic(kind, protocol, "behaviour = \"drop\"\ndrop = 1.0\n");
        for (h, d) in honest.iter().zip(&dropping) {
            assert!(d.by_traitors().is_empty(), "{kind}");
            if kind == "pbft" {
                // PBFT's timer is a timeout: with the primary's pre-prepare dropped, nobody
                // decides in view 0 and the traitor's own view timer fires too.
                assert!(d.traitor_timers() > 0, "{kind}: the logic still runs");
                continue;
            }
            assert_eq!(
                d.traitor_timers() > 0,
                h.traitor_timers() > 0,
                "{kind}: the logic still runs"
            );
        }
    }
}

/// `crash`: nothing is sent after `crash_at_ms`, and the traitor sends less than its honest
/// self (at the crash instant only a random prefix of a broadcast goes out).
#[test]
fn crashed_traitor_sends_nothing_after_crash_at_and_less_than_honest() {
    for (kind, protocol) in PROTOCOLS {
        let honest = generic(kind, protocol, "behaviour = \"honest\"\n");
        for crash_at_ms in [0u64, 150] {
            let faults = format!("behaviour = \"crash\"\ncrash_at_ms = {crash_at_ms}\n");
            let crashed = generic(kind, protocol, &faults);
            let at = SimTime(crash_at_ms * 1000);
            let (mut sent_honest, mut sent_crashed, mut honest_after) = (0, 0, 0);
            for (h, c) in honest.iter().zip(&crashed) {
                let sent = c.by_traitors();
                assert!(sent.iter().all(|s| s.at <= at), "{kind}, crash at {at:?}");
                sent_crashed += sent.len();
                sent_honest += h.by_traitors().len();
                honest_after += h.by_traitors().iter().filter(|s| s.at > at).count();
            }
            if honest_after > 0 || crash_at_ms == 0 {
                assert!(
                    sent_crashed < sent_honest,
                    "{kind}, crash at {crash_at_ms} ms"
                );
            }
        }
    }
}

/// PBFT's own strategies: an equivocating primary pre-prepares `attack` to the lower half of
/// the loyal backups and `retreat` to the upper half once it can justify both; a silent primary
/// sends no pre-prepare (it withholds them) but still votes in the views after; a
/// vote-withholding traitor sends no prepare or commit but does pre-prepare.
#[test]
fn pbft_strategies_split_the_pre_prepare_or_withhold_what_they_say() {
    let inputs = "inputs = [\"attack\", \"attack\", \"retreat\", \"retreat\", \"retreat\"]\n";
    let faults = "behaviour = \"equivocating-primary\"\nwho = [0]\n";
    for trial in traced(&scenario("pbft", inputs, 5, 1, faults)) {
        let pp: Vec<(u32, String)> = (trial.by_traitors().into_iter())
            .filter(|s| s.label.contains("pre-prepare"))
            .map(|s| (s.to, s.label))
            .collect();
        assert_eq!(pp.len(), 4, "{pp:?}");
        for (to, label) in pp {
            let want = if to <= 2 { "attack" } else { "retreat" };
            assert_eq!(value(&label), Some(want), "{label} to {to}");
        }
    }
    for (behaviour, kept, withheld) in [
        ("silent-primary", "prepare", "pre-prepare"),
        ("withhold-votes", "pre-prepare", "commit"),
    ] {
        let faults = format!("behaviour = \"{behaviour}\"\nwho = [0]\n");
        for trial in traced(&scenario("pbft", inputs, 5, 1, &faults)) {
            let sent = trial.by_traitors();
            assert!(
                !sent.iter().any(|s| s.label.contains(withheld)),
                "{behaviour}"
            );
            assert!(sent.iter().any(|s| s.label.contains(kept)), "{behaviour}");
        }
    }
}

/// Phase King's `with_value`: an equivocating traitor's votes and king messages carry `attack`
/// exactly to the generals of `faults.split` and `retreat` to the others, whatever its own value.
#[test]
fn equivocating_phase_king_traitor_sends_the_flipped_value_to_its_half() {
    for input in ["attack", "retreat"] {
        let protocol = format!("inputs = \"{input}\"\n");
        let faults = "behaviour = \"equivocate\"\nsplit = [1, 2]\nwho = [0]\n";
        for trial in traced(&scenario("phase-king", &protocol, 5, 1, faults)) {
            let sent = trial.by_traitors();
            assert!(sent.iter().any(|s| s.label.contains("king says")));
            for s in &sent {
                let want = if s.to <= 2 { "attack" } else { "retreat" };
                assert_eq!(
                    value(&s.label),
                    Some(want),
                    "input {input}: {} to {}",
                    s.label,
                    s.to
                );
            }
        }
    }
}

/// `lsp-split`: a traitorous commander tells the lower half of the loyal lieutenants `attack`
/// and the rest `retreat`; a traitorous lieutenant under a loyal commander relays the opposite
/// of the order.
#[test]
fn lsp_split_commander_splits_and_lieutenant_flips() {
    for order in ["attack", "retreat"] {
        let protocol = format!("m = 1\nvalue = \"{order}\"\n");
        let commander = "behaviour = \"lsp-split\"\nwho = [0]\n";
        for trial in traced(&scenario("oral", &protocol, 4, 1, commander)) {
            let sent = trial.by_traitors();
            assert_eq!(sent.len(), 3);
            for s in sent {
                let want = if s.to <= 2 { "attack" } else { "retreat" };
                assert_eq!(value(&s.label), Some(want), "{}", s.label);
            }
        }
        let lieutenant = "behaviour = \"lsp-split\"\nwho = [3]\n";
        let flipped = if order == "attack" {
            "retreat"
        } else {
            "attack"
        };
        for trial in traced(&scenario("oral", &protocol, 4, 1, lieutenant)) {
            let sent = trial.by_traitors();
            assert_eq!(sent.len(), 2, "relays of 0:3 to 1 and 2");
            for s in sent {
                assert_eq!(s.label, format!("{flipped} along 0→3"));
            }
        }
    }
}

/// `traitor-king`: every traitor vote and king message tells the lower loyal half `attack` and
/// the upper half `retreat` (the fellow traitor hears the honest value).
#[test]
fn traitor_king_tells_each_loyal_half_its_value() {
    let faults = "behaviour = \"traitor-king\"\nwho = [0, 1]\n";
    for trial in traced(&scenario(
        "phase-king",
        "inputs = \"retreat\"\n",
        9,
        2,
        faults,
    )) {
        let sent = trial.by_traitors();
        assert!(sent.iter().any(|s| s.label.contains("king says")));
        for s in sent.iter().filter(|s| s.to >= 2) {
            let want = if s.to <= 5 { "attack" } else { "retreat" };
            assert_eq!(value(&s.label), Some(want), "{} to {}", s.label, s.to);
        }
    }
}

/// `late-release` against SM(m) and Dolev–Strong: the traitorous commander signs `attack` for
/// every lieutenant; the `retreat` chain, countersigned by r = min(relaying rounds, t − 1) traitor
/// lieutenants in id order, goes to exactly the lower half of the loyal lieutenants at the start
/// of round r + 1, from the last of them; the targets relay it only when relaying rounds remain.
#[test]
fn late_release_sends_the_second_order_through_r_traitors_at_round_r_plus_1() {
    for (kind, n, t, m) in [
        ("signed", 7, 3, 0),
        ("signed", 7, 3, 1),
        ("signed", 7, 3, 2),
        ("signed", 7, 3, 3),
        ("dolev-strong", 7, 3, 3),
        ("dolev-strong", 9, 4, 4),
    ] {
        // Dolev–Strong has no `m`: it relays for t rounds (the cases above give m = t).
        let protocol = if kind == "signed" {
            format!("m = {m}\n")
        } else {
            String::new()
        };
        let faults = "behaviour = \"late-release\"\nwho = \"commander\"\n";
        for trial in traced(&scenario(kind, &protocol, n, t, faults)) {
            let r = m.min(t - 1);
            let route: Vec<u32> = trial.traitors[1..=r].to_vec();
            let loyal: Vec<u32> = (1..n as u32)
                .filter(|v| !trial.traitors.contains(v))
                .collect();
            let targets = &loyal[..loyal.len().div_ceil(2)];
            let sent = trial.sent();
            let first: Vec<u32> = (sent.iter())
                .filter(|s| s.from == 0 && s.label == chain_words("attack", &["0".to_string()]))
                .map(|s| s.to)
                .collect();
            assert_eq!(first, (1..n as u32).collect::<Vec<_>>(), "{kind}");
            let signers: Vec<String> = std::iter::once(0)
                .chain(route.iter().copied())
                .map(|v| v.to_string())
                .collect();
            let late = chain_words("retreat", &signers);
            let mut to: Vec<u32> = (sent.iter())
                .filter(|s| s.label == late)
                .inspect(|s| assert_eq!(s.at, SimTime(r as u64 * 100_000), "{kind}"))
                .inspect(|s| assert_eq!(s.from, route.last().copied().unwrap_or(0), "{kind}"))
                .map(|s| s.to)
                .collect();
            to.sort_unstable();
            assert_eq!(to, targets, "{kind}, m = {m}: {late}");
            // Nothing else: each traitor passes the second order on once, and every chain a
            // traitor sends starts with the commander and has distinct signers.
            let second_by_traitors = (sent.iter())
                .filter(|s| trial.traitors.contains(&s.from) && s.label.starts_with("retreat"))
                .count();
            assert_eq!(second_by_traitors, r + targets.len(), "{kind}, m = {m}");
            assert_well_formed(&trial);
            let relayed_by_loyal =
                (sent.iter()).any(|s| loyal.contains(&s.from) && s.label.starts_with("retreat"));
            let depth = if kind == "signed" { m } else { t };
            assert_eq!(
                relayed_by_loyal,
                r < depth,
                "{kind}, m = {m}: the targets relay in time"
            );
        }
    }
}

/// The most blocks of its own, of distinct heights, a traitor sent at one instant (an honest
/// miner on a complete network sends each block it finds when it finds it: one at a time).
fn largest_burst(trial: &Traced) -> usize {
    let own: Vec<(SimTime, String)> = (trial.by_traitors().into_iter())
        .filter(|s| s.label.starts_with("block ") && s.label.contains(" by general 0,"))
        .map(|s| (s.at, s.label))
        .collect();
    let mut most = 0;
    for (at, _) in &own {
        let mut heights: Vec<&String> = own.iter().filter(|o| o.0 == *at).map(|o| &o.1).collect();
        heights.sort();
        heights.dedup();
        most = most.max(heights.len());
    }
    most
}

fn pow_attack(behaviour: &str, pow: &str) -> Vec<Traced> {
    let faults = format!("behaviour = \"{behaviour}\"\nwho = [0]\n[pow]\n{pow}");
    let text = format!(
        "n = 5\nt = 1\ntrials = {TRIALS}\nseed = 11\n[protocol]\nkind = \"pow\"\nvalue = \"attack\"\n\
         [network]\nlatency_ms = {{ fixed = 1 }}\n[faults]\n{faults}"
    );
    traced(&Scenario::parse("<test>", "deviation", &text, &[]).unwrap_or_else(|e| panic!("{e}")))
}

/// `selfish`: the miner withholds its blocks and publishes a private branch several blocks at
/// a time; an honest miner with the same 40% share never sends two of its blocks at once.
#[test]
fn selfish_miner_publishes_withheld_blocks_in_bursts() {
    let pow = "block_interval_ms = 1000\nblocks = 60\nattacker_share = 0.4\ntie_share = 0.5\n";
    let selfish = pow_attack("selfish", pow);
    let honest = pow_attack("honest", pow);
    assert!(honest.iter().all(|t| largest_burst(t) == 1));
    let bursts = selfish.iter().filter(|t| largest_burst(t) >= 2).count();
    assert!(bursts as u64 == TRIALS, "{bursts} of {TRIALS} trials");
}

/// `double-spend`: the commander pays everyone with one order, `attack`, and never sends the
/// opposite one in the open; its private chain comes out in a burst in the races it wins, which
/// an honest commander-miner never does.
#[test]
fn double_spender_pays_once_then_releases_a_private_chain() {
    let pow = "block_interval_ms = 1000\nblocks = 20\nattacker_share = 0.45\nconfirmations = 1\n";
    let attack = pow_attack("double-spend", pow);
    let honest = pow_attack("honest", pow);
    assert!(honest.iter().all(|t| largest_burst(t) == 1));
    for trial in &attack {
        let orders: Vec<Sent> = (trial.by_traitors().into_iter())
            .filter(|s| s.label.starts_with("order "))
            .collect();
        assert_eq!(orders.len(), 4, "one payment to each of the others");
        assert!(orders.iter().all(|s| s.label == "order attack"));
    }
    let bursts = attack.iter().filter(|t| largest_burst(t) >= 2).count();
    assert!(bursts > 0, "no race won in {TRIALS} trials");
}

/// A signature chain in words: `retreat signed by 0, 2 (2 signatures)`.
fn chain_words(value: &str, signers: &[String]) -> String {
    let k = signers.len();
    let plural = if k == 1 { "" } else { "s" };
    format!(
        "{value} signed by {} ({k} signature{plural})",
        signers.join(", ")
    )
}

/// The signers a chain's words name, in order.
fn chain_signers(words: &str) -> Vec<&str> {
    let after = words.split(" signed by ").nth(1).unwrap_or("");
    let list = after.split(" (").next().unwrap_or("");
    list.split(", ").collect()
}

/// Every chain a traitor sends of its own starts with the commander and has distinct signers.
fn assert_well_formed(trial: &Traced) {
    for s in trial.by_traitors().iter().filter(|s| !s.relay) {
        let signers = chain_signers(&s.label);
        let mut distinct = signers.clone();
        distinct.sort_unstable();
        distinct.dedup();
        assert!(
            signers[0] == "0" && distinct.len() == signers.len(),
            "{}",
            s.label
        );
    }
}

/// Over flooding every general sees every chain, its own countersigned ones included: a route
/// traitor still passes the second order on once and never countersigns a chain it is on.
#[test]
fn late_release_over_flooding_countersigns_each_chain_once() {
    let net = "[network]\ntopology = \"random-regular\"\ndegree = 4\ntransport = \"flooding\"\nround_ms = 200\n";
    for kind in ["signed", "dolev-strong"] {
        let text = format!(
            "n = 10\nt = 3\ntrials = {TRIALS}\nseed = 11\n[protocol]\nkind = \"{kind}\"\n{net}\
             [faults]\nbehaviour = \"late-release\"\nwho = \"commander\"\n"
        );
        let sc = Scenario::parse("<test>", "deviation", &text, &[]).unwrap();
        for trial in traced(&sc) {
            assert_well_formed(&trial);
            let mut second: Vec<String> = (trial.by_traitors().into_iter())
                .filter(|s| !s.relay && s.label.starts_with("retreat"))
                .map(|s| s.label)
                .collect();
            second.sort();
            second.dedup();
            assert_eq!(
                second.len(),
                3,
                "{kind}: the commander and two route traitors sign once"
            );
        }
    }
}
