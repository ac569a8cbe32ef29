//! Merkle roots of transaction ids.
//!
//! As Bitcoin Core's `ComputeMerkleRoot` (`src/consensus/merkle.cpp`): hash adjacent pairs with
//! double SHA-256, duplicating the last id on odd levels, until one hash remains; Nakamoto
//! (2008), §7. Core also reports a "mutated" tree, one where some level holds two equal
//! adjacent hashes (CVE-2012-2459: such a block has the same root as one with a transaction
//! repeated); [`merkle_root_mutated`] returns that flag. Tests use real blocks' transactions.

use super::header::double_sha256;

/// The merkle root of `txids` (internal byte order): one id is its own root; none gives zeros.
pub fn merkle_root(txids: &[[u8; 32]]) -> [u8; 32] {
    merkle_root_mutated(txids).0
}

/// The merkle root and Core's `mutated` flag: whether some level had two equal adjacent hashes.
pub fn merkle_root_mutated(txids: &[[u8; 32]]) -> ([u8; 32], bool) {
    let Some(last) = txids.last() else {
        return ([0; 32], false);
    };
    let mut level = txids.to_vec();
    let mut mutated = false;
    while level.len() > 1 {
        mutated |= level.chunks_exact(2).any(|pair| pair[0] == pair[1]);
        if level.len() % 2 == 1 {
            level.push(level[level.len() - 1]);
        }
        level = level
            .chunks_exact(2)
            .map(|p| hash_pair(&p[0], &p[1]))
            .collect();
    }
    (level.first().copied().unwrap_or(*last), mutated)
}

fn hash_pair(left: &[u8; 32], right: &[u8; 32]) -> [u8; 32] {
    let mut both = [0u8; 64];
    both[..32].copy_from_slice(left);
    both[32..].copy_from_slice(right);
    double_sha256(&both)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hex in display order (as explorers show txids) to internal byte order.
    fn id(hex: &str) -> [u8; 32] {
        let mut out = [0u8; 32];
        for (i, byte) in out.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).expect("test hex");
        }
        out.reverse();
        out
    }

    fn ids(hexes: &[&str]) -> Vec<[u8; 32]> {
        hexes.iter().map(|h| id(h)).collect()
    }

    #[test]
    fn block_100000_four_transactions() {
        // Main-network block 100000 (`getblock`): four txids and merkleroot.
        let txids = ids(&[
            "8c14f0db3df150123e6f3dbbf30f8b955a8249b62ac1d1ff16284aefa3d06d87",
            "fff2525b8931402dd09222c50775608f75787bd2b87e56995a7bdd30f79702c4",
            "6359f0868171b1d194cbee1af2f16ea598ae8fad666d9b012c8ed2b79a236ec4",
            "e9a66845e05d5abc0ad04ec80f774a7e585c6e8db975962d069a522137b80c1d",
        ]);
        let root = id("f3e94742aca4b5ef85488dc37c06c3282295ffec960994b2c0d5ac2a25a95766");
        assert_eq!(merkle_root(&txids), root);
        assert_eq!(merkle_root_mutated(&txids), (root, false));
    }

    #[test]
    fn testnet3_block_500_seven_transactions() {
        // Testnet3 block 500 (`bitcoin-cli -testnet getblock`, quoted in Herong Yang's
        // "Verify Merkle Root of 7 Transactions"): odd counts at the first two levels.
        let txids = ids(&[
            "a647d0c4112b4727f3c856782ff6bbaf099be929b27214a8e0dfedee4383eb68",
            "24b8a4c788b8c805b810438ddd99e569e184ff20f4394ac49a6d832e69f57242",
            "c5ffd70c3bc4998465cef55ed6d5d831ab3a550406423eb611117ed8ee41c278",
            "4692772a73ea834c836915089acf97f2c790380a2b8fd32f82729da72545d8c5",
            "82d6d88081e3e0eb36730f7f3aedb17228142b9e00a6dbaab4b53b798d0742c1",
            "fc407d7a3b819daa5cf1ecc2c2a4b103c3782104d1425d170993bd534779a0da",
            "95ad3ffb2a9426d6f5f5b97a134d90153ae16c9375f74eb385f481cff2771d77",
        ]);
        let root = id("dd3f288510dd3b632940bd3fb1db162d3ff99b19ddb0c586cfa3ac9a76d42517");
        assert_eq!(merkle_root(&txids), root);
    }

    #[test]
    fn three_transactions_duplicate_the_last() {
        let txids = ids(&[
            "8c14f0db3df150123e6f3dbbf30f8b955a8249b62ac1d1ff16284aefa3d06d87",
            "fff2525b8931402dd09222c50775608f75787bd2b87e56995a7bdd30f79702c4",
            "6359f0868171b1d194cbee1af2f16ea598ae8fad666d9b012c8ed2b79a236ec4",
        ]);
        let left = hash_pair(&txids[0], &txids[1]);
        let right = hash_pair(&txids[2], &txids[2]);
        assert_eq!(merkle_root(&txids), hash_pair(&left, &right));
        // CVE-2012-2459: repeating the last id gives the same root, flagged as mutated.
        let mut repeated = txids.clone();
        repeated.push(txids[2]);
        assert_eq!(merkle_root_mutated(&repeated), (merkle_root(&txids), true));
        assert!(!merkle_root_mutated(&txids).1);
    }

    #[test]
    fn one_transaction_is_its_own_root() {
        // Genesis block: its only txid is its merkle root.
        let coinbase = id("4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b");
        assert_eq!(merkle_root(&[coinbase]), coinbase);
    }

    #[test]
    fn no_transactions_give_zeros() {
        assert_eq!(merkle_root(&[]), [0; 32]);
    }
}
