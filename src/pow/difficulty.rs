//! Targets, their compact ("nBits") encoding, block work and difficulty retargeting.
//!
//! A [`Target`] is the 256-bit unsigned integer a block hash must not exceed, as Bitcoin Core's
//! `arith_uint256` holds it. [`compact_to_target`] and [`target_to_compact`] follow
//! `arith_uint256::SetCompact` / `GetCompact` (Bitcoin Core, `src/arith_uint256.cpp`), including
//! the `pfNegative` / `pfOverflow` reports; [`next_work_required`] follows
//! `CalculateNextWorkRequired` in Bitcoin Core's `src/pow.cpp`; [`Target::work`] is the expected
//! number of hashes per block, as in `GetBlockProof` (same file). The scheme itself, a hash below
//! a moving target with the target adjusted to hold the block rate, is from Nakamoto (2008), §4.
//! Tests use Bitcoin Core's own vectors from `src/test/arith_uint256_tests.cpp` and
//! `src/test/pow_tests.cpp`.

use thiserror::Error;

/// A 256-bit unsigned target (or any 256-bit quantity: a hash read as a number, a chain's work).
///
/// The limbs are stored most significant first, so the derived ordering is numeric.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Target([u64; 4]);

impl Target {
    /// Zero.
    pub const ZERO: Target = Target([0; 4]);
    /// 2^256 - 1, the largest value (the easiest possible target).
    pub const MAX: Target = Target([u64::MAX; 4]);

    /// Reads a 32-byte little-endian integer, e.g. a block hash in internal byte order.
    pub fn from_le_bytes(bytes: [u8; 32]) -> Target {
        let mut limbs = [0u64; 4];
        for (i, chunk) in bytes.chunks_exact(8).enumerate() {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            limbs[3 - i] = u64::from_le_bytes(word);
        }
        Target(limbs)
    }

    /// The value as 32 little-endian bytes (the inverse of [`Target::from_le_bytes`]).
    pub fn to_le_bytes(&self) -> [u8; 32] {
        let mut bytes = [0u8; 32];
        for (i, chunk) in bytes.chunks_exact_mut(8).enumerate() {
            chunk.copy_from_slice(&self.0[3 - i].to_le_bytes());
        }
        bytes
    }

    /// A small value.
    pub fn from_u64(value: u64) -> Target {
        Target([0, 0, 0, value])
    }

    /// Whether the value is zero.
    pub fn is_zero(&self) -> bool {
        self.0 == [0; 4]
    }

    /// The lowest 64 bits.
    pub fn low_u64(&self) -> u64 {
        self.0[3]
    }

    /// The number of significant bits (0 for zero), as `arith_uint256::bits`.
    pub fn bits(&self) -> u32 {
        for (i, limb) in self.0.iter().enumerate() {
            if *limb != 0 {
                return 64 * (4 - i as u32) - limb.leading_zeros();
            }
        }
        0
    }

    /// The value shifted left by `shift` bits; bits beyond 2^256 are lost, as in `arith_uint256`.
    pub fn shl(&self, shift: u32) -> Target {
        let le = self.le_limbs();
        let mut out = [0u64; 4];
        let (limbs, bits) = ((shift / 64) as usize, shift % 64);
        for i in limbs..4 {
            out[i] = le[i - limbs] << bits;
            if bits > 0 && i > limbs {
                out[i] |= le[i - limbs - 1] >> (64 - bits);
            }
        }
        Target::from_le_limbs(out)
    }

    /// The value shifted right by `shift` bits.
    pub fn shr(&self, shift: u32) -> Target {
        let le = self.le_limbs();
        let mut out = [0u64; 4];
        let (limbs, bits) = ((shift / 64) as usize, shift % 64);
        for i in 0..4usize.saturating_sub(limbs) {
            out[i] = le[i + limbs] >> bits;
            if bits > 0 && i + limbs + 1 < 4 {
                out[i] |= le[i + limbs + 1] << (64 - bits);
            }
        }
        Target::from_le_limbs(out)
    }

    /// `self * m`, or `None` if the product does not fit in 256 bits.
    pub fn mul_u64(&self, m: u64) -> Option<Target> {
        Wide::from(*self).mul_u64(m).narrow()
    }

    /// `self / d` rounded down, or `None` if `d` is zero.
    pub fn div_u64(&self, d: u64) -> Option<Target> {
        (d != 0).then(|| Wide::from(*self).div_u64(d).narrow().unwrap_or(Target::MAX))
    }

    /// `self * m / d` rounded down, with a 320-bit intermediate so the product cannot overflow;
    /// saturates at [`Target::MAX`] if the result (or a division by zero) exceeds 256 bits.
    pub fn mul_div(&self, m: u64, d: u64) -> Target {
        if d == 0 {
            return Target::MAX;
        }
        let quotient = Wide::from(*self).mul_u64(m).div_u64(d);
        quotient.narrow().unwrap_or(Target::MAX)
    }

    /// The value as the nearest `f64` (within a few units in the last place).
    pub fn to_f64(&self) -> f64 {
        self.0.iter().fold(0.0, |acc, limb| {
            acc * 18_446_744_073_709_551_616.0 + *limb as f64
        })
    }

    /// Expected number of hashes to find a block at this target: 2^256 / (target + 1), the real
    /// number of which Bitcoin Core's `GetBlockProof` is the integer part. Chains are compared by
    /// the sum of this over their blocks.
    pub fn work(&self) -> f64 {
        // For target + 1 < 2^53 the sum is exact; above it the +1 is below f64 resolution.
        2f64.powi(256) / (self.to_f64() + 1.0)
    }

    fn le_limbs(&self) -> [u64; 4] {
        let [a, b, c, d] = self.0;
        [d, c, b, a]
    }

    fn from_le_limbs(le: [u64; 4]) -> Target {
        let [a, b, c, d] = le;
        Target([d, c, b, a])
    }
}

/// A 320-bit intermediate (little-endian limbs) for `target * timespan` before the division.
#[derive(Clone, Copy)]
struct Wide([u64; 5]);

impl From<Target> for Wide {
    fn from(t: Target) -> Wide {
        let [a, b, c, d] = t.le_limbs();
        Wide([a, b, c, d, 0])
    }
}

impl Wide {
    /// `self * m`; exact as long as `self` is below 2^256 (the top limb absorbs the carry).
    fn mul_u64(self, m: u64) -> Wide {
        let mut out = [0u64; 5];
        let mut carry = 0u128;
        for (o, limb) in out.iter_mut().zip(self.0) {
            let product = limb as u128 * m as u128 + carry;
            *o = product as u64;
            carry = product >> 64;
        }
        Wide(out)
    }

    /// `self / d` rounded down; `d` must be non-zero.
    fn div_u64(self, d: u64) -> Wide {
        let mut out = [0u64; 5];
        let mut rem = 0u128;
        for i in (0..5).rev() {
            let cur = (rem << 64) | self.0[i] as u128;
            out[i] = (cur / d as u128) as u64;
            rem = cur % d as u128;
        }
        Wide(out)
    }

    /// The value as a [`Target`], or `None` if it needs more than 256 bits.
    fn narrow(self) -> Option<Target> {
        let [a, b, c, d, e] = self.0;
        (e == 0).then(|| Target::from_le_limbs([a, b, c, d]))
    }
}

/// Why a compact target was rejected: Bitcoin Core's `pfNegative` and `pfOverflow` reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Error)]
#[error("invalid compact target (negative: {negative}, overflow: {overflow})")]
pub struct CompactError {
    /// The sign bit (0x00800000) is set and the mantissa is non-zero.
    pub negative: bool,
    /// The value does not fit in 256 bits.
    pub overflow: bool,
}

/// A compact target decoded exactly as `arith_uint256::SetCompact` does, flags and all.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Compact {
    /// The magnitude (sign ignored; bits beyond 2^256 dropped, as Core's shift drops them).
    pub target: Target,
    /// Core's `pfNegative`.
    pub negative: bool,
    /// Core's `pfOverflow`.
    pub overflow: bool,
}

/// Decodes `bits` as `arith_uint256::SetCompact`: exponent byte `size`, 23-bit mantissa `word`,
/// value `word * 256^(size - 3)`; a mantissa shifted out entirely (size < 3) makes zero.
pub fn decode_compact(bits: u32) -> Compact {
    let size = bits >> 24;
    let mut word = bits & 0x007f_ffff;
    let target = if size <= 3 {
        word >>= 8 * (3 - size);
        Target::from_u64(word.into())
    } else {
        Target::from_u64(word.into()).shl(8 * (size - 3))
    };
    let negative = word != 0 && bits & 0x0080_0000 != 0;
    let overflow =
        word != 0 && (size > 34 || (word > 0xff && size > 33) || (word > 0xffff && size > 32));
    Compact {
        target,
        negative,
        overflow,
    }
}

/// The target encoded by `bits`, or the reason it is invalid (negative or over 256 bits).
pub fn compact_to_target(bits: u32) -> Result<Target, CompactError> {
    let Compact {
        target,
        negative,
        overflow,
    } = decode_compact(bits);
    if negative || overflow {
        return Err(CompactError { negative, overflow });
    }
    Ok(target)
}

/// Encodes `target` as `arith_uint256::GetCompact` (non-negative): the top three significant
/// bytes as mantissa, shifted one byte further when that would set the sign bit.
pub fn target_to_compact(target: &Target) -> u32 {
    let mut size = target.bits().div_ceil(8);
    let mut compact = if size <= 3 {
        (target.low_u64() << (8 * (3 - size))) as u32
    } else {
        target.shr(8 * (size - 3)).low_u64() as u32
    };
    if compact & 0x0080_0000 != 0 {
        compact >>= 8;
        size += 1;
    }
    compact | (size << 24)
}

/// The consensus constants of difficulty adjustment (Bitcoin Core's `Consensus::Params`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChainParams {
    /// The easiest target allowed (`powLimit`); retargeting never goes above it.
    pub pow_limit: Target,
    /// The time one retarget interval should take (`nPowTargetTimespan`), seconds.
    pub target_timespan_s: i64,
    /// The intended time between blocks (`nPowTargetSpacing`), seconds.
    pub target_spacing_s: i64,
    /// Blocks between retargets (`DifficultyAdjustmentInterval()`, 2016 on Bitcoin).
    pub retarget_interval: u32,
    /// Keep the target fixed (`fPowNoRetargeting`, as on regtest).
    pub no_retargeting: bool,
}

impl ChainParams {
    /// Bitcoin mainnet: limit 2^224 - 1 (`0x1d00ffff` in compact form), two weeks per 2016
    /// blocks of ten minutes.
    pub fn bitcoin() -> ChainParams {
        ChainParams {
            pow_limit: Target([0x0000_0000_ffff_ffff, u64::MAX, u64::MAX, u64::MAX]),
            target_timespan_s: 14 * 24 * 3600,
            target_spacing_s: 600,
            retarget_interval: 2016,
            no_retargeting: false,
        }
    }

    /// Parameters for a simulated chain: `spacing_s` seconds per block, a retarget every
    /// `retarget_interval` blocks (timespan = spacing × interval), targets capped at `pow_limit`.
    pub fn with_spacing(spacing_s: i64, retarget_interval: u32, pow_limit: Target) -> ChainParams {
        ChainParams {
            pow_limit,
            target_timespan_s: spacing_s.saturating_mul(retarget_interval.into()),
            target_spacing_s: spacing_s,
            retarget_interval,
            no_retargeting: false,
        }
    }
}

/// The compact target after a retarget, as Bitcoin Core's `CalculateNextWorkRequired`.
///
/// `last_bits` is the target of the interval's last block, `first_block_time` and
/// `last_block_time` the times of its first and last blocks. The actual timespan is clamped to
/// [timespan / 4, timespan × 4]; the new target is `old × actual / timespan`, capped at
/// `pow_limit`. Core multiplies in 256 bits (which cannot overflow at Bitcoin's limit); this
/// multiplies in 320 bits, so easy simulated targets are exact where Core would wrap.
/// With `no_retargeting` or a non-positive timespan, `last_bits` is returned unchanged.
pub fn next_work_required(
    last_bits: u32,
    first_block_time: i64,
    last_block_time: i64,
    params: &ChainParams,
) -> u32 {
    let timespan = params.target_timespan_s;
    if params.no_retargeting || timespan <= 0 {
        return last_bits;
    }
    let actual = last_block_time
        .saturating_sub(first_block_time)
        .clamp(timespan / 4, timespan.saturating_mul(4));
    // Core ignores SetCompact's flags here; so does this (sign dropped, overflow truncated).
    let old = decode_compact(last_bits).target;
    let new = Wide::from(old)
        .mul_u64(actual.unsigned_abs())
        .div_u64(timespan.unsigned_abs());
    let capped = match new.narrow() {
        Some(t) if t <= params.pow_limit => t,
        _ => params.pow_limit,
    };
    target_to_compact(&capped)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The value as 64 big-endian hex digits, as `arith_uint256::GetHex` prints it.
    fn hex_of(t: &Target) -> String {
        t.to_le_bytes()
            .iter()
            .rev()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// (compact, GetHex of the decoded value, GetCompact of it, fNegative, fOverflow) from
    /// Bitcoin Core `src/test/arith_uint256_tests.cpp`, test case `bignum_SetCompact`.
    /// For the negative cases Core checks `GetCompact(true)`, which re-adds the sign; this
    /// crate encodes non-negative only, so the expected encoding is of the magnitude.
    const CORE_SET_COMPACT: &[(u32, &str, u32, bool, bool)] = &[
        (0x0000_0000, "00", 0, false, false),
        (0x0012_3456, "00", 0, false, false),
        (0x0100_3456, "00", 0, false, false),
        (0x0200_0056, "00", 0, false, false),
        (0x0300_0000, "00", 0, false, false),
        (0x0400_0000, "00", 0, false, false),
        (0x0092_3456, "00", 0, false, false),
        (0x0180_3456, "00", 0, false, false),
        (0x0280_0056, "00", 0, false, false),
        (0x0380_0000, "00", 0, false, false),
        (0x0480_0000, "00", 0, false, false),
        (0x0112_3456, "12", 0x0112_0000, false, false),
        (0x01fe_dcba, "7e", 0x017e_0000, true, false),
        (0x0212_3456, "1234", 0x0212_3400, false, false),
        (0x0312_3456, "123456", 0x0312_3456, false, false),
        (0x0412_3456, "12345600", 0x0412_3456, false, false),
        (0x0492_3456, "12345600", 0x0412_3456, true, false),
        (0x0500_9234, "92340000", 0x0500_9234, false, false),
        (
            0x2012_3456,
            "1234560000000000000000000000000000000000000000000000000000000000",
            0x2012_3456,
            false,
            false,
        ),
    ];

    fn padded(hex: &str) -> String {
        format!("{hex:0>64}")
    }

    #[test]
    fn core_set_compact_vectors() {
        for &(bits, hex, compact, negative, overflow) in CORE_SET_COMPACT {
            let decoded = decode_compact(bits);
            assert_eq!(hex_of(&decoded.target), padded(hex), "{bits:#010x}");
            assert_eq!(decoded.negative, negative, "{bits:#010x} negative");
            assert_eq!(decoded.overflow, overflow, "{bits:#010x} overflow");
            assert_eq!(
                target_to_compact(&decoded.target),
                compact,
                "{bits:#010x} re-encoded"
            );
            let expected = if negative {
                Err(CompactError { negative, overflow })
            } else {
                Ok(decoded.target)
            };
            assert_eq!(compact_to_target(bits), expected);
        }
    }

    #[test]
    fn core_negative_compact_keeps_its_magnitude() {
        // Core: SetCompact(0x04923456) reads 0x12345600 with fNegative, GetCompact(true) gives
        // 0x04923456 back; the magnitude encodes as 0x04123456.
        let decoded = decode_compact(0x0492_3456);
        assert_eq!(decoded.target, Target::from_u64(0x1234_5600));
        assert!(decoded.negative && !decoded.overflow);
        assert_eq!(
            target_to_compact(&decoded.target) | 0x0080_0000,
            0x0492_3456
        );
    }

    #[test]
    fn core_overflow_compact() {
        // Core: SetCompact(0xff123456) sets fOverflow and not fNegative.
        assert_eq!(
            compact_to_target(0xff12_3456),
            Err(CompactError {
                negative: false,
                overflow: true
            })
        );
        // The boundaries of Core's overflow rule: a 1-byte mantissa fits at size 34 (0x22),
        // two bytes at 33, three bytes at 32.
        assert!(compact_to_target(0x2200_0001).is_ok());
        assert!(compact_to_target(0x2300_0001).is_err());
        assert!(compact_to_target(0x2100_0100).is_ok());
        assert!(compact_to_target(0x2200_0100).is_err());
        assert!(compact_to_target(0x2001_0000).is_ok());
        assert!(compact_to_target(0x2101_0000).is_err());
        // A zero mantissa never overflows.
        assert_eq!(compact_to_target(0xff00_0000), Ok(Target::ZERO));
    }

    #[test]
    fn core_get_compact_never_sets_the_sign_bit() {
        // Core: `num = 0x80; num.GetCompact() == 0x02008000`.
        assert_eq!(target_to_compact(&Target::from_u64(0x80)), 0x0200_8000);
    }

    #[test]
    fn mainnet_limit_round_trips_as_1d00ffff() {
        let limit = ChainParams::bitcoin().pow_limit;
        assert_eq!(
            hex_of(&limit),
            "00000000ffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
        );
        assert_eq!(target_to_compact(&limit), 0x1d00_ffff);
        let genesis = compact_to_target(0x1d00_ffff).expect("valid");
        assert_eq!(
            hex_of(&genesis),
            "00000000ffff0000000000000000000000000000000000000000000000000000"
        );
        assert_eq!(target_to_compact(&genesis), 0x1d00_ffff);
    }

    #[test]
    fn work_of_difficulty_one_is_core_chainwork_of_genesis() {
        // Core's GetBlockProof(0x1d00ffff) = 0x100010001 (chainwork of the genesis block).
        let work = compact_to_target(0x1d00_ffff).expect("valid").work();
        let expected = 0x1_0001_0001u64 as f64;
        assert!((work - expected).abs() / expected < 1e-12, "{work}");
        assert_eq!(Target::MAX.work(), 1.0);
        assert_eq!(Target::ZERO.work(), 2f64.powi(256));
        assert_eq!(Target::from_u64(1).work(), 2f64.powi(255));
    }

    #[test]
    fn ordering_is_numeric() {
        let low_limb_big = Target::from_u64(u64::MAX);
        let high_limb_one = Target::from_u64(1).shl(64);
        assert!(low_limb_big < high_limb_one);
        assert!(Target::ZERO < Target::from_u64(1));
        assert!(Target::from_u64(1).shl(255) < Target::MAX);
    }

    #[test]
    fn arithmetic_edges() {
        assert_eq!(Target::MAX.mul_u64(2), None);
        assert_eq!(Target::MAX.mul_u64(1), Some(Target::MAX));
        assert_eq!(Target::MAX.div_u64(0), None);
        assert_eq!(Target::MAX.mul_div(3, 0), Target::MAX);
        assert_eq!(Target::MAX.mul_div(4, 2), Target::MAX);
        assert_eq!(Target::MAX.mul_div(1, 1 << 10), Target::MAX.shr(10));
        assert_eq!(Target::MAX.mul_div(3, 3), Target::MAX);
        assert_eq!(Target::from_u64(7).div_u64(2), Some(Target::from_u64(3)));
        assert_eq!(Target::MAX.shl(256), Target::ZERO);
        assert_eq!(Target::MAX.shr(300), Target::ZERO);
        assert_eq!(Target::MAX.bits(), 256);
        assert_eq!(Target::ZERO.bits(), 0);
    }

    /// Bitcoin Core `src/test/pow_tests.cpp`: (first block time, last block time, last bits,
    /// expected next bits), mainnet parameters.
    const CORE_RETARGETS: &[(&str, i64, i64, u32, u32)] = &[
        // get_next_work: blocks 30240..32255, no constraint applies.
        (
            "get_next_work",
            1261130161,
            1262152739,
            0x1d00ffff,
            0x1d00d86a,
        ),
        // get_next_work_pow_limit: blocks 0..2015, capped at the limit.
        (
            "get_next_work_pow_limit",
            1231006505,
            1233061996,
            0x1d00ffff,
            0x1d00ffff,
        ),
        // get_next_work_lower_limit_actual: blocks 66528..68543, actual < timespan / 4.
        (
            "lower_limit_actual",
            1279008237,
            1279297671,
            0x1c05a3f4,
            0x1c0168fd,
        ),
        // get_next_work_upper_limit_actual: actual > timespan * 4.
        (
            "upper_limit_actual",
            1263163443,
            1269211443,
            0x1c387f6f,
            0x1d00e1fd,
        ),
    ];

    #[test]
    fn core_pow_tests_vectors() {
        let params = ChainParams::bitcoin();
        for &(name, first, last, bits, expected) in CORE_RETARGETS {
            let got = next_work_required(bits, first, last, &params);
            assert_eq!(got, expected, "{name}: {got:#010x}");
        }
    }

    #[test]
    fn no_retargeting_keeps_bits() {
        let params = ChainParams {
            no_retargeting: true,
            ..ChainParams::bitcoin()
        };
        assert_eq!(next_work_required(0x1c05a3f4, 0, 1, &params), 0x1c05a3f4);
    }

    #[test]
    fn easy_targets_do_not_wrap() {
        // At the largest target, × 4 needs 258 bits: Core's 256-bit product would wrap; the
        // result must be capped at the limit instead.
        let params = ChainParams::with_spacing(10, 100, Target::MAX);
        assert_eq!(params.target_timespan_s, 1000);
        let max_bits = target_to_compact(&Target::MAX);
        let slow = next_work_required(max_bits, 0, 1_000_000, &params);
        assert_eq!(slow, max_bits);
        let fast = next_work_required(max_bits, 0, 1, &params);
        let quarter = compact_to_target(fast).expect("valid");
        let max_as_coded = compact_to_target(max_bits).expect("valid");
        assert_eq!(quarter, max_as_coded.shr(2).shr(8).shl(8));
    }

    fn bits_strategy() -> impl Strategy<Value = u32> {
        // Valid, non-zero compact targets below 2^256: sizes 1..=32, mantissa 0x000001..0x7fffff.
        (1u32..=32, 1u32..=0x7f_ffff).prop_map(|(size, word)| (size << 24) | word)
    }

    proptest! {
        #[test]
        fn retarget_stays_within_a_factor_of_four(
            bits in bits_strategy(),
            first in 0i64..2_000_000_000,
            elapsed in -10_000_000i64..20_000_000,
        ) {
            let params = ChainParams::with_spacing(600, 2016, Target::MAX.shr(4));
            let old = compact_to_target(bits).expect("valid");
            let new_bits = next_work_required(bits, first, first + elapsed, &params);
            let new = compact_to_target(new_bits).expect("encoder output is valid");
            let limit = params.pow_limit;
            // Compact encoding truncates (to at least 16 significant bits), so the new target
            // may be slightly below old / 4, or below the limit itself when capped.
            let floor = old.div_u64(4).expect("non-zero").mul_div(0xfffe, 0x10000);
            let limit_as_coded = compact_to_target(target_to_compact(&limit)).expect("valid");
            let lower = floor.min(limit_as_coded);
            prop_assert!(new >= lower, "{new:?} below {lower:?}");
            let ceiling = old.mul_div(4, 1).min(limit);
            prop_assert!(new <= ceiling, "{new:?} above {ceiling:?}");
            prop_assert!(new <= limit);
        }

        #[test]
        fn compact_round_trips_on_its_own_output(bits in bits_strategy()) {
            let target = compact_to_target(bits).expect("valid");
            let encoded = target_to_compact(&target);
            prop_assert_eq!(compact_to_target(encoded), Ok(target));
            prop_assert_eq!(encoded & 0x0080_0000, 0);
        }

        #[test]
        fn bytes_round_trip_and_order_matches_integers(a in any::<u128>(), b in any::<u128>()) {
            let ta = Target::from_u64(a as u64).shl(64).shl(64);
            let tb = Target::from_u64(b as u64).shl(128);
            prop_assert_eq!(Target::from_le_bytes(ta.to_le_bytes()), ta);
            prop_assert_eq!(ta.cmp(&tb), (a as u64).cmp(&(b as u64)));
            let mut le = [0u8; 32];
            le[..16].copy_from_slice(&a.to_le_bytes());
            let mut le_b = [0u8; 32];
            le_b[..16].copy_from_slice(&b.to_le_bytes());
            let (xa, xb) = (Target::from_le_bytes(le), Target::from_le_bytes(le_b));
            prop_assert_eq!(xa.cmp(&xb), a.cmp(&b));
            prop_assert_eq!(xa.shr(64).low_u64(), (a >> 64) as u64);
        }
    }
}
