//! The merkle root of a block's transactions, as Bitcoin computes it (Bitcoin Core's
//! `ComputeMerkleRoot`): hash pairs of ids with double SHA-256, pairing the last id with itself
//! when a level has an odd count, until one hash is left.

use super::header::double_sha256;

/// The merkle root over transaction ids (internal byte order). One id is its own root; no ids
/// give all zeros.
pub fn merkle_root(txids: &[[u8; 32]]) -> [u8; 32] {
    if txids.is_empty() {
        return [0; 32];
    }
    let mut level: Vec<[u8; 32]> = txids.to_vec();
    while level.len() > 1 {
        level = level
            .chunks(2)
            .map(|pair| {
                let right = pair.get(1).unwrap_or(&pair[0]);
                let mut both = [0u8; 64];
                both[..32].copy_from_slice(&pair[0]);
                both[32..].copy_from_slice(right);
                double_sha256(&both)
            })
            .collect();
    }
    level[0]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pow::header::display_hex;

    fn internal(display: &str) -> [u8; 32] {
        let mut out = [0u8; 32];
        for (i, slot) in out.iter_mut().enumerate() {
            let j = 62 - 2 * i;
            *slot = u8::from_str_radix(&display[j..j + 2], 16).unwrap();
        }
        out
    }

    /// Block 100000: four transactions.
    #[test]
    fn block_100000_merkle_root() {
        let txids = [
            "8c14f0db3df150123e6f3dbbf30f8b955a8249b62ac1d1ff16284aefa3d06d87",
            "fff2525b8931402dd09222c50775608f75787bd2b87e56995a7bdd30f79702c4",
            "6359f0868171b1d194cbee1af2f16ea598ae8fad666d9b012c8ed2b79a236ec4",
            "e9a66845e05d5abc0ad04ec80f774a7e585c6e8db975962d069a522137b80c1d",
        ]
        .map(internal);
        assert_eq!(
            display_hex(&merkle_root(&txids)),
            "f3e94742aca4b5ef85488dc37c06c3282295ffec960994b2c0d5ac2a25a95766"
        );
    }

    #[test]
    fn odd_levels_pair_the_last_with_itself() {
        let a = [1u8; 32];
        let b = [2u8; 32];
        let c = [3u8; 32];
        let ab = merkle_root(&[a, b]);
        let cc = merkle_root(&[c, c]);
        assert_eq!(merkle_root(&[a, b, c]), merkle_root(&[ab, cc]));
        assert_eq!(merkle_root(&[a]), a);
        assert_eq!(merkle_root(&[]), [0; 32]);
    }
}
