//! Routing for the `disjoint-paths` transport: for every pair of generals, a fixed list of
//! vertex-disjoint paths of the graph (Dolev, "The Byzantine generals strike again", 1982).
//!
//! Dolev's reliable transmission sends each message over paths that share no general but their
//! ends, so `t` traitors sit on at most `t` of them: with `2t + 1` paths a majority of the copies
//! is honest (unsigned messages), with `t + 1` at least one copy is (signed messages). Menger's
//! theorem says that many paths exist between every pair exactly when the vertex connectivity
//! allows it. [`Routes::new`] finds, for every unordered pair, up to `k` internally
//! vertex-disjoint paths as a unit-capacity **minimum-cost** flow on the graph with every general
//! split into an in- and an out-vertex (capacity 1 each, every edge of cost 1): successive
//! shortest augmenting paths (Bellman–Ford on the residual network, arcs in a fixed order, ties
//! to the first found), so the set found has the fewest total hops of any set of that many
//! disjoint paths, and a direct edge is always one of them (a path of one hop). The paths are
//! then ordered shortest first, ties by their sequence of generals. Where fewer than `k` disjoint
//! paths exist, all that exist are kept (as many as the local connectivity; never 0 on a
//! connected graph).
//!
//! The table is a pure function of the graph and `k`: built once per graph (once per scenario
//! for a fixed graph, once per trial for a random one), it holds the paths of `u < v` from `u` to
//! `v`; the paths from `v` to `u` are the same ones reversed. The complete graph keeps no table:
//! its paths are the direct edge and then the two-hop paths through the other generals in
//! ascending order.
//!
//! Cost: up to `k` Bellman–Ford searches of the split graph per pair, O(n² · k · E) in all; on a
//! random 10-regular graph with k = 7 about 0.5 s for n = 100 and 20 s for n = 300 (a shared
//! 2-core machine), which a random graph pays once per trial.

use std::fmt;

use crate::topology::Topology;
use crate::types::NodeId;

/// The number of disjoint paths Dolev's transmission needs against `t` traitors: `2t + 1` for
/// unsigned messages (a majority of copies is honest), `t + 1` for signed ones (one is).
pub fn needed(t: usize, signed: bool) -> usize {
    if signed { t + 1 } else { 2 * t + 1 }
}

/// Up to `k` vertex-disjoint paths between every pair of generals of one graph.
pub struct Routes {
    n: usize,
    k: usize,
    complete: bool,
    /// `first[u·n + v]..first[u·n + v + 1]` (for `u < v`): the pair's paths, indices of `bounds`.
    first: Vec<u32>,
    /// `bounds[i]..bounds[i + 1]`: path `i`'s generals in `vertices`, from the smaller end.
    bounds: Vec<u32>,
    vertices: Vec<NodeId>,
    max_hops: u32,
}

impl fmt::Debug for Routes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Routes")
            .field("n", &self.n)
            .field("k", &self.k)
            .field("max_hops", &self.max_hops)
            .finish_non_exhaustive()
    }
}

impl Routes {
    /// The paths of every pair of `graph`, at most `k` per pair.
    pub fn new(graph: &Topology, k: usize) -> Routes {
        let n = graph.n();
        let mut routes = Routes {
            n,
            k,
            complete: graph.is_complete(),
            first: Vec::new(),
            bounds: vec![0],
            vertices: Vec::new(),
            max_hops: 0,
        };
        if routes.complete {
            routes.max_hops = match (k.min(n.saturating_sub(1)), n) {
                (0, _) => 0,
                (1, _) => 1,
                _ => 2,
            };
            return routes;
        }
        let mut flow = FlowNet::new(graph);
        routes.first = Vec::with_capacity(n * n + 1);
        for u in 0..n {
            for v in 0..n {
                routes.first.push((routes.bounds.len() - 1) as u32);
                if u < v {
                    for path in flow.disjoint_paths(u, v, k) {
                        routes.max_hops = routes.max_hops.max(path.len() as u32 - 1);
                        routes
                            .vertices
                            .extend(path.into_iter().map(|x| NodeId(x as u32)));
                        routes.bounds.push(routes.vertices.len() as u32);
                    }
                }
            }
        }
        routes.first.push((routes.bounds.len() - 1) as u32);
        routes
    }

    /// The most paths kept per pair.
    pub fn k(&self) -> usize {
        self.k
    }

    /// The most hops of any path in the table: a message has crossed every path after this many
    /// link latencies.
    pub fn max_hops(&self) -> u32 {
        self.max_hops
    }

    /// The number of disjoint paths from `from` to `to` (0 when `from == to`).
    pub fn count(&self, from: NodeId, to: NodeId) -> usize {
        if from == to || from.idx() >= self.n || to.idx() >= self.n {
            return 0;
        }
        if self.complete {
            return self.k.min(self.n - 1);
        }
        let p = self.pair(from, to);
        (self.first[p + 1] - self.first[p]) as usize
    }

    /// The hops (edges) of path `i` from `from` to `to`.
    pub fn hops(&self, from: NodeId, to: NodeId, i: usize) -> usize {
        if self.complete {
            return if i == 0 { 1 } else { 2 };
        }
        let (start, end) = self.span(from, to, i);
        end - start - 1
    }

    /// The general at position `pos` of path `i` from `from` to `to` (`from` at 0, `to` at
    /// [`Routes::hops`]).
    pub fn vertex(&self, from: NodeId, to: NodeId, i: usize, pos: usize) -> NodeId {
        if self.complete {
            return match (i, pos) {
                (_, 0) => from,
                (0, _) | (_, 2) => to,
                _ => {
                    // The i-th general other than the two ends, in ascending order.
                    let (lo, hi) = (from.0.min(to.0), from.0.max(to.0));
                    let mut w = i as u32 - 1;
                    if w >= lo {
                        w += 1;
                    }
                    if w >= hi {
                        w += 1;
                    }
                    NodeId(w)
                }
            };
        }
        let (start, end) = self.span(from, to, i);
        if from < to {
            self.vertices[start + pos]
        } else {
            self.vertices[end - 1 - pos]
        }
    }

    /// Path `i` from `from` to `to`, as its generals in order.
    pub fn path(&self, from: NodeId, to: NodeId, i: usize) -> Vec<NodeId> {
        (0..=self.hops(from, to, i))
            .map(|pos| self.vertex(from, to, i, pos))
            .collect()
    }

    /// Transmissions one message from `from` to `to` costs when every copy crosses its path:
    /// the sum of the path lengths.
    pub fn hops_per_message(&self, from: NodeId, to: NodeId) -> usize {
        (0..self.count(from, to))
            .map(|i| self.hops(from, to, i))
            .sum()
    }

    /// [`Routes::hops_per_message`] averaged over all ordered pairs (for work estimates).
    pub fn mean_hops_per_message(&self) -> f64 {
        let pairs = self.n * self.n.saturating_sub(1);
        if pairs == 0 {
            return 0.0;
        }
        let total: usize = if self.complete {
            let c = self.k.min(self.n - 1);
            pairs * (2 * c).saturating_sub(1)
        } else {
            2 * (0..self.bounds.len() - 1)
                .map(|i| (self.bounds[i + 1] - self.bounds[i]) as usize - 1)
                .sum::<usize>()
        };
        total as f64 / pairs as f64
    }

    fn pair(&self, from: NodeId, to: NodeId) -> usize {
        let (u, v) = (from.idx().min(to.idx()), from.idx().max(to.idx()));
        u * self.n + v
    }

    /// Path `i`'s range in `vertices`.
    fn span(&self, from: NodeId, to: NodeId, i: usize) -> (usize, usize) {
        let path = self.first[self.pair(from, to)] as usize + i;
        (self.bounds[path] as usize, self.bounds[path + 1] as usize)
    }
}

/// One arc of the split flow network.
#[derive(Clone, Copy)]
struct Arc {
    to: u32,
    /// 1 for an edge of the graph, 0 for a general's in → out arc; negated on reverse arcs.
    cost: i32,
    /// Residual capacity.
    cap: u8,
    /// The index of the reverse arc.
    rev: u32,
}

/// The graph with general `v` split into `2v` (in) → `2v + 1` (out), capacity 1, and each edge
/// `{a, b}` as arcs `a_out → b_in` and `b_out → a_in`, each with its residual reverse arc.
struct FlowNet {
    /// `adj[x]`: indices of the arcs leaving node `x`, in a fixed order.
    adj: Vec<Vec<u32>>,
    arcs: Vec<Arc>,
    /// The capacities before any flow.
    initial: Vec<u8>,
    dist: Vec<i32>,
    prev: Vec<u32>,
    queued: Vec<bool>,
}

impl FlowNet {
    fn new(graph: &Topology) -> FlowNet {
        let n = graph.n();
        let mut net = FlowNet {
            adj: vec![Vec::new(); 2 * n],
            arcs: Vec::new(),
            initial: Vec::new(),
            dist: vec![0; 2 * n],
            prev: vec![0; 2 * n],
            queued: vec![false; 2 * n],
        };
        for v in 0..n {
            net.add(2 * v, 2 * v + 1, 0);
            for b in graph.neighbours(NodeId(v as u32)) {
                net.add(2 * v + 1, 2 * b.idx(), 1);
            }
        }
        net.initial = net.arcs.iter().map(|a| a.cap).collect();
        net
    }

    fn add(&mut self, from: usize, to: usize, cost: i32) {
        let i = self.arcs.len() as u32;
        self.arcs.push(Arc {
            to: to as u32,
            cost,
            cap: 1,
            rev: i + 1,
        });
        self.arcs.push(Arc {
            to: from as u32,
            cost: -cost,
            cap: 0,
            rev: i,
        });
        self.adj[from].push(i);
        self.adj[to].push(i + 1);
    }

    /// Up to `k` internally vertex-disjoint paths from general `s` to general `t` (`s ≠ t`) of
    /// the fewest total hops, shortest first, ties by their sequence of generals.
    fn disjoint_paths(&mut self, s: usize, t: usize, k: usize) -> Vec<Vec<usize>> {
        for (arc, &cap) in self.arcs.iter_mut().zip(&self.initial) {
            arc.cap = cap;
        }
        let (source, sink) = (2 * s + 1, 2 * t);
        let mut found = 0;
        while found < k && self.augment(source, sink) {
            found += 1;
        }
        let mut paths: Vec<Vec<usize>> = self.adj[source]
            .iter()
            .filter(|&&a| self.carries(a))
            .map(|&a| self.trace(s, self.arcs[a as usize].to as usize / 2, t))
            .collect();
        paths.sort_by(|a, b| a.len().cmp(&b.len()).then_with(|| a.cmp(b)));
        paths
    }

    /// Whether edge arc `a` carries a unit of flow.
    fn carries(&self, a: u32) -> bool {
        let arc = self.arcs[a as usize];
        arc.cost == 1 && arc.cap == 0
    }

    /// The path that leaves `s` for `next`, followed along the flow to `t`.
    fn trace(&self, s: usize, mut next: usize, t: usize) -> Vec<usize> {
        let mut path = vec![s, next];
        while next != t {
            let out = 2 * next + 1;
            let a = self.adj[out]
                .iter()
                .find(|&&a| self.carries(a))
                .expect("flow is conserved at every general");
            next = self.arcs[*a as usize].to as usize / 2;
            path.push(next);
        }
        path
    }

    /// Pushes one unit along a cheapest residual path from `source` to `sink`, if any
    /// (Bellman–Ford with a FIFO queue; the residual network of a minimum-cost flow has no
    /// negative cycle).
    fn augment(&mut self, source: usize, sink: usize) -> bool {
        const NONE: u32 = u32::MAX;
        self.dist.fill(i32::MAX);
        self.prev.fill(NONE);
        self.queued.fill(false);
        self.dist[source] = 0;
        let mut queue = std::collections::VecDeque::from([source]);
        self.queued[source] = true;
        while let Some(x) = queue.pop_front() {
            self.queued[x] = false;
            for &a in &self.adj[x] {
                let arc = self.arcs[a as usize];
                let y = arc.to as usize;
                if arc.cap > 0 && self.dist[x] + arc.cost < self.dist[y] {
                    self.dist[y] = self.dist[x] + arc.cost;
                    self.prev[y] = a;
                    if !self.queued[y] {
                        self.queued[y] = true;
                        queue.push_back(y);
                    }
                }
            }
        }
        if self.prev[sink] == NONE {
            return false;
        }
        let mut y = sink;
        while y != source {
            let a = self.prev[y] as usize;
            self.arcs[a].cap -= 1;
            let rev = self.arcs[a].rev as usize;
            self.arcs[rev].cap += 1;
            y = self.arcs[rev].to as usize;
        }
        true
    }

    /// The cheapest total hops of `k` disjoint paths by Bellman–Ford augmentation: a slow,
    /// independent reference for the tests.
    #[cfg(test)]
    fn reference_cost(&mut self, s: usize, t: usize, k: usize) -> (usize, i32) {
        for (arc, &cap) in self.arcs.iter_mut().zip(&self.initial) {
            arc.cap = cap;
        }
        let (source, sink) = (2 * s + 1, 2 * t);
        let (mut found, mut cost) = (0, 0);
        while found < k {
            let mut dist = vec![i32::MAX; self.adj.len()];
            let mut prev = vec![u32::MAX; self.adj.len()];
            dist[source] = 0;
            for _ in 0..self.adj.len() {
                for x in 0..self.adj.len() {
                    if dist[x] == i32::MAX {
                        continue;
                    }
                    for &a in &self.adj[x] {
                        let arc = self.arcs[a as usize];
                        if arc.cap > 0 && dist[x] + arc.cost < dist[arc.to as usize] {
                            dist[arc.to as usize] = dist[x] + arc.cost;
                            prev[arc.to as usize] = a;
                        }
                    }
                }
            }
            if dist[sink] == i32::MAX {
                break;
            }
            cost += dist[sink];
            found += 1;
            let mut y = sink;
            while y != source {
                let a = prev[y] as usize;
                self.arcs[a].cap -= 1;
                let rev = self.arcs[a].rev as usize;
                self.arcs[rev].cap += 1;
                y = self.arcs[rev].to as usize;
            }
        }
        (found, cost)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Stream, stream};
    use crate::topology::TopologySpec;

    fn graph(n: usize, edges: &[(u32, u32)]) -> Topology {
        let spec = TopologySpec::Edges(edges.to_vec());
        Topology::build(&spec, n, &mut stream(0, Stream::Topology), false).unwrap()
    }

    #[test]
    fn a_ring_has_two_paths_between_every_pair_the_short_way_first() {
        let ring = Topology::build(
            &TopologySpec::Ring,
            6,
            &mut stream(0, Stream::Topology),
            false,
        )
        .unwrap();
        let routes = Routes::new(&ring, 3);
        assert_eq!(routes.count(NodeId(0), NodeId(2)), 2);
        assert_eq!(routes.path(NodeId(0), NodeId(2), 0), [0, 1, 2].map(NodeId));
        assert_eq!(
            routes.path(NodeId(0), NodeId(2), 1),
            [0, 5, 4, 3, 2].map(NodeId)
        );
        assert_eq!(routes.path(NodeId(2), NodeId(0), 0), [2, 1, 0].map(NodeId));
        assert_eq!(routes.hops_per_message(NodeId(0), NodeId(3)), 6);
        assert_eq!(routes.max_hops(), 5);
    }

    #[test]
    fn the_complete_graph_uses_the_edge_then_two_hop_paths_in_ascending_order() {
        let g = Topology::build(
            &TopologySpec::Complete,
            5,
            &mut stream(0, Stream::Topology),
            false,
        )
        .unwrap();
        let routes = Routes::new(&g, 3);
        assert_eq!(routes.count(NodeId(3), NodeId(1)), 3);
        assert_eq!(routes.path(NodeId(3), NodeId(1), 0), [3, 1].map(NodeId));
        assert_eq!(routes.path(NodeId(3), NodeId(1), 1), [3, 0, 1].map(NodeId));
        assert_eq!(routes.path(NodeId(3), NodeId(1), 2), [3, 2, 1].map(NodeId));
        assert_eq!(routes.max_hops(), 2);
        assert_eq!(routes.mean_hops_per_message(), 5.0);
    }

    #[test]
    fn a_cut_vertex_leaves_one_path() {
        // Two triangles sharing general 2.
        let g = graph(5, &[(0, 1), (0, 2), (1, 2), (2, 3), (2, 4), (3, 4)]);
        let routes = Routes::new(&g, 3);
        assert_eq!(routes.count(NodeId(0), NodeId(4)), 1);
        assert_eq!(routes.count(NodeId(0), NodeId(1)), 2);
        assert_eq!(routes.path(NodeId(4), NodeId(0), 0), [4, 2, 0].map(NodeId));
    }

    #[test]
    fn the_minimum_cost_flow_reroutes_rather_than_keep_a_blocking_shortest_path() {
        // The shortest 0–5 path 0-1-4-5 blocks both others; two disjoint paths exist:
        // 0-1-2-5 and 0-3-4-5.
        let g = graph(6, &[(0, 1), (1, 4), (4, 5), (1, 2), (2, 5), (0, 3), (3, 4)]);
        let routes = Routes::new(&g, 5);
        assert_eq!(routes.count(NodeId(0), NodeId(5)), 2);
        assert_eq!(
            routes.path(NodeId(0), NodeId(5), 0),
            [0, 1, 2, 5].map(NodeId)
        );
        assert_eq!(
            routes.path(NodeId(0), NodeId(5), 1),
            [0, 3, 4, 5].map(NodeId)
        );
    }

    proptest::proptest! {
        /// The paths found have the fewest total hops: the same count and total as an
        /// independent Bellman–Ford augmentation.
        #[test]
        fn the_paths_found_have_the_fewest_total_hops(
            n in 2usize..=9,
            bits in proptest::collection::vec(proptest::bool::ANY, 36),
            k in 1usize..=6,
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
            let g = graph(n, &edges);
            let mut flow = FlowNet::new(&g);
            for u in 0..n {
                for v in u + 1..n {
                    let paths = flow.disjoint_paths(u, v, k);
                    let hops: usize = paths.iter().map(|p| p.len() - 1).sum();
                    let (count, cost) = flow.reference_cost(u, v, k);
                    proptest::prop_assert_eq!((paths.len(), hops), (count, cost as usize));
                }
            }
        }
    }
}
