//! 256-bit targets and Bitcoin's compact encoding (`nBits`): Bitcoin Core's
//! `arith_uint256::SetCompact` / `GetCompact`, and the work a target implies.
//!
//! The compact form is an exponent byte `e` and a 23-bit mantissa `m`: target = m·256^(e−3). The
//! mantissa's top bit (0x00800000) is a sign bit; a negative or overflowing encoding is an error
//! here, as it is invalid in a block header.

use std::cmp::Ordering;
use std::fmt;

/// An unsigned 256-bit number, little-endian 64-bit limbs.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Target(pub [u64; 4]);

impl fmt::Debug for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Target(0x{:016x}{:016x}{:016x}{:016x})",
            self.0[3], self.0[2], self.0[1], self.0[0]
        )
    }
}

impl Ord for Target {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.iter().rev().cmp(other.0.iter().rev())
    }
}

impl PartialOrd for Target {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Target {
    pub const ZERO: Target = Target([0; 4]);
    pub const MAX: Target = Target([u64::MAX; 4]);

    /// From 32 little-endian bytes (a block hash in its internal byte order is one).
    pub fn from_le_bytes(bytes: [u8; 32]) -> Target {
        let mut limbs = [0u64; 4];
        for (i, limb) in limbs.iter_mut().enumerate() {
            let mut b = [0u8; 8];
            b.copy_from_slice(&bytes[8 * i..8 * i + 8]);
            *limb = u64::from_le_bytes(b);
        }
        Target(limbs)
    }

    pub fn to_le_bytes(&self) -> [u8; 32] {
        let mut out = [0u8; 32];
        for (i, limb) in self.0.iter().enumerate() {
            out[8 * i..8 * i + 8].copy_from_slice(&limb.to_le_bytes());
        }
        out
    }

    pub fn from_u64(v: u64) -> Target {
        Target([v, 0, 0, 0])
    }

    pub fn is_zero(&self) -> bool {
        self.0 == [0; 4]
    }

    /// The number of significant bits.
    pub fn bits(&self) -> u32 {
        for i in (0..4).rev() {
            if self.0[i] != 0 {
                return 64 * i as u32 + 64 - self.0[i].leading_zeros();
            }
        }
        0
    }

    /// `self << shift` (bits shifted out are lost).
    pub fn shl(&self, shift: u32) -> Target {
        let mut out = [0u64; 4];
        let (limbs, bits) = ((shift / 64) as usize, shift % 64);
        for i in (limbs..4).rev() {
            let src = i - limbs;
            out[i] = self.0[src] << bits;
            if bits > 0 && src > 0 {
                out[i] |= self.0[src - 1] >> (64 - bits);
            }
        }
        Target(out)
    }

    /// `self >> shift`.
    pub fn shr(&self, shift: u32) -> Target {
        let mut out = [0u64; 4];
        let (limbs, bits) = ((shift / 64) as usize, shift % 64);
        for (i, slot) in out
            .iter_mut()
            .enumerate()
            .take(4usize.saturating_sub(limbs))
        {
            let src = i + limbs;
            *slot = self.0[src] >> bits;
            if bits > 0 && src + 1 < 4 {
                *slot |= self.0[src + 1] << (64 - bits);
            }
        }
        Target(out)
    }

    /// `self · m / d` computed exactly in 320 bits, saturating at [`Target::MAX`]; `d > 0`.
    pub fn mul_div(&self, m: u64, d: u64) -> Target {
        let mut wide = [0u64; 5];
        let mut carry = 0u128;
        for (slot, &limb) in wide.iter_mut().zip(&self.0) {
            let p = limb as u128 * m as u128 + carry;
            *slot = p as u64;
            carry = p >> 64;
        }
        wide[4] = carry as u64;
        let mut rem = 0u128;
        for limb in wide.iter_mut().rev() {
            let cur = (rem << 64) | *limb as u128;
            *limb = (cur / d as u128) as u64;
            rem = cur % d as u128;
        }
        if wide[4] != 0 {
            return Target::MAX;
        }
        Target([wide[0], wide[1], wide[2], wide[3]])
    }

    /// The value as a float (rounded).
    pub fn to_f64(&self) -> f64 {
        self.0
            .iter()
            .rev()
            .fold(0.0, |acc, &l| acc * 18_446_744_073_709_551_616.0 + l as f64)
    }

    /// Expected number of hashes to find a block at this target: 2^256 / (target + 1).
    pub fn work(&self) -> f64 {
        2f64.powi(256) / (self.to_f64() + 1.0)
    }
}

/// Why a compact value is not a valid target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CompactError {
    #[error("the compact target has its sign bit set")]
    Negative,
    #[error("the compact target overflows 256 bits")]
    Overflow,
}

/// Bitcoin Core's `SetCompact`: the target `bits` encodes.
pub fn compact_to_target(bits: u32) -> Result<Target, CompactError> {
    let size = bits >> 24;
    let mut word = bits & 0x007f_ffff;
    let value = if size <= 3 {
        word >>= 8 * (3 - size);
        Target::from_u64(word as u64)
    } else {
        Target::from_u64(word as u64).shl(8 * (size - 3))
    };
    let negative = word != 0 && bits & 0x0080_0000 != 0;
    let overflow =
        word != 0 && (size > 34 || (word > 0xff && size > 33) || (word > 0xffff && size > 32));
    if negative {
        return Err(CompactError::Negative);
    }
    if overflow {
        return Err(CompactError::Overflow);
    }
    Ok(value)
}

/// Bitcoin Core's `GetCompact` for a non-negative target: normalised so the mantissa's sign bit
/// is clear.
pub fn target_to_compact(target: &Target) -> u32 {
    let mut size = target.bits().div_ceil(8);
    let mut compact = if size <= 3 {
        (target.0[0] << (8 * (3 - size))) as u32
    } else {
        target.shr(8 * (size - 3)).0[0] as u32
    };
    if compact & 0x0080_0000 != 0 {
        compact >>= 8;
        size += 1;
    }
    compact | (size << 24)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Bitcoin Core, src/test/arith_uint256_tests.cpp (`bignum_SetCompact`).
    #[test]
    fn compact_round_trips_as_in_bitcoin_core() {
        let zero_cases = [
            0x00000000, 0x00123456, 0x01003456, 0x02000056, 0x03000000, 0x04000000, 0x00923456,
            0x01803456, 0x02800056, 0x03800000, 0x04800000,
        ];
        for bits in zero_cases {
            assert_eq!(compact_to_target(bits), Ok(Target::ZERO), "{bits:#x}");
            assert_eq!(target_to_compact(&Target::ZERO), 0);
        }
        let cases: [(u32, u64, u32); 5] = [
            (0x01123456, 0x12, 0x01120000),
            (0x02123456, 0x1234, 0x02123400),
            (0x03123456, 0x123456, 0x03123456),
            (0x04123456, 0x12345600, 0x04123456),
            (0x05009234, 0x92340000, 0x05009234),
        ];
        for (bits, value, back) in cases {
            let t = compact_to_target(bits).unwrap();
            assert_eq!(t, Target::from_u64(value), "{bits:#x}");
            assert_eq!(target_to_compact(&t), back, "{bits:#x}");
        }
        // 0x80 needs a fresh byte so the sign bit stays clear.
        assert_eq!(target_to_compact(&Target::from_u64(0x80)), 0x02008000);
        assert_eq!(compact_to_target(0x04923456), Err(CompactError::Negative));
        assert_eq!(compact_to_target(0xff123456), Err(CompactError::Overflow));
        let big = compact_to_target(0x20123456).unwrap();
        assert_eq!(big, Target::from_u64(0x123456).shl(8 * 29));
        assert_eq!(target_to_compact(&big), 0x20123456);
        let limit = compact_to_target(0x1d00ffff).unwrap();
        assert_eq!(limit, Target::from_u64(0xffff).shl(8 * 26));
        assert_eq!(target_to_compact(&limit), 0x1d00ffff);
    }

    #[test]
    fn arithmetic_and_order() {
        let a = Target::from_u64(3).shl(200);
        assert_eq!(a.shr(200), Target::from_u64(3));
        assert_eq!(a.bits(), 202);
        assert!(a > Target::from_u64(u64::MAX));
        assert_eq!(a.mul_div(10, 5), Target::from_u64(6).shl(200));
        assert_eq!(Target::MAX.mul_div(2, 1), Target::MAX, "saturates");
        assert_eq!(Target::from_le_bytes(a.to_le_bytes()), a);
        let easy = compact_to_target(0x207fffff).unwrap();
        assert!(
            (easy.work() - 2.0).abs() < 1e-6,
            "regtest: two hashes per block on average"
        );
    }
}
