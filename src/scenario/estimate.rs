//! What a trial will cost, estimated from the scenario before anything is built or run, and the
//! refusal of anything over a limit: messages, events, hashes and memory per trial, and the
//! simulated horizon. Every refusal names the estimate, the limit and the key or flag that raises
//! it, so a run that cannot finish fails in milliseconds instead of grinding for an hour.
//!
//! | cost | estimate | limit (default) | raise with |
//! |---|---|---|---|
//! | messages | the protocol's count over n + sybil nodes × flooding hops | `limits.max_messages` (5·10^7) | `--max-messages N` |
//! | events | messages + blocks mined (proof of work) | `limits.max_events` (2·10^8) | `--set limits.max_events=N` |
//! | hashes | hash mining: miners × `hashes_per_block` per block found | `limits.max_hashes` (10^9) | `--set limits.max_hashes=N` |
//! | memory | the graph's adjacency + every message in flight at once (56 B each); for `pow`, whose blocks spread, one block's wave in flight, 1.5 kB per node and blocks × (320 B + 1 bit per node: the shared store) | `limits.max_memory_mb` (4096, or half the RAM over the cores if less) | `--max-memory MB` or `--set limits.max_memory_mb=N` |
//! | a whole run | trials × the events of a trial (a mined block counts as 8), summed over the protocols of a list | `limits.max_run_events` (10^9) | `--set limits.max_run_events=N`, or fewer `--trials` |
//! | time | the simulated horizon (`limits.max_time_ms`, or 20 × blocks × interval for `pow`) | 2^62 µs (≈ 146,000 years), fixed | — |

use super::Source;
use crate::engine::Limits;
use crate::engine::network::Transport;
use crate::error::InputError;
use crate::general::EstimateInput;
use crate::protocol::Kind;
use crate::protocol::nakamoto::{Mining, PowParams};
use crate::topology::TopologySpec;
use crate::types::SimTime;

/// The latest simulated instant a trial may reach: every delay added to a time before it (each
/// at most 2^63 µs) stays below 2^64, so simulated time never saturates.
pub const MAX_HORIZON: SimTime = SimTime(1 << 62);

/// Bytes a proof-of-work block costs: the block itself in the trial's store (about 250 bytes
/// and its tally), plus its bit in each node's set of known blocks.
const BLOCK_BYTES: f64 = 320.0;
const BLOCK_BYTES_PER_NODE: f64 = 1.0 / 8.0;
/// Bytes a proof-of-work node costs whatever the blocks: its state (about 640 bytes), its random
/// stream (about 320), the engine's per-general entries, with allocator slack (measured: 10,000
/// nodes on an 8-regular graph peak at about 2.4 kB a node, messages in flight and graph
/// included, which the estimate counts apart).
const POW_NODE_BYTES: f64 = 1500.0;
/// Bytes a message waiting in the event queue costs (measured: vote with 7004 generals holds
/// its 49 million messages in about 2.6 GB). Protocols other than proof of work may send all
/// their messages before the first arrives (vote does), so the estimate counts them all.
const QUEUED_MESSAGE_BYTES: f64 = 56.0;
/// What a mined block costs in the run-wide estimate, in message deliveries: drawing the next
/// block, hashing its header and adding it to every tree (measured: two miners and a million
/// blocks take 1.6 s, about 1.2 µs a block against 0.17 µs a vote message).
const BLOCK_WORK: f64 = 8.0;

/// The shape of one trial, as far as its cost goes.
pub struct Shape<'a> {
    pub kinds: &'a [Kind],
    /// Trials of the run (of one sweep cell).
    pub trials: u64,
    /// Generals plus Sybil identities.
    pub nodes: usize,
    pub n: usize,
    pub t: usize,
    pub m: usize,
    /// Undirected edges of the graph (expected, for a random one).
    pub edges: f64,
    pub complete: bool,
    pub transport: Transport,
    /// `disjoint-paths`: transmissions per message, averaged over the pairs.
    pub path_hops: f64,
    pub pow: &'a PowParams,
    pub limits: &'a Limits,
}

/// Memory the graph of `nodes` generals with `edges` edges takes: neighbour lists (4 bytes per
/// entry), and for a graph that is not complete petgraph's copy (about 16 bytes an edge).
pub fn graph_bytes(nodes: usize, edges: f64, complete: bool) -> f64 {
    let per_edge = if complete { 8.0 } else { 24.0 };
    edges * per_edge + nodes as f64 * 64.0
}

/// The default memory limit per trial, in MiB: 4096, or less on a small machine: half of its
/// RAM (`MemTotal` in `/proc/meminfo`) shared among the trials that run at once (one per core),
/// so that a sweep's cells, each refused up front when estimated above it, never make it swap.
/// Only refusals depend on it, never an output. 4096 where the RAM cannot be read.
pub fn machine_memory_mb() -> u64 {
    const CEILING: u64 = 4096;
    let ram_mb = std::fs::read_to_string("/proc/meminfo").ok().and_then(|m| {
        let line = m.lines().find(|l| l.starts_with("MemTotal:"))?;
        let kb: u64 = line["MemTotal:".len()..]
            .trim()
            .strip_suffix("kB")?
            .trim()
            .parse()
            .ok()?;
        Some(kb / 1024)
    });
    let cores = std::thread::available_parallelism().map_or(1, |c| c.get()) as u64;
    ram_mb.map_or(CEILING, |ram| (ram / 2 / cores).clamp(64, CEILING))
}

/// Refuses a graph whose adjacency alone would exceed the memory limit, before it is built.
pub fn refuse_large_graph(
    spec: &TopologySpec,
    nodes: usize,
    limits: &Limits,
    src: &Source,
) -> Result<(), InputError> {
    let edges = spec.expected_edges(nodes);
    let bytes = graph_bytes(nodes, edges, *spec == TopologySpec::Complete);
    refuse_memory(
        bytes,
        &format!("a {} graph of {nodes} nodes", spec.name()),
        limits,
        src,
    )
}

fn refuse_memory(bytes: f64, what: &str, limits: &Limits, src: &Source) -> Result<(), InputError> {
    let mb = bytes / (1024.0 * 1024.0);
    if mb > limits.max_memory_mb as f64 {
        return Err(src.error(
            "limits.max_memory_mb",
            format!(
                "{what} would take about {mb:.3e} MiB per trial, more than the limit of {} MiB: raise it with --set limits.max_memory_mb=N if the machine can take it",
                limits.max_memory_mb
            ),
        ));
    }
    Ok(())
}

/// Blocks a proof-of-work trial mines: the main chain plus about 10% stale, plus the first.
fn blocks_mined(pow: &PowParams) -> f64 {
    pow.end_height() as f64 * 1.1 + 1.0
}

/// Refuses a configuration whose estimated messages, events, hashes or memory per trial exceed
/// the limits. Flooding multiplies each broadcast's n − 1 sends into about 2E − n + 1 hops.
pub fn refuse_too_large(s: &Shape, src: &Source) -> Result<(), InputError> {
    let (nodes, limits) = (s.nodes, s.limits);
    let flood = (2.0 * s.edges - nodes as f64 + 1.0).max(1.0) / (nodes as f64 - 1.0).max(1.0);
    let sybil = match nodes - s.n {
        0 => String::new(),
        k => format!(" + {k} Sybil identities"),
    };
    let mut run_events = 0.0;
    for kind in s.kinds {
        let hops_per_send = match s.transport {
            // Proof of work gossips over direct links on a graph that is not complete.
            Transport::Direct if *kind == Kind::Pow && !s.complete => flood,
            Transport::Direct => 1.0,
            Transport::Flooding => flood,
            // Each send goes over its pair's paths (averaged over the first graph's pairs).
            Transport::DisjointPaths => s.path_hops,
        };
        let input = EstimateInput {
            n: nodes,
            t: s.t,
            m: s.m,
            blocks: s.pow.end_height(),
        };
        let messages = kind.estimate(input) * hops_per_send;
        let what = format!(
            "{} with n = {}{sybil}, t = {}, m = {}",
            kind.name(),
            s.n,
            s.t,
            s.m
        );
        if messages > limits.max_messages as f64 {
            return Err(src.error(
                "limits.max_messages",
                format!(
                    "{what} would send about {messages:.2e} messages per trial, more than the limit of {}: raise it with --max-messages N (or limits.max_messages) if the machine can take it",
                    limits.max_messages
                ),
            ));
        }
        if *kind != Kind::Pow {
            run_events += messages;
            let bytes = graph_bytes(nodes, s.edges, s.complete) + messages * QUEUED_MESSAGE_BYTES;
            refuse_memory(
                bytes,
                &format!("{what} ({messages:.2e} messages in flight at most)"),
                limits,
                src,
            )?;
            continue;
        }
        let blocks = blocks_mined(s.pow);
        let events = messages + blocks;
        run_events += messages + blocks * BLOCK_WORK;
        if events > limits.max_events as f64 {
            return Err(src.error(
                "limits.max_events",
                format!(
                    "{what} would process about {events:.2e} events per trial ({blocks:.2e} blocks mined and their messages), more than the limit of {}: raise it with --set limits.max_events=N if the machine can take it",
                    limits.max_events
                ),
            ));
        }
        // One block's wave in flight at once: each node passes it to its neighbours.
        let wave = nodes as f64 * hops_per_send * QUEUED_MESSAGE_BYTES;
        let bytes = graph_bytes(nodes, s.edges, s.complete)
            + nodes as f64 * POW_NODE_BYTES
            + wave
            + blocks * (BLOCK_BYTES + BLOCK_BYTES_PER_NODE * nodes as f64);
        refuse_memory(bytes, &format!("{what} ({blocks:.2e} blocks)"), limits, src)?;
        if s.pow.mining == Mining::Hash {
            let hashes = hashes(s.pow, s.n, limits.max_time);
            if hashes > limits.max_hashes as f64 {
                return Err(src.error(
                    "limits.max_hashes",
                    format!(
                        "hash mining with n = {} miners, {} hashes per block and {blocks:.2e} blocks would compute about {hashes:.2e} double SHA-256 hashes per trial, more than the limit of {}: raise it with --set limits.max_hashes=N, or lower pow.hashes_per_block",
                        s.n, s.pow.hashes_per_block, limits.max_hashes
                    ),
                ));
            }
        }
    }
    let total = run_events * s.trials as f64;
    if total > limits.max_run_events as f64 {
        return Err(src.error(
            "limits.max_run_events",
            format!(
                "{} trials of about {run_events:.2e} events each make {total:.2e} events, more than a run is allowed ({}, minutes of work): run fewer trials (--trials), or raise it with --set limits.max_run_events=N if you mean to wait",
                s.trials, limits.max_run_events
            ),
        ));
    }
    Ok(())
}

/// Hashes a hash-mining trial computes. Each time a block is found every miner restarts and
/// grinds until its own next block (about `hashes_per_block` tries, whatever its share), but no
/// further than the horizon: at most (horizon − now) × its hash rate.
fn hashes(pow: &PowParams, miners: usize, horizon: SimTime) -> f64 {
    let factor = pow.hashrate_change.map_or(1.0, |(_, f)| f.max(1.0));
    let rate_per_us = pow.hashes_per_block as f64 / pow.block_interval.0.max(1) as f64 * factor;
    let per_round =
        (miners as f64 * pow.hashes_per_block as f64).min(horizon.0 as f64 * rate_per_us);
    per_round * blocks_mined(pow)
}

/// Refuses a horizon past [`MAX_HORIZON`]: `wanted` is the time asked for, or `None` if it
/// overflowed already.
pub fn refuse_horizon(wanted: Option<u64>, key: &str, src: &Source) -> Result<SimTime, InputError> {
    match wanted {
        Some(us) if us <= MAX_HORIZON.0 => Ok(SimTime(us)),
        _ => Err(src.error(
            key,
            format!(
                "a trial would need more simulated time than byzsim keeps exactly (2^62 µs, about 146,000 years): {} — shorten pow.block_interval_ms or pow.blocks, or set limits.max_time_ms",
                match wanted {
                    Some(us) => format!("{:.3e} ms asked", us as f64 / 1000.0),
                    None => "the time asked overflows".to_string(),
                }
            ),
        )),
    }
}
