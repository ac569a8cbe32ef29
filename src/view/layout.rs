//! Where the viewer draws each general: on a circle for a complete graph (every pair linked, so
//! no place is better than another), else by a force-directed layout (Fruchterman and Reingold,
//! "Graph drawing by force-directed placement", 1991) started from the circle in id order, with a
//! fixed number of iterations and no randomness, so the same graph always lands the same way.
//! Coordinates are integers in `0..=1000`.

use crate::topology::Topology;
use crate::types::NodeId;

/// The side of the square the layout fills.
pub const SIDE: f64 = 1000.0;

/// Positions of the generals of `graph`, `(x, y)` in `0..=1000`.
pub fn layout(graph: &Topology) -> Vec<(i32, i32)> {
    let n = graph.n();
    let circle = circle(n);
    if graph.is_complete() || n <= 3 {
        return round(&circle);
    }
    round(&normalise(force(graph, circle)))
}

fn circle(n: usize) -> Vec<(f64, f64)> {
    (0..n)
        .map(|i| {
            let a =
                std::f64::consts::TAU * i as f64 / n.max(1) as f64 - std::f64::consts::FRAC_PI_2;
            (
                SIDE / 2.0 + 0.45 * SIDE * a.cos(),
                SIDE / 2.0 + 0.45 * SIDE * a.sin(),
            )
        })
        .collect()
}

/// Fruchterman–Reingold: neighbours attract (d²/k), every pair repels (k²/d); moves are capped
/// by a temperature that cools linearly to zero.
fn force(graph: &Topology, mut pos: Vec<(f64, f64)>) -> Vec<(f64, f64)> {
    let n = pos.len();
    let k = (SIDE * SIDE / n as f64).sqrt();
    // Fewer rounds for large graphs: each costs n² repulsions.
    let iterations = (4_000_000 / (n * n).max(1)).clamp(40, 300);
    let mut disp = vec![(0.0f64, 0.0f64); n];
    for it in 0..iterations {
        let temp = SIDE / 10.0 * (1.0 - it as f64 / iterations as f64);
        disp.iter_mut().for_each(|d| *d = (0.0, 0.0));
        for v in 0..n {
            for u in (v + 1)..n {
                let (dx, dy) = (pos[v].0 - pos[u].0, pos[v].1 - pos[u].1);
                let d2 = (dx * dx + dy * dy).max(1e-6);
                let f = k * k / d2;
                disp[v].0 += dx * f;
                disp[v].1 += dy * f;
                disp[u].0 -= dx * f;
                disp[u].1 -= dy * f;
            }
            for &u in graph.neighbours(NodeId(v as u32)) {
                let u = u.idx();
                let (dx, dy) = (pos[v].0 - pos[u].0, pos[v].1 - pos[u].1);
                let d = (dx * dx + dy * dy).sqrt().max(1e-3);
                disp[v].0 -= dx * d / k;
                disp[v].1 -= dy * d / k;
            }
        }
        for v in 0..n {
            let (dx, dy) = disp[v];
            let len = (dx * dx + dy * dy).sqrt().max(1e-9);
            let step = len.min(temp);
            pos[v].0 += dx / len * step;
            pos[v].1 += dy / len * step;
        }
    }
    pos
}

/// Scales the positions into the square, with a margin: each axis on its own (a force layout
/// has no preferred orientation), the stretch capped at 1.5.
fn normalise(pos: Vec<(f64, f64)>) -> Vec<(f64, f64)> {
    let (mut lo_x, mut hi_x, mut lo_y, mut hi_y) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for &(x, y) in &pos {
        lo_x = lo_x.min(x);
        hi_x = hi_x.max(x);
        lo_y = lo_y.min(y);
        hi_y = hi_y.max(y);
    }
    let (w, h) = ((hi_x - lo_x).max(1e-9), (hi_y - lo_y).max(1e-9));
    let (mut sx, mut sy) = (0.9 * SIDE / w, 0.9 * SIDE / h);
    sx = sx.min(1.5 * sy);
    sy = sy.min(1.5 * sx);
    let (ox, oy) = ((SIDE - w * sx) / 2.0, (SIDE - h * sy) / 2.0);
    pos.into_iter()
        .map(|(x, y)| (ox + (x - lo_x) * sx, oy + (y - lo_y) * sy))
        .collect()
}

fn round(pos: &[(f64, f64)]) -> Vec<(i32, i32)> {
    pos.iter()
        .map(|&(x, y)| {
            (
                x.round().clamp(0.0, SIDE) as i32,
                y.round().clamp(0.0, SIDE) as i32,
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Stream, stream};
    use crate::topology::TopologySpec;

    #[test]
    fn a_complete_graph_sits_on_a_circle_and_a_sparse_one_fills_the_square_deterministically() {
        let mut rng = stream(1, Stream::Topology);
        let k5 = Topology::build(&TopologySpec::Complete, 5, &mut rng, true).unwrap();
        let on_circle = layout(&k5);
        for &(x, y) in &on_circle {
            let r = (((x - 500) * (x - 500) + (y - 500) * (y - 500)) as f64).sqrt();
            assert!((r - 450.0).abs() <= 1.5, "radius {r}");
        }
        let spec = TopologySpec::RandomRegular { degree: 4 };
        let g = Topology::build(&spec, 40, &mut stream(2, Stream::Topology), true).unwrap();
        let a = layout(&g);
        assert_eq!(a, layout(&g));
        let distinct: std::collections::BTreeSet<_> = a.iter().collect();
        assert_eq!(distinct.len(), 40, "no two generals on one spot");
        assert!(
            a.iter()
                .all(|&(x, y)| (0..=1000).contains(&x) && (0..=1000).contains(&y))
        );
    }
}
