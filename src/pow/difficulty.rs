//! Difficulty retargeting: Bitcoin Core's `CalculateNextWorkRequired` (src/pow.cpp).
//!
//! Every `retarget_interval` blocks the target is scaled by the time the last interval actually
//! took over the time it should have taken, the ratio clamped to [1/4, 4], capped at the
//! proof-of-work limit, and encoded back to compact form.

use super::target::{Target, compact_to_target, target_to_compact};

/// The consensus parameters retargeting needs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ChainParams {
    pub pow_limit: Target,
    /// Seconds an interval should take (mainnet: two weeks).
    pub target_timespan_s: i64,
    /// Seconds a block should take (mainnet: ten minutes).
    pub target_spacing_s: i64,
    /// Blocks between retargets (mainnet: 2016).
    pub retarget_interval: u32,
    pub no_retargeting: bool,
}

impl ChainParams {
    /// Bitcoin mainnet.
    pub fn bitcoin() -> ChainParams {
        ChainParams {
            pow_limit: Target([u64::MAX, u64::MAX, u64::MAX, 0x0000_0000_ffff_ffff]),
            target_timespan_s: 14 * 24 * 60 * 60,
            target_spacing_s: 10 * 60,
            retarget_interval: 2016,
            no_retargeting: false,
        }
    }

    /// Parameters for a simulation: blocks every `spacing_s` seconds, a retarget every
    /// `retarget_interval` blocks, and the given limit.
    pub fn with_spacing(spacing_s: i64, retarget_interval: u32, pow_limit: Target) -> ChainParams {
        ChainParams {
            pow_limit,
            target_timespan_s: spacing_s * retarget_interval as i64,
            target_spacing_s: spacing_s,
            retarget_interval,
            no_retargeting: false,
        }
    }
}

/// The `bits` of the block after a retarget window that began at `first_block_time` and ended
/// with a block at `last_block_time` mined at `last_bits`.
pub fn next_work_required(
    last_bits: u32,
    first_block_time: i64,
    last_block_time: i64,
    params: &ChainParams,
) -> u32 {
    if params.no_retargeting {
        return last_bits;
    }
    let timespan = params.target_timespan_s.max(1);
    let actual = (last_block_time - first_block_time).clamp(timespan / 4, timespan * 4);
    let old = compact_to_target(last_bits).unwrap_or(params.pow_limit);
    let new = old
        .mul_div(actual as u64, timespan as u64)
        .min(params.pow_limit);
    target_to_compact(&new)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Bitcoin Core, src/test/pow_tests.cpp.
    #[test]
    fn retargets_as_bitcoin_core_does() {
        let p = ChainParams::bitcoin();
        // get_next_work: blocks 30240..=32255.
        assert_eq!(
            next_work_required(0x1d00ffff, 1261130161, 1262152739, &p),
            0x1d00d86a
        );
        // get_next_work_pow_limit: the first window, capped at the limit.
        assert_eq!(
            next_work_required(0x1d00ffff, 1231006505, 1233061996, &p),
            0x1d00ffff
        );
        // get_next_work_lower_limit_actual: the window took less than a quarter: ×1/4.
        assert_eq!(
            next_work_required(0x1c05a3f4, 1279008237, 1279297671, &p),
            0x1c0168fd
        );
        // get_next_work_upper_limit_actual: more than four times: ×4.
        assert_eq!(
            next_work_required(0x1c387f6f, 1263163443, 1269211443, &p),
            0x1d00e1fd
        );
    }

    proptest! {
        /// The new target stays within a quarter and four times the old one (up to the compact
        /// encoding's rounding and the limit).
        #[test]
        fn the_change_is_clamped(exp in 0x18u32..0x1d, mantissa in 0x010000u32..0x7fffff, dt in -10_000_000i64..20_000_000) {
            let p = ChainParams::bitcoin();
            let bits = (exp << 24) | mantissa;
            let old = compact_to_target(bits).unwrap();
            let new = compact_to_target(next_work_required(bits, 0, dt, &p)).unwrap();
            let (old_f, new_f) = (old.to_f64(), new.to_f64());
            prop_assert!(new_f <= old_f * 4.0 * (1.0 + 1e-6));
            prop_assert!(new_f >= old_f / 4.0 * (1.0 - 1e-4) || new == p.pow_limit);
            prop_assert!(new <= p.pow_limit);
        }
    }
}
