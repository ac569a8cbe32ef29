//! Proof of work as Bitcoin does it, for the simulator's Nakamoto mode: block headers and their
//! double SHA-256 hash (Bitcoin Core's `CBlockHeader`), merkle roots (`ComputeMerkleRoot`,
//! `consensus/merkle.cpp`), 256-bit targets in compact form (`arith_uint256::SetCompact` /
//! `GetCompact`), block work (`GetBlockProof`) and retargeting (`CalculateNextWorkRequired`,
//! `pow.cpp`), after Nakamoto, "Bitcoin: A Peer-to-Peer Electronic Cash System" (2008).
//! Each piece is tested against real main-network blocks and Bitcoin Core's own test vectors.

pub mod difficulty;
pub mod header;
pub mod merkle;

pub use difficulty::{
    ChainParams, Compact, CompactError, Target, compact_to_target, decode_compact,
    next_work_required, target_to_compact,
};
pub use header::{BlockHeader, NonceHasher, display_hex, double_sha256, mine};
pub use merkle::{merkle_root, merkle_root_mutated};
