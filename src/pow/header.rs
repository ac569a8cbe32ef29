//! The 80-byte Bitcoin block header (Bitcoin Core's `CBlockHeader`; Nakamoto 2008, section 4)
//! and double SHA-256.
//!
//! Serialised little-endian: version (i32), previous block hash (32 bytes), merkle root (32),
//! time (u32), bits (u32), nonce (u32). The block hash is SHA-256(SHA-256(header)), kept in the
//! internal byte order; explorers display it byte-reversed ([`BlockHeader::hash_hex`]).

use sha2::{Digest, Sha256};

use super::Target;
use super::target::compact_to_target;

/// SHA-256 of SHA-256 of `data`.
pub fn double_sha256(data: &[u8]) -> [u8; 32] {
    let once = Sha256::digest(data);
    Sha256::digest(once).into()
}

/// A Bitcoin block header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlockHeader {
    pub version: i32,
    pub prev_hash: [u8; 32],
    pub merkle_root: [u8; 32],
    pub time: u32,
    pub bits: u32,
    pub nonce: u32,
}

impl BlockHeader {
    /// The 80 bytes that are hashed.
    pub fn serialize(&self) -> [u8; 80] {
        let mut b = [0u8; 80];
        b[0..4].copy_from_slice(&self.version.to_le_bytes());
        b[4..36].copy_from_slice(&self.prev_hash);
        b[36..68].copy_from_slice(&self.merkle_root);
        b[68..72].copy_from_slice(&self.time.to_le_bytes());
        b[72..76].copy_from_slice(&self.bits.to_le_bytes());
        b[76..80].copy_from_slice(&self.nonce.to_le_bytes());
        b
    }

    /// The block hash, internal byte order.
    pub fn hash(&self) -> [u8; 32] {
        double_sha256(&self.serialize())
    }

    /// The block hash as explorers show it (byte-reversed hex).
    pub fn hash_hex(&self) -> String {
        display_hex(&self.hash())
    }

    /// Whether the hash, as a 256-bit little-endian number, is at most the target `bits` encodes
    /// (false for an invalid `bits`).
    pub fn meets_target(&self) -> bool {
        compact_to_target(self.bits).is_ok_and(|t| Target::from_le_bytes(self.hash()) <= t)
    }
}

/// A hash in display order: byte-reversed, lowercase hex.
pub fn display_hex(hash: &[u8; 32]) -> String {
    hash.iter().rev().map(|b| format!("{b:02x}")).collect()
}

/// Grinds `header.nonce` from its current value until the header meets its target; returns the
/// number of hashes tried, or `None` after `max_tries` (the nonce is left at the last one tried).
pub fn mine(header: &mut BlockHeader, max_tries: u64) -> Option<u64> {
    let target = compact_to_target(header.bits).ok()?;
    let mut bytes = header.serialize();
    for tries in 1..=max_tries {
        bytes[76..80].copy_from_slice(&header.nonce.to_le_bytes());
        if Target::from_le_bytes(double_sha256(&bytes)) <= target {
            return Some(tries);
        }
        header.nonce = header.nonce.wrapping_add(1);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A hash given in display order, as 32 internal-order bytes.
    pub(crate) fn internal(display: &str) -> [u8; 32] {
        let mut out = [0u8; 32];
        for (i, slot) in out.iter_mut().enumerate() {
            let j = 62 - 2 * i;
            *slot = u8::from_str_radix(&display[j..j + 2], 16).unwrap();
        }
        out
    }

    fn genesis() -> BlockHeader {
        BlockHeader {
            version: 1,
            prev_hash: [0; 32],
            merkle_root: internal(
                "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b",
            ),
            time: 1231006505,
            bits: 0x1d00ffff,
            nonce: 2083236893,
        }
    }

    #[test]
    fn the_genesis_block_hashes_to_its_real_hash() {
        let g = genesis();
        assert_eq!(
            g.hash_hex(),
            "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f"
        );
        assert!(g.meets_target());
        let mut changed = g;
        changed.nonce += 1;
        assert!(!changed.meets_target());
    }

    #[test]
    fn block_1_hashes_to_its_real_hash() {
        let b = BlockHeader {
            version: 1,
            prev_hash: genesis().hash(),
            merkle_root: internal(
                "0e3e2357e806b6cdb1f70b54c3a3a17b6714ee1f0e68bebb44a74b1efd512098",
            ),
            time: 1231469665,
            bits: 0x1d00ffff,
            nonce: 2573394689,
        };
        assert_eq!(
            b.hash_hex(),
            "00000000839a8e6886ab5951d76f411475428afc90947ee320161bbf18eb6048"
        );
        assert!(b.meets_target());
    }

    /// The example of the Bitcoin wiki's "Block hashing algorithm" page: block 125552, at a
    /// difficulty other than the minimum.
    #[test]
    fn block_125552_hashes_to_its_real_hash() {
        let b = BlockHeader {
            version: 1,
            prev_hash: internal("00000000000008a3a41b85b8b29ad444def299fee21793cd8b9e567eab02cd81"),
            merkle_root: internal(
                "2b12fcf1b09288fcaff797d71e950e71ae42b91e8bdb2304758dfcffc2b620e3",
            ),
            time: 1305998791,
            bits: 440711666,
            nonce: 2504433986,
        };
        assert_eq!(
            b.hash_hex(),
            "00000000000000001e8d6829a8a21adc5d38d0a473b144b6765798e61f98bd1d"
        );
        assert!(b.meets_target());
    }

    #[test]
    fn mining_at_regtest_difficulty_finds_a_valid_nonce() {
        let mut h = BlockHeader {
            bits: 0x207fffff,
            nonce: 0,
            ..genesis()
        };
        let tries = mine(&mut h, 1000).expect("half of all hashes meet a regtest target");
        assert!((1..1000).contains(&tries));
        assert!(h.meets_target());
        let mut hard = genesis();
        hard.nonce = 0;
        assert_eq!(mine(&mut hard, 100), None);
    }
}
