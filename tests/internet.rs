//! The measured-Internet model against its definition: region-pair latencies drawn over many
//! links average to the measured table (SimBlock's, from Bitcoin measurements) within sampling
//! error; a block's size takes its time over the bandwidth, exactly; compact blocks are small
//! and a missing transaction costs a round trip; propagation figures follow.

use byzsim::Scenario;
use byzsim::engine::internet::{Internet, Model, RegionSet, pareto_law};
use byzsim::protocol::nakamoto::compact_bytes;
use byzsim::record::RunRecord;
use byzsim::rng::{Stream, stream};
use byzsim::run::run_scenario;
use byzsim::types::NodeId;

fn run(text: &str, sets: &[&str]) -> Vec<RunRecord> {
    let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
    let sc = Scenario::parse("<test>", "internet", text, &sets).unwrap_or_else(|e| panic!("{e}"));
    run_scenario(&sc).unwrap().records
}

/// Over 20,000 links per region pair (placed generals, the model's own draw), the mean latency
/// of each pair is the table's within four standard errors of the Pareto law (pairs whose shape
/// exceeds 2, so that the variance is finite: every 2019 pair with a mean of 11 ms or more).
#[test]
fn mean_region_pair_latency_matches_the_measured_table() {
    for set in [RegionSet::Bitcoin2019, RegionSet::Bitcoin2015] {
        let model = Model {
            regions: Some(set),
            bandwidth: None,
        };
        let net = Internet::place(model, 20_000, &mut stream(7, Stream::Regions));
        // One general of each region.
        let of: Vec<NodeId> = (0..6u8)
            .map(|r| {
                let v = net
                    .region
                    .iter()
                    .position(|&x| x == r)
                    .expect("every region placed");
                NodeId(v as u32)
            })
            .collect();
        let mut rng = stream(7, Stream::Latency);
        let links = 20_000;
        for a in 0..6 {
            for b in 0..6 {
                let mean = set.tables().latency_ms[a][b];
                let (shape, scale) = pareto_law(mean);
                if shape <= 2.0 {
                    continue;
                }
                let sum: f64 = (0..links)
                    .map(|_| net.latency(of[a], of[b], &mut rng).unwrap().as_ms())
                    .sum();
                let drawn = sum / links as f64;
                let var = scale * scale * shape / ((shape - 1.0).powi(2) * (shape - 2.0));
                let se = (var / links as f64).sqrt();
                assert!(
                    (drawn - mean).abs() < 4.0 * se + 0.001,
                    "{set:?} {a}->{b}: mean {drawn:.3} ms against {mean} ms (se {se:.3})"
                );
            }
        }
    }
}

/// Two generals, one link of 50 ms and 1 Mbit/s: the time a block takes to reach the other
/// (`propagation_p90_ms`: 9 tenths of 2 is both) is 50 ms plus its size over the bandwidth.
const PAIR: &str = "n = 2\ntrials = 1\n[protocol]\nkind = \"pow\"\n[network]\ntopology = \"complete\"\nlatency_ms = { fixed = 50 }\nbandwidth_mbps = 1\n[pow]\nblocks = 20\n";

fn p90(sets: &[&str]) -> f64 {
    run(PAIR, sets)[0]
        .propagation_p90_ms
        .expect("blocks reached both")
}

#[test]
fn a_one_megabyte_block_over_one_megabit_takes_eight_seconds_longer_than_a_header() {
    let header = p90(&["pow.block_bytes=80"]);
    let block = p90(&["pow.block_bytes=1000000"]);
    // 80 bytes take 0.64 ms; 10^6 bytes take 8 s.
    assert!((header - 50.64).abs() < 0.002, "header {header} ms");
    assert!(
        (block - header - (8000.0 - 0.64)).abs() < 0.002,
        "block {block} ms against header {header} ms"
    );
}

#[test]
fn a_compact_block_is_small_and_a_missing_transaction_costs_a_round_trip() {
    let size = compact_bytes(1_000_000);
    assert_eq!(size, 80 + 8 + 250 + 6 * 2000);
    let transfer_ms = size as f64 * 8.0 / 1000.0;
    let rebuilt = p90(&[
        "pow.block_bytes=1000000",
        "pow.relay=compact",
        "pow.compact_missing_share=0",
    ]);
    assert!((rebuilt - 50.0 - transfer_ms).abs() < 0.002, "{rebuilt}");
    let missing = p90(&[
        "pow.block_bytes=1000000",
        "pow.relay=compact",
        "pow.compact_missing_share=1",
    ]);
    assert!(
        (missing - rebuilt - 100.0).abs() < 0.002,
        "a round trip of 2 x 50 ms: {missing} against {rebuilt}"
    );
}

/// With regions, bandwidth comes from the tables: a block's transfer over one link takes its
/// size over the smaller of the sender's upload and the receiver's download (6 Mbit/s at most
/// between regions in the 2019 set).
#[test]
fn region_bandwidth_is_the_slower_end_of_the_link() {
    let model = Model {
        regions: Some(RegionSet::Bitcoin2019),
        bandwidth: None,
    };
    let net = Internet {
        model,
        region: vec![0, 0, 1, 2],
    };
    // North America to North America: upload 19.2, download 52 Mbit/s.
    assert_eq!(net.bandwidth(NodeId(0), NodeId(1)), Some(19.2e6));
    // North America to Europe: capped at 6 Mbit/s between regions.
    assert_eq!(net.bandwidth(NodeId(0), NodeId(2)), Some(6e6));
    // South America's upload, 5.8 Mbit/s, is below the cap.
    assert_eq!(net.bandwidth(NodeId(3), NodeId(0)), Some(5.8e6));
    assert_eq!(net.transfer(NodeId(3), NodeId(0), 725_000).0, 1_000_000);
}

/// Bigger blocks spread more slowly and fork more: the stale rate and the propagation time
/// grow with the block size, and the measured stale rate stays within four standard errors
/// of the first-order 1 − e^(−τ/T) computed from the measured mean time τ to reach a node.
#[test]
fn stale_rate_follows_the_first_order_curve_of_the_measured_propagation() {
    let text = "n = 200\ntrials = 6\nseed = 5\n[protocol]\nkind = \"pow\"\n[network]\ntopology = \"random-regular\"\ndegree = 8\nregions = \"bitcoin-2019\"\n[pow]\nblock_interval_ms = 60000\nblocks = 300\n";
    let mut last_p50 = 0.0;
    for bytes in ["100000", "4000000"] {
        let rows = run(text, &[&format!("pow.block_bytes={bytes}")]);
        let stale: u64 = rows.iter().map(|r| r.stale_blocks.unwrap()).sum();
        let mined: u64 = rows
            .iter()
            .map(|r| r.blocks.unwrap() + r.stale_blocks.unwrap())
            .sum();
        let rate = stale as f64 / mined as f64;
        let first_order: f64 = rows
            .iter()
            .map(|r| r.stale_rate_first_order.unwrap())
            .sum::<f64>()
            / rows.len() as f64;
        let se = (first_order * (1.0 - first_order) / mined as f64).sqrt();
        assert!(
            (rate - first_order).abs() < 4.0 * se + 0.002,
            "{bytes} bytes: stale rate {rate:.4}, first order {first_order:.4}"
        );
        let p50 = rows[0].propagation_p50_ms.unwrap();
        assert!(p50 > last_p50, "{bytes} bytes: median propagation {p50} ms");
        last_p50 = p50;
    }
}
