//! Who can talk to whom: the communication graph of the generals.
//!
//! A scenario names a graph *family* ([`TopologySpec`]); [`Topology::build`] turns it into a
//! concrete undirected simple graph on the generals `0..n`. Messages only travel along edges, so
//! the graph decides which protocols can work at all, and this module also answers the questions
//! the simulator asks about it:
//!
//! * **connectivity** — is the graph connected, and are the honest generals still connected among
//!   themselves once the traitors are taken out ([`Topology::is_connected_without`])?
//! * **diameter** — the longest shortest path in hops, which bounds how many rounds relaying
//!   needs ([`Topology::diameter`]);
//! * **vertex connectivity** κ(G) — Dolev (1982), "The Byzantine generals strike again", shows
//!   that agreement with `t` traitors on an incomplete graph needs κ(G) ≥ 2t + 1 (besides
//!   n ≥ 3t + 1), so the simulator compares κ against the number of traitors
//!   ([`Topology::vertex_connectivity`]). κ is computed exactly with Menger's theorem: the
//!   fewest vertices separating two non-adjacent generals equals the most vertex-disjoint paths
//!   between them, a unit-capacity maximum flow on the graph with every vertex split in two.
//!
//! The families are the complete graph, the ring, random d-regular graphs (pairing model with
//! the Steger–Wormald repair of collisions), Erdős–Rényi G(n, p) graphs (every pair
//! independently with probability p), Watts–Strogatz (1998) small-world graphs (a ring lattice
//! whose edges are rewired with some probability) and an explicit edge list.
//!
//! Random families draw only from the [`SimRng`] they are handed (the trial's
//! `Stream::Topology`) and iterate only over ordered structures, so the same generator state
//! always yields the same graph. The adjacency lists are kept sorted; a petgraph graph is kept
//! alongside for connected components, and κ runs petgraph's Dinic maximum flow on a split copy.
//! The complete graph keeps no petgraph graph: its facts are known in closed form and it may have
//! thousands of generals.

pub mod outbound;
use std::collections::{BTreeSet, VecDeque};
use std::fmt::Write as _;
use std::sync::Mutex;

use petgraph::algo::connected_components;
use petgraph::graph::{NodeIndex, UnGraph};
use rand::Rng;
use rand::seq::SliceRandom;

use crate::rng::SimRng;
use crate::types::NodeId;

/// How many graphs a random family may draw before `require_connected` gives up.
const CONNECTED_DRAWS: usize = 100;

/// How many pairings the random-regular builder may start over before giving up.
const REGULAR_ATTEMPTS: usize = 1000;

/// A family of communication graphs, as named in a scenario.
#[derive(Clone, Debug, PartialEq)]
pub enum TopologySpec {
    /// Every general talks directly to every other (the setting of Lamport, Shostak and Pease).
    Complete,
    /// General `i` talks to `i - 1` and `i + 1` (mod n).
    Ring,
    /// A random simple graph in which every general has exactly `degree` neighbours.
    RandomRegular { degree: u32 },
    /// Erdős–Rényi G(n, p): every pair is joined independently with probability `p`.
    ErdosRenyi { p: f64 },
    /// Watts–Strogatz: a ring lattice joining each general to `degree / 2` neighbours on each
    /// side, each lattice edge then rewired with probability `rewire`.
    SmallWorld { degree: u32, rewire: f64 },
    /// An explicit list of undirected edges; `(a, b)` and `(b, a)` are the same edge and
    /// duplicates are merged.
    Edges(Vec<(u32, u32)>),
    /// Each general opens outbound links, as many as the measured distribution of Bitcoin
    /// nodes draws (`network.degree_distribution = "bitcoin"`; see [`outbound`]).
    BitcoinOutbound,
}

impl TopologySpec {
    /// The family's name as written in scenario files.
    pub fn name(&self) -> &'static str {
        match self {
            TopologySpec::Complete => "complete",
            TopologySpec::Ring => "ring",
            TopologySpec::RandomRegular { .. } => "random-regular",
            TopologySpec::ErdosRenyi { .. } => "erdos-renyi",
            TopologySpec::SmallWorld { .. } => "small-world",
            TopologySpec::Edges(_) => "edges",
            TopologySpec::BitcoinOutbound => "bitcoin-outbound",
        }
    }

    /// Whether building draws from the random generator (a small-world graph with `rewire = 0`
    /// is the plain ring lattice and draws nothing).
    pub fn is_random(&self) -> bool {
        match self {
            TopologySpec::RandomRegular { .. }
            | TopologySpec::ErdosRenyi { .. }
            | TopologySpec::BitcoinOutbound => true,
            TopologySpec::SmallWorld { rewire, .. } => *rewire > 0.0,
            TopologySpec::Complete | TopologySpec::Ring | TopologySpec::Edges(_) => false,
        }
    }

    /// Undirected edges a graph of the family on `n` generals has (expected, for a random one),
    /// computed without building it: the cheap check before a graph too large is built.
    pub fn expected_edges(&self, n: usize) -> f64 {
        let n_f = n as f64;
        let pairs = n_f * (n_f - 1.0) / 2.0;
        match self {
            TopologySpec::Complete => pairs,
            TopologySpec::Ring => n_f,
            TopologySpec::RandomRegular { degree } | TopologySpec::SmallWorld { degree, .. } => {
                (n_f * *degree as f64 / 2.0).min(pairs)
            }
            TopologySpec::ErdosRenyi { p } => pairs * p,
            TopologySpec::Edges(edges) => edges.len() as f64,
            TopologySpec::BitcoinOutbound => (n_f * outbound::mean_outbound()).min(pairs),
        }
    }

    /// Checks the parameters against `n` generals without building anything.
    ///
    /// Every family needs `n ≥ 1`; a ring needs `n ≥ 3`; a random-regular graph needs
    /// `degree < n` and `n × degree` even; a small-world graph needs an even `degree` with
    /// `2 ≤ degree < n` and `rewire` in [0, 1]; an Erdős–Rényi graph needs `p` in [0, 1]; an edge
    /// list needs every endpoint below `n` and no self-loops.
    pub fn check(&self, n: usize) -> Result<(), TopologyError> {
        if n == 0 {
            return Err(TopologyError::NoGenerals);
        }
        if u32::try_from(n).is_err() {
            return Err(TopologyError::TooManyGenerals { n });
        }
        match self {
            TopologySpec::Complete => Ok(()),
            TopologySpec::Ring if n < 3 => Err(TopologyError::RingTooSmall { n }),
            TopologySpec::Ring => Ok(()),
            TopologySpec::RandomRegular { degree } => check_regular(n, *degree),
            TopologySpec::ErdosRenyi { p } => check_probability("erdos-renyi p", *p),
            TopologySpec::SmallWorld { degree, rewire } => check_small_world(n, *degree, *rewire),
            TopologySpec::Edges(edges) => check_edges(n, edges),
            TopologySpec::BitcoinOutbound => Ok(()),
        }
    }

    /// "erdos-renyi graph with n = 10, p = 0.01": the family and its parameters, for messages.
    fn describe(&self, n: usize) -> String {
        let params = match self {
            TopologySpec::RandomRegular { degree } => format!(", degree = {degree}"),
            TopologySpec::ErdosRenyi { p } => format!(", p = {p}"),
            TopologySpec::SmallWorld { degree, rewire } => {
                format!(", degree = {degree}, rewire = {rewire}")
            }
            TopologySpec::Complete
            | TopologySpec::Ring
            | TopologySpec::Edges(_)
            | TopologySpec::BitcoinOutbound => String::new(),
        };
        format!("{} graph with n = {n}{params}", self.name())
    }

    /// What to change when the family keeps producing disconnected graphs.
    fn connect_hint(&self) -> &'static str {
        match self {
            TopologySpec::ErdosRenyi { .. } => "raise p",
            TopologySpec::RandomRegular { .. } => "raise the degree",
            TopologySpec::BitcoinOutbound => "draw again with another seed",
            TopologySpec::SmallWorld { .. } => "lower rewire or raise the degree",
            TopologySpec::Edges(_) => "add edges joining the parts",
            TopologySpec::Complete | TopologySpec::Ring => "this cannot happen",
        }
    }
}

fn check_regular(n: usize, degree: u32) -> Result<(), TopologyError> {
    if degree as usize >= n {
        return Err(TopologyError::DegreeTooLarge {
            family: "random-regular",
            n,
            degree,
        });
    }
    if (n * degree as usize) % 2 == 1 {
        return Err(TopologyError::OddDegreeSum { n, degree });
    }
    Ok(())
}

fn check_small_world(n: usize, degree: u32, rewire: f64) -> Result<(), TopologyError> {
    if degree < 2 || degree % 2 == 1 {
        return Err(TopologyError::SmallWorldDegree { degree });
    }
    if degree as usize >= n {
        return Err(TopologyError::DegreeTooLarge {
            family: "small-world",
            n,
            degree,
        });
    }
    check_probability("small-world rewire", rewire)
}

fn check_probability(what: &'static str, value: f64) -> Result<(), TopologyError> {
    if (0.0..=1.0).contains(&value) {
        Ok(())
    } else {
        Err(TopologyError::Probability { what, value })
    }
}

fn check_edges(n: usize, edges: &[(u32, u32)]) -> Result<(), TopologyError> {
    for &(a, b) in edges {
        if let Some(&bad) = [a, b].iter().find(|&&v| v as usize >= n) {
            return Err(TopologyError::EdgeEndpoint { a, b, bad, n });
        }
        if a == b {
            return Err(TopologyError::SelfLoop { v: a });
        }
    }
    Ok(())
}

/// Why a topology cannot be built.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TopologyError {
    /// `n = 0`.
    #[error("a topology needs at least one general, got n = 0")]
    NoGenerals,
    /// `n` beyond what a [`NodeId`] can name.
    #[error("n = {n} generals is more than general ids (u32) can name")]
    TooManyGenerals { n: usize },
    /// A ring of fewer than three generals.
    #[error("a ring needs n ≥ 3, got n = {n}")]
    RingTooSmall { n: usize },
    /// A degree of `n` or more.
    #[error("a {family} graph needs degree < n, got n = {n}, degree = {degree}")]
    DegreeTooLarge {
        family: &'static str,
        n: usize,
        degree: u32,
    },
    /// A regular graph whose degree sum `n × degree` is odd.
    #[error("a random-regular graph needs n × degree even, got n = {n}, degree = {degree}")]
    OddDegreeSum { n: usize, degree: u32 },
    /// A small-world degree that is odd or below 2.
    #[error("a small-world graph needs an even degree ≥ 2, got degree = {degree}")]
    SmallWorldDegree { degree: u32 },
    /// A probability outside [0, 1] (or NaN).
    #[error("{what} must lie in [0, 1], got {value}")]
    Probability { what: &'static str, value: f64 },
    /// An edge naming a general `≥ n`.
    #[error("edge [{a}, {b}] names general {bad} but n = {n}")]
    EdgeEndpoint { a: u32, b: u32, bad: u32, n: usize },
    /// An edge from a general to itself.
    #[error("edge [{v}, {v}] is a self-loop; a general needs no link to itself")]
    SelfLoop { v: u32 },
    /// `require_connected`, and no draw of a random family was connected.
    #[error("no connected {what} in {draws} draws; {hint}")]
    NoConnectedDraw {
        what: String,
        draws: usize,
        hint: &'static str,
    },
    /// `require_connected`, and a deterministic family is disconnected.
    #[error("the {what} is not connected; {hint}")]
    Disconnected { what: String, hint: &'static str },
    /// The random-regular pairing kept getting stuck (practically never happens).
    #[error(
        "could not pair the stubs of a random-regular graph with n = {n}, degree = {degree} \
         into a simple graph in {attempts} attempts"
    )]
    RegularPairingFailed {
        n: usize,
        degree: u32,
        attempts: usize,
    },
}

/// A concrete communication graph on the generals `0..n`: undirected, simple, no self-loops.
#[derive(Debug)]
pub struct Topology {
    /// Sorted neighbour lists, indexed by general.
    adj: Vec<Vec<NodeId>>,
    /// Number of undirected edges.
    edges: usize,
    /// Every pair adjacent.
    complete: bool,
    /// The same graph for petgraph's algorithms; `None` for the complete graph, whose facts are
    /// known in closed form.
    graph: Option<UnGraph<(), ()>>,
    /// What is known of κ(G), filled in as bounds ask (once per graph, however many trials and
    /// protocols share it).
    connectivity: Mutex<Connectivity>,
}

impl Topology {
    /// Builds the graph of family `spec` for `n` generals.
    ///
    /// Random families draw only from `rng`, deterministically. With `require_connected`, a
    /// random family redraws (from the same `rng`, up to 100 times) until the graph is
    /// connected and fails if none is; a deterministic family that is disconnected fails at
    /// once.
    pub fn build(
        spec: &TopologySpec,
        n: usize,
        rng: &mut SimRng,
        require_connected: bool,
    ) -> Result<Topology, TopologyError> {
        spec.check(n)?;
        let draws = if require_connected && spec.is_random() {
            CONNECTED_DRAWS
        } else {
            1
        };
        for _ in 0..draws {
            let topo = Self::draw(spec, n, rng)?;
            if !require_connected || topo.is_connected() {
                return Ok(topo);
            }
        }
        let (what, hint) = (spec.describe(n), spec.connect_hint());
        Err(if spec.is_random() {
            TopologyError::NoConnectedDraw { what, draws, hint }
        } else {
            TopologyError::Disconnected { what, hint }
        })
    }

    /// One graph of the family; parameters already checked.
    fn draw(spec: &TopologySpec, n: usize, rng: &mut SimRng) -> Result<Topology, TopologyError> {
        let adj = match spec {
            TopologySpec::Complete => return Ok(Self::complete(n)),
            TopologySpec::Ring => ring_lattice(n, 2),
            TopologySpec::RandomRegular { degree } => random_regular(n, *degree, rng)?,
            TopologySpec::ErdosRenyi { p } => erdos_renyi(n, *p, rng),
            TopologySpec::SmallWorld { degree, rewire } => small_world(n, *degree, *rewire, rng),
            TopologySpec::Edges(edges) => edge_list(n, edges),
            TopologySpec::BitcoinOutbound => outbound::bitcoin_outbound(n, rng),
        };
        Ok(Self::from_sets(adj))
    }

    /// The complete graph, built directly (no petgraph graph: its facts are closed-form).
    fn complete(n: usize) -> Topology {
        let adj = (0..n as u32)
            .map(|v| (0..n as u32).filter(|&u| u != v).map(NodeId).collect())
            .collect();
        Topology {
            adj,
            edges: n * n.saturating_sub(1) / 2,
            complete: true,
            graph: None,
            connectivity: Mutex::default(),
        }
    }

    /// A topology from neighbour sets (symmetric, no self-loops).
    fn from_sets(sets: Vec<BTreeSet<u32>>) -> Topology {
        let n = sets.len();
        if sets.iter().all(|s| s.len() + 1 == n) {
            return Self::complete(n);
        }
        let adj: Vec<Vec<NodeId>> = sets
            .iter()
            .map(|s| s.iter().copied().map(NodeId).collect())
            .collect();
        let edges = adj.iter().map(Vec::len).sum::<usize>() / 2;
        let mut graph = UnGraph::with_capacity(n, edges);
        for _ in 0..n {
            graph.add_node(());
        }
        for (v, ns) in adj.iter().enumerate() {
            for u in ns.iter().filter(|u| u.idx() > v) {
                graph.add_edge(NodeIndex::new(v), NodeIndex::new(u.idx()), ());
            }
        }
        Topology {
            adj,
            edges,
            complete: false,
            graph: Some(graph),
            connectivity: Mutex::default(),
        }
    }

    /// Number of generals.
    pub fn n(&self) -> usize {
        self.adj.len()
    }

    /// True iff every pair of generals is adjacent (also for a single general).
    pub fn is_complete(&self) -> bool {
        self.complete
    }

    /// The neighbours of `v`, sorted ascending, without `v` itself.
    ///
    /// # Panics
    /// If `v` is not a general of this graph (`v ≥ n`).
    pub fn neighbours(&self, v: NodeId) -> &[NodeId] {
        &self.adj[v.idx()]
    }

    /// Whether `u` and `v` are joined by an edge; false for `u == v` and for ids outside `0..n`.
    pub fn has_edge(&self, u: NodeId, v: NodeId) -> bool {
        if u == v || v.idx() >= self.n() {
            return false;
        }
        match self.adj.get(u.idx()) {
            Some(_) if self.complete => true,
            Some(ns) => ns.binary_search(&v).is_ok(),
            None => false,
        }
    }

    /// Number of undirected edges.
    pub fn edge_count(&self) -> usize {
        self.edges
    }

    /// Whether every general can reach every other (a single general is connected).
    pub fn is_connected(&self) -> bool {
        match &self.graph {
            None => true,
            Some(g) => connected_components(g) == 1,
        }
    }

    /// Whether the generals *not* removed (`removed[v] == false`; entries past the end of
    /// `removed` count as not removed) are connected among themselves, using only paths through
    /// each other. An empty remaining set counts as connected.
    pub fn is_connected_without(&self, removed: &[bool]) -> bool {
        let gone = |v: usize| removed.get(v).copied().unwrap_or(false);
        let Some(start) = (0..self.n()).find(|&v| !gone(v)) else {
            return true;
        };
        let remaining = (0..self.n()).filter(|&v| !gone(v)).count();
        if self.complete {
            return true;
        }
        let dist = self.bfs(start, &gone);
        dist.iter().filter(|d| d.is_some()).count() == remaining
    }

    /// Hop distances from `start` avoiding the vertices for which `gone` holds.
    fn bfs(&self, start: usize, gone: &dyn Fn(usize) -> bool) -> Vec<Option<u32>> {
        let mut dist = vec![None; self.n()];
        dist[start] = Some(0);
        let mut queue = VecDeque::from([start]);
        while let Some(v) = queue.pop_front() {
            let next = dist[v].map_or(0, |d| d + 1);
            for u in self.adj[v].iter().map(|u| u.idx()) {
                if dist[u].is_none() && !gone(u) {
                    dist[u] = Some(next);
                    queue.push_back(u);
                }
            }
        }
        dist
    }

    /// The longest shortest path, in hops; `None` if the graph is disconnected. A complete graph
    /// has diameter 1 (0 for a single general) without any search; otherwise a breadth-first
    /// search runs from every general, O(n·m).
    pub fn diameter(&self) -> Option<u32> {
        if self.complete {
            return Some(u32::from(self.n() > 1));
        }
        if !self.is_connected() {
            return None;
        }
        let keep_all = |_: usize| false;
        (0..self.n())
            .map(|v| self.bfs(v, &keep_all).into_iter().flatten().max())
            .max()
            .flatten()
    }

    /// The longest shortest path among the generals *not* removed, through each other only;
    /// `None` if they are not connected among themselves. 0 when at most one general remains.
    /// A breadth-first search from every remaining general, O(n·m) (closed form when complete).
    pub fn diameter_without(&self, removed: &[bool]) -> Option<u32> {
        let gone = |v: usize| removed.get(v).copied().unwrap_or(false);
        let remaining: Vec<usize> = (0..self.n()).filter(|&v| !gone(v)).collect();
        if self.complete || remaining.len() <= 1 {
            return Some(u32::from(remaining.len() > 1));
        }
        let mut diameter = 0;
        for &v in &remaining {
            let dist = self.bfs(v, &gone);
            let mut reached = 0;
            for d in dist.iter().flatten() {
                reached += 1;
                diameter = diameter.max(*d);
            }
            if reached < remaining.len() {
                return None;
            }
        }
        Some(diameter)
    }

    /// The vertex connectivity κ(G): the fewest generals whose removal disconnects the graph or
    /// leaves a single general. `n − 1` for a complete graph, 0 for a disconnected one.
    ///
    /// Otherwise κ(G) is the minimum, over non-adjacent pairs (s, t), of the most vertex-disjoint
    /// s–t paths (Menger), each found as a unit-capacity maximum flow on the graph with every
    /// general split into an in- and an out-vertex. Only the candidate pairs of Esfahanian and
    /// Hakimi (1984) are tried — a general `v` of minimum degree δ with each non-neighbour, and
    /// the non-adjacent pairs of its neighbours — at most n + δ²/2 flows instead of n²/2.
    pub fn vertex_connectivity(&self) -> usize {
        self.connectivity_capped(self.n())
    }

    /// Whether κ(G) > `k`: what a bound needs, often far cheaper than κ itself (the flows stop
    /// at k + 1 paths).
    pub fn connectivity_exceeds(&self, k: usize) -> bool {
        self.connectivity_capped(k + 1) > k
    }

    /// min(κ(G), `cap`), remembered: a result below its cap is κ itself; one at its cap is a
    /// lower bound that answers every smaller cap.
    pub fn connectivity_capped(&self, cap: usize) -> usize {
        let known = *self.connectivity.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(kappa) = known.exact {
            return kappa.min(cap);
        }
        if cap <= known.at_least {
            return cap;
        }
        let value = self.compute_connectivity(cap);
        let mut known = self.connectivity.lock().unwrap_or_else(|e| e.into_inner());
        if value < cap {
            known.exact = Some(value);
        } else {
            known.at_least = known.at_least.max(value);
        }
        value
    }

    /// min(κ(G), `cap`).
    fn compute_connectivity(&self, cap: usize) -> usize {
        let n = self.n();
        if self.complete {
            return n.saturating_sub(1).min(cap);
        }
        if !self.is_connected() {
            return 0;
        }
        let mut flow = SplitFlow::new(self);
        let min_degree = self.adj.iter().map(Vec::len).min().unwrap_or(0);
        // Each flow needs to find only as many paths as the best separator found so far.
        self.separation_candidates()
            .into_iter()
            .fold(min_degree.min(cap), |best, (s, t)| {
                best.min(flow.disjoint_paths(s, t, best))
            })
    }

    /// Non-adjacent pairs among which some pair is split by a minimum separator S, for a
    /// connected, incomplete graph. Take a general `v` of minimum degree. If some minimum S
    /// misses `v`, it separates `v` from a general in another part, which is not adjacent to
    /// `v`. Otherwise `v` is in S, and since S is minimal `v` has a neighbour in every part of
    /// G − S; two of those neighbours, in different parts, are non-adjacent. So the pairs are:
    /// `v` with each non-neighbour, and the non-adjacent pairs of neighbours of `v`.
    fn separation_candidates(&self) -> Vec<(usize, usize)> {
        let Some(v) = (0..self.n()).min_by_key(|&v| self.adj[v].len()) else {
            return Vec::new();
        };
        let near = &self.adj[v];
        let far = (0..self.n())
            .filter(|&u| u != v && near.binary_search(&NodeId(u as u32)).is_err())
            .map(|u| (v, u));
        let within = near.iter().enumerate().flat_map(|(i, &a)| {
            near[i + 1..]
                .iter()
                .filter(move |&&b| !self.has_edge(a, b))
                .map(move |&b| (a.idx(), b.idx()))
        });
        far.chain(within).collect()
    }

    /// Graphviz DOT of the graph, named `name`. Traitors (`traitor[v] == true`; entries past the
    /// end count as honest) are filled red and labelled "v (traitor)"; one `a -- b;` line per
    /// edge with `a < b`, in sorted order.
    pub fn to_dot(&self, name: &str, traitor: &[bool]) -> String {
        let mut out = format!(
            "graph \"{}\" {{\n  node [shape=circle];\n",
            dot_escape(name)
        );
        for v in 0..self.n() {
            if traitor.get(v).copied().unwrap_or(false) {
                let _ = writeln!(
                    out,
                    "  {v} [label=\"{v} (traitor)\", style=filled, fillcolor=red];"
                );
            } else {
                let _ = writeln!(out, "  {v};");
            }
        }
        for (v, ns) in self.adj.iter().enumerate() {
            for u in ns.iter().filter(|u| u.idx() > v) {
                let _ = writeln!(out, "  {v} -- {u};");
            }
        }
        out.push_str("}\n");
        out
    }
}

/// The most internally vertex-disjoint paths between non-adjacent generals `s` and `t`: the
/// maximum flow from `s_out` to `t_in` in the split network.
/// What a graph's vertex connectivity is known to be.
#[derive(Clone, Copy, Debug, Default)]
struct Connectivity {
    exact: Option<usize>,
    at_least: usize,
}

/// The unit-capacity flow network of vertex-disjoint paths: general `v` becomes `2v` (in) →
/// `2v + 1` (out) with capacity 1, and each edge `{u, v}` becomes arcs `u_out → v_in` and
/// `v_out → u_in`; every arc has a reverse arc for the residual graph. Arcs in compressed rows.
struct SplitFlow {
    /// Arcs of vertex `x` are `first[x]..first[x + 1]`.
    first: Vec<usize>,
    head: Vec<u32>,
    reverse: Vec<usize>,
    initial: Vec<u8>,
    capacity: Vec<u8>,
    /// Breadth-first search state, reused.
    via: Vec<usize>,
    queue: VecDeque<usize>,
}

impl SplitFlow {
    fn new(g: &Topology) -> SplitFlow {
        let n = g.n();
        let mut arcs: Vec<(u32, u32, u8)> = Vec::with_capacity(2 * (n + 2 * g.edges));
        let mut add = |a: usize, b: usize| {
            arcs.push((a as u32, b as u32, 1));
            arcs.push((b as u32, a as u32, 0));
        };
        for v in 0..n {
            add(2 * v, 2 * v + 1);
            for u in &g.adj[v] {
                add(2 * v + 1, 2 * u.idx());
            }
        }
        // Sort by tail, keeping each arc's partner: index pairs (2i, 2i + 1) are partners.
        let mut order: Vec<usize> = (0..arcs.len()).collect();
        order.sort_by_key(|&i| (arcs[i].0, i));
        let mut position = vec![0; arcs.len()];
        for (p, &i) in order.iter().enumerate() {
            position[i] = p;
        }
        let mut first = vec![0; 2 * n + 1];
        for &(tail, _, _) in &arcs {
            first[tail as usize + 1] += 1;
        }
        for x in 0..2 * n {
            first[x + 1] += first[x];
        }
        let head = order.iter().map(|&i| arcs[i].1).collect();
        let reverse = order.iter().map(|&i| position[i ^ 1]).collect();
        let initial: Vec<u8> = order.iter().map(|&i| arcs[i].2).collect();
        SplitFlow {
            first,
            head,
            reverse,
            capacity: initial.clone(),
            initial,
            via: vec![usize::MAX; 2 * n],
            queue: VecDeque::new(),
        }
    }

    /// The most vertex-disjoint paths between the non-adjacent generals `s` and `t`, counted up
    /// to `cap`: one breadth-first search per path found.
    fn disjoint_paths(&mut self, s: usize, t: usize, cap: usize) -> usize {
        self.capacity.copy_from_slice(&self.initial);
        let (source, sink) = (2 * s + 1, 2 * t);
        let mut paths = 0;
        while paths < cap && self.augment(source, sink) {
            paths += 1;
        }
        paths
    }

    /// Finds one augmenting path and pushes a unit along it.
    fn augment(&mut self, source: usize, sink: usize) -> bool {
        const UNSEEN: usize = usize::MAX;
        const START: usize = usize::MAX - 1;
        self.via.fill(UNSEEN);
        self.via[source] = START;
        self.queue.clear();
        self.queue.push_back(source);
        'search: while let Some(x) = self.queue.pop_front() {
            for arc in self.first[x]..self.first[x + 1] {
                let y = self.head[arc] as usize;
                if self.capacity[arc] > 0 && self.via[y] == UNSEEN {
                    self.via[y] = arc;
                    if y == sink {
                        break 'search;
                    }
                    self.queue.push_back(y);
                }
            }
        }
        if self.via[sink] == UNSEEN {
            return false;
        }
        let mut y = sink;
        while self.via[y] != START {
            let arc = self.via[y];
            self.capacity[arc] -= 1;
            self.capacity[self.reverse[arc]] += 1;
            y = self.head[self.reverse[arc]] as usize;
        }
        true
    }
}

/// Escapes a string for a double-quoted DOT identifier.
fn dot_escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

/// Empty neighbour sets for `n` generals.
fn empty_sets(n: usize) -> Vec<BTreeSet<u32>> {
    vec![BTreeSet::new(); n]
}

/// Adds the undirected edge `{a, b}`.
fn join(sets: &mut [BTreeSet<u32>], a: u32, b: u32) {
    sets[a as usize].insert(b);
    sets[b as usize].insert(a);
}

/// The ring lattice joining each general to the `degree / 2` nearest on each side (the ring is
/// `degree = 2`). Needs `degree < n`.
fn ring_lattice(n: usize, degree: u32) -> Vec<BTreeSet<u32>> {
    let mut sets = empty_sets(n);
    let n32 = n as u32;
    for k in 1..=degree / 2 {
        for i in 0..n32 {
            join(&mut sets, i, (i + k) % n32);
        }
    }
    sets
}

/// The explicit edge list; endpoints already checked.
fn edge_list(n: usize, edges: &[(u32, u32)]) -> Vec<BTreeSet<u32>> {
    let mut sets = empty_sets(n);
    for &(a, b) in edges {
        join(&mut sets, a, b);
    }
    sets
}

/// A random `degree`-regular simple graph: the pairing (configuration) model in which pairs
/// that would form a loop or a repeated edge are set aside and their stubs re-paired among
/// themselves (the Steger–Wormald approach, as in networkx), starting over when the leftover
/// stubs admit no valid pair.
fn random_regular(
    n: usize,
    degree: u32,
    rng: &mut SimRng,
) -> Result<Vec<BTreeSet<u32>>, TopologyError> {
    for _ in 0..REGULAR_ATTEMPTS {
        if let Some(sets) = try_pairing(n, degree, rng) {
            return Ok(sets);
        }
    }
    Err(TopologyError::RegularPairingFailed {
        n,
        degree,
        attempts: REGULAR_ATTEMPTS,
    })
}

/// One attempt of [`random_regular`]; `None` if it got stuck.
fn try_pairing(n: usize, degree: u32, rng: &mut SimRng) -> Option<Vec<BTreeSet<u32>>> {
    let mut sets = empty_sets(n);
    let mut stubs: Vec<u32> = (0..n as u32)
        .flat_map(|v| std::iter::repeat_n(v, degree as usize))
        .collect();
    while !stubs.is_empty() {
        stubs.shuffle(rng);
        let mut leftover = Vec::new();
        for pair in stubs.chunks_exact(2) {
            let (a, b) = (pair[0], pair[1]);
            if a != b && !sets[a as usize].contains(&b) {
                join(&mut sets, a, b);
            } else {
                leftover.extend([a, b]);
            }
        }
        leftover.sort_unstable();
        if !leftover.is_empty() && !has_valid_pair(&sets, &leftover) {
            return None;
        }
        stubs = leftover;
    }
    Some(sets)
}

/// Whether two distinct, not yet adjacent generals remain among the sorted `stubs`.
fn has_valid_pair(sets: &[BTreeSet<u32>], stubs: &[u32]) -> bool {
    let mut vs = stubs.to_vec();
    vs.dedup();
    vs.iter()
        .enumerate()
        .any(|(i, &a)| vs[i + 1..].iter().any(|b| !sets[a as usize].contains(b)))
}

/// G(n, p): pairs `(w, v)`, `w < v`, are visited in order of `v` then `w`, each kept with
/// probability `p`. For `0 < p < 1` the gaps between kept pairs are drawn directly from the
/// geometric distribution (Batagelj and Brandes 2005), so sparse graphs cost O(n + m).
fn erdos_renyi(n: usize, p: f64, rng: &mut SimRng) -> Vec<BTreeSet<u32>> {
    let mut sets = empty_sets(n);
    if p <= 0.0 {
        return sets;
    }
    if p >= 1.0 {
        return complete_sets(n);
    }
    let log_q = libm::log1p(-p);
    let (n, mut v, mut w) = (n as i64, 1_i64, -1_i64);
    while v < n {
        let r: f64 = rng.random();
        // Pairs skipped before the next kept one; `as` saturates, so a skip past every
        // remaining pair simply ends the graph.
        let skip = (libm::log1p(-r) / log_q).floor() as i64;
        w = w.saturating_add(1).saturating_add(skip);
        while w >= v && v < n {
            w -= v;
            v += 1;
        }
        if v < n {
            join(&mut sets, w as u32, v as u32);
        }
    }
    sets
}

/// Neighbour sets of the complete graph (only for G(n, 1), which [`Topology::from_sets`]
/// recognises as complete).
fn complete_sets(n: usize) -> Vec<BTreeSet<u32>> {
    (0..n as u32)
        .map(|v| (0..n as u32).filter(|&u| u != v).collect())
        .collect()
}

/// Watts–Strogatz: the ring lattice of `degree`, then, for `k = 1..=degree/2` and each general
/// `i` in order, the lattice edge `(i, i + k)` is rewired with probability `rewire` to
/// `(i, w)`, `w` uniform among the generals not adjacent to `i` (and not `i`); a general
/// already adjacent to everyone keeps its edge.
fn small_world(n: usize, degree: u32, rewire: f64, rng: &mut SimRng) -> Vec<BTreeSet<u32>> {
    let mut sets = ring_lattice(n, degree);
    if rewire <= 0.0 {
        return sets;
    }
    let n32 = n as u32;
    for k in 1..=degree / 2 {
        for i in 0..n32 {
            let j = (i + k) % n32;
            if rng.random::<f64>() >= rewire || !sets[i as usize].contains(&j) {
                continue;
            }
            let free: Vec<u32> = (0..n32)
                .filter(|&w| w != i && !sets[i as usize].contains(&w))
                .collect();
            if free.is_empty() {
                continue;
            }
            let w = free[rng.random_range(0..free.len() as u32) as usize];
            sets[i as usize].remove(&j);
            sets[j as usize].remove(&i);
            join(&mut sets, i, w);
        }
    }
    sets
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Stream, stream};
    use proptest::prelude::*;

    fn rng(seed: u64) -> SimRng {
        stream(seed, Stream::Topology)
    }

    fn build(spec: TopologySpec, n: usize) -> Topology {
        Topology::build(&spec, n, &mut rng(1), false).expect("valid spec")
    }

    fn adjacency(t: &Topology) -> Vec<Vec<NodeId>> {
        (0..t.n() as u32)
            .map(|v| t.neighbours(NodeId(v)).to_vec())
            .collect()
    }

    fn assert_simple(t: &Topology) {
        for v in 0..t.n() {
            let ns = t.neighbours(NodeId(v as u32));
            assert!(ns.windows(2).all(|w| w[0] < w[1]), "sorted, no repeats");
            assert!(!ns.contains(&NodeId(v as u32)), "no self-loop at {v}");
            for &u in ns {
                assert!(t.has_edge(u, NodeId(v as u32)), "symmetric {u} {v}");
            }
        }
        let degree_sum: usize = (0..t.n())
            .map(|v| t.neighbours(NodeId(v as u32)).len())
            .sum();
        assert_eq!(degree_sum, 2 * t.edge_count());
    }

    fn edges(list: &[(u32, u32)], n: usize) -> Topology {
        build(TopologySpec::Edges(list.to_vec()), n)
    }

    /// Two K4's sharing vertex 3.
    fn bowtie() -> Topology {
        let mut list = Vec::new();
        for group in [[0, 1, 2, 3], [3, 4, 5, 6]] {
            for (i, &a) in group.iter().enumerate() {
                for &b in &group[i + 1..] {
                    list.push((a, b));
                }
            }
        }
        edges(&list, 7)
    }

    fn petersen() -> Topology {
        let mut list = Vec::new();
        for i in 0..5 {
            list.push((i, (i + 1) % 5));
            list.push((5 + i, 5 + (i + 2) % 5));
            list.push((i, i + 5));
        }
        edges(&list, 10)
    }

    fn hypercube(dim: u32) -> Topology {
        let n = 1u32 << dim;
        let list: Vec<(u32, u32)> = (0..n)
            .flat_map(|v| (0..dim).map(move |b| (v, v ^ (1 << b))))
            .collect();
        edges(&list, n as usize)
    }

    #[test]
    fn random_regular_is_simple_and_regular() {
        for (n, d) in [(10, 3), (1000, 8), (600, 8), (50, 49), (30, 12)] {
            let t = build(TopologySpec::RandomRegular { degree: d }, n);
            assert_simple(&t);
            for v in 0..n as u32 {
                assert_eq!(
                    t.neighbours(NodeId(v)).len(),
                    d as usize,
                    "n={n} d={d} v={v}"
                );
            }
            assert_eq!(t.edge_count(), n * d as usize / 2);
        }
    }

    #[test]
    fn ring_facts() {
        for n in 3..=12 {
            let t = build(TopologySpec::Ring, n);
            assert_simple(&t);
            assert_eq!(t.diameter(), Some(n as u32 / 2), "n = {n}");
            assert_eq!(t.vertex_connectivity(), 2, "n = {n}");
            assert_eq!(t.edge_count(), n);
        }
    }

    #[test]
    fn complete_facts() {
        for n in [1, 2, 5, 1000] {
            let t = build(TopologySpec::Complete, n);
            assert!(t.is_complete());
            assert!(t.is_connected());
            assert_eq!(t.edge_count(), n * (n - 1) / 2);
            assert_eq!(t.vertex_connectivity(), n - 1);
            assert_eq!(t.diameter(), Some(u32::from(n > 1)));
        }
        let t = build(TopologySpec::Complete, 5);
        assert_simple(&t);
        assert!(t.has_edge(NodeId(0), NodeId(4)));
        assert!(!t.has_edge(NodeId(2), NodeId(2)));
        assert!(!t.has_edge(NodeId(2), NodeId(5)));
    }

    #[test]
    fn complete_with_a_thousand_generals_needs_no_search() {
        let t = build(TopologySpec::Complete, 1000);
        assert_eq!(t.diameter(), Some(1));
        assert_eq!(t.vertex_connectivity(), 999);
    }

    #[test]
    fn known_connectivities() {
        assert_eq!(bowtie().vertex_connectivity(), 1);
        assert_eq!(bowtie().diameter(), Some(2));
        assert_eq!(petersen().vertex_connectivity(), 3);
        assert_eq!(petersen().diameter(), Some(2));
        let q4 = hypercube(4);
        assert_eq!(q4.edge_count(), 32);
        assert_eq!(q4.vertex_connectivity(), 4);
        assert_eq!(q4.diameter(), Some(4));
        let path = edges(&[(0, 1), (1, 2), (2, 3)], 4);
        assert_eq!(path.vertex_connectivity(), 1);
        assert_eq!(path.diameter(), Some(3));
    }

    #[test]
    fn cut_vertex_found_when_the_sparse_block_comes_last() {
        // K5 on 0..=4 and K4 on 4..=7 share general 4; the minimum degree (3) is in the K4, whose
        // generals have the higher ids, so the cut must be found towards lower ids.
        let mut list = Vec::new();
        for (lo, hi) in [(0, 4), (4, 7)] {
            for a in lo..=hi {
                list.extend((a + 1..=hi).map(|b| (a, b)));
            }
        }
        let t = edges(&list, 8);
        assert_eq!(t.vertex_connectivity(), 1);
        assert!(!t.is_connected_without(&[false, false, false, false, true]));
    }

    #[test]
    fn disconnected_graphs() {
        let t = edges(&[(0, 1), (2, 3)], 4);
        assert!(!t.is_connected());
        assert_eq!(t.diameter(), None);
        assert_eq!(t.vertex_connectivity(), 0);
        let err = Topology::build(&TopologySpec::Edges(vec![(0, 1)]), 3, &mut rng(1), true);
        assert!(
            matches!(err, Err(TopologyError::Disconnected { .. })),
            "{err:?}"
        );
    }

    #[test]
    fn removing_a_path_middle_disconnects() {
        let path = edges(&[(0, 1), (1, 2)], 3);
        assert!(path.is_connected_without(&[]));
        assert!(!path.is_connected_without(&[false, true, false]));
        assert!(path.is_connected_without(&[true, false, false]));
        assert!(path.is_connected_without(&[true, true, true]));
        let ring = build(TopologySpec::Ring, 6);
        assert!(ring.is_connected_without(&[false, false, true]));
        assert!(!ring.is_connected_without(&[true, false, false, true]));
    }

    #[test]
    fn same_seed_same_graph_other_seed_other_graph() {
        let specs = [
            TopologySpec::RandomRegular { degree: 4 },
            TopologySpec::ErdosRenyi { p: 0.2 },
            TopologySpec::SmallWorld {
                degree: 4,
                rewire: 0.3,
            },
        ];
        for spec in specs {
            let a = Topology::build(&spec, 40, &mut rng(7), false).unwrap();
            let b = Topology::build(&spec, 40, &mut rng(7), false).unwrap();
            let c = Topology::build(&spec, 40, &mut rng(8), false).unwrap();
            assert_eq!(adjacency(&a), adjacency(&b), "{spec:?}");
            assert_ne!(adjacency(&a), adjacency(&c), "{spec:?}");
        }
    }

    #[test]
    fn parameter_errors() {
        let check = |spec: TopologySpec, n| spec.check(n).unwrap_err();
        let odd = check(TopologySpec::RandomRegular { degree: 3 }, 5);
        assert_eq!(odd, TopologyError::OddDegreeSum { n: 5, degree: 3 });
        assert_eq!(
            odd.to_string(),
            "a random-regular graph needs n × degree even, got n = 5, degree = 3"
        );
        assert!(matches!(
            check(TopologySpec::RandomRegular { degree: 5 }, 5),
            TopologyError::DegreeTooLarge { .. }
        ));
        assert!(matches!(
            check(
                TopologySpec::SmallWorld {
                    degree: 3,
                    rewire: 0.1
                },
                10
            ),
            TopologyError::SmallWorldDegree { .. }
        ));
        assert!(matches!(
            check(
                TopologySpec::SmallWorld {
                    degree: 4,
                    rewire: 1.5
                },
                10
            ),
            TopologyError::Probability { .. }
        ));
        assert!(matches!(
            check(TopologySpec::ErdosRenyi { p: f64::NAN }, 10),
            TopologyError::Probability { .. }
        ));
        let far = check(TopologySpec::Edges(vec![(0, 1), (3, 9)]), 5);
        assert_eq!(far.to_string(), "edge [3, 9] names general 9 but n = 5");
        assert_eq!(
            check(TopologySpec::Edges(vec![(4, 4)]), 5),
            TopologyError::SelfLoop { v: 4 }
        );
        assert_eq!(
            check(TopologySpec::Ring, 2),
            TopologyError::RingTooSmall { n: 2 }
        );
        assert_eq!(check(TopologySpec::Complete, 0), TopologyError::NoGenerals);
        assert!(TopologySpec::Complete.check(1).is_ok());
        let built = Topology::build(&TopologySpec::Edges(vec![(0, 7)]), 3, &mut rng(1), false);
        assert!(matches!(
            built,
            Err(TopologyError::EdgeEndpoint { bad: 7, .. })
        ));
    }

    #[test]
    fn duplicate_edges_merge() {
        let t = edges(&[(0, 1), (1, 0), (0, 1), (1, 2)], 3);
        assert_eq!(t.edge_count(), 2);
        assert!(!t.is_complete());
        let tri = edges(&[(0, 1), (1, 2), (2, 0)], 3);
        assert!(tri.is_complete());
    }

    #[test]
    fn dot_output() {
        let t = petersen();
        let mut traitor = vec![false; 10];
        traitor[3] = true;
        let dot = t.to_dot("petersen", &traitor);
        assert!(dot.starts_with("graph \"petersen\" {"));
        assert!(dot.contains("3 [label=\"3 (traitor)\", style=filled, fillcolor=red];"));
        assert!(!dot.contains("4 (traitor)"));
        let edge_lines: Vec<&str> = dot.lines().filter(|l| l.contains(" -- ")).collect();
        assert_eq!(edge_lines.len(), t.edge_count());
        assert!(edge_lines.contains(&"  0 -- 1;"));
        let complete = build(TopologySpec::Complete, 6).to_dot("k6", &[]);
        assert_eq!(complete.lines().filter(|l| l.contains(" -- ")).count(), 15);
    }

    #[test]
    fn erdos_renyi_extremes() {
        let spec = TopologySpec::ErdosRenyi { p: 0.0 };
        let err = Topology::build(&spec, 10, &mut rng(3), true).unwrap_err();
        assert_eq!(
            err.to_string(),
            "no connected erdos-renyi graph with n = 10, p = 0 in 100 draws; raise p"
        );
        let full = build(TopologySpec::ErdosRenyi { p: 1.0 }, 12);
        assert!(full.is_complete());
        assert_eq!(full.edge_count(), 66);
    }

    #[test]
    fn erdos_renyi_density_is_about_p() {
        let n = 400;
        let t = build(TopologySpec::ErdosRenyi { p: 0.05 }, n);
        assert_simple(&t);
        let expected = 0.05 * (n * (n - 1) / 2) as f64;
        let got = t.edge_count() as f64;
        assert!(
            (got - expected).abs() < 0.1 * expected,
            "{got} vs {expected}"
        );
    }

    #[test]
    fn require_connected_redraws() {
        let spec = TopologySpec::ErdosRenyi { p: 0.08 };
        let t = Topology::build(&spec, 60, &mut rng(5), true).unwrap();
        assert!(t.is_connected());
    }

    #[test]
    fn small_world_keeps_edge_count() {
        for rewire in [0.0, 0.2, 1.0] {
            let spec = TopologySpec::SmallWorld { degree: 6, rewire };
            let t = build(spec, 100);
            assert_simple(&t);
            assert_eq!(t.edge_count(), 300, "rewire = {rewire}");
        }
        let lattice = build(
            TopologySpec::SmallWorld {
                degree: 4,
                rewire: 0.0,
            },
            20,
        );
        assert!(lattice.has_edge(NodeId(0), NodeId(18)));
        assert_eq!(lattice.vertex_connectivity(), 4);
    }

    #[test]
    fn connectivity_of_a_sparse_regular_graph_is_at_most_its_degree() {
        let t = build(TopologySpec::RandomRegular { degree: 8 }, 200);
        let k = t.vertex_connectivity();
        assert!((1..=8).contains(&k), "{k}");
    }

    /// κ by brute force over vertex subsets (bitmask BFS), for n ≤ 9.
    fn brute_kappa(t: &Topology) -> usize {
        let n = t.n();
        let masks: Vec<u32> = (0..n)
            .map(|v| {
                t.neighbours(NodeId(v as u32))
                    .iter()
                    .fold(0, |m, u| m | 1 << u.0)
            })
            .collect();
        let full = (1u32 << n) - 1;
        let splits = |keep: u32| {
            if keep.count_ones() <= 1 {
                return true;
            }
            let mut seen = 1u32 << keep.trailing_zeros();
            loop {
                let grown = (0..n)
                    .filter(|v| seen & (1 << v) != 0)
                    .fold(seen, |s, v| s | (masks[v] & keep));
                if grown == seen {
                    return seen != keep;
                }
                seen = grown;
            }
        };
        (0..n)
            .find(|&s| {
                (0..=full)
                    .any(|removed| removed.count_ones() as usize == s && splits(full & !removed))
            })
            .unwrap_or(n - 1)
    }

    proptest! {
        #[test]
        fn kappa_matches_brute_force_on_random_regular(
            n in 4usize..=9, d in 1u32..=8, seed in any::<u64>()
        ) {
            let d = d.min(n as u32 - 1);
            let d = if (n * d as usize) % 2 == 1 { d - 1 } else { d };
            let spec = TopologySpec::RandomRegular { degree: d };
            let t = Topology::build(&spec, n, &mut rng(seed), false).unwrap();
            let k = t.vertex_connectivity();
            prop_assert!(k <= d as usize);
            prop_assert_eq!(k, brute_kappa(&t));
        }

        #[test]
        fn kappa_matches_brute_force_on_erdos_renyi(
            n in 2usize..=9, p in 0.0f64..=1.0, seed in any::<u64>()
        ) {
            let spec = TopologySpec::ErdosRenyi { p };
            let t = Topology::build(&spec, n, &mut rng(seed), false).unwrap();
            prop_assert_eq!(t.vertex_connectivity(), brute_kappa(&t));
        }

        /// The capped question a bound asks, in any order of caps on one graph (the answers
        /// are remembered), agrees with brute force.
        #[test]
        fn capped_connectivity_matches_brute_force_in_any_order(
            n in 2usize..=9, p in 0.0f64..=1.0, seed in any::<u64>(),
            caps in prop::collection::vec(0usize..=9, 1..5)
        ) {
            let spec = TopologySpec::ErdosRenyi { p };
            let t = Topology::build(&spec, n, &mut rng(seed), false).unwrap();
            let kappa = brute_kappa(&t);
            for cap in caps {
                prop_assert_eq!(t.connectivity_capped(cap), kappa.min(cap));
                prop_assert_eq!(t.connectivity_exceeds(cap), kappa > cap);
            }
        }
    }
}
