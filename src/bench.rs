//! `byzsim bench`: built-in workloads, each measured against the raw limit of the same machine
//! in the same process, so the figures travel between machines as ratios.
//!
//! Wall-clock time is measured here and only here (and never inside a simulation).

use std::hint::black_box;
use std::time::Instant;

use crate::engine::network::{Event, Latency};
use crate::engine::queue::EventQueue;
use crate::error::InputError;
use crate::output::print;
use crate::protocol::Kind;
use crate::rng::{Stream, stream};
use crate::scenario::Scenario;
use crate::trial::run_trial;
use crate::types::{NodeId, SimTime, Value};

/// One benchmark figure.
#[derive(Clone, Debug)]
pub struct Figure {
    pub workload: String,
    pub rate: f64,
    pub unit: &'static str,
    /// The rate of the raw loop this workload is bounded by.
    pub limit_rate: f64,
    pub ratio: f64,
    /// More about the workload, in words.
    pub detail: String,
}

const REPEATS: usize = 5;

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

/// Seconds taken by `f`, median of [`REPEATS`] runs.
#[allow(clippy::disallowed_methods)] // the benchmark measures wall time by design
fn timed(mut f: impl FnMut()) -> f64 {
    median(
        (0..REPEATS)
            .map(|_| {
                let start = Instant::now();
                f();
                start.elapsed().as_secs_f64()
            })
            .collect(),
    )
}

const VOTE_1000: &str = r#"
name = "bench-vote-n1000"
n = 1000
t = 0
[protocol]
kind = "vote"
inputs = "random"
[network]
topology = "complete"
latency_ms = { min = 1, max = 10 }
round_ms = 100
"#;

/// `vote` with n = 1000 fully connected (999,000 messages) against a bare `(time, seq)` queue
/// loop with one ChaCha latency draw per event.
pub fn vote_1000() -> Figure {
    let sc = Scenario::parse("<bench>", "bench", VOTE_1000, &[]).expect("built-in bench scenario");
    let mut delivered = 0;
    let secs = timed(|| {
        let r = run_trial(&sc, Kind::Vote, 0, 1, false).expect("bench trial");
        delivered = r.record.delivered;
    });
    let rate = delivered as f64 / secs;
    let limit_secs = timed(|| {
        black_box(bare_queue_loop(delivered, &sc.network.latency));
    });
    let limit_rate = delivered as f64 / limit_secs;
    Figure {
        workload: "vote n=1000 complete (delivered messages)".to_string(),
        rate,
        unit: "messages/s",
        limit_rate,
        ratio: rate / limit_rate,
        detail: format!("{delivered} messages delivered"),
    }
}

/// The raw limit: schedule `events` deliveries with a ChaCha latency draw each, then pop them all.
fn bare_queue_loop(events: u64, latency: &Latency) -> u64 {
    let mut rng = stream(1, Stream::Latency);
    let mut queue: EventQueue<Event<Value, ()>> = EventQueue::with_capacity(events as usize);
    for i in 0..events {
        let to = NodeId((i % 1000) as u32);
        let at = SimTime::ZERO.saturating_add(latency.draw(&mut rng));
        queue.push(
            at,
            Event::Deliver {
                to,
                from: NodeId(0),
                msg: Value::Attack,
            },
        );
    }
    let mut sum = 0u64;
    while let Some((at, event)) = queue.pop() {
        if let Event::Deliver { to, .. } = event {
            sum = sum.wrapping_add(at.0 ^ to.0 as u64);
        }
    }
    sum
}

const DOLEV_STRONG_1000: &str = r#"
name = "bench-dolev-strong-n1000-t333"
n = 1000
t = 333
[protocol]
kind = "dolev-strong"
value = "attack"
[network]
topology = "complete"
latency_ms = { min = 1, max = 10 }
round_ms = 100
[faults]
behaviour = "honest"
who = "commander"
"#;

/// Dolev–Strong with n = 1000, t = 333: messages per second, against the time of making and
/// checking its distinct signatures once (ed25519 alone, in this process): `ratio` is
/// crypto-once time / run time, so the target "a run costs at most 2× its cryptography" is
/// `ratio >= 0.5`. `detail` gives the share of verifications the memo saved.
pub fn dolev_strong_1000(behaviour: &str) -> Figure {
    let sets = [format!("faults.behaviour={behaviour}")];
    let sc = Scenario::parse("<bench>", "bench", DOLEV_STRONG_1000, &sets)
        .expect("built-in bench scenario");
    let mut record = None;
    let secs = timed(|| {
        record = Some(
            run_trial(&sc, Kind::DolevStrong, 0, 1, false)
                .expect("bench trial")
                .record,
        );
    });
    let r = record.expect("ran at least once");
    let crypto_secs = timed(|| crypto_once(sc.n, r.signatures, r.verifications_computed));
    let saved = 1.0 - r.verifications_computed as f64 / r.verifications.max(1) as f64;
    Figure {
        workload: format!("dolev-strong n=1000 t=333 {behaviour} (messages)"),
        rate: r.messages as f64 / secs,
        unit: "messages/s",
        limit_rate: r.messages as f64 / crypto_secs,
        ratio: crypto_secs / secs,
        detail: format!(
            "{} signatures, {} verifications requested, {} computed ({:.2}% saved by the memo); run {:.1} ms, cryptography once {:.1} ms",
            r.signatures,
            r.verifications,
            r.verifications_computed,
            100.0 * saved,
            secs * 1e3,
            crypto_secs * 1e3
        ),
    }
}

/// Makes `keys` signing keys (each with its verifying key, as a trial derives every general's),
/// signs `signatures` distinct 81-byte messages and verifies `verifications` of them.
fn crypto_once(keys: usize, signatures: u64, verifications: u64) {
    use ed25519_dalek::{Signer, SigningKey, Verifier};
    for i in 0..keys {
        let mut secret = [7u8; 32];
        secret[..8].copy_from_slice(&(i as u64).to_le_bytes());
        black_box(SigningKey::from_bytes(&secret).verifying_key());
    }
    let key = SigningKey::from_bytes(&[7u8; 32]);
    let public = key.verifying_key();
    let mut msg = [0u8; 81];
    for i in 0..signatures.max(verifications) {
        msg[..8].copy_from_slice(&i.to_le_bytes());
        let sig = key.sign(&msg);
        if i < verifications {
            black_box(public.verify(&msg, &sig).is_ok());
        }
        black_box(sig);
    }
}

/// A bench scenario of a partially synchronous protocol (`pbft`, `hotstuff`, `tendermint`): n
/// generals, t = (n − 1)/3 of them traitors that follow the protocol (the quorums and the
/// justification are those of the largest t), fully connected.
fn bft_scenario(kind: &str, n: usize) -> Scenario {
    let text = format!(
        "name = \"bench-{kind}-n{n}\"\nn = {n}\nt = {}\n[protocol]\nkind = \"{kind}\"\ninputs = \"random\"\n\
         [network]\ntopology = \"complete\"\nlatency_ms = {{ min = 1, max = 10 }}\n\
         [faults]\nbehaviour = \"honest\"\n",
        (n - 1) / 3
    );
    Scenario::parse("<bench>", "bench", &text, &[]).expect("built-in bench scenario")
}

/// The honest message count each kind's tests pin, as the bench row states it.
fn count_rule(kind: Kind) -> &'static str {
    match kind {
        Kind::Pbft => "(n - 1)(2n + 1)",
        Kind::HotStuff => "8(n - 1)",
        Kind::Tendermint => "(n - 1)(3n + 1)",
        _ => "",
    }
}

/// One single-shot decision with n = 128 (t = 42): runs per second against the issue's target
/// of one decision in 20 ms (`ratio` = 20 ms / run time, above 1 beats it).
pub fn bft_128(kind: Kind) -> Figure {
    let sc = bft_scenario(kind.name(), 128);
    let mut record = None;
    let secs = timed(|| {
        record = Some(
            run_trial(&sc, kind, 0, 1, false)
                .expect("bench trial")
                .record,
        );
    });
    let r = record.expect("ran at least once");
    Figure {
        workload: format!("{} n=128 t=42 one decision (runs)", kind.name()),
        rate: 1.0 / secs,
        unit: "runs/s",
        limit_rate: 50.0,
        ratio: 0.020 / secs,
        detail: format!(
            "{:.1} ms per run, {} messages ({}), {} signatures, {} verifications computed of {}",
            secs * 1e3,
            r.messages,
            count_rule(kind),
            r.signatures,
            r.verifications_computed,
            r.verifications
        ),
    }
}

/// n = 1000 (t = 333): delivered messages per second against the same bare event queue loop as
/// `vote` (one ChaCha latency draw per event); the target is 3 M messages/s.
pub fn bft_1000(kind: Kind) -> Figure {
    let sc = bft_scenario(kind.name(), 1000);
    let mut record = None;
    let secs = timed(|| {
        record = Some(
            run_trial(&sc, kind, 0, 1, false)
                .expect("bench trial")
                .record,
        );
    });
    let r = record.expect("ran at least once");
    let queue_secs = timed(|| {
        black_box(bare_queue_loop(r.delivered, &sc.network.latency));
    });
    let crypto_secs = timed(|| crypto_once(sc.n, r.signatures, r.verifications_computed));
    let limit_secs = queue_secs + crypto_secs;
    Figure {
        workload: format!("{} n=1000 t=333 (delivered messages)", kind.name()),
        rate: r.delivered as f64 / secs,
        unit: "messages/s",
        limit_rate: r.delivered as f64 / limit_secs,
        ratio: limit_secs / secs,
        detail: format!(
            "{} messages delivered in {:.0} ms (target 3 M/s: {:.0} ms); queue loop {:.1} ms, keys and {} signatures {:.1} ms; {} verifications requested, {} computed",
            r.delivered,
            secs * 1e3,
            r.delivered as f64 / 3e3,
            queue_secs * 1e3,
            r.signatures,
            crypto_secs * 1e3,
            r.verifications,
            r.verifications_computed
        ),
    }
}

const POW_GOSSIP: &str = r#"
name = "bench-pow"
n = 600
[protocol]
kind = "pow"
[network]
topology = "random-regular"
degree = 8
transport = "flooding"
latency_ms = { min = 10, max = 100 }
[pow]
block_interval_ms = 600000
blocks = 1000
[limits]
max_messages = 200000000
"#;

/// Proof of work on a random 8-regular graph with 10–100 ms links and 600 s blocks
/// (exponential mining): `n` nodes mine `blocks` blocks, spread by the network's flooding or by
/// the nodes' own gossip over direct links. `limit_rate` is the issue's target time per run and
/// `ratio` = target / run time; `detail` adds the peak resident memory of the row, read from the
/// OS, and that memory per node per block.
pub fn pow(n: usize, blocks: u64, transport: &str, target_secs: f64) -> Figure {
    let set = [
        format!("n={n}"),
        format!("pow.blocks={blocks}"),
        format!("network.transport={transport}"),
    ];
    let sc =
        Scenario::parse("<bench>", "bench", POW_GOSSIP, &set).expect("built-in bench scenario");
    let before = memory::reset_peak();
    let mut record = None;
    let secs = timed(|| {
        record = Some(
            run_trial(&sc, Kind::Pow, 0, 1, false)
                .expect("bench trial")
                .record,
        );
    });
    let r = record.expect("ran at least once");
    let memory = match (before, memory::peak()) {
        (Some(before), Some(peak)) => {
            let row = peak.saturating_sub(before) as f64;
            format!(
                ", peak RSS {:.1} MB ({:.1} MB above the process before the row: {:.2} bytes per node per block)",
                peak as f64 / 1e6,
                row / 1e6,
                row / (n as f64 * blocks as f64)
            )
        }
        _ => ", peak RSS not available on this OS".to_string(),
    };
    Figure {
        workload: format!("pow n={n} degree 8, {blocks} blocks, {transport} (runs)"),
        rate: 1.0 / secs,
        unit: "runs/s",
        limit_rate: 1.0 / target_secs,
        ratio: target_secs / secs,
        detail: format!(
            "{:.0} ms per run, {} messages, {} main-chain blocks, {} stale{memory}",
            secs * 1e3,
            r.messages,
            r.blocks.unwrap_or(0),
            r.stale_blocks.unwrap_or(0)
        ),
    }
}

/// Peak resident memory, from `/proc/self/status` (Linux; no C dependency).
mod memory {
    /// Resets the process's peak resident set to its current size (`/proc/self/clear_refs`,
    /// Linux 4.0 on) and returns that size in bytes: the row's peak is then its own.
    pub fn reset_peak() -> Option<u64> {
        std::fs::write("/proc/self/clear_refs", "5").ok()?;
        field("VmRSS:")
    }

    /// The peak resident set since the last reset, in bytes (`VmHWM`).
    pub fn peak() -> Option<u64> {
        field("VmHWM:")
    }

    fn field(name: &str) -> Option<u64> {
        let status = std::fs::read_to_string("/proc/self/status").ok()?;
        let line = status.lines().find(|l| l.starts_with(name))?;
        let kb: u64 = line[name.len()..]
            .trim()
            .strip_suffix("kB")?
            .trim()
            .parse()
            .ok()?;
        Some(kb * 1024)
    }
}

/// Hash mining's grind (a header, nonce after nonce, checked against the target) against bare
/// double SHA-256 of 80 bytes.
pub fn hashing() -> Figure {
    use crate::pow::{BlockHeader, double_sha256, mine};
    let n = 2_000_000u64;
    let mut header = BlockHeader {
        version: 1,
        prev_hash: [1; 32],
        merkle_root: [2; 32],
        time: 0,
        bits: 0x1d00ffff,
        nonce: 0,
    };
    let grind = timed(|| {
        header.nonce = 0;
        black_box(mine(&mut header, n));
    });
    let bare = timed(|| {
        let mut bytes = [7u8; 80];
        for i in 0..n {
            bytes[76..80].copy_from_slice(&(i as u32).to_le_bytes());
            black_box(double_sha256(&bytes));
        }
    });
    Figure {
        workload: "hash mining grind (hashes)".to_string(),
        rate: n as f64 / grind,
        unit: "hashes/s",
        limit_rate: n as f64 / bare,
        ratio: bare / grind,
        detail: "the limit is bare double SHA-256 of 80 bytes in this process".to_string(),
    }
}

/// A rate with an SI prefix and its unit: `11.2 M messages/s`, `950 hashes/s`.
fn si(x: f64, unit: &str) -> String {
    let (value, prefix) = [(1e9, "G"), (1e6, "M"), (1e3, "k")]
        .into_iter()
        .find(|&(scale, _)| x.abs() >= scale)
        .map_or((x, ""), |(scale, p)| (x / scale, p));
    let digits = if value.abs() >= 100.0 {
        0
    } else if value.abs() >= 10.0 {
        1
    } else {
        2
    };
    let space = if prefix.is_empty() { "" } else { " " };
    format!("{value:.digits$}{space}{prefix} {unit}")
}

/// How a figure reads on screen: the rate and the limit in the workload's own unit, and which
/// way is better. A whole run is shown as seconds per run (lower is better); a count per
/// second as such (higher is better).
pub fn shown(f: &Figure) -> (String, String, &'static str) {
    match f.unit.strip_suffix("runs/s") {
        Some(_) => (
            format!("{:.3} s per run", 1.0 / f.rate),
            format!("{:.3} s per run", 1.0 / f.limit_rate),
            "lower is better",
        ),
        None => (
            si(f.rate, f.unit),
            si(f.limit_rate, f.unit),
            "higher is better",
        ),
    }
}

/// The table's first line.
fn header() -> String {
    format!(
        "{:<50} {:>22} {:>22} {:>7}\n",
        "workload", "measured", "limit", "ratio"
    )
}

/// One workload's row, in its own unit, and which way is better.
fn row(f: &Figure) -> String {
    let (rate, limit, better) = shown(f);
    format!(
        "{:<50} {:>22} {:>22} {:>7.3}\n    {better}; ratio above 1 beats the limit. {}\n",
        f.workload, rate, limit, f.ratio, f.detail
    )
}

const FOOTER: &str = concat!(
    "(median of 5 runs each. vote: limit = the same event queue with one ChaCha draw per\n",
    " event. dolev-strong: limit = making and checking its distinct signatures once; ratio =\n",
    " that time / run time, so a run costing at most 2x its cryptography has ratio >= 0.5.\n",
    " pbft, hotstuff, tendermint n=128: limit = the 20 ms target per decision. n=1000:\n",
    " limit = the vote queue loop for its messages plus making its keys and signatures once\n",
    " (target 3 M messages/s, which a protocol signing 4 times per general for 8 messages\n",
    " per general, hotstuff, cannot reach with real ed25519 signatures).\n",
    " pow: limit = the target time per run; peak RSS is the row's own (reset before it).\n",
    " hashing: limit = bare double SHA-256.)\n"
);

/// The figures as a table, one workload per row in its own unit.
pub fn render(figures: &[Figure]) -> String {
    let rows: String = figures.iter().map(row).collect();
    format!("{}{rows}{FOOTER}", header())
}

/// One figure as a JSON object: {workload, rate, unit, limit_rate, ratio, detail, better}.
fn json_row(f: &Figure) -> String {
    serde_json::json!({
        "workload": f.workload,
        "rate": f.rate,
        "unit": f.unit,
        "limit_rate": f.limit_rate,
        "ratio": f.ratio,
        "detail": f.detail,
        "better": "higher rate and ratio",
    })
    .to_string()
}

/// The figures as a JSON array.
pub fn json(figures: &[Figure]) -> String {
    let rows: Vec<String> = figures.iter().map(json_row).collect();
    format!("[\n  {}\n]\n", rows.join(",\n  "))
}

/// A workload: its name (what `--only` matches) and what measures it.
pub type Workload = (&'static str, fn() -> Figure);

/// The workloads, by name.
pub const WORKLOADS: [Workload; 14] = [
    ("vote n=1000", vote_1000),
    ("dolev-strong honest", || dolev_strong_1000("honest")),
    ("dolev-strong late-release", || {
        dolev_strong_1000("late-release")
    }),
    ("pbft n=128", || bft_128(Kind::Pbft)),
    ("pbft n=1000", || bft_1000(Kind::Pbft)),
    ("hotstuff n=128", || bft_128(Kind::HotStuff)),
    ("hotstuff n=1000", || bft_1000(Kind::HotStuff)),
    ("tendermint n=128", || bft_128(Kind::Tendermint)),
    ("tendermint n=1000", || bft_1000(Kind::Tendermint)),
    ("pow n=600 flooding", || pow(600, 1000, "flooding", 0.5)),
    ("pow n=600 direct", || pow(600, 1000, "direct", 0.25)),
    ("pow n=10000 direct", || pow(10_000, 1000, "direct", 10.0)),
    ("pow n=100000 direct", || pow(100_000, 100, "direct", 60.0)),
    ("hashing", hashing),
];

/// Runs the workloads whose name contains `only` (every one without it) and prints each
/// figure as it is measured, after a first line printed before any measuring: a standard
/// output that cannot be written (`> /dev/full`, a closed pipe) fails at once, as an I/O error,
/// not after a minute of work (nor with a panic).
pub fn run(as_json: bool, only: Option<&str>) -> Result<(), InputError> {
    let workloads: Vec<fn() -> Figure> = WORKLOADS
        .iter()
        .filter(|(name, _)| only.is_none_or(|o| name.contains(o)))
        .map(|(_, w)| *w)
        .collect();
    if workloads.is_empty() {
        let names: Vec<&str> = WORKLOADS.iter().map(|(name, _)| *name).collect();
        return Err(InputError {
            key: Some("--only".to_string()),
            ..InputError::file(
                "<command line>",
                format!(
                    "no workload's name contains `{}` (workloads: {})",
                    only.unwrap_or_default(),
                    names.join(", ")
                ),
            )
        });
    }
    if as_json {
        print("[\n  ")?;
        for (i, workload) in workloads.iter().enumerate() {
            print(&format!(
                "{}{}",
                if i > 0 { ",\n  " } else { "" },
                json_row(&workload())
            ))?;
        }
        return print("\n]\n");
    }
    print(&header())?;
    for workload in workloads {
        print(&row(&workload()))?;
    }
    print(FOOTER)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn figure(rate: f64, unit: &'static str, limit_rate: f64) -> Figure {
        Figure {
            workload: "w".into(),
            rate,
            unit,
            limit_rate,
            ratio: rate / limit_rate,
            detail: String::new(),
        }
    }

    #[test]
    fn each_row_reads_in_its_own_unit_never_as_zero_millions() {
        // 3.3 runs per second is 0.303 s per run, lower is better.
        let (rate, limit, better) = shown(&figure(3.3, "runs/s", 2.0));
        assert_eq!(
            (rate.as_str(), limit.as_str()),
            ("0.303 s per run", "0.500 s per run")
        );
        assert_eq!(better, "lower is better");
        let (rate, _, better) = shown(&figure(11.2e6, "messages/s", 14.5e6));
        assert_eq!(
            (rate.as_str(), better),
            ("11.2 M messages/s", "higher is better")
        );
        assert_eq!(si(950.0, "hashes/s"), "950 hashes/s");
        assert_eq!(si(8.04e6, "hashes/s"), "8.04 M hashes/s");
        let text = render(&[figure(3.3, "runs/s", 2.0), figure(5.4e6, "messages/s", 5e7)]);
        assert!(!text.contains("0.000"), "{text}");
        assert_eq!(text.matches("is better").count(), 2, "once per row: {text}");
    }
}
