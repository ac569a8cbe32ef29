//! The generic adversaries of modern BFT testing, on any protocol: Twins (a traitor run as two
//! honest copies with one key, each talking with its own set of generals) and small-scope
//! message mutation (ByzzFuzz). What they do is checked on the trace; that the protocols survive
//! them inside their bounds is checked in each protocol's suite (tests/pbft.rs).

use byzsim::Scenario;
use byzsim::engine::trace::TraceEvent;
use byzsim::protocol::Kind;
use byzsim::run::run_scenario;
use byzsim::trial::run_trial;

fn scenario(text: &str) -> Scenario {
    Scenario::parse("<adversaries>", "adversaries", text, &[])
        .unwrap_or_else(|e| panic!("{e}\n{text}"))
}

/// (sender, recipient, words) of every transmission of one trial.
fn sends(text: &str, kind: Kind, seed: u64) -> Vec<(u32, u32, String)> {
    let sc = scenario(text);
    let r = run_trial(&sc, kind, 0, seed, true).unwrap();
    let trace = r.trace.unwrap();
    trace
        .events()
        .iter()
        .filter_map(|e| match e {
            TraceEvent::Send { from, to, msg, .. } => {
                Some((from.0, to.0, trace.message(*msg).words.clone()))
            }
            _ => None,
        })
        .collect()
}

/// Twins on PBFT at n = 5 with traitor 0 (the primary of view 0) and sets {1, 2} and {3}: the
/// traitor's transmissions go only to generals of its two sets, general 4 (in neither) hears
/// nothing from it, and both copies act: the primary's pre-prepare reaches both sets, each copy
/// proposing what its own set's inputs justify (inputs: 0, 1, 2 attack; 3, 4 retreat, t = 1: copy
/// A sees t + 1 attacks, copy B sees only its own attack and 3's retreat, so it waits for more).
#[test]
fn twins_copies_talk_only_with_their_own_sets() {
    let text = "n = 5\nt = 1\nseed = 1\n[protocol]\nkind = \"pbft\"\n\
                inputs = [\"attack\", \"attack\", \"attack\", \"retreat\", \"retreat\"]\n\
                view_timeout_ms = 200\n[faults]\nbehaviour = \"twins\"\nwho = [0]\n\
                twins = { 0 = [[1, 2], [3]] }\n[limits]\nmax_time_ms = 20000\n";
    for seed in 0..20 {
        let s = sends(text, Kind::Pbft, seed);
        let from_traitor: Vec<&(u32, u32, String)> = s.iter().filter(|m| m.0 == 0).collect();
        assert!(!from_traitor.is_empty());
        for (_, to, words) in &from_traitor {
            assert!([1, 2, 3].contains(to), "seed {seed}: to {to}: {words}");
        }
        let pre_prepares_to = |g: u32| {
            from_traitor
                .iter()
                .filter(|m| m.1 == g && m.2.contains("pre-prepare"))
                .count()
        };
        assert!(
            pre_prepares_to(1) >= 1 && pre_prepares_to(2) >= 1,
            "seed {seed}"
        );
        // Copy B alone speaks to 3: it signs its own input for the later views' primaries too.
        assert!(from_traitor.iter().any(|m| m.1 == 3), "seed {seed}");
        let r = &run_scenario(&scenario(text)).unwrap().records[0];
        assert!(r.agreement && r.validity, "{}", r.reason);
    }
}

/// Without `faults.twins` the sets are drawn per trial: two non-empty halves of the others,
/// different across trials, the same for the same seed.
#[test]
fn twins_sets_are_drawn_per_trial_and_replay() {
    let text =
        "n = 7\nt = 1\n[protocol]\nkind = \"vote\"\n[faults]\nbehaviour = \"twins\"\nwho = [3]\n";
    let mut seen = std::collections::BTreeSet::new();
    for seed in 0..12 {
        let s = sends(text, Kind::Vote, seed);
        assert_eq!(s, sends(text, Kind::Vote, seed), "replays");
        let mut to: Vec<u32> = s.iter().filter(|m| m.0 == 3).map(|m| m.1).collect();
        to.sort_unstable();
        to.dedup();
        // Vote: each copy sends its vote to its own set only, so the traitor reaches all six
        // others exactly once, and the sets it drew were two non-empty halves.
        assert_eq!(to, vec![0, 1, 2, 4, 5, 6], "seed {seed}");
        assert_eq!(s.iter().filter(|m| m.0 == 3).count(), 6, "seed {seed}");
        seen.insert(to.len());
    }
    assert!(!seen.is_empty());
}

/// `mutate` with p = 1 in every round replaces each of the traitor's own transmissions by a
/// mutant (vote: the other value), and with p = 0 it is the honest traitor, byte for byte.
#[test]
fn mutate_replaces_own_messages_with_probability_p() {
    let base = "n = 4\nt = 1\n[protocol]\nkind = \"vote\"\ninputs = [\"attack\", \"attack\", \"attack\", \"attack\"]\n[faults]\nwho = [2]\n";
    let with = |b: &str| format!("{base}{b}");
    for seed in 0..10 {
        let all = sends(
            &with("behaviour = \"mutate\"\nmutate = { p = 1 }\n"),
            Kind::Vote,
            seed,
        );
        let mine: Vec<&String> = all.iter().filter(|m| m.0 == 2).map(|m| &m.2).collect();
        assert_eq!(mine.len(), 3);
        assert!(mine.iter().all(|w| w.as_str() == "retreat"), "{mine:?}");
        let none = sends(
            &with("behaviour = \"mutate\"\nmutate = { p = 0 }\n"),
            Kind::Vote,
            seed,
        );
        let honest = sends(&with("behaviour = \"honest\"\n"), Kind::Vote, seed);
        assert_eq!(none, honest, "seed {seed}");
        // Rounds outside the chosen ones are left alone (vote sends in round 1 only).
        let later = sends(
            &with("behaviour = \"mutate\"\nmutate = { p = 1, rounds = [2, 3] }\n"),
            Kind::Vote,
            seed,
        );
        assert_eq!(later, honest, "seed {seed}");
    }
}

/// Mutation at p = 0.5 splits a broadcast into the message and its mutant: on the naive vote at
/// n = 4, t = 1 with split inputs that is equivocation, and it breaks agreement in some trials
/// (as theory says it must: vote tolerates no traitor); on PBFT it breaks nothing.
#[test]
fn mutation_breaks_the_naive_vote_and_not_pbft() {
    let text = |kind: &str| {
        format!(
            "n = 4\nt = 1\ntrials = 60\nseed = 5\n[protocol]\nkind = \"{kind}\"\n\
             inputs = [\"attack\", \"retreat\", \"attack\", \"retreat\"]\n[faults]\n\
             behaviour = \"mutate\"\nwho = [3]\n"
        )
    };
    let vote = run_scenario(&scenario(&text("vote"))).unwrap().records;
    let broken = vote.iter().filter(|r| !r.agreement).count();
    assert!(
        broken > 0 && broken < vote.len(),
        "{broken} of {}",
        vote.len()
    );
    let pbft = run_scenario(&scenario(&text("pbft"))).unwrap().records;
    for r in &pbft {
        assert!(r.agreement && r.validity && r.termination, "{}", r.reason);
    }
}

/// A scripted `mutate-K` choice sends mutant K (mod how many there are) of PBFT's
/// `mutations`, signed by the traitor: here its request to the primary in another value.
#[test]
fn scripted_mutation_choices_replay() {
    let text = "n = 4\nt = 1\nseed = 2\n[protocol]\nkind = \"pbft\"\n\
                inputs = [\"attack\", \"attack\", \"attack\", \"attack\"]\n[faults]\n\
                behaviour = \"scripted\"\nwho = [3]\nscript = [{ 0 = [\"mutate\"] }]\n";
    let s = sends(text, Kind::Pbft, 9);
    let first = s.iter().find(|m| m.0 == 3 && m.1 == 0).unwrap();
    assert!(first.2.contains("retreat"), "{}", first.2);
    let r = &run_scenario(&scenario(text)).unwrap().records[0];
    assert!(r.agreement && r.validity && r.termination, "{}", r.reason);
}
