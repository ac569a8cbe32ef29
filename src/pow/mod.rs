//! Proof of work as Bitcoin does it: block headers and their double SHA-256 hash, merkle roots,
//! targets in compact form, and difficulty retargeting. The simulator's Nakamoto mode builds
//! real headers with these; each piece is tested against Bitcoin's own blocks and Bitcoin Core's
//! test vectors.

pub mod difficulty;
pub mod header;
pub mod merkle;
pub mod target;

pub use difficulty::{ChainParams, next_work_required};
pub use header::{BlockHeader, display_hex, double_sha256, mine};
pub use merkle::merkle_root;
pub use target::{CompactError, Target, compact_to_target, target_to_compact};
