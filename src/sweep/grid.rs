//! The grid of a sweep: value ranges for `n` and `t`, `--vary KEY=V1,V2,...` lists, and the
//! cells they expand to, in a fixed order (n outermost, then t, then each `--vary` key in the
//! order given). Each cell's master seed is derived from the sweep's seed and the cell's own
//! settings, not its position, so adding values to a range does not change the other cells.

use sha2::{Digest, Sha256};

use crate::error::InputError;
use crate::rng::mix;

/// A list of whole numbers given as `4..=16`, `4..=16:2`, `4..16`, `4,7,10` or `4`.
pub fn parse_range(flag: &str, spec: &str) -> Result<Vec<u64>, InputError> {
    let bad = |why: &str| {
        InputError::file(
            flag,
            format!("`{spec}`: {why} (write 4..=16, 4..=16:2, 4..16 or 4,7,10)"),
        )
    };
    let num = |s: &str| -> Result<u64, InputError> {
        s.trim()
            .parse::<u64>()
            .map_err(|_| bad(&format!("`{}` is not a whole number >= 0", s.trim())))
    };
    let values: Vec<u64> = if let Some((a, rest)) = spec.split_once("..") {
        let (inclusive, rest) = match rest.strip_prefix('=') {
            Some(r) => (true, r),
            None => (false, rest),
        };
        let (b, step) = match rest.split_once(':') {
            Some((b, s)) => (b, num(s)?),
            None => (rest, 1),
        };
        let (a, b) = (num(a)?, num(b)?);
        if step == 0 {
            return Err(bad("the step must be at least 1"));
        }
        let end = if inclusive { b } else { b.saturating_sub(1) };
        if a > end || (!inclusive && b == 0) {
            return Err(bad("the range is empty"));
        }
        if (end - a) / step >= 100_000 {
            return Err(bad("more than 100000 values"));
        }
        (a..=end).step_by(step as usize).collect()
    } else {
        spec.split(',').map(num).collect::<Result<_, _>>()?
    };
    if values.is_empty() {
        return Err(bad("no values"));
    }
    Ok(values)
}

/// One `--vary KEY=V1,V2,...`.
#[derive(Clone, Debug, PartialEq)]
pub struct Vary {
    pub key: String,
    pub values: Vec<String>,
}

impl Vary {
    pub fn parse(spec: &str) -> Result<Vary, InputError> {
        let Some((key, values)) = spec.split_once('=') else {
            return Err(InputError::file(
                "--vary",
                format!(
                    "`{spec}` is not KEY=V1,V2,... (for example --vary network.loss=0,0.1,0.2)"
                ),
            ));
        };
        let key = key.trim().to_string();
        let values: Vec<String> = values.split(',').map(|v| v.trim().to_string()).collect();
        if key.is_empty() || values.iter().any(String::is_empty) {
            return Err(InputError::file(
                "--vary",
                format!("`{spec}`: empty key or value"),
            ));
        }
        if key == "n" || key == "t" {
            return Err(InputError::file(
                "--vary",
                format!("use --{key} for `{key}`"),
            ));
        }
        Ok(Vary { key, values })
    }
}

/// One point of the grid.
#[derive(Clone, Debug, PartialEq)]
pub struct Cell {
    /// Position in the whole grid (before sharding).
    pub index: usize,
    pub n: u64,
    pub t: u64,
    /// One value per `--vary` key, in order.
    pub vary: Vec<String>,
}

impl Cell {
    /// The `--set` overrides that make this cell's scenario.
    pub fn overrides(&self, keys: &[Vary]) -> Vec<String> {
        let mut sets = vec![format!("n={}", self.n), format!("t={}", self.t)];
        sets.extend(
            keys.iter()
                .zip(&self.vary)
                .map(|(k, v)| format!("{}={v}", k.key)),
        );
        sets
    }

    /// This cell's master seed: the sweep's seed mixed with a digest of the cell's settings.
    pub fn seed(&self, master: u64, keys: &[Vary]) -> u64 {
        let settings = self.overrides(keys).join(";");
        let digest = Sha256::digest(settings.as_bytes());
        let mut head = [0u8; 8];
        head.copy_from_slice(&digest[..8]);
        mix(&[master, u64::from_le_bytes(head)]) & crate::rng::SEED_MASK
    }
}

/// The most cells one sweep (or one shard of it) plans: a grid past it is refused before any cell
/// is planned, and split with `--shard K/N` (each shard plans only its own cells).
pub const MAX_CELLS: u128 = 100_000;

/// How many cells the grid has (without listing them).
pub fn cell_count(n: &[u64], t: &[u64], vary: &[Vary]) -> u128 {
    vary.iter()
        .fold(n.len() as u128 * t.len() as u128, |acc, v| {
            acc.saturating_mul(v.values.len() as u128)
        })
}

/// All cells, in grid order, made one at a time (a large grid is never held in memory).
pub fn cells<'a>(n: &'a [u64], t: &'a [u64], vary: &'a [Vary]) -> impl Iterator<Item = Cell> + 'a {
    (0..cell_count(n, t, vary)).map(move |index| cell_at(n, t, vary, index))
}

/// The cell at `index` in grid order: mixed radix, the last `--vary` key fastest, n slowest.
pub fn cell_at(n: &[u64], t: &[u64], vary: &[Vary], index: u128) -> Cell {
    let mut rest = index;
    let mut values = vec![String::new(); vary.len()];
    for (slot, v) in values.iter_mut().zip(vary).rev() {
        let k = v.values.len() as u128;
        *slot = v.values[(rest % k) as usize].clone();
        rest /= k;
    }
    let tn = t.len() as u128;
    Cell {
        index: index as usize,
        n: n[(rest / tn) as usize],
        t: t[(rest % tn) as usize],
        vary: values,
    }
}

/// `--shard K/N`: the K-th (1-based) of N parts, cells dealt round-robin.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    pub k: usize,
    pub of: usize,
}

impl Shard {
    pub fn parse(spec: &str) -> Result<Shard, InputError> {
        let bad = || InputError::file("--shard", format!("`{spec}` is not K/N with 1 <= K <= N"));
        let (k, of) = spec.split_once('/').ok_or_else(bad)?;
        let (k, of): (usize, usize) = (
            k.trim().parse().map_err(|_| bad())?,
            of.trim().parse().map_err(|_| bad())?,
        );
        if k == 0 || of == 0 || k > of {
            return Err(bad());
        }
        Ok(Shard { k, of })
    }

    pub fn owns(&self, cell: &Cell) -> bool {
        cell.index % self.of == self.k - 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert_eq!(parse_range("--n", "4..=7").unwrap(), vec![4, 5, 6, 7]);
        assert_eq!(parse_range("--n", "4..=10:3").unwrap(), vec![4, 7, 10]);
        assert_eq!(parse_range("--n", "4..7").unwrap(), vec![4, 5, 6]);
        assert_eq!(parse_range("--n", "4, 7,10").unwrap(), vec![4, 7, 10]);
        assert_eq!(parse_range("--t", "0").unwrap(), vec![0]);
        for bad in ["", "a", "5..=4", "4..=8:0", "3..3", "-1..=2", "1,,2"] {
            let e = parse_range("--n", bad).unwrap_err();
            assert_eq!(e.file, "--n", "{bad}");
        }
    }

    #[test]
    fn grid_order_is_n_then_t_then_each_vary_key() {
        let vary = vec![Vary::parse("network.loss=0,0.1").unwrap()];
        let cells: Vec<Cell> = cells(&[4, 5], &[0, 1], &vary).collect();
        let order: Vec<(u64, u64, &str)> = cells
            .iter()
            .map(|c| (c.n, c.t, c.vary[0].as_str()))
            .collect();
        assert_eq!(
            order,
            vec![
                (4, 0, "0"),
                (4, 0, "0.1"),
                (4, 1, "0"),
                (4, 1, "0.1"),
                (5, 0, "0"),
                (5, 0, "0.1"),
                (5, 1, "0"),
                (5, 1, "0.1"),
            ]
        );
        assert_eq!(
            cells[5].overrides(&vary),
            vec!["n=5", "t=0", "network.loss=0.1"]
        );
    }

    #[test]
    fn a_cell_seed_depends_on_its_settings_not_its_position() {
        let a: Vec<Cell> = cells(&[4, 5], &[1], &[]).collect();
        let b: Vec<Cell> = cells(&[5], &[1], &[]).collect();
        assert_eq!(a[1].seed(9, &[]), b[0].seed(9, &[]));
        assert_ne!(a[0].seed(9, &[]), a[1].seed(9, &[]));
        assert_ne!(a[1].seed(9, &[]), a[1].seed(10, &[]));
    }

    #[test]
    fn shards_partition_the_grid() {
        let cells: Vec<Cell> = cells(&[4, 5, 6], &[0, 1, 2], &[]).collect();
        let shards: Vec<Shard> = (1..=4)
            .map(|k| Shard::parse(&format!("{k}/4")).unwrap())
            .collect();
        for c in &cells {
            assert_eq!(shards.iter().filter(|s| s.owns(c)).count(), 1);
        }
        for bad in ["0/4", "5/4", "1", "a/b", "1/0"] {
            assert!(Shard::parse(bad).is_err(), "{bad}");
        }
    }
}
