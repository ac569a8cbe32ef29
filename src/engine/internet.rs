//! The measured Internet for proof of work: regions, their latencies and bandwidths.
//!
//! With `network.regions`, each general is placed in one of six regions (North America, Europe,
//! South America, Asia-Pacific, Japan, Australia), drawn with the share of Bitcoin nodes measured
//! there, and a transmission from region a to region b takes a delay drawn from a Pareto law
//! whose mean is the measured mean latency of the pair: shape α = mean / 5 ms and scale
//! mean − 5 ms, so that the mean α·scale/(α − 1) is the table's and the tail is heavy (the law
//! SimBlock uses). On top of the latency, a message takes its size over the link's bandwidth:
//! the smaller of the sender's upload and the receiver's download (and, in the 2019 set, at
//! most 6 Mbit/s between two regions). `network.bandwidth_mbps` sets one bandwidth for every
//! link instead (with or without regions); without either, transfers take no time, as before.
//!
//! The tables are those of SimBlock (Aoki, Otsuki, Miyachi, Kiyomoto, Sakurai, Yasuda and
//! Aoki, "SimBlock: A Blockchain Network Simulator", IEEE INFOCOM Workshops 2019), compiled from
//! measurements of the Bitcoin network (bitnodes.io for the node shares, speed tests for
//! bandwidths and latencies): `bitcoin-2019` and `bitcoin-2015`. Decker and Wattenhofer
//! ("Information propagation in the Bitcoin network", IEEE P2P 2013) measured what they should
//! reproduce at the scale of the whole network: a median of 6.5 s and a mean of 12.6 s for a
//! block to reach a node, and a 1.69% fork rate (see the scenario
//! `pow-bitcoin-2013-propagation`).
//!
//! Placement draws from the trial's [`Stream::Regions`](crate::rng::Stream) stream; latency
//! draws from the latency stream, as the uniform and exponential laws do.

use rand::Rng;

use crate::rng::SimRng;
use crate::types::{NodeId, SimTime};

/// The region names, in the tables' order.
pub const REGION_NAMES: [&str; 6] = [
    "north-america",
    "europe",
    "south-america",
    "asia-pacific",
    "japan",
    "australia",
];

/// A measured set of regions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RegionSet {
    Bitcoin2019,
    Bitcoin2015,
}

/// The names of the region sets (`network.regions`).
pub const REGION_SETS: &[&str] = &["bitcoin-2019", "bitcoin-2015"];

/// One region set's tables.
pub struct Tables {
    /// Mean latency from region (row) to region (column), in ms.
    pub latency_ms: [[f64; 6]; 6],
    /// Download and upload bandwidth per region, in bit/s.
    pub download: [f64; 6],
    pub upload: [f64; 6],
    /// The most a link between two different regions carries, in bit/s, if the set says.
    pub between_regions: Option<f64>,
    /// The share of nodes in each region.
    pub share: [f64; 6],
}

const M: f64 = 1e6;

const BITCOIN_2019: Tables = Tables {
    latency_ms: [
        [32.0, 124.0, 184.0, 198.0, 151.0, 189.0],
        [124.0, 11.0, 227.0, 237.0, 252.0, 294.0],
        [184.0, 227.0, 88.0, 325.0, 301.0, 322.0],
        [198.0, 237.0, 325.0, 85.0, 58.0, 198.0],
        [151.0, 252.0, 301.0, 58.0, 12.0, 126.0],
        [189.0, 294.0, 322.0, 198.0, 126.0, 16.0],
    ],
    download: [52.0 * M, 40.0 * M, 18.0 * M, 22.8 * M, 22.8 * M, 29.9 * M],
    upload: [19.2 * M, 20.7 * M, 5.8 * M, 15.7 * M, 10.2 * M, 11.3 * M],
    between_regions: Some(6.0 * M),
    share: [0.3316, 0.4998, 0.0090, 0.1177, 0.0224, 0.0195],
};

const BITCOIN_2015: Tables = Tables {
    latency_ms: [
        [36.0, 119.0, 255.0, 310.0, 154.0, 208.0],
        [119.0, 12.0, 221.0, 242.0, 266.0, 350.0],
        [255.0, 221.0, 137.0, 347.0, 256.0, 269.0],
        [310.0, 242.0, 347.0, 99.0, 172.0, 278.0],
        [154.0, 266.0, 256.0, 172.0, 9.0, 163.0],
        [208.0, 350.0, 269.0, 278.0, 163.0, 22.0],
    ],
    download: [25.0 * M, 24.0 * M, 6.5 * M, 10.0 * M, 17.5 * M, 14.0 * M],
    upload: [4.7 * M, 8.1 * M, 1.8 * M, 5.3 * M, 3.4 * M, 5.2 * M],
    between_regions: None,
    share: [0.3869, 0.5159, 0.0113, 0.0574, 0.0119, 0.0166],
};

impl RegionSet {
    pub fn parse(name: &str) -> Option<RegionSet> {
        match name {
            "bitcoin-2019" => Some(RegionSet::Bitcoin2019),
            "bitcoin-2015" => Some(RegionSet::Bitcoin2015),
            _ => None,
        }
    }

    pub fn tables(self) -> &'static Tables {
        match self {
            RegionSet::Bitcoin2019 => &BITCOIN_2019,
            RegionSet::Bitcoin2015 => &BITCOIN_2015,
        }
    }
}

/// The scenario's Internet model: the region set (if any) and a bandwidth for every link (if
/// set).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Model {
    pub regions: Option<RegionSet>,
    /// Bit/s of every link, in both directions (`network.bandwidth_mbps`).
    pub bandwidth: Option<f64>,
}

/// A trial's Internet: the model and each general's region.
#[derive(Clone, Debug)]
pub struct Internet {
    pub model: Model,
    /// `region[v]`: general `v`'s region (all 0 without regions).
    pub region: Vec<u8>,
}

/// The Pareto delay of a link whose mean latency is `mean_ms`: shape α = mean / 5, scale
/// mean − 5 ms (for a mean under 6 ms, shape 1.2 and scale mean / 6, which keeps the mean).
pub fn pareto_ms(mean_ms: f64, rng: &mut SimRng) -> f64 {
    let (shape, scale) = pareto_law(mean_ms);
    let u: f64 = rng.random();
    scale / libm::pow(1.0 - u, 1.0 / shape)
}

/// The shape and scale of [`pareto_ms`] for a mean of `mean_ms`.
pub fn pareto_law(mean_ms: f64) -> (f64, f64) {
    if mean_ms >= 6.0 {
        (mean_ms / 5.0, mean_ms - 5.0)
    } else {
        (1.2, mean_ms / 6.0)
    }
}

impl Internet {
    /// Places `nodes` generals in the model's regions, by the measured shares.
    pub fn place(model: Model, nodes: usize, rng: &mut SimRng) -> Internet {
        let region = match model.regions {
            None => vec![0; nodes],
            Some(set) => {
                let share = &set.tables().share;
                let total: f64 = share.iter().sum();
                (0..nodes)
                    .map(|_| {
                        let mut u = rng.random::<f64>() * total;
                        let mut r = 0;
                        while r < 5 && u >= share[r] {
                            u -= share[r];
                            r += 1;
                        }
                        r as u8
                    })
                    .collect()
            }
        };
        Internet { model, region }
    }

    fn region_of(&self, v: NodeId) -> usize {
        self.region.get(v.idx()).copied().unwrap_or(0) as usize
    }

    /// The latency of one transmission from `from` to `to`, when the regions set it.
    pub fn latency(&self, from: NodeId, to: NodeId, rng: &mut SimRng) -> Option<SimTime> {
        let set = self.model.regions?;
        let mean = set.tables().latency_ms[self.region_of(from)][self.region_of(to)];
        Some(SimTime::from_ms_f64(pareto_ms(mean, rng)))
    }

    /// The link's bandwidth from `from` to `to`, in bit/s; `None`: transfers take no time.
    pub fn bandwidth(&self, from: NodeId, to: NodeId) -> Option<f64> {
        if let Some(b) = self.model.bandwidth {
            return Some(b);
        }
        let t = self.model.regions?.tables();
        let (a, b) = (self.region_of(from), self.region_of(to));
        let link = t.upload[a].min(t.download[b]);
        Some(match t.between_regions {
            Some(cap) if a != b => link.min(cap),
            _ => link,
        })
    }

    /// The time `bytes` take over the link from `from` to `to`.
    pub fn transfer(&self, from: NodeId, to: NodeId, bytes: u32) -> SimTime {
        match self.bandwidth(from, to) {
            Some(bps) if bps > 0.0 => SimTime((bytes as f64 * 8.0 * 1e6 / bps).round() as u64),
            _ => SimTime::ZERO,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Stream, stream};

    #[test]
    fn shares_of_each_set_sum_to_one() {
        for set in [RegionSet::Bitcoin2019, RegionSet::Bitcoin2015] {
            let total: f64 = set.tables().share.iter().sum();
            assert!((total - 1.0).abs() < 1e-3, "{set:?}: {total}");
        }
    }

    #[test]
    fn the_pareto_law_keeps_the_tables_mean() {
        for mean in [3.0, 9.0, 58.0, 350.0] {
            let (a, s) = pareto_law(mean);
            assert!((a * s / (a - 1.0) - mean).abs() < 1e-9, "{mean}");
        }
    }

    #[test]
    fn placement_follows_the_shares_within_four_sigma() {
        let model = Model {
            regions: Some(RegionSet::Bitcoin2019),
            bandwidth: None,
        };
        let n = 200_000;
        let net = Internet::place(model, n, &mut stream(3, Stream::Regions));
        for (r, p) in BITCOIN_2019.share.iter().enumerate() {
            let k = net.region.iter().filter(|&&x| x as usize == r).count() as f64;
            let sd = (n as f64 * p * (1.0 - p)).sqrt();
            assert!((k - n as f64 * p).abs() < 4.0 * sd, "region {r}: {k}");
        }
    }
}
