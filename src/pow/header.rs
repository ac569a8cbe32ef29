//! Block headers and their proof-of-work hash.
//!
//! [`BlockHeader`] is Bitcoin Core's `CBlockHeader` (`src/primitives/block.h`): six fields
//! serialized little-endian into 80 bytes, hashed with double SHA-256; the hash, read as a
//! 256-bit little-endian integer, must not exceed the target its `bits` encode (Core's
//! `CheckProofOfWork`, `src/pow.cpp`). Nakamoto (2008), §4: "scanning for a value that when
//! hashed ... begins with a number of zero bits", by incrementing a nonce. [`mine`] does that
//! for low-difficulty simulation. Tests hash real main-network headers to their known hashes.

use sha2::{Digest, Sha256};

use super::difficulty::{Target, compact_to_target};

/// SHA-256 applied twice (Bitcoin's `Hash`/`SHA256d`), in internal byte order.
pub fn double_sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(Sha256::digest(data)).into()
}

/// A 32-byte hash in display order: byte-reversed, lowercase hex (how explorers show hashes).
pub fn display_hex(hash: &[u8; 32]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(64);
    for byte in hash.iter().rev() {
        out.push(DIGITS[usize::from(byte >> 4)].into());
        out.push(DIGITS[usize::from(byte & 0x0f)].into());
    }
    out
}

/// A Bitcoin block header (`CBlockHeader`); hashes are in internal byte order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlockHeader {
    /// Block version (with BIP 9 version bits on modern blocks).
    pub version: i32,
    /// Hash of the previous block's header.
    pub prev_hash: [u8; 32],
    /// Merkle root of the block's transaction ids.
    pub merkle_root: [u8; 32],
    /// Block time, seconds since the Unix epoch.
    pub time: u32,
    /// The target in compact form.
    pub bits: u32,
    /// The value miners vary.
    pub nonce: u32,
}

impl BlockHeader {
    /// The 80-byte consensus serialization: version, previous hash, merkle root, time, bits,
    /// nonce; integers little-endian.
    pub fn serialize(&self) -> [u8; 80] {
        let mut out = [0u8; 80];
        out[0..4].copy_from_slice(&self.version.to_le_bytes());
        out[4..36].copy_from_slice(&self.prev_hash);
        out[36..68].copy_from_slice(&self.merkle_root);
        out[68..72].copy_from_slice(&self.time.to_le_bytes());
        out[72..76].copy_from_slice(&self.bits.to_le_bytes());
        out[76..80].copy_from_slice(&self.nonce.to_le_bytes());
        out
    }

    /// The block hash: double SHA-256 of [`BlockHeader::serialize`], internal byte order.
    pub fn hash(&self) -> [u8; 32] {
        double_sha256(&self.serialize())
    }

    /// The hash this header would have with `nonce` in place of its own.
    pub fn hash_with_nonce(&self, nonce: u32) -> [u8; 32] {
        let mut bytes = self.serialize();
        bytes[76..80].copy_from_slice(&nonce.to_le_bytes());
        double_sha256(&bytes)
    }

    /// The block hash in display order (as block explorers and `getblockhash` show it).
    pub fn hash_hex(&self) -> String {
        display_hex(&self.hash())
    }

    /// Whether the hash, as a little-endian number, is at most the target `bits` encode.
    /// False if `bits` is negative, overflows, or encodes zero (Core's `CheckProofOfWork`
    /// range check, less the comparison with a chain's limit, which a header does not know).
    pub fn meets_target(&self) -> bool {
        match compact_to_target(self.bits) {
            Ok(target) if !target.is_zero() => Target::from_le_bytes(self.hash()) <= target,
            _ => false,
        }
    }
}

/// Hashes one header under many nonces, reusing the SHA-256 state after the first 64 bytes
/// (which do not contain the nonce): two compressions per nonce instead of three.
#[derive(Clone)]
pub struct NonceHasher {
    midstate: Sha256,
    tail: [u8; 16],
}

impl NonceHasher {
    /// Prepares to hash `header` under varying nonces.
    pub fn new(header: &BlockHeader) -> NonceHasher {
        let bytes = header.serialize();
        let mut midstate = Sha256::new();
        midstate.update(&bytes[..64]);
        let mut tail = [0u8; 16];
        tail.copy_from_slice(&bytes[64..]);
        NonceHasher { midstate, tail }
    }

    /// The header's hash with `nonce`; equal to [`BlockHeader::hash_with_nonce`].
    pub fn hash(&self, nonce: u32) -> [u8; 32] {
        let mut tail = self.tail;
        tail[12..16].copy_from_slice(&nonce.to_le_bytes());
        let mut inner = self.midstate.clone();
        inner.update(tail);
        Sha256::digest(inner.finalize()).into()
    }
}

/// Grinds `header.nonce` upward (wrapping) from its current value until the header meets its
/// target, trying at most `max_tries` nonces (and at most all 2^32 of them).
///
/// Returns the number of hashes computed, the successful one included, and leaves the winning
/// nonce in `header`; `None` if none was found (`header.nonce` then is the next untried nonce)
/// or if `bits` is not a valid non-zero target.
pub fn mine(header: &mut BlockHeader, max_tries: u64) -> Option<u64> {
    let target = compact_to_target(header.bits)
        .ok()
        .filter(|t| !t.is_zero())?;
    let hasher = NonceHasher::new(header);
    let tries = max_tries.min(1 << 32);
    for tried in 1..=tries {
        if Target::from_le_bytes(hasher.hash(header.nonce)) <= target {
            return Some(tried);
        }
        header.nonce = header.nonce.wrapping_add(1);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Hex in display order (big-endian, as explorers print hashes) to internal byte order.
    fn display_to_internal(hex: &str) -> [u8; 32] {
        let mut out = from_hex::<32>(hex);
        out.reverse();
        out
    }

    fn from_hex<const N: usize>(hex: &str) -> [u8; N] {
        assert_eq!(hex.len(), 2 * N, "test hex length");
        let mut out = [0u8; N];
        for (i, byte) in out.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).expect("test hex");
        }
        out
    }

    fn header(
        version: i32,
        prev: &str,
        merkle: &str,
        time: u32,
        bits: u32,
        nonce: u32,
    ) -> BlockHeader {
        BlockHeader {
            version,
            prev_hash: display_to_internal(prev),
            merkle_root: display_to_internal(merkle),
            time,
            bits,
            nonce,
        }
    }

    const ZERO: &str = "0000000000000000000000000000000000000000000000000000000000000000";

    /// Block 0. Fields: Bitcoin Wiki "Genesis block" (block.nVersion/nTime/nBits/nNonce,
    /// hashMerkleRoot, GetHash()).
    fn genesis() -> BlockHeader {
        header(
            1,
            ZERO,
            "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b",
            1231006505,
            0x1d00ffff,
            2083236893,
        )
    }
    const GENESIS_HASH: &str = "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f";

    /// Real main-network headers: (height, header, block hash in display order). Each hash is a
    /// 256-bit check of all six fields, so a wrong field cannot pass.
    fn real_headers() -> Vec<(u32, BlockHeader, &'static str)> {
        vec![
            (0, genesis(), GENESIS_HASH),
            // Block 1: `getblock` output (merkleroot, time, nonce, bits 1d00ffff) as quoted in
            // public test fixtures, e.g. Electrum-server and light-client tests.
            (
                1,
                header(
                    1,
                    GENESIS_HASH,
                    "0e3e2357e806b6cdb1f70b54c3a3a17b6714ee1f0e68bebb44a74b1efd512098",
                    1231469665,
                    0x1d00ffff,
                    2573394689,
                ),
                "00000000839a8e6886ab5951d76f411475428afc90947ee320161bbf18eb6048",
            ),
            // Block 100000: `getblock` (bits 1b04864c, nonce 274148111, time 1293623863).
            (
                100_000,
                header(
                    1,
                    "000000000002d01c1fccc21636b607dfd930d31d01c3a62104612a1719011250",
                    "f3e94742aca4b5ef85488dc37c06c3282295ffec960994b2c0d5ac2a25a95766",
                    1293623863,
                    0x1b04864c,
                    274148111,
                ),
                "000000000003ba27aa200b1cecaad478d2b00432346c3f1f3986da1afd33e506",
            ),
            // Block 125552: Bitcoin Wiki "Block hashing algorithm" (bits 1a44b9f2).
            (
                125_552,
                header(
                    1,
                    "00000000000008a3a41b85b8b29ad444def299fee21793cd8b9e567eab02cd81",
                    "2b12fcf1b09288fcaff797d71e950e71ae42b91e8bdb2304758dfcffc2b620e3",
                    1305998791,
                    0x1a44b9f2,
                    2504433986,
                ),
                "00000000000000001e8d6829a8a21adc5d38d0a473b144b6765798e61f98bd1d",
            ),
            // Block 638200 (2020): version 0x20000000 (BIP 9 bits), bits 1711d519; fields from
            // a public `getblock` dump (hash, previous hash, merkle root, time, bits, nonce).
            (
                638_200,
                header(
                    0x2000_0000,
                    "000000000000000000067807ac2f364231852e0c62557a7e97b15a2619e6f7a6",
                    "703d44509aa2b4c3d8584f8924319e092c5b8fabac390df3106264d54477852b",
                    1594156611,
                    0x1711d519,
                    1129338120,
                ),
                "0000000000000000000fb6a4d6f5dc7438f91a1bc3988c4f32b4bb8284eed0ec",
            ),
            // Block 695877 (2021): version 545259524 = 0x20800004, bits 387061771 (decimal, as
            // blockchain.info's rawblock shows it; Bitcoin StackExchange question 108091).
            (
                695_877,
                header(
                    545_259_524,
                    "000000000000000000073a6f31ebaeeaaf09e21331450e424426818699356c54",
                    "09f73d4315fcff0f7ef126a321e8ea478a9bab26c6aa6d45c187a0fcb313fab8",
                    1629026224,
                    387_061_771,
                    1150639194,
                ),
                "00000000000000000009ec0aa4de1488fa1ea7a5196447016b2fe1638df99e62",
            ),
        ]
    }

    #[test]
    fn real_headers_hash_to_their_block_hashes() {
        for (height, header, expected) in real_headers() {
            assert_eq!(header.hash_hex(), expected, "block {height}");
            assert_eq!(
                header.hash(),
                display_to_internal(expected),
                "block {height}"
            );
        }
    }

    #[test]
    fn real_headers_meet_their_targets() {
        for (height, header, _) in real_headers() {
            assert!(header.meets_target(), "block {height}");
        }
    }

    #[test]
    fn serialization_matches_published_raw_headers() {
        // Block 125552, raw header from the Bitcoin Wiki "Block hashing algorithm".
        let wiki = concat!(
            "01000000",
            "81cd02ab7e569e8bcd9317e2fe99f2de44d49ab2b8851ba4a308000000000000",
            "e320b6c2fffc8d750423db8b1eb942ae710e951ed797f7affc8892b0f1fc122b",
            "c7f5d74d",
            "f2b9441a",
            "42a14695",
        );
        // Block 100000, raw header as returned by block-explorer APIs.
        let block_100000 = concat!(
            "0100000050120119172a610421a6c3011dd330d9df07b63616c2cc1f1cd00200000000006657a925",
            "2aacd5c0b2940996ecff952228c3067cc38d4885efb5a4ac4247e9f337221b4d4c86041b0f2b5710",
        );
        let headers = real_headers();
        assert_eq!(headers[3].1.serialize(), from_hex::<80>(wiki));
        assert_eq!(headers[2].1.serialize(), from_hex::<80>(block_100000));
    }

    #[test]
    fn version_bits_serialize_little_endian() {
        // 0x20800004 appears as 04 00 80 20 (StackExchange 108091's answer).
        let bytes = real_headers()[5].1.serialize();
        assert_eq!(bytes[..4], [0x04, 0x00, 0x80, 0x20]);
        let negative = BlockHeader {
            version: -1,
            ..genesis()
        };
        assert_eq!(negative.serialize()[..4], [0xff; 4]);
    }

    #[test]
    fn changed_nonce_fails_the_target() {
        let mut header = genesis();
        header.nonce += 1;
        assert!(!header.meets_target());
        assert_ne!(header.hash_hex(), GENESIS_HASH);
    }

    #[test]
    fn invalid_bits_never_meet_the_target() {
        for bits in [0x0492_3456, 0xff12_3456, 0x0000_0000, 0x0100_3456] {
            let header = BlockHeader { bits, ..genesis() };
            assert!(!header.meets_target(), "{bits:#010x}");
            assert_eq!(mine(&mut header.clone(), 10), None, "{bits:#010x}");
        }
    }

    #[test]
    fn double_sha256_known_value() {
        // SHA256d("") = 5df6e0e2761359d30a8275058e299fcc0381534545f55cf43e41983f5d4c9456.
        assert_eq!(
            display_hex(&double_sha256(b"")),
            "56944c5d3f98413ef45cf54545538103cc9f298e0575820ad3591376e2e0f65d"
        );
    }

    #[test]
    fn mine_at_regtest_difficulty() {
        // 0x207fffff (regtest's limit) accepts about half of all hashes.
        let mut header = BlockHeader {
            bits: 0x207f_ffff,
            nonce: 0,
            ..genesis()
        };
        let tries = mine(&mut header, 64).expect("found within 64 tries");
        assert!((1..=64).contains(&tries));
        assert!(header.meets_target());
        // Every nonce before the winner fails, so `tries` counts exactly the hashes done.
        for nonce in 0..header.nonce {
            assert!(!BlockHeader { nonce, ..header }.meets_target());
        }
        assert_eq!(u64::from(header.nonce) + 1, tries);
    }

    #[test]
    fn mine_gives_up_after_max_tries() {
        // Genesis difficulty: a handful of tries will not succeed.
        let mut header = BlockHeader {
            nonce: 0,
            ..genesis()
        };
        assert_eq!(mine(&mut header, 5), None);
        assert_eq!(header.nonce, 5);
        assert_eq!(mine(&mut header, 0), None);
    }

    #[test]
    fn mine_finds_genesis_nonce_from_just_below() {
        let mut header = genesis();
        header.nonce -= 3;
        assert_eq!(mine(&mut header, 100), Some(4));
        assert_eq!(header, genesis());
    }

    proptest! {
        #[test]
        fn nonce_hasher_agrees_with_hash(nonce in any::<u32>(), time in any::<u32>(), version in any::<i32>()) {
            let header = BlockHeader { time, version, ..genesis() };
            let expected = BlockHeader { nonce, ..header }.hash();
            prop_assert_eq!(NonceHasher::new(&header).hash(nonce), expected);
            prop_assert_eq!(header.hash_with_nonce(nonce), expected);
        }
    }
}
