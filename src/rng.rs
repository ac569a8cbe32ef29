//! The only source of randomness: ChaCha8 streams derived from one trial seed.
//!
//! A trial seed is expanded into a ChaCha8 key once; every subsystem reads its own 64-bit
//! *stream* of that key ([`Stream`]), so adding a draw in one place never shifts the draws of
//! another. Trial `i` of a run with master seed `S` uses trial seed `S + i` (wrapping), which is
//! what makes `byzsim run FILE --seed S --trials 1` replay any CSV row: the row's `seed` column is
//! its trial seed.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// The simulator's random number generator.
pub type SimRng = ChaCha8Rng;

/// The independent random streams of one trial.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stream {
    /// Random graph construction.
    Topology,
    /// Link latency draws.
    Latency,
    /// Link loss draws.
    Loss,
    /// Which generals are traitors.
    Faults,
    /// The generals' own inputs (`protocol.inputs = "random"`).
    Inputs,
    /// The honest logic of general `i`.
    Node(u32),
    /// The traitor behaviour of general `i` (its coin flips, splits, drops).
    Traitor(u32),
    /// The signing key of general `i`.
    Key(u32),
    /// Mining (proof of work) and other protocol-wide draws.
    Protocol,
    /// The network adversary's coin flips (timing schedulers).
    Scheduler,
    /// Which region each general is placed in (`network.regions`).
    Regions,
    /// Which relayed messages need one more round trip (compact blocks missing transactions).
    Relay,
}

impl Stream {
    fn id(self) -> u64 {
        match self {
            Stream::Topology => 1,
            Stream::Latency => 2,
            Stream::Loss => 3,
            Stream::Faults => 4,
            Stream::Inputs => 5,
            Stream::Protocol => 7,
            Stream::Scheduler => 8,
            Stream::Regions => 9,
            Stream::Relay => 10,
            Stream::Node(i) => (1 << 32) | i as u64,
            Stream::Traitor(i) => (2 << 32) | i as u64,
            Stream::Key(i) => (3 << 32) | i as u64,
        }
    }
}

/// The generator for one stream of one trial.
pub fn stream(trial_seed: u64, which: Stream) -> SimRng {
    let mut rng = ChaCha8Rng::seed_from_u64(trial_seed);
    rng.set_stream(which.id());
    rng
}

/// Seeds are kept below 2^63 so that every seed can be written as a TOML integer (a signed
/// 64-bit number) in a scenario file or a `--seed`.
pub const SEED_MASK: u64 = (1 << 63) - 1;

/// The seed of trial `trial` of a run whose master seed is `master` (wrapping below 2^63).
pub fn trial_seed(master: u64, trial: u64) -> u64 {
    master.wrapping_add(trial) & SEED_MASK
}

/// A well-mixed 64-bit value from several inputs (SplitMix64 finaliser), used to give each sweep
/// cell its own master seed.
pub fn mix(parts: &[u64]) -> u64 {
    let mut h: u64 = 0x9E37_79B9_7F4A_7C15;
    for &p in parts {
        h ^= p;
        h = h.wrapping_add(0x9E37_79B9_7F4A_7C15);
        h = (h ^ (h >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        h = (h ^ (h >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        h ^= h >> 31;
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    #[test]
    fn streams_of_one_seed_are_independent_and_reproducible() {
        let a: Vec<u64> = (0..4)
            .map(|_| stream(7, Stream::Latency).random())
            .collect();
        assert!(
            a.windows(2).all(|w| w[0] == w[1]),
            "same stream, same draws"
        );
        let x: u64 = stream(7, Stream::Latency).random();
        let y: u64 = stream(7, Stream::Loss).random();
        let z: u64 = stream(8, Stream::Latency).random();
        assert_ne!(x, y);
        assert_ne!(x, z);
        assert_ne!(
            stream(1, Stream::Node(3)).random::<u64>(),
            stream(1, Stream::Traitor(3)).random::<u64>()
        );
    }

    #[test]
    fn trial_zero_uses_the_master_seed() {
        assert_eq!(trial_seed(42, 0), 42);
        assert_eq!(trial_seed(SEED_MASK, 1), 0);
    }
}
