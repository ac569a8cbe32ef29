//! The `disjoint-paths` transport: Dolev's (1982) reliable transmission makes "connectivity >
//! 2t" (oral messages) and "connectivity > t" (signatures) sufficient on sparse graphs, a graph
//! below the connectivity can be broken by traitors on a vertex cut, a message costs exactly the
//! sum of its paths' hops, and the path finder finds as many vertex-disjoint paths as Menger's
//! theorem says exist.

use byzsim::NodeId;
use byzsim::Scenario;
use byzsim::engine::paths::{Routes, needed};
use byzsim::record::RunRecord;
use byzsim::rng::{Stream, stream};
use byzsim::run::run_scenario;
use byzsim::topology::{Topology, TopologySpec};
use proptest::prelude::*;

fn edges_toml(edges: &[(u32, u32)]) -> String {
    let list: Vec<String> = edges.iter().map(|(a, b)| format!("[{a}, {b}]")).collect();
    format!("[{}]", list.join(", "))
}

/// The circulant graph C_n(1, …, d): each general adjacent to the d nearest on either side;
/// its vertex connectivity is 2d when n > 4d (a Harary graph).
fn circulant(n: u32, d: u32) -> Vec<(u32, u32)> {
    let mut edges = Vec::new();
    for v in 0..n {
        for j in 1..=d {
            let w = (v + j) % n;
            edges.push((v.min(w), v.max(w)));
        }
    }
    edges.sort_unstable();
    edges.dedup();
    edges
}

/// Two cliques `0..a` and the last `b` generals, joined through the `cut` generals in between,
/// each adjacent to everyone (so the cut generals are a vertex cut of size `cut`).
fn two_cliques_through_a_cut(a: u32, cut: u32, b: u32) -> Vec<(u32, u32)> {
    let n = a + cut + b;
    let side = |v: u32| {
        if v < a {
            0
        } else if v < a + cut {
            1
        } else {
            2
        }
    };
    let mut edges = Vec::new();
    for u in 0..n {
        for v in u + 1..n {
            if side(u) == side(v) || side(u) == 1 || side(v) == 1 {
                edges.push((u, v));
            }
        }
    }
    edges
}

fn topology(n: usize, edges: &[(u32, u32)]) -> Topology {
    let spec = TopologySpec::Edges(edges.to_vec());
    Topology::build(&spec, n, &mut stream(0, Stream::Topology), false).unwrap()
}

/// Runs `kind` over disjoint paths (or `transport`) on the graph `edges`.
#[allow(clippy::too_many_arguments)]
fn run(
    kind: &str,
    n: usize,
    t: usize,
    edges: &[(u32, u32)],
    transport: &str,
    round_ms: u64,
    faults: &str,
    trials: u64,
) -> Vec<RunRecord> {
    let text = format!(
        "n = {n}\nt = {t}\ntrials = {trials}\nseed = 11\n[protocol]\nkind = \"{kind}\"\n\
         [network]\ntopology = \"edges\"\nedges = {}\ntransport = \"{transport}\"\n\
         latency_ms = {{ min = 1, max = 10 }}\nround_ms = {round_ms}\n[faults]\n{faults}\n",
        edges_toml(edges)
    );
    let sc = Scenario::parse("<test>", "disjoint", &text, &[]).unwrap_or_else(|e| panic!("{e}"));
    run_scenario(&sc).unwrap().records
}

/// A round long enough for the longest path of the table (10 ms worst latency per hop).
/// A round just longer than the longest route's worst delivery (hops × 10 ms): a message
/// taking exactly a round would arrive after the round's end.
fn round_ms(graph: &Topology, k: usize) -> u64 {
    10 * Routes::new(graph, k).max_hops() as u64 + 1
}

fn holds(r: &RunRecord) -> bool {
    r.agreement && r.validity && r.termination
}

/// Dolev 1982: with n > 3t and connectivity > 2t, oral messages reach agreement on a graph.
/// Equivocating traitors lie as senders and tamper with every copy they relay; a majority of
/// the 2t + 1 disjoint paths is honest, so every trial holds. The same traitors break both
/// protocols under flooding (first copy wins), so the adversary has teeth.
#[test]
fn oral_and_phase_king_hold_on_a_sparse_graph_with_connectivity_above_2t() {
    let (n, t) = (10, 2);
    let edges = circulant(n as u32, 3);
    let graph = topology(n, &edges);
    assert_eq!(graph.vertex_connectivity(), 6);
    assert!(graph.edge_count() < n * (n - 1) / 2);
    let round = round_ms(&graph, needed(t, false));
    for kind in ["oral", "phase-king"] {
        let faults = "behaviour = \"equivocate\"";
        let records = run(kind, n, t, &edges, "disjoint-paths", round, faults, 30);
        for r in &records {
            assert_eq!(r.bound, "inside", "{kind}: {}", r.bound_rule);
            assert!(holds(r), "{kind} seed {}: {}", r.seed, r.reason);
        }
        let flooded = run(kind, n, t, &edges, "flooding", round * 3, faults, 30);
        assert!(
            flooded.iter().any(|r| !r.agreement || !r.validity),
            "{kind}: tampering relays should beat flooding"
        );
    }
}

/// Dolev 1982, the other direction: with connectivity 2 = 2t for t = 1, one traitor on the
/// vertex cut leaves only one honest copy of each message across the cut, never a majority of
/// the two paths: the far side never hears the commander or the near side, and a silent
/// traitor there breaks validity and agreement in every trial. The same traitor off the cut
/// does no harm.
#[test]
fn below_connectivity_2t_plus_1_a_traitor_on_a_vertex_cut_breaks_oral() {
    let (n, t) = (8, 1);
    let edges = two_cliques_through_a_cut(3, 2, 3);
    let graph = topology(n, &edges);
    assert_eq!(graph.vertex_connectivity(), 2);
    let round = round_ms(&graph, needed(t, false));
    for behaviour in ["silent", "equivocate"] {
        let on_cut = format!("behaviour = \"{behaviour}\"\nwho = [3]");
        let records = run("oral", n, t, &edges, "disjoint-paths", round, &on_cut, 10);
        for r in &records {
            assert_eq!(r.bound, "outside", "{}", r.bound_rule);
            assert!(
                r.bound_rule.contains("connectivity > 2t"),
                "{}",
                r.bound_rule
            );
        }
        assert!(
            records.iter().any(|r| !r.validity || !r.agreement),
            "{behaviour} on the cut should break OM(1)"
        );
    }
    let silent_on_cut = run(
        "oral",
        n,
        t,
        &edges,
        "disjoint-paths",
        round,
        "behaviour = \"silent\"\nwho = [3]",
        10,
    );
    for r in &silent_on_cut {
        assert!(!r.validity && !r.agreement, "{r:?}");
    }
    let off_cut = run(
        "oral",
        n,
        t,
        &edges,
        "disjoint-paths",
        round,
        "behaviour = \"silent\"\nwho = [7]",
        10,
    );
    assert!(off_cut.iter().all(holds));
}

/// Dolev 1982 with signatures: connectivity > t suffices. Two traitors on a three-general cut
/// withhold everything they should relay (and send nothing); the third path carries each
/// signed chain, so Dolev–Strong holds in every trial. With the whole cut traitorous
/// (connectivity = t) the far side never hears the commander.
#[test]
fn dolev_strong_holds_with_connectivity_above_t_and_withholding_relays() {
    let n = 9;
    let edges = two_cliques_through_a_cut(3, 3, 3);
    let graph = topology(n, &edges);
    assert_eq!(graph.vertex_connectivity(), 3);
    let round = round_ms(&graph, needed(3, true));
    for faults in [
        "behaviour = \"silent\"\nwho = [3, 4]",
        "behaviour = \"drop\"\ndrop = 1.0\nwho = [3, 4]",
        "behaviour = \"drop\"\ndrop = 0.5",
    ] {
        let records = run(
            "dolev-strong",
            n,
            2,
            &edges,
            "disjoint-paths",
            round,
            faults,
            20,
        );
        for r in &records {
            assert_eq!(r.bound, "inside", "{}", r.bound_rule);
            assert!(holds(r), "{faults}, seed {}: {}", r.seed, r.reason);
        }
        assert!(records.iter().any(|r| r.withheld > 0));
    }
    let whole_cut = "behaviour = \"silent\"\nwho = [3, 4, 5]";
    let records = run(
        "dolev-strong",
        n,
        3,
        &edges,
        "disjoint-paths",
        round,
        whole_cut,
        5,
    );
    for r in &records {
        assert_eq!(r.bound, "outside", "{}", r.bound_rule);
        assert!(!r.validity, "the far side cannot hear the commander");
    }
}

/// Every hop of every copy is one transmission: an honest run sends, per logical message, the
/// sum of the hops of the pair's disjoint paths, exactly.
#[test]
fn an_honest_run_sends_the_sum_of_the_path_lengths_per_message() {
    let (n, t) = (10, 2);
    let edges = circulant(n as u32, 2);
    let graph = topology(n, &edges);
    let hops = |routes: &Routes, u: u32, v: u32| routes.hops_per_message(NodeId(u), NodeId(v));
    let honest = "behaviour = \"honest\"";
    // vote: every general sends its vote to every other once (unsigned: 2t + 1 paths).
    let unsigned = Routes::new(&graph, needed(t, false));
    let expected: usize = (0..n as u32)
        .flat_map(|u| (0..n as u32).filter(move |&v| v != u).map(move |v| (u, v)))
        .map(|(u, v)| hops(&unsigned, u, v))
        .sum();
    for r in run("vote", n, t, &edges, "disjoint-paths", 100, honest, 3) {
        assert_eq!(r.messages as usize, expected);
        assert_eq!(r.delivered, r.messages);
    }
    // dolev-strong: the commander to everyone, then each lieutenant to everyone but the
    // commander and itself (signed: t + 1 paths).
    let signed = Routes::new(&graph, needed(t, true));
    let commander: usize = (1..n as u32).map(|v| hops(&signed, 0, v)).sum();
    let relays: usize = (1..n as u32)
        .flat_map(|u| (1..n as u32).filter(move |&w| w != u).map(move |w| (u, w)))
        .map(|(u, w)| hops(&signed, u, w))
        .sum();
    let round = round_ms(&graph, needed(t, true));
    for r in run(
        "dolev-strong",
        n,
        t,
        &edges,
        "disjoint-paths",
        round,
        honest,
        3,
    ) {
        assert!(holds(&r));
        assert_eq!(r.messages as usize, commander + relays);
    }
}

/// The same scenario and seed give the same rows, trial for trial.
#[test]
fn disjoint_paths_runs_are_reproducible() {
    let edges = circulant(9, 2);
    let faults = "behaviour = \"equivocate\"";
    let a = run("phase-king", 9, 2, &edges, "disjoint-paths", 60, faults, 8);
    let b = run("phase-king", 9, 2, &edges, "disjoint-paths", 60, faults, 8);
    assert_eq!(a, b);
}

#[test]
fn validation_names_the_transport_and_refuses_what_it_cannot_run() {
    let parse = |extra: &str| {
        let text = format!("n = 4\nt = 1\n[protocol]\nkind = \"oral\"\n{extra}");
        Scenario::parse("<test>", "v", &text, &[])
    };
    let e = parse("[network]\ntransport = \"paths\"").unwrap_err();
    assert!(e.message.contains("disjoint-paths"), "{e}");
    let e = parse("[network]\ntransport = \"disjoint-paths\"\nconnected = false").unwrap_err();
    assert_eq!(e.key.as_deref(), Some("network.connected"));
    let e = parse(
        "[network]\ntransport = \"disjoint-paths\"\ntopology = \"edges\"\nedges = [[0, 1], [2, 3]]",
    )
    .unwrap_err();
    assert_eq!(e.key.as_deref(), Some("network.topology"));
    let pow = "n = 4\n[protocol]\nkind = \"pow\"\n[network]\ntransport = \"disjoint-paths\"";
    let e = Scenario::parse("<test>", "v", pow, &[]).unwrap_err();
    assert_eq!(e.key.as_deref(), Some("network.transport"));
    // A ring (connectivity 2 < 2t + 1) still runs: outside the bound, not refused.
    assert!(parse("[network]\ntransport = \"disjoint-paths\"\ntopology = \"ring\"").is_ok());
}

/// The largest number of internally vertex-disjoint u–v paths, by brute force (Menger): for
/// non-adjacent u, v the fewest other generals whose removal separates them; an edge u–v adds
/// one path to that count in the graph without the edge.
fn brute_force_local_connectivity(n: usize, edges: &[(u32, u32)], u: usize, v: usize) -> usize {
    let adjacent = edges
        .iter()
        .any(|&(a, b)| (a, b) == (u as u32, v as u32) || (b, a) == (u as u32, v as u32));
    let rest: Vec<(u32, u32)> = edges
        .iter()
        .copied()
        .filter(|&(a, b)| {
            !((a as usize, b as usize) == (u, v) || (b as usize, a as usize) == (u, v))
        })
        .collect();
    let others: Vec<usize> = (0..n).filter(|&x| x != u && x != v).collect();
    let connected_without = |removed: u32| {
        let gone = |x: usize| {
            others
                .iter()
                .position(|&o| o == x)
                .is_some_and(|i| removed & (1 << i) != 0)
        };
        let mut seen = vec![false; n];
        let mut stack = vec![u];
        seen[u] = true;
        while let Some(x) = stack.pop() {
            for &(a, b) in &rest {
                let (a, b) = (a as usize, b as usize);
                for (p, q) in [(a, b), (b, a)] {
                    if p == x && !seen[q] && !gone(q) {
                        seen[q] = true;
                        stack.push(q);
                    }
                }
            }
        }
        seen[v]
    };
    let cut = (0u32..1 << others.len())
        .filter(|&s| !connected_without(s))
        .map(|s| s.count_ones() as usize)
        .min()
        .expect("removing every other general separates u and v in `rest`");
    cut + usize::from(adjacent)
}

fn check_paths(graph: &Topology, routes: &Routes, u: NodeId, v: NodeId) {
    let mut used = vec![false; graph.n()];
    let mut last_len = 0;
    for i in 0..routes.count(u, v) {
        let path = routes.path(u, v, i);
        assert_eq!(path.first(), Some(&u));
        assert_eq!(path.last(), Some(&v));
        assert!(path.len() >= last_len, "shortest first");
        last_len = path.len();
        for w in path.windows(2) {
            assert!(
                graph.has_edge(w[0], w[1]),
                "{:?} is not an edge",
                (w[0], w[1])
            );
        }
        for &x in &path[1..path.len() - 1] {
            assert!(
                x != u && x != v && !used[x.idx()],
                "paths share general {x:?}"
            );
            used[x.idx()] = true;
        }
        assert_eq!(routes.hops(u, v, i), path.len() - 1);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Menger: the paths found between every pair are as many as the local vertex connectivity
    /// (capped at k), really vertex-disjoint, made of edges, shortest first; reversed for the
    /// reverse direction.
    #[test]
    fn the_path_finder_finds_as_many_disjoint_paths_as_the_local_connectivity(
        n in 2usize..=8,
        bits in proptest::collection::vec(any::<bool>(), 28),
        k in 1usize..=8,
    ) {
        let mut edges = Vec::new();
        let mut b = bits.iter();
        for u in 0..n as u32 {
            for v in u + 1..n as u32 {
                if *b.next().unwrap() {
                    edges.push((u, v));
                }
            }
        }
        let graph = topology(n, &edges);
        let routes = Routes::new(&graph, k);
        let mut max_hops = 0;
        for u in 0..n {
            for v in 0..n {
                let (a, z) = (NodeId(u as u32), NodeId(v as u32));
                if u == v {
                    prop_assert_eq!(routes.count(a, z), 0);
                    continue;
                }
                let local = brute_force_local_connectivity(n, &edges, u, v);
                prop_assert_eq!(routes.count(a, z), local.min(k), "pair {} {}", u, v);
                check_paths(&graph, &routes, a, z);
                for i in 0..routes.count(a, z) {
                    let mut back = routes.path(z, a, i);
                    back.reverse();
                    prop_assert_eq!(routes.path(a, z, i), back);
                    max_hops = max_hops.max(routes.hops(a, z, i));
                }
            }
        }
        prop_assert_eq!(routes.max_hops() as usize, max_hops);
    }
}

/// Signed: each distinct content is handed over once, so a forged copy that arrives first
/// cannot shadow the genuine one. Two traitors on a three-general cut stay silent as generals
/// and flip the value of every signed chain they relay; with equal latencies their forged
/// copies reach the far side first (their paths come first) and fail verification there; the
/// genuine copy over the third path is still handed over.
#[test]
fn a_forged_signed_copy_arriving_first_does_not_shadow_the_genuine_one() {
    use byzsim::engine::network::{Latency, Links, Transport};
    use byzsim::engine::trace::TraceEvent;
    use byzsim::engine::{Limits, Sim};
    use byzsim::general::{Ctx, Setup};
    use byzsim::general::{Relay, Traitor};
    use byzsim::protocol::chain::Chain;
    use byzsim::protocol::dolev_strong::DolevStrong;
    use byzsim::protocol::relay::ChainTimer;
    use byzsim::{SimTime, Value};

    struct Forger;
    impl Traitor<DolevStrong> for Forger {
        fn start(&mut self, _: &mut DolevStrong, _: &mut Ctx<DolevStrong>) {}
        fn on_message(
            &mut self,
            _: &mut DolevStrong,
            _: &mut Ctx<DolevStrong>,
            _: NodeId,
            _: Chain,
        ) {
        }
        fn on_timer(&mut self, _: &mut DolevStrong, _: &mut Ctx<DolevStrong>, _: ChainTimer) {}
        fn relay(&mut self, _: &mut Ctx<DolevStrong>, _: NodeId, msg: &Chain) -> Relay<Chain> {
            Relay::Replace(Chain {
                value: msg.value.flip(),
                links: msg.links.clone(),
            })
        }
    }

    let (n, t) = (9, 2);
    let graph = topology(n, &two_cliques_through_a_cut(3, 3, 3));
    let setup = Setup {
        n,
        t,
        m: t,
        commander: NodeId(0),
        order: Value::Attack,
        inputs: vec![Value::Attack; n],
        neighbours_only: false,
    };
    let links = Links {
        topology: std::sync::Arc::new(graph),
        transport: Transport::DisjointPaths,
        latency: Latency::Fixed(SimTime::from_ms(1)),
        loss: 0.0,
        internet: None,
    };
    let traitors: Vec<Option<Box<dyn Traitor<DolevStrong>>>> = (0..n)
        .map(|v| (v == 3 || v == 4).then(|| Box::new(Forger) as Box<dyn Traitor<DolevStrong>>))
        .collect();
    let limits = Limits::default();
    let round = SimTime::from_ms(10);
    let mut sim = Sim::<DolevStrong>::new(&setup, &(), links, traitors, round, limits, 1);
    sim.record_trace();
    let outcome = sim.run();
    // What general 6 was handed of the commander's own message (the chain it signed alone).
    let trace = outcome.trace.as_ref().unwrap();
    let label_of = |seq: u64| {
        trace.events().iter().find_map(|e| match e {
            TraceEvent::Send {
                seq: Some(s), msg, ..
            } if *s == seq => Some(trace.message(*msg).words.clone()),
            _ => None,
        })
    };
    let handed: Vec<String> = trace
        .events()
        .iter()
        .filter_map(|e| match e {
            TraceEvent::Deliver {
                to,
                seq,
                handed: true,
                ..
            } if *to == NodeId(6) => label_of(*seq),
            _ => None,
        })
        .filter(|label| label.ends_with("signed by 0 (1 signature)"))
        .collect();
    assert_eq!(
        handed,
        [
            "retreat signed by 0 (1 signature)",
            "attack signed by 0 (1 signature)"
        ],
        "forged first, then genuine"
    );
    for (v, d) in outcome.decisions.iter().enumerate() {
        if v != 3 && v != 4 {
            assert_eq!(
                d.map(|(value, _)| value),
                Some(Value::Attack),
                "general {v}"
            );
        }
    }
    assert!(outcome.crypto.verifications_requested > outcome.crypto.signatures);
}

/// The synchrony warning covers the longest disjoint path, not the shortest: on a ring of six
/// the second path between opposite generals is 3 hops, and between neighbours 5.
#[test]
fn a_round_shorter_than_the_longest_path_is_warned_about() {
    let ring = topology(6, &[(0, 1), (1, 2), (2, 3), (3, 4), (4, 5), (0, 5)]);
    assert_eq!(Routes::new(&ring, needed(1, false)).max_hops(), 5);
    let parse = |round_ms: u64| {
        let text = format!(
            "n = 6\nt = 1\n[protocol]\nkind = \"oral\"\n[network]\ntopology = \"ring\"\n\
             transport = \"disjoint-paths\"\nlatency_ms = {{ fixed = 10 }}\nround_ms = {round_ms}\n\
             [faults]\nbehaviour = \"silent\"\n"
        );
        Scenario::parse("<test>", "w", &text, &[]).unwrap().warnings
    };
    assert!(parse(50).is_empty(), "{:?}", parse(50));
    let warned = parse(49);
    assert!(warned.iter().any(|w| w.contains("5 hop(s)")), "{warned:?}");
}
