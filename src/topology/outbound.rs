//! Outbound links drawn from a measured distribution (`network.degree_distribution =
//! "bitcoin"`): each general opens k links to distinct generals chosen uniformly at random,
//! k drawn from the cumulative distribution of outbound links per Bitcoin node that SimBlock
//! uses (Aoki et al., IEEE INFOCOM Workshops 2019, from 2015 measurements): for 1..=20 links,
//! 0.025, 0.050, 0.075, 0.10, 0.20, 0.30, 0.40, 0.50, 0.60, 0.70, 0.80, 0.85, 0.90, 0.95, 0.97,
//! 0.97, 0.98, 0.99, 0.995, 1.0. Links are undirected once open (a node's degree is its outbound
//! links plus those others opened to it), and a general never links twice to the same peer.

use std::collections::BTreeSet;

use rand::Rng;

use crate::rng::SimRng;

/// The measured cumulative distribution of outbound links, for 1..=20 links.
pub const BITCOIN_OUTBOUND_CDF: [f64; 20] = [
    0.025, 0.050, 0.075, 0.10, 0.20, 0.30, 0.40, 0.50, 0.60, 0.70, 0.80, 0.85, 0.90, 0.95, 0.97,
    0.97, 0.98, 0.99, 0.995, 1.0,
];

/// The mean number of outbound links the distribution gives (about 8.6).
pub fn mean_outbound() -> f64 {
    let mut last = 0.0;
    BITCOIN_OUTBOUND_CDF
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            let p = c - last;
            last = c;
            (i + 1) as f64 * p
        })
        .sum()
}

/// One draw of the number of outbound links.
pub fn draw_outbound(rng: &mut SimRng) -> usize {
    let u: f64 = rng.random();
    BITCOIN_OUTBOUND_CDF
        .iter()
        .position(|&c| u < c)
        .map_or(BITCOIN_OUTBOUND_CDF.len(), |i| i + 1)
}

/// The neighbour sets of `n` generals opening outbound links by the distribution.
pub fn bitcoin_outbound(n: usize, rng: &mut SimRng) -> Vec<BTreeSet<u32>> {
    let mut sets = vec![BTreeSet::new(); n];
    if n < 2 {
        return sets;
    }
    for v in 0..n {
        let wanted = draw_outbound(rng).min(n - 1);
        let mut opened = 0;
        while opened < wanted && sets[v].len() < n - 1 {
            let w = rng.random_range(0..n);
            if w == v || sets[v].contains(&(w as u32)) {
                continue;
            }
            sets[v].insert(w as u32);
            sets[w].insert(v as u32);
            opened += 1;
        }
    }
    sets
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Stream, stream};

    /// The drawn outbound counts follow the measured distribution: the share of each count
    /// within four standard errors, and the mean too.
    #[test]
    fn outbound_counts_follow_the_measured_distribution() {
        let mut rng = stream(11, Stream::Topology);
        let draws = 100_000;
        let mut count = [0usize; 21];
        for _ in 0..draws {
            count[draw_outbound(&mut rng)] += 1;
        }
        let mut last = 0.0;
        for (k, &c) in BITCOIN_OUTBOUND_CDF.iter().enumerate() {
            let p = c - last;
            last = c;
            let sd = (draws as f64 * p * (1.0 - p)).sqrt();
            let got = count[k + 1] as f64;
            assert!(
                (got - draws as f64 * p).abs() <= 4.0 * sd + 1.0,
                "{} links: {got} draws",
                k + 1
            );
        }
        assert!((mean_outbound() - 8.64).abs() < 0.01, "{}", mean_outbound());
    }

    /// Every link is undirected and simple, and the graph has about n × the mean outbound
    /// links (a few fewer: a link both ends opened counts once).
    #[test]
    fn the_graph_is_simple_with_about_n_times_the_mean_links() {
        let n = 2000;
        let sets = bitcoin_outbound(n, &mut stream(5, Stream::Topology));
        let mut ends = 0;
        for (v, s) in sets.iter().enumerate() {
            assert!(!s.contains(&(v as u32)), "no self-link at {v}");
            for &w in s {
                assert!(sets[w as usize].contains(&(v as u32)), "symmetric");
            }
            ends += s.len();
        }
        let edges = ends as f64 / 2.0;
        // Outbound counts have a variance of about 16: the sum over n of them ±4σ.
        let expected = n as f64 * mean_outbound();
        let sd = (n as f64 * 16.0).sqrt();
        assert!(
            edges <= expected + 4.0 * sd && edges >= expected - 4.0 * sd - 50.0,
            "{edges} edges against {expected}"
        );
    }
}
